/*
 * daemon-loop.c - live capture: poll over every interface's descriptor,
 * hand waiting packets to the engine, and once a second (or sooner when
 * something is due) do the housekeeping: idle flows expire on the wall
 * clock, outputs are flushed and reconnected, interfaces that went away
 * are opened again, stats events are written.
 *
 * Interfaces: a link that goes down keeps its capture handle (libpcap
 * reports nothing and packets resume when it is back up); we log both
 * changes.  A handle that fails (the interface disappeared, a read error)
 * is closed, logged with the interface's name, and opened again with
 * back-off: 1, 2, 4 ... 60 seconds, or at once when the interface is
 * seen up again.  Kernel counters of closed handles are kept.
 *
 * Signals only set flags; they are blocked except inside ppoll(), so the
 * flags are acted on between two batches of packets.  Packets that arrive
 * meanwhile wait in the kernel's buffer: a reload loses none.
 */
#define _GNU_SOURCE   /* ppoll */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon-log.h"
#include "daemon-loop.h"
#include "daemon-stats.h"
#include "engine.h"
#include "event.h"
#include "output.h"

#define MAX_IFACES 64
#define DISPATCH_BATCH 256      /* packets per interface per turn */
#define TICK_US 1000000ull
#define BACKOFF_MAX_S 60
#define ERR_POLLS_MAX 64        /* error wake-ups without packets before we reopen */
#define OUTPUT_WARN_US (60 * 1000000ull)

enum if_state { IF_UP, IF_DOWN, IF_GONE };
enum link { LINK_UNKNOWN, LINK_UP, LINK_DOWN, LINK_GONE };

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

struct cf_live_run {
	struct cf_engine *e;
	struct cf_outputs *out;
	const struct cf_engine_config *cfg;
	struct cf_live_config capture;
	struct iface ifs[MAX_IFACES];
	size_t n;
	struct cf_event_meta meta;
	long stats_interval;
	uint64_t started_us, next_tick_us, next_stats_us;   /* monotonic */
	uint64_t reload_failures;
	uint64_t write_errors_seen, output_warned_us;
	int ctl_fd;                  /* for SIOCGIFFLAGS; -1 none */
	int statm_fd;                /* /proc/self/statm; -1 none */
};

static volatile sig_atomic_t got_hup, got_term, got_usr1;
static sigset_t wait_mask;       /* the mask while waiting: ours unblocked */

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- signals -------------------------------------------------------- */

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

int cf_live_signals(char *err, size_t errlen)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	sa.sa_mask = block;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0) {
			snprintf(err, errlen, "sigaction: %s", strerror(errno));
			return -1;
		}
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &block, &wait_mask) != 0) {
		snprintf(err, errlen, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(&wait_mask, sigs[i]);
	return 0;
}

/* ---- interfaces ----------------------------------------------------- */

/*
 * Is the interface there and administratively up?  *ifindex gets its index
 * (0 when unknown): an interface deleted and made again under the same
 * name has a new one, and a capture on the old one is dead.
 */
static enum link link_state(const struct cf_live_run *r, const char *name,
			    int *ifindex)
{
	struct ifreq ifr;

	*ifindex = 0;
	if (r->ctl_fd < 0 || strlen(name) >= sizeof(ifr.ifr_name) ||
	    strcmp(name, "any") == 0)
		return LINK_UNKNOWN;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(r->ctl_fd, SIOCGIFINDEX, &ifr) == 0)
		*ifindex = ifr.ifr_ifindex;
	if (ioctl(r->ctl_fd, SIOCGIFFLAGS, &ifr) != 0)
		return errno == ENODEV || errno == ENXIO ? LINK_GONE : LINK_UNKNOWN;
	return (ifr.ifr_flags & IFF_UP) ? LINK_UP : LINK_DOWN;
}

/* The link of an open capture: LINK_GONE also when the name now belongs
 * to another interface. */
static enum link handle_link(const struct cf_live_run *r, const struct iface *f)
{
	int idx;
	enum link l = link_state(r, f->name, &idx);

	if (l != LINK_GONE && f->ifindex != 0 && idx != 0 && idx != f->ifindex)
		return LINK_GONE;
	return l;
}

static const char *state_name(enum if_state s)
{
	return s == IF_UP ? "up" : s == IF_DOWN ? "down" : "reopening";
}

static void add_stats(struct cf_live_stats *to, const struct cf_live_stats *s)
{
	to->received += s->received;
	to->dropped += s->dropped;
	to->if_dropped += s->if_dropped;
}

static void schedule_retry(struct iface *f, uint64_t now)
{
	f->backoff_s = f->backoff_s == 0 ? 1 : f->backoff_s * 2;
	if (f->backoff_s > BACKOFF_MAX_S)
		f->backoff_s = BACKOFF_MAX_S;
	f->retry_us = now + (uint64_t)f->backoff_s * 1000000u;
}

/* The handle failed: keep its counters, close it, try again later. */
static void iface_failed(struct iface *f, const char *why)
{
	struct cf_live_stats st;

	if (cf_live_get_stats(f->h, &st) == 0)
		f->last = st;
	add_stats(&f->base, &f->last);
	memset(&f->last, 0, sizeof(f->last));
	cf_live_close(f->h);
	f->h = NULL;
	f->state = IF_GONE;
	f->errors++;
	f->err_polls = 0;
	f->backoff_s = 0;
	schedule_retry(f, mono_us());
	snprintf(f->last_err, sizeof(f->last_err), "%s", why);
	cf_log(LOG_ERR, "capture error on %s: %s; reopening in %u s", f->name,
	       why, f->backoff_s);
}

static void iface_reopen(struct cf_live_run *r, struct iface *f, uint64_t now)
{
	char err[sizeof(f->last_err) - 1];
	int why;

	f->h = cf_live_open(f->name, &r->capture, &why, err, sizeof(err));
	if (f->h == NULL) {
		schedule_retry(f, now);
		if (strcmp(err, f->last_err) != 0 || f->backoff_s == BACKOFF_MAX_S)
			cf_log(LOG_WARNING, "%s; next try in %u s", err, f->backoff_s);
		snprintf(f->last_err, sizeof(f->last_err), "%s", err);
		return;
	}
	link_state(r, f->name, &f->ifindex);
	f->state = IF_UP;
	f->backoff_s = 0;
	f->last_err[0] = '\0';
	if (f->errors > 0 || f->reopens > 0 || f->packets > 0)
		f->reopens++;
	cf_log(LOG_NOTICE, "%s: capturing", f->name);
}

/* An error wake-up without packets: link down, gone, or a dead handle. */
static void iface_error_poll(struct cf_live_run *r, struct iface *f)
{
	enum link l = handle_link(r, f);

	if (l == LINK_GONE) {
		iface_failed(f, "the interface disappeared");
		return;
	}
	if (l == LINK_DOWN && f->state == IF_UP) {
		f->state = IF_DOWN;
		cf_log(LOG_WARNING, "%s: interface went down; capture resumes when "
		       "it is up again", f->name);
		return;
	}
	if (++f->err_polls >= ERR_POLLS_MAX)
		iface_failed(f, "the capture descriptor keeps reporting errors");
}

static void on_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_live_run *r = ctx;

	cf_engine_packet(r->e, link, ts_us, data, caplen, wirelen);
}

static void iface_input(struct cf_live_run *r, struct iface *f, short revents)
{
	char err[512];
	int n;

	if (r->n > 1)
		cf_engine_set_interface(r->e, f->name);
	n = cf_live_dispatch(f->h, DISPATCH_BATCH, on_packet, r, err, sizeof(err));
	if (n < 0) {
		const char *m = strncmp(err, f->name, strlen(f->name)) == 0 &&
				err[strlen(f->name)] == ':' ? err + strlen(f->name) + 2 : err;

		iface_failed(f, m);
		return;
	}
	f->packets += (uint64_t)n;
	if (n > 0) {
		f->err_polls = 0;
		if (f->state == IF_DOWN) {
			f->state = IF_UP;
			cf_log(LOG_NOTICE, "%s: interface is up again", f->name);
		}
	} else if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
		iface_error_poll(r, f);
	}
}

/* The kernel dropped packets (buffer full): say so, once a minute at most. */
static void iface_drops(struct iface *f, uint64_t now)
{
	uint64_t drops = f->base.dropped + f->last.dropped;

	if (drops <= f->drops_told ||
	    (f->drops_told_us != 0 && now - f->drops_told_us < OUTPUT_WARN_US))
		return;
	cf_log(LOG_WARNING, "%s: the kernel dropped %llu packet(s) (%llu in all): "
	       "callfence is not keeping up; a larger -B buffer helps with bursts",
	       f->name, (unsigned long long)(drops - f->drops_told),
	       (unsigned long long)drops);
	f->drops_told = drops;
	f->drops_told_us = now;
}

/* Link changes and reopening, once a tick. */
static void iface_watch(struct cf_live_run *r, struct iface *f, uint64_t now)
{
	enum link l;
	int idx;

	if (f->state == IF_GONE) {
		l = link_state(r, f->name, &idx);
		if (now >= f->retry_us || l == LINK_UP)
			iface_reopen(r, f, now);
		return;
	}
	if (cf_live_get_stats(f->h, &f->last) != 0)
		memset(&f->last, 0, sizeof(f->last));
	iface_drops(f, now);
	l = handle_link(r, f);
	if (l == LINK_GONE) {
		iface_failed(f, "the interface disappeared");
		return;
	}
	if (f->state == IF_DOWN && l == LINK_UP) {
		f->state = IF_UP;
		cf_log(LOG_NOTICE, "%s: interface is up again", f->name);
	}
}

/* ---- setup ---------------------------------------------------------- */

struct cf_live_run *cf_live_open_all(const struct cf_live_params *p, int *status,
				     char *err, size_t errlen)
{
	struct cf_live_run *r = calloc(1, sizeof(*r));
	struct iface *f;
	size_t i;
	int why;

	*status = 3;
	if (r == NULL || p->n_ifaces > MAX_IFACES) {
		snprintf(err, errlen, r ? "too many interfaces" : "out of memory");
		free(r);
		return NULL;
	}
	r->capture = p->capture;
	r->stats_interval = p->stats_interval;
	r->meta.observer_hostname = p->hostname;
	r->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r->statm_fd = -1;       /* opened by the process that runs the loop */
	for (i = 0; i < p->n_ifaces; i++, r->n++) {
		f = &r->ifs[i];
		f->name = p->ifaces[i];
		f->h = cf_live_open(f->name, &r->capture, &why, err, errlen);
		if (f->h != NULL) {
			link_state(r, f->name, &f->ifindex);
			continue;
		}
		if (why == CF_CAPTURE_EDOWN) {
			f->state = IF_GONE;
			schedule_retry(f, mono_us());
			snprintf(f->last_err, sizeof(f->last_err), "%s", err);
			continue;
		}
		*status = why == CF_CAPTURE_ENODEV || why == CF_CAPTURE_ECONFIG ? 2 : 3;
		r->n++;
		cf_live_close_all(r);
		return NULL;
	}
	return r;
}

void cf_live_attach(struct cf_live_run *r, struct cf_engine *e,
		    struct cf_outputs *out, const struct cf_engine_config *cfg)
{
	size_t i;

	r->e = e;
	r->out = out;
	r->cfg = cfg;
	r->started_us = mono_us();
	r->next_tick_us = r->started_us + TICK_US;
	if (r->stats_interval > 0)
		r->next_stats_us = r->started_us + (uint64_t)r->stats_interval * 1000000u;
	for (i = 0; i < r->n; i++)
		if (r->ifs[i].state == IF_GONE)
			cf_log(LOG_WARNING, "%s; capture starts when it is up",
			       r->ifs[i].last_err);
}

void cf_live_close_all(struct cf_live_run *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		cf_live_close(r->ifs[i].h);
	if (r->ctl_fd >= 0)
		close(r->ctl_fd);
	if (r->statm_fd >= 0)
		close(r->statm_fd);
	free(r);
}

/* ---- stats ---------------------------------------------------------- */

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

static void fill_ifaces(const struct cf_live_run *r, struct cf_stats_iface *si)
{
	const struct iface *f;
	size_t i;

	for (i = 0; i < r->n; i++) {
		f = &r->ifs[i];
		si[i].name = f->name;
		si[i].state = state_name(f->state);
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
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->ifs[i].h != NULL && cf_live_get_stats(r->ifs[i].h, &r->ifs[i].last) != 0)
			memset(&r->ifs[i].last, 0, sizeof(r->ifs[i].last));
	memset(&t, 0, sizeof(t));
	memset(&v, 0, sizeof(v));
	cf_engine_totals(r->e, &t);
	cf_engine_get_stats(r->e, &st);
	fill_ifaces(r, si);
	v.ts_us = wall_us();
	v.uptime_seconds = (double)(mono_us() - r->started_us) / 1e6;
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
	if (cf_event_stats(r->out, &r->meta, &v) < 0)
		cf_log(LOG_WARNING, "could not write a stats event");
}

/* ---- housekeeping ----------------------------------------------------- */

/* Write errors (a full disk, ...) are counted by the outputs; say so. */
static void watch_outputs(struct cf_live_run *r, uint64_t now)
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

static void housekeeping(struct cf_live_run *r, uint64_t now)
{
	size_t i;

	cf_engine_tick(r->e, wall_us());
	for (i = 0; i < r->n; i++)
		iface_watch(r, &r->ifs[i], now);
	watch_outputs(r, now);
	if (r->stats_interval > 0 && now >= r->next_stats_us) {
		cf_live_stats_event(r);
		r->next_stats_us = now + (uint64_t)r->stats_interval * 1000000u;
	}
	r->next_tick_us = now + TICK_US;
}

static void reload(struct cf_live_run *r)
{
	char err[1024];

	if (cf_log_reopen(err, sizeof(err)) < 0)
		cf_log(LOG_ERR, "%s", err);
	if (cf_outputs_reopen(r->out, err, sizeof(err)) < 0)
		cf_log(LOG_ERR, "reopening outputs: %s", err);
	if (cf_engine_reload(r->e, r->cfg, err, sizeof(err)) < 0) {
		r->reload_failures++;
		cf_log(LOG_ERR, "reload failed: %s; still running the previous "
		       "rules, catalog and geography", err);
		return;
	}
	cf_log(LOG_NOTICE, "reloaded %s (%zu rules), %s, %zu geography database(s)",
	       r->cfg->rules_path, cf_policy_rule_count(cf_engine_policy(r->e)),
	       r->cfg->catalog_path ? r->cfg->catalog_path : "no catalog",
	       r->cfg->n_geo);
}

/* ---- the loop ------------------------------------------------------- */

static size_t poll_set(const struct cf_live_run *r, struct pollfd *pfd, size_t *map)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++) {
		if (r->ifs[i].h == NULL)
			continue;
		pfd[n].fd = cf_live_fd(r->ifs[i].h);
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		map[n++] = i;
	}
	return n;
}

static void wait_and_read(struct cf_live_run *r, uint64_t now)
{
	struct pollfd pfd[MAX_IFACES];
	size_t map[MAX_IFACES], n, k;
	uint64_t wait = r->next_tick_us > now ? r->next_tick_us - now : 0;
	struct timespec ts = { (time_t)(wait / 1000000u), (long)(wait % 1000000u) * 1000 };
	int rc;

	n = poll_set(r, pfd, map);
	rc = ppoll(pfd, (nfds_t)n, &ts, &wait_mask);
	if (rc < 0) {
		if (errno != EINTR)
			cf_log(LOG_ERR, "poll: %s", strerror(errno));
		return;
	}
	for (k = 0; k < n && rc > 0; k++)
		if (pfd[k].revents != 0 && r->ifs[map[k]].h != NULL)
			iface_input(r, &r->ifs[map[k]], pfd[k].revents);
}

void cf_live_loop(struct cf_live_run *r)
{
	uint64_t now;

	if (r->statm_fd < 0)
		r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	while (!got_term) {
		if (got_hup) {
			got_hup = 0;
			reload(r);
		}
		if (got_usr1) {
			got_usr1 = 0;
			cf_live_stats_event(r);
			cf_outputs_poll(r->out, 0);
		}
		now = mono_us();
		if (now >= r->next_tick_us) {
			housekeeping(r, now);
			now = mono_us();
		}
		wait_and_read(r, now);
	}
	cf_log(LOG_NOTICE, "stopping: ending every open flow");
}
