/*
 * classify.h - what a flow is: its application and the roles it plays.
 *
 * nDPI (classify-ndpi.c, the only nDPI includer) names the application; the
 * wire recognisers (recog-*.c) and the app catalog (rules/apps.conf) name
 * roles and call apps.  Classification runs on a flow's first packets only;
 * once cls.done is set the per-packet cost is a hash lookup and counters.
 */
#ifndef CF_CLASSIFY_H
#define CF_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>
#include "util/netaddr.h"
#include "util/role.h"

struct cf_packet;
struct cf_flow;

/* Roles: a flow's set of them is a bitmask (util/role.h). */
#define CF_APP_LEN  24
#define CF_L7_LEN   16
#define CF_HOST_LEN 128
#define CF_EVID_LEN 112

/*
 * A flow's class.  Its strings are not stored in the flow (a flow entry
 * is kept small, see flow.h): app and l7 are ids into a process-wide table
 * of immortal names (catalog apps, nDPI's names in lower case, the
 * classifier's own words), host and evidence point to refcounted
 * interned strings shared by every flow that holds the same bytes.  Read
 * them with cf_class_app/l7/host/evidence, write them with the
 * cf_class_set_* setters below; the flow table drops the references when
 * the flow ends (after its end callback), through cf_class_release.
 */
struct cf_class {
	/* Read on every packet: first, so that it shares a cache line with
	   the flow table's per-packet fields (flow.h). */
	uint8_t done;               /* nothing more to learn: skip per-packet work */
	uint8_t roles;              /* CF_ROLE_* */
	uint8_t is_call;            /* app is a video-call app (per the catalog) */
	uint8_t ndpi_state;         /* 0 running, 1 decided, 2 gave up / freed,
				       3 never given to nDPI (cap reached) */
	uint8_t has_relay_peer;
	/* SDP a=crypto (SDES) seen in clear-text SIP on this flow: the SRTP
	   master keys were readable on the wire (a finding of its own). */
	uint8_t sdes_cleartext;
	/* the classifier's scratch: 1 + the index of its TLS hello
	   reassembly slot this flow holds, 0 none. */
	uint8_t reasm;
	uint16_t app_id;            /* name id of app: "zoom", "teams", "webrtc",
				       "sip", ... or nDPI's name in lower case
				       ("dns", "google"), "unknown"; 0 = "" */
	uint16_t l7_id;             /* name id of network.protocol: "tls", "dtls",
				       "rtp", "rtcp", "stun", "dns", "quic",
				       "http", "sip", "" */
	uint16_t inspected;         /* packets the recognisers have looked at */
	uint16_t relay_peer_port;
	uint32_t version;           /* bumped whenever app, roles or host change */
	uint32_t seen;              /* wire facts (CF_SEEN_* in classify-int.h;
				       classify.c's scratch, like the fields
				       at the end) */

	void *ndpi;                 /* nDPI per-flow state; NULL once freed */
	const char *host_str;       /* interned SNI or other server name, NULL
				       for none; may hold any bytes from the
				       wire (escaped on output) */
	const char *evid_str;       /* interned space-separated sources of the
				       verdict, e.g. "ndpi:Zoom tls-sni
				       catalog:zoom-mmr dtls"; NULL for none */
	/* TURN: the real peer behind the relay (the first XOR-PEER-ADDRESS
	   seen on the flow); cls.version is bumped when it is found.  The
	   engine locates and judges it too. */
	cf_addr relay_peer;

	/* What the recognisers and nDPI established so far; classify.c's own
	   scratch, read by nobody else (the verdict above is recomputed from
	   it). */
	uint32_t rtp_ssrc[2];       /* [dir]: SSRC of the last RTP/RTCP-looking
				       packet, awaiting a repeat (confirmation) */
	uint16_t rtp_seq[2];        /* [dir]: its RTP sequence number */
	uint16_t ndpi_app;          /* nDPI's verdict as its protocol ids, */
	uint16_t ndpi_master;       /* 0 unknown / none */
};

/* The name table behind app_id / l7_id (id 0 is ""): entries are written
 * once, under a lock, before their id is handed out, and never change. */
#define CF_NAMES_MAX 4096
extern const char *cf_class_names[CF_NAMES_MAX];

/*
 * Read accessors for a class's strings: code outside classify*.c and
 * recog-*.c reads them only through these (the storage behind them is the
 * classifier's business).  The result is at most CF_*_LEN bytes and may
 * hold any bytes from the wire (escape on output).
 */
static inline const char *cf_class_app(const struct cf_class *c) { return cf_class_names[c->app_id]; }
static inline const char *cf_class_l7(const struct cf_class *c) { return cf_class_names[c->l7_id]; }
static inline const char *cf_class_host(const struct cf_class *c) { return c->host_str ? c->host_str : ""; }
static inline const char *cf_class_evidence(const struct cf_class *c) { return c->evid_str ? c->evid_str : ""; }

/*
 * Setters.  app and l7 are cut at CF_APP_LEN - 1 / CF_L7_LEN - 1 bytes
 * and enter the name table for good (a name table that is full - more
 * than CF_NAMES_MAX distinct names in the process's life - gives
 * "unknown").  host and evidence take at most len bytes of s (stopping
 * at a NUL), cut at CF_HOST_LEN / CF_EVID_LEN; len 0 or "" clears.  They
 * drop the reference to the string they replace.  Return 0, or -1 when
 * out of memory (the string is then cleared).  Per flow, never per
 * packet: they take a process-wide lock.
 */
void cf_class_set_app(struct cf_class *c, const char *app);
void cf_class_set_l7(struct cf_class *c, const char *l7);
int cf_class_set_host(struct cf_class *c, const char *s, size_t len);
int cf_class_set_evidence(struct cf_class *c, const char *s, size_t len);
/* Drop host and evidence (the flow ends or its entry is reused). */
void cf_class_release(struct cf_class *c);

/*
 * The intern table of host and evidence strings, process-wide (every
 * worker's classifier and flow table share it; a mutex guards it).  An
 * entry lives while a flow holds it, so it holds at most two entries per
 * live flow: a flood of distinct server names is bounded by --max-flows
 * times the flow tables, like the flows themselves.
 */
struct cf_intern_stats {
	uint64_t entries;           /* distinct strings held now */
	uint64_t peak;              /* most at once */
	uint64_t refs;              /* references held now */
	uint64_t bytes;             /* memory of the entries and the index */
	uint64_t alloc_fail;
	uint64_t names;             /* entries of the name table (app, l7) */
};
void cf_intern_get_stats(struct cf_intern_stats *st);

/*
 * A flow is done (cls.done) at the latest after this many packets went
 * through cf_classify_packet: no payload of a later packet is ever read
 * (--threads relies on it to hand later packets over without payload).
 */
#define CF_CLASSIFY_MAX_INSPECT 64

struct cf_classifier;

struct cf_classify_stats {
	uint64_t ndpi_flows;        /* flows given to nDPI */
	uint64_t ndpi_decided;      /* nDPI gave a verdict */
	uint64_t ndpi_gaveup;       /* nDPI gave up / flow ended undecided */
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

/* Is this application name a call app the catalog knows ("zoom", ...)? */
int cf_classify_is_call_app(const struct cf_classifier *c, const char *app);

void cf_classify_get_stats(const struct cf_classifier *c,
			   struct cf_classify_stats *st);

#endif /* CF_CLASSIFY_H */
