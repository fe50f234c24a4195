/*
 * recog-zoom.c - Zoom's proprietary UDP media encapsulation: the server
 * (SFU) header and the media header that carries RTP/RTCP inside.
 *
 * No RFC: the format was reverse-engineered by O. Michel et al.,
 * "Enabling Passive Measurement of Zoom Performance in Production
 * Networks", ACM IMC 2022, section 3.  Flows to Zoom's multimedia routers
 * (UDP 8801-8810 on the server end) carry the SFU header; peer-to-peer
 * flows start directly with the media header.
 *
 * SFU header (8 bytes, server flows only):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | type (5=media)|       sequence number         |   (unknown)   :
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :          (unknown)                            |   direction   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Media header, first byte = kind; the RTP/RTCP header follows at an
 * offset that depends on the kind (from the start of the media header):
 *   15 audio          RTP at 19
 *   16 video          RTP at 24 (or 20 in a shorter variant)
 *   13 screen share   server flows; RTP at 27 when byte 7 is 30
 *   30 screen share   RTP at 20
 *   33-35 RTCP        RTCP at 16
 * Other first bytes (e.g. 21, a steady control stream) are Zoom but not
 * media: kind "other" on server flows.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define ZOOM_SFU_LEN 8
#define ZOOM_SFU_MEDIA 0x05

/* Is there an RTP (want_rtcp 0) or RTCP (1) header at off? */
static int rtp_at(struct cursor inner, size_t off, int want_rtcp)
{
	struct cf_rtp_info ri;

	if (cur_skip(&inner, off))
		return 0;
	if (cf_recog_rtp(inner.p, cur_left(&inner), &ri) != CF_REC_YES)
		return 0;
	return ri.is_rtcp == want_rtcp;
}

static void media_header(struct cursor inner, uint8_t type, struct cf_zoom_info *out)
{
	uint8_t b7 = 0;

	switch (type) {
	case 15:
		out->kind = CF_ZOOM_AUDIO;
		out->rtp_off = 19;
		break;
	case 16:
		out->kind = CF_ZOOM_VIDEO;
		out->rtp_off = rtp_at(inner, 24, 0) ? 24 : 20;
		break;
	case 13:
		out->kind = CF_ZOOM_SCREEN;
		out->rtp_off = (cur_peek_u8(&inner, 7, &b7) == 0 && b7 == 30) ? 27 : 0;
		break;
	case 30:
		out->kind = CF_ZOOM_SCREEN;
		out->rtp_off = 20;
		break;
	case 33: case 34: case 35:
		out->kind = CF_ZOOM_RTCP;
		out->rtp_off = 16;
		break;
	default:
		out->kind = CF_ZOOM_OTHER;
		return;
	}
	if (out->rtp_off)
		out->rtp_ok = (uint8_t)rtp_at(inner, out->rtp_off,
					      out->kind == CF_ZOOM_RTCP);
}

enum cf_rec cf_recog_zoom(const uint8_t *p, size_t len, int server,
			  struct cf_zoom_info *out)
{
	struct cursor c;
	uint8_t b0;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (server) {
		if (cur_u8(&c, &b0) || b0 != ZOOM_SFU_MEDIA)
			return CF_REC_NO;
		if (cur_skip(&c, ZOOM_SFU_LEN - 1))
			return CF_REC_TRUNCATED;
		out->server = 1;
	}
	if (cur_peek_u8(&c, 0, &out->inner_type))
		return server ? CF_REC_TRUNCATED : CF_REC_NO;
	media_header(c, out->inner_type, out);
	if (out->rtp_off)
		out->rtp_off = (uint16_t)(out->rtp_off + (server ? ZOOM_SFU_LEN : 0));
	if (!server && !out->rtp_ok) {
		out->kind = CF_ZOOM_NONE;
		return CF_REC_NO;
	}
	return CF_REC_YES;
}

const char *cf_zoom_kind_name(enum cf_zoom_kind k)
{
	switch (k) {
	case CF_ZOOM_AUDIO: return "audio";
	case CF_ZOOM_VIDEO: return "video";
	case CF_ZOOM_SCREEN: return "screen";
	case CF_ZOOM_RTCP: return "rtcp";
	case CF_ZOOM_OTHER: return "other";
	default: return "none";
	}
}
