#!/bin/sh
# flip-byte.sh FILE OFFSET - replace the byte at OFFSET of FILE with its
# complement, so the file surely changes (writing a fixed byte does not:
# a gzip stream whose byte is already that one stays as it was).
set -eu
[ $# = 2 ] || { echo "usage: flip-byte.sh FILE OFFSET" >&2; exit 2; }
hex=$(od -An -tx1 -j "$2" -N1 "$1" | tr -d ' \n')
[ -n "$hex" ] || { echo "flip-byte.sh: $1 has no byte $2" >&2; exit 1; }
# shellcheck disable=SC2059
printf "\\$(printf '%03o' $((0x$hex ^ 255)))" |
	dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
