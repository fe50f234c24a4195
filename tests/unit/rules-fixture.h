/*
 * rules-fixture.h - what test-rules.c and test-rules-errors.c share: a
 * temporary directory that is the working directory while tests run (so
 * messages name files as "bad.rules:LINE:COL"), files written into it, and
 * flows to evaluate.  CF_RULES_DIR names the shipped rules (default
 * "rules", relative to where the test starts).
 */
#ifndef CF_RULES_FIXTURE_H
#define CF_RULES_FIXTURE_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"
#include "classify/classify.h"
#include "policy/policy.h"
#include "util/netaddr.h"
#include "policy/rules.h"

static char rules_dir[PATH_MAX];
static char tmpdir[] = "/tmp/cf-test-rules-XXXXXX";
static char made[64][64];       /* files and dirs to remove, in order */
static int nmade;

static inline void remember(const char *name)
{
	if (nmade == (int)(sizeof(made) / sizeof(made[0]))) {
		fprintf(stderr, "too many test files\n");
		exit(2);
	}
	snprintf(made[nmade++], sizeof(made[0]), "%s", name);
}

/* Write text (len bytes, or strlen when len is -1) to name in tmpdir. */
static inline void put_len(const char *name, const char *text, long len)
{
	FILE *fp = text != NULL ? fopen(name, "w") : NULL;
	int i;

	if (fp == NULL && text == NULL)
		goto record;    /* written by the caller */
	if (fp == NULL) {
		fprintf(stderr, "cannot write %s: %s\n", name, strerror(errno));
		exit(2);
	}
	fwrite(text, 1, len < 0 ? strlen(text) : (size_t)len, fp);
	fclose(fp);
record:
	for (i = 0; i < nmade; i++)
		if (strcmp(made[i], name) == 0)
			return;
	remember(name);
}

/* text NULL: only remember name for the cleanup. */
static inline void put(const char *name, const char *text)
{
	put_len(name, text, -1);
}

static inline void mkdir_t(const char *name)
{
	mkdir(name, 0700);
	remember(name);
}

static char err[512];

static inline struct cf_policy *load_text(const char *text)
{
	put("t.rules", text);
	return cf_policy_load("t.rules", NULL, 0, err, sizeof(err));
}

static inline struct cf_policy *load_shipped(const char *name)
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

static inline int eval(const struct cf_policy *p, const struct flow *f,
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
static inline const char *hit(const struct cf_policy *p, const struct flow *f)
{
	int i = eval(p, f, NULL);

	return i < 0 ? "-" : cf_policy_rule(p, i)->id;
}

#define KX CF_ROLE_KEYX
#define ME CF_ROLE_MEDIA
#define SI CF_ROLE_SIGNALING
#define RE CF_ROLE_RELAY
#define WE CF_ROLE_WEB

static inline void fixture_cleanup(void)
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

/* Find the shipped rules, make the temporary directory, enter it. */
static inline int fixture_setup(void)
{
	const char *dir = getenv("CF_RULES_DIR");

	if (realpath(dir ? dir : "rules", rules_dir) == NULL) {
		fprintf(stderr, "rules directory %s: %s\n", dir ? dir : "rules",
			strerror(errno));
		return -1;
	}
	if (mkdtemp(tmpdir) == NULL || chdir(tmpdir) < 0) {
		perror(tmpdir);
		return -1;
	}
	return 0;
}

#endif /* CF_RULES_FIXTURE_H */
