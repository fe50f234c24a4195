/*
 * prefault.h - big zeroed tables: huge pages, and touched once at the start.
 *
 * calloc'd or mmap'd memory is backed by the shared zero page until it is
 * written.  A table that is read before it is written (a cache slot
 * probed, then filled) first maps the zero page, then takes a
 * copy-on-write fault on the write, and that fault must flush the TLB of
 * every CPU running another thread of the process: an interrupt between
 * processors for each page, which --threads showed in its profiles.
 * Writing each page once at allocation time backs it with memory at once
 * (the table counts in the resident size from the start, as it would
 * anyway once the traffic has filled it).  Only the first CF_PREFAULT_MAX
 * bytes of a table are touched: a cache sized far beyond the traffic
 * (--geo-cache 100000000) must not take its whole size at start.
 */
#ifndef CF_PREFAULT_H
#define CF_PREFAULT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define CF_PREFAULT_MAX ((size_t)64 << 20)

static inline void cf_prefault(void *p, size_t bytes)
{
	volatile unsigned char *b = p;
	size_t i;

	if (b == NULL)
		return;
	if (bytes > CF_PREFAULT_MAX)
		bytes = CF_PREFAULT_MAX;
#ifdef MADV_POPULATE_WRITE
	{
		uintptr_t lo = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
		uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;

		if (hi > lo && madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) == 0) {
			b[0] = 0;
			b[bytes - 1] = 0;
			return;
		}
	}
#endif
	for (i = 0; i < bytes; i += 4096)
		b[i] = 0;               /* already 0: the write is what counts */
	if (bytes > 0)
		b[bytes - 1] = 0;
}

/*
 * Big tables looked up at random (the flow table's entries and index, the
 * reader's flow table of --threads): zeroed pages from mmap, advised to be
 * backed by transparent huge pages.  With 4 KiB pages nearly every lookup
 * also missed the TLB (a page walk on top of the cache miss); 2 MiB pages
 * cover a table with a handful of TLB entries.  Untouched pages still cost
 * nothing (the kernel backs a huge page when it is first touched).
 *
 * A table of 2 MiB or more starts on a 2 MiB boundary: the kernel backs
 * only whole aligned 2 MiB ranges with huge pages, and an mmap of a size
 * that is not a multiple of 2 MiB need not be aligned, which left up to
 * 2 MiB at each end of a table in 4 KiB pages (512 page faults each when
 * prefaulted: a fifth of a short run's start-up faults).  The mapping's
 * size is kept in a 4 KiB page of its own just below the table, so that a
 * table of exactly 2^k bytes ends where its last huge page ends.
 */
#define CF_BIG_PAGE ((size_t)2 << 20)
#define CF_BIG_FRONT ((size_t)256 << 10)

/*
 * n x size zeroed bytes as above; the first front bytes (0 or a multiple
 * of 4 KiB under 2 MiB) lie just below a 2 MiB boundary, in 4 KiB pages
 * (the 2 MiB range they are in is not all the table's, so the kernel
 * cannot back it with one huge page), the rest from that boundary on.
 */
static inline void *cf_big_map(size_t n, size_t size, size_t front)
{
	size_t bytes, rest, len, lead, tail;
	uint8_t *p, *q, *edge;

	if (n != 0 && size > (SIZE_MAX - 2 * CF_BIG_PAGE) / n)
		return NULL;
	bytes = n * size;
	if (bytes < CF_BIG_PAGE + front) {
		len = bytes + 4096;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		memcpy(p, &len, sizeof(len));
		memcpy(p + sizeof(len), &p, sizeof(p));
		return p + 4096;
	}
	/* whole huge pages when that adds little: a prefaulted table of
	   10 MB less 40 KiB would otherwise end in 2 MiB of 4 KiB pages
	   (what the rounding adds to the resident size is the rest of its
	   last huge page, once touched); a table 1 MiB short of it keeps
	   its 4 KiB tail */
	rest = bytes - front;
	if (((rest + CF_BIG_PAGE - 1) & ~(CF_BIG_PAGE - 1)) - rest <= CF_BIG_PAGE / 8)
		rest = (rest + CF_BIG_PAGE - 1) & ~(CF_BIG_PAGE - 1);
	else
		rest = (rest + 4095) & ~(size_t)4095;
	bytes = front + rest;
	len = bytes + 4096 + CF_BIG_PAGE;      /* room for the size page and the alignment */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	edge = (uint8_t *)(((uintptr_t)p + 4096 + front + CF_BIG_PAGE - 1) &
			   ~(uintptr_t)(CF_BIG_PAGE - 1));
	q = edge - front;
	lead = (size_t)(q - 4096 - p);
	if (lead > 0)
		munmap(p, lead);        /* what lies below the size page */
	tail = len - lead - bytes - 4096;
	if (tail > 0)
		munmap(q + bytes, tail);
	p = q - 4096;
	len = bytes + 4096;
#ifdef MADV_HUGEPAGE
	(void)madvise(edge, rest, MADV_HUGEPAGE);
#endif
	memcpy(p, &len, sizeof(len));
	memcpy(p + sizeof(len), &p, sizeof(p));
	return q;
}

static inline void *cf_big_alloc(size_t n, size_t size)
{
	return cf_big_map(n, size, 0);
}

/* The same for a table filled from its front (the flow table's entries,
 * the calls, the RTT state by flow): its first CF_BIG_FRONT bytes in
 * 4 KiB pages, so that the few flows of a short run or of one of several
 * workers take the pages they use and not a whole huge page, and the rest
 * on huge pages, so that a run of thousands of flows does not fault 4 KiB
 * at a time (each fault costs some 13 us on the VMs measured: the earlier
 * first 2 MiB in 4 KiB pages were 512 faults a table, ~1,500 of a run's
 * ~2,900 on the real mix). */
static inline void *cf_big_alloc_front(size_t n, size_t size)
{
	return cf_big_map(n, size, CF_BIG_FRONT);
}

static inline void cf_big_free(void *q)
{
	uint8_t *p = q, *base;
	size_t len;

	if (p == NULL)
		return;
	p -= 4096;
	memcpy(&len, p, sizeof(len));
	memcpy(&base, p + sizeof(len), sizeof(base));
	munmap(base, len);
}

#endif /* CF_PREFAULT_H */
