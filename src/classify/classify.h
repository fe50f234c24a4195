/*
 * classify.h - what a flow is: its application and the roles it plays.
 *
 * nDPI (classify-ndpi.c, the only nDPI includer) names the application; the
 * wire recognisers (recog-*.c) and the app catalog (rules/apps.conf) name
 * roles and call apps.  Classification reads a flow's first packets, then
 * (for flows that may still show media) a sample of the later ones; once
 * cls.done is CF_DONE_FINAL the per-packet cost is a hash lookup and
 * counters.
 */
#ifndef CF_CLASSIFY_H
#define CF_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>
#include "util/class.h"
#include "util/netaddr.h"
#include "util/role.h"

struct cf_packet;
struct cf_flow;

/* The class type, its string limits and setters, the name and intern
 * tables: util/class.h.  Roles: a flow's set of them is a bitmask
 * (util/role.h). */

/*
 * A flow's first packets are all read: its first look ends (cls.done set)
 * after CF_CLASSIFY_MAX_INSPECT packets went through cf_classify_packet -
 * or, while it is call traffic with no media found yet (a relay whose
 * media starts after its own exchange, a call flow that starts with
 * something else), after CF_CLASSIFY_MAX_OPEN.  Then cls.done says what
 * follows:
 *   CF_DONE_FINAL   nothing more to learn: no payload of a later packet
 *                   is ever read (--threads relies on it to hand later
 *                   packets over without payload, or only count them);
 *   CF_DONE_SAMPLE  a flow that may still show media (UDP that is call
 *                   traffic, unknown, or QUIC; TCP framed as STUN/RFC
 *                   4571; no media yet): its packets inside the sample
 *                   windows (cf_classify_sample_time: the first
 *                   CF_SAMPLE_WINDOW_US of every CF_SAMPLE_EVERY_US of
 *                   packet time) are read again - the recognisers only,
 *                   nDPI is done - until the flow has media (then
 *                   CF_DONE_FINAL) or ends.  The windows are a function
 *                   of the packet's time alone, so one thread and N read
 *                   the same packets: the runner hands those packets over
 *                   whole, the engine reads no others.
 * docs/classification.md says what this costs.
 */
#define CF_CLASSIFY_MAX_INSPECT 64
#define CF_CLASSIFY_MAX_OPEN 512
#define CF_DONE_OPEN   0
#define CF_DONE_FINAL  1
#define CF_DONE_SAMPLE 2
#define CF_SAMPLE_EVERY_US  1000000u
#define CF_SAMPLE_WINDOW_US 200000u

/* Is a packet of time ts_us inside a sample window? */
static inline int cf_classify_sample_time(uint64_t ts_us)
{
	return ts_us % CF_SAMPLE_EVERY_US < CF_SAMPLE_WINDOW_US;
}

struct cf_classifier;

struct cf_classify_stats {
	uint64_t ndpi_flows;        /* flows given to nDPI */
	uint64_t ndpi_decided;      /* nDPI gave a verdict */
	uint64_t ndpi_gaveup;       /* nDPI gave up / flow ended undecided */
	uint64_t ndpi_let_go;       /* nDPI let go early: callfence's own facts
				       decided all it could change */
	uint64_t ndpi_packets;      /* packets given to nDPI */
	uint64_t ndpi_alloc_fail;
	uint64_t ndpi_live;         /* flows holding nDPI state now */
	uint64_t ndpi_live_peak;    /* most at once */
	uint64_t ndpi_state_bytes;  /* bytes of one nDPI flow state */
	uint64_t ndpi_skipped;      /* flows not given to nDPI: the cap of flows
				       holding nDPI state was reached */
	/* DNS snooping (cf_classify_dns) and its name cache */
	uint64_t dns_responses;     /* responses parsed */
	uint64_t dns_bad;           /* from port 53 but not a parsable response */
	uint64_t dns_answers;       /* A/AAAA answers stored in the cache */
	uint64_t dns_hits;          /* flows named from the cache */
	uint64_t dns_misses;        /* flows whose address the cache did not know */
	uint64_t dns_evictions;     /* live cache entries pushed out (cache full) */
	uint32_t dns_capacity;      /* cache entries */
	/* TLS ClientHello reassembly */
	uint64_t tls_reasm_started; /* hellos cut by a segment end, reassembled */
	uint64_t tls_reasm_done;    /* ... that then parsed (SNI or whole hello) */
	uint64_t tls_reasm_dropped; /* ... given up: not a hello after all, slot
				       taken over, flow ended or done first */
	/* SIP SDP media endpoints remembered (c=/m= lines) */
	uint64_t sdp_media;
	/* call links (classify-call.c) pushed out of a full table */
	uint64_t call_links_evicted;
};

/*
 * Load the app catalog (path may be NULL: built-in defaults are none, so
 * only nDPI and recognisers speak) and set up nDPI.  On error returns NULL
 * and writes "file:line: message" or the nDPI problem to err.
 */
struct cf_classifier *cf_classifier_new(const char *catalog_path, char *err,
					size_t errlen);
void cf_classifier_free(struct cf_classifier *c);

/*
 * Look at one packet of flow f (dir 0: from the flow's initiator, 1: towards
 * it) while f->cls.done is 0.  Returns 1 when app, roles, host or the
 * relay peer changed (cls.version was bumped), else 0.
 */
int cf_classify_packet(struct cf_classifier *c, struct cf_flow *f,
		       const struct cf_packet *pkt, int dir);

/*
 * The flow ends: let nDPI give its best guess (ndpi_detection_giveup),
 * free nDPI's state.  Returns 1 when the class changed.
 */
int cf_classify_finish(struct cf_classifier *c, struct cf_flow *f);

/*
 * Feed one decoded packet that may carry a DNS response: UDP from port 53,
 * or TCP from port 53 holding one whole length-prefixed message (mDNS,
 * port 5353, is not read).  Its A/AAAA answers go into the classifier's
 * name cache, keyed by address, valid for their TTL in packet time
 * (pkt->ts_us).  A flow whose first packet comes after the answer is
 * named after it: cls.host (when there is no better host: TLS SNI or
 * nDPI's host of a TLS/HTTP/QUIC flow), the app of a catalog host line
 * matching it, evidence "dns-name".  Call it for every packet, cls.done
 * or not, before cf_classify_packet.  Returns the answers stored.
 */
int cf_classify_dns(struct cf_classifier *c, const struct cf_packet *pkt);

/*
 * Facts a packet carries about other flows: the DNS answers above and the
 * media endpoints a SIP message's SDP announces (so that the RTP flows
 * that follow are known as announced).  cf_classify_shared learns both;
 * call it for every packet, cf_classify_packet's flow done or not, before
 * cf_classify_packet.  Returns the DNS answers stored.
 * cf_classify_is_shared says, from the packet alone, whether it may carry
 * such facts: --threads hands those packets to every worker.
 */
int cf_classify_shared(struct cf_classifier *c, const struct cf_packet *pkt);
int cf_classify_is_shared(const struct cf_packet *pkt);
/*
 * The packet given to cf_classify_shared is done with (its flow
 * classified, or not to be): cf_classify_packet on that same packet
 * reuses the SIP message cf_classify_shared parsed, and nothing after
 * this call may.  Call it once per cf_classify_shared.
 */
void cf_classify_shared_done(struct cf_classifier *c);

/*
 * Replace the name cache by an empty one of n entries (0: the default,
 * 65536).  -1 with a message in err when out of memory (the old cache
 * stays).
 */
int cf_classify_set_dns_capacity(struct cf_classifier *c, size_t n,
				 char *err, size_t errlen);

/*
 * At most n flows hold nDPI state at once (0: the default,
 * CF_NDPI_LIVE_DEFAULT); beyond it new flows are classified by the
 * recognisers and the catalog alone (counted in ndpi_skipped).
 */
#define CF_NDPI_LIVE_DEFAULT 131072
void cf_classify_set_ndpi_cap(struct cf_classifier *c, uint64_t n);

/*
 * The AS number of an address, for the catalog's asn lines
 * (catalog-asn.c): the classifier is below the geography and asks the
 * engine, which answers 0 for an address of our own or of unknown AS.
 * Without it (the default) asn lines never match.
 */
typedef uint32_t (*cf_classify_asn_fn)(void *ctx, const cf_addr *a);
void cf_classify_set_asn(struct cf_classifier *c, cf_classify_asn_fn fn, void *ctx);

/*
 * How a flow's call (cls.call_key, classify-call.c) was found, strongest
 * first: its own ICE checks (STUN USERNAME "RFRAG:LFRAG", RFC 8445
 * section 7.2.2), its own SIP Call-ID, its own H.245 channel (one per
 * H.323 call), an SDP announcement of one of its ends by a SIP message
 * with that Call-ID, an H.245 OpenLogicalChannelAck of that channel
 * announcing one of its ends, one of its ends being a UDP
 * socket that sent the call's ICE checks (host, server-reflexive and
 * relayed candidates share it), its far end being a peer a TURN
 * allocation of the call was given permission to (from the same client
 * address), an RTP flow and its RTCP flow (RFC 3550 section 11: RTCP on
 * the port above RTP's, at both ends), and - the weakest, a guess - the
 * same local host talking to the same call app within the same ten
 * minutes (cf_classify_call_weak).
 */
enum cf_call_by {
	CF_CALL_BY_NONE = 0,
	CF_CALL_BY_ICE,
	CF_CALL_BY_SIP,
	CF_CALL_BY_H245,
	CF_CALL_BY_SDP,
	CF_CALL_BY_ANNOUNCED,
	CF_CALL_BY_SOCKET,
	CF_CALL_BY_TURN_PEER,
	CF_CALL_BY_RTP_PAIR,
	CF_CALL_BY_STUN_SOCKET,
	CF_CALL_BY_DNS,                 /* the time link, the app from a name resolved before */
	CF_CALL_BY_SERVER,              /* calls only: two of its flows share a server */
	CF_CALL_BY_TIME
};
#define CF_CALL_WEAK_US (600ull * 1000000ull)
/* The word for an enum cf_call_by ("ice-username", ...; "" for none). */
const char *cf_call_by_name(unsigned by);
/* A STUN/TURN server's port (3478, 3479, 5349, the web ports, Google's
 * 19302-19309): the end of a relay flow that is not the client's, never
 * an app's own socket. */
int cf_call_server_port(uint16_t port);
/*
 * A flow with no call from the wire, of a call app (not a generic
 * protocol such as webrtc, sip or rtp): the weak link, keyed by its local
 * address (f->ip[local]), its app and the ten minutes its first packet
 * falls in.  Nothing when it has a call already.
 */
void cf_classify_call_weak(struct cf_flow *f, int local);
/* Is app a generic call protocol rather than an app ("webrtc", "sip",
 * "rtp", ... "unknown")?  The call table ranks apps with it. */
int cf_call_app_generic(const char *app);

/* Is this application name a call app the catalog knows ("zoom", ...)? */
int cf_classify_is_call_app(const struct cf_classifier *c, const char *app);

/*
 * Every name a flow's app can take from the catalog or from the
 * classifier's own recognisers ("zoom", "webrtc", "rtp", "unknown", ...;
 * not nDPI's names of other protocols), each once, catalog first in file
 * order, in a malloc'd array the caller frees (the names are the
 * catalog's and the name table's), *n of them.  NULL when out of memory.
 * For --check-rules' linter.
 */
const char **cf_classify_app_names(const struct cf_classifier *c, size_t *n);

void cf_classify_get_stats(const struct cf_classifier *c,
			   struct cf_classify_stats *st);

/* nDPI's version (ndpi_revision), for -V and the report. */
const char *cf_classify_ndpi_version(void);

#endif /* CF_CLASSIFY_H */
