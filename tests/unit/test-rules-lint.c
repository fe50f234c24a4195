/*
 * test-rules-lint.c - the linter of --check-rules (cf_policy_lint): each
 * warning checked whole (file:line:col, the message, the include chain),
 * the rules it must leave alone, the near-miss suggestions of the
 * compiler's errors, the edit distance behind them, and the shipped rules,
 * which lint clean.
 */
#include "rules-fixture.h"

/* The app names a catalog and the classifier would give. */
static const char *const apps[] = {
	"zoom", "teams", "webex", "telegram", "webrtc", "sip", "rtp",
	"unknown",
};
#define NAPPS (sizeof(apps) / sizeof(apps[0]))

static char warned[8192];       /* the warnings, one a line */
static unsigned nwarned;

static void collect(void *ctx, const char *line)
{
	size_t off = strlen(warned);

	CHECK(ctx == &nwarned);
	snprintf(warned + off, sizeof(warned) - off, "%s\n", line);
	nwarned++;
}

/* Compile name, lint it; the warnings in warned.  -1 if it did not
 * compile (err says why). */
static int lint_file(const char *name, const char *const *inc, size_t ninc)
{
	struct cf_policy *p = cf_policy_load(name, inc, ninc, err, sizeof(err));
	unsigned n;

	warned[0] = '\0';
	nwarned = 0;
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	n = cf_policy_lint(p, apps, NAPPS, "the test catalog", collect,
			   &nwarned);
	CHECK_INT(n, nwarned);
	cf_policy_free(p);
	return (int)n;
}

static int lint_text(const char *text)
{
	put("t.rules", text);
	return lint_file("t.rules", NULL, 0);
}

#define SETS "jurisdiction EEA = DE FR IT NO\njurisdiction EU = DE FR IT\n"

/* Rules, and the warnings they must give ("" for none). */
static const struct {
	const char *text;
	const char *want;
} cases[] = {
	/* apps: unknown ones, with near misses; case does not matter */
	{ "alert high app zooom to DE\n",
	  "t.rules:1:16: warning: unknown app 'zooom' (not in the test catalog "
	  "nor a name callfence gives itself): it matches no flow; did you "
	  "mean 'zoom'?\n" },
	{ "pass app Zoom,TEAMS,webrtc\npass app  zoom , skype\n",
	  "t.rules:2:18: warning: unknown app 'skype' (not in the test catalog "
	  "nor a name callfence gives itself): it matches no flow\n" },
	{ "pass app unknown,rtp,sip\npass app any\n", "" },
	/* the example of the issue: an alert after a pass that covers it */
	{ SETS "pass role any to EEA\nalert high role key-exchange to DE\n",
	  "t.rules:4:1: warning: rule 't:4' never decides a flow: rule 't:3' "
	  "(t.rules:3, pass) above matches every flow it matches\n" },
	/* the same rule twice, whatever the actions */
	{ "alert low id a role media to DE\n  alert high role media to DE\n",
	  "t.rules:2:3: warning: rule 't:2' never decides a flow: rule 'a' "
	  "(t.rules:1, alert low) above matches every flow it matches\n" },
	/* the wider rule after the narrower: both decide */
	{ SETS "alert high role key-exchange to DE\npass to EEA\n", "" },
	/* a set that leaves out some of the later rule's countries */
	{ SETS "pass to EU\nalert low to EEA\n", "" },
	/* roles: flows with no role recognised are still the later rule's */
	{ "pass role key-exchange,media,signaling,relay,web to DE\n"
	  "alert low to DE\n", "" },
	{ "pass role key-exchange,media,signaling,relay,web to DE\n"
	  "alert low role media,web to DE\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass role media to DE\nalert low role media,relay to DE\n", "" },
	/* several rules together: each role, each country */
	{ "pass role key-exchange to DE\npass role media to DE,FR\n"
	  "alert low role key-exchange,media to DE\n",
	  "t.rules:3:1: warning: rule 't:3' never decides a flow: rules 't:1' "
	  "(t.rules:1, pass) and 't:2' (t.rules:2, pass) above match every "
	  "flow it matches\n" },
	{ "pass to DE\npass to FR\npass to unknown\nalert low to DE,FR,unknown\n",
	  "t.rules:4:1: warning: rule 't:4' never decides a flow: rules 't:1' "
	  "(t.rules:1, pass), 't:2' (t.rules:2, pass) and 1 more above match "
	  "every flow it matches\n" },
	{ "pass to DE\npass to FR\nalert low to DE,FR,unknown\n", "" },
	/* negated sets: !X takes in unknown, !X,unknown does not */
	{ SETS "pass to !EEA\nalert low to unknown\n",
	  "t.rules:4:1: warning: rule 't:4' never decides a flow: rule 't:3' "
	  "(t.rules:3, pass) above matches every flow it matches\n" },
	{ SETS "pass to !EEA,unknown\nalert low to unknown\n", "" },
	{ SETS "pass to !EU\nalert low to !EEA\n",
	  "t.rules:4:1: warning: rule 't:4' never decides a flow: rule 't:3' "
	  "(t.rules:3, pass) above matches every flow it matches\n" },
	{ SETS "pass to !EEA\nalert low to !EU\n", "" },
	{ "pass to DE\npass to !DE\nalert critical role media\n",
	  "t.rules:3:1: warning: rule 't:3' never decides a flow: rules 't:1' "
	  "(t.rules:1, pass) and 't:2' (t.rules:2, pass) above match every "
	  "flow it matches\n" },
	/* apps */
	{ "pass app zoom,teams\nalert low app ZOOM role media\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass app zoom\nalert low app zoom,teams\n", "" },
	{ "pass app zoom\nalert low\n", "" },
	/* from: prefixes inside prefixes, and negations */
	{ "pass from 10.0.0.0/8\nalert low from 10.1.0.0/16,10.2.0.0/16\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass from 10.1.0.0/16\nalert low from 10.0.0.0/8\n", "" },
	{ "pass from !10.0.0.0/8\nalert low from 192.168.0.0/16\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass from !10.0.0.0/8\nalert low from 10.1.0.0/16\n", "" },
	{ "pass from !10.1.0.0/16\nalert low from !10.0.0.0/8\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass from 10.0.0.0/8\nalert low from !192.168.0.0/16\n", "" },
	{ "pass from 2001:db8::/32\nalert low from 10.0.0.0/8\n", "" },
	/* asn, unknown AS in no list */
	{ "pass asn 1,2,3\nalert low asn AS2,3\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass asn !5\nalert low asn 6\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass asn !5\nalert low asn 5\n", "" },
	{ "pass asn 5\nalert low asn !5\n", "" },
	{ "pass asn !5,6\nalert low asn !5\n", "" },
	{ "pass asn !5\nalert low asn !5,6\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	/* host: the same pattern, '*', '*' and a tail */
	{ "pass host *.zoom.us\nalert low host zoomsjc.ZOOM.us,a*.zoom.us\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass host *\nalert low host x?.example\n",
	  "t.rules:2:1: warning: rule 't:2' never decides a flow: rule 't:1' "
	  "(t.rules:1, pass) above matches every flow it matches\n" },
	{ "pass host *.zoom.us\nalert low host zoom.us\n", "" },
	{ "pass host *.zoom.us\nalert low host *.zoom.u[s]\n", "" },
	{ "pass host *.zoom.us\nalert low\n", "" },
	{ "pass host a.example\nalert low host b.example\n", "" },
	/* a rule with more matchers after a rule with fewer */
	{ SETS "pass role media to EEA\n"
	  "alert low app zoom role media to DE from 10.0.0.0/8 asn 7 "
	  "host *.zoom.us\n",
	  "t.rules:4:1: warning: rule 't:4' never decides a flow: rule 't:3' "
	  "(t.rules:3, pass) above matches every flow it matches\n" },
	{ "pass app zoom role media to DE from 10.0.0.0/8 asn 7 host *.zoom.us\n"
	  "alert low role media to DE\n", "" },
	/* the example of callfence.rules(5) lints clean */
	{ SETS "home-net 198.51.100.0/24\n"
	  "pass  id provider-ch role media,relay to CH host *.example-video.ch\n"
	  "pass  id in-eea      to EEA\n"
	  "pass  id lab-usa     from 203.0.113.0/24 to US\n"
	  "alert critical id keys-prc role key-exchange to CN HK MO\n"
	  "alert high id calls-out role key-exchange,media,relay to !EEA\n"
	  "alert low  id sig-out   role signaling to !EEA,unknown\n"
	  "pass\n", "" },
};

static void test_warnings(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (lint_text(cases[i].text) < 0) {
			CHECK(!"compiles");
			continue;
		}
		if (strcmp(warned, cases[i].want) != 0)
			fprintf(stderr, "  cases[%zu]\n", i);
		CHECK_STR(warned, cases[i].want);
	}
}

static void test_no_catalog(void)
{
	struct cf_policy *p = load_text("pass app zooom\n");

	CHECK(p != NULL);
	if (p == NULL)
		return;
	warned[0] = '\0';
	nwarned = 0;
	/* no app list: apps are not checked */
	CHECK_INT(cf_policy_lint(p, NULL, 0, NULL, collect, &nwarned), 0);
	CHECK_STR(warned, "");
	/* an empty list: every app is unknown, nothing is near */
	CHECK_INT(cf_policy_lint(p, apps, 0, "an empty catalog", collect,
				 &nwarned), 1);
	CHECK_STR(warned, "t.rules:1:10: warning: unknown app 'zooom' (not in "
		  "an empty catalog nor a name callfence gives itself): it "
		  "matches no flow\n");
	cf_policy_free(p);
}

/* Warnings and errors in included files name the includes, outermost
 * last. */
static void test_include_chain(void)
{
	const char *inc[] = { "lib" };

	mkdir_t("lib");
	mkdir_t("site");
	put("site/top.rules", "# site\ninclude  mid.rules\nalert low app zoom\n");
	put("site/mid.rules", "pass to FR\n\ninclude \"deep.rules\"\n");
	put("lib/deep.rules", "pass app zoom\nalert high app telegam to DE\n");
	CHECK_INT(lint_file("site/top.rules", inc, 1), 2);
	CHECK_STR(warned,
		  "lib/deep.rules:2:16: warning: unknown app 'telegam' (not in "
		  "the test catalog nor a name callfence gives itself): it "
		  "matches no flow; did you mean 'telegram'? [in file included "
		  "from site/mid.rules:3:9, from site/top.rules:2:10]\n"
		  "site/top.rules:3:1: warning: rule 'top:3' never decides a "
		  "flow: rule 'deep:1' (lib/deep.rules:1, pass) above matches "
		  "every flow it matches\n");
	/* the same chain on an error */
	put("lib/deep.rules", "pass app zoom\nalert high app telegram to EAA\n");
	CHECK(cf_policy_load("site/top.rules", inc, 1, err, sizeof(err)) ==
	      NULL);
	CHECK_STR(err, "lib/deep.rules:2:28: unknown jurisdiction 'EAA' (not "
		  "defined above) [in file included from site/mid.rules:3:9, "
		  "from site/top.rules:2:10]");
	/* an error at the include itself is the including file's */
	put("site/mid.rules", "include nothere.rules\n");
	CHECK(cf_policy_load("site/top.rules", inc, 1, err, sizeof(err)) ==
	      NULL);
	CHECK_STR(err, "site/mid.rules:1:9: cannot find 'nothere.rules' "
		  "(looked in site/, lib/) [in file included from "
		  "site/top.rules:2:10]");
	/* a chain that does not fit the message is cut, and says so */
	put("site/mid.rules", "include \"deep.rules\"\n");
	put("lib/deep.rules", "pass to NOPE\n");
	{
		char small[118];

		CHECK(cf_policy_load("site/top.rules", inc, 1, small,
				     sizeof(small)) == NULL);
		CHECK_STR(small, "lib/deep.rules:1:9: unknown jurisdiction "
			  "'NOPE' (not defined above) [in file included from "
			  "site/mid.rules:1:9, ...]");
	}
}

/* Near misses in the compiler's errors. */
static const struct {
	const char *text;
	const char *msg;
} near[] = {
	{ SETS "pass to EAA\n",
	  "bad.rules:3:9: unknown jurisdiction 'EAA' (not defined above); did "
	  "you mean 'EEA'?" },
	{ SETS "pass to eea\n",
	  "bad.rules:3:9: unknown jurisdiction 'eea' (not defined above); did "
	  "you mean 'EEA'?" },
	{ SETS "pass to ee\n",
	  "bad.rules:3:9: unknown jurisdiction 'ee' (country codes are upper "
	  "case: EE)" },
	{ SETS "jurisdiction FIVE-EYES = US GB\npass to FIVE_EYES\n",
	  "bad.rules:4:9: unknown jurisdiction 'FIVE_EYES' (not defined above); "
	  "did you mean 'FIVE-EYES'?" },
	{ "jurisdiction EEB = DE\njurisdiction EEC = FR\npass to EED\n",
	  "bad.rules:3:9: unknown jurisdiction 'EED' (not defined above); did "
	  "you mean 'EEB' or 'EEC'?" },
	{ "jurisdiction A1 = DE\njurisdiction A2 = DE\njurisdiction A3 = DE\n"
	  "jurisdiction A4 = DE\npass to A5X\n",
	  "bad.rules:5:9: unknown jurisdiction 'A5X' (not defined above)" },
	{ "jurisdiction AB1 = DE\njurisdiction AB2 = DE\njurisdiction AB3 = DE\n"
	  "jurisdiction AB4 = DE\npass to AB5\n",
	  "bad.rules:5:9: unknown jurisdiction 'AB5' (not defined above); did "
	  "you mean 'AB1', 'AB2', 'AB3', ...?" },
	{ SETS "pass to XX\n",
	  "bad.rules:3:9: 'XX' is neither an assigned ISO 3166-1 alpha-2 code "
	  "nor a jurisdiction defined above" },
	{ "pass role meida\n",
	  "bad.rules:1:11: unknown role 'meida' (expected key-exchange, media, "
	  "signaling, relay, web or any); did you mean 'media'?" },
	{ "pass role signalling\n",
	  "bad.rules:1:11: unknown role 'signalling' (expected key-exchange, "
	  "media, signaling, relay, web or any); did you mean 'signaling'?" },
	{ "pass role key_exchange\n",
	  "bad.rules:1:11: unknown role 'key_exchange' (expected key-exchange, "
	  "media, signaling, relay, web or any); did you mean 'key-exchange'?" },
	{ "alert Critical\n",
	  "bad.rules:1:7: unknown severity 'Critical' (expected low, medium, "
	  "high, critical); did you mean 'critical'?" },
	{ "pass hots *.zoom.us\n",
	  "bad.rules:1:6: unknown matcher 'hots' (expected id, app, role, to, "
	  "from, asn, operator, geo, reachable, host or msg); did you mean 'host'?" },
	{ "alret low\n",
	  "bad.rules:1:1: unknown statement 'alret' (expected home-net, "
	  "jurisdiction, include, pass or alert); did you mean 'alert'?" },
	{ "homenet 10.0.0.0/8\n",
	  "bad.rules:1:1: unknown statement 'homenet' (expected home-net, "
	  "jurisdiction, include, pass or alert); did you mean 'home-net'?" },
	{ "frobnicate\n",
	  "bad.rules:1:1: unknown statement 'frobnicate' (expected home-net, "
	  "jurisdiction, include, pass or alert)" },
};

static void test_near_errors(void)
{
	struct cf_policy *p;
	size_t i;

	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		put("bad.rules", near[i].text);
		p = cf_policy_load("bad.rules", NULL, 0, err, sizeof(err));
		CHECK(p == NULL);
		if (strcmp(err, near[i].msg) != 0)
			fprintf(stderr, "  near[%zu]\n", i);
		CHECK_STR(err, near[i].msg);
		cf_policy_free(p);
	}
}

static void test_distance(void)
{
	char big[100];

	CHECK_INT(rp_edit_distance("EEA", "EEA", 3), 0);
	CHECK_INT(rp_edit_distance("eea", "EEA", 3), 0);
	CHECK_INT(rp_edit_distance("EAA", "EEA", 3), 1);
	CHECK_INT(rp_edit_distance("meida", "media", 3), 1);   /* swap */
	CHECK_INT(rp_edit_distance("zooom", "zoom", 3), 1);
	CHECK_INT(rp_edit_distance("", "abc", 3), 3);
	CHECK_INT(rp_edit_distance("abc", "", 3), 3);
	CHECK_INT(rp_edit_distance("kitten", "sitting", 3), 3);
	CHECK_INT(rp_edit_distance("kitten", "sitting", 2), 3); /* limit+1 */
	CHECK_INT(rp_edit_distance("ca", "abc", 3), 3);         /* OSA */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(rp_edit_distance(big, big, 3), 4);           /* too long */
}

/* The shipped rule sets give no warning. */
static void test_shipped_clean(void)
{
	static const char *const files[] = {
		"default.rules", "eu-gdpr.rules", "us-only.rules",
		"five-eyes.rules", "tw-gov.rules", "jurisdictions.rules",
	};
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", rules_dir, files[i]);
		CHECK_INT(lint_file(path, NULL, 0), 0);
		if (warned[0] != '\0')
			fprintf(stderr, "%s", warned);
	}
}

/*
 * Soundness against the evaluator: random policies over a small
 * vocabulary; every rule the linter calls dead must win no flow of a
 * domain that holds a representative of every distinction the
 * vocabulary can make (each role set, a country in and out of each list
 * and unknown, apps named and not, our end in and out of each prefix,
 * ASes listed, not and unknown, hosts of each pattern and none).
 */
static unsigned long rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((rnd_state >> 33) % n);
}

static void random_rule(FILE *fp, int k)
{
	static const char *const roles[] = { "key-exchange", "media",
		"signaling", "relay", "web" };
	static const char *const to[] = { "DE", "FR", "CN", "US", "unknown",
		"EU" };
	static const char *const from[] = { "10.0.0.0/8", "10.1.0.0/16",
		"!10.0.0.0/8", "192.168.0.0/16", "!10.1.0.0/16" };
	static const char *const asn[] = { "1", "1,2", "!1", "!1,2", "2" };
	static const char *const host[] = { "*.zoom.us", "a.zoom.us", "*",
		"a*.zoom.us", "zoom.us" };
	unsigned i, m;

	fprintf(fp, rnd(3) ? "pass id r%d" : "alert low id r%d", k);
	if (rnd(2) && (m = rnd(32)) != 0) {
		fputs(" role ", fp);
		for (i = 0; i < 5; i++)
			if (m & (1u << i))
				fprintf(fp, "%s%s", roles[i],
					(m >> (i + 1)) ? "," : "");
	}
	if (rnd(3)) {
		fputs(rnd(3) ? " to " : " to !", fp);
		m = 1 + rnd(63);
		for (i = 0; i < 6; i++)
			if (m & (1u << i))
				fprintf(fp, "%s%s", to[i], (m >> (i + 1)) ? "," : "");
	}
	if (rnd(4) == 0)
		fputs(rnd(2) ? " app zoom" : " app zoom,teams", fp);
	if (rnd(4) == 0)
		fprintf(fp, " from %s", from[rnd(5)]);
	if (rnd(4) == 0)
		fprintf(fp, " asn %s", asn[rnd(5)]);
	if (rnd(4) == 0)
		fprintf(fp, " host %s", host[rnd(5)]);
	fputc('\n', fp);
}

/* Does any flow of the domain get rule `dead` from the evaluator? */
static int wins_a_flow(const struct cf_policy *p, int dead)
{
	static const char *const cc[] = { "DE", "FR", "CN", "US", "JP", NULL };
	static const char *const app[] = { "zoom", "teams", "webex" };
	static const char *const local[] = { "10.1.2.3", "10.2.3.4",
		"192.168.1.1", "172.16.0.1" };
	static const uint32_t asns[] = { 0, 1, 2, 3 };
	static const char *const host[] = { NULL, "a.zoom.us", "b.zoom.us",
		"zoom.us", "x.example", "ab.zoom.us" };
	struct cf_judge_input in;
	cf_addr l, r;
	unsigned rs;
	size_t a, c, o, s, h;

	cf_addr_parse("198.51.100.7", &r);
	memset(&in, 0, sizeof(in));
	in.is_call = 1;
	in.local = &l;
	in.remote = &r;
	for (o = 0; o < 4; o++) {
		cf_addr_parse(local[o], &l);
		for (rs = 0; rs < 32; rs++)
			for (c = 0; c < 6; c++)
				for (a = 0; a < 3; a++)
					for (s = 0; s < 4; s++)
						for (h = 0; h < 6; h++) {
							in.roles = rs;
							in.country = cc[c];
							in.app = app[a];
							in.asn = asns[s];
							in.host = host[h];
							if (cf_policy_eval(p, &in, NULL) == dead)
								return 1;
						}
	}
	return 0;
}

static void test_random_sound(void)
{
	unsigned dead_found = 0, wrong = 0, round, k;
	const char *w;
	int nrules, id;

	for (round = 0; round < 150; round++) {
		FILE *fp = fopen("r.rules", "w");
		struct cf_policy *p;

		CHECK(fp != NULL);
		if (fp == NULL)
			return;
		fputs("jurisdiction EU = DE FR\n", fp);
		nrules = 2 + (int)rnd(7);
		for (k = 0; k < (unsigned)nrules; k++)
			random_rule(fp, (int)k);
		fclose(fp);
		put("r.rules", NULL);
		if (lint_file("r.rules", NULL, 0) < 0) {
			CHECK(!"random rules compile");
			continue;
		}
		p = cf_policy_load("r.rules", NULL, 0, err, sizeof(err));
		CHECK(p != NULL);
		if (p == NULL)
			continue;
		for (w = warned; (w = strstr(w, "rule 'r")) != NULL; w++) {
			if (sscanf(w, "rule 'r%d' never", &id) != 1 ||
			    strncmp(strchr(w + 6, '\'') + 1, " never", 6) != 0)
				continue;
			dead_found++;
			if (wins_a_flow(p, id)) {
				wrong++;
				fprintf(stderr, "  round %u: r%d is not dead:\n%s",
					round, id, warned);
			}
		}
		cf_policy_free(p);
	}
	CHECK_INT(wrong, 0);
	/* the vocabulary makes dead rules often: the check is not empty */
	CHECK(dead_found >= 50);
	fprintf(stderr, "  %u dead rules, each checked against the evaluator\n",
		dead_found);
}

int main(void)
{
	if (fixture_setup() < 0)
		return 2;
	RUN(test_warnings);
	RUN(test_no_catalog);
	RUN(test_include_chain);
	RUN(test_near_errors);
	RUN(test_distance);
	RUN(test_shipped_clean);
	RUN(test_random_sound);
	fixture_cleanup();
	return harness_done();
}
