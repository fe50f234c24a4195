/*
 * workers.c - the runner with N threads (workers.h): set-up, the start of
 * the worker threads, the commands they carry out in order with their
 * packets, the end.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify-ndpi.h"
#include "engine/calls.h"
#include "engine/workers.h"
#include "util/prefault.h"

/*
 * Per worker; a power of two.  8 MiB: 4 made the worker sleep twice as
 * often as 16 (each wake-up a system call and an interrupt between
 * processors, about 8% more wall time on the gateway mix); 16 took 8 MiB
 * more memory backed at the start for no gain on the real-traffic mix
 * (memory first touched is dear on the VMs measured: some 1.5 ms a MiB
 * when the host has not backed it yet).  With many workers the rings
 * share RINGS_TOTAL (at least RING_MIN each): --threads 64 should not
 * hold a gigabyte of rings.
 */
#define RING_MAX (8u << 20)
#define RING_MIN (2u << 20)
#define RINGS_TOTAL (64u << 20)
#define SEEN_MIN (1u << 16)            /* slots of the reader's flow table at first (1.5 MiB) */
#define SUMS_MAX (1u << 16)            /* flows with counts kept at once (6 MiB, filled from the front) */
#define SUMS_TEST 16                   /* ... under CALLFENCE_TEST_SWING */
#define REBALANCE_EVERY 4096           /* packets between two looks (flowmap.c) */
/*
 * For the tests (callfence(8), ENVIRONMENT): CALLFENCE_TEST_SWING=N swings
 * the reader's part of new flows between nothing and an equal part every
 * N packets, and starts its flow table at SEEN_TEST slots, so that flows
 * of one capture go to every worker, the table grows, fills and lets
 * stale entries go, all on small captures.
 */
#define SEEN_TEST (1u << 10)
/* ... and makes the rings this small, so that they wrap and fill (more
 * than a record of the largest frame libpcap reads, 262144 bytes) */
#define RING_TEST (512u << 10)
/* calls still open at the end from which every engine writes a part */
#define CALLS_END_PARTED 64

/* Wait until every started worker has made its ring and engine (or
 * failed: -1, with the first failure's message in err). */
static int workers_made(struct cf_runner *r, char *err, size_t errlen)
{
	unsigned i, started = 0;
	int rc = 0;

	for (i = 1; i < r->n; i++)
		started += (unsigned)r->v[i].started;
	pthread_mutex_lock(&r->mu);
	while (r->made < started)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	for (i = 1; i < r->n; i++)
		if (r->v[i].started && !r->v[i].ready) {
			if (rc == 0 && err != NULL)
				snprintf(err, errlen, "%s", r->v[i].err);
			rc = -1;
		}
	return rc;
}

/* Start the worker threads (not waiting for them). */
static int workers_spawn(struct cf_runner *r, char *err, size_t errlen)
{
	unsigned i;
	int rc;

	r->threads_on = 1;
	for (i = 1; i < r->n; i++) {
		rc = pthread_create(&r->v[i].thread, NULL, cf_worker_main, &r->v[i]);
		if (rc != 0) {
			snprintf(err, errlen, "--threads %u: cannot start thread %u: %s",
				 r->n, i + 1, strerror(rc));
			return -1;
		}
		r->v[i].started = 1;
	}
	return 0;
}

int cf_workers_start(struct cf_runner *r, char *err, size_t errlen)
{
	if (r->threads_on)
		return 0;
	if (workers_spawn(r, err, errlen) != 0) {
		(void)workers_made(r, NULL, 0);
		return -1;
	}
	return workers_made(r, err, errlen);
}

/* The sizes (rings, tables), or the test's small ones. */
static uint32_t workers_sizes(struct cf_runner *r, uint32_t *ring)
{
	const char *test = getenv("CALLFENCE_TEST_SWING");
	uint32_t slots = SEEN_MIN;

	*ring = RING_MAX;
	while (*ring > RING_MIN && (uint64_t)*ring * (r->n - 1) > RINGS_TOTAL)
		*ring /= 2;
	r->every = REBALANCE_EVERY;
	r->sums_max = SUMS_MAX;
	if (test != NULL && *test != '\0') {
		char *end;
		unsigned long v = strtoul(test, &end, 10);

		if (*end == '\0' && v > 0 && v < UINT32_MAX) {
			r->every = v;
			r->swing = 1;
			slots = SEEN_TEST;
			*ring = RING_TEST;
			r->sums_max = SUMS_TEST;
		}
	}
	return slots;
}

/*
 * The N-thread runner for cfg (the whole budget: each engine gets its
 * part of --max-flows and --ndpi-flows).  Capture files: the threads
 * start now and make their engines while the reader makes its tables
 * and worker 0's engine.  Live: every engine is made here, the threads
 * start later (cf_workers_start).  -1 with a message in err.
 */
int cf_workers_setup(struct cf_runner *r, const struct cf_engine_config *cfg,
		     unsigned flags, char *err, size_t errlen)
{
	struct cf_engine_config c = *cfg;
	uint32_t slots, ring;
	unsigned i, n = r->n;

	slots = workers_sizes(r, &ring);
	c.limits.max_flows = (cfg->limits.max_flows + n - 1) / n;
	if (c.limits.max_flows < 1)
		c.limits.max_flows = 1;
	if (cfg->ndpi_flows != 0)
		c.ndpi_flows = (cfg->ndpi_flows + n - 1) / n;
	r->cfg = c;
	for (i = 0; i < n; i++) {
		r->v[i].r = r;
		r->v[i].ring.size = ring;
	}
	/* nDPI's first module is made alone: made here, the workers' and
	   the reader's are made at the same time (classify-ndpi.h) */
	if (n > 1)
		cf_ndpi_prepare();
	if ((flags & CF_RUNNER_LIVE) == 0 && workers_spawn(r, err, errlen) != 0)
		goto fail;
	if (cf_flowmap_init(r, cfg, slots) != 0) {
		snprintf(err, errlen, "out of memory (the reader's tables)");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && !(flags & CF_RUNNER_LIVE))
			break;          /* the threads make theirs */
		r->v[i].engine = cf_engine_new(&c, r->out, err, errlen);
		if (r->v[i].engine == NULL)
			goto fail;
	}
	if (workers_made(r, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	(void)workers_made(r, NULL, 0);
	return -1;
}

/*
 * Every worker carries out command c in its turn (workers.h); worker 0,
 * the reader's own, at once.  Waits for them all.  The number of workers
 * whose command failed (a reload), the first one's message in err.
 */
int cf_workers_command(struct cf_runner *r, enum cmd c,
		       const struct cf_engine_config *cfg, char *err, size_t errlen)
{
	unsigned i, want = 0;
	uint32_t got;
	int failed = 0;

	r->cmd = c;
	r->cmd_cfg = cfg;
	atomic_store(&r->acks, 0);
	for (i = 1; i < r->n; i++)
		if (r->v[i].ready) {
			r->v[i].cmd_rc = 0;
			cf_reader_push(r, i, R_CMD);
			want++;
		}
	cf_reader_publish(r);
	while ((got = atomic_load(&r->acks)) < want)
		futex_wait(&r->acks, got);
	for (i = 1; i < r->n; i++)
		if (r->v[i].ready && r->v[i].cmd_rc < 0 && failed++ == 0 && err != NULL)
			snprintf(err, errlen, "%s", r->v[i].cmd_err);
	r->cmd = CMD_NONE;
	return failed;
}

/*
 * The end, every worker's flows ended: the calls still open and the flows
 * they held are written by every engine at once, each its part (calls.h's
 * cf_calls_end_*), instead of all by worker 0's while the other CPUs idle
 * (7% of a two-thread real-mix run, all of it after the last packet).
 * The workers wait in their threads for their part (worker.c: the
 * sandbox allows no new thread by now).  Few calls, or a worker that is
 * not running: worker 0 writes them all.
 */
static void calls_end(struct cf_runner *r)
{
	unsigned i, running = 0;
	size_t n = 0;
	int parts = -1;

	for (i = 1; i < r->n; i++)
		running += (unsigned)(r->v[i].started && r->v[i].ready);
	pthread_mutex_lock(&r->mu);
	while (r->ended < running)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	if (r->v[0].engine != NULL) {
		n = cf_calls_end_begin(r->calls);
		parts = n >= CALLS_END_PARTED && running == r->n - 1 ? (int)r->n : 1;
	}
	pthread_mutex_lock(&r->mu);
	r->calls_parts = parts;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	if (parts > 0) {
		cf_engine_calls_part(r->v[0].engine, 0, (unsigned)parts);
		for (i = 1; i < r->n; i++)     /* the others' parts are written */
			if (r->v[i].started && (int)i < parts) {
				pthread_join(r->v[i].thread, NULL);
				r->v[i].started = 0;
			}
		cf_calls_end_finish(r->calls);
	}
}

void cf_workers_finish(struct cf_runner *r)
{
	unsigned i;

	if (r->sums != NULL)
		cf_reader_sums_flush(r);
	for (i = 1; i < r->n; i++)
		if (r->v[i].ready)
			cf_reader_push(r, i, R_END);
	cf_reader_publish(r);
	/* worker 0's flows end here, while the others end theirs */
	if (r->v[0].engine != NULL)
		cf_engine_finish(r->v[0].engine);
	calls_end(r);
	if (r->v[0].engine != NULL)
		r->v[0].cpu_seconds = cf_thread_cpu();
	for (i = 1; i < r->n; i++)
		if (r->v[i].started) {
			pthread_join(r->v[i].thread, NULL);
			r->v[i].started = 0;
		}
	r->threads_on = 0;
}

void cf_workers_describe(const struct cf_runner *r, FILE *fp)
{
	struct cf_engine_stats st;
	uint64_t undone = 0;
	unsigned i;

	for (i = 0; i < r->n; i++) {
		cf_engine_get_stats(r->v[i].engine, &st);
		undone += st.headers_only_undone;
	}
	fprintf(fp, "callfence: reader and worker 0: %.3f s CPU\n", r->v[0].cpu_seconds);
	if (r->n > 1)
		fprintf(fp, "callfence: reader: took %.1f%% of new flows at the end (%.1f%% to %.1f%%, "
			"%llu moves)%s; its flow table %u slots, rebuilt %llu times\n",
			100.0 * (double)r->share0 / (double)(1ull << 32),
			100.0 * (double)r->share_lo / (double)(1ull << 32),
			100.0 * (double)r->share_hi / (double)(1ull << 32),
			(unsigned long long)r->share_moves,
			r->seen_full ? ", then the table was full and the part fixed" : "",
			r->seen_mask + 1, (unsigned long long)r->seen_grown);
	fprintf(fp, "callfence: reader: waited %llu times for a full ring; %llu packets "
		"handed over as headers only met a flow still classifying\n",
		(unsigned long long)r->reader_waits, (unsigned long long)undone);
	fprintf(fp, "callfence: reader: counted %llu packets past classifying itself "
		"(%llu the fast way), handed over as %llu counts (%llu times early: %u flows at once)\n",
		(unsigned long long)r->summed, (unsigned long long)r->summed_fast,
		(unsigned long long)r->sums_sent,
		(unsigned long long)r->sums_full, r->sums_max);
	if (r->n > 1) {
		uint64_t lost = 0;

		for (i = 1; i < r->n; i++)
			lost += r->v[i].notes_lost;
		fprintf(fp, "callfence: reader: %llu flows done classifying told by their workers "
			"(%llu too late, %llu lost to a full ring)\n",
			(unsigned long long)r->notes_used, (unsigned long long)r->notes_stale,
			(unsigned long long)lost);
	}
	for (i = 1; i < r->n; i++)
		fprintf(fp, "callfence: worker %u: %.3f s CPU, ring empty %llu times, slept %llu\n",
			i, r->v[i].cpu_seconds, (unsigned long long)r->v[i].waits,
			(unsigned long long)r->v[i].sleeps);
}

void cf_workers_free(struct cf_runner *r)
{
	unsigned i;

	for (i = 0; i < r->n; i++) {
		cf_big_free(r->v[i].ring.buf);
		free(r->v[i].notes);
	}
	cf_big_free(r->seen);
	cf_big_free(r->sums);
	free(r->hot);
}
