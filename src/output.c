/*
 * output.c - event lines to stdout and files.
 *
 * Every output gets the same lines.  A file output is opened in append mode
 * and can be reopened (SIGHUP, for logrotate).  A failed write is counted,
 * never fatal: the caller reports the count in stats and the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

enum out_kind { OUT_STDOUT, OUT_FILE };

struct out {
	enum out_kind kind;
	char *path;
	FILE *fp;
};

struct cf_outputs {
	struct out *v;
	size_t n, cap;
	struct cf_output_stats st;
};

struct cf_outputs *cf_outputs_new(void)
{
	return calloc(1, sizeof(struct cf_outputs));
}

static int out_open_file(struct out *o, char *err, size_t errlen)
{
	FILE *fp = fopen(o->path, "a");

	if (fp == NULL) {
		snprintf(err, errlen, "cannot open output file %s: %s", o->path,
			 strerror(errno));
		return -1;
	}
	o->fp = fp;
	return 0;
}

static int grow(struct cf_outputs *o)
{
	size_t cap = o->cap ? o->cap * 2 : 4;
	struct out *v = realloc(o->v, cap * sizeof(*v));

	if (v == NULL)
		return -1;
	o->v = v;
	o->cap = cap;
	return 0;
}

int cf_outputs_add(struct cf_outputs *o, const char *spec, char *err, size_t errlen)
{
	struct out n = { OUT_STDOUT, NULL, stdout };

	if (strcmp(spec, "stdout") == 0 || strcmp(spec, "-") == 0) {
		n.kind = OUT_STDOUT;
	} else if (strncmp(spec, "file:", 5) == 0 && spec[5] != '\0') {
		n.kind = OUT_FILE;
		n.path = strdup(spec + 5);
		if (n.path == NULL || out_open_file(&n, err, errlen) < 0) {
			if (n.path == NULL)
				snprintf(err, errlen, "out of memory");
			free(n.path);
			return -1;
		}
	} else {
		snprintf(err, errlen, "unknown output '%s' (expected stdout or file:PATH)",
			 spec);
		return -1;
	}
	if (o->n == o->cap && grow(o) < 0) {
		if (n.kind == OUT_FILE)
			fclose(n.fp);
		free(n.path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->v[o->n++] = n;
	return 0;
}

size_t cf_outputs_count(const struct cf_outputs *o)
{
	return o->n;
}

int cf_outputs_write(struct cf_outputs *o, const char *line, size_t len)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < o->n; i++) {
		FILE *fp = o->v[i].fp;

		if (fp == NULL || fwrite(line, 1, len, fp) != len ||
		    putc('\n', fp) == EOF) {
			o->st.write_errors++;
			rc = -1;
		}
	}
	o->st.lines++;
	return rc;
}

int cf_outputs_flush(struct cf_outputs *o)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < o->n; i++)
		if (o->v[i].fp != NULL && fflush(o->v[i].fp) == EOF) {
			o->st.write_errors++;
			rc = -1;
		}
	return rc;
}

int cf_outputs_reopen(struct cf_outputs *o, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < o->n; i++) {
		struct out *x = &o->v[i];

		if (x->kind != OUT_FILE)
			continue;
		if (x->fp != NULL)
			fclose(x->fp);
		x->fp = NULL;
		if (out_open_file(x, err, errlen) < 0)
			rc = -1;
	}
	return rc;
}

void cf_outputs_get_stats(const struct cf_outputs *o, struct cf_output_stats *st)
{
	*st = o->st;
}

void cf_outputs_free(struct cf_outputs *o)
{
	size_t i;

	if (o == NULL)
		return;
	cf_outputs_flush(o);
	for (i = 0; i < o->n; i++) {
		if (o->v[i].kind == OUT_FILE && o->v[i].fp != NULL)
			fclose(o->v[i].fp);
		free(o->v[i].path);
	}
	free(o->v);
	free(o);
}
