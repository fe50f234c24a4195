#!/bin/sh
# run-hostile.sh - the hostile-capture suite: malformed, truncated and
# lying packets, deep encapsulation, fragment and flow floods, hostile
# names (mkhostile.py writes them, check-hostile.py judges callfence's
# run over each: exit status, sanitizer reports, JSON validity, exact
# decode counters, evictions and memory; see those files).  In CI it runs
# under the ASan/UBSan build like every test.
#
# Environment (make check sets them): CALLFENCE, SRCDIR, BUILDDIR, GEO.
# HOSTILE_FLOWS=N changes the size of the flow flood (default 1000000).
# Exit: 0 pass, 1 fail, 77 skipped (no python3).

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
CALLFENCE=${CALLFENCE:-$BUILDDIR/src/callfence}
GEO=${GEO:-$BUILDDIR/tests/geo}
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: no $PYTHON"; exit 77; }
[ -f "$GEO/country.mmdb" ] || { echo "FAIL: no $GEO/country.mmdb (make check builds it)"; exit 1; }
work=$BUILDDIR/tests/work/hostile
rm -rf "$work"
mkdir -p "$work" || exit 1
"$PYTHON" "$SRCDIR/tests/hostile/mkhostile.py" "$work" --flood "${HOSTILE_FLOWS:-1000000}" || exit 1
"$PYTHON" "$SRCDIR/tests/hostile/check-hostile.py" "$CALLFENCE" "$SRCDIR" "$GEO" "$work"
rc=$?
# the flood capture is 48 MB: keep it only to look at a failure
[ "$rc" = 0 ] && rm -f "$work/flood.pcap"
exit $rc
