/*
 * flowmap.c - which worker a flow goes to: the reader's flow table (one
 * entry per flow hash: its worker and how many packets it had) and the
 * part of new flows the reader keeps for worker 0, its own engine.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/workers.h"
#include "util/netaddr.h"
#include "util/prefault.h"

#define SEEN_MAX (1u << 24)            /* slots at most (384 MiB) */
/*
 * Worker 0 is the reader: reading and decoding every packet is its work
 * too, so it takes a smaller part of the new flows than a ring worker.
 * How much smaller depends on the traffic: on long media flows reading is
 * most of the work and the reader should take almost no flows, on short
 * flows it should take nearly as many as the others.  So the part adapts
 * (rebalance): it starts at START_SHARE of an equal part and moves by
 * SHARE_STEP every REBALANCE_EVERY packets (workers.c), towards the
 * reader when the rings fill, away from it when a worker has to sleep
 * for want of packets.  A flow keeps the worker it was given: the reader remembers it
 * (struct seen) until every worker has certainly ended the flow.  One
 * reader thread plus N - 1 workers keeps N threads on N cores; a separate
 * reader would make N + 1.
 */
#define START_SHARE 0.4
#define SHARE_STEP ((1ull << 32) / 128)
/*
 * An entry of the reader's flow table may go (its flows given a worker
 * anew) once the flows can only have ended everywhere: idle longer than
 * the longest idle timeout, plus this margin for the expiry that runs once
 * a second of packet time (runner.c).
 */
#define STALE_MARGIN_US (3ull * 1000000)

/* The worker for a new flow of hash h, by the current share0. */
unsigned cf_flowmap_owner(const struct cf_runner *r, uint64_t h)
{
	uint64_t x = h >> 32;           /* uniform in [0, 2^32) */

	if (x < r->share0)
		return 0;
	return 1 + (unsigned)((x - r->share0) * (r->n - 1) / ((1ull << 32) - r->share0));
}

/* ---- the reader's flow table ------------------------------------------ */


/*
 * One entry per flow hash: which worker its flows go to, and how many
 * packets it has had (for past_classifying).  An entry stays while its
 * flows may be alive in a worker; after that (stale) its slot may be
 * taken and its flows, should they come back, may go elsewhere - as new
 * flows, which they are by then in the worker too.  The clock is the
 * frame clock every engine is driven by (a running maximum), so "stale"
 * never comes early.  Two flows with one 64-bit hash share an entry and
 * a worker, which is harmless.  The table doubles at half full (stale
 * entries are dropped then); at SEEN_MAX it stops growing, and share0
 * stops moving (frozen): from then on a flow that found no room gets the
 * worker owner() gives it, and owner() no longer changes its answer.
 */
/* The entry's clock at its flow's last packet: counted on the fast way
 * (sum_fast), that packet is in its struct sum only. */
static uint32_t entry_last(const struct cf_runner *r, const struct seen *e)
{
	if (e->sum != 0 && (int32_t)(r->sums[e->sum - 1].clock - e->last) > 0)
		return r->sums[e->sum - 1].clock;
	return e->last;
}

static int stale(const struct cf_runner *r, const struct seen *e, uint32_t now)
{
	return now - entry_last(r, e) > r->stale_units;
}

static int seen_rebuild(struct cf_runner *r)
{
	uint32_t now = (uint32_t)(r->fc.now_us >> 16);
	uint32_t live = 0, size, i, j, old = r->seen_mask + 1;
	struct seen *t;

	cf_reader_sums_flush(r);          /* they name slots of this table */
	for (i = 0; i < old; i++)
		if (r->seen[i].hash != 0 && !stale(r, &r->seen[i], now))
			live++;
	size = old;
	while (size < r->seen_max && live >= size / 4)
		size *= 2;
	if (live >= size / 4 && size == old)
		t = NULL;               /* no room left */
	else
		t = cf_big_alloc(size, sizeof(*t));
	if (t == NULL) {
		/* owner() stays as it is from now on; look again (the scan
		 * costs a pass over the table) only after as many packets */
		r->frozen = 1;
		r->seen_full++;
		r->seen_retry = r->fc.packets + old;
		return -1;
	}
	cf_prefault(t, (size_t)size * sizeof(*t));
	for (i = 0; i < old; i++) {
		const struct seen *e = &r->seen[i];

		if (e->hash == 0 || stale(r, e, now))
			continue;
		for (j = (uint32_t)e->hash & (size - 1); t[j].hash != 0; j = (j + 1) & (size - 1))
			;
		t[j] = *e;
	}
	cf_big_free(r->seen);
	r->seen = t;
	r->seen_mask = size - 1;
	r->seen_used = live;
	r->seen_grown++;
	return 0;
}

/*
 * The entry of hash h, made when there is none (NULL only when the table
 * is full).  *gap: the reader's clock since the entry's last packet, in
 * units of 2^16 us (0 for a new or stale entry, whose worker was just
 * chosen).
 */
struct seen *cf_flowmap_get(struct cf_runner *r, uint64_t h, uint32_t *gap)
{
	uint32_t now = (uint32_t)(r->fc.now_us >> 16);
	struct seen *e, *reuse = NULL;
	uint32_t i;

	for (i = (uint32_t)h & r->seen_mask;; i = (i + 1) & r->seen_mask) {
		e = &r->seen[i];
		if (e->hash == h) {
			*gap = now - entry_last(r, e);
			if (stale(r, e, now)) {
				if (e->sum != 0)
					cf_reader_sum_send(r, &r->sums[e->sum - 1]);
				e->owner = (uint8_t)cf_flowmap_owner(r, h);
				e->count = 0;
				e->gen = ++r->gen_next;
				*gap = 0;
			}
			e->last = now;
			return e;
		}
		if (e->hash == 0)
			break;
		if (reuse == NULL && stale(r, e, now))
			reuse = e;
	}
	*gap = 0;
	if (reuse != NULL) {
		e = reuse;
		if (e->sum != 0)
			cf_reader_sum_send(r, &r->sums[e->sum - 1]);
	} else {
		if (r->seen_used + 1 > (r->seen_mask + 1) / 2) {
			if (r->fc.packets < r->seen_retry || seen_rebuild(r) != 0)
				return NULL;
			return cf_flowmap_get(r, h, gap);
		}
		r->seen_used++;
	}
	e->hash = h;
	e->last = now;
	e->sum = 0;
	e->count = 0;
	e->gen = ++r->gen_next;
	e->owner = (uint8_t)cf_flowmap_owner(r, h);
	return e;
}

/*
 * Move worker 0's part of new flows towards the balance (see the top).
 * Every REBALANCE_EVERY packets: a full ring (the reader waited) or rings
 * more than half full say the workers are behind, so the reader takes
 * more; a worker that slept for want of packets says the reader is
 * behind, so it takes fewer.
 */
void cf_flowmap_rebalance(struct cf_runner *r)
{
	uint64_t sleeps = 0, fill = 0, waits = r->reader_waits - r->ctl_waits;
	unsigned k;

	for (k = 1; k < r->n; k++) {
		struct ring *q = &r->v[k].ring;

		sleeps += atomic_load_explicit(&r->v[k].sleeps, memory_order_relaxed);
		fill += q->p_head - atomic_load_explicit(&q->tail, memory_order_relaxed);
	}
	r->ctl_waits = r->reader_waits;
	if (r->swing) {
		/* at random, not in step with the capture's own rhythm */
		r->share0 = cf_mix64(r->seed ^ ++r->ctl_looks) & 1 ? r->share0_max : 0;
		r->share_moves++;
	} else if (waits > 0 || fill > (uint64_t)(r->n - 1) * r->v[1].ring.size / 2) {
		r->share0 = r->share0 + SHARE_STEP < r->share0_max ?
			    r->share0 + SHARE_STEP : r->share0_max;
		r->share_moves++;
	} else if (sleeps != r->ctl_sleeps) {
		r->share0 = r->share0 > SHARE_STEP ? r->share0 - SHARE_STEP : 0;
		r->share_moves++;
	}
	r->ctl_sleeps = sleeps;
	if (r->share0 < r->share_lo)
		r->share_lo = r->share0;
	if (r->share0 > r->share_hi)
		r->share_hi = r->share0;
}

/* The entry of hash h, if there is one (no new entry, no clock). */
struct seen *cf_flowmap_find(struct cf_runner *r, uint64_t h)
{
	uint32_t i;

	for (i = (uint32_t)h & r->seen_mask; r->seen[i].hash != 0;
	     i = (i + 1) & r->seen_mask)
		if (r->seen[i].hash == h)
			return &r->seen[i];
	return NULL;
}


/*
 * The table at slots entries, growing to room for twice the flows the
 * workers may hold at a load of 1/2; the pauses that count (from the idle
 * timeouts); worker 0's starting part.  -1 when out of memory.
 */
int cf_flowmap_init(struct cf_runner *r, const struct cf_engine_config *cfg,
		    uint32_t slots)
{
	const struct cf_flow_limits *l = &cfg->limits;
	uint64_t lo = l->tcp_idle_us, hi = l->tcp_idle_us;
	uint64_t v[3] = { l->udp_idle_us, l->other_idle_us, l->closed_us };
	unsigned i;

	r->seen_mask = slots - 1;
	r->seen_max = slots;
	while (r->seen_max < SEEN_MAX && r->seen_max / 4 < l->max_flows)
		r->seen_max *= 2;
	for (i = 0; i < 3; i++) {
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	r->pause_units = (uint32_t)((lo / 2) >> 16);
	hi = ((hi + STALE_MARGIN_US) >> 16) + 1;
	r->stale_units = hi < UINT32_MAX / 2 ? (uint32_t)hi : UINT32_MAX / 2;
	/* worker 0 also reads: a smaller part of the flows (see the top) */
	r->share0_max = (1ull << 32) / r->n;
	r->share0 = (uint64_t)((double)r->share0_max * START_SHARE);
	r->share_lo = r->share_hi = r->share0;
	r->seed = 0x9e3779b97f4a7c15ULL ^ (uint64_t)time(NULL);
	r->ctl_left = r->every;
	r->note_left = NOTE_POLL;
	r->seen = cf_big_alloc(slots, sizeof(*r->seen));
	/* written from the front before read (not prefaulted: a second's
	   counts take a few pages of it) */
	r->sums = cf_big_alloc_front(r->sums_max, sizeof(*r->sums));
	r->hot = calloc(HOT_SLOTS, sizeof(*r->hot));
	if (r->seen == NULL || r->sums == NULL || r->hot == NULL)
		return -1;
	cf_prefault(r->seen, slots * sizeof(*r->seen));
	return 0;
}
