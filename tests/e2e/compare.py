#!/usr/bin/env python3
"""compare.py - compare callfence's NDJSON events with what a test expects.

  compare.py check --actual OUT.ndjson [--expected NAME.json]
                   [--checks NAME.checks]
                   [--report-expected NAME.report.json --report-actual R.json]
  compare.py regen --actual OUT.ndjson [--fields a.b,c.d] [--no-absent]
  compare.py regen-report --old NAME.report.json --actual R.json

check: exit 0 when everything matches, 1 with one line per difference.

Expected events (NAME.json) are NDJSON, one expected event a line (blank
lines and lines starting with '#' are skipped).  Each lists only the fields
that matter, as nested objects; a value is compared exactly (a list as a
whole), "*" means present with any value, "-absent-" means must be absent.
Events are grouped by event.dataset; within a dataset the i-th actual event
must match the i-th expected one, and the counts must be equal.  The
callfence.report event, if any, must be the last line.

Checks (NAME.checks), order-independent counts in the manner of
suricata-verify, one a line:

  count N    [FIELD=VALUE | FIELD!=VALUE]...   exactly N events match
  count >=N  ...                               at least N
  count <=N  ...                               at most N

VALUE is JSON when it parses as JSON (443, true, "100", ["a","b"]) and a
plain string otherwise (US, e2e-eu:10, 2001:db8::1); "*" and "-absent-" as
above.  FIELD!=VALUE holds when the field is absent or differs.

The report check (NAME.report.json) is a subset match of the --report
file: every key in the expected document must be in the actual one with an
equal value (objects recursively, lists element by element, "*" and
"-absent-" as above).

regen prints NAME.json from actual output, keeping the given fields (and
"-absent-" for listed fields an alert or flow event lacks, unless
--no-absent).  regen-report prints a new NAME.report.json with the keys of
the old one and the values of the actual report.

Only the Python standard library is used.
"""

import argparse
import json
import sys

ANY = "*"
ABSENT = "-absent-"
MISSING = object()

DEFAULT_FIELDS = [
    "event.dataset", "event.kind", "event.action", "event.severity",
    "rule.id", "rule.ruleset",
    "ecs.version",
    "source.ip", "source.port", "source.geo.country_iso_code",
    "destination.ip", "destination.port", "destination.domain",
    "destination.geo.country_iso_code", "destination.as.number",
    "client.ip", "server.ip", "related.ip",
    "network.transport", "network.type", "network.protocol",
    "network.application", "network.direction", "network.vlan.id",
    "callfence.role", "callfence.roles", "callfence.app", "callfence.verdict",
    "callfence.remote_end", "callfence.jurisdiction.observed",
    "callfence.call.id", "callfence.call.linked_by", "callfence.call.app",
    "callfence.call.flows", "callfence.call.alerts",
    "callfence.call.verdict.severity",
]
ABSENT_DATASETS = ("callfence.alert", "callfence.flow")


class Problem(Exception):
    """A file that cannot be read as the format says."""


# ---- field access ----

def get(obj, path):
    """Value at dotted path in nested dicts (a literal dotted key also
    counts, as some producers write "event.dataset" flat); MISSING if none."""
    if not isinstance(obj, dict):
        return MISSING
    if path in obj:
        return obj[path]
    parts = path.split(".")
    for i in range(1, len(parts)):
        head = ".".join(parts[:i])
        if head in obj:
            v = get(obj[head], ".".join(parts[i:]))
            if v is not MISSING:
                return v
    return MISSING


def flatten(obj, prefix=""):
    """[(dotted path, leaf value)] of a nested dict; lists are leaves."""
    out = []
    for k, v in obj.items():
        p = prefix + k
        if isinstance(v, dict) and v:
            out.extend(flatten(v, p + "."))
        else:
            out.append((p, v))
    return out


def put(obj, path, value):
    parts = path.split(".")
    for p in parts[:-1]:
        obj = obj.setdefault(p, {})
    obj[parts[-1]] = value


def same(got, want):
    """Exact equality that tells true from 1 and "1" from 1."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    num = (int, float)
    if isinstance(want, num) and isinstance(got, num):
        return got == want
    if type(got) is not type(want):
        return False
    if isinstance(want, list):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    if isinstance(want, dict):
        return got.keys() == want.keys() and all(same(got[k], want[k]) for k in want)
    return got == want


def show(v):
    if v is MISSING:
        return "absent"
    if isinstance(v, str):
        return repr(v)
    return json.dumps(v)


def field_diffs(actual, expected):
    """[(path, got, want)] where actual does not satisfy expected."""
    diffs = []
    for path, want in flatten(expected):
        got = get(actual, path)
        if want == ABSENT:
            if got is not MISSING:
                diffs.append((path, got, MISSING))
        elif got is MISSING:
            diffs.append((path, got, want))
        elif want != ANY and not same(got, want):
            diffs.append((path, got, want))
    return diffs


# ---- reading ----

def read_ndjson(path, allow_comments):
    events = []
    with open(path, encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            s = line.strip()
            if not s or (allow_comments and s.startswith("#")):
                continue
            try:
                ev = json.loads(s)
            except ValueError as e:
                raise Problem("%s:%d: not JSON: %s" % (path, n, e))
            if not isinstance(ev, dict):
                raise Problem("%s:%d: not a JSON object" % (path, n))
            ds = get(ev, "event.dataset")
            if not isinstance(ds, str):
                raise Problem("%s:%d: no event.dataset" % (path, n))
            events.append((n, ds, ev))
    return events


def short(dataset):
    return dataset[len("callfence."):] if dataset.startswith("callfence.") else dataset


def summary(ev):
    keys = ("rule.id", "source.ip", "source.port", "destination.ip",
            "destination.port", "destination.geo.country_iso_code")
    parts = ["%s=%s" % (k, show(get(ev, k))) for k in keys if get(ev, k) is not MISSING]
    return ", ".join(parts) if parts else json.dumps(ev)[:200]


# ---- check: events in order ----

def compare_events(actual, expected):
    out = []
    if actual:
        reports = [i for i, (_, ds, _) in enumerate(actual) if ds == "callfence.report"]
        if len(reports) > 1:
            out.append("report: %d callfence.report events, want at most 1" % len(reports))
        if reports and reports[-1] != len(actual) - 1:
            out.append("report: the callfence.report event (line %d) is not the last line"
                       % actual[reports[-1]][0])
    datasets = []
    for _, ds, _ in expected + actual:
        if ds not in datasets:
            datasets.append(ds)
    for ds in datasets:
        acts = [(n, ev) for n, d, ev in actual if d == ds]
        exps = [ev for _, d, ev in expected if d == ds]
        name = short(ds)
        if len(acts) != len(exps):
            out.append("%s: got %d events, want %d" % (name, len(acts), len(exps)))
        for i in range(max(len(acts), len(exps))):
            if i >= len(exps):
                out.append("%s #%d: unexpected event (line %d): %s"
                           % (name, i + 1, acts[i][0], summary(acts[i][1])))
            elif i >= len(acts):
                out.append("%s #%d: missing, want %s" % (name, i + 1, json.dumps(exps[i])))
            else:
                for path, got, want in field_diffs(acts[i][1], exps[i]):
                    out.append("%s #%d: %s: got %s, want %s"
                               % (name, i + 1, path, show(got), show(want)))
    return out


# ---- check: counts ----

def parse_value(text):
    if text in (ANY, ABSENT):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def split_words(s):
    """Words separated by blanks; a double-quoted part (kept, with its
    quotes, for JSON) may hold blanks; a word starting with # ends the line."""
    words, cur, quoted, i = [], "", False, 0
    while i < len(s):
        c = s[i]
        if quoted:
            cur += c
            if c == "\\" and i + 1 < len(s):
                cur += s[i + 1]
                i += 1
            elif c == '"':
                quoted = False
        elif c.isspace():
            if cur:
                words.append(cur)
            cur = ""
        elif c == "#" and not cur:
            break
        else:
            cur += c
            quoted = c == '"'
        i += 1
    if quoted:
        raise ValueError("unterminated quote")
    if cur:
        words.append(cur)
    return words


def parse_checks(path):
    checks = []
    with open(path, encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            try:
                words = split_words(s)
            except ValueError as e:
                raise Problem("%s:%d: %s" % (path, n, e))
            if len(words) < 2 or words[0] != "count":
                raise Problem("%s:%d: want: count [>=|<=]N FIELD=VALUE..." % (path, n))
            op, num = "==", words[1]
            for o in (">=", "<="):
                if num.startswith(o):
                    op, num = o, num[2:]
            if not num.isdigit():
                raise Problem("%s:%d: bad count '%s'" % (path, n, words[1]))
            conds = []
            for w in words[2:]:
                neg = "!=" in w and ("=" not in w or w.index("!=") < w.index("="))
                key, _, val = w.partition("!=" if neg else "=")
                if not key or (not neg and "=" not in w):
                    raise Problem("%s:%d: bad condition '%s'" % (path, n, w))
                conds.append((key, neg, parse_value(val)))
            checks.append((n, s, op, int(num), conds))
    return checks


def holds(ev, key, neg, want):
    got = get(ev, key)
    if want == ANY:
        ok = got is not MISSING
    elif want == ABSENT:
        ok = got is MISSING
    else:
        ok = got is not MISSING and same(got, want)
    return not ok if neg else ok


def closest(actual, conds):
    """The event meeting the most conditions, and how the rest fail."""
    best, best_n = None, -1
    for line, _, ev in actual:
        n = sum(1 for k, neg, v in conds if holds(ev, k, neg, v))
        if n > best_n and n < len(conds):
            best, best_n = (line, ev), n
    if best is None or best_n == 0:
        return ""
    line, ev = best
    why = ["%s: got %s" % (k, show(get(ev, k))) for k, neg, v in conds
           if not holds(ev, k, neg, v)]
    return " (closest: line %d, %s)" % (line, "; ".join(why))


def run_checks(actual, checks, path):
    out = []
    for n, text, op, want, conds in checks:
        got = sum(1 for _, _, ev in actual
                  if all(holds(ev, k, neg, v) for k, neg, v in conds))
        ok = {"==": got == want, ">=": got >= want, "<=": got <= want}[op]
        if not ok:
            hint = closest(actual, conds) if got < want else ""
            out.append("%s:%d: %s: got %d matching events%s" % (path, n, text, got, hint))
    return out


# ---- check: report subset ----

def subset(actual, expected, path, out):
    where = path or "(top)"
    if expected == ANY:
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append("report %s: got %s, want an object" % (where, show(actual)))
            return
        for k, v in expected.items():
            p = path + "." + k if path else k
            if v == ABSENT:
                if k in actual:
                    out.append("report %s: got %s, want absent" % (p, show(actual[k])))
            elif k not in actual:
                out.append("report %s: got absent, want %s" % (p, show(v)))
            else:
                subset(actual[k], v, p, out)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            out.append("report %s: got %s, want %s" % (where, show(actual), show(expected)))
            return
        for i, (a, e) in enumerate(zip(actual, expected)):
            subset(a, e, "%s[%d]" % (path, i), out)
    elif not same(actual, expected):
        out.append("report %s: got %s, want %s" % (where, show(actual), show(expected)))


def load_json(path):
    try:
        with open(path, encoding="utf-8") as fp:
            return json.load(fp)
    except (OSError, ValueError) as e:
        raise Problem("%s: %s" % (path, e))


def cmd_check(a):
    if not a.expected and not a.checks and not a.report_expected:
        raise Problem("nothing to compare with: give --expected, --checks or --report-expected")
    actual = read_ndjson(a.actual, False)
    out = []
    if a.expected:
        out += compare_events(actual, read_ndjson(a.expected, True))
    if a.checks:
        out += run_checks(actual, parse_checks(a.checks), a.checks)
    if a.report_expected:
        if not a.report_actual:
            raise Problem("--report-expected needs --report-actual")
        subset(load_json(a.report_actual), load_json(a.report_expected), "", out)
    for line in out:
        print(line)
    return 1 if out else 0


# ---- regen ----

def cmd_regen(a):
    fields = [f for f in a.fields.split(",") if f] if a.fields else DEFAULT_FIELDS
    for _, ds, ev in read_ndjson(a.actual, False):
        kept = {}
        for f in fields:
            v = get(ev, f)
            if v is not MISSING:
                put(kept, f, v)
            elif not a.no_absent and ds in ABSENT_DATASETS:
                put(kept, f, ABSENT)
        print(json.dumps(kept, sort_keys=False, ensure_ascii=False))
    return 0


def keep_shape(old, new):
    """old's keys (recursively) with new's values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = {}
        for k, v in old.items():
            if v == ABSENT:
                out[k] = ABSENT if k not in new else new[k]
            elif k in new:
                out[k] = keep_shape(v, new[k])
        return out
    if old == ANY:
        return ANY
    return new


def cmd_regen_report(a):
    print(json.dumps(keep_shape(load_json(a.old), load_json(a.actual)), indent=2,
                     ensure_ascii=False))
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description="compare callfence events with expectations")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--actual", required=True)
    c.add_argument("--expected")
    c.add_argument("--checks")
    c.add_argument("--report-expected")
    c.add_argument("--report-actual")
    r = sub.add_parser("regen")
    r.add_argument("--actual", required=True)
    r.add_argument("--fields")
    r.add_argument("--no-absent", action="store_true")
    rr = sub.add_parser("regen-report")
    rr.add_argument("--old", required=True)
    rr.add_argument("--actual", required=True)
    a = ap.parse_args(argv)
    try:
        return {"check": cmd_check, "regen": cmd_regen,
                "regen-report": cmd_regen_report}[a.cmd](a)
    except (Problem, OSError) as e:
        print("compare.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
