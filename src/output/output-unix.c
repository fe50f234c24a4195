/*
 * output-unix.c - unix:PATH (stream socket, NDJSON) and unixgram:PATH
 * (datagram socket, one event a datagram, no newline).
 *
 * unix: suits collectors that read lines from a stream socket: Vector's
 * or Fluent Bit's socket source, syslog-ng's unix-stream() source with
 * flags(no-parse), a SIEM forwarder.  Not rsyslog's imuxsock, which is a
 * datagram socket ("Protocol wrong type for socket").
 *
 * unixgram: a syslog header before each event (output-syslog.c):
 * format=rfc3164 (default; what syslog(3) sends, so rsyslog's imuxsock
 * and syslog-ng's unix-dgram() source parse it), format=rfc5424, or
 * format=json for the bare event (Vector, Fluent Bit); facility=NAME
 * (default daemon).
 *
 * A socket that is not there yet is a collector that is down: events are
 * held (memory queue, then spool) and the connection is tried again.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "output/output-int.h"

static int unix_connect_type(struct sock_out *s, int type, int *in_progress)
{
	struct sockaddr_un *sun = sock_addr(s);
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e;

	(void)in_progress;
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)sun, sizeof(*sun)) == 0)
		return fd;
	e = errno == EAGAIN ? ECONNREFUSED : errno;   /* backlog full */
	close(fd);
	errno = e;
	return -1;
}

static int stream_connect(struct sock_out *s, int *in_progress)
{
	return unix_connect_type(s, SOCK_STREAM, in_progress);
}

static int dgram_connect(struct sock_out *s, int *in_progress)
{
	return unix_connect_type(s, SOCK_DGRAM, in_progress);
}

int out_unix_setup(struct out *o, const char *target, int dgram,
		   char *err, size_t errlen)
{
	struct sockaddr_un *sun;

	if (target[0] == '\0' || strlen(target) >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "output '%s': a socket path of 1 to %zu bytes is needed",
			 o->spec, sizeof(sun->sun_path) - 1);
		return -1;
	}
	sun = calloc(1, sizeof(*sun));
	if (sun == NULL)
		goto oom;
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, target);
	o->priv = sock_new(o, dgram, 0, dgram ? dgram_connect : stream_connect, sun, free);
	if (o->priv == NULL) {
		free(sun);
		goto oom;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int unix_open(struct out *o, const char *target, char *err, size_t errlen)
{
	return out_unix_setup(o, target, 0, err, errlen);
}

static int unixgram_open(struct out *o, const char *target, char *err, size_t errlen)
{
	if (syslog_head_open(o, SYSLOG_3164, LOG_DAEMON, err, errlen) < 0 ||
	    out_unix_setup(o, target, 1, err, errlen) < 0)
		return -1;
	sock_set_framing(o, OQ_FRAME_DGRAM, syslog_head_format(o) == SYSLOG_5424);
	return 0;
}

static void unixgram_close(struct out *o)
{
	if (o->priv != NULL)
		sock_close(o);
	syslog_head_free(o);
}

const struct out_ops out_unix_ops = {
	.scheme = "unix",
	.reliable = 1,
	.open = unix_open,
	.service = sock_service,
	.abandon = sock_abandon,
	.close = sock_close,
};

const struct out_ops out_unixgram_ops = {
	.scheme = "unixgram",
	.reliable = 1,
	.open = unixgram_open,
	.option = syslog_head_option,
	.frame = syslog_head_frame,
	.service = sock_service,
	.abandon = sock_abandon,
	.close = unixgram_close,
};
