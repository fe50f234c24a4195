#!/usr/bin/env python3
"""losscheck.py - what test-outputs-loss.sh checks in event files.

  losscheck.py prefix GOT REF   every line of GOT is a whole JSON object and
                                equal, field by field, to the line of REF at
                                the same place (the report's wall time,
                                memory figures and output errors aside);
                                prints how many lines of REF are missing
                                from GOT
"""
import json
import sys

VARYING = (("callfence", "report", "wall_seconds"),
           ("callfence", "report", "memory"),
           ("callfence", "report", "output_errors"))


def scrub(e):
    for path in VARYING:
        d = e
        for k in path[:-1]:
            d = d.get(k) if isinstance(d, dict) else None
        if isinstance(d, dict):
            d.pop(path[-1], None)
    return e


def load(path, what):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        sys.exit(f"{what}: the last line is cut (no newline at the end)")
    for i, line in enumerate(data.splitlines(), 1):
        try:
            out.append(scrub(json.loads(line)))
        except ValueError as e:
            sys.exit(f"{what}: line {i} is not a JSON object: {e}")
    return out


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "prefix":
        sys.exit(__doc__)
    got = load(sys.argv[2], sys.argv[2])
    ref = load(sys.argv[3], sys.argv[3])
    if len(got) > len(ref):
        sys.exit(f"{len(got)} lines, more than the reference's {len(ref)}")
    for i, (g, r) in enumerate(zip(got, ref), 1):
        if g != r:
            keys = sorted(k for k in set(g) | set(r) if g.get(k) != r.get(k))
            sys.exit(f"line {i} differs from the reference in {keys}")
    print(len(ref) - len(got))


main()
