/*
 * hash.h - FNV-1a, the one string and byte hash of callfence (tables of
 * names, catalog hosts, alert keys, address mixing).  Callers that need a
 * better spread finish with their own avalanche step.
 */
#ifndef CF_HASH_H
#define CF_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CF_FNV32_BASIS 2166136261u
#define CF_FNV32_PRIME 16777619u
#define CF_FNV64_BASIS 14695981039346656037ull
#define CF_FNV64_PRIME 1099511628211ull

/* One step: h folded with one byte. */
static inline uint32_t cf_fnv32_step(uint32_t h, uint8_t b)
{
	return (h ^ b) * CF_FNV32_PRIME;
}

static inline uint64_t cf_fnv64_step(uint64_t h, uint8_t b)
{
	return (h ^ b) * CF_FNV64_PRIME;
}

/* FNV-1a of a NUL-terminated string. */
static inline uint32_t cf_fnv32_str(const char *s)
{
	uint32_t h = CF_FNV32_BASIS;

	while (*s)
		h = cf_fnv32_step(h, (uint8_t)*s++);
	return h;
}

/* FNV-1a of n bytes, from seed h (CF_FNV32_BASIS to start). */
static inline uint32_t cf_fnv32_bytes(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = cf_fnv32_step(h, *b++);
	return h;
}

#endif /* CF_HASH_H */
