/*
 * calls-int.h - the call table's own types, shared by its files: calls.c
 * (the table, joining and ending flows, writing calls), calls-merge.c
 * (grouping the calls that are due), calls-rows.c (the summary's rows).
 */
#ifndef CF_CALLS_INT_H
#define CF_CALLS_INT_H

#include <pthread.h>
#include <stdint.h>

#include "engine/calls.h"
#include "util/ahead.h"

#define CALL_PROBES 32
_Static_assert(CF_CALLS_MAX <= 65536, "slot numbers and positions are 16-bit");
#define CALL_APPS 6
#define CALL_SOCKS 8                   /* local sockets kept per call */
#define RANK_GUESS 2                   /* flow_rank: the first named rank */
#define RANK_NAME 4

struct app_vote {
	uint16_t nid;                  /* name id (cf_class_names) */
	uint8_t rank;                  /* flow_rank: >= RANK_GUESS named, 1 generic, 0 unknown */
	uint64_t bytes;
};

struct held {
	struct cf_flow f;
	enum cf_flow_end why;
	uint8_t has_rtt;
	struct cf_rtt rtt;             /* the entry's RTT state (engine-rtt.c) */
};

struct slot {
	uint8_t used;
	uint8_t rank;                  /* of its app (flow_rank): >= RANK_GUESS named */
	uint16_t pos;                  /* its key's position in keys[] */
	struct slot *primary;          /* the call it is merged into (itself) */
	uint64_t glast_us;             /* a primary: the last packet of its group */
	uint32_t n_held, cap_held;
	struct held *held;             /* its flows held for its app */
	uint32_t live;                 /* flows joined, not ended */
	uint64_t quiet_us;             /* packet time its last flow ended */
	uint64_t local_first_us;       /* first_us of the flow the local party came from */
	struct app_vote app[CALL_APPS];
	uint8_t merge_by;              /* group_calls: the link it is merged by */
	uint8_t n_sock;
	uint16_t sock[CALL_SOCKS];     /* local UDP ports of its flows (group_calls) */
	struct cf_call_record rec;
};

struct cf_calls {
	pthread_mutex_t mu;
	struct cf_outputs *out;
	struct slot *v;
	uint64_t *keys;                /* position i's key, 0 when free */
	uint16_t *idx;                 /* position i's slot in v[] (keys[i] != 0) */
	uint16_t *spare;               /* slots freed, the last on top */
	uint32_t n_spare, n_fresh;     /* v[n_fresh..] never used */
	struct cf_ahead ahead;         /* v's pages backed ahead (util/ahead.h) */
	struct slot **due;             /* cf_calls_emit's list, CF_CALLS_MAX */
	size_t n_due;                  /* due[0..n_due): cf_calls_end_* */
	int idle;                      /* write quiet calls before the end */
	cf_calls_write_fn write;
	void *write_ctx;               /* the engine writing now (lock held) */
	uint64_t n_held;               /* flows held in all */
	struct cf_calls_stats st;
	struct cf_call_row *rows;      /* reading files: the calls written */
	size_t n_rows, cap_rows;
	uint64_t rows_more;
};

/* calls.c */
void cc_slot_free(struct cf_calls *t, struct slot *s);
void cc_add_merged(struct cf_call_record *r, uint64_t id);
void cc_vote(struct slot *s, uint16_t nid, uint8_t rank, uint64_t bytes);
void cc_add_party(struct cf_call_record *r, const cf_addr *ip,
		  const struct cf_geo_result *g, unsigned roles, int via_relay,
		  uint32_t flows, uint64_t bytes, uint64_t packets);
/* r's party ip (through a relay or not), NULL none */
struct cf_call_party *cc_party(const struct cf_call_record *r, const cf_addr *ip,
			       int via_relay);
void cc_copy_str(char *dst, size_t cap, const char *s);
void cc_add_sock(struct slot *s, uint16_t port);
int cc_share_sock(const struct slot *a, const struct slot *b);
void cc_best_app(struct slot *s);
/* calls-merge.c: the due calls, grouped and merged, in the order they
 * are written (t->due); their number */
size_t cc_due_calls(struct cf_calls *t, uint64_t now_us, int all);
/* calls-rows.c: the summary's row of call s (reading files) */
void cc_add_row(struct cf_calls *t, const struct slot *s);

#endif /* CF_CALLS_INT_H */
