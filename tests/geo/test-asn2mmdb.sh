#!/bin/sh
# test-asn2mmdb.sh - geodb/asn2mmdb.pl, the CSV-to-mmdb converter of the
# ASN database: ranges that are not CIDR-aligned (IPv4 and IPv6) must
# cover exactly their first to last address, as callfence --lookup reads
# the result; quoting, UTF-8, empty organizations, overlaps (the later
# line wins); and every kind of bad line refused with FILE:LINE, leaving
# no output.  Documentation ranges only (--keep-reserved).
# Environment: CALLFENCE, SRCDIR (make check sets them).  Exit 77 when
# MaxMind::DB::Writer is missing.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CALLFENCE=${CALLFENCE:-./src/callfence}
PERL=${PERL:-perl}
CONV=$SRCDIR/geodb/asn2mmdb.pl
export CALLFENCE_DATADIR="${CALLFENCE_DATADIR:-$SRCDIR}"

"$PERL" -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	{ echo "SKIP: MaxMind::DB::Writer missing"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cf-asn2mmdb.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect_asn DB ADDRESS "LINE": callfence --lookup's asn line.
expect_asn() {
	checks=$((checks + 1))
	got=$("$CALLFENCE" --lookup "$2" -G "$1" 2>&1 | grep '^asn ')
	[ "$got" = "asn          $3" ] || fail "$2: got '$got', want 'asn          $3'"
}

# Non-aligned ranges: 192.0.2.3-192.0.2.130 splits into 9 networks;
# 2001:db8::5 - 2001:db8::1:0 into many more.  The header line, quoting
# ("" and commas), UTF-8, an empty organization, and an overlap: the
# later line (198.51.100.64-127) wins over the earlier /24.
cat >"$tmp/v4.csv" <<'EOF'
ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization
192.0.2.3,192.0.2.130,64501,"Example ""A"", Inc."
198.51.100.0,198.51.100.255,64510,Example Cloud
198.51.100.64,198.51.100.127,64511,Exempl\303\242 Caf\303\251
203.0.113.255,203.0.113.255,4200000000,
EOF
printf '%b' "$(cat "$tmp/v4.csv")" >"$tmp/v4b.csv"   # the UTF-8 bytes
cat >"$tmp/v6.csv" <<'EOF'
# comment lines are skipped
2001:db8::5,2001:db8::1:0,64530,Example Six
2001:db8:ffff::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64531,Example Six Two
EOF
out=$("$PERL" "$CONV" --keep-reserved --epoch 1700000000 "$tmp/asn.mmdb" \
    "$tmp/v4b.csv" "$tmp/v6.csv" 2>&1)
checks=$((checks + 1))
[ "$out" = "asn2mmdb.pl: 6 ranges, 6 records -> $tmp/asn.mmdb" ] ||
	fail "conversion said '$out'"
db=$tmp/asn.mmdb
expect_asn "$db" 192.0.2.2 "unknown"
expect_asn "$db" 192.0.2.3 'AS64501 Example "A", Inc.'
expect_asn "$db" 192.0.2.64 'AS64501 Example "A", Inc.'
expect_asn "$db" 192.0.2.128 'AS64501 Example "A", Inc.'
expect_asn "$db" 192.0.2.130 'AS64501 Example "A", Inc.'
expect_asn "$db" 192.0.2.131 "unknown"
expect_asn "$db" 198.51.100.63 "AS64510 Example Cloud"
expect_asn "$db" 198.51.100.64 "AS64511 Exemplâ Café"
expect_asn "$db" 198.51.100.127 "AS64511 Exemplâ Café"
expect_asn "$db" 198.51.100.128 "AS64510 Example Cloud"
expect_asn "$db" 203.0.113.254 "unknown"
expect_asn "$db" 203.0.113.255 "AS4200000000"
expect_asn "$db" 2001:db8::4 "unknown"
expect_asn "$db" 2001:db8::5 "AS64530 Example Six"
expect_asn "$db" 2001:db8::8000 "AS64530 Example Six"
expect_asn "$db" 2001:db8::1:0 "AS64530 Example Six"
expect_asn "$db" 2001:db8::1:1 "unknown"
expect_asn "$db" 2001:db8:fffe:ffff:ffff:ffff:ffff:ffff "unknown"
expect_asn "$db" 2001:db8:ffff:1234::1 "AS64531 Example Six Two"
# the same addresses written as IPv4-mapped IPv6 reach the IPv4 ranges
expect_asn "$db" ::ffff:192.0.2.3 'AS64501 Example "A", Inc.'
# the build time is the one given
checks=$((checks + 1))
"$CALLFENCE" --lookup 192.0.2.3 -v -G "$db" | grep -q "callfence-ASN, built 2023-11-14, IPv6" ||
	fail "describe line: $("$CALLFENCE" --lookup 192.0.2.3 -v -G "$db" | tail -1)"
# reproducible: the same input gives the same bytes
"$PERL" "$CONV" --keep-reserved --epoch 1700000000 "$tmp/again.mmdb" \
    "$tmp/v4b.csv" "$tmp/v6.csv" >/dev/null 2>&1
checks=$((checks + 1))
cmp -s "$db" "$tmp/again.mmdb" || fail "two conversions differ"
# without --keep-reserved the writer drops reserved (documentation) ranges
"$PERL" "$CONV" --epoch 1700000000 "$tmp/prod.mmdb" "$tmp/v4b.csv" >/dev/null 2>&1
expect_asn "$tmp/prod.mmdb" 192.0.2.3 "unknown"

# bad_csv 'LINE' 'MESSAGE': refused with exit 2, FILE:LINE: MESSAGE, no output
bad_csv() {
	checks=$((checks + 1))
	printf '1.0.0.0,1.0.0.255,64496,ok\n%s\n' "$1" >"$tmp/bad.csv"
	rm -f "$tmp/bad.mmdb"
	err=$("$PERL" "$CONV" --keep-reserved "$tmp/bad.mmdb" "$tmp/bad.csv" 2>&1)
	rc=$?
	[ "$rc" = 2 ] || fail "'$1': exit $rc, want 2"
	[ "$err" = "$tmp/bad.csv:2: $2" ] || fail "'$1': said '$err', want '$tmp/bad.csv:2: $2'"
	[ ! -e "$tmp/bad.mmdb" ] || fail "'$1': an output was left"
	ls "$tmp" | grep -q 'bad.mmdb.tmp' && fail "'$1': a temporary file was left"
}
bad_csv '1.0.1.0,1.0.1.255,64496' \
	"3 fields, want 4 (ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization)"
bad_csv '1.0.1.0,1.0.1.256,64496,x' "ip_range_end '1.0.1.256' is not an IPv4 or IPv6 address"
bad_csv 'one,1.0.1.255,64496,x' "ip_range_start 'one' is not an IPv4 or IPv6 address"
bad_csv '1.0.1.9,1.0.1.8,64496,x' "range 1.0.1.9-1.0.1.8 ends before it starts"
bad_csv '1.0.1.0,2001:db8::1,64496,x' "range 1.0.1.0-2001:db8::1 mixes IPv4 and IPv6"
bad_csv '1.0.1.0,1.0.1.255,0,x' "autonomous_system_number '0' is not a number from 1 to 4294967295"
bad_csv '1.0.1.0,1.0.1.255,AS64496,x' "autonomous_system_number 'AS64496' is not a number from 1 to 4294967295"
bad_csv '1.0.1.0,1.0.1.255,4294967296,x' "autonomous_system_number '4294967296' is not a number from 1 to 4294967295"
bad_csv '1.0.1.0,1.0.1.255,64496,"x' "malformed quoting"
# usage and an unreadable input
checks=$((checks + 1))
"$PERL" "$CONV" "$tmp/x.mmdb" >/dev/null 2>&1
[ $? = 1 ] || fail "no input: want exit 1"
checks=$((checks + 1))
err=$("$PERL" "$CONV" "$tmp/x.mmdb" "$tmp/missing.csv" 2>&1)
case $err in "$tmp/missing.csv: No such file or directory"*) ;; *) fail "missing input said '$err'" ;; esac
[ ! -e "$tmp/x.mmdb" ] || fail "missing input: an output was left"

echo "test-asn2mmdb: $checks checks, $fails failed"
[ "$fails" = 0 ]
