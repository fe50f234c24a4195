/*
 * test-recog.c - the wire recognisers on packets built byte by byte from
 * the RFC layouts, cut at every length (run under ASan: a read past the
 * end is a failure), and on lookalikes that must not pass.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "classify/recog/recog.h"
#include "classify/recog/recog-int.h"

struct buf {
	uint8_t b[2048];
	size_t n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put24(struct buf *b, unsigned v) { put8(b, v >> 16); put16(b, v & 0xffff); }
static void put32(struct buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
static void putn(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void putfill(struct buf *b, unsigned v, size_t n) { memset(b->b + b->n, (int)v, n); b->n += n; }
static void set16(struct buf *b, size_t at, unsigned v) { b->b[at] = (uint8_t)(v >> 8); b->b[at + 1] = (uint8_t)v; }
static void set24(struct buf *b, size_t at, unsigned v) { b->b[at] = (uint8_t)(v >> 16); set16(b, at + 1, v & 0xffff); }

/* An exact-size heap copy so ASan sees any read past n. */
static uint8_t *dup_n(const struct buf *b, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	memcpy(p, b->b, n);
	return p;
}

/* --- TLS ---------------------------------------------------------------- */

static size_t sni_end;   /* offset just past the SNI extension */

/* RFC 8446 4.1.2 ClientHello in a handshake record. */
static void client_hello(struct buf *b, const char *sni, const char *alpn)
{
	size_t rec_len_at, hs_len_at, ext_len_at, l;

	b->n = 0;
	put8(b, 22); put16(b, 0x0301); rec_len_at = b->n; put16(b, 0);
	put8(b, 1); hs_len_at = b->n; put24(b, 0);
	put16(b, 0x0303); putfill(b, 0x11, 32);          /* version, random */
	put8(b, 32); putfill(b, 0x22, 32);               /* session id */
	put16(b, 6); put16(b, 0x1301); put16(b, 0x1302); put16(b, 0xc02f);
	put8(b, 1); put8(b, 0);                          /* compression: null */
	ext_len_at = b->n; put16(b, 0);
	put16(b, 0x0a0a); put16(b, 0);                   /* GREASE extension */
	l = strlen(sni);                                 /* server_name */
	put16(b, 0); put16(b, (unsigned)l + 5); put16(b, (unsigned)l + 3);
	put8(b, 0); put16(b, (unsigned)l); putn(b, sni, l);
	sni_end = b->n;
	l = strlen(alpn);                                /* ALPN: alpn, http/1.1 */
	put16(b, 16); put16(b, (unsigned)l + 1 + 9 + 2); put16(b, (unsigned)l + 1 + 9);
	put8(b, (unsigned)l); putn(b, alpn, l); put8(b, 8); putn(b, "http/1.1", 8);
	put16(b, 43); put16(b, 7); put8(b, 6);           /* supported_versions */
	put16(b, 0x1a1a); put16(b, 0x0304); put16(b, 0x0303);
	set16(b, ext_len_at, (unsigned)(b->n - ext_len_at - 2));
	set24(b, hs_len_at, (unsigned)(b->n - hs_len_at - 3));
	set16(b, rec_len_at, (unsigned)(b->n - rec_len_at - 2));
}

static void test_tls_client_hello(void)
{
	struct buf b;
	struct cf_tls_info ti;

	client_hello(&b, "zoomsjc1mmr.zoom.us", "h2");
	CHECK_INT(cf_recog_tls(b.b, b.n, &ti), CF_REC_YES);
	CHECK_INT(ti.is_client_hello, 1);
	CHECK_INT(ti.is_server_hello, 0);
	CHECK_INT(ti.content_type, 22);
	CHECK_INT(ti.record_version, 0x0301);
	CHECK_INT(ti.legacy_version, 0x0303);
	CHECK_INT(ti.version, 0x0304);
	CHECK_INT(ti.has_sni, 1);
	CHECK_STR(ti.sni, "zoomsjc1mmr.zoom.us");
	CHECK_INT(ti.sni_len, 19);
	CHECK_STR(ti.alpn, "h2");
}

static void test_tls_truncated_everywhere(void)
{
	struct buf b;
	struct cf_tls_info ti;
	size_t n;
	int bad = 0, sni_bad = 0;

	client_hello(&b, "zoomsjc1mmr.zoom.us", "h2");
	for (n = 0; n <= b.n; n++) {
		uint8_t *p = dup_n(&b, n);
		enum cf_rec r = cf_recog_tls(p, n, &ti);
		enum cf_rec want = n == 0 ? CF_REC_NO :
				   n == b.n ? CF_REC_YES : CF_REC_TRUNCATED;

		bad += r != want;
		sni_bad += ti.has_sni != (n >= sni_end) ||
			   (ti.has_sni && strcmp(ti.sni, "zoomsjc1mmr.zoom.us") != 0);
		free(p);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(sni_bad, 0);
}

static void test_tls_long_sni(void)
{
	struct buf b;
	struct cf_tls_info ti;
	char name[301];

	memset(name, 'a', 300);
	name[300] = '\0';
	client_hello(&b, name, "h2");
	CHECK_INT(cf_recog_tls(b.b, b.n, &ti), CF_REC_YES);
	CHECK_INT(strlen(ti.sni), CF_TLS_SNI_MAX);
	CHECK_INT(ti.sni_len, CF_TLS_SNI_MAX);
	CHECK_STR(ti.alpn, "h2");
}

static void test_tls_server_hello(void)
{
	struct buf b = { .n = 0 };
	struct cf_tls_info ti;

	put8(&b, 22); put16(&b, 0x0303); put16(&b, 4 + 2 + 32 + 1 + 3 + 2 + 6);
	put8(&b, 2); put24(&b, 2 + 32 + 1 + 3 + 2 + 6);
	put16(&b, 0x0303); putfill(&b, 0x33, 32); put8(&b, 0);
	put16(&b, 0x1301); put8(&b, 0);
	put16(&b, 6); put16(&b, 43); put16(&b, 2); put16(&b, 0x0304);
	CHECK_INT(cf_recog_tls(b.b, b.n, &ti), CF_REC_YES);
	CHECK_INT(ti.is_server_hello, 1);
	CHECK_INT(ti.version, 0x0304);
	CHECK_INT(ti.has_sni, 0);
}

static void test_tls_lookalikes(void)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: zoom.us\r\n\r\n";
	static const uint8_t sslv2ish[] = { 0x16, 0x02, 0x00, 0x00, 0x10, 1, 0, 0, 0 };
	static const uint8_t appdata[] = { 0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb };
	static const uint8_t bad_sid[] = { 0x16, 0x03, 0x01, 0x00, 0x40, 1, 0, 0, 0x3c,
		0x03, 0x03, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,
		25,26,27,28,29,30,31,32, 200 };
	struct cf_tls_info ti;

	CHECK_INT(cf_recog_tls((const uint8_t *)http, strlen(http), &ti), CF_REC_NO);
	CHECK_INT(cf_recog_tls(sslv2ish, sizeof(sslv2ish), &ti), CF_REC_NO);
	CHECK_INT(cf_recog_tls(appdata, sizeof(appdata), &ti), CF_REC_YES);
	CHECK_INT(ti.is_client_hello, 0);
	CHECK_INT(ti.content_type, 23);
	CHECK_INT(cf_recog_tls(bad_sid, sizeof(bad_sid), &ti), CF_REC_NO);
}

/* --- DTLS --------------------------------------------------------------- */

/* RFC 6347 4.2.2: a DTLS 1.0-record ClientHello offering DTLS 1.2. */
static void dtls_client_hello(struct buf *b)
{
	size_t body = 2 + 32 + 1 + 1 + 2 + 2 + 1 + 1;

	b->n = 0;
	put8(b, 22); put16(b, 0xfeff); put16(b, 0); put16(b, 0); put32(b, 0);
	put16(b, (unsigned)(12 + body));
	put8(b, 1); put24(b, (unsigned)body); put16(b, 0); put24(b, 0);
	put24(b, (unsigned)body);
	put16(b, 0xfefd); putfill(b, 0x44, 32); put8(b, 0); put8(b, 0);
	put16(b, 2); put16(b, 0xc02b); put8(b, 1); put8(b, 0);
}

static void test_dtls_client_hello(void)
{
	struct buf b;
	struct cf_dtls_info di;
	size_t n;
	int bad = 0;

	dtls_client_hello(&b);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.content_type, CF_DTLS_HANDSHAKE);
	CHECK_INT(di.version, 0xfeff);
	CHECK_INT(di.epoch, 0);
	CHECK_INT(di.hs_type, 1);
	CHECK_INT(di.has_handshake, 1);
	CHECK_INT(di.records, 1);
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		bad += cf_recog_dtls(p, n, &di) == CF_REC_YES;
		free(p);
	}
	CHECK_INT(bad, 0);
}

static void test_dtls_records(void)
{
	struct buf b = { .n = 0 };
	struct cf_dtls_info di;

	/* ChangeCipherSpec then an encrypted Finished (epoch 1), one datagram */
	put8(&b, 20); put16(&b, 0xfefd); put16(&b, 0); put16(&b, 0); put32(&b, 8);
	put16(&b, 1); put8(&b, 1);
	put8(&b, 22); put16(&b, 0xfefd); put16(&b, 1); put16(&b, 0); put32(&b, 0);
	put16(&b, 40); putfill(&b, 0x5a, 40);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.content_type, CF_DTLS_CCS);
	CHECK_INT(di.records, 2);
	CHECK_INT(di.has_handshake, 1);
	CHECK_INT(di.hs_type, 0);

	b.n = 0;                        /* application data only */
	put8(&b, 23); put16(&b, 0xfefd); put16(&b, 1); put16(&b, 0); put32(&b, 9);
	put16(&b, 16); putfill(&b, 0x77, 16);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.has_handshake, 0);
	CHECK_INT(di.epoch, 1);

	b.n = 0;                        /* DTLS 1.3 unified header 001 0 1 1 01 */
	put8(&b, 0x2d); put16(&b, 0x1234); put16(&b, 20); putfill(&b, 0x66, 20);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_YES);
	CHECK_INT(di.unified, 1);
	CHECK_INT(di.epoch, 1);
	CHECK_INT(di.has_handshake, 0);
}

static void test_dtls_lookalikes(void)
{
	struct buf b = { .n = 0 };
	struct cf_dtls_info di;

	/* a TLS record (version 0x0303) is not DTLS */
	put8(&b, 22); put16(&b, 0x0303); put16(&b, 0); put16(&b, 0); put32(&b, 0);
	put16(&b, 4); put32(&b, 0);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_NO);
	b.b[0] = 30;                    /* content type out of range */
	set16(&b, 1, 0xfefd);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_NO);
	b.b[0] = 22;                    /* length longer than the datagram */
	set16(&b, 11, 400);
	CHECK_INT(cf_recog_dtls(b.b, b.n, &di), CF_REC_TRUNCATED);
	CHECK_INT(cf_recog_dtls(b.b, 0, &di), CF_REC_NO);
}

/* --- RTP / RTCP / ZRTP --------------------------------------------------- */

static void rtp_packet(struct buf *b, unsigned pt, unsigned seq, uint32_t ssrc,
		       unsigned cc, int ext)
{
	unsigned i;

	b->n = 0;
	put8(b, 0x80 | (ext ? 0x10 : 0) | cc); put8(b, pt); put16(b, seq);
	put32(b, 160u * seq); put32(b, ssrc);
	for (i = 0; i < cc; i++)
		put32(b, 0x1000 + i);
	if (ext) {
		put16(b, 0xbede); put16(b, 1); put32(b, 0x10ff0000);
	}
	putfill(b, 0xd5, 160);
}

static void test_rtp(void)
{
	struct buf b;
	struct cf_rtp_info ri;
	size_t n;
	int bad = 0;

	rtp_packet(&b, 111, 4242, 0xcafebabe, 2, 1);
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.is_rtcp, 0);
	CHECK_INT(ri.pt, 111);
	CHECK_INT(ri.seq, 4242);
	CHECK_INT(ri.ssrc, 0xcafebabe);
	rtp_packet(&b, 0x80 | 96, 1, 7, 0, 0);          /* marker bit */
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.marker, 1);
	CHECK_INT(ri.pt, 96);
	rtp_packet(&b, 111, 4242, 0xcafebabe, 2, 1);
	for (n = 0; n < 12 + 8 + 8; n++) {             /* header, CSRCs, extension */
		uint8_t *p = dup_n(&b, n);

		bad += cf_recog_rtp(p, n, &ri) == CF_REC_YES;
		free(p);
	}
	CHECK_INT(bad, 0);
}

static void test_rtp_lookalikes(void)
{
	struct buf b;
	struct cf_rtp_info ri;

	rtp_packet(&b, 72, 1, 1, 0, 0);                 /* PT 72: RTCP's range */
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_NO);
	rtp_packet(&b, 0, 1, 1, 15, 0);                 /* 15 CSRCs in 32 bytes */
	CHECK_INT(cf_recog_rtp(b.b, 32, &ri), CF_REC_NO);
	rtp_packet(&b, 0, 1, 1, 0, 0);
	b.b[0] = 0x40;                                  /* version 1 */
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_NO);
	b.b[0] = 0x90;                                  /* X set, no room */
	CHECK_INT(cf_recog_rtp(b.b, 14, &ri), CF_REC_NO);
	CHECK_INT(cf_recog_rtp(b.b, 10, &ri), CF_REC_TRUNCATED);
}

static void rtcp_sr(struct buf *b, unsigned rc)
{
	unsigned i;

	put8(b, 0x80 | rc); put8(b, 200); put16(b, 6 + 6 * rc); put32(b, 0x11223344);
	put32(b, 0xe0000000); put32(b, 0); put32(b, 1234); put32(b, 10); put32(b, 1600);
	for (i = 0; i < rc; i++)
		putfill(b, 0x01, 24);
}

static void test_rtcp(void)
{
	struct buf b = { .n = 0 };
	struct cf_rtp_info ri;

	rtcp_sr(&b, 0);
	CHECK_INT(b.n, 28);
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.is_rtcp, 1);
	CHECK_INT(ri.pt, 200);
	CHECK_INT(ri.ssrc, 0x11223344);
	CHECK_INT(ri.exact, 1);

	b.n = 0;                        /* RR with one block, then SDES */
	put8(&b, 0x81); put8(&b, 201); put16(&b, 7); put32(&b, 0x55667788);
	putfill(&b, 0x02, 24);
	put8(&b, 0x81); put8(&b, 202); put16(&b, 2); put32(&b, 0x55667788);
	put8(&b, 1); put8(&b, 2); put8(&b, 'a'); put8(&b, 'b');
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.pt, 201);
	CHECK_INT(ri.exact, 1);

	b.n = 0;                        /* SRTCP: SR + E|index + 10-byte tag */
	rtcp_sr(&b, 1);
	put32(&b, 0x80000001); putfill(&b, 0xee, 10);
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.exact, 0);

	b.n = 0;                        /* SR claiming 2 report blocks, length 6 */
	put8(&b, 0x82); put8(&b, 200); put16(&b, 6); put32(&b, 1); putfill(&b, 0, 20);
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_NO);
	b.n = 0;                        /* length beyond the datagram */
	put8(&b, 0x80); put8(&b, 201); put16(&b, 20); put32(&b, 1);
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_NO);
	b.n = 0;                        /* PT 210 is in the RTCP range, not a first PT */
	put8(&b, 0x80); put8(&b, 210); put16(&b, 1); put32(&b, 1); put32(&b, 0);
	CHECK_INT(cf_recog_rtp(b.b, b.n, &ri), CF_REC_NO);
}

static void test_zrtp(void)
{
	struct buf b = { .n = 0 };

	put8(&b, 0x10); put8(&b, 0); put16(&b, 1); put32(&b, 0x5a525450);
	put32(&b, 0xabcdef01); put16(&b, 0x505a); put16(&b, 3);
	putn(&b, "Hello   ", 8); put32(&b, 0x12345678);
	CHECK_INT(cf_recog_zrtp(b.b, b.n), 1);
	CHECK_INT(cf_recog_zrtp(b.b, 27), 0);
	b.b[4] = 'X';
	CHECK_INT(cf_recog_zrtp(b.b, b.n), 0);
}

/* --- STUN / TURN ---------------------------------------------------------- */

static void stun_msg(struct buf *b, unsigned type)
{
	b->n = 0;
	put16(b, type); put16(b, 8); put32(b, 0x2112a442);
	putfill(b, 0x9c, 12);
	put16(b, 0x0024); put16(b, 4); put32(b, 0x6e7f00ff);   /* PRIORITY */
}

static void test_stun(void)
{
	struct buf b;
	struct cf_stun_info si;
	size_t n;
	int bad = 0;

	stun_msg(&b, 0x0001);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.method, CF_STUN_BINDING);
	CHECK_INT(si.cls, 0);
	CHECK_INT(si.is_relay, 0);
	CHECK_INT(si.classic, 0);
	stun_msg(&b, 0x0101);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.cls, 2);
	stun_msg(&b, 0x0003);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.method, CF_STUN_ALLOCATE);
	CHECK_INT(si.is_relay, 1);
	stun_msg(&b, 0x0017);                           /* Data indication */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.method, CF_STUN_DATA);
	CHECK_INT(si.cls, 1);
	stun_msg(&b, 0x0009);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.method, CF_STUN_CHANNEL_BIND);
	stun_msg(&b, 0x0001);
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		bad += cf_recog_stun(p, n, 0, &si) == CF_REC_YES;
		free(p);
	}
	CHECK_INT(bad, 0);
}

static void test_stun_lookalikes(void)
{
	struct buf b;
	struct cf_stun_info si;

	stun_msg(&b, 0x0001);
	b.b[4] = 0x21; b.b[5] = 0x13;                   /* wrong cookie, attrs don't walk */
	b.b[22] = 0x7f;
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_NO);
	stun_msg(&b, 0x0001);
	set16(&b, 2, 6);                                /* length not a multiple of 4 */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_NO);
	stun_msg(&b, 0x0001);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	b.b[b.n] = 0;
	CHECK_INT(cf_recog_stun(b.b, b.n + 1, 0, &si), CF_REC_NO);   /* length != datagram */
	CHECK_INT(cf_recog_stun(b.b, b.n + 1, 1, &si), CF_REC_YES);  /* fine on a stream */
	b.b[0] = 0x80;                                  /* top bits set */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_NO);
}

static void test_stun_classic(void)
{
	struct buf b = { .n = 0 };
	struct cf_stun_info si;

	/* RFC 3489 Binding Request: 16-byte transaction id, one attribute */
	put16(&b, 0x0001); put16(&b, 8); putfill(&b, 0xc1, 16);
	put16(&b, 0x0003); put16(&b, 4); put32(&b, 0);      /* CHANGE-REQUEST */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.classic, 1);
	CHECK_INT(si.method, CF_STUN_BINDING);
	set16(&b, 0, 0x0003);           /* classic Allocate is not taken */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_NO);
}

static void test_channel_data(void)
{
	struct buf b = { .n = 0 };
	struct cf_stun_info si;

	put16(&b, 0x4001); put16(&b, 5); putn(&b, "\x80\x00\x01\x02\x03", 5);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.is_channel_data, 1);
	CHECK_INT(si.is_relay, 1);
	CHECK_INT(si.channel, 0x4001);
	CHECK_INT(si.length, 5);
	CHECK_INT(si.data_off, 4);
	CHECK_INT(cf_recog_stun(b.b, b.n, 1, &si), CF_REC_NO);   /* TCP wants padding */
	putfill(&b, 0, 3);
	CHECK_INT(cf_recog_stun(b.b, b.n, 1, &si), CF_REC_YES);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);  /* UDP: padding allowed */
	putfill(&b, 0, 4);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_NO);   /* 7 bytes too many */
	CHECK_INT(cf_recog_stun(b.b, 3, 0, &si), CF_REC_TRUNCATED);
}

/* --- Zoom --------------------------------------------------------------- */

/* Media header of kind type, RTP at rtp_off, optional 8-byte SFU header. */
static void zoom_packet(struct buf *b, int server, unsigned type, size_t rtp_off,
			int rtcp)
{
	size_t inner;

	b->n = 0;
	if (server) {
		put8(b, 0x05); put16(b, 0x0102); put32(b, 0); put8(b, 0x04);
	}
	inner = b->n;
	put8(b, type);
	putfill(b, 0x00, rtp_off - 1);
	if (type == 16 && rtp_off == 24)
		b->b[inner + 20] = 0x02;
	if (type == 13)
		b->b[inner + 7] = 30;
	if (rtcp) {
		put8(b, 0x80); put8(b, 200); put16(b, 6); put32(b, 0x01000402);
		putfill(b, 0x3c, 20);
	} else {
		put8(b, 0x80); put8(b, 98); put16(b, 77); put32(b, 1000);
		put32(b, 0x01000402); putfill(b, 0xab, 100);
	}
}

static void test_zoom_server(void)
{
	struct buf b;
	struct cf_zoom_info zi;
	size_t n;
	int bad = 0;

	zoom_packet(&b, 1, 16, 24, 0);
	CHECK_INT(cf_recog_zoom(b.b, b.n, 1, &zi), CF_REC_YES);
	CHECK_INT(zi.server, 1);
	CHECK_INT(zi.kind, CF_ZOOM_VIDEO);
	CHECK_INT(zi.rtp_ok, 1);
	CHECK_INT(zi.rtp_off, 32);
	CHECK_STR(cf_zoom_kind_name(zi.kind), "video");
	zoom_packet(&b, 1, 15, 19, 0);
	CHECK_INT(cf_recog_zoom(b.b, b.n, 1, &zi), CF_REC_YES);
	CHECK_INT(zi.kind, CF_ZOOM_AUDIO);
	CHECK_INT(zi.rtp_ok, 1);
	zoom_packet(&b, 1, 13, 27, 0);
	CHECK_INT(cf_recog_zoom(b.b, b.n, 1, &zi), CF_REC_YES);
	CHECK_INT(zi.kind, CF_ZOOM_SCREEN);
	CHECK_INT(zi.rtp_ok, 1);
	zoom_packet(&b, 1, 33, 16, 1);
	CHECK_INT(cf_recog_zoom(b.b, b.n, 1, &zi), CF_REC_YES);
	CHECK_INT(zi.kind, CF_ZOOM_RTCP);
	CHECK_INT(zi.rtp_ok, 1);
	zoom_packet(&b, 1, 21, 16, 0);                  /* control stream */
	CHECK_INT(cf_recog_zoom(b.b, b.n, 1, &zi), CF_REC_YES);
	CHECK_INT(zi.kind, CF_ZOOM_OTHER);
	zoom_packet(&b, 1, 16, 24, 0);
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		bad += cf_recog_zoom(p, n, 1, &zi) == CF_REC_YES && n < 9;
		free(p);
	}
	CHECK_INT(bad, 0);
}

static void test_zoom_p2p(void)
{
	struct buf b;
	struct cf_zoom_info zi;

	zoom_packet(&b, 0, 16, 24, 0);
	CHECK_INT(cf_recog_zoom(b.b, b.n, 0, &zi), CF_REC_YES);
	CHECK_INT(zi.server, 0);
	CHECK_INT(zi.kind, CF_ZOOM_VIDEO);
	CHECK_INT(zi.rtp_off, 24);
	zoom_packet(&b, 0, 15, 19, 0);
	CHECK_INT(cf_recog_zoom(b.b, b.n, 0, &zi), CF_REC_YES);
	CHECK_INT(zi.kind, CF_ZOOM_AUDIO);
	zoom_packet(&b, 0, 30, 20, 0);
	CHECK_INT(cf_recog_zoom(b.b, b.n, 0, &zi), CF_REC_YES);
	CHECK_INT(zi.kind, CF_ZOOM_SCREEN);
}

static void test_zoom_lookalikes(void)
{
	struct buf b;
	struct cf_zoom_info zi;

	zoom_packet(&b, 1, 16, 24, 0);
	b.b[0] = 0x01;                                  /* not the media type */
	CHECK_INT(cf_recog_zoom(b.b, b.n, 1, &zi), CF_REC_NO);
	zoom_packet(&b, 0, 15, 19, 0);
	b.b[19] = 0x40;                                 /* no RTP where audio's is */
	CHECK_INT(cf_recog_zoom(b.b, b.n, 0, &zi), CF_REC_NO);
	zoom_packet(&b, 0, 21, 16, 0);                  /* P2P: no "other" */
	CHECK_INT(cf_recog_zoom(b.b, b.n, 0, &zi), CF_REC_NO);
	CHECK_INT(cf_recog_zoom(b.b, 0, 0, &zi), CF_REC_NO);
}

/* --- SIP ---------------------------------------------------------------- */

static void test_sip(void)
{
	static const char invite[] =
		"INVITE sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060\r\n"
		"Content-Type: application/sdp\r\n\r\n"
		"v=0\r\nm=audio 49170 RTP/SAVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
	static const char ok[] = "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n";
	static const char http[] = "HTTP/1.1 200 OK\r\n\r\n";
	static const char get[] = "GET /sip:x SIP/2.0\r\n\r\n";
	struct cf_sip_info si;
	struct buf b = { .n = 0 };
	size_t n, crypto_end = (size_t)(strstr(invite, "a=crypto:") - invite) + 9;
	int bad = 0;

	CHECK_INT(cf_recog_sip((const uint8_t *)invite, strlen(invite), &si), CF_REC_YES);
	CHECK_INT(si.is_request, 1);
	CHECK_INT(si.has_sdp_crypto, 1);
	CHECK_INT(cf_recog_sip((const uint8_t *)ok, strlen(ok), &si), CF_REC_YES);
	CHECK_INT(si.is_request, 0);
	CHECK_INT(si.has_sdp_crypto, 0);
	CHECK_INT(cf_recog_sip((const uint8_t *)http, strlen(http), &si), CF_REC_NO);
	CHECK_INT(cf_recog_sip((const uint8_t *)get, strlen(get), &si), CF_REC_NO);
	putn(&b, invite, strlen(invite));
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		enum cf_rec r = cf_recog_sip(p, n, &si);

		/* a start line once its CR LF is in; crypto once its tag is */
		bad += (r == CF_REC_YES) != (n >= 36);
		bad += r == CF_REC_YES && si.has_sdp_crypto != (n >= crypto_end);
		free(p);
	}
	CHECK_INT(bad, 0);
}

/* --- STUN attributes ------------------------------------------------------ */

/* RFC 5769 section 2.2 and 2.3: sample IPv4 and IPv6 Binding responses
 * (the MESSAGE-INTEGRITY and FINGERPRINT values are not checked here). */
static const uint8_t rfc5769_v4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
	0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

static const uint8_t rfc5769_v6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
	0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
	0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
	0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static void test_stun_xor_mapped(void)
{
	struct cf_stun_info si;
	char ip[CF_ADDR_STRLEN];

	CHECK_INT(cf_recog_stun(rfc5769_v4, sizeof(rfc5769_v4), 0, &si), CF_REC_YES);
	CHECK_INT(si.method, CF_STUN_BINDING);
	CHECK_INT(si.cls, 2);
	CHECK_INT(si.mapped.present, 1);
	CHECK_INT(si.mapped.family, 1);
	CHECK_INT(si.mapped.port, 32853);
	CHECK_STR(cf_addr_str(&si.mapped.ip, ip, sizeof(ip)), "192.0.2.1");
	CHECK_INT(si.peer.present, 0);
	CHECK_INT(si.attrs_bad, 0);
	CHECK_INT(si.txid[0], 0xb7);
	CHECK_INT(si.txid[11], 0xae);
	CHECK_INT(cf_recog_stun(rfc5769_v6, sizeof(rfc5769_v6), 0, &si), CF_REC_YES);
	CHECK_INT(si.mapped.present, 1);
	CHECK_INT(si.mapped.family, 2);
	CHECK_INT(si.mapped.port, 32853);
	CHECK_STR(cf_addr_str(&si.mapped.ip, ip, sizeof(ip)),
		  "2001:db8:1234:5678:11:2233:4455:6677");
}

/* XOR an address the way RFC 8489 section 14.2 says, as a TLV. */
static void put_xaddr(struct buf *b, unsigned type, const char *addr,
		      uint16_t port, const uint8_t txid[12])
{
	static const uint8_t cookie[4] = { 0x21, 0x12, 0xa4, 0x42 };
	cf_addr a;
	const uint8_t *raw;
	size_t n, i;

	cf_addr_parse(addr, &a);
	n = cf_addr_is_v4(&a) ? 4 : 16;
	raw = n == 4 ? cf_addr_v4(&a) : a.b;
	put16(b, type); put16(b, (unsigned)(4 + n));
	put8(b, 0); put8(b, n == 4 ? 1 : 2); put16(b, port ^ 0x2112u);
	for (i = 0; i < n; i++)
		put8(b, raw[i] ^ (i < 4 ? cookie[i] : txid[i - 4]));
}

/* TURN Send indication (RFC 8656 section 11): XOR-PEER-ADDRESS + DATA. */
static size_t send_indication(struct buf *b, const char *peer, uint16_t port)
{
	static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	size_t data_at;

	b->n = 0;
	put16(b, 0x0016); put16(b, 0); put32(b, 0x2112a442); putn(b, txid, 12);
	put_xaddr(b, 0x0012, peer, port, txid);
	put16(b, 0x0013); put16(b, 14); data_at = b->n;
	put8(b, 0x80); put8(b, 0); put16(b, 7); put32(b, 160); put32(b, 0x11223344);
	put16(b, 0xd5d5); put16(b, 0);                  /* 2 bytes + padding */
	set16(b, 2, (unsigned)(b->n - 20));
	return data_at;
}

static void test_stun_peer(void)
{
	static const uint8_t txid[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
					  0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab };
	struct cf_stun_info si;
	struct buf b = { .n = 0 };
	char ip[CF_ADDR_STRLEN];
	size_t data_at, n;
	int bad = 0, peers = 0;

	data_at = send_indication(&b, "203.0.113.9", 40000);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.method, CF_STUN_SEND);
	CHECK_INT(si.cls, 1);
	CHECK_INT(si.is_relay, 1);
	CHECK_INT(si.peer.present, 1);
	CHECK_INT(si.peer.port, 40000);
	CHECK_STR(cf_addr_str(&si.peer.ip, ip, sizeof(ip)), "203.0.113.9");
	CHECK_INT(si.has_data, 1);
	CHECK_INT(si.data_off, data_at);
	CHECK_INT(si.data_len, 14);
	/* Allocate success: XOR-RELAYED-ADDRESS (IPv6) and XOR-MAPPED-ADDRESS */
	b.n = 0;
	put16(&b, 0x0103); put16(&b, 0); put32(&b, 0x2112a442); putn(&b, txid, 12);
	put_xaddr(&b, 0x0016, "2001:db8:3::7", 50123, txid);
	put_xaddr(&b, 0x0020, "198.51.100.4", 61000, txid);
	put16(&b, 0x000d); put16(&b, 4); put32(&b, 600);        /* LIFETIME */
	set16(&b, 2, (unsigned)(b.n - 20));
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.method, CF_STUN_ALLOCATE);
	CHECK_INT(si.cls, 2);
	CHECK_INT(si.relayed.present, 1);
	CHECK_INT(si.relayed.family, 2);
	CHECK_INT(si.relayed.port, 50123);
	CHECK_STR(cf_addr_str(&si.relayed.ip, ip, sizeof(ip)), "2001:db8:3::7");
	CHECK_STR(cf_addr_str(&si.mapped.ip, ip, sizeof(ip)), "198.51.100.4");
	CHECK_INT(si.mapped.port, 61000);
	CHECK_INT(si.peer.present, 0);
	/* every prefix: no crash, never a peer from a cut message */
	send_indication(&b, "2001:db8:3::1", 3478);
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		if (cf_recog_stun(p, n, 0, &si) == CF_REC_YES)
			bad++;
		peers += si.peer.present;
		if (cf_recog_stun(p, n, 1, &si) == CF_REC_YES)
			bad += si.has_data && si.data_off + si.data_len > n;
		free(p);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(peers, 0);
}

static void test_stun_bad_attrs(void)
{
	struct cf_stun_info si;
	struct buf b;

	/* an attribute whose length runs past the message: the walk stops */
	send_indication(&b, "203.0.113.9", 40000);
	set16(&b, 20 + 12 + 2, 200);                    /* DATA length 200 */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.attrs_bad, 1);
	CHECK_INT(si.peer.present, 1);                  /* what came before stays */
	CHECK_INT(si.has_data, 0);
	/* a family that is neither 1 nor 2, and a wrong length: not taken */
	send_indication(&b, "203.0.113.9", 40000);
	b.b[20 + 5] = 3;
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.peer.present, 0);
	send_indication(&b, "203.0.113.9", 40000);
	b.b[20 + 5] = 2;                                /* IPv6 in 4 bytes */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.peer.present, 0);
}

/* [MS-TURN] Send request: MAGIC-COOKIE, DESTINATION-ADDRESS (plain), DATA. */
static void ms_turn_send(struct buf *b, int with_magic)
{
	b->n = 0;
	put16(b, 0x0004); put16(b, 0); put32(b, 0x2112a442); putfill(b, 0x3c, 12);
	if (with_magic) {
		put16(b, 0x000f); put16(b, 4); put32(b, 0x72c64bc6);
	}
	put16(b, 0x8008); put16(b, 4); put32(b, 6);     /* MS-VERSION */
	put16(b, 0x0011); put16(b, 8); put8(b, 0); put8(b, 1); put16(b, 16332);
	put8(b, 203); put8(b, 0); put8(b, 113); put8(b, 77);
	put16(b, 0x0013); put16(b, 4); put32(b, 0x80000001);
	set16(b, 2, (unsigned)(b->n - 20));
}

static void test_stun_ms_turn(void)
{
	struct cf_stun_info si;
	struct buf b;
	char ip[CF_ADDR_STRLEN];
	size_t n;
	int bad = 0;

	ms_turn_send(&b, 1);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.ms_turn, 1);
	CHECK_INT(si.is_relay, 1);
	CHECK_INT(si.peer.present, 1);
	CHECK_INT(si.peer.port, 16332);
	CHECK_STR(cf_addr_str(&si.peer.ip, ip, sizeof(ip)), "203.0.113.77");
	CHECK_INT(si.has_data, 1);
	CHECK_INT(si.data_len, 4);
	ms_turn_send(&b, 0);                            /* RFC 8656 Refresh: no peer */
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.ms_turn, 0);
	CHECK_INT(si.peer.present, 0);
	ms_turn_send(&b, 1);
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		bad += cf_recog_stun(p, n, 0, &si) == CF_REC_YES;
		bad += si.peer.present;
		free(p);
	}
	CHECK_INT(bad, 0);
}

/* --- QUIC ------------------------------------------------------------------ */

/* Long header: first byte, version, DCID, SCID, then filler. */
static void quic_long(struct buf *b, uint8_t b0, uint32_t version,
		      size_t dcid, size_t scid, size_t rest)
{
	b->n = 0;
	put8(b, b0); put32(b, version);
	put8(b, (unsigned)dcid); putfill(b, 0x83, dcid);
	put8(b, (unsigned)scid); putfill(b, 0x5c, scid);
	putfill(b, 0x00, rest);
}

static void test_quic(void)
{
	/* RFC 9001 A.2 / RFC 9369 A.2: the client Initial's first bytes */
	static const uint8_t v1[] = { 0xc0, 0x00, 0x00, 0x00, 0x01, 0x08, 0x83, 0x94,
		0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08, 0x00, 0x00, 0x44, 0x9e };
	static const uint8_t v2[] = { 0xd3, 0x6b, 0x33, 0x43, 0xcf, 0x08, 0x83, 0x94,
		0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08, 0x00, 0x00, 0x44, 0x9e };
	struct cf_quic_info qi;
	struct buf b;
	char name[16];

	CHECK_INT(cf_recog_quic(v1, sizeof(v1), &qi), CF_REC_YES);
	CHECK_INT(qi.version, CF_QUIC_V1);
	CHECK_INT(qi.type, CF_QUIC_INITIAL);
	CHECK_INT(qi.dcid_len, 8);
	CHECK_INT(qi.scid_len, 0);
	CHECK_INT(cf_recog_quic(v2, sizeof(v2), &qi), CF_REC_YES);
	CHECK_INT(qi.version, CF_QUIC_V2);
	CHECK_INT(qi.type, CF_QUIC_INITIAL);            /* v2: type bits 01 */
	CHECK_STR(cf_quic_version_name(qi.version, name, sizeof(name)), "2");
	quic_long(&b, 0xe0, CF_QUIC_V1, 8, 8, 30);      /* v1 Handshake */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_YES);
	CHECK_INT(qi.type, CF_QUIC_HANDSHAKE);
	quic_long(&b, 0xc0, CF_QUIC_V2, 8, 8, 30);      /* v2: type 0 is Retry */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_YES);
	CHECK_INT(qi.type, CF_QUIC_RETRY);
	quic_long(&b, 0xc3, 0xff00001d, 8, 0, 30);      /* draft-29 */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_YES);
	CHECK_STR(cf_quic_version_name(qi.version, name, sizeof(name)), "draft-29");
	quic_long(&b, 0xc3, 0x51303530, 8, 0, 30);      /* Google Q050 */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_YES);
	CHECK_STR(cf_quic_version_name(qi.version, name, sizeof(name)), "Q050");
	/* Version Negotiation listing v1 */
	quic_long(&b, 0x80 | 0x40, 0, 8, 8, 0);
	put32(&b, 0x1a2a3a4a); put32(&b, CF_QUIC_V1);
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_YES);
	CHECK_INT(qi.type, CF_QUIC_VERSION_NEG);
	CHECK_INT(qi.version, CF_QUIC_V1);
	/* Google QUIC public header, Q043 (flags 0x09: version + 8-byte cid) */
	b.n = 0;
	put8(&b, 0x09); putfill(&b, 0x77, 8); put32(&b, 0x51303433);
	put8(&b, 1); putfill(&b, 0, 40);
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_YES);
	CHECK_INT(qi.legacy, 1);
	CHECK_INT(qi.type, CF_QUIC_GQUIC);
	CHECK_STR(cf_quic_version_name(qi.version, name, sizeof(name)), "Q043");
}

static void test_quic_lookalikes(void)
{
	struct cf_quic_info qi;
	struct buf b;
	size_t n;
	int bad = 0;

	quic_long(&b, 0xc0, 0x12345678, 8, 8, 30);      /* unknown version */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	quic_long(&b, 0x80, CF_QUIC_V1, 8, 8, 30);      /* fixed bit clear */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	quic_long(&b, 0xc0, CF_QUIC_V1, 21, 8, 30);     /* DCID > 20 */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	quic_long(&b, 0xc0, CF_QUIC_V1, 8, 21, 30);     /* SCID > 20 */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	quic_long(&b, 0xc0, 0xff000000, 8, 8, 30);      /* not a draft */
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	quic_long(&b, 0xc0, 0, 8, 8, 0);                /* VN of unknown versions */
	put32(&b, 0x0a0a0a0a);
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	b.n = 0;                                        /* RTP is not QUIC */
	put8(&b, 0x80); put8(&b, 0); put16(&b, 1); put32(&b, 1); put32(&b, 1);
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	b.n = 0;                                        /* public header, no Q0xx */
	put8(&b, 0x09); putfill(&b, 0x77, 8); put32(&b, 0x48545450);
	CHECK_INT(cf_recog_quic(b.b, b.n, &qi), CF_REC_NO);
	/* every prefix of a handshake packet: YES only once both CIDs are in */
	quic_long(&b, 0xe0, CF_QUIC_V1, 8, 8, 10);
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);
		enum cf_rec r = cf_recog_quic(p, n, &qi);

		bad += (r == CF_REC_YES) != (n >= 1 + 4 + 1 + 8 + 1 + 8);
		bad += n > 0 && r == CF_REC_NO;
		free(p);
	}
	CHECK_INT(bad, 0);
}

/* --- SDP media ---------------------------------------------------------- */

static void test_sdp_media(void)
{
	static const char answer[] =
		"SIP/2.0 200 OK\r\n"
		"Content-Type: application/sdp\r\n\r\n"
		"v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\n"
		"c=IN IP4 198.51.100.7\r\n"
		"t=0 0\r\n"
		"m=audio 40392 RTP/AVP 8 101\r\n"
		"m=video 0 RTP/AVP 96\r\n"                   /* refused: no port */
		"m=video 40400/2 RTP/AVP 96\r\n"
		"c=IN IP6 2001:db8:4::9\r\n"
		"m=application 5000 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		"c=IN IP4 224.2.1.1/127/3\r\n";
	struct cf_sip_info si;
	char ip[CF_ADDR_STRLEN];
	struct buf b = { .n = 0 };
	size_t n;
	int bad = 0;

	CHECK_INT(cf_recog_sip((const uint8_t *)answer, strlen(answer), &si), CF_REC_YES);
	CHECK_INT(si.has_sdp_crypto, 0);
	CHECK_INT(si.n_media, 3);
	CHECK_STR(cf_addr_str(&si.media[0].addr, ip, sizeof(ip)), "198.51.100.7");
	CHECK_INT(si.media[0].port, 40392);
	CHECK_STR(cf_addr_str(&si.media[1].addr, ip, sizeof(ip)), "2001:db8:4::9");
	CHECK_INT(si.media[1].port, 40400);
	CHECK_STR(cf_addr_str(&si.media[2].addr, ip, sizeof(ip)), "224.2.1.1");
	CHECK_INT(si.media[2].port, 5000);
	putn(&b, answer, strlen(answer));
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		if (cf_recog_sip(p, n, &si) == CF_REC_YES)
			bad += si.n_media > 3;
		free(p);
	}
	CHECK_INT(bad, 0);
}

/* --- room systems and call traffic over TCP ------------------------------ */

static void putle32(struct buf *b, uint32_t v)
{
	put8(b, v & 0xff); put8(b, (v >> 8) & 0xff); put8(b, (v >> 16) & 0xff); put8(b, v >> 24);
}

/* Every cut of b: the recogniser under test must stay inside the bytes
 * (ASan) and never call a cut message YES when yes_ok is 0 below cut. */
#define EVERY_CUT(b, call) do { size_t n_; for (n_ = 0; n_ <= (b).n; n_++) { \
	uint8_t *p = dup_n(&(b), n_); size_t n = n_; (void)(call); free(p); } } while (0)

struct frame_seen {
	unsigned n;
	size_t off[8], len[8], hdr[8];
	int stop_at;
};

static int frame_cb(void *ctx, const struct cf_frame *f)
{
	struct frame_seen *s = ctx;

	if (s->n < 8) {
		s->off[s->n] = f->off;
		s->len[s->n] = f->len;
		s->hdr[s->n] = f->hdr;
	}
	s->n++;
	return s->stop_at > 0 && s->n == (unsigned)s->stop_at;
}

/* RFC 4571: two framed 28-byte STUN messages, then one cut after 10 bytes. */
static void test_frames_rfc4571(void)
{
	struct buf b = { .n = 0 }, m;
	struct cf_frames_info fi;
	struct frame_seen fs;
	int i, bad = 0;

	stun_msg(&m, 0x0001);
	for (i = 0; i < 2; i++) {
		put16(&b, (unsigned)m.n); putn(&b, m.b, m.n);
	}
	put16(&b, (unsigned)m.n); putn(&b, m.b, 8);
	memset(&fs, 0, sizeof(fs));
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_RFC4571, frame_cb, &fs, &fi), CF_REC_YES);
	CHECK_INT(fi.n, 2);
	CHECK_INT(fs.n, 2);
	CHECK_INT(fs.off[1], 30);
	CHECK_INT(fs.len[1], 30);
	CHECK_INT(fs.hdr[1], 2);
	CHECK_INT(fi.used, 60);
	CHECK_INT(fi.need, 20);             /* 30 - 10 */
	CHECK_INT(fi.hdr_cut, 0);
	CHECK_INT(fi.bad, 0);
	CHECK_INT(cf_frame_guess_stun(b.b, b.n), CF_FRAME_RFC4571);
	CHECK_INT(cf_frame_guess_stun(m.b, m.n), CF_FRAME_STUN);
	/* the cb stops the walk */
	memset(&fs, 0, sizeof(fs));
	fs.stop_at = 1;
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_RFC4571, frame_cb, &fs, &fi), CF_REC_YES);
	CHECK_INT(fi.n, 1);
	CHECK_INT(fi.stopped, 1);
	CHECK_INT(fi.used, 30);
	/* one byte of the length: header cut */
	CHECK_INT(cf_recog_tcp_frames(b.b, 1, CF_FRAME_RFC4571, NULL, NULL, &fi), CF_REC_TRUNCATED);
	CHECK_INT(fi.hdr_cut, 1);
	CHECK_INT(fi.need, 1);
	CHECK_INT(cf_recog_tcp_frames(b.b, 0, CF_FRAME_RFC4571, NULL, NULL, &fi), CF_REC_NO);
	/* hostile: zero length first (NO), zero length later (bad), huge length */
	b.n = 0; put16(&b, 0); put16(&b, 4);
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_RFC4571, NULL, NULL, &fi), CF_REC_NO);
	b.n = 0; put16(&b, 2); put16(&b, 0xabcd); put16(&b, 0); put8(&b, 1);
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_RFC4571, NULL, NULL, &fi), CF_REC_YES);
	CHECK_INT(fi.n, 1);
	CHECK_INT(fi.bad, 1);
	CHECK_INT(fi.used, 4);
	b.n = 0; put16(&b, 0xffff); putfill(&b, 0x80, 10);
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_RFC4571, NULL, NULL, &fi), CF_REC_YES);
	CHECK_INT(fi.n, 0);
	CHECK_INT(fi.need, 65537 - 12);
	/* 64 one-byte messages and more: the walk stops at CF_FRAMES_MAX */
	b.n = 0;
	for (i = 0; i < 70; i++) {
		put16(&b, 1); put8(&b, 0x80);
	}
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_RFC4571, NULL, NULL, &fi), CF_REC_YES);
	CHECK_INT(fi.n, CF_FRAMES_MAX);
	CHECK_INT(fi.used, 3 * CF_FRAMES_MAX);
	EVERY_CUT(b, bad += cf_recog_tcp_frames(p, n, CF_FRAME_RFC4571, NULL, NULL, &fi) ==
		  CF_REC_YES && fi.used > n);
	CHECK_INT(bad, 0);
}

/* Bare STUN and ChannelData back to back (TURN over TCP). */
static void test_frames_stun(void)
{
	struct buf b = { .n = 0 }, m;
	struct cf_frames_info fi;
	struct frame_seen fs;
	int bad = 0;

	stun_msg(&m, 0x0003);
	putn(&b, m.b, m.n);
	put16(&b, 0x4000); put16(&b, 5); putfill(&b, 0x80, 5); putfill(&b, 0, 3);
	putn(&b, m.b, m.n);
	putn(&b, m.b, 6);                    /* cut before the cookie */
	memset(&fs, 0, sizeof(fs));
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_STUN, frame_cb, &fs, &fi), CF_REC_YES);
	CHECK_INT(fi.n, 3);
	CHECK_INT(fs.len[1], 12);            /* 4 + 5 padded to 12 */
	CHECK_INT(fs.hdr[0], 0);
	CHECK_INT(fi.used, 28 + 12 + 28);
	CHECK_INT(fi.hdr_cut, 1);
	CHECK_INT(fi.need, 2);
	CHECK_INT(cf_frame_guess_stun(b.b, b.n), CF_FRAME_STUN);
	CHECK_INT(cf_frame_guess_stun(b.b + 28, b.n - 28), CF_FRAME_STUN);  /* ChannelData */
	CHECK_INT(cf_frame_guess_stun(b.b + 28, 10), -1);   /* cut, nothing whole */
	CHECK_INT(cf_frame_guess_stun((const uint8_t *)"\x41\x00\x00\x08\x17\x03", 6), -1);
	/* no cookie: not STUN framing */
	b.n = 0; putn(&b, m.b, m.n); b.b[4] = 0;
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_STUN, NULL, NULL, &fi), CF_REC_NO);
	CHECK_INT(cf_frame_guess_stun(b.b, b.n), -1);
	b.b[0] = 0x80;                       /* RTP-like first byte */
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_STUN, NULL, NULL, &fi), CF_REC_NO);
	/* a STUN length that lies: reported as needed, never read */
	b.n = 0; putn(&b, m.b, m.n); set16(&b, 2, 0xfffc);
	CHECK_INT(cf_recog_tcp_frames(b.b, b.n, CF_FRAME_STUN, NULL, NULL, &fi), CF_REC_YES);
	CHECK_INT(fi.n, 0);
	CHECK_INT(fi.need, 20 + 0xfffc - 28);
	EVERY_CUT(b, bad += cf_recog_tcp_frames(p, n, CF_FRAME_STUN, NULL, NULL, &fi) ==
		  CF_REC_YES && fi.used > n);
	CHECK_INT(bad, 0);
}

/* --- SCCP (Skinny) --- */

static void sccp_header(struct buf *b, uint32_t len, uint32_t version, uint32_t id)
{
	putle32(b, len); putle32(b, version); putle32(b, id);
}

static void test_sccp(void)
{
	struct buf b = { .n = 0 };
	struct cf_sccp_info si;
	char ip[CF_ADDR_STRLEN];
	int bad = 0;

	/* KeepAlive (0x0000, no data), header version 0x14 */
	sccp_header(&b, 4, 0x14, 0x0000);
	/* OpenReceiveChannelAck, version 0x14: status, ipv4or6, 16-byte
	 * address, port, passThruPartyId, callReference */
	sccp_header(&b, 40, 0x14, CF_SCCP_OPEN_RECEIVE_ACK);
	putle32(&b, 0); putle32(&b, 0);
	put32(&b, 0xc0000205); putfill(&b, 0, 12);       /* 192.0.2.5 */
	putle32(&b, 32144); putle32(&b, 0x01000051); putle32(&b, 7);
	/* StartMediaTransmission, basic version 0: conference, party,
	 * 4-byte address, port, packet size, compression */
	sccp_header(&b, 28, 0, CF_SCCP_START_MEDIA_TX);
	putle32(&b, 1); putle32(&b, 2);
	put32(&b, 0xcb00710a);                           /* 203.0.113.10 */
	putle32(&b, 9399); putle32(&b, 20); putle32(&b, 4);
	CHECK_INT(cf_recog_sccp(b.b, b.n, &si), CF_REC_YES);
	CHECK_INT(si.msgs, 3);
	CHECK_INT(si.version, 0x14);
	CHECK_INT(si.msg_id, 0);
	CHECK_INT(si.need, 0);
	CHECK_INT(si.n_media, 2);
	CHECK_INT(si.media[0].msg_id, CF_SCCP_OPEN_RECEIVE_ACK);
	CHECK_STR(cf_addr_str(&si.media[0].addr, ip, sizeof(ip)), "192.0.2.5");
	CHECK_INT(si.media[0].port, 32144);
	CHECK_INT(si.media[1].msg_id, CF_SCCP_START_MEDIA_TX);
	CHECK_STR(cf_addr_str(&si.media[1].addr, ip, sizeof(ip)), "203.0.113.10");
	CHECK_INT(si.media[1].port, 9399);
	/* the last message cut: two whole, need the rest */
	CHECK_INT(cf_recog_sccp(b.b, b.n - 5, &si), CF_REC_YES);
	CHECK_INT(si.msgs, 2);
	CHECK_INT(si.need, 5);
	CHECK_INT(cf_recog_sccp(b.b, 6, &si), CF_REC_TRUNCATED);
	EVERY_CUT(b, bad += cf_recog_sccp(p, n, &si) == CF_REC_YES && si.n_media > 2);
	CHECK_INT(bad, 0);
	/* hostile: length 3, huge length, unknown version, unknown id */
	b.n = 0; sccp_header(&b, 3, 0x14, 0);
	CHECK_INT(cf_recog_sccp(b.b, b.n, &si), CF_REC_NO);
	b.n = 0; sccp_header(&b, 0xffffffffu, 0x14, 0);
	CHECK_INT(cf_recog_sccp(b.b, b.n, &si), CF_REC_NO);
	b.n = 0; sccp_header(&b, 4, 0x44, 0);
	CHECK_INT(cf_recog_sccp(b.b, b.n, &si), CF_REC_NO);
	b.n = 0; sccp_header(&b, 4, 0x11, 0x5000);
	CHECK_INT(cf_recog_sccp(b.b, b.n, &si), CF_REC_NO);
	/* a media message too short for its address, or port 0: no media */
	b.n = 0; sccp_header(&b, 12, 0x11, CF_SCCP_OPEN_RECEIVE_ACK);
	putle32(&b, 0); putle32(&b, 0);
	CHECK_INT(cf_recog_sccp(b.b, b.n, &si), CF_REC_YES);
	CHECK_INT(si.n_media, 0);
	b.n = 0; sccp_header(&b, 20, 0, CF_SCCP_OPEN_RECEIVE_ACK);
	putle32(&b, 0); put32(&b, 0xc0000205); putle32(&b, 0); putle32(&b, 1);
	CHECK_INT(cf_recog_sccp(b.b, b.n, &si), CF_REC_YES);
	CHECK_INT(si.n_media, 0);
}

/* --- H.323 --- */

/* TPKT + Q.931 Setup with a Display IE and a User-user IE holding a
 * Setup-UUIE that starts with the H.225.0 protocol identifier (v4). */
static void h225_setup(struct buf *b)
{
	size_t at, uu;

	b->n = 0;
	put8(b, 3); put8(b, 0); at = b->n; put16(b, 0);
	put8(b, 0x08); put8(b, 2); put16(b, 0x77f4); put8(b, CF_Q931_SETUP);
	put8(b, 0xa1);                                   /* single-octet IE */
	put8(b, 0x04); put8(b, 3); put24(b, 0x8090a5);   /* bearer capability */
	put8(b, 0x28); put8(b, 4); putn(b, "room", 4);   /* display */
	put8(b, 0x7e); uu = b->n; put16(b, 0);
	put8(b, 0x05); put8(b, 0x20); put8(b, 0xa8);
	putn(b, "\x06\x00\x08\x91\x4a\x00\x04", 7);
	putfill(b, 0x11, 20);
	set16(b, uu, (unsigned)(b->n - uu - 2));
	set16(b, at, (unsigned)b->n);
}

static void test_h225(void)
{
	struct buf b;
	struct cf_h225_info hi;
	size_t one;
	int bad = 0;

	h225_setup(&b);
	one = b.n;
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_YES);
	CHECK_INT(hi.kind, CF_H323_Q931);
	CHECK_INT(hi.tpkts, 1);
	CHECK_INT(hi.msg_type, CF_Q931_SETUP);
	CHECK_INT(hi.call_ref, 0x77f4);
	CHECK_INT(hi.call_ref_flag, 0);
	CHECK_INT(hi.has_uuie, 1);
	CHECK_INT(hi.uuie_body, 0);
	CHECK_INT(hi.h225_oid, 1);
	CHECK_INT(hi.h225_version, 4);
	/* H.245 openLogicalChannel (request 3) and tcsAck (response 3) in
	 * TPKTs after it in the same segment (tunnelled style) */
	putn(&b, "\x03\x00\x00\x08\x03\x00\x00\x64", 8);
	putn(&b, "\x03\x00\x00\x07\x21\x80\x01", 7);
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_YES);
	CHECK_INT(hi.tpkts, 3);
	CHECK_INT(cf_recog_h225(b.b + one, 8, &hi), CF_REC_YES);
	CHECK_INT(hi.kind, CF_H323_H245);
	CHECK_INT(hi.h245_class, 0);
	CHECK_INT(hi.h245_index, 3);
	CHECK_INT(cf_recog_h225(b.b + one + 8, 7, &hi), CF_REC_YES);
	CHECK_INT(hi.h245_class, 1);
	CHECK_INT(hi.h245_index, 3);
	/* a lone TPKT header (the body comes in the next segment) */
	CHECK_INT(cf_recog_h225(b.b, 4, &hi), CF_REC_YES);
	CHECK_INT(hi.tpkts, 0);
	CHECK_INT(hi.need, one - 4);
	CHECK_INT(cf_recog_h225(b.b, 3, &hi), CF_REC_TRUNCATED);
	/* a Setup cut inside its Display IE: the start of the body is read */
	CHECK_INT(cf_recog_h225(b.b, 18, &hi), CF_REC_YES);
	CHECK_INT(hi.tpkts, 0);
	CHECK_INT(hi.kind, CF_H323_Q931);
	CHECK_INT(hi.msg_type, CF_Q931_SETUP);
	CHECK_INT(hi.need, one - 18);
	CHECK_INT(cf_recog_h225(b.b, one - 3, &hi), CF_REC_YES);   /* cut in the UUIE */
	CHECK_INT(hi.has_uuie, 1);
	CHECK_INT(hi.h225_oid, 1);
	CHECK_INT(cf_recog_h225(b.b, 6, &hi), CF_REC_YES);    /* header cut: too little */
	CHECK_INT(hi.kind, CF_H323_NONE);
	CHECK_INT(hi.call_ref, 0);
	/* a cut TPKT starting like H.245 (TLS data can): not judged yet */
	b.n = 0; putn(&b, "\x03\x00\x47\x30\x45\x80\x11", 7);
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_TRUNCATED);
	CHECK_INT(hi.kind, CF_H323_NONE);
	CHECK_INT(hi.need, 0x4730 - 7);
	h225_setup(&b);
	putn(&b, "\x03\x00\x00\x08\x03\x00\x00\x64", 8);
	putn(&b, "\x03\x00\x00\x07\x21\x80\x01", 7);
	EVERY_CUT(b, bad += cf_recog_h225(p, n, &hi) == CF_REC_YES && hi.tpkts > 3);
	CHECK_INT(bad, 0);
	/* hostile: an IE length past the TPKT, a call reference of 5
	 * octets, a TPKT length under 5, an H.245 index past the root */
	h225_setup(&b);
	b.b[16] = 0xff;                                  /* display length */
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_NO);
	h225_setup(&b);
	b.b[5] = 5;
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_NO);
	b.n = 0; putn(&b, "\x03\x00\x00\x04", 4);
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_NO);
	b.n = 0; putn(&b, "\x03\x00\x00\x05\x0e", 5);   /* request index 14 */
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_NO);
	b.n = 0; putn(&b, "\x03\x00\xff\xff\x08\x02", 6);
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_YES);
	CHECK_INT(hi.need, 0xffff - 6);
	CHECK_INT(hi.kind, CF_H323_NONE);
}

static void test_ras(void)
{
	struct buf b = { .n = 0 };
	struct cf_ras_info ri;
	int bad = 0;

	/* registrationRequest (3): CHOICE octet, preamble, seq - 1, OID */
	put8(&b, CF_RAS_RRQ << 2 | 2); put8(&b, 0xc0); put16(&b, 0x4691);
	putn(&b, "\x06\x00\x08\x91\x4a\x00\x06", 7);
	putfill(&b, 0x01, 16);
	CHECK_INT(cf_recog_ras(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.msg, CF_RAS_RRQ);
	CHECK_INT(ri.strong, 1);
	CHECK_INT(ri.seq_ok, 1);
	CHECK_INT(ri.seq, 0x4692);
	CHECK_INT(ri.h225_version, 6);
	CHECK_INT(cf_recog_ras(b.b, 8, &ri), CF_REC_TRUNCATED);
	EVERY_CUT(b, bad += cf_recog_ras(p, n, &ri) == CF_REC_YES && n < 11);
	CHECK_INT(bad, 0);
	b.b[6] = 0x09;                                   /* not H.225's OID */
	CHECK_INT(cf_recog_ras(b.b, b.n, &ri), CF_REC_NO);
	/* admissionConfirm (10): weak */
	b.b[0] = CF_RAS_ACF << 2;
	CHECK_INT(cf_recog_ras(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.msg, CF_RAS_ACF);
	CHECK_INT(ri.strong, 0);
	CHECK_INT(ri.seq_ok, 0);
	b.b[0] = 25 << 2;                                /* past the root */
	CHECK_INT(cf_recog_ras(b.b, b.n, &ri), CF_REC_NO);
	b.b[0] = 0x80 | 2;                               /* extension 2 */
	CHECK_INT(cf_recog_ras(b.b, b.n, &ri), CF_REC_YES);
	CHECK_INT(ri.extension, 1);
	CHECK_INT(ri.msg, 27);
	b.b[0] = 0x80 | 0x30;
	CHECK_INT(cf_recog_ras(b.b, b.n, &ri), CF_REC_NO);
	CHECK_INT(cf_recog_ras((const uint8_t *)"INVITE sip:a@b SIP/2.0\r\n", 24, &ri), CF_REC_NO);
}

/* --- MGCP --- */

static void test_mgcp(void)
{
	static const char crcx[] =
		"CRCX 1204 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\n"
		"C: A3C47F21456789F0\r\nL: p:10, a:PCMU\r\nM: recvonly\r\n\r\n"
		"v=0\r\nc=IN IP4 192.0.2.7\r\nm=audio 3456 RTP/AVP 0\r\n";
	static const char ok[] = "200 1204 OK\nI: FDE234C8\n\nv=0\nc=IN IP4 203.0.113.9\n"
		"m=audio 0 RTP/AVP 0\nm=audio 49170 RTP/AVP 0\nc=IN IP6 2001:db8:1::5\n";
	struct cf_mgcp_info mi;
	struct buf b = { .n = 0 };
	char ip[CF_ADDR_STRLEN];
	int bad = 0;

	CHECK_INT(cf_recog_mgcp((const uint8_t *)crcx, strlen(crcx), &mi), CF_REC_YES);
	CHECK_INT(mi.is_command, 1);
	CHECK_STR(mi.verb, "CRCX");
	CHECK_INT(mi.txid, 1204);
	CHECK_INT(mi.n_media, 1);
	CHECK_STR(cf_addr_str(&mi.media[0].addr, ip, sizeof(ip)), "192.0.2.7");
	CHECK_INT(mi.media[0].port, 3456);
	CHECK_INT(cf_recog_mgcp((const uint8_t *)ok, strlen(ok), &mi), CF_REC_YES);
	CHECK_INT(mi.is_command, 0);
	CHECK_INT(mi.code, 200);
	CHECK_INT(mi.txid, 1204);
	CHECK_INT(mi.n_media, 1);
	CHECK_STR(cf_addr_str(&mi.media[0].addr, ip, sizeof(ip)), "2001:db8:1::5");
	CHECK_INT(mi.media[0].port, 49170);
	putn(&b, crcx, strlen(crcx));
	EVERY_CUT(b, bad += cf_recog_mgcp(p, n, &mi) == CF_REC_YES && mi.n_media > 1);
	CHECK_INT(bad, 0);
	/* bare CR line ends, lower-case verb, profile after the version */
#define MGCP_IS(s, want) CHECK_INT(cf_recog_mgcp((const uint8_t *)(s), strlen(s), &mi), want)
	MGCP_IS("rqnt 1 *@gw.example.net MGCP 0.1\rX: 2\r", CF_REC_YES);
	MGCP_IS("NTFY 7 aaln/1@gw MGCP 1.0 NCS 1.0\r\n", CF_REC_YES);
	MGCP_IS("RSIP 0 *@gw MGCP 1.0\r\n", CF_REC_NO);            /* txid 0 */
	MGCP_IS("RSIP 1234567890 *@gw MGCP 1.0\r\n", CF_REC_NO);   /* 10 digits */
	MGCP_IS("RSIP 12 gateway MGCP 1.0\r\n", CF_REC_NO);        /* no '@' */
	MGCP_IS("RSIP 12 *@gw SIP/2.0\r\n", CF_REC_NO);
	MGCP_IS("HTTP 12 *@gw MGCP 1.0\r\n", CF_REC_NO);
	MGCP_IS("200 OK\r\n", CF_REC_NO);
	MGCP_IS("2000 12 OK\r\n", CF_REC_NO);
	MGCP_IS("", CF_REC_NO);
#undef MGCP_IS
}

/* --- IAX2 --- */

static void iax_full(struct buf *b, unsigned src, unsigned dst, unsigned type,
		     unsigned sub)
{
	b->n = 0;
	put16(b, 0x8000 | src); put16(b, dst); put32(b, 3); put8(b, 0); put8(b, 0);
	put8(b, type); put8(b, sub);
}

static void test_iax2(void)
{
	struct buf b;
	struct cf_iax2_info ii;
	int bad = 0;

	iax_full(&b, 4, 0, CF_IAX2_IAX, 1);              /* NEW */
	put8(&b, 11); put8(&b, 2); put16(&b, 2);         /* VERSION 2 */
	put8(&b, 1); put8(&b, 4); putn(&b, "4420", 4);   /* CALLED NUMBER */
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_YES);
	CHECK_INT(ii.kind, CF_IAX2_FULL);
	CHECK_INT(ii.src_call, 4);
	CHECK_INT(ii.dst_call, 0);
	CHECK_INT(ii.type, CF_IAX2_IAX);
	CHECK_INT(ii.subclass, 1);
	CHECK_INT(ii.is_signaling, 1);
	CHECK_INT(ii.is_media, 0);
	CHECK_INT(ii.weak, 0);
	CHECK_INT(ii.ies_ok, 1);
	EVERY_CUT(b, bad += cf_recog_iax2(p, n, &ii) == CF_REC_YES && ii.kind == CF_IAX2_FULL &&
		  n != 12 && n != 16 && n != b.n);
	CHECK_INT(bad, 0);
	b.b[b.n - 5] = 9;                                /* IE length lies */
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_NO);
	iax_full(&b, 4, 0, CF_IAX2_IAX, 0x55);           /* subclass past 38 */
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_NO);
	iax_full(&b, 4, 23, 11, 0);                      /* frame type 11 */
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_NO);
	iax_full(&b, 0, 23, CF_IAX2_VOICE, 4);           /* source call 0 */
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_NO);
	iax_full(&b, 4, 0x8000 | 23, CF_IAX2_VOICE, 4);  /* retransmitted voice */
	putfill(&b, 0xd5, 160);
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_YES);
	CHECK_INT(ii.retransmit, 1);
	CHECK_INT(ii.dst_call, 23);
	CHECK_INT(ii.is_media, 1);
	CHECK_INT(cf_recog_iax2(b.b, 7, &ii), CF_REC_TRUNCATED);
	/* mini frame: weak media */
	b.n = 0; put16(&b, 23); put16(&b, 0x021c); putfill(&b, 0xd5, 160);
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_YES);
	CHECK_INT(ii.kind, CF_IAX2_MINI);
	CHECK_INT(ii.weak, 1);
	CHECK_INT(ii.is_media, 1);
	CHECK_INT(ii.ts, 0x021c);
	CHECK_INT(cf_recog_iax2(b.b, 4, &ii), CF_REC_NO);   /* no data */
	CHECK_INT(cf_recog_iax2((const uint8_t *)"SIP/2.0 200 OK\r\n", 16, &ii), CF_REC_NO);
	CHECK_INT(cf_recog_iax2(b.b, 1, &ii), CF_REC_TRUNCATED);
	/* meta video, meta trunk, bad meta command */
	b.n = 0; put16(&b, 0); put16(&b, 0x8000 | 23); put16(&b, 0x8010); putfill(&b, 1, 30);
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_YES);
	CHECK_INT(ii.kind, CF_IAX2_META_VIDEO);
	CHECK_INT(ii.src_call, 23);
	CHECK_INT(ii.ts, 0x10);
	b.n = 0; put16(&b, 0); put8(&b, 1); put8(&b, 1); put32(&b, 99); putfill(&b, 1, 30);
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_YES);
	CHECK_INT(ii.kind, CF_IAX2_META_TRUNK);
	b.b[2] = 2;
	CHECK_INT(cf_recog_iax2(b.b, b.n, &ii), CF_REC_NO);
	CHECK_INT(cf_recog_iax2(b.b, 5, &ii), CF_REC_TRUNCATED);
}

/* --- BFCP --- */

static void test_bfcp(void)
{
	struct buf b = { .n = 0 };
	struct cf_bfcp_info bi;
	int bad = 0;

	/* FloorRequest (1), version 1, FLOOR-ID attribute (type 2, M) */
	put8(&b, 0x20); put8(&b, 1); put16(&b, 1); put32(&b, 0x1234);
	put16(&b, 7); put16(&b, 0x0504);
	put8(&b, 2 << 1 | 1); put8(&b, 4); put16(&b, 1);
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_YES);
	CHECK_INT(bi.version, 1);
	CHECK_INT(bi.primitive, 1);
	CHECK_INT(bi.payload_len, 1);
	CHECK_INT(bi.conference_id, 0x1234);
	CHECK_INT(bi.transaction_id, 7);
	CHECK_INT(bi.user_id, 0x0504);
	CHECK_INT(bi.attrs, 1);
	CHECK_INT(bi.exact, 1);
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 0, &bi), CF_REC_YES);
	EVERY_CUT(b, bad += cf_recog_bfcp(p, n, 0, &bi) == CF_REC_YES && n != b.n);
	CHECK_INT(bad, 0);
	CHECK_INT(cf_recog_bfcp(b.b, 12, 1, &bi), CF_REC_TRUNCATED);  /* length lies / cut */
	putfill(&b, 0, 4);                               /* 4 bytes more */
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_YES);
	CHECK_INT(bi.exact, 0);
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 0, &bi), CF_REC_NO);
	b.n -= 4;
	b.b[13] = 1;                                     /* attribute length 1 */
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_NO);
	b.b[13] = 4;
	b.b[1] = 18;                                     /* primitive 18 */
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_NO);
	b.b[1] = 0;
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_NO);
	b.b[1] = 1;
	b.b[0] = 0x60;                                   /* version 3 */
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_NO);
	b.b[0] = 0x28;                                   /* F in version 1 */
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_NO);
	b.b[0] = 0x20;
	set16(&b, 2, 0xffff);                            /* huge payload length */
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 1, &bi), CF_REC_TRUNCATED);
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 0, &bi), CF_REC_TRUNCATED);
	set16(&b, 2, 0);                                 /* zero length, no attrs */
	CHECK_INT(cf_recog_bfcp(b.b, 12, 0, &bi), CF_REC_YES);
	CHECK_INT(bi.attrs, 0);
	/* version 2 fragment: offset and length words, payload not walked */
	b.n = 0; put8(&b, 0x58); put8(&b, 4); put16(&b, 1); put32(&b, 1);
	put16(&b, 2); put16(&b, 3); put16(&b, 0); put16(&b, 1); put32(&b, 0xdeadbeef);
	CHECK_INT(cf_recog_bfcp(b.b, b.n, 0, &bi), CF_REC_YES);
	CHECK_INT(bi.fragment, 1);
	CHECK_INT(bi.responder, 1);
	CHECK_INT(cf_recog_bfcp(b.b, 14, 0, &bi), CF_REC_TRUNCATED);
}

/* An aligned-PER bit writer for H.245 test messages. */
struct bw {
	uint8_t b[128];
	size_t pos;             /* bits */
};

static void bw_bits(struct bw *w, unsigned n, unsigned v)
{
	while (n-- > 0) {
		if ((v >> n) & 1)
			w->b[w->pos / 8] |= (uint8_t)(0x80 >> (w->pos % 8));
		w->pos++;
	}
}

static void bw_align(struct bw *w)
{
	w->pos = (w->pos + 7) & ~(size_t)7;
}

static void bw_octets(struct bw *w, const uint8_t *p, size_t n)
{
	bw_align(w);
	memcpy(w->b + w->pos / 8, p, n);
	w->pos += n * 8;
}

/* TransportAddress unicastAddress iPAddress (v4) or iP6Address. */
static void bw_taddr(struct bw *w, const uint8_t *ip, int v6, unsigned port, int ext)
{
	uint8_t tsap[2] = { (uint8_t)(port >> 8), (uint8_t)port };

	bw_bits(w, 1, 0); bw_bits(w, 1, 0);              /* CHOICE ext, unicast */
	bw_bits(w, 1, 0); bw_bits(w, 3, v6 ? 2 : 0);     /* UnicastAddress */
	bw_bits(w, 1, (unsigned)ext);                    /* SEQUENCE ext */
	bw_octets(w, ip, v6 ? 16 : 4);
	bw_octets(w, tsap, 2);
}

/* TPKT + OpenLogicalChannelAck with h2250LogicalChannelAckParameters
 * (sessionID 1, mediaChannel, mediaControlChannel) in b. */
static void olc_ack_msg(struct buf *b, const uint8_t *ip, int v6, unsigned port,
			int ctl, int rev)
{
	struct bw ot, w;
	size_t n;

	memset(&ot, 0, sizeof(ot));
	bw_bits(&ot, 1, 0);                              /* CHOICE ext */
	bw_bits(&ot, 1, 0);                              /* SEQUENCE ext */
	bw_bits(&ot, 5, ctl ? 0x0e : 0x0c);              /* ns sid med ctl dyn */
	bw_bits(&ot, 8, 0);                              /* sessionID 1 */
	bw_taddr(&ot, ip, v6, port, 0);
	if (ctl)
		bw_taddr(&ot, ip, v6, port + 1, 0);
	bw_align(&ot);
	memset(&w, 0, sizeof(w));
	bw_bits(&w, 1, 0); bw_bits(&w, 2, 1);            /* response */
	bw_bits(&w, 1, 0); bw_bits(&w, 5, 5);            /* openLogicalChannelAck */
	bw_bits(&w, 1, 1); bw_bits(&w, 1, (unsigned)rev);/* ext, reverse params */
	bw_octets(&w, (const uint8_t *)"\x00\x08", 2);   /* forward LCN 9 */
	bw_bits(&w, 1, 0); bw_bits(&w, 6, 1);            /* 2 extension bits */
	bw_bits(&w, 1, 0); bw_bits(&w, 1, 1);            /* forwardMultiplexAck... */
	bw_align(&w);
	n = ot.pos / 8;
	w.b[w.pos / 8] = (uint8_t)n;                     /* open type length */
	w.pos += 8;
	bw_octets(&w, ot.b, n);
	b->n = 0;
	put8(b, 3); put8(b, 0); put16(b, (unsigned)(4 + w.pos / 8));
	putn(b, w.b, w.pos / 8);
}

static void test_h245_olc_ack(void)
{
	static const uint8_t v4[4] = { 192, 0, 2, 44 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x44 };
	struct cf_h225_info hi;
	char ip[CF_ADDR_STRLEN];
	struct buf b;
	int bad = 0;

	olc_ack_msg(&b, v4, 0, 7000, 1, 0);
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_YES);
	CHECK_INT(hi.kind, CF_H323_H245);
	CHECK_INT(hi.h245_class, 1);
	CHECK_INT(hi.h245_index, 5);
	CHECK_INT(hi.h245_lcn, 9);
	CHECK_INT(hi.has_media, 1);
	CHECK_STR(cf_addr_str(&hi.media_addr, ip, sizeof(ip)), "192.0.2.44");
	CHECK_INT(hi.media_port, 7000);
	CHECK_INT(hi.has_media_ctl, 1);
	CHECK_STR(cf_addr_str(&hi.media_ctl_addr, ip, sizeof(ip)), "192.0.2.44");
	CHECK_INT(hi.media_ctl_port, 7001);
	EVERY_CUT(b, bad += cf_recog_h225(p, n, &hi) == CF_REC_YES &&
		  hi.has_media_ctl && n < b.n);
	CHECK_INT(bad, 0);
	CHECK_INT(b.b[10], b.n - 11);                    /* the open type length */
	b.b[10] = 0x7f;                                  /* ... lies */
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_YES);
	CHECK_INT(hi.has_media, 0);
	olc_ack_msg(&b, v6, 1, 7002, 0, 0);
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_YES);
	CHECK_INT(hi.has_media, 1);
	CHECK_INT(hi.has_media_ctl, 0);
	CHECK_STR(cf_addr_str(&hi.media_addr, ip, sizeof(ip)), "2001:db8:1::44");
	CHECK_INT(hi.media_port, 7002);
	olc_ack_msg(&b, v4, 0, 7000, 1, 1);              /* reverse parameters */
	CHECK_INT(cf_recog_h225(b.b, b.n, &hi), CF_REC_YES);
	CHECK_INT(hi.has_media, 0);
}

/* Telegram reflector: tag, 0xFF x 12, type */
static void test_tg_reflector(void)
{
	struct buf b;
	uint32_t type;
	int bad = 0;

	b.n = 0;
	putfill(&b, 0x5c, 16);                   /* peer tag */
	putfill(&b, 0xff, 12);
	put32(&b, 0xfffffffe);                   /* the client's request */
	putfill(&b, 0x11, 8);                    /* query id */
	CHECK_INT(cf_recog_tg_reflector(b.b, b.n, &type), CF_REC_YES);
	CHECK_INT(type, 0xfffffffe);
	CHECK_INT(cf_recog_tg_reflector(b.b, 30, &type), CF_REC_TRUNCATED);
	CHECK_INT(cf_recog_tg_reflector(b.b, 20, &type), CF_REC_NO);
	EVERY_CUT(b, bad += cf_recog_tg_reflector(p, n, &type) == CF_REC_YES && n < 32);
	CHECK_INT(bad, 0);
	b.b[16 + 11] = 0xfe;                     /* the run is 11 long */
	CHECK_INT(cf_recog_tg_reflector(b.b, b.n, &type), CF_REC_NO);
	b.n = 0;                                 /* encrypted data after the tag */
	putfill(&b, 0x5c, 16);
	putfill(&b, 0x3a, 80);
	CHECK_INT(cf_recog_tg_reflector(b.b, b.n, &type), CF_REC_NO);
}

static void agora_join(struct buf *b, const char *name)
{
	size_t n = strlen(name);

	b->n = 0;
	put16(b, 0x005a); put16(b, 0x384c); put16(b, 0);
	put8(b, 0x21); putfill(b, 0, 5);
	put8(b, 0x04); putn(b, "SNI", 3);
	put16(b, (unsigned)n); put8(b, 0);
	putn(b, name, n);
	putn(b, "PDMD", 4); putfill(b, 0, 20);
}

static void test_agora(void)
{
	struct buf b;
	struct cf_agora_info ai;
	int bad = 0;

	agora_join(&b, "23-248-186-179.edge.agora.io");
	CHECK_INT(cf_recog_agora_join(b.b, b.n, &ai), CF_REC_YES);
	CHECK_STR(ai.host, "23-248-186-179.edge.agora.io");
	CHECK_INT(ai.host_len, 28);
	CHECK_INT(cf_recog_agora_join(b.b, 19 + 10, &ai), CF_REC_TRUNCATED);
	EVERY_CUT(b, bad += cf_recog_agora_join(p, n, &ai) == CF_REC_YES && n < 19 + 28);
	CHECK_INT(bad, 0);
	b.b[6] = 0x23;                            /* not a join */
	CHECK_INT(cf_recog_agora_join(b.b, b.n, &ai), CF_REC_NO);
	agora_join(&b, "bad name\x01");           /* not a DNS name */
	CHECK_INT(cf_recog_agora_join(b.b, b.n, &ai), CF_REC_NO);
	agora_join(&b, "x.agora.io");
	b.b[18] = 1;                              /* the octet before the name */
	CHECK_INT(cf_recog_agora_join(b.b, b.n, &ai), CF_REC_NO);
	agora_join(&b, "x.agora.io");
	set16(&b, 16, 0);                         /* an empty name */
	CHECK_INT(cf_recog_agora_join(b.b, b.n, &ai), CF_REC_NO);
}

static void test_discord(void)
{
	struct buf b;
	int kind;

	b.n = 0;
	put32(&b, 0x1337cafe); putle32(&b, 14);
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_YES);
	CHECK_INT(kind, CF_DISCORD_KEEPALIVE);
	b.b[3] = 0xff;
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_NO);
	/* IP discovery request: empty address */
	b.n = 0;
	put16(&b, 1); put16(&b, 70); put32(&b, 0x001a7e73); putfill(&b, 0, 64); put16(&b, 0);
	CHECK_INT(b.n, 74);
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_YES);
	CHECK_INT(kind, CF_DISCORD_IPD_REQUEST);
	CHECK_INT(cf_recog_discord(b.b, 73, &kind), CF_REC_NO);
	/* the response names the address */
	b.n = 0;
	put16(&b, 2); put16(&b, 70); put32(&b, 0x001a7e73);
	putn(&b, "85.154.2.145", 12); putfill(&b, 0, 52); put16(&b, 50003);
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_YES);
	CHECK_INT(kind, CF_DISCORD_IPD_RESPONSE);
	b.b[40] = 'x';                            /* bytes after the NUL */
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_NO);
	b.b[40] = 0;
	set16(&b, 2, 71);                         /* the length field */
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_NO);
	set16(&b, 2, 70);
	set16(&b, 0, 3);                          /* type 3 */
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_NO);
	b.n = 0;                                  /* an RTP packet of 74 bytes */
	put16(&b, 0x8078); put16(&b, 1); put32(&b, 160); put32(&b, 0x1234); putfill(&b, 7, 62);
	CHECK_INT(cf_recog_discord(b.b, b.n, &kind), CF_REC_NO);
}

/* The line reader of SIP, SDP and MGCP against the byte-by-byte reading
 * it replaced (a line ends at CR, LF or CR LF; what does not fit in the
 * buffer is cut but read; the last line needs no end), on lines around
 * its look-ahead window and on random bodies of CRs, LFs and text. */
static int ref_line(struct cursor *c, char *line, size_t cap)
{
	size_t n = 0;
	uint8_t b, nx;

	if (cur_left(c) == 0)
		return -1;
	while (cur_u8(c, &b) == 0) {
		if (b == '\n' || b == '\r') {
			if (b == '\r' && cur_peek_u8(c, 0, &nx) == 0 && nx == '\n')
				cur_skip(c, 1);
			break;
		}
		if (n + 1 < cap)
			line[n++] = (char)b;
	}
	line[n] = '\0';
	return 0;
}

static void lines_agree(const uint8_t *body, size_t n, size_t cap)
{
	uint8_t *p = malloc(n ? n : 1);
	struct cursor a, b;
	char la[600], lb[600];
	int ra, rb, lines = 0;

	memcpy(p, body, n);
	cur_init(&a, p, n);
	cur_init(&b, p, n);
	do {
		memset(la, 'x', sizeof(la));
		memset(lb, 'y', sizeof(lb));
		ra = cf_recog_line(&a, la, cap);
		rb = ref_line(&b, lb, cap);
		CHECK_INT(ra, rb);
		if (ra == 0)
			CHECK_STR(la, lb);
		CHECK_INT((int)cur_left(&a), (int)cur_left(&b));
	} while (ra == 0 && rb == 0 && ++lines < 5000);
	free(p);
}

static void test_lines(void)
{
	static const char *const fixed[] = {
		"INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\nv=0\r\n",
		"a\rb\nc\r\n\r\r\n\n\nd", "\r", "\n", "\r\n", "x", "",
		"no end at all", "cr at the end\r", "\r\r\r\n\n\r",
	};
	uint8_t body[1500];
	uint64_t st = 0x5eed1;
	size_t i, k, len;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		for (k = 1; k < 40; k += 7)
			lines_agree((const uint8_t *)fixed[i], strlen(fixed[i]), k);
	/* lines either side of the window (128) and of the buffer (cap) */
	for (len = 120; len < 400; len += 3) {
		memset(body, 'a', len);
		body[len] = '\r';
		body[len + 1] = '\n';
		memcpy(body + len + 2, "tail", 4);
		lines_agree(body, len + 6, 129);
		lines_agree(body, len + 6, 600);
		lines_agree(body, len + 1, 300);
		lines_agree(body, len, 128);
	}
	for (i = 0; i < 3000; i++) {
		len = harness_below(&st, sizeof(body));
		for (k = 0; k < len; k++) {
			unsigned r = harness_below(&st, 10);

			body[k] = r == 0 ? '\r' : r == 1 ? '\n' : (uint8_t)('a' + r);
		}
		if (i % 3 == 0)         /* long runs of one kind of end */
			memset(body, i % 2 ? '\r' : '\n', len / 2);
		lines_agree(body, len, 1 + harness_below(&st, 300));
	}
}

int main(void)
{
	RUN(test_tls_client_hello);
	RUN(test_tls_truncated_everywhere);
	RUN(test_tls_long_sni);
	RUN(test_tls_server_hello);
	RUN(test_tls_lookalikes);
	RUN(test_dtls_client_hello);
	RUN(test_dtls_records);
	RUN(test_dtls_lookalikes);
	RUN(test_rtp);
	RUN(test_rtp_lookalikes);
	RUN(test_rtcp);
	RUN(test_zrtp);
	RUN(test_stun);
	RUN(test_stun_lookalikes);
	RUN(test_stun_classic);
	RUN(test_channel_data);
	RUN(test_zoom_server);
	RUN(test_zoom_p2p);
	RUN(test_zoom_lookalikes);
	RUN(test_sip);
	RUN(test_stun_xor_mapped);
	RUN(test_stun_peer);
	RUN(test_stun_bad_attrs);
	RUN(test_stun_ms_turn);
	RUN(test_quic);
	RUN(test_quic_lookalikes);
	RUN(test_sdp_media);
	RUN(test_frames_rfc4571);
	RUN(test_frames_stun);
	RUN(test_sccp);
	RUN(test_h225);
	RUN(test_h245_olc_ack);
	RUN(test_ras);
	RUN(test_mgcp);
	RUN(test_iax2);
	RUN(test_bfcp);
	RUN(test_tg_reflector);
	RUN(test_agora);
	RUN(test_discord);
	RUN(test_lines);
	return harness_done();
}
