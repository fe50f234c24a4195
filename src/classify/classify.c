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
 *          catalog asn (call traffic only, classify-asn.c) >
 *          nDPI call app via the catalog > catalog port (call traffic
 *          only) > generic "webrtc", "sip" (SIP, or RTP to an end a SIP
 *          SDP announced), "rtp" > nDPI's name in lower case > "unknown".
 *
 * The facts come from classify-wire.c (payloads), classify-dns.c (DNS
 * answers) and classify-sdp.c (SDP announcements), the last two
 * remembered across flows; the roles and tokens they give, from
 * classify-roles.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "classify/classify-ndpi.h"
#include "classify/classify.h"
#include "decode/decode.h"
#include "classify/dns-cache.h"
#include "flow/flow.h"
#include "classify/recog/recog.h"

/* Recognisers stop after this many packets of a flow. */
/* ... or once each direction sent this many and nothing is pending. */
#define CF_CLASSIFY_EACH_WAY 16

/* The catalog's answers for a flow, looked up once per verdict. */
struct lookups {
	int host, net, ndpi, port, asn;  /* 1: matched */
	struct cf_cat_match hm, nm, dm, pm, am;
};

/* Seen bits the verdict does not read: a change in them alone (an RTP
 * candidate noted, a first Zoom-looking packet) is no new fact. */
#define SEEN_SCRATCH (CF_SEEN_RTP_CAND0 | CF_SEEN_RTP_CAND1 | \
		      CF_SEEN_ZOOM_CAND | CF_SEEN_NDPI_HOST | CF_SEEN_RTP_MISS_MASK)

/* The classifier object: classifier.c. */

/* --- small helpers --------------------------------------------------- */

static int name_in(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(name, *set) == 0)
			return 1;
	return 0;
}

/* What the classifier knows of an nDPI protocol id (cached per id; ids
 * past the cache are worked out into *tmp each time). */
static const struct cf_ndpi_info *ninfo(struct cf_classifier *c, uint16_t id,
					struct cf_ndpi_info *tmp)
{
	/* nDPI protocols whose host name is a query (or, for DHCP, the
	 * client's own name), not the flow's server */
	static const char *const ns[] = { "DNS", "MDNS", "LLMNR", "NetBIOS",
		"DHCP", "DHCPV6", NULL };
	/* nDPI protocols whose host name is the server the flow talks to */
	static const char *const web[] = { "TLS", "HTTP", "QUIC", "DTLS",
		"HTTP_Proxy", "HTTP_Connect", NULL };
	struct cf_ndpi_info *ni = id < CF_NDPI_INFO_IDS ? &c->ndpi_info[id] : tmp;
	const char *name;

	if (id < CF_NDPI_INFO_IDS && (ni->flags & NI_FILLED))
		return ni;
	memset(ni, 0, sizeof(*ni));
	name = cf_ndpi_name(c->ndpi, id);
	ni->flags = NI_FILLED;
	if (name_in(name, ns))
		ni->flags |= NI_NAMESVC;
	if (name_in(name, web))
		ni->flags |= NI_WEB;
	if (cf_catalog_match_ndpi(c->cat, name, &ni->m))
		ni->flags |= NI_CATALOG;
	if (*name) {
		ni->flags |= NI_NAMED;
		ni->app_nid = cf_class_name_id(name, CF_APP_LEN, 1);
		ni->l7_nid = cf_class_name_id(name, CF_L7_LEN, 1);
	}
	return ni;
}

/* Does nDPI's app or master id have this NI_ flag? */
static int ndpi_flag(struct cf_classifier *c, const struct cf_flow *f,
		     uint8_t flag)
{
	struct cf_ndpi_info tmp;

	return (ninfo(c, f->cls.ndpi_master, &tmp)->flags & flag) ||
	       (ninfo(c, f->cls.ndpi_app, &tmp)->flags & flag);
}

/* nDPI protocols whose host name is a query, not the flow's server. */
static int ndpi_name_service(struct cf_classifier *c, const struct cf_flow *f)
{
	return ndpi_flag(c, f, NI_NAMESVC);
}

/* nDPI protocols whose host name is the server the flow talks to. */
static int ndpi_web(struct cf_classifier *c, const struct cf_flow *f)
{
	return ndpi_flag(c, f, NI_WEB);
}

/* nDPI's own protocol for the flow: the application, else the master.
 * For a name service the service itself ("DNS", not the "Zoom" it
 * resolved). */
static uint16_t ndpi_top(struct cf_classifier *c, const struct cf_flow *f)
{
	struct cf_ndpi_info tmp;
	uint16_t app = f->cls.ndpi_app, master = f->cls.ndpi_master;

	if (ndpi_name_service(c, f))
		return (ninfo(c, master, &tmp)->flags & NI_NAMED) ? master : app;
	return (ninfo(c, app, &tmp)->flags & NI_NAMED) ? app : master;
}

/* Is a name id a call app of the catalog?  (cached per id) */
static int nid_is_call(struct cf_classifier *c, uint16_t nid)
{
	if (c->nid_call[nid] == 0)
		c->nid_call[nid] = cf_catalog_is_call_app(c->cat, cf_class_names[nid]) ? 2 : 1;
	return c->nid_call[nid] == 2;
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

static int match_ndpi(struct cf_classifier *c, const struct cf_flow *f,
		      struct cf_cat_match *m)
{
	struct cf_ndpi_info tmp;
	const struct cf_ndpi_info *ni;

	if (ndpi_name_service(c, f))
		return 0;
	ni = ninfo(c, f->cls.ndpi_app, &tmp);
	/* nDPI's master is its guess by port when the payload showed a web
	   protocol (HTTP on TCP 5060 is "SIP.HTTP"): the payload wins */
	if (!(ni->flags & NI_CATALOG) && !(ni->flags & NI_WEB))
		ni = ninfo(c, f->cls.ndpi_master, &tmp);
	if (!(ni->flags & NI_CATALOG))
		return 0;
	*m = ni->m;
	return 1;
}

/* Is cls.host the name of the server this flow talks to? */
static int host_usable(struct cf_classifier *c, const struct cf_flow *f)
{
	if (f->cls.host_str == NULL)
		return 0;
	return (f->cls.seen & (CF_SEEN_TLS_SNI | CF_SEEN_DNS_HOST | CF_SEEN_CERT_HOST)) ||
	       ndpi_web(c, f);
}

/* The app of a room system's signalling (own: cls.wire's low nibble) or
 * of the signalling that announced a media end (its high nibble). */
static uint16_t wire_app(uint8_t wire)
{
	static const uint16_t ann[] = {
		[CF_ANN_SIP] = CF_NID_SIP, [CF_ANN_H323] = CF_NID_H323,
		[CF_ANN_SCCP] = CF_NID_SKINNY, [CF_ANN_MGCP] = CF_NID_MGCP,
	};
	const struct cf_own_kind *k = cf_own_kind(wire);
	unsigned a = CF_WIRE_ANN(wire);

	if (k != NULL && k->app != CF_NID_NONE)
		return k->app;
	if (a > 0 && a < sizeof(ann) / sizeof(ann[0]))
		return ann[a];
	return CF_NID_NONE;
}

/* Generic apps for call traffic no catalog line claimed. */
static uint16_t generic_app(uint32_t seen, uint8_t wire)
{
	uint16_t w = wire_app(wire);

	if (w != CF_NID_NONE)
		return w;
	if (seen & CF_SEEN_ZOOM)
		return CF_NID_ZOOM;     /* Zoom's own media encapsulation */
	if (!cf_dtls_call_evidence(seen, 0))
		seen &= ~CF_SEEN_DTLS_HS;
	if (seen & (CF_SEEN_DTLS_HS | CF_SEEN_STUN | CF_SEEN_TURN))
		return CF_NID_WEBRTC;
	if (seen & (CF_SEEN_SIP | CF_SEEN_SDP_MEDIA))
		return CF_NID_SIP;
	if (seen & (CF_SEEN_RTP | CF_SEEN_RTCP | CF_SEEN_ZRTP))
		return CF_NID_RTP;
	return CF_NID_NONE;
}

/* Choose the app; *m is the deciding catalog line (m->id NULL if none). */
static void decide_app(struct cf_classifier *c, const struct cf_flow *f,
		       const struct lookups *lk, struct verdict *v,
		       struct cf_cat_match *m)
{
	struct cf_ndpi_info tmp;
	const struct cf_ndpi_info *ni;
	uint16_t g;

	memset(m, 0, sizeof(*m));
	v->clue = CF_CLUE_NONE;
	if (lk->host && host_usable(c, f)) {
		*m = lk->hm;
		v->clue = CF_CLUE_NAME;
	} else if (lk->net || lk->asn) {
		*m = lk->net ? lk->nm : lk->am;
		v->clue = CF_CLUE_OPERATOR;
		/* an operator of several apps (narrower=): the weaker clue
		   that names one of them says which */
		if (lk->ndpi && cf_cat_narrower(m, lk->dm.app_nid)) {
			cf_evid(v, "catalog", m->id);
			*m = lk->dm;
		} else if (lk->port && cf_cat_narrower(m, lk->pm.app_nid)) {
			cf_evid(v, "catalog", m->id);
			*m = lk->pm;
		}
	} else if (lk->ndpi || lk->port) {
		*m = lk->ndpi ? lk->dm : lk->pm;
		v->clue = CF_CLUE_GUESS;
	}
	if (m->id != NULL) {
		v->app = m->app_nid;
		return;
	}
	g = generic_app(f->cls.seen, f->cls.wire);
	ni = ninfo(c, ndpi_top(c, f), &tmp);
	if (g != CF_NID_NONE && !cf_call_app_generic(cf_class_names[g])) {
		v->app = g;             /* an app's own wire format */
		v->clue = CF_CLUE_NAME;
	} else if (g != CF_NID_NONE)
		v->app = g;
	else if (ni->flags & NI_NAMED)
		v->app = ni->app_nid;
	else
		v->app = CF_NID_UNKNOWN;
}

/* --- verdict: roles, l7, evidence -------------------------------------- */

/*
 * Do a host line's roles apply?  They describe the TLS/HTTP/QUIC sessions
 * to the servers named: a name the flow sent (SNI, nDPI's web host), or a
 * DNS name of a flow that is itself TLS or QUIC.  A UDP media flow to a
 * Zoom MMR is media, not the MMR's key exchange.
 */
static int host_roles_apply(struct cf_classifier *c, const struct cf_flow *f)
{
	uint32_t seen = f->cls.seen;

	if (!host_usable(c, f))
		return 0;
	/* a DTLS flow named by its certificate is media's key exchange, not
	   a session to the named web servers */
	if ((seen & CF_SEEN_DTLS) && !(seen & (CF_SEEN_TLS_HELLO | CF_SEEN_QUIC)))
		return 0;
	if (!(seen & CF_SEEN_DNS_HOST))
		return 1;
	return (seen & (CF_SEEN_TLS_HELLO | CF_SEEN_QUIC)) || ndpi_web(c, f);
}

static void catalog_roles(struct cf_classifier *c, const struct cf_flow *f,
			  const struct lookups *lk, struct verdict *v,
			  const struct cf_cat_match *decided)
{
	if (decided->id != NULL)
		cf_evid(v, "catalog", decided->id);
	cf_line_roles(v, lk->host && host_roles_apply(c, f), &lk->hm, CF_ROLE_ALL);
	cf_line_roles(v, lk->net, &lk->nm, CF_ROLE_ALL);
	cf_line_roles(v, lk->ndpi, &lk->dm, CF_ROLE_ALL);
	cf_line_roles(v, lk->port, &lk->pm, cf_port_line_mask(f->cls.seen));
	cf_line_roles(v, lk->asn, &lk->am, cf_port_line_mask(f->cls.seen));
}

/* The l7; 1 when it came from the flow's own packets (its own kind of
 * signalling, a recogniser), 0 from nDPI. */
static int decide_l7(struct cf_classifier *c, const struct cf_flow *f,
		     struct verdict *v)
{
	static const struct {
		uint32_t bits;
		uint16_t nid;
	} order[] = {
		{ CF_SEEN_ZOOM, CF_NID_ZOOM_MEDIA },
		{ CF_SEEN_RTP, CF_NID_RTP },
		{ CF_SEEN_RTCP, CF_NID_RTCP },
		{ CF_SEEN_DTLS, CF_NID_DTLS },
		{ CF_SEEN_STUN | CF_SEEN_TURN, CF_NID_STUN },
		{ CF_SEEN_TLS_HELLO, CF_NID_TLS },
		{ CF_SEEN_SIP, CF_NID_SIP },
		{ CF_SEEN_ZRTP, CF_NID_ZRTP },
		{ CF_SEEN_QUIC, CF_NID_QUIC },
	};
	struct cf_ndpi_info tmp, tmp2;
	const struct cf_ndpi_info *m = ninfo(c, f->cls.ndpi_master, &tmp);
	const struct cf_own_kind *k = cf_own_kind(f->cls.wire);
	size_t i;

	if (k != NULL && k->l7 != CF_NID_NONE) {
		v->l7 = k->l7;
		return 1;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (f->cls.seen & order[i].bits) {
			v->l7 = order[i].nid;
			return 1;
		}
	/* nDPI's master is the wire protocol (TLS under Zoom) - unless its
	   application is itself a web protocol: then the master was a guess
	   by port (HTTP on 5060 under "SIP") */
	if (!(m->flags & NI_NAMED) ||
	    (ninfo(c, f->cls.ndpi_app, &tmp2)->flags & NI_WEB))
		m = ninfo(c, f->cls.ndpi_app, &tmp);
	v->l7 = m->l7_nid;
	return 0;
}

/* The catalog lines that match the flow: each kind looked up once. */
static void lookup_all(struct cf_classifier *c, const struct cf_flow *f,
		       struct lookups *lk)
{
	lk->host = host_usable(c, f) &&
		   cf_catalog_match_host(c->cat, f->cls.host_str, &lk->hm);
	lk->net = match_net(c, f, &lk->nm);
	lk->ndpi = match_ndpi(c, f, &lk->dm);
	lk->port = match_port(c, f, &lk->pm);
	lk->asn = !lk->host && !lk->net && cf_classify_match_asn(c, f, &lk->am);
}

static int ndpi_needless(const struct cf_flow *f, unsigned clue,
			 const struct cf_cat_match *m, int own_l7);

/* Recompute the verdict from the facts; 1 when anything changed. */
static int decide(struct cf_classifier *c, struct cf_flow *f)
{
	struct cf_class *cls = &f->cls;
	struct verdict v;
	struct lookups lk;
	struct cf_cat_match m;
	uint8_t is_call;
	uint16_t top = ndpi_top(c, f);
	int own_l7;

	v.app = v.l7 = CF_NID_NONE;
	v.roles = 0;
	v.evlen = 0;
	v.evidence[0] = '\0';
	if (top != 0 && *cf_ndpi_name(c->ndpi, top))
		cf_evid(&v, "ndpi", cf_ndpi_name(c->ndpi, top));
	if (cls->seen & CF_SEEN_TLS_SNI)
		cf_evid(&v, "tls-sni", NULL);
	else if (cls->seen & CF_SEEN_DNS_HOST && cls->host_str != NULL)
		cf_evid(&v, "dns-name", NULL);
	else if (cls->seen & CF_SEEN_CERT_HOST && cls->host_str != NULL)
		cf_evid(&v, "cert-host", NULL);
	else if (host_usable(c, f))
		cf_evid(&v, "ndpi-host", NULL);
	lookup_all(c, f, &lk);
	decide_app(c, f, &lk, &v, &m);
	catalog_roles(c, f, &lk, &v, &m);
	/* a call app by its servers' names or addresses (not a port line,
	   not nDPI's guess) */
	cf_wire_roles(cls->seen, m.id != NULL && nid_is_call(c, m.app_nid) &&
		   ((lk.host && m.id == lk.hm.id) || (lk.net && m.id == lk.nm.id)), &v);
	cf_own_roles(cls->wire, &v);
	is_call = (uint8_t)(nid_is_call(c, v.app) ||
			    (v.roles & (CF_ROLE_KEYX | CF_ROLE_MEDIA | CF_ROLE_RELAY)));
	if (is_call && v.roles == 0 &&
	    ((cls->seen & (CF_SEEN_TLS_HELLO | CF_SEEN_QUIC)) || ndpi_web(c, f)))
		v.roles = CF_ROLE_WEB;      /* other TLS/HTTP/QUIC of a call app */
	own_l7 = decide_l7(c, f, &v);
	/* (a flow nDPI has not had yet: its first packet, read first by
	   hello_first) */
	if ((cls->ndpi != NULL || cls->ndpi_state == 0) &&
	    ndpi_needless(f, v.clue, &m, own_l7))
		c->ndpi_needless = 1;
	if (v.app == cls->app_id && v.l7 == cls->l7_id &&
	    strcmp(v.evidence, cf_class_evidence(cls)) == 0 &&
	    v.roles == cls->roles && is_call == cls->is_call && v.clue == cls->app_clue)
		return 0;
	cls->app_id = v.app;
	cls->app_clue = v.clue & 3;
	cls->l7_id = v.l7;
	cf_class_set_evidence(cls, v.evidence, v.evlen);
	cls->roles = (uint8_t)v.roles;
	cls->is_call = is_call;
	return 1;
}

/* --- nDPI ------------------------------------------------------------ */

static void ndpi_release(struct cf_classifier *c, struct cf_flow *f,
			 uint8_t state)
{
	cf_ndpi_flow_free(c->ndpi, f->cls.ndpi);
	f->cls.ndpi = NULL;
	f->cls.ndpi_state = state;
	/* a flow from before a reload was counted by the old classifier */
	if (c->st.ndpi_live > 0)
		c->st.ndpi_live--;
}

/* Take nDPI's verdict and host; 1 when the host changed. */
static int ndpi_take(struct cf_classifier *c, struct cf_flow *f,
		     const struct cf_ndpi_verdict *nv)
{
	struct cf_class *cls = &f->cls;

	cls->ndpi_app = nv->app;
	cls->ndpi_master = nv->master;
	if (nv->host[0] == '\0' || (cls->seen & CF_SEEN_TLS_SNI) ||
	    ndpi_name_service(c, f) || strcmp(cf_class_host(cls), nv->host) == 0)
		return 0;
	/* a DNS name gives way only to the name a TLS/HTTP/QUIC flow sent */
	if ((cls->seen & CF_SEEN_DNS_HOST) && !ndpi_web(c, f))
		return 0;
	cf_class_set_host(cls, nv->host, strnlen(nv->host, sizeof(nv->host) - 1));
	cls->seen = (cls->seen | CF_SEEN_NDPI_HOST) & ~CF_SEEN_DNS_HOST;
	return 1;
}

/*
 * nDPI's state is big (cf_ndpi_flow_size), so it lives only while nDPI
 * works on the flow: it is freed as soon as nDPI decided, or after
 * CF_NDPI_MAX_PACKETS packets (then nDPI must guess), and at most
 * ndpi_cap flows hold it at once - later flows go without nDPI.
 */
static int ndpi_packet(struct cf_classifier *c, struct cf_flow *f,
		       const struct cf_packet *pkt)
{
	struct cf_ndpi_verdict nv;
	const uint8_t *l3 = pkt->l3;
	uint32_t l3_len = pkt->l3_len, n;
	int changed;

	if (f->cls.ndpi_state != 0 || pkt->l3 == NULL || pkt->l3_len == 0)
		return 0;
	/* a TCP segment without payload, once nDPI has the flow: nDPI 4.2
	   reads nothing in it but its flags and sequence numbers (what the
	   next payload's should be, to tell a resend); the first packet of
	   a flow, mostly its SYN, still goes, so that nDPI can guess by port
	   a flow that never carries a byte.  A third of the packets nDPI
	   was given on the real-capture bench mix; the events are the same */
	if (pkt->proto == 6 && pkt->payload_len == 0 && f->cls.ndpi != NULL)
		return 0;
	if (f->cls.ndpi == NULL) {
		if (c->st.ndpi_live >= c->ndpi_cap) {
			c->st.ndpi_skipped++;
			f->cls.ndpi_state = 3;
			return 0;
		}
		f->cls.ndpi = cf_ndpi_flow_new(c->ndpi);
		if (f->cls.ndpi == NULL) {
			c->st.ndpi_alloc_fail++;
			f->cls.ndpi_state = 2;
			return 0;
		}
		c->st.ndpi_flows++;
		if (++c->st.ndpi_live > c->st.ndpi_live_peak)
			c->st.ndpi_live_peak = c->st.ndpi_live;
	}
	c->st.ndpi_packets++;
	/* a ClientHello: only what names the flow (classify-hello.c) */
	if ((n = cf_hello_compact(pkt, c->hello_buf, sizeof(c->hello_buf))) > 0) {
		l3 = c->hello_buf;
		l3_len = n;
	}
	cf_ndpi_process(c->ndpi, f->cls.ndpi, l3, l3_len, pkt->ts_us / 1000, &nv);
	if (!nv.complete && f->cls.inspected >= CF_NDPI_MAX_PACKETS) {
		cf_ndpi_giveup(c->ndpi, f->cls.ndpi, &nv);
		changed = ndpi_take(c, f, &nv);
		c->st.ndpi_gaveup++;
		ndpi_release(c, f, 2);
		return changed;
	}
	changed = ndpi_take(c, f, &nv);
	if (nv.complete) {
		c->st.ndpi_decided++;
		ndpi_release(c, f, 1);
	}
	return changed;
}

/*
 * Can nDPI still change the verdict?  What callfence takes from it is the
 * app when nothing stronger named one (a catalog ndpi line, nDPI's own
 * name, the app among an operator's narrower=), the host when the flow
 * sent none callfence read, the l7 when callfence's recognisers know
 * none, and an evidence token.  Once the l7 came from the flow's own
 * packets, the host can no longer move (an SNI stays; nDPI's host
 * replaces a DNS name only with one a TLS, HTTP or QUIC flow sent, and
 * QUIC's server name is nDPI's to read), and the app came from a name
 * (SNI, certificate, DNS, the app's own wire format) or from an operator
 * of one app, more packets can only change the `ndpi:` token - and cost
 * nDPI's dissectors on every packet of a flow it may never name (an app's
 * own media format, DTLS-SRTP after STUN, a TLS session whose server nDPI
 * does not know).  decide() asks on the facts it decided on; the flow's
 * nDPI verdict is then taken as it stands (giveup: its guess too).
 */
static int ndpi_needless(const struct cf_flow *f, unsigned clue,
			 const struct cf_cat_match *m, int own_l7)
{
	const struct cf_class *cls = &f->cls;
	const struct cf_own_kind *k = cf_own_kind(cls->wire);
	int udp_media = f->proto == 17 && !(cls->seen & CF_SEEN_QUIC) &&
			((cls->seen & (CF_SEEN_ZOOM | CF_SEEN_RTP | CF_SEEN_RTCP)) ||
			 k != NULL);

	/* an app's own format counts too, l7 or not: nDPI has no dissector
	   for it that could name more than its guess by port, the same now
	   as at the flow's end */
	if (!(own_l7 || k != NULL) ||
	    ((cls->seen & CF_SEEN_QUIC) && !(cls->seen & CF_SEEN_NDPI_HOST)))
		return 0;
	if (clue == CF_CLUE_NAME)
		/* a DNS name on TCP without TLS may be HTTP's: nDPI reads its Host */
		return !((cls->seen & CF_SEEN_DNS_HOST) && f->proto == 6 &&
			 !(cls->seen & CF_SEEN_TLS_HELLO));
	if (clue == CF_CLUE_OPERATOR)
		return (m->narrower == NULL || m->narrower[0] == 0) &&
		       ((cls->seen & CF_SEEN_TLS_SNI) || udp_media);
	return 0;
}

/* Let nDPI go from a flow it can no longer change; 1 when its verdict
 * moved the facts (decide again). */
static int ndpi_let_go(struct cf_classifier *c, struct cf_flow *f)
{
	struct cf_ndpi_verdict nv;
	uint16_t app = f->cls.ndpi_app, master = f->cls.ndpi_master;
	int changed;

	if (f->cls.ndpi == NULL)
		return 0;
	cf_ndpi_giveup(c->ndpi, f->cls.ndpi, &nv);
	changed = ndpi_take(c, f, &nv);
	c->st.ndpi_let_go++;
	ndpi_release(c, f, 4);
	return changed || f->cls.ndpi_app != app || f->cls.ndpi_master != master;
}

/*
 * A TLS ClientHello that nDPI has not seen yet, on a flow nDPI still
 * works on (or the rest of one cut across segments, whose start nDPI
 * has): callfence reads it first (nDPI 4.2 spends some 50,000
 * instructions on a hello, most of them its fingerprints).  When the name
 * it sent decides the flow (ndpi_needless) nDPI is let go before it: all
 * it would take from the hello is the name callfence already read.
 * Returns 1 when the hello was read here, the facts' change in *changed.
 */
static int hello_first(struct cf_classifier *c, struct cf_flow *f,
		       const struct cf_packet *pkt, int dir, int *changed)
{
	struct cf_class *cls = &f->cls;
	const uint8_t *p = pkt->payload;

	if (pkt->proto != 6 || pkt->payload_len == 0 || cls->ndpi_state != 0 ||
	    (cls->seen & CF_SEEN_TLS_HELLO))
		return 0;
	/* a ClientHello's first segment, or the rest of one cut */
	if (!cf_hello_start(p, pkt->payload_len) && !cf_wire_hello_pending(c, f, dir))
		return 0;
	*changed = cf_wire_tcp(c, f, p, pkt->payload_len, dir, pkt->ts_us);
	if (!(cls->seen & CF_SEEN_TLS_SNI))
		return 1;
	*changed |= decide(c, f);
	if (!c->ndpi_needless || cf_hello_for_ndpi(c, f, pkt))
		return 1;
	if (cls->ndpi != NULL) {
		*changed |= ndpi_let_go(c, f);
	} else {                /* a flow whose first packet is the hello */
		cls->ndpi_state = 4;
		c->st.ndpi_flows++;
		c->st.ndpi_let_go++;
	}
	return 1;
}

/* --- per packet --------------------------------------------------------- */

/* Is there nothing more the first packets can tell? */
static int settled(const struct cf_flow *f)
{
	const struct cf_class *cls = &f->cls;

	if (cls->ndpi_state == 0)
		return 0;
	/* let go early: the flow stays open as long as nDPI could have kept
	   it (its own recognisers still look), so that letting nDPI go
	   changes no fact but nDPI's own */
	if (cls->ndpi_state == 4 && cls->inspected < CF_NDPI_MAX_PACKETS)
		return 0;
	if ((cls->roles & CF_ROLE_MEDIA) && (cls->roles & CF_ROLE_KEYX))
		return 1;
	if (cls->inspected >= CF_CLASSIFY_MAX_OPEN)
		return 1;
	/* a call flow whose media has not shown yet stays open longer */
	if (cls->inspected >= CF_CLASSIFY_MAX_INSPECT &&
	    !((cls->is_call || (cls->seen & SEEN_CALL)) && !(cls->roles & CF_ROLE_MEDIA)))
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

/* After the first look: may later packets still show the flow's media?
 * (UDP that is call traffic, unknown to nDPI or QUIC - a Snapchat call
 * opens with a QUIC handshake -, TCP framed as STUN or per RFC 4571.) */
static int may_show_media(struct cf_classifier *c, const struct cf_flow *f)
{
	const struct cf_class *cls = &f->cls;
	struct cf_ndpi_info tmp;
	uint16_t top;

	if (cls->roles & CF_ROLE_MEDIA)
		return 0;
	if (f->proto == 6)
		return (cls->seen & SEEN_FRAMED) != 0;
	if (f->proto != 17)
		return 0;
	if (cls->is_call || (cls->seen & (SEEN_CALL | CF_SEEN_QUIC)))
		return 1;
	top = ndpi_top(c, f);
	return top == 0 || nid_is_call(c, ninfo(c, top, &tmp)->app_nid);
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
	/* media or its DTLS handshake (which may come before the answer
	   that announced the other end) */
	if ((cls->seen & (CF_SEEN_RTP | CF_SEEN_RTCP | CF_SEEN_DTLS_HS)) &&
	    !(cls->seen & CF_SEEN_SDP_MEDIA)) {
		int kind = cf_sdp_announced(c, f, ts_us);

		if (kind) {
			cls->seen |= CF_SEEN_SDP_MEDIA;
			cls->wire = (uint8_t)(CF_WIRE_OWN(cls->wire) | kind << 4);
		}
	}
	return changed;
}

int cf_classify_packet(struct cf_classifier *c, struct cf_flow *f,
		       const struct cf_packet *pkt, int dir)
{
	struct cf_class *cls = &f->cls;
	uint32_t seen = cls->seen;
	uint16_t app = cls->ndpi_app, master = cls->ndpi_master;
	uint8_t wire = cls->wire;
	int changed, read_first;

	if (cls->done == CF_DONE_FINAL)
		return 0;
	c->ndpi_needless = 0;
	if (cls->inspected < UINT16_MAX)
		cls->inspected++;
	changed = 0;
	read_first = hello_first(c, f, pkt, dir ? 1 : 0, &changed);
	if (!(read_first && cf_hello_nameless(c, f, dir ? 1 : 0)))
		changed |= ndpi_packet(c, f, pkt);
	if (!read_first && pkt->payload_len > 0 && pkt->proto == 17)
		changed |= cf_wire_udp(c, f, pkt->payload, pkt->payload_len,
				       dir ? 1 : 0, pkt->ts_us);
	else if (!read_first && pkt->payload_len > 0 && pkt->proto == 6)
		changed |= cf_wire_tcp(c, f, pkt->payload, pkt->payload_len,
				       dir ? 1 : 0, pkt->ts_us);
	changed |= cross_flow_facts(c, f, pkt->ts_us);
	cf_call_flow(c, f, pkt, pkt->ts_us);
	cf_apps_pace(f);
	/* the verdict is a function of the facts: redo it when they moved */
	if (changed || ((cls->seen ^ seen) & ~SEEN_SCRATCH) || cls->wire != wire ||
	    cls->ndpi_app != app || cls->ndpi_master != master ||
	    cls->app_id == CF_NID_NONE)
		changed |= decide(c, f);
	if (c->ndpi_needless && ndpi_let_go(c, f))
		changed |= decide(c, f);
	if (cls->done == CF_DONE_SAMPLE) {
		if (!may_show_media(c, f))
			cls->done = CF_DONE_FINAL;
	} else if (settled(f)) {
		cls->done = may_show_media(c, f) ? CF_DONE_SAMPLE : CF_DONE_FINAL;
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
		ndpi_release(c, f, 2);
	} else if (f->cls.ndpi_state == 0) {
		f->cls.ndpi_state = 2;
	}
	cf_apps_pace(f);
	cf_call_flow(c, f, NULL, f->last_us);
	changed |= decide(c, f);
	f->cls.done = CF_DONE_FINAL;
	if (changed)
		f->cls.version++;
	return changed;
}
