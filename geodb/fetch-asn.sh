#!/bin/sh
#
# fetch-asn.sh - build callfence's default ASN database (who operates an
# address: autonomous system number and organization).
#
#   geodb/fetch-asn.sh [-o DIR] [-p PINFILE] [TARBALL]
#
# Fetches the pinned npm package @ip-location-db/asn with `npm pack` (or
# uses TARBALL, an already downloaded copy of it), checks the SHA-256 of
# the tarball and of the two CSV files inside it against PINFILE (default
# asn.sha256 next to this script), converts the CSV to a MaxMind-format
# database with asn2mmdb.pl (MaxMind::DB::Writer) and installs
#
#   DIR/ip-location-db-asn.mmdb     the database (IPv4 and IPv6)
#   DIR/ip-location-db-asn.LICENSE  the data licences (ROUTEVIEWS-LICENSE,
#                                   NRO_LICENSE, DBIP-LICENSE, MODIFICATIONS)
#   DIR/ip-location-db-asn.stamp    what it was built from (the pinned
#                                   tarball and converter hashes)
#
# DIR defaults to the directory of this script.  The pin file has three
# lines in `sha256sum -c` format: the tarball (its name carries the
# version), then asn-ipv4.csv and asn-ipv6.csv.  Nothing is done when DIR
# already holds a database built from that tarball by this converter.
# The build time written into the database is the package version's
# (2.3.YYYYMMDDHH), so the output is reproducible.  The fetching and
# checking are npm-fetch.sh's.
# Exit status: 0 installed or up to date, 1 on any failure (nothing is
# installed then).
set -eu

# shellcheck source=geodb/npm-fetch.sh
. "$(dirname "$0")/npm-fetch.sh"
NF_PKG=@ip-location-db/asn
NF_SECTION="The ASN database"
BASE=ip-location-db-asn
CSVS="asn-ipv4.csv asn-ipv6.csv"
LICENSES="ROUTEVIEWS-LICENSE NRO_LICENSE DBIP-LICENSE MODIFICATIONS"
PERL=${PERL:-perl}
pin=$here/asn.sha256
conv=$here/asn2mmdb.pl

nf_options "" "$@"
need "$PERL" perl
"$PERL" -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	die "MaxMind::DB::Writer not found; install libmaxmind-db-writer-perl"
[ -r "$conv" ] || die "cannot read $conv"

# shellcheck disable=SC2086
nf_read_pin $CSVS
stamp_text="$tgz_line
$(sha256sum "$conv" | cut -d' ' -f1)  asn2mmdb.pl"

mkdir -p "$dest" || die "cannot create $dest"
if [ -f "$dest/$BASE.mmdb" ] && [ -f "$dest/$BASE.stamp" ] &&
    [ "$(cat "$dest/$BASE.stamp")" = "$stamp_text" ]; then
	nf_up_to_date "$BASE.mmdb"
fi

# The build time: the hour the version names (2.3.YYYYMMDDHH), else none.
epoch=
case $version in
*.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9])
	d=${version##*.}
	epoch=$(date -u -d "$(echo "$d" | cut -c1-4)-$(echo "$d" | cut -c5-6)-$(echo "$d" | cut -c7-8) $(echo "$d" | cut -c9-10):00:00" +%s 2>/dev/null) || epoch=
	;;
esac

nf_fetch asn
# shellcheck disable=SC2086
nf_extract $CSVS $LICENSES

echo "$me: converting $CSVS to $BASE.mmdb (about half a minute)"
start=$(date +%s)
# shellcheck disable=SC2086
(cd "$tmp/package" && "$PERL" "$conv" ${epoch:+--epoch "$epoch"} \
    "$tmp/$BASE.mmdb" $CSVS) || die "converting $tgz failed"
secs=$(($(date +%s) - start))
for f in $LICENSES; do
	printf '==> %s <==\n' "$f"
	cat "$tmp/package/$f"
	printf '\n\n'
done >"$tmp/$BASE.LICENSE"
printf '%s\n' "$stamp_text" >"$tmp/$BASE.stamp"

nf_install "$BASE.mmdb" "$BASE.LICENSE" "$BASE.stamp"
echo "$me: installed $dest/$BASE.mmdb from $from" \
    "($(wc -c <"$dest/$BASE.mmdb") bytes, converted in ${secs}s)"
