/*
 * reader.c - the reader's side of --threads: each decoded packet to the
 * worker that owns its flow, through that worker's ring (workers.h), or
 * counted here when its flow is past classifying.
 *
 * The reader's flow table (flowmap.c) says which worker a flow goes to
 * and how many packets it had; a symmetric hash finds it.  Packets that
 * carry facts for other flows (DNS answers, SIP with SDP) go to every
 * worker.  Worker 0 is the reader itself: its records are carried out
 * here, at once, on the packet in the capture's buffer (no copy).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "engine/workers.h"
#include "flow/rtt.h"
#include "util/netaddr.h"

#define PUBLISH_EVERY 128              /* records between two head stores */

/* ---- producer --------------------------------------------------------- */

/*
 * Make the records visible.  A sleeping worker is woken only once a good
 * batch waits for it (a 16th of the ring), or when force says so (the reader is
 * about to wait itself, or the input ended): each wake-up is a system call
 * and, on a virtual machine, an interrupt between processors, so waking a
 * worker for every few packets costs the reader more than it gains.
 */
static void publish(struct ring *q, int force)
{
	atomic_store(&q->head, q->p_head);
	q->p_unpublished = 0;
	if (force || q->p_head - q->p_tail >= q->size / 16)
		futex_wake(&q->c_asleep);
}

/* Room for len contiguous bytes at the head (padding to the buffer's end
 * when needed); waits for the worker.  Returns where to write. */
static uint8_t *ring_reserve(struct cf_runner *r, struct ring *q, uint32_t len)
{
	uint64_t off = q->p_head & (q->size - 1);
	uint32_t need = len;
	unsigned round = 0;

	if (off + len > q->size)
		need = (uint32_t)(q->size - off) + len;
	while (q->p_head + need - q->p_tail > q->size) {
		q->p_tail = atomic_load(&q->tail);
		if (q->p_head + need - q->p_tail <= q->size)
			break;
		if (round == 0) {
			publish(q, 1);
			r->reader_waits++;
		}
		if (++round < SPIN_ROUNDS) {
			cpu_relax();
			continue;
		}
		atomic_store(&q->p_asleep, 1);
		q->p_tail = atomic_load(&q->tail);
		if (q->p_head + need - q->p_tail <= q->size) {
			atomic_store(&q->p_asleep, 0);
			break;
		}
		futex_wait(&q->p_asleep, 1);
	}
	if (off + len > q->size) {
		struct rec *pad = (struct rec *)(q->buf + off);

		pad->len = (uint32_t)(q->size - off);
		pad->type = R_PAD;
		q->p_head += pad->len;
		off = 0;
	}
	return q->buf + off;
}

static void ring_commit(struct ring *q, uint32_t len)
{
	q->p_head += len;
	if (++q->p_unpublished >= PUBLISH_EVERY)
		publish(q, 0);
}

static void push(struct cf_runner *r, struct worker *k, enum rec_type type,
		 const struct cf_packet *pkt, int cut, const struct seen *e)
{
	uint32_t data = type == R_PKT || type == R_SHARED ? pkt->l3_len : 0;
	uint32_t len;
	struct rec *rec;

	if (cut && pkt->payload != NULL)
		data = (uint32_t)(pkt->payload - pkt->l3);    /* the headers */
	len = (REC_HDR + data + 7) & ~7u;
	rec = (struct rec *)ring_reserve(r, &k->ring, len);

	rec->len = len;
	rec->type = (uint16_t)type;
	rec->flags = cut && pkt != NULL && pkt->payload != NULL ? REC_CUT : 0;
	rec->iface = r->iface;
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
static void push_counts(struct cf_runner *r, struct worker *k,
			const struct cf_packet *pkt, const struct counts *c)
{
	uint32_t len = (REC_HDR + (uint32_t)sizeof(*c) + 7) & ~7u;
	struct rec *rec = (struct rec *)ring_reserve(r, &k->ring, len);

	rec->len = len;
	rec->type = R_COUNTS;
	rec->flags = 0;
	rec->iface = 0;
	rec->rh = 0;
	rec->gen = 0;
	rec->pkt = *pkt;
	rec->payload_off = UINT32_MAX;
	memcpy((uint8_t *)rec + REC_HDR, c, sizeof(*c));
	ring_commit(&k->ring, len);
}

/* ---- the symmetric flow hash ------------------------------------------ */

/* The same for both directions: the two ends' hashes are added. */
static uint64_t flow_hash(const struct cf_runner *r, const struct cf_packet *p)
{
	uint64_t h = cf_end_hash(r->seed, &p->src, p->sport) +
		     cf_end_hash(r->seed, &p->dst, p->dport);

	h = cf_mix64(h ^ ((uint64_t)p->vlan << 8 | p->proto));
	return h ? h : 1;               /* 0 marks a free slot of the seen table */
}

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
static int past_classifying(struct cf_runner *r, struct seen *e, uint32_t gap,
			    const struct cf_packet *p)
{
	if (e == NULL)
		return 0;       /* the table is full: the whole packet crosses */
	if ((p->proto == 6 && (p->tcp_flags & 0x12) == 0x02) ||
	    gap >= r->pause_units) {
		e->count = 0;
		e->gen = ++r->gen_next;
	}
	if (e->count < PAST_COUNT - 1) {
		e->count++;
		return 0;
	}
	if (e->count == PAST_COUNT - 1)
		e->count = PAST_UNSURE;         /* counted out before a notice */
	if (e->count == PAST_COUNT)
		return 1;
	/* sampled, or maybe: the packets in the sample windows cross whole */
	return !cf_classify_sample_time(p->ts_us);
}

/* What the worker said of e's flow after a packet (cf_engine_packet):
 * done classifying, or sampled. */
static void flow_done(struct cf_runner *r, struct seen *e, int done)
{
	if (done == CF_DONE_SAMPLE)
		e->count = PAST_SAMPLED;
	else if (done)
		e->count = PAST_COUNT;
	else
		return;
	if (e->sum != 0)
		r->sums[e->sum - 1].sampled = e->count != PAST_COUNT;
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
void cf_reader_sum_send(struct cf_runner *r, struct sum *m)
{
	struct seen *e = &r->seen[m->slot];
	uint32_t *hs = &r->hot[(uint32_t)m->hash & (HOT_SLOTS - 1)];
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
	if (*hs == (uint32_t)(m - r->sums) + 1)
		*hs = 0;
	m->used = 0;
	r->sums_sent++;
	r->v[m->owner].fed += (uint64_t)m->c.n[0] + m->c.n[1];
	if (m->owner == 0)
		cf_engine_counts(r->v[0].engine, &pkt, m->c.n, m->c.b, m->c.last_us);
	else
		push_counts(r, &r->v[m->owner], &pkt, &m->c);
}

void cf_reader_sums_flush(struct cf_runner *r)
{
	uint32_t i;

	for (i = 0; i < r->sums_used; i++)
		if (r->sums[i].used)
			cf_reader_sum_send(r, &r->sums[i]);
	r->sums_used = 0;
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
static int sum_count(struct cf_runner *r, struct sum *m, int d,
		     const struct cf_packet *p)
{
	if (m->c.n[d] == UINT32_MAX)
		return 0;
	m->c.n[d]++;
	m->c.b[d] += p->ip_len;
	if (p->ts_us > m->c.last_us)
		m->c.last_us = p->ts_us;
	m->clock = (uint32_t)(r->fc.now_us >> 16);
	r->summed++;
	return 1;
}

/* Count p into the sum of its flow (entry e, worker k); 0 when it cannot
 * be counted so. */
static int sum_add(struct cf_runner *r, struct seen *e, unsigned k,
		   const struct cf_packet *p)
{
	struct sum *m;
	int d = 0;

	if (e->sum != 0) {
		m = &r->sums[e->sum - 1];
		d = sum_dir(m, p);
		if (d < 0)
			return 0;
	} else {
		if (r->sums_used == r->sums_max) {
			cf_reader_sums_flush(r);
			r->sums_full++;
		}
		m = &r->sums[r->sums_used++];
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
		m->slot = (uint32_t)(e - r->seen);
		m->hash = e->hash;
		m->first_us = p->ts_us;
		e->sum = r->sums_used;
	}
	/* a sampled flow's packets in its sample windows go the slow way */
	m->sampled = e->count > PAST_COUNT;
	r->hot[(uint32_t)e->hash & (HOT_SLOTS - 1)] = e->sum;
	return sum_count(r, m, d, p);
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
 * handed over (cf_reader_sum_send; entry_last meanwhile).
 */
static int sum_fast(struct cf_runner *r, uint64_t h, const struct cf_packet *p)
{
	uint32_t i = r->hot[(uint32_t)h & (HOT_SLOTS - 1)];
	uint32_t now = (uint32_t)(r->fc.now_us >> 16);
	struct sum *m;
	int d;

	if (i == 0)
		return 0;
	m = &r->sums[i - 1];
	if (m->hash != h || !m->used ||
	    (m->sampled && cf_classify_sample_time(p->ts_us)) ||
	    now - m->clock >= r->pause_units ||
	    !plain(p) || cf_classify_is_shared(p) || cf_rtt_wanted(p))
		return 0;
	d = sum_dir(m, p);
	if (d < 0 || !sum_count(r, m, d, p))
		return 0;
	r->summed_fast++;
	return 1;
}

/*
 * Hand a record to worker k: worker 0 is the reader itself (its engine
 * runs here, on the packet in libpcap's buffer, no copy); the others get
 * it through their rings.  e: the flow's entry (R_PKT), whose count
 * worker 0 sets at once when the flow is done classifying.
 */
static void deliver(struct cf_runner *r, unsigned k, enum rec_type type,
		    const struct cf_packet *pkt, int cut, struct seen *e)
{
	struct cf_engine *eng = r->v[0].engine;

	if (type == R_PKT)
		r->v[k].fed++;
	if (k == 0) {
		if (type == R_PKT) {
			int done = cf_engine_packet(eng, pkt, cf_engine_flow_hash(eng, pkt),
						    r->ifnames[r->iface]);

			if (e != NULL)
				flow_done(r, e, done);
		} else if (type == R_SHARED) {
			cf_engine_shared_only(eng, pkt);
		} else if (type == R_TICK) {
			cf_engine_expire_at(eng, pkt->ts_us);
		} else if (type == R_WALL) {
			cf_engine_tick(eng, pkt->ts_us);
		}
		return;
	}
	push(r, &r->v[k], type, pkt, cut, e);
}

/* The workers' notices of flows done classifying (struct note). */
static void notes_read(struct cf_runner *r)
{
	unsigned i;

	for (i = 1; i < r->n; i++) {
		struct worker *k = &r->v[i];
		uint32_t head = atomic_load_explicit(&k->note_head, memory_order_acquire);
		uint32_t tail = atomic_load_explicit(&k->note_tail, memory_order_relaxed);
		struct seen *e;

		if (head == tail)
			continue;
		for (; tail != head; tail++) {
			const struct note *nt = &k->notes[tail & (NOTES - 1)];

			e = cf_flowmap_find(r, nt->hash);
			if (e != NULL && e->gen == nt->gen && e->owner == i) {
				flow_done(r, e, nt->done);
				r->notes_used++;
			} else {
				r->notes_stale++;
			}
		}
		atomic_store_explicit(&k->note_tail, tail, memory_order_release);
	}
}

/* A decoded packet's way to the worker that owns its flow. */
void cf_reader_packet(struct cf_runner *r, const struct cf_packet *pkt)
{
	struct seen *e;
	unsigned i, k;
	uint32_t gap = 0;
	uint64_t h;
	int shared, past;

	if (!r->frozen && --r->ctl_left == 0) {
		r->ctl_left = r->every;
		cf_flowmap_rebalance(r);
	}
	if (--r->note_left == 0) {
		r->note_left = NOTE_POLL;
		notes_read(r);
	}
	h = flow_hash(r, pkt);
	if (sum_fast(r, h, pkt))
		return;
	e = cf_flowmap_get(r, h, &gap);
	if (e != NULL) {
		k = e->owner;
	} else {
		k = cf_flowmap_owner(r, h);   /* full: frozen, the answer never changes */
	}
	shared = cf_classify_is_shared(pkt);
	past = e != NULL && !shared && past_classifying(r, e, gap, pkt) &&
	       !cf_rtt_wanted(pkt);      /* STUN, RTCP: timed whole (engine-rtt.c) */
	if (past && plain(pkt) && sum_add(r, e, k, pkt))
		return;
	if (e != NULL && e->sum != 0)
		cf_reader_sum_send(r, &r->sums[e->sum - 1]);  /* the flow's packets in order */
	/* a DNS answer or SIP with SDP: every other worker learns from it
	 * (the rings first: worker 0 runs here and would hold them up) */
	if (shared) {
		r->shared++;
		r->v[k].fed_shared++;
		for (i = 1; i < r->n; i++)
			if (i != k)
				push(r, &r->v[i], R_SHARED, pkt, 0, NULL);
	}
	deliver(r, k, R_PKT, pkt, k != 0 && past, e);
	if (k != 0 && shared)
		deliver(r, 0, R_SHARED, pkt, 0, NULL);
}

/* The idle expiry in every worker: at packet time (R_TICK, the frame
 * clock's once a second) or wall-clock time (R_WALL, live), every count
 * in before it. */
void cf_reader_tick(struct cf_runner *r, enum rec_type type, uint64_t ts_us)
{
	struct cf_packet t;
	unsigned i;

	cf_reader_sums_flush(r);
	memset(&t, 0, sizeof(t));
	t.ts_us = ts_us;
	for (i = 0; i < r->n; i++)
		deliver(r, i, type, &t, 0, NULL);
}

/* A record without a packet (R_END, R_CMD) to worker k's ring. */
void cf_reader_push(struct cf_runner *r, unsigned k, enum rec_type type)
{
	push(r, &r->v[k], type, NULL, 0, NULL);
}

/* Every record handed out visible now, sleeping workers woken. */
void cf_reader_publish(struct cf_runner *r)
{
	unsigned i;

	for (i = 1; i < r->n; i++)
		if (r->v[i].ready)
			publish(&r->v[i].ring, 1);
}
