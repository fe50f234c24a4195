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
 * line is parsed or patched.  The shape itself is event-render.c's.
 */
#include "config.h"

#include <string.h>

#include "event/event-int.h"

/*
 * The outputs' callback (cf_alert_render_fn) for a held-back alert: its
 * line with the window's numbers, in this thread's side line buffer (the first
 * may hold the alert whose writing closed the window).  The line stays
 * valid until the next summary of this thread.
 */
static int render_summary(const void *rec, size_t len,
			  const struct cf_alert_fold *fold,
			  const char **line, size_t *linelen)
{
	const struct ev_facts *x = rec;
	struct jw *w;

	if (len < sizeof(*x) || len != x->size)
		return -1;
	w = line_begin(1);
	if (w == NULL)
		return -1;
	(void)ev_render_alert(w, x, fold->last_us, fold->count);
	if (emit_line(w, NULL, NULL) < 0)
		return -1;
	*line = w->buf;
	*linelen = w->len;
	return 0;
}

/* event.severity back to ours, as the outputs' filters want it. */
static int severity_of(int ecs)
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
	struct jw *w = line_begin(0);
	struct ev_facts *x = w != NULL ? ev_facts_take(m, f, remote_geo, r, ts_us) : NULL;
	unsigned char key[EV_FOLD_KEY_MAX];
	struct cf_event_info ev;
	int timed;

	if (x == NULL)
		return -1;
	x->matched = matched_roles;
	timed = ev_render_alert(w, x, ts_us, 0);
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
	return emit_line(w, out, &ev);
}
