#!/bin/sh
# test-report-inputs.sh - the report tells the truth about what a run read
# and what it ran with:
#  - -r a.pcap -r notapcap.pcap -r b.pcap: exit 3; the report event, the
#    --report file and the stderr summary list all three inputs: a.pcap
#    read (its packets), notapcap.pcap failed with libpcap's reason,
#    b.pcap not read;
#  - a capture whose last record is cut short: status truncated, 1 record;
#  - sources: the rules file, the catalog and both databases with the
#    SHA-256 sha256sum computes, the databases' type and build date as
#    mmdblookup reads them (or as build-fixtures.sh made them);
#  - versions: -V names every library with the version pkg-config has
#    (skipped per library without pkg-config), and the report says the same.
#
# Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR, PYTHON.  Exit 0, 1, 77.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
[ -f "$GEO/country.mmdb" ] || { echo "SKIP: no $GEO/country.mmdb"; exit 77; }
work=${BUILDDIR:-.}/tests/work/report-inputs
rm -rf "$work" && mkdir -p "$work" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

rules=$SRCDIR/tests/e2e/rules/e2e-eu.rules
cat >"$work/a.scn" <<'SCN'
at +0 tls 10.1.0.5:50001 > 198.51.100.10:443 sni=zoomsjc1mmr.zoom.us packets=4
at +1 dtls 10.1.0.5:50002 > 203.0.113.10:3478 packets=4
SCN
cat >"$work/b.scn" <<'SCN'
at +0 rtp 10.1.0.6:50010 > 198.51.100.50:40000 packets=20 both
SCN
"$CFGEN" "$work/a.scn" "$work/a.pcap" && "$CFGEN" "$work/b.scn" "$work/b.pcap" ||
	{ echo "FAIL: cfgen"; exit 1; }
printf 'this is not a capture file\n' >"$work/notapcap.pcap"
size=$(wc -c <"$work/b.pcap")
head -c $((size - 7)) "$work/b.pcap" >"$work/cut.pcap"

run() {  # NAME WANT-STATUS callfence-args...
	name=$1 want=$2
	shift 2
	"$CALLFENCE" -R "$rules" -G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" \
		--report "$work/$name.report.json" "$@" >"$work/$name.json" 2>"$work/$name.err"
	got=$?
	[ "$got" = "$want" ] || fail "$name: exit $got, want $want: $(head -3 "$work/$name.err")"
}

# packets of a.pcap alone, to compare with its entry below
run alone 0 -q -r "$work/a.pcap"
run multi 3 -r "$work/a.pcap" -r "$work/notapcap.pcap" -r "$work/b.pcap"
run cut 0 -q -r "$work/cut.pcap"

# sha256sum and mmdblookup, for the sources
for f in "$rules" "$SRCDIR/rules/apps.conf" "$GEO/country.mmdb" "$GEO/asn.mmdb"; do
	sha256sum "$f" | awk -v f="$f" '{ print f "\t" $1 }'
done >"$work/sums"
for db in country asn; do
	if command -v mmdblookup >/dev/null 2>&1; then
		mmdblookup --file "$GEO/$db.mmdb" --ip 192.0.2.1 --verbose 2>/dev/null |
			sed -n 's/^ *Build epoch: *\([0-9]*\).*/epoch \1/p; s/^ *Type: *\(.*\)/type \1/p'
	else    # as tests/geo/build-fixtures.sh made them
		echo "epoch ${SOURCE_DATE_EPOCH:-1700000000}"
	fi >"$work/$db.meta"
done

"$PYTHON" - "$work" "$rules" "$SRCDIR" "$GEO" <<'PY' || fails=$((fails + 1))
import datetime, json, os, re, sys
work, rules, srcdir, geo = sys.argv[1:5]
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append("%s: got %r, want %r" % (what, got, exp))
def last_report(path):
    lines = [json.loads(l) for l in open(path)]
    want(path + ": last event", lines[-1]["event"]["dataset"], "callfence.report")
    return lines[-1]["callfence"]["report"]
alone = last_report(work + "/alone.json")
a_packets = alone["packets"]
for src in ("event", "file"):
    r = last_report(work + "/multi.json") if src == "event" else json.load(open(work + "/multi.report.json"))
    ins = r["inputs"]
    want(src + " inputs", [(i["name"], i["status"]) for i in ins],
         [(work + "/a.pcap", "read"), (work + "/notapcap.pcap", "failed"), (work + "/b.pcap", "not-read")])
    want(src + " a.pcap packets", ins[0].get("packets"), a_packets)
    want(src + " notapcap error", ins[1].get("error"), "unknown file format")
    want(src + " b.pcap packets", ins[2].get("packets"), 0)
    want(src + " errors only on the failed", ["error" in i for i in ins], [False, True, False])
err = open(work + "/multi.err").read()
for line in ("callfence: %s/notapcap.pcap: unknown file format" % work,
             "  read      %s/a.pcap: %d packets" % (work, a_packets),
             "  failed    %s/notapcap.pcap: unknown file format" % work,
             "  not-read  %s/b.pcap" % work):
    if line not in err.splitlines():
        bad.append("multi stderr lacks %r" % line)
cut = json.load(open(work + "/cut.report.json"))["inputs"][0]
want("cut status", cut["status"], "truncated")
want("cut truncated_records", cut.get("truncated_records"), 1)
# sources, with sha256sum's and mmdblookup's answers
sums = dict(l.rstrip("\n").split("\t") for l in open(work + "/sums"))
r = json.load(open(work + "/multi.report.json"))
src = r["sources"]
want("source kinds", [s["kind"] for s in src], ["rules", "catalog", "geo", "geo"])
paths = [rules, srcdir + "/rules/apps.conf", geo + "/country.mmdb", geo + "/asn.mmdb"]
for s, p in zip(src, paths):
    want("path of " + p, s["path"], os.path.realpath(p))
    want("sha256 of " + p, s.get("sha256"), sums[p])
    want("no error for " + p, s.get("error"), None)
for s, db in zip(src[2:], ("country", "asn")):
    meta = dict(l.rstrip("\n").split(" ", 1) for l in open("%s/%s.meta" % (work, db)))
    epoch = int(meta["epoch"])
    date = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    want(db + " build_date", s.get("build_date"), date)
    if "type" in meta:
        want(db + " type", s.get("type"), meta["type"])
want("report sources in the event", last_report(work + "/multi.json")["sources"], src)
json.dump(r["versions"], open(work + "/versions.json", "w"))
for b in bad:
    print("FAIL: " + b)
if not bad:
    print("ok   inputs (read, failed, not-read, truncated), sources and their sums")
sys.exit(1 if bad else 0)
PY

# -V: every library, with pkg-config's version where it has one
"$CALLFENCE" -V >"$work/V.out" 2>"$work/V.err" || fail "-V: exit $?"
[ -s "$work/V.err" ] && fail "-V wrote to stderr: $(cat "$work/V.err")"
grep -q "^callfence [0-9]" "$work/V.out" || fail "-V: no 'callfence VERSION' line"
for lib in libpcap:libpcap ndpi:libndpi libmaxminddb:libmaxminddb jansson:jansson \
	openssl:openssl librdkafka:rdkafka; do
	name=${lib%%:*} pc=${lib#*:}
	line=$(grep "^  $name " "$work/V.out")
	[ -n "$line" ] || { fail "-V names no $name"; continue; }
	v=$(pkg-config --modversion "$pc" 2>/dev/null) || { echo "     $name: no pkg-config $pc, version not compared"; continue; }
	case $line in
	*"$v"*) ok "-V $name $v" ;;
	*"(not built in)"*) [ "$name" = librdkafka ] && ok "-V librdkafka not built in" || fail "-V: $line" ;;
	*) fail "-V: '$line' lacks pkg-config's $v" ;;
	esac
	"$PYTHON" -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); sys.exit(0 if v and v in sys.argv[3] else 1)' \
		"$work/versions.json" "$name" "$line" || [ "$name" = librdkafka ] ||
		fail "report's versions.$name is not what -V says ($line)"
done
grep -q "^  ecs  *8\.11\.0" "$work/V.out" || fail "-V: no ECS release"
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok   all"
