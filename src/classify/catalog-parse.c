/*
 * catalog-parse.c - read the text of the app catalog (rules/apps.conf)
 * into its lines.
 *
 * One line per entry:  ID APP KIND PATTERN... [roles=R,R] [ports=P,P]
 *   KIND host   PATTERN is a name glob ("*.zoom.us", util/glob.h): letters,
 *               digits and . - _ * ? only, kept in lower case
 *        net    PATTERN is an IP prefix; ports= limits it to some ports
 *        port   PATTERN is proto/port or proto/lo-hi ("udp/8801-8810")
 *        ndpi   PATTERN is an nDPI protocol name ("Zoom")
 *        call   no PATTERN: declares APP a call app
 *        asn    PATTERN is an AS number ("AS30103"); ports= as for net
 *               (catalog-asn.c)
 * '#' starts a comment.  The first error stops the parse, reported as
 * "file:line: message".  The app names enter the name table
 * (util/names.h) as they are read.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/catalog-int.h"
#include "util/class.h"
#include "util/netaddr.h"
#include "util/role.h"

#define CAT_LINE_MAX 4096
#define CAT_TOKENS_MAX 256

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	struct cf_catalog *cat;
};

static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
	return -1;
}

static void *grow(void *arr, size_t n, size_t size)
{
	return realloc(arr, (n + 1) * size);
}

/* --- pattern and option parsing ------------------------------------ */

static int valid_chars(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

static int parse_u16(const char *s, const char *end, uint16_t *v)
{
	unsigned long x = 0;

	if (s == end || end - s > 5)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		x = x * 10 + (unsigned long)(*s - '0');
	}
	if (x == 0 || x > 65535)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

/* "udp/8801-8810", "tcp/443" */
static int parse_port(const char *s, struct cat_port *out)
{
	const char *slash = strchr(s, '/'), *dash;

	if (slash == NULL)
		return -1;
	if (slash - s == 3 && strncmp(s, "udp", 3) == 0)
		out->proto = 17;
	else if (slash - s == 3 && strncmp(s, "tcp", 3) == 0)
		out->proto = 6;
	else
		return -1;
	dash = strchr(slash + 1, '-');
	if (dash == NULL) {
		if (parse_u16(slash + 1, slash + 1 + strlen(slash + 1), &out->lo))
			return -1;
		out->hi = out->lo;
		return 0;
	}
	if (parse_u16(slash + 1, dash, &out->lo) ||
	    parse_u16(dash + 1, dash + 1 + strlen(dash + 1), &out->hi))
		return -1;
	return out->lo <= out->hi ? 0 : -1;
}

static int add_port(struct parser *p, struct cat_entry *e, const char *tok)
{
	struct cat_port port;
	void *np;

	if (parse_port(tok, &port))
		return perr(p, "bad port '%s' (want udp/N, tcp/N or udp/N-M)", tok);
	np = grow(e->ports, e->n_ports, sizeof(*e->ports));
	if (np == NULL)
		return perr(p, "out of memory");
	e->ports = np;
	e->ports[e->n_ports++] = port;
	return 0;
}

static int add_name(struct parser *p, struct cat_entry *e, const char *tok)
{
	char *s, **nn;
	size_t i;

	if (e->kind == CF_CAT_HOST && !valid_chars(tok, ".-_*?"))
		return perr(p, "bad host pattern '%s'", tok);
	if (e->kind == CF_CAT_NDPI && !valid_chars(tok, "._-"))
		return perr(p, "bad nDPI protocol name '%s'", tok);
	s = strdup(tok);
	nn = grow(e->names, e->n_names, sizeof(*e->names));
	if (s == NULL || nn == NULL) {
		free(s);
		if (nn != NULL)
			e->names = nn;
		return perr(p, "out of memory");
	}
	for (i = 0; s[i]; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	e->names = nn;
	e->names[e->n_names++] = s;
	return 0;
}

static int add_net(struct parser *p, struct cat_entry *e, const char *tok)
{
	struct cf_prefix pfx;
	void *np;

	if (cf_prefix_parse(tok, &pfx))
		return perr(p, "bad IP prefix '%s'", tok);
	np = grow(e->nets, e->n_nets, sizeof(*e->nets));
	if (np == NULL)
		return perr(p, "out of memory");
	e->nets = np;
	e->nets[e->n_nets++] = pfx;
	return 0;
}

static int parse_roles(struct parser *p, struct cat_entry *e, const char *list)
{
	char buf[128], *tok, *save = NULL;
	unsigned r;

	if (strlen(list) >= sizeof(buf) || *list == '\0')
		return perr(p, "bad roles= list");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		r = cf_role_parse(tok);
		if (r == 0)
			return perr(p, "unknown role '%s' (key-exchange, media, "
				    "signaling, relay, web)", tok);
		e->roles |= r;
	}
	return e->roles ? 0 : perr(p, "bad roles= list");
}

static int parse_ports_opt(struct parser *p, struct cat_entry *e, const char *list)
{
	char buf[256], *tok, *save = NULL;

	if (e->kind != CF_CAT_NET && e->kind != CF_CAT_ASN)
		return perr(p, "ports= applies to net and asn lines only");
	if (strlen(list) >= sizeof(buf) || *list == '\0')
		return perr(p, "bad ports= list");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (add_port(p, e, tok))
			return -1;
	return 0;
}

static int add_asn(struct parser *p, struct cat_entry *e, const char *tok)
{
	uint32_t asn, *na;

	if (cat_parse_asn(tok, &asn))
		return perr(p, "bad AS number '%s' (want AS1 to AS4294967295)", tok);
	na = grow(e->asns, e->n_asns, sizeof(*e->asns));
	if (na == NULL)
		return perr(p, "out of memory");
	e->asns = na;
	e->asns[e->n_asns++] = asn;
	return 0;
}

static int parse_narrower(struct parser *p, struct cat_entry *e, const char *list)
{
	char buf[128], *tok, *save = NULL;
	int n = 0;

	if (e->kind != CF_CAT_NET && e->kind != CF_CAT_ASN)
		return perr(p, "narrower= applies to net and asn lines only");
	if (strlen(list) >= sizeof(buf) || *list == '\0')
		return perr(p, "bad narrower= list");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n >= CF_CAT_NARROWER)
			return perr(p, "narrower= names at most %d apps", CF_CAT_NARROWER);
		if (strlen(tok) >= CF_APP_LEN)
			return perr(p, "app name '%s' too long in narrower=", tok);
		e->narrower[n++] = cf_class_name_id(tok, CF_APP_LEN, 0);
	}
	return 0;
}

/* One PATTERN or option token. */
static int add_token(struct parser *p, struct cat_entry *e, const char *tok)
{
	if (strncmp(tok, "roles=", 6) == 0)
		return parse_roles(p, e, tok + 6);
	if (strncmp(tok, "ports=", 6) == 0)
		return parse_ports_opt(p, e, tok + 6);
	if (strncmp(tok, "narrower=", 9) == 0)
		return parse_narrower(p, e, tok + 9);
	if (strchr(tok, '=') != NULL)
		return perr(p, "unknown option '%s'", tok);
	switch (e->kind) {
	case CF_CAT_HOST:
	case CF_CAT_NDPI:
		return add_name(p, e, tok);
	case CF_CAT_NET:
		return add_net(p, e, tok);
	case CF_CAT_PORT:
		return add_port(p, e, tok);
	case CF_CAT_ASN:
		return add_asn(p, e, tok);
	default:
		return perr(p, "a call line takes no pattern ('%s')", tok);
	}
}

/* --- lines ---------------------------------------------------------- */

static int parse_kind(const char *s, enum cf_cat_kind *k)
{
	static const char *const names[] = { "host", "net", "port", "ndpi", "call", "asn" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum cf_cat_kind)(i + 1);
			return 0;
		}
	return -1;
}

static int check_head(struct parser *p, char **tok, size_t n)
{
	size_t i;

	if (n < 3)
		return perr(p, "want: ID APP KIND PATTERN... [roles=...]");
	if (strlen(tok[0]) >= CF_CAT_ID_LEN || !valid_chars(tok[0], "._-"))
		return perr(p, "bad id '%s'", tok[0]);
	if (strlen(tok[1]) >= CF_APP_LEN || !valid_chars(tok[1], "_-"))
		return perr(p, "bad app name '%s'", tok[1]);
	for (i = 0; tok[1][i]; i++)
		if (isupper((unsigned char)tok[1][i]))
			return perr(p, "app name '%s' must be lower case", tok[1]);
	for (i = 0; i < p->cat->n; i++)
		if (strcmp(p->cat->e[i].id, tok[0]) == 0)
			return perr(p, "duplicate id '%s' (first on line %u)",
				    tok[0], p->cat->e[i].line);
	return 0;
}

static int parse_line(struct parser *p, char **tok, size_t n)
{
	struct cf_catalog *cat = p->cat;
	struct cat_entry *e;
	size_t i;

	if (check_head(p, tok, n))
		return -1;
	if (cat->n == cat->cap) {
		void *ne = realloc(cat->e, (cat->cap * 2 + 16) * sizeof(*cat->e));

		if (ne == NULL)
			return perr(p, "out of memory");
		cat->e = ne;
		cat->cap = cat->cap * 2 + 16;
	}
	e = &cat->e[cat->n++];
	memset(e, 0, sizeof(*e));
	strcpy(e->id, tok[0]);
	strcpy(e->app, tok[1]);
	e->app_nid = cf_class_name_id(e->app, CF_APP_LEN, 0);
	e->line = p->line;
	if (parse_kind(tok[2], &e->kind))
		return perr(p, "unknown kind '%s' (host, net, port, ndpi, call, asn)", tok[2]);
	for (i = 3; i < n; i++)
		if (add_token(p, e, tok[i]))
			return -1;
	if (e->kind != CF_CAT_CALL && e->n_names + e->n_nets + e->n_asns +
	    (e->kind == CF_CAT_PORT ? e->n_ports : 0) == 0)
		return perr(p, "%s line without a pattern", tok[2]);
	return 0;
}

/* Split a line (comment removed) into whitespace-separated tokens. */
static size_t tokenize(char *s, char **tok, size_t max)
{
	size_t n = 0;
	char *hash = strchr(s, '#');

	if (hash != NULL)
		*hash = '\0';
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			*s++ = '\0';
		if (*s == '\0')
			break;
		if (n == max)
			return max + 1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
	}
	return n;
}

static int parse_text(struct parser *p, const char *text)
{
	char line[CAT_LINE_MAX], *tok[CAT_TOKENS_MAX];
	const char *nl;
	size_t len, n;

	for (p->line = 1; *text; p->line++, text = nl ? nl + 1 : text + len) {
		nl = strchr(text, '\n');
		len = nl ? (size_t)(nl - text) : strlen(text);
		if (len >= sizeof(line))
			return perr(p, "line longer than %d bytes", CAT_LINE_MAX - 1);
		memcpy(line, text, len);
		line[len] = '\0';
		n = tokenize(line, tok, CAT_TOKENS_MAX);
		if (n > CAT_TOKENS_MAX)
			return perr(p, "more than %d words", CAT_TOKENS_MAX);
		if (n > 0 && parse_line(p, tok, n))
			return -1;
		if (nl == NULL)
			break;
	}
	return 0;
}

int cat_parse(struct cf_catalog *c, const char *text, const char *name,
	      char *err, size_t errlen)
{
	struct parser p = { name, 0, err, errlen, c };

	return parse_text(&p, text);
}
