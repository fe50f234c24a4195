#!/bin/sh
# test-outputs.sh - callfence's outputs end to end, against local stand-in
# collectors (collector.py): a TCP collector that crashes and comes back
# mid-run (nothing lost, nothing doubled, order kept), a unix collector
# down for a whole run (everything spooled, said on stderr) and up for the
# next (the spool first), a spool filled past its bound (exact drops),
# unix datagrams, syslog through a private socket (CALLFENCE_SYSLOG_SOCKET),
# per-output filters, the Community ID with two seeds, --alert-window.
#
# Env: CALLFENCE, CFGEN, GEO (fixtures dir), SRCDIR, BUILDDIR, PYTHON.
# Exit: 0 pass, 1 fail, 77 skipped (no python3 or no geography fixtures).
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
[ -f "$GEO/country.mmdb" ] || { echo "SKIP: no $GEO/country.mmdb"; exit 77; }
here=$SRCDIR/tests/outputs
work=${BUILDDIR:-.}/tests/work/outputs
rm -rf "$work" && mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd)
CHECK="$PYTHON $here/outcheck.py"
fails=0
cpid=""

trap 'test -n "$cpid" && kill "$cpid" 2>/dev/null' EXIT INT TERM

fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# The captures: the call flows alone, and with 400 plain UDP flows more.
cp "$here/outputs.scn" "$work/big.scn"
awk 'BEGIN { for (i = 1; i <= 400; i++)
	printf "at +4.%03d udp 10.1.0.7:%d > 192.0.2.%d:5000 packets=2\n", i, 30000 + i, i % 120 + 1 }' \
	>>"$work/big.scn"
"$CFGEN" "$here/outputs.scn" "$work/small.pcap" && "$CFGEN" "$work/big.scn" "$work/big.pcap" ||
	{ echo "FAIL: cfgen"; exit 1; }

# cf NAME CAPTURE [options]: run callfence, events also to NAME.expect.
cf() {
	name=$1 cap=$2
	shift 2
	"$CALLFENCE" -q -r "$work/$cap.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
		-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows \
		-o "file:$work/$name.expect" "$@" >"$work/$name.out" 2>"$work/$name.err"
}

# collector NAME KIND [options]: start one, wait until it listens.
collector() {
	name=$1
	shift
	rm -f "$work/$name.ready"
	"$PYTHON" "$here/collector.py" "$@" --ready "$work/$name.ready" \
		--out "$work/$name.got" 2>"$work/$name.collector.err" &
	cpid=$!
	i=0
	while [ ! -f "$work/$name.ready" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -f "$work/$name.ready" ] || fail "$name: collector did not start"
}

collector_stop() {
	kill -TERM "$cpid" 2>/dev/null
	wait "$cpid"
	cpid=""
}

# grep_err NAME PATTERN: callfence's stderr of NAME must match.
grep_err() {
	grep -q -E -e "$2" "$work/$1.err" || fail "$1: stderr lacks /$2/: $(head -5 "$work/$1.err")"
}

no_sanitizer_report() {
	if grep -q "AddressSanitizer\|runtime error" "$work/$1.err"; then
		fail "$1: sanitizer report"
		cat "$work/$1.err"
	fi
}

ok() {
	[ "$fails" = "$1" ] && echo "ok   $2"
}

# --- TCP: the collector crashes after 150 events and is back 1.5 s later
f=$fails
collector tcp tcp --rcvbuf 4096 --stop-after 150 --pid-file "$work/tcp.pid" --down 1.5
port=$(cat "$work/tcp.ready")
"$CALLFENCE" -q -r "$work/big.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
	-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows -o "file:$work/tcp.expect" \
	-o "tcp:127.0.0.1:$port,spool=$work/tcp.spool,drain=30" >"$work/tcp.out" 2>"$work/tcp.err" &
echo $! >"$work/tcp.pid"
wait "$(cat "$work/tcp.pid")"
rc=$?
collector_stop
[ "$rc" = 0 ] || fail "tcp: exit status $rc"
grep -q "down after" "$work/tcp.collector.err" || fail "tcp: the collector never went down"
grep -q "up again" "$work/tcp.collector.err" || fail "tcp: the collector never came back"
grep_err tcp "connection lost|cannot connect"
grep_err tcp "connected; sending [0-9]+ held event"
out=$($CHECK same "$work/tcp.got" "$work/tcp.expect") || fail "tcp: $out"
[ -s "$work/tcp.spool" ] && fail "tcp: the spool is not empty at the end"
no_sanitizer_report tcp
ok $f "tcp: collector down and back mid-run, $out"

# --- unix stream: down for a whole run (all spooled), up for the next
f=$fails
cf unix-down small -o "unix:$work/u.sock,spool=$work/u.spool,drain=0.5"
[ $? = 0 ] || fail "unix-down: exit status"
grep_err unix-down "cannot connect: No such file or directory"
grep_err unix-down "[0-9]+ event\(s\) kept in spool $work/u.spool, sent first by the next run"
out=$($CHECK same "$work/u.spool" "$work/unix-down.expect") || fail "unix-down: spool: $out"
collector unix unix --path "$work/u.sock"
cf unix-up small -o "unix:$work/u.sock,spool=$work/u.spool"
[ $? = 0 ] || fail "unix-up: exit status"
collector_stop
grep_err unix-up "[0-9]+ event\(s\) from an earlier run in spool"
cat "$work/unix-down.expect" "$work/unix-up.expect" >"$work/unix.expect"
out=$($CHECK same "$work/unix.got" "$work/unix.expect") || fail "unix-up: $out"
[ -s "$work/u.spool" ] && fail "unix-up: the spool is not empty at the end"
no_sanitizer_report unix-down
no_sanitizer_report unix-up
ok $f "unix: spooled while down, replayed first when up, $out"

# --- a spool filled past its bound: exactly what fits, drops counted
f=$fails
cf bound big -o "unix:$work/nobody.sock,spool=$work/b.spool,spool-max=40000,queue=5,drain=0"
# events lost past the bound: the run fails (exit 3), said per output
rc=$?
[ $rc = 3 ] || fail "bound: exit status $rc, not 3 (events were lost)"
dropped=$($CHECK spool-bound "$work/bound.expect" 40000 "$work/b.spool") || fail "bound: $dropped"
grep_err bound "^callfence: output unix:$work/nobody.sock: $dropped event\\(s\\) lost in this run$"
grep_err bound "dropped: backlog reached spool-max=40000 bytes \($dropped dropped in all\)"
grep_err bound "kept in spool"
no_sanitizer_report bound
ok $f "spool bound: $dropped events dropped, the rest kept in order"

# --- unix datagrams
f=$fails
collector gram unixgram --path "$work/g.sock"
cf gram big -o "unixgram:$work/g.sock,spool=$work/g.spool,format=json"
[ $? = 0 ] || fail "gram: exit status"
collector_stop
out=$($CHECK same "$work/gram.got" "$work/gram.expect") || fail "gram: $out"
no_sanitizer_report gram
ok $f "unixgram: $out"

# --- syslog through a private socket
f=$fails
collector syslog unixgram --path "$work/log.sock"
CALLFENCE_SYSLOG_SOCKET=$work/log.sock "$CALLFENCE" -q -r "$work/small.pcap" \
	-R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" -G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" \
	--all-flows -o "file:$work/syslog.expect" -o syslog:local3 \
	>"$work/syslog.out" 2>"$work/syslog.err" &
spid=$!
wait $spid || fail "syslog: exit status"
collector_stop
out=$($CHECK syslog "$work/syslog.got" "$work/syslog.expect" local3 $spid) || fail "syslog: $out"
no_sanitizer_report syslog
ok $f "syslog: $out"

# --- filters, several outputs at once
f=$fails
cf filter small -o "file:$work/crit.json,kinds=alert+report,min-severity=critical" \
	-o "file:$work/flows.json,kinds=flow"
[ $? = 0 ] || fail "filter: exit status"
out=$($CHECK filter "$work/crit.json" "$work/filter.expect" alert+report critical) ||
	fail "filter: critical: $out"
out2=$($CHECK filter "$work/flows.json" "$work/filter.expect" flow low) || fail "filter: flows: $out2"
ok $f "filters: $out critical alerts and report, $out2 flows"

# --- Community ID, default seed and --community-id-seed
f=$fails
out=$($CHECK community-id "$work/filter.expect" 0) || fail "community-id seed 0: $out"
cf seed small --community-id-seed 4242
out2=$($CHECK community-id "$work/seed.expect" 4242) || fail "community-id seed 4242: $out2"
ok $f "community id: $out with seed 0, $out2 with seed 4242"

# --- --alert-window folds the five media alerts to one relay
f=$fails
cf window small --alert-window 60
[ $? = 0 ] || fail "window: exit status"
out=$($CHECK aggregated "$work/filter.expect" "$work/window.expect") || fail "window: $out"
ok $f "alert window: $out"

[ "$fails" -eq 0 ] || { echo "outputs: $fails failure(s); see $work"; exit 1; }
echo "outputs: all passed"
