/*
 * event-time.c - event times: microseconds since the epoch written as
 * "2021-05-04T09:12:03.118Z".  Events of one day share "YYYY-MM-DDT":
 * it is formatted once per day and thread (gmtime_r and snprintf were
 * most of the cost, and the flows and calls written at the end of a
 * capture name every second of it), the time of day is written digit
 * by digit.  UTC has no leap seconds in time_t: a day is 86,400 s.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event/event.h"

static _Thread_local struct {
	int64_t day;            /* days since the epoch of prefix */
	int valid;              /* day/prefix hold a formatted date */
	size_t len;
	char prefix[64];
} tcache;

static void two(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

void cf_event_time(uint64_t ts_us, char *buf, size_t len)
{
	uint64_t sec = ts_us / 1000000;
	int64_t day = (int64_t)(sec / 86400);
	unsigned sod = (unsigned)(sec % 86400);
	unsigned ms = (unsigned)(ts_us / 1000 % 1000);
	char out[sizeof(tcache.prefix) + 16];
	struct tm tm;
	size_t n;
	int w;

	if (len == 0)
		return;
	if (!tcache.valid || tcache.day != day) {
		time_t t = (time_t)(day * 86400);

		if (gmtime_r(&t, &tm) == NULL) {
			buf[0] = '\0';
			return;
		}
		w = snprintf(tcache.prefix, sizeof(tcache.prefix), "%04d-%02d-%02dT",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		if (w < 0 || (size_t)w >= sizeof(tcache.prefix)) {
			tcache.valid = 0;
			buf[0] = '\0';
			return;
		}
		tcache.len = (size_t)w;
		tcache.day = day;
		tcache.valid = 1;
	}
	n = tcache.len;
	memcpy(out, tcache.prefix, n);
	two(out + n, sod / 3600);
	out[n + 2] = ':';
	two(out + n + 3, sod / 60 % 60);
	out[n + 5] = ':';
	two(out + n + 6, sod % 60);
	out[n + 8] = '.';
	n += 9;
	out[n++] = (char)('0' + ms / 100);
	out[n++] = (char)('0' + ms / 10 % 10);
	out[n++] = (char)('0' + ms % 10);
	out[n++] = 'Z';
	/* as snprintf would: cut to len - 1 bytes */
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}
