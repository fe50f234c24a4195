#!/bin/sh
# test-lint.sh - callfence --check-rules as a linter, through the program:
# each warning and suggestion with its file:line:col and the include
# chain, the summary line, the exit status with and without --strict, and
# the shipped rules, which must lint clean under --strict.  Every case
# compares the whole of stderr with what is expected.
#
# Env: CALLFENCE, SRCDIR, BUILDDIR.
set -u
: "${CALLFENCE:?}" "${SRCDIR:?}"
work=${BUILDDIR:-.}/tests/work/lint
rm -rf "$work" && mkdir -p "$work/lib"
fails=0
cat="$SRCDIR/rules/apps.conf"

# check NAME STATUS -- command...   (stderr compared with $work/NAME.want)
check() {
	name=$1 want=$2
	shift 3
	"$@" >"$work/$name.out" 2>"$work/$name.err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: exit $got, want $want"
		sed 's/^/  stderr: /' "$work/$name.err"
		fails=$((fails + 1))
		return
	fi
	if ! cmp -s "$work/$name.want" "$work/$name.err"; then
		echo "FAIL $name: stderr differs from what is expected"
		diff "$work/$name.want" "$work/$name.err" | sed 's/^/  /'
		fails=$((fails + 1))
		return
	fi
	echo "ok   $name"
}

# A policy with one of each warning, part of it in an included file.
cd "$work" || exit 1
cat >site.rules <<'EOF'
# site policy
include jurisdictions.rules
include  lib/apps.rules
pass role any to EEA
alert high role key-exchange to DE
alert critical app zooom role key-exchange to CN
EOF
cat >lib/apps.rules <<'EOF'
pass app teams to US
alert low app Teams role media to US
alert low app telgram
EOF
cat >lint.want <<EOF
callfence: lib/apps.rules:2:1: warning: rule 'apps:2' never decides a flow: rule 'apps:1' (lib/apps.rules:1, pass) above matches every flow it matches [in file included from site.rules:3:10]
callfence: lib/apps.rules:3:15: warning: unknown app 'telgram' (not in the app catalog $cat nor a name callfence gives itself): it matches no flow; did you mean 'telegram'? [in file included from site.rules:3:10]
callfence: site.rules:5:1: warning: rule 'site:5' never decides a flow: rule 'site:4' (site.rules:4, pass) above matches every flow it matches
callfence: site.rules:6:20: warning: unknown app 'zooom' (not in the app catalog $cat nor a name callfence gives itself): it matches no flow; did you mean 'zoom'?
callfence: site.rules: 4 warning(s), 6 rule(s); catalog $cat
EOF
check lint 0 -- "$CALLFENCE" --check-rules -R site.rules -A "$cat"
grep -q "^pass id site:4 " lint.out || { echo "FAIL lint: the policy is not printed"; fails=$((fails + 1)); }
sed 's/4 warning(s), 6 rule(s)/4 warning(s) (--strict: exit 2), 6 rule(s)/' lint.want >strict.want
check strict 2 -- "$CALLFENCE" --check-rules --strict -R site.rules -A "$cat"

# An error inside an included file: its place, the suggestion, the chain;
# exit 2 with or without --strict.
printf 'pass to EAA\n' >lib/bad.rules
printf 'include jurisdictions.rules\ninclude lib/bad.rules\n' >bad.rules
echo "callfence: lib/bad.rules:1:9: unknown jurisdiction 'EAA' (not defined above); did you mean 'EEA'? [in file included from bad.rules:2:9]" >bad.want
check bad 2 -- "$CALLFENCE" --check-rules -R bad.rules -A "$cat"
cp bad.want bad-strict.want
check bad-strict 2 -- "$CALLFENCE" --check-rules --strict -R bad.rules -A "$cat"
printf 'include jurisdictions.rules\npass role signalling to EEA\n' >role.rules
echo "callfence: role.rules:2:11: unknown role 'signalling' (expected key-exchange, media, signaling, relay, web or any); did you mean 'signaling'?" >role.want
check role 2 -- "$CALLFENCE" --check-rules -R role.rules -A "$cat"

# A clean policy: OK, exit 0 under --strict.
printf 'include jurisdictions.rules\nalert high app zoom to !EEA\n' >clean.rules
echo "callfence: clean.rules: OK, 1 rule(s); catalog $cat" >clean.want
check clean 0 -- "$CALLFENCE" --check-rules --strict -R clean.rules -A "$cat"

# --strict belongs to --check-rules.
printf "callfence: --strict goes with --check-rules only\nTry 'callfence --help'.\n" >usage.want
check usage 2 -- "$CALLFENCE" --strict -r none.pcap -R clean.rules
"$CALLFENCE" --help | grep -q -- "--strict" || { echo "FAIL help: no --strict"; fails=$((fails + 1)); }

# The shipped rules (and those of the end-to-end tests) lint clean.
for r in "$SRCDIR"/rules/*.rules "$SRCDIR"/tests/e2e/rules/*.rules; do
	b=$(basename "$r" .rules)
	n=$(grep -c '^ *\(pass\|alert\)' "$r")
	echo "callfence: $r: OK, $n rule(s); catalog $cat" >"shipped-$b.want"
	check "shipped-$b" 0 -- "$CALLFENCE" --check-rules --strict -R "$r" -A "$cat"
done

[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
