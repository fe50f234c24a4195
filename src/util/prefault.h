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

static inline void *cf_big_alloc(size_t n, size_t size)
{
	size_t bytes, len, lead;
	uint8_t *p, *q;

	if (n != 0 && size > (SIZE_MAX - 2 * CF_BIG_PAGE) / n)
		return NULL;
	bytes = n * size;
	if (bytes < CF_BIG_PAGE) {
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
	if (((bytes + CF_BIG_PAGE - 1) & ~(CF_BIG_PAGE - 1)) - bytes <= CF_BIG_PAGE / 8)
		bytes = (bytes + CF_BIG_PAGE - 1) & ~(CF_BIG_PAGE - 1);
	else
		bytes = (bytes + 4095) & ~(size_t)4095;
	len = bytes + CF_BIG_PAGE;      /* room for the size page and the alignment */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	q = (uint8_t *)(((uintptr_t)p + 4096 + CF_BIG_PAGE - 1) & ~(uintptr_t)(CF_BIG_PAGE - 1));
	lead = (size_t)(q - 4096 - p);
	if (lead > 0)
		munmap(p, lead);        /* what lies below the size page */
	if (len - lead > bytes + 4096)
		munmap(q + bytes, len - lead - bytes - 4096);
	p = q - 4096;
	len = bytes + 4096;
#ifdef MADV_HUGEPAGE
	(void)madvise(q, bytes, MADV_HUGEPAGE);
#endif
	memcpy(p, &len, sizeof(len));
	memcpy(p + sizeof(len), &p, sizeof(p));
	return q;
}

/* The same for a table filled from its front (the flow table's entries):
 * its first 2 MiB stay in 4 KiB pages, so that the few flows of a short
 * run or of one of several workers take the pages they use and not a
 * whole huge page. */
static inline void *cf_big_alloc_front(size_t n, size_t size)
{
	void *q = cf_big_alloc(n, size);

#ifdef MADV_NOHUGEPAGE
	if (q != NULL && n * size >= CF_BIG_PAGE)
		(void)madvise(q, CF_BIG_PAGE, MADV_NOHUGEPAGE);
#endif
	return q;
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
