#!/bin/sh
# run-bench.sh - how fast callfence reads a capture, next to the floor (a
# bare libpcap loop) and nDPI's own reader.
#
#   run-bench.sh [FLOWS]          (default 100000)
#
# Generates "cfgen --bench FLOWS" once (kept in BENCH_DIR), warms the page
# cache with one bare-loop pass, then times each tool over the same file
# BENCH_RUNS times (best run kept) and prints a table: tool, packets,
# seconds, packets/s, Gb/s, time relative to the bare loop, peak RSS.
#
# Environment:
#   CALLFENCE  (default ./src/callfence, ./callfence)
#   CFGEN      (default ./tests/gen/cfgen, ./cfgen)
#   BARE_LOOP  (default ./tests/bench/bare-loop, ./bare-loop)
#   GEO        directory with country.mmdb and asn.mmdb (default ./tests/geo;
#              used when present)
#   RULES      rules for callfence (default SRCDIR/tests/e2e/rules/e2e-eu.rules)
#   SRCDIR     (default: two levels above this script)
#   BENCH_DIR  where the capture goes (default BUILDDIR/tests/work/bench)
#   BENCH_RUNS runs per tool (default 1)
#   NDPIREADER (default ndpiReader; skipped when not installed: Debian
#              package libndpi-bin)
# Build the tools without sanitizers (-O2) to measure anything meaningful.

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWS=${1:-100000}
DIR=${BENCH_DIR:-${BUILDDIR:-.}/tests/work/bench}
RUNS=${BENCH_RUNS:-1}
GEO=${GEO:-./tests/geo}
RULES=${RULES:-$SRCDIR/tests/e2e/rules/e2e-eu.rules}
NDPIREADER=${NDPIREADER:-ndpiReader}

first_exe() {
	for c in "$@"; do
		[ -x "$c" ] && { echo "$c"; return; }
	done
}
CALLFENCE=${CALLFENCE:-$(first_exe ./src/callfence ./callfence)}
CFGEN=${CFGEN:-$(first_exe ./tests/gen/cfgen ./cfgen)}
BARE_LOOP=${BARE_LOOP:-$(first_exe ./tests/bench/bare-loop ./bare-loop)}

die() {
	echo "run-bench: $*" >&2
	exit 1
}
[ -x "$CFGEN" ] || die "cfgen not found (set CFGEN)"
[ -x "$BARE_LOOP" ] || die "bare-loop not found (set BARE_LOOP)"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to time the runs"
mkdir -p "$DIR" || exit 1

cap=$DIR/bench-$FLOWS.pcap
if [ ! -s "$cap" ]; then
	echo "generating $cap ($FLOWS flows)..."
	"$CFGEN" --bench "$FLOWS" "$cap.tmp" && mv "$cap.tmp" "$cap" || die "cfgen failed"
fi

# The floor, once to warm the page cache and to learn packets and bytes.
floor=$("$BARE_LOOP" "$cap") || die "bare-loop cannot read $cap"
echo "$floor" | grep -q 'packets=[0-9]' || die "bare-loop said: $floor"
packets=$(echo "$floor" | sed 's/.*packets=\([0-9]*\).*/\1/')
bytes=$(echo "$floor" | sed 's/.*bytes=\([0-9]*\).*/\1/')

# measure CMD...: best wall time (s) and that run's peak RSS (KB) over
# RUNS runs.  Wall time from Python's perf_counter; peak RSS from GNU
# time's %M when /usr/bin/time exists, else getrusage(RUSAGE_CHILDREN)
# (which also counts the forking Python, so never reads below ~10 MB).
measure() {
	best="" rss=""
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		out=$(python3 -c '
import os, resource, subprocess, sys, time
err, cmd, tf = sys.argv[1], sys.argv[2:], None
if os.access("/usr/bin/time", os.X_OK):
    tf = err + ".rss"
    cmd = ["/usr/bin/time", "-f", "%M", "-o", tf] + cmd
t = time.perf_counter()
with open(err, "w") as e:
    rc = subprocess.call(cmd, stdout=subprocess.DEVNULL, stderr=e)
secs = time.perf_counter() - t
if tf:
    with open(tf) as f:
        kb = int(f.read().split()[-1])
else:
    kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%.4f %d %d" % (secs, kb, rc))' "$DIR/stderr.out" "$@") || return 1
		secs=$(echo "$out" | cut -d' ' -f1)
		kb=$(echo "$out" | cut -d' ' -f2)
		rc=$(echo "$out" | cut -d' ' -f3)
		# callfence exits 1 only when alerts reach --fail-on; we give none
		if [ "$rc" -ne 0 ]; then
			echo "run-bench: $1 exited $rc: $(head -3 "$DIR/stderr.out")" >&2
			return 1
		fi
		if [ -z "$best" ] || awk "BEGIN { exit !($secs < $best) }"; then
			best=$secs rss=$kb
		fi
		i=$((i + 1))
	done
	echo "$best $rss"
}

row() {
	awk -v tool="$1" -v p="$packets" -v b="$bytes" -v s="$2" -v floor="$3" -v kb="$4" 'BEGIN {
		if (s <= 0) s = 0.0001
		printf "%-12s %11d %9.3f %12.0f %7.2f %8.1fx %10.1f\n",
			tool, p, s, p / s, b * 8 / s / 1e9, s / floor, kb / 1024
	}'
}

echo "capture: $cap ($(du -h "$cap" | cut -f1), $packets packets, $FLOWS flows)"
printf '%-12s %11s %9s %12s %7s %9s %10s\n' tool packets seconds packets/s Gb/s "vs bare" "peak MB"

r=$(measure "$BARE_LOOP" "$cap") || exit 1
floor_s=${r%% *}
[ "$(awk "BEGIN { print ($floor_s <= 0) }")" = 1 ] && floor_s=0.0001
row bare-loop "$floor_s" "$floor_s" "${r#* }"

if [ -x "$CALLFENCE" ]; then
	set -- -q -r "$cap" -R "$RULES"
	[ -f "$GEO/country.mmdb" ] && set -- "$@" -G "$GEO/country.mmdb"
	[ -f "$GEO/asn.mmdb" ] && set -- "$@" -G "$GEO/asn.mmdb"
	if r=$(measure "$CALLFENCE" "$@"); then
		row callfence "${r%% *}" "$floor_s" "${r#* }"
	else
		echo "callfence    (failed: see the message above)"
	fi
else
	echo "callfence    (not built: set CALLFENCE)"
fi

if command -v "$NDPIREADER" >/dev/null 2>&1; then
	if r=$(measure "$NDPIREADER" -i "$cap" -q); then
		row ndpiReader "${r%% *}" "$floor_s" "${r#* }"
	else
		echo "ndpiReader   (failed: see the message above)"
	fi
else
	echo "ndpiReader   (not installed: apt-get install libndpi-bin)"
fi
