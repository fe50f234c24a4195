/*
 * workers.h - --threads N for capture files: one reader, N engines.
 *
 * The reader (the thread that calls cf_capture_files) decodes every frame,
 * keeps the packet clock and hands each packet to the worker that owns its
 * flow, found by a symmetric hash of (VLAN, protocol, both ends) in the
 * reader's own table of flows, so both directions of a flow reach the
 * same worker, the one a new flow was given.  Each worker is a whole
 * engine (flow table, classifier, geography, report); worker 0 runs in the
 * reader's own thread with a smaller part of the new flows, adapted while
 * the file is read, the others in threads of their own (N threads in
 * all).  They share the policy file,
 * the catalog and the outputs (output.c
 * serialises the writes).  The result is the same set of events as one
 * engine, in another order:
 *   - the idle expiry runs in every worker at the packet times one engine
 *     would have run it (the reader sends the ticks);
 *   - every DNS answer and SIP message reaches every worker, in order, so
 *     a flow is named (or known as announced by SDP) from what came before
 *     it, whichever worker had it (cf_classify_is_shared);
 *   - the reports are merged at the end.
 * --max-flows and --ndpi-flows are shared out: each worker gets its part.
 */
#ifndef CF_WORKERS_H
#define CF_WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "decode/decode.h"
#include "engine/engine.h"
#include "policy/policy.h"
#include "event/report.h"

#define CF_MAX_THREADS 64

struct cf_workers;
struct cf_outputs;

/* Start n (1..CF_MAX_THREADS) workers; NULL with a message in err. */
struct cf_workers *cf_workers_new(unsigned n, const struct cf_engine_config *cfg,
				  struct cf_outputs *out, char *err, size_t errlen);

/* The reader's packet callback (cf_packet_fn; ctx is the workers). */
void cf_workers_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		       const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* End of input: every worker takes what is queued, ends its flows (flow
 * events) and stops.  The totals and report below are then complete. */
void cf_workers_finish(struct cf_workers *w);

/* The run totals of all workers, with the reader's frame and decode counts. */
void cf_workers_totals(const struct cf_workers *w, struct cf_run_totals *t);
/* The workers' reports merged (after cf_workers_finish); NULL out of memory. */
struct cf_report *cf_workers_report(struct cf_workers *w);
/* The highest severity alerted by any worker. */
enum cf_severity cf_workers_max_severity(const struct cf_workers *w);

/* -v: what each thread did (CPU time, waits), one line each, to fp. */
void cf_workers_describe(const struct cf_workers *w, FILE *fp);

void cf_workers_free(struct cf_workers *w);

#endif /* CF_WORKERS_H */
