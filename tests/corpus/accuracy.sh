#!/bin/sh
# accuracy.sh - the accuracy table of docs/accuracy.md: for every capture
# in CORPUS_DIR, every flow with the app, roles and protocol callfence
# reports (--all-flows, rules/eu-gdpr.rules, the shipped catalog and
# geography) beside what tshark decodes in the same flow, and whether they
# agree (see accuracy.py for how tshark's view is read).  Prints markdown
# on stdout, a summary per capture on stderr.  The captures are never
# committed: this runs only when the folder exists.
#
#   tests/corpus/accuracy.sh CORPUS_DIR        (or: make accuracy CORPUS=DIR)
#
# Environment: CALLFENCE (default src/callfence of this tree), TSHARK
# (default tshark), PYTHON (default python3).
set -u
corpus=${1:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
cf=${CALLFENCE:-$top/src/callfence}
tshark=${TSHARK:-tshark}
python=${PYTHON:-python3}
if [ -z "$corpus" ] || [ ! -d "$corpus" ]; then
	echo "accuracy: no corpus folder '$corpus': skipped" >&2
	exit 0
fi
for p in "$tshark" "$python"; do
	command -v "$p" >/dev/null 2>&1 || { echo "accuracy: $p not found: skipped" >&2; exit 0; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/callfence-accuracy.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# tshark decodes RTP/RTCP on any port only with its heuristics on; STUN
# and DTLS found inside STUN/TURN too
heur="--enable-heuristic rtp_udp --enable-heuristic rtcp_udp"
heur="$heur --enable-heuristic rtp_stun --enable-heuristic dtls_stun"
fields=$("$python" -c "import sys; sys.path.insert(0, '$top/tests/corpus'); \
import accuracy; print(' '.join('-e ' + f for f in accuracy.FIELDS))")

echo "| capture | flow (source > destination) | callfence app | callfence roles | protocol, host | tshark shows | tshark roles | agree | why they differ |"
echo "|---|---|---|---|---|---|---|---|---|"
status=0
for f in "$corpus"/*.pcap "$corpus"/*.pcapng; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	CALLFENCE_DATADIR=$top "$cf" -q --all-flows -R "$top/rules/eu-gdpr.rules" \
		-r "$f" >"$work/$name.json" 2>"$work/$name.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "accuracy: callfence exit $rc on $name: $(cat "$work/$name.err")" >&2
		status=1
		continue
	fi
	# shellcheck disable=SC2086
	"$tshark" -n -r "$f" $heur -T fields -E separator=/t -E occurrence=a \
		-E aggregator=, $fields >"$work/$name.tsv" 2>/dev/null
	"$python" "$top/tests/corpus/accuracy.py" "$name" "$work/$name.json" \
		"$work/$name.tsv" "$top/rules/apps.conf" "$work/stats.jsonl" || status=1
done
# recall and precision per role and per app, over the whole corpus
if [ -f "$work/stats.jsonl" ]; then
	echo
	"$python" "$top/tests/corpus/accuracy.py" --tables "$work/stats.jsonl" || status=1
fi
exit $status
