/*
 * event-geo.c - callfence.geo: the remote end's smallest round-trip time
 * and what the speed of light says of its database country (the engine's
 * check, geo/plausible.h), in alerts and flow records:
 *
 *   "geo": { "rtt_ms": 2.031, "plausibility": "impossible",
 *            "reachable_countries": ["DE", "CH"] }
 *
 * rtt_ms: milliseconds, microsecond resolution.  plausibility:
 * "consistent", "impossible" or "unknown" (no observer location, no
 * country, or no shape for it).  reachable_countries: the countries light
 * reaches in that time, nearest first, when there are at most 8 (absent
 * when more, or without an observer location).  The whole object is
 * absent when no RTT was measured to the remote end.  All of it is here,
 * one function, so that the renderer can change around it.
 */
#include "config.h"

#include "event/event-int.h"

json_t *geo_check_obj(const struct ev_facts *x)
{
	const struct cf_plaus_result *r = &x->geo_check;
	json_t *o, *a;
	unsigned i;

	if (!x->has_geo_check || !r->has_rtt)
		return NULL;
	o = json_object();
	put(o, "rtt_ms", json_real((double)r->rtt_us / 1000.0));
	put_lit(o, "plausibility", cf_plaus_verdict_name((enum cf_plaus_verdict)r->verdict));
	if (r->reach_listed) {
		a = json_array();
		for (i = 0; i < r->n_reach && i < CF_PLAUS_LIST; i++)
			json_array_append_new(a, json_stringn_nocheck(r->reach[i], 2));
		put(o, "reachable_countries", a);
	}
	return o;
}
