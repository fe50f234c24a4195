/*
 * daemon-signals.c - the signals of a live run.  The handlers only set
 * flags; the signals are blocked except while the loop waits in ppoll()
 * (cf_wait_mask), so the flags are acted on between two batches of
 * packets, by the thread that reads them.  Packets that arrive meanwhile
 * wait in the kernel's buffer: a reload loses none.  Threads started
 * later inherit the blocked signals and never take them.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "daemon/daemon-int.h"

volatile sig_atomic_t cf_got_hup, cf_got_term, cf_got_usr1;
sigset_t cf_wait_mask;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		cf_got_hup = 1;
	else if (sig == SIGUSR1)
		cf_got_usr1 = 1;
	else
		cf_got_term = 1;
}

int cf_live_signals(char *err, size_t errlen)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	sa.sa_mask = block;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0) {
			snprintf(err, errlen, "sigaction: %s", strerror(errno));
			return -1;
		}
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &block, &cf_wait_mask) != 0) {
		snprintf(err, errlen, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(&cf_wait_mask, sigs[i]);
	return 0;
}
