/*
 * fuzz-recog-iax2.c - libFuzzer target: cf_recog_iax2() on one datagram.
 * Checked: a full frame has a type 1-10 and a source call number, is
 * never weak, and an IAX frame's IEs walked out; mini and meta frames
 * are weak media.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_iax2_info x;
	enum cf_rec r;

	r = cf_recog_iax2(data, size, &x);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r != CF_REC_YES)
		return 0;
	FZ_CHECK(x.src_call <= 0x7fff && x.dst_call <= 0x7fff);
	if (x.kind == CF_IAX2_FULL) {
		FZ_CHECK(size >= 12 && !x.weak && x.src_call != 0);
		FZ_CHECK(x.type >= CF_IAX2_DTMF && x.type <= CF_IAX2_CNG);
		FZ_CHECK(x.type != CF_IAX2_IAX || x.ies_ok);
		FZ_CHECK(!(x.is_media && x.is_signaling));
	} else {
		FZ_CHECK(x.kind == CF_IAX2_MINI || x.kind == CF_IAX2_META_VIDEO ||
			 x.kind == CF_IAX2_META_TRUNK);
		FZ_CHECK(x.weak && x.is_media && size > 4);
	}
	return 0;
}
