#!/bin/sh
# valgrind-callfence.sh - stands in for src/callfence in the end-to-end
# harness during `make check-valgrind`: the real program under valgrind
# memcheck, each run's report in its own log file (VG_LOGDIR/vg.PID.log)
# so that the harness's stderr checks see only callfence's own output.
# --no-sandbox: valgrind does not implement seccomp (and translates code
# into executable memory the filter would refuse).
#
# Environment: CALLFENCE_REAL (the program), VG_LOGDIR, VALGRIND_SUPP.
exec valgrind -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions="${VALGRIND_SUPP:?}" --log-file="${VG_LOGDIR:?}/vg.%p.log" \
	"${CALLFENCE_REAL:?}" --no-sandbox "$@"
