/*
 * engine-totals.c - an engine's counters: its stats, its run totals for
 * the report and the stats event, and the totals of several engines
 * added up (--threads).
 */
#include "config.h"

#include <string.h>

#include "engine/engine-int.h"
#include "output/output.h"

static void add_decode(struct cf_decode_stats *to, const struct cf_decode_stats *d);
static void add_flows(struct cf_flow_stats *to, const struct cf_flow_stats *f);
static void add_rtt(struct cf_run_totals *to, const struct cf_run_totals *from);

void cf_engine_get_stats(const struct cf_engine *e, struct cf_engine_stats *st)
{
	*st = e->st;
	st->last_us = e->now_us;
}

static void near_add(const struct cf_rtt_addr *a, void *ctx)
{
	struct cf_run_totals *t = ctx;

	cf_rtt_near_add(t->rtt.near, &t->rtt.n_near, CF_RUN_RTT_NEAR, a);
}

void cf_engine_totals(const struct cf_engine *e, struct cf_run_totals *t)
{
	struct cf_output_stats os;

	t->last_us = e->now_us;
	cf_flow_get_stats(e->flows, &t->flows);
	cf_classify_get_stats(e->cls, &t->classify);
	cf_engine_add_classify(&t->classify, &e->cls_before);
	cf_geo_get_stats(e->geo, &t->geo);
	cf_engine_add_geo(&t->geo, &e->geo_before);
	t->alerts = e->st.alerts;
	t->audited_flows = e->st.audited;
	cf_outputs_get_stats(e->out, &os);
	t->output_errors = os.write_errors;
	/* the per-address RTT table: its counts and its nearest addresses */
	if (e->rtt_addrs != NULL) {
		cf_rtt_table_stats(e->rtt_addrs, &t->rtt.st);
		t->rtt.n_near = 0;
		cf_rtt_table_foreach(e->rtt_addrs, near_add, t);
	}
}

struct cf_report *cf_engine_report(struct cf_engine *e)
{
	return e->report;
}

const struct cf_policy *cf_engine_policy(const struct cf_engine *e)
{
	return e->policy;
}

void cf_run_totals_add(struct cf_run_totals *to, const struct cf_run_totals *from,
		       int same_dns)
{
	struct cf_classify_stats c = from->classify;

	if (to->first_us == 0 || (from->first_us != 0 && from->first_us < to->first_us))
		to->first_us = from->first_us;
	if (from->last_us > to->last_us)
		to->last_us = from->last_us;
	to->bytes_read += from->bytes_read;
	add_decode(&to->decode, &from->decode);
	add_flows(&to->flows, &from->flows);
	if (same_dns) {
		/* every worker read the same DNS answers: count them once */
		c.dns_responses = c.dns_bad = c.dns_answers = c.dns_evictions = 0;
		c.sdp_media = c.call_links_evicted = 0;
	} else {
		to->classify.dns_capacity += c.dns_capacity;
	}
	cf_engine_add_classify(&to->classify, &c);
	to->classify.ndpi_live += c.ndpi_live;
	to->classify.ndpi_live_peak += c.ndpi_live_peak;
	if (c.ndpi_state_bytes > to->classify.ndpi_state_bytes)
		to->classify.ndpi_state_bytes = c.ndpi_state_bytes;
	cf_engine_add_geo(&to->geo, &from->geo);
	to->geo.entries += from->geo.entries;
	to->geo.capacity += from->geo.capacity;
	to->alerts += from->alerts;
	to->audited_flows += from->audited_flows;
	to->output_errors += from->output_errors;
	add_rtt(to, from);
}

/* The workers' RTT tables: counts summed (an address measured by two
 * workers is in both), the nearest lists merged by address. */
static void add_rtt(struct cf_run_totals *to, const struct cf_run_totals *from)
{
	unsigned i, k;

	to->rtt.st.samples += from->rtt.st.samples;
	for (k = 0; k < CF_RTT_KINDS; k++)
		to->rtt.st.by_kind[k] += from->rtt.st.by_kind[k];
	to->rtt.st.dropped += from->rtt.st.dropped;
	to->rtt.st.entries += from->rtt.st.entries;
	to->rtt.st.capacity += from->rtt.st.capacity;
	to->rtt.st.replaced += from->rtt.st.replaced;
	for (i = 0; i < from->rtt.n_near && i < CF_RUN_RTT_NEAR; i++)
		cf_rtt_near_add(to->rtt.near, &to->rtt.n_near, CF_RUN_RTT_NEAR,
				&from->rtt.near[i]);
}

static void add_decode(struct cf_decode_stats *to, const struct cf_decode_stats *d)
{
	to->packets += d->packets;
	to->ok += d->ok;
	to->not_ip += d->not_ip;
	to->truncated += d->truncated;
	to->invalid += d->invalid;
	to->fragments += d->fragments;
	to->vlan += d->vlan;
	to->ipv4 += d->ipv4;
	to->ipv6 += d->ipv6;
	to->tcp += d->tcp;
	to->udp += d->udp;
	to->icmp += d->icmp;
	to->other_l4 += d->other_l4;
}

static void add_flows(struct cf_flow_stats *to, const struct cf_flow_stats *f)
{
	to->created += f->created;
	to->ended_idle += f->ended_idle;
	to->ended_closed += f->ended_closed;
	to->evicted += f->evicted;
	to->ended_shutdown += f->ended_shutdown;
	to->active += f->active;
	to->peak += f->peak;            /* an upper bound: peaks need not coincide */
	to->capacity += f->capacity;
	to->entry_bytes = f->entry_bytes;
	to->index_bytes += f->index_bytes;
	to->index_grown += f->index_grown;
	to->touched_bytes += f->touched_bytes;
}

/* Counters of a classifier about to be replaced, kept in the totals. */
void cf_engine_add_classify(struct cf_classify_stats *to,
			    const struct cf_classify_stats *c)
{
	to->ndpi_flows += c->ndpi_flows;
	to->ndpi_decided += c->ndpi_decided;
	to->ndpi_gaveup += c->ndpi_gaveup;
	to->ndpi_let_go += c->ndpi_let_go;
	to->ndpi_packets += c->ndpi_packets;
	to->ndpi_alloc_fail += c->ndpi_alloc_fail;
	to->ndpi_skipped += c->ndpi_skipped;
	to->dns_responses += c->dns_responses;
	to->dns_bad += c->dns_bad;
	to->dns_answers += c->dns_answers;
	to->dns_hits += c->dns_hits;
	to->dns_misses += c->dns_misses;
	to->dns_evictions += c->dns_evictions;
	to->tls_reasm_started += c->tls_reasm_started;
	to->tls_reasm_done += c->tls_reasm_done;
	to->tls_reasm_dropped += c->tls_reasm_dropped;
	to->sdp_media += c->sdp_media;
	to->call_links_evicted += c->call_links_evicted;
}

void cf_engine_add_geo(struct cf_geo_stats *to, const struct cf_geo_stats *g)
{
	to->lookups += g->lookups;
	to->hits += g->hits;
	to->misses += g->misses;
	to->errors += g->errors;
}

