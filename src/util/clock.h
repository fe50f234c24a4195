/*
 * clock.h - the monotonic clock, in microseconds (wall-clock jumps never
 * move it: timers, rates, the run's duration).
 */
#ifndef CF_CLOCK_H
#define CF_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t cf_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#endif /* CF_CLOCK_H */
