# npm-fetch.sh - what geodb/fetch-*.sh share: a pinned npm package is
# fetched with `npm pack` (or taken from a tarball given), its SHA-256 and
# those of the files used inside it checked against a pin file, and the
# files made from it installed under temporary names, then renamed.
#
# Sourced (POSIX sh, `set -eu`) by a fetch script, which then states its
# package, pin, the files it uses and its conversion:
#
#   . "$(dirname "$0")/npm-fetch.sh"
#   NF_PKG=world-atlas            npm package; the tarball is NAME-VERSION.tgz
#                                 (a scope's @ and / become "" and -)
#   NF_SECTION="The country shapes"   geodb/README section a mismatch names
#   NF_USAGE="[-i ISOFILE]"       the script's own options (nf_option)
#   pin=$here/world.sha256        the default pin file
#   nf_options "i:" "$@"          -o DIR, -p PINFILE, TARBALL; sets dest,
#                                 pin, tarball_arg; other letters go to
#                                 nf_option LETTER ARG (the script's)
#   nf_read_pin countries-50m.json    sets tgz_line, tgz, version; every
#                                 file named must have a pin line
#   nf_up_to_date FILE            "is up to date" and exit 0
#   nf_fetch world                $tmp (removed at exit) holds $tgz, checked;
#                                 sets from (where it came from)
#   nf_extract FILE...            package/FILE... into $tmp/package; the
#                                 pinned ones checked
#   nf_install SRC[:NAME]...      $tmp/SRC installed as $dest/NAME
#
# The pin file is in `sha256sum -c` format: the tarball (its name carries
# the version) on exactly one line, then one line per file checked inside.

NPM=${NPM:-npm}
me=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)
dest=$here
tmp=

die() {
	echo "$me: $*" >&2
	exit 1
}

usage() {
	echo "usage: $me [-o DIR] [-p PINFILE] ${NF_USAGE:+$NF_USAGE }[TARBALL]" >&2
	exit 1
}

nf_cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found; install $2"
}

# nf_options LETTERS ARGS...: the common options and the TARBALL argument;
# LETTERS are the script's own getopts letters, handed to nf_option.
nf_options() {
	nf_letters=$1
	shift
	OPTIND=1
	while getopts "o:p:$nf_letters" opt; do
		case $opt in
		o) dest=$OPTARG ;;
		p) pin=$OPTARG ;;
		\?) usage ;;
		*) nf_option "$opt" "${OPTARG:-}" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -le 1 ] || usage
	tarball_arg=${1:-}
	need sha256sum coreutils
	need tar tar
}

# nf_verify LINE DIR WHAT: DIR must hold the file named on "HASH  NAME"
# LINE with that hash; else fail showing both hashes.
nf_verify() {
	if (cd "$2" && printf '%s\n' "$1" | sha256sum -c --status -) 2>/dev/null; then
		return 0
	fi
	got=$(sha256sum "$2/${1#*  }" 2>/dev/null | cut -d' ' -f1)
	die "SHA-256 mismatch for $3
  expected ${1%% *}
  got      ${got:-(file missing)}
refusing to install it (see geodb/README, \"$NF_SECTION\")"
}

# nf_pin_line FILE: the pin's line for FILE (empty if none).
nf_pin_line() {
	grep -E "^[0-9a-f]{64}  $1\$" "$pin" || true
}

# nf_read_pin FILE...: read and check the pin; FILE... are the files of
# the package whose hashes it must give.
nf_read_pin() {
	[ -r "$pin" ] || die "cannot read $pin"
	tgz_line=$(grep -E '^[0-9a-f]{64}  [^/ ]+\.tgz$' "$pin" || true)
	if [ -z "$tgz_line" ] || [ "$(printf '%s\n' "$tgz_line" | wc -l)" -ne 1 ]; then
		die "$pin: want exactly one line 'SHA256  NAME.tgz'"
	fi
	nf_pinned=$*
	for f in $nf_pinned; do
		[ -n "$(nf_pin_line "$f")" ] || die "$pin: no line 'SHA256  $f'"
	done
	nf_tgz_base=$(printf '%s\n' "$NF_PKG" | sed -e 's/^@//' -e 's|/|-|')
	tgz=${tgz_line#*  }
	case $tgz in
	"$nf_tgz_base"-?*.tgz) ;;
	*) die "$pin: unexpected tarball name $tgz (want $nf_tgz_base-VERSION.tgz)" ;;
	esac
	version=${tgz#"$nf_tgz_base"-}
	version=${version%.tgz}
}

# nf_up_to_date FILE: say DIR/FILE is up to date and stop.
nf_up_to_date() {
	echo "$me: $dest/$1 is up to date ($NF_PKG@$version)"
	exit 0
}

# nf_fetch NAME: a temporary directory (callfence-NAME.XXXXXX) holding the
# tarball, TARBALL's copy or npm pack's, with the pinned hash.
nf_fetch() {
	trap nf_cleanup EXIT
	trap 'exit 1' HUP INT TERM
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/callfence-$1.XXXXXX") ||
		die "cannot create a temporary directory"
	if [ -n "$tarball_arg" ]; then
		[ -r "$tarball_arg" ] || die "cannot read $tarball_arg"
		cp "$tarball_arg" "$tmp/$tgz" || die "cannot copy $tarball_arg"
		from=$tarball_arg
	else
		need "$NPM" "npm (Debian: apt-get install npm)"
		echo "$me: fetching $NF_PKG@$version with npm pack"
		(cd "$tmp" && "$NPM" pack --ignore-scripts --silent "$NF_PKG@$version" \
		    >/dev/null) || die "npm pack $NF_PKG@$version failed"
		[ -f "$tmp/$tgz" ] || die "npm pack did not produce $tgz"
		from="npm pack $NF_PKG@$version"
	fi
	nf_verify "$tgz_line" "$tmp" "$tgz (from $from)"
}

# nf_extract FILE...: extract package/FILE... into $tmp/package, then check
# the hashes of the pinned files.
nf_extract() {
	nf_members=
	nf_list=
	i=0
	for f in "$@"; do
		i=$((i + 1))
		nf_members="$nf_members package/$f"
		if [ "$i" = 1 ]; then
			nf_list=package/$f
		elif [ "$i" = $# ]; then
			nf_list="$nf_list and package/$f"
		else
			nf_list="$nf_list, package/$f"
		fi
	done
	# shellcheck disable=SC2086
	tar -xzf "$tmp/$tgz" -C "$tmp" $nf_members ||
		die "$tgz does not hold $nf_list"
	for f in $nf_pinned; do
		nf_verify "$(nf_pin_line "$f")" "$tmp/package" "package/$f in $tgz"
	done
}

# nf_install SRC[:NAME]...: install each $tmp/SRC as $dest/NAME (NAME
# defaults to SRC's base name) under a temporary name, then rename it into
# place, in the order given (a stamp last: an interrupted install is redone).
nf_install() {
	for f in "$@"; do
		src=$tmp/${f%%:*}
		case $f in
		*:*) dst=$dest/${f#*:} ;;
		*) dst=$dest/$(basename "$f") ;;
		esac
		if ! { cp "$src" "$dst.tmp$$" && chmod 644 "$dst.tmp$$" &&
		    mv -f "$dst.tmp$$" "$dst"; }; then
			rm -f "$dst.tmp$$"
			die "cannot install $dst"
		fi
	done
}
