/*
 * catalog-host.c - the catalog's host look-up: the first host line, in
 * file order, whose glob (util/glob.h) matches a server name, found
 * without walking the lines.
 *
 * The index (cat_build_hosts, once after parsing): exact names in a hash
 * table, "*.suffix" globs in a second hash table probed at every label
 * boundary of the name (walking the name from its end, so each suffix's
 * hash comes for free), and only the remaining globs ('?', inner '*')
 * scanned, each after a check of its literal tail.  The plain scan stays
 * as cf_catalog_ref_match_host: the tests hold the index to it.  A name's
 * one trailing dot is ignored; case is ignored.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/catalog-int.h"
#include "util/glob.h"
#include "util/hash.h"

static int lc(int ch)
{
	return tolower((unsigned char)ch);
}

/* FNV-1a over the lower-cased bytes, read from the last to the first: a
 * name's walk from its end meets every suffix's hash on the way. */
#define HASH_INIT CF_FNV32_BASIS
#define HASH_STEP(h, ch) cf_fnv32_step((h), (uint8_t)lc(ch))

static uint32_t rhash(const char *s, size_t n)
{
	uint32_t h = HASH_INIT;

	while (n > 0)
		h = HASH_STEP(h, s[--n]);
	return h;
}

/* Does lower-case pat (plen bytes) equal s (n bytes), ignoring case? */
static int eq_lc(const char *pat, size_t plen, const char *s, size_t n)
{
	size_t i;

	if (plen != n)
		return 0;
	for (i = 0; i < n; i++)
		if (pat[i] != lc(s[i]))
			return 0;
	return 1;
}

/* The first line (lowest entry) with this name: insert only new names,
 * lines being added in file order. */
static int nh_add(struct name_hash *h, const char *s, size_t len, uint32_t entry)
{
	uint32_t hash = rhash(s, len), i;
	struct name_item *it;

	for (i = hash & h->mask; h->slot[i] != 0; i = (i + 1) & h->mask) {
		it = &h->items[h->slot[i] - 1];
		if (it->hash == hash && eq_lc(it->s, it->len, s, len))
			return 0;
	}
	it = &h->items[h->n++];
	it->s = s;
	it->len = (uint32_t)len;
	it->hash = hash;
	it->entry = entry;
	h->slot[i] = h->n;
	return 0;
}

/* Entry of the name (n bytes of s, hash given), UINT32_MAX if none. */
static uint32_t nh_find(const struct name_hash *h, uint32_t hash, const char *s,
			size_t n)
{
	const struct name_item *it;
	uint32_t i;

	if (h->n == 0)
		return UINT32_MAX;
	for (i = hash & h->mask; h->slot[i] != 0; i = (i + 1) & h->mask) {
		it = &h->items[h->slot[i] - 1];
		if (it->hash == hash && eq_lc(it->s, it->len, s, n))
			return it->entry;
	}
	return UINT32_MAX;
}

static int nh_alloc(struct name_hash *h, size_t n)
{
	size_t size = 4;

	while (size < 2 * n + 2)
		size <<= 1;
	h->items = calloc(n ? n : 1, sizeof(*h->items));
	h->slot = calloc(size, sizeof(*h->slot));
	h->mask = (uint32_t)size - 1;
	return h->items == NULL || h->slot == NULL ? -1 : 0;
}

static int has_wild(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?')
			return 1;
	return 0;
}

int cat_build_hosts(struct cf_catalog *c)
{
	size_t i, j, n = 0, len;
	const char *pat;
	struct glob_item *g;

	for (i = 0; i < c->n; i++)
		if (c->e[i].kind == CF_CAT_HOST)
			n += c->e[i].n_names;
	if (nh_alloc(&c->exact, n) || nh_alloc(&c->suffix, n))
		return -1;
	c->globs = calloc(n ? n : 1, sizeof(*c->globs));
	if (c->globs == NULL)
		return -1;
	for (i = 0; i < c->n; i++) {
		if (c->e[i].kind != CF_CAT_HOST)
			continue;
		for (j = 0; j < c->e[i].n_names; j++) {
			pat = c->e[i].names[j];
			len = strlen(pat);
			if (!has_wild(pat, len)) {
				nh_add(&c->exact, pat, len, (uint32_t)i);
			} else if (len > 2 && pat[0] == '*' && pat[1] == '.' &&
				   !has_wild(pat + 2, len - 2)) {
				nh_add(&c->suffix, pat + 2, len - 2, (uint32_t)i);
			} else {
				g = &c->globs[c->n_globs++];
				g->pat = pat;
				g->entry = (uint32_t)i;
				g->tail = pat + len;
				while (g->tail > pat && g->tail[-1] != '*' &&
				       g->tail[-1] != '?')
					g->tail--;
				g->tail_len = (uint32_t)(pat + len - g->tail);
			}
		}
	}
	return 0;
}

int cf_catalog_ref_match_host(const struct cf_catalog *c, const char *host,
			      struct cf_cat_match *m)
{
	size_t i, j, len;

	if (c == NULL || host == NULL || *host == '\0')
		return 0;
	len = strlen(host);
	if (len > 1 && host[len - 1] == '.')
		len--;
	for (i = 0; i < c->n; i++) {
		if (c->e[i].kind != CF_CAT_HOST)
			continue;
		for (j = 0; j < c->e[i].n_names; j++)
			if (cf_glob_match_n(c->e[i].names[j], host, len)) {
				cat_fill(&c->e[i], m);
				return 1;
			}
	}
	return 0;
}

/* Does s (n bytes) end with the lower-case literal tail? */
static int ends_lc(const char *s, size_t n, const char *tail, size_t tlen)
{
	return tlen <= n && eq_lc(tail, tlen, s + n - tlen, tlen);
}

int cf_catalog_match_host(const struct cf_catalog *c, const char *host,
			  struct cf_cat_match *m)
{
	uint32_t best = UINT32_MAX, e, h = HASH_INIT, i;
	const struct glob_item *g;
	size_t len, j;

	if (c == NULL || host == NULL || *host == '\0')
		return 0;
	len = strlen(host);
	if (len > 1 && host[len - 1] == '.')
		len--;
	/* from the end: at each '.', the name after it is a suffix to try */
	for (j = len; j > 0; j--) {
		if (host[j - 1] == '.' && c->suffix.n > 0) {
			e = nh_find(&c->suffix, h, host + j, len - j);
			best = e < best ? e : best;
		}
		h = HASH_STEP(h, host[j - 1]);
	}
	e = nh_find(&c->exact, h, host, len);
	best = e < best ? e : best;
	for (i = 0; i < c->n_globs; i++) {
		g = &c->globs[i];
		if (g->entry >= best)
			break;          /* globs are in line order */
		if (ends_lc(host, len, g->tail, g->tail_len) &&
		    cf_glob_match_n(g->pat, host, len)) {
			best = g->entry;
			break;
		}
	}
	if (best == UINT32_MAX)
		return 0;
	cat_fill(&c->e[best], m);
	return 1;
}
