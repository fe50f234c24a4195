/*
 * output-file.c - stdout and file:PATH.
 *
 * A file is opened in append mode, so several writers and logrotate's
 * copytruncate both work; cf_outputs_reopen (SIGHUP) closes and opens it
 * again after a rename.  Lines are collected in a buffer of our own
 * (FILE_BUF bytes, some 70 events) and handed to stdio in one piece when
 * it is full, at cf_outputs_flush and once a second at cf_outputs_poll:
 * one write(2) per buffer instead of one per stdio's 4 KiB block.  A
 * terminal on stdout gets every line at once, as stdio's line buffering
 * gives it, since someone is reading it.  A failed write is counted,
 * never fatal.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/output-int.h"

#define FILE_BUF (64 * 1024)

struct file_out {
	char *path;             /* NULL for stdout */
	FILE *fp;
	char *buf;              /* FILE_BUF bytes; NULL: straight to stdio */
	size_t len;             /* bytes waiting in buf */
};

/* Hand what buf holds to stdio (which writes a piece this big at once). */
static int drain(struct file_out *f)
{
	size_t n = f->len;

	f->len = 0;
	if (n == 0)
		return 0;
	if (f->fp == NULL || fwrite(f->buf, 1, n, f->fp) != n)
		return -1;
	return 0;
}

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

	if (f == NULL || (f->path = strdup(target)) == NULL ||
	    (f->buf = malloc(FILE_BUF)) == NULL) {
		if (f != NULL)
			free(f->path);
		free(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (open_path(o, f, err, errlen) < 0) {
		free(f->buf);
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
	/* no buffer of ours for a terminal (or without memory) */
	if (!isatty(fileno(stdout)))
		f->buf = malloc(FILE_BUF);
	o->priv = f;
	return 0;
}

static int file_write(struct out *o, const char *line, size_t len,
		      const struct cf_event_info *ev)
{
	struct file_out *f = o->priv;

	(void)ev;
	if (f->buf != NULL) {
		if (len + 1 > FILE_BUF - f->len && drain(f) < 0)
			return -1;
		if (len + 1 <= FILE_BUF) {
			memcpy(f->buf + f->len, line, len);
			f->buf[f->len + len] = '\n';
			f->len += len + 1;
			return 0;
		}
		/* longer than the buffer: straight through */
	}
	if (f->fp == NULL || fwrite(line, 1, len, f->fp) != len || putc('\n', f->fp) == EOF)
		return -1;
	return 0;
}

static int file_flush(struct out *o)
{
	struct file_out *f = o->priv;
	int rc = drain(f);

	if (f->fp != NULL && fflush(f->fp) == EOF)
		rc = -1;
	return rc;
}

static int file_reopen(struct out *o, char *err, size_t errlen)
{
	struct file_out *f = o->priv;

	if (f->path == NULL)
		return 0;
	(void)drain(f);         /* what was written before the rename */
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
	(void)drain(f);
	if (f->fp != NULL) {
		if (f->path != NULL)
			fclose(f->fp);
		else
			fflush(f->fp);
	}
	free(f->buf);
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
