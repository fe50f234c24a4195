#!/bin/sh
# run-fuzz.sh - run the fuzz targets, FUZZ_JOBS at a time, and print what
# each did: executions, executions per second, coverage (libFuzzer's
# "cov": edges reached, "ft": features), corpus size, peak memory.
#
#   run-fuzz.sh WORK SECONDS [TARGET...]
#
# WORK as for build-fuzz.sh, with bin/ built and seeds/ made.  Each target
# runs SECONDS seconds on WORK/corpus/TARGET (kept between runs; override
# with FUZZ_CORPUS=DIR) plus its seeds.  A crash, leak, sanitizer report,
# timeout (10 s per input) or out-of-memory (2 GB) is saved as
# WORK/crashes/TARGET-crash-HASH (libFuzzer's naming); copy it into
# tests/fuzz/regress/TARGET/ once the bug is fixed.  Exit: 0 no finding,
# 1 a finding (the log is printed).

set -u
WORK=${1:?usage: run-fuzz.sh WORK SECONDS [TARGET...]}
SECONDS_EACH=${2:?usage: run-fuzz.sh WORK SECONDS [TARGET...]}
shift 2
JOBS=${FUZZ_JOBS:-2}
CORPUS=${FUZZ_CORPUS:-$WORK/corpus}
LOGS=$WORK/logs
mkdir -p "$CORPUS" "$LOGS" "$WORK/crashes" || exit 1
if [ $# -eq 0 ]; then
	for b in "$WORK"/bin/fuzz-*; do
		[ -x "$b" ] && set -- "$@" "$(basename "$b")"
	done
fi
# libFuzzer's own leak check at exit is on; halt on the first UB report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset CALLFENCE_SANDBOX_SELFTEST

one() {
	t=$1
	mkdir -p "$CORPUS/$t" "$WORK/seeds/$t"
	"$WORK/bin/$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$WORK/crashes/$t-" \
		"$CORPUS/$t" "$WORK/seeds/$t" >"$LOGS/$t.log" 2>&1
	echo $? >"$LOGS/$t.rc"
}

targets="$*"
pids=
n=0
for t in "$@"; do
	if [ ! -x "$WORK/bin/$t" ]; then
		echo "run-fuzz: no target $t (build-fuzz.sh first)" >&2
		exit 1
	fi
	one "$t" &
	pids="$pids $!"
	n=$((n + 1))
	if [ "$n" -ge "$JOBS" ]; then
		for p in $pids; do wait "$p"; done
		pids=
		n=0
	fi
done
for p in $pids; do wait "$p"; done

stat() {
	grep -a "^stat::$1:" "$2" | sed "s/^stat::$1: *//" | tail -n 1
}

fail=0
printf '%-18s %10s %8s %7s %7s %7s %6s  %s\n' target runs exec/s cov ft corpus rssMB result
for t in "$@"; do
	log=$LOGS/$t.log
	rc=$(cat "$LOGS/$t.rc")
	cov=$(grep -aE '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/\1 \2 \3/p')
	set -- $cov
	result=ok
	if [ "$rc" != 0 ]; then
		result="FINDING (exit $rc): $(ls -t "$WORK"/crashes/"$t"-* 2>/dev/null | head -n 1)"
		fail=1
	fi
	printf '%-18s %10s %8s %7s %7s %7s %6s  %s\n' "$t" \
		"$(stat number_of_executed_units "$log")" \
		"$(stat average_exec_per_sec "$log")" \
		"${1:--}" "${2:--}" "${3:--}" "$(stat peak_rss_mb "$log")" "$result"
done
for t in $targets; do
	[ "$(cat "$LOGS/$t.rc")" = 0 ] && continue
	echo "==== $t: $LOGS/$t.log (last 60 lines)"
	tail -n 60 "$LOGS/$t.log"
done
exit $fail
