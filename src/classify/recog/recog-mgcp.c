/*
 * recog-mgcp.c - MGCP (Media Gateway Control Protocol) command and
 * response lines, and the media endpoints of the SDP they carry.
 *
 * RFC 3435 section 3.2 (command header):
 *   VERB SP transaction-id SP endpoint-name SP "MGCP" SP version [SP profile]
 *     verbs: EPCF CRCX MDCX DLCX RQNT NTFY AUEP AUCX RSIP (case-insensitive,
 *     section 3.2.1); transaction-id: 1-9 digits (1..999999999);
 *     endpoint-name: local-name@domain (section 2.1.1); version "1.0"
 *     (older stacks send "0.1"; a profile such as "NCS 1.0" may follow)
 *   "200 1203 OK"
 * RFC 3435 section 3.3 (response header): 3-digit code SP transaction-id
 *   [SP package-name/comment]
 * Lines end in CR LF or LF (section 3.1's EOL); a bare CR, which some
 * gateways send, is taken as well.
 * Section 3.1: the header lines end at an empty line; an SDP session
 * description (RFC 4566/8866) follows.  "c=IN IP4 addr" and "m=audio
 * port ..." give the media endpoints, read as recog-sip.c reads them
 * (media-level c= before session-level; at most CF_SDP_MEDIA_MAX).
 * Piggy-backed messages (section 3.5, separated by a "." line) are not
 * walked: the first message's SDP is read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify/recog/recog-int.h"

#define LINE_MAX_MGCP 256
#define TXID_MAX 999999999ul

static const char *const verbs[] = {
	"EPCF", "CRCX", "MDCX", "DLCX", "RQNT", "NTFY", "AUEP", "AUCX", "RSIP",
};

/* 1-9 digits at *s, then SP or end: the value, *s moved past. */
static int txid(const char **s, uint32_t *v)
{
	const char *p = *s;
	unsigned long x = 0;
	size_t n = 0;

	while (p[n] >= '0' && p[n] <= '9' && n < 10)
		x = x * 10 + (unsigned long)(p[n++] - '0');
	if (n == 0 || n > 9 || (p[n] != ' ' && p[n] != '\0') || x == 0 || x > TXID_MAX)
		return -1;
	*v = (uint32_t)x;
	*s = p + n;
	return 0;
}

static int command_line(const char *l, struct cf_mgcp_info *out)
{
	size_t i, n;
	const char *at, *sp;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncasecmp(l, verbs[i], 4) == 0 && l[4] == ' ')
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return -1;
	memcpy(out->verb, verbs[i], 5);
	l += 5;
	if (txid(&l, &out->txid) || *l != ' ')
		return -1;
	l++;
	sp = strchr(l, ' ');
	at = strchr(l, '@');
	n = sp ? (size_t)(sp - l) : 0;
	if (sp == NULL || n < 3 || at == NULL || at > sp || at == l)
		return -1;
	l = sp + 1;
	if (strncasecmp(l, "MGCP ", 5) != 0 || l[5] < '0' || l[5] > '9' ||
	    l[6] != '.' || l[7] < '0' || l[7] > '9' || (l[8] != '\0' && l[8] != ' '))
		return -1;
	out->is_command = 1;
	return 0;
}

static int response_line(const char *l, struct cf_mgcp_info *out)
{
	if (l[0] < '0' || l[0] > '9' || l[1] < '0' || l[1] > '9' ||
	    l[2] < '0' || l[2] > '9' || l[3] != ' ')
		return -1;
	out->code = (uint16_t)((l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0'));
	l += 4;
	return txid(&l, &out->txid);
}

enum cf_rec cf_recog_mgcp(const uint8_t *p, size_t len, struct cf_mgcp_info *out)
{
	struct cursor c;
	char line[LINE_MAX_MGCP];
	size_t n = 0;
	uint8_t b;

	memset(out, 0, sizeof(*out));
	cur_init(&c, p, len);
	/* the first line must end (LF) within LINE_MAX_MGCP bytes */
	for (;;) {
		if (cur_u8(&c, &b))
			break;          /* the end of the bytes ends it too */
		if (b == '\n' || b == '\r') {
			if (b == '\r' && cur_peek_u8(&c, 0, &b) == 0 && b == '\n')
				cur_skip(&c, 1);
			break;
		}
		if (n + 1 >= sizeof(line) || b == 0)
			return CF_REC_NO;
		line[n++] = (char)b;
	}
	line[n] = '\0';
	if (command_line(line, out) != 0 && response_line(line, out) != 0) {
		memset(out, 0, sizeof(*out));
		return CF_REC_NO;
	}
	/* header lines up to the empty line, then SDP */
	while (cf_recog_line(&c, line, sizeof(line)) == 0)
		if (line[0] == '\0') {
			cf_recog_sdp(&c, out->media, &out->n_media, NULL);
			break;
		}
	return CF_REC_YES;
}
