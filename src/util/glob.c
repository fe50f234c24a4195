/*
 * glob.c - host-name globs (glob.h): one matcher for the catalog and the
 * rules.
 *
 * The match walks pattern and name once, remembering the last '*' seen:
 * on a mismatch the name position after that star moves on by one byte
 * and the pattern goes back to just after the star (a later star replaces
 * the earlier, which can then never be needed again).  No recursion, no
 * allocation; at worst pattern length times name length steps.
 */
#include "config.h"

#include <stddef.h>

#include "util/glob.h"

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* One byte of a set member at *pp (honouring '\'), advancing *pp. */
static int set_byte(const unsigned char **pp)
{
	const unsigned char *p = *pp;

	if (*p == '\\' && p[1] != '\0')
		p++;
	*pp = p + 1;
	return lower(*p);
}

/*
 * Is c in the set at p (just after '[')?  *end gets the pattern after
 * the closing ']'.  A ']' right after '[' or '[!' is a member.
 */
static int set_match(const unsigned char *p, int c, const unsigned char **end)
{
	int neg = 0, hit = 0, first = 1;

	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	while (*p != '\0' && (first || *p != ']')) {
		int lo = set_byte(&p), hi = lo;

		if (*p == '-' && p[1] != '\0' && p[1] != ']') {
			p++;
			hi = set_byte(&p);
		}
		if (c >= lo && c <= hi)
			hit = 1;
		first = 0;
	}
	*end = *p != '\0' ? p + 1 : p;
	return hit != neg;
}

/* Does the pattern element at p match byte c?  *np: the element after. */
static int one_match(const unsigned char *p, int c, const unsigned char **np)
{
	if (*p == '?') {
		*np = p + 1;
		return 1;
	}
	if (*p == '[')
		return set_match(p + 1, lower(c), np);
	if (*p == '\\' && p[1] != '\0') {
		*np = p + 2;
		return lower(p[1]) == lower(c);
	}
	*np = p + 1;
	return lower(*p) == lower(c);
}

int cf_glob_match_n(const char *pat, const char *str, size_t n)
{
	const unsigned char *p = (const unsigned char *)pat;
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	const unsigned char *star_p = NULL, *star_s = NULL, *np = NULL;

	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return 1;
			star_p = p;
			star_s = s;
			continue;
		}
		if (s == end)
			return *p == '\0';
		if (*p != '\0' && one_match(p, *s, &np)) {
			p = np;
			s++;
		} else if (star_p != NULL) {
			p = star_p;
			s = ++star_s;
		} else {
			return 0;
		}
	}
}

int cf_glob_match(const char *pat, const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return cf_glob_match_n(pat, s, n);
}

const char *cf_glob_check(const char *pat)
{
	const char *p = pat;

	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				return "ends in '\\'";
			p++;
		} else if (*p == '[') {
			p++;
			if (*p == '!' || *p == '^')
				p++;
			if (*p == ']')
				p++;
			for (; *p != ']'; p++) {
				if (*p == '\0')
					return "has a '[' without ']'";
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
		}
	}
	return NULL;
}
