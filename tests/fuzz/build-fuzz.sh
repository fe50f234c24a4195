#!/bin/sh
# build-fuzz.sh - build callfence's libFuzzer targets with clang, apart
# from the normal build: every source of src/libcallfence.a is compiled
# again by clang with -fsanitize=fuzzer-no-link,address,undefined into
# WORK/obj, archived, and each tests/fuzz/fuzz-*.c is linked against it
# into WORK/bin.  Also builds WORK/bin/cf-seedsplit (make-seeds.sh).
#
#   build-fuzz.sh WORK [TARGET...]
#
# WORK holds what fuzz.am wrote there: fuzz.vars (CLANG, SRCDIR,
# BUILDDIR), and one word per line in fuzz.cppflags, fuzz.sources (the
# library's sources, relative to SRCDIR) and fuzz.libs (what to link).
# Objects are rebuilt when their source, a header of src/ or config.h is
# newer.  Exit: 0 built, 1 a compile or link error, 77 no usable clang
# with the libFuzzer runtime (callers skip).

set -u
WORK=${1:?usage: build-fuzz.sh WORK [TARGET...]}
shift
. "$WORK/fuzz.vars" || exit 1
JOBS=${FUZZ_JOBS:-2}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS_FUZZ="-std=gnu11 -g -O1 -fno-omit-frame-pointer $SAN -DCF_FUZZING=1"
OBJ=$WORK/obj
BIN=$WORK/bin
mkdir -p "$OBJ" "$BIN" || exit 1

# Is there a clang whose libFuzzer runtime links?
probe() {
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ (void)d; (void)n; return 0; }' >"$OBJ/probe.c"
	"$CLANG" -fsanitize=fuzzer,address,undefined "$OBJ/probe.c" \
		-o "$OBJ/probe" >"$OBJ/probe.log" 2>&1
}
if ! command -v "$CLANG" >/dev/null 2>&1 || ! probe; then
	echo "build-fuzz: no usable '$CLANG' with -fsanitize=fuzzer (see $OBJ/probe.log)"
	exit 77
fi

# Read a one-word-per-line file into the positional parameters of a
# function; words keep their spaces and quotes.
words() {
	while IFS= read -r w; do
		[ -n "$w" ] && printf '%s\n' "$w"
	done <"$1"
}

# Newest header of src/ and config.h: objects older than it are rebuilt.
stamp=$OBJ/headers.stamp
newest=$(ls -t $(find "$SRCDIR/src" -name "*.h") "$BUILDDIR/config.h" "$SRCDIR"/tests/fuzz/*.h \
	2>/dev/null | head -n 1)
if [ ! -f "$stamp" ] || { [ -n "$newest" ] && [ "$newest" -nt "$stamp" ]; }; then
	rm -f "$OBJ"/*.o
	touch "$stamp"
fi

# compile SRC OBJ [extra flags]: clang with the library's preprocessor
# flags; skipped when OBJ is newer than SRC.
compile() {
	src=$1 obj=$2
	shift 2
	if [ -f "$obj" ] && [ "$obj" -nt "$src" ]; then
		return 0
	fi
	set -- "$@" -I"$BUILDDIR" -I"$SRCDIR/src" -I"$SRCDIR/tests/fuzz"
	while IFS= read -r w; do
		[ -n "$w" ] && set -- "$@" "$w"
	done <"$WORK/fuzz.cppflags"
	# shellcheck disable=SC2086
	if ! "$CLANG" $CFLAGS_FUZZ "$@" -c "$src" -o "$obj.tmp" 2>"$obj.log"; then
		cat "$obj.log" >&2
		rm -f "$obj.tmp"
		echo "build-fuzz: cannot compile $src" >&2
		return 1
	fi
	mv "$obj.tmp" "$obj"
}

# The library, compiled in parallel (JOBS at a time).
lib_objs=
pids=
n=0
fail=0
for s in $(words "$WORK/fuzz.sources"); do
	case $s in *.c) ;; *) continue ;; esac
	o=$OBJ/$(basename "$s" .c).o
	lib_objs="$lib_objs $o"
	compile "$SRCDIR/$s" "$o" -fsanitize=fuzzer-no-link &
	pids="$pids $!"
	n=$((n + 1))
	if [ "$n" -ge "$JOBS" ]; then
		for p in $pids; do wait "$p" || fail=1; done
		pids=
		n=0
	fi
done
for p in $pids; do wait "$p" || fail=1; done
[ "$fail" = 0 ] || exit 1
rm -f "$OBJ/libcf.a"
# shellcheck disable=SC2086
ar rcs "$OBJ/libcf.a" $lib_objs || exit 1

libs=
for w in $(words "$WORK/fuzz.libs"); do
	case $w in
	*libcallfence.a) ;;
	*) libs="$libs $w" ;;
	esac
done

# link NAME MAIN-FLAG: one program from tests/fuzz/NAME.c.
link() {
	name=$1 mode=$2
	compile "$SRCDIR/tests/fuzz/$name.c" "$OBJ/$name.o" -fsanitize=fuzzer-no-link \
		-DCF_SRCDIR_FUZZ="\"$SRCDIR\"" -DCF_BUILDDIR_FUZZ="\"$BUILDDIR\"" || return 1
	if [ "$BIN/$name" -nt "$OBJ/$name.o" ] && [ "$BIN/$name" -nt "$OBJ/libcf.a" ]; then
		return 0
	fi
	# shellcheck disable=SC2086
	"$CLANG" $SAN $mode "$OBJ/$name.o" "$OBJ/libcf.a" $libs -o "$BIN/$name" ||
		{ echo "build-fuzz: cannot link $name" >&2; return 1; }
}

if [ $# -eq 0 ]; then
	for f in "$SRCDIR"/tests/fuzz/fuzz-*.c; do
		set -- "$@" "$(basename "$f" .c)"
	done
fi
# A target whose header says "Needs: src/FILE.c" is skipped (and said so)
# while that file is not among the library's sources yet.
for t in "$@"; do
	miss=
	for need in $(sed -n 's/^ \* Needs: //p' "$SRCDIR/tests/fuzz/$t.c"); do
		grep -qx "$need" "$WORK/fuzz.sources" || miss="$miss $need"
	done
	if [ -n "$miss" ]; then
		echo "build-fuzz: $t skipped: not in the library yet:$miss"
		rm -f "$BIN/$t"
		continue
	fi
	link "$t" -fsanitize=fuzzer || fail=1
done
link cf-seedsplit "" || fail=1
exit $fail
