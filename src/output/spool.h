/*
 * spool.h - an on-disk FIFO of event lines for one reliable output.
 *
 * The spool file PATH holds NDJSON lines, oldest first, so it can be read
 * with ordinary tools.  PATH.pos holds "INODE COMMIT": the byte offset in
 * the file up to which the lines were delivered; it also carries the lock
 * (flock) that keeps two processes off one spool.  Offsets given to and
 * returned by this module are logical: they never move when the file is
 * compacted or emptied.
 *
 * Durability: appended lines are fdatasync'ed every fsync_every lines and
 * at each cf_spool_sync (the outputs call it about once a second and at
 * exit); PATH.pos is rewritten and synced at each cf_spool_sync.  After a
 * crash a line is delivered at least once: a committed offset that does not
 * belong to the current file (other inode) is taken as 0.
 */
#ifndef CF_SPOOL_H
#define CF_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct cf_spool;

/*
 * Open or create the spool at path (its directory must exist), lock it,
 * drop a partial last line, and position the reader at the committed
 * offset.  max_bytes bounds the file; fsync_every 0 syncs only at
 * cf_spool_sync.  NULL with a message in err.
 */
struct cf_spool *cf_spool_open(const char *path, uint64_t max_bytes,
			       unsigned fsync_every, char *err, size_t errlen);

/* Lines and bytes (newlines included) not read back yet. */
uint64_t cf_spool_unread_lines(const struct cf_spool *s);
uint64_t cf_spool_unread_bytes(const struct cf_spool *s);
/* Bytes the file holds now (committed part excluded). */
uint64_t cf_spool_size(const struct cf_spool *s);
const char *cf_spool_path(const struct cf_spool *s);

/*
 * Append one line (len bytes, a newline is added).  Compacts the file
 * first when it would pass max_bytes.  0 done, -1 I/O error (errno set), -2
 * no room even after compaction.
 */
int cf_spool_append(struct cf_spool *s, const char *line, size_t len);

/*
 * The next unread line: *line points into the spool's buffer (valid until
 * the next call), *len excludes the newline, *end is the logical offset
 * just past it (for cf_spool_commit).  1 a line, 0 none, -1 I/O error.
 */
int cf_spool_read(struct cf_spool *s, const char **line, size_t *len, uint64_t *end);

/*
 * Everything before logical offset end was delivered.  When everything
 * read was delivered and nothing is unread, the file is emptied.
 */
void cf_spool_commit(struct cf_spool *s, uint64_t end);

/* fdatasync appended lines and write PATH.pos. 0 or -1 (errno). */
int cf_spool_sync(struct cf_spool *s);

/*
 * Put lines in front of the unread part: the new file holds the lines next()
 * gives (1 a line, 0 no more), then the unread lines; what was read but
 * not committed is dropped from the file (the caller gives it again through
 * next()).  Used at exit for what is still in memory.  0 or -1 (errno).
 */
typedef int (*cf_spool_next_fn)(void *ctx, const char **line, size_t *len);
int cf_spool_rewrite(struct cf_spool *s, cf_spool_next_fn next, void *ctx);

/* Sync and close. */
void cf_spool_close(struct cf_spool *s);

#endif /* CF_SPOOL_H */
