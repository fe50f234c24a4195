/*
 * test-event-json.c - the pieces of the events' JSON writer (event-json.c,
 * event-safe.c, event-time.c, event-geo.c) that take short cuts, each
 * against a plain reference on many random inputs:
 * - string escaping (a word at a time) against jansson's dumper: strings
 *   of every length up to 70 with bytes to escape at every place (each
 *   control character, '"', '\\'), UTF-8 of every length around them;
 * - safe_view (strnlen and plain ASCII a word at a time) against the byte
 *   loop it replaced: every byte value, invalid UTF-8, strings cut by max
 *   with no NUL in reach (the sanitizers see any read past it), long
 *   strings past SAFE_MAX, NULL and "";
 * - numbers (jw_dec, jw_u64, jw_int) against printf at every power of ten;
 * - reals as k / 10^frac (jw_frac) against jansson's dump of the real;
 * - times (ev_time_fmt, two seconds kept) against gmtime_r and snprintf;
 * - callfence.geo (ev_render_geo_check) against the tree jansson dumps.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "event/event-int.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

static uint64_t rng = 0x2545f4914f6cdd1dULL;

#define rnd() harness_rnd(&rng)
#define below(n) harness_below(&rng, (n))

/* w's bytes (from 0) are want's (a jansson dump, freed); 1 if so. */
static int same_as(const struct jw *w, char *want, const char *what, long i)
{
	int ok = want != NULL && strlen(want) == w->len && memcmp(want, w->buf, w->len) == 0;

	if (!ok)
		fprintf(stderr, "%s %ld: %.*s\n   want %s\n", what, i, (int)w->len, w->buf,
			want != NULL ? want : "(none)");
	free(want);
	return ok;
}

/* Bytes to escape, and UTF-8 around them. */
static const char *const special[] = {
	"\"", "\\", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x7f", "/",
	"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc2\x80", " ", "~",
};

static void test_escape_places(void)
{
	struct jw w;
	char s[96];
	size_t n, len, i, k;
	json_t *v;
	long t;
	int bad = 0;

	memset(&w, 0, sizeof(w));
	for (t = 0; t < 200000 && bad < 5; t++) {
		len = below(71);
		for (i = 0; i < len; i++)
			s[i] = (char)('a' + below(26));
		/* zero to three specials, at random places */
		for (k = below(4), n = len; k > 0; k--) {
			const char *p = special[below(sizeof(special) / sizeof(special[0]))];
			size_t pl = strlen(p), at = n ? below((unsigned)n + 1) : 0;

			if (n + pl > sizeof(s))
				break;
			while (at < n && ((unsigned char)s[at] & 0xc0) == 0x80)
				at++;           /* not inside a UTF-8 sequence */
			memmove(s + at + pl, s + at, n - at);
			memcpy(s + at, p, pl);
			n += pl;
		}
		if (below(20) == 0)             /* a control byte at every place */
			for (i = 0; i < n; i++)
				if (s[i] >= 'a' && s[i] <= 'z')
					s[i] = (char)below(0x20);
		w.len = 0;
		jw_esc(&w, s, n);
		v = json_stringn_nocheck(s, n);
		if (!same_as(&w, json_dumps(v, JSON_ENCODE_ANY | DUMP_FLAGS), "escape", t))
			bad++;
		json_decref(v);
	}
	CHECK_INT(bad, 0);
	CHECK(!w.err);
	free(w.buf);
}

/* The safe_view of before: a byte loop, then safe_copy for the rest. */
static size_t ref_safe_view(const char *s, size_t max, char *buf, const char **out)
{
	size_t n;

	*out = s;
	if (s == NULL)
		return 0;
	for (n = 0; n < max && is_plain((unsigned char)s[n]); n++)
		;
	if (n == max || s[n] == '\0')
		return n < SAFE_MAX ? n : SAFE_MAX - 1;
	*out = buf;
	return safe_copy(s, strnlen(s, max), buf, SAFE_MAX);
}

static void test_safe_view(void)
{
	static char a[SAFE_MAX], b[SAFE_MAX];
	const char *va, *vb;
	size_t len, max, na, nb, i;
	char *s;
	long t;
	int bad = 0;

	CHECK_INT(safe_view(NULL, 10, a, &va), 0);
	CHECK_INT(safe_view("", 10, a, &va), 0);
	for (t = 0; t < 100000 && bad < 5; t++) {
		len = below(8) == 0 ? 1 + below(1500) : 1 + below(40);
		/* exactly len bytes, maybe no NUL in them: a read past is seen */
		s = malloc(len);
		if (s == NULL)
			break;
		for (i = 0; i < len; i++) {
			switch (below(6)) {
			case 0: s[i] = (char)(1 + below(255)); break;  /* any byte */
			case 1: s[i] = (char)(0x80 + below(0x80)); break;
			default: s[i] = (char)(0x20 + below(0x5f)); break;
			}
		}
		if (below(2))
			s[below((unsigned)len)] = '\0';
		if (below(3) == 0)
			memcpy(s, "\xc3\xa9", len >= 2 ? 2 : 1);
		max = below(4) == 0 ? len - below((unsigned)len) : len;
		na = safe_view(s, max, a, &va);
		nb = ref_safe_view(s, max, b, &vb);
		if (na != nb || (va == s) != (vb == s) || memcmp(va, vb, na) != 0) {
			fprintf(stderr, "safe_view %ld: len %zu max %zu: %zu against %zu\n",
				t, len, max, na, nb);
			bad++;
		}
		free(s);
	}
	CHECK_INT(bad, 0);
}

static void test_numbers(void)
{
	struct jw w;
	char want[64];
	uint64_t v;
	long long iv;
	int k, d, bad = 0;

	memset(&w, 0, sizeof(w));
	CHECK_INT(jw_grow(&w, 64), 0);
	for (k = 0; k < 20 && w.buf != NULL; k++) {
		for (d = -1; d <= 1; d++) {
			uint64_t p = 1;
			int j;

			for (j = 0; j < k; j++)
				p *= 10;
			v = p + (uint64_t)(long long)d;
			w.len = (size_t)(jw_dec(w.buf, v) - w.buf);
			snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
			if (w.len != strlen(want) || memcmp(w.buf, want, w.len) != 0)
				bad++;
		}
	}
	if (w.buf != NULL) {
		CHECK_INT(jw_dec(w.buf, UINT64_MAX) - w.buf, 20);
		CHECK(memcmp(w.buf, "18446744073709551615", 20) == 0);
	}
	for (k = 0; k < 20000; k++) {
		v = rnd() >> below(64);
		iv = (long long)(rnd() >> below(64)) * (below(2) ? -1 : 1);
		if (below(50) == 0)
			iv = INT64_MIN;
		jw_begin(&w);
		jw_u64(&w, "u", v);
		jw_int(&w, "i", iv);
		CHECK_INT(jw_end(&w), 0);
		snprintf(want, sizeof(want), "{\"u\":%llu,\"i\":%lld}",
			 (unsigned long long)(v > INT64_MAX ? INT64_MAX : v), iv);
		if (w.len != strlen(want) || memcmp(w.buf, want, w.len) != 0) {
			fprintf(stderr, "numbers: %.*s against %s\n", (int)w.len, w.buf, want);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
	free(w.buf);
}

static void test_frac(void)
{
	static const long long tens[] = { 1, 10, 100, 1000 };
	struct jw w;
	json_t *o;
	long long k;
	unsigned frac;
	long t;
	int bad = 0;

	memset(&w, 0, sizeof(w));
	for (t = 0; t < 200000 && bad < 5; t++) {
		frac = 1 + below(3);
		switch (below(5)) {
		case 0: k = (long long)below(2000); break;
		case 1: k = (long long)(rnd() % 10000000000ULL); break;
		case 2: k = 9999999999LL - below(3) + below(5); break;  /* round 10^10 */
		case 3: k = (long long)(rnd() >> 1); break;            /* past: jw_real */
		default: k = (long long)(rnd() % 100000000ULL); break;
		}
		if (below(4) == 0)
			k = -k;
		jw_begin(&w);
		jw_frac(&w, "v", k, frac);
		CHECK_INT(jw_end(&w), 0);
		o = json_object();
		json_object_set_new(o, "v", json_real((double)k / (double)tens[frac]));
		if (!same_as(&w, json_dumps(o, DUMP_FLAGS), "frac", t))
			bad++;
		json_decref(o);
	}
	CHECK_INT(bad, 0);
	free(w.buf);
}

/* "2021-05-04T09:12:03.118Z" made the plain way. */
static void ref_time(uint64_t us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(us / 1000 % 1000));
}

static void test_times(void)
{
	char got[EV_TIME_MAX + 1], want[64];
	uint64_t us = 1600000000000000ULL, before = us, was;
	size_t n;
	long t;
	int bad = 0;

	for (t = 0; t < 200000 && bad < 5; t++) {
		was = us;
		switch (below(7)) {
		case 6: us = before + below(1000); break;      /* the second before */
		case 0: us += below(1000); break;               /* the same second */
		case 1: us += below(3000000); break;
		case 2: us += (uint64_t)below(200000) * 1000000; break;  /* days on */
		case 3: us = rnd() % 4102444800000000ULL; break;        /* to 2100 */
		case 4: us = (us / 1000000) * 1000000 + 999999; break;  /* a second's end */
		default: us += 1; break;
		}
		before = was;
		n = ev_time_fmt(us, got);
		got[n] = '\0';
		ref_time(us, want, sizeof(want));
		if (strcmp(got, want) != 0) {
			fprintf(stderr, "time %llu: %s against %s\n", (unsigned long long)us,
				got, want);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
}

/* callfence.geo as a tree, as event-geo.c's comment says it is. */
static json_t *ref_geo(const struct cf_plaus_result *r)
{
	json_t *g = json_object(), *a;
	unsigned i;
	char cc[3];

	json_object_set_new(g, "rtt_ms", json_real((double)r->rtt_us / 1000.0));
	json_object_set_new(g, "plausibility", json_string(
		cf_plaus_verdict_name((enum cf_plaus_verdict)r->verdict)));
	if (r->has_point)
		json_object_set_new(g, "claimed_distance_km", json_real(
			(double)(long long)(r->point_km * 10.0 + 0.5) / 10.0));
	if (r->reach_listed) {
		a = json_array();
		for (i = 0; i < r->n_reach && i < CF_PLAUS_LIST; i++) {
			cc[0] = r->reach[i][0];
			cc[1] = r->reach[i][1];
			cc[2] = '\0';
			json_array_append_new(a, json_string(cc));
		}
		json_object_set_new(g, "reachable_countries", a);
	}
	return g;
}

static void test_geo_check(void)
{
	struct ev_facts *x = calloc(1, sizeof(*x) + 1);
	struct cf_plaus_result *r;
	struct jw w;
	json_t *o;
	unsigned i;
	long t;
	int bad = 0;

	CHECK(x != NULL);
	if (x == NULL)
		return;
	r = &x->geo_check;
	memset(&w, 0, sizeof(w));
	for (t = 0; t < 50000 && bad < 5; t++) {
		memset(r, 0, sizeof(*r));
		x->has_geo_check = below(5) != 0;
		r->has_rtt = below(5) != 0;
		r->rtt_us = below(3) ? below(400000) : (uint32_t)rnd();
		r->verdict = (uint8_t)below(CF_PLAUS_VERDICTS);
		r->has_point = below(2);
		r->point_km = below(2) ? (double)below(20000) + (double)below(1000) / 1000.0
				       : (double)(rnd() % 100000000) / 7.0;
		r->reach_listed = below(2);
		r->n_reach = (uint8_t)below(CF_PLAUS_LIST + 1);
		for (i = 0; i < CF_PLAUS_LIST; i++) {
			r->reach[i][0] = (char)('A' + below(26));
			r->reach[i][1] = (char)('A' + below(26));
		}
		jw_begin(&w);
		ev_render_geo_check(&w, x);
		CHECK_INT(jw_end(&w), 0);
		o = json_object();
		if (x->has_geo_check && r->has_rtt)
			json_object_set_new(o, "geo", ref_geo(r));
		if (!same_as(&w, json_dumps(o, DUMP_FLAGS), "geo", t))
			bad++;
		json_decref(o);
	}
	CHECK_INT(bad, 0);
	free(w.buf);
	free(x);
}

int main(void)
{
	RUN(test_escape_places);
	RUN(test_safe_view);
	RUN(test_numbers);
	RUN(test_frac);
	RUN(test_times);
	RUN(test_geo_check);
	return harness_done();
}
