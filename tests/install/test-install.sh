#!/bin/sh
# test-install.sh - make install puts every file where the tools that read
# it look, and the installed files name paths that exist after install.
#
#   1. this build: `make install DESTDIR=...`; every file in the
#      directory configure gave; the installed rules compile with the
#      installed program; the example configuration, the unit, the
#      logrotate snippet and the man pages name only paths of this
#      build that exist after install; no @VAR@ left unsubstituted.
#   2. the Debian layout (README): a second, VPATH configure with
#      --prefix=/usr --sysconfdir=/etc --localstatedir=/var and
#      `make install-data DESTDIR=...` (nothing compiled): the unit in
#      /usr/lib/systemd/system, the sysusers.d file in /usr/lib/sysusers.d,
#      the logrotate snippet in /etc/logrotate.d (the only directory
#      Debian's /etc/logrotate.conf includes), the man pages in
#      /usr/share/man, the configuration in /etc/callfence, the log
#      directory /var/log/callfence; no /usr/local anywhere.  Not possible
#      when the source tree is configured in place (configure refuses a
#      second build of it): then said, and only part 1 runs.
#   3. `systemd-analyze verify` on both units (ExecStart pointed at the
#      installed program): no word from it.  Skipped, with the reason,
#      where systemd-analyze is missing.
#
# Env (make check sets them): SRCDIR, BUILDDIR.  Exit 0 pass, 1 fail.
set -u
: "${SRCDIR:?}" "${BUILDDIR:?}"
MAKE=${MAKE:-make}
work=$(cd "$BUILDDIR" && pwd)/tests/work/install.$$
rm -rf "$work" && mkdir -p "$work" || exit 1
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok   $*"; }

# installed DEST all|data: the checks every layout must pass.  Uses the variables
# of print-install-dirs (bindir, pkgdatadir, ...) of that build.
installed() {
	d=$1
	for f in "$systemdsystemunitdir/callfence.service" "$sysusersdir/callfence.conf" \
		"$logrotatedir/callfence" "$mandir/man8/callfence.8" \
		"$mandir/man5/callfence.conf.5" "$mandir/man5/callfence.rules.5" \
		"$pkgdatadir/callfence.conf.example" "$sysconfdir/callfence/callfence.conf" \
		"$pkgdatadir/rules/default.rules" "$pkgdatadir/rules/eu-gdpr.rules" \
		"$pkgdatadir/rules/jurisdictions.rules" "$pkgdatadir/rules/apps.conf"; do
		[ -f "$d$f" ] || fail "$d: $f not installed"
	done
	[ -d "$d$localstatedir/log/callfence" ] ||
		fail "$d: log directory $localstatedir/log/callfence not made"
	cmp -s "$d$pkgdatadir/callfence.conf.example" "$d$sysconfdir/callfence/callfence.conf" ||
		fail "$d: $sysconfdir/callfence/callfence.conf is not the example"
	# nothing left to substitute (but systemd's own @system-service)
	left=$(grep -l '@[a-z_]*@' "$d$systemdsystemunitdir/callfence.service" \
		"$d$logrotatedir/callfence" "$d$pkgdatadir/callfence.conf.example" \
		"$d$mandir/man8/callfence.8" "$d$mandir/man5/callfence.conf.5" 2>/dev/null |
		while read -r f; do
			grep -o '@[a-z_]*@' "$f" | grep -v '^@system-service@$' | sed "s|^|$f: |"
		done)
	[ -z "$left" ] || fail "not substituted: $left"
	# the unit starts the installed program with the installed configuration
	grep -qx "ExecStart=$bindir/callfence -D -c $sysconfdir/callfence/callfence.conf -P /run/callfence/callfence.pid" \
		"$d$systemdsystemunitdir/callfence.service" ||
		fail "the unit's ExecStart: $(grep '^ExecStart' "$d$systemdsystemunitdir/callfence.service")"
	grep -q "^ReadWritePaths=$localstatedir/log/callfence\$" "$d$systemdsystemunitdir/callfence.service" ||
		fail "the unit does not let callfence write to $localstatedir/log/callfence"
	grep -q "^$localstatedir/log/callfence/\*.json $localstatedir/log/callfence/\*.log {" \
		"$d$logrotatedir/callfence" || fail "the logrotate snippet does not rotate $localstatedir/log/callfence"
	# every path of this build the example, the unit and the man pages
	# name exists after install (a directory for the files callfence
	# makes: events.json, callfence.log, alerts.json)
	for f in "$d$pkgdatadir/callfence.conf.example" "$d$systemdsystemunitdir/callfence.service" \
		"$d$mandir/man8/callfence.8" "$d$mandir/man5/callfence.conf.5" "$d$logrotatedir/callfence"; do
		sed 's/\\-/-/g; s/\\e//g; s/\\f[BIRP]//g' "$f" |
			grep -o "\\($pkgdatadir\\|$sysconfdir\\|$localstatedir/log\\|$systemdsystemunitdir\\|$sysusersdir\\|$bindir\\)[^ \"'(),;:\`]*" |
			sed 's/[.]*$//' | sort -u | while read -r p; do
				# install-data installs no program
				[ "$p" = "$bindir/callfence" ] && ! [ -e "$d$p" ] && [ "$2" = data ] && continue
				case $p in
				# databases are fetched (tests/setup.sh), not in the
				# source: one this tree has not fetched is not installed
				*/geodb/*.mmdb) [ -f "$SRCDIR/geodb/$(basename "$p")" ] || continue ;;
				*/ca.pem) continue ;;   # the administrator's certificate
				esac
				case $p in
				*.json | *.log | */\*.*) q=$(dirname "$p") ;;
				*) q=$p ;;
				esac
				[ -e "$d$q" ] || echo "$f names $p: $q does not exist after install"
			done
	done >"$work/missing.txt"
	[ -s "$work/missing.txt" ] && fail "paths named but not installed:
$(cat "$work/missing.txt")"
	# the installed configuration (the example) is read without a word
	# and its policy compiles (the program of this build, the rules
	# installed: CALLFENCE_DATADIR stands for the installed data directory)
	CALLFENCE_DATADIR=$d$pkgdatadir "$program" -c "$d$sysconfdir/callfence/callfence.conf" \
		--check-rules >"$work/conf.out" 2>"$work/conf.err" ||
		fail "callfence -c $sysconfdir/callfence/callfence.conf --check-rules: $(tail -3 "$work/conf.err")"
	grep -q "rules/default.rules: OK" "$work/conf.err" ||
		fail "the installed configuration's policy: $(tail -3 "$work/conf.err")"
	# the installed program compiles the installed rules, and its --help
	# names the unit's configuration file
	if [ -x "$d$bindir/callfence" ]; then
		"$d$bindir/callfence" --help 2>&1 | grep -qF "$sysconfdir/callfence/callfence.conf" ||
			fail "callfence --help does not name $sysconfdir/callfence/callfence.conf"
		CALLFENCE_DATADIR=$d$pkgdatadir "$d$bindir/callfence" --check-rules \
			-R "$d$pkgdatadir/rules/eu-gdpr.rules" >"$work/check-rules.out" 2>&1 ||
			fail "installed callfence --check-rules on the installed eu-gdpr.rules: $(tail -3 "$work/check-rules.out")"
	fi
}

# verify DEST PROGRAM: systemd-analyze verify on DEST's unit, ExecStart
# pointed at PROGRAM (it checks that the command exists).
verify() {
	sed "s|^ExecStart=[^ ]*|ExecStart=$2|" "$1$systemdsystemunitdir/callfence.service" \
		>"$work/callfence.service"
	if systemd-analyze verify --man=no "$work/callfence.service" >"$work/verify.out" 2>&1 &&
		! [ -s "$work/verify.out" ]; then
		ok "systemd-analyze verify: $systemdsystemunitdir/callfence.service"
	else
		fail "systemd-analyze verify $systemdsystemunitdir/callfence.service:
$(cat "$work/verify.out")"
	fi
}

# ---- 1. this build ---------------------------------------------------
eval "$($MAKE -s -C "$BUILDDIR" print-install-dirs)"
a=$work/this
if $MAKE -s -C "$BUILDDIR" install DESTDIR="$a" >"$work/install.out" 2>&1; then
	ok "make install DESTDIR=... (prefix of this build: $bindir)"
else
	fail "make install DESTDIR=$a: $(tail -5 "$work/install.out")"
fi
n0=$fails
program=$a$bindir/callfence
installed "$a" all
[ "$fails" = "$n0" ] && ok "this build: files where configure said, paths that exist"
have_verify=yes
command -v systemd-analyze >/dev/null 2>&1 || have_verify=no
[ "$have_verify" = yes ] && verify "$a" "$program"

# ---- 2. the Debian layout -------------------------------------------
if [ -f "$SRCDIR/config.status" ]; then
	echo "NOTE: the Debian layout is not checked: $SRCDIR is configured in place" \
		"(a VPATH build, e.g. make distcheck, checks it)"
else
	b=$work/debian
	mkdir -p "$work/build"
	if (cd "$work/build" && "$SRCDIR/configure" -q --prefix=/usr --sysconfdir=/etc \
		--localstatedir=/var >"$work/configure.out" 2>&1 &&
		$MAKE -s install-data DESTDIR="$b" >"$work/install-deb.out" 2>&1); then
		ok "configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var; make install-data"
		eval "$($MAKE -s -C "$work/build" print-install-dirs)"
		# where Debian's systemd, systemd-sysusers, logrotate and man look
		for f in /usr/lib/systemd/system/callfence.service /usr/lib/sysusers.d/callfence.conf \
			/etc/logrotate.d/callfence /usr/share/man/man8/callfence.8 \
			/usr/share/man/man5/callfence.conf.5 /usr/share/man/man5/callfence.rules.5 \
			/etc/callfence/callfence.conf /usr/share/callfence/rules/eu-gdpr.rules \
			/usr/share/callfence/callfence.conf.example; do
			[ -f "$b$f" ] || fail "Debian layout: $f not installed"
		done
		[ -d "$b/var/log/callfence" ] || fail "Debian layout: /var/log/callfence not made"
		n0=$fails
		installed "$b" data
		grep -rl /usr/local "$b" >"$work/usr-local.txt" &&
			fail "Debian layout: /usr/local named in $(tr '\n' ' ' <"$work/usr-local.txt")"
		grep -q '^output = file:/var/log/callfence/events.json$' "$b/etc/callfence/callfence.conf" ||
			fail "Debian layout: the configuration does not write to /var/log/callfence/events.json"
		grep -q '/etc/callfence/callfence.conf' "$b/usr/share/man/man5/callfence.conf.5" ||
			fail "Debian layout: callfence.conf(5) does not name /etc/callfence/callfence.conf"
		[ "$fails" = "$n0" ] && ok "Debian layout: files where Debian's tools read them"
		[ "$have_verify" = yes ] && verify "$b" "$program"
	else
		fail "Debian layout: configure or make install-data failed:
$(tail -5 "$work/configure.out" "$work/install-deb.out" 2>/dev/null)"
	fi
	rm -rf "$work/build"
fi

[ "$have_verify" = no ] &&
	echo "NOTE: systemd-analyze verify skipped: no systemd-analyze (Debian package systemd)"
if [ "$fails" = 0 ]; then
	rm -rf "$work"
	echo "PASS: make install"
	exit 0
fi
exit 1
