/*
 * netaddr.c - IP addresses and prefixes in one 16-byte form (IPv4 mapped
 * into ::ffff:0:0/96), text conversion, prefix matching and the
 * special-purpose address ranges (RFC 6890 and friends).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/netaddr.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void cf_addr_from_v4(cf_addr *a, const uint8_t v4[4])
{
	memcpy(a->b, v4mapped, 12);
	memcpy(a->b + 12, v4, 4);
}

void cf_addr_from_v6(cf_addr *a, const uint8_t v6[16])
{
	memcpy(a->b, v6, 16);
}

int cf_addr_is_v4(const cf_addr *a)
{
	return memcmp(a->b, v4mapped, 12) == 0;
}

const uint8_t *cf_addr_v4(const cf_addr *a)
{
	return a->b + 12;
}

int cf_addr_cmp(const cf_addr *a, const cf_addr *b)
{
	return memcmp(a->b, b->b, 16);
}

int cf_addr_eq(const cf_addr *a, const cf_addr *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}

/* Dotted quad, as inet_ntop writes it (every event names a few addresses:
 * its 2,000 instructions an address were 2.5% of a run). */
static size_t v4_str(const uint8_t *b, char *o)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (i > 0)
			o[n++] = '.';
		if (v >= 100)
			o[n++] = (char)('0' + v / 100);
		if (v >= 10)
			o[n++] = (char)('0' + v / 10 % 10);
		o[n++] = (char)('0' + v % 10);
	}
	o[n] = '\0';
	return n;
}

char *cf_addr_str(const cf_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (cf_addr_is_v4(a)) {
		char tmp[16];

		/* inet_ntop writes nothing (ENOSPC) when it does not fit */
		size_t n = v4_str(a->b + 12, tmp);

		if (n < len)
			memcpy(buf, tmp, n + 1);
		else
			buf[0] = '\0';
		return buf;
	}
	if (inet_ntop(AF_INET6, a->b, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
	return buf;
}

int cf_addr_parse(const char *s, cf_addr *out)
{
	uint8_t tmp[16];

	if (inet_pton(AF_INET, s, tmp) == 1) {
		cf_addr_from_v4(out, tmp);
		return 0;
	}
	if (inet_pton(AF_INET6, s, tmp) == 1) {
		cf_addr_from_v6(out, tmp);
		return 0;
	}
	return -1;
}

/* Clear the bits of a beyond the first len. */
static void mask_host_bits(cf_addr *a, unsigned len)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned bit = i * 8;

		if (bit >= len)
			a->b[i] = 0;
		else if (len - bit < 8)
			a->b[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
}

/* Parse a decimal prefix length no larger than max; -1 if bad. */
static int parse_len(const char *s, int max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > max)
		return -1;
	return (int)v;
}

int cf_prefix_parse(const char *s, struct cf_prefix *out)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int len, v4;

	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (cf_addr_parse(buf, &out->addr) < 0)
		return -1;
	v4 = cf_addr_is_v4(&out->addr) && strchr(buf, ':') == NULL;
	if (slash) {
		len = parse_len(slash + 1, v4 ? 32 : 128);
		if (len < 0)
			return -1;
	} else {
		len = v4 ? 32 : 128;
	}
	out->len = (uint8_t)(v4 ? 96 + len : len);
	mask_host_bits(&out->addr, out->len);
	return 0;
}

/* The first len (0..64) bits of an 8-byte big-endian word, as a mask of
 * that word loaded into a uint64_t of this machine. */
static uint64_t top_bits(unsigned len)
{
	uint64_t m = len == 0 ? 0 : len >= 64 ? ~0ull : ~0ull << (64 - len);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = __builtin_bswap64(m);
#endif
	return m;
}

/* Two 64-bit compares under the prefix's mask (the home networks and the
 * catalog's nets are asked for every flow, several times). */
int cf_prefix_match(const struct cf_prefix *p, const cf_addr *a)
{
	uint64_t x[2], y[2];
	unsigned len = p->len > 128 ? 128 : p->len;

	memcpy(x, a->b, sizeof(x));
	memcpy(y, p->addr.b, sizeof(y));
	return ((x[0] ^ y[0]) & top_bits(len > 64 ? 64 : len)) == 0 &&
	       ((x[1] ^ y[1]) & top_bits(len > 64 ? len - 64 : 0)) == 0;
}

char *cf_prefix_str(const struct cf_prefix *p, char *buf, size_t len)
{
	char a[CF_ADDR_STRLEN];
	int v4 = cf_addr_is_v4(&p->addr) && p->len >= 96;

	cf_addr_str(&p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, v4 ? p->len - 96u : p->len);
	return buf;
}

/*
 * The special-purpose ranges (RFC 6890 and its updates), first match
 * wins: 0.0.0.0/8 unspecified, 10/8 private, 100.64/10 CGNAT, 127/8
 * loopback, 169.254/16 link-local, 172.16/12 and 192.168/16 private,
 * 224/4 multicast, 255.255.255.255 broadcast, the rest of 240/4
 * reserved; ::/128 unspecified, ::1 loopback, fe80::/10 link-local,
 * fc00::/7 ULA, ff00::/8 multicast.  Decided by the leading bytes: asked
 * several times for every flow (home or not, the rules' home nets, the
 * RTT table), where scanning fifteen prefixes was 3% of a run.
 * test-netaddr checks it against that list scanned with cf_prefix_match.
 */
enum cf_special cf_addr_special(const cf_addr *a)
{
	const uint8_t *b = a->b;
	static const uint8_t zero[15];

	if (cf_addr_is_v4(a)) {
		b += 12;
		switch (b[0]) {
		case 0: return CF_SPECIAL_UNSPECIFIED;
		case 10: return CF_SPECIAL_PRIVATE;
		case 100: return (b[1] & 0xc0) == 64 ? CF_SPECIAL_CGNAT : CF_SPECIAL_NONE;
		case 127: return CF_SPECIAL_LOOPBACK;
		case 169: return b[1] == 254 ? CF_SPECIAL_LINKLOCAL : CF_SPECIAL_NONE;
		case 172: return (b[1] & 0xf0) == 16 ? CF_SPECIAL_PRIVATE : CF_SPECIAL_NONE;
		case 192: return b[1] == 168 ? CF_SPECIAL_PRIVATE : CF_SPECIAL_NONE;
		default: break;
		}
		if (b[0] < 224)
			return CF_SPECIAL_NONE;
		if (b[0] < 240)
			return CF_SPECIAL_MULTICAST;
		return (b[0] & b[1] & b[2] & b[3]) == 255 ? CF_SPECIAL_BROADCAST
							  : CF_SPECIAL_RESERVED;
	}
	if (b[0] == 0xff)
		return CF_SPECIAL_MULTICAST;
	if ((b[0] & 0xfe) == 0xfc)
		return CF_SPECIAL_ULA;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return CF_SPECIAL_LINKLOCAL;
	if (b[0] == 0 && memcmp(b + 1, zero, 14) == 0 && b[15] <= 1)
		return b[15] ? CF_SPECIAL_LOOPBACK : CF_SPECIAL_UNSPECIFIED;
	return CF_SPECIAL_NONE;
}

const char *cf_special_name(enum cf_special s)
{
	switch (s) {
	case CF_SPECIAL_NONE: return "public";
	case CF_SPECIAL_PRIVATE: return "private";
	case CF_SPECIAL_LOOPBACK: return "loopback";
	case CF_SPECIAL_LINKLOCAL: return "link-local";
	case CF_SPECIAL_CGNAT: return "cgnat";
	case CF_SPECIAL_ULA: return "ula";
	case CF_SPECIAL_MULTICAST: return "multicast";
	case CF_SPECIAL_BROADCAST: return "broadcast";
	case CF_SPECIAL_UNSPECIFIED: return "unspecified";
	case CF_SPECIAL_RESERVED: return "reserved";
	}
	return "unknown";
}
