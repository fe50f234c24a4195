/*
 * fuzz-recog-sip.c - libFuzzer target: cf_recog_sip() on one payload
 * (SIP start line; SDP a=crypto:, c= and m= lines after it).  Checked:
 * the media list stays within its array and every entry has a port.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_sip_info s;
	enum cf_rec r;
	unsigned i;

	r = cf_recog_sip(data, size, &s);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(s.n_media <= CF_SDP_MEDIA_MAX);
	for (i = 0; i < s.n_media; i++)
		FZ_CHECK(s.media[i].port != 0);
	if (r == CF_REC_YES && s.has_sdp_crypto)
		FZ_CHECK(size >= 9);    /* "a=crypto:" was in it */
	return 0;
}
