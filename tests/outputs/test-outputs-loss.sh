#!/bin/sh
# test-outputs-loss.sh - no event is lost silently, offline: an output
# whose writes fail (/dev/full as -o file: and as standard output, a
# standard output pipe with no reader (EPIPE), a syslog output with no
# syslog daemon and no spool) makes the run exit 3
# with a line on stderr naming the output and exactly how many events it
# lost (all of them: compared with a run to a plain file); with a spool
# the events are kept instead and the run succeeds.
#
# Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR, PYTHON.
# Exit: 0 pass, 1 fail, 77 skipped (no python3, no fixtures, no /dev/full).
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
[ -f "$GEO/country.mmdb" ] || { echo "SKIP: no $GEO/country.mmdb"; exit 77; }
[ -c /dev/full ] || { echo "SKIP: no /dev/full"; exit 77; }
here=$SRCDIR/tests/outputs
work=${BUILDDIR:-.}/tests/work/outputs-loss
rm -rf "$work" && mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd)
fails=0

fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}
ok() { echo "ok   $*"; }

"$CFGEN" "$here/outputs.scn" "$work/call.pcap" >/dev/null || { echo "FAIL: cfgen"; exit 1; }

# cf NAME [options]: one offline run, stdout to NAME.out, stderr to NAME.err,
# exit status in rc.
cf() {
	name=$1
	shift
	"$CALLFENCE" -q -r "$work/call.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
		-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows "$@" \
		>"$work/$name.out" 2>"$work/$name.err"
	rc=$?
}

# lost NAME SPEC N [TAIL]: exit 3, and stderr says SPEC lost N events (a
# line of its own, ending in TAIL, an extended regular expression).
lost() {
	[ "$rc" = 3 ] || fail "$1: exit status $rc, not 3"
	grep -q -x -E "callfence: output $2: $3 event\(s\) lost in this run${4:-}" "$work/$1.err" ||
		fail "$1: stderr lacks 'output $2: $3 event(s) lost in this run': $(cat "$work/$1.err")"
}
# a failed write's tail: how many writes failed (when the buffer was
# written: timing), and the reason
ENOSPC=' \([1-9][0-9]* failed write\(s\), the last: No space left on device\)'

cf ref -o "file:$work/ref.json"
all=$(wc -l <"$work/ref.json")
[ "$rc" = 0 ] && [ "$all" -gt 5 ] && [ ! -s "$work/ref.err" ] ||
	{ echo "FAIL the reference run: exit $rc, $all events, $(cat "$work/ref.err")"; exit 1; }
ok "reference run: $all events"

f=$fails
cf devfull -o file:/dev/full
lost devfull file:/dev/full "$all" "$ENOSPC"
ok_if() { [ "$fails" = "$f" ] && ok "$@"; }
ok_if "-o file:/dev/full: exit 3, all $all events said lost"

f=$fails
"$CALLFENCE" -q -r "$work/call.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
	-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows >/dev/full 2>"$work/stdout.err"
rc=$?
lost stdout stdout "$all" "$ENOSPC"
ok_if "standard output on /dev/full: exit 3, all $all events said lost"

# standard output a pipe whose reader is gone (EPIPE, not a death by SIGPIPE)
f=$fails
$PYTHON - "$CALLFENCE" "$work/call.pcap" "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
	"$GEO" "$work/epipe.err" <<'PY'
import os, subprocess, sys
cf, pcap, rules, geo, errpath = sys.argv[1:]
r, w = os.pipe()
os.close(r)
with open(errpath, "wb") as err:
    p = subprocess.run([cf, "-q", "-r", pcap, "-R", rules, "-G", geo + "/country.mmdb",
                        "-G", geo + "/asn.mmdb", "--all-flows"], stdout=w, stderr=err)
sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)
PY
rc=$?
lost epipe stdout "$all" ' \([1-9][0-9]* failed write\(s\), the last: Broken pipe\)'
ok_if "standard output to a pipe with no reader: exit 3, all $all events said lost"

# the other output of the same run is complete, and the run still fails
f=$fails
cf two -o file:/dev/full -o "file:$work/two.json"
lost two file:/dev/full "$all" "$ENOSPC"
missing=$($PYTHON "$here/losscheck.py" prefix "$work/two.json" "$work/ref.json") ||
	fail "two: $missing"
[ "$missing" = 0 ] || fail "two: the good output misses $missing events"
grep -q "output file:$work/two.json" "$work/two.err" && fail "two: the good output blamed"
tail -n 1 "$work/two.json" | $PYTHON -c '
import json, sys
r = json.load(sys.stdin)["callfence"]["report"]
sys.exit(0 if r["output_errors"] > 0 else "output_errors %r" % r["output_errors"])' ||
	fail "two: the report does not count the output errors"
ok_if "a failing output beside a good one: the good one complete, exit 3"

# syslog with no daemon and no spool: lost at exit, said, exit 3
f=$fails
CALLFENCE_SYSLOG_SOCKET=$work/no-syslog.sock
export CALLFENCE_SYSLOG_SOCKET
cf syslog -o syslog,drain=0
lost syslog syslog "$all"
grep -q "output syslog: $all event(s) lost at exit (spool=none)" "$work/syslog.err" ||
	fail "syslog: stderr lacks 'lost at exit': $(cat "$work/syslog.err")"
ok_if "syslog with no daemon and no spool: exit 3, $all events said lost"

# ... with a spool: kept for the next run, not lost, exit 0
f=$fails
cf syslog-spool -o "syslog,drain=0,spool=$work/syslog.spool"
[ "$rc" = 0 ] || fail "syslog-spool: exit status $rc, not 0 (events kept, not lost)"
grep -q "$all event(s) kept in spool $work/syslog.spool" "$work/syslog-spool.err" ||
	fail "syslog-spool: stderr lacks 'kept in spool': $(cat "$work/syslog-spool.err")"
grep -q "lost" "$work/syslog-spool.err" && fail "syslog-spool: something said lost"
ok_if "syslog with a spool: $all events kept, exit 0"
unset CALLFENCE_SYSLOG_SOCKET

if [ "$fails" -gt 0 ]; then
	echo "$fails failure(s); files kept in $work"
	exit 1
fi
rm -rf "$work"
exit 0
