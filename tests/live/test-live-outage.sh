#!/bin/sh
# test-live-outage.sh - "never lose an event" (#17), the acceptance test:
# the README's gateway command plus three log rotations and a 30-second
# collector outage delivers every event sent, exactly once or marked as a
# repeat; no run that lost an event exits 0.
#
# In the gateway namespace (lib.sh) a private rsyslogd (imptcp on the
# namespace's loopback, its own configuration and work directory, a
# template that writes the fields it parsed as JSON) is the collector.
# callfence runs as the README's "Run on a gateway" says (-D -i IF -R
# rules -u USER -o file:EVENTS --log LOG; USER is nobody, the log
# directory nobody's 0750), plus the test geography, a pidfile, short
# idle timers and a second output, syslog-tcp to rsyslogd with a spool
# file (queue=5: the outage's backlog goes to the spool).  subreaper.py
# collects the detached daemon's exit status.  While live-send.py replays
# rounds of calls (new ports each round):
#   - mv + SIGHUP of the events file and the log, three times, each while
#     a round is on the wire (the second during the outage);
#   - rsyslogd stopped (SIGTERM) for 30 seconds while rounds go on, then
#     started again: the daemon says it cannot connect, the spool holds
#     the backlog, the daemon reconnects and sends it.
# After SIGTERM:
#   - the alert and flow events of the rotated files together are those
#     of an offline run of the same rounds, each exactly once, compared
#     field by field (reopen-check.py);
#   - every line of those files arrived at rsyslog, its MSG the exact
#     line, APP-NAME, PROCID, MSGID, severity, facility right; more than
#     once only when marked [callfence@32473 replay="1"]; nothing else
#     arrived; in order (outage-check.py);
#   - the daemon exited 0, its logs say "stopped" and hold no loss; the
#     spool is empty.
# Then the negative run: the same command, the collector down the whole
# time, spool=none: the daemon must exit 3 and log "N event(s) lost".
#
# Needs root, network namespaces, the user nobody and rsyslogd (Debian
# package rsyslog): elsewhere it says why and exits 77.  Bounded: about
# 60 seconds, killed at 150 by its own watchdog.  Files kept on failure
# (printed).  Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR; RSYSLOGD.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/live
. "$here/lib.sh"
net_check
id nobody >/dev/null 2>&1 || skip "no user nobody"
RSYSLOGD=${RSYSLOGD:-$(command -v rsyslogd || { [ -x /usr/sbin/rsyslogd ] && echo /usr/sbin/rsyslogd; })}
[ -n "$RSYSLOGD" ] || skip "no rsyslogd (Debian package rsyslog; tests/setup.sh installs it)"
"$RSYSLOGD" -v >/dev/null 2>&1 || skip "$RSYSLOGD does not run"
nobody_group=$(id -gn nobody)

work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/live-outage.$$
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0:log_path=$work/lr/asan"
fails=0
n=0
pid=
rs_pid=
reaper=
watchdog=
PORT=5514           # rsyslogd's, on the gateway namespace's loopback
OUTAGE=30

cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$rs_pid" ] && kill -KILL "$rs_pid" 2>/dev/null
	[ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
	net_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
# the whole test is bounded: past 150 s, this shell is told to stop
( trap 'kill $s 2>/dev/null; exit 0' TERM
  sleep 150 & s=$!; wait $s
  echo "FAIL: the test took more than 150 s"; kill -TERM $$ ) &
watchdog=$!

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
gone() { ! alive "$1"; }
send() {
	# shellcheck disable=SC2046
	python3 "$here/live-send.py" pcap "$work/round$1.pcap" $(ns_args) >/dev/null
}
# logged TEXT [PREFIX]: one of the daemon's log files (PREFIX*) has TEXT.
logged() { cat "${2:-lr/cf.log}"* | grep -qF -- "$1"; }
in_gw() { ip netns exec "$GW" "$@"; }
SC="python3 $SRCDIR/tests/outputs/syslogcheck.py"
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# exit_status FILE PID: the daemon's exit status, from subreaper.py's file
exit_status() { awk -v p="$2" '$1 == p { print $2 }' "$1"; }

echo "# network: namespaces $NS_PREFIX-{gw,c1,c2,rem}"
net_up || { echo "FAIL network set-up"; exit 1; }

# ---- the rounds: calls from client 1, new ports each round -----------------
R=10
r=1
while [ $r -le $R ]; do
	p=$((40000 + r * 10))
	{
		echo "at +0 dtls 10.1.0.5:$((p + 1)) > 203.0.113.10:3478 packets=6 media=5"
		echo "at +0.1 srtp 10.1.0.5:$((p + 2)) > 192.0.2.10:3479 packets=10 both"
		echo "at +0.2 dtls 10.1.0.5:$((p + 3)) > 198.51.100.10:3478 packets=6 media=5"
		echo "at +0.3 dtls [fd00:1::5]:$((p + 4)) > [2001:db8:3::10]:3478 packets=6 media=5"
	} > "$work/round$r.scn"
	"$CFGEN" "$work/round$r.scn" "$work/round$r.pcap" >/dev/null ||
		{ echo "FAIL cfgen round $r"; exit 1; }
	r=$((r + 1))
done

# ---- the collector: rsyslogd in the gateway namespace ------------------------
mkdir -p "$work/rs-work"
cat >"$work/rs.conf" <<EOC
global(workDirectory="$work/rs-work" maxMessageSize="64k")
module(load="imptcp")
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
input(type="imptcp" address="127.0.0.1" port="$PORT" ruleset="cf")
ruleset(name="cf") { action(type="omfile" file="$work/rs.got" template="fields") }
EOC
"$RSYSLOGD" -N1 -f "$work/rs.conf" >"$work/rs-check.log" 2>&1 ||
	{ echo "FAIL rsyslogd -N1: $(tail -3 "$work/rs-check.log")"; exit 1; }
rs_start() {
	# ip netns exec execs rsyslogd: $! is rsyslogd's pid
	ip netns exec "$GW" "$RSYSLOGD" -n -f "$work/rs.conf" -i "$work/rs.pid" >>"$work/rs.log" 2>&1 &
	rs_pid=$!
	in_gw $SC wait 10 "tcp:$PORT" >/dev/null
}
rs_stop() {
	kill -TERM "$rs_pid" 2>/dev/null
	wait "$rs_pid" 2>/dev/null
	rs_pid=
}
check "rsyslogd (imptcp) up in the gateway namespace" --show "$work/rs.log" rs_start

# ---- the README's gateway command, + syslog-tcp with a spool ------------------
cd "$work" || exit 1
mkdir rules && cp "$SRCDIR/rules/default.rules" rules/live.rules
install -d -m 0750 -o nobody -g "$nobody_group" lr spool || { echo "FAIL install -d"; exit 1; }
SPEC="syslog-tcp:127.0.0.1:$PORT,spool=$work/spool/syslog.spool,queue=5"
OUT="output syslog-tcp:127.0.0.1:$PORT"      # how the log names it
python3 "$here/subreaper.py" "$work/status" ip netns exec "$GW" \
	"$CALLFENCE" -D -i lan0 -R rules/live.rules -u nobody \
	-o file:lr/events.json --log lr/cf.log \
	-o "$SPEC" \
	-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" -P cf.pid \
	--stats-interval 0 --udp-timeout 2 2>"$work/start.err" &
reaper=$!
wait_for 10 test -s "$work/status"
pid=$(cat cf.pid 2>/dev/null)
daemon_pid=$pid
check "the gateway command + syslog-tcp: started, detached" --show "$work/start.err" \
	eval '[ "$(sed -n "1s/.* //p" "$work/status")" = 0 ] && alive "$pid" &&
	      wait_for 10 logged "capturing on 1 interface"'
check "... the spool is nobody's" wait_for 5 eval \
	'[ "$(stat -c %U "$work/spool/syslog.spool")" = nobody ]'

# rotate I: mv + SIGHUP while round R is on the wire
rotate() {
	send "$2" &
	spid=$!
	sleep 0.2
	mv lr/events.json "lr/events.json.m$1"
	mv lr/cf.log "lr/cf.log.m$1"
	kill -HUP "$pid"
	wait $spid
	check "mv + SIGHUP $1 (round $2 on the wire): new files made" --show "lr/cf.log.m$1" \
		wait_for 10 eval '[ -f lr/events.json ] && grep -qF "reloaded $work/rules/live.rules" lr/cf.log'
}

send 1
rotate 1 2
check "rounds 1-2: events reach rsyslog" --show lr/cf.log wait_for 10 eval '[ "$(lines "$work/rs.got")" -gt 0 ]'

# ---- the outage: rsyslogd down 30 s, traffic goes on --------------------------
down_pid=$rs_pid
rs_stop
t0=$(date +%s)
before=$(lines "$work/rs.got")
send 3
sleep 3         # round 3's flows end (--udp-timeout 2): events while down
send 4
check "outage: the daemon says it cannot connect" --show lr/cf.log \
	wait_for 10 logged "$OUT: cannot connect" lr/cf.log
check "outage: the backlog goes to the spool (queue=5)" --show lr/cf.log \
	wait_for 10 eval '[ -s "$work/spool/syslog.spool" ]'
sleep 2
rotate 2 5
r=6
while [ $(($(date +%s) - t0)) -lt $((OUTAGE - 6)) ] && [ $r -le 7 ]; do
	send $r
	r=$((r + 1))
	sleep 4
done
while [ $(($(date +%s) - t0)) -lt "$OUTAGE" ]; do sleep 0.5; done
check "outage: nothing reached rsyslog while it was down" eval \
	'[ "$(lines "$work/rs.got")" = "$before" ]'
check "outage: rsyslogd gone, its port closed" eval \
	'gone "$down_pid" && ! in_gw $SC wait 0 "tcp:$PORT" >/dev/null'
check "rsyslogd started again after $(($(date +%s) - t0)) s" --show "$work/rs.log" rs_start
check "... the daemon reconnects and sends what it held" --show lr/cf.log \
	wait_for 15 grep -qE "$OUT: connected; sending [1-9][0-9]* held event" lr/cf.log
send $r
r=$((r + 1))
rotate 3 $r
r=$((r + 1))
while [ $r -le $R ]; do send $r; r=$((r + 1)); done
check "all $R rounds sent" eval '[ $((r - 1)) = $R ]'

# ---- stop ------------------------------------------------------------------------
sleep 3         # the last flows end on the idle timer (--udp-timeout 2)
kill -TERM "$pid"
check "SIGTERM: the daemon stops" wait_for 20 gone "$pid"
wait "$reaper"
rc=$(exit_status "$work/status" "$pid")
check "... exit status 0 (got ${rc:-none})" eval '[ "$rc" = 0 ]'
check "... it says \"stopped\"" --show lr/cf.log logged "stopped"
pid=
check "no event lost, no loss warning, no failed reload in the logs" --show lr/cf.log eval \
	'! cat lr/cf.log* | grep -E "event\\(s\\) lost|events are being lost|could not be written|dropped|kept in spool|reload failed"'
check "the spool holds nothing undelivered" --show lr/cf.log eval \
	'! cat lr/cf.log* | grep -q "kept in spool"'
sleep 1         # anything more would be a repeat: let it come
rs_stop
check "rsyslogd: no error" --show "$work/rs.log" eval '! grep -qi "error" "$work/rs.log"'

rounds=
i=1
while [ $i -le $R ]; do
	rounds="$rounds -r $work/round$i.pcap"
	i=$((i + 1))
done
# shellcheck disable=SC2086
"$CALLFENCE" -q $rounds -R rules/live.rules -G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" \
	-o "file:$work/offline.json" 2>"$work/offline.err"
check "offline run of the same rounds" --show "$work/offline.err" eval '[ -s "$work/offline.json" ]'
files="lr/events.json.m1 lr/events.json.m2 lr/events.json.m3 lr/events.json"
# shellcheck disable=SC2086
check "file: every event of the offline run exactly once across the 4 files" --show "$work/count.out" eval \
	'python3 "$here/reopen-check.py" "$work/offline.json" $files >"$work/count.out" 2>&1'
sed 's/^/# /' "$work/count.out"
# shellcheck disable=SC2086
check "rsyslog: every event once, or repeated only when marked; fields; order" --show "$work/rs-count.out" eval \
	'python3 "$here/outage-check.py" "$work/rs.got" "$daemon_pid" 3 $files >"$work/rs-count.out" 2>&1'
sed 's/^/# /' "$work/rs-count.out"
check "no sanitizer report" eval '! ls "$work"/lr/asan* >/dev/null 2>&1'

# ---- the negative run: the collector down all along, no spool ------------------
install -d -m 0750 -o nobody -g "$nobody_group" neg
check "negative run: nothing listens on the collector's port" eval '! in_gw $SC wait 0 "tcp:$PORT" >/dev/null'
python3 "$here/subreaper.py" "$work/neg.status" ip netns exec "$GW" \
	"$CALLFENCE" -D -i lan0 -R rules/live.rules -u nobody \
	-o file:neg/events.json --log neg/cf.log \
	-o "syslog-tcp:127.0.0.1:$PORT,spool=none" \
	-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" -P neg.pid \
	--stats-interval 0 --udp-timeout 2 2>"$work/neg-start.err" &
reaper=$!
wait_for 10 test -s "$work/neg.status"
pid=$(cat neg.pid 2>/dev/null)
check "negative run (collector down, spool=none): started" --show "$work/neg-start.err" \
	eval 'alive "$pid" && wait_for 10 logged "capturing on 1 interface" neg/cf.log'
send 1
sleep 3
kill -TERM "$pid"
check "... SIGTERM: the daemon stops" wait_for 20 gone "$pid"
wait "$reaper"
rc=$(exit_status "$work/neg.status" "$pid")
pid=
check "... exit status 3 (got ${rc:-none})" --show neg/cf.log eval '[ "$rc" = 3 ]'
check "... its log says \"N event(s) lost\"" --show neg/cf.log eval \
	'grep -qE "$OUT: [1-9][0-9]* event\\(s\\) lost" neg/cf.log'
check "... the file output lost nothing" --show neg/cf.log eval \
	'[ -s neg/events.json ] && ! grep -q "output file:.* lost" neg/cf.log'

echo "# $n checks, $fails failed"
if [ "$fails" -gt 0 ]; then
	echo "files kept in $work"
	exit 1
fi
cd / && rm -rf "$work"
exit 0
