/*
 * test-geo.c - geo-mmdb.c against the databases tests/geo/build-fixtures.sh
 * builds (country, asn, flat, flatasn, flat4 .mmdb) in $CF_GEO_FIXTURES
 * (default tests/geo).  Corrupt databases and default-directory layouts are
 * made here, in a temporary directory.
 */
#define _GNU_SOURCE     /* memmem */
#include <sys/stat.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/geo.h"
#include "harness.h"

static const char *fixdir;
static char tmpdir[256];

/* Path of fixture name in buf. */
static const char *fix(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", fixdir, name);
	return buf;
}

/* Open the fixtures named in the NULL-terminated list; NULL on failure. */
static struct cf_geo *open_fix(size_t cache, const char *n0, const char *n1)
{
	char p[2][512], err[512];
	const char *paths[2];
	size_t n = 0;
	struct cf_geo *g;

	if (n0)
		paths[n++] = fix(p[0], sizeof(p[0]), n0);
	if (n1)
		paths[n++] = fix(p[1], sizeof(p[1]), n1);
	err[0] = '\0';
	g = cf_geo_open(paths, n, cache, err, sizeof(err));
	if (g == NULL)
		fprintf(stderr, "cf_geo_open: %s\n", err);
	return g;
}

/* An address from text (static: one at a time). */
static const cf_addr *addr(const char *ip)
{
	static cf_addr a;

	CHECK(cf_addr_parse(ip, &a) == 0);
	return &a;
}

static void look(struct cf_geo *g, const char *ip, struct cf_geo_result *r)
{
	cf_addr a;

	memset(r, 0xa5, sizeof(*r));    /* must be overwritten */
	if (cf_addr_parse(ip, &a) != 0) {
		fprintf(stderr, "bad test address %s\n", ip);
		CHECK(0);
		memset(r, 0, sizeof(*r));
		return;
	}
	cf_geo_lookup(g, &a, r);
}

struct expect {
	const char *ip, *country, *registered;
	uint32_t asn;
	const char *org;
};

static const struct expect ranges[] = {
	{ "192.0.2.1", "DE", "DE", 64501, "Example Carrier EU" },
	{ "192.0.2.127", "DE", "DE", 64501, "Example Carrier EU" },
	{ "192.0.2.128", "FR", "FR", 64501, "Example Carrier EU" },
	{ "192.0.2.255", "FR", "FR", 64501, "Example Carrier EU" },
	{ "198.51.100.0", "US", "US", 64510, "Example Cloud US" },
	{ "198.51.100.127", "US", "US", 64510, "Example Cloud US" },
	{ "198.51.100.130", "IE", "US", 64510, "Example Cloud US" },
	{ "203.0.113.5", "CN", "CN", 64520, "Example Net CN" },
	{ "203.0.113.128", "HK", "HK", 64520, "Example Net CN" },
	{ "203.0.113.191", "HK", "HK", 64520, "Example Net CN" },
	{ "203.0.113.200", "", "", 64520, "Example Net CN" },
	{ "::ffff:192.0.2.1", "DE", "DE", 64501, "Example Carrier EU" },
	{ "192.0.3.1", "", "", 0, "" },
	{ "8.8.8.8", "", "", 0, "" },
	{ "2001:db8:1::1", "DE", "DE", 64530, "Example Six" },
	{ "2001:db8:2:ffff::9", "US", "US", 64530, "Example Six" },
	{ "2001:db8:3::1", "CN", "CN", 64530, "Example Six" },
	{ "2001:db8:4::1", "NL", "NL", 64530, "Example Six" },
	{ "2001:db8:5::1", "", "", 64530, "Example Six" },
	{ "2001:db9::1", "", "", 0, "" },
	/* 6to4 of 192.0.2.1: the writer aliases 2002::/16 to IPv4 */
	{ "2002:c000:201::1", "DE", "DE", 64501, "Example Carrier EU" },
};

static void check_expect(struct cf_geo *g, const struct expect *e)
{
	struct cf_geo_result r;

	look(g, e->ip, &r);
	CHECK_STR(r.country, e->country);
	CHECK_STR(r.registered, e->registered);
	CHECK_INT(r.asn, e->asn);
	CHECK_STR(r.as_org, e->org);
	CHECK_INT(r.special, CF_SPECIAL_NONE);
	if (strcmp(r.country, e->country) || r.asn != e->asn)
		fprintf(stderr, "  (address %s)\n", e->ip);
}

static void test_ranges(void)
{
	struct cf_geo *g = open_fix(0, "country.mmdb", "asn.mmdb");
	struct cf_geo_stats st;
	size_t i, n = sizeof(ranges) / sizeof(ranges[0]);

	CHECK(g != NULL);
	if (!g)
		return;
	for (i = 0; i < n; i++)
		check_expect(g, &ranges[i]);
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.lookups, n);
	CHECK_INT(st.misses, n - 1);    /* ::ffff:192.0.2.1 is 192.0.2.1 */
	CHECK_INT(st.hits, 1);
	CHECK_INT(st.errors, 0);
	CHECK_INT(st.capacity, 65536);
	CHECK_INT(st.entries, n - 1);
	cf_geo_close(g);
}

static void test_special(void)
{
	static const struct {
		const char *ip;
		enum cf_special kind;
	} sp[] = {
		{ "10.1.2.3", CF_SPECIAL_PRIVATE },
		{ "192.168.1.1", CF_SPECIAL_PRIVATE },
		{ "100.64.1.1", CF_SPECIAL_CGNAT },
		{ "127.0.0.1", CF_SPECIAL_LOOPBACK },
		{ "169.254.1.1", CF_SPECIAL_LINKLOCAL },
		{ "fe80::1", CF_SPECIAL_LINKLOCAL },
		{ "fc00::1", CF_SPECIAL_ULA },
		{ "224.0.0.251", CF_SPECIAL_MULTICAST },
		{ "255.255.255.255", CF_SPECIAL_BROADCAST },
		{ "::1", CF_SPECIAL_LOOPBACK },
	};
	struct cf_geo *g = open_fix(0, "country.mmdb", "asn.mmdb");
	struct cf_geo_result r;
	struct cf_geo_stats st;
	size_t i, n = sizeof(sp) / sizeof(sp[0]);

	CHECK(g != NULL);
	if (!g)
		return;
	for (i = 0; i < 2 * n; i++) {
		look(g, sp[i % n].ip, &r);
		CHECK_INT(r.special, sp[i % n].kind);
		CHECK_STR(r.country, "");
		CHECK_STR(r.registered, "");
		CHECK_INT(r.asn, 0);
		CHECK_STR(r.as_org, "");
	}
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.lookups, 2 * n);
	CHECK_INT(st.misses, 0);
	CHECK_INT(st.hits, 0);
	CHECK_INT(st.entries, 0);
	cf_geo_close(g);
}

static void test_precedence(void)
{
	struct cf_geo *g = open_fix(0, "country.mmdb", "flat.mmdb");
	struct cf_geo_result r;

	CHECK(g != NULL);
	if (g) {
		look(g, "192.0.2.1", &r);
		CHECK_STR(r.country, "DE");
		look(g, "203.0.113.200", &r);   /* country has no entry */
		CHECK_STR(r.country, "CN");
		CHECK_STR(r.registered, "");
		look(g, "2001:db8:9::1", &r);
		CHECK_STR(r.country, "JP");
		cf_geo_close(g);
	}
	g = open_fix(0, "flat.mmdb", "country.mmdb");
	CHECK(g != NULL);
	if (g) {
		look(g, "192.0.2.1", &r);
		CHECK_STR(r.country, "SE");
		CHECK_STR(r.registered, "DE");  /* flat has none: next db */
		look(g, "2001:db8:1::1", &r);
		CHECK_STR(r.country, "JP");
		CHECK_STR(r.registered, "DE");
		cf_geo_close(g);
	}
}

static void test_asn_only(void)
{
	struct cf_geo *g = open_fix(0, "asn.mmdb", NULL);
	struct cf_geo_result r;

	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "198.51.100.77", &r);
	CHECK_STR(r.country, "");
	CHECK_STR(r.registered, "");
	CHECK_INT(r.asn, 64510);
	CHECK_STR(r.as_org, "Example Cloud US");
	look(g, "2001:db8:ab::1", &r);
	CHECK_INT(r.asn, 64530);
	CHECK_STR(r.country, "");
	cf_geo_close(g);
}

/* The flat ASN schema: text ASNs, long UTF-8 names, field by field. */
static void test_flat_asn(void)
{
	struct cf_geo *g = open_fix(0, "flatasn.mmdb", "asn.mmdb");
	struct cf_geo_result r;

	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "192.0.2.9", &r);
	CHECK_INT(r.asn, 64540);
	/* 62 bytes: the next character, "é", would need bytes 62 and 63 */
	CHECK_STR(r.as_org, "Exemple: Soci\xc3\xa9t\xc3\xa9 Nationale des "
		  "T\xc3\xa9l\xc3\xa9" "communications et des R");
	CHECK_INT(strlen(r.as_org), 62);
	look(g, "198.51.100.9", &r);
	CHECK_INT(r.asn, 64541);
	CHECK_STR(r.as_org, "Plain Org");
	look(g, "203.0.113.9", &r);     /* ASN too big: taken from asn.mmdb */
	CHECK_INT(r.asn, 64520);
	CHECK_STR(r.as_org, "Too Big ASN");
	look(g, "2001:db8::9", &r);     /* "as64543"; no name: asn.mmdb's */
	CHECK_INT(r.asn, 64543);
	CHECK_STR(r.as_org, "Example Six");
	CHECK_STR(r.country, "");
	look(g, "2001:db8:1::9", &r);   /* controls (and a NUL) become '?' */
	CHECK_INT(r.asn, 64544);
	CHECK_STR(r.as_org, "Tab?Esc?[31mRed C1?Del?Zero?End \xe2\x82\xac");
	cf_geo_close(g);
}

/* An IPv4 database is never asked about IPv6 (that would be an error). */
static void test_ipv4_db(void)
{
	struct cf_geo *g = open_fix(0, "flat4.mmdb", "country.mmdb");
	struct cf_geo_result r;
	struct cf_geo_stats st;

	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "192.0.2.1", &r);
	CHECK_STR(r.country, "SE");
	look(g, "2001:db8:1::1", &r);
	CHECK_STR(r.country, "DE");
	look(g, "2001:db8:77::1", &r);
	CHECK_STR(r.country, "");
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.errors, 0);
	CHECK_INT(st.misses, 3);
	cf_geo_close(g);
}

static void test_cache_hits(void)
{
	struct cf_geo *g = open_fix(0, "country.mmdb", "asn.mmdb");
	struct cf_geo_result r1, r2;
	struct cf_geo_stats st;
	int i;

	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "198.51.100.130", &r1);
	for (i = 0; i < 5; i++) {
		look(g, "198.51.100.130", &r2);
		CHECK(memcmp(&r1, &r2, sizeof(r1)) == 0);
	}
	CHECK_STR(r2.country, "IE");
	CHECK_STR(r2.registered, "US");
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.lookups, 6);
	CHECK_INT(st.misses, 1);
	CHECK_INT(st.hits, 5);
	CHECK_INT(st.entries, 1);
	/* cf_geo_asn: the same answers, read from the cache but not counted
	   and not filling it (the counters say what the judgements did) */
	CHECK_INT(cf_geo_asn(g, addr("198.51.100.130")), 64510);
	CHECK_INT(cf_geo_asn(g, addr("203.0.113.9")), 64520);
	CHECK_INT(cf_geo_asn(g, addr("203.0.113.9")), 64520);
	CHECK_INT(cf_geo_asn(g, addr("10.0.0.1")), 0);
	CHECK_INT(cf_geo_asn(NULL, addr("203.0.113.9")), 0);
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.lookups, 6);
	CHECK_INT(st.misses, 1);
	CHECK_INT(st.hits, 5);
	CHECK_INT(st.entries, 1);
	look(g, "203.0.113.9", &r2);        /* not cached by cf_geo_asn: a miss */
	CHECK_STR(r2.as_org, "Example Net CN");
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.lookups, 7);
	CHECK_INT(st.misses, 2);
	CHECK_INT(st.hits, 5);
	CHECK_INT(st.entries, 2);
	/* cf_geo_asn keeps its answers apart (direct-mapped, 1024 slots):
	   three passes over 768 addresses, colliding, in changing order,
	   answer as a counted look of a second instance does */
	{
		struct cf_geo *ref = open_fix(0, "country.mmdb", "asn.mmdb");
		static const char *const nets[] = { "198.51.100.", "203.0.113.", "192.0.2." };
		unsigned pass, k, bad = 0;
		char a[32];

		CHECK(ref != NULL);
		for (pass = 0; ref != NULL && pass < 3; pass++)
			for (k = 0; k < 768; k++) {
				unsigned j = pass == 1 ? 767 - k : (k * 7 + pass) % 768;

				snprintf(a, sizeof(a), "%s%u", nets[j / 256], j % 256);
				look(ref, a, &r2);
				if (cf_geo_asn(g, addr(a)) != r2.asn && bad++ < 3)
					fprintf(stderr, "asn of %s: %u, want %u\n", a,
						cf_geo_asn(g, addr(a)), r2.asn);
			}
		CHECK_INT(bad, 0);
		cf_geo_get_stats(g, &st);
		CHECK_INT(st.lookups, 7);
		CHECK_INT(st.entries, 2);
		cf_geo_close(ref);
	}
	cf_geo_close(g);
}

/* Expected country for the i-th address of the small-cache test. */
static void small_addr(int i, char *ip, size_t len, const char **cc)
{
	int host = (i * 37) % 256;

	if (i % 2) {
		snprintf(ip, len, "192.0.2.%d", host);
		*cc = host < 128 ? "DE" : "FR";
	} else {
		snprintf(ip, len, "2001:db8:%d::%d", 1 + i % 4, host);
		*cc = (const char *[]){ "DE", "US", "CN", "NL" }[i % 4];
	}
}

static void test_small_cache(void)
{
	struct cf_geo *g = open_fix(4, "country.mmdb", NULL);
	struct cf_geo_result r;
	struct cf_geo_stats st;
	const char *cc;
	char ip[64];
	int round, i;

	CHECK(g != NULL);
	if (!g)
		return;
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 100; i++) {
			small_addr(i, ip, sizeof(ip), &cc);
			look(g, ip, &r);
			CHECK_STR(r.country, cc);
			look(g, ip, &r);        /* just cached: a hit */
			CHECK_STR(r.country, cc);
		}
	}
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.capacity, 4);
	CHECK(st.entries <= 4);
	CHECK_INT(st.entries, 4);
	CHECK_INT(st.lookups, 600);
	CHECK_INT(st.hits + st.misses, 600);
	CHECK(st.hits >= 300);
	CHECK(st.misses >= 100);
	cf_geo_close(g);
}

/*
 * Clock replacement: an address looked up between every insertion keeps
 * its reference bit set and is never the one evicted.
 */
static void test_cache_clock(void)
{
	struct cf_geo *g = open_fix(4, "country.mmdb", NULL);
	struct cf_geo_result r;
	struct cf_geo_stats st;
	char ip[64];
	int i;

	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "198.51.100.130", &r);
	for (i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "2001:db8:3::%x", i + 1);
		look(g, ip, &r);
		CHECK_STR(r.country, "CN");
		look(g, "198.51.100.130", &r);
		CHECK_STR(r.country, "IE");
	}
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.hits, 200);
	CHECK_INT(st.misses, 201);
	CHECK_INT(st.entries, 4);
	cf_geo_close(g);
}

/* A cache far smaller than the addresses asked: every answer, a hit or
 * a miss, an answer kept in the place of one evicted or not, is the
 * address's own (the answers lie apart from the slots, geo-mmdb.c). */
static void test_cache_answers(void)
{
	struct cf_geo *g = open_fix(4, "country.mmdb", "asn.mmdb");
	struct cf_geo_stats st;
	size_t i, round, n = sizeof(ranges) / sizeof(ranges[0]);

	CHECK(g != NULL);
	if (!g)
		return;
	for (round = 0; round < 3; round++)
		for (i = 0; i < n; i++) {
			check_expect(g, &ranges[i]);
			check_expect(g, &ranges[i]);            /* a hit */
			check_expect(g, &ranges[(i + round) % n]);
		}
	cf_geo_get_stats(g, &st);
	CHECK_INT(st.entries, 4);
	CHECK(st.hits >= 3 * n);
	cf_geo_close(g);
}

/* Write the first (or, if tail, the last) n bytes of src to dst. */
static int copy_part(const char *src, const char *dst, long n, int tail)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	char buf[8192];
	long size;
	size_t k;
	int rc = -1;

	if (in && out && fseek(in, 0, SEEK_END) == 0 && (size = ftell(in)) > n &&
	    fseek(in, tail ? size - n : 0, SEEK_SET) == 0) {
		while (n > 0 && (k = fread(buf, 1, n < 8192 ? (size_t)n : 8192, in)) > 0) {
			fwrite(buf, 1, k, out);
			n -= (long)k;
		}
		rc = n == 0 ? 0 : -1;
	}
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* Opening path (after good fixtures) must fail with "path: want". */
static void expect_open_error(const char *path, const char *want)
{
	char good[512], err[512], prefix[600];
	const char *paths[2] = { fix(good, sizeof(good), "country.mmdb"), path };
	struct cf_geo *g;

	strcpy(err, "untouched");
	g = cf_geo_open(paths, 2, 0, err, sizeof(err));
	CHECK(g == NULL);
	cf_geo_close(g);
	snprintf(prefix, sizeof(prefix), "%s: ", path);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	if (want)
		CHECK_STR(err + strlen(prefix), want);
	else
		CHECK(strlen(err) > strlen(prefix));
	fprintf(stderr, "  (error: %s)\n", err);
}

static void test_open_errors(void)
{
	char src[512], p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/missing.mmdb", tmpdir);
	expect_open_error(p, "No such file or directory");

	fix(src, sizeof(src), "country.mmdb");
	snprintf(p, sizeof(p), "%s/head.mmdb", tmpdir);     /* no metadata */
	CHECK(copy_part(src, p, 900, 0) == 0);
	expect_open_error(p, NULL);
	snprintf(p, sizeof(p), "%s/tail.mmdb", tmpdir);     /* no tree */
	CHECK(copy_part(src, p, 400, 1) == 0);
	expect_open_error(p, NULL);

	snprintf(p, sizeof(p), "%s/text.mmdb", tmpdir);
	fp = fopen(p, "w");
	CHECK(fp != NULL);
	if (fp) {
		fputs("network,country_code\n192.0.2.0/24,SE\n", fp);
		fclose(fp);
	}
	expect_open_error(p, NULL);
	snprintf(p, sizeof(p), "%s/empty.mmdb", tmpdir);
	fp = fopen(p, "w");
	if (fp)
		fclose(fp);
	expect_open_error(p, "empty file, not a MaxMind DB");
	snprintf(p, sizeof(p), "%s/dir.mmdb", tmpdir);
	CHECK(mkdir(p, 0700) == 0);
	expect_open_error(p, "Is a directory");
}

/*
 * A database whose tree and metadata are sound but whose data section is
 * garbage: it opens, and lookups count errors instead of crashing.
 */
static void test_corrupt_data(void)
{
	static const char marker[] = "\xab\xcd\xefMaxMind.com";
	static const char sep[16];
	char src[512], p[512], err[512];
	const char *paths[1] = { p };
	struct cf_geo_result r;
	struct cf_geo_stats st;
	struct cf_geo *g;
	char *buf = NULL, *d, *m;
	long n = 0;
	FILE *fp;

	fp = fopen(fix(src, sizeof(src), "country.mmdb"), "rb");
	if (fp && fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 &&
	    (buf = malloc((size_t)n)) && fseek(fp, 0, SEEK_SET) == 0 &&
	    fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	if (fp)
		fclose(fp);
	d = buf && n ? memmem(buf, (size_t)n, sep, sizeof(sep)) : NULL;
	m = buf && n ? memmem(buf, (size_t)n, marker, sizeof(marker) - 1) : NULL;
	CHECK(d != NULL && m != NULL && d + 16 < m);
	if (!d || !m || d + 16 >= m) {
		free(buf);
		return;
	}
	memset(d + 16, 0xff, (size_t)(m - d - 16));
	snprintf(p, sizeof(p), "%s/garbage.mmdb", tmpdir);
	fp = fopen(p, "wb");
	CHECK(fp && fwrite(buf, 1, (size_t)n, fp) == (size_t)n);
	if (fp)
		fclose(fp);
	free(buf);
	g = cf_geo_open(paths, 1, 0, err, sizeof(err));
	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "192.0.2.1", &r);
	CHECK_STR(r.country, "");
	look(g, "2001:db8:4::1", &r);
	CHECK_STR(r.country, "");
	cf_geo_get_stats(g, &st);
	CHECK(st.errors >= 2);
	CHECK_INT(st.misses, 2);
	cf_geo_close(g);
}

static void touch(const char *dir, const char *name)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "w");
	CHECK(fp != NULL);
	if (fp)
		fclose(fp);
}

static void test_find_default(void)
{
	char d0[300], d1[300], d2[300], d3[300], want[400];
	const char *dirs[4] = { d0, d1, d2, d3 };
	char *out[8];
	size_t n, i;

	snprintf(d0, sizeof(d0), "%s/none", tmpdir);        /* does not exist */
	snprintf(d1, sizeof(d1), "%s/empty", tmpdir);
	snprintf(d2, sizeof(d2), "%s/geo", tmpdir);
	snprintf(d3, sizeof(d3), "%s/later", tmpdir);
	CHECK(mkdir(d1, 0700) == 0 && mkdir(d2, 0700) == 0 && mkdir(d3, 0700) == 0);
	touch(d1, "readme.txt");
	touch(d2, "z.mmdb");
	touch(d2, "b.mmdb");
	touch(d2, "m.mmdb");
	touch(d2, "a.mmdb");
	touch(d2, "k.mmdb");
	touch(d2, "c.mmdb.txt");
	touch(d2, ".hidden.mmdb");
	touch(d3, "0.mmdb");
	snprintf(want, sizeof(want), "%s/dir.mmdb", d2);
	CHECK(mkdir(want, 0700) == 0);

	n = cf_geo_find_default(dirs, 4, out, 8);
	CHECK_INT(n, 5);
	for (i = 0; i < 5; i++) {
		snprintf(want, sizeof(want), "%s/%c.mmdb", d2, "abkmz"[i]);
		CHECK_STR(i < n ? out[i] : NULL, want);
	}
	for (i = 0; i < n; i++)
		free(out[i]);

	n = cf_geo_find_default(dirs, 4, out, 1);           /* max honoured */
	CHECK_INT(n, 1);
	snprintf(want, sizeof(want), "%s/a.mmdb", d2);
	CHECK_STR(n > 0 ? out[0] : NULL, want);
	for (i = 0; i < n; i++)
		free(out[i]);

	n = cf_geo_find_default(dirs, 2, out, 4);           /* none */
	CHECK_INT(n, 0);
	n = cf_geo_find_default(dirs + 3, 1, out, 4);
	CHECK_INT(n, 1);
	snprintf(want, sizeof(want), "%s/0.mmdb", d3);
	CHECK_STR(n > 0 ? out[0] : NULL, want);
	for (i = 0; i < n; i++)
		free(out[i]);
}

static void test_describe(void)
{
	struct cf_geo *g = open_fix(0, "country.mmdb", "flat4.mmdb");
	char p[512], want[700], line[2][700];
	unsigned nodes[2] = { 0, 0 };
	char *buf = NULL, *s;
	size_t len = 0;
	FILE *fp;

	CHECK(g != NULL);
	if (!g)
		return;
	fp = open_memstream(&buf, &len);
	cf_geo_describe(g, fp);
	fclose(fp);
	CHECK(sscanf(buf, "%699[^\n]\n%699[^\n]", line[0], line[1]) == 2);
	snprintf(want, sizeof(want),
		 "%s: callfence-Test-Country, built 2023-11-14, IPv6, ",
		 fix(p, sizeof(p), "country.mmdb"));
	CHECK(strncmp(line[0], want, strlen(want)) == 0);
	CHECK(sscanf(line[0] + strlen(want), "%u nodes", &nodes[0]) == 1);
	snprintf(want, sizeof(want),
		 "%s: callfence-Test-Flat, built 2023-11-14, IPv4, ",
		 fix(p, sizeof(p), "flat4.mmdb"));
	CHECK(strncmp(line[1], want, strlen(want)) == 0);
	CHECK(sscanf(line[1] + strlen(want), "%u nodes", &nodes[1]) == 1);
	CHECK(nodes[0] > 0 && nodes[1] > 0);
	s = strchr(buf, '\n');
	CHECK(s && (s = strchr(s + 1, '\n')) && s[1] == '\0');
	fprintf(stderr, "  (%s)\n", line[0]);
	free(buf);
	cf_geo_close(g);
}

/* No databases at all: every address is unknown. */
static void test_no_databases(void)
{
	char err[64] = "";
	struct cf_geo *g = cf_geo_open(NULL, 0, 16, err, sizeof(err));
	struct cf_geo_result r;

	CHECK(g != NULL);
	look(g, "192.0.2.1", &r);
	CHECK_STR(r.country, "");
	CHECK_INT(r.asn, 0);
	CHECK_INT(r.special, CF_SPECIAL_NONE);
	cf_geo_close(g);
	g = cf_geo_open(NULL, 0, (size_t)1 << 30, err, sizeof(err));
	CHECK(g == NULL);
	CHECK(err[0] != '\0');
}

static void cleanup_tmp(void)
{
	static const char *files[] = {
		"head.mmdb", "tail.mmdb", "text.mmdb", "empty.mmdb", "dir.mmdb",
		"garbage.mmdb",
		"geo/a.mmdb", "geo/b.mmdb", "geo/k.mmdb", "geo/m.mmdb", "geo/z.mmdb", "geo/c.mmdb.txt", "geo/.hidden.mmdb",
		"geo/dir.mmdb", "geo", "later/0.mmdb", "later",
		"empty/readme.txt", "empty",
	};
	char p[512];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, files[i]);
		if (remove(p) != 0 && errno != ENOENT)
			fprintf(stderr, "cannot remove %s\n", p);
	}
	rmdir(tmpdir);
}

/* City databases: the point and its accuracy radius (GeoIP2 City's
 * location map, or ip-location-db's flat latitude/longitude). */
static void test_city(void)
{
	struct cf_geo *g = open_fix(0, "city.mmdb", NULL);
	struct cf_geo_result r;

	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "192.0.2.10", &r);
	CHECK_STR(r.country, "DE");
	CHECK_INT(r.has_point, 1);
	CHECK(fabs(r.lat - 50.1155) < 1e-4 && fabs(r.lon - 8.6842) < 1e-4);
	CHECK_INT(r.radius_km, 20);
	look(g, "192.0.2.70", &r);
	CHECK(r.has_point && fabs(r.lat - 39.9075) < 1e-4 && r.radius_km == 100);
	look(g, "198.51.100.5", &r);
	CHECK(r.has_point && fabs(r.lon + 77.4875) < 1e-4 && r.radius_km == 0);
	look(g, "203.0.113.5", &r);
	CHECK_STR(r.country, "CN");
	CHECK_INT(r.has_point, 0);
	look(g, "2001:db8:1::9", &r);
	CHECK(r.has_point && fabs(r.lat - 52.5244) < 1e-4 && r.radius_km == 5);
	cf_geo_close(g);
	g = open_fix(0, "flatcity.mmdb", NULL);
	CHECK(g != NULL);
	if (!g)
		return;
	look(g, "192.0.2.10", &r);
	CHECK_STR(r.country, "DE");
	CHECK(r.has_point && fabs(r.lat - 50.1155) < 1e-4 && fabs(r.lon - 8.6842) < 1e-4);
	CHECK_INT(r.radius_km, 0);
	look(g, "203.0.113.5", &r);
	CHECK_STR(r.country, "CN");
	CHECK_INT(r.has_point, 0);
	cf_geo_close(g);
	/* a country database has no point */
	g = open_fix(0, "country.mmdb", NULL);
	if (g != NULL) {
		look(g, "192.0.2.10", &r);
		CHECK_INT(r.has_point, 0);
		cf_geo_close(g);
	}
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	fixdir = getenv("CF_GEO_FIXTURES");
	if (fixdir == NULL || fixdir[0] == '\0')
		fixdir = "tests/geo";
	snprintf(tmpdir, sizeof(tmpdir), "%s/test-geo.XXXXXX",
		 t && t[0] ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return 1;
	}
	RUN(test_ranges);
	RUN(test_special);
	RUN(test_precedence);
	RUN(test_asn_only);
	RUN(test_flat_asn);
	RUN(test_ipv4_db);
	RUN(test_cache_hits);
	RUN(test_small_cache);
	RUN(test_cache_clock);
	RUN(test_cache_answers);
	RUN(test_open_errors);
	RUN(test_corrupt_data);
	RUN(test_find_default);
	RUN(test_describe);
	RUN(test_no_databases);
	RUN(test_city);
	cleanup_tmp();
	return harness_done();
}
