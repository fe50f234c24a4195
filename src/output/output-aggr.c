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
 * summary alert goes out if any were held back: the last held-back alert
 * with callfence.alert_count = how many it stands for.  Every alert is
 * thus in exactly one event, and the sum of callfence.alert_count (1 when
 * absent) over alerts is the number raised.
 *
 * Folding works on numbers, never on the line: the event stage gives each
 * alert's packet time in microseconds, its fold key as bytes, and its
 * record, which is opaque here, with the function that renders it
 * (struct cf_event_info).  A window keeps its first and last times, the
 * count, and a copy of the last held-back record; the summary is that
 * record rendered once, by the event stage's function, with these final
 * numbers (struct cf_alert_fold).
 * The copy lives in a buffer of the window that only grows.
 *
 * At most MAX_WINDOWS keys are open; past that, alerts pass unfolded.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "output/output-int.h"
#include "util/hash.h"

#define NBUCKETS 1024
#define MAX_WINDOWS 65536

struct win {
	struct win *next;
	unsigned char *key;
	size_t keylen;
	uint64_t start_us;      /* packet time of the alert that opened it */
	uint64_t last_us;       /* packet time of the last one held back */
	double opened;          /* out_now() when it opened */
	uint64_t folded;        /* alerts held back */
	void *rec;              /* the last one's record */
	size_t len, cap;
	cf_alert_render_fn render;
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

void aggr_note_time(struct aggr *a, uint64_t ts_us)
{
	if (ts_us > a->now_us)
		a->now_us = ts_us;
}

static unsigned hash(const void *key, size_t len)
{
	return cf_fnv32_bytes(CF_FNV32_BASIS, key, len) % NBUCKETS;
}

/* The held-back alert, rendered with its count. */
static void emit_summary(struct win *w, aggr_emit_fn emit, void *ctx)
{
	struct cf_alert_fold fold = { w->start_us, w->last_us, w->folded };
	struct cf_event_info ev;
	const char *line;
	size_t len;

	if (w->folded == 0 || w->render(w->rec, w->len, &fold, &line, &len) < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_ALERT;
	ev.severity = w->severity;
	emit(ctx, line, len, &ev);
}

static void win_free(struct win *w)
{
	free(w->key);
	free(w->rec);
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

static int hold(struct win *w, const struct cf_event_info *ev)
{
	void *nb;

	if (ev->rec_len > w->cap) {
		nb = realloc(w->rec, ev->rec_len);
		if (nb == NULL)
			return -1;
		w->rec = nb;
		w->cap = ev->rec_len;
	}
	memcpy(w->rec, ev->rec, ev->rec_len);
	w->len = ev->rec_len;
	w->render = ev->render;
	w->severity = ev->severity;
	w->last_us = ev->ts_us;
	w->folded++;
	return 0;
}

static void open_win(struct aggr *a, const struct cf_event_info *ev, unsigned h)
{
	struct win *w;

	if (a->count >= MAX_WINDOWS || (w = calloc(1, sizeof(*w))) == NULL)
		return;
	w->key = malloc(ev->fold_key_len);
	if (w->key == NULL) {
		free(w);
		return;
	}
	memcpy(w->key, ev->fold_key, ev->fold_key_len);
	w->keylen = ev->fold_key_len;
	w->start_us = w->last_us = ev->ts_us;
	w->opened = out_now();
	w->next = a->b[h];
	a->b[h] = w;
	a->count++;
}

static struct win **find(struct aggr *a, const struct cf_event_info *ev, unsigned h)
{
	struct win **pp;

	for (pp = &a->b[h]; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->keylen == ev->fold_key_len &&
		    memcmp((*pp)->key, ev->fold_key, ev->fold_key_len) == 0)
			break;
	return pp;
}

int aggr_alert(struct aggr *a, const struct cf_event_info *ev,
	       aggr_emit_fn emit, void *ctx)
{
	struct win **pp;
	unsigned h;

	if (ev->ts_us == 0 || ev->fold_key_len == 0 || ev->rec == NULL || ev->render == NULL)
		return 0;
	h = hash(ev->fold_key, ev->fold_key_len);
	pp = find(a, ev, h);
	if (*pp != NULL && ev->ts_us < (*pp)->start_us + a->window_us) {
		if (hold(*pp, ev) < 0)
			return 0;
		a->folded_total++;
		return 1;
	}
	if (*pp != NULL)
		close_win(a, pp, emit, ctx);
	if (a->count >= MAX_WINDOWS)
		aggr_expire(a, ev->ts_us, 0, emit, ctx);
	open_win(a, ev, h);
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
