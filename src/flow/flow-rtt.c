/*
 * flow-rtt.c - passive round-trip times (rtt.h): the requests and answers
 * of TCP's handshake, TLS/DTLS hellos, STUN and SIP, told apart from the
 * first bytes of a packet's payload, and the per-address table.
 *
 * What is read of a payload (bounds-checked, nothing else):
 *   TLS record   content type (1) version (2: 03 0x) length (2) then the
 *                handshake type (1: 1 = ClientHello)            RFC 8446 5.1
 *   DTLS record  content type (1) version (2: fe xx, or 01 00) epoch (2) sequence (6)
 *                length (2) then the handshake type             RFC 9147 4
 *   STUN         type (2, top two bits 0) length (2)
 *                magic cookie 0x2112A442 (4) transaction ID (12);
 *                class = bits C1 (0x0100) and C0 (0x0010)       RFC 8489 5
 *                over TCP, each message of a segment in turn (framed by
 *                its length; TURN ChannelData, 4 + length rounded up to
 *                4 bytes, skipped; or each behind RFC 4571's 16-bit
 *                length, as ICE-TCP sends them)      RFC 8656 12.5, RFC 6544
 *   SIP          "SIP/2.0 " (a response) or a request line ending in
 *                " SIP/2.0"; the number of the CSeq header      RFC 3261 7
 *   RTCP         version 2, type 200 (SR) or 201 (RR), reception report
 *                count, length in 32-bit words - 1; SR: sender SSRC, NTP
 *                timestamp (8); report blocks of 24 bytes: SSRC, loss (4),
 *                highest sequence (4), jitter (4), LSR (4), DLSR (4, in
 *                1/65536 s); a compound packet's parts in turn  RFC 3550 6.4
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/decode.h"
#include "flow/rtt.h"
#include "util/hash.h"

#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define STUN_COOKIE 0x2112A442u
#define SIP_SCAN 1500           /* bytes of a SIP message searched for CSeq */

/* ---- what a payload is ------------------------------------------------- */

enum pl { PL_NONE, PL_HELLO, PL_TLS_REC, PL_DTLS_HELLO, PL_DTLS_REC,
	  PL_SIP_REQ, PL_SIP_RESP };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The number of the CSeq header of the SIP message p[0..n), hashed with
 * its method; 0 when there is none. */
static uint32_t sip_cseq(const uint8_t *p, size_t n)
{
	size_t i, j;

	if (n > SIP_SCAN)
		n = SIP_SCAN;
	for (i = 0; i + 6 < n; i++) {
		if (p[i] != '\n' || strncasecmp((const char *)p + i + 1, "CSeq", 4) != 0)
			continue;
		j = i + 5;
		while (j < n && (p[j] == ' ' || p[j] == '\t'))
			j++;
		if (j >= n || p[j] != ':')
			continue;
		j++;
		while (j < n && (p[j] == ' ' || p[j] == '\t'))
			j++;
		if (j >= n || p[j] < '0' || p[j] > '9')
			return 0;
		{
			uint32_t h = CF_FNV32_BASIS;

			for (; j < n && p[j] != '\r' && p[j] != '\n'; j++)
				h = cf_fnv32_step(h, p[j]);
			return h ? h : 1;
		}
	}
	return 0;
}

/* A SIP request line: METHOD SP Request-URI SP SIP/2.0 CRLF (not ACK). */
static int sip_request(const uint8_t *p, size_t n)
{
	size_t i, eol;

	for (i = 0; i < n && i < 16 && p[i] >= 'A' && p[i] <= 'Z'; i++)
		;
	if (i < 3 || i >= n || p[i] != ' ')
		return 0;
	if (i == 3 && memcmp(p, "ACK", 3) == 0)
		return 0;       /* no answer comes to an ACK */
	for (eol = i; eol < n && eol < 512 && p[eol] != '\r' && p[eol] != '\n'; eol++)
		;
	return eol >= i + 9 && eol < n && memcmp(p + eol - 8, " SIP/2.0", 8) == 0;
}

/* Is p[0..n) a STUN message (its header; the length fits in n)? */
static int stun_at(const uint8_t *p, size_t n)
{
	/* (the length is not checked for a multiple of 4: WhatsApp's and
	   Teams' relays send others) */
	return n >= 20 && (p[0] & 0xc0) == 0 && be32(p + 4) == STUN_COOKIE &&
	       ((size_t)p[2] << 8 | p[3]) + 20 <= n;
}

/* Is p[0..n) a STUN message in RFC 4571's framing (ICE-TCP, RFC 6544: a
 * 16-bit length, then the message, which fills it)? */
static int stun_framed_at(const uint8_t *p, size_t n)
{
	size_t len;

	if (n < 22)
		return 0;
	len = (size_t)p[0] << 8 | p[1];
	return len >= 20 && len + 2 <= n && stun_at(p + 2, len) &&
	       ((size_t)p[4] << 8 | p[5]) + 20 == len;
}

/* What pkt's payload opens with (not STUN: stun_at); *id: SIP CSeq hash. */
static enum pl classify(const struct cf_packet *pkt, uint32_t *id)
{
	const uint8_t *p = pkt->payload;
	size_t n = pkt->payload_len;

	if (p == NULL || n == 0)
		return PL_NONE;
	if (pkt->proto == 6 && n >= 6 && (p[0] >= 0x14 && p[0] <= 0x16) &&
	    p[1] == 3 && p[2] <= 4)
		return p[0] == 0x16 && p[5] == 1 ? PL_HELLO : PL_TLS_REC;
	/* DTLS 1.0/1.2/1.3 (fe xx), or OpenSSL's pre-standard version 01 00
	   (Cisco AnyConnect's; its record length must fit) */
	if (pkt->proto == 17 && n >= 14 && p[0] >= 20 && p[0] <= 63 &&
	    (p[1] == 0xfe ||
	     (p[1] == 0x01 && p[2] == 0x00 && ((size_t)p[11] << 8 | p[12]) + 13 <= n)))
		return p[0] == 0x16 && p[13] == 1 ? PL_DTLS_HELLO : PL_DTLS_REC;
	/* SIP over UDP, or a TCP segment that starts a message */
	if ((pkt->proto == 17 || pkt->proto == 6) && n >= 12) {
		if (memcmp(p, "SIP/2.0 ", 8) == 0)
			return (*id = sip_cseq(p, n)) ? PL_SIP_RESP : PL_NONE;
		if (sip_request(p, n))
			return (*id = sip_cseq(p, n)) ? PL_SIP_REQ : PL_NONE;
	}
	return PL_NONE;
}

/* ---- exchanges ----------------------------------------------------------- */

/*
 * A request of kind k goes in direction dir at offset at.  Sent again
 * while pending (a retransmission, or an app that sends each request
 * twice): the first copy's time stays.  Whichever copy the answer is to,
 * timing it from the first can only make the RTT longer than the real
 * one, never shorter (which Karn's rule avoids by not timing at all).
 */
static void request(struct cf_rtt *r, int dir, uint8_t k, uint32_t at)
{
	if (r->pend_kind[dir] == k && r->pend_at[dir] &&
	    at >= r->pend_at[dir] && at - r->pend_at[dir] <= CF_RTT_MAX_US) {
		if (r->dropped < UINT16_MAX)
			r->dropped++;     /* counted: these RTTs may be long */
		return;
	}
	r->pend_kind[dir] = k;
	r->pend_at[dir] = at;
}

/*
 * An answer of kind k in direction dir at offset at: the pending
 * request the other way, if it is of that kind; returns the RTT or -1.
 */
static int64_t answer(struct cf_rtt *r, int dir, uint8_t k, uint32_t at)
{
	int o = !dir;
	uint32_t sent = r->pend_at[o];

	if (sent == 0 || r->pend_kind[o] != k)
		return -1;
	r->pend_kind[o] = CF_RTT_NONE;
	r->pend_at[o] = 0;
	if (at < sent || at - sent > CF_RTT_MAX_US)
		return -1;
	return (int64_t)(at - sent);
}

static int record(struct cf_rtt *r, int dir, uint8_t k, int64_t us, uint32_t *rtt_us)
{
	if (us < 0)
		return -1;
	if (r->min_us[dir] == 0 || (uint32_t)us + 1 < r->min_us[dir]) {
		r->min_us[dir] = (uint32_t)us + 1;
		r->src[dir] = k;
	}
	if (r->samples < UINT16_MAX)
		r->samples++;
	r->last = k;
	*rtt_us = (uint32_t)us;
	return dir;
}

static int tcp_flags(struct cf_rtt *r, const struct cf_packet *pkt, int dir,
		     uint32_t at, uint32_t *rtt_us)
{
	uint8_t fl = pkt->tcp_flags;

	if (fl & TCP_RST) {
		r->pend_kind[0] = r->pend_kind[1] = CF_RTT_NONE;
		r->pend_at[0] = r->pend_at[1] = 0;
		return -1;
	}
	if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		request(r, dir, CF_RTT_SYN, at);
		return -1;
	}
	if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		int got = record(r, dir, CF_RTT_SYN, answer(r, dir, CF_RTT_SYN, at), rtt_us);

		request(r, dir, CF_RTT_SYNACK, at);
		return got;
	}
	if (fl & TCP_ACK)
		return record(r, dir, CF_RTT_SYNACK,
			      answer(r, dir, CF_RTT_SYNACK, at), rtt_us);
	return -1;
}

/* ---- transactions in flight: STUN, RTCP sender reports ----------------- */

static uint32_t tx_hold(unsigned k)
{
	return k == CF_RTT_RTCP ? CF_RTT_RTCP_HOLD_US : CF_RTT_MAX_US;
}

/* Is slot i free, or held past its kind's time at offset at? */
static int tx_stale(const struct cf_rtt_tx *tx, int i, uint32_t at)
{
	return tx->kind[i] == 0 ||
	       (at >= tx->tx[i].at && at - tx->tx[i].at > tx_hold(tx->kind[i] & 0x7f));
}

/*
 * A request of kind k (key) in direction dir at offset at: a slot of its
 * own (a free or stale one, else the oldest gives way: an exchange not
 * timed only makes the check less strict).  Sent again while its first
 * copy is held: the first copy's time stays (as request()).
 */
static void tx_request(struct cf_rtt *r, struct cf_rtt_tx *tx, int dir, unsigned k,
		       const uint32_t key[3], uint32_t at)
{
	uint8_t tag = (uint8_t)(k | (dir ? 0x80 : 0));
	int i, pick = -1;

	if (tx == NULL)
		return;
	if (!r->tx_on) {        /* the flow's first: its slots start empty */
		memset(tx, 0, sizeof(*tx));
		r->tx_on = 1;
	}
	for (i = 0; i < CF_RTT_TX; i++)
		if (tx->kind[i] == tag && memcmp(tx->tx[i].key, key, 12) == 0 &&
		    !tx_stale(tx, i, at) && at >= tx->tx[i].at) {
			if (r->dropped < UINT16_MAX)
				r->dropped++;
			return;
		}
	for (i = 0; i < CF_RTT_TX; i++) {
		if (tx_stale(tx, i, at)) {
			pick = i;
			break;
		}
		if (pick < 0 || tx->tx[i].at < tx->tx[pick].at)
			pick = i;
	}
	tx->kind[pick] = tag;
	memcpy(tx->tx[pick].key, key, 12);
	tx->tx[pick].at = at;
}

/*
 * An answer of kind k (key) in direction dir at offset at: the offset of
 * the request sent the other way with that key, or 0.  keep: the slot
 * stays (an SR may be reported on more than once).
 */
static uint32_t tx_answer(const struct cf_rtt *r, struct cf_rtt_tx *tx, int dir,
			  unsigned k, const uint32_t key[3], uint32_t at, int keep)
{
	uint8_t tag = (uint8_t)(k | (dir ? 0 : 0x80));
	uint32_t sent;
	int i;

	if (tx == NULL || !r->tx_on)
		return 0;
	for (i = 0; i < CF_RTT_TX; i++) {
		if (tx->kind[i] != tag || memcmp(tx->tx[i].key, key, 12) != 0)
			continue;
		sent = tx->tx[i].at;
		if (!keep || at < sent || at - sent > tx_hold(k))
			tx->kind[i] = 0;
		if (at < sent || at - sent > tx_hold(k))
			continue;
		return sent;
	}
	return 0;
}

/* Keep the smaller of two answers of one packet in (*got, *rtt_us). */
static void best(int end, uint32_t us, int *got, uint32_t *rtt_us)
{
	if (end >= 0 && (*got < 0 || us < *rtt_us)) {
		*got = end;
		*rtt_us = us;
	}
}

/* The STUN messages of a packet: one a datagram; over TCP, each message
 * of the segment (ChannelData between them skipped). */
static int stun(struct cf_rtt *r, struct cf_rtt_tx *tx, const struct cf_packet *pkt,
		int dir, uint32_t at, uint32_t *rtt_us)
{
	const uint8_t *p = pkt->payload;
	size_t n = pkt->payload_len, off = 0, len;
	uint32_t key[3], sent, us = 0;
	int got = -1, i;

	for (i = 0; i < 8 && off < n; i++) {
		const uint8_t *m = p + off;
		size_t left = n - off, skip = 0;

		if (pkt->proto == 6 && stun_framed_at(m, left)) {
			skip = 2;       /* RFC 4571's length */
			m += 2;
			left = (size_t)p[off] << 8 | p[off + 1];
		}
		if (stun_at(m, left)) {
			unsigned cls = (m[0] & 0x01) << 1 | (m[1] & 0x10) >> 4;

			key[0] = be32(m + 8);
			key[1] = be32(m + 12);
			key[2] = be32(m + 16);
			len = skip + 20 + ((size_t)m[2] << 8 | m[3]);
			if (cls == 0) {
				tx_request(r, tx, dir, CF_RTT_STUN, key, at);
			} else if (cls >= 2 &&
				   (sent = tx_answer(r, tx, dir, CF_RTT_STUN, key, at, 0)) != 0) {
				if (record(r, dir, CF_RTT_STUN, (int64_t)(at - sent), &us) >= 0)
					best(dir, us, &got, rtt_us);
			}
		} else if (left >= 4 && m[0] >= 0x40 && m[0] <= 0x7f) {
			len = 4 + ((((size_t)m[2] << 8 | m[3]) + 3) & ~(size_t)3);
		} else {
			break;
		}
		if (pkt->proto != 6)
			break;
		off += len;
	}
	return got;
}

/* Is p[0..n) a plain RTCP compound packet's first part, an SR or RR? */
static int rtcp_at(const uint8_t *p, size_t n)
{
	return n >= 8 && (p[0] & 0xc0) == 0x80 && (p[1] == 200 || p[1] == 201) &&
	       ((size_t)p[2] << 8 | p[3]) * 4 + 4 <= n;
}

/*
 * The parts of an RTCP compound packet.  An SR sent is held (its SSRC and
 * NTP timestamp's middle 32 bits); a report block coming the other way
 * whose SSRC and LSR name it answers it (RFC 3550 6.4.1):
 *     RTT = (block seen - SR seen) - DLSR
 * DLSR is the reporting end's own count of how long it held the SR, in
 * 1/65536 s, which it may have rounded up: at most DLSR - 1 units are
 * taken off (and those rounded down to the microsecond), so that the RTT
 * is never shorter than the packets allow.  A block whose DLSR exceeds the
 * time between the two packets is not timed.  SRTCP's encrypted reports
 * never match (their NTP time and blocks are ciphertext).
 */
static int rtcp(struct cf_rtt *r, struct cf_rtt_tx *tx, const uint8_t *p, size_t n,
		int dir, uint32_t at, uint32_t *rtt_us)
{
	size_t off = 0, len, blocks;
	uint32_t key[3], sent, held, gap, us = 0;
	unsigned rc, i;
	int got = -1, part;

	for (part = 0; part < 4 && n - off >= 8; part++) {
		const uint8_t *h = p + off;

		len = ((size_t)h[2] << 8 | h[3]) * 4 + 4;
		if ((h[0] & 0xc0) != 0x80 || len > n - off)
			break;
		rc = h[0] & 0x1f;
		blocks = h[1] == 200 ? 28 : h[1] == 201 ? 8 : 0;
		if (blocks == 0) {
			if (part == 0)
				break;
			off += len;     /* SDES, BYE, APP...: nothing to time */
			continue;
		}
		if (blocks + (size_t)rc * 24 > len)
			break;
		if (h[1] == 200) {
			key[0] = be32(h + 4);
			key[1] = be32(h + 8) << 16 | be32(h + 12) >> 16;
			key[2] = 0;
			tx_request(r, tx, dir, CF_RTT_RTCP, key, at);
		}
		for (i = 0; i < rc; i++) {
			const uint8_t *b = h + blocks + (size_t)i * 24;
			uint32_t dlsr = be32(b + 20);

			key[0] = be32(b);
			key[1] = be32(b + 16);          /* LSR; 0: no SR received */
			key[2] = 0;
			if (key[1] == 0 ||
			    (sent = tx_answer(r, tx, dir, CF_RTT_RTCP, key, at, 1)) == 0)
				continue;
			gap = at - sent;
			held = dlsr ? (uint32_t)((uint64_t)(dlsr - 1) * 1000000u / 65536u) : 0;
			if (held > gap || gap - held > CF_RTT_MAX_US)
				continue;
			if (record(r, dir, CF_RTT_RTCP, (int64_t)(gap - held), &us) >= 0)
				best(dir, us, &got, rtt_us);
		}
		off += len;
	}
	return got;
}

/* The payload's part of an exchange; the RTT or -1. */
static int payload(struct cf_rtt *r, struct cf_rtt_tx *tx, const struct cf_packet *pkt,
		   int dir, uint32_t at, uint32_t *rtt_us)
{
	uint32_t id = 0, key[3], sent;

	switch (classify(pkt, &id)) {
	case PL_HELLO:
		request(r, dir, CF_RTT_HELLO, at);
		return -1;
	case PL_TLS_REC:
		return record(r, dir, CF_RTT_HELLO, answer(r, dir, CF_RTT_HELLO, at), rtt_us);
	case PL_DTLS_HELLO:
		request(r, dir, CF_RTT_DTLS_HELLO, at);
		return -1;
	case PL_DTLS_REC:
		return record(r, dir, CF_RTT_DTLS_HELLO,
			      answer(r, dir, CF_RTT_DTLS_HELLO, at), rtt_us);
	case PL_SIP_REQ:        /* several transactions may be in flight */
		key[0] = id;
		key[1] = key[2] = 0;
		tx_request(r, tx, dir, CF_RTT_SIP, key, at);
		return -1;
	case PL_SIP_RESP:
		key[0] = id;
		key[1] = key[2] = 0;
		if ((sent = tx_answer(r, tx, dir, CF_RTT_SIP, key, at, 0)) == 0)
			return -1;
		return record(r, dir, CF_RTT_SIP, (int64_t)(at - sent), rtt_us);
	case PL_NONE:
		break;
	}
	return -1;
}

int cf_rtt_packet(struct cf_rtt *r, struct cf_rtt_tx *tx, const struct cf_packet *pkt,
		  int dir, uint64_t base_us, uint32_t *rtt_us)
{
	uint32_t at, us = 0;
	int got = -1, pl;
	uint8_t k;

	dir &= 1;
	if (pkt->ts_us < base_us || pkt->ts_us - base_us >= UINT32_MAX - 1)
		return -1;
	at = (uint32_t)(pkt->ts_us - base_us) + 1;
	if (pkt->proto == 6)
		got = tcp_flags(r, pkt, dir, at, rtt_us);
	k = r->last;
	/* a segment may both ACK the SYN/ACK and carry the hello */
	if (pkt->payload != NULL && (stun_at(pkt->payload, pkt->payload_len) ||
				     (pkt->proto == 6 &&
				      stun_framed_at(pkt->payload, pkt->payload_len))))
		pl = stun(r, tx, pkt, dir, at, &us);
	else if (pkt->proto == 17 && pkt->payload != NULL &&
		 rtcp_at(pkt->payload, pkt->payload_len))
		pl = rtcp(r, tx, pkt->payload, pkt->payload_len, dir, at, &us);
	else
		pl = payload(r, tx, pkt, dir, at, &us);
	if (got < 0 && pl >= 0) {
		*rtt_us = us;
		got = pl;
	} else if (got >= 0) {
		r->last = k;    /* the handshake's exchange is the one returned */
	}
	return got;
}

int cf_rtt_pending(const struct cf_rtt *r, uint64_t base_us, uint64_t now_us)
{
	int d;

	for (d = 0; d < 2; d++)
		if (r->pend_at[d] && now_us >= base_us &&
		    now_us - base_us + 1 - r->pend_at[d] <= CF_RTT_MAX_US)
			return 1;
	return 0;
}

const char *cf_rtt_kind_name(enum cf_rtt_kind k)
{
	static const char *const names[CF_RTT_KINDS] = {
		"", "tcp-syn", "tcp-synack", "tls-hello", "dtls-hello", "stun", "sip",
		"rtcp"
	};

	return (unsigned)k < CF_RTT_KINDS ? names[k] : "";
}

/* ---- per remote address -------------------------------------------------- */

#define PROBE 16
#define START 4096              /* entries (192 KiB) */

/*
 * The table starts at START entries and doubles (every entry put in
 * again) when a quarter full, up to its capacity: the addresses of a
 * capture or of a quiet gateway take a few pages instead of 3 MiB touched
 * at random (every page first touched is a fault, and on a VM a costly
 * one).  A quarter, not a half: near half full, runs of PROBE taken
 * slots are no longer rare (test-rtt's 20,000 addresses lost 10 of them),
 * and an address given up loses its RTT.
 */
struct cf_rtt_table {
	struct cf_rtt_addr *v;
	uint32_t mask;
	uint32_t mask_max;      /* capacity - 1 */
	struct cf_rtt_stats st;
};

struct cf_rtt_table *cf_rtt_table_new(uint32_t max)
{
	struct cf_rtt_table *t = calloc(1, sizeof(*t));
	uint32_t n = 16;

	if (max == 0)
		max = 65536;
	if (max > (1u << 24))
		max = 1u << 24;
	while (n < max)
		n <<= 1;
	if (t == NULL)
		return NULL;
	t->mask_max = n - 1;
	t->st.capacity = n;
	if (n > START)
		n = START;
	if ((t->v = calloc(n, sizeof(*t->v))) == NULL) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	return t;
}

void cf_rtt_table_free(struct cf_rtt_table *t)
{
	if (t == NULL)
		return;
	free(t->v);
	free(t);
}

static uint32_t addr_hash(const cf_addr *a)
{
	uint32_t h = cf_fnv32_bytes(CF_FNV32_BASIS, a->b, sizeof(a->b));

	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	return h;
}

/* Twice the entries, each put in again (where a lookup finds it: the
 * first free slot of its probe run); nothing when at capacity or out of
 * memory (the table then goes on at its size). */
static void grow(struct cf_rtt_table *t)
{
	uint32_t n = (t->mask + 1) * 2, i, j, h;
	struct cf_rtt_addr *v;

	if (t->mask >= t->mask_max || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	for (i = 0; i <= t->mask; i++) {
		if (!t->v[i].used)
			continue;
		h = addr_hash(&t->v[i].addr);
		for (j = 0; j < PROBE && v[(h + j) & (n - 1)].used; j++)
			;
		if (j < PROBE)          /* (twice the room: a run has one) */
			v[(h + j) & (n - 1)] = t->v[i];
		else
			t->st.entries--, t->st.replaced++;
	}
	free(t->v);
	t->v = v;
	t->mask = n - 1;
}

/* a's entry, made if need be (the least recently measured of its probe
 * run gives way when the run is full). */
static struct cf_rtt_addr *slot(struct cf_rtt_table *t, const cf_addr *a)
{
	uint32_t h, i;
	struct cf_rtt_addr *old = NULL, *e;

	if ((uint64_t)t->st.entries * 4 >= (uint64_t)t->mask + 1)
		grow(t);
	h = addr_hash(a);
	for (i = 0; i < PROBE; i++) {
		e = &t->v[(h + i) & t->mask];
		if (!e->used) {
			memset(e, 0, sizeof(*e));
			e->used = 1;
			e->addr = *a;
			t->st.entries++;
			return e;
		}
		if (cf_addr_eq(&e->addr, a))
			return e;
		if (old == NULL || e->last_us < old->last_us)
			old = e;
	}
	memset(old, 0, sizeof(*old));
	old->used = 1;
	old->addr = *a;
	t->st.replaced++;
	return old;
}

static void fold(struct cf_rtt_addr *e, uint32_t min_us, uint8_t k, uint32_t samples,
		 uint64_t first_us, uint64_t last_us)
{
	/* (ties: the smaller kind, so that any order of folding agrees) */
	if (e->samples == 0 || min_us < e->min_us || (min_us == e->min_us && k < e->src)) {
		e->min_us = min_us;
		e->src = k;
	}
	if (e->samples == 0 || first_us < e->first_us)
		e->first_us = first_us;
	if (last_us > e->last_us)
		e->last_us = last_us;
	e->samples = e->samples + samples < e->samples ? UINT32_MAX : e->samples + samples;
}

void cf_rtt_table_add(struct cf_rtt_table *t, const cf_addr *a, uint32_t rtt_us,
		      uint8_t k, uint64_t ts_us)
{
	fold(slot(t, a), rtt_us, k, 1, ts_us, ts_us);
	t->st.samples++;
	if (k < CF_RTT_KINDS)
		t->st.by_kind[k]++;
}

void cf_rtt_table_count_dropped(struct cf_rtt_table *t, uint32_t n)
{
	t->st.dropped += n;
}

const struct cf_rtt_addr *cf_rtt_table_get(const struct cf_rtt_table *t, const cf_addr *a)
{
	uint32_t h = addr_hash(a), i;

	for (i = 0; i < PROBE; i++) {
		const struct cf_rtt_addr *e = &t->v[(h + i) & t->mask];

		if (!e->used)
			return NULL;
		if (cf_addr_eq(&e->addr, a))
			return e;
	}
	return NULL;
}

void cf_rtt_table_merge(struct cf_rtt_table *to, const struct cf_rtt_table *from)
{
	uint32_t i, k;

	for (i = 0; i <= from->mask; i++) {
		const struct cf_rtt_addr *e = &from->v[i];

		if (e->used && e->samples)
			fold(slot(to, &e->addr), e->min_us, e->src, e->samples,
			     e->first_us, e->last_us);
	}
	to->st.samples += from->st.samples;
	to->st.dropped += from->st.dropped;
	to->st.replaced += from->st.replaced;
	for (k = 0; k < CF_RTT_KINDS; k++)
		to->st.by_kind[k] += from->st.by_kind[k];
}

void cf_rtt_table_stats(const struct cf_rtt_table *t, struct cf_rtt_stats *st)
{
	*st = t->st;
}

void cf_rtt_table_foreach(const struct cf_rtt_table *t,
			  void (*fn)(const struct cf_rtt_addr *e, void *ctx), void *ctx)
{
	uint64_t left = t->st.entries;      /* entries are never taken out */
	uint32_t i;

	/* stop at the last entry (the pages past it were never touched, and
	   reading them costs a page fault each) */
	for (i = 0; left > 0 && i <= t->mask; i++)
		if (t->v[i].used) {
			left--;
			if (t->v[i].samples)
				fn(&t->v[i], ctx);
		}
}

/* Does a come before b in a nearest list? */
static int nearer(const struct cf_rtt_addr *a, const struct cf_rtt_addr *b)
{
	if (a->min_us != b->min_us)
		return a->min_us < b->min_us;
	return cf_addr_cmp(&a->addr, &b->addr) < 0;
}

void cf_rtt_near_add(struct cf_rtt_addr *near, unsigned *n, unsigned max,
		     const struct cf_rtt_addr *e)
{
	struct cf_rtt_addr x = *e;
	unsigned i;

	for (i = 0; i < *n; i++)
		if (cf_addr_eq(&near[i].addr, &e->addr))
			break;
	if (i < *n) {
		/* the same address (another worker's table): fold, take it out,
		   put it back in its place */
		x = near[i];
		fold(&x, e->min_us, e->src, e->samples, e->first_us, e->last_us);
		memmove(&near[i], &near[i + 1], (*n - i - 1) * sizeof(*near));
		(*n)--;
	}
	if (*n == max && (max == 0 || !nearer(&x, &near[max - 1])))
		return;
	if (*n == max)
		(*n)--;
	for (i = *n; i > 0 && nearer(&x, &near[i - 1]); i--)
		near[i] = near[i - 1];
	near[i] = x;
	(*n)++;
}
