/*
 * engine.c - one packet's way through callfence, and a flow's judgement.
 *
 * Per packet: decode, find the flow, classify while the flow's class is
 * still open, and judge the flow again whenever its class changed.  Per
 * flow end: a last classification, a last judgement, the flow event and
 * the report's counters.  Nothing here allocates per packet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "engine.h"
#include "event.h"
#include "geo.h"
#include "output.h"

#define EXPIRE_EVERY_US 1000000ull  /* run the idle expiry once a second of packet time */

enum verdict { V_UNJUDGED = 0, V_PASS = 1, V_ALERT = 2, V_NOMATCH = 3, V_LOCAL = 4 };

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
	struct cf_engine_stats st;
	uint64_t next_expire_us;
	uint64_t now_us;              /* highest packet time seen */
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

static void raise_alert(struct cf_engine *e, struct cf_flow *f, int rule,
			unsigned matched, const struct cf_geo_result *g, uint64_t ts)
{
	const struct cf_rule_info *r = cf_policy_rule(e->policy, rule);

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
	if (r->severity > e->st.max_severity)
		e->st.max_severity = r->severity;
}

/*
 * Judge flow f against the policy at packet time ts.  Fills *g with the
 * remote end's geography (or leaves it zeroed for local flows).
 */
static void judge(struct cf_engine *e, struct cf_flow *f, uint64_t ts,
		  struct cf_geo_result *g)
{
	struct cf_judge_input in;
	unsigned matched = 0;
	int rule;

	memset(g, 0, sizeof(*g));
	if (f->local < 0)
		decide_local(e, f);
	if (!is_call_flow(f))
		return;
	if (!f->judged)
		e->st.audited++;
	f->judged = 1;
	f->judged_version = f->cls.version;
	if (remote_is_home(e, f)) {
		f->verdict = V_LOCAL;
		return;
	}
	cf_geo_lookup(e->geo, &f->ip[!f->local], g);
	memset(&in, 0, sizeof(in));
	in.app = f->cls.app[0] ? f->cls.app : "unknown";
	in.roles = f->cls.roles;
	in.is_call = 1;
	in.country = g->country[0] ? g->country : (g->registered[0] ? g->registered : NULL);
	in.asn = g->asn;
	in.local = &f->ip[f->local];
	in.remote = &f->ip[!f->local];
	in.host = f->cls.host;
	rule = cf_policy_eval(e->policy, &in, &matched);
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

static void flow_ended(struct cf_flow *f, enum cf_flow_end why, void *ctx)
{
	struct cf_engine *e = ctx;
	struct cf_geo_result g;
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
	if (f->judged || e->cfg.all_flows)
		cf_event_flow(e->out, &e->meta, f, gp, decided, why, f->last_us);
	cf_report_add_flow(e->report, f, gp, f->judged);
}

void cf_engine_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_engine *e = ctx;
	struct cf_packet pkt;
	struct cf_flow *f;
	int dir, created;

	e->st.packets++;
	e->st.bytes += caplen;
	if (e->st.first_us == 0 || ts_us < e->st.first_us)
		e->st.first_us = ts_us;
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	if (e->now_us >= e->next_expire_us) {
		cf_flow_expire(e->flows, e->now_us);
		e->next_expire_us = e->now_us + EXPIRE_EVERY_US;
	}
	if (cf_decode(link, data, caplen, wirelen, &pkt, &e->dec) != CF_DEC_OK)
		return;
	pkt.ts_us = ts_us;
	f = cf_flow_get(e->flows, &pkt, &dir, &created);
	if (!f->cls.done && cf_classify_packet(e->cls, f, &pkt, dir)) {
		struct cf_geo_result g;

		judge(e, f, ts_us, &g);
	}
}

void cf_engine_finish(struct cf_engine *e)
{
	cf_flow_flush(e->flows);
	e->st.last_us = e->now_us;
	cf_outputs_flush(e->out);
}

void cf_engine_get_stats(const struct cf_engine *e, struct cf_engine_stats *st)
{
	*st = e->st;
	st->last_us = e->now_us;
}

void cf_engine_totals(const struct cf_engine *e, struct cf_run_totals *t)
{
	struct cf_output_stats os;

	t->first_us = e->st.first_us;
	t->last_us = e->now_us;
	t->bytes_read = e->st.bytes;
	t->decode = e->dec;
	cf_flow_get_stats(e->flows, &t->flows);
	cf_classify_get_stats(e->cls, &t->classify);
	cf_geo_get_stats(e->geo, &t->geo);
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
	e->cls = cf_classifier_new(cfg->catalog_path, err, errlen);
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
	free(e);
}
