/*
 * audit-html.c - the report's frame: escaping, the head with its inline
 * stylesheet and script, the verdict and the counts, the map section and
 * the footer.  Every string that came from an event goes through a_esc:
 * server names, certificate names and operators are the sender's choice.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/audit-int.h"

void a_esc(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* control characters (the events' JSON may carry them) */
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "&#xfffd;");
			else
				fputc(c, f);
		}
	}
}

void a_esc_in(FILE *f, const char *pre, const char *s, const char *post)
{
	fputs(pre, f);
	a_esc(f, s);
	fputs(post, f);
}

/* An operator: "AS64496 " when the number is known, then the name. */
void a_operator(FILE *f, uint32_t asn, const char *org)
{
	if (asn)
		fprintf(f, "AS%u ", asn);
	a_esc(f, org);
}

/* An evidence capture's link, relative to the report (--evidence). */
void a_pcap_link(const struct cf_audit *a, FILE *f, const char *pcap)
{
	fputs("<a class=\"pcap\" href=\"", f);
	if (a->evidence_href[0])
		a_esc_in(f, "", a->evidence_href, "/");
	a_esc_in(f, "", pcap, "\">");
	a_esc_in(f, "", pcap, "</a>");
}

/* Append one to the "; "-separated list in buf unless already there. */
void a_where_add(char *buf, size_t len, const char *one)
{
	size_t used = strlen(buf);

	if (strstr(buf, one) != NULL)
		return;
	if (used + strlen(one) + 3 < len)
		snprintf(buf + used, len - used, "%s%s", used ? "; " : "", one);
}

void a_bytes(FILE *f, uint64_t b)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		fprintf(f, "%llu B", (unsigned long long)b);
	else
		fprintf(f, "%.1f %s", v, unit[u]);
}

void a_time(FILE *f, double t)
{
	struct tm tm;
	char buf[32];
	time_t s;

	/* the events' times may be anything: years 1970 to 9999 only */
	if (!(t > 0 && t < 253402300800.0) || (s = (time_t)t, gmtime_r(&s, &tm) == NULL)) {
		fputs("-", f);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
	fputs(buf, f);
}

static const char *what_left(const struct a_alert *x)
{
	if (strstr(x->roles, "key-exchange") || strcmp(x->role, "key-exchange") == 0)
		return "Call keys";
	if (strcmp(x->role, "media") == 0)
		return "Call media";
	if (strcmp(x->role, "relay") == 0)
		return "Relayed call media";
	if (strcmp(x->role, "signaling") == 0)
		return "Call signalling";
	return "Call traffic";
}

static void country_words(FILE *f, const struct cf_audit *a, const char *cc)
{
	const char *name = *cc ? a_country_name(a, cc) : NULL;

	if (*cc == '\0') {
		fputs("an unknown country", f);
		return;
	}
	if (name != NULL && *name) {
		a_esc(f, name);
		fputs(" (", f);
		a_esc(f, cc);
		fputs(")", f);
	} else {
		a_esc(f, cc);
	}
}

/* The verdict in one sentence: the worst alert, named. */
static void verdict(struct cf_audit *a, FILE *f)
{
	const struct a_alert *x;
	uint64_t sev[5] = { 0 };
	size_t i;

	if (a->n_alerts == 0) {
		fprintf(f, "<p class=\"verdict ok\" id=\"verdict\">No call broke the policy: "
			"%zu call(s) and %zu flow(s) were judged and no alert fired", a->n_calls,
			a->n_flows);
		if (a->permit_label[0])
			a_esc_in(f, " (permitted: ", a->permit_label, ")");
		fputs(".</p>\n", f);
		return;
	}
	x = &a->alerts[0];   /* sorted: the worst, earliest first */
	for (i = 0; i < a->n_alerts; i++)
		sev[a->alerts[i].sev]++;
	fprintf(f, "<p class=\"verdict bad sev-%s\" id=\"verdict\">", a_sev_name(x->sev));
	fputs(what_left(x), f);
	fputs(" went to ", f);
	country_words(f, a, x->country);
	fputs(": the server ", f);
	if (*x->domain) {
		a_esc_in(f, "<b class=\"server\">", x->domain, "</b>");
		a_esc_in(f, " (", x->remote_ip, ")");
	} else {
		a_esc_in(f, "<b class=\"server\">", x->remote_ip, "</b>");
	}
	if (x->asn || *x->as_org) {
		fputs(", operated by <b class=\"operator\">", f);
		a_operator(f, x->asn, x->as_org);
		fputs("</b>", f);
	}
	a_esc_in(f, ", broke rule <b class=\"rule\">", x->rule_id, "</b>");
	if (*x->rule_name)
		a_esc_in(f, " (&ldquo;", x->rule_name, "&rdquo;)");
	fprintf(f, ". %zu alert(s) in all: %llu critical, %llu high, %llu medium, %llu low.",
		a->n_alerts, (unsigned long long)sev[SEV_CRITICAL],
		(unsigned long long)sev[SEV_HIGH], (unsigned long long)sev[SEV_MEDIUM],
		(unsigned long long)sev[SEV_LOW]);
	if (x->pcap != NULL) {
		fputs(" The packets: ", f);
		a_pcap_link(a, f, x->pcap);
		a_esc_in(f, " (SHA-256 <span class=\"hash\">", x->pcap_sha, "</span>).");
	}
	fputs("</p>\n", f);
}

static void sources(struct cf_audit *a, FILE *f)
{
	size_t i, j;

	for (i = 0; i < a->n_obs; i++)
		for (j = 0; j < a->obs[i].n_sources; j++) {
			const struct cf_ev_source *s = &a->obs[i].sources[j];
			const char *base = strrchr(s->path, '/');

			a_esc_in(f, "<tr><td>", s->kind, "</td><td>");
			a_esc_in(f, "", a->obs[i].name, "</td><td title=\"");
			a_esc_in(f, "", s->path, "\">");
			a_esc_in(f, "", base ? base + 1 : s->path, "</td><td>");
			a_esc(f, s->type);
			if (*s->build_date)
				a_esc_in(f, *s->type ? ", built " : "built ", s->build_date, "");
			fputs("</td><td class=\"hash\">", f);
			if (*s->sha256)
				a_esc(f, s->sha256);
			else
				a_esc_in(f, "not read: ", s->error, "");
			fputs("</td></tr>\n", f);
		}
}

static void summary(struct cf_audit *a, FILE *f)
{
	uint64_t sev[5] = { 0 };
	size_t i;

	for (i = 0; i < a->n_alerts; i++)
		sev[a->alerts[i].sev]++;
	fputs("<section id=\"summary\"><h2>Summary</h2>\n<dl class=\"counts\">\n", f);
	fprintf(f, "<dt>Calls</dt><dd id=\"n-calls\">%zu</dd>\n", a->n_calls);
	fprintf(f, "<dt>Flows judged</dt><dd id=\"n-flows\">%zu</dd>\n", a->n_flows);
	fprintf(f, "<dt>Alerts</dt><dd id=\"n-alerts\">%zu (critical %llu, high %llu, "
		"medium %llu, low %llu)</dd>\n", a->n_alerts,
		(unsigned long long)sev[SEV_CRITICAL], (unsigned long long)sev[SEV_HIGH],
		(unsigned long long)sev[SEV_MEDIUM], (unsigned long long)sev[SEV_LOW]);
	fputs("<dt>Period</dt><dd id=\"period\">", f);
	a_time(f, a->since > 0 ? a->since : a->t_min);
	fputs(" to ", f);
	a_time(f, a->until > 0 ? a->until : a->t_max);
	if (a->since > 0 || a->until > 0)
		fprintf(f, " (cut by --since/--until: %llu event(s) left out)",
			(unsigned long long)a->filtered);
	fputs("</dd>\n<dt>Observers</dt><dd id=\"observers\">", f);
	for (i = 0; i < a->n_obs; i++) {
		if (i)
			fputs(", ", f);
		a_esc_in(f, "<span class=\"observer\">",
			 *a->obs[i].name ? a->obs[i].name : "(unnamed)", "</span>");
	}
	if (a->n_obs == 0)
		fputs("none named", f);
	fputs("</dd>\n<dt>Permitted jurisdiction</dt><dd id=\"permitted\">", f);
	if (a->permit_label[0])
		a_esc(f, a->permit_label);
	else
		fputs("not known (no rules file could be read)", f);
	fputs("</dd>\n<dt>Calls are</dt><dd>", f);
	for (i = 0; i < a->n_calls && !a->calls[i].from_event && !*a->calls[i].id; i++)
		;
	if (i < a->n_calls)
		fputs("as callfence grouped them (callfence.call events, call ids)", f);
	if (i < a->n_calls && a->calls_grouped)
		fputs("; and ", f);
	if (a->calls_grouped)
		fputs("<span id=\"calls-grouped\">grouped by this report where callfence named "
		      "no call: the flows of one app and one local host are one call until 60 "
		      "seconds pass without a flow</span>", f);
	if (a->n_calls == 0)
		fputs("none", f);
	fputs("</dd>\n</dl>\n", f);
	fputs("<h3>Policy and databases</h3>\n<table class=\"sources\"><thead><tr><th>Kind</th>"
	      "<th>Observer</th><th>File</th><th>Type, build date</th><th>SHA-256</th></tr>"
	      "</thead><tbody>\n", f);
	sources(a, f);
	fputs("</tbody></table>\n</section>\n", f);
}

static void countries_table(struct cf_audit *a, FILE *f)
{
	size_t i;

	fputs("<table class=\"countries\" id=\"countries\"><thead><tr><th>Country</th>"
	      "<th>Flows</th><th>Bytes</th><th>Alerts</th><th>Permitted</th></tr></thead><tbody>\n", f);
	for (i = 0; i < a->n_countries; i++) {
		const struct a_country *k = &a->countries[i];
		const char *name = a_country_name(a, k->cc);

		fprintf(f, "<tr class=\"country%s\" data-cc=\"", k->alerted ? " alerted" : "");
		a_esc_in(f, "", k->cc, "\"><td>");
		a_esc_in(f, "", strcmp(k->cc, "??") == 0 ? "unknown" : name ? name : k->cc, " (");
		a_esc(f, k->cc);
		fprintf(f, ")</td><td>%llu</td><td data-v=\"%llu\">", (unsigned long long)k->flows,
			(unsigned long long)k->bytes);
		a_bytes(f, k->bytes);
		fprintf(f, "</td><td>%s</td><td>%s</td></tr>\n",
			k->alerted ? a_sev_name(k->alerted) : "",
			!a->have_permitted ? "?" : k->permitted ? "yes" : "no");
	}
	fputs("</tbody></table>\n", f);
}

/* The speed-of-light check (callfence.geo of flows and alerts, #19). */
struct geo_end {
	const char *ip, *cc, *plaus;
	double rtt;
};

static int geo_cmp(const void *x, const void *y)
{
	return strcmp(((const struct geo_end *)x)->ip, ((const struct geo_end *)y)->ip);
}

static int plaus_rank(const char *p)    /* impossible 2, consistent 1, else 0 */
{
	return strcmp(p, "impossible") == 0 ? 2 : strcmp(p, "consistent") == 0;
}

static size_t geo_collect(struct cf_audit *a, struct geo_end *e)
{
	size_t n = 0, i;

	for (i = 0; i < a->n_flows; i++) {
		const struct a_flow *x = &a->flows[i];

		if (*x->plausibility)
			e[n++] = (struct geo_end){ x->remote_ip, x->country, x->plausibility, x->rtt_ms };
	}
	for (i = 0; i < a->n_alerts; i++) {
		const struct a_alert *x = &a->alerts[i];

		if (*x->plausibility)
			e[n++] = (struct geo_end){ x->remote_ip, x->country, x->plausibility, x->rtt_ms };
	}
	return n;
}

/* One row per remote end: its smallest round trip, the strictest verdict. */
static void geo_check(struct cf_audit *a, FILE *f)
{
	struct geo_end *e = malloc((a->n_flows + a->n_alerts + 1) * sizeof(*e));
	size_t n, m = 0, i, impossible = 0;
	int pass, checked = 0;

	fputs("<h3>Speed-of-light check</h3>\n", f);
	if (e == NULL) {
		fputs("<p class=\"warn\" id=\"geo-check\">Not shown: out of memory.</p>\n", f);
		return;
	}
	n = geo_collect(a, e);
	for (i = 0; i < n && !checked; i++)
		checked = plaus_rank(e[i].plaus) > 0;
	if (!checked) {
		fputs("<p class=\"note\" id=\"geo-check\">Speed of light: no physical check (no "
		      "observer location given): the countries above are the databases' word "
		      "alone (callfence --observer-location; docs/geography.md).</p>\n", f);
		free(e);
		return;
	}
	qsort(e, n, sizeof(*e), geo_cmp);
	for (i = 0; i < n; i++) {
		struct geo_end *g = m ? &e[m - 1] : NULL;

		if (g == NULL || strcmp(g->ip, e[i].ip) != 0) {
			e[m++] = e[i];
			continue;
		}
		if (e[i].rtt > 0 && (!(g->rtt > 0) || e[i].rtt < g->rtt))
			g->rtt = e[i].rtt;
		if (plaus_rank(e[i].plaus) > plaus_rank(g->plaus))
			g->plaus = e[i].plaus;
		if (*g->cc == '\0')
			g->cc = e[i].cc;
	}
	for (i = 0; i < m; i++)
		impossible += plaus_rank(e[i].plaus) == 2;
	fprintf(f, "<p id=\"geo-check\">Each remote end's smallest round trip seen at the observer "
		"against its database country: %zu remote end(s), <span id=\"geo-impossible\">%zu "
		"physically impossible</span> (no point of that country is within light's reach "
		"in that time; docs/geography.md).</p>\n", m, impossible);
	fputs("<table class=\"geo paged sortable\" id=\"geo-ends\"><thead><tr><th>Remote end</th>"
	      "<th>Country (database)</th><th>Round trip</th><th>Plausibility</th></tr></thead>"
	      "<tbody>\n", f);
	for (pass = 0; pass < 2; pass++)        /* the impossible ones first */
		for (i = 0; i < m; i++) {
			int imp = plaus_rank(e[i].plaus) == 2;

			if (imp != (pass == 0))
				continue;
			fprintf(f, "<tr class=\"geo-end%s\">", imp ? " impossible" : "");
			a_esc_in(f, "<td>", e[i].ip, "</td>");
			a_esc_in(f, "<td>", *e[i].cc ? e[i].cc : "??", "</td>");
			if (e[i].rtt > 0)
				fprintf(f, "<td data-v=\"%.3f\">%.3f ms</td>", e[i].rtt, e[i].rtt);
			else
				fputs("<td data-v=\"0\"></td>", f);
			a_esc_in(f, imp ? "<td class=\"warn\">" : "<td>", e[i].plaus, "</td></tr>\n");
		}
	fputs("</tbody></table>\n", f);
	free(e);
}

static void map_section(struct cf_audit *a, FILE *f)
{
	fputs("<section id=\"map\"><h2>Where the calls went</h2>\n", f);
	fputs("<div class=\"toggle\" role=\"group\" aria-label=\"Shade by\">Shade by "
	      "<button type=\"button\" id=\"by-bytes\" class=\"on\">bytes</button>"
	      "<button type=\"button\" id=\"by-flows\">flows</button></div>\n", f);
	a_map_write(a, f);
	fputs("<p class=\"legend\"><span class=\"key s5\"></span> more traffic "
	      "<span class=\"key s1\"></span> less "
	      "<span class=\"key s0\"></span> none &nbsp; "
	      "<span class=\"key alertkey\"></span> an alert fired (red outline and ring) &nbsp; "
	      "<span class=\"key permkey\"></span> permitted by the policy", f);
	if (a->permit_label[0])
		a_esc_in(f, " (", a->permit_label, ")");
	fputs(". Equirectangular projection.", f);
	if (a->world_source[0])
		a_esc_in(f, " Shapes: ", a->world_source, ".");
	fputs("</p>\n", f);
	countries_table(a, f);
	geo_check(a, f);
	fputs("</section>\n", f);
}

int cf_audit_write(struct cf_audit *a, FILE *f, const char *name, char *err, size_t errlen)
{
	time_t now = time(NULL);
	size_t i;

	a_finish(a);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>callfence audit report</title>\n<style>\n", f);
	fputs(a_css, f);
	fputs("</style>\n<script>\n", f);
	fputs(a_js, f);
	fputs("</script>\n</head>\n<body>\n<div id=\"js-errors\"></div>\n", f);
	fputs("<header><h1>callfence audit report</h1>\n", f);
	verdict(a, f);
	fputs("</header>\n<main>\n", f);
	summary(a, f);
	map_section(a, f);
	a_write_apps(a, f);
	a_write_calls(a, f);
	a_write_alerts(a, f);
	a_write_flows(a, f);
	a_write_health(a, f);
	fputs("</main>\n<footer id=\"footer\"><p>This report is one self-contained file: "
	      "it loads no external font, script, stylesheet or image and makes no network "
	      "request (its Content-Security-Policy forbids them). Made by ", f);
	a_esc(f, a->generator);
	fputs(" on ", f);
	a_time(f, (double)now);
	fputs(" from ", f);
	for (i = 0; i < a->n_files; i++) {
		if (i)
			fputs(", ", f);
		a_esc(f, a->files[i].name);
	}
	fputs(".</p></footer>\n</body></html>\n", f);
	if (fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen, "%s: write error", name);
		return -1;
	}
	return 0;
}
