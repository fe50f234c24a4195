#!/bin/sh
# test-webrtc.sh - real WebRTC calls between two headless Chromium
# browsers, each in a network namespace of its own, captured on the
# gateway between them and audited by callfence (-r on the capture).
#
#   caller  10.1.0.5 --- lan0 10.1.0.1 +
#   callee  10.2.0.5 --- lan1 10.2.0.1 +- gateway: signalling server
#                                      |  (webrtc-signal.py), the capture
#   TURN    198.51.100.10 (coturn) --- wan0 10.255.0.1
#
# Four calls (audio and video from Chromium's fake devices, ~10 s of
# media each): (1) peer to peer, host candidates only; relayed through
# coturn with iceTransportPolicy 'relay' over (2) UDP 3478, (3) TCP 3478,
# (4) TLS 5349 (a certificate made here; Chromium told to ignore
# certificate errors).  Each page reports the selected candidate pair
# (webrtc-call.html), so the test knows the call really was direct or
# relayed over that transport and that media flowed both ways.  Then
# callfence reads each capture: every flow tshark sees must have one
# flow event with exactly the roles its packets show - as tshark decodes
# them, plus what the browsers say went over the call's flow
# (webrtc-check.py; tests/realcall/README).
#
# Needs root, network namespaces, chromium, turnserver (coturn), openssl,
# dumpcap and tshark; elsewhere it says why and exits 77 (skipped).
# Env: CALLFENCE, GEO, SRCDIR, BUILDDIR.  WEBRTC_ONLY="direct udp": only
# those scenarios (direct, udp, tcp, tls).  When a check fails the work
# directory (captures, events, tshark's view, the browsers' logs) is kept
# and named.
set -u
: "${CALLFENCE:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/realcall
# skip, net_check, veth, net_down, wait_for, ok, fail, check; the names
# GW, C1, C2, REM (cf-test-<pid>-*)
# shellcheck source=../live/lib.sh
. "$SRCDIR/tests/live/lib.sh"

net_check
for tool in chromium turnserver openssl dumpcap tshark timeout unshare; do
	command -v "$tool" >/dev/null 2>&1 || skip "no $tool (Debian: see tests/setup.sh)"
done

work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/webrtc.$$
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$work/asan"
fails=0
n=0
sig=       # the signalling server's pid
turn=      # coturn's
cap=       # dumpcap's
browsers=  # the browsers' timeout(1) pids

TURN_IP=198.51.100.10
PORT=8080            # signalling (HTTP), on the gateway
SECS=10              # seconds of media per call
CALL_LIMIT=45        # seconds a call may take, set-up included

# Each browser runs under timeout(1), which passes a signal on to its
# whole process group (the browser's helpers).
stop_browsers() {
	for p in $browsers; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $browsers; do
		wait "$p" 2>/dev/null
	done
	browsers=
}
cleanup() {
	stop_browsers
	for p in $cap $turn $sig; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $cap $turn $sig; do
		kill -KILL "$p" 2>/dev/null
	done
	net_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# ---- network ---------------------------------------------------------------
# IPv4 only (IPv6 off, link-local included), so that every candidate is
# an address this test gave.
webrtc_net_up() {
	for ns in "$GW" "$C1" "$C2" "$REM"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
		ip -n "$ns" link set lo up
	done
	ip netns exec "$GW" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
	veth "$GW" lan0 "$C1" eth0 && veth "$GW" lan1 "$C2" eth0 &&
		veth "$GW" wan0 "$REM" eth0 || return 1
	ip -n "$GW" addr add 10.1.0.1/24 dev lan0 &&
	ip -n "$GW" addr add 10.2.0.1/24 dev lan1 &&
	ip -n "$GW" addr add 10.255.0.1/30 dev wan0 &&
	ip -n "$C1" addr add 10.1.0.5/24 dev eth0 &&
	ip -n "$C1" route add default via 10.1.0.1 &&
	ip -n "$C2" addr add 10.2.0.5/24 dev eth0 &&
	ip -n "$C2" route add default via 10.2.0.1 &&
	ip -n "$REM" addr add 10.255.0.2/30 dev eth0 &&
	ip -n "$REM" addr add "$TURN_IP/32" dev lo &&
	ip -n "$REM" route add default via 10.255.0.1 &&
	ip -n "$GW" route add "$TURN_IP/32" via 10.255.0.2
}

echo "# network: namespaces $NS_PREFIX-{gw,c1,c2,rem}"
webrtc_net_up || { echo "FAIL network set-up"; exit 1; }

# ---- signalling server and TURN server --------------------------------------
ip netns exec "$GW" timeout 600 python3 "$here/webrtc-signal.py" --bind 0.0.0.0 \
	--port "$PORT" --dir "$work" --page "$here/webrtc-call.html" --lifetime 590 \
	2>"$work/signal.log" &
sig=$!
wait_for 10 test -f "$work/signal.ready" || { echo "FAIL signalling server"; cat "$work/signal.log"; exit 1; }

# A certificate for TURN over TLS, made now: a throw-away key, one day.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$work/turn.key" -out "$work/turn.crt" -days 1 -subj "/CN=turn.test" \
	-addext "subjectAltName=IP:$TURN_IP" >"$work/openssl.log" 2>&1 ||
	{ echo "FAIL openssl req"; cat "$work/openssl.log"; exit 1; }
cat > "$work/turnserver.conf" <<EOF
# the WebRTC test's coturn: one static user, this address only
listening-ip=$TURN_IP
relay-ip=$TURN_IP
listening-port=3478
tls-listening-port=5349
min-port=49152
max-port=49200
realm=callfence.test
lt-cred-mech
fingerprint
user=cftest:cfsecret
cert=$work/turn.crt
pkey=$work/turn.key
no-dtls
no-tlsv1
no-tlsv1_1
no-cli
no-multicast-peers
no-software-attribute
userdb=$work/turndb
pidfile=$work/turnserver.pid
log-file=$work/turnserver.log
simple-log
total-quota=20
max-bps=0
EOF
ip netns exec "$REM" timeout 600 turnserver -c "$work/turnserver.conf" >"$work/turnserver.out" 2>&1 &
turn=$!
turn_up() { ip netns exec "$REM" ss -ltn | grep -q "$TURN_IP:5349"; }
wait_for 10 turn_up || { echo "FAIL turnserver did not start"; tail "$work/turnserver.out" "$work"/turnserver*.log; exit 1; }

# ---- one call ------------------------------------------------------------------
# The browsers look names up (their own services) whatever the flags say:
# in a mount namespace of their own their resolver is this host's
# loopback, so no query leaves the client namespace.
echo "nameserver 127.0.0.1" > "$work/resolv.conf"

# browser NS ROLE ROOM QUERY: a headless Chromium in NS opening the page.
browser() {
	b_ns=$1 b_role=$2 b_room=$3 b_query=$4
	case $b_role in caller) b_host=10.1.0.1 ;; *) b_host=10.2.0.1 ;; esac
	b_origin=http://$b_host:$PORT
	# shellcheck disable=SC2016 # expanded by the inner sh
	HOME=$work/home ip netns exec "$b_ns" timeout -k 5 $((CALL_LIMIT + 15)) \
		unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$work/resolv.conf" chromium \
		--headless=new --no-sandbox --user-data-dir="$work/profile-$b_room-$b_role" \
		--use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--disable-features=WebRtcHideLocalIpsWithMdns \
		--unsafely-treat-insecure-origin-as-secure="$b_origin" \
		--ignore-certificate-errors \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-default-apps --disable-gpu --mute-audio \
		"$b_origin/call.html?role=$b_role&room=$b_room&secs=$SECS&$b_query" \
		>"$work/chromium-$b_room-$b_role.log" 2>&1 &
	browsers="$browsers $!"
}

# urlencode TEXT
urlencode() {
	python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# call ROOM IFACE QUERY: the call, captured on the gateway's IFACE into
# ROOM.pcap (the signalling server's HTTP left out).  Fails when the
# browsers do not both report the end of a call.
call() {
	c_room=$1 c_if=$2 c_query=$3
	rm -f "$work/$c_room".*
	ip netns exec "$GW" timeout -k 5 $((CALL_LIMIT + 10)) dumpcap -q -P -i "$c_if" \
		-c 100000 -f "not tcp port $PORT" -w "$work/$c_room.pcap" \
		>"$work/$c_room.dumpcap.log" 2>&1 &
	cap=$!
	wait_for 10 grep -q "Capturing on" "$work/$c_room.dumpcap.log" ||
		{ fail "$c_room: dumpcap did not start" "$work/$c_room.dumpcap.log"; return 1; }
	browser "$C2" callee "$c_room" "$c_query"
	browser "$C1" caller "$c_room" "$c_query"
	c_ok=0
	wait_for "$CALL_LIMIT" sh -c "test -f '$work/$c_room-caller-done.json' &&
		test -f '$work/$c_room-callee-done.json' ||
		ls '$work/$c_room'-*-error.json" || c_ok=1
	sleep 1
	stop_browsers
	kill -TERM "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	cap=
	for e in "$work/$c_room"-*-error.json; do
		[ -f "$e" ] || continue
		fail "$c_room: the page reports an error" "$e"
		return 1
	done
	[ "$c_ok" = 0 ] || { fail "$c_room: no end of call reported in ${CALL_LIMIT} s" \
		"$work/chromium-$c_room-caller.log"; return 1; }
	ok "$c_room: call made (both pages report its end)"
}

# audit ROOM: callfence on the capture.
audit() {
	"$CALLFENCE" -q --all-flows -G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" \
		-o "file:$work/$1.json" -r "$work/$1.pcap" 2>"$work/$1.callfence.err"
	rc=$?
	check "$1: callfence -r exits 0" --show "$work/$1.callfence.err" test "$rc" = 0
}

# expect ROOM KIND: the pages' reports and callfence's flows against
# what a call of KIND (direct, udp, tcp, tls) must show; prints ok/FAIL
# lines (webrtc-check.py).
expect() {
	python3 "$here/webrtc-check.py" --dir "$work" --room "$1" --kind "$2" \
		--turn "$TURN_IP" --geo-csv "$SRCDIR/tests/geo/country.csv" >"$work/$1.check" 2>&1
	ck=$?
	cat "$work/$1.check"
	n=$((n + $(grep -c '^ok \|^FAIL ' "$work/$1.check")))
	nf=$(grep -c '^FAIL ' "$work/$1.check")
	fails=$((fails + nf))
	if [ "$ck" != 0 ] && [ "$nf" = 0 ]; then
		fail "$1: webrtc-check.py exit $ck"
	fi
	if [ "$ck" != 0 ]; then   # tshark's conversations, kept for whoever looks
		tshark -r "$work/$1.pcap" -q -z conv,udp -z conv,tcp >"$work/$1.tshark" 2>&1
	fi
}

ice_turn() {
	urlencode "[{\"urls\":[\"$1\"],\"username\":\"cftest\",\"credential\":\"cfsecret\"}]"
}

scenario() {
	room=$1 kind=$2 iface=$3 query=$4
	case " ${WEBRTC_ONLY:-$room} " in *" $room "*) ;; *) return ;; esac
	echo "# $room: $kind"
	call "$room" "$iface" "$query" || return
	audit "$room"
	expect "$room" "$kind"
}

scenario direct direct lan0 "policy=all&ice=%5B%5D"
scenario udp udp wan0 "policy=relay&ice=$(ice_turn "turn:$TURN_IP:3478?transport=udp")"
scenario tcp tcp wan0 "policy=relay&ice=$(ice_turn "turn:$TURN_IP:3478?transport=tcp")"
scenario tls tls wan0 "policy=relay&ice=$(ice_turn "turns:$TURN_IP:5349?transport=tcp")"

# ---- sanitizers ----------------------------------------------------------------
if ls "$work"/asan.* >/dev/null 2>&1; then
	fail "sanitizer reports"; cat "$work"/asan.*
else
	ok "no sanitizer report"
fi

echo "# $n checks, $fails failed"
if [ "$fails" = 0 ]; then
	rm -rf "$work"
	exit 0
fi
echo "# kept: $work"
exit 1
