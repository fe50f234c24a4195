/*
 * ahead.h - tables filled from their front, backed ahead of the filling by
 * a thread of their own.
 *
 * On the virtual machines callfence was measured on, memory a process
 * writes for the first time is dear: a 2 MiB huge page costs 0.2-4 ms to
 * back (the kernel clears it; clear_page was 5-9% of a one-thread run of
 * the real-traffic mix), a 4 KiB page 10-13 us.  A table filled from its
 * front (the flows, the calls, the RTT state by flow: prefault.h's
 * cf_big_alloc_front) takes those costs on the reading thread, each time
 * its filling reaches a page not yet backed.  A run reading capture files
 * on a machine with a second CPU has that CPU mostly idle; the thread
 * here backs the next 2 MiB of such a table (MADV_POPULATE_WRITE: nothing
 * is written, the pages are only backed) while the reading thread is
 * still filling the one before, so that it meets pages already there.
 *
 * The owner of a table calls cf_ahead_touch with each entry it takes for
 * the first time (a compare, and a request every 2 MiB of filling): its
 * first entry asks for the table's front (256 KiB in 4 KiB pages: one
 * system call on the thread instead of 64 faults on the owner's), three
 * quarters of the front ask for the first huge page, and so on, a huge
 * page at a time, whenever the filling comes within CF_AHEAD_BYTES of
 * what is backed: at most 2.5 MiB past the filling, in each table.
 * Without the thread (cf_ahead_start not called, or it failed, or a
 * kernel without MADV_POPULATE_WRITE) nothing changes: the filling backs
 * its pages itself, as before.
 */
#ifndef CF_AHEAD_H
#define CF_AHEAD_H

#include <stddef.h>

#define CF_AHEAD_BYTES ((size_t)512 << 10)   /* a table's lead */
#define CF_AHEAD_HEAP_START ((size_t)6 << 20) /* the heap's, at the start */
#define CF_AHEAD_HEAP ((size_t)2 << 20)       /* the heap's, then */

struct cf_ahead {
	unsigned char *base;           /* the table (NULL: not watched) */
	size_t bytes;                  /* its length */
	size_t elem;                   /* an entry's size */
	size_t front;                  /* its first bytes, in 4 KiB pages */
	size_t asked;                  /* bytes [0, asked) backed or asked for */
	size_t mark;                   /* filling past this asks for more */
};

/*
 * Start the thread; 0 when it runs (or already ran), -1 when it cannot
 * (then cf_ahead_touch never asks).  Called in the main thread before
 * any table is watched.
 */
int cf_ahead_start(void);

/* Stop the thread (waits for it; what is asked and not yet done is
 * dropped).  Idempotent. */
void cf_ahead_stop(void);

/*
 * Watch table base of n entries of elem bytes, whose first front bytes
 * (prefault.h's CF_BIG_FRONT: 4 KiB pages) are left to the filling.
 * base NULL, or no thread: a watch that never asks.
 */
void cf_ahead_watch(struct cf_ahead *a, void *base, size_t n, size_t elem, size_t front);

/* Before the table is freed: drops its requests, waits while one is done. */
void cf_ahead_forget(struct cf_ahead *a);

void cf_ahead_ask(struct cf_ahead *a, size_t used);

/* Entry i is taken for the first time (or again: only the highest counts). */
static inline void cf_ahead_touch(struct cf_ahead *a, size_t i)
{
	if ((i + 1) * a->elem > a->mark)
		cf_ahead_ask(a, (i + 1) * a->elem);
}

/* What the thread did (tests, the report): requests done, bytes backed,
 * requests dropped for a full queue. */
struct cf_ahead_stats {
	unsigned long long done, bytes, dropped;
};
void cf_ahead_stats(struct cf_ahead_stats *st);

#endif /* CF_AHEAD_H */
