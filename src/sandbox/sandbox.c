/*
 * sandbox.c - the seccomp filter of an offline run (libseccomp).
 *
 * Once every capture file is open (none parsed yet), callfence only needs
 * to read them, write events and the summary to descriptors it already
 * has, manage its memory and exit.  The filter allows that and little else:
 *
 *   allowed   read/write family, lseek, close, fstat family, ftruncate
 *             (an output file cut back to a whole line), memory
 *             (mmap and mprotect only without PROT_EXEC), futex, clocks,
 *             signal return and mask, exit, tgkill to itself (abort()),
 *             rseq and set_robust_list (a thread starting),
 *             prctl(PR_GET_SECCOMP); with CF_SANDBOX_CREATE also
 *             open/openat with exactly O_WRONLY|O_CREAT|O_TRUNC (how
 *             fopen(path, "w") writes the --report file)
 *   killed    (SCMP_ACT_KILL_PROCESS) what only injected code would do:
 *             exec, fork/clone, sockets, ptrace, other processes' memory,
 *             modules, bpf, mounts, namespaces, identity changes, kill
 *   EPERM     everything else, among it opening any other file: a call a
 *             library makes that we did not foresee fails like an
 *             ordinary error instead of killing a long run
 *
 * The filter goes on every thread of the process at once (TSYNC): with
 * --threads the workers are running before the files are open.
 *
 * System calls of another architecture (i386 int 0x80, x32) kill the
 * process.  Builds with sanitizers (ASan/UBSan, the test suite) cannot
 * stand the kill list: LeakSanitizer clones and ptraces itself at exit,
 * reads /proc, and the symbolizer is exec'd, so there every forbidden
 * call gets EPERM and what those runtimes need is allowed, read-only
 * opens among it (docs/security.md).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "sandbox/sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define CF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define CF_SANITIZED 1
#endif
#endif
#ifndef CF_SANITIZED
#define CF_SANITIZED 0
#endif

static unsigned armed;
static int active;

void cf_sandbox_arm(unsigned flags)
{
	armed = flags;
}

int cf_sandbox_active(void)
{
	return active;
}

void cf_sandbox_trace(const char *what)
{
	static int on = -1;
	const char *t;

	if (on < 0) {
		t = getenv("CALLFENCE_SANDBOX_TRACE");
		on = t != NULL && strcmp(t, "1") == 0;
	}
	if (on)
		fprintf(stderr, "callfence: sandbox trace: %s: seccomp mode %d\n",
			what, prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

#ifdef HAVE_SECCOMP

int cf_sandbox_available(void)
{
	return 1;
}

/* Plain allowed calls. */
static const int allow_plain[] = {
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64), SCMP_SYS(preadv),
	SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(pwrite64), SCMP_SYS(pwritev),
	SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	/* an output file cut back to its last whole line after a short
	 * write (output-file.c): only descriptors open for writing */
	SCMP_SYS(ftruncate),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(futex), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(getrandom),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(restart_syscall),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(sched_yield),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* a --threads worker that starts running only once the filter is on
	 * (it covers every thread) registers itself with glibc: refused,
	 * glibc aborts ("rseq registration failed") */
	SCMP_SYS(rseq), SCMP_SYS(set_robust_list),
};

/* Calls that kill the process (normal builds). */
static const int kill_list[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(socket), SCMP_SYS(socketpair),
	SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept),
	SCMP_SYS(accept4), SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(recvfrom),
	SCMP_SYS(recvmsg), SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
	SCMP_SYS(process_vm_writev), SCMP_SYS(memfd_create), SCMP_SYS(init_module),
	SCMP_SYS(finit_module), SCMP_SYS(kexec_load), SCMP_SYS(bpf),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
	SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(keyctl), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(userfaultfd), SCMP_SYS(perf_event_open),
	SCMP_SYS(personality), SCMP_SYS(open_by_handle_at), SCMP_SYS(io_uring_setup),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid), SCMP_SYS(setregid),
	SCMP_SYS(setresuid), SCMP_SYS(setresgid), SCMP_SYS(setgroups),
	SCMP_SYS(capset), SCMP_SYS(kill), SCMP_SYS(tkill),
};

/* What ASan/LSan/UBSan do after the filter is in (sanitizer builds). */
static const int allow_sanitizer[] = {
	SCMP_SYS(clone), SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(waitid),
	SCMP_SYS(prctl), SCMP_SYS(getdents), SCMP_SYS(getdents64), SCMP_SYS(readlink),
	SCMP_SYS(readlinkat), SCMP_SYS(sigaltstack), SCMP_SYS(rt_sigaction),
	SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(getppid),
	SCMP_SYS(mmap), SCMP_SYS(mprotect), SCMP_SYS(pipe2),
	SCMP_SYS(set_robust_list), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(getrlimit), SCMP_SYS(prlimit64), SCMP_SYS(setrlimit),
	SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(fcntl),
};

static int add_list(scmp_filter_ctx ctx, uint32_t action, const int *list,
		    size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = seccomp_rule_add(ctx, action, list[i], 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* open/openat whose flags, masked with mask, are want. */
static int allow_open(scmp_filter_ctx ctx, scmp_datum_t mask, scmp_datum_t want)
{
	int rc = 0;

	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, mask, want));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
			       SCMP_A1(SCMP_CMP_MASKED_EQ, mask, want));
	return rc < 0 ? -EINVAL : 0;
}

/*
 * Calls allowed with conditions on their arguments (normal builds): no
 * executable memory, fcntl only to read flags, tgkill only to ourselves,
 * prctl only to ask the seccomp mode.
 */
static int add_conditional(scmp_filter_ctx ctx)
{
	int rc = 0;

	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
			       SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
			       SCMP_A1(SCMP_CMP_EQ, F_GETFD));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
			       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
			       SCMP_A0(SCMP_CMP_EQ, PR_GET_SECCOMP));
	return rc < 0 ? -EINVAL : 0;
}

static int build(scmp_filter_ctx ctx, unsigned flags)
{
	int rc;

	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc == 0)
		rc = add_list(ctx, SCMP_ACT_ALLOW, allow_plain,
			      sizeof(allow_plain) / sizeof(allow_plain[0]));
	if (rc == 0 && CF_SANITIZED)
		rc = add_list(ctx, SCMP_ACT_ALLOW, allow_sanitizer,
			      sizeof(allow_sanitizer) / sizeof(allow_sanitizer[0]));
	else if (rc == 0)
		rc = add_list(ctx, SCMP_ACT_KILL_PROCESS, kill_list,
			      sizeof(kill_list) / sizeof(kill_list[0]));
	if (rc == 0 && !CF_SANITIZED)
		rc = add_conditional(ctx);
	/* --report: how fopen(path, "w") opens; LeakSanitizer reads /proc */
	if (rc == 0 && (flags & CF_SANDBOX_CREATE))
		rc = allow_open(ctx, 0xffffffffu & ~(scmp_datum_t)(O_CLOEXEC | O_NOCTTY),
				O_WRONLY | O_CREAT | O_TRUNC);
	if (rc == 0 && CF_SANITIZED)
		rc = allow_open(ctx, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY);
	return rc;
}

/* CALLFENCE_SANDBOX_SELFTEST=1: show the filter at work (stderr). */
static void selftest(void)
{
	const char *tag = "callfence: sandbox self-test:";
	int fd;

	fprintf(stderr, "%s build %s\n", tag, CF_SANITIZED ?
		"with sanitizers (forbidden calls fail with EPERM)" :
		"normal (forbidden calls fail with EPERM or kill)");
	fprintf(stderr, "%s seccomp mode %d\n", tag, prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	fd = open("/dev/null", O_WRONLY);
	fprintf(stderr, "%s open /dev/null for writing: %s\n", tag,
		fd >= 0 ? "allowed" : strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = open("/etc/hostname", O_RDONLY);
	fprintf(stderr, "%s open /etc/hostname for reading: %s\n", tag,
		fd >= 0 ? "allowed" : strerror(errno));
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "%s socket() next\n", tag);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	fprintf(stderr, "%s socket(): %s\n", tag, fd >= 0 ? "allowed" : strerror(errno));
	if (fd >= 0)
		close(fd);
}

int cf_sandbox_enter(char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	const char *st;
	int rc;

	if (!(armed & CF_SANDBOX_ON) || active)
		return 0;
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL) {
		snprintf(err, errlen, "cannot install the seccomp sandbox: out of "
			 "memory (--no-sandbox runs without it)");
		return -1;
	}
	/* every thread, not only this one: --threads workers (and any
	 * output thread) exist already and parse what the capture holds */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = build(ctx, armed);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errlen, "cannot install the seccomp sandbox: %s "
			 "(--no-sandbox runs without it)", strerror(-rc));
		return -1;
	}
	active = 1;
	st = getenv("CALLFENCE_SANDBOX_SELFTEST");
	if (st != NULL && strcmp(st, "1") == 0)
		selftest();
	return 0;
}

#else /* !HAVE_SECCOMP */

int cf_sandbox_available(void)
{
	return 0;
}

int cf_sandbox_enter(char *err, size_t errlen)
{
	const char *st = getenv("CALLFENCE_SANDBOX_SELFTEST");

	(void)err;
	(void)errlen;
	if ((armed & CF_SANDBOX_ON) && st != NULL && strcmp(st, "1") == 0)
		fprintf(stderr, "callfence: sandbox self-test: not built "
			"(configure found no libseccomp)\n");
	return 0;
}

#endif /* HAVE_SECCOMP */
