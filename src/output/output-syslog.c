/*
 * output-syslog.c - syslog messages: the headers, and the drivers that
 * send nothing else.
 *
 *   syslog[:FACILITY]      the local syslog daemon (/dev/log), RFC 3164 as
 *                          syslog(3) frames it, or format=rfc5424
 *   syslog-tcp:HOST:PORT   RFC 5424 over TCP, RFC 6587 octet counting
 *   syslog-tls:HOST:PORT   the same over TLS (RFC 5425), certificate
 *                          checked (ca=, server-name=; insecure=yes not)
 *   unixgram:PATH          (output-unix.c) format=rfc3164 by default
 *
 * The headers: RFC 3164 "<PRI>Mmm dd hh:mm:ss callfence[PID]: MSG" (local
 * time, no host name: the form of the local socket, which the daemon
 * completes); RFC 5424 "<PRI>1 TIMESTAMP HOST callfence PID MSGID - MSG"
 * with TIMESTAMP in UTC to the microsecond, HOST from gethostname(),
 * MSGID the event's kind (alert, flow, stats, report; - otherwise).  The
 * stamp is when the event is written, not the packet time.  PRI is the
 * facility (facility=, default daemon) and a severity that follows the
 * alert's: critical LOG_CRIT, high LOG_ERR, medium LOG_WARNING, low
 * LOG_NOTICE; flows, stats and reports LOG_INFO.  MSG is the JSON event
 * as it is, without a BOM: collectors hand MSG on as text and a BOM would
 * end up in front of the JSON; RFC 5424 calls such a MSG "MSG-ANY".
 *
 * The header is made when the event is queued and goes into the spool
 * with it, so a replay sends the message as it was first made.  What may
 * be sent twice carries OQ_AGAIN_SD as its structured data
 * (output-queue.c) on the RFC 5424 transports.
 *
 * syslog: we send to /dev/log ourselves over the unixgram transport
 * (output-sock.c) instead of calling syslog(3), whose send blocks when
 * the daemon is slow: capture must never block.  A burst the daemon's
 * socket cannot take at once (its queue may hold as few as 10 datagrams)
 * waits in the memory queue (queue=N) and goes out as the daemon reads;
 * with spool=PATH it can also wait on disk.  CALLFENCE_SYSLOG_SOCKET
 * names another socket (used by the tests).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "output/output-int.h"
#include "output/tls.h"
#include "policy/policy.h"

struct syslog_head {
	int format;             /* SYSLOG_*; SYSLOG_UNSET until open */
	int facility;           /* -1 until open */
	char host[256];
	char *buf;              /* the message being made, grown, kept */
	size_t cap;
	/* syslog-tls */
	char *ca, *server_name;
	int insecure;
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

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].code;
	return -1;
}

static struct syslog_head *head_of(struct out *o)
{
	struct syslog_head *h = o->aux;

	if (h == NULL && (h = calloc(1, sizeof(*h))) != NULL) {
		h->format = SYSLOG_UNSET;
		h->facility = -1;
		o->aux = h;
	}
	return h;
}

static int bad_facility(struct out *o, const char *name, char *err, size_t errlen)
{
	snprintf(err, errlen, "output '%s': unknown syslog facility '%s' "
		 "(daemon, user, auth, authpriv, local0 ... local7, ...)", o->spec, name);
	return -1;
}

int syslog_head_option(struct out *o, const char *name, const char *value,
		       char *err, size_t errlen)
{
	struct syslog_head *h = head_of(o);
	int tls = o->ops == &out_syslog_tls_ops;
	char **str = NULL;

	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strcmp(name, "format") == 0) {
		h->format = strcmp(value, "rfc3164") == 0 ? SYSLOG_3164 :
			    strcmp(value, "rfc5424") == 0 ? SYSLOG_5424 :
			    strcmp(value, "json") == 0 ? SYSLOG_JSON : SYSLOG_UNSET;
		if (h->format == SYSLOG_UNSET) {
			snprintf(err, errlen, "output '%s': bad value '%s' for format "
				 "(rfc3164, rfc5424 or json)", o->spec, value);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "facility") == 0) {
		h->facility = parse_facility(value);
		return h->facility < 0 ? bad_facility(o, value, err, errlen) : 0;
	}
	if (tls && strcmp(name, "insecure") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			snprintf(err, errlen, "output '%s': bad value '%s' for insecure (yes or no)",
				 o->spec, value);
			return -1;
		}
		h->insecure = value[0] == 'y';
		return 0;
	}
	if (tls && strcmp(name, "ca") == 0)
		str = &h->ca;
	else if (tls && strcmp(name, "server-name") == 0)
		str = &h->server_name;
	if (str == NULL) {
		snprintf(err, errlen, "output '%s': unknown option '%s'", o->spec, name);
		return -1;
	}
	if (value[0] == '\0') {
		snprintf(err, errlen, "output '%s': %s= needs a value", o->spec, name);
		return -1;
	}
	free(*str);
	*str = strdup(value);
	if (*str == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The host name of RFC 5424 headers: printable US-ASCII, at most 255. */
static void set_host(struct syslog_head *h)
{
	char name[256];
	size_t i, n = 0;

	if (gethostname(name, sizeof(name)) < 0)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	for (i = 0; name[i] != '\0' && n < sizeof(h->host) - 1; i++)
		if (name[i] > 32 && name[i] < 127)
			h->host[n++] = name[i];
	if (n == 0)
		h->host[n++] = '-';
	h->host[n] = '\0';
}

int syslog_head_open(struct out *o, int format, int facility, char *err, size_t errlen)
{
	struct syslog_head *h = head_of(o);

	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (h->format == SYSLOG_UNSET)
		h->format = format;
	if (h->facility < 0)
		h->facility = facility;
	set_host(h);
	return 0;
}

int syslog_head_format(const struct out *o)
{
	const struct syslog_head *h = o->aux;

	return h != NULL ? h->format : SYSLOG_UNSET;
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

static const char *msgid(const struct cf_event_info *ev)
{
	switch (ev != NULL ? ev->kind : CF_EVENT_OTHER) {
	case CF_EVENT_ALERT: return "alert";
	case CF_EVENT_FLOW: return "flow";
	case CF_EVENT_STATS: return "stats";
	case CF_EVENT_REPORT: return "report";
	case CF_EVENT_CALL: return "call";
	case CF_EVENT_OTHER: break;
	}
	return "-";
}

/* The header for ev into head (size n); its length, 0 if it did not fit. */
static size_t make_head(const struct syslog_head *h, const struct cf_event_info *ev,
			char *head, size_t n)
{
	int pri = h->facility | severity_level(ev), len;
	char stamp[40];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (h->format == SYSLOG_3164) {
		if (localtime_r(&ts.tv_sec, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
			strcpy(stamp, "Jan  1 00:00:00");
		len = snprintf(head, n, "<%d>%s callfence[%ld]: ", pri, stamp, (long)getpid());
	} else {
		if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			strcpy(stamp, "1970-01-01T00:00:00");
		len = snprintf(head, n, "<%d>1 %s.%06ldZ %s callfence %ld %s - ", pri, stamp,
			       ts.tv_nsec / 1000, h->host, (long)getpid(), msgid(ev));
	}
	return len > 0 && (size_t)len < n ? (size_t)len : 0;
}

size_t syslog_head_frame(struct out *o, const char *line, size_t len,
			 const struct cf_event_info *ev, const char **msg)
{
	struct syslog_head *h = o->aux;
	char head[400];
	size_t hl;
	char *nb;

	if (h == NULL)
		return 0;
	if (h->format == SYSLOG_JSON) {
		*msg = line;
		return len;
	}
	hl = make_head(h, ev, head, sizeof(head));
	if (hl == 0 || len > SIZE_MAX - hl)
		return 0;
	if (hl + len > h->cap) {
		nb = realloc(h->buf, hl + len);
		if (nb == NULL)
			return 0;
		h->buf = nb;
		h->cap = hl + len;
	}
	memcpy(h->buf, head, hl);
	memcpy(h->buf + hl, line, len);
	*msg = h->buf;
	return hl + len;
}

void syslog_head_free(struct out *o)
{
	struct syslog_head *h = o->aux;

	if (h != NULL) {
		free(h->buf);
		free(h->ca);
		free(h->server_name);
	}
	free(h);
	o->aux = NULL;
}

/* ---- syslog[:FACILITY] --------------------------------------------- */

static int syslog_open(struct out *o, const char *target, char *err, size_t errlen)
{
	const char *path = getenv("CALLFENCE_SYSLOG_SOCKET");
	int fac = target[0] != '\0' ? parse_facility(target) : LOG_DAEMON;

	if (fac < 0)
		return bad_facility(o, target, err, errlen);
	if (syslog_head_open(o, SYSLOG_3164, fac, err, errlen) < 0)
		return -1;
	if (target[0] != '\0')
		((struct syslog_head *)o->aux)->facility = fac;
	if (syslog_head_format(o) == SYSLOG_JSON) {
		snprintf(err, errlen, "output '%s': format=json is for unixgram:, "
			 "a syslog daemon needs a header (rfc3164 or rfc5424)", o->spec);
		return -1;
	}
	if (path == NULL || path[0] == '\0')
		path = "/dev/log";
	if (out_unix_setup(o, path, 1, err, errlen) < 0)
		return -1;
	sock_set_framing(o, OQ_FRAME_DGRAM, syslog_head_format(o) == SYSLOG_5424);
	return 0;
}

/* ---- syslog-tcp:HOST:PORT, syslog-tls:HOST:PORT --------------------- */

static int net_open(struct out *o, const char *target, int tls, char *err, size_t errlen)
{
	struct syslog_head *h;
	struct cf_tls_ctx *ctx;
	char host[256];

	if (syslog_head_open(o, SYSLOG_5424, LOG_DAEMON, err, errlen) < 0)
		return -1;
	h = o->aux;
	if (h->format != SYSLOG_5424) {
		snprintf(err, errlen, "output '%s': %s sends RFC 5424 messages only "
			 "(format=rfc5424)", o->spec, o->ops->scheme);
		return -1;
	}
	if (out_tcp_setup(o, target, tls ? "syslog-tls:HOST:PORT" : "syslog-tcp:HOST:PORT",
			  host, sizeof(host), err, errlen) < 0)
		return -1;
	sock_set_framing(o, OQ_FRAME_OCTETS, 1);
	if (!tls)
		return 0;
	if (h->insecure && (h->ca != NULL || h->server_name != NULL)) {
		snprintf(err, errlen, "output '%s': insecure=yes checks no certificate: "
			 "ca= and server-name= would not be used", o->spec);
		return -1;
	}
	ctx = cf_tls_ctx_new(h->ca, !h->insecure, err, errlen);
	if (ctx == NULL) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "output '%s': %s", o->spec, msg);
		return -1;
	}
	if (sock_set_tls(o, ctx, h->server_name != NULL ? h->server_name : host,
			 err, errlen) < 0) {
		cf_tls_ctx_free(ctx);
		return -1;
	}
	if (h->insecure)
		out_log(o, "insecure=yes: the collector's certificate is not checked");
	return 0;
}

static int tcp5424_open(struct out *o, const char *target, char *err, size_t errlen)
{
	return net_open(o, target, 0, err, errlen);
}

static int tls5424_open(struct out *o, const char *target, char *err, size_t errlen)
{
	return net_open(o, target, 1, err, errlen);
}

static void syslog_close(struct out *o)
{
	if (o->priv != NULL)
		sock_close(o);
	syslog_head_free(o);
}

const struct out_ops out_syslog_ops = {
	.scheme = "syslog",
	.reliable = 1,
	.memory_only = 1,
	.open = syslog_open,
	.option = syslog_head_option,
	.frame = syslog_head_frame,
	.service = sock_service,
	.abandon = sock_abandon,
	.close = syslog_close,
};

const struct out_ops out_syslog_tcp_ops = {
	.scheme = "syslog-tcp",
	.reliable = 1,
	.open = tcp5424_open,
	.option = syslog_head_option,
	.frame = syslog_head_frame,
	.service = sock_service,
	.abandon = sock_abandon,
	.close = syslog_close,
};

const struct out_ops out_syslog_tls_ops = {
	.scheme = "syslog-tls",
	.reliable = 1,
	.open = tls5424_open,
	.option = syslog_head_option,
	.frame = syslog_head_frame,
	.service = sock_service,
	.abandon = sock_abandon,
	.close = syslog_close,
};
