/*
 * fuzz-util.h - shared by the libFuzzer targets in tests/fuzz.
 *
 * FZ_CHECK states an invariant of the code under test; a broken one
 * aborts, which libFuzzer reports as a crash and saves the input, just as
 * it does for a sanitizer report.
 */
#ifndef CF_FUZZ_UTIL_H
#define CF_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant broken: %s\n", \
			__FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Is the NUL-terminated array s of cap bytes terminated inside? */
static inline int fz_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* Read every byte of a C string (lets ASan check it) and return its length. */
static inline size_t fz_touch(const char *s)
{
	volatile size_t n = strlen(s);

	return n;
}

#endif /* CF_FUZZ_UTIL_H */
