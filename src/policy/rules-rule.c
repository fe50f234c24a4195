/*
 * rules-rule.c - compile one rule statement of callfence.rules(5):
 *
 *   pass|alert SEVERITY  [id NAME] [app LIST] [role LIST] [to [!]SET]
 *                        [from [!]PREFIXES] [asn [!]NUMBERS]
 *                        [operator [!]ASNS-OR-"NAMES"] (rules-operator.c)
 *                        [geo [!]VERDICTS] [reachable [!]SET] (rules-geo.c)
 *                        [host GLOBS] [msg "TEXT"]
 *
 * Matchers come in any order, each at most once; a missing one matches
 * anything.  The compiled rule keeps a canonical text of every matcher for
 * cf_policy_print() and for the generated message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classify/classify.h"
#include "policy/rules.h"
#include "util/glob.h"

/* A rule while it is compiled. */
struct build {
	struct cf_crule r;
	const struct rl_tok *seen[RP_M_COUNT]; /* each matcher's keyword */
	const char *msg;                      /* given with msg */
};

char *rp_join(struct rp_ctx *c, const struct rl_tok **items, int n, int neg)
{
	size_t len = 2;
	char *s;
	int i;

	for (i = 0; i < n; i++)
		len += strlen(items[i]->text) + 1;
	s = cf_policy_alloc(c->p, len);
	if (s == NULL)
		return NULL;
	strcpy(s, neg ? "!" : "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, items[i]->text);
	}
	return s;
}

/* Copies of the item words, in the policy. */
static const char **words(struct rp_ctx *c, const struct rl_tok **items,
			  int n)
{
	const char **v = cf_policy_alloc(c->p, (size_t)n * sizeof(*v));
	int i;

	for (i = 0; v != NULL && i < n; i++)
		if ((v[i] = cf_policy_strdup(c->p, items[i]->text)) == NULL)
			return NULL;
	return v;
}

static int check_app(struct rp_ctx *c, const struct rl_tok *t)
{
	const char *s;

	for (s = t->text; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.+", *s)))
			return rp_error(c, t, "invalid app name '%s' (letters, "
					"digits, '-', '_', '.' and '+' only)",
					t->text);
	return 0;
}

/* Reject "any" combined with other items. */
static int lone_any(struct rp_ctx *c, const struct rl_tok **items, int n,
		    const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(items[i]->text, "any") == 0 && n > 1)
			return rp_error(c, items[i], "'any' cannot be combined "
					"with other %s", what);
	return n == 1 && strcmp(items[0]->text, "any") == 0;
}

static int m_app(struct rp_ctx *c, const struct rl_tok **items, int n,
		 struct build *b)
{
	int i, any = lone_any(c, items, n, "apps");

	if (any != 0)
		return any < 0 ? -1 : 0;
	for (i = 0; i < n; i++)
		if (check_app(c, items[i]) < 0)
			return -1;
	b->r.apps = words(c, items, n);
	b->r.app_text = rp_join(c, items, n, 0);
	b->r.napps = (size_t)n;
	return b->r.apps && b->r.app_text ? 0 : rp_error(c, items[0],
							 "out of memory");
}

/* The names of the bits of mask, in bit order, joined by ','. */
static char *role_text(struct rp_ctx *c, unsigned mask)
{
	char buf[128] = "";
	unsigned bit;

	for (bit = 1; bit & CF_ROLE_ALL; bit <<= 1) {
		if (!(mask & bit))
			continue;
		if (buf[0] != '\0')
			strcat(buf, ",");
		strcat(buf, cf_role_name(bit));
	}
	return cf_policy_strdup(c->p, buf);
}

/* The roles near w, as "; did you mean 'X'?", in buf. */
static const char *near_role(const char *w, char *buf, size_t len)
{
	struct rp_near nr;
	unsigned bit;

	rp_near_init(&nr, w);
	for (bit = 1; bit & CF_ROLE_ALL; bit <<= 1)
		rp_near_try(&nr, cf_role_name(bit));
	rp_near_try(&nr, "any");
	return rp_near_text(&nr, buf, len);
}

static int m_role(struct rp_ctx *c, const struct rl_tok **items, int n,
		  struct build *b)
{
	char near[200];
	int i, any = lone_any(c, items, n, "roles");

	if (any != 0)
		return any < 0 ? -1 : 0;
	for (i = 0; i < n; i++) {
		unsigned bit = cf_role_parse(items[i]->text);

		if (bit == 0)
			return rp_error(c, items[i], "unknown role '%s' "
					"(expected key-exchange, media, "
					"signaling, relay, web or any)%s",
					items[i]->text, near_role(items[i]->text,
					near, sizeof(near)));
		b->r.roles |= bit;
	}
	b->r.role_text = role_text(c, b->r.roles);
	return b->r.role_text ? 0 : rp_error(c, items[0], "out of memory");
}

static int m_to(struct rp_ctx *c, const struct rl_tok **items, int n,
		struct build *b, int neg)
{
	int i;

	for (i = 0; i < n; i++)
		if (rp_country_item(c, items[i], 1, &b->r.to,
				    &b->r.to_unknown) < 0)
			return -1;
	b->r.has_to = 1;
	b->r.to_neg = neg;
	b->r.info.to_text = rp_join(c, items, n, neg);
	return b->r.info.to_text ? 0 : rp_error(c, items[0], "out of memory");
}

static int m_from(struct rp_ctx *c, const struct rl_tok **items, int n,
		  struct build *b, int neg)
{
	struct cf_prefix *v = cf_policy_alloc(c->p, (size_t)n * sizeof(*v));
	char *text = cf_policy_alloc(c->p, (size_t)n * (CF_ADDR_STRLEN + 6));
	char buf[CF_ADDR_STRLEN + 6];
	int i;

	if (v == NULL || text == NULL)
		return rp_error(c, items[0], "out of memory");
	strcpy(text, neg ? "!" : "");
	for (i = 0; i < n; i++) {
		if (cf_prefix_parse(items[i]->text, &v[i]) < 0)
			return rp_error(c, items[i], "invalid prefix '%s' "
					"(expected ADDRESS or ADDRESS/LENGTH)",
					items[i]->text);
		if (i > 0)
			strcat(text, ",");
		strcat(text, cf_prefix_str(&v[i], buf, sizeof(buf)));
	}
	b->r.from = v;
	b->r.nfrom = (size_t)n;
	b->r.from_neg = neg;
	b->r.from_text = text;
	return 0;
}

/* "13335" or "AS13335": 1 to 4294967295.  0 if s is none of those. */
static uint32_t parse_asn(const char *s)
{
	unsigned long long v = 0;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

static int m_asn(struct rp_ctx *c, const struct rl_tok **items, int n,
		 struct build *b, int neg)
{
	uint32_t *v = cf_policy_alloc(c->p, (size_t)n * sizeof(*v));
	char *text = cf_policy_alloc(c->p, (size_t)n * 12 + 2);
	int i;

	if (v == NULL || text == NULL)
		return rp_error(c, items[0], "out of memory");
	strcpy(text, neg ? "!" : "");
	for (i = 0; i < n; i++) {
		v[i] = parse_asn(items[i]->text);
		if (v[i] == 0)
			return rp_error(c, items[i], "invalid AS number '%s' "
					"(expected 1 to 4294967295, AS prefix "
					"optional)", items[i]->text);
		sprintf(text + strlen(text), "%s%u", i > 0 ? "," : "", v[i]);
	}
	b->r.asns = v;
	b->r.nasns = (size_t)n;
	b->r.asn_neg = neg;
	b->r.asn_text = text;
	return 0;
}

static int m_host(struct rp_ctx *c, const struct rl_tok **items, int n,
		  struct build *b)
{
	const char *why;
	int i;

	for (i = 0; i < n; i++)
		if ((why = cf_glob_check(items[i]->text)) != NULL)
			return rp_error(c, items[i], "host pattern '%s' %s",
					items[i]->text, why);
	b->r.hosts = words(c, items, n);
	b->r.host_text = rp_join(c, items, n, 0);
	b->r.nhosts = (size_t)n;
	return b->r.hosts && b->r.host_text ? 0 : rp_error(c, items[0],
							   "out of memory");
}

/* Matchers with a list: what an item is, and may it be negated? */
static const struct {
	const char *what;
	int space_ok, bang_ok;
} lists[RP_M_COUNT] = {
	[RP_M_APP] = { "an app name or any", 0, 0 },
	[RP_M_ROLE] = { "a role or any", 0, 0 },
	[RP_M_TO] = { "a country code, jurisdiction or unknown", 1, 1 },
	[RP_M_FROM] = { "a prefix", 0, 1 },
	[RP_M_ASN] = { "an AS number", 0, 1 },
	[RP_M_HOST] = { "a host pattern", 0, 0 },
};

static int m_list(struct rp_ctx *c, int m, const struct rl_tok *kw,
		  struct build *b)
{
	const struct rl_tok **items;
	int n, neg, r;

	n = rp_list(c, kw, lists[m].what, lists[m].space_ok, lists[m].bang_ok,
		    &neg, &items);
	if (n < 0)
		return -1;
	switch (m) {
	case RP_M_APP:
		r = m_app(c, items, n, b);
		break;
	case RP_M_ROLE:
		r = m_role(c, items, n, b);
		break;
	case RP_M_TO:
		r = m_to(c, items, n, b, neg);
		break;
	case RP_M_FROM:
		r = m_from(c, items, n, b, neg);
		break;
	case RP_M_ASN:
		r = m_asn(c, items, n, b, neg);
		break;
	default:
		r = m_host(c, items, n, b);
		break;
	}
	free(items);
	return r;
}

static int valid_id(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.:", *s)))
			return 0;
	return 1;
}

/* id NAME, msg "TEXT": one token after the keyword. */
static int m_single(struct rp_ctx *c, int m, struct build *b)
{
	const struct rl_tok *t = &c->tok[c->pos];

	if (m == RP_M_ID && (t->type != RL_WORD || rp_is_matcher(t->text)))
		return rp_error(c, t, "expected a rule id after 'id'");
	if (m == RP_M_ID && !valid_id(t->text))
		return rp_error(c, t, "invalid rule id '%s' (letters, digits, "
				"'-', '_', '.' and ':' only)", t->text);
	if (m == RP_M_MSG && t->type != RL_STRING)
		return rp_error(c, t, "expected a double-quoted string after "
				"'msg'");
	if (m == RP_M_MSG && t->text[0] == '\0')
		return rp_error(c, t, "empty msg");
	if (m == RP_M_ID)
		b->r.info.id = t->text;
	else
		b->msg = t->text;
	c->pos++;
	return 0;
}

/* The matcher keywords near w, as "; did you mean 'X'?", in buf. */
static const char *near_matcher(const char *w, char *buf, size_t len)
{
	struct rp_near nr;
	int m;

	rp_near_init(&nr, w);
	for (m = 0; m < RP_M_COUNT; m++)
		rp_near_try(&nr, rp_matcher_names[m]);
	return rp_near_text(&nr, buf, len);
}

static int matcher(struct rp_ctx *c, struct build *b)
{
	const struct rl_tok *kw = &c->tok[c->pos];
	char d[80], near[200];
	int m = kw->type == RL_WORD ? rp_matcher(kw->text) : -1;

	if (m < 0 && kw->type == RL_WORD)
		return rp_error(c, kw, "unknown matcher '%s' (expected %s)%s",
				kw->text, rp_matcher_list(d, sizeof(d)),
				near_matcher(kw->text, near, sizeof(near)));
	if (m < 0)
		return rp_error(c, kw, "unexpected %s (expected a matcher)",
				rl_describe(kw, d, sizeof(d)));
	if (b->seen[m] != NULL)
		return rp_error(c, kw, "'%s' given twice in one rule (first at "
				"column %d)", kw->text, b->seen[m]->col);
	b->seen[m] = kw;
	c->pos++;
	if (m == RP_M_ID || m == RP_M_MSG)
		return m_single(c, m, b);
	if (m == RP_M_OPERATOR)
		return rp_operator(c, kw, &b->r);
	if (m == RP_M_GEO)
		return rp_geo(c, kw, &b->r);
	if (m == RP_M_REACHABLE)
		return rp_reachable(c, kw, &b->r);
	return m_list(c, m, kw, b);
}

/* The severities near w, as "; did you mean 'X'?", in buf. */
static const char *near_severity(const char *w, char *buf, size_t len)
{
	struct rp_near nr;
	int sev;

	rp_near_init(&nr, w);
	for (sev = CF_SEV_LOW; sev <= CF_SEV_CRITICAL; sev++)
		rp_near_try(&nr, cf_severity_name((enum cf_severity)sev));
	return rp_near_text(&nr, buf, len);
}

/* "pass" or "alert SEVERITY".  Leaves c->pos at the first matcher. */
static int action(struct rp_ctx *c, struct build *b)
{
	const struct rl_tok *t;
	char near[200];
	int sev;

	b->r.info.action = CF_ACT_PASS;
	b->r.info.severity = CF_SEV_NONE;
	c->pos = 1;
	if (strcmp(c->tok[0].text, "pass") == 0)
		return 0;
	b->r.info.action = CF_ACT_ALERT;
	t = &c->tok[c->pos++];
	if (t->type != RL_WORD)
		return rp_error(c, t, "missing severity after 'alert' "
				"(expected low, medium, high, critical)");
	sev = cf_severity_parse(t->text);
	if (sev < 0)
		return rp_error(c, t, "unknown severity '%s' (expected low, "
				"medium, high, critical)%s", t->text,
				near_severity(t->text, near, sizeof(near)));
	b->r.info.severity = (enum cf_severity)sev;
	return 0;
}

/* "key-exchange of zoom to !EEA": what the rule is about, in words. */
static char *describe(struct rp_ctx *c, const struct cf_crule *r)
{
	char *text = NULL, *s;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL)
		return NULL;
	fputs(r->role_text ? r->role_text : "call traffic", fp);
	if (r->app_text)
		fprintf(fp, " of %s", r->app_text);
	if (r->has_to)
		fprintf(fp, " to %s", r->info.to_text);
	if (r->from_text)
		fprintf(fp, " from %s", r->from_text);
	if (r->asn_text)
		fprintf(fp, " in AS %s", r->asn_text);
	if (r->op_text)
		fprintf(fp, " operated by %s", r->op_text);
	if (r->geo_text)
		fprintf(fp, " whose country light finds %s", r->geo_text);
	if (r->reach_text)
		fprintf(fp, " that could be in %s", r->reach_text);
	if (r->host_text)
		fprintf(fp, " with host %s", r->host_text);
	if (fclose(fp) != 0) {
		free(text);
		return NULL;
	}
	s = cf_policy_strdup(c->p, text);
	free(text);
	return s;
}

/* The id given, or RULESET:LINE; unique in the policy. */
static int rule_id(struct rp_ctx *c, struct build *b)
{
	const struct rl_tok *at = b->seen[RP_M_ID] ? b->seen[RP_M_ID] + 1 :
				  c->tok;
	const char *id = b->r.info.id;
	char gen[256];
	size_t i;

	if (id == NULL) {
		snprintf(gen, sizeof(gen), "%s:%d", c->ruleset, c->tok[0].line);
		id = gen;
	}
	for (i = 0; i < c->p->nrules; i++)
		if (strcmp(c->p->rules[i].info.id, id) == 0)
			return rp_error(c, at, "rule id '%s' already used at "
					"%s:%d", id, c->p->rules[i].info.file,
					c->p->rules[i].info.line);
	b->r.info.id = cf_policy_strdup(c->p, id);
	return b->r.info.id ? 0 : rp_error(c, at, "out of memory");
}

/* A pass rule's "to" items are what the policy permits. */
static int add_permitted(struct rp_ctx *c, const struct cf_crule *r)
{
	const char *s = r->info.to_text;
	char item[128];
	size_t n;

	if (r->info.action != CF_ACT_PASS || !r->has_to)
		return 0;
	if (r->to_neg)
		s++;
	while (*s != '\0') {
		n = strcspn(s, ",");
		snprintf(item, sizeof(item), "%s%.*s", r->to_neg ? "!" : "",
			 (int)n, s);
		if (cf_policy_add_permitted(c->p, item) < 0)
			return rp_error(c, c->tok, "out of memory");
		s += n + (s[n] == ',');
	}
	return 0;
}

static int finish_rule(struct rp_ctx *c, struct build *b)
{
	struct cf_rule_info *ri = &b->r.info;

	if (rule_id(c, b) < 0)
		return -1;
	ri->index = (int)c->p->nrules;
	ri->ruleset = c->ruleset;
	ri->file = c->path;
	ri->line = c->tok[0].line;
	if (ri->to_text == NULL)
		ri->to_text = "";
	ri->msg = b->msg ? cf_policy_strdup(c->p, b->msg) : describe(c, &b->r);
	if (ri->msg == NULL)
		return rp_error(c, c->tok, "out of memory");
	if (add_permitted(c, &b->r) < 0)
		return -1;
	if (cf_grow(&c->p->rules, &c->p->caprules, c->p->nrules + 1,
		    sizeof(b->r)) < 0)
		return rp_error(c, c->tok, "out of memory");
	c->p->rules[c->p->nrules++] = b->r;
	return 0;
}

int rp_rule(struct rp_ctx *c)
{
	struct build b;

	memset(&b, 0, sizeof(b));
	if (c->p->nrules >= CF_RULES_MAX_RULES)
		return rp_error(c, c->tok, "too many rules (at most %d)",
				CF_RULES_MAX_RULES);
	if (action(c, &b) < 0)
		return -1;
	while (c->tok[c->pos].type != RL_END)
		if (matcher(c, &b) < 0)
			return -1;
	if (finish_rule(c, &b) < 0)
		return -1;
	return rp_note_rule(c);
}
