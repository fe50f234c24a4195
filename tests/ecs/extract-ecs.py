#!/usr/bin/env python3
"""extract-ecs.py - make tests/ecs/ecs-fields.json from ECS's own field
definitions (generated/ecs/ecs_flat.yml of an ECS release).

  git -C ECS_CLONE show v8.11.0:generated/ecs/ecs_flat.yml > ecs_flat.yml
  extract-ecs.py ecs_flat.yml 8.11.0 COMMIT > tests/ecs/ecs-fields.json

Keeps every field of the field sets callfence writes (FIELD_SETS below:
the whole set, so that a field callfence adds later is checked as well),
each with its ECS type, whether ECS wants an array (normalize: array),
its allowed values (event.kind, event.category, event.type, ...; for
event.category also the event.type values ECS expects with each) and its
expected values (network.direction, ...).  Needs PyYAML (python3-yaml);
only run by hand, when moving to another ECS release: make check reads
the JSON it writes.
"""

import json
import sys

import yaml

# The field sets callfence's events use ("base" is @timestamp, labels, ...).
FIELD_SETS = ["base", "ecs", "event", "rule", "source", "destination", "client",
              "server", "related", "network", "observer", "tls"]


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        flat = yaml.safe_load(f)
    fields = {}
    for name, d in sorted(flat.items()):
        top = name.split(".")[0]
        fieldset = "base" if "." not in name else top
        if fieldset not in FIELD_SETS:
            continue
        e = {"type": d["type"]}
        if "array" in (d.get("normalize") or []):
            e["array"] = True
        if d.get("allowed_values"):
            e["allowed"] = [v["name"] for v in d["allowed_values"]]
            types = {v["name"]: v["expected_event_types"]
                     for v in d["allowed_values"] if v.get("expected_event_types")}
            if types:
                e["expected_event_types"] = types
        if d.get("expected_values"):
            e["expected"] = list(d["expected_values"])
        fields[name] = e
    doc = {
        "ecs_version": sys.argv[2],
        "source": "github.com/elastic/ecs generated/ecs/ecs_flat.yml at commit " + sys.argv[3],
        "field_sets": FIELD_SETS,
        "fields": fields,
    }
    json.dump(doc, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
