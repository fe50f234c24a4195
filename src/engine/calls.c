/*
 * calls.c - the call table (calls.h).
 *
 * Open addressing over CF_CALLS_MAX slots by the call key (already a
 * hash), CALL_PROBES probes.  The probes and the scans of the whole table
 * read only keys[] (64 KiB, 0 for a free slot: no call has key 0), never
 * the slots themselves (over a kilobyte each: a probe of those was a
 * cache miss and, at first, a page fault - 9% of a real-mix run).  A slot holds the record the event is
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
#include "util/role.h"

#define CALL_PROBES 32
#define CALL_APPS 6
#define CALL_SOCKS 8                   /* local sockets kept per call */
#define RANK_GUESS 2                   /* flow_rank: the first named rank */
#define RANK_NAME 4

struct app_vote {
	uint16_t nid;                  /* name id (cf_class_names) */
	uint8_t rank;                  /* flow_rank: >= RANK_GUESS named, 1 generic, 0 unknown */
	uint64_t bytes;
};

struct held {
	struct cf_flow f;
	enum cf_flow_end why;
	uint8_t has_rtt;
	struct cf_rtt rtt;             /* the entry's RTT state (engine-rtt.c) */
};

struct slot {
	uint8_t used;
	uint8_t rank;                  /* of its app (flow_rank): >= RANK_GUESS named */
	struct slot *primary;          /* the call it is merged into (itself) */
	uint64_t glast_us;             /* a primary: the last packet of its group */
	uint32_t n_held, cap_held;
	struct held *held;             /* its flows held for its app */
	uint32_t live;                 /* flows joined, not ended */
	uint64_t quiet_us;             /* packet time its last flow ended */
	uint64_t local_first_us;       /* first_us of the flow the local party came from */
	struct app_vote app[CALL_APPS];
	uint8_t merge_by;              /* group_calls: the link it is merged by */
	uint8_t n_sock;
	uint16_t sock[CALL_SOCKS];     /* local UDP ports of its flows (group_calls) */
	struct cf_call_record rec;
};

struct cf_calls {
	pthread_mutex_t mu;
	struct cf_outputs *out;
	struct slot *v;
	uint64_t *keys;                /* v[i]'s key, 0 when v[i] is free */
	struct slot **due;             /* cf_calls_emit's list, CF_CALLS_MAX */
	int idle;                      /* write quiet calls before the end */
	cf_calls_write_fn write;
	void *write_ctx;               /* the engine writing now (lock held) */
	uint64_t n_held;               /* flows held in all */
	struct cf_calls_stats st;
	struct cf_call_row *rows;      /* reading files: the calls written */
	size_t n_rows, cap_rows;
	uint64_t rows_more;
};

struct cf_calls *cf_calls_new(struct cf_outputs *out, int idle, cf_calls_write_fn write)
{
	struct cf_calls *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->v = calloc(CF_CALLS_MAX, sizeof(*t->v));   /* pages touched as used */
	t->keys = calloc(CF_CALLS_MAX, sizeof(*t->keys));
	t->due = malloc(CF_CALLS_MAX * sizeof(*t->due));
	if (t->v == NULL || t->keys == NULL || t->due == NULL) {
		free(t->v);
		free(t->keys);
		free(t->due);
		free(t);
		return NULL;
	}
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
		if (t->keys[i] == 0)
			continue;       /* a free slot holds nothing */
		for (k = 0; k < t->v[i].n_held; k++)
			cf_class_release(&t->v[i].held[k].f.cls);
		free(t->v[i].held);
	}
	free(t->rows);
	pthread_mutex_destroy(&t->mu);
	free(t->v);
	free(t->keys);
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

/* The slot of key, made when absent (make); NULL when the table is full. */
static struct slot *find(struct cf_calls *t, uint64_t key, int make,
			 const struct cf_event_meta *m)
{
	uint32_t i, j, k = (uint32_t)key & (CF_CALLS_MAX - 1);
	struct slot *s, *quiet = NULL;

	for (i = 0; i < CALL_PROBES; i++) {
		j = (k + i) & (CF_CALLS_MAX - 1);
		if (t->keys[j] == key)
			return &t->v[j];
	}
	if (!make)
		return NULL;
	for (i = 0; i < CALL_PROBES; i++) {
		j = (k + i) & (CF_CALLS_MAX - 1);
		s = &t->v[j];
		if (t->keys[j] == 0)
			break;
		if (s->live == 0 && (quiet == NULL || s->quiet_us < quiet->quiet_us))
			quiet = s;
		s = NULL;
	}
	if (s == NULL) {
		if (quiet == NULL)
			return NULL;
		t->st.evicted++;
		write_call(t, quiet, m);
		s = quiet;
	}
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->rec.key = key;
	t->keys[s - t->v] = key;
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
static void add_merged(struct cf_call_record *r, uint64_t id)
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
	add_merged(&s->rec, old);
	if (o != NULL && o != s && o->live == 0 && o->rec.flows == 0) {
		o->used = 0;
		t->keys[o - t->v] = 0;
	}
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

static void vote(struct slot *s, uint16_t nid, uint8_t rank, uint64_t bytes)
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

static void add_party(struct cf_call_record *r, const cf_addr *ip,
		      const struct cf_geo_result *g, unsigned roles, int via_relay,
		      uint32_t flows, uint64_t bytes, uint64_t packets)
{
	struct cf_call_party *p = NULL;
	uint32_t i;

	for (i = 0; i < r->n_parties; i++)
		if (cf_addr_eq(&r->party[i].ip, ip) && r->party[i].via_relay == via_relay) {
			p = &r->party[i];
			break;
		}
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

static void copy_str(char *dst, size_t cap, const char *s)
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
	copy_str(r->rule_id, sizeof(r->rule_id), w->id);
	copy_str(r->rule_name, sizeof(r->rule_name), w->msg);
	copy_str(r->ruleset, sizeof(r->ruleset), w->ruleset);
}

/* A local UDP port of the call: an app's own socket (unprivileged, not
 * a STUN/TURN server's port, where a server's one socket serves many
 * calls). */
static void add_sock(struct slot *s, uint16_t port)
{
	uint8_t i;

	if (port < 1024 || port == 3478 || port == 3479 || port == 5349 ||
	    (port >= 19302 && port <= 19309))
		return;
	for (i = 0; i < s->n_sock; i++)
		if (s->sock[i] == port)
			return;
	if (s->n_sock < CALL_SOCKS)
		s->sock[s->n_sock++] = port;
}

static int share_sock(const struct slot *a, const struct slot *b)
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
	vote(s, f->cls.app_id, flow_rank(f), bytes);
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
		add_sock(s, f->port[cf->local]);
	if (cf->local >= 0)
		add_party(r, &f->ip[!cf->local], cf->geo, f->cls.roles, 0, 1, bytes, packets);
	if (f->cls.has_relay_peer)
		add_party(r, &f->cls.relay_peer, cf->peer_geo, f->cls.roles, 1, 1, bytes, packets);
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
		uint32_t cap = s->cap_held ? s->cap_held * 2 : 8;

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

/* The held flows of s, in order, by the engine writing now (lock held). */
static void write_held(struct cf_calls *t, struct slot *s)
{
	uint32_t i;

	qsort(s->held, s->n_held, sizeof(*s->held), held_cmp);
	for (i = 0; i < s->n_held; i++) {
		if (t->write_ctx != NULL) {
			const struct cf_rule_info *w = NULL;
			const struct cf_flow *f = &s->held[i].f;
			uint8_t r = flow_rank(f);
			unsigned n = 0;
			/* the call decides the app of a flow named by no
			   stronger clue than the call's app */
			int take = s->rank >= RANK_GUESS && r < RANK_NAME && r <= s->rank &&
				   strcmp(cf_class_app(&f->cls), s->rec.app) != 0;

			t->st.app_from_call += (uint64_t)t->write(t->write_ctx, &s->held[i].f,
								  s->held[i].why,
								  s->held[i].has_rtt ? &s->held[i].rtt : NULL,
								  take ? s->rec.app : "", &n, &w);
			s->rec.alerts += n;     /* judged again with the call's app */
			if (n > 0)
				worse_verdict(&s->rec, w);
		} else
			cf_class_release(&s->held[i].f.cls);
	}
	t->n_held -= s->n_held;
	free(s->held);
	s->held = NULL;
	s->n_held = s->cap_held = 0;
}

/* The best-ranked app of s's votes into rec.app and s->rank. */
static void best_app(struct slot *s)
{
	const struct app_vote *best = NULL;
	int i;

	for (i = 0; i < CALL_APPS && s->app[i].nid != 0; i++)
		if (best == NULL || better_vote(&s->app[i], best))
			best = &s->app[i];
	copy_str(s->rec.app, sizeof(s->rec.app), best != NULL ? cf_class_names[best->nid] : "");
	s->rank = best != NULL ? best->rank : 0;
}

/* Write s's held flows, its call event, and free it (lock held). */
static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Append s to the list "a,b" in buf (cap bytes) unless there; 0, or -1
 * when it does not fit. */
static int list_add(char *buf, size_t cap, const char *s, const char *sep)
{
	size_t n = strlen(buf), l = strlen(s), k = strlen(sep);
	const char *p = buf;

	if (l == 0)
		return 0;
	while ((p = strstr(p, s)) != NULL) {
		if ((p == buf || strncmp(p - k, sep, k) == 0) &&
		    (p[l] == '\0' || strncmp(p + l, sep, k) == 0))
			return 0;
		p += l;
	}
	if (n + (n ? k : 0) + l + 1 > cap)
		return -1;
	if (n)
		memcpy(buf + n, sep, k), n += k;
	memcpy(buf + n, s, l + 1);
	return 0;
}

/* The summary's row of call s (reading files; lock held). */
static void add_row(struct cf_calls *t, const struct slot *s)
{
	const struct cf_call_record *r = &s->rec;
	struct cf_call_row *w;
	uint32_t i;

	if (t->idle)
		return;                 /* live: the call events say it all */
	if (t->n_rows >= CF_CALL_ROWS) {
		t->rows_more++;
		return;
	}
	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
		struct cf_call_row *v = realloc(t->rows, cap * sizeof(*v));

		if (v == NULL) {
			t->rows_more++;
			return;
		}
		t->rows = v;
		t->cap_rows = cap;
	}
	w = &t->rows[t->n_rows++];
	memset(w, 0, sizeof(*w));
	w->id = r->key;
	w->first_us = r->first_us;
	w->last_us = r->last_us;
	w->flows = r->flows;
	w->severity = (uint8_t)r->severity;
	copy_str(w->app, sizeof(w->app), r->app);
	copy_str(w->rule_id, sizeof(w->rule_id), r->rule_id);
	for (i = 0; i < r->n_parties && i < CF_CALL_PARTIES; i++) {
		if (list_add(w->countries, sizeof(w->countries), r->party[i].country, ","))
			break;
	}
	for (i = 0; i < r->n_parties && i < CF_CALL_PARTIES; i++) {
		char as[24];
		const char *op = r->party[i].as_org;

		if (op[0] == '\0' && r->party[i].asn != 0) {
			snprintf(as, sizeof(as), "AS%u", (unsigned)r->party[i].asn);
			op = as;
		}
		if (list_add(w->operators, sizeof(w->operators), op, "; "))
			break;
	}
}

static void write_call(struct cf_calls *t, struct slot *s, const struct cf_event_meta *m)
{
	if (s->rec.flows > 0) {
		best_app(s);
		write_held(t, s);
		qsort(s->rec.party, s->rec.n_parties, sizeof(s->rec.party[0]), party_cmp);
		qsort(s->rec.merged, s->rec.n_merged < CF_CALL_MERGED ? s->rec.n_merged :
		      CF_CALL_MERGED, sizeof(s->rec.merged[0]), u64_cmp);
		cf_event_call(t->out, m, &s->rec, s->rec.last_us);
		add_row(t, s);
		t->st.written++;
	}
	s->used = 0;
	t->keys[s - t->v] = 0;
}

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

	add_merged(r, o->key);
	r->merged_more += o->merged_more;
	for (i = 0; i < o->n_merged && i < CF_CALL_MERGED; i++)
		add_merged(r, o->merged[i]);
	r->flows += o->flows;
	r->links |= o->links | (1u << m->merge_by);
	for (i = 0; i < m->n_sock; i++)
		add_sock(p, m->sock[i]);
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
		add_party(r, &q->ip, q->country[0] ? &g : NULL, q->roles, q->via_relay,
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
		vote(p, m->app[k].nid, m->app[k].rank, m->app[k].bytes);
	for (i = 0; i < m->n_held; i++) {
		/* its flow records name the call they are written with */
		m->held[i].f.cls.call_key = r->key;
		p->held[p->n_held++] = m->held[i];
	}
	free(m->held);
	m->held = NULL;
	m->n_held = m->cap_held = 0;
	m->used = 0;
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
		    (1u << CF_CALL_BY_TIME))

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
			    overlap(s, p) && share_sock(s, p)) {
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
		best_app(due[i]);
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

void cf_calls_emit(struct cf_calls *t, void *ctx, const struct cf_event_meta *m,
		   uint64_t now_us, int all)
{
	struct slot **due;
	size_t i, n = 0, w = 0;

	if (t == NULL || (!all && !t->idle))
		return;
	pthread_mutex_lock(&t->mu);
	t->write_ctx = ctx;
	due = t->due;
	for (i = 0; i < CF_CALLS_MAX; i++) {
		struct slot *s = &t->v[i];

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
			t->keys[due[i] - t->v] = 0;     /* its slot is free */
			t->st.merged++;
		}
	for (i = 0; i < n; i++)
		if (due[i]->used)
			due[w++] = due[i];
	qsort(due, w, sizeof(*due), slot_cmp);
	for (i = 0; i < w; i++)
		write_call(t, due[i], m);
	t->write_ctx = NULL;
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

void cf_calls_get_rows(struct cf_calls *t, struct cf_run_totals *to)
{
	pthread_mutex_lock(&t->mu);
	to->call_rows = t->rows;
	to->n_call_rows = t->n_rows;
	to->call_rows_more = t->rows_more;
	pthread_mutex_unlock(&t->mu);
}
