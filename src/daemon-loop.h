/*
 * daemon-loop.h - live capture: the interfaces, the poll loop, timers,
 * signals, SIGHUP reload and the periodic stats event.
 *
 * Signals (installed by cf_live_signals, acted on between packets by
 * cf_live_loop): SIGHUP reopens the log and output files and reloads
 * rules, catalog and geography; SIGUSR1 writes a stats event at once;
 * SIGTERM and SIGINT make cf_live_loop return.
 */
#ifndef CF_DAEMON_LOOP_H
#define CF_DAEMON_LOOP_H

#include <stddef.h>
#include "capture.h"

struct cf_engine;
struct cf_engine_config;
struct cf_outputs;

struct cf_live_params {
	const char *const *ifaces;    /* names, n_ifaces of them */
	size_t n_ifaces;
	struct cf_live_config capture;
	long stats_interval;          /* seconds; 0: no periodic stats */
	const char *hostname;         /* observer.hostname of stats events */
};

struct cf_live_run;

/*
 * Open every interface.  An interface that exists but is down is not an
 * error: it is opened when it comes up (logged).  NULL on failure with the
 * exit status in *status (2: no such interface, bad filter; 3: permission
 * denied, other capture errors) and "IFACE: problem" in err.
 */
struct cf_live_run *cf_live_open_all(const struct cf_live_params *p, int *status,
				     char *err, size_t errlen);

/* The engine fed by the interfaces and the outputs stats go to; cfg is
 * what SIGHUP reloads (kept by pointer). */
void cf_live_attach(struct cf_live_run *r, struct cf_engine *e,
		    struct cf_outputs *out, const struct cf_engine_config *cfg);

/* Install the signal handlers; the signals stay blocked except while
 * cf_live_loop waits, so they are handled between packets.  -1 + err. */
int cf_live_signals(char *err, size_t errlen);

/* Capture until SIGTERM or SIGINT. */
void cf_live_loop(struct cf_live_run *r);

/* Write a stats event now. */
void cf_live_stats_event(struct cf_live_run *r);

/* Close the interfaces and free r. */
void cf_live_close_all(struct cf_live_run *r);

#endif /* CF_DAEMON_LOOP_H */
