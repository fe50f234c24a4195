/*
 * classify-apps.c - call flows whose media is not RTP: the apps that hide
 * it (recog-apps.c: Telegram's reflectors, Agora SD-RTN, Discord's voice
 * servers), media by its pace, BFCP, SIP and TURN over TLS; and the table of
 * every kind of "own" signalling a flow's payloads showed (cls.wire, low
 * nibble: these and the room systems of classify-rooms.c) with the roles,
 * app and wire protocol each gives.
 *
 * Media by its pace: an encrypted stream that is not RTP (Telegram,
 * IMO, Viber, LINE's own framing, a relay's proprietary encapsulation)
 * shows no header to confirm, but a call's media is a steady stream of
 * mid-sized datagrams - an audio frame every 20-60 ms, video more often.
 * A UDP flow already known to be a call app's (its app from the catalog,
 * nDPI or the wire), with nothing on it that says otherwise (QUIC; DTLS,
 * whose application data may be a data channel's), is media once one direction has
 * sent CF_PACE_MIN_PKTS datagrams at CF_PACE_MIN_RATE a second or more
 * over the flow's life, averaging between CF_PACE_MIN_SIZE and
 * CF_PACE_MAX_SIZE IP bytes.  Keep-alives (one a second or less), a
 * reflector's pings and a signalling exchange stay below it.  The
 * counters are the flow's own (no state is added); the fact is kept in
 * cls.wire, so the role stays once found.
 */
#include "config.h"

#include <string.h>

#include "classify/classify-int.h"
#include "flow/flow.h"
#include "classify/recog/recog.h"
#include "util/role.h"

#define CF_PACE_MIN_PKTS 16
#define CF_PACE_MIN_RATE 10          /* datagrams a second */
#define CF_PACE_MIN_SIZE 60          /* IP bytes, average */
#define CF_PACE_MAX_SIZE 1400
#define CF_PACE_MIN_US 500000        /* the flow's life so far */

#define TG_PORT_MIN 500              /* Telegram's reflectors listen here */
#define TG_PORT_MAX 600
#define PORT_SIPS 5061               /* SIP over TLS (RFC 5630, IANA) */
#define PORT_TURNS 5349              /* TURN over TLS (RFC 7065, IANA) */

static const struct cf_own_kind kinds[] = {
	[CF_WIRE_H225] = { CF_ROLE_SIGNALING, "h225", NULL, CF_NID_H323, CF_NID_H225 },
	[CF_WIRE_H245] = { CF_ROLE_SIGNALING, "h245-olc", NULL, CF_NID_H323, CF_NID_H245 },
	[CF_WIRE_RAS] = { CF_ROLE_SIGNALING, "ras", NULL, CF_NID_H323, CF_NID_RAS },
	[CF_WIRE_SCCP] = { CF_ROLE_SIGNALING, "sccp", NULL, CF_NID_SKINNY, CF_NID_SCCP },
	[CF_WIRE_MGCP] = { CF_ROLE_SIGNALING, "mgcp", NULL, CF_NID_MGCP, CF_NID_MGCP },
	[CF_WIRE_IAX2] = { CF_ROLE_SIGNALING, "iax2", NULL, CF_NID_IAX2, CF_NID_IAX2 },
	[CF_WIRE_IAX2_MEDIA] = { CF_ROLE_SIGNALING | CF_ROLE_MEDIA, "iax2-media", NULL,
				 CF_NID_IAX2, CF_NID_IAX2 },
	[CF_WIRE_TG_RELAY] = { CF_ROLE_RELAY, "tg-reflector", NULL, CF_NID_TELEGRAM, 0 },
	[CF_WIRE_TG_MEDIA] = { CF_ROLE_RELAY | CF_ROLE_MEDIA, "tg-reflector", "media-pace",
			       CF_NID_TELEGRAM, 0 },
	[CF_WIRE_AGORA] = { CF_ROLE_RELAY, "agora-join", NULL, CF_NID_AGORA, 0 },
	[CF_WIRE_AGORA_MEDIA] = { CF_ROLE_RELAY | CF_ROLE_MEDIA, "agora-join", "media-pace",
				  CF_NID_AGORA, 0 },
	/* the app only: the voice flow's RTP (or its pace) shows its media */
	[CF_WIRE_DISCORD] = { 0, "discord-voice", NULL, CF_NID_DISCORD, 0 },
	[CF_WIRE_PACED] = { CF_ROLE_MEDIA, "media-pace", NULL, 0, 0 },
	[CF_WIRE_BFCP] = { CF_ROLE_SIGNALING, "bfcp", NULL, CF_NID_BFCP, CF_NID_BFCP },
	[CF_WIRE_SIPS] = { CF_ROLE_SIGNALING, "sip-tls", NULL, CF_NID_SIP, 0 },
};

const struct cf_own_kind *cf_own_kind(uint8_t wire)
{
	unsigned o = CF_WIRE_OWN(wire);

	if (o == 0 || o >= sizeof(kinds) / sizeof(kinds[0]) || kinds[o].tok == NULL)
		return NULL;
	return &kinds[o];
}

static int port_in(const struct cf_flow *f, uint16_t lo, uint16_t hi)
{
	return (f->port[0] >= lo && f->port[0] <= hi) ||
	       (f->port[1] >= lo && f->port[1] <= hi);
}

/*
 * BFCP has no port of its own (SDP negotiates it): a message counts only
 * when it walks out exactly with its attributes, in the version its
 * transport calls for (1 on TCP, 2 on UDP), and the flow's next such
 * message names the same conference (its id held in the RTP candidate
 * field of direction 0, unused by a flow that is not RTP).
 */
static int bfcp(struct cf_class *cls, const uint8_t *p, size_t len, int stream)
{
	struct cf_bfcp_info bi;

	if (cf_recog_bfcp(p, len, stream, &bi) != CF_REC_YES || bi.attrs == 0 ||
	    bi.version != (stream ? 1 : 2) || (!stream && !bi.exact))
		return 0;
	if ((cls->seen & CF_SEEN_RTP_CAND0) == 0 || cls->rtp_ssrc[0] != bi.conference_id) {
		cls->rtp_ssrc[0] = bi.conference_id;
		cls->seen |= CF_SEEN_RTP_CAND0;
		return 1;
	}
	cf_wire_set_own(cls, CF_WIRE_BFCP);
	return 1;
}

int cf_apps_udp(struct cf_flow *f, const uint8_t *p, size_t len, int *host_changed)
{
	struct cf_class *cls = &f->cls;
	struct cf_agora_info ai;
	uint32_t type;
	int kind;

	*host_changed = 0;
	if (CF_WIRE_OWN(cls->wire) != CF_WIRE_NONE)
		return 0;
	if (port_in(f, TG_PORT_MIN, TG_PORT_MAX) &&
	    cf_recog_tg_reflector(p, len, &type) == CF_REC_YES) {
		cf_wire_set_own(cls, CF_WIRE_TG_RELAY);
		return 1;
	}
	if (cf_recog_agora_join(p, len, &ai) == CF_REC_YES) {
		cf_wire_set_own(cls, CF_WIRE_AGORA);
		if (cls->host_str == NULL) {
			cf_class_set_host(cls, ai.host, ai.host_len);
			*host_changed = 1;
		}
		return 1;
	}
	if (cf_recog_discord(p, len, &kind) == CF_REC_YES) {
		cf_wire_set_own(cls, CF_WIRE_DISCORD);
		return 1;
	}
	if (!(cls->seen & (SEEN_CALL | CF_SEEN_QUIC)) && bfcp(cls, p, len, 0))
		return 1;
	return 0;
}

int cf_apps_tcp(struct cf_flow *f, const uint8_t *p, size_t len, int tls_hello)
{
	struct cf_class *cls = &f->cls;

	if (CF_WIRE_OWN(cls->wire) != CF_WIRE_NONE)
		return 0;
	if (tls_hello) {
		/* TLS on the sips port: SIP's signalling, and with it any SDES
		   keys, out of every observer's sight */
		if (f->port[0] == PORT_SIPS || f->port[1] == PORT_SIPS) {
			cf_wire_set_own(cls, CF_WIRE_SIPS);
			return 1;
		}
		/* TLS on the turns port (RFC 7065): TURN over TLS, as the ALPN
		   stun.turn says where a client sends one (browsers given an
		   address, not a name, send neither ALPN nor SNI) */
		if (f->port[0] == PORT_TURNS || f->port[1] == PORT_TURNS) {
			cls->seen |= CF_SEEN_TURN;
			return 1;
		}
		return 0;
	}
	return !(cls->seen & (SEEN_CALL | CF_SEEN_TLS_HELLO)) && bfcp(cls, p, len, 1);
}

/* One direction at a media pace (see the top of the file). */
static int paced(const struct cf_flow *f)
{
	uint64_t life = f->last_us > f->first_us ? f->last_us - f->first_us : 0;
	int d;

	if (life < CF_PACE_MIN_US)
		return 0;
	for (d = 0; d < 2; d++) {
		uint64_t n = f->pkts[d];

		if (n < CF_PACE_MIN_PKTS)
			continue;
		if (n * 1000000u < (uint64_t)CF_PACE_MIN_RATE * life)
			continue;
		if (f->bytes[d] >= n * CF_PACE_MIN_SIZE && f->bytes[d] <= n * CF_PACE_MAX_SIZE)
			return 1;
	}
	return 0;
}

int cf_apps_pace(struct cf_flow *f)
{
	struct cf_class *cls = &f->cls;
	unsigned own = CF_WIRE_OWN(cls->wire);

	if (f->proto != 17 || !cls->is_call || (cls->roles & CF_ROLE_MEDIA) ||
	    (cls->seen & (CF_SEEN_QUIC | CF_SEEN_DTLS)))
		return 0;
	if (own != CF_WIRE_NONE && own != CF_WIRE_TG_RELAY && own != CF_WIRE_AGORA)
		return 0;
	if (!paced(f))
		return 0;
	cf_wire_set_own(cls, own == CF_WIRE_TG_RELAY ? CF_WIRE_TG_MEDIA :
		     own == CF_WIRE_AGORA ? CF_WIRE_AGORA_MEDIA : CF_WIRE_PACED);
	return 1;
}
