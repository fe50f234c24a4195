/*
 * event-flow.c - callfence.flow: the record of a flow at its end (with
 * --all-flows, or a flow that alerted), rendered from the record of its
 * facts (event-facts.c), like an alert; the shape is event-render.c's.
 */
#include "config.h"

#include <string.h>

#include "event/event-int.h"

/* The flow record's @timestamp is the flow's last packet; ts_us is unused. */
int cf_event_flow(struct cf_outputs *out, const struct cf_event_meta *m,
		  const struct cf_flow *f, const struct cf_geo_result *remote_geo,
		  const struct cf_rule_info *decided, enum cf_flow_end why,
		  uint64_t ts_us)
{
	struct jw *w = line_begin(0);
	struct ev_facts *x;
	struct cf_event_info ev;

	(void)ts_us;
	x = w != NULL ? ev_facts_take(m, f, remote_geo, decided, f->last_us) : NULL;
	if (x == NULL)
		return -1;
	x->why = why;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_FLOW;
	if (ev_render_flow(w, x))
		ev.ts_us = x->ts_us;
	ev.key = x->cid[0] != '\0' ? x->cid : NULL;
	return emit_line(w, out, &ev);
}
