/*
 * dns-cache.c - address -> name, as DNS answers on the wire said, for as
 * long as their TTL says (in packet time).
 *
 * A fixed table of 2^k entries, allocated once.  An address lives within
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
#include "util/prefault.h"

#define PROBE 8
#define MIN_CAPACITY 16
#define HASH_SEED 0x64e5c0a1u

struct entry {
	cf_addr addr;
	uint64_t expires_us;          /* 0: never used */
	char name[CF_DNS_NAME_LEN];
};

struct cf_dns_cache {
	struct entry *e;
	uint32_t mask;
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
	c->e = cf_big_alloc(n, sizeof(*c->e));
	cf_prefault(c->e, n * sizeof(*c->e));
	if (c->e == NULL) {
		free(c);
		return NULL;
	}
	c->mask = (uint32_t)(n - 1);
	c->st.capacity = (uint32_t)n;
	return c;
}

void cf_dns_cache_free(struct cf_dns_cache *c)
{
	if (c == NULL)
		return;
	cf_big_free(c->e);
	free(c);
}

static struct entry *slot(const struct cf_dns_cache *c, uint32_t home, int i)
{
	return &c->e[(home + (uint32_t)i) & c->mask];
}

/* The entry holding a, or NULL (stops at a never-used slot). */
static struct entry *find(const struct cf_dns_cache *c, const cf_addr *a,
			  uint32_t home)
{
	struct entry *s;
	int i;

	for (i = 0; i < PROBE; i++) {
		s = slot(c, home, i);
		if (s->expires_us == 0)
			return NULL;
		if (cf_addr_eq(&s->addr, a))
			return s;
	}
	return NULL;
}

/* Where a new address goes: a never-used or expired slot, else the live
 * entry that expires first (an eviction). */
static struct entry *victim(struct cf_dns_cache *c, uint32_t home, uint64_t now_us)
{
	struct entry *s, *first = NULL;
	int i;

	for (i = 0; i < PROBE; i++) {
		s = slot(c, home, i);
		if (s->expires_us == 0 || s->expires_us <= now_us)
			return s;
		if (first == NULL || s->expires_us < first->expires_us)
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
	struct entry *s;

	if (ttl == 0)
		return;                 /* "use once, do not cache" (RFC 1035 3.2.1) */
	s = find(c, a, home);
	if (s == NULL)
		s = victim(c, home, now_us);
	s->addr = *a;
	s->expires_us = now_us + (uint64_t)ttl * 1000000u;
	copy_name(s->name, name);
	c->st.inserts++;
}

int cf_dns_cache_get(struct cf_dns_cache *c, const cf_addr *a, uint64_t now_us,
		     char *name, size_t cap)
{
	uint32_t home = cf_addr_hash(a, HASH_SEED) & c->mask;
	struct entry *s = find(c, a, home);
	size_t n;

	if (cap > 0)
		name[0] = '\0';
	if (s == NULL || s->expires_us <= now_us) {
		if (s != NULL)
			c->st.expired++;
		c->st.misses++;
		return 0;
	}
	c->st.hits++;
	if (cap > 0) {
		n = strnlen(s->name, cap - 1);
		memcpy(name, s->name, n);
		name[n] = '\0';
	}
	return 1;
}

void cf_dns_cache_get_stats(const struct cf_dns_cache *c,
			    struct cf_dns_cache_stats *st)
{
	*st = c->st;
}
