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
# built from that tarball by this converter with this ISO table.
# Exit status: 0 installed or up to date, 1 on any failure (nothing is
# installed then).
set -eu

PKG=world-atlas
BASE=world-countries
JSON=countries-50m.json
NPM=${NPM:-npm}
PERL=${PERL:-perl}

me=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)
pin=$here/world.sha256
conv=$here/topo2shapes.pl
iso=/usr/share/iso-codes/json/iso_3166-1.json
tmp=

die() {
	echo "$me: $*" >&2
	exit 1
}

usage() {
	echo "usage: $me [-o DIR] [-p PINFILE] [-i ISOFILE] [TARBALL]" >&2
	exit 1
}

cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found; install $2"
}

# verify LINE DIR WHAT: DIR must hold the file named on "HASH  NAME" LINE
# with that hash; else fail showing both hashes.
verify() {
	if (cd "$2" && printf '%s\n' "$1" | sha256sum -c --status -) 2>/dev/null; then
		return 0
	fi
	got=$(sha256sum "$2/${1#*  }" 2>/dev/null | cut -d' ' -f1)
	die "SHA-256 mismatch for $3
  expected ${1%% *}
  got      ${got:-(file missing)}
refusing to install it (see geodb/README, \"The country shapes\")"
}

dest=$here
while getopts o:p:i: opt; do
	case $opt in
	o) dest=$OPTARG ;;
	p) pin=$OPTARG ;;
	i) iso=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
tarball_arg=${1:-}

need sha256sum coreutils
need tar tar
need "$PERL" perl
"$PERL" -MJSON::PP -e 1 2>/dev/null || die "JSON::PP not found; install perl"
[ -r "$conv" ] || die "cannot read $conv"
[ -r "$iso" ] || die "cannot read $iso; install iso-codes"

# The pin: exactly one tarball line, one line for the JSON file.
[ -r "$pin" ] || die "cannot read $pin"
tgz_line=$(grep -E '^[0-9a-f]{64}  [^/ ]+\.tgz$' "$pin" || true)
if [ -z "$tgz_line" ] || [ "$(printf '%s\n' "$tgz_line" | wc -l)" -ne 1 ]; then
	die "$pin: want exactly one line 'SHA256  NAME.tgz'"
fi
json_line=$(grep -E "^[0-9a-f]{64}  $JSON\$" "$pin" || true)
[ -n "$json_line" ] || die "$pin: no line 'SHA256  $JSON'"
tgz=${tgz_line#*  }
case $tgz in
"$PKG"-?*.tgz) ;;
*) die "$pin: unexpected tarball name $tgz (want $PKG-VERSION.tgz)" ;;
esac
version=${tgz#"$PKG"-}
version=${version%.tgz}
stamp_text="$tgz_line
$(sha256sum "$conv" | cut -d' ' -f1)  topo2shapes.pl
$(sha256sum "$iso" | cut -d' ' -f1)  $(basename "$iso")"

mkdir -p "$dest" || die "cannot create $dest"
if [ -f "$dest/$BASE.txt" ] && [ -f "$dest/$BASE.LICENSE" ] && [ -f "$dest/$BASE.stamp" ] &&
    [ "$(cat "$dest/$BASE.stamp")" = "$stamp_text" ]; then
	echo "$me: $dest/$BASE.txt is up to date ($PKG@$version)"
	exit 0
fi

trap cleanup EXIT
trap 'exit 1' HUP INT TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/callfence-world.XXXXXX") ||
	die "cannot create a temporary directory"

if [ -n "$tarball_arg" ]; then
	[ -r "$tarball_arg" ] || die "cannot read $tarball_arg"
	cp "$tarball_arg" "$tmp/$tgz" || die "cannot copy $tarball_arg"
	from=$tarball_arg
else
	need "$NPM" "npm (Debian: apt-get install npm)"
	echo "$me: fetching $PKG@$version with npm pack"
	(cd "$tmp" && "$NPM" pack --ignore-scripts --silent "$PKG@$version" \
	    >/dev/null) || die "npm pack $PKG@$version failed"
	[ -f "$tmp/$tgz" ] || die "npm pack did not produce $tgz"
	from="npm pack $PKG@$version"
fi

verify "$tgz_line" "$tmp" "$tgz (from $from)"
tar -xzf "$tmp/$tgz" -C "$tmp" "package/$JSON" package/LICENSE ||
	die "$tgz does not hold package/$JSON and package/LICENSE"
verify "$json_line" "$tmp/package" "package/$JSON in $tgz"

"$PERL" "$conv" --iso "$iso" \
    --comment "callfence country shapes, made by geodb/fetch-world.sh with topo2shapes.pl" \
    --comment "source: npm package $PKG@$version, $JSON (Natural Earth 1:50m admin 0 countries)" \
    --comment "sha256 ${tgz_line%% *}  $tgz" \
    --comment "sha256 ${json_line%% *}  $JSON" \
    --comment "codes: ISO 3166-1 numeric -> alpha-2 from $iso" \
    --comment "licence: Natural Earth is public domain; world-atlas is ISC (Michael Bostock), see $BASE.LICENSE" \
    "$tmp/package/$JSON" "$tmp/$BASE.txt" 2>"$tmp/conv.err" ||
	die "converting $JSON failed: $(cat "$tmp/conv.err")"
{
	printf 'The country shapes in %s.txt are converted from %s@%s\n' "$BASE" "$PKG" "$version"
	printf '(%s), made from Natural Earth data (public domain,\n' "$JSON"
	printf 'https://www.naturalearthdata.com/about/terms-of-use/).\n\n'
	printf '==> LICENSE of %s@%s <==\n' "$PKG" "$version"
	cat "$tmp/package/LICENSE"
} >"$tmp/$BASE.LICENSE"
printf '%s\n' "$stamp_text" >"$tmp/$BASE.stamp"

# Install each file under a temporary name, then rename into place; the
# stamp last, so an interrupted install is redone.
for f in "$BASE.txt" "$BASE.LICENSE" "$BASE.stamp"; do
	if ! { cp "$tmp/$f" "$dest/$f.tmp$$" && chmod 644 "$dest/$f.tmp$$" &&
	    mv -f "$dest/$f.tmp$$" "$dest/$f"; }; then
		rm -f "$dest/$f.tmp$$"
		die "cannot install $dest/$f"
	fi
done
echo "$me: installed $dest/$BASE.txt from $from" \
    "($(grep -c '^C ' "$dest/$BASE.txt") countries)"
