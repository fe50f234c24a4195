/*
 * output.c - the outputs as one: hand each event to every output whose
 * filter takes it, count what each one did, and keep the reliable ones
 * moving (poll, drain at flush, spool at exit).
 *
 * Making an output from its -o spec is output-spec.c's.  Drivers:
 * output-file.c (stdout, file), output-syslog.c, output-unix.c and
 * output-tcp.c (over output-sock.c), output-kafka.c.  Reliable outputs
 * keep events in output-queue.c's memory queue and spool.c's file until
 * the destination has them.  --alert-window folding is output-aggr.c's,
 * done here before the fan-out.  Nothing here blocks except
 * cf_outputs_flush, which waits at most each output's drain= seconds.
 */
#define _GNU_SOURCE 1         /* adaptive mutexes */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "output/output-int.h"
#include "output/spool.h"
#include "util/clock.h"
#include "util/path.h"

#define DROP_LOG_EVERY 60.0     /* seconds between two "dropped" messages */
#define POLL_EVERY 1.0
#define DRAIN_NAP_NS 10000000L

/*
 * Several worker threads (--threads) share one cf_outputs: every public
 * call that touches the outputs holds lock; the static helpers below
 * assume it is held.  Events are formatted before the lock is taken
 * (src/event), so the critical section is the fan-out only.
 */
struct cf_outputs {
	pthread_mutex_t lock;
	struct out **v;
	size_t n, cap;
	struct cf_output_stats st;      /* lines */
	cf_output_log_fn log;
	void *log_ctx;
	double last_poll;
	struct aggr *aggr;
};

static const char *g_spool_dir = CF_SPOOL_DIR;
static char g_spool_dir_abs[4096];
static unsigned g_alert_window;

void cf_outputs_set_spool_dir(const char *dir)
{
	char err[256], *abs;

	g_spool_dir = dir != NULL && dir[0] != '\0' ? dir : CF_SPOOL_DIR;
	/* absolute, for a daemon's chdir("/"); kept as given if that fails
	 * (opening the spool then says what is wrong) */
	abs = g_spool_dir[0] != '/' ? cf_path_absolute(g_spool_dir, err, sizeof(err)) : NULL;
	if (abs != NULL && strlen(abs) < sizeof(g_spool_dir_abs)) {
		snprintf(g_spool_dir_abs, sizeof(g_spool_dir_abs), "%s", abs);
		g_spool_dir = g_spool_dir_abs;
	}
	free(abs);
}

void cf_outputs_set_alert_window(unsigned seconds)
{
	g_alert_window = seconds;
}

/* ---- shared helpers ------------------------------------------------- */

double out_now(void)
{
	return (double)cf_mono_us() / 1e6;
}

void out_log(struct out *o, const char *fmt, ...)
{
	char msg[1024];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "output %s: ", o->spec);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (o->owner->log != NULL)
		o->owner->log(o->owner->log_ctx, msg);
	else
		fprintf(stderr, "callfence: %s\n", msg);
}

struct cf_outputs *cf_outputs_new(void)
{
	struct cf_outputs *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	if (g_alert_window > 0 && (o->aggr = aggr_new(g_alert_window)) == NULL) {
		free(o);
		return NULL;
	}
	o->last_poll = out_now();
	{
		/* held for one event's fan-out at a time: spin a little before
		 * sleeping, a wake-up costs more than the wait */
		pthread_mutexattr_t a;

		pthread_mutexattr_init(&a);
#ifdef PTHREAD_MUTEX_ADAPTIVE_NP
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
		pthread_mutex_init(&o->lock, &a);
		pthread_mutexattr_destroy(&a);
	}
	return o;
}

void cf_outputs_set_logger(struct cf_outputs *o, cf_output_log_fn fn, void *ctx)
{
	o->log = fn;
	o->log_ctx = ctx;
}

size_t cf_outputs_count(const struct cf_outputs *o)
{
	return o->n;
}

static int append_out(struct cf_outputs *o, struct out *x)
{
	size_t cap;
	struct out **v;

	if (o->n == o->cap) {
		cap = o->cap ? o->cap * 2 : 4;
		v = realloc(o->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = x;
	return 0;
}

int cf_outputs_add(struct cf_outputs *o, const char *spec, char *err, size_t errlen)
{
	struct out *x = out_new(o);
	char *buf = strdup(spec);
	uint64_t old;

	if (x == NULL || buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (out_setup(x, spec, buf, g_spool_dir, err, errlen) < 0)
		goto fail;
	if (append_out(o, x) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	free(buf);
	if (x->ops->reliable) {
		old = outq_pending(&x->q);
		if (old > 0)
			out_log(x, "%llu event(s) from an earlier run in spool %s: sending them first",
				(unsigned long long)old, x->spool_path);
		if (!x->ops->start_late)
			x->ops->service(x, out_now(), 1);
	}
	return 0;
fail:
	free(buf);
	out_free(x);
	return -1;
}

/* ---- writing -------------------------------------------------------- */

static int takes(const struct out *x, const struct cf_event_info *ev)
{
	enum cf_event_kind k = ev != NULL ? ev->kind : CF_EVENT_OTHER;

	if (x->kinds != 0 && k != CF_EVENT_OTHER && !(x->kinds & (1u << k)))
		return 0;
	if (x->min_severity > 0 && k == CF_EVENT_ALERT && ev->severity < x->min_severity)
		return 0;
	return 1;
}

static int fan_out(struct cf_outputs *o, const char *line, size_t len,
		   const struct cf_event_info *ev)
{
	double now = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < o->n; i++) {
		struct out *x = o->v[i];

		if (!takes(x, ev)) {
			x->st.filtered++;
			continue;
		}
		x->st.lines++;
		if (x->ops->reliable) {
			const char *msg = line;
			size_t mlen = x->ops->frame != NULL ?
				x->ops->frame(x, line, len, ev, &msg) : len;

			if (mlen == 0)
				x->st.dropped++;
			if (mlen == 0 || outq_push(&x->q, msg, mlen, ev != NULL ? ev->key : NULL) < 0)
				rc = -1;
			if (now == 0)
				now = out_now();
			x->ops->service(x, now, 0);
		} else if (x->ops->write(x, line, len, ev) < 0) {
			x->st.write_errors++;
			rc = -1;
		}
	}
	o->st.lines++;
	return rc;
}

static void emit_summary(void *ctx, const char *line, size_t len,
			 const struct cf_event_info *ev)
{
	fan_out(ctx, line, len, ev);
}

static void poll_locked(struct cf_outputs *o, uint64_t now_us);

int cf_outputs_write_event(struct cf_outputs *o, const char *line, size_t len,
			   const struct cf_event_info *ev)
{
	int rc = 0;

	pthread_mutex_lock(&o->lock);
	if (out_now() - o->last_poll >= POLL_EVERY)
		poll_locked(o, 0);
	if (o->aggr != NULL && ev != NULL) {
		aggr_note_time(o->aggr, ev->ts_us);
		if (ev->kind == CF_EVENT_ALERT && aggr_alert(o->aggr, ev, emit_summary, o) == 1)
			goto out;
	}
	rc = fan_out(o, line, len, ev);
out:
	pthread_mutex_unlock(&o->lock);
	return rc;
}

int cf_outputs_write(struct cf_outputs *o, const char *line, size_t len)
{
	return cf_outputs_write_event(o, line, len, NULL);
}

/* ---- housekeeping --------------------------------------------------- */

static void log_drops(struct out *x, double now, int force)
{
	uint64_t n = x->st.dropped - x->dropped_logged;

	if (n == 0 || (!force && now < x->next_drop_log))
		return;
	if (x->ops->reliable && x->q.spool != NULL)
		out_log(x, "%llu event(s) dropped: backlog reached spool-max=%llu bytes (%llu dropped in all)",
			(unsigned long long)n, (unsigned long long)x->spool_max,
			(unsigned long long)x->st.dropped);
	else if (x->ops->reliable)
		out_log(x, "%llu event(s) dropped: memory queue full (queue=%llu, spool=none; %llu dropped in all)",
			(unsigned long long)n, (unsigned long long)x->queue_max,
			(unsigned long long)x->st.dropped);
	else
		out_log(x, "%llu event(s) could not be written: %s (%llu lost in all)",
			(unsigned long long)n, strerror(x->err_no),
			(unsigned long long)x->st.dropped);
	x->dropped_logged = x->st.dropped;
	x->next_drop_log = now + DROP_LOG_EVERY;
}

void cf_outputs_poll(struct cf_outputs *o, uint64_t now_us)
{
	pthread_mutex_lock(&o->lock);
	poll_locked(o, now_us);
	pthread_mutex_unlock(&o->lock);
}

static void poll_locked(struct cf_outputs *o, uint64_t now_us)
{
	double now = out_now();
	size_t i;

	o->last_poll = now;
	if (o->aggr != NULL)
		aggr_expire(o->aggr, now_us, 0, emit_summary, o);
	for (i = 0; i < o->n; i++) {
		struct out *x = o->v[i];

		if (x->ops->reliable) {
			x->ops->service(x, now, 1);
			outq_sync(&x->q);
		} else if (x->ops->flush != NULL && x->ops->flush(x) < 0) {
			x->st.write_errors++;
		}
		log_drops(x, now, 0);
	}
}

static void nap(void)
{
	struct timespec ts = { 0, DRAIN_NAP_NS };

	nanosleep(&ts, NULL);
}

/* Wait (at most each output's drain=) for the reliable outputs to catch up. */
static int drain(struct cf_outputs *o)
{
	double now = out_now(), *until = calloc(o->n ? o->n : 1, sizeof(double));
	size_t i;
	int busy, rc = 0;

	for (i = 0; i < o->n; i++)
		if (until != NULL)
			until[i] = now + (o->v[i]->drain_expired ? 0 : o->v[i]->drain_s);
	do {
		busy = 0;
		for (i = 0; i < o->n; i++) {
			struct out *x = o->v[i];

			if (!x->ops->reliable)
				continue;
			x->ops->service(x, now, 1);
			if (outq_pending(&x->q) == 0)
				x->drain_expired = 0;
			else if (until == NULL || now >= until[i])
				x->drain_expired = 1, rc = -1;
			else
				busy = 1;
		}
		if (busy) {
			nap();
			now = out_now();
		}
	} while (busy);
	free(until);
	return rc;
}

static int flush_locked(struct cf_outputs *o);

int cf_outputs_flush(struct cf_outputs *o)
{
	int rc;

	pthread_mutex_lock(&o->lock);
	rc = flush_locked(o);
	pthread_mutex_unlock(&o->lock);
	return rc;
}

static int flush_locked(struct cf_outputs *o)
{
	size_t i;
	int rc = 0;

	if (o->aggr != NULL)
		aggr_expire(o->aggr, 0, 1, emit_summary, o);
	for (i = 0; i < o->n; i++) {
		struct out *x = o->v[i];

		if (x->ops->flush != NULL && x->ops->flush(x) < 0) {
			x->st.write_errors++;
			rc = -1;
		}
	}
	if (drain(o) < 0)
		rc = -1;
	for (i = 0; i < o->n; i++)
		if (o->v[i]->ops->reliable)
			outq_sync(&o->v[i]->q);
	return rc;
}

int cf_outputs_reopen(struct cf_outputs *o, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&o->lock);
	for (i = 0; i < o->n; i++) {
		struct out *x = o->v[i];

		if (x->ops->reopen != NULL && x->ops->reopen(x, err, errlen) < 0)
			rc = -1;
	}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

static int chown_path(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (chown(path, uid, gid) == 0)
		return 0;
	snprintf(err, errlen, "cannot give %s to uid %u: %s", path, (unsigned)uid,
		 strerror(errno));
	return -1;
}

/* A spool file: as the output files, never through a symbolic link. */
static int give_path(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(err, errlen, "cannot give %s to uid %u: %s", path, (unsigned)uid,
			 strerror(errno));
		return -1;
	}
	rc = cf_file_give(fd, path, uid, gid, err, errlen);
	close(fd);
	return rc;
}

int cf_outputs_set_owner(struct cf_outputs *o, uid_t uid, gid_t gid,
			 char *err, size_t errlen)
{
	char pos[4096];
	size_t i;

	for (i = 0; i < o->n; i++) {
		struct out *x = o->v[i];

		if (x->ops->give != NULL && x->ops->give(x, uid, gid, err, errlen) < 0)
			return -1;
		if (!x->ops->reliable || x->spool_path == NULL)
			continue;
		snprintf(pos, sizeof(pos), "%s.pos", x->spool_path);
		if (give_path(x->spool_path, uid, gid, err, errlen) < 0 ||
		    give_path(pos, uid, gid, err, errlen) < 0 ||
		    (x->spool_dir_made && chown_path(g_spool_dir, uid, gid, err, errlen) < 0))
			return -1;
	}
	return 0;
}

/* ---- statistics and the end ----------------------------------------- */

static void out_stats(const struct out *x, struct cf_output_stats *st)
{
	*st = x->st;
	if (x->ops->reliable) {
		st->pending = outq_pending(&x->q);
		st->spool_bytes = x->q.spool != NULL ? cf_spool_size(x->q.spool) : 0;
	}
}

void cf_outputs_get_stats(const struct cf_outputs *o, struct cf_output_stats *st)
{
	struct cf_output_stats one;
	size_t i;

	/* the lock is not const: the counters are read under it all the same */
	pthread_mutex_lock((pthread_mutex_t *)&o->lock);
	memset(st, 0, sizeof(*st));
	for (i = 0; i < o->n; i++) {
		out_stats(o->v[i], &one);
		st->write_errors += one.write_errors;
		st->filtered += one.filtered;
		st->delivered += one.delivered;
		st->queued += one.queued;
		st->spooled += one.spooled;
		st->replayed += one.replayed;
		st->dropped += one.dropped;
		st->pending += one.pending;
		st->spool_bytes += one.spool_bytes;
	}
	st->lines = o->st.lines;
	st->aggregated = o->aggr != NULL ? aggr_folded(o->aggr) : 0;
	pthread_mutex_unlock((pthread_mutex_t *)&o->lock);
}

int cf_outputs_get_output_stats(const struct cf_outputs *o, size_t i,
				struct cf_output_stats *st, char *name, size_t namelen)
{
	if (i >= o->n)
		return -1;
	out_stats(o->v[i], st);
	if (name != NULL && namelen > 0)
		snprintf(name, namelen, "%s", o->v[i]->spec);
	return 0;
}

/* A reliable output at exit: what is left goes to the spool, and we say so. */
static void out_finish(struct out *x)
{
	uint64_t kept, dropped = x->st.dropped;

	if (outq_pending(&x->q) > 0 && x->ops->abandon != NULL)
		x->ops->abandon(x);
	if (outq_close(&x->q, &kept) < 0)
		out_log(x, "cannot write the spool %s: %s", x->spool_path, strerror(errno));
	if (kept > 0)
		out_log(x, "destination did not take everything: %llu event(s) kept in spool %s, "
			"sent first by the next run", (unsigned long long)kept, x->spool_path);
	else if (x->st.dropped > dropped)
		out_log(x, "%llu event(s) lost at exit (spool=none)",
			(unsigned long long)(x->st.dropped - dropped));
	x->dropped_logged = x->st.dropped;
}

uint64_t cf_outputs_close(struct cf_outputs *o)
{
	uint64_t lost = 0;
	size_t i;

	if (o == NULL)
		return 0;
	cf_outputs_flush(o);
	pthread_mutex_destroy(&o->lock);
	for (i = 0; i < o->n; i++) {
		struct out *x = o->v[i];

		if (x->ops->reliable) {
			log_drops(x, out_now(), 1);
			out_finish(x);
		}
		/* whatever was said during the run: the total, once more */
		if (x->st.dropped > 0 && !x->ops->reliable)
			out_log(x, "%llu event(s) lost in this run (%llu failed write(s), "
				"the last: %s)", (unsigned long long)x->st.dropped,
				(unsigned long long)x->st.write_errors, strerror(x->err_no));
		else if (x->st.dropped > 0)
			out_log(x, "%llu event(s) lost in this run",
				(unsigned long long)x->st.dropped);
		lost += x->st.dropped;
		out_free(x);
	}
	aggr_free(o->aggr);
	free(o->v);
	free(o);
	return lost;
}

void cf_outputs_free(struct cf_outputs *o)
{
	(void)cf_outputs_close(o);
}
