/*
 * dns-cache.c - address -> name, as DNS answers on the wire said, for as
 * long as their TTL says (in packet time).
 *
 * A fixed table of 2^k slots, allocated once.  An address lives within
 * PROBE slots of its home (hash & mask).  Entries are never emptied, only
 * overwritten (an expired entry is a free slot to a writer), so a lookup
 * may stop at the first never-used slot.  When the PROBE slots of a new
 * address's home are all live, the one that expires first is evicted.
 * expires_us is never 0 for a used slot (ttl > 0 is required).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "classify/dns-cache.h"
#include "util/ahead.h"
#include "util/prefault.h"

#define PROBE 8
#define MIN_CAPACITY 16
#define HASH_SEED 0x64e5c0a1u

/*
 * The addresses and their expiry (probed) apart from the names (read only
 * once an address matched, written before that): only the first are
 * touched at once (prefault.h: a slot probed before it is written); the
 * names, 128 bytes each and most of the table's size, are handed out from
 * the front as slots are first used (a slot keeps its name's place when
 * overwritten), so that a capture with few DNS answers touches few of
 * the default table's 8 MB (by slot, each answer landed on a page of
 * its own at random: the whole table was backed, 2 MiB huge pages each
 * zeroed, after a few hundred answers).
 */
struct key {
	cf_addr addr;
	uint64_t expires_us;          /* 0: never used */
	uint32_t name;                /* its name's place (expires_us != 0) */
};

struct cf_dns_cache {
	struct key *k;
	char (*name)[CF_DNS_NAME_LEN];
	uint32_t mask;
	uint32_t names;               /* names handed out */
	struct cf_ahead ahead;        /* name's pages backed ahead (util/ahead.h) */
	struct cf_dns_cache_stats st;
};

struct cf_dns_cache *cf_dns_cache_new(size_t capacity)
{
	struct cf_dns_cache *c;
	size_t n = MIN_CAPACITY;

	if (capacity == 0)
		capacity = CF_DNS_CACHE_DEFAULT;
	if (capacity > (1u << 30))
		capacity = 1u << 30;
	while (n < capacity)
		n <<= 1;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->k = cf_big_alloc(n, sizeof(*c->k));
	c->name = cf_big_alloc_front(n, sizeof(*c->name));
	if (c->k == NULL || c->name == NULL) {
		cf_dns_cache_free(c);
		return NULL;
	}
	cf_prefault(c->k, n * sizeof(*c->k));
	cf_ahead_watch(&c->ahead, c->name, n, sizeof(*c->name), CF_BIG_FRONT);
	c->mask = (uint32_t)(n - 1);
	c->st.capacity = (uint32_t)n;
	return c;
}

void cf_dns_cache_free(struct cf_dns_cache *c)
{
	if (c == NULL)
		return;
	cf_ahead_forget(&c->ahead);
	cf_big_free(c->k);
	cf_big_free(c->name);
	free(c);
}

static uint32_t slot(const struct cf_dns_cache *c, uint32_t home, int i)
{
	return (home + (uint32_t)i) & c->mask;
}

/* The slot holding a, or -1 (stops at a never-used slot). */
static int64_t find(const struct cf_dns_cache *c, const cf_addr *a, uint32_t home)
{
	uint32_t s;
	int i;

	for (i = 0; i < PROBE; i++) {
		s = slot(c, home, i);
		if (c->k[s].expires_us == 0)
			return -1;
		if (cf_addr_eq(&c->k[s].addr, a))
			return s;
	}
	return -1;
}

/* Where a new address goes: a never-used or expired slot, else the live
 * entry that expires first (an eviction). */
static uint32_t victim(struct cf_dns_cache *c, uint32_t home, uint64_t now_us)
{
	uint32_t s, first = slot(c, home, 0);
	int i;

	for (i = 0; i < PROBE; i++) {
		s = slot(c, home, i);
		if (c->k[s].expires_us == 0 || c->k[s].expires_us <= now_us)
			return s;
		if (c->k[s].expires_us < c->k[first].expires_us)
			first = s;
	}
	c->st.evictions++;
	return first;
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, CF_DNS_NAME_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void cf_dns_cache_put(struct cf_dns_cache *c, const cf_addr *a, const char *name,
		      uint32_t ttl, uint64_t now_us)
{
	uint32_t home = cf_addr_hash(a, HASH_SEED) & c->mask;
	int64_t f;
	uint32_t s;

	if (ttl == 0)
		return;                 /* "use once, do not cache" (RFC 1035 3.2.1) */
	f = find(c, a, home);
	s = f >= 0 ? (uint32_t)f : victim(c, home, now_us);
	if (c->k[s].expires_us == 0) {
		cf_ahead_touch(&c->ahead, c->names);
		c->k[s].name = c->names++;      /* (at most one a slot) */
	}
	c->k[s].addr = *a;
	c->k[s].expires_us = now_us + (uint64_t)ttl * 1000000u;
	copy_name(c->name[c->k[s].name], name);
	c->st.inserts++;
}

int cf_dns_cache_get(struct cf_dns_cache *c, const cf_addr *a, uint64_t now_us,
		     char *name, size_t cap)
{
	uint32_t home = cf_addr_hash(a, HASH_SEED) & c->mask;
	int64_t s = find(c, a, home);
	size_t n;

	if (cap > 0)
		name[0] = '\0';
	if (s < 0 || c->k[s].expires_us <= now_us) {
		if (s >= 0)
			c->st.expired++;
		c->st.misses++;
		return 0;
	}
	c->st.hits++;
	if (cap > 0) {
		n = strnlen(c->name[c->k[s].name], cap - 1);
		memcpy(name, c->name[c->k[s].name], n);
		name[n] = '\0';
	}
	return 1;
}

void cf_dns_cache_get_stats(const struct cf_dns_cache *c,
			    struct cf_dns_cache_stats *st)
{
	*st = c->st;
}
