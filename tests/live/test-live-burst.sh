#!/bin/sh
# test-live-burst.sh - live capture's defaults hold a burst, and the stats
# event says when packets are lost.
#
# A veth link between namespaces (lib.sh: client C1 - gateway - remote);
# live-send.py sends BURST_COUNT datagrams of 1,200 bytes (a media
# packet) from one socket on C1, back to back, to the remote end; callfence
# captures them on the gateway's lan0 (BPF filter: that port only).  Then
# SIGUSR1: the stats event's lan0 counters must show every datagram
# received and handled, none dropped:
#   1. the defaults (snapshot length, kernel buffer, timeout of callfence(8)):
#      received = packets = BURST_COUNT, dropped = 0;
#   2. a buffer forced tiny (-B 64: 64 KiB) and the same burst sent
#      three times: the kernel drops, and the stats event says so
#      (dropped > 0, packets + dropped = received, packets < sent), as
#      does the log ("the kernel dropped N packet(s)").
# Each run prints its numbers (the measurement callfence(8) quotes).
#
# Needs root and network namespaces: elsewhere it says why and exits 77.
# Env: CALLFENCE, GEO, SRCDIR, BUILDDIR; BURST_COUNT (default 2000);
# BURST_OPTS: options added to the first run (to measure others, e.g.
# BURST_OPTS="-s 2048 -B 4096"; its checks then hold those, not the
# defaults).
set -u
: "${CALLFENCE:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/live
. "$here/lib.sh"
net_check
count=${BURST_COUNT:-2000}

work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/live-burst.$$
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$work/asan"
fails=0
n=0
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	net_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
in_gw() { ip netns exec "$GW" "$@"; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

echo "# network: namespaces $NS_PREFIX-{gw,c1,c2,rem}"
net_up || { echo "FAIL network set-up"; exit 1; }

# lan0 STAT: the field of the newest stats event's lan0 entry
lan0() {
	grep '"callfence.stats"' "$events" | tail -n 1 | python3 -c '
import json, sys
e = json.loads(sys.stdin.read())
i = [i for i in e["callfence"]["stats"]["interfaces"] if i["name"] == "lan0"][0]
print(i[sys.argv[1]])' "$1"
}
nstats() { grep -c '"callfence.stats"' "$events" 2>/dev/null || echo 0; }

# run NAME TIMES [callfence options]: start callfence on lan0, send the
# burst TIMES times (a second apart), ask for a stats event; sets
# received, dropped, ifdropped, packets.
run() {
	name=$1 times=$2
	shift 2
	events=$work/$name.json
	log=$work/$name.log
	in_gw "$CALLFENCE" -D -i lan0 -R "$SRCDIR/rules/default.rules" \
		-G "$GEO/country.mmdb" -P "$work/$name.pid" --stats-interval 0 \
		-o "file:$events" --log "$log" "$@" udp and dst port 9999 \
		2>"$work/$name.err"
	rc=$?
	pid=$(cat "$work/$name.pid" 2>/dev/null)
	if [ "$rc" != 0 ] || ! alive "$pid"; then
		fail "$name: callfence did not start (exit status $rc)" "$work/$name.err"
		received=0 dropped=0 ifdropped=0 packets=0
		return 1
	fi
	k=0
	while [ "$k" -lt "$times" ]; do
		python3 "$here/live-send.py" burst --ns "$C1=10.1.0.5" --to 192.0.2.10:9999 \
			--count "$count" --size 1200 | sed "s/^/# $name: /"
		k=$((k + 1))
		sleep 1
	done
	kill -USR1 "$pid"
	wait_for 10 [ "$(nstats)" -ge 1 ] || true
	received=$(lan0 received) dropped=$(lan0 dropped)
	ifdropped=$(lan0 if_dropped) packets=$(lan0 packets)
	kill -TERM "$pid"
	wait_for 10 eval '! alive "$pid"'
	pid=
	echo "# $name ($*): sent $((count * times)); kernel received $received," \
		"dropped $dropped, interface dropped $ifdropped; callfence handled $packets"
}

# 1. the defaults
# shellcheck disable=SC2086
run defaults 1 ${BURST_OPTS:-}
check "defaults: every datagram of a $count-datagram burst handled" --show "$work/defaults.log" \
	[ "$packets" = "$count" ]
check "defaults: the kernel received them all, dropped none" --show "$work/defaults.log" \
	eval '[ "$received" = "$count" ] && [ "$dropped" = 0 ]'
check "defaults: no drop logged" eval '! grep -q "kernel dropped" "$work/defaults.log"'

# 2. a tiny buffer: drops, and the stats event counts them
run tiny 3 -B 64
check "-B 64: the kernel dropped packets of the bursts" --show "$work/tiny.log" \
	eval '[ "$dropped" -gt 0 ] && [ "$packets" -lt $((3 * count)) ]'
check "-B 64: the stats event accounts for every packet (handled + dropped = received)" \
	eval '[ $((packets + dropped)) = "$received" ]'
check "-B 64: the drop is logged" --show "$work/tiny.log" \
	wait_for 5 grep -q "lan0: the kernel dropped" "$work/tiny.log"

echo "# $n checks, $fails failed"
if [ "$fails" = 0 ]; then
	rm -rf "$work"
	exit 0
fi
echo "# kept: $work"
exit 1
