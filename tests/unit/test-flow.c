/*
 * test-flow.c - the flow table: keys, directions, counters, timeouts,
 * eviction, flush order, and a long churn checked against a model.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "decode/decode.h"
#include "flow/flow.h"

#define S 1000000ULL  /* one second in microseconds */

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define ACK 0x10

static void v4(cf_addr *a, uint32_t ip)
{
	memset(a, 0, sizeof(*a));
	a->b[10] = a->b[11] = 0xff;
	a->b[12] = (uint8_t)(ip >> 24);
	a->b[13] = (uint8_t)(ip >> 16);
	a->b[14] = (uint8_t)(ip >> 8);
	a->b[15] = (uint8_t)ip;
}

static uint32_t v4_of(const cf_addr *a)
{
	return ((uint32_t)a->b[12] << 24) | ((uint32_t)a->b[13] << 16) |
	       ((uint32_t)a->b[14] << 8) | a->b[15];
}

static struct cf_packet mk(uint32_t src, uint16_t sport, uint32_t dst,
			   uint16_t dport, uint8_t proto, uint8_t flags,
			   uint64_t ts, uint32_t ip_len)
{
	struct cf_packet p;

	memset(&p, 0, sizeof(p));
	v4(&p.src, src);
	v4(&p.dst, dst);
	p.sport = sport;
	p.dport = dport;
	p.proto = proto;
	p.tcp_flags = flags;
	p.ts_us = ts;
	p.ip_len = ip_len;
	p.ip_version = 4;
	return p;
}

/* ---- end callback recorder -------------------------------------------- */

#define MAX_ENDS 64

static struct ended {
	enum cf_flow_end why;
	uint16_t port0, port1;
	uint64_t seq, pkts0, pkts1;
	uint8_t used;
} ends[MAX_ENDS];
static int n_ends;

static void record(struct cf_flow *f, enum cf_flow_end why, void *ctx)
{
	(void)ctx;
	if (n_ends < MAX_ENDS) {
		ends[n_ends].why = why;
		ends[n_ends].port0 = f->port[0];
		ends[n_ends].port1 = f->port[1];
		ends[n_ends].seq = f->seq;
		ends[n_ends].pkts0 = f->pkts[0];
		ends[n_ends].pkts1 = f->pkts[1];
		ends[n_ends].used = f->t_used;
	}
	n_ends++;
}

static struct cf_flow_table *table(uint32_t max)
{
	struct cf_flow_limits lim;
	char err[128];

	cf_flow_limits_default(&lim);
	lim.max_flows = max;
	n_ends = 0;
	return cf_flow_table_new(&lim, record, NULL, err, sizeof(err));
}

#define A 0x0a000001u   /* 10.0.0.1 */
#define B 0xc0000207u   /* 192.0.2.7 */

/* ---- tests ------------------------------------------------------------ */

static void test_defaults(void)
{
	struct cf_flow_limits lim;
	struct cf_flow_stats st;
	struct cf_flow_table *t;
	char err[128] = "";

	cf_flow_limits_default(&lim);
	CHECK_INT(lim.max_flows, 1000000);
	CHECK_INT(lim.tcp_idle_us, 300 * S);
	CHECK_INT(lim.udp_idle_us, 120 * S);
	CHECK_INT(lim.other_idle_us, 60 * S);
	CHECK_INT(lim.closed_us, 10 * S);
	lim.max_flows = 0;
	CHECK(cf_flow_table_new(&lim, record, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "out of range") != NULL);
	t = table(10);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.capacity, 10);
	CHECK_INT(st.active, 0);
	CHECK_STR(cf_flow_end_name(CF_END_IDLE), "idle");
	CHECK_STR(cf_flow_end_name(CF_END_CLOSED), "closed");
	CHECK_STR(cf_flow_end_name(CF_END_EVICTED), "evicted");
	CHECK_STR(cf_flow_end_name(CF_END_SHUTDOWN), "shutdown");
	cf_flow_table_free(t);
}

static void test_directions(void)
{
	struct cf_flow_table *t = table(16);
	struct cf_packet p;
	struct cf_flow *f, *g;
	int dir = -1, created = -1;

	p = mk(A, 40000, B, 443, 6, SYN, 5 * S, 60);
	p.vlan = 7;
	f = cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(dir, 0);
	CHECK_INT(created, 1);
	CHECK_INT(v4_of(&f->ip[0]), A);
	CHECK_INT(v4_of(&f->ip[1]), B);
	CHECK_INT(f->port[0], 40000);
	CHECK_INT(f->port[1], 443);
	CHECK_INT(f->vlan, 7);
	CHECK_INT(f->proto, 6);
	CHECK_INT(f->ip_version, 4);
	CHECK_INT(f->local, -1);
	CHECK_INT(f->decided_rule, -1);
	CHECK_INT(f->judged, 0);
	CHECK_INT(f->cls.roles, 0);
	CHECK_INT(f->seq, 0);
	CHECK_INT(f->first_us, 5 * S);

	p = mk(B, 443, A, 40000, 6, SYN | ACK, 6 * S, 60);
	p.vlan = 7;
	g = cf_flow_get(t, &p, &dir, &created);
	CHECK(g == f);
	CHECK_INT(dir, 1);
	CHECK_INT(created, 0);
	p = mk(A, 40000, B, 443, 6, ACK, 7 * S, 1500);
	p.vlan = 7;
	g = cf_flow_get(t, &p, &dir, &created);
	CHECK(g == f);
	CHECK_INT(dir, 0);
	CHECK_INT(f->pkts[0], 2);
	CHECK_INT(f->pkts[1], 1);
	CHECK_INT(f->bytes[0], 1560);
	CHECK_INT(f->bytes[1], 60);
	CHECK_INT(f->first_us, 5 * S);
	CHECK_INT(f->last_us, 7 * S);

	/* Another VLAN, another protocol: other flows. */
	p.vlan = 8;
	g = cf_flow_get(t, &p, &dir, &created);
	CHECK(g != f);
	CHECK_INT(created, 1);
	CHECK_INT(g->seq, 1);
	p.vlan = 7;
	p.proto = 17;
	g = cf_flow_get(t, &p, &dir, &created);
	CHECK(g != f);
	CHECK_INT(created, 1);
	cf_flow_table_free(t);
}

/* The look-ahead steps: one hash for both directions, prefetches that
 * are harmless on empty and taken slots, and the same flow found. */
static void test_hashed(void)
{
	struct cf_flow_table *t = table(16);
	struct cf_packet p = mk(A, 40000, B, 443, 17, 0, 5 * S, 100);
	struct cf_packet q = mk(B, 443, A, 40000, 17, 0, 6 * S, 100);
	struct cf_packet o = mk(A, 40001, B, 443, 17, 0, 6 * S, 100);
	struct cf_flow *f, *g;
	int dir = -1, created = -1;
	uint32_t h = cf_flow_hash(t, &p);

	CHECK_INT(cf_flow_hash(t, &q), h);
	CHECK(cf_flow_hash(t, &o) != h);
	cf_flow_prefetch_slot(t, h);
	cf_flow_prefetch_entry(t, h);          /* empty slot */
	f = cf_flow_get_hashed(t, &p, h, &dir, &created);
	CHECK_INT(created, 1);
	CHECK_INT(dir, 0);
	cf_flow_prefetch_entry(t, h);          /* taken slot */
	g = cf_flow_get_hashed(t, &q, cf_flow_hash(t, &q), &dir, &created);
	CHECK(g == f);
	CHECK_INT(created, 0);
	CHECK_INT(dir, 1);
	g = cf_flow_get(t, &p, &dir, &created);
	CHECK(g == f);
	CHECK_INT(f->pkts[0], 2);
	CHECK_INT(f->pkts[1], 1);
	g = cf_flow_get_hashed(t, &o, cf_flow_hash(t, &o), &dir, &created);
	CHECK(g != f);
	CHECK_INT(created, 1);
	cf_flow_table_free(t);
}

static void test_synack_first(void)
{
	struct cf_flow_table *t = table(16);
	struct cf_packet p;
	struct cf_flow *f;
	int dir, created;

	p = mk(B, 443, A, 40000, 6, SYN | ACK, S, 60);
	f = cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 1);
	CHECK_INT(dir, 1);
	CHECK_INT(v4_of(&f->ip[0]), A);
	CHECK_INT(f->port[0], 40000);
	CHECK_INT(v4_of(&f->ip[1]), B);
	CHECK_INT(f->port[1], 443);
	CHECK_INT(f->pkts[1], 1);
	CHECK_INT(f->pkts[0], 0);
	p = mk(A, 40000, B, 443, 6, ACK, S, 52);
	CHECK(cf_flow_get(t, &p, &dir, &created) == f);
	CHECK_INT(dir, 0);

	/* A UDP packet is never swapped, whatever its "flags". */
	p = mk(B, 53, A, 5353, 17, 0, S, 60);
	f = cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(dir, 0);
	CHECK_INT(v4_of(&f->ip[0]), B);
	cf_flow_table_free(t);
}

static void test_idle_expiry(void)
{
	struct cf_flow_table *t = table(16);
	struct cf_flow_stats st;
	struct cf_packet p;
	int dir, created;

	p = mk(A, 1, B, 2, 6, ACK, 0, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(A, 3, B, 4, 17, 0, 0, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(A, 0, B, 0, 1, 0, 0, 40);
	cf_flow_get(t, &p, &dir, &created);

	cf_flow_expire(t, 60 * S);          /* exactly the timeout: not yet */
	CHECK_INT(n_ends, 0);
	cf_flow_expire(t, 60 * S + 1);
	CHECK_INT(n_ends, 1);
	CHECK_INT(ends[0].why, CF_END_IDLE);
	CHECK_INT(ends[0].port0, 0);
	CHECK_INT(ends[0].used, 1);

	p = mk(B, 4, A, 3, 17, 0, 100 * S, 40);  /* UDP flow active again */
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 0);
	cf_flow_expire(t, 121 * S);
	CHECK_INT(n_ends, 1);
	cf_flow_expire(t, 220 * S + 1);
	CHECK_INT(n_ends, 2);
	CHECK_INT(ends[1].port0, 3);
	CHECK_INT(ends[1].pkts1, 1);
	cf_flow_expire(t, 300 * S);
	CHECK_INT(n_ends, 2);
	cf_flow_expire(t, 300 * S + 1);
	CHECK_INT(n_ends, 3);
	CHECK_INT(ends[2].port0, 1);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.ended_idle, 3);
	CHECK_INT(st.active, 0);
	CHECK_INT(st.peak, 3);
	CHECK_INT(st.created, 3);

	/* An expired key makes a new flow. */
	p = mk(A, 1, B, 2, 6, ACK, 400 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 1);
	cf_flow_table_free(t);
}

static void test_close(void)
{
	struct cf_flow_table *t = table(16);
	struct cf_flow_stats st;
	struct cf_packet p;
	struct cf_flow *f;
	int dir, created;

	/* An idle TCP flow older than the closing ones. */
	p = mk(A, 9, B, 9, 6, ACK, 0, 40);
	cf_flow_get(t, &p, &dir, &created);

	p = mk(A, 1, B, 2, 6, FIN | ACK, 10 * S, 40);
	f = cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(f->tcp_fin, 1);
	cf_flow_expire(t, 25 * S);            /* one FIN: still TCP idle */
	CHECK_INT(n_ends, 0);
	p = mk(B, 2, A, 1, 6, FIN | ACK, 11 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(f->tcp_fin, 3);
	CHECK_INT(f->tcp_rst, 0);
	p = mk(A, 1, B, 2, 6, ACK, 12 * S, 40); /* last ACK */
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 0);

	p = mk(A, 5, B, 6, 6, RST, 13 * S, 40);
	f = cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(f->tcp_rst, 1);

	cf_flow_expire(t, 22 * S);
	CHECK_INT(n_ends, 0);
	cf_flow_expire(t, 22 * S + 1);
	CHECK_INT(n_ends, 1);
	CHECK_INT(ends[0].why, CF_END_CLOSED);
	CHECK_INT(ends[0].port0, 1);
	CHECK_INT(ends[0].pkts0, 2);
	CHECK_INT(ends[0].pkts1, 1);
	cf_flow_expire(t, 24 * S);
	CHECK_INT(n_ends, 2);
	CHECK_INT(ends[1].why, CF_END_CLOSED);
	CHECK_INT(ends[1].port0, 5);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.ended_closed, 2);
	CHECK_INT(st.active, 1);              /* the idle one is not due */
	cf_flow_table_free(t);
}

static void test_evict(void)
{
	struct cf_flow_table *t = table(3);
	struct cf_flow_stats st;
	struct cf_packet p;
	struct cf_flow *f;
	int dir, created;

	p = mk(A, 1, B, 1, 6, ACK, 1 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(A, 2, B, 2, 17, 0, 2 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(A, 3, B, 3, 47, 0, 3 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(B, 1, A, 1, 6, ACK, 4 * S, 40);  /* flow 1 active again */
	cf_flow_get(t, &p, &dir, &created);

	p = mk(A, 4, B, 4, 6, SYN, 5 * S, 40);
	f = cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 1);
	CHECK_INT(n_ends, 1);
	CHECK_INT(ends[0].why, CF_END_EVICTED);
	CHECK_INT(ends[0].port0, 2);        /* the least recently active */
	CHECK_INT(ends[0].pkts0, 1);
	CHECK_INT(ends[0].used, 1);
	CHECK_INT(f->port[0], 4);
	CHECK_INT(f->pkts[0], 1);
	CHECK_INT(f->seq, 3);

	p = mk(A, 5, B, 5, 1, 0, 6 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(n_ends, 2);
	CHECK_INT(ends[1].port0, 3);
	/* The survivors are still found. */
	p = mk(A, 1, B, 1, 6, ACK, 7 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 0);
	p = mk(B, 4, A, 4, 6, ACK, 7 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 0);
	CHECK_INT(dir, 1);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.evicted, 2);
	CHECK_INT(st.created, 5);
	CHECK_INT(st.active, 3);
	CHECK_INT(st.peak, 3);
	cf_flow_table_free(t);
}

static void test_flush(void)
{
	static const uint16_t touch[] = { 3, 0, 4, 1, 2 };
	struct cf_flow_table *t = table(8);
	struct cf_flow_stats st;
	struct cf_packet p;
	int dir, created, i;

	for (i = 0; i < 5; i++) {
		p = mk(A, (uint16_t)i, B, 80, i % 2 ? 17 : 6, 0, S, 40);
		cf_flow_get(t, &p, &dir, &created);
	}
	for (i = 0; i < 5; i++) {
		p = mk(A, touch[i], B, 80, touch[i] % 2 ? 17 : 6, 0, 2 * S, 40);
		cf_flow_get(t, &p, &dir, &created);
	}
	p = mk(A, 0, B, 80, 6, RST, 3 * S, 40);  /* one closed */
	cf_flow_get(t, &p, &dir, &created);
	cf_flow_flush(t);
	CHECK_INT(n_ends, 5);
	for (i = 0; i < 5; i++) {
		CHECK_INT(ends[i].why, CF_END_SHUTDOWN);
		CHECK_INT(ends[i].seq, i);
		CHECK_INT(ends[i].port0, i);
	}
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.ended_shutdown, 5);
	CHECK_INT(st.active, 0);
	/* Usable after a flush. */
	p = mk(A, 0, B, 80, 6, 0, 4 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 1);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.active, 1);
	cf_flow_table_free(t);
}

/*
 * cf_flow_add_counts (--threads): counts in pkt's own direction and the
 * other, the last time kept, and the flow made when missing.
 */
static void test_add_counts(void)
{
	struct cf_flow_table *t = table(8);
	struct cf_flow_stats st;
	struct cf_packet p;
	struct cf_flow *f, *g;
	uint32_t n[2] = { 3, 4 };
	uint64_t b[2] = { 300, 4000 };
	int dir, created;

	p = mk(A, 5000, B, 443, 17, 0, 1 * S, 100);
	f = cf_flow_get(t, &p, &dir, &created);
	CHECK_INT(created, 1);
	/* counts given from the responder's side: its [0] is f's [1] */
	p = mk(B, 443, A, 5000, 17, 0, 2 * S, 0);
	g = cf_flow_add_counts(t, &p, cf_flow_hash(t, &p), n, b, 7 * S, &created);
	CHECK(g == f);
	CHECK_INT(created, 0);
	CHECK_INT(f->pkts[0], 1 + 4);
	CHECK_INT(f->bytes[0], 100 + 4000);
	CHECK_INT(f->pkts[1], 3);
	CHECK_INT(f->bytes[1], 300);
	CHECK_INT(f->last_us, 7 * S);
	CHECK_INT(f->first_us, 1 * S);
	/* an older last time does not move it back */
	g = cf_flow_add_counts(t, &p, cf_flow_hash(t, &p), n, b, 5 * S, &created);
	CHECK_INT(g->last_us, 7 * S);
	CHECK_INT(g->pkts[1], 6);
	/* a flow not in the table (evicted from a worker's) is made, its
	   first packet's end the initiator */
	p = mk(A, 6000, B, 443, 17, 0, 3 * S, 0);
	g = cf_flow_add_counts(t, &p, cf_flow_hash(t, &p), n, b, 4 * S, &created);
	CHECK_INT(created, 1);
	CHECK_INT(g->port[0], 6000);
	CHECK_INT(g->pkts[0], 3);
	CHECK_INT(g->pkts[1], 4);
	CHECK_INT(g->first_us, 3 * S);
	CHECK_INT(g->last_us, 4 * S);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.active, 2);
	CHECK_INT(st.created, 2);
	cf_flow_table_free(t);
}

/*
 * Lists touched out of the order of the flows' last packets (counts handed
 * over late): the expiry is exact up to 2 s of disorder, late - never
 * early - beyond.
 */
static void test_expire_out_of_order(void)
{
	struct cf_flow_table *t = table(8);
	struct cf_packet p;
	uint32_t n[2] = { 1, 0 };
	uint64_t b[2] = { 100, 0 };
	int dir, created;

	/* UDP (120 s): flow 1 last at 10.5 s but touched after flow 2 (11 s),
	   flow 3 last at 20 s */
	p = mk(A, 1, B, 1, 17, 0, 10 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(A, 2, B, 2, 17, 0, 11 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(A, 1, B, 1, 17, 0, 10 * S, 40);
	cf_flow_add_counts(t, &p, cf_flow_hash(t, &p), n, b, 10 * S + S / 2, &created);
	p = mk(A, 3, B, 3, 17, 0, 20 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	/* flow 1 due, flow 2 (the head) not: flow 1 ends all the same */
	cf_flow_expire(t, 130 * S + S / 2 + 1);
	CHECK_INT(n_ends, 1);
	CHECK_INT(ends[0].why, CF_END_IDLE);
	CHECK_INT(ends[0].port0, 1);
	CHECK_INT(ends[0].pkts0, 2);
	cf_flow_expire(t, 131 * S);          /* exactly flow 2's timeout */
	CHECK_INT(n_ends, 1);
	cf_flow_expire(t, 131 * S + 1);
	CHECK_INT(n_ends, 2);
	CHECK_INT(ends[1].port0, 2);
	/* flow 4 (last 30 s) touched after flow 5 (last 35 s): 5 s apart,
	   more than the slack: flow 4 ends late, not early */
	p = mk(A, 5, B, 5, 17, 0, 35 * S, 40);
	cf_flow_get(t, &p, &dir, &created);
	p = mk(A, 4, B, 4, 17, 0, 30 * S, 40);
	cf_flow_add_counts(t, &p, cf_flow_hash(t, &p), n, b, 30 * S, &created);
	/* at 150 s flow 3 (last 20 s) ends; flow 4 is due too, but hidden
	   behind flow 5 */
	cf_flow_expire(t, 150 * S + 1);
	CHECK_INT(n_ends, 3);
	CHECK_INT(ends[2].port0, 3);
	cf_flow_expire(t, 155 * S + 1);      /* both, in list order */
	CHECK_INT(n_ends, 5);
	CHECK_INT(ends[3].port0, 5);
	CHECK_INT(ends[4].port0, 4);
	cf_flow_table_free(t);
}

/* ---- churn against a model -------------------------------------------- */

#define CHURN_FLOWS 100000
#define CHURN_SLOTS 1000

static struct churn {
	uint8_t alive[CHURN_FLOWS];
	uint64_t last[CHURN_FLOWS];
	uint64_t ends, bad_victims, bad_ends;
	uint32_t n_alive;
} M;

/*
 * Flow id k: 10.x.y.z (0x0a000000 + k), port k % 60000 <-> 192.0.2.(k % 7)
 * port 443.  Protocol by k % 3: TCP, UDP, ICMP.  The forward packet of a
 * TCP flow is a SYN, a reply a SYN+ACK, so whichever comes first, ip[0] is
 * the 10/8 end.
 */
static struct cf_packet churn_pkt(uint32_t k, int reverse, uint8_t flags,
				  uint64_t ts)
{
	uint8_t proto = k % 3 == 0 ? 6 : k % 3 == 1 ? 17 : 1;
	uint32_t a = 0x0a000000u + k, b = 0xc0000200u + (k % 7);
	uint16_t pa = (uint16_t)(k % 60000), pb = 443;

	if (proto != 6)
		flags = 0;
	if (proto == 1)
		pa = pb = 0;
	if (reverse)
		return mk(b, pb, a, pa, proto, flags, ts, 100);
	return mk(a, pa, b, pb, proto, flags, ts, 100);
}

static void churn_end(struct cf_flow *f, enum cf_flow_end why, void *ctx)
{
	uint32_t k = v4_of(&f->ip[0]) - 0x0a000000u, i;
	uint64_t min = UINT64_MAX;

	(void)ctx;
	M.ends++;
	if (k >= CHURN_FLOWS || !M.alive[k] || !f->t_used ||
	    f->last_us != M.last[k]) {
		M.bad_ends++;
		return;
	}
	if (why == CF_END_EVICTED && M.ends % 256 == 0) {
		for (i = 0; i < CHURN_FLOWS; i++)
			if (M.alive[i] && M.last[i] < min)
				min = M.last[i];
		if (f->last_us != min)
			M.bad_victims++;
	}
	M.alive[k] = 0;
	M.n_alive--;
}

/* One packet of flow k; checks what the table says against the model. */
static void churn_get(struct cf_flow_table *t, uint32_t k, int rev,
		      uint8_t flags, uint64_t ts, int *bad)
{
	struct cf_packet p = churn_pkt(k, rev, flags, ts);
	struct cf_flow *f;
	int dir, created;

	f = cf_flow_get(t, &p, &dir, &created);
	if (created != !M.alive[k] || dir != rev ||
	    v4_of(&f->ip[0]) != 0x0a000000u + k || f->last_us != ts)
		(*bad)++;
	if (created) {
		M.alive[k] = 1;
		M.n_alive++;
	}
	M.last[k] = ts;
}

static void test_churn(void)
{
	struct cf_flow_limits lim;
	struct cf_flow_stats st;
	struct cf_flow_table *t;
	char err[128];
	uint64_t ts = 0;
	uint32_t k, x = 1, j;
	int bad = 0;

	cf_flow_limits_default(&lim);
	lim.max_flows = CHURN_SLOTS;
	lim.tcp_idle_us = 3 * S;
	lim.udp_idle_us = 2 * S;
	lim.other_idle_us = 1 * S;
	lim.closed_us = S / 2;
	t = cf_flow_table_new(&lim, churn_end, NULL, err, sizeof(err));
	for (k = 0; k < CHURN_FLOWS; k++) {
		ts += 1000 + (k % 5) * 300;
		churn_get(t, k, 0, SYN, ts, &bad);
		x = x * 1103515245u + 12345u;
		/* a reply on a recent flow (TCP ones may come back to life) */
		j = k - (x >> 16) % 1500 % (k + 1);
		if (M.alive[j] || j % 3 == 0)
			churn_get(t, j, 1, SYN | ACK, ts, &bad);
		if (k % 5 == 0)         /* some TCP flows are reset */
			churn_get(t, k, 1, RST, ts, &bad);
		if (k % 1000 == 999)
			cf_flow_expire(t, ts);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(M.bad_ends, 0);
	CHECK_INT(M.bad_victims, 0);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.created, st.ended_idle + st.ended_closed + st.evicted +
		  st.ended_shutdown + st.active);
	CHECK_INT(st.active, M.n_alive);
	CHECK_INT(st.ended_idle + st.ended_closed + st.evicted, M.ends);
	CHECK(st.evicted > 0);
	CHECK(st.ended_idle > 0);
	CHECK(st.ended_closed > 0);
	CHECK_INT(st.peak, CHURN_SLOTS);
	CHECK(st.active <= CHURN_SLOTS);
	fprintf(stderr, "  churn: created %llu idle %llu closed %llu evicted %llu\n",
		(unsigned long long)st.created, (unsigned long long)st.ended_idle,
		(unsigned long long)st.ended_closed,
		(unsigned long long)st.evicted);
	/* Every live flow is still in the index, in both directions. */
	for (k = 0; k < CHURN_FLOWS; k++)
		if (M.alive[k]) {
			churn_get(t, k, 1, ACK, ts, &bad);
			churn_get(t, k, 0, ACK, ts, &bad);
		}
	CHECK_INT(bad, 0);
	cf_flow_flush(t);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.active, 0);
	CHECK_INT(M.n_alive, 0);
	CHECK_INT(st.created, st.ended_idle + st.ended_closed + st.evicted +
		  st.ended_shutdown);
	CHECK_INT(M.ends, st.created);
	cf_flow_table_free(t);
}

/* ---- the index grows with the flows ------------------------------------ */

/*
 * A table for 100,000 flows starts with an index of 16,384 slots and
 * doubles it as the live flows pass half of it: 50,000 flows take three
 * doublings (to 131,072 slots), every one of them is found again both
 * ways after each, the table never evicts, and flows that end leave room
 * that new ones take without more growth.  A table for 10,000 grows to
 * its 32,768 slots at most and evicts at 10,000 as before.
 */
/* t's index: doubled `grown` times to `slots`; `active` flows live,
 * `evicted` of them pushed out (each through the end callback). */
static void check_index(const struct cf_flow_table *t, uint32_t grown,
			uint64_t slots, uint32_t active, uint64_t evicted)
{
	struct cf_flow_stats st;

	cf_flow_get_stats(t, &st);
	CHECK_INT(st.index_grown, grown);
	CHECK_INT(st.index_bytes, slots * 4);
	CHECK_INT(st.active, active);
	CHECK_INT(st.evicted, evicted);
	CHECK_INT(n_ends, evicted);
}

static void test_index_grows(void)
{
	struct cf_flow_table *t = table(100000);
	struct cf_flow_stats st;
	struct cf_packet p;
	struct cf_flow *f;
	uint32_t k, lost = 0;
	int dir, created;

	check_index(t, 0, 16384, 0, 0);
	for (k = 0; k < 50000; k++) {
		p = mk(0x0a000000u + k, (uint16_t)(1024 + k % 50000), B, 443,
		       17, 0, 1000 + k, 100);
		f = cf_flow_get(t, &p, &dir, &created);
		CHECK(created && dir == 0);
		if (k == 8191 || k == 8192 || k == 16384 || k == 32768 ||
		    k == 49999) {
			uint32_t j;

			for (j = 0; j <= k; j++) {
				p = mk(B, 443, 0x0a000000u + j,
				       (uint16_t)(1024 + j % 50000), 17, 0,
				       1000 + k, 100);
				f = cf_flow_get(t, &p, &dir, &created);
				if (created || dir != 1 ||
				    v4_of(&f->ip[0]) != 0x0a000000u + j)
					lost++;
			}
		}
	}
	CHECK_INT(lost, 0);
	check_index(t, 3, 131072, 50000, 0);
	/* all idle, then as many new flows: the index stays */
	cf_flow_expire(t, 1000 + 50000 + 121ULL * 1000000);
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.active, 0);
	CHECK_INT(st.ended_idle, 50000);
	for (k = 0; k < 50000; k++) {
		p = mk(0x0b000000u + k, 5000, B, 443, 6, SYN, 200000000 + k, 60);
		cf_flow_get(t, &p, &dir, &created);
		CHECK(created);
	}
	cf_flow_get_stats(t, &st);
	CHECK_INT(st.index_grown, 3);
	CHECK_INT(st.active, 50000);
	cf_flow_table_free(t);

	t = table(10000);
	for (k = 0; k < 12000; k++) {
		p = mk(0x0a000000u + k, 7000, B, 443, 17, 0, 1000 + k, 100);
		cf_flow_get(t, &p, &dir, &created);
	}
	check_index(t, 1, 32768, 10000, 2000);
	cf_flow_table_free(t);
}

/* ---- class strings: interned, released when the flow ends ------------- */

static uint64_t host_seen_at_end;

/* The end callback still reads the flow's host (the engine writes the
 * event there); checks it is the one set. */
static void host_end(struct cf_flow *f, enum cf_flow_end why, void *ctx)
{
	char want[64];

	(void)why;
	(void)ctx;
	snprintf(want, sizeof(want), "sni-%u.example", (unsigned)f->port[0]);
	if (strcmp(cf_class_host(&f->cls), want) == 0 &&
	    strcmp(cf_class_evidence(&f->cls), "tls-sni") == 0)
		host_seen_at_end++;
}

static void test_class_strings_bounded(void)
{
	struct cf_flow_limits lim;
	struct cf_intern_stats before, st;
	struct cf_flow_table *t;
	struct cf_packet p;
	struct cf_flow *f;
	char err[128], host[64];
	int dir, created;
	uint32_t i;

	CHECK_INT(sizeof(struct cf_flow) <= 240, 1);
	cf_intern_get_stats(&before);
	cf_flow_limits_default(&lim);
	lim.max_flows = 64;
	t = cf_flow_table_new(&lim, host_end, NULL, err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	host_seen_at_end = 0;
	/* a flood of flows, each with a server name of its own: the table
	   evicts, and the strings go with the flows */
	for (i = 0; i < 5000; i++) {
		p = mk(A, (uint16_t)(1024 + i), B, 443, 6, 0x02, 1000 + i, 60);
		f = cf_flow_get(t, &p, &dir, &created);
		CHECK_INT(created, 1);
		snprintf(host, sizeof(host), "sni-%u.example", (unsigned)f->port[0]);
		cf_class_set_host(&f->cls, host, sizeof(host));
		cf_class_set_evidence(&f->cls, "tls-sni", CF_EVID_LEN);
		cf_intern_get_stats(&st);
		CHECK(st.entries <= before.entries + 64 + 1);
	}
	CHECK_INT(host_seen_at_end, 5000 - 64);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, before.entries + 64 + 1);  /* 64 names, 1 evidence */
	CHECK_INT(st.refs, before.refs + 2 * 64);
	cf_flow_flush(t);
	CHECK_INT(host_seen_at_end, 5000);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, before.entries);
	CHECK_INT(st.refs, before.refs);
	CHECK_INT(st.bytes, before.bytes > 0 ? before.bytes : st.bytes);
	/* live flows when the table is freed give their strings back too */
	p = mk(A, 1, B, 443, 6, 0x02, 10000000, 60);
	f = cf_flow_get(t, &p, &dir, &created);
	cf_class_set_host(&f->cls, "left.example", 64);
	cf_flow_table_free(t);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, before.entries);
	CHECK_INT(st.refs, before.refs);
}

int main(void)
{
	RUN(test_defaults);
	RUN(test_directions);
	RUN(test_hashed);
	RUN(test_synack_first);
	RUN(test_idle_expiry);
	RUN(test_close);
	RUN(test_evict);
	RUN(test_flush);
	RUN(test_add_counts);
	RUN(test_expire_out_of_order);
	RUN(test_churn);
	RUN(test_index_grows);
		RUN(test_class_strings_bounded);
return harness_done();
}
