# lib.sh - the live test's network: namespaces joined by veth pairs.
# Sourced by test-live.sh; POSIX sh.
#
#   client 1 (C1)  10.1.0.5/24  fd00:1::5/64 --- lan0  10.1.0.1 fd00:1::1 --+
#   client 2 (C2)  10.2.0.5/24               --- lan1  10.2.0.1           |  gateway (GW):
#                                                                         |  callfence runs here
#   remote   (REM) 10.255.0.2/30 fd00:ff::2  --- wan0  10.255.0.1 fd00:ff::1
#                  + 203.0.113.10 (CN), 192.0.2.10 (DE), 198.51.100.10 (US),
#                    2001:db8:3::10 (CN) on its loopback
#
# Namespace names are cf-test-<pid>-<role>; cleanup removes them.

# skip MESSAGE: this machine cannot run the test.
skip() {
	echo "SKIP: $*"
	exit 77
}

# Can we make namespaces here?  Exits 77 with the reason when not.
net_check() {
	[ "$(id -u)" = 0 ] || skip "live capture tests need root (network namespaces, raw sockets)"
	command -v ip >/dev/null 2>&1 || skip "no ip(8) (iproute2)"
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	probe=cf-test-$$-probe
	ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces (ip netns add failed)"
	ip netns del "$probe"
	ip link add cf$$p0 type veth peer name cf$$p1 2>/dev/null ||
		skip "cannot create veth pairs"
	ip link del cf$$p0
}

NS_PREFIX=cf-test-$$
GW=$NS_PREFIX-gw
C1=$NS_PREFIX-c1
C2=$NS_PREFIX-c2
REM=$NS_PREFIX-rem

# veth NS_A IF_A NS_B IF_B: a pair between two namespaces, both ends up.
veth() {
	ip link add "tmp$$a" type veth peer name "tmp$$b" &&
	ip link set "tmp$$a" netns "$1" && ip -n "$1" link set "tmp$$a" name "$2" &&
	ip link set "tmp$$b" netns "$3" && ip -n "$3" link set "tmp$$b" name "$4" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# The lan1 link between C2 and the gateway (also used to bring it back).
lan1_up() {
	veth "$GW" lan1 "$C2" eth0 &&
	ip -n "$GW" addr add 10.2.0.1/24 dev lan1 &&
	ip -n "$C2" addr add 10.2.0.5/24 dev eth0 &&
	ip -n "$C2" route add default via 10.2.0.1
}

net_up() {
	for ns in "$GW" "$C1" "$C2" "$REM"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	ip netns exec "$GW" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
	veth "$GW" lan0 "$C1" eth0 || return 1
	veth "$GW" wan0 "$REM" eth0 || return 1
	lan1_up || return 1
	ip -n "$GW" addr add 10.1.0.1/24 dev lan0
	ip -n "$GW" addr add fd00:1::1/64 dev lan0 nodad
	ip -n "$GW" addr add 10.255.0.1/30 dev wan0
	ip -n "$GW" addr add fd00:ff::1/64 dev wan0 nodad
	ip -n "$C1" addr add 10.1.0.5/24 dev eth0
	ip -n "$C1" addr add fd00:1::5/64 dev eth0 nodad
	ip -n "$C1" route add default via 10.1.0.1
	ip -n "$C1" -6 route add default via fd00:1::1
	ip -n "$REM" addr add 10.255.0.2/30 dev eth0
	ip -n "$REM" addr add fd00:ff::2/64 dev eth0 nodad
	for a in 203.0.113.10/32 192.0.2.10/32 198.51.100.10/32; do
		ip -n "$REM" addr add "$a" dev lo
	done
	ip -n "$REM" addr add 2001:db8:3::10/128 dev lo
	ip -n "$REM" route add default via 10.255.0.1
	ip -n "$REM" -6 route add default via fd00:ff::1
	for net in 203.0.113.0/24 192.0.2.0/24 198.51.100.0/24; do
		ip -n "$GW" route add "$net" via 10.255.0.2
	done
	ip -n "$GW" -6 route add 2001:db8::/32 via fd00:ff::2
	# the link-local addresses are tentative for 1-2 s (duplicate address
	# detection, RFC 4862 5.4): till then the gateway asks for its IPv6
	# neighbours from :: and gets no answer, and forwarded packets wait in
	# its neighbour queue - the first IPv6 flow's packets then crossed
	# wan0 seconds after lan0, a second flow once the first had timed out
	for ns in "$GW" "$C1" "$C2" "$REM"; do
		wait_for 5 no_tentative "$ns" ||
			{ echo "net_up: $ns: IPv6 addresses still tentative after 5 s" >&2; return 1; }
	done
}

# no_tentative NS: no IPv6 address of NS waits for its duplicate detection.
no_tentative() {
	[ -z "$(ip -n "$1" -6 addr show tentative 2>/dev/null)" ]
}

net_down() {
	for ns in "$GW" "$C1" "$C2" "$REM"; do
		ip netns del "$ns" 2>/dev/null
	done
	ip link del "tmp$$a" 2>/dev/null    # a pair left half-moved
	return 0
}

# The --ns arguments of live-send.py: which host owns which address.
ns_args() {
	echo "--ns $C1=10.1.0.5,fd00:1::5 --ns $C2=10.2.0.5" \
	     "--ns $REM=203.0.113.10,192.0.2.10,198.51.100.10,2001:db8:3::10"
}

# wait_for SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds.
wait_for() {
	wf_left=$(($1 * 5))
	shift
	while [ "$wf_left" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		wf_left=$((wf_left - 1))
	done
	return 1
}

# ---- results (the caller sets n=0 fails=0) ------------------------------------
ok() { n=$((n + 1)); echo "ok   $1"; }
fail() {
	n=$((n + 1)); fails=$((fails + 1)); echo "FAIL $1"
	if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 20 "$2" | sed 's/^/  | /'; fi
}
# check NAME [--show FILE] COMMAND...: passes when COMMAND succeeds.
check() {
	name=$1; show=
	shift
	if [ "$1" = --show ]; then show=$2; shift 2; fi
	if "$@"; then ok "$name"; else fail "$name" "$show"; fi
}
