/*
 * main-opts.h - the command line and the small commands (--check-rules,
 * --lookup) that need no capture.
 */
#ifndef CF_MAIN_OPTS_H
#define CF_MAIN_OPTS_H

#include <stddef.h>
#include "flow.h"

enum cf_mode { CF_MODE_OFFLINE = 0, CF_MODE_CHECK_RULES, CF_MODE_LOOKUP };

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
	const char *lookup_ip;
	char *filter;                    /* joined BPF words, or NULL */
	int quiet, verbose, progress, all_flows;
	int fail_on;                     /* enum cf_severity; 0: never */
	struct cf_flow_limits limits;
	size_t geo_cache;
	char *owned[4 * CF_MAX_LIST + 8];   /* strings to free */
	size_t n_owned;
};

/*
 * Parse argv into o, filling defaults (rules, catalog, geography found in
 * the usual places).  Returns 0 to run, 1 when --help/--version was
 * printed, -1 with a message in err on a usage error.
 */
int cf_opts_parse(struct cf_opts *o, int argc, char **argv, char *err, size_t errlen);
void cf_opts_free(struct cf_opts *o);

/* --check-rules: exit status 0 or 2. */
int cf_cmd_check_rules(const struct cf_opts *o);
/* --lookup IP: exit status 0 or 2. */
int cf_cmd_lookup(const struct cf_opts *o);

#endif /* CF_MAIN_OPTS_H */
