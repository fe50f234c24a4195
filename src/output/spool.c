/*
 * spool.c - the on-disk FIFO of a reliable output (see spool.h).
 *
 * Layout on disk: PATH is plain NDJSON, oldest line first; PATH.pos is one
 * line "INODE COMMIT" and carries the flock.  In memory the file is
 * [0, commit) delivered, [commit, read_off) handed to the output and not
 * yet confirmed, [read_off, size) unread.  Logical offsets are physical
 * ones plus base, which grows when the delivered head is cut off (the
 * file emptied, or compacted into PATH.tmp and renamed over PATH).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "output/spool.h"

#define READ_CHUNK 65536

struct cf_spool {
	char *path, *pos_path, *tmp_path;
	int fd, pos_fd;
	uint64_t max_bytes;
	unsigned fsync_every, unsynced;
	int pos_dirty;
	uint64_t base;            /* logical offset of the file's first byte */
	uint64_t size, commit, read_off;
	uint64_t unread_lines;
	char *buf;                /* file bytes [boff, boff + blen) */
	size_t bufcap, blen;
	uint64_t boff;
};

static char *cat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (s != NULL) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

/* pread exactly len bytes at off; -1 on error or a short file. */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* ---- opening and recovery ------------------------------------------- */

/* Cut a partial last line (a crash while appending). */
static int drop_partial_line(struct cf_spool *s)
{
	char buf[4096];
	uint64_t end = s->size, start;
	size_t n, i;

	while (end > 0) {
		start = end > sizeof(buf) ? end - sizeof(buf) : 0;
		n = (size_t)(end - start);
		if (read_at(s->fd, buf, n, start) < 0)
			return -1;
		for (i = n; i > 0; i--)
			if (buf[i - 1] == '\n')
				goto found;
		end = start;
	}
	i = 0;
	start = 0;
found:
	if (start + i == s->size)
		return 0;
	s->size = start + i;
	return ftruncate(s->fd, (off_t)s->size);
}

/* The committed offset from PATH.pos, when it belongs to this file. */
static void read_pos(struct cf_spool *s, uint64_t ino)
{
	char buf[64], nl;
	unsigned long long pino, pcommit;
	ssize_t n = pread(s->pos_fd, buf, sizeof(buf) - 1, 0);

	s->commit = 0;
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &pino, &pcommit) != 2 || pino != ino ||
	    pcommit > s->size)
		return;
	if (pcommit > 0 && (read_at(s->fd, &nl, 1, pcommit - 1) < 0 || nl != '\n'))
		return;
	s->commit = pcommit;
}

static int count_lines(struct cf_spool *s)
{
	char buf[READ_CHUNK];
	uint64_t off = s->commit;
	size_t n, i;

	s->unread_lines = 0;
	while (off < s->size) {
		n = s->size - off < sizeof(buf) ? (size_t)(s->size - off) : sizeof(buf);
		if (read_at(s->fd, buf, n, off) < 0)
			return -1;
		for (i = 0; i < n; i++)
			s->unread_lines += buf[i] == '\n';
		off += n;
	}
	return 0;
}

static int open_files(struct cf_spool *s, char *err, size_t errlen)
{
	s->pos_fd = open(s->pos_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->pos_fd < 0) {
		snprintf(err, errlen, "cannot open spool %s: %s", s->pos_path, strerror(errno));
		return -1;
	}
	if (flock(s->pos_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "spool %s is in use by another process (%s)",
			 s->path, strerror(errno));
		return -1;
	}
	s->fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->fd < 0) {
		snprintf(err, errlen, "cannot open spool %s: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int recover(struct cf_spool *s, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(s->fd, &st) < 0)
		goto fail;
	s->size = (uint64_t)st.st_size;
	if (drop_partial_line(s) < 0)
		goto fail;
	read_pos(s, (uint64_t)st.st_ino);
	s->read_off = s->commit;
	if (count_lines(s) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot read spool %s: %s", s->path, strerror(errno));
	return -1;
}

struct cf_spool *cf_spool_open(const char *path, uint64_t max_bytes,
			       unsigned fsync_every, char *err, size_t errlen)
{
	struct cf_spool *s = calloc(1, sizeof(*s));

	if (s == NULL)
		goto oom;
	s->fd = s->pos_fd = -1;
	s->max_bytes = max_bytes;
	s->fsync_every = fsync_every;
	s->path = strdup(path);
	s->pos_path = cat(path, ".pos");
	s->tmp_path = cat(path, ".tmp");
	if (s->path == NULL || s->pos_path == NULL || s->tmp_path == NULL)
		goto oom;
	if (open_files(s, err, errlen) < 0 || recover(s, err, errlen) < 0) {
		cf_spool_close(s);
		return NULL;
	}
	return s;
oom:
	snprintf(err, errlen, "out of memory");
	cf_spool_close(s);
	return NULL;
}

/* ---- accessors ------------------------------------------------------ */

uint64_t cf_spool_unread_lines(const struct cf_spool *s)
{
	return s->unread_lines;
}

uint64_t cf_spool_unread_bytes(const struct cf_spool *s)
{
	return s->size - s->read_off;
}

uint64_t cf_spool_size(const struct cf_spool *s)
{
	return s->size - s->commit;
}

const char *cf_spool_path(const struct cf_spool *s)
{
	return s->path;
}

/* ---- rebuilding the file -------------------------------------------- */

static int sync_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int fd, rc = 0;

	if (dir == NULL)
		return -1;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

/* Copy file bytes [from, size) to fd. */
static int copy_tail(struct cf_spool *s, int fd, uint64_t from)
{
	char buf[READ_CHUNK];
	size_t n;

	while (from < s->size) {
		n = s->size - from < sizeof(buf) ? (size_t)(s->size - from) : sizeof(buf);
		if (read_at(s->fd, buf, n, from) < 0 || write_all(fd, buf, n) < 0)
			return -1;
		from += n;
	}
	return 0;
}

/* Lines from next() into fd; their count in *n. */
static int write_lines(int fd, cf_spool_next_fn next, void *ctx, uint64_t *n)
{
	const char *line;
	size_t len;
	struct iovec iov[2];

	*n = 0;
	while (next != NULL && next(ctx, &line, &len) == 1) {
		iov[0].iov_base = (void *)line;
		iov[0].iov_len = len;
		iov[1].iov_base = (void *)"\n";
		iov[1].iov_len = 1;
		if (writev(fd, iov, 2) != (ssize_t)(len + 1))
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * New file = next()'s lines + bytes [from, size) of the old one, renamed
 * over PATH.  Leaves size set, and offsets for the caller to fix.
 */
static int rebuild(struct cf_spool *s, cf_spool_next_fn next, void *ctx,
		   uint64_t from, uint64_t *nlines)
{
	int fd = open(s->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	struct stat st;

	if (fd < 0)
		return -1;
	if (write_lines(fd, next, ctx, nlines) < 0 || copy_tail(s, fd, from) < 0 ||
	    fdatasync(fd) < 0 || fstat(fd, &st) < 0 || rename(s->tmp_path, s->path) < 0) {
		int e = errno;

		close(fd);
		unlink(s->tmp_path);
		errno = e;
		return -1;
	}
	close(s->fd);
	s->fd = open(s->path, O_RDWR | O_CLOEXEC);
	close(fd);
	sync_dir(s->path);
	s->size = (uint64_t)st.st_size;
	s->blen = 0;
	s->unsynced = 0;
	s->pos_dirty = 1;
	return s->fd < 0 ? -1 : 0;
}

/* Cut the delivered head [0, commit) off the file. */
static int compact(struct cf_spool *s)
{
	uint64_t cut = s->commit, n;

	if (cut == 0)
		return 0;
	if (rebuild(s, NULL, NULL, cut, &n) < 0)
		return -1;
	s->base += cut;
	s->read_off -= cut;
	s->commit = 0;
	return cf_spool_sync(s);
}

int cf_spool_rewrite(struct cf_spool *s, cf_spool_next_fn next, void *ctx)
{
	uint64_t n;

	if (rebuild(s, next, ctx, s->read_off, &n) < 0)
		return -1;
	s->base += s->read_off;
	s->commit = s->read_off = 0;
	s->unread_lines += n;
	return cf_spool_sync(s);
}

/* ---- appending, reading, committing --------------------------------- */

int cf_spool_append(struct cf_spool *s, const char *line, size_t len)
{
	struct iovec iov[2];
	ssize_t n;

	if (s->size + len + 1 > s->max_bytes && s->commit > 0 && compact(s) < 0)
		return -1;
	if (s->size + len + 1 > s->max_bytes)
		return -2;
	iov[0].iov_base = (void *)line;
	iov[0].iov_len = len;
	iov[1].iov_base = (void *)"\n";
	iov[1].iov_len = 1;
	n = pwritev(s->fd, iov, 2, (off_t)s->size);
	if (n != (ssize_t)(len + 1)) {
		int e = n < 0 ? errno : ENOSPC;

		if (ftruncate(s->fd, (off_t)s->size) < 0)
			e = errno;
		errno = e;
		return -1;
	}
	s->size += len + 1;
	s->unread_lines++;
	if (s->fsync_every > 0 && ++s->unsynced >= s->fsync_every) {
		if (fdatasync(s->fd) < 0)
			return -1;
		s->unsynced = 0;
	} else if (s->fsync_every == 0) {
		s->unsynced++;
	}
	return 0;
}

/* Load file bytes from read_off on, at least twice what was there. */
static int fill(struct cf_spool *s)
{
	size_t had = 0, want;
	uint64_t left = s->size - s->read_off;
	char *nb;

	if (s->read_off >= s->boff && s->read_off < s->boff + s->blen)
		had = (size_t)(s->boff + s->blen - s->read_off);
	want = had * 2 > READ_CHUNK ? had * 2 : READ_CHUNK;
	if (want > left)
		want = (size_t)left;
	if (want <= had) {      /* no newline up to the end of the file */
		errno = EIO;
		return -1;
	}
	if (want > s->bufcap) {
		nb = realloc(s->buf, want);
		if (nb == NULL)
			return -1;
		s->buf = nb;
		s->bufcap = want;
	}
	if (read_at(s->fd, s->buf, want, s->read_off) < 0)
		return -1;
	s->boff = s->read_off;
	s->blen = want;
	return 0;
}

int cf_spool_read(struct cf_spool *s, const char **line, size_t *len, uint64_t *end)
{
	const char *p, *nl;
	size_t avail;

	while (s->read_off < s->size) {
		if (s->read_off >= s->boff && s->read_off < s->boff + s->blen) {
			p = s->buf + (s->read_off - s->boff);
			avail = (size_t)(s->boff + s->blen - s->read_off);
			nl = memchr(p, '\n', avail);
			if (nl != NULL) {
				*line = p;
				*len = (size_t)(nl - p);
				s->read_off += *len + 1;
				*end = s->base + s->read_off;
				s->unread_lines--;
				return 1;
			}
		}
		if (fill(s) < 0)
			return -1;
	}
	return 0;
}

void cf_spool_commit(struct cf_spool *s, uint64_t end)
{
	uint64_t phys;

	if (end <= s->base)
		return;
	phys = end - s->base;
	if (phys > s->read_off)
		phys = s->read_off;
	if (phys > s->commit) {
		s->commit = phys;
		s->pos_dirty = 1;
	}
	if (s->commit == s->size && s->read_off == s->size && s->size > 0 &&
	    ftruncate(s->fd, 0) == 0) {
		s->base += s->size;
		s->size = s->commit = s->read_off = 0;
		s->blen = 0;
		s->unsynced = 0;
	}
}

int cf_spool_sync(struct cf_spool *s)
{
	char buf[64];
	struct stat st;
	int n;

	if (s->unsynced > 0) {
		if (fdatasync(s->fd) < 0)
			return -1;
		s->unsynced = 0;
	}
	if (!s->pos_dirty)
		return 0;
	if (fstat(s->fd, &st) < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu64 "\n",
		     (uint64_t)st.st_ino, s->commit);
	if (pwrite(s->pos_fd, buf, (size_t)n, 0) != n ||
	    ftruncate(s->pos_fd, n) < 0 || fdatasync(s->pos_fd) < 0)
		return -1;
	s->pos_dirty = 0;
	return 0;
}

void cf_spool_close(struct cf_spool *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0 && s->pos_fd >= 0)
		cf_spool_sync(s);
	if (s->fd >= 0)
		close(s->fd);
	if (s->pos_fd >= 0)
		close(s->pos_fd);
	free(s->buf);
	free(s->path);
	free(s->pos_path);
	free(s->tmp_path);
	free(s);
}
