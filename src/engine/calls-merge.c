/*
 * calls-merge.c - the calls that are due, grouped (the weak links between
 * calls: a shared local socket, the same party and app close in time) and
 * merged, in the order they are written (docs/siem.md, "Calls").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "engine/calls-int.h"

/* --- merging: the same local party and app, close in time ---------------- */

static int local_cmp(const void *a, const void *b)
{
	const struct slot *x = *(const struct slot *const *)a;
	const struct slot *y = *(const struct slot *const *)b;
	int c = cf_addr_cmp(&x->rec.local, &y->rec.local);

	if (c != 0)
		return c;
	if (x->rec.first_us != y->rec.first_us)
		return x->rec.first_us < y->rec.first_us ? -1 : 1;
	return x->rec.key < y->rec.key ? -1 : x->rec.key > y->rec.key;
}

/* Add member m's record, votes and held flows to primary p (lock held);
 * 0 when there is no memory for its held flows (then it stays a call of
 * its own). */
static int merge_into(struct slot *p, struct slot *m)
{
	struct cf_call_record *r = &p->rec, *o = &m->rec;
	uint32_t i;
	int k;

	if (p->n_held + m->n_held > p->cap_held) {
		uint32_t cap = p->n_held + m->n_held;
		struct held *h = realloc(p->held, cap * sizeof(*h));

		if (h == NULL)
			return 0;
		p->held = h;
		p->cap_held = cap;
	}

	cc_add_merged(r, o->key);
	r->merged_more += o->merged_more;
	for (i = 0; i < o->n_merged && i < CF_CALL_MERGED; i++)
		cc_add_merged(r, o->merged[i]);
	r->flows += o->flows;
	r->links |= o->links | (1u << m->merge_by);
	for (i = 0; i < m->n_sock; i++)
		cc_add_sock(p, m->sock[i]);
	if (o->first_us < r->first_us)
		r->first_us = o->first_us;
	if (o->last_us > r->last_us)
		r->last_us = o->last_us;
	for (k = 0; k < CF_CALL_ROLES; k++) {
		r->role_flows[k] += o->role_flows[k];
		r->role_bytes[k] += o->role_bytes[k];
		r->role_packets[k] += o->role_packets[k];
	}
	for (i = 0; i < o->n_parties; i++) {
		const struct cf_call_party *q = &o->party[i];
		struct cf_geo_result g;

		memset(&g, 0, sizeof(g));
		memcpy(g.country, q->country, sizeof(g.country));
		g.asn = q->asn;
		memcpy(g.as_org, q->as_org, sizeof(g.as_org));
		cc_add_party(r, &q->ip, q->country[0] ? &g : NULL, q->roles, q->via_relay,
			  q->flows, q->bytes, q->packets);
	}
	r->parties_more += o->parties_more;
	r->alerts += o->alerts;
	if (o->severity != CF_SEV_NONE && (o->severity > r->severity ||
	    (o->severity == r->severity && strcmp(o->rule_id, r->rule_id) < 0))) {
		r->severity = o->severity;
		memcpy(r->rule_id, o->rule_id, sizeof(r->rule_id));
		memcpy(r->rule_name, o->rule_name, sizeof(r->rule_name));
		memcpy(r->ruleset, o->ruleset, sizeof(r->ruleset));
	}
	for (k = 0; k < CALL_APPS && m->app[k].nid != 0; k++)
		cc_vote(p, m->app[k].nid, m->app[k].rank, m->app[k].bytes);
	for (i = 0; i < m->n_held; i++) {
		/* its flow records name the call they are written with */
		m->held[i].f.cls.call_key = r->key;
		p->held[p->n_held++] = m->held[i];
	}
	free(m->held);
	m->held = NULL;
	m->n_held = m->cap_held = 0;
	if (p->glast_us < m->rec.last_us)
		p->glast_us = m->rec.last_us;
	return 1;
}

/*
 * The weak link between calls (docs/siem.md, "Calls"): due calls of one
 * local party are merged when they share a named app and each starts at
 * most CF_CALL_MERGE_GAP_US after the group's last packet (a ten-minute
 * boundary of the time link, an ICE restart, a call's RTP pairs); a call
 * whose app is only generic and that has no link of its own but a port
 * pair joins the one named group its time overlaps (none, or two: it
 * stays alone).  due[0..n) is sorted by local party and
 * time; primaries are marked.
 */
#define WEAK_LINKS ((1u << CF_CALL_BY_RTP_PAIR) | (1u << CF_CALL_BY_STUN_SOCKET) | \
		    (1u << CF_CALL_BY_DNS) | (1u << CF_CALL_BY_SERVER) | \
		    (1u << CF_CALL_BY_TIME))

/* Do calls a and b have a remote party (not through a relay) in common? */
static int share_server(const struct slot *a, const struct slot *b)
{
	uint32_t i;

	for (i = 0; i < a->rec.n_parties && i < CF_CALL_PARTIES; i++)
		if (!a->rec.party[i].via_relay && cc_party(&b->rec, &a->rec.party[i].ip, 0))
			return 1;
	return 0;
}

static int overlap(const struct slot *s, const struct slot *p)
{
	return s->rec.first_us <= p->rec.last_us + CF_CALL_MERGE_GAP_US &&
	       s->rec.last_us + CF_CALL_MERGE_GAP_US >= p->rec.first_us;
}

/* A call with weak links only joins the one call with links of its own
 * (ICE usernames, a SIP dialog, ...) that shares one of its local UDP
 * sockets close in time: an app's socket serves one session (the stun-socket
 * link, from both sides of an ICE upgrade). */
static void group_by_socket(struct slot **due, size_t n)
{
	size_t i, j, run = 0, hit = 0;
	int found;

	for (i = 0; i < n; i++) {
		struct slot *s = due[i];

		if (i > 0 && cf_addr_cmp(&s->rec.local, &due[i - 1]->rec.local) != 0)
			run = i;
		if (s->n_sock == 0 || s->rec.flows == 0 || (s->rec.links & ~WEAK_LINKS))
			continue;
		found = 0;
		for (j = run; j < n && cf_addr_cmp(&due[j]->rec.local, &s->rec.local) == 0; j++) {
			struct slot *p = due[j];

			if (p != s && p->rec.flows > 0 && (p->rec.links & ~WEAK_LINKS) &&
			    overlap(s, p) && cc_share_sock(s, p)) {
				found++;
				hit = j;
			}
		}
		if (found == 1) {
			s->primary = due[hit];
			s->merge_by = CF_CALL_BY_STUN_SOCKET;
		}
	}
}

static void group_calls(struct slot **due, size_t n)
{
	size_t i, j, run = 0, hit;
	int found;

	for (i = 0; i < n; i++) {
		due[i]->primary = due[i];
		due[i]->glast_us = due[i]->rec.last_us;
		due[i]->merge_by = CF_CALL_BY_TIME;
		cc_best_app(due[i]);
	}
	group_by_socket(due, n);
	for (i = 0; i < n; i++) {
		struct slot *s = due[i];

		if (i > 0 && cf_addr_cmp(&s->rec.local, &due[i - 1]->rec.local) != 0)
			run = i;
		if (s->rank < RANK_GUESS || s->rec.flows == 0 || s->primary != s)
			continue;
		for (j = i; j-- > run;) {
			struct slot *p = due[j];

			if (p->primary == p && p->rank >= RANK_GUESS && p->rec.flows > 0 &&
			    strcmp(p->rec.app, s->rec.app) == 0 &&
			    s->rec.first_us <= p->glast_us + CF_CALL_MERGE_GAP_US) {
				s->primary = p;
				if (share_server(p, s))
					s->merge_by = CF_CALL_BY_SERVER;
				if (p->glast_us < s->rec.last_us)
					p->glast_us = s->rec.last_us;
				break;
			}
		}
	}
	for (i = 0, run = 0; i < n; i++) {
		struct slot *s = due[i];

		if (i > 0 && cf_addr_cmp(&s->rec.local, &due[i - 1]->rec.local) != 0)
			run = i;
		/* a session with links of its own (ICE usernames, a SIP dialog)
		   is not another's on time alone */
		if (s->rank >= RANK_GUESS || s->rec.flows == 0 || s->primary != s ||
		    (s->rec.links & ~WEAK_LINKS))
			continue;
		found = 0;
		hit = 0;
		for (j = run; j < n && cf_addr_cmp(&due[j]->rec.local, &s->rec.local) == 0; j++) {
			struct slot *p = due[j];

			if (p->primary == p && p->rank >= RANK_GUESS && p->rec.flows > 0 &&
			    s->rec.first_us <= p->glast_us + CF_CALL_MERGE_GAP_US &&
			    s->rec.last_us + CF_CALL_MERGE_GAP_US >= p->rec.first_us) {
				found++;
				hit = j;
			}
		}
		if (found == 1)
			s->primary = due[hit];
	}
}

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = *(const struct slot *const *)a;
	const struct slot *y = *(const struct slot *const *)b;

	if (x->rec.first_us != y->rec.first_us)
		return x->rec.first_us < y->rec.first_us ? -1 : 1;
	return x->rec.key < y->rec.key ? -1 : x->rec.key > y->rec.key;
}

/* The calls over at now_us (all: every call) into due[0..), merged, in
 * the order they are written; how many (lock held). */
size_t cc_due_calls(struct cf_calls *t, uint64_t now_us, int all)
{
	struct slot **due = t->due;
	size_t i, n = 0, w = 0;

	for (i = 0; i < CF_CALLS_MAX; i++) {
		struct slot *s = &t->v[t->idx[i]];

		if (t->keys[i] != 0 && (all || (s->live == 0 && s->quiet_us != 0 &&
					       now_us >= s->quiet_us + CF_CALL_LINGER_US)))
			due[n++] = s;
	}
	qsort(due, n, sizeof(*due), local_cmp);
	group_calls(due, n);
	for (i = 0; i < n; i++) {
		struct slot *r = due[i]->primary;

		while (r->primary != r)         /* merged into a call merged itself */
			r = r->primary;
		due[i]->primary = r;
	}
	for (i = 0; i < n; i++)
		if (due[i]->primary != due[i] && merge_into(due[i]->primary, due[i])) {
			cc_slot_free(t, due[i]);
			t->st.merged++;
		}
	for (i = 0; i < n; i++)
		if (due[i]->used)
			due[w++] = due[i];
	qsort(due, w, sizeof(*due), slot_cmp);
	return w;
}
