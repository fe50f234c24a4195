/*
 * test-rules.c - the rules language (callfence.rules(5)) and the compiled
 * policy: the shipped rule sets, evaluation, every error message, includes,
 * home-net and the printed form.
 *
 * CF_RULES_DIR names the shipped rules (default "rules").  Bad inputs are
 * written to a temporary directory, which is the working directory while
 * the tests run so that messages name files as "bad.rules:LINE:COL".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"
#include "classify.h"
#include "policy.h"
#include "netaddr.h"
#include "rules.h"

static char rules_dir[PATH_MAX];
static char tmpdir[] = "/tmp/cf-test-rules-XXXXXX";
static char made[64][64];       /* files and dirs to remove, in order */
static int nmade;

/* Write text (len bytes, or strlen when len is -1) to name in tmpdir. */
static void put_len(const char *name, const char *text, long len)
{
	FILE *fp = fopen(name, "w");
	int i;

	if (fp == NULL) {
		fprintf(stderr, "cannot write %s: %s\n", name, strerror(errno));
		exit(2);
	}
	fwrite(text, 1, len < 0 ? strlen(text) : (size_t)len, fp);
	fclose(fp);
	for (i = 0; i < nmade; i++)
		if (strcmp(made[i], name) == 0)
			return;
	snprintf(made[nmade++], sizeof(made[0]), "%s", name);
}

static void put(const char *name, const char *text)
{
	put_len(name, text, -1);
}

static void mkdir_t(const char *name)
{
	mkdir(name, 0700);
	snprintf(made[nmade++], sizeof(made[0]), "%s", name);
}

static char err[512];

static struct cf_policy *load_text(const char *text)
{
	put("t.rules", text);
	return cf_policy_load("t.rules", NULL, 0, err, sizeof(err));
}

static struct cf_policy *load_shipped(const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", rules_dir, name);
	return cf_policy_load(path, NULL, 0, err, sizeof(err));
}

/* A flow: country NULL = unknown; local/remote as text, NULL for none. */
struct flow {
	const char *app;
	unsigned roles;
	const char *country;
	uint32_t asn;
	const char *local;
	const char *host;
};

static cf_addr local_a, remote_a;

static int eval(const struct cf_policy *p, const struct flow *f,
		unsigned *matched)
{
	struct cf_judge_input in;

	memset(&in, 0, sizeof(in));
	in.app = f->app ? f->app : "zoom";
	in.roles = f->roles;
	in.is_call = 1;
	in.country = f->country;
	in.asn = f->asn;
	cf_addr_parse(f->local ? f->local : "192.168.1.10", &local_a);
	cf_addr_parse("198.51.100.7", &remote_a);
	in.local = &local_a;
	in.remote = &remote_a;
	in.host = f->host;
	return cf_policy_eval(p, &in, matched);
}

/* The id of the rule f hits, "-" when none. */
static const char *hit(const struct cf_policy *p, const struct flow *f)
{
	int i = eval(p, f, NULL);

	return i < 0 ? "-" : cf_policy_rule(p, i)->id;
}

#define KX CF_ROLE_KEYX
#define ME CF_ROLE_MEDIA
#define SI CF_ROLE_SIGNALING
#define RE CF_ROLE_RELAY
#define WE CF_ROLE_WEB

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
		"eu-gdpr-pass", NULL
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
	CHECK_STR(hit(p, &we_us), "eu-gdpr-pass");
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
	    "pass to CH,eu-core\n");
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

/* Every error: the file's text and the whole message. */
static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "alert hgh to CN\n",
	  "bad.rules:1:7: unknown severity 'hgh' (expected low, medium, high, critical)" },
	{ "\n\nalert\n",
	  "bad.rules:3:6: missing severity after 'alert' (expected low, medium, high, critical)" },
	{ "pass to XX\n",
	  "bad.rules:1:9: 'XX' is neither an assigned ISO 3166-1 alpha-2 code nor a jurisdiction defined above" },
	{ "pass to DE, UK\n",
	  "bad.rules:1:13: 'UK' is neither an assigned ISO 3166-1 alpha-2 code nor a jurisdiction defined above (the United Kingdom is GB)" },
	{ "pass to de\n",
	  "bad.rules:1:9: unknown jurisdiction 'de' (country codes are upper case: DE)" },
	{ "pass to NOPE\n",
	  "bad.rules:1:9: unknown jurisdiction 'NOPE' (not defined above)" },
	{ "pass role media,vidoe\n",
	  "bad.rules:1:17: unknown role 'vidoe' (expected key-exchange, media, signaling, relay, web or any)" },
	{ "pass rol media\n",
	  "bad.rules:1:6: unknown matcher 'rol' (expected id, app, role, to, from, asn, host or msg)" },
	{ "pass app zoom teams\n",
	  "bad.rules:1:15: unknown matcher 'teams' (expected id, app, role, to, from, asn, host or msg)" },
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
	CHECK_STR(err, "top/sub/b.rules:2:23: unknown jurisdiction 'SCAND' (not defined above)");
	cf_policy_free(p);
	/* missing: every place looked at is named */
	put("top/main.rules", "\ninclude  gone.rules\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/main.rules:2:10: cannot find 'gone.rules' (looked in top/, lib/, lib2/)");
	/* an error inside an included file names that file */
	put("top/main.rules", "include sub/d.rules\n");
	put("top/sub/d.rules", "pass\npass to EEA\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/sub/d.rules:2:9: unknown jurisdiction 'EEA' (not defined above)");
	/* twice, and a file including itself */
	put("top/main.rules", "include sub/c.rules\ninclude sub/../sub/c.rules\n");
	CHECK(cf_policy_load("top/main.rules", inc, 2, err, sizeof(err)) == NULL);
	CHECK_STR(err, "top/main.rules:2:9: 'sub/../sub/c.rules' already included (as top/sub/c.rules)");
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
	CHECK_STR(err, "d16.rules:1:9: includes nested more than 16 levels deep");
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
	put("site.rules", "include jurisdictions.rules\n"
	    "jurisdiction EEA-CH = EEA CH\npass to EEA-CH\n"
	    "include eu-gdpr.rules\n");
	p = cf_policy_load("site.rules", inc, 1, err, sizeof(err));
	CHECK(p == NULL);
	CHECK(strstr(err, "eu-gdpr.rules:20:9: 'jurisdictions.rules' already included (as ") != NULL);
}

static void cleanup(void)
{
	int i;

	if (chdir("/") < 0)
		return;
	for (i = nmade - 1; i >= 0; i--) {
		char path[sizeof(tmpdir) + 80];

		snprintf(path, sizeof(path), "%s/%s", tmpdir, made[i]);
		if (remove(path) < 0)
			fprintf(stderr, "cannot remove %s: %s\n", path,
				strerror(errno));
	}
	rmdir(tmpdir);
}

int main(void)
{
	const char *dir = getenv("CF_RULES_DIR");

	if (realpath(dir ? dir : "rules", rules_dir) == NULL) {
		fprintf(stderr, "rules directory %s: %s\n", dir ? dir : "rules",
			strerror(errno));
		return 2;
	}
	if (mkdtemp(tmpdir) == NULL || chdir(tmpdir) < 0) {
		perror(tmpdir);
		return 2;
	}
	RUN(test_severity);
	RUN(test_country_codes);
	RUN(test_glob);
	RUN(test_shipped_all);
	RUN(test_shipped_eu_gdpr);
	RUN(test_shipped_default);
	RUN(test_shipped_others);
	RUN(test_eval_matchers);
	RUN(test_eval_first_match);
	RUN(test_rule_info);
	RUN(test_empty);
	RUN(test_home);
	RUN(test_print);
	RUN(test_errors);
	RUN(test_include);
	RUN(test_include_depth);
	RUN(test_shipped_from_elsewhere);
	cleanup();
	return harness_done();
}
