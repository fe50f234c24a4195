/*
 * cfgen-tls.c - TLS over TCP and DTLS over UDP handshakes.
 *
 * TLS (RFC 8446, RFC 5246):
 *   record     type(1) version(2) length(2)         0x16 0x0301 for ClientHello
 *   handshake  msg_type(1) length(3) body
 *   ClientHello: legacy_version 0x0303, random(32), session_id<32>,
 *     cipher_suites<2..>, compression<1>, extensions: server_name (RFC 6066),
 *     supported_groups, ec_point_formats, signature_algorithms, ALPN
 *     (RFC 7301), and for 1.3 supported_versions, key_share,
 *     psk_key_exchange_modes.
 *
 * DTLS 1.2 (RFC 6347):
 *   record     type(1) version(2)=0xfefd epoch(2) seq(6) length(2)
 *   handshake  msg_type(1) length(3) message_seq(2) fragment_offset(3)
 *              fragment_length(3) body
 *   flight: ClientHello, HelloVerifyRequest(cookie), ClientHello(cookie),
 *   ServerHello+ServerHelloDone, ClientKeyExchange+CCS+Finished,
 *   CCS+Finished, then application data (epoch 1).  The ClientHello offers
 *   use_srtp (RFC 5764): this is DTLS-SRTP, and media=N adds SRTP packets
 *   on the same 5-tuple after the handshake.
 */
#include <string.h>
#include "cfgen.h"

#define US(sec) ((uint64_t)((sec) * 1e6 + 0.5))

static size_t len16_begin(struct buf *b)
{
	buf_be16(b, 0);
	return b->len - 2;
}

static void len16_end(struct buf *b, size_t off)
{
	buf_put_be16(b, off, (unsigned)(b->len - off - 2));
}

/* ---- extensions ---- */

static void ext_sni(struct buf *b, const char *name)
{
	buf_be16(b, 0x0000);
	size_t e = len16_begin(b);
	size_t l = len16_begin(b);
	buf_u8(b, 0);                   /* host_name */
	buf_be16(b, (unsigned)strlen(name));
	buf_str(b, name);
	len16_end(b, l);
	len16_end(b, e);
}

static void ext_alpn(struct buf *b, const char *list)
{
	buf_be16(b, 0x0010);
	size_t e = len16_begin(b);
	size_t l = len16_begin(b);
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		buf_u8(b, (unsigned)n);
		buf_bytes(b, p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	len16_end(b, l);
	len16_end(b, e);
}

static void ext_u16_list(struct buf *b, unsigned type, const uint16_t *v,
			 size_t n, int len8)
{
	buf_be16(b, type);
	size_t e = len16_begin(b);
	if (len8)
		buf_u8(b, (unsigned)(2 * n));
	else
		buf_be16(b, (unsigned)(2 * n));
	for (size_t i = 0; i < n; i++)
		buf_be16(b, v[i]);
	len16_end(b, e);
}

static void ext_key_share(struct buf *b, struct prng *r, int server)
{
	buf_be16(b, 0x0033);
	size_t e = len16_begin(b);
	size_t l = server ? 0 : len16_begin(b);
	buf_be16(b, 0x001d);            /* x25519 */
	buf_be16(b, 32);
	buf_rand(b, r, 32);
	if (!server)
		len16_end(b, l);
	len16_end(b, e);
}

static void ext_raw(struct buf *b, unsigned type, const uint8_t *d, size_t n)
{
	buf_be16(b, type);
	buf_be16(b, (unsigned)n);
	buf_bytes(b, d, n);
}

static const uint16_t groups[] = { 0x001d, 0x0017, 0x0018 };
static const uint16_t sigalgs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805,
				    0x0501, 0x0806, 0x0601 };
static const uint16_t suites13[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
				     0xc02c, 0xc030, 0xcca9, 0xcca8 };
static const uint16_t suites12[] = { 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
				     0xcca8, 0xc013, 0xc014, 0x009c, 0x002f };
static const uint16_t versions[] = { 0x0304, 0x0303 };

/* ---- ClientHello / ServerHello bodies ---- */

static void client_hello(struct buf *b, const struct cf_spec *s, struct prng *r,
			 const uint8_t random[32], int dtls,
			 const uint8_t *cookie, size_t cookielen)
{
	const uint16_t *cs = s->tls13 && !dtls ? suites13 : suites12;
	size_t ncs = s->tls13 && !dtls ? 9 : 10;

	buf_be16(b, dtls ? 0xfefd : 0x0303);
	buf_bytes(b, random, 32);
	if (dtls) {
		buf_u8(b, 0);           /* session id */
		buf_u8(b, (unsigned)cookielen);
		buf_bytes(b, cookie, cookielen);
	} else {
		buf_u8(b, 32);
		buf_rand(b, r, 32);
	}
	buf_be16(b, (unsigned)(2 * ncs));
	for (size_t i = 0; i < ncs; i++)
		buf_be16(b, cs[i]);
	buf_u8(b, 1);
	buf_u8(b, 0);                   /* null compression */
	size_t ext = len16_begin(b);
	if (s->sni && *s->sni)
		ext_sni(b, s->sni);
	ext_u16_list(b, 0x000a, groups, 3, 0);
	ext_raw(b, 0x000b, (const uint8_t[]){ 1, 0 }, 2);
	ext_u16_list(b, 0x000d, sigalgs, 8, 0);
	if (dtls) {
		if (s->srtp)
			ext_raw(b, 0x000e, (const uint8_t[]){ 0, 4, 0, 7, 0, 1, 0 }, 7);
		ext_raw(b, 0x0017, NULL, 0);
	} else {
		const char *alpn = s->alpn ? s->alpn : "h2,http/1.1";
		if (*alpn)
			ext_alpn(b, alpn);
		if (s->tls13) {
			ext_u16_list(b, 0x002b, versions, 2, 1);
			ext_key_share(b, r, 0);
			ext_raw(b, 0x002d, (const uint8_t[]){ 1, 1 }, 2);
		}
	}
	len16_end(b, ext);
}

static void server_hello(struct buf *b, const struct cf_spec *s, struct prng *r,
			 int dtls)
{
	buf_be16(b, dtls ? 0xfefd : 0x0303);
	buf_rand(b, r, 32);
	buf_u8(b, 32);
	buf_rand(b, r, 32);
	buf_be16(b, s->tls13 && !dtls ? 0x1301 : 0xc02b);
	buf_u8(b, 0);
	size_t ext = len16_begin(b);
	if (dtls) {
		if (s->srtp)
			ext_raw(b, 0x000e, (const uint8_t[]){ 0, 2, 0, 7, 0 }, 5);
		ext_raw(b, 0x0017, NULL, 0);
	} else if (s->tls13) {
		ext_raw(b, 0x002b, (const uint8_t[]){ 0x03, 0x04 }, 2);
		ext_key_share(b, r, 1);
	} else {
		ext_raw(b, 0xff01, (const uint8_t[]){ 0 }, 1);
		const char *alpn = s->alpn ? s->alpn : "h2,http/1.1";
		if (*alpn) {            /* the server picks the first offered */
			char first[64];
			size_t n = strcspn(alpn, ",");
			if (n >= sizeof(first))
				n = sizeof(first) - 1;
			memcpy(first, alpn, n);
			first[n] = '\0';
			ext_alpn(b, first);
		}
	}
	len16_end(b, ext);
}

/* ---- TLS over TCP ---- */

/* A TLS record of type around a handshake message of msg_type. */
static void tls_handshake_record(struct buf *b, unsigned version,
				 unsigned msg_type, const struct buf *body)
{
	buf_u8(b, 22);
	buf_be16(b, version);
	buf_be16(b, (unsigned)(body->len + 4));
	buf_u8(b, msg_type);
	buf_be24(b, (uint32_t)body->len);
	buf_bytes(b, body->p, body->len);
}

static void tls_record(struct buf *b, unsigned type, struct prng *r, size_t n)
{
	buf_u8(b, type);
	buf_be16(b, 0x0303);
	buf_be16(b, (unsigned)n);
	buf_rand(b, r, n);
}

static void tls_server_flight(struct gflow *g, struct buf *out)
{
	const struct cf_spec *s = g->spec;
	struct buf body = { 0 };

	server_hello(&body, s, &g->rng, 0);
	tls_handshake_record(out, 0x0303, 2, &body);
	if (s->tls13) {
		buf_bytes(out, (const uint8_t[]){ 20, 3, 3, 0, 1, 1 }, 6);
		tls_record(out, 23, &g->rng, 90);   /* encrypted extensions etc. */
	} else {
		buf_bytes(out, (const uint8_t[]){ 22, 3, 3, 0, 4, 14, 0, 0, 0 }, 9);
	}
	buf_free(&body);
}

void build_tls(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = US(s->rtt >= 0 ? s->rtt : 0.03);
	uint64_t gap = US(s->interval >= 0 ? s->interval : 0.05);
	long n = s->packets >= 0 ? s->packets : 2;
	size_t size = s->size >= 0 ? (size_t)s->size : 120;
	uint8_t random[32];
	struct buf body = { 0 };

	uint64_t t = tcp_open(g, s->start_us, rtt) + 100;
	for (int i = 0; i < 32; i++)
		random[i] = (uint8_t)prng_next(&g->rng);
	client_hello(&body, s, &g->rng, random, 0, NULL, 0);
	tls_handshake_record(gflow_tcp(g, t, 0, TH_PSH | TH_ACK), 0x0301, 1, &body);
	buf_free(&body);
	t += rtt / 2;
	if (n >= 2) {
		tls_server_flight(g, gflow_tcp(g, t, 1, TH_PSH | TH_ACK));
		gflow_tcp(g, t + rtt / 2, 0, TH_ACK);
	}
	for (long i = 2; i < n; i++) {
		t += gap;
		tls_record(gflow_tcp(g, t, (int)(i % 2), TH_PSH | TH_ACK), 23,
			   &g->rng, size);
	}
	tcp_shut(g, t + gap, rtt);
	gflow_tcp_numbers(g);
}

/* ---- DTLS over UDP ---- */

struct dtls_side {
	uint64_t rec_seq[2];    /* per epoch */
	unsigned msg_seq;
};

static void dtls_record(struct buf *b, unsigned type, unsigned epoch,
			struct dtls_side *d, const uint8_t *frag, size_t n)
{
	buf_u8(b, type);
	buf_be16(b, 0xfefd);
	buf_be16(b, epoch);
	buf_be48(b, d->rec_seq[epoch]++);
	buf_be16(b, (unsigned)n);
	buf_bytes(b, frag, n);
}

/* One unfragmented handshake message in its own epoch-0 record. */
static void dtls_handshake(struct buf *b, struct dtls_side *d, unsigned msg_type,
			   const struct buf *body)
{
	struct buf m = { 0 };

	buf_u8(&m, msg_type);
	buf_be24(&m, (uint32_t)body->len);
	buf_be16(&m, d->msg_seq++);
	buf_be24(&m, 0);
	buf_be24(&m, (uint32_t)body->len);
	buf_bytes(&m, body->p, body->len);
	dtls_record(b, 22, 0, d, m.p, m.len);
	buf_free(&m);
}

/* ---- certificates (RFC 5280), for cert=NAME ---- */

/* A DER TLV of tag around the n bytes at v. */
static void der(struct buf *b, unsigned tag, const uint8_t *v, size_t n)
{
	buf_u8(b, tag);
	if (n < 0x80) {
		buf_u8(b, (unsigned)n);
	} else if (n < 0x100) {
		buf_u8(b, 0x81);
		buf_u8(b, (unsigned)n);
	} else {
		buf_u8(b, 0x82);
		buf_be16(b, (unsigned)n);
	}
	buf_bytes(b, v, n);
}

static void der_buf(struct buf *b, unsigned tag, const struct buf *v)
{
	der(b, tag, v->p, v->len);
}

/* Name ::= SEQUENCE { SET { SEQUENCE { OID 2.5.4.attr, UTF8String } } } */
static void der_name(struct buf *b, unsigned attr, const char *value)
{
	struct buf atv = { 0 }, set = { 0 }, seq = { 0 };

	der(&atv, 0x06, (const uint8_t[]){ 0x55, 0x04, (uint8_t)attr }, 3);
	der(&atv, 0x0c, (const uint8_t *)value, strlen(value));
	der_buf(&set, 0x30, &atv);
	der_buf(&seq, 0x31, &set);
	der_buf(b, 0x30, &seq);
	buf_free(&atv);
	buf_free(&set);
	buf_free(&seq);
}

/*
 * A certificate for name: subject CN=name, subjectAltName dNSName name,
 * and before it an opaque extension of pad bytes (so that a large pad
 * puts the names in later fragments).  Signature and key are random
 * bytes: nothing here is ever verified.
 */
static void x509_cert(struct buf *out, const char *name, size_t pad, struct prng *r)
{
	static const uint8_t alg[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };   /* Ed25519 */
	struct buf tbs = { 0 }, x = { 0 }, ext = { 0 }, exts = { 0 }, tmp = { 0 };
	struct buf cert = { 0 };

	der(&tbs, 0xa0, (const uint8_t[]){ 0x02, 0x01, 0x02 }, 3);
	buf_rand(&x, r, 8);
	x.p[0] &= 0x7f;
	der_buf(&tbs, 0x02, &x);
	der(&tbs, 0x30, alg, sizeof(alg));
	der_name(&tbs, 3, "cfgen test CA");
	der(&tbs, 0x30, (const uint8_t *)"\x17\x0d" "260101000000Z" "\x17\x0d" "270101000000Z", 30);
	der_name(&tbs, 3, name);
	x.len = 0;
	der(&x, 0x30, alg, sizeof(alg));
	buf_u8(&tmp, 0);
	buf_rand(&tmp, r, 32);
	der_buf(&x, 0x03, &tmp);
	der_buf(&tbs, 0x30, &x);                        /* subjectPublicKeyInfo */
	if (pad > 0) {                                  /* 1.3.6.1.4.1.99999.1 */
		tmp.len = 0;
		buf_rand(&tmp, r, pad);
		x.len = 0;
		der(&x, 0x06, (const uint8_t[]){ 0x2b, 0x06, 0x01, 0x04, 0x01,
						  0x86, 0x8d, 0x1f, 0x01 }, 9);
		der_buf(&x, 0x04, &tmp);
		der_buf(&exts, 0x30, &x);
	}
	tmp.len = 0;
	der(&tmp, 0x82, (const uint8_t *)name, strlen(name));
	x.len = 0;
	der_buf(&x, 0x30, &tmp);
	ext.len = 0;
	der(&ext, 0x06, (const uint8_t[]){ 0x55, 0x1d, 0x11 }, 3);
	der_buf(&ext, 0x04, &x);
	der_buf(&exts, 0x30, &ext);
	x.len = 0;
	der_buf(&x, 0x30, &exts);
	der_buf(&tbs, 0xa3, &x);
	der_buf(&cert, 0x30, &tbs);
	der(&cert, 0x30, alg, sizeof(alg));
	tmp.len = 0;
	buf_u8(&tmp, 0);
	buf_rand(&tmp, r, 64);
	der_buf(&cert, 0x03, &tmp);
	der_buf(out, 0x30, &cert);
	buf_free(&tbs);
	buf_free(&x);
	buf_free(&ext);
	buf_free(&exts);
	buf_free(&tmp);
	buf_free(&cert);
}

/* The most of a Certificate message one datagram carries (then the next
 * fragment goes in the next datagram, as real stacks do near the MTU). */
#define DTLS_CERT_FRAG 900

/*
 * The server's Certificate message (RFC 5246 7.4.2: certificate_list of
 * one) in fragments of at most DTLS_CERT_FRAG bytes, one datagram each
 * after the first (which also holds what b already has).
 */
static void dtls_certificate(struct gflow *g, uint64_t t, struct dtls_side *d,
			     struct buf *b)
{
	const struct cf_spec *s = g->spec;
	struct buf c = { 0 }, msg = { 0 };
	size_t off = 0, n;
	unsigned seq = d->msg_seq++;

	x509_cert(&c, s->cert, s->certpad > 0 ? (size_t)s->certpad : 0, &g->rng);
	buf_be24(&msg, (uint32_t)(c.len + 3));
	buf_be24(&msg, (uint32_t)c.len);
	buf_bytes(&msg, c.p, c.len);
	while (off < msg.len) {
		struct buf m = { 0 };
		struct buf *out = b;

		n = msg.len - off < DTLS_CERT_FRAG ? msg.len - off : DTLS_CERT_FRAG;
		buf_u8(&m, 11);
		buf_be24(&m, (uint32_t)msg.len);
		buf_be16(&m, seq);
		buf_be24(&m, (uint32_t)off);
		buf_be24(&m, (uint32_t)n);
		buf_bytes(&m, msg.p + off, n);
		if (off > 0)
			out = gflow_udp(g, t, 1);
		dtls_record(out, 22, 0, d, m.p, m.len);
		buf_free(&m);
		off += n;
	}
	buf_free(&c);
	buf_free(&msg);
}

/* Finished (encrypted, so opaque) after ChangeCipherSpec. */
static void dtls_finish(struct buf *b, struct dtls_side *d, struct prng *r)
{
	struct buf x = { 0 };

	dtls_record(b, 20, 0, d, (const uint8_t[]){ 1 }, 1);
	buf_rand(&x, r, 40);
	dtls_record(b, 22, 1, d, x.p, x.len);
	buf_free(&x);
}

/* Flight number i (0-based) of the handshake into b; direction returned. */
static int dtls_flight(struct gflow *g, int i, struct dtls_side side[2],
		       const uint8_t random[32], const uint8_t cookie[20],
		       struct buf *b)
{
	const struct cf_spec *s = g->spec;
	struct buf body = { 0 };

	switch (i) {
	case 0:
	case 2:
		client_hello(&body, s, &g->rng, random, 1, cookie, i ? 20 : 0);
		dtls_handshake(b, &side[0], 1, &body);
		break;
	case 1:
		buf_be16(&body, 0xfefd);
		buf_u8(&body, 20);
		buf_bytes(&body, cookie, 20);
		dtls_handshake(b, &side[1], 3, &body);
		side[1].msg_seq = 1;    /* HelloVerifyRequest does not count */
		break;
	case 3:
		server_hello(&body, s, &g->rng, 1);
		dtls_handshake(b, &side[1], 2, &body);
		body.len = 0;
		if (s->cert == NULL)
			dtls_handshake(b, &side[1], 14, &body);
		break;
	case 4:
		buf_u8(&body, 32);
		buf_rand(&body, &g->rng, 32);
		dtls_handshake(b, &side[0], 16, &body);
		dtls_finish(b, &side[0], &g->rng);
		break;
	default:
		dtls_finish(b, &side[1], &g->rng);
		break;
	}
	buf_free(&body);
	return i == 1 || i == 3 || i == 5;
}

static void dtls_srtp(struct gflow *g, uint64_t t, long count, size_t size)
{
	const struct cf_spec *s = g->spec;
	uint64_t gap = US(s->interval >= 0 ? s->interval : 0.02);
	uint32_t ssrc[2] = { s->ssrc, s->ssrc ^ 0x5a5a5a5au };
	uint16_t seq[2];
	uint32_t ts[2];

	for (int d = 0; d < 2; d++) {   /* one draw per statement: fixed order */
		seq[d] = (uint16_t)prng_next(&g->rng);
		ts[d] = (uint32_t)prng_next(&g->rng);
	}

	if (size < 12 + 10)
		size = 12 + 10;
	for (long i = 0; i < count; i++) {
		for (int d = 0; d < 2; d++) {
			struct buf *b = gflow_udp(g, t + (uint64_t)d * gap / 2, d);
			rtp_header(b, i == 0, s->pt, seq[d]++, ts[d], ssrc[d]);
			buf_rand(b, &g->rng, size - 12);   /* payload + auth tag */
			ts[d] += 960;
		}
		t += gap;
	}
}

void build_dtls(struct gflow *g)
{
	const struct cf_spec *s = g->spec;
	uint64_t rtt = US(s->rtt >= 0 ? s->rtt : 0.03);
	uint64_t gap = US(s->interval >= 0 ? s->interval : 0.02);
	long n = s->packets >= 0 ? s->packets : 6;
	size_t size = s->size >= 0 ? (size_t)s->size : 100;
	struct dtls_side side[2];
	uint8_t random[32], cookie[20];
	uint64_t t = s->start_us;

	memset(side, 0, sizeof(side));
	for (int i = 0; i < 32; i++)
		random[i] = (uint8_t)prng_next(&g->rng);
	for (int i = 0; i < 20; i++)
		cookie[i] = (uint8_t)prng_next(&g->rng);
	for (long i = 0; i < n && i < 6; i++) {
		struct buf b = { 0 };
		int dir = dtls_flight(g, (int)i, side, random, cookie, &b);
		struct buf *out = gflow_udp(g, t, dir);

		*out = b;
		if (i == 3 && s->cert != NULL) {    /* Certificate, ServerHelloDone */
			struct buf body = { 0 };

			dtls_certificate(g, t, &side[1], out);
			dtls_handshake(gflow_udp(g, t, 1), &side[1], 14, &body);
		}
		t += rtt / 2;
	}
	for (long i = 6; i < n; i++) {          /* application data, epoch 1 */
		int dir = (int)(i % 2);
		struct buf x = { 0 };
		buf_rand(&x, &g->rng, size);
		dtls_record(gflow_udp(g, t, dir), 23, 1, &side[dir], x.p, x.len);
		buf_free(&x);
		t += gap;
	}
	if (s->media > 0)
		dtls_srtp(g, t, s->media, s->size >= 0 ? (size_t)s->size : 172);
}
