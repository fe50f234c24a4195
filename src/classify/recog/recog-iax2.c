/*
 * recog-iax2.c - IAX2 (Inter-Asterisk eXchange, RFC 5456) datagrams on
 * UDP 4569: signalling and media share the one port.
 *
 * Full frame (RFC 5456 section 8.1.1):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |F|     Source Call Number      |R|   Destination Call Number   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                            time-stamp                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    OSeqno     |    ISeqno     |   Frame Type  |C|  Subclass   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   F = 1.  Frame types (section 8.2): 1 DTMF, 2 voice, 3 video,
 *   4 control, 5 null, 6 IAX, 7 text, 8 image, 9 HTML, 10 comfort noise.
 *   IAX frames (type 6) carry subclasses 1-38 (NEW 1, PING 2, ...,
 *   section 8.4) and information elements: type (8), length (8), data
 *   (section 8.6), to the end of the datagram.
 *
 * Mini frame (section 8.1.2): F = 0, source call number (15), 16-bit
 *   time-stamp, then voice data.
 * Meta frames (section 8.1.3): the first 16 bits are zero.  Meta video:
 *   V = 1 + source call number (15), T bit + 15-bit time-stamp, data.
 *   Meta trunk (section 8.1.3.1 and draft usage): meta command 1, command
 *   data (bit 0: entries carry time-stamps), 32-bit time-stamp, entries.
 *
 * A mini or meta frame has only a few fixed bits: such datagrams are YES
 * with weak set; the caller confirms them over several packets.  A
 * datagram whose first 8 bytes are printable text is no mini frame.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog-int.h"

#define FULL_HDR 12
#define IAX_SUBCLASS_MAX 38
#define IES_MAX 64

/* Information elements fill c exactly. */
static int ies_exact(struct cursor c)
{
	uint8_t type, l;
	int n;

	for (n = 0; n < IES_MAX && cur_left(&c) > 0; n++)
		if (cur_u8(&c, &type) || cur_u8(&c, &l) || cur_skip(&c, l))
			return 0;
	return cur_left(&c) == 0;
}

static enum cf_rec full_frame(struct cursor *c, struct cf_iax2_info *out)
{
	uint16_t w0, w1;

	if (cur_be16(c, &w0) || cur_be16(c, &w1) || cur_be32(c, &out->ts) ||
	    cur_u8(c, &out->oseq) || cur_u8(c, &out->iseq) ||
	    cur_u8(c, &out->type) || cur_u8(c, &out->subclass))
		return CF_REC_TRUNCATED;
	out->kind = CF_IAX2_FULL;
	out->src_call = w0 & 0x7fff;
	out->retransmit = (uint8_t)(w1 >> 15);
	out->dst_call = w1 & 0x7fff;
	if (out->src_call == 0 || out->type < CF_IAX2_DTMF || out->type > CF_IAX2_CNG)
		return CF_REC_NO;
	if (out->type == CF_IAX2_IAX) {
		if ((out->subclass & 0x80) || out->subclass == 0 ||
		    out->subclass > IAX_SUBCLASS_MAX)
			return CF_REC_NO;
		out->ies_ok = (uint8_t)ies_exact(*c);
		if (!out->ies_ok)
			return CF_REC_NO;
	}
	out->is_signaling = out->type == CF_IAX2_IAX || out->type == CF_IAX2_CONTROL;
	out->is_media = out->type == CF_IAX2_VOICE || out->type == CF_IAX2_VIDEO ||
			out->type == CF_IAX2_CNG;
	return CF_REC_YES;
}

static enum cf_rec meta_frame(struct cursor *c, struct cf_iax2_info *out)
{
	uint8_t b2, cmd;
	uint16_t w, ts;
	uint32_t ts32;

	cur_skip(c, 2);
	if (cur_peek_u8(c, 0, &b2))
		return CF_REC_TRUNCATED;
	if (b2 & 0x80) {                /* meta video */
		if (cur_be16(c, &w) || cur_be16(c, &ts))
			return CF_REC_TRUNCATED;
		out->kind = CF_IAX2_META_VIDEO;
		out->src_call = w & 0x7fff;
		out->ts = ts & 0x7fff;
		if (out->src_call == 0 || cur_left(c) == 0)
			return CF_REC_NO;
	} else {                        /* meta trunk */
		if (cur_u8(c, &b2) || cur_u8(c, &cmd) || cur_be32(c, &ts32))
			return CF_REC_TRUNCATED;
		if (b2 != 1 || (cmd & 0xfe) != 0 || cur_left(c) == 0)
			return CF_REC_NO;
		out->kind = CF_IAX2_META_TRUNK;
		out->ts = ts32;
	}
	out->is_media = 1;
	out->weak = 1;
	return CF_REC_YES;
}

enum cf_rec cf_recog_iax2(const uint8_t *p, size_t len, struct cf_iax2_info *out)
{
	struct cursor c;
	uint8_t b0, b1;
	uint16_t w0, ts;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0))
		return CF_REC_NO;
	if (b0 & 0x80)
		return full_frame(&c, out);
	if (cur_peek_u8(&c, 1, &b1))
		return CF_REC_TRUNCATED;
	if (b0 == 0 && b1 == 0)
		return meta_frame(&c, out);
	if (cur_be16(&c, &w0) || cur_be16(&c, &ts))
		return CF_REC_TRUNCATED;
	if (cur_left(&c) == 0 || cf_recog_looks_text(p, len))
		return CF_REC_NO;
	out->kind = CF_IAX2_MINI;
	out->src_call = w0 & 0x7fff;
	out->ts = ts;
	out->is_media = 1;
	out->weak = 1;
	return CF_REC_YES;
}
