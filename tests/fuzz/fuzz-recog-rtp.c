/*
 * fuzz-recog-rtp.c - libFuzzer target: cf_recog_rtp() and cf_recog_zrtp()
 * on one UDP datagram.  Checked: a YES has room for the header it read.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_rtp_info i;
	enum cf_rec r;
	int z;

	r = cf_recog_rtp(data, size, &i);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r == CF_REC_YES)
		FZ_CHECK(size >= (i.is_rtcp ? 8u : 12u));
	z = cf_recog_zrtp(data, size);
	FZ_CHECK(z == 0 || z == 1);
	if (z)
		FZ_CHECK(size >= 8);
	return 0;
}
