/*
 * heap.h - the process's malloc heap on transparent huge pages.
 */
#ifndef CF_HEAP_H
#define CF_HEAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Called first thing in main, before the tables are made.  Where the C
 * library is glibc and the kernel has transparent huge pages: every thread
 * allocates from the one main arena (M_ARENA_MAX 1), and the heap is grown by bytes at once, advised to be backed by
 * 2 MiB pages, and never trimmed back.  Nothing is touched: the heap's
 * resident size is what the run writes, in 2 MiB steps.  Returns the bytes
 * advised (0: nothing done).
 */
#define CF_HEAP_BYTES ((size_t)64 << 20)     /* what main advises */

size_t cf_heap_setup(size_t bytes);

/* The range cf_heap_setup advised, [*lo, *hi); 0 when none. */
int cf_heap_range(uintptr_t *lo, uintptr_t *hi);

/* Where the heap's free top starts now (glibc: the break less the top
 * chunk mallinfo2 reports; it takes the heap's lock), 0 unknown. */
uintptr_t cf_heap_top(void);

#endif /* CF_HEAP_H */
