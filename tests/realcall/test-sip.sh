#!/bin/sh
# test-sip.sh - real SIP calls between two baresip user agents, each in a
# network namespace of its own, captured on the gateway between them and
# audited by callfence from the capture (issue #15, item 9):
#
#   caller (alice) 10.1.0.5/24 --- lan0 10.1.0.1 [gateway] wan0 203.0.113.1 --- callee (bob) 203.0.113.10/24
#                                            dumpcap on wan0               (CN in the test geography)
#
# Three calls, SIP over UDP 5060, opus audio from a sine source for ~8 s:
#   sdes   SRTP keyed by SDES (mediaenc=srtp-mand, SDP a=crypto)
#   dtls   SRTP keyed by DTLS (mediaenc=dtls_srtp, SDP a=fingerprint,
#          DTLS handshake with use_srtp on the media 5-tuples)
#   plain  RTP, no encryption
# For each: tshark's view of the wire first (the SDP offer and answer, the
# RTP/RTCP 5-tuples they announce, DTLS hellos), then callfence's flow
# events for every flow of the call, field by field (sip-check.py): app,
# protocol, exact roles, evidence, remote country, the rule of sip.rules.
#
# Needs root, network namespaces, baresip, dumpcap and tshark: elsewhere it
# says why and exits 77 (skipped).  Env: CALLFENCE, GEO, SRCDIR, BUILDDIR
# (make check sets them).  SIP_SCENARIOS="sdes dtls plain" picks calls.
# The work directory (configs, logs, captures, events) is kept when a
# check failed, or always with SIP_KEEP=1.
set -u
: "${CALLFENCE:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/realcall
# skip, veth, wait_for
. "$SRCDIR/tests/live/lib.sh"
[ "$(id -u)" = 0 ] || skip "real SIP calls need root (network namespaces, capture)"
net_check
command -v baresip >/dev/null 2>&1 || skip "no baresip (Debian package baresip)"
command -v dumpcap >/dev/null 2>&1 || skip "no dumpcap (Debian package wireshark-common, with tshark)"
command -v tshark >/dev/null 2>&1 || skip "no tshark"
command -v timeout >/dev/null 2>&1 || skip "no timeout(1)"
command -v ss >/dev/null 2>&1 || skip "no ss(8) (iproute2)"
BARESIP_MODULES=${BARESIP_MODULES:-/usr/lib/baresip/modules}
for m in opus ausine aubridge srtp dtls_srtp account menu; do
	[ -f "$BARESIP_MODULES/$m.so" ] || skip "no baresip module $m.so in $BARESIP_MODULES"
done

work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/sip.$$
rm -rf "$work" && mkdir -p "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$work/asan"
SGW=$NS_PREFIX-sipgw
SA=$NS_PREFIX-sipa
SB=$NS_PREFIX-sipb
CALLER=10.1.0.5
CALLEE=203.0.113.10
fails=0
capid=
apid=
bpid=

cleanup() {
	for p in $apid $bpid $capid; do
		kill -KILL "$p" 2>/dev/null
	done
	for ns in "$SGW" "$SA" "$SB"; do
		ip netns del "$ns" 2>/dev/null
	done
	ip link del "tmp$$a" 2>/dev/null
	if [ "$fails" = 0 ] && [ -z "${SIP_KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "# kept: $work"
	fi
}
trap cleanup EXIT
trap 'fails=1; exit 1' INT TERM HUP PIPE

sip_net_up() {
	for ns in "$SGW" "$SA" "$SB"; do
		ip netns add "$ns" || return 1
		# IPv4 only: no router solicitations or MLD reports in the capture
		ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
		ip -n "$ns" link set lo up
	done
	ip netns exec "$SGW" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null || return 1
	veth "$SGW" lan0 "$SA" eth0 || return 1
	veth "$SGW" wan0 "$SB" eth0 || return 1
	ip -n "$SGW" addr add 10.1.0.1/24 dev lan0 &&
	ip -n "$SGW" addr add 203.0.113.1/24 dev wan0 &&
	ip -n "$SA" addr add $CALLER/24 dev eth0 &&
	ip -n "$SA" route add default via 10.1.0.1 &&
	ip -n "$SB" addr add $CALLEE/24 dev eth0 &&
	ip -n "$SB" route add default via 203.0.113.1
}

# ua DIR ADDR USER MEDIAENC: a baresip configuration directory.  No sound
# card: a 440 Hz sine (ausine, 48 kHz stereo only, hence opus) is the
# microphone, an aubridge device nobody reads the loudspeaker.  No ICE,
# STUN or TURN modules: media goes straight to the SDP's c=/m= address.
ua() {
	mkdir -p "$1"
	cat > "$1/config" <<EOF
poll_method		epoll
sip_listen		$2:5060
call_local_timeout	20
call_max_calls		1
audio_player		aubridge,nowhere
audio_alert		aubridge,nowhere
audio_source		ausine,440
rtcp_mux		no
module_path		$BARESIP_MODULES
module			opus.so
module			ausine.so
module			aubridge.so
module			srtp.so
module			dtls_srtp.so
module_tmp		account.so
module_app		menu.so
EOF
	enc=
	[ -n "$4" ] && enc=";mediaenc=$4"
	echo "<sip:$3@$2>;regint=0;answermode=auto;audio_codecs=opus/48000/2$enc" > "$1/accounts"
}

# call NAME MEDIAENC: one call from alice to bob, captured on the gateway.
call() {
	d=$work/$1
	mkdir -p "$d"
	ua "$d/alice" $CALLER alice "$2"
	ua "$d/bob" $CALLEE bob "$2"
	ip netns exec "$SGW" timeout 60 dumpcap -q -i wan0 -f ip -c 20000 -a duration:40 \
		-w "$d/call.pcap" > "$d/dumpcap.log" 2>&1 &
	capid=$!
	wait_for 10 grep -q "Capturing on" "$d/dumpcap.log" ||
		{ echo "FAIL $1: dumpcap did not start"; sed 's/^/  | /' "$d/dumpcap.log"; return 1; }
	# bob answers by itself and outlives alice's BYE; alice dials at once
	# and quits (hanging up) after 9 s, the call having lasted ~8 s.
	ip netns exec "$SB" timeout 30 baresip -f "$d/bob" -t 12 < /dev/null > "$d/bob.log" 2>&1 &
	bpid=$!
	wait_for 10 sh -c "ip netns exec $SB ss -Hlun | grep -qF '$CALLEE:5060'" ||
		{ echo "FAIL $1: bob's baresip does not listen on $CALLEE:5060"; tail -n 20 "$d/bob.log" | sed 's/^/  | /'; return 1; }
	ip netns exec "$SA" timeout 30 baresip -f "$d/alice" -t 9 -e "/dial sip:bob@$CALLEE" \
		< /dev/null > "$d/alice.log" 2>&1 &
	apid=$!
	wait "$apid"; apid=
	wait "$bpid"; bpid=
	sleep 0.5
	kill -INT "$capid" 2>/dev/null
	wait "$capid"; capid=
	ok=0
	for who in alice bob; do
		if ! grep -q "Call established" "$d/$who.log"; then
			echo "FAIL $1: $who's baresip never had the call established"
			tr '\r' '\n' < "$d/$who.log" | grep -v 'audio=' | tail -n 15 | sed 's/^/  | /'
			ok=1
		fi
	done
	return $ok
}

# judge NAME: tshark's view and callfence's events of NAME's capture.
judge() {
	d=$work/$1
	if ! { timeout 60 tshark -n -r "$d/call.pcap" -Y sdp -T fields -E separator='|' -E occurrence=a \
		-e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e sip.CSeq.method \
		-e sip.Status-Code -e sdp.connection_info.address -e sdp.media.port \
		-e sdp.media.proto -e sdp.session_attr.field -e sdp.media_attribute.field \
		> "$d/sdp.txt" 2> "$d/tshark.err" &&
	timeout 60 tshark -n -r "$d/call.pcap" -Y 'udp && !icmp' -T fields -E separator='|' \
		-e ip.src -e udp.srcport -e ip.dst -e udp.dstport \
		> "$d/udp.txt" 2>> "$d/tshark.err" &&
	timeout 60 tshark -n -r "$d/call.pcap" -Y 'dtls.handshake.type == 1' -T fields -E separator='|' \
		-e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e dtls.use_srtp.protection_profile \
		> "$d/hellos.txt" 2>> "$d/tshark.err"; }; then
		echo "FAIL $1: tshark cannot read the capture"
		sed 's/^/  | /' "$d/tshark.err"
		return 1
	fi
	CALLFENCE_DATADIR=$SRCDIR timeout 60 "$CALLFENCE" -q --all-flows \
		-R "$here/sip.rules" -G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" \
		-o "file:$d/events.json" -r "$d/call.pcap" 2> "$d/callfence.err"
	rc=$?
	[ "$rc" = 0 ] ||
		{ echo "FAIL $1: callfence exit $rc"; tail -n 20 "$d/callfence.err" | sed 's/^/  | /'; return 1; }
	python3 "$here/sip-check.py" "$1" "$d/events.json" "$d/sdp.txt" "$d/udp.txt" "$d/hellos.txt"
}

echo "# network: namespaces $SGW, $SA, $SB"
sip_net_up || { fails=1; echo "FAIL network set-up"; exit 1; }

for s in ${SIP_SCENARIOS:-sdes dtls plain}; do
	case $s in
	sdes) enc=srtp-mand ;;
	dtls) enc=dtls_srtp ;;
	plain) enc= ;;
	*) echo "FAIL unknown scenario $s"; fails=$((fails + 1)); continue ;;
	esac
	echo "# call $s: mediaenc=${enc:-none}"
	if call "$s" "$enc" && judge "$s"; then
		echo "ok   call $s"
	else
		echo "FAIL call $s"
		fails=$((fails + 1))
	fi
done
if ls "$work"/asan.* >/dev/null 2>&1; then
	echo "FAIL sanitizer reports from callfence:"
	head -n 40 "$work"/asan.* | sed 's/^/  | /'
	fails=$((fails + 1))
fi
[ "$fails" = 0 ] && echo "# all calls as expected"
[ "$fails" = 0 ]
