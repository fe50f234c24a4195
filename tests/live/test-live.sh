#!/bin/sh
# test-live.sh - callfence as a daemon on a gateway, on traffic that crosses
# real interfaces: network namespaces joined by veth pairs (lib.sh), UDP
# sent over real sockets between the test's own hosts (live-send.py, with
# payloads made by cfgen from call.scn).  Checks: alerts and interfaces,
# flows ending on the timer, the stats event and its counters, SIGHUP with
# a good and a broken rules file, log and output reopening, an interface
# going down and one disappearing, a flood of flows, the pidfile lock,
# start-up errors, privileges dropped with -u (uid, CapEff), a full disk,
# SIGTERM ending every flow.
#
# Needs root and network namespaces: elsewhere it says why and exits 77
# (skipped).  Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR.
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
here=$SRCDIR/tests/live
. "$here/lib.sh"
net_check

# One directory per run (several test runs may share a build tree); kept
# when something failed.
work=$(cd "${BUILDDIR:-.}" && pwd)/tests/work/live.$$
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$work/asan"
events=$work/events.json
log=$work/callfence.log
fails=0
n=0
pid=
fgpid=

cleanup() {
	for p in $pid $fgpid; do
		kill -KILL "$p" 2>/dev/null
	done
	net_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE


# count EXPR FILE...: how many events satisfy the Python expression EXPR,
# where g("a.b.c") is the field's value (None when absent).
count() {
	expr=$1
	shift
	cat "$@" 2>/dev/null | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    e = json.loads(line)
    def g(path, e=e):
        for k in path.split("."):
            if not isinstance(e, dict) or k not in e:
                return None
            e = e[k]
        return e
    if eval(sys.argv[1]):
        n += 1
print(n)' "$expr"
}
# has EXPR FILE...: at least one such event.
has() { [ "$(count "$@")" -gt 0 ]; }
# none EXPR FILE...: no such event.
none() { [ "$(count "$@")" -eq 0 ]; }
# logged TEXT [FILE]: a line of the log has TEXT.
logged() { grep -qF -- "$1" "${2:-$log}"; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
gone() { ! alive "$1"; }
# last_stats EXPR: the newest stats event of FILE satisfies EXPR.
last_stats() {
	grep '"callfence.stats"' "${2:-$events}" | tail -n 1 > "$work/last-stats.json"
	has "$1" "$work/last-stats.json"
}
send() {
	# shellcheck disable=SC2046
	python3 "$here/live-send.py" pcap "$1" $(ns_args) >/dev/null
}
gen() {
	"$CFGEN" "$1" "$2" >/dev/null || { echo "FAIL cfgen $1"; exit 1; }
}
in_gw() { ip netns exec "$GW" "$@"; }

echo "# network: namespaces $NS_PREFIX-{gw,c1,c2,rem}"
net_up || { echo "FAIL network set-up"; exit 1; }
ip netns exec "$GW" sysctl -q -w net.ipv6.conf.all.keep_addr_on_down=1 >/dev/null 2>&1

# ---- traffic and configuration -------------------------------------------
gen "$here/call.scn" "$work/call.pcap"
for p in 41 42 43 44 45; do
	echo "at +0 dtls 10.2.0.5:${p}003 > 198.51.100.10:3478 packets=6 media=5" > "$work/us$p.scn"
	gen "$work/us$p.scn" "$work/us$p.pcap"
done
cp "$SRCDIR/rules/default.rules" "$work/active.rules"
cat > "$work/us.rules" <<'EOF'
include jurisdictions.rules
alert low      id test-us-keys role key-exchange to US msg "test: call keys with the US"
alert critical id default-keys-restricted role key-exchange to CN-SAR RU IR KP msg "keys: restricted"
pass           id test-pass
EOF
cat > "$work/callfence.conf" <<EOF
# the live test's configuration; -o on the command line replaces output
interface = lan0
interface = lan1
rules = $work/active.rules
geodb = $GEO/country.mmdb
geodb = $GEO/asn.mmdb
output = file:$work/not-used.json
log = $work/callfence.log
stats-interval = 1
udp-timeout = 3
max-flows = 256
geo-cache = 1024
dns-cache = 1024
buffer-size = 4096
snaplen = 4096   # bytes
promiscuous = yes
EOF
# LIVE_THREADS=N: the same checks with N capture threads (test-live-threads.sh)
if [ -n "${LIVE_THREADS:-}" ]; then
	echo "threads = $LIVE_THREADS" >> "$work/callfence.conf"
	echo "# with threads = $LIVE_THREADS"
fi

# ---- start-up errors, checked before detaching ----------------------------
in_gw "$CALLFENCE" -D -c "$work/callfence.conf" -i nosuch0 -P "$work/x.pid" \
	-o "file:$work/x.json" 2>"$work/nosuch.err"
rc=$?
check "missing interface: exit 2 and the message" --show "$work/nosuch.err" \
	eval '[ $rc = 2 ] && grep -q "nosuch0: no such interface" "$work/nosuch.err"'
check "missing interface: no daemon, no pidfile" test ! -e "$work/x.pid"
in_gw "$CALLFENCE" -D -c "$work/callfence.conf" -G "$work/none.mmdb" -P "$work/x.pid" \
	-o "file:$work/x.json" 2>"$work/nomdb.err"
rc=$?
check "missing database: exit 2 naming it" --show "$work/nomdb.err" \
	eval '[ $rc = 2 ] && grep -q "$work/none.mmdb" "$work/nomdb.err"'
printf 'interface = lan0\nfrobnicate = 1\n' > "$work/bad.conf"
"$CALLFENCE" -c "$work/bad.conf" 2>"$work/badconf.err"
rc=$?
check "bad configuration file: exit 2, FILE:LINE" --show "$work/badconf.err" \
	eval '[ $rc = 2 ] && grep -q "$work/bad.conf:2: unknown key .frobnicate." "$work/badconf.err"'

# ---- the daemon ----------------------------------------------------------
in_gw "$CALLFENCE" -D -c "$work/callfence.conf" -P "$work/cf.pid" \
	--stats-interval 0 -o "file:$events" 2>"$work/start.err"
rc=$?
pid=$(cat "$work/cf.pid" 2>/dev/null)
check "-D: exit 0, pidfile written, daemon alive" --show "$work/start.err" \
	eval '[ $rc = 0 ] && alive "$pid"'
# session and controlling terminal: fields 6 and 7 of /proc/PID/stat
sess_tty() { sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f4,5; }
check "-D: detached (new session, no terminal, cwd /)" --show "$log" eval \
	'[ "$(sess_tty "$pid" | cut -d" " -f1)" != "$(sess_tty $$ | cut -d" " -f1)" ] &&
	 [ "$(sess_tty "$pid" | cut -d" " -f2)" = 0 ] && [ "$(readlink /proc/$pid/cwd)" = / ]'
check "the command line's -o replaces the file's output" test ! -e "$work/not-used.json"
in_gw "$CALLFENCE" -D -c "$work/callfence.conf" -P "$work/cf.pid" -o "file:$work/x.json" \
	2>"$work/second.err"
rc=$?
check "second instance on the pidfile refuses" --show "$work/second.err" eval \
	'[ $rc = 2 ] && grep -qF "pidfile $work/cf.pid is locked by pid $pid" "$work/second.err"'

send "$work/call.pcap"
check "alert: keys to CN, on lan0" --show "$events" wait_for 10 has \
	'g("event.dataset") == "callfence.alert" and g("destination.ip") == "203.0.113.10" and g("rule.id") == "default-keys-restricted" and g("observer.ingress.interface.name") == "lan0"' "$events"
# (with threads = 2 the IPv6 flow may be another worker's: it alerts a
# moment later, not necessarily before the lan0 one)
check "alert: keys to CN over IPv6" --show "$events" wait_for 10 has \
	'g("event.dataset") == "callfence.alert" and g("destination.ip") == "2001:db8:3::10"' "$events"
check "no alert for DE or US" none \
	'g("event.dataset") == "callfence.alert" and g("destination.ip") in ("192.0.2.10", "198.51.100.10")' "$events"
check "flows end on the timer with no more traffic (udp-timeout 3)" --show "$events" wait_for 10 has \
	'g("event.dataset") == "callfence.flow" and g("destination.ip") == "203.0.113.10" and g("event.reason") == "idle"' "$events"

# ---- stats (SIGUSR1) ------------------------------------------------------
kill -USR1 "$pid"
check "SIGUSR1: a stats event" --show "$events" wait_for 5 has 'g("event.dataset") == "callfence.stats"' "$events"
check "stats: both interfaces, kernel and our counters" --show "$work/last-stats.json" last_stats \
	'[i["name"] for i in g("callfence.stats.interfaces")] == ["lan0", "lan1"] and all(i["received"] > 0 and i["state"] == "up" for i in g("callfence.stats.interfaces")) and g("callfence.stats.packets.processed") >= 60 and g("callfence.stats.packets.dropped") == 0'
check "stats: alerts, flows, caches, memory" --show "$work/last-stats.json" last_stats \
	'g("callfence.stats.alerts.by_severity.critical") == 2 and g("callfence.stats.flows.capacity") == 256 and g("callfence.stats.flows.created") >= 4 and g("callfence.stats.dns_cache.capacity") == 1024 and 0 < g("callfence.stats.geo_cache.capacity") <= 2048 and g("callfence.stats.geo_cache.misses") >= 1 and g("callfence.stats.memory.rss_bytes") > 0 and g("event.kind") == "metric"'

# ---- SIGHUP: a good rules file, then a broken one ------------------------
# The CN flows are alive across the reload; their deciding rule moves from
# index 0 (default.rules) to index 1 (us.rules) and must follow by id.
send "$work/call.pcap"
check "CN flow alerted again before the reload" --show "$events" wait_for 5 eval \
	'[ "$(count "g(\"event.dataset\") == \"callfence.alert\" and g(\"destination.ip\") == \"203.0.113.10\"" "$events")" = 2 ]'
cp "$work/us.rules" "$work/active.rules"
kill -HUP "$pid"
check "SIGHUP: rules reloaded" --show "$log" wait_for 5 logged "reloaded $work/active.rules (3 rules)"
check "a flow judged before the reload keeps its rule (by id)" --show "$events" wait_for 10 eval \
	'[ "$(count "g(\"event.dataset\") == \"callfence.flow\" and g(\"destination.ip\") == \"203.0.113.10\" and g(\"rule.id\") == \"default-keys-restricted\"" "$events")" = 2 ] &&
	 none "g(\"event.dataset\") == \"callfence.flow\" and g(\"destination.ip\") == \"203.0.113.10\" and g(\"rule.id\") != \"default-keys-restricted\"" "$events"'
send "$work/us41.pcap"
check "the new rules alert (keys to the US)" --show "$events" wait_for 10 has \
	'g("rule.id") == "test-us-keys" and g("source.port") == 41003 and g("observer.ingress.interface.name") == "lan1"' "$events"
printf 'alert bogus role media to US\n' > "$work/active.rules"
kill -HUP "$pid"
check "SIGHUP with broken rules: reload failed: FILE:LINE:COL" --show "$log" wait_for 5 \
	grep -q "reload failed: $work/active.rules:1:[0-9]*: " "$log"
send "$work/us42.pcap"
check "... and the previous rules keep working" --show "$events" wait_for 10 has \
	'g("rule.id") == "test-us-keys" and g("source.port") == 42003' "$events"
check "... no packet lost: every flow seen" wait_for 5 has \
	'g("event.dataset") == "callfence.flow" and g("source.port") == 42003 and g("source.packets") >= 8' "$events"

# ---- SIGHUP reopens the log and the outputs (logrotate) ------------------
cp "$work/us.rules" "$work/active.rules"
mv "$events" "$events.1"
mv "$log" "$log.1"
kill -HUP "$pid"
check "SIGHUP: log file reopened" --show "$log.1" wait_for 5 logged "reloaded $work/active.rules"
send "$work/us43.pcap"
check "SIGHUP: output file reopened, new events there" --show "$events" wait_for 10 has \
	'g("rule.id") == "test-us-keys" and g("source.port") == 43003' "$events"
check "... and none in the rotated file" none 'g("source.port") == 43003' "$events.1"

# ---- interfaces going down, disappearing, coming back ---------------------
ip -n "$GW" link set lan0 down
check "lan0 down: reported" --show "$log" wait_for 5 logged "lan0: interface went down"
ip -n "$GW" link set lan0 up
check "lan0 up: reported" --show "$log" wait_for 5 logged "lan0: interface is up again"
# lan1 goes down first, then disappears: its capture must not be taken
# for one that is merely down (a new lan1 has a new ifindex).
ip -n "$GW" link set lan1 down
check "lan1 down: reported" --show "$log" wait_for 5 logged "lan1: interface went down"
ip -n "$GW" link del lan1
check "lan1 disappears: capture error logged with its name" --show "$log" \
	wait_for 5 logged "capture error on lan1"
check "... the daemon keeps running" alive "$pid"
lan1_up
check "lan1 back: reopened" --show "$log" wait_for 10 logged "lan1: capturing"
send "$work/us44.pcap"
check "lan1 traffic after the reopen" --show "$events" wait_for 10 has \
	'g("rule.id") == "test-us-keys" and g("source.port") == 44003 and g("observer.ingress.interface.name") == "lan1"' "$events"

# ---- a flood of new flows: bounded, evicted, counted ----------------------
python3 "$here/live-send.py" flood --ns "$C1=10.1.0.5" --to 198.51.100.10:9 --count 1200 >/dev/null
sleep 1
kill -USR1 "$pid"
sleep 2
check "flood: flows evicted and counted, table bounded" --show "$work/last-stats.json" last_stats \
	'g("callfence.stats.flows.evicted") > 500 and g("callfence.stats.flows.active") <= 256 and g("callfence.stats.flows.peak") <= 256'
check "stats: reloads 2, one failure, lan1 reopened once" --show "$work/last-stats.json" last_stats \
	'g("callfence.stats.reloads") == 2 and g("callfence.stats.reload_failures") == 1 and [i["reopens"] for i in g("callfence.stats.interfaces")] == [0, 1] and [i["errors"] for i in g("callfence.stats.interfaces")] == [0, 1]'
check "... the daemon keeps running" alive "$pid"

# ---- -u nobody: privileges dropped; a full disk reported -----------------
ip netns exec "$GW" env ASAN_OPTIONS="detect_leaks=0:log_path=$work/asan" "$CALLFENCE" \
	-c "$work/callfence.conf" -u nobody -i lan0 -P "$work/nobody.pid" \
	--log "$work/nobody.log" -o file:/dev/full -o "file:$work/nobody.json" &
fgpid=$!
check "-u nobody: started" --show "$work/nobody.log" wait_for 10 logged "capturing on 1 interface" "$work/nobody.log"
status=/proc/$fgpid/status
check "-u nobody: uid and gid 65534, no capabilities, no_new_privs" --show "$status" eval \
	'grep -q "^Uid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534$" "$status" &&
	 grep -q "^Gid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534$" "$status" &&
	 grep -q "^CapEff:[[:space:]]*0000000000000000$" "$status" &&
	 grep -q "^CapPrm:[[:space:]]*0000000000000000$" "$status" &&
	 grep -q "^NoNewPrivs:[[:space:]]*1$" "$status"'
send "$work/us45.pcap"
send "$work/call.pcap"
check "full disk (/dev/full): reported" --show "$work/nobody.log" wait_for 10 logged "failed write" "$work/nobody.log"
check "... counted in the stats, the other output still written" --show "$work/nobody.json" wait_for 5 eval \
	'grep "callfence.stats" "$work/nobody.json" | tail -n 1 > "$work/nb-stats.json" &&
	 has "g(\"callfence.stats.output.write_errors\") > 0 and [i[\"name\"] for i in g(\"callfence.stats.interfaces\")] == [\"lan0\"]" "$work/nb-stats.json" &&
	 has "g(\"event.dataset\") == \"callfence.alert\"" "$work/nobody.json"'
kill -TERM "$fgpid"
wait "$fgpid"
rc=$?
# the events /dev/full refused are lost: exit 3, the output and the count logged
check "-u nobody: SIGTERM, exit 3 (events lost to /dev/full)" eval '[ $rc = 3 ]'
check "... the loss named at exit: output, count" --show "$work/nobody.log" eval \
	'grep -q "output file:/dev/full: [1-9][0-9]* event(s) lost in this run" "$work/nobody.log" &&
	 ! grep -q "output file:$work/nobody.json: .* lost" "$work/nobody.log"'
check "... the other output's file given to nobody" eval \
	'[ "$(stat -c %u:%g "$work/nobody.json")" = 65534:65534 ]'
fgpid=
check "... its pidfile emptied or removed" eval '[ ! -s "$work/nobody.pid" ]'

# ---- SIGTERM: every open flow ends ----------------------------------------
send "$work/call.pcap"
kill -TERM "$pid"
check "SIGTERM: the daemon ends" wait_for 15 gone "$pid"
check "SIGTERM: open flows written with reason shutdown" --show "$events" has \
	'g("event.dataset") == "callfence.flow" and g("destination.ip") == "203.0.113.10" and g("event.reason") == "shutdown"' "$events"
check "SIGTERM: a last stats event and the report" eval \
	'tail -n 2 "$events" | head -n 1 | grep -q "callfence.stats" && tail -n 1 "$events" | grep -q "callfence.report"'
check "SIGTERM: pidfile removed, stop logged" eval '[ ! -e "$work/cf.pid" ] && logged stopped'
pid=
check "every event line is JSON" eval 'count True "$events" "$events.1" "$work/nobody.json" >/dev/null'

# ---- sanitizers ------------------------------------------------------------
if ls "$work"/asan.* >/dev/null 2>&1; then
	fail "sanitizer reports"; cat "$work"/asan.*
else
	ok "no sanitizer report"
fi

echo "$n checks, $fails failed"
if [ "$fails" = 0 ]; then
	rm -rf "$work"
	exit 0
fi
echo "files kept in $work"
exit 1
