/*
 * event-safe.c - strings from the wire made safe for JSON.  Every string
 * that may come from a packet, a rules file or the command line goes
 * through here before jansson sees it, so json_string() never refuses it
 * and an event is never dropped for its content: valid UTF-8 passes,
 * every invalid byte and every control character becomes U+FFFD.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "event/event-int.h"

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes available),
 * with its code point in *cp; 0 when s does not start one (stray
 * continuation byte, overlong form, surrogate, > U+10FFFF, cut short).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* C0 controls, DEL and C1 controls. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* cf_json_safe_string, returning the length written. */
size_t safe_copy(const char *src, size_t srclen, char *dst, size_t dstlen)
{
	static const char repl[] = "\xef\xbf\xbd";     /* U+FFFD */
	const unsigned char *s = (const unsigned char *)src;
	const char *piece;
	size_t i = 0, o = 0, n, plen;
	uint32_t cp;

	if (dstlen == 0)
		return 0;
	while (src != NULL && i < srclen) {
		/* most names are plain ASCII: no decoding for them */
		if (is_plain(s[i])) {
			if (o >= dstlen - 1)
				break;
			dst[o++] = src[i++];
			continue;
		}
		n = utf8_seq(s + i, srclen - i, &cp);
		if (n == 0 || is_control(cp)) {
			piece = repl, plen = 3;
			i += n ? n : 1;
		} else {
			piece = src + i, plen = n;
			i += n;
		}
		if (plen > dstlen - 1 - o)
			break;
		memcpy(dst + o, piece, plen);
		o += plen;
	}
	dst[o] = '\0';
	return o;
}

void cf_json_safe_string(const char *src, size_t srclen, char *dst, size_t dstlen)
{
	(void)safe_copy(src, srclen, dst, dstlen);
}

/*
 * Are the n bytes at s all printable ASCII (is_plain)?  Eight at a time:
 * a word holds a byte that is not when one of its bytes is below 0x20
 * (the "has a byte less than" test), has its high bit set (v), or is
 * 0x7f (v + 1 sets the high bit of a byte below 0x80 only from 0x7f, and
 * a carry only comes out of a byte 0xff, already flagged).  A word is
 * flagged only when it holds such a byte; the last one is the eight
 * bytes that end s, overlapping the one before (no read past s).
 */
static int all_plain(const char *s, size_t n)
{
	uint64_t v;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (!is_plain((unsigned char)s[i]))
				return 0;
		return 1;
	}
	for (i = 0;; i += 8) {
		if (i + 8 > n)
			i = n - 8;
		memcpy(&v, s + i, 8);
		if ((((v - EV_ONES8 * 0x20) & ~v) | v | (v + EV_ONES8)) & EV_HIGH8)
			return 0;
		if (i + 8 == n)
			return 1;
	}
}

/*
 * The safe form of s (at most max bytes read, up to a NUL): its length,
 * 0 for NULL or "", and where it is in *out.  A name of plain ASCII (the
 * usual case) is its own safe form and is not copied (*out is s); any
 * other is made safe in buf (SAFE_MAX bytes).
 */
size_t safe_view(const char *s, size_t max, char *buf, const char **out)
{
	size_t n;

	*out = s;
	if (s == NULL)
		return 0;
	n = strnlen(s, max);
	if (all_plain(s, n))
		return n < SAFE_MAX ? n : SAFE_MAX - 1;
	*out = buf;
	return safe_copy(s, n, buf, SAFE_MAX);
}
