/*
 * daemon-log.h - callfence's own messages (not events): standard error in
 * the foreground, syslog (facility daemon) under -D, or a file of their
 * own (--log FILE).  Levels are syslog's (LOG_ERR, LOG_WARNING, LOG_NOTICE,
 * LOG_INFO, LOG_DEBUG); LOG_DEBUG is shown only with -v.
 */
#ifndef CF_DAEMON_LOG_H
#define CF_DAEMON_LOG_H

#include <stddef.h>
#include <syslog.h>
#include <sys/types.h>

enum cf_log_dest { CF_LOG_STDERR = 0, CF_LOG_SYSLOG, CF_LOG_FILE };

/*
 * Send messages to dest from now on (path for CF_LOG_FILE: opened for
 * appending at once).  -1 with "cannot open log file PATH: reason" in err;
 * the destination is then unchanged.
 */
int cf_log_open(enum cf_log_dest dest, const char *path, char *err, size_t errlen);

/* Parse a --log value: "syslog", "stderr", or a file path.  Never fails. */
enum cf_log_dest cf_log_parse(const char *spec);

void cf_log_set_verbose(int verbose);

/* One message (no trailing newline needed). */
void cf_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reopen the log file (SIGHUP, after logrotate moved it); 0 when there is
 * no log file.  -1 with a message in err: the old file stays in use (said
 * the first time in a row only: a failure that goes on returns 0). */
int cf_log_reopen(char *err, size_t errlen);

/* Before dropping privileges: give the log file to uid:gid (cf_file_give). */
int cf_log_give(uid_t uid, gid_t gid, char *err, size_t errlen);

/* For cf_outputs_set_logger(): an output's message at LOG_WARNING. */
void cf_log_output(void *ctx, const char *msg);

void cf_log_close(void);

#endif /* CF_DAEMON_LOG_H */
