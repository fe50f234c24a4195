/*
 * daemon-int.h - inside live capture: the run's state, shared by the files
 * that make it up (daemon-loop.c: the loop, timers, reload, set-up;
 * daemon-ifaces.c: the interfaces; daemon-signals.c: the signals;
 * daemon-stats.c: the stats event).
 */
#ifndef CF_DAEMON_INT_H
#define CF_DAEMON_INT_H

#include <signal.h>
#include <stdint.h>

#include "capture/capture.h"
#include "daemon/daemon-loop.h"
#include "engine/engine.h"
#include "event/event.h"

#define MAX_IFACES 64
#define TICK_US 1000000ull
#define OUTPUT_WARN_US (60 * 1000000ull)   /* a warning repeated once a minute at most */

enum if_state { IF_UP, IF_DOWN, IF_GONE };

struct iface {
	const char *name;
	struct cf_live *h;           /* NULL while IF_GONE */
	int ifindex;                 /* of the interface h captures on; 0 unknown */
	enum if_state state;
	unsigned backoff_s;
	uint64_t retry_us;           /* monotonic */
	unsigned err_polls;
	struct cf_live_stats base;   /* counters of handles closed */
	struct cf_live_stats last;   /* latest counters of the open handle */
	uint64_t packets, errors, reopens;
	uint64_t drops_told;         /* kernel drops already warned about */
	uint64_t drops_told_us;      /* when (monotonic) */
	char last_err[512];
};

struct cf_runner;

struct cf_live_run {
	struct cf_outputs *out;
	struct cf_runner *runner;    /* every frame goes in there */
	struct cf_engine_config cfg; /* what SIGHUP reloads */
	struct cf_live_config capture;
	unsigned threads;
	struct iface ifs[MAX_IFACES];
	size_t n;                    /* interfaces */
	struct cf_event_meta meta;
	long stats_interval;
	uint64_t started_us, next_tick_us, next_stats_us;   /* monotonic */
	uint64_t reload_failures;
	uint64_t write_errors_seen, output_warned_us;
	int ctl_fd;                  /* for SIOCGIFFLAGS; -1 none */
	int statm_fd;                /* /proc/self/statm; -1 none */
};

/* daemon-signals.c: set by the handlers, cleared by the loop; the mask
 * that lets them in while the loop waits. */
extern volatile sig_atomic_t cf_got_hup, cf_got_term, cf_got_usr1;
extern sigset_t cf_wait_mask;

/* daemon-ifaces.c */
const char *cf_iface_state_name(enum if_state s);
void cf_iface_add_stats(struct cf_live_stats *to, const struct cf_live_stats *s);
/* Open interface i for the first time: 0, or an error status (2, 3). */
int cf_iface_first_open(struct cf_live_run *r, size_t i, char *err, size_t errlen);
void cf_iface_input(struct cf_live_run *r, struct iface *f, short revents);
void cf_iface_watch(struct cf_live_run *r, struct iface *f, uint64_t now);
void cf_iface_close(struct iface *f);

/* daemon-stats.c */
void cf_live_watch_outputs(struct cf_live_run *r, uint64_t now);

#endif /* CF_DAEMON_INT_H */
