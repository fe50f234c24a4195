#!/usr/bin/env python3
"""check-ecs.py - check callfence's NDJSON events against ECS's own field
definitions (tests/ecs/ecs-fields.json, made by extract-ecs.py).

  check-ecs.py ecs-fields.json [--require KIND,...] FILE...

Every field of every event, callfence.* aside, must be an ECS field (of
the field sets in the fixture) with a value of the ECS type: keyword a
string, ip an IPv4 or IPv6 address, long an integer, float a number,
date an ISO 8601 time, boolean true/false; an ECS array field (normalize:
array) a list of such values, any other field a single value.  Fields with
allowed values (event.kind, event.category, event.type, event.outcome) or
expected values (network.direction, ...) must hold one of them; each
event.type must be one ECS expects with the event's event.category;
ecs.version must be the fixture's release.  --require: the event.dataset
suffixes (alert, flow, ...) that must each be seen at least once.
Prints one line per problem (at most 30) and a summary; exit 0 when all
conform, 1 otherwise.  Standard library only.
"""

import ipaddress
import json
import re
import sys

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$")
STRINGS = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text"}
INTEGERS = {"long": 63, "integer": 31, "short": 15, "byte": 7}
FLOATS = {"float", "double", "scaled_float", "half_float"}
OBJECTS = {"object", "flattened", "nested"}
OWN = "callfence"


def type_problem(ftype, v):
    """Why v is not a value of ECS type ftype; None if it is."""
    if ftype in STRINGS:
        return None if isinstance(v, str) else "not a string"
    if ftype == "ip":
        if not isinstance(v, str):
            return "not a string"
        try:
            ipaddress.ip_address(v)
        except ValueError:
            return "not an IP address"
        return None
    if ftype in INTEGERS:
        if isinstance(v, bool) or not isinstance(v, int):
            return "not an integer"
        bits = INTEGERS[ftype]
        return None if -(1 << bits) <= v < (1 << bits) else "out of range for " + ftype
    if ftype == "unsigned_long":
        return None if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else "not an unsigned integer"
    if ftype in FLOATS:
        return None if isinstance(v, (int, float)) and not isinstance(v, bool) else "not a number"
    if ftype == "date":
        return None if isinstance(v, str) and DATE.match(v) else "not an ISO 8601 date"
    if ftype == "boolean":
        return None if isinstance(v, bool) else "not a boolean"
    return "ECS type %s is not checked here" % ftype


class Checker:
    def __init__(self, fixture):
        self.version = fixture["ecs_version"]
        self.fields = fixture["fields"]
        self.problems = []
        self.counts = {}
        self.fields_seen = set()

    def problem(self, where, msg):
        self.problems.append("%s: %s" % (where, msg))

    def leaf(self, where, name, v):
        f = self.fields.get(name)
        if f is None:
            self.problem(where, "%s: not an ECS %s field" % (name, self.version))
            return
        self.fields_seen.add(name)
        if f["type"] in OBJECTS:
            if not isinstance(v, dict):
                self.problem(where, "%s: ECS wants an object" % name)
            return
        if f.get("array"):
            if not isinstance(v, list):
                self.problem(where, "%s: ECS wants an array" % name)
                return
            values = v
        else:
            if isinstance(v, (list, dict)):
                self.problem(where, "%s: ECS wants a single %s" % (name, f["type"]))
                return
            values = [v]
        for x in values:
            why = type_problem(f["type"], x)
            if why:
                self.problem(where, "%s: %r: %s (ECS type %s)" % (name, x, why, f["type"]))
            elif "allowed" in f and x not in f["allowed"]:
                self.problem(where, "%s: %r is not an allowed value" % (name, x))
            elif "expected" in f and x not in f["expected"]:
                self.problem(where, "%s: %r is not an expected value" % (name, x))

    def walk(self, where, prefix, obj):
        for k, v in obj.items():
            name = prefix + k
            if name == OWN or name.startswith(OWN + "."):
                continue
            f = self.fields.get(name)
            if isinstance(v, dict) and (f is None or f["type"] in OBJECTS):
                if f is not None:
                    self.leaf(where, name, v)
                    continue
                self.walk(where, name + ".", v)
            else:
                self.leaf(where, name, v)

    def event(self, where, ev):
        self.walk(where, "", ev)
        ecs = ev.get("ecs")
        if not isinstance(ecs, dict) or ecs.get("version") != self.version:
            self.problem(where, "ecs.version: %r, want %r" % (
                ecs.get("version") if isinstance(ecs, dict) else None, self.version))
        e = ev.get("event") if isinstance(ev.get("event"), dict) else {}
        cats, types = e.get("category"), e.get("type")
        expect = self.fields.get("event.category", {}).get("expected_event_types", {})
        if isinstance(cats, list) and isinstance(types, list):
            ok = set()
            for c in cats:
                ok.update(expect.get(c, []))
            for t in types:
                if t not in ok:
                    self.problem(where, "event.type %r is not one ECS expects with "
                                 "event.category %s" % (t, cats))
        ds = e.get("dataset")
        self.counts[ds] = self.counts.get(ds, 0) + 1


def main(argv):
    args = argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    with open(args.pop(0), encoding="utf-8") as f:
        fixture = json.load(f)
    require = []
    if args and args[0] == "--require":
        require = [k for k in args[1].split(",") if k]
        args = args[2:]
    c = Checker(fixture)
    for path in args:
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                where = "%s:%d" % (path, no)
                try:
                    ev = json.loads(line)
                except ValueError as e:
                    c.problem(where, "not JSON: %s" % e)
                    continue
                if not isinstance(ev, dict):
                    c.problem(where, "not an object")
                    continue
                c.event(where, ev)
    for k in require:
        if c.counts.get("callfence." + k, 0) == 0:
            c.problem("(all files)", "no callfence.%s event was checked" % k)
    for p in c.problems[:30]:
        print(p)
    summary = ", ".join("%d %s" % (n, k) for k, n in sorted(c.counts.items(), key=str))
    print("ECS %s: %d file(s): %s; %d ECS field(s) used; %d problem(s)" % (
        c.version, len(args), summary or "no events", len(c.fields_seen), len(c.problems)))
    return 1 if c.problems or not c.counts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
