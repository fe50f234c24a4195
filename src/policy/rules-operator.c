/*
 * rules-operator.c - the operator matcher of callfence.rules(5): who
 * operates the remote end, by autonomous system number or by the
 * organization name the ASN database gives.
 *
 *   operator [!]ITEM[,ITEM...]
 *   ITEM: AS4808 (or 4808)        the remote end's ASN is this one
 *         "China Unicom"          the AS organization contains this text,
 *                                 ASCII letters compared ignoring case
 *
 * A rule's operator matches when any item does (with '!': when none
 * does).  A remote end of unknown operator (no ASN and no organization)
 * matches no item.  Matching allocates nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rules.h"

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Does hay contain needle (lower case already), ASCII case ignored? */
static int contains_nocase(const char *hay, const char *needle)
{
	size_t i;

	for (; *hay != '\0'; hay++) {
		for (i = 0; needle[i] != '\0' && lower(hay[i]) == needle[i]; i++)
			;
		if (needle[i] == '\0')
			return 1;
	}
	return 0;
}

int rp_operator_match(const struct cf_crule *r, uint32_t asn, const char *org)
{
	size_t i;
	int in = 0;

	for (i = 0; asn != 0 && i < r->nop_asns && !in; i++)
		in = r->op_asns[i] == asn;
	for (i = 0; org != NULL && org[0] != '\0' && i < r->nop_names && !in; i++)
		in = contains_nocase(org, r->op_names[i]);
	return in != r->op_neg;
}

/* "AS4808" or "4808": 1 to 4294967295; 0 if w is no AS number. */
static uint32_t as_number(const char *w)
{
	unsigned long long v = 0;

	if ((w[0] == 'A' || w[0] == 'a') && (w[1] == 'S' || w[1] == 's'))
		w += 2;
	if (*w == '\0')
		return 0;
	for (; *w != '\0'; w++) {
		if (*w < '0' || *w > '9')
			return 0;
		v = v * 10 + (unsigned)(*w - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

/* Does the word look like an attempt at an AS number ("AS12x", "0")? */
static int asn_like(const char *w)
{
	if ((w[0] == 'A' || w[0] == 'a') && (w[1] == 'S' || w[1] == 's'))
		w += 2;
	return *w >= '0' && *w <= '9';
}

/* One item at token t into r (arrays sized for every item). */
static int item(struct rp_ctx *c, const struct rl_tok *t, struct cf_crule *r)
{
	char *s;
	size_t i;

	if (t->type == RL_STRING) {
		if (t->text[0] == '\0')
			return rp_error(c, t, "empty operator name (expected "
					"part of an AS organization name)");
		s = cf_policy_strdup(c->p, t->text);
		if (s == NULL)
			return rp_error(c, t, "out of memory");
		for (i = 0; s[i] != '\0'; i++)
			s[i] = lower(s[i]);
		((const char **)r->op_names)[r->nop_names++] = s;
		return 0;
	}
	((uint32_t *)r->op_asns)[r->nop_asns] = as_number(t->text);
	if (r->op_asns[r->nop_asns] != 0) {
		r->nop_asns++;
		return 0;
	}
	if (asn_like(t->text))
		return rp_error(c, t, "invalid AS number '%s' (expected AS1 to "
				"AS4294967295)", t->text);
	return rp_error(c, t, "invalid operator '%s' (expected an AS number "
			"such as AS4808, or an organization name in double "
			"quotes such as \"China Unicom\")", t->text);
}

/* The canonical text: AS numbers as ASn, names as written (quoted,
 * escaped), '!' first. */
static char *op_text(struct rp_ctx *c, const struct cf_crule *r,
		     const struct rl_tok *first, size_t n)
{
	size_t len = 2, i, a = 0;
	const char *q;
	char *s, *o;

	for (i = 0; i < n; i++)
		len += 2 * strlen(first[i].text) + 16;
	if ((s = cf_policy_alloc(c->p, len)) == NULL)
		return NULL;
	strcpy(s, r->op_neg ? "!" : "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, ",");
		if (first[i].type == RL_STRING) {
			o = s + strlen(s);
			*o++ = '"';
			for (q = first[i].text; *q != '\0'; q++) {
				if (*q == '"' || *q == '\\')
					*o++ = '\\';
				*o++ = *q;
			}
			strcpy(o, "\"");
		} else
			sprintf(s + strlen(s), "AS%u", r->op_asns[a++]);
	}
	return s;
}

int rp_operator(struct rp_ctx *c, const struct rl_tok *kw, struct cf_crule *r)
{
	const struct rl_tok *t, *prev = kw;
	struct rl_tok *items;
	size_t n = 0, start, i;
	char d[80];

	if (c->tok[c->pos].type == RL_BANG) {
		r->op_neg = 1;
		prev = &c->tok[c->pos++];
	}
	start = c->pos;
	for (;;) {
		t = &c->tok[c->pos];
		if (t->type == RL_BANG)
			return rp_error(c, t, "'!' must come first: it negates "
					"the whole list");
		if (t->type != RL_STRING &&
		    (t->type != RL_WORD || rp_is_matcher(t->text)))
			return rp_error(c, t, "expected an AS number or a "
					"quoted organization name after %s",
					rl_describe(prev, d, sizeof(d)));
		n++;
		prev = t;
		if (c->tok[++c->pos].type != RL_COMMA)
			break;
		prev = &c->tok[c->pos++];
	}
	/* the items are every other token from start: copy them together */
	items = malloc(n * sizeof(*items));
	r->op_asns = cf_policy_alloc(c->p, n * sizeof(*r->op_asns));
	r->op_names = cf_policy_alloc(c->p, n * sizeof(*r->op_names));
	if (items == NULL || r->op_asns == NULL || r->op_names == NULL) {
		free(items);
		return rp_error(c, kw, "out of memory");
	}
	for (i = 0; i < n; i++)
		items[i] = c->tok[start + 2 * i];
	for (i = 0; i < n; i++)
		if (item(c, &items[i], r) < 0) {
			free(items);
			return -1;
		}
	r->has_op = 1;
	r->op_text = op_text(c, r, items, n);
	free(items);
	return r->op_text ? 0 : rp_error(c, kw, "out of memory");
}
