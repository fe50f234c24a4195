#!/bin/sh
# recog-corpus.sh - the room-system recognisers on the real captures of the
# validation corpus (never committed): make check-corpus-recog CORPUS=DIR.
# Each line: capture, recogniser, pcap filter, and the counts recog-count
# printed when the recognisers were written; a change prints both.
# Usage: recog-corpus.sh CORPUS_DIR RECOG_COUNT.  Exit 0 same, 1 differs,
# 0 with a notice when the folder is missing.
set -u
corpus=${1:-}
rc_bin=${2:?usage: recog-corpus.sh CORPUS_DIR RECOG_COUNT}
if [ -z "$corpus" ] || [ ! -d "$corpus" ]; then
	echo "recog-corpus: no corpus folder '$corpus': skipped"
	exit 0
fi
status=0
while IFS='|' read -r file proto filter want; do
	case $file in ''|'#'*) continue ;; esac
	if [ ! -f "$corpus/$file" ]; then
		echo "skip $file: not in $corpus"
		continue
	fi
	got=$("$rc_bin" "$proto" "$filter" "$corpus/$file") || { status=1; continue; }
	if [ "$got" = "$want" ]; then
		printf 'ok   %-40s %-8s %s\n' "$file" "$proto" "$got"
	else
		printf 'DIFF %-40s %-8s\n  got:  %s\n  want: %s\n' "$file" "$proto" "$got" "$want"
		status=1
	fi
done <<'TABLE'
# capture|recogniser|pcap filter|counts
# positives: every payload of the protocol's flows
skinny.pcap|sccp|tcp port 2000|payloads 40 yes 40 truncated 0 no 0 messages 62 media 8 weak 0 strong 0 carried 0
h323.pcap|h323|tcp port 1720|payloads 16 yes 13 truncated 0 no 3 messages 12 media 0 weak 0 strong 0 carried 1
h323.pcap|h323|tcp port 1232|payloads 11 yes 11 truncated 0 no 0 messages 12 media 2 weak 0 strong 0 carried 0
h323.pcap|h323|udp port 1719|payloads 15 yes 15 truncated 0 no 0 messages 0 media 0 weak 6 strong 9 carried 0
mgcp.pcap|mgcp|udp port 2427|payloads 23 yes 23 truncated 0 no 0 messages 0 media 0 weak 0 strong 0 carried 0
iax.pcap|iax2|udp port 4569|payloads 50 yes 50 truncated 0 no 0 messages 0 media 0 weak 40 strong 0 carried 0
bfcp.pcapng|bfcp|port 5070|payloads 4 yes 0 truncated 4 no 0 messages 0 media 0 weak 0 strong 0 carried 0
stun.pcap|stun-tcp||payloads 31 yes 31 truncated 0 no 0 messages 33 media 0 weak 0 strong 0 carried 0
stun_tcp_multiple_msgs_same_pkt.pcap|stun-tcp||payloads 4 yes 4 truncated 0 no 0 messages 6 media 0 weak 0 strong 0 carried 0
# negatives: call traffic of other protocols
zoom.pcap|stun-tcp||payloads 255 yes 0 truncated 0 no 255 messages 0 media 0 weak 0 strong 0 carried 0
teams.pcap|stun-tcp||payloads 699 yes 0 truncated 0 no 699 messages 0 media 0 weak 0 strong 0 carried 0
webex.pcap|stun-tcp||payloads 401 yes 0 truncated 0 no 401 messages 0 media 0 weak 0 strong 0 carried 0
zoom.pcap|sccp||payloads 255 yes 0 truncated 0 no 255 messages 0 media 0 weak 0 strong 0 carried 0
teams.pcap|h323|tcp|payloads 699 yes 0 truncated 0 no 699 messages 0 media 0 weak 0 strong 0 carried 0
webex.pcap|mgcp||payloads 439 yes 0 truncated 0 no 439 messages 0 media 0 weak 0 strong 0 carried 0
teams.pcap|bfcp|udp|payloads 179 yes 0 truncated 0 no 179 messages 0 media 0 weak 0 strong 0 carried 0
TABLE
exit $status
