#!/usr/bin/env python3
"""reopen-check.py - test-live-reopen.sh's count of events.

  reopen-check.py EXPECTED FILE...
      The alert and flow events of FILE... (the rotated files and the
      current one, every line a complete JSON object) must be those of
      EXPECTED (an offline run of the same traffic), each exactly once:
      compared as (dataset, rule, source, destination, protocol, app,
      severity, verdict),
      with the live capture's interface, times and flow-end reason left
      out.  Prints "N events, each once" or the difference; exit 1 on
      any difference.
"""
import collections
import json
import sys


def get(e, path):
    for k in path.split("."):
        if not isinstance(e, dict) or k not in e:
            return None
        e = e[k]
    return e


FIELDS = ("event.dataset", "rule.id", "source.ip", "source.port",
          "destination.ip", "destination.port", "network.transport",
          "network.protocol", "network.application", "event.severity",
          "callfence.verdict")


def key(e):
    return tuple(json.dumps(get(e, f), sort_keys=True) for f in FIELDS)


def events(paths):
    c = collections.Counter()
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            sys.exit("%s: ends in a cut line" % p)
        for i, line in enumerate(data.splitlines(), 1):
            try:
                e = json.loads(line)
            except ValueError as err:
                sys.exit("%s:%d: not JSON: %s" % (p, i, err))
            if get(e, "event.dataset") in ("callfence.alert", "callfence.flow"):
                c[key(e)] += 1
    return c


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    want = events(sys.argv[1:2])
    got = events(sys.argv[2:])
    if not want:
        sys.exit("the expected run has no alert or flow event")
    bad = []
    for k in sorted(set(want) | set(got)):
        if want[k] != got[k]:
            bad.append("%s: expected %d, got %d" % (dict(zip(FIELDS, k)), want[k], got[k]))
    if bad:
        print("\n".join(bad[:20]))
        sys.exit(1)
    print("%d events, each once" % sum(got.values()))


main()
