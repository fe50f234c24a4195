/*
 * main-report.c - the auditor's HTML report: "callfence report" builds it
 * from events files; "-r FILE --html REPORT.html" at the end of an
 * offline run (main.c), from the run's own events, read back from an
 * unlinked temporary file that an extra file output wrote.
 *
 * Why a temporary file and not the events in memory: the report is then
 * made by exactly the code "callfence report" runs on a daemon's file
 * (the same reader, the same grouping), the engine and outputs stay as
 * they are, and memory does not grow with the run.  Everything the report
 * reads besides the events (rules, country shapes) is read before the
 * capture, since the sandbox lets nothing be opened for reading after.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture-dump.h"
#include "event/event-read.h"
#include "main-opts.h"
#include "policy/policy.h"
#include "report/audit.h"

#ifndef CF_PKGDATADIR
#define CF_PKGDATADIR "/usr/local/share/callfence"
#endif

#define EXIT_CONFIG 2
#define EXIT_IO 3
#define WORLD_FILE "world-countries.txt"

static const char report_usage[] =
"Usage: callfence report [-o REPORT.html] [--since T] [--until T] [-R RULES]\n"
"                        [--world FILE] EVENTS.json...\n"
"\n"
"Build the auditor's HTML report (one self-contained file) from callfence's\n"
"NDJSON events: a daemon's file, several gateways' files (merged, each named\n"
"by observer.hostname) or an export from a SIEM; - reads standard input.\n"
"\n"
"  -o FILE          the report (default: report.html; - for standard output)\n"
"  --since T        leave out events before T (2024-03-01, 2024-03-01T10:00:00Z\n"
"                   or seconds since 1970)\n"
"  --until T        leave out events after T\n"
"  -R FILE          the rules whose permitted jurisdiction the map shows\n"
"                   (default: the rules file the events' run summary names)\n"
"  --world FILE     country shapes (default: DATADIR/geodb/" WORLD_FILE ")\n"
"  -h, --help       this text\n"
"\n"
"Malformed lines are counted and shown in the report, never fatal.\n"
"Exit status: 0 written, 2 usage error, 3 an events file or the report\n"
"could not be read or written.  See callfence(8), THE AUDIT REPORT.\n";

static void add_incdirs(const char **dirs, size_t *n, char *buf, size_t len)
{
	const char *env = getenv("CALLFENCE_DATADIR");

	*n = 0;
	if (env != NULL && *env) {
		snprintf(buf, len, "%s/rules", env);
		dirs[(*n)++] = buf;
	}
	dirs[(*n)++] = CF_PKGDATADIR "/rules";
}

/* The policy's permitted jurisdiction onto the map; quiet when the
 * rules cannot be read (the report says it is unknown). */
static void permit_from_rules(struct cf_audit *a, const char *rules, const char *const *dirs,
			      size_t n, int verbose)
{
	char err[1024], label[128] = "", cc[3];
	const char *const *names;
	struct cf_policy *p;
	size_t i;
	int x, y;

	if (rules == NULL || *rules == '\0')
		return;
	p = cf_policy_load(rules, dirs, n, err, sizeof(err));
	if (p == NULL) {
		if (verbose)
			fprintf(stderr, "callfence: report: permitted jurisdiction unknown: %s\n", err);
		return;
	}
	names = cf_policy_permitted(p);
	for (i = 0; names != NULL && names[i] != NULL; i++) {
		size_t used = strlen(label);

		snprintf(label + used, sizeof(label) - used, "%s%s", used ? ", " : "", names[i]);
		for (x = 0; x < 26; x++)
			for (y = 0; y < 26; y++) {
				cc[0] = (char)('A' + x);
				cc[1] = (char)('A' + y);
				cc[2] = '\0';
				if (cf_policy_in_jurisdiction(p, names[i], cc) == 1 ||
				    strcmp(names[i], cc) == 0)
					cf_audit_permit(a, cc);
			}
	}
	{
		const char *base = strrchr(rules, '/');
		char full[256];

		if (label[0])
			snprintf(full, sizeof(full), "%s (%s)", label, base ? base + 1 : rules);
		else
			snprintf(full, sizeof(full), "none named: %s permits no jurisdiction by "
				 "name", base ? base + 1 : rules);
		cf_audit_permit_label(a, full);
	}
	cf_policy_free(p);
}

static void load_world(struct cf_audit *a, const char *world)
{
	const char *env = getenv("CALLFENCE_DATADIR");
	char path[PATH_MAX], err[600];

	if (world == NULL) {
		snprintf(path, sizeof(path), "%s/geodb/%s", CF_PKGDATADIR, WORLD_FILE);
		if (env != NULL && *env) {
			char envp[PATH_MAX];

			snprintf(envp, sizeof(envp), "%s/geodb/%s", env, WORLD_FILE);
			if (access(envp, R_OK) == 0 || access(path, R_OK) != 0)
				snprintf(path, sizeof(path), "%s", envp);
		}
		world = path;
	}
	cf_audit_world(a, world, err, sizeof(err));   /* the report says why not */
}

static void set_generator(struct cf_audit *a)
{
	cf_audit_generator(a, "callfence " PACKAGE_VERSION);
}

static int write_report(struct cf_audit *a, const char *out)
{
	char err[1024];
	FILE *f;
	int rc;

	if (strcmp(out, "-") == 0) {
		f = stdout;
	} else if ((f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "callfence: %s: cannot write the report: %s\n", out, strerror(errno));
		return EXIT_IO;
	}
	rc = cf_audit_write(a, f, out, err, sizeof(err));
	if (f != stdout && fclose(f) != 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s: write error: %s", out, strerror(errno));
		rc = -1;
	}
	if (rc < 0) {
		fprintf(stderr, "callfence: %s\n", err);
		return EXIT_IO;
	}
	return 0;
}

/* --since / --until: a date, a time, or seconds since the epoch. */
static int parse_when(const char *opt, const char *s, double *out)
{
	char buf[64], *end;
	double t;

	t = strtod(s, &end);
	if (end != s && *end == '\0' && t >= 0) {
		*out = t;
		return 0;
	}
	if (strlen(s) == 10) {
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		s = buf;
	}
	t = cf_event_parse_time(s);
	if (t < 0) {
		fprintf(stderr, "callfence: report: %s '%s': not a time (2024-03-01, "
			"2024-03-01T10:00:00Z or seconds since 1970)\n", opt, s);
		return -1;
	}
	*out = t;
	return 0;
}

int cf_cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "rules", required_argument, NULL, 'R' },
		{ "world", required_argument, NULL, 'W' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = "report.html", *rules = NULL, *world = NULL, *dirs[2];
	char incbuf[PATH_MAX];
	size_t ndirs;
	double since = 0, until = 0;
	struct cf_audit *a;
	char err[1024];
	int c, i, rc = 0, verbose = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:R:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'R': rules = optarg; break;
		case 'W': world = optarg; break;
		case 'v': verbose = 1; break;
		case 'S': if (parse_when("--since", optarg, &since) < 0) return EXIT_CONFIG; break;
		case 'U': if (parse_when("--until", optarg, &until) < 0) return EXIT_CONFIG; break;
		case 'h': fputs(report_usage, stdout); return 0;
		default:
			fprintf(stderr, "callfence: report: unknown option or missing argument: %s\n"
				"Try 'callfence report --help'.\n", argv[optind - 1]);
			return EXIT_CONFIG;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "callfence: report: give one or more events files (- for standard "
			"input)\nTry 'callfence report --help'.\n");
		return EXIT_CONFIG;
	}
	if ((a = cf_audit_new()) == NULL) {
		fprintf(stderr, "callfence: out of memory\n");
		return EXIT_IO;
	}
	set_generator(a);
	cf_audit_period(a, since, until);
	for (i = optind; i < argc; i++) {
		FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");

		if (f == NULL) {
			fprintf(stderr, "callfence: %s: %s\n", argv[i], strerror(errno));
			rc = EXIT_IO;
			continue;
		}
		if (cf_audit_read(a, f, strcmp(argv[i], "-") == 0 ? "(standard input)" : argv[i],
				  err, sizeof(err)) < 0) {
			fprintf(stderr, "callfence: %s\n", err);
			rc = EXIT_IO;
		}
		if (f != stdin)
			fclose(f);
	}
	add_incdirs(dirs, &ndirs, incbuf, sizeof(incbuf));
	permit_from_rules(a, rules ? rules : cf_audit_rules_path(a), dirs, ndirs, verbose);
	load_world(a, world);
	if (rc == 0)
		rc = write_report(a, out);
	cf_audit_free(a);
	return rc;
}

/* ---- -r FILE --html REPORT.html ----------------------------------- */

struct cf_html_run {
	struct cf_audit *a;
	struct cf_rescan *rescan;    /* --evidence: the captures, opened again */
	FILE *events;                /* the temporary file, unlinked, read back */
	char spec[PATH_MAX + 16];    /* the file output that writes it */
};

/* The directory of path, absolute ("" on failure). */
static void abs_dir_of(const char *path, char *out, size_t len, int is_dir)
{
	char tmp[PATH_MAX], *slash;

	snprintf(tmp, sizeof(tmp), "%s", path);
	if (!is_dir) {
		slash = strrchr(tmp, '/');
		if (slash == NULL)
			snprintf(tmp, sizeof(tmp), ".");
		else if (slash == tmp)
			tmp[1] = '\0';
		else
			*slash = '\0';
	}
	if (realpath(tmp, out) == NULL || strlen(out) >= len)
		out[0] = '\0';
}

/*
 * --evidence DIR: made now, the captures opened again now (the sandbox
 * comes next); the report links DIR relative to its own directory when
 * DIR is under it, by its absolute path otherwise.
 */
static int evidence_open(struct cf_html_run *h, const struct cf_opts *o, char *err,
			 size_t errlen)
{
	char ev[PATH_MAX], html[PATH_MAX];
	size_t skipped, n;

	if (mkdir(o->evidence_dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "--evidence: %s: %s", o->evidence_dir, strerror(errno));
		return -1;
	}
	h->rescan = cf_rescan_open((const char *const *)o->inputs, o->n_inputs, &skipped,
				   err, errlen);
	if (h->rescan == NULL)
		return -1;
	if (skipped)
		fprintf(stderr, "callfence: --evidence: standard input cannot be read twice: "
			"no evidence capture of its flows\n");
	abs_dir_of(o->evidence_dir, ev, sizeof(ev), 1);
	abs_dir_of(o->html_path ? o->html_path : ".", html, sizeof(html), 0);
	n = strlen(html);
	if (ev[0] && html[0] && strncmp(ev, html, n) == 0 && ev[n] == '/')
		cf_audit_evidence_href(h->a, ev + n + 1);
	else if (ev[0] && strcmp(ev, html) == 0)
		cf_audit_evidence_href(h->a, "");
	else
		cf_audit_evidence_href(h->a, ev[0] ? ev : o->evidence_dir);
	return 0;
}

struct cf_html_run *cf_html_run_open(const struct cf_opts *o, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	struct cf_html_run *h = calloc(1, sizeof(*h));
	char path[PATH_MAX];
	int fd;

	if (h == NULL || (h->a = cf_audit_new()) == NULL) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/callfence-html-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0 || (h->events = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "--html: cannot make a temporary file in %s: %s "
			 "(set TMPDIR)", tmp && *tmp ? tmp : "/tmp", strerror(errno));
		if (fd >= 0)
			close(fd);
		cf_audit_free(h->a);
		free(h);
		return NULL;
	}
	/* the output opens it by name (truncating: same file), then it goes */
	snprintf(h->spec, sizeof(h->spec), "file:%s", path);
	set_generator(h->a);
	if (o->evidence_dir != NULL && evidence_open(h, o, err, errlen) < 0) {
		unlink(path);
		cf_html_run_free(h);
		return NULL;
	}
	permit_from_rules(h->a, o->rules, o->incdirs, o->n_incdirs, 1);
	load_world(h->a, NULL);
	return h;
}

const char *cf_html_run_output(const struct cf_html_run *h)
{
	return h->spec;
}

/* After the output opened it: the name goes, our descriptor stays. */
void cf_html_run_unlink(struct cf_html_run *h)
{
	unlink(h->spec + 5);
}

int cf_html_run_finish(struct cf_html_run *h, const struct cf_opts *o)
{
	char err[1024];
	int rc = 0;

	rewind(h->events);
	if (cf_audit_read(h->a, h->events, "(this run's events)", err, sizeof(err)) < 0) {
		fprintf(stderr, "callfence: --html: %s\n", err);
		return EXIT_IO;
	}
	if (h->rescan != NULL &&
	    cf_audit_evidence(h->a, h->rescan, o->evidence_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "callfence: --evidence: %s\n", err);
		rc = EXIT_IO;
	}
	if (o->html_path != NULL) {
		int wrc = write_report(h->a, o->html_path);

		if (wrc != 0)
			rc = wrc;
	}
	return rc;
}

void cf_html_run_free(struct cf_html_run *h)
{
	if (h == NULL)
		return;
	if (h->events != NULL)
		fclose(h->events);
	cf_rescan_close(h->rescan);
	cf_audit_free(h->a);
	free(h);
}
