/*
 * policy-shadow.c - the linter's search for rules that never decide a
 * flow: the first rule that matches a flow decides it (policy.c,
 * cf_policy_eval), so a rule every one of whose flows an earlier rule
 * also matches is dead, whatever the actions.
 *
 * The test is exact for the two matchers that carve the flows into
 * classes, role and to: a flow has a set R of roles (any of the 32) and a
 * remote country (one of the 676 two-letter codes, or unknown).  For each
 * R the later rule matches, the earlier rules that match R and whose
 * other matchers (app, from, asn, host) take in all of the later rule's
 * must together cover its countries.  The other matchers are compared one
 * rule at a time, conservatively: "takes in" is claimed only when it
 * surely holds (the same apps or more, prefixes inside prefixes, a host
 * pattern the same or "*" plus a suffix the later one ends in), so a rule
 * is called dead only when it is.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "policy/rules.h"
#include "util/glob.h"
#include "util/role.h"

#define ROLE_SETS (CF_ROLE_ALL + 1u)   /* every subset of the roles */
_Static_assert(ROLE_SETS <= 32, "role sets must fit a uint32_t");

/* The countries a rule's "to" matches: known codes, and unknown. */
struct cset_u {
	struct cf_cset c;
	int unknown;
};

static void to_set(const struct cf_crule *r, struct cset_u *s)
{
	size_t i;

	if (!r->has_to) {
		memset(&s->c, 0xff, sizeof(s->c));
		s->unknown = 1;
	} else {
		s->c = r->to;
		s->unknown = r->to_unknown;
		if (r->to_neg) {
			for (i = 0; i < CF_CSET_WORDS; i++)
				s->c.w[i] = ~s->c.w[i];
			s->unknown = !s->unknown;
		}
	}
	/* no bits past the 676 codes */
	s->c.w[CF_CSET_WORDS - 1] &= ((uint64_t)1 << (CF_CSET_BITS % 64)) - 1;
}

static int cset_empty(const struct cset_u *s)
{
	size_t i;

	for (i = 0; i < CF_CSET_WORDS; i++)
		if (s->c.w[i] != 0)
			return 0;
	return !s->unknown;
}

static int cset_sub(const struct cset_u *a, const struct cset_u *b)
{
	size_t i;

	for (i = 0; i < CF_CSET_WORDS; i++)
		if (a->c.w[i] & ~b->c.w[i])
			return 0;
	return !a->unknown || b->unknown;
}

static int cset_meets(const struct cset_u *a, const struct cset_u *b)
{
	size_t i;

	for (i = 0; i < CF_CSET_WORDS; i++)
		if (a->c.w[i] & b->c.w[i])
			return 1;
	return a->unknown && b->unknown;
}

static void cset_add(struct cset_u *dst, const struct cset_u *src)
{
	cf_cset_union(&dst->c, &src->c);
	dst->unknown |= src->unknown;
}

/* Bit R set when the rule matches a flow whose roles are R. */
static uint32_t role_sets(const struct cf_crule *r)
{
	uint32_t m = 0, rs;

	if (r->roles == 0)
		return 0xffffffffu;
	for (rs = 0; rs < ROLE_SETS; rs++)
		if (rs & r->roles)
			m |= (uint32_t)1 << rs;
	return m;
}

/* Does every flow of rule b have an app of rule a? */
static int apps_in(const struct cf_crule *a, const struct cf_crule *b)
{
	size_t i, k;

	if (a->napps == 0)
		return 1;
	if (b->napps == 0)
		return 0;
	for (i = 0; i < b->napps; i++) {
		for (k = 0; k < a->napps; k++)
			if (strcasecmp(a->apps[k], b->apps[i]) == 0)
				break;
		if (k == a->napps)
			return 0;
	}
	return 1;
}

/* Is prefix x inside prefix y? */
static int prefix_in(const struct cf_prefix *x, const struct cf_prefix *y)
{
	return y->len <= x->len && cf_prefix_match(y, &x->addr);
}

/* Is every prefix of xs inside one of ys? */
static int prefixes_in(const struct cf_prefix *xs, size_t nx,
		       const struct cf_prefix *ys, size_t ny)
{
	size_t i, k;

	for (i = 0; i < nx; i++) {
		for (k = 0; k < ny && !prefix_in(&xs[i], &ys[k]); k++)
			;
		if (k == ny)
			return 0;
	}
	return 1;
}

/* Prefixes nest or are apart: is no prefix of xs in touch with ys? */
static int prefixes_apart(const struct cf_prefix *xs, size_t nx,
			  const struct cf_prefix *ys, size_t ny)
{
	size_t i, k;

	for (i = 0; i < nx; i++)
		for (k = 0; k < ny; k++)
			if (prefix_in(&xs[i], &ys[k]) ||
			    prefix_in(&ys[k], &xs[i]))
				return 0;
	return 1;
}

/* Does every flow of rule b have our end where rule a wants it? */
static int from_in(const struct cf_crule *a, const struct cf_crule *b)
{
	if (a->nfrom == 0)
		return 1;
	if (b->nfrom == 0 || (!a->from_neg && b->from_neg))
		return 0;
	if (!a->from_neg)
		return prefixes_in(b->from, b->nfrom, a->from, a->nfrom);
	if (b->from_neg)        /* not in B implies not in A: A inside B */
		return prefixes_in(a->from, a->nfrom, b->from, b->nfrom);
	return prefixes_apart(b->from, b->nfrom, a->from, a->nfrom);
}

static int asn_listed(const uint32_t *v, size_t n, uint32_t asn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == asn)
			return 1;
	return 0;
}

/* Is every number of xs in ys (all 1) or none (all 0)? */
static int asns_all(const uint32_t *xs, size_t nx, const uint32_t *ys,
		    size_t ny, int all)
{
	size_t i;

	for (i = 0; i < nx; i++)
		if (asn_listed(ys, ny, xs[i]) != all)
			return 0;
	return 1;
}

/* The same for the remote AS (unknown: in no list). */
static int asn_in(const struct cf_crule *a, const struct cf_crule *b)
{
	if (a->nasns == 0)
		return 1;
	if (b->nasns == 0 || (!a->asn_neg && b->asn_neg))
		return 0;
	if (!a->asn_neg)
		return asns_all(b->asns, b->nasns, a->asns, a->nasns, 1);
	if (b->asn_neg)
		return asns_all(a->asns, a->nasns, b->asns, b->nasns, 1);
	return asns_all(b->asns, b->nasns, a->asns, a->nasns, 0);
}

/* Does every host pattern y matches also match pattern x?  Sure cases
 * only: the same pattern, or x is '*' and a literal tail that y ends in. */
static int glob_covers(const char *x, const char *y)
{
	size_t lx, ly, i;

	if (strcasecmp(x, y) == 0)
		return 1;
	if (x[0] != '*' || strpbrk(x + 1, "*?[]\\") != NULL)
		return 0;
	lx = strlen(x + 1);
	ly = strlen(y);
	if (ly < lx)
		return 0;
	for (i = ly - lx; i < ly; i++)
		if (strchr("*?[]\\", y[i]) != NULL)
			return 0;
	/* y ends in lx literal bytes: an escaped one is literal too */
	return strcasecmp(y + ly - lx, x + 1) == 0 &&
	       (lx > 0 || y[0] != '\0');
}

static int host_in(const struct cf_crule *a, const struct cf_crule *b)
{
	size_t i, k;

	if (a->nhosts == 0)
		return 1;
	if (b->nhosts == 0)
		return 0;
	for (i = 0; i < b->nhosts; i++) {
		for (k = 0; k < a->nhosts; k++)
			if (glob_covers(a->hosts[k], b->hosts[i]))
				break;
		if (k == a->nhosts)
			return 0;
	}
	return 1;
}

static const char *action_text(const struct cf_rule_info *ri, char *buf,
			       size_t len)
{
	if (ri->action == CF_ACT_PASS)
		return "pass";
	snprintf(buf, len, "alert %s", cf_severity_name(ri->severity));
	return buf;
}

/* "rule 'ID' (FILE:LINE, ACTION)" of rule i, in buf. */
static const char *rule_text(const struct cf_policy *p, size_t i, char *buf,
			     size_t len)
{
	const struct cf_rule_info *ri = &p->rules[i].info;
	char act[32];

	snprintf(buf, len, "'%s' (%s:%d, %s)", ri->id, ri->file, ri->line,
		 action_text(ri, act, sizeof(act)));
	return buf;
}

static void warn_dead(struct rp_lint *l, size_t j, const size_t *by,
		      size_t nby)
{
	const struct cf_crule *r = &l->p->rules[j];
	char a[300], b[300];
	int col = r->where ? r->where->col : 1;

	if (nby == 1)
		rp_lint_warn(l, r->info.file, r->info.line, col,
			     "rule '%s' never decides a flow: rule %s above "
			     "matches every flow it matches", r->info.id,
			     rule_text(l->p, by[0], a, sizeof(a)));
	else if (nby == 2)
		rp_lint_warn(l, r->info.file, r->info.line, col,
			     "rule '%s' never decides a flow: rules %s and %s "
			     "above match every flow it matches", r->info.id,
			     rule_text(l->p, by[0], a, sizeof(a)),
			     rule_text(l->p, by[1], b, sizeof(b)));
	else
		rp_lint_warn(l, r->info.file, r->info.line, col,
			     "rule '%s' never decides a flow: rules %s, %s and "
			     "%zu more above match every flow it matches",
			     r->info.id, rule_text(l->p, by[0], a, sizeof(a)),
			     rule_text(l->p, by[1], b, sizeof(b)), nby - 2);
}

void rp_lint_shadow(struct rp_lint *l, size_t j)
{
	const struct cf_policy *p = l->p;
	const struct cf_crule *r = &p->rules[j];
	struct cset_u sj, si, u;
	uint32_t rj = role_sets(r), ri;
	size_t *cand, nc = 0, nby = 0, i, k;
	unsigned rs;
	int covered = 1;

	to_set(r, &sj);
	if (cset_empty(&sj)) {
		rp_lint_warn(l, r->info.file, r->info.line,
			     r->where ? r->where->col : 1,
			     "rule '%s' never matches: its 'to' set takes in "
			     "no country and not unknown", r->info.id);
		return;
	}
	if (j == 0)
		return;
	cand = malloc(j * sizeof(*cand));
	if (cand == NULL)
		return;
	for (i = 0; i < j; i++) {
		const struct cf_crule *e = &p->rules[i];

		if ((role_sets(e) & rj) != 0 && apps_in(e, r) &&
		    from_in(e, r) && asn_in(e, r) && host_in(e, r))
			cand[nc++] = i;
	}
	for (rs = 0; rs < ROLE_SETS && covered && nc > 0; rs++) {
		if (!(rj & ((uint32_t)1 << rs)))
			continue;
		memset(&u, 0, sizeof(u));
		for (k = 0; k < nc && !cset_sub(&sj, &u); k++) {
			ri = role_sets(&p->rules[cand[k]]);
			if (!(ri & ((uint32_t)1 << rs)))
				continue;
			to_set(&p->rules[cand[k]], &si);
			cset_add(&u, &si);
		}
		covered = cset_sub(&sj, &u);
	}
	if (nc > 0 && covered) {
		/* the first rule above that alone matches all its flows, else
		 * those that decide some of them */
		for (k = 0; k < nc; k++) {
			to_set(&p->rules[cand[k]], &si);
			if ((rj & ~role_sets(&p->rules[cand[k]])) == 0 &&
			    cset_sub(&sj, &si)) {
				warn_dead(l, j, &cand[k], 1);
				free(cand);
				return;
			}
		}
		for (k = 0; k < nc; k++) {
			to_set(&p->rules[cand[k]], &si);
			if (cset_meets(&si, &sj))
				cand[nby++] = cand[k];
		}
		warn_dead(l, j, cand, nby);
	}
	free(cand);
}
