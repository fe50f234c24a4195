/*
 * main.c - callfence's command line: parse options, open everything, run
 * the offline pipeline, print the summary, pick the exit status.
 *
 * Exit status: 0 done; 1 an alert at or above --fail-on; 2 usage or
 * configuration error; 3 runtime I/O error (capture unreadable, ...).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "event.h"
#include "geo.h"
#include "main-opts.h"
#include "output.h"
#include "policy.h"

#define EXIT_VIOLATION 1
#define EXIT_CONFIG 2
#define EXIT_IO 3

static int progress_shown;

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct run_ctx {
	struct cf_engine *engine;
	double started;
};

static void on_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct run_ctx *r = ctx;

	cf_engine_packet(r->engine, link, ts_us, data, caplen, wirelen);
}

static void show_progress(void *ctx, uint64_t done, uint64_t total, uint64_t packets)
{
	struct run_ctx *r = ctx;
	double el = now_seconds() - r->started;
	double pct = total ? 100.0 * (double)done / (double)total : 0.0;

	if (el < 1.0)
		return;
	fprintf(stderr, "\r%5.1f%%  %.0f of %.0f MB  %.2f Mpkt/s   ", pct,
		done / 1e6, total / 1e6, el > 0 ? packets / el / 1e6 : 0.0);
	progress_shown = 1;
}

static void die_config(const char *msg)
{
	fprintf(stderr, "callfence: %s\n", msg);
	exit(EXIT_CONFIG);
}

/* Open outputs from -o (stdout when none). */
static struct cf_outputs *open_outputs(const struct cf_opts *o)
{
	struct cf_outputs *out = cf_outputs_new();
	char err[512];
	size_t i;

	if (out == NULL)
		die_config("out of memory");
	for (i = 0; i < o->n_outputs; i++)
		if (cf_outputs_add(out, o->outputs[i], err, sizeof(err)) < 0)
			die_config(err);
	if (o->n_outputs == 0 && cf_outputs_add(out, "stdout", err, sizeof(err)) < 0)
		die_config(err);
	return out;
}

static void fill_engine_config(const struct cf_opts *o, struct cf_engine_config *c,
			       char *host, size_t hostlen)
{
	memset(c, 0, sizeof(*c));
	c->rules_path = o->rules;
	c->incdirs = o->incdirs;
	c->n_incdirs = o->n_incdirs;
	c->catalog_path = o->catalog;
	c->geo_paths = (const char *const *)o->geo;
	c->n_geo = o->n_geo;
	c->limits = o->limits;
	c->geo_cache = o->geo_cache;
	c->all_flows = o->all_flows;
	if (gethostname(host, hostlen) != 0)
		snprintf(host, hostlen, "unknown");
	host[hostlen - 1] = '\0';
	c->observer_hostname = host;
}

static int finish_run(const struct cf_opts *o, struct cf_engine *e,
		      struct cf_outputs *out, double started)
{
	struct cf_run_totals t;
	struct cf_engine_stats st;
	struct cf_event_meta meta;
	char err[512];
	int rc = 0;

	cf_engine_finish(e);
	memset(&t, 0, sizeof(t));
	cf_engine_totals(e, &t);
	t.inputs = (const char *const *)o->inputs;
	t.wall_seconds = now_seconds() - started;
	memset(&meta, 0, sizeof(meta));
	cf_report_emit_event(cf_engine_report(e), &t, out, &meta);
	cf_outputs_flush(out);
	if (o->report_path != NULL &&
	    cf_report_write_json(cf_engine_report(e), &t, o->report_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "callfence: %s\n", err);
		rc = EXIT_IO;
	}
	if (!o->quiet)
		cf_report_print_table(cf_engine_report(e), &t, stderr);
	cf_engine_get_stats(e, &st);
	if (rc == 0 && o->fail_on > 0 && (int)st.max_severity >= o->fail_on)
		rc = EXIT_VIOLATION;
	return rc;
}

static int run_offline(const struct cf_opts *o)
{
	struct cf_engine_config cfg;
	struct cf_capture_stats cst;
	struct run_ctx r;
	struct cf_outputs *out;
	char host[256], err[1024];
	int rc, frc;

	fill_engine_config(o, &cfg, host, sizeof(host));
	out = open_outputs(o);
	r.engine = cf_engine_new(&cfg, out, err, sizeof(err));
	if (r.engine == NULL) {
		cf_outputs_free(out);
		die_config(err);
	}
	r.started = now_seconds();
	memset(&cst, 0, sizeof(cst));
	rc = cf_capture_files((const char *const *)o->inputs, o->n_inputs, o->filter,
			      on_packet, o->progress ? show_progress : NULL,
			      &r, &cst, err, sizeof(err));
	if (progress_shown)
		fprintf(stderr, "\r%*s\r", 60, "");
	if (rc != 0)
		fprintf(stderr, "callfence: %s\n", err);
	if (cst.truncated_records > 0 && !o->quiet)
		fprintf(stderr, "callfence: %llu truncated record(s) at the end of a capture file (counted)\n",
			(unsigned long long)cst.truncated_records);
	frc = finish_run(o, r.engine, out, r.started);
	cf_engine_free(r.engine);
	cf_outputs_free(out);
	if (rc != 0)
		return rc == CF_CAPTURE_ECONFIG ? EXIT_CONFIG : EXIT_IO;
	return frc;
}

int main(int argc, char **argv)
{
	struct cf_opts o;
	char err[1024];
	int rc;

	rc = cf_opts_parse(&o, argc, argv, err, sizeof(err));
	if (rc != 0) {
		if (rc > 0)  /* --help / --version printed */
			return 0;
		fprintf(stderr, "callfence: %s\nTry 'callfence --help'.\n", err);
		return EXIT_CONFIG;
	}
	if (o.mode == CF_MODE_CHECK_RULES)
		rc = cf_cmd_check_rules(&o);
	else if (o.mode == CF_MODE_LOOKUP)
		rc = cf_cmd_lookup(&o);
	else
		rc = run_offline(&o);
	cf_opts_free(&o);
	return rc;
}
