/*
 * flow.h - bidirectional flows and the table that keeps them.
 *
 * A flow is keyed by (VLAN, protocol, the two address/port ends) in either
 * direction.  ip[0]/port[0] is the initiator: the source of the first packet
 * seen, except that a TCP SYN+ACK first makes its destination the initiator.
 * The table is preallocated (max_flows entries): creating a flow never
 * allocates.  Idle timeouts run on packet time (cf_flow_expire); when the
 * table is full the least recently active flow is evicted and counted.
 */
#ifndef CF_FLOW_H
#define CF_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include "util/class.h"
#include "util/netaddr.h"

struct cf_packet;

enum cf_flow_end {
	CF_END_IDLE = 0,   /* idle timeout passed (packet time) */
	CF_END_CLOSED,     /* TCP FIN from both sides or RST, then a short grace */
	CF_END_EVICTED,    /* table full: pushed out for a new flow */
	CF_END_SHUTDOWN    /* end of input / program exit */
};

#define CF_MAX_FLOW_ALERTS 4

/* What decided which end of a flow is ours (cf_flow.local_by). */
enum {
	CF_LOCAL_BY_NONE = 0,    /* not decided yet */
	CF_LOCAL_BY_HOME,        /* one end is in home-net, the other not */
	CF_LOCAL_BY_PORT,        /* one end is on a well-known server port */
	CF_LOCAL_BY_INITIATOR    /* neither, or a TCP handshake was seen: the
				    initiator (the first packet's source, or
				    a SYN/ACK's destination) */
};
/* A flag on local_by: the flow was seen from its middle (no SYN first)
 * and ip[0], the first packet's sender, is on a server's port while
 * ip[1] is not: the initiator was ip[1] (ECS's source, whatever decided
 * which end is ours). */
#define CF_LOCAL_MIDFLOW_SERVER_FIRST 0x80
#define CF_LOCAL_BY(f) ((f)->local_by & 0x7f)

/*
 * One entry of the table: at most 240 bytes, so that an entry and its
 * share of the index (8 bytes: two slots of 4 at a load of 1/2) stay
 * within 256.  Strings of the class live outside (util/class.h); counters
 * that grow with a long flow's life stay 64-bit.
 */
struct cf_flow {
	/* What every packet reads or writes, in the first 106 bytes (two cache
	   lines, three when the entry straddles): key, time, counters, list
	   links, and cls.done. */
	cf_addr ip[2];          /* [0] initiator, [1] responder */
	uint16_t port[2];
	uint16_t vlan;
	uint8_t proto;          /* IP protocol number */
	uint8_t ip_version;     /* 4 or 6 */
	uint8_t tcp_fin;        /* bit d set: FIN seen from direction d */
	uint8_t tcp_rst;
	uint8_t icmp_type;      /* ICMP: type and code of the flow's first packet */
	uint8_t icmp_code;      /* (for the Community ID) */
	uint32_t t_hash;        /* table bookkeeping, owned by flow-table.c: */
	uint64_t last_us;
	uint32_t t_prev, t_next; /* LRU list of the flow's timeout class */
	uint64_t pkts[2];       /* [d]: packets sent by end d */
	uint64_t bytes[2];      /* [d]: IP bytes sent by end d (ip_len) */
	uint8_t t_class;
	uint8_t t_used;

	/* Judgement state, owned by the engine (engine.c); the small fields
	   fill the hole before the class. */
	int8_t local;           /* index of our end (0/1); -1 until decided */
	uint8_t judged : 1;     /* 0 not yet, 1 judged at least once */
	uint8_t call_joined : 1; /* counted live in its call (engine/calls.h) */
	uint8_t verdict;        /* 0 unjudged, 1 pass, 2 alert, 3 no rule matched, 4 local-only */
	uint8_t n_alerts;
	uint8_t local_by;       /* what decided local: CF_LOCAL_BY_* */
	uint8_t syn_first;      /* TCP: the flow's first packet had SYN: its
				   initiator is certain */

	struct cf_class cls;    /* cls.done first */

	uint64_t first_us;
	uint64_t seq;           /* creation order, for stable output */
	uint32_t judged_version;
	int16_t decided_rule;   /* index of the rule that decided, -1 none
				   (a policy has at most CF_RULES_MAX_RULES) */
	int16_t alerted[CF_MAX_FLOW_ALERTS]; /* rule indexes already alerted */
	uint32_t alert_repeats; /* further matches of an already-alerted rule */
};

struct cf_flow_limits {
	uint32_t max_flows;      /* table capacity; default 1,000,000 */
	uint64_t tcp_idle_us;    /* default 300 s */
	uint64_t udp_idle_us;    /* default 120 s */
	uint64_t other_idle_us;  /* default 60 s */
	uint64_t closed_us;      /* after FIN both ways / RST; default 10 s */
};

struct cf_flow_stats {
	uint64_t created;
	uint64_t ended_idle, ended_closed, evicted, ended_shutdown;
	uint32_t active, peak;
	uint32_t capacity;
	/* memory: one entry, the index, the entries ever touched (resident) */
	uint32_t entry_bytes;      /* sizeof(struct cf_flow) */
	uint64_t index_bytes;      /* the hash index now (it grows with the flows) */
	uint32_t index_grown;      /* times the index doubled */
	uint64_t touched_bytes;    /* entries used at least once x entry_bytes */
};

typedef void (*cf_flow_end_fn)(struct cf_flow *f, enum cf_flow_end why,
			       void *ctx);

void cf_flow_limits_default(struct cf_flow_limits *lim);

/* NULL on allocation failure (err says how much was asked for). */
struct cf_flow_table *cf_flow_table_new(const struct cf_flow_limits *lim,
					cf_flow_end_fn end_fn, void *ctx,
					char *err, size_t errlen);
void cf_flow_table_free(struct cf_flow_table *t);

/*
 * Find or create the flow of pkt (pkt must be CF_DEC_OK).  *dir is set to
 * 0 when pkt goes from the initiator, 1 otherwise; *created to 1 for a new
 * flow (its cls zeroed, local = -1, decided_rule = -1).  Counts pkt into
 * pkts/bytes/last_us and TCP FIN/RST state.  Never returns NULL.
 */
struct cf_flow *cf_flow_get(struct cf_flow_table *t, const struct cf_packet *pkt,
			    int *dir, int *created);

/*
 * The same in steps, so that a reader can ask for the memory a packet
 * will touch a packet or two ahead (engine.c): the flow's hash, then the
 * index slot it starts at, then (once that slot is in the cache) the entry
 * the slot names (its number returned, for state kept by entry number
 * elsewhere; UINT32_MAX when the slot is empty).  The prefetches are
 * hints: the table may change before the packet's turn, and
 * cf_flow_get_hashed looks it up in full.
 */
uint32_t cf_flow_hash(const struct cf_flow_table *t, const struct cf_packet *pkt);
void cf_flow_prefetch_slot(const struct cf_flow_table *t, uint32_t h);
uint32_t cf_flow_prefetch_entry(const struct cf_flow_table *t, uint32_t h);
struct cf_flow *cf_flow_get_hashed(struct cf_flow_table *t,
				   const struct cf_packet *pkt, uint32_t h,
				   int *dir, int *created);

/*
 * --threads (workers.c): n[d] packets and b[d] IP bytes of the flow of
 * pkt, d 0 being pkt's own direction, the last of them at last_us, all
 * counted at once (packets that need nothing else: no TCP flags that
 * change the flow's state).  The flow is created, with pkt's time as its
 * first, when it is not there (*created).  Moves it to its list's tail.
 */
struct cf_flow *cf_flow_add_counts(struct cf_flow_table *t,
				   const struct cf_packet *pkt, uint32_t h,
				   const uint32_t n[2], const uint64_t b[2],
				   uint64_t last_us, int *created);

/*
 * End every flow idle at time now_us (packet time), calling end_fn: exact
 * when the flows were touched at most 2 s out of the order of their last
 * packets, later (never earlier) otherwise.
 */
void cf_flow_expire(struct cf_flow_table *t, uint64_t now_us);

/* End every flow (CF_END_SHUTDOWN), in creation order. */
void cf_flow_flush(struct cf_flow_table *t);

/*
 * Call fn on every live flow, in no particular order (the engine uses it to
 * carry judgement state across a policy reload).  fn may change the
 * engine-owned fields of a flow; it must not create or end flows.
 */
typedef void (*cf_flow_visit_fn)(struct cf_flow *f, void *ctx);
void cf_flow_foreach(struct cf_flow_table *t, cf_flow_visit_fn fn, void *ctx);

void cf_flow_get_stats(const struct cf_flow_table *t, struct cf_flow_stats *st);

/* The entry number of f (0 .. capacity - 1): for state kept beside the
 * table, one per entry (the engine's RTT state, flow/rtt.h). */
uint32_t cf_flow_slot(const struct cf_flow_table *t, const struct cf_flow *f);
const char *cf_flow_end_name(enum cf_flow_end why);

#endif /* CF_FLOW_H */
