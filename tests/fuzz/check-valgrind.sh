#!/bin/sh
# check-valgrind.sh - `make check-valgrind`: the end-to-end tests
# (tests/e2e/run-e2e.sh, tests/e2e/test-cli.sh) and a small hostile-capture
# run (tests/hostile) with src/callfence under valgrind memcheck through
# valgrind-callfence.sh.  Passes when every test passes and no valgrind
# log reports an error or a definitely lost block.
#
# Needs a build without sanitizers (configure without
# --enable-sanitizers: valgrind and ASan cannot share a process).
# Environment (fuzz.am sets them): CALLFENCE_REAL, VALGRIND_SUPP, SRCDIR,
# BUILDDIR, CFGEN.  Exit: 0 clean, 1 otherwise.

set -u
command -v valgrind >/dev/null 2>&1 ||
	{ echo "check-valgrind: valgrind not found (apt-get install valgrind)"; exit 1; }
if readelf -d "$CALLFENCE_REAL" 2>/dev/null | grep -q 'libasan\|libubsan' ||
   nm "$CALLFENCE_REAL" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	echo "check-valgrind: $CALLFENCE_REAL is built with sanitizers;" \
		"configure without --enable-sanitizers for valgrind"
	exit 1
fi
work=$BUILDDIR/tests/work/valgrind
rm -rf "$work"
VG_LOGDIR=$work/logs
mkdir -p "$VG_LOGDIR" || exit 1
export CALLFENCE_REAL VALGRIND_SUPP VG_LOGDIR
CALLFENCE=$work/valgrind-callfence
cp "$SRCDIR/tests/fuzz/valgrind-callfence.sh" "$CALLFENCE" && chmod +x "$CALLFENCE" || exit 1
GEO=$BUILDDIR/tests/geo
export CALLFENCE GEO SRCDIR BUILDDIR CFGEN
export CF_RULES_DIR="$SRCDIR/rules" CALLFENCE_DATADIR="$SRCDIR"
export E2E_OUT="$work/e2e" E2E_TIMEOUT=900 HOSTILE_FLOWS=3000
unset CALLFENCE_SANDBOX_SELFTEST

fail=0
for t in tests/e2e/run-e2e.sh tests/e2e/test-cli.sh tests/hostile/run-hostile.sh; do
	echo "== $t (callfence under valgrind)"
	BUILDDIR=$work sh "$SRCDIR/$t" >"$work/$(basename "$t").log" 2>&1
	rc=$?
	tail -n 3 "$work/$(basename "$t").log"
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		echo "check-valgrind: $t failed (exit $rc): $work/$(basename "$t").log"
		fail=1
	fi
done

runs=$(ls "$VG_LOGDIR" | wc -l)
bad=0
for log in "$VG_LOGDIR"/vg.*.log; do
	[ -f "$log" ] || continue
	if [ -s "$log" ]; then    # -q: a clean run writes nothing
		echo "==== $log"
		cat "$log"
		bad=$((bad + 1))
	fi
done
echo "check-valgrind: $runs callfence runs under valgrind, $bad with errors or definite leaks"
[ "$runs" -gt 0 ] || { echo "check-valgrind: callfence never ran"; fail=1; }
[ "$bad" = 0 ] || fail=1
exit $fail
