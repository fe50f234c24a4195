/*
 * engine.c - one packet's way through callfence, and a flow's judgement.
 *
 * Per packet: decode, find the flow, classify while the flow's class is
 * still open, and judge the flow again whenever its class changed.  Per
 * flow end: a last classification, a last judgement, the flow event and
 * the report's counters.  Nothing here allocates per packet.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify/classify.h"
#include "engine/engine.h"
#include "event/event.h"
#include "geo/geo.h"
#include "output/output.h"
#include "util/hash.h"

#define EXPIRE_EVERY_US 1000000ull  /* run the idle expiry once a second of packet time */

enum verdict { V_UNJUDGED = 0, V_PASS = 1, V_ALERT = 2, V_NOMATCH = 3, V_LOCAL = 4 };

/*
 * A finding of its own, whatever the policy: SDES keys (SDP a=crypto) in
 * clear-text SIP.  It is kept in f->alerted[] under this index (policy
 * rules are >= 0) so it is raised once per flow.
 */
#define RULE_SDES_CLEARTEXT (-2)

static const struct cf_rule_info sdes_rule = {
	.index = RULE_SDES_CLEARTEXT,
	.id = "callfence-sdes-cleartext",
	.msg = "SRTP master keys readable on the wire (SDES a=crypto in clear SIP)",
	.ruleset = "callfence",
	.file = "",
	.line = 0,
	.action = CF_ACT_ALERT,
	.severity = CF_SEV_CRITICAL,
	.to_text = "",
};

/*
 * Look-ahead (cf_engine_lookahead): a frame is copied and decoded when it
 * arrives, and handled two frames later.  Meanwhile the index slot of its
 * flow is asked for at once and, a frame later, the flow entry that slot
 * names: the two cache misses of the flow lookup, the costliest part of a
 * packet, overlap the work on the frames before it.  Frames are handled in
 * their order, each with its own packet time, so everything happens as
 * without look-ahead, two frames later.
 */
#define LA_SLOTS 3                /* two waiting, one arriving */
#define LA_BYTES 2048             /* longer frames are handled at once */

struct staged {
	struct cf_packet pkt;
	uint64_t ts_us;
	uint32_t caplen;
	uint32_t h;                   /* cf_flow_hash */
	int ok;                       /* decoded */
	uint8_t data[LA_BYTES];
};

struct cf_engine {
	struct cf_engine_config cfg;
	struct cf_outputs *out;
	struct cf_flow_table *flows;
	struct cf_classifier *cls;
	struct cf_policy *policy;
	struct cf_geo *geo;
	struct cf_report *report;
	struct cf_event_meta meta;
	struct cf_decode_stats dec;
	struct cf_engine_stats st;    /* packets, bytes, first_us: in fc */
	struct cf_frame_clock fc;     /* frames given to cf_engine_packet */
	uint64_t now_us;              /* highest packet time seen */
	const char *pkt_iface;        /* interface named by alerts packets raise */
	struct cf_classify_stats cls_before;  /* of classifiers replaced by reloads */
	struct cf_geo_stats geo_before;       /* of geographies replaced by reloads */
	uint64_t catalog_stamp;       /* identity of the catalog file loaded */
	struct staged *la;            /* LA_SLOTS, or NULL: no look-ahead */
	unsigned la_head, la_n;
};

static void flow_ended(struct cf_flow *f, enum cf_flow_end why, void *ctx);

static int is_call_flow(const struct cf_flow *f)
{
	return f->cls.is_call || (f->cls.roles & (CF_ROLE_KEYX | CF_ROLE_MEDIA | CF_ROLE_RELAY));
}

/* Which end is ours: home-net first, else the initiator. */
static void decide_local(const struct cf_engine *e, struct cf_flow *f)
{
	int h0 = cf_policy_is_home(e->policy, &f->ip[0]);
	int h1 = cf_policy_is_home(e->policy, &f->ip[1]);

	f->local = (!h0 && h1) ? 1 : 0;
}

static int remote_is_home(const struct cf_engine *e, const struct cf_flow *f)
{
	return cf_policy_is_home(e->policy, &f->ip[!f->local]);
}

static int already_alerted(const struct cf_flow *f, int rule)
{
	int i;

	for (i = 0; i < f->n_alerts && i < CF_MAX_FLOW_ALERTS; i++)
		if (f->alerted[i] == rule)
			return 1;
	return 0;
}

static const struct cf_rule_info *rule_info(const struct cf_engine *e, int rule)
{
	return rule == RULE_SDES_CLEARTEXT ? &sdes_rule : cf_policy_rule(e->policy, rule);
}

static void raise_alert(struct cf_engine *e, struct cf_flow *f, int rule,
			unsigned matched, const struct cf_geo_result *g, uint64_t ts)
{
	const struct cf_rule_info *r = rule_info(e, rule);

	if (already_alerted(f, rule)) {
		f->alert_repeats++;
		return;
	}
	if (f->n_alerts < CF_MAX_FLOW_ALERTS)
		f->alerted[f->n_alerts] = rule;
	if (f->n_alerts < UINT8_MAX)
		f->n_alerts++;
	cf_event_alert(e->out, &e->meta, f, g, r, matched, ts);
	cf_report_add_alert(e->report, r);
	e->st.alerts++;
	if (r->severity <= CF_SEV_CRITICAL)
		e->st.by_severity[r->severity]++;
	if (r->severity > e->st.max_severity)
		e->st.max_severity = r->severity;
}

/* The policy's first rule for f with remote as the far end (geography g,
 * server name host); -1 when none. */
static int eval_remote(const struct cf_engine *e, const struct cf_flow *f,
		       const cf_addr *remote, const struct cf_geo_result *g,
		       const char *host, unsigned *matched)
{
	struct cf_judge_input in;

	memset(&in, 0, sizeof(in));
	in.app = cf_class_app(&f->cls)[0] ? cf_class_app(&f->cls) : "unknown";
	in.roles = f->cls.roles;
	in.is_call = 1;
	in.country = g->country[0] ? g->country : (g->registered[0] ? g->registered : NULL);
	in.asn = g->asn;
	in.local = &f->ip[f->local];
	in.remote = remote;
	in.host = host;
	*matched = 0;
	return cf_policy_eval(e->policy, &in, matched);
}

/* The remote end (f->ip[!f->local], geography g): verdict and alert. */
static void judge_remote(struct cf_engine *e, struct cf_flow *f,
			 const struct cf_geo_result *g, uint64_t ts)
{
	unsigned matched;
	int rule = eval_remote(e, f, &f->ip[!f->local], g, cf_class_host(&f->cls), &matched);

	f->decided_rule = rule;
	if (rule < 0) {
		f->verdict = V_NOMATCH;
		return;
	}
	if (cf_policy_rule(e->policy, rule)->action == CF_ACT_PASS) {
		f->verdict = V_PASS;
		return;
	}
	f->verdict = V_ALERT;
	raise_alert(e, f, rule, matched ? matched : f->cls.roles, g, ts);
}

/* Where the real peer behind a TURN relay is: *pg filled and returned,
 * NULL when the flow has none or it is at home. */
static const struct cf_geo_result *relay_peer_geo(struct cf_engine *e,
						  const struct cf_flow *f,
						  struct cf_geo_result *pg)
{
	if (!f->cls.has_relay_peer || cf_policy_is_home(e->policy, &f->cls.relay_peer))
		return NULL;
	cf_geo_lookup(e->geo, &f->cls.relay_peer, pg);
	return pg;
}

/*
 * TURN: the peer behind the relay is judged as well, as if the flow went
 * to it (no server name).  An alert it raises (once per flow and rule, as
 * any) names the relay as destination and the peer in callfence.relay;
 * g is the relay's geography (NULL for a relay at home).
 */
static void judge_relay_peer(struct cf_engine *e, struct cf_flow *f,
			     const struct cf_geo_result *pg,
			     const struct cf_geo_result *g, uint64_t ts)
{
	unsigned matched;
	int rule = eval_remote(e, f, &f->cls.relay_peer, pg, NULL, &matched);

	if (rule < 0 || cf_policy_rule(e->policy, rule)->action == CF_ACT_PASS)
		return;
	f->verdict = V_ALERT;
	e->meta.relay_peer_alert = 1;
	raise_alert(e, f, rule, matched ? matched : f->cls.roles, g, ts);
	e->meta.relay_peer_alert = 0;
}

/*
 * Judge flow f against the policy at packet time ts.  Fills *g with the
 * remote end's geography (or leaves it zeroed for local flows).  SDES keys
 * in clear SIP raise the built-in critical alert whatever the policy says;
 * a TURN relay's peer is judged after the relay.
 */
static void judge(struct cf_engine *e, struct cf_flow *f, uint64_t ts,
		  struct cf_geo_result *g)
{
	struct cf_geo_result pg;
	int home;

	memset(g, 0, sizeof(*g));
	if (f->local < 0)
		decide_local(e, f);
	if (!is_call_flow(f))
		return;
	if (!f->judged)
		e->st.audited++;
	f->judged = 1;
	f->judged_version = f->cls.version;
	e->meta.relay_peer_geo = relay_peer_geo(e, f, &pg);
	home = remote_is_home(e, f);
	if (!home)
		cf_geo_lookup(e->geo, &f->ip[!f->local], g);
	if (f->cls.sdes_cleartext)
		raise_alert(e, f, RULE_SDES_CLEARTEXT, CF_ROLE_KEYX, home ? NULL : g, ts);
	if (home)
		f->verdict = V_LOCAL;
	else
		judge_remote(e, f, g, ts);
	if (e->meta.relay_peer_geo != NULL)
		judge_relay_peer(e, f, &pg, home ? NULL : g, ts);
	e->meta.relay_peer_geo = NULL;
}

static void flow_ended(struct cf_flow *f, enum cf_flow_end why, void *ctx)
{
	struct cf_engine *e = ctx;
	struct cf_geo_result g, pg;
	const struct cf_geo_result *gp = NULL;
	const struct cf_rule_info *decided = NULL;

	if (cf_classify_finish(e->cls, f) || (!f->judged && is_call_flow(f)))
		judge(e, f, f->last_us, &g);
	else if (f->judged && f->verdict != V_LOCAL)
		cf_geo_lookup(e->geo, &f->ip[!f->local], &g);
	if (f->local < 0)
		decide_local(e, f);
	if (f->judged && f->verdict != V_LOCAL) {
		gp = &g;
		if (g.special == 0 && g.country[0] == '\0')
			cf_report_add_unknown(e->report, &f->ip[!f->local]);
	}
	if (f->decided_rule >= 0)
		decided = cf_policy_rule(e->policy, f->decided_rule);
	e->meta.relay_peer_geo = relay_peer_geo(e, f, &pg);
	if (f->judged || e->cfg.all_flows)
		cf_event_flow(e->out, &e->meta, f, gp, decided, why, f->last_us);
	e->meta.relay_peer_geo = NULL;
	cf_report_add_flow(e->report, f, gp, f->judged);
}

/* A decoded packet's way: DNS names, its flow, classification, judgement
 * (h: the packet's cf_flow_hash). */
static int engine_flow_packet_h(struct cf_engine *e, const struct cf_packet *pkt,
				uint32_t h)
{
	struct cf_flow *f;
	int dir, created;

	cf_classify_shared(e->cls, pkt);   /* names, SDP: for the flows to come */
	f = cf_flow_get_hashed(e->flows, pkt, h, &dir, &created);
	if (pkt->headers_only && !f->cls.done)
		e->st.headers_only_undone++;  /* see engine.h */
	if (!f->cls.done && cf_classify_packet(e->cls, f, pkt, dir)) {
		struct cf_geo_result g;

		e->meta.interface = e->pkt_iface;
		judge(e, f, pkt->ts_us, &g);
		e->meta.interface = e->cfg.interface;
	}
	return f->cls.done;
}

static void engine_flow_packet(struct cf_engine *e, const struct cf_packet *pkt)
{
	engine_flow_packet_h(e, pkt, cf_flow_hash(e->flows, pkt));
}

/* packet time: the highest seen; the idle expiry once a second of it */
static void frame_time(struct cf_engine *e, uint64_t ts_us, uint32_t caplen)
{
	if (cf_frame_clock_tick(&e->fc, ts_us, caplen))
		cf_engine_expire_at(e, e->fc.now_us);
	else if (ts_us > e->now_us)
		e->now_us = ts_us;
}

/* Handle the oldest staged frame. */
static void la_next(struct cf_engine *e)
{
	struct staged *s = &e->la[e->la_head];

	e->la_head = (e->la_head + 1) % LA_SLOTS;
	e->la_n--;
	frame_time(e, s->ts_us, s->caplen);
	if (s->ok)
		engine_flow_packet_h(e, &s->pkt, s->h);
}

static void la_drain(struct cf_engine *e)
{
	while (e->la_n > 0)
		la_next(e);
}

int cf_engine_lookahead(struct cf_engine *e)
{
	if (e->la == NULL)
		e->la = calloc(LA_SLOTS, sizeof(*e->la));
	return e->la != NULL ? 0 : -1;
}

void cf_engine_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_engine *e = ctx;
	struct cf_packet pkt;
	struct staged *s;

	if (e->la != NULL && caplen <= LA_BYTES) {
		s = &e->la[(e->la_head + e->la_n) % LA_SLOTS];
		memcpy(s->data, data, caplen);
		s->ts_us = ts_us;
		s->caplen = caplen;
		s->ok = cf_decode(link, s->data, caplen, wirelen, &s->pkt,
				  &e->dec) == CF_DEC_OK;
		if (s->ok) {
			s->pkt.ts_us = ts_us;
			s->h = cf_flow_hash(e->flows, &s->pkt);
			cf_flow_prefetch_slot(e->flows, s->h);
		}
		/* the frame before this one: its slot has come, ask for its entry */
		if (e->la_n > 0) {
			const struct staged *p = &e->la[(e->la_head + e->la_n - 1) % LA_SLOTS];

			if (p->ok)
				cf_flow_prefetch_entry(e->flows, p->h);
		}
		if (++e->la_n == LA_SLOTS)
			la_next(e);
		return;
	}
	if (e->la != NULL)
		la_drain(e);
	frame_time(e, ts_us, caplen);
	if (cf_decode(link, data, caplen, wirelen, &pkt, &e->dec) != CF_DEC_OK)
		return;
	pkt.ts_us = ts_us;
	engine_flow_packet(e, &pkt);
}

/* ---- a worker's engine (--threads: workers.c) ------------------------- */

int cf_frame_clock_tick(struct cf_frame_clock *c, uint64_t ts_us, uint32_t caplen)
{
	c->packets++;
	c->bytes += caplen;
	if (c->first_us == 0 || ts_us < c->first_us)
		c->first_us = ts_us;
	if (ts_us > c->now_us)
		c->now_us = ts_us;
	if (c->now_us < c->next_expire_us)
		return 0;
	c->next_expire_us = c->now_us + EXPIRE_EVERY_US;
	return 1;
}

int cf_engine_decoded(struct cf_engine *e, const struct cf_packet *pkt)
{
	return cf_engine_decoded_hashed(e, pkt, cf_flow_hash(e->flows, pkt));
}

uint32_t cf_engine_flow_hash(const struct cf_engine *e, const struct cf_packet *pkt)
{
	return cf_flow_hash(e->flows, pkt);
}

void cf_engine_prefetch(const struct cf_engine *e, uint32_t h, int entry)
{
	if (entry)
		cf_flow_prefetch_entry(e->flows, h);
	else
		cf_flow_prefetch_slot(e->flows, h);
}

int cf_engine_decoded_hashed(struct cf_engine *e, const struct cf_packet *pkt,
			     uint32_t h)
{
	if (pkt->ts_us > e->now_us)
		e->now_us = pkt->ts_us;
	return engine_flow_packet_h(e, pkt, h);
}

void cf_engine_counts(struct cf_engine *e, const struct cf_packet *pkt,
		      const uint32_t n[2], const uint64_t b[2], uint64_t last_us)
{
	struct cf_flow *f;
	int created;

	if (last_us > e->now_us)
		e->now_us = last_us;
	f = cf_flow_add_counts(e->flows, pkt, cf_flow_hash(e->flows, pkt), n, b,
			       last_us, &created);
	/* only a flow this worker evicted from a full table comes back so */
	if (!f->cls.done)
		e->st.headers_only_undone += (uint64_t)n[0] + n[1];
}

void cf_engine_shared_only(struct cf_engine *e, const struct cf_packet *pkt)
{
	cf_classify_shared(e->cls, pkt);
}

void cf_engine_expire_at(struct cf_engine *e, uint64_t ts_us)
{
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	cf_flow_expire(e->flows, e->now_us);
	cf_outputs_poll(e->out, e->now_us);
}

void cf_engine_finish(struct cf_engine *e)
{
	if (e->la != NULL)
		la_drain(e);
	cf_flow_flush(e->flows);
	e->st.last_us = e->now_us;
	cf_outputs_flush(e->out);
}

void cf_engine_get_stats(const struct cf_engine *e, struct cf_engine_stats *st)
{
	*st = e->st;
	st->packets = e->fc.packets;
	st->bytes = e->fc.bytes;
	st->first_us = e->fc.first_us;
	st->last_us = e->now_us;
}

static void add_classify(struct cf_classify_stats *to, const struct cf_classify_stats *c);
static void add_geo(struct cf_geo_stats *to, const struct cf_geo_stats *g);
static void add_decode(struct cf_decode_stats *to, const struct cf_decode_stats *d);
static void add_flows(struct cf_flow_stats *to, const struct cf_flow_stats *f);

void cf_engine_totals(const struct cf_engine *e, struct cf_run_totals *t)
{
	struct cf_output_stats os;

	t->first_us = e->fc.first_us;
	t->last_us = e->now_us;
	t->bytes_read = e->fc.bytes;
	t->decode = e->dec;
	cf_flow_get_stats(e->flows, &t->flows);
	cf_classify_get_stats(e->cls, &t->classify);
	add_classify(&t->classify, &e->cls_before);
	cf_geo_get_stats(e->geo, &t->geo);
	add_geo(&t->geo, &e->geo_before);
	t->alerts = e->st.alerts;
	t->audited_flows = e->st.audited;
	cf_outputs_get_stats(e->out, &os);
	t->output_errors = os.write_errors;
}

struct cf_report *cf_engine_report(struct cf_engine *e)
{
	return e->report;
}

const struct cf_policy *cf_engine_policy(const struct cf_engine *e)
{
	return e->policy;
}

struct cf_geo *cf_engine_geo(struct cf_engine *e)
{
	return e->geo;
}

void cf_run_totals_add(struct cf_run_totals *to, const struct cf_run_totals *from,
		       int same_dns)
{
	struct cf_classify_stats c = from->classify;

	if (to->first_us == 0 || (from->first_us != 0 && from->first_us < to->first_us))
		to->first_us = from->first_us;
	if (from->last_us > to->last_us)
		to->last_us = from->last_us;
	to->bytes_read += from->bytes_read;
	add_decode(&to->decode, &from->decode);
	add_flows(&to->flows, &from->flows);
	if (same_dns) {
		/* every worker read the same DNS answers: count them once */
		c.dns_responses = c.dns_bad = c.dns_answers = c.dns_evictions = 0;
		c.sdp_media = 0;
	} else {
		to->classify.dns_capacity += c.dns_capacity;
	}
	add_classify(&to->classify, &c);
	to->classify.ndpi_live += c.ndpi_live;
	to->classify.ndpi_live_peak += c.ndpi_live_peak;
	if (c.ndpi_state_bytes > to->classify.ndpi_state_bytes)
		to->classify.ndpi_state_bytes = c.ndpi_state_bytes;
	add_geo(&to->geo, &from->geo);
	to->geo.entries += from->geo.entries;
	to->geo.capacity += from->geo.capacity;
	to->alerts += from->alerts;
	to->audited_flows += from->audited_flows;
	to->output_errors += from->output_errors;
}

static void add_decode(struct cf_decode_stats *to, const struct cf_decode_stats *d)
{
	to->packets += d->packets;
	to->ok += d->ok;
	to->not_ip += d->not_ip;
	to->truncated += d->truncated;
	to->invalid += d->invalid;
	to->fragments += d->fragments;
	to->vlan += d->vlan;
	to->ipv4 += d->ipv4;
	to->ipv6 += d->ipv6;
	to->tcp += d->tcp;
	to->udp += d->udp;
	to->icmp += d->icmp;
	to->other_l4 += d->other_l4;
}

static void add_flows(struct cf_flow_stats *to, const struct cf_flow_stats *f)
{
	to->created += f->created;
	to->ended_idle += f->ended_idle;
	to->ended_closed += f->ended_closed;
	to->evicted += f->evicted;
	to->ended_shutdown += f->ended_shutdown;
	to->active += f->active;
	to->peak += f->peak;            /* an upper bound: peaks need not coincide */
	to->capacity += f->capacity;
	to->entry_bytes = f->entry_bytes;
	to->index_bytes += f->index_bytes;
	to->touched_bytes += f->touched_bytes;
}

/* ---- live capture: timer, reload, interfaces ------------------------- */

void cf_engine_tick(struct cf_engine *e, uint64_t now_us)
{
	if (e->la != NULL)
		la_drain(e);
	cf_flow_expire(e->flows, now_us > e->now_us ? now_us : e->now_us);
}

void cf_engine_set_interface(struct cf_engine *e, const char *name)
{
	e->pkt_iface = name;
}

/* Old rule index -> new rule index by rule id, -1 when gone. */
struct remap {
	int *to;
	size_t n;
};

/* Negative entries are the engine's own findings, not rules: kept. */
static int remap_one(const struct remap *m, int32_t rule)
{
	if (rule < 0)
		return rule;
	return (size_t)rule < m->n ? m->to[rule] : -1;
}

static void remap_flow(struct cf_flow *f, void *ctx)
{
	const struct remap *m = ctx;
	int i;

	f->decided_rule = remap_one(m, f->decided_rule);
	for (i = 0; i < f->n_alerts && i < CF_MAX_FLOW_ALERTS; i++)
		f->alerted[i] = remap_one(m, f->alerted[i]);
}

/* Build the old -> new rule index map; -1 when out of memory. */
static int remap_build(const struct cf_policy *old, const struct cf_policy *new,
		       struct remap *m)
{
	size_t nn = cf_policy_rule_count(new), i, j;

	m->n = cf_policy_rule_count(old);
	m->to = calloc(m->n ? m->n : 1, sizeof(*m->to));
	if (m->to == NULL)
		return -1;
	for (i = 0; i < m->n; i++) {
		const char *id = cf_policy_rule(old, (int)i)->id;

		m->to[i] = -1;
		for (j = 0; j < nn; j++)
			if (strcmp(id, cf_policy_rule(new, (int)j)->id) == 0) {
				m->to[i] = (int)j;
				break;
			}
	}
	return 0;
}

/* Counters of a classifier about to be replaced, kept in the totals. */
static void add_classify(struct cf_classify_stats *to, const struct cf_classify_stats *c)
{
	to->ndpi_flows += c->ndpi_flows;
	to->ndpi_decided += c->ndpi_decided;
	to->ndpi_gaveup += c->ndpi_gaveup;
	to->ndpi_alloc_fail += c->ndpi_alloc_fail;
	to->ndpi_skipped += c->ndpi_skipped;
	to->dns_responses += c->dns_responses;
	to->dns_bad += c->dns_bad;
	to->dns_answers += c->dns_answers;
	to->dns_hits += c->dns_hits;
	to->dns_misses += c->dns_misses;
	to->dns_evictions += c->dns_evictions;
	to->tls_reasm_started += c->tls_reasm_started;
	to->tls_reasm_done += c->tls_reasm_done;
	to->tls_reasm_dropped += c->tls_reasm_dropped;
	to->sdp_media += c->sdp_media;
}

static void add_geo(struct cf_geo_stats *to, const struct cf_geo_stats *g)
{
	to->lookups += g->lookups;
	to->hits += g->hits;
	to->misses += g->misses;
	to->errors += g->errors;
}

/*
 * Identity of the catalog file (device, inode, size, modification time);
 * 0 for none or unreadable.  A reload rebuilds the classifier only when it
 * changed, since a new classifier starts with an empty DNS name cache.
 */
static uint64_t catalog_stamp(const char *path)
{
	struct stat sb;
	uint64_t h = CF_FNV64_BASIS;
	uint64_t v[5];
	size_t i;

	if (path == NULL || stat(path, &sb) != 0)
		return 0;
	v[0] = (uint64_t)sb.st_dev;
	v[1] = (uint64_t)sb.st_ino;
	v[2] = (uint64_t)sb.st_size;
	v[3] = (uint64_t)sb.st_mtim.tv_sec;
	v[4] = (uint64_t)sb.st_mtim.tv_nsec;
	for (i = 0; i < 5; i++)
		h = (h ^ v[i]) * CF_FNV64_PRIME;
	return h ? h : 1;
}

static int same_path(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A classifier for cfg (catalog, DNS cache size); NULL + err. */
static struct cf_classifier *classifier_new(const struct cf_engine_config *cfg,
					    char *err, size_t errlen)
{
	struct cf_classifier *c = cf_classifier_new(cfg->catalog_path, err, errlen);

	if (c != NULL)
		cf_classify_set_ndpi_cap(c, cfg->ndpi_flows);
	if (c != NULL && cfg->dns_cache != 0 &&
	    cf_classify_set_dns_capacity(c, cfg->dns_cache, err, errlen) < 0) {
		cf_classifier_free(c);
		return NULL;
	}
	return c;
}

/* Swap the new parts in (cls NULL: keep the classifier), free the old. */
static void reload_swap(struct cf_engine *e, const struct cf_engine_config *cfg,
			struct cf_policy *pol, struct cf_classifier *cls,
			struct cf_geo *geo, struct remap *m)
{
	struct cf_classify_stats cs;
	struct cf_geo_stats gs;

	cf_flow_foreach(e->flows, remap_flow, m);
	cf_policy_free(e->policy);
	e->policy = pol;
	e->meta.permitted = cf_policy_permitted(pol);
	if (cls != NULL) {
		cf_classify_get_stats(e->cls, &cs);
		add_classify(&e->cls_before, &cs);
		cf_classifier_free(e->cls);
		e->cls = cls;
	}
	cf_geo_get_stats(e->geo, &gs);
	add_geo(&e->geo_before, &gs);
	cf_geo_close(e->geo);
	e->geo = geo;
	e->cfg.rules_path = cfg->rules_path;
	e->cfg.incdirs = cfg->incdirs;
	e->cfg.n_incdirs = cfg->n_incdirs;
	e->cfg.catalog_path = cfg->catalog_path;
	e->cfg.geo_paths = cfg->geo_paths;
	e->cfg.n_geo = cfg->n_geo;
	e->cfg.geo_cache = cfg->geo_cache;
	e->st.reloads++;
}

int cf_engine_reload(struct cf_engine *e, const struct cf_engine_config *cfg,
		     char *err, size_t errlen)
{
	uint64_t stamp = catalog_stamp(cfg->catalog_path);
	int rebuild = stamp == 0 || stamp != e->catalog_stamp ||
		      !same_path(cfg->catalog_path, e->cfg.catalog_path);
	struct cf_classifier *cls = NULL;
	struct cf_geo *geo = NULL;
	struct remap m = { NULL, 0 };
	struct cf_policy *pol;

	/* frames that came before the reload are judged by the old policy */
	if (e->la != NULL)
		la_drain(e);
	pol = cf_policy_load(cfg->rules_path, cfg->incdirs, cfg->n_incdirs, err, errlen);
	if (pol == NULL)
		return -1;
	if (rebuild && cfg->catalog_path != NULL)
		cls = classifier_new(cfg, err, errlen);
	if (!rebuild || cfg->catalog_path == NULL || cls != NULL)
		geo = cf_geo_open(cfg->geo_paths, cfg->n_geo, cfg->geo_cache, err, errlen);
	if (geo != NULL && remap_build(e->policy, pol, &m) < 0)
		snprintf(err, errlen, "out of memory");
	if (m.to == NULL) {
		if (geo != NULL)
			cf_geo_close(geo);
		if (cls != NULL)
			cf_classifier_free(cls);
		cf_policy_free(pol);
		return -1;
	}
	reload_swap(e, cfg, pol, cls, geo, &m);
	e->catalog_stamp = stamp;
	free(m.to);
	return 0;
}

struct cf_engine *cf_engine_new(const struct cf_engine_config *cfg,
				struct cf_outputs *out, char *err, size_t errlen)
{
	struct cf_engine *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->out = out;
	e->policy = cf_policy_load(cfg->rules_path, cfg->incdirs, cfg->n_incdirs, err, errlen);
	if (e->policy == NULL)
		goto fail;
	e->catalog_stamp = catalog_stamp(cfg->catalog_path);
	e->cls = classifier_new(cfg, err, errlen);
	if (e->cls == NULL)
		goto fail;
	e->geo = cf_geo_open(cfg->geo_paths, cfg->n_geo, cfg->geo_cache, err, errlen);
	if (e->geo == NULL)
		goto fail;
	e->flows = cf_flow_table_new(&cfg->limits, flow_ended, e, err, errlen);
	if (e->flows == NULL)
		goto fail;
	e->report = cf_report_new();
	if (e->report == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	e->meta.observer_hostname = cfg->observer_hostname;
	e->meta.interface = cfg->interface;
	e->pkt_iface = cfg->interface;
	e->meta.permitted = cf_policy_permitted(e->policy);
	return e;
fail:
	cf_engine_free(e);
	return NULL;
}

void cf_engine_free(struct cf_engine *e)
{
	if (e == NULL)
		return;
	free(e->la);
	if (e->flows != NULL)
		cf_flow_table_free(e->flows);
	if (e->cls != NULL)
		cf_classifier_free(e->cls);
	if (e->geo != NULL)
		cf_geo_close(e->geo);
	if (e->policy != NULL)
		cf_policy_free(e->policy);
	if (e->report != NULL)
		cf_report_free(e->report);
	free(e);
}
