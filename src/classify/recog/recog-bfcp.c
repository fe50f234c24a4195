/*
 * recog-bfcp.c - BFCP (Binary Floor Control Protocol: who may share
 * content in a SIP or H.323 video conference).
 *
 * RFC 8855 section 5.1 (common header; RFC 4582 had version 1 only):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Ver |R|F| Res |  Primitive    |        Payload Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Conference ID                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Transaction ID        |            User ID            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Fragment Offset (if F is set) | Fragment Length (if F is set) |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Ver 1 (reliable transport: TCP/TLS) or 2 (UDP/DTLS); R: a response
 *   to a request (version 2); F: fragment (version 2 only); Payload
 *   Length: the 4-octet words after the common header (the fragment's
 *   words when F is set); primitives 1-17 (FloorRequest 1 ...
 *   GoodbyeAck 17, section 5.1 table 1).
 * Attributes (section 5.2):
 *   | Type (7) |M| Length (8) | contents, padded to 4 octets
 *   Length counts the 2-octet attribute header and the contents, not
 *   the padding; at least 2.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define BFCP_HDR 12
#define BFCP_PRIM_MAX 17
#define ATTRS_MAX 64

/* The attributes fill c exactly (c: the payload). */
static int attributes(struct cursor c, struct cf_bfcp_info *out)
{
	uint8_t type, alen;

	while (cur_left(&c) > 0) {
		if (out->attrs >= ATTRS_MAX)
			return 0;
		if (cur_u8(&c, &type) || cur_u8(&c, &alen) || alen < 2 ||
		    cur_skip(&c, (((size_t)alen + 3u) & ~(size_t)3) - 2u))
			return -1;
		out->attrs++;
	}
	return 0;
}

enum cf_rec cf_recog_bfcp(const uint8_t *p, size_t len, int stream,
			  struct cf_bfcp_info *out)
{
	struct cursor c, payload;
	uint8_t b0;
	uint16_t frag_off, frag_len;
	size_t plen;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0))
		return CF_REC_NO;
	out->version = b0 >> 5;
	out->responder = (b0 >> 4) & 1;
	out->fragment = (b0 >> 3) & 1;
	if ((out->version != 1 && out->version != 2) || (b0 & 0x07) != 0 ||
	    (out->fragment && out->version != 2))
		return CF_REC_NO;
	cur_skip(&c, 1);
	if (cur_u8(&c, &out->primitive))
		return CF_REC_TRUNCATED;
	if (out->primitive == 0 || out->primitive > BFCP_PRIM_MAX)
		return CF_REC_NO;
	if (cur_be16(&c, &out->payload_len) || cur_be32(&c, &out->conference_id) ||
	    cur_be16(&c, &out->transaction_id) || cur_be16(&c, &out->user_id))
		return CF_REC_TRUNCATED;
	if (out->fragment && (cur_be16(&c, &frag_off) || cur_be16(&c, &frag_len)))
		return CF_REC_TRUNCATED;
	plen = (size_t)out->payload_len * 4u;
	if (plen > cur_left(&c))
		return CF_REC_TRUNCATED;
	if (!stream && plen != cur_left(&c))
		return CF_REC_NO;
	cur_sub(&c, plen, &payload);
	out->exact = cur_left(&c) == 0;
	/* a fragment carries part of the attributes: not walked */
	if (!out->fragment && attributes(payload, out) != 0)
		return CF_REC_NO;
	return CF_REC_YES;
}
