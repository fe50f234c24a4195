/*
 * calls.h - the call table: the flows that share a call key (the
 * classifier's, classify.h's enum cf_call_by) summed up as calls, each
 * written as one callfence.call event when it is over.
 *
 * One table for the runner, shared by its engines (with --threads a
 * call's flows may end in different workers; the table has a lock, taken
 * once when a flow joins a call and once when it ends, never per packet).
 * A flow joins when it first has a key (live count + 1) and leaves at its
 * end, adding its bytes, roles, remote end and alerts.  A call whose
 * flows have all ended is written once it has been quiet for
 * CF_CALL_LINGER_US (cf_calls_emit at the engines' ticks) when capturing
 * live; reading capture files, and for what is left at the end, every
 * call is written at the end of the run, in order of their first packet.  The
 * contents are sums, maxima and sorted lists, so the order in which
 * workers report does not change them.
 *
 * Bounded: CF_CALLS_MAX calls at once; a new call meeting a full table
 * pushes out (writes early) the call quiet longest, or, when every call
 * still has live flows, is not tracked (counted: untracked).
 */
#ifndef CF_CALLS_H
#define CF_CALLS_H

#include <stdint.h>

#include "event/event.h"
#include "flow/flow.h"

#define CF_CALLS_MAX 8192
#define CF_CALL_LINGER_US (120ull * 1000000ull)

struct cf_calls;
struct cf_outputs;

struct cf_calls_stats {
	uint64_t calls;          /* calls seen */
	uint64_t written;        /* callfence.call events written */
	uint64_t evicted;        /* written early: the table was full */
	uint64_t untracked;      /* flows of calls the full table could not hold */
};

/* What a flow brings to its call at its end (engine.c fills it). */
struct cf_call_flow {
	const struct cf_flow *f;
	int local;                          /* index of our end, -1 unknown */
	int judged;                         /* a call flow the policy judged */
	const struct cf_geo_result *geo;    /* the remote end's, NULL none */
	const struct cf_geo_result *peer_geo;  /* the TURN peer's, NULL none */
	const struct cf_rule_info *worst;   /* its worst alert's rule, NULL none */
};

/* idle: write calls once quiet (live capture); 0: only at the end and
 * when the table is full (capture files: the calls come out in the same
 * order and with the same contents whatever the number of threads, since
 * the workers' packet clocks are not in step). */
struct cf_calls *cf_calls_new(struct cf_outputs *out, int idle);
void cf_calls_free(struct cf_calls *t);
/* A flow now has call key (live + 1). */
void cf_calls_join(struct cf_calls *t, uint64_t key, const struct cf_event_meta *m);
/* A flow that joined key leaves it (its key changed: the weak guess gave
 * way to what the wire showed). */
void cf_calls_leave(struct cf_calls *t, uint64_t key);
/* A flow that joined joined_key (0 none) ends as a flow of
 * cf->f->cls.call_key. */
void cf_calls_flow_end(struct cf_calls *t, uint64_t joined_key,
		       const struct cf_call_flow *cf, const struct cf_event_meta *m);
/* Write the calls over at packet time now_us (all: every call, the end). */
void cf_calls_emit(struct cf_calls *t, const struct cf_event_meta *m,
		   uint64_t now_us, int all);
void cf_calls_get_stats(struct cf_calls *t, struct cf_calls_stats *st);

#endif /* CF_CALLS_H */
