/*
 * heap.c - the malloc heap on transparent huge pages (heap.h).
 *
 * Why: each page a run touches for the first time costs a page fault, and
 * on the virtual machines callfence was measured on (2 vCPUs) a fault
 * costs some 13 us: a run on a real-traffic capture took ~7,000 of them,
 * half in the malloc heap (nDPI's buffers, the flows calls hold), 4 KiB at
 * a time.  A 2 MiB page costs one fault for 512 such pages.  glibc grows
 * its main heap with brk, a little at a time, and only advises huge pages
 * when told by the environment (GLIBC_TUNABLES=glibc.malloc.hugetlb=1),
 * which a program cannot set for itself; so the heap is grown once here,
 * by mallopt's documented knobs, and the range advised.
 *
 * How: M_TOP_PAD makes the next growth of the heap that large; small
 * blocks are taken until the break moves (the heap's free top may first
 * have to be used up), then given back; M_TRIM_THRESHOLD keeps free()
 * from handing the top back (which would also drop the advice); the
 * range from the first 2 MiB boundary after the old break to the new
 * break is advised MADV_HUGEPAGE.  M_ARENA_MAX 1 puts the worker threads
 * of --threads on the same heap (glibc would give each its own, grown
 * 4 KiB at a time by mprotect); they allocate a few times per flow, not
 * per packet.  Blocks of M_MMAP_THRESHOLD (128 KiB: fixed once any of
 * these is set) and more are still mappings of their own, zero pages
 * until written: the tables sized by --max-flows and the caches' sizes,
 * touched only where used, stay so (from the heap, calloc would clear
 * them whole).  Past the advised range the heap grows as before.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "util/heap.h"

#define HUGE_2M ((uintptr_t)2 << 20)
#define TAKE_MAX 64

static uintptr_t advised_lo, advised_hi;

int cf_heap_range(uintptr_t *lo, uintptr_t *hi)
{
	*lo = advised_lo;
	*hi = advised_hi;
	return advised_hi > advised_lo;
}

uintptr_t cf_heap_top(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 mi = mallinfo2();
	uintptr_t brk = (uintptr_t)sbrk(0);

	if (brk == (uintptr_t)-1 || mi.keepcost > brk)
		return 0;
	return brk - mi.keepcost;
#else
	return 0;
#endif
}

size_t cf_heap_setup(size_t bytes)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
	void *took[TAKE_MAX];
	uintptr_t lo, hi;
	char *brk0, *brk1;
	int n = 0, i;

	if (bytes < 4 * HUGE_2M)       /* (8 MiB) */
		return 0;
	(void)mallopt(M_ARENA_MAX, 1);
	(void)mallopt(M_TRIM_THRESHOLD, (int)(2 * bytes));
	(void)mallopt(M_TOP_PAD, (int)bytes);
	brk0 = sbrk(0);
	while (n < TAKE_MAX && (took[n] = malloc(64 << 10)) != NULL) {
		n++;
		if ((char *)sbrk(0) != brk0)
			break;
	}
	brk1 = sbrk(0);
	for (i = n - 1; i >= 0; i--)
		free(took[i]);
	(void)mallopt(M_TOP_PAD, 128 << 10);     /* glibc's default again */
	if (brk0 == (char *)-1 || brk1 == (char *)-1 || brk1 <= brk0)
		return 0;
	lo = ((uintptr_t)brk0 + HUGE_2M - 1) & ~(HUGE_2M - 1);
	hi = (uintptr_t)brk1 & ~(HUGE_2M - 1);
	if (hi <= lo || madvise((void *)lo, hi - lo, MADV_HUGEPAGE) != 0)
		return 0;
	advised_lo = lo;
	advised_hi = hi;
	return hi - lo;
#else
	(void)bytes;
	return 0;
#endif
}
