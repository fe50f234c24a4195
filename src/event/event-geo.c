/*
 * event-geo.c - callfence.geo: the remote end's smallest round-trip time
 * and what the speed of light says of its database country (the engine's
 * check, geo/plausible.h), in alerts and flow records:
 *
 *   "geo": { "rtt_ms": 2.031, "plausibility": "impossible",
 *            "reachable_countries": ["DE", "CH"] }
 *
 * rtt_ms: milliseconds, microsecond resolution.  plausibility:
 * "consistent", "unlikely" (within light's reach in vacuum, not in
 * fibre), "impossible" or "unknown" (no observer location, no
 * country, or no shape for it).  reachable_countries: the countries light
 * reaches in that time, nearest first, when there are at most 8 (absent
 * when more, or without an observer location).  claimed_distance_km:
 * with a city database, the observer's distance to the database's point
 * less its accuracy radius (km; judged too: the stricter verdict
 * counts).  The whole object is
 * absent when no RTT was measured to the remote end.  Written by the
 * renderer (event-render.c) into the line, like every part of those
 * events.
 */
#include "config.h"

#include "event/event-int.h"

void ev_render_geo_check(struct jw *w, const struct ev_facts *x)
{
	const struct cf_plaus_result *r = &x->geo_check;
	char cc[3];
	unsigned i;

	if (!x->has_geo_check || !r->has_rtt)
		return;
	jw_obj(w, "geo");
	jw_frac(w, "rtt_ms", (long long)r->rtt_us, 3);         /* (double)rtt_us / 1000.0 */
	jw_lit(w, "plausibility", cf_plaus_verdict_name((enum cf_plaus_verdict)r->verdict));
	if (r->has_point)
		jw_frac(w, "claimed_distance_km",       /* km to 0.1 */
			(long long)(r->point_km * 10.0 + 0.5), 1);
	if (r->reach_listed) {
		jw_arr(w, "reachable_countries");
		for (i = 0; i < r->n_reach && i < CF_PLAUS_LIST; i++) {
			cc[0] = r->reach[i][0];
			cc[1] = r->reach[i][1];
			cc[2] = '\0';
			jw_item(w, cc);
		}
		jw_close(w);
	}
	jw_close(w);
}
