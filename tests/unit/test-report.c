/*
 * test-report.c - the run report: rows per (app, role, country), alerts by
 * severity and rule, the bounded unknown-geography list; its JSON file and
 * event parsed back with jansson, and the human table.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "harness.h"
#include "event/report.h"
#include "event/event.h"
#include "event/provenance.h"
#include "output/output.h"

#ifdef CF_TEST_STUB_ROLE_NAME
/* Until the classifier's role names (classify.h) are linked in. */
const char *cf_role_name(unsigned bit)
{
	switch (bit) {
	case CF_ROLE_KEYX: return "key-exchange";
	case CF_ROLE_MEDIA: return "media";
	case CF_ROLE_SIGNALING: return "signaling";
	case CF_ROLE_RELAY: return "relay";
	case CF_ROLE_WEB: return "web";
	}
	return "unknown";
}
#endif

static const char *const inputs[] = { "a.pcap", "b.pcapng", NULL };
/* a.pcap read whole, b.pcapng not a capture */
static const struct cf_capture_input input_status[] = {
	{ CF_INPUT_READ, 3200, 0, "" },
	{ CF_INPUT_FAILED, 0, 0, "unknown file format" },
};

static const struct cf_rule_info r_high = {
	.id = "eu-gdpr:12", .msg = "call keys or media left the EEA",
	.ruleset = "eu-gdpr", .severity = CF_SEV_HIGH,
};
static const struct cf_rule_info r_crit = {
	.id = "tw-gov:3", .msg = "keys in CN", .severity = CF_SEV_CRITICAL,
};
static const struct cf_rule_info r_low = {
	.id = "eu-gdpr:14", .msg = "call signaling left the EEA",
	.severity = CF_SEV_LOW,
};

static void mkflow(struct cf_flow *f, const char *app, unsigned roles,
		   uint64_t pkts, uint64_t bytes)
{
	memset(f, 0, sizeof(*f));
	cf_addr_parse("192.168.1.2", &f->ip[0]);
	cf_addr_parse("203.0.113.5", &f->ip[1]);
	f->proto = 17;
	cf_class_set_app(&f->cls, app);
	f->cls.roles = (uint8_t)roles;
	f->pkts[0] = pkts / 2, f->pkts[1] = pkts - pkts / 2;
	f->bytes[0] = bytes / 3, f->bytes[1] = bytes - bytes / 3;
}

static void geo_cc(struct cf_geo_result *g, const char *cc)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->country, sizeof(g->country), "%s", cc);
}

static void add_flows(struct cf_report *r)
{
	struct cf_geo_result us, de, unk, priv;
	struct cf_flow f;

	geo_cc(&us, "US");
	geo_cc(&de, "DE");
	geo_cc(&unk, "");
	geo_cc(&priv, "");
	priv.special = CF_SPECIAL_PRIVATE;
	mkflow(&f, "zoom", CF_ROLE_KEYX | CF_ROLE_SIGNALING, 20, 8563);
	cf_report_add_flow(r, &f, &us, 1);
	mkflow(&f, "zoom", CF_ROLE_MEDIA, 100, 100000);
	cf_report_add_flow(r, &f, &us, 1);
	mkflow(&f, "zoom", CF_ROLE_MEDIA, 50, 50000);
	cf_report_add_flow(r, &f, &us, 1);
	mkflow(&f, "teams", CF_ROLE_SIGNALING, 7, 1000);
	cf_report_add_flow(r, &f, &de, 1);
	mkflow(&f, "dns", 0, 2, 999);
	cf_report_add_flow(r, &f, NULL, 0);
	mkflow(&f, "webrtc", CF_ROLE_MEDIA, 3000, 1500000);
	cf_report_add_flow(r, &f, &unk, 1);
	mkflow(&f, "", 0, 1, 60);
	cf_report_add_flow(r, &f, &priv, 0);
}

static void add_alerts(struct cf_report *r)
{
	cf_report_add_alert(r, &r_high);
	cf_report_add_alert(r, &r_low);
	cf_report_add_alert(r, &r_crit);
	cf_report_add_alert(r, &r_high);
}

/*
 * 1010 distinct addresses 198.18.0.0 + i, added from i = 1009 down, some
 * twice: 1009..10 are kept, 9..0 (0..4 seen twice) are counted as omitted.
 */
static void add_unknown(struct cf_report *r)
{
	cf_addr a;
	uint8_t v4[4] = { 198, 18, 0, 0 };
	int i;

	for (i = 1009; i >= 0; i--) {
		v4[2] = (uint8_t)(i / 256), v4[3] = (uint8_t)(i % 256);
		cf_addr_from_v4(&a, v4);
		cf_report_add_unknown(r, &a);
		if (i % 100 == 0 || i < 5)
			cf_report_add_unknown(r, &a);   /* repeats are ignored */
	}
}

static void totals(struct cf_run_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->inputs = inputs;
	t->input_status = input_status;
	t->first_us = 1620119520000000ULL;
	t->last_us = 1620119523118000ULL;
	t->wall_seconds = 1.25;
	t->bytes_read = 1234567;
	t->decode.packets = 3200;
	t->decode.ok = 3180;
	t->decode.truncated = 3;
	t->decode.invalid = 2;
	t->decode.not_ip = 15;
	t->decode.udp = 3170;
	t->flows.created = 7;
	t->flows.peak = 5;
	t->flows.ended_shutdown = 7;
	t->classify.ndpi_flows = 7;
	t->geo.lookups = 4;
	t->output_errors = 1;
}

static struct cf_report *full_report(void)
{
	struct cf_report *r = cf_report_new();

	if (r == NULL)
		abort();
	add_flows(r);
	add_alerts(r);
	add_unknown(r);
	return r;
}

static json_t *get(json_t *o, const char *path)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o;
	     tok = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(tok))
				     : json_object_get(o, tok);
	return o;
}

static long long num(json_t *o, const char *path)
{
	json_t *v = get(o, path);

	return json_is_integer(v) ? json_integer_value(v) : -999;
}

static const char *str(json_t *o, const char *path)
{
	json_t *v = get(o, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- the JSON body (shared by the file and the event) --------------- */

static void check_row(json_t *rows, size_t i, const char *app, const char *role,
		      const char *cc, long long flows, long long pkts,
		      long long bytes)
{
	json_t *row = json_array_get(rows, i);

	CHECK_STR(str(row, "app"), app);
	CHECK_STR(str(row, "role"), role);
	CHECK_STR(str(row, "country"), cc);
	CHECK_INT(num(row, "flows"), flows);
	CHECK_INT(num(row, "packets"), pkts);
	CHECK_INT(num(row, "bytes"), bytes);
}

static void check_body_totals(json_t *b)
{
	CHECK_INT(json_array_size(get(b, "inputs")), 2);
	CHECK_STR(str(b, "inputs.0.name"), "a.pcap");
	CHECK_STR(str(b, "inputs.0.status"), "read");
	CHECK_INT(num(b, "inputs.0.packets"), 3200);
	CHECK(get(b, "inputs.0.error") == NULL);
	CHECK_STR(str(b, "inputs.1.name"), "b.pcapng");
	CHECK_STR(str(b, "inputs.1.status"), "failed");
	CHECK_STR(str(b, "inputs.1.error"), "unknown file format");
	CHECK(str(b, "versions.callfence") != NULL && *str(b, "versions.callfence") != '\0');
	CHECK(str(b, "versions.libpcap") != NULL);
	CHECK(str(b, "versions.ndpi") != NULL);
	CHECK(str(b, "versions.libmaxminddb") != NULL);
	CHECK(str(b, "versions.jansson") != NULL);
	CHECK(str(b, "versions.openssl") != NULL);
	CHECK_INT(num(b, "packets"), 3200);
	CHECK_INT(num(b, "bytes"), 1234567);
	CHECK_STR(str(b, "first_seen"), "2021-05-04T09:12:00.000Z");
	CHECK_STR(str(b, "last_seen"), "2021-05-04T09:12:03.118Z");
	CHECK(json_is_real(get(b, "wall_seconds")) &&
	      json_real_value(get(b, "wall_seconds")) == 1.25);
	CHECK_INT(num(b, "decode.truncated"), 3);
	CHECK_INT(num(b, "decode.not_ip"), 15);
	CHECK_INT(num(b, "decode.udp"), 3170);
	CHECK_INT(num(b, "decode.other"), 0);
	CHECK_INT(num(b, "flows.created"), 7);
	CHECK_INT(num(b, "flows.active_peak"), 5);
	CHECK_INT(num(b, "flows.ended_shutdown"), 7);
	CHECK_INT(num(b, "flows.audited"), 5);
	CHECK_INT(num(b, "ndpi.flows"), 7);
	CHECK_INT(num(b, "geo.lookups"), 4);
	CHECK_INT(num(b, "geo.entries"), 0);
	CHECK_INT(num(b, "geo.capacity"), 0);
	CHECK(json_is_real(get(b, "geo.hit_rate")) &&
	      json_real_value(get(b, "geo.hit_rate")) == 0.0);
	CHECK_INT(num(b, "dns_cache.hits"), 0);
	CHECK(get(b, "memory") == NULL);
	CHECK_INT(num(b, "output_errors"), 1);
}

static void check_body_alerts(json_t *b)
{
	CHECK_INT(num(b, "alerts.total"), 4);
	CHECK_INT(num(b, "alerts.by_severity.critical"), 1);
	CHECK_INT(num(b, "alerts.by_severity.high"), 2);
	CHECK_INT(num(b, "alerts.by_severity.medium"), 0);
	CHECK_INT(num(b, "alerts.by_severity.low"), 1);
	CHECK_INT(json_array_size(get(b, "alerts.by_rule")), 3);
	CHECK_STR(str(b, "alerts.by_rule.0.id"), "tw-gov:3");
	CHECK_STR(str(b, "alerts.by_rule.0.severity"), "critical");
	CHECK_INT(num(b, "alerts.by_rule.0.count"), 1);
	CHECK_STR(str(b, "alerts.by_rule.1.id"), "eu-gdpr:12");
	CHECK_STR(str(b, "alerts.by_rule.1.name"), "call keys or media left the EEA");
	CHECK_INT(num(b, "alerts.by_rule.1.count"), 2);
	CHECK_STR(str(b, "alerts.by_rule.2.id"), "eu-gdpr:14");
	CHECK_STR(str(b, "alerts.by_rule.2.severity"), "low");
}

static void check_body_rows(json_t *b)
{
	json_t *rows = get(b, "traffic");

	CHECK_INT(json_array_size(rows), 6);
	check_row(rows, 0, "dns", "none", "-", 1, 2, 999);
	check_row(rows, 1, "teams", "signaling", "DE", 1, 7, 1000);
	check_row(rows, 2, "unknown", "none", "-", 1, 1, 60);
	check_row(rows, 3, "webrtc", "media", "unknown", 1, 3000, 1500000);
	check_row(rows, 4, "zoom", "key-exchange", "US", 1, 20, 8563);
	check_row(rows, 5, "zoom", "media", "US", 2, 150, 150000);
	CHECK_INT(json_array_size(get(b, "unknown_geo.addresses")), 1000);
	CHECK_STR(str(b, "unknown_geo.addresses.0"), "198.18.0.10");
	CHECK_STR(str(b, "unknown_geo.addresses.999"), "198.18.3.241");
	CHECK_INT(num(b, "unknown_geo.omitted"), 10);
}

static void check_body(json_t *b)
{
	char keys[512];
	const char *k;
	json_t *x;
	size_t used = 0;

	json_object_foreach(b, k, x)
		used += (size_t)snprintf(keys + used, sizeof(keys) - used, "%s%s",
					 used ? "," : "", k);
	CHECK_STR(keys, "inputs,versions,packets,bytes,first_seen,last_seen,wall_seconds,"
		  "decode,flows,calls,ndpi,geo,rtt,alerts,traffic,unknown_geo,output_errors,"
		  "dns_cache");         /* no memory: nothing measured in totals() */
	/* rtt: the passive round trips (none measured here) */
	x = json_object_get(b, "rtt");
	CHECK(json_is_object(x) && json_integer_value(json_object_get(x, "samples")) == 0 &&
	      json_array_size(json_object_get(x, "nearest")) == 0 &&
	      json_is_object(json_object_get(x, "by_kind")));
	check_body_totals(b);
	check_body_alerts(b);
	check_body_rows(b);
}

static void test_json_file(void)
{
	struct cf_report *r = full_report();
	struct cf_run_totals t;
	char path[64], err[256], text[64];
	json_error_t je;
	json_t *doc;
	FILE *fp;

	totals(&t);
	snprintf(path, sizeof(path), "/tmp/cf-test-report-%ld.json", (long)getpid());
	CHECK_INT(cf_report_write_json(r, &t, path, err, sizeof(err)), 0);
	doc = json_load_file(path, 0, &je);
	CHECK(doc != NULL);
	if (doc != NULL)
		check_body(doc);
	json_decref(doc);
	fp = fopen(path, "r");                  /* pretty: indent 2 */
	CHECK(fp != NULL && fgets(text, sizeof(text), fp) != NULL &&
	      strcmp(text, "{\n") == 0 && fgets(text, sizeof(text), fp) != NULL &&
	      strncmp(text, "  \"inputs\": [", 13) == 0);
	if (fp != NULL)
		fclose(fp);
	unlink(path);
	CHECK_INT(cf_report_write_json(r, &t, "/nonexistent-dir/r.json", err,
				       sizeof(err)), -1);
	CHECK(strncmp(err, "/nonexistent-dir/r.json: ", 25) == 0);
	cf_report_free(r);
}

static void test_event(void)
{
	struct cf_event_meta m = { "gw1", NULL, NULL, NULL, 0, 0, NULL };
	struct cf_report *r = full_report();
	struct cf_outputs *o = cf_outputs_new();
	struct cf_run_totals t;
	char path[64], spec[80], err[256], line[200000];
	json_t *ev;
	FILE *fp;

	totals(&t);
	snprintf(path, sizeof(path), "/tmp/cf-test-report-%ld.ndjson", (long)getpid());
	unlink(path);
	snprintf(spec, sizeof(spec), "file:%s", path);
	CHECK_INT(cf_outputs_add(o, spec, err, sizeof(err)), 0);
	CHECK_INT(cf_report_emit_event(r, &t, o, &m), 0);
	cf_outputs_free(o);
	fp = fopen(path, "r");
	CHECK(fp != NULL && fgets(line, sizeof(line), fp) != NULL);
	CHECK(fp != NULL && fgetc(fp) == EOF);      /* exactly one line */
	if (fp != NULL)
		fclose(fp);
	unlink(path);
	ev = json_loads(line, 0, NULL);
	CHECK(ev != NULL);
	CHECK_STR(str(ev, "@timestamp"), "2021-05-04T09:12:03.118Z");
	CHECK_STR(str(ev, "event.kind"), "metric");
	CHECK_STR(str(ev, "event.dataset"), "callfence.report");
	CHECK_STR(str(ev, "event.module"), "callfence");
	CHECK_STR(str(ev, "observer.hostname"), "gw1");
	if (get(ev, "callfence.report") != NULL)
		check_body(get(ev, "callfence.report"));
	else
		CHECK(0);
	json_decref(ev);
	cf_report_free(r);
}

/* Do files a and b hold the same bytes? */
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca = 0, cb = 0, same = fa != NULL && fb != NULL;

	while (same && ca != EOF) {
		ca = fgetc(fa);
		cb = fgetc(fb);
		same = ca == cb;
	}
	if (fa != NULL)
		fclose(fa);
	if (fb != NULL)
		fclose(fb);
	return same;
}

/* --report with the event: one body for both (cf_report_emit_and_write);
 * the event and the document hold the same report, the document as
 * cf_report_write_json writes it, byte for byte; a document that cannot
 * be written is an error, the event still goes. */
static void test_event_and_file(void)
{
	struct cf_event_meta m = { "gw1", NULL, NULL, NULL, 0, 0, NULL };
	struct cf_report *r = full_report();
	struct cf_outputs *o = cf_outputs_new();
	struct cf_run_totals t;
	char path[64], doc1[80], doc2[80], spec[80], err[256], line[200000];
	json_t *ev, *doc;
	FILE *fp;
	int lines = 0;

	totals(&t);
	snprintf(path, sizeof(path), "/tmp/cf-test-report-%ld.ndjson", (long)getpid());
	snprintf(doc1, sizeof(doc1), "/tmp/cf-test-report-%ld-1.json", (long)getpid());
	snprintf(doc2, sizeof(doc2), "/tmp/cf-test-report-%ld-2.json", (long)getpid());
	unlink(path);
	snprintf(spec, sizeof(spec), "file:%s", path);
	CHECK_INT(cf_outputs_add(o, spec, err, sizeof(err)), 0);
	CHECK_INT(cf_report_emit_and_write(r, &t, o, &m, doc1, err, sizeof(err)), 0);
	CHECK_INT(cf_report_emit_and_write(r, &t, o, &m, "/nonexistent-dir/r.json", err,
					   sizeof(err)), -1);
	CHECK(strncmp(err, "/nonexistent-dir/r.json: ", 25) == 0);
	cf_outputs_free(o);
	CHECK_INT(cf_report_write_json(r, &t, doc2, err, sizeof(err)), 0);
	CHECK(same_file(doc1, doc2));
	fp = fopen(path, "r");
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		lines++;
	CHECK_INT(lines, 2);                    /* both events went */
	if (fp != NULL)
		fclose(fp);
	ev = json_loads(line, 0, NULL);
	doc = json_load_file(doc1, 0, NULL);
	CHECK(ev != NULL && doc != NULL && json_equal(get(ev, "callfence.report"), doc));
	if (doc != NULL)
		check_body(doc);
	json_decref(ev);
	json_decref(doc);
	unlink(path);
	unlink(doc1);
	unlink(doc2);
	cf_report_free(r);
}

/* An empty run still gives a complete, parseable report. */
static void test_empty(void)
{
	struct cf_report *r = cf_report_new();
	struct cf_run_totals t;
	char path[64], err[256];
	json_t *doc;

	memset(&t, 0, sizeof(t));
	snprintf(path, sizeof(path), "/tmp/cf-test-report-e-%ld.json", (long)getpid());
	CHECK_INT(cf_report_write_json(r, &t, path, err, sizeof(err)), 0);
	doc = json_load_file(path, 0, NULL);
	CHECK(doc != NULL);
	CHECK_INT(json_array_size(get(doc, "inputs")), 0);
	CHECK(get(doc, "first_seen") == NULL);
	CHECK_INT(json_array_size(get(doc, "traffic")), 0);
	CHECK_INT(json_array_size(get(doc, "alerts.by_rule")), 0);
	CHECK_INT(num(doc, "alerts.by_severity.critical"), 0);
	CHECK_INT(num(doc, "unknown_geo.omitted"), 0);
	json_decref(doc);
	unlink(path);
	cf_report_free(r);
}

/* A flow with every role counts in five rows; an odd app name is made safe. */
static void test_all_roles(void)
{
	struct cf_report *r = cf_report_new();
	struct cf_run_totals t;
	struct cf_geo_result g;
	struct cf_flow f;
	char path[64], err[256];
	json_t *doc, *rows;

	memset(&t, 0, sizeof(t));
	geo_cc(&g, "CN");
	mkflow(&f, "x\xff", CF_ROLE_ALL, 10, 1000);
	cf_report_add_flow(r, &f, &g, 1);
	snprintf(path, sizeof(path), "/tmp/cf-test-report-r-%ld.json", (long)getpid());
	CHECK_INT(cf_report_write_json(r, &t, path, err, sizeof(err)), 0);
	doc = json_load_file(path, 0, NULL);
	rows = get(doc, "traffic");
	/* one flow, one row: under its first role in rank order */
	CHECK_INT(json_array_size(rows), 1);
	check_row(rows, 0, "x\xef\xbf\xbd", "key-exchange", "CN", 1, 10, 1000);
	json_decref(doc);
	unlink(path);
	cf_report_free(r);
}

/* ---- the human table ------------------------------------------------ */

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	fprintf(stderr, "missing line: [%s]\n", line);
	return 0;
}

static int max_width(const char *text)
{
	int w = 0, cur = 0;

	for (; *text; text++) {
		cur = *text == '\n' ? 0 : cur + 1;
		w = cur > w ? cur : w;
	}
	return w;
}

static void test_table(void)
{
	struct cf_report *r = full_report();
	struct cf_run_totals t;
	struct cf_call_row calls[2];
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	totals(&t);
	t.geo.lookups = 40, t.geo.hits = 30, t.geo.entries = 10, t.geo.capacity = 65536;
	t.classify.dns_hits = 1, t.classify.dns_misses = 4;
	t.classify.dns_capacity = 1024, t.classify.dns_evictions = 2;
	t.mem.peak_rss_bytes = 1500000;
	t.flows.entry_bytes = 240, t.flows.peak = 7;
	memset(calls, 0, sizeof(calls));
	calls[0].id = 0x5e470531cf697bbaull;
	calls[0].first_us = 1000000, calls[0].last_us = 84500000, calls[0].flows = 30;
	calls[0].severity = CF_SEV_CRITICAL;
	strcpy(calls[0].app, "teams");
	strcpy(calls[0].rule_id, "tw-gov:3");
	strcpy(calls[0].countries, "US,NL");
	strcpy(calls[0].operators, "Microsoft Corporation; an operator whose name is far too long to fit");
	calls[1].id = 0x12, calls[1].first_us = 5, calls[1].last_us = 2500005, calls[1].flows = 2;
	strcpy(calls[1].app, "webrtc");
	t.call_rows = calls, t.n_call_rows = 2, t.call_rows_more = 3;
	cf_report_print_table(r, &t, fp);
	fclose(fp);
	CHECK(has_line(text, "CALL              APP         DURATION  FLOWS  VERDICT"));
	CHECK(has_line(text, "5e470531cf697bba  teams          1m23s     30  critical tw-gov:3"));
	CHECK(has_line(text, "                  countries US,NL; operators Microsoft Corporation; an operator"));
	CHECK(has_line(text, "0000000000000012  webrtc          2.5s      2  none"));
	CHECK(has_line(text, "                  countries -; operators -"));
	CHECK(has_line(text, "and 3 more calls (--report lists up to 1000)"));
	/* a flow with two roles counts once, under the first in rank order */
	CHECK(strstr(text, "zoom     signaling") == NULL);
	CHECK(has_line(text, "files    2: a.pcap, b.pcapng"));
	CHECK(has_line(text, "  read      a.pcap: 3200 packets"));
	CHECK(has_line(text, "  failed    b.pcapng: unknown file format"));
	CHECK(has_line(text, "packets  3200 (1.2 MB) 2021-05-04T09:12:00.000Z .. "
		       "2021-05-04T09:12:03.118Z"));
	CHECK(has_line(text, "bad      5 (truncated 3, invalid 2), fragments 0, not IP 15"));
	CHECK(has_line(text, "flows    7 (audited 5, evicted 0)"));
	CHECK(has_line(text, "alerts   4 (critical 1, high 2, medium 0, low 1)"));
	CHECK(has_line(text, "caches   geo 75.0% of 40 lookups hit (10 of 65536 entries)"));
	CHECK(has_line(text, "         dns 20.0% of 5 new flows named (1024 entries, 2 evicted)"));
	CHECK(has_line(text, "memory   peak 1.5 MB resident; a flow 240 B + index; 7 flows at most"));
	CHECK(has_line(text, "APP      ROLE          COUNTRY  FLOWS  PACKETS      BYTES"));
	CHECK(has_line(text, "dns      none          -            1        2      999 B"));
	CHECK(has_line(text, "webrtc   media         unknown      1     3000     1.5 MB"));
	CHECK(has_line(text, "zoom     key-exchange  US           1       20     8.6 kB"));
	CHECK(has_line(text, "zoom     media         US           2      150   150.0 kB"));
	CHECK(has_line(text, "  critical      1  tw-gov:3    keys in CN"));
	CHECK(has_line(text, "  high          2  eu-gdpr:12  call keys or media left the EEA"));
	CHECK(has_line(text, "unknown geography: 1010 addresses"));
	CHECK(has_line(text, "  198.18.0.10"));
	CHECK(has_line(text, "  198.18.0.19"));
	CHECK(strstr(text, "  198.18.0.20\n") == NULL);
	CHECK(strstr(text, "  198.18.0.9\n") == NULL);
	CHECK(has_line(text, "  and 1000 more"));
	CHECK(max_width(text) < 80);
	free(text);
	cf_report_free(r);
}

/* Long names and huge numbers stay readable; the rule name is cut. */
static void test_table_long(void)
{
	struct cf_rule_info rl = r_high;
	struct cf_report *r = cf_report_new();
	struct cf_run_totals t;
	struct cf_flow f;
	char *text = NULL, msg[300];
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	memset(&t, 0, sizeof(t));
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	rl.msg = msg;
	cf_report_add_alert(r, &rl);
	mkflow(&f, "averyveryverylongappname", CF_ROLE_WEB, 5, 999950);
	cf_report_add_flow(r, &f, NULL, 0);
	cf_report_print_table(r, &t, fp);
	fclose(fp);
	CHECK(has_line(text, "files    0"));
	CHECK(strstr(text, "averyveryverylongapp  web ") != NULL);
	CHECK(strstr(text, "1.0 MB\n") != NULL);        /* 999950 B rounds up */
	CHECK(strstr(text, "mmm...\n") != NULL);
	CHECK(max_width(text) < 80);
	CHECK(strstr(text, "unknown geography") == NULL);
	free(text);
	cf_report_free(r);
}

/* The sources in the report: a file's SHA-256, one that cannot be read. */
static void test_sources(void)
{
	char path[64], err[256], *text = NULL;
	struct cf_report *r = cf_report_new();
	struct cf_provenance *p;
	struct cf_run_totals t;
	const char *geo[] = { "/nonexistent/x.mmdb", NULL };
	json_t *doc;
	json_error_t je;
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/cf-test-src-%ld", (long)getpid());
	fp = fopen(path, "w");
	CHECK(fp != NULL && fputs("abc", fp) >= 0 && fclose(fp) == 0);
	p = cf_provenance_take(path, NULL, geo, 1);
	CHECK(p != NULL && p->n == 2);
	cf_event_set_provenance(p);
	totals(&t);
	CHECK_INT(cf_report_write_json(r, &t, path, err, sizeof(err)), 0);
	doc = json_load_file(path, 0, &je);
	CHECK(doc != NULL);
	CHECK_INT(json_array_size(get(doc, "sources")), 2);
	CHECK_STR(str(doc, "sources.0.kind"), "rules");
	CHECK(str(doc, "sources.0.path") != NULL && strstr(str(doc, "sources.0.path"), "cf-test-src-") != NULL);
	/* SHA-256("abc"), FIPS 180-2 */
	CHECK_STR(str(doc, "sources.0.sha256"),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(str(doc, "sources.1.kind"), "geo");
	CHECK(get(doc, "sources.1.sha256") == NULL);
	CHECK_STR(str(doc, "sources.1.error"), "No such file or directory");
	json_decref(doc);
	cf_event_set_provenance(NULL);
	free(p);
	free(text);
	unlink(path);
	cf_report_free(r);
}

int main(void)
{
	RUN(test_json_file);
	RUN(test_event);
	RUN(test_event_and_file);
	RUN(test_empty);
	RUN(test_all_roles);
	RUN(test_table);
	RUN(test_table_long);
	RUN(test_sources);
	return harness_done();
}
