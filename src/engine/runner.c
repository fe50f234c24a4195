/*
 * runner.c - the runner (runner.h): every frame's way in, whatever the
 * input and the number of threads, and the calls that must reach every
 * engine in order with the frames.
 *
 * A frame counts on the packet clock (whose once-a-second mark runs the
 * idle expiry), is decoded, and goes to the engine of its flow: with one
 * thread the only engine, straight away or - capture files - two frames
 * late (the look-ahead below); with N threads the reader's routing
 * (reader.c), to a worker's ring or to worker 0 here.  Ticks, reloads,
 * snapshots and the end go the same ways: to the one engine directly, or
 * through the workers' rings (workers.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calls.h"
#include "engine/workers.h"
#include "output/output.h"

/*
 * Look-ahead (one thread, capture files): a frame is copied and decoded
 * when it arrives, and handled two frames later.  Meanwhile the index
 * slot of its flow is asked for at once and, a frame later, the flow
 * entry that slot names: the two cache misses of the flow lookup, the
 * costliest part of a packet, overlap the work on the frames before it.
 * Frames are handled in their order, each with its own packet time (the
 * clock counts a frame when it is handled), so everything happens as
 * without look-ahead, two frames later.  Anything else the runner is asked
 * (a tick, a reload, the end) handles the waiting frames first.
 */
#define LA_SLOTS 3                /* two waiting, one arriving */
#define LA_BYTES 2048             /* longer frames are handled at once */

struct staged {
	struct cf_packet pkt;
	uint64_t ts_us;
	uint32_t caplen;
	uint32_t h;                   /* cf_engine_flow_hash */
	uint32_t iface;               /* the runner's ifnames[] */
	int ok;                       /* decoded */
	uint8_t data[LA_BYTES];
};

/* One thread: count the frame (the expiry when due), then its packet. */
static void one_handle(struct cf_runner *r, uint64_t ts_us, uint32_t caplen,
		       const struct cf_packet *pkt, uint32_t h, uint32_t iface)
{
	struct cf_engine *e = r->v[0].engine;

	if (frame_clock_tick(&r->fc, ts_us, caplen))
		cf_engine_expire_at(e, r->fc.now_us);
	if (pkt != NULL)
		cf_engine_packet(e, pkt, h, r->ifnames[iface]);
}

/* Handle the oldest staged frame. */
static void la_next(struct cf_runner *r)
{
	struct staged *s = &r->la[r->la_head];

	r->la_head = (r->la_head + 1) % LA_SLOTS;
	r->la_n--;
	one_handle(r, s->ts_us, s->caplen, s->ok ? &s->pkt : NULL, s->h, s->iface);
}

static void la_drain(struct cf_runner *r)
{
	while (r->la_n > 0)
		la_next(r);
}

/* Stage a frame (caplen <= LA_BYTES); the oldest is handled when full. */
static void la_stage(struct cf_runner *r, enum cf_link link, uint64_t ts_us,
		     const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_engine *e = r->v[0].engine;
	struct staged *s = &r->la[(r->la_head + r->la_n) % LA_SLOTS];

	memcpy(s->data, data, caplen);
	s->ts_us = ts_us;
	s->caplen = caplen;
	s->iface = r->iface;
	s->ok = cf_decode(link, s->data, caplen, wirelen, &s->pkt, &r->dec) == CF_DEC_OK;
	if (s->ok) {
		s->pkt.ts_us = ts_us;
		s->h = cf_engine_flow_hash(e, &s->pkt);
		cf_engine_prefetch(e, s->h, 0);
	}
	/* the frame before this one: its slot has come, ask for its entry */
	if (r->la_n > 0) {
		const struct staged *p = &r->la[(r->la_head + r->la_n - 1) % LA_SLOTS];

		if (p->ok)
			cf_engine_prefetch(e, p->h, 1);
	}
	if (++r->la_n == LA_SLOTS)
		la_next(r);
}

/* N threads: the clock (its ticks to every worker), then the routing. */
static void frame_n(struct cf_runner *r, enum cf_link link, uint64_t ts_us,
		    const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_packet pkt;

	if (frame_clock_tick(&r->fc, ts_us, caplen))
		cf_reader_tick(r, R_TICK, r->fc.now_us);
	if (cf_decode(link, data, caplen, wirelen, &pkt, &r->dec) != CF_DEC_OK)
		return;
	pkt.ts_us = ts_us;
	cf_reader_packet(r, &pkt);
}

void cf_runner_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_runner *r = ctx;
	struct cf_packet pkt;

	if (r->n > 1) {
		frame_n(r, link, ts_us, data, caplen, wirelen);
		return;
	}
	if (r->la != NULL && caplen <= LA_BYTES) {
		la_stage(r, link, ts_us, data, caplen, wirelen);
		return;
	}
	if (r->la != NULL)
		la_drain(r);
	if (cf_decode(link, data, caplen, wirelen, &pkt, &r->dec) != CF_DEC_OK) {
		one_handle(r, ts_us, caplen, NULL, 0, 0);
		return;
	}
	pkt.ts_us = ts_us;
	one_handle(r, ts_us, caplen, &pkt,
		   cf_engine_flow_hash(r->v[0].engine, &pkt), r->iface);
}

void cf_runner_set_interface(struct cf_runner *r, const char *name)
{
	unsigned i;

	for (i = 1; i < r->n_ifnames; i++)
		if (r->ifnames[i] == name || (name != NULL && strcmp(r->ifnames[i], name) == 0)) {
			r->iface = i;
			return;
		}
	r->iface = 0;
	if (name != NULL && r->n_ifnames < RUNNER_IFACES) {
		r->ifnames[r->n_ifnames] = name;
		r->iface = r->n_ifnames++;
	}
}

void cf_runner_flush(struct cf_runner *r)
{
	if (r->la != NULL)
		la_drain(r);
	if (r->n > 1)
		cf_reader_publish(r);
}

void cf_runner_tick(struct cf_runner *r, uint64_t now_us)
{
	if (r->n == 1) {
		if (r->la != NULL)
			la_drain(r);
		cf_engine_tick(r->v[0].engine, now_us);
		return;
	}
	cf_reader_tick(r, R_WALL, now_us);
	cf_reader_publish(r);
}

int cf_runner_reload(struct cf_runner *r, const struct cf_engine_config *cfg,
		     char *err, size_t errlen)
{
	int failed = 0;

	/* frames that came before the reload are judged by the old policy */
	if (r->la != NULL)
		la_drain(r);
	if (cf_engine_reload(r->v[0].engine, cfg, err, errlen) < 0)
		return -1;
	if (r->threads_on)
		failed = cf_workers_command(r, CMD_RELOAD, cfg, err, errlen);
	if (failed == 0)
		r->reloads++;
	return failed;
}

void cf_runner_hold(struct cf_runner *r)
{
	if (!r->threads_on)
		return;
	atomic_store(&r->hold, 1);
	(void)cf_workers_command(r, CMD_HOLD, NULL, NULL, 0);
}

void cf_runner_release(struct cf_runner *r)
{
	atomic_store(&r->hold, 0);
	futex_wake_all(&r->hold);
}

/* Engine k's numbers: asked of its thread while it runs, else read. */
static void engine_numbers(struct cf_runner *r, unsigned k, struct cf_run_totals *t,
			   struct cf_engine_stats *st)
{
	if (k > 0 && r->threads_on) {
		*t = r->v[k].snap_t;
		*st = r->v[k].snap_st;
		return;
	}
	memset(t, 0, sizeof(*t));
	cf_engine_totals(r->v[k].engine, t);
	cf_engine_get_stats(r->v[k].engine, st);
}

static void add_stats(struct cf_engine_stats *to, const struct cf_engine_stats *s)
{
	int v;

	to->alerts += s->alerts;
	to->audited += s->audited;
	if (s->max_severity > to->max_severity)
		to->max_severity = s->max_severity;
	for (v = 0; v <= CF_SEV_CRITICAL; v++)
		to->by_severity[v] += s->by_severity[v];
	to->headers_only_undone += s->headers_only_undone;
}

void cf_runner_numbers(struct cf_runner *r, struct cf_run_totals *t,
		       struct cf_engine_stats *st)
{
	struct cf_run_totals all, one;
	struct cf_engine_stats sum, s;
	struct cf_output_stats os;
	unsigned k;

	if (r->la != NULL)
		la_drain(r);
	if (r->threads_on) {
		cf_reader_sums_flush(r);        /* every count in first */
		(void)cf_workers_command(r, CMD_SNAP, NULL, NULL, 0);
	}
	memset(&all, 0, sizeof(all));
	memset(&sum, 0, sizeof(sum));
	for (k = 0; k < r->n; k++) {
		if (r->v[k].engine == NULL)
			continue;
		engine_numbers(r, k, &one, &s);
		if (r->n == 1)
			all = one;
		else
			cf_run_totals_add(&all, &one, k > 0);
		add_stats(&sum, &s);
	}
	if (r->calls != NULL) {         /* one call table for every engine */
		cf_calls_get_stats(r->calls, &all.calls);
		cf_calls_get_rows(r->calls, &all);
	}
	/* the outputs are shared: their errors once, not once per engine */
	cf_outputs_get_stats(r->out, &os);
	all.output_errors = os.write_errors;
	/* frames, bytes, decode outcomes and times are the reader's */
	all.first_us = r->fc.first_us;
	all.last_us = r->fc.now_us;
	all.bytes_read = r->fc.bytes;
	all.decode = r->dec;
	sum.packets = r->fc.packets;
	sum.bytes = r->fc.bytes;
	sum.first_us = r->fc.first_us;
	sum.last_us = r->fc.now_us;
	sum.reloads = r->reloads;
	if (t != NULL)
		*t = all;
	if (st != NULL)
		*st = sum;
}

/* One thread: the runner takes frames again afterwards (the fuzzer's
 * reuse); N: the threads are gone. */
void cf_runner_finish(struct cf_runner *r)
{
	if (r->n == 1) {
		if (r->la != NULL)
			la_drain(r);
		cf_engine_finish(r->v[0].engine);
		cf_engine_calls_flush(r->v[0].engine);
		return;
	}
	if (r->finished)
		return;
	r->finished = 1;
	cf_workers_finish(r);
	/* every worker's flows have ended and the calls still open are
	   written (by every engine, cf_workers_finish): the outputs flush */
	if (r->v[0].engine != NULL)
		cf_engine_calls_flush(r->v[0].engine);
}

struct cf_report *cf_runner_report(struct cf_runner *r)
{
	unsigned i;

	if (r->n == 1)
		return cf_engine_report(r->v[0].engine);
	if (r->merged != NULL)
		return r->merged;
	r->merged = cf_report_new();
	for (i = 0; r->merged != NULL && i < r->n; i++)
		if (r->v[i].engine != NULL &&
		    cf_report_merge(r->merged, cf_engine_report(r->v[i].engine)) < 0) {
			cf_report_free(r->merged);
			r->merged = NULL;
		}
	return r->merged;
}

const struct cf_policy *cf_runner_policy(const struct cf_runner *r)
{
	return cf_engine_policy(r->v[0].engine);
}

unsigned cf_runner_threads(const struct cf_runner *r)
{
	return r->n;
}

void cf_runner_thread_counts(const struct cf_runner *r, unsigned k,
			     uint64_t *packets, uint64_t *shared)
{
	*packets = r->v[k].fed;
	*shared = r->v[k].fed_shared;
}

uint64_t cf_runner_shared(const struct cf_runner *r)
{
	return r->shared;
}

void cf_runner_describe(const struct cf_runner *r, FILE *fp)
{
	if (r->n > 1)
		cf_workers_describe(r, fp);
}

int cf_runner_start(struct cf_runner *r, char *err, size_t errlen)
{
	if (r->n == 1)
		return 0;
	return cf_workers_start(r, err, errlen);
}

struct cf_runner *cf_runner_new(const struct cf_engine_config *cfg, unsigned threads,
				unsigned flags, struct cf_outputs *out,
				char *err, size_t errlen)
{
	struct cf_runner *r;
	struct cf_engine_config c;

	if (threads < 1 || threads > CF_MAX_THREADS) {
		snprintf(err, errlen, "--threads: %u is not between 1 and %d", threads,
			 CF_MAX_THREADS);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->v = calloc(threads, sizeof(*r->v))) == NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->n = threads;
	r->out = out;
	r->calls = cf_calls_new(out, !(flags & CF_RUNNER_FILES), cf_engine_held_writer());
	if (r->calls == NULL) {
		free(r->v);
		free(r);
		snprintf(err, errlen, "out of memory (the call table)");
		return NULL;
	}
	c = *cfg;
	c.calls = r->calls;
	cfg = &c;
	r->cfg = *cfg;
	r->n_ifnames = 1;             /* ifnames[0]: NULL, the configured one */
	r->v[0].r = r;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (threads > 1) {
		if (cf_workers_setup(r, cfg, flags, err, errlen) != 0) {
			cf_runner_finish(r);
			cf_runner_free(r);
			return NULL;
		}
		return r;
	}
	r->v[0].engine = cf_engine_new(cfg, out, err, errlen);
	if (r->v[0].engine == NULL) {
		cf_runner_free(r);
		return NULL;
	}
	/* files: handle each frame two frames late, its flow fetched ahead
	 * (without the memory for it, as before) */
	if (flags & CF_RUNNER_FILES)
		r->la = calloc(LA_SLOTS, sizeof(*r->la));
	return r;
}

void cf_runner_free(struct cf_runner *r)
{
	unsigned i;

	if (r == NULL)
		return;
	if (r->n > 1) {
		cf_runner_finish(r);
		cf_workers_free(r);
	}
	for (i = 0; i < r->n; i++)
		if (r->v[i].engine != NULL)
			cf_engine_free(r->v[i].engine);
	if (r->merged != NULL)
		cf_report_free(r->merged);
	free(r->la);
	cf_calls_free(r->calls);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r->v);
	free(r);
}
