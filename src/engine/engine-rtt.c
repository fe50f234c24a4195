/*
 * engine-rtt.c - an engine's passive round-trip times (flow/rtt.h) and
 * the speed-of-light check of a flow's remote end (geo/plausible.h).
 *
 * One struct cf_rtt per flow-table entry, allocated with the table (its
 * pages are touched only as entries are), reset when an entry gets a new
 * flow.  A flow's packets are timed while it is still being classified,
 * and after that only while an answer is awaited: the same packets with
 * one thread or N (--threads hands a flow's packets over whole until its
 * worker says the flow is done, which it does not say while an answer is
 * awaited: cf_engine_rtt_waiting).  STUN messages and RTCP reports
 * (cf_rtt_wanted) are timed for as long as the flow lives: the runner
 * hands them over whole (reader.c), so several transactions in flight and
 * the keep-alives of a long call are timed alike with any number of
 * threads.  A bit per entry says an answer is
 * awaited, so that the packets of a flow past classifying (most packets:
 * long media flows) cost a bit test in a small bitmap (128 KiB for a
 * million flows), not a cache miss on the RTT state.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine-int.h"
#include "util/prefault.h"

int cf_engine_rtt_new(struct cf_engine *e, char *err, size_t errlen)
{
	struct cf_flow_stats st;

	cf_flow_get_stats(e->flows, &st);
	e->n_rtt = st.capacity;
	/* make bench's "RTT off" row (tests/bench/run-bench.sh): no timing */
	if (getenv("CALLFENCE_BENCH_NO_RTT") != NULL) {
		e->n_rtt = 0;
		e->rtt_addrs = cf_rtt_table_new(16);
		if (e->rtt_addrs == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	}
	/* by flow entry number, from the front; zero pages until written, not
	   the heap's (util/heap.h: calloc would clear them whole) */
	e->rtt = cf_big_alloc_front(e->n_rtt, sizeof(*e->rtt));
	/* touched only by the flows that use it (struct cf_rtt_tx) */
	e->rtt_tx = cf_big_alloc_front(e->n_rtt, sizeof(*e->rtt_tx));
	e->rtt_busy = calloc((e->n_rtt + 63) / 64, sizeof(*e->rtt_busy));
	e->rtt_addrs = cf_rtt_table_new(0);
	if (e->rtt == NULL || e->rtt_tx == NULL || e->rtt_busy == NULL ||
	    e->rtt_addrs == NULL) {
		snprintf(err, errlen, "out of memory (RTT state of %u flows)", e->n_rtt);
		return -1;
	}
	cf_ahead_watch(&e->rtt_ahead, e->rtt, e->n_rtt, sizeof(*e->rtt), CF_BIG_FRONT);
	cf_ahead_watch(&e->rtt_tx_ahead, e->rtt_tx, e->n_rtt, sizeof(*e->rtt_tx),
		       CF_BIG_FRONT);
	return 0;
}

void cf_engine_rtt_free(struct cf_engine *e)
{
	cf_ahead_forget(&e->rtt_ahead);
	cf_ahead_forget(&e->rtt_tx_ahead);
	cf_big_free(e->rtt);
	e->rtt = NULL;
	cf_big_free(e->rtt_tx);
	e->rtt_tx = NULL;
	free(e->rtt_busy);
	e->rtt_busy = NULL;
	cf_rtt_table_free(e->rtt_addrs);
	e->rtt_addrs = NULL;
}

/* Entry i's state starts afresh for a new flow (the tables backed ahead
 * of it: util/ahead.h). */
static void rtt_fresh(struct cf_engine *e, uint32_t i)
{
	if (i < e->n_rtt) {
		cf_ahead_touch(&e->rtt_ahead, i);
		cf_ahead_touch(&e->rtt_tx_ahead, i);
		cf_rtt_reset(&e->rtt[i]);
	}
}

/* The timing state of the flow table's slot i (cf_flow_slot), NULL none. */
static struct cf_rtt *rtt_at(const struct cf_engine *e, uint32_t i)
{
	return i < e->n_rtt ? &e->rtt[i] : NULL;
}

static struct cf_rtt *rtt_of(const struct cf_engine *e, const struct cf_flow *f)
{
	return rtt_at(e, cf_flow_slot(e->flows, f));
}

const struct cf_rtt *cf_engine_rtt_of(const struct cf_engine *e, const struct cf_flow *f)
{
	if (f == e->held_f)
		return e->held_rtt;
	return rtt_of(e, f);
}

/* The entry's "awaited" bit: test, set or clear. */
static int busy(const struct cf_engine *e, uint32_t i)
{
	return i < e->n_rtt && (e->rtt_busy[i / 64] >> (i % 64)) & 1;
}

static void set_busy(struct cf_engine *e, uint32_t i, int on)
{
	if (i >= e->n_rtt)
		return;
	if (on)
		e->rtt_busy[i / 64] |= (uint64_t)1 << (i % 64);
	else
		e->rtt_busy[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* The timing state of the flow in entry i (UINT32_MAX: none) fetched
 * ahead with its entry (cf_engine_prefetch): two more cache lines a
 * packet, missed when the packet comes, while a flow classifies. */
void cf_engine_rtt_prefetch(const struct cf_engine *e, uint32_t i)
{
	if (i < e->n_rtt) {
		__builtin_prefetch(&e->rtt[i]);
		__builtin_prefetch(&e->rtt_tx[i]);
	}
}

void cf_engine_rtt_created(struct cf_engine *e, const struct cf_flow *f)
{
	uint32_t i = cf_flow_slot(e->flows, f);

	rtt_fresh(e, i);
	set_busy(e, i, 0);
}

int cf_engine_rtt_waiting(const struct cf_engine *e, const struct cf_flow *f)
{
	uint32_t slot = cf_flow_slot(e->flows, f);
	const struct cf_rtt *r;

	if (!busy(e, slot))
		return 0;
	r = rtt_at(e, slot);
	return r != NULL && cf_rtt_pending(r, f->first_us, f->last_us);
}

int cf_engine_rtt_packet(struct cf_engine *e, struct cf_flow *f,
			 const struct cf_packet *pkt, int dir, int created)
{
	uint32_t slot = cf_flow_slot(e->flows, f), us, dropped;
	struct cf_rtt *r;
	int64_t before;
	int end;

	if (e->n_rtt == 0)
		return 0;       /* timing off (CALLFENCE_BENCH_NO_RTT) */
	/* past classifying with nothing awaited: the steady path (a STUN
	   or RTCP report is still timed: cf_rtt_wanted) */
	if (!created && f->cls.done != CF_DONE_OPEN && !busy(e, slot) &&
	    !cf_rtt_wanted(pkt))
		return 0;
	if ((r = rtt_at(e, slot)) == NULL)
		return 0;
	if (created) {
		rtt_fresh(e, slot);
	} else if (f->cls.done != CF_DONE_OPEN &&
		   !cf_rtt_pending(r, f->first_us, pkt->ts_us)) {
		set_busy(e, slot, 0);           /* what was awaited is too old */
		if (!cf_rtt_wanted(pkt))
			return 0;
	}
	dropped = r->dropped;
	before = cf_rtt_min(r, dir);
	end = cf_rtt_packet(r, &e->rtt_tx[slot], pkt, dir, f->first_us, &us);
	set_busy(e, slot, r->pend_at[0] || r->pend_at[1]);
	if (r->dropped != dropped)
		cf_rtt_table_count_dropped(e->rtt_addrs, r->dropped - dropped);
	if (end < 0)
		return 0;
	/* the per-address table: remote addresses (not the home networks') */
	if (!cf_policy_is_home(e->policy, &f->ip[end]))
		cf_rtt_table_add(e->rtt_addrs, &f->ip[end], us, r->last, pkt->ts_us);
	return f->local >= 0 && end == !f->local &&
	       (before < 0 || cf_rtt_min(r, end) < before);
}

int cf_engine_geo_check(const struct cf_engine *e, const struct cf_flow *f,
			const struct cf_geo_result *g, struct cf_plaus_result *r)
{
	const struct cf_rtt *rt = cf_engine_rtt_of(e, f);
	const char *cc;
	int64_t us;

	memset(r, 0, sizeof(*r));
	if (rt == NULL || f->local < 0 || (us = cf_rtt_min(rt, !f->local)) < 0)
		return 0;
	cc = g == NULL ? NULL : g->country[0] ? g->country :
	     g->registered[0] ? g->registered : NULL;
	cf_plaus_check(e->cfg.plaus, cc, us, r);
	if (g != NULL && g->has_point)      /* a city database's point */
		cf_plaus_point(e->cfg.plaus, g->lat, g->lon, g->radius_km, r);
	return 1;
}
