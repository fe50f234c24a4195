#!/bin/sh
# test-rtt-netns.sh - the speed-of-light check on real round trips (issue 19).
#
# A client reaches three kinds of server through a gateway, where the
# traffic is captured (dumpcap on the client's side of the gateway):
#
#   client 10.9.1.2 --- gw --- near: no added delay (< 2 ms round trip)
#                        |        203.0.113.10  (the test .mmdb: CN)
#                        |        198.51.100.10 (the test .mmdb: US)
#                        +-- delay line, 150 ms round trip, the first
#                        |   SYN/ACK held 400 ms more --- far: 203.0.113.20 (CN)
#                        +-- delay line, 150 ms + 0..40 ms each way of
#                            jitter --- jit: 203.0.113.30 (CN)
#
# The delay lines are two TUN devices joined by tests/live/delayline.py
# (what `tc qdisc add dev X root netem delay 150ms` does, in user space:
# kernels without sch_netem, as CI's, run it too).  Each
# server runs openssl s_server on TCP 443 and a STUN responder on UDP 3478
# (stun-echo.py); the client does a TLS handshake (openssl s_client) and
# three STUN Binding transactions with each address.  The capture is read
# with --observer-location 40.71,-74.01 (New York; the nearest point of CN
# is 9399 km away: light needs 62.7 ms there and back) and the test
# geography (tests/geo/country.mmdb), once with one thread and once with
# --threads 2, and the flow events must say, per server and transport:
#   near CN:  rtt_ms < 2, plausibility impossible (a 2 ms host claimed
#             9,000 km away), reachable_countries ["US"] (physically in the US)
#   near US:  rtt_ms < 2, consistent, reachable_countries ["US"]
#   far CN:   150 <= rtt_ms < 300, consistent (the slow SYN/ACK does not
#             count: the hello's answer is quicker), no reachable list
#   jit CN:   150 <= rtt_ms < 300, consistent: jitter never brings the
#             round trip below the line's 150 ms
# and the two runs the same callfence.geo for every flow; with a rule
# "alert ... geo impossible", one alert, for the near CN STUN flow.
#
# Needs root, network namespaces, /dev/net/tun, openssl, dumpcap and
# python3; elsewhere it says why and exits 77.  Bounded: about 15 s.
# Env: CALLFENCE, GEO, SRCDIR, BUILDDIR.
set -u
: "${CALLFENCE:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/live

skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip python3 openssl dumpcap timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "no $t"
done
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ -f "$GEO/country.mmdb" ] || skip "no $GEO/country.mmdb (make check builds it)"
# the country shapes geodb/fetch-world.sh installs (tests/setup.sh runs it;
# a distcheck tree has none)
shapes=${CALLFENCE_DATADIR:-$SRCDIR}/geodb/world-countries.txt
[ -f "$shapes" ] || skip "no $shapes (run geodb/fetch-world.sh)"
P=cfr$$
ip netns add "$P-probe" 2>/dev/null || skip "cannot create network namespaces"
ip netns del "$P-probe"

work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/rtt-netns.$$
rm -rf "$work" && mkdir -p "$work"
pids=
fails=0
checks=0

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	for n in cli gw near far jit; do
		ip netns del "$P-$n" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

in_ns() {   # in_ns NAME COMMAND...
	n=$1
	shift
	ip netns exec "$P-$n" "$@"
}

# ---- the network
for n in cli gw near far jit; do
	ip netns add "$P-$n" || exit 99
	ip -n "$P-$n" link set lo up
	in_ns "$n" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
done
in_ns gw sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
veth() {    # veth NS_A IF_A ADDR_A NS_B IF_B ADDR_B (/24)
	ip link add "$P$2" type veth peer name "$P$5" &&
	ip link set "$P$2" netns "$P-$1" && ip -n "$P-$1" link set "$P$2" name "$2" &&
	ip link set "$P$5" netns "$P-$4" && ip -n "$P-$4" link set "$P$5" name "$5" &&
	ip -n "$P-$1" addr add "$3/24" dev "$2" && ip -n "$P-$4" addr add "$6/24" dev "$5" &&
	ip -n "$P-$1" link set "$2" up && ip -n "$P-$4" link set "$5" up
}
veth cli c0 10.9.1.2 gw g0 10.9.1.1 || exit 99
veth gw g1 10.9.2.1 near n0 10.9.2.2 || exit 99
ip -n "$P-cli" route add default via 10.9.1.1
ip -n "$P-near" route add default via 10.9.2.1
for a in 203.0.113.10 198.51.100.10; do
	ip -n "$P-near" addr add "$a/32" dev lo
	ip -n "$P-gw" route add "$a/32" via 10.9.2.2
done

# wait_file FILE ERR: up to 5 s for FILE to have bytes; else ERR shown, exit 99
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ] || { cat "$2"; exit 99; }
}

# line NAME_GW NAME_FAR NS NET ADDR OPTIONS...: a delay line from the
# gateway to namespace NS (10.9.NET.1 - 10.9.NET.2), ADDR behind it
line() {
	gw_if=$1 far_if=$2 ns=$3 net=$4 addr=$5
	shift 5
	rm -f "$work/ready-$ns"
	python3 "$here/delayline.py" --ns-a "$P-gw" --ns-b "$P-$ns" --name-a "$gw_if" \
	    --name-b "$far_if" --ready "$work/ready-$ns" "$@" </dev/null >/dev/null \
	    2>"$work/delayline-$ns.err" &
	pids="$pids $!"
	wait_file "$work/ready-$ns" "$work/delayline-$ns.err"
	ip -n "$P-gw" addr add "10.9.$net.1" peer "10.9.$net.2" dev "$gw_if" &&
	ip -n "$P-gw" link set "$gw_if" up &&
	ip -n "$P-gw" route add "$addr/32" dev "$gw_if" &&
	ip -n "$P-$ns" addr add "10.9.$net.2" peer "10.9.$net.1" dev "$far_if" &&
	ip -n "$P-$ns" link set "$far_if" up &&
	ip -n "$P-$ns" addr add "$addr/32" dev lo &&
	ip -n "$P-$ns" route add default dev "$far_if" || exit 99
}
line d0 d1 far 3 203.0.113.20 --delay 150 --slow-synack 400
line j0 j1 jit 4 203.0.113.30 --delay 150 --jitter 40

# ---- the servers
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=rtt.test -days 2 \
    -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1 || exit 99
for n in near far jit; do
	ip netns exec "$P-$n" openssl s_server -4 -accept 443 -cert "$work/cert.pem" \
	    -key "$work/key.pem" -quiet >/dev/null 2>&1 </dev/null &
	pids="$pids $!"
done
for s in "near 203.0.113.10 198.51.100.10" "far 203.0.113.20" "jit 203.0.113.30"; do
	# shellcheck disable=SC2086
	ip netns exec "$P-${s%% *}" python3 "$here/stun-echo.py" serve 3478 ${s#* } \
	    </dev/null >/dev/null 2>&1 &
	pids="$pids $!"
done
sleep 1

# ---- the capture and the traffic
pcap=$work/rtt.pcap
ip netns exec "$P-gw" dumpcap -q -P -i g0 -w "$pcap" 2>"$work/dumpcap.err" &
dpid=$!
pids="$pids $dpid"
wait_file "$pcap" "$work/dumpcap.err"
for a in 203.0.113.10 198.51.100.10 203.0.113.20 203.0.113.30; do
	in_ns cli timeout 10 openssl s_client -4 -connect "$a:443" </dev/null \
	    >"$work/s_client-$a.out" 2>&1 ||
		{ echo "FAIL: TLS handshake with $a"; fails=$((fails + 1)); }
	in_ns cli timeout 20 python3 "$here/stun-echo.py" ask "$a" 3478 3 ||
		{ echo "FAIL: STUN with $a"; fails=$((fails + 1)); }
done
sleep 0.5
kill -TERM "$dpid"   # (INT is ignored by a background job)
wait "$dpid" 2>/dev/null

# ---- what callfence says
for t in 1 2; do
	"$CALLFENCE" -q --all-flows --threads "$t" -G "$GEO/country.mmdb" \
	    --observer-location 40.71,-74.01 -r "$pcap" >"$work/events-$t.json" \
	    2>"$work/callfence-$t.err" ||
		{ echo "FAIL: callfence --threads $t: $(cat "$work/callfence-$t.err")"; fails=$((fails + 1)); }
done
python3 - "$work/events-1.json" "$work/events-2.json" <<'EOF' || fails=$((fails + 1))
import json, sys

def flows(path):
    out = {}
    for line in open(path):
        e = json.loads(line)
        if e.get("event", {}).get("dataset") != "callfence.flow":
            continue
        d = e.get("destination", {})
        key = (d.get("ip"), e.get("network", {}).get("transport"))
        out.setdefault(key, []).append(e.get("callfence", {}).get("geo"))
    return out

one, two = flows(sys.argv[1]), flows(sys.argv[2])
# address, transport: (least rtt_ms, most rtt_ms, plausibility, reachable or None)
want = {
    ("203.0.113.10", "tcp"): (0, 2, "impossible", ["US"]),
    ("203.0.113.10", "udp"): (0, 2, "impossible", ["US"]),
    ("198.51.100.10", "tcp"): (0, 2, "consistent", ["US"]),
    ("198.51.100.10", "udp"): (0, 2, "consistent", ["US"]),
    ("203.0.113.20", "tcp"): (150, 300, "consistent", None),
    ("203.0.113.20", "udp"): (150, 300, "consistent", None),
    ("203.0.113.30", "tcp"): (150, 300, "consistent", None),
    ("203.0.113.30", "udp"): (150, 300, "consistent", None),
}
fails = checks = 0
for key, (lo, hi, verdict, reach) in sorted(want.items()):
    got = one.get(key)
    checks += 1
    if not got or len(got) != 1 or got[0] is None:
        print("FAIL: %s %s: want one flow event with callfence.geo, got %r" % (key + (got,)))
        fails += 1
        continue
    g = got[0]
    ok = (lo <= g.get("rtt_ms", -1) < hi and g.get("plausibility") == verdict and
          g.get("reachable_countries") == reach)
    print("%s %s %s: %r (want %g <= rtt_ms < %g, %s, reachable %r)" %
          ("ok  " if ok else "FAIL", key[0], key[1], g, lo, hi, verdict, reach))
    fails += not ok
    checks += 1
    if two.get(key) != got:
        print("FAIL: %s %s with --threads 2: %r, one thread: %r" % (key + (two.get(key), got)))
        fails += 1
print("rtt-netns events: %d checks, %d failed" % (checks, fails))
sys.exit(1 if fails else 0)
EOF
# A rule on the check: the STUN flows (WebRTC signalling: judged) to the
# near CN address alert, once each, after their first answer; the far
# ones do not (TLS without a name is not call traffic: not judged).
cat >"$work/geo.rules" <<'EOF2'
alert critical id geo-impossible geo impossible msg "the database country is out of light's reach"
pass id rest msg "the rest"
EOF2
"$CALLFENCE" -q -R "$work/geo.rules" -G "$GEO/country.mmdb" --observer-location 40.71,-74.01 \
    -r "$pcap" >"$work/alerts.json" 2>"$work/callfence-rules.err" ||
	{ echo "FAIL: callfence -R geo.rules: $(cat "$work/callfence-rules.err")"; fails=$((fails + 1)); }
python3 - "$work/alerts.json" <<'EOF2' || fails=$((fails + 1))
import json, sys
alerts = [e for e in map(json.loads, open(sys.argv[1]))
          if e.get("event", {}).get("kind") == "alert"]
got = sorted((e["destination"]["ip"], e["network"]["transport"], e["rule"]["id"],
              e["callfence"].get("geo", {}).get("plausibility")) for e in alerts)
want = [("203.0.113.10", "udp", "geo-impossible", "impossible")]
print("%s alerts: %r" % ("ok  " if got == want else "FAIL", got))
sys.exit(got != want)
EOF2
# The exchanges themselves, as tshark times them, where it is installed:
# the smallest SYN -> SYN/ACK of the far host is the slowed one (>= 550 ms)
if command -v tshark >/dev/null 2>&1; then
	checks=$((checks + 1))
	syn=$(tshark -r "$pcap" -Y "ip.src==203.0.113.20 && tcp.flags.syn==1 && tcp.flags.ack==1" \
	    -T fields -e tcp.time_relative 2>/dev/null | head -n 1)
	awk -v s="${syn:-0}" 'BEGIN { exit !(s >= 0.55) }' ||
		{ echo "FAIL: the far host's SYN/ACK came after ${syn:-?} s, want >= 0.55"; fails=$((fails + 1)); }
fi
echo "test-rtt-netns: $fails failed"
[ "$fails" = 0 ]
