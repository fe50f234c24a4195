/*
 * event-alert.c - callfence.alert: one flow violated one rule.
 *
 * An alert is rendered from the record of its facts (event-facts.c).
 * With --alert-window the outputs fold repeated alerts (output-aggr.c),
 * and the outputs sit below the events: they may not call this file, nor
 * know what an alert holds.  So every alert hands the outputs, next to
 * its line, what folding needs as numbers and bytes (struct
 * cf_event_info: @timestamp in microseconds, the fold key of rule.id,
 * source.ip and destination.ip), its record as opaque bytes, and
 * render_summary, a function of this file.  An alert held back is kept
 * as a copy of its record; when its window closes the outputs call
 * render_summary with the window's final numbers (struct cf_alert_fold),
 * and the summary is rendered once from them: @timestamp the last
 * held-back alert's time, callfence.alert_count the number held back.  No
 * line is parsed or patched.
 */
#include "config.h"

#include <string.h>

#include "event/event-int.h"
#include "util/role.h"

static json_t *alert_event_obj(const struct ev_facts *x)
{
	json_t *e = json_object();

	put_lit(e, "kind", "alert");
	put(e, "category", str_array("network", NULL));
	put(e, "type", str_array("connection", NULL));
	put(e, "severity", json_integer(cf_severity_ecs(x->severity)));
	put_lit(e, "dataset", "callfence.alert");
	put_lit(e, "module", "callfence");
	/* Built-in findings (rule ids "callfence-*") are not about geography. */
	put_lit(e, "action", x->sdes ? "cleartext-srtp-keys" : "jurisdiction-violation");
	if (x->first_us != 0)
		put_time(e, "start", x->first_us);
	return e;
}

/* count: the alerts a --alert-window summary stands for; 0 for an alert. */
static json_t *alert_callfence_obj(const struct ev_facts *x, uint64_t count)
{
	const struct cf_geo_result *g = x->has_geo ? &x->geo : NULL;
	json_t *c = json_object();
	unsigned top = cf_role_top(x->matched ? x->matched : x->roles);

	if (count > 0)
		put_u64(c, "alert_count", count);
	if (top != 0)
		put_lit(c, "role", cf_role_name(top));
	put(c, "roles", roles_array(x->roles, 0));
	put(c, "app", ev_app(x));
	put_lit(c, "remote_end", remote_end_name(x));
	put(c, "evidence", ev_json(x, EV_EVIDENCE));
	put_str(c, "severity", cf_severity_name(x->severity));
	if (x->relay_peer_alert)        /* the alert judged the peer behind the relay */
		g = x->has_relay_geo ? &x->relay_geo : NULL;
	put_obj(c, "jurisdiction", jurisdiction_obj(x, g, 1));
	put_obj(c, "relay", relay_obj(x));
	put_obj(c, "geo", geo_check_obj(x));
	return c;
}

/*
 * The alert of x at ts_us, standing for count alerts (0: itself alone);
 * *timed 0 when @timestamp could not be written.
 */
static json_t *alert_tree(const struct ev_facts *x, uint64_t ts_us, uint64_t count,
			  int *timed)
{
	json_t *root = json_object();

	*timed = 0;
	if (root == NULL)
		return NULL;
	*timed = put_time(root, "@timestamp", ts_us);
	put_ecs(root);
	put_obj(root, "event", alert_event_obj(x));
	put_obj(root, "rule", rule_obj(x));
	put_obj(root, "source", source_obj(x, 0));
	put_obj(root, "destination", destination_obj(x, 0));
	put_obj(root, "client", client_obj(x));
	put_obj(root, "server", server_obj(x));
	put_obj(root, "related", related_obj(x));
	put_obj(root, "network", network_obj(x));
	put_obj(root, "tls", tls_obj(x));
	put_obj(root, "callfence", alert_callfence_obj(x, count));
	put_obj(root, "observer", observer_facts_obj(x));
	return root;
}

/*
 * The outputs' callback (cf_alert_render_fn) for a held-back alert: its
 * line with the window's numbers, in this thread's side arena (the first
 * may hold the alert whose writing closed the window).  The line stays
 * valid until the next summary of this thread.
 */
static int render_summary(const void *rec, size_t len,
			  const struct cf_alert_fold *fold,
			  const char **line, size_t *linelen)
{
	const struct ev_facts *x = rec;
	struct ev_state *st;
	int timed;

	if (len < sizeof(*x) || len != x->size)
		return -1;
	st = arena_begin(1);
	if (st == NULL || emit(st, NULL, alert_tree(x, fold->last_us, fold->count, &timed), NULL) < 0)
		return -1;
	*line = ev_line(st, linelen);
	return 0;
}

/* event.severity back to ours, as the outputs' filters want it. */
static int severity_of(json_int_t ecs)
{
	int i;

	for (i = CF_SEV_LOW; ecs != 0 && i <= CF_SEV_CRITICAL; i++)
		if (cf_severity_ecs((enum cf_severity)i) == ecs)
			return i;
	return 0;
}

int cf_event_alert(struct cf_outputs *out, const struct cf_event_meta *m,
		   const struct cf_flow *f, const struct cf_geo_result *remote_geo,
		   const struct cf_rule_info *r, unsigned matched_roles,
		   uint64_t ts_us)
{
	struct ev_state *st = arena_begin(0);
	struct ev_facts *x = st != NULL ? ev_facts_take(m, f, remote_geo, r, ts_us) : NULL;
	unsigned char key[EV_FOLD_KEY_MAX];
	struct cf_event_info ev;
	json_t *root;
	int timed;

	if (x == NULL)
		return emit(st, out, NULL, NULL);
	x->matched = matched_roles;
	root = alert_tree(x, ts_us, 0, &timed);
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_ALERT;
	ev.severity = severity_of(cf_severity_ecs(x->severity));
	ev.key = x->cid[0] != '\0' ? x->cid : NULL;
	ev.ts_us = timed ? ts_us : 0;
	ev.fold_key = key;
	ev.fold_key_len = ev_fold_key(x, key);
	ev.rec = x;
	ev.rec_len = x->size;
	ev.render = render_summary;
	return emit(st, out, root, &ev);
}
