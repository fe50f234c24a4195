/*
 * event-report.c - callfence.report: the summary of a run (--report), as
 * an event line and as a document of its own (--report-json FILE), from
 * the numbers report.c laid out in a cf_report_view.  The hit rates, the
 * DNS cache and the table memory are shared with the stats event.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event/event-int.h"
#include "event/provenance.h"
#include "event/report-json.h"

#define DOC_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

static json_t *decode_obj(const struct cf_decode_stats *d)
{
	json_t *o = json_object();

	put_u64(o, "ok", d->ok);
	put_u64(o, "not_ip", d->not_ip);
	put_u64(o, "truncated", d->truncated);
	put_u64(o, "invalid", d->invalid);
	put_u64(o, "fragments", d->fragments);
	put_u64(o, "vlan", d->vlan);
	put_u64(o, "ipv4", d->ipv4);
	put_u64(o, "ipv6", d->ipv6);
	put_u64(o, "tcp", d->tcp);
	put_u64(o, "udp", d->udp);
	put_u64(o, "icmp", d->icmp);
	put_u64(o, "other", d->other_l4);
	return o;
}

static json_t *flows_obj(const struct cf_report_view *v)
{
	const struct cf_flow_stats *s = &v->t->flows;
	json_t *o = json_object();

	put_u64(o, "created", s->created);
	put_u64(o, "active_peak", s->peak);
	put_u64(o, "ended_idle", s->ended_idle);
	put_u64(o, "ended_closed", s->ended_closed);
	put_u64(o, "evicted", s->evicted);
	put_u64(o, "ended_shutdown", s->ended_shutdown);
	put_u64(o, "audited", v->audited);
	return o;
}

/* hits / (hits + misses), 0 when nothing was looked up. */
json_t *hit_rate(uint64_t hits, uint64_t misses)
{
	uint64_t n = hits + misses;

	return json_real(n ? (double)hits / (double)n : 0.0);
}

static json_t *ndpi_geo_obj(const struct cf_run_totals *t, int geo)
{
	json_t *o = json_object();

	if (geo) {
		put_u64(o, "lookups", t->geo.lookups);
		put_u64(o, "hits", t->geo.hits);
		put_u64(o, "misses", t->geo.misses);
		put_u64(o, "entries", t->geo.entries);
		put_u64(o, "capacity", t->geo.capacity);
		put(o, "hit_rate", hit_rate(t->geo.hits, t->geo.misses));
	} else {
		put_u64(o, "flows", t->classify.ndpi_flows);
		put_u64(o, "decided", t->classify.ndpi_decided);
		put_u64(o, "gave_up", t->classify.ndpi_gaveup);
		put_u64(o, "let_go", t->classify.ndpi_let_go);
		put_u64(o, "packets", t->classify.ndpi_packets);
		put_u64(o, "alloc_failures", t->classify.ndpi_alloc_fail);
		put_u64(o, "skipped", t->classify.ndpi_skipped);
	}
	return o;
}

/* "CN,US" into an array. */
static json_t *split(const char *s, const char *sep)
{
	json_t *a = json_array();
	size_t k = strlen(sep);
	const char *e;

	while (*s != '\0') {
		e = strstr(s, sep);
		if (e == NULL)
			e = s + strlen(s);
		json_array_append_new(a, json_stringn(s, (size_t)(e - s)));
		s = *e ? e + k : e;
	}
	return a;
}

/* One call of the run (reading files): what the summary's table shows. */
static json_t *call_row_obj(const struct cf_call_row *c)
{
	json_t *o = json_object();
	char id[20];

	snprintf(id, sizeof(id), "%016" PRIx64, c->id);
	put(o, "id", json_string(id));
	put(o, "app", json_string(c->app));
	put_time(o, "start", c->first_us);
	put_time(o, "end", c->last_us);
	put(o, "duration_seconds", json_real((double)(c->last_us - c->first_us) / 1e6));
	put_u64(o, "flows", c->flows);
	put(o, "countries", split(c->countries, ","));
	put(o, "operators", split(c->operators, "; "));
	put(o, "severity", json_string(cf_severity_name(c->severity)));
	if (c->rule_id[0] != '\0')
		put(o, "rule", json_string(c->rule_id));
	return o;
}

/* The call table's numbers (engine/calls.h) and the call links the
 * classifier pushed out of its full tables. */
static json_t *calls_obj(const struct cf_run_totals *t)
{
	json_t *o = json_object();

	put_u64(o, "calls", t->calls.calls);
	put_u64(o, "written", t->calls.written);
	put_u64(o, "merged", t->calls.merged);
	put_u64(o, "evicted", t->calls.evicted);
	put_u64(o, "untracked_flows", t->calls.untracked);
	put_u64(o, "held_flows", t->calls.held);
	put_u64(o, "unheld_flows", t->calls.unheld);
	put_u64(o, "app_from_call", t->calls.app_from_call);
	put_u64(o, "links_evicted", t->classify.call_links_evicted);
	if (t->n_call_rows > 0 || t->call_rows_more > 0) {
		json_t *a = json_array();
		size_t i;

		for (i = 0; i < t->n_call_rows; i++)
			json_array_append_new(a, call_row_obj(&t->call_rows[i]));
		put(o, "list", a);
		put_u64(o, "list_omitted", t->call_rows_more);
	}
	return o;
}

/* The passive round trips (flow/rtt.h): exchanges timed by kind, requests
 * sent again, the per-address tables' fill, and the nearest addresses. */
static json_t *rtt_obj(const struct cf_run_totals *t)
{
	json_t *o = json_object(), *k = json_object(), *a = json_array(), *e;
	char ip[CF_ADDR_STRLEN];
	unsigned i;

	put_u64(o, "samples", t->rtt.st.samples);
	for (i = 1; i < CF_RTT_KINDS; i++)
		put_u64(k, cf_rtt_kind_name((enum cf_rtt_kind)i), t->rtt.st.by_kind[i]);
	put(o, "by_kind", k);
	put_u64(o, "sent_again", t->rtt.st.dropped);
	put_u64(o, "addresses", t->rtt.st.entries);
	put_u64(o, "capacity", t->rtt.st.capacity);
	put_u64(o, "replaced", t->rtt.st.replaced);
	for (i = 0; i < t->rtt.n_near && i < CF_RUN_RTT_NEAR; i++) {
		const struct cf_rtt_addr *n = &t->rtt.near[i];

		e = json_object();
		put_str(e, "ip", cf_addr_str(&n->addr, ip, sizeof(ip)));
		put(e, "rtt_ms", json_real((double)n->min_us / 1000.0));
		put_str(e, "source", cf_rtt_kind_name((enum cf_rtt_kind)n->src));
		json_array_append_new(a, e);
	}
	put(o, "nearest", a);
	return o;
}

static json_t *alerts_obj(const struct cf_report_view *v)
{
	json_t *o = json_object(), *sev = json_object(), *rules = json_array(), *r;
	size_t i;
	int s;

	put_u64(o, "total", v->alerts);
	for (s = CF_SEV_CRITICAL; s >= CF_SEV_LOW; s--)
		put_u64(sev, cf_severity_name((enum cf_severity)s), v->by_severity[s]);
	put(o, "by_severity", sev);
	for (i = 0; i < v->nrules; i++) {
		r = json_object();
		put_str(r, "id", v->rules[i].id);
		put_str(r, "name", v->rules[i].name);
		put_str(r, "severity", cf_severity_name(v->rules[i].severity));
		put_u64(r, "count", v->rules[i].count);
		json_array_append_new(rules, r);
	}
	put(o, "by_rule", rules);
	return o;
}

static json_t *traffic_array(const struct cf_report_view *v)
{
	json_t *a = json_array(), *r;
	size_t i;

	for (i = 0; i < v->nrows; i++) {
		r = json_object();
		put_strn(r, "app", v->rows[i].app, sizeof(v->rows[i].app));
		put_str(r, "role", v->rows[i].role);
		put_strn(r, "country", v->rows[i].country, sizeof(v->rows[i].country));
		put_u64(r, "flows", v->rows[i].flows);
		put_u64(r, "packets", v->rows[i].packets);
		put_u64(r, "bytes", v->rows[i].bytes);
		json_array_append_new(a, r);
	}
	return a;
}

static json_t *unknown_obj(const struct cf_report_view *v)
{
	json_t *o = json_object(), *a = json_array();
	char ip[CF_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < v->nunknown; i++)
		json_array_append_new(a, json_string(cf_addr_str(&v->unknown[i],
							ip, sizeof(ip))));
	put(o, "addresses", a);
	put_u64(o, "omitted", v->unknown_omitted);
	return o;
}

/* Each input with what became of it (live: the interfaces, "live"). */
static json_t *inputs_array(const struct cf_run_totals *t)
{
	const struct cf_capture_input *in;
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; t->inputs != NULL && t->inputs[i] != NULL; i++) {
		in = t->input_status != NULL ? &t->input_status[i] : NULL;
		o = json_object();
		put_str(o, "name", t->inputs[i]);
		put_lit(o, "status", cf_input_status_name(in));
		if (in != NULL) {
			put_u64(o, "packets", in->packets);
			if (in->truncated_records > 0)
				put_u64(o, "truncated_records", in->truncated_records);
			put_strn(o, "error", in->error, sizeof(in->error));
		}
		json_array_append_new(a, o);
	}
	return a;
}

json_t *sources_array(void)
{
	const struct cf_provenance *p = cf_event_provenance();
	const struct cf_source_file *s;
	json_t *a, *o;
	size_t i;

	if (p == NULL)
		return NULL;
	a = json_array();
	for (i = 0; i < p->n; i++) {
		s = &p->files[i];
		o = json_object();
		put_lit(o, "kind", s->kind);
		put_strn(o, "path", s->path, sizeof(s->path));
		put_strn(o, "type", s->type, sizeof(s->type));
		if (s->build_epoch != 0)
			put_time(o, "build_date", s->build_epoch * 1000000);
		put_strn(o, "sha256", s->sha256, sizeof(s->sha256));
		put_strn(o, "error", s->error, sizeof(s->error));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *versions_obj(void)
{
	struct cf_lib_version v[CF_LIB_COUNT];
	json_t *o = json_object();
	int i;

	cf_lib_versions(v);
	for (i = 0; i < CF_LIB_COUNT; i++)
		put_str(o, v[i].name, v[i].version);
	return o;
}

/* The DNS name cache (callfence.report.dns_cache, callfence.stats.dns_cache). */
json_t *dns_cache_obj(const struct cf_run_totals *t)
{
	json_t *o = json_object();

	put_u64(o, "hits", t->classify.dns_hits);
	put_u64(o, "misses", t->classify.dns_misses);
	put(o, "hit_rate", hit_rate(t->classify.dns_hits, t->classify.dns_misses));
	put_u64(o, "evictions", t->classify.dns_evictions);
	put_u64(o, "capacity", t->classify.dns_capacity);
	return o;
}

/*
 * What the flow table and nDPI hold: sizes the engine knows (0: not
 * measured, left out).  live adds the nDPI states held now, which is 0
 * at the end of a run and only says something in a stats event.
 */
void put_table_memory(json_t *o, const struct cf_run_totals *t, int live)
{
	put_known(o, "flow_entry_bytes", t->flows.entry_bytes);
	put_known(o, "flow_index_bytes", t->flows.index_bytes);
	put_known(o, "flow_touched_bytes", t->flows.touched_bytes);
	if (live)
		put_known(o, "ndpi_live", t->classify.ndpi_live);
	put_known(o, "ndpi_live_peak", t->classify.ndpi_live_peak);
	put_known(o, "ndpi_state_bytes", t->classify.ndpi_state_bytes);
}

/* callfence.report.memory: the process (t->mem) and its tables. */
static json_t *report_memory(const struct cf_run_totals *t)
{
	json_t *o = json_object();

	put_known(o, "rss_bytes", t->mem.rss_bytes);
	put_known(o, "peak_rss_bytes", t->mem.peak_rss_bytes);
	put_known(o, "heap_bytes", t->mem.heap_bytes);
	put_table_memory(o, t, 0);
	return o;
}

static json_t *report_body(const struct cf_report_view *v)
{
	const struct cf_run_totals *t = v->t;
	json_t *b = json_object();

	put(b, "inputs", inputs_array(t));
	put(b, "sources", sources_array());
	put(b, "versions", versions_obj());
	put_u64(b, "packets", t->decode.packets);
	put_u64(b, "bytes", t->bytes_read);
	if (t->first_us != 0)
		put_time(b, "first_seen", t->first_us);
	if (t->last_us != 0)
		put_time(b, "last_seen", t->last_us);
	put(b, "wall_seconds", json_real(t->wall_seconds));
	put(b, "decode", decode_obj(&t->decode));
	put(b, "flows", flows_obj(v));
	put(b, "calls", calls_obj(t));
	put(b, "ndpi", ndpi_geo_obj(t, 0));
	put(b, "geo", ndpi_geo_obj(t, 1));
	put(b, "rtt", rtt_obj(t));
	put(b, "alerts", alerts_obj(v));
	put(b, "traffic", traffic_array(v));
	put(b, "unknown_geo", unknown_obj(v));
	put_u64(b, "output_errors", t->output_errors);
	put(b, "dns_cache", dns_cache_obj(t));
	put_obj(b, "memory", report_memory(t));
	return b;
}

/* body (kept) as the document path. */
static int write_doc(json_t *body, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	char *doc;
	size_t n;
	int rc = 0;

	/* dumped in memory, then written at once: json_dumpf writes each
	   token through stdio (60 M instructions for the 0.6 MB report of a
	   20,000-flow mix, a quarter of that this way) */
	if (body == NULL || (doc = json_dumps(body, DOC_FLAGS)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fp = fopen(path, "w");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(doc);
		return -1;
	}
	n = strlen(doc);
	if (fwrite(doc, 1, n, fp) != n || fputc('\n', fp) == EOF)
		rc = -1;
	free(doc);
	if (fclose(fp) != 0)
		rc = -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The event around body (NULL: made here, in the event's arena; else a
 * reference taken: a body made outside any arena outlives the event). */
static int emit_report(const struct cf_report_view *v, struct cf_outputs *out,
		       const struct cf_event_meta *m, json_t *body)
{
	struct ev_state *st = arena_begin(0);
	struct cf_event_info ev;
	json_t *root, *e, *c;
	uint64_t ts = v->t->last_us;

	if (st == NULL)
		return -1;
	root = json_object(), e = json_object(), c = json_object();
	if (root == NULL || e == NULL || c == NULL) {
		json_decref(root);
		json_decref(e);
		json_decref(c);
		return emit(st, out, NULL, NULL);
	}
	if (ts == 0)
		ts = (uint64_t)time(NULL) * 1000000;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_REPORT;
	if (put_time(root, "@timestamp", ts))
		ev.ts_us = ts;
	put_ecs(root);
	put_lit(e, "kind", "metric");
	put_lit(e, "dataset", "callfence.report");
	put_lit(e, "module", "callfence");
	put_obj(root, "event", e);
	if (body != NULL)
		arena_adopt(st);        /* so that the event lets go of it */
	put(c, "report", body != NULL ? json_incref(body) : report_body(v));
	put_obj(root, "callfence", c);
	if (m != NULL)
		put_obj(root, "observer", observer_obj(m));
	return emit(st, out, root, &ev);
}

int cf_report_json_out(const struct cf_report_view *v, struct cf_outputs *out,
		       const struct cf_event_meta *m, const char *path,
		       char *err, size_t errlen)
{
	json_t *body;
	int rc;

	if (path == NULL)               /* the event alone: built in its arena */
		return out != NULL ? emit_report(v, out, m, NULL) : 0;
	json_init();
	body = report_body(v);         /* (outside the arena: it outlives the event) */
	if (out != NULL)
		(void)emit_report(v, out, m, body);
	rc = write_doc(body, path, err, errlen);
	json_decref(body);
	return rc;
}
