/*
 * main-opts.c - option parsing, default file locations, and the commands
 * that need no capture: --check-rules and --lookup.
 */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify/classify.h"
#include "event/communityid.h"
#include "geo/geo.h"
#include "geo/plausible.h"
#include "event/provenance.h"
#include "main-opts.h"
#include "engine/runner.h"
#include "util/netaddr.h"
#include "output/output.h"
#include "policy/policy.h"
#include "sandbox/sandbox.h"

#ifndef CF_PKGDATADIR
#define CF_PKGDATADIR "/usr/local/share/callfence"
#endif
#ifndef CF_SYSCONFDIR
#define CF_SYSCONFDIR "/usr/local/etc"
#endif

static const char usage_text[] =
"Usage: callfence [options] -r FILE [-r FILE ...] [BPF filter]\n"
"       callfence [options] -i IFACE [-i IFACE ...] [-D] [BPF filter]\n"
"       callfence --check-rules [--strict] [-R RULES]\n"
"       callfence --lookup IP [--rtt MS] [-R RULES] [-G MMDB ...]\n"
"       callfence report [-o REPORT.html] [--since T] [--until T] EVENTS.json...\n"
"\n"
"Audit video-call traffic against a jurisdiction policy: which app, which\n"
"role (key exchange, media, signaling, relay), which country.\n"
"\n"
"Input:\n"
"  -r FILE             read a pcap or pcapng capture (repeatable, read in order; - is stdin)\n"
"  [BPF filter]        words after the options form a libpcap filter\n"
"  -c, --config FILE   read options from FILE (callfence.conf(5)); the command line wins\n"
"                      (the systemd unit reads " CF_SYSCONFDIR "/callfence/callfence.conf)\n"
"Live capture (callfence(8), \"Live capture and daemon\"):\n"
"  -i IFACE            capture on IFACE (repeatable)\n"
"  -s SNAPLEN          bytes kept of each packet (default 262144)\n"
"  -B KIB              kernel capture buffer in KiB (default 4096)\n"
"  -p                  do not put the interfaces in promiscuous mode\n"
"  -D, --daemon        detach; messages go to syslog\n"
"  -P FILE             pidfile, locked (default /run/callfence.pid with -D)\n"
"  -u USER             run as USER once captures and files are open (output and\n"
"                      log files are given to USER; see callfence(8), SIGNALS)\n"
"  --log DEST          own messages: syslog, stderr or a file\n"
"  --stats-interval S  a stats event every S seconds (default 60, 0 off)\n"
"Policy and data:\n"
"  -R FILE             rules file (default: default.rules in the rules directory)\n"
"  -A, --catalog FILE  app catalog (default: apps.conf in the rules directory)\n"
"  -G FILE             MaxMind-format geography database (repeatable; first answer wins;\n"
"                      default: DATADIR/geodb, country and ASN databases)\n"
"  --observer-location LAT,LON|CC|PLACE  where the capture is taken (degrees,\n"
"                      a country code, or a place of DATADIR/geodb/places.txt such\n"
"                      as Frankfurt): check each remote end's country against the\n"
"                      round trips seen (callfence.geo; docs/geography.md)\n"
"  --world-shapes FILE country shapes for that check (default:\n"
"                      DATADIR/geodb/world-countries.txt, geodb/fetch-world.sh)\n"
"Output:\n"
"  -o SPEC             event output (repeatable; default stdout): stdout, file:PATH,\n"
"                      syslog[:FACILITY], unix:PATH, unixgram:PATH, tcp:HOST:PORT,\n"
"                      syslog-tcp:HOST:PORT, syslog-tls:HOST:PORT,\n"
"                      kafka:BROKERS/TOPIC; options follow: ,kinds=alert+flow+call\n"
"                      ,min-severity=high ,queue=N ,spool=PATH ,spool-max=SIZE ,drain=SEC\n"
"                      (callfence(8), OUTPUTS)\n"
"  --spool-dir DIR     spool files of tcp/unix/kafka outputs (default /var/spool/callfence)\n"
"  --alert-window SEC  fold repeats of an alert (rule, source, destination) for SEC seconds\n"
"  --community-id-seed N  seed of network.community_id (0-65535, default 0)\n"
"  --report FILE       write the run's summary as JSON\n"
"  --html FILE         write the auditor's report (one self-contained HTML file with a\n"
"                      world map, the calls, the alerts and their evidence; offline runs)\n"
"  --evidence DIR      a pcap of every alerted flow's first packets in DIR, linked and\n"
"                      hashed by the --html report (offline runs; reads the captures again)\n"
"  --all-flows         a flow event for every flow, not only audited call flows\n"
"  --fail-on SEVERITY  exit 1 if an alert of SEVERITY (low|medium|high|critical) or above\n"
"  -q, --quiet         no progress line, no summary table\n"
"  -v, --verbose       say which files are used\n"
"  --no-sandbox        no seccomp filter while reading captures (see callfence(8))\n"
"Limits:\n"
"  --max-flows N       flow table size (default 1000000)\n"
"  --tcp-timeout SEC   TCP idle timeout (default 300)\n"
"  --udp-timeout SEC   UDP idle timeout (default 120)\n"
"  --geo-cache N       addresses kept in the geography cache (default 65536)\n"
"  --dns-cache N       addresses kept in the DNS name cache (default 65536)\n"
"  --ndpi-flows N      flows holding nDPI state at once (default 131072);\n"
"                      later flows are classified without nDPI, counted\n"
"  --threads N         N worker threads, flows shared out by a symmetric hash\n"
"                      (default 1: no extra thread; callfence(8), PERFORMANCE)\n"
"Commands:\n"
"  --check-rules       validate the rules and catalog, print the compiled policy;\n"
"                      warn (FILE:LINE:COL: warning: ...) about unknown apps and\n"
"                      rules that never decide a flow\n"
"  --strict            with --check-rules: exit 2 on a warning too\n"
"  --lookup IP         what the databases (country, operator) and the policy say\n"
"                      about one address\n"
"  report ...          the auditor's HTML report from events files ('callfence report\n"
"                      --help')\n"
"  --rtt MS            with --lookup: check its country against a round trip of MS ms\n"
"  -h, --help          this text\n"
"  -V, --version       version and library versions\n"
"\n"
"Exit status: 0 done, 1 violation at or above --fail-on, 2 usage or\n"
"configuration error, 3 I/O error (also: events lost by an output).\n"
"See callfence(8), callfence.rules(5).\n";

/* Outputs. */
enum { OPT_COMMUNITY_ID_SEED = 768, OPT_ALERT_WINDOW, OPT_SPOOL_DIR };

enum {
	OPT_REPORT = 256, OPT_CHECK_RULES, OPT_LOOKUP, OPT_FAIL_ON, OPT_ALL_FLOWS,
	OPT_MAX_FLOWS, OPT_TCP_TIMEOUT, OPT_UDP_TIMEOUT, OPT_GEO_CACHE,
	OPT_NO_SANDBOX, OPT_THREADS, OPT_NDPI_FLOWS, OPT_STRICT, OPT_HTML, OPT_EVIDENCE,
	OPT_OBSERVER_LOCATION, OPT_WORLD_SHAPES, OPT_RTT
};

static const struct option long_opts[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "rules", required_argument, NULL, 'R' },
	{ "catalog", required_argument, NULL, 'A' },
	{ "geodb", required_argument, NULL, 'G' },
	{ "output", required_argument, NULL, 'o' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "evidence", required_argument, NULL, OPT_EVIDENCE },
	{ "all-flows", no_argument, NULL, OPT_ALL_FLOWS },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "tcp-timeout", required_argument, NULL, OPT_TCP_TIMEOUT },
	{ "udp-timeout", required_argument, NULL, OPT_UDP_TIMEOUT },
	{ "geo-cache", required_argument, NULL, OPT_GEO_CACHE },
	{ "community-id-seed", required_argument, NULL, OPT_COMMUNITY_ID_SEED },
	{ "alert-window", required_argument, NULL, OPT_ALERT_WINDOW },
	{ "spool-dir", required_argument, NULL, OPT_SPOOL_DIR },
	{ "config", required_argument, NULL, 'c' },
	{ "interface", required_argument, NULL, 'i' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "no-promiscuous-mode", no_argument, NULL, 'p' },
	{ "daemon", no_argument, NULL, 'D' },
	{ "pidfile", required_argument, NULL, 'P' },
	{ "user", required_argument, NULL, 'u' },
	{ "log", required_argument, NULL, CF_OPT_LOG },
	{ "stats-interval", required_argument, NULL, CF_OPT_STATS_INTERVAL },
	{ "dns-cache", required_argument, NULL, CF_OPT_DNS_CACHE },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "ndpi-flows", required_argument, NULL, OPT_NDPI_FLOWS },
	{ "check-rules", no_argument, NULL, OPT_CHECK_RULES },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "lookup", required_argument, NULL, OPT_LOOKUP },
	{ "rtt", required_argument, NULL, OPT_RTT },
	{ "observer-location", required_argument, NULL, OPT_OBSERVER_LOCATION },
	{ "world-shapes", required_argument, NULL, OPT_WORLD_SHAPES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static int no_sandbox;   /* --no-sandbox */

/*
 * The seccomp sandbox (sandbox.h) of an offline run: on unless
 * --no-sandbox, or an output other than stdout and files is asked for
 * (sockets, spools: the filter has no room for them).  --report is
 * written after the capture: the filter then lets it be created.
 */
static unsigned sandbox_flags(const struct cf_opts *o)
{
	const char *s;
	size_t i, n;

	if (o->mode != CF_MODE_OFFLINE || no_sandbox)
		return 0;
	for (i = 0; i < o->n_outputs; i++) {
		s = o->outputs[i];
		n = strcspn(s, ",");
		if (!(n == 6 && strncmp(s, "stdout", 6) == 0) &&
		    !(n == 1 && s[0] == '-') && strncmp(s, "file:", 5) != 0)
			return 0;
	}
	return CF_SANDBOX_ON |
	       (o->report_path != NULL || o->html_path != NULL || o->evidence_dir != NULL ?
		CF_SANDBOX_CREATE : 0);
}

static char *keep(struct cf_opts *o, char *s)
{
	if (s != NULL && o->n_owned < sizeof(o->owned) / sizeof(o->owned[0]))
		o->owned[o->n_owned++] = s;
	return s;
}

static int add_list(char **list, size_t *n, char *v, const char *what,
		    char *err, size_t errlen)
{
	if (*n >= CF_MAX_LIST) {
		snprintf(err, errlen, "too many %s (at most %d)", what, CF_MAX_LIST);
		return -1;
	}
	list[(*n)++] = v;
	list[*n] = NULL;
	return 0;
}

/* A whole number in [min, max]; -1 with a message otherwise. */
int cf_opts_parse_num(const char *opt, const char *s, long long min, long long max,
		     long long *out, char *err, size_t errlen)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		snprintf(err, errlen, "%s: '%s' is not a number from %lld to %lld",
			 opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* First readable of dir/name over the data directories; NULL if none. */
static char *find_data(struct cf_opts *o, const char *sub, const char *name)
{
	const char *env = getenv("CALLFENCE_DATADIR");
	const char *dirs[2] = { env, CF_PKGDATADIR };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < 2; i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", dirs[i], sub, name);
		if (access(path, R_OK) == 0)
			return keep(o, strdup(path));
	}
	return NULL;
}

static void find_default_geo(struct cf_opts *o)
{
	const char *env = getenv("CALLFENCE_DATADIR");
	char envdir[PATH_MAX];
	const char *dirs[5];
	char *found[CF_MAX_LIST];
	const char *base;
	size_t nd = 0, n, i;
	int country = 0, asn = 0;

	if (env != NULL && env[0] != '\0') {
		snprintf(envdir, sizeof(envdir), "%s/geodb", env);
		dirs[nd++] = envdir;
	}
	dirs[nd++] = CF_PKGDATADIR "/geodb";
	dirs[nd++] = "/usr/share/GeoIP";
	dirs[nd++] = "/var/lib/GeoIP";
	n = cf_geo_find_default(dirs, nd, found, CF_MAX_LIST);
	for (i = 0; i < n; i++) {
		base = strrchr(found[i], '/');
		base = base != NULL ? base + 1 : found[i];
		country |= strcmp(base, CF_GEO_DEFAULT_COUNTRY) == 0;
		asn |= strcmp(base, CF_GEO_DEFAULT_ASN) == 0;
		o->geo[o->n_geo++] = keep(o, found[i]);
		o->geo[o->n_geo] = NULL;
	}
	/* callfence's own databases, the ASN one missing: say so, go on */
	if (country && !asn)
		fprintf(stderr, "callfence: warning: no ASN database (%s next to %s): "
			"the remote ends' operators (as.*, rules' operator and asn) stay "
			"unknown; run geodb/fetch-asn.sh\n", CF_GEO_DEFAULT_ASN, CF_GEO_DEFAULT_COUNTRY);
}

static int join_filter(struct cf_opts *o, int argc, char **argv, int first)
{
	size_t len = 0;
	int i;

	if (first >= argc)
		return 0;
	for (i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o->filter = keep(o, calloc(1, len + 1));
	if (o->filter == NULL)
		return -1;
	for (i = first; i < argc; i++) {
		if (i > first)
			strcat(o->filter, " ");
		strcat(o->filter, argv[i]);
	}
	return 0;
}

/* -V: callfence's version and its libraries' (provenance.c). */
static void print_version(void)
{
	cf_versions_print(stdout);
}

/* Output options: process-wide settings of the output and event modules.
 * 0 done, -1 bad value, 1 not an output option. */
static int handle_output_opt(int c, const char *arg, char *err, size_t errlen)
{
	long long v;

	switch (c) {
	case OPT_COMMUNITY_ID_SEED:
		if (cf_opts_parse_num("--community-id-seed", arg, 0, 65535, &v, err, errlen) < 0)
			return -1;
		cf_community_id_set_seed((uint16_t)v);
		return 0;
	case OPT_ALERT_WINDOW:
		if (cf_opts_parse_num("--alert-window", arg, 0, 86400, &v, err, errlen) < 0)
			return -1;
		cf_outputs_set_alert_window((unsigned)v);
		return 0;
	case OPT_SPOOL_DIR:
		cf_outputs_set_spool_dir(arg);
		return 0;
	}
	return 1;
}

static int handle_long(struct cf_opts *o, int c, const char *arg, char *err, size_t errlen)
{
	long long v;
	int rc;

	switch (c) {
	case OPT_REPORT: o->report_path = arg; return 0;
	case OPT_HTML: o->html_path = arg; return 0;
	case OPT_EVIDENCE: o->evidence_dir = arg; return 0;
	case OPT_ALL_FLOWS: o->all_flows = 1; return 0;
	case OPT_CHECK_RULES: o->mode = CF_MODE_CHECK_RULES; return 0;
	case OPT_STRICT: o->strict = 1; return 0;
	case OPT_LOOKUP: o->mode = CF_MODE_LOOKUP; o->lookup_ip = arg; return 0;
	case OPT_FAIL_ON:
		o->fail_on = cf_severity_parse(arg);
		if (o->fail_on <= 0) {
			snprintf(err, errlen, "--fail-on: unknown severity '%s' (low, medium, high, critical)", arg);
			return -1;
		}
		return 0;
	case OPT_MAX_FLOWS:
		if (cf_opts_parse_num("--max-flows", arg, 16, 100000000, &v, err, errlen) < 0)
			return -1;
		o->limits.max_flows = (uint32_t)v;
		return 0;
	case OPT_TCP_TIMEOUT:
	case OPT_UDP_TIMEOUT:
		if (cf_opts_parse_num(c == OPT_TCP_TIMEOUT ? "--tcp-timeout" : "--udp-timeout",
			      arg, 1, 86400, &v, err, errlen) < 0)
			return -1;
		if (c == OPT_TCP_TIMEOUT)
			o->limits.tcp_idle_us = (uint64_t)v * 1000000u;
		else
			o->limits.udp_idle_us = (uint64_t)v * 1000000u;
		return 0;
	case OPT_GEO_CACHE:
		if (cf_opts_parse_num("--geo-cache", arg, 16, 100000000, &v, err, errlen) < 0)
			return -1;
		o->geo_cache = (size_t)v;
		return 0;
	case OPT_NO_SANDBOX:
		no_sandbox = 1;
		return 0;
	case OPT_OBSERVER_LOCATION: o->observer_location = arg; return 0;
	case OPT_WORLD_SHAPES: o->world_shapes = arg; return 0;
	case OPT_RTT:
		if ((o->lookup_rtt_us = cf_main_parse_rtt(arg)) < 0) {
			snprintf(err, errlen, "--rtt: '%s' is not a round trip in milliseconds "
				 "(0 to 100000, e.g. 4 or 12.5)", arg);
			return -1;
		}
		return 0;
	case OPT_NDPI_FLOWS:
		if (cf_opts_parse_num("--ndpi-flows", arg, 16, 100000000, &v, err, errlen) < 0)
			return -1;
		o->ndpi_flows = (size_t)v;
		return 0;
	case OPT_THREADS:
		if (cf_opts_parse_num("--threads", arg, 1, CF_MAX_THREADS, &v, err, errlen) < 0)
			return -1;
		o->threads = (unsigned)v;
		return 0;
	}
	rc = handle_output_opt(c, arg, err, errlen);
	if (rc <= 0)
		return rc;
	return cf_opts_live(o, c, (char *)arg, err, errlen);
}

static int handle_opt(struct cf_opts *o, int c, char *arg, char *err, size_t errlen)
{
	switch (c) {
	case 'r':
		cf_opts_list_from(o, CF_LIST_INPUTS);
		return add_list(o->inputs, &o->n_inputs, arg, "-r files", err, errlen);
	case 'G':
		cf_opts_list_from(o, CF_LIST_GEO);
		return add_list(o->geo, &o->n_geo, arg, "-G databases", err, errlen);
	case 'o':
		cf_opts_list_from(o, CF_LIST_OUTPUT);
		return add_list(o->outputs, &o->n_outputs, arg, "-o outputs", err, errlen);
	case 'R': o->rules = arg; return 0;
	case 'A': o->catalog = arg; return 0;
	case 'q': o->quiet = 1; return 0;
	case 'v': o->verbose++; return 0;
	case 'h': fputs(usage_text, stdout); return 1;
	case 'V': print_version(); return 1;
	case '?':
		snprintf(err, errlen, "bad option");
		return -1;
	}
	return handle_long(o, c, arg, err, errlen);
}

/* include looks next to the including file, then in the rules directories. */
static void fill_incdirs(struct cf_opts *o)
{
	const char *env = getenv("CALLFENCE_DATADIR");
	char path[PATH_MAX];

	if (env != NULL && env[0] != '\0') {
		snprintf(path, sizeof(path), "%s/rules", env);
		o->incdirs[o->n_incdirs++] = keep(o, strdup(path));
	}
	o->incdirs[o->n_incdirs++] = CF_PKGDATADIR "/rules";
}

static int fill_defaults(struct cf_opts *o, char *err, size_t errlen)
{
	fill_incdirs(o);
	if (o->rules == NULL && (o->rules = find_data(o, "rules", "default.rules")) == NULL) {
		snprintf(err, errlen, "no rules file: give -R FILE (default.rules not found in %s/rules "
			 "nor in $CALLFENCE_DATADIR/rules)", CF_PKGDATADIR);
		return -1;
	}
	if (o->catalog == NULL)
		o->catalog = find_data(o, "rules", "apps.conf");
	if (o->n_geo == 0 && o->mode != CF_MODE_CHECK_RULES) {
		find_default_geo(o);
		if (o->n_geo == 0) {
			snprintf(err, errlen, "no geography database: give -G FILE, or run "
				 "geodb/fetch-default.sh (looked in $CALLFENCE_DATADIR/geodb, %s/geodb, "
				 "/usr/share/GeoIP, /var/lib/GeoIP)", CF_PKGDATADIR);
			return -1;
		}
	}
	return 0;
}

#define OPTSTRING "+r:R:A:G:o:qvhVc:i:s:B:pDP:u:"

int cf_opts_apply(struct cf_opts *o, const char *name, char *value,
		  char *err, size_t errlen)
{
	const struct option *l;

	for (l = long_opts; l->name != NULL; l++)
		if (strcmp(l->name, name) == 0)
			return handle_opt(o, l->val, value, err, errlen);
	snprintf(err, errlen, "unknown key");
	return -1;
}

/* -c FILE first, so that the command line can override what it sets. */
static int load_config_first(struct cf_opts *o, int argc, char **argv,
			     char *err, size_t errlen)
{
	const char *path = NULL;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, OPTSTRING, long_opts, NULL)) != -1)
		if (c == 'c')
			path = optarg;
	optind = 1;
	if (path == NULL)
		return 0;
	return cf_opts_load_config(o, path, err, errlen);
}

int cf_opts_parse(struct cf_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	no_sandbox = 0;
	cf_flow_limits_default(&o->limits);
	o->stats_interval = -1;
	o->lookup_rtt_us = -1;
	if (load_config_first(o, argc, argv, err, errlen) < 0)
		return -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, OPTSTRING, long_opts, NULL)) != -1) {
		if (c == '?') {
			if (optopt != 0)
				snprintf(err, errlen, "option -%c: unknown or needs an argument", optopt);
			else
				snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
		rc = handle_opt(o, c, optarg, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (join_filter(o, argc, argv, optind) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->mode == CF_MODE_OFFLINE && o->n_inputs > 0 && o->n_ifaces > 0) {
		snprintf(err, errlen, "give -r FILE or -i INTERFACE, not both");
		return -1;
	}
	if (o->observer_location != NULL) {
		struct cf_observer obs;

		if (cf_observer_parse(o->observer_location, &obs, err, errlen) < 0)
			return -1;
	}
	if (o->lookup_rtt_us >= 0 && o->mode != CF_MODE_LOOKUP) {
		snprintf(err, errlen, "--rtt goes with --lookup only");
		return -1;
	}
	if (o->strict && o->mode != CF_MODE_CHECK_RULES) {
		snprintf(err, errlen, "--strict goes with --check-rules only");
		return -1;
	}
	if (o->mode == CF_MODE_OFFLINE && o->n_ifaces > 0)
		o->mode = CF_MODE_LIVE;
	if (o->mode == CF_MODE_OFFLINE && o->n_inputs == 0) {
		snprintf(err, errlen, "nothing to read: give -r FILE or -i INTERFACE");
		return -1;
	}
	if (o->stats_interval < 0)
		o->stats_interval = 60;
	o->progress = !o->quiet && o->mode == CF_MODE_OFFLINE && isatty(STDERR_FILENO);
	cf_sandbox_arm(sandbox_flags(o));
	return fill_defaults(o, err, errlen);
}

void cf_opts_free(struct cf_opts *o)
{
	size_t i;

	for (i = 0; i < o->n_owned; i++)
		free(o->owned[i]);
	o->n_owned = 0;
	free(o->config_text);
	o->config_text = NULL;
}
