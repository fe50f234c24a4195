/*
 * runner.h - the one way from "a frame arrived" to "events handed to the
 * outputs": capture files and live interfaces, one thread or N.
 *
 * The caller reads frames (cf_capture_files, cf_live_dispatch) and hands
 * each to cf_runner_packet, in order.  The thread that does so is the
 * reader: it keeps the packet clock (the idle expiry once a second of
 * packet time), decodes, and hands each packet to the engine (engine.h)
 * that owns its flow.  With one thread that is the only engine, and a
 * capture file's frames are handled two frames late so that the memory
 * of their flows is fetched ahead (CF_RUNNER_FILES).  With N threads
 * (--threads N) there are N engines: engine 0 runs in the reader's thread,
 * the others each in a thread of its own, fed through a ring (workers.h
 * describes how flows are shared out and why the events are the same).
 *
 * What the engines must do in order with the packets travels the same
 * way: the once-a-second wall-clock tick of live capture
 * (cf_runner_tick), a reload (cf_runner_reload, all or nothing), a
 * snapshot of the counters (cf_runner_numbers), a pause (cf_runner_hold)
 * and the end (cf_runner_finish).  All calls come from the reader's
 * thread.
 */
#ifndef CF_RUNNER_H
#define CF_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "capture/capture.h"
#include "engine/engine.h"
#include "event/report.h"

#define CF_MAX_THREADS 64

/* cf_runner_new's flags */
#define CF_RUNNER_FILES 1   /* capture files: look-ahead; threads start at once */
#define CF_RUNNER_LIVE  2   /* live: every engine made here, threads by cf_runner_start */

struct cf_runner;
struct cf_outputs;

/*
 * threads engines (1..CF_MAX_THREADS) for cfg writing to out; with
 * threads > 1 --max-flows and --ndpi-flows are shared out between them.
 * cfg (copied) must have strings that outlive the runner.  NULL with a
 * message in err (a configuration error, or out of memory).
 */
struct cf_runner *cf_runner_new(const struct cf_engine_config *cfg, unsigned threads,
				unsigned flags, struct cf_outputs *out,
				char *err, size_t errlen);

/* CF_RUNNER_LIVE with threads: start them (after fork: threads do not
 * survive it; with the signals blocked).  0, or -1 with a message. */
int cf_runner_start(struct cf_runner *r, char *err, size_t errlen);

/* One captured frame (cf_packet_fn; ctx is the runner). */
void cf_runner_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* The frames that follow came in on interface name (NULL: the configured
 * one): the alerts they raise say so.  name must outlive the runner. */
void cf_runner_set_interface(struct cf_runner *r, const char *name);

/* The input pauses (live, before waiting for more): what was handed in is
 * handed on now rather than with the next frames. */
void cf_runner_flush(struct cf_runner *r);

/* Live, about once a second: the idle expiry at wall-clock time now_us
 * in every engine (never earlier than its newest packet time). */
void cf_runner_tick(struct cf_runner *r, uint64_t now_us);

/*
 * Reload every engine (cf_engine_reload; cfg must outlive the runner).
 * Engine 0 first: if any file is broken, nothing changed anywhere and -1
 * comes back with the problem in err.  Then the others, in order with
 * their packets; one can only fail now if a file changed in between (or
 * memory ran out): the number of those that failed comes back, with the
 * first one's message in err.  0: all reloaded.
 */
int cf_runner_reload(struct cf_runner *r, const struct cf_engine_config *cfg,
		     char *err, size_t errlen);

/* Every engine thread waits, between two packets, until cf_runner_release
 * (the log file is swapped meanwhile). */
void cf_runner_hold(struct cf_runner *r);
void cf_runner_release(struct cf_runner *r);

/*
 * The run's numbers now, every engine summed (either pointer may be
 * NULL): totals as cf_run_totals_add has them, with the reader's frames,
 * bytes, decode outcomes and times; stats with alerts summed and reloads
 * counted once (a reload is all engines or a failure).
 */
void cf_runner_numbers(struct cf_runner *r, struct cf_run_totals *t,
		       struct cf_engine_stats *st);

/* End of input: every engine ends its flows (flow events); the threads
 * stop.  The numbers and the report are then complete. */
void cf_runner_finish(struct cf_runner *r);

/* After cf_runner_finish: the engines' reports merged (NULL out of memory). */
struct cf_report *cf_runner_report(struct cf_runner *r);

/* Engine 0's policy (the rules a reload loaded). */
const struct cf_policy *cf_runner_policy(const struct cf_runner *r);

/* Threads; per thread the packets of its flows and the packets with facts
 * for other flows (DNS answers, SDP) among them, as the reader counted
 * them; and those shared packets in all. */
unsigned cf_runner_threads(const struct cf_runner *r);
void cf_runner_thread_counts(const struct cf_runner *r, unsigned k,
			     uint64_t *packets, uint64_t *shared);
uint64_t cf_runner_shared(const struct cf_runner *r);

/* -v: what each thread did (CPU time, waits), one line each, to fp. */
void cf_runner_describe(const struct cf_runner *r, FILE *fp);

void cf_runner_free(struct cf_runner *r);

#endif /* CF_RUNNER_H */
