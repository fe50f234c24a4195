/*
 * audit-calls.c - once every file is read: alerts joined to their flows
 * (observer and Community ID, else the 5-tuple), flows and alerts to their
 * calls, the flows no call event claims grouped into calls here, and traffic
 * summed by country.  Sorting, not scanning: 10,000 flows take
 * milliseconds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/audit-int.h"

#define CALL_GAP 60.0
#define NO_CALL ((size_t)-1)

static const struct cf_audit *sort_a;   /* qsort has no context argument */

static int cmp_flow_key(const struct a_flow *x, const char *obs, const char *cid,
			const char *lip, unsigned lport, const char *rip, unsigned rport)
{
	int c;

	if ((c = strcmp(x->obs, obs)) != 0)
		return c;
	if (*x->cid || *cid)
		return strcmp(x->cid, cid);
	if ((c = strcmp(x->local_ip, lip)) != 0)
		return c;
	if ((c = strcmp(x->remote_ip, rip)) != 0)
		return c;
	if (x->lport != lport)
		return x->lport < lport ? -1 : 1;
	return x->rport == rport ? 0 : x->rport < rport ? -1 : 1;
}

static int by_flow_key(const void *pa, const void *pb)
{
	const struct a_flow *x = &sort_a->flows[*(const size_t *)pa];
	const struct a_flow *y = &sort_a->flows[*(const size_t *)pb];

	return cmp_flow_key(x, y->obs, y->cid, y->local_ip, y->lport, y->remote_ip, y->rport);
}

static int by_group(const void *pa, const void *pb)
{
	const struct a_flow *x = &sort_a->flows[*(const size_t *)pa];
	const struct a_flow *y = &sort_a->flows[*(const size_t *)pb];
	int c;

	if ((c = strcmp(x->obs, y->obs)) != 0 || (c = strcmp(x->call_id, y->call_id)) != 0 ||
	    (c = strcmp(x->app, y->app)) != 0 ||
	    (c = strcmp(x->local_ip, y->local_ip)) != 0)
		return c;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int by_call_id(const void *pa, const void *pb)
{
	const struct a_call *x = &sort_a->calls[*(const size_t *)pa];
	const struct a_call *y = &sort_a->calls[*(const size_t *)pb];
	int c = strcmp(x->obs, y->obs);

	return c ? c : strcmp(x->id, y->id);
}

/* Alerted calls first, the worst first, then by start. */
static int call_order(const void *pa, const void *pb)
{
	const struct a_call *x = pa, *y = pb;

	if (x->sev != y->sev)
		return y->sev - x->sev;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The worst alerts first, then in time order. */
static int alert_order(const void *pa, const void *pb)
{
	const struct a_alert *x = pa, *y = pb;

	if (x->sev != y->sev)
		return y->sev - x->sev;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static size_t find_flow(const struct cf_audit *a, const size_t *idx, const struct a_alert *x)
{
	size_t lo = 0, hi = a->n_flows;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_flow_key(&a->flows[idx[mid]], x->obs, x->cid, x->local_ip,
				     x->lport, x->remote_ip, x->rport);

		if (c == 0)
			return idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NO_CALL;
}

static size_t find_call(const struct cf_audit *a, const size_t *idx, const char *obs,
			const char *id)
{
	size_t lo = 0, hi = a->n_calls;

	if (*id == '\0')
		return NO_CALL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct a_call *c = &a->calls[idx[mid]];
		int r = strcmp(c->obs, obs);

		if (r == 0)
			r = strcmp(c->id, id);
		if (r == 0)
			return idx[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NO_CALL;
}

static void where_of(char *buf, size_t len, const struct a_flow *f)
{
	char one[200];

	if (*f->as_org)
		snprintf(one, sizeof(one), "%s AS%u %s", *f->country ? f->country : "??",
			 f->asn, f->as_org);
	else if (f->asn)
		snprintf(one, sizeof(one), "%s AS%u", *f->country ? f->country : "??", f->asn);
	else
		snprintf(one, sizeof(one), "%s", *f->country ? f->country : "??");
	a_where_add(buf, len, one);
}

/* The flows no call event claimed: grouped by their call id
 * (callfence.call.id) and, those without one, by observer, app, local host
 * and time. */
static int group_calls(struct cf_audit *a, size_t *idx)
{
	struct a_call *c = NULL;
	size_t i;

	for (i = 0; i < a->n_flows; i++)
		idx[i] = i;
	sort_a = a;
	qsort(idx, a->n_flows, sizeof(*idx), by_group);
	for (i = 0; i < a->n_flows; i++) {
		struct a_flow *f = &a->flows[idx[i]];

		if (f->call != NO_CALL)
			continue;       /* its call event claimed it */
		if (*f->call_id == '\0')
			a->calls_grouped = 1;   /* the report says how */
		if (c == NULL || strcmp(c->obs, f->obs) || strcmp(c->id, f->call_id) ||
		    (*f->call_id == '\0' &&
		     (strcmp(c->app, f->app) || strcmp(c->local_ip, f->local_ip) ||
		      f->start > c->end + CALL_GAP))) {
			if (a->n_calls >= a->cap_calls) {
				size_t cap = a->cap_calls ? a->cap_calls * 2 : 256;
				struct a_call *q = realloc(a->calls, cap * sizeof(*q));

				if (q == NULL)
					return -1;
				a->calls = q;
				a->cap_calls = cap;
			}
			c = &a->calls[a->n_calls++];
			memset(c, 0, sizeof(*c));
			c->id = f->call_id;
			c->obs = f->obs;
			c->app = f->app;
			c->local_ip = f->local_ip;
			c->links = c->rule_id = c->message = "";
			c->start = f->start;
			c->end = f->end;
		}
		f->call = (size_t)(c - a->calls);
		c->n_flows++;
		c->bytes += f->bytes;
		if (f->end > c->end)
			c->end = f->end;
		if (strstr(f->roles, "key-exchange"))
			where_of(c->keyx, sizeof(c->keyx), f);
		if (strstr(f->roles, "media") || strstr(f->roles, "relay"))
			where_of(c->media, sizeof(c->media), f);
	}
	return 0;
}

static void mark_countries(struct cf_audit *a)
{
	struct a_country *k;
	size_t i;

	for (i = 0; i < a->n_flows; i++)
		if ((k = a_country(a, a->flows[i].country)) != NULL) {
			k->bytes += a->flows[i].bytes;
			k->flows++;
		}
	for (i = 0; i < a->n_alerts; i++) {
		if ((k = a_country(a, a->alerts[i].country)) == NULL)
			continue;
		if (a->alerts[i].sev > k->alerted)
			k->alerted = a->alerts[i].sev;
	}
	for (i = 0; i < a->n_countries; i++) {
		const char *cc = a->countries[i].cc;

		if (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z')
			a->countries[i].permitted = a->permitted[(cc[0] - 'A') * 26 + cc[1] - 'A'];
	}
}

void a_finish(struct cf_audit *a)
{
	size_t n = a->n_flows > a->n_calls ? a->n_flows : a->n_calls;
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	size_t *cidx, *order, i, f;
	if (a->finished || idx == NULL) {
		free(idx);
		return;
	}
	a->finished = 1;
	sort_a = a;
	/* alerts to flows */
	for (i = 0; i < a->n_flows; i++)
		idx[i] = i;
	qsort(idx, a->n_flows, sizeof(*idx), by_flow_key);
	for (i = 0; i < a->n_alerts; i++) {
		f = find_flow(a, idx, &a->alerts[i]);
		if (f != NO_CALL && a->alerts[i].sev > a->flows[f].sev)
			a->flows[f].sev = a->alerts[i].sev;
		if (f != NO_CALL && *a->alerts[i].call_id == '\0')
			a->alerts[i].call_id = a->flows[f].call_id;
	}
	if (a->n_calls > 0) {
		/* call events: flows join theirs by id */
		cidx = malloc(a->n_calls * sizeof(*cidx));
		if (cidx != NULL) {
			for (i = 0; i < a->n_calls; i++)
				cidx[i] = i;
			qsort(cidx, a->n_calls, sizeof(*cidx), by_call_id);
			for (i = 0; i < a->n_flows; i++)
				a->flows[i].call = find_call(a, cidx, a->flows[i].obs,
							     a->flows[i].call_id);
			for (i = 0; i < a->n_alerts; i++)
				a->alerts[i].call = find_call(a, cidx, a->alerts[i].obs,
							      a->alerts[i].call_id);
			free(cidx);
		}
	}
	/* the flows no call event claims (no call events, or flows callfence
	 * tied to no call) are grouped here; their alerts follow them */
	group_calls(a, idx);
	{
		for (i = 0; i < a->n_flows; i++)
			idx[i] = i;
		qsort(idx, a->n_flows, sizeof(*idx), by_flow_key);
		for (i = 0; i < a->n_alerts; i++)
			if (a->alerts[i].call == NO_CALL &&
			    (f = find_flow(a, idx, &a->alerts[i])) != NO_CALL)
				a->alerts[i].call = a->flows[f].call;
	}
	for (i = 0; i < a->n_alerts; i++) {
		struct a_call *c;

		if (a->alerts[i].call == NO_CALL)
			continue;
		c = &a->calls[a->alerts[i].call];
		c->n_alerts++;
		if (a->alerts[i].sev > c->sev) {
			c->sev = a->alerts[i].sev;
			if (!c->from_event)
				c->rule_id = a->alerts[i].rule_id;
		}
	}
	/* the worst calls first: flows and alerts follow their call's move */
	order = malloc((a->n_calls ? a->n_calls : 1) * sizeof(*order));
	if (order != NULL && a->n_calls > 0) {
		struct a_call *copy = malloc(a->n_calls * sizeof(*copy));

		for (i = 0; copy != NULL && i < a->n_calls; i++) {
			copy[i] = a->calls[i];
			copy[i].n_flows = (unsigned)i;   /* the old index rides along */
			copy[i].bytes = a->calls[i].bytes;
		}
		if (copy != NULL) {
			unsigned *nf = malloc(a->n_calls * sizeof(*nf));

			for (i = 0; nf != NULL && i < a->n_calls; i++)
				nf[i] = a->calls[i].n_flows;
			if (nf != NULL) {
				qsort(copy, a->n_calls, sizeof(*copy), call_order);
				for (i = 0; i < a->n_calls; i++)
					order[copy[i].n_flows] = i;
				for (i = 0; i < a->n_calls; i++) {
					unsigned old = copy[i].n_flows;

					a->calls[i] = copy[i];
					a->calls[i].n_flows = nf[old];
				}
				for (i = 0; i < a->n_flows; i++)
					if (a->flows[i].call != NO_CALL)
						a->flows[i].call = order[a->flows[i].call];
				for (i = 0; i < a->n_alerts; i++)
					if (a->alerts[i].call != NO_CALL)
						a->alerts[i].call = order[a->alerts[i].call];
				free(nf);
			}
			free(copy);
		}
	}
	free(order);
	if (a->n_alerts > 1)
		qsort(a->alerts, a->n_alerts, sizeof(*a->alerts), alert_order);
	mark_countries(a);
	free(idx);
}
