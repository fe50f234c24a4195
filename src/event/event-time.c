/*
 * event-time.c - event times: microseconds since the epoch written as
 * "2021-05-04T09:12:03.118Z".  Events of one second share
 * "YYYY-MM-DDTHH:MM:SS.": it is formatted once per second and thread
 * (gmtime_r and snprintf are most of the cost) and only the milliseconds
 * are written per call.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event/event.h"

static _Thread_local struct {
	time_t sec;
	int valid;              /* sec/prefix hold a formatted second */
	size_t len;
	char prefix[64];
} tcache;

void cf_event_time(uint64_t ts_us, char *buf, size_t len)
{
	time_t sec = (time_t)(ts_us / 1000000);
	unsigned ms = (unsigned)(ts_us / 1000 % 1000);
	char out[sizeof(tcache.prefix) + 8];
	struct tm tm;
	size_t n;
	int w;

	if (len == 0)
		return;
	if (!tcache.valid || tcache.sec != sec) {
		if (gmtime_r(&sec, &tm) == NULL) {
			buf[0] = '\0';
			return;
		}
		w = snprintf(tcache.prefix, sizeof(tcache.prefix),
			     "%04d-%02d-%02dT%02d:%02d:%02d.",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (w < 0 || (size_t)w >= sizeof(tcache.prefix)) {
			tcache.valid = 0;
			buf[0] = '\0';
			return;
		}
		tcache.len = (size_t)w;
		tcache.sec = sec;
		tcache.valid = 1;
	}
	n = tcache.len;
	memcpy(out, tcache.prefix, n);
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
