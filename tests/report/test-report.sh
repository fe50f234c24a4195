#!/bin/sh
# test-report.sh - the auditor's HTML report (callfence report, --html),
# looked at as a person would: each report is opened in headless Chromium
# with networking off (unshare -n when it can), and the DOM the page ends
# with is checked for the alerts, countries and calls the scenario must
# show, for no JavaScript error (the page writes its errors into
# #js-errors and marks <body data-js="ok"> once its script ran) and for
# no request outside the file.  Cases:
#   zoom-2020 (the Citizen Lab finding, --html and callfence report), a
#   scenario with no alert, server names that are markup, events with
#   malformed lines, two observers' files merged, 10,000 flows (built in
#   under 5 s, paginated), --since/--until, a missing map, callfence.call
#   events, the speed-of-light check (callfence.geo) with and without
#   verdicts.
# Screenshots stay in tests/work/report/*.png.  Exit 0, 1 a check failed,
# 77 chromium missing (the checks of the HTML alone still ran and passed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
CALLFENCE=${CALLFENCE:-./src/callfence}
CFGEN=${CFGEN:-./tests/gen/cfgen}
GEO=${GEO:-./tests/geo}
OUT=${BUILDDIR:-.}/tests/work/report
WORLD=$SRCDIR/tests/report/world-fixture.txt
RULES=$SRCDIR/tests/e2e/rules/e2e-eu.rules
fail=0

for f in "$GEO/country.mmdb" "$GEO/asn.mmdb"; do
	[ -f "$f" ] || { echo "SKIP: $f missing"; exit 77; }
done
[ -x "$CALLFENCE" ] && [ -x "$CFGEN" ] || { echo "ERROR: callfence or cfgen missing"; exit 99; }
rm -rf "$OUT"
mkdir -p "$OUT/data/geodb" || exit 99
OUT=$(cd "$OUT" && pwd)
# a data directory: the shipped rules, the fixture shapes
ln -s "$SRCDIR/rules" "$OUT/data/rules"
cp "$WORLD" "$OUT/data/geodb/world-countries.txt"
export CALLFENCE_DATADIR="$OUT/data"

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
# check DESC FILE ERE: FILE has a line matching ERE
check() {
	if grep -E -q -e "$3" "$2"; then ok "$1"; else bad "$1 (no /$3/ in $2)"; fi
}
# check_not DESC FILE ERE
check_not() {
	if grep -E -q -e "$3" "$2"; then bad "$1 (/$3/ in $2: $(grep -E -o -e "$3" "$2" | head -3))"; else ok "$1"; fi
}
# count FILE ERE: how many matches
count() { grep -E -o -e "$2" "$1" | wc -l | tr -d ' '; }
check_count() {
	n=$(count "$2" "$3")
	if [ "$n" = "$4" ]; then ok "$1"; else bad "$1 ($n matches of /$3/ in $2, want $4)"; fi
}

run_scn() {   # NAME SCENARIO [callfence args]: NAME.pcap, NAME.json, NAME.html
	name=$1 scn=$2
	shift 2
	"$CFGEN" "$scn" "$OUT/$name.pcap" || { bad "$name: cfgen"; return 1; }
	"$CALLFENCE" -q -r "$OUT/$name.pcap" -R "$RULES" -G "$GEO/country.mmdb" \
		-G "$GEO/asn.mmdb" --html "$OUT/$name.html" "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$OUT/$name.err" ]; then
		bad "$name: callfence --html exit $rc: $(head -3 "$OUT/$name.err")"
		return 1
	fi
	ok "$name: callfence -r ... --html exit 0"
}

report() {   # NAME [report args]: NAME.html from events files
	name=$1
	shift
	"$CALLFENCE" report -o "$OUT/$name.html" --world "$WORLD" "$@" 2>"$OUT/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		bad "$name: callfence report exit $rc: $(head -3 "$OUT/$name.err")"
		return 1
	fi
	ok "$name: callfence report exit 0"
}

# What every report must be: nothing it could fetch, one script, the CSP.
static_checks() {
	# the links to evidence captures (--evidence) are local files, on purpose
	sed 's|<a class="pcap" href="[^"/:]*/alert-[0-9]*-[^"/]*\.pcap">|<a class="pcap">|g' \
		"$OUT/$1.html" >"$OUT/$1.static"
	h=$OUT/$1.static
	check_not "$1: no src/href but to a fragment" "$h" \
		'<[a-zA-Z][^<>]*[[:space:]](src|href|xlink:href)=["'\'']?[^"'\''# >]'
	check_not "$1: no URL at all" "$h" '(https?|ftp|file):/|data:[a-z]+/'
	check_not "$1: no @import or url()" "$h" '@import|url\('
	check "$1: Content-Security-Policy default-src 'none'" "$h" "Content-Security-Policy\" content=\"default-src 'none'"
	check_count "$1: one script element" "$h" '<script' 1
	check "$1: footer says nothing external is loaded" "$h" 'loads no external font, script, stylesheet or image'
}

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
NONET=""
unshare -n true 2>/dev/null && NONET="unshare -n"
browsed=0
# browse NAME [WIDTH,HEIGHT|none]: NAME.dom (the DOM after the script ran),
# NAME.png (none: no screenshot)
browse() {
	[ -n "$CHROMIUM" ] || return 0
	browsed=1
	h=$OUT/$1.html
	set -- "$1" "${2:-1280,1600}"
	# shellcheck disable=SC2086
	$NONET timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$OUT/profile" --enable-logging=stderr --v=0 \
		--virtual-time-budget=5000 --dump-dom "file://$h" >"$OUT/$1.dom" 2>"$OUT/$1.dom.err"
	# shellcheck disable=SC2086
	[ "$2" = none ] || $NONET timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$OUT/profile" --hide-scrollbars --window-size="$2" \
		--screenshot="$OUT/$1.png" "file://$h" >/dev/null 2>&1
	check "$1: the page's script ran (data-js=ok)" "$OUT/$1.dom" '<body data-js="ok"'
	check "$1: no JavaScript error in the page" "$OUT/$1.dom" '<div id="js-errors"></div>'
	check_not "$1: no console error, refused or failed load" "$OUT/$1.dom.err" \
		'Uncaught|Refused to|net::ERR|CONSOLE.*[Ee]rror'
	[ "$2" = none ] && return 0
	if [ -s "$OUT/$1.png" ]; then ok "$1: screenshot $1.png"; else bad "$1: no screenshot"; fi
}

# ---- the Citizen Lab finding: Zoom keys from Beijing
run_scn zoom "$SRCDIR/tests/e2e/scenarios/zoom-2020.scn" --evidence "$OUT/evidence"
static_checks zoom
h=$OUT/zoom.html
check "zoom: verdict names the country" "$h" 'id="verdict">Call keys went to China \(CN\)'
check "zoom: verdict names the server" "$h" 'class="server">zoombj1mmr\.zoom\.us</b> \(203\.0\.113\.20\)'
check "zoom: verdict names the operator" "$h" 'class="operator">AS64520 Example Net CN<'
check "zoom: verdict names the rule" "$h" 'class="rule">e2e-eu:10<'
check "zoom: alert counts" "$h" 'id="n-alerts">4 \(critical 2, high 2, medium 0, low 0\)'
check "zoom: flows" "$h" 'id="n-flows">4<'
check "zoom: calls grouped by app and host" "$h" 'id="n-calls">3<'
check "zoom: the report says calls are grouped here" "$h" 'id="calls-grouped"'
check "zoom: China alerted on the map" "$h" '<path id="c-CN" [^>]*class="s5 alerted"'
check "zoom: the US alerted on the map" "$h" '<path id="c-US" [^>]*class="s[1-5] alerted"'
check "zoom: Germany permitted (EEA), no traffic" "$h" '<path id="c-DE" [^>]*class="s0 perm"'
check "zoom: Norway permitted (EEA)" "$h" '<path id="c-NO" [^>]*class="s0 perm"'
check "zoom: a ring on China" "$h" '<circle class="pin" data-cc="CN"'
check "zoom: Germany's hole is a second ring" "$h" '<path id="c-DE" [^>]*d="M[^"M]*zM[^"M]*z"'
check "zoom: permitted jurisdiction named" "$h" 'id="permitted">EEA \(e2e-eu\.rules\)<'
check "zoom: rules file and its SHA-256" "$h" '<td title="[^"]*e2e-eu\.rules">e2e-eu\.rules</td><td></td><td class="hash">[0-9a-f]{64}<'
check "zoom: databases with type and build date" "$h" 'callfence-Test-Country, built 2023-11-14T22:13:20.000Z'
# (ndpi:TLS: the hello's server name decided the flow, so nDPI was let go
# before it and its token is its guess from the handshake's first packets)
check "zoom: the evidence of the Beijing key exchange" "$h" '<tr><th>What the packets showed</th><td>ndpi:TLS tls-sni catalog:zoom-mmr</td>'
check "zoom: the first alert is critical, e2e-eu:10" "$h" 'id="alert-1"><h3><span class="badge">critical</span> <span class="rule-id">e2e-eu:10<'
check "zoom: the calls table, alerted first" "$h" '<tr class="call sev-critical" id="call-0"'
check "zoom: appendix rows" "$h" '<td>zoombj1mmr\.zoom\.us</td><td>CN</td><td>AS64520 Example Net CN</td>'
check "zoom: per app, bytes by role and country" "$h" '<tr class="app" data-app="zoom"><td>zoom</td><td>1</td><td>2</td><td>3\.0 kB</td><td>3\.0 kB</td><td></td><td></td><td></td><td></td><td>(CN|US) 1\.5 kB, (CN|US) 1\.5 kB</td>'
check "zoom: run health: the input read" "$h" 'zoom\.pcap: read</td><td>432<'
check_count "zoom: four flows in the appendix" "$h" '<tr class="sev-[a-z]+" data-app=' 4
# the evidence: a pcap per alerted flow, linked, its SHA-256 in the report
ev=$OUT/evidence/alert-001-e2e-eu_10-203.0.113.20.pcap
if [ -s "$ev" ]; then ok "zoom: the Beijing key exchange's capture"; else bad "zoom: no $ev"; fi
check_count "zoom: four evidence captures linked, the first twice (verdict)" "$h" '<a class="pcap" href="evidence/alert-00[1-4]-' 5
check "zoom: the verdict links the key exchange's capture" "$h" 'id="verdict">Call keys went to China.* The packets: <a class="pcap" href="evidence/alert-001-e2e-eu_10-203\.0\.113\.20\.pcap">'

for f in "$OUT"/evidence/*.pcap; do
	sum=$(sha256sum "$f" | cut -d' ' -f1)
	check "zoom: $(basename "$f")'s SHA-256 in the report" "$h" "href=\"evidence/$(basename "$f")\">.*<span class=\"hash\">$sum<"
done
check "zoom: the capture holds the flow's first packets" "$h" "alert-001-e2e-eu_10-203\.0\.113\.20\.pcap</a> \(the flow's first 13 packet"
if command -v tshark >/dev/null 2>&1; then
	sni=$(tshark -r "$ev" -Y tls.handshake.extensions_server_name -T fields \
		-e tls.handshake.extensions_server_name 2>/dev/null)
	if [ "$sni" = zoombj1mmr.zoom.us ]; then ok "zoom: tshark shows the TLS handshake with zoombj1mmr.zoom.us"; else
		bad "zoom: tshark on $ev: server name '$sni'"; fi
	n=$(tshark -r "$OUT/evidence/alert-004-e2e-eu_12-203.0.113.10.pcap" 2>/dev/null | wc -l)
	if [ "$n" -eq 32 ]; then ok "zoom: the media flow's capture stops at 32 packets"; else
		bad "zoom: media capture has $n packets, want 32"; fi
fi
browse zoom
if [ -n "$CHROMIUM" ]; then
	# printed to PDF: the print stylesheet gives a page per section
	$NONET timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$OUT/profile" --print-to-pdf="$OUT/zoom.pdf" \
		"file://$OUT/zoom.html" >/dev/null 2>&1
	pages=$(grep -a -o '/Count [0-9]*' "$OUT/zoom.pdf" 2>/dev/null | head -1 | cut -d' ' -f2)
	if [ "${pages:-0}" -ge 6 ]; then ok "zoom: printed to PDF, $pages pages"; else
		bad "zoom: PDF has ${pages:-no} pages, want a page per section (6 or more)"; fi
	d=$OUT/zoom.dom
	check "zoom (browser): verdict" "$d" 'Call keys went to China \(CN\): the server <b class="server">zoombj1mmr\.zoom\.us'
	check "zoom (browser): China outlined" "$d" '<path id="c-CN" [^>]*class="[^"]*alerted'
	check "zoom (browser): the filter counted the flows" "$d" 'id="f-count">4 flow\(s\)<'
	check "zoom (browser): filter lists CN" "$d" '<option value="CN">CN</option>'
	check "zoom (browser): calls" "$d" 'id="call-2"'
	# the toggle: shaded by flows (#shade-flows presses it), the US (1 flow of
	# 4, but 1.5 kB of 79 kB) goes from s4 to s3, China stays s5
	check "zoom (browser): by bytes, the US is s4" "$d" '<path id="c-US" [^>]*class="s4 alerted"'
	$NONET timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$OUT/profile" --dump-dom "file://$OUT/zoom.html#shade-flows" \
		>"$OUT/zoom-flows.dom" 2>/dev/null
	check "zoom (browser): by flows, the US is s3" "$OUT/zoom-flows.dom" '<path id="c-US" [^>]*class="alerted s3"'
	check "zoom (browser): by flows, China is s5" "$OUT/zoom-flows.dom" '<path id="c-CN" [^>]*class="alerted s5"'
	check "zoom (browser): the flows button pressed" "$OUT/zoom-flows.dom" 'id="by-flows" class="on"'
fi
# the same report from the events the run wrote
report zoom-events "$OUT/zoom.json"
a=$(grep -o 'id="verdict">.*' "$OUT/zoom.html" | sed 's| The packets: .*</p>$|</p>|')
b=$(grep -o 'id="verdict">.*' "$OUT/zoom-events.html")
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "zoom: callfence report says what --html said"; else
	bad "zoom: callfence report and --html differ: $a / $b"; fi
check "zoom-events: the rules are found from the run summary" "$OUT/zoom-events.html" 'id="permitted">EEA \(e2e-eu\.rules\)<'

# ---- no alert
run_scn quiet "$SRCDIR/tests/e2e/scenarios/eu-only.scn"
static_checks quiet
check "quiet: the verdict says no call broke the policy" "$OUT/quiet.html" 'class="verdict ok" id="verdict">No call broke the policy'
check "quiet: no alert" "$OUT/quiet.html" 'id="no-alerts"'
check_not "quiet: nothing outlined" "$OUT/quiet.html" 'class="s[0-5][a-z ]*alerted'
browse quiet

# ---- e2e's hostile names: invalid UTF-8, control characters, quotes
run_scn hostile-names "$SRCDIR/tests/e2e/scenarios/hostile-names.scn"
static_checks hostile-names
if LC_ALL=C grep -q "$(printf '[\001-\010\013\014\016-\037\177]')" "$OUT/hostile-names.html"; then
	bad "hostile-names: a control character in the HTML"; else ok "hostile-names: no control character in the HTML"; fi
check "hostile-names: the SNI kept, escaped" "$OUT/hostile-names.html" 'zoom[^<>]*\[31m&quot;\\[^<>]*mmr\.zoom\.us'
browse hostile-names

# ---- server names, operators and observers that are markup
run_scn hostile "$SRCDIR/tests/report/html-hostile.scn"
static_checks hostile
check_not "hostile: no img element" "$OUT/hostile.html" '<img'
check "hostile: the script name shown as text" "$OUT/hostile.html" '&lt;script&gt;document\.title=&#39;pwned&#39;&lt;/script&gt;\.zoom\.us'
check "hostile: the attribute breaker shown as text" "$OUT/hostile.html" '&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;&amp;amp;\.zoom\.us'
sed -e 's|Example Net CN|</td></tr><script>document.title=\\"pwned\\"</script><tr><td x=\\"|g' \
	-e 's|"hostname":"[^"]*"|"hostname":"gw<b onmouseover=alert(1)>\\"\x27"|g' \
	-e 's|"community_id":"[^"]*"|"community_id":"</table><svg onload=alert(2)>"|' \
	"$OUT/zoom.json" >"$OUT/hostile-events.json"
report hostile-events "$OUT/hostile-events.json"
static_checks hostile-events
check_not "hostile-events: no markup from the events" "$OUT/hostile-events.html" '<b onmouseover|<svg onload|<tr><td x='
check "hostile-events: the operator shown as text" "$OUT/hostile-events.html" 'AS64520 &lt;/td&gt;&lt;/tr&gt;&lt;script&gt;document\.title=&quot;pwned&quot;'
browse hostile
browse hostile-events
if [ -n "$CHROMIUM" ]; then
	check "hostile (browser): the title is the report's" "$OUT/hostile.dom" '<title>callfence audit report</title>'
	check "hostile-events (browser): the title is the report's" "$OUT/hostile-events.dom" '<title>callfence audit report</title>'
	check_not "hostile-events (browser): no element from the events" "$OUT/hostile-events.dom" '<b onmouseover|<svg onload'
fi

# ---- malformed lines: counted and shown, never fatal
{
	cat "$OUT/zoom.json"
	echo 'not json at all'
	echo '{"event": {"dataset": "callfence.flow"'
	echo '{"event": {"dataset": "someone.else"}}'
	echo '[1, 2]'
	# fields of the wrong type read as absent
	echo '{"event": {"dataset": "callfence.flow", "start": 7}, "network": {"bytes": "lots"}, "source": {"ip": 5, "port": "x"}, "callfence": {"roles": "media", "app": ["zoom"]}, "observer": {"hostname": 3}}'
	echo '{"event": {"dataset": "callfence.call"}, "callfence": {"call": {"id": 1, "parties": {"ip": "x"}, "links": 3, "start": "yesterday"}}}'
	echo '{"event": {"dataset": "callfence.report"}, "callfence": {"report": {"sources": "none", "inputs": [1, {"name": 2}], "alerts": {"by_severity": {"high": -5}}}}}'
	echo '{"event": {"dataset": "callfence.alert", "severity": "high"}, "@timestamp": "2024-13-45T99:99:99Z"}'
} >"$OUT/malformed.json"
report malformed "$OUT/malformed.json"
n=$(grep -c . "$OUT/zoom.json")   # the run's events, then 8 lines of which 4 read
check "malformed: counted in the files table" "$OUT/malformed.html" \
	"malformed\\.json</td><td>$((n + 8))</td><td>$((n + 4))</td><td class=\"warn malformed\">3</td><td>1</td><td>$((n + 1))</td>"
check "malformed: the events still read, wrong types as absent" "$OUT/malformed.html" 'id="n-flows">5<'

# ---- two observers' files merged
sed 's|"hostname":"[^"]*"|"hostname":"gw-paris"|g' "$OUT/zoom.json" >"$OUT/paris.json"
sed 's|"hostname":"[^"]*"|"hostname":"gw-tokyo"|g' "$OUT/quiet.json" >"$OUT/tokyo.json"
report two "$OUT/paris.json" "$OUT/tokyo.json"
h=$OUT/two.html
check "two: both observers" "$h" 'id="observers"><span class="observer">gw-paris</span>, <span class="observer">gw-tokyo</span>'
n=$(grep -c . "$OUT/quiet.json")
check "two: the flows of both" "$h" "id=\"n-flows\">$((4 + $(grep -c '"callfence.flow"' "$OUT/quiet.json")))<"
check "two: the alerts of one" "$h" 'id="n-alerts">4 '
check "two: run health names each" "$h" '<tr><td>gw-tokyo</td><td>1</td>'
check "two: each observer's rules" "$h" '<tr><td>rules</td><td>gw-tokyo</td>'
browse two

# ---- 10,000 flows: built in seconds, paginated
awk 'BEGIN {
	for (i = 0; i < 10000; i++) {
		cc = (i % 33 == 0) ? "CN" : (i % 3 == 0 ? "US" : "DE");
		printf "{\"@timestamp\":\"2024-03-01T10:%02d:%02d.000Z\",\"event\":{\"dataset\":\"callfence.flow\",\"start\":\"2024-03-01T10:%02d:%02d.000Z\",\"end\":\"2024-03-01T10:%02d:%02d.500Z\"},\"source\":{\"ip\":\"10.%d.%d.%d\",\"port\":%d},\"destination\":{\"ip\":\"203.0.%d.%d\",\"port\":3478,\"geo\":{\"country_iso_code\":\"%s\"},\"as\":{\"number\":64520,\"organization\":{\"name\":\"Op %d\"}}},\"network\":{\"transport\":\"udp\",\"community_id\":\"1:c%d\",\"bytes\":%d,\"packets\":%d},\"callfence\":{\"app\":\"%s\",\"roles\":[\"media\"],\"remote_end\":\"destination\",\"verdict\":\"%s\",\"jurisdiction\":{\"observed\":\"%s\"}},\"observer\":{\"hostname\":\"gw\"}}\n", \
			int(i / 60) % 60, i % 60, int(i / 60) % 60, i % 60, int(i / 60) % 60, i % 60, \
			int(i / 65536) % 256, int(i / 256) % 256, i % 256, 10000 + i % 50000, \
			int(i / 256) % 256, i % 256, cc, i % 97, i, 1000 + i, 10 + i % 90, \
			(i % 2 ? "zoom" : "webrtc"), (cc == "CN" ? "alert" : "pass"), cc;
		if (cc == "CN")
			printf "{\"@timestamp\":\"2024-03-01T10:%02d:%02d.100Z\",\"event\":{\"dataset\":\"callfence.alert\",\"severity\":99},\"rule\":{\"id\":\"big:1\",\"name\":\"media to CN\"},\"source\":{\"ip\":\"10.%d.%d.%d\",\"port\":%d},\"destination\":{\"ip\":\"203.0.%d.%d\",\"port\":3478,\"geo\":{\"country_iso_code\":\"CN\"}},\"network\":{\"transport\":\"udp\",\"community_id\":\"1:c%d\"},\"callfence\":{\"app\":\"%s\",\"role\":\"media\",\"severity\":\"critical\",\"remote_end\":\"destination\",\"jurisdiction\":{\"observed\":\"CN\"}},\"observer\":{\"hostname\":\"gw\"}}\n", \
				int(i / 60) % 60, i % 60, int(i / 65536) % 256, int(i / 256) % 256, i % 256, \
				10000 + i % 50000, int(i / 256) % 256, i % 256, i, (i % 2 ? "zoom" : "webrtc");
	}
}' >"$OUT/big.json"
t0=$(date +%s%N)
report big "$OUT/big.json"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if [ "$ms" -lt 5000 ]; then ok "big: 10,000 flows in $ms ms"; else bad "big: 10,000 flows took $ms ms (over 5 s)"; fi
h=$OUT/big.html
check "big: every flow" "$h" 'id="n-flows">10000<'
check "big: the alerts" "$h" 'id="n-alerts">304 \(critical 304,'
check "big: 200 alerts in full" "$h" 'id="alert-200"'
check_not "big: not more" "$h" 'id="alert-201"'
check "big: the rest in a table" "$h" '<details><summary>104 more alert\(s\)</summary>'
check_count "big: the rest's rows" "$h" '<tr class="sev-critical"><td>critical</td><td>big:1</td>' 104
check_count "big: every flow in the appendix" "$h" '<tr class="sev-[a-z]+" data-app=' 10000
browse big none
if [ -n "$CHROMIUM" ]; then
	check "big (browser): the appendix paginated" "$OUT/big.dom" 'page 1 of 200 \(10000 rows\)'
	check_count "big (browser): 50 appendix rows shown" "$OUT/big.dom" '<tr class="sev-[a-z]+" data-app="[a-z]*" data-role="[a-z,-]*" data-cc="[A-Z]*">' 50
fi

# ---- --since / --until
report since --since 2024-03-01T10:00:01Z --until 2024-03-01T10:00:10Z "$OUT/zoom.json"
check "since: one flow left" "$OUT/since.html" 'id="n-flows">1<'
check "since: one alert left" "$OUT/since.html" 'id="n-alerts">1 \(critical 0, high 1,'
check "since: the period is the cut" "$OUT/since.html" 'id="period">2024-03-01 10:00:01Z to 2024-03-01 10:00:10Z \(cut'
"$CALLFENCE" report --since yesterday -o "$OUT/x.html" "$OUT/zoom.json" 2>"$OUT/since-bad.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "not a time" "$OUT/since-bad.err"; then ok "since: a bad time is exit 2"; else
	bad "since: --since yesterday: exit $rc, $(cat "$OUT/since-bad.err")"; fi
"$CALLFENCE" report -o "$OUT/x.html" 2>/dev/null
[ $? -eq 2 ] && ok "report: no events file is exit 2" || bad "report: no events file is not exit 2"
"$CALLFENCE" report -o "$OUT/x.html" "$OUT/nonexistent.json" 2>/dev/null
[ $? -eq 3 ] && ok "report: an unreadable events file is exit 3" || bad "report: unreadable file not exit 3"
"$CALLFENCE" -i lo -G "$GEO/country.mmdb" --html "$OUT/x.html" 2>"$OUT/live.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "offline" "$OUT/live.err"; then ok "--html with -i is exit 2"; else
	bad "--html with -i: exit $rc, $(cat "$OUT/live.err")"; fi

# ---- no map: said, still valid
"$CALLFENCE" report -o "$OUT/nomap.html" --world "$OUT/nonexistent.txt" "$OUT/zoom.json"
check "nomap: the report says the map is unavailable and why" "$OUT/nomap.html" 'id="map-unavailable">The world map is unavailable: .*nonexistent\.txt: No such file'
check "nomap: the countries table is still there" "$OUT/nomap.html" '<tr class="country alerted" data-cc="CN">'
browse nomap

# ---- callfence.call events: calls as callfence grouped them
cat >"$OUT/calls.json" <<'EOF'
{"@timestamp":"2024-03-01T10:05:00.000Z","event":{"kind":"event","dataset":"callfence.call","severity":99,"start":"2024-03-01T10:00:00.000Z","end":"2024-03-01T10:04:00.000Z","duration":240000000000},"rule":{"id":"e2e-eu:10","name":"keys"},"source":{"ip":"10.1.0.5"},"callfence":{"call":{"id":"c-1","app":"zoom","flows":2,"linked_by":["ice","dns"],"parties":[{"ip":"203.0.113.20","geo":{"country_iso_code":"CN"},"as":{"number":64520,"organization":{"name":"Example Net CN"}},"roles":["key-exchange"],"flows":1,"bytes":1500,"packets":13},{"ip":"198.51.100.11","geo":{"country_iso_code":"US"},"as":{"number":64510,"organization":{"name":"Example Cloud US"}},"roles":["media"],"flows":1,"bytes":75000,"packets":400}],"roles":{"media":{"flows":1,"bytes":75000,"packets":400}},"alerts":1,"verdict":{"severity":"critical","rule":"e2e-eu:10","message":"call keys exchanged in CN"}},"severity":"critical"},"observer":{"hostname":"gw"}}
{"@timestamp":"2024-03-01T10:04:00.000Z","event":{"dataset":"callfence.flow","start":"2024-03-01T10:00:00.000Z","end":"2024-03-01T10:04:00.000Z"},"source":{"ip":"10.1.0.5","port":50002},"destination":{"ip":"203.0.113.20","port":443,"domain":"zoombj1mmr.zoom.us"},"network":{"transport":"tcp","community_id":"1:k","bytes":1500,"packets":13},"callfence":{"call":{"id":"c-1"},"app":"zoom","roles":["key-exchange"],"remote_end":"destination","verdict":"alert","jurisdiction":{"observed":"CN"}},"observer":{"hostname":"gw"}}
{"@timestamp":"2024-03-01T10:04:00.000Z","event":{"dataset":"callfence.flow","start":"2024-03-01T10:00:01.000Z","end":"2024-03-01T10:04:00.000Z"},"source":{"ip":"10.1.0.5","port":50004},"destination":{"ip":"198.51.100.11","port":3478},"network":{"transport":"udp","community_id":"1:m","bytes":75000,"packets":400},"callfence":{"call":{"id":"c-1"},"app":"zoom","roles":["media"],"remote_end":"destination","verdict":"pass","jurisdiction":{"observed":"US"}},"observer":{"hostname":"gw"}}
{"@timestamp":"2024-03-01T10:00:00.030Z","event":{"dataset":"callfence.alert","severity":99},"rule":{"id":"e2e-eu:10","name":"keys"},"source":{"ip":"10.1.0.5","port":50002},"destination":{"ip":"203.0.113.20","port":443,"domain":"zoombj1mmr.zoom.us"},"network":{"transport":"tcp","community_id":"1:k"},"callfence":{"call":{"id":"c-1"},"app":"zoom","role":"key-exchange","severity":"critical","remote_end":"destination","jurisdiction":{"observed":"CN"}},"observer":{"hostname":"gw"}}
EOF
report calls "$OUT/calls.json"
h=$OUT/calls.html
check "calls: one call, from the call event" "$h" 'id="n-calls">1<'
check "calls: not grouped here" "$h" 'as callfence grouped them'
check "calls: its parties, keys and media" "$h" '<td class="where">CN AS64520 Example Net CN</td><td class="where">US AS64510 Example Cloud US</td><td>e2e-eu:10: call keys exchanged in CN</td>'
check "calls: the duration" "$h" '<td>4 min 00 s</td>'
check "calls: its id and what tied its flows" "$h" '<td title="call c-1">zoom <span class="links">\(ice,dns\)</span></td>'
check "calls: the alert links its call" "$h" '<a href="#call-0">call 1</a>'
browse calls
# a flow callfence tied to no call, beside a call event: grouped here
{
	cat "$OUT/calls.json"
	echo '{"@timestamp":"2024-03-01T10:01:00.000Z","event":{"dataset":"callfence.flow","start":"2024-03-01T10:00:30.000Z","end":"2024-03-01T10:01:00.000Z"},"source":{"ip":"10.1.0.5","port":50009},"destination":{"ip":"203.0.113.10","port":3478},"network":{"transport":"udp","community_id":"1:x","bytes":900,"packets":6},"callfence":{"app":"webrtc","roles":["key-exchange"],"remote_end":"destination","verdict":"pass","jurisdiction":{"observed":"CN"}},"observer":{"hostname":"gw"}}'
} >"$OUT/calls-mixed.json"
report calls-mixed "$OUT/calls-mixed.json"
h=$OUT/calls-mixed.html
check "calls-mixed: the call event's call and one grouped here" "$h" 'id="n-calls">2<'
check "calls-mixed: the summary says both" "$h" 'as callfence grouped them \(callfence.call events, call ids\); and <span id="calls-grouped">'
check "calls-mixed: the grouped call is marked" "$h" '<td>webrtc <span class="grouped">grouped here</span></td>'
check "calls-mixed: the call event's call first (critical)" "$h" '<tr class="call sev-critical" id="call-0"'

# the draft's names of the call event (local_ip, start, end, duration_ms,
# links, parties' country, as_number, as_org) read as well
sed '/"callfence.call"/c\
{"@timestamp":"2024-03-01T10:05:00.000Z","event":{"dataset":"callfence.call"},"callfence":{"call":{"id":"c-1","app":"zoom","start":"2024-03-01T10:00:00.000Z","end":"2024-03-01T10:04:00.000Z","duration_ms":240000,"flows":2,"local_ip":"10.1.0.5","links":["ice","dns"],"parties":[{"ip":"203.0.113.20","country":"CN","as_number":64520,"as_org":"Example Net CN","roles":["key-exchange"],"bytes":1500,"packets":13},{"ip":"198.51.100.11","country":"US","as_number":64510,"as_org":"Example Cloud US","roles":["media"],"bytes":75000,"packets":400}],"verdict":{"severity":"critical","rule":"e2e-eu:10","message":"call keys exchanged in CN"}}},"observer":{"hostname":"gw"}}' \
	"$OUT/calls.json" >"$OUT/calls-draft.json"
report calls-draft "$OUT/calls-draft.json"
for pat in 'id="n-calls">1<' '<td class="where">CN AS64520 Example Net CN</td><td class="where">US AS64510 Example Cloud US</td>' \
	'<td>4 min 00 s</td>' '<td title="call c-1">zoom <span class="links">\(ice,dns\)</span></td>' \
	'<tr class="call sev-critical" id="call-0"'; do
	check "calls-draft: as the call event says" "$OUT/calls-draft.html" "$pat"
done
# call ids on the flows but no call event (a SIEM export that kept flows):
# one call by its id, though its flows are of two apps
grep -v '"dataset":"callfence.call"' "$OUT/calls.json" |
	sed '/"port":50004/s/"app":"zoom"/"app":"webrtc"/' >"$OUT/callids.json"
report callids "$OUT/callids.json"
check "callids: one call, by its id" "$OUT/callids.html" 'id="n-calls">1<'
check_not "callids: not grouped by app and host" "$OUT/callids.html" 'id="calls-grouped"'
check "callids: the alert links its call" "$OUT/callids.html" '<a href="#call-0">call 1</a>'
check "callids: the call's flows" "$OUT/callids.html" '<td>10\.1\.0\.5</td><td>2</td>'

# ---- the speed-of-light check (#19), in the map's section: events with
# no callfence.geo (or only "unknown") say there was no physical check;
# with verdicts, one row per remote end (its flow and its alert merged):
# the smallest RTT and the verdict, impossible ones first and marked
check "calls: no physical check without an observer location" "$OUT/calls.html" \
	'id="geo-check">Speed of light: no physical check \(no observer location given\)'
check_not "calls: no table of remote ends then" "$OUT/calls.html" 'id="geo-ends"'
sed -e '/"port":50002/s/"remote_end":"destination"/&,"geo":{"rtt_ms":2.031,"plausibility":"impossible"}/' \
	-e '/"port":50004/s/"remote_end":"destination"/&,"geo":{"rtt_ms":95.5,"plausibility":"consistent"}/' \
	"$OUT/calls.json" >"$OUT/geo.json"
report geo "$OUT/geo.json"
h=$OUT/geo.html
check "geo: the impossible remote end, marked" "$h" \
	'<tr class="geo-end impossible"><td>203\.0\.113\.20</td><td>CN</td><td data-v="2\.031">2\.031 ms</td><td class="warn">impossible</td></tr>'
check "geo: the consistent remote end" "$h" \
	'<tr class="geo-end"><td>198\.51\.100\.11</td><td>US</td><td data-v="95\.500">95\.500 ms</td><td>consistent</td></tr>'
check_count "geo: one row per remote end" "$h" '<tr class="geo-end' 2
check "geo: the count" "$h" '2 remote end\(s\), <span id="geo-impossible">1 physically impossible</span>'
check_not "geo: no 'no physical check'" "$h" 'no physical check'
browse geo
if [ -n "$CHROMIUM" ]; then
	check_count "geo (browser): both rows, shown" "$OUT/geo.dom" '<tr class="geo-end( impossible)?">' 2
fi
sed -e 's/"plausibility":"[a-z]*"/"plausibility":"unknown"/' "$OUT/geo.json" >"$OUT/geo-unknown.json"
report geo-unknown "$OUT/geo-unknown.json"
check "geo-unknown: only unknown verdicts: no physical check" "$OUT/geo-unknown.html" \
	'id="geo-check">Speed of light: no physical check \(no observer location given\)'

if [ "$browsed" -eq 0 ]; then
	echo "SKIP: chromium not found: the report was not opened in a browser"
	[ $fail -eq 0 ] && exit 77
fi
[ $fail -eq 0 ]
