/*
 * rules-geo.c - the speed-of-light matchers of callfence.rules(5)
 * (docs/geography.md): what the round trip to the remote end says of the
 * database's country.
 *
 *   geo [!]VERDICT[,VERDICT...]    VERDICT: consistent, unlikely, impossible,
 *                                  unknown
 *                                  (the check of the remote end's country
 *                                  against its smallest RTT)
 *   reachable [!]SET               SET: country codes and jurisdictions, as
 *                                  for "to" (unknown not allowed); matches
 *                                  when some country of SET is within
 *                                  light's reach of the observer in the
 *                                  remote end's smallest RTT ("could be
 *                                  in"), with '!' when none is
 *
 * Without an observer location or an RTT the verdict is unknown and
 * "reachable" matches nothing, negated or not: it cannot say.  Matching
 * allocates nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/plausible.h"
#include "policy/rules.h"

/* by enum cf_plaus_verdict */
static const char *const verdicts[CF_PLAUS_VERDICTS] = {
	"unknown", "consistent", "impossible", "unlikely"
};

int rp_geo_match(const struct cf_crule *r, unsigned verdict)
{
	int in = verdict < CF_PLAUS_VERDICTS && (r->geo_mask >> verdict) & 1;

	return in != r->geo_neg;
}

int rp_reach_match(const struct cf_crule *r, const struct cf_plaus *p, int64_t rtt_us)
{
	const char *cc;
	size_t i;
	int in = 0, idx;

	if (p == NULL || rtt_us < 0)
		return 0;
	for (i = 0; !in && (cc = cf_plaus_nearest(p, i, rtt_us)) != NULL; i++)
		in = (idx = cf_cset_index(cc)) >= 0 && cf_cset_has(&r->reach, idx);
	return in != r->reach_neg;
}

int rp_geo(struct rp_ctx *c, const struct rl_tok *kw, struct cf_crule *r)
{
	const struct rl_tok **items;
	int n, neg, i, v;

	n = rp_list(c, kw, "consistent, unlikely, impossible or unknown", 0, 1, &neg, &items);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		for (v = 0; v < CF_PLAUS_VERDICTS && strcmp(items[i]->text, verdicts[v]) != 0; v++)
			;
		if (v == CF_PLAUS_VERDICTS) {
			rp_error(c, items[i], "unknown geo verdict '%s' (expected "
				 "consistent, unlikely, impossible or unknown)", items[i]->text);
			free(items);
			return -1;
		}
		r->geo_mask |= 1u << v;
	}
	r->has_geo = 1;
	r->geo_neg = neg;
	r->geo_text = rp_join(c, items, n, neg);
	free(items);
	return r->geo_text ? 0 : rp_error(c, kw, "out of memory");
}

int rp_reachable(struct rp_ctx *c, const struct rl_tok *kw, struct cf_crule *r)
{
	const struct rl_tok **items;
	int n, neg, i, unknown = 0;

	n = rp_list(c, kw, "a country code or jurisdiction", 1, 1, &neg, &items);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(items[i]->text, "unknown") == 0)
			rp_error(c, items[i], "'unknown' has no place after 'reachable' "
				 "(it lists countries that light could reach; geo unknown "
				 "matches a remote end without a round trip)");
		else if (rp_country_item(c, items[i], 0, &r->reach, &unknown) == 0)
			continue;
		free(items);
		return -1;
	}
	r->has_reach = 1;
	r->reach_neg = neg;
	r->reach_text = rp_join(c, items, n, neg);
	free(items);
	return r->reach_text ? 0 : rp_error(c, kw, "out of memory");
}
