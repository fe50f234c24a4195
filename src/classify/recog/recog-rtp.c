/*
 * recog-rtp.c - RTP and RTCP (plain or SRTP/SRTCP: only the clear header
 * is read) and ZRTP messages.
 *
 * RFC 3550 sections 5.1 and 6.4; RFC 5761 section 4 (RTP/RTCP on one
 * port: a second byte of 192-223 is RTCP); RFC 3711 (SRTP keeps these
 * headers in the clear); RFC 6189 section 5 (ZRTP packet format).
 *
 * RTP fixed header:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |            contributing source (CSRC) identifiers (CC)        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | X: profile-defined (16)       | extension length in words (16)|
 *
 * RTCP packet header (one or more packets form a compound datagram):
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|    RC   |   PT=200-207  |  length (words - 1)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     SSRC of packet sender                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   SR: 5 words of sender info + 6 per report block; RR: 6 per block.
 *
 * ZRTP: first byte 0x10, then a 16-bit sequence number, the magic
 * cookie 'ZRTP' (0x5a525450), a 32-bit source id, the message, CRC-32.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define RTP_HDR_LEN 12
#define RTCP_SR 200
#define RTCP_RR 201
#define RTCP_FIRST_MIN 200
#define RTCP_FIRST_MAX 207
#define ZRTP_COOKIE 0x5a525450u
#define ZRTP_MIN_LEN 28   /* 12 header + 12 message preamble + 4 CRC */

/* Length in words the first RTCP packet needs for its report count. */
static unsigned rtcp_min_words(uint8_t pt, uint8_t rc)
{
	if (pt == RTCP_SR)
		return 6u + 6u * rc;
	if (pt == RTCP_RR)
		return 1u + 6u * rc;
	return 1u;
}

/* Walk the compound packet; 1 when it ends exactly at the datagram end. */
static int rtcp_walk(struct cursor c)
{
	uint8_t b0, pt;
	uint16_t words;

	while (cur_left(&c) > 0) {
		if (cur_u8(&c, &b0) || cur_u8(&c, &pt) || cur_be16(&c, &words))
			return 0;
		if ((b0 >> 6) != 2 || pt < 192 || pt > 223 ||
		    cur_skip(&c, (size_t)words * 4))
			return 0;
	}
	return 1;
}

static enum cf_rec rtcp(struct cursor *c, struct cf_rtp_info *out)
{
	struct cursor start = *c;
	uint8_t b0 = 0, pt = 0;
	uint16_t words;

	/* The caller checked that 12 bytes are there. */
	if (cur_u8(c, &b0) || cur_u8(c, &pt))
		return CF_REC_TRUNCATED;
	out->is_rtcp = 1;
	out->pt = pt;
	if (pt < RTCP_FIRST_MIN || pt > RTCP_FIRST_MAX)
		return CF_REC_NO;
	if (cur_be16(c, &words) || cur_be32(c, &out->ssrc))
		return CF_REC_TRUNCATED;
	if (words < rtcp_min_words(pt, b0 & 0x1f) ||
	    ((size_t)words + 1) * 4 > cur_left(&start))
		return CF_REC_NO;
	out->exact = (uint8_t)rtcp_walk(start);
	return CF_REC_YES;
}

static enum cf_rec rtp(struct cursor *c, struct cf_rtp_info *out)
{
	uint8_t b0 = 0, b1 = 0;
	uint16_t ext_words;
	uint32_t ts;

	if (cur_u8(c, &b0) || cur_u8(c, &b1))
		return CF_REC_TRUNCATED;
	out->pt = b1 & 0x7f;
	out->marker = b1 >> 7;
	if (out->pt >= 64 && out->pt <= 95)
		return CF_REC_NO;           /* RFC 5761 section 4: RTCP's range */
	if (cur_be16(c, &out->seq) || cur_be32(c, &ts) || cur_be32(c, &out->ssrc))
		return CF_REC_TRUNCATED;
	if (cur_skip(c, 4u * (b0 & 0x0f)))
		return CF_REC_NO;           /* CSRC list longer than the packet */
	if (b0 & 0x10) {
		if (cur_skip(c, 2) || cur_be16(c, &ext_words) ||
		    cur_skip(c, 4u * ext_words))
			return CF_REC_NO;
	}
	return CF_REC_YES;
}

enum cf_rec cf_recog_rtp(const uint8_t *p, size_t len, struct cf_rtp_info *out)
{
	struct cursor c;
	uint8_t b0, b1;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0) || (b0 >> 6) != 2)
		return CF_REC_NO;
	if (cur_peek_u8(&c, 1, &b1))
		return CF_REC_TRUNCATED;
	if (b1 >= 192 && b1 <= 223)
		return rtcp(&c, out);
	return rtp(&c, out);
}

int cf_recog_zrtp(const uint8_t *p, size_t len)
{
	struct cursor c;
	uint8_t b0, b1;
	uint16_t seq;
	uint32_t cookie;

	cur_init(&c, p, len);
	if (len < ZRTP_MIN_LEN || cur_u8(&c, &b0) || cur_u8(&c, &b1) ||
	    cur_be16(&c, &seq) || cur_be32(&c, &cookie))
		return 0;
	return b0 == 0x10 && b1 == 0 && cookie == ZRTP_COOKIE;
}
