/*
 * output-sock.c - the socket transports behind tcp:, unix: and unixgram:
 * outputs: non-blocking connect with back-off, sending from the memory
 * queue, and knowing what the peer has.
 *
 * Stream sockets: an event counts as delivered once the peer has it, as
 * SIOCOUTQ tells: for TCP the bytes written but not yet acknowledged by
 * the peer's TCP; for a unix stream socket the memory (payload and
 * overhead, so at least the bytes) of what the peer has not read yet,
 * which makes written - SIOCOUTQ a safe lower bound of what it read.  When the
 * connection breaks, everything not acknowledged is sent again on the next
 * connection, so an event may arrive twice, never zero times.  A unix
 * peer that closes throws away what it had not read, and SIOCOUTQ then
 * falls to 0: the count is only trusted when the peer was still there
 * after it was taken.
 *
 * Datagram sockets: an event is delivered when send() took it.  One that
 * is too big for a datagram is dropped and counted.
 *
 * Framing (outq_wire): a newline after each event (NDJSON), RFC 6587
 * octet counting (syslog-tcp, syslog-tls) or none (datagrams).
 *
 * TLS (syslog-tls, tls.h): after the TCP connection, the handshake; then
 * the framed bytes go through cf_tls_write from a staging buffer.
 * SIOCOUTQ then counts record bytes, not ours: after each write we note
 * (record bytes written so far, our bytes so far), and our bytes count as
 * acknowledged once the record bytes up to their note are.
 */
#define _GNU_SOURCE             /* POLLRDHUP */
#include "config.h"

#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "output/output-int.h"
#include "output/tls.h"

#define BACKOFF_MIN 0.2         /* seconds before the first reconnection */
#define BACKOFF_MAX 5.0
#define CONNECT_TIMEOUT 10.0
#define MAX_IOV 64
#define TLS_STAGE 16384         /* plaintext bytes handed to one cf_tls_write */
#define TLS_NOTES 256           /* write notes awaiting acknowledgement */

enum { S_DOWN = 0, S_CONNECTING, S_HANDSHAKE, S_UP };

struct tls_note {
	uint64_t wire, plain;   /* record bytes, our bytes: written so far */
};

struct sock_out {
	struct out *o;
	int fd, state;
	int dgram, acks_survive_close;
	sock_connect_fn connect;
	void *addr;
	void (*free_addr)(void *);
	double next_try, backoff, deadline;
	uint64_t sent, acked;           /* stream bytes on this connection */
	int down_logged, last_err;
	int big_logged;
	int framing, mark;
	/* TLS */
	struct cf_tls_ctx *tls_ctx;
	char *tls_name;
	struct cf_tls *tls;
	char *stage;
	struct tls_note notes[TLS_NOTES];
	unsigned note_head, note_n;
	char tls_err[256];
};

struct sock_out *sock_new(struct out *o, int dgram, int acks_survive_close,
			  sock_connect_fn fn, void *addr, void (*free_addr)(void *))
{
	struct sock_out *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->o = o;
	s->fd = -1;
	s->dgram = dgram;
	s->acks_survive_close = acks_survive_close;
	s->connect = fn;
	s->addr = addr;
	s->free_addr = free_addr;
	s->backoff = BACKOFF_MIN;
	s->framing = dgram ? OQ_FRAME_DGRAM : OQ_FRAME_LF;
	return s;
}

void sock_set_framing(struct out *o, int framing, int mark)
{
	struct sock_out *s = o->priv;

	s->framing = framing;
	s->mark = mark;
}

int sock_set_tls(struct out *o, struct cf_tls_ctx *ctx, const char *name,
		 char *err, size_t errlen)
{
	struct sock_out *s = o->priv;

	s->tls_ctx = ctx;
	s->tls_name = strdup(name);
	s->stage = malloc(TLS_STAGE);
	if (s->tls_name == NULL || s->stage == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void *sock_addr(struct sock_out *s)
{
	return s->addr;
}

static void drop_fd(struct sock_out *s)
{
	cf_tls_free(s->tls);
	s->tls = NULL;
	s->note_head = s->note_n = 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = S_DOWN;
}

/*
 * A connection attempt failed: wait, longer each time.  why: a TLS
 * failure (said every time it changes), else strerror(err).
 */
static void failed_why(struct sock_out *s, double now, int err, const char *why)
{
	int say = !s->down_logged || err != s->last_err;

	drop_fd(s);
	s->next_try = now + s->backoff;
	s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : s->backoff * 2;
	if (why != NULL) {
		say = say || strncmp(why, s->tls_err, sizeof(s->tls_err) - 1) != 0;
		snprintf(s->tls_err, sizeof(s->tls_err), "%s", why);
	}
	if (say)
		out_log(s->o, "cannot connect: %s; holding events until it is back",
			why != NULL ? why : strerror(err));
	s->down_logged = 1;
	s->last_err = err;
}

static void failed(struct sock_out *s, double now, int err)
{
	failed_why(s, now, err, NULL);
}

static void up(struct sock_out *s)
{
	s->state = S_UP;
	s->sent = s->acked = 0;
	s->backoff = BACKOFF_MIN;
	if (s->down_logged)
		out_log(s->o, "connected; sending %llu held event(s)",
			(unsigned long long)outq_pending(&s->o->q));
	s->down_logged = 0;
	s->last_err = 0;
	s->tls_err[0] = '\0';
}

/* TCP is up: start TLS, or the connection is usable. */
static void connected(struct sock_out *s, double now)
{
	char err[256];

	if (s->tls_ctx == NULL) {
		up(s);
		return;
	}
	s->tls = cf_tls_new(s->tls_ctx, s->fd, s->tls_name, err, sizeof(err));
	if (s->tls == NULL) {
		failed_why(s, now, EPROTO, err);
		return;
	}
	s->state = S_HANDSHAKE;
	s->deadline = now + CONNECT_TIMEOUT;
}

static void check_handshake(struct sock_out *s, double now)
{
	char err[256];
	int rc = cf_tls_handshake(s->tls, err, sizeof(err));

	if (rc > 0)
		up(s);
	else if (rc < 0)
		failed_why(s, now, EPROTO, err);
	else if (now >= s->deadline)
		failed_why(s, now, ETIMEDOUT, "TLS handshake timed out");
}

/*
 * Of sent bytes, how many the peer has, given the socket's unacknowledged
 * byte count: ours directly, or through the notes with TLS.
 */
static uint64_t acked_of(struct sock_out *s, uint64_t unacked)
{
	uint64_t wire, plain = s->acked;

	if (s->tls == NULL)
		return unacked <= s->sent ? s->sent - unacked : s->acked;
	wire = cf_tls_wire_bytes(s->tls);
	if (unacked > wire)
		return s->acked;
	wire -= unacked;
	while (s->note_n > 0 && s->notes[s->note_head].wire <= wire) {
		plain = s->notes[s->note_head].plain;
		s->note_head = (s->note_head + 1) % TLS_NOTES;
		s->note_n--;
	}
	return plain;
}

/*
 * The connection broke: resend whatever the peer has not confirmed.  A
 * TCP socket still knows what was acknowledged (even after a reset), so
 * that is taken in first.
 */
static void lost(struct sock_out *s, double now, int err)
{
	int unacked;
	uint64_t acked;

	if (s->acks_survive_close && s->state == S_UP &&
	    ioctl(s->fd, SIOCOUTQ, &unacked) == 0 && unacked >= 0 &&
	    (acked = acked_of(s, (uint64_t)unacked)) > s->acked)
		outq_ack_bytes(&s->o->q, acked - s->acked);
	drop_fd(s);
	outq_rewind(&s->o->q);
	s->next_try = now;
	out_log(s->o, "connection lost: %s; holding events until it is back",
		err ? strerror(err) : "closed by the peer");
	s->down_logged = 1;
	s->last_err = err;
}

static void start_connect(struct sock_out *s, double now)
{
	int in_progress = 0;

	s->fd = s->connect(s, &in_progress);
	if (s->fd < 0) {
		failed(s, now, errno);
		return;
	}
	if (in_progress) {
		s->state = S_CONNECTING;
		s->deadline = now + CONNECT_TIMEOUT;
	} else {
		connected(s, now);
	}
}

static void check_connecting(struct sock_out *s, double now)
{
	struct pollfd p = { s->fd, POLLOUT, 0 };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&p, 1, 0) <= 0) {
		if (now >= s->deadline)
			failed(s, now, ETIMEDOUT);
		return;
	}
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err != 0)
		failed(s, now, err);
	else
		connected(s, now);
}

/* 0 while the peer is there; else the reason it is not (-1: closed). */
static int peer_gone(struct sock_out *s)
{
	struct pollfd p = { s->fd, POLLIN | POLLRDHUP, 0 };
	char buf[512];
	ssize_t n;
	int i;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL))
		return -1;
	for (i = 0; i < 16; i++) {      /* collectors do not talk; skip it */
		n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
	}
	return 0;
}

/* Take in the peer's acknowledgements; 0, or the reason the peer is gone. */
static int take_acks(struct sock_out *s)
{
	int unacked, gone;
	uint64_t acked;

	if (ioctl(s->fd, SIOCOUTQ, &unacked) < 0 || unacked < 0)
		unacked = -1;
	gone = peer_gone(s);
	if (unacked < 0 || (gone != 0 && !s->acks_survive_close) ||
	    (s->tls == NULL && (uint64_t)unacked > s->sent))
		return gone;
	acked = acked_of(s, (uint64_t)unacked);
	if (acked > s->acked) {
		outq_ack_bytes(&s->o->q, acked - s->acked);
		s->acked = acked;
	}
	return gone;
}

/* Bytes written: mark wholly written entries in flight. */
static void advance(struct outq *q, size_t n)
{
	struct iovec seg[OQ_WIRE_PIECES];
	char pfx[16];
	size_t rem;
	int k;

	while (n > 0 && q->send != NULL) {
		rem = outq_wire(q, q->send, seg, &k, pfx) - q->send_off;
		if (n < rem) {
			q->send_off += n;
			return;
		}
		n -= rem;
		outq_sent(q);
	}
}

/*
 * The wire pieces of the entries from q->send on (the first one's
 * send_off bytes left out), at most max of them; pfx holds max / 2
 * octet-count prefixes.  The number of pieces.
 */
static int gather(struct outq *q, struct iovec *iov, int max, char (*pfx)[16])
{
	struct iovec seg[OQ_WIRE_PIECES];
	struct outq_entry *e;
	size_t skip = q->send_off;
	int k = 0, n, i, p = 0;

	for (e = q->send; e != NULL && k + OQ_WIRE_PIECES <= max && p < max / 2;
	     e = e->next, skip = 0) {
		if (e->state != OQ_UNSENT)
			continue;
		outq_wire(q, e, seg, &n, pfx[p++]);
		for (i = 0; i < n; i++) {
			if (skip >= seg[i].iov_len) {
				skip -= seg[i].iov_len;
				continue;
			}
			iov[k].iov_base = (char *)seg[i].iov_base + skip;
			iov[k++].iov_len = seg[i].iov_len - skip;
			skip = 0;
		}
	}
	return k;
}

/* Write what the socket takes; 0, or the error that broke the connection. */
static int stream_send(struct sock_out *s)
{
	struct outq *q = &s->o->q;
	struct iovec iov[MAX_IOV];
	char pfx[MAX_IOV / 2][16];
	struct msghdr msg;
	ssize_t n;
	int k;

	while (q->send != NULL) {
		k = gather(q, iov, MAX_IOV, pfx);
		if (k == 0)
			break;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)k;
		n = sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
		}
		s->sent += (uint64_t)n;
		advance(q, (size_t)n);
	}
	return 0;
}

/* The same through TLS: staged, written, noted. */
static int tls_send(struct sock_out *s)
{
	struct outq *q = &s->o->q;
	struct iovec iov[MAX_IOV];
	char pfx[MAX_IOV / 2][16], err[256];
	size_t len, c;
	long n;
	int k, i;

	while (q->send != NULL && s->note_n < TLS_NOTES) {
		k = gather(q, iov, MAX_IOV, pfx);
		if (k == 0)
			break;
		for (i = 0, len = 0; i < k && len < TLS_STAGE; i++) {
			c = iov[i].iov_len < TLS_STAGE - len ? iov[i].iov_len : TLS_STAGE - len;
			memcpy(s->stage + len, iov[i].iov_base, c);
			len += c;
		}
		n = cf_tls_write(s->tls, s->stage, len, err, sizeof(err));
		if (n < 0) {
			out_log(s->o, "%s", err);
			return EPIPE;
		}
		if (n == 0)
			return 0;
		s->sent += (uint64_t)n;
		advance(q, (size_t)n);
		s->notes[(s->note_head + s->note_n) % TLS_NOTES] =
			(struct tls_note){ cf_tls_wire_bytes(s->tls), s->sent };
		s->note_n++;
	}
	return 0;
}

static int dgram_send(struct sock_out *s)
{
	struct outq *q = &s->o->q;
	struct iovec seg[OQ_WIRE_PIECES];
	struct outq_entry *e;
	struct msghdr msg;
	char pfx[16];
	ssize_t n;
	int k;

	while ((e = q->send) != NULL) {
		memset(&msg, 0, sizeof(msg));
		outq_wire(q, e, seg, &k, pfx);
		msg.msg_iov = seg;
		msg.msg_iovlen = (size_t)k;
		n = sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EMSGSIZE) {
			if (!s->big_logged)
				out_log(s->o, "an event of %u bytes is too big for a datagram: dropped (counted)",
					e->len);
			s->big_logged = 1;
			outq_discard(q, e);
			continue;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : errno;
		outq_sent(q);
		outq_done(q, e);
	}
	return 0;
}

void sock_service(struct out *o, double now, int full)
{
	struct sock_out *s = o->priv;
	int err = 0;

	o->q.framing = (uint8_t)s->framing;
	o->q.mark_again = (uint8_t)s->mark;
	outq_refill(&o->q);
	if (s->state == S_DOWN && now >= s->next_try)
		start_connect(s, now);
	if (s->state == S_CONNECTING)
		check_connecting(s, now);
	if (s->state == S_HANDSHAKE)
		check_handshake(s, now);
	if (s->state != S_UP)
		return;
	if (!s->dgram && (full || o->q.n > o->q.max_n / 2))
		err = take_acks(s);
	if (err == 0)
		err = s->dgram ? dgram_send(s) : s->tls != NULL ? tls_send(s) : stream_send(s);
	if (err == 0 && !s->dgram && full)
		err = take_acks(s);
	if (err != 0) {
		lost(s, now, err > 0 ? err : 0);
		return;
	}
	outq_refill(&o->q);
}

/* At exit: reset the connection so the peer does not get what is spooled. */
void sock_abandon(struct out *o)
{
	struct sock_out *s = o->priv;
	struct linger lg = { 1, 0 };

	if (s->fd >= 0 && !s->dgram)
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	drop_fd(s);
}

void sock_close(struct out *o)
{
	struct sock_out *s = o->priv;

	if (s == NULL)
		return;
	if (s->tls != NULL && s->state == S_UP)
		cf_tls_close_notify(s->tls);
	drop_fd(s);
	if (s->free_addr != NULL)
		s->free_addr(s->addr);
	cf_tls_ctx_free(s->tls_ctx);
	free(s->tls_name);
	free(s->stage);
	free(s);
	o->priv = NULL;
}
