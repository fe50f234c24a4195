#define _GNU_SOURCE 1
/*
 * worker.c - a worker thread of --threads: its engine fed by the records
 * of its ring, in their order (workers.h), looking a few records ahead.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/workers.h"
#include "util/prefault.h"

#define RELEASE_BYTES (128u << 10)     /* consumed bytes between two tail stores */

double cf_thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Give the consumed bytes back to the reader (and wake it if it waits). */
static void release(struct ring *r)
{
	atomic_store(&r->tail, r->c_tail);
	r->c_released = r->c_tail;
	futex_wake(&r->p_asleep);
}

/*
 * While rec is handled, ask for what the records after it will need: the
 * next one's flow entry (its index slot was asked for a record ago), the
 * second's flow hash (kept in the record), index slot and the rest of
 * the record (the packet's bytes, up to LOOK_BYTES: the recognisers and
 * nDPI read them, each line otherwise a miss to the reader's core, where
 * it was written), and the third's header.  The same two cache misses the
 * runner's look-ahead hides for one thread (runner.c), with no copy: the
 * records stay where they are until released.
 */
#define LOOK_BYTES 1536u
static void look_ahead(struct worker *k, const struct rec *rec)
{
	struct ring *r = &k->ring;
	uint64_t at = r->c_tail + rec->len;
	struct rec *n;
	uint32_t i;

	if (at >= r->c_head)
		return;
	n = (struct rec *)(r->buf + (at & (r->size - 1)));
	if (n->type == R_PKT && (n->flags & REC_HASHED))
		cf_engine_prefetch(k->engine, n->h, 1);
	at += n->len;
	if (at >= r->c_head)
		return;
	n = (struct rec *)(r->buf + (at & (r->size - 1)));
	if (n->type == R_PKT && !(n->flags & REC_HASHED)) {
		n->h = cf_engine_flow_hash(k->engine, &n->pkt);
		n->flags |= REC_HASHED;
		cf_engine_prefetch(k->engine, n->h, 0);
	}
	for (i = 2 * CACHE_LINE; i < n->len && i < LOOK_BYTES; i += CACHE_LINE)
		__builtin_prefetch((const uint8_t *)n + i);
	at += n->len;
	if (at >= r->c_head)
		return;
	n = (struct rec *)(r->buf + (at & (r->size - 1)));
	__builtin_prefetch(n);
	__builtin_prefetch((const uint8_t *)n + CACHE_LINE);
}

/* Tell the reader rec's flow is done classifying (dropped when full). */
static void note_post(struct worker *k, const struct rec *rec, int done)
{
	uint32_t head = atomic_load_explicit(&k->note_head, memory_order_relaxed);
	struct note *nt;

	if (head - atomic_load_explicit(&k->note_tail, memory_order_acquire) >= NOTES) {
		k->notes_lost++;
		return;
	}
	nt = &k->notes[head & (NOTES - 1)];
	nt->hash = rec->rh;
	nt->gen = rec->gen;
	nt->done = (uint8_t)done;
	atomic_store_explicit(&k->note_head, head + 1, memory_order_release);
}

/*
 * Its ring, and its engine unless the runner made it already (live), made
 * here: the start-up's table writes and nDPI's set-up run beside the
 * other workers' and the reader's (set-up waits for them all).  0 when
 * the worker can read.
 */
static int worker_make(struct worker *k)
{
	struct cf_runner *w = k->r;

	k->ring.buf = cf_big_alloc(1, k->ring.size);     /* huge pages, */
	cf_prefault(k->ring.buf, k->ring.size);        /* no faults in the run */
	k->notes = calloc(NOTES, sizeof(*k->notes));
	if (k->ring.buf == NULL || k->notes == NULL)
		snprintf(k->err, sizeof(k->err), "out of memory (a ring of %u MiB)",
			 k->ring.size >> 20);
	else if (k->engine == NULL)
		k->engine = cf_engine_new(&w->cfg, w->out, k->err, sizeof(k->err));
	k->ready = k->ring.buf != NULL && k->notes != NULL && k->engine != NULL;
	pthread_mutex_lock(&w->mu);
	w->made++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return k->ready ? 0 : -1;
}

/*
 * The runner's command (workers.h), in its turn among the packets:
 * carried out, acknowledged, and for a pause held until released.
 */
static void worker_command(struct worker *k)
{
	struct cf_runner *w = k->r;
	int c = w->cmd;

	if (c == CMD_RELOAD) {
		k->cmd_rc = cf_engine_reload(k->engine, w->cmd_cfg, k->cmd_err,
					     sizeof(k->cmd_err));
	} else if (c == CMD_SNAP) {
		memset(&k->snap_t, 0, sizeof(k->snap_t));
		cf_engine_totals(k->engine, &k->snap_t);
		cf_engine_get_stats(k->engine, &k->snap_st);
	}
	atomic_fetch_add(&w->acks, 1);
	futex_wake_all(&w->acks);
	while (c == CMD_HOLD && atomic_load(&w->hold))
		futex_wait(&w->hold, 1);
}

/* A packet record as the engine takes it. */
static void rec_packet(const struct rec *rec, struct cf_packet *pkt)
{
	*pkt = rec->pkt;
	pkt->l3 = (const uint8_t *)rec + REC_HDR;
	pkt->payload = rec->payload_off == UINT32_MAX ? NULL :
		       pkt->l3 + rec->payload_off;
	if (rec->flags & REC_CUT) {
		pkt->payload = NULL;
		pkt->payload_len = 0;
		pkt->l3_len = rec->payload_off;
		pkt->headers_only = 1;
	}
}

/* Carry out one record. */
static void worker_rec(struct worker *k, struct rec *rec)
{
	struct cf_packet pkt;

	if (rec->type == R_PKT) {
		uint32_t h = rec->flags & REC_HASHED ? rec->h :
			     cf_engine_flow_hash(k->engine, &rec->pkt);
		int done;

		rec_packet(rec, &pkt);
		done = cf_engine_packet(k->engine, &pkt, h, k->r->ifnames[rec->iface]);
		if (done && !(rec->flags & REC_CUT))
			note_post(k, rec, done);
	} else if (rec->type == R_SHARED) {
		rec_packet(rec, &pkt);
		cf_engine_shared_only(k->engine, &pkt);
	} else if (rec->type == R_COUNTS) {
		struct counts c;

		memcpy(&c, (const uint8_t *)rec + REC_HDR, sizeof(c));
		cf_engine_counts(k->engine, &rec->pkt, c.n, c.b, c.last_us);
	} else if (rec->type == R_TICK) {
		cf_engine_expire_at(k->engine, rec->pkt.ts_us);
	} else if (rec->type == R_WALL) {
		cf_engine_tick(k->engine, rec->pkt.ts_us);
	} else if (rec->type == R_CMD) {
		worker_command(k);
	}
}

/* This worker's flows have ended: its part of the calls still open, when
 * the reader says (workers.c's calls_end). */
static void calls_part(struct worker *k)
{
	struct cf_runner *w = k->r;
	unsigned i = (unsigned)(k - w->v);
	int parts;

	pthread_mutex_lock(&w->mu);
	w->ended++;
	pthread_cond_broadcast(&w->cv);
	while ((parts = w->calls_parts) == 0)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (parts > 0 && i < (unsigned)parts)
		cf_engine_calls_part(k->engine, i, (unsigned)parts);
}

void *cf_worker_main(void *arg)
{
	struct worker *k = arg;
	struct ring *r = &k->ring;
	unsigned round = 0;
	char name[16];

	/* "cf-worker-3" in top, perf and /proc/PID/task */
	snprintf(name, sizeof(name), "cf-worker-%u", (unsigned)(k - k->r->v));
	pthread_setname_np(pthread_self(), name);
	if (worker_make(k) != 0)
		return NULL;

	for (;;) {
		struct rec *rec;

		if (r->c_tail == r->c_head) {
			if (r->c_tail != r->c_released)
				release(r);
			r->c_head = atomic_load(&r->head);
			if (r->c_tail == r->c_head) {
				if (round == 0)
					k->waits++;
				if (++round < SPIN_ROUNDS) {
					cpu_relax();
					continue;
				}
				atomic_store(&r->c_asleep, 1);
				r->c_head = atomic_load(&r->head);
				if (r->c_tail == r->c_head) {
					atomic_fetch_add_explicit(&k->sleeps, 1,
								  memory_order_relaxed);
					futex_wait(&r->c_asleep, 1);
				}
				atomic_store(&r->c_asleep, 0);
				continue;
			}
			round = 0;
		}
		rec = (struct rec *)(r->buf + (r->c_tail & (r->size - 1)));
		if (rec->type == R_END)
			break;
		look_ahead(k, rec);
		worker_rec(k, rec);
		r->c_tail += rec->len;
		if (r->c_tail - r->c_released >= RELEASE_BYTES)
			release(r);
	}
	/* end of input: every flow of this worker ends (flow events) */
	cf_engine_finish(k->engine);
	calls_part(k);
	k->cpu_seconds = cf_thread_cpu();
	return NULL;
}

