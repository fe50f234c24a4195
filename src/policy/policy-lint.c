/*
 * policy-lint.c - the linter of callfence --check-rules (policy.h,
 * cf_policy_lint) and what the compiler keeps for it: where each file was
 * included from, where each rule and its app names stand, and the
 * near-miss suggestions ("did you mean 'EEA'?") of the compiler's own
 * errors and of the linter's warnings.
 *
 * The compiler stops at the first error; the linter runs on a policy that
 * compiled and only warns.  It checks that the app names of the rules are
 * names a flow's app can take, and (policy-shadow.c) that every rule can
 * decide some flow the rules above it leave undecided.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "policy/rules.h"

/* Words longer than this get no suggestion. */
#define NEAR_MAX_LEN 64

/* Near misses. */

static int fold(int ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance, one row of the matrix at a time. */
unsigned rp_edit_distance(const char *a, const char *b, unsigned limit)
{
	unsigned r0[NEAR_MAX_LEN + 1], r1[NEAR_MAX_LEN + 1],
		 r2[NEAR_MAX_LEN + 1];
	unsigned *pp = r0, *prev = r1, *cur = r2, *t, cost, lo;
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > NEAR_MAX_LEN || lb > NEAR_MAX_LEN ||
	    (la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		lo = cur[0];
		for (j = 1; j <= lb; j++) {
			int ai = fold((unsigned char)a[i - 1]);
			int bj = fold((unsigned char)b[j - 1]);

			cost = ai != bj;
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1,
				      prev[j - 1] + cost);
			if (i > 1 && j > 1 &&
			    ai == fold((unsigned char)b[j - 2]) &&
			    bj == fold((unsigned char)a[i - 2]) &&
			    pp[j - 2] + 1 < cur[j])
				cur[j] = pp[j - 2] + 1;
			if (cur[j] < lo)
				lo = cur[j];
		}
		if (lo > limit)
			return limit + 1;
		t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] > limit ? limit + 1 : prev[lb];
}

/* How far a word may be from a name to be a near miss of it: short words
 * have too many neighbours to guess from (only a difference of case). */
static unsigned near_limit(const char *w)
{
	size_t n = strlen(w);

	if (n <= 2)
		return 0;
	if (n <= 5)
		return 1;
	if (n <= 8)
		return 2;
	return 3;
}

void rp_near_init(struct rp_near *nr, const char *word)
{
	memset(nr, 0, sizeof(*nr));
	nr->word = word;
	nr->best = ~0u;
}

void rp_near_try(struct rp_near *nr, const char *cand)
{
	unsigned lim = near_limit(nr->word), d;
	size_t i;

	if (cand == NULL || strcmp(cand, nr->word) == 0)
		return;
	d = rp_edit_distance(nr->word, cand, lim);
	if (d > lim || d > nr->best)
		return;
	if (d < nr->best) {
		nr->best = d;
		nr->n = nr->more = 0;
	}
	for (i = 0; i < nr->n; i++)
		if (strcmp(nr->names[i], cand) == 0)
			return;
	if (nr->n < sizeof(nr->names) / sizeof(nr->names[0]))
		nr->names[nr->n++] = cand;
	else
		nr->more++;
}

const char *rp_near_text(const struct rp_near *nr, char *buf, size_t len)
{
	size_t i, off = 0;
	int k;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (nr->n == 0)
		return buf;
	for (i = 0; i < nr->n && off < len; i++) {
		k = snprintf(buf + off, len - off, "%s'%s'",
			     i == 0 ? "; did you mean " :
			     i + 1 == nr->n && nr->more == 0 ? " or " : ", ",
			     nr->names[i]);
		if (k < 0)
			break;
		off += (size_t)k;
	}
	if (off < len)
		snprintf(buf + off, len - off, "%s?",
			 nr->more > 0 ? ", ..." : "");
	return buf;
}

/* What the compiler keeps for the linter. */

int rp_note_file(struct rp_ctx *c, const struct rl_tok *at)
{
	struct cf_policy *p = c->p;
	struct rp_incl *in;
	size_t i, k = p->nfiles - 1;

	if (cf_grow(&p->incl, &p->capincl, p->nfiles, sizeof(*p->incl)) < 0)
		return rp_error(c, at, "out of memory");
	in = &p->incl[k];
	in->parent = -1;
	in->line = at->line;
	in->col = at->col;
	for (i = 0; at->line > 0 && i < k; i++)
		if (p->files[i] == c->path)
			in->parent = (int)i;
	return 0;
}

int rp_note_rule(struct rp_ctx *c)
{
	struct cf_crule *r = &c->p->rules[c->p->nrules - 1];
	struct rp_where *w;
	size_t i, n = 0;

	w = cf_policy_alloc(c->p, sizeof(*w) + r->napps * sizeof(w->app[0]));
	if (w == NULL)
		return rp_error(c, c->tok, "out of memory");
	w->col = c->tok[0].col;
	/* "app" is a word only as the matcher: items stop at matcher words,
	 * and ids, severities and strings cannot be one. */
	for (i = 1; i < c->ntok && c->tok[i].type != RL_END; i++)
		if (c->tok[i].type == RL_WORD &&
		    strcmp(c->tok[i].text, "app") == 0)
			break;
	for (i++; i < c->ntok && n < r->napps; i += 2) {
		if (c->tok[i].type != RL_WORD)
			break;
		w->app[n].line = c->tok[i].line;
		w->app[n++].col = c->tok[i].col;
		if (i + 1 >= c->ntok || c->tok[i + 1].type != RL_COMMA)
			break;
	}
	for (; n < r->napps; n++) {     /* not expected: the rule's start */
		w->app[n].line = r->info.line;
		w->app[n].col = w->col;
	}
	w->napp = r->napps;
	r->where = w;
	return 0;
}

int rp_include_done(struct rp_ctx *c, const struct rl_tok *at, int r)
{
	static const char cut[] = ", ...]";
	char add[300];
	size_t used;
	int n;

	if (r >= 0 || c->errlen == 0)
		return r;
	used = strlen(c->err);
	if (c->traced && used >= sizeof(cut) - 1 &&
	    strcmp(c->err + used - (sizeof(cut) - 1), cut) == 0)
		return r;               /* cut short already */
	if (c->traced && used > 0 && c->err[used - 1] == ']')
		used--;
	n = snprintf(add, sizeof(add), "%s%s:%d:%d]",
		     c->traced ? ", from " : " [in file included from ",
		     c->path, at->line, at->col);
	if (n > 0 && (size_t)n < sizeof(add) && used + (size_t)n < c->errlen)
		memcpy(c->err + used, add, (size_t)n + 1);
	else if (c->traced && used + sizeof(cut) <= c->errlen)
		memcpy(c->err + used, cut, sizeof(cut));
	c->traced = 1;
	return r;
}

/* The linter. */

/* The index of a file of the policy, -1 if it is none. */
static int file_index(const struct cf_policy *p, const char *file)
{
	size_t i;

	for (i = 0; i < p->nfiles; i++)
		if (p->files[i] == file)
			return (int)i;
	for (i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i], file) == 0)
			return (int)i;
	return -1;
}

/* " [in file included from A:1:9, from B:2:9]" for file, or "". */
static void include_chain(const struct cf_policy *p, const char *file,
			  char *buf, size_t len)
{
	int k = file_index(p, file), depth = 0, n;
	size_t off = 0;

	buf[0] = '\0';
	while (k >= 0 && p->incl != NULL && p->incl[k].parent >= 0 &&
	       depth++ <= CF_RULES_MAX_DEPTH && off < len) {
		const struct rp_incl *in = &p->incl[k];

		n = snprintf(buf + off, len - off, "%s%s:%d:%d",
			     off == 0 ? " [in file included from " : ", from ",
			     p->files[in->parent], in->line, in->col);
		if (n < 0)
			break;
		off += (size_t)n;
		k = in->parent;
	}
	if (off > 0 && off + 2 <= len)
		memcpy(buf + off, "]", 2);
	else if (off > 0)
		memcpy(buf + len - 5, "...]", 5);
}

void rp_lint_warn(struct rp_lint *l, const char *file, int line, int col,
		  const char *fmt, ...)
{
	char msg[1024], chain[512], out[1700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	include_chain(l->p, file, chain, sizeof(chain));
	snprintf(out, sizeof(out), "%s:%d:%d: warning: %s%s", file, line, col,
		 msg, chain);
	l->warn(l->ctx, out);
	l->count++;
}

static int known_app(const char *const *apps, size_t napps, const char *a)
{
	size_t i;

	for (i = 0; i < napps; i++)
		if (apps[i] != NULL && strcasecmp(apps[i], a) == 0)
			return 1;
	return 0;
}

static void lint_apps(struct rp_lint *l, const struct cf_crule *r,
		      const char *const *apps, size_t napps, const char *from)
{
	struct rp_near nr;
	char hint[200];
	size_t i, k;

	for (i = 0; i < r->napps; i++) {
		if (known_app(apps, napps, r->apps[i]))
			continue;
		rp_near_init(&nr, r->apps[i]);
		for (k = 0; k < napps; k++)
			rp_near_try(&nr, apps[k]);
		rp_lint_warn(l, r->info.file,
			     r->where && i < r->where->napp ?
			     r->where->app[i].line : r->info.line,
			     r->where && i < r->where->napp ?
			     r->where->app[i].col : 1,
			     "unknown app '%s' (not in %s nor a name callfence "
			     "gives itself): it matches no flow%s", r->apps[i],
			     from,
			     rp_near_text(&nr, hint, sizeof(hint)));
	}
}

unsigned cf_policy_lint(const struct cf_policy *p, const char *const *apps,
			size_t napps, const char *apps_from,
			cf_lint_warn_fn warn, void *ctx)
{
	struct rp_lint l = { p, warn, ctx, 0 };
	size_t j;

	for (j = 0; j < p->nrules; j++) {
		const struct cf_crule *r = &p->rules[j];

		if (apps != NULL)
			lint_apps(&l, r, apps, napps,
				  apps_from ? apps_from : "the app catalog");
		rp_lint_shadow(&l, j);
	}
	return l.count;
}
