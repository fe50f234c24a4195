/*
 * catalog-net.c - the catalog's address look-up: the first net line, in
 * file order, with a prefix holding an address (and, with ports=, the
 * port), found without walking the lines.
 *
 * The index (cat_build_nets, once after parsing): every prefix turned into
 * an address range; the ranges' ends cut the address space into
 * elementary intervals, each carrying the sorted list of lines whose
 * prefixes cover it (CIDR prefixes nest or are disjoint, so a sweep with a
 * stack builds the lists).  A look-up is a binary search and, usually,
 * one line to check for ports=.  The plain scan stays as
 * cf_catalog_ref_match_addr: the tests hold the index to it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "classify/catalog-int.h"
#include "util/netaddr.h"

static struct u128 key_of(const cf_addr *a)
{
	struct u128 k = { 0, 0 };
	int i;

	for (i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | a->b[i];
		k.lo = k.lo << 8 | a->b[8 + i];
	}
	return k;
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* The last address of a prefix: the host bits set. */
static struct u128 range_end(struct u128 lo, unsigned len)
{
	struct u128 m;

	m.hi = len >= 64 ? 0 : (len == 0 ? ~0ull : ~0ull >> len);
	m.lo = len >= 128 ? 0 : (len <= 64 ? ~0ull : ~0ull >> (len - 64));
	lo.hi |= m.hi;
	lo.lo |= m.lo;
	return lo;
}

static struct u128 range_start(struct u128 k, unsigned len)
{
	struct u128 e = range_end((struct u128){ 0, 0 }, len);

	k.hi &= ~e.hi;
	k.lo &= ~e.lo;
	return k;
}

struct net_range {
	struct u128 start, end;   /* inclusive */
	unsigned len;
	uint32_t entry;
};

static int range_order(const void *a, const void *b)
{
	const struct net_range *x = a, *y = b;
	int r = u128_cmp(x->start, y->start);

	if (r != 0)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->entry > y->entry) - (x->entry < y->entry);
}

static int cut_order(const void *a, const void *b)
{
	return u128_cmp(*(const struct u128 *)a, *(const struct u128 *)b);
}

static int u32_order(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Interval i's lines: the distinct lines of the open ranges, ascending. */
static size_t stack_lines(const struct net_range *r, const uint32_t *stack,
			  size_t depth, uint32_t *out)
{
	size_t i, n = 0, k = 0;

	for (i = 0; i < depth; i++)
		out[n++] = r[stack[i]].entry;
	qsort(out, n, sizeof(*out), u32_order);
	for (i = 0; i < n; i++)
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

static int sweep(struct cf_catalog *c, struct net_range *r, size_t nr)
{
	uint32_t *stack = calloc(nr ? nr : 1, sizeof(*stack));
	size_t cap = 16, used = 0, depth = 0, ri = 0, k;
	uint32_t *pool = malloc(cap * sizeof(*pool)), *np;

	if (stack == NULL || pool == NULL)
		goto fail;
	for (k = 0; k < c->n_cut; k++) {
		while (depth > 0 && u128_cmp(r[stack[depth - 1]].end, c->cut[k]) < 0)
			depth--;
		while (ri < nr && u128_cmp(r[ri].start, c->cut[k]) == 0)
			stack[depth++] = (uint32_t)ri++;
		if (used + depth > cap) {
			while (used + depth > cap)
				cap *= 2;
			np = realloc(pool, cap * sizeof(*pool));
			if (np == NULL)
				goto fail;
			pool = np;
		}
		c->iv_off[k] = (uint32_t)used;
		c->iv_len[k] = (uint32_t)stack_lines(r, stack, depth, pool + used);
		used += c->iv_len[k];
	}
	free(stack);
	c->pool = pool;
	return 0;
fail:
	free(stack);
	free(pool);
	return -1;
}

int cat_build_nets(struct cf_catalog *c)
{
	struct net_range *r;
	size_t nr = 0, i, j, k = 0;
	const struct cf_prefix *p;
	int ret = -1;

	for (i = 0; i < c->n; i++)
		if (c->e[i].kind == CF_CAT_NET)
			nr += c->e[i].n_nets;
	r = calloc(nr ? nr : 1, sizeof(*r));
	c->cut = calloc(2 * nr + 1, sizeof(*c->cut));
	c->iv_off = calloc(2 * nr + 1, sizeof(*c->iv_off));
	c->iv_len = calloc(2 * nr + 1, sizeof(*c->iv_len));
	if (r == NULL || c->cut == NULL || c->iv_off == NULL || c->iv_len == NULL)
		goto out;
	for (i = 0; i < c->n; i++) {
		if (c->e[i].kind != CF_CAT_NET)
			continue;
		for (j = 0; j < c->e[i].n_nets; j++, k++) {
			p = &c->e[i].nets[j];
			r[k].len = p->len;
			r[k].start = range_start(key_of(&p->addr), p->len);
			r[k].end = range_end(r[k].start, p->len);
			r[k].entry = (uint32_t)i;
		}
	}
	qsort(r, nr, sizeof(*r), range_order);
	/* cuts: where a range starts, and just past where one ends */
	for (i = 0, k = 0; i < nr; i++) {
		c->cut[k++] = r[i].start;
		if (r[i].end.hi != ~0ull || r[i].end.lo != ~0ull) {
			c->cut[k] = r[i].end;
			if (++c->cut[k].lo == 0)
				c->cut[k].hi++;
			k++;
		}
	}
	qsort(c->cut, k, sizeof(*c->cut), cut_order);
	for (i = 0, j = 0; i < k; i++)
		if (j == 0 || u128_cmp(c->cut[j - 1], c->cut[i]) != 0)
			c->cut[j++] = c->cut[i];
	c->n_cut = (uint32_t)j;
	ret = sweep(c, r, nr);
out:
	free(r);
	return ret;
}

int cf_catalog_ref_match_addr(const struct cf_catalog *c, const cf_addr *a,
			      uint8_t proto, uint16_t port, struct cf_cat_match *m)
{
	const struct cat_entry *e;
	size_t i, j;

	for (i = 0; c != NULL && i < c->n; i++) {
		e = &c->e[i];
		if (e->kind != CF_CAT_NET ||
		    (e->n_ports > 0 && !cat_port_in(e->ports, e->n_ports, proto, port)))
			continue;
		for (j = 0; j < e->n_nets; j++)
			if (cf_prefix_match(&e->nets[j], a)) {
				cat_fill(e, m);
				return 1;
			}
	}
	return 0;
}

int cf_catalog_match_addr(const struct cf_catalog *c, const cf_addr *a,
			  uint8_t proto, uint16_t port, struct cf_cat_match *m)
{
	struct u128 k;
	uint32_t lo = 0, hi, mid, i;
	const struct cat_entry *e;

	if (c == NULL || c->n_cut == 0)
		return 0;
	k = key_of(a);
	hi = c->n_cut;
	/* the last cut at or below k */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (u128_cmp(c->cut[mid], k) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	if (u128_cmp(c->cut[lo], k) > 0)
		return 0;
	for (i = 0; i < c->iv_len[lo]; i++) {
		e = &c->e[c->pool[c->iv_off[lo] + i]];
		if (e->n_ports == 0 || cat_port_in(e->ports, e->n_ports, proto, port)) {
			cat_fill(e, m);
			return 1;
		}
	}
	return 0;
}
