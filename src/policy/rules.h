/*
 * rules.h - internals shared by the rules compiler (rules-lex.c,
 * rules-parse.c, rules-rule.c, rules-country.c), the compiled policy
 * (policy.c) and its linter (policy-lint.c, policy-shadow.c).  Nothing
 * else includes this file (but the unit tests): policy.h is the contract
 * the rest of callfence sees.  The language is callfence.rules(5).
 */
#ifndef CF_RULES_H
#define CF_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "policy/policy.h"
#include "util/glob.h"

/* Limits of the compiler (p0f style: one place, one name each). */
#define CF_RULES_MAX_DEPTH  16      /* include nesting below the top file */
#define CF_RULES_MAX_RULES  4096    /* rules in a policy */
#define CF_RULES_MAX_JURIS  1024    /* jurisdiction definitions */
#define CF_RULES_MAX_LINE   65536   /* bytes in one physical line */

/*
 * A set of countries: one bit for each of the 26 x 26 possible alpha-2
 * codes, bit (c0 - 'A') * 26 + (c1 - 'A').  Membership is one shift and
 * one mask, and sets are unions of words.
 */
#define CF_CSET_BITS  (26 * 26)
#define CF_CSET_WORDS ((CF_CSET_BITS + 63) / 64)

struct cf_cset {
	uint64_t w[CF_CSET_WORDS];
};

/* Bit index of a two-letter code (either case), -1 if cc is not one. */
int cf_cset_index(const char *cc);
static inline void cf_cset_add(struct cf_cset *s, int i)
{
	s->w[i / 64] |= (uint64_t)1 << (i % 64);
}
static inline int cf_cset_has(const struct cf_cset *s, int i)
{
	return (int)((s->w[i / 64] >> (i % 64)) & 1);
}
void cf_cset_union(struct cf_cset *dst, const struct cf_cset *src);
/* Write the codes of s, sorted, separated by sep, into buf.  Returns buf. */
char *cf_cset_str(const struct cf_cset *s, const char *sep, char *buf,
		  size_t len);

/* Is cc two upper-case letters naming an officially assigned country? */
int cf_iso3166_assigned(const char *cc);

/* One compiled rule.  A matcher that was not given matches anything.
 * A new matcher must be weighed by the linter too: takes_in() of
 * policy-shadow.c (else a rule it restricts looks wider than it is). */
struct cf_crule {
	struct cf_rule_info info;
	unsigned roles;                 /* CF_ROLE_* ; 0 = any */
	const char **apps;              /* napps names, compared ignoring case */
	size_t napps;
	const struct rp_where *where;   /* positions, for the linter */
	int has_to, to_neg, to_unknown; /* "to": set, '!', "unknown" listed */
	struct cf_cset to;
	const struct cf_prefix *from;   /* our end in one of these */
	size_t nfrom;
	int from_neg;
	const uint32_t *asns;
	size_t nasns;
	int asn_neg;
	int has_op, op_neg;             /* operator (rules-operator.c) */
	const uint32_t *op_asns;        /* AS numbers */
	size_t nop_asns;
	const char **op_names;          /* organization texts, lower case */
	size_t nop_names;
	const char **hosts;             /* globs (util/glob.h) */
	size_t nhosts;
	const char *app_text, *role_text, *from_text, *asn_text, *host_text;
	const char *op_text;
	/* geo and reachable (rules-geo.c): verdicts as bits 1 << enum
	   cf_plaus_verdict; the countries that could hold the remote end */
	int has_geo, geo_neg, has_reach, reach_neg;
	unsigned geo_mask;
	struct cf_cset reach;
	const char *geo_text, *reach_text;
};

struct cf_juris {
	const char *name;
	struct cf_cset set;
	const char *file;
	int line;
};

/* Memory of a policy: strings and matcher arrays live in chunks. */
struct cf_chunk;

struct cf_policy {
	struct cf_chunk *chunks;
	struct cf_crule *rules;
	size_t nrules, caprules;
	struct cf_juris *juris;
	size_t njuris, capjuris;
	struct cf_prefix *home;
	size_t nhome, caphome;
	const char **permitted;         /* NULL-terminated */
	size_t npermitted, cappermitted;
	const char **files;             /* every file read, in order */
	size_t nfiles, capfiles;
	struct rp_incl *incl;           /* where each of files was included */
	size_t capincl;
};

/* policy.c: allocation helpers for the compiler.  NULL when out of memory. */
struct cf_policy *cf_policy_new(void);
void *cf_policy_alloc(struct cf_policy *p, size_t n);
char *cf_policy_strdup(struct cf_policy *p, const char *s);
/* Make room for one more element in *arr (*n used of *cap).  -1 on OOM. */
int cf_grow(void *arrp, size_t *cap, size_t n, size_t elsize);
/* Add name to the permitted list unless present.  -1 on OOM. */
int cf_policy_add_permitted(struct cf_policy *p, const char *name);

/* rules-lex.c: statements of one file as tokens. */
enum rl_type { RL_WORD, RL_STRING, RL_COMMA, RL_BANG, RL_EQ, RL_END };

struct rl_tok {
	enum rl_type type;
	int line, col;                  /* 1-based; col counts bytes */
	const char *text;               /* WORD: as written; STRING: unescaped */
	size_t off;                     /* lexer's own: text offset */
};

struct rl_lexer {
	void *fp;                       /* FILE * */
	const char *path;               /* for messages, as opened */
	int line;                       /* last physical line read */
	char *buf;                      /* getline buffer */
	size_t bufcap;
	struct rl_tok *tok;             /* current statement, RL_END last */
	size_t ntok, captok;
	char *text;                     /* token texts, NUL-separated */
	size_t ntext, captext;
};

/* Open path.  -1 with "cannot open PATH: reason" in err. */
int rl_open(struct rl_lexer *lx, const char *path, char *err, size_t errlen);
/*
 * Read the next statement into lx->tok[0..ntok-1] (the last is RL_END,
 * placed just after the statement's last token).  1 when there is one, 0
 * at end of file, -1 on error with "file:line:col: message" in err.
 */
int rl_next(struct rl_lexer *lx, char *err, size_t errlen);
void rl_close(struct rl_lexer *lx);
/* Write "path:line:col: " and the formatted message to err.  Returns -1. */
int rl_error(char *err, size_t errlen, const char *path,
	     const struct rl_tok *t, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* How a token reads in a message: 'word', "string", ',', end of line. */
const char *rl_describe(const struct rl_tok *t, char *buf, size_t len);

/* rules-rule.c: the parser's state while compiling, and rule statements. */
struct rp_file;

struct rp_ctx {
	struct cf_policy *p;
	const char *const *incdirs;
	size_t nincdirs;
	char *err;
	size_t errlen;
	const char *path;               /* file being read */
	const char *ruleset;            /* its basename without extension */
	struct rp_file *files;          /* every file opened, for "twice" */
	size_t nfiles, capfiles;
	struct rl_tok *tok;             /* the statement being compiled */
	size_t ntok, pos;
	int traced;                     /* err names the including files */
};

/* The matchers of a rule statement: their keywords are one table,
 * rp_matcher_names[] (rules-parse.c), in the order callfence.rules(5)
 * lists them. */
enum rp_matcher {
	RP_M_ID, RP_M_APP, RP_M_ROLE, RP_M_TO, RP_M_FROM, RP_M_ASN,
	RP_M_OPERATOR, RP_M_GEO, RP_M_REACHABLE, RP_M_HOST, RP_M_MSG, RP_M_COUNT
};
extern const char *const rp_matcher_names[RP_M_COUNT];
/* The matcher keyword w names, -1 when w is none. */
int rp_matcher(const char *w);
/* Is w one of the words that start a matcher (id, app, role, ...)? */
int rp_is_matcher(const char *w);
/* The keywords as a message lists them, "id, app, ... or msg", in buf. */
const char *rp_matcher_list(char *buf, size_t len);
/* Is w reserved (statement or matcher keyword, any, unknown)? */
int rp_is_reserved(const char *w);
/* Report an error at token t of the current file.  Returns -1. */
int rp_error(struct rp_ctx *c, const struct rl_tok *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Find a jurisdiction by name, NULL if none. */
const struct cf_juris *rp_find_juris(const struct cf_policy *p,
				     const char *name);
/*
 * Collect the items of a list starting at c->pos: an optional leading '!'
 * (only when bang_ok), then words separated by commas (and by spaces too
 * when space_ok, up to the next matcher keyword).  what names the list in
 * messages.  Returns the item count (>= 1) with their tokens in *items
 * (malloc'd, caller frees), -1 on error.
 */
int rp_list(struct rp_ctx *c, const struct rl_tok *kw, const char *what,
	    int space_ok, int bang_ok, int *neg, const struct rl_tok ***items);
/*
 * Resolve one item of a country list (a "to" or a jurisdiction): a code,
 * a jurisdiction defined above, or (when unknown_ok) "unknown".  Adds to
 * set, sets *unknown.  -1 on error.
 */
int rp_country_item(struct rp_ctx *c, const struct rl_tok *t, int unknown_ok,
		    struct cf_cset *set, int *unknown);
/* rules-operator.c: "operator [!]ITEM,..." at c->pos (after the keyword
 * kw) into r; -1 on error.  Does r's operator list match a remote end of
 * this ASN (0 unknown) and AS organization (NULL or "" unknown)? */
int rp_operator(struct rp_ctx *c, const struct rl_tok *kw, struct cf_crule *r);
int rp_operator_match(const struct cf_crule *r, uint32_t asn, const char *org);
/* rules-geo.c: "geo [!]VERDICT,..." and "reachable [!]SET" at c->pos into
 * r; -1 on error.  Do they match a remote end of this verdict (enum
 * cf_plaus_verdict), of this smallest RTT (< 0: none) seen by p? */
/* Text of n items joined by ',', "!" first when neg; in the policy
 * (rules-rule.c). */
char *rp_join(struct rp_ctx *c, const struct rl_tok **items, int n, int neg);
int rp_geo(struct rp_ctx *c, const struct rl_tok *kw, struct cf_crule *r);
int rp_reachable(struct rp_ctx *c, const struct rl_tok *kw, struct cf_crule *r);
int rp_geo_match(const struct cf_crule *r, unsigned verdict);
int rp_reach_match(const struct cf_crule *r, const struct cf_plaus *p, int64_t rtt_us);

/* Compile a pass/alert statement (c->tok) into a new rule.  -1 on error. */
int rp_rule(struct rp_ctx *c);

/*
 * policy-lint.c: what the parser keeps for the linter (--check-rules) and
 * the near-miss suggestions of its own errors.
 */

/* Where files[i] was included: files[parent], at line:col (-1: the top). */
struct rp_incl {
	int parent;
	int line, col;
};

/* Positions in a rule statement: its first token, and each app item. */
struct rp_where {
	int col;
	size_t napp;
	struct {
		int line, col;
	} app[];
};

/* Record the include site of the file add_file just read (at: the
 * include's file name token, line 0 for the top file).  -1 on OOM. */
int rp_note_file(struct rp_ctx *c, const struct rl_tok *at);
/* Record the positions of the rule just compiled (c->tok).  -1 on OOM. */
int rp_note_rule(struct rp_ctx *c);
/*
 * The included file whose include statement is at was compiled with
 * result r: when r < 0, name the including file in c->err ("... [in file
 * included from FILE:LINE:COL, from ...]").  Returns r.
 */
int rp_include_done(struct rp_ctx *c, const struct rl_tok *at, int r);

/* Near misses: the candidates nearest to a word by edit distance. */
struct rp_near {
	const char *word;
	unsigned best;                  /* distance of names[], or ~0u */
	const char *names[3];
	size_t n, more;
};
void rp_near_init(struct rp_near *nr, const char *word);
void rp_near_try(struct rp_near *nr, const char *cand);
/* "; did you mean 'X'?" ("'X' or 'Y'", ...) in buf, or "" when none is
 * near enough.  Returns buf. */
const char *rp_near_text(const struct rp_near *nr, char *buf, size_t len);
/* The distance between a and b, letters compared ignoring case, adjacent
 * transpositions counted as one edit; limit + 1 once it exceeds limit. */
unsigned rp_edit_distance(const char *a, const char *b, unsigned limit);

/* The linter's state (policy-lint.c), and its warnings. */
struct rp_lint {
	const struct cf_policy *p;
	cf_lint_warn_fn warn;
	void *ctx;
	unsigned count;
};
void rp_lint_warn(struct rp_lint *l, const char *file, int line, int col,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* policy-shadow.c: warn when rule j decides no flow the rules above it
 * leave undecided. */
void rp_lint_shadow(struct rp_lint *l, size_t j);

#endif /* CF_RULES_H */
