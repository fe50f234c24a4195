/*
 * recog-tls.c - TLS record layer and the ClientHello/ServerHello fields
 * callfence needs: server name (SNI), versions, first ALPN protocol.
 *
 * RFC 8446 (TLS 1.3) sections 4.1.2, 4.1.3, 4.2.1, 5.1; RFC 5246 (TLS 1.2)
 * section 6.2.1; RFC 6066 section 3 (server_name); RFC 7301 (ALPN).
 *
 * Record:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | content type  |    legacy_record_version      |    length     :
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :   (length)    | handshake type|      handshake length (24)    :
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :               |     legacy_version            |  random (32)  :
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | session id len | session id (0-32) | cipher_suites len(16) ... |
 *   | compression len(8) ... | extensions len (16) | extensions ...   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Extension: type (16), length (16), data.  server_name (0): list length
 * (16), then entries of name_type (8, 0 = host_name), length (16), name.
 * ALPN (16): list length (16), then length (8) + protocol name.
 * supported_versions (43): ClientHello: length (8) + versions (16 each);
 * ServerHello: the selected version (16).
 *
 * A ClientHello split over several TCP segments (large key shares,
 * post-quantum hybrids) is TRUNCATED here; classify-wire.c reassembles
 * the first 4 KiB of the client's stream and calls this again.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define TLS_MAX_RECORD (16384 + 2048)
#define EXT_SERVER_NAME 0
#define EXT_ALPN 16
#define EXT_SUPPORTED_VERSIONS 43

/* How a hello read ended: the bytes ran out early, or a field is wrong. */
struct hello_ctx {
	struct cursor c;
	int cut;                /* fewer bytes than the handshake length says */
	struct cf_tls_info *out;
};

static enum cf_rec fail(const struct hello_ctx *h)
{
	return h->cut ? CF_REC_TRUNCATED : CF_REC_NO;
}

static int is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Take n bytes from c as a string: as many as fit in dst, the rest skipped. */
static int take_str(struct cursor *c, size_t n, char *dst, size_t cap)
{
	size_t keep = n < cap - 1 ? n : cap - 1;

	if (cur_left(c) < n || cur_bytes(c, dst, keep) || cur_skip(c, n - keep))
		return -1;
	dst[keep] = '\0';
	return 0;
}

/* server_name: the first host_name entry. */
static int ext_sni(struct cursor *e, struct cf_tls_info *out)
{
	uint16_t list_len, name_len;
	uint8_t type;
	struct cursor list;

	if (cur_be16(e, &list_len) || cur_sub(e, list_len, &list))
		return -1;
	while (cur_left(&list) > 0) {
		if (cur_u8(&list, &type) || cur_be16(&list, &name_len) ||
		    cur_left(&list) < name_len)
			return -1;
		if (type != 0 || out->has_sni) {
			cur_skip(&list, name_len);
			continue;
		}
		take_str(&list, name_len, out->sni, sizeof(out->sni));
		out->sni_len = (uint8_t)(name_len > CF_TLS_SNI_MAX ?
					 CF_TLS_SNI_MAX : name_len);
		out->has_sni = 1;
	}
	return 0;
}

/* ALPN: the first protocol name. */
static int ext_alpn(struct cursor *e, struct cf_tls_info *out)
{
	uint16_t list_len;
	uint8_t n;
	struct cursor list;

	if (cur_be16(e, &list_len) || cur_sub(e, list_len, &list) ||
	    cur_u8(&list, &n) || n == 0)
		return -1;
	return take_str(&list, n, out->alpn, sizeof(out->alpn));
}

/* supported_versions: highest non-GREASE entry, or the selected one. */
static int ext_versions(struct cursor *e, int client, struct cf_tls_info *out)
{
	uint8_t n;
	uint16_t v;
	struct cursor list;

	if (!client)
		return cur_be16(e, &out->version);
	if (cur_u8(e, &n) || (n & 1) || cur_sub(e, n, &list))
		return -1;
	while (cur_be16(&list, &v) == 0)
		if (!is_grease(v) && v > out->version)
			out->version = v;
	return 0;
}

static int one_extension(struct cursor *exts, int client, struct cf_tls_info *out)
{
	uint16_t type, elen;
	struct cursor e;

	if (cur_be16(exts, &type) || cur_be16(exts, &elen) ||
	    cur_sub(exts, elen, &e))
		return -1;
	switch (type) {
	case EXT_SERVER_NAME:
		return client ? ext_sni(&e, out) : 0;
	case EXT_ALPN:
		return ext_alpn(&e, out);
	case EXT_SUPPORTED_VERSIONS:
		out->version = 0;
		if (ext_versions(&e, client, out))
			return -1;
		if (out->version == 0)
			out->version = out->legacy_version;
		return 0;
	default:
		return 0;
	}
}

/* legacy_version, random, session id, suites, compression, extensions. */
static enum cf_rec parse_hello(struct hello_ctx *h, int client)
{
	struct cf_tls_info *out = h->out;
	uint8_t sid_len, comp_len;
	uint16_t suites_len, ext_len;
	struct cursor exts;

	if (cur_be16(&h->c, &out->legacy_version) || cur_skip(&h->c, 32) ||
	    cur_u8(&h->c, &sid_len))
		return fail(h);
	out->version = out->legacy_version;
	if (sid_len > 32)
		return CF_REC_NO;
	if (cur_skip(&h->c, sid_len))
		return fail(h);
	if (client) {
		if (cur_be16(&h->c, &suites_len))
			return fail(h);
		if (suites_len < 2 || (suites_len & 1))
			return CF_REC_NO;
		if (cur_skip(&h->c, suites_len) || cur_u8(&h->c, &comp_len))
			return fail(h);
		if (comp_len < 1)
			return CF_REC_NO;
		if (cur_skip(&h->c, comp_len))
			return fail(h);
	} else if (cur_skip(&h->c, 3)) {
		return fail(h);
	}
	if (cur_left(&h->c) == 0 && !h->cut)
		return CF_REC_YES;              /* no extensions at all */
	if (cur_be16(&h->c, &ext_len))
		return fail(h);
	if (cur_left(&h->c) < ext_len && !h->cut)
		return CF_REC_NO;
	cur_sub(&h->c, ext_len < cur_left(&h->c) ? ext_len : cur_left(&h->c), &exts);
	while (cur_left(&exts) > 0)
		if (one_extension(&exts, client, out))
			return fail(h);
	return h->cut ? CF_REC_TRUNCATED : CF_REC_YES;
}

static int plausible_record(uint8_t type, uint16_t version)
{
	return type >= 20 && type <= 24 && (version >> 8) == 3 &&
	       (version & 0xff) <= 4;
}

enum cf_rec cf_recog_tls(const uint8_t *p, size_t len, struct cf_tls_info *out)
{
	/* rec zeroed: cur_sub cannot fail on a clamped length, but gcc -O2
	   cannot see it and warns (-Wmaybe-uninitialized) */
	struct cursor c, rec = { NULL, NULL };
	struct hello_ctx h;
	uint8_t hs_type;
	uint16_t rlen;
	uint32_t hs_len;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_u8(&c, &out->content_type))
		return CF_REC_NO;
	if (cur_be16(&c, &out->record_version) || cur_be16(&c, &rlen))
		return out->content_type >= 20 && out->content_type <= 24 ?
		       CF_REC_TRUNCATED : CF_REC_NO;
	if (!plausible_record(out->content_type, out->record_version) ||
	    rlen == 0 || rlen > TLS_MAX_RECORD)
		return CF_REC_NO;
	if (out->content_type != 22)
		return CF_REC_YES;
	cur_sub(&c, rlen < cur_left(&c) ? rlen : cur_left(&c), &rec);
	if (cur_u8(&rec, &hs_type) || cur_be24(&rec, &hs_len))
		return CF_REC_TRUNCATED;
	if (hs_type != 1 && hs_type != 2)
		return CF_REC_YES;
	out->is_client_hello = hs_type == 1;
	out->is_server_hello = hs_type == 2;
	h.out = out;
	h.cut = cur_left(&rec) < hs_len;
	cur_sub(&rec, h.cut ? cur_left(&rec) : hs_len, &h.c);
	return parse_hello(&h, hs_type == 1);
}
