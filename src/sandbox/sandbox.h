/*
 * sandbox.h - least privilege for an offline run: a seccomp filter
 * (libseccomp) installed once every capture file is open, after which
 * the process can only read what it already opened, write to what it
 * already opened, manage its memory and exit.  docs/security.md says what
 * it is for and what it allows.
 *
 * The library never installs it on its own: a program arms it
 * (cf_sandbox_arm; callfence does for an offline run unless --no-sandbox)
 * and cf_capture_files() calls cf_sandbox_enter() once every capture file
 * is open and before it parses the first byte of any of them.  Unit tests
 * and other library users therefore run without it.
 */
#ifndef CF_SANDBOX_H
#define CF_SANDBOX_H

#include <stddef.h>

/* cf_sandbox_arm flags */
#define CF_SANDBOX_ON     0x1u  /* install the filter at cf_sandbox_enter */
#define CF_SANDBOX_CREATE 0x2u  /* also let files be created for writing
				   (O_WRONLY|O_CREAT|O_TRUNC): --report is
				   written after the capture is read */

/* Arm (flags with CF_SANDBOX_ON) or disarm (0) the filter. */
void cf_sandbox_arm(unsigned flags);

/* 1 when this build has the seccomp filter (configure found libseccomp). */
int cf_sandbox_available(void);

/*
 * Install the filter if armed, once.  Returns 0 when it is in force, when
 * nothing is armed, when it already is in force, or when the build has no
 * seccomp support (cf_sandbox_available() says which); -1 with "cannot
 * install the seccomp sandbox: REASON (--no-sandbox runs without it)" in
 * err when the kernel refuses it.  A forbidden system call afterwards
 * fails with EPERM, or kills the process (SIGSYS) when it is one only an
 * attacker would make (exec, fork, sockets, ptrace, ...).
 *
 * Test hook: when the environment has CALLFENCE_SANDBOX_SELFTEST=1, once
 * the filter is in force a few forbidden calls are tried and the outcome
 * written to stderr (tests/hostile/test-sandbox.sh); the last one,
 * socket(), kills the process unless the build has sanitizers.
 */
int cf_sandbox_enter(char *err, size_t errlen);

/*
 * Test hook: when the environment has CALLFENCE_SANDBOX_TRACE=1, write
 * "callfence: sandbox trace: WHAT: seccomp mode N" to stderr, N being the
 * calling thread's seccomp mode as the kernel says (prctl PR_GET_SECCOMP:
 * 0 none, 2 filter).  cf_capture_files() calls it with each capture file's
 * name before it parses the file (tests/hostile/test-sandbox.sh).
 */
void cf_sandbox_trace(const char *what);

/* 1 once cf_sandbox_enter installed the filter in this process. */
int cf_sandbox_active(void);

#endif /* CF_SANDBOX_H */
