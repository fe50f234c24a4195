#!/usr/bin/env python3
"""outage-check.py - test-live-outage.sh's check of what rsyslog received.

  outage-check.py GOT PID FACILITY FILE...
      GOT is what rsyslogd wrote with the test's template, one JSON object
      a line (app, procid, msgid, sev, fac, sd, msg: the fields rsyslog
      parsed).  FILE... are the daemon's file: output, its rotated files
      in order then the current one: every event the daemon wrote.
      Every line of FILE... must have arrived (its MSG the exact line),
      at most once without the replay mark [callfence@32473 replay="1"]:
      a repeat is allowed only when marked.  Nothing else may have
      arrived.  The first arrivals must be in the files' order.  Every
      record: APP-NAME callfence, PROCID PID, MSGID the event's kind,
      the severity of the event, facility FACILITY, no structured data
      but the mark.
Prints "N events ..." or the first difference; exit 1 on any difference.
"""
import collections
import json
import sys

SEVERITY = {99: 2, 73: 3, 47: 4, 21: 5}     # ECS event.severity -> syslog
MARK = '[callfence@32473 replay="1"]'


def fail(msg):
    print(msg)
    sys.exit(1)


def kind_of(event):
    ds = event.get("event", {}).get("dataset", "")
    return ds.split(".", 1)[1] if ds.startswith("callfence.") else "-"


def severity_of(event):
    if kind_of(event) == "alert":
        return SEVERITY[event["event"]["severity"]]
    return 6


def main(argv):
    if len(argv) < 5:
        fail(__doc__)
    gotf, pid, fac, files = argv[1], argv[2], argv[3], argv[4:]
    lines = []
    for p in files:
        with open(p, "rb") as f:
            data = f.read().decode("utf-8")
        if data and not data.endswith("\n"):
            fail("%s ends in a cut line" % p)
        lines.extend(data.splitlines())
    if not lines:
        fail("the daemon's files hold no event")
    if len(set(lines)) != len(lines):
        fail("the daemon's files hold the same line twice")
    index = {l: i for i, l in enumerate(lines)}
    with open(gotf, "rb") as f:
        recs = [json.loads(l) for l in f.read().decode("utf-8").splitlines()]
    plain = collections.Counter()
    total = collections.Counter()
    first = []
    marked = 0
    for n, rec in enumerate(recs, 1):
        msg = rec.get("msg", "")
        where = "rsyslog record %d" % n
        if msg not in index:
            fail("%s is no event the daemon wrote: %r" % (where, msg[:160]))
        ev = json.loads(msg)
        for field, value in (("app", "callfence"), ("procid", pid),
                             ("msgid", kind_of(ev)), ("sev", str(severity_of(ev))),
                             ("fac", fac)):
            if str(rec.get(field)) != value:
                fail("%s: %s is %r, want %r" % (where, field, rec.get(field), value))
        sd = rec.get("sd", "")
        if sd not in ("", "-", MARK):
            fail("%s: unexpected structured data %r" % (where, sd))
        if sd == MARK:
            marked += 1
        else:
            plain[msg] += 1
            if plain[msg] > 1:
                fail("%s: event %d of the files arrived twice unmarked: %r"
                     % (where, index[msg] + 1, msg[:160]))
        if total[msg] == 0:
            first.append(index[msg])
        total[msg] += 1
    missing = [i for i, l in enumerate(lines) if total[l] == 0]
    if missing:
        fail("%d of %d events never arrived; the first: event %d: %r"
             % (len(missing), len(lines), missing[0] + 1, lines[missing[0]][:160]))
    if first != sorted(first):
        k = next(i for i in range(1, len(first)) if first[i] < first[i - 1])
        fail("out of order: event %d arrived (first) after event %d" % (first[k] + 1, first[k - 1] + 1))
    print("%d events, each arrived, in order; %d records, %d marked replay, %d repeats"
          % (len(lines), len(recs), marked, len(recs) - len(lines)))


main(sys.argv)
