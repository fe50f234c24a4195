#!/bin/sh
# live-bench.sh - how fast can callfence capture live, with --threads 1 and
# --threads 2?  (make bench-live)
#
# Two network namespaces of our own, cfb-<pid>-tx and cfb-<pid>-rx, joined
# by a veth pair (10.77.0.1/24 fd77::1/64 on tx0, 10.77.0.2/24 fd77::2/64
# on rx0).  A capture made by the project's generator (cfgen --bench: Zoom
# and SRTP media, DTLS, TLS, DNS, HTTP) is rewritten with tcprewrite so
# that every packet is between those two addresses and MACs (local end
# 10.77.0.1/fd77::1, remote end 10.77.0.2/fd77::2; nobody else's address
# ever goes on a wire), then replayed by tcpreplay from tx0 at rising
# rates while callfence captures on rx0.  rx0's own stack ignores the
# frames (their MAC is not its own) so it answers nothing.
#
# Per step: a SIGUSR1 stats event before and after; the step's kernel drops
# are the difference (callfence.stats.packets.dropped); the rate is
# tcpreplay's own "Actual" / "Rated" lines.  The ladder doubles the rate
# until a step drops packets (or tcpreplay cannot go faster), then bisects
# twice between the last clean step and the first bad one.  Prints, per
# thread count, the highest rate without drops and the drops at the next
# step.  Bounded: at most ~12 steps of STEP_S seconds per thread count;
# the whole run takes a few minutes.  Namespaces are removed on exit.
#
# The replay itself costs a CPU (tcpreplay plus the kernel's veth and
# packet-socket work, which runs in the sender's context): on a 2-core
# machine callfence's threads share what is left.
#
# Needs root, iproute2, tcpreplay/tcprewrite (installed with apt-get when
# missing).  Env: CALLFENCE, CFGEN (built programs), SRCDIR; optional
# THREADS ("1 2"), FLOWS (cfgen --bench flows, 6000), STEP_S (3), START_PPS
# (10000), MAX_PPS (640000), BUFFER_KIB (-B per capture handle, 4096),
# SNAPLEN (-s, 2048; 0: callfence's default), GEO (a directory with
# country.mmdb: the default database otherwise).
#
# (Measured when live capture used immediate mode; it no longer does, and
# the snapshot length no longer sizes the ring's room: see
# docs/performance.md.)  The buffer counted in frames: in immediate mode libpcap's ring has
# fixed-size frame slots, and on an interface with segmentation offloads
# (veth has them, so do most NICs) a slot seems to be sized for 64 KiB
# frames unless -s is smaller (what the measurements show: with the
# default snaplen and -B 4096 drops start at 10,000 packets/s, with -s 2048
# at 200,000+).  The ladder would then measure how long callfence may
# pause rather than its throughput: hence -s 2048 by default (the bench's
# frames are all shorter).  SNAPLEN=0 measures callfence's defaults.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${SRCDIR:?}"
THREADS=${THREADS:-"1 2"}
FLOWS=${FLOWS:-6000}
STEP_S=${STEP_S:-3}
START_PPS=${START_PPS:-10000}
MAX_PPS=${MAX_PPS:-640000}
BUFFER_KIB=${BUFFER_KIB:-4096}
SNAPLEN=${SNAPLEN:-2048}

say() { echo "live-bench: $*" >&2; }
die() { say "$*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, raw sockets)"
command -v ip >/dev/null 2>&1 || skip "no ip(8) (iproute2)"
if ! command -v tcpreplay >/dev/null 2>&1 || ! command -v tcprewrite >/dev/null 2>&1; then
	say "installing tcpreplay (apt-get install -y tcpreplay)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y tcpreplay >/dev/null 2>&1 ||
		skip "tcpreplay is not installed and apt-get could not install it"
fi

TX=cfb-$$-tx
RX=cfb-$$-rx
work=${TMPDIR:-/tmp}/callfence-live-bench.$$
cfpid=

cleanup() {
	[ -n "$cfpid" ] && kill -KILL "$cfpid" 2>/dev/null
	ip netns del "$TX" 2>/dev/null
	ip netns del "$RX" 2>/dev/null
	ip link del "cfb$$a" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
mkdir -p "$work" || die "cannot make $work"

# ---- the network -----------------------------------------------------------
ip netns add "$TX" && ip netns add "$RX" || skip "cannot create network namespaces"
ip link add "cfb$$a" type veth peer name "cfb$$b" || skip "cannot create a veth pair"
ip link set "cfb$$a" netns "$TX" && ip -n "$TX" link set "cfb$$a" name tx0 &&
ip link set "cfb$$b" netns "$RX" && ip -n "$RX" link set "cfb$$b" name rx0 &&
for ns in "$TX" "$RX"; do ip -n "$ns" link set lo up; done &&
ip -n "$TX" addr add 10.77.0.1/24 dev tx0 && ip -n "$TX" addr add fd77::1/64 dev tx0 nodad &&
ip -n "$RX" addr add 10.77.0.2/24 dev rx0 && ip -n "$RX" addr add fd77::2/64 dev rx0 nodad &&
ip -n "$TX" link set tx0 up && ip -n "$RX" link set rx0 up || die "network set-up failed"
# MACs of our own (locally administered).  The replayed frames go to
# 02:77:00:00:00:fe, which no interface has: rx0 captures them (packet
# sockets take every frame) but its IP stack ignores them (PACKET_OTHERHOST),
# so it sends no RST or ICMP error back and the wire carries only the replay.
tx_mac=02:77:00:00:00:01
rx_mac=02:77:00:00:00:02
dst_mac=02:77:00:00:00:fe
ip -n "$TX" link set tx0 address "$tx_mac" && ip -n "$RX" link set rx0 address "$rx_mac" ||
	die "cannot set the veth MACs"

# ---- the traffic -----------------------------------------------------------
say "generating $FLOWS flows (cfgen --bench) and rewriting them to 10.77.0.1/2, fd77::1/2"
"$CFGEN" --bench "$FLOWS" "$work/bench.pcap" >/dev/null || die "cfgen --bench failed"
# local end (10.1/16, fd00::/8) -> .1; the bench's resolver 10.1.0.1 and
# every remote address -> .2; all of it is replayed from tx0
tcprewrite -i "$work/bench.pcap" -o "$work/replay.pcap" \
	--pnat='10.1.0.1/32:10.77.0.2/32,10.0.0.0/8:10.77.0.1/32,0.0.0.0/0:10.77.0.2/32,[fd00::/8]:[fd77::1/128],[::/0]:[fd77::2/128]' \
	--enet-smac="$tx_mac" --enet-dmac="$dst_mac" --fixcsum 2>"$work/tcprewrite.err" ||
	{ cat "$work/tcprewrite.err" >&2; die "tcprewrite failed"; }
rm -f "$work/bench.pcap"
geo=
[ -n "${GEO:-}" ] && [ -f "$GEO/country.mmdb" ] && geo="-G $GEO/country.mmdb"
# Replay nothing but our two hosts: every flow callfence finds in the
# rewritten capture must be between them.
# shellcheck disable=SC2086
"$CALLFENCE" -q --all-flows --no-sandbox -R "$SRCDIR/rules/default.rules" $geo \
	-r "$work/replay.pcap" -o "file:$work/check.json" 2>"$work/check.err" ||
	{ cat "$work/check.err" >&2; die "callfence could not read the rewritten capture"; }
python3 - "$work/replay.pcap" "$work/check.json" >"$work/npk" <<'PYEOF' ||
import json, struct, sys
ours = {"10.77.0.1", "10.77.0.2", "fd77::1", "fd77::2"}
flows = 0
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e["event"]["dataset"] != "callfence.flow":
        continue
    flows += 1
    if e["source"]["ip"] not in ours or e["destination"]["ip"] not in ours:
        sys.exit("foreign address: %s > %s" % (e["source"]["ip"], e["destination"]["ip"]))
if flows == 0:
    sys.exit("no flows")
data, off, n = open(sys.argv[1], "rb").read(), 24, 0
while off + 16 <= len(data):
    off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
    n += 1
print(n)
PYEOF
	die "the rewritten capture has a foreign address (or no flow): not replayed"
say "capture: $(du -h "$work/replay.pcap" | cut -f1), $(cat "$work/npk") packets"

# The policy: our side is 10.77.0.1; the far end has no country in any
# database, so every call flow is judged (and passes).
cat > "$work/bench.rules" <<'EOF'
home-net 10.77.0.1/32 fd77::1/128
alert high id bench-keys role key-exchange to CN msg "bench: keys to CN"
pass id bench-pass
EOF

# ---- one callfence, SIGUSR1 around each step ---------------------------------
nstats() { c=$(grep -c '"callfence.stats"' "$work/ev.json" 2>/dev/null); echo "${c:-0}"; }
# stats: "received dropped processed" of the newest stats event
stats_now() {
	before=$(nstats)
	kill -USR1 "$cfpid"
	i=0
	while [ "$(nstats)" -le "$before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	grep '"callfence.stats"' "$work/ev.json" | tail -n 1 | python3 -c '
import json, sys
p = json.loads(sys.stdin.read())["callfence"]["stats"]["packets"]
print(p["received"], p["dropped"], p["processed"])'
}

# step PPS: replay for STEP_S seconds at PPS; sets s_pps s_mbps s_sent s_recv s_drop
step() {
	set -- "$1" $(stats_now)
	rate=$1 r0=$2 d0=$3
	ip netns exec "$TX" tcpreplay -q -i tx0 -K --pps="$rate" --loop=0 \
		--duration="$STEP_S" "$work/replay.pcap" >"$work/tr.out" 2>&1
	sleep 1       # what is in the ring buffers gets read
	set -- $(stats_now)
	s_recv=$(($1 - r0)) s_drop=$(($2 - d0))
	# "Actual: 123456 packets (98765432 bytes) sent in 3.00 seconds"
	# "Rated: 32922108.1 Bps, 263.37 Mbps, 41152.00 pps"
	s_sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$work/tr.out" | head -n 1)
	s_mbps=$(sed -n 's/^Rated: .*, \([0-9.]*\) Mbps, .*/\1/p' "$work/tr.out" | head -n 1)
	s_pps=$(sed -n 's/^Rated: .*, \([0-9.]*\) pps.*/\1/p' "$work/tr.out" | head -n 1)
	s_pps=${s_pps%.*}
	[ -n "$s_sent" ] && [ -n "$s_pps" ] || { cat "$work/tr.out" >&2; die "tcpreplay failed"; }
	printf '  threads %s  asked %7s pps  sent %7s pps %8s Mb/s  %8s pkts  received %8s  dropped %7s\n' \
		"$t" "$rate" "$s_pps" "$s_mbps" "$s_sent" "$s_recv" "$s_drop" >&2
}

snap=
snapdesc=default
[ "$SNAPLEN" != 0 ] && snap="-s $SNAPLEN" snapdesc=$SNAPLEN
results=
for t in $THREADS; do
	rm -f "$work/ev.json" "$work/cf.log"
	# shellcheck disable=SC2086
	ip netns exec "$RX" "$CALLFENCE" -i rx0 --threads "$t" -R "$work/bench.rules" $geo \
		-B "$BUFFER_KIB" $snap --stats-interval 0 --log "$work/cf.log" \
		-o "file:$work/ev.json" -P "$work/cf.pid" 2>"$work/cf.err" &
	cfpid=$!
	i=0
	until grep -q "capturing on" "$work/cf.log" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
		[ $i -lt 100 ] && kill -0 "$cfpid" 2>/dev/null ||
			{ cat "$work/cf.err" "$work/cf.log" >&2 2>/dev/null; die "callfence did not start"; }
	done
	# warm-up, not counted: first-touch of the flow tables, caches, rings
	ip netns exec "$TX" tcpreplay -q -i tx0 -K --pps="$START_PPS" --loop=0 \
		--duration=1 "$work/replay.pcap" >/dev/null 2>&1
	say "--threads $t: ladder from $START_PPS pps, $STEP_S s a step"
	good_pps=0 good_mbps=0 good_asked=0 bad_asked=0 bad_drop=- limit=
	rate=$START_PPS
	# the ladder: double until drops, or until the sender cannot keep up
	while [ "$rate" -le "$MAX_PPS" ]; do
		step "$rate"
		if [ "$s_drop" -gt 0 ]; then
			bad_asked=$rate bad_drop=$s_drop
			break
		fi
		good_pps=$s_pps good_mbps=$s_mbps good_asked=$rate
		if [ "$s_pps" -lt $((rate * 9 / 10)) ]; then
			limit="sender-bound: at least this"   # tcpreplay gave less than asked
			break
		fi
		rate=$((rate * 2))
	done
	# two bisection steps between the last clean rate and the first bad one
	if [ "$bad_asked" -gt 0 ] && [ "$good_asked" -gt 0 ]; then
		for _ in 1 2; do
			mid=$(((good_asked + bad_asked) / 2))
			step "$mid"
			if [ "$s_drop" -gt 0 ]; then
				bad_asked=$mid bad_drop=$s_drop
			else
				good_pps=$s_pps good_mbps=$s_mbps good_asked=$mid
			fi
		done
	fi
	[ "$bad_asked" = 0 ] && [ -z "$limit" ] && limit="no drops up to MAX_PPS"
	kill -TERM "$cfpid"
	wait "$cfpid"
	cfpid=
	results="$results$t $good_pps $good_mbps $bad_asked $bad_drop ${limit:-}
"
done

echo
echo "live capture on a veth pair, cfgen --bench mix ($FLOWS flows looped), -B $BUFFER_KIB KiB per handle, snaplen $snapdesc, $(nproc) CPUs"
echo "(the replay takes a CPU of its own: tcpreplay and the kernel's veth delivery)"
printf '%-8s %16s %14s %24s  %s\n' threads "no-drop pkt/s" "no-drop Mb/s" "drops at next step" note
printf '%s' "$results" | while read -r t pps mbps bad drop note; do
	if [ "$bad" = 0 ]; then
		next=-
	else
		next="$drop at $bad pps"
	fi
	printf '%-8s %16s %14s %24s  %s\n' "$t" "$pps" "$mbps" "$next" "$note"
done
