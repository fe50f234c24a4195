/*
 * daemon-loop.h - live capture: the interfaces, the poll loop, timers,
 * signals, SIGHUP reload and the periodic stats event.
 *
 * Signals (installed by cf_live_signals, acted on between packets by
 * cf_live_loop): SIGHUP reopens the log and output files and reloads
 * rules, catalog and geography; SIGUSR1 writes a stats event at once;
 * SIGTERM and SIGINT make cf_live_loop return.
 *
 * One handle per interface, read by the thread that calls cf_live_loop,
 * which hands every frame to the runner (engine/runner.h).  --threads N:
 * the runner's N engines, worker 0 in this thread and the others in
 * threads of their own, each flow routed to one of them by the runner's
 * reader (this thread); ticks, reloads and stats snapshots reach them in
 * order with the packets.
 */
#ifndef CF_DAEMON_LOOP_H
#define CF_DAEMON_LOOP_H

#include <stddef.h>
#include "capture/capture.h"

struct cf_engine_config;
struct cf_outputs;
struct cf_report;
struct cf_run_totals;

struct cf_live_params {
	const char *const *ifaces;    /* names, n_ifaces of them */
	size_t n_ifaces;
	struct cf_live_config capture;
	long stats_interval;          /* seconds; 0: no periodic stats */
	const char *hostname;         /* observer.hostname of stats events */
	unsigned threads;             /* --threads; 0 or 1: one engine */
};

struct cf_live_run;

/*
 * Open every interface, one handle each.  An interface that exists but is
 * down is not an error: it is opened when it comes up (logged).  NULL on
 * failure with the exit status in *status (2: no such interface, bad
 * filter; 3: permission denied, other capture errors) and "IFACE:
 * problem" in err.
 */
struct cf_live_run *cf_live_open_all(const struct cf_live_params *p, int *status,
				     char *err, size_t errlen);

/*
 * Make the runner and its engines (with --threads, one per thread, each
 * with its share of cfg->limits.max_flows) writing to out.  cfg (copied) is also what
 * SIGHUP reloads; its strings must outlive r.  -1 with the engine's
 * message in err (a configuration error: exit status 2).
 */
int cf_live_engines(struct cf_live_run *r, const struct cf_engine_config *cfg,
		    struct cf_outputs *out, char *err, size_t errlen);

/* Start the timers and say which interfaces wait to come up. */
void cf_live_attach(struct cf_live_run *r);

/* Install the signal handlers; the signals stay blocked except while
 * cf_live_loop waits, so they are handled between packets.  -1 + err. */
int cf_live_signals(char *err, size_t errlen);

/*
 * With --threads: start the runner's threads.  Call in the process that
 * will run cf_live_loop (after detaching: threads do not survive fork)
 * and after cf_live_signals (they inherit the blocked signals, so only
 * the thread in cf_live_loop takes them).  Does nothing without
 * --threads.  -1 with a message in err (exit status 3).
 */
int cf_live_start(struct cf_live_run *r, char *err, size_t errlen);

/* Capture until SIGTERM or SIGINT. */
void cf_live_loop(struct cf_live_run *r);

/* After cf_live_loop: every open flow ends (flow events); with --threads
 * the threads stop. */
void cf_live_finish(struct cf_live_run *r);

/* Write a stats event now (with --threads: every worker summed). */
void cf_live_stats_event(struct cf_live_run *r);

/* After cf_live_finish: the run totals (inputs and wall time are the
 * caller's) and the report, the workers' merged; NULL out of memory. */
void cf_live_totals(struct cf_live_run *r, struct cf_run_totals *t);
struct cf_report *cf_live_report(struct cf_live_run *r);

/* Close the interfaces, free the engines and r. */
void cf_live_close_all(struct cf_live_run *r);

#endif /* CF_DAEMON_LOOP_H */
