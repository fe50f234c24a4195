/*
 * cfgen-media.c - the UDP builders (RTP/SRTP, RTCP, Zoom, STUN/TURN, DNS,
 * DHCP, raw UDP) and raw TCP.
 *
 * RTP (RFC 3550):  V=2 P X CC | M PT | seq(2) | timestamp(4) | SSRC(4)
 * RTCP SR (RFC 3550 6.4.1) + SDES CNAME, one compound packet.
 * Zoom (Michel et al., IMC 2022): server flows carry an 8-byte outer header
 *   type(1)=0x05 seq(2) id(4) direction(1: 0x00 to server, 0x04 from it),
 *   then the inner media header: type(1) (16 video, 15 audio, 13 screen
 *   share, 33 RTCP) ... seq(2) at 9, timestamp(4) at 11 [video: frame
 *   number(2) at 21, packets in frame(1) at 23], and the RTP header at 24
 *   (video), 19 (audio), 27 (screen share) or RTCP at 16.  P2P flows carry
 *   only the inner header.
 * STUN/TURN (RFC 8489, RFC 8656): type(2) length(2) cookie 0x2112a442
 *   transaction id(12), TLV attributes padded to 4; XOR-*-ADDRESS values
 *   are xored with the cookie (and the transaction id for IPv6).
 * DNS (RFC 1035): header, question, answers (CNAME, A, AAAA).
 * DHCP (RFC 2131): BOOTP fixed part, magic cookie, options.
 */
#include <string.h>
#include "cfgen.h"

#define US(sec) ((uint64_t)((sec) * 1e6 + 0.5))
#define STUN_COOKIE 0x2112a442u

static uint64_t dflt_us(double v, double dflt)
{
	return US(v >= 0 ? v : dflt);
}

static long dflt_l(long v, long dflt)
{
	return v >= 0 ? v : dflt;
}

void rtp_header(struct buf *b, int marker, int pt, uint16_t seq, uint32_t ts,
		uint32_t ssrc)
{
	buf_u8(b, 0x80);
	buf_u8(b, (marker ? 0x80 : 0) | (pt & 0x7f));
	buf_be16(b, seq);
	buf_be32(b, ts);
	buf_be32(b, ssrc);
}

static uint32_t rtp_clock(const struct cf_spec *s)
{
	if (s->clock)
		return s->clock;
	if (s->pt <= 23)
		return 8000;
	if (s->pt == 111)
		return 48000;
	return 90000;
}

/* ---- RTP / SRTP ---- */

struct stream {
	uint16_t seq;
	uint32_t ts, ssrc;
};

static void stream_init(struct stream st[2], struct gflow *g)
{
	for (int d = 0; d < 2; d++) {
		st[d].seq = (uint16_t)prng_next(&g->rng);
		st[d].ts = (uint32_t)prng_next(&g->rng);
	}
	st[0].ssrc = g->spec->ssrc;
	st[1].ssrc = g->spec->ssrc ^ 0x5a5a5a5au;
}

void build_rtp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.02);
	long n = dflt_l(s->packets, 50);
	size_t size = (size_t)dflt_l(s->size, 172);
	uint32_t step = (uint32_t)(rtp_clock(s) * (gap / 1e6) + 0.5);
	struct stream st[2];

	if (size < 12)
		size = 12;
	stream_init(st, g);
	for (long i = 0; i < n; i++) {
		for (int d = 0; d <= s->both; d++) {
			uint64_t t = s->start_us + (uint64_t)i * gap + (uint64_t)d * gap / 2;
			struct buf *b = gflow_udp(g, t, d);
			rtp_header(b, i == 0, s->pt, st[d].seq++, st[d].ts, st[d].ssrc);
			buf_rand(b, &g->rng, size - 12);
			st[d].ts += step;
		}
	}
}

/* ---- RTCP ---- */

static void rtcp_sr(struct buf *b, uint32_t ssrc, uint64_t t, uint32_t rtp_ts,
		    uint32_t pkts, uint32_t octets)
{
	uint64_t sec = t / 1000000 + 2208988800ULL;
	uint64_t frac = ((t % 1000000) << 32) / 1000000;

	buf_u8(b, 0x80);                /* V=2, RC=0 */
	buf_u8(b, 200);
	buf_be16(b, 6);
	buf_be32(b, ssrc);
	buf_be32(b, (uint32_t)sec);
	buf_be32(b, (uint32_t)frac);
	buf_be32(b, rtp_ts);
	buf_be32(b, pkts);
	buf_be32(b, octets);
	/* SDES with one CNAME chunk */
	const char *cname = "cfgen@callfence";
	size_t len = 4 + 2 + strlen(cname) + 1;
	size_t pad = (4 - len % 4) % 4;
	buf_u8(b, 0x81);
	buf_u8(b, 202);
	buf_be16(b, (unsigned)((4 + len + pad) / 4 - 1));
	buf_be32(b, ssrc);
	buf_u8(b, 1);
	buf_u8(b, (unsigned)strlen(cname));
	buf_str(b, cname);
	buf_zero(b, 1 + pad);
}

void build_rtcp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 1.0);
	long n = dflt_l(s->packets, 5);
	struct stream st[2];

	stream_init(st, g);
	for (long i = 0; i < n; i++) {
		for (int d = 0; d <= s->both; d++) {
			uint64_t t = s->start_us + (uint64_t)i * gap + (uint64_t)d * gap / 2;
			rtcp_sr(gflow_udp(g, t, d), st[d].ssrc, t,
				st[d].ts + (uint32_t)i * 8000, (uint32_t)(i * 50),
				(uint32_t)(i * 8000));
		}
	}
}

/* ---- Zoom ---- */

static size_t zoom_rtp_offset(enum zkind k)
{
	switch (k) {
	case Z_VIDEO: return 24;
	case Z_AUDIO: return 19;
	case Z_SCREEN: return 27;
	case Z_RTCP: return 16;
	}
	return 24;
}

static void zoom_packet(struct gflow *g, struct buf *b, int dir, long i,
			struct stream *st, uint32_t sess, uint64_t t)
{
	const struct cf_spec *s = g->spec;
	size_t size = (size_t)dflt_l(s->size, 1000);
	size_t start = b->len;

	if (s->kind == K_ZOOM) {
		buf_u8(b, 0x05);
		buf_be16(b, (unsigned)(i + 1));
		buf_be32(b, sess);
		buf_u8(b, dir ? 0x04 : 0x00);
	}
	size_t inner = b->len;
	buf_u8(b, s->zkind);
	buf_zero(b, zoom_rtp_offset(s->zkind) - 1);
	buf_put_be16(b, inner + 9, st->seq);
	buf_put_be16(b, inner + 11, (unsigned)(st->ts >> 16));
	buf_put_be16(b, inner + 13, st->ts & 0xffff);
	if (s->zkind == Z_VIDEO) {
		buf_put_be16(b, inner + 21, (unsigned)(i / 4));
		b->p[inner + 23] = 4;
	}
	if (s->zkind == Z_RTCP)
		rtcp_sr(b, st->ssrc, t, st->ts, (uint32_t)i, (uint32_t)(i * size));
	else
		rtp_header(b, i % 4 == 3, s->zkind == Z_AUDIO ? 112 :
			   s->zkind == Z_SCREEN ? 99 : 98, st->seq, st->ts, st->ssrc);
	if (b->len - start < size)
		buf_rand(b, &g->rng, size - (b->len - start));
	st->seq++;
	st->ts += s->zkind == Z_AUDIO ? 960 : 3000;
}

void build_zoom(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.02);
	long n = dflt_l(s->packets, 50);
	uint32_t sess = (uint32_t)prng_next(&g->rng);
	struct stream st[2];

	stream_init(st, g);
	for (long i = 0; i < n; i++)
		for (int d = 0; d <= s->both; d++) {
			uint64_t t = s->start_us + (uint64_t)i * gap + (uint64_t)d * gap / 2;
			zoom_packet(g, gflow_udp(g, t, d), d, i, &st[d], sess, t);
		}
}

/* ---- STUN / TURN ---- */

void stun_begin(struct buf *b, unsigned type, const uint8_t txid[12])
{
	buf_be16(b, type);
	buf_be16(b, 0);                 /* fixed by stun_end */
	buf_be32(b, STUN_COOKIE);
	buf_bytes(b, txid, 12);
}

void stun_end(struct buf *b, size_t start)
{
	buf_put_be16(b, start + 2, (unsigned)(b->len - start - 20));
}

void stun_attr(struct buf *b, unsigned type, const void *d, size_t n)
{
	buf_be16(b, type);
	buf_be16(b, (unsigned)n);
	buf_bytes(b, d, n);
	buf_zero(b, (4 - n % 4) % 4);
}

void stun_xaddr(struct buf *b, unsigned type, const struct endpoint *e,
		const uint8_t txid[12])
{
	uint8_t key[16] = { 0x21, 0x12, 0xa4, 0x42 };
	uint8_t v[20] = { 0, e->v6 ? 2 : 1,
			  (uint8_t)((e->port ^ 0x2112) >> 8),
			  (uint8_t)((e->port ^ 0x2112) & 0xff) };
	size_t alen = e->v6 ? 16 : 4;

	memcpy(key + 4, txid, 12);
	for (size_t i = 0; i < alen; i++)
		v[4 + i] = e->ip[i] ^ key[i];
	stun_attr(b, type, v, 4 + alen);
}

void new_txid(struct gflow *g, uint8_t txid[12])
{
	for (int i = 0; i < 12; i++)
		txid[i] = (uint8_t)prng_next(&g->rng);
}

/* A request from the client and, unless oneway, its success response. */
static void stun_binding(struct gflow *g, uint64_t t, uint64_t rtt)
{
	const struct cf_spec *s = g->spec;
	const struct endpoint *mapped = s->mapped.port ? &s->mapped : &s->src;
	uint8_t txid[12];

	new_txid(g, txid);
	struct buf *b = gflow_udp(g, t, 0);
	stun_begin(b, 0x0001, txid);
	if (s->user != NULL)                    /* USERNAME: an ICE check */
		stun_attr(b, 0x0006, s->user, strlen(s->user));
	stun_attr(b, 0x8022, "cfgen", 5);       /* SOFTWARE */
	stun_end(b, 0);
	if (s->oneway)
		return;
	b = gflow_udp(g, t + rtt / 2, 1);
	stun_begin(b, 0x0101, txid);
	stun_xaddr(b, 0x0020, mapped, txid);    /* XOR-MAPPED-ADDRESS */
	stun_attr(b, 0x8022, "cfgen", 5);
	stun_end(b, 0);
}

void build_stun(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.5);
	uint64_t rtt = dflt_us(s->rtt, 0.03);
	long n = dflt_l(s->packets, 1);

	for (long i = 0; i < n; i++)
		stun_binding(g, s->start_us + (uint64_t)i * gap, rtt);
}

/* Allocate, then CreatePermission or ChannelBind for the peer. */
static uint64_t turn_setup(struct gflow *g, uint64_t t, uint64_t rtt)
{
	const struct cf_spec *s = g->spec;
	struct endpoint relayed = s->dst;
	uint8_t txid[12];

	relayed.port = (uint16_t)(49152 + prng_range(&g->rng, 16000));
	new_txid(g, txid);
	struct buf *b = gflow_udp(g, t, 0);
	stun_begin(b, 0x0003, txid);
	stun_attr(b, 0x0019, (const uint8_t[]){ 17, 0, 0, 0 }, 4);
	stun_end(b, 0);
	b = gflow_udp(g, t + rtt / 2, 1);
	stun_begin(b, 0x0103, txid);
	stun_xaddr(b, 0x0016, &relayed, txid);  /* XOR-RELAYED-ADDRESS */
	stun_xaddr(b, 0x0020, s->mapped.port ? &s->mapped : &s->src, txid);
	stun_attr(b, 0x000d, (const uint8_t[]){ 0, 0, 2, 0x58 }, 4);
	stun_end(b, 0);

	t += rtt;
	new_txid(g, txid);
	b = gflow_udp(g, t, 0);
	stun_begin(b, s->channel ? 0x0009 : 0x0008, txid);
	if (s->channel)
		stun_attr(b, 0x000c, (const uint8_t[]){ 0x40, 0, 0, 0 }, 4);
	stun_xaddr(b, 0x0012, &s->peer, txid);  /* XOR-PEER-ADDRESS */
	stun_end(b, 0);
	b = gflow_udp(g, t + rtt / 2, 1);
	stun_begin(b, s->channel ? 0x0109 : 0x0108, txid);
	stun_end(b, 0);
	return t + rtt;
}

void build_turn(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.02);
	uint64_t rtt = dflt_us(s->rtt, 0.03);
	long n = dflt_l(s->packets, 10);
	size_t size = (size_t)dflt_l(s->size, 172);
	struct stream st[2];
	uint8_t txid[12];

	stream_init(st, g);
	uint64_t t0 = turn_setup(g, s->start_us, rtt);
	for (long i = 0; i < n; i++)
		for (int d = 0; d <= s->both; d++) {
			struct buf rtp = { 0 };
			rtp_header(&rtp, i == 0, s->pt, st[d].seq++, st[d].ts, st[d].ssrc);
			buf_rand(&rtp, &g->rng, size > 12 ? size - 12 : 0);
			st[d].ts += 960;
			struct buf *b = gflow_udp(g, t0 + (uint64_t)i * gap +
						  (uint64_t)d * gap / 2, d);
			if (s->channel) {
				buf_be16(b, 0x4000);
				buf_be16(b, (unsigned)rtp.len);
				buf_bytes(b, rtp.p, rtp.len);
			} else {
				new_txid(g, txid);
				stun_begin(b, d ? 0x0017 : 0x0016, txid);
				stun_xaddr(b, 0x0012, &s->peer, txid);
				stun_attr(b, 0x0013, rtp.p, rtp.len);
				stun_end(b, 0);
			}
			buf_free(&rtp);
		}
}

/* ---- DNS ---- */

static void dns_name(struct buf *b, const char *name)
{
	while (*name) {
		size_t n = strcspn(name, ".");
		buf_u8(b, (unsigned)n);
		buf_bytes(b, name, n);
		name += n;
		if (*name == '.')
			name++;
	}
	buf_u8(b, 0);
}

static void dns_rr(struct buf *b, unsigned owner, unsigned type,
		   const void *rdata, size_t n)
{
	buf_be16(b, 0xc000 | owner);
	buf_be16(b, type);
	buf_be16(b, 1);
	buf_be32(b, 300);
	buf_be16(b, (unsigned)n);
	buf_bytes(b, rdata, n);
}

static void dns_message(struct buf *b, const struct cf_spec *s, uint16_t id,
			int response)
{
	int qtype = s->nanswer && s->answer[0].v6 ? 28 : 1;
	int an = response ? s->nanswer + (s->cname != NULL) : 0;

	buf_be16(b, id);
	buf_be16(b, !response ? 0x0100 : s->nanswer ? 0x8180 : 0x8183);
	buf_be16(b, 1);
	buf_be16(b, (unsigned)an);
	buf_be32(b, 0);
	dns_name(b, s->query);
	buf_be16(b, (unsigned)qtype);
	buf_be16(b, 1);
	if (!response)
		return;
	unsigned owner = 12;
	if (s->cname) {
		struct buf rd = { 0 };
		dns_name(&rd, s->cname);
		owner = (unsigned)b->len + 12;
		dns_rr(b, 12, 5, rd.p, rd.len);
		buf_free(&rd);
	}
	for (int i = 0; i < s->nanswer; i++) {
		const struct endpoint *a = &s->answer[i];
		dns_rr(b, owner, a->v6 ? 28 : 1, a->ip, a->v6 ? 16 : 4);
	}
}

void build_dns(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.5);
	uint64_t rtt = dflt_us(s->rtt, 0.02);
	long n = dflt_l(s->packets, 1);

	for (long i = 0; i < n; i++) {
		uint64_t t = s->start_us + (uint64_t)i * gap;
		uint16_t id = (uint16_t)prng_next(&g->rng);
		dns_message(gflow_udp(g, t, 0), s, id, 0);
		if (!s->oneway)
			dns_message(gflow_udp(g, t + rtt / 2, 1), s, id, 1);
	}
}

/* ---- DHCP ---- */

static void dhcp_message(struct buf *b, uint32_t xid, unsigned type)
{
	int server = type == 2 || type == 5;
	size_t start = b->len;

	buf_u8(b, server ? 2 : 1);      /* op */
	buf_u8(b, 1);                   /* htype ethernet */
	buf_u8(b, 6);
	buf_u8(b, 0);
	buf_be32(b, xid);
	buf_be16(b, 0);
	buf_be16(b, 0x8000);            /* broadcast */
	buf_zero(b, 4);                 /* ciaddr */
	if (server)
		buf_bytes(b, (const uint8_t[]){ 10, 1, 0, 77 }, 4);
	else
		buf_zero(b, 4);
	buf_zero(b, 8);                 /* siaddr, giaddr */
	buf_bytes(b, (const uint8_t[]){ 2, 0, 0x0a, 0x01, 0x00, 0x4d }, 6);
	buf_zero(b, 10 + 64 + 128);     /* chaddr pad, sname, file */
	buf_be32(b, 0x63825363);
	buf_bytes(b, (const uint8_t[]){ 53, 1, (uint8_t)type }, 3);
	if (server)
		buf_bytes(b, (const uint8_t[]){ 54, 4, 10, 1, 0, 1, 51, 4, 0, 0, 0x0e, 0x10 }, 12);
	else
		buf_bytes(b, (const uint8_t[]){ 55, 4, 1, 3, 6, 15 }, 6);
	buf_u8(b, 255);
	if (b->len - start < 300)
		buf_zero(b, 300 - (b->len - start));
}

void build_dhcp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 1.0);
	long n = dflt_l(s->packets, 2);
	int server = s->src.port == 67;
	uint32_t xid = (uint32_t)prng_next(&g->rng);

	for (long i = 0; i < n; i++) {
		unsigned type = server ? (i % 2 ? 5 : 2) : (i % 2 ? 3 : 1);
		dhcp_message(gflow_udp(g, s->start_us + (uint64_t)i * gap, 0),
			     xid, type);
	}
}

/* ---- raw UDP and TCP ---- */

static void fill(struct gflow *g, struct buf *b, const struct buf *what)
{
	if (what->len)
		buf_bytes(b, what->p, what->len);
	else
		buf_rand(b, &g->rng, (size_t)dflt_l(g->spec->size, 100));
}

void build_udp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.1);
	uint64_t rtt = dflt_us(s->rtt, 0.03);
	long n = dflt_l(s->packets, 1);
	int answer = (s->both || s->reply.len) && !s->oneway;

	for (long i = 0; i < n; i++) {
		uint64_t t = s->start_us + (uint64_t)i * gap;
		fill(g, gflow_udp(g, t, 0), &s->payload);
		if (answer)
			fill(g, gflow_udp(g, t + rtt / 2, 1),
			     s->reply.len ? &s->reply : &s->payload);
	}
}

void build_tcp(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = dflt_us(s->interval, 0.1);
	uint64_t rtt = dflt_us(s->rtt, 0.03);
	long n = dflt_l(s->packets, s->payload.len || s->size >= 0 ? 1 : 0);
	int answer = s->both || s->reply.len;

	uint64_t t = tcp_open(g, s->start_us, rtt);
	for (long i = 0; i < n; i++) {
		t += i ? gap : 100;
		fill(g, gflow_tcp(g, t, 0, TH_PSH | TH_ACK), &s->payload);
		if (answer)
			fill(g, gflow_tcp(g, t + rtt / 2, 1, TH_PSH | TH_ACK),
			     s->reply.len ? &s->reply : &s->payload);
		gflow_tcp(g, t + rtt, answer ? 0 : 1, TH_ACK);
	}
	tcp_shut(g, t + rtt + gap, rtt);
	gflow_tcp_numbers(g);
}
