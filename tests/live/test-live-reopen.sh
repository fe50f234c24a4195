#!/bin/sh
# test-live-reopen.sh - rotating the daemon's files under -u, with relative
# paths, while traffic flows: no event lost, none doubled (#17).
#
# callfence -D runs in the gateway namespace (lib.sh) as root with
# -u nobody and RELATIVE -R, -G, -P, -o file: and --log, its log directory
# set up as callfence(8) says (owned by the user, 0750).  Then, while
# live-send.py replays calls (each round its own ports):
#   - mv + SIGHUP three times (outputs and log renamed, made again by the
#     daemon, now nobody), each while a round is being sent;
#   - a SIGHUP storm (30 in a row) during a round;
#   - logrotate -f with the shipped snippet (su, create 0640, postrotate
#     SIGHUP through the pidfile), pointed at the test's directory;
#   - a rename into a directory the user cannot write: the reopen fails,
#     is said once for two SIGHUPs, and events go on to the renamed file.
# After SIGTERM, the alert and flow events of all the files together must
# be those of an offline run of the same rounds, each exactly once
# (reopen-check.py), every line complete JSON; the logs must hold no
# "events are being lost", no lost event, no failed reload; the files the
# daemon and logrotate made must be nobody's.
#
# Needs root, network namespaces, the user nobody and logrotate(8):
# elsewhere it says why and exits 77.  Env: CALLFENCE, CFGEN, GEO, SRCDIR,
# BUILDDIR.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/live
. "$here/lib.sh"
net_check
id nobody >/dev/null 2>&1 || skip "no user nobody"
command -v logrotate >/dev/null 2>&1 || skip "no logrotate(8) (tests/setup.sh installs it)"
snippet=$(cd "${BUILDDIR:-.}" && pwd)/src/daemon/dist/logrotate.d/callfence
[ -f "$snippet" ] || skip "no $snippet (make builds it)"
nobody_ids="$(id -u nobody):$(id -g nobody)"
nobody_group=$(id -gn nobody)

work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/live-reopen.$$
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
# sanitizer builds: reports in the log directory (the daemon, nobody, can
# write there); no leak check in a process that dropped privileges
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0:log_path=$work/lr/asan"
fails=0
n=0
pid=

cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	net_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
gone() { ! alive "$1"; }
send() {
	# shellcheck disable=SC2046
	python3 "$here/live-send.py" pcap "$work/round$1.pcap" $(ns_args) >/dev/null
}
# logged TEXT: one of the daemon's log files (all of them) has TEXT.
logged() { cat "$work"/lr/cf.log* | grep -qF -- "$1"; }
owned_by_nobody() { [ "$(stat -c %u:%g "$1")" = "$nobody_ids" ]; }

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

# ---- the daemon, every path relative, its directory as the docs say --------
cd "$work" || exit 1
mkdir rules && cp "$SRCDIR/rules/default.rules" rules/live.rules
ln -s "$GEO" geo
install -d -m 0750 -o nobody -g "$nobody_group" lr || { echo "FAIL install -d"; exit 1; }
ip netns exec "$GW" "$CALLFENCE" -D -i lan0 -u nobody -R rules/live.rules \
	-G geo/country.mmdb -G geo/asn.mmdb -P cf.pid \
	-o file:lr/events.json --log lr/cf.log \
	--stats-interval 0 --udp-timeout 2 2>"$work/start.err"
rc=$?
pid=$(cat cf.pid 2>/dev/null)
check "-D -u nobody, relative paths: started" --show "$work/start.err" \
	eval '[ $rc = 0 ] && alive "$pid" && wait_for 10 logged "capturing on 1 interface"'
check "output and log files given to nobody before the drop" eval \
	'owned_by_nobody lr/events.json && owned_by_nobody lr/cf.log'
check "the daemon runs as nobody, in /" eval \
	'[ "$(stat -c %u /proc/$pid)" = "$(id -u nobody)" ] && [ "$(readlink /proc/$pid/cwd)" = / ]'

# ---- mv + SIGHUP three times, each while a round is on the wire -------------
r=1
for i in 1 2 3; do
	send $r
	r=$((r + 1))
	send $r &
	spid=$!
	sleep 0.2
	mv lr/events.json "lr/events.json.m$i"
	mv lr/cf.log "lr/cf.log.m$i"
	kill -HUP "$pid"
	wait $spid
	r=$((r + 1))
	check "mv + SIGHUP $i: new output and log made by the daemon (nobody)" --show "lr/cf.log.m$i" \
		wait_for 10 eval 'owned_by_nobody lr/cf.log && grep -qF "reloaded $work/rules/live.rules" lr/cf.log'
done

# ---- a SIGHUP storm during a round ------------------------------------------
send $r &
spid=$!
j=0
while [ $j -lt 30 ]; do
	kill -HUP "$pid"
	j=$((j + 1))
done
wait $spid
r=$((r + 1))
check "SIGHUP storm: the daemon lives and reloads" --show lr/cf.log eval \
	'alive "$pid" && wait_for 5 logged "reloaded $work/rules/live.rules"'

# ---- logrotate -f with the shipped snippet ----------------------------------
# (the snippet names this build's log directory, LOCALSTATEDIR/log/callfence:
# /var/log/callfence with the Debian layout)
sed -e "s|/[^ \`]*/log/callfence|$work/lr|g" \
    -e "s|su callfence callfence|su nobody $nobody_group|" \
    -e "s|create 0640 callfence callfence|create 0640 nobody $nobody_group|" \
    -e "s|/run/callfence/callfence.pid|$work/cf.pid|g" -e "s|/run/callfence.pid|$work/cf.pid|g" \
    -e "s|systemctl -q is-active callfence.service|false|" \
    "$snippet" > "$work/logrotate.conf"
chmod 0644 "$work/logrotate.conf"
check "the shipped snippet has su and create for the daemon's user" eval \
	'grep -q "^[[:space:]]*create 0640 callfence callfence$" "$snippet" &&
	 grep -q "^[[:space:]]*su callfence callfence$" "$snippet"'
send $r &
spid=$!
sleep 0.2
logrotate -f -s "$work/logrotate.state" "$work/logrotate.conf" >"$work/logrotate.out" 2>&1
lrc=$?
wait $spid
r=$((r + 1))
check "logrotate -f: exit 0, files rotated, new ones nobody's, 0640" --show "$work/logrotate.out" eval \
	'[ $lrc = 0 ] && [ -f lr/events.json.1 ] && [ -f lr/cf.log.1 ] &&
	 owned_by_nobody lr/events.json && [ "$(stat -c %a lr/events.json)" = 640 ]'
send $r
r=$((r + 1))
check "... the daemon writes to the new files" --show lr/cf.log wait_for 10 eval \
	'[ -s lr/events.json ] && grep -qF "reloaded $work/rules/live.rules" lr/cf.log'

# ---- a reopen that cannot create the file: kept on the old one, said once ---
chown root:root lr && chmod 0755 lr
mv lr/events.json lr/events.json.m4
kill -HUP "$pid"
sleep 0.5
kill -HUP "$pid"
send $r
r=$((r + 1))
check "directory not writable: the reopen failure said once for two SIGHUPs" --show lr/cf.log \
	wait_for 5 eval '[ "$(cat lr/cf.log* | grep -c "cannot reopen output file $work/lr/events.json")" = 1 ]'
check "... and events go on to the renamed file" eval '[ ! -e lr/events.json ]'

# ---- stop, count --------------------------------------------------------------
sleep 3     # the last flows end on the idle timer (--udp-timeout 2)
kill -TERM "$pid"
check "SIGTERM: the daemon stops" wait_for 10 gone "$pid"
check "... and says so" wait_for 2 logged "stopped"
pid=
check "all $R rounds sent" eval '[ $((r - 1)) = $R ]'

# what the same rounds give offline
rounds=
i=1
while [ $i -le $R ]; do
	rounds="$rounds -r $work/round$i.pcap"
	i=$((i + 1))
done
# shellcheck disable=SC2086
"$CALLFENCE" -q $rounds -R rules/live.rules -G geo/country.mmdb -G geo/asn.mmdb \
	-o "file:$work/offline.json" 2>"$work/offline.err"
check "offline run of the same rounds" --show "$work/offline.err" eval \
	'[ -s "$work/offline.json" ]'
check "every event exactly once across the rotated files" --show "$work/count.out" eval \
	'python3 "$here/reopen-check.py" "$work/offline.json" lr/events.json.m1 lr/events.json.m2 \
	 lr/events.json.m3 lr/events.json.1 lr/events.json.m4 >"$work/count.out" 2>&1'
sed 's/^/# /' "$work/count.out"
check "nothing went to a file made after the failed reopen" test ! -e lr/events.json
check "no event lost, no reload failed, no loss warning in the logs" --show lr/cf.log eval \
	'! cat lr/cf.log* | grep -E "events are being lost|lost in this run|could not be written|reload failed|dropped"'

check "no sanitizer report" eval '! ls "$work"/lr/asan* >/dev/null 2>&1'

echo "# $n checks, $fails failed"
if [ "$fails" -gt 0 ]; then
	echo "files kept in $work"
	exit 1
fi
cd / && rm -rf "$work"
exit 0
