/*
 * event-render.c - alerts and flow records written straight into the
 * thread's line buffer (struct jw, event-json.c) from the record of
 * their facts (event-facts.c): no jansson tree per event.  The bytes are
 * those the tree and jansson's dumper wrote (tests/unit/test-event-render.c
 * renders random records both ways; the e2e goldens and the ECS schema
 * tests check the lines themselves).
 *
 * ADDING A FIELD is one line at the place its key goes (members are
 * written in the order of the calls, and that order is the events'):
 *
 *	jw_fact(w, "id", x, EV_CALL_ID);            a safe string of the record
 *	jw_safe(w, "city", g->city, sizeof(g->city));   any other string
 *	jw_u64(w, "packets", n);                    a count
 *	jw_lit(w, "kind", "alert");                 a constant of ours
 *
 * in the function of the object it belongs to: callfence.* of an alert
 * in alert_callfence, of a flow record in flow_callfence, source and
 * destination in end_obj, network in network_obj, ...; a new object is
 * jw_obj(w, "geo"); ...; jw_close(w) (left out when nothing was written
 * in it).  A string taken from the flow must first enter the record
 * (enum ev_str and take_strings in event-facts.c, one line each), so
 * that a held-back alert (--alert-window) can still be rendered after
 * the flow has gone.  Then tests/ecs/ecs-fields.json (the field's ECS
 * type, for callfence.* the project's own) and the goldens
 * (tests/e2e/regen.sh) follow.
 *
 * The shapes: the alert (callfence.alert, also the --alert-window
 * summary with callfence.alert_count) and the flow record
 * (callfence.flow); event-alert.c and event-flow.c raise them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "classify/classify.h"
#include "event/event-int.h"
#include "util/role.h"

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
 * The protocols network.protocol may hold, in strcmp order (a binary
 * search: the l7 and the app of every record and alert are asked for;
 * two linear scans were ~100 strcmp a record):
 * - the wire protocols the classifier names (lower case): rtp, rtcp,
 *   srtp, dtls, stun, turn, tls, sip, sips, zrtp, quic, h323, h225, h245,
 *   ras, sccp, skinny, mgcp, iax2, bfcp, zoom-media.  They are also what
 *   the classifier calls the "app" of a protocol-only call (SIP, H.323,
 *   RTP without a known service, ...): never written as
 *   network.application (callfence.app keeps it);
 * - nDPI's names of other protocols (lower case): http, dns, mdns, llmnr,
 *   netbios, dhcp, dhcpv6, ntp, ssh, snmp, ssdp, rtsp, icmp, icmpv6, igmp,
 *   smtp, smtps, imap, imaps, pop3, ftp_control, ldap, kerberos, smbv23,
 *   rdp, http_proxy, http_connect, websocket, xmpp, mpegts, ipsec, ike,
 *   wireguard, openvpn, gre; nor written as network.application (nDPI's
 *   "dns" as a flow's app).
 * A name in neither (an application, e.g. "telegram", or nDPI's name of a
 * service) is left out of network.protocol.  test-event-render checks
 * the order and the names.
 */
static const char *const protocols[] = {
	"bfcp", "dhcp", "dhcpv6", "dns", "dtls", "ftp_control", "gre",
	"h225", "h245", "h323", "http", "http_connect", "http_proxy",
	"iax2", "icmp", "icmpv6", "igmp", "ike", "imap", "imaps",
	"ipsec", "kerberos", "ldap", "llmnr", "mdns", "mgcp", "mpegts",
	"netbios", "ntp", "openvpn", "pop3", "quic", "ras", "rdp",
	"rtcp", "rtp", "rtsp", "sccp", "sip", "sips", "skinny",
	"smbv23", "smtp", "smtps", "snmp", "srtp", "ssdp", "ssh",
	"stun", "tls", "turn", "websocket", "wireguard", "xmpp",
	"zoom-media", "zrtp",
};

/* Is s one of the protocols network.protocol may hold?  (i >= 0: the
 * i-th of the list instead, NULL past its end: for the tests) */
const char *ev_protocol_at(int i)
{
	return i >= 0 && (size_t)i < sizeof(protocols) / sizeof(protocols[0]) ?
	       protocols[i] : NULL;
}

/* A binary search that compares the first bytes before calling strcmp:
 * most steps are decided by them. */
int ev_is_protocol(const char *s)
{
	size_t lo = 0, hi = sizeof(protocols) / sizeof(protocols[0]), mid;
	int c;

	if (s == NULL)
		return 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = (unsigned char)s[0] - (unsigned char)protocols[mid][0];
		if (c == 0)
			c = strcmp(s, protocols[mid]);
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static void rule_obj(struct jw *w, const struct ev_facts *x)
{
	jw_obj(w, "rule");
	jw_fact(w, "id", x, EV_RULE_ID);
	jw_fact(w, "name", x, EV_RULE_NAME);
	jw_fact(w, "ruleset", x, EV_RULESET);
	jw_close(w);
}

/* ip (its text of n bytes: an address, nothing JSON escapes; none when
 * n is 0), port, and what that end sent when counts (an object open in w). */
static void endpoint(struct jw *w, const struct ev_facts *x, const struct ev_end *e,
		     const char *ip, size_t n, int counts)
{
	if (n != 0)
		jw_plain(w, "ip", ip, n);
	if (has_ports(x->proto))
		jw_u64(w, "port", e->port);
	if (counts) {
		jw_u64(w, "bytes", e->bytes);
		jw_u64(w, "packets", e->packets);
	}
}

/* geo.country_iso_code and as.number / as.organization.name of g, each
 * only when known (an object is opened only when it will hold something). */
static void geo_as(struct jw *w, const struct cf_geo_result *g)
{
	char buf[SAFE_MAX];
	const char *v;
	size_t n = safe_view(g->country, sizeof(g->country), buf, &v);

	if (n != 0)
		jw_obj_strn(w, "geo", "country_iso_code", v, n);
	n = safe_view(g->as_org, sizeof(g->as_org), buf, &v);
	if (g->asn == 0 && n == 0)
		return;
	jw_obj(w, "as");
	if (g->asn != 0)
		jw_u64(w, "number", g->asn);
	if (n != 0)
		jw_obj_strn(w, "organization", "name", v, n);
	jw_close(w);
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

/* source (i 0) or destination (1); the remote one with domain, geo and as. */
static void end_obj(struct jw *w, const struct ev_facts *x, int i, int counts)
{
	if (i == 0) {
		jw_obj(w, "source");
		endpoint(w, x, &x->src, x->src_ip, x->src_ip_len, counts);
	} else {
		jw_obj(w, "destination");
		endpoint(w, x, &x->dst, x->dst_ip, x->dst_ip_len, counts);
	}
	if (i == remote_index(x)) {
		jw_fact(w, "domain", x, EV_DOMAIN);
		if (x->has_geo)
			geo_as(w, &x->geo);
	}
	jw_close(w);
}

/* source, destination, client, server, related: the ends. */
static void ends(struct jw *w, const struct ev_facts *x, int counts)
{
	char buf[CF_ADDR_STRLEN];

	end_obj(w, x, 0, counts);
	end_obj(w, x, 1, counts);
	jw_obj(w, "client");
	endpoint(w, x, &x->src, x->src_ip, x->src_ip_len, 0);
	jw_close(w);
	jw_obj(w, "server");
	endpoint(w, x, &x->dst, x->dst_ip, x->dst_ip_len, 0);
	jw_close(w);
	/* related.ip: both ends and the peer behind a TURN relay, each once */
	jw_obj(w, "related");
	jw_arr(w, "ip");
	jw_item_plain(w, x->src_ip, x->src_ip_len);
	if (cf_addr_cmp(&x->dst.ip, &x->src.ip) != 0)
		jw_item_plain(w, x->dst_ip, x->dst_ip_len);
	if (x->has_relay && cf_addr_cmp(&x->relay_ip, &x->src.ip) != 0 &&
	    cf_addr_cmp(&x->relay_ip, &x->dst.ip) != 0) {
		cf_addr_str(&x->relay_ip, buf, sizeof(buf));
		jw_item_plain(w, buf, strlen(buf));
	}
	jw_close(w);
	jw_close(w);
}

static void network_obj(struct jw *w, const struct ev_facts *x)
{
	char num[8], vid[8];

	jw_obj(w, "network");
	jw_lit(w, "transport", transport_name(x->proto, num, sizeof(num)));
	if (x->v6)
		jw_fixed(w, "\"type\":\"ipv6\"");
	else
		jw_fixed(w, "\"type\":\"ipv4\"");
	/* "1:" and base64: nothing to escape */
	if (x->cid[0] != '\0')
		jw_plain(w, "community_id", x->cid, strlen(x->cid));
	if (ev_is_protocol(ev_str(x, EV_L7)))
		jw_fact(w, "protocol", x, EV_L7);
	if (!ev_is_protocol(ev_str(x, EV_APP)))
		jw_fact(w, "application", x, EV_APP);
	jw_u64(w, "bytes", x->src.bytes + x->dst.bytes);
	jw_u64(w, "packets", x->src.packets + x->dst.packets);
	jw_lit(w, "direction", direction(x));
	if (x->vlan != 0)
		jw_obj_strn(w, "vlan", "id", vid, (size_t)(jw_dec(vid, x->vlan) - vid));
	jw_close(w);
}

/* ECS tls.server.x509: subject.common_name and alternative_names (both
 * arrays of keywords in ECS); nothing when the flow had no certificate. */
static void tls_obj(struct jw *w, const struct ev_facts *x)
{
	const char *s;
	unsigned i;

	if (x->s[EV_CERT_CN] == 0 && x->n_san == 0)
		return;
	jw_obj(w, "tls");
	jw_obj(w, "server");
	jw_obj(w, "x509");
	if (x->s[EV_CERT_CN] != 0) {
		jw_obj(w, "subject");
		jw_arr(w, "common_name");
		jw_item(w, ev_str(x, EV_CERT_CN));
		jw_close(w);
		jw_close(w);
	}
	if (x->n_san > 0) {
		jw_arr(w, "alternative_names");
		s = ev_str(x, EV_CERT_SAN);
		for (i = 0; i < x->n_san; i++, s += strlen(s) + 1)
			jw_item(w, s);
		jw_close(w);
	}
	jw_close(w);
	jw_close(w);
	jw_close(w);
}

/*
 * The roles array of each set of role bits, ["media","signaling"] (the
 * names most important first), made once per thread and set: every
 * alert and flow record writes one.  made: 1 made, 2 too long to keep
 * (written item by item).
 */
_Static_assert(CF_ROLE_ALL < 32, "a role set indexes roles_text");
#define ROLES_TEXT_MAX 96
static _Thread_local struct {
	uint8_t made[32];
	uint8_t len[32];
	char text[32][ROLES_TEXT_MAX];
} roles_text;

static void make_roles_text(unsigned set)
{
	char *p = roles_text.text[set], *end = p + ROLES_TEXT_MAX;
	const char *name;
	size_t n;
	unsigned bit;
	int i;

	roles_text.made[set] = 2;
	*p++ = '[';
	for (i = 0; i < CF_ROLE_RANKS; i++) {
		bit = cf_role_at_rank(i);
		if ((set & bit) == 0)
			continue;
		name = cf_role_name(bit);
		n = strlen(name);
		if (n + 4 > (size_t)(end - p))
			return;
		if (p[-1] != '[')
			*p++ = ',';
		*p++ = '"';
		memcpy(p, name, n);
		p += n;
		*p++ = '"';
	}
	*p++ = ']';
	roles_text.len[set] = (uint8_t)(p - roles_text.text[set]);
	roles_text.made[set] = 1;
}

/* The names of roles, most important first; nothing when none unless empty. */
void ev_roles_array(struct jw *w, unsigned roles, int empty)
{
	unsigned set = roles & CF_ROLE_ALL, bit;
	char *p;
	int i;

	if (!empty && set == 0)
		return;
	if (!roles_text.made[set])
		make_roles_text(set);
	if (roles_text.made[set] == 1) {
		p = jw_at(w, "roles", 5, roles_text.len[set]);
		if (p != NULL) {
			memcpy(p, roles_text.text[set], roles_text.len[set]);
			jw_done(w, p + roles_text.len[set]);
		}
		return;
	}
	jw_arr(w, "roles");
	for (i = 0; i < CF_ROLE_RANKS; i++) {
		bit = cf_role_at_rank(i);
		if (set & bit)
			jw_item(w, cf_role_name(bit));
	}
	jw_close(w);
}

/*
 * callfence.jurisdiction.  alert: always says what was observed
 * ("unknown" when the country is not known) and what was permitted; a flow
 * record says "unknown" only for a public remote end that was looked up.
 */
static void jurisdiction_obj(struct jw *w, const struct ev_facts *x,
			     const struct cf_geo_result *g, int alert)
{
	const char *s;
	unsigned i;

	jw_obj(w, "jurisdiction");
	if (alert && x->permitted) {
		jw_arr(w, "permitted");
		s = ev_str(x, EV_PERMITTED);
		for (i = 0; i < x->n_permitted; i++, s += strlen(s) + 1)
			jw_item(w, s);
		jw_close(w);
	}
	if (g != NULL && g->country[0] != '\0')
		jw_safe(w, "observed", g->country, sizeof(g->country));
	else if (alert || (g != NULL && g->special == 0))
		jw_lit(w, "observed", "unknown");
	if (g != NULL)
		jw_safe(w, "registered", g->registered, sizeof(g->registered));
	jw_close(w);
}

/*
 * callfence.relay: the real peer behind a TURN relay (the flow's first
 * XOR-PEER-ADDRESS) with its geography when the engine looked it up, and
 * alert_on "peer" when the alert judged the peer.
 */
static void relay_obj(struct jw *w, const struct ev_facts *x)
{
	char ip[CF_ADDR_STRLEN];

	if (!x->has_relay)
		return;
	jw_obj(w, "relay");
	jw_obj(w, "peer");
	jw_safe(w, "ip", cf_addr_str(&x->relay_ip, ip, sizeof(ip)), SAFE_MAX);
	jw_u64(w, "port", x->relay_port);
	if (x->has_relay_geo)
		geo_as(w, &x->relay_geo);
	jw_close(w);
	if (x->relay_peer_alert)
		jw_lit(w, "alert_on", "peer");
	jw_close(w);
}

/* callfence.call: the flow's call (classify-call.c) and what linked it */
static void call_obj(struct jw *w, const struct ev_facts *x)
{
	char id[17];

	if (x->call_key == 0)
		return;
	ev_call_id(x->call_key, id);
	jw_obj(w, "call");
	jw_lit(w, "id", id);
	if (x->call_by != 0 && cf_call_by_name(x->call_by)[0] != '\0')
		jw_lit(w, "linked_by", cf_call_by_name(x->call_by));
	jw_close(w);
}

static void observer_facts(struct jw *w, const struct ev_facts *x)
{
	jw_obj(w, "observer");
	jw_fact(w, "hostname", x, EV_HOSTNAME);
	jw_fixed(w, EV_OBSERVER_FIXED);
	if (ev_str(x, EV_INTERFACE) != NULL) {
		jw_obj(w, "ingress");
		jw_obj(w, "interface");
		jw_fact(w, "name", x, EV_INTERFACE);
		jw_close(w);
		jw_close(w);
	}
	jw_close(w);
}

void ev_ecs_obj(struct jw *w)
{
	jw_fixed(w, "\"ecs\":{\"version\":\"" CF_ECS_VERSION "\"}");
}

/* ---- callfence.alert ------------------------------------------------ */

static void alert_event(struct jw *w, const struct ev_facts *x)
{
	jw_obj(w, "event");
	jw_fixed(w, EV_EVENT_HEAD("alert", "\"connection\""));
	jw_int(w, "severity", cf_severity_ecs(x->severity));
	jw_fixed(w, "\"dataset\":\"callfence.alert\",\"module\":\"callfence\"");
	/* Built-in findings (rule ids "callfence-*") are not about geography. */
	jw_lit(w, "action", x->sdes ? "cleartext-srtp-keys" : "jurisdiction-violation");
	if (x->first_us != 0)
		jw_time(w, "start", x->first_us);
	jw_close(w);
}

/* count: the alerts a --alert-window summary stands for; 0 for an alert. */
static void alert_callfence(struct jw *w, const struct ev_facts *x, uint64_t count)
{
	const struct cf_geo_result *g = x->has_geo ? &x->geo : NULL;
	unsigned top = cf_role_top(x->matched ? x->matched : x->roles);

	jw_obj(w, "callfence");
	if (count > 0)
		jw_u64(w, "alert_count", count);
	if (top != 0)
		jw_lit(w, "role", cf_role_name(top));
	ev_roles_array(w, x->roles, 0);
	jw_fact(w, "app", x, EV_APP);
	jw_lit(w, "remote_end", remote_end_name(x));
	jw_fact(w, "evidence", x, EV_EVIDENCE);
	jw_safe(w, "severity", cf_severity_name(x->severity), SAFE_MAX);
	if (x->relay_peer_alert)        /* the alert judged the peer behind the relay */
		g = x->has_relay_geo ? &x->relay_geo : NULL;
	jurisdiction_obj(w, x, g, 1);
	relay_obj(w, x);
	ev_render_geo_check(w, x);
	call_obj(w, x);
	jw_close(w);
}

int ev_render_alert(struct jw *w, const struct ev_facts *x, uint64_t ts_us,
		    uint64_t count)
{
	int timed = jw_time(w, "@timestamp", ts_us);

	ev_ecs_obj(w);
	alert_event(w, x);
	rule_obj(w, x);
	ends(w, x, 0);
	network_obj(w, x);
	tls_obj(w, x);
	alert_callfence(w, x, count);
	observer_facts(w, x);
	return timed;
}

/* ---- callfence.flow ------------------------------------------------- */

static const char *verdict_name(uint8_t v)
{
	static const char *const names[] = {
		"unjudged", "pass", "alert", "no-match", "local"
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unjudged";
}

static void flow_event(struct jw *w, const struct ev_facts *x)
{
	uint64_t dur = x->last_us > x->first_us ? x->last_us - x->first_us : 0;

	jw_obj(w, "event");
	jw_fixed(w, EV_EVENT_HEAD("event", "\"connection\",\"end\"")
		 ",\"dataset\":\"callfence.flow\",\"module\":\"callfence\"");
	if (x->first_us != 0)
		jw_time(w, "start", x->first_us);
	if (x->last_us != 0)
		jw_time(w, "end", x->last_us);
	jw_u64(w, "duration", dur * 1000);
	jw_safe(w, "reason", cf_flow_end_name(x->why), SAFE_MAX);
	jw_close(w);
}

/* callfence.local_end: what decided which end is ours (flow.h) */
static const char *const local_by[] = { "", "home-net", "server-port", "initiator" };

static void flow_callfence(struct jw *w, const struct ev_facts *x)
{
	jw_obj(w, "callfence");
	ev_roles_array(w, x->roles, 1);
	jw_fact(w, "app", x, EV_APP);
	jw_fact(w, "evidence", x, EV_EVIDENCE);
	jw_lit(w, "verdict", verdict_name(x->verdict));
	jw_u64(w, "alerts", x->n_alerts);
	if (x->local_by > 0 && x->local_by < sizeof(local_by) / sizeof(local_by[0]))
		jw_lit(w, "local_end", local_by[x->local_by]);
	jw_lit(w, "remote_end", remote_end_name(x));
	jurisdiction_obj(w, x, x->has_geo ? &x->geo : NULL, 0);
	relay_obj(w, x);
	ev_render_geo_check(w, x);
	call_obj(w, x);
	jw_close(w);
}

int ev_render_flow(struct jw *w, const struct ev_facts *x)
{
	int timed = jw_time(w, "@timestamp", x->ts_us);

	ev_ecs_obj(w);
	flow_event(w, x);
	if (x->has_rule)
		rule_obj(w, x);
	ends(w, x, 1);
	network_obj(w, x);
	tls_obj(w, x);
	flow_callfence(w, x);
	observer_facts(w, x);
	return timed;
}
