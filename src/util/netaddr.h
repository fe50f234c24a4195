/*
 * netaddr.h - IP addresses and prefixes, one representation for both
 * families: IPv4 is held as an IPv4-mapped IPv6 address (::ffff:a.b.c.d),
 * so hashing, comparing and prefix matching need no family switch.
 */
#ifndef CF_NETADDR_H
#define CF_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
	uint8_t b[16];
} cf_addr;

/* An IPv4 prefix a.b.c.d/n is stored with len = 96 + n. */
struct cf_prefix {
	cf_addr addr;   /* host bits cleared */
	uint8_t len;    /* 0..128 over the mapped form */
};

#define CF_ADDR_STRLEN 46

enum cf_special {
	CF_SPECIAL_NONE = 0,    /* a public address: look it up */
	CF_SPECIAL_PRIVATE,     /* RFC 1918 */
	CF_SPECIAL_LOOPBACK,    /* 127/8, ::1 */
	CF_SPECIAL_LINKLOCAL,   /* 169.254/16, fe80::/10 */
	CF_SPECIAL_CGNAT,       /* 100.64/10 (RFC 6598) */
	CF_SPECIAL_ULA,         /* fc00::/7 */
	CF_SPECIAL_MULTICAST,   /* 224/4, ff00::/8 */
	CF_SPECIAL_BROADCAST,   /* 255.255.255.255 */
	CF_SPECIAL_UNSPECIFIED, /* 0.0.0.0/8, :: */
	CF_SPECIAL_RESERVED     /* 240/4 */
};

void cf_addr_from_v4(cf_addr *a, const uint8_t v4[4]);
void cf_addr_from_v6(cf_addr *a, const uint8_t v6[16]);
int cf_addr_is_v4(const cf_addr *a);
/* Pointer to the 4 IPv4 bytes (valid only when cf_addr_is_v4). */
const uint8_t *cf_addr_v4(const cf_addr *a);
int cf_addr_cmp(const cf_addr *a, const cf_addr *b);
int cf_addr_eq(const cf_addr *a, const cf_addr *b);
/* Text form: dotted quad for IPv4, RFC 5952 for IPv6. Returns buf. */
char *cf_addr_str(const cf_addr *a, char *buf, size_t len);
/* Parse text (IPv4 or IPv6). 0 on success, -1 if not an address. */
int cf_addr_parse(const char *s, cf_addr *out);
/* Parse "addr[/len]"; a bare address is a host prefix. 0 ok, -1 bad. */
int cf_prefix_parse(const char *s, struct cf_prefix *out);
int cf_prefix_match(const struct cf_prefix *p, const cf_addr *a);
/* Text form of a prefix ("10.0.0.0/8", "fc00::/7"). Returns buf. */
char *cf_prefix_str(const struct cf_prefix *p, char *buf, size_t len);
enum cf_special cf_addr_special(const cf_addr *a);
/* "private", "loopback", ... ; "public" for CF_SPECIAL_NONE. */
const char *cf_special_name(enum cf_special s);
/* The 64-bit finaliser of MurmurHash3: every input bit moves every output
 * bit.  The project's hashes (flow table, --threads, intern table) build
 * on it. */
static inline uint64_t cf_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * One end of a flow (address and port), keyed by seed: an IPv4 end
 * (::ffff:a.b.c.d: its bytes 8 and 9 are 0) takes its port in those
 * bytes, so address and port are one 64-bit word and one mix (a
 * bijection: two IPv4 ends never share a hash); other addresses take
 * three.  A flow's hash adds its two ends' (the same both ways).
 */
static inline uint64_t cf_end_hash(uint64_t seed, const cf_addr *a, uint16_t port)
{
	uint64_t w[2];

	memcpy(w, a->b, sizeof(w));
	if (w[0] == 0 && (w[1] & 0xffff) == 0)
		return cf_mix64(seed ^ w[1] ^ port);
	return cf_mix64(seed ^ cf_mix64(w[0] ^ cf_mix64(w[1] ^ port)));
}

/* A well-mixed 32-bit hash of an address, keyed by seed: an IPv4
   address (::ffff:a.b.c.d, its first 8 bytes 0) in one 64-bit mix,
   others in two (the caches and tables of every packet's path ask for
   it). */
static inline uint32_t cf_addr_hash(const cf_addr *a, uint32_t seed)
{
	uint64_t w[2], h;

	memcpy(w, a->b, sizeof(w));
	h = w[0] == 0 ? cf_mix64(w[1] ^ seed) : cf_mix64(w[1] ^ cf_mix64(w[0] ^ seed));
	return (uint32_t)(h ^ (h >> 32));
}

#endif /* CF_NETADDR_H */
