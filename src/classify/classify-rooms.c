/*
 * classify-rooms.c - the signalling of enterprise and government room
 * systems and VoIP gateways: H.323 (H.225.0 call signalling on TCP 1720,
 * RAS on UDP 1718/1719, H.245), Cisco Skinny (TCP 2000), MGCP (UDP
 * 2427/2727) and IAX2 (UDP 4569), read with the recognisers of
 * recog-h323.c, recog-sccp.c, recog-mgcp.c and recog-iax2.c.
 *
 * Two kinds of facts:
 *  - the flow's own signalling (cls.wire, low nibble): a flow that carries
 *    it is signalling, IAX2 also media (its voice frames ride the same
 *    5-tuple);
 *  - the media ends the signalling announces in the clear (H.245
 *    OpenLogicalChannelAck, Skinny OpenReceiveChannelAck and
 *    StartMediaTransmission, MGCP's SDP), remembered in the classifier's
 *    announcement table (classify-sdp.c) with their kind, so that the
 *    RTP flows that follow are known for that app, as SIP's SDP does.
 *    These packets are facts about other flows: with --threads the reader
 *    hands them to every engine (cf_rooms_is_shared).
 *
 * What is weak on its own is asked more of: an RAS message other than
 * the gatekeeper/registration ones, an MGCP response line and an IAX2
 * mini frame only count on their well-known ports; an H.245 message only
 * when its OpenLogicalChannelAck walked out (H.245's first octets alone
 * say too little).  A message cut by the end of a TCP segment counts for
 * what it shows; the rest of it is not carried over (the first messages of
 * these streams are short and whole).  Skinny over TLS (2443), SIP over
 * TLS (5061) and H.323 over TLS are not readable: SDES keys exchanged
 * there are invisible to any observer.
 */
#include "config.h"

#include <string.h>

#include "classify/classify-int.h"
#include "decode/decode.h"
#include "flow/flow.h"

#define PORT_H225   1720
#define PORT_RAS    1719
#define PORT_RAS_MC 1718          /* gatekeeper discovery (multicast) */
#define PORT_SCCP   2000
#define PORT_MGCP_GW 2427         /* gateway */
#define PORT_MGCP_CA 2727         /* call agent */

static int has_port(uint16_t a, uint16_t b, uint16_t port)
{
	return a == port || b == port;
}

static int tpkt_start(const uint8_t *p, size_t len)
{
	return len >= 4 && p[0] == 3 && p[1] == 0;
}

/*
 * An H.245 OpenLogicalChannelAck right behind a TPKT header: aligned PER,
 * MultimediaSystemControlMessage response (1) and ResponseMessage
 * openLogicalChannelAck (5): first octets 0x22, then a set top bit.  So
 * narrow because every packet of a TPKT stream (RDP's among them) would
 * otherwise be read, and with --threads handed to every engine.
 */
static int h245_olc_ack(const uint8_t *p, size_t len)
{
	return tpkt_start(p, len) && len >= 6 && p[4] == 0x22 && (p[5] & 0x80);
}

int cf_rooms_is_shared(const struct cf_packet *pkt)
{
	if (pkt->payload_len == 0 || pkt->payload == NULL)
		return 0;
	if (pkt->proto == 6)
		return h245_olc_ack(pkt->payload, pkt->payload_len) ||
		       has_port(pkt->sport, pkt->dport, PORT_SCCP);
	return pkt->proto == 17 && (has_port(pkt->sport, pkt->dport, PORT_MGCP_GW) ||
				    has_port(pkt->sport, pkt->dport, PORT_MGCP_CA));
}

uint64_t cf_rooms_channel_key(const struct cf_packet *pkt)
{
	if (pkt->proto != 6 || pkt->payload == NULL ||
	    !h245_olc_ack(pkt->payload, pkt->payload_len))
		return 0;
	return cf_call_pair_key("h245", &pkt->src, pkt->sport, &pkt->dst, pkt->dport);
}

/* A media end and its RTCP end from an H.245 OpenLogicalChannelAck on
 * the channel whose key is call. */
static void h245_announce(struct cf_classifier *c, const struct cf_h225_info *hi,
			  uint64_t ts_us, uint64_t call)
{
	struct cf_sdp_media m[2];
	size_t n = 0;

	if (hi->has_media) {
		m[n].addr = hi->media_addr;
		m[n++].port = hi->media_port;
	}
	if (hi->has_media_ctl) {
		m[n].addr = hi->media_ctl_addr;
		m[n++].port = hi->media_ctl_port;
	}
	cf_sdp_remember(c, m, n, ts_us, CF_ANN_H323, call);
}

/* The call of a Skinny media channel: the phone's connection and the
 * channel's passThruPartyId. */
static uint64_t sccp_call_key(const struct cf_packet *pkt, uint32_t party)
{
	uint64_t h = cf_call_pair_key("sccp", &pkt->src, pkt->sport, &pkt->dst, pkt->dport);

	return h == 0 ? 0 : cf_mix64(h ^ ((uint64_t)party << 1 | 1));
}

void cf_rooms_shared(struct cf_classifier *c, const struct cf_packet *pkt)
{
	const uint8_t *p = pkt->payload;
	size_t len = pkt->payload_len, i;
	struct cf_h225_info hi;
	struct cf_sccp_info si;
	struct cf_mgcp_info mi;
	struct cf_sdp_media m[CF_SCCP_MEDIA_MAX];

	if (pkt->proto == 6 && h245_olc_ack(p, len)) {
		if (cf_recog_h225(p, len, &hi) == CF_REC_YES && hi.kind == CF_H323_H245 &&
		    (hi.has_media || hi.has_media_ctl))
			h245_announce(c, &hi, pkt->ts_us, cf_rooms_channel_key(pkt));
	} else if (pkt->proto == 6) {
		if (cf_recog_sccp(p, len, &si) != CF_REC_YES)
			return;
		/* one media channel of one call: its passThruPartyId on the
		   phone's Skinny connection (both messages name it) */
		for (i = 0; i < si.n_media; i++) {
			m[0].addr = si.media[i].addr;
			m[0].port = si.media[i].port;
			cf_sdp_remember(c, m, 1, pkt->ts_us, CF_ANN_SCCP,
					sccp_call_key(pkt, si.media[i].party));
		}
	} else if (cf_recog_mgcp(p, len, &mi) == CF_REC_YES && mi.n_media > 0) {
		cf_sdp_remember(c, mi.media, mi.n_media, pkt->ts_us, CF_ANN_MGCP, 0);
	}
}

static void set_own(struct cf_class *cls, int w)
{
	/* IAX2 media outranks IAX2 signalling: it is the same flow */
	if (CF_WIRE_OWN(cls->wire) == CF_WIRE_IAX2_MEDIA)
		return;
	cf_wire_set_own(cls, (unsigned)w);
}

/*
 * IAX2 (RFC 5456): control frames are signalling; voice and video full
 * frames are media; mini frames carry few bits of their own, so a mini
 * frame counts as media only when the same source call number comes back
 * with its timestamp moving forward - the RTP candidate fields of the
 * flow hold the call number and timestamp, as for an SSRC.
 */
static void iax2(struct cf_class *cls, const struct cf_iax2_info *ii, int dir)
{
	uint16_t ahead = (uint16_t)(ii->ts - cls->rtp_seq[dir]);
	uint32_t cand = dir ? CF_SEEN_RTP_CAND1 : CF_SEEN_RTP_CAND0;

	if (!ii->weak) {
		if (ii->is_signaling)
			set_own(cls, CF_WIRE_IAX2);
		else if (ii->is_media)
			set_own(cls, CF_WIRE_IAX2_MEDIA);
		return;
	}
	if (ii->kind != CF_IAX2_MINI)
		return;
	if ((cls->seen & cand) && cls->rtp_ssrc[dir] == ii->src_call &&
	    ahead >= 1 && ahead <= 2000)     /* ms: a few frames' worth */
		set_own(cls, CF_WIRE_IAX2_MEDIA);
	cls->rtp_ssrc[dir] = ii->src_call;
	cls->rtp_seq[dir] = (uint16_t)ii->ts;
	cls->seen |= cand;
}

int cf_rooms_udp(struct cf_flow *f, const uint8_t *p, size_t len, int dir)
{
	struct cf_class *cls = &f->cls;
	uint16_t a = f->port[0], b = f->port[1];
	struct cf_ras_info ri;
	struct cf_mgcp_info mi;
	struct cf_iax2_info ii;

	if (has_port(a, b, CF_IAX2_PORT)) {
		if (cf_recog_iax2(p, len, &ii) != CF_REC_YES)
			return 0;
		iax2(cls, &ii, dir);
		return 1;
	}
	if (has_port(a, b, PORT_MGCP_GW) || has_port(a, b, PORT_MGCP_CA)) {
		if (cf_recog_mgcp(p, len, &mi) != CF_REC_YES)
			return 0;
		set_own(cls, CF_WIRE_MGCP);
		return 1;
	}
	if (has_port(a, b, PORT_RAS) || has_port(a, b, PORT_RAS_MC)) {
		if (cf_recog_ras(p, len, &ri) != CF_REC_YES || !ri.seq_ok)
			return 0;
		set_own(cls, CF_WIRE_RAS);
		return 1;
	}
	return 0;
}

int cf_rooms_tcp(struct cf_flow *f, const uint8_t *p, size_t len)
{
	struct cf_class *cls = &f->cls;
	struct cf_h225_info hi;
	struct cf_sccp_info si;

	if (tpkt_start(p, len)) {
		if (cf_recog_h225(p, len, &hi) != CF_REC_YES)
			return 0;
		if (hi.kind == CF_H323_Q931 &&
		    (hi.h225_oid || has_port(f->port[0], f->port[1], PORT_H225))) {
			set_own(cls, CF_WIRE_H225);
			return 1;
		}
		if (hi.kind == CF_H323_H245 && (hi.has_media || hi.has_media_ctl)) {
			set_own(cls, CF_WIRE_H245);
			return 1;
		}
		return 0;
	}
	if (has_port(f->port[0], f->port[1], PORT_SCCP) &&
	    cf_recog_sccp(p, len, &si) == CF_REC_YES) {
		set_own(cls, CF_WIRE_SCCP);
		return 1;
	}
	return 0;
}
