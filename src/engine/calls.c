/*
 * calls.c - the call table (calls.h).
 *
 * Open addressing over CF_CALLS_MAX slots by the call key (already a
 * hash), CALL_PROBES probes.  The probes and the scans of the whole table
 * read only keys[] (64 KiB, 0 for a free slot: no call has key 0), never
 * the slots themselves (over a kilobyte each: a probe of those was a
 * cache miss and, at first, a page fault - 9% of a real-mix run).  The
 * slots are not at their key's position: idx[] names the slot of each
 * position, and slots are handed out from the front of v[] (the last one
 * freed first), so that the calls alive at once touch a few dense pages
 * instead of a fresh page at a random place for every new call (a page
 * fault per call: 6% of a real-mix run).  A slot holds the record the event is
 * written from (event.h's struct cf_call_record) and what ranks the
 * call's app: every app its flows named, with the bytes of those flows;
 * the app written is the best ranked - a named app ("zoom", "signal")
 * over a generic protocol ("webrtc", "sip", "rtp"), more bytes first,
 * then the name - so that which flow ended first does not matter.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "engine/calls.h"
#include "util/prefault.h"
#include "util/role.h"

#include "engine/calls-int.h"

struct cf_calls *cf_calls_new(struct cf_outputs *out, int idle, cf_calls_write_fn write)
{
	struct cf_calls *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	/* pages touched as used, from the front: past the first 2 MiB on
	   huge pages (a slot is 2.5 KiB: a fault every 1.6 new calls else,
	   and capture files keep every call until the end) */
	t->v = cf_big_alloc_front(CF_CALLS_MAX, sizeof(*t->v));
	t->keys = calloc(CF_CALLS_MAX, sizeof(*t->keys));
	t->idx = calloc(CF_CALLS_MAX, sizeof(*t->idx));
	t->spare = calloc(CF_CALLS_MAX, sizeof(*t->spare));
	t->due = malloc(CF_CALLS_MAX * sizeof(*t->due));
	if (t->v == NULL || t->keys == NULL || t->idx == NULL || t->spare == NULL ||
	    t->due == NULL) {
		cf_big_free(t->v);
		free(t->keys);
		free(t->idx);
		free(t->spare);
		free(t->due);
		free(t);
		return NULL;
	}
	cf_ahead_watch(&t->ahead, t->v, CF_CALLS_MAX, sizeof(*t->v), CF_BIG_FRONT);
	t->out = out;
	t->idle = idle;
	t->write = write;
	pthread_mutex_init(&t->mu, NULL);
	return t;
}

void cf_calls_free(struct cf_calls *t)
{
	size_t i;
	uint32_t k;

	if (t == NULL)
		return;
	for (i = 0; i < CF_CALLS_MAX; i++) {
		struct slot *s = &t->v[t->idx[i]];

		if (t->keys[i] == 0)
			continue;       /* a free position holds nothing */
		for (k = 0; k < s->n_held; k++)
			cf_class_release(&s->held[k].f.cls);
		free(s->held);
	}
	free(t->rows);
	pthread_mutex_destroy(&t->mu);
	cf_ahead_forget(&t->ahead);
	cf_big_free(t->v);
	free(t->keys);
	free(t->idx);
	free(t->spare);
	free(t->due);
	free(t);
}

static int role_index(unsigned bit)
{
	switch (bit) {
	case CF_ROLE_KEYX: return 0;
	case CF_ROLE_MEDIA: return 1;
	case CF_ROLE_SIGNALING: return 2;
	case CF_ROLE_RELAY: return 3;
	default: return -1;
	}
}

/* Write slot s's call and free it (lock held). */
static void write_call(struct cf_calls *t, struct slot *s, const struct cf_event_meta *m);

/* Slot s's position is free, s goes back to the spares (lock held). */
void cc_slot_free(struct cf_calls *t, struct slot *s)
{
	s->used = 0;
	t->keys[s->pos] = 0;
	t->spare[t->n_spare++] = (uint16_t)(s - t->v);
}

/* The slot of key, made when absent (make); NULL when the table is full. */
static struct slot *find(struct cf_calls *t, uint64_t key, int make,
			 const struct cf_event_meta *m)
{
	uint32_t i, j = 0, k = (uint32_t)key & (CF_CALLS_MAX - 1);
	struct slot *s, *quiet = NULL;

	for (i = 0; i < CALL_PROBES; i++) {
		j = (k + i) & (CF_CALLS_MAX - 1);
		if (t->keys[j] == key)
			return &t->v[t->idx[j]];
	}
	if (!make)
		return NULL;
	for (i = 0; i < CALL_PROBES; i++) {
		j = (k + i) & (CF_CALLS_MAX - 1);
		if (t->keys[j] == 0)
			break;
		s = &t->v[t->idx[j]];
		if (s->live == 0 && (quiet == NULL || s->quiet_us < quiet->quiet_us))
			quiet = s;
	}
	if (i == CALL_PROBES) {
		if (quiet == NULL)
			return NULL;
		t->st.evicted++;
		j = quiet->pos;
		write_call(t, quiet, m);        /* frees its position and slot */
	}
	/* every used slot has a position of its own: there is a slot */
	if (t->n_spare > 0) {
		s = &t->v[t->spare[--t->n_spare]];
	} else {
		cf_ahead_touch(&t->ahead, t->n_fresh);
		s = &t->v[t->n_fresh++];
	}
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->pos = (uint16_t)j;
	s->rec.key = key;
	t->keys[j] = key;
	t->idx[j] = (uint16_t)(s - t->v);
	return s;
}

void cf_calls_join(struct cf_calls *t, void *ctx, uint64_t key,
		   const struct cf_event_meta *m)
{
	struct slot *s;

	if (t == NULL || key == 0)
		return;
	pthread_mutex_lock(&t->mu);
	t->write_ctx = ctx;             /* a full table writes a call */
	s = find(t, key, 1, m);
	if (s != NULL)
		s->live++;
	else
		t->st.untracked++;
	pthread_mutex_unlock(&t->mu);
}

/* Add id to r's merged ids, once. */
void cc_add_merged(struct cf_call_record *r, uint64_t id)
{
	uint32_t i;

	if (id == r->key)
		return;
	for (i = 0; i < r->n_merged && i < CF_CALL_MERGED; i++)
		if (r->merged[i] == id)
			return;
	if (r->n_merged < CF_CALL_MERGED)
		r->merged[r->n_merged++] = id;
	else
		r->merged_more++;
}

/* A flow left call old (slot o, NULL if gone) for s: old's id, which the
 * flow's first events may carry, is listed in s's merged ids (whatever
 * else old holds: the list does not depend on the order in which the
 * workers' flows come); o's slot is freed when it was its last (lock
 * held). */
static void moved(struct cf_calls *t, uint64_t old, struct slot *o, struct slot *s)
{
	if (old == 0 || old == s->rec.key)
		return;
	cc_add_merged(&s->rec, old);
	if (o != NULL && o != s && o->live == 0 && o->rec.flows == 0)
		cc_slot_free(t, o);
}

void cf_calls_move(struct cf_calls *t, void *ctx, uint64_t old, uint64_t key,
		   const struct cf_event_meta *m)
{
	struct slot *s, *o;

	if (t == NULL || key == 0)
		return;
	pthread_mutex_lock(&t->mu);
	t->write_ctx = ctx;
	o = old != 0 && old != key ? find(t, old, 0, NULL) : NULL;
	if (o != NULL && o->live > 0)
		o->live--;
	s = find(t, key, 1, m);
	if (s != NULL) {
		s->live++;
		moved(t, old, o, s);
	} else
		t->st.untracked++;
	pthread_mutex_unlock(&t->mu);
}

void cf_calls_leave(struct cf_calls *t, uint64_t key)
{
	struct slot *s;

	if (t == NULL || key == 0)
		return;
	pthread_mutex_lock(&t->mu);
	s = find(t, key, 0, NULL);
	if (s != NULL && s->live > 0)
		s->live--;
	pthread_mutex_unlock(&t->mu);
}

/*
 * How strongly a flow names its call's app: 0 no app, 1 a generic
 * protocol or nDPI's own name ("google"), then by what named it
 * (util/class.h, enum cf_app_clue):
 * RANK_GUESS an nDPI or port line, 3 a net or asn line, RANK_NAME a
 * server name or the app's own wire format.  A flow that only asked a
 * STUN server for its address (signaling over STUN, no relay, media or
 * keys, no ICE check of its own) says who runs that server, not whose
 * call it is - Signal's clients use Google's public STUN servers - so it
 * counts as a guess at most.
 */
static uint8_t flow_rank(const struct cf_flow *f)
{
	const char *name = cf_class_names[f->cls.app_id];
	uint8_t r;

	if (name[0] == '\0' || strcmp(name, "unknown") == 0)
		return 0;
	/* a generic protocol, or nDPI's own name for what is no call app */
	if (f->cls.app_clue == CF_CLUE_NONE || cf_call_app_generic(name))
		return 1;
	r = (uint8_t)(RANK_GUESS + f->cls.app_clue - CF_CLUE_GUESS);
	if (r > RANK_GUESS && f->cls.l7_id == CF_NID_STUN &&
	    (f->cls.roles & CF_ROLE_CALL) == CF_ROLE_SIGNALING &&
	    f->cls.call_by != CF_CALL_BY_ICE)
		r = RANK_GUESS;
	return r;
}

void cc_vote(struct slot *s, uint16_t nid, uint8_t rank, uint64_t bytes)
{
	struct app_vote *v;
	int i;

	for (i = 0; i < CALL_APPS; i++) {
		v = &s->app[i];
		if (v->nid == nid) {
			v->bytes += bytes;
			if (rank > v->rank)
				v->rank = rank;
			return;
		}
		if (v->nid == 0) {
			v->nid = nid;
			v->rank = rank;
			v->bytes = bytes;
			return;
		}
	}
}

static int better_vote(const struct app_vote *a, const struct app_vote *b)
{
	if (a->rank != b->rank)
		return a->rank > b->rank;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes;
	return strcmp(cf_class_names[a->nid], cf_class_names[b->nid]) < 0;
}

struct cf_call_party *cc_party(const struct cf_call_record *r, const cf_addr *ip,
			       int via_relay)
{
	uint32_t i;

	for (i = 0; i < r->n_parties && i < CF_CALL_PARTIES; i++)
		if (cf_addr_eq(&r->party[i].ip, ip) && r->party[i].via_relay == via_relay)
			return (struct cf_call_party *)&r->party[i];
	return NULL;
}

void cc_add_party(struct cf_call_record *r, const cf_addr *ip,
		      const struct cf_geo_result *g, unsigned roles, int via_relay,
		      uint32_t flows, uint64_t bytes, uint64_t packets)
{
	struct cf_call_party *p = cc_party(r, ip, via_relay);

	if (p == NULL) {
		if (r->n_parties >= CF_CALL_PARTIES) {
			r->parties_more++;
			return;
		}
		p = &r->party[r->n_parties++];
		p->ip = *ip;
		p->via_relay = (uint8_t)via_relay;
	}
	if (g != NULL && p->country[0] == '\0') {
		memcpy(p->country, g->country[0] ? g->country : g->registered, 3);
		p->asn = g->asn;
		memcpy(p->as_org, g->as_org, sizeof(p->as_org));
		p->as_org[sizeof(p->as_org) - 1] = '\0';
	}
	p->roles |= (uint8_t)(roles & CF_ROLE_CALL);
	p->flows += flows;
	p->bytes += bytes;
	p->packets += packets;
}

void cc_copy_str(char *dst, size_t cap, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The worst alert so far, ties to the smaller rule id. */
static void worse_verdict(struct cf_call_record *r, const struct cf_rule_info *w)
{
	if (w == NULL || w->severity < r->severity ||
	    (w->severity == r->severity && r->rule_id[0] != '\0' &&
	     strcmp(w->id, r->rule_id) >= 0))
		return;
	r->severity = w->severity;
	cc_copy_str(r->rule_id, sizeof(r->rule_id), w->id);
	cc_copy_str(r->rule_name, sizeof(r->rule_name), w->msg);
	cc_copy_str(r->ruleset, sizeof(r->ruleset), w->ruleset);
}



/* A local UDP port of the call: an app's own socket (unprivileged, not
 * a STUN/TURN server's port, where a server's one socket serves many
 * calls). */
void cc_add_sock(struct slot *s, uint16_t port)
{
	uint8_t i;

	if (port < 1024 || cf_call_server_port(port))
		return;
	for (i = 0; i < s->n_sock; i++)
		if (s->sock[i] == port)
			return;
	if (s->n_sock < CALL_SOCKS)
		s->sock[s->n_sock++] = port;
}

int cc_share_sock(const struct slot *a, const struct slot *b)
{
	uint8_t i, j;

	for (i = 0; i < a->n_sock; i++)
		for (j = 0; j < b->n_sock; j++)
			if (a->sock[i] == b->sock[j])
				return 1;
	return 0;
}

static void add_flow(struct slot *s, const struct cf_call_flow *cf)
{
	const struct cf_flow *f = cf->f;
	struct cf_call_record *r = &s->rec;
	uint64_t bytes = f->bytes[0] + f->bytes[1], packets = f->pkts[0] + f->pkts[1];
	unsigned bit;
	int i, k;

	r->flows++;
	if (f->cls.call_by != 0)
		r->links |= 1u << f->cls.call_by;
	if (r->first_us == 0 || f->first_us < r->first_us)
		r->first_us = f->first_us;
	if (f->last_us > r->last_us)
		r->last_us = f->last_us;
	if (cf->local >= 0 &&
	    (s->local_first_us == 0 || f->first_us < s->local_first_us ||
	     (f->first_us == s->local_first_us &&
	      cf_addr_cmp(&f->ip[cf->local], &r->local) < 0))) {
		s->local_first_us = f->first_us ? f->first_us : 1;
		r->local = f->ip[cf->local];
	}
	cc_vote(s, f->cls.app_id, flow_rank(f), bytes);
	for (i = 0; i < CF_ROLE_RANKS; i++) {
		bit = cf_role_at_rank(i);
		k = role_index(bit);
		if (k < 0 || !(f->cls.roles & bit))
			continue;
		r->role_flows[k]++;
		r->role_bytes[k] += bytes;
		r->role_packets[k] += packets;
	}
	if (cf->local >= 0 && f->proto == 17)
		cc_add_sock(s, f->port[cf->local]);
	if (cf->local >= 0) {
		/* joined on time alone, to a server another flow of the call
		   talks to: the server link (the same in any order) */
		if (f->cls.call_by >= CF_CALL_BY_DNS && cc_party(r, &f->ip[!cf->local], 0) != NULL)
			r->links |= 1u << CF_CALL_BY_SERVER;
		cc_add_party(r, &f->ip[!cf->local], cf->geo, f->cls.roles, 0, 1, bytes, packets);
	}
	if (f->cls.has_relay_peer)
		cc_add_party(r, &f->cls.relay_peer, cf->peer_geo, f->cls.roles, 1, 1, bytes, packets);
	r->alerts += f->n_alerts;
	worse_verdict(r, cf->worst);
}

/* Keep a copy of cf->f in s (lock held); 1 when kept. */
static int hold(struct cf_calls *t, struct slot *s, struct cf_call_flow *cf,
		enum cf_flow_end why)
{
	struct held *h;

	if (t->write == NULL || s->n_held >= CF_CALL_HELD_MAX ||
	    t->n_held >= CF_CALLS_HELD_MAX) {
		t->st.unheld++;
		return 0;
	}
	if (s->n_held == s->cap_held) {
		/* from 1: most calls hold a few flows (3.6 on the real mix),
		   and 8 at once took 2 KiB a call, twice what was held */
		uint32_t cap = s->cap_held ? s->cap_held * 2 : 1;

		h = realloc(s->held, cap * sizeof(*h));
		if (h == NULL) {
			t->st.unheld++;
			return 0;
		}
		s->held = h;
		s->cap_held = cap;
	}
	h = &s->held[s->n_held++];
	h->f = *cf->f;
	h->why = why;
	h->has_rtt = cf->rtt != NULL;
	if (cf->rtt != NULL)
		h->rtt = *cf->rtt;
	/* the strings move with the copy: the flow table releases nothing */
	cf->f->cls.host_str = cf->f->cls.evid_str = cf->f->cls.cert_str = NULL;
	t->n_held++;
	t->st.held++;
	return 1;
}

int cf_calls_flow_end(struct cf_calls *t, void *ctx, uint64_t joined_key,
		      struct cf_call_flow *cf, enum cf_flow_end why,
		      const struct cf_event_meta *m)
{
	uint64_t key = cf->f->cls.call_key;
	struct slot *s, *o = NULL;
	int held = 0;

	if (t == NULL || (key == 0 && joined_key == 0))
		return 0;
	pthread_mutex_lock(&t->mu);
	t->write_ctx = ctx;             /* a full table writes a call */
	if (joined_key != 0 && joined_key != key) {
		o = find(t, joined_key, 0, NULL);
		if (o != NULL && o->live > 0)
			o->live--;
	}
	if (key != 0 && (s = find(t, key, 1, m)) != NULL) {
		if (joined_key == key && s->live > 0)
			s->live--;
		if (joined_key != key)
			moved(t, joined_key, o, s);
		/* judged or not (a socket's first packets no recogniser
		   knew): it is the call's, and may take the call's app */
		add_flow(s, cf);
		held = hold(t, s, cf, why);
		if (cf->f->last_us > s->quiet_us)
			s->quiet_us = cf->f->last_us;
	} else if (key != 0) {
		t->st.untracked++;
	}
	pthread_mutex_unlock(&t->mu);
	return held;
}

static int party_cmp(const void *a, const void *b)
{
	const struct cf_call_party *x = a, *y = b;
	int c = cf_addr_cmp(&x->ip, &y->ip);

	return c != 0 ? c : (int)x->via_relay - (int)y->via_relay;
}

static int held_cmp(const void *a, const void *b)
{
	const struct cf_flow *x = &((const struct held *)a)->f;
	const struct cf_flow *y = &((const struct held *)b)->f;
	int c;

	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	if ((c = cf_addr_cmp(&x->ip[0], &y->ip[0])) != 0 ||
	    (c = cf_addr_cmp(&x->ip[1], &y->ip[1])) != 0)
		return c;
	if (x->port[0] != y->port[0])
		return x->port[0] < y->port[0] ? -1 : 1;
	return (int)x->port[1] - (int)y->port[1];
}

/* The held flows of s, in order, by the engine ctx (the lock held, or s
 * the caller's alone: cf_calls_end_part); counts into st. */
static void write_held(struct cf_calls *t, struct slot *s, void *ctx,
		       struct cf_calls_stats *st)
{
	uint32_t i;

	qsort(s->held, s->n_held, sizeof(*s->held), held_cmp);
	for (i = 0; i < s->n_held; i++) {
		if (ctx != NULL) {
			const struct cf_rule_info *w = NULL;
			const struct cf_flow *f = &s->held[i].f;
			uint8_t r = flow_rank(f);
			unsigned n = 0;
			/* the call decides the app of a flow named by no
			   stronger clue than the call's app */
			int take = s->rank >= RANK_GUESS && r < RANK_NAME && r <= s->rank &&
				   strcmp(cf_class_app(&f->cls), s->rec.app) != 0;

			st->app_from_call += (uint64_t)t->write(ctx, &s->held[i].f,
								s->held[i].why,
								s->held[i].has_rtt ? &s->held[i].rtt : NULL,
								take ? s->rec.app : "", &n, &w);
			s->rec.alerts += n;     /* judged again with the call's app */
			if (n > 0)
				worse_verdict(&s->rec, w);
		} else
			cf_class_release(&s->held[i].f.cls);
	}
	free(s->held);
	s->held = NULL;
	s->n_held = s->cap_held = 0;
}

/* The best-ranked app of s's votes into rec.app and s->rank. */
void cc_best_app(struct slot *s)
{
	const struct app_vote *best = NULL;
	int i;

	for (i = 0; i < CALL_APPS && s->app[i].nid != 0; i++)
		if (best == NULL || better_vote(&s->app[i], best))
			best = &s->app[i];
	cc_copy_str(s->rec.app, sizeof(s->rec.app), best != NULL ? cf_class_names[best->nid] : "");
	s->rank = best != NULL ? best->rank : 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Write s's held flows (by the engine ctx) and its call event; the
 * number of held flows it had. */
static uint32_t call_out(struct cf_calls *t, struct slot *s, const struct cf_event_meta *m,
			 void *ctx, struct cf_calls_stats *st)
{
	uint32_t n = s->n_held;

	if (s->rec.flows > 0) {
		cc_best_app(s);
		write_held(t, s, ctx, st);
		qsort(s->rec.party, s->rec.n_parties, sizeof(s->rec.party[0]), party_cmp);
		qsort(s->rec.merged, s->rec.n_merged < CF_CALL_MERGED ? s->rec.n_merged :
		      CF_CALL_MERGED, sizeof(s->rec.merged[0]), u64_cmp);
		cf_event_call(t->out, m, &s->rec, s->rec.last_us);
		st->written++;
	}
	return n;
}

/* Write s's held flows, its call event, and free it (lock held). */
static void write_call(struct cf_calls *t, struct slot *s, const struct cf_event_meta *m)
{
	t->n_held -= call_out(t, s, m, t->write_ctx, &t->st);
	if (s->rec.flows > 0)
		cc_add_row(t, s);
	cc_slot_free(t, s);
}

void cf_calls_emit(struct cf_calls *t, void *ctx, const struct cf_event_meta *m,
		   uint64_t now_us, int all)
{
	size_t i, w;

	if (t == NULL || (!all && !t->idle))
		return;
	pthread_mutex_lock(&t->mu);
	t->write_ctx = ctx;
	w = cc_due_calls(t, now_us, all);
	for (i = 0; i < w; i++)
		write_call(t, t->due[i], m);
	t->write_ctx = NULL;
	pthread_mutex_unlock(&t->mu);
}

size_t cf_calls_end_begin(struct cf_calls *t)
{
	if (t == NULL)
		return 0;
	pthread_mutex_lock(&t->mu);
	t->n_due = cc_due_calls(t, 0, 1);
	pthread_mutex_unlock(&t->mu);
	return t->n_due;
}

void cf_calls_end_part(struct cf_calls *t, void *ctx, const struct cf_event_meta *m,
		       unsigned part, unsigned parts)
{
	struct cf_calls_stats st;
	uint64_t held = 0;
	size_t i;

	if (t == NULL || parts == 0)
		return;
	memset(&st, 0, sizeof(st));
	for (i = part; i < t->n_due; i += parts)
		held += call_out(t, t->due[i], m, ctx, &st);
	pthread_mutex_lock(&t->mu);
	t->st.written += st.written;
	t->st.app_from_call += st.app_from_call;
	t->n_held -= held;
	pthread_mutex_unlock(&t->mu);
}

void cf_calls_end_finish(struct cf_calls *t)
{
	size_t i;

	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	for (i = 0; i < t->n_due; i++) {
		if (t->due[i]->rec.flows > 0)
			cc_add_row(t, t->due[i]);  /* in the calls' order */
		cc_slot_free(t, t->due[i]);
	}
	t->n_due = 0;
	pthread_mutex_unlock(&t->mu);
}

void cf_calls_get_stats(struct cf_calls *t, struct cf_calls_stats *st)
{
	pthread_mutex_lock(&t->mu);
	*st = t->st;
	/* the calls seen: written or merged into another (a slot made again
	   for a key, or one no flow ended in, is none: with --threads that
	   depends on the order of the workers' flows) */
	st->calls = st->written + st->merged;
	pthread_mutex_unlock(&t->mu);
}
