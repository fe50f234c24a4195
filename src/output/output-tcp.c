/*
 * output-tcp.c - tcp:HOST:PORT: events as NDJSON to a collector (Logstash
 * tcp input with the json_lines codec, Fluent Bit, Vector, rsyslog imtcp
 * in octet-stuffing mode, a SIEM's TCP listener).
 *
 * HOST is resolved once, at start (a name that does not resolve is a
 * configuration error); reconnections go through its addresses in turn.
 * TCP keepalive and TCP_USER_TIMEOUT make a dead collector show up as a
 * broken connection within about a minute.  Delivery, queueing and the
 * spool are output-sock.c's and output-queue.c's.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output/output-int.h"

#define USER_TIMEOUT_MS 60000

struct tcp_addr {
	struct addrinfo *list, *next;
};

static void tcp_free_addr(void *p)
{
	struct tcp_addr *a = p;

	if (a == NULL)
		return;
	if (a->list != NULL)
		freeaddrinfo(a->list);
	free(a);
}

static void tune(int fd)
{
	int one = 1, idle = 30, intvl = 10, cnt = 3;
	unsigned timeout = USER_TIMEOUT_MS;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof(timeout));
}

static int tcp_connect(struct sock_out *s, int *in_progress)
{
	struct tcp_addr *a = sock_addr(s);
	struct addrinfo *ai = a->next != NULL ? a->next : a->list;
	int fd, e;

	a->next = ai->ai_next;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	tune(fd);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno == EINPROGRESS) {
		*in_progress = 1;
		return fd;
	}
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* "host:port" or "[v6addr]:port" into host and port. */
static int split_host_port(const char *t, char *host, size_t hlen,
			   char *port, size_t plen)
{
	const char *colon;
	size_t n;

	if (t[0] == '[') {
		colon = strchr(t, ']');
		if (colon == NULL || colon[1] != ':')
			return -1;
		n = (size_t)(colon - t - 1);
		t++;
		colon++;
	} else {
		colon = strrchr(t, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - t);
	}
	if (n == 0 || n >= hlen || colon[1] == '\0' || strlen(colon + 1) >= plen)
		return -1;
	memcpy(host, t, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

int out_tcp_setup(struct out *o, const char *target, const char *usage,
		  char *host, size_t hostlen, char *err, size_t errlen)
{
	char port[32];
	struct addrinfo hints, *list = NULL;
	struct tcp_addr *a;
	int rc;

	if (split_host_port(target, host, hostlen, port, sizeof(port)) < 0) {
		snprintf(err, errlen, "output '%s': expected %s", o->spec, usage);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0) {
		snprintf(err, errlen, "output '%s': cannot resolve %s port %s: %s",
			 o->spec, host, port, gai_strerror(rc));
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		freeaddrinfo(list);
		goto oom;
	}
	a->list = list;
	o->priv = sock_new(o, 0, 1, tcp_connect, a, tcp_free_addr);
	if (o->priv == NULL) {
		tcp_free_addr(a);
		goto oom;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int tcp_open(struct out *o, const char *target, char *err, size_t errlen)
{
	char host[256];

	return out_tcp_setup(o, target, "tcp:HOST:PORT", host, sizeof(host), err, errlen);
}

const struct out_ops out_tcp_ops = {
	.scheme = "tcp",
	.reliable = 1,
	.open = tcp_open,
	.service = sock_service,
	.abandon = sock_abandon,
	.close = sock_close,
};
