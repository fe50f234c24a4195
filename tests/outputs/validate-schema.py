#!/usr/bin/env python3
"""validate-schema.py - check NDJSON events against docs/schema.

  validate-schema.py SCHEMA_DIR FILE...

Every line of every FILE must be a JSON object whose event.dataset names a
schema in SCHEMA_DIR (callfence.alert -> alert.schema.json, ...) and that
validates against it (JSON Schema 2020-12, formats checked).  Prints one
line per problem (at most 20) and a summary.  --require KIND,...: each of
these kinds (alert, flow, report, stats, call) must be among the events.  Exit 0
valid, 1 invalid, 77 when python3-jsonschema is missing.
"""

import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: the Python module jsonschema is missing (Debian: python3-jsonschema)")
    sys.exit(77)


def load(schema_dir):
    validators = {}
    for kind in ("alert", "flow", "report", "stats", "call"):
        with open(os.path.join(schema_dir, kind + ".schema.json")) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validators["callfence." + kind] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validators


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    args = sys.argv[2:]
    require = []
    if args and args[0] == "--require":
        require = [k for k in args[1].split(",") if k]
        args = args[2:]
    validators = load(sys.argv[1])
    counts, problems = {}, []
    for path in args:
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                where = "%s:%d" % (path, no)
                try:
                    ev = json.loads(line)
                    dataset = ev["event"]["dataset"]
                except (ValueError, KeyError, TypeError) as e:
                    problems.append("%s: not an event: %s" % (where, e))
                    continue
                v = validators.get(dataset)
                if v is None:
                    problems.append("%s: no schema for %s" % (where, dataset))
                    continue
                counts[dataset] = counts.get(dataset, 0) + 1
                for err in sorted(v.iter_errors(ev), key=lambda e: list(e.path)):
                    field = ".".join(str(p) for p in err.path) or "(event)"
                    problems.append("%s: %s: %s" % (where, field, err.message))
    for k in require:
        if counts.get("callfence." + k, 0) == 0:
            problems.append("no callfence.%s event was validated" % k)
    for p in problems[:20]:
        print(p)
    summary = ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))
    print("%d file(s): %s; %d problem(s)" % (len(args), summary or "no events",
                                             len(problems)))
    return 1 if problems or not counts else 0


if __name__ == "__main__":
    sys.exit(main())
