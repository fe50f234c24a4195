#!/bin/sh
# run-fuzz-smoke.sh - the fuzz targets in `make check`: build them with
# clang (build-fuzz.sh), make their seeds from cfgen captures
# (make-seeds.sh), replay every committed finding in
# tests/fuzz/regress/TARGET/ (each must now pass), then fuzz every target
# FUZZ_SMOKE_SECONDS seconds (default 20) from its seeds, FUZZ_JOBS (2) at
# a time: 12 targets, about two minutes on two cores plus the build.
#
# Environment (make check sets them): SRCDIR, BUILDDIR, CFGEN,
# FUZZ_SMOKE_SECONDS, FUZZ_JOBS.  Exit: 0 pass, 1 a build failure, a
# regression or a new finding (saved in tests/work/fuzz/crashes), 77
# skipped (no clang with the libFuzzer runtime).

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
WORK=$BUILDDIR/tests/work/fuzz
SECS=${FUZZ_SMOKE_SECONDS:-20}
export FUZZ_JOBS=${FUZZ_JOBS:-2}
export CFGEN=${CFGEN:-$BUILDDIR/tests/gen/cfgen}

[ -f "$WORK/fuzz.vars" ] || { echo "FAIL: no $WORK/fuzz.vars (make check writes it)"; exit 1; }
sh "$SRCDIR/tests/fuzz/build-fuzz.sh" "$WORK"
rc=$?
[ "$rc" = 77 ] && { echo "SKIP: no clang with libFuzzer"; exit 77; }
[ "$rc" = 0 ] || { echo "FAIL: build-fuzz.sh"; exit 1; }
sh "$SRCDIR/tests/fuzz/make-seeds.sh" "$WORK" || { echo "FAIL: make-seeds.sh"; exit 1; }

# Regressions: every saved input of a target, replayed once.
fail=0
for d in "$SRCDIR"/tests/fuzz/regress/*/; do
	[ -d "$d" ] || continue
	t=$(basename "$d")
	set --
	for f in "$d"*; do
		[ -f "$f" ] && [ "$(basename "$f")" != README ] && set -- "$@" "$f"
	done
	[ $# -gt 0 ] || continue
	if [ ! -x "$WORK/bin/$t" ]; then
		echo "FAIL: regress/$t: no target $t"
		fail=1
		continue
	fi
	if "$WORK/bin/$t" -runs=1 "$@" >"$WORK/regress-$t.log" 2>&1; then
		echo "ok   regress/$t: $# input(s)"
	else
		echo "FAIL regress/$t: see $WORK/regress-$t.log"
		tail -n 40 "$WORK/regress-$t.log"
		fail=1
	fi
done

rm -rf "$WORK/smoke-corpus"
FUZZ_CORPUS=$WORK/smoke-corpus sh "$SRCDIR/tests/fuzz/run-fuzz.sh" "$WORK" "$SECS" || fail=1
exit $fail
