/*
 * event-flow.c - callfence.flow: the record of a flow at its end (with
 * --all-flows, or a flow that alerted), rendered from the record of its
 * facts (event-facts.c), like an alert.
 */
#include "config.h"

#include <string.h>

#include "event/event-int.h"

static const char *verdict_name(uint8_t v)
{
	static const char *const names[] = {
		"unjudged", "pass", "alert", "no-match", "local"
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unjudged";
}

static json_t *flow_event_obj(const struct ev_facts *x)
{
	json_t *e = json_object();
	uint64_t dur = x->last_us > x->first_us ? x->last_us - x->first_us : 0;

	put_lit(e, "kind", "event");
	put(e, "category", str_array("network", NULL));
	put(e, "type", str_array("connection", "end"));
	put_lit(e, "dataset", "callfence.flow");
	put_lit(e, "module", "callfence");
	if (x->first_us != 0)
		put_time(e, "start", x->first_us);
	if (x->last_us != 0)
		put_time(e, "end", x->last_us);
	put_u64(e, "duration", dur * 1000);
	put_str(e, "reason", cf_flow_end_name(x->why));
	return e;
}

/* callfence.local_end: what decided which end is ours (flow.h) */
static const char *const local_by[] = { "", "home-net", "server-port", "initiator" };

static json_t *flow_callfence_obj(const struct ev_facts *x)
{
	json_t *c = json_object();

	put(c, "roles", roles_array(x->roles, 1));
	put(c, "app", ev_app(x));
	put(c, "evidence", ev_json(x, EV_EVIDENCE));
	put_lit(c, "verdict", verdict_name(x->verdict));
	put_u64(c, "alerts", x->n_alerts);
	if (x->local_by > 0 && x->local_by < sizeof(local_by) / sizeof(local_by[0]))
		put_lit(c, "local_end", local_by[x->local_by]);
	put_lit(c, "remote_end", remote_end_name(x));
	put_obj(c, "jurisdiction", jurisdiction_obj(x, x->has_geo ? &x->geo : NULL, 0));
	put_obj(c, "relay", relay_obj(x));
	put_obj(c, "geo", geo_check_obj(x));
	return c;
}

/* The flow record's @timestamp is the flow's last packet; ts_us is unused. */
int cf_event_flow(struct cf_outputs *out, const struct cf_event_meta *m,
		  const struct cf_flow *f, const struct cf_geo_result *remote_geo,
		  const struct cf_rule_info *decided, enum cf_flow_end why,
		  uint64_t ts_us)
{
	struct ev_state *st = arena_begin(0);
	struct ev_facts *x;
	struct cf_event_info ev;
	json_t *root;

	(void)ts_us;
	x = st != NULL ? ev_facts_take(m, f, remote_geo, decided, f->last_us) : NULL;
	root = x != NULL ? json_object() : NULL;
	if (root == NULL)
		return emit(st, out, NULL, NULL);
	x->why = why;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_FLOW;
	if (put_time(root, "@timestamp", x->ts_us))
		ev.ts_us = x->ts_us;
	put_ecs(root);
	put_obj(root, "event", flow_event_obj(x));
	if (x->has_rule)
		put_obj(root, "rule", rule_obj(x));
	put_obj(root, "source", source_obj(x, 1));
	put_obj(root, "destination", destination_obj(x, 1));
	put_obj(root, "client", client_obj(x));
	put_obj(root, "server", server_obj(x));
	put_obj(root, "related", related_obj(x));
	put_obj(root, "network", network_obj(x));
	put_obj(root, "tls", tls_obj(x));
	put_obj(root, "callfence", flow_callfence_obj(x));
	put_obj(root, "observer", observer_facts_obj(x));
	ev.key = x->cid[0] != '\0' ? x->cid : NULL;
	return emit(st, out, root, &ev);
}
