/*
 * ahead.c - the thread that backs front-filled tables ahead of their
 * filling (ahead.h).
 *
 * Requests are a table and a range of it, in a small queue under a mutex
 * that the asking thread only tries to take (a reading thread never waits
 * for this one: a request it could not queue is asked again at its next
 * new entry, or the filling backs the pages itself).  The thread backs a
 * range with MADV_POPULATE_WRITE (Linux 5.14): pages are faulted in as
 * for a write but nothing is written, so it is safe while the owner
 * writes the pages before it; where the kernel refuses it the thread
 * stops asking for more.
 */
#define _GNU_SOURCE 1         /* sched_getaffinity */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "util/ahead.h"
#include "util/heap.h"

#define QUEUE 64
#define HUGE_2M ((size_t)2 << 20)

struct request {
	struct cf_ahead *a;
	unsigned char *p;
	size_t len;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;     /* a request, or stop */
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;     /* busy went NULL */
static pthread_t thread;
static int running;             /* under mu; read unlocked by cf_ahead_watch */
static int stopping;            /* under mu */
static int refused;             /* the kernel refused: ask no more (relaxed) */
static struct request queue[QUEUE];
static unsigned n_queued;       /* under mu */
static struct cf_ahead *busy;   /* the table being backed, under mu */
static struct cf_ahead_stats stats;     /* under mu */
static uintptr_t heap_asked;    /* the thread's: heap backed below this */

static int populate(void *p, size_t len)
{
	int rc;

#ifdef MADV_POPULATE_WRITE
	rc = madvise(p, len, MADV_POPULATE_WRITE);
#else
	rc = -1;
	errno = EINVAL;
#endif
	if (rc != 0 && (errno == EINVAL || errno == EPERM || errno == ENOSYS))
		__atomic_store_n(&refused, 1, __ATOMIC_RELAXED);
	return rc;
}

/*
 * The malloc heap (util/heap.h) backed lead bytes past its free top, in
 * whole huge pages: at the start (CF_AHEAD_HEAP_START: nDPI's set-up takes
 * some 5 MB of it; with the small pages below the first huge page) and
 * whenever a table asks (CF_AHEAD_HEAP: the heap grows with the flows,
 * the calls' held flows, nDPI's buffers).  Called by the thread, not
 * under mu.
 */
static void heap_ahead(size_t lead)
{
	uintptr_t lo, hi, top, from, to;

	if (!cf_heap_range(&lo, &hi) || (top = cf_heap_top()) == 0 || top >= hi)
		return;
	/* the heap below the advised range (from the break at the start to
	   the first 2 MiB boundary: up to 512 small pages) */
	if (top < lo && heap_asked == 0 && !__atomic_load_n(&refused, __ATOMIC_RELAXED))
		(void)populate((void *)(top & ~(uintptr_t)4095), lo - (top & ~(uintptr_t)4095));
	to = (top + lead + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
	if (to > hi)
		to = hi;
	from = top & ~(uintptr_t)(HUGE_2M - 1);
	if (from < lo)
		from = lo;
	if (from < heap_asked)
		from = heap_asked;
	if (to <= from || __atomic_load_n(&refused, __ATOMIC_RELAXED))
		return;
	if (populate((void *)from, to - from) == 0) {
		pthread_mutex_lock(&mu);
		stats.done++;
		stats.bytes += to - from;
		pthread_mutex_unlock(&mu);
	}
	heap_asked = to;
}

static void *ahead_main(void *arg)
{
	struct request r;
	int rc;

	(void)arg;
	heap_ahead(CF_AHEAD_HEAP_START);
	pthread_mutex_lock(&mu);
	for (;;) {
		while (n_queued == 0 && !stopping)
			pthread_cond_wait(&wake, &mu);
		if (stopping)
			break;
		r = queue[0];
		memmove(queue, queue + 1, --n_queued * sizeof(queue[0]));
		busy = r.a;
		pthread_mutex_unlock(&mu);
		rc = populate(r.p, r.len);
		heap_ahead(CF_AHEAD_HEAP);
		pthread_mutex_lock(&mu);
		busy = NULL;
		if (rc == 0) {
			stats.done++;
			stats.bytes += r.len;
		}
		pthread_cond_broadcast(&idle);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

static unsigned cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return (unsigned)CPU_COUNT(&set);
}

int cf_ahead_start(void)
{
	int rc = 0;

	pthread_mutex_lock(&mu);
	if (!running) {
		/* on one CPU the thread would take the reading thread's time */
		if (cpus() < 2 || pthread_create(&thread, NULL, ahead_main, NULL) != 0)
			rc = -1;
		else
			running = 1;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

void cf_ahead_stop(void)
{
	pthread_mutex_lock(&mu);
	if (!running) {
		pthread_mutex_unlock(&mu);
		return;
	}
	stopping = 1;
	n_queued = 0;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	pthread_mutex_lock(&mu);
	running = 0;
	stopping = 0;
	pthread_mutex_unlock(&mu);
}

void cf_ahead_watch(struct cf_ahead *a, void *base, size_t n, size_t elem, size_t front)
{
	int on;

	pthread_mutex_lock(&mu);
	on = running && !stopping;
	pthread_mutex_unlock(&mu);
	memset(a, 0, sizeof(*a));
	a->elem = elem > 0 ? elem : 1;
	a->mark = SIZE_MAX;
	if (base == NULL || !on || n == 0 || elem > SIZE_MAX / n)
		return;
	a->base = base;
	a->bytes = n * elem;
	a->front = front < a->bytes ? front : a->bytes;
	a->mark = 0;                    /* the first entry asks for the front */
}

void cf_ahead_ask(struct cf_ahead *a, size_t used)
{
	size_t target;

	if (a->base == NULL || __atomic_load_n(&refused, __ATOMIC_RELAXED)) {
		a->mark = SIZE_MAX;
		return;
	}
	/* the front, whole; then the next whole huge page past used +
	   CF_AHEAD_BYTES: base + front is on a 2 MiB boundary (prefault.h) */
	if (a->asked < a->front) {
		target = a->front;
	} else {
		target = used + CF_AHEAD_BYTES;
		if (target > a->asked)
			target = a->asked + ((target - a->asked + HUGE_2M - 1) & ~(HUGE_2M - 1));
		if (target > a->bytes)
			target = a->bytes;
	}
	if (target <= a->asked) {
		a->mark = a->asked >= a->bytes ? SIZE_MAX :
			  a->asked > CF_AHEAD_BYTES ? a->asked - CF_AHEAD_BYTES : used;
		return;
	}
	if (pthread_mutex_trylock(&mu) != 0)
		return;                 /* asked again at the next entry */
	if (!running || stopping) {
		a->mark = SIZE_MAX;
	} else if (n_queued == QUEUE) {
		stats.dropped++;
	} else {
		queue[n_queued].a = a;
		queue[n_queued].p = a->base + a->asked;
		queue[n_queued].len = target - a->asked;
		n_queued++;
		a->asked = target;
		a->mark = target >= a->bytes ? SIZE_MAX :
			  target == a->front ? a->front - a->front / 4 : target - CF_AHEAD_BYTES;
		pthread_cond_signal(&wake);
	}
	pthread_mutex_unlock(&mu);
}

void cf_ahead_forget(struct cf_ahead *a)
{
	unsigned i, j;

	if (a->base == NULL)
		return;
	pthread_mutex_lock(&mu);
	for (i = j = 0; i < n_queued; i++)
		if (queue[i].a != a)
			queue[j++] = queue[i];
	n_queued = j;
	while (busy == a)
		pthread_cond_wait(&idle, &mu);
	pthread_mutex_unlock(&mu);
	a->base = NULL;
	a->mark = SIZE_MAX;
}

void cf_ahead_stats(struct cf_ahead_stats *st)
{
	pthread_mutex_lock(&mu);
	*st = stats;
	pthread_mutex_unlock(&mu);
}
