/*
 * policy-shadow.c - the linter's search for rules that never decide a
 * flow: the first rule that matches a flow decides it (policy.c,
 * cf_policy_eval), so a rule every one of whose flows an earlier rule
 * also matches is dead, whatever the actions.
 *
 * The test is exact for the two matchers that carve the flows into
 * classes, role and to: a flow has a set of roles (none, or any of the
 * 31 others) and a remote country (one of the 676 two-letter codes, or
 * unknown).  For each set of roles the later rule matches, the earlier
 * rules that match it and whose other matchers (app, from, asn, host)
 * take in all of the later rule's must together cover its countries (the
 * sets of one role, and the empty one, are enough to look at: a rule that
 * matches {b} matches every set holding b).  The other matchers are
 * compared one rule at a time, conservatively: "takes in" is claimed only
 * when it surely holds (the same apps or more, prefixes inside prefixes,
 * a host pattern the same or "*" plus a literal tail the later one ends
 * in), so a rule is called dead only when it is: tests/unit/
 * test-rules-lint.c checks that against the evaluator.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "policy/rules.h"
#include "util/glob.h"
#include "util/role.h"


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

/* Does the rule match a flow whose roles are exactly rs (0: none)? */
static int roles_match(const struct cf_crule *r, unsigned rs)
{
	return r->roles == 0 || (r->roles & rs) != 0;
}

/*
 * The role sets that decide whether rule j is covered: a rule that
 * matches the roles {b} matches every set holding b, so covering the
 * flows with one role each (and those with none, when j matches them)
 * covers them all.  At most CF_ROLE_RANKS + 1 sets into rs[].
 */
static size_t key_role_sets(const struct cf_crule *j, unsigned *rs)
{
	unsigned bit, want = j->roles ? j->roles : CF_ROLE_ALL;
	size_t n = 0;

	if (j->roles == 0)
		rs[n++] = 0;
	for (bit = 1; bit & CF_ROLE_ALL; bit <<= 1)
		if (want & bit)
			rs[n++] = bit;
	return n;
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

/*
 * The matchers this file weighs are those of struct cf_crule below.  A
 * matcher it did not weigh would make an earlier rule look wider than it
 * is, and a live rule be called dead: the copy breaks the build when
 * cf_crule grows or moves (not for a lone int put in a padding hole,
 * which is why rules.h says so at cf_crule too), so that takes_in()
 * learns the new matcher.
 */
struct crule_known {
	struct cf_rule_info info;
	unsigned roles;
	const char **apps;
	size_t napps;
	const struct rp_where *where;
	int has_to, to_neg, to_unknown;
	struct cf_cset to;
	const struct cf_prefix *from;
	size_t nfrom;
	int from_neg;
	const uint32_t *asns;
	size_t nasns;
	int asn_neg;
	int has_op, op_neg;
	const uint32_t *op_asns;
	size_t nop_asns;
	const char **op_names;
	size_t nop_names;
	const char **hosts;
	size_t nhosts;
	const char *app_text, *role_text, *from_text, *asn_text, *host_text;
	const char *op_text;
	int has_geo, geo_neg, has_reach, reach_neg;
	unsigned geo_mask;
	struct cf_cset reach;
	const char *geo_text, *reach_text;
};
#define SAME_AT(m) (offsetof(struct crule_known, m) == \
		    offsetof(struct cf_crule, m))
_Static_assert(sizeof(struct crule_known) == sizeof(struct cf_crule) &&
	       SAME_AT(apps) && SAME_AT(to) && SAME_AT(from) &&
	       SAME_AT(asns) && SAME_AT(has_op) && SAME_AT(op_names) &&
	       SAME_AT(hosts) && SAME_AT(host_text) && SAME_AT(op_text) &&
	       SAME_AT(geo_mask) && SAME_AT(reach) && SAME_AT(reach_text),
	       "struct cf_crule changed: teach takes_in() (policy-shadow.c) "
	       "the new matcher, then update struct crule_known");

/* Does e's operator list match every remote end r's does?  Sure cases
 * only: e names none, or both name the same list the same way. */
static int op_in(const struct cf_crule *e, const struct cf_crule *r)
{
	if (!e->has_op)
		return 1;
	return r->has_op && e->op_neg == r->op_neg && e->op_text != NULL &&
	       r->op_text != NULL && strcmp(e->op_text, r->op_text) == 0;
}

/* The same for geo and reachable: e names none, or r the same text. */
static int geo_in(const struct cf_crule *e, const struct cf_crule *r)
{
	if (e->has_geo && !(r->has_geo && e->geo_neg == r->geo_neg &&
			    e->geo_mask == r->geo_mask))
		return 0;
	return !e->has_reach || (r->has_reach && r->reach_text != NULL &&
				 e->reach_text != NULL &&
				 strcmp(e->reach_text, r->reach_text) == 0);
}

/* Does rule e match every flow of rule r as far as app, from, asn,
 * operator, geo, reachable and host go, and some flow of r's roles? */
static int takes_in(const struct cf_crule *e, const struct cf_crule *r)
{
	return (e->roles == 0 || r->roles == 0 || (e->roles & r->roles)) &&
	       apps_in(e, r) && from_in(e, r) && asn_in(e, r) && op_in(e, r) &&
	       geo_in(e, r) && host_in(e, r);
}

/* Do the candidate rules together match every flow of rule r? */
static int covered(const struct cf_policy *p, const struct cf_crule *r,
		   const struct cset_u *sr, const size_t *cand, size_t nc)
{
	unsigned rs[CF_ROLE_RANKS + 1];
	struct cset_u u, si;
	size_t nrs = key_role_sets(r, rs), m, k;

	for (m = 0; m < nrs; m++) {
		memset(&u, 0, sizeof(u));
		for (k = 0; k < nc && !cset_sub(sr, &u); k++) {
			if (!roles_match(&p->rules[cand[k]], rs[m]))
				continue;
			to_set(&p->rules[cand[k]], &si);
			cset_add(&u, &si);
		}
		if (!cset_sub(sr, &u))
			return 0;
	}
	return 1;
}

/* The first candidate that alone matches every flow of rule r, or nc. */
static size_t alone(const struct cf_policy *p, const struct cf_crule *r,
		    const struct cset_u *sr, const size_t *cand, size_t nc)
{
	struct cset_u si;
	size_t k;

	for (k = 0; k < nc; k++) {
		const struct cf_crule *e = &p->rules[cand[k]];

		to_set(e, &si);
		if ((e->roles == 0 || (r->roles != 0 &&
				       (r->roles & ~e->roles) == 0)) &&
		    cset_sub(sr, &si))
			return k;
	}
	return nc;
}

void rp_lint_shadow(struct rp_lint *l, size_t j)
{
	const struct cf_policy *p = l->p;
	const struct cf_crule *r = &p->rules[j];
	struct cset_u sj, si;
	size_t *cand, nc = 0, nby = 0, i, k;

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
	for (i = 0; i < j; i++)
		if (takes_in(&p->rules[i], r))
			cand[nc++] = i;
	if (nc > 0 && covered(p, r, &sj, cand, nc)) {
		/* the first rule above that alone matches all its flows, else
		 * those above that decide some of them */
		k = alone(p, r, &sj, cand, nc);
		if (k < nc) {
			warn_dead(l, j, &cand[k], 1);
		} else {
			for (k = 0; k < nc; k++) {
				to_set(&p->rules[cand[k]], &si);
				if (cset_meets(&si, &sj))
					cand[nby++] = cand[k];
			}
			warn_dead(l, j, cand, nby);
		}
	}
	free(cand);
}
