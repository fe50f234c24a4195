/*
 * fuzz-recog-sccp.c - libFuzzer target: cf_recog_sccp() on one TCP
 * segment (Skinny messages).  Checked: the media list stays within its
 * array and holds only the two media messages with a non-zero port.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_sccp_info s;
	enum cf_rec r;
	unsigned i;

	r = cf_recog_sccp(data, size, &s);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(s.n_media <= CF_SCCP_MEDIA_MAX && s.n_media <= s.msgs);
	for (i = 0; i < s.n_media; i++) {
		FZ_CHECK(s.media[i].port != 0);
		FZ_CHECK(s.media[i].msg_id == CF_SCCP_OPEN_RECEIVE_ACK ||
			 s.media[i].msg_id == CF_SCCP_START_MEDIA_TX);
	}
	if (r == CF_REC_YES)
		FZ_CHECK(s.msgs > 0 || s.need > 0);
	return 0;
}
