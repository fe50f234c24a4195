#!/bin/sh
#
# fetch-default.sh - install callfence's default geography database.
#
#   geodb/fetch-default.sh [-o DIR] [TARBALL]
#
# Fetches the pinned npm package @ip-location-db/geo-whois-asn-country-mmdb
# with `npm pack` (or uses TARBALL, an already downloaded copy of it),
# checks its SHA-256 against default.sha256 and installs
#
#   DIR/geo-whois-asn-country.mmdb     the database (IPv4 and IPv6)
#   DIR/geo-whois-asn-country.LICENSE  the data licence (NRO_LICENSE)
#
# DIR defaults to the directory of this script.  default.sha256 is the pin:
# line 1 is the tarball (its name carries the version), line 2 the .mmdb
# inside it.  Nothing is done when DIR already holds that exact .mmdb.
# Exit status: 0 installed or up to date, 1 on any failure.
set -eu

PKG=@ip-location-db/geo-whois-asn-country-mmdb
MMDB=geo-whois-asn-country.mmdb
LICENSE_IN=NRO_LICENSE
LICENSE_OUT=geo-whois-asn-country.LICENSE
NPM=${NPM:-npm}

me=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)
sums=$here/default.sha256
tmp=

die() {
	echo "$me: $*" >&2
	exit 1
}

cleanup() {
	if [ -n "$tmp" ]; then
		rm -rf "$tmp"
	fi
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found; install $2"
}

# check_sum LINE DIR: does DIR hold the file named on "HASH  NAME" LINE?
check_sum() {
	(cd "$2" && printf '%s\n' "$1" | sha256sum -c --status -) 2>/dev/null
}

# sum_mismatch LINE FILE WHAT: fail, showing expected and actual hashes.
sum_mismatch() {
	got=$(sha256sum "$2" | cut -d' ' -f1)
	die "SHA-256 mismatch for $3
  expected ${1%% *}
  got      $got
refusing to install it (see geodb/README, \"Updating the pin\")"
}

dest=$here
while getopts o: opt; do
	case $opt in
	o) dest=$OPTARG ;;
	*) echo "usage: $me [-o DIR] [TARBALL]" >&2; exit 1 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || { echo "usage: $me [-o DIR] [TARBALL]" >&2; exit 1; }
tarball_arg=${1:-}

need sha256sum coreutils
need tar tar

[ -r "$sums" ] || die "cannot read $sums"
tgz_line=$(grep -E '^[0-9a-f]{64}  [^/ ]+\.tgz$' "$sums" || true)
mmdb_line=$(grep -E "^[0-9a-f]{64}  $MMDB\$" "$sums" || true)
if [ -z "$tgz_line" ] || [ "$(printf '%s\n' "$tgz_line" | wc -l)" -ne 1 ]; then
	die "$sums: want exactly one line 'SHA256  NAME.tgz'"
fi
[ -n "$mmdb_line" ] || die "$sums: no line 'SHA256  $MMDB'"
tgz=${tgz_line#*  }
case $tgz in
ip-location-db-geo-whois-asn-country-mmdb-?*.tgz) ;;
*) die "$sums: unexpected tarball name $tgz" ;;
esac
version=${tgz#ip-location-db-geo-whois-asn-country-mmdb-}
version=${version%.tgz}

mkdir -p "$dest" || die "cannot create $dest"
if [ -f "$dest/$LICENSE_OUT" ] && check_sum "$mmdb_line" "$dest"; then
	echo "$me: $dest/$MMDB is up to date ($PKG@$version)"
	exit 0
fi

trap cleanup EXIT
trap 'exit 1' HUP INT TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/callfence-geodb.XXXXXX") ||
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

check_sum "$tgz_line" "$tmp" ||
	sum_mismatch "$tgz_line" "$tmp/$tgz" "$tgz (from $from)"
tar -xzf "$tmp/$tgz" -C "$tmp" "package/$MMDB" "package/$LICENSE_IN" ||
	die "$tgz does not hold package/$MMDB and package/$LICENSE_IN"
check_sum "$mmdb_line" "$tmp/package" ||
	sum_mismatch "$mmdb_line" "$tmp/package/$MMDB" "package/$MMDB in $tgz"

# Install each file under a temporary name, then rename into place.
for f in "$MMDB:$MMDB" "$LICENSE_IN:$LICENSE_OUT"; do
	src=$tmp/package/${f%%:*}
	dst=$dest/${f#*:}
	if ! { cp "$src" "$dst.tmp$$" && chmod 644 "$dst.tmp$$" &&
	    mv -f "$dst.tmp$$" "$dst"; }; then
		rm -f "$dst.tmp$$"
		die "cannot install $dst"
	fi
done
echo "$me: installed $dest/$MMDB from $from (sha256 ${mmdb_line%% *})"
