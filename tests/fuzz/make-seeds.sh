#!/bin/sh
# make-seeds.sh - build the fuzz targets' seed corpora from captures the
# project's generator writes, so no binary seed is ever committed.
#
#   make-seeds.sh WORK
#
# Needs CFGEN (default BUILDDIR/tests/gen/cfgen) and WORK/bin/cf-seedsplit
# (build-fuzz.sh).  Writes WORK/seeds/TARGET/ for every target:
#   fuzz-decode, fuzz-recog-*   packets and payloads of tests/fuzz/seeds.scn
#                               (every link type), tests/demo.scn and
#                               tests/gen/check.scn, split by cf-seedsplit
#   fuzz-pipeline               one small capture per line of seeds.scn
#   fuzz-rules                  the shipped and the end-to-end rules files
#   fuzz-catalog                rules/apps.conf, whole and in pieces
#   fuzz-dns                    DNS payloads (UDP port 53 and 5353)
#   fuzz-events                 callfence's events on the demo capture,
#                               whole and one line a seed
# Exit: 0 done, 1 failure.

set -u
WORK=${1:?usage: make-seeds.sh WORK}
. "$WORK/fuzz.vars" || exit 1
CFGEN=${CFGEN:-$BUILDDIR/tests/gen/cfgen}
S=$WORK/seeds
T=$WORK/seeds.tmp
rm -rf "$S" "$T"
mkdir -p "$S/fuzz-pipeline" "$S/fuzz-rules" "$S/fuzz-catalog" "$T" || exit 1
scn=$SRCDIR/tests/fuzz/seeds.scn

die() {
	echo "make-seeds: $*" >&2
	exit 1
}

# Whole scenarios over every link type and both file formats.
# (raw and null links have no place for a VLAN tag: those lines lose it.)
sed 's/ vlan=[0-9.]*//' "$scn" >"$T/novlan.scn"
for l in ether sll sll2 raw null; do
	case $l in raw|null) s=$T/novlan.scn ;; *) s=$scn ;; esac
	"$CFGEN" -l "$l" "$s" "$T/all-$l.pcap" || die "cfgen -l $l failed"
done
"$CFGEN" -F pcapng "$scn" "$T/all.pcapng" || die "cfgen pcapng failed"
"$CFGEN" "$SRCDIR/tests/demo.scn" "$T/demo.pcap" || die "cfgen demo failed"
"$CFGEN" "$SRCDIR/tests/gen/check.scn" "$T/check.pcap" || die "cfgen check failed"

# One capture per flow line: small, whole captures for fuzz-pipeline.
start=$(grep '^start' "$scn")
n=0
grep '^at ' "$scn" | while IFS= read -r line; do
	n=$((n + 1))
	set -- ether sll sll2 raw null
	shift $((n % 5))
	link=${1:-ether}
	fmt=pcap
	[ $((n % 3)) = 0 ] && fmt=pcapng
	case $link in raw|null) line=$(printf '%s\n' "$line" | sed 's/ vlan=[0-9.]*//') ;; esac
	printf '%s\n%s\n' "$start" "$line" >"$T/line-$n.scn"
	"$CFGEN" -l "$link" -F "$fmt" "$T/line-$n.scn" "$S/fuzz-pipeline/line-$n.$fmt" ||
		die "cfgen failed on: $line"
done

"$WORK/bin/cf-seedsplit" "$S" "$T"/*.pcap "$T"/*.pcapng >"$T/split.log" ||
	die "cf-seedsplit failed"

cp "$SRCDIR"/rules/*.rules "$SRCDIR"/tests/e2e/rules/*.rules "$S/fuzz-rules/" || exit 1
cp "$SRCDIR/rules/apps.conf" "$S/fuzz-catalog/apps.conf" || exit 1
split -l 12 "$SRCDIR/rules/apps.conf" "$S/fuzz-catalog/apps-part-" || exit 1

mkdir -p "$S/fuzz-events" || exit 1
if [ -x "$BUILDDIR/src/callfence" ] && [ -f "$BUILDDIR/tests/geo/country.mmdb" ]; then
	"$BUILDDIR/src/callfence" -q --all-flows -r "$T/demo.pcap" \
		-R "$SRCDIR/tests/e2e/rules/e2e-eu.rules" -G "$BUILDDIR/tests/geo/country.mmdb" \
		-G "$BUILDDIR/tests/geo/asn.mmdb" >"$S/fuzz-events/demo.json" ||
		die "callfence on the demo failed"
	split -l 1 "$S/fuzz-events/demo.json" "$S/fuzz-events/line-" || exit 1
else
	printf '{"event":{"dataset":"callfence.flow"}}\n' >"$S/fuzz-events/flow.json"
fi

rm -rf "$T"
for d in "$S"/*/; do
	printf '%s: %s seeds\n' "$(basename "$d")" "$(ls "$d" | wc -l)"
done
