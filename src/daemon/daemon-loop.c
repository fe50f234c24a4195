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
 *
 * --threads N (N > 1): N workers, each a thread with its own engine and
 * its own handle on every interface, the handles of one interface in one
 * AF_PACKET fanout group (capture-pcap.c): the kernel hands each flow,
 * both directions, to one worker.  A worker runs the loop above on its
 * handles (its own idle-expiry tick, its own interface watching and
 * reopening; link changes are logged by worker 0, the others' at debug
 * level).  The main thread keeps the signals (the workers never unblock
 * them) and talks to a worker only at the worker's safe point, between
 * two batches: it posts a command (reload, stats snapshot, pause), wakes
 * the worker through its eventfd and waits for the answer.  So an engine
 * is only ever touched by its worker, or by the main thread once the
 * worker has stopped.
 *
 * DNS answers: the worker that captures one hands a copy to every other
 * worker's inbox (a bounded double buffer: producers append under a
 * mutex held for one copy, the worker swaps the buffers and reads the
 * full one without it), drained before each batch; so a flow named by an
 * answer another worker saw is named all the same, unless the flow's
 * first packets beat the copy.  A full inbox drops the copy and counts it:
 * capture never waits for a worker.
 */
#define _GNU_SOURCE   /* ppoll */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon-log.h"
#include "daemon/daemon-loop.h"
#include "event/daemon-stats.h"
#include "classify/classify.h"
#include "engine/engine.h"
#include "event/event.h"
#include "output/output.h"
#include "util/clock.h"
#include "engine/workers.h"     /* CF_MAX_THREADS */

#define MAX_IFACES 64
#define DISPATCH_BATCH 256      /* packets per interface per turn */
#define TICK_US 1000000ull
#define BACKOFF_MAX_S 60
#define ERR_POLLS_MAX 64        /* error wake-ups without packets before we reopen */
#define OUTPUT_WARN_US (60 * 1000000ull)
#define INBOX_BYTES (256u << 10)     /* per worker and buffer: ~250 answers of 1 KB */

enum if_state { IF_UP, IF_DOWN, IF_GONE };
enum link { LINK_UNKNOWN, LINK_UP, LINK_DOWN, LINK_GONE };

struct iface {
	const char *name;
	struct cf_live *h;           /* NULL while IF_GONE */
	int ifindex;                 /* of the interface h captures on; 0 unknown */
	int fanout_group;            /* --threads: the group h is in; -1 none */
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

/* --threads: the fanout group of one interface, shared by the workers'
 * handles on it.  The group lives while one of them is in it; a handle
 * opened when none is (or when the interface was made again: a new
 * ifindex) starts a new group with a kernel-chosen id. */
struct fanout {
	int group;                   /* -1: none yet */
	int ifindex;
	unsigned members;
};

/* A worker's inbox of DNS answers captured by the others. */
struct inbox {
	pthread_mutex_t lock;
	uint8_t *buf[2];             /* producers append to buf[cur] */
	size_t used;
	unsigned cur;
	atomic_int pending;          /* buf[cur] has records: a hint, read unlocked */
	uint64_t dropped;            /* copies that did not fit */
};

/* An inbox record: the decoded packet, then its bytes from the IP header on. */
struct dns_rec {
	uint32_t len;                /* whole record, 8-aligned */
	uint32_t payload_off;        /* payload - l3; UINT32_MAX: none */
	struct cf_packet pkt;        /* l3, payload NULL: set when read */
};

#define DNS_REC_HDR ((uint32_t)((sizeof(struct dns_rec) + 7) & ~(size_t)7))

enum cmd { CMD_NONE = 0, CMD_RELOAD, CMD_SNAPSHOT, CMD_PAUSE };

/* What the stats event and the report need of one worker. */
struct if_snap {
	enum if_state state;
	struct cf_live_stats k;      /* kernel counters, closed handles included */
	uint64_t packets, errors, reopens;
};

struct snapshot {
	struct cf_run_totals t;
	struct cf_engine_stats st;
	struct if_snap ifs[MAX_IFACES];
	uint64_t dns_shared, dns_dropped;
};

struct worker {
	struct cf_live_run *r;
	unsigned idx;
	struct cf_engine *e;
	struct iface ifs[MAX_IFACES];
	uint64_t next_tick_us;       /* monotonic */
	/* --threads only */
	pthread_t thread;
	int started;
	int wake_fd;                 /* eventfd: the main thread posted a command */
	atomic_int cmd;              /* enum cmd; CMD_NONE once done */
	int cmd_rc;
	char cmd_err[1024];
	struct snapshot snap;
	struct inbox inbox;
	struct cf_decode_stats dec;  /* the engine only sees decoded packets */
	struct cf_frame_clock fc;       /* frames and packet clock (engine.h) */
	uint64_t dns_shared;
};

struct cf_live_run {
	struct cf_outputs *out;
	struct cf_engine_config cfg; /* what SIGHUP reloads (max_flows shared out) */
	struct cf_live_config capture;
	const char *names[MAX_IFACES];
	size_t n;                    /* interfaces */
	struct worker *w;
	unsigned n_workers;
	int threaded;                /* n_workers > 1: worker threads, fanout */
	struct fanout fan[MAX_IFACES];
	pthread_mutex_t lock;        /* commands, pause, fanout groups */
	pthread_cond_t cv;
	int paused;                  /* CMD_PAUSE: workers wait while set */
	atomic_int stop;
	struct cf_report *merged;
	struct cf_event_meta meta;
	long stats_interval;
	uint64_t started_us, next_tick_us, next_stats_us;   /* monotonic */
	uint64_t reloads, reload_failures;
	uint64_t write_errors_seen, output_warned_us;
	int ctl_fd;                  /* for SIOCGIFFLAGS; -1 none */
	int statm_fd;                /* /proc/self/statm; -1 none */
};

static volatile sig_atomic_t got_hup, got_term, got_usr1;
static sigset_t wait_mask;       /* the mask while waiting: ours unblocked */


static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A change of an interface's link is the same for every worker's handle:
 * worker 0 tells it, the others only with -v. */
static int link_level(const struct worker *w, int level)
{
	return w->idx == 0 ? level : LOG_DEBUG;
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

/*
 * Open interface i for worker w: one handle, or with --threads one member
 * of the interface's fanout group (joined while the group has members on
 * the same interface, else a new group).
 */
static struct cf_live *iface_open(struct worker *w, size_t i, int *why,
				  char *err, size_t errlen)
{
	struct cf_live_run *r = w->r;
	struct iface *f = &w->ifs[i];
	struct fanout *g = &r->fan[i];
	struct cf_live_config c = r->capture;
	struct cf_live *h;
	int idx;

	if (!r->threaded)
		return cf_live_open(f->name, &c, why, err, errlen);
	link_state(r, f->name, &idx);
	pthread_mutex_lock(&r->lock);
	if (g->members > 0 && g->ifindex == idx && g->group >= 0) {
		c.fanout = CF_FANOUT_JOIN;
		c.fanout_group = (unsigned)g->group;
	} else {
		c.fanout = CF_FANOUT_NEW;
	}
	h = cf_live_open(f->name, &c, why, err, errlen);
	if (h != NULL) {
		f->fanout_group = cf_live_fanout_group(h);
		if (c.fanout == CF_FANOUT_NEW) {
			/* members of an older group, if any, are not counted here */
			g->group = f->fanout_group;
			g->ifindex = idx;
			g->members = 0;
		}
		g->members++;
	}
	pthread_mutex_unlock(&r->lock);
	return h;
}

static void iface_close(struct worker *w, size_t i)
{
	struct cf_live_run *r = w->r;
	struct iface *f = &w->ifs[i];

	if (f->h == NULL)
		return;
	if (r->threaded) {
		pthread_mutex_lock(&r->lock);
		if (f->fanout_group == r->fan[i].group && r->fan[i].members > 0)
			r->fan[i].members--;
		pthread_mutex_unlock(&r->lock);
	}
	cf_live_close(f->h);
	f->h = NULL;
}

/* The handle failed: keep its counters, close it, try again later.
 * level: the link's news (worker 0 tells), or LOG_ERR for the handle's own. */
static void iface_failed(struct worker *w, struct iface *f, const char *why,
			 int level)
{
	struct cf_live_stats st;

	if (cf_live_get_stats(f->h, &st) == 0)
		f->last = st;
	add_stats(&f->base, &f->last);
	memset(&f->last, 0, sizeof(f->last));
	iface_close(w, (size_t)(f - w->ifs));
	f->state = IF_GONE;
	f->errors++;
	f->err_polls = 0;
	f->backoff_s = 0;
	schedule_retry(f, cf_mono_us());
	snprintf(f->last_err, sizeof(f->last_err), "%s", why);
	cf_log(level, "capture error on %s: %s; reopening in %u s", f->name,
	       why, f->backoff_s);
}

static void iface_reopen(struct worker *w, struct iface *f, uint64_t now)
{
	char err[sizeof(f->last_err) - 1];
	int why;

	f->h = iface_open(w, (size_t)(f - w->ifs), &why, err, sizeof(err));
	if (f->h == NULL) {
		schedule_retry(f, now);
		if (strcmp(err, f->last_err) != 0 || f->backoff_s == BACKOFF_MAX_S)
			cf_log(link_level(w, LOG_WARNING), "%s; next try in %u s",
			       err, f->backoff_s);
		snprintf(f->last_err, sizeof(f->last_err), "%s", err);
		return;
	}
	link_state(w->r, f->name, &f->ifindex);
	f->state = IF_UP;
	f->backoff_s = 0;
	f->last_err[0] = '\0';
	if (f->errors > 0 || f->reopens > 0 || f->packets > 0)
		f->reopens++;
	cf_log(link_level(w, LOG_NOTICE), "%s: capturing", f->name);
}

/* An error wake-up without packets: link down, gone, or a dead handle. */
static void iface_error_poll(struct worker *w, struct iface *f)
{
	enum link l = handle_link(w->r, f);

	if (l == LINK_GONE) {
		iface_failed(w, f, "the interface disappeared", link_level(w, LOG_ERR));
		return;
	}
	if (l == LINK_DOWN && f->state == IF_UP) {
		f->state = IF_DOWN;
		cf_log(link_level(w, LOG_WARNING), "%s: interface went down; "
		       "capture resumes when it is up again", f->name);
		return;
	}
	if (++f->err_polls >= ERR_POLLS_MAX)
		iface_failed(w, f, "the capture descriptor keeps reporting errors",
			     LOG_ERR);
}

/* ---- DNS answers between workers --------------------------------------- */

static int inbox_init(struct inbox *q)
{
	q->buf[0] = malloc(INBOX_BYTES);
	q->buf[1] = malloc(INBOX_BYTES);
	if (q->buf[0] == NULL || q->buf[1] == NULL)
		return -1;
	pthread_mutex_init(&q->lock, NULL);
	return 0;
}

/* A copy of pkt into q, or counted as dropped when it does not fit. */
static void inbox_put(struct inbox *q, const struct cf_packet *pkt, uint32_t len)
{
	struct dns_rec *rec;

	pthread_mutex_lock(&q->lock);
	if (len > INBOX_BYTES - q->used) {
		q->dropped++;
		pthread_mutex_unlock(&q->lock);
		return;
	}
	rec = (struct dns_rec *)(q->buf[q->cur] + q->used);
	rec->len = len;
	rec->payload_off = pkt->payload != NULL ?
			   (uint32_t)(pkt->payload - pkt->l3) : UINT32_MAX;
	rec->pkt = *pkt;
	rec->pkt.l3 = NULL;
	rec->pkt.payload = NULL;
	memcpy((uint8_t *)rec + DNS_REC_HDR, pkt->l3, pkt->l3_len);
	q->used += len;
	atomic_store_explicit(&q->pending, 1, memory_order_release);
	pthread_mutex_unlock(&q->lock);
}

/* Hand a packet with facts for other flows (a DNS answer, SIP with SDP:
 * cf_classify_is_shared) this worker captured to every other worker. */
static void share_dns(struct worker *w, const struct cf_packet *pkt)
{
	struct cf_live_run *r = w->r;
	uint32_t len = (uint32_t)((DNS_REC_HDR + (size_t)pkt->l3_len + 7) & ~(size_t)7);
	unsigned k;

	w->dns_shared++;
	for (k = 0; k < r->n_workers; k++)
		if (k != w->idx)
			inbox_put(&r->w[k].inbox, pkt, len);
}

/* The answers the other workers handed us, before our next batch. */
static void inbox_drain(struct worker *w)
{
	struct inbox *q = &w->inbox;
	const struct dns_rec *rec;
	struct cf_packet pkt;
	const uint8_t *b;
	size_t n, off;

	if (!atomic_load_explicit(&q->pending, memory_order_acquire))
		return;
	pthread_mutex_lock(&q->lock);
	b = q->buf[q->cur];
	n = q->used;
	q->cur ^= 1;
	q->used = 0;
	atomic_store_explicit(&q->pending, 0, memory_order_relaxed);
	pthread_mutex_unlock(&q->lock);
	/* only this worker swaps: b stays ours until the next drain */
	for (off = 0; off < n; off += rec->len) {
		rec = (const struct dns_rec *)(b + off);
		pkt = rec->pkt;
		pkt.l3 = (const uint8_t *)rec + DNS_REC_HDR;
		pkt.payload = rec->payload_off == UINT32_MAX ? NULL :
			      pkt.l3 + rec->payload_off;
		cf_engine_shared_only(w->e, &pkt);
	}
}

/* ---- packets -------------------------------------------------------- */

static void on_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct worker *w = ctx;

	cf_engine_packet(w->e, link, ts_us, data, caplen, wirelen);
}

/*
 * --threads: the worker decodes (a DNS answer must be seen decoded to be
 * shared) and keeps the frame counters and the packet clock exactly as
 * cf_engine_packet would, then hands the decoded packet to its engine.
 */
static void on_packet_worker(void *ctx, enum cf_link link, uint64_t ts_us,
			     const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct worker *w = ctx;
	struct cf_packet pkt;

	if (cf_frame_clock_tick(&w->fc, ts_us, caplen))
		cf_engine_expire_at(w->e, w->fc.now_us);
	if (cf_decode(link, data, caplen, wirelen, &pkt, &w->dec) != CF_DEC_OK)
		return;
	pkt.ts_us = ts_us;
	/* shared first: the other workers learn the names (DNS answers) and
	 * SDP announcements (SIP) as early as we can */
	if (cf_classify_is_shared(&pkt))
		share_dns(w, &pkt);
	cf_engine_decoded(w->e, &pkt);
}

static void iface_input(struct worker *w, struct iface *f, short revents)
{
	char err[512];
	int n;

	if (w->r->n > 1)
		cf_engine_set_interface(w->e, f->name);
	n = cf_live_dispatch(f->h, DISPATCH_BATCH,
			     w->r->threaded ? on_packet_worker : on_packet, w,
			     err, sizeof(err));
	if (n < 0) {
		const char *m = strncmp(err, f->name, strlen(f->name)) == 0 &&
				err[strlen(f->name)] == ':' ? err + strlen(f->name) + 2 : err;

		iface_failed(w, f, m, LOG_ERR);
		return;
	}
	f->packets += (uint64_t)n;
	if (n > 0) {
		f->err_polls = 0;
		if (f->state == IF_DOWN) {
			f->state = IF_UP;
			cf_log(link_level(w, LOG_NOTICE), "%s: interface is up again",
			       f->name);
		}
	} else if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
		iface_error_poll(w, f);
	}
}

/* The kernel dropped packets (buffer full): say so, once a minute at most. */
static void iface_drops(struct worker *w, struct iface *f, uint64_t now)
{
	uint64_t drops = f->base.dropped + f->last.dropped;
	char who[48] = "";

	if (drops <= f->drops_told ||
	    (f->drops_told_us != 0 && now - f->drops_told_us < OUTPUT_WARN_US))
		return;
	if (w->r->threaded)
		snprintf(who, sizeof(who), " (thread %u of %u)", w->idx + 1,
			 w->r->n_workers);
	cf_log(LOG_WARNING, "%s: the kernel dropped %llu packet(s) (%llu in all)%s: "
	       "callfence is not keeping up; a larger -B buffer helps with bursts",
	       f->name, (unsigned long long)(drops - f->drops_told),
	       (unsigned long long)drops, who);
	f->drops_told = drops;
	f->drops_told_us = now;
}

/* Link changes and reopening, once a tick. */
static void iface_watch(struct worker *w, struct iface *f, uint64_t now)
{
	struct cf_live_run *r = w->r;
	enum link l;
	int idx;

	if (f->state == IF_GONE) {
		l = link_state(r, f->name, &idx);
		if (now >= f->retry_us || l == LINK_UP)
			iface_reopen(w, f, now);
		return;
	}
	if (cf_live_get_stats(f->h, &f->last) != 0)
		memset(&f->last, 0, sizeof(f->last));
	iface_drops(w, f, now);
	l = handle_link(r, f);
	if (l == LINK_GONE) {
		iface_failed(w, f, "the interface disappeared", link_level(w, LOG_ERR));
		return;
	}
	if (f->state == IF_DOWN && l == LINK_UP) {
		f->state = IF_UP;
		cf_log(link_level(w, LOG_NOTICE), "%s: interface is up again", f->name);
	}
}

/* ---- setup ---------------------------------------------------------- */

static int new_workers(struct cf_live_run *r, unsigned n, char *err, size_t errlen)
{
	unsigned k;

	r->w = calloc(n, sizeof(*r->w));
	if (r->w == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->n_workers = n;
	r->threaded = n > 1;
	for (k = 0; k < n; k++) {
		r->w[k].r = r;
		r->w[k].idx = k;
		r->w[k].wake_fd = -1;
	}
	if (!r->threaded)
		return 0;
	for (k = 0; k < n; k++) {
		struct worker *w = &r->w[k];

		w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (w->wake_fd < 0 || inbox_init(&w->inbox) < 0) {
			snprintf(err, errlen, "--threads %u: %s", n, w->wake_fd < 0 ?
				 strerror(errno) : "out of memory");
			return -1;
		}
	}
	return 0;
}

struct cf_live_run *cf_live_open_all(const struct cf_live_params *p, int *status,
				     char *err, size_t errlen)
{
	struct cf_live_run *r = calloc(1, sizeof(*r));
	struct iface *f;
	unsigned n_workers = p->threads > 1 ? p->threads : 1, k;
	size_t i;
	int why;

	*status = 3;
	if (r == NULL || p->n_ifaces > MAX_IFACES || n_workers > CF_MAX_THREADS) {
		snprintf(err, errlen, r == NULL ? "out of memory" :
			 p->n_ifaces > MAX_IFACES ? "too many interfaces" :
			 "--threads: too many threads");
		if (r != NULL)
			*status = 2;
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->capture = p->capture;
	r->stats_interval = p->stats_interval;
	r->meta.observer_hostname = p->hostname;
	r->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r->statm_fd = -1;       /* opened by the process that runs the loop */
	if (new_workers(r, n_workers, err, errlen) < 0) {
		cf_live_close_all(r);
		return NULL;
	}
	for (i = 0; i < p->n_ifaces; i++) {
		r->names[i] = p->ifaces[i];
		r->fan[i].group = -1;
		for (k = 0; k < n_workers; k++)
			r->w[k].ifs[i].name = p->ifaces[i];
	}
	for (i = 0; i < p->n_ifaces; i++, r->n++) {
		for (k = 0; k < n_workers; k++) {
			f = &r->w[k].ifs[i];
			f->h = iface_open(&r->w[k], i, &why, err, errlen);
			if (f->h != NULL) {
				link_state(r, f->name, &f->ifindex);
				continue;
			}
			if (why == CF_CAPTURE_EDOWN) {
				f->state = IF_GONE;
				schedule_retry(f, cf_mono_us());
				snprintf(f->last_err, sizeof(f->last_err), "%s", err);
				continue;
			}
			*status = why == CF_CAPTURE_ENODEV || why == CF_CAPTURE_ECONFIG ? 2 : 3;
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
	unsigned k, n = r->n_workers;

	r->out = out;
	r->cfg = *cfg;
	/* --max-flows is the whole budget: each worker gets its share */
	if (n > 1) {
		r->cfg.limits.max_flows = (cfg->limits.max_flows + n - 1) / n;
		if (r->cfg.limits.max_flows < 1)
			r->cfg.limits.max_flows = 1;
	}
	for (k = 0; k < n; k++) {
		r->w[k].e = cf_engine_new(&r->cfg, out, err, errlen);
		if (r->w[k].e == NULL)
			return -1;
	}
	return 0;
}

void cf_live_attach(struct cf_live_run *r)
{
	size_t i;
	unsigned k;

	r->started_us = cf_mono_us();
	r->next_tick_us = r->started_us + TICK_US;
	for (k = 0; k < r->n_workers; k++)
		r->w[k].next_tick_us = r->next_tick_us;
	if (r->stats_interval > 0)
		r->next_stats_us = r->started_us + (uint64_t)r->stats_interval * 1000000u;
	for (i = 0; i < r->n; i++)
		if (r->w[0].ifs[i].state == IF_GONE)
			cf_log(LOG_WARNING, "%s; capture starts when it is up",
			       r->w[0].ifs[i].last_err);
}

static void stop_workers(struct cf_live_run *r);

void cf_live_close_all(struct cf_live_run *r)
{
	struct worker *w;
	size_t i;
	unsigned k;

	if (r == NULL)
		return;
	if (r->w != NULL)
		stop_workers(r);
	for (k = 0; r->w != NULL && k < r->n_workers; k++) {
		w = &r->w[k];
		for (i = 0; i < r->n; i++)
			iface_close(w, i);
		if (w->e != NULL)
			cf_engine_free(w->e);
		if (w->wake_fd >= 0)
			close(w->wake_fd);
		if (w->inbox.buf[0] != NULL && w->inbox.buf[1] != NULL)
			pthread_mutex_destroy(&w->inbox.lock);
		free(w->inbox.buf[0]);
		free(w->inbox.buf[1]);
	}
	free(r->w);
	if (r->merged != NULL)
		cf_report_free(r->merged);
	if (r->ctl_fd >= 0)
		close(r->ctl_fd);
	if (r->statm_fd >= 0)
		close(r->statm_fd);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* ---- commands from the main thread (--threads) ------------------------ */

static void wake(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the worker is woken already */
	}
}

static void post(struct worker *w, enum cmd c)
{
	atomic_store_explicit(&w->cmd, (int)c, memory_order_release);
	wake(w);
}

/* Until the worker has carried out its command. */
static void wait_done(struct worker *w)
{
	struct cf_live_run *r = w->r;

	pthread_mutex_lock(&r->lock);
	while (atomic_load_explicit(&w->cmd, memory_order_acquire) != CMD_NONE)
		pthread_cond_wait(&r->cv, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

static void worker_snapshot(struct worker *w, struct snapshot *s);

/* The worker's side, at its safe point (between two batches). */
static void worker_command(struct worker *w)
{
	struct cf_live_run *r = w->r;
	int c = atomic_load_explicit(&w->cmd, memory_order_acquire);

	if (c == CMD_NONE)
		return;
	if (c == CMD_RELOAD)
		w->cmd_rc = cf_engine_reload(w->e, &r->cfg, w->cmd_err,
					     sizeof(w->cmd_err));
	else if (c == CMD_SNAPSHOT)
		worker_snapshot(w, &w->snap);
	pthread_mutex_lock(&r->lock);
	atomic_store_explicit(&w->cmd, CMD_NONE, memory_order_release);
	pthread_cond_broadcast(&r->cv);
	while (c == CMD_PAUSE && r->paused)
		pthread_cond_wait(&r->cv, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

/* Every running worker waits at its safe point until resume_all(). */
static void pause_all(struct cf_live_run *r)
{
	unsigned k;

	pthread_mutex_lock(&r->lock);
	r->paused = 1;
	pthread_mutex_unlock(&r->lock);
	for (k = 0; k < r->n_workers; k++)
		if (r->w[k].started)
			post(&r->w[k], CMD_PAUSE);
	for (k = 0; k < r->n_workers; k++)
		if (r->w[k].started)
			wait_done(&r->w[k]);
}

static void resume_all(struct cf_live_run *r)
{
	pthread_mutex_lock(&r->lock);
	r->paused = 0;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->lock);
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

/* A worker's numbers, read by the thread that runs its engine (or by the
 * main thread once the worker stopped). */
static void worker_snapshot(struct worker *w, struct snapshot *s)
{
	struct iface *f;
	size_t i;

	for (i = 0; i < w->r->n; i++) {
		f = &w->ifs[i];
		if (f->h != NULL && cf_live_get_stats(f->h, &f->last) != 0)
			memset(&f->last, 0, sizeof(f->last));
		s->ifs[i].state = f->state;
		s->ifs[i].k = f->base;
		add_stats(&s->ifs[i].k, &f->last);
		s->ifs[i].packets = f->packets;
		s->ifs[i].errors = f->errors;
		s->ifs[i].reopens = f->reopens;
	}
	memset(&s->t, 0, sizeof(s->t));
	cf_engine_totals(w->e, &s->t);
	cf_engine_get_stats(w->e, &s->st);
	s->dns_shared = s->dns_dropped = 0;
	if (!w->r->threaded)
		return;
	/* the worker, not its engine, counted the frames and decoded them */
	s->t.first_us = w->fc.first_us;
	s->t.bytes_read = w->fc.bytes;
	s->t.decode = w->dec;
	s->st.packets = w->fc.packets;
	s->st.bytes = w->fc.bytes;
	s->dns_shared = w->dns_shared;
	pthread_mutex_lock(&w->inbox.lock);
	s->dns_dropped = w->inbox.dropped;
	pthread_mutex_unlock(&w->inbox.lock);
}

/* Every worker's snapshot: asked of the running ones (all at once), read
 * directly from the others. */
static void snapshot_all(struct cf_live_run *r)
{
	unsigned k;

	for (k = 0; k < r->n_workers; k++)
		if (r->w[k].started)
			post(&r->w[k], CMD_SNAPSHOT);
		else
			worker_snapshot(&r->w[k], &r->w[k].snap);
	for (k = 0; k < r->n_workers; k++)
		if (r->w[k].started)
			wait_done(&r->w[k]);
}

/* An interface's state over the workers' handles: the worst one. */
static enum if_state worse(enum if_state a, enum if_state b)
{
	return a == IF_GONE || b == IF_GONE ? IF_GONE :
	       a == IF_DOWN || b == IF_DOWN ? IF_DOWN : IF_UP;
}

/*
 * The snapshots summed: totals as cf_run_totals_add has it (every worker
 * saw every DNS answer), engine counters added, interfaces' kernel and
 * packet counters added over their handles; errors and reopens are the
 * interface's (the same events reach every handle): the largest.
 */
static void sum_snapshots(struct cf_live_run *r, struct cf_run_totals *t,
			  struct cf_engine_stats *st, struct cf_stats_iface *si,
			  uint64_t *dns_shared, uint64_t *dns_dropped)
{
	const struct snapshot *s;
	struct cf_output_stats os;
	unsigned k;
	size_t i;
	int v;

	memset(t, 0, sizeof(*t));
	memset(st, 0, sizeof(*st));
	*dns_shared = *dns_dropped = 0;
	for (i = 0; i < r->n; i++) {
		memset(&si[i], 0, sizeof(si[i]));
		si[i].name = r->names[i];
	}
	for (k = 0; k < r->n_workers; k++) {
		s = &r->w[k].snap;
		cf_run_totals_add(t, &s->t, k > 0);
		st->packets += s->st.packets;
		st->bytes += s->st.bytes;
		st->alerts += s->st.alerts;
		st->audited += s->st.audited;
		if (s->st.max_severity > st->max_severity)
			st->max_severity = s->st.max_severity;
		for (v = 0; v <= CF_SEV_CRITICAL; v++)
			st->by_severity[v] += s->st.by_severity[v];
		st->reloads = s->st.reloads;
		*dns_shared += s->dns_shared;
		*dns_dropped += s->dns_dropped;
		for (i = 0; i < r->n; i++) {
			const struct if_snap *f = &s->ifs[i];

			si[i].received += f->k.received;
			si[i].dropped += f->k.dropped;
			si[i].if_dropped += f->k.if_dropped;
			si[i].packets += f->packets;
			if (f->errors > si[i].errors)
				si[i].errors = f->errors;
			if (f->reopens > si[i].reopens)
				si[i].reopens = f->reopens;
		}
	}
	for (i = 0; i < r->n; i++) {
		enum if_state state = r->w[0].snap.ifs[i].state;

		for (k = 1; k < r->n_workers; k++)
			state = worse(state, r->w[k].snap.ifs[i].state);
		si[i].state = state_name(state);
	}
	if (r->threaded) {
		/* every engine counted the same shared outputs' errors */
		cf_outputs_get_stats(r->out, &os);
		t->output_errors = os.write_errors;
	}
}

void cf_live_stats_event(struct cf_live_run *r)
{
	struct cf_stats_iface si[MAX_IFACES];
	struct cf_engine_stats st;
	struct cf_run_totals t;
	struct cf_stats_view v;

	memset(&v, 0, sizeof(v));
	snapshot_all(r);
	sum_snapshots(r, &t, &st, si, &v.dns_shared, &v.dns_share_dropped);
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
	/* one engine counts its reloads; workers reload all or nothing */
	v.reloads = r->threaded ? r->reloads : st.reloads;
	v.reload_failures = r->reload_failures;
	v.threads = r->n_workers;
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

/* A worker's part: idle flows on the wall clock, its handles. */
static void worker_housekeeping(struct worker *w, uint64_t now)
{
	size_t i;

	cf_engine_tick(w->e, wall_us());
	for (i = 0; i < w->r->n; i++)
		iface_watch(w, &w->ifs[i], now);
	w->next_tick_us = now + TICK_US;
}

/* The main thread's part: outputs and the periodic stats event. */
static void main_housekeeping(struct cf_live_run *r, uint64_t now)
{
	watch_outputs(r, now);
	if (r->stats_interval > 0 && now >= r->next_stats_us) {
		cf_live_stats_event(r);
		r->next_stats_us = now + (uint64_t)r->stats_interval * 1000000u;
	}
	r->next_tick_us = now + TICK_US;
}

static void reloaded(struct cf_live_run *r)
{
	cf_log(LOG_NOTICE, "reloaded %s (%zu rules), %s, %zu geography database(s)",
	       r->cfg.rules_path, cf_policy_rule_count(cf_engine_policy(r->w[0].e)),
	       r->cfg.catalog_path ? r->cfg.catalog_path : "no catalog",
	       r->cfg.n_geo);
}

static void reload_failed(struct cf_live_run *r, const char *err)
{
	r->reload_failures++;
	cf_log(LOG_ERR, "reload failed: %s; still running the previous "
	       "rules, catalog and geography", err);
}

static void reopen_logs(struct cf_live_run *r)
{
	char err[1024];

	if (cf_log_reopen(err, sizeof(err)) < 0)
		cf_log(LOG_ERR, "%s", err);
	if (cf_outputs_reopen(r->out, err, sizeof(err)) < 0)
		cf_log(LOG_ERR, "reopening outputs: %s", err);
}

static void reload(struct cf_live_run *r)
{
	char err[1024];

	reopen_logs(r);
	if (cf_engine_reload(r->w[0].e, &r->cfg, err, sizeof(err)) < 0) {
		reload_failed(r, err);
		return;
	}
	reloaded(r);
}

/*
 * --threads: all or nothing across the workers.  The log file is swapped
 * while they wait (one of them could be writing a line to it).  Then
 * worker 0 reloads first: it reads and checks every file, and if one is
 * broken nothing changed anywhere.  Only then do the others reload, one
 * at a time, so the rest keep capturing meanwhile.  One of them can only
 * fail now if a file changed in between (or memory ran out): that is
 * logged as such, and a new SIGHUP brings them together again.
 */
static void reload_threads(struct cf_live_run *r)
{
	unsigned k, failed = 0;
	char first_err[sizeof(r->w[0].cmd_err)] = "";

	pause_all(r);
	reopen_logs(r);
	resume_all(r);
	post(&r->w[0], CMD_RELOAD);
	wait_done(&r->w[0]);
	if (r->w[0].cmd_rc < 0) {
		reload_failed(r, r->w[0].cmd_err);
		return;
	}
	for (k = 1; k < r->n_workers; k++) {
		post(&r->w[k], CMD_RELOAD);
		wait_done(&r->w[k]);
		if (r->w[k].cmd_rc < 0 && failed++ == 0)
			snprintf(first_err, sizeof(first_err), "%s", r->w[k].cmd_err);
	}
	if (failed > 0) {
		r->reload_failures++;
		cf_log(LOG_ERR, "reload failed in %u of %u threads after the first "
		       "succeeded (a file changed during the reload?): %s; those "
		       "threads still run the previous rules, catalog and geography "
		       "until the next SIGHUP", failed, r->n_workers, first_err);
		return;
	}
	r->reloads++;
	reloaded(r);
}

/* ---- the loop ------------------------------------------------------- */

static size_t poll_set(const struct worker *w, struct pollfd *pfd, size_t *map)
{
	size_t i, n = 0;

	for (i = 0; i < w->r->n; i++) {
		if (w->ifs[i].h == NULL)
			continue;
		pfd[n].fd = cf_live_fd(w->ifs[i].h);
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		map[n++] = i;
	}
	return n;
}

/*
 * Wait for packets (or the tick) and read them.  The main thread's loop
 * (no --threads) unblocks the signals while it waits; a worker keeps them
 * blocked and also wakes up for the main thread's commands.
 */
static void wait_and_read(struct worker *w, uint64_t now)
{
	struct pollfd pfd[MAX_IFACES + 1];
	size_t map[MAX_IFACES + 1], n, k;
	uint64_t wait = w->next_tick_us > now ? w->next_tick_us - now : 0;
	struct timespec ts = { (time_t)(wait / 1000000u), (long)(wait % 1000000u) * 1000 };
	uint64_t drain;
	int rc;

	n = poll_set(w, pfd, map);
	if (w->wake_fd >= 0) {
		pfd[n].fd = w->wake_fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		map[n++] = SIZE_MAX;
	}
	rc = ppoll(pfd, (nfds_t)n, &ts, w->wake_fd >= 0 ? NULL : &wait_mask);
	if (rc < 0) {
		if (errno != EINTR)
			cf_log(LOG_ERR, "poll: %s", strerror(errno));
		return;
	}
	for (k = 0; k < n && rc > 0; k++) {
		if (pfd[k].revents == 0)
			continue;
		if (map[k] == SIZE_MAX) {
			if (read(w->wake_fd, &drain, sizeof(drain)) < 0) {
				/* EAGAIN: somebody read it already */
			}
			continue;
		}
		if (w->ifs[map[k]].h != NULL)
			iface_input(w, &w->ifs[map[k]], pfd[k].revents);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct cf_live_run *r = w->r;
	uint64_t now;

	while (!atomic_load_explicit(&r->stop, memory_order_acquire)) {
		worker_command(w);
		inbox_drain(w);
		now = cf_mono_us();
		if (now >= w->next_tick_us) {
			worker_housekeeping(w, now);
			now = cf_mono_us();
		}
		wait_and_read(w, now);
	}
	/* SIGTERM: this worker's flows end here, alongside the others' */
	cf_engine_finish(w->e);
	return NULL;
}

int cf_live_start(struct cf_live_run *r, char *err, size_t errlen)
{
	unsigned k;
	int rc;

	if (r->statm_fd < 0)
		r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (!r->threaded)
		return 0;
	for (k = 0; k < r->n_workers; k++) {
		rc = pthread_create(&r->w[k].thread, NULL, worker_main, &r->w[k]);
		if (rc != 0) {
			snprintf(err, errlen, "--threads %u: cannot start thread %u: %s",
				 r->n_workers, k + 1, strerror(rc));
			stop_workers(r);
			return -1;
		}
		r->w[k].started = 1;
	}
	return 0;
}

/* Stop the workers and wait for them: each ends its flows first. */
static void stop_workers(struct cf_live_run *r)
{
	unsigned k;

	atomic_store_explicit(&r->stop, 1, memory_order_release);
	for (k = 0; k < r->n_workers; k++)
		if (r->w[k].started)
			wake(&r->w[k]);
	for (k = 0; k < r->n_workers; k++)
		if (r->w[k].started) {
			pthread_join(r->w[k].thread, NULL);
			r->w[k].started = 0;
		}
}

/* SIGHUP: reload (every worker with --threads); SIGUSR1: stats now. */
static void take_signals(struct cf_live_run *r, int threaded)
{
	if (got_hup) {
		got_hup = 0;
		if (threaded)
			reload_threads(r);
		else
			reload(r);
	}
	if (got_usr1) {
		got_usr1 = 0;
		cf_live_stats_event(r);
		cf_outputs_poll(r->out, 0);
	}
}

/* No --threads: this thread reads every interface, as always. */
static void loop_single(struct cf_live_run *r)
{
	struct worker *w = &r->w[0];
	uint64_t now;

	while (!got_term) {
		take_signals(r, 0);
		now = cf_mono_us();
		if (now >= r->next_tick_us) {
			worker_housekeeping(w, now);
			main_housekeeping(r, now);
			now = cf_mono_us();
		}
		wait_and_read(w, now);
	}
	cf_log(LOG_NOTICE, "stopping: ending every open flow");
}

/* --threads: the workers capture; this thread takes the signals. */
static void loop_main(struct cf_live_run *r)
{
	struct timespec ts;
	uint64_t now, wait;

	while (!got_term) {
		take_signals(r, 1);
		now = cf_mono_us();
		if (now >= r->next_tick_us) {
			main_housekeeping(r, now);
			now = cf_mono_us();
		}
		wait = r->next_tick_us > now ? r->next_tick_us - now : 0;
		ts.tv_sec = (time_t)(wait / 1000000u);
		ts.tv_nsec = (long)(wait % 1000000u) * 1000;
		if (ppoll(NULL, 0, &ts, &wait_mask) < 0 && errno != EINTR)
			cf_log(LOG_ERR, "poll: %s", strerror(errno));
	}
	cf_log(LOG_NOTICE, "stopping: ending every open flow");
	stop_workers(r);
}

void cf_live_loop(struct cf_live_run *r)
{
	if (r->statm_fd < 0)
		r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (r->threaded)
		loop_main(r);
	else
		loop_single(r);
}

void cf_live_finish(struct cf_live_run *r)
{
	struct worker *w;
	unsigned k;

	if (!r->threaded) {
		cf_engine_finish(r->w[0].e);
		return;
	}
	stop_workers(r);    /* each ended its flows before it stopped */
	/* how the kernel shared the traffic out, and whether DNS copies fit */
	for (k = 0; k < r->n_workers; k++) {
		w = &r->w[k];
		cf_log(LOG_INFO, "thread %u of %u: %llu packets, %llu DNS answers "
		       "shared, %llu shared copies dropped (inbox full)", k + 1,
		       r->n_workers, (unsigned long long)w->fc.packets,
		       (unsigned long long)w->dns_shared,
		       (unsigned long long)w->inbox.dropped);
	}
}

void cf_live_totals(struct cf_live_run *r, struct cf_run_totals *t)
{
	struct cf_stats_iface si[MAX_IFACES];
	struct cf_engine_stats st;
	uint64_t shared, dropped;

	if (!r->threaded) {
		cf_engine_totals(r->w[0].e, t);
		return;
	}
	snapshot_all(r);
	sum_snapshots(r, t, &st, si, &shared, &dropped);
}

struct cf_report *cf_live_report(struct cf_live_run *r)
{
	unsigned k;

	if (!r->threaded)
		return cf_engine_report(r->w[0].e);
	if (r->merged != NULL)
		return r->merged;
	r->merged = cf_report_new();
	for (k = 0; r->merged != NULL && k < r->n_workers; k++)
		if (cf_report_merge(r->merged, cf_engine_report(r->w[k].e)) < 0) {
			cf_report_free(r->merged);
			r->merged = NULL;
		}
	return r->merged;
}
