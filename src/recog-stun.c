/*
 * recog-stun.c - STUN message header and TURN ChannelData framing: enough
 * to tell ICE connectivity checks (Binding) from TURN relaying.
 *
 * RFC 8489 (STUN) sections 5 and 6.3; RFC 8656 (TURN) sections 12 and 18
 * (methods 0x003-0x009, ChannelData); RFC 7983 (first byte 0-3 is STUN,
 * 64-79 is ChannelData on a multiplexed 5-tuple).
 *
 * STUN message header (20 bytes):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Magic Cookie (0x2112A442)                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Transaction ID (96 bits)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Message type bits: M11-M7 C1 M6-M4 C0 M3-M0 (method, class).
 *   The length excludes the header and is a multiple of 4.
 *
 * TURN ChannelData:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Channel Number (0x4000-0x4fff) |           Length            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   /                     Application Data                          /
 *   Padded to a multiple of 4 over TCP; the padding may be left out
 *   over UDP.
 *
 * RFC 3489 (classic STUN, no cookie) Binding is accepted only when its
 * attributes fill the message exactly.  Attribute parsing (XOR-PEER-
 * ADDRESS, ...) is a later issue.
 */
#include <string.h>

#include "cursor.h"
#include "recog.h"

#define STUN_HDR_LEN 20
#define STUN_COOKIE 0x2112a442u

static enum cf_rec channel_data(struct cursor *c, size_t len, int stream,
				struct cf_stun_info *out)
{
	size_t need;

	if (cur_be16(c, &out->channel) || cur_be16(c, &out->length))
		return CF_REC_TRUNCATED;
	need = 4u + out->length;
	if (stream)
		need = (need + 3u) & ~(size_t)3;
	if (need > len || (!stream && len - need > 3))
		return CF_REC_NO;
	out->is_channel_data = 1;
	out->is_relay = 1;
	out->data_off = 4;
	return CF_REC_YES;
}

/* Attributes (type, length, value padded to 4) fill the body exactly. */
static int attrs_exact(struct cursor body)
{
	uint16_t type, alen;

	if (cur_left(&body) == 0)
		return 0;
	while (cur_left(&body) > 0)
		if (cur_be16(&body, &type) || cur_be16(&body, &alen) ||
		    cur_skip(&body, ((size_t)alen + 3u) & ~(size_t)3))
			return 0;
	return 1;
}

/*
 * RFC 3489 ("classic") STUN has no magic cookie: bytes 4-19 are all
 * transaction id.  Without the cookie only a datagram-exact Binding
 * whose attributes walk out exactly is taken (Zoom's clients still send
 * these to UDP 3478/3479).
 */
static enum cf_rec classic(struct cursor *c, size_t len, int stream,
			   struct cf_stun_info *out)
{
	struct cursor body;

	if (stream || out->method != CF_STUN_BINDING ||
	    out->length != len - STUN_HDR_LEN || cur_skip(c, 12) ||
	    cur_sub(c, out->length, &body) || !attrs_exact(body))
		return CF_REC_NO;
	out->classic = 1;
	return CF_REC_YES;
}

static enum cf_rec message(struct cursor *c, size_t len, int stream,
			   struct cf_stun_info *out)
{
	uint16_t type;
	uint32_t cookie;

	if (cur_be16(c, &type) || cur_be16(c, &out->length) ||
	    cur_be32(c, &cookie))
		return CF_REC_NO;          /* the cookie decides; none yet */
	if (out->length & 3)
		return CF_REC_NO;
	out->method = (uint16_t)((type & 0x000f) | ((type & 0x00e0) >> 1) |
				 ((type & 0x3e00) >> 2));
	out->cls = (uint8_t)(((type >> 4) & 1) | ((type >> 7) & 2));
	if (cookie != STUN_COOKIE)
		return classic(c, len, stream, out);
	if (cur_left(c) < 12)
		return CF_REC_TRUNCATED;
	if (stream ? out->length > len - STUN_HDR_LEN :
		     out->length != len - STUN_HDR_LEN)
		return CF_REC_NO;
	out->is_relay = out->method >= CF_STUN_ALLOCATE &&
			out->method <= CF_STUN_CHANNEL_BIND;
	return CF_REC_YES;
}

enum cf_rec cf_recog_stun(const uint8_t *p, size_t len, int stream,
			  struct cf_stun_info *out)
{
	struct cursor c;
	uint8_t b0;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0))
		return CF_REC_NO;
	if (b0 >= 0x40 && b0 <= 0x4f)
		return channel_data(&c, len, stream, out);
	if (b0 & 0xc0)
		return CF_REC_NO;
	return message(&c, len, stream, out);
}
