/*
 * calls-rows.c - the summary's row of every call written (reading capture
 * files): app, duration, flows, verdict, countries and operators
 * (event/report.h, struct cf_call_row).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "engine/calls-int.h"

/* Append s to the list "a,b" in buf (cap bytes) unless there; 0, or -1
 * when it does not fit. */
static int list_add(char *buf, size_t cap, const char *s, const char *sep)
{
	size_t n = strlen(buf), l = strlen(s), k = strlen(sep);
	const char *p = buf;

	if (l == 0)
		return 0;
	while ((p = strstr(p, s)) != NULL) {
		if ((p == buf || strncmp(p - k, sep, k) == 0) &&
		    (p[l] == '\0' || strncmp(p + l, sep, k) == 0))
			return 0;
		p += l;
	}
	if (n + (n ? k : 0) + l + 1 > cap)
		return -1;
	if (n)
		memcpy(buf + n, sep, k), n += k;
	memcpy(buf + n, s, l + 1);
	return 0;
}

/* The summary's row of call s (reading files; lock held). */
void cc_add_row(struct cf_calls *t, const struct slot *s)
{
	const struct cf_call_record *r = &s->rec;
	struct cf_call_row *w;
	uint32_t i;

	if (t->idle)
		return;                 /* live: the call events say it all */
	if (t->n_rows >= CF_CALL_ROWS) {
		t->rows_more++;
		return;
	}
	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
		struct cf_call_row *v = realloc(t->rows, cap * sizeof(*v));

		if (v == NULL) {
			t->rows_more++;
			return;
		}
		t->rows = v;
		t->cap_rows = cap;
	}
	w = &t->rows[t->n_rows++];
	memset(w, 0, sizeof(*w));
	w->id = r->key;
	w->first_us = r->first_us;
	w->last_us = r->last_us;
	w->flows = r->flows;
	w->severity = (uint8_t)r->severity;
	cc_copy_str(w->app, sizeof(w->app), r->app);
	cc_copy_str(w->rule_id, sizeof(w->rule_id), r->rule_id);
	for (i = 0; i < r->n_parties && i < CF_CALL_PARTIES; i++) {
		if (list_add(w->countries, sizeof(w->countries), r->party[i].country, ","))
			break;
	}
	for (i = 0; i < r->n_parties && i < CF_CALL_PARTIES; i++) {
		char as[24];
		const char *op = r->party[i].as_org;

		if (op[0] == '\0' && r->party[i].asn != 0) {
			snprintf(as, sizeof(as), "AS%u", (unsigned)r->party[i].asn);
			op = as;
		}
		if (list_add(w->operators, sizeof(w->operators), op, "; "))
			break;
	}
}

void cf_calls_get_rows(struct cf_calls *t, struct cf_run_totals *to)
{
	pthread_mutex_lock(&t->mu);
	to->call_rows = t->rows;
	to->n_call_rows = t->n_rows;
	to->call_rows_more = t->rows_more;
	pthread_mutex_unlock(&t->mu);
}
