#!/bin/sh
# test-outputs-full.sh - a file output on a full file system (a tmpfs of
# 8 KiB), offline: the run exits 3, says on stderr how many events it lost
# (exactly those missing from the file, compared with a run to a roomy
# file), and the file ends on a whole line: every line of it is complete
# JSON, equal to the reference's line at the same place (the write that
# ran out of room cut back to the last whole line).
#
# Needs root (mount -t tmpfs): elsewhere it says why and exits 77.
# Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR, PYTHON.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
[ -f "$GEO/country.mmdb" ] || { echo "SKIP: no $GEO/country.mmdb"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: a full file system needs root (mount -t tmpfs)"; exit 77; }
here=$SRCDIR/tests/outputs
work=${BUILDDIR:-.}/tests/work/outputs-full.$$
rm -rf "$work" && mkdir -p "$work/small" || exit 1
work=$(cd "$work" && pwd)
mount -t tmpfs -o size=8k,mode=0755 cf-test-full "$work/small" 2>"$work/mount.err" || {
	echo "SKIP: cannot mount a tmpfs here: $(cat "$work/mount.err")"
	rm -rf "$work"
	exit 77
}
trap 'umount "$work/small" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP
fails=0
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# the output test's call flows and 400 plain UDP flows more: some 400
# events, 200 KiB, far more than 8 KiB
cp "$here/outputs.scn" "$work/big.scn"
awk 'BEGIN { for (i = 1; i <= 400; i++)
	printf "at +4.%03d udp 10.1.0.7:%d > 192.0.2.%d:5000 packets=2\n", i, 30000 + i, i % 120 + 1 }' \
	>>"$work/big.scn"
"$CFGEN" "$work/big.scn" "$work/big.pcap" >/dev/null || { echo "FAIL: cfgen"; exit 1; }

cf() {
	"$CALLFENCE" -q -r "$work/big.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
		-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows "$@"
}
cf -o "file:$work/ref.json" 2>"$work/ref.err" || { echo "FAIL the reference run"; exit 1; }
all=$(wc -l <"$work/ref.json")

# a relative path, as given: the message names the output as given
(cd "$work" && cf -o file:small/events.json) 2>"$work/full.err"
rc=$?
[ "$rc" = 3 ] || fail "exit status $rc, not 3"
size=$(wc -c <"$work/small/events.json")
missing=$($PYTHON "$here/losscheck.py" prefix "$work/small/events.json" "$work/ref.json") ||
	fail "the file: $missing"
kept=$(wc -l <"$work/small/events.json")
[ "$kept" -gt 0 ] && [ "$missing" -gt 0 ] 2>/dev/null ||
	fail "$kept events kept, $missing missing: expected some of each"
grep -q -x -E "callfence: output file:small/events.json: $missing event\(s\) lost in this run \([1-9][0-9]* failed write\(s\), the last: No space left on device\)" \
	"$work/full.err" || fail "stderr lacks 'output file:small/events.json: $missing event(s) lost': $(cat "$work/full.err")"
[ "$fails" = 0 ] && echo "ok   8 KiB tmpfs: exit 3, $kept of $all events kept as whole lines ($size bytes), $missing said lost"

if [ "$fails" -gt 0 ]; then
	echo "$fails failure(s); files kept in $work"
	exit 1
fi
umount "$work/small" && rm -rf "$work"
exit 0
