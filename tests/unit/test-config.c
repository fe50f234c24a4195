/*
 * test-config.c - the callfence.conf syntax (config-file.c): settings,
 * comments, quoting, and every error with its file and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config-file.h"
#include "harness.h"

#define MAXSET 16

struct got {
	int n;
	char key[MAXSET][32];
	char val[MAXSET][128];
	const char *refuse;      /* key the callback rejects */
};

static int collect(void *ctx, const char *key, char *value, char *err, size_t errlen)
{
	struct got *g = ctx;

	if (g->refuse != NULL && strcmp(key, g->refuse) == 0) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	if (g->n < MAXSET) {
		snprintf(g->key[g->n], sizeof(g->key[0]), "%s", key);
		snprintf(g->val[g->n], sizeof(g->val[0]), "%s", value);
	}
	g->n++;
	return 0;
}

/* Parse text (copied: the parser cuts it up); 0/-1 as cf_conf_parse. */
static int parse(const char *text, struct got *g, char *err, size_t errlen)
{
	char *copy = strdup(text);
	int rc;

	memset(g->key, 0, sizeof(g->key));
	memset(g->val, 0, sizeof(g->val));
	g->n = 0;
	err[0] = '\0';
	rc = cf_conf_parse(copy, "t.conf", collect, g, err, errlen);
	free(copy);
	return rc;
}

static void test_settings(void)
{
	struct got g = { 0 };
	char err[256];

	CHECK_INT(parse("# callfence\n"
			"\n"
			"interface = eth0\n"
			"  interface=eth1   \n"
			"filter = udp and not port 53   # no DNS\n"
			"output = \"file:/var/log/a #1.json\"  # quoted\n"
			"rules\t=\t/etc/x.rules\r\n"
			"msg = \"say \\\"hi\\\" \\\\ bye\"\n"
			"url = http://x/#frag\n"
			"last = no-newline", &g, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(g.n, 8);
	CHECK_STR(g.key[0], "interface");
	CHECK_STR(g.val[0], "eth0");
	CHECK_STR(g.key[1], "interface");
	CHECK_STR(g.val[1], "eth1");
	CHECK_STR(g.key[2], "filter");
	CHECK_STR(g.val[2], "udp and not port 53");
	CHECK_STR(g.val[3], "file:/var/log/a #1.json");
	CHECK_STR(g.key[4], "rules");
	CHECK_STR(g.val[4], "/etc/x.rules");
	CHECK_STR(g.val[5], "say \"hi\" \\ bye");
	CHECK_STR(g.val[6], "http://x/#frag");     /* '#' inside a word stays */
	CHECK_STR(g.key[7], "last");
	CHECK_STR(g.val[7], "no-newline");
}

static void test_errors(void)
{
	struct got g = { 0 };
	char err[256];

	CHECK_INT(parse("a = 1\nnot a setting\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:2: expected 'key = value'");
	CHECK_INT(parse("\n\n= value\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:3: expected 'key = value'");
	CHECK_INT(parse("Interface = eth0\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:1: expected 'key = value'");
	CHECK_INT(parse("rules =   # nothing\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:1: rules: missing value");
	CHECK_INT(parse("output = \"file:/x\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:1: unterminated quoted value");
	CHECK_INT(parse("output = \"file:/x\" trailing\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:1: unexpected text after the quoted value");
	CHECK_INT(parse("output = \"\"\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:1: output: missing value");
	/* the callback's message gets the file and line in front */
	g.refuse = "frobnicate";
	CHECK_INT(parse("a = 1\n# c\nfrobnicate = yes\nb = 2\n", &g, err, sizeof(err)), -1);
	CHECK_STR(err, "t.conf:3: unknown key 'frobnicate'");
	CHECK_INT(g.n, 1);      /* stopped at the error */
	g.refuse = NULL;
}

static void test_files(void)
{
	char path[] = "/tmp/cf-test-config-XXXXXX";
	struct got g = { 0 };
	char err[256], *text = NULL;
	FILE *fp;
	int fd;

	CHECK_INT(cf_conf_read("/nonexistent/callfence.conf", collect, &g, &text,
			       err, sizeof(err)), -1);
	CHECK_STR(err, "/nonexistent/callfence.conf: No such file or directory");
	CHECK(text == NULL);
	CHECK_INT(cf_conf_read("/tmp", collect, &g, &text, err, sizeof(err)), -1);
	CHECK(strstr(err, "/tmp: not a regular file") == err);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("stats-interval = 10\nmax-flows = 4096\n", fp);
	fclose(fp);
	g.n = 0;
	CHECK_INT(cf_conf_read(path, collect, &g, &text, err, sizeof(err)), 0);
	CHECK_INT(g.n, 2);
	CHECK_STR(g.val[1], "4096");
	free(text);

	fp = fopen(path, "w");
	fputs("a = 1\n", fp);
	fputc('\0', fp);
	fclose(fp);
	CHECK_INT(cf_conf_read(path, collect, &g, &text, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a text file (NUL byte)") != NULL);
	CHECK(text == NULL);
	unlink(path);
}

int main(void)
{
	RUN(test_settings);
	RUN(test_errors);
	RUN(test_files);
	return harness_done();
}
