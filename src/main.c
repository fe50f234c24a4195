/*
 * main.c - callfence's command line: parse options, open everything, run
 * the offline pipeline or live capture, pick the exit status.
 *
 * Exit status: 0 done (live: stopped by SIGTERM/SIGINT); 1 an alert at or
 * above --fail-on (offline); 2 usage or configuration error (live: also a
 * missing interface, a pidfile locked by another instance); 3 runtime I/O
 * error (capture unreadable, capture not permitted, events lost by an
 * output: a failed write with no spool to keep them, ...; this wins over
 * 1, since the events that would say so may be among the lost).
 */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "daemon/daemon.h"
#include "daemon/daemon-log.h"
#include "daemon/daemon-loop.h"
#include "engine/engine.h"
#include "engine/runner.h"
#include "event/event.h"
#include "event/provenance.h"
#include "geo/geo.h"
#include "util/ahead.h"
#include "util/heap.h"
#include "main-opts.h"
#include "output/output.h"
#include "policy/policy.h"
#include "util/clock.h"

#define EXIT_VIOLATION 1
#define EXIT_CONFIG 2
#define EXIT_IO 3

static int progress_shown;
static double run_started;        /* for the progress line */

static double now_seconds(void)
{
	return (double)cf_mono_us() / 1e6;
}

static void show_progress(void *ctx, uint64_t done, uint64_t total, uint64_t packets)
{
	(void)ctx;
	double el = now_seconds() - run_started;
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

/* Open outputs from -o (stdout when none), and extra (--html's file
 * output) if not NULL. */
static struct cf_outputs *open_outputs(const struct cf_opts *o, const char *extra)
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
	if (extra != NULL && cf_outputs_add(out, extra, err, sizeof(err)) < 0)
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
	c->dns_cache = o->dns_cache;
	c->ndpi_flows = o->ndpi_flows;
	c->all_flows = o->all_flows;
	c->plaus = cf_main_plaus(o);
	if (gethostname(host, hostlen) != 0)
		snprintf(host, hostlen, "unknown");
	host[hostlen - 1] = '\0';
	c->observer_hostname = host;
}

/* What a run ended with. */
struct run_end {
	struct cf_run_totals t;
	const struct cf_capture_input *input_status;   /* per capture file */
	struct cf_report *report;
	enum cf_severity max_severity;
};

static int finish_run(const struct cf_opts *o, struct run_end *end,
		      struct cf_outputs *out, double started, const char *host)
{
	struct cf_event_meta meta;
	char err[512];
	int rc = 0;

	end->t.inputs = (const char *const *)o->inputs;
	end->t.input_status = end->input_status;
	end->t.wall_seconds = now_seconds() - started;
	cf_run_totals_fill_mem(&end->t);
	memset(&meta, 0, sizeof(meta));
	meta.observer_hostname = host;
	if (end->report == NULL) {
		fprintf(stderr, "callfence: out of memory merging the workers' reports\n");
		return EXIT_IO;
	}
	if (cf_report_emit_and_write(end->report, &end->t, out, &meta, o->report_path,
				     err, sizeof(err)) < 0 && o->report_path != NULL) {
		fprintf(stderr, "callfence: %s\n", err);
		rc = EXIT_IO;
	}
	cf_outputs_flush(out);
	if (!o->quiet)
		cf_report_print_table(end->report, &end->t, stderr);
	if (rc == 0 && o->fail_on > 0 && (int)end->max_severity >= o->fail_on)
		rc = EXIT_VIOLATION;
	return rc;
}

/* The runner's numbers and report once every flow has ended. */
static void offline_end(struct cf_runner *run, struct run_end *end,
			const struct cf_capture_input *each)
{
	struct cf_engine_stats st;

	memset(end, 0, sizeof(*end));
	end->input_status = each;
	cf_runner_finish(run);
	cf_runner_numbers(run, &end->t, &st);
	end->report = cf_runner_report(run);
	end->max_severity = st.max_severity;
}

static int run_offline(const struct cf_opts *o)
{
	struct cf_engine_config cfg;
	struct cf_capture_stats cst;
	struct cf_runner *run;
	struct run_end end;
	struct cf_outputs *out;
	struct cf_capture_input *each;
	struct cf_html_run *html = NULL;
	char host[256], err[1024];
	double started;
	int rc, frc;

	fill_engine_config(o, &cfg, host, sizeof(host));
	/* --html reads the rules and country shapes now, before the sandbox */
	if ((o->html_path != NULL || o->evidence_dir != NULL) &&
	    (html = cf_html_run_open(o, err, sizeof(err))) == NULL)
		die_config(err);
	/* what the run reads its verdicts from, before the sandbox is on */
	each = calloc(o->n_inputs ? o->n_inputs : 1, sizeof(*each));
	if (each == NULL || cf_event_provenance_retake_bg(o->rules, o->catalog,
							  (const char *const *)o->geo, o->n_geo) < 0)
		die_config("out of memory");
	cf_report_proc_open();  /* the memory figures, read after the sandbox is on */
	/* a reader gone (stdout or a FIFO) is a write error, counted and
	 * reported by its output with the events it lost, not a silent death */
	signal(SIGPIPE, SIG_IGN);
	out = open_outputs(o, html ? cf_html_run_output(html) : NULL);
	if (html != NULL)
		cf_html_run_unlink(html);
	/* the tables filled from the front backed ahead on another CPU */
	(void)cf_ahead_start();
	run = cf_runner_new(&cfg, o->threads > 1 ? o->threads : 1, CF_RUNNER_FILES,
			    out, err, sizeof(err));
	if (run == NULL) {
		cf_outputs_free(out);
		die_config(err);
	}
	started = run_started = now_seconds();
	memset(&cst, 0, sizeof(cst));
	rc = cf_capture_files_each((const char *const *)o->inputs, o->n_inputs, o->filter,
				   cf_runner_packet, o->progress ? show_progress : NULL,
				   run, &cst, each, err, sizeof(err));
	if (progress_shown)
		fprintf(stderr, "\r%*s\r", 60, "");
	if (rc != 0)
		fprintf(stderr, "callfence: %s\n", err);
	/* Not fatal, but never silent (not even with -q): data is missing. */
	if (cst.truncated_records > 0)
		fprintf(stderr, "callfence: %s: capture file truncated: %llu record(s) cut short "
			"at the end (counted, not decoded)\n",
			o->n_inputs == 1 ? o->inputs[0] : "one of the capture files",
			(unsigned long long)cst.truncated_records);
	offline_end(run, &end, each);
	if (o->verbose)
		cf_runner_describe(run, stderr);
	frc = finish_run(o, &end, out, started, host);
	cf_runner_free(run);
	cf_ahead_stop();
	/* an event lost is a failed run, whatever else went right */
	if (cf_outputs_close(out) > 0 && frc != EXIT_CONFIG)
		frc = EXIT_IO;
	/* the report from the events the run wrote (all of them: outputs closed) */
	if (html != NULL && rc == 0) {
		int hrc = cf_html_run_finish(html, o);

		if (hrc != 0 && frc != EXIT_CONFIG)
			frc = hrc;
	}
	cf_html_run_free(html);
	cf_event_provenance_free();
	free(each);
	if (rc != 0)
		return rc == CF_CAPTURE_ECONFIG ? EXIT_CONFIG : EXIT_IO;
	return frc;
}

/* ---- live capture ---------------------------------------------------- */

struct live {
	const struct cf_opts *o;
	struct cf_engine_config cfg;
	struct cf_live_run *run;
	struct cf_outputs *out;
	const char *pidfile;
	int pidfd;
	double started;
	char host[256];
	char failed[1024];       /* why start-up failed after detaching */
};

/* Standard output is /dev/null once detached: -D needs another output. */
static void check_daemon_outputs(const struct cf_opts *o)
{
	size_t i, n;

	if (!o->daemonize)
		return;
	if (o->n_outputs == 0)
		die_config("-D: give an output (-o file:PATH, ...): standard output "
			   "is closed once detached");
	for (i = 0; i < o->n_outputs; i++) {
		n = strcspn(o->outputs[i], ",");
		if ((n == 6 && strncmp(o->outputs[i], "stdout", 6) == 0) ||
		    (n == 1 && o->outputs[i][0] == '-'))
			die_config("-D: standard output is closed once detached; "
				   "use -o file:PATH or another output");
	}
}

/* Where our own messages go: --log, else syslog under -D, else stderr. */
static void open_log(const struct cf_opts *o)
{
	enum cf_log_dest d = o->log ? cf_log_parse(o->log)
				    : o->daemonize ? CF_LOG_SYSLOG : CF_LOG_STDERR;
	char err[512];

	if (cf_log_open(d, o->log, err, sizeof(err)) < 0)
		die_config(err);
	cf_log_set_verbose(o->verbose);
}

/*
 * -u USER: the files SIGHUP reopens (output files, the log file) and the
 * spools become the user's while we are still root, so that the user can
 * open them again.  Their directories are left alone: a file renamed by
 * logrotate is made again by its create line (or in a directory the
 * operator made writable by the user); see callfence(8), SIGNALS.
 */
static void give_files(struct live *l)
{
	char err[1024];
	uid_t uid;
	gid_t gid;

	if (l->o->user == NULL)
		return;
	if (cf_user_ids(l->o->user, &uid, &gid, err, sizeof(err)) < 0)
		die_config(err);
	if (cf_outputs_set_owner(l->out, uid, gid, err, sizeof(err)) < 0 ||
	    cf_log_give(uid, gid, err, sizeof(err)) < 0)
		die_config(err);
}

/* Interfaces, outputs, engine, pidfile: everything that can fail on the
 * configuration, before detaching, so that errors reach the terminal. */
static int live_open(struct live *l)
{
	const struct cf_opts *o = l->o;
	struct cf_live_params p;
	char err[1024];
	int status;

	check_daemon_outputs(o);
	fill_engine_config(o, &l->cfg, l->host, sizeof(l->host));
	if (cf_event_provenance_retake(o->rules, o->catalog, (const char *const *)o->geo,
				       o->n_geo) < 0)
		die_config("out of memory");
	l->cfg.interface = o->n_ifaces == 1 ? o->ifaces[0] : NULL;
	memset(&p, 0, sizeof(p));
	p.ifaces = (const char *const *)o->ifaces;
	p.n_ifaces = o->n_ifaces;
	p.capture.snaplen = o->snaplen;
	p.capture.buffer_bytes = o->buffer_kib * 1024;
	p.capture.promisc = !o->no_promisc;
	p.capture.filter = o->filter;
	p.stats_interval = o->stats_interval;
	p.hostname = l->host;
	p.threads = o->threads;
	l->run = cf_live_open_all(&p, &status, err, sizeof(err));
	if (l->run == NULL) {
		fprintf(stderr, "callfence: %s\n", err);
		return status;
	}
	l->out = open_outputs(o, NULL);
	if (cf_live_engines(l->run, &l->cfg, l->out, err, sizeof(err)) < 0)
		die_config(err);
	l->pidfile = o->pidfile ? o->pidfile : o->daemonize ? CF_PIDFILE_DEFAULT : NULL;
	if (l->pidfile != NULL &&
	    (l->pidfd = cf_pidfile_lock(l->pidfile, err, sizeof(err))) < 0)
		die_config(err);
	give_files(l);
	return 0;
}

/*
 * A start-up step failed after detaching (or in the foreground).  The
 * waiting parent is told once everything is cleaned up (run_live), so the
 * pidfile is gone by the time the command returns.
 */
static int live_failed(struct live *l, int status, const char *msg)
{
	if (l->o->daemonize) {
		cf_log(LOG_ERR, "%s", msg);
		snprintf(l->failed, sizeof(l->failed), "%s", msg);
	} else {
		fprintf(stderr, "callfence: %s\n", msg);
	}
	return status;
}

/* Detach, write the pid, drop privileges, then tell the waiting parent. */
static int live_start(struct live *l)
{
	const struct cf_opts *o = l->o;
	char err[1024];

	if (cf_live_signals(err, sizeof(err)) < 0)
		return live_failed(l, EXIT_IO, err);
	if (o->daemonize && cf_daemon_detach(err, sizeof(err)) < 0)
		return live_failed(l, EXIT_IO, err);
	if (l->pidfd >= 0 && cf_pidfile_write(l->pidfd, err, sizeof(err)) < 0)
		return live_failed(l, EXIT_IO, err);
	if (o->user != NULL && cf_drop_privileges(o->user, err, sizeof(err)) < 0)
		return live_failed(l, EXIT_CONFIG, err);
	/* --threads: after fork (threads do not survive it) and with the
	 * signals blocked (only cf_live_loop's thread takes them) */
	if (cf_live_start(l->run, err, sizeof(err)) < 0)
		return live_failed(l, EXIT_IO, err);
	cf_daemon_ready(0, NULL);
	return 0;
}

/* SIGTERM/SIGINT: every open flow ends (flow events), then a last stats
 * event and the report. */
static void live_finish(struct live *l)
{
	struct cf_run_totals t;
	struct cf_event_meta meta;
	struct cf_report *report;

	cf_live_finish(l->run);
	cf_live_stats_event(l->run);
	memset(&t, 0, sizeof(t));
	cf_live_totals(l->run, &t);
	t.inputs = (const char *const *)l->o->ifaces;
	t.wall_seconds = now_seconds() - l->started;
	memset(&meta, 0, sizeof(meta));
	meta.observer_hostname = l->host;
	report = cf_live_report(l->run);
	if (report == NULL)
		cf_log(LOG_ERR, "out of memory merging the workers' reports: no report");
	else
		cf_report_emit_event(report, &t, l->out, &meta);
	cf_outputs_flush(l->out);
}

static int run_live(const struct cf_opts *o)
{
	struct live l;
	int rc;

	memset(&l, 0, sizeof(l));
	l.o = o;
	l.pidfd = -1;
	open_log(o);
	rc = live_open(&l);
	if (rc == 0) {
		cf_outputs_set_logger(l.out, cf_log_output, NULL);
		cf_live_attach(l.run);
		rc = live_start(&l);
	}
	if (rc == 0) {
		if (o->threads > 1)
			cf_log(LOG_NOTICE, "capturing on %zu interface(s) with %s, "
			       "%u threads", o->n_ifaces, o->rules, o->threads);
		else
			cf_log(LOG_NOTICE, "capturing on %zu interface(s) with %s",
			       o->n_ifaces, o->rules);
		l.started = now_seconds();
		cf_live_loop(l.run);
		live_finish(&l);
		cf_log(LOG_NOTICE, "stopped");
	}
	cf_live_close_all(l.run);
	if (cf_outputs_close(l.out) > 0 && rc == 0)
		rc = EXIT_IO;           /* events lost: said on the log, by output */
	cf_pidfile_remove(l.pidfd, l.pidfile);
	cf_daemon_ready(rc, l.failed);
	cf_log_close();
	cf_event_provenance_free();
	return rc;
}

int main(int argc, char **argv)
{
	struct cf_opts o;
	char err[1024];
	int rc;

	(void)cf_heap_setup(CF_HEAP_BYTES);
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return cf_cmd_report(argc - 1, argv + 1);
	rc = cf_opts_parse(&o, argc, argv, err, sizeof(err));
	if (rc != 0) {
		cf_opts_free(&o);
		if (rc > 0)  /* --help / --version printed */
			return 0;
		fprintf(stderr, "callfence: %s\nTry 'callfence --help'.\n", err);
		return EXIT_CONFIG;
	}
	if (o.mode == CF_MODE_CHECK_RULES)
		rc = cf_cmd_check_rules(&o);
	else if (o.mode == CF_MODE_LOOKUP)
		rc = cf_cmd_lookup(&o);
	else if (o.mode == CF_MODE_LIVE && (o.html_path != NULL || o.evidence_dir != NULL))
		rc = (fprintf(stderr, "callfence: --html and --evidence are for offline runs (-r FILE); "
			      "'callfence report' makes the report from a daemon's events\n"),
		      EXIT_CONFIG);
	else if (o.mode == CF_MODE_LIVE && cf_opts_absolute(&o, err, sizeof(err)) < 0)
		rc = (fprintf(stderr, "callfence: %s\n", err), EXIT_CONFIG);
	else if (o.mode == CF_MODE_LIVE)
		rc = run_live(&o);
	else if (o.daemonize || o.pidfile != NULL || o.user != NULL)
		rc = (fprintf(stderr, "callfence: -D, -P and -u are for live capture "
			      "(-i INTERFACE)\n"), EXIT_CONFIG);
	else
		rc = run_offline(&o);
	cf_opts_free(&o);
	return rc;
}
