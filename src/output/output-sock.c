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
 */
#define _GNU_SOURCE             /* POLLRDHUP */
#include "config.h"

#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "output/output-int.h"

#define BACKOFF_MIN 0.2         /* seconds before the first reconnection */
#define BACKOFF_MAX 5.0
#define CONNECT_TIMEOUT 10.0
#define MAX_IOV 64

enum { S_DOWN = 0, S_CONNECTING, S_UP };

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
	return s;
}

void *sock_addr(struct sock_out *s)
{
	return s->addr;
}

static void drop_fd(struct sock_out *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = S_DOWN;
}

/* A connection attempt failed: wait, longer each time. */
static void failed(struct sock_out *s, double now, int err)
{
	drop_fd(s);
	s->next_try = now + s->backoff;
	s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : s->backoff * 2;
	if (!s->down_logged || err != s->last_err)
		out_log(s->o, "cannot connect: %s; holding events until it is back",
			strerror(err));
	s->down_logged = 1;
	s->last_err = err;
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
}

/*
 * The connection broke: resend whatever the peer has not confirmed.  A
 * TCP socket still knows what was acknowledged (even after a reset), so
 * that is taken in first.
 */
static void lost(struct sock_out *s, double now, int err)
{
	int unacked;

	if (s->acks_survive_close && ioctl(s->fd, SIOCOUTQ, &unacked) == 0 &&
	    unacked >= 0 && (uint64_t)unacked <= s->sent &&
	    s->sent - (uint64_t)unacked > s->acked)
		outq_ack_bytes(&s->o->q, s->sent - (uint64_t)unacked - s->acked);
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
		up(s);
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
		up(s);
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
	    (uint64_t)unacked > s->sent)
		return gone;
	acked = s->sent - (uint64_t)unacked;
	if (acked > s->acked) {
		outq_ack_bytes(&s->o->q, acked - s->acked);
		s->acked = acked;
	}
	return gone;
}

/* Bytes written: mark wholly written entries in flight. */
static void advance(struct outq *q, size_t n)
{
	size_t rem;

	while (n > 0 && q->send != NULL) {
		rem = q->send->len + 1 - q->send_off;
		if (n < rem) {
			q->send_off += n;
			return;
		}
		n -= rem;
		outq_sent(q);
	}
}

/* Write what the socket takes; 0, or the error that broke the connection. */
static int stream_send(struct sock_out *s)
{
	struct outq *q = &s->o->q;
	struct iovec iov[MAX_IOV];
	struct msghdr msg;
	struct outq_entry *e;
	ssize_t n;
	int k;

	while (q->send != NULL) {
		k = 0;
		for (e = q->send; e != NULL && k < MAX_IOV; e = e->next, k++) {
			size_t off = k == 0 ? q->send_off : 0;

			iov[k].iov_base = e->data + off;
			iov[k].iov_len = e->len + 1 - off;
		}
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

static int dgram_send(struct sock_out *s)
{
	struct outq *q = &s->o->q;
	struct outq_entry *e;
	ssize_t n;

	while ((e = q->send) != NULL) {
		n = send(s->fd, e->data, e->len, MSG_NOSIGNAL | MSG_DONTWAIT);
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

	outq_refill(&o->q);
	if (s->state == S_DOWN && now >= s->next_try)
		start_connect(s, now);
	if (s->state == S_CONNECTING)
		check_connecting(s, now);
	if (s->state != S_UP)
		return;
	if (!s->dgram && (full || o->q.n > o->q.max_n / 2))
		err = take_acks(s);
	if (err == 0)
		err = s->dgram ? dgram_send(s) : stream_send(s);
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
	drop_fd(s);
	if (s->free_addr != NULL)
		s->free_addr(s->addr);
	free(s);
	o->priv = NULL;
}
