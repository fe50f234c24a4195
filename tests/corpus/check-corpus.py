#!/usr/bin/env python3
"""check-corpus.py NAME EVENTS.json - summarise callfence's events for one
real capture and check the expectations the issues set for it.

Prints one line per flow (app, roles, verdict, remote end, country) and
the alerts; exits 1 when an expectation fails."""
import json
import sys

EEA = set("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT "
          "RO SE SI SK IS LI NO".split())
LAN_PORTS = {67, 68, 137, 138, 5353, 1900}


def load(path):
    with open(path, encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]


def get(ev, dotted, default=None):
    cur = ev
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def flow_line(ev):
    roles = ",".join(get(ev, "callfence.roles", [])) or "-"
    return "%-10s %-28s %-8s %s:%s -> %s:%s %s %s" % (
        get(ev, "network.application", "?"), roles,
        get(ev, "callfence.verdict", "?"),
        get(ev, "source.ip"), get(ev, "source.port", ""),
        get(ev, "destination.ip"), get(ev, "destination.port", ""),
        get(ev, "destination.geo.country_iso_code", "-"),
        get(ev, "destination.domain", ""))


def check(name, events):
    errors = []
    alerts = [e for e in events if get(e, "event.dataset") == "callfence.alert"]
    flows = [e for e in events if get(e, "event.dataset") == "callfence.flow"]
    for a in alerts:
        cc = get(a, "destination.geo.country_iso_code")
        if cc in EEA:
            errors.append("alert for a server inside the EEA: %s" % flow_line(a))
        ports = {get(a, "source.port"), get(a, "destination.port")}
        if ports & LAN_PORTS:
            errors.append("alert for LAN chatter: %s" % flow_line(a))
    if name == "zoom.pcap":
        zoom_out = [f for f in flows if get(f, "network.application") == "zoom"
                    and get(f, "destination.geo.country_iso_code") not in EEA | {None}]
        zoom_alerts = [a for a in alerts if get(a, "network.application") == "zoom"]
        if zoom_out and not zoom_alerts:
            errors.append("zoom flows outside the EEA but no zoom alert")
    return alerts, flows, errors


def main():
    name, path = sys.argv[1], sys.argv[2]
    events = load(path)
    alerts, flows, errors = check(name, events)
    print("== %s: %d flow records, %d alerts" % (name, len(flows), len(alerts)))
    for f in flows:
        if get(f, "callfence.verdict") != "unjudged" or get(f, "callfence.roles"):
            print("   flow  " + flow_line(f))
    for a in alerts:
        print("   ALERT %-8s %s  [%s]" % (get(a, "callfence.severity"), flow_line(a),
                                         get(a, "rule.id")))
    for e in errors:
        print("   FAIL  " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
