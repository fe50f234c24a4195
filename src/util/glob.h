/*
 * glob.h - host-name globs, one dialect for the app catalog
 * (rules/apps.conf host lines) and the rules language (host matchers).
 *
 * A pattern matches the whole name, ignoring ASCII case:
 *   '*'      any run of bytes, dots included, the empty run too
 *            ("*.zoom.us" matches "a.b.zoom.us", not "zoom.us");
 *   '?'      exactly one byte;
 *   [abc] [a-z] [!a-z] [^a-z]
 *            one byte of (not of) a set; a ']' right after '[' or '[!' is
 *            a member, '\x' inside a set is a literal x;
 *   '\x'     a literal x ('\' at the end of a pattern is itself);
 *   anything else: itself.
 * Bytes above 0x7f match only themselves.  A trailing dot of a name is
 * the caller's business: the catalog ignores one, a rule matches the name
 * as it is.
 *
 * The catalog admits only letters, digits and ". - _ * ?" in its patterns
 * (so it never meets a set or an escape, and its indexes may take a
 * pattern without '*' or '?' as an exact name); within those characters
 * this dialect is the one the catalog always had, and the rules' dialect
 * is the whole of it.
 */
#ifndef CF_GLOB_H
#define CF_GLOB_H

#include <stddef.h>

/* Does pat match the NUL-terminated s?  Never allocates. */
int cf_glob_match(const char *pat, const char *s);

/* The same over the n bytes of s (no NUL needed; a NUL byte is a byte). */
int cf_glob_match_n(const char *pat, const char *s, size_t n);

/* NULL if pat is well formed, else what is wrong with it ("has a '['
 * without ']'", "ends in '\\'"). */
const char *cf_glob_check(const char *pat);

#endif /* CF_GLOB_H */
