/*
 * output-file.c - stdout and file:PATH.
 *
 * A file is opened in append mode, so logrotate's copytruncate works;
 * cf_outputs_reopen (SIGHUP) opens the path again after a rename and only
 * then lets the old descriptor go: a reopen that fails (the directory not
 * writable by the -u user, say) leaves the events going to the file open
 * before, said once until a reopen succeeds, and loses none.  Lines are
 * collected in a buffer of our own (FILE_BUF bytes, some 70 events) and
 * written with write(2) when it is full, at cf_outputs_flush and once a
 * second at cf_outputs_poll.  A terminal on stdout gets every line at
 * once, since someone is reading it.
 *
 * A failed write (disk full, I/O error, a closed pipe) loses the lines
 * not written: each is counted in the output's dropped counter, which
 * makes the run end with exit status 3 (main.c).  A regular file never
 * keeps half a line: when a write stops in the middle of one, the file is
 * truncated back to the end of the last whole line written (ftruncate),
 * so every line of the file parses.  A pipe or device cannot be cut back;
 * what reached it stays.
 */
#define _GNU_SOURCE 1         /* memrchr */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "output/output-int.h"
#include "util/path.h"

#define FILE_BUF (64 * 1024)

struct file_out {
	char *path;             /* absolute; NULL for stdout */
	int fd;
	char *buf;              /* FILE_BUF bytes; NULL: straight to the descriptor */
	size_t len;             /* bytes waiting in buf: whole lines */
	int reopen_failed;      /* the last reopen failed and was said */
};

/* n bytes of p to fd; *done how many went.  0, or -1 with errno. */
static int write_all(int fd, const char *p, size_t n, size_t *done)
{
	ssize_t w;

	*done = 0;
	while (*done < n) {
		w = write(fd, p + *done, n - *done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		*done += (size_t)w;
	}
	return 0;
}

static uint64_t count_lines(const char *p, size_t n)
{
	uint64_t c = 0;
	const char *e = p + n, *q;

	while (p < e && (q = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		c++;
		p = q + 1;
	}
	return c;
}

/* The size of a regular file, -1 for anything else. */
static off_t regular_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return st.st_size;
}

/*
 * Whole lines p[0..n) to the descriptor.  On a failure the lines not
 * written are counted as dropped, and a regular file is cut back to the
 * end of the last whole line.  0 or -1.
 */
static int put_lines(struct out *o, struct file_out *f, const char *p, size_t n)
{
	off_t start = regular_size(f->fd);
	size_t done, keep;
	const char *nl;

	if (write_all(f->fd, p, n, &done) == 0)
		return 0;
	o->err_no = errno;
	keep = done;
	if (done > 0 && done < n && start >= 0) {
		nl = memrchr(p, '\n', done);
		keep = nl != NULL ? (size_t)(nl - p) + 1 : 0;
		if (ftruncate(f->fd, start + (off_t)keep) != 0)
			keep = done;    /* the cut line stays; counted as lost below */
	}
	o->st.dropped += count_lines(p + keep, n - keep);
	return -1;
}

/* One line longer than the buffer (or to a terminal), and its newline. */
static int put_one(struct out *o, struct file_out *f, const char *line, size_t len)
{
	off_t start = regular_size(f->fd);
	size_t d1 = 0, d2 = 0;

	if (write_all(f->fd, line, len, &d1) == 0 && write_all(f->fd, "\n", 1, &d2) == 0)
		return 0;
	o->err_no = errno;
	if (d1 > 0 && start >= 0 && ftruncate(f->fd, start) != 0) {
		/* nothing better to do: the cut line stays */
	}
	o->st.dropped++;
	return -1;
}

/* Write what buf holds. */
static int drain(struct out *o, struct file_out *f)
{
	size_t n = f->len;

	f->len = 0;
	if (n == 0)
		return 0;
	return put_lines(o, f, f->buf, n);
}

static int open_path(const char *path, char *err, size_t errlen, const char *what)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);

	if (fd < 0)
		snprintf(err, errlen, "cannot %s output file %s: %s", what, path,
			 strerror(errno));
	return fd;
}

static int file_open(struct out *o, const char *target, char *err, size_t errlen)
{
	struct file_out *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->buf = malloc(FILE_BUF)) == NULL) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* absolute: a daemon's chdir("/") must not change which file a
	 * reopen names */
	f->path = cf_path_absolute(target, err, errlen);
	if (f->path == NULL || (f->fd = open_path(f->path, err, errlen, "open")) < 0) {
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
	f->fd = STDOUT_FILENO;
	/* no buffer of ours for a terminal (or without memory) */
	if (!isatty(STDOUT_FILENO))
		f->buf = malloc(FILE_BUF);
	o->priv = f;
	return 0;
}

static int file_write(struct out *o, const char *line, size_t len,
		      const struct cf_event_info *ev)
{
	struct file_out *f = o->priv;
	int rc = 0;

	(void)ev;
	if (f->buf != NULL) {
		if (len + 1 > FILE_BUF - f->len && drain(o, f) < 0)
			rc = -1;
		if (len + 1 <= FILE_BUF) {
			memcpy(f->buf + f->len, line, len);
			f->buf[f->len + len] = '\n';
			f->len += len + 1;
			return rc;
		}
		/* longer than the buffer: straight through */
	}
	return put_one(o, f, line, len) < 0 ? -1 : rc;
}

static int file_flush(struct out *o)
{
	return drain(o, o->priv);
}

static int file_reopen(struct out *o, char *err, size_t errlen)
{
	struct file_out *f = o->priv;
	int fd;

	if (f->path == NULL)
		return 0;
	fd = open_path(f->path, err, errlen, "reopen");
	if (fd < 0) {
		if (f->reopen_failed)
			return 0;       /* said already */
		f->reopen_failed = 1;
		snprintf(err + strlen(err), errlen - strlen(err), "; events go on to the "
			 "file open before (now renamed?) until a reopen succeeds");
		return -1;
	}
	f->reopen_failed = 0;
	(void)drain(o, f);      /* what was written before the rename */
	close(f->fd);
	f->fd = fd;
	return 0;
}

static int file_give(struct out *o, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct file_out *f = o->priv;

	return f->path == NULL ? 0 : cf_file_give(f->fd, f->path, uid, gid, err, errlen);
}

static void file_close(struct out *o)
{
	struct file_out *f = o->priv;

	if (f == NULL)
		return;
	(void)drain(o, f);
	if (f->path != NULL)
		close(f->fd);
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
	.give = file_give,
	.close = file_close,
};
