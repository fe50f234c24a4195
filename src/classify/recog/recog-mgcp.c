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

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define LINE_MAX_MGCP 256
#define TXID_MAX 999999999ul

static const char *const verbs[] = {
	"EPCF", "CRCX", "MDCX", "DLCX", "RQNT", "NTFY", "AUEP", "AUCX", "RSIP",
};

/* Step over the end of a line whose first byte b was just read: CR LF,
 * LF, or (as some gateways send) a bare CR. */
static void line_end(struct cursor *c, uint8_t b)
{
	uint8_t nx;

	if (b == '\r' && cur_peek_u8(c, 0, &nx) == 0 && nx == '\n')
		cur_skip(c, 1);
}

/* The next line of c into line (cut at cap - 1, its end dropped); -1 at
 * the end of the bytes. */
static int next_line(struct cursor *c, char *line, size_t cap)
{
	size_t n = 0;
	uint8_t b;

	if (cur_left(c) == 0)
		return -1;
	while (cur_u8(c, &b) == 0) {
		if (b == '\n' || b == '\r') {
			line_end(c, b);
			break;
		}
		if (n + 1 < cap)
			line[n++] = (char)b;
	}
	line[n] = '\0';
	return 0;
}

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

/* "IN IP4 ADDR[/ttl]" or "IN IP6 ADDR": 0 and *a filled. */
static int sdp_connection(const char *v, cf_addr *a)
{
	char addr[CF_ADDR_STRLEN];
	size_t n;

	if (strncmp(v, "IN IP4 ", 7) != 0 && strncmp(v, "IN IP6 ", 7) != 0)
		return -1;
	v += 7;
	n = strcspn(v, "/ ");
	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, v, n);
	addr[n] = '\0';
	return cf_addr_parse(addr, a);
}

/* "MEDIA PORT[/n] PROTO ...": the port, 0 if none or bad. */
static uint16_t sdp_media_port(const char *v)
{
	unsigned long port;
	char *end;

	v = strchr(v, ' ');
	if (v == NULL || v[1] < '0' || v[1] > '9')
		return 0;
	port = strtoul(v + 1, &end, 10);
	if ((*end != ' ' && *end != '/') || port > 65535)
		return 0;
	return (uint16_t)port;
}

/* The SDP lines left in c (after the empty line). */
static void sdp(struct cursor *c, struct cf_mgcp_info *out)
{
	char line[LINE_MAX_MGCP];
	cf_addr session, addr[CF_SDP_MEDIA_MAX], a;
	uint8_t has_addr[CF_SDP_MEDIA_MAX] = { 0 };
	uint16_t port[CF_SDP_MEDIA_MAX], mport;
	int has_session = 0, in_media = 0, slot = -1, n = 0, i;

	while (next_line(c, line, sizeof(line)) == 0) {
		if (strcmp(line, ".") == 0)
			break;                  /* a piggy-backed message follows */
		if (strncmp(line, "m=", 2) == 0) {
			in_media = 1;
			slot = -1;
			mport = sdp_media_port(line + 2);
			if (n < CF_SDP_MEDIA_MAX && mport != 0) {
				port[n] = mport;
				slot = n++;
			}
		} else if (strncmp(line, "c=", 2) == 0 &&
			   sdp_connection(line + 2, &a) == 0) {
			if (!in_media) {
				session = a;
				has_session = 1;
			} else if (slot >= 0) {
				addr[slot] = a;
				has_addr[slot] = 1;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (!has_addr[i] && !has_session)
			continue;
		out->media[out->n_media].addr = has_addr[i] ? addr[i] : session;
		out->media[out->n_media].port = port[i];
		out->n_media++;
	}
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
			line_end(&c, b);
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
	while (next_line(&c, line, sizeof(line)) == 0)
		if (line[0] == '\0') {
			sdp(&c, out);
			break;
		}
	return CF_REC_YES;
}
