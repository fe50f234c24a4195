/*
 * fuzz-rules.c - libFuzzer target: the rules compiler (cf_policy_load)
 * on a file holding the input, with the shipped rules directory as the
 * include path, then everything a compiled policy offers: printing,
 * evaluation, home-net tests, the permitted list, the linter.
 *
 * The input is written to a file in a private temporary directory.
 * Inputs naming device or process trees (/dev, /proc, /sys, /run) or
 * "..", are skipped: an include of a FIFO or of /dev/zero would block or
 * read forever, which is how a rules file the administrator wrote is
 * allowed to behave (docs/security.md), not a finding.
 */
#include <unistd.h>

#include "fuzz-util.h"
#include "classify/classify.h"
#include "util/netaddr.h"
#include "policy/policy.h"

#ifndef CF_SRCDIR_FUZZ
#define CF_SRCDIR_FUZZ "."
#endif

static char dir[64];
static char path[96];
static FILE *devnull;

/* The linter's warnings: each one line naming its place. */
static void lint_warning(void *ctx, const char *line)
{
	(*(unsigned *)ctx)++;
	FZ_CHECK(strchr(line, '\n') == NULL);
	FZ_CHECK(strstr(line, ": warning: ") != NULL);
	fz_touch(line);
}

static void lint(const struct cf_policy *p)
{
	static const char *const apps[] = { "zoom", "teams", "webrtc", "unknown" };
	unsigned seen = 0, n;

	n = cf_policy_lint(p, apps, sizeof(apps) / sizeof(apps[0]), "fuzz",
			   lint_warning, &seen);
	FZ_CHECK(n == seen);
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/cf-fuzz-rules.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz.rules", dir);
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		abort();
	atexit(cleanup);
	return 0;
}

static int has(const uint8_t *d, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(d + i, s, k) == 0)
			return 1;
	return 0;
}

static int write_input(const uint8_t *d, size_t n)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		abort();
	if (n > 0 && fwrite(d, 1, n, fp) != n)
		abort();
	return fclose(fp);
}

/* Ask the compiled policy about a few flows. */
static void exercise(const struct cf_policy *p)
{
	static const char *const countries[] = { "CN", "DE", "US", "", NULL };
	static const unsigned roles[] = { CF_ROLE_KEYX, CF_ROLE_MEDIA,
					  CF_ROLE_SIGNALING | CF_ROLE_RELAY, 0 };
	const char *const *perm;
	struct cf_judge_input in;
	cf_addr local, remote;
	unsigned matched, i, j;
	size_t k, n;
	int r;

	cf_policy_print(p, devnull);
	cf_addr_parse("10.1.0.5", &local);
	cf_addr_parse("203.0.113.10", &remote);
	FZ_CHECK(cf_policy_is_home(p, &local));
	(void)cf_policy_is_home(p, &remote);
	(void)cf_policy_has_home(p);
	for (i = 0; i < sizeof(countries) / sizeof(countries[0]); i++) {
		for (j = 0; j < sizeof(roles) / sizeof(roles[0]); j++) {
			memset(&in, 0, sizeof(in));
			in.app = j & 1 ? "zoom" : "unknown";
			in.roles = roles[j];
			in.is_call = 1;
			in.country = countries[i];
			in.asn = 64520;
			in.local = &local;
			in.remote = &remote;
			in.host = j & 1 ? "zoomsjc1mmr.zoom.us" : NULL;
			r = cf_policy_eval(p, &in, &matched);
			FZ_CHECK(r >= -1 && r < (int)cf_policy_rule_count(p));
			if (r >= 0)
				FZ_CHECK(cf_policy_rule(p, r) != NULL);
		}
	}
	n = cf_policy_rule_count(p);
	for (k = 0; k < n; k++) {
		const struct cf_rule_info *ri = cf_policy_rule(p, (int)k);

		FZ_CHECK(ri != NULL && ri->id != NULL && ri->msg != NULL);
		fz_touch(ri->id);
		fz_touch(ri->msg);
	}
	FZ_CHECK(cf_policy_rule(p, (int)n) == NULL);
	for (perm = cf_policy_permitted(p); perm != NULL && *perm != NULL; perm++)
		(void)cf_policy_in_jurisdiction(p, *perm, "DE");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *incdirs[1] = { CF_SRCDIR_FUZZ "/rules" };
	struct cf_policy *p;
	char err[1024];

	if (size > 65536 || has(data, size, "..") || has(data, size, "/dev") ||
	    has(data, size, "/proc") || has(data, size, "/sys") ||
	    has(data, size, "/run"))
		return 0;
	if (write_input(data, size) != 0)
		abort();
	err[0] = '\0';
	p = cf_policy_load(path, incdirs, 1, err, sizeof(err));
	if (p == NULL) {
		FZ_CHECK(err[0] != '\0');
		FZ_CHECK(fz_terminated(err, sizeof(err)));
		return 0;
	}
	exercise(p);
	lint(p);
	cf_policy_free(p);
	return 0;
}
