#!/bin/sh
# check-layout.sh - the source tree's shape, as docs/architecture.md states
# it; each rule prints the files that break it, and any break fails:
#   1. every source file of src/ is in a stage folder, except src/main*.c
#      and src/main*.h;
#   2. a stage includes only its own headers and those of the stages
#      below it (STAGES, bottom first): no stage calls back up;
#   3. each external library's headers are included in one folder only;
#   4. config.h is the first include of every .c file of src/;
#   5. no source file is longer than MAX_LINES, except those listed in
#      LONG_OK with the reason (docs/architecture.md).
# Usage: check-layout.sh [SRCDIR]   (exit 0 all hold, 1 a rule broken)
set -u
top=${1:-${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}}
cd "$top" || exit 1

STAGES="util sandbox capture decode flow classify/recog classify geo policy output event report engine daemon"
MAX_LINES=${MAX_LINES:-800}
LONG_OK=""
fail=0

rank() {
	r=0
	for s in $STAGES; do
		[ "$s" = "$1" ] && { echo "$r"; return; }
		r=$((r + 1))
	done
	echo 99   # src/main*: the top
}

stage_of() {
	d=$(dirname "$1")
	d=${d#src}
	d=${d#/}
	echo "${d:-main}"
}

files=$(find src -name '*.c' -o -name '*.h' | sort)

# 1. stage folders
for f in $files; do
	st=$(stage_of "$f")
	if [ "$st" = main ]; then
		case $(basename "$f") in main*.c | main*.h) continue ;; esac
		echo "layout: $f: a source file outside the stage folders"
		fail=1
	elif [ "$(rank "$st")" = 99 ]; then
		echo "layout: $f: folder src/$st is not a stage (STAGES in $0)"
		fail=1
	fi
done

# 2. includes go down only
for f in $files; do
	st=$(stage_of "$f")
	r=$(rank "$st")
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case $inc in config.h) continue ;; */*) ;; *)
			[ "$st" = main ] && continue
			echo "layout: $f: #include \"$inc\" does not name its stage"
			fail=1
			continue ;;
		esac
		ist=$(dirname "$inc")
		[ "$ist" = "$st" ] && continue
		ir=$(rank "$ist")
		if [ "$ir" -ge "$r" ]; then
			echo "layout: $f ($st) includes $inc: $ist is not below $st"
			fail=1
		fi
	done
done

# 3. one folder per external library
for lib in pcap.h ndpi_api.h maxminddb.h jansson.h openssl/ librdkafka/ seccomp.h resolv.h; do
	dirs=$(grep -l "^#include <$lib" $files 2>/dev/null | xargs -r -n1 dirname | sort -u)
	n=$(printf '%s\n' "$dirs" | grep -c .)
	if [ "$n" -gt 1 ]; then
		echo "layout: <$lib> is included in $n folders:" $dirs
		fail=1
	fi
done

# 4. config.h first
for f in $(printf '%s\n' $files | grep '\.c$'); do
	first=$(grep -m1 '^#include' "$f")
	if [ "$first" != '#include "config.h"' ]; then
		echo "layout: $f: the first include is not config.h ($first)"
		fail=1
	fi
done

# 5. file length
for f in $files; do
	n=$(wc -l <"$f")
	[ "$n" -le "$MAX_LINES" ] && continue
	case " $LONG_OK " in *" $f "*) continue ;; esac
	echo "layout: $f: $n lines (more than $MAX_LINES)"
	fail=1
done

[ "$fail" = 0 ] && echo "layout: every rule holds"
exit "$fail"
