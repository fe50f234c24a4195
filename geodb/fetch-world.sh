#!/bin/sh
#
# fetch-world.sh - build callfence's country shapes (world-countries.txt),
# the outlines the speed-of-light check measures distances to.
#
#   geodb/fetch-world.sh [-o DIR] [-p PINFILE] [-i ISOFILE] [TARBALL]
#
# Fetches the pinned npm package world-atlas (Natural Earth's countries as
# TopoJSON) with `npm pack` (or uses TARBALL, an already downloaded copy of
# it), checks the SHA-256 of the tarball and of countries-50m.json inside
# it against PINFILE (default world.sha256 next to this script), converts
# it with topo2shapes.pl (core Perl), joining the numeric country ids to
# ISO 3166-1 alpha-2 codes with ISOFILE (default Debian iso-codes'
# /usr/share/iso-codes/json/iso_3166-1.json), and installs
#
#   DIR/world-countries.txt      the shapes (format: geodb/README)
#   DIR/world-countries.LICENSE  the data licence (the package's LICENSE;
#                                Natural Earth itself is public domain)
#   DIR/world-countries.stamp    what it was built from (the pinned
#                                tarball, converter and ISO table hashes)
#
# DIR defaults to the directory of this script.  The pin file has two lines
# in `sha256sum -c` format: the tarball (its name carries the version),
# then countries-50m.json.  Nothing is done when DIR already holds shapes
# built from that tarball by this converter with this ISO table.  The
# fetching and checking are npm-fetch.sh's.
# Exit status: 0 installed or up to date, 1 on any failure (nothing is
# installed then).
set -eu

# shellcheck source=geodb/npm-fetch.sh
. "$(dirname "$0")/npm-fetch.sh"
NF_PKG=world-atlas
NF_SECTION="The country shapes"
NF_USAGE="[-i ISOFILE]"
BASE=world-countries
JSON=countries-50m.json
PERL=${PERL:-perl}
pin=$here/world.sha256
conv=$here/topo2shapes.pl
iso=/usr/share/iso-codes/json/iso_3166-1.json

nf_option() {   # -i ISOFILE
	iso=$2
}

nf_options "i:" "$@"
need "$PERL" perl
"$PERL" -MJSON::PP -e 1 2>/dev/null || die "JSON::PP not found; install perl"
[ -r "$conv" ] || die "cannot read $conv"
[ -r "$iso" ] || die "cannot read $iso; install iso-codes"

nf_read_pin "$JSON"
json_line=$(nf_pin_line "$JSON")
stamp_text="$tgz_line
$(sha256sum "$conv" | cut -d' ' -f1)  topo2shapes.pl
$(sha256sum "$iso" | cut -d' ' -f1)  $(basename "$iso")"

mkdir -p "$dest" || die "cannot create $dest"
if [ -f "$dest/$BASE.txt" ] && [ -f "$dest/$BASE.LICENSE" ] && [ -f "$dest/$BASE.stamp" ] &&
    [ "$(cat "$dest/$BASE.stamp")" = "$stamp_text" ]; then
	nf_up_to_date "$BASE.txt"
fi

nf_fetch world
nf_extract "$JSON" LICENSE

"$PERL" "$conv" --iso "$iso" \
    --comment "callfence country shapes, made by geodb/fetch-world.sh with topo2shapes.pl" \
    --comment "source: npm package $NF_PKG@$version, $JSON (Natural Earth 1:50m admin 0 countries)" \
    --comment "sha256 ${tgz_line%% *}  $tgz" \
    --comment "sha256 ${json_line%% *}  $JSON" \
    --comment "codes: ISO 3166-1 numeric -> alpha-2 from $iso" \
    --comment "licence: Natural Earth is public domain; world-atlas is ISC (Michael Bostock), see $BASE.LICENSE" \
    "$tmp/package/$JSON" "$tmp/$BASE.txt" 2>"$tmp/conv.err" ||
	die "converting $JSON failed: $(cat "$tmp/conv.err")"
{
	printf 'The country shapes in %s.txt are converted from %s@%s\n' "$BASE" "$NF_PKG" "$version"
	printf '(%s), made from Natural Earth data (public domain,\n' "$JSON"
	printf 'https://www.naturalearthdata.com/about/terms-of-use/).\n\n'
	printf '==> LICENSE of %s@%s <==\n' "$NF_PKG" "$version"
	cat "$tmp/package/LICENSE"
} >"$tmp/$BASE.LICENSE"
printf '%s\n' "$stamp_text" >"$tmp/$BASE.stamp"

nf_install "$BASE.txt" "$BASE.LICENSE" "$BASE.stamp"
echo "$me: installed $dest/$BASE.txt from $from" \
    "($(grep -c '^C ' "$dest/$BASE.txt") countries)"
