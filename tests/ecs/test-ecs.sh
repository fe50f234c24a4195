#!/bin/sh
# test-ecs.sh - every event callfence writes in the test suite conforms to
# ECS 8.11.0 as ECS itself defines it (tests/ecs/ecs-fields.json, made from
# ECS's generated/ecs/ecs_flat.yml by extract-ecs.py; see tests/ecs/README):
# the end-to-end cases' events (run-e2e.sh's NAME.out in E2E_OUT), the
# schema test's runs of every scenario with --all-flows and --alert-window
# (tests/work/schema), the output tests' events, and the alert, flow,
# report and stats events the unit test test-event builds (the only stats
# events without live capture).  Every kind must be among them.  Then the
# checker is shown to refuse what ECS refuses: an unknown field, a wrong
# type, a value ECS does not allow, a lone value for an array field, an
# event.type that does not go with event.category, another ecs.version.
#
# Env: SRCDIR, BUILDDIR, PYTHON, E2E_OUT.  Exit 0 pass, 1 fail, 77 skip.
set -u
: "${SRCDIR:?}"
PYTHON=${PYTHON:-python3}
build=${BUILDDIR:-.}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
fixture=$SRCDIR/tests/ecs/ecs-fields.json
check() { "$PYTHON" "$SRCDIR/tests/ecs/check-ecs.py" "$fixture" "$@"; }
work=$build/tests/work/ecs
rm -rf "$work" && mkdir -p "$work" || exit 1

CF_TEST_EVENT_KEEP=$work/unit.ndjson "$build/tests/unit/test-event" >"$work/unit.log" 2>&1 ||
	{ echo "FAIL: tests/unit/test-event: $(tail -3 "$work/unit.log")"; exit 1; }

set -- "$work/unit.ndjson"
for f in "${E2E_OUT:-$build/tests/work/e2e}"/*.out "$build"/tests/work/schema/*.json \
	"$build"/tests/work/outputs/*.expect; do
	[ -s "$f" ] && set -- "$@" "$f"
done
[ $# -gt 1 ] || { echo "FAIL: no end-to-end events to check (run tests/e2e/run-e2e.sh first)"; exit 1; }
check --require alert,flow,report,stats "$@" || { echo "FAIL: events that are not ECS ${fixture##*/}"; exit 1; }

# The check must fail where ECS says no: each mutation of a real alert.
alert=$(grep -h '"callfence.alert"' "$work/unit.ndjson" | head -1)
[ -n "$alert" ] || { echo "FAIL: no alert to mutate"; exit 1; }
n=0
bad() {  # NAME SED-EXPRESSION
	n=$((n + 1))
	printf '%s\n' "$alert" | sed "$2" >"$work/bad$n.ndjson"
	if [ "$(cat "$work/bad$n.ndjson")" = "$alert" ]; then
		echo "FAIL: mutation '$1' changed nothing"; exit 1
	fi
	if check "$work/bad$n.ndjson" >"$work/bad$n.out"; then
		echo "FAIL: $1 passed the ECS check"; exit 1
	fi
	echo "ok   refused: $1 ($(head -1 "$work/bad$n.out" | sed 's/^[^ ]* //'))"
}
bad "an unknown field"            's/"network":{/"network":{"bogus":1,/'
bad "an unknown field set"        's/"network":{/"netwerk":{"x":1},"network":{/'
bad "a port as a string"          's/"port":\([0-9]*\)/"port":"\1"/'
bad "an address that is no IP"    's/"ip":"\([0-9.]*\)"/"ip":"\1.999"/'
bad "network.direction sideways"  's/"direction":"[a-z]*"/"direction":"sideways"/'
bad "event.kind alarm"            's/"kind":"alert"/"kind":"alarm"/'
bad "event.category a string"     's/"category":\["network"\]/"category":"network"/'
bad "event.type creation"         's/"type":\["connection"\]/"type":["creation"]/'
bad "ecs.version 8.0.0"           's/"version":"8\.11\.0"/"version":"8.0.0"/'
bad "a date that is not ISO 8601" 's/"@timestamp":"\([0-9-]*\)T/"@timestamp":"\1 /'
bad "an object for a keyword"     's/"application":"[a-z]*"/"application":{"name":"zoom"}/'
echo "ok   $n mutations refused"
