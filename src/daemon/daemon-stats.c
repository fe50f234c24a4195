/*
 * daemon-stats.c - the numbers of a live run: the callfence.stats event
 * (periodic, SIGUSR1, at the end) from the runner's numbers and the
 * interfaces' kernel counters, and the watch on the outputs' write errors.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon-int.h"
#include "daemon/daemon-log.h"
#include "engine/runner.h"
#include "event/daemon-stats.h"
#include "output/output.h"
#include "util/clock.h"

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void memory_use(const struct cf_live_run *r, uint64_t *rss, uint64_t *heap)
{
	char buf[128];
	ssize_t n = r->statm_fd >= 0 ? pread(r->statm_fd, buf, sizeof(buf) - 1, 0) : -1;
	unsigned long size, res;

	*rss = *heap = 0;
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%lu %lu", &size, &res) == 2)
			*rss = (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
	}
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	{
		struct mallinfo2 mi = mallinfo2();

		*heap = (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
	}
#endif
}

/* Each interface: its state, kernel counters (closed handles included)
 * and packets. */
static void iface_numbers(struct cf_live_run *r, struct cf_stats_iface *si)
{
	struct iface *f;
	size_t i;

	for (i = 0; i < r->n; i++) {
		f = &r->ifs[i];
		if (f->h != NULL && cf_live_get_stats(f->h, &f->last) != 0)
			memset(&f->last, 0, sizeof(f->last));
		memset(&si[i], 0, sizeof(si[i]));
		si[i].name = f->name;
		si[i].state = cf_iface_state_name(f->state);
		si[i].received = f->base.received + f->last.received;
		si[i].dropped = f->base.dropped + f->last.dropped;
		si[i].if_dropped = f->base.if_dropped + f->last.if_dropped;
		si[i].packets = f->packets;
		si[i].errors = f->errors;
		si[i].reopens = f->reopens;
	}
}

void cf_live_stats_event(struct cf_live_run *r)
{
	struct cf_stats_iface si[MAX_IFACES];
	struct cf_engine_stats st;
	struct cf_run_totals t;
	struct cf_stats_view v;

	memset(&v, 0, sizeof(v));
	cf_runner_numbers(r->runner, &t, &st);
	iface_numbers(r, si);
	v.ts_us = wall_us();
	v.uptime_seconds = (double)(cf_mono_us() - r->started_us) / 1e6;
	v.ifaces = si;
	v.n_ifaces = r->n;
	v.t = &t;
	v.packets = st.packets;
	v.alerts = st.alerts;
	memcpy(v.by_severity, st.by_severity, sizeof(v.by_severity));
	cf_outputs_get_stats(r->out, &v.out);
	memory_use(r, &v.rss_bytes, &v.heap_bytes);
	v.reloads = st.reloads;
	v.reload_failures = r->reload_failures;
	v.threads = r->threads;
	/* the reader hands every shared packet to every worker: none dropped */
	v.dns_shared = cf_runner_shared(r->runner);
	v.dns_share_dropped = 0;
	if (cf_event_stats(r->out, &r->meta, &v) < 0)
		cf_log(LOG_WARNING, "could not write a stats event");
}

/* Write errors (a full disk, ...) are counted by the outputs; say so. */
void cf_live_watch_outputs(struct cf_live_run *r, uint64_t now)
{
	struct cf_output_stats os;

	cf_outputs_poll(r->out, 0);
	cf_outputs_get_stats(r->out, &os);
	if (os.write_errors == r->write_errors_seen ||
	    (r->output_warned_us != 0 && now - r->output_warned_us < OUTPUT_WARN_US))
		return;
	cf_log(LOG_ERR, "output: %llu failed write(s) (%llu in all): disk full or "
	       "file gone? events are being lost",
	       (unsigned long long)(os.write_errors - r->write_errors_seen),
	       (unsigned long long)os.write_errors);
	r->write_errors_seen = os.write_errors;
	r->output_warned_us = now;
}
