/*
 * fuzz-recog-zoom.c - libFuzzer target: cf_recog_zoom().  Byte 0 bit 0
 * says server flow (8801-8810, outer header) or P2P; the rest is the
 * datagram.  Checked: the kind is known and an RTP/RTCP offset lies
 * inside the datagram.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_zoom_info z;
	enum cf_rec r;
	int server;

	if (size < 1)
		return 0;
	server = data[0] & 1;
	data++;
	size--;
	r = cf_recog_zoom(data, size, server, &z);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(z.kind >= CF_ZOOM_NONE && z.kind <= CF_ZOOM_OTHER);
	FZ_CHECK(cf_zoom_kind_name(z.kind) != NULL);
	if (r == CF_REC_YES && z.rtp_ok)
		FZ_CHECK(z.rtp_off < size);
	if (r == CF_REC_YES && !server)
		FZ_CHECK(z.rtp_ok);
	return 0;
}
