#!/usr/bin/env python3
"""subreaper.py - the exit status of a daemon that detaches.

  subreaper.py STATUSFILE COMMAND...
      Become a child subreaper (prctl PR_SET_CHILD_SUBREAPER), run COMMAND
      (callfence -D: it forks, and its parent exits once the daemon is up),
      then reap every descendant left, the daemon too, and write to
      STATUSFILE "PID STATUS" for each (STATUS the exit status, or 128+N
      when killed by signal N), the command's own first.  Run it in the
      background: it returns once the last descendant is gone.  Lets a test check the exit status callfence(8)
      documents for a daemon (0, 3 when events were lost).
"""
import ctypes
import os
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def status(st):
    return os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_CHILD_SUBREAPER): errno %d" % ctypes.get_errno())
    out = open(argv[1], "w", buffering=1)
    child = subprocess.Popen(argv[2:])
    rc = child.wait()
    out.write("%d %d\n" % (child.pid, rc))
    while True:             # the daemon, reparented to us
        try:
            pid, st = os.wait()
        except ChildProcessError:
            break
        out.write("%d %d\n" % (pid, status(st)))
    out.close()


main(sys.argv)
