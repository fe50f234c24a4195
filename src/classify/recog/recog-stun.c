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
 * Attribute (RFC 8489 section 14): type (16), length (16), value padded
 * to a multiple of 4.  XOR-MAPPED-ADDRESS (0x0020), XOR-PEER-ADDRESS
 * (0x0012) and XOR-RELAYED-ADDRESS (0x0016) share one value layout:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                X-Address (32 bits or 128 bits)                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Family 0x01 IPv4, 0x02 IPv6.  X-Port is the port XOR the cookie's
 *   top 16 bits; X-Address is the address XOR the cookie (IPv4) or XOR
 *   the cookie followed by the transaction id (IPv6).
 * DATA (0x0013) carries what a Send/Data indication relays.
 *
 * Microsoft Teams/Skype relays speak MS-TURN ([MS-TURN] 2.2.2, after
 * draft-rosenberg-midcom-turn-08) inside RFC 5389 framing: a message
 * carrying the MAGIC-COOKIE attribute (0x000f = 0x72c64bc6) names the
 * peer in DESTINATION-ADDRESS (0x0011, Send request) or REMOTE-ADDRESS
 * (0x0012, Data indication), both in the plain MAPPED-ADDRESS layout
 * (not XORed); 0x0012 is read that way only in such a message.
 *
 * RFC 3489 (classic STUN, no cookie) Binding is accepted only when its
 * attributes fill the message exactly; its attributes are not decoded.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define STUN_HDR_LEN 20
#define STUN_COOKIE 0x2112a442u
#define STUN_ATTRS_MAX 64       /* attributes walked per message */
#define ATTR_MS_MAGIC 0x000f    /* MS-TURN MAGIC-COOKIE */
#define ATTR_MS_DESTINATION 0x0011
#define MS_TURN_COOKIE 0x72c64bc6u

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
	out->data_len = out->length;
	out->has_data = 1;
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

/* An address value (v has its attribute's length) into *a, un-XORed
 * with the cookie and txid unless txid is NULL (a plain address). */
static void address(struct cursor v, const uint8_t *txid, struct cf_stun_addr *a)
{
	static const uint8_t cookie[4] = { 0x21, 0x12, 0xa4, 0x42 };
	uint8_t zero, family, raw[16];
	uint16_t port;
	size_t n, i;

	if (a->present || cur_u8(&v, &zero) || cur_u8(&v, &family) ||
	    cur_be16(&v, &port))
		return;
	n = family == 1 ? 4 : family == 2 ? 16 : 0;
	if (n == 0 || cur_left(&v) != n || cur_bytes(&v, raw, n))
		return;
	for (i = 0; txid != NULL && i < n; i++)
		raw[i] ^= i < 4 ? cookie[i] : txid[i - 4];
	if (n == 4)
		cf_addr_from_v4(&a->ip, raw);
	else
		cf_addr_from_v6(&a->ip, raw);
	a->port = txid != NULL ? (uint16_t)(port ^ (STUN_COOKIE >> 16)) : port;
	a->family = family;
	a->present = 1;
}

/* Peer attributes are decoded after the walk: how depends on MS-TURN. */
struct peer_values {
	struct cursor xor_peer, ms_dest;
	int has_xor_peer, has_ms_dest;
};

static int is_ms_magic(struct cursor v)
{
	uint32_t magic;

	return cur_left(&v) == 4 && cur_be32(&v, &magic) == 0 &&
	       magic == MS_TURN_COOKIE;
}

static void peer_address(const struct peer_values *pv, struct cf_stun_info *out)
{
	if (!out->ms_turn) {
		if (pv->has_xor_peer)
			address(pv->xor_peer, out->txid, &out->peer);
		return;
	}
	if (pv->has_ms_dest)
		address(pv->ms_dest, NULL, &out->peer);
	if (pv->has_xor_peer)
		address(pv->xor_peer, NULL, &out->peer);   /* REMOTE-ADDRESS */
}

/* One attribute's value v. */
static void attribute(uint16_t type, struct cursor v, struct peer_values *pv,
		      struct cf_stun_info *out)
{
	if (type == CF_STUN_ATTR_XOR_MAPPED)
		address(v, out->txid, &out->mapped);
	else if (type == CF_STUN_ATTR_XOR_RELAYED)
		address(v, out->txid, &out->relayed);
	else if (type == CF_STUN_ATTR_XOR_PEER && !pv->has_xor_peer)
		pv->xor_peer = v, pv->has_xor_peer = 1;
	else if (type == ATTR_MS_DESTINATION && !pv->has_ms_dest)
		pv->ms_dest = v, pv->has_ms_dest = 1;
	else if (type == ATTR_MS_MAGIC && is_ms_magic(v))
		out->ms_turn = 1;
}

/* Walk the attributes in body (base: offset of body in the payload). */
static void attributes(struct cursor body, size_t base, struct cf_stun_info *out)
{
	const uint8_t *start = body.p;
	struct peer_values pv;
	uint16_t type, alen;
	struct cursor v;
	int n;

	memset(&pv, 0, sizeof(pv));
	for (n = 0; n < STUN_ATTRS_MAX && cur_left(&body) > 0; n++) {
		if (cur_be16(&body, &type) || cur_be16(&body, &alen) ||
		    cur_sub(&body, alen, &v)) {
			out->attrs_bad = 1;
			break;
		}
		attribute(type, v, &pv, out);
		if (type == CF_STUN_ATTR_USERNAME && out->user_len == 0 &&
		    alen > 0 && alen <= 513) {   /* RFC 8489: < 513 bytes */
			out->user_off = (uint16_t)(base + (size_t)(v.p - start));
			out->user_len = alen;
		}
		if (type == CF_STUN_ATTR_DATA && !out->has_data) {
			out->has_data = 1;
			out->data_off = (uint16_t)(base + (size_t)(v.p - start));
			out->data_len = alen;
		}
		/* the padding may be missing after the last attribute */
		cur_skip(&body, ((size_t)alen + 3u) / 4u * 4u - alen);
	}
	peer_address(&pv, out);
}

static enum cf_rec message(struct cursor *c, size_t len, int stream,
			   struct cf_stun_info *out)
{
	uint16_t type;
	uint32_t cookie;
	struct cursor body;

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
	if (cur_bytes(c, out->txid, sizeof(out->txid)))
		return CF_REC_TRUNCATED;
	if (stream ? out->length > len - STUN_HDR_LEN :
		     out->length != len - STUN_HDR_LEN)
		return CF_REC_NO;
	out->is_relay = out->method >= CF_STUN_ALLOCATE &&
			out->method <= CF_STUN_CHANNEL_BIND;
	if (cur_sub(c, out->length, &body) == 0)
		attributes(body, STUN_HDR_LEN, out);
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
