/*
 * fuzz-pipeline.c - libFuzzer target: the whole offline pipeline.  The
 * input is a capture file (pcap or pcapng, as cfgen writes them); it is
 * put in a memory file and read by cf_capture_files() through
 * /proc/self/fd/N, fed to the runner and its engine (e2e-eu rules, the shipped app
 * catalog, the test geography, a 64-flow table), the flows are ended and
 * the report event written.  Events go to a second memory file;
 * afterwards every line must parse as a JSON object (jansson, strict
 * UTF-8), and the engine must have counted every packet the capture
 * delivered.
 *
 * Setting up nDPI costs ~70 ms, so one engine serves ENGINE_RUNS inputs
 * (its flows all end after each input; what carries over is nDPI's
 * caches, the geography cache and the report's sums).  A finding is
 * replayed on a fresh engine; one that needs earlier inputs to show
 * shows up again when the run's inputs are replayed in order.
 *
 * Environment: CF_FUZZ_GEO_DIR overrides where country.mmdb and asn.mmdb
 * are (default: the build tree's tests/geo).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz-util.h"
#include "capture/capture.h"
#include "engine/engine.h"
#include "engine/runner.h"
#include "event/event.h"
#include "output/output.h"
#include "event/report.h"

#ifndef CF_SRCDIR_FUZZ
#define CF_SRCDIR_FUZZ "."
#endif
#ifndef CF_BUILDDIR_FUZZ
#define CF_BUILDDIR_FUZZ "."
#endif

#define MAX_INPUT (1u << 20)
#define ENGINE_RUNS 1000

static char geo_country[512], geo_asn[512];
static const char *geo_paths[2] = { geo_country, geo_asn };
static const char *incdirs[1] = { CF_SRCDIR_FUZZ "/rules" };
static int events_fd = -1;
static char events_spec[64];
static struct cf_outputs *out;
static struct cf_runner *engine;
static unsigned runs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *g = getenv("CF_FUZZ_GEO_DIR");

	(void)argc;
	(void)argv;
	if (g == NULL || g[0] == '\0')
		g = CF_BUILDDIR_FUZZ "/tests/geo";
	snprintf(geo_country, sizeof(geo_country), "%s/country.mmdb", g);
	snprintf(geo_asn, sizeof(geo_asn), "%s/asn.mmdb", g);
	events_fd = memfd_create("cf-fuzz-events", MFD_CLOEXEC);
	if (events_fd < 0)
		abort();
	snprintf(events_spec, sizeof(events_spec), "file:/proc/self/fd/%d", events_fd);
	return 0;
}

static struct cf_runner *new_engine(struct cf_outputs *out)
{
	struct cf_engine_config cfg;
	struct cf_runner *e;
	char err[1024];

	memset(&cfg, 0, sizeof(cfg));
	cfg.rules_path = CF_SRCDIR_FUZZ "/tests/e2e/rules/e2e-eu.rules";
	cfg.incdirs = incdirs;
	cfg.n_incdirs = 1;
	cfg.catalog_path = CF_SRCDIR_FUZZ "/rules/apps.conf";
	cfg.geo_paths = geo_paths;
	cfg.n_geo = 2;
	cf_flow_limits_default(&cfg.limits);
	cfg.limits.max_flows = 64;    /* small: eviction is part of the game */
	cfg.geo_cache = 64;
	cfg.all_flows = 1;
	cfg.observer_hostname = "fuzz";
	e = cf_runner_new(&cfg, 1, 0, out, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "fuzz-pipeline: %s\n", err);
		abort();
	}
	return e;
}

/* Every line the outputs wrote is a JSON object. */
static void check_events(void)
{
	off_t n = lseek(events_fd, 0, SEEK_END);
	char *buf, *line, *nl;
	json_error_t jerr;
	json_t *j;

	FZ_CHECK(n >= 0);
	if (n == 0)
		return;
	buf = malloc((size_t)n + 1);
	FZ_CHECK(buf != NULL);
	FZ_CHECK(pread(events_fd, buf, (size_t)n, 0) == n);
	buf[n] = '\0';
	FZ_CHECK(buf[n - 1] == '\n');
	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		FZ_CHECK(nl != NULL);
		*nl = '\0';
		j = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		if (j == NULL)
			fprintf(stderr, "bad event line: %s\n%s\n", jerr.text, line);
		FZ_CHECK(j != NULL && json_is_object(j));
		json_decref(j);
	}
	free(buf);
	FZ_CHECK(ftruncate(events_fd, 0) == 0);
}

static void engine_up(void)
{
	char err[1024];

	out = cf_outputs_new();
	FZ_CHECK(out != NULL);
	if (cf_outputs_add(out, events_spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz-pipeline: %s\n", err);
		abort();
	}
	engine = new_engine(out);
	runs = 0;
}

static void engine_down(void)
{
	cf_runner_free(engine);
	cf_outputs_free(out);
	engine = NULL;
	out = NULL;
}

static void run(const char *capture)
{
	const char *files[1] = { capture };
	struct cf_capture_stats cst;
	struct cf_run_totals before, t;
	struct cf_event_meta meta;
	char err[1024];

	if (engine == NULL)
		engine_up();
	memset(&before, 0, sizeof(before));
	cf_runner_numbers(engine, &before, NULL);
	(void)cf_capture_files(files, 1, NULL, cf_runner_packet, NULL, engine,
			       &cst, err, sizeof(err));
	cf_runner_finish(engine);
	memset(&t, 0, sizeof(t));
	cf_runner_numbers(engine, &t, NULL);
	FZ_CHECK(t.decode.packets - before.decode.packets == cst.packets);
	FZ_CHECK(t.decode.packets == t.decode.ok + t.decode.not_ip +
		 t.decode.truncated + t.decode.invalid + t.decode.fragments);
	FZ_CHECK(t.flows.active == 0);
	memset(&meta, 0, sizeof(meta));
	cf_report_emit_event(cf_runner_report(engine), &t, out, &meta);
	cf_outputs_flush(out);
	check_events();
	if (++runs >= ENGINE_RUNS)
		engine_down();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;

	if (size > MAX_INPUT)
		return 0;
	fd = memfd_create("cf-fuzz-capture", MFD_CLOEXEC);
	FZ_CHECK(fd >= 0);
	FZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	run(path);
	close(fd);
	return 0;
}
