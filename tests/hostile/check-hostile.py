#!/usr/bin/env python3
"""check-hostile.py - run callfence over the captures mkhostile.py wrote and
hold it to what expect.json says.

    check-hostile.py CALLFENCE SRCDIR GEODIR DIR

For every case: callfence exits as expected (0, or 3 for an unreadable
record) and writes no sanitizer report; every line it wrote is strict UTF-8
and parses as a JSON object (python's json, control characters refused);
the report's packet and decode counters (ok, not_ip, truncated, invalid,
fragments, vlan, ipv4, ipv6, tcp, udp, icmp, other) equal what the
captured packets must give, exactly; the flows created are as many as the
capture holds, and with --all-flows each of them got its flow event.

The flood: a million distinct flows through a 1024-flow table: every
flow but the last 1024 is evicted and counted, and the peak resident
memory (wait4's ru_maxrss) stays within RSS_BOUND_MB of the same run over
the flood's first 1000 flows.  A table that kept its flows, or nDPI state
that outlived its flow, would cost about a kilobyte a flow, a gigabyte in
all.

The ICE flood: a fifth as many flows (at least 20,000), each an ICE
session of its own: as many calls, through the call table's cap (the
quiet calls are written early and counted), the classifier's link table
full (evictions counted), memory within the same bound.
"""

import json
import os
import re
import subprocess
import sys

RSS_BOUND_MB = 48
MAX_FLOWS = 1024
CALLS_MAX = 8192        # engine/calls.h CF_CALLS_MAX
LINKS_MAX = 4096        # classify-int.h CF_CALL_SOCKS
COUNTERS = ("ok", "not_ip", "truncated", "invalid", "fragments", "vlan",
            "ipv4", "ipv6", "tcp", "udp", "icmp", "other")
SANITIZER_MARKS = (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer",
                   b"runtime error:", b"ERROR: UndefinedBehaviorSanitizer")

failures = []


def fail(case, msg):
    failures.append("%s: %s" % (case, msg))
    print("FAIL %s: %s" % (case, msg))


def run(case, argv, env):
    """Run argv; return (exit status, stderr bytes, peak RSS in KiB)."""
    with open(os.path.join(WORK, case + ".stderr"), "wb") as err:
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(os.path.join(WORK, case + ".stderr"), "rb") as f:
        return p.returncode, f.read(), usage.ru_maxrss


def read_events(case, path):
    """Every line strict UTF-8 and a JSON object; returns them."""
    events = []
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        fail(case, "the last event line has no newline")
    for n, raw in enumerate(data.splitlines(), 1):
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            fail(case, "event line %d is not JSON in UTF-8: %s: %r" % (n, e, raw[:200]))
            continue
        if not isinstance(obj, dict):
            fail(case, "event line %d is not an object" % n)
            continue
        events.append(obj)
    return events


def check_counts(case, rep, exp):
    want = exp["decode"]
    got = dict(rep.get("decode", {}))
    if rep.get("packets") != want["packets"]:
        fail(case, "report packets %s, want %d" % (rep.get("packets"), want["packets"]))
    for k in COUNTERS:
        if got.get(k) != want[k]:
            fail(case, "decode.%s %s, want %d" % (k, got.get(k), want[k]))
    if "flows_created" in exp and rep["flows"]["created"] != exp["flows_created"]:
        fail(case, "flows.created %s, want %d" % (rep["flows"]["created"], exp["flows_created"]))


def one(case, exp, extra, env):
    cap = os.path.join(WORK, case + ".pcap")
    events = os.path.join(WORK, case + ".events.json")
    report = os.path.join(WORK, case + ".report.json")
    for p in (events, report):
        if os.path.exists(p):
            os.unlink(p)
    quiet = [] if "stderr" in exp else ["-q"]
    argv = [CALLFENCE] + quiet + ["-r", cap, "-R", RULES, "-G", GEO + "/country.mmdb",
                                  "-G", GEO + "/asn.mmdb", "--report", report,
                                  "-o", "file:" + events] + extra
    rc, err, rss = run(case, argv, env)
    want_rc = exp.get("exit", 0)
    if rc != want_rc:
        fail(case, "exit status %d, want %d; stderr: %s" % (rc, want_rc, err[-2000:]))
    for m in SANITIZER_MARKS:
        if m in err:
            fail(case, "sanitizer report: %s" % err[-3000:])
    if "stderr" in exp and not re.search(exp["stderr"].encode(), err):
        fail(case, "stderr does not match %r: %r" % (exp["stderr"], err[-500:]))
    if not os.path.exists(report) or not os.path.exists(events):
        fail(case, "no report or no events written")
        return None, rss
    evs = read_events(case, events)
    with open(report, "rb") as f:
        rep = json.loads(f.read().decode("utf-8"))
    check_counts(case, rep, exp)
    reports = [e for e in evs if e.get("event", {}).get("dataset") == "callfence.report"]
    if len(reports) != 1:
        fail(case, "%d callfence.report events, want 1" % len(reports))
    if "--all-flows" in extra:
        flows = [e for e in evs if e.get("event", {}).get("dataset") == "callfence.flow"]
        if len(flows) != exp["flows_created"]:
            fail(case, "%d flow events for %d flows: events were lost"
                 % (len(flows), exp["flows_created"]))
    print("ok   %-15s packets %-8d truncated %-4d invalid %-4d fragments %-6d "
          "flows %-8d rss %d KiB" % (case, rep["packets"], rep["decode"]["truncated"],
                                     rep["decode"]["invalid"], rep["decode"]["fragments"],
                                     rep["flows"]["created"], rss))
    return rep, rss


def flood(expect, env):
    env = dict(env)
    # ASan keeps freed memory in quarantine (256 MB by default): keep it
    # small so that what is measured is callfence's own.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8"
    extra = ["--max-flows", str(MAX_FLOWS)]
    base, base_rss = one("flood-small", expect["flood-small"], extra, env)
    rep, rss = one("flood", expect["flood"], extra, env)
    if rep is None or base is None:
        return
    n = expect["flood"]["flows_created"]
    fl = rep["flows"]
    if fl["evicted"] != n - MAX_FLOWS or fl["ended_shutdown"] != MAX_FLOWS:
        fail("flood", "evicted %d and ended at shutdown %d, want %d and %d"
             % (fl["evicted"], fl["ended_shutdown"], n - MAX_FLOWS, MAX_FLOWS))
    if fl["active_peak"] > MAX_FLOWS:
        fail("flood", "active_peak %d over the table size %d" % (fl["active_peak"], MAX_FLOWS))
    grew = (rss - base_rss) / 1024.0
    print("     flood: peak RSS %.1f MB for %d flows, %.1f MB for 1000: +%.1f MB (bound %d MB)"
          % (rss / 1024.0, n, base_rss / 1024.0, grew, RSS_BOUND_MB))
    if grew > RSS_BOUND_MB:
        fail("flood", "memory grew by %.1f MB over the baseline (bound %d MB)"
             % (grew, RSS_BOUND_MB))


def ice_flood(expect, env):
    """Every flow an ICE session of its own: the call table stays within
    CF_CALLS_MAX (8192) by writing the quiet calls early (counted), every
    call is written, the classifier's link table evicts (counted), and
    memory stays within RSS_BOUND_MB of the first 1000 flows' run."""
    env = dict(env)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8"
    extra = ["--max-flows", str(MAX_FLOWS)]
    base, base_rss = one("iceflood-small", expect["iceflood-small"], extra, env)
    rep, rss = one("iceflood", expect["iceflood"], extra, env)
    if rep is None or base is None:
        return
    n = expect["iceflood"]["flows_created"]
    c = rep.get("calls", {})
    if c.get("calls") != n or c.get("written") != n:
        fail("iceflood", "calls %s written %s, want %d each" % (c.get("calls"), c.get("written"), n))
    if c.get("evicted", 0) < n - CALLS_MAX or c.get("untracked_flows") != 0:
        fail("iceflood", "evicted %s untracked %s: want at least %d evicted, none untracked"
             % (c.get("evicted"), c.get("untracked_flows"), n - CALLS_MAX))
    if c.get("links_evicted", 0) < n - LINKS_MAX:
        fail("iceflood", "links_evicted %s, want at least %d" % (c.get("links_evicted"), n - LINKS_MAX))
    grew = (rss - base_rss) / 1024.0
    print("     iceflood: %d calls (%d written early), peak RSS %.1f MB, %.1f MB for 1000: +%.1f MB (bound %d MB)"
          % (n, c.get("evicted", 0), rss / 1024.0, base_rss / 1024.0, grew, RSS_BOUND_MB))
    if grew > RSS_BOUND_MB:
        fail("iceflood", "memory grew by %.1f MB over the baseline (bound %d MB)"
             % (grew, RSS_BOUND_MB))


def main():
    global CALLFENCE, RULES, GEO, WORK
    if len(sys.argv) != 5:
        sys.exit("usage: check-hostile.py CALLFENCE SRCDIR GEODIR DIR")
    CALLFENCE, srcdir, GEO, WORK = sys.argv[1:]
    RULES = os.path.join(srcdir, "tests", "e2e", "rules", "e2e-eu.rules")
    with open(os.path.join(WORK, "expect.json")) as f:
        expect = json.load(f)
    env = dict(os.environ)
    env.setdefault("CALLFENCE_DATADIR", srcdir)
    env.pop("CALLFENCE_SANDBOX_SELFTEST", None)
    for case in sorted(expect):
        if case.startswith("flood") or case.startswith("iceflood"):
            continue
        one(case, expect[case], ["--all-flows"], env)
    flood(expect, env)
    ice_flood(expect, env)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
