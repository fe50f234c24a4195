/*
 * cfgen.h - shared types of cfgen, the capture generator of the tests.
 *
 * cfgen.c        command line, time merge
 * cfgen-scn.c    scenario parser
 * cfgen-bench.c  the --bench traffic mix
 * cfgen-wire.c   byte buffers, PRNG, link/IP/UDP/TCP framing, pcap/pcapng
 * cfgen-tls.c    TLS and DTLS handshakes
 * cfgen-media.c  RTP/SRTP, RTCP, Zoom, STUN/TURN, DNS, DHCP, plain UDP/TCP
 * cfgen-rooms.c  H.225.0/RAS, Skinny, MGCP, IAX2, BFCP, ICE-TCP, TURN-TCP
 *
 * A scenario line becomes a struct cf_spec; a builder turns the spec into
 * the flow's packets (struct gflow: transport payloads with times and
 * directions); the merge in cfgen.c interleaves all flows by time and the
 * writer frames each packet (link, VLAN, IP, UDP/TCP with checksums).
 */
#ifndef CFGEN_H
#define CFGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- growable byte buffer (cfgen-wire.c) ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

void buf_reserve(struct buf *b, size_t extra);
void buf_free(struct buf *b);
void buf_u8(struct buf *b, unsigned v);
void buf_be16(struct buf *b, unsigned v);
void buf_be24(struct buf *b, uint32_t v);
void buf_be32(struct buf *b, uint32_t v);
void buf_be48(struct buf *b, uint64_t v);
void buf_le16(struct buf *b, unsigned v);
void buf_le32(struct buf *b, uint32_t v);
void buf_bytes(struct buf *b, const void *src, size_t n);
void buf_zero(struct buf *b, size_t n);
void buf_str(struct buf *b, const char *s);
/* Overwrite a big-endian field written earlier at offset off. */
void buf_put_be16(struct buf *b, size_t off, unsigned v);
void buf_put_be24(struct buf *b, size_t off, uint32_t v);

/* ---- deterministic PRNG: xorshift64* seeded through splitmix64 ---- */

struct prng {
	uint64_t s;
};

void prng_seed(struct prng *r, uint64_t seed, uint64_t stream);
uint64_t prng_next(struct prng *r);
uint32_t prng_range(struct prng *r, uint32_t n);   /* 0 .. n-1 */
void buf_rand(struct buf *b, struct prng *r, size_t n);

/* ---- addresses ---- */

struct endpoint {
	int v6;                 /* 0: IPv4 in ip[0..3], 1: IPv6 in ip[0..15] */
	uint8_t ip[16];
	uint16_t port;
};

/*
 * Parse "A.B.C.D:PORT" or "[V6]:PORT".  When want_port is 0 the port may
 * be left out, and a bare IPv6 address is accepted too.  0 or -1.
 */
int parse_endpoint(const char *s, struct endpoint *e, int want_port);

/* ---- flow specification: one scenario line ---- */

enum kind {
	K_TLS, K_DTLS, K_RTP, K_SRTP, K_RTCP, K_ZOOM, K_ZOOM_P2P, K_STUN,
	K_TURN, K_DNS, K_DHCP, K_UDP, K_TCP,
	K_H225, K_H245, K_RAS, K_SCCP, K_MGCP, K_IAX2, K_BFCP, K_ICE_TCP, K_TURN_TCP
};

enum zkind { Z_VIDEO = 16, Z_AUDIO = 15, Z_SCREEN = 13, Z_RTCP = 33 };

enum tcp_close { CLOSE_FIN, CLOSE_RST, CLOSE_NONE };

struct cf_spec {
	int line;               /* scenario line (orders ties, seeds the PRNG) */
	enum kind kind;
	uint64_t start_us;      /* first packet, absolute */
	struct endpoint src, dst;
	int nvlan;
	uint16_t vlan[2];       /* [0] outer, [1] inner */

	long packets;           /* meaning per kind; -1 = kind's default */
	long size;              /* payload bytes; -1 = kind's default */
	double interval;        /* seconds between packets; < 0 = default */
	double rtt;             /* seconds, for handshakes */
	int both;               /* the other side sends too */
	int oneway;             /* no answer at all (mDNS, broadcasts) */
	enum tcp_close close;

	char *sni;              /* tls */
	char *alpn;             /* tls: comma list, "" none; NULL default */
	int tls13;              /* tls: 1 (default) TLS 1.3, 0 TLS 1.2 */
	int pt;                 /* rtp: payload type */
	uint32_t ssrc;
	uint32_t clock;         /* rtp timestamp rate; 0 = from pt */
	enum zkind zkind;
	long media;             /* dtls: SRTP packets after the handshake */
	int srtp;               /* dtls: the hellos carry use_srtp (default 1) */
	char *cert;             /* dtls: the server sends a certificate naming it */
	long certpad;           /* dtls: bytes of padding before the SAN (to fragment) */
	char *query;            /* dns */
	char *cname;
	struct endpoint answer[8];
	int nanswer;
	struct endpoint mapped; /* stun: XOR-MAPPED-ADDRESS; port 0 = src */
	char *user;             /* stun: USERNAME of the request (an ICE check) */
	struct endpoint peer;   /* turn: XOR-PEER-ADDRESS */
	int channel;            /* turn: ChannelData instead of Send/Data */
	struct endpoint rtp;    /* sccp, mgcp, h245: the media endpoint announced
				   (port 0 = the kind's default) */
	int legacy;             /* sccp: header version 0 (4-byte addresses) */
	int udp;                /* bfcp: over UDP (version 2) */
	struct buf payload;     /* udp/tcp */
	struct buf reply;
};

/* A spec with every option at its kind's default (line seeds the SSRC). */
void spec_defaults(struct cf_spec *s, int line);
void spec_free(struct cf_spec *s);

/* ---- a flow's packets, before framing ---- */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

struct gpkt {
	uint64_t ts_us;
	uint32_t seq, ack;      /* TCP */
	uint8_t dir;            /* 0: src -> dst, 1: dst -> src */
	uint8_t flags;          /* TCP flags */
	struct buf data;        /* transport payload */
};

struct gflow {
	const struct cf_spec *spec;
	size_t index;           /* position among all flows (tie-break) */
	struct prng rng;
	struct gpkt *pk;
	size_t n, cap;
	size_t next;            /* merge cursor */
	uint32_t tcp_next[2];   /* next TCP sequence number per direction */
	uint16_t ipid[2];
};

/* Append a packet at ts_us going dir; returns its payload buffer. */
struct buf *gflow_udp(struct gflow *g, uint64_t ts_us, int dir);
struct buf *gflow_tcp(struct gflow *g, uint64_t ts_us, int dir, unsigned flags);
/* Set seq/ack of the TCP packets from their payload sizes and flags. */
void gflow_tcp_numbers(struct gflow *g);
void gflow_free(struct gflow *g);

/* Is the flow of s carried over TCP? */
int spec_is_tcp(const struct cf_spec *s);

/* TCP pieces shared by tls and tcp: handshake at t, close at t. */
uint64_t tcp_open(struct gflow *g, uint64_t t, uint64_t rtt);
void tcp_shut(struct gflow *g, uint64_t t, uint64_t rtt);

/* Builders: fill g with the flow's packets (cfgen-tls.c, cfgen-media.c). */
void build_tls(struct gflow *g);
void build_dtls(struct gflow *g);
void build_rtp(struct gflow *g);
void build_rtcp(struct gflow *g);
void build_zoom(struct gflow *g);
void build_stun(struct gflow *g);
void build_turn(struct gflow *g);
void build_dns(struct gflow *g);
void build_dhcp(struct gflow *g);
void build_udp(struct gflow *g);
void build_tcp(struct gflow *g);
/* cfgen-rooms.c: room systems and call traffic over TCP */
void build_h225(struct gflow *g);
void build_h245(struct gflow *g);
void build_ras(struct gflow *g);
void build_sccp(struct gflow *g);
void build_mgcp(struct gflow *g);
void build_iax2(struct gflow *g);
void build_bfcp(struct gflow *g);
void build_ice_tcp(struct gflow *g);
void build_turn_tcp(struct gflow *g);

/* STUN pieces (cfgen-media.c), shared with cfgen-rooms.c. */
void stun_begin(struct buf *b, unsigned type, const uint8_t txid[12]);
void stun_end(struct buf *b, size_t start);
void stun_attr(struct buf *b, unsigned type, const void *d, size_t n);
void stun_xaddr(struct buf *b, unsigned type, const struct endpoint *e,
		const uint8_t txid[12]);
void new_txid(struct gflow *g, uint8_t txid[12]);

/* One RTP header (12 bytes). */
void rtp_header(struct buf *b, int marker, int pt, uint16_t seq, uint32_t ts,
		uint32_t ssrc);

/*
 * The --bench mix (cfgen-bench.c): at least flows flows starting every
 * 150 us from start_us, mostly ~1,000-byte UDP media (Zoom 8801, SRTP,
 * DTLS-SRTP), plus TLS with SNI, DNS and plain HTTP.  Fills a malloc'd
 * array of specs.
 */
/* The --bench mixes (cfgen-bench.c). */
enum { CF_MIX_CHURN = 0, CF_MIX_GATEWAY, CF_MIX_FLOOD };
void bench_specs(struct cf_spec **out, size_t *n, unsigned long flows,
		 uint64_t start_us, uint64_t seed, int mix);

/* ---- scenarios (cfgen-scn.c) ---- */

enum link { L_ETHER, L_SLL, L_SLL2, L_RAW, L_NULL };
enum fmt { F_PCAP, F_PCAPNG };

struct scenario {
	const char *path;
	uint64_t start_us;
	enum link link;
	enum fmt fmt;
	uint64_t seed;
	uint32_t snaplen;
	long snap_last, truncate_last;
	struct cf_spec *spec;
	size_t n, cap;
};

/* Defaults: start 2024-03-01T10:00:00Z, ether, pcap, seed 1, no cuts. */
void scenario_init(struct scenario *sc);
/* Read path into sc; any error exits 2 with "path:line: message". */
void scenario_read(struct scenario *sc, const char *path);
/* Unsigned number (0x.. allowed) no larger than max; 0 or -1. */
int parse_ulong(const char *s, unsigned long max, unsigned long *v);

/* Print "cfgen: message" and exit with code (2 usage, 3 I/O). */
void cfgen_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* ---- capture writer (cfgen-wire.c) ---- */

struct writer;

/*
 * Open path for writing.  snaplen caps every record (0: no cap).  On error
 * returns NULL and writes the reason to err.
 */
struct writer *writer_open(const char *path, enum fmt fmt, enum link link,
			   uint32_t snaplen, char *err, size_t errlen);
/* Frame packet p of flow g and write it; caplen_max < 0 means no cut. */
int writer_packet(struct writer *w, const struct gflow *g, const struct gpkt *p,
		  long caplen_max);
/*
 * Close; when truncate_last >= 0 the file is cut so that only that many
 * bytes of the last record's data remain.  Returns 0 or -1 with err.
 */
int writer_close(struct writer *w, long truncate_last, char *err, size_t errlen);

int link_parse(const char *s, enum link *l);

#endif /* CFGEN_H */
