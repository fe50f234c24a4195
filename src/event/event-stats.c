/*
 * event-stats.c - callfence.stats: the live numbers of a running capture
 * (interfaces, packets, flows, alerts, the outputs, caches, memory), from
 * the view the daemon lays out (daemon-stats.h).
 */
#include "config.h"

#include <string.h>

#include "event/event-int.h"
#include "event/daemon-stats.h"

static json_t *stats_iface(const struct cf_stats_iface *i)
{
	json_t *o = json_object();

	put_str(o, "name", i->name);
	put_str(o, "state", i->state);
	put_u64(o, "received", i->received);
	put_u64(o, "dropped", i->dropped);
	put_u64(o, "if_dropped", i->if_dropped);
	put_u64(o, "packets", i->packets);
	put_u64(o, "errors", i->errors);
	put_u64(o, "reopens", i->reopens);
	return o;
}

/* packets: kernel counters summed over the interfaces, and ours. */
static json_t *stats_packets(const struct cf_stats_view *v)
{
	json_t *o = json_object();
	uint64_t rx = 0, drop = 0, ifdrop = 0;
	size_t i;

	for (i = 0; i < v->n_ifaces; i++) {
		rx += v->ifaces[i].received;
		drop += v->ifaces[i].dropped;
		ifdrop += v->ifaces[i].if_dropped;
	}
	put_u64(o, "received", rx);
	put_u64(o, "dropped", drop);
	put_u64(o, "if_dropped", ifdrop);
	put_u64(o, "processed", v->packets);
	put_u64(o, "decoded", v->t->decode.ok);
	return o;
}

static json_t *stats_flows(const struct cf_flow_stats *f)
{
	json_t *o = json_object();

	put_u64(o, "active", f->active);
	put_u64(o, "peak", f->peak);
	put_u64(o, "capacity", f->capacity);
	put_u64(o, "created", f->created);
	put_u64(o, "ended_idle", f->ended_idle);
	put_u64(o, "ended_closed", f->ended_closed);
	put_u64(o, "evicted", f->evicted);
	return o;
}

static json_t *stats_alerts(const struct cf_stats_view *v)
{
	json_t *o = json_object(), *sev = json_object();
	int s;

	put_u64(o, "total", v->alerts);
	for (s = CF_SEV_CRITICAL; s >= CF_SEV_LOW; s--)
		put_u64(sev, cf_severity_name((enum cf_severity)s), v->by_severity[s]);
	put(o, "by_severity", sev);
	return o;
}

static json_t *stats_output(const struct cf_output_stats *s)
{
	json_t *o = json_object();

	put_u64(o, "lines", s->lines);
	put_u64(o, "write_errors", s->write_errors);
	put_u64(o, "queue_depth", s->pending);
	put_u64(o, "dropped", s->dropped);
	put_u64(o, "spool_bytes", s->spool_bytes);
	return o;
}

static json_t *stats_geo_cache(const struct cf_run_totals *t)
{
	json_t *o = json_object();

	put_u64(o, "hits", t->geo.hits);
	put_u64(o, "misses", t->geo.misses);
	put(o, "hit_rate", hit_rate(t->geo.hits, t->geo.misses));
	put_u64(o, "entries", t->geo.entries);
	put_u64(o, "capacity", t->geo.capacity);
	return o;
}

/*
 * callfence.stats.memory: rss_bytes always (as it always was), the rest
 * when measured; peak_rss_bytes from the run totals when the daemon
 * filled them.
 */
static json_t *stats_memory(const struct cf_stats_view *v)
{
	json_t *o = json_object();

	put_u64(o, "rss_bytes", v->rss_bytes);
	put_known(o, "peak_rss_bytes", v->t->mem.peak_rss_bytes);
	put_known(o, "heap_bytes", v->heap_bytes);
	put_table_memory(o, v->t, 1);
	return o;
}

static json_t *stats_body(const struct cf_stats_view *v)
{
	json_t *b = json_object(), *ifs = json_array();
	size_t i;

	put(b, "uptime_seconds", json_real(v->uptime_seconds));
	put(b, "sources", sources_array());
	put(b, "versions", versions_obj());
	for (i = 0; i < v->n_ifaces; i++)
		json_array_append_new(ifs, stats_iface(&v->ifaces[i]));
	put(b, "interfaces", ifs);
	put(b, "packets", stats_packets(v));
	put(b, "flows", stats_flows(&v->t->flows));
	put(b, "alerts", stats_alerts(v));
	put(b, "output", stats_output(&v->out));
	put(b, "geo_cache", stats_geo_cache(v->t));
	put(b, "dns_cache", dns_cache_obj(v->t));
	put(b, "memory", stats_memory(v));
	put_u64(b, "reloads", v->reloads);
	put_u64(b, "reload_failures", v->reload_failures);
	put_u64(b, "threads", v->threads ? v->threads : 1);
	if (v->threads > 1) {
		json_t *d = json_object();

		put_u64(d, "shared", v->dns_shared);
		put_u64(d, "dropped", v->dns_share_dropped);
		put(b, "shared_facts", d);
	}
	return b;
}

int cf_event_stats(struct cf_outputs *out, const struct cf_event_meta *m,
		   const struct cf_stats_view *v)
{
	struct ev_state *st = arena_begin(0);
	struct cf_event_info ev;
	json_t *root, *e, *c;

	if (st == NULL)
		return -1;
	root = json_object(), e = json_object(), c = json_object();
	if (root == NULL || e == NULL || c == NULL) {
		json_decref(root);
		json_decref(e);
		json_decref(c);
		return emit(st, out, NULL, NULL);
	}
	put_time(root, "@timestamp", v->ts_us);
	put_ecs(root);
	put_lit(e, "kind", "metric");
	put_lit(e, "dataset", "callfence.stats");
	put_lit(e, "module", "callfence");
	put_obj(root, "event", e);
	put(c, "stats", stats_body(v));
	put_obj(root, "callfence", c);
	if (m != NULL)
		put_obj(root, "observer", observer_obj(m));
	/* the outputs are told the kind only (no @timestamp: never folded) */
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_STATS;
	return emit(st, out, root, &ev);
}
