/*
 * recog-int.h - what the recognisers share among themselves (not for the
 * classifier): reading a text protocol's lines and an SDP body, telling
 * text from binary.
 */
#ifndef CF_RECOG_INT_H
#define CF_RECOG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

/* The next line of c into line (cut at cap - 1; its end - LF, CR LF or a
 * bare CR - dropped); -1 at the end of the bytes. */
int cf_recog_line(struct cursor *c, char *line, size_t cap);

/*
 * The rest of c as SDP lines (recog-sdp.c), up to the end or a line ".":
 * every media end announced, appended to media[*n_media...] (at most
 * CF_SDP_MEDIA_MAX in all); *crypto (may be NULL) set when an a=crypto:
 * line is there.
 */
void cf_recog_sdp(struct cursor *c, struct cf_sdp_media *media, uint8_t *n_media,
		  uint8_t *crypto);

/* Are the first 8 bytes printable text (SIP, HTTP, ...)?  The binary
 * recognisers whose checks are weak (RAS, IAX2 mini frames) refuse those. */
static inline int cf_recog_looks_text(const uint8_t *p, size_t len)
{
	size_t i;

	if (len < 8)
		return 0;
	for (i = 0; i < 8; i++)
		if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

#endif /* CF_RECOG_INT_H */
