/*
 * rules-lex.c - cut a rules file (callfence.rules(5)) into statements of
 * tokens.
 *
 * A statement is one line; a line whose last token is a backslash goes on
 * to the next line.  '#' starts a comment outside a string.  Tokens are
 * words, "strings" (with \" and \\ escapes), and the punctuation ',' '='
 * and '!' (the last only where a token starts).  Every token keeps the line
 * and column where it starts, so errors can point at it.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "policy/rules.h"

int rl_error(char *err, size_t errlen, const char *path,
	     const struct rl_tok *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errlen == 0)
		return -1;
	n = snprintf(err, errlen, "%s:%d:%d: ", path, t->line, t->col);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *rl_describe(const struct rl_tok *t, char *buf, size_t len)
{
	switch (t->type) {
	case RL_WORD:
		snprintf(buf, len, "'%.60s'", t->text);
		break;
	case RL_STRING:
		snprintf(buf, len, "\"%.60s\"", t->text);
		break;
	case RL_COMMA:
		snprintf(buf, len, "','");
		break;
	case RL_BANG:
		snprintf(buf, len, "'!'");
		break;
	case RL_EQ:
		snprintf(buf, len, "'='");
		break;
	default:
		snprintf(buf, len, "end of line");
		break;
	}
	return buf;
}

int rl_open(struct rl_lexer *lx, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(lx, 0, sizeof(*lx));
	lx->path = path;
	lx->fp = fopen(path, "r");
	if (lx->fp == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fileno((FILE *)lx->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(EISDIR));
		fclose(lx->fp);
		lx->fp = NULL;
		return -1;
	}
	return 0;
}

void rl_close(struct rl_lexer *lx)
{
	if (lx->fp != NULL)
		fclose(lx->fp);
	free(lx->buf);
	free(lx->tok);
	free(lx->text);
	memset(lx, 0, sizeof(*lx));
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static int is_ctl(int c)
{
	return (c < 0x20 && !is_space(c)) || c == 0x7f;
}

/* Is the rest of the line from s on blank or a comment? */
static int rest_blank(const char *s)
{
	while (is_space((unsigned char)*s))
		s++;
	return *s == '\0' || *s == '#';
}

static int lex_oom(struct rl_lexer *lx, char *err, size_t errlen, int col)
{
	struct rl_tok t = { RL_END, lx->line, col, NULL, 0 };

	return rl_error(err, errlen, lx->path, &t, "out of memory");
}

/* Append a token starting at column col with text s[0..n). */
static int push(struct rl_lexer *lx, enum rl_type type, int col,
		const char *s, size_t n)
{
	struct rl_tok *t;

	if (cf_grow(&lx->tok, &lx->captok, lx->ntok + 1, sizeof(*t)) < 0)
		return -1;
	if (lx->ntext + n + 1 > lx->captext) {
		size_t cap = lx->captext ? lx->captext : 256;
		char *nt;

		while (cap < lx->ntext + n + 1)
			cap *= 2;
		nt = realloc(lx->text, cap);
		if (nt == NULL)
			return -1;
		lx->text = nt;
		lx->captext = cap;
	}
	t = &lx->tok[lx->ntok++];
	t->type = type;
	t->line = lx->line;
	t->col = col;
	t->text = NULL;
	t->off = lx->ntext;
	memcpy(lx->text + lx->ntext, s, n);
	lx->ntext += n;
	lx->text[lx->ntext++] = '\0';
	return 0;
}

/*
 * A double-quoted string starting at s[i] == '"'.  Unescapes into a buffer
 * as long as the line.  Returns the index after the closing quote, -1 on
 * error.
 */
static long lex_string(struct rl_lexer *lx, const char *s, size_t i,
		       char *err, size_t errlen)
{
	struct rl_tok at = { RL_STRING, lx->line, (int)i + 1, NULL, 0 };
	char *out = malloc(strlen(s + i) + 1);
	size_t j = i + 1, n = 0;

	if (out == NULL)
		return lex_oom(lx, err, errlen, (int)i + 1);
	for (; s[j] != '\0' && s[j] != '"' && s[j] != '\n'; j++) {
		at.col = (int)j + 1;
		if (s[j] == '\\' && (s[j + 1] == '"' || s[j + 1] == '\\')) {
			out[n++] = s[++j];
		} else if (s[j] == '\\') {
			free(out);
			return rl_error(err, errlen, lx->path, &at,
				"unknown escape '\\%c' in string (only \\\" and \\\\ are known)",
				is_ctl((unsigned char)s[j + 1]) ||
				is_space((unsigned char)s[j + 1]) ? ' ' : s[j + 1]);
		} else if (is_ctl((unsigned char)s[j])) {
			free(out);
			return rl_error(err, errlen, lx->path, &at,
					"control character 0x%02x in string",
					(unsigned char)s[j]);
		} else {
			out[n++] = s[j];
		}
	}
	if (s[j] != '"') {
		free(out);
		at.col = (int)i + 1;
		return rl_error(err, errlen, lx->path, &at,
				"unterminated string");
	}
	if (push(lx, RL_STRING, (int)i + 1, out, n) < 0) {
		free(out);
		return lex_oom(lx, err, errlen, (int)i + 1);
	}
	free(out);
	return (long)j + 1;
}

/*
 * A word starting at s[i]: up to white space, ',', '=', '"' or '#'.  A
 * backslash takes the byte after it into the word, unless it ends the
 * line (then it continues the line and is not part of the word).
 */
static long lex_word(struct rl_lexer *lx, const char *s, size_t i,
		     char *err, size_t errlen)
{
	size_t j = i;

	for (; s[j] != '\0'; j++) {
		int c = (unsigned char)s[j];

		if (is_space(c) || c == ',' || c == '=' || c == '"' || c == '#')
			break;
		if (c == '\\' && rest_blank(s + j + 1))
			break;
		if (c == '\\' && !is_space((unsigned char)s[j + 1]) &&
		    !is_ctl((unsigned char)s[j + 1])) {
			j++;
			continue;
		}
		if (is_ctl(c)) {
			struct rl_tok at = { RL_WORD, lx->line, (int)j + 1,
					     NULL, 0 };

			return rl_error(err, errlen, lx->path, &at,
					"unexpected control character 0x%02x",
					c);
		}
	}
	if (push(lx, RL_WORD, (int)i + 1, s + i, j - i) < 0)
		return lex_oom(lx, err, errlen, (int)i + 1);
	return (long)j;
}

/* One punctuation token at s[i], or -2 when s[i] starts none. */
static long lex_punct(struct rl_lexer *lx, const char *s, size_t i)
{
	enum rl_type type;

	switch (s[i]) {
	case ',':
		type = RL_COMMA;
		break;
	case '=':
		type = RL_EQ;
		break;
	case '!':
		type = RL_BANG;
		break;
	default:
		return -2;
	}
	if (push(lx, type, (int)i + 1, s + i, 1) < 0)
		return -1;
	return (long)i + 1;
}

/*
 * Tokens of one physical line.  *cont is set to the column of a '\' that
 * ends it (the line goes on), else 0.
 */
static int lex_line(struct rl_lexer *lx, const char *s, int *cont,
		    char *err, size_t errlen)
{
	size_t i = 0;
	long next;

	*cont = 0;
	while (s[i] != '\0') {
		if (is_space((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		if (s[i] == '\\' && rest_blank(s + i + 1)) {
			*cont = (int)i + 1;
			break;
		}
		if (s[i] == '"')
			next = lex_string(lx, s, i, err, errlen);
		else if ((next = lex_punct(lx, s, i)) == -1)
			return lex_oom(lx, err, errlen, (int)i + 1);
		else if (next == -2)
			next = lex_word(lx, s, i, err, errlen);
		if (next < 0)
			return -1;
		i = (size_t)next;
	}
	return 0;
}

/* Read one physical line into lx->buf.  1 read, 0 EOF, -1 error. */
static int read_line(struct rl_lexer *lx, char *err, size_t errlen)
{
	struct rl_tok at = { RL_END, 0, 1, NULL, 0 };
	ssize_t n;

	errno = 0;
	n = getline(&lx->buf, &lx->bufcap, lx->fp);
	if (n < 0) {
		if (errno == 0 || feof((FILE *)lx->fp))
			return 0;
		snprintf(err, errlen, "%s: read error: %s", lx->path,
			 strerror(errno));
		return -1;
	}
	at.line = ++lx->line;
	if (n > CF_RULES_MAX_LINE)
		return rl_error(err, errlen, lx->path, &at,
				"line longer than %d bytes", CF_RULES_MAX_LINE);
	if (strlen(lx->buf) != (size_t)n) {
		at.col = (int)strlen(lx->buf) + 1;
		return rl_error(err, errlen, lx->path, &at, "NUL byte in line");
	}
	return 1;
}

/* Close the statement: the RL_END token, text pointers. */
static int finish(struct rl_lexer *lx, int line, int col)
{
	size_t i;

	if (push(lx, RL_END, col, "", 0) < 0)
		return -1;
	lx->tok[lx->ntok - 1].line = line;
	for (i = 0; i < lx->ntok; i++)
		lx->tok[i].text = lx->text + lx->tok[i].off;
	return 0;
}

/* Line and column just past the last token of the statement. */
static void end_of(const struct rl_lexer *lx, const char *line, int *l,
		   int *c)
{
	const struct rl_tok *t = &lx->tok[lx->ntok - 1];
	size_t k = (size_t)t->col - 1;

	*l = t->line;
	*c = t->col + 1;
	if (t->type == RL_WORD) {
		*c = t->col + (int)strlen(lx->text + t->off);
	} else if (t->type == RL_STRING && t->line == lx->line) {
		/* find the closing quote again: escapes change the length */
		for (k++; line[k] != '"'; k++)
			if (line[k] == '\\')
				k++;
		*c = (int)k + 2;
	}
}

int rl_next(struct rl_lexer *lx, char *err, size_t errlen)
{
	int cont = 0, r, l = 0, c = 0;
	size_t before;

	lx->ntok = 0;
	lx->ntext = 0;
	for (;;) {
		r = read_line(lx, err, errlen);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		before = lx->ntok;
		if (lex_line(lx, lx->buf, &cont, err, errlen) < 0)
			return -1;
		if (lx->ntok > before)
			end_of(lx, lx->buf, &l, &c);
		if (!cont && lx->ntok > 0)
			break;
	}
	if (cont) {
		struct rl_tok at = { RL_END, lx->line, cont, NULL, 0 };

		return rl_error(err, errlen, lx->path, &at,
				"file ends in a line continuation");
	}
	if (lx->ntok == 0)
		return 0;
	if (finish(lx, l, c) < 0)
		return lex_oom(lx, err, errlen, c);
	return 1;
}
