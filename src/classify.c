/*
 * classify.c - a flow's application, wire protocol and roles, from nDPI,
 * the wire recognisers (recog-*.c) and the app catalog (catalog.c).
 *
 * Per packet (while cls.done is 0) new facts are gathered: nDPI's verdict
 * while it runs, and what the recognisers see in the payload (cls.seen,
 * cls.host).  The verdict (app, l7, roles, is_call, evidence) is then
 * recomputed from those facts alone, with the precedence written down in
 * docs/classification.md:
 *
 *   roles: recogniser facts, plus the roles= of catalog lines that name
 *          the flow's app; web for other TLS/HTTP of a call app.
 *   app:   catalog host (SNI, nDPI's web host, DNS name) > catalog net >
 *          nDPI call app via the catalog > catalog port (call traffic
 *          only) > generic "webrtc", "sip" (SIP, or RTP to an end a SIP
 *          SDP announced), "rtp" > nDPI's name in lower case > "unknown".
 *
 * The facts come from classify-wire.c (payloads) and classify-names.c
 * (DNS answers and SDP announcements, remembered across flows).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "classify-int.h"
#include "classify-ndpi.h"
#include "classify.h"
#include "decode.h"
#include "dns-cache.h"
#include "flow.h"
#include "recog.h"

/* Recognisers stop after this many packets of a flow. */
#define CF_CLASSIFY_MAX_INSPECT 64
/* ... or once each direction sent this many and nothing is pending. */
#define CF_CLASSIFY_EACH_WAY 16

/* A verdict being built. */
struct verdict {
	char app[CF_APP_LEN];
	char l7[CF_L7_LEN];
	char evidence[CF_EVID_LEN];
	unsigned roles;
};

/* --- roles ---------------------------------------------------------- */

static const struct {
	unsigned bit;
	const char *name;
} role_names[] = {
	{ CF_ROLE_KEYX, "key-exchange" },
	{ CF_ROLE_MEDIA, "media" },
	{ CF_ROLE_SIGNALING, "signaling" },
	{ CF_ROLE_RELAY, "relay" },
	{ CF_ROLE_WEB, "web" },
};

const char *cf_role_name(unsigned role_bit)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (role_names[i].bit == role_bit)
			return role_names[i].name;
	return "unknown";
}

unsigned cf_role_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(role_names[i].name, name) == 0)
			return role_names[i].bit;
	return 0;
}

/* --- classifier ----------------------------------------------------- */

struct cf_classifier *cf_classifier_new(const char *catalog_path, char *err,
					size_t errlen)
{
	struct cf_classifier *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errlen, "classifier: out of memory");
		return NULL;
	}
	if (catalog_path != NULL) {
		c->cat = cf_catalog_load(catalog_path, err, errlen);
		if (c->cat == NULL) {
			free(c);
			return NULL;
		}
	}
	c->ndpi = cf_ndpi_new(err, errlen);
	if (c->ndpi == NULL ||
	    cf_classify_set_dns_capacity(c, CF_DNS_CACHE_DEFAULT, err, errlen) < 0) {
		cf_classifier_free(c);
		return NULL;
	}
	return c;
}

void cf_classifier_free(struct cf_classifier *c)
{
	if (c == NULL)
		return;
	if (c->ndpi != NULL)
		cf_ndpi_free(c->ndpi);
	cf_catalog_free(c->cat);
	cf_dns_cache_free(c->dns);
	free(c);
}

int cf_classify_is_call_app(const struct cf_classifier *c, const char *app)
{
	return c != NULL && cf_catalog_is_call_app(c->cat, app);
}

void cf_classify_get_stats(const struct cf_classifier *c,
			   struct cf_classify_stats *st)
{
	struct cf_dns_cache_stats ds;

	*st = c->st;
	if (c->dns == NULL)
		return;
	cf_dns_cache_get_stats(c->dns, &ds);
	st->dns_evictions = ds.evictions;
	st->dns_capacity = ds.capacity;
}

/* --- small helpers --------------------------------------------------- */

static void copy_lower(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < cap; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* Append a token (joined "a:b" when b is not NULL) unless present or full. */
static void evid(struct verdict *v, const char *a, const char *b)
{
	char tok[64];
	size_t have = strlen(v->evidence), n;
	const char *p;

	snprintf(tok, sizeof(tok), "%s%s%s", a, b ? ":" : "", b ? b : "");
	n = strlen(tok);
	for (p = v->evidence; (p = strstr(p, tok)) != NULL; p += n)
		if ((p == v->evidence || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return;
	if (have + (have > 0) + n >= sizeof(v->evidence))
		return;
	if (have > 0)
		v->evidence[have++] = ' ';
	memcpy(v->evidence + have, tok, n + 1);
}

static int name_in(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(name, *set) == 0)
			return 1;
	return 0;
}

/* nDPI protocols whose host name is a query (or, for DHCP, the client's
 * own name), not the flow's server. */
static int ndpi_name_service(const struct cf_classifier *c, const struct cf_flow *f)
{
	static const char *const ns[] = { "DNS", "MDNS", "LLMNR", "NetBIOS",
		"DHCP", "DHCPV6", NULL };

	return name_in(cf_ndpi_name(c->ndpi, f->cls.ndpi_master), ns) ||
	       name_in(cf_ndpi_name(c->ndpi, f->cls.ndpi_app), ns);
}

/* nDPI protocols whose host name is the server the flow talks to. */
static int ndpi_web(const struct cf_classifier *c, const struct cf_flow *f)
{
	static const char *const web[] = { "TLS", "HTTP", "QUIC", "DTLS",
		"HTTP_Proxy", "HTTP_Connect", NULL };

	return name_in(cf_ndpi_name(c->ndpi, f->cls.ndpi_master), web) ||
	       name_in(cf_ndpi_name(c->ndpi, f->cls.ndpi_app), web);
}

/* nDPI's own name for the flow: the application, else the master.  For
 * a name service the service itself ("DNS", not the "Zoom" it resolved). */
static const char *ndpi_top_name(const struct cf_classifier *c, const struct cf_flow *f)
{
	const char *app = cf_ndpi_name(c->ndpi, f->cls.ndpi_app);
	const char *master = cf_ndpi_name(c->ndpi, f->cls.ndpi_master);

	if (ndpi_name_service(c, f))
		return *master ? master : app;
	return *app ? app : master;
}

/* --- verdict: app ----------------------------------------------------- */

static int match_net(const struct cf_classifier *c, const struct cf_flow *f,
		     struct cf_cat_match *m)
{
	if (f->proto != 6 && f->proto != 17)
		return 0;               /* pings to a call app's servers are not calls */
	return cf_catalog_match_addr(c->cat, &f->ip[1], f->proto, f->port[1], m) ||
	       cf_catalog_match_addr(c->cat, &f->ip[0], f->proto, f->port[0], m);
}

static int match_port(const struct cf_classifier *c, const struct cf_flow *f,
		      struct cf_cat_match *m)
{
	if (!(f->cls.seen & SEEN_CALL))
		return 0;
	return cf_catalog_match_port(c->cat, f->proto, f->port[1], m) ||
	       cf_catalog_match_port(c->cat, f->proto, f->port[0], m);
}

static int match_ndpi(const struct cf_classifier *c, const struct cf_flow *f,
		      struct cf_cat_match *m)
{
	if (ndpi_name_service(c, f))
		return 0;
	return cf_catalog_match_ndpi(c->cat, cf_ndpi_name(c->ndpi, f->cls.ndpi_app), m) ||
	       cf_catalog_match_ndpi(c->cat, cf_ndpi_name(c->ndpi, f->cls.ndpi_master), m);
}

/* Is cls.host the name of the server this flow talks to? */
static int host_usable(const struct cf_classifier *c, const struct cf_flow *f)
{
	if (f->cls.host[0] == '\0')
		return 0;
	return (f->cls.seen & (CF_SEEN_TLS_SNI | CF_SEEN_DNS_HOST)) || ndpi_web(c, f);
}

/* Generic apps for call traffic no catalog line claimed. */
static const char *generic_app(uint32_t seen)
{
	if (seen & (CF_SEEN_DTLS_HS | CF_SEEN_STUN | CF_SEEN_TURN))
		return "webrtc";
	if (seen & (CF_SEEN_SIP | CF_SEEN_SDP_MEDIA))
		return "sip";
	if (seen & (CF_SEEN_RTP | CF_SEEN_RTCP | CF_SEEN_ZRTP))
		return "rtp";
	return NULL;
}

/* Choose the app; *m is the deciding catalog line (m->id NULL if none). */
static void decide_app(const struct cf_classifier *c, const struct cf_flow *f,
		       struct verdict *v, struct cf_cat_match *m)
{
	const char *g, *nd;

	memset(m, 0, sizeof(*m));
	if ((host_usable(c, f) && cf_catalog_match_host(c->cat, f->cls.host, m)) ||
	    match_net(c, f, m) || match_ndpi(c, f, m) || match_port(c, f, m)) {
		copy_str(v->app, sizeof(v->app), m->app);
		return;
	}
	memset(m, 0, sizeof(*m));
	g = generic_app(f->cls.seen);
	nd = ndpi_top_name(c, f);
	if (g != NULL)
		copy_str(v->app, sizeof(v->app), g);
	else if (*nd)
		copy_lower(v->app, sizeof(v->app), nd);
	else
		copy_str(v->app, sizeof(v->app), "unknown");
}

/* --- verdict: roles, l7, evidence -------------------------------------- */

/* Roles the wire showed, with their evidence tokens. */
static void wire_roles(uint32_t seen, struct verdict *v)
{
	static const struct {
		uint32_t bit;
		unsigned role;
		const char *tok;
	} facts[] = {
		{ CF_SEEN_DTLS_HS, CF_ROLE_KEYX, "dtls-handshake" },
		{ CF_SEEN_ZRTP, CF_ROLE_KEYX, "zrtp" },
		{ CF_SEEN_SDP_CRYPTO, CF_ROLE_KEYX, "sdp-crypto-cleartext" },
		{ CF_SEEN_RTP, CF_ROLE_MEDIA, "rtp" },
		{ CF_SEEN_RTCP, CF_ROLE_MEDIA, "rtcp" },
		{ CF_SEEN_SDP_MEDIA, 0, "sdp-media" },
		{ CF_SEEN_STUN, CF_ROLE_SIGNALING, "stun-binding" },
		{ CF_SEEN_SIP, CF_ROLE_SIGNALING, "sip" },
		{ CF_SEEN_TURN, CF_ROLE_RELAY, "turn" },
	};
	static const struct {
		uint32_t bit;
		const char *tok;
	} zoom[] = {
		{ CF_SEEN_ZOOM_AUDIO, "zoom-audio" },
		{ CF_SEEN_ZOOM_VIDEO, "zoom-video" },
		{ CF_SEEN_ZOOM_SCREEN, "zoom-screen" },
		{ CF_SEEN_ZOOM_RTCP, "zoom-rtcp" },
	};
	size_t i;

	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (seen & facts[i].bit) {
			v->roles |= facts[i].role;
			evid(v, facts[i].tok, NULL);
		}
	if (!(seen & CF_SEEN_ZOOM))
		return;
	evid(v, "zoom-encap", NULL);
	for (i = 0; i < sizeof(zoom) / sizeof(zoom[0]); i++)
		if (seen & zoom[i].bit) {
			v->roles |= CF_ROLE_MEDIA;
			evid(v, zoom[i].tok, NULL);
		}
}

/* Add the roles= of a catalog line naming the flow's app (the line is
 * evidence when it gives roles). */
static void line_roles(struct verdict *v, int matched, const struct cf_cat_match *m)
{
	if (!matched || strcmp(m->app, v->app) != 0 || m->roles == 0)
		return;
	v->roles |= m->roles;
	evid(v, "catalog", m->id);
}

/*
 * Do a host line's roles apply?  They describe the TLS/HTTP/QUIC sessions
 * to the servers named: a name the flow sent (SNI, nDPI's web host), or a
 * DNS name of a flow that is itself TLS or QUIC.  A UDP media flow to a
 * Zoom MMR is media, not the MMR's key exchange.
 */
static int host_roles_apply(const struct cf_classifier *c, const struct cf_flow *f)
{
	uint32_t seen = f->cls.seen;

	if (!host_usable(c, f))
		return 0;
	if (!(seen & CF_SEEN_DNS_HOST))
		return 1;
	return (seen & (CF_SEEN_TLS_HELLO | CF_SEEN_QUIC)) || ndpi_web(c, f);
}

static void catalog_roles(const struct cf_classifier *c, const struct cf_flow *f,
			  struct verdict *v, const struct cf_cat_match *decided)
{
	struct cf_cat_match m;

	if (decided->id != NULL)
		evid(v, "catalog", decided->id);
	line_roles(v, host_roles_apply(c, f) &&
		   cf_catalog_match_host(c->cat, f->cls.host, &m), &m);
	line_roles(v, match_net(c, f, &m), &m);
	line_roles(v, match_ndpi(c, f, &m), &m);
	line_roles(v, match_port(c, f, &m), &m);
}

static void decide_l7(const struct cf_classifier *c, const struct cf_flow *f,
		      struct verdict *v)
{
	static const struct {
		uint32_t bits;
		const char *name;
	} order[] = {
		{ CF_SEEN_ZOOM, "zoom-media" },
		{ CF_SEEN_RTP, "rtp" },
		{ CF_SEEN_RTCP, "rtcp" },
		{ CF_SEEN_DTLS, "dtls" },
		{ CF_SEEN_STUN | CF_SEEN_TURN, "stun" },
		{ CF_SEEN_TLS_HELLO, "tls" },
		{ CF_SEEN_SIP, "sip" },
		{ CF_SEEN_ZRTP, "zrtp" },
		{ CF_SEEN_QUIC, "quic" },
	};
	const char *m = cf_ndpi_name(c->ndpi, f->cls.ndpi_master);
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (f->cls.seen & order[i].bits) {
			copy_str(v->l7, sizeof(v->l7), order[i].name);
			return;
		}
	copy_lower(v->l7, sizeof(v->l7), *m ? m : cf_ndpi_name(c->ndpi, f->cls.ndpi_app));
}

/* Recompute the verdict from the facts; 1 when anything changed. */
static int decide(const struct cf_classifier *c, struct cf_flow *f)
{
	struct cf_class *cls = &f->cls;
	struct verdict v;
	struct cf_cat_match m;
	uint8_t is_call;
	const char *nd = ndpi_top_name(c, f);

	memset(&v, 0, sizeof(v));
	if (*nd)
		evid(&v, "ndpi", nd);
	if (cls->seen & CF_SEEN_TLS_SNI)
		evid(&v, "tls-sni", NULL);
	else if (cls->seen & CF_SEEN_DNS_HOST && cls->host[0])
		evid(&v, "dns-name", NULL);
	else if (host_usable(c, f))
		evid(&v, "ndpi-host", NULL);
	decide_app(c, f, &v, &m);
	catalog_roles(c, f, &v, &m);
	wire_roles(cls->seen, &v);
	is_call = (uint8_t)(cf_catalog_is_call_app(c->cat, v.app) ||
			    (v.roles & (CF_ROLE_KEYX | CF_ROLE_MEDIA | CF_ROLE_RELAY)));
	if (is_call && v.roles == 0 &&
	    ((cls->seen & (CF_SEEN_TLS_HELLO | CF_SEEN_QUIC)) || ndpi_web(c, f)))
		v.roles = CF_ROLE_WEB;      /* other TLS/HTTP/QUIC of a call app */
	decide_l7(c, f, &v);
	if (strcmp(v.app, cls->app) == 0 && strcmp(v.l7, cls->l7) == 0 &&
	    strcmp(v.evidence, cls->evidence) == 0 && v.roles == cls->roles &&
	    is_call == cls->is_call)
		return 0;
	memcpy(cls->app, v.app, sizeof(cls->app));
	memcpy(cls->l7, v.l7, sizeof(cls->l7));
	memcpy(cls->evidence, v.evidence, sizeof(cls->evidence));
	cls->roles = (uint8_t)v.roles;
	cls->is_call = is_call;
	return 1;
}

/* --- nDPI ------------------------------------------------------------ */

static void ndpi_release(struct cf_flow *f, uint8_t state)
{
	cf_ndpi_flow_free(f->cls.ndpi);
	f->cls.ndpi = NULL;
	f->cls.ndpi_state = state;
}

/* Take nDPI's verdict and host; 1 when the host changed. */
static int ndpi_take(const struct cf_classifier *c, struct cf_flow *f,
		     const struct cf_ndpi_verdict *nv)
{
	struct cf_class *cls = &f->cls;

	cls->ndpi_app = nv->app;
	cls->ndpi_master = nv->master;
	if (nv->host[0] == '\0' || (cls->seen & CF_SEEN_TLS_SNI) ||
	    ndpi_name_service(c, f) || strcmp(cls->host, nv->host) == 0)
		return 0;
	/* a DNS name gives way only to the name a TLS/HTTP/QUIC flow sent */
	if ((cls->seen & CF_SEEN_DNS_HOST) && !ndpi_web(c, f))
		return 0;
	copy_str(cls->host, sizeof(cls->host), nv->host);
	cls->seen = (cls->seen | CF_SEEN_NDPI_HOST) & ~CF_SEEN_DNS_HOST;
	return 1;
}

static int ndpi_packet(struct cf_classifier *c, struct cf_flow *f,
		       const struct cf_packet *pkt)
{
	struct cf_ndpi_verdict nv;
	int changed;

	if (f->cls.ndpi_state != 0 || pkt->l3 == NULL || pkt->l3_len == 0)
		return 0;
	if (f->cls.ndpi == NULL) {
		f->cls.ndpi = cf_ndpi_flow_new();
		if (f->cls.ndpi == NULL) {
			c->st.ndpi_alloc_fail++;
			f->cls.ndpi_state = 2;
			return 0;
		}
		c->st.ndpi_flows++;
	}
	cf_ndpi_process(c->ndpi, f->cls.ndpi, pkt->l3, pkt->l3_len,
			pkt->ts_us / 1000, &nv);
	if (!nv.complete && f->cls.inspected >= CF_NDPI_MAX_PACKETS) {
		cf_ndpi_giveup(c->ndpi, f->cls.ndpi, &nv);
		changed = ndpi_take(c, f, &nv);
		c->st.ndpi_gaveup++;
		ndpi_release(f, 2);
		return changed;
	}
	changed = ndpi_take(c, f, &nv);
	if (nv.complete) {
		c->st.ndpi_decided++;
		ndpi_release(f, 1);
	}
	return changed;
}

/* --- per packet --------------------------------------------------------- */

/* Is there nothing more the first packets can tell? */
static int settled(const struct cf_flow *f)
{
	const struct cf_class *cls = &f->cls;

	if (cls->ndpi_state == 0)
		return 0;
	if ((cls->roles & CF_ROLE_MEDIA) && (cls->roles & CF_ROLE_KEYX))
		return 1;
	if (cls->inspected >= CF_CLASSIFY_MAX_INSPECT)
		return 1;
	if (f->proto == 6 && (cls->seen & CF_SEEN_TLS_HELLO))
		return 1;
	if (f->proto == 17 && (cls->seen & CF_SEEN_QUIC) && !(cls->seen & SEEN_CALL))
		return 1;
	if (f->pkts[0] < CF_CLASSIFY_EACH_WAY || f->pkts[1] < CF_CLASSIFY_EACH_WAY)
		return 0;
	/* call traffic without media yet: keep looking for the media */
	return !(cls->seen & SEEN_CALL) || (cls->roles & CF_ROLE_MEDIA);
}

/* Facts from other flows: a DNS answer for a new flow's address, an SDP
 * announcement of the ends of RTP/RTCP.  1 when the host changed. */
static int cross_flow_facts(struct cf_classifier *c, struct cf_flow *f,
			    uint64_t ts_us)
{
	struct cf_class *cls = &f->cls;
	int changed = 0;

	if (cls->inspected == 1)
		changed = cf_dns_name_flow(c, f, ts_us);
	if ((cls->seen & (CF_SEEN_RTP | CF_SEEN_RTCP)) &&
	    !(cls->seen & CF_SEEN_SDP_MEDIA) && cf_sdp_announced(c, f, ts_us))
		cls->seen |= CF_SEEN_SDP_MEDIA;
	return changed;
}

int cf_classify_packet(struct cf_classifier *c, struct cf_flow *f,
		       const struct cf_packet *pkt, int dir)
{
	struct cf_class *cls = &f->cls;
	uint32_t seen = cls->seen;
	uint16_t app = cls->ndpi_app, master = cls->ndpi_master;
	int changed;

	if (cls->done)
		return 0;
	if (cls->inspected < UINT16_MAX)
		cls->inspected++;
	changed = ndpi_packet(c, f, pkt);
	if (pkt->payload_len > 0 && pkt->proto == 17)
		changed |= cf_wire_udp(c, f, pkt->payload, pkt->payload_len,
				       dir ? 1 : 0, pkt->ts_us);
	else if (pkt->payload_len > 0 && pkt->proto == 6)
		changed |= cf_wire_tcp(c, f, pkt->payload, pkt->payload_len,
				       dir ? 1 : 0, pkt->ts_us);
	changed |= cross_flow_facts(c, f, pkt->ts_us);
	/* the verdict is a function of the facts: redo it when they moved */
	if (changed || cls->seen != seen || cls->ndpi_app != app ||
	    cls->ndpi_master != master || cls->app[0] == '\0')
		changed |= decide(c, f);
	if (settled(f)) {
		cls->done = 1;
		cf_reasm_release(c, f, 1);
	}
	if (changed)
		cls->version++;
	return changed;
}

int cf_classify_finish(struct cf_classifier *c, struct cf_flow *f)
{
	struct cf_ndpi_verdict nv;
	int changed = 0;

	cf_reasm_release(c, f, 1);
	if (f->cls.ndpi != NULL) {
		cf_ndpi_giveup(c->ndpi, f->cls.ndpi, &nv);
		changed = ndpi_take(c, f, &nv);
		c->st.ndpi_gaveup++;
		ndpi_release(f, 2);
	} else if (f->cls.ndpi_state == 0) {
		f->cls.ndpi_state = 2;
	}
	changed |= decide(c, f);
	f->cls.done = 1;
	if (changed)
		f->cls.version++;
	return changed;
}
