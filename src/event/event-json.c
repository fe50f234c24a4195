/*
 * event-json.c - a compact JSON writer (struct jw, event-int.h) for the
 * events written per alert, per flow and per call: straight into the
 * thread's line buffer, no tree (jansson built and dumped a tree of some
 * 60 nodes per event: a quarter of a churn run went there).  The bytes
 * are jansson's: the same separators (JSON_COMPACT), members in the
 * order written (JSON_PRESERVE_ORDER), integers as "%lld" and strings
 * escaped as its dumper escapes them - '"' and '\\' with a backslash, \b \f \n \r \t,
 * other control characters as \uXXXX (upper-case hex), everything else
 * (UTF-8 included) as it is.  tests/unit/test-event-render.c holds the
 * two side by side on random records.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/event-int.h"

int jw_grow(struct jw *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 4096;
	char *p;

	if (w->err)
		return -1;
	while (cap - w->len < n) {
		if (cap > SIZE_MAX / 2) {
			w->err = 1;
			return -1;
		}
		cap *= 2;
	}
	p = realloc(w->buf, cap);
	if (p == NULL) {
		w->err = 1;
		return -1;
	}
	w->buf = p;
	w->cap = cap;
	return 0;
}

static inline void jw_ch(struct jw *w, char c)
{
	if (w->len < w->cap || jw_grow(w, 1) == 0)
		w->buf[w->len++] = c;
}

static void push(struct jw *w, size_t start, int arr)
{
	if (w->depth >= JW_DEPTH) {
		w->err = 1;
		return;
	}
	w->lvl[w->depth].start = start;
	w->lvl[w->depth].n = 0;
	w->lvl[w->depth].arr = arr;
	w->depth++;
}

void jw_begin(struct jw *w)
{
	w->len = 0;
	w->err = 0;
	w->depth = 0;
	jw_ch(w, '{');
	push(w, 0, 0);
}

int jw_end(struct jw *w)
{
	if (w->depth != 1) {
		w->err = 1;
		return -1;
	}
	jw_ch(w, '}');
	w->depth = 0;
	return w->err ? -1 : 0;
}

/* Before a member or an item: the comma unless it is the first. */
static inline void sep(struct jw *w)
{
	if (w->depth > 0 && w->lvl[w->depth - 1].n++ > 0)
		jw_ch(w, ',');
}

void jw_keyn(struct jw *w, const char *key, size_t klen)
{
	sep(w);
	if (klen + 3 > w->cap - w->len && jw_grow(w, klen + 3) < 0)
		return;
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, key, klen);
	w->len += klen;
	w->buf[w->len++] = '"';
	w->buf[w->len++] = ':';
}

/* Bytes a string can hold unescaped: everything but '"', '\\' and C0 controls. */
static inline int plain_byte(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

void jw_esc(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run;
	char seq[6];
	const char *e;
	size_t elen;

	jw_ch(w, '"');
	while (i < n) {
		for (run = i; run < n && plain_byte(u[run]); run++)
			;
		if (run > i) {
			jw_raw(w, s + i, run - i);
			i = run;
			if (i == n)
				break;
		}
		elen = 2;
		switch (u[i]) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default:
			seq[0] = '\\', seq[1] = 'u', seq[2] = '0', seq[3] = '0';
			seq[4] = hex[u[i] >> 4];
			seq[5] = hex[u[i] & 15];
			e = seq, elen = 6;
		}
		jw_raw(w, e, elen);
		i++;
	}
	jw_ch(w, '"');
}

void jw_safe(struct jw *w, const char *key, const char *s, size_t max)
{
	char buf[SAFE_MAX];
	const char *v;
	size_t n = safe_view(s, max, buf, &v);

	if (n != 0) {
		jw_key(w, key);
		jw_esc(w, v, n);
	}
}

/* v in decimal, as "%lld" writes it. */
static void jw_num(struct jw *w, uint64_t v, int neg)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (neg)
		d[--i] = '-';
	jw_raw(w, d + i, sizeof(d) - i);
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_num(w, v > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v, 0);
}

void jw_int(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	if (v < 0)
		jw_num(w, (uint64_t)0 - (uint64_t)v, 1);
	else
		jw_num(w, (uint64_t)v, 0);
}

void jw_real(struct jw *w, const char *key, double v)
{
	char buf[64], *e;
	int n;

	/* as jansson dumps a real with JSON_REAL_PRECISION(10): "%.10g",
	   the exponent without '+' or leading zeros, ".0" when it would read
	   as an integer */
	n = snprintf(buf, sizeof(buf) - 3, "%.10g", v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3)
		n = snprintf(buf, sizeof(buf), "0.0");
	if ((e = strchr(buf, 'e')) != NULL) {
		char *p = e + 1, *q;

		if (*p == '+')
			memmove(p, p + 1, strlen(p));
		else if (*p == '-')
			p++;
		for (q = p; *q == '0' && q[1] != '\0'; q++)
			;
		if (q != p)
			memmove(p, q, strlen(q) + 1);
	} else if (strchr(buf, '.') == NULL && strchr(buf, 'n') == NULL &&
		   strchr(buf, 'i') == NULL) {
		strcat(buf, ".0");
	}
	jw_key(w, key);
	jw_raw(w, buf, strlen(buf));
}

int jw_time(struct jw *w, const char *key, uint64_t us)
{
	char buf[80];

	cf_event_time(us, buf, sizeof(buf));
	if (buf[0] == '\0')
		return 0;
	jw_lit(w, key, buf);
	return 1;
}

void jw_obj(struct jw *w, const char *key)
{
	size_t start = w->len;

	jw_key(w, key);
	jw_ch(w, '{');
	push(w, start, 0);
}

void jw_arr(struct jw *w, const char *key)
{
	size_t start = w->len;

	jw_key(w, key);
	jw_ch(w, '[');
	push(w, start, 1);
}

void jw_item_obj(struct jw *w)
{
	sep(w);
	jw_ch(w, '{');
	push(w, w->len, 2);
}

void jw_close(struct jw *w)
{
	if (w->depth <= 1) {
		w->err = 1;
		return;
	}
	w->depth--;
	if (w->lvl[w->depth].arr == 0 && w->lvl[w->depth].n == 0) {
		/* an empty object is left out, key and all */
		w->len = w->lvl[w->depth].start;
		w->lvl[w->depth - 1].n--;
		return;
	}
	jw_ch(w, w->lvl[w->depth].arr == 1 ? ']' : '}');
}

void jw_item(struct jw *w, const char *s)
{
	sep(w);
	jw_esc(w, s, strlen(s));
}
