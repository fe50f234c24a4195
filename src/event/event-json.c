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
 *
 * The writers of a member are inline (event-int.h); here are what they
 * call: growing the buffer, strings (copied a word at a time when there
 * is nothing to escape, the usual case), numbers.
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

void jw_begin(struct jw *w)
{
	w->len = 0;
	w->err = 0;
	w->depth = 0;
	w->n = 0;
	jw_ch(w, '{');
	jw_push(w, 0, 0);
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

/*
 * Strings: most hold nothing to escape (names, addresses, app names), so
 * they are checked and copied eight bytes at a time.  A word holds a byte
 * to escape when one of its bytes is below 0x20 or is '"' or '\\': the
 * usual "has a byte less than n" and "has a zero byte" tests of a word.
 * Each can flag a byte only above one that really is so, never a word
 * without one, so the answer for the word is exact.  Bytes from 0x80 up
 * (UTF-8) are never escaped and never flagged (~v).
 */
static inline uint64_t esc_in8(uint64_t v)
{
	uint64_t q = v ^ (EV_ONES8 * '"'), b = v ^ (EV_ONES8 * '\\');

	return ((v - EV_ONES8 * 0x20) & ~v) | ((q - EV_ONES8) & ~q) | ((b - EV_ONES8) & ~b);
}

/* The same for four bytes. */
static inline uint32_t esc_in4(uint32_t v)
{
	const uint32_t ones = (uint32_t)EV_ONES8;
	uint32_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');

	return ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b);
}

/* Byte for byte: 1 where a byte is escaped (below 0x20, '"', '\\'). */
static inline int esc_byte(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/*
 * Copy n bytes of s to p when none is escaped: 1; 0 (p partly written)
 * when one is.  The last word of a string of eight bytes or more is the
 * eight bytes that end it, overlapping the one before (no read past s);
 * a string of four to seven bytes is two words of four the same way.
 */
static int copy_plain(char *p, const char *s, size_t n)
{
	uint64_t v;
	size_t i;

	if (n < 4) {
		for (i = 0; i < n; i++) {
			if (esc_byte((unsigned char)s[i]))
				return 0;
			p[i] = s[i];
		}
		return 1;
	}
	if (n < 8) {            /* two words of four, overlapping */
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		if ((esc_in4(a) | esc_in4(b)) & (uint32_t)EV_HIGH8)
			return 0;
		memcpy(p, &a, 4);
		memcpy(p + n - 4, &b, 4);
		return 1;
	}
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		if (esc_in8(v) & EV_HIGH8)
			return 0;
		memcpy(p + i, &v, 8);
	}
	if (i < n) {
		memcpy(&v, s + n - 8, 8);
		if (esc_in8(v) & EV_HIGH8)
			return 0;
		memcpy(p + n - 8, &v, 8);
	}
	return 1;
}

/* The bytes of s escaped, and the closing quote (the opening one is written). */
static void esc_slow(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	char *p;
	size_t i;

	if (jw_room(w, 6 * n + 1) < 0)
		return;
	p = w->buf + w->len;
	for (i = 0; i < n; i++) {
		if (!esc_byte(u[i])) {
			*p++ = (char)u[i];
			continue;
		}
		*p++ = '\\';
		switch (u[i]) {
		case '"': *p++ = '"'; break;
		case '\\': *p++ = '\\'; break;
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		default:
			*p++ = 'u', *p++ = '0', *p++ = '0';
			*p++ = hex[u[i] >> 4];
			*p++ = hex[u[i] & 15];
		}
	}
	*p++ = '"';
	jw_done(w, p);
}

void jw_put_str(struct jw *w, char *p, const char *s, size_t n)
{
	*p++ = '"';
	if (copy_plain(p, s, n)) {
		p[n] = '"';
		jw_done(w, p + n + 1);
		return;
	}
	jw_done(w, p);          /* past the opening quote: the rest escaped */
	esc_slow(w, s, n);
}

void jw_esc(struct jw *w, const char *s, size_t n)
{
	if (jw_room(w, n + 2) == 0)
		jw_put_str(w, w->buf + w->len, s, n);
}

/* Powers of ten: the digits of v are the first n with v < tens[n]. */
static const uint64_t tens[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/* v in decimal, as "%llu" writes it: two digits at a time, from the end. */
char *jw_dec(char *p, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	size_t n = 1;
	char *e;

	while (n < 20 && v >= tens[n])
		n++;
	e = p + n;
	while (v >= 100) {
		e -= 2;
		memcpy(e, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(e - 2, pairs + 2 * v, 2);
	else
		e[-1] = (char)('0' + v);
	return p + n;
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

void jw_frac(struct jw *w, const char *key, long long k, unsigned frac)
{
	uint64_t u = k < 0 ? (uint64_t)0 - (uint64_t)k : (uint64_t)k, f;
	char d[20], *p;
	unsigned i;

	if (u >= tens[10] || frac < 1 || frac > 3) {
		jw_real(w, key, (double)k / (double)tens[frac < 20 ? frac : 0]);
		return;
	}
	p = jw_at(w, key, strlen(key), 32);
	if (p == NULL)
		return;
	if (k < 0)
		*p++ = '-';
	p = jw_dec(p, u / tens[frac]);
	*p++ = '.';
	f = u % tens[frac];
	if (f == 0) {
		*p++ = '0';
	} else {
		for (i = frac; i > 0; i--, f /= 10)
			d[i - 1] = (char)('0' + f % 10);
		for (i = frac; d[i - 1] == '0'; i--)
			;
		memcpy(p, d, i);
		p += i;
	}
	jw_done(w, p);
}

void jw_item_obj(struct jw *w)
{
	char *p = jw_at(w, NULL, 0, 1);

	if (p != NULL) {
		*p++ = '{';
		jw_done(w, p);
	}
	jw_push(w, w->len, 2);
}
