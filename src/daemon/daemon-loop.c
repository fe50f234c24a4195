#define _GNU_SOURCE   /* ppoll */
/*
 * daemon-loop.c - live capture's loop: poll over every interface's
 * descriptor and hand the waiting frames to the runner, and once a second
 * (or sooner when something is due) do the housekeeping: idle flows
 * expire on the wall clock, outputs are flushed and reconnected,
 * interfaces that went away are opened again, stats events are written.
 * Between two batches: SIGHUP reloads, SIGUSR1 writes a stats event.
 *
 * One thread reads, whatever --threads says: with N threads the runner
 * (runner.h) routes each flow to one of its workers, and the tick, the
 * reload and the stats snapshot reach them in order with the packets.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon-int.h"
#include "daemon/daemon-log.h"
#include "engine/runner.h"
#include "event/provenance.h"
#include "output/output.h"
#include "util/clock.h"

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- reload ------------------------------------------------------------ */

static void reloaded(struct cf_live_run *r)
{
	/* the stats and report events say what the verdicts now come from */
	if (cf_event_provenance_retake(r->cfg.rules_path, r->cfg.catalog_path,
				       r->cfg.geo_paths, r->cfg.n_geo) < 0)
		cf_log(LOG_ERR, "reload: out of memory recording the files read");
	cf_log(LOG_NOTICE, "reloaded %s (%zu rules), %s, %zu geography database(s)",
	       r->cfg.rules_path, cf_policy_rule_count(cf_runner_policy(r->runner)),
	       r->cfg.catalog_path ? r->cfg.catalog_path : "no catalog",
	       r->cfg.n_geo);
}

static void reopen_logs(struct cf_live_run *r)
{
	char err[1024];

	if (cf_log_reopen(err, sizeof(err)) < 0)
		cf_log(LOG_ERR, "%s", err);
	if (cf_outputs_reopen(r->out, err, sizeof(err)) < 0)
		cf_log(LOG_ERR, "reopening outputs: %s", err);
}

/*
 * SIGHUP.  The log file is swapped while the runner's threads wait (one
 * of them could be writing a line to it).  Then the runner reloads all or
 * nothing: engine 0 reads and checks every file first, and if one is
 * broken nothing changed anywhere.  Another engine can only fail after
 * that if a file changed in between (or memory ran out): that is logged
 * as such, and a new SIGHUP brings them together again.
 */
static void reload(struct cf_live_run *r)
{
	char err[1024];
	int failed;

	cf_runner_hold(r->runner);
	reopen_logs(r);
	cf_runner_release(r->runner);
	failed = cf_runner_reload(r->runner, &r->cfg, err, sizeof(err));
	if (failed < 0) {
		r->reload_failures++;
		cf_log(LOG_ERR, "reload failed: %s; still running the previous "
		       "rules, catalog and geography", err);
		return;
	}
	if (failed > 0) {
		r->reload_failures++;
		cf_log(LOG_ERR, "reload failed in %d of %u threads after the first "
		       "succeeded (a file changed during the reload?): %s; those "
		       "threads still run the previous rules, catalog and geography "
		       "until the next SIGHUP", failed, r->threads, err);
		return;
	}
	reloaded(r);
}

/* ---- the loop ---------------------------------------------------------- */

/* SIGHUP: reload; SIGUSR1: stats now. */
static void take_signals(struct cf_live_run *r)
{
	if (cf_got_hup) {
		cf_got_hup = 0;
		reload(r);
	}
	if (cf_got_usr1) {
		cf_got_usr1 = 0;
		cf_live_stats_event(r);
		cf_outputs_poll(r->out, 0);
	}
}

/* Once a tick: idle flows on the wall clock, the interfaces, the outputs,
 * the periodic stats event. */
static void housekeeping(struct cf_live_run *r, uint64_t now)
{
	size_t i;

	cf_runner_tick(r->runner, wall_us());
	for (i = 0; i < r->n; i++)
		cf_iface_watch(r, &r->ifs[i], now);
	cf_live_watch_outputs(r, now);
	if (r->stats_interval > 0 && now >= r->next_stats_us) {
		cf_live_stats_event(r);
		r->next_stats_us = now + (uint64_t)r->stats_interval * 1000000u;
	}
	r->next_tick_us = now + TICK_US;
}

/* Wait for packets (or the tick), the signals let in meanwhile; read them. */
static void wait_and_read(struct cf_live_run *r, uint64_t now)
{
	struct pollfd pfd[MAX_IFACES];
	size_t map[MAX_IFACES], n = 0, i;
	uint64_t wait = r->next_tick_us > now ? r->next_tick_us - now : 0;
	struct timespec ts = { (time_t)(wait / 1000000u), (long)(wait % 1000000u) * 1000 };
	int rc;

	for (i = 0; i < r->n; i++) {
		if (r->ifs[i].h == NULL)
			continue;
		pfd[n].fd = cf_live_fd(r->ifs[i].h);
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		map[n++] = i;
	}
	rc = ppoll(pfd, (nfds_t)n, &ts, &cf_wait_mask);
	if (rc < 0) {
		if (errno != EINTR)
			cf_log(LOG_ERR, "poll: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n && rc > 0; i++)
		if (pfd[i].revents != 0 && r->ifs[map[i]].h != NULL)
			cf_iface_input(r, &r->ifs[map[i]], pfd[i].revents);
	cf_runner_flush(r->runner);      /* before we wait again */
}

void cf_live_loop(struct cf_live_run *r)
{
	uint64_t now;

	if (r->statm_fd < 0)
		r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	while (!cf_got_term) {
		take_signals(r);
		now = cf_mono_us();
		if (now >= r->next_tick_us) {
			housekeeping(r, now);
			now = cf_mono_us();
		}
		wait_and_read(r, now);
	}
	cf_log(LOG_NOTICE, "stopping: ending every open flow");
}

/* ---- set-up and the end ------------------------------------------------ */

struct cf_live_run *cf_live_open_all(const struct cf_live_params *p, int *status,
				     char *err, size_t errlen)
{
	struct cf_live_run *r = calloc(1, sizeof(*r));
	size_t i;

	*status = 3;
	if (r == NULL || p->n_ifaces > MAX_IFACES || p->threads > CF_MAX_THREADS) {
		snprintf(err, errlen, r == NULL ? "out of memory" :
			 p->n_ifaces > MAX_IFACES ? "too many interfaces" :
			 "--threads: too many threads");
		if (r != NULL)
			*status = 2;
		free(r);
		return NULL;
	}
	r->capture = p->capture;
	r->threads = p->threads > 1 ? p->threads : 1;
	r->stats_interval = p->stats_interval;
	r->meta.observer_hostname = p->hostname;
	r->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r->statm_fd = -1;       /* opened by the process that runs the loop */
	for (i = 0; i < p->n_ifaces; i++)
		r->ifs[i].name = p->ifaces[i];
	for (i = 0; i < p->n_ifaces; i++, r->n++) {
		*status = cf_iface_first_open(r, i, err, errlen);
		if (*status != 0) {
			r->n++;
			cf_live_close_all(r);
			return NULL;
		}
	}
	return r;
}

int cf_live_engines(struct cf_live_run *r, const struct cf_engine_config *cfg,
		    struct cf_outputs *out, char *err, size_t errlen)
{
	r->out = out;
	r->cfg = *cfg;
	r->runner = cf_runner_new(cfg, r->threads, CF_RUNNER_LIVE, out, err, errlen);
	return r->runner != NULL ? 0 : -1;
}

void cf_live_attach(struct cf_live_run *r)
{
	size_t i;

	r->started_us = cf_mono_us();
	r->next_tick_us = r->started_us + TICK_US;
	if (r->stats_interval > 0)
		r->next_stats_us = r->started_us + (uint64_t)r->stats_interval * 1000000u;
	for (i = 0; i < r->n; i++)
		if (r->ifs[i].state == IF_GONE)
			cf_log(LOG_WARNING, "%s; capture starts when it is up",
			       r->ifs[i].last_err);
}

int cf_live_start(struct cf_live_run *r, char *err, size_t errlen)
{
	if (r->statm_fd < 0)
		r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	return cf_runner_start(r->runner, err, errlen);
}

void cf_live_finish(struct cf_live_run *r)
{
	uint64_t packets, shared;
	unsigned k;

	cf_runner_finish(r->runner);
	if (r->threads < 2)
		return;
	/* how the reader shared the traffic out */
	for (k = 0; k < r->threads; k++) {
		cf_runner_thread_counts(r->runner, k, &packets, &shared);
		cf_log(LOG_INFO, "thread %u of %u: %llu packets, %llu DNS answers "
		       "and SDP shared with every thread", k + 1, r->threads,
		       (unsigned long long)packets, (unsigned long long)shared);
	}
}

void cf_live_totals(struct cf_live_run *r, struct cf_run_totals *t)
{
	cf_runner_numbers(r->runner, t, NULL);
}

struct cf_report *cf_live_report(struct cf_live_run *r)
{
	return cf_runner_report(r->runner);
}

void cf_live_close_all(struct cf_live_run *r)
{
	size_t i;

	if (r == NULL)
		return;
	cf_runner_free(r->runner);
	for (i = 0; i < r->n; i++)
		cf_iface_close(&r->ifs[i]);
	if (r->ctl_fd >= 0)
		close(r->ctl_fd);
	if (r->statm_fd >= 0)
		close(r->statm_fd);
	free(r);
}
