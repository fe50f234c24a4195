#!/usr/bin/env python3
"""same-events.py - are two NDJSON event files the same events, in any order?

  same-events.py ONE.ndjson OTHER.ndjson

Every event of one file must be in the other as often, compared whole
(every field, every value).  The callfence.report event is compared field
by field too, except for what is per worker by design with --threads:
wall time, the geography cache's fill and hit counters (one cache per
worker), peaks (the sum of the workers' peaks is an upper bound), memory,
the nDPI state peak and the fill of the per-address RTT tables (one a
worker).  The report of each must count the events the file holds (so an empty or cut
file cannot pass).

Exit 0 with a one-line summary; 1 with the differences.  Standard library
only.
"""

import collections
import json
import sys

# report fields allowed to differ between one engine and several
PER_WORKER = {
    ("wall_seconds",),
    ("geo", "entries"), ("geo", "hits"), ("geo", "misses"), ("geo", "capacity"),
    ("geo", "hit_rate"),
    ("flows", "active_peak"),
    ("memory",),
    ("ndpi", "live_peak"),
    ("rtt", "addresses"), ("rtt", "capacity"), ("rtt", "replaced"),
}


def load(path):
    events, report = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                ev = json.loads(line)
            except ValueError as e:
                sys.exit("%s:%d: not JSON: %s" % (path, n, e))
            if ev.get("event", {}).get("dataset") == "callfence.report":
                if report is not None:
                    sys.exit("%s: two report events" % path)
                report = ev
            else:
                events.append(json.dumps(ev, sort_keys=True))
    if report is None:
        sys.exit("%s: no report event" % path)
    return events, report


def strip(obj, path=()):
    """obj without the per-worker fields (under callfence.report)."""
    if not isinstance(obj, dict):
        return obj
    out = {}
    for k, v in obj.items():
        p = path + (k,)
        if p in PER_WORKER:
            continue
        out[k] = strip(v, p)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a_ev, a_rep = load(sys.argv[1])
    b_ev, b_rep = load(sys.argv[2])
    problems = []
    ca, cb = collections.Counter(a_ev), collections.Counter(b_ev)
    for ev, k in (ca - cb).items():
        problems.append("only in %s (%dx): %s" % (sys.argv[1], k, ev[:400]))
    for ev, k in (cb - ca).items():
        problems.append("only in %s (%dx): %s" % (sys.argv[2], k, ev[:400]))
    ra = strip(a_rep["callfence"]["report"])
    rb = strip(b_rep["callfence"]["report"])
    for key in sorted(set(ra) | set(rb)):
        if ra.get(key) != rb.get(key):
            problems.append("report.%s: %s != %s" % (
                key, json.dumps(ra.get(key))[:300], json.dumps(rb.get(key))[:300]))
    for path, evs, rep in ((sys.argv[1], a_ev, a_rep), (sys.argv[2], b_ev, b_rep)):
        alerts = sum(1 for e in evs if json.loads(e)["event"]["dataset"] == "callfence.alert")
        want = rep["callfence"]["report"].get("alerts", {}).get("total", 0)
        if alerts != want:
            problems.append("%s: %d alert events, the report says %d" % (path, alerts, want))
    if problems:
        print("\n".join(problems[:50]))
        if len(problems) > 50:
            print("... and %d more" % (len(problems) - 50))
        return 1
    kinds = collections.Counter(json.loads(e)["event"]["dataset"] for e in a_ev)
    print("%d events the same (%s) and the report" % (
        len(a_ev), ", ".join("%s %d" % (k.split(".")[-1], v) for k, v in sorted(kinds.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
