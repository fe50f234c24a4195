/*
 * event-time.c - event times: microseconds since the epoch written as
 * "2021-05-04T09:12:03.118Z".  Events of one day share "YYYY-MM-DDT":
 * it is formatted once per day and thread (gmtime_r and snprintf were
 * most of the cost, and the flows and calls written at the end of a
 * capture name every second of it), the time of day is written digit
 * by digit, and the last two seconds are kept whole
 * ("YYYY-MM-DDTHH:MM:SS.") for the times of the same seconds that follow
 * (most of them in a busy capture, and a flow record's end after its
 * start): they add only their milliseconds.  UTC has no leap seconds in
 * time_t: a day is 86,400 s.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event/event-int.h"

static _Thread_local struct {
	int64_t day;            /* days since the epoch of prefix */
	int valid;              /* day/prefix hold a formatted date */
	size_t len;
	char prefix[EV_TIME_MAX - 13];
	/* two seconds: a flow record names its last second, its first, its last */
	struct sec_text {
		uint64_t sec;           /* the second of text */
		int valid;              /* sec/text hold a formatted second */
		size_t len;
		char text[EV_TIME_MAX]; /* "YYYY-MM-DDTHH:MM:SS." */
	} s[2];
	int next;               /* the one to take the next second */
} tcache;

static void two(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DDT" of day into tcache.prefix: 0, or -1. */
static int take_day(int64_t day)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	int w;

	tcache.valid = 0;
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	w = snprintf(tcache.prefix, sizeof(tcache.prefix), "%04d-%02d-%02dT",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (w < 0 || (size_t)w >= sizeof(tcache.prefix))
		return -1;
	tcache.len = (size_t)w;
	tcache.day = day;
	tcache.valid = 1;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS." of sec into t: 0, or -1. */
static int take_second(struct sec_text *t, uint64_t sec)
{
	int64_t day = (int64_t)(sec / 86400);
	unsigned sod = (unsigned)(sec % 86400);
	char *o = t->text;
	size_t n;

	t->valid = 0;
	if ((!tcache.valid || tcache.day != day) && take_day(day) < 0)
		return -1;
	n = tcache.len;
	memcpy(o, tcache.prefix, n);
	two(o + n, sod / 3600);
	o[n + 2] = ':';
	two(o + n + 3, sod / 60 % 60);
	o[n + 5] = ':';
	two(o + n + 6, sod % 60);
	o[n + 8] = '.';
	t->len = n + 9;
	t->sec = sec;
	t->valid = 1;
	return 0;
}

size_t ev_time_fmt(uint64_t ts_us, char out[EV_TIME_MAX])
{
	uint64_t sec = ts_us / 1000000;
	unsigned ms = (unsigned)(ts_us / 1000 % 1000);
	struct sec_text *t = &tcache.s[0];
	size_t n;

	if (!t->valid || t->sec != sec) {
		t = &tcache.s[1];
		if (!t->valid || t->sec != sec) {
			t = &tcache.s[tcache.next];
			tcache.next ^= 1;
			if (take_second(t, sec) < 0)
				return 0;
		}
	}
	memcpy(out, t->text, EV_TIME_MAX);
	n = t->len;
	out[n] = (char)('0' + ms / 100);
	out[n + 1] = (char)('0' + ms / 10 % 10);
	out[n + 2] = (char)('0' + ms % 10);
	out[n + 3] = 'Z';
	return n + 4;
}

void cf_event_time(uint64_t ts_us, char *buf, size_t len)
{
	char out[EV_TIME_MAX];
	size_t n;

	if (len == 0)
		return;
	n = ev_time_fmt(ts_us, out);
	/* as snprintf would: cut to len - 1 bytes */
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}
