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
 * nothing (the kernel backs a huge page when it is first touched).  The
 * size is kept in front for cf_big_free.
 */
static inline void *cf_big_alloc(size_t n, size_t size)
{
	size_t bytes;
	uint8_t *p;

	if (n != 0 && size > (SIZE_MAX - 64) / n)
		return NULL;
	bytes = n * size + 64;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	memcpy(p, &bytes, sizeof(bytes));
	return p + 64;
}

static inline void cf_big_free(void *q)
{
	uint8_t *p = q;
	size_t bytes;

	if (p == NULL)
		return;
	p -= 64;
	memcpy(&bytes, p, sizeof(bytes));
	munmap(p, bytes);
}

#endif /* CF_PREFAULT_H */
