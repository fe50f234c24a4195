/*
 * recog-apps.c - the call apps whose media is not RTP on the wire, by the
 * fixed parts of their own datagrams.
 *
 * Telegram reflector (tgcalls/libtgvoip UDP relays, Telegram's networks,
 * ports 500-599 on the reflector): every datagram of a call starts with
 * the call's 16-byte peer tag; the reflector's own requests and answers
 * follow it with 12 octets of 0xFF and a 32-bit type (the client's "who
 * am I" request, the reflector's answer with the client's address):
 *    +----------------------+------------------------+----------+---
 *    | peer tag (16)        | ff ff ... ff (12)      | type (4) | ...
 *    +----------------------+------------------------+----------+---
 * The rest of the call's datagrams carry the tag and encrypted media.
 *
 * Agora SD-RTN (the real-time network of the Agora SDK, UDP to its edge
 * servers): the client's join request names the edge it joins, as a
 * server name:
 *    octet 6 = 0x21, octets 12-15 = "\x04SNI", 16-17 = the name's length
 *    (big-endian), 18 = 0, the name from 19.
 *
 * Discord voice (UDP to its voice servers): IP discovery (Discord's voice
 * documentation): a 74-octet datagram, type 0x0001 (request) or 0x0002
 * (response), length 70, the SSRC, a NUL-terminated address in 64 octets
 * and a port; and the client's 8-octet keep-alive, magic 0x1337cafe then
 * a 32-bit little-endian counter.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define TG_TAG 16
#define TG_FF 12

enum cf_rec cf_recog_tg_reflector(const uint8_t *p, size_t len, uint32_t *type)
{
	struct cursor c;
	uint8_t b;
	unsigned i;

	*type = 0;
	cur_init(&c, p, len);
	if (cur_skip(&c, TG_TAG))
		return CF_REC_NO;
	for (i = 0; i < TG_FF; i++)
		if (cur_u8(&c, &b) || b != 0xff)
			return CF_REC_NO;
	if (cur_be32(&c, type))
		return CF_REC_TRUNCATED;
	return CF_REC_YES;
}

enum cf_rec cf_recog_agora_join(const uint8_t *p, size_t len,
				struct cf_agora_info *out)
{
	static const uint8_t sni[4] = { 0x04, 'S', 'N', 'I' };
	struct cursor c;
	const uint8_t *name;
	uint8_t b6, nul;
	uint16_t n;
	size_t i;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 6, &b6) || b6 != 0x21 || cur_skip(&c, 12) ||
	    cur_left(&c) < sizeof(sni) || memcmp(c.p, sni, sizeof(sni)) != 0)
		return CF_REC_NO;
	if (cur_skip(&c, sizeof(sni)) || cur_be16(&c, &n) || cur_u8(&c, &nul))
		return CF_REC_TRUNCATED;
	if (nul != 0 || n == 0 || n >= sizeof(out->host))
		return CF_REC_NO;
	name = c.p;
	if (cur_skip(&c, n))
		return CF_REC_TRUNCATED;
	for (i = 0; i < n; i++) {           /* a DNS name: letters, digits, - . */
		uint8_t ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
			return CF_REC_NO;
	}
	memcpy(out->host, name, n);
	out->host[n] = '\0';
	out->host_len = n;
	return CF_REC_YES;
}

#define DISCORD_IPD_LEN 74
#define DISCORD_KEEPALIVE_LEN 8
#define DISCORD_MAGIC 0x1337cafeu

enum cf_rec cf_recog_discord(const uint8_t *p, size_t len, int *kind)
{
	struct cursor c, a;
	uint16_t type, blen;
	uint32_t v;
	uint8_t ch;
	size_t printable = 0;

	*kind = 0;
	cur_init(&c, p, len);
	if (len == DISCORD_KEEPALIVE_LEN) {
		if (cur_be32(&c, &v) || v != DISCORD_MAGIC)
			return CF_REC_NO;
		*kind = CF_DISCORD_KEEPALIVE;
		return CF_REC_YES;
	}
	if (len != DISCORD_IPD_LEN || cur_be16(&c, &type) || cur_be16(&c, &blen))
		return CF_REC_NO;
	if ((type != 1 && type != 2) || blen != DISCORD_IPD_LEN - 4)
		return CF_REC_NO;
	/* the address: printable up to its NUL, NUL to the end of its 64 */
	if (cur_skip(&c, 4) || cur_sub(&c, 64, &a))
		return CF_REC_NO;
	while (cur_peek_u8(&a, 0, &ch) == 0 && ch >= 0x20 && ch < 0x7f) {
		cur_skip(&a, 1);
		printable++;
	}
	if (cur_left(&a) == 0 || (type == 2 && printable == 0))
		return CF_REC_NO;
	while (cur_u8(&a, &ch) == 0)
		if (ch != 0)
			return CF_REC_NO;
	*kind = type == 1 ? CF_DISCORD_IPD_REQUEST : CF_DISCORD_IPD_RESPONSE;
	return CF_REC_YES;
}
