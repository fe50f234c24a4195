#!/bin/sh
# run-e2e.sh - callfence's end-to-end tests, in the manner of tcpdump's
# tests/TESTLIST: for every case, build the capture from its scenario with
# cfgen, run callfence on it, and fail on a crash or hang, an unexpected
# exit status, any unexpected stderr output, or events that differ from
# expected/ (see TESTLIST for the format of a case and compare.py for how
# events are compared).
#
#   run-e2e.sh [--no-compare] [NAME...]     (no NAME: every case)
#
# Environment (all optional; the defaults suit "make check" in the build
# directory):
#   CALLFENCE  the program under test  (default ./src/callfence, ./callfence)
#   CFGEN      the capture generator   (default ./tests/gen/cfgen, ./cfgen)
#   GEO        directory with country.mmdb and asn.mmdb built by
#              tests/geo/build-fixtures.sh               (default ./tests/geo)
#   SRCDIR     the source tree         (default: two levels above this script)
#   E2E_OUT    where captures and outputs go
#              (default $BUILDDIR/tests/work/e2e, BUILDDIR defaulting to .)
#   E2E_TIMEOUT seconds a case may run                    (default 120)
#   PYTHON     (default python3)
#
# For each case E2E_OUT holds NAME.pcap[ng], NAME.out (stdout), NAME.err,
# NAME.report.json and NAME.result ("ok" or the reasons it failed).
# --no-compare checks everything except the events (regen.sh uses it).
# Exit: 0 all passed, 1 a case failed, 77 skipped (no python3 or no geo
# fixtures), 99 the programs under test are missing.

set -f   # TESTLIST words are split, never globbed
here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
# the shipped catalog and rules of this tree (make check sets it too)
export CALLFENCE_DATADIR="${CALLFENCE_DATADIR:-$SRCDIR}"
E2E=$SRCDIR/tests/e2e
OUT=${E2E_OUT:-${BUILDDIR:-.}/tests/work/e2e}
GEO=${GEO:-./tests/geo}
PYTHON=${PYTHON:-python3}
TIMEOUT=${E2E_TIMEOUT:-120}

first_exe() {
	for c in "$@"; do
		[ -x "$c" ] && { echo "$c"; return; }
	done
}
CALLFENCE=${CALLFENCE:-$(first_exe ./src/callfence ./callfence)}
CFGEN=${CFGEN:-$(first_exe ./tests/gen/cfgen ./cfgen)}

compare=1
if [ "$1" = "--no-compare" ]; then
	compare=0
	shift
fi
only=" $* "

command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: $PYTHON not found"; exit 77; }
for f in country.mmdb asn.mmdb; do
	if [ ! -f "$GEO/$f" ]; then
		echo "SKIP: $GEO/$f missing (build it with tests/geo/build-fixtures.sh or set GEO)"
		exit 77
	fi
done
if [ -z "$CALLFENCE" ] || [ ! -x "$CALLFENCE" ]; then
	echo "ERROR: callfence not found (set CALLFENCE)"
	exit 99
fi
if [ -z "$CFGEN" ] || [ ! -x "$CFGEN" ]; then
	echo "ERROR: cfgen not found (set CFGEN)"
	exit 99
fi
mkdir -p "$OUT" || exit 99
TO=""
command -v timeout >/dev/null 2>&1 && TO="timeout $TIMEOUT"

passed=0
failed=0
reasons=""

fail() {
	reasons="$reasons
    $*"
}

# stderr_ok NAME ERRFILE: without expected/NAME.stderr stderr must be
# empty; with it, every stderr line must match one of its patterns and
# every pattern must match a line.
stderr_ok() {
	pat=$E2E/expected/$1.stderr
	if [ ! -f "$pat" ]; then
		[ -s "$2" ] && fail "unexpected stderr: $(head -5 "$2")"
		return
	fi
	stray=$(grep -v -E -f "$pat" "$2")
	[ -n "$stray" ] && fail "unexpected stderr: $(echo "$stray" | head -5)"
	while IFS= read -r p; do
		[ -z "$p" ] && continue
		grep -q -E -e "$p" "$2" || fail "stderr does not match /$p/"
	done <"$pat"
}

# compare_events NAME EXPECT
compare_events() {
	ename=$2
	exp=$E2E/expected/$ename
	set --
	[ -f "$exp.json" ] && set -- "$@" --expected "$exp.json"
	[ -f "$exp.checks" ] && set -- "$@" --checks "$exp.checks"
	if [ $# -eq 0 ]; then
		fail "no expected/$ename.json or expected/$ename.checks (review $OUT/$name.out, then run regen.sh $name)"
		return
	fi
	[ -f "$exp.report.json" ] &&
		set -- "$@" --report-expected "$exp.report.json" --report-actual "$OUT/$name.report.json"
	if ! diffs=$("$PYTHON" "$E2E/compare.py" check --actual "$OUT/$name.out" "$@" 2>&1); then
		fail "$(echo "$diffs" | sed -e "s|$E2E/||g" -e '2,$s/^/    /')"
	fi
	[ -f "$exp.json" ] || note=" (checks only: no expected/$ename.json yet)"
}

# run_case NAME SCENARIO RULES WANT_EXIT EXPECT CFGEN_OPTS CALLFENCE_ARGS
run_case() {
	name=$1 scn=$2 rules=$3 want=$4 expect=$5 gopts=$6 cargs=$7 catalog=$8
	reasons=""
	note=""
	ext=pcap
	case " $gopts " in *" -Fpcapng "*) ext=pcapng ;; esac
	cap=$OUT/$name.$ext
	case "$rules" in */*) rules=$SRCDIR/$rules ;; *) rules=$E2E/rules/$rules ;; esac
	rm -f "$OUT/$name".*
	# shellcheck disable=SC2086
	if ! "$CFGEN" $gopts "$E2E/scenarios/$scn" "$cap" 2>"$OUT/$name.cfgen.err"; then
		fail "cfgen failed: $(cat "$OUT/$name.cfgen.err")"
	else
		# shellcheck disable=SC2086
		$TO "$CALLFENCE" -q -r "$cap" -R "$rules" -G "$GEO/country.mmdb" \
			-G "$GEO/asn.mmdb" --report "$OUT/$name.report.json" \
			${catalog:+-A "$E2E/rules/$catalog"} $cargs \
			>"$OUT/$name.out" 2>"$OUT/$name.err"
		rc=$?
		if [ -n "$TO" ] && [ "$rc" -eq 124 ]; then
			fail "timed out after $TIMEOUT s"
		elif [ "$rc" -ge 128 ]; then
			fail "crashed: killed by signal $((rc - 128))"
		elif [ "$rc" -ne "$want" ]; then
			fail "exit status $rc, want $want"
		fi
		stderr_ok "$name" "$OUT/$name.err"
		[ "$compare" -eq 1 ] && [ "$rc" -lt 124 ] && compare_events "$name" "$expect"
	fi
	if [ -z "$reasons" ]; then
		passed=$((passed + 1))
		echo "ok   $name$note"
		echo ok >"$OUT/$name.result"
	else
		failed=$((failed + 1))
		echo "FAIL $name$reasons"
		echo "$reasons" >"$OUT/$name.result"
	fi
}

ran=""
while read -r line; do
	case "$line" in "" | "#"*) continue ;; esac
	# shellcheck disable=SC2086
	set -- $line
	if [ $# -lt 3 ]; then
		echo "TESTLIST: bad line: $line"
		failed=$((failed + 1))
		continue
	fi
	name=$1 scn=$2 rules=$3
	shift 3
	want=0 expect=$name gopts="" catalog=""
	while [ $# -gt 0 ]; do
		case "$1" in
		exit=*) want=${1#exit=} ;;
		expect=*) expect=${1#expect=} ;;
		cfgen=*) gopts="$gopts ${1#cfgen=}" ;;
		catalog=*) catalog=${1#catalog=} ;;
		*) break ;;
		esac
		shift
	done
	[ "$only" != "  " ] && case "$only" in *" $name "*) ;; *) continue ;; esac
	ran="$ran $name "
	run_case "$name" "$scn" "$rules" "$want" "$expect" "$gopts" "$*" "$catalog"
done <"$E2E/TESTLIST"

for n in $only; do
	case "$ran" in *" $n "*) ;; *) echo "FAIL $n: no such case in TESTLIST"; failed=$((failed + 1)) ;; esac
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
