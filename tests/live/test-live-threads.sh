#!/bin/sh
# test-live-threads.sh - --threads on live capture: two daemons capture the
# same traffic on the live test's gateway (lib.sh) at the same time, one
# with --threads 1, one with --threads 2 (its reader routing each flow to
# one of its two engines), and must report the same thing:
#   - the same flow and alert events (sorted; times left out), among them
#     flows named by DNS answers that the other worker captured;
#   - a last stats event that sums both workers: packets, interfaces'
#     kernel counters, flows and alerts equal to the one-thread daemon's;
#   - the reader handed packets to the second thread's ring, and every
#     DNS answer to both threads.
# Then the whole daemon test (test-live.sh) runs again with threads = 2:
# SIGHUP (good and broken rules), SIGUSR1, interfaces going down and
# disappearing, -u, -D, a full disk, SIGTERM.
#
# Needs root and network namespaces: elsewhere it says why and exits 77
# (skipped).  Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/live
. "$here/lib.sh"
net_check

work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/live-threads.$$
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$work/asan"
fails=0
n=0
pid1=
pid2=

cleanup() {
	for p in $pid1 $pid2; do
		kill -KILL "$p" 2>/dev/null
	done
	net_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

send() {
	# shellcheck disable=SC2046
	python3 "$here/live-send.py" pcap "$1" $(ns_args) >/dev/null
}
gen() {
	"$CFGEN" "$1" "$2" >/dev/null || { echo "FAIL cfgen $1"; exit 1; }
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
gone() { ! alive "$1"; }
logged() { grep -qF -- "$1" "$2"; }

# events FILE: the flow and alert events, one line each, what the workers
# decide (not when): sorted.
events() {
	python3 -c '
import json, sys
out = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    ds = e["event"]["dataset"]
    if ds not in ("callfence.flow", "callfence.alert"):
        continue
    s, d, nw, c = e.get("source", {}), e.get("destination", {}), e.get("network", {}), e.get("callfence", {})
    out.append(" ".join(str(x) for x in (
        ds, s.get("ip"), s.get("port"), d.get("ip"), d.get("port"), d.get("domain"),
        nw.get("transport"), nw.get("application"), nw.get("protocol"),
        nw.get("packets"), nw.get("bytes"), s.get("packets"), d.get("packets"),
        c.get("role"), c.get("roles"), c.get("verdict"), c.get("alerts"),
        e.get("rule", {}).get("id"), e["event"].get("reason"),
        (e.get("observer", {}).get("ingress") or {}).get("interface"))))
for l in sorted(out):
    print(l)' "$1"
}

# stats FILE: the numbers of the last stats event that must not depend on
# the number of threads.  The kernel's "received" counts until each socket
# closes, and the two daemons stop a moment apart: a late stray packet
# (the filter below keeps most out) may be counted by one only.  So:
# received at least processed, and the rest equal.
stats() {
	grep '"callfence.stats"' "$1" | tail -n 1 | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())["callfence"]["stats"]
p, f, a = s["packets"], s["flows"], s["alerts"]
print("received>=processed", p["received"] >= p["processed"], "dropped", p["dropped"],
      "processed", p["processed"], "decoded", p["decoded"])
for i in s["interfaces"]:
    print("iface", i["name"], i["state"], i["received"] >= i["packets"], i["dropped"], i["packets"])
print("flows", f["created"], f["active"], f["capacity"], f["ended_idle"] + f["ended_closed"] + f["evicted"])
print("alerts", a["total"], sorted(a["by_severity"].items()))
print("dns_cache capacity", s["dns_cache"]["capacity"])'
}

echo "# network: namespaces $NS_PREFIX-{gw,c1,c2,rem}"
net_up || { echo "FAIL network set-up"; exit 1; }

gen "$here/threads-dns.scn" "$work/dns.pcap"
gen "$here/threads.scn" "$work/flows.pcap"

# Both daemons at once on the same interfaces: they see the same packets.
# Long idle timers: every flow ends at SIGTERM, in both.  The filter keeps
# the kernel's own chatter out (neighbour discovery, MLD and other
# multicast, sent whenever it likes; ARP, whose unicast probes of a
# neighbour go out whenever its entry is due a check, even while the two
# stop): one daemon starting or stopping a moment before the other could
# count a packet more.
for t in 1 2; do
	ip netns exec "$GW" "$CALLFENCE" -i lan0 -i lan1 --threads "$t" \
		-R "$SRCDIR/rules/default.rules" -G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" \
		--udp-timeout 600 --max-flows 1000 --stats-interval 0 -B 4096 \
		-P "$work/t$t.pid" --log "$work/t$t.log" -o "file:$work/t$t.json" \
		not icmp6 and not ether multicast and not arp 2>"$work/t$t.err" &
	eval "pid$t=\$!"
done
check "--threads 1 and --threads 2 started" --show "$work/t2.log" wait_for 10 eval \
	'logged "capturing on 2 interface(s)" "$work/t1.log" && logged "capturing on 2 interface(s)" "$work/t2.log"'
check "--threads 2: says so" logged ", 2 threads" "$work/t2.log"

send "$work/dns.pcap"
sleep 0.5     # the answers reach every worker before the flows they name
send "$work/flows.pcap"
sleep 1
kill -USR1 "$pid2"
check "--threads 2: SIGUSR1 stats event while running" --show "$work/t2.log" \
	wait_for 5 grep -q '"callfence.stats"' "$work/t2.json"
kill -TERM "$pid1" "$pid2"
check "both stop on SIGTERM" wait_for 15 eval 'gone "$pid1" && gone "$pid2"'
wait "$pid1"; rc1=$?
wait "$pid2"; rc2=$?
pid1=
pid2=
check "both exit 0" eval '[ $rc1 = 0 ] && [ $rc2 = 0 ]'

events "$work/t1.json" > "$work/t1.events"
events "$work/t2.json" > "$work/t2.events"
check "the same flow and alert events" --show "$work/t2.diff" eval \
	'diff "$work/t1.events" "$work/t2.events" > "$work/t2.diff" && [ -s "$work/t1.events" ]'
check "... flows named by DNS (zoom) and alerts among them" eval \
	'[ "$(grep -c "callfence.flow .* zoomiad[123]mmr.zoom.us udp zoom" "$work/t1.events")" = 13 ] &&
	 grep -q "^callfence.alert .* default-keys-restricted" "$work/t1.events"'
stats "$work/t1.json" > "$work/t1.stats"
stats "$work/t2.json" > "$work/t2.stats"
check "the last stats event sums both workers" --show "$work/t2.stats.diff" eval \
	'diff "$work/t1.stats" "$work/t2.stats" > "$work/t2.stats.diff" &&
	 grep -q "^received>=processed True dropped 0 processed [1-9]" "$work/t1.stats"'
# "thread K of 2: N packets, ..." at the end, and N > 0 for the thread
# behind the ring (the reader's own part of new flows may be none)
check "the second thread got packets, DNS answers shared" --show "$work/t2.log" eval \
	'grep -q "thread 1 of 2: [0-9]* packets, " "$work/t2.log" &&
	 grep -q "thread 2 of 2: [1-9][0-9]* packets, " "$work/t2.log" &&
	 [ "$(grep -o "thread [12] of 2: [0-9]* packets, [0-9]* DNS" "$work/t2.log" |
	      awk "{ s += \$7 } END { print s }")" = 3 ]'
check "the report event last" eval 'tail -n 1 "$work/t2.json" | grep -q "callfence.report"'

# ---- sanitizers --------------------------------------------------------------
if ls "$work"/asan.* >/dev/null 2>&1; then
	fail "sanitizer reports"; cat "$work"/asan.*
else
	ok "no sanitizer report"
fi

net_down
trap - EXIT
echo "$n checks, $fails failed"
if [ "$fails" != 0 ]; then
	echo "files kept in $work"
	exit 1
fi
rm -rf "$work"

# ---- the whole daemon test with two threads ---------------------------------
echo "# test-live.sh with threads = 2"
LIVE_THREADS=2 sh "$here/test-live.sh"
