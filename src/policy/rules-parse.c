/*
 * rules-parse.c - compile rules files (callfence.rules(5)) into a policy:
 * files and includes, home-net, jurisdiction statements, and the list and
 * country helpers the rule statements (rules-rule.c) share.
 *
 * Compilation is one pass in file order: a jurisdiction may name only
 * jurisdictions defined above it (so definitions cannot form cycles), and
 * an include is read where it stands.  The first error stops everything and
 * is reported as "file:line:col: message".
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "policy/rules.h"

/* A file read during one compilation, to refuse reading it twice. */
struct rp_file {
	dev_t dev;
	ino_t ino;
	const char *path;
};

const char *const rp_matcher_names[RP_M_COUNT] = {
	[RP_M_ID] = "id", [RP_M_APP] = "app", [RP_M_ROLE] = "role",
	[RP_M_TO] = "to", [RP_M_FROM] = "from", [RP_M_ASN] = "asn",
	[RP_M_OPERATOR] = "operator", [RP_M_GEO] = "geo", [RP_M_REACHABLE] = "reachable",
	[RP_M_HOST] = "host", [RP_M_MSG] = "msg",
};

static const char *const reserved[] = {
	"home-net", "jurisdiction", "include", "pass", "alert", "any",
	"unknown", NULL
};

static int in_list(const char *const *list, const char *w)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, w) == 0)
			return 1;
	return 0;
}

int rp_matcher(const char *w)
{
	int m;

	for (m = 0; m < RP_M_COUNT; m++)
		if (strcmp(rp_matcher_names[m], w) == 0)
			return m;
	return -1;
}

int rp_is_matcher(const char *w)
{
	return rp_matcher(w) >= 0;
}

int rp_is_reserved(const char *w)
{
	return rp_is_matcher(w) || in_list(reserved, w);
}

const char *rp_matcher_list(char *buf, size_t len)
{
	size_t used = 0;
	int m, n;

	buf[0] = '\0';
	for (m = 0; m < RP_M_COUNT && used < len; m++) {
		n = snprintf(buf + used, len - used, "%s%s", m == 0 ? "" :
			     m == RP_M_COUNT - 1 ? " or " : ", ",
			     rp_matcher_names[m]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

int rp_error(struct rp_ctx *c, const struct rl_tok *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rl_error(c->err, c->errlen, c->path, t, "%s", msg);
}

static int oom(struct rp_ctx *c, const struct rl_tok *t)
{
	return rp_error(c, t, "out of memory");
}

const struct cf_juris *rp_find_juris(const struct cf_policy *p,
				     const char *name)
{
	size_t i;

	for (i = 0; i < p->njuris; i++)
		if (strcmp(p->juris[i].name, name) == 0)
			return &p->juris[i];
	return NULL;
}

/* Lists. */

static int list_push(const struct rl_tok ***v, size_t *n, size_t *cap,
		     const struct rl_tok *t)
{
	if (cf_grow(v, cap, *n + 1, sizeof(**v)) < 0)
		return -1;
	(*v)[(*n)++] = t;
	return 0;
}

/* The token before the current one, or kw at the start of the list. */
static const struct rl_tok *prev_tok(const struct rp_ctx *c, size_t n,
				     const struct rl_tok *kw)
{
	return n == 0 ? kw : &c->tok[c->pos - 1];
}

static int list_item_error(struct rp_ctx *c, const struct rl_tok *t,
			   const struct rl_tok *prev, const char *what,
			   int bang_ok)
{
	char b[80];

	if (t->type == RL_BANG && bang_ok)
		return rp_error(c, t, "'!' must come first: it negates the "
				"whole list");
	if (t->type == RL_BANG)
		return rp_error(c, t, "'!' is not allowed after %s",
				rl_describe(prev, b, sizeof(b)));
	return rp_error(c, t, "expected %s after %s", what,
			rl_describe(prev, b, sizeof(b)));
}

int rp_list(struct rp_ctx *c, const struct rl_tok *kw, const char *what,
	    int space_ok, int bang_ok, int *neg, const struct rl_tok ***items)
{
	const struct rl_tok **v = NULL, *t;
	size_t n = 0, cap = 0;

	*neg = 0;
	*items = NULL;
	if (c->tok[c->pos].type == RL_BANG && bang_ok) {
		*neg = 1;
		kw = &c->tok[c->pos++];
	}
	for (;;) {
		t = &c->tok[c->pos];
		if (t->type != RL_WORD || rp_is_matcher(t->text)) {
			free(v);
			return list_item_error(c, t, prev_tok(c, n, kw), what,
					       bang_ok);
		}
		if (list_push(&v, &n, &cap, t) < 0) {
			free(v);
			return oom(c, t);
		}
		t = &c->tok[++c->pos];
		if (t->type == RL_COMMA)
			c->pos++;
		else if (!space_ok || (t->type != RL_BANG &&
			 (t->type != RL_WORD || rp_is_matcher(t->text))))
			break;
	}
	*items = v;
	return (int)n;
}

/* Countries and jurisdictions. */

static int two_upper(const char *w)
{
	return w[0] >= 'A' && w[0] <= 'Z' && w[1] >= 'A' && w[1] <= 'Z' &&
	       w[2] == '\0';
}

static const char *code_hint(const char *w)
{
	if (strcmp(w, "UK") == 0)
		return " (the United Kingdom is GB)";
	if (strcmp(w, "EL") == 0)
		return " (Greece is GR)";
	return "";
}

/* The jurisdictions near w, as "; did you mean 'X'?", in buf. */
static const char *near_juris(struct rp_ctx *c, const char *w, char *buf,
			      size_t len)
{
	struct rp_near nr;
	size_t i;

	rp_near_init(&nr, w);
	for (i = 0; i < c->p->njuris; i++)
		rp_near_try(&nr, c->p->juris[i].name);
	return rp_near_text(&nr, buf, len);
}

static int unknown_item(struct rp_ctx *c, const struct rl_tok *t)
{
	const char *w = t->text;
	char up[3], near[200];

	if (two_upper(w))
		return rp_error(c, t, "'%s' is neither an assigned ISO 3166-1 "
				"alpha-2 code nor a jurisdiction defined "
				"above%s%s", w, code_hint(w),
				near_juris(c, w, near, sizeof(near)));
	if (cf_cset_index(w) >= 0) {
		up[0] = (char)(w[0] & ~0x20);
		up[1] = (char)(w[1] & ~0x20);
		up[2] = '\0';
		if (cf_iso3166_assigned(up))
			return rp_error(c, t, "unknown jurisdiction '%s' "
					"(country codes are upper case: %s)",
					w, up);
	}
	return rp_error(c, t, "unknown jurisdiction '%s' (not defined above)"
			"%s", w, near_juris(c, w, near, sizeof(near)));
}

int rp_country_item(struct rp_ctx *c, const struct rl_tok *t, int unknown_ok,
		    struct cf_cset *set, int *unknown)
{
	const struct cf_juris *j;

	if (strcmp(t->text, "unknown") == 0) {
		if (!unknown_ok)
			return rp_error(c, t, "'unknown' cannot be part of a "
					"jurisdiction");
		*unknown = 1;
		return 0;
	}
	if (cf_iso3166_assigned(t->text)) {
		cf_cset_add(set, cf_cset_index(t->text));
		return 0;
	}
	j = rp_find_juris(c->p, t->text);
	if (j == NULL)
		return unknown_item(c, t);
	cf_cset_union(set, &j->set);
	return 0;
}

/* "jurisdiction NAME = ITEM..." */

static int check_juris_name(struct rp_ctx *c, const struct rl_tok *t)
{
	const struct cf_juris *j;
	const char *s;

	if (t->type != RL_WORD)
		return rp_error(c, t, "expected a jurisdiction name after "
				"'jurisdiction'");
	for (s = t->text; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return rp_error(c, t, "invalid jurisdiction name '%s' "
					"(letters, digits, '-' and '_' only)",
					t->text);
	if (cf_iso3166_assigned(t->text))
		return rp_error(c, t, "'%s' is a country code and cannot name "
				"a jurisdiction", t->text);
	if (rp_is_reserved(t->text))
		return rp_error(c, t, "'%s' is a reserved word and cannot name "
				"a jurisdiction", t->text);
	j = rp_find_juris(c->p, t->text);
	if (j != NULL)
		return rp_error(c, t, "jurisdiction '%s' already defined at "
				"%s:%d", t->text, j->file, j->line);
	if (c->p->njuris >= CF_RULES_MAX_JURIS)
		return rp_error(c, t, "too many jurisdictions (at most %d)",
				CF_RULES_MAX_JURIS);
	return 0;
}

static int juris_items(struct rp_ctx *c, const struct rl_tok *name,
		       struct cf_cset *set)
{
	const struct rl_tok **items, *eq = &c->tok[2];
	int n, i, neg, unknown = 0, r = 0;

	if (eq->type != RL_EQ)
		return rp_error(c, eq, "expected '=' after jurisdiction name");
	c->pos = 3;
	n = rp_list(c, eq, "a country code or jurisdiction", 1, 0, &neg,
		    &items);
	for (i = 0; i < n && r == 0; i++) {
		if (strcmp(items[i]->text, name->text) == 0)
			r = rp_error(c, items[i], "jurisdiction '%s' cannot "
				     "contain itself", name->text);
		else
			r = rp_country_item(c, items[i], 0, set, &unknown);
	}
	free(items);
	return n < 0 ? -1 : r;
}

static int do_jurisdiction(struct rp_ctx *c)
{
	const struct rl_tok *name = &c->tok[1];
	struct cf_cset set;
	struct cf_juris *j;
	char b[80];

	memset(&set, 0, sizeof(set));
	if (check_juris_name(c, name) < 0 || juris_items(c, name, &set) < 0)
		return -1;
	if (c->tok[c->pos].type != RL_END)
		return rp_error(c, &c->tok[c->pos], "unexpected %s",
				rl_describe(&c->tok[c->pos], b, sizeof(b)));
	if (cf_grow(&c->p->juris, &c->p->capjuris, c->p->njuris + 1,
		    sizeof(*j)) < 0)
		return oom(c, name);
	j = &c->p->juris[c->p->njuris];
	j->name = cf_policy_strdup(c->p, name->text);
	j->file = c->path;
	j->line = name->line;
	j->set = set;
	if (j->name == NULL)
		return oom(c, name);
	c->p->njuris++;
	return 0;
}

/* "home-net PREFIX..." */

static int do_home(struct rp_ctx *c)
{
	const struct rl_tok **items;
	struct cf_policy *p = c->p;
	int n, i, neg, r = 0;
	char b[80];

	c->pos = 1;
	n = rp_list(c, &c->tok[0], "a prefix", 1, 0, &neg, &items);
	if (n <= 0 || items == NULL)
		return -1;
	for (i = 0; i < n && r == 0; i++) {
		if (cf_grow(&p->home, &p->caphome, p->nhome + 1,
			    sizeof(*p->home)) < 0)
			r = oom(c, items[i]);
		else if (cf_prefix_parse(items[i]->text, &p->home[p->nhome]) < 0)
			r = rp_error(c, items[i], "invalid prefix '%s' "
				     "(expected ADDRESS or ADDRESS/LENGTH)",
				     items[i]->text);
		else
			p->nhome++;
	}
	free(items);
	if (r < 0)
		return -1;
	if (c->tok[c->pos].type != RL_END)
		return rp_error(c, &c->tok[c->pos], "unexpected %s",
				rl_describe(&c->tok[c->pos], b, sizeof(b)));
	return 0;
}

/* Files and includes. */

static const char *ruleset_of(struct cf_policy *p, const char *path)
{
	const char *base = strrchr(path, '/');
	char *r, *dot;

	r = cf_policy_strdup(p, base != NULL ? base + 1 : path);
	if (r != NULL && (dot = strrchr(r, '.')) != NULL && dot != r)
		*dot = '\0';
	return r;
}

/* Remember a file opened; refuse one already read.  -1 on error. */
static int add_file(struct rp_ctx *c, struct rl_lexer *lx,
		    const struct rl_tok *at, const char *name)
{
	struct stat st;
	size_t i;

	if (fstat(fileno((FILE *)lx->fp), &st) < 0)
		return rp_error(c, at, "cannot stat '%s': %s", name,
				strerror(errno));
	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].dev == st.st_dev &&
		    c->files[i].ino == st.st_ino)
			return rp_error(c, at, "'%s' already included (as %s)",
					name, c->files[i].path);
	if (cf_grow(&c->files, &c->capfiles, c->nfiles + 1,
		    sizeof(*c->files)) < 0 ||
	    cf_grow(&c->p->files, &c->p->capfiles, c->p->nfiles + 1,
		    sizeof(*c->p->files)) < 0)
		return oom(c, at);
	c->files[c->nfiles].dev = st.st_dev;
	c->files[c->nfiles].ino = st.st_ino;
	c->files[c->nfiles++].path = lx->path;
	c->p->files[c->p->nfiles++] = lx->path;
	return rp_note_file(c, at);
}

static int parse_stream(struct rp_ctx *c, struct rl_lexer *lx, int depth);

/* A new string: the first dlen bytes of dir, sep, then name. */
static char *path_cat(const char *dir, size_t dlen, const char *sep,
		      const char *name)
{
	size_t slen = strlen(sep), nlen = strlen(name);
	char *r = malloc(dlen + slen + nlen + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, dir, dlen);
	memcpy(r + dlen, sep, slen);
	memcpy(r + dlen + slen, name, nlen + 1);
	return r;
}

/* Path of name next to the file being read: its directory + name. */
static char *beside(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	if (name[0] == '/' || slash == NULL)
		return path_cat("", 0, "", name);
	return path_cat(path, (size_t)(slash - path) + 1, "", name);
}

/* Append the directory part of path (or "./") to the list in buf. */
static void add_looked(char *buf, size_t len, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t off = strlen(buf);

	snprintf(buf + off, len - off, "%s%.*s", off > 0 ? ", " : "",
		 slash != NULL ? (int)(slash - path) + 1 : 2,
		 slash != NULL ? path : "./");
}

/* The first that exists of: next to the including file, in each incdir. */
static char *find_include(struct rp_ctx *c, const struct rl_tok *t)
{
	const char *name = t->text;
	size_t i, ncand = name[0] == '/' ? 1 : 1 + c->nincdirs;
	char looked[512] = "", *cand;

	for (i = 0; i < ncand; i++) {
		if (i == 0)
			cand = beside(c->path, name);
		else
			cand = path_cat(c->incdirs[i - 1],
					strlen(c->incdirs[i - 1]), "/", name);
		if (cand == NULL) {
			oom(c, t);
			return NULL;
		}
		if (access(cand, F_OK) == 0)
			return cand;
		add_looked(looked, sizeof(looked), cand);
		free(cand);
	}
	rp_error(c, t, "cannot find '%s' (looked in %s)", name, looked);
	return NULL;
}

static int do_include(struct rp_ctx *c, int depth)
{
	const struct rl_tok *t = &c->tok[1];
	struct rl_lexer lx;
	char *path, *kept, b[256];
	int r;

	if (t->type != RL_WORD && t->type != RL_STRING)
		return rp_error(c, t, "expected a file name after 'include'");
	if (t->text[0] == '\0')
		return rp_error(c, t, "empty file name");
	if (c->tok[2].type != RL_END)
		return rp_error(c, &c->tok[2], "unexpected %s after the file "
				"name", rl_describe(&c->tok[2], b, sizeof(b)));
	if (depth + 1 > CF_RULES_MAX_DEPTH)
		return rp_error(c, t, "includes nested more than %d levels "
				"deep", CF_RULES_MAX_DEPTH);
	path = find_include(c, t);
	if (path == NULL)
		return -1;
	kept = cf_policy_strdup(c->p, path);
	free(path);
	if (kept == NULL)
		return oom(c, t);
	if (rl_open(&lx, kept, b, sizeof(b)) < 0)
		return rp_error(c, t, "%s", b);
	r = add_file(c, &lx, t, t->text);
	if (r == 0)
		r = rp_include_done(c, t, parse_stream(c, &lx, depth + 1));
	rl_close(&lx);
	return r;
}

/* The words of list near w, as "; did you mean 'X'?", in buf. */
static const char *near_word(const char *w, const char *const *list,
			     char *buf, size_t len)
{
	struct rp_near nr;

	rp_near_init(&nr, w);
	for (; *list != NULL; list++)
		rp_near_try(&nr, *list);
	return rp_near_text(&nr, buf, len);
}

static int do_statement(struct rp_ctx *c, int depth)
{
	static const char *const statements[] = {
		"home-net", "jurisdiction", "include", "pass", "alert", NULL
	};
	const struct rl_tok *t = &c->tok[0];
	const char *w = t->text;
	char b[200];

	if (t->type != RL_WORD)
		return rp_error(c, t, "expected a statement, found %s",
				rl_describe(t, b, sizeof(b)));
	if (strcmp(w, "pass") == 0 || strcmp(w, "alert") == 0)
		return rp_rule(c);
	if (strcmp(w, "home-net") == 0)
		return do_home(c);
	if (strcmp(w, "jurisdiction") == 0)
		return do_jurisdiction(c);
	if (strcmp(w, "include") == 0)
		return do_include(c, depth);
	if (rp_is_matcher(w))
		return rp_error(c, t, "'%s' cannot start a statement (a rule "
				"starts with pass or alert; does the line "
				"above miss a '\\'?)", w);
	return rp_error(c, t, "unknown statement '%s' (expected home-net, "
			"jurisdiction, include, pass or alert)%s", w,
			near_word(w, statements, b, sizeof(b)));
}

/* Compile every statement of an opened file. */
static int parse_stream(struct rp_ctx *c, struct rl_lexer *lx, int depth)
{
	const char *path = c->path, *ruleset = c->ruleset;
	int r;

	c->path = lx->path;
	c->ruleset = ruleset_of(c->p, lx->path);
	if (c->ruleset == NULL) {
		snprintf(c->err, c->errlen, "out of memory");
		return -1;
	}
	while ((r = rl_next(lx, c->err, c->errlen)) > 0) {
		c->tok = lx->tok;
		c->ntok = lx->ntok;
		c->pos = 0;
		if (do_statement(c, depth) < 0) {
			r = -1;
			break;
		}
	}
	c->path = path;
	c->ruleset = ruleset;
	return r;
}

struct cf_policy *cf_policy_load(const char *path, const char *const *incdirs,
				 size_t nincdirs, char *err, size_t errlen)
{
	struct rp_ctx c;
	struct rl_lexer lx;
	struct rl_tok top = { RL_END, 0, 0, NULL, 0 };
	int r = -1;

	memset(&c, 0, sizeof(c));
	c.incdirs = incdirs;
	c.nincdirs = nincdirs;
	c.err = err;
	c.errlen = errlen;
	c.path = path;
	c.p = cf_policy_new();
	if (c.p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (rl_open(&lx, cf_policy_strdup(c.p, path) ?: path, err,
		    errlen) == 0) {
		r = add_file(&c, &lx, &top, path);
		if (r == 0)
			r = parse_stream(&c, &lx, 0);
		rl_close(&lx);
	}
	free(c.files);
	if (r < 0) {
		cf_policy_free(c.p);
		return NULL;
	}
	if (errlen > 0)
		err[0] = '\0';
	return c.p;
}
