#!/bin/sh
# test-syslog.sh - the syslog outputs against the real programs: a private
# rsyslogd (imptcp, imtcp with the ossl stream driver, imuxsock on sockets
# of its own) and a private syslog-ng (syslog() over TCP and TLS,
# unix-dgram(), network() for NDJSON), each with its own configuration,
# work directory, loopback ports and sockets under tests/work/syslog; the
# system's syslog is not touched.  Each collector writes what it parsed
# (APP-NAME, PROCID, MSGID, severity, facility, structured data, MSG) as
# JSON lines with its own template; syslogcheck.py holds them against
# callfence's own file: output, event by event.
#
#   - every output each collector takes: syslog-tcp, syslog-tls (CA made
#     here with openssl, verification on), unixgram rfc3164 and rfc5424,
#     tcp NDJSON (syslog-ng, no-parse): each event once, in order, parsed
#   - the collector down when callfence starts and back 3 s later: the
#     memory queue and the spool replay, nothing lost, nothing doubled
#   - callfence killed (SIGKILL) with events spooled, the collector down;
#     the collector back, callfence again: the spool arrives, marked
#     replay, then the new run's events
#   - TLS with the wrong CA and with the wrong server name: no delivery,
#     the verification error on stderr, events kept in the spool; then
#     the right CA: the spool arrives (marked replay)
#
# Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR, PYTHON; RSYSLOGD and
# SYSLOG_NG name the programs (default: on the PATH, /usr/sbin, or
# syslog-ng unpacked by tests/setup.sh under SYSLOG_NG_ROOT, default
# /opt/syslog-ng-test: Debian's rsyslog and syslog-ng-core conflict).
# Exit: 0 pass, 1 fail, 77 skipped (a program missing: said which; a part
# that did not run never counts as passed).
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
[ -f "$GEO/country.mmdb" ] || { echo "SKIP: no $GEO/country.mmdb"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl (Debian package openssl)"; exit 77; }
here=$SRCDIR/tests/outputs
work=${BUILDDIR:-.}/tests/work/syslog
rm -rf "$work" && mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd)
# unix sockets in a short directory of their own: a path past sun_path's
# 108 bytes (a deep build tree, make distcheck's) is cut, and two sockets
# cut to the same name clash
sock=$(mktemp -d "${TMPDIR:-/tmp}/cfsl.XXXXXX") || exit 1
SC="$PYTHON $here/syslogcheck.py"
fails=0
skipped=""
pids=""

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$sock"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

ok() {
	[ "$fails" = "$1" ] && echo "ok   $2"
}

# ---- the programs ------------------------------------------------------
RSYSLOGD=${RSYSLOGD:-$(command -v rsyslogd || { [ -x /usr/sbin/rsyslogd ] && echo /usr/sbin/rsyslogd; })}
SYSLOG_NG_ROOT=${SYSLOG_NG_ROOT:-/opt/syslog-ng-test}
sng_env=""
if [ -z "${SYSLOG_NG:-}" ]; then
	if command -v syslog-ng >/dev/null 2>&1; then
		SYSLOG_NG=$(command -v syslog-ng)
	elif [ -x "$SYSLOG_NG_ROOT/usr/sbin/syslog-ng" ]; then
		SYSLOG_NG=$SYSLOG_NG_ROOT/usr/sbin/syslog-ng
		sng_env="LD_LIBRARY_PATH=$SYSLOG_NG_ROOT/usr/lib/syslog-ng"
	fi
fi
sng_modules=""
[ -n "$sng_env" ] && sng_modules="--module-path=$SYSLOG_NG_ROOT/usr/lib/syslog-ng/$(ls "$SYSLOG_NG_ROOT/usr/lib/syslog-ng" | grep -E '^[0-9]+\.[0-9]+$' | head -1)"

# ---- captures, certificates --------------------------------------------
cp "$here/outputs.scn" "$work/big.scn"
awk 'BEGIN { for (i = 1; i <= 400; i++)
	printf "at +4.%03d udp 10.1.0.7:%d > 192.0.2.%d:5000 packets=2\n", i, 30000 + i, i % 120 + 1 }' \
	>>"$work/big.scn"
"$CFGEN" "$here/outputs.scn" "$work/small.pcap" && "$CFGEN" "$work/big.scn" "$work/big.pcap" ||
	{ echo "FAIL: cfgen"; exit 1; }

certs() {
	cd "$work" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
		-subj "/CN=callfence test CA" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong-ca.key -out wrong-ca.pem \
		-days 2 -subj "/CN=some other CA" &&
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=localhost" &&
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
		-days 2 -extfile srv.ext
}
(certs) >"$work/openssl.log" 2>&1 || { echo "FAIL: openssl: $(tail -3 "$work/openssl.log")"; exit 1; }

# cf NAME CAPTURE OUTPUT...: callfence, the events also to NAME.expect;
# its pid in NAME.pid, exit status returned.
cf() {
	name=$1 cap=$2
	shift 2
	"$CALLFENCE" -q -r "$work/$cap.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
		-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows \
		-o "file:$work/$name.expect" "$@" >"$work/$name.out" 2>"$work/$name.err" &
	echo $! >"$work/$name.pid"
	wait $!
}

grep_err() {
	grep -q -E -e "$2" "$work/$1.err" || fail "$1: stderr lacks /$2/: $(head -5 "$work/$1.err")"
}

no_sanitizer_report() {
	if grep -q "Sanitizer\|runtime error" "$work/$1.err"; then
		fail "$1: sanitizer report"
		cat "$work/$1.err"
	fi
}

# check NAME GOT FORMAT FACILITY SEGMENT...: wait for the events, check them.
check() {
	name=$1 gotf=$2
	shift 2
	n=0
	for seg in "$@"; do
		case $seg in *:*:*:*:*) ;; *:*:*:*)
			segf=${seg%%:*}
			from=${seg##*:}
			n=$((n + $(wc -l <"$segf") - from)) ;; *:*:*)
			n=$((n + $(wc -l <"${seg%%:*}"))) ;; esac
	done
	$SC wait 15 "lines:$gotf:$n" >/dev/null
	sleep 0.3       # anything more would be a duplicate: let it come
	out=$($SC got "$gotf" "$@") || { fail "$name: $out"; return; }
	echo "     $name: $out"
}

# ---- rsyslog -------------------------------------------------------------
# rsyslog's msg of an RFC 3164 message keeps the space after "TAG:"
# (position.from 2 drops it); an RFC 5424 one is the MSG as sent.
rs_conf() {
	cat <<EOC
global(workDirectory="$work/rs-work" maxMessageSize="64k"
       defaultNetstreamDriverCAFile="$work/ca.pem"
       defaultNetstreamDriverCertFile="$work/srv.pem"
       defaultNetstreamDriverKeyFile="$work/srv.key")
module(load="imuxsock" sysSock.use="off")
module(load="imptcp")
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="fields" type="list") {
  constant(value="{\"app\":\"") property(name="app-name" format="json")
  constant(value="\",\"procid\":\"") property(name="procid" format="json")
  constant(value="\",\"msgid\":\"") property(name="msgid" format="json")
  constant(value="\",\"sev\":\"") property(name="syslogseverity")
  constant(value="\",\"fac\":\"") property(name="syslogfacility")
  constant(value="\",\"sd\":\"") property(name="structured-data" format="json")
  constant(value="\",\"msg\":\"") property(name="msg" format="json")
  constant(value="\"}\n")
}
template(name="fields3164" type="list") {
  constant(value="{\"app\":\"") property(name="app-name" format="json")
  constant(value="\",\"procid\":\"") property(name="procid" format="json")
  constant(value="\",\"sev\":\"") property(name="syslogseverity")
  constant(value="\",\"fac\":\"") property(name="syslogfacility")
  constant(value="\",\"msg\":\"") property(name="msg" format="json" position.from="2")
  constant(value="\"}\n")
}
input(type="imptcp" address="127.0.0.1" port="$rs_tcp" ruleset="tcp")
input(type="imtcp" address="127.0.0.1" port="$rs_tls" ruleset="tls")
input(type="imuxsock" socket="$sock/rs-3164.sock" ruleset="u3164")
input(type="imuxsock" socket="$sock/rs-5424.sock" ruleset="u5424" useSpecialParser="off")
ruleset(name="tcp") { action(type="omfile" file="$work/rs-tcp.got" template="fields") }
ruleset(name="tls") { action(type="omfile" file="$work/rs-tls.got" template="fields") }
ruleset(name="u3164") { action(type="omfile" file="$work/rs-3164.got" template="fields3164") }
ruleset(name="u5424") { action(type="omfile" file="$work/rs-5424.got" template="fields") }
EOC
}

rs_start() {
	"$RSYSLOGD" -n -f "$work/rs.conf" -i "$work/rs-daemon.pid" >>"$work/rs.log" 2>&1 &
	rs_pid=$!
	pids="$pids $rs_pid"
	$SC wait 15 "tcp:$rs_tcp" "tcp:$rs_tls" "sock:$sock/rs-3164.sock" \
		"sock:$sock/rs-5424.sock" >/dev/null ||
		{ fail "rsyslogd did not start: $(tail -5 "$work/rs.log")"; return 1; }
}

rs_stop() {
	kill -TERM "$rs_pid" 2>/dev/null
	wait "$rs_pid" 2>/dev/null
}

if [ -z "$RSYSLOGD" ]; then
	echo "SKIP rsyslog: rsyslogd not found (Debian package rsyslog)"
	skipped="$skipped rsyslog"
elif ! "$RSYSLOGD" -v >/dev/null 2>&1; then
	echo "SKIP rsyslog: $RSYSLOGD does not run"
	skipped="$skipped rsyslog"
else
	set -- $($SC ports 2)
	rs_tcp=$1 rs_tls=$2
	mkdir -p "$work/rs-work"
	rs_conf >"$work/rs.conf"
	"$RSYSLOGD" -N1 -f "$work/rs.conf" >"$work/rs-check.log" 2>&1 ||
		fail "rsyslog: the configuration does not pass rsyslogd -N1: $(tail -3 "$work/rs-check.log")"
	if rs_start; then
		# every output rsyslog takes
		f=$fails
		cf rs big -o "syslog-tcp:127.0.0.1:$rs_tcp,spool=$work/rs-tcp.spool" \
			-o "syslog-tls:127.0.0.1:$rs_tls,ca=$work/ca.pem,server-name=localhost,spool=$work/rs-tls.spool,facility=local0" \
			-o "unixgram:$sock/rs-3164.sock,facility=local3,spool=$work/rs-3164.spool" \
			-o "unixgram:$sock/rs-5424.sock,format=rfc5424,spool=$work/rs-5424.spool"
		rc=$?
		[ "$rc" = 0 ] || fail "rsyslog: callfence exit status $rc: $(head -3 "$work/rs.err")"
		p=$(cat "$work/rs.pid")
		check "rsyslog imptcp, syslog-tcp" "$work/rs-tcp.got" 5424 3 "$work/rs.expect:$p:0"
		check "rsyslog imtcp TLS, syslog-tls" "$work/rs-tls.got" 5424 16 "$work/rs.expect:$p:0"
		check "rsyslog imuxsock, unixgram rfc3164" "$work/rs-3164.got" 3164 19 "$work/rs.expect:$p:0"
		check "rsyslog imuxsock, unixgram rfc5424" "$work/rs-5424.got" 5424 3 "$work/rs.expect:$p:0"
		no_sanitizer_report rs
		ok $f "rsyslog: syslog-tcp, syslog-tls, unixgram rfc3164 and rfc5424"

		# down when callfence starts, back 3 s later: memory queue and spool
		f=$fails
		rs_stop
		rm -f "$work/rs-tcp.got" "$work/rs-tls.got"
		( sleep 3; echo up ) >"$work/rs-later" &
		upper=$!
		cf rs-down big -o "syslog-tcp:127.0.0.1:$rs_tcp,spool=$work/rs-down.spool,queue=50,drain=60" \
			-o "syslog-tls:127.0.0.1:$rs_tls,ca=$work/ca.pem,spool=$work/rs-down-tls.spool,queue=50,drain=60" &
		cfpid=$!
		wait "$upper"
		rs_start
		wait "$cfpid"
		rc=$?
		[ "$rc" = 0 ] || fail "rsyslog down: callfence exit status $rc"
		grep_err rs-down "cannot connect: Connection refused"
		grep_err rs-down "connected; sending [0-9]+ held event"
		check "rsyslog down then up, syslog-tcp" "$work/rs-tcp.got" 5424 3 "$work/rs-down.expect:$(cat "$work/rs-down.pid"):0"
		check "rsyslog down then up, syslog-tls" "$work/rs-tls.got" 5424 3 "$work/rs-down.expect:$(cat "$work/rs-down.pid"):0"
		[ -s "$work/rs-down.spool" ] && fail "rsyslog down: the spool is not empty at the end"
		[ -s "$work/rs-down-tls.spool" ] && fail "rsyslog down: the TLS spool is not empty at the end"
		no_sanitizer_report rs-down
		ok $f "rsyslog: collector down when the run starts and back 3 s later: spool replayed (TCP, TLS)"
		rs_stop
	fi
fi

# ---- syslog-ng -----------------------------------------------------------
# ${MSG} of a message with no-parse is the whole line; ${SDATA} the
# structured data as sent.
sng_conf() {
	cat <<EOC
@version: 3.38
options { keep-hostname(yes); chain-hostnames(no); log-msg-size(65536);
          flush-lines(1); stats-freq(0); };
template t_fields { template("\$(format-json --scope none app=\${PROGRAM} procid=\${PID} msgid=\${MSGID} sev=\${LEVEL_NUM} fac=\${FACILITY_NUM} sd=\${SDATA} msg=\${MSG})\n"); };
source s_tcp { syslog(ip(127.0.0.1) port($sng_tcp) transport(tcp)); };
source s_tls { syslog(ip(127.0.0.1) port($sng_tls) transport(tls)
                      tls(key-file("$work/srv.key") cert-file("$work/srv.pem")
                          peer-verify(optional-untrusted))); };
source s_3164 { unix-dgram("$sock/sng-3164.sock"); };
source s_5424 { unix-dgram("$sock/sng-5424.sock" flags(syslog-protocol)); };
source s_nd { network(ip(127.0.0.1) port($sng_nd) transport(tcp) flags(no-parse)); };
destination d_tcp { file("$work/sng-tcp.got" template(t_fields)); };
destination d_tls { file("$work/sng-tls.got" template(t_fields)); };
destination d_3164 { file("$work/sng-3164.got" template(t_fields)); };
destination d_5424 { file("$work/sng-5424.got" template(t_fields)); };
destination d_nd { file("$work/sng-nd.got" template(t_fields)); };
log { source(s_tcp); destination(d_tcp); };
log { source(s_tls); destination(d_tls); };
log { source(s_3164); destination(d_3164); };
log { source(s_5424); destination(d_5424); };
log { source(s_nd); destination(d_nd); };
EOC
}

sng_start() {
	env $sng_env "$SYSLOG_NG" -F -f "$work/sng.conf" $sng_modules --no-caps \
		--persist-file="$work/sng.persist" --pidfile="$work/sng-daemon.pid" \
		--control="$work/sng.ctl" >>"$work/sng.log" 2>&1 &
	sng_pid=$!
	pids="$pids $sng_pid"
	$SC wait 15 "tcp:$sng_tcp" "tcp:$sng_tls" "tcp:$sng_nd" "sock:$sock/sng-3164.sock" \
		"sock:$sock/sng-5424.sock" >/dev/null ||
		{ fail "syslog-ng did not start: $(tail -5 "$work/sng.log")"; return 1; }
}

sng_stop() {
	kill -TERM "$sng_pid" 2>/dev/null
	wait "$sng_pid" 2>/dev/null
}

if [ -z "${SYSLOG_NG:-}" ]; then
	echo "SKIP syslog-ng: not found (Debian package syslog-ng-core, unpacked by tests/setup.sh)"
	skipped="$skipped syslog-ng"
elif ! env $sng_env "$SYSLOG_NG" --version >/dev/null 2>&1; then
	echo "SKIP syslog-ng: $SYSLOG_NG does not run"
	skipped="$skipped syslog-ng"
else
	set -- $($SC ports 3)
	sng_tcp=$1 sng_tls=$2 sng_nd=$3
	sng_conf >"$work/sng.conf"
	env $sng_env "$SYSLOG_NG" -s -f "$work/sng.conf" $sng_modules >"$work/sng-check.log" 2>&1 ||
		fail "syslog-ng: the configuration does not pass syslog-ng -s: $(tail -3 "$work/sng-check.log")"
	if sng_start; then
		f=$fails
		cf sng big -o "syslog-tcp:127.0.0.1:$sng_tcp,spool=$work/sng-tcp.spool,facility=local0" \
			-o "syslog-tls:127.0.0.1:$sng_tls,ca=$work/ca.pem,spool=$work/sng-tls.spool" \
			-o "unixgram:$sock/sng-3164.sock,spool=$work/sng-3164.spool" \
			-o "unixgram:$sock/sng-5424.sock,format=rfc5424,facility=local7,spool=$work/sng-5424.spool" \
			-o "tcp:127.0.0.1:$sng_nd,spool=$work/sng-nd.spool"
		rc=$?
		[ "$rc" = 0 ] || fail "syslog-ng: callfence exit status $rc: $(head -3 "$work/sng.err")"
		p=$(cat "$work/sng.pid")
		check "syslog-ng syslog(), syslog-tcp" "$work/sng-tcp.got" 5424 16 "$work/sng.expect:$p:0"
		check "syslog-ng syslog(tls), syslog-tls" "$work/sng-tls.got" 5424 3 "$work/sng.expect:$p:0"
		check "syslog-ng unix-dgram, unixgram rfc3164" "$work/sng-3164.got" 3164 3 "$work/sng.expect:$p:0"
		check "syslog-ng unix-dgram, unixgram rfc5424" "$work/sng-5424.got" 5424 23 "$work/sng.expect:$p:0"
		check "syslog-ng network(no-parse), tcp NDJSON" "$work/sng-nd.got" json 0 "$work/sng.expect:$p:0"
		no_sanitizer_report sng
		ok $f "syslog-ng: syslog-tcp, syslog-tls, unixgram rfc3164 and rfc5424, tcp"

		# SIGKILL with events spooled and the collector down; then both back
		f=$fails
		sng_stop
		rm -f "$work/sng-tcp.got"
		cf kill big -o "syslog-tcp:127.0.0.1:$sng_tcp,spool=$work/kill.spool,queue=5,fsync=1,drain=60" &
		cfpid=$!
		total=$(wc -l <"$work/sng.expect")
		# the same run as above, so as many events; killed while it waits
		# (drain=) for the collector: all but the report (written after
		# the drain) made, the first 5 in memory (queue=5), the others
		# in the spool
		$SC wait 20 "lines:$work/kill.spool:$((total - 6))" "lines:$work/kill.expect:$((total - 1))" \
			>/dev/null || fail "kill: the spool never held $((total - 6)) events"
		kill -KILL "$(cat "$work/kill.pid")"
		wait "$cfpid" 2>/dev/null
		spooled=$(wc -l <"$work/kill.spool")
		sng_start
		cf after-kill small -o "syslog-tcp:127.0.0.1:$sng_tcp,spool=$work/kill.spool"
		rc=$?
		[ "$rc" = 0 ] || fail "after kill: callfence exit status $rc"
		grep_err after-kill "$spooled event\\(s\\) from an earlier run in spool"
		# the first 5 events were in memory (queue=5) when it was killed
		check "syslog-ng after SIGKILL" "$work/sng-tcp.got" 5424 3 \
			"$work/kill.expect:$(cat "$work/kill.pid"):1:5" \
			"$work/after-kill.expect:$(cat "$work/after-kill.pid"):0"
		no_sanitizer_report after-kill
		ok $f "syslog-ng: callfence killed with $spooled events spooled: all replayed, marked"

		# TLS: the wrong CA, the wrong name; then the right CA
		f=$fails
		rm -f "$work/sng-tls.got"
		cf tls-wrong-ca small -o "syslog-tls:127.0.0.1:$sng_tls,ca=$work/wrong-ca.pem,spool=$work/tls.spool,drain=1"
		grep_err tls-wrong-ca "syslog-tls:127.0.0.1:$sng_tls: cannot connect: TLS handshake failed: certificate verification: unable to get local issuer certificate"
		grep_err tls-wrong-ca "[0-9]+ event\(s\) kept in spool"
		cf tls-wrong-name small -o "syslog-tls:127.0.0.1:$sng_tls,ca=$work/ca.pem,server-name=collector.example,spool=$work/tls.spool,drain=1"
		grep_err tls-wrong-name "TLS handshake failed: certificate verification: hostname mismatch"
		[ -s "$work/sng-tls.got" ] && fail "tls: events arrived through a connection that failed verification"
		cf tls-right small -o "syslog-tls:127.0.0.1:$sng_tls,ca=$work/ca.pem,server-name=localhost,spool=$work/tls.spool"
		rc=$?
		[ "$rc" = 0 ] || fail "tls: callfence exit status $rc"
		check "syslog-ng TLS after verification failures" "$work/sng-tls.got" 5424 3 \
			"$work/tls-wrong-ca.expect:$(cat "$work/tls-wrong-ca.pid"):1" \
			"$work/tls-wrong-name.expect:$(cat "$work/tls-wrong-name.pid"):1" \
			"$work/tls-right.expect:$(cat "$work/tls-right.pid"):0"
		no_sanitizer_report tls-wrong-ca
		no_sanitizer_report tls-right
		ok $f "syslog-ng: TLS refused with the wrong CA and the wrong name, delivered with the right CA"
		sng_stop
	fi
fi

[ "$fails" -eq 0 ] || { echo "syslog: $fails failure(s); see $work"; exit 1; }
if [ -n "$skipped" ]; then
	echo "syslog: not run:$skipped"
	exit 77
fi
echo "syslog: all passed"
