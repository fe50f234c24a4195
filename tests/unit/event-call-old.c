/*
 * event-call-old.c - the jansson tree callfence.call was built as before
 * event-call.c rendered it with the writer (main's event-call.c of commit
 * fd5458f, unchanged but for the entry point, which returns the tree),
 * kept here only so that test-event-render.c can hold the renderer's
 * bytes against it.  Not part of callfence: never change it to follow
 * the renderer - a new field goes into both.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "event/event-int.h"
#include "classify/classify.h"
#include "util/role.h"
#include "event-tree-old.h"

/* A JSON array of one constant string. */
static json_t *one_str(const char *a)
{
	json_t *arr = json_array();

	json_array_append_new(arr, json_stringn_nocheck(a, strlen(a)));
	return arr;
}

/* The roles of a set, in rank order (as the flow events write them). */
static json_t *roles_json(unsigned roles)
{
	json_t *a = json_array();
	unsigned bit;
	int i;

	for (i = 0; i < CF_ROLE_RANKS; i++) {
		bit = cf_role_at_rank(i);
		if (roles & bit) {
			const char *name = cf_role_name(bit);

			json_array_append_new(a, json_stringn_nocheck(name, strlen(name)));
		}
	}
	return a;
}

/* The role bits of record's role_* arrays, in their order. */
static const unsigned role_bits[CF_CALL_ROLES] = {
	CF_ROLE_KEYX, CF_ROLE_MEDIA, CF_ROLE_SIGNALING, CF_ROLE_RELAY
};

static json_t *call_event_obj(const struct cf_call_record *c)
{
	json_t *e = json_object();
	uint64_t dur = c->last_us > c->first_us ? c->last_us - c->first_us : 0;

	put_lit(e, "kind", "event");
	put(e, "category", one_str("network"));
	put(e, "type", one_str("info"));
	put_lit(e, "dataset", "callfence.call");
	put_lit(e, "module", "callfence");
	put_lit(e, "action", "call-ended");
	if (c->severity != CF_SEV_NONE)
		put(e, "severity", json_integer(cf_severity_ecs(c->severity)));
	if (c->first_us != 0)
		put_time(e, "start", c->first_us);
	if (c->last_us != 0)
		put_time(e, "end", c->last_us);
	put_u64(e, "duration", dur * 1000);
	return e;
}

static json_t *ip_json(const cf_addr *a)
{
	char ip[CF_ADDR_STRLEN];

	cf_addr_str(a, ip, sizeof(ip));
	return json_stringn_nocheck(ip, strlen(ip));
}

static json_t *party_obj(const struct cf_call_party *p)
{
	json_t *o = json_object(), *g, *as;

	put(o, "ip", ip_json(&p->ip));
	if (p->country[0] != '\0') {
		g = json_object();
		put_str(g, "country_iso_code", p->country);
		put_obj(o, "geo", g);
	}
	if (p->asn != 0) {
		as = json_object();
		put_u64(as, "number", p->asn);
		if (p->as_org[0] != '\0') {
			json_t *org = json_object();

			put_strn(org, "name", p->as_org, sizeof(p->as_org));
			put_obj(as, "organization", org);
		}
		put_obj(o, "as", as);
	}
	put(o, "roles", roles_json(p->roles));
	if (p->via_relay)
		put(o, "via_relay", json_true());
	put_u64(o, "flows", p->flows);
	put_u64(o, "bytes", p->bytes);
	put_u64(o, "packets", p->packets);
	return o;
}

static json_t *links_array(uint32_t links)
{
	json_t *a = json_array();
	unsigned by;

	for (by = CF_CALL_BY_ICE; by <= CF_CALL_BY_TIME; by++)
		if (links & (1u << by)) {
			const char *n = cf_call_by_name(by);

			json_array_append_new(a, json_stringn_nocheck(n, strlen(n)));
		}
	return a;
}

static json_t *roles_obj(const struct cf_call_record *c)
{
	json_t *o = json_object(), *r;
	int i;

	for (i = 0; i < CF_CALL_ROLES; i++) {
		if (c->role_flows[i] == 0)
			continue;
		r = json_object();
		put_u64(r, "flows", c->role_flows[i]);
		put_u64(r, "bytes", c->role_bytes[i]);
		put_u64(r, "packets", c->role_packets[i]);
		put_obj(o, cf_role_name(role_bits[i]), r);
	}
	return o;
}

static json_t *verdict_obj(const struct cf_call_record *c)
{
	json_t *v = json_object();

	put_lit(v, "severity", c->severity != CF_SEV_NONE ?
		cf_severity_name(c->severity) : "none");
	put_str(v, "rule", c->rule_id);
	put_str(v, "message", c->rule_name);
	return v;
}

static json_t *call_body(const struct cf_call_record *c)
{
	json_t *o = json_object(), *parties = json_array();
	char id[17];
	uint32_t i;

	ev_call_id(c->key, id);
	put_lit(o, "id", id);
	put_str(o, "app", c->app[0] ? c->app : "unknown");
	put_u64(o, "flows", c->flows);
	put(o, "linked_by", links_array(c->links));
	if (c->n_merged > 0) {
		json_t *ids = json_array();

		for (i = 0; i < c->n_merged && i < CF_CALL_MERGED; i++) {
			ev_call_id(c->merged[i], id);
			json_array_append_new(ids, json_stringn_nocheck(id, strlen(id)));
		}
		put(o, "merged_ids", ids);
		if (c->merged_more > 0)
			put_u64(o, "merged_more", c->merged_more);
	}
	put_obj(o, "roles", roles_obj(c));
	for (i = 0; i < c->n_parties && i < CF_CALL_PARTIES; i++)
		json_array_append_new(parties, party_obj(&c->party[i]));
	put(o, "parties", parties);
	if (c->parties_more > 0)
		put_u64(o, "parties_more", c->parties_more);
	put_u64(o, "alerts", c->alerts);
	put_obj(o, "verdict", verdict_obj(c));
	return o;
}

static json_t *related(const struct cf_call_record *c)
{
	json_t *r = json_object(), *a = json_array();
	uint32_t i;

	json_array_append_new(a, ip_json(&c->local));
	/* each address once: a peer reached directly and through a relay
	   is two parties (sorted by address, so next to each other) */
	for (i = 0; i < c->n_parties && i < CF_CALL_PARTIES; i++)
		if ((i == 0 || !cf_addr_eq(&c->party[i].ip, &c->party[i - 1].ip)) &&
		    !cf_addr_eq(&c->party[i].ip, &c->local))
			json_array_append_new(a, ip_json(&c->party[i].ip));
	put(r, "ip", a);
	return r;
}

json_t *old_call_tree(const struct cf_event_meta *m, const struct cf_call_record *c,
		     uint64_t ts_us)
{
	json_t *root = json_object(), *src, *net, *cf, *rule;

	put_time(root, "@timestamp", ts_us);
	put_ecs(root);
	put_obj(root, "event", call_event_obj(c));
	if (c->severity != CF_SEV_NONE && c->rule_id[0] != '\0') {
		rule = json_object();
		put_str(rule, "id", c->rule_id);
		put_str(rule, "name", c->rule_name);
		put_str(rule, "ruleset", c->ruleset);
		put_obj(root, "rule", rule);
	}
	src = json_object();
	put(src, "ip", ip_json(&c->local));
	put_obj(root, "source", src);
	put_obj(root, "related", related(c));
	net = json_object();
	put_str(net, "application", c->app[0] ? c->app : "unknown");
	put_obj(root, "network", net);
	cf = json_object();
	put(cf, "call", call_body(c));
	if (c->severity != CF_SEV_NONE)
		put_lit(cf, "severity", cf_severity_name(c->severity));
	put_obj(root, "callfence", cf);
	if (m != NULL)
		put_obj(root, "observer", observer_obj(m));
	return root;
}
