/*
 * test-rules.c - the rules language (callfence.rules(5)) and the compiled
 * policy: the shipped rule sets, evaluation, rule information, home-net
 * and the printed form.  Errors and includes: test-rules-errors.c.
 */
#include "rules-fixture.h"
#include "geo/plausible.h"
#include <stdlib.h>
#include <unistd.h>

static void test_severity(void)
{
	CHECK_STR(cf_severity_name(CF_SEV_NONE), "none");
	CHECK_STR(cf_severity_name(CF_SEV_LOW), "low");
	CHECK_STR(cf_severity_name(CF_SEV_CRITICAL), "critical");
	CHECK_INT(cf_severity_parse("medium"), CF_SEV_MEDIUM);
	CHECK_INT(cf_severity_parse("high"), CF_SEV_HIGH);
	CHECK_INT(cf_severity_parse("High"), -1);
	CHECK_INT(cf_severity_parse("none"), -1);
	CHECK_INT(cf_severity_ecs(CF_SEV_NONE), 0);
	CHECK_INT(cf_severity_ecs(CF_SEV_LOW), 21);
	CHECK_INT(cf_severity_ecs(CF_SEV_MEDIUM), 47);
	CHECK_INT(cf_severity_ecs(CF_SEV_HIGH), 73);
	CHECK_INT(cf_severity_ecs(CF_SEV_CRITICAL), 99);
	CHECK_STR(cf_severity_name((enum cf_severity)9), "none");
	CHECK_INT(cf_severity_ecs((enum cf_severity)9), 0);
}

static void test_country_codes(void)
{
	CHECK(cf_iso3166_assigned("AD"));
	CHECK(cf_iso3166_assigned("ZW"));
	CHECK(cf_iso3166_assigned("GB"));
	CHECK(cf_iso3166_assigned("SS"));
	CHECK(!cf_iso3166_assigned("UK"));
	CHECK(!cf_iso3166_assigned("EU"));
	CHECK(!cf_iso3166_assigned("XK"));
	CHECK(!cf_iso3166_assigned("gb"));
	CHECK(!cf_iso3166_assigned("GBR"));
	CHECK(!cf_iso3166_assigned(""));
	CHECK_INT(cf_cset_index("AA"), 0);
	CHECK_INT(cf_cset_index("zz"), 26 * 26 - 1);
	CHECK_INT(cf_cset_index("A1"), -1);
	CHECK_INT(cf_cset_index("ABC"), -1);
	CHECK_INT(cf_cset_index(NULL), -1);
}

static void test_glob(void)
{
	CHECK(cf_glob_match("*.zoom.us", "zoomsjccv154mmr.sjc.zoom.us"));
	CHECK(cf_glob_match("*.ZOOM.us", "a.Zoom.US"));
	CHECK(!cf_glob_match("*.zoom.us", "zoom.us"));
	CHECK(!cf_glob_match("*.zoom.us", "zoom.us.evil.com"));
	CHECK(cf_glob_match("*zoom*", "xzoomx"));
	CHECK(cf_glob_match("a?c", "abc"));
	CHECK(!cf_glob_match("a?c", "ac"));
	CHECK(cf_glob_match("[a-c]x", "Bx"));
	CHECK(!cf_glob_match("[!a-c]x", "bx"));
	CHECK(cf_glob_match("[!a-c]x", "dx"));
	CHECK(cf_glob_match("[]]", "]"));
	CHECK(cf_glob_match("a\\*", "a*"));
	CHECK(!cf_glob_match("a\\*", "ab"));
	CHECK(cf_glob_match("*", ""));
	CHECK(!cf_glob_match("?", ""));
	CHECK(cf_glob_match("*a*b*c", "xxaxxbxxbc"));
	CHECK(!cf_glob_match("*a*b*c", "xxaxxbxxb"));
	CHECK(!cf_glob_match("a", "ab"));
	CHECK(!cf_glob_match("ab", "a"));
	CHECK(cf_glob_match("[\\]a]x", "]x"));
	CHECK(cf_glob_match("[\\]a]x", "Ax"));
	CHECK(!cf_glob_match("[\\]a]x", "\\x"));
	CHECK(cf_glob_check("[\\]]x") == NULL);
	CHECK(cf_glob_check("\\[x") == NULL);
	CHECK(cf_glob_check("[abc") != NULL);
	CHECK(cf_glob_check("a\\") != NULL);
	CHECK(cf_glob_check("[!]]x*") == NULL);
}

static void check_ids(const struct cf_policy *p, const char *const *ids)
{
	size_t i;

	for (i = 0; ids[i] != NULL; i++)
		CHECK_STR(cf_policy_rule(p, (int)i)->id, ids[i]);
	CHECK_INT(cf_policy_rule_count(p), i);
}

static void test_shipped_all(void)
{
	static const char *const names[] = {
		"jurisdictions.rules", "default.rules", "eu-gdpr.rules",
		"us-only.rules", "five-eyes.rules", "tw-gov.rules", NULL
	};
	struct cf_policy *p;
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		p = load_shipped(names[i]);
		CHECK(p != NULL);
		if (p == NULL) {
			fprintf(stderr, "  %s: %s\n", names[i], err);
			continue;
		}
		CHECK_STR(err, "");
		CHECK_INT(cf_policy_in_jurisdiction(p, "EEA", "NO"), 1);
		CHECK_INT(cf_policy_in_jurisdiction(p, "EU", "NO"), 0);
		CHECK_INT(cf_policy_in_jurisdiction(p, "EU", "RE"), 1);
		CHECK_INT(cf_policy_in_jurisdiction(p, "EU", "GB"), 0);
		CHECK_INT(cf_policy_in_jurisdiction(p, "FIVE-EYES", "NZ"), 1);
		CHECK_INT(cf_policy_in_jurisdiction(p, "CN-SAR", "HK"), 1);
		CHECK_INT(cf_policy_in_jurisdiction(p, "USA", "PR"), 1);
		CHECK_INT(cf_policy_in_jurisdiction(p, "NOPE", "DE"), -1);
		cf_policy_free(p);
	}
}

static void test_shipped_eu_gdpr(void)
{
	static const char *const ids[] = {
		"eu-gdpr-in-eea", "eu-gdpr-keys-restricted",
		"eu-gdpr-call-outside-eea", "eu-gdpr-signaling-outside-eea",
		"eu-gdpr-app-web-outside-eea", "eu-gdpr-pass", NULL
	};
	struct cf_policy *p = load_shipped("eu-gdpr.rules");
	const struct flow kx_de = { 0, KX, "DE", 0, 0, 0 };
	const struct flow kx_cn = { 0, KX, "CN", 0, 0, 0 };
	const struct flow kx_us = { 0, KX, "US", 0, 0, 0 };
	const struct flow kx_unk = { 0, KX, NULL, 0, 0, 0 };
	const struct flow me_mo = { 0, ME, "MO", 0, 0, 0 };
	const struct flow re_ch = { 0, RE, "CH", 0, 0, 0 };
	const struct flow si_us = { 0, SI, "US", 0, 0, 0 };
	const struct flow we_us = { 0, WE, "US", 0, 0, 0 };
	const char *const *perm;
	cf_addr a;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	check_ids(p, ids);
	CHECK_STR(hit(p, &kx_de), "eu-gdpr-in-eea");
	CHECK_STR(hit(p, &kx_cn), "eu-gdpr-keys-restricted");
	CHECK_STR(hit(p, &kx_us), "eu-gdpr-call-outside-eea");
	CHECK_STR(hit(p, &kx_unk), "eu-gdpr-call-outside-eea");
	CHECK_STR(hit(p, &me_mo), "eu-gdpr-call-outside-eea");
	CHECK_STR(hit(p, &re_ch), "eu-gdpr-call-outside-eea");
	CHECK_STR(hit(p, &si_us), "eu-gdpr-signaling-outside-eea");
	CHECK_STR(hit(p, &we_us), "eu-gdpr-app-web-outside-eea");
	CHECK_INT(cf_policy_rule(p, 1)->severity, CF_SEV_CRITICAL);
	CHECK_INT(cf_policy_rule(p, 2)->severity, CF_SEV_HIGH);
	CHECK_STR(cf_policy_rule(p, 2)->to_text, "!EEA");
	CHECK_STR(cf_policy_rule(p, 2)->msg, "call keys or media left the EEA");
	CHECK_STR(cf_policy_rule(p, 2)->ruleset, "eu-gdpr");
	CHECK_INT(cf_policy_rule(p, 0)->action, CF_ACT_PASS);
	perm = cf_policy_permitted(p);
	CHECK_STR(perm[0], "EEA");
	CHECK(perm[1] == NULL);
	CHECK(cf_policy_has_home(p));
	cf_addr_parse("fd00::1", &a);
	CHECK(cf_policy_is_home(p, &a));
	cf_policy_free(p);
}

static void test_shipped_default(void)
{
	static const char *const ids[] = {
		"default-keys-restricted", "default-media-restricted",
		"default-keys-unknown", "default-pass", NULL
	};
	struct cf_policy *p = load_shipped("default.rules");
	const struct flow kx_hk = { 0, KX | SI, "HK", 0, 0, 0 };
	const struct flow kx_ru = { 0, KX, "RU", 0, 0, 0 };
	const struct flow me_ir = { 0, ME, "IR", 0, 0, 0 };
	const struct flow si_kp = { 0, SI, "KP", 0, 0, 0 };
	const struct flow kx_unk = { 0, KX, "", 0, 0, 0 };
	const struct flow me_unk = { 0, ME, NULL, 0, 0, 0 };
	const struct flow kx_us = { 0, KX, "US", 0, 0, 0 };
	unsigned m = 99;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	check_ids(p, ids);
	CHECK_STR(hit(p, &kx_hk), "default-keys-restricted");
	CHECK_INT(eval(p, &kx_hk, &m), 0);
	CHECK_INT(m, KX);
	CHECK_STR(hit(p, &kx_ru), "default-keys-restricted");
	CHECK_STR(hit(p, &me_ir), "default-media-restricted");
	CHECK_STR(hit(p, &si_kp), "default-pass");
	CHECK_STR(hit(p, &kx_unk), "default-keys-unknown");
	CHECK_STR(hit(p, &me_unk), "default-pass");
	CHECK_STR(hit(p, &kx_us), "default-pass");
	CHECK_INT(cf_policy_rule(p, 2)->severity, CF_SEV_MEDIUM);
	CHECK(cf_policy_permitted(p)[0] == NULL);
	CHECK(!cf_policy_has_home(p));
	cf_policy_free(p);
}

static void test_shipped_others(void)
{
	struct cf_policy *p = load_shipped("tw-gov.rules");
	const struct flow kx_mo = { 0, KX, "MO", 0, 0, 0 };
	const struct flow we_cn = { 0, WE, "CN", 0, 0, 0 };
	const struct flow no_roles_hk = { 0, 0, "HK", 0, 0, 0 };
	const struct flow me_tw = { 0, ME, "TW", 0, 0, 0 };
	const struct flow me_ca = { 0, ME, "CA", 0, 0, 0 };
	const struct flow me_pr = { 0, ME, "PR", 0, 0, 0 };

	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_STR(hit(p, &kx_mo), "tw-gov-keys-prc");
	CHECK_STR(hit(p, &we_cn), "tw-gov-calls-prc");
	CHECK_STR(hit(p, &no_roles_hk), "tw-gov-calls-prc");
	CHECK_STR(hit(p, &me_tw), "tw-gov-pass");
	cf_policy_free(p);
	p = load_shipped("five-eyes.rules");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_STR(hit(p, &me_ca), "five-eyes-in-five-eyes");
	CHECK_STR(hit(p, &me_tw), "five-eyes-call-outside");
	CHECK_STR(cf_policy_permitted(p)[0], "FIVE-EYES");
	cf_policy_free(p);
	p = load_shipped("us-only.rules");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_STR(hit(p, &me_pr), "us-only-in-usa");
	CHECK_STR(hit(p, &me_ca), "us-only-call-outside-usa");
	CHECK_STR(cf_policy_permitted(p)[0], "USA");
	cf_policy_free(p);
}

static const char eval_rules[] =
	"jurisdiction EU2 = DE FR\n"
	"jurisdiction WIDE = EU2, CH\n"
	"alert critical id keys-cn role key-exchange to CN,HK\n"
	"alert high id media-out role media,relay to !WIDE\n"
	"alert medium id zoom-unknown app zoom,Teams to unknown\n"
	"alert low id site from 10.1.0.0/16,2001:db8::/32 asn 64500,AS64501\n"
	"alert low id off-site from !10.0.0.0/8 role signaling\n"
	"alert low id globs host *.zoom.us,meet?.example.[ce]om\n"
	"alert low id asn-neg asn !13335 role web\n"
	"alert low id unknown-or-not to !DE,unknown app webrtc\n"
	"pass id rest\n";

static void test_eval_matchers(void)
{
	struct cf_policy *p = load_text(eval_rules);
	const struct flow cases[] = {
		{ "zoom", KX, "CN", 0, 0, 0 },          /* keys-cn */
		{ "zoom", KX | ME, "hk", 0, 0, 0 },     /* keys-cn, lower case */
		{ "zoom", ME, "US", 0, 0, 0 },          /* media-out */
		{ "zoom", RE, NULL, 0, 0, 0 },          /* media-out: unknown */
		{ "zoom", ME, "CH", 0, 0, 0 },          /* nested set: rest */
		{ "zoom", ME, "FR", 0, 0, 0 },
		{ "TEAMS", SI, NULL, 0, 0, 0 },         /* zoom-unknown */
		{ "webex", SI, NULL, 0, "10.9.9.9", 0 },
		{ "zoom", SI, "X", 0, 0, 0 },           /* malformed = unknown */
		{ "webex", SI, "DE", 64501, "10.1.2.3", 0 },   /* site */
		{ "webex", SI, "DE", 64500, "2001:db8::5", 0 },
		{ "webex", SI, "DE", 64502, "10.1.2.3", 0 },   /* asn differs */
		{ "webex", SI, "DE", 0, "172.16.0.1", 0 },     /* off-site */
		{ "webex", KX, "DE", 0, "10.9.9.9", "a.b.zoom.us" },  /* globs */
		{ "webex", KX, "DE", 0, "10.9.9.9", "MEET1.example.com" },
		{ "webex", KX, "DE", 0, "10.9.9.9", "meet12.example.com" },
		{ "webex", WE, "DE", 13335, "10.9.9.9", "" },  /* asn !13335 no */
		{ "webex", WE, "DE", 0, "10.9.9.9", NULL },    /* unknown asn */
		{ "webrtc", KX, "DE", 0, "10.9.9.9", 0 },     /* !DE,unknown */
		{ "webrtc", KX, NULL, 0, "10.9.9.9", 0 },
		{ "webrtc", KX, "FR", 0, "10.9.9.9", 0 },
	};
	static const char *const want[] = {
		"keys-cn", "keys-cn", "media-out", "media-out", "rest", "rest",
		"zoom-unknown", "rest", "zoom-unknown", "site", "site", "rest",
		"off-site", "globs", "globs", "rest", "rest", "asn-neg",
		"rest", "rest", "unknown-or-not",
	};
	struct cf_judge_input in;
	size_t i;

	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	/* only call traffic is judged, whatever the rules say */
	memset(&in, 0, sizeof(in));
	in.app = "zoom";
	in.roles = KX;
	in.country = "CN";
	CHECK_INT(cf_policy_eval(p, &in, NULL), -1);
	in.is_call = 1;
	CHECK_STR(cf_policy_rule(p, cf_policy_eval(p, &in, NULL))->id,
		  "keys-cn");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = hit(p, &cases[i]);

		if (strcmp(got, want[i]) != 0)
			fprintf(stderr, "  case %zu\n", i);
		CHECK_STR(got, want[i]);
	}
	cf_policy_free(p);
}

/* operator: AS numbers and organization texts (case-insensitive
 * substrings), negated, unknown operators. */
static void test_eval_operator(void)
{
	struct cf_policy *p = load_text(
		"pass id zoom role key-exchange operator AS30103,\"zoom video\"\n"
		"alert high id keys-other role key-exchange operator !AS30103,\"Zoom Video\"\n"
		"alert low id unicom operator \"CHINA UNICOM\",4808\n"
		"pass id rest\n");
	static const struct {
		unsigned roles;
		uint32_t asn;
		const char *org;
		const char *want;
	} cases[] = {
		{ KX, 30103, NULL, "zoom" },                      /* by number */
		{ KX, 64500, "Zoom Video Communications, Inc", "zoom" },  /* by name */
		{ KX, 64500, "ZOOM VIDEO", "zoom" },              /* case ignored */
		{ KX, 64500, "Zoom Vide", "keys-other" },         /* substring only */
		{ KX, 0, NULL, "keys-other" },                    /* unknown: negation */
		{ KX, 0, "", "keys-other" },
		{ ME, 4837, "CHINA UNICOM China169 Backbone", "unicom" },
		{ ME, 4808, NULL, "unicom" },
		{ ME, 4837, "China Telecom", "rest" },
		{ ME, 0, NULL, "rest" },                          /* unknown: no item */
	};
	struct cf_judge_input in;
	size_t i;
	int r;

	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	cf_addr_parse("192.168.1.10", &local_a);
	cf_addr_parse("198.51.100.7", &remote_a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.app = "zoom";
		in.roles = cases[i].roles;
		in.is_call = 1;
		in.asn = cases[i].asn;
		in.as_org = cases[i].org;
		in.local = &local_a;
		in.remote = &remote_a;
		r = cf_policy_eval(p, &in, NULL);
		if (r < 0 || strcmp(cf_policy_rule(p, r)->id, cases[i].want) != 0)
			fprintf(stderr, "  case %zu\n", i);
		CHECK(r >= 0);
		if (r >= 0)
			CHECK_STR(cf_policy_rule(p, r)->id, cases[i].want);
	}
	/* the generated description names the operators as written */
	CHECK_STR(cf_policy_rule(p, 2)->msg,
		  "call traffic operated by \"CHINA UNICOM\",AS4808");
	cf_policy_free(p);
}

/*
 * geo and reachable: the verdict of the speed-of-light check, and the
 * countries light reaches from the observer in the remote end's RTT.
 * (The shapes are made up; real codes, since rules want assigned ones.)
 * The observer sits in a hand-made country LU (a square lon 0..10, lat
 * 0..10); BE is 10 degrees east of it (lon 20..30): 1111.95 km away
 * (R * radians(10), R = 6371.0088 km), reached at an RTT of 2 * 1111.95 /
 * 299.792458 = 7.418 ms (less the 25 km slack: 7.25 ms); NL is 40 degrees
 * east (lon 50..60), 4447.80 km, 29.67 ms.
 */
static void test_eval_geo(void)
{
	struct cf_policy *p = load_text(
		"jurisdiction far = NL\n"
		"alert critical id impossible role key-exchange geo impossible\n"
		"alert medium id beyond-fibre role key-exchange geo unlikely\n"
		"alert high id could-be-far reachable far\n"
		"alert low id nowhere-near reachable !LU,BE\n"
		"pass id unsure geo unknown,consistent,unlikely\n"
		"pass id rest\n");
	static const struct {
		unsigned roles;
		unsigned verdict;
		int64_t rtt_us;
		const char *want;
	} cases[] = {
		{ KX, 2, 1000, "impossible" },
		{ KX, 3, 8000, "beyond-fibre" },    /* CF_PLAUS_UNLIKELY */
		{ ME, 3, 8000, "unsure" },          /* not key-exchange */
		{ ME, 2, 1000, "rest" },            /* reaches LU only: not !LU,BE */
		{ ME, 1, 8000, "unsure" },          /* LU and BE */
		{ ME, 1, 30000, "could-be-far" },   /* NL too */
		{ ME, 1, 7000, "unsure" },          /* BE just out of reach */
		{ ME, 0, -1, "unsure" },            /* no RTT: reachable says nothing */
	};
	char path[] = "/tmp/cf-rules-geo.XXXXXX";
	struct cf_observer obs;
	struct cf_plaus *pl;
	struct cf_judge_input in;
	char perr[256];
	size_t i;
	int r, fd;
	FILE *fp;

	CHECK(p != NULL);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (p == NULL || fd < 0)
		return;
	fp = fdopen(fd, "w");
	fputs("C LU 001 A\nP\nR 0,0 10,0 10,10 0,10 0,0\n"
	      "C BE 002 B\nP\nR 20,0 30,0 30,10 20,10 20,0\n"
	      "C NL 003 C\nP\nR 50,0 60,0 60,10 50,10 50,0\n", fp);
	fclose(fp);
	CHECK(cf_observer_parse("LU", &obs, perr, sizeof(perr)) == 0);
	pl = cf_plaus_new(&obs, path, perr, sizeof(perr));
	unlink(path);
	CHECK(pl != NULL);
	if (pl == NULL) {
		fprintf(stderr, "  %s\n", perr);
		cf_policy_free(p);
		return;
	}
	cf_addr_parse("192.168.1.10", &local_a);
	cf_addr_parse("198.51.100.7", &remote_a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.app = "zoom";
		in.roles = cases[i].roles;
		in.is_call = 1;
		in.local = &local_a;
		in.remote = &remote_a;
		in.plausibility = cases[i].verdict;
		in.plaus = pl;
		in.rtt_us = cases[i].rtt_us;
		r = cf_policy_eval(p, &in, NULL);
		if (r < 0 || strcmp(cf_policy_rule(p, r)->id, cases[i].want) != 0)
			fprintf(stderr, "  case %zu\n", i);
		CHECK(r >= 0);
		if (r >= 0)
			CHECK_STR(cf_policy_rule(p, r)->id, cases[i].want);
	}
	/* without an observer: reachable never matches, even negated */
	in.plaus = NULL;
	in.rtt_us = 1000;
	in.plausibility = 0;
	r = cf_policy_eval(p, &in, NULL);
	CHECK(r >= 0 && strcmp(cf_policy_rule(p, r)->id, "unsure") == 0);
	CHECK_STR(cf_policy_rule(p, 2)->msg,
		  "call traffic that could be in far");
	CHECK_STR(cf_policy_rule(p, 0)->msg,
		  "key-exchange whose country light finds impossible");
	cf_plaus_free(pl);
	cf_policy_free(p);
}

static void test_eval_first_match(void)
{
	struct cf_policy *p = load_text(
		"alert low id a role media\n"
		"alert critical id b role media to CN\n"
		"alert high role key-exchange,media,web\n");
	const struct flow cn = { 0, ME, "CN", 0, 0, 0 };
	const struct flow kw = { 0, KX | WE | SI, "CN", 0, 0, 0 };
	const struct flow none = { 0, SI, "CN", 0, 0, 0 };
	unsigned m = 0;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_STR(hit(p, &cn), "a");
	CHECK_INT(eval(p, &kw, &m), 2);
	CHECK_INT(m, KX | WE);
	CHECK_STR(cf_policy_rule(p, 2)->id, "t:3");
	CHECK_INT(eval(p, &none, &m), -1);
	CHECK_INT(m, 0);
	CHECK(cf_policy_rule(p, 3) == NULL);
	CHECK(cf_policy_rule(p, -1) == NULL);
	cf_policy_free(p);
	/* no role matcher: matched roles are the flow's own */
	p = load_text("alert low to CN\n");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(eval(p, &kw, &m), 0);
	CHECK_INT(m, KX | WE | SI);
	cf_policy_free(p);
}

static void test_rule_info(void)
{
	struct cf_policy *p;
	const struct cf_rule_info *ri;

	put("my-site.v2.rules",
	    "# comment line\n"
	    "\n"
	    "jurisdiction eu-core = DE FR   # trailing comment\n"
	    "alert high role key-exchange \\\n"
	    "   app zoom to !eu-core,unknown   \\  # a comment after '\\'\n"
	    "   from 10.0.0.0/8 asn 1,AS2 host *.x.com\n"
	    "pass to eu-core CH\n"
	    "pass to !CN msg \"say \\\"hi\\\" \\\\ # not a comment\"\n"
	    "pass to CH,eu-core\n"
	    "alert low app any role any host a\\*b\\,c,x\n");
	p = cf_policy_load("my-site.v2.rules", NULL, 0, err, sizeof(err));
	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	ri = cf_policy_rule(p, 0);
	CHECK_STR(ri->id, "my-site.v2:4");
	CHECK_STR(ri->ruleset, "my-site.v2");
	CHECK_STR(ri->file, "my-site.v2.rules");
	CHECK_INT(ri->line, 4);
	CHECK_INT(ri->index, 0);
	CHECK_STR(ri->to_text, "!eu-core,unknown");
	CHECK_STR(ri->msg, "key-exchange of zoom to !eu-core,unknown from "
		  "10.0.0.0/8 in AS 1,2 with host *.x.com");
	ri = cf_policy_rule(p, 1);
	CHECK_STR(ri->msg, "call traffic to eu-core,CH");
	CHECK_STR(ri->id, "my-site.v2:7");
	CHECK_INT(ri->severity, CF_SEV_NONE);
	ri = cf_policy_rule(p, 2);
	CHECK_STR(ri->msg, "say \"hi\" \\ # not a comment");
	CHECK_STR(cf_policy_permitted(p)[0], "eu-core");
	CHECK_STR(cf_policy_permitted(p)[1], "CH");
	CHECK_STR(cf_policy_permitted(p)[2], "!CN");
	CHECK(cf_policy_permitted(p)[3] == NULL);
	ri = cf_policy_rule(p, 4);
	CHECK_STR(ri->msg, "call traffic with host a\\*b\\,c,x");
	{
		const struct flow star = { 0, KX, "CN", 0, 0, "a*b,c" };
		const struct flow notstar = { 0, KX, "CN", 0, 0, "axb,c" };
		const struct flow c = { 0, KX, "CN", 0, 0, "c" };

		CHECK_STR(hit(p, &star), "my-site.v2:10");
		CHECK_STR(hit(p, &notstar), "-");
		const struct flow x = { 0, KX, "CN", 0, 0, "X" };

		CHECK_STR(hit(p, &c), "-");
		CHECK_STR(hit(p, &x), "my-site.v2:10");
	}
	CHECK_INT(cf_policy_in_jurisdiction(p, "eu-core", "fr"), 1);
	CHECK_INT(cf_policy_in_jurisdiction(p, "eu-core", "CH"), 0);
	CHECK_INT(cf_policy_in_jurisdiction(p, "eu-core", "unknown"), 0);
	cf_policy_free(p);
}

static void test_empty(void)
{
	struct cf_policy *p = load_text("# nothing but a comment\n\n   \n");
	const struct flow f = { 0, KX, "CN", 0, 0, 0 };

	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(cf_policy_rule_count(p), 0);
	CHECK_INT(eval(p, &f, NULL), -1);
	CHECK(cf_policy_permitted(p)[0] == NULL);
	cf_policy_free(p);
	p = load_text("");
	CHECK(p != NULL);
	cf_policy_free(p);
	/* no final newline, CRLF line ends */
	p = load_text("pass to DE\r\npass to FR");
	CHECK(p != NULL);
	if (p != NULL)
		CHECK_INT(cf_policy_rule_count(p), 2);
	cf_policy_free(p);
}

static void test_home(void)
{
	struct cf_policy *p = load_text("pass\n");
	static const char *const special[] = {
		"10.1.2.3", "172.31.255.255", "192.168.0.1", "127.0.0.1",
		"169.254.1.1", "100.64.0.1", "224.0.0.251",
		"255.255.255.255", "fd12::1", "fe80::1", "::1", "ff02::fb",
		NULL
	};
	cf_addr a;
	size_t i;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK(!cf_policy_has_home(p));
	for (i = 0; special[i] != NULL; i++) {
		CHECK_INT(cf_addr_parse(special[i], &a), 0);
		CHECK(cf_policy_is_home(p, &a));
	}
	cf_addr_parse("203.0.113.9", &a);
	CHECK(!cf_policy_is_home(p, &a));
	cf_addr_parse("2001:db8:1::1", &a);
	CHECK(!cf_policy_is_home(p, &a));
	cf_policy_free(p);
	p = load_text("home-net 203.0.113.0/24\nhome-net 2001:db8::/48, "
		      "198.51.100.7\n");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK(cf_policy_has_home(p));
	cf_addr_parse("203.0.113.9", &a);
	CHECK(cf_policy_is_home(p, &a));
	cf_addr_parse("2001:db8:0:ffff::1", &a);
	CHECK(cf_policy_is_home(p, &a));
	cf_addr_parse("2001:db8:1::1", &a);
	CHECK(!cf_policy_is_home(p, &a));
	cf_addr_parse("198.51.100.7", &a);
	CHECK(cf_policy_is_home(p, &a));
	cf_addr_parse("198.51.100.8", &a);
	CHECK(!cf_policy_is_home(p, &a));
	cf_addr_parse("10.0.0.1", &a);
	CHECK(cf_policy_is_home(p, &a));
	cf_policy_free(p);
}

static void test_print(void)
{
	static const char want[] =
		"# callfence policy: 1 file, 1 jurisdiction, 2 rules\n"
		"# file t.rules\n"
		"# special-purpose addresses (RFC 1918, ULA, loopback, "
		"link-local, CGNAT, multicast, ...) are always home\n"
		"home-net 192.0.2.0/24 2001:db8::/32\n"
		"jurisdiction X1 = CH DE LI  # t.rules:2\n"
		"alert high id k app zoom,teams role key-exchange,media "
		"to !X1,unknown from 10.0.0.0/8 asn 7 host *.q msg "
		"\"a \\\"b\\\"\"  # t.rules:3\n"
		"pass id t:4 msg \"call traffic\"  # t.rules:4\n";
	struct cf_policy *p = load_text(
		"home-net 192.0.2.1/24 2001:db8::/32\n"
		"jurisdiction X1 = LI DE CH DE\n"
		"alert high msg \"a \\\"b\\\"\" host *.q asn AS7 from 10.0.0.0/8 "
		"to !X1 unknown role media,key-exchange app zoom,teams id k\n"
		"pass\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	fp = open_memstream(&buf, &len);
	cf_policy_print(p, fp);
	fclose(fp);
	CHECK_STR(buf, want);
	free(buf);
	cf_policy_free(p);
	p = load_text("");
	fp = open_memstream(&buf, &len);
	cf_policy_print(p, fp);
	fclose(fp);
	CHECK(strstr(buf, "# no home-net declared\n") != NULL);
	CHECK(strstr(buf, "# no rules: all traffic passes\n") != NULL);
	free(buf);
	cf_policy_free(p);
}

int main(void)
{
	if (fixture_setup() < 0)
		return 2;
	RUN(test_severity);
	RUN(test_country_codes);
	RUN(test_glob);
	RUN(test_shipped_all);
	RUN(test_shipped_eu_gdpr);
	RUN(test_shipped_default);
	RUN(test_shipped_others);
	RUN(test_eval_matchers);
	RUN(test_eval_operator);
	RUN(test_eval_geo);
	RUN(test_eval_first_match);
	RUN(test_rule_info);
	RUN(test_empty);
	RUN(test_home);
	RUN(test_print);
	fixture_cleanup();
	return harness_done();
}
