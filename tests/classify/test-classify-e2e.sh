#!/bin/sh
# test-classify-e2e.sh - what the e2e comparison cannot say: SDES keys read
# off the wire (SIP a=crypto inline:KEY) appear nowhere in callfence's
# output - events, the --report file, the summary on stderr - although
# they are in the capture.  Uses tests/e2e/scenarios/sdes-cleartext.scn.
#
# Environment as run-e2e.sh: CALLFENCE, CFGEN, GEO, SRCDIR.
# Exit: 0 pass, 1 fail, 77 skipped (no geo fixtures), 99 programs missing.

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
CALLFENCE=${CALLFENCE:-./src/callfence}
CFGEN=${CFGEN:-./tests/gen/cfgen}
GEO=${GEO:-./tests/geo}
scn=$SRCDIR/tests/e2e/scenarios/sdes-cleartext.scn

[ -x "$CALLFENCE" ] && [ -x "$CFGEN" ] || { echo "ERROR: callfence or cfgen missing"; exit 99; }
[ -f "$GEO/country.mmdb" ] || { echo "SKIP: no $GEO/country.mmdb"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cf-classify.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# the key as the scenario puts it on the wire
key=$(grep "^at " "$scn" | sed -n 's/.*inline:\([A-Za-z0-9+/=]*\).*/\1/p' | head -n 1)
[ ${#key} -ge 40 ] || { echo "ERROR: no inline key in $scn"; exit 99; }
"$CFGEN" "$scn" "$tmp/sdes.pcap" || { echo "ERROR: cfgen failed"; exit 99; }
grep -q "$key" "$tmp/sdes.pcap" || fail "the key is not in the capture: the test would prove nothing"

# every output callfence has: events (all flows), the report file, stderr
"$CALLFENCE" -r "$tmp/sdes.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
	-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows \
	--report "$tmp/report.json" >"$tmp/events.json" 2>"$tmp/stderr.txt"
rc=$?
[ "$rc" -eq 0 ] || fail "callfence exit $rc: $(cat "$tmp/stderr.txt")"
n=$(grep -c '"rule":{"id":"callfence-sdes-cleartext"' "$tmp/events.json")
[ "$n" -eq 2 ] || fail "want 2 callfence-sdes-cleartext alerts, got $n"
grep -q 'sdp-crypto-cleartext' "$tmp/events.json" || fail "no sdp-crypto-cleartext evidence"
for f in events.json report.json stderr.txt; do
	if grep -q "$key" "$tmp/$f"; then
		fail "the SDES key appears in $f"
	fi
	# nor any 12-character piece of it (a cut or re-encoded copy)
	i=0
	while [ $i -le $((${#key} - 12)) ]; do
		piece=$(printf '%s' "$key" | cut -c$((i + 1))-$((i + 12)))
		grep -q -F "$piece" "$tmp/$f" && { fail "a piece of the key ($piece) appears in $f"; break; }
		i=$((i + 4))
	done
done
[ "$fails" -eq 0 ] && echo "ok: SDES key nowhere in the output"
[ "$fails" -eq 0 ]
