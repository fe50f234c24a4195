/*
 * daemon-ifaces.c - the capture interfaces of a live run: one handle
 * each, read into the runner, watched once a second.
 *
 * A link that goes down keeps its capture handle (libpcap reports nothing
 * and packets resume when it is back up); we log both changes.  A handle
 * that fails (the interface disappeared, a read error) is closed, logged
 * with the interface's name, and opened again with back-off: 1, 2, 4 ...
 * 60 seconds, or at once when the interface is seen up again.  Kernel
 * counters of closed handles are kept.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "daemon/daemon-int.h"
#include "daemon/daemon-log.h"
#include "engine/runner.h"
#include "util/clock.h"

#define DISPATCH_BATCH 256      /* packets per interface per turn */
#define BACKOFF_MAX_S 60
#define ERR_POLLS_MAX 64        /* error wake-ups without packets before we reopen */

enum link { LINK_UNKNOWN, LINK_UP, LINK_DOWN, LINK_GONE };

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

const char *cf_iface_state_name(enum if_state s)
{
	return s == IF_UP ? "up" : s == IF_DOWN ? "down" : "reopening";
}

void cf_iface_add_stats(struct cf_live_stats *to, const struct cf_live_stats *s)
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

void cf_iface_close(struct iface *f)
{
	if (f->h == NULL)
		return;
	cf_live_close(f->h);
	f->h = NULL;
}

/*
 * The first opening: an interface that exists but is down is not an
 * error, it is opened when it comes up.  0, or the exit status (2: no such
 * interface, bad filter; 3: permission denied, other capture errors) with
 * "IFACE: problem" in err.
 */
int cf_iface_first_open(struct cf_live_run *r, size_t i, char *err, size_t errlen)
{
	struct iface *f = &r->ifs[i];
	int why;

	f->h = cf_live_open(f->name, &r->capture, &why, err, errlen);
	if (f->h != NULL) {
		link_state(r, f->name, &f->ifindex);
		return 0;
	}
	if (why == CF_CAPTURE_EDOWN) {
		f->state = IF_GONE;
		schedule_retry(f, cf_mono_us());
		snprintf(f->last_err, sizeof(f->last_err), "%s", err);
		return 0;
	}
	return why == CF_CAPTURE_ENODEV || why == CF_CAPTURE_ECONFIG ? 2 : 3;
}

/* The handle failed: keep its counters, close it, try again later. */
static void iface_failed(struct iface *f, const char *why)
{
	struct cf_live_stats st;

	if (cf_live_get_stats(f->h, &st) == 0)
		f->last = st;
	cf_iface_add_stats(&f->base, &f->last);
	memset(&f->last, 0, sizeof(f->last));
	cf_iface_close(f);
	f->state = IF_GONE;
	f->errors++;
	f->err_polls = 0;
	f->backoff_s = 0;
	schedule_retry(f, cf_mono_us());
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
		cf_log(LOG_WARNING, "%s: interface went down; "
		       "capture resumes when it is up again", f->name);
		return;
	}
	if (++f->err_polls >= ERR_POLLS_MAX)
		iface_failed(f, "the capture descriptor keeps reporting errors");
}

/* The packets waiting on f, into the runner (a batch at most). */
void cf_iface_input(struct cf_live_run *r, struct iface *f, short revents)
{
	char err[512];
	int n;

	if (r->n > 1)
		cf_runner_set_interface(r->runner, f->name);
	n = cf_live_dispatch(f->h, DISPATCH_BATCH, cf_runner_packet, r->runner,
			     err, sizeof(err));
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
void cf_iface_watch(struct cf_live_run *r, struct iface *f, uint64_t now)
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
