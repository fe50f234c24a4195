/*
 * output-aggr.c - --alert-window SECONDS: fold repeated alerts.
 *
 * The engine already raises one alert per (flow, rule).  A call makes many
 * flows between the same two hosts (one per media stream, per ICE
 * candidate, per reconnection), so with a window the first alert of a
 * (rule.id, source.ip, destination.ip) goes out at once and opens a window
 * of SECONDS (packet time); later alerts of that key inside the window are
 * held back and counted.  When the window ends (packet time or wall time
 * past it, seen at a poll or a later alert, or the flush at exit) one
 * summary alert goes out if any were held back: the last held-back alert with callfence.alert_count = how many it
 * stands for.  Every alert is thus in exactly one event, and the sum of
 * callfence.alert_count (1 when absent) over alerts is the number raised.
 *
 * At most MAX_WINDOWS keys are open; past that, alerts pass unfolded.
 */
#define _GNU_SOURCE             /* memmem, timegm */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/output-int.h"
#include "util/hash.h"

#define NBUCKETS 1024
#define MAX_WINDOWS 65536

struct win {
	struct win *next;
	char *key;
	uint64_t start_us;
	double opened;          /* out_now() when it opened */
	uint64_t folded;        /* alerts held back */
	char *line;             /* the last one */
	size_t len, cap;
	int severity;
};

struct aggr {
	uint64_t window_us;
	uint64_t now_us;        /* newest event time noted */
	struct win *b[NBUCKETS];
	size_t count;
	uint64_t folded_total;
};

struct aggr *aggr_new(unsigned window_s)
{
	struct aggr *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->window_us = (uint64_t)window_s * 1000000u;
	return a;
}

uint64_t aggr_parse_time(const char *s)
{
	int y, mo, d, h, mi, sec, ms;
	struct tm tm;
	time_t t;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &y, &mo, &d, &h,
				&mi, &sec, &ms) != 7)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t < 0)
		return 0;
	return (uint64_t)t * 1000000u + (uint64_t)ms * 1000u;
}

void aggr_note_time(struct aggr *a, const char *timestamp)
{
	uint64_t t = aggr_parse_time(timestamp);

	if (t > a->now_us)
		a->now_us = t;
}

static unsigned hash(const char *s)
{
	return cf_fnv32_str(s) % NBUCKETS;
}

/* "rule\x1fsource\x1fdestination", or NULL when a part is missing. */
static char *make_key(const struct cf_event_info *ev)
{
	size_t n;
	char *k;

	if (ev->rule_id == NULL || ev->source_ip == NULL || ev->dest_ip == NULL)
		return NULL;
	n = strlen(ev->rule_id) + strlen(ev->source_ip) + strlen(ev->dest_ip) + 3;
	k = malloc(n);
	if (k != NULL)
		snprintf(k, n, "%s\x1f%s\x1f%s", ev->rule_id, ev->source_ip, ev->dest_ip);
	return k;
}

/* The held-back alert with "alert_count":N put in its callfence object. */
static void emit_summary(struct win *w, aggr_emit_fn emit, void *ctx)
{
	static const char pat[] = "\"callfence\":{";
	struct cf_event_info ev;
	char num[48], *out, *at;
	size_t nl, pos;

	if (w->folded == 0 || w->len < 2)
		return;
	at = memmem(w->line, w->len, pat, sizeof(pat) - 1);
	if (at != NULL) {
		pos = (size_t)(at - w->line) + sizeof(pat) - 1;
		nl = (size_t)snprintf(num, sizeof(num), "\"alert_count\":%llu%s",
				      (unsigned long long)w->folded, at[sizeof(pat) - 1] == '}' ? "" : ",");
	} else {                /* no callfence object: add one at the end */
		pos = w->len - 1;
		nl = (size_t)snprintf(num, sizeof(num), ",\"callfence\":{\"alert_count\":%llu}",
				      (unsigned long long)w->folded);
	}
	out = malloc(w->len + nl);
	if (out == NULL)
		return;
	memcpy(out, w->line, pos);
	memcpy(out + pos, num, nl);
	memcpy(out + pos + nl, w->line + pos, w->len - pos);
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_ALERT;
	ev.severity = w->severity;
	emit(ctx, out, w->len + nl, &ev);
	free(out);
}

static void win_free(struct win *w)
{
	free(w->key);
	free(w->line);
	free(w);
}

/* Unlink *pp (a window), emit its summary, free it. */
static void close_win(struct aggr *a, struct win **pp, aggr_emit_fn emit, void *ctx)
{
	struct win *w = *pp;

	*pp = w->next;
	a->count--;
	emit_summary(w, emit, ctx);
	win_free(w);
}

static int hold(struct win *w, const char *line, size_t len, int severity)
{
	char *nb;

	if (len > w->cap) {
		nb = realloc(w->line, len);
		if (nb == NULL)
			return -1;
		w->line = nb;
		w->cap = len;
	}
	memcpy(w->line, line, len);
	w->len = len;
	w->severity = severity;
	w->folded++;
	return 0;
}

static void open_win(struct aggr *a, char *key, unsigned h, uint64_t ts)
{
	struct win *w;

	if (a->count >= MAX_WINDOWS || (w = calloc(1, sizeof(*w))) == NULL) {
		free(key);
		return;
	}
	w->key = key;
	w->start_us = ts;
	w->opened = out_now();
	w->next = a->b[h];
	a->b[h] = w;
	a->count++;
}

int aggr_alert(struct aggr *a, const char *line, size_t len,
	       const struct cf_event_info *ev, aggr_emit_fn emit, void *ctx)
{
	uint64_t ts = aggr_parse_time(ev->timestamp);
	char *key = make_key(ev);
	struct win **pp;
	unsigned h;

	if (ts == 0 || key == NULL) {
		free(key);
		return 0;
	}
	h = hash(key);
	for (pp = &a->b[h]; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			break;
	if (*pp != NULL && ts < (*pp)->start_us + a->window_us) {
		free(key);
		if (hold(*pp, line, len, ev->severity) < 0)
			return 0;
		a->folded_total++;
		return 1;
	}
	if (*pp != NULL)
		close_win(a, pp, emit, ctx);
	if (a->count >= MAX_WINDOWS)
		aggr_expire(a, ts, 0, emit, ctx);
	open_win(a, key, h, ts);
	return 0;
}

/*
 * A window ends when packet time has passed it, or when as much wall time
 * has: a quiet live network sends no event that would move packet time.
 */
void aggr_expire(struct aggr *a, uint64_t now_us, int all, aggr_emit_fn emit, void *ctx)
{
	double wall = out_now(), window_s = (double)a->window_us / 1e6;
	struct win **pp;
	size_t i;

	if (now_us == 0)
		now_us = a->now_us;
	for (i = 0; i < NBUCKETS; i++) {
		pp = &a->b[i];
		while (*pp != NULL) {
			if (all || now_us >= (*pp)->start_us + a->window_us ||
			    wall - (*pp)->opened >= window_s)
				close_win(a, pp, emit, ctx);
			else
				pp = &(*pp)->next;
		}
	}
}

uint64_t aggr_folded(const struct aggr *a)
{
	return a->folded_total;
}

void aggr_free(struct aggr *a)
{
	struct win *w, *next;
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++)
		for (w = a->b[i]; w != NULL; w = next) {
			next = w->next;
			win_free(w);
		}
	free(a);
}
