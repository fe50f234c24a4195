/*
 * test-recog-cert.c - what a DTLS handshake says about the call it keys:
 * the use_srtp extension of a hello (RFC 5764), where the Certificate
 * message's fragments lie, and the names of the certificate (RFC 5280),
 * on messages built byte by byte, cut at every length (run under ASan: a
 * read past the end is a failure), and on hostile DER.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "classify/recog/recog.h"

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put24(struct buf *b, unsigned v) { put8(b, v >> 16); put16(b, v & 0xffff); }
static void put32(struct buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
static void putn(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void putfill(struct buf *b, unsigned v, size_t n) { memset(b->b + b->n, (int)v, n); b->n += n; }

static uint8_t *dup_n(const uint8_t *src, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	memcpy(p, src, n);
	return p;
}

/* --- DER, built inside out ------------------------------------------- */

/* A TLV of tag around v (definite length, short or long form). */
static void tlv(struct buf *out, unsigned tag, const struct buf *v)
{
	put8(out, tag);
	if (v->n < 0x80) {
		put8(out, (unsigned)v->n);
	} else if (v->n < 0x100) {
		put8(out, 0x81);
		put8(out, (unsigned)v->n);
	} else {
		put8(out, 0x82);
		put16(out, (unsigned)v->n);
	}
	putn(out, v->b, v->n);
}

static void tlv_raw(struct buf *out, unsigned tag, const void *p, size_t n)
{
	struct buf v = { .n = 0 };

	putn(&v, p, n);
	tlv(out, tag, &v);
}

/* SET { SEQUENCE { OID 2.5.4.x, UTF8String s } } */
static void rdn(struct buf *name, unsigned attr, const char *s)
{
	struct buf atv = { .n = 0 }, set = { .n = 0 };
	uint8_t oid[3] = { 0x55, 0x04, (uint8_t)attr };

	tlv_raw(&atv, 0x06, oid, 3);
	tlv_raw(&atv, 0x0c, s, strlen(s));
	tlv(&set, 0x30, &atv);
	tlv(name, 0x31, &set);
}

/*
 * A certificate: subject O=org, CN=cn; subjectAltName with the n dNSNames
 * of sans (and an iPAddress between them); the critical flag on the
 * extension when critical.
 */
static void certificate(struct buf *out, const char *cn, const char *const *sans,
			int n, int critical)
{
	static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };
	static const uint8_t oid_bc[] = { 0x55, 0x1d, 0x13 };
	static const uint8_t ip[] = { 192, 0, 2, 1 };
	struct buf tbs = { .n = 0 }, v = { .n = 0 }, name = { .n = 0 };
	struct buf gn = { .n = 0 }, seq = { .n = 0 }, ext = { .n = 0 };
	struct buf exts = { .n = 0 }, ctx3 = { .n = 0 }, cert = { .n = 0 };
	int i;

	put8(&v, 2);
	tlv_raw(&tbs, 0xa0, "\x02\x01\x02", 3);              /* version v3 */
	tlv_raw(&tbs, 0x02, "\x01\x23\x45", 3);              /* serial */
	tlv_raw(&tbs, 0x30, "\x06\x03\x2b\x65\x70", 5);      /* signature alg */
	rdn(&name, 10, "Issuer Org");
	tlv(&tbs, 0x30, &name);                              /* issuer */
	tlv_raw(&tbs, 0x30, "\x17\x01Z\x17\x01Z", 6);        /* validity */
	name.n = 0;
	rdn(&name, 10, "Example Org");
	if (cn != NULL)
		rdn(&name, 3, cn);
	tlv(&tbs, 0x30, &name);                              /* subject */
	tlv_raw(&tbs, 0x30, "\x30\x05\x06\x03\x2b\x65\x70\x03\x01\x00", 10); /* spki */
	/* basicConstraints, then subjectAltName */
	tlv_raw(&ext, 0x06, oid_bc, 3);
	tlv_raw(&ext, 0x04, "\x30\x00", 2);
	tlv(&exts, 0x30, &ext);
	for (i = 0; i < n; i++) {
		tlv_raw(&gn, 0x82, sans[i], strlen(sans[i]));
		if (i == 0)
			tlv_raw(&gn, 0x87, ip, 4);               /* iPAddress */
	}
	tlv(&seq, 0x30, &gn);
	ext.n = 0;
	tlv_raw(&ext, 0x06, oid_san, 3);
	if (critical)
		tlv_raw(&ext, 0x01, "\xff", 1);
	tlv(&ext, 0x04, &seq);
	tlv(&exts, 0x30, &ext);
	tlv(&ctx3, 0x30, &exts);
	tlv(&tbs, 0xa3, &ctx3);
	tlv(&cert, 0x30, &tbs);
	tlv_raw(&cert, 0x30, "\x06\x03\x2b\x65\x70", 5);     /* signatureAlgorithm */
	tlv_raw(&cert, 0x03, "\x00\xaa\xbb", 3);             /* signature */
	out->n = 0;
	tlv(out, 0x30, &cert);
}

static void test_x509_names(void)
{
	static const char *const sans[] = { "*.call.example", "call.example" };
	struct buf c;
	struct cf_x509_names xn;

	certificate(&c, "*.call.example", sans, 2, 0);
	CHECK_INT(cf_recog_x509(c.b, c.n, &xn), CF_REC_YES);
	CHECK_STR(xn.cn, "*.call.example");
	CHECK_INT(xn.n_san, 2);
	CHECK_STR(xn.san[0], "*.call.example");
	CHECK_STR(xn.san[1], "call.example");
	CHECK_INT(xn.san_more, 0);
	CHECK_INT(xn.cut, 0);

	certificate(&c, NULL, sans, 1, 1);                   /* no CN, critical SAN */
	CHECK_INT(cf_recog_x509(c.b, c.n, &xn), CF_REC_YES);
	CHECK_STR(xn.cn, "");
	CHECK_INT(xn.n_san, 1);
	CHECK_STR(xn.san[0], "*.call.example");
}

static void test_x509_many_and_long(void)
{
	static const char *const sans[] = { "a.example", "b.example", "c.example",
		"d.example", "e.example", "f.example" };
	char longname[200];
	const char *const one[] = { longname };
	struct buf c;
	struct cf_x509_names xn;

	certificate(&c, "many", sans, 6, 0);
	CHECK_INT(cf_recog_x509(c.b, c.n, &xn), CF_REC_YES);
	CHECK_INT(xn.n_san, CF_X509_SAN_MAX);
	CHECK_STR(xn.san[3], "d.example");
	CHECK_INT(xn.san_more, 1);

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	certificate(&c, longname, one, 1, 0);
	CHECK_INT(cf_recog_x509(c.b, c.n, &xn), CF_REC_YES);
	CHECK_INT(strlen(xn.cn), CF_X509_NAME_MAX);
	CHECK_INT(strlen(xn.san[0]), CF_X509_NAME_MAX);
	CHECK_INT(xn.cut, 1);
}

/* A name with a NUL or a control byte is never taken. */
static void test_x509_nul_name(void)
{
	static const char *const sans[] = { "ok.example" };
	struct buf c;
	struct cf_x509_names xn;
	size_t i;

	certificate(&c, "evil.example", sans, 1, 0);
	for (i = 0; i + 12 <= c.n; i++)
		if (memcmp(c.b + i, "evil.example", 12) == 0)
			c.b[i + 4] = '\0';                  /* "evil\0example" */
	CHECK_INT(cf_recog_x509(c.b, c.n, &xn), CF_REC_YES);
	CHECK_STR(xn.cn, "");
	CHECK_STR(xn.san[0], "ok.example");
}

/* Every prefix: never YES before the extensions are whole, never a read
 * past the end; once the subject is there, its CN is kept. */
static void test_x509_truncated_everywhere(void)
{
	static const char *const sans[] = { "*.call.example" };
	struct buf c;
	struct cf_x509_names xn;
	size_t n, subject_end = 0;
	int early_yes = 0, cn_lost = 0;
	enum cf_rec r;

	certificate(&c, "cn.example", sans, 1, 0);
	for (n = 0; n + 10 <= c.n; n++)
		if (memcmp(c.b + n, "cn.example", 10) == 0)
			subject_end = n + 10;
	CHECK(subject_end > 0);
	for (n = 0; n < c.n; n++) {
		uint8_t *p = dup_n(c.b, n);

		r = cf_recog_x509(p, n, &xn);
		if (r == CF_REC_YES && xn.n_san == 0)
			early_yes++;
		if (n >= subject_end && r != CF_REC_NO && strcmp(xn.cn, "cn.example") != 0)
			cn_lost++;
		free(p);
	}
	CHECK_INT(early_yes, 0);
	CHECK_INT(cn_lost, 0);
}

static void test_x509_hostile(void)
{
	/* lengths that lie, indefinite length, high tag numbers, garbage */
	static const uint8_t huge[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00 };
	static const uint8_t indef[] = { 0x30, 0x80, 0x30, 0x80, 0x00, 0x00 };
	static const uint8_t hightag[] = { 0x30, 0x04, 0x3f, 0x81, 0x01, 0x00 };
	static const uint8_t notder[] = "GET / HTTP/1.1\r\n";
	static const uint8_t lie[] = { 0x30, 0x82, 0x10, 0x00, 0x30, 0x82, 0x0f, 0xfc,
		0x02, 0x7f, 0x01 };
	struct cf_x509_names xn;
	struct buf c;
	size_t i;
	int crashes_would_show = 0;

	CHECK_INT(cf_recog_x509(huge, sizeof(huge), &xn), CF_REC_NO);
	CHECK_INT(cf_recog_x509(indef, sizeof(indef), &xn), CF_REC_NO);
	CHECK_INT(cf_recog_x509(hightag, sizeof(hightag), &xn), CF_REC_NO);
	CHECK_INT(cf_recog_x509(notder, sizeof(notder) - 1, &xn), CF_REC_NO);
	CHECK_INT(cf_recog_x509(lie, sizeof(lie), &xn), CF_REC_TRUNCATED);
	CHECK_INT(cf_recog_x509(lie, 0, &xn), CF_REC_NO);
	/* every byte of a good certificate flipped: no crash, names stay C strings */
	certificate(&c, "x.example", NULL, 0, 0);
	for (i = 0; i < c.n; i++) {
		uint8_t *p = dup_n(c.b, c.n);

		p[i] ^= 0xff;
		cf_recog_x509(p, c.n, &xn);
		crashes_would_show += strlen(xn.cn) > CF_X509_NAME_MAX;
		free(p);
	}
	CHECK_INT(crashes_would_show, 0);
}

/* --- DTLS hellos and certificate fragments ---------------------------- */

/* One epoch-0 handshake record holding one message fragment. */
static void hs_record(struct buf *b, unsigned type, const struct buf *body,
		      size_t off, size_t flen)
{
	put8(b, 22); put16(b, 0xfefd); put16(b, 0); put16(b, 0); put32(b, 1);
	put16(b, (unsigned)(12 + flen));
	put8(b, type); put24(b, (unsigned)body->n); put16(b, 0);
	put24(b, (unsigned)off); put24(b, (unsigned)flen);
	putn(b, body->b + off, flen);
}

/* ClientHello (RFC 6347 4.2.1) with or without use_srtp among extensions. */
static void client_hello_body(struct buf *h, int use_srtp)
{
	size_t ext_at;

	h->n = 0;
	put16(h, 0xfefd); putfill(h, 0x44, 32);
	put8(h, 0);                                  /* session id */
	put8(h, 0);                                  /* cookie */
	put16(h, 2); put16(h, 0xc02b);
	put8(h, 1); put8(h, 0);
	ext_at = h->n; put16(h, 0);
	put16(h, 0xff01); put16(h, 1); put8(h, 0);   /* renegotiation_info */
	if (use_srtp) {                              /* SRTP_AES128_CM_HMAC_SHA1_80 */
		put16(h, 14); put16(h, 5); put16(h, 2); put16(h, 0x0001); put8(h, 0);
	}
	put16(h, 23); put16(h, 0);                   /* extended_master_secret */
	h->b[ext_at] = (uint8_t)((h->n - ext_at - 2) >> 8);
	h->b[ext_at + 1] = (uint8_t)(h->n - ext_at - 2);
}

/* ServerHello: cipher suite, compression, extensions. */
static void server_hello_body(struct buf *h, int use_srtp)
{
	h->n = 0;
	put16(h, 0xfefd); putfill(h, 0x55, 32);
	put8(h, 0); put16(h, 0xc02b); put8(h, 0);
	put16(h, use_srtp ? 9 : 0);
	if (use_srtp) {
		put16(h, 14); put16(h, 5); put16(h, 2); put16(h, 0x0001); put8(h, 0);
	}
}

static void test_dtls_use_srtp(void)
{
	struct buf h, b;
	struct cf_dtls_info di;
	size_t n;
	int bad = 0;

	client_hello_body(&h, 1);
	b.n = 0;
	hs_record(&b, 1, &h, 0, h.n);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.hello, 1);
	CHECK_INT(di.use_srtp, 1);
	for (n = 0; n < b.n; n++) {                 /* cut: never a use_srtp */
		uint8_t *p = dup_n(b.b, n);

		cf_recog_dtls(p, n, &di);
		bad += di.use_srtp && n < b.n - 3;
		free(p);
	}
	CHECK_INT(bad, 0);

	client_hello_body(&h, 0);                   /* a game relay's hello */
	b.n = 0;
	hs_record(&b, 1, &h, 0, h.n);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.hello, 1);
	CHECK_INT(di.use_srtp, 0);

	server_hello_body(&h, 1);
	b.n = 0;
	hs_record(&b, 2, &h, 0, h.n);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.hello, 2);
	CHECK_INT(di.use_srtp, 1);

	/* a hello in two fragments is not read (nothing is guessed) */
	client_hello_body(&h, 1);
	b.n = 0;
	hs_record(&b, 1, &h, 0, 40);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.hello, 0);
	CHECK_INT(di.use_srtp, 0);

	/* an extension list that lies about its length */
	client_hello_body(&h, 1);
	h.b[h.n - 2 - 9 - 4 - 5 - 2] = 0x7f;
	b.n = 0;
	hs_record(&b, 1, &h, 0, h.n);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.use_srtp, 0);
}

/* ServerHello + Certificate (two fragments, two datagrams) as a server's
 * flight: the fragments' places let the caller rebuild the certificate. */
static void test_dtls_cert_fragments(void)
{
	static const char *const sans[] = { "*.call.example" };
	struct buf h, cert, msg, d1, d2, whole;
	struct cf_dtls_info di;
	struct cf_x509_names xn;
	size_t half;

	server_hello_body(&h, 1);
	certificate(&cert, "*.call.example", sans, 1, 0);
	msg.n = 0;                                    /* Certificate message body */
	put24(&msg, (unsigned)(cert.n + 3));
	put24(&msg, (unsigned)cert.n);
	putn(&msg, cert.b, cert.n);
	half = msg.n - 40;                            /* the SAN extension in the second */
	d1.n = 0;
	hs_record(&d1, 2, &h, 0, h.n);
	hs_record(&d1, 11, &msg, 0, half);
	d2.n = 0;
	hs_record(&d2, 11, &msg, half, msg.n - half);

	CHECK_INT(cf_recog_dtls(d1.b, d1.n, &di), CF_REC_YES);
	CHECK_INT(di.hello, 2);
	CHECK_INT(di.n_cert, 1);
	CHECK_INT(di.cert[0].msg_len, msg.n);
	CHECK_INT(di.cert[0].frag_off, 0);
	CHECK_INT(di.cert[0].frag_len, half);
	whole.n = 0;
	putn(&whole, d1.b + di.cert[0].data_off, di.cert[0].frag_len);
	CHECK_INT(cf_recog_x509(whole.b + 6, whole.n - 6, &xn), CF_REC_TRUNCATED);
	CHECK_STR(xn.cn, "*.call.example");

	CHECK_INT(cf_recog_dtls(d2.b, d2.n, &di), CF_REC_YES);
	CHECK_INT(di.n_cert, 1);
	CHECK_INT(di.cert[0].frag_off, half);
	putn(&whole, d2.b + di.cert[0].data_off, di.cert[0].frag_len);
	CHECK_INT(cf_recog_x509(whole.b + 6, whole.n - 6, &xn), CF_REC_YES);
	CHECK_INT(xn.n_san, 1);
	CHECK_STR(xn.san[0], "*.call.example");

	/* a fragment that claims to end past its message is not taken */
	d2.b[13 + 1] = 0;                             /* message length 0x00xxxx -> small */
	d2.b[13 + 2] = 0;
	d2.b[13 + 3] = 1;
	CHECK_INT(cf_recog_dtls(d2.b, d2.n, &di), CF_REC_YES);
	CHECK_INT(di.n_cert, 0);
}

int main(void)
{
	RUN(test_x509_names);
	RUN(test_x509_many_and_long);
	RUN(test_x509_nul_name);
	RUN(test_x509_truncated_everywhere);
	RUN(test_x509_hostile);
	RUN(test_dtls_use_srtp);
	RUN(test_dtls_cert_fragments);
	return harness_done();
}
