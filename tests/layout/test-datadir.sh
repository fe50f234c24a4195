#!/bin/sh
# test-datadir.sh - the installed program holds no path of the build tree:
# callfence finds its rules, catalog and geography in configure's
# pkgdatadir or in $CALLFENCE_DATADIR, nowhere else.
#   - without CALLFENCE_DATADIR and with nothing installed, the default
#     policy is not found (exit 2, a message naming both places), even
#     run from the source tree;
#   - with CALLFENCE_DATADIR naming the source tree, the default policy
#     and the catalog are found there.
# Env: CALLFENCE, SRCDIR, PKGDATADIR (make check sets them).
set -u
: "${CALLFENCE:?}" "${SRCDIR:?}" "${PKGDATADIR:?}"
fails=0
n=0
check() { # what, condition result
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fails=$((fails + 1)); fi
}

if [ -e "$PKGDATADIR/rules/default.rules" ]; then
	echo "SKIP: callfence is installed in $PKGDATADIR: the uninstalled case cannot be tested here"
	exit 77
fi
out=$(cd "$SRCDIR" && env -u CALLFENCE_DATADIR "$CALLFENCE" --check-rules 2>&1)
rc=$?
check "without CALLFENCE_DATADIR: exit 2 (got $rc)" "$([ "$rc" = 2 ]; echo $?)"
case $out in
*"default.rules not found in $PKGDATADIR/rules nor in \$CALLFENCE_DATADIR/rules"*) r=0 ;;
*) r=1; echo "# got: $out" ;;
esac
check "the message names pkgdatadir and CALLFENCE_DATADIR" "$r"

out=$(cd / && CALLFENCE_DATADIR=$SRCDIR "$CALLFENCE" --check-rules 2>&1 >/dev/null)
rc=$?
check "with CALLFENCE_DATADIR: exit 0 (got $rc)" "$([ "$rc" = 0 ]; echo $?)"
case $out in
*"$SRCDIR/rules/default.rules: OK"*"catalog $SRCDIR/rules/apps.conf"*) r=0 ;;
*) r=1; echo "# got: $out" ;;
esac
check "rules and catalog found under CALLFENCE_DATADIR" "$r"

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
