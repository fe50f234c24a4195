#!/bin/sh
# test-unit-verify.sh - the systemd unit this build makes
# (src/daemon/dist/callfence.service) passes `systemd-analyze verify`
# with not a word said: unknown keys, bad values and missing commands
# are only warnings to it, so any output fails.  ExecStart is pointed at
# the program just built (verify checks that the command exists).
# Skipped (77), with the reason, where systemd-analyze is missing
# (Debian package systemd; installing it does not make it init).
#
# Env (make check sets them): BUILDDIR, CALLFENCE.  Exit 0, 1, 77.
set -u
: "${BUILDDIR:?}" "${CALLFENCE:?}"
command -v systemd-analyze >/dev/null 2>&1 || {
	echo "SKIP: no systemd-analyze (install the Debian package systemd to verify the unit)"
	exit 77
}
unit=$BUILDDIR/src/daemon/dist/callfence.service
[ -f "$unit" ] || { echo "FAIL: $unit not built"; exit 1; }
work=$BUILDDIR/tests/work/unit-verify.$$
rm -rf "$work" && mkdir -p "$work" || exit 1
sed "s|^ExecStart=[^ ]*|ExecStart=$CALLFENCE|" "$unit" >"$work/callfence.service"
systemd-analyze verify --man=no "$work/callfence.service" >"$work/verify.out" 2>&1
rc=$?
if [ "$rc" != 0 ] || [ -s "$work/verify.out" ]; then
	echo "FAIL: systemd-analyze verify $unit (exit status $rc):"
	cat "$work/verify.out"
	exit 1
fi
rm -rf "$work"
echo "PASS: systemd-analyze verify $unit: nothing to say"
exit 0
