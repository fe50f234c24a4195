/*
 * recog-int.h - what the recognisers share among themselves (not for the
 * classifier): reading a text protocol's lines and an SDP body.
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

#endif /* CF_RECOG_INT_H */
