/*
 * event-call.c - callfence.call: one call (engine/calls.c) when it is
 * over, written straight into the thread's line buffer with the JSON
 * writer of alerts and flow records (struct jw, event-json.c): no
 * jansson tree (a call of a busy server lists up to CF_CALL_PARTIES
 * remote ends; building and dumping their tree was 7% of the real bench
 * mix).  The bytes are those the tree of before dumped
 * (tests/unit/test-event-render.c renders random calls both ways).
 *
 *   @timestamp            the call's last packet
 *   event                 kind "event", category network, type info,
 *                         dataset callfence.call, action "call-ended",
 *                         start, end, duration (ns), severity (ECS number
 *                         of the worst alert, when one was raised)
 *   rule                  the rule of the worst alert (id, name, ruleset)
 *   source.ip             the local party
 *   related.ip            the local party and every remote end listed
 *   network.application   the call's app
 *   callfence.call        id, app, flows, merged_ids (the calls of the
 *                         same local party and app merged into this one,
 *                         whose flows' earlier alerts name those ids),
 *                         linked_by (what tied its flows:
 *                         ice-username, sip-call-id, sdp, ice-socket,
 *                         turn-peer, time), roles (per role: flows, bytes,
 *                         packets), parties (each remote end: ip, geo,
 *                         as, roles, flows, bytes, packets, via_relay),
 *                         parties_more (remote ends not listed), alerts,
 *                         verdict (severity, rule, message; "none")
 *
 * As everywhere in the events, a string that may come from the wire or a
 * rules file is written in its safe form (jw_safe), a constant of ours as
 * it is (jw_lit), and an object with no member is left out.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "classify/classify.h"
#include "event/event-int.h"
#include "util/role.h"

/* As "%016" PRIx64: sixteen lower-case hex digits. */
void ev_call_id(uint64_t key, char buf[17])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--, key >>= 4)
		buf[i] = hex[key & 15];
	buf[16] = '\0';
}

/* The role bits of record's role_* arrays, in their order. */
static const unsigned role_bits[CF_CALL_ROLES] = {
	CF_ROLE_KEYX, CF_ROLE_MEDIA, CF_ROLE_SIGNALING, CF_ROLE_RELAY
};

/*
 * The addresses of a call as text, each made once (inet_ntop is dear and
 * a party's address is written twice): the local party's, and the listed
 * parties' in their order.
 */
struct call_ips {
	char local[CF_ADDR_STRLEN];
	char party[CF_CALL_PARTIES][CF_ADDR_STRLEN];
};

static void call_event(struct jw *w, const struct cf_call_record *c)
{
	uint64_t dur = c->last_us > c->first_us ? c->last_us - c->first_us : 0;

	jw_obj(w, "event");
	jw_fixed(w, EV_EVENT_HEAD("event", "\"info\"")
		 ",\"dataset\":\"callfence.call\",\"module\":\"callfence\""
		 ",\"action\":\"call-ended\"");
	if (c->severity != CF_SEV_NONE)
		jw_int(w, "severity", cf_severity_ecs(c->severity));
	if (c->first_us != 0)
		jw_time(w, "start", c->first_us);
	if (c->last_us != 0)
		jw_time(w, "end", c->last_us);
	jw_u64(w, "duration", dur * 1000);
	jw_close(w);
}

/* related.ip: the local party and each remote address once. */
static void related(struct jw *w, const struct cf_call_record *c,
		    const struct call_ips *ips)
{
	uint32_t i;

	jw_obj(w, "related");
	jw_arr(w, "ip");
	jw_item(w, ips->local);
	/* each address once: a peer reached directly and through a relay
	   is two parties (sorted by address, so next to each other) */
	for (i = 0; i < c->n_parties && i < CF_CALL_PARTIES; i++)
		if ((i == 0 || !cf_addr_eq(&c->party[i].ip, &c->party[i - 1].ip)) &&
		    !cf_addr_eq(&c->party[i].ip, &c->local))
			jw_item(w, ips->party[i]);
	jw_close(w);
	jw_close(w);
}

/* p, its address as text in ip (a string of ours: written even if ""). */
static void party(struct jw *w, const struct cf_call_party *p, const char *ip)
{
	jw_item_obj(w);
	jw_lit(w, "ip", ip);
	if (p->country[0] != '\0') {
		jw_obj(w, "geo");
		jw_safe(w, "country_iso_code", p->country, SAFE_MAX);
		jw_close(w);
	}
	if (p->asn != 0) {
		jw_obj(w, "as");
		jw_u64(w, "number", p->asn);
		if (p->as_org[0] != '\0') {
			jw_obj(w, "organization");
			jw_safe(w, "name", p->as_org, sizeof(p->as_org));
			jw_close(w);
		}
		jw_close(w);
	}
	ev_roles_array(w, p->roles, 1); /* most important first, as flow events */
	if (p->via_relay)
		jw_fixed(w, "\"via_relay\":true");
	jw_u64(w, "flows", p->flows);
	jw_u64(w, "bytes", p->bytes);
	jw_u64(w, "packets", p->packets);
	jw_close(w);
}

static void call_body(struct jw *w, const struct cf_call_record *c,
		      const struct call_ips *ips)
{
	char id[17];
	unsigned by;
	uint32_t i;

	jw_obj(w, "call");
	ev_call_id(c->key, id);
	jw_lit(w, "id", id);
	jw_safe(w, "app", c->app[0] ? c->app : "unknown", SAFE_MAX);
	jw_u64(w, "flows", c->flows);
	jw_arr(w, "linked_by");
	for (by = CF_CALL_BY_ICE; by <= CF_CALL_BY_TIME; by++)
		if (c->links & (1u << by))
			jw_item(w, cf_call_by_name(by));
	jw_close(w);
	if (c->n_merged > 0) {
		jw_arr(w, "merged_ids");
		for (i = 0; i < c->n_merged && i < CF_CALL_MERGED; i++) {
			ev_call_id(c->merged[i], id);
			jw_item(w, id);
		}
		jw_close(w);
		if (c->merged_more > 0)
			jw_u64(w, "merged_more", c->merged_more);
	}
	jw_obj(w, "roles");
	for (i = 0; i < CF_CALL_ROLES; i++) {
		if (c->role_flows[i] == 0)
			continue;
		jw_obj(w, cf_role_name(role_bits[i]));
		jw_u64(w, "flows", c->role_flows[i]);
		jw_u64(w, "bytes", c->role_bytes[i]);
		jw_u64(w, "packets", c->role_packets[i]);
		jw_close(w);
	}
	jw_close(w);
	jw_arr(w, "parties");
	for (i = 0; i < c->n_parties && i < CF_CALL_PARTIES; i++)
		party(w, &c->party[i], ips->party[i]);
	jw_close(w);
	if (c->parties_more > 0)
		jw_u64(w, "parties_more", c->parties_more);
	jw_u64(w, "alerts", c->alerts);
	jw_obj(w, "verdict");
	jw_lit(w, "severity", c->severity != CF_SEV_NONE ?
	       cf_severity_name(c->severity) : "none");
	jw_safe(w, "rule", c->rule_id, SAFE_MAX);
	jw_safe(w, "message", c->rule_name, SAFE_MAX);
	jw_close(w);
	jw_close(w);
}

/* observer, as observer_obj (event-parts.c) writes it from m. */
static void observer(struct jw *w, const struct cf_event_meta *m)
{
	jw_obj(w, "observer");
	jw_safe(w, "hostname", m->observer_hostname, SAFE_MAX);
	jw_fixed(w, EV_OBSERVER_FIXED);
	jw_obj(w, "ingress");
	jw_obj(w, "interface");
	jw_safe(w, "name", m->interface, SAFE_MAX);
	jw_close(w);
	jw_close(w);
	jw_close(w);
}

int ev_render_call(struct jw *w, const struct cf_event_meta *m,
		   const struct cf_call_record *c, uint64_t ts_us)
{
	int timed = jw_time(w, "@timestamp", ts_us);
	struct call_ips ips;
	uint32_t i;

	cf_addr_str(&c->local, ips.local, sizeof(ips.local));
	for (i = 0; i < c->n_parties && i < CF_CALL_PARTIES; i++)
		cf_addr_str(&c->party[i].ip, ips.party[i], sizeof(ips.party[i]));
	ev_ecs_obj(w);
	call_event(w, c);
	if (c->severity != CF_SEV_NONE && c->rule_id[0] != '\0') {
		jw_obj(w, "rule");
		jw_safe(w, "id", c->rule_id, SAFE_MAX);
		jw_safe(w, "name", c->rule_name, SAFE_MAX);
		jw_safe(w, "ruleset", c->ruleset, SAFE_MAX);
		jw_close(w);
	}
	jw_obj(w, "source");
	jw_lit(w, "ip", ips.local);
	jw_close(w);
	related(w, c, &ips);
	jw_obj(w, "network");
	jw_safe(w, "application", c->app[0] ? c->app : "unknown", SAFE_MAX);
	jw_close(w);
	jw_obj(w, "callfence");
	call_body(w, c, &ips);
	if (c->severity != CF_SEV_NONE)
		jw_lit(w, "severity", cf_severity_name(c->severity));
	jw_close(w);
	if (m != NULL)
		observer(w, m);
	return timed;
}

int cf_event_call(struct cf_outputs *out, const struct cf_event_meta *m,
		  const struct cf_call_record *c, uint64_t ts_us)
{
	struct jw *w = line_begin(0);
	struct cf_event_info ev;

	if (w == NULL)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_CALL;
	if (ev_render_call(w, m, c, ts_us))
		ev.ts_us = ts_us;
	return emit_line(w, out, &ev);
}
