/*
 * catalog.c - load the app catalog and answer host/address/port/nDPI
 * lookups.
 *
 * One line per entry:  ID APP KIND PATTERN... [roles=R,R] [ports=P,P]
 *   KIND host   PATTERN is a name glob ("*.zoom.us"), case-insensitive
 *        net    PATTERN is an IP prefix; ports= limits it to some ports
 *        port   PATTERN is proto/port or proto/lo-hi ("udp/8801-8810")
 *        ndpi   PATTERN is an nDPI protocol name ("Zoom")
 *        call   no PATTERN: declares APP a call app
 * '#' starts a comment.  Errors are "file:line: message".
 *
 * Lookups answer "the first line in file order that matches" without
 * walking the lines: after parsing, indexes are built (build_index) -
 *   host: exact names in a hash table, "*.suffix" globs in a second hash
 *         table probed at every label boundary of the name (walking the
 *         name from its end, so each suffix's hash comes for free), and
 *         only the remaining globs ('?', inner '*') scanned, each after a
 *         check of its literal tail;
 *   net:  every prefix turned into an address range; the ranges' ends cut
 *         the address space into elementary intervals, each carrying the
 *         sorted list of lines whose prefixes cover it (CIDR prefixes nest
 *         or are disjoint, so a sweep with a stack builds the lists):
 *         a lookup is a binary search and, usually, one line to check for
 *         ports=;
 *   port, ndpi: the lines of that kind only.
 * The plain scans stay as cf_catalog_ref_match_host/addr: the tests hold
 * the indexes to them.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "classify/classify.h"
#include "util/hash.h"

#define CAT_LINE_MAX 4096
#define CAT_TOKENS_MAX 256
#define CAT_FILE_MAX (4u << 20)

struct cat_port {
	uint8_t proto;
	uint16_t lo, hi;
};

struct cat_entry {
	char id[CF_CAT_ID_LEN];
	char app[CF_APP_LEN];
	uint16_t app_nid;          /* app's id in the process-wide name table */
	enum cf_cat_kind kind;
	unsigned roles, line;
	size_t n_names, n_nets, n_ports;
	char **names;              /* host globs or nDPI names */
	struct cf_prefix *nets;
	struct cat_port *ports;    /* port lines: the ports; net lines: ports= */
};

/* A name in a host hash table (exact names, or the suffix of "*.suffix"). */
struct name_item {
	const char *s;             /* lower case, not owned */
	uint32_t len, hash, entry;
};

struct name_hash {
	struct name_item *items;
	uint32_t n;
	uint32_t *slot;            /* item + 1, 0 empty; power-of-two size */
	uint32_t mask;
};

/* A host glob that is neither exact nor "*.suffix": scanned. */
struct glob_item {
	const char *pat;
	const char *tail;          /* the literal run after the last wildcard */
	uint32_t tail_len, entry;
};

/* An address as a 128-bit number (big-endian halves). */
struct u128 {
	uint64_t hi, lo;
};

struct cf_catalog {
	struct cat_entry *e;
	size_t n, cap;
	/* indexes (build_index), read-only after loading */
	struct name_hash exact, suffix;
	struct glob_item *globs;   /* in line order */
	uint32_t n_globs;
	struct u128 *cut;          /* interval starts, ascending */
	uint32_t *iv_off, *iv_len; /* per interval: lines in pool[] */
	uint32_t *pool;            /* line numbers (entry indexes), ascending
				      within an interval */
	uint32_t n_cut;
	uint32_t *ports, n_ports;  /* port lines */
	uint32_t *ndpis, n_ndpis;  /* ndpi lines */
};

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	struct cf_catalog *cat;
};

static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
	return -1;
}

static void *grow(void *arr, size_t n, size_t size)
{
	return realloc(arr, (n + 1) * size);
}

/* --- pattern and option parsing ------------------------------------ */

static int valid_chars(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

static int parse_u16(const char *s, const char *end, uint16_t *v)
{
	unsigned long x = 0;

	if (s == end || end - s > 5)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		x = x * 10 + (unsigned long)(*s - '0');
	}
	if (x == 0 || x > 65535)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

/* "udp/8801-8810", "tcp/443" */
static int parse_port(const char *s, struct cat_port *out)
{
	const char *slash = strchr(s, '/'), *dash;

	if (slash == NULL)
		return -1;
	if (slash - s == 3 && strncmp(s, "udp", 3) == 0)
		out->proto = 17;
	else if (slash - s == 3 && strncmp(s, "tcp", 3) == 0)
		out->proto = 6;
	else
		return -1;
	dash = strchr(slash + 1, '-');
	if (dash == NULL) {
		if (parse_u16(slash + 1, slash + 1 + strlen(slash + 1), &out->lo))
			return -1;
		out->hi = out->lo;
		return 0;
	}
	if (parse_u16(slash + 1, dash, &out->lo) ||
	    parse_u16(dash + 1, dash + 1 + strlen(dash + 1), &out->hi))
		return -1;
	return out->lo <= out->hi ? 0 : -1;
}

static int add_port(struct parser *p, struct cat_entry *e, const char *tok)
{
	struct cat_port port;
	void *np;

	if (parse_port(tok, &port))
		return perr(p, "bad port '%s' (want udp/N, tcp/N or udp/N-M)", tok);
	np = grow(e->ports, e->n_ports, sizeof(*e->ports));
	if (np == NULL)
		return perr(p, "out of memory");
	e->ports = np;
	e->ports[e->n_ports++] = port;
	return 0;
}

static int add_name(struct parser *p, struct cat_entry *e, const char *tok)
{
	char *s, **nn;
	size_t i;

	if (e->kind == CF_CAT_HOST && !valid_chars(tok, ".-_*?"))
		return perr(p, "bad host pattern '%s'", tok);
	if (e->kind == CF_CAT_NDPI && !valid_chars(tok, "._-"))
		return perr(p, "bad nDPI protocol name '%s'", tok);
	s = strdup(tok);
	nn = grow(e->names, e->n_names, sizeof(*e->names));
	if (s == NULL || nn == NULL) {
		free(s);
		if (nn != NULL)
			e->names = nn;
		return perr(p, "out of memory");
	}
	for (i = 0; s[i]; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	e->names = nn;
	e->names[e->n_names++] = s;
	return 0;
}

static int add_net(struct parser *p, struct cat_entry *e, const char *tok)
{
	struct cf_prefix pfx;
	void *np;

	if (cf_prefix_parse(tok, &pfx))
		return perr(p, "bad IP prefix '%s'", tok);
	np = grow(e->nets, e->n_nets, sizeof(*e->nets));
	if (np == NULL)
		return perr(p, "out of memory");
	e->nets = np;
	e->nets[e->n_nets++] = pfx;
	return 0;
}

static int parse_roles(struct parser *p, struct cat_entry *e, const char *list)
{
	char buf[128], *tok, *save = NULL;
	unsigned r;

	if (strlen(list) >= sizeof(buf) || *list == '\0')
		return perr(p, "bad roles= list");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		r = cf_role_parse(tok);
		if (r == 0)
			return perr(p, "unknown role '%s' (key-exchange, media, "
				    "signaling, relay, web)", tok);
		e->roles |= r;
	}
	return e->roles ? 0 : perr(p, "bad roles= list");
}

static int parse_ports_opt(struct parser *p, struct cat_entry *e, const char *list)
{
	char buf[256], *tok, *save = NULL;

	if (e->kind != CF_CAT_NET)
		return perr(p, "ports= applies to net lines only");
	if (strlen(list) >= sizeof(buf) || *list == '\0')
		return perr(p, "bad ports= list");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (add_port(p, e, tok))
			return -1;
	return 0;
}

/* One PATTERN or option token. */
static int add_token(struct parser *p, struct cat_entry *e, const char *tok)
{
	if (strncmp(tok, "roles=", 6) == 0)
		return parse_roles(p, e, tok + 6);
	if (strncmp(tok, "ports=", 6) == 0)
		return parse_ports_opt(p, e, tok + 6);
	if (strchr(tok, '=') != NULL)
		return perr(p, "unknown option '%s'", tok);
	switch (e->kind) {
	case CF_CAT_HOST:
	case CF_CAT_NDPI:
		return add_name(p, e, tok);
	case CF_CAT_NET:
		return add_net(p, e, tok);
	case CF_CAT_PORT:
		return add_port(p, e, tok);
	default:
		return perr(p, "a call line takes no pattern ('%s')", tok);
	}
}

/* --- lines ---------------------------------------------------------- */

static int parse_kind(const char *s, enum cf_cat_kind *k)
{
	static const char *const names[] = { "host", "net", "port", "ndpi", "call" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum cf_cat_kind)(i + 1);
			return 0;
		}
	return -1;
}

static int check_head(struct parser *p, char **tok, size_t n)
{
	size_t i;

	if (n < 3)
		return perr(p, "want: ID APP KIND PATTERN... [roles=...]");
	if (strlen(tok[0]) >= CF_CAT_ID_LEN || !valid_chars(tok[0], "._-"))
		return perr(p, "bad id '%s'", tok[0]);
	if (strlen(tok[1]) >= CF_APP_LEN || !valid_chars(tok[1], "_-"))
		return perr(p, "bad app name '%s'", tok[1]);
	for (i = 0; tok[1][i]; i++)
		if (isupper((unsigned char)tok[1][i]))
			return perr(p, "app name '%s' must be lower case", tok[1]);
	for (i = 0; i < p->cat->n; i++)
		if (strcmp(p->cat->e[i].id, tok[0]) == 0)
			return perr(p, "duplicate id '%s' (first on line %u)",
				    tok[0], p->cat->e[i].line);
	return 0;
}

static int parse_line(struct parser *p, char **tok, size_t n)
{
	struct cf_catalog *cat = p->cat;
	struct cat_entry *e;
	size_t i;

	if (check_head(p, tok, n))
		return -1;
	if (cat->n == cat->cap) {
		void *ne = realloc(cat->e, (cat->cap * 2 + 16) * sizeof(*cat->e));

		if (ne == NULL)
			return perr(p, "out of memory");
		cat->e = ne;
		cat->cap = cat->cap * 2 + 16;
	}
	e = &cat->e[cat->n++];
	memset(e, 0, sizeof(*e));
	strcpy(e->id, tok[0]);
	strcpy(e->app, tok[1]);
	e->app_nid = cf_class_name_id(e->app, CF_APP_LEN, 0);
	e->line = p->line;
	if (parse_kind(tok[2], &e->kind))
		return perr(p, "unknown kind '%s' (host, net, port, ndpi, call)", tok[2]);
	for (i = 3; i < n; i++)
		if (add_token(p, e, tok[i]))
			return -1;
	if (e->kind != CF_CAT_CALL && e->n_names + e->n_nets +
	    (e->kind == CF_CAT_PORT ? e->n_ports : 0) == 0)
		return perr(p, "%s line without a pattern", tok[2]);
	return 0;
}

/* Split a line (comment removed) into whitespace-separated tokens. */
static size_t tokenize(char *s, char **tok, size_t max)
{
	size_t n = 0;
	char *hash = strchr(s, '#');

	if (hash != NULL)
		*hash = '\0';
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			*s++ = '\0';
		if (*s == '\0')
			break;
		if (n == max)
			return max + 1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
	}
	return n;
}

static int parse_text(struct parser *p, const char *text)
{
	char line[CAT_LINE_MAX], *tok[CAT_TOKENS_MAX];
	const char *nl;
	size_t len, n;

	for (p->line = 1; *text; p->line++, text = nl ? nl + 1 : text + len) {
		nl = strchr(text, '\n');
		len = nl ? (size_t)(nl - text) : strlen(text);
		if (len >= sizeof(line))
			return perr(p, "line longer than %d bytes", CAT_LINE_MAX - 1);
		memcpy(line, text, len);
		line[len] = '\0';
		n = tokenize(line, tok, CAT_TOKENS_MAX);
		if (n > CAT_TOKENS_MAX)
			return perr(p, "more than %d words", CAT_TOKENS_MAX);
		if (n > 0 && parse_line(p, tok, n))
			return -1;
		if (nl == NULL)
			break;
	}
	return 0;
}

/* --- indexes --------------------------------------------------------- */

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

static int build_hosts(struct cf_catalog *c)
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

static int build_nets(struct cf_catalog *c)
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

/* Lines of one kind, in file order. */
static int build_kind(const struct cf_catalog *c, enum cf_cat_kind kind,
		      uint32_t **out, uint32_t *n)
{
	size_t i;

	*out = calloc(c->n ? c->n : 1, sizeof(**out));
	if (*out == NULL)
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->e[i].kind == kind)
			(*out)[(*n)++] = (uint32_t)i;
	return 0;
}

static int build_index(struct cf_catalog *c)
{
	if (build_hosts(c) || build_nets(c) ||
	    build_kind(c, CF_CAT_PORT, &c->ports, &c->n_ports) ||
	    build_kind(c, CF_CAT_NDPI, &c->ndpis, &c->n_ndpis))
		return -1;
	return 0;
}

struct cf_catalog *cf_catalog_parse(const char *text, const char *name,
				    char *err, size_t errlen)
{
	struct parser p = { name, 0, err, errlen, NULL };

	p.cat = calloc(1, sizeof(*p.cat));
	if (p.cat == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	if (parse_text(&p, text)) {
		cf_catalog_free(p.cat);
		return NULL;
	}
	if (build_index(p.cat)) {
		snprintf(err, errlen, "%s: out of memory", name);
		cf_catalog_free(p.cat);
		return NULL;
	}
	return p.cat;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t n;

	if (fp == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CAT_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, CAT_FILE_MAX + 1, fp);
	if (ferror(fp) || n > CAT_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, ferror(fp) ?
			 strerror(errno) : "file larger than 4 MiB");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
		free(buf);
		return NULL;
	}
	return buf;
}

struct cf_catalog *cf_catalog_load(const char *path, char *err, size_t errlen)
{
	struct cf_catalog *c;
	char *text = read_file(path, err, errlen);

	if (text == NULL)
		return NULL;
	c = cf_catalog_parse(text, path, err, errlen);
	free(text);
	return c;
}

void cf_catalog_free(struct cf_catalog *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->e[i].n_names; j++)
			free(c->e[i].names[j]);
		free(c->e[i].names);
		free(c->e[i].nets);
		free(c->e[i].ports);
	}
	free(c->e);
	free(c->exact.items);
	free(c->exact.slot);
	free(c->suffix.items);
	free(c->suffix.slot);
	free(c->globs);
	free(c->cut);
	free(c->iv_off);
	free(c->iv_len);
	free(c->pool);
	free(c->ports);
	free(c->ndpis);
	free(c);
}

size_t cf_catalog_count(const struct cf_catalog *c)
{
	return c ? c->n : 0;
}

/* --- lookups -------------------------------------------------------- */

int cf_cat_glob(const char *pat, const char *s, size_t slen)
{
	const char *star = NULL;
	size_t i = 0, star_i = 0;

	while (i < slen) {
		if (*pat == '*') {
			star = ++pat;
			star_i = i;
		} else if (*pat != '\0' && (*pat == '?' ||
			   tolower((unsigned char)*pat) == tolower((unsigned char)s[i]))) {
			pat++;
			i++;
		} else if (star != NULL) {
			pat = star;
			i = ++star_i;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static void fill(const struct cat_entry *e, struct cf_cat_match *m)
{
	m->id = e->id;
	m->app = e->app;
	m->app_nid = e->app_nid;
	m->roles = e->roles;
	m->line = e->line;
	m->kind = e->kind;
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
			if (cf_cat_glob(c->e[i].names[j], host, len)) {
				fill(&c->e[i], m);
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
		    cf_cat_glob(g->pat, host, len)) {
			best = g->entry;
			break;
		}
	}
	if (best == UINT32_MAX)
		return 0;
	fill(&c->e[best], m);
	return 1;
}

static int port_in(const struct cat_port *ports, size_t n, uint8_t proto,
		   uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ports[i].proto == proto && port >= ports[i].lo &&
		    port <= ports[i].hi)
			return 1;
	return 0;
}

int cf_catalog_ref_match_addr(const struct cf_catalog *c, const cf_addr *a,
			      uint8_t proto, uint16_t port, struct cf_cat_match *m)
{
	const struct cat_entry *e;
	size_t i, j;

	for (i = 0; c != NULL && i < c->n; i++) {
		e = &c->e[i];
		if (e->kind != CF_CAT_NET ||
		    (e->n_ports > 0 && !port_in(e->ports, e->n_ports, proto, port)))
			continue;
		for (j = 0; j < e->n_nets; j++)
			if (cf_prefix_match(&e->nets[j], a)) {
				fill(e, m);
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
		if (e->n_ports == 0 || port_in(e->ports, e->n_ports, proto, port)) {
			fill(e, m);
			return 1;
		}
	}
	return 0;
}

int cf_catalog_match_port(const struct cf_catalog *c, uint8_t proto,
			  uint16_t port, struct cf_cat_match *m)
{
	const struct cat_entry *e;
	uint32_t i;

	for (i = 0; c != NULL && i < c->n_ports; i++) {
		e = &c->e[c->ports[i]];
		if (port_in(e->ports, e->n_ports, proto, port)) {
			fill(e, m);
			return 1;
		}
	}
	return 0;
}

int cf_catalog_match_ndpi(const struct cf_catalog *c, const char *name,
			  struct cf_cat_match *m)
{
	const struct cat_entry *e;
	uint32_t i;
	size_t j;

	if (c == NULL || name == NULL || *name == '\0')
		return 0;
	for (i = 0; i < c->n_ndpis; i++) {
		e = &c->e[c->ndpis[i]];
		for (j = 0; j < e->n_names; j++)
			if (strcasecmp(e->names[j], name) == 0) {
				fill(e, m);
				return 1;
			}
	}
	return 0;
}

int cf_catalog_is_call_app(const struct cf_catalog *c, const char *app)
{
	size_t i;

	for (i = 0; c != NULL && app != NULL && i < c->n; i++)
		if (strcmp(c->e[i].app, app) == 0)
			return 1;
	return 0;
}
