#!/bin/sh
# test-compare.sh - test the end-to-end comparator (compare.py) on
# hand-made NDJSON: what must pass passes, what must fail fails with the
# message a reader needs.
#
# Environment: SRCDIR (default: two levels above this script), PYTHON
# (default python3).  Exit: 0 pass, 1 fail, 77 skipped (no python3).

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
CMP="$PYTHON $SRCDIR/tests/e2e/compare.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cf-compare.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
n=0

# run NAME WANT_STATUS WANT_OUTPUT compare.py-args...
run() {
	name=$1 want_rc=$2 want_out=$3
	shift 3
	n=$((n + 1))
	# shellcheck disable=SC2086
	out=$($CMP "$@" 2>&1)
	rc=$?
	out=$(echo "$out" | sed "s|$tmp/||g")
	if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
		fails=$((fails + 1))
		printf 'FAIL %s\n  status %s, want %s\n  output:\n%s\n  want:\n%s\n' \
			"$name" "$rc" "$want_rc" "$out" "$want_out"
	fi
}

# The actual output of a pretend run: two alerts, two flows, the report.
cat >"$tmp/act.json" <<'EOF'
{"@timestamp":"2024-03-01T10:00:01.530Z","event":{"kind":"alert","dataset":"callfence.alert","severity":99},"rule":{"id":"e2e-eu:10","ruleset":"e2e-eu"},"source":{"ip":"10.1.0.5","port":50002},"destination":{"ip":"203.0.113.10","port":3478,"geo":{"country_iso_code":"CN"},"as":{"number":64520}},"network":{"transport":"udp","protocol":"dtls","vlan":{"id":"100"}},"callfence":{"role":"key-exchange","roles":["key-exchange","media"]}}
{"@timestamp":"2024-03-01T10:00:02.000Z","event":{"kind":"alert","dataset":"callfence.alert","severity":73},"rule":{"id":"e2e-eu:12","ruleset":"e2e-eu"},"source":{"ip":"10.1.0.5","port":50010},"destination":{"ip":"198.51.100.10","port":8801,"geo":{"country_iso_code":"US"},"as":{"number":64510}},"network":{"transport":"udp","application":"zoom"},"callfence":{"role":"media","roles":["media"]}}
{"event":{"kind":"event","dataset":"callfence.flow"},"destination":{"ip":"203.0.113.10","port":3478},"callfence":{"verdict":"alert"}}
{"event":{"kind":"event","dataset":"callfence.flow"},"destination":{"ip":"198.51.100.10","port":8801},"callfence":{"verdict":"alert"}}
{"event":{"kind":"metric","dataset":"callfence.report"},"callfence":{"report":{"flows":4,"alerts":2}}}
EOF

# ---- expected events, in order per dataset ----
cat >"$tmp/exp-ok.json" <<'EOF'
# comments and blank lines are allowed in expected files

{"event":{"dataset":"callfence.alert","severity":99},"rule":{"id":"e2e-eu:10"},"destination":{"ip":"203.0.113.10","geo":{"country_iso_code":"CN"}},"network":{"vlan":{"id":"100"}},"callfence":{"roles":["key-exchange","media"]},"@timestamp":"*"}
{"event":{"dataset":"callfence.flow"},"destination":{"ip":"203.0.113.10"}}
{"event":{"dataset":"callfence.alert"},"rule":{"id":"e2e-eu:12"},"destination":{"ip":"198.51.100.10","domain":"-absent-"},"network":{"application":"zoom"}}
{"event":{"dataset":"callfence.flow"},"destination":{"ip":"198.51.100.10"}}
{"event":{"dataset":"callfence.report"}}
EOF
run "match (order kept per dataset, not across)" 0 "" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-ok.json"

sed 's/"ip":"198.51.100.10","domain"/"ip":"198.51.100.10","geo":{"country_iso_code":"CN"},"domain"/' \
	"$tmp/exp-ok.json" >"$tmp/exp-cc.json"
run "wrong country" 1 "alert #2: destination.geo.country_iso_code: got 'US', want 'CN'" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-cc.json"

sed 's/"domain":"-absent-"/"port":"8801","as":{"number":64510}/' "$tmp/exp-ok.json" >"$tmp/exp-ty.json"
run "a string is not a number" 1 "alert #2: destination.port: got 8801, want '8801'" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-ty.json"

sed 's/"roles":\["key-exchange","media"\]/"roles":["media","key-exchange"]/' "$tmp/exp-ok.json" >"$tmp/exp-ls.json"
run "lists compare in order" 1 \
	"alert #1: callfence.roles: got [\"key-exchange\", \"media\"], want [\"media\", \"key-exchange\"]" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-ls.json"

sed 's/"domain":"-absent-"/"application":"-absent-"/' "$tmp/exp-ok.json" |
	sed 's/"network":{"application":"zoom"}/"network":{"application":"-absent-"}/' >"$tmp/exp-ab.json"
run "-absent- field present" 1 "alert #2: network.application: got 'zoom', want absent" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-ab.json"

sed 's/"@timestamp":"\*"/"observer":{"hostname":"*"}/' "$tmp/exp-ok.json" >"$tmp/exp-any.json"
run "* field absent" 1 "alert #1: observer.hostname: got absent, want '*'" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-any.json"

# swap the two alerts of the expected file: same events, wrong order
grep -v '^#' "$tmp/exp-ok.json" | grep -v '^$' >"$tmp/e"
{ sed -n 3p "$tmp/e"; sed -n 2p "$tmp/e"; sed -n 1p "$tmp/e"; sed -n '4,$p' "$tmp/e"; } >"$tmp/exp-order.json"
run "alerts out of order" 1 "alert #1: rule.id: got 'e2e-eu:10', want 'e2e-eu:12'
alert #1: destination.ip: got '203.0.113.10', want '198.51.100.10'
alert #1: network.application: got absent, want 'zoom'
alert #2: event.severity: got 73, want 99
alert #2: rule.id: got 'e2e-eu:12', want 'e2e-eu:10'
alert #2: destination.ip: got '198.51.100.10', want '203.0.113.10'
alert #2: destination.geo.country_iso_code: got 'US', want 'CN'
alert #2: network.vlan.id: got absent, want '100'
alert #2: callfence.roles: got [\"media\"], want [\"key-exchange\", \"media\"]" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-order.json"

grep -v '"rule":{"id":"e2e-eu:12"}' "$tmp/exp-ok.json" >"$tmp/exp-less.json"
run "an alert nobody expected" 1 "alert: got 2 events, want 1
alert #2: unexpected event (line 2): rule.id='e2e-eu:12', source.ip='10.1.0.5', source.port=50010, destination.ip='198.51.100.10', destination.port=8801, destination.geo.country_iso_code='US'" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-less.json"

{ cat "$tmp/exp-ok.json"; echo '{"event":{"dataset":"callfence.alert"},"rule":{"id":"e2e-eu:11"}}'; } >"$tmp/exp-more.json"
run "an expected alert missing" 1 "alert: got 2 events, want 3
alert #3: missing, want {\"event\": {\"dataset\": \"callfence.alert\"}, \"rule\": {\"id\": \"e2e-eu:11\"}}" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-more.json"

grep -v callfence.flow "$tmp/exp-ok.json" >"$tmp/exp-noflow.json"
run "a dataset the expected file does not list" 1 "flow: got 2 events, want 0
flow #1: unexpected event (line 3): destination.ip='203.0.113.10', destination.port=3478
flow #2: unexpected event (line 4): destination.ip='198.51.100.10', destination.port=8801" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-noflow.json"

{ sed -n 5p "$tmp/act.json"; sed -n '1,4p' "$tmp/act.json"; } >"$tmp/act-rfirst.json"
run "report not the last line" 1 "report: the callfence.report event (line 1) is not the last line" \
	check --actual "$tmp/act-rfirst.json" --expected "$tmp/exp-ok.json"

{ echo '{"event":{"dataset":"callfence.report"}}'; cat "$tmp/act.json"; } >"$tmp/act-2r.json"
run "two reports" 1 "report: 2 callfence.report events, want at most 1
report: got 2 events, want 1
report #2: unexpected event (line 6): {\"event\": {\"kind\": \"metric\", \"dataset\": \"callfence.report\"}, \"callfence\": {\"report\": {\"flows\": 4, \"alerts\": 2}}}" \
	check --actual "$tmp/act-2r.json" --expected "$tmp/exp-ok.json"

{ head -2 "$tmp/act.json"; echo '{"event":{"dataset":"callfence.flow"'; } >"$tmp/act-bad.json"
run "broken JSON line" 2 "compare.py: act-bad.json:3: not JSON: Expecting ',' delimiter: line 1 column 37 (char 36)" \
	check --actual "$tmp/act-bad.json" --expected "$tmp/exp-ok.json"

echo '{"event":{"kind":"alert"},"rule":{"id":"x"}}' >"$tmp/act-nods.json"
run "event without dataset" 2 "compare.py: act-nods.json:1: no event.dataset" \
	check --actual "$tmp/act-nods.json" --expected "$tmp/exp-ok.json"

echo '{"event":{"dataset":"callfence.alert"},"callfence":{"relayed":true,"n":1}}' >"$tmp/act-bool.json"
echo '{"event":{"dataset":"callfence.alert"},"callfence":{"relayed":1,"n":true}}' >"$tmp/exp-bool.json"
run "true is not 1" 1 "alert #1: callfence.relayed: got true, want 1
alert #1: callfence.n: got 1, want true" \
	check --actual "$tmp/act-bool.json" --expected "$tmp/exp-bool.json"

# flat dotted keys are the same fields as nested ones
echo '{"event.dataset":"callfence.alert","destination.geo":{"country_iso_code":"CN"}}' >"$tmp/act-flat.json"
echo '{"event":{"dataset":"callfence.alert"},"destination":{"geo":{"country_iso_code":"CN"}}}' >"$tmp/exp-flat.json"
run "dotted keys" 0 "" check --actual "$tmp/act-flat.json" --expected "$tmp/exp-flat.json"

: >"$tmp/empty.json"
run "no events, none expected" 0 "" check --actual "$tmp/empty.json" --expected "$tmp/empty.json"
run "no events, some expected" 1 "alert: got 0 events, want 1
alert #1: missing, want {\"event\": {\"dataset\": \"callfence.alert\"}, \"destination\": {\"geo\": {\"country_iso_code\": \"CN\"}}}" \
	check --actual "$tmp/empty.json" --expected "$tmp/exp-flat.json"

# ---- checks ----
cat >"$tmp/ok.checks" <<'EOF'
# exactly one critical key-exchange alert to CN
count 1 event.dataset=callfence.alert rule.id=e2e-eu:10 destination.geo.country_iso_code=CN event.severity=99
count 2 event.dataset=callfence.alert
count 0 event.dataset=callfence.alert destination.as.number!=64520 destination.as.number!=64510
count >=1 network.vlan.id="100"
count 0 network.vlan.id=100
count <=2 event.dataset=callfence.flow callfence.verdict=alert
count 1 event.dataset=callfence.alert destination.domain=-absent- network.application=*
count 1 callfence.roles=["key-exchange","media"]
count 5
EOF
run "checks that hold" 0 "" check --actual "$tmp/act.json" --checks "$tmp/ok.checks"

cat >"$tmp/bad.checks" <<'EOF'
count 1 event.dataset=callfence.alert destination.geo.country_iso_code=HK
count >=3 event.dataset=callfence.flow
count 0 event.dataset=callfence.alert destination.geo.country_iso_code!=CN
count 1 destination.port="3478"
EOF
run "checks that fail" 1 "bad.checks:1: count 1 event.dataset=callfence.alert destination.geo.country_iso_code=HK: got 0 matching events (closest: line 1, destination.geo.country_iso_code: got 'CN')
bad.checks:2: count >=3 event.dataset=callfence.flow: got 2 matching events
bad.checks:3: count 0 event.dataset=callfence.alert destination.geo.country_iso_code!=CN: got 1 matching events
bad.checks:4: count 1 destination.port=\"3478\": got 0 matching events" \
	check --actual "$tmp/act.json" --checks "$tmp/bad.checks"

echo 'count one rule.id=x' >"$tmp/syntax.checks"
run "checks syntax error" 2 "compare.py: syntax.checks:1: bad count 'one'" \
	check --actual "$tmp/act.json" --checks "$tmp/syntax.checks"

run "checks and expected together report both" 1 "alert #2: destination.geo.country_iso_code: got 'US', want 'CN'
bad.checks:1: count 1 event.dataset=callfence.alert destination.geo.country_iso_code=HK: got 0 matching events (closest: line 1, destination.geo.country_iso_code: got 'CN')
bad.checks:2: count >=3 event.dataset=callfence.flow: got 2 matching events
bad.checks:3: count 0 event.dataset=callfence.alert destination.geo.country_iso_code!=CN: got 1 matching events
bad.checks:4: count 1 destination.port=\"3478\": got 0 matching events" \
	check --actual "$tmp/act.json" --expected "$tmp/exp-cc.json" --checks "$tmp/bad.checks"

# ---- report subset ----
cat >"$tmp/report.json" <<'EOF'
{"inputs": ["x.pcap"], "packets": 120, "flows": {"created": 5, "audited": 4},
 "alerts": {"total": 2, "by_severity": {"critical": 1, "high": 1}},
 "unknown_countries": ["203.0.113.200"], "wall_seconds": 0.02}
EOF
echo '{"packets": 120, "flows": {"audited": 4}, "unknown_countries": ["203.0.113.200"], "wall_seconds": "*", "errors": "-absent-"}' >"$tmp/rep-ok.json"
run "report subset" 0 "" check --actual "$tmp/act.json" --report-expected "$tmp/rep-ok.json" --report-actual "$tmp/report.json"
echo '{"packets": 121, "flows": {"audited": 4, "evicted": 0}, "alerts": {"by_severity": {"critical": 2}}, "unknown_countries": [], "inputs": "-absent-"}' >"$tmp/rep-bad.json"
run "report differences" 1 "report packets: got 120, want 121
report flows.evicted: got absent, want 0
report alerts.by_severity.critical: got 1, want 2
report unknown_countries: got [\"203.0.113.200\"], want []
report inputs: got [\"x.pcap\"], want absent" \
	check --actual "$tmp/act.json" --report-expected "$tmp/rep-bad.json" --report-actual "$tmp/report.json"

# ---- regen round trip ----
$CMP regen --actual "$tmp/act.json" >"$tmp/regen.json"
run "regen output matches its own input" 0 "" check --actual "$tmp/act.json" --expected "$tmp/regen.json"
n=$((n + 1))
got=$(grep -c '"domain": "-absent-"' "$tmp/regen.json")
[ "$got" = 4 ] || { fails=$((fails + 1)); echo "FAIL regen: $got alert/flow lines with destination.domain -absent-, want 4"; }
sed -n 1p "$tmp/regen.json" >"$tmp/regen1"
want='{"event": {"dataset": "callfence.alert", "kind": "alert", "action": "-absent-", "severity": 99}, "rule": {"id": "e2e-eu:10", "ruleset": "e2e-eu"}, "ecs": {"version": "-absent-"}, "source": {"ip": "10.1.0.5", "port": 50002, "geo": {"country_iso_code": "-absent-"}}, "destination": {"ip": "203.0.113.10", "port": 3478, "domain": "-absent-", "geo": {"country_iso_code": "CN"}, "as": {"number": 64520}}, "client": {"ip": "-absent-"}, "server": {"ip": "-absent-"}, "related": {"ip": "-absent-"}, "network": {"transport": "udp", "type": "-absent-", "protocol": "dtls", "application": "-absent-", "direction": "-absent-", "vlan": {"id": "100"}}, "callfence": {"role": "key-exchange", "roles": ["key-exchange", "media"], "app": "-absent-", "verdict": "-absent-", "remote_end": "-absent-", "jurisdiction": {"observed": "-absent-"}, "call": {"id": "-absent-", "linked_by": "-absent-", "app": "-absent-", "flows": "-absent-", "alerts": "-absent-", "verdict": {"severity": "-absent-"}}}}'
n=$((n + 1))
[ "$(cat "$tmp/regen1")" = "$want" ] || { fails=$((fails + 1)); printf 'FAIL regen first line:\n%s\nwant:\n%s\n' "$(cat "$tmp/regen1")" "$want"; }
$CMP regen --actual "$tmp/act.json" --fields event.dataset,rule.id --no-absent >"$tmp/regen2.json"
n=$((n + 1))
[ "$(sed -n 2p "$tmp/regen2.json")" = '{"event": {"dataset": "callfence.alert"}, "rule": {"id": "e2e-eu:12"}}' ] &&
[ "$(sed -n 3p "$tmp/regen2.json")" = '{"event": {"dataset": "callfence.flow"}}' ] ||
	{ fails=$((fails + 1)); echo "FAIL regen --fields:"; cat "$tmp/regen2.json"; }
sed 's/"zoom"/"teams"/' "$tmp/act.json" >"$tmp/act-teams.json"
run "regen expectations catch a change" 1 "alert #2: network.application: got 'teams', want 'zoom'" \
	check --actual "$tmp/act-teams.json" --expected "$tmp/regen.json"

echo '{"packets": 1, "flows": {"audited": 0}, "wall_seconds": "*", "errors": "-absent-"}' >"$tmp/rep-old.json"
$CMP regen-report --old "$tmp/rep-old.json" --actual "$tmp/report.json" >"$tmp/rep-new.json"
n=$((n + 1))
[ "$(tr -d ' \n' <"$tmp/rep-new.json")" = '{"packets":120,"flows":{"audited":4},"wall_seconds":"*","errors":"-absent-"}' ] ||
	{ fails=$((fails + 1)); echo "FAIL regen-report:"; cat "$tmp/rep-new.json"; }

echo "test-compare: $n cases, $fails failed"
[ "$fails" -eq 0 ]
