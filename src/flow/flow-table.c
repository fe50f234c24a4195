/*
 * flow-table.c - the flow table of flow.h.
 *
 * Storage: one preallocated array of max_flows struct cf_flow.  Unused
 * entries are chained through t_next into a free list.
 *
 * Index: open addressing over a power-of-two array of entry numbers + 1
 * (0 = empty slot), linear probing, the load factor at or under 1/2.  It
 * starts at INDEX_START slots and doubles as the live flows pass half of
 * it, up to 2 x max_flows: a table sized for a gateway's million flows
 * does not touch 8 MB of index at random for a capture's thousands (every
 * page first touched is a fault, and on a VM a costly one; prefault.h).
 * Deletion shifts later entries of the probe run back into the hole (Knuth's algorithm R), so there are no
 * tombstones and lookups never degrade with churn.  Each flow keeps its
 * full 32-bit hash in t_hash: probing compares it before the key, and
 * deletion finds an entry's home slot from it.
 *
 * The hash is symmetric: the two ends are put in a canonical order (lower
 * address/port first) before hashing, so both directions land in the same
 * probe run.  VLAN and protocol are hashed too.  A per-table seed keeps the
 * index layout unpredictable to someone crafting addresses.
 *
 * Timeouts: four LRU lists linked through t_prev/t_next by entry number:
 * TCP, UDP, other, and closed (TCP flows with FIN both ways or a RST).
 * Every flow of a list has the same timeout, and a packet moves its flow to
 * the tail, so each list is in order of last activity (give or take the
 * counts --threads hands over once a second: cf_flow_expire) and expiry
 * walks from the heads in O(expired).  (A separate closed list is what keeps the short
 * closed timeout O(expired): a closed flow would otherwise hide behind
 * idle TCP flows that are not due yet.)  Eviction when full takes the
 * least recently active of the four heads.
 *
 * Packet time is assumed to run roughly forward; when it jumps back more
 * than EXPIRE_SLACK_US, last_us keeps the largest time seen and expiry may
 * be late, never early.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "util/ahead.h"
#include "util/prefault.h"

#define NIL UINT32_MAX
/* how far out of order a list may be (cf_flow_expire): the once-a-second
 * hand-over of --threads plus a second of disorder in the capture */
#define EXPIRE_SLACK_US (2ull * 1000000)
#define MAX_FLOWS_LIMIT (1u << 30)

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

enum { CLASS_TCP, CLASS_UDP, CLASS_OTHER, CLASS_CLOSED, N_CLASSES };

struct lru {
	uint32_t head, tail;
};

struct cf_flow_table {
	struct cf_flow_limits lim;
	cf_flow_end_fn end_fn;
	void *ctx;
	struct cf_flow *flows;     /* lim.max_flows entries */
	uint32_t *slots;           /* index: entry + 1, 0 empty */
	struct cf_flow **order;    /* scratch for cf_flow_flush */
	uint32_t mask;             /* slots - 1 */
	uint32_t mask_max;         /* the index's slots at most, - 1 */
	uint32_t free_head;        /* list of ended entries, through t_next */
	uint32_t fresh;            /* entries [fresh, max_flows) never used: their
				      pages stay untouched until needed */
	struct cf_ahead ahead;     /* flows' pages backed ahead (util/ahead.h) */
	struct lru lru[N_CLASSES];
	uint64_t timeout[N_CLASSES];
	uint64_t next_seq;
	uint64_t seed;
	struct cf_flow_stats st;
};

void cf_flow_limits_default(struct cf_flow_limits *lim)
{
	lim->max_flows = 1000000;
	lim->tcp_idle_us = 300ULL * 1000000;
	lim->udp_idle_us = 120ULL * 1000000;
	lim->other_idle_us = 60ULL * 1000000;
	lim->closed_us = 10ULL * 1000000;
}

/* ---- hashing ---------------------------------------------------------- */

/* The same for both directions: the two ends' hashes added (every packet
 * pays this: no ordering of the ends, no compare; netaddr.h). */
static uint32_t key_hash(const struct cf_flow_table *t, uint16_t vlan,
			 uint8_t proto, const cf_addr *a, uint16_t pa,
			 const cf_addr *b, uint16_t pb)
{
	uint64_t h = cf_end_hash(t->seed, a, pa) + cf_end_hash(t->seed, b, pb);

	h = cf_mix64(h ^ ((uint64_t)vlan << 8 | proto));
	return (uint32_t)(h ^ (h >> 32));
}

/* ---- LRU lists -------------------------------------------------------- */

static void lru_unlink(struct cf_flow_table *t, uint32_t i)
{
	struct cf_flow *f = &t->flows[i];
	struct lru *l = &t->lru[f->t_class];

	if (f->t_prev != NIL)
		t->flows[f->t_prev].t_next = f->t_next;
	else
		l->head = f->t_next;
	if (f->t_next != NIL)
		t->flows[f->t_next].t_prev = f->t_prev;
	else
		l->tail = f->t_prev;
	f->t_prev = f->t_next = NIL;
}

static void lru_append(struct cf_flow_table *t, uint32_t i, uint8_t cls)
{
	struct cf_flow *f = &t->flows[i];
	struct lru *l = &t->lru[cls];

	f->t_class = cls;
	f->t_prev = l->tail;
	f->t_next = NIL;
	if (l->tail != NIL)
		t->flows[l->tail].t_next = i;
	else
		l->head = i;
	l->tail = i;
}

/* Entry i touched: to the tail of list cls. */
static void lru_to_tail(struct cf_flow_table *t, uint32_t i, uint8_t cls)
{
	lru_unlink(t, i);
	lru_append(t, i, cls);
}

/* ---- index ------------------------------------------------------------ */

#define INDEX_START (1u << 14)     /* slots (64 KiB) */

/* Zeroed slots for the index, backed at once (probed before written:
 * prefault.h). */
static uint32_t *index_alloc(uint32_t ns)
{
	uint32_t *v = cf_big_alloc(ns, sizeof(*v));

	cf_prefault(v, (size_t)ns * sizeof(*v));
	return v;
}

/* Slot holding entry i; the entry must be in the index. */
static uint32_t slot_of(const struct cf_flow_table *t, uint32_t i)
{
	uint32_t s = t->flows[i].t_hash & t->mask;

	while (t->slots[s] != i + 1)
		s = (s + 1) & t->mask;
	return s;
}

static void index_insert(struct cf_flow_table *t, uint32_t i)
{
	uint32_t s = t->flows[i].t_hash & t->mask;

	while (t->slots[s] != 0)
		s = (s + 1) & t->mask;
	t->slots[s] = i + 1;
}

/*
 * Empty slot s and shift back every later entry of its run that may move
 * into the hole (one whose home slot is not cyclically in (hole, j]).
 */
static void index_delete(struct cf_flow_table *t, uint32_t s)
{
	uint32_t hole = s, j = s, home;

	t->slots[hole] = 0;
	for (;;) {
		j = (j + 1) & t->mask;
		if (t->slots[j] == 0)
			return;
		home = t->flows[t->slots[j] - 1].t_hash & t->mask;
		if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
			t->slots[hole] = t->slots[j];
			t->slots[j] = 0;
			hole = j;
		}
	}
}

/*
 * Twice the slots, every live entry put in again from its hash; 0 when
 * the index is at its most or the memory is not there (the table then
 * counts as full at half the slots it has: flow_create).
 */
static int index_grow(struct cf_flow_table *t)
{
	uint32_t ns = (t->mask + 1) * 2, i, *old = t->slots, *v;

	if (t->mask >= t->mask_max || (v = index_alloc(ns)) == NULL)
		return 0;
	t->slots = v;
	t->mask = ns - 1;
	for (i = 0; i < t->fresh; i++)
		if (t->flows[i].t_used)
			index_insert(t, i);
	cf_big_free(old);
	t->st.index_grown++;
	return 1;
}

/* Does f carry pkt?  Sets *dir. */
static int flow_match(const struct cf_flow *f, const struct cf_packet *p,
		      int *dir)
{
	if (f->vlan != p->vlan || f->proto != p->proto)
		return 0;
	if (f->port[0] == p->sport && f->port[1] == p->dport &&
	    memcmp(&f->ip[0], &p->src, sizeof(cf_addr)) == 0 &&
	    memcmp(&f->ip[1], &p->dst, sizeof(cf_addr)) == 0) {
		*dir = 0;
		return 1;
	}
	if (f->port[0] == p->dport && f->port[1] == p->sport &&
	    memcmp(&f->ip[0], &p->dst, sizeof(cf_addr)) == 0 &&
	    memcmp(&f->ip[1], &p->src, sizeof(cf_addr)) == 0) {
		*dir = 1;
		return 1;
	}
	return 0;
}

static struct cf_flow *index_find(const struct cf_flow_table *t, uint32_t h,
				  const struct cf_packet *p, int *dir)
{
	uint32_t s = h & t->mask;
	struct cf_flow *f;

	while (t->slots[s] != 0) {
		f = &t->flows[t->slots[s] - 1];
		if (f->t_hash == h && flow_match(f, p, dir))
			return f;
		s = (s + 1) & t->mask;
	}
	return NULL;
}

/* ---- life cycle ------------------------------------------------------- */

static const char *const end_names[] = {
	"idle", "closed", "evicted", "shutdown"
};

const char *cf_flow_end_name(enum cf_flow_end why)
{
	if ((unsigned)why < sizeof(end_names) / sizeof(end_names[0]))
		return end_names[why];
	return "unknown";
}

static void count_end(struct cf_flow_table *t, enum cf_flow_end why)
{
	switch (why) {
	case CF_END_IDLE:
		t->st.ended_idle++;
		break;
	case CF_END_CLOSED:
		t->st.ended_closed++;
		break;
	case CF_END_EVICTED:
		t->st.evicted++;
		break;
	case CF_END_SHUTDOWN:
		t->st.ended_shutdown++;
		break;
	}
}

/* Hand entry i to end_fn, then take it out of index and list, and free it. */
static void flow_end(struct cf_flow_table *t, uint32_t i, enum cf_flow_end why)
{
	struct cf_flow *f = &t->flows[i];

	if (t->end_fn != NULL)
		t->end_fn(f, why, t->ctx);
	/* the end callback has written the flow's event: its class strings
	   can go (the entry is reused, zeroed, later) */
	cf_class_release(&f->cls);
	count_end(t, why);
	index_delete(t, slot_of(t, i));
	lru_unlink(t, i);
	f->t_used = 0;
	f->t_next = t->free_head;
	t->free_head = i;
	t->st.active--;
}

/* Least recently active flow of all lists (the table is full: one exists). */
static uint32_t lru_victim(const struct cf_flow_table *t)
{
	uint32_t best = NIL, i;
	int c;

	for (c = 0; c < N_CLASSES; c++) {
		i = t->lru[c].head;
		if (i != NIL && (best == NIL ||
				 t->flows[i].last_us < t->flows[best].last_us))
			best = i;
	}
	return best;
}

static uint8_t proto_class(uint8_t proto)
{
	if (proto == 6)
		return CLASS_TCP;
	if (proto == 17)
		return CLASS_UDP;
	return CLASS_OTHER;
}

static struct cf_flow *flow_create(struct cf_flow_table *t, uint32_t h,
				   const struct cf_packet *p)
{
	struct cf_flow *f;
	uint32_t i;
	int swap;

	if (t->st.active >= (t->mask + 1) / 2 && !index_grow(t))
		flow_end(t, lru_victim(t), CF_END_EVICTED);     /* no room */
	if (t->free_head == NIL && t->fresh < t->lim.max_flows) {
		i = t->fresh++;
		f = &t->flows[i];
		cf_ahead_touch(&t->ahead, i);
	} else {
		if (t->free_head == NIL)
			flow_end(t, lru_victim(t), CF_END_EVICTED);
		i = t->free_head;
		f = &t->flows[i];
		t->free_head = f->t_next;
	}
	memset(f, 0, sizeof(*f));
	swap = p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK)) ==
					(TCP_SYN | TCP_ACK);
	f->ip[swap] = p->src;
	f->ip[!swap] = p->dst;
	f->port[swap] = p->sport;
	f->port[!swap] = p->dport;
	f->vlan = p->vlan;
	f->proto = p->proto;
	f->icmp_type = p->icmp_type;
	f->icmp_code = p->icmp_code;
	f->ip_version = p->ip_version;
	f->syn_first = p->proto == 6 && (p->tcp_flags & TCP_SYN) != 0;
	f->first_us = f->last_us = p->ts_us;
	f->seq = t->next_seq++;
	f->local = -1;
	f->decided_rule = -1;
	f->t_hash = h;
	f->t_used = 1;
	index_insert(t, i);
	lru_append(t, i, proto_class(p->proto));
	t->st.created++;
	if (++t->st.active > t->st.peak)
		t->st.peak = t->st.active;
	return f;
}

/* Count pkt (direction dir) into f and move f to the tail of its list. */
static void flow_touch(struct cf_flow_table *t, struct cf_flow *f,
		       const struct cf_packet *p, int dir)
{
	uint32_t i = (uint32_t)(f - t->flows);
	uint8_t cls = f->t_class;

	f->pkts[dir]++;
	f->bytes[dir] += p->ip_len;
	if (p->ts_us > f->last_us)
		f->last_us = p->ts_us;
	if (f->proto == 6) {
		if (p->tcp_flags & TCP_FIN)
			f->tcp_fin |= (uint8_t)(1u << dir);
		if (p->tcp_flags & TCP_RST)
			f->tcp_rst = 1;
		if (f->tcp_fin == 3 || f->tcp_rst)
			cls = CLASS_CLOSED;
	}
	lru_to_tail(t, i, cls);
}

uint32_t cf_flow_hash(const struct cf_flow_table *t, const struct cf_packet *pkt)
{
	return key_hash(t, pkt->vlan, pkt->proto, &pkt->src, pkt->sport,
			&pkt->dst, pkt->dport);
}

void cf_flow_prefetch_slot(const struct cf_flow_table *t, uint32_t h)
{
	__builtin_prefetch(&t->slots[h & t->mask]);
}

uint32_t cf_flow_prefetch_entry(const struct cf_flow_table *t, uint32_t h)
{
	uint32_t v = t->slots[h & t->mask];

	if (v != 0) {
		const char *f = (const char *)&t->flows[v - 1];

		__builtin_prefetch(f);
		__builtin_prefetch(f + 64);
	}
	return v - 1;           /* (UINT32_MAX when the slot is empty) */
}

struct cf_flow *cf_flow_get(struct cf_flow_table *t, const struct cf_packet *pkt,
			    int *dir, int *created)
{
	return cf_flow_get_hashed(t, pkt, cf_flow_hash(t, pkt), dir, created);
}

struct cf_flow *cf_flow_get_hashed(struct cf_flow_table *t,
				   const struct cf_packet *pkt, uint32_t h,
				   int *dir, int *created)
{
	struct cf_flow *f = index_find(t, h, pkt, dir);

	*created = f == NULL;
	if (f == NULL) {
		f = flow_create(t, h, pkt);
		flow_match(f, pkt, dir);
	}
	flow_touch(t, f, pkt, *dir);
	return f;
}

struct cf_flow *cf_flow_add_counts(struct cf_flow_table *t,
				   const struct cf_packet *pkt, uint32_t h,
				   const uint32_t n[2], const uint64_t b[2],
				   uint64_t last_us, int *created)
{
	int dir = 0;
	struct cf_flow *f = index_find(t, h, pkt, &dir);

	*created = f == NULL;
	if (f == NULL) {
		f = flow_create(t, h, pkt);
		flow_match(f, pkt, &dir);
	}
	f->pkts[dir] += n[0];
	f->bytes[dir] += b[0];
	f->pkts[!dir] += n[1];
	f->bytes[!dir] += b[1];
	if (last_us > f->last_us)
		f->last_us = last_us;
	lru_to_tail(t, (uint32_t)(f - t->flows), f->t_class);
	return f;
}

/*
 * A flow is due when now_us - last_us exceeds its list's timeout.  A list
 * is in the order its flows were last touched, which is the order of their
 * last packets only when every packet is counted as it comes; it need not
 * be (--threads hands the counts of flows past classifying over once a
 * second, workers.c; a capture may be a little out of order).  So the walk
 * does not stop at the first flow not yet due but at the first one whose
 * last packet is EXPIRE_SLACK_US newer than a due one's could be: every
 * flow touched after it is then certainly not due.  Flows out of order by
 * more than that end late, never early.  The flows walked past are those
 * about to be due anyway: a few each, once or twice in their lives.
 */
void cf_flow_expire(struct cf_flow_table *t, uint64_t now_us)
{
	struct cf_flow *f;
	uint64_t limit;
	uint32_t i, next;
	int c;

	for (c = 0; c < N_CLASSES; c++) {
		if (now_us <= t->timeout[c])
			continue;               /* nothing can be due yet */
		limit = now_us - t->timeout[c];  /* due: last_us < limit */
		for (i = t->lru[c].head; i != NIL; i = next) {
			f = &t->flows[i];
			if (f->last_us >= limit + EXPIRE_SLACK_US)
				break;
			next = f->t_next;
			if (f->last_us < limit)
				flow_end(t, i, c == CLASS_CLOSED ? CF_END_CLOSED :
								   CF_END_IDLE);
		}
	}
}

static int seq_cmp(const void *a, const void *b)
{
	uint64_t x = (*(struct cf_flow *const *)a)->seq;
	uint64_t y = (*(struct cf_flow *const *)b)->seq;

	return (x > y) - (x < y);
}

/* Collects the live flows, sorts them by seq, ends them in that order. */
void cf_flow_flush(struct cf_flow_table *t)
{
	uint32_t n = 0, i, c;

	for (c = 0; c < N_CLASSES; c++)
		for (i = t->lru[c].head; i != NIL; i = t->flows[i].t_next)
			t->order[n++] = &t->flows[i];
	qsort(t->order, n, sizeof(t->order[0]), seq_cmp);
	for (i = 0; i < n; i++)
		flow_end(t, (uint32_t)(t->order[i] - t->flows), CF_END_SHUTDOWN);
}

void cf_flow_foreach(struct cf_flow_table *t, cf_flow_visit_fn fn, void *ctx)
{
	uint32_t i, c, next;

	for (c = 0; c < N_CLASSES; c++)
		for (i = t->lru[c].head; i != NIL; i = next) {
			next = t->flows[i].t_next;
			fn(&t->flows[i], ctx);
		}
}

void cf_flow_get_stats(const struct cf_flow_table *t, struct cf_flow_stats *st)
{
	*st = t->st;
	st->entry_bytes = (uint32_t)sizeof(struct cf_flow);
	st->index_bytes = ((uint64_t)t->mask + 1) * sizeof(*t->slots);
	st->touched_bytes = (uint64_t)t->fresh * sizeof(struct cf_flow);
}

/* ---- construction ----------------------------------------------------- */

static uint32_t index_size(uint32_t max_flows)
{
	uint32_t n = 2;

	while (n < 2 * max_flows)
		n <<= 1;
	return n;
}

static void table_reset(struct cf_flow_table *t)
{
	uint32_t n = t->lim.max_flows;
	int c;

	t->free_head = NIL;
	t->fresh = 0;
	for (c = 0; c < N_CLASSES; c++)
		t->lru[c].head = t->lru[c].tail = NIL;
	t->timeout[CLASS_TCP] = t->lim.tcp_idle_us;
	t->timeout[CLASS_UDP] = t->lim.udp_idle_us;
	t->timeout[CLASS_OTHER] = t->lim.other_idle_us;
	t->timeout[CLASS_CLOSED] = t->lim.closed_us;
	t->seed = cf_mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
			(uint64_t)(uintptr_t)t);
	t->st.capacity = n;
}

struct cf_flow_table *cf_flow_table_new(const struct cf_flow_limits *lim,
					cf_flow_end_fn end_fn, void *ctx,
					char *err, size_t errlen)
{
	struct cf_flow_table *t;
	uint32_t n = lim->max_flows, ns;

	if (n == 0 || n > MAX_FLOWS_LIMIT) {
		snprintf(err, errlen, "flow table size %u out of range 1..%u",
			 n, MAX_FLOWS_LIMIT);
		return NULL;
	}
	ns = index_size(n);
	t = calloc(1, sizeof(*t));
	if (t != NULL) {
		t->mask_max = ns - 1;
		if (ns > INDEX_START)
			ns = INDEX_START;
		t->flows = cf_big_alloc_front(n, sizeof(*t->flows));
		/* (the entries are written first, by flow_create) */
		t->slots = index_alloc(ns);
		/* (written only by cf_flow_flush: zero pages until then) */
		t->order = cf_big_alloc_front(n, sizeof(*t->order));
	}
	if (t == NULL || t->flows == NULL || t->slots == NULL ||
	    t->order == NULL) {
		snprintf(err, errlen, "out of memory for %u flows (%zu bytes)",
			 n, sizeof(*t) + (size_t)n * (sizeof(*t->flows) +
			 sizeof(*t->order)) + (size_t)ns * sizeof(*t->slots));
		cf_flow_table_free(t);
		return NULL;
	}
	cf_ahead_watch(&t->ahead, t->flows, n, sizeof(*t->flows), CF_BIG_FRONT);
	t->lim = *lim;
	t->end_fn = end_fn;
	t->ctx = ctx;
	t->mask = ns - 1;
	table_reset(t);
	return t;
}

/* Frees the table without calling end_fn (flush first to end flows); the
 * live flows' class strings are released. */
void cf_flow_table_free(struct cf_flow_table *t)
{
	uint32_t i;
	int c;

	if (t == NULL)
		return;
	for (c = 0; c < N_CLASSES; c++)
		for (i = t->lru[c].head; i != NIL; i = t->flows[i].t_next)
			cf_class_release(&t->flows[i].cls);
	cf_ahead_forget(&t->ahead);
	cf_big_free(t->flows);
	cf_big_free(t->slots);
	cf_big_free(t->order);
	free(t);
}

/* flow.h: an entry and its share of the index within 256 bytes */
_Static_assert(sizeof(struct cf_flow) <= 240, "struct cf_flow grew past 240 bytes");

uint32_t cf_flow_slot(const struct cf_flow_table *t, const struct cf_flow *f)
{
	uintptr_t a = (uintptr_t)f, lo = (uintptr_t)t->flows;

	/* a copy of an entry (a flow its call holds, engine/calls.h) is no
	   entry: UINT32_MAX */
	if (a < lo || a >= lo + (uintptr_t)t->lim.max_flows * sizeof(*f) ||
	    (a - lo) % sizeof(*f) != 0)
		return UINT32_MAX;
	return (uint32_t)((a - lo) / sizeof(*f));
}
