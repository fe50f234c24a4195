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
 * A flow of a call is held (a copy of its entry, its strings
 * moved with it) until the call is written: then the call's app is known,
 * and a flow whose own app is only a generic protocol (webrtc, rtp, sip,
 * unknown) or was named by no stronger clue than the call's app (nDPI's
 * guess, the operator of a public STUN server: calls.c, flow_rank) takes
 * the call's app ("signal") before its flow event is written - and is judged again with it, so rules that name the app
 * apply.  The engine that writes the call does this (the write function
 * given to cf_calls_new, with the engine as ctx).  At most
 * CF_CALL_HELD_MAX flows a call and CF_CALLS_HELD_MAX in all are held; the
 * others are written at their end with their own app (counted: unheld).
 *
 * Calls written together are merged by the weak link when they share
 * their local party and named app and are at most CF_CALL_MERGE_GAP_US
 * apart; a call with only a generic app and no link of its own but an
 * RTP/RTCP port pair joins the one such call its time overlaps.  The merged call keeps the earliest's id and lists the others
 * (merged_ids); its held flows are written with that id.
 *
 * Bounded: CF_CALLS_MAX calls at once; a new call meeting a full table
 * pushes out (writes early) the call quiet longest, or, when every call
 * still has live flows, is not tracked (counted: untracked).
 */
#ifndef CF_CALLS_H
#define CF_CALLS_H

#include <stdint.h>

#include "event/event.h"
#include "event/report.h"
#include "flow/flow.h"
#include "flow/rtt.h"

#define CF_CALLS_MAX 8192
#define CF_CALL_LINGER_US (120ull * 1000000ull)
#define CF_CALL_HELD_MAX 256            /* flows of one call held for its app */
#define CF_CALLS_HELD_MAX 65536         /* ... of all calls */
#define CF_CALL_MERGE_GAP_US (60ull * 1000000ull)  /* calls of one party and app this close are one */

struct cf_calls;
struct cf_outputs;

/* struct cf_calls_stats is in event/report.h: the run totals embed it. */

/*
 * Write a held flow f (its end: why; its RTT state rtt, NULL none) with
 * the engine ctx: its call's app
 * is call_app ("" unknown).  f is the call table's copy: the function
 * releases its strings (cf_class_release); the table frees the copy.
 * Returns 1 when the flow took the call's app; *new_alerts says how many
 * alerts judging it again raised, *worst the rule of its worst alert now.
 */
typedef int (*cf_calls_write_fn)(void *ctx, struct cf_flow *f, enum cf_flow_end why,
				 const struct cf_rtt *rtt, const char *call_app,
				 unsigned *new_alerts, const struct cf_rule_info **worst);

/* What a flow brings to its call at its end (engine.c fills it). */
struct cf_call_flow {
	struct cf_flow *f;
	int local;                          /* index of our end, -1 unknown */
	int judged;                         /* a call flow the policy judged */
	const struct cf_geo_result *geo;    /* the remote end's, NULL none */
	const struct cf_geo_result *peer_geo;  /* the TURN peer's, NULL none */
	const struct cf_rule_info *worst;   /* its worst alert's rule, NULL none */
	const struct cf_rtt *rtt;           /* its RTT state (kept with a held copy), NULL none */
};

/* idle: write calls once quiet (live capture); 0: only at the end and
 * when the table is full (capture files: the calls come out with the same
 * contents whatever the number of threads, since the workers' packet
 * clocks are not in step; with several threads their order between the
 * engines' parts at the end is not fixed, as flow events' is not). */
struct cf_calls *cf_calls_new(struct cf_outputs *out, int idle, cf_calls_write_fn write);
void cf_calls_free(struct cf_calls *t);
/* A flow now has call key (live + 1).  ctx: the engine calling (a full
 * table may write a call, and its held flows, with it). */
void cf_calls_join(struct cf_calls *t, void *ctx, uint64_t key,
		   const struct cf_event_meta *m);
/* A flow that joined key leaves it (its key changed: the weak guess gave
 * way to what the wire showed). */
void cf_calls_leave(struct cf_calls *t, uint64_t key);
/* A joined flow's key changed from old to key (a stronger link found):
 * it leaves old and joins key; when it was old's last flow, old's id goes
 * to key's merged ids (the flow's first events may have named it). */
void cf_calls_move(struct cf_calls *t, void *ctx, uint64_t old, uint64_t key,
		   const struct cf_event_meta *m);
/* A flow that joined joined_key (0 none) ends as a flow of
 * cf->f->cls.call_key.  1 when the table holds it (a copy; its strings
 * moved to the copy: the caller writes no flow event for it), else 0. */
int cf_calls_flow_end(struct cf_calls *t, void *ctx, uint64_t joined_key,
		      struct cf_call_flow *cf, enum cf_flow_end why,
		      const struct cf_event_meta *m);
/* Write the calls over at packet time now_us (all: every call, the end);
 * ctx is the engine that writes their held flows. */
void cf_calls_emit(struct cf_calls *t, void *ctx, const struct cf_event_meta *m,
		   uint64_t now_us, int all);
/*
 * The end of capture files with several engines, every flow ended: the
 * calls still open are merged and put in order once (cf_calls_end_begin,
 * their number), then each of `parts` engines writes the calls i with
 * i % parts == part - their held flows and call events - at the same
 * time as the others (cf_calls_end_part, ctx the engine; each call is
 * written whole by one engine, so its events are those one engine
 * writes, only their order between parts differs), then
 * cf_calls_end_finish frees them.  Nothing else may use the table
 * between begin and finish.
 */
size_t cf_calls_end_begin(struct cf_calls *t);
void cf_calls_end_part(struct cf_calls *t, void *ctx, const struct cf_event_meta *m,
		       unsigned part, unsigned parts);
void cf_calls_end_finish(struct cf_calls *t);
void cf_calls_get_stats(struct cf_calls *t, struct cf_calls_stats *st);
/* Reading files: the calls written so far, one row each (event/report.h),
 * into to (the rows stay the table's: read them before cf_calls_free). */
void cf_calls_get_rows(struct cf_calls *t, struct cf_run_totals *to);

#endif /* CF_CALLS_H */
