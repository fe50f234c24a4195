/*
 * recog-dtls.c - DTLS records in one datagram: content type, version,
 * epoch, the first handshake message type, the use_srtp extension of a
 * hello and where the Certificate message's fragments are.
 *
 * RFC 6347 (DTLS 1.2) sections 4.1 and 4.2.2; RFC 5764 section 4.1.1
 * (use_srtp, extension 14: the handshake keys SRTP); RFC 9147 (DTLS 1.3)
 * section 4 (unified header); RFC 9146 (content type 25, tls12_cid);
 * RFC 7983 (first byte 20-63 on a multiplexed WebRTC 5-tuple is DTLS).
 *
 * DTLSPlaintext record header (13 bytes):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | content type  |    version (0xfeff/fefd/fefc) |     epoch     :
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :    (epoch)    |        sequence number (48 bits)              :
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :                               |            length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Handshake header (12 bytes) when content type is 22:
 *   msg_type (8) length (24) message_seq (16) fragment_offset (24)
 *   fragment_length (24); msg_type 1 ClientHello, 2 ServerHello,
 *   3 HelloVerifyRequest, 11 Certificate, 12 ServerKeyExchange,
 *   14 ServerHelloDone, 16 ClientKeyExchange, 20 Finished.
 *
 * DTLS 1.3 ciphertext unified header: first byte 0 0 1 C S L E E
 * (C: connection id present, S: 16-bit sequence number, L: length
 * present, EE: low bits of the epoch).
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define DTLS_HDR_LEN 13
#define DTLS_MAX_RECORD (16384 + 2048)

static int dtls_version(uint16_t v)
{
	return v == 0xfeff || v == 0xfefd || v == 0xfefc;
}

/* A DTLS 1.3 unified header without a connection id, with a length. */
static enum cf_rec unified(struct cursor *c, uint8_t first, struct cf_dtls_info *out)
{
	uint16_t rlen;

	if ((first & 0x10) || !(first & 0x04))
		return CF_REC_NO;          /* cid length unknown / no length */
	if (cur_skip(c, (first & 0x08) ? 2 : 1) || cur_be16(c, &rlen))
		return CF_REC_TRUNCATED;
	if (rlen == 0 || rlen > cur_left(c))
		return CF_REC_NO;
	out->unified = 1;
	out->epoch = first & 0x03;
	out->records = 1;
	return CF_REC_YES;
}

/* Skip a vector with a length prefix of n bytes (1 or 2); 0 ok. */
static int skip_vec(struct cursor *c, int n)
{
	uint8_t l8;
	uint16_t l16;

	if (n == 1)
		return cur_u8(c, &l8) || cur_skip(c, l8);
	return cur_be16(c, &l16) || cur_skip(c, l16);
}

/*
 * A whole ClientHello or ServerHello body (RFC 6347 section 4.2.1, RFC
 * 5246 section 7.4.1): walk to the extensions and look for use_srtp.
 *   ClientHello: version(2) random(32) session_id<1> cookie<1>
 *                cipher_suites<2> compression_methods<1> extensions<2>
 *   ServerHello: version(2) random(32) session_id<1> cipher_suite(2)
 *                compression_method(1) extensions<2>
 */
static void hello(struct cursor *b, uint8_t hs_type, struct cf_dtls_info *out)
{
	uint16_t elen, etype, xlen;
	struct cursor ext;

	if (cur_skip(b, 2 + 32) || skip_vec(b, 1))
		return;
	if (hs_type == 1 ? skip_vec(b, 1) || skip_vec(b, 2) || skip_vec(b, 1)
			 : cur_skip(b, 3))
		return;
	out->hello = hs_type;
	if (cur_be16(b, &elen) || cur_sub(b, elen, &ext))
		return;               /* no extensions, or they do not fit */
	while (cur_be16(&ext, &etype) == 0 && cur_be16(&ext, &xlen) == 0 &&
	       cur_skip(&ext, xlen) == 0)
		if (etype == CF_DTLS_EXT_USE_SRTP)
			out->use_srtp = 1;
}

/*
 * The handshake messages of an epoch-0 handshake record (12-byte header
 * each: msg_type, length(24), message_seq(16), fragment_offset(24),
 * fragment_length(24)); body starts at offset base of the datagram.
 */
static void handshakes(struct cursor *body, const uint8_t *dgram,
		       struct cf_dtls_info *out)
{
	uint8_t type;
	uint16_t seq;
	uint32_t mlen, off, flen;
	struct cursor frag;

	while (cur_u8(body, &type) == 0 && cur_be24(body, &mlen) == 0 &&
	       cur_be16(body, &seq) == 0 && cur_be24(body, &off) == 0 &&
	       cur_be24(body, &flen) == 0) {
		if (cur_sub(body, flen, &frag) || (uint64_t)off + flen > mlen)
			return;
		if ((type == 1 || type == 2) && off == 0 && flen == mlen &&
		    out->hello == 0)
			hello(&frag, type, out);
		else if (type == 11 && flen > 0 && out->n_cert < CF_DTLS_CERT_FRAGS &&
			 frag.p - dgram <= UINT16_MAX) {
			struct cf_dtls_frag *cf = &out->cert[out->n_cert++];

			cf->msg_len = mlen;
			cf->frag_off = off;
			cf->frag_len = flen;
			cf->data_off = (uint16_t)(frag.p - dgram);
		}
	}
}

/* One record; 0 ok, -1 short, -2 not DTLS. */
static int one_record(struct cursor *c, const uint8_t *dgram,
		      struct cf_dtls_info *out)
{
	uint8_t type, hs_type;
	uint16_t version, epoch, rlen;
	struct cursor body;

	if (cur_u8(c, &type) || cur_be16(c, &version) || cur_be16(c, &epoch) ||
	    cur_skip(c, 6) || cur_be16(c, &rlen))
		return -1;
	if (type < 20 || type > 25 || !dtls_version(version) ||
	    rlen == 0 || rlen > DTLS_MAX_RECORD)
		return -2;
	if (cur_sub(c, rlen, &body))
		return -1;
	if (out->records == 0) {
		out->content_type = type;
		out->version = version;
		out->epoch = epoch;
		if (type == CF_DTLS_HANDSHAKE && epoch == 0 &&
		    cur_peek_u8(&body, 0, &hs_type) == 0)
			out->hs_type = hs_type;
	}
	if (type == CF_DTLS_HANDSHAKE || type == CF_DTLS_CCS)
		out->has_handshake = 1;
	if (type == CF_DTLS_HANDSHAKE && epoch == 0)
		handshakes(&body, dgram, out);
	if (out->records < 255)
		out->records++;
	return 0;
}

enum cf_rec cf_recog_dtls(const uint8_t *p, size_t len, struct cf_dtls_info *out)
{
	struct cursor c;
	uint8_t first;
	int rc;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &first))
		return CF_REC_NO;
	if ((first & 0xe0) == 0x20) {
		cur_skip(&c, 1);
		return unified(&c, first, out);
	}
	rc = one_record(&c, p, out);
	if (rc == -2)
		return CF_REC_NO;
	if (rc == -1)
		return (first >= 20 && first <= 25) ? CF_REC_TRUNCATED : CF_REC_NO;
	while (cur_left(&c) >= DTLS_HDR_LEN && one_record(&c, p, out) == 0)
		;
	return CF_REC_YES;
}
