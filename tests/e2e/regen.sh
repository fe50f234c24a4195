#!/bin/sh
# regen.sh - rewrite expected/NAME.json (and expected/NAME.report.json if
# it exists) from what callfence does now, after a reviewed, deliberate
# change.  Review the result with "git diff tests/e2e/expected" before it
# is committed: the diff is the change in behaviour.
#
#   regen.sh [-f FIELD,FIELD...] NAME...      (or --all)
#
# Each case is run first by run-e2e.sh --no-compare (same environment
# variables: CALLFENCE, CFGEN, GEO, SRCDIR, E2E_OUT); a case that crashes,
# exits with the wrong status or writes unexpected stderr is not
# regenerated.  Only the listed fields are kept (default: compare.py's
# DEFAULT_FIELDS), with "-absent-" for listed fields an alert or flow event
# lacks.  The .checks files are hand-written and never touched; a case
# that shares another's expectations (expect=OTHER) is skipped: regenerate
# OTHER.

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
E2E=$SRCDIR/tests/e2e
OUT=${E2E_OUT:-${BUILDDIR:-.}/tests/work/e2e}
PYTHON=${PYTHON:-python3}
export SRCDIR E2E_OUT="$OUT"

fields=""
if [ "$1" = "-f" ]; then
	fields="--fields $2"
	shift 2
fi
if [ "$1" = "--all" ]; then
	# shellcheck disable=SC2046
	set -- $(awk '!/^#/ && NF >= 3 && !/expect=/ { print $1 }' "$E2E/TESTLIST")
fi
if [ $# -eq 0 ]; then
	echo "usage: regen.sh [-f FIELD,FIELD...] NAME... | --all" >&2
	exit 2
fi

sh "$E2E/run-e2e.sh" --no-compare "$@"
rc=$?
case $rc in 77 | 99) exit $rc ;; esac

status=0
for name in "$@"; do
	line=$(awk -v n="$name" '$1 == n' "$E2E/TESTLIST")
	case "$line" in
	*" expect="*)
		echo "skip $name: it shares another case's expectations (regenerate that one)"
		continue ;;
	esac
	if [ "$(cat "$OUT/$name.result" 2>/dev/null)" != ok ]; then
		echo "skip $name: the run failed (see above); nothing regenerated"
		status=1
		continue
	fi
	exp=$E2E/expected/$name
	# shellcheck disable=SC2086
	"$PYTHON" "$E2E/compare.py" regen --actual "$OUT/$name.out" $fields >"$exp.json.new" &&
		mv "$exp.json.new" "$exp.json" || { rm -f "$exp.json.new"; status=1; continue; }
	if [ -f "$exp.report.json" ]; then
		"$PYTHON" "$E2E/compare.py" regen-report --old "$exp.report.json" \
			--actual "$OUT/$name.report.json" >"$exp.report.new" &&
			mv "$exp.report.new" "$exp.report.json" || { rm -f "$exp.report.new"; status=1; }
	fi
	echo "wrote expected/$name.json$([ -f "$exp.report.json" ] && echo " and $name.report.json")"
done
echo "review: git diff -- tests/e2e/expected"
exit $status
