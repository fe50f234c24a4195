/*
 * cfgen-rooms.c - builders for room-system signalling and call traffic
 * over TCP: H.225.0 call signalling and RAS, Cisco Skinny, MGCP, IAX2,
 * BFCP, RFC 4571-framed STUN/RTP (ICE-TCP) and TURN over TCP.
 *
 * Layouts (as src/classify/recog/recog-*.c read them):
 * TPKT (RFC 1006): 3, 0, 16-bit length incl. the header; Q.931 (Q.931 4,
 *   H.225.0 7): 0x08, call reference length 2, call reference (flag bit
 *   set from the called side), message type, IEs; User-user IE 0x7e with
 *   a 16-bit length: 0x05, then the PER H323-UserInformation whose first
 *   octet holds the h323-message-body index, then the UUIE, which opens
 *   with the protocol identifier 06 00 08 91 4a 00 04 (H.225.0 v4).  The
 *   PER after that is filler: tshark may call these UUIEs malformed.
 * RAS (H.225.0): CHOICE octet (index << 2 | bits), preamble octet,
 *   requestSeqNum - 1 (16 bits), protocol identifier, filler.
 * Skinny: LE32 length (from msg id on), LE32 header version (0x14, or 0
 *   with "legacy"), LE32 message id, data.
 * MGCP (RFC 3435): text lines, SDP (RFC 8866) after an empty line.
 * IAX2 (RFC 5456): 12-byte full frames, 4-byte mini frame headers.
 * BFCP (RFC 8855): 12-byte common header, attributes (type << 1 | M,
 *   length incl. the 2-byte header, padded to 4).
 * RFC 4571: 16-bit length before each RTP/STUN packet; TURN over TCP
 *   (RFC 8656 s.7): STUN as is, ChannelData padded to 4.
 */
#include <stdio.h>
#include <string.h>
#include "cfgen.h"

#define US(sec) ((uint64_t)((sec) * 1e6 + 0.5))

static uint64_t dflt_us(double v, double dflt)
{
	return US(v >= 0 ? v : dflt);
}

static long dflt_l(long v, long dflt)
{
	return v >= 0 ? v : dflt;
}

static void put_ip(struct buf *b, const struct endpoint *e)
{
	buf_bytes(b, e->ip, e->v6 ? 16 : 4);
}

static void ip_str(const struct endpoint *e, char *out, size_t n)
{
	if (e->v6)
		snprintf(out, n, "%x:%x:%x:%x:%x:%x:%x:%x",
			 e->ip[0] << 8 | e->ip[1], e->ip[2] << 8 | e->ip[3],
			 e->ip[4] << 8 | e->ip[5], e->ip[6] << 8 | e->ip[7],
			 e->ip[8] << 8 | e->ip[9], e->ip[10] << 8 | e->ip[11],
			 e->ip[12] << 8 | e->ip[13], e->ip[14] << 8 | e->ip[15]);
	else
		snprintf(out, n, "%u.%u.%u.%u", e->ip[0], e->ip[1], e->ip[2], e->ip[3]);
}

/* ---- H.225.0 ---- */

static const uint8_t h225_oid[7] = { 0x06, 0x00, 0x08, 0x91, 0x4a, 0x00, 0x04 };

/* One TPKT with a Q.931 message carrying a UUIE of body index body. */
static void q931(struct buf *b, unsigned type, unsigned ref, int from_called,
		 unsigned body, const char *display)
{
	size_t at = b->len, uu;

	buf_u8(b, 3); buf_u8(b, 0); buf_be16(b, 0);
	buf_u8(b, 0x08); buf_u8(b, 2);
	buf_be16(b, (ref & 0x7fff) | (from_called ? 0x8000 : 0));
	buf_u8(b, type);
	if (type == 0x05) {                       /* Setup: bearer capability */
		buf_u8(b, 0x04); buf_u8(b, 3); buf_be24(b, 0x8890a5);
	}
	if (display) {
		buf_u8(b, 0x28); buf_u8(b, (unsigned)strlen(display));
		buf_str(b, display);
	}
	buf_u8(b, 0x7e); uu = b->len; buf_be16(b, 0);
	buf_u8(b, 0x05);
	buf_u8(b, 0x20 | body);                   /* H323-UU-PDU, body index */
	buf_u8(b, 0x80);                          /* the UUIE's preamble */
	buf_bytes(b, h225_oid, sizeof(h225_oid));
	buf_zero(b, 12);
	buf_put_be16(b, uu, (unsigned)(b->len - uu - 2));
	buf_put_be16(b, at + 2, (unsigned)(b->len - at));
}

/* Setup; Call Proceeding + Alerting in one segment; Connect; Release
 * Complete from the caller; then the close. */
void build_h225(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03), gap = dflt_us(s->interval, 1.0);
	unsigned ref = 1 + prng_range(&g->rng, 0x7ffe);
	uint64_t t = tcp_open(g, s->start_us, rtt);
	struct buf *b;

	q931(gflow_tcp(g, t, 0, TH_PSH | TH_ACK), 0x05, ref, 0, 0, "cfgen room");
	b = gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK);
	q931(b, 0x02, ref, 1, 1, NULL);
	q931(b, 0x01, ref, 1, 3, NULL);
	gflow_tcp(g, t + rtt, 0, TH_ACK);
	t += rtt + gap;
	q931(gflow_tcp(g, t, 1, TH_PSH | TH_ACK), 0x07, ref, 1, 2, "room 2");
	gflow_tcp(g, t + rtt / 2, 0, TH_ACK);
	t += rtt + gap;
	q931(gflow_tcp(g, t, 0, TH_PSH | TH_ACK), 0x5a, ref, 0, 5, NULL);
	gflow_tcp(g, t + rtt / 2, 1, TH_ACK);
	tcp_shut(g, t + rtt, rtt);
	gflow_tcp_numbers(g);
}

/* ---- H.245 ---- */

/* One TPKT of H.245: an OpenLogicalChannel request header (request 3,
 * forward LCN) with filler where the parameters go. */
static void h245_olc(struct buf *b, unsigned lcn)
{
	buf_u8(b, 3); buf_u8(b, 0); buf_be16(b, 4 + 4 + 12);
	buf_u8(b, 0x03); buf_u8(b, 0x00); buf_be16(b, lcn - 1);
	buf_zero(b, 12);
}

/*
 * OpenLogicalChannelAck (aligned PER): response 1, index 5, ext 1, no
 * reverse parameters, forward LCN, a 2-bit extension bitmap with
 * forwardMultiplexAckParameters, its open type: h2250 ack parameters
 * with sessionID 1, mediaChannel e and mediaControlChannel e + 1 (IPv4
 * iPAddress).  The bit layout is worked out in recog-h323.c.
 */
static void h245_olc_ack(struct buf *b, unsigned lcn, const struct endpoint *e)
{
	buf_u8(b, 3); buf_u8(b, 0); buf_be16(b, 4 + 6 + 1 + 16);
	buf_u8(b, 0x22); buf_u8(b, 0xc0); buf_be16(b, lcn - 1);
	buf_u8(b, 0x02); buf_u8(b, 0x80);       /* bitmap: 0, 1 */
	buf_u8(b, 16);                          /* open type length */
	buf_u8(b, 0x1c);                        /* ns 0, sid 1, med 1, ctl 1, dyn 0 */
	buf_u8(b, 0x00);                        /* sessionID 1, address CHOICE */
	buf_u8(b, 0x00);                        /* unicast iPAddress */
	buf_bytes(b, e->ip, 4);
	buf_be16(b, e->port);
	buf_u8(b, 0x00);
	buf_bytes(b, e->ip, 4);
	buf_be16(b, e->port + 1u);
}

/*
 * A separate H.245 connection (SRC the caller): the called side (DST)
 * opens a logical channel, SRC acknowledges it with where it receives
 * RTP (rtp=, IPv4, default SRC's address port 5000) and RTCP (port + 1).
 */
void build_h245(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03);
	struct endpoint rx = s->rtp;
	unsigned lcn = 1 + prng_range(&g->rng, 200);
	uint64_t t = tcp_open(g, s->start_us, rtt);

	if (!rx.port) {
		rx = s->src;
		rx.port = 5000;
	}
	h245_olc(gflow_tcp(g, t, 1, TH_PSH | TH_ACK), lcn);
	h245_olc_ack(gflow_tcp(g, t + rtt / 2, 0, TH_PSH | TH_ACK), lcn, &rx);
	gflow_tcp(g, t + rtt, 1, TH_ACK);
	tcp_shut(g, t + rtt * 2, rtt);
	gflow_tcp_numbers(g);
}

static void ras(struct buf *b, unsigned index, unsigned seq, int oid)
{
	buf_u8(b, index << 2);
	buf_u8(b, 0x80);
	buf_be16(b, seq - 1);
	if (oid)
		buf_bytes(b, h225_oid, sizeof(h225_oid));
	buf_zero(b, 16);
}

/* packets=N (default 1) RRQ/RCF pairs, then ARQ/ACF. */
void build_ras(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03), gap = dflt_us(s->interval, 1.0);
	long n = dflt_l(s->packets, 1);
	unsigned seq = 1 + prng_range(&g->rng, 30000);
	uint64_t t = s->start_us;

	for (long i = 0; i < n; i++, t += gap, seq++) {
		ras(gflow_udp(g, t, 0), 3, seq, 1);
		ras(gflow_udp(g, t + rtt / 2, 1), 4, seq, 1);
	}
	ras(gflow_udp(g, t, 0), 9, seq, 0);
	ras(gflow_udp(g, t + rtt / 2, 1), 10, seq, 0);
}

/* ---- Skinny ---- */

static void le32(struct buf *b, uint32_t v)
{
	buf_le32(b, v);
}

/* Start a message; sccp_end fills its length. */
static size_t sccp_begin(struct buf *b, const struct cf_spec *s, uint32_t id)
{
	size_t at = b->len;

	le32(b, 0);
	le32(b, s->legacy ? 0 : 0x14);
	le32(b, id);
	return at;
}

static void sccp_end(struct buf *b, size_t at)
{
	uint32_t l = (uint32_t)(b->len - at - 8);

	b->p[at] = (uint8_t)l;
	b->p[at + 1] = (uint8_t)(l >> 8);
	b->p[at + 2] = (uint8_t)(l >> 16);
	b->p[at + 3] = (uint8_t)(l >> 24);
}

/* An address: legacy 4 bytes, else ipv4or6 + 16 bytes; then the port. */
static void sccp_addr(struct buf *b, const struct cf_spec *s, const struct endpoint *e)
{
	if (!s->legacy) {
		le32(b, e->v6 ? 1 : 0);
		put_ip(b, e);
		buf_zero(b, e->v6 ? 0 : 12);
	} else {
		buf_bytes(b, e->ip, 4);
	}
	le32(b, e->port);
}

/*
 * The phone (SRC) registers with the call manager (DST, port 2000):
 * KeepAlive / KeepAliveAck, OffHook; the CM answers with CallState and
 * OpenReceiveChannel in one segment; the phone's OpenReceiveChannelAck
 * names where it receives (rtp=, default SRC's address port 16384); the
 * CM's StartMediaTransmission where it must send (peer=, default DST's
 * address port 16386).
 */
void build_sccp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03), gap = dflt_us(s->interval, 0.2);
	struct endpoint rx = s->rtp, tx = s->peer;
	uint64_t t = tcp_open(g, s->start_us, rtt);
	uint32_t conf = 0x01000000u | prng_range(&g->rng, 0xffff), party = conf + 7;
	struct buf *b;
	size_t at;

	if (!rx.port) {
		rx = s->src;
		rx.port = 16384;
	}
	if (!tx.port) {
		tx = s->dst;
		tx.port = 16386;
	}
	b = gflow_tcp(g, t, 0, TH_PSH | TH_ACK);
	sccp_end(b, sccp_begin(b, s, 0x0000));            /* KeepAlive */
	b = gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK);
	sccp_end(b, sccp_begin(b, s, 0x0100));            /* KeepAliveAck */
	t += rtt + gap;
	b = gflow_tcp(g, t, 0, TH_PSH | TH_ACK);
	at = sccp_begin(b, s, 0x0006);                    /* OffHook */
	le32(b, 1); le32(b, 0);
	sccp_end(b, at);
	b = gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK);
	at = sccp_begin(b, s, 0x0111);                    /* CallState */
	le32(b, 1); le32(b, 1); le32(b, conf); le32(b, 0); le32(b, 4); le32(b, 0);
	sccp_end(b, at);
	at = sccp_begin(b, s, 0x0105);                    /* OpenReceiveChannel */
	le32(b, conf); le32(b, party); le32(b, 20); le32(b, 4); le32(b, 0); le32(b, 0);
	if (!s->legacy)                                   /* to V20's 128 bytes */
		buf_zero(b, 128 - 24);
	sccp_end(b, at);
	t += rtt;
	b = gflow_tcp(g, t, 0, TH_PSH | TH_ACK);
	at = sccp_begin(b, s, 0x0022);                    /* OpenReceiveChannelAck */
	le32(b, 0);
	sccp_addr(b, s, &rx);
	le32(b, party);
	if (!s->legacy)
		le32(b, conf);
	sccp_end(b, at);
	b = gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK);
	at = sccp_begin(b, s, 0x008a);                    /* StartMediaTransmission */
	le32(b, conf); le32(b, party);
	sccp_addr(b, s, &tx);
	le32(b, 20); le32(b, 4); le32(b, 184); le32(b, 0);
	if (!s->legacy)                                   /* to V20's 132 bytes */
		buf_zero(b, 132 - 12 - 20 - 16);
	sccp_end(b, at);
	gflow_tcp(g, t + rtt, 0, TH_ACK);
	tcp_shut(g, t + rtt + gap, rtt);
	gflow_tcp_numbers(g);
}

/* ---- MGCP ---- */

static void sdp(struct buf *b, const struct endpoint *e)
{
	char ip[64], line[256];

	ip_str(e, ip, sizeof(ip));
	snprintf(line, sizeof(line), "\r\nv=0\r\no=- 1 1 IN IP%c %s\r\ns=-\r\n"
		 "c=IN IP%c %s\r\nt=0 0\r\n", e->v6 ? '6' : '4', ip,
		 e->v6 ? '6' : '4', ip);
	buf_str(b, line);
	snprintf(line, sizeof(line), "m=audio %u RTP/AVP 0\r\n", e->port);
	buf_str(b, line);
}

static void mgcp_cmd(struct buf *b, const char *verb, unsigned tx, const char *params,
		     const struct endpoint *media)
{
	char line[160];

	snprintf(line, sizeof(line), "%s %u aaln/1@gw.example.net MGCP 1.0\r\n%s",
		 verb, tx, params);
	buf_str(b, line);
	if (media)
		sdp(b, media);
}

static void mgcp_resp(struct buf *b, unsigned code, unsigned tx, const char *params,
		      const struct endpoint *media)
{
	char line[160];

	snprintf(line, sizeof(line), "%u %u OK\r\n%s", code, tx, params);
	buf_str(b, line);
	if (media)
		sdp(b, media);
}

/*
 * The call agent (SRC) drives the gateway (DST, port 2427): CRCX (with
 * the remote SDP when peer= is given) / 200 with the gateway's SDP (rtp=,
 * default DST's address port 16384); MDCX with peer= (or none) / 200;
 * DLCX / 250.
 */
void build_mgcp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03), gap = dflt_us(s->interval, 1.0);
	const struct endpoint *peer = s->peer.port ? &s->peer : NULL;
	struct endpoint local = s->rtp;
	unsigned tx = 1000 + prng_range(&g->rng, 90000);
	uint64_t t = s->start_us;

	if (!local.port) {
		local = s->dst;
		local.port = 16384;
	}
	mgcp_cmd(gflow_udp(g, t, 0), "CRCX", tx,
		 "C: A3C47F21456789F0\r\nL: p:20, a:PCMU\r\nM: sendrecv\r\n", peer);
	mgcp_resp(gflow_udp(g, t + rtt / 2, 1), 200, tx, "I: FDE234C8\r\n", &local);
	t += gap;
	mgcp_cmd(gflow_udp(g, t, 0), "MDCX", tx + 1,
		 "C: A3C47F21456789F0\r\nI: FDE234C8\r\nM: sendrecv\r\n", peer);
	mgcp_resp(gflow_udp(g, t + rtt / 2, 1), 200, tx + 1, "", NULL);
	t += gap;
	mgcp_cmd(gflow_udp(g, t, 0), "DLCX", tx + 2,
		 "C: A3C47F21456789F0\r\nI: FDE234C8\r\n", NULL);
	mgcp_resp(gflow_udp(g, t + rtt / 2, 1), 250, tx + 2, "", NULL);
}

/* ---- IAX2 ---- */

struct iax_side {
	unsigned call, peer;
	uint8_t oseq, iseq;
};

static void iax_full(struct buf *b, struct iax_side *me, uint32_t ts, unsigned type,
		     unsigned sub)
{
	buf_be16(b, 0x8000 | me->call);
	buf_be16(b, me->peer);
	buf_be32(b, ts);
	buf_u8(b, me->oseq++);
	buf_u8(b, me->iseq);
	buf_u8(b, type);
	buf_u8(b, sub);
}

static void iax_ie(struct buf *b, unsigned type, const void *d, size_t n)
{
	buf_u8(b, type);
	buf_u8(b, (unsigned)n);
	buf_bytes(b, d, n);
}

/*
 * SRC calls DST (both on 4569 by convention): NEW / ACCEPT / ACK, ANSWER
 * (control) / ACK, a full voice frame each way, then packets=N (default
 * 20) mini voice frames (both: each way; size= voice bytes, 160), then
 * HANGUP / ACK.
 */
void build_iax2(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03), gap = dflt_us(s->interval, 0.02);
	long n = dflt_l(s->packets, 20);
	size_t size = (size_t)dflt_l(s->size, 160);
	struct iax_side a = { 1 + prng_range(&g->rng, 0x7ffe), 0, 0, 0 };
	struct iax_side z = { 1 + prng_range(&g->rng, 0x7ffe), a.call, 0, 0 };
	uint64_t t = s->start_us;
	uint32_t ts = 3;
	struct buf *b;

	b = gflow_udp(g, t, 0);                        /* NEW */
	iax_full(b, &a, ts, 6, 1);
	iax_ie(b, 11, (const uint8_t[]){ 0, 2 }, 2);   /* VERSION 2 */
	iax_ie(b, 1, "100", 3);                        /* CALLED NUMBER */
	iax_ie(b, 2, "200", 3);                        /* CALLING NUMBER */
	iax_ie(b, 9, (const uint8_t[]){ 0, 0, 0, 4 }, 4);  /* FORMAT ulaw */
	z.iseq = a.oseq;
	b = gflow_udp(g, t + rtt / 2, 1);              /* ACCEPT */
	iax_full(b, &z, ts + 5, 6, 7);
	iax_ie(b, 9, (const uint8_t[]){ 0, 0, 0, 4 }, 4);
	a.peer = z.call;
	a.iseq = z.oseq;
	iax_full(gflow_udp(g, t + rtt, 0), &a, ts + 5, 6, 4);        /* ACK */
	t += rtt + gap;
	iax_full(gflow_udp(g, t, 1), &z, ts + 30, 4, 4);             /* ANSWER */
	a.iseq = z.oseq;
	iax_full(gflow_udp(g, t + rtt / 2, 0), &a, ts + 30, 6, 4);   /* ACK */
	t += rtt;
	for (int d = 0; d <= s->both; d++) {
		b = gflow_udp(g, t + (uint64_t)d * gap / 2, d);
		iax_full(b, d ? &z : &a, ts + 40, 2, 4);               /* voice */
		buf_rand(b, &g->rng, size);
	}
	for (long i = 1; i <= n; i++)
		for (int d = 0; d <= s->both; d++) {
			b = gflow_udp(g, t + (uint64_t)i * gap + (uint64_t)d * gap / 2, d);
			buf_be16(b, (d ? z.call : a.call) & 0x7fff);
			buf_be16(b, (unsigned)(ts + 40 + (uint32_t)i * 20) & 0xffff);
			buf_rand(b, &g->rng, size);
		}
	t += (uint64_t)(n + 1) * gap;
	iax_full(gflow_udp(g, t, 0), &a, ts + 60000, 6, 5);          /* HANGUP */
	z.iseq = a.oseq;
	iax_full(gflow_udp(g, t + rtt / 2, 1), &z, ts + 60000, 6, 4);
}

/* ---- BFCP ---- */

static size_t bfcp_begin(struct buf *b, int v2, int resp, unsigned prim,
			 uint32_t conf, unsigned tx, unsigned user)
{
	size_t at = b->len;

	buf_u8(b, (v2 ? 2u : 1u) << 5 | (resp && v2 ? 0x10 : 0));
	buf_u8(b, prim);
	buf_be16(b, 0);
	buf_be32(b, conf);
	buf_be16(b, tx);
	buf_be16(b, user);
	return at;
}

static void bfcp_end(struct buf *b, size_t at)
{
	buf_put_be16(b, at + 2, (unsigned)((b->len - at - 12) / 4));
}

/* A 16-bit attribute (FLOOR-ID 2, FLOOR-REQUEST-ID 3, ...), M set. */
static void bfcp_attr16(struct buf *b, unsigned type, unsigned v)
{
	buf_u8(b, type << 1 | 1);
	buf_u8(b, 4);
	buf_be16(b, v);
}

/* One BFCP message from dir at t (a segment or a datagram). */
static void bfcp_msg(struct gflow *g, uint64_t t, int dir, unsigned prim,
		     unsigned tx, unsigned floor_req)
{
	const struct cf_spec *s = g->spec;
	struct buf *b = s->udp ? gflow_udp(g, t, dir) :
				 gflow_tcp(g, t, dir, TH_PSH | TH_ACK);
	size_t at = bfcp_begin(b, s->udp, dir, prim, 1 + (uint32_t)s->line, tx, 2);

	if (prim == 1 || prim == 2)                    /* FloorRequest/Release */
		bfcp_attr16(b, prim == 1 ? 2 : 3, prim == 1 ? 1 : floor_req);
	if (prim == 4) {                               /* FloorRequestStatus */
		buf_u8(b, 15 << 1 | 1);                /* FLOOR-REQUEST-INFORMATION */
		buf_u8(b, 8);
		buf_be16(b, floor_req);
		buf_u8(b, 5 << 1 | 1);                 /* REQUEST-STATUS: Granted */
		buf_u8(b, 4);
		buf_u8(b, 3);
		buf_u8(b, 0);
	}
	bfcp_end(b, at);
}

/*
 * A conference participant (SRC) and the floor control server (DST):
 * Hello / HelloAck, FloorRequest / FloorRequestStatus (granted),
 * FloorRelease / FloorRequestStatus.  TCP, version 1; "udp": UDP,
 * version 2 with the R bit on the server's answers.
 */
void build_bfcp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03), gap = dflt_us(s->interval, 1.0);
	uint64_t t = s->udp ? s->start_us : tcp_open(g, s->start_us, rtt);
	unsigned tx = 1 + prng_range(&g->rng, 60000), fr = 1 + prng_range(&g->rng, 100);

	bfcp_msg(g, t, 0, 11, tx, 0);
	bfcp_msg(g, t + rtt / 2, 1, 12, tx, 0);
	t += gap;
	bfcp_msg(g, t, 0, 1, tx + 1, 0);
	bfcp_msg(g, t + rtt / 2, 1, 4, tx + 1, fr);
	t += gap;
	bfcp_msg(g, t, 0, 2, tx + 2, fr);
	bfcp_msg(g, t + rtt / 2, 1, 4, tx + 2, fr);
	if (!s->udp) {
		tcp_shut(g, t + rtt, rtt);
		gflow_tcp_numbers(g);
	}
}

/* ---- RFC 4571 ICE-TCP and TURN over TCP ---- */

static void rtp_packet(struct gflow *g, struct buf *b, long i, int d, size_t size)
{
	const struct cf_spec *s = g->spec;
	uint32_t ssrc = d ? s->ssrc ^ 0x5a5a5a5au : s->ssrc;

	rtp_header(b, i == 0, s->pt, (uint16_t)(1000 + i), (uint32_t)(960 * i), ssrc);
	buf_rand(b, &g->rng, size > 12 ? size - 12 : 0);
}

/* Append one framed message (len16 + data) or bare data to seg. */
static void framed(struct buf *seg, const struct buf *m, int rfc4571)
{
	if (rfc4571)
		buf_be16(seg, (unsigned)m->len);
	buf_bytes(seg, m->p, m->len);
}

/* RTP packet i of direction d, framed (RFC 4571) or in ChannelData
 * 0x4000 padded to 4 (TURN over TCP), appended to seg. */
static void media_msg(struct gflow *g, struct buf *seg, long i, int d, size_t size,
		      int rfc4571)
{
	struct buf msg = { 0 }, cd = { 0 };

	rtp_packet(g, &msg, i, d, size);
	if (rfc4571) {
		framed(seg, &msg, 1);
	} else {
		buf_be16(&cd, 0x4000);
		buf_be16(&cd, (unsigned)msg.len);
		buf_bytes(&cd, msg.p, msg.len);
		buf_zero(&cd, (4 - msg.len % 4) % 4);
		framed(seg, &cd, 0);
	}
	buf_free(&msg);
	buf_free(&cd);
}

/*
 * packets=N media packets per direction in segments: every 4th segment
 * carries two, and SRC's segment in the middle of the stream is cut in
 * two after 10 bytes so that a message crosses a segment boundary.
 */
static void tcp_media(struct gflow *g, uint64_t t, int rfc4571)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.02);
	long n = dflt_l(s->packets, 10);
	size_t size = (size_t)dflt_l(s->size, 172);
	long cut = n / 2;       /* not inside a pair (3+4, 7+8, ...) */

	if (cut % 4 == 0 && cut > 0)
		cut++;
	else if (cut % 4 == 3)
		cut--;
	for (long i = 0; i < n; i++) {
		int two = i % 4 == 3 && i + 1 < n;

		for (int d = 0; d <= s->both; d++) {
			struct buf seg = { 0 };
			uint64_t at = t + (uint64_t)i * gap + (uint64_t)d * gap / 2;

			media_msg(g, &seg, i, d, size, rfc4571);
			if (two)
				media_msg(g, &seg, i + 1, d, size, rfc4571);
			if (d == 0 && i == cut && !two && seg.len > 10) {
				buf_bytes(gflow_tcp(g, at, d, TH_ACK), seg.p, 10);
				buf_bytes(gflow_tcp(g, at + 50, d, TH_PSH | TH_ACK),
					  seg.p + 10, seg.len - 10);
			} else {
				buf_bytes(gflow_tcp(g, at, d, TH_PSH | TH_ACK), seg.p, seg.len);
			}
			buf_free(&seg);
		}
		i += two;
	}
}

/*
 * ICE-TCP (RFC 6544) between SRC (active) and DST (passive): an RFC
 * 4571-framed STUN Binding request / success response (XOR-MAPPED-
 * ADDRESS mapped=, default SRC), then packets=N (default 10) framed RTP
 * packets (both: each way; pt=, ssrc=, size= default 172).
 */
void build_ice_tcp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03);
	uint64_t t = tcp_open(g, s->start_us, rtt);
	struct buf m = { 0 };
	uint8_t txid[12];

	new_txid(g, txid);
	stun_begin(&m, 0x0001, txid);
	stun_attr(&m, 0x8022, "cfgen", 5);
	stun_end(&m, 0);
	framed(gflow_tcp(g, t, 0, TH_PSH | TH_ACK), &m, 1);
	m.len = 0;
	stun_begin(&m, 0x0101, txid);
	stun_xaddr(&m, 0x0020, s->mapped.port ? &s->mapped : &s->src, txid);
	stun_end(&m, 0);
	framed(gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK), &m, 1);
	buf_free(&m);
	tcp_media(g, t + rtt, 1);
	tcp_shut(g, t + rtt + dflt_us(s->interval, 0.02) * (uint64_t)(dflt_l(s->packets, 10) + 1),
		 rtt);
	gflow_tcp_numbers(g);
}

/*
 * TURN over TCP (RFC 8656 s.7) from SRC to the server DST: Allocate
 * (REQUESTED-TRANSPORT UDP) / success (XOR-RELAYED-, XOR-MAPPED-ADDRESS,
 * LIFETIME), ChannelBind (0x4000, XOR-PEER-ADDRESS peer=) / success, then
 * packets=N ChannelData messages with RTP (padded to 4), some two to a
 * segment and one cut over two segments.
 */
void build_turn_tcp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = dflt_us(s->rtt, 0.03);
	uint64_t t = tcp_open(g, s->start_us, rtt);
	struct endpoint relayed = s->dst;
	uint8_t txid[12];
	struct buf *b;

	relayed.port = (uint16_t)(49152 + prng_range(&g->rng, 16000));
	new_txid(g, txid);
	b = gflow_tcp(g, t, 0, TH_PSH | TH_ACK);
	stun_begin(b, 0x0003, txid);
	stun_attr(b, 0x0019, (const uint8_t[]){ 17, 0, 0, 0 }, 4);
	stun_end(b, 0);
	b = gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK);
	stun_begin(b, 0x0103, txid);
	stun_xaddr(b, 0x0016, &relayed, txid);
	stun_xaddr(b, 0x0020, s->mapped.port ? &s->mapped : &s->src, txid);
	stun_attr(b, 0x000d, (const uint8_t[]){ 0, 0, 2, 0x58 }, 4);
	stun_end(b, 0);
	t += rtt;
	new_txid(g, txid);
	b = gflow_tcp(g, t, 0, TH_PSH | TH_ACK);
	stun_begin(b, 0x0009, txid);
	stun_attr(b, 0x000c, (const uint8_t[]){ 0x40, 0, 0, 0 }, 4);
	stun_xaddr(b, 0x0012, &s->peer, txid);
	stun_end(b, 0);
	b = gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK);
	stun_begin(b, 0x0109, txid);
	stun_end(b, 0);
	tcp_media(g, t + rtt, 0);
	tcp_shut(g, t + rtt + dflt_us(s->interval, 0.02) * (uint64_t)(dflt_l(s->packets, 10) + 1),
		 rtt);
	gflow_tcp_numbers(g);
}
