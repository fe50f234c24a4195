/*
 * output-file.c - stdout and file:PATH.
 *
 * A file is opened in append mode, so several writers and logrotate's
 * copytruncate both work; cf_outputs_reopen (SIGHUP) closes and opens it
 * again after a rename.  Lines are buffered by stdio and flushed at
 * cf_outputs_flush and once a second by cf_outputs_poll.  A failed write
 * is counted, never fatal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output-int.h"

struct file_out {
	char *path;             /* NULL for stdout */
	FILE *fp;
};

static int open_path(struct out *o, struct file_out *f, char *err, size_t errlen)
{
	FILE *fp = fopen(f->path, "a");

	if (fp == NULL) {
		snprintf(err, errlen, "cannot open output file %s: %s", f->path,
			 strerror(errno));
		return -1;
	}
	(void)o;
	f->fp = fp;
	return 0;
}

static int file_open(struct out *o, const char *target, char *err, size_t errlen)
{
	struct file_out *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->path = strdup(target)) == NULL) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (open_path(o, f, err, errlen) < 0) {
		free(f->path);
		free(f);
		return -1;
	}
	o->priv = f;
	return 0;
}

static int stdout_open(struct out *o, const char *target, char *err, size_t errlen)
{
	struct file_out *f = calloc(1, sizeof(*f));

	(void)target;
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->fp = stdout;
	o->priv = f;
	return 0;
}

static int file_write(struct out *o, const char *line, size_t len,
		      const struct cf_event_info *ev)
{
	struct file_out *f = o->priv;

	(void)ev;
	if (f->fp == NULL || fwrite(line, 1, len, f->fp) != len || putc('\n', f->fp) == EOF)
		return -1;
	return 0;
}

static int file_flush(struct out *o)
{
	struct file_out *f = o->priv;

	return f->fp != NULL && fflush(f->fp) == EOF ? -1 : 0;
}

static int file_reopen(struct out *o, char *err, size_t errlen)
{
	struct file_out *f = o->priv;

	if (f->path == NULL)
		return 0;
	if (f->fp != NULL)
		fclose(f->fp);
	f->fp = NULL;
	return open_path(o, f, err, errlen);
}

static void file_close(struct out *o)
{
	struct file_out *f = o->priv;

	if (f == NULL)
		return;
	if (f->fp != NULL) {
		if (f->path != NULL)
			fclose(f->fp);
		else
			fflush(f->fp);
	}
	free(f->path);
	free(f);
	o->priv = NULL;
}

const struct out_ops out_stdout_ops = {
	.scheme = "stdout",
	.open = stdout_open,
	.write = file_write,
	.flush = file_flush,
	.close = file_close,
};

const struct out_ops out_file_ops = {
	.scheme = "file",
	.open = file_open,
	.write = file_write,
	.flush = file_flush,
	.reopen = file_reopen,
	.close = file_close,
};
