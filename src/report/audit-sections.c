/*
 * audit-sections.c - the report's body: per app, the calls, each alert
 * with its evidence, the appendix of every judged flow, the run's health.
 * Long tables are written whole (they print, and read without
 * JavaScript); the script pages and filters them on screen.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/audit-int.h"

#define NO_CALL ((size_t)-1)
#define ALERTS_IN_FULL 200      /* more are listed in a table */

static const char *const role_names[] = { "key-exchange", "media", "signaling", "relay", "other" };
#define N_ROLES 5

struct app_sum {
	const char *app;
	uint64_t flows, calls, bytes;
	uint64_t role_bytes[N_ROLES];
	const char *cc[4];          /* the top countries by bytes */
	uint64_t cc_bytes[4];
};

static int role_index(const char *roles)
{
	size_t n;
	int i;

	for (i = 0; i < N_ROLES - 1; i++) {
		n = strlen(role_names[i]);
		if (strncmp(roles, role_names[i], n) == 0 && (roles[n] == ',' || roles[n] == '\0'))
			return i;
	}
	return N_ROLES - 1;
}

static void add_cc(struct app_sum *s, const char *cc, uint64_t b)
{
	int i, j;

	for (i = 0; i < 4; i++)
		if (s->cc[i] != NULL && strcmp(s->cc[i], cc) == 0) {
			s->cc_bytes[i] += b;
			goto sort;
		}
	for (i = 0; i < 4 && s->cc[i] != NULL; i++)
		;
	if (i == 4) {
		if (b <= s->cc_bytes[3])
			return;   /* an approximation: the top four as they come */
		i = 3;
	}
	s->cc[i] = cc;
	s->cc_bytes[i] = b;
sort:
	for (i = 1; i < 4; i++)
		for (j = i; j > 0 && s->cc[j] != NULL && s->cc_bytes[j] > s->cc_bytes[j - 1]; j--) {
			const char *t = s->cc[j];
			uint64_t tb = s->cc_bytes[j];

			s->cc[j] = s->cc[j - 1];
			s->cc_bytes[j] = s->cc_bytes[j - 1];
			s->cc[j - 1] = t;
			s->cc_bytes[j - 1] = tb;
		}
}

void a_write_apps(struct cf_audit *a, FILE *f)
{
	struct app_sum apps[64];
	size_t n = 0, i, j;
	uint64_t maxb = 1;

	memset(apps, 0, sizeof(apps));
	for (i = 0; i < a->n_flows; i++) {
		const struct a_flow *fl = &a->flows[i];

		for (j = 0; j < n && strcmp(apps[j].app, fl->app) != 0; j++)
			;
		if (j == n) {
			if (n == 64)
				continue;
			apps[n++].app = fl->app;
		}
		apps[j].flows++;
		apps[j].bytes += fl->bytes;
		apps[j].role_bytes[role_index(fl->roles)] += fl->bytes;
		add_cc(&apps[j], *fl->country ? fl->country : "??", fl->bytes);
	}
	for (i = 0; i < a->n_calls; i++)
		for (j = 0; j < n; j++)
			if (strcmp(apps[j].app, a->calls[i].app) == 0)
				apps[j].calls++;
	for (j = 0; j < n; j++)
		if (apps[j].bytes > maxb)
			maxb = apps[j].bytes;
	fputs("<section id=\"apps\"><h2>By app</h2>\n<table class=\"apps\"><thead><tr>"
	      "<th>App</th><th>Calls</th><th>Flows</th><th>Bytes</th>", f);
	for (i = 0; i < N_ROLES; i++)
		fprintf(f, "<th>%s</th>", role_names[i]);
	fputs("<th>Bytes by country (top 4)</th><th>Bytes by role</th></tr></thead><tbody>\n", f);
	for (j = 0; j < n; j++) {
		const struct app_sum *s = &apps[j];
		double x = 0;

		fputs("<tr class=\"app\" data-app=\"", f);
		a_esc(f, s->app);
		fputs("\"><td>", f);
		a_esc(f, *s->app ? s->app : "(unknown)");
		fprintf(f, "</td><td>%llu</td><td>%llu</td><td>", (unsigned long long)s->calls,
			(unsigned long long)s->flows);
		a_bytes(f, s->bytes);
		fputs("</td>", f);
		for (i = 0; i < N_ROLES; i++) {
			fputs("<td>", f);
			if (s->role_bytes[i])
				a_bytes(f, s->role_bytes[i]);
			fputs("</td>", f);
		}
		fputs("<td>", f);
		for (i = 0; i < 4 && s->cc[i] != NULL; i++) {
			fputs(i ? ", " : "", f);
			a_esc(f, s->cc[i]);
			fputs(" ", f);
			a_bytes(f, s->cc_bytes[i]);
		}
		fputs("</td><td><svg class=\"bar\" viewBox=\"0 0 200 12\" aria-hidden=\"true\">", f);
		for (i = 0; i < N_ROLES; i++) {
			double w = 200.0 * (double)s->role_bytes[i] / (double)maxb;

			if (w > 0)
				fprintf(f, "<rect class=\"r%zu\" x=\"%.1f\" y=\"0\" width=\"%.1f\" "
					"height=\"12\"/>", i, x, w);
			x += w;
		}
		fputs("</svg></td></tr>\n", f);
	}
	fputs("</tbody></table>\n<p class=\"legend\">Bars: bytes by role, "
	      "<span class=\"key r0\"></span> key exchange <span class=\"key r1\"></span> media "
	      "<span class=\"key r2\"></span> signalling <span class=\"key r3\"></span> relay "
	      "<span class=\"key r4\"></span> other; a flow counts under its first role.</p>\n"
	      "</section>\n", f);
}

static void duration(FILE *f, double s)
{
	long long m;

	if (!(s > 0))
		s = 0;
	if (s < 60) {
		fprintf(f, "%.1f s", s);
		return;
	}
	if (s > 1e9) {          /* an event's own say: not worth minutes */
		fputs("over 30 years", f);
		return;
	}
	m = (long long)(s / 60);
	if (m < 60)
		fprintf(f, "%lld min %02d s", m, (int)(s - 60.0 * (double)m));
	else
		fprintf(f, "%lld h %02lld min", m / 60, m % 60);
}

void a_write_calls(struct cf_audit *a, FILE *f)
{
	double t0 = a->t_min, span = a->t_max - a->t_min;
	size_t i;

	fprintf(f, "<section id=\"calls\"><h2>The calls (%zu)</h2>\n", a->n_calls);
	if (a->calls_grouped)
		fputs("<p class=\"note\">Where callfence named no call (no call id), a &ldquo;call"
		      "&rdquo; here is the flows of one app and one local host, until 60 seconds "
		      "pass without one; such calls say <i>grouped here</i>.</p>\n", f);
	fputs("<table class=\"calls paged\" id=\"calls-table\"><thead><tr><th>Verdict</th>"
	      "<th>Start</th><th>Duration</th><th>App</th><th>Observer</th><th>Local host</th>"
	      "<th>Flows</th><th>Keys with</th><th>Media with</th><th>Rule</th>"
	      "<th>Timeline</th></tr></thead><tbody>\n", f);
	for (i = 0; i < a->n_calls; i++) {
		const struct a_call *c = &a->calls[i];
		double l = span > 0 ? 100.0 * (c->start - t0) / span : 0;
		double w = span > 0 ? 100.0 * (c->end - c->start) / span : 100;

		fprintf(f, "<tr class=\"call sev-%s\" id=\"call-%zu\" data-app=\"", a_sev_name(c->sev), i);
		a_esc(f, c->app);
		fprintf(f, "\"><td>%s</td><td>", c->sev ? a_sev_name(c->sev) : "pass");
		a_time(f, c->start);
		fputs("</td><td>", f);
		duration(f, c->end - c->start);
		fputs("</td><td", f);
		if (*c->id)
			a_esc_in(f, " title=\"call ", c->id, "\"");
		fputs(">", f);
		a_esc(f, c->app);
		if (*c->id == '\0')
			fputs(" <span class=\"grouped\">grouped here</span>", f);
		if (*c->links)          /* what tied its flows together */
			a_esc_in(f, " <span class=\"links\">(", c->links, ")</span>");
		a_esc_in(f, "</td><td>", c->obs, "</td><td>");
		a_esc(f, c->local_ip);
		fprintf(f, "</td><td>%u</td><td class=\"where\">", c->n_flows);
		a_esc_in(f, "", c->keyx, "</td><td class=\"where\">");
		a_esc_in(f, "", c->media, "</td><td>");
		a_esc(f, c->rule_id);
		if (*c->message)
			a_esc_in(f, ": ", c->message, "");
		fprintf(f, "</td><td class=\"tl\"><span style=\"left:%.1f%%;width:%.1f%%\"></span>"
			"</td></tr>\n", l < 0 ? 0 : l > 99 ? 99 : l, w < 1 ? 1 : w > 100 ? 100 : w);
	}
	fputs("</tbody></table>\n</section>\n", f);
}

static void row(FILE *f, const char *label, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	fprintf(f, "<tr><th>%s</th><td>", label);
	a_esc_in(f, "", value, "</td></tr>\n");
}

static void one_alert(struct cf_audit *a, FILE *f, size_t i)
{
	const struct a_alert *x = &a->alerts[i];
	char buf[256];

	fprintf(f, "<article class=\"alert sev-%s\" id=\"alert-%zu\"><h3><span class=\"badge\">"
		"%s</span> ", a_sev_name(x->sev), i + 1, a_sev_name(x->sev));
	a_esc_in(f, "<span class=\"rule-id\">", x->rule_id, "</span> ");
	a_esc(f, x->rule_name);
	fputs("</h3>\n<table class=\"evidence\">\n", f);
	snprintf(buf, sizeof(buf), "%s:%u \xe2\x86\x92 %s:%u %s%s%s", x->local_ip, x->lport,
		 x->remote_ip, x->rport, x->transport, *x->protocol ? "/" : "", x->protocol);
	row(f, "Flow", buf);
	row(f, "App", x->app);
	row(f, "Role", *x->roles ? x->roles : x->role);
	row(f, "Server name (SNI, DNS)", x->domain);
	row(f, "Certificate subject", x->cert_cn);
	row(f, "Certificate names", x->cert_names);
	row(f, "What the packets showed", x->evidence);
	row(f, "Relay peer", x->relay_peer);
	row(f, "Country (observed)", x->country);
	row(f, "Country (registered)", x->registered);
	if (x->asn)
		snprintf(buf, sizeof(buf), "AS%u %s", x->asn, x->as_org);
	else
		snprintf(buf, sizeof(buf), "%s", x->as_org);
	row(f, "Operator", buf);
	row(f, "Permitted", x->permitted);
	row(f, "Observer", x->obs);
	fputs("<tr><th>Time</th><td>", f);
	a_time(f, x->ts);
	fputs("</td></tr>\n", f);
	row(f, "Community ID", x->cid);
	if (x->pcap != NULL) {
		fputs("<tr><th>Evidence capture</th><td>", f);
		a_pcap_link(a, f, x->pcap);
		fprintf(f, " (the flow's first %u packet(s)), SHA-256 <span class=\"hash\">",
			x->pcap_packets);
		a_esc_in(f, "", x->pcap_sha, "</span></td></tr>\n");
	} else if (a->evidence_dir[0]) {
		fputs("<tr><th>Evidence capture</th><td>none: the flow's packets were not found "
		      "again (standard input, or the cap on evidence packets)</td></tr>\n", f);
	}
	if (x->call != NO_CALL)
		fprintf(f, "<tr><th>Call</th><td><a href=\"#call-%zu\">call %zu</a></td></tr>\n",
			x->call, x->call + 1);
	fputs("</table>\n</article>\n", f);
}

void a_write_alerts(struct cf_audit *a, FILE *f)
{
	size_t i;

	fprintf(f, "<section id=\"alerts\"><h2>Alerts and their evidence (%zu)</h2>\n",
		a->n_alerts);
	if (a->evidence_dir[0]) {
		fputs("<p id=\"evidence\">Evidence captures (pcap, for Wireshark or tshark) in ", f);
		a_esc(f, a->evidence_dir);
		fprintf(f, ": %u file(s), %u packet(s); each holds the first packets of one "
			"alerted flow (at most %d a flow, %d in all).</p>\n", a->evidence_files,
			a->evidence_packets, EV_PER_FLOW, EV_TOTAL);
	}
	if (a->n_alerts == 0)
		fputs("<p id=\"no-alerts\">No alert fired.</p>\n", f);
	for (i = 0; i < a->n_alerts && i < ALERTS_IN_FULL; i++)
		one_alert(a, f, i);
	if (a->n_alerts > ALERTS_IN_FULL) {
		fprintf(f, "<details><summary>%zu more alert(s)</summary>\n<table class=\"paged\" "
			"id=\"more-alerts\"><thead><tr><th>Severity</th><th>Rule</th><th>Server</th>"
			"<th>Country</th><th>Operator</th><th>Time</th></tr></thead><tbody>\n",
			a->n_alerts - ALERTS_IN_FULL);
		for (i = ALERTS_IN_FULL; i < a->n_alerts; i++) {
			const struct a_alert *x = &a->alerts[i];

			fprintf(f, "<tr class=\"sev-%s\"><td>%s</td><td>", a_sev_name(x->sev),
				a_sev_name(x->sev));
			a_esc(f, x->rule_id);
			fputs("</td><td>", f);
			a_esc(f, *x->domain ? x->domain : x->remote_ip);
			fputs("</td><td>", f);
			a_esc(f, x->country);
			fprintf(f, "</td><td>AS%u ", x->asn);
			a_esc(f, x->as_org);
			fputs("</td><td>", f);
			a_time(f, x->ts);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table></details>\n", f);
	}
	fputs("</section>\n", f);
}

void a_write_flows(struct cf_audit *a, FILE *f)
{
	size_t i;

	fprintf(f, "<section id=\"appendix\"><h2>Appendix: every judged flow (%zu)</h2>\n",
		a->n_flows);
	fputs("<div class=\"filters\" id=\"filters\">Filter: <label>app <select id=\"f-app\">"
	      "<option value=\"\">all</option></select></label> <label>role <select id=\"f-role\">"
	      "<option value=\"\">all</option></select></label> <label>country <select "
	      "id=\"f-cc\"><option value=\"\">all</option></select></label> <label>text "
	      "<input id=\"f-text\" type=\"search\"></label> <span id=\"f-count\"></span></div>\n", f);
	fputs("<table class=\"flows paged sortable\" id=\"flows\"><thead><tr><th>Start</th>"
	      "<th>Observer</th><th>App</th><th>Roles</th><th>Local</th><th>Remote</th>"
	      "<th>Server name</th><th>Country</th><th>Operator</th><th>Bytes</th>"
	      "<th>Packets</th><th>Verdict</th><th>Rule</th></tr></thead><tbody>\n", f);
	for (i = 0; i < a->n_flows; i++) {
		const struct a_flow *x = &a->flows[i];

		fprintf(f, "<tr class=\"sev-%s\" data-app=\"", a_sev_name(x->sev));
		a_esc_in(f, "", x->app, "\" data-role=\"");
		a_esc_in(f, "", x->roles, "\" data-cc=\"");
		a_esc_in(f, "", x->country, "\"><td>");
		a_time(f, x->start);
		a_esc_in(f, "</td><td>", x->obs, "</td><td>");
		a_esc_in(f, "", x->app, "</td><td>");
		a_esc_in(f, "", x->roles, "</td><td>");
		a_esc(f, x->local_ip);
		fprintf(f, ":%u</td><td>", x->lport);
		a_esc(f, x->remote_ip);
		fprintf(f, ":%u </td><td>", x->rport);
		a_esc_in(f, "", x->domain, "</td><td>");
		a_esc_in(f, "", x->country, "</td><td>");
		a_operator(f, x->asn, x->as_org);
		fprintf(f, "</td><td data-v=\"%llu\">", (unsigned long long)x->bytes);
		a_bytes(f, x->bytes);
		fprintf(f, "</td><td>%llu</td><td>", (unsigned long long)x->packets);
		a_esc(f, x->sev ? a_sev_name(x->sev) : *x->verdict ? x->verdict : "-");
		a_esc_in(f, "</td><td>", x->rule_id, "</td></tr>\n");
	}
	fputs("</tbody></table>\n</section>\n", f);
}

static void num_cell(FILE *f, const char *cls, uint64_t v)
{
	fprintf(f, "<td%s%s%s>%llu</td>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "",
		(unsigned long long)v);
}

void a_write_health(struct cf_audit *a, FILE *f)
{
	size_t i, j;

	fputs("<section id=\"health\"><h2>Run health</h2>\n<table class=\"health\"><thead><tr>"
	      "<th>Observer</th><th>Run summaries</th><th>Inputs</th><th>Packets</th><th>Bytes</th>"
	      "<th>Truncated</th><th>Invalid</th><th>Flows</th><th>Evicted</th><th>Dropped "
	      "(capture)</th><th>Dropped (interface)</th><th>Events lost</th></tr></thead><tbody>\n", f);
	for (i = 0; i < a->n_obs; i++) {
		const struct a_obs *o = &a->obs[i];

		fputs("<tr><td>", f);
		a_esc(f, o->name);
		fprintf(f, "</td><td>%d%s</td><td>", o->have_report,
			o->have_report ? "" : " (the figures below are incomplete)");
		for (j = 0; j < o->n_inputs; j++) {
			fputs(j ? "<br>" : "", f);
			a_esc(f, o->inputs[j].name);
			fputs(": ", f);
			a_esc(f, o->inputs[j].status);
		}
		fputs("</td>", f);
		num_cell(f, NULL, o->packets);
		fputs("<td>", f);
		a_bytes(f, o->bytes);
		fputs("</td>", f);
		num_cell(f, o->truncated ? "warn" : NULL, o->truncated);
		num_cell(f, o->invalid ? "warn" : NULL, o->invalid);
		num_cell(f, NULL, o->flows_created);
		num_cell(f, o->evicted ? "warn" : NULL, o->evicted);
		num_cell(f, o->dropped ? "warn" : NULL, o->dropped);
		num_cell(f, o->if_dropped ? "warn" : NULL, o->if_dropped);
		num_cell(f, o->output_errors ? "warn" : NULL, o->output_errors);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n<h3>Events files read</h3>\n<table class=\"files\" id=\"files\">"
	      "<thead><tr><th>File</th><th>Lines</th><th>Events</th><th>Malformed lines</th>"
	      "<th>Not callfence's</th><th>First bad line</th></tr></thead><tbody>\n", f);
	for (i = 0; i < a->n_files; i++) {
		const struct a_file *x = &a->files[i];

		fputs("<tr><td>", f);
		a_esc(f, x->name);
		fputs("</td>", f);
		num_cell(f, NULL, x->counts.lines);
		num_cell(f, NULL, x->counts.events);
		num_cell(f, x->counts.malformed ? "warn malformed" : "malformed", x->counts.malformed);
		num_cell(f, NULL, x->counts.foreign);
		fputs("<td>", f);
		if (x->counts.first_bad_line)
			fprintf(f, "%llu", (unsigned long long)x->counts.first_bad_line);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	if (a->obs_overflow)
		fprintf(f, "<p class=\"warn\">%llu summary event(s) of observers past the 64th "
			"were left out.</p>\n", (unsigned long long)a->obs_overflow);
	fputs("</section>\n", f);
}
