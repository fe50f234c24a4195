#!/usr/bin/env python3
"""syslogcheck.py - helpers and checks for test-syslog.sh (real rsyslog and
syslog-ng as collectors).

  syslogcheck.py ports N
      N free TCP ports on 127.0.0.1, one a line
  syslogcheck.py wait SECONDS [tcp:PORT | sock:PATH | lines:FILE:N]...
      wait until every TCP port takes connections, every socket file is
      there, every FILE has at least N lines; exit 1 at the deadline
  syslogcheck.py got GOT FORMAT FACILITY SEGMENT...
      GOT is what a collector wrote with the test's template, one JSON
      object a line (app, procid, msgid, sev, fac, sd, msg: the fields the
      collector parsed).  The events it must hold, in order, are the
      SEGMENTs one after the other: FILE:PID:MARK[:FROM], the lines of
      FILE (callfence's file: output) from line FROM (0-based), sent by
      process PID, MARK 1 when they must carry the replay mark
      [callfence@32473 replay="1"], 0 when they must not.  FORMAT: 5424,
      3164 (no MSGID) or json (the bare event: only msg is checked).
      Every event exactly once, in order, its MSG the exact line, and
      APP-NAME, PROCID, MSGID, severity and facility right; no structured
      data but the mark (and the [meta sequenceId] syslog-ng adds to what
      its local sources take).

Exit 0 when the check holds (prints a summary), 1 with the reason.
"""

import json
import os
import re
import socket
import sys
import time

SEVERITY = {99: 2, 73: 3, 47: 4, 21: 5}     # ECS event.severity -> syslog


def fail(msg):
    print(msg)
    sys.exit(1)


def ports(n):
    socks, out = [], []
    for _ in range(int(n)):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        out.append(s.getsockname()[1])
    for s in socks:
        s.close()
    print("\n".join(str(p) for p in out))


def ready(what):
    kind, _, arg = what.partition(":")
    if kind == "tcp":
        try:
            socket.create_connection(("127.0.0.1", int(arg)), timeout=0.5).close()
            return True
        except OSError:
            return False
    if kind == "sock":
        return os.path.exists(arg)
    if kind == "lines":
        path, _, n = arg.rpartition(":")
        try:
            with open(path, "rb") as f:
                return f.read().count(b"\n") >= int(n)
        except OSError:
            return False
    fail("wait: unknown condition " + what)


def wait(seconds, whats):
    end = time.time() + float(seconds)
    while True:
        pending = [w for w in whats if not ready(w)]
        if not pending:
            return
        if time.time() > end:
            fail("timed out waiting for " + " ".join(pending))
        time.sleep(0.1)


def kind_of(event):
    ds = event.get("event", {}).get("dataset", "")
    return ds.split(".", 1)[1] if ds.startswith("callfence.") else "-"


def severity_of(event):
    if kind_of(event) == "alert":
        return SEVERITY[event["event"]["severity"]]
    return 6


def expected(segments):
    want = []
    for seg in segments:
        parts = seg.split(":")
        path, pid, mark = parts[0], parts[1], parts[2] == "1"
        start = int(parts[3]) if len(parts) > 3 else 0
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8").splitlines()
        for line in lines[start:]:
            want.append((line, pid, mark))
    return want


def got(path, fmt, facility, segments):
    want = expected(segments)
    with open(path, "rb") as f:
        recs = [json.loads(l) for l in f.read().decode("utf-8").splitlines()]
    marked = 0
    for i, rec in enumerate(recs):
        if i >= len(want):
            fail("%d events, want %d: extra event %d: %s" % (len(recs), len(want), i + 1,
                                                             rec.get("msg", "")[:120]))
        line, pid, mark = want[i]
        where = "event %d of %d" % (i + 1, len(want))
        if rec.get("msg") != line:
            fail("%s: MSG is not the event: got %r, want %r" % (where, rec.get("msg", "")[:160],
                                                               line[:160]))
        if fmt == "json":
            continue
        ev = json.loads(line)
        checks = [("app", "callfence"), ("procid", pid),
                  ("sev", str(severity_of(ev))), ("fac", str(facility))]
        if fmt == "5424":
            checks.append(("msgid", kind_of(ev)))
        for field, value in checks:
            if str(rec.get(field)) != value:
                fail("%s: %s is %r, want %r" % (where, field, rec.get(field), value))
        # syslog-ng numbers what its local sources take ([meta sequenceId])
        sd = re.sub(r'\[meta sequenceId="\d+"\]', "", rec.get("sd", ""))
        is_marked = sd == '[callfence@32473 replay="1"]'
        if not is_marked and sd not in ("", "-"):
            fail("%s: unexpected structured data %r" % (where, sd))
        if is_marked != mark:
            fail("%s: replay mark %s, want %s" % (where, is_marked, mark))
        marked += is_marked
    if len(recs) != len(want):
        fail("%d events, want %d: the first missing is %s" % (len(recs), len(want),
                                                            want[len(recs)][0][:120]))
    print("%d events, each once, in order, fields parsed right (%d marked replay)"
          % (len(recs), marked))


def main(argv):
    if len(argv) >= 3 and argv[1] == "ports":
        ports(argv[2])
    elif len(argv) >= 3 and argv[1] == "wait":
        wait(argv[2], argv[3:])
    elif len(argv) >= 6 and argv[1] == "got":
        got(argv[2], argv[3], argv[4], argv[5:])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv)
