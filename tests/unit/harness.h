/*
 * harness.h - a tiny unit-test harness: CHECK* record a failure with file
 * and line and carry on; the test program exits 1 if anything failed.
 *
 *   #include "harness.h"
 *   static void test_x(void) { CHECK_INT(1 + 1, 2); }
 *   int main(void) { RUN(test_x); return harness_done(); }
 */
#ifndef CF_HARNESS_H
#define CF_HARNESS_H

#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int harness_failed, harness_checks;

#define CHECK(cond) do { harness_checks++; if (!(cond)) { harness_failed++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_INT(got, want) do { long long g_ = (long long)(got), w_ = (long long)(want); \
	harness_checks++; if (g_ != w_) { harness_failed++; \
	fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); } } while (0)

#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); \
	harness_checks++; if (!g_ || !w_ || strcmp(g_, w_) != 0) { harness_failed++; \
	fprintf(stderr, "%s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got, \
		g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } } while (0)

#define RUN(fn) do { int before_ = harness_failed; fn(); \
	fprintf(stderr, "%s %s\n", harness_failed == before_ ? "ok  " : "FAIL", #fn); } while (0)

static inline int harness_done(void)
{
	fprintf(stderr, "%d checks, %d failed\n", harness_checks, harness_failed);
	return harness_failed ? 1 : 0;
}

/* xorshift64: a repeatable stream for the randomised tests (*state not 0). */
static inline uint64_t harness_rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Below n (n > 0), from the same stream. */
static inline unsigned harness_below(uint64_t *state, unsigned n)
{
	return (unsigned)(harness_rnd(state) % n);
}

#endif /* CF_HARNESS_H */
