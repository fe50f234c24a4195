/*
 * prefault.h - touch freshly allocated zeroed memory by writing it.
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

#endif /* CF_PREFAULT_H */
