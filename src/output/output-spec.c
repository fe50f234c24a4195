/*
 * output-spec.c - making one output from its -o spec:
 * "scheme[:target][,NAME=VALUE]...".  The scheme picks the driver; the
 * options are the filters (kinds=, min-severity=), the queue and spool
 * of a reliable output (queue=, spool=, spool-max=, fsync=, drain=) and
 * the driver's own; then the driver opens its target and a reliable
 * output its spool.  Errors name the output and what is wrong with it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "output/output-int.h"
#include "output/spool.h"
#include "policy/policy.h"
#include "util/path.h"

#define DEF_QUEUE 10000
#define DEF_SPOOL_MAX (256ull << 20)
#define DEF_FSYNC 100
#define DEF_DRAIN 5.0

/* ---- parsing a spec ------------------------------------------------- */

static const struct out_ops *const drivers[] = {
	&out_stdout_ops, &out_file_ops, &out_syslog_ops, &out_unix_ops,
	&out_unixgram_ops, &out_tcp_ops, &out_kafka_ops, &out_syslog_tcp_ops,
	&out_syslog_tls_ops,
};

static const struct out_ops *find_driver(const char *name, size_t len)
{
	size_t i;

	if (len == 1 && name[0] == '-')
		return &out_stdout_ops;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strlen(drivers[i]->scheme) == len &&
		    strncmp(drivers[i]->scheme, name, len) == 0)
			return drivers[i];
	return NULL;
}

/* A size with an optional k, M or G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t min, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		shift = 10, end++;
	else if (*end == 'M')
		shift = 20, end++;
	else if (*end == 'G')
		shift = 30, end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift) || (v << shift) < min)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_kinds(const char *s, unsigned *kinds)
{
	static const char *const names[] = { "", "alert", "flow", "stats", "report", "call" };
	const char *p = s, *e;
	size_t len;
	int k, found;

	*kinds = 0;
	while (*p != '\0') {
		e = p + strcspn(p, "+|");
		len = (size_t)(e - p);
		found = 0;
		if (len == 3 && strncmp(p, "all", 3) == 0)
			*kinds |= 0x3e, found = 1;
		for (k = 1; k <= CF_EVENT_CALL; k++)
			if (strlen(names[k]) == len && strncmp(p, names[k], len) == 0)
				*kinds |= 1u << k, found = 1;
		if (!found)
			return -1;
		p = *e != '\0' ? e + 1 : e;
	}
	return *kinds != 0 ? 0 : -1;
}

static int reliable_option(struct out *x, const char *name, const char *val)
{
	double d;
	char *end;
	uint64_t v;

	if (strcmp(name, "queue") == 0)
		return parse_size(val, 1, &x->queue_max) < 0 || x->queue_max > 10000000 ? -1 : 0;
	if (strcmp(name, "spool-max") == 0)
		return parse_size(val, 4096, &x->spool_max);
	if (strcmp(name, "fsync") == 0) {
		if (parse_size(val, 0, &v) < 0 || v > 1000000)
			return -1;
		x->fsync_every = (unsigned)v;
		return 0;
	}
	if (strcmp(name, "drain") == 0) {
		d = strtod(val, &end);
		if (end == val || *end != '\0' || !(d >= 0 && d <= 3600))
			return -1;
		x->drain_s = d;
		return 0;
	}
	if (strcmp(name, "spool") == 0) {
		if (val[0] == '\0')
			return -1;
		x->no_spool = strcmp(val, "none") == 0;
		free(x->spool_path);
		x->spool_path = NULL;
		if (!x->no_spool) {
			char why[256];  /* a bad value is reported by the caller */

			x->spool_path = cf_path_absolute(val, why, sizeof(why));
		}
		return x->no_spool || x->spool_path != NULL ? 0 : -1;
	}
	return 1;
}

static int filter_option(struct out *x, const char *name, const char *val)
{
	if (strcmp(name, "kinds") == 0)
		return parse_kinds(val, &x->kinds);
	if (strcmp(name, "min-severity") == 0) {
		x->min_severity = cf_severity_parse(val);
		return x->min_severity > 0 ? 0 : -1;
	}
	return 1;
}

static int is_queue_option(const char *name)
{
	static const char *const names[] = { "queue", "spool", "spool-max", "fsync", "drain" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* One NAME=VALUE option. */
static int apply_option(struct out *x, char *opt, char *err, size_t errlen)
{
	char *eq = strchr(opt, '=');
	int rc;

	*eq = '\0';
	rc = filter_option(x, opt, eq + 1);
	if (rc == 1 && x->ops->reliable)
		rc = reliable_option(x, opt, eq + 1);
	if (rc == 1 && x->ops->option != NULL)
		return x->ops->option(x, opt, eq + 1, err, errlen);
	if (rc == 1) {
		snprintf(err, errlen, "output '%s': unknown option '%s'%s", x->spec, opt,
			 is_queue_option(opt) ?
			 " (it is for tcp, unix, unixgram, kafka and syslog outputs)" : "");
		return -1;
	}
	if (rc < 0)
		snprintf(err, errlen, "output '%s': bad value '%s' for %s", x->spec, eq + 1, opt);
	return rc;
}

/*
 * Split a copy of the spec, buf, into scheme, target and options:
 * "scheme[:target][,NAME=VALUE]...".  The target runs to the first
 * comma-separated piece that holds '=' (so Kafka broker lists keep their
 * commas).  Sets x->ops and x->spec ("scheme:target", for messages: no
 * options, so no secrets); *opts is NULL when there are none.
 */
static int split_spec(struct out *x, char *buf, char **target, char **opts)
{
	size_t sl = strcspn(buf, ":,"), tl;
	char sep = buf[sl], *c = NULL, *p;

	buf[sl] = '\0';
	x->ops = find_driver(buf, sl);
	if (x->ops == NULL)
		return -1;
	*target = buf + sl;             /* "" */
	*opts = sep == ',' ? buf + sl + 1 : NULL;
	if (sep == ':') {
		*target = buf + sl + 1;
		for (p = *target; (c = strchr(p, ',')) != NULL; p = c + 1) {
			tl = strcspn(c + 1, ",");
			if (memchr(c + 1, '=', tl) != NULL)
				break;
		}
		if (c != NULL) {
			*c = '\0';
			*opts = c + 1;
		}
	}
	tl = sl + strlen(*target) + 2;
	x->spec = malloc(tl);
	if (x->spec == NULL)
		return -2;
	snprintf(x->spec, tl, "%s%s%s", buf, (*target)[0] ? ":" : "", *target);
	return 0;
}

static int apply_options(struct out *x, char *opts, char *err, size_t errlen)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(opts, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strchr(tok, '=') == NULL) {
			snprintf(err, errlen, "output '%s': expected NAME=VALUE, not '%s'", x->spec, tok);
			return -1;
		}
		if (apply_option(x, tok, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int check_target(struct out *x, const char *target, char *err, size_t errlen)
{
	int want = x->ops != &out_stdout_ops && x->ops != &out_syslog_ops;

	if (want && target[0] == '\0') {
		snprintf(err, errlen, "output '%s': %s: needs a target (see callfence(8), OUTPUTS)",
			 x->spec, x->ops->scheme);
		return -1;
	}
	if (x->ops == &out_stdout_ops && target[0] != '\0') {
		snprintf(err, errlen, "unknown output '%s'", x->spec);
		return -1;
	}
	return 0;
}

/* ---- the spool of a reliable output --------------------------------- */

/* DIR/SCHEME-TARGET.spool, the target's odd characters made '_'. */
static char *default_spool_path(const struct out *x, const char *dir)
{
	size_t n = strlen(dir) + strlen(x->spec) + 8, i, d;
	char *p = malloc(n);

	if (p == NULL)
		return NULL;
	d = (size_t)snprintf(p, n, "%s/", dir);
	for (i = 0; x->spec[i] != '\0' && i < 200; i++) {
		char c = x->spec[i];

		p[d++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' ? c :
			 c == ':' || c == '/' || c == '-' ? '-' : '_';
	}
	snprintf(p + d, n - d, ".spool");
	return p;
}

static int open_spool(struct out *x, const char *dir, char *err, size_t errlen)
{
	struct cf_spool *sp = NULL;

	if (!x->no_spool) {
		if (x->spool_path == NULL) {
			int made = mkdir(dir, 0700) == 0;

			if (!made && errno != EEXIST) {
				snprintf(err, errlen, "output '%s': cannot create spool directory %s: %s "
					 "(give --spool-dir DIR, spool=PATH or spool=none)",
					 x->spec, dir, strerror(errno));
				return -1;
			}
			x->spool_path = default_spool_path(x, dir);
			x->spool_in_default_dir = 1;
			x->spool_dir_made = made;
			if (x->spool_path == NULL) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		sp = cf_spool_open(x->spool_path, x->spool_max, x->fsync_every, err, errlen);
		if (sp == NULL)
			return -1;
	}
	outq_init(&x->q, x->queue_max, x->spool_max, sp, &x->st);
	return 0;
}

/* ---- adding an output ----------------------------------------------- */

struct out *out_new(struct cf_outputs *o)
{
	struct out *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->owner = o;
	x->queue_max = DEF_QUEUE;
	x->spool_max = DEF_SPOOL_MAX;
	x->fsync_every = DEF_FSYNC;
	x->drain_s = DEF_DRAIN;
	return x;
}

void out_free(struct out *x)
{
	uint64_t kept;

	if (x == NULL)
		return;
	if (x->ops != NULL && x->ops->reliable)
		outq_close(&x->q, &kept);
	if (x->ops != NULL && x->ops->close != NULL && (x->priv != NULL || x->aux != NULL))
		x->ops->close(x);
	free(x->spool_path);
	free(x->spec);
	free(x);
}

int out_setup(struct out *x, const char *spec, char *buf, const char *spool_dir,
	      char *err, size_t errlen)
{
	char *target, *opts;
	int rc = split_spec(x, buf, &target, &opts);

	if (rc == -1) {
		snprintf(err, errlen, "unknown output '%s' (expected stdout, file:PATH, "
			 "syslog[:FACILITY], unix:PATH, unixgram:PATH, tcp:HOST:PORT, "
			 "syslog-tcp:HOST:PORT, syslog-tls:HOST:PORT or kafka:BROKERS/TOPIC)", spec);
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->no_spool = x->ops->memory_only;
	if ((opts != NULL && apply_options(x, opts, err, errlen) < 0) ||
	    check_target(x, target, err, errlen) < 0)
		return -1;
	/* socket paths absolute, so that a daemon's chdir("/") does not
	 * change where a reconnection goes (file: does this itself) */
	if ((x->ops == &out_unix_ops || x->ops == &out_unixgram_ops) && target[0] != '/') {
		char *abs = cf_path_absolute(target, err, errlen);

		rc = abs != NULL ? x->ops->open(x, abs, err, errlen) : -1;
		free(abs);
	} else {
		rc = x->ops->open(x, target, err, errlen);
	}
	if (rc < 0)
		return -1;
	return x->ops->reliable ? open_spool(x, spool_dir, err, errlen) : 0;
}
