/*
 * test-spool.c - the on-disk spool (spool.c) and the memory queue in front
 * of it (output-queue.c): order across memory and disk, the backlog bound
 * with exact drop counts, recovery after a crash (partial last line,
 * committed offset), compaction, the exit rewrite, the lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "output/output-int.h"
#include "output/spool.h"

static char dir[64];

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* The file's whole content into buf (NUL-terminated); its length. */
static size_t slurp(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp != NULL) {
		n = fread(buf, 1, len - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return n;
}

static int read_line(struct cf_spool *s, char *out, size_t len, uint64_t *end)
{
	const char *line;
	size_t n;
	int rc = cf_spool_read(s, &line, &n, end);

	if (rc == 1)
		snprintf(out, len, "%.*s", (int)n, line);
	return rc;
}

static void test_fifo(void)
{
	char p[128], buf[64], err[256];
	uint64_t end1, end2;
	struct cf_spool *s;

	path_of(p, sizeof(p), "fifo.spool");
	s = cf_spool_open(p, 1 << 20, 1, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(cf_spool_append(s, "one", 3), 0);
	CHECK_INT(cf_spool_append(s, "two", 3), 0);
	CHECK_INT(cf_spool_unread_lines(s), 2);
	CHECK_INT(cf_spool_unread_bytes(s), 8);
	CHECK_INT(read_line(s, buf, sizeof(buf), &end1), 1);
	CHECK_STR(buf, "one");
	CHECK_INT(read_line(s, buf, sizeof(buf), &end2), 1);
	CHECK_STR(buf, "two");
	CHECK_INT(read_line(s, buf, sizeof(buf), &end2), 0);
	CHECK_INT(cf_spool_unread_lines(s), 0);
	cf_spool_commit(s, end1);
	CHECK_INT(cf_spool_size(s), 4);
	cf_spool_commit(s, end2);               /* all delivered: emptied */
	CHECK_INT(cf_spool_size(s), 0);
	CHECK_INT(cf_spool_append(s, "three", 5), 0);
	CHECK_INT(read_line(s, buf, sizeof(buf), &end1), 1);
	CHECK_STR(buf, "three");
	CHECK(end1 > end2);                     /* logical offsets keep growing */
	cf_spool_close(s);
	CHECK_INT(slurp(p, buf, sizeof(buf)), 6);
	CHECK_STR(buf, "three\n");
}

/* A crash: a partial last line, and a committed offset to resume from. */
static void test_recovery(void)
{
	char p[128], pos[140], buf[256], err[256];
	struct cf_spool *s;
	uint64_t end;
	FILE *fp;

	path_of(p, sizeof(p), "crash.spool");
	s = cf_spool_open(p, 1 << 20, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	cf_spool_append(s, "a1", 2);
	cf_spool_append(s, "a2", 2);
	cf_spool_append(s, "a3", 2);
	read_line(s, buf, sizeof(buf), &end);
	cf_spool_commit(s, end);                /* a1 delivered */
	read_line(s, buf, sizeof(buf), &end);   /* a2 handed out, not confirmed */
	cf_spool_sync(s);
	cf_spool_close(s);
	fp = fopen(p, "a");
	fputs("{\"half", fp);                   /* killed while appending */
	fclose(fp);
	s = cf_spool_open(p, 1 << 20, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(cf_spool_unread_lines(s), 2);
	CHECK_INT(read_line(s, buf, sizeof(buf), &end), 1);
	CHECK_STR(buf, "a2");
	CHECK_INT(read_line(s, buf, sizeof(buf), &end), 1);
	CHECK_STR(buf, "a3");
	CHECK_INT(read_line(s, buf, sizeof(buf), &end), 0);
	cf_spool_close(s);
	/* a PATH.pos of another file (inode) is not trusted: start at 0 */
	snprintf(pos, sizeof(pos), "%s.pos", p);
	fp = fopen(pos, "w");
	fputs("1 3\n", fp);
	fclose(fp);
	s = cf_spool_open(p, 1 << 20, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_INT(cf_spool_unread_lines(s), 3);
		cf_spool_close(s);
	}
}

static void test_bound_and_compaction(void)
{
	char p[128], buf[64], err[256];
	struct cf_spool *s;
	uint64_t end;

	path_of(p, sizeof(p), "bound.spool");
	s = cf_spool_open(p, 20, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(cf_spool_append(s, "aaaaaaaaa", 9), 0);      /* 10 bytes */
	CHECK_INT(cf_spool_append(s, "bbbbbbbbb", 9), 0);      /* 20 bytes */
	CHECK_INT(cf_spool_append(s, "c", 1), -2);             /* full */
	read_line(s, buf, sizeof(buf), &end);
	cf_spool_commit(s, end);                                /* 10 bytes dead */
	CHECK_INT(cf_spool_append(s, "cccc", 4), 0);           /* compacted first */
	CHECK_INT(read_line(s, buf, sizeof(buf), &end), 1);
	CHECK_STR(buf, "bbbbbbbbb");
	CHECK_INT(read_line(s, buf, sizeof(buf), &end), 1);
	CHECK_STR(buf, "cccc");
	cf_spool_close(s);
	CHECK_INT(slurp(p, buf, sizeof(buf)), 15);
	CHECK_STR(buf, "bbbbbbbbb\ncccc\n");
}

static int next_two(void *ctx, const char **line, size_t *len)
{
	int *i = ctx;
	static const char *const lines[] = { "m1", "m2" };

	if (*i >= 2)
		return 0;
	*line = lines[*i];
	*len = 2;
	(*i)++;
	return 1;
}

static void test_rewrite_and_lock(void)
{
	char p[128], buf[64], err[256];
	struct cf_spool *s, *t;
	uint64_t end;
	int i = 0;

	path_of(p, sizeof(p), "rewrite.spool");
	s = cf_spool_open(p, 1 << 20, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	t = cf_spool_open(p, 1 << 20, 0, err, sizeof(err));
	CHECK(t == NULL);
	CHECK(strstr(err, "in use by another process") != NULL);
	cf_spool_append(s, "old", 3);
	cf_spool_append(s, "s1", 2);
	read_line(s, buf, sizeof(buf), &end);   /* "old": in memory, given back by next() */
	CHECK_INT(cf_spool_rewrite(s, next_two, &i), 0);
	CHECK_INT(cf_spool_unread_lines(s), 3);
	cf_spool_close(s);
	slurp(p, buf, sizeof(buf));
	CHECK_STR(buf, "m1\nm2\ns1\n");
}

/* ---- the memory queue ------------------------------------------------- */

static void push_n(struct outq *q, int from, int to, int *taken)
{
	char line[32];
	int i;

	for (i = from; i <= to; i++) {
		snprintf(line, sizeof(line), "event-%03d", i);   /* 9 bytes + newline */
		if (outq_push(q, line, 9, NULL) == 0)
			(*taken)++;
	}
}

/*
 * Memory first (queue=3), then the spool, then drops at spool-max; order
 * kept through refills and acknowledgements; everything left goes to the
 * spool at exit, in order.
 */
static void test_queue_order_and_bound(void)
{
	struct cf_output_stats st;
	struct outq q;
	struct cf_spool *s;
	char p[128], buf[512], err[256];
	uint64_t kept;
	int taken = 0;

	memset(&st, 0, sizeof(st));
	path_of(p, sizeof(p), "queue.spool");
	s = cf_spool_open(p, 1 << 20, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	outq_init(&q, 3, 100, s, &st);          /* backlog bound: 10 events */
	push_n(&q, 1, 12, &taken);
	CHECK_INT(taken, 10);
	CHECK_INT(st.queued, 3);
	CHECK_INT(st.spooled, 7);
	CHECK_INT(st.dropped, 2);
	CHECK_INT(outq_pending(&q), 10);
	/* a stream peer took the first two and a half lines */
	CHECK_INT(q.head->seq, 1);
	CHECK(memcmp(q.head->data, "event-001\n", 10) == 0);
	outq_sent(&q);
	outq_sent(&q);
	q.send_off = 5;
	outq_ack_bytes(&q, 25);
	CHECK_INT(st.delivered, 2);
	CHECK_INT(q.n, 1);
	outq_refill(&q);                        /* two lines back from the spool */
	CHECK_INT(q.n, 3);
	CHECK_INT(q.tail->spool_end != 0, 1);
	/* the connection broke: event-003 is sent again from its start */
	outq_rewind(&q);
	CHECK(q.send == q.head);
	CHECK_INT(q.send_off, 0);
	CHECK_INT(q.head->seq, 3);
	push_n(&q, 13, 13, &taken);             /* behind the spool, not in memory */
	CHECK_INT(st.spooled, 8);
	CHECK_INT(outq_close(&q, &kept), 0);
	CHECK_INT(kept, 9);
	slurp(p, buf, sizeof(buf));
	CHECK_STR(buf, "event-003\nevent-004\nevent-005\nevent-006\nevent-007\n"
		  "event-008\nevent-009\nevent-010\nevent-013\n");
}

/* Without a spool the bound is queue=N events, and what is left at exit is lost. */
static void test_queue_no_spool(void)
{
	struct cf_output_stats st;
	struct outq q;
	uint64_t kept;
	int taken = 0;

	memset(&st, 0, sizeof(st));
	outq_init(&q, 4, 100, NULL, &st);
	push_n(&q, 1, 6, &taken);
	CHECK_INT(taken, 4);
	CHECK_INT(st.dropped, 2);
	outq_sent(&q);
	outq_done(&q, q.head);
	CHECK_INT(st.delivered, 1);
	CHECK_INT(outq_close(&q, &kept), 0);
	CHECK_INT(kept, 0);
	CHECK_INT(st.dropped, 5);
}

/* Kafka: delivered out of order across partitions, popped in order. */
static void test_queue_out_of_order(void)
{
	struct cf_output_stats st;
	struct outq q;
	struct outq_entry *first, *second;
	uint64_t kept;
	int taken = 0;

	memset(&st, 0, sizeof(st));
	outq_init(&q, 10, 1000, NULL, &st);
	push_n(&q, 1, 3, &taken);
	first = q.head;
	second = first->next;
	outq_sent(&q);
	outq_sent(&q);
	outq_done(&q, second);
	CHECK_INT(q.n, 3);
	CHECK_INT(st.delivered, 0);
	outq_retry(&q, first);                  /* failed: sent again first */
	CHECK(q.send == first);
	outq_sent(&q);
	outq_done(&q, first);
	CHECK_INT(st.delivered, 2);
	CHECK_INT(q.n, 1);
	outq_close(&q, &kept);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cf-spool-test.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_fifo);
	RUN(test_recovery);
	RUN(test_bound_and_compaction);
	RUN(test_rewrite_and_lock);
	RUN(test_queue_order_and_bound);
	RUN(test_queue_no_spool);
	RUN(test_queue_out_of_order);
	if (harness_failed == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return harness_done();
}
