/*
 * classify-roles.c - the evidence tokens and roles of a verdict that the
 * wire's facts and the catalog's lines give (classify.c decides with
 * them): what a DTLS handshake keys, the roles of the flow's own
 * signalling and of its recognised payloads, of a catalog line.
 */
#include "config.h"

#include <string.h>

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "classify/classify.h"
#include "util/role.h"

/* Append a token ("a:b" when b is not NULL, at most 63 bytes) unless
 * present or full. */
void cf_evid(struct verdict *v, const char *a, const char *b)
{
	char tok[64];
	size_t n = 0, have = v->evlen;
	const char *p;

	for (; *a && n + 1 < sizeof(tok); a++)
		tok[n++] = *a;
	if (b != NULL && n + 1 < sizeof(tok))
		tok[n++] = ':';
	for (; b != NULL && *b && n + 1 < sizeof(tok); b++)
		tok[n++] = *b;
	tok[n] = '\0';
	for (p = v->evidence; (p = strstr(p, tok)) != NULL; p += n)
		if ((p == v->evidence || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return;
	if (have + (have > 0) + n >= sizeof(v->evidence))
		return;
	if (have > 0)
		v->evidence[have++] = ' ';
	memcpy(v->evidence + have, tok, n + 1);
	v->evlen = have + n;
}

/*
 * A DTLS handshake keys a call only with call evidence on the wire:
 * use_srtp in a hello (RFC 5764), ICE or TURN on the same 5-tuple, media
 * after it - or a call app's catalog line for the flow (call_app).  Any
 * other DTLS (a game relay's, a VPN's) is no key exchange, whatever its
 * port.  The token names the fact that decided.
 */
const char *cf_dtls_call_evidence(uint32_t seen, int call_app)
{
	if (!(seen & CF_SEEN_DTLS_HS))
		return NULL;
	if (seen & CF_SEEN_DTLS_SRTP)
		return "use-srtp";
	if (seen & (CF_SEEN_STUN | CF_SEEN_TURN))
		return "ice";
	if (seen & (CF_SEEN_RTP | CF_SEEN_RTCP | CF_SEEN_ZOOM))
		return "srtp";
	return call_app ? "call-app" : NULL;
}

/* The signalling of the flow's own payloads (room systems, apps that
 * hide their media: cf_own_kind), with its tokens. */
void cf_own_roles(uint8_t wire, struct verdict *v)
{
	const struct cf_own_kind *k = cf_own_kind(wire);

	if (k == NULL)
		return;
	v->roles |= k->roles;
	cf_evid(v, k->tok, NULL);
	if (k->tok2 != NULL)
		cf_evid(v, k->tok2, NULL);
}

/* Roles the wire showed, with their evidence tokens (call_app: a call
 * app's catalog line decided the app). */
void cf_wire_roles(uint32_t seen, int call_app, struct verdict *v)
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
	const char *dtls = cf_dtls_call_evidence(seen, call_app);
	size_t i;

	if ((seen & CF_SEEN_DTLS_HS) && dtls == NULL) {
		seen &= ~CF_SEEN_DTLS_HS;
		cf_evid(v, "dtls-no-call-evidence", NULL);
	}
	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (seen & facts[i].bit) {
			v->roles |= facts[i].role;
			cf_evid(v, facts[i].tok, NULL);
			if (facts[i].bit == CF_SEEN_DTLS_HS)
				cf_evid(v, dtls, NULL);
		}
	if (!(seen & CF_SEEN_ZOOM))
		return;
	cf_evid(v, "zoom-encap", NULL);
	for (i = 0; i < sizeof(zoom) / sizeof(zoom[0]); i++)
		if (seen & zoom[i].bit) {
			v->roles |= CF_ROLE_MEDIA;
			cf_evid(v, zoom[i].tok, NULL);
		}
}

/* Add the roles= of a catalog line naming the flow's app (the line is
 * evidence when it gives roles); only those of them in mask. */
void cf_line_roles(struct verdict *v, int matched, const struct cf_cat_match *m,
		       unsigned mask)
{
	if (!matched || m->app_nid != v->app || (m->roles & mask) == 0)
		return;
	v->roles |= m->roles & mask;
	cf_evid(v, "catalog", m->id);
}

/*
 * A port line speaks for the flow's payloads only as far as they go: it
 * gives media only where media packets were seen, key exchange only to a
 * DTLS handshake, signaling only to STUN or SIP, relay only to TURN.
 */
unsigned cf_port_line_mask(uint32_t seen)
{
	unsigned mask = CF_ROLE_WEB;

	if (seen & (CF_SEEN_RTP | CF_SEEN_RTCP | CF_SEEN_ZOOM))
		mask |= CF_ROLE_MEDIA;
	if (seen & (CF_SEEN_DTLS_HS | CF_SEEN_ZRTP))
		mask |= CF_ROLE_KEYX;
	if (seen & (CF_SEEN_STUN | CF_SEEN_SIP))
		mask |= CF_ROLE_SIGNALING;
	if (seen & CF_SEEN_TURN)
		mask |= CF_ROLE_RELAY;
	return mask;
}

