#!/bin/sh
# test-fetch-default.sh - geodb/fetch-default.sh without the network: a
# fixture tarball laid out as @ip-location-db/geo-whois-asn-country-mmdb
# is (its .mmdb is only bytes here: the script checks hashes, never reads
# it), with a pin of its own (-p).  It installs the database and the
# licence, a second run is "up to date", a corrupted tarball, a database
# whose hash is not pinned, a tarball missing the licence and bad pins are
# refused with exit 1 and nothing installed.
# Environment: SRCDIR (make check sets it).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
FETCH=$SRCDIR/geodb/fetch-default.sh
NPM=/nonexistent/npm   # a TARBALL is always given: npm must not be run
export NPM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cf-fetch-default.XXXXXX") || exit 99
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

mkdir -p "$tmp/pkg/package"
echo "not really a database" >"$tmp/pkg/package/geo-whois-asn-country.mmdb"
echo "fixture NRO licence" >"$tmp/pkg/package/NRO_LICENSE"
tgz=ip-location-db-geo-whois-asn-country-mmdb-2.3.2024010112.tgz
(cd "$tmp/pkg" && tar -czf "$tmp/$tgz" package) || exit 99
{ (cd "$tmp" && sha256sum "$tgz"); (cd "$tmp/pkg/package" && sha256sum geo-whois-asn-country.mmdb); } >"$tmp/pin"

out=$(sh "$FETCH" -p "$tmp/pin" -o "$tmp/good" "$tmp/$tgz" 2>&1)
check "good tarball: exit 0 ($out)" test $? = 0
check "good tarball: message ($out)" \
    sh -c 'case $1 in *"installed $2/geo-whois-asn-country.mmdb from $3 (sha256 "*")") ;; *) exit 1 ;; esac' \
    - "$out" "$tmp/good" "$tmp/$tgz"
check "database installed as packed" cmp -s "$tmp/pkg/package/geo-whois-asn-country.mmdb" \
    "$tmp/good/geo-whois-asn-country.mmdb"
check "licence installed" cmp -s "$tmp/pkg/package/NRO_LICENSE" "$tmp/good/geo-whois-asn-country.LICENSE"
check "no temporary files left" test "$(ls "$tmp/good" | wc -l)" = 2
out=$(sh "$FETCH" -p "$tmp/pin" -o "$tmp/good" "$tmp/$tgz" 2>&1)
check "second run: up to date ($out)" \
    sh -c 'case $1 in *"is up to date (@ip-location-db/geo-whois-asn-country-mmdb@2.3.2024010112)") ;; *) exit 1 ;; esac' - "$out"

refused() {   # refused DESCRIPTION TARBALL PIN PATTERN
	rm -rf "$tmp/out"
	err=$(sh "$FETCH" -p "$3" -o "$tmp/out" "$2" 2>&1 >/dev/null)
	rc=$?
	check "$1: exit $rc, want 1" test "$rc" = 1
	check "$1: message '$err'" sh -c 'printf "%s\n" "$1" | grep -q -- "$2"' - "$err" "$4"
	check "$1: nothing installed" test -z "$(ls "$tmp/out" 2>/dev/null)"
}
cp "$tmp/$tgz" "$tmp/bad.tgz"
sh "$SRCDIR/tests/geo/flip-byte.sh" "$tmp/bad.tgz" 100 || exit 99
check "corrupted tarball differs" sh -c '! cmp -s "$1" "$2"' - "$tmp/$tgz" "$tmp/bad.tgz"
refused "corrupted tarball" "$tmp/bad.tgz" "$tmp/pin" "SHA-256 mismatch for $tgz"
check "mismatch names the README section" \
    sh -c 'printf "%s\n" "$1" | grep -q "see geodb/README, \"Updating the pin\""' - "$err"
sed -e '2s/^[0-9a-f]*/0000000000000000000000000000000000000000000000000000000000000000/' \
    "$tmp/pin" >"$tmp/pin-db"
refused "database hash" "$tmp/$tgz" "$tmp/pin-db" \
    "SHA-256 mismatch for package/geo-whois-asn-country.mmdb in $tgz"
rm "$tmp/pkg/package/NRO_LICENSE"
mkdir -p "$tmp/short"
(cd "$tmp/pkg" && tar -czf "$tmp/short/$tgz" package) || exit 99
{ (cd "$tmp/short" && sha256sum "$tgz"); tail -n 1 "$tmp/pin"; } >"$tmp/pin-short"
refused "missing licence" "$tmp/short/$tgz" "$tmp/pin-short" \
    "does not hold package/geo-whois-asn-country.mmdb and package/NRO_LICENSE"
head -n 1 "$tmp/pin" >"$tmp/pin-one"
refused "pin without the database line" "$tmp/$tgz" "$tmp/pin-one" \
    "no line 'SHA256  geo-whois-asn-country.mmdb'"
sed -e '1s/ip-location-db-geo-whois-/other-/' "$tmp/pin" >"$tmp/pin-name"
refused "pin naming another package" "$tmp/$tgz" "$tmp/pin-name" "unexpected tarball name"
refused "missing pin" "$tmp/$tgz" "$tmp/nope" "cannot read $tmp/nope"
err=$(sh "$FETCH" -x 2>&1)
check "unknown option: exit $?, usage" \
    sh -c 'printf "%s\n" "$1" | grep -q "usage: fetch-default.sh \[-o DIR\] \[-p PINFILE\] \[TARBALL\]"' - "$err"

echo "test-fetch-default: $checks checks, $fails failed"
[ "$fails" = 0 ]
