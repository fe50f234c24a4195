/*
 * intern.h - the intern table: refcounted shared copies of strings (a
 * flow's server name and evidence), so that every flow holding the same
 * bytes holds one pointer to one copy.
 *
 * Process-wide (every worker's classifier and flow table share it; a mutex
 * guards it).  An entry lives while a reference to it is held; the flow
 * table drops a flow's references when the flow ends, so a flood of
 * distinct server names is bounded by the flows, like the flows themselves.
 */
#ifndef CF_INTERN_H
#define CF_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct cf_intern_stats {
	uint64_t entries;           /* distinct strings held now */
	uint64_t peak;              /* most at once */
	uint64_t refs;              /* references held now */
	uint64_t bytes;             /* memory of the entries and the index */
	uint64_t alloc_fail;
	uint64_t names;             /* entries of the name table (names.h) */
};

/* A new reference to the interned copy of s (n bytes, NUL-terminated in
 * the copy); NULL when out of memory. */
const char *cf_intern_get(const char *s, size_t n);

/* Drop a reference cf_intern_get gave (NULL: nothing). */
void cf_intern_put(const char *s);

/* Point *slot at the interned s (n bytes; 0: NULL), dropping the reference
 * it held.  0, or -1 when out of memory (*slot is then NULL). */
int cf_intern_set(const char **slot, const char *s, size_t n);

void cf_intern_get_stats(struct cf_intern_stats *st);

#endif /* CF_INTERN_H */
