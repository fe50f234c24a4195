/*
 * output-syslog.c - syslog[:FACILITY]: each event as one message to the
 * local syslog daemon, ident "callfence", with a severity that follows the
 * alert's: critical LOG_CRIT, high LOG_ERR, medium LOG_WARNING, low
 * LOG_NOTICE; flows, stats and reports LOG_INFO.  Default facility daemon.
 *
 * We frame the message as syslog(3) does ("<PRI>Mmm dd hh:mm:ss
 * callfence[PID]: MESSAGE", stamped when the event is written) and send
 * it ourselves over the unixgram transport (output-sock.c) to /dev/log,
 * instead of calling syslog(3), whose send blocks when the daemon is slow:
 * capture must never block.  A burst the daemon's socket cannot take at
 * once (its queue may hold as few as 10 datagrams) waits in the memory
 * queue (queue=N) and goes out as the daemon reads; with spool=PATH it
 * can also wait on disk.  CALLFENCE_SYSLOG_SOCKET names another socket
 * (used by the tests).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "output/output-int.h"
#include "policy/policy.h"

struct syslog_frame {
	int facility;
	char *buf;
	size_t cap;
};

static const struct {
	const char *name;
	int code;
} facilities[] = {
	{ "kern", LOG_KERN }, { "user", LOG_USER }, { "mail", LOG_MAIL },
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH }, { "syslog", LOG_SYSLOG },
	{ "lpr", LOG_LPR }, { "news", LOG_NEWS }, { "uucp", LOG_UUCP },
	{ "cron", LOG_CRON }, { "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static int parse_facility(const char *name)
{
	size_t i;

	if (name[0] == '\0')
		return LOG_DAEMON;
	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].code;
	return -1;
}

static int syslog_open(struct out *o, const char *target, char *err, size_t errlen)
{
	const char *path = getenv("CALLFENCE_SYSLOG_SOCKET");
	int fac = parse_facility(target);
	struct syslog_frame *f;

	if (fac < 0) {
		snprintf(err, errlen, "output '%s': unknown syslog facility '%s' "
			 "(daemon, user, auth, authpriv, local0 ... local7, ...)", o->spec, target);
		return -1;
	}
	if (path == NULL || path[0] == '\0')
		path = "/dev/log";
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->facility = fac;
	o->aux = f;
	return out_unix_setup(o, path, 1, err, errlen);
}

static int severity_level(const struct cf_event_info *ev)
{
	if (ev == NULL || ev->kind != CF_EVENT_ALERT)
		return LOG_INFO;
	switch (ev->severity) {
	case CF_SEV_CRITICAL: return LOG_CRIT;
	case CF_SEV_HIGH: return LOG_ERR;
	case CF_SEV_MEDIUM: return LOG_WARNING;
	case CF_SEV_LOW: return LOG_NOTICE;
	}
	return LOG_INFO;
}

/* "<PRI>Mmm dd hh:mm:ss callfence[PID]: " + line, in the frame's buffer. */
static size_t syslog_frame(struct out *o, const char *line, size_t len,
			   const struct cf_event_info *ev, const char **msg)
{
	struct syslog_frame *f = o->aux;
	char head[96], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t hl;
	char *nb;

	if (f == NULL)
		return 0;
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		strcpy(stamp, "Jan  1 00:00:00");
	hl = (size_t)snprintf(head, sizeof(head), "<%d>%s callfence[%ld]: ",
			      f->facility | severity_level(ev), stamp, (long)getpid());
	if (hl + len > f->cap) {
		nb = realloc(f->buf, hl + len);
		if (nb == NULL)
			return 0;
		f->buf = nb;
		f->cap = hl + len;
	}
	memcpy(f->buf, head, hl);
	memcpy(f->buf + hl, line, len);
	*msg = f->buf;
	return hl + len;
}

static void syslog_close(struct out *o)
{
	struct syslog_frame *f = o->aux;

	sock_close(o);
	if (f != NULL)
		free(f->buf);
	free(f);
	o->aux = NULL;
}

const struct out_ops out_syslog_ops = {
	.scheme = "syslog",
	.reliable = 1,
	.memory_only = 1,
	.open = syslog_open,
	.frame = syslog_frame,
	.service = sock_service,
	.abandon = sock_abandon,
	.close = syslog_close,
};
