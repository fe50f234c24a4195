#define _GNU_SOURCE 1
/*
 * workers.c - --threads N for capture files (workers.h).
 *
 * Worker 0 runs in the reader's thread, on the packet in libpcap's buffer;
 * it takes a smaller, adapting part of the new flows (rebalance).  Reader to every
 * other worker: one single-producer single-consumer byte ring per worker.
 * A record is a header (type, packet time, the decoded packet) followed
 * by the packet's bytes from its IP header on, so a worker never decodes
 * again.  Records never wrap: when the space left before the end of
 * the buffer is too small, a padding record fills it.  The producer makes
 * its records visible every PUBLISH_EVERY records (and whenever it has to
 * wait); the consumer gives space back every RELEASE_BYTES: the two
 * indexes, each on its own cache line, are touched rarely, not per packet.
 * A full ring makes the reader wait (offline there is nothing to drop);
 * an empty one makes the worker wait.  Either spins a little, then sleeps
 * on a futex after saying so in its "asleep" word; the other side wakes it
 * when it next moves its index.  (Store index, load the other's asleep
 * word; store asleep, load the index: both sequentially consistent, so one
 * of the two always sees the other and no wake-up is lost.)  A sleeping
 * thread leaves the core to the threads that have work, which matters
 * when there are more threads than cores.
 *
 * Packets of flows past classifying do not cross one by one: the reader
 * counts them itself and hands the counts over once a second (sum_add,
 * sum_fast, sums_flush); workers tell it when a flow is done classifying
 * (struct note).  Each worker makes its own ring and engine in its thread
 * while the reader makes worker 0's.
 *
 * Nothing here allocates per packet: the rings are allocated up front.
 */
#include "config.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "classify/classify.h"
#include "output/output.h"
#include "engine/workers.h"
#include "util/prefault.h"

/*
 * Per worker; a power of two.  16 MiB rather than 4: the worker sleeps
 * half as often (each wake-up a system call and an interrupt between
 * processors), about 8% less wall time on the gateway mix (make bench).
 * With many workers the rings share RINGS_TOTAL (at least RING_MIN each):
 * --threads 64 should not hold a gigabyte of rings.
 */
#define RING_MAX (16u << 20)
#define RING_MIN (2u << 20)
#define RINGS_TOTAL (64u << 20)
#define PUBLISH_EVERY 128              /* records between two head stores */
#define RELEASE_BYTES (128u << 10)     /* consumed bytes between two tail stores */
#define CACHE_LINE 64
#define SEEN_MIN (1u << 18)            /* slots of the reader's flow table */
#define SEEN_MAX (1u << 24)            /* ... at most (384 MiB) */
#define SUMS_MAX (1u << 16)            /* flows with counts kept at once (6 MiB) */
#define SUMS_TEST 16                   /* ... under CALLFENCE_TEST_SWING */
#define HOT_SLOTS (1u << 14)           /* the fast way to a flow's counts (64 KiB) */
/*
 * Worker 0 is the reader: reading and decoding every packet is its work
 * too, so it takes a smaller part of the new flows than a ring worker.
 * How much smaller depends on the traffic: on long media flows reading is
 * most of the work and the reader should take almost no flows, on short
 * flows it should take nearly as many as the others.  So the part adapts
 * (rebalance): it starts at START_SHARE of an equal part and moves by
 * SHARE_STEP every REBALANCE_EVERY packets, towards the reader when the
 * rings fill, away from it when a worker has to sleep for want of
 * packets.  A flow keeps the worker it was given: the reader remembers it
 * (struct seen) until every worker has certainly ended the flow.  One
 * reader thread plus N - 1 workers keeps N threads on N cores; a separate
 * reader would make N + 1.
 */
#define START_SHARE 0.4
#define REBALANCE_EVERY 4096
#define SHARE_STEP ((1ull << 32) / 128)
/*
 * An entry of the reader's flow table may go (its flows given a worker
 * anew) once the flows can only have ended everywhere: idle longer than
 * the longest idle timeout, plus this margin for the expiry that runs once
 * a second of packet time (engine.c).
 */
#define STALE_MARGIN_US (3ull * 1000000)
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

enum rec_type { R_PAD = 0, R_PKT, R_SHARED, R_TICK, R_END, R_COUNTS };

struct rec {
	uint32_t len;                  /* whole record, header included, 8-aligned */
	uint16_t type;
	uint16_t flags;                /* REC_CUT, REC_HASHED */
	uint32_t payload_off;          /* payload - l3 */
	uint32_t h;                    /* the flow's hash in the worker's table */
	uint32_t gen;                  /* R_PKT: the reader's entry, as of this */
	uint64_t rh;                   /* packet: its struct seen gen and hash */
	struct cf_packet pkt;          /* l3 and payload: NULL here, set by the worker */
};

#define REC_CUT 1       /* payload left behind (headers only) */
#define REC_HASHED 2    /* h is set (by the worker, looking ahead) */
#define REC_HDR ((uint32_t)((sizeof(struct rec) + 7) & ~(size_t)7))

struct ring {
	_Alignas(CACHE_LINE) _Atomic uint64_t head;   /* bytes written (producer) */
	_Atomic uint32_t c_asleep;                    /* consumer waits on it */
	_Alignas(CACHE_LINE) _Atomic uint64_t tail;   /* bytes consumed (consumer) */
	_Atomic uint32_t p_asleep;                    /* producer waits on it */
	_Alignas(CACHE_LINE) uint64_t p_head;         /* producer's own view */
	uint64_t p_tail;                              /* last tail it read */
	unsigned p_unpublished;
	_Alignas(CACHE_LINE) uint64_t c_tail;         /* consumer's own view */
	uint64_t c_head;                              /* last head it read */
	uint64_t c_released;
	uint8_t *buf;
	uint32_t size;                                /* bytes, a power of two */
};

struct seen {
	uint64_t hash;                 /* the flow's 64-bit hash; 0 free */
	uint32_t last;                 /* the reader's clock at its last packet, >> 16 */
	uint32_t sum;                  /* its struct sum + 1; 0 none */
	uint32_t gen;                  /* a new number at every count from 0 */
	uint8_t count;                 /* packets, up to the cut (PAST_COUNT) */
	uint8_t owner;                 /* the worker its flows go to */
};

/*
 * A worker tells the reader when a flow it was given whole packets of is
 * done classifying (cf_engine_decoded says so): its hash and the gen the
 * packet carried.  The reader treats its next packets as past classifying
 * (counts them itself, or hands them over as headers) instead of waiting
 * for CF_CLASSIFY_MAX_INSPECT + 8 packets.  A notice for an older gen (the
 * reader started counting the flow again since: a SYN, a pause) is
 * ignored.  One single-producer ring a worker, read every NOTE_POLL
 * packets; a full ring drops the notice (the flow then just waits for the
 * count).
 */
struct note {
	uint64_t hash;
	uint32_t gen;
};
#define NOTES 4096                     /* a power of two */
#define NOTE_POLL 512
#define PAST_COUNT (CF_CLASSIFY_MAX_INSPECT + 9)

/*
 * Counts the reader keeps for a flow past classifying (see sum_add): the
 * flow's ends as its first counted packet had them (d 0 is that packet's
 * direction), and per direction packets and IP bytes.
 */
struct counts {
	uint32_t n[2];                 /* packets [d] */
	uint64_t b[2];                 /* IP bytes [d] */
	uint64_t last_us;              /* the latest packet's time */
};

struct sum {
	uint64_t hash;                 /* the flow's, as in its struct seen */
	struct counts c;               /* what an R_COUNTS record carries */
	uint32_t clock;                /* the reader's clock at its last packet, >> 16 */
	uint64_t first_us;             /* the first packet's time */
	cf_addr src, dst;
	uint16_t sport, dport, vlan;
	uint8_t proto, ip_version, icmp_type, icmp_code;
	uint8_t owner;                 /* the worker it goes to */
	uint8_t used;
	uint32_t slot;                 /* its entry in the reader's table */
};

struct worker {
	struct ring ring;
	struct cf_workers *w;
	struct cf_engine *engine;
	pthread_t thread;
	int started;
	struct note *notes;            /* NOTES, the worker to the reader */
	_Alignas(CACHE_LINE) _Atomic uint32_t note_head;  /* written (worker) */
	_Alignas(CACHE_LINE) _Atomic uint32_t note_tail;  /* read (reader) */
	_Alignas(CACHE_LINE) uint64_t waits;  /* times the worker found its ring empty */
	uint64_t notes_lost;           /* notices dropped: the ring was full */
	char err[512];                 /* why its engine could not be made */
	_Atomic uint64_t sleeps;       /* ... and slept on it (the reader reads it) */
	double cpu_seconds;            /* the thread's CPU time, at its end */
};

struct cf_workers {
	unsigned n;
	struct worker *v;
	struct cf_outputs *out;
	struct cf_engine_config cfg;   /* each worker's engine's (its share of the limits) */
	/* the workers make their engines in their own threads, at the same
	   time as the reader makes worker 0's; cf_workers_new waits for them */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned made;                 /* workers whose engine is made (or failed) */
	uint64_t seed;
	uint64_t share0;               /* worker 0's part of new flows, of 2^32 */
	uint64_t share0_max;           /* an equal part */
	int frozen;                    /* share0 may no longer move (table full) */
	struct seen *seen;             /* open addressing, linear probing */
	uint32_t seen_mask;            /* slots - 1 */
	uint32_t seen_used;            /* slots not free */
	uint32_t seen_max;             /* slots at most */
	uint32_t pause_units;          /* a pause that restarts the count */
	uint32_t stale_units;          /* a pause after which an entry may go */
	/* rebalance: counters at the last look, moves, low and high marks */
	uint64_t ctl_left, ctl_looks, ctl_waits, ctl_sleeps;  /* packets to the next look, looks */
	uint64_t share_moves, share_lo, share_hi;
	uint64_t seen_grown, seen_full, seen_retry;
	uint64_t every;                /* REBALANCE_EVERY, or the test's swing */
	int swing;
	/* the reader's own counters and clock */
	struct cf_decode_stats dec;
	struct cf_frame_clock fc;
	/* counts kept for flows past classifying, handed over once a second */
	struct sum *sums;
	uint32_t *hot;                 /* HOT_SLOTS: a struct sum + 1 by hash, 0 none */
	uint32_t sums_used, sums_max;
	uint64_t summed, sums_sent, sums_full, summed_fast;
	uint32_t gen_next;
	uint32_t note_left;            /* packets to the next look at the notices */
	uint64_t notes_used, notes_stale;
	uint64_t reader_waits;         /* times the reader found a ring full */
	struct cf_report *merged;
	int finished;
};

/* ---- waiting ---------------------------------------------------------- */

#define SPIN_ROUNDS 200

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Sleep while *word is 1 (at most 10 ms: a missed wake-up costs no more). */
static void futex_sleep(_Atomic uint32_t *word)
{
	struct timespec ts = { 0, 10000000 };

	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
	if (atomic_load(word)) {
		atomic_store(word, 0);
		syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

/* ---- producer --------------------------------------------------------- */

/*
 * Make the records visible.  A sleeping worker is woken only once a good
 * batch waits for it (a 16th of the ring), or when force says so (the reader is
 * about to wait itself, or the input ended): each wake-up is a system call
 * and, on a virtual machine, an interrupt between processors, so waking a
 * worker for every few packets costs the reader more than it gains.
 */
static void publish(struct ring *r, int force)
{
	atomic_store(&r->head, r->p_head);
	r->p_unpublished = 0;
	if (force || r->p_head - r->p_tail >= r->size / 16)
		futex_wake(&r->c_asleep);
}

/* Room for len contiguous bytes at the head (padding to the buffer's end
 * when needed); waits for the worker.  Returns where to write. */
static uint8_t *ring_reserve(struct cf_workers *w, struct ring *r, uint32_t len)
{
	uint64_t off = r->p_head & (r->size - 1);
	uint32_t need = len;
	unsigned round = 0;

	if (off + len > r->size)
		need = (uint32_t)(r->size - off) + len;
	while (r->p_head + need - r->p_tail > r->size) {
		r->p_tail = atomic_load(&r->tail);
		if (r->p_head + need - r->p_tail <= r->size)
			break;
		if (round == 0) {
			publish(r, 1);
			w->reader_waits++;
		}
		if (++round < SPIN_ROUNDS) {
			cpu_relax();
			continue;
		}
		atomic_store(&r->p_asleep, 1);
		r->p_tail = atomic_load(&r->tail);
		if (r->p_head + need - r->p_tail <= r->size) {
			atomic_store(&r->p_asleep, 0);
			break;
		}
		futex_sleep(&r->p_asleep);
	}
	if (off + len > r->size) {
		struct rec *pad = (struct rec *)(r->buf + off);

		pad->len = (uint32_t)(r->size - off);
		pad->type = R_PAD;
		r->p_head += pad->len;
		off = 0;
	}
	return r->buf + off;
}

static void ring_commit(struct ring *r, uint32_t len)
{
	r->p_head += len;
	if (++r->p_unpublished >= PUBLISH_EVERY)
		publish(r, 0);
}

static void push(struct cf_workers *w, struct worker *k, enum rec_type type,
		 const struct cf_packet *pkt, int cut, const struct seen *e)
{
	uint32_t data = type == R_TICK || type == R_END ? 0 : pkt->l3_len;
	uint32_t len;
	struct rec *rec;

	if (cut && pkt->payload != NULL)
		data = (uint32_t)(pkt->payload - pkt->l3);    /* the headers */
	len = (REC_HDR + data + 7) & ~7u;
	rec = (struct rec *)ring_reserve(w, &k->ring, len);

	rec->len = len;
	rec->type = (uint16_t)type;
	rec->flags = cut && pkt != NULL && pkt->payload != NULL ? REC_CUT : 0;
	rec->rh = e != NULL ? e->hash : 0;
	rec->gen = e != NULL ? e->gen : 0;
	if (pkt != NULL) {
		rec->pkt = *pkt;
		rec->pkt.l3 = NULL;
		rec->pkt.payload = NULL;
		rec->payload_off = pkt->payload != NULL ?
			(uint32_t)(pkt->payload - pkt->l3) : UINT32_MAX;
		if (data > 0)
			memcpy((uint8_t *)rec + REC_HDR, pkt->l3, data);
	}
	ring_commit(&k->ring, len);
}

/* An R_COUNTS record: the flow's ends in pkt, its counts after the header. */
static void push_counts(struct cf_workers *w, struct worker *k,
			const struct cf_packet *pkt, const struct counts *c)
{
	uint32_t len = (REC_HDR + (uint32_t)sizeof(*c) + 7) & ~7u;
	struct rec *rec = (struct rec *)ring_reserve(w, &k->ring, len);

	rec->len = len;
	rec->type = R_COUNTS;
	rec->flags = 0;
	rec->rh = 0;
	rec->gen = 0;
	rec->pkt = *pkt;
	rec->payload_off = UINT32_MAX;
	memcpy((uint8_t *)rec + REC_HDR, c, sizeof(*c));
	ring_commit(&k->ring, len);
}

/* ---- the symmetric flow hash ------------------------------------------ */

/*
 * One end: keyed by the seed, mixed so that its bits spread.  An IPv4 end
 * (::ffff:a.b.c.d: the first ten bytes 0) has a 16-bit hole where the
 * port fits, so address and port are one 64-bit word and one mix does
 * (cf_mix64 is a bijection: distinct ends never share a hash here); other
 * addresses take three.  Every packet pays this, so it matters.
 */
static uint64_t end_hash(uint64_t seed, const cf_addr *a, uint16_t port)
{
	uint64_t v[2];

	memcpy(v, a->b, sizeof(v));
	if (v[0] == 0 && (v[1] & 0xffff) == 0)
		return cf_mix64(seed ^ v[1] ^ port);
	return cf_mix64(seed ^ cf_mix64(v[0] ^ cf_mix64(v[1] ^ port)));
}

/* The same for both directions: the two ends' hashes are added. */
static uint64_t flow_hash(const struct cf_workers *w, const struct cf_packet *p)
{
	uint64_t h = end_hash(w->seed, &p->src, p->sport) +
		     end_hash(w->seed, &p->dst, p->dport);

	h = cf_mix64(h ^ ((uint64_t)p->vlan << 8 | p->proto));
	return h ? h : 1;               /* 0 marks a free slot of the seen table */
}

/* The worker for a new flow of hash h, by the current share0. */
static unsigned owner(const struct cf_workers *w, uint64_t h)
{
	uint64_t x = h >> 32;           /* uniform in [0, 2^32) */

	if (x < w->share0)
		return 0;
	return 1 + (unsigned)((x - w->share0) * (w->n - 1) / ((1ull << 32) - w->share0));
}

/* ---- the reader's flow table ------------------------------------------ */

static void sum_send(struct cf_workers *w, struct sum *m);
static void sums_flush(struct cf_workers *w);

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
static uint32_t entry_last(const struct cf_workers *w, const struct seen *e)
{
	if (e->sum != 0 && (int32_t)(w->sums[e->sum - 1].clock - e->last) > 0)
		return w->sums[e->sum - 1].clock;
	return e->last;
}

static int stale(const struct cf_workers *w, const struct seen *e, uint32_t now)
{
	return now - entry_last(w, e) > w->stale_units;
}

static int seen_rebuild(struct cf_workers *w)
{
	uint32_t now = (uint32_t)(w->fc.now_us >> 16);
	uint32_t live = 0, size, i, j, old = w->seen_mask + 1;
	struct seen *t;

	sums_flush(w);          /* they name slots of this table */
	for (i = 0; i < old; i++)
		if (w->seen[i].hash != 0 && !stale(w, &w->seen[i], now))
			live++;
	size = old;
	while (size < w->seen_max && live >= size / 4)
		size *= 2;
	if (live >= size / 4 && size == old)
		t = NULL;               /* no room left */
	else
		t = cf_big_alloc(size, sizeof(*t));
	if (t == NULL) {
		/* owner() stays as it is from now on; look again (the scan
		 * costs a pass over the table) only after as many packets */
		w->frozen = 1;
		w->seen_full++;
		w->seen_retry = w->fc.packets + old;
		return -1;
	}
	cf_prefault(t, (size_t)size * sizeof(*t));
	for (i = 0; i < old; i++) {
		const struct seen *e = &w->seen[i];

		if (e->hash == 0 || stale(w, e, now))
			continue;
		for (j = (uint32_t)e->hash & (size - 1); t[j].hash != 0; j = (j + 1) & (size - 1))
			;
		t[j] = *e;
	}
	cf_big_free(w->seen);
	w->seen = t;
	w->seen_mask = size - 1;
	w->seen_used = live;
	w->seen_grown++;
	return 0;
}

/*
 * The entry of hash h, made when there is none (NULL only when the table
 * is full).  *gap: the reader's clock since the entry's last packet, in
 * units of 2^16 us (0 for a new or stale entry, whose worker was just
 * chosen).
 */
static struct seen *seen_get(struct cf_workers *w, uint64_t h, uint32_t *gap)
{
	uint32_t now = (uint32_t)(w->fc.now_us >> 16);
	struct seen *e, *reuse = NULL;
	uint32_t i;

	for (i = (uint32_t)h & w->seen_mask;; i = (i + 1) & w->seen_mask) {
		e = &w->seen[i];
		if (e->hash == h) {
			*gap = now - entry_last(w, e);
			if (stale(w, e, now)) {
				if (e->sum != 0)
					sum_send(w, &w->sums[e->sum - 1]);
				e->owner = (uint8_t)owner(w, h);
				e->count = 0;
				e->gen = ++w->gen_next;
				*gap = 0;
			}
			e->last = now;
			return e;
		}
		if (e->hash == 0)
			break;
		if (reuse == NULL && stale(w, e, now))
			reuse = e;
	}
	*gap = 0;
	if (reuse != NULL) {
		e = reuse;
		if (e->sum != 0)
			sum_send(w, &w->sums[e->sum - 1]);
	} else {
		if (w->seen_used + 1 > (w->seen_mask + 1) / 2) {
			if (w->fc.packets < w->seen_retry || seen_rebuild(w) != 0)
				return NULL;
			return seen_get(w, h, gap);
		}
		w->seen_used++;
	}
	e->hash = h;
	e->last = now;
	e->sum = 0;
	e->count = 0;
	e->gen = ++w->gen_next;
	e->owner = (uint8_t)owner(w, h);
	return e;
}

/*
 * Move worker 0's part of new flows towards the balance (see the top).
 * Every REBALANCE_EVERY packets: a full ring (the reader waited) or rings
 * more than half full say the workers are behind, so the reader takes
 * more; a worker that slept for want of packets says the reader is
 * behind, so it takes fewer.
 */
static void rebalance(struct cf_workers *w)
{
	uint64_t sleeps = 0, fill = 0, waits = w->reader_waits - w->ctl_waits;
	unsigned k;

	for (k = 1; k < w->n; k++) {
		struct ring *r = &w->v[k].ring;

		sleeps += atomic_load_explicit(&w->v[k].sleeps, memory_order_relaxed);
		fill += r->p_head - atomic_load_explicit(&r->tail, memory_order_relaxed);
	}
	w->ctl_waits = w->reader_waits;
	if (w->swing) {
		/* at random, not in step with the capture's own rhythm */
		w->share0 = cf_mix64(w->seed ^ ++w->ctl_looks) & 1 ? w->share0_max : 0;
		w->share_moves++;
	} else if (waits > 0 || fill > (uint64_t)(w->n - 1) * w->v[1].ring.size / 2) {
		w->share0 = w->share0 + SHARE_STEP < w->share0_max ?
			    w->share0 + SHARE_STEP : w->share0_max;
		w->share_moves++;
	} else if (sleeps != w->ctl_sleeps) {
		w->share0 = w->share0 > SHARE_STEP ? w->share0 - SHARE_STEP : 0;
		w->share_moves++;
	}
	w->ctl_sleeps = sleeps;
	if (w->share0 < w->share_lo)
		w->share_lo = w->share0;
	if (w->share0 > w->share_hi)
		w->share_hi = w->share0;
}

/* ---- the reader ------------------------------------------------------- */

/*
 * Is this packet past the point where its flow could still be classified?
 * A flow is done after CF_CLASSIFY_MAX_INSPECT packets at the latest
 * (classify.h), and then no payload is read again: such packets are
 * counted by the reader (sum_add) or, when they cannot be, cross to their
 * worker as headers only - most of the bytes of long media flows.  The
 * reader counts packets per flow in its flow table (its worker may say
 * sooner that the flow is done: struct note); it starts
 * counting again - conservatively - at a TCP SYN, and after a pause long
 * enough that the worker may have ended the flow (half the shortest idle
 * timeout).  What it cannot see is a flow the worker evicted from a full
 * table: such a flow comes back classified from headers only, and counted
 * (headers_only_undone, -v).
 */
static int past_classifying(struct cf_workers *w, struct seen *e, uint32_t gap,
			    const struct cf_packet *p)
{
	if (e == NULL)
		return 0;       /* the table is full: the whole packet crosses */
	if ((p->proto == 6 && (p->tcp_flags & 0x12) == 0x02) ||
	    gap >= w->pause_units) {
		e->count = 0;
		e->gen = ++w->gen_next;
	}
	if (e->count < PAST_COUNT)
		e->count++;
	return e->count >= PAST_COUNT;
}

/* ---- counts of flows past classifying --------------------------------- */

/*
 * Once a flow is past classifying, its packets need nothing from a worker
 * but counting: packets and bytes each way and the time of the last (on
 * the gateway mix, most packets: long media flows).  So the reader adds
 * them up itself (sum_add) and hands each such flow's counts to its
 * worker once a second of packet time, just before the tick that runs the
 * idle expiry (sums_flush), instead of a record a packet: the ring copy,
 * the worker's flow lookup and its cache misses go, for all but a record
 * a flow a second.  What is not counted so: TCP packets with SYN, FIN or
 * RST (they change the flow's state), shared packets, packets after a
 * pause, and packets of another flow with the same 64-bit hash; before
 * such a packet crosses, its flow's counts do (sum_send), so a worker
 * sees each flow's packets in their order.  The counts, first and last
 * times stay exact; what changes is the order in which flows were last
 * touched in a worker's idle lists, by up to a second, which the expiry
 * allows for (cf_flow_expire).  At most sums_max flows have counts kept
 * at once; a full array is handed over early.
 */
static void sum_send(struct cf_workers *w, struct sum *m)
{
	struct seen *e = &w->seen[m->slot];
	uint32_t *hs = &w->hot[(uint32_t)m->hash & (HOT_SLOTS - 1)];
	struct cf_packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.ts_us = m->first_us;
	pkt.src = m->src;
	pkt.dst = m->dst;
	pkt.sport = m->sport;
	pkt.dport = m->dport;
	pkt.vlan = m->vlan;
	pkt.proto = m->proto;
	pkt.ip_version = m->ip_version;
	pkt.icmp_type = m->icmp_type;
	pkt.icmp_code = m->icmp_code;
	pkt.headers_only = 1;
	if ((int32_t)(m->clock - e->last) > 0)
		e->last = m->clock;
	e->sum = 0;
	if (*hs == (uint32_t)(m - w->sums) + 1)
		*hs = 0;
	m->used = 0;
	w->sums_sent++;
	if (m->owner == 0)
		cf_engine_counts(w->v[0].engine, &pkt, m->c.n, m->c.b, m->c.last_us);
	else
		push_counts(w, &w->v[m->owner], &pkt, &m->c);
}

static void sums_flush(struct cf_workers *w)
{
	uint32_t i;

	for (i = 0; i < w->sums_used; i++)
		if (w->sums[i].used)
			sum_send(w, &w->sums[i]);
	w->sums_used = 0;
}

/* p's direction in m's flow (0: that of its first packet), -1 for a
 * packet of another flow (the same 64-bit hash) */
static int sum_dir(const struct sum *m, const struct cf_packet *p)
{
	if (m->proto != p->proto || m->vlan != p->vlan)
		return -1;
	if (m->sport == p->sport && m->dport == p->dport &&
	    memcmp(&m->src, &p->src, sizeof(cf_addr)) == 0 &&
	    memcmp(&m->dst, &p->dst, sizeof(cf_addr)) == 0)
		return 0;
	if (m->sport == p->dport && m->dport == p->sport &&
	    memcmp(&m->src, &p->dst, sizeof(cf_addr)) == 0 &&
	    memcmp(&m->dst, &p->src, sizeof(cf_addr)) == 0)
		return 1;
	return -1;
}

/* No TCP SYN, FIN or RST: nothing in p but counts (flow-table.c). */
static int plain(const struct cf_packet *p)
{
	return !(p->proto == 6 && (p->tcp_flags & 0x07));
}

/* Count p (direction d) into m: 0 when its packet count would overflow. */
static int sum_count(struct cf_workers *w, struct sum *m, int d,
		     const struct cf_packet *p)
{
	if (m->c.n[d] == UINT32_MAX)
		return 0;
	m->c.n[d]++;
	m->c.b[d] += p->ip_len;
	if (p->ts_us > m->c.last_us)
		m->c.last_us = p->ts_us;
	m->clock = (uint32_t)(w->fc.now_us >> 16);
	w->summed++;
	return 1;
}

/* Count p into the sum of its flow (entry e, worker k); 0 when it cannot
 * be counted so. */
static int sum_add(struct cf_workers *w, struct seen *e, unsigned k,
		   const struct cf_packet *p)
{
	struct sum *m;
	int d = 0;

	if (e->sum != 0) {
		m = &w->sums[e->sum - 1];
		d = sum_dir(m, p);
		if (d < 0)
			return 0;
	} else {
		if (w->sums_used == w->sums_max) {
			sums_flush(w);
			w->sums_full++;
		}
		m = &w->sums[w->sums_used++];
		memset(m, 0, sizeof(*m));
		m->src = p->src;
		m->dst = p->dst;
		m->sport = p->sport;
		m->dport = p->dport;
		m->vlan = p->vlan;
		m->proto = p->proto;
		m->ip_version = p->ip_version;
		m->icmp_type = p->icmp_type;
		m->icmp_code = p->icmp_code;
		m->owner = (uint8_t)k;
		m->used = 1;
		m->slot = (uint32_t)(e - w->seen);
		m->hash = e->hash;
		m->first_us = p->ts_us;
		e->sum = w->sums_used;
	}
	w->hot[(uint32_t)e->hash & (HOT_SLOTS - 1)] = e->sum;
	return sum_count(w, m, d, p);
}

/*
 * The fast way for the packets of a flow whose counts are being kept (most
 * packets of long media flows): found by its hash in a small direct-mapped
 * table (HOT_SLOTS) and counted, without the reader's flow table, whose
 * entry is a cache miss a packet (0.3 s of gateway's 6.2 million packets;
 * the hot table and the counts in use stay in the cache).  Only packets
 * sum_add would count the same way go this way: its flow's (both ends
 * match), no TCP SYN, FIN or RST, not shared, no pause since the flow's
 * last packet.  The flow's entry gets its clock when the counts are
 * handed over (sum_send; entry_last meanwhile).
 */
static int sum_fast(struct cf_workers *w, uint64_t h, const struct cf_packet *p)
{
	uint32_t i = w->hot[(uint32_t)h & (HOT_SLOTS - 1)];
	uint32_t now = (uint32_t)(w->fc.now_us >> 16);
	struct sum *m;
	int d;

	if (i == 0)
		return 0;
	m = &w->sums[i - 1];
	if (m->hash != h || !m->used || now - m->clock >= w->pause_units ||
	    !plain(p) || cf_classify_is_shared(p))
		return 0;
	d = sum_dir(m, p);
	if (d < 0 || !sum_count(w, m, d, p))
		return 0;
	w->summed_fast++;
	return 1;
}

/*
 * Hand a record to worker k: worker 0 is the reader itself (its engine
 * runs here, on the packet in libpcap's buffer, no copy); the others get
 * it through their rings.  e: the flow's entry (R_PKT), whose count
 * worker 0 sets at once when the flow is done classifying.
 */
static void deliver(struct cf_workers *w, unsigned k, enum rec_type type,
		    const struct cf_packet *pkt, int cut, struct seen *e)
{
	if (k == 0) {
		if (type == R_PKT) {
			if (cf_engine_decoded(w->v[0].engine, pkt) && e != NULL)
				e->count = PAST_COUNT;
		} else if (type == R_SHARED) {
			cf_engine_shared_only(w->v[0].engine, pkt);
		} else if (type == R_TICK) {
			cf_engine_expire_at(w->v[0].engine, pkt->ts_us);
		}
		return;
	}
	push(w, &w->v[k], type, pkt, cut, e);
}

/* The entry of hash h, if there is one (no new entry, no clock). */
static struct seen *seen_find(struct cf_workers *w, uint64_t h)
{
	uint32_t i;

	for (i = (uint32_t)h & w->seen_mask; w->seen[i].hash != 0;
	     i = (i + 1) & w->seen_mask)
		if (w->seen[i].hash == h)
			return &w->seen[i];
	return NULL;
}

/* The workers' notices of flows done classifying (struct note). */
static void notes_read(struct cf_workers *w)
{
	unsigned i;

	for (i = 1; i < w->n; i++) {
		struct worker *k = &w->v[i];
		uint32_t head = atomic_load_explicit(&k->note_head, memory_order_acquire);
		uint32_t tail = atomic_load_explicit(&k->note_tail, memory_order_relaxed);
		struct seen *e;

		if (head == tail)
			continue;
		for (; tail != head; tail++) {
			const struct note *nt = &k->notes[tail & (NOTES - 1)];

			e = seen_find(w, nt->hash);
			if (e != NULL && e->gen == nt->gen && e->owner == i) {
				e->count = PAST_COUNT;
				w->notes_used++;
			} else {
				w->notes_stale++;
			}
		}
		atomic_store_explicit(&k->note_tail, tail, memory_order_release);
	}
}

void cf_workers_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		       const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_workers *w = ctx;
	struct cf_packet pkt;
	struct seen *e;
	unsigned i, k;
	uint32_t gap = 0;
	uint64_t h;
	int shared, past;

	/* the clock exactly as one engine keeps it */
	if (cf_frame_clock_tick(&w->fc, ts_us, caplen)) {
		struct cf_packet t;

		sums_flush(w);  /* every count in before the expiry */
		memset(&t, 0, sizeof(t));
		t.ts_us = w->fc.now_us;
		for (i = 0; i < w->n; i++)
			deliver(w, i, R_TICK, &t, 0, NULL);
	}
	if (cf_decode(link, data, caplen, wirelen, &pkt, &w->dec) != CF_DEC_OK)
		return;
	pkt.ts_us = ts_us;
	if (!w->frozen && --w->ctl_left == 0) {
		w->ctl_left = w->every;
		rebalance(w);
	}
	if (--w->note_left == 0) {
		w->note_left = NOTE_POLL;
		notes_read(w);
	}
	h = flow_hash(w, &pkt);
	if (sum_fast(w, h, &pkt))
		return;
	e = seen_get(w, h, &gap);
	if (e != NULL) {
		k = e->owner;
	} else {
		k = owner(w, h);        /* full: frozen, the answer never changes */
	}
	shared = cf_classify_is_shared(&pkt);
	past = e != NULL && !shared && past_classifying(w, e, gap, &pkt);
	if (past && plain(&pkt) && sum_add(w, e, k, &pkt))
		return;
	if (e != NULL && e->sum != 0)
		sum_send(w, &w->sums[e->sum - 1]);      /* the flow's packets in order */
	/* a DNS answer or SIP with SDP: every other worker learns from it
	 * (the rings first: worker 0 runs here and would hold them up) */
	if (shared)
		for (i = 1; i < w->n; i++)
			if (i != k)
				push(w, &w->v[i], R_SHARED, &pkt, 0, NULL);
	deliver(w, k, R_PKT, &pkt, k != 0 && past, e);
	if (k != 0 && shared)
		deliver(w, 0, R_SHARED, &pkt, 0, NULL);
}

/* ---- a worker --------------------------------------------------------- */

static double thread_cpu(void)
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
 * second's flow hash (kept in the record) and index slot, and the third's
 * header, written on the reader's core.  The same two cache misses the
 * engine's look-ahead hides for one thread (engine.c), with no copy: the
 * records stay where they are until released.
 */
static void look_ahead(struct worker *k, const struct rec *rec)
{
	struct ring *r = &k->ring;
	uint64_t at = r->c_tail + rec->len;
	struct rec *n;

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
	at += n->len;
	if (at >= r->c_head)
		return;
	n = (struct rec *)(r->buf + (at & (r->size - 1)));
	__builtin_prefetch(n);
	__builtin_prefetch((const uint8_t *)n + CACHE_LINE);
}

/* Tell the reader rec's flow is done classifying (dropped when full). */
static void note_post(struct worker *k, const struct rec *rec)
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
	atomic_store_explicit(&k->note_head, head + 1, memory_order_release);
}

static void *worker_main(void *arg)
{
	struct worker *k = arg;
	struct ring *r = &k->ring;
	struct cf_packet pkt;
	unsigned round = 0;
	char name[16];

	/* "cf-worker-3" in top, perf and /proc/PID/task */
	snprintf(name, sizeof(name), "cf-worker-%u", (unsigned)(k - k->w->v));
	pthread_setname_np(pthread_self(), name);

	/* its ring and engine, made here: the start-up's table writes and
	   nDPI's set-up run beside the other workers' and the reader's
	   (cf_workers_new waits for them all) */
	k->ring.buf = cf_big_alloc(1, k->ring.size);     /* huge pages, */
	cf_prefault(k->ring.buf, k->ring.size);        /* no faults in the run */
	k->notes = calloc(NOTES, sizeof(*k->notes));
	if (k->ring.buf == NULL || k->notes == NULL)
		snprintf(k->err, sizeof(k->err), "out of memory (a ring of %u MiB)",
			 k->ring.size >> 20);
	else
		k->engine = cf_engine_new(&k->w->cfg, k->w->out, k->err, sizeof(k->err));
	pthread_mutex_lock(&k->w->mu);
	k->w->made++;
	pthread_cond_signal(&k->w->cv);
	pthread_mutex_unlock(&k->w->mu);
	if (k->engine == NULL)
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
					futex_sleep(&r->c_asleep);
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
		if (rec->type == R_PKT || rec->type == R_SHARED) {
			pkt = rec->pkt;
			pkt.l3 = (const uint8_t *)rec + REC_HDR;
			pkt.payload = rec->payload_off == UINT32_MAX ? NULL :
				      pkt.l3 + rec->payload_off;
			if (rec->flags & REC_CUT) {
				pkt.payload = NULL;
				pkt.payload_len = 0;
				pkt.l3_len = rec->payload_off;
				pkt.headers_only = 1;
			}
			if (rec->type == R_PKT) {
				int done = rec->flags & REC_HASHED ?
					   cf_engine_decoded_hashed(k->engine, &pkt, rec->h) :
					   cf_engine_decoded(k->engine, &pkt);

				if (done && !(rec->flags & REC_CUT))
					note_post(k, rec);
			} else {
				cf_engine_shared_only(k->engine, &pkt);
			}
		} else if (rec->type == R_COUNTS) {
			struct counts c;

			memcpy(&c, (const uint8_t *)rec + REC_HDR, sizeof(c));
			cf_engine_counts(k->engine, &rec->pkt, c.n, c.b, c.last_us);
		} else if (rec->type == R_TICK) {
			cf_engine_expire_at(k->engine, rec->pkt.ts_us);
		}
		r->c_tail += rec->len;
		if (r->c_tail - r->c_released >= RELEASE_BYTES)
			release(r);
	}
	/* end of input: every flow of this worker ends (flow events) */
	cf_engine_finish(k->engine);
	k->cpu_seconds = thread_cpu();
	return NULL;
}

/* ---- set-up and the end ----------------------------------------------- */

/* Wait until every started worker has made its engine (or failed: -1,
 * with the first failure's message in err). */
static int workers_made(struct cf_workers *w, char *err, size_t errlen)
{
	unsigned i, started = 0;
	int rc = 0;

	for (i = 1; i < w->n; i++)
		started += (unsigned)w->v[i].started;
	pthread_mutex_lock(&w->mu);
	while (w->made < started)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	for (i = 1; i < w->n; i++)
		if (w->v[i].started && w->v[i].engine == NULL) {
			if (rc == 0 && err != NULL)
				snprintf(err, errlen, "%s", w->v[i].err);
			rc = -1;
		}
	return rc;
}

struct cf_workers *cf_workers_new(unsigned n, const struct cf_engine_config *cfg,
				  struct cf_outputs *out, char *err, size_t errlen)
{
	struct cf_workers *w;
	struct cf_engine_config c = *cfg;
	const char *test = getenv("CALLFENCE_TEST_SWING");
	uint32_t slots, ring = RING_MAX;
	unsigned i;
	int rc;

	if (n < 1 || n > CF_MAX_THREADS) {
		snprintf(err, errlen, "--threads: %u is not between 1 and %d", n, CF_MAX_THREADS);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->v = calloc(n, sizeof(*w->v))) == NULL) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->n = n;
	w->out = out;
	while (ring > RING_MIN && (uint64_t)ring * (n - 1) > RINGS_TOTAL)
		ring /= 2;
	w->every = REBALANCE_EVERY;
	slots = SEEN_MIN;
	if (test != NULL && *test != '\0') {
		char *end;
		unsigned long v = strtoul(test, &end, 10);

		if (*end == '\0' && v > 0 && v < UINT32_MAX) {
			w->every = v;
			w->swing = 1;
			slots = SEEN_TEST;
			ring = RING_TEST;
		}
	}
	w->ctl_left = w->every;
	w->note_left = NOTE_POLL;
	w->sums_max = w->swing ? SUMS_TEST : SUMS_MAX;
	w->seen_mask = slots - 1;
	/* room for twice the flows the workers may hold, at a load of 1/2 */
	w->seen_max = slots;
	while (w->seen_max < SEEN_MAX && w->seen_max / 4 < cfg->limits.max_flows)
		w->seen_max *= 2;
	{
		const struct cf_flow_limits *l = &cfg->limits;
		uint64_t lo = l->tcp_idle_us, hi = l->tcp_idle_us;
		uint64_t v[3] = { l->udp_idle_us, l->other_idle_us, l->closed_us };

		for (i = 0; i < 3; i++) {
			if (v[i] < lo)
				lo = v[i];
			if (v[i] > hi)
				hi = v[i];
		}
		w->pause_units = (uint32_t)((lo / 2) >> 16);
		hi = ((hi + STALE_MARGIN_US) >> 16) + 1;
		w->stale_units = hi < UINT32_MAX / 2 ? (uint32_t)hi : UINT32_MAX / 2;
	}
	/* worker 0 also reads: a smaller part of the flows (see the top) */
	w->share0_max = (1ull << 32) / n;
	w->share0 = (uint64_t)((double)w->share0_max * START_SHARE);
	if (n == 1)
		w->frozen = 1;  /* one worker: nothing to balance */
	w->share_lo = w->share_hi = w->share0;
	w->seed = 0x9e3779b97f4a7c15ULL ^ (uint64_t)time(NULL);
	/* --max-flows is the whole budget: each worker gets its share */
	c.limits.max_flows = (cfg->limits.max_flows + n - 1) / n;
	if (c.limits.max_flows < 1)
		c.limits.max_flows = 1;
	if (cfg->ndpi_flows != 0)
		c.ndpi_flows = (cfg->ndpi_flows + n - 1) / n;
	w->cfg = c;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (i = 0; i < n; i++) {
		w->v[i].w = w;
		w->v[i].ring.size = ring;
	}
	for (i = 1; i < n; i++) {
		rc = pthread_create(&w->v[i].thread, NULL, worker_main, &w->v[i]);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start worker thread: %s", strerror(rc));
			goto fail;
		}
		w->v[i].started = 1;
	}
	/* the reader's tables and worker 0's engine while the workers make theirs */
	w->seen = cf_big_alloc(slots, sizeof(*w->seen));
	w->sums = cf_big_alloc(w->sums_max, sizeof(*w->sums));
	w->hot = calloc(HOT_SLOTS, sizeof(*w->hot));
	if (w->seen == NULL || w->sums == NULL || w->hot == NULL) {
		snprintf(err, errlen, "out of memory (the reader's tables)");
		goto fail;
	}
	cf_prefault(w->seen, slots * sizeof(*w->seen));
	cf_prefault(w->sums, w->sums_max * sizeof(*w->sums));
	w->v[0].engine = cf_engine_new(&c, out, err, errlen);
	if (w->v[0].engine == NULL)
		goto fail;
	if (workers_made(w, err, errlen) != 0)
		goto fail;
	return w;
fail:
	(void)workers_made(w, NULL, 0);
	cf_workers_finish(w);
	cf_workers_free(w);
	return NULL;
}

void cf_workers_finish(struct cf_workers *w)
{
	unsigned i;

	if (w->finished)
		return;
	w->finished = 1;
	if (w->sums != NULL)
		sums_flush(w);
	for (i = 1; i < w->n; i++) {
		struct worker *k = &w->v[i];

		if (!k->started || k->engine == NULL)
			continue;       /* not started, or gone (no engine) */
		push(w, k, R_END, NULL, 0, NULL);
		publish(&k->ring, 1);
	}
	/* worker 0's flows end here, while the others end theirs */
	if (w->v[0].engine != NULL) {
		cf_engine_finish(w->v[0].engine);
		w->v[0].cpu_seconds = thread_cpu();
	}
	for (i = 1; i < w->n; i++)
		if (w->v[i].started) {
			pthread_join(w->v[i].thread, NULL);
			w->v[i].started = 0;
		}
}

void cf_workers_describe(const struct cf_workers *w, FILE *fp)
{
	struct cf_engine_stats st;
	uint64_t undone = 0;
	unsigned i;

	for (i = 0; i < w->n; i++) {
		cf_engine_get_stats(w->v[i].engine, &st);
		undone += st.headers_only_undone;
	}
	fprintf(fp, "callfence: reader and worker 0: %.3f s CPU\n", w->v[0].cpu_seconds);
	if (w->n > 1)
		fprintf(fp, "callfence: reader: took %.1f%% of new flows at the end (%.1f%% to %.1f%%, "
			"%llu moves)%s; its flow table %u slots, rebuilt %llu times\n",
			100.0 * (double)w->share0 / (double)(1ull << 32),
			100.0 * (double)w->share_lo / (double)(1ull << 32),
			100.0 * (double)w->share_hi / (double)(1ull << 32),
			(unsigned long long)w->share_moves,
			w->seen_full ? ", then the table was full and the part fixed" : "",
			w->seen_mask + 1, (unsigned long long)w->seen_grown);
	fprintf(fp, "callfence: reader: waited %llu times for a full ring; %llu packets "
		"handed over as headers only met a flow still classifying\n",
		(unsigned long long)w->reader_waits, (unsigned long long)undone);
	fprintf(fp, "callfence: reader: counted %llu packets past classifying itself "
		"(%llu the fast way), handed over as %llu counts (%llu times early: %u flows at once)\n",
		(unsigned long long)w->summed, (unsigned long long)w->summed_fast,
		(unsigned long long)w->sums_sent,
		(unsigned long long)w->sums_full, w->sums_max);
	if (w->n > 1) {
		uint64_t lost = 0;

		for (i = 1; i < w->n; i++)
			lost += w->v[i].notes_lost;
		fprintf(fp, "callfence: reader: %llu flows done classifying told by their workers "
			"(%llu too late, %llu lost to a full ring)\n",
			(unsigned long long)w->notes_used, (unsigned long long)w->notes_stale,
			(unsigned long long)lost);
	}
	for (i = 1; i < w->n; i++)
		fprintf(fp, "callfence: worker %u: %.3f s CPU, ring empty %llu times, slept %llu\n",
			i, w->v[i].cpu_seconds, (unsigned long long)w->v[i].waits,
			(unsigned long long)w->v[i].sleeps);
}

void cf_workers_totals(const struct cf_workers *w, struct cf_run_totals *t)
{
	struct cf_run_totals one;
	struct cf_output_stats os;
	unsigned i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < w->n; i++) {
		if (w->v[i].engine == NULL)
			continue;
		memset(&one, 0, sizeof(one));
		cf_engine_totals(w->v[i].engine, &one);
		cf_run_totals_add(t, &one, i > 0);
	}
	/* the outputs are shared: their errors once, not once per engine */
	cf_outputs_get_stats(w->out, &os);
	t->output_errors = os.write_errors;
	/* frames, bytes and decode outcomes are the reader's */
	t->first_us = w->fc.first_us;
	t->last_us = w->fc.now_us;
	t->bytes_read = w->fc.bytes;
	t->decode = w->dec;
}

struct cf_report *cf_workers_report(struct cf_workers *w)
{
	unsigned i;

	if (w->merged != NULL)
		return w->merged;
	w->merged = cf_report_new();
	if (w->merged == NULL)
		return NULL;
	for (i = 0; i < w->n; i++)
		if (w->v[i].engine != NULL &&
		    cf_report_merge(w->merged, cf_engine_report(w->v[i].engine)) < 0) {
			cf_report_free(w->merged);
			w->merged = NULL;
			return NULL;
		}
	return w->merged;
}

enum cf_severity cf_workers_max_severity(const struct cf_workers *w)
{
	struct cf_engine_stats st;
	enum cf_severity m = 0;
	unsigned i;

	for (i = 0; i < w->n; i++) {
		if (w->v[i].engine == NULL)
			continue;
		cf_engine_get_stats(w->v[i].engine, &st);
		if (st.max_severity > m)
			m = st.max_severity;
	}
	return m;
}

void cf_workers_free(struct cf_workers *w)
{
	unsigned i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++) {
		if (w->v[i].engine != NULL)
			cf_engine_free(w->v[i].engine);
		cf_big_free(w->v[i].ring.buf);
		free(w->v[i].notes);
	}
	if (w->merged != NULL)
		cf_report_free(w->merged);
	cf_big_free(w->seen);
	cf_big_free(w->sums);
	free(w->hot);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->v);
	free(w);
}
