/*
 * audit-model.c - events gathered into the report's model: flows, alerts,
 * calls, observers, traffic by country.
 *
 * Calls come from callfence.call events when the events have them; flows
 * and alerts join their call by callfence.call.id.  Without call events,
 * flows are grouped here into "calls" by (observer, app, local host), a
 * new call after 60 seconds without a flow, and the report says so.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/event-read.h"
#include "report/audit-int.h"

#define CHUNK 65536
#define CALL_GAP 60.0
#define NO_CALL ((size_t)-1)

struct a_chunk {
	struct a_chunk *next;
	size_t used, size;
	char data[];
};

/* A copy of s that lives as long as the report (NULL: ""); NULL when out
 * of memory. */
const char *a_keep(struct cf_audit *a, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 1;
	struct a_chunk *c = a->arena;
	char *p;

	if (s == NULL || *s == '\0')
		return "";
	if (c == NULL || c->size - c->used < n) {
		size_t sz = n > CHUNK ? n : CHUNK;

		c = malloc(sizeof(*c) + sz);
		if (c == NULL)
			return NULL;
		c->size = sz;
		c->used = 0;
		c->next = a->arena;
		a->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, s, n);
	c->used += n;
	return p;
}

struct cf_audit *cf_audit_new(void)
{
	struct cf_audit *a = calloc(1, sizeof(*a));

	if (a != NULL) {
		snprintf(a->world_why, sizeof(a->world_why), "no country shapes were given");
		snprintf(a->generator, sizeof(a->generator), "callfence");
		a->rules_path = "";
	}
	return a;
}

void cf_audit_free(struct cf_audit *a)
{
	struct a_chunk *c, *n;

	if (a == NULL)
		return;
	for (c = a->arena; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	a_shapes_free(a);
	free(a->flows);
	free(a->alerts);
	free(a->calls);
	free(a->countries);
	free(a);
}

void cf_audit_period(struct cf_audit *a, double since, double until)
{
	a->since = since;
	a->until = until;
}

void cf_audit_generator(struct cf_audit *a, const char *who)
{
	snprintf(a->generator, sizeof(a->generator), "%s", who);
}

const char *cf_audit_rules_path(const struct cf_audit *a)
{
	return a->rules_path;
}

const char *cf_audit_permitted_names(const struct cf_audit *a)
{
	return a->permitted_names;
}

void cf_audit_permit(struct cf_audit *a, const char *cc)
{
	if (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' && cc[2] == '\0') {
		a->permitted[(cc[0] - 'A') * 26 + (cc[1] - 'A')] = 1;
		a->have_permitted = 1;
	}
}

void cf_audit_permit_label(struct cf_audit *a, const char *label)
{
	snprintf(a->permit_label, sizeof(a->permit_label), "%s", label);
	a->have_permitted = 1;  /* the rules were read: a country not marked is not */
}

const char *a_sev_name(int sev)
{
	static const char *const n[] = { "none", "low", "medium", "high", "critical" };

	return sev >= 0 && sev <= SEV_CRITICAL ? n[sev] : "none";
}

static int sev_of(const char *name, int num)
{
	int i;

	for (i = SEV_LOW; i <= SEV_CRITICAL; i++)
		if (strcmp(name, a_sev_name(i)) == 0)
			return i;
	if (num >= 99)
		return SEV_CRITICAL;
	if (num >= 73)
		return SEV_HIGH;
	if (num >= 47)
		return SEV_MEDIUM;
	return num > 0 ? SEV_LOW : SEV_NONE;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 256;
	q = realloc(*p, c * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

struct a_country *a_country(struct cf_audit *a, const char *cc)
{
	size_t i;

	if (cc == NULL || strlen(cc) != 2)
		cc = "??";
	for (i = 0; i < a->n_countries; i++)
		if (strcmp(a->countries[i].cc, cc) == 0)
			return &a->countries[i];
	if (grow((void **)&a->countries, &a->cap_countries, a->n_countries,
		 sizeof(*a->countries)) < 0)
		return NULL;
	memset(&a->countries[a->n_countries], 0, sizeof(a->countries[0]));
	memcpy(a->countries[a->n_countries].cc, cc, 3);
	return &a->countries[a->n_countries++];
}

static struct a_obs *observer(struct cf_audit *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n_obs; i++)
		if (strcmp(a->obs[i].name, name) == 0)
			return &a->obs[i];
	if (a->n_obs >= sizeof(a->obs) / sizeof(a->obs[0]))
		return NULL;
	memset(&a->obs[a->n_obs], 0, sizeof(a->obs[0]));
	a->obs[a->n_obs].name = a_keep(a, name);
	if (a->obs[a->n_obs].name == NULL)
		return NULL;
	return &a->obs[a->n_obs++];
}

static int in_period(struct cf_audit *a, double t)
{
	if ((a->since > 0 && t > 0 && t < a->since) || (a->until > 0 && t > a->until)) {
		a->filtered++;
		return 0;
	}
	if (t > 0 && (a->t_min == 0 || t < a->t_min))
		a->t_min = t;
	if (t > a->t_max)
		a->t_max = t;
	return 1;
}

#define K(obj, name) ((obj)->name = a_keep(a, ev->name)) == NULL

static int add_flow(struct cf_audit *a, const struct cf_ev *ev)
{
	struct a_flow *f;

	if (!in_period(a, ev->end ? ev->end : ev->ts) ||
	    (ev->start > 0 && !in_period(a, ev->start)))
		return 0;
	if (grow((void **)&a->flows, &a->cap_flows, a->n_flows, sizeof(*f)) < 0)
		return -1;
	f = &a->flows[a->n_flows];
	memset(f, 0, sizeof(*f));
	f->obs = a_keep(a, ev->observer);
	if (K(f, call_id) || K(f, app) || K(f, roles) || K(f, protocol) ||
	    K(f, transport) || K(f, local_ip) || K(f, remote_ip) || K(f, domain) ||
	    K(f, country) || K(f, registered) || K(f, as_org) || K(f, evidence) ||
	    K(f, rule_id) || K(f, verdict) || K(f, plausibility) || f->obs == NULL ||
	    (f->cid = a_keep(a, ev->community_id)) == NULL)
		return -1;
	f->lport = ev->local_port;
	f->rport = ev->remote_port;
	f->asn = ev->asn;
	f->rtt_ms = ev->rtt_ms;
	f->bytes = ev->bytes;
	f->packets = ev->packets;
	f->start = ev->start ? ev->start : ev->ts;
	f->end = ev->end ? ev->end : ev->ts;
	f->sev = strcmp(ev->verdict, "alert") == 0 ? SEV_LOW : SEV_NONE;
	f->call = NO_CALL;
	a->n_flows++;
	return 0;
}

static int add_alert(struct cf_audit *a, const struct cf_ev *ev)
{
	struct a_alert *x;

	if (!in_period(a, ev->ts))
		return 0;
	if (grow((void **)&a->alerts, &a->cap_alerts, a->n_alerts, sizeof(*x)) < 0)
		return -1;
	x = &a->alerts[a->n_alerts];
	memset(x, 0, sizeof(*x));
	x->obs = a_keep(a, ev->observer);
	x->cid = a_keep(a, ev->community_id);
	if (K(x, call_id) || K(x, app) || K(x, role) || K(x, roles) || K(x, protocol) ||
	    K(x, transport) || K(x, local_ip) || K(x, remote_ip) || K(x, domain) ||
	    K(x, country) || K(x, registered) || K(x, as_org) || K(x, evidence) ||
	    K(x, rule_id) || K(x, rule_name) || K(x, permitted) || K(x, cert_cn) ||
	    K(x, cert_names) || K(x, relay_peer) || K(x, plausibility) || x->obs == NULL ||
	    x->cid == NULL)
		return -1;
	x->rtt_ms = ev->rtt_ms;
	x->lport = ev->local_port;
	x->rport = ev->remote_port;
	x->asn = ev->asn;
	x->sev = sev_of(ev->severity, ev->severity_num);
	x->ts = ev->ts;
	x->bytes = ev->bytes;
	x->packets = ev->packets;
	x->call = NO_CALL;
	if (*ev->permitted && a->permitted_names[0] == '\0')
		snprintf(a->permitted_names, sizeof(a->permitted_names), "%s", ev->permitted);
	a->n_alerts++;
	return 0;
}

/* " CC ASn ORG" for one party into buf (appended, bounded). */
static void where_add(char *buf, size_t len, const char *cc, uint32_t asn, const char *org)
{
	char one[160];

	if (asn)
		snprintf(one, sizeof(one), "%s AS%u%s%s", *cc ? cc : "??", asn, *org ? " " : "", org);
	else
		snprintf(one, sizeof(one), "%s", *cc ? cc : "??");
	a_where_add(buf, len, one);
}

static int add_call(struct cf_audit *a, const struct cf_ev *ev)
{
	struct a_call *c;
	size_t i;

	if (!in_period(a, ev->end ? ev->end : ev->ts))
		return 0;
	if (grow((void **)&a->calls, &a->cap_calls, a->n_calls, sizeof(*c)) < 0)
		return -1;
	c = &a->calls[a->n_calls];
	memset(c, 0, sizeof(*c));
	c->obs = a_keep(a, ev->observer);
	if ((c->id = a_keep(a, ev->call_id)) == NULL || K(c, app) || K(c, local_ip) ||
	    K(c, links) || K(c, rule_id) || K(c, message) || c->obs == NULL)
		return -1;
	c->sev = sev_of(ev->severity, ev->severity_num);
	c->from_event = 1;
	c->start = ev->start ? ev->start : ev->ts;
	c->end = ev->end ? ev->end : c->start + ev->duration_ms / 1000.0;
	c->n_flows = ev->n_flows;
	for (i = 0; i < ev->n_parties; i++) {
		const struct cf_ev_party *p = &ev->parties[i];

		c->bytes += p->bytes;
		if (strstr(p->roles, "key-exchange"))
			where_add(c->keyx, sizeof(c->keyx), p->country, p->asn, p->as_org);
		if (strstr(p->roles, "media") || strstr(p->roles, "relay"))
			where_add(c->media, sizeof(c->media), p->country, p->asn, p->as_org);
	}
	a->n_calls++;
	return 0;
}

static int add_summary(struct cf_audit *a, const struct cf_ev *ev)
{
	struct a_obs *o = observer(a, ev->observer);
	size_t i;

	if (o == NULL) {
		a->obs_overflow++;
		return 0;
	}
	o->events++;
	if (ev->kind == CF_EV_STATS) {
		/* the counters run from the start: the last stats event says all */
		o->have_stats = 1;
		o->dropped = ev->dropped;
		o->if_dropped = ev->if_dropped;
		if (!o->have_report)
			o->output_errors = ev->output_errors;
		return 0;
	}
	/* run summaries of one observer add up (several runs, one file) */
	o->have_report++;
	o->packets += ev->r_packets;
	o->bytes += ev->r_bytes;
	o->truncated += ev->truncated;
	o->invalid += ev->invalid;
	o->flows_created += ev->flows_created;
	o->evicted += ev->evicted;
	o->output_errors += ev->output_errors;
	for (i = 0; i < 4; i++)
		o->by_sev[i] += ev->by_sev[i];
	if (ev->first_seen > 0 && (o->first_seen == 0 || ev->first_seen < o->first_seen))
		o->first_seen = ev->first_seen;
	if (ev->last_seen > o->last_seen)
		o->last_seen = ev->last_seen;
	for (i = 0; i < ev->n_sources && o->n_sources < CF_EV_MAX_SOURCE; i++) {
		struct cf_ev_source *s = &o->sources[o->n_sources];
		const struct cf_ev_source *e = &ev->sources[i];

		if ((s->kind = a_keep(a, e->kind)) == NULL || (s->path = a_keep(a, e->path)) == NULL ||
		    (s->sha256 = a_keep(a, e->sha256)) == NULL ||
		    (s->type = a_keep(a, e->type)) == NULL ||
		    (s->build_date = a_keep(a, e->build_date)) == NULL ||
		    (s->error = a_keep(a, e->error)) == NULL)
			return -1;
		if (strcmp(s->kind, "rules") == 0 && a->rules_path[0] == '\0')
			a->rules_path = s->path;
		o->n_sources++;
	}
	for (i = 0; i < ev->n_inputs && o->n_inputs < CF_EV_MAX_INPUT; i++) {
		struct cf_ev_input *in = &o->inputs[o->n_inputs];

		if ((in->name = a_keep(a, ev->inputs[i].name)) == NULL ||
		    (in->status = a_keep(a, ev->inputs[i].status)) == NULL)
			return -1;
		in->packets = ev->inputs[i].packets;
		o->n_inputs++;
	}
	return 0;
}

static int on_event(void *ctx, const struct cf_ev *ev)
{
	struct cf_audit *a = ctx;
	struct a_obs *o;

	switch (ev->kind) {
	case CF_EV_FLOW:
		if ((o = observer(a, ev->observer)) != NULL)
			o->events++;
		return add_flow(a, ev);
	case CF_EV_ALERT:
		if ((o = observer(a, ev->observer)) != NULL)
			o->events++;
		return add_alert(a, ev);
	case CF_EV_CALL:
		return add_call(a, ev);
	default:
		return add_summary(a, ev);
	}
}

int cf_audit_read(struct cf_audit *a, FILE *fp, const char *name, char *err, size_t errlen)
{
	struct a_file *f;
	int rc;

	if (a->n_files >= sizeof(a->files) / sizeof(a->files[0])) {
		snprintf(err, errlen, "%s: more than %zu events files", name,
			 sizeof(a->files) / sizeof(a->files[0]));
		return -1;
	}
	err[0] = '\0';
	f = &a->files[a->n_files++];
	memset(f, 0, sizeof(*f));
	if ((f->name = a_keep(a, name)) == NULL)
		f->name = "?";
	rc = cf_event_read(fp, name, on_event, a, &f->counts, err, errlen);
	if (rc > 0 || (rc < 0 && err[0] == '\0'))
		snprintf(err, errlen, "%s: out of memory", name);
	return rc == 0 ? 0 : -1;
}
