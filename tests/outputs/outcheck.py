#!/usr/bin/env python3
"""outcheck.py - checks for callfence's output tests (test-outputs.sh).

  outcheck.py same ACTUAL EXPECTED
      the same lines in the same order: nothing lost, nothing doubled
  outcheck.py spool-bound EXPECTED SPOOL_MAX SPOOL_FILE
      the spool holds exactly the events that fit in SPOOL_MAX bytes (each
      line and its newline, in order, an event that does not fit is
      dropped and the next ones still get their chance); prints the
      number dropped
  outcheck.py syslog RECEIVED EXPECTED FACILITY PID
      RFC 3164 framing as syslog(3) does it, ident callfence[PID], the
      facility, the severity of each event, the event itself
  outcheck.py filter ACTUAL EXPECTED KINDS MIN_SEVERITY
      ACTUAL is EXPECTED with only the events of KINDS (alert+flow+...)
      and alerts of MIN_SEVERITY or above
  outcheck.py community-id EVENTS SEED
      network.community_id of every TCP/UDP alert and flow, computed here
  outcheck.py aggregated PLAIN FOLDED
      FOLDED is PLAIN with repeated alerts folded: the same flow events,
      fewer alert lines, and the sum of callfence.alert_count (1 when
      absent) equal to the number of alerts in PLAIN

Exit 0 when the check holds, 1 with the reasons.  Standard library only.
"""

import base64
import hashlib
import ipaddress
import json
import re
import struct
import sys

ECS_SEVERITY = {99: 2, 73: 3, 47: 4, 21: 5}    # -> LOG_CRIT, LOG_ERR, ...
FACILITY = {"daemon": 3, "user": 1, "auth": 4, "local0": 16, "local1": 17,
            "local2": 18, "local3": 19, "local4": 20, "local5": 21,
            "local6": 22, "local7": 23}
SEVERITY_RANK = {"low": 21, "medium": 47, "high": 73, "critical": 99}


def lines(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8").splitlines()


def fail(msg):
    print(msg)
    sys.exit(1)


def same(actual, expected):
    a, e = lines(actual), lines(expected)
    if a == e:
        print("%d lines, same order" % len(a))
        return
    missing = [x for x in e if x not in set(a)]
    doubled = len(a) - len(set(a))
    first = next((i for i, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
    fail("%d lines, want %d: %d missing, %d doubled, first difference at line %d"
         % (len(a), len(e), len(missing), doubled, first + 1))


def spool_bound(expected, spool_max, spool_file):
    limit, used, kept, dropped = int(spool_max), 0, [], 0
    for line in lines(expected):
        size = len(line.encode("utf-8")) + 1
        if used + size <= limit:
            used += size
            kept.append(line)
        else:
            dropped += 1
    got = lines(spool_file)
    if got != kept:
        fail("spool has %d lines, want %d" % (len(got), len(kept)))
    print(dropped)


def syslog(received, expected, facility, pid):
    pat = re.compile(r"^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d callfence\[(\d+)\]: (.*)$")
    got, want = lines(received), lines(expected)
    if len(got) != len(want):
        fail("%d messages, want %d" % (len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        m = pat.match(g)
        if not m:
            fail("message %d is not syslog(3) framing: %r" % (i + 1, g[:80]))
        ev = json.loads(w)
        sev = 6
        if ev["event"]["dataset"] == "callfence.alert":
            sev = ECS_SEVERITY[ev["event"]["severity"]]
        pri = FACILITY[facility] * 8 + sev
        if int(m.group(1)) != pri or m.group(2) != pid or m.group(3) != w:
            fail("message %d: <%s> [%s], want <%d> [%s] and the event"
                 % (i + 1, m.group(1), m.group(2), pri, pid))
    print("%d messages" % len(got))


def filtered(actual, expected, kinds, min_severity):
    want_kinds = set("callfence." + k for k in kinds.split("+"))
    floor = SEVERITY_RANK[min_severity]
    want = []
    for line in lines(expected):
        ev = json.loads(line)["event"]
        if ev["dataset"] not in want_kinds:
            continue
        if ev["dataset"] == "callfence.alert" and ev["severity"] < floor:
            continue
        want.append(line)
    if lines(actual) != want:
        fail("%d events, want %d" % (len(lines(actual)), len(want)))
    print("%d events" % len(want))


def community_id(saddr, daddr, proto, sport, dport, seed):
    a = ipaddress.ip_address(saddr).packed
    b = ipaddress.ip_address(daddr).packed
    if (a, sport) > (b, dport):
        a, b, sport, dport = b, a, dport, sport
    data = struct.pack("!H", seed) + a + b + struct.pack("!BB", proto, 0)
    data += struct.pack("!HH", sport, dport)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def check_community_ids(path, seed):
    protos = {"tcp": 6, "udp": 17}
    n = 0
    for line in lines(path):
        ev = json.loads(line)
        net = ev.get("network", {})
        if net.get("transport") not in protos:
            continue
        want = community_id(ev["source"]["ip"], ev["destination"]["ip"],
                            protos[net["transport"]], ev["source"]["port"],
                            ev["destination"]["port"], int(seed))
        if net.get("community_id") != want:
            fail("%s %s -> %s: community_id %s, want %s"
                 % (ev["event"]["dataset"], ev["source"]["ip"], ev["destination"]["ip"],
                    net.get("community_id"), want))
        n += 1
    if n == 0:
        fail("no TCP or UDP event to check")
    print("%d community ids" % n)


def aggregated(plain, folded):
    def split(path):        # the report is left out: its wall_seconds differ
        alerts, other = [], []
        for line in lines(path):
            ev = json.loads(line)
            kind = ev["event"]["dataset"]
            if kind == "callfence.alert":
                alerts.append(ev)
            elif kind != "callfence.report":
                other.append(ev)
        return alerts, other
    pa, po = split(plain)
    fa, fo = split(folded)
    if po != fo:
        fail("the flow events differ")
    total = sum(a.get("callfence", {}).get("alert_count", 1) for a in fa)
    if total != len(pa) or len(fa) >= len(pa):
        fail("%d alert events standing for %d alerts, want fewer than %d standing for %d"
             % (len(fa), total, len(pa), len(pa)))
    print("%d alerts in %d events" % (total, len(fa)))


def main():
    if len(sys.argv) < 2:
        fail(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    table = {"same": (same, 2), "spool-bound": (spool_bound, 3),
             "syslog": (syslog, 4), "filter": (filtered, 4),
             "community-id": (check_community_ids, 2), "aggregated": (aggregated, 2)}
    if cmd not in table or len(args) != table[cmd][1]:
        fail(__doc__)
    table[cmd][0](*args)


if __name__ == "__main__":
    main()
