#!/bin/sh
# test-cfgen.sh - check the capture generator against an independent
# decoder: every kind in check.scn must come back from tshark as the
# protocol it claims to be, with the field values the scenario gave, no
# malformed packet and no bad checksum; the room-system kinds of
# rooms.scn must give tshark the fields the scenario gave; every link
# type and pcapng must be readable; two runs must give byte-identical
# files.
#
# Environment: CFGEN   the cfgen binary (default: ./cfgen, then
#                      tests/gen/cfgen under the current directory)
#              SRCDIR  the source tree (default: two levels above this script)
#              TSHARK  tshark to use (default: tshark)
# Exit: 0 pass, 1 fail, 77 skipped (no tshark).

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
TSHARK=${TSHARK:-tshark}
if [ -z "$CFGEN" ]; then
	for c in ./cfgen ./tests/gen/cfgen; do
		[ -x "$c" ] && CFGEN=$c && break
	done
fi
if ! command -v "$TSHARK" >/dev/null 2>&1; then
	echo "SKIP: tshark not found"
	exit 77
fi
if [ ! -x "$CFGEN" ]; then
	echo "FAIL: cfgen not found (set CFGEN)"
	exit 1
fi

scn=$SRCDIR/tests/gen/check.scn
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cfgen-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
checks=0

# check NAME GOT WANT: compare two strings, print a diff line on mismatch.
check() {
	checks=$((checks + 1))
	if [ "$2" != "$3" ]; then
		fails=$((fails + 1))
		printf 'FAIL %s\n  got:  %s\n  want: %s\n' "$1" "$(echo "$2" | tr '\n' ' ')" \
			"$(echo "$3" | tr '\n' ' ')"
	fi
}

# ts FILE [tshark options...]: tshark quietly (its own stderr, e.g. the
# "running as root" notice, is not our business unless asked for)
ts() {
	f=$1
	shift
	"$TSHARK" -n -r "$f" "$@" 2>/dev/null
}

# fields FILE FILTER FIELD...: one line per matching packet
fields() {
	f=$1
	flt=$2
	shift 2
	args=""
	for x in "$@"; do args="$args -e $x"; done
	# shellcheck disable=SC2086
	ts "$f" -Y "$flt" -T fields -E separator=' ' $args
}

gen() {
	"$CFGEN" "$@" 2>"$tmp/gen.err"
	rc=$?
	check "cfgen $* exit status" "$rc" 0
	check "cfgen $* stderr" "$(cat "$tmp/gen.err")" ""
}

cap=$tmp/c.pcap
gen "$scn" "$cap"

# ---- no decoder complaint, correct checksums ----
CK="-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE"
# shellcheck disable=SC2086
bad=$(ts "$cap" $CK -Y '_ws.malformed || _ws.expert.severity >= "warning" || ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0')
check "malformed packets or bad checksums" "$bad" ""
check "packet count" "$(ts "$cap" | wc -l | tr -d ' ')" 104
check "first packet time (start + 1.5 s)" \
	"$(ts "$cap" -c 1 -T fields -e frame.time_epoch)" "1709287201.500000000"

# ---- TLS ----
check "TLS SNI" "$(fields "$cap" 'tls.handshake.type == 1' tls.handshake.extensions_server_name)" \
"zoomsjc1mmr.zoom.us
web.example.com"
check "TLS ALPN" "$(fields "$cap" 'tls.handshake.type == 1' tls.handshake.extensions_alpn_str)" \
"h2,http/1.1
http/1.1"
check "TLS ClientHello record version" \
	"$(fields "$cap" 'tls.handshake.type == 1' tls.record.version | sort -u)" "0x0301"
check "TLS 1.3 supported_versions (1.2 server: none)" \
	"$(fields "$cap" 'tls.handshake.type == 2' tcp.srcport tls.handshake.extensions.supported_version)" \
"443 0x0304
443 "
check "TLS ServerHello cipher" "$(fields "$cap" 'tls.handshake.type == 2' tls.handshake.ciphersuite)" \
"0x1301
0xc02b"
check "TLS application data records (packets=6: 4)" \
	"$(fields "$cap" 'tcp.port == 50001 && tls.record.opaque_type == 23 && !tls.handshake.type' frame.number | wc -l | tr -d ' ')" 4
check "TCP flags of the TLS flow" \
	"$(fields "$cap" 'tcp.port == 50001' tcp.flags | tr '\n' ' ')" \
	"0x0002 0x0012 0x0010 0x0018 0x0018 0x0010 0x0018 0x0018 0x0018 0x0018 0x0011 0x0011 0x0010 "
check "TCP sequence numbers (relative) of the TLS flow" \
	"$(fields "$cap" 'tcp.port == 50001 && tcp.srcport == 50001' tcp.seq tcp.ack | tr '\n' ' ')" \
	"0 0 1 1 1 1 244 229 244 229 369 354 494 479 495 480 "

# ---- DTLS ----
check "DTLS handshake types (IPv4 flow)" \
	"$(fields "$cap" 'dtls && udp.port == 50002' dtls.handshake.type | tr '\n' ' ')" \
	"1 3 1 2,14 16    "
check "DTLS record versions" "$(fields "$cap" dtls dtls.record.version | tr ',' '\n' | sort -u)" "0xfefd"
check "DTLS message_seq (IPv4 flow)" \
	"$(fields "$cap" 'dtls.handshake.type && udp.port == 50002' dtls.handshake.message_seq | tr '\n' ' ')" \
	"0 0 1 1,2 2 "
check "DTLS record sequence numbers (client)" \
	"$(fields "$cap" 'dtls && udp.srcport == 50002' dtls.record.sequence_number | tr '\n' ' ')" \
	"0 1 2,3,0 1 "
cookies=$(fields "$cap" 'dtls.handshake.cookie_length > 0 && udp.port == 50002' dtls.handshake.cookie)
check "DTLS cookie echoed" "$(echo "$cookies" | sort -u | wc -l | tr -d ' ')/$(echo "$cookies" | wc -l | tr -d ' ')" "1/2"
check "DTLS use_srtp offered" \
	"$(fields "$cap" 'dtls.handshake.type == 1 && udp.port == 50002' dtls.use_srtp.protection_profile | sort -u)" \
	"0x0007,0x0001"
check "DTLS over IPv6" "$(fields "$cap" 'dtls && ipv6' ipv6.dst | wc -l | tr -d ' ')" 4
check "SRTP after DTLS (media=3, both ways)" \
	"$(ts "$cap" -d udp.port==3478,rtp -Y 'rtp.version == 2 && !dtls && udp.port == 50002' -T fields -e rtp.p_type | tr '\n' ' ')" \
	"111 111 111 111 111 111 "

# ---- RTP / RTCP ----
rtp=$(ts "$cap" -d udp.port==5004,rtp -Y 'rtp && udp.srcport == 50004' -T fields -E separator=' ' -e rtp.version -e rtp.p_type -e rtp.ssrc -e rtp.seq)
check "RTP version/PT/SSRC" "$(echo "$rtp" | cut -d' ' -f1-3 | sort -u)" "2 111 0x00001234"
s0=$(echo "$rtp" | head -1 | cut -d' ' -f4)
s4=$(echo "$rtp" | tail -1 | cut -d' ' -f4)
check "RTP seq increases by one" "$(( (s4 - s0 + 65536) % 65536 ))/$(echo "$rtp" | wc -l | tr -d ' ')" "4/5"
check "RTP return stream SSRC" \
	"$(ts "$cap" -d udp.port==5004,rtp -Y 'rtp && udp.srcport == 5004' -T fields -e rtp.ssrc | sort -u)" "0x5a5a486e"
check "RTCP sender reports" \
	"$(ts "$cap" -d udp.port==5005,rtcp -Y 'rtcp.pt == 200' -T fields -e rtcp.senderssrc | sort -u | tr '\n' ' ')" \
	"0x0c0f0008 0x56555a52 "

# ---- Zoom ----
z=$(fields "$cap" 'udp.port == 8801 || udp.port == 50008' udp.srcport data.data | cut -c1-80)
check "Zoom outer header (0x05, direction)" \
	"$(echo "$z" | awk '$1 == 50006 {print substr($2,1,2) substr($2,15,2); exit}')/$(echo "$z" | awk '$1 == 8801 {print substr($2,1,2) substr($2,15,2); exit}')" \
	"0500/0504"
check "Zoom inner kind byte (video, audio, screen)" \
	"$(echo "$z" | awk '$1 == 50006 {print substr($2,17,2); exit}') $(echo "$z" | awk '$1 == 50007 {print substr($2,17,2); exit}') $(echo "$z" | awk '$1 == 50008 {print substr($2,1,2); exit}')" \
	"10 0f 0d"
check "Zoom RTP at inner offset 24 (video) and 19 (audio)" \
	"$(echo "$z" | awk '$1 == 50006 {print substr($2,(8+24)*2+1,2); exit}') $(echo "$z" | awk '$1 == 50007 {print substr($2,(8+19)*2+1,2); exit}')" \
	"80 80"
check "Zoom sizes" "$(fields "$cap" 'udp.port == 8801' udp.length | sort -u | tr '\n' ' ')" "1008 208 "

# ---- STUN / TURN ----
check "STUN message types" "$(fields "$cap" 'stun && udp.port == 50020' stun.type | tr '\n' ' ')" \
	"0x0001 0x0101 0x0001 0x0101 "
check "STUN cookie" "$(fields "$cap" stun.cookie stun.cookie | sort -u)" "2112a442"
check "STUN XOR-MAPPED-ADDRESS (IPv4)" \
	"$(fields "$cap" 'stun.type == 0x0101 && udp.port == 50020' stun.att.ipv4 stun.att.port | sort -u)" "10.1.0.5 50020"
check "STUN XOR-MAPPED-ADDRESS (IPv6)" \
	"$(fields "$cap" 'stun.type == 0x0101 && ipv6' stun.att.ipv6 stun.att.port)" "2001:db8:ffff::1 61000"
check "TURN peer (Send/Data indications)" \
	"$(fields "$cap" 'stun.type == 0x0016 || stun.type == 0x0017' stun.att.ipv4 stun.att.port | sort -u)" "203.0.113.50 40000"
check "TURN ChannelBind and ChannelData" \
	"$(fields "$cap" 'stun.type == 0x0009' stun.att.ipv4 stun.att.port) $(fields "$cap" stun.channel stun.channel | sort -u)" \
	"203.0.113.50 40001 0x4000"

# ---- DNS, DHCP, NBNS, mDNS ----
check "DNS A answer" "$(fields "$cap" 'dns.flags.response == 1 && dns.qry.name == "zoom.us"' dns.a)" "198.51.100.20"
check "DNS CNAME and AAAA answers" \
	"$(fields "$cap" 'dns.flags.response == 1 && dns.qry.name == "v6.zoom.us"' dns.cname dns.aaaa)" \
	"zoomx.zoom.us 2001:db8:2::10,2001:db8:2::11"
check "DNS query/response ids match" \
	"$(fields "$cap" 'dns && udp.port == 40000' dns.id | sort -u | wc -l | tr -d ' ')" 1
check "mDNS query only" "$(fields "$cap" mdns dns.qry.name dns.flags.response)" "printer.local 0"
check "DHCP message types" "$(fields "$cap" dhcp dhcp.option.dhcp | tr '\n' ' ')" "1 3 "
check "NBNS name query" "$(fields "$cap" nbns nbns.name | sort -u)" "CFGEN<00>"
check "HTTP over TCP" "$(fields "$cap" http.request http.request.method) $(fields "$cap" http.response http.response.code)" "GET 204"

# ---- VLAN ----
check "802.1Q VLAN 100 on the TLS flow" \
	"$(fields "$cap" 'vlan.id == 100' tcp.port | wc -l | tr -d ' ')/$(fields "$cap" 'tcp.port == 50001' frame.number | wc -l | tr -d ' ')" "13/13"
check "QinQ outer 200, inner 300" "$(fields "$cap" ieee8021ad ieee8021ad.id vlan.id)" "200 300"

# ---- determinism ----
gen "$scn" "$tmp/c2.pcap"
check "same input gives the same bytes (pcap)" "$(cmp "$cap" "$tmp/c2.pcap" 2>&1)" ""
gen "$scn" "$tmp/n1.pcapng"
gen -F pcapng "$scn" "$tmp/n2.out"
check "same input gives the same bytes (pcapng)" "$(cmp "$tmp/n1.pcapng" "$tmp/n2.out" 2>&1)" ""
# The pcapng bytes are all cfgen's own (little-endian, no libpcap header),
# so they are the same on every machine.  When cfgen changes on purpose,
# every e2e capture changes with it: update this hash in the same commit.
if command -v sha256sum >/dev/null 2>&1; then
	check "check.scn pcapng is the pinned capture (update on a deliberate cfgen change)" \
		"$(sha256sum <"$tmp/n1.pcapng" | cut -c1-64)" \
		84bb43dc0dadf4861702a53999160ea1525f4dfc2b87c6b5a0b8033dc48d5862
fi
gen -s 7 "$scn" "$tmp/s7.pcap"
check "another seed gives other bytes" "$(cmp -s "$cap" "$tmp/s7.pcap"; echo $?)" 1

# ---- every link type, pcap and pcapng ----
grep -v 'vlan=' "$scn" >"$tmp/novlan.scn"
gen "$tmp/novlan.scn" "$tmp/base.pcap"
want=$(ts "$tmp/base.pcap" -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e udp.length -e tcp.len -e _ws.col.Protocol)
for l in ether:1 sll:25 sll2:210 raw:7 null:15; do
	name=${l%:*}
	for f in pcap pcapng; do
		out=$tmp/l-$name.$f
		gen -l "$name" -F "$f" "$tmp/novlan.scn" "$out"
		check "$name $f encapsulation" "$(ts "$out" -T fields -e frame.encap_type | sort -u)" "${l#*:}"
		check "$name $f decodes like ether pcap" \
			"$(ts "$out" -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e udp.length -e tcp.len -e _ws.col.Protocol)" "$want"
		check "$name $f magic" "$(od -An -tx1 -N4 "$out" | tr -d ' ')" \
			"$([ "$f" = pcap ] && echo d4c3b2a1 || echo 0a0d0d0a)"
	done
done
gen -l sll "$scn" "$tmp/sll-vlan.pcap"
check "sll keeps VLAN tags" "$(fields "$tmp/sll-vlan.pcap" vlan vlan.id | sort -u | tr '\n' ' ')" "100 300 "
gen -l sll2 "$scn" "$tmp/sll2-vlan.pcap"
check "sll2 keeps VLAN tags" "$(fields "$tmp/sll2-vlan.pcap" vlan vlan.id | sort -u | tr '\n' ' ')" "100 300 "

# ---- snap-last, truncate-last, snaplen ----
{ cat "$tmp/novlan.scn"; echo "snap-last 60"; } >"$tmp/snap.scn"
gen "$tmp/snap.scn" "$tmp/snap.pcap"
check "snap-last: last record caplen 60 < len" \
	"$(ts "$tmp/snap.pcap" -T fields -e frame.cap_len -e frame.len | tail -1)" "60	197"
check "snap-last: same packets otherwise" "$(ts "$tmp/snap.pcap" | wc -l | tr -d ' ')" \
	"$(ts "$tmp/base.pcap" | wc -l | tr -d ' ')"
for f in pcap pcapng; do
	{ cat "$tmp/novlan.scn"; echo "truncate-last=30"; } >"$tmp/trunc.scn"
	gen -F "$f" "$tmp/trunc.scn" "$tmp/trunc.$f"
	gen -F "$f" "$tmp/novlan.scn" "$tmp/whole.$f"
	whole=$(wc -c <"$tmp/whole.$f")
	cut=$(wc -c <"$tmp/trunc.$f")
	# the last frame is 197 bytes: pcap has no padding or trailer,
	# pcapng pads to 200 and adds the 4-byte trailing length
	check "truncate-last $f: bytes cut" "$((whole - cut))" \
		"$([ "$f" = pcap ] && echo 167 || echo 174)"
	check "truncate-last $f: tshark sees a cut file" \
		"$("$TSHARK" -r "$tmp/trunc.$f" 2>&1 >/dev/null | grep -c 'cut short')" 1
done
{ echo "snaplen 64"; cat "$tmp/novlan.scn"; } >"$tmp/snaplen.scn"
gen "$tmp/snaplen.scn" "$tmp/snaplen.pcap"
check "snaplen caps every record" "$(ts "$tmp/snaplen.pcap" -T fields -e frame.cap_len | sort -n | tail -1)" 64

# ---- bench mix ----
gen --bench 300 "$tmp/bench.pcap"
phs=$(ts "$tmp/bench.pcap" -q -z io,phs)
for p in tls dtls dns http rtp; do
	n=$(echo "$phs" | grep -c "^ *$p  *frames:")
	check "bench has $p" "$([ "$n" -gt 0 ] && echo yes)" yes
done
check "bench flows (>= 300 UDP+TCP conversations)" \
	"$(ts "$tmp/bench.pcap" -q -z conv,udp -z conv,tcp | grep -c '<->' | awk '{print ($1 >= 300)}')" 1
# shellcheck disable=SC2086
check "bench: no malformed packet" "$(ts "$tmp/bench.pcap" $CK -Y '_ws.malformed || ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0' | wc -l | tr -d ' ')" 0

# the gateway mix: long media flows; the same bytes every time
gen --bench 200 --mix gateway "$tmp/gw.pcap"
gen --bench 200 --mix gateway "$tmp/gw2.pcap"
check "gateway mix: deterministic" "$(cmp "$tmp/gw.pcap" "$tmp/gw2.pcap" >/dev/null && echo same)" same
check "gateway mix: a media flow of 700 packets or more" \
	"$(ts "$tmp/gw.pcap" -q -z conv,udp | awk '/<->/ { n = $8 + 0; if (n >= 700) m = 1 } END { print m + 0 }')" 1
# shellcheck disable=SC2086
check "gateway mix: no malformed packet" "$(ts "$tmp/gw.pcap" $CK -Y '_ws.malformed || ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0' | wc -l | tr -d ' ')" 0
# the flood mix: one DNS exchange a flow, every client end its own
gen --bench 500 --mix flood "$tmp/flood.pcap"
check "flood mix: 500 DNS queries from 500 client ends" \
	"$(ts "$tmp/flood.pcap" -Y 'dns.flags.response == 0' -T fields -e ip.src -e udp.srcport | sort -u | wc -l | tr -d ' ')" 500
check "flood mix: 1000 packets" "$(ts "$tmp/flood.pcap" | wc -l | tr -d ' ')" 1000
"$CFGEN" --bench 5 --mix nope "$tmp/x.pcap" 2>"$tmp/mix.err"
check "--mix: a bad name is refused (exit 2)" "$?" 2
check "--mix: ... and named" "$(cat "$tmp/mix.err")" \
	"cfgen: --mix: want churn, gateway or flood, not 'nope'"

# ---- room systems (rooms.scn): what tshark's own dissectors read ----
rooms=$tmp/rooms.pcap
gen "$SRCDIR/tests/gen/rooms.scn" "$rooms"
check "H.225.0 call signalling: h323-message-body of each UUIE" \
	"$(fields "$rooms" h225.h323_message_body h225.h323_message_body | tr '\n' ' ')" "0 1,3 2 5 "
check "H.225.0 RAS: RRQ, RCF twice, then ARQ, ACF" \
	"$(fields "$rooms" h225.RasMessage h225.RasMessage | tr '\n' ' ')" "3 4 3 4 9 10 "
check "H.245 OpenLogicalChannelAck: media and control channel" \
	"$(ts "$rooms" -d tcp.port==1232,h245 -Y h245.openLogicalChannelAck_element -T fields \
		-E separator=' ' -e h245.ip4_network -e h245.tsapIdentifier)" "10.1.0.5,10.1.0.5 5004,5005"
check "Skinny OpenReceiveChannelAck: v20, basic, IPv6" \
	"$(fields "$rooms" 'skinny.messageId == 0x22' skinny.ipAddr.ipv4 skinny.ipAddr.ipv6 \
		skinny.portNumber | tr '\n' '|')" "10.1.0.6  16384|10.1.0.7  20000| fd00::6 16384|"
check "Skinny StartMediaTransmission: v20, basic, IPv6" \
	"$(fields "$rooms" 'skinny.messageId == 0x8a' skinny.remoteIpAddr.ipv4 skinny.remoteIpAddr.ipv6 \
		skinny.remotePortNumber | tr '\n' '|')" \
	"203.0.113.30  24000|192.0.2.20  16386| 2001:db8:1::20 16386|"
check "MGCP verbs and response codes" \
	"$(fields "$rooms" mgcp mgcp.req.verb mgcp.rsp.rspcode | tr -s ' \n' ' ')" \
	"CRCX 200 MDCX 200 DLCX 250 "
check "MGCP SDP: CRCX and MDCX carry peer=, the 200 the gateway's end" \
	"$(fields "$rooms" sdp sdp.connection_info.address sdp.media.port | tr '\n' '|')" \
	"203.0.113.31 30000|198.51.100.72 16384|203.0.113.31 30000|"
check "IAX2 control frames (count subclass): NEW, 3 ACKs, HANGUP, ACCEPT" \
	"$(fields "$rooms" 'iax2.type == 6' iax2.iax.subclass | sort | uniq -c | tr -s ' \n' ' ')" \
	" 1 1 3 4 1 5 1 7 "
check "IAX2: voice full frames and mini frames (packets=5 both)" \
	"$(fields "$rooms" 'iax2.type == 2' iax2.type | wc -l | tr -d ' ')/$(ts "$rooms" -Y 'iax2 && !iax2.type' | wc -l | tr -d ' ')" "2/10"
check "BFCP primitives over TCP" \
	"$(ts "$rooms" -d tcp.port==5070,bfcp -Y bfcp -T fields -e bfcp.primitive | tr '\n' ' ')" "11 12 1 4 2 4 "
check "STUN over TCP: RFC 4571-framed Binding (ice-tcp), bare TURN (turn-tcp)" \
	"$(fields "$rooms" 'stun.type' stun.type | tr '\n' ' ')" \
	"0x0001 0x0003 0x0101 0x0103 0x0009 0x0109 "

# ---- escapes in names and payloads ----
cat >"$tmp/esc.scn" <<'EOF'
at +0 tls 10.1.0.5:1 > 198.51.100.1:443 sni="a\x41\x7e \"q\".example" packets=1
at +0 udp 10.1.0.5:2 > 198.51.100.1:9 payload=text:"x\r\n\t\\\x00\xff"
at +0 udp 10.1.0.5:3 > 198.51.100.1:9 payload=hex:01:02.0a-ff
EOF
gen "$tmp/esc.scn" "$tmp/esc.pcap"
check "SNI escapes" "$(fields "$tmp/esc.pcap" tls.handshake.type tls.handshake.extensions_server_name)" \
	'aA~ "q".example'
check "text: escapes" "$(fields "$tmp/esc.pcap" 'udp.srcport == 2' data.data)" "780d0a095c00ff"
check "hex: separators" "$(fields "$tmp/esc.pcap" 'udp.srcport == 3' data.data)" "01020aff"

# ---- scenario errors name the line ----
printf 'at +1 rtp 10.1.0.5:1 > 203.0.113.1:2\nat +2 tls 10.1.0.5:1 > 198.51.100.1:443 colour=blue\n' >"$tmp/bad.scn"
"$CFGEN" "$tmp/bad.scn" "$tmp/bad.pcap" 2>"$tmp/bad.err"
check "bad option: exit 2" "$?" 2
check "bad option: message names file:line" "$(sed "s|$tmp/||" "$tmp/bad.err")" \
	"cfgen: bad.scn:2: unknown option 'colour'"
printf 'at +1 rtp 10.1.0.5:1 > 203.0.113.1:2 sni=x.example\n' >"$tmp/bad.scn"
"$CFGEN" "$tmp/bad.scn" "$tmp/bad.pcap" 2>"$tmp/bad.err"
check "option of another kind: exit 2" "$?" 2
check "option of another kind: message" "$(sed "s|$tmp/||" "$tmp/bad.err")" \
	"cfgen: bad.scn:1: 'sni' does not apply to rtp"
printf 'at +1 rtp 10.1.0.5:1 > [2001:db8::1]:2\n' >"$tmp/bad.scn"
"$CFGEN" "$tmp/bad.scn" "$tmp/bad.pcap" 2>"$tmp/bad.err"
check "mixed IP versions: exit 2" "$?" 2
printf 'at +1 rtp 10.1.0.5:1 > 203.0.113.1:2 vlan=5\n' >"$tmp/bad.scn"
"$CFGEN" -l raw "$tmp/bad.scn" "$tmp/bad.pcap" 2>"$tmp/bad.err"
check "vlan on raw: exit 2" "$?" 2

echo "test-cfgen: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
