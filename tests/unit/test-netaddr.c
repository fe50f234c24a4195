/* test-netaddr.c - addresses, prefixes and special-purpose ranges. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "util/netaddr.h"

static const char *roundtrip(const char *in, char *buf)
{
	cf_addr a;

	if (cf_addr_parse(in, &a) < 0)
		return "(parse failed)";
	return cf_addr_str(&a, buf, CF_ADDR_STRLEN);
}

static void test_parse_format(void)
{
	char buf[CF_ADDR_STRLEN];
	cf_addr a;

	CHECK_STR(roundtrip("192.0.2.1", buf), "192.0.2.1");
	CHECK_STR(roundtrip("2001:DB8:0:0:0:0:0:1", buf), "2001:db8::1");
	CHECK_STR(roundtrip("::ffff:198.51.100.7", buf), "198.51.100.7");
	CHECK_INT(cf_addr_parse("256.1.1.1", &a), -1);
	CHECK_INT(cf_addr_parse("", &a), -1);
	CHECK_INT(cf_addr_parse("1.2.3", &a), -1);
	CHECK_INT(cf_addr_parse("203.0.113.9", &a), 0);
	CHECK(cf_addr_is_v4(&a));
	CHECK_INT(cf_addr_v4(&a)[3], 9);
	CHECK_INT(cf_addr_parse("2001:db8::9", &a), 0);
	CHECK(!cf_addr_is_v4(&a));
}

static int in_prefix(const char *prefix, const char *addr)
{
	struct cf_prefix p;
	cf_addr a;

	if (cf_prefix_parse(prefix, &p) < 0 || cf_addr_parse(addr, &a) < 0)
		return -1;
	return cf_prefix_match(&p, &a);
}

static void test_prefix(void)
{
	struct cf_prefix p;
	char buf[64];

	CHECK_INT(in_prefix("10.0.0.0/8", "10.255.1.2"), 1);
	CHECK_INT(in_prefix("10.0.0.0/8", "11.0.0.1"), 0);
	CHECK_INT(in_prefix("192.0.2.128/25", "192.0.2.127"), 0);
	CHECK_INT(in_prefix("192.0.2.128/25", "192.0.2.128"), 1);
	CHECK_INT(in_prefix("0.0.0.0/0", "8.8.8.8"), 1);
	CHECK_INT(in_prefix("0.0.0.0/0", "2001:db8::1"), 0);  /* v4 /0 is v4 only */
	CHECK_INT(in_prefix("::/0", "8.8.8.8"), 1);
	CHECK_INT(in_prefix("fc00::/7", "fd12::1"), 1);
	CHECK_INT(in_prefix("fc00::/7", "fe00::1"), 0);
	CHECK_INT(in_prefix("2001:db8:3::/48", "2001:db8:3:ffff::1"), 1);
	CHECK_INT(in_prefix("198.51.100.7", "198.51.100.7"), 1);
	CHECK_INT(in_prefix("198.51.100.7", "198.51.100.8"), 0);
	CHECK_INT(cf_prefix_parse("10.0.0.0/33", &p), -1);
	CHECK_INT(cf_prefix_parse("10.0.0.0/", &p), -1);
	CHECK_INT(cf_prefix_parse("10.0.0.0/8x", &p), -1);
	CHECK_INT(cf_prefix_parse("/8", &p), -1);
	CHECK_INT(cf_prefix_parse("::/129", &p), -1);
	CHECK_INT(cf_prefix_parse("10.1.2.3/8", &p), 0);
	CHECK_STR(cf_prefix_str(&p, buf, sizeof(buf)), "10.0.0.0/8");
	CHECK_INT(cf_prefix_parse("2001:db8::1/32", &p), 0);
	CHECK_STR(cf_prefix_str(&p, buf, sizeof(buf)), "2001:db8::/32");
}

static enum cf_special special_of(const char *s)
{
	cf_addr a;

	if (cf_addr_parse(s, &a) < 0)
		return (enum cf_special)-1;
	return cf_addr_special(&a);
}

static void test_special(void)
{
	CHECK_INT(special_of("10.1.2.3"), CF_SPECIAL_PRIVATE);
	CHECK_INT(special_of("172.31.255.255"), CF_SPECIAL_PRIVATE);
	CHECK_INT(special_of("172.32.0.1"), CF_SPECIAL_NONE);
	CHECK_INT(special_of("192.168.1.178"), CF_SPECIAL_PRIVATE);
	CHECK_INT(special_of("100.64.0.1"), CF_SPECIAL_CGNAT);
	CHECK_INT(special_of("100.128.0.1"), CF_SPECIAL_NONE);
	CHECK_INT(special_of("127.0.0.1"), CF_SPECIAL_LOOPBACK);
	CHECK_INT(special_of("169.254.9.9"), CF_SPECIAL_LINKLOCAL);
	CHECK_INT(special_of("224.0.0.251"), CF_SPECIAL_MULTICAST);
	CHECK_INT(special_of("239.255.255.250"), CF_SPECIAL_MULTICAST);
	CHECK_INT(special_of("255.255.255.255"), CF_SPECIAL_BROADCAST);
	CHECK_INT(special_of("0.0.0.0"), CF_SPECIAL_UNSPECIFIED);
	CHECK_INT(special_of("::1"), CF_SPECIAL_LOOPBACK);
	CHECK_INT(special_of("::"), CF_SPECIAL_UNSPECIFIED);
	CHECK_INT(special_of("fe80::1"), CF_SPECIAL_LINKLOCAL);
	CHECK_INT(special_of("fd00::5"), CF_SPECIAL_ULA);
	CHECK_INT(special_of("ff02::fb"), CF_SPECIAL_MULTICAST);
	/* documentation ranges are looked up: tests place them in countries */
	CHECK_INT(special_of("192.0.2.1"), CF_SPECIAL_NONE);
	CHECK_INT(special_of("203.0.113.200"), CF_SPECIAL_NONE);
	CHECK_INT(special_of("2001:db8::1"), CF_SPECIAL_NONE);
	CHECK_INT(special_of("144.195.73.154"), CF_SPECIAL_NONE);
	CHECK_STR(cf_special_name(CF_SPECIAL_CGNAT), "cgnat");
	CHECK_STR(cf_special_name(CF_SPECIAL_NONE), "public");
}

/* The special-purpose ranges as a list, first match wins (255.255.255.255
 * lies inside 240/4, so it comes first), scanned with cf_prefix_match:
 * what cf_addr_special decides by the leading bytes. */
static enum cf_special special_scan(const cf_addr *a)
{
	static const struct {
		const char *prefix;
		enum cf_special kind;
	} ranges[] = {
		{ "0.0.0.0/8", CF_SPECIAL_UNSPECIFIED },
		{ "10.0.0.0/8", CF_SPECIAL_PRIVATE },
		{ "100.64.0.0/10", CF_SPECIAL_CGNAT },
		{ "127.0.0.0/8", CF_SPECIAL_LOOPBACK },
		{ "169.254.0.0/16", CF_SPECIAL_LINKLOCAL },
		{ "172.16.0.0/12", CF_SPECIAL_PRIVATE },
		{ "192.168.0.0/16", CF_SPECIAL_PRIVATE },
		{ "224.0.0.0/4", CF_SPECIAL_MULTICAST },
		{ "255.255.255.255/32", CF_SPECIAL_BROADCAST },
		{ "240.0.0.0/4", CF_SPECIAL_RESERVED },
		{ "::/128", CF_SPECIAL_UNSPECIFIED },
		{ "::1/128", CF_SPECIAL_LOOPBACK },
		{ "fe80::/10", CF_SPECIAL_LINKLOCAL },
		{ "fc00::/7", CF_SPECIAL_ULA },
		{ "ff00::/8", CF_SPECIAL_MULTICAST },
	};
	static struct cf_prefix p[sizeof(ranges) / sizeof(ranges[0])];
	static int parsed;
	size_t i;

	for (i = 0; !parsed && i < sizeof(ranges) / sizeof(ranges[0]); i++)
		CHECK_INT(cf_prefix_parse(ranges[i].prefix, &p[i]), 0);
	parsed = 1;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cf_prefix_match(&p[i], a))
			return ranges[i].kind;
	return CF_SPECIAL_NONE;
}

/* The leading-byte decision agrees with the list of ranges: every
 * IPv4 /16 at both ends of its range, and IPv6 around each range's
 * edges. */
static void test_special_same(void)
{
	static const char *v6[] = {
		"::", "::1", "::2", "::100", "1::", "::ffff:0:1", "fe80::", "febf:ffff::1",
		"fec0::1", "fe7f::1", "fc00::", "fdff:ffff::1", "fe00::1", "fb00::1",
		"ff00::", "ff02::fb", "fffe::", "2001:db8::1", "2a00:1450::1", "0:0:0:1::1",
	};
	static const uint8_t ends[] = { 0, 1, 254, 255 };
	cf_addr a;
	unsigned i, j, k, bad = 0;

	for (i = 0; i < 256; i++)
		for (j = 0; j < 256; j++)
			for (k = 0; k < sizeof(ends); k++) {
				char s[32];

				snprintf(s, sizeof(s), "%u.%u.%u.%u", i, j, ends[k], ends[k]);
				cf_addr_parse(s, &a);
				if (cf_addr_special(&a) != special_scan(&a) && bad++ < 5)
					fprintf(stderr, "special(%s) %d, the table says %d\n", s,
						cf_addr_special(&a), special_scan(&a));
			}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		CHECK_INT(cf_addr_parse(v6[i], &a), 0);
		CHECK_INT(cf_addr_special(&a), special_scan(&a));
	}
	CHECK_INT(bad, 0);
}

/* IPv4 text as inet_ntop writes it, and nothing when it does not fit. */
static void test_v4_str(void)
{
	unsigned i, bad = 0;
	char buf[CF_ADDR_STRLEN], want[INET_ADDRSTRLEN];
	cf_addr a;

	for (i = 0; i < 70000; i++) {
		uint8_t q[4] = { (uint8_t)(i * 7), (uint8_t)(i >> 8), (uint8_t)(i * 13 + 1),
				 (uint8_t)(i % 3 ? i : 0) };

		cf_addr_from_v4(&a, q);
		inet_ntop(AF_INET, q, want, sizeof(want));
		cf_addr_str(&a, buf, sizeof(buf));
		if (strcmp(buf, want) != 0 && bad++ < 3)
			fprintf(stderr, "v4 %s, want %s\n", buf, want);
	}
	CHECK_INT(bad, 0);
	cf_addr_parse("255.255.255.255", &a);
	CHECK_STR(cf_addr_str(&a, buf, 16), "255.255.255.255");
	CHECK_STR(cf_addr_str(&a, buf, 15), "");
	cf_addr_parse("1.2.3.4", &a);
	CHECK_STR(cf_addr_str(&a, buf, 8), "1.2.3.4");
	CHECK_STR(cf_addr_str(&a, buf, 7), "");
}

static void test_hash(void)
{
	cf_addr a, b;

	cf_addr_parse("192.0.2.1", &a);
	cf_addr_parse("192.0.2.2", &b);
	CHECK(cf_addr_hash(&a, 0) == cf_addr_hash(&a, 0));
	CHECK(cf_addr_hash(&a, 0) != cf_addr_hash(&b, 0));
	CHECK(cf_addr_hash(&a, 0) != cf_addr_hash(&a, 1));
	CHECK(cf_addr_cmp(&a, &b) < 0);
	CHECK(!cf_addr_eq(&a, &b));
}

/* cf_prefix_match (64-bit words under a mask) against the byte-by-byte
 * compare it replaced, for every length and addresses that differ from
 * the prefix in one bit, before, at and after the length. */
static int ref_prefix_match(const struct cf_prefix *p, const cf_addr *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr.b, a->b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a->b[full] ^ p->addr.b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static void test_prefix_words(void)
{
	uint64_t st = 0x9e3779b9;
	unsigned len, i, bit, k;

	for (len = 0; len <= 128; len++) {
		for (i = 0; i < 40; i++) {
			struct cf_prefix p;
			cf_addr a;

			for (k = 0; k < 16; k++)
				p.addr.b[k] = (uint8_t)harness_rnd(&st);
			p.len = (uint8_t)len;
			a = p.addr;
			CHECK_INT(cf_prefix_match(&p, &a), 1);
			/* one bit flipped: inside the prefix (before len) or not */
			bit = harness_below(&st, 128);
			if (i < 3 && len > 0)
				bit = len - 1 - i % len;
			else if (i < 6 && len < 128)
				bit = len + (i - 3) % (128 - len);
			a.b[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
			CHECK_INT(cf_prefix_match(&p, &a), ref_prefix_match(&p, &a));
			CHECK_INT(cf_prefix_match(&p, &a), bit >= len);
		}
	}
}

int main(void)
{
	RUN(test_parse_format);
	RUN(test_prefix);
	RUN(test_prefix_words);
	RUN(test_special);
	RUN(test_special_same);
	RUN(test_v4_str);
	RUN(test_hash);
	return harness_done();
}
