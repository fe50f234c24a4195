/*
 * main-opts.h - the command line and the small commands (--check-rules,
 * --lookup) that need no capture.
 */
#ifndef CF_MAIN_OPTS_H
#define CF_MAIN_OPTS_H

#include <stddef.h>
#include "flow/flow.h"

enum cf_mode { CF_MODE_OFFLINE = 0, CF_MODE_CHECK_RULES, CF_MODE_LOOKUP, CF_MODE_LIVE };

#define CF_MAX_LIST 64

struct cf_opts {
	enum cf_mode mode;
	char *inputs[CF_MAX_LIST + 1];   /* NULL-terminated */
	size_t n_inputs;
	char *geo[CF_MAX_LIST + 1];
	size_t n_geo;
	char *outputs[CF_MAX_LIST + 1];
	size_t n_outputs;
	const char *rules;
	const char *incdirs[4];           /* where include looks after the file's own dir */
	size_t n_incdirs;
	const char *catalog;
	const char *report_path;
	const char *html_path;           /* --html: the auditor's report */
	const char *evidence_dir;        /* --evidence: alerted flows' packets */
	const char *lookup_ip;
	char *filter;                    /* joined BPF words, or NULL */
	int quiet, verbose, progress, all_flows;
	int strict;                      /* --strict: --check-rules warnings fail */
	int fail_on;                     /* enum cf_severity; 0: never */
	struct cf_flow_limits limits;
	size_t geo_cache;
	unsigned threads;                /* --threads: workers; 0/1: none */
	size_t ndpi_flows;               /* --ndpi-flows; 0: default */
	/* the speed-of-light check (main-geo.c, docs/geography.md) */
	const char *observer_location;   /* --observer-location LAT,LON or CC */
	const char *world_shapes;        /* --world-shapes FILE; NULL: geodb's */
	long long lookup_rtt_us;         /* --rtt MS with --lookup; -1 none */
	char *owned[4 * CF_MAX_LIST + 8];   /* strings to free */
	size_t n_owned;

	/* Live capture and daemon (main-live.c, main.c, daemon-*.c). */
	char *ifaces[CF_MAX_LIST + 1];   /* -i, NULL-terminated */
	size_t n_ifaces;
	int snaplen;                     /* -s; 0: default */
	int buffer_kib;                  /* -B; 0: libpcap's default */
	int no_promisc;                  /* -p */
	int daemonize;                   /* -D */
	const char *pidfile;             /* -P; NULL: default under -D, none otherwise */
	const char *user;                /* -u */
	const char *config;              /* -c */
	const char *log;                 /* --log: syslog, stderr or a file */
	long stats_interval;             /* seconds, 0 off; -1 until set (default 60) */
	size_t dns_cache;                /* --dns-cache; 0: default */
	int in_config;                   /* 1 while the config file is applied */
	unsigned config_lists;           /* CF_LIST_* bits: lists the config file filled */
	char *config_text;               /* the config file, values point into it */
};

/* Options only live capture and the configuration file know. */
enum { CF_OPT_STATS_INTERVAL = 512, CF_OPT_LOG, CF_OPT_DNS_CACHE };

/* Lists a config file may fill and the command line then replaces. */
#define CF_LIST_INPUTS 0x1u
#define CF_LIST_GEO    0x2u
#define CF_LIST_OUTPUT 0x4u
#define CF_LIST_IFACE  0x8u

/*
 * Parse argv into o, filling defaults (rules, catalog, geography found in
 * the usual places).  Returns 0 to run, 1 when --help/--version was
 * printed, -1 with a message in err on a usage error.
 */
int cf_opts_parse(struct cf_opts *o, int argc, char **argv, char *err, size_t errlen);
void cf_opts_free(struct cf_opts *o);
/* A whole number in [min, max] for option opt; -1 with a message otherwise. */
int cf_opts_parse_num(const char *opt, const char *s, long long min, long long max,
		      long long *out, char *err, size_t errlen);

/*
 * Set the option whose long name is name ("rules", "geodb", "interface",
 * ...) as if given on the command line; value is NULL for options without
 * an argument (and must then outlive o).  0, or -1 with a message in err
 * (unknown name: "unknown key").  Used by the configuration file.
 */
int cf_opts_apply(struct cf_opts *o, const char *name, char *value,
		  char *err, size_t errlen);

/* main-live.c: the live-capture options (-i -s -B -p -D -P -u -c and the
 * CF_OPT_* ones); -1 with "unknown option" for any other c. */
int cf_opts_live(struct cf_opts *o, int c, char *arg, char *err, size_t errlen);
/* main-live.c: apply the configuration file at path (config-file.c's
 * syntax) under o->in_config.  -1 with "PATH:LINE: message". */
int cf_opts_load_config(struct cf_opts *o, const char *path, char *err, size_t errlen);
/* main-live.c: a list option from the command line replaces what the
 * configuration file gave for that list (bit: CF_LIST_*). */
void cf_opts_list_from(struct cf_opts *o, unsigned bit);

/* main-paths.c: live capture's file names (rules, include directories,
 * catalog, geography, pidfile) made absolute against the current
 * directory, so that -D's chdir("/") does not change what a SIGHUP reload
 * reads.  0, or -1 with a message in err. */
int cf_opts_absolute(struct cf_opts *o, char *err, size_t errlen);

/* --check-rules: exit status 0, or 2 on an error (with --strict, on a
 * warning too). */
int cf_cmd_check_rules(const struct cf_opts *o);
/* --lookup IP: exit status 0 or 2. */
int cf_cmd_lookup(const struct cf_opts *o);

/* main-report.c: "callfence report ARGS" (argv[0] is "report"); its
 * exit status. */
int cf_cmd_report(int argc, char **argv);

/* main-report.c: --html and --evidence of an offline run.  Open before the outputs (and
 * the sandbox): it reads the rules and country shapes and makes an
 * unlinked temporary file, whose file output cf_html_run_output names;
 * cf_html_run_unlink once the outputs are open; cf_html_run_finish after
 * they are closed writes the report from the events (exit status). */
struct cf_html_run;
struct cf_html_run *cf_html_run_open(const struct cf_opts *o, char *err, size_t errlen);
const char *cf_html_run_output(const struct cf_html_run *h);
void cf_html_run_unlink(struct cf_html_run *h);
int cf_html_run_finish(struct cf_html_run *h, const struct cf_opts *o);
void cf_html_run_free(struct cf_html_run *h);
/* main-geo.c: the check every engine shares (NULL: no observer location;
 * exits 2 on a bad location or shapes file), and --lookup's lines. */
struct cf_plaus;
struct cf_geo_result;
const struct cf_plaus *cf_main_plaus(const struct cf_opts *o);
void cf_main_lookup_rtt(const struct cf_opts *o, const struct cf_geo_result *g);
/* --rtt MS: milliseconds, up to 3 decimals, into microseconds; -1 bad. */
long long cf_main_parse_rtt(const char *s);

#endif /* CF_MAIN_OPTS_H */
