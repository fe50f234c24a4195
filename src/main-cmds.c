/*
 * main-cmds.c - the commands that need no capture: --check-rules validates
 * the policy and app catalog and prints the compiled policy; --lookup shows
 * what the geography databases and the policy say about one address.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "geo/geo.h"
#include "geo/plausible.h"
#include "main-opts.h"
#include "util/netaddr.h"
#include "policy/policy.h"

#define EXIT_CONFIG 2

static void print_warning(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "callfence: %s\n", line);
}

/* The linter's warnings on stderr; how many. */
static unsigned lint(const struct cf_opts *o, const struct cf_policy *p,
		     const struct cf_classifier *c)
{
	const char **apps = NULL;
	char from[1024];
	size_t napps = 0;
	unsigned n;

	if (o->catalog != NULL) {
		apps = cf_classify_app_names(c, &napps);
		if (apps == NULL)
			fprintf(stderr, "callfence: out of memory: app names "
				"not checked\n");
		snprintf(from, sizeof(from), "the app catalog %s", o->catalog);
	}
	n = cf_policy_lint(p, apps, napps, apps != NULL ? from : NULL,
			   print_warning, NULL);
	free(apps);
	return n;
}

int cf_cmd_check_rules(const struct cf_opts *o)
{
	struct cf_policy *p;
	struct cf_classifier *c;
	char err[1024];
	unsigned warnings;

	p = cf_policy_load(o->rules, o->incdirs, o->n_incdirs, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "callfence: %s\n", err);
		return EXIT_CONFIG;
	}
	c = cf_classifier_new(o->catalog, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "callfence: %s\n", err);
		cf_policy_free(p);
		return EXIT_CONFIG;
	}
	warnings = lint(o, p, c);
	cf_policy_print(p, stdout);
	if (warnings == 0)
		fprintf(stderr, "callfence: %s: OK, %zu rule(s)%s%s\n", o->rules,
			cf_policy_rule_count(p), o->catalog ? "; catalog " : "",
			o->catalog ? o->catalog : "");
	else
		fprintf(stderr, "callfence: %s: %u warning(s)%s, %zu rule(s)%s%s\n",
			o->rules, warnings, o->strict ? " (--strict: exit 2)" : "",
			cf_policy_rule_count(p), o->catalog ? "; catalog " : "",
			o->catalog ? o->catalog : "");
	cf_classifier_free(c);
	cf_policy_free(p);
	return warnings > 0 && o->strict ? EXIT_CONFIG : 0;
}

static void print_geo(const struct cf_geo_result *g)
{
	printf("country      %s\n", g->country[0] ? g->country : "unknown");
	printf("registered   %s\n", g->registered[0] ? g->registered : "unknown");
	if (g->asn)
		printf("asn          AS%u%s%s\n", g->asn, g->as_org[0] ? " " : "", g->as_org);
	else
		printf("asn          unknown\n");
}

/* One line per role: which rule decides a call flow to this address. */
static void print_policy(const struct cf_opts *o, const struct cf_policy *p,
			 const cf_addr *a, const struct cf_geo_result *g)
{
	struct cf_plaus_result pr;
	static const unsigned roles[] = { CF_ROLE_KEYX, CF_ROLE_MEDIA, CF_ROLE_SIGNALING,
					  CF_ROLE_RELAY, CF_ROLE_WEB };
	struct cf_judge_input in;
	cf_addr local;
	size_t i;

	cf_addr_parse("10.0.0.1", &local);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		const struct cf_rule_info *r;
		unsigned matched = 0;
		int idx;

		memset(&in, 0, sizeof(in));
		in.app = "unknown";
		in.roles = roles[i];
		in.is_call = 1;
		in.country = g->country[0] ? g->country : (g->registered[0] ? g->registered : NULL);
		in.asn = g->asn;
		in.as_org = g->as_org;
		in.local = &local;
		in.remote = a;
		in.host = "";
		/* --rtt: the speed-of-light check as the engine would see it */
		in.plaus = cf_main_plaus(o);
		in.rtt_us = o->lookup_rtt_us;
		cf_plaus_check(in.plaus, in.country, in.rtt_us, &pr);
		if (g->has_point)
			cf_plaus_point(in.plaus, g->lat, g->lon, g->radius_km, &pr);
		in.plausibility = pr.verdict;
		idx = cf_policy_eval(p, &in, &matched);
		r = idx >= 0 ? cf_policy_rule(p, idx) : NULL;
		printf("policy       %-13s %s", cf_role_name(roles[i]),
		       r == NULL ? "no rule matches" :
		       r->action == CF_ACT_PASS ? "pass" : "alert ");
		if (r != NULL && r->action == CF_ACT_ALERT)
			printf("%s", cf_severity_name(r->severity));
		if (r != NULL)
			printf(" (rule %s, %s:%d)", r->id, r->file, r->line);
		printf("\n");
	}
}

int cf_cmd_lookup(const struct cf_opts *o)
{
	struct cf_geo_result g;
	struct cf_policy *p;
	struct cf_geo *geo;
	char err[1024], buf[CF_ADDR_STRLEN];
	cf_addr a;
	int home;

	if (cf_addr_parse(o->lookup_ip, &a) < 0) {
		fprintf(stderr, "callfence: --lookup: '%s' is not an IP address\n", o->lookup_ip);
		return EXIT_CONFIG;
	}
	p = cf_policy_load(o->rules, o->incdirs, o->n_incdirs, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "callfence: %s\n", err);
		return EXIT_CONFIG;
	}
	geo = cf_geo_open((const char *const *)o->geo, o->n_geo, 0, err, sizeof(err));
	if (geo == NULL) {
		fprintf(stderr, "callfence: %s\n", err);
		cf_policy_free(p);
		return EXIT_CONFIG;
	}
	cf_geo_lookup(geo, &a, &g);
	home = cf_policy_is_home(p, &a);
	printf("address      %s\n", cf_addr_str(&a, buf, sizeof(buf)));
	printf("kind         %s\n", cf_special_name(cf_addr_special(&a)));
	printf("home         %s\n", home ? "yes (never judged as a remote end)" : "no");
	if (g.special == 0)
		print_geo(&g);
	if (!home && g.special == 0)
		cf_main_lookup_rtt(o, &g);
	if (!home)
		print_policy(o, p, &a, &g);
	if (o->verbose)
		cf_geo_describe(geo, stdout);
	cf_geo_close(geo);
	cf_policy_free(p);
	return 0;
}
