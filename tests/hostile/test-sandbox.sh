#!/bin/sh
# test-sandbox.sh - the seccomp sandbox of offline runs is in force
# (src/sandbox.c, docs/security.md).
#
# CALLFENCE_SANDBOX_SELFTEST=1 makes callfence, once the filter is on,
# report its seccomp mode and try forbidden calls.  A normal build must
# show mode 2 (filter), refuse to open any file (EPERM) and be killed by
# SIGSYS at socket(); a sanitizer build refuses writing and socket() with
# EPERM (it lets files be read: LeakSanitizer reads /proc).
# --no-sandbox must leave the filter off, and a sandboxed run must give
# the same events and report as an unsandboxed one (--report, file output
# and stdout with options included).
#
# Environment (make check sets them): CALLFENCE, CFGEN, SRCDIR, BUILDDIR,
# GEO.  Exit: 0 pass, 1 fail, 77 skipped (built without libseccomp).

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
CALLFENCE=${CALLFENCE:-$BUILDDIR/src/callfence}
CFGEN=${CFGEN:-$BUILDDIR/tests/gen/cfgen}
GEO=${GEO:-$BUILDDIR/tests/geo}
work=$BUILDDIR/tests/work/sandbox
rm -rf "$work"
mkdir -p "$work" || exit 1
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

"$CFGEN" "$SRCDIR/tests/gen/check.scn" "$work/check.pcap" || exit 1
"$CFGEN" "$SRCDIR/tests/demo.scn" "$work/demo.pcap" || exit 1
set -- -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" -G "$GEO/country.mmdb" -G "$GEO/asn.mmdb"

# 1. the self-test
CALLFENCE_SANDBOX_SELFTEST=1 "$CALLFENCE" -q -r "$work/demo.pcap" -r "$work/check.pcap" "$@" \
	>"$work/selftest.out" 2>"$work/selftest.err"
rc=$?
cat "$work/selftest.err"
if grep -q 'sandbox self-test: not built' "$work/selftest.err"; then
	echo "SKIP: callfence was built without libseccomp"
	exit 77
fi
grep -q 'sandbox self-test: seccomp mode 2$' "$work/selftest.err" ||
	fail "seccomp mode is not 2 (filter) once the captures are open"
if grep -q 'self-test: build normal' "$work/selftest.err"; then
	[ "$rc" = 159 ] || fail "exit status $rc, want 159 (killed by SIGSYS at socket())"
	grep -q 'open /dev/null for writing: Operation not permitted' "$work/selftest.err" ||
		fail "a file could be opened for writing"
	grep -q 'open /etc/hostname for reading: Operation not permitted' "$work/selftest.err" ||
		fail "a file could be opened for reading"
	grep -q 'socket() next' "$work/selftest.err" || fail "socket() was not tried"
	grep -q 'socket():' "$work/selftest.err" && fail "socket() returned instead of killing"
elif grep -q 'self-test: build with sanitizers' "$work/selftest.err"; then
	[ "$rc" = 0 ] || fail "exit status $rc, want 0 (sanitizer build: EPERM only)"
	grep -q 'open /dev/null for writing: Operation not permitted' "$work/selftest.err" ||
		fail "a file could be opened for writing"
	grep -q 'socket(): Operation not permitted' "$work/selftest.err" ||
		fail "socket() was not refused"
else
	fail "no self-test output (exit status $rc)"
fi

# 2. --no-sandbox: no filter, no self-test
CALLFENCE_SANDBOX_SELFTEST=1 "$CALLFENCE" --no-sandbox -q -r "$work/demo.pcap" "$@" \
	>/dev/null 2>"$work/nosandbox.err"
rc=$?
[ "$rc" = 0 ] || fail "--no-sandbox: exit status $rc"
grep -q 'self-test' "$work/nosandbox.err" && fail "--no-sandbox: the filter was installed"

# 3. same results with and without the filter: events to a file and to
# stdout (with an output option), the report
for mode in on off; do
	opt=
	[ "$mode" = off ] && opt=--no-sandbox
	# shellcheck disable=SC2086
	"$CALLFENCE" $opt -q -r "$work/demo.pcap" -r "$work/check.pcap" "$@" \
		--report "$work/report-$mode.json" -o "file:$work/events-$mode.json" \
		-o "stdout,kinds=alert+flow" >"$work/stdout-$mode.json" 2>"$work/err-$mode.txt"
	rc=$?
	[ "$rc" = 0 ] || fail "sandbox $mode: exit status $rc: $(cat "$work/err-$mode.txt")"
done
grep -v '"callfence.report"' "$work/events-on.json" >"$work/ev-on"
grep -v '"callfence.report"' "$work/events-off.json" >"$work/ev-off"
cmp -s "$work/ev-on" "$work/ev-off" || fail "events differ with and without the sandbox"
cmp -s "$work/stdout-on.json" "$work/stdout-off.json" || fail "stdout differs with and without the sandbox"
[ -s "$work/ev-on" ] || fail "no events"
grep -v wall_seconds "$work/report-on.json" >"$work/rep-on"
grep -v wall_seconds "$work/report-off.json" >"$work/rep-off"
cmp -s "$work/rep-on" "$work/rep-off" || fail "reports differ with and without the sandbox"

[ "$fails" = 0 ] || exit 1
echo "PASS: the seccomp filter is in force; results unchanged"
exit 0
