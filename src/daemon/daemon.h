/*
 * daemon.h - becoming a daemon: the pidfile and its lock, detaching from
 * the terminal, dropping privileges.  Functions return 0 or -1 with a
 * message in err; they never print or exit, except cf_daemon_detach()'s
 * original process, which exits with the daemon's start-up status.
 */
#ifndef CF_DAEMON_H
#define CF_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

#define CF_PIDFILE_DEFAULT "/run/callfence.pid"

/*
 * Open path (created 0644) and take an exclusive lock on it without
 * waiting.  The lock belongs to the open file, so it survives fork() and
 * lasts until the last descriptor is closed.  Returns the descriptor, or
 * -1 with "pidfile PATH is locked by pid N" (another instance runs) or
 * "cannot open pidfile PATH: reason" in err.
 */
int cf_pidfile_lock(const char *path, char *err, size_t errlen);

/* Write getpid() to the locked pidfile fd, replacing its content. */
int cf_pidfile_write(int fd, char *err, size_t errlen);

/*
 * At exit: remove path; when that is not allowed any more (privileges
 * dropped), empty the file instead so no stale pid is left.  Closes fd.
 */
void cf_pidfile_remove(int fd, const char *path);

/*
 * Detach: fork, setsid, fork again; in the daemon chdir("/"), umask 027,
 * standard input, output and error on /dev/null.  Returns 0 in the
 * daemon.  The original process does not return: it waits until the
 * daemon calls cf_daemon_ready(), then exits 0, or with the status and
 * message the daemon gave (printed as "callfence: message"), or 3 if the
 * daemon died first.  -1 (in the original process) if fork failed.
 */
int cf_daemon_detach(char *err, size_t errlen);

/*
 * Tell the waiting original process that start-up is over: status 0 and
 * msg NULL for success, else the exit status it should use and why.
 * Does nothing when not detached, or the second time.
 */
void cf_daemon_ready(int status, const char *msg);

/*
 * Become user (a name or a number) and its groups for good: initgroups,
 * setresgid, setresuid, then check that root cannot be regained and that
 * no capability is left (when user is not root), and set no_new_privs.
 */
int cf_drop_privileges(const char *user, char *err, size_t errlen);

/* The uid and gid cf_drop_privileges would take for user; -1 "no such user". */
int cf_user_ids(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen);

#endif /* CF_DAEMON_H */
