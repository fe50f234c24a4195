/*
 * rtt.h - passive round-trip times: how long an end took to answer, as the
 * observer sees it (docs/geography.md).
 *
 * An exchange is a request seen going one way and the answer to it coming
 * back; its RTT is the time between the two at the observer, which is the
 * round trip between the observer and the answering end (plus that end's
 * own delay: never less than the light's time there and back).  Exchanges:
 *   TCP  SYN -> SYN/ACK          the SYN/ACK's sender (the responder)
 *        SYN/ACK -> ACK          the ACK's sender (the initiator)
 *   TLS  ClientHello -> the first TLS record back (TCP: handshake, alert or
 *        change-cipher-spec record; DTLS: any DTLS record, RFC 7983's range)
 *   STUN request -> success or error response with the same transaction ID
 *        (TURN's requests too)
 *   SIP  request (not ACK) -> a response with the same CSeq (UDP or TCP)
 *   RTCP a sender report -> a report block about it (RFC 3550 6.4.1): the
 *        block's LSR names the SR, its DLSR says how long the reporting
 *        end held it; RTT = (block seen - SR seen) - DLSR
 * One TCP, TLS or DTLS request is pending in each direction of a flow;
 * STUN transactions, SIP requests and RTCP sender reports have CF_RTT_TX
 * slots of their own (struct cf_rtt_tx: several in flight at once, as ICE
 * and TURN send a few together).  A request
 * sent again while pending (a retransmission: the same SYN, hello, STUN
 * transaction or CSeq) is timed from its first copy: an answer to the
 * first copy timed from a later one would be too short, while timing an
 * answer to a later copy from the first only makes it longer (Karn's rule
 * drops such exchanges; here a too-long RTT is harmless, a too-short one
 * is not).  Answers that come before their request (out-of-order
 * capture), more than CF_RTT_MAX_US after it, or more than 71 minutes
 * after the flow's first packet are not measured.  Only the smallest RTT
 * of each end is kept: queuing and delays only ever add.
 *
 * The per-flow state (struct cf_rtt) is the engine's, one per flow-table
 * entry (cf_flow_slot); the per-address table keeps, for every remote
 * address measured, the smallest RTT, the samples and the first and last
 * times, bounded (the least recently measured of a probe run gives way).
 * Nothing allocates per packet.
 */
#ifndef CF_FLOW_RTT_H
#define CF_FLOW_RTT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "decode/decode.h"
#include "util/netaddr.h"

#define CF_RTT_MAX_US 5000000u          /* answers later than 5 s: not measured */
#define CF_RTT_RTCP_HOLD_US 30000000u   /* an SR's report within 30 s */
#define CF_RTT_TX 4                     /* STUN / RTCP SR slots per flow */

enum cf_rtt_kind {
	CF_RTT_NONE = 0, CF_RTT_SYN, CF_RTT_SYNACK, CF_RTT_HELLO,
	CF_RTT_DTLS_HELLO, CF_RTT_STUN, CF_RTT_SIP, CF_RTT_RTCP,
	CF_RTT_KINDS
};

struct cf_rtt {
	uint32_t min_us[2];     /* [end]: smallest RTT to end 0/1 + 1; 0 none */
	uint32_t pend_at[2];    /* [dir]: request time - base + 1; 0 none */
	uint8_t pend_kind[2];   /* [dir]: enum cf_rtt_kind (TCP, TLS, DTLS) */
	uint8_t src[2];         /* [end]: the kind of its smallest RTT */
	uint16_t samples;       /* exchanges measured (saturates) */
	uint16_t dropped;       /* requests sent again while pending: timed
				   from the first copy (saturates) */
	uint8_t last;           /* the kind of the last exchange timed */
	uint8_t tx_on;          /* the flow's struct cf_rtt_tx is in use */
};

/*
 * A flow's STUN transactions, SIP requests and RTCP sender reports in
 * flight, apart from struct cf_rtt (the engine keeps a parallel array: its
 * memory is touched only by the flows that send such requests, cf_rtt_reset
 * leaves it alone and the first request clears it).  kind: enum
 * cf_rtt_kind | 0x80 when sent in direction 1, 0 free; key: the 96-bit
 * transaction ID, the CSeq's hash, or the SR's SSRC and the middle 32 bits
 * of its NTP timestamp.
 */
struct cf_rtt_tx {
	uint8_t kind[CF_RTT_TX];
	struct { uint32_t key[3]; uint32_t at; } tx[CF_RTT_TX];
};

/* Forget everything (a new flow in the entry). */
static inline void cf_rtt_reset(struct cf_rtt *r)
{
	memset(r, 0, sizeof(*r));
}

/*
 * Feed one packet (direction dir: 0 from the flow's end 0) of a flow whose
 * first packet was at base_us.  When it answers a pending request, returns
 * the answering end (0/1) with the exchange's RTT in *rtt_us (its kind in
 * r->last; the smallest when it answers several); else -1.  tx: the
 * flow's transactions in flight (NULL: STUN, SIP and RTCP are not timed).
 */
int cf_rtt_packet(struct cf_rtt *r, struct cf_rtt_tx *tx, const struct cf_packet *pkt,
		  int dir, uint64_t base_us, uint32_t *rtt_us);

/* Is a request of a single slot (TCP, TLS, DTLS) pending, sent less than
 * CF_RTT_MAX_US before now_us?  (STUN, SIP responses and RTCP reports are
 * timed whenever they pass: cf_rtt_wanted.) */
int cf_rtt_pending(const struct cf_rtt *r, uint64_t base_us, uint64_t now_us);

/* Smallest RTT to end (0/1) in microseconds, or -1 for none. */
static inline int64_t cf_rtt_min(const struct cf_rtt *r, int end)
{
	return r->min_us[end & 1] ? (int64_t)r->min_us[end & 1] - 1 : -1;
}

const char *cf_rtt_kind_name(enum cf_rtt_kind k);

/*
 * Is pkt a STUN message (first byte 0 or 1, the magic cookie; over TCP
 * also behind a 16-bit length), a SIP
 * response ("SIP/2.0 ") or a plain RTCP sender or receiver report (version
 * 2, type 200/201)?  Such packets
 * are timed also after their flow is done classifying (the runner hands
 * them over whole); a few loads of the payload's first bytes.
 */
static inline int cf_rtt_wanted(const struct cf_packet *pkt)
{
	const uint8_t *p = pkt->payload;

	if (p == NULL || pkt->payload_len < 8)
		return 0;
	if (p[0] <= 1 && pkt->payload_len >= 20 && p[4] == 0x21 && p[5] == 0x12 &&
	    p[6] == 0xa4 && p[7] == 0x42)
		return 1;
	/* over TCP, also behind RFC 4571's 16-bit length (ICE-TCP) */
	if (pkt->proto == 6 && pkt->payload_len >= 22 && p[2] <= 1 && p[6] == 0x21 &&
	    p[7] == 0x12 && p[8] == 0xa4 && p[9] == 0x42)
		return 1;
	if (p[0] <= 1)
		return 0;
	if (p[0] == 'S')
		return memcmp(p, "SIP/2.0 ", 8) == 0;
	return pkt->proto == 17 && (p[0] & 0xc0) == 0x80 && (p[1] == 200 || p[1] == 201);
}

/* ---- per remote address ------------------------------------------------ */

struct cf_rtt_addr {
	cf_addr addr;
	uint32_t min_us;        /* smallest RTT */
	uint8_t src;            /* its kind */
	uint8_t used;
	uint32_t samples;
	uint64_t first_us, last_us;   /* packet times of the first and last sample */
};

struct cf_rtt_stats {
	uint64_t samples;       /* exchanges measured */
	uint64_t by_kind[CF_RTT_KINDS];
	uint64_t dropped;       /* requests sent again, timed from the first */
	uint32_t entries, capacity;
	uint64_t replaced;      /* addresses pushed out of a full probe run */
};

struct cf_rtt_table;

/* A table of at most max addresses (0: the default, 65536). NULL: no memory. */
struct cf_rtt_table *cf_rtt_table_new(uint32_t max);
void cf_rtt_table_free(struct cf_rtt_table *t);
/* One exchange of kind k measured rtt_us to a at time ts_us. */
void cf_rtt_table_add(struct cf_rtt_table *t, const cf_addr *a, uint32_t rtt_us,
		      uint8_t k, uint64_t ts_us);
/* Count requests sent again (the flows' dropped counters). */
void cf_rtt_table_count_dropped(struct cf_rtt_table *t, uint32_t n);
/* a's entry, or NULL. */
const struct cf_rtt_addr *cf_rtt_table_get(const struct cf_rtt_table *t, const cf_addr *a);
/* Add every entry of from into to (smallest RTT, samples summed, times widened). */
void cf_rtt_table_merge(struct cf_rtt_table *to, const struct cf_rtt_table *from);
void cf_rtt_table_stats(const struct cf_rtt_table *t, struct cf_rtt_stats *st);
/* Call fn on every entry, in no particular order. */
void cf_rtt_table_foreach(const struct cf_rtt_table *t,
			  void (*fn)(const struct cf_rtt_addr *e, void *ctx), void *ctx);

/*
 * Put e into the list near[0..*n) of at most max entries, smallest RTT
 * first (ties: by address): the nearest remote ends, for the report.  An
 * address already there keeps the smaller RTT (and its kind), the samples
 * summed and the times widened.
 */
void cf_rtt_near_add(struct cf_rtt_addr *near, unsigned *n, unsigned max,
		     const struct cf_rtt_addr *e);

#endif /* CF_FLOW_RTT_H */
