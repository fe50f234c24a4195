#!/bin/sh
# test-fetch-asn.sh - geodb/fetch-asn.sh without the network: a fixture
# tarball made here, laid out as the npm package @ip-location-db/asn is,
# with a pin file of its own (-p).  The pinned tarball is converted and
# installed (database, licences, stamp; the build time from the version),
# a second run is "up to date"; a corrupted tarball, a CSV whose hash
# differs from the pin, a tarball missing a file and malformed pins are
# refused with exit 1 and nothing installed.
# Environment: CALLFENCE, SRCDIR (make check sets them).  Exit 77 when
# MaxMind::DB::Writer is missing.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CALLFENCE=${CALLFENCE:-./src/callfence}
FETCH=$SRCDIR/geodb/fetch-asn.sh
export CALLFENCE_DATADIR="${CALLFENCE_DATADIR:-$SRCDIR}"
NPM=/nonexistent/npm   # a TARBALL is always given: npm must not be run
export NPM

perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	{ echo "SKIP: MaxMind::DB::Writer missing"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cf-fetch-asn.XXXXXX") || exit 99
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

# The fixture package.  Its IPv4 range is a documentation one, which the
# production conversion drops (the writer's reserved networks); the IPv6
# range, in global unicast space (2a10:ffff::/32) with a documentation ASN
# (RFC 5398), survives it, so the installed database can be read back.
# The fixture says nothing true about that space: it lives only here.
mkdir -p "$tmp/pkg/package"
cat >"$tmp/pkg/package/asn-ipv4.csv" <<'EOF'
192.0.2.3,192.0.2.130,64496,Example Doc
EOF
cat >"$tmp/pkg/package/asn-ipv6.csv" <<'EOF'
2a10:ffff::,2a10:ffff:ffff:ffff:ffff:ffff:ffff:ffff,64497,"Example Six, Test"
EOF
for f in ROUTEVIEWS-LICENSE NRO_LICENSE DBIP-LICENSE MODIFICATIONS; do
	echo "licence text of $f" >"$tmp/pkg/package/$f"
done
tgz=ip-location-db-asn-2.3.2024010112.tgz
(cd "$tmp/pkg" && tar -czf "$tmp/$tgz" package) || exit 99
(cd "$tmp" && sha256sum "$tgz") >"$tmp/pin"
(cd "$tmp/pkg/package" && sha256sum asn-ipv4.csv asn-ipv6.csv) >>"$tmp/pin"

# 1. the pinned tarball installs
out=$(sh "$FETCH" -p "$tmp/pin" -o "$tmp/good" "$tmp/$tgz" 2>&1)
check "good tarball: exit 0 ($out)" test $? = 0
for f in ip-location-db-asn.mmdb ip-location-db-asn.LICENSE ip-location-db-asn.stamp; do
	check "good tarball: $f installed" test -s "$tmp/good/$f"
done
check "no temporary files left" test "$(ls "$tmp/good" | wc -l)" = 3
check "licences collected" grep -q "licence text of DBIP-LICENSE" "$tmp/good/ip-location-db-asn.LICENSE"
got=$("$CALLFENCE" --lookup 2a10:ffff::1 -v -G "$tmp/good/ip-location-db-asn.mmdb" 2>&1)
check "lookup in the installed database: $got" \
	sh -c 'printf "%s\n" "$1" | grep -qx "asn          AS64497 Example Six, Test"' - "$got"
check "build date from the version 2.3.2024010112" \
	sh -c 'printf "%s\n" "$1" | grep -q "callfence-ASN, built 2024-01-01, IPv6"' - "$got"
# production conversion: the documentation range is dropped
got=$("$CALLFENCE" --lookup 192.0.2.3 -G "$tmp/good/ip-location-db-asn.mmdb" 2>&1 | grep '^asn ')
check "reserved range dropped: $got" test "$got" = "asn          unknown"

# 2. again: nothing to do
out=$(sh "$FETCH" -p "$tmp/pin" -o "$tmp/good" "$tmp/$tgz" 2>&1)
check "second run: exit 0" test $? = 0
check "second run: up to date ($out)" \
	sh -c 'case $1 in *"is up to date (@ip-location-db/asn@2.3.2024010112)") ;; *) exit 1 ;; esac' - "$out"

# refused DESCRIPTION TARBALL PIN PATTERN: exit 1, stderr matching
# PATTERN, nothing installed in a fresh directory
refused() {
	rm -rf "$tmp/out"
	err=$(sh "$FETCH" -p "$3" -o "$tmp/out" "$2" 2>&1 >/dev/null)
	rc=$?
	check "$1: exit $rc, want 1" test "$rc" = 1
	check "$1: message '$err'" sh -c 'printf "%s\n" "$1" | grep -q -- "$2"' - "$err" "$4"
	check "$1: nothing installed" test -z "$(ls "$tmp/out" 2>/dev/null)"
}

# 3. a corrupted tarball (one byte changed) is refused
cp "$tmp/$tgz" "$tmp/bad.tgz"
sh "$SRCDIR/tests/geo/flip-byte.sh" "$tmp/bad.tgz" 100 || exit 99
check "corrupted tarball differs" sh -c '! cmp -s "$1" "$2"' - "$tmp/$tgz" "$tmp/bad.tgz"
refused "corrupted tarball" "$tmp/bad.tgz" "$tmp/pin" "SHA-256 mismatch for $tgz"
check "mismatch shows the expected hash" \
	sh -c 'printf "%s\n" "$1" | grep -q "expected $2"' - "$err" "$(cut -d' ' -f1 "$tmp/pin" | head -1)"

# 4. a CSV whose hash is not the pinned one (tarball pinned anew)
sed -e '2s/^[0-9a-f]*/0000000000000000000000000000000000000000000000000000000000000000/' \
    "$tmp/pin" >"$tmp/pin-csv"
refused "CSV hash" "$tmp/$tgz" "$tmp/pin-csv" "SHA-256 mismatch for package/asn-ipv4.csv in $tgz"

# 5. a tarball without a licence file (pinned as it is)
rm "$tmp/pkg/package/MODIFICATIONS"
mkdir -p "$tmp/short"
(cd "$tmp/pkg" && tar -czf "$tmp/short/$tgz" package) || exit 99
{ (cd "$tmp/short" && sha256sum "$tgz"); tail -n 2 "$tmp/pin"; } >"$tmp/pin-short"
refused "missing file" "$tmp/short/$tgz" "$tmp/pin-short" "does not hold"

# 6. malformed pins
head -n 1 "$tmp/pin" >"$tmp/pin-one"
refused "pin without CSV lines" "$tmp/$tgz" "$tmp/pin-one" "no line 'SHA256  asn-ipv4.csv'"
{ cat "$tmp/pin"; head -n 1 "$tmp/pin"; } >"$tmp/pin-two"
refused "pin with two tarballs" "$tmp/$tgz" "$tmp/pin-two" "want exactly one line 'SHA256  NAME.tgz'"
sed -e '1s/ip-location-db-asn-/other-/' "$tmp/pin" >"$tmp/pin-name"
refused "pin naming another package" "$tmp/$tgz" "$tmp/pin-name" "unexpected tarball name"
refused "missing pin" "$tmp/$tgz" "$tmp/nope" "cannot read $tmp/nope"

echo "test-fetch-asn: $checks checks, $fails failed"
[ "$fails" = 0 ]
