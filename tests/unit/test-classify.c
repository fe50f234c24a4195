/*
 * test-classify.c - whole-flow classification: packets built by hand
 * (IPv4 + TCP/UDP + payload, as the decoder would hand them over) are fed
 * to cf_classify_packet with the shipped catalog (CF_RULES_DIR, default
 * "rules"), and catalog errors are checked for their file:line messages.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "classify/catalog.h"
#include "util/glob.h"
#include "classify/classify.h"
#include "classify/classify-ndpi.h"
#include "classify/classify-int.h"
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif
#include "decode/decode.h"
#include "flow/flow.h"

#define CF_REASM_TEST_FLOWS 20       /* more than the classifier's 16 slots */

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
static void set16(struct buf *b, size_t at, unsigned v) { b->b[at] = (uint8_t)(v >> 8); b->b[at + 1] = (uint8_t)v; }
static void set24(struct buf *b, size_t at, unsigned v) { b->b[at] = (uint8_t)(v >> 16); set16(b, at + 1, v & 0xffff); }

static struct cf_classifier *cls;
static char catalog_path[512];

/* --- packets and flows ------------------------------------------------ */

struct tpkt {
	struct buf raw;
	struct cf_packet pkt;
};

static uint64_t now_us = 1600000000000000ull;

/* IPv4 + TCP (flags) or UDP header + payload, and the cf_packet for it. */
static void mk(struct tpkt *t, const char *src, const char *dst, uint8_t proto,
	       uint16_t sp, uint16_t dp, uint8_t flags, const struct buf *pl)
{
	struct buf *r = &t->raw;
	size_t l4 = proto == 6 ? 20 : 8, plen = pl ? pl->n : 0;

	r->n = 0;
	put8(r, 0x45); put8(r, 0); put16(r, (unsigned)(20 + l4 + plen));
	put16(r, 1); put16(r, 0x4000); put8(r, 64); put8(r, proto); put16(r, 0);
	cf_addr_parse(src, &t->pkt.src);
	cf_addr_parse(dst, &t->pkt.dst);
	putn(r, cf_addr_v4(&t->pkt.src), 4);
	putn(r, cf_addr_v4(&t->pkt.dst), 4);
	put16(r, sp); put16(r, dp);
	if (proto == 6) {
		put32(r, 1000); put32(r, flags & 0x10 ? 2000 : 0);
		put8(r, 5 << 4); put8(r, flags); put16(r, 65535); put16(r, 0); put16(r, 0);
	} else {
		put16(r, (unsigned)(8 + plen)); put16(r, 0);
	}
	if (plen)
		putn(r, pl->b, plen);
	t->pkt.ts_us = now_us += 1000;
	t->pkt.wire_len = t->pkt.cap_len = (uint32_t)r->n;
	t->pkt.vlan = 0;
	t->pkt.ip_version = 4;
	t->pkt.proto = proto;
	t->pkt.sport = sp;
	t->pkt.dport = dp;
	t->pkt.tcp_flags = proto == 6 ? flags : 0;
	t->pkt.l3 = r->b;
	t->pkt.l3_len = t->pkt.ip_len = (uint32_t)r->n;
	t->pkt.payload = r->b + 20 + l4;
	t->pkt.payload_len = (uint32_t)plen;
}

static void flow_init(struct cf_flow *f, const char *a, uint16_t pa,
		      const char *b, uint16_t pb, uint8_t proto)
{
	memset(f, 0, sizeof(*f));
	cf_addr_parse(a, &f->ip[0]);
	cf_addr_parse(b, &f->ip[1]);
	f->port[0] = pa;
	f->port[1] = pb;
	f->proto = proto;
	f->ip_version = 4;
	f->local = -1;
	f->decided_rule = -1;
}

/* Send pl from end dir of f; returns cf_classify_packet's answer. */
static int feed(struct cf_flow *f, int dir, uint8_t flags, const struct buf *pl)
{
	struct tpkt t;
	char a[CF_ADDR_STRLEN], b[CF_ADDR_STRLEN];

	cf_addr_str(&f->ip[dir], a, sizeof(a));
	cf_addr_str(&f->ip[!dir], b, sizeof(b));
	mk(&t, a, b, f->proto, f->port[dir], f->port[!dir], flags, pl);
	f->pkts[dir]++;
	if (f->cls.done == CF_DONE_FINAL)
		return 0;
	return cf_classify_packet(cls, f, &t.pkt, dir);
}

/* One packet from end 0 of f to classifier c (not the tests' own). */
static void mk_feed(struct cf_classifier *c, struct cf_flow *f, const struct buf *pl)
{
	struct tpkt t;
	char a[CF_ADDR_STRLEN], b[CF_ADDR_STRLEN];

	cf_addr_str(&f->ip[0], a, sizeof(a));
	cf_addr_str(&f->ip[1], b, sizeof(b));
	mk(&t, a, b, f->proto, f->port[0], f->port[1], 0x18, pl);
	f->pkts[0]++;
	cf_classify_packet(c, f, &t.pkt, 0);
}

/* feed, after the facts for other flows (cf_classify_shared), as the
 * engine does for every packet */
static int feed_shared(struct cf_flow *f, int dir, const struct buf *pl)
{
	struct tpkt t;
	char a[CF_ADDR_STRLEN], b[CF_ADDR_STRLEN];

	cf_addr_str(&f->ip[dir], a, sizeof(a));
	cf_addr_str(&f->ip[!dir], b, sizeof(b));
	mk(&t, a, b, f->proto, f->port[dir], f->port[!dir], 0, pl);
	int changed;

	cf_classify_shared(cls, &t.pkt);
	changed = feed(f, dir, 0, pl);
	cf_classify_shared_done(cls);
	return changed;
}

static int has_token(const char *evidence, const char *tok)
{
	size_t n = strlen(tok);
	const char *p;

	for (p = evidence; (p = strstr(p, tok)) != NULL; p += n)
		if ((p == evidence || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* --- payloads ----------------------------------------------------------- */

static void client_hello(struct buf *b, const char *sni)
{
	size_t rec_at, hs_at, ext_at, l = sni ? strlen(sni) : 0;

	b->n = 0;
	put8(b, 22); put16(b, 0x0301); rec_at = b->n; put16(b, 0);
	put8(b, 1); hs_at = b->n; put24(b, 0);
	put16(b, 0x0303); putfill(b, 0x11, 32); put8(b, 0);
	put16(b, 4); put16(b, 0x1301); put16(b, 0xc02f); put8(b, 1); put8(b, 0);
	ext_at = b->n; put16(b, 0);
	if (sni != NULL) {              /* (NULL: no server_name at all) */
		put16(b, 0); put16(b, (unsigned)l + 5); put16(b, (unsigned)l + 3);
		put8(b, 0); put16(b, (unsigned)l); putn(b, sni, l);
	} else {                        /* supported_groups: x25519 */
		put16(b, 10); put16(b, 4); put16(b, 2); put16(b, 29);
	}
	set16(b, ext_at, (unsigned)(b->n - ext_at - 2));
	set24(b, hs_at, (unsigned)(b->n - hs_at - 3));
	set16(b, rec_at, (unsigned)(b->n - rec_at - 2));
}

/* A ServerHello choosing version (supported_versions, RFC 8446 s.4.2.1;
 * none when 0: TLS 1.2 by legacy_version) and TLS_AES_128_GCM_SHA256. */
static void server_hello(struct buf *b, unsigned version)
{
	size_t rec_at, hs_at, ext_at;

	b->n = 0;
	put8(b, 22); put16(b, 0x0303); rec_at = b->n; put16(b, 0);
	put8(b, 2); hs_at = b->n; put24(b, 0);
	put16(b, 0x0303); putfill(b, 0x22, 32); put8(b, 0);
	put16(b, 0x1301); put8(b, 0);
	ext_at = b->n; put16(b, 0);
	if (version != 0) {
		put16(b, 43); put16(b, 2); put16(b, version);
	}
	set16(b, ext_at, (unsigned)(b->n - ext_at - 2));
	set24(b, hs_at, (unsigned)(b->n - hs_at - 3));
	set16(b, rec_at, (unsigned)(b->n - rec_at - 2));
}

/* A DTLS ClientHello; with use_srtp (RFC 5764) when srtp is set. */
static void dtls_hello(struct buf *b, int srtp)
{
	size_t body = 2 + 32 + 1 + 1 + 2 + 2 + 1 + 1 + (srtp ? 2 + 9 : 0);

	b->n = 0;
	put8(b, 22); put16(b, 0xfeff); put16(b, 0); put16(b, 0); put32(b, 0);
	put16(b, (unsigned)(12 + body));
	put8(b, 1); put24(b, (unsigned)body); put16(b, 0); put24(b, 0);
	put24(b, (unsigned)body);
	put16(b, 0xfefd); putfill(b, 0x44, 32); put8(b, 0); put8(b, 0);
	put16(b, 2); put16(b, 0xc02b); put8(b, 1); put8(b, 0);
	if (srtp) {
		put16(b, 9);                                  /* extensions */
		put16(b, 14); put16(b, 5); put16(b, 2); put16(b, 0x0001); put8(b, 0);
	}
}

static void dtls_client_hello(struct buf *b)
{
	dtls_hello(b, 1);
}

static void rtp(struct buf *b, unsigned seq, uint32_t ssrc)
{
	b->n = 0;
	put8(b, 0x80); put8(b, 0); put16(b, seq); put32(b, 160u * seq);
	put32(b, ssrc); putfill(b, 0xd5, 160);
}

static void zoom_video(struct buf *b, unsigned seq)
{
	b->n = 0;
	put8(b, 0x05); put16(b, seq); put32(b, 0); put8(b, 0x04);
	put8(b, 16); putfill(b, 0, 19); put8(b, 0x02); putfill(b, 0, 3);
	put8(b, 0x80); put8(b, 98); put16(b, seq); put32(b, 90u * seq);
	put32(b, 0x01000402); putfill(b, 0xab, 600);
}

static void dns_query(struct buf *b, int response)
{
	static const char *const labels[] = { "zoomsjc1mmr", "zoom", "us", NULL };
	size_t i;

	b->n = 0;
	put16(b, 0x4a1f); put16(b, response ? 0x8180 : 0x0100);
	put16(b, 1); put16(b, response ? 1 : 0); put16(b, 0); put16(b, 0);
	for (i = 0; labels[i]; i++) {
		put8(b, (unsigned)strlen(labels[i]));
		putn(b, labels[i], strlen(labels[i]));
	}
	put8(b, 0); put16(b, 1); put16(b, 1);
	if (response) {
		put16(b, 0xc00c); put16(b, 1); put16(b, 1); put32(b, 60);
		put16(b, 4); put32(b, 0x90c3499a);          /* 144.195.73.154 */
	}
}

/* --- tests -------------------------------------------------------------- */

static void test_tls_zoom_mmr(void)
{
	struct cf_flow f;
	struct buf ch;
	struct cf_classify_stats before, after;
	int changed;

	cf_classify_get_stats(cls, &before);
	flow_init(&f, "192.168.1.178", 50076, "144.195.73.154", 443, 6);
	feed(&f, 0, 0x02, NULL);                        /* SYN */
	feed(&f, 1, 0x12, NULL);                        /* SYN+ACK */
	feed(&f, 0, 0x10, NULL);                        /* ACK */
	client_hello(&ch, "zoomsjc1mmr.zoom.us");
	changed = feed(&f, 0, 0x18, &ch);
	CHECK_INT(changed, 1);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK_STR(cf_class_l7(&f.cls), "tls");
	CHECK_STR(cf_class_host(&f.cls), "zoomsjc1mmr.zoom.us");
	CHECK_INT(f.cls.roles, CF_ROLE_KEYX | CF_ROLE_SIGNALING);
	CHECK_INT(f.cls.is_call, 1);
	CHECK(has_token(cf_class_evidence(&f.cls), "tls-sni"));
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:zoom-mmr"));
	CHECK(f.cls.version >= 1);
	CHECK_INT(f.cls.inspected, 4);
	/* the SNI named the app and TLS is the flow's own: nDPI let go at
	   the hello, not at the end */
	CHECK(f.cls.ndpi == NULL);
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.ndpi_let_go, before.ndpi_let_go + 1);
	cf_classify_finish(cls, &f);
	CHECK_INT(f.cls.done, 1);
	CHECK(f.cls.ndpi == NULL);
	CHECK(f.cls.ndpi_state != 0);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.ndpi_flows, before.ndpi_flows + 1);
	CHECK_INT(after.ndpi_decided + after.ndpi_gaveup + after.ndpi_let_go,
		  before.ndpi_decided + before.ndpi_gaveup + before.ndpi_let_go + 1);
}

/* A ClientHello whose server name decides the flow never reaches nDPI
 * (it is let go before it); one of an app the catalog names by a
 * protocol nDPI remembers per client (Teams: nDPI then names the
 * client's STUN flows Teams) reaches it once per client every 5 s. */
static void test_hello_not_to_ndpi(void)
{
	static const struct { const char *client; uint64_t wait_us; int to_ndpi; } t[] = {
		{ "192.168.1.50", 0, 1 },               /* the client's first */
		{ "192.168.1.50", 1000000, 0 },         /* 1 s later */
		{ "192.168.1.51", 0, 1 },               /* another client */
		{ "192.168.1.50", 6000000, 1 },         /* 5 s past the first */
		{ "192.168.1.50", 0, 0 },
	};
	struct cf_classify_stats b0, b1;
	struct cf_flow f;
	struct buf ch;
	unsigned i;

	cf_classify_get_stats(cls, &b0);
	flow_init(&f, "192.168.1.178", 50090, "144.195.73.154", 443, 6);
	feed(&f, 0, 0x02, NULL);
	feed(&f, 1, 0x12, NULL);
	feed(&f, 0, 0x10, NULL);
	client_hello(&ch, "zoomsjc1mmr.zoom.us");
	feed(&f, 0, 0x18, &ch);
	cf_classify_get_stats(cls, &b1);
	/* the SYN: not the SYN+ACK and ACK (no payload, nDPI has the flow),
	   not the hello */
	CHECK_INT(b1.ndpi_packets, b0.ndpi_packets + 1);
	CHECK_INT(b1.ndpi_let_go, b0.ndpi_let_go + 1);
	CHECK(f.cls.ndpi == NULL);
	CHECK_INT(f.cls.ndpi_state, 4);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK_STR(cf_class_host(&f.cls), "zoomsjc1mmr.zoom.us");
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:zoom-mmr"));
	cf_classify_finish(cls, &f);
	/* a flow seen from its hello on (its handshake before the capture):
	   nDPI never gets it, no state is made */
	cf_classify_get_stats(cls, &b0);
	flow_init(&f, "192.168.1.178", 50091, "144.195.73.154", 443, 6);
	feed(&f, 0, 0x18, &ch);
	cf_classify_get_stats(cls, &b1);
	CHECK_INT(b1.ndpi_packets, b0.ndpi_packets);
	CHECK_INT(b1.ndpi_flows, b0.ndpi_flows + 1);
	CHECK_INT(b1.ndpi_let_go, b0.ndpi_let_go + 1);
	CHECK_INT(b1.ndpi_live, b0.ndpi_live);
	CHECK_INT(f.cls.ndpi_state, 4);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	cf_classify_finish(cls, &f);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		now_us += t[i].wait_us;
		flow_init(&f, t[i].client, (uint16_t)(50100 + i), "52.113.194.132", 443, 6);
		feed(&f, 0, 0x02, NULL);
		cf_classify_get_stats(cls, &b0);
		client_hello(&ch, "teams.microsoft.com");
		feed(&f, 0, 0x18, &ch);
		cf_classify_get_stats(cls, &b1);
		CHECK_STR(cf_class_app(&f.cls), "teams");
		CHECK_INT(b1.ndpi_packets - b0.ndpi_packets, (uint64_t)t[i].to_ndpi);
		CHECK_INT(f.cls.ndpi_state, t[i].to_ndpi ? 1 : 4);
		cf_classify_finish(cls, &f);
	}
#ifdef __SANITIZE_ADDRESS__
	/* nDPI made its Teams cache (malloc) just now and keeps it in its
	   module, which lives in an arena (classify-ndpi.c): the leak checker
	   must see it reachable while the module lives */
	CHECK_INT(__lsan_do_recoverable_leak_check(), 0);
#endif
}

/* A ClientHello naming no server is not given to nDPI (it would take
 * only "TLS" and its fingerprints from it): nDPI gets the SYN, then the
 * server's hello, from which it names the flow TLS as it would have from
 * the client's.  A nameless hello that is the first packet of its flow
 * nDPI sees goes to nDPI (it names flows by address at their first
 * packet), and so does a hello with a name no catalog line knows. */
static void test_nameless_hello(void)
{
	struct cf_classify_stats b0, b1;
	struct cf_flow f;
	struct buf ch, sh;

	cf_classify_get_stats(cls, &b0);
	flow_init(&f, "192.168.1.178", 50070, "203.0.113.77", 443, 6);
	feed(&f, 0, 0x02, NULL);
	feed(&f, 1, 0x12, NULL);
	feed(&f, 0, 0x10, NULL);
	client_hello(&ch, NULL);
	feed(&f, 0, 0x18, &ch);
	cf_classify_get_stats(cls, &b1);
	CHECK_INT(b1.ndpi_packets, b0.ndpi_packets + 1);        /* the SYN */
	CHECK(f.cls.ndpi != NULL);
	CHECK_STR(cf_class_host(&f.cls), "");
	server_hello(&sh, 0x0304);
	feed(&f, 1, 0x18, &sh);
	cf_classify_get_stats(cls, &b0);
	CHECK_INT(b0.ndpi_packets, b1.ndpi_packets + 1);        /* the server's */
	CHECK_STR(cf_class_l7(&f.cls), "tls");
	CHECK(has_token(cf_class_evidence(&f.cls), "ndpi:TLS"));
	cf_classify_finish(cls, &f);

	/* the first packet nDPI would see of its flow */
	cf_classify_get_stats(cls, &b0);
	flow_init(&f, "192.168.1.178", 50071, "203.0.113.77", 443, 6);
	feed(&f, 0, 0x18, &ch);
	cf_classify_get_stats(cls, &b1);
	CHECK_INT(b1.ndpi_packets, b0.ndpi_packets + 1);
	cf_classify_finish(cls, &f);

	/* a name no catalog line knows */
	flow_init(&f, "192.168.1.178", 50072, "203.0.113.77", 443, 6);
	feed(&f, 0, 0x02, NULL);
	cf_classify_get_stats(cls, &b0);
	client_hello(&ch, "www.example.org");
	feed(&f, 0, 0x18, &ch);
	cf_classify_get_stats(cls, &b1);
	CHECK_INT(b1.ndpi_packets, b0.ndpi_packets + 1);
	cf_classify_finish(cls, &f);
}

/* nDPI keeps a flow while it can still change the verdict: a TLS server
 * name no catalog line knows (nDPI may name the app from the
 * certificate), and QUIC, whose server name only nDPI reads. */
/* A hello as browsers send them: 16 suites with a GREASE one, a session
 * id, the SNI among ten extensions (GREASE, groups, ALPN, versions, key
 * share, padding); esni adds an encrypted_server_name (65486). */
static void browser_hello(struct buf *b, const char *sni, int esni)
{
	static const uint16_t suites[] = { 0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b,
		0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
		0x009d, 0x002f, 0x0035 };
	size_t rec_at, hs_at, ext_at, l = strlen(sni), i;

	b->n = 0;
	put8(b, 22); put16(b, 0x0301); rec_at = b->n; put16(b, 0);
	put8(b, 1); hs_at = b->n; put24(b, 0);
	put16(b, 0x0303); putfill(b, 0x5a, 32); put8(b, 32); putfill(b, 0x33, 32);
	put16(b, sizeof(suites));
	for (i = 0; i < sizeof(suites) / 2; i++)
		put16(b, suites[i]);
	put8(b, 1); put8(b, 0);
	ext_at = b->n; put16(b, 0);
	put16(b, 0x1a1a); put16(b, 0);                                  /* GREASE */
	put16(b, 0); put16(b, (unsigned)l + 5); put16(b, (unsigned)l + 3);
	put8(b, 0); put16(b, (unsigned)l); putn(b, sni, l);
	put16(b, 23); put16(b, 0);                                      /* ems */
	put16(b, 10); put16(b, 8); put16(b, 6); put16(b, 29); put16(b, 23); put16(b, 24);
	put16(b, 11); put16(b, 2); put8(b, 1); put8(b, 0);
	put16(b, 16); put16(b, 14); put16(b, 12); put8(b, 2); putn(b, "h2", 2);
	put8(b, 8); putn(b, "http/1.1", 8);
	put16(b, 13); put16(b, 8); put16(b, 6); put16(b, 0x0403); put16(b, 0x0804);
	put16(b, 0x0401);
	put16(b, 43); put16(b, 5); put8(b, 4); put16(b, 0x0304); put16(b, 0x0303);
	put16(b, 51); put16(b, 38); put16(b, 36); put16(b, 29); put16(b, 32);
	putfill(b, 0x44, 32);
	if (esni) {
		put16(b, 65486); put16(b, 44); put16(b, 0x1301); put16(b, 29);
		put16(b, 4); putfill(b, 0x55, 4); put16(b, 32); putfill(b, 0x66, 32);
	}
	put16(b, 21); put16(b, 40); putfill(b, 0, 40);                  /* padding */
	set16(b, ext_at, (unsigned)(b->n - ext_at - 2));
	set24(b, hs_at, (unsigned)(b->n - hs_at - 3));
	set16(b, rec_at, (unsigned)(b->n - rec_at - 2));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* nDPI's verdict on a flow whose one packet is l3 (a fresh state). */
static void ndpi_on(const uint8_t *l3, uint32_t len, struct cf_ndpi_verdict *v)
{
	void *fl = cf_ndpi_flow_new(cls->ndpi);

	memset(v, 0, sizeof(*v));
	CHECK(fl != NULL);
	if (fl == NULL)
		return;
	cf_ndpi_process(cls->ndpi, fl, l3, len, now_us / 1000, v);
	cf_ndpi_flow_free(cls->ndpi, fl);
}

/*
 * cf_hello_compact: a whole hello shrinks to what nDPI names a flow by,
 * the IP length and TCP sequence follow, and nDPI's verdict (app, master,
 * host) is the one the whole hello gets: a name nDPI knows, one it does
 * not, one with ESNI.  Hellos cut, followed by more, or too big for the
 * buffer are left alone.
 */
static void test_hello_compact(void)
{
	static const char *const names[] = { "www.youtube.com", "teams.microsoft.com",
		"zoom.us", "www.example.org" };
	struct cf_ndpi_verdict whole, part;
	uint8_t out[CF_HELLO_COMPACT_MAX];
	struct buf ch;
	struct tpkt t;
	uint32_t n, cut;
	size_t i;

	for (i = 0; i < 2 * sizeof(names) / sizeof(names[0]); i++) {
		browser_hello(&ch, names[i / 2], (int)(i & 1));
		mk(&t, "192.168.1.178", "203.0.113.9", 6, 50078, 443, 0x18, &ch);
		n = cf_hello_compact(&t.pkt, out, sizeof(out));
		CHECK(n > 40 && n < t.pkt.l3_len);
		if (n == 0)
			continue;
		cut = t.pkt.l3_len - n;
		CHECK_INT(out[2] << 8 | out[3], n);                     /* IP length */
		CHECK_INT(get32(out + 24), 1000 + cut);                 /* TCP seq */
		CHECK(memcmp(out, t.pkt.l3, 2) == 0 && memcmp(out + 4, t.pkt.l3 + 4, 20) == 0 &&
		      memcmp(out + 28, t.pkt.l3 + 28, 12) == 0);       /* the rest as was */
		/* record and handshake lengths, version and random, one suite */
		CHECK_INT(out[43] << 8 | out[44], n - 45);
		CHECK_INT(out[46] << 16 | out[47] << 8 | out[48], n - 49);
		CHECK(memcmp(out + 49, t.pkt.payload + 9, 34) == 0);
		CHECK_INT(out[83], 0);                                  /* no session id */
		CHECK_INT(out[84] << 8 | out[85], 2);
		CHECK_INT(out[86] << 8 | out[87], 0x0a0a);
		CHECK_INT(out[88] << 8 | out[89], 0x0100);              /* null compression */
		/* the extensions: server_name, then encrypted_server_name */
		CHECK_INT(out[90] << 8 | out[91], n - 92);
		CHECK_INT(out[92] << 8 | out[93], 0);
		CHECK(memcmp(out + 101, names[i / 2], strlen(names[i / 2])) == 0);
		if (i & 1)
			CHECK_INT(out[101 + strlen(names[i / 2])] << 8 |
				  out[102 + strlen(names[i / 2])], 65486);
		else
			CHECK_INT(101 + strlen(names[i / 2]), n);
		ndpi_on(t.pkt.l3, t.pkt.l3_len, &whole);
		ndpi_on(out, n, &part);
		CHECK_INT(part.app, whole.app);
		CHECK_INT(part.master, whole.master);
		CHECK_STR(part.host, whole.host);
		CHECK_INT(part.complete, whole.complete);
	}
	CHECK_STR(cf_ndpi_name(cls->ndpi, whole.app ? whole.app : whole.master), "TLS");
	CHECK_STR(whole.host, "www.example.org");
	/* nDPI knows YouTube's name: the shortened hello names it too */
	browser_hello(&ch, "www.youtube.com", 0);
	mk(&t, "192.168.1.178", "203.0.113.9", 6, 50078, 443, 0x18, &ch);
	n = cf_hello_compact(&t.pkt, out, sizeof(out));
	ndpi_on(out, n, &part);
	CHECK_STR(cf_ndpi_name(cls->ndpi, part.app), "YouTube");
	/* two server_name extensions (hostile, or broken): both kept, in
	   order, as nDPI reads them; its verdict is the whole hello's */
	browser_hello(&ch, "www.example.org", 0);
	{
		/* where the lengths are: record, handshake, extensions (past
		   version, random, session id, 16 suites and compression) */
		size_t rec = 3, hs = 6, ext = 9 + 34 + 1 + 32 + 2 + 32 + 2, at = ch.n;

		put16(&ch, 0); put16(&ch, 20); put16(&ch, 18); put8(&ch, 0);
		put16(&ch, 15); putn(&ch, "www.youtube.com", 15);
		set16(&ch, ext, (unsigned)(ch.b[ext] << 8 | ch.b[ext + 1]) + (unsigned)(ch.n - at));
		set24(&ch, hs, (unsigned)(ch.n - hs - 3));
		set16(&ch, rec, (unsigned)(ch.n - rec - 2));
	}
	mk(&t, "192.168.1.178", "203.0.113.9", 6, 50078, 443, 0x18, &ch);
	n = cf_hello_compact(&t.pkt, out, sizeof(out));
	CHECK(n > 0);
	CHECK_INT(out[90] << 8 | out[91], (4 + 5 + 15) + (4 + 20));   /* both server_names */
	ndpi_on(t.pkt.l3, t.pkt.l3_len, &whole);
	ndpi_on(out, n, &part);
	CHECK_INT(part.app, whole.app);
	CHECK_INT(part.master, whole.master);
	CHECK_STR(part.host, whole.host);
	/* too big for the buffer */
	browser_hello(&ch, "www.youtube.com", 0);
	mk(&t, "192.168.1.178", "203.0.113.9", 6, 50078, 443, 0x18, &ch);
	CHECK_INT(cf_hello_compact(&t.pkt, out, 100), 0);
	/* cut: the record goes on in the next segment */
	ch.n -= 10;
	mk(&t, "192.168.1.178", "203.0.113.9", 6, 50078, 443, 0x18, &ch);
	CHECK_INT(cf_hello_compact(&t.pkt, out, sizeof(out)), 0);
	/* followed by another record (a ChangeCipherSpec) */
	browser_hello(&ch, "zoom.us", 0);
	put8(&ch, 20); put16(&ch, 0x0303); put16(&ch, 1); put8(&ch, 1);
	mk(&t, "192.168.1.178", "203.0.113.9", 6, 50078, 443, 0x18, &ch);
	CHECK_INT(cf_hello_compact(&t.pkt, out, sizeof(out)), 0);
	/* a ServerHello, and a hello over UDP, are not for it */
	server_hello(&ch, 0x0304);
	mk(&t, "203.0.113.9", "192.168.1.178", 6, 443, 50078, 0x18, &ch);
	CHECK_INT(cf_hello_compact(&t.pkt, out, sizeof(out)), 0);
	browser_hello(&ch, "zoom.us", 0);
	mk(&t, "192.168.1.178", "203.0.113.9", 17, 50078, 443, 0, &ch);
	CHECK_INT(cf_hello_compact(&t.pkt, out, sizeof(out)), 0);
}

static void test_ndpi_kept(void)
{
	struct cf_flow f, q;
	struct buf ch, p;
	struct cf_classify_stats before, after;

	cf_classify_get_stats(cls, &before);
	flow_init(&f, "192.168.1.178", 50078, "203.0.113.9", 443, 6);
	client_hello(&ch, "www.example.org");
	feed(&f, 0, 0x18, &ch);
	CHECK_INT(f.cls.app_clue, CF_CLUE_NONE);
	CHECK(f.cls.ndpi != NULL);
	flow_init(&q, "192.168.1.178", 50079, "203.0.113.9", 443, 17);
	p.n = 0;                        /* a QUIC v1 Initial's long header */
	put8(&p, 0xc3); put32(&p, 1); put8(&p, 8); putfill(&p, 0x11, 8);
	put8(&p, 0); put8(&p, 0); put16(&p, 0x4000 | 1100); putfill(&p, 0, 1100);
	feed(&q, 0, 0, &p);
	CHECK_STR(cf_class_l7(&q.cls), "quic");
	CHECK(q.cls.ndpi != NULL);
	/* TLS 1.2 (no supported_versions): the certificate comes in the
	   clear, nDPI may name the app from it */
	server_hello(&ch, 0);
	feed(&f, 1, 0x18, &ch);
	CHECK(f.cls.ndpi != NULL);
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.ndpi_let_go, before.ndpi_let_go);
	/* the server's ChangeCipherSpec: its certificate, if it sent one,
	   came before (RFC 5246 s.7.3): nDPI has nothing left to read */
	ch.n = 0;
	put8(&ch, 20); put16(&ch, 0x0303); put16(&ch, 1); put8(&ch, 1);
	feed(&f, 1, 0x18, &ch);
	CHECK(f.cls.ndpi == NULL);
	CHECK(q.cls.ndpi != NULL);
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.ndpi_let_go, before.ndpi_let_go + 1);
	CHECK_STR(cf_class_l7(&f.cls), "tls");
	CHECK(has_token(cf_class_evidence(&f.cls), "ndpi:TLS"));
	cf_classify_finish(cls, &f);
	cf_classify_finish(cls, &q);
}

/* Media to a call app's server (Zoom's encapsulation to a Zoom MMR, a
 * catalog net line of one app): nDPI is let go once the media is
 * confirmed. */
static void test_ndpi_let_go_media(void)
{
	struct cf_flow f;
	struct buf p;
	struct cf_classify_stats before, after;

	cf_classify_get_stats(cls, &before);
	flow_init(&f, "192.168.1.117", 58330, "144.195.73.154", 8801, 17);
	zoom_video(&p, 1);
	feed(&f, 0, 0, &p);
	CHECK(f.cls.ndpi != NULL);
	zoom_video(&p, 2);
	feed(&f, 1, 0, &p);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK_INT(f.cls.app_clue, CF_CLUE_OPERATOR);
	CHECK(f.cls.ndpi == NULL);
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.ndpi_let_go, before.ndpi_let_go + 1);
	cf_classify_finish(cls, &f);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK_INT(f.cls.roles, CF_ROLE_MEDIA);
}

/* A flow nDPI was let go from stays open as long as nDPI could have kept
 * it: its key exchange and first media would settle it at once, but RTP
 * on the same flow (ICE multiplexes RTP and RTCP) still counts. */
static void test_ndpi_let_go_stays_open(void)
{
	struct cf_flow f;
	struct buf p;
	unsigned i;

	flow_init(&f, "192.168.1.117", 58332, "144.195.73.154", 8801, 17);
	dtls_client_hello(&p);
	feed(&f, 0, 0, &p);
	zoom_video(&p, 1);
	feed(&f, 1, 0, &p);
	zoom_video(&p, 2);
	feed(&f, 1, 0, &p);
	CHECK_INT(f.cls.roles, CF_ROLE_MEDIA | CF_ROLE_KEYX);
	CHECK(f.cls.ndpi == NULL);              /* let go ... */
	CHECK_INT(f.cls.done, CF_DONE_OPEN);    /* ... and still read */
	for (i = 0; i < 2; i++) {
		rtp(&p, 100 + i, 0x5150);
		feed(&f, 0, 0, &p);
	}
	CHECK(has_token(cf_class_evidence(&f.cls), "rtp"));
	for (i = 0; f.cls.done == CF_DONE_OPEN && i < 40; i++) {
		rtp(&p, 200 + i, 0x5150);
		feed(&f, 0, 0, &p);
	}
	CHECK(f.cls.done != CF_DONE_OPEN);
	CHECK_INT(f.cls.inspected, 32);         /* CF_NDPI_MAX_PACKETS */
	cf_classify_finish(cls, &f);
}

static void test_tls_zoom_web(void)
{
	struct cf_flow f;
	struct buf ch;

	flow_init(&f, "192.168.1.178", 50077, "52.202.62.196", 443, 6);
	client_hello(&ch, "ZOOM.US");
	feed(&f, 0, 0x18, &ch);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK_INT(f.cls.roles, CF_ROLE_WEB);
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:zoom-web"));
	cf_classify_finish(cls, &f);
}

static void test_dtls_keyx(void)
{
	struct cf_flow f;
	struct buf p;

	flow_init(&f, "10.0.0.1", 50000, "10.0.0.2", 50001, 17);
	dtls_client_hello(&p);
	CHECK_INT(feed(&f, 0, 0, &p), 1);
	CHECK_INT(f.cls.roles, CF_ROLE_KEYX);
	CHECK_STR(cf_class_app(&f.cls), "webrtc");
	CHECK_STR(cf_class_l7(&f.cls), "dtls");
	CHECK_INT(f.cls.is_call, 1);
	CHECK(has_token(cf_class_evidence(&f.cls), "dtls-handshake"));
	CHECK(has_token(cf_class_evidence(&f.cls), "use-srtp"));
	cf_classify_finish(cls, &f);
	CHECK_INT(f.cls.roles, CF_ROLE_KEYX);
}

/* A DTLS handshake with no call evidence (no use_srtp, no ICE, no media,
 * no call app's server) is no key exchange: a game relay, a VPN. */
static void test_dtls_no_call_evidence(void)
{
	struct cf_flow f;
	struct buf p, st;

	flow_init(&f, "10.0.0.1", 50000, "198.51.100.7", 61457, 17);
	dtls_hello(&p, 0);
	feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles, 0);
	CHECK_INT(f.cls.is_call, 0);
	CHECK_STR(cf_class_l7(&f.cls), "dtls");
	CHECK(strcmp(cf_class_app(&f.cls), "webrtc") != 0);
	CHECK(has_token(cf_class_evidence(&f.cls), "dtls-no-call-evidence"));
	cf_classify_finish(cls, &f);
	CHECK_INT(f.cls.roles, 0);

	/* the same handshake after an ICE check on the 5-tuple is a call's */
	flow_init(&f, "10.0.0.1", 50002, "198.51.100.7", 61457, 17);
	st.n = 0;                                             /* Binding request */
	put16(&st, 0x0001); put16(&st, 0); put32(&st, 0x2112a442); putfill(&st, 7, 12);
	feed(&f, 0, 0, &st);
	feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles & CF_ROLE_KEYX, CF_ROLE_KEYX);
	CHECK(has_token(cf_class_evidence(&f.cls), "ice"));
	cf_classify_finish(cls, &f);
}

static void test_rtp_media(void)
{
	struct cf_flow f;
	struct buf p;

	flow_init(&f, "192.168.1.2", 30000, "192.0.2.10", 40000, 17);
	rtp(&p, 100, 0x5eed5eed);
	feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles & CF_ROLE_MEDIA, 0);      /* one packet is not enough */
	rtp(&p, 101, 0x5eed5eed);
	feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles, CF_ROLE_MEDIA);
	CHECK_STR(cf_class_l7(&f.cls), "rtp");
	CHECK_STR(cf_class_app(&f.cls), "rtp");
	CHECK_INT(f.cls.is_call, 1);
	CHECK(has_token(cf_class_evidence(&f.cls), "rtp"));
	cf_classify_finish(cls, &f);
}

/* Streams interleaved in one direction (Discord's two, audio and video,
 * simulcast layers) still confirm; SSRCs that never repeat never do. */
static void test_rtp_interleaved(void)
{
	static const uint32_t ssrc[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
	struct cf_flow f;
	struct buf p;
	unsigned i, k;

	for (k = 2; k <= 4; k++) {
		flow_init(&f, "192.168.1.2", (uint16_t)(31000 + k), "192.0.2.10", 50004, 17);
		for (i = 0; i < 2 * k && !(f.cls.roles & CF_ROLE_MEDIA); i++) {
			rtp(&p, 500 + i / k, ssrc[i % k]);
			feed(&f, 0, 0, &p);
		}
		CHECK_INT(f.cls.roles, CF_ROLE_MEDIA);
		CHECK_INT(i, k + 1);                        /* at the first repeat */
		cf_classify_finish(cls, &f);
	}
	flow_init(&f, "192.168.1.2", 31010, "192.0.2.10", 50004, 17);
	for (i = 0; i < 60; i++) {                          /* a new SSRC each time */
		rtp(&p, 500 + i, 0x9000u + i);
		feed(&f, 0, 0, &p);
	}
	CHECK_INT(f.cls.roles, 0);
	cf_classify_finish(cls, &f);
}

/* Media that starts late: a relay's own exchange first (80 STUN packets,
 * past CF_CLASSIFY_MAX_INSPECT), then RTP - found; the flow stays open
 * at most CF_CLASSIFY_MAX_OPEN packets. */
static void test_late_media(void)
{
	struct cf_flow f;
	struct buf p, st;
	int i;

	st.n = 0;
	put16(&st, 0x0001); put16(&st, 0); put32(&st, 0x2112a442); putfill(&st, 9, 12);
	flow_init(&f, "192.168.1.2", 32000, "192.0.2.10", 3478, 17);
	for (i = 0; i < 80; i++)
		feed(&f, i & 1, 0, &st);
	CHECK_INT(f.cls.done, 0);
	CHECK_INT(f.cls.roles, CF_ROLE_SIGNALING);
	for (i = 0; i < 2; i++) {
		rtp(&p, 900 + i, 0x7777);
		feed(&f, 0, 0, &p);
	}
	CHECK_INT(f.cls.roles & CF_ROLE_MEDIA, CF_ROLE_MEDIA);
	cf_classify_finish(cls, &f);

	flow_init(&f, "192.168.1.2", 32001, "192.0.2.10", 3478, 17);
	for (i = 0; i < CF_CLASSIFY_MAX_OPEN + 10 && !f.cls.done; i++)
		feed(&f, i & 1, 0, &st);
	/* the first look ends; call traffic without media is sampled on */
	CHECK_INT(f.cls.done, CF_DONE_SAMPLE);
	CHECK_INT(f.cls.inspected, CF_CLASSIFY_MAX_OPEN);
	for (i = 0; i < 2; i++) {               /* RTP in a sample window */
		rtp(&p, 3000 + i, 0x7778);
		feed(&f, 1, 0, &p);
	}
	CHECK_INT(f.cls.roles & CF_ROLE_MEDIA, CF_ROLE_MEDIA);
	CHECK_INT(f.cls.done, CF_DONE_FINAL);   /* media found: nothing more */
	CHECK_INT(cf_classify_packet(cls, &f, &(struct cf_packet){ 0 }, 0), 0);
	cf_classify_finish(cls, &f);
}

/* RFC 4571 over TCP: an RTP message cut by a segment's end is carried to
 * the next segment, which is read after it: the stream stays in step and
 * the media is confirmed; without the carry the next segment would start
 * inside a message. */
static void test_framed_carry(void)
{
	struct cf_flow f;
	struct buf seg, m;
	size_t cut = 5;
	unsigned i;

	flow_init(&f, "192.168.1.2", 50200, "192.0.2.10", 3478, 6);
	seg.n = 0;                               /* a framed STUN Binding */
	put16(&seg, 20); put16(&seg, 0x0001); put16(&seg, 0); put32(&seg, 0x2112a442);
	putfill(&seg, 3, 12);
	feed(&f, 0, 0x18, &seg);
	CHECK_INT(f.cls.roles, CF_ROLE_SIGNALING);
	/* segment 1: RTP 1 whole, then RTP 2's length and first bytes */
	seg.n = 0;
	rtp(&m, 1, 0x4571);
	put16(&seg, (unsigned)m.n); putn(&seg, m.b, m.n);
	rtp(&m, 2, 0x4571);
	put16(&seg, (unsigned)m.n); putn(&seg, m.b, cut);
	feed(&f, 0, 0x18, &seg);
	CHECK_INT(f.cls.roles & CF_ROLE_MEDIA, 0);
	CHECK(f.cls.reasm != 0);                 /* the cut message waits */
	/* segment 2: the rest of RTP 2, then RTP 3 */
	seg.n = 0;
	putn(&seg, m.b + cut, m.n - cut);
	rtp(&m, 3, 0x4571);
	put16(&seg, (unsigned)m.n); putn(&seg, m.b, m.n);
	feed(&f, 0, 0x18, &seg);
	CHECK_INT(f.cls.roles & CF_ROLE_MEDIA, CF_ROLE_MEDIA);
	CHECK_INT(f.cls.reasm, 0);               /* nothing left to carry */
	CHECK(has_token(cf_class_evidence(&f.cls), "rtp"));
	/* the other direction is read as usual meanwhile */
	for (i = 0; i < 2; i++) {
		seg.n = 0;
		rtp(&m, 10 + i, 0x1571);
		put16(&seg, (unsigned)m.n); putn(&seg, m.b, m.n);
		feed(&f, 1, 0x18, &seg);
	}
	cf_classify_finish(cls, &f);
	CHECK_INT(f.cls.reasm, 0);
}

static void test_rtp_lookalike(void)
{
	struct cf_flow f;
	struct buf p;
	int i;

	/* the same RTP-shaped datagram again and again: no sequence advance */
	flow_init(&f, "192.168.1.2", 30002, "192.0.2.10", 40002, 17);
	rtp(&p, 7, 0x00000000);
	for (i = 0; i < 10; i++)
		feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles, 0);
	CHECK_INT(f.cls.is_call, 0);
	cf_classify_finish(cls, &f);
}

static void test_zoom_media(void)
{
	struct cf_flow f;
	struct buf p;

	flow_init(&f, "192.168.1.117", 58327, "144.195.73.154", 8801, 17);
	zoom_video(&p, 1);
	feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles & CF_ROLE_MEDIA, 0);
	zoom_video(&p, 2);
	feed(&f, 1, 0, &p);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK_STR(cf_class_l7(&f.cls), "zoom-media");
	CHECK_INT(f.cls.roles, CF_ROLE_MEDIA);
	CHECK_INT(f.cls.is_call, 1);
	CHECK(has_token(cf_class_evidence(&f.cls), "zoom-video"));
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:zoom-media"));
	cf_classify_finish(cls, &f);
}

static void test_stun_turn(void)
{
	struct cf_flow f;
	struct buf p, d;

	flow_init(&f, "10.1.1.1", 40000, "198.51.100.7", 3478, 17);
	p.n = 0;                                        /* Binding request */
	put16(&p, 0x0001); put16(&p, 0); put32(&p, 0x2112a442); putfill(&p, 7, 12);
	feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles, CF_ROLE_SIGNALING);
	CHECK_STR(cf_class_l7(&f.cls), "stun");
	CHECK_STR(cf_class_app(&f.cls), "webrtc");
	dtls_client_hello(&d);                          /* ChannelData carrying DTLS */
	p.n = 0;
	put16(&p, 0x4000); put16(&p, (unsigned)d.n); putn(&p, d.b, d.n);
	feed(&f, 0, 0, &p);
	CHECK_INT(f.cls.roles, CF_ROLE_SIGNALING | CF_ROLE_RELAY | CF_ROLE_KEYX);
	CHECK(has_token(cf_class_evidence(&f.cls), "turn"));
	CHECK(has_token(cf_class_evidence(&f.cls), "dtls-handshake"));
	cf_classify_finish(cls, &f);
}

/* A DNS exchange is no call; nDPI names it at the query and is done with
 * it there (classify-ndpi.c dns_named): the response does not reach it. */
static void test_dns_not_call(void)
{
	struct cf_classify_stats b0, b1;
	struct cf_flow f;
	struct buf q;

	cf_classify_get_stats(cls, &b0);
	flow_init(&f, "192.168.1.117", 51185, "192.168.1.1", 53, 17);
	dns_query(&q, 0);
	feed(&f, 0, 0, &q);
	CHECK(f.cls.ndpi == NULL);
	CHECK_INT(f.cls.ndpi_state, 1);
	dns_query(&q, 1);
	feed(&f, 1, 0, &q);
	cf_classify_get_stats(cls, &b1);
	CHECK_INT(b1.ndpi_packets, b0.ndpi_packets + 1);
	CHECK_INT(b1.ndpi_decided, b0.ndpi_decided + 1);
	CHECK(has_token(cf_class_evidence(&f.cls), "ndpi:DNS"));
	cf_classify_finish(cls, &f);
	CHECK_STR(cf_class_app(&f.cls), "dns");
	CHECK_STR(cf_class_l7(&f.cls), "dns");
	CHECK_INT(f.cls.is_call, 0);
	CHECK_INT(f.cls.roles, 0);
	CHECK_STR(cf_class_host(&f.cls), "");
	CHECK(f.cls.ndpi == NULL);
	CHECK_INT(f.cls.done, 1);
}

static void test_finish_unknown(void)
{
	struct cf_flow f;
	struct buf p = { .n = 0 };

	flow_init(&f, "10.9.9.9", 41000, "10.8.8.8", 41001, 17);
	putfill(&p, 0x5c, 40);
	feed(&f, 0, 0, &p);
	CHECK(f.cls.ndpi != NULL);
	CHECK_INT(cf_classify_finish(cls, &f), 0);
	CHECK(f.cls.ndpi == NULL);
	CHECK_INT(f.cls.ndpi_state, 2);
	CHECK_STR(cf_class_app(&f.cls), "unknown");
	CHECK_INT(f.cls.done, 1);
}

static void test_roles(void)
{
	CHECK_STR(cf_role_name(CF_ROLE_KEYX), "key-exchange");
	CHECK_STR(cf_role_name(CF_ROLE_MEDIA), "media");
	CHECK_STR(cf_role_name(CF_ROLE_SIGNALING), "signaling");
	CHECK_STR(cf_role_name(CF_ROLE_RELAY), "relay");
	CHECK_STR(cf_role_name(CF_ROLE_WEB), "web");
	CHECK_STR(cf_role_name(0x40), "unknown");
	CHECK_INT(cf_role_parse("key-exchange"), CF_ROLE_KEYX);
	CHECK_INT(cf_role_parse("relay"), CF_ROLE_RELAY);
	CHECK_INT(cf_role_parse("keys"), 0);
	CHECK_INT(cf_classify_is_call_app(cls, "zoom"), 1);
	CHECK_INT(cf_classify_is_call_app(cls, "webrtc"), 1);
	CHECK_INT(cf_classify_is_call_app(cls, "dns"), 0);
}

static void check_catalog_error(const char *text, const char *want)
{
	char err[256] = "";
	struct cf_catalog *c = cf_catalog_parse(text, "t.conf", err, sizeof(err));

	CHECK(c == NULL);
	CHECK_STR(err, want);
	cf_catalog_free(c);
}

static void test_catalog_errors(void)
{
	check_catalog_error("a zoom host *.zoom.us\nb zoom hots x\n",
			    "t.conf:2: unknown kind 'hots' (host, net, port, ndpi, call, asn)");
	check_catalog_error("# c\n\na zoom host x roles=media,keys\n",
			    "t.conf:3: unknown role 'keys' (key-exchange, media, signaling, relay, web)");
	check_catalog_error("a zoom net 10.0.0.0/33\n", "t.conf:1: bad IP prefix '10.0.0.0/33'");
	check_catalog_error("a zoom port udp/9000-80\n",
			    "t.conf:1: bad port 'udp/9000-80' (want udp/N, tcp/N or udp/N-M)");
	check_catalog_error("a zoom port sctp/5\n",
			    "t.conf:1: bad port 'sctp/5' (want udp/N, tcp/N or udp/N-M)");
	check_catalog_error("a zoom host x\na teams host y\n",
			    "t.conf:2: duplicate id 'a' (first on line 1)");
	check_catalog_error("a zoom host roles=web\n", "t.conf:1: host line without a pattern");
	check_catalog_error("a zoom host x ports=udp/1\n",
			    "t.conf:1: ports= applies to net and asn lines only");
	check_catalog_error("a Zoom host x\n", "t.conf:1: app name 'Zoom' must be lower case");
	check_catalog_error("a zoom\n", "t.conf:1: want: ID APP KIND PATTERN... [roles=...]");
	check_catalog_error("a webrtc call x\n", "t.conf:1: a call line takes no pattern ('x')");
	check_catalog_error("a zoom host x bogus=1\n", "t.conf:1: unknown option 'bogus=1'");
}

static void test_catalog_lookups(void)
{
	char err[256];
	struct cf_cat_match m;
	cf_addr a;
	struct cf_catalog *c = cf_catalog_parse(
		"mmr zoom host *mmr*.zoom.us roles=key-exchange,signaling\n"
		"web zoom host *.zoom.us roles=web   # comment\n"
		"rel teams net 52.112.0.0/14 ports=udp/3478-3481 roles=relay\n"
		"med zoom port udp/8801-8810 roles=media\n"
		"nd  zoom ndpi Zoom\n"
		"gen webrtc call\n", "t.conf", err, sizeof(err));

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(cf_catalog_count(c), 6);
	CHECK_INT(cf_catalog_match_host(c, "ZoomSJC1MMR.Zoom.US.", &m), 1);
	CHECK_STR(m.id, "mmr");
	CHECK_INT(m.roles, CF_ROLE_KEYX | CF_ROLE_SIGNALING);
	CHECK_INT(m.line, 1);
	CHECK_INT(cf_catalog_match_host(c, "www3.zoom.us", &m), 1);
	CHECK_STR(m.id, "web");
	CHECK_INT(cf_catalog_match_host(c, "zoom.us.evil.example", &m), 0);
	cf_addr_parse("52.114.77.136", &a);
	CHECK_INT(cf_catalog_match_addr(c, &a, 17, 3478, &m), 1);
	CHECK_STR(m.app, "teams");
	CHECK_INT(cf_catalog_match_addr(c, &a, 6, 443, &m), 0);
	CHECK_INT(cf_catalog_match_port(c, 17, 8805, &m), 1);
	CHECK_INT(cf_catalog_match_port(c, 17, 8811, &m), 0);
	CHECK_INT(cf_catalog_match_ndpi(c, "zoom", &m), 1);
	CHECK_INT(cf_catalog_is_call_app(c, "webrtc"), 1);
	CHECK_INT(cf_glob_match_n("a*b?d", "aXXbcd", 6), 1);
	CHECK_INT(cf_glob_match_n("a*b?d", "aXXbd", 5), 0);
	cf_catalog_free(c);
}

/* --- the catalog's indexes against the plain scan ----------------------- */

static const char diff_catalog[] =
	"mmr   zoom  host *mmr*.zoom.us *mmr*.zoom.com roles=key-exchange,signaling\n"
	"zc    zoom  host *zc.zoom.us\n"
	"web   zoom  host zoom.us *.zoom.us ZOOM.com *.zoom.com\n"
	"dup   teams host zoom.us *.zoom.us teams.microsoft.com *.teams.microsoft.com\n"
	"q     meet  host meet?.google.com *.g?.example a*b.example\n"
	"deep  meet  host *.a.b.c.example.org\n"
	"dot   meet  host *.\n"
	"any   other host *.example\n"
	"n1    teams net 52.112.0.0/14 2603:1063::/38 ports=udp/3478-3481\n"
	"n2    zoom  net 52.113.0.0/16 144.195.0.0/16 144.195.73.0/24\n"
	"n3    webex net 144.195.73.154/32 170.72.0.0/16 ports=tcp/443\n"
	"n4    meet  net 2001:db8::/32 2001:db8:1::/48 2001:db8:1::1/128 ports=udp/19302-19309\n"
	"n5    big   net 0.0.0.0/1 ::/0 ports=tcp/1\n"
	"n6    tele  net 255.255.255.255/32 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128\n"
	"p1    zoom  port udp/8801-8810\n"
	"nd    zoom  ndpi Zoom\n";

static const char *const diff_hosts[] = {
	"zoom.us", "ZOOM.US.", "www.zoom.us", "a.b.zoom.us", ".zoom.us",
	"zoomsjc1mmr.zoom.us", "mmr.zoom.us", "xmmr.zoom.com", "mmrzoom.us",
	"zc.zoom.us", "xzc.zoom.us", "x.zc.zoom.us", "zoom.com", "Zoom.Com",
	"teams.microsoft.com", "x.teams.microsoft.com", "teams.microsoft.com.evil",
	"meet1.google.com", "meet.google.com", "meet12.google.com", "a.gx.example",
	"gx.example", "ab.example", "a.b.example", "axxxb.example",
	"z.a.b.c.example.org", "a.b.c.example.org", "b.c.example.org", "x.",
	"..", ".", "foo.example", "example", "nothing.at.all", "\xff\xfe.zoom.us",
	"zoom.us..", "ZoomSJC1MMR.Zoom.US.",
};

static void check_host_same(const struct cf_catalog *c, const char *h)
{
	struct cf_cat_match m1, m2;
	int r1, r2;

	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	r1 = cf_catalog_match_host(c, h, &m1);
	r2 = cf_catalog_ref_match_host(c, h, &m2);
	CHECK_INT(r1, r2);
	if (r1 && r2 && strcmp(m1.id, m2.id) != 0)
		fprintf(stderr, "host '%s': %s, scan says %s\n", h, m1.id, m2.id);
	CHECK(!(r1 && r2) || strcmp(m1.id, m2.id) == 0);
}

static void check_addr_same(const struct cf_catalog *c, const cf_addr *a,
			    uint8_t proto, uint16_t port)
{
	struct cf_cat_match m1, m2;
	int r1, r2;
	char buf[CF_ADDR_STRLEN];

	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	r1 = cf_catalog_match_addr(c, a, proto, port, &m1);
	r2 = cf_catalog_ref_match_addr(c, a, proto, port, &m2);
	CHECK_INT(r1, r2);
	if (r1 != r2 || (r1 && strcmp(m1.id, m2.id) != 0))
		fprintf(stderr, "addr %s %u/%u: %s, scan says %s\n",
			cf_addr_str(a, buf, sizeof(buf)), proto, port,
			r1 ? m1.id : "-", r2 ? m2.id : "-");
	CHECK(!(r1 && r2) || strcmp(m1.id, m2.id) == 0);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void test_catalog_index_equals_scan(void)
{
	static const char *const labels[] = { "zoom", "us", "com", "mmr", "x",
		"zc", "teams", "microsoft", "meet1", "google", "gx", "example",
		"a", "b", "c", "org", "", "ZOOM", "xzc", "ab" };
	static const char *const addrs[] = { "52.112.0.0", "52.115.255.255",
		"52.116.0.0", "52.111.255.255", "52.113.1.1", "144.195.73.154",
		"144.195.73.155", "144.195.72.1", "144.196.0.0", "170.72.3.4",
		"2603:1063::1", "2603:1063:3ff:ffff::1", "2603:1064::",
		"2001:db8:1::1", "2001:db8:1::2", "2001:db8:2::", "2001:db9::",
		"255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"0.0.0.0", "127.255.255.255", "128.0.0.0", "::", "10.0.0.1" };
	static const uint16_t ports[] = { 1, 443, 3478, 3481, 3482, 19302, 53 };
	char err[256], host[128];
	struct cf_catalog *c = cf_catalog_parse(diff_catalog, "d.conf", err,
						sizeof(err));
	struct cf_cat_match m;
	size_t i, j, k, n;
	cf_addr a, b;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	/* a few answers spelled out */
	CHECK_INT(cf_catalog_match_host(c, "x.zoom.us", &m), 1);
	CHECK_STR(m.id, "web");
	CHECK_INT(cf_catalog_match_host(c, "x.teams.microsoft.com", &m), 1);
	CHECK_STR(m.id, "dup");
	CHECK_INT(cf_catalog_match_host(c, "a.gq.example", &m), 1);
	CHECK_STR(m.id, "q");
	CHECK_INT(cf_catalog_match_host(c, "unrelated", &m), 0);
	CHECK_INT(cf_catalog_match_host(c, "unrelated.", &m), 0);
	CHECK_INT(cf_catalog_match_host(c, "x..", &m), 1);
	CHECK_STR(m.id, "dot");
	cf_addr_parse("144.195.73.154", &a);
	CHECK_INT(cf_catalog_match_addr(c, &a, 6, 443, &m), 1);
	CHECK_STR(m.id, "n2");
	cf_addr_parse("170.72.3.4", &a);
	CHECK_INT(cf_catalog_match_addr(c, &a, 6, 443, &m), 1);
	CHECK_STR(m.id, "n3");
	CHECK_INT(cf_catalog_match_addr(c, &a, 17, 443, &m), 0);
	for (i = 0; i < sizeof(diff_hosts) / sizeof(diff_hosts[0]); i++)
		check_host_same(c, diff_hosts[i]);
	for (i = 0; i < 20000; i++) {       /* names built from the labels */
		n = 1 + rnd() % 5;
		host[0] = '\0';
		for (j = 0; j < n; j++) {
			k = rnd() % (sizeof(labels) / sizeof(labels[0]));
			if (j > 0)
				strcat(host, rnd() % 8 ? "." : "");
			strcat(host, labels[k]);
		}
		if (rnd() % 10 == 0)
			strcat(host, ".");
		check_host_same(c, host);
	}
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		CHECK_INT(cf_addr_parse(addrs[i], &a), 0);
		for (j = 0; j < sizeof(ports) / sizeof(ports[0]); j++) {
			check_addr_same(c, &a, 17, ports[j]);
			check_addr_same(c, &a, 6, ports[j]);
		}
	}
	for (i = 0; i < 20000; i++) {       /* near the listed ones, and random */
		CHECK_INT(cf_addr_parse(addrs[rnd() % (sizeof(addrs) / sizeof(addrs[0]))], &b), 0);
		a = b;
		for (j = 0; j < 16; j++)
			if (rnd() % 4 == 0)
				a.b[j] = (uint8_t)rnd();
		k = rnd() % (sizeof(ports) / sizeof(ports[0]));
		check_addr_same(c, &a, rnd() % 2 ? 17 : 6, ports[k]);
	}
	cf_catalog_free(c);
	/* an empty catalog and one without nets or globs */
	c = cf_catalog_parse("# nothing\n", "e.conf", err, sizeof(err));
	CHECK(c != NULL);
	CHECK_INT(cf_catalog_match_host(c, "zoom.us", &m), 0);
	CHECK_INT(cf_catalog_match_addr(c, &a, 17, 1, &m), 0);
	cf_catalog_free(c);
}

/* --- class strings: the name table and the intern table ------------------ */

static void test_class_strings(void)
{
	struct cf_class a, b, c;
	struct cf_intern_stats before, st;
	char longname[300], raw[CF_HOST_LEN];
	const char *h;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	cf_intern_get_stats(&before);
	CHECK_STR(cf_class_app(&a), "");
	CHECK_STR(cf_class_host(&a), "");
	CHECK_STR(cf_class_evidence(&a), "");
	/* names: one id per string, cut at the field's length */
	cf_class_set_app(&a, "zoom");
	cf_class_set_app(&b, "zoom");
	CHECK_INT(a.app_id, b.app_id);
	CHECK_STR(cf_class_app(&a), "zoom");
	cf_class_set_app(&a, "a-name-longer-than-twenty-three-bytes");
	CHECK_STR(cf_class_app(&a), "a-name-longer-than-twen");
	cf_class_set_l7(&a, "a-name-longer-than-twenty-three-bytes");
	CHECK_STR(cf_class_l7(&a), "a-name-longer-t");
	cf_class_set_app(&b, "a-name-longer-than-twen");
	CHECK_INT(a.app_id, b.app_id);
	/* hosts: the same bytes are one entry, counted per holder */
	CHECK_INT(cf_class_set_host(&a, "x.zoom.us", 64), 0);
	CHECK_INT(cf_class_set_host(&b, "x.zoom.us", 64), 0);
	CHECK(a.host_str == b.host_str);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, before.entries + 1);
	CHECK_INT(st.refs, before.refs + 2);
	CHECK_INT(cf_class_set_host(&a, "x.zoom.us", 64), 0); /* no change */
	cf_intern_get_stats(&st);
	CHECK_INT(st.refs, before.refs + 2);
	CHECK_INT(cf_class_set_host(&c, "y.zoom.us\0tail", 14), 0); /* stops at NUL */
	CHECK_STR(cf_class_host(&c), "y.zoom.us");
	CHECK_INT(cf_class_set_host(&c, "y.zoom.us", 3), 0);          /* len cuts */
	CHECK_STR(cf_class_host(&c), "y.z");
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, before.entries + 2);
	/* the last holder frees the entry */
	cf_class_release(&a);
	CHECK_STR(cf_class_host(&a), "");
	CHECK_STR(cf_class_host(&b), "x.zoom.us");
	cf_class_set_host(&b, "", 64);
	CHECK(b.host_str == NULL);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, before.entries + 1);
	/* bytes from the wire: at most CF_HOST_LEN of them, NUL or not */
	memset(longname, 'a', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	cf_class_set_host(&a, longname, sizeof(longname));
	CHECK_INT(strlen(cf_class_host(&a)), CF_HOST_LEN);
	memset(raw, 0xff, sizeof(raw));
	cf_class_set_host(&b, raw, sizeof(raw));
	h = cf_class_host(&b);
	CHECK_INT(strlen(h), CF_HOST_LEN);
	CHECK(memcmp(h, raw, sizeof(raw)) == 0);
	cf_class_set_evidence(&a, longname, sizeof(longname));
	CHECK_INT(strlen(cf_class_evidence(&a)), CF_EVID_LEN);
	cf_class_release(&a);
	cf_class_release(&b);
	cf_class_release(&c);
	cf_class_release(&c);                   /* twice is harmless */
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, before.entries);
	CHECK_INT(st.refs, before.refs);
	CHECK_INT(st.bytes, before.bytes > 0 ? before.bytes : st.bytes);
}

/* --- nDPI: a cap on the flows holding its state -------------------------- */

static void test_ndpi_cap(void)
{
	struct cf_classify_stats st0, st;
	struct cf_flow f[4];
	struct buf dtls;
	char err[256];
	struct cf_classifier *c = cf_classifier_new(catalog_path, err, sizeof(err));
	struct cf_classifier *saved = cls;
	int i;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	cls = c;
	cf_classify_set_ndpi_cap(c, 2);
	cf_classify_get_stats(c, &st0);
	CHECK_INT(st0.ndpi_state_bytes > 0, 1);
	CHECK_INT(st0.ndpi_live, 0);
	/* a DTLS ClientHello-looking record: call traffic, nDPI undecided
	   after one packet */
	dtls.n = 0;
	put8(&dtls, 22); put16(&dtls, 0xfeff); put16(&dtls, 0); put32(&dtls, 0);
	put16(&dtls, 0); put16(&dtls, 12 + 4);
	put8(&dtls, 1); put24(&dtls, 4); put16(&dtls, 0); put24(&dtls, 0);
	put24(&dtls, 4); putfill(&dtls, 0, 4);
	for (i = 0; i < 4; i++) {
		flow_init(&f[i], "192.168.1.10", (uint16_t)(50000 + i),
			  "192.0.2.160", 3478, 17);
		feed(&f[i], 0, 0, &dtls);
	}
	cf_classify_get_stats(c, &st);
	CHECK_INT(st.ndpi_flows - st0.ndpi_flows, 2);
	CHECK_INT(st.ndpi_skipped - st0.ndpi_skipped, 2);
	CHECK_INT(st.ndpi_live, 2);
	CHECK_INT(st.ndpi_live_peak, 2);
	CHECK(f[0].cls.ndpi != NULL && f[1].cls.ndpi != NULL);
	CHECK(f[2].cls.ndpi == NULL && f[3].cls.ndpi == NULL);
	/* the flows past the cap are classified all the same */
	CHECK_STR(cf_class_l7(&f[3].cls), "dtls");
	CHECK(has_token(cf_class_evidence(&f[3].cls), "dtls-no-call-evidence"));
	/* a flow ending gives its place back */
	cf_classify_finish(c, &f[0]);
	cf_classify_get_stats(c, &st);
	CHECK_INT(st.ndpi_live, 1);
	flow_init(&f[0], "192.168.1.10", 40000, "192.0.2.160", 3478, 17);
	feed(&f[0], 0, 0, &dtls);
	cf_classify_get_stats(c, &st);
	CHECK_INT(st.ndpi_live, 2);
	CHECK(f[0].cls.ndpi != NULL);
	for (i = 0; i < 4; i++) {
		cf_classify_finish(c, &f[i]);
		CHECK(f[i].cls.ndpi == NULL);
		cf_class_release(&f[i].cls);
	}
	cf_classify_get_stats(c, &st);
	CHECK_INT(st.ndpi_live, 0);
	CHECK_INT(st.ndpi_live_peak, 2);
	cls = saved;
	cf_classifier_free(c);
}

/* nDPI's state goes once nDPI decided, or after CF_NDPI_MAX_PACKETS. */
static void test_ndpi_state_freed(void)
{
	struct cf_classify_stats st0, st;
	struct cf_flow f;
	struct buf junk;
	int i;

	cf_classify_get_stats(cls, &st0);
	flow_init(&f, "192.168.1.10", 40001, "198.51.100.7", 40002, 17);
	junk.n = 0;
	putfill(&junk, 0x5a, 40);
	for (i = 0; i < 100 && f.cls.ndpi_state == 0; i++)
		feed(&f, i & 1, 0, &junk);
	CHECK(f.cls.ndpi == NULL);
	CHECK(i <= 32);
	cf_classify_get_stats(cls, &st);
	CHECK_INT(st.ndpi_live, st0.ndpi_live);
	CHECK_INT(st.ndpi_flows - st0.ndpi_flows, 1);
	cf_class_release(&f.cls);
}

static void test_classifier_new_errors(void)
{
	char err[256] = "";

	CHECK(cf_classifier_new("/nonexistent/apps.conf", err, sizeof(err)) == NULL);
	CHECK(strncmp(err, "cannot open /nonexistent/apps.conf", 34) == 0);
}

/* A classifier's nDPI module classifies: a TLS flow to an address no
 * catalog line knows, from client port port, is TLS with its SNI, and
 * nDPI names it TLS. */
static void module_classifies(struct cf_classifier *c, uint16_t port)
{
	struct cf_flow f;
	struct buf ch;

	flow_init(&f, "192.168.1.178", port, "203.0.113.9", 443, 6);
	client_hello(&ch, "www.example.org");
	mk_feed(c, &f, &ch);
	CHECK_STR(cf_class_l7(&f.cls), "tls");
	CHECK_STR(cf_class_host(&f.cls), "www.example.org");
	cf_classify_finish(c, &f);
	CHECK(has_token(cf_class_evidence(&f.cls), "ndpi:TLS"));
}

/* --threads's set-up (classify-ndpi.c): the first module, made before
 * the workers start, waits for the main thread's engine; a worker's
 * engine makes its own (at the same time), and both classify.  Run
 * before any other module is made in this process. */
static void *spare_worker(void *arg)
{
	char err[256];

	(void)arg;
	return cf_classifier_new(catalog_path, err, sizeof(err));
}

static void test_ndpi_spare_for_main(void)
{
	struct cf_classifier *v[2] = { NULL, NULL };
	pthread_t t;
	void *got = NULL;
	char err[256];
	unsigned k;

	cf_ndpi_prepare();
	CHECK_INT(cf_ndpi_spare_waiting(), 1);
	CHECK_INT(pthread_create(&t, NULL, spare_worker, NULL), 0);
	CHECK_INT(pthread_join(t, &got), 0);
	v[1] = got;
	CHECK(v[1] != NULL);
	CHECK_INT(cf_ndpi_spare_waiting(), 1);          /* not the worker's */
	v[0] = cf_classifier_new(catalog_path, err, sizeof(err));
	CHECK(v[0] != NULL);
	CHECK_INT(cf_ndpi_spare_waiting(), 0);          /* the main thread's */
	for (k = 0; k < 2; k++) {
		if (v[k] == NULL)
			continue;
		module_classifies(v[k], (uint16_t)(50300 + k));
		cf_classifier_free(v[k]);
	}
}

/* nDPI modules made and freed again and again, and several at once: each
 * makes its start-up allocations in an arena of its own (classify-ndpi.c),
 * the arenas' slots are used again, and past the last slot a module
 * allocates with malloc; every one classifies. */
static void test_ndpi_modules_again(void)
{
	struct cf_classifier *v[3];
	char err[256];
	unsigned i, k;

	for (i = 0; i < 70; i++) {
		struct cf_classifier *c = cf_classifier_new(catalog_path, err, sizeof(err));

		CHECK(c != NULL);
		if (c != NULL)
			cf_classifier_free(c);
	}
	for (k = 0; k < 3; k++)
		v[k] = cf_classifier_new(catalog_path, err, sizeof(err));
	for (k = 0; k < 3; k++) {
		CHECK(v[k] != NULL);
		if (v[k] != NULL)
			module_classifies(v[k], (uint16_t)(50200 + k));
	}
	for (k = 0; k < 3; k++)
		cf_classifier_free(v[k]);
}

/* A ClientHello with a ~2 KB key share before the SNI (a post-quantum
 * hybrid makes hellos this big), so the SNI is past the first segment. */
static void big_client_hello(struct buf *b, const char *sni)
{
	size_t rec_at, hs_at, ext_at, l = strlen(sni);

	b->n = 0;
	put8(b, 22); put16(b, 0x0301); rec_at = b->n; put16(b, 0);
	put8(b, 1); hs_at = b->n; put24(b, 0);
	put16(b, 0x0303); putfill(b, 0x11, 32); put8(b, 0);
	put16(b, 2); put16(b, 0x1301); put8(b, 1); put8(b, 0);
	ext_at = b->n; put16(b, 0);
	put16(b, 51); put16(b, 2 + 4 + 1800); put16(b, 4 + 1800);  /* key_share */
	put16(b, 0x11ec); put16(b, 1800); putfill(b, 0x6b, 1800);
	put16(b, 0); put16(b, (unsigned)l + 5); put16(b, (unsigned)l + 3);
	put8(b, 0); put16(b, (unsigned)l); putn(b, sni, l);
	set16(b, ext_at, (unsigned)(b->n - ext_at - 2));
	set24(b, hs_at, (unsigned)(b->n - hs_at - 3));
	set16(b, rec_at, (unsigned)(b->n - rec_at - 2));
}

static void piece(struct buf *dst, const struct buf *src, size_t from, size_t n)
{
	dst->n = 0;
	putn(dst, src->b + from, n);
}

static void test_tls_reassembly(void)
{
	struct cf_flow f;
	struct buf ch, seg;
	struct cf_classify_stats before, after;

	cf_classify_get_stats(cls, &before);
	flow_init(&f, "192.168.1.178", 50100, "144.195.73.154", 443, 6);
	f.seq = 7001;
	big_client_hello(&ch, "zoomfrn99mmr.zoom.us");
	CHECK(ch.n > 1460 && ch.n < 2 * 1460);
	piece(&seg, &ch, 0, 1000);
	feed(&f, 0, 0x18, &seg);
	CHECK_STR(cf_class_host(&f.cls), "");
	CHECK_INT(f.cls.reasm != 0, 1);
	feed(&f, 0, 0x18, &seg);                        /* a resend: skipped */
	feed(&f, 1, 0x10, NULL);                        /* the server's ACK */
	piece(&seg, &ch, 1000, 500);
	feed(&f, 0, 0x18, &seg);
	CHECK_STR(cf_class_host(&f.cls), "");
	piece(&seg, &ch, 1500, ch.n - 1500);
	CHECK_INT(feed(&f, 0, 0x18, &seg), 1);
	CHECK_STR(cf_class_host(&f.cls), "zoomfrn99mmr.zoom.us");
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK_INT(f.cls.roles, CF_ROLE_KEYX | CF_ROLE_SIGNALING);
	CHECK(has_token(cf_class_evidence(&f.cls), "tls-sni"));
	CHECK_INT(f.cls.reasm, 0);
	/* nDPI read the hello's first pieces and the resend, not the ACK
	   (no payload) nor the piece that completed the hello: the name
	   decided the flow then */
	CHECK_INT(f.cls.ndpi_state, 4);
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.ndpi_packets, before.ndpi_packets + 3);
	cf_classify_finish(cls, &f);
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.tls_reasm_started, before.tls_reasm_started + 1);
	CHECK_INT(after.tls_reasm_done, before.tls_reasm_done + 1);
}

static void test_tls_reassembly_gives_up(void)
{
	struct cf_flow f[CF_REASM_TEST_FLOWS];
	struct buf ch, seg;
	struct cf_classify_stats before, after;
	int i;

	/* more cut hellos than slots: the oldest lose theirs, nothing breaks */
	cf_classify_get_stats(cls, &before);
	big_client_hello(&ch, "www3.zoom.us");
	piece(&seg, &ch, 0, 600);
	for (i = 0; i < CF_REASM_TEST_FLOWS; i++) {
		flow_init(&f[i], "192.168.1.178", (uint16_t)(51000 + i),
			  "52.202.62.196", 443, 6);
		f[i].seq = (uint64_t)(8000 + i);
		feed(&f[i], 0, 0x18, &seg);
	}
	piece(&seg, &ch, 600, ch.n - 600);
	for (i = 0; i < CF_REASM_TEST_FLOWS; i++)
		feed(&f[i], 0, 0x18, &seg);
	CHECK_STR(cf_class_host(&f[0].cls), "");                   /* lost its slot */
	CHECK_STR(cf_class_host(&f[CF_REASM_TEST_FLOWS - 1].cls), "www3.zoom.us");
	for (i = 0; i < CF_REASM_TEST_FLOWS; i++)
		cf_classify_finish(cls, &f[i]);
	cf_classify_get_stats(cls, &after);
	CHECK_INT(after.tls_reasm_started - before.tls_reasm_started,
		  CF_REASM_TEST_FLOWS);
	CHECK(after.tls_reasm_dropped - before.tls_reasm_dropped >= 4);
	/* a cut hello followed by garbage: given up, no host */
	flow_init(&f[0], "192.168.1.178", 52000, "52.202.62.196", 443, 6);
	piece(&seg, &ch, 0, 600);
	feed(&f[0], 0, 0x18, &seg);
	seg.n = 0;
	putfill(&seg, 0xff, 3000);
	feed(&f[0], 0, 0x18, &seg);
	CHECK_STR(cf_class_host(&f[0].cls), "");
	CHECK_INT(f[0].cls.reasm, 0);
	cf_classify_finish(cls, &f[0]);
}

static void test_quic_flow(void)
{
	struct cf_flow f;
	struct buf p = { .n = 0 };

	flow_init(&f, "192.168.1.178", 50200, "142.250.1.1", 443, 17);
	put8(&p, 0xc0); put32(&p, 1); put8(&p, 8); putfill(&p, 0x83, 8);
	put8(&p, 0); put8(&p, 0); putfill(&p, 0, 1180);
	feed(&f, 0, 0, &p);
	CHECK_STR(cf_class_l7(&f.cls), "quic");
	CHECK_INT(f.cls.roles, 0);
	CHECK_INT(f.cls.is_call, 0);
	cf_classify_finish(cls, &f);
	CHECK_STR(cf_class_l7(&f.cls), "quic");
}

/* TURN CreatePermission with XOR-PEER-ADDRESS 203.0.113.9:40000. */
static void create_permission(struct buf *b)
{
	static const uint8_t txid[12] = { 9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7 };

	b->n = 0;
	put16(b, 0x0008); put16(b, 12); put32(b, 0x2112a442); putn(b, txid, 12);
	put16(b, 0x0012); put16(b, 8); put8(b, 0); put8(b, 1);
	put16(b, 40000 ^ 0x2112);
	put8(b, 203 ^ 0x21); put8(b, 0 ^ 0x12); put8(b, 113 ^ 0xa4); put8(b, 9 ^ 0x42);
}

static void test_relay_peer(void)
{
	struct cf_flow f;
	struct buf p;
	char ip[CF_ADDR_STRLEN];
	uint32_t v;

	flow_init(&f, "10.1.1.1", 40010, "198.51.100.7", 3478, 17);
	create_permission(&p);
	CHECK_INT(feed(&f, 0, 0, &p), 1);
	CHECK_INT(f.cls.has_relay_peer, 1);
	CHECK_STR(cf_addr_str(&f.cls.relay_peer, ip, sizeof(ip)), "203.0.113.9");
	CHECK_INT(f.cls.relay_peer_port, 40000);
	CHECK_INT(f.cls.roles, CF_ROLE_RELAY);
	v = f.cls.version;
	p.b[20 + 7] ^= 1;                               /* another peer: first stays */
	feed(&f, 0, 0, &p);
	CHECK_STR(cf_addr_str(&f.cls.relay_peer, ip, sizeof(ip)), "203.0.113.9");
	CHECK_INT(f.cls.version, v);
	cf_classify_finish(cls, &f);
}

static void test_sdp_announced_rtp(void)
{
	static const char invite[] =
		"INVITE sip:bob@192.0.2.40 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.168.1.2:5060\r\n"
		"Content-Type: application/sdp\r\n\r\n"
		"v=0\r\nc=IN IP4 192.168.1.2\r\nm=audio 30010 RTP/AVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
	struct cf_flow sip, f, g;
	struct buf p = { .n = 0 };

	flow_init(&sip, "192.168.1.2", 5060, "192.0.2.40", 5060, 17);
	putn(&p, invite, strlen(invite));
	feed_shared(&sip, 0, &p);
	CHECK_STR(cf_class_app(&sip.cls), "sip");
	CHECK_INT(sip.cls.sdes_cleartext, 1);
	CHECK_INT(sip.cls.roles, CF_ROLE_SIGNALING | CF_ROLE_KEYX);
	CHECK(has_token(cf_class_evidence(&sip.cls), "sdp-crypto-cleartext"));
	CHECK(strstr(cf_class_evidence(&sip.cls), "inline") == NULL);
	cf_classify_finish(cls, &sip);
	/* RTP from the announced port: sip; RTCP on the port above: sip */
	flow_init(&f, "192.168.1.2", 30010, "192.0.2.41", 41000, 17);
	rtp(&p, 10, 0x1234); feed(&f, 0, 0, &p);
	rtp(&p, 11, 0x1234); feed(&f, 0, 0, &p);
	CHECK_STR(cf_class_app(&f.cls), "sip");
	CHECK_INT(f.cls.roles, CF_ROLE_MEDIA);
	CHECK(has_token(cf_class_evidence(&f.cls), "sdp-media"));
	cf_classify_finish(cls, &f);
	flow_init(&g, "192.168.1.2", 30020, "192.0.2.41", 41002, 17);
	rtp(&p, 10, 0x4321); feed(&g, 0, 0, &p);
	rtp(&p, 11, 0x4321); feed(&g, 0, 0, &p);
	CHECK_STR(cf_class_app(&g.cls), "rtp");                    /* never announced */
	cf_classify_finish(cls, &g);
}

/* The SIP message cf_classify_shared read is the flow's own fact for that
 * packet only: a later message of the same length at the same address,
 * on a flow given no shared look first, is read anew. */
static void test_sip_read_once(void)
{
	static const char with[] =
		"INVITE sip:bob@192.0.2.40 SIP/2.0\r\nCall-ID: a1\r\n\r\n"
		"v=0\r\nc=IN IP4 192.168.1.3\r\nm=audio 30030 RTP/AVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
	static const char without[] =
		"INVITE sip:bob@192.0.2.40 SIP/2.0\r\nCall-ID: a2\r\n\r\n"
		"v=0\r\nc=IN IP4 192.168.1.3\r\nm=audio 30030 RTP/AVP 0\r\n"
		"a=cryptx:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
	static struct tpkt t;
	struct cf_flow a, b;
	struct buf p = { .n = 0 };

	CHECK_INT(strlen(with), strlen(without));
	flow_init(&a, "192.168.1.3", 5060, "192.0.2.40", 5060, 17);
	putn(&p, with, strlen(with));
	feed_shared(&a, 0, &p);
	CHECK_INT(a.cls.sdes_cleartext, 1);
	CHECK(has_token(cf_class_evidence(&a.cls), "sip"));
	/* a's flow done: the shared look alone, as the engine does for it;
	   then b's message in the same buffer, of the same length */
	mk(&t, "192.168.1.3", "192.0.2.40", 17, 5060, 5060, 0, &p);
	cf_classify_shared(cls, &t.pkt);
	cf_classify_shared_done(cls);
	flow_init(&b, "192.168.1.3", 5062, "192.0.2.40", 5060, 17);
	p.n = 0;
	putn(&p, without, strlen(without));
	mk(&t, "192.168.1.3", "192.0.2.40", 17, 5062, 5060, 0, &p);
	b.pkts[0]++;
	cf_classify_packet(cls, &b, &t.pkt, 0);
	CHECK(has_token(cf_class_evidence(&b.cls), "sip"));
	CHECK_INT(b.cls.sdes_cleartext, 0);
	CHECK(!has_token(cf_class_evidence(&b.cls), "sdp-crypto-cleartext"));
	cf_classify_finish(cls, &b);
}

int main(void)
{
	const char *dir = getenv("CF_RULES_DIR");
	char err[256];

	snprintf(catalog_path, sizeof(catalog_path), "%s/apps.conf", dir ? dir : "rules");
	RUN(test_ndpi_spare_for_main);          /* before any other module */
	cls = cf_classifier_new(catalog_path, err, sizeof(err));
	if (cls == NULL) {
		fprintf(stderr, "test-classify: %s\n", err);
		return 1;
	}
	RUN(test_tls_zoom_mmr);
	RUN(test_tls_zoom_web);
	RUN(test_ndpi_kept);
	RUN(test_hello_not_to_ndpi);
	RUN(test_nameless_hello);
	RUN(test_hello_compact);
	RUN(test_ndpi_modules_again);
	RUN(test_ndpi_let_go_media);
	RUN(test_ndpi_let_go_stays_open);
	RUN(test_sip_read_once);
	RUN(test_dtls_keyx);
	RUN(test_dtls_no_call_evidence);
	RUN(test_rtp_media);
	RUN(test_rtp_interleaved);
	RUN(test_late_media);
	RUN(test_framed_carry);
	RUN(test_rtp_lookalike);
	RUN(test_zoom_media);
	RUN(test_stun_turn);
	RUN(test_dns_not_call);
	RUN(test_finish_unknown);
	RUN(test_roles);
	RUN(test_catalog_errors);
	RUN(test_catalog_lookups);
	RUN(test_catalog_index_equals_scan);
	RUN(test_class_strings);
	RUN(test_ndpi_cap);
	RUN(test_ndpi_state_freed);
	RUN(test_classifier_new_errors);
	RUN(test_tls_reassembly);
	RUN(test_tls_reassembly_gives_up);
	RUN(test_quic_flow);
	RUN(test_relay_peer);
	RUN(test_sdp_announced_rtp);
	cf_classifier_free(cls);
	return harness_done();
}
