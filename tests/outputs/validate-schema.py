#!/usr/bin/env python3
"""validate-schema.py - check NDJSON events against docs/schema.

  validate-schema.py SCHEMA_DIR FILE...

Every line of every FILE must be a JSON object whose event.dataset names a
schema in SCHEMA_DIR (callfence.alert -> alert.schema.json, ...) and that
validates against it (JSON Schema 2020-12, formats checked).
callfence.stats events (the daemon's) are counted and left out: they have
no schema here yet.  Prints one line per problem (at most 20) and a
summary.  Exit 0 valid, 1 invalid, 77 when python3-jsonschema is missing.
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
    for kind in ("alert", "flow", "report"):
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
    validators = load(sys.argv[1])
    counts, skipped, problems = {}, 0, []
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                where = "%s:%d" % (path, no)
                try:
                    ev = json.loads(line)
                    dataset = ev["event"]["dataset"]
                except (ValueError, KeyError, TypeError) as e:
                    problems.append("%s: not an event: %s" % (where, e))
                    continue
                if dataset == "callfence.stats":
                    skipped += 1
                    continue
                v = validators.get(dataset)
                if v is None:
                    problems.append("%s: no schema for %s" % (where, dataset))
                    continue
                counts[dataset] = counts.get(dataset, 0) + 1
                for err in sorted(v.iter_errors(ev), key=lambda e: list(e.path)):
                    field = ".".join(str(p) for p in err.path) or "(event)"
                    problems.append("%s: %s: %s" % (where, field, err.message))
    for p in problems[:20]:
        print(p)
    summary = ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))
    print("%d file(s): %s%s; %d problem(s)" % (len(sys.argv) - 2, summary or "no events",
          ", %d stats left out" % skipped if skipped else "", len(problems)))
    return 1 if problems or not counts else 0


if __name__ == "__main__":
    sys.exit(main())
