#!/bin/sh
# check-corpus.sh - run callfence over real captures (never committed) and
# check what the issues expect of them.  Usage: check-corpus.sh CORPUS_DIR
# Runs only when the folder exists; prints a flow table per capture.
set -u
corpus=${1:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
cf=${CALLFENCE:-$top/src/callfence}
if [ -z "$corpus" ] || [ ! -d "$corpus" ]; then
	echo "check-corpus: no corpus folder '$corpus': skipped"
	exit 0
fi
work=${TMPDIR:-/tmp}/callfence-corpus.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
status=0
for f in "$corpus"/*.pcap "$corpus"/*.pcapng; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	CALLFENCE_DATADIR=$top "$cf" -q --all-flows -R "$top/rules/eu-gdpr.rules" \
		-r "$f" >"$work/$name.json" 2>"$work/$name.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "== $name: exit $rc"; cat "$work/$name.err"; status=1; continue
	fi
	python3 "$top/tests/corpus/check-corpus.py" "$name" "$work/$name.json" || status=1
done
exit $status
