/*
 * daemon.c - the pidfile, detaching, dropping privileges.
 *
 * Start-up order (main.c): everything that needs root or can fail on the
 * configuration is opened in the foreground, where errors reach the
 * terminal; then the process detaches, writes its pid, drops privileges
 * and only then tells the waiting original process that it runs, so
 * `callfence -D ...; echo $?` reports a failure of any of these steps.
 */
#define _GNU_SOURCE   /* pipe2, ppoll, setresuid and friends */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "daemon/daemon.h"

#define EXIT_DAEMON_DIED 3

static int ready_fd = -1;     /* the daemon's end of the start-up pipe */

/* ---- pidfile -------------------------------------------------------- */

/* The pid written in fd, 0 if none can be read. */
static long read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 ? pid : 0;
}

int cf_pidfile_lock(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	long pid;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open pidfile %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno == EWOULDBLOCK) {
		pid = read_pid(fd);
		if (pid > 0)
			snprintf(err, errlen, "pidfile %s is locked by pid %ld "
				 "(callfence is running already)", path, pid);
		else
			snprintf(err, errlen, "pidfile %s is locked by another "
				 "process", path);
	} else {
		snprintf(err, errlen, "cannot lock pidfile %s: %s", path,
			 strerror(errno));
	}
	close(fd);
	return -1;
}

int cf_pidfile_write(int fd, char *err, size_t errlen)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		snprintf(err, errlen, "cannot write pidfile: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void cf_pidfile_remove(int fd, const char *path)
{
	if (fd < 0)
		return;
	if (unlink(path) != 0 && ftruncate(fd, 0) != 0) {
		/* nothing more to do: the lock goes with the descriptor */
	}
	close(fd);
}

/* ---- detaching ------------------------------------------------------ */

/* The original process: wait for the daemon's word, exit with it. */
static void wait_ready(int fd, pid_t child)
{
	char buf[1024];
	size_t n = 0;
	ssize_t r;
	int status = EXIT_DAEMON_DIED;
	char *msg;

	while (n < sizeof(buf) - 1) {
		r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	waitpid(child, NULL, 0);
	if (n == 0) {
		fprintf(stderr, "callfence: the daemon ended during start-up\n");
		_exit(EXIT_DAEMON_DIED);
	}
	status = (int)strtol(buf, &msg, 10);
	while (*msg == ' ')
		msg++;
	if (status != 0 && *msg != '\0')
		fprintf(stderr, "callfence: %s\n", msg);
	_exit(status);
}

/* In the daemon: standard input, output and error on /dev/null. */
static int null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return -1;
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -1;
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

int cf_daemon_detach(char *err, size_t errlen)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot detach: pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot detach: fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		wait_ready(p[0], pid);
	}
	close(p[0]);
	ready_fd = p[1];
	if (setsid() < 0 || (pid = fork()) < 0) {
		cf_daemon_ready(EXIT_DAEMON_DIED, "cannot detach: setsid/fork failed");
		_exit(EXIT_DAEMON_DIED);
	}
	if (pid > 0)
		_exit(0);
	umask(027);
	if (chdir("/") != 0 || null_stdio() != 0) {
		cf_daemon_ready(EXIT_DAEMON_DIED, "cannot detach: chdir / or /dev/null failed");
		_exit(EXIT_DAEMON_DIED);
	}
	return 0;
}

void cf_daemon_ready(int status, const char *msg)
{
	char buf[1024];
	int n;

	if (ready_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%d %s", status, msg ? msg : "");
	if (n > 0 && write(ready_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n
							 : sizeof(buf) - 1) < 0) {
		/* the original process is gone: nobody to tell */
	}
	close(ready_fd);
	ready_fd = -1;
}

/* ---- privileges ----------------------------------------------------- */

/* uid, gid and name of user (a name, or a number without a passwd entry). */
static int find_user(const char *user, uid_t *uid, gid_t *gid, char *name,
		     size_t namelen, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long n;

	if (pw == NULL) {
		errno = 0;
		n = strtoul(user, &end, 10);
		if (errno != 0 || end == user || *end != '\0' || n >= UINT_MAX) {
			snprintf(err, errlen, "-u %s: no such user", user);
			return -1;
		}
		pw = getpwuid((uid_t)n);
		if (pw == NULL) {
			*uid = (uid_t)n;
			*gid = (gid_t)n;
			name[0] = '\0';
			return 0;
		}
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	snprintf(name, namelen, "%s", pw->pw_name);
	return 0;
}

int cf_user_ids(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	char name[256];

	return find_user(user, uid, gid, name, sizeof(name), err, errlen);
}

/* Any capability left in the permitted or effective set? */
static int caps_left(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) != 0)
		return 1;
	return (d[0].permitted | d[1].permitted | d[0].effective | d[1].effective) != 0;
}

/* After the switch: are we uid/gid for good? */
static int verify_drop(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (getresuid(&r, &e, &s) != 0 || getresgid(&gr, &ge, &gs) != 0 ||
	    r != uid || e != uid || s != uid || gr != gid || ge != gid || gs != gid) {
		snprintf(err, errlen, "-u: the user and group ids did not change");
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "-u: root could be regained after dropping privileges");
		return -1;
	}
	if (uid != 0 && caps_left()) {
		snprintf(err, errlen, "-u: capabilities are left after dropping privileges");
		return -1;
	}
	return 0;
}

int cf_drop_privileges(const char *user, char *err, size_t errlen)
{
	char name[256];
	uid_t uid;
	gid_t gid;
	int rc;

	if (find_user(user, &uid, &gid, name, sizeof(name), err, errlen) < 0)
		return -1;
	rc = name[0] ? initgroups(name, gid) : setgroups(0, NULL);
	if (rc != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
		snprintf(err, errlen, "-u %s: cannot switch user: %s", user,
			 strerror(errno));
		return -1;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (verify_drop(uid, gid, err, errlen) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "-u: cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
