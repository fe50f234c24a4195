#!/bin/sh
#
# build-fixtures.sh SRCDIR OUTDIR - build the test databases from the CSV
# files in SRCDIR (tests/geo) into OUTDIR with mkmmdb.pl:
#
#   country.mmdb  from country.csv  (GeoIP2 Country schema)
#   asn.mmdb      from asn.csv      (GeoLite2 ASN schema)
#   flat.mmdb     from flat.csv     (flat country_code schema)
#   flatasn.mmdb  from flatasn.csv  (flat asn/as_organization schema)
#   flat4.mmdb    the IPv4 rows of flat.csv as an IPv4-only database
#   city.mmdb     from city.csv     (GeoIP2 City: location fields)
#   flatcity.mmdb from flatcity.csv (flat latitude/longitude)
#
# The build time is fixed (SOURCE_DATE_EPOCH, default 2023-11-14) so the
# output is reproducible and test-geo can check the date cf_geo_describe
# prints.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 SRCDIR OUTDIR" >&2
	exit 1
fi
src=$1
out=$2
epoch=${SOURCE_DATE_EPOCH:-1700000000}
perl=${PERL:-perl}

mkdir -p "$out"
for t in country asn flat flatasn city flatcity; do
	"$perl" "$src/mkmmdb.pl" --epoch "$epoch" --type "$t" \
	    "$src/$t.csv" "$out/$t.mmdb"
done

tmp="$out/flat4.csv.tmp$$"
trap 'rm -f "$tmp"' EXIT
grep -v ':' "$src/flat.csv" > "$tmp"
"$perl" "$src/mkmmdb.pl" --epoch "$epoch" --ip-version 4 --type flat \
    "$tmp" "$out/flat4.mmdb"
