/*
 * class.h - what a flow is, as a type: struct cf_class, the part of a flow
 * entry (flow/flow.h) that the classifier (classify/) fills and everything
 * after it reads.  The type and its string vocabulary live at the bottom so
 * that the flow table can hold and release a class without knowing the
 * classifier: the names behind app and l7 are the name table (names.h),
 * host and evidence are interned strings (intern.h); the setters and
 * cf_class_release are class.c.
 */
#ifndef CF_CLASS_H
#define CF_CLASS_H

#include <stddef.h>
#include <stdint.h>
#include "util/intern.h"
#include "util/names.h"
#include "util/netaddr.h"

/* String limits of a class, in bytes. */
#define CF_APP_LEN  24
#define CF_L7_LEN   16
#define CF_HOST_LEN 128
#define CF_EVID_LEN 112
#define CF_CERT_LEN 400         /* CN and SANs, '\n' between */

/*
 * A flow's class.  Its strings are not stored in the flow (a flow
 * entry is kept small, see flow/flow.h): app and l7 are ids into a
 * process-wide table of immortal names (catalog apps, nDPI's names in lower case, the
 * classifier's own words), host and evidence point to refcounted
 * interned strings shared by every flow that holds the same bytes.  Read
 * them with cf_class_app/l7/host/evidence, write them with the
 * cf_class_set_* setters below; the flow table drops the references when
 * the flow ends (after its end callback), through cf_class_release.
 */
struct cf_class {
	/* Read on every packet: first, so that it shares a cache line with
	   the flow table's per-packet fields (flow.h). */
	uint8_t done;               /* 0 first look; 1 nothing more to learn: skip
				       per-packet work; 2 sampled (classify.h) */
	uint8_t roles;              /* CF_ROLE_* (util/role.h) */
	uint8_t is_call;            /* app is a video-call app (per the catalog) */
	uint8_t ndpi_state;         /* 0 running, 1 decided, 2 gave up / freed,
				       3 never given to nDPI (cap reached),
				       4 let go (classify.c ndpi_let_go) */
	uint8_t has_relay_peer : 1;
	/* SDP a=crypto (SDES) seen in clear-text SIP on this flow: the SRTP
	   master keys were readable on the wire (a finding of its own). */
	uint8_t sdes_cleartext : 1;
	uint8_t call_by : 4;        /* how call_key was found: CF_CALL_BY_*
				       (classify.h), 0 none */
	uint8_t app_clue : 2;       /* what named app: CF_CLUE_* below */
	/* the classifier's scratch: 1 + the index of its TLS hello
	   reassembly slot this flow holds, 0 none. */
	uint8_t reasm;
	/* the classifier's scratch: the call-signalling protocol of the
	   flow's own payloads (low nibble) and the kind of signalling that
	   announced the flow's end as a media end (high nibble); classify-int.h */
	uint8_t wire;
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
	const char *cert_str;       /* interned names of the server's certificate
				       (DTLS, in the clear): the subject CN
				       ("" if none), then '\n' and each
				       subjectAltName dNSName; NULL for none */
	/* TURN: the real peer behind the relay (the first XOR-PEER-ADDRESS
	   seen on the flow); cls.version is bumped when it is found.  The
	   engine locates and judges it too. */
	cf_addr relay_peer;
	/* The call the flow belongs to (classify-call.c): a key made from
	   what links its flows on the wire (ICE usernames, SIP Call-ID, ...),
	   the same in every worker; 0 none yet.  callfence.call.id. */
	uint64_t call_key;

	/* What the recognisers and nDPI established so far; classify.c's own
	   scratch, read by nobody else (the verdict above is recomputed from
	   it). */
	uint32_t rtp_ssrc[2];       /* [dir]: SSRC of the last RTP/RTCP-looking
				       packet, awaiting a repeat (confirmation) */
	uint16_t rtp_seq[2];        /* [dir]: its RTP sequence number */
	uint16_t ndpi_app;          /* nDPI's verdict as its protocol ids, */
	uint16_t ndpi_master;       /* 0 unknown / none */
};

/*
 * What named a flow's app (cls.app_clue), weakest first
 * (docs/classification.md, "Precedence"): a call ranks its flows' apps by
 * it, and a flow named only by a weaker clue than its call's app takes
 * the call's app (src/engine/calls.c).
 */
enum cf_app_clue {
	CF_CLUE_NONE = 0,       /* a generic protocol, nDPI's own name, unknown */
	CF_CLUE_GUESS,          /* a catalog ndpi or port line: nDPI's guess, a port */
	CF_CLUE_OPERATOR,       /* a catalog net or asn line: who runs the server */
	CF_CLUE_NAME            /* a catalog host line (SNI, DNS name, certificate),
				   or the app's own wire format (Zoom's media
				   encapsulation, Telegram's reflector, ...) */
};

/*
 * Read accessors for a class's strings: code outside the classifier
 * reads them only through these (the storage behind them is names.c's
 * and intern.c's business).  The result is at most CF_*_LEN bytes and may
 * hold any bytes from the wire (escape on output).
 */
static inline const char *cf_class_app(const struct cf_class *c) { return cf_class_names[c->app_id]; }
static inline const char *cf_class_l7(const struct cf_class *c) { return cf_class_names[c->l7_id]; }
static inline const char *cf_class_host(const struct cf_class *c) { return c->host_str ? c->host_str : ""; }
static inline const char *cf_class_evidence(const struct cf_class *c) { return c->evid_str ? c->evid_str : ""; }
static inline const char *cf_class_cert(const struct cf_class *c) { return c->cert_str ? c->cert_str : ""; }

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
int cf_class_set_cert(struct cf_class *c, const char *s, size_t len);
/* Drop host and evidence (the flow ends or its entry is reused). */
void cf_class_release(struct cf_class *c);

#endif /* CF_CLASS_H */
