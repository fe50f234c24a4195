/*
 * classify-int.h - what classify.c, classify-wire.c, classify-sdp.c and
 * classify-dns.c share: the classifier, the wire facts (cls.seen bits) and
 * the tables the classifier keeps across flows.  Not for other modules.
 * The name ids it uses itself (CF_NID_*) are util/names.h's.
 */
#ifndef CF_CLASSIFY_INT_H
#define CF_CLASSIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "classify/catalog.h"
#include "classify/classify.h"
#include "util/netaddr.h"
#include "classify/recog/recog.h"

struct cf_flow;
struct cf_catalog;
struct cf_ndpi;
struct cf_dns_cache;

/* cls.seen bits */
#define CF_SEEN_TLS_HELLO   0x00000001u  /* a ClientHello or ServerHello */
#define CF_SEEN_TLS_SNI     0x00000002u  /* cls.host came from the SNI */
#define CF_SEEN_DTLS        0x00000004u  /* DTLS records */
#define CF_SEEN_DTLS_HS     0x00000008u  /* DTLS handshake / CCS records */
#define CF_SEEN_STUN        0x00000010u  /* STUN Binding */
#define CF_SEEN_TURN        0x00000020u  /* TURN method or ChannelData */
#define CF_SEEN_RTP_CAND0   0x00000040u  /* rtp_ssrc[0] holds a candidate */
#define CF_SEEN_RTP_CAND1   0x00000080u  /* rtp_ssrc[1] holds a candidate */
#define CF_SEEN_RTP         0x00000100u  /* RTP confirmed (SSRC repeated) */
#define CF_SEEN_RTCP        0x00000200u  /* RTCP confirmed */
#define CF_SEEN_ZOOM_CAND   0x00000400u  /* one Zoom media packet */
#define CF_SEEN_ZOOM        0x00000800u  /* two or more: confirmed */
#define CF_SEEN_ZOOM_AUDIO  0x00001000u
#define CF_SEEN_ZOOM_VIDEO  0x00002000u
#define CF_SEEN_ZOOM_SCREEN 0x00004000u
#define CF_SEEN_ZOOM_RTCP   0x00008000u
#define CF_SEEN_ZRTP        0x00010000u
#define CF_SEEN_SIP         0x00020000u
#define CF_SEEN_SDP_CRYPTO  0x00040000u  /* SDES keys in clear SIP */
#define CF_SEEN_NDPI_HOST   0x00080000u  /* cls.host came from nDPI */
#define CF_SEEN_QUIC        0x00100000u  /* QUIC long header, known version */
#define CF_SEEN_DNS_HOST    0x00200000u  /* cls.host came from a DNS answer */
#define CF_SEEN_SDP_MEDIA   0x00400000u  /* RTP/RTCP to an end a SIP SDP announced */
#define CF_SEEN_DTLS_SRTP   0x00800000u  /* a DTLS hello offered or chose use_srtp */
#define CF_SEEN_CERT_HOST   0x01000000u  /* cls.host came from the server's certificate */
#define CF_SEEN_CERT        0x02000000u  /* the certificate's names were read */
/* TCP streams framed as STUN/TURN (RFC 8656 s.7: messages back to back)
 * or per RFC 4571 (ICE-TCP, RTP/DTLS over TCP: a 16-bit length each) */
#define CF_SEEN_FRAMED_STUN 0x40000000u
#define CF_SEEN_FRAMED_4571 0x80000000u
#define SEEN_FRAMED (CF_SEEN_FRAMED_STUN | CF_SEEN_FRAMED_4571)

/* cls.wire, low nibble: the signalling of the flow's own payloads */
enum {
	CF_WIRE_NONE = 0,
	CF_WIRE_H225,           /* H.225.0 call signalling (Q.931 in TPKT) */
	CF_WIRE_H245,           /* H.245 in TPKT (an OpenLogicalChannelAck read) */
	CF_WIRE_RAS,            /* H.225.0 RAS on UDP 1718/1719 */
	CF_WIRE_SCCP,           /* Cisco Skinny on TCP 2000 */
	CF_WIRE_MGCP,           /* MGCP on UDP 2427/2727 */
	CF_WIRE_IAX2,           /* IAX2 on UDP 4569: signalling */
	CF_WIRE_IAX2_MEDIA,     /* IAX2 voice/video frames seen too */
	/* classify-apps.c */
	CF_WIRE_TG_RELAY,       /* a Telegram reflector's own message */
	CF_WIRE_TG_MEDIA,       /* ... and media by its pace */
	CF_WIRE_AGORA,          /* an Agora SD-RTN join */
	CF_WIRE_AGORA_MEDIA,    /* ... and media by its pace */
	CF_WIRE_DISCORD,        /* Discord voice's IP discovery / keep-alive */
	CF_WIRE_PACED,          /* a call app's flow: media by its pace */
	CF_WIRE_BFCP,           /* BFCP, twice for one conference */
	CF_WIRE_SIPS            /* TLS on TCP 5061: SIP over TLS */
};
#define CF_WIRE_OWN(w)       ((w) & 0x0f)
/* Set the low nibble (the flow's own signalling), keeping the high one. */
static inline void cf_wire_set_own(struct cf_class *cls, unsigned own)
{
	cls->wire = (uint8_t)((cls->wire & 0xf0) | (own & 0x0f));
}
/* cls.wire, high nibble: who announced the flow's end as a media end */
enum {
	CF_ANN_NONE = 0,
	CF_ANN_SIP,             /* SIP's SDP */
	CF_ANN_H323,            /* H.245 OpenLogicalChannelAck */
	CF_ANN_SCCP,            /* Skinny OpenReceiveChannelAck / StartMediaTransmission */
	CF_ANN_MGCP             /* MGCP's SDP */
};
#define CF_WIRE_ANN(w)       ((w) >> 4)

/* RTP: packets of another SSRC since the candidate of direction d was
 * noted, 0-3 (two bits at CF_SEEN_RTP_MISS_SHIFT + 2d): scratch */
#define CF_SEEN_RTP_MISS_SHIFT 26
#define CF_SEEN_RTP_MISS_MASK  (0xfu << CF_SEEN_RTP_MISS_SHIFT)

#define SEEN_ZOOM_KINDS (CF_SEEN_ZOOM_AUDIO | CF_SEEN_ZOOM_VIDEO | \
			 CF_SEEN_ZOOM_SCREEN | CF_SEEN_ZOOM_RTCP)
/* Call traffic on the wire: what lets a catalog port line speak. */
#define SEEN_CALL (CF_SEEN_DTLS_HS | CF_SEEN_STUN | CF_SEEN_TURN | \
		   CF_SEEN_RTP | CF_SEEN_RTCP | CF_SEEN_ZOOM | CF_SEEN_ZRTP | \
		   CF_SEEN_SIP)

/* What the classifier keeps per nDPI protocol id (filled on first use):
 * the verdict needs these for every flow, and nDPI's names are strings. */
#define CF_NDPI_INFO_IDS 1024
#define NI_FILLED   0x01
#define NI_NAMESVC  0x02   /* a name service: its host is a query */
#define NI_WEB      0x04   /* TLS/HTTP/QUIC...: its host is the server */
#define NI_CATALOG  0x08   /* a catalog ndpi line names it (m) */
#define NI_NAMED    0x10   /* nDPI has a name for it */

struct cf_ndpi_info {
	struct cf_cat_match m;  /* the catalog ndpi line, with NI_CATALOG */
	uint16_t app_nid;       /* the name in lower case, cut as an app */
	uint16_t l7_nid;        /* ... cut as an l7 */
	uint8_t flags;
};

/* TLS ClientHello reassembly (the first bytes of a client's stream) and
 * DTLS Certificate reassembly (the first bytes of the server's
 * Certificate message, fragments in order): slots lent to a flow while
 * what it reassembles is incomplete. */
#define CF_REASM_SLOTS 16
#define CF_REASM_MAX 4096

/* What a slot holds: a TLS ClientHello's first bytes, a DTLS
 * Certificate's, or (TCP framed per RFC 4571 / TURN over TCP) a message
 * cut by the end of a segment, whose rest the next segment brings. */
enum { CF_REASM_HELLO = 0, CF_REASM_CERT, CF_REASM_FRAME };

struct cf_reasm_slot {
	const struct cf_flow *owner;    /* NULL: free */
	uint64_t owner_seq;             /* owner's creation number and */
	uint64_t owner_first_us;        /* first packet: a reused flow is not it */
	uint64_t used_us;               /* last segment (packet time) */
	uint16_t len;
	uint16_t last_len;              /* the last segment appended */
	uint8_t dir;                    /* the direction being reassembled */
	uint8_t kind;                   /* CF_REASM_HELLO / _CERT / _FRAME */
	uint8_t buf[CF_REASM_MAX];
};

/* Media endpoints SIP's SDP announced (c= address, m= port). */
#define CF_SDP_TABLE 256
#define CF_SDP_KEEP_US (3600ull * 1000000ull)   /* an announcement's life */

struct cf_sdp_entry {
	cf_addr addr;
	uint16_t port;
	uint16_t next;                  /* chain of its port's bucket: entry + 1 */
	uint8_t kind;                   /* CF_ANN_*: who announced it */
	uint64_t seen_us;               /* 0: unused */
	uint64_t call;                  /* the call key of the message (SIP
					   Call-ID), 0 none */
};

/* announced ends are found through buckets by port (the RTP port and the
 * RTCP port above it are two probes), not by a scan per packet */
#define CF_SDP_BUCKETS 256

/* classify-call.c's tables: what links a call's flows, learnt from the
 * packets every worker sees (cf_classify_shared), in packet order. */
#define CF_CALL_SOCKS 4096              /* a power of two */
#define CF_CALL_PEERS 1024              /* a power of two */
#define CF_CALL_PROBES 8
#define CF_CALL_LINK_US (120ull * 1000000ull)  /* a link's life after its last sight */

/* A UDP socket that sent ICE connectivity checks of one call. */
struct cf_call_sock {
	cf_addr ip;
	uint16_t port;
	uint8_t shared;                 /* checks of two calls at once: no link */
	uint8_t server_only;            /* learnt from a request to a STUN/TURN
					   server only (the stun-socket link) */
	uint64_t key;
	uint64_t seen_us;               /* 0: unused */
};

/* A peer a TURN client (its socket) was given permission to reach. */
struct cf_call_peer {
	cf_addr peer, client;
	uint16_t client_port;
	uint64_t seen_us;               /* 0: unused */
};

#define CF_HELLO_FED 1024

#define CF_HELLO_COMPACT_MAX 1024

struct cf_classifier {
	struct cf_catalog *cat;
	struct cf_ndpi *ndpi;
	struct cf_classify_stats st;
	struct cf_dns_cache *dns;
	struct cf_reasm_slot reasm[CF_REASM_SLOTS];
	struct cf_sdp_entry sdp[CF_SDP_TABLE];
	uint16_t sdp_bucket[CF_SDP_BUCKETS]; /* entry + 1, 0 empty */
	uint32_t sdp_next;              /* ring position of the next insert */
	uint64_t ndpi_cap;              /* most flows holding nDPI state */
	uint8_t hello_buf[CF_HELLO_COMPACT_MAX];  /* cf_hello_compact's */
	struct cf_ndpi_info ndpi_info[CF_NDPI_INFO_IDS];
	/* set while a packet is classified when nDPI can no longer change
	   the flow's verdict: decide() found so (classify.c ndpi_needless),
	   or the packet showed a TLS handshake past its clear part
	   (classify-wire.c tls_clear_done: nDPI, waiting for a certificate,
	   has nothing more to read) */
	uint8_t ndpi_needless;
	/* The SIP message of the packet cf_classify_shared just read (its
	   payload's address and length, the parse): the flow's own facts
	   (classify-wire.c) take it instead of parsing the SDP again.  Set
	   by cf_classify_shared, for cf_classify_packet on the same packet;
	   cleared by cf_classify_shared_done. */
	const uint8_t *sip_p;
	size_t sip_len;
	enum cf_rec sip_rec;
	struct cf_sip_info sip_si;
	uint8_t nid_call[CF_NAMES_MAX]; /* per name id: 0 not known yet,
					   1 not a call app, 2 a call app */
	uint8_t nid_hello[CF_NAMES_MAX]; /* per name id: 0 not known yet, 1 its
					    hellos may skip nDPI, 2 nDPI
					    remembers their clients
					    (classify.c hello_for_ndpi) */
	/* IPv4 clients whose hello of such an app went to nDPI, and when (a
	   second of packet time, + 1: 0 is empty); direct-mapped by address,
	   a collision only makes nDPI see more hellos (classify.c) */
	struct { uint32_t addr, sec; } hello_fed[CF_HELLO_FED];
	cf_classify_asn_fn asn_fn;      /* the engine's ASN look-up, or NULL */
	void *asn_ctx;
	struct cf_call_sock call_sock[CF_CALL_SOCKS];
	struct cf_call_peer call_peer[CF_CALL_PEERS];
	/* the latest seen_us put in each table: past it by the links' life,
	   no entry is live and a look-up is skipped (classify-call.c) */
	uint64_t call_sock_last_us, call_peer_last_us;
};

/* --- classify-wire.c: facts from the payload ------------------------- */

/* A UDP payload of f from direction dir; 1 when the relay peer was
 * found or the host changed (the other facts land in cls.seen). */
int cf_wire_udp(struct cf_classifier *c, struct cf_flow *f, const uint8_t *p,
		size_t len, int dir, uint64_t ts_us);
/* A TCP payload: TLS hello (reassembled when cut) and SIP.  1 when the
 * host changed. */
int cf_wire_tcp(struct cf_classifier *c, struct cf_flow *f, const uint8_t *p,
		size_t len, int dir, uint64_t ts_us);
/* Is a TLS hello from direction dir of f being reassembled? */
int cf_wire_hello_pending(struct cf_classifier *c, const struct cf_flow *f, int dir);
/* A ClientHello callfence named its flow by: must it still reach nDPI
 * (classify-wire.c)?  And a whole one just read that named no server: is
 * it kept from nDPI? */
int cf_hello_for_ndpi(struct cf_classifier *c, const struct cf_flow *f,
		      const struct cf_packet *pkt);
int cf_hello_nameless(struct cf_classifier *c, const struct cf_flow *f, int dir);

/* Does a TCP payload of len bytes start a TLS ClientHello (RFC 8446
 * s.5.1, 4: record type 22, version 3.x, handshake type 1)? */
static inline int cf_hello_start(const uint8_t *p, size_t len)
{
	return len >= 6 && p[0] == 22 && p[1] == 3 && p[5] == 1;
}

/* classify-hello.c: the TLS ClientHello pkt carries, whole and alone in
 * its segment, shortened for nDPI to what nDPI names a flow by (its
 * headers, version, random, server name and encrypted server name), the
 * IP and TCP headers adjusted: the packet's length from the IP header on,
 * written to out; 0 when pkt goes to nDPI as it is. */
uint32_t cf_hello_compact(const struct cf_packet *pkt, uint8_t *out, size_t cap);
/* Give back f's reassembly slot, if it holds one. */
void cf_reasm_release(struct cf_classifier *c, struct cf_flow *f, int dropped);

/* --- classify-sdp.c: media ends signalling announced ------------------- */

/* Remember the media endpoints a signalling message of kind (CF_ANN_*)
 * announced (at packet time ts_us). */
void cf_sdp_remember(struct cf_classifier *c, const struct cf_sdp_media *m,
		     size_t n, uint64_t ts_us, int kind, uint64_t call);
/* The call key of the announcement of an end of f (0 none or no key),
 * its kind (CF_ANN_*) in *kind. */
uint64_t cf_sdp_call(const struct cf_classifier *c, const struct cf_flow *f,
		     uint64_t ts_us, int *kind);
/* Was an end of f (its port, or the port below for RTCP) announced?  The
 * kind of the announcement (CF_ANN_*), 0 none. */
int cf_sdp_announced(const struct cf_classifier *c, const struct cf_flow *f,
		     uint64_t ts_us);

/* --- classify-call.c: which call a flow belongs to --------------------- */

/* Could pkt carry an ICE check or a TURN permission (shared: every worker
 * learns from it)?  Cheap: the first bytes. */
int cf_call_is_shared(const struct cf_packet *pkt);
/* Learn the links pkt shows (when cf_call_is_shared). */
void cf_call_learn(struct cf_classifier *c, const struct cf_packet *pkt);
/* A key made from a connection's two ends (either order), tagged what. */
uint64_t cf_call_pair_key(const char *what, const cf_addr *a, uint16_t pa,
			  const cf_addr *b, uint16_t pb);
/* The key of an H.245 channel whose OpenLogicalChannelAck pkt is (its
 * two ends), 0 when pkt is none. */
uint64_t cf_rooms_channel_key(const struct cf_packet *pkt);
/* The key of a SIP message's Call-ID (0 none). */
uint64_t cf_call_sip_key(const uint8_t *p, const struct cf_sip_info *si);
/* Find f's call from pkt (NULL at the flow's end) and the tables. */
void cf_call_flow(struct cf_classifier *c, struct cf_flow *f,
		  const struct cf_packet *pkt, uint64_t ts_us);

/* --- classify-apps.c: apps that hide their media; own-kind table ------ */

/* What a kind of own signalling (cls.wire low nibble) gives a flow. */
struct cf_own_kind {
	unsigned roles;             /* CF_ROLE_* */
	const char *tok, *tok2;     /* evidence tokens (tok2 may be NULL) */
	uint16_t app;               /* name id of the app it names, 0 none */
	uint16_t l7;                /* ... of network.protocol, 0: the wire's */
};
/* The kind of wire's own nibble; NULL for none. */
const struct cf_own_kind *cf_own_kind(uint8_t wire);
/* A UDP payload of a flow with no own signalling yet: a Telegram
 * reflector's message, an Agora join (its edge's name becomes the host:
 * *host_changed), Discord's voice discovery, BFCP.  1 when the payload
 * was one (nothing else needs to read it). */
int cf_apps_udp(struct cf_flow *f, const uint8_t *p, size_t len, int *host_changed);
/* A TCP payload (tls_hello: a TLS hello was just read on it): SIP over
 * TLS on 5061, BFCP.  1 when it was one. */
int cf_apps_tcp(struct cf_flow *f, const uint8_t *p, size_t len, int tls_hello);
/* A call app's UDP flow at a media pace: 1 when that is new. */
int cf_apps_pace(struct cf_flow *f);

/* --- classify-rooms.c: the room systems' signalling --------------------- */

/* Could pkt announce media ends (H.245 in TPKT, Skinny, MGCP)?  Cheap:
 * ports and the first bytes. */
int cf_rooms_is_shared(const struct cf_packet *pkt);
/* Remember the media ends pkt announces (when cf_rooms_is_shared). */
void cf_rooms_shared(struct cf_classifier *c, const struct cf_packet *pkt);
/* The flow's own signalling in a UDP datagram (RAS, MGCP, IAX2); 1 when it
 * was one of those. */
int cf_rooms_udp(struct cf_flow *f, const uint8_t *p, size_t len, int dir);
/* ... in a TCP segment (H.225.0, H.245, Skinny); 1 when it was. */
int cf_rooms_tcp(struct cf_flow *f, const uint8_t *p, size_t len);

/* --- catalog-asn.c: the catalog's asn lines for a flow ----------------- */

/* The first asn line naming the AS of f's responder, else of its
 * initiator; only for TCP/UDP that shows call traffic (SEEN_CALL or its
 * own signalling).  1 and *m filled on a match. */
int cf_classify_match_asn(struct cf_classifier *c, const struct cf_flow *f,
			  struct cf_cat_match *m);

/* --- classify-dns.c: names DNS answered ------------------------------- */

/* Name a new flow from the DNS cache; 1 when cls.host was set. */
int cf_dns_name_flow(struct cf_classifier *c, struct cf_flow *f, uint64_t ts_us);

/* A verdict being built. */
struct verdict {
	uint16_t app, l7;           /* name ids */
	uint8_t clue;               /* CF_CLUE_*: what named app */
	unsigned roles;
	size_t evlen;
	char evidence[CF_EVID_LEN];
};

/* classify-roles.c: append an evidence token ("a:b" when b is not NULL)
 * unless present or full; the roles and tokens of the flow's own
 * signalling (cls.wire), of its recognised payloads (seen; call_app: a
 * call app's catalog line decided the app), of a catalog line naming
 * the flow's app (only those in mask), and what a port line may speak
 * for. */
void cf_evid(struct verdict *v, const char *a, const char *b);
void cf_own_roles(uint8_t wire, struct verdict *v);
void cf_wire_roles(uint32_t seen, int call_app, struct verdict *v);
struct cf_cat_match;
void cf_line_roles(struct verdict *v, int matched, const struct cf_cat_match *m,
		   unsigned mask);
unsigned cf_port_line_mask(uint32_t seen);
/* What keyed a DTLS handshake (a token), NULL: nothing on the wire did. */
const char *cf_dtls_call_evidence(uint32_t seen, int call_app);

#endif /* CF_CLASSIFY_INT_H */
