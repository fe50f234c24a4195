/*
 * intern.c - the intern table (intern.h): one refcounted copy of each
 * string held, in a chained hash table that doubles as it fills.
 *
 * The hash is seeded per process, so names crafted to share a chain are
 * a guess.  An entry is freed with its last reference.  A mutex guards the
 * table; it is only taken when a flow learns or drops a string (per flow,
 * never per packet).
 */
#define _GNU_SOURCE 1         /* adaptive mutexes */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/intern.h"
#include "util/names.h"
#include "util/netaddr.h"

#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
/* held for a table lookup at a time: spin a little before sleeping */
static pthread_mutex_t intern_mu = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
#else
static pthread_mutex_t intern_mu = PTHREAD_MUTEX_INITIALIZER;
#endif

struct istr {
	struct istr *next;              /* hash chain */
	uint64_t hash;
	uint32_t refs;
	uint32_t len;
	char s[];                       /* len bytes and a NUL */
};

static struct {
	struct istr **bucket;
	size_t n_buckets;               /* power of two */
	uint64_t seed;
	struct cf_intern_stats st;
} it;

#define INTERN_MIN_BUCKETS 1024

/* Eight bytes at a time through cf_mix64 (util/netaddr.h), from the seed. */
static uint64_t intern_hash(const char *s, size_t n)
{
	uint64_t h = it.seed ^ n, w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = cf_mix64(h ^ w);
	}
	w = 0;
	memcpy(&w, s, n);
	return cf_mix64(h ^ w ^ 0x5a);
}

/* Double the buckets (the first call makes them and draws the seed). */
static int intern_grow(void)
{
	size_t nb = it.n_buckets ? 2 * it.n_buckets : INTERN_MIN_BUCKETS, i;
	struct istr **b = calloc(nb, sizeof(*b)), *e, *next;

	if (b == NULL)
		return -1;
	if (it.seed == 0)
		it.seed = cf_mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
				(uint64_t)(uintptr_t)b) | 1;
	for (i = 0; i < it.n_buckets; i++)
		for (e = it.bucket[i]; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	free(it.bucket);
	it.st.bytes += (nb - it.n_buckets) * sizeof(*b);
	it.bucket = b;
	it.n_buckets = nb;
	return 0;
}

/* A new entry for s (n bytes, hash h) at the head of its chain. */
static struct istr *intern_add(const char *s, size_t n, uint64_t h)
{
	struct istr *e;

	if (it.st.entries >= it.n_buckets)
		intern_grow();  /* on failure the chains just get longer */
	e = malloc(sizeof(*e) + n + 1);
	if (e == NULL)
		return NULL;
	e->hash = h;
	e->refs = 0;
	e->len = (uint32_t)n;
	memcpy(e->s, s, n);
	e->s[n] = '\0';
	e->next = it.bucket[h & (it.n_buckets - 1)];
	it.bucket[h & (it.n_buckets - 1)] = e;
	it.st.bytes += sizeof(*e) + n + 1;
	if (++it.st.entries > it.st.peak)
		it.st.peak = it.st.entries;
	return e;
}

const char *cf_intern_get(const char *s, size_t n)
{
	struct istr *e = NULL;
	uint64_t h;

	pthread_mutex_lock(&intern_mu);
	if (it.n_buckets == 0 && intern_grow() < 0)
		goto out;
	h = intern_hash(s, n);
	for (e = it.bucket[h & (it.n_buckets - 1)]; e != NULL; e = e->next)
		if (e->hash == h && e->len == n && memcmp(e->s, s, n) == 0)
			break;
	if (e == NULL && (e = intern_add(s, n, h)) == NULL)
		goto out;
	e->refs++;
	it.st.refs++;
out:
	if (e == NULL)
		it.st.alloc_fail++;
	pthread_mutex_unlock(&intern_mu);
	return e ? e->s : NULL;
}

void cf_intern_put(const char *s)
{
	struct istr *e, **pp;

	if (s == NULL)
		return;
	e = (struct istr *)(void *)(s - offsetof(struct istr, s));
	pthread_mutex_lock(&intern_mu);
	it.st.refs--;
	if (--e->refs == 0) {
		for (pp = &it.bucket[e->hash & (it.n_buckets - 1)]; *pp != e;
		     pp = &(*pp)->next)
			;
		*pp = e->next;
		it.st.entries--;
		it.st.bytes -= sizeof(*e) + e->len + 1;
		free(e);
	}
	pthread_mutex_unlock(&intern_mu);
}

int cf_intern_set(const char **slot, const char *s, size_t n)
{
	const char *old = *slot, *nw = NULL;

	if (old != NULL && strlen(old) == n && memcmp(old, s, n) == 0)
		return 0;
	if (n > 0 && (nw = cf_intern_get(s, n)) == NULL) {
		*slot = NULL;
		cf_intern_put(old);
		return -1;
	}
	*slot = nw;
	cf_intern_put(old);
	return 0;
}

void cf_intern_get_stats(struct cf_intern_stats *st)
{
	pthread_mutex_lock(&intern_mu);
	*st = it.st;
	pthread_mutex_unlock(&intern_mu);
	st->names = cf_class_names_count();
}
