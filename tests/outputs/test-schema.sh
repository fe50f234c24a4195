#!/bin/sh
# test-schema.sh - every event validates against its JSON Schema in
# docs/schema (additionalProperties false at every level): the events the
# end-to-end tests wrote (run-e2e.sh's NAME.out in E2E_OUT, by default
# tests/work/e2e), those of the
# output tests (tests/work/outputs), and a run of every end-to-end
# scenario with --all-flows and --alert-window, so that flow records of
# every kind and folded alerts are covered too, and the events of the unit
# test test-event (the stats event's only source without live capture).
#
# Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR, PYTHON.
# Exit: 0 pass, 1 fail, 77 skipped (no python3, no python3-jsonschema, no
# geography fixtures).
set -u
: "${CALLFENCE:?}" "${CFGEN:?}" "${GEO:?}" "${SRCDIR:?}"
PYTHON=${PYTHON:-python3}
build=${BUILDDIR:-.}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
"$PYTHON" -c 'import jsonschema' 2>/dev/null ||
	{ echo "SKIP: the Python module jsonschema is missing (Debian: python3-jsonschema)"; exit 77; }
[ -f "$GEO/country.mmdb" ] || { echo "SKIP: no $GEO/country.mmdb"; exit 77; }
work=$build/tests/work/schema
rm -rf "$work" && mkdir -p "$work" || exit 1

for scn in "$SRCDIR"/tests/e2e/scenarios/*.scn; do
	name=$(basename "$scn" .scn)
	"$CFGEN" "$scn" "$work/$name.pcap" 2>/dev/null || continue   # cut captures: e2e's business
	"$CALLFENCE" -q -r "$work/$name.pcap" -R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" \
		-G "$GEO/country.mmdb" -G "$GEO/asn.mmdb" --all-flows --alert-window 30 \
		>"$work/$name.json" 2>"$work/$name.err"
	[ $? -le 1 ] || { echo "FAIL: callfence on $name: $(head -3 "$work/$name.err")"; exit 1; }
done

# the unit test's alert, flow, report and stats events (stats: the only
# ones without live capture)
rm -f "$work/unit.ndjson"
CF_TEST_EVENT_KEEP=$work/unit.ndjson "$build/tests/unit/test-event" >"$work/unit.log" 2>&1 ||
	{ echo "FAIL: tests/unit/test-event: $(tail -3 "$work/unit.log")"; exit 1; }
set -- "$work"/*.json "$work/unit.ndjson"
for f in "${E2E_OUT:-$build/tests/work/e2e}"/*.out "$build"/tests/work/outputs/*.expect; do
	[ -s "$f" ] && set -- "$@" "$f"
done
"$PYTHON" "$SRCDIR/tests/outputs/validate-schema.py" "$SRCDIR/docs/schema" \
	--require alert,flow,report,stats,call "$@"
rc=$?
[ $rc -eq 0 ] || exit $rc

# The schemas must refuse what they do not describe: an unknown field.
sed -n '/"callfence.alert"/{s/"network":{/"network":{"bogus":1,/p;q}' "$work"/*.json | head -1 >"$work/bad.ndjson"
if [ ! -s "$work/bad.ndjson" ] ||
	"$PYTHON" "$SRCDIR/tests/outputs/validate-schema.py" "$SRCDIR/docs/schema" "$work/bad.ndjson" >/dev/null; then
	echo "FAIL: an alert with an unknown field passed the schema"
	exit 1
fi
echo "ok   an unknown field is refused"
