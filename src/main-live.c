/*
 * main-live.c - the options of live capture and the daemon, and the
 * configuration file (-c FILE, callfence.conf(5)) that can set every
 * option.
 *
 * The configuration file is applied before the command line, so whatever
 * the command line sets wins; for the repeatable options (interface,
 * geodb, output, read) a command line that gives any replaces the file's
 * whole list instead of adding to it.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config-file.h"
#include "main-opts.h"

/* Keys the configuration file refuses: commands and -c itself. */
static const char *const not_in_config[] = {
	"config", "help", "version", "check-rules", "strict", "lookup", NULL
};

/* Options without an argument: "key = yes|no" in the file. */
static const char *const flag_keys[] = {
	"daemon", "all-flows", "quiet", "verbose", "no-promiscuous-mode", NULL
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* yes/no, true/false, on/off, 1/0: 1 or 0; -1 otherwise. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	if (in_list(yes, v))
		return 1;
	if (in_list(no, v))
		return 0;
	return -1;
}

void cf_opts_list_from(struct cf_opts *o, unsigned bit)
{
	if (o->in_config) {
		o->config_lists |= bit;
		return;
	}
	if (!(o->config_lists & bit))
		return;
	o->config_lists &= ~bit;
	if (bit == CF_LIST_INPUTS)
		o->n_inputs = 0, o->inputs[0] = NULL;
	else if (bit == CF_LIST_GEO)
		o->n_geo = 0, o->geo[0] = NULL;
	else if (bit == CF_LIST_OUTPUT)
		o->n_outputs = 0, o->outputs[0] = NULL;
	else if (bit == CF_LIST_IFACE)
		o->n_ifaces = 0, o->ifaces[0] = NULL;
}

static int add_iface(struct cf_opts *o, char *name, char *err, size_t errlen)
{
	cf_opts_list_from(o, CF_LIST_IFACE);
	if (o->n_ifaces >= CF_MAX_LIST) {
		snprintf(err, errlen, "too many interfaces (at most %d)", CF_MAX_LIST);
		return -1;
	}
	o->ifaces[o->n_ifaces++] = name;
	o->ifaces[o->n_ifaces] = NULL;
	return 0;
}

/* Options with a number. */
static int live_number(struct cf_opts *o, int c, const char *arg, char *err,
		       size_t errlen)
{
	long long v;

	switch (c) {
	case 's':
		if (cf_opts_parse_num("-s", arg, 64, 262144, &v, err, errlen) < 0)
			return -1;
		o->snaplen = (int)v;
		return 0;
	case 'B':
		if (cf_opts_parse_num("-B", arg, 1, 2097151, &v, err, errlen) < 0)
			return -1;
		o->buffer_kib = (int)v;
		return 0;
	case CF_OPT_STATS_INTERVAL:
		if (cf_opts_parse_num("--stats-interval", arg, 0, 86400, &v, err, errlen) < 0)
			return -1;
		o->stats_interval = (long)v;
		return 0;
	case CF_OPT_DNS_CACHE:
		if (cf_opts_parse_num("--dns-cache", arg, 16, 100000000, &v, err, errlen) < 0)
			return -1;
		o->dns_cache = (size_t)v;
		return 0;
	}
	snprintf(err, errlen, "unknown option");
	return -1;
}

int cf_opts_live(struct cf_opts *o, int c, char *arg, char *err, size_t errlen)
{
	switch (c) {
	case 'c': o->config = arg; return 0;
	case 'i': return add_iface(o, arg, err, errlen);
	case 'p': o->no_promisc = 1; return 0;
	case 'D': o->daemonize = 1; return 0;
	case 'P': o->pidfile = arg; return 0;
	case 'u': o->user = arg; return 0;
	case CF_OPT_LOG: o->log = arg; return 0;
	}
	return live_number(o, c, arg, err, errlen);
}

/* One "key = value" of the configuration file. */
static int config_setting(void *ctx, const char *key, char *value, char *err,
			  size_t errlen)
{
	struct cf_opts *o = ctx;
	int b;

	if (strcmp(key, "filter") == 0) {
		o->filter = value;
		return 0;
	}
	if (in_list(not_in_config, key)) {
		snprintf(err, errlen, "'%s' is not allowed in a configuration file", key);
		return -1;
	}
	if (strcmp(key, "promiscuous") == 0 || in_list(flag_keys, key)) {
		b = parse_bool(value);
		if (b < 0) {
			snprintf(err, errlen, "%s: '%s' is not yes or no", key, value);
			return -1;
		}
		if (strcmp(key, "promiscuous") == 0)
			return b ? 0 : cf_opts_apply(o, "no-promiscuous-mode", NULL, err, errlen);
		return b ? cf_opts_apply(o, key, NULL, err, errlen) : 0;
	}
	if (cf_opts_apply(o, key, value, err, errlen) < 0) {
		if (strcmp(err, "unknown key") == 0)
			snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	return 0;
}

int cf_opts_load_config(struct cf_opts *o, const char *path, char *err, size_t errlen)
{
	int rc;

	free(o->config_text);
	o->config_text = NULL;
	o->config = path;
	o->in_config = 1;
	rc = cf_conf_read(path, config_setting, o, &o->config_text, err, errlen);
	o->in_config = 0;
	return rc;
}
