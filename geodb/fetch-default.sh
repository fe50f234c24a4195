#!/bin/sh
#
# fetch-default.sh - install callfence's default geography database.
#
#   geodb/fetch-default.sh [-o DIR] [-p PINFILE] [TARBALL]
#
# Fetches the pinned npm package @ip-location-db/geo-whois-asn-country-mmdb
# with `npm pack` (or uses TARBALL, an already downloaded copy of it),
# checks its SHA-256 against PINFILE (default default.sha256 next to this
# script) and installs
#
#   DIR/geo-whois-asn-country.mmdb     the database (IPv4 and IPv6)
#   DIR/geo-whois-asn-country.LICENSE  the data licence (NRO_LICENSE)
#
# DIR defaults to the directory of this script.  The pin file has two lines
# in `sha256sum -c` format: the tarball (its name carries the version),
# then the .mmdb inside it.  Nothing is done when DIR already holds that
# exact .mmdb.  The fetching and checking are npm-fetch.sh's.
# Exit status: 0 installed or up to date, 1 on any failure.
set -eu

# shellcheck source=geodb/npm-fetch.sh
. "$(dirname "$0")/npm-fetch.sh"
NF_PKG=@ip-location-db/geo-whois-asn-country-mmdb
NF_SECTION="Updating the pin"
MMDB=geo-whois-asn-country.mmdb
LICENSE_IN=NRO_LICENSE
LICENSE_OUT=geo-whois-asn-country.LICENSE
pin=$here/default.sha256

nf_options "" "$@"
nf_read_pin "$MMDB"
mmdb_line=$(nf_pin_line "$MMDB")

mkdir -p "$dest" || die "cannot create $dest"
if [ -f "$dest/$LICENSE_OUT" ] &&
    (cd "$dest" && printf '%s\n' "$mmdb_line" | sha256sum -c --status -) 2>/dev/null; then
	nf_up_to_date "$MMDB"
fi

nf_fetch geodb
nf_extract "$MMDB" "$LICENSE_IN"
nf_install "package/$MMDB" "package/$LICENSE_IN:$LICENSE_OUT"
echo "$me: installed $dest/$MMDB from $from (sha256 ${mmdb_line%% *})"
