/*
 * event-read.c - NDJSON events back into struct cf_ev (event-read.h).
 *
 * Every field is optional: an export from a SIEM may have dropped some,
 * an older callfence may not have written them.  Types are checked; a
 * field of the wrong type reads as absent.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event/event-read.h"

#define MAX_LINE (1u << 20)

struct joined {                 /* the buffers a list is joined into */
	char roles[256], permitted[256], cert_names[512], links[256];
	char party_roles[CF_EV_MAX_PARTY][128];
};

static json_t *path(json_t *o, const char *p)
{
	char key[64];
	const char *dot;
	size_t n;

	while (o != NULL && *p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		o = json_is_object(o) ? json_object_get(o, key) : NULL;
		p += n + (dot != NULL);
	}
	return o;
}

static const char *str(json_t *o, const char *p)
{
	json_t *v = path(o, p);

	return json_is_string(v) ? json_string_value(v) : "";
}

static double num(json_t *o, const char *p)
{
	json_t *v = path(o, p);

	return json_is_number(v) ? json_number_value(v) : 0.0;
}

static uint64_t count(json_t *o, const char *p)
{
	double d = num(o, p);

	return d > 0 && d < 1.8e19 ? (uint64_t)d : 0;
}

/* The string, count at END.LEAF (END: "source" or "destination"). */
static const char *str_at(json_t *o, const char *end, const char *leaf)
{
	char p[64];

	snprintf(p, sizeof(p), "%s.%s", end, leaf);
	return str(o, p);
}

static uint64_t count_at(json_t *o, const char *end, const char *leaf)
{
	char p[64];

	snprintf(p, sizeof(p), "%s.%s", end, leaf);
	return count(o, p);
}

/* The first of two places that has a string ("" if neither). */
static const char *str_or(json_t *o1, const char *p1, json_t *o2, const char *p2)
{
	const char *s = str(o1, p1);

	return *s ? s : str(o2, p2);
}

static const char *str2(json_t *o, const char *p1, const char *p2)
{
	return str_or(o, p1, o, p2);
}

/* The first of two places that has a count above 0. */
static uint64_t count2(json_t *o, const char *p1, const char *p2)
{
	uint64_t n = count(o, p1);

	return n ? n : count(o, p2);
}

/* event.severity, 0 to 1000. */
static int severity_num(json_t *o)
{
	return (int)fmin(fmax(num(o, "event.severity"), 0.0), 1000.0);
}

/* The strings of array v joined by "," into buf. */
static const char *join(json_t *v, char *buf, size_t len)
{
	size_t i, used = 0, n;
	json_t *e;

	buf[0] = '\0';
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return buf;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || i >= CF_EV_MAX_LIST)
			continue;
		n = strlen(json_string_value(e));
		if (used + n + 2 > len)
			break;
		if (used)
			buf[used++] = ',';
		memcpy(buf + used, json_string_value(e), n);
		used += n;
		buf[used] = '\0';
	}
	return buf;
}

double cf_event_parse_time(const char *s)
{
	struct tm tm;
	double frac = 0.0, scale = 0.1;
	const char *p;
	int n = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	if (*p != 'Z' && strcmp(p, "+00:00") != 0 && *p != '\0')
		return -1;
	t = timegm(&tm);
	return t == (time_t)-1 ? -1 : (double)t + frac;
}

static double when(json_t *o, const char *p)
{
	double t = cf_event_parse_time(str(o, p));

	return t < 0 ? 0 : t;
}

static void read_flowish(json_t *o, struct cf_ev *ev, struct joined *j)
{
	const char *remote = str(o, "callfence.remote_end");
	const char *local = strcmp(remote, "source") == 0 ? "destination" : "source";

	if (*remote == '\0')
		remote = "destination";
	ev->app = str(o, "callfence.app");
	ev->role = str(o, "callfence.role");
	ev->roles = join(path(o, "callfence.roles"), j->roles, sizeof(j->roles));
	ev->protocol = str(o, "network.protocol");
	ev->transport = str(o, "network.transport");
	ev->community_id = str(o, "network.community_id");
	ev->local_ip = str_at(o, local, "ip");
	ev->local_port = (unsigned)count_at(o, local, "port");
	ev->remote_ip = str_at(o, remote, "ip");
	ev->remote_port = (unsigned)count_at(o, remote, "port");
	ev->domain = str_at(o, remote, "domain");
	ev->asn = (uint32_t)count_at(o, remote, "as.number");
	ev->as_org = str_at(o, remote, "as.organization.name");
	ev->country = str(o, "callfence.jurisdiction.observed");
	if (*ev->country == '\0')
		ev->country = str_at(o, remote, "geo.country_iso_code");
	ev->registered = str(o, "callfence.jurisdiction.registered");
	ev->permitted = join(path(o, "callfence.jurisdiction.permitted"), j->permitted,
			     sizeof(j->permitted));
	ev->cert_cn = str(o, "tls.server.x509.subject.common_name");
	ev->cert_names = join(path(o, "tls.server.x509.alternative_names"), j->cert_names,
			      sizeof(j->cert_names));
	ev->relay_peer = str(o, "callfence.relay.peer.ip");
	ev->evidence = str(o, "callfence.evidence");
	ev->verdict = str(o, "callfence.verdict");
	ev->rule_id = str(o, "rule.id");
	ev->rule_name = str(o, "rule.name");
	ev->severity = str(o, "callfence.severity");
	ev->severity_num = severity_num(o);
	ev->bytes = count(o, "network.bytes");
	ev->packets = count(o, "network.packets");
	ev->alerts = (unsigned)count(o, "callfence.alerts");
	ev->rtt_ms = num(o, "callfence.geo.rtt_ms");
	ev->plausibility = str(o, "callfence.geo.plausibility");
}

/*
 * A callfence.call event: the call in callfence.call (id, app, flows,
 * linked_by, parties with ECS geo and as, verdict), its times in event.*,
 * its local party in source.ip.  The older draft's names (local_ip,
 * start, end, duration_ms, links, parties' country, as_number, as_org)
 * are read too.
 */
static void read_call(json_t *o, struct cf_ev *ev, struct joined *j)
{
	json_t *c = path(o, "callfence.call"), *ps, *e;
	double dur_ns = num(o, "event.duration");
	size_t i;

	ev->call_id = str(c, "id");
	ev->app = str(c, "app");
	ev->local_ip = str2(o, "source.ip", "callfence.call.local_ip");
	ev->links = join(json_is_array(path(c, "linked_by")) ? path(c, "linked_by") :
			 path(c, "links"), j->links, sizeof(j->links));
	ev->n_flows = (unsigned)count(c, "flows");
	ev->alerts = (unsigned)count(c, "alerts");
	ev->duration_ms = dur_ns > 0 ? dur_ns / 1e6 : num(c, "duration_ms");
	if (ev->start == 0 && json_is_string(path(c, "start")))
		ev->start = when(c, "start");
	if (ev->end == 0 && json_is_string(path(c, "end")))
		ev->end = when(c, "end");
	ev->severity = str_or(c, "verdict.severity", o, "callfence.severity");
	ev->severity_num = severity_num(o);
	ev->rule_id = str_or(c, "verdict.rule", o, "rule.id");
	ev->rule_name = str(o, "rule.name");
	ev->message = str(c, "verdict.message");
	ps = path(c, "parties");
	json_array_foreach(ps, i, e) {
		struct cf_ev_party *p;

		if (ev->n_parties >= CF_EV_MAX_PARTY)
			break;
		p = &ev->parties[ev->n_parties];
		p->ip = str(e, "ip");
		p->country = str2(e, "geo.country_iso_code", "country");
		p->as_org = str2(e, "as.organization.name", "as_org");
		p->asn = (uint32_t)count2(e, "as.number", "as_number");
		p->roles = join(path(e, "roles"), j->party_roles[ev->n_parties],
				sizeof(j->party_roles[0]));
		p->bytes = count(e, "bytes");
		p->packets = count(e, "packets");
		ev->n_parties++;
	}
}

static void read_report(json_t *o, struct cf_ev *ev)
{
	json_t *r = path(o, "callfence.report"), *e;
	static const char *sev[4] = { "low", "medium", "high", "critical" };
	size_t i;

	json_array_foreach(path(r, "sources"), i, e) {
		struct cf_ev_source *s;

		if (ev->n_sources >= CF_EV_MAX_SOURCE)
			break;
		s = &ev->sources[ev->n_sources++];
		s->kind = str(e, "kind");
		s->path = str(e, "path");
		s->sha256 = str(e, "sha256");
		s->type = str(e, "type");
		s->build_date = str(e, "build_date");
		s->error = str(e, "error");
	}
	json_array_foreach(path(r, "inputs"), i, e) {
		if (ev->n_inputs >= CF_EV_MAX_INPUT)
			break;
		ev->inputs[ev->n_inputs].name = str(e, "name");
		ev->inputs[ev->n_inputs].status = str(e, "status");
		ev->inputs[ev->n_inputs].packets = count(e, "packets");
		ev->n_inputs++;
	}
	ev->r_packets = count(r, "packets");
	ev->r_bytes = count(r, "bytes");
	ev->first_seen = when(r, "first_seen");
	ev->last_seen = when(r, "last_seen");
	ev->truncated = count(r, "decode.truncated");
	ev->invalid = count(r, "decode.invalid");
	ev->flows_created = count(r, "flows.created");
	ev->evicted = count(r, "flows.evicted");
	ev->output_errors = count(r, "output_errors");
	for (i = 0; i < 4; i++)
		ev->by_sev[i] = count_at(r, "alerts.by_severity", sev[i]);
}

static void read_stats(json_t *o, struct cf_ev *ev)
{
	json_t *e;
	size_t i;

	json_array_foreach(path(o, "callfence.stats.interfaces"), i, e) {
		ev->dropped += count(e, "dropped");
		ev->if_dropped += count(e, "if_dropped");
	}
	ev->output_errors = count(o, "callfence.stats.output_errors");
}

/* One parsed object into ev; 0, or -1 if it is no callfence event. */
static int decode(json_t *o, struct cf_ev *ev, struct joined *j)
{
	const char *ds = str(o, "event.dataset");
	const char **const strs[] = {
		&ev->observer, &ev->call_id, &ev->app, &ev->role, &ev->roles,
		&ev->protocol, &ev->transport, &ev->community_id, &ev->local_ip,
		&ev->remote_ip, &ev->domain, &ev->country, &ev->registered,
		&ev->permitted, &ev->as_org, &ev->cert_cn, &ev->cert_names,
		&ev->relay_peer, &ev->evidence, &ev->verdict, &ev->rule_id,
		&ev->rule_name, &ev->severity, &ev->links, &ev->message, &ev->plausibility
	};
	static const struct {
		const char *ds;
		enum cf_ev_kind kind;
	} kinds[] = {
		{ "callfence.alert", CF_EV_ALERT }, { "callfence.flow", CF_EV_FLOW },
		{ "callfence.stats", CF_EV_STATS }, { "callfence.report", CF_EV_REPORT },
		{ "callfence.call", CF_EV_CALL },
	};
	size_t i;

	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		*strs[i] = "";   /* every string field "" until read */
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && strcmp(ds, kinds[i].ds) != 0; i++)
		;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return -1;
	ev->kind = kinds[i].kind;
	ev->ts = when(o, "@timestamp");
	ev->start = when(o, "event.start");
	ev->end = when(o, "event.end");
	ev->observer = str(o, "observer.hostname");
	if (json_is_string(path(o, "callfence.call.id")))
		ev->call_id = str(o, "callfence.call.id");
	else if (json_is_string(path(o, "callfence.call_id")))
		ev->call_id = str(o, "callfence.call_id");
	if (ev->kind == CF_EV_ALERT || ev->kind == CF_EV_FLOW)
		read_flowish(o, ev, j);
	else if (ev->kind == CF_EV_CALL)
		read_call(o, ev, j);
	else if (ev->kind == CF_EV_REPORT)
		read_report(o, ev);
	else
		read_stats(o, ev);
	return 0;
}

static int one_line(char *line, size_t n, cf_ev_fn fn, void *ctx, struct cf_ev_counts *c,
		    struct cf_ev *ev, struct joined *j)
{
	json_error_t jerr;
	json_t *o;
	int rc = 0;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (n == 0)
		return 0;
	c->lines++;
	o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		c->malformed++;
		if (c->first_bad_line == 0)
			c->first_bad_line = c->lines;
	} else if (decode(o, ev, j) < 0) {
		c->foreign++;
	} else {
		c->events++;
		rc = fn(ctx, ev);
	}
	json_decref(o);
	return rc;
}

int cf_event_read(FILE *fp, const char *name, cf_ev_fn fn, void *ctx,
		  struct cf_ev_counts *counts, char *err, size_t errlen)
{
	struct cf_ev *ev = malloc(sizeof(*ev));
	struct joined *j = malloc(sizeof(*j));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (ev == NULL || j == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		free(ev);
		free(j);
		return -1;
	}
	while (rc == 0 && (n = getline(&line, &cap, fp)) >= 0) {
		if ((size_t)n > MAX_LINE) {
			counts->lines++;
			counts->malformed++;
			if (counts->first_bad_line == 0)
				counts->first_bad_line = counts->lines;
			continue;
		}
		rc = one_line(line, (size_t)n, fn, ctx, counts, ev, j);
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
		rc = -1;
	}
	free(line);
	free(ev);
	free(j);
	return rc;
}
