/*
 * workers.h - inside the runner with N threads: one reader, N engines.
 *
 * The reader (the thread that calls cf_runner_packet) decodes every frame,
 * keeps the packet clock and hands each packet to the worker that owns its
 * flow, found by a symmetric hash of (VLAN, protocol, both ends) in the
 * reader's own table of flows (flowmap.c), so both directions of a flow
 * reach the same worker, the one a new flow was given.  Each worker is a
 * whole engine (flow table, classifier, geography, report); worker 0 runs
 * in the reader's own thread with a smaller part of the new flows, adapted
 * while the frames come, the others in threads of their own (worker.c; N
 * threads in all).  They share the policy file, the catalog and the
 * outputs (output.c serialises the writes).  The result is the same set
 * of events as one engine, in another order:
 *   - the idle expiry runs in every worker at the packet times one engine
 *     would have run it (the reader sends the ticks), and live at the
 *     wall-clock times the daemon's loop gives (cf_runner_tick);
 *   - every DNS answer and SIP message with SDP reaches every worker, in
 *     order, so a flow is named (or known as announced by SDP) from what
 *     came before it, whichever worker had it (cf_classify_is_shared);
 *   - the reports are merged at the end.
 * --max-flows and --ndpi-flows are shared out: each worker gets its part.
 *
 * Reader to every other worker: one single-producer single-consumer byte
 * ring per worker (reader.c writes, worker.c reads).  A record is a
 * header (type, packet time, the decoded packet) followed by the packet's
 * bytes from its IP header on, so a worker never decodes again.  Records
 * never wrap: when the space left before the end of the buffer is too
 * small, a padding record fills it.  The producer makes its records
 * visible every PUBLISH_EVERY records (whenever it has to wait, and when
 * the input pauses: cf_runner_flush); the consumer gives space back every
 * RELEASE_BYTES: the two indexes, each on its own cache line, are touched
 * rarely, not per packet.  A full ring makes the reader wait (nothing is
 * dropped: live, the kernel's buffer holds the frames meanwhile and
 * counts what it drops); an empty one makes the worker wait.  Either
 * spins a little, then sleeps on a futex after saying so in its "asleep"
 * word; the other side wakes it when it next moves its index.  (Store
 * index, load the other's asleep word; store asleep, load the index: both
 * sequentially consistent, so one of the two always sees the other and
 * no wake-up is lost.)
 *
 * Commands: what every worker must do in order with its packets (a
 * wall-clock tick, a reload, a snapshot of its counters, a pause, the
 * end) is a record in its ring like a packet.  For those the reader waits
 * on (R_CMD: reload, snapshot, pause) it sets the command in the runner
 * first, and each worker, having carried it out, adds one to the runner's
 * acks word and wakes it; a paused worker then sleeps on the hold word
 * until the reader clears it.  This is the only way a thread reaches a
 * worker's engine: an engine is touched by its thread alone, or by the
 * reader once the threads have stopped.
 *
 * Packets of flows past classifying do not cross one by one: the reader
 * counts them itself and hands the counts over once a second (reader.c);
 * workers tell it when a flow is done classifying (struct note).
 *
 * Nothing here allocates per packet: the rings are allocated up front.
 */
#ifndef CF_WORKERS_H
#define CF_WORKERS_H

#include <linux/futex.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "classify/classify.h"
#include "decode/decode.h"
#include "engine/engine.h"
#include "engine/runner.h"

#define CACHE_LINE 64
#define SPIN_ROUNDS 200
#define RUNNER_IFACES 64               /* interface names the records can carry */
#define EXPIRE_EVERY_US 1000000ull     /* the idle expiry once a second of packet time */

/*
 * What the reader keeps for the frames it hands out: counters and the
 * packet clock, the clock every engine is driven by (a running maximum).
 */
struct frame_clock {
	uint64_t packets, bytes;        /* frames, captured bytes */
	uint64_t first_us, now_us;      /* earliest and latest packet time */
	uint64_t next_expire_us;
};

/* Count one frame; 1 when the once-a-second idle expiry is due (at now_us). */
static inline int frame_clock_tick(struct frame_clock *c, uint64_t ts_us, uint32_t caplen)
{
	c->packets++;
	c->bytes += caplen;
	if (c->first_us == 0 || ts_us < c->first_us)
		c->first_us = ts_us;
	if (ts_us > c->now_us)
		c->now_us = ts_us;
	if (c->now_us < c->next_expire_us)
		return 0;
	c->next_expire_us = c->now_us + EXPIRE_EVERY_US;
	return 1;
}

/* ---- records ---------------------------------------------------------- */

enum rec_type {
	R_PAD = 0,      /* the rest of the buffer, skipped */
	R_PKT,          /* a packet of the worker's flows */
	R_SHARED,       /* a packet of another worker's with facts for all */
	R_TICK,         /* the idle expiry at packet time pkt.ts_us */
	R_END,          /* end of input */
	R_COUNTS,       /* counts of a flow past classifying (struct counts) */
	R_WALL,         /* live: the idle expiry at wall-clock time pkt.ts_us */
	R_CMD           /* the runner's command (cmd), to acknowledge */
};

struct rec {
	uint32_t len;                  /* whole record, header included, 8-aligned */
	uint16_t type;
	uint16_t flags;                /* REC_CUT, REC_HASHED */
	uint32_t payload_off;          /* payload - l3 */
	uint32_t h;                    /* the flow's hash in the worker's table */
	uint32_t gen;                  /* R_PKT: the reader's entry, as of this */
	uint32_t iface;                /* R_PKT: the runner's ifnames[] */
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

/* ---- the reader's flow table (flowmap.c) ------------------------------- */

struct seen {
	uint64_t hash;                 /* the flow's 64-bit hash; 0 free */
	uint32_t last;                 /* the reader's clock at its last packet, >> 16 */
	uint32_t sum;                  /* its struct sum + 1; 0 none */
	uint32_t gen;                  /* a new number at every count from 0 */
	uint16_t count;                /* packets, up to the cut (PAST_COUNT) */
	uint8_t owner;                 /* the worker its flows go to */
};

/*
 * A worker tells the reader when a flow it was given whole packets of is
 * done classifying (cf_engine_packet says so): its hash and the gen the
 * packet carried.  The reader treats its next packets as past classifying
 * (counts them itself, or hands them over as headers) instead of waiting
 * for CF_CLASSIFY_MAX_OPEN + 8 packets.  A notice for an older gen (the
 * reader started counting the flow again since: a SYN, a pause) is
 * ignored.  One single-producer ring a worker, read every NOTE_POLL
 * packets; a full ring drops the notice (the flow then just waits for the
 * count).
 */
struct note {
	uint64_t hash;
	uint32_t gen;
	uint8_t done;                  /* CF_DONE_FINAL or CF_DONE_SAMPLE */
};
#define NOTES 4096                     /* a power of two */
#define NOTE_POLL 512
#define PAST_COUNT (CF_CLASSIFY_MAX_OPEN + 9)
/*
 * struct seen's count at the end of the first look: PAST_COUNT, the
 * worker said the flow is done (CF_DONE_FINAL); PAST_SAMPLED, it said the
 * flow is sampled (CF_DONE_SAMPLE); PAST_UNSURE, the reader counted to
 * PAST_COUNT before a notice came.  The last two hand over whole the
 * packets in the sample windows (cf_classify_sample_time), the rest is
 * counted or crosses as headers.
 */
#define PAST_UNSURE (PAST_COUNT + 1)
#define PAST_SAMPLED (PAST_COUNT + 2)

/*
 * Counts the reader keeps for a flow past classifying (reader.c): the
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
	uint8_t sampled;               /* its flow is sampled (or may be): the
					  packets in the sample windows take
					  the slow way and cross whole */
	uint32_t slot;                 /* its entry in the reader's table */
};

/* ---- the workers ------------------------------------------------------ */

enum cmd { CMD_NONE = 0, CMD_RELOAD, CMD_SNAP, CMD_HOLD };

struct worker {
	struct ring ring;
	struct cf_runner *r;
	struct cf_engine *engine;
	pthread_t thread;
	int started;
	int ready;                     /* its ring and engine are made: it reads */
	struct note *notes;            /* NOTES, the worker to the reader */
	_Alignas(CACHE_LINE) _Atomic uint32_t note_head;  /* written (worker) */
	_Alignas(CACHE_LINE) _Atomic uint32_t note_tail;  /* read (reader) */
	_Alignas(CACHE_LINE) uint64_t waits;  /* times the worker found its ring empty */
	uint64_t notes_lost;           /* notices dropped: the ring was full */
	char err[512];                 /* why its engine could not be made */
	_Atomic uint64_t sleeps;       /* ... and slept on it (the reader reads it) */
	double cpu_seconds;            /* the thread's CPU time, at its end */
	/* what the worker answers a command with */
	int cmd_rc;
	char cmd_err[1024];
	struct cf_run_totals snap_t;
	struct cf_engine_stats snap_st;
	/* the reader's count of what it handed to this worker */
	_Alignas(CACHE_LINE) uint64_t fed, fed_shared;
};

struct staged;

struct cf_runner {
	unsigned n;
	struct worker *v;
	struct cf_outputs *out;
	struct cf_calls *calls;        /* the call table every engine shares */
	struct cf_engine_config cfg;   /* each engine's (its share of the limits) */
	int threads_on;                /* worker threads running */
	int finished;
	uint64_t reloads;              /* reloads of every engine */
	/* the reader's own counters and clock */
	struct cf_decode_stats dec;
	struct frame_clock fc;
	uint32_t iface;                /* ifnames[] of the frames arriving */
	unsigned n_ifnames;
	const char *ifnames[RUNNER_IFACES];
	uint64_t shared;               /* packets handed to every worker */
	/* one thread: the look-ahead (runner.c) */
	struct staged *la;
	unsigned la_head, la_n;
	/* the workers make their engines in their own threads (capture
	   files), at the same time as the reader makes worker 0's;
	   set-up waits for them */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned made;                 /* workers whose engine is made (or failed) */
	/* the end (workers.c's calls_end): workers whose flows have ended,
	   then the parts of the calls they write (0 not yet, -1 none) */
	unsigned ended;
	int calls_parts;
	/* commands (R_CMD) */
	int cmd;                       /* enum cmd, set before the records go */
	const struct cf_engine_config *cmd_cfg;
	_Atomic uint32_t acks;         /* workers that carried it out */
	_Atomic uint32_t hold;         /* CMD_HOLD: 1 while they must wait */
	/* routing (flowmap.c, reader.c) */
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
	uint64_t ctl_left, ctl_looks, ctl_waits, ctl_sleeps;
	uint64_t share_moves, share_lo, share_hi;
	uint64_t seen_grown, seen_full, seen_retry;
	uint64_t every;                /* REBALANCE_EVERY, or the test's swing */
	int swing;
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
};

#define HOT_SLOTS (1u << 14)           /* the fast way to a flow's counts (64 KiB) */

/* ---- waiting ---------------------------------------------------------- */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Sleep while *word is val (at most 10 ms: a missed wake-up costs no more). */
static inline void futex_wait(_Atomic uint32_t *word, uint32_t val)
{
	struct timespec ts = { 0, 10000000 };

	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static inline void futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Wake the one sleeper on an asleep word, if it said it sleeps. */
static inline void futex_wake(_Atomic uint32_t *word)
{
	if (atomic_load(word)) {
		atomic_store(word, 0);
		syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

/* ---- between the files ------------------------------------------------- */

/* reader.c: a decoded packet's way to its worker; records to worker k
 * (k 0: carried out here); rings made visible. */
void cf_reader_packet(struct cf_runner *r, const struct cf_packet *pkt);
void cf_reader_tick(struct cf_runner *r, enum rec_type type, uint64_t ts_us);
void cf_reader_push(struct cf_runner *r, unsigned k, enum rec_type type);
void cf_reader_publish(struct cf_runner *r);
void cf_reader_sum_send(struct cf_runner *r, struct sum *m);
void cf_reader_sums_flush(struct cf_runner *r);

/* flowmap.c: the reader's flow table and the shares of new flows. */
int cf_flowmap_init(struct cf_runner *r, const struct cf_engine_config *cfg,
		    uint32_t slots);
unsigned cf_flowmap_owner(const struct cf_runner *r, uint64_t h);
struct seen *cf_flowmap_get(struct cf_runner *r, uint64_t h, uint32_t *gap);
struct seen *cf_flowmap_find(struct cf_runner *r, uint64_t h);
void cf_flowmap_rebalance(struct cf_runner *r);

/* worker.c: a worker thread. */
void *cf_worker_main(void *arg);
double cf_thread_cpu(void);

/* workers.c: the N-thread runner's set-up, commands, numbers and end. */
int cf_workers_setup(struct cf_runner *r, const struct cf_engine_config *cfg,
		     unsigned flags, char *err, size_t errlen);
int cf_workers_start(struct cf_runner *r, char *err, size_t errlen);
int cf_workers_command(struct cf_runner *r, enum cmd c,
		       const struct cf_engine_config *cfg, char *err, size_t errlen);
void cf_workers_finish(struct cf_runner *r);
void cf_workers_describe(const struct cf_runner *r, FILE *fp);
void cf_workers_free(struct cf_runner *r);

#endif /* CF_WORKERS_H */
