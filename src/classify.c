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
 *   app:   catalog host (SNI) > catalog net > nDPI call app via the
 *          catalog > catalog port (call traffic only) > generic "webrtc",
 *          "sip", "rtp" > nDPI's name in lower case > "unknown".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cursor.h"
#include "classify-ndpi.h"
#include "classify.h"
#include "decode.h"
#include "flow.h"
#include "recog.h"

/* cls.seen bits */
#define CF_SEEN_TLS_HELLO   0x00000001u  /* a ClientHello or ServerHello */
#define CF_SEEN_TLS_SNI     0x00000002u  /* cls.host came from the SNI */
#define CF_SEEN_DTLS        0x00000004u  /* DTLS records */
#define CF_SEEN_DTLS_HS     0x00000008u  /* DTLS handshake / CCS records */
#define CF_SEEN_STUN        0x00000010u  /* STUN Binding */
#define CF_SEEN_TURN        0x00000020u  /* TURN method or ChannelData */
#define CF_SEEN_RTP_CAND0   0x00000040u  /* rtp_ssrc[0] holds a candidate */
#define CF_SEEN_RTP_CAND1   0x00000080u  /* rtp_ssrc[1] holds a candidate */
#define CF_SEEN_RTP         0x00000100u  /* RTP confirmed (SSRC repeated) */
#define CF_SEEN_RTCP        0x00000200u  /* RTCP confirmed */
#define CF_SEEN_ZOOM_CAND   0x00000400u  /* one Zoom media packet */
#define CF_SEEN_ZOOM        0x00000800u  /* two or more: confirmed */
#define CF_SEEN_ZOOM_AUDIO  0x00001000u
#define CF_SEEN_ZOOM_VIDEO  0x00002000u
#define CF_SEEN_ZOOM_SCREEN 0x00004000u
#define CF_SEEN_ZOOM_RTCP   0x00008000u
#define CF_SEEN_ZRTP        0x00010000u
#define CF_SEEN_SIP         0x00020000u
#define CF_SEEN_SDP_CRYPTO  0x00040000u
#define CF_SEEN_NDPI_HOST   0x00080000u  /* cls.host came from nDPI */

#define SEEN_ZOOM_KINDS (CF_SEEN_ZOOM_AUDIO | CF_SEEN_ZOOM_VIDEO | \
			 CF_SEEN_ZOOM_SCREEN | CF_SEEN_ZOOM_RTCP)
/* Call traffic on the wire: what lets a catalog port line speak. */
#define SEEN_CALL (CF_SEEN_DTLS_HS | CF_SEEN_STUN | CF_SEEN_TURN | \
		   CF_SEEN_RTP | CF_SEEN_RTCP | CF_SEEN_ZOOM | CF_SEEN_ZRTP | \
		   CF_SEEN_SIP)

/* Recognisers stop after this many packets of a flow. */
#define CF_CLASSIFY_MAX_INSPECT 64
/* ... or once each direction sent this many and nothing is pending. */
#define CF_CLASSIFY_EACH_WAY 16
/* RTP confirmation: the repeat's sequence number is 1..this ahead. */
#define RTP_SEQ_WINDOW 512

struct cf_classifier {
	struct cf_catalog *cat;
	struct cf_ndpi *ndpi;
	struct cf_classify_stats st;
};

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
	if (c->ndpi == NULL) {
		cf_catalog_free(c->cat);
		free(c);
		return NULL;
	}
	return c;
}

void cf_classifier_free(struct cf_classifier *c)
{
	if (c == NULL)
		return;
	cf_ndpi_free(c->ndpi);
	cf_catalog_free(c->cat);
	free(c);
}

int cf_classify_is_call_app(const struct cf_classifier *c, const char *app)
{
	return c != NULL && cf_catalog_is_call_app(c->cat, app);
}

void cf_classify_get_stats(const struct cf_classifier *c,
			   struct cf_classify_stats *st)
{
	*st = c->st;
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

/* nDPI protocols whose host name is a query, not the flow's server. */
static int ndpi_name_service(const struct cf_classifier *c, const struct cf_flow *f)
{
	static const char *const ns[] = { "DNS", "MDNS", "LLMNR", "NetBIOS", NULL };

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
	return (f->cls.seen & CF_SEEN_TLS_SNI) || ndpi_web(c, f);
}

/* Generic apps for call traffic no catalog line claimed. */
static const char *generic_app(uint32_t seen)
{
	if (seen & (CF_SEEN_DTLS_HS | CF_SEEN_STUN | CF_SEEN_TURN))
		return "webrtc";
	if (seen & CF_SEEN_SIP)
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
		{ CF_SEEN_SDP_CRYPTO, CF_ROLE_KEYX, "sdp-crypto" },
		{ CF_SEEN_RTP, CF_ROLE_MEDIA, "rtp" },
		{ CF_SEEN_RTCP, CF_ROLE_MEDIA, "rtcp" },
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

static void catalog_roles(const struct cf_classifier *c, const struct cf_flow *f,
			  struct verdict *v, const struct cf_cat_match *decided)
{
	struct cf_cat_match m;

	if (decided->id != NULL)
		evid(v, "catalog", decided->id);
	line_roles(v, host_usable(c, f) &&
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
	else if (host_usable(c, f))
		evid(&v, "ndpi-host", NULL);
	decide_app(c, f, &v, &m);
	catalog_roles(c, f, &v, &m);
	wire_roles(cls->seen, &v);
	is_call = (uint8_t)(cf_catalog_is_call_app(c->cat, v.app) ||
			    (v.roles & (CF_ROLE_KEYX | CF_ROLE_MEDIA | CF_ROLE_RELAY)));
	if (is_call && v.roles == 0 &&
	    ((cls->seen & CF_SEEN_TLS_HELLO) || ndpi_web(c, f)))
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
	copy_str(cls->host, sizeof(cls->host), nv->host);
	cls->seen |= CF_SEEN_NDPI_HOST;
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

/* --- recognisers ------------------------------------------------------ */

static int is_zoom_port(uint16_t port)
{
	return port >= CF_ZOOM_PORT_MIN && port <= CF_ZOOM_PORT_MAX;
}

/*
 * RTP/RTCP: a direction is media once it repeats an SSRC, RTP with a
 * sequence number a little ahead (so a repeated DNS query or other
 * lookalike with fixed bytes does not pass); a compound RTCP datagram
 * that walks out exactly is enough on its own.
 */
static void rtp_fact(struct cf_class *cls, const struct cf_rtp_info *ri, int dir)
{
	uint32_t cand = dir ? CF_SEEN_RTP_CAND1 : CF_SEEN_RTP_CAND0;
	uint16_t ahead = (uint16_t)(ri->seq - cls->rtp_seq[dir]);

	if (ri->is_rtcp && ri->exact) {
		cls->seen |= CF_SEEN_RTCP;
		return;
	}
	if ((cls->seen & cand) && cls->rtp_ssrc[dir] == ri->ssrc) {
		if (ri->is_rtcp)
			cls->seen |= CF_SEEN_RTCP;
		else if (ahead >= 1 && ahead <= RTP_SEQ_WINDOW)
			cls->seen |= CF_SEEN_RTP;
	}
	cls->rtp_ssrc[dir] = ri->ssrc;
	if (!ri->is_rtcp)
		cls->rtp_seq[dir] = ri->seq;
	cls->seen |= cand;
}

static void zoom_fact(struct cf_class *cls, const struct cf_zoom_info *zi)
{
	static const uint32_t kind_bit[] = {
		[CF_ZOOM_AUDIO] = CF_SEEN_ZOOM_AUDIO,
		[CF_ZOOM_VIDEO] = CF_SEEN_ZOOM_VIDEO,
		[CF_ZOOM_SCREEN] = CF_SEEN_ZOOM_SCREEN,
		[CF_ZOOM_RTCP] = CF_SEEN_ZOOM_RTCP,
		[CF_ZOOM_OTHER] = 0,
	};

	cls->seen |= (cls->seen & CF_SEEN_ZOOM_CAND) ? CF_SEEN_ZOOM : CF_SEEN_ZOOM_CAND;
	if (zi->kind > CF_ZOOM_NONE && zi->kind <= CF_ZOOM_OTHER)
		cls->seen |= kind_bit[zi->kind];
}

static void udp_payload(struct cf_flow *f, const uint8_t *p, size_t len,
			int dir, int depth);

static void stun_fact(struct cf_flow *f, const uint8_t *p, size_t len, int dir,
		      int depth)
{
	struct cf_stun_info si;

	if (cf_recog_stun(p, len, 0, &si) != CF_REC_YES)
		return;
	if (si.is_relay)
		f->cls.seen |= CF_SEEN_TURN;
	else if (si.method == CF_STUN_BINDING)
		f->cls.seen |= CF_SEEN_STUN;
	if (si.is_channel_data && depth == 0)
		udp_payload(f, p + si.data_off, len - si.data_off, dir, depth + 1);
}

static void dtls_fact(struct cf_class *cls, const uint8_t *p, size_t len)
{
	struct cf_dtls_info di;

	if (cf_recog_dtls(p, len, &di) != CF_REC_YES)
		return;
	cls->seen |= CF_SEEN_DTLS;
	if (di.has_handshake)
		cls->seen |= CF_SEEN_DTLS_HS;
}

/* P2P Zoom media: only on a flow already taken for Zoom or after ICE. */
static void zoom_p2p(struct cf_class *cls, const uint8_t *p, size_t len)
{
	struct cf_zoom_info zi;

	if (strcmp(cls->app, "zoom") != 0 && !(cls->seen & CF_SEEN_STUN))
		return;
	if (cf_recog_zoom(p, len, 0, &zi) == CF_REC_YES)
		zoom_fact(cls, &zi);
}

/* Demultiplex by the first byte (RFC 7983 / RFC 9443). */
static void udp_payload(struct cf_flow *f, const uint8_t *p, size_t len,
			int dir, int depth)
{
	struct cf_class *cls = &f->cls;
	struct cf_rtp_info ri;
	struct cf_zoom_info zi;
	struct cursor c;
	uint8_t b0;

	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0))
		return;
	if (depth == 0 && (is_zoom_port(f->port[0]) || is_zoom_port(f->port[1])) &&
	    cf_recog_zoom(p, len, 1, &zi) == CF_REC_YES) {
		zoom_fact(cls, &zi);
		return;
	}
	if (b0 <= 3 || (b0 >= 64 && b0 <= 79))
		stun_fact(f, p, len, dir, depth);
	else if (b0 >= 16 && b0 <= 19 && cf_recog_zrtp(p, len))
		cls->seen |= CF_SEEN_ZRTP;
	else if (b0 >= 20 && b0 <= 63)
		dtls_fact(cls, p, len);
	else if (b0 >= 128 && b0 <= 191 && cf_recog_rtp(p, len, &ri) == CF_REC_YES)
		rtp_fact(cls, &ri, dir);
	if (depth == 0 && !(cls->seen & SEEN_CALL & ~CF_SEEN_STUN))
		zoom_p2p(cls, p, len);
}

static void sip_payload(struct cf_class *cls, const uint8_t *p, size_t len)
{
	struct cf_sip_info si;

	if (cf_recog_sip(p, len, &si) != CF_REC_YES)
		return;
	cls->seen |= CF_SEEN_SIP;
	if (si.has_sdp_crypto)
		cls->seen |= CF_SEEN_SDP_CRYPTO;
}

/* TLS hello: SNI becomes the host; 1 when the host changed. */
static int tcp_payload(struct cf_class *cls, const uint8_t *p, size_t len)
{
	struct cf_tls_info ti;
	enum cf_rec r;

	sip_payload(cls, p, len);
	if (cls->seen & CF_SEEN_TLS_HELLO)
		return 0;
	r = cf_recog_tls(p, len, &ti);
	if (r == CF_REC_NO || !(ti.is_client_hello || ti.is_server_hello))
		return 0;
	cls->seen |= CF_SEEN_TLS_HELLO;
	if (!ti.has_sni || strcmp(cls->host, ti.sni) == 0) {
		cls->seen |= ti.has_sni ? CF_SEEN_TLS_SNI : 0;
		return 0;
	}
	copy_str(cls->host, sizeof(cls->host), ti.sni);
	cls->seen = (cls->seen | CF_SEEN_TLS_SNI) & ~CF_SEEN_NDPI_HOST;
	return 1;
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
	if (f->pkts[0] < CF_CLASSIFY_EACH_WAY || f->pkts[1] < CF_CLASSIFY_EACH_WAY)
		return 0;
	/* call traffic without media yet: keep looking for the media */
	return !(cls->seen & SEEN_CALL) || (cls->roles & CF_ROLE_MEDIA);
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
	if (pkt->payload_len > 0 && pkt->proto == 17) {
		udp_payload(f, pkt->payload, pkt->payload_len, dir ? 1 : 0, 0);
		sip_payload(cls, pkt->payload, pkt->payload_len);
	} else if (pkt->payload_len > 0 && pkt->proto == 6) {
		changed |= tcp_payload(cls, pkt->payload, pkt->payload_len);
	}
	/* the verdict is a function of the facts: redo it when they moved */
	if (changed || cls->seen != seen || cls->ndpi_app != app ||
	    cls->ndpi_master != master || cls->app[0] == '\0')
		changed |= decide(c, f);
	if (settled(f))
		cls->done = 1;
	if (changed)
		cls->version++;
	return changed;
}

int cf_classify_finish(struct cf_classifier *c, struct cf_flow *f)
{
	struct cf_ndpi_verdict nv;
	int changed = 0;

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
