/*
 * daemon-log.c - callfence's own messages: standard error, syslog or a log
 * file of their own.
 *
 * Standard error gets "callfence: message", as the rest of the command line
 * writes.  A log file gets "2026-01-01T10:00:00Z callfence[PID]: LEVEL:
 * message", one line each, written with a single write(2) so lines of
 * several processes never mix.  Syslog is opened at once (LOG_NDELAY), so
 * the socket exists before privileges are dropped.  The log file's path
 * is kept absolute and the file given to the -u user (cf_log_give), so
 * that SIGHUP reopens it after logrotate moved it; a reopen that fails
 * keeps the old file, said once.
 */
#define _GNU_SOURCE 1         /* dup3 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon-log.h"
#include "util/path.h"

#define LINE_MAX_LEN 1024

static struct {
	enum cf_log_dest dest;
	int fd;                 /* log file, -1 none */
	char *path;
	int verbose;
	int syslog_open;
	int reopen_failed;      /* the last reopen failed and was said */
} lg = { CF_LOG_STDERR, -1, NULL, 0, 0, 0 };

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "critical";
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	}
	return "debug";
}

static int open_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	if (fd < 0)
		snprintf(err, errlen, "cannot open log file %s: %s", path,
			 strerror(errno));
	return fd;
}

enum cf_log_dest cf_log_parse(const char *spec)
{
	if (strcmp(spec, "syslog") == 0)
		return CF_LOG_SYSLOG;
	if (strcmp(spec, "stderr") == 0 || strcmp(spec, "-") == 0)
		return CF_LOG_STDERR;
	return CF_LOG_FILE;
}

int cf_log_open(enum cf_log_dest dest, const char *path, char *err, size_t errlen)
{
	char *copy = NULL;
	int fd = -1;

	if (dest == CF_LOG_FILE) {
		/* absolute: -D's chdir("/") must not change what a reopen opens */
		copy = cf_path_absolute(path, err, errlen);
		if (copy == NULL)
			return -1;
		fd = open_file(copy, err, errlen);
		if (fd < 0) {
			free(copy);
			return -1;
		}
	}
	cf_log_close();
	lg.dest = dest;
	lg.fd = fd;
	lg.path = copy;
	if (dest == CF_LOG_SYSLOG) {
		openlog("callfence", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		lg.syslog_open = 1;
	}
	return 0;
}

void cf_log_set_verbose(int verbose)
{
	lg.verbose = verbose;
}

/* "2026-01-01T10:00:00Z callfence[PID]: level: " */
static size_t file_prefix(char *buf, size_t len, int level)
{
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if (gmtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ callfence[%ld]: %s: ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, (long)getpid(), level_name(level));
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* Write buf[0..n) plus a newline to fd in one call. */
static void write_line(int fd, char *buf, size_t n, size_t cap)
{
	ssize_t w;

	if (n >= cap)
		n = cap - 1;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n++] = '\n';
	do
		w = write(fd, buf, n);
	while (w < 0 && errno == EINTR);
}

void cf_log(int level, const char *fmt, ...)
{
	char buf[LINE_MAX_LEN];
	size_t n = 0;
	va_list ap;
	int m;

	if (level >= LOG_DEBUG && !lg.verbose)
		return;
	if (lg.dest == CF_LOG_FILE)
		n = file_prefix(buf, sizeof(buf), level);
	else if (lg.dest == CF_LOG_STDERR)
		n = (size_t)snprintf(buf, sizeof(buf), "callfence: ");
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (m > 0)
		n += (size_t)m;
	if (lg.dest == CF_LOG_SYSLOG) {
		syslog(level, "%s", buf);
		return;
	}
	write_line(lg.dest == CF_LOG_FILE ? lg.fd : STDERR_FILENO, buf, n,
		   sizeof(buf));
}

int cf_log_reopen(char *err, size_t errlen)
{
	int fd;

	if (lg.dest != CF_LOG_FILE)
		return 0;
	fd = open_file(lg.path, err, errlen);
	if (fd < 0) {
		if (lg.reopen_failed)
			return 0;       /* said already */
		lg.reopen_failed = 1;
		snprintf(err + strlen(err), errlen - strlen(err), "; messages go on to "
			 "the file open before (now renamed?) until a reopen succeeds");
		return -1;
	}
	lg.reopen_failed = 0;
	/* dup2 swaps the file under the same descriptor in one step: a
	 * worker thread writing a message meanwhile gets the old file or the
	 * new one, never a closed (or reused) descriptor */
	if (lg.fd >= 0 && dup3(fd, lg.fd, O_CLOEXEC) >= 0) {
		close(fd);
		return 0;
	}
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = fd;
	return 0;
}

int cf_log_give(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (lg.dest != CF_LOG_FILE || lg.fd < 0)
		return 0;
	return cf_file_give(lg.fd, lg.path, uid, gid, err, errlen);
}

void cf_log_output(void *ctx, const char *msg)
{
	(void)ctx;
	cf_log(LOG_WARNING, "%s", strncmp(msg, "callfence: ", 11) == 0 ? msg + 11 : msg);
}

void cf_log_close(void)
{
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = -1;
	free(lg.path);
	lg.path = NULL;
	if (lg.syslog_open)
		closelog();
	lg.syslog_open = 0;
	lg.dest = CF_LOG_STDERR;
}
