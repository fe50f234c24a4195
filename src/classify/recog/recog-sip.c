/*
 * recog-sip.c - SIP start line, and SDES keys in the SDP body.
 *
 * RFC 3261 section 7.1 (Request-Line: Method SP Request-URI SP
 * SIP-Version CRLF) and 7.2 (Status-Line: SIP-Version SP Status-Code SP
 * Reason-Phrase CRLF); RFC 4568 (SDP "a=crypto:" carries SRTP master
 * keys: in clear-text SIP they can be read off the wire).
 *
 *   INVITE sip:bob@example.com SIP/2.0\r\n      request
 *   SIP/2.0 200 OK\r\n                           response
 *   ...headers...\r\n\r\n
 *   v=0 ... a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<key>\r\n
 *
 * SDP (RFC 8866): "c=IN IP4 192.0.2.1" (section 5.7, session level
 * before the first m= line, or per media section after its m= line) and
 * "m=audio 49170 RTP/AVP 0" (section 5.14) announce where a call's media
 * will flow; the first CF_SDP_MEDIA_MAX m= lines with a port and an
 * address are returned.  The a=crypto value (the key) is never copied.
 *
 * Call-ID (RFC 3261 section 20.8, compact form "i"): the value's place in
 * the payload, which ties a dialog's messages and the media its SDP
 * announces into one call (classify-call.c).
 *
 * Only what the payload holds is searched: a body in a later TCP segment
 * is not seen (no reassembly).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify/recog/recog-int.h"

#define SIP_LINE_MAX 512
#define SIP_METHOD_MAX 16
#define SIP_HEADERS_MAX 64          /* header lines searched for Call-ID */
#define SIP_VERSION "SIP/2.0"

/* Copy the first line (without CR LF) into line; -1 if none ends in reach. */
static int first_line(struct cursor *c, char *line, size_t cap)
{
	size_t n = 0;
	uint8_t b;

	while (cur_u8(c, &b) == 0) {
		if (b == '\n') {
			if (n > 0 && line[n - 1] == '\r')
				n--;
			line[n] = '\0';
			return 0;
		}
		if (n + 1 >= cap)
			return -1;
		line[n++] = (char)b;
	}
	return -1;
}

static int is_status_line(const char *l)
{
	size_t v = strlen(SIP_VERSION);

	return strncmp(l, SIP_VERSION " ", v + 1) == 0 &&
	       l[v + 1] >= '1' && l[v + 1] <= '6' &&
	       l[v + 2] >= '0' && l[v + 2] <= '9' &&
	       l[v + 3] >= '0' && l[v + 3] <= '9';
}

static int is_request_line(const char *l)
{
	size_t i = 0, n = strlen(l), v = strlen(SIP_VERSION);
	const char *uri;

	while (l[i] >= 'A' && l[i] <= 'Z')
		i++;
	if (i == 0 || i > SIP_METHOD_MAX || l[i] != ' ')
		return 0;
	uri = l + i + 1;
	if (strncmp(uri, "sip:", 4) != 0 && strncmp(uri, "sips:", 5) != 0 &&
	    strncmp(uri, "tel:", 4) != 0)
		return 0;
	return n > i + v + 2 && l[n - v - 1] == ' ' &&
	       strcmp(l + n - v, SIP_VERSION) == 0;
}

/* Does header line l (length n) name hdr ("call-id", lower case) or its
 * compact form?  Returns the offset of the value (spaces skipped), 0 no. */
static size_t header_value(const char *l, size_t n, const char *hdr, char compact)
{
	size_t h = strlen(hdr), i;

	if (n > 1 && (l[0] | 0x20) == compact && (l[1] == ':' || l[1] == ' '))
		i = 1;
	else if (n > h && strncasecmp(l, hdr, h) == 0 && (l[h] == ':' || l[h] == ' '))
		i = h;
	else
		return 0;
	while (i < n && l[i] == ' ')
		i++;
	if (i >= n || l[i] != ':')
		return 0;
	for (i++; i < n && (l[i] == ' ' || l[i] == '\t'); i++)
		;
	return i < n ? i : 0;
}

/* The headers after the start line (c, a copy): where Call-ID's value is. */
static void call_id(struct cursor c, const uint8_t *p, struct cf_sip_info *out)
{
	char line[SIP_LINE_MAX];
	size_t at, n, v;
	int i;

	for (i = 0; i < SIP_HEADERS_MAX; i++) {
		at = (size_t)(c.p - p);
		if (cf_recog_line(&c, line, sizeof(line)) != 0 || line[0] == '\0')
			return;
		n = strlen(line);
		v = header_value(line, n, "call-id", 'i');
		if (v == 0)
			continue;
		while (n > v && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		if (at + v <= UINT16_MAX && n - v <= UINT16_MAX) {
			out->call_id_off = (uint16_t)(at + v);
			out->call_id_len = (uint16_t)(n - v);
		}
		return;
	}
}

enum cf_rec cf_recog_sip(const uint8_t *p, size_t len, struct cf_sip_info *out)
{
	struct cursor c;
	char line[SIP_LINE_MAX];
	uint8_t b0;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0) || b0 < 'A' || b0 > 'Z' ||
	    first_line(&c, line, sizeof(line)))
		return CF_REC_NO;
	if (is_status_line(line))
		out->is_request = 0;
	else if (is_request_line(line))
		out->is_request = 1;
	else
		return CF_REC_NO;
	call_id(c, p, out);
	cf_recog_sdp(&c, out->media, &out->n_media, &out->has_sdp_crypto);
	return CF_REC_YES;
}
