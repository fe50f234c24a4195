/*
 * recog-h323.c - H.323 signalling: H.225.0 call signalling (Q.931 in
 * TPKT), H.245 in TPKT, and H.225.0 RAS on UDP.
 *
 * TPKT, RFC 1006 section 6: version 3, reserved 0, 16-bit length of the
 * whole packet (cf_recog_tcp_frames, CF_FRAME_TPKT).
 *
 * Q.931 (ITU-T Q.931 section 4, as H.225.0 section 7 profiles it):
 *   octet 1   protocol discriminator 0x08
 *   octet 2   0000 + length of the call reference value (H.225.0: 2)
 *   octets    call reference value; the top bit of its first octet is
 *             the flag (1: from the side that did not allocate it)
 *   octet     message type (bit 8 zero): Alerting 0x01, Call Proceeding
 *             0x02, Progress 0x03, Setup 0x05, Connect 0x07, Release
 *             Complete 0x5a, Facility 0x62, Notify 0x6e, Status 0x7d ...
 *   then information elements: a single-octet IE has bit 8 set; others
 *   are id, 8-bit length, contents - except User-user (0x7e), which
 *   H.225.0 gives a 16-bit length.  Its contents start with protocol
 *   discriminator 0x05 and hold the PER-encoded H323-UserInformation:
 *   first octet bits (high to low): H323-UserInformation extension,
 *   user-data present, H323-UU-PDU extension, nonStandardData present,
 *   h323-message-body extension, 3-bit CHOICE index (setup 0,
 *   callProceeding 1, connect 2, alerting 3, information 4,
 *   releaseComplete 5, facility 6).  Each UUIE that starts with
 *   protocolIdentifier carries the OBJECT IDENTIFIER {itu-t(0)
 *   recommendation(0) h(8) 2250 version(0) v} = 06 00 08 91 4a 00 v.
 *
 * H.245 MultimediaSystemControlMessage (ITU-T H.245, aligned PER): first
 * octet: extension bit, 2-bit CHOICE (request 0, response 1, command 2,
 * indication 3), then the inner CHOICE's extension bit and index
 * (request: 4 bits, 11 root alternatives; response: 5 bits, 21;
 * command: 4 bits, 9; indication: 5 bits, 19).  A body whose first
 * octet is 0x08 is read as Q.931 only (H.245 requestMode, request index
 * 8, also starts so: it is not recognised).
 *
 * OpenLogicalChannelAck (response 5), X.691 aligned PER, walked bit by
 * bit through a bounds-checked bit cursor:
 *   SEQUENCE ext bit E, reverseLogicalChannelParameters present bit R
 *   (R = 1: not walked), forwardLogicalChannelNumber INTEGER(1..65535)
 *   (aligned, 2 octets, value - 1); with E: the extension bitmap
 *   (normally-small length n - 1, n bits: separateStack,
 *   forwardMultiplexAckParameters, ...), then each present addition as
 *   an open type (aligned length determinant + octets).
 *   forwardMultiplexAckParameters: CHOICE ext bit (0), one root
 *   alternative h2250LogicalChannelAckParameters: SEQUENCE ext bit,
 *   optional bits nonStandard (1: not walked), sessionID, mediaChannel,
 *   mediaControlChannel, dynamicRTPPayloadType; sessionID
 *   INTEGER(1..255) in an 8-bit field; each TransportAddress: CHOICE
 *   ext bit, 1-bit index (unicastAddress 0), UnicastAddress CHOICE ext
 *   bit, 3-bit index (iPAddress 0, iP6Address 2), SEQUENCE ext bit,
 *   network OCTET STRING (SIZE(4) or (16), aligned), tsapIdentifier
 *   INTEGER(0..65535) (aligned, 2 octets).  An address SEQUENCE with
 *   extensions ends the walk after it.
 * OpenLogicalChannel requests are not walked: the media control address
 * comes after the DataType, a deep capability tree.
 *
 * RAS (H.225.0 section 7.x, RasMessage in its ASN.1): UDP, aligned PER.
 * First octet: extension bit 0 and a 5-bit index 0-24 (gatekeeperRequest
 * 0 ... unknownMessageResponse 24), or extension bit 1 and a
 * normally-small index of the alternatives after "...".  Then the
 * chosen SEQUENCE's extension bit and optional-component bitmap, padded
 * to the octet: in GRQ ... RRJ (0-5) the requestSeqNum (INTEGER
 * 1..65535, sent as value - 1 in 16 bits) sits at octets 2-3 and the
 * protocol identifier follows it.  A payload whose first 8 bytes are
 * printable text (SIP, HTTP) is not taken for RAS.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog-int.h"

#define Q931_PD 0x08
#define UUIE_ID 0x7e
#define UUIE_PD 0x05
#define IES_MAX 32
#define RAS_LEN_MAX 4096

static const uint8_t h225_oid[6] = { 0x06, 0x00, 0x08, 0x91, 0x4a, 0x00 };

/* The H.225.0 OID at c + 0..span-1: 0 and *v its version, else -1. */
static int find_oid(struct cursor c, size_t span, uint8_t *v)
{
	size_t i, k;
	uint8_t b;

	for (i = 0; i <= span; i++) {
		for (k = 0; k < sizeof(h225_oid); k++)
			if (cur_peek_u8(&c, i + k, &b) || b != h225_oid[k])
				break;
		if (k == sizeof(h225_oid) &&
		    cur_peek_u8(&c, i + k, &b) == 0 && b >= 1 && b <= 9) {
			*v = b;
			return 0;
		}
	}
	return -1;
}

static void uuie(struct cursor v, struct cf_h225_info *out)
{
	uint8_t pd, b0;

	if (cur_u8(&v, &pd) || pd != UUIE_PD || cur_u8(&v, &b0))
		return;
	out->has_uuie = 1;
	out->uuie_body = (b0 & 0x08) ? -1 : (int8_t)(b0 & 0x07);
	if (find_oid(v, 4, &out->h225_version) == 0)
		out->h225_oid = 1;
}

/* A Q.931 message (body of one TPKT): 0 well formed, -1 not.  partial:
 * the TPKT goes on past the segment, so an IE cut by the end of c ends
 * the walk instead of failing it, and a header cut by it gives 1. */
static int q931(struct cursor c, int partial, struct cf_h225_info *out)
{
	uint8_t pd, crl, b, id, l8;
	uint16_t l16, ref = 0;
	struct cursor v;
	int i, n;

	if (cur_u8(&c, &pd) || pd != Q931_PD)
		return -1;
	if (cur_u8(&c, &crl))
		return partial ? 1 : -1;
	if ((crl & 0xf0) != 0 || crl > 2)
		return -1;
	for (i = 0; i < crl; i++) {
		if (cur_u8(&c, &b))
			return partial ? 1 : -1;
		if (i == 0) {
			out->call_ref_flag = b >> 7;
			b &= 0x7f;
		}
		ref = (uint16_t)(ref << 8 | b);
	}
	if (cur_u8(&c, &out->msg_type))
		return partial ? 1 : -1;
	if (out->msg_type & 0x80)
		return -1;
	out->call_ref = ref;
	for (n = 0; n < IES_MAX && cur_left(&c) > 0; n++) {
		cur_u8(&c, &id);
		if (id & 0x80)
			continue;               /* single-octet IE */
		if (id == UUIE_ID) {
			if (cur_be16(&c, &l16))
				return partial ? 0 : -1;
			if (cur_sub(&c, l16, &v)) {
				if (!partial)
					return -1;
				cur_sub(&c, cur_left(&c), &v);  /* what is here */
			}
			if (!out->has_uuie)
				uuie(v, out);
			continue;
		}
		if (cur_u8(&c, &l8) || cur_skip(&c, l8))
			return partial ? 0 : -1;
	}
	return 0;
}

/* H.245: the first octet(s) of a MultimediaSystemControlMessage. */
static int h245(struct cursor c, struct cf_h225_info *out)
{
	static const uint8_t bits[4] = { 4, 5, 4, 5 };
	static const uint8_t roots[4] = { 11, 21, 9, 19 };
	uint8_t b0, b1 = 0;
	unsigned cls, idx;

	if (cur_u8(&c, &b0) || (b0 & 0x80))
		return -1;
	cls = (b0 >> 5) & 3;
	out->h245_class = (uint8_t)cls;
	if (b0 & 0x10) {
		out->h245_index = 0xff;         /* an extension alternative */
		return 0;
	}
	if (bits[cls] == 4) {
		idx = b0 & 0x0f;
	} else {
		if (cur_u8(&c, &b1))
			return -1;
		idx = (unsigned)((b0 & 0x0f) << 1 | b1 >> 7);
	}
	if (idx >= roots[cls])
		return -1;
	out->h245_index = (uint8_t)idx;
	return 0;
}

/* ---- aligned PER, bit by bit, for OpenLogicalChannelAck ---- */

struct bitc {
	const uint8_t *p;
	size_t len;             /* bytes */
	size_t pos;             /* bits read */
};

/* n (<= 16) bits, most significant first; -1 past the end. */
static int bits_get(struct bitc *b, unsigned n, unsigned *v)
{
	unsigned x = 0;

	if (n > 16 || b->pos + n > b->len * 8u)
		return -1;
	while (n-- > 0) {
		x = x << 1 | ((b->p[b->pos / 8] >> (7 - b->pos % 8)) & 1u);
		b->pos++;
	}
	*v = x;
	return 0;
}

static void bits_align(struct bitc *b)
{
	b->pos = (b->pos + 7u) & ~(size_t)7;
}

/* n aligned octets into dst. */
static int bits_octets(struct bitc *b, size_t n, uint8_t *dst)
{
	size_t i;

	bits_align(b);
	if (b->pos / 8 + n > b->len)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = b->p[b->pos / 8 + i];
	b->pos += n * 8u;
	return 0;
}

/* An aligned length determinant (X.691 10.9, no fragments). */
static int bits_length(struct bitc *b, size_t *n)
{
	uint8_t o[2];

	if (bits_octets(b, 1, o))
		return -1;
	if ((o[0] & 0x80) == 0) {
		*n = o[0];
		return 0;
	}
	if ((o[0] & 0xc0) == 0x80 && bits_octets(b, 1, o + 1) == 0) {
		*n = (size_t)(o[0] & 0x3f) << 8 | o[1];
		return 0;
	}
	return -1;
}

/* A unicast IPv4/IPv6 TransportAddress into *a, *port: 0 read, 1 read
 * but extension additions follow it (the walk must stop), -1 not read. */
static int transport_address(struct bitc *b, cf_addr *a, uint16_t *port)
{
	unsigned ext, idx, sext;
	uint8_t raw[16], tsap[2];
	size_t n;

	if (bits_get(b, 1, &ext) || ext || bits_get(b, 1, &idx) || idx != 0 ||
	    bits_get(b, 1, &ext) || ext || bits_get(b, 3, &idx) ||
	    (idx != 0 && idx != 2) || bits_get(b, 1, &sext))
		return -1;
	n = idx == 0 ? 4 : 16;
	if (bits_octets(b, n, raw) || bits_octets(b, 2, tsap))
		return -1;
	if (n == 4)
		cf_addr_from_v4(a, raw);
	else
		cf_addr_from_v6(a, raw);
	*port = (uint16_t)(tsap[0] << 8 | tsap[1]);
	return sext ? 1 : 0;    /* 1: extension additions follow: stop */
}

/* h2250LogicalChannelAckParameters inside the open type at b. */
static void h2250_ack(struct bitc b, struct cf_h225_info *out)
{
	unsigned ext, ns, sid, med, ctl, dyn, v;
	int r;

	if (bits_get(&b, 1, &ext) || ext ||          /* CHOICE: root only */
	    bits_get(&b, 1, &ext) || bits_get(&b, 1, &ns) || ns ||
	    bits_get(&b, 1, &sid) || bits_get(&b, 1, &med) ||
	    bits_get(&b, 1, &ctl) || bits_get(&b, 1, &dyn))
		return;
	if (sid && bits_get(&b, 8, &v))
		return;
	if (med) {
		r = transport_address(&b, &out->media_addr, &out->media_port);
		if (r < 0)
			return;
		out->has_media = 1;
		if (r > 0)
			return;
	}
	if (ctl && transport_address(&b, &out->media_ctl_addr,
				     &out->media_ctl_port) >= 0)
		out->has_media_ctl = 1;
}

/* An OpenLogicalChannelAck body (the whole TPKT content). */
static void olc_ack(struct cursor c, struct cf_h225_info *out)
{
	struct bitc b = { c.p, cur_left(&c), 0 };
	struct bitc ot;
	unsigned v, ext, rev, nbits, i, present[8];
	uint8_t lcn[2];
	size_t n;

	/* MultimediaSystemControlMessage response(1), olcAck(5): 9 bits */
	if (bits_get(&b, 9, &v) || v != (1u << 6 | 5u) ||
	    bits_get(&b, 1, &ext) || bits_get(&b, 1, &rev) || rev ||
	    bits_octets(&b, 2, lcn) || (lcn[0] == 0xff && lcn[1] == 0xff))
		return;
	out->h245_lcn = (uint16_t)((lcn[0] << 8 | lcn[1]) + 1);
	if (!ext || bits_get(&b, 1, &v) || v || bits_get(&b, 6, &nbits))
		return;
	nbits++;
	if (nbits < 2 || nbits > 8)
		return;
	for (i = 0; i < nbits; i++)
		if (bits_get(&b, 1, &present[i]))
			return;
	for (i = 0; i < 2; i++) {               /* separateStack, then ours */
		if (!present[i])
			continue;
		if (bits_length(&b, &n) || b.pos / 8 + n > b.len)
			return;
		ot.p = b.p + b.pos / 8;
		ot.len = n;
		ot.pos = 0;
		b.pos += n * 8u;
		if (i == 1)
			h2250_ack(ot, out);
	}
}

struct tpkt_walk {
	struct cf_h225_info *out;
	int bad;
	int partial;            /* the TPKT looked at is cut by the segment end */
};

static int one_tpkt(void *ctx, const struct cf_frame *f)
{
	struct tpkt_walk *w = ctx;
	struct cursor body;
	uint8_t b0;

	if (!w->partial)
		w->out->tpkts++;
	if (w->out->tpkts > 1)
		return 0;
	cur_init(&body, f->msg + f->hdr, f->len - f->hdr);
	if (cur_peek_u8(&body, 0, &b0) == 0 && b0 == Q931_PD) {
		/* Q.931 or nothing (H.245's requestMode also starts 0x08:
		 * such a TPKT is not recognised) */
		switch (q931(body, w->partial, w->out)) {
		case 0:
			w->out->kind = CF_H323_Q931;
			return 0;
		case 1:
			w->out->call_ref = w->out->call_ref_flag = 0;
			w->out->msg_type = 0;
			return 0;       /* too little of it to say */
		default:
			w->bad = 1;
			return 1;
		}
	}
	w->out->msg_type = 0;
	w->out->call_ref = 0;
	w->out->call_ref_flag = 0;
	w->out->has_uuie = w->out->h225_oid = w->out->h225_version = 0;
	w->out->uuie_body = -1;
	if (h245(body, w->out) == 0) {
		w->out->kind = CF_H323_H245;
		if (w->out->h245_class == 1 && w->out->h245_index == 5)
			olc_ack(body, w->out);
		return 0;
	}
	w->bad = 1;
	return 1;
}

enum cf_rec cf_recog_h225(const uint8_t *p, size_t len, struct cf_h225_info *out)
{
	struct cf_frames_info fi;
	struct tpkt_walk w;
	enum cf_rec r;
	struct cf_frame f;

	memset(out, 0, sizeof(*out));
	out->uuie_body = -1;
	w.out = out;
	w.bad = 0;
	w.partial = 0;
	r = cf_recog_tcp_frames(p, len, CF_FRAME_TPKT, one_tpkt, &w, &fi);
	if (r != CF_REC_YES)
		return r;
	if (fi.n == 0 && len > 4) {
		/* the first TPKT is cut: read the start of its body */
		f.msg = p;
		f.off = 0;
		f.len = len;
		f.hdr = 4;
		w.partial = 1;
		one_tpkt(&w, &f);
		if (!w.bad && out->kind == CF_H323_H245) {
			/* the first octets of H.245 say little (TLS or media
			 * data can start 03 00 too): judged when whole */
			out->kind = CF_H323_NONE;
			out->h245_class = out->h245_index = 0;
			out->need = (uint32_t)fi.need;
			return CF_REC_TRUNCATED;
		}
	}
	if (w.bad) {
		memset(out, 0, sizeof(*out));
		out->uuie_body = -1;
		return CF_REC_NO;
	}
	/* fi.n == 0: the first TPKT is cut (tpkts 0); need says how much
	 * of it is still to come; kind is what the start of its body says
	 * (NONE for a lone TPKT header) */
	out->need = (uint32_t)fi.need;
	return CF_REC_YES;
}

enum cf_rec cf_recog_ras(const uint8_t *p, size_t len, struct cf_ras_info *out)
{
	struct cursor c;
	uint8_t b0;
	uint16_t seq;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0))
		return CF_REC_NO;
	if (len > RAS_LEN_MAX || cf_recog_looks_text(p, len))
		return CF_REC_NO;
	if (b0 & 0x80) {
		/* normally small number: 0 then 6 bits; 8 extensions known */
		if ((b0 & 0x40) || (b0 & 0x3f) > 7)
			return CF_REC_NO;
		out->extension = 1;
		out->msg = (uint8_t)(CF_RAS_ROOT_MAX + 1 + (b0 & 0x3f));
		return len >= 4 ? CF_REC_YES : CF_REC_TRUNCATED;
	}
	out->msg = (uint8_t)((b0 >> 2) & 0x1f);
	if (out->msg > CF_RAS_ROOT_MAX)
		return CF_REC_NO;
	if (len < 4)
		return CF_REC_TRUNCATED;
	cur_skip(&c, 2);
	cur_be16(&c, &seq);
	out->seq = (uint16_t)(seq + 1u);
	if (out->msg <= CF_RAS_RRJ) {
		if (len < 11)
			return CF_REC_TRUNCATED;
		if (find_oid(c, 0, &out->h225_version) != 0 || seq == 0xffff)
			return CF_REC_NO;
		out->strong = 1;
		out->seq_ok = 1;
	}
	return CF_REC_YES;
}
