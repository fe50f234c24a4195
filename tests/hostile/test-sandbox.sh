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
# and stdout with options included).  CALLFENCE_SANDBOX_TRACE=1 shows
# that every capture file of a multi-file run, the first included, is
# parsed with the filter on.
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
# the reports field by field, but for the wall time and the process's
# memory figures (they differ from run to run); those must be there
python3 - "$work/report-on.json" "$work/report-off.json" >"$work/rep.diff" <<'PY' ||
import json, sys
on, off = (json.load(open(p)) for p in sys.argv[1:3])
# what the unsandboxed run reports, the sandboxed one must too (heap_bytes
# is 0 under AddressSanitizer, whose allocator mallinfo2 does not see)
bad = [k for k, v in off.get("memory", {}).items()
       if v and not on.get("memory", {}).get(k)]
if bad:
    print("sandboxed report lacks memory." + ", memory.".join(bad))
for r in (on, off):
    r.pop("wall_seconds", None)
    r.pop("memory", None)
if on != off:
    print("reports differ")
    sys.exit(1)
sys.exit(1 if bad else 0)
PY
	fail "reports with and without the sandbox: $(cat "$work/rep.diff")"

# 4. --threads: the filter is on every thread, the workers' too (they run
# before the last capture file is open).  The capture comes through a
# FIFO: callfence opens it, reads the file header, puts the filter on and
# waits for packets while its threads are looked at in /proc.
fifo=$work/threads.fifo
rm -f "$fifo"
mkfifo "$fifo" || exit 1
"$CALLFENCE" -q --threads 2 -r "$fifo" "$@" -o "file:$work/threads.json" \
	2>"$work/threads.err" &
pid=$!
# bounded, should callfence stop early: opening read-write does not wait
# for a reader, the rest is written under timeout, and a watchdog ends a
# run that hangs
(sleep 60; kill -9 "$pid") >/dev/null 2>&1 &
watchdog=$!
exec 3<>"$fifo"
head -c 24 "$work/demo.pcap" >&3      # the pcap file header
i=0
while [ "$i" -lt 100 ] && ! grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
cat /proc/"$pid"/task/*/status 2>/dev/null | sed -n 's/^Seccomp:[[:space:]]*//p' \
	>"$work/threads.modes"
timeout 30 tail -c +25 "$work/demo.pcap" >&3
exec 3>&-
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
[ "$rc" = 0 ] || fail "--threads 2 from a FIFO: exit status $rc: $(cat "$work/threads.err")"
n=$(wc -l <"$work/threads.modes")
[ "$n" -ge 2 ] || fail "--threads 2: $n thread(s) seen while reading, want 2 or more"
grep -qv '^2$' "$work/threads.modes" &&
	fail "--threads 2: a thread without the filter (modes: $(tr '\n' ' ' <"$work/threads.modes"))"
# the same events as one thread reading the same FIFO (in any order)
cat "$work/demo.pcap" >"$fifo" &
"$CALLFENCE" -q -r "$fifo" "$@" -o "file:$work/one.json" 2>/dev/null ||
	fail "one thread on demo.pcap from a FIFO failed"
wait
python3 "$SRCDIR/tests/e2e/same-events.py" "$work/one.json" "$work/threads.json" \
	>"$work/threads.same" 2>&1 ||
	fail "--threads 2 from a FIFO: not the events of one thread: $(head -5 "$work/threads.same")"

# 5. every capture file is parsed under the filter, the first of several
# too: CALLFENCE_SANDBOX_TRACE=1 makes the capture stage print the
# kernel's seccomp mode of the reading thread just before it parses each
# file (its header first).  One line per file, in order, each with mode
# 2; with --no-sandbox the same lines say 0 (the probe can tell).
for mode in on off; do
	opt=
	want=2
	[ "$mode" = off ] && { opt=--no-sandbox; want=0; }
	# shellcheck disable=SC2086
	CALLFENCE_SANDBOX_TRACE=1 "$CALLFENCE" $opt -q -r "$work/demo.pcap" \
		-r "$work/check.pcap" -r "$work/demo.pcap" "$@" \
		-o "file:$work/trace-$mode.json" 2>"$work/trace-$mode.err"
	rc=$?
	[ "$rc" = 0 ] || fail "trace, sandbox $mode: exit status $rc: $(cat "$work/trace-$mode.err")"
	sed -n 's/^callfence: sandbox trace: //p' "$work/trace-$mode.err" >"$work/trace-$mode.got"
	printf '%s: seccomp mode %s\n' "$work/demo.pcap" "$want" "$work/check.pcap" "$want" \
		"$work/demo.pcap" "$want" >"$work/trace-$mode.want"
	cmp -s "$work/trace-$mode.got" "$work/trace-$mode.want" ||
		fail "sandbox $mode: seccomp mode when each file is parsed:
$(diff "$work/trace-$mode.want" "$work/trace-$mode.got")"
done
grep -v '"callfence.report"' "$work/trace-on.json" >"$work/trace-ev-on"
grep -v '"callfence.report"' "$work/trace-off.json" >"$work/trace-ev-off"
[ -s "$work/trace-ev-on" ] || fail "three files: no events"
cmp -s "$work/trace-ev-on" "$work/trace-ev-off" ||
	fail "three files: events differ with and without the sandbox"

[ "$fails" = 0 ] || exit 1
echo "PASS: the seccomp filter is in force on every thread, before the first file is parsed; results unchanged"
exit 0
