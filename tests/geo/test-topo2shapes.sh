#!/bin/sh
# test-topo2shapes.sh - geodb/topo2shapes.pl on a hand-written TopoJSON
# (quantized, delta-encoded arcs; a hole; a shared arc used reversed; a
# MultiPolygon; two geometries with one id merged; a numeric id; shapes
# without an id or with an unknown one skipped and counted), an absolute
# (unquantized) topology whose hole and island collapse when rounded, bad
# input; then geodb/fetch-world.sh with a fixture tarball and a pin of its
# own (-p, -i: no network): installs, is up to date the second time,
# refuses a corrupted tarball and a JSON file that is not the pinned one.
# Every expected coordinate below was worked out by hand from the arcs:
# position = running sum of the deltas * scale + translate.
# Environment: SRCDIR (make check sets it).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CONV=$SRCDIR/geodb/topo2shapes.pl
FETCH=$SRCDIR/geodb/fetch-world.sh
NPM=/nonexistent/npm   # a TARBALL is always given: npm must not be run
export NPM

perl -MJSON::PP -e 1 2>/dev/null || { echo "SKIP: JSON::PP missing"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cf-topo.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

check() {   # check DESCRIPTION COMMAND...
	d=$1
	shift
	checks=$((checks + 1))
	"$@" || fail "$d"
}

same() {    # same DESCRIPTION EXPECTEDFILE GOTFILE
	checks=$((checks + 1))
	if ! cmp -s "$2" "$3"; then
		fail "$1"
		diff -u "$2" "$3"
	fi
}

cat >"$tmp/iso.json" <<'EOF'
{"3166-1":[
 {"alpha_2":"DE","alpha_3":"DEU","name":"Germany","numeric":"276"},
 {"alpha_2":"FR","alpha_3":"FRA","name":"France","numeric":"250"},
 {"alpha_2":"AT","alpha_3":"AUT","name":"Republic of Austria","common_name":"Austria","numeric":"040"},
 {"alpha_2":"CI","alpha_3":"CIV","name":"C\u00f4te d'Ivoire","numeric":"384"}
]}
EOF

# scale 0.5 (lon), 0.25 (lat); translate -10, 20.
#   arc0: (0,0) (4,0) (4,4)        = -10,20  -8,20   -8,21
#   arc1: (4,4) (0,4) (0,0)        = -8,21   -10,21  -10,20
#   arc2: (1,1) (2,1) (2,2) (1,1)  = -9.5,20.25 -9,20.25 -9,20.5 -9.5,20.25
#   arc3: (4,4) (-4,4) (-4,0) (0,0)= -8,21   -12,21  -12,20  -10,20
#   arc4: (378,0) (380,0) (380,2) (378,0) = 179,20 180,20 180,20.5 179,20
# DE = [0,1] with hole [2], plus a second geometry [4]; FR = [~1=-2, 3]
# (arc1 reversed: -10,20 -10,21 -8,21, then arc3 without its first point)
# and the island [4]; AT = [0,1] with a numeric id 40.
cat >"$tmp/topo.json" <<'EOF'
{"type":"Topology",
 "transform":{"scale":[0.5,0.25],"translate":[-10,20]},
 "arcs":[
  [[0,0],[4,0],[0,4]],
  [[4,4],[-4,0],[0,-4]],
  [[1,1],[1,0],[0,1],[-1,-1]],
  [[4,4],[-8,0],[0,-4],[4,0]],
  [[378,0],[2,0],[0,2],[-2,-2]]
 ],
 "objects":{"countries":{"type":"GeometryCollection","geometries":[
  {"type":"Polygon","arcs":[[0,1],[2]],"id":"276","properties":{"name":"Germany"}},
  {"type":"MultiPolygon","arcs":[[[-2,3]],[[4]]],"id":"250","properties":{"name":"France"}},
  {"type":"Polygon","arcs":[[4]],"properties":{"name":"Nowhere"}},
  {"type":"Polygon","arcs":[[4]],"id":"999","properties":{"name":"Unknownland"}},
  {"type":"Polygon","arcs":[[4]],"id":"276","properties":{"name":"Germany part 2"}},
  {"type":"Polygon","arcs":[[0,1]],"id":40},
  {"type":null}
 ]}}}
EOF
cat >"$tmp/want1" <<'EOF'
# first comment
# second
# format: C alpha2 numeric name / P (polygon) / R lon,lat ... (ring: first outer, then holes; closed)
# 3 countries, 5 polygons
# skipped 1 shapes without an ISO 3166-1 id: Nowhere
# skipped 1 shapes whose id has no alpha-2 code: 999 Unknownland
# skipped 1 geometries that are not polygons
C AT 040 Austria
P
R -10.0000,20.0000 -8.0000,20.0000 -8.0000,21.0000 -10.0000,21.0000 -10.0000,20.0000
C DE 276 Germany
P
R -10.0000,20.0000 -8.0000,20.0000 -8.0000,21.0000 -10.0000,21.0000 -10.0000,20.0000
R -9.5000,20.2500 -9.0000,20.2500 -9.0000,20.5000 -9.5000,20.2500
P
R 179.0000,20.0000 180.0000,20.0000 180.0000,20.5000 179.0000,20.0000
C FR 250 France
P
R -10.0000,20.0000 -10.0000,21.0000 -8.0000,21.0000 -12.0000,21.0000 -12.0000,20.0000 -10.0000,20.0000
P
R 179.0000,20.0000 180.0000,20.0000 180.0000,20.5000 179.0000,20.0000
EOF
perl "$CONV" --iso "$tmp/iso.json" --comment "first comment" --comment second \
    "$tmp/topo.json" "$tmp/out1.txt" 2>"$tmp/err"
check "quantized topology: exit 0 ($(cat "$tmp/err"))" test $? = 0
same "quantized topology: output" "$tmp/want1" "$tmp/out1.txt"
check "no temporary file left" test "$(ls "$tmp" | grep -c tmp)" = 0

# Absolute coordinates (no transform); a hole and an island that collapse
# to fewer than 4 points when rounded to 4 decimals; a UTF-8 name;
# consecutive points equal after rounding merged (1.00001 -> 1.0000).
cat >"$tmp/abs.json" <<'EOF'
{"type":"Topology",
 "arcs":[
  [[-5.5,5],[-3,5.00001],[-3,7],[-5.5,5]],
  [[-4,6],[-3.99999,6.00002],[-4.00003,6],[-4,6]],
  [[10,10],[10.00001,10],[10,10.00004],[10,10]],
  [[0,0],[0.00001,0],[1,0],[1,1],[0,0]]
 ],
 "objects":{"countries":{"type":"GeometryCollection","geometries":[
  {"type":"MultiPolygon","arcs":[[[0],[1]],[[2]],[[3]]],"id":"384","properties":{"name":"Ivory"}}
 ]}}}
EOF
cat >"$tmp/want2" <<'EOF'
# format: C alpha2 numeric name / P (polygon) / R lon,lat ... (ring: first outer, then holes; closed)
# 1 countries, 2 polygons
# dropped 1 polygons and 1 holes that collapse when rounded
C CI 384 Côte d'Ivoire
P
R -5.5000,5.0000 -3.0000,5.0000 -3.0000,7.0000 -5.5000,5.0000
P
R 0.0000,0.0000 1.0000,0.0000 1.0000,1.0000 0.0000,0.0000
EOF
perl "$CONV" --iso "$tmp/iso.json" "$tmp/abs.json" "$tmp/out2.txt" 2>"$tmp/err"
check "absolute topology: exit 0 ($(cat "$tmp/err"))" test $? = 0
same "absolute topology: output" "$tmp/want2" "$tmp/out2.txt"

# bad DESCRIPTION JSONTEXT PATTERN: exit 2, message naming the file
bad() {
	printf '%s\n' "$2" >"$tmp/bad.json"
	rm -f "$tmp/bad.txt"
	err=$(perl "$CONV" --iso "$tmp/iso.json" "$tmp/bad.json" "$tmp/bad.txt" 2>&1)
	rc=$?
	check "$1: exit $rc, want 2" test "$rc" = 2
	check "$1: message '$err'" sh -c 'case $1 in *"$2: "*"$3"*) ;; *) exit 1 ;; esac' - \
	    "$err" "$tmp/bad.json" "$3"
	check "$1: no output" test ! -e "$tmp/bad.txt"
}
bad "not JSON" '{"type":' "not JSON"
bad "not a topology" '{"type":"FeatureCollection"}' "not a TopoJSON Topology"
bad "no countries object" '{"type":"Topology","arcs":[],"objects":{}}' 'no object "countries"'
bad "arc index out of range" \
    '{"type":"Topology","arcs":[[[0,0],[1,0],[1,1],[0,0]]],"objects":{"countries":{"geometries":[{"type":"Polygon","arcs":[[0,-3]],"id":"276"}]}}}' \
    "arc index -3 out of range"
bad "position off the globe" \
    '{"type":"Topology","arcs":[[[0,0],[181,0],[1,1],[0,0]]],"objects":{"countries":{"geometries":[]}}}' \
    "outside -180..180"
bad "nothing usable" \
    '{"type":"Topology","arcs":[[[0,0],[1,0],[1,1],[0,0]]],"objects":{"countries":{"geometries":[{"type":"Polygon","arcs":[[0]]}]}}}' \
    "no country with a known id"
err=$(perl "$CONV" "$tmp/topo.json" 2>&1)
check "usage: exit 1 ($err)" test $? = 1

# fetch-world.sh with a fixture package
mkdir -p "$tmp/pkg/package"
cp "$tmp/topo.json" "$tmp/pkg/package/countries-50m.json"
echo "fixture licence text" >"$tmp/pkg/package/LICENSE"
tgz=world-atlas-9.9.9.tgz
(cd "$tmp/pkg" && tar -czf "$tmp/$tgz" package) || exit 99
{ (cd "$tmp" && sha256sum "$tgz"); (cd "$tmp/pkg/package" && sha256sum countries-50m.json); } >"$tmp/pin"
out=$(sh "$FETCH" -p "$tmp/pin" -i "$tmp/iso.json" -o "$tmp/good" "$tmp/$tgz" 2>&1)
check "fetch: exit 0 ($out)" test $? = 0
check "fetch: installed 3 countries ($out)" \
    sh -c 'case $1 in *"world-countries.txt from "*" (3 countries)") ;; *) exit 1 ;; esac' - "$out"
for f in world-countries.txt world-countries.LICENSE world-countries.stamp; do
	check "fetch: $f installed" test -s "$tmp/good/$f"
done
check "fetch: no temporary files left" test "$(ls "$tmp/good" | wc -l)" = 3
grep -v '^#' "$tmp/good/world-countries.txt" >"$tmp/got-body"
grep -v '^#' "$tmp/want1" >"$tmp/want-body"
same "fetch: shapes as the converter makes them" "$tmp/want-body" "$tmp/got-body"
check "fetch: source named in a comment" \
    grep -qx '# source: npm package world-atlas@9.9.9, countries-50m.json (Natural Earth 1:50m admin 0 countries)' \
    "$tmp/good/world-countries.txt"
check "fetch: tarball hash in a comment" \
    grep -qx "# sha256 $(head -n 1 "$tmp/pin")" "$tmp/good/world-countries.txt"
check "fetch: licence collected" grep -q "fixture licence text" "$tmp/good/world-countries.LICENSE"
out=$(sh "$FETCH" -p "$tmp/pin" -i "$tmp/iso.json" -o "$tmp/good" "$tmp/$tgz" 2>&1)
check "fetch again: up to date ($out)" \
    sh -c 'case $1 in *"is up to date (world-atlas@9.9.9)") ;; *) exit 1 ;; esac' - "$out"

refused() {   # refused DESCRIPTION TARBALL PIN PATTERN
	rm -rf "$tmp/out"
	err=$(sh "$FETCH" -p "$3" -i "$tmp/iso.json" -o "$tmp/out" "$2" 2>&1 >/dev/null)
	rc=$?
	check "$1: exit $rc, want 1" test "$rc" = 1
	check "$1: message '$err'" sh -c 'printf "%s\n" "$1" | grep -q -- "$2"' - "$err" "$4"
	check "$1: nothing installed" test -z "$(ls "$tmp/out" 2>/dev/null)"
}
cp "$tmp/$tgz" "$tmp/bad.tgz"
sh "$SRCDIR/tests/geo/flip-byte.sh" "$tmp/bad.tgz" 100 || exit 99
check "corrupted tarball differs" sh -c '! cmp -s "$1" "$2"' - "$tmp/$tgz" "$tmp/bad.tgz"
refused "corrupted tarball" "$tmp/bad.tgz" "$tmp/pin" "SHA-256 mismatch for $tgz"
sed -e '2s/^[0-9a-f]*/0000000000000000000000000000000000000000000000000000000000000000/' \
    "$tmp/pin" >"$tmp/pin-json"
refused "JSON hash" "$tmp/$tgz" "$tmp/pin-json" "SHA-256 mismatch for package/countries-50m.json"
head -n 1 "$tmp/pin" >"$tmp/pin-one"
refused "pin without the JSON line" "$tmp/$tgz" "$tmp/pin-one" "no line 'SHA256  countries-50m.json'"
sed -e '1s/world-atlas-/other-/' "$tmp/pin" >"$tmp/pin-name"
refused "pin naming another package" "$tmp/$tgz" "$tmp/pin-name" "unexpected tarball name"

echo "test-topo2shapes: $checks checks, $fails failed"
[ "$fails" = 0 ]
