#!/bin/sh
# setup.sh - set up callfence on a fresh Debian 12 machine (as root) and
# build it.  Then, by the first argument:
#   demo   generate the demo capture and audit it with the default rules
#   check  build with AddressSanitizer+UBSan and run the whole test suite
#          (make check, then make distcheck)
#   build  (default) stop after building
# Every step is idempotent; nothing is assumed installed by hand.
set -eu

mode=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Debian packages: build tools, the four libraries, the test tools (clang
# with its libFuzzer runtime: the fuzz targets and their regression replays
# run in make check; baresip-core's user agent and modules make the real
# SIP calls of tests/realcall/test-sip.sh, chromium, coturn and openssl the
# real WebRTC calls of tests/realcall/test-webrtc.sh, tshark's dumpcap
# captures them; logrotate: the shipped snippet is run by
# tests/live/test-live-reopen.sh; rsyslog with its OpenSSL stream driver
# for the syslog outputs' tests, tests/outputs/test-syslog.sh, with the
# libraries syslog-ng needs: syslog-ng itself is unpacked below; systemd
# for systemd-analyze, which tests/install verifies the unit with - the
# package alone, without systemd-sysv, does not become the machine's init,
# and in a container its installation starts nothing); tcpreplay: its
# tcprewrite makes make bench's real mix, tcpreplay replays make bench-live;
# iso-codes: the ISO 3166-1 table geodb/fetch-world.sh names the country
# shapes with.
packages="build-essential autoconf automake libtool pkg-config
 libpcap-dev libndpi-dev libmaxminddb-dev libjansson-dev
 libmaxmind-db-writer-perl mmdb-bin tshark libndpi-bin ca-certificates
 libssl-dev librdkafka-dev libseccomp-dev python3-jsonschema iproute2
 clang libclang-rt-14-dev baresip baresip-core chromium coturn openssl
 logrotate rsyslog rsyslog-openssl systemd
 libivykis0 libnet1 libjson-c5 libwrap0 libglib2.0-0 libpcre3 tcpreplay
 iso-codes"
# syslog-ng-core conflicts with rsyslog (both provide system-log-daemon),
# so it is not installed but unpacked where test-syslog.sh looks for it.
SYSLOG_NG_ROOT=${SYSLOG_NG_ROOT:-/opt/syslog-ng-test}
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# python3 and npm may come from outside Debian's packages (pyenv, nodejs.org):
# install Debian's only when there is none on the PATH.
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "setup: installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; answer no.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -qq
	# Installing rsyslog must not start a system daemon (without systemd,
	# invoke-rc.d asks policy-rc.d): forbid it for this install if the
	# machine has no policy of its own.
	own_policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		own_policy=1
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
fi
if [ ! -x "$SYSLOG_NG_ROOT/usr/sbin/syslog-ng" ]; then
	echo "setup: unpacking syslog-ng-core into $SYSLOG_NG_ROOT (for the tests)"
	dl=$(mktemp -d)
	{ (cd "$dl" && apt-get download -qq syslog-ng-core 2>/dev/null) &&
		mkdir -p "$SYSLOG_NG_ROOT" &&
		dpkg-deb -x "$dl"/syslog-ng-core_*.deb "$SYSLOG_NG_ROOT"; } ||
		echo "setup: could not unpack syslog-ng-core: its tests will be skipped" >&2
	rm -rf "$dl"
fi

# The default geography databases (npm registry, pinned and hash-checked):
# country, and the ASN database converted from CSV (about 20 s of CPU);
# the country shapes (world-atlas, named with iso-codes' ISO 3166-1 table).
sh geodb/fetch-default.sh
sh geodb/fetch-asn.sh
sh geodb/fetch-world.sh

# Build.
if [ ! -x configure ]; then
	autoreconf -fi
fi
case "$mode" in
check) cfgflags="--enable-sanitizers --enable-werror" ;;
*) cfgflags="" ;;
esac
if [ ! -f Makefile ] || [ "$(cat .setup-config 2>/dev/null)" != "$cfgflags" ]; then
	# shellcheck disable=SC2086
	./configure -q $cfgflags
	echo "$cfgflags" > .setup-config
	make -s clean >/dev/null 2>&1 || true
fi
make -s -j"$(nproc)"

case "$mode" in
demo)
	make -s demo
	;;
check)
	# ASan's leak checker needs ptrace-free /proc access; keep reports in the log.
	make -s -j"$(nproc)" check || { cat test-suite.log 2>/dev/null | tail -200; exit 1; }
	make -s distcheck
	;;
build) ;;
*)
	echo "setup: unknown mode '$mode' (demo, check, build)" >&2
	exit 2
	;;
esac
