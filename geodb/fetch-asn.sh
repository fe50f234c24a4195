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
# (2.3.YYYYMMDDHH), so the output is reproducible.
# Exit status: 0 installed or up to date, 1 on any failure (nothing is
# installed then).
set -eu

PKG=@ip-location-db/asn
BASE=ip-location-db-asn
CSVS="asn-ipv4.csv asn-ipv6.csv"
LICENSES="ROUTEVIEWS-LICENSE NRO_LICENSE DBIP-LICENSE MODIFICATIONS"
NPM=${NPM:-npm}
PERL=${PERL:-perl}

me=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)
pin=$here/asn.sha256
conv=$here/asn2mmdb.pl
tmp=

die() {
	echo "$me: $*" >&2
	exit 1
}

usage() {
	echo "usage: $me [-o DIR] [-p PINFILE] [TARBALL]" >&2
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
refusing to install it (see geodb/README, \"The ASN database\")"
}

dest=$here
while getopts o:p: opt; do
	case $opt in
	o) dest=$OPTARG ;;
	p) pin=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
tarball_arg=${1:-}

need sha256sum coreutils
need tar tar
need "$PERL" perl
"$PERL" -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	die "MaxMind::DB::Writer not found; install libmaxmind-db-writer-perl"
[ -r "$conv" ] || die "cannot read $conv"

# The pin: exactly one tarball line, one line per CSV file.
[ -r "$pin" ] || die "cannot read $pin"
tgz_line=$(grep -E '^[0-9a-f]{64}  [^/ ]+\.tgz$' "$pin" || true)
if [ -z "$tgz_line" ] || [ "$(printf '%s\n' "$tgz_line" | wc -l)" -ne 1 ]; then
	die "$pin: want exactly one line 'SHA256  NAME.tgz'"
fi
for c in $CSVS; do
	grep -Eq "^[0-9a-f]{64}  $c\$" "$pin" || die "$pin: no line 'SHA256  $c'"
done
tgz=${tgz_line#*  }
case $tgz in
"$BASE"-?*.tgz) ;;
*) die "$pin: unexpected tarball name $tgz (want $BASE-VERSION.tgz)" ;;
esac
version=${tgz#"$BASE"-}
version=${version%.tgz}
stamp_text="$tgz_line
$(sha256sum "$conv" | cut -d' ' -f1)  asn2mmdb.pl"

mkdir -p "$dest" || die "cannot create $dest"
if [ -f "$dest/$BASE.mmdb" ] && [ -f "$dest/$BASE.stamp" ] &&
    [ "$(cat "$dest/$BASE.stamp")" = "$stamp_text" ]; then
	echo "$me: $dest/$BASE.mmdb is up to date ($PKG@$version)"
	exit 0
fi

# The build time: the hour the version names (2.3.YYYYMMDDHH), else none.
epoch=
case $version in
*.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9])
	d=${version##*.}
	epoch=$(date -u -d "$(echo "$d" | cut -c1-4)-$(echo "$d" | cut -c5-6)-$(echo "$d" | cut -c7-8) $(echo "$d" | cut -c9-10):00:00" +%s 2>/dev/null) || epoch=
	;;
esac

trap cleanup EXIT
trap 'exit 1' HUP INT TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/callfence-asn.XXXXXX") ||
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
members=
for f in $CSVS $LICENSES; do
	members="$members package/$f"
done
# shellcheck disable=SC2086
tar -xzf "$tmp/$tgz" -C "$tmp" $members ||
	die "$tgz does not hold$members"
for c in $CSVS; do
	verify "$(grep -E "^[0-9a-f]{64}  $c\$" "$pin")" "$tmp/package" "package/$c in $tgz"
done

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

# Install each file under a temporary name, then rename into place; the
# stamp last, so an interrupted install is redone.
for f in "$BASE.mmdb" "$BASE.LICENSE" "$BASE.stamp"; do
	if ! { cp "$tmp/$f" "$dest/$f.tmp$$" && chmod 644 "$dest/$f.tmp$$" &&
	    mv -f "$dest/$f.tmp$$" "$dest/$f"; }; then
		rm -f "$dest/$f.tmp$$"
		die "cannot install $dest/$f"
	fi
done
echo "$me: installed $dest/$BASE.mmdb from $from" \
    "($(wc -c <"$dest/$BASE.mmdb") bytes, converted in ${secs}s)"
