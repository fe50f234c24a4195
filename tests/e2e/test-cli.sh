#!/bin/sh
# test-cli.sh - the command line and bad input: every case checks the exit
# status and the one message on stderr (which must name the file and the
# problem), and that nothing crashed.
#
# Env: CALLFENCE, CFGEN, GEO (fixtures dir), SRCDIR, BUILDDIR.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
work=${BUILDDIR:-.}/tests/work/cli
rm -rf "$work" && mkdir -p "$work"
fails=0
n=0

# expect NAME STATUS STDERR-SUBSTRING -- command...
expect() {
	name=$1 want=$2 msg=$3
	shift 4
	n=$((n + 1))
	"$@" >"$work/$name.out" 2>"$work/$name.err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: exit $got, want $want"; sed 's/^/  stderr: /' "$work/$name.err"
		fails=$((fails + 1)); return
	fi
	if [ -n "$msg" ] && ! grep -qF -- "$msg" "$work/$name.err"; then
		echo "FAIL $name: stderr lacks '$msg'"; sed 's/^/  stderr: /' "$work/$name.err"
		fails=$((fails + 1)); return
	fi
	if grep -q "AddressSanitizer\|runtime error\|Segmentation" "$work/$name.err"; then
		echo "FAIL $name: sanitizer/crash report"; cat "$work/$name.err"
		fails=$((fails + 1)); return
	fi
	echo "ok   $name"
}

rules=$SRCDIR/rules/eu-gdpr.rules
geo="-G $GEO/country.mmdb -G $GEO/asn.mmdb"
cat >"$work/small.scn" <<'SCN'
at +0 tls 10.1.0.5:50001 > 198.51.100.10:443 sni=zoomsjc1mmr.zoom.us packets=4
at +1 dtls 10.1.0.5:50002 > 203.0.113.10:3478 packets=4
SCN
"$CFGEN" "$work/small.scn" "$work/small.pcap" || { echo "FAIL: cfgen"; exit 1; }

# --- usage
expect help 0 "" -- "$CALLFENCE" --help
grep -q "^Usage: callfence" "$work/help.out" || { echo "FAIL help: no usage text"; fails=$((fails + 1)); }
expect version 0 "" -- "$CALLFENCE" --version
grep -q "^callfence [0-9]" "$work/version.out" || { echo "FAIL version text"; fails=$((fails + 1)); }
expect no-input 2 "nothing to read" -- "$CALLFENCE" -R "$rules" $geo
expect bad-option 2 "unknown option '--frobnicate'" -- "$CALLFENCE" --frobnicate -r "$work/small.pcap"
expect bad-fail-on 2 "--fail-on: unknown severity 'severe'" -- "$CALLFENCE" --fail-on severe -r "$work/small.pcap" -R "$rules" $geo
expect bad-max-flows 2 "--max-flows: 'lots' is not a number" -- "$CALLFENCE" --max-flows lots -r "$work/small.pcap" -R "$rules" $geo
expect bad-output 2 "unknown output 'ftp:x'" -- "$CALLFENCE" -o ftp:x -r "$work/small.pcap" -R "$rules" $geo

# --- rules
printf 'alert hgh role media to CN\n' >"$work/bad.rules"
expect bad-rule 2 "$work/bad.rules:1:7:" -- "$CALLFENCE" -R "$work/bad.rules" -r "$work/small.pcap" $geo
expect check-bad-rule 2 "$work/bad.rules:1:7:" -- "$CALLFENCE" --check-rules -R "$work/bad.rules"
expect missing-rules 2 "$work/none.rules" -- "$CALLFENCE" -R "$work/none.rules" -r "$work/small.pcap" $geo
expect check-rules 0 "OK" -- "$CALLFENCE" --check-rules -R "$rules"
for r in default eu-gdpr us-only five-eyes tw-gov; do
	expect "check-$r" 0 "OK" -- "$CALLFENCE" --check-rules -R "$SRCDIR/rules/$r.rules"
done

# --- geography
expect missing-mmdb 2 "$work/none.mmdb" -- "$CALLFENCE" -R "$rules" -G "$work/none.mmdb" -r "$work/small.pcap"
msize=$(wc -c <"$GEO/country.mmdb")
head -c $((msize / 2)) "$GEO/country.mmdb" >"$work/corrupt.mmdb"
expect corrupt-mmdb 2 "$work/corrupt.mmdb" -- "$CALLFENCE" -R "$rules" -G "$work/corrupt.mmdb" -r "$work/small.pcap"
expect lookup-cn 0 "" -- "$CALLFENCE" --lookup 203.0.113.10 -R "$rules" $geo
grep -q "^country *CN" "$work/lookup-cn.out" || { echo "FAIL lookup-cn: country"; fails=$((fails + 1)); }
grep -q "^asn *AS64520 Example Net CN" "$work/lookup-cn.out" || { echo "FAIL lookup-cn: asn"; fails=$((fails + 1)); }
grep -q "^policy *key-exchange *alert critical" "$work/lookup-cn.out" || { echo "FAIL lookup-cn: policy"; cat "$work/lookup-cn.out"; fails=$((fails + 1)); }
expect lookup-private 0 "" -- "$CALLFENCE" --lookup 192.168.1.5 -R "$rules" $geo
grep -q "^kind *private" "$work/lookup-private.out" && grep -q "^home *yes" "$work/lookup-private.out" ||
	{ echo "FAIL lookup-private"; cat "$work/lookup-private.out"; fails=$((fails + 1)); }
expect lookup-bad 2 "'not-an-ip' is not an IP address" -- "$CALLFENCE" --lookup not-an-ip -R "$rules" $geo

# --- the default databases: the ASN one missing is a warning, not an error
mkdir -p "$work/data/geodb"
cp "$GEO/country.mmdb" "$work/data/geodb/geo-whois-asn-country.mmdb"
expect default-no-asn 0 "callfence: warning: no ASN database (ip-location-db-asn.mmdb next to geo-whois-asn-country.mmdb)" -- \
	env CALLFENCE_DATADIR="$work/data" "$CALLFENCE" --lookup 203.0.113.10 -R "$rules"
grep -q "^country *CN" "$work/default-no-asn.out" && grep -q "^asn *unknown" "$work/default-no-asn.out" ||
	{ echo "FAIL default-no-asn: output"; cat "$work/default-no-asn.out"; fails=$((fails + 1)); }
cp "$GEO/asn.mmdb" "$work/data/geodb/ip-location-db-asn.mmdb"
expect default-asn 0 "" -- env CALLFENCE_DATADIR="$work/data" "$CALLFENCE" --lookup 203.0.113.10 -R "$rules"
grep -q "^asn *AS64520 Example Net CN$" "$work/default-asn.out" ||
	{ echo "FAIL default-asn: no operator"; cat "$work/default-asn.out"; fails=$((fails + 1)); }
[ ! -s "$work/default-asn.err" ] || { echo "FAIL default-asn: stderr"; cat "$work/default-asn.err"; fails=$((fails + 1)); }
# --observer-location NAME: a place of DATADIR/geodb/places.txt (any case);
# hand-made shapes: DE a box round Frankfurt, CN one far east.  CN's
# nearest point (lon 100, lat 50.1155) is thousands of km away: 2 ms
# (300 km at c) cannot reach it
cp "$SRCDIR/geodb/places.txt" "$work/data/geodb/places.txt"
printf 'C DE 276 D\nP\nR 6,47 15,47 15,55 6,55 6,47\nC CN 156 C\nP\nR 100,20 120,20 120,52 100,52 100,20\n' \
	>"$work/shapes.txt"
expect observer-place 0 "" -- env CALLFENCE_DATADIR="$work/data" "$CALLFENCE" --lookup 203.0.113.10 \
	--rtt 2 --observer-location fRANKfurt --world-shapes "$work/shapes.txt" -R "$rules"
grep -q "^observer *50.1155,8.6842 (fRANKfurt)$" "$work/observer-place.out" &&
	grep -q "^plausibility impossible (CN is " "$work/observer-place.out" &&
	grep -q "^reachable *DE$" "$work/observer-place.out" ||
	{ echo "FAIL observer-place"; cat "$work/observer-place.out"; fails=$((fails + 1)); }
# a city database's point (tests/geo/city.csv): a DE row located in
# Beijing within 100 km is impossible at 2 ms from Frankfurt, though DE is not
expect observer-city 0 "" -- env CALLFENCE_DATADIR="$work/data" "$CALLFENCE" --lookup 192.0.2.70 \
	--rtt 2 --observer-location Frankfurt --world-shapes "$work/shapes.txt" -R "$rules" \
	-G "$GEO/city.mmdb"
grep -q "^location *39.9075,116.3972 within 100 km: 7680 km away at its nearest$" "$work/observer-city.out" &&
	grep -q "^plausibility impossible (DE is 0 km away" "$work/observer-city.out" ||
	{ echo "FAIL observer-city"; cat "$work/observer-city.out"; fails=$((fails + 1)); }
expect observer-unknown-place 2 "observer location 'Atlantis': no such place in $work/data/geodb/places.txt" -- \
	env CALLFENCE_DATADIR="$work/data" "$CALLFENCE" --lookup 203.0.113.10 --rtt 2 \
	--observer-location Atlantis --world-shapes "$work/shapes.txt" -R "$rules"
expect observer-bad 2 "observer location '50.11;8.68': want LAT,LON" -- \
	"$CALLFENCE" --observer-location '50.11;8.68' -r "$work/small.pcap" -R "$rules" $geo
# named with -G, a missing ASN database is an error
expect missing-asn-db 2 "$work/data/geodb/none.mmdb" -- \
	"$CALLFENCE" --lookup 203.0.113.10 -R "$rules" -G "$GEO/country.mmdb" -G "$work/data/geodb/none.mmdb"
# --lookup judges with the rules' operator matchers
printf 'alert low id op-num role media operator AS64520\nalert medium id op-name operator "example NET"\npass\n' >"$work/op.rules"
expect lookup-operator 0 "" -- "$CALLFENCE" --lookup 203.0.113.10 -R "$work/op.rules" $geo
grep -q "^policy *media *alert low (rule op-num," "$work/lookup-operator.out" &&
	grep -q "^policy *key-exchange *alert medium (rule op-name," "$work/lookup-operator.out" ||
	{ echo "FAIL lookup-operator"; cat "$work/lookup-operator.out"; fails=$((fails + 1)); }
expect lookup-operator-other 0 "" -- "$CALLFENCE" --lookup 198.51.100.10 -R "$work/op.rules" $geo
grep -q "^policy *media *pass" "$work/lookup-operator-other.out" ||
	{ echo "FAIL lookup-operator-other"; cat "$work/lookup-operator-other.out"; fails=$((fails + 1)); }

# --- captures
expect missing-capture 3 "$work/none.pcap" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/none.pcap"
echo "this is not a capture" >"$work/text.pcap"
expect text-capture 3 "$work/text.pcap" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/text.pcap"
# pcap header (little endian) with link type 147 (USER0) and one 4-byte record
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\223\000\000\000' >"$work/user0.pcap"
printf '\000\000\000\000\000\000\000\000\004\000\000\000\004\000\000\000abcd' >>"$work/user0.pcap"
expect unknown-linktype 3 "link type 147" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/user0.pcap"
size=$(wc -c <"$work/small.pcap")
head -c $((size - 10)) "$work/small.pcap" >"$work/truncated.pcap"
expect truncated-last 0 "" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/truncated.pcap" --report "$work/trunc-report.json"
expect bad-filter 2 "syntax error" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/small.pcap" "udp and and"
expect filter-udp 0 "" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/small.pcap" udp
if grep -q '"application":"zoom"' "$work/filter-udp.out"; then
	echo "FAIL filter-udp: the TCP (zoom TLS) flow passed a 'udp' filter"; fails=$((fails + 1))
fi
expect fail-on 1 "" -- "$CALLFENCE" -q --fail-on high -R "$rules" $geo -r "$work/small.pcap"
expect fail-on-not-reached 0 "" -- "$CALLFENCE" -q --fail-on critical -R "$SRCDIR/rules/us-only.rules" $geo -r "$work/small.pcap" tcp
expect two-files 0 "" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/small.pcap" -r "$work/small.pcap"
# the report's rtt object: the remote ends' smallest round trips (cfgen
# answers every exchange after 15 ms), home addresses left out
expect report-rtt 0 "" -- "$CALLFENCE" -q -R "$rules" $geo -r "$work/small.pcap" --report "$work/rtt-report.json"
python3 - "$work/rtt-report.json" <<'PY' || { echo "FAIL report-rtt"; fails=$((fails + 1)); }
import json, sys
r = json.load(open(sys.argv[1]))["rtt"]
near = [(n["ip"], n["rtt_ms"], n["source"]) for n in r["nearest"]]
want = [("198.51.100.10", 15.0, "tcp-syn"), ("203.0.113.10", 15.0, "dtls-hello")]
ok = (near == want and r["samples"] == 4 and r["addresses"] == 2 and
      r["by_kind"]["tcp-syn"] == 1 and r["by_kind"]["tls-hello"] == 1 and
      r["by_kind"]["dtls-hello"] == 2 and r["replaced"] == 0)
if not ok:
    print("report-rtt:", json.dumps(r))
sys.exit(0 if ok else 1)
PY
expect summary-table 0 "" -- "$CALLFENCE" -R "$rules" $geo -r "$work/small.pcap"
grep -q "APP" "$work/summary-table.err" || { echo "FAIL summary-table: no table on stderr"; fails=$((fails + 1)); }
# "-r -" reads standard input: the same events as the file itself (the
# report names its input "-")
n=$((n + 1))
"$CALLFENCE" -q -R "$rules" $geo -r "$work/small.pcap" >"$work/file.out" 2>"$work/file.err"
"$CALLFENCE" -q -R "$rules" $geo -r - <"$work/small.pcap" >"$work/stdin.out" 2>"$work/stdin.err"
rc=$?
grep -v '"callfence.report"' "$work/file.out" >"$work/file.events"
grep -v '"callfence.report"' "$work/stdin.out" >"$work/stdin.events"
if [ "$rc" = 0 ] && [ ! -s "$work/stdin.err" ] && [ "$(wc -l <"$work/stdin.events")" -ge 2 ] &&
	cmp -s "$work/file.events" "$work/stdin.events"; then
	echo "ok   stdin"
else
	echo "FAIL stdin: exit $rc"; cat "$work/stdin.err"; fails=$((fails + 1))
fi

echo "$n cases, $fails failed"
[ "$fails" -eq 0 ]
