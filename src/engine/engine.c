/*
 * engine.c - one packet's way through callfence, and a flow's judgement.
 *
 * Per packet: find the flow, classify while the flow's class is still
 * open, and judge the flow again whenever its class changed.  Per flow
 * end: a last classification, a last judgement, the flow event and the
 * report's counters.  What an event says beyond the flow (the interface
 * a packet came in on, a TURN peer's geography) is handed down the calls
 * that write it, as a struct cf_event_meta of the call's own.  Nothing
 * here allocates per packet.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calls.h"
#include "engine/engine-int.h"
#include "output/output.h"

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

static int is_call_flow(const struct cf_flow *f)
{
	return f->cls.is_call || (f->cls.roles & (CF_ROLE_KEYX | CF_ROLE_MEDIA | CF_ROLE_RELAY));
}

/*
 * A port servers listen on: the well-known ports below 1024 and the call
 * services' registered ports (STUN/TURN 3478/3479 and 5349, SIP 5060/5061,
 * H.323 1719/1720, Skinny 2000, MGCP 2427/2727, IAX2 4569, Zoom's media
 * 8801-8810, Google's STUN 19302-19309).
 */
static int server_port(uint16_t p)
{
	switch (p) {
	case 1719: case 1720: case 2000: case 2427: case 2727: case 3478:
	case 3479: case 4569: case 5060: case 5061: case 5349:
		return 1;
	default:
		return p < 1024 || (p >= 8801 && p <= 8810) || (p >= 19302 && p <= 19309);
	}
}

/*
 * Which end is ours: the one in home-net when the other is not; else the
 * initiator of a TCP flow whose handshake was seen; else the one not on a
 * server's port when the other is (a capture that starts in the middle of
 * a flow sees the server's packet first); else the initiator.
 * f->local_by says which rule decided (the flow event).
 */
static void decide_local(const struct cf_engine *e, struct cf_flow *f)
{
	int h0 = cf_policy_is_home(e->policy, &f->ip[0]);
	int h1 = cf_policy_is_home(e->policy, &f->ip[1]);
	int s0 = server_port(f->port[0]), s1 = server_port(f->port[1]);

	if (h0 != h1) {
		f->local = h1 ? 1 : 0;
		f->local_by = CF_LOCAL_BY_HOME;
	} else if (!f->syn_first && f->proto != 1 && f->proto != 58 && s0 != s1) {
		f->local = s0 ? 1 : 0;
		f->local_by = CF_LOCAL_BY_PORT;
	} else {
		f->local = 0;
		f->local_by = CF_LOCAL_BY_INITIATOR;
	}
	if (!f->syn_first && f->proto != 1 && f->proto != 58 && s0 && !s1)
		f->local_by |= CF_LOCAL_MIDFLOW_SERVER_FIRST;
}

/* Which ends of f are home addresses, for the events (network.direction). */
static unsigned home_ends(const struct cf_engine *e, const struct cf_flow *f)
{
	return (cf_policy_is_home(e->policy, &f->ip[0]) ? 1u : 0u) |
	       (cf_policy_is_home(e->policy, &f->ip[1]) ? 2u : 0u);
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

static void raise_alert(struct cf_engine *e, const struct cf_event_meta *m,
			struct cf_flow *f, int rule, unsigned matched,
			const struct cf_geo_result *g, uint64_t ts)
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
	cf_event_alert(e->out, m, f, g, r, matched, ts);
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
	in.as_org = g->as_org;
	in.local = &f->ip[f->local];
	in.remote = remote;
	in.host = host;
	in.plaus = e->cfg.plaus;
	in.rtt_us = -1;
	if (remote == &f->ip[!f->local]) {      /* not a relay's peer */
		struct cf_plaus_result pr;

		if (cf_engine_geo_check(e, f, g, &pr)) {
			in.rtt_us = pr.rtt_us;
			in.plausibility = pr.verdict;
		}
	}
	*matched = 0;
	return cf_policy_eval(e->policy, &in, matched);
}

/* The remote end (f->ip[!f->local], geography g): verdict and alert
 * (events described by m). */
static void judge_remote(struct cf_engine *e, const struct cf_event_meta *m,
			 struct cf_flow *f, const struct cf_geo_result *g, uint64_t ts)
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
	raise_alert(e, m, f, rule, matched ? matched : f->cls.roles, g, ts);
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
static void judge_relay_peer(struct cf_engine *e, const struct cf_event_meta *m,
			     struct cf_flow *f, const struct cf_geo_result *pg,
			     const struct cf_geo_result *g, uint64_t ts)
{
	struct cf_event_meta pm = *m;
	unsigned matched;
	int rule = eval_remote(e, f, &f->cls.relay_peer, pg, NULL, &matched);

	if (rule < 0 || cf_policy_rule(e->policy, rule)->action == CF_ACT_PASS)
		return;
	f->verdict = V_ALERT;
	pm.relay_peer_alert = 1;
	raise_alert(e, &pm, f, rule, matched ? matched : f->cls.roles, g, ts);
}

/*
 * Judge flow f against the policy at packet time ts; its alerts name
 * interface iface.  Fills *g with the remote end's geography (or leaves it
 * zeroed for local flows).  SDES keys in clear SIP raise the built-in
 * critical alert whatever the policy says; a TURN relay's peer is judged
 * after the relay.
 */
static void judge(struct cf_engine *e, struct cf_flow *f, uint64_t ts,
		  const char *iface, struct cf_geo_result *g)
{
	struct cf_event_meta m = e->meta;
	struct cf_geo_result pg;
	struct cf_plaus_result pr;
	int home;

	memset(g, 0, sizeof(*g));
	if (f->local < 0)
		decide_local(e, f);
	if (!is_call_flow(f))
		return;
	if (!f->judged)
		e->st.audited++;
	f->judged = 1;
	cf_classify_call_weak(f, f->local);
	f->judged_version = f->cls.version;
	m.interface = iface;
	m.relay_peer_geo = relay_peer_geo(e, f, &pg);
	m.home = home_ends(e, f);
	home = remote_is_home(e, f);
	if (!home)
		cf_geo_lookup(e->geo, &f->ip[!f->local], g);
	m.geo_check = !home && cf_engine_geo_check(e, f, g, &pr) ? &pr : NULL;
	if (f->cls.sdes_cleartext)
		raise_alert(e, &m, f, RULE_SDES_CLEARTEXT, CF_ROLE_KEYX, home ? NULL : g, ts);
	if (home)
		f->verdict = V_LOCAL;
	else
		judge_remote(e, &m, f, g, ts);
	if (m.relay_peer_geo != NULL)
		judge_relay_peer(e, &m, f, &pg, home ? NULL : g, ts);
}

/* The classifier's ASN look-up (catalog asn lines): the AS of a remote
 * address, 0 for ours (home) or unknown.  Reads the engine's current
 * policy and geography, so a reload needs no new hook. */
uint32_t cf_engine_asn(void *ctx, const cf_addr *a)
{
	const struct cf_engine *e = ctx;

	if (cf_policy_is_home(e->policy, a))
		return 0;
	return cf_geo_asn(e->geo, a);
}

/* f's call key is new (found, or the weak guess gave way; it was old):
 * it leaves the call it had joined and joins that one in the call table. */
static void join_call(struct cf_engine *e, struct cf_flow *f, uint64_t old)
{
	if (f->call_joined && old != 0)
		cf_calls_move(e->cfg.calls, e, old, f->cls.call_key, &e->meta);
	else
		cf_calls_join(e->cfg.calls, e, f->cls.call_key, &e->meta);
	f->call_joined = 1;
}

/* The rule of f's worst alert, NULL none. */
static const struct cf_rule_info *worst_alert(const struct cf_engine *e,
					      const struct cf_flow *f)
{
	const struct cf_rule_info *w = NULL, *r;
	int i;

	for (i = 0; i < f->n_alerts && i < CF_MAX_FLOW_ALERTS; i++) {
		r = rule_info(e, f->alerted[i]);
		if (r != NULL && (w == NULL || r->severity > w->severity))
			w = r;
	}
	return w;
}

/* f ends: what it brings to its call.  1 when the call table holds it
 * (its flow record comes when the call is written). */
static int end_call(struct cf_engine *e, struct cf_flow *f, enum cf_flow_end why,
		    uint64_t joined)
{
	struct cf_geo_result g, pg;
	struct cf_call_flow cf;
	int held;

	if (f->cls.call_key == 0 && joined == 0)
		return 0;
	memset(&g, 0, sizeof(g));
	cf.f = f;
	cf.local = f->local;
	cf.judged = f->judged;
	cf.geo = NULL;
	if (f->judged && f->verdict != V_LOCAL) {
		cf_geo_lookup(e->geo, &f->ip[!f->local], &g);
		cf.geo = &g;
	}
	cf.peer_geo = relay_peer_geo(e, f, &pg);
	cf.worst = worst_alert(e, f);
	cf.rtt = cf_engine_rtt_of(e, f);
	held = cf_calls_flow_end(e->cfg.calls, e, joined, &cf, why, &e->meta);
	f->call_joined = 0;
	return held;
}

/* The flow record of f (ended: why) and its part of the report. */
static void flow_record(struct cf_engine *e, struct cf_flow *f, enum cf_flow_end why)
{
	struct cf_event_meta m = e->meta;
	struct cf_geo_result g, pg;
	const struct cf_geo_result *gp = NULL;
	const struct cf_rule_info *decided = NULL;
	struct cf_plaus_result pr;

	if (f->judged && f->verdict != V_LOCAL) {
		cf_geo_lookup(e->geo, &f->ip[!f->local], &g);
		gp = &g;
		if (g.special == 0 && g.country[0] == '\0')
			cf_report_add_unknown(e->report, &f->ip[!f->local]);
	}
	if (f->decided_rule >= 0)
		decided = cf_policy_rule(e->policy, f->decided_rule);
	m.relay_peer_geo = relay_peer_geo(e, f, &pg);
	m.home = home_ends(e, f);
	/* the far end's round trip, also for flows not judged (--all-flows);
	   between home ends the RTT alone (no country: plausibility unknown) */
	if (f->verdict != V_LOCAL && !remote_is_home(e, f)) {
		if (gp == NULL && e->cfg.plaus != NULL) {
			cf_geo_lookup(e->geo, &f->ip[!f->local], &g);
			m.geo_check = cf_engine_geo_check(e, f, &g, &pr) ? &pr : NULL;
		} else {
			m.geo_check = cf_engine_geo_check(e, f, gp, &pr) ? &pr : NULL;
		}
	} else {
		m.geo_check = cf_engine_geo_check(e, f, NULL, &pr) ? &pr : NULL;
	}
	if (f->judged || e->cfg.all_flows)
		cf_event_flow(e->out, &m, f, gp, decided, why, f->last_us);
	cf_report_add_flow(e->report, f, gp, f->judged);
}

static void flow_ended(struct cf_flow *f, enum cf_flow_end why, void *ctx)
{
	struct cf_engine *e = ctx;
	struct cf_geo_result g;
	/* the key it joined its call with (finishing may find a better one) */
	uint64_t joined = f->call_joined ? f->cls.call_key : 0;

	if (cf_classify_finish(e->cls, f) || (!f->judged && is_call_flow(f)))
		judge(e, f, f->last_us, e->cfg.interface, &g);
	if (f->local < 0)
		decide_local(e, f);
	if (f->judged)
		cf_classify_call_weak(f, f->local);
	if (!end_call(e, f, why, joined))
		flow_record(e, f, why);
}

/*
 * A flow its call held (calls.h) is written by this engine now that the
 * call's app is known: a flow the call decides (call_app not "": its own
 * app is only a generic protocol, or was named by no stronger clue than
 * the call's, calls.c) takes the call's app, says so in its evidence ("call-app"), and
 * is judged again with it (rules that name the app apply; an alert it
 * raises carries the app and the evidence).
 */
static int write_held(void *ctx, struct cf_flow *f, enum cf_flow_end why,
		      const struct cf_rtt *rtt, const char *call_app,
		      unsigned *new_alerts, const struct cf_rule_info **worst)
{
	struct cf_engine *e = ctx;
	const char *own = cf_class_app(&f->cls), *ev;
	struct cf_geo_result g;
	char buf[CF_EVID_LEN + 16];
	int took = 0;
	uint8_t before = f->n_alerts;

	e->held_f = f;                  /* its RTT state is the kept copy */
	e->held_rtt = rtt;

	if (call_app[0] != '\0' && strcmp(own, call_app) != 0) {
		ev = cf_class_evidence(&f->cls);
		snprintf(buf, sizeof(buf), "%s%scall-app", ev, ev[0] ? " " : "");
		cf_class_set_app(&f->cls, call_app);
		cf_class_set_evidence(&f->cls, buf, strlen(buf));
		if (cf_classify_is_call_app(e->cls, call_app))
			f->cls.is_call = 1;
		f->cls.version++;
		judge(e, f, f->last_us, e->cfg.interface, &g);
		took = 1;
	}
	*new_alerts = (unsigned)(f->n_alerts - before);
	*worst = worst_alert(e, f);
	flow_record(e, f, why);
	e->held_f = NULL;
	e->held_rtt = NULL;
	cf_class_release(&f->cls);
	return took;
}

/* A decoded packet's way: DNS names, its flow, classification, judgement. */
int cf_engine_packet(struct cf_engine *e, const struct cf_packet *pkt,
		     uint32_t h, const char *iface)
{
	struct cf_flow *f;
	int dir, created, nearer;
	uint64_t key;

	if (pkt->ts_us > e->now_us)
		e->now_us = pkt->ts_us;
	cf_classify_shared(e->cls, pkt);   /* names, SDP: for the flows to come */
	f = cf_flow_get_hashed(e->flows, pkt, h, &dir, &created);
	key = f->cls.call_key;
	/* a remote end measured nearer: the speed-of-light check may change */
	nearer = cf_engine_rtt_packet(e, f, pkt, dir, created) && f->judged &&
		 e->cfg.plaus != NULL;
	if (pkt->headers_only && f->cls.done == CF_DONE_OPEN)
		e->st.headers_only_undone++;  /* see engine.h */
	/* a sampled flow (CF_DONE_SAMPLE) is read from the whole packets in
	 * its sample windows only (whatever else the runner hands over: with
	 * --threads that depends on when the reader learns of it) */
	if (f->cls.done != CF_DONE_FINAL &&
	    !(f->cls.done == CF_DONE_SAMPLE &&
	      (pkt->headers_only || !cf_classify_sample_time(pkt->ts_us))) &&
	    cf_classify_packet(e->cls, f, pkt, dir))
		nearer = 1;
	cf_classify_shared_done(e->cls);
	if (nearer) {
		struct cf_geo_result g;

		judge(e, f, pkt->ts_us, iface != NULL ? iface : e->cfg.interface, &g);
	}
	if (f->cls.call_key != key || (key != 0 && !f->call_joined))
		join_call(e, f, key);
	/* not done for the runner while an answer is awaited (engine-rtt.c) */
	return f->cls.done != CF_DONE_OPEN && cf_engine_rtt_waiting(e, f) ?
	       CF_DONE_OPEN : f->cls.done;
}

uint32_t cf_engine_flow_hash(const struct cf_engine *e, const struct cf_packet *pkt)
{
	return cf_flow_hash(e->flows, pkt);
}

void cf_engine_prefetch(const struct cf_engine *e, uint32_t h, int entry)
{
	if (entry)
		cf_engine_rtt_prefetch(e, cf_flow_prefetch_entry(e->flows, h));
	else
		cf_flow_prefetch_slot(e->flows, h);
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
	if (created)
		cf_engine_rtt_created(e, f);
	/* only a flow this engine evicted from a full table comes back so */
	if (f->cls.done == CF_DONE_OPEN)
		e->st.headers_only_undone += (uint64_t)n[0] + n[1];
}

void cf_engine_shared_only(struct cf_engine *e, const struct cf_packet *pkt)
{
	cf_classify_shared(e->cls, pkt);
	cf_classify_shared_done(e->cls);
}

void cf_engine_expire_at(struct cf_engine *e, uint64_t ts_us)
{
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	cf_flow_expire(e->flows, e->now_us);
	cf_calls_emit(e->cfg.calls, e, &e->meta, e->now_us, 0);
	cf_outputs_poll(e->out, e->now_us);
}

void cf_engine_tick(struct cf_engine *e, uint64_t now_us)
{
	cf_flow_expire(e->flows, now_us > e->now_us ? now_us : e->now_us);
	cf_calls_emit(e->cfg.calls, e, &e->meta, now_us > e->now_us ? now_us : e->now_us, 0);
}

void cf_engine_calls_flush(struct cf_engine *e)
{
	cf_calls_emit(e->cfg.calls, e, &e->meta, e->now_us, 1);
	cf_outputs_flush(e->out);
}

void cf_engine_calls_part(struct cf_engine *e, unsigned part, unsigned parts)
{
	cf_calls_end_part(e->cfg.calls, e, &e->meta, part, parts);
}

/* Every flow ends.  The outputs are flushed (and a reliable output's
 * drain= waited for) once, by cf_engine_calls_flush, after the calls -
 * and the flow records they held - are written. */
void cf_engine_finish(struct cf_engine *e)
{
	cf_flow_flush(e->flows);
	e->st.last_us = e->now_us;
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
	e->catalog_stamp = cf_engine_catalog_stamp(cfg->catalog_path);
	e->cls = cf_engine_classifier_new(cfg, err, errlen);
	if (e->cls == NULL)
		goto fail;
	e->geo = cf_geo_open(cfg->geo_paths, cfg->n_geo, cfg->geo_cache, err, errlen);
	if (e->geo == NULL)
		goto fail;
	cf_classify_set_asn(e->cls, cf_engine_asn, e);
	e->flows = cf_flow_table_new(&cfg->limits, flow_ended, e, err, errlen);
	if (e->flows == NULL || cf_engine_rtt_new(e, err, errlen) != 0)
		goto fail;
	e->report = cf_report_new();
	if (e->report == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	e->meta.observer_hostname = cfg->observer_hostname;
	e->meta.interface = cfg->interface;
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
	cf_engine_rtt_free(e);
	free(e);
}

cf_calls_write_fn cf_engine_held_writer(void)
{
	return write_held;
}
