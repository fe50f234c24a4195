/*
 * output-queue.c - the memory queue and spool of a reliable output.
 *
 * Order is kept across both: the memory queue holds the oldest events and
 * the spool the newer ones, so a new event goes to memory only while the
 * spool has nothing unread; the queue is refilled from the spool as the
 * destination takes events.  With a spool the backlog (memory + unread
 * spool) is bounded by spool-max bytes, without one by queue=N events;
 * an event that does not fit is dropped and counted, the ones after it
 * still get their chance.
 *
 * An entry stays in memory until the destination confirmed it; entries
 * read back from the spool commit their spool offset when confirmed, so
 * a crash replays them rather than losing them.
 *
 * What may reach the destination twice is marked (entry->again): entries
 * sent on a connection that broke before the peer acknowledged them, and
 * every line of a spool left by an earlier run (that run may have sent
 * it before it died, and not lived to record it).  RFC 5424 transports
 * send those with OQ_AGAIN_SD in place of the empty structured data.
 */
#define _GNU_SOURCE             /* memmem */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/output-int.h"
#include "output/spool.h"

void outq_init(struct outq *q, uint64_t max_n, uint64_t max_backlog,
	       struct cf_spool *spool, struct cf_output_stats *st)
{
	memset(q, 0, sizeof(*q));
	q->max_n = max_n;
	q->max_backlog = max_backlog;
	q->spool = spool;
	q->st = st;
	q->next_seq = 1;
	q->old_lines = spool != NULL ? cf_spool_unread_lines(spool) : 0;
}

/*
 * Where the structured data of an RFC 5424 message is, if it is the
 * NILVALUE: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG".  0: not found.
 */
static size_t sd_nil_offset(const char *d, size_t len)
{
	size_t i, spaces = 0, lim = len < 512 ? len : 512;

	if (len < 4 || d[0] != '<')
		return 0;
	for (i = 1; i < lim; i++) {
		if (d[i] != ' ')
			continue;
		if (++spaces == 6)
			return i + 2 < len && d[i + 1] == '-' && d[i + 2] == ' ' ? i + 1 : 0;
	}
	return 0;
}

size_t outq_wire(const struct outq *q, const struct outq_entry *e,
		 struct iovec seg[OQ_WIRE_PIECES], int *nseg, char pfx[16])
{
	static const char mark[] = OQ_AGAIN_SD;
	size_t sd = 0, body, n = 0;
	int k = 0, pl;

	if (q->framing == OQ_FRAME_LF) {
		seg[0].iov_base = (void *)e->data;
		seg[0].iov_len = (size_t)e->len + 1;
		*nseg = 1;
		return (size_t)e->len + 1;
	}
	if (e->again && q->mark_again)
		sd = sd_nil_offset(e->data, e->len);
	body = sd != 0 ? e->len - 1 + sizeof(mark) - 1 : e->len;
	if (q->framing == OQ_FRAME_OCTETS) {
		pl = snprintf(pfx, 16, "%zu ", body);
		seg[k].iov_base = pfx;
		seg[k++].iov_len = (size_t)pl;
		n += (size_t)pl;
	}
	if (sd != 0) {
		seg[k].iov_base = (void *)e->data;
		seg[k++].iov_len = sd;
		seg[k].iov_base = (void *)mark;
		seg[k++].iov_len = sizeof(mark) - 1;
		seg[k].iov_base = (void *)(e->data + sd + 1);
		seg[k++].iov_len = e->len - sd - 1;
	} else {
		seg[k].iov_base = (void *)e->data;
		seg[k++].iov_len = e->len;
	}
	*nseg = k;
	return n + body;
}

static uint64_t wire_len(const struct outq *q, const struct outq_entry *e)
{
	struct iovec seg[OQ_WIRE_PIECES];
	char pfx[16];
	int k;

	return q->framing == OQ_FRAME_LF ? (uint64_t)e->len + 1 : outq_wire(q, e, seg, &k, pfx);
}

/*
 * A line read back from the spool has no key: take it from the line's
 * network.community_id ("community_id":"...").  Our lines are compact
 * JSON, and a quote inside a string value is always escaped, so the
 * pattern can only be the key itself.
 */
static const char *key_from_line(const char *line, size_t len, size_t *klen)
{
	static const char pat[] = "\"community_id\":\"";
	const char *p = line, *end = line + len, *q;

	while (p < end && (p = memmem(p, (size_t)(end - p), pat, sizeof(pat) - 1)) != NULL) {
		p += sizeof(pat) - 1;
		q = memchr(p, '"', (size_t)(end - p));
		if (q == NULL)
			return NULL;
		*klen = (size_t)(q - p);
		return p;
	}
	return NULL;
}

static struct outq_entry *entry_new(struct outq *q, const char *line, size_t len,
				    const char *key, size_t keylen)
{
	struct outq_entry *e = malloc(sizeof(*e) + len + 1 + keylen + 1);

	if (e == NULL)
		return NULL;
	e->next = NULL;
	e->seq = q->next_seq++;
	e->spool_end = 0;
	e->len = (uint32_t)len;
	e->state = OQ_UNSENT;
	e->again = 0;
	memcpy(e->data, line, len);
	e->data[len] = '\n';
	e->key = NULL;
	e->keylen = 0;
	if (key != NULL) {
		memcpy(e->data + len + 1, key, keylen);
		e->data[len + 1 + keylen] = '\0';
		e->key = e->data + len + 1;
		e->keylen = keylen;
	}
	return e;
}

static void append(struct outq *q, struct outq_entry *e)
{
	if (q->tail != NULL)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	if (q->send == NULL) {
		q->send = e;
		q->send_off = 0;
	}
	q->n++;
	q->bytes += (uint64_t)e->len + 1;
}

static uint64_t backlog(const struct outq *q)
{
	return q->bytes + (q->spool != NULL ? cf_spool_unread_bytes(q->spool) : 0);
}

static int to_memory(struct outq *q, const char *line, size_t len, const char *key)
{
	struct outq_entry *e = entry_new(q, line, len, key, key ? strlen(key) : 0);

	if (e == NULL)
		return -1;
	append(q, e);
	q->st->queued++;
	return 0;
}

int outq_push(struct outq *q, const char *line, size_t len, const char *key)
{
	int rc;

	if (len > UINT32_MAX - 1)
		goto drop;
	if (q->spool == NULL) {
		if (q->n >= q->max_n || to_memory(q, line, len, key) < 0)
			goto drop;
		return 0;
	}
	if (backlog(q) + len + 1 > q->max_backlog)
		goto drop;
	if (cf_spool_unread_lines(q->spool) == 0 && q->n < q->max_n &&
	    to_memory(q, line, len, key) == 0)
		return 0;
	rc = cf_spool_append(q->spool, line, len);
	if (rc < 0)
		goto drop;
	q->st->spooled++;
	return 0;
drop:
	q->st->dropped++;
	return -1;
}

void outq_refill(struct outq *q)
{
	struct outq_entry *e;
	const char *line, *key;
	size_t len, klen = 0;
	uint64_t end;

	while (q->spool != NULL && q->n < q->max_n &&
	       cf_spool_read(q->spool, &line, &len, &end) == 1) {
		key = key_from_line(line, len, &klen);
		e = entry_new(q, line, len, key, key != NULL ? klen : 0);
		if (e == NULL)
			return;         /* the spool offset moved: replayed after a restart */
		e->spool_end = end;
		if (q->old_lines > 0) {
			e->again = 1;
			q->old_lines--;
		}
		append(q, e);
	}
}

void outq_sent(struct outq *q)
{
	if (q->send == NULL)
		return;
	q->send->state = OQ_INFLIGHT;
	q->send = q->send->next;
	while (q->send != NULL && q->send->state != OQ_UNSENT)
		q->send = q->send->next;
	q->send_off = 0;
}

/* Remove the head entry; delivered says whether the destination has it. */
static void pop(struct outq *q, int delivered)
{
	struct outq_entry *e = q->head;

	q->head = e->next;
	if (q->head == NULL)
		q->tail = NULL;
	if (q->send == e) {
		q->send = e->next;
		q->send_off = 0;
	}
	q->n--;
	q->bytes -= (uint64_t)e->len + 1;
	if (e->spool_end != 0) {
		cf_spool_commit(q->spool, e->spool_end);
		if (delivered)
			q->st->replayed++;
	}
	if (delivered)
		q->st->delivered++;
	free(e);
}

void outq_ack_bytes(struct outq *q, uint64_t n)
{
	uint64_t w;

	q->credit += n;
	while (q->head != NULL && q->head->state == OQ_INFLIGHT &&
	       q->credit >= (w = wire_len(q, q->head))) {
		q->credit -= w;
		pop(q, 1);
	}
}

void outq_done(struct outq *q, struct outq_entry *e)
{
	e->state = OQ_DONE;
	while (q->head != NULL && q->head->state == OQ_DONE)
		pop(q, 1);
}

void outq_retry(struct outq *q, struct outq_entry *e)
{
	e->state = OQ_UNSENT;
	q->send = q->head;
	while (q->send != NULL && q->send->state != OQ_UNSENT)
		q->send = q->send->next;
	q->send_off = 0;
}

void outq_rewind(struct outq *q)
{
	struct outq_entry *e;

	if (q->send != NULL && q->send_off > 0)
		q->send->again = 1;             /* its first bytes went out */
	for (e = q->head; e != NULL; e = e->next)
		if (e->state == OQ_INFLIGHT) {
			e->state = OQ_UNSENT;
			e->again = 1;
		}
	q->send = q->head;
	while (q->send != NULL && q->send->state != OQ_UNSENT)
		q->send = q->send->next;
	q->send_off = 0;
	q->credit = 0;
}

void outq_discard(struct outq *q, struct outq_entry *e)
{
	q->st->dropped++;
	e->state = OQ_DONE;
	if (q->send == e)
		outq_sent(q);
	while (q->head != NULL && q->head->state == OQ_DONE)
		pop(q, q->head != e);
}

uint64_t outq_pending(const struct outq *q)
{
	return q->n + (q->spool != NULL ? cf_spool_unread_lines(q->spool) : 0);
}

void outq_sync(struct outq *q)
{
	if (q->spool != NULL)
		cf_spool_sync(q->spool);
}

/* cf_spool_next_fn over the memory queue; advances *ctx. */
static int next_entry(void *ctx, const char **line, size_t *len)
{
	struct outq_entry **cur = ctx;

	while (*cur != NULL && (*cur)->state == OQ_DONE)   /* delivered out of order */
		*cur = (*cur)->next;
	if (*cur == NULL)
		return 0;
	*line = (*cur)->data;
	*len = (*cur)->len;
	*cur = (*cur)->next;
	return 1;
}

int outq_close(struct outq *q, uint64_t *kept)
{
	struct outq_entry *cur = q->head, *e;
	int rc = 0, lost = q->spool == NULL;

	*kept = 0;
	if (q->spool != NULL) {
		if (q->head != NULL && cf_spool_rewrite(q->spool, next_entry, &cur) < 0)
			rc = -1, lost = 1;
		*kept = cf_spool_unread_lines(q->spool);
		cf_spool_close(q->spool);
		q->spool = NULL;
	}
	while ((e = q->head) != NULL) {
		q->head = e->next;
		if (lost)
			q->st->dropped++;
		free(e);
	}
	q->tail = q->send = NULL;
	q->n = q->bytes = 0;
	return rc;
}
