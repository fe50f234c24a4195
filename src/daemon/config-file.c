/*
 * config-file.c - reading callfence.conf: lines of "key = value".
 *
 * The whole file is read into memory (at most CF_CONF_MAX_BYTES) and cut
 * up in place: keys and values become NUL-terminated strings inside that
 * one buffer, so the caller can keep pointers to values for as long as it
 * keeps the buffer.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/config-file.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Cut a comment: a '#' at the start or after a blank ends the line. */
static void cut_comment(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '#' && (p == s || is_blank(p[-1]))) {
			*p = '\0';
			return;
		}
}

static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * A quoted value starting at s (on the opening quote): unescape in place,
 * check that only blanks or a comment follow.  NULL with err on error.
 */
static char *unquote(char *s, char *err, size_t errlen)
{
	char *r = s + 1, *w = s, *rest;

	while (*r != '\0' && *r != '"') {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r++;
	}
	if (*r != '"') {
		snprintf(err, errlen, "unterminated quoted value");
		return NULL;
	}
	*w = '\0';
	rest = r + 1;
	cut_comment(rest);
	if (*trim(rest) != '\0') {
		snprintf(err, errlen, "unexpected text after the quoted value");
		return NULL;
	}
	return s;
}

/* One line (without its newline); 0 for nothing to do or a call to fn. */
static int parse_line(char *line, cf_conf_fn fn, void *ctx, char *err,
		      size_t errlen)
{
	char *key, *eq, *val, *p;

	while (is_blank(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	key = line;
	for (p = key; is_key_char(*p); p++)
		;
	eq = p;
	while (is_blank(*eq))
		eq++;
	if (p == key || *eq != '=') {
		snprintf(err, errlen, "expected 'key = value'");
		return -1;
	}
	*p = '\0';
	val = eq + 1;
	while (is_blank(*val))
		val++;
	if (*val == '"') {
		val = unquote(val, err, errlen);
		if (val == NULL)
			return -1;
	} else {
		cut_comment(val);
		val = trim(val);
	}
	if (*val == '\0') {
		snprintf(err, errlen, "%s: missing value", key);
		return -1;
	}
	return fn(ctx, key, val, err, errlen);
}

int cf_conf_parse(char *text, const char *name, cf_conf_fn fn, void *ctx,
		  char *err, size_t errlen)
{
	char msg[512];
	char *line = text, *nl;
	int lineno = 0;

	while (line != NULL && *line != '\0') {
		lineno++;
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (parse_line(line, fn, ctx, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
			return -1;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

/* The whole file, NUL-terminated; NULL with "PATH: reason" in err. */
static char *slurp(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	struct stat sb;
	char *buf;
	size_t n;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > CF_CONF_MAX_BYTES) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes",
			 path, CF_CONF_MAX_BYTES);
		fclose(fp);
		return NULL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, (size_t)sb.st_size, fp);
	buf[n] = '\0';
	fclose(fp);
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
		free(buf);
		return NULL;
	}
	return buf;
}

int cf_conf_read(const char *path, cf_conf_fn fn, void *ctx, char **text,
		 char *err, size_t errlen)
{
	*text = slurp(path, err, errlen);
	if (*text == NULL)
		return -1;
	return cf_conf_parse(*text, path, fn, ctx, err, errlen);
}
