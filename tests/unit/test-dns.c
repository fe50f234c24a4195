/*
 * test-dns.c - DNS snooping: responses built byte by byte from RFC 1035
 * (header, question, answers with compression pointers) parsed through
 * libresolv, cut at every length; the name cache's TTL (packet time) and
 * eviction when full; and a flow named after an answer seen before it.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "classify/classify.h"
#include "decode/decode.h"
#include "classify/dns-cache.h"
#include "flow/flow.h"

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put32(struct buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
static void putn(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }

static uint8_t *dup_n(const struct buf *b, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	memcpy(p, b->b, n);
	return p;
}

/* A name as labels; returns its offset. */
static size_t put_name(struct buf *b, const char *name)
{
	size_t at = b->n, l;

	while (*name) {
		l = strcspn(name, ".");
		put8(b, (unsigned)l);
		putn(b, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
	put8(b, 0);
	return at;
}

static void rr_head(struct buf *b, size_t owner, unsigned type, uint32_t ttl)
{
	put16(b, 0xc000 | (unsigned)owner);
	put16(b, type); put16(b, 1); put32(b, ttl);
}

/*
 * teams.microsoft.com CNAME teams.office.com CNAME s-0005.s-msedge.net,
 * A 52.113.194.132 (TTL 60), AAAA 2620:1ec:42::132 (TTL 30); an MX-ish
 * unrelated record type in between (ignored).
 */
static void teams_response(struct buf *b, unsigned flags)
{
	size_t q, c1, c2;
	static const uint8_t v6[16] = { 0x26, 0x20, 0x01, 0xec, 0, 0x42, 0, 0,
					0, 0, 0, 0, 0, 0, 0x01, 0x32 };

	b->n = 0;
	put16(b, 0x1234); put16(b, flags); put16(b, 1); put16(b, 5);
	put16(b, 0); put16(b, 0);
	q = put_name(b, "Teams.Microsoft.com");
	put16(b, 1); put16(b, 1);
	rr_head(b, q, 5, 300);
	put16(b, 18); c1 = b->n; put_name(b, "teams.office.com");
	rr_head(b, c1, 5, 300);
	put16(b, 21); c2 = b->n; put_name(b, "s-0005.s-msedge.net");
	rr_head(b, c2, 16, 300);                /* TXT: not an address */
	put16(b, 4); put8(b, 3); putn(b, "abc", 3);
	rr_head(b, c2, 1, 60);
	put16(b, 4); put32(b, 0x3471c284);       /* 52.113.194.132 */
	rr_head(b, c2, 28, 30);
	put16(b, 16); putn(b, v6, 16);
}

static void test_parse(void)
{
	struct buf b;
	struct cf_dns_answer a[CF_DNS_ANSWERS_MAX];
	char ip[CF_ADDR_STRLEN];

	teams_response(&b, 0x8180);
	CHECK_INT(cf_dns_parse_response(b.b, b.n, a, CF_DNS_ANSWERS_MAX), 2);
	CHECK_STR(cf_addr_str(&a[0].addr, ip, sizeof(ip)), "52.113.194.132");
	CHECK_STR(a[0].name, "teams.microsoft.com");    /* chain start, lower case */
	CHECK_INT(a[0].ttl, 60);
	CHECK_STR(cf_addr_str(&a[1].addr, ip, sizeof(ip)), "2620:1ec:42::132");
	CHECK_STR(a[1].name, "teams.microsoft.com");
	CHECK_INT(a[1].ttl, 30);
	CHECK_INT(cf_dns_parse_response(b.b, b.n, a, 1), 1);   /* max honoured */
	teams_response(&b, 0x0100);                     /* a query: not read */
	CHECK_INT(cf_dns_parse_response(b.b, b.n, a, CF_DNS_ANSWERS_MAX), -1);
	teams_response(&b, 0x8183);                     /* NXDOMAIN */
	CHECK_INT(cf_dns_parse_response(b.b, b.n, a, CF_DNS_ANSWERS_MAX), -1);
	CHECK_INT(cf_dns_parse_response(b.b, 5, a, CF_DNS_ANSWERS_MAX), -1);
}

static int likes_office(const char *name, void *ctx)
{
	int *calls = ctx;

	(*calls)++;
	return strstr(name, "office.com") != NULL;
}

static void test_parse_prefer(void)
{
	struct buf b;
	struct cf_dns_answer a[CF_DNS_ANSWERS_MAX];
	int calls = 0;

	teams_response(&b, 0x8180);
	CHECK_INT(cf_dns_parse_answers(b.b, b.n, a, CF_DNS_ANSWERS_MAX,
				       likes_office, &calls), 2);
	CHECK_STR(a[0].name, "teams.office.com");       /* the middle of the chain */
	CHECK_STR(a[1].name, "teams.office.com");
	CHECK_INT(calls, 4);                            /* question, then the CNAME */
}

static void test_parse_truncated(void)
{
	struct buf b;
	struct cf_dns_answer a[CF_DNS_ANSWERS_MAX];
	size_t n;
	int full = 0, r;

	teams_response(&b, 0x8180);
	for (n = 0; n < b.n; n++) {
		uint8_t *p = dup_n(&b, n);

		r = cf_dns_parse_response(p, n, a, CF_DNS_ANSWERS_MAX);
		full += r == 2;
		free(p);
	}
	CHECK_INT(full, 0);             /* no prefix yields both answers */
}

static void test_parse_loop(void)
{
	struct buf b;
	struct cf_dns_answer a[4];

	/* a compression pointer to itself: libresolv refuses, no hang */
	b.n = 0;
	put16(&b, 1); put16(&b, 0x8180); put16(&b, 1); put16(&b, 1);
	put16(&b, 0); put16(&b, 0);
	put16(&b, 0xc00c); put16(&b, 1); put16(&b, 1);
	rr_head(&b, 12, 1, 60); put16(&b, 4); put32(&b, 0x01020304);
	CHECK(cf_dns_parse_response(b.b, b.n, a, 4) <= 0);
	/* two CNAMEs pointing at each other: the chain walk ends */
	b.n = 0;
	put16(&b, 1); put16(&b, 0x8180); put16(&b, 1); put16(&b, 3);
	put16(&b, 0); put16(&b, 0);
	put_name(&b, "a.example"); put16(&b, 1); put16(&b, 1);
	rr_head(&b, 12, 5, 60); put16(&b, 11); put_name(&b, "b.example");
	rr_head(&b, 12 + 11 + 4 + 12, 5, 60); put16(&b, 2); put16(&b, 0xc00c);
	rr_head(&b, 12, 1, 60); put16(&b, 4); put32(&b, 0x01020304);
	CHECK_INT(cf_dns_parse_response(b.b, b.n, a, 4), 1);
}

static void test_cache_ttl(void)
{
	struct cf_dns_cache *c = cf_dns_cache_new(64);
	struct cf_dns_cache_stats st;
	char name[CF_DNS_NAME_LEN];
	cf_addr a;
	uint64_t t0 = 1700000000000000ull;

	cf_addr_parse("192.0.2.7", &a);
	cf_dns_cache_put(c, &a, "zoom.us", 60, t0);
	CHECK_INT(cf_dns_cache_get(c, &a, t0 + 59999999ull, name, sizeof(name)), 1);
	CHECK_STR(name, "zoom.us");
	CHECK_INT(cf_dns_cache_get(c, &a, t0 + 60000000ull, name, sizeof(name)), 0);
	CHECK_STR(name, "");
	cf_dns_cache_put(c, &a, "zoom.com", 10, t0 + 61000000ull);   /* refreshed */
	CHECK_INT(cf_dns_cache_get(c, &a, t0 + 70000000ull, name, sizeof(name)), 1);
	CHECK_STR(name, "zoom.com");
	CHECK_INT(cf_dns_cache_get(c, &a, t0 + 71000000ull, name, sizeof(name)), 0);
	cf_addr_parse("192.0.2.8", &a);
	cf_dns_cache_put(c, &a, "nocache.example", 0, t0);          /* TTL 0 */
	CHECK_INT(cf_dns_cache_get(c, &a, t0, name, sizeof(name)), 0);
	cf_dns_cache_get_stats(c, &st);
	CHECK_INT(st.inserts, 2);
	CHECK_INT(st.hits, 2);
	CHECK_INT(st.misses, 3);
	CHECK_INT(st.expired, 2);
	CHECK_INT(st.evictions, 0);
	CHECK_INT(st.capacity, 64);
	cf_dns_cache_free(c);
}

static void test_cache_evict(void)
{
	struct cf_dns_cache *c = cf_dns_cache_new(16);
	struct cf_dns_cache_stats st;
	char name[CF_DNS_NAME_LEN], want[32];
	uint8_t v4[4] = { 198, 51, 100, 0 };
	cf_addr a;
	int i, found = 0;

	/* 100 live addresses into 16 slots: evictions, never more than 16
	 * answer, and the newest always does */
	for (i = 0; i < 100; i++) {
		v4[3] = (uint8_t)i;
		cf_addr_from_v4(&a, v4);
		snprintf(want, sizeof(want), "h%d.example", i);
		cf_dns_cache_put(c, &a, want, 3600, 1000000ull + (uint64_t)i);
		CHECK_INT(cf_dns_cache_get(c, &a, 2000000ull, name, sizeof(name)), 1);
		CHECK_STR(name, want);
	}
	for (i = 0; i < 100; i++) {
		v4[3] = (uint8_t)i;
		cf_addr_from_v4(&a, v4);
		if (cf_dns_cache_get(c, &a, 2000000ull, name, sizeof(name))) {
			/* each kept address with its own name (a slot
			   overwritten keeps its name's place) */
			snprintf(want, sizeof(want), "h%d.example", i);
			CHECK_STR(name, want);
			found++;
		}
	}
	cf_dns_cache_get_stats(c, &st);
	CHECK(found <= 16);
	CHECK(found >= 8);
	CHECK(st.evictions >= 100 - 16);
	CHECK_INT(st.capacity, 16);
	cf_dns_cache_free(c);
	c = cf_dns_cache_new(0);
	cf_dns_cache_get_stats(c, &st);
	CHECK_INT(st.capacity, CF_DNS_CACHE_DEFAULT);
	cf_dns_cache_free(c);
}

/* --- through the classifier --------------------------------------------- */

static void packet(struct cf_packet *p, const char *src, uint16_t sp,
		   const char *dst, uint16_t dp, uint8_t proto,
		   const struct buf *pl, uint64_t ts)
{
	memset(p, 0, sizeof(*p));
	cf_addr_parse(src, &p->src);
	cf_addr_parse(dst, &p->dst);
	p->sport = sp;
	p->dport = dp;
	p->proto = proto;
	p->ip_version = 4;
	p->payload = pl ? pl->b : NULL;
	p->payload_len = pl ? (uint32_t)pl->n : 0;
	p->ts_us = ts;
}

static void test_classifier_names_flow(void)
{
	const char *dir = getenv("CF_RULES_DIR");
	char path[512], err[256];
	struct cf_classifier *cls;
	struct cf_classify_stats st;
	struct cf_packet p;
	struct cf_flow f;
	struct buf b, t;
	uint64_t ts = 1700000000000000ull;

	snprintf(path, sizeof(path), "%s/apps.conf", dir ? dir : "rules");
	cls = cf_classifier_new(path, err, sizeof(err));
	CHECK(cls != NULL);
	if (cls == NULL)
		return;
	teams_response(&b, 0x8180);
	packet(&p, "10.1.0.1", 53, "10.1.0.5", 40000, 17, &b, ts);
	CHECK_INT(cf_classify_dns(cls, &p), 2);
	packet(&p, "10.1.0.1", 5353, "10.1.0.5", 5353, 17, &b, ts);
	CHECK_INT(cf_classify_dns(cls, &p), 0);         /* mDNS is not read */
	t.n = 0;                                        /* DNS over TCP */
	put16(&t, (unsigned)b.n); putn(&t, b.b, b.n);
	packet(&p, "10.1.0.1", 53, "10.1.0.5", 40001, 6, &t, ts);
	CHECK_INT(cf_classify_dns(cls, &p), 2);
	t.n = 40;                                       /* cut: not whole */
	packet(&p, "10.1.0.1", 53, "10.1.0.5", 40001, 6, &t, ts);
	CHECK_INT(cf_classify_dns(cls, &p), 0);
	/* a UDP flow to the answered address, no payload the recognisers know */
	memset(&f, 0, sizeof(f));
	cf_addr_parse("10.1.0.5", &f.ip[0]);
	cf_addr_parse("52.113.194.132", &f.ip[1]);
	f.port[0] = 50000;
	f.port[1] = 50001;
	f.proto = 17;
	f.local = -1;
	b.n = 0;
	put32(&b, 0xdeadbeef); put32(&b, 0x01020304);
	packet(&p, "10.1.0.5", 50000, "52.113.194.132", 50001, 17, &b, ts + 1000);
	f.pkts[0] = 1;
	CHECK_INT(cf_classify_packet(cls, &f, &p, 0), 1);
	CHECK_STR(cf_class_host(&f.cls), "teams.microsoft.com");
	CHECK_STR(cf_class_app(&f.cls), "teams");
	CHECK(strstr(cf_class_evidence(&f.cls), "dns-name") != NULL);
	CHECK(strstr(cf_class_evidence(&f.cls), "catalog:teams-signal") != NULL);
	cf_classify_finish(cls, &f);
	/* after the TTL (60 s) the address is not named any more */
	memset(&f.cls, 0, sizeof(f.cls));
	packet(&p, "10.1.0.5", 50000, "52.113.194.132", 50001, 17, &b, ts + 61000000ull);
	cf_classify_packet(cls, &f, &p, 0);
	CHECK_STR(cf_class_host(&f.cls), "");
	cf_classify_finish(cls, &f);
	cf_classify_get_stats(cls, &st);
	CHECK_INT(st.dns_responses, 2);
	CHECK_INT(st.dns_answers, 4);
	CHECK_INT(st.dns_hits, 1);
	CHECK_INT(st.dns_misses, 1);
	CHECK_INT(st.dns_capacity, CF_DNS_CACHE_DEFAULT);
	CHECK_INT(cf_classify_set_dns_capacity(cls, 100, err, sizeof(err)), 0);
	cf_classify_get_stats(cls, &st);
	CHECK_INT(st.dns_capacity, 128);
	cf_classifier_free(cls);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_parse_prefer);
	RUN(test_parse_truncated);
	RUN(test_parse_loop);
	RUN(test_cache_ttl);
	RUN(test_cache_evict);
	RUN(test_classifier_names_flow);
	return harness_done();
}
