/*
 * recog-frames.c - the messages inside one TCP segment of a stream
 * protocol whose messages carry their own length.
 *
 * RFC 4571 section 2 (RTP, RTCP, STUN, DTLS over connection-oriented
 * transport; RFC 6544 section 3 uses it for ICE-TCP):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             LENGTH            |  RTP or RTCP packet ...       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   LENGTH: the bytes that follow (0-65535; 0 is legal but never sent
 *   by a real stack, so it is taken as "not this framing").
 *
 * RFC 8656 section 7 (TURN over TCP/TLS) and RFC 8489 section 6.2.2:
 * no extra framing; a STUN message is 20 + its length field bytes
 * (00xxxxxx first byte, magic cookie 0x2112a442 at 4), a ChannelData
 * message (first byte 0x40-0x4f) 4 + its length field, padded to a
 * multiple of 4 (RFC 8656 section 12.5).
 *
 * RFC 1006 section 6 (TPKT, used by H.225.0 call signalling and H.245):
 *   +--------+--------+----------------+
 *   | vrsn 3 |reserved| packet length  |   length includes these 4 bytes
 *   +--------+--------+----------------+
 *
 * Cisco Skinny (SCCP): 32-bit little-endian length of what follows the
 * next 32-bit word (the header version), so a message is length + 8.
 * Versions seen in use: 0 (basic), 0x0a, 0x0b, 0x0f-0x17.
 *
 * Nothing is kept between calls: the caller carries a cut message over.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define STUN_COOKIE 0x2112a442u
#define SCCP_LEN_MAX 0x10000u

/* Is v a Skinny header version? */
static int sccp_version(uint32_t v)
{
	return v == 0 || v == 0x0a || v == 0x0b || (v >= 0x0f && v <= 0x17);
}

/*
 * Frame the message at the start of c: *hdr and *total (framing header
 * and whole message length).  0 framed; 1 the bytes end inside the
 * header (*total is how many bytes the header needs); -1 not this
 * framing.
 */
static int frame_at(struct cursor c, enum cf_frame_mode mode, size_t *hdr,
		    size_t *total)
{
	uint8_t b0, b1;
	uint16_t l16;
	uint32_t cookie, l32, ver;

	switch (mode) {
	case CF_FRAME_RFC4571:
		*hdr = 2;
		if (cur_be16(&c, &l16)) {
			*total = 2;
			return 1;
		}
		*total = 2u + l16;
		return l16 == 0 ? -1 : 0;
	case CF_FRAME_STUN:
		*hdr = 0;
		if (cur_u8(&c, &b0) == 0 && b0 >= 0x40 && b0 <= 0x4f) {
			if (cur_u8(&c, &b1) || cur_be16(&c, &l16)) {
				*total = 4;
				return 1;
			}
			*total = (4u + l16 + 3u) & ~(size_t)3;
			return 0;
		}
		if ((b0 & 0xc0) != 0)
			return -1;
		if (cur_u8(&c, &b1) || cur_be16(&c, &l16) || cur_be32(&c, &cookie)) {
			*total = 8;     /* up to the cookie, which decides */
			return 1;
		}
		if (cookie != STUN_COOKIE || (l16 & 3) != 0)
			return -1;
		*total = 20u + l16;
		return 0;
	case CF_FRAME_TPKT:
		*hdr = 4;
		if (cur_u8(&c, &b0) == 0 && b0 != 3)
			return -1;
		if (cur_u8(&c, &b1) == 0 && b1 != 0)
			return -1;
		if (cur_be16(&c, &l16)) {
			*total = 4;
			return 1;
		}
		*total = l16;
		return l16 < 5 ? -1 : 0;
	case CF_FRAME_SCCP:
		*hdr = 8;
		*total = 8;
		if (cur_le32(&c, &l32))
			return 1;
		if (l32 < 4 || l32 > SCCP_LEN_MAX)
			return -1;
		if (cur_le32(&c, &ver))
			return 1;       /* a cut header whose length was plausible */
		if (!sccp_version(ver))
			return -1;
		*total = 8u + l32;
		return 0;
	}
	return -1;
}

enum cf_rec cf_recog_tcp_frames(const uint8_t *p, size_t len, enum cf_frame_mode mode,
				cf_frame_cb cb, void *ctx, struct cf_frames_info *out)
{
	struct cursor c;
	struct cf_frame f;
	size_t hdr, total;
	int r;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	while (cur_left(&c) > 0 && out->n < CF_FRAMES_MAX) {
		r = frame_at(c, mode, &hdr, &total);
		if (r < 0) {
			out->bad = 1;
			break;
		}
		if (r > 0) {
			out->hdr_cut = 1;
			out->need = total - cur_left(&c);
			break;
		}
		if (total > cur_left(&c)) {
			out->need = total - cur_left(&c);
			break;
		}
		f.msg = c.p;
		f.off = (size_t)(c.p - p);
		f.len = total;
		f.hdr = hdr;
		cur_skip(&c, total);
		out->n++;
		out->used = (size_t)(c.p - p);
		if (cb != NULL && cb(ctx, &f) != 0) {
			out->stopped = 1;
			break;
		}
	}
	if (out->n > 0 || (out->need > 0 && !out->hdr_cut))
		return CF_REC_YES;
	if (out->hdr_cut)
		return CF_REC_TRUNCATED;
	return CF_REC_NO;
}

int cf_frame_guess_stun(const uint8_t *p, size_t len)
{
	struct cursor c;
	uint16_t l16, type, mlen;
	uint32_t cookie;
	uint8_t b0;

	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0))
		return -1;
	if (b0 >= 0x40 && b0 <= 0x4f) {
		/* a ChannelData header has no magic: the segment must walk out
		 * as whole messages (a cut last one allowed) */
		struct cf_frames_info fi;

		if (cf_recog_tcp_frames(p, len, CF_FRAME_STUN, NULL, NULL, &fi) ==
		    CF_REC_YES && fi.n > 0 && !fi.bad)
			return CF_FRAME_STUN;
		return -1;
	}
	if ((b0 & 0xc0) == 0 && len >= 8) {
		cur_skip(&c, 4);
		if (cur_be32(&c, &cookie) == 0 && cookie == STUN_COOKIE)
			return CF_FRAME_STUN;
	}
	cur_init(&c, p, len);
	if (cur_be16(&c, &l16) || cur_be16(&c, &type) || cur_be16(&c, &mlen) ||
	    cur_be32(&c, &cookie))
		return -1;
	if (cookie == STUN_COOKIE && (type & 0xc000) == 0 &&
	    (size_t)l16 == 20u + mlen)
		return CF_FRAME_RFC4571;
	return -1;
}
