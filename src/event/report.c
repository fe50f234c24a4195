/*
 * report.c - the summary of an offline run.
 *
 * Ended flows are counted into rows keyed by (app, role, country), kept
 * sorted so a lookup is a binary search and the output order is stable:
 * app, then role in importance order (key-exchange, media, relay,
 * signaling, web, none), then country ("-" first, "unknown" last).  Alerts
 * are counted by severity and by rule.  Remote addresses of unknown country
 * are kept once each, up to CF_REPORT_MAX_UNKNOWN; distinct ones past the
 * bound are counted (by a 65536-bit hash bitmap, so a rare collision can
 * make the count a little low).
 *
 * The JSON forms are built by event-report.c (report-json.h); this file
 * prints the human table.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event/report.h"
#include "event/report-json.h"
#include "event/event.h"

#define CF_REPORT_MAX_UNKNOWN 1000
#define OMIT_BITS 65536
#define TABLE_UNKNOWN_SHOWN 10

struct cf_report {
	struct cf_report_row *rows;     /* sorted by (app, role_rank, country) */
	size_t nrows, rows_cap;
	struct cf_report_rule *rules;   /* in order of first alert */
	size_t nrules, rules_cap;
	cf_addr *unknown;               /* sorted, at most CF_REPORT_MAX_UNKNOWN */
	size_t nunknown;
	uint64_t unknown_omitted;
	uint64_t flows, audited, alerts;
	uint64_t by_severity[CF_SEV_CRITICAL + 1];
	uint8_t omitted_seen[OMIT_BITS / 8];
};

struct cf_report *cf_report_new(void)
{
	struct cf_report *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->unknown = calloc(CF_REPORT_MAX_UNKNOWN, sizeof(*r->unknown));
	if (r->unknown == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void cf_report_free(struct cf_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrules; i++) {
		free(r->rules[i].id);
		free(r->rules[i].name);
	}
	free(r->rules);
	free(r->rows);
	free(r->unknown);
	free(r);
}

/* Make room for one more element of size sz in *arr (n used, *cap). */
static int grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * sz);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- traffic rows --------------------------------------------------- */

static int row_cmp(const struct cf_report_row *row, const char *app, int rank,
		   const char *country)
{
	int c = strcmp(row->app, app);

	if (c != 0)
		return c;
	if (row->role_rank != rank)
		return row->role_rank < rank ? -1 : 1;
	return strcmp(row->country, country);
}

/* The row for the key, inserted in order if new; NULL out of memory. */
static struct cf_report_row *row_get(struct cf_report *r, const char *app,
				     int rank, const char *country)
{
	size_t lo = 0, hi = r->nrows, mid;
	struct cf_report_row *row;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = row_cmp(&r->rows[mid], app, rank, country);
		if (c == 0)
			return &r->rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (grow((void **)&r->rows, r->nrows, &r->rows_cap, sizeof(*row)) < 0)
		return NULL;
	row = &r->rows[lo];
	memmove(row + 1, row, (r->nrows - lo) * sizeof(*row));
	r->nrows++;
	memset(row, 0, sizeof(*row));
	snprintf(row->app, sizeof(row->app), "%s", app);
	snprintf(row->country, sizeof(row->country), "%s", country);
	row->role_rank = rank;
	row->role = rank < CF_ROLE_RANKS ? cf_role_name(cf_role_at_rank(rank))
					 : "none";
	return row;
}

/* The row country of a remote end: "-" local/unjudged, "unknown", "US". */
static void row_country(const struct cf_geo_result *g, char *buf, size_t len)
{
	if (g == NULL || (g->special != 0 && g->country[0] == '\0'))
		snprintf(buf, len, "-");
	else if (g->country[0] == '\0')
		snprintf(buf, len, "unknown");
	else
		cf_json_safe_string(g->country, strnlen(g->country, sizeof(g->country)),
				    buf, len);
}

static void row_add(struct cf_report *r, const char *app, int rank,
		    const char *country, const struct cf_flow *f)
{
	struct cf_report_row *row = row_get(r, app, rank, country);

	if (row == NULL)
		return;
	row->flows++;
	row->packets += f->pkts[0] + f->pkts[1];
	row->bytes += f->bytes[0] + f->bytes[1];
}

void cf_report_add_flow(struct cf_report *r, const struct cf_flow *f,
			const struct cf_geo_result *remote_geo, int audited)
{
	char app[CF_APP_LEN], country[sizeof(((struct cf_report_row *)0)->country)];
	int i, any = 0;

	cf_json_safe_string(cf_class_app(&f->cls), strnlen(cf_class_app(&f->cls), CF_APP_LEN),
			    app, sizeof(app));
	if (app[0] == '\0')
		snprintf(app, sizeof(app), "unknown");
	row_country(remote_geo, country, sizeof(country));
	/* once, under its first role in rank order (a flow with two roles
	   is one flow) */
	for (i = 0; i < CF_ROLE_RANKS && !any; i++) {
		if (f->cls.roles & cf_role_at_rank(i)) {
			row_add(r, app, i, country, f);
			any = 1;
		}
	}
	if (!any)
		row_add(r, app, CF_ROLE_RANKS, country, f);
	r->flows++;
	if (audited)
		r->audited++;
}

/* ---- alerts --------------------------------------------------------- */

static char *safe_dup(const char *s)
{
	char buf[512];

	cf_json_safe_string(s, s ? strnlen(s, sizeof(buf)) : 0, buf, sizeof(buf));
	return strdup(buf);
}

static struct cf_report_rule *rule_get(struct cf_report *r,
				       const struct cf_rule_info *rule)
{
	struct cf_report_rule *rr;
	char *id;
	size_t i;

	id = safe_dup(rule->id);
	if (id == NULL)
		return NULL;
	for (i = 0; i < r->nrules; i++) {
		if (strcmp(r->rules[i].id, id) == 0) {
			free(id);
			return &r->rules[i];
		}
	}
	if (grow((void **)&r->rules, r->nrules, &r->rules_cap, sizeof(*rr)) < 0) {
		free(id);
		return NULL;
	}
	rr = &r->rules[r->nrules];
	memset(rr, 0, sizeof(*rr));
	rr->id = id;
	rr->name = safe_dup(rule->msg);
	rr->severity = rule->severity;
	if (rr->name == NULL) {
		free(id);
		return NULL;
	}
	r->nrules++;
	return rr;
}

void cf_report_add_alert(struct cf_report *r, const struct cf_rule_info *rule)
{
	struct cf_report_rule *rr;
	unsigned sev;

	if (rule == NULL)
		return;
	rr = rule_get(r, rule);
	sev = (unsigned)rule->severity;

	r->alerts++;
	if (sev <= CF_SEV_CRITICAL)
		r->by_severity[sev]++;
	if (rr != NULL)
		rr->count++;
}

/* ---- unknown geography ---------------------------------------------- */

void cf_report_add_unknown(struct cf_report *r, const cf_addr *a)
{
	size_t lo = 0, hi = r->nunknown, mid;
	uint32_t h;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = cf_addr_cmp(&r->unknown[mid], a);
		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r->nunknown < CF_REPORT_MAX_UNKNOWN) {
		memmove(&r->unknown[lo + 1], &r->unknown[lo],
			(r->nunknown - lo) * sizeof(*a));
		r->unknown[lo] = *a;
		r->nunknown++;
		return;
	}
	h = cf_addr_hash(a, 0x5bd1e995u) % OMIT_BITS;
	if (!(r->omitted_seen[h / 8] & (1u << (h % 8)))) {
		r->omitted_seen[h / 8] |= (uint8_t)(1u << (h % 8));
		r->unknown_omitted++;
	}
}

/* ---- merging (--threads: one report per worker) ----------------------- */

int cf_report_merge(struct cf_report *to, const struct cf_report *from)
{
	size_t i, j;
	uint64_t bits = 0;

	for (i = 0; i < from->nrows; i++) {
		const struct cf_report_row *s = &from->rows[i];
		struct cf_report_row *d = row_get(to, s->app, s->role_rank, s->country);

		if (d == NULL)
			return -1;
		d->flows += s->flows;
		d->packets += s->packets;
		d->bytes += s->bytes;
	}
	for (i = 0; i < from->nrules; i++) {
		const struct cf_report_rule *s = &from->rules[i];
		struct cf_report_rule *d = NULL;

		for (j = 0; j < to->nrules && d == NULL; j++)
			if (strcmp(to->rules[j].id, s->id) == 0)
				d = &to->rules[j];
		if (d == NULL) {
			if (grow((void **)&to->rules, to->nrules, &to->rules_cap,
				 sizeof(*d)) < 0)
				return -1;
			d = &to->rules[to->nrules];
			memset(d, 0, sizeof(*d));
			d->id = strdup(s->id);
			d->name = strdup(s->name);
			d->severity = s->severity;
			if (d->id == NULL || d->name == NULL) {
				free(d->id);
				free(d->name);
				return -1;
			}
			to->nrules++;
		}
		d->count += s->count;
	}
	for (i = 0; i < from->nunknown; i++)
		cf_report_add_unknown(to, &from->unknown[i]);
	/* distinct omitted addresses: the union of the two bitmaps */
	for (i = 0; i < sizeof(to->omitted_seen); i++) {
		to->omitted_seen[i] |= from->omitted_seen[i];
		bits += (uint64_t)__builtin_popcount(to->omitted_seen[i]);
	}
	to->unknown_omitted = bits;
	to->flows += from->flows;
	to->audited += from->audited;
	to->alerts += from->alerts;
	for (i = 0; i <= CF_SEV_CRITICAL; i++)
		to->by_severity[i] += from->by_severity[i];
	return 0;
}

/* ---- the view handed to event-report.c ------------------------------ */

/* Rules by severity (highest first), then count (highest first), then id. */
static int rule_order(const void *pa, const void *pb)
{
	const struct cf_report_rule *a = pa, *b = pb;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* Fill *v from r and t; v->rules is a malloc'd sorted copy (free it). */
static int make_view(const struct cf_report *r, const struct cf_run_totals *t,
		     struct cf_report_view *v)
{
	struct cf_report_rule *rules = NULL;

	memset(v, 0, sizeof(*v));
	if (r->nrules > 0) {
		rules = malloc(r->nrules * sizeof(*rules));
		if (rules == NULL)
			return -1;
		memcpy(rules, r->rules, r->nrules * sizeof(*rules));
		qsort(rules, r->nrules, sizeof(*rules), rule_order);
	}
	v->t = t;
	v->flows = r->flows;
	v->audited = r->audited;
	v->alerts = r->alerts;
	memcpy(v->by_severity, r->by_severity, sizeof(v->by_severity));
	v->rules = rules;
	v->nrules = r->nrules;
	v->rows = r->rows;
	v->nrows = r->nrows;
	v->unknown = r->unknown;
	v->nunknown = r->nunknown;
	v->unknown_omitted = r->unknown_omitted;
	return 0;
}

int cf_report_emit_and_write(const struct cf_report *r, const struct cf_run_totals *t,
			     struct cf_outputs *out, const struct cf_event_meta *m,
			     const char *path, char *err, size_t errlen)
{
	struct cf_report_view v;
	int rc;

	if (make_view(r, t, &v) < 0) {
		if (path != NULL)
			snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = cf_report_json_out(&v, out, m, path, err, errlen);
	free((void *)v.rules);
	return rc;
}

int cf_report_write_json(const struct cf_report *r, const struct cf_run_totals *t,
			 const char *path, char *err, size_t errlen)
{
	return cf_report_emit_and_write(r, t, NULL, NULL, path, err, errlen);
}

int cf_report_emit_event(const struct cf_report *r, const struct cf_run_totals *t,
			 struct cf_outputs *out, const struct cf_event_meta *m)
{
	return cf_report_emit_and_write(r, t, out, m, NULL, NULL, 0);
}

/* ---- the human table ------------------------------------------------ */

/* "999 B", "1.2 kB", "8.3 MB" (powers of 1000). */
static const char *human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)b;
	int u = -1;

	if (b < 1000) {
		snprintf(buf, len, "%" PRIu64 " B", b);
		return buf;
	}
	while (v >= 999.95 && u < 5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

static int u64_width(uint64_t v)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

const char *cf_input_status_name(const struct cf_capture_input *in)
{
	if (in == NULL)
		return "live";
	switch (in->status) {
	case CF_INPUT_READ: return "read";
	case CF_INPUT_TRUNCATED: return "truncated";
	case CF_INPUT_STOPPED: return "stopped";
	case CF_INPUT_FAILED: return "failed";
	case CF_INPUT_NOT_READ: break;
	}
	return "not-read";
}

/* One line per capture file with what became of it. */
static void print_input_status(const struct cf_run_totals *t, FILE *fp)
{
	const struct cf_capture_input *in;
	size_t i;

	for (i = 0; t->input_status != NULL && t->inputs != NULL && t->inputs[i] != NULL; i++) {
		in = &t->input_status[i];
		fprintf(fp, "  %-9s %s", cf_input_status_name(in), t->inputs[i]);
		if (in->status == CF_INPUT_FAILED)
			fprintf(fp, ": %s", in->error);
		else if (in->status == CF_INPUT_TRUNCATED)
			fprintf(fp, ": %" PRIu64 " packets, %" PRIu64 " record(s) cut short",
				in->packets, in->truncated_records);
		else if (in->status != CF_INPUT_NOT_READ)
			fprintf(fp, ": %" PRIu64 " packets", in->packets);
		fputc('\n', fp);
	}
}

/* "files    2: a.pcap, b.pcapng", cut with "..." to stay within 79 columns. */
static void print_files(const struct cf_run_totals *t, FILE *fp)
{
	char line[80];
	size_t n = 0, used;
	const char *const *s;

	for (s = t->inputs; s != NULL && *s != NULL; s++)
		n++;
	used = (size_t)snprintf(line, sizeof(line), "files    %zu", n);
	for (s = t->inputs; s != NULL && *s != NULL && used < sizeof(line); s++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
					 s == t->inputs ? ": " : ", ", *s);
	if (used >= sizeof(line))
		memcpy(line + sizeof(line) - 4, "...", 4);
	fprintf(fp, "%s\n", line);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Caches (hit rates, fill) and memory (the process's own accounting). */
static void print_resources(const struct cf_run_totals *t, FILE *fp)
{
	const struct cf_classify_stats *c = &t->classify;
	const struct cf_flow_stats *f = &t->flows;
	char hb[24];

	fprintf(fp, "caches   geo %.1f%% of %" PRIu64 " lookups hit (%" PRIu32
		" of %" PRIu32 " entries)\n", pct(t->geo.hits, t->geo.lookups),
		t->geo.lookups, t->geo.entries, t->geo.capacity);
	fprintf(fp, "         dns %.1f%% of %" PRIu64 " new flows named (%" PRIu32
		" entries, %" PRIu64 " evicted)\n",
		pct(c->dns_hits, c->dns_hits + c->dns_misses),
		c->dns_hits + c->dns_misses, c->dns_capacity, c->dns_evictions);
	if (t->mem.peak_rss_bytes == 0)
		return;
	fprintf(fp, "memory   peak %s resident; a flow %" PRIu32 " B + index; "
		"%" PRIu32 " flows at most\n",
		human_bytes(t->mem.peak_rss_bytes, hb, sizeof(hb)),
		f->entry_bytes, f->peak);
}

/*
 * /proc/self/status, opened once before an offline run's seccomp sandbox
 * goes on (cf_report_proc_open), which forbids opening it later; read
 * afresh from its start each time (procfs makes it anew on every read).
 */
static int proc_status_fd = -1;

void cf_report_proc_open(void)
{
	if (proc_status_fd < 0)
		proc_status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
}

/* Key: value from /proc/self/status in kB, as bytes; 0 if unknown. */
static uint64_t proc_status_kb(const char *key)
{
	char buf[8192];
	size_t n = strlen(key);
	const char *p;
	ssize_t got;
	int fd = proc_status_fd;

	if (fd < 0)
		fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	if (fd != proc_status_fd)
		close(fd);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ':')
			return strtoull(p + n + 1, NULL, 10) * 1024;
	return 0;
}

void cf_run_totals_fill_mem(struct cf_run_totals *t)
{
	t->mem.rss_bytes = proc_status_kb("VmRSS");
	t->mem.peak_rss_bytes = proc_status_kb("VmHWM");
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	{
		struct mallinfo2 mi = mallinfo2();

		t->mem.heap_bytes = (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
	}
#endif
}

static void print_header(const struct cf_report_view *v, FILE *fp)
{
	const struct cf_run_totals *t = v->t;
	const struct cf_decode_stats *d = &t->decode;
	char hb[24], t0[40], t1[40];

	print_files(t, fp);
	print_input_status(t, fp);
	fprintf(fp, "packets  %" PRIu64 " (%s)", d->packets,
		human_bytes(t->bytes_read, hb, sizeof(hb)));
	if (t->first_us != 0) {
		cf_event_time(t->first_us, t0, sizeof(t0));
		cf_event_time(t->last_us, t1, sizeof(t1));
		fprintf(fp, " %s .. %s", t0, t1);
	}
	fprintf(fp, "\nbad      %" PRIu64 " (truncated %" PRIu64 ", invalid %"
		PRIu64 "), fragments %" PRIu64 ", not IP %" PRIu64 "\n",
		d->truncated + d->invalid, d->truncated, d->invalid,
		d->fragments, d->not_ip);
	fprintf(fp, "flows    %" PRIu64 " (audited %" PRIu64 ", evicted %" PRIu64
		")\n", v->flows, v->audited, t->flows.evicted);
	fprintf(fp, "alerts   %" PRIu64 " (critical %" PRIu64 ", high %" PRIu64
		", medium %" PRIu64 ", low %" PRIu64 ")\n", v->alerts,
		v->by_severity[CF_SEV_CRITICAL], v->by_severity[CF_SEV_HIGH],
		v->by_severity[CF_SEV_MEDIUM], v->by_severity[CF_SEV_LOW]);
	print_resources(t, fp);
}

struct widths {
	int app, role, flows, packets;
};

static void table_widths(const struct cf_report_view *v, struct widths *w)
{
	size_t i;
	int n;

	w->app = 3, w->role = 4, w->flows = 5, w->packets = 7;
	for (i = 0; i < v->nrows; i++) {
		n = (int)strlen(v->rows[i].app);
		w->app = n > w->app ? n : w->app;
		n = (int)strlen(v->rows[i].role);
		w->role = n > w->role ? n : w->role;
		n = u64_width(v->rows[i].flows);
		w->flows = n > w->flows ? n : w->flows;
		n = u64_width(v->rows[i].packets);
		w->packets = n > w->packets ? n : w->packets;
	}
	if (w->app > 20)
		w->app = 20;
}

static void print_traffic(const struct cf_report_view *v, FILE *fp)
{
	const struct cf_report_row *row;
	struct widths w;
	char hb[24];
	size_t i;

	if (v->nrows == 0)
		return;
	table_widths(v, &w);
	fprintf(fp, "\n%-*s  %-*s  %-7s  %*s  %*s  %9s\n", w.app, "APP",
		w.role, "ROLE", "COUNTRY", w.flows, "FLOWS", w.packets,
		"PACKETS", "BYTES");
	for (i = 0; i < v->nrows; i++) {
		row = &v->rows[i];
		fprintf(fp, "%-*.*s  %-*s  %-7s  %*" PRIu64 "  %*" PRIu64
			"  %9s\n", w.app, w.app, row->app, w.role, row->role,
			row->country, w.flows, row->flows, w.packets,
			row->packets, human_bytes(row->bytes, hb, sizeof(hb)));
	}
}

#define TABLE_CALLS_SHOWN 20

static const char *duration_str(uint64_t us, char *buf, size_t len)
{
	uint64_t sec = us / 1000000;

	if (sec >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", sec / 3600, sec / 60 % 60);
	else if (sec >= 60)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", sec / 60, sec % 60);
	else
		snprintf(buf, len, "%" PRIu64 ".%01" PRIu64 "s", sec, us / 100000 % 10);
	return buf;
}

/* The calls (reading files): a line with the call's id, app, duration,
 * flows and verdict, and under it the countries and operators it touched;
 * both cut at 79 columns. */
static void print_calls(const struct cf_report_view *v, FILE *fp)
{
	const struct cf_run_totals *t = v->t;
	const struct cf_call_row *c;
	char d[24], line[256];
	size_t i;
	uint64_t more;

	if (t->n_call_rows == 0 && t->call_rows_more == 0)
		return;
	fprintf(fp, "\n%-16s  %-10s  %8s  %5s  %s\n", "CALL", "APP", "DURATION",
		"FLOWS", "VERDICT");
	for (i = 0; i < t->n_call_rows && i < TABLE_CALLS_SHOWN; i++) {
		c = &t->call_rows[i];
		snprintf(line, sizeof(line), "%016" PRIx64 "  %-10.10s  %8s  %5u  %s%s%s",
			 c->id, c->app[0] ? c->app : "-",
			 duration_str(c->last_us - c->first_us, d, sizeof(d)), c->flows,
			 cf_severity_name(c->severity), c->rule_id[0] ? " " : "", c->rule_id);
		fprintf(fp, "%.79s\n", line);
		snprintf(line, sizeof(line), "%18scountries %s; operators %s", "",
			 c->countries[0] ? c->countries : "-",
			 c->operators[0] ? c->operators : "-");
		fprintf(fp, "%.79s\n", line);
	}
	more = (uint64_t)(t->n_call_rows - i) + t->call_rows_more;
	if (more > 0)
		fprintf(fp, "and %" PRIu64 " more call%s (--report lists up to %d)\n", more,
			more == 1 ? "" : "s", CF_CALL_ROWS);
}

/* "  critical      2  tw-gov:3  call keys ...", the name cut at 79 columns. */
static void print_rules(const struct cf_report_view *v, FILE *fp)
{
	const struct cf_report_rule *rr;
	int used, room, idw = 2;
	size_t i;

	if (v->nrules == 0)
		return;
	for (i = 0; i < v->nrules; i++)
		if ((int)strlen(v->rules[i].id) > idw)
			idw = (int)strlen(v->rules[i].id);
	idw = idw > 24 ? 24 : idw;
	fprintf(fp, "\nalerts by rule:\n");
	for (i = 0; i < v->nrules; i++) {
		rr = &v->rules[i];
		used = fprintf(fp, "  %-8s %6" PRIu64 "  %-*s  ",
			       cf_severity_name(rr->severity), rr->count, idw,
			       rr->id);
		room = used > 0 && used < 69 ? 79 - used : 10;
		if ((int)strlen(rr->name) > room)
			fprintf(fp, "%.*s...\n", room - 3, rr->name);
		else
			fprintf(fp, "%s\n", rr->name);
	}
}

static void print_unknown(const struct cf_report_view *v, FILE *fp)
{
	char ip[CF_ADDR_STRLEN];
	uint64_t more;
	size_t i;

	if (v->nunknown == 0)
		return;
	fprintf(fp, "\nunknown geography: %" PRIu64 " address%s\n",
		(uint64_t)v->nunknown + v->unknown_omitted,
		v->nunknown + v->unknown_omitted == 1 ? "" : "es");
	for (i = 0; i < v->nunknown && i < TABLE_UNKNOWN_SHOWN; i++)
		fprintf(fp, "  %s\n", cf_addr_str(&v->unknown[i], ip, sizeof(ip)));
	more = (uint64_t)(v->nunknown - i) + v->unknown_omitted;
	if (more > 0)
		fprintf(fp, "  and %" PRIu64 " more\n", more);
}

void cf_report_print_table(const struct cf_report *r, const struct cf_run_totals *t,
			   FILE *fp)
{
	struct cf_report_view v;

	if (make_view(r, t, &v) < 0) {
		fprintf(fp, "callfence: report: out of memory\n");
		return;
	}
	print_header(&v, fp);
	print_traffic(&v, fp);
	print_calls(&v, fp);
	print_rules(&v, fp);
	print_unknown(&v, fp);
	free((void *)v.rules);
}
