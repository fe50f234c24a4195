/*
 * recog-quic.c - QUIC long-header packets: the version, and that it is
 * QUIC.  Nothing is decrypted: the server name inside an Initial packet
 * is protected with keys derived from the Destination Connection ID
 * (RFC 9001 section 5.2); callfence leaves that to nDPI, which decrypts
 * the Initial, and takes nDPI's host.
 *
 * RFC 8999 (version-independent properties), RFC 9000 section 17.2
 * (version 1 long header), RFC 9369 section 3.2 (version 2 packet types),
 * RFC 9443 (first byte 192-255 of a multiplexed 5-tuple is QUIC).
 *
 * Long header:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |1|1|T T|X X X X|               Version (32) ...                :
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :  ...Version   | DCID Len (8)  | Destination Connection ID (0..160)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | SCID Len (8)  | Source Connection ID (0..160) | type-specific...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Header form 1, fixed bit 1.  Type T: version 1 and the drafts 0
 *   Initial, 1 0-RTT, 2 Handshake, 3 Retry; version 2 1 Initial,
 *   2 0-RTT, 3 Handshake, 0 Retry.  Version 0 is Version Negotiation:
 *   a list of 32-bit versions follows the connection ids.
 *
 * Known versions: 0x00000001 (v1), 0x6b3343cf (v2), 0xff0000xx (IETF
 * drafts), "Q0dd" and "T0dd" (Google QUIC Q046 and later, and the
 * TLS-based T0dd, use the long header).  Google QUIC up to Q043 has a
 * "public header" instead: flags (0x01 version present, 0x08 8-byte
 * connection id, top two bits 0), connection id, then the "Q0dd"
 * version; that form is recognised too.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define QUIC_CID_MAX 20         /* versions 1 and 2: at most 20 bytes */
#define QUIC_VN_MAX 32          /* versions looked at in a Version Negotiation */

static int is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Google QUIC: 'Q' or 'T', '0', digit, digit. */
static int is_google(uint32_t v)
{
	uint8_t a = (uint8_t)(v >> 24), b = (uint8_t)(v >> 16);

	return (a == 'Q' || a == 'T') && b == '0' &&
	       is_digit((uint8_t)(v >> 8)) && is_digit((uint8_t)v);
}

static int is_draft(uint32_t v)
{
	return (v & 0xffffff00u) == 0xff000000u && (v & 0xff) != 0;
}

int cf_quic_version_known(uint32_t v)
{
	return v == CF_QUIC_V1 || v == CF_QUIC_V2 || is_draft(v) || is_google(v);
}

const char *cf_quic_version_name(uint32_t v, char *buf, size_t len)
{
	if (v == CF_QUIC_V1)
		snprintf(buf, len, "1");
	else if (v == CF_QUIC_V2)
		snprintf(buf, len, "2");
	else if (is_draft(v))
		snprintf(buf, len, "draft-%u", (unsigned)(v & 0xff));
	else if (is_google(v))
		snprintf(buf, len, "%c%c%c%c", (char)(v >> 24), (char)(v >> 16),
			 (char)(v >> 8), (char)v);
	else
		snprintf(buf, len, "0x%08x", (unsigned)v);
	return buf;
}

/* Long-header type bits as the version defines them. */
static enum cf_quic_type long_type(uint32_t v, uint8_t b0)
{
	unsigned t = (b0 >> 4) & 3;

	if (v == CF_QUIC_V2)
		return t == 0 ? CF_QUIC_RETRY : (enum cf_quic_type)(t - 1);
	return (enum cf_quic_type)t;
}

/* Version Negotiation: the first known version in the list, or 0. */
static uint32_t vn_known(struct cursor *c)
{
	uint32_t v;
	int i;

	for (i = 0; i < QUIC_VN_MAX && cur_be32(c, &v) == 0; i++)
		if (cf_quic_version_known(v))
			return v;
	return 0;
}

static enum cf_rec long_header(struct cursor *c, uint8_t b0,
			       struct cf_quic_info *out)
{
	int ietf;

	if (cur_be32(c, &out->version))
		return CF_REC_TRUNCATED;
	if (out->version != 0 && !cf_quic_version_known(out->version))
		return CF_REC_NO;
	ietf = !is_google(out->version);
	if (cur_u8(c, &out->dcid_len))
		return CF_REC_TRUNCATED;
	if (ietf && out->dcid_len > QUIC_CID_MAX)
		return CF_REC_NO;
	if (cur_skip(c, out->dcid_len) || cur_u8(c, &out->scid_len))
		return CF_REC_TRUNCATED;
	if (ietf && out->scid_len > QUIC_CID_MAX)
		return CF_REC_NO;
	if (cur_skip(c, out->scid_len))
		return CF_REC_TRUNCATED;
	if (out->version != 0) {
		out->type = long_type(out->version, b0);
		return CF_REC_YES;
	}
	out->type = CF_QUIC_VERSION_NEG;
	if (cur_left(c) < 4)
		return CF_REC_TRUNCATED;
	out->version = vn_known(c);
	return out->version != 0 ? CF_REC_YES : CF_REC_NO;
}

/* Google QUIC public header with the version flag (Q043 and older). */
static enum cf_rec public_header(struct cursor *c, struct cf_quic_info *out)
{
	if (cur_skip(c, 8) || cur_be32(c, &out->version))
		return CF_REC_TRUNCATED;
	if ((out->version >> 24) != 'Q' || !is_google(out->version))
		return CF_REC_NO;
	out->legacy = 1;
	out->dcid_len = 8;
	out->type = CF_QUIC_GQUIC;
	return CF_REC_YES;
}

enum cf_rec cf_recog_quic(const uint8_t *p, size_t len, struct cf_quic_info *out)
{
	struct cursor c;
	uint8_t b0;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_u8(&c, &b0))
		return CF_REC_NO;
	if ((b0 & 0xc0) == 0xc0)
		return long_header(&c, b0, out);
	if ((b0 & 0xc9) == 0x09)
		return public_header(&c, out);
	return CF_REC_NO;
}
