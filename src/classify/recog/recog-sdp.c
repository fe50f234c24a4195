/*
 * recog-sdp.c - the media ends an SDP body announces (RFC 8866 sections
 * 5.7 and 5.14), for the signalling that carries SDP in the clear: SIP
 * (recog-sip.c) and MGCP (recog-mgcp.c).
 *
 * The lines are walked one by one through the cursor: a "c=" line before
 * the first "m=" is the session's connection address, one after an "m="
 * that media's own; every "m=" with a non-zero port and an address (its
 * own or the session's) is one media end.  "a=crypto:" (RFC 4568: SDES,
 * the SRTP master key in the line) is noted, never copied.  A line "."
 * ends the body (MGCP piggy-backs the next message after it).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "classify/recog/recog-int.h"

#define SDP_LINE_MAX 128        /* body lines longer than this are cut */

/* Step over the end of a line whose first byte b was just read: CR LF,
 * LF, or (as some gateways send) a bare CR. */
static void line_end(struct cursor *c, uint8_t b)
{
	uint8_t nx;

	if (b == '\r' && cur_peek_u8(c, 0, &nx) == 0 && nx == '\n')
		cur_skip(c, 1);
}

/*
 * The line's end is looked for with memchr (a SIP message is read a line
 * at a time: byte by byte this was a fifth of the time of a SIP packet),
 * LINE_LOOK bytes at a time, so that a body of bare CRs (or of bare LFs)
 * is not scanned to its end for the other kind at every line.
 */
#define LINE_LOOK 128

int cf_recog_line(struct cursor *c, char *line, size_t cap)
{
	const uint8_t *p = c->p, *nl, *cr;
	size_t left = cur_left(c), off = 0, len, n;

	if (left == 0)
		return -1;
	for (;;) {
		size_t w = left - off < LINE_LOOK ? left - off : LINE_LOOK;

		nl = memchr(p + off, '\n', w);
		cr = memchr(p + off, '\r', nl != NULL ? (size_t)(nl - (p + off)) : w);
		if (cr != NULL || nl != NULL) {
			len = (size_t)((cr != NULL ? cr : nl) - p);
			break;
		}
		off += w;
		if (off == left) {
			len = left;
			break;
		}
	}
	n = cap == 0 ? 0 : len < cap - 1 ? len : cap - 1;
	memcpy(line, p, n);
	if (cap > 0)
		line[n] = '\0';
	c->p = p + len;
	if (len < left) {
		c->p++;
		line_end(c, p[len]);
	}
	return 0;
}

/* "c=IN IP4 ADDR[/ttl[/n]]" or "c=IN IP6 ADDR": 0 and *a filled. */
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

/* "m=MEDIA PORT[/n] PROTO ...": the port, 0 if none or bad. */
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

/* What the walk keeps between lines. */
struct sdp_walk {
	cf_addr session;            /* session-level c= */
	int has_session;
	int in_media;               /* past the first m= line */
	int slot;                   /* entry of the current m=, -1 none */
	uint8_t has_addr[CF_SDP_MEDIA_MAX];
	uint16_t port[CF_SDP_MEDIA_MAX];
	cf_addr addr[CF_SDP_MEDIA_MAX];
	int n;
};

static void sdp_line(struct sdp_walk *w, const char *l, uint8_t *crypto)
{
	cf_addr a;
	uint16_t port;

	if (strncmp(l, "a=crypto:", 9) == 0) {
		*crypto = 1;
	} else if (strncmp(l, "m=", 2) == 0) {
		w->in_media = 1;
		w->slot = -1;
		port = sdp_media_port(l + 2);
		if (port == 0 || w->n >= CF_SDP_MEDIA_MAX)
			return;
		w->slot = w->n++;
		w->port[w->slot] = port;
	} else if (strncmp(l, "c=", 2) == 0 && sdp_connection(l + 2, &a) == 0) {
		if (!w->in_media) {
			w->session = a;
			w->has_session = 1;
		} else if (w->slot >= 0) {
			w->addr[w->slot] = a;
			w->has_addr[w->slot] = 1;
		}
	}
}

void cf_recog_sdp(struct cursor *c, struct cf_sdp_media *media, uint8_t *n_media,
		  uint8_t *crypto)
{
	char line[SDP_LINE_MAX];
	struct sdp_walk w;
	uint8_t dummy = 0;
	int i;

	memset(&w, 0, sizeof(w));
	w.slot = -1;
	while (cf_recog_line(c, line, sizeof(line)) == 0 && strcmp(line, ".") != 0)
		sdp_line(&w, line, crypto != NULL ? crypto : &dummy);
	for (i = 0; i < w.n; i++) {
		if (!w.has_addr[i] && !w.has_session)
			continue;
		media[*n_media].addr = w.has_addr[i] ? w.addr[i] : w.session;
		media[*n_media].port = w.port[i];
		(*n_media)++;
	}
}
