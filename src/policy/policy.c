/*
 * policy.c - the compiled jurisdiction policy: its memory, its evaluation
 * per flow, and its printed form.  The compiler is rules-*.c; the language
 * is callfence.rules(5).
 *
 * Evaluation walks the rules in order and stops at the first that matches;
 * each matcher is a bitmap test, a short list scan or a glob, and nothing
 * allocates, so it is safe to call for every flow whose class changes.
 */
#include "config.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "classify/classify.h"
#include "policy/rules.h"
#include "util/glob.h"

/* Strings and matcher arrays of a policy live in chunks freed together. */
struct cf_chunk {
	struct cf_chunk *next;
	size_t used, cap;
	alignas(16) unsigned char data[];
};

#define CHUNK_SIZE 8192

struct cf_policy *cf_policy_new(void)
{
	struct cf_policy *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->permitted = calloc(1, sizeof(*p->permitted));
	if (p->permitted == NULL) {
		free(p);
		return NULL;
	}
	p->cappermitted = 1;
	return p;
}

void *cf_policy_alloc(struct cf_policy *p, size_t n)
{
	struct cf_chunk *c = p->chunks;
	void *r;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = p->chunks;
		p->chunks = c;
	}
	r = c->data + c->used;
	c->used += n;
	memset(r, 0, n);
	return r;
}

char *cf_policy_strdup(struct cf_policy *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = cf_policy_alloc(p, n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

int cf_grow(void *arrp, size_t *cap, size_t n, size_t elsize)
{
	void **arr = arrp;
	size_t ncap;
	void *na;

	if (n <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < n)
		ncap *= 2;
	na = realloc(*arr, ncap * elsize);
	if (na == NULL)
		return -1;
	*arr = na;
	*cap = ncap;
	return 0;
}

int cf_policy_add_permitted(struct cf_policy *p, const char *name)
{
	size_t i;
	char *s;

	for (i = 0; i < p->npermitted; i++)
		if (strcmp(p->permitted[i], name) == 0)
			return 0;
	if (cf_grow(&p->permitted, &p->cappermitted, p->npermitted + 2,
		    sizeof(*p->permitted)) < 0)
		return -1;
	s = cf_policy_strdup(p, name);
	if (s == NULL)
		return -1;
	p->permitted[p->npermitted++] = s;
	p->permitted[p->npermitted] = NULL;
	return 0;
}

void cf_policy_free(struct cf_policy *p)
{
	struct cf_chunk *c, *next;

	if (p == NULL)
		return;
	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(p->rules);
	free(p->juris);
	free(p->home);
	free(p->permitted);
	free(p->files);
	free(p->incl);
	free(p);
}

/* Evaluation. */

static int match_app(const struct cf_crule *r, const char *app)
{
	size_t i;

	for (i = 0; i < r->napps; i++)
		if (strcasecmp(r->apps[i], app) == 0)
			return 1;
	return 0;
}

/* cidx: the country's bit, -1 when unknown. */
static int match_to(const struct cf_crule *r, int cidx)
{
	int in = cidx >= 0 ? cf_cset_has(&r->to, cidx) : r->to_unknown;

	return in != r->to_neg;
}

static int match_from(const struct cf_crule *r, const cf_addr *local)
{
	size_t i;
	int in = 0;

	for (i = 0; local != NULL && i < r->nfrom && !in; i++)
		in = cf_prefix_match(&r->from[i], local);
	return in != r->from_neg;
}

static int match_asn(const struct cf_crule *r, uint32_t asn)
{
	size_t i;
	int in = 0;

	for (i = 0; asn != 0 && i < r->nasns && !in; i++)
		in = r->asns[i] == asn;
	return in != r->asn_neg;
}

static int match_host(const struct cf_crule *r, const char *host)
{
	size_t i;

	if (host == NULL || host[0] == '\0')
		return 0;
	for (i = 0; i < r->nhosts; i++)
		if (cf_glob_match(r->hosts[i], host))
			return 1;
	return 0;
}

static int match_rule(const struct cf_crule *r,
		      const struct cf_judge_input *in, int cidx)
{
	if (r->roles != 0 && (in->roles & r->roles) == 0)
		return 0;
	if (r->napps > 0 && !match_app(r, in->app ? in->app : ""))
		return 0;
	if (r->has_to && !match_to(r, cidx))
		return 0;
	if (r->nfrom > 0 && !match_from(r, in->local))
		return 0;
	if (r->nasns > 0 && !match_asn(r, in->asn))
		return 0;
	if (r->nhosts > 0 && !match_host(r, in->host))
		return 0;
	if (r->has_op && !rp_operator_match(r, in->asn, in->as_org))
		return 0;
	if (r->has_geo && !rp_geo_match(r, in->plausibility))
		return 0;
	if (r->has_reach && !rp_reach_match(r, in->plaus, in->rtt_us))
		return 0;
	return 1;
}

int cf_policy_eval(const struct cf_policy *p, const struct cf_judge_input *in,
		   unsigned *matched_roles)
{
	int cidx;
	size_t i;

	if (matched_roles != NULL)
		*matched_roles = 0;
	if (p == NULL || !in->is_call)
		return -1;
	cidx = cf_cset_index(in->country);
	for (i = 0; i < p->nrules; i++) {
		const struct cf_crule *r = &p->rules[i];

		if (!match_rule(r, in, cidx))
			continue;
		if (matched_roles != NULL)
			*matched_roles = r->roles ? in->roles & r->roles
						  : in->roles;
		return (int)i;
	}
	return -1;
}

int cf_policy_is_home(const struct cf_policy *p, const cf_addr *a)
{
	size_t i;

	if (cf_addr_special(a) != CF_SPECIAL_NONE)
		return 1;
	for (i = 0; p != NULL && i < p->nhome; i++)
		if (cf_prefix_match(&p->home[i], a))
			return 1;
	return 0;
}

int cf_policy_has_home(const struct cf_policy *p)
{
	return p != NULL && p->nhome > 0;
}

size_t cf_policy_rule_count(const struct cf_policy *p)
{
	return p->nrules;
}

const struct cf_rule_info *cf_policy_rule(const struct cf_policy *p,
					  int index)
{
	if (index < 0 || (size_t)index >= p->nrules)
		return NULL;
	return &p->rules[index].info;
}

const char *const *cf_policy_permitted(const struct cf_policy *p)
{
	return p->permitted;
}

int cf_policy_in_jurisdiction(const struct cf_policy *p, const char *set,
			      const char *country)
{
	size_t i;
	int cidx = cf_cset_index(country);

	for (i = 0; i < p->njuris; i++)
		if (strcmp(p->juris[i].name, set) == 0)
			return cidx >= 0 && cf_cset_has(&p->juris[i].set, cidx);
	return -1;
}

static const char *const sev_names[] = {
	"none", "low", "medium", "high", "critical"
};

const char *cf_severity_name(enum cf_severity s)
{
	if ((unsigned)s > CF_SEV_CRITICAL)
		return "none";
	return sev_names[s];
}

int cf_severity_parse(const char *s)
{
	int i;

	for (i = CF_SEV_LOW; i <= CF_SEV_CRITICAL; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

int cf_severity_ecs(enum cf_severity s)
{
	static const int ecs[] = { 0, 21, 47, 73, 99 };

	if ((unsigned)s > CF_SEV_CRITICAL)
		return 0;
	return ecs[s];
}

/* Printing (callfence --check-rules). */

static void print_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void print_rule(const struct cf_crule *r, FILE *fp)
{
	const struct cf_rule_info *ri = &r->info;

	if (ri->action == CF_ACT_PASS)
		fprintf(fp, "pass");
	else
		fprintf(fp, "alert %s", cf_severity_name(ri->severity));
	fprintf(fp, " id %s", ri->id);
	if (r->app_text != NULL)
		fprintf(fp, " app %s", r->app_text);
	if (r->role_text != NULL)
		fprintf(fp, " role %s", r->role_text);
	if (r->has_to)
		fprintf(fp, " to %s", ri->to_text);
	if (r->from_text != NULL)
		fprintf(fp, " from %s", r->from_text);
	if (r->asn_text != NULL)
		fprintf(fp, " asn %s", r->asn_text);
	if (r->host_text != NULL)
		fprintf(fp, " host %s", r->host_text);
	if (r->op_text != NULL)
		fprintf(fp, " operator %s", r->op_text);
	if (r->geo_text != NULL)
		fprintf(fp, " geo %s", r->geo_text);
	if (r->reach_text != NULL)
		fprintf(fp, " reachable %s", r->reach_text);
	fprintf(fp, " msg ");
	print_quoted(fp, ri->msg);
	fprintf(fp, "  # %s:%d\n", ri->file, ri->line);
}

static void print_home(const struct cf_policy *p, FILE *fp)
{
	char buf[CF_ADDR_STRLEN + 8];
	size_t i;

	fprintf(fp, "# special-purpose addresses (RFC 1918, ULA, loopback, "
		"link-local, CGNAT, multicast, ...) are always home\n");
	if (p->nhome == 0) {
		fprintf(fp, "# no home-net declared\n");
		return;
	}
	fprintf(fp, "home-net");
	for (i = 0; i < p->nhome; i++)
		fprintf(fp, " %s", cf_prefix_str(&p->home[i], buf, sizeof(buf)));
	fputc('\n', fp);
}

void cf_policy_print(const struct cf_policy *p, FILE *fp)
{
	char codes[CF_CSET_BITS * 3 + 1];
	size_t i;

	fprintf(fp, "# callfence policy: %zu file%s, %zu jurisdiction%s, "
		"%zu rule%s\n", p->nfiles, p->nfiles == 1 ? "" : "s",
		p->njuris, p->njuris == 1 ? "" : "s",
		p->nrules, p->nrules == 1 ? "" : "s");
	for (i = 0; i < p->nfiles; i++)
		fprintf(fp, "# file %s\n", p->files[i]);
	print_home(p, fp);
	for (i = 0; i < p->njuris; i++) {
		const struct cf_juris *j = &p->juris[i];

		fprintf(fp, "jurisdiction %s = %s  # %s:%d\n", j->name,
			cf_cset_str(&j->set, " ", codes, sizeof(codes)),
			j->file, j->line);
	}
	for (i = 0; i < p->nrules; i++)
		print_rule(&p->rules[i], fp);
	if (p->nrules == 0)
		fprintf(fp, "# no rules: all traffic passes\n");
}
