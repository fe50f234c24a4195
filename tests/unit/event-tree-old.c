/*
 * event-tree-old.c - the jansson trees alerts and flow records were
 * built as before event-render.c (commit ba82e3a's event-parts.c,
 * event-alert.c and event-flow.c, unchanged but for static and the
 * helpers the library no longer has), kept here only so that
 * test-event-render.c can hold the renderer's bytes against them.  Not
 * part of callfence: never change it to follow the renderer - a new
 * field goes into both (or the test's comparison learns to skip it).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "event/event-int.h"
#include "classify/classify.h"
#include "util/role.h"
#include "event-tree-old.h"

static json_t *str_array(const char *a, const char *b)
{
	json_t *arr = json_array();

	json_array_append_new(arr, json_stringn_nocheck(a, strlen(a)));
	if (b != NULL)
		json_array_append_new(arr, json_stringn_nocheck(b, strlen(b)));
	return arr;
}

static json_t *ev_json(const struct ev_facts *x, enum ev_str i)
{
	const char *s = ev_str(x, i);

	return s != NULL ? json_stringn_nocheck(s, strlen(s)) : NULL;
}

#define ev_app(x) ev_json((x), EV_APP)

static const char *transport_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 132: return "sctp";
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

static int has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

/*
 * ECS network.direction from the perimeter's point of view (home-net and
 * the special-purpose addresses are inside): inbound when the initiator is
 * outside and the responder inside, outbound the other way, internal
 * both inside, external both outside (x->home: bit 0 the source, bit 1
 * the destination is inside).
 */
static const char *direction(const struct ev_facts *x)
{
	static const char *const dir[4] = {
		"external", "outbound", "inbound", "internal"
	};

	return dir[x->home & 3];
}

/*
 * The wire protocols the classifier names (lower case).  They are also
 * what the classifier calls the "app" of a protocol-only call (SIP,
 * H.323, RTP without a known service, ...): never written as
 * network.application (callfence.app keeps it); nor are the names of
 * other_protocols (nDPI's "dns" as a flow's app).
 */
static const char *const wire_protocols[] = {
	"rtp", "rtcp", "srtp", "dtls", "stun", "turn", "tls", "sip", "sips",
	"zrtp", "quic", "h323", "h225", "h245", "ras", "sccp", "skinny",
	"mgcp", "iax2", "bfcp", "zoom-media", NULL
};

/*
 * nDPI's names of other protocols (lower case) that network.protocol may
 * hold.  A name in neither list (an application, e.g. "telegram", or
 * nDPI's name of a service) is left out of network.protocol.
 */
static const char *const other_protocols[] = {
	"http", "dns", "mdns", "llmnr", "netbios", "dhcp", "dhcpv6", "ntp",
	"ssh", "snmp", "ssdp", "rtsp", "icmp", "icmpv6", "igmp", "smtp",
	"smtps", "imap", "imaps", "pop3", "ftp_control", "ldap", "kerberos",
	"smbv23", "rdp", "http_proxy", "http_connect", "websocket", "xmpp",
	"mpegts", "ipsec", "ike", "wireguard", "openvpn", "gre", NULL
};

static int in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static json_t *rule_obj(const struct ev_facts *x)
{
	json_t *o = json_object();

	put(o, "id", ev_json(x, EV_RULE_ID));
	put(o, "name", ev_json(x, EV_RULE_NAME));
	put(o, "ruleset", ev_json(x, EV_RULESET));
	return o;
}

/* Append the string s (an address: ASCII) to array a. */
static void put_str_item(json_t *a, const char *s)
{
	json_array_append_new(a, json_stringn_nocheck(s, strlen(s)));
}

/* ip, port, and what that end sent when counts. */
static json_t *endpoint(const struct ev_facts *x, const struct ev_end *e, int counts)
{
	char buf[CF_ADDR_STRLEN];
	json_t *o = json_object();

	put_str(o, "ip", cf_addr_str(&e->ip, buf, sizeof(buf)));
	if (has_ports(x->proto))
		put_u64(o, "port", e->port);
	if (counts) {
		put_u64(o, "bytes", e->bytes);
		put_u64(o, "packets", e->packets);
	}
	return o;
}

/* geo.country_iso_code and as.number of g, each only when known. */
static void put_geo_as(json_t *d, const struct cf_geo_result *g, int org)
{
	json_t *geo, *as, *v, *name = NULL;

	v = safe_json(g->country, sizeof(g->country));
	if (v != NULL) {
		geo = json_object();
		put(geo, "country_iso_code", v);
		put(d, "geo", geo);
	}
	if (org)
		name = safe_json(g->as_org, sizeof(g->as_org));
	if (g->asn != 0 || name != NULL) {
		as = json_object();
		if (g->asn != 0)
			put_u64(as, "number", g->asn);
		if (name != NULL) {
			v = json_object();
			put(v, "name", name);
			put(as, "organization", v);
		}
		put(d, "as", as);
	}
}

/* Which end is the remote one: 0 source (the initiator), 1 destination. */
static int remote_index(const struct ev_facts *x)
{
	return x->ours == x->init ? 1 : 0;
}

static const char *remote_end_name(const struct ev_facts *x)
{
	return remote_index(x) == 0 ? "source" : "destination";
}

/* End i (0 source, 1 destination); the remote one with domain, geo and as. */
static json_t *end_obj(const struct ev_facts *x, int i, int counts)
{
	json_t *d = endpoint(x, i == 0 ? &x->src : &x->dst, counts);

	if (i != remote_index(x))
		return d;
	put(d, "domain", ev_json(x, EV_DOMAIN));
	if (x->has_geo)
		put_geo_as(d, &x->geo, 1);
	return d;
}

static json_t *source_obj(const struct ev_facts *x, int counts)
{
	return end_obj(x, 0, counts);
}

static json_t *destination_obj(const struct ev_facts *x, int counts)
{
	return end_obj(x, 1, counts);
}

static json_t *client_obj(const struct ev_facts *x)
{
	return endpoint(x, &x->src, 0);
}

static json_t *server_obj(const struct ev_facts *x)
{
	return endpoint(x, &x->dst, 0);
}

static json_t *related_obj(const struct ev_facts *x)
{
	char buf[CF_ADDR_STRLEN];
	json_t *r = json_object(), *ips = json_array();

	put_str_item(ips, cf_addr_str(&x->src.ip, buf, sizeof(buf)));
	if (cf_addr_cmp(&x->dst.ip, &x->src.ip) != 0)
		put_str_item(ips, cf_addr_str(&x->dst.ip, buf, sizeof(buf)));
	if (x->has_relay && cf_addr_cmp(&x->relay_ip, &x->src.ip) != 0 &&
	    cf_addr_cmp(&x->relay_ip, &x->dst.ip) != 0)
		put_str_item(ips, cf_addr_str(&x->relay_ip, buf, sizeof(buf)));
	put(r, "ip", ips);
	return r;
}

/* ECS tls.server.x509: subject.common_name and alternative_names (both
 * arrays of keywords in ECS). */
static json_t *tls_obj(const struct ev_facts *x)
{
	json_t *x509, *subject, *names, *server, *tls;
	const char *s;
	unsigned i;

	if (x->s[EV_CERT_CN] == 0 && x->n_san == 0)
		return NULL;
	x509 = json_object();
	if (x->s[EV_CERT_CN] != 0) {
		subject = json_object();
		names = json_array();
		json_array_append_new(names, ev_json(x, EV_CERT_CN));
		put(subject, "common_name", names);
		put(x509, "subject", subject);
	}
	if (x->n_san > 0) {
		names = json_array();
		s = ev_str(x, EV_CERT_SAN);
		for (i = 0; i < x->n_san; i++, s += strlen(s) + 1)
			json_array_append_new(names, json_stringn_nocheck(s, strlen(s)));
		put(x509, "alternative_names", names);
	}
	server = json_object();
	put(server, "x509", x509);
	tls = json_object();
	put(tls, "server", server);
	return tls;
}

static json_t *network_obj(const struct ev_facts *x)
{
	char num[8], vid[8];
	json_t *n = json_object(), *vlan;

	put_lit(n, "transport", transport_name(x->proto, num, sizeof(num)));
	put_lit(n, "type", x->v6 ? "ipv6" : "ipv4");
	put_str(n, "community_id", x->cid);
	if (in_list(ev_str(x, EV_L7), wire_protocols) ||
	    in_list(ev_str(x, EV_L7), other_protocols))
		put(n, "protocol", ev_json(x, EV_L7));
	if (!in_list(ev_str(x, EV_APP), wire_protocols) &&
	    !in_list(ev_str(x, EV_APP), other_protocols))
		put(n, "application", ev_json(x, EV_APP));
	put_u64(n, "bytes", x->src.bytes + x->dst.bytes);
	put_u64(n, "packets", x->src.packets + x->dst.packets);
	put_lit(n, "direction", direction(x));
	if (x->vlan != 0) {
		snprintf(vid, sizeof(vid), "%u", x->vlan);
		vlan = json_object();
		put_lit(vlan, "id", vid);
		put(n, "vlan", vlan);
	}
	return n;
}

/* The names of roles, most important first; NULL when none (and empty). */
static json_t *roles_array(unsigned roles, int empty)
{
	json_t *a;
	unsigned bit;
	int i;

	if (roles == 0 && !empty)
		return NULL;
	a = json_array();
	for (i = 0; i < CF_ROLE_RANKS; i++) {
		bit = cf_role_at_rank(i);
		if (roles & bit) {
			const char *name = cf_role_name(bit);

			json_array_append_new(a, json_stringn_nocheck(name, strlen(name)));
		}
	}
	if (json_array_size(a) == 0 && !empty) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *permitted_array(const struct ev_facts *x)
{
	json_t *p = json_array();
	const char *s = ev_str(x, EV_PERMITTED);
	unsigned i;

	for (i = 0; i < x->n_permitted; i++, s += strlen(s) + 1)
		json_array_append_new(p, json_stringn_nocheck(s, strlen(s)));
	return p;
}

/*
 * callfence.jurisdiction.  alert: always says what was observed
 * ("unknown" when the country is not known) and what was permitted; a flow
 * record says "unknown" only for a public remote end that was looked up.
 */
static json_t *jurisdiction_obj(const struct ev_facts *x, const struct cf_geo_result *g,
			 int alert)
{
	json_t *j = json_object();

	if (alert && x->permitted)
		put(j, "permitted", permitted_array(x));
	if (g != NULL && g->country[0] != '\0')
		put_strn(j, "observed", g->country, sizeof(g->country));
	else if (alert || (g != NULL && g->special == 0))
		put_lit(j, "observed", "unknown");
	if (g != NULL)
		put_strn(j, "registered", g->registered, sizeof(g->registered));
	return j;
}

/*
 * callfence.relay: the real peer behind a TURN relay (the flow's first
 * XOR-PEER-ADDRESS) with its geography when the engine looked it up, and
 * alert_on "peer" when the alert judged the peer.
 */
/* callfence.call (added with the calls; the tree form of the renderer's) */
static json_t *call_obj(const struct ev_facts *x)
{
	char id[17];
	json_t *c;

	if (x->call_key == 0)
		return NULL;
	c = json_object();
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)x->call_key);
	put_lit(c, "id", id);
	if (x->call_by != 0 && cf_call_by_name(x->call_by)[0] != '\0')
		put_lit(c, "linked_by", cf_call_by_name(x->call_by));
	return c;
}

static json_t *relay_obj(const struct ev_facts *x)
{
	char ip[CF_ADDR_STRLEN];
	json_t *r, *p;

	if (!x->has_relay)
		return NULL;
	p = json_object();
	put_str(p, "ip", cf_addr_str(&x->relay_ip, ip, sizeof(ip)));
	put_u64(p, "port", x->relay_port);
	if (x->has_relay_geo)
		put_geo_as(p, &x->relay_geo, 1);
	r = json_object();
	put_obj(r, "peer", p);
	if (x->relay_peer_alert)
		put_lit(r, "alert_on", "peer");
	return r;
}

static json_t *observer_of(json_t *hostname, json_t *ifname)
{
	json_t *o = json_object(), *ing, *ifc;

	put(o, "hostname", hostname);
	put_lit(o, "vendor", "callfence");
	put_lit(o, "product", "callfence");
	put_lit(o, "version", PACKAGE_VERSION);
	put_lit(o, "type", "sensor");
	if (ifname != NULL) {
		ifc = json_object();
		put(ifc, "name", ifname);
		ing = json_object();
		put(ing, "interface", ifc);
		put(o, "ingress", ing);
	}
	return o;
}

static json_t *observer_facts_obj(const struct ev_facts *x)
{
	return observer_of(ev_json(x, EV_HOSTNAME), ev_json(x, EV_INTERFACE));
}

static json_t *alert_event_obj(const struct ev_facts *x)
{
	json_t *e = json_object();

	put_lit(e, "kind", "alert");
	put(e, "category", str_array("network", NULL));
	put(e, "type", str_array("connection", NULL));
	put(e, "severity", json_integer(cf_severity_ecs(x->severity)));
	put_lit(e, "dataset", "callfence.alert");
	put_lit(e, "module", "callfence");
	/* Built-in findings (rule ids "callfence-*") are not about geography. */
	put_lit(e, "action", x->sdes ? "cleartext-srtp-keys" : "jurisdiction-violation");
	if (x->first_us != 0)
		put_time(e, "start", x->first_us);
	return e;
}
static json_t *alert_callfence_obj(const struct ev_facts *x, uint64_t count)
{
	const struct cf_geo_result *g = x->has_geo ? &x->geo : NULL;
	json_t *c = json_object();
	unsigned top = cf_role_top(x->matched ? x->matched : x->roles);

	if (count > 0)
		put_u64(c, "alert_count", count);
	if (top != 0)
		put_lit(c, "role", cf_role_name(top));
	put(c, "roles", roles_array(x->roles, 0));
	put(c, "app", ev_app(x));
	put_lit(c, "remote_end", remote_end_name(x));
	put(c, "evidence", ev_json(x, EV_EVIDENCE));
	put_str(c, "severity", cf_severity_name(x->severity));
	if (x->relay_peer_alert)        /* the alert judged the peer behind the relay */
		g = x->has_relay_geo ? &x->relay_geo : NULL;
	put_obj(c, "jurisdiction", jurisdiction_obj(x, g, 1));
	put_obj(c, "relay", relay_obj(x));
	put_obj(c, "call", call_obj(x));
	return c;
}
static json_t *alert_tree(const struct ev_facts *x, uint64_t ts_us, uint64_t count,
			  int *timed)
{
	json_t *root = json_object();

	*timed = 0;
	if (root == NULL)
		return NULL;
	*timed = put_time(root, "@timestamp", ts_us);
	put_ecs(root);
	put_obj(root, "event", alert_event_obj(x));
	put_obj(root, "rule", rule_obj(x));
	put_obj(root, "source", source_obj(x, 0));
	put_obj(root, "destination", destination_obj(x, 0));
	put_obj(root, "client", client_obj(x));
	put_obj(root, "server", server_obj(x));
	put_obj(root, "related", related_obj(x));
	put_obj(root, "network", network_obj(x));
	put_obj(root, "tls", tls_obj(x));
	put_obj(root, "callfence", alert_callfence_obj(x, count));
	put_obj(root, "observer", observer_facts_obj(x));
	return root;
}

static const char *verdict_name(uint8_t v)
{
	static const char *const names[] = {
		"unjudged", "pass", "alert", "no-match", "local"
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unjudged";
}
static json_t *flow_event_obj(const struct ev_facts *x)
{
	json_t *e = json_object();
	uint64_t dur = x->last_us > x->first_us ? x->last_us - x->first_us : 0;

	put_lit(e, "kind", "event");
	put(e, "category", str_array("network", NULL));
	put(e, "type", str_array("connection", "end"));
	put_lit(e, "dataset", "callfence.flow");
	put_lit(e, "module", "callfence");
	if (x->first_us != 0)
		put_time(e, "start", x->first_us);
	if (x->last_us != 0)
		put_time(e, "end", x->last_us);
	put_u64(e, "duration", dur * 1000);
	put_str(e, "reason", cf_flow_end_name(x->why));
	return e;
}
static const char *const local_by[] = { "", "home-net", "server-port", "initiator" };
static json_t *flow_callfence_obj(const struct ev_facts *x)
{
	json_t *c = json_object();

	put(c, "roles", roles_array(x->roles, 1));
	put(c, "app", ev_app(x));
	put(c, "evidence", ev_json(x, EV_EVIDENCE));
	put_lit(c, "verdict", verdict_name(x->verdict));
	put_u64(c, "alerts", x->n_alerts);
	if (x->local_by > 0 && x->local_by < sizeof(local_by) / sizeof(local_by[0]))
		put_lit(c, "local_end", local_by[x->local_by]);
	put_lit(c, "remote_end", remote_end_name(x));
	put_obj(c, "jurisdiction", jurisdiction_obj(x, x->has_geo ? &x->geo : NULL, 0));
	put_obj(c, "relay", relay_obj(x));
	put_obj(c, "call", call_obj(x));
	return c;
}

json_t *old_alert_tree(const struct ev_facts *x, uint64_t ts_us, uint64_t count)
{
	int timed;

	return alert_tree(x, ts_us, count, &timed);
}

json_t *old_flow_tree(const struct ev_facts *x)
{
	json_t *root = json_object();

	put_time(root, "@timestamp", x->ts_us);
	put_ecs(root);
	put_obj(root, "event", flow_event_obj(x));
	if (x->has_rule)
		put_obj(root, "rule", rule_obj(x));
	put_obj(root, "source", source_obj(x, 1));
	put_obj(root, "destination", destination_obj(x, 1));
	put_obj(root, "client", client_obj(x));
	put_obj(root, "server", server_obj(x));
	put_obj(root, "related", related_obj(x));
	put_obj(root, "network", network_obj(x));
	put_obj(root, "tls", tls_obj(x));
	put_obj(root, "callfence", flow_callfence_obj(x));
	put_obj(root, "observer", observer_facts_obj(x));
	return root;
}
