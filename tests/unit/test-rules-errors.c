/*
 * test-rules-errors.c - the rules compiler's errors (each message checked
 * whole, file:line:col included), includes, their depth and the limits,
 * and user rules that include the shipped sets.
 */
#include "rules-fixture.h"


/* Every error: the file's text and the whole message. */
static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "alert hgh to CN\n",
	  "bad.rules:1:7: unknown severity 'hgh' (expected low, medium, high, critical); did you mean 'high'?" },
	{ "\n\nalert\n",
	  "bad.rules:3:6: missing severity after 'alert' (expected low, medium, high, critical)" },
	{ "pass to XX\n",
	  "bad.rules:1:9: 'XX' is neither an assigned ISO 3166-1 alpha-2 code nor a jurisdiction defined above" },
	{ "pass to DE, UK\n",
	  "bad.rules:1:13: 'UK' is neither an assigned ISO 3166-1 alpha-2 code nor a jurisdiction defined above (the United Kingdom is GB)" },
	{ "pass to EL\n",
	  "bad.rules:1:9: 'EL' is neither an assigned ISO 3166-1 alpha-2 code nor a jurisdiction defined above (Greece is GR)" },
	{ "pass to de\n",
	  "bad.rules:1:9: unknown jurisdiction 'de' (country codes are upper case: DE)" },
	{ "pass to NOPE\n",
	  "bad.rules:1:9: unknown jurisdiction 'NOPE' (not defined above)" },
	{ "pass role media,vidoe\n",
	  "bad.rules:1:17: unknown role 'vidoe' (expected key-exchange, media, signaling, relay, web or any)" },
	{ "pass rol media\n",
	  "bad.rules:1:6: unknown matcher 'rol' (expected id, app, role, to, from, asn, operator, geo, reachable, host or msg); did you mean 'role'?" },
	{ "pass app zoom teams\n",
	  "bad.rules:1:15: unknown matcher 'teams' (expected id, app, role, to, from, asn, operator, geo, reachable, host or msg)" },
	{ "pass to CN to HK\n",
	  "bad.rules:1:12: 'to' given twice in one rule (first at column 6)" },
	{ "pass msg \"abc\n",
	  "bad.rules:1:10: unterminated string" },
	{ "pass msg \"a\\nb\"\n",
	  "bad.rules:1:12: unknown escape '\\n' in string (only \\\" and \\\\ are known)" },
	{ "pass msg x\n",
	  "bad.rules:1:10: expected a double-quoted string after 'msg'" },
	{ "pass msg \"\"\n",
	  "bad.rules:1:10: empty msg" },
	{ "jurisdiction US = CA\n",
	  "bad.rules:1:14: 'US' is a country code and cannot name a jurisdiction" },
	{ "jurisdiction A = DE\njurisdiction A = FR\n",
	  "bad.rules:2:14: jurisdiction 'A' already defined at bad.rules:1" },
	{ "jurisdiction A DE\n",
	  "bad.rules:1:16: expected '=' after jurisdiction name" },
	{ "jurisdiction A =\n",
	  "bad.rules:1:17: expected a country code or jurisdiction after '='" },
	{ "jurisdiction A = DE A\n",
	  "bad.rules:1:21: jurisdiction 'A' cannot contain itself" },
	{ "jurisdiction B = A\njurisdiction A = DE\n",
	  "bad.rules:1:18: unknown jurisdiction 'A' (not defined above)" },
	{ "jurisdiction to = DE\n",
	  "bad.rules:1:14: 'to' is a reserved word and cannot name a jurisdiction" },
	{ "jurisdiction a.b = DE\n",
	  "bad.rules:1:14: invalid jurisdiction name 'a.b' (letters, digits, '-' and '_' only)" },
	{ "jurisdiction\n",
	  "bad.rules:1:13: expected a jurisdiction name after 'jurisdiction'" },
	{ "jurisdiction A = DE unknown\n",
	  "bad.rules:1:21: 'unknown' cannot be part of a jurisdiction" },
	{ "jurisdiction A = DE to\n",
	  "bad.rules:1:21: unexpected 'to'" },
	{ "home-net 10.0.0.0/33\n",
	  "bad.rules:1:10: invalid prefix '10.0.0.0/33' (expected ADDRESS or ADDRESS/LENGTH)" },
	{ "home-net 10.0.0.0/8 msg\n",
	  "bad.rules:1:21: unexpected 'msg'" },
	{ "home-net\n",
	  "bad.rules:1:9: expected a prefix after 'home-net'" },
	{ "pass from 10.0.0.0/8,foo\n",
	  "bad.rules:1:22: invalid prefix 'foo' (expected ADDRESS or ADDRESS/LENGTH)" },
	{ "pass asn AS0\n",
	  "bad.rules:1:10: invalid AS number 'AS0' (expected 1 to 4294967295, AS prefix optional)" },
	{ "pass asn 1,4294967296\n",
	  "bad.rules:1:12: invalid AS number '4294967296' (expected 1 to 4294967295, AS prefix optional)" },
	{ "pass operator\n",
	  "bad.rules:1:14: expected an AS number or a quoted organization name after 'operator'" },
	{ "pass operator AS0\n",
	  "bad.rules:1:15: invalid AS number 'AS0' (expected AS1 to AS4294967295)" },
	{ "pass operator \"x\",AS4294967296\n",
	  "bad.rules:1:19: invalid AS number 'AS4294967296' (expected AS1 to AS4294967295)" },
	{ "pass operator ChinaUnicom\n",
	  "bad.rules:1:15: invalid operator 'ChinaUnicom' (expected an AS number such as AS4808, or an organization name in double quotes such as \"China Unicom\")" },
	{ "pass operator \"\"\n",
	  "bad.rules:1:15: empty operator name (expected part of an AS organization name)" },
	{ "pass operator AS4808,\n",
	  "bad.rules:1:22: expected an AS number or a quoted organization name after ','" },
	{ "pass operator AS1,!AS2\n",
	  "bad.rules:1:19: '!' must come first: it negates the whole list" },
	{ "pass geo likely\n",
	  "bad.rules:1:10: unknown geo verdict 'likely' (expected consistent, unlikely, impossible or unknown)" },
	{ "pass geo\n",
	  "bad.rules:1:9: expected consistent, unlikely, impossible or unknown after 'geo'" },
	{ "pass reachable XX\n",
	  "bad.rules:1:16: 'XX' is neither an assigned ISO 3166-1 alpha-2 code nor a jurisdiction defined above" },
	{ "pass reachable DE,unknown\n",
	  "bad.rules:1:19: 'unknown' has no place after 'reachable' (it lists countries that light could reach; geo unknown matches a remote end without a round trip)" },
	{ "pass host a.com,[abc\n",
	  "bad.rules:1:17: host pattern '[abc' has a '[' without ']'" },
	{ "pass to DE,!CN\n",
	  "bad.rules:1:12: '!' must come first: it negates the whole list" },
	{ "pass to DE !CN\n",
	  "bad.rules:1:12: '!' must come first: it negates the whole list" },
	{ "pass role !media\n",
	  "bad.rules:1:11: '!' is not allowed after 'role'" },
	{ "pass app zoom,\n",
	  "bad.rules:1:15: expected an app name or any after ','" },
	{ "pass to\n",
	  "bad.rules:1:8: expected a country code, jurisdiction or unknown after 'to'" },
	{ "pass to !\n",
	  "bad.rules:1:10: expected a country code, jurisdiction or unknown after '!'" },
	{ "pass app any,zoom\n",
	  "bad.rules:1:10: 'any' cannot be combined with other apps" },
	{ "pass role media,any\n",
	  "bad.rules:1:17: 'any' cannot be combined with other roles" },
	{ "pass app zo*om\n",
	  "bad.rules:1:10: invalid app name 'zo*om' (letters, digits, '-', '_', '.' and '+' only)" },
	{ "pass id a\npass id a\n",
	  "bad.rules:2:9: rule id 'a' already used at bad.rules:1" },
	{ "pass id bad:2\npass\n",
	  "bad.rules:2:1: rule id 'bad:2' already used at bad.rules:1" },
	{ "pass id\n",
	  "bad.rules:1:8: expected a rule id after 'id'" },
	{ "pass id b@d\n",
	  "bad.rules:1:9: invalid rule id 'b@d' (letters, digits, '-', '_', '.' and ':' only)" },
	{ "frobnicate\n",
	  "bad.rules:1:1: unknown statement 'frobnicate' (expected home-net, jurisdiction, include, pass or alert)" },
	{ "pass\n  to CN\n",
	  "bad.rules:2:3: 'to' cannot start a statement (a rule starts with pass or alert; does the line above miss a '\\'?)" },
	{ "= x\n",
	  "bad.rules:1:1: expected a statement, found '='" },
	{ "alert high to CN \"x\"\n",
	  "bad.rules:1:18: unexpected \"x\" (expected a matcher)" },
	{ "pass to \\\n",
	  "bad.rules:1:9: file ends in a line continuation" },
	{ "pass to \\\n  CN,\n",
	  "bad.rules:2:6: expected a country code, jurisdiction or unknown after ','" },
	{ "pass to \\\n\\\n   \\\n CN \\\n \"m\"\n",
	  "bad.rules:5:2: unexpected \"m\" (expected a matcher)" },
	{ "pass \001\n",
	  "bad.rules:1:6: unexpected control character 0x01" },
	{ "pass msg \"a\tb\001\"\n",
	  "bad.rules:1:14: control character 0x01 in string" },
	{ "include\n",
	  "bad.rules:1:8: expected a file name after 'include'" },
	{ "include \"\"\n",
	  "bad.rules:1:9: empty file name" },
	{ "include a.rules b\n",
	  "bad.rules:1:17: unexpected 'b' after the file name" },
	{ "include nothere.rules\n",
	  "bad.rules:1:9: cannot find 'nothere.rules' (looked in ./)" },
};

static void test_errors(void)
{
	struct cf_policy *p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("bad.rules", bad[i].text);
		p = cf_policy_load("bad.rules", NULL, 0, err, sizeof(err));
		CHECK(p == NULL);
		if (strcmp(err, bad[i].msg) != 0)
			fprintf(stderr, "  bad[%zu]\n", i);
		CHECK_STR(err, bad[i].msg);
		cf_policy_free(p);
	}
	/* a NUL byte, a line too long, a file that is not there */
	put_len("bad.rules", "pass\0 to\n", 9);
	CHECK(cf_policy_load("bad.rules", NULL, 0, err, sizeof(err)) == NULL);
	CHECK_STR(err, "bad.rules:1:5: NUL byte in line");
	{
		char *big = malloc(CF_RULES_MAX_LINE + 16);

		memset(big, ' ', CF_RULES_MAX_LINE + 10);
		memcpy(big, "pass\npass", 9);
		big[CF_RULES_MAX_LINE + 10] = '\0';
		put("bad.rules", big);
		free(big);
	}
	CHECK(cf_policy_load("bad.rules", NULL, 0, err, sizeof(err)) == NULL);
	CHECK_STR(err, "bad.rules:2:1: line longer than 65536 bytes");
	CHECK(cf_policy_load("nope.rules", NULL, 0, err, sizeof(err)) == NULL);
	CHECK_STR(err, "cannot open nope.rules: No such file or directory");
}

static void test_include(void)
{
	const char *inc[] = { "lib", "lib2" };
	struct cf_policy *p;

	mkdir_t("top");
	mkdir_t("top/sub");
	mkdir_t("lib");
	put("top/main.rules", "include sub/b.rules\npass id main to NORDIC\n");
	put("top/sub/b.rules", "include \"c.rules\"\n"
	    "jurisdiction NORDIC = SCAND FI IS\n");
	put("lib/c.rules", "jurisdiction SCAND = DK NO SE\nalert low id c\n");
	p = cf_policy_load("top/main.rules", inc, 2, err, sizeof(err));
	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
	} else {
		CHECK_INT(cf_policy_rule_count(p), 2);
		CHECK_STR(cf_policy_rule(p, 0)->file, "lib/c.rules");
		CHECK_STR(cf_policy_rule(p, 0)->ruleset, "c");
		CHECK_STR(cf_policy_rule(p, 1)->file, "top/main.rules");
		CHECK_INT(cf_policy_in_jurisdiction(p, "NORDIC", "NO"), 1);
		cf_policy_free(p);
	}
	/* next to the including file wins over the include directories */
	put("top/sub/c.rules", "alert high id near\n");
	p = cf_policy_load("top/main.rules", inc, 2, err, sizeof(err));
	CHECK(p == NULL);
	CHECK_STR(err, "top/sub/b.rules:2:23: unknown jurisdiction 'SCAND' (not defined above) [in file included from top/main.rules:1:9]");
	cf_policy_free(p);
	/* missing: every place looked at is named */
	put("top/main.rules", "\ninclude  gone.rules\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/main.rules:2:10: cannot find 'gone.rules' (looked in top/, lib/, lib2/)");
	/* an error inside an included file names that file, and the
	 * include that read it */
	put("top/main.rules", "include sub/d.rules\n");
	put("top/sub/d.rules", "pass\npass to EEA\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/sub/d.rules:2:9: unknown jurisdiction 'EEA' (not defined above) [in file included from top/main.rules:1:9]");
	/* twice, and a file including itself */
	put("top/main.rules", "include sub/c.rules\ninclude sub/../sub/c.rules\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/main.rules:2:9: 'sub/../sub/c.rules' already included (as top/sub/c.rules)");
	put("top/main.rules", "include sub\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/main.rules:1:9: cannot open top/sub: Is a directory");
	CHECK(cf_policy_load("top", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "cannot open top: Is a directory");
	put("top/main.rules", "pass\ninclude main.rules\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/main.rules:2:9: 'main.rules' already included (as top/main.rules)");
}

/* A chain d0 -> d1 -> ... -> d<n>; the last holds one rule. */
static void make_chain(int n)
{
	char name[32], text[64];
	int i;

	for (i = 0; i <= n; i++) {
		snprintf(name, sizeof(name), "d%d.rules", i);
		if (i < n)
			snprintf(text, sizeof(text), "include d%d.rules\n", i + 1);
		else
			snprintf(text, sizeof(text), "pass id deepest\n");
		put(name, text);
	}
}

static void test_include_depth(void)
{
	struct cf_policy *p;

	make_chain(CF_RULES_MAX_DEPTH);
	p = cf_policy_load("d0.rules", NULL, 0, err, sizeof(err));
	CHECK(p != NULL);
	if (p != NULL)
		CHECK_STR(cf_policy_rule(p, 0)->id, "deepest");
	cf_policy_free(p);
	make_chain(CF_RULES_MAX_DEPTH + 1);
	p = cf_policy_load("d0.rules", NULL, 0, err, sizeof(err));
	CHECK(p == NULL);
	CHECK_STR(err, "d16.rules:1:9: includes nested more than 16 levels deep [in file included from d15.rules:1:9, from d14.rules:1:9, from d13.rules:1:9, from d12.rules:1:9, from d11.rules:1:9, from d10.rules:1:9, from d9.rules:1:9, from d8.rules:1:9, from d7.rules:1:9, from d6.rules:1:9, from d5.rules:1:9, from d4.rules:1:9, from d3.rules:1:9, from d2.rules:1:9, from d1.rules:1:9, from d0.rules:1:9]");
}

static void test_shipped_from_elsewhere(void)
{
	/* user rules including the shipped set through an include dir */
	const char *inc[] = { rules_dir };
	struct cf_policy *p;
	const struct flow kx_ch = { 0, KX, "CH", 0, 0, 0 };

	put("site.rules", "include eu-gdpr.rules\n");
	put("site2.rules", "jurisdiction EEA-CH = EEA CH\n");
	p = cf_policy_load("site.rules", inc, 1, err, sizeof(err));
	CHECK(p != NULL);
	if (p != NULL)
		CHECK_STR(hit(p, &kx_ch), "eu-gdpr-call-outside-eea");
	cf_policy_free(p);
	/* the example of callfence.rules(5) */
	put("site.rules",
	    "include jurisdictions.rules\n"
	    "home-net 198.51.100.0/24 2001:db8:10::/48   # office\n"
	    "home-net 203.0.113.0/24                     # test lab\n"
	    "pass  id provider-ch role media,relay to CH host *.example-video.ch\n"
	    "pass  id in-eea      to EEA\n"
	    "pass  id lab-usa     from 203.0.113.0/24 to USA\n"
	    "alert critical id keys-prc role key-exchange to CN-SAR \\\n"
	    "      msg \"call keys exchanged with a server in China, Hong Kong or Macao\"\n"
	    "alert high id calls-out role key-exchange,media,relay to !EEA\n"
	    "alert low  id sig-out   role signaling to !EEA,unknown\n"
	    "pass\n");
	p = cf_policy_load("site.rules", inc, 1, err, sizeof(err));
	CHECK(p != NULL);
	if (p != NULL) {
		const struct flow ex[] = {
			{ 0, RE, "CH", 0, "198.51.100.4", "m1.example-video.ch" },
			{ 0, KX, "CH", 0, "198.51.100.4", "m1.example-video.ch" },
			{ 0, KX, "US", 0, "203.0.113.9", 0 },
			{ 0, KX, "US", 0, "198.51.100.4", 0 },
			{ 0, KX, "HK", 0, "198.51.100.4", 0 },
			{ 0, KX, NULL, 0, "198.51.100.4", 0 },
			{ 0, SI, NULL, 0, "198.51.100.4", 0 },
			{ 0, SI, "JP", 0, "198.51.100.4", 0 },
		};
		static const char *const want[] = {
			"provider-ch", "calls-out", "lab-usa", "calls-out",
			"keys-prc", "calls-out", "site:11", "sig-out",
		};
		size_t i;

		for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
			CHECK_STR(hit(p, &ex[i]), want[i]);
	}
	cf_policy_free(p);
	put("site.rules", "include jurisdictions.rules\n"
	    "jurisdiction EEA-CH = EEA CH\npass to EEA-CH\n"
	    "include eu-gdpr.rules\n");
	p = cf_policy_load("site.rules", inc, 1, err, sizeof(err));
	CHECK(p == NULL);
	CHECK(strstr(err, "eu-gdpr.rules:22:9: 'jurisdictions.rules' already included (as ") != NULL);
}

/* The caps of rules.h: one more than allowed is an error. */
static void test_limits(void)
{
	FILE *fp = fopen("big.rules", "w");
	struct cf_policy *p;
	int i;

	for (i = 0; i < CF_RULES_MAX_JURIS; i++)
		fprintf(fp, "jurisdiction j%d = DE\n", i);
	for (i = 0; i < CF_RULES_MAX_RULES; i++)
		fprintf(fp, "pass to j%d\n", i % CF_RULES_MAX_JURIS);
	fclose(fp);
	put("big.rules", NULL);
	p = cf_policy_load("big.rules", NULL, 0, err, sizeof(err));
	CHECK(p != NULL);
	if (p != NULL) {
		CHECK_INT(cf_policy_rule_count(p), CF_RULES_MAX_RULES);
		CHECK_STR(cf_policy_permitted(p)[CF_RULES_MAX_JURIS - 1],
			  "j1023");
		CHECK(cf_policy_permitted(p)[CF_RULES_MAX_JURIS] == NULL);
	}
	cf_policy_free(p);
	fp = fopen("big.rules", "a");
	fprintf(fp, "pass\n");
	fclose(fp);
	CHECK(cf_policy_load("big.rules", NULL, 0, err, sizeof(err)) == NULL);
	CHECK_STR(err, "big.rules:5121:1: too many rules (at most 4096)");
	fp = fopen("big.rules", "w");
	for (i = 0; i <= CF_RULES_MAX_JURIS; i++)
		fprintf(fp, "jurisdiction j%d = DE\n", i);
	fclose(fp);
	CHECK(cf_policy_load("big.rules", NULL, 0, err, sizeof(err)) == NULL);
	CHECK_STR(err, "big.rules:1025:14: too many jurisdictions (at most 1024)");
}

int main(void)
{
	if (fixture_setup() < 0)
		return 2;
	RUN(test_errors);
	RUN(test_include);
	RUN(test_include_depth);
	RUN(test_shipped_from_elsewhere);
	RUN(test_limits);
	fixture_cleanup();
	return harness_done();
}
