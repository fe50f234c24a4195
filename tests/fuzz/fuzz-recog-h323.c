/*
 * fuzz-recog-h323.c - libFuzzer target: cf_recog_h225() (TCP: TPKT with
 * Q.931 or H.245) when byte 0 bit 0 is 0, cf_recog_ras() (UDP) when it
 * is 1; the rest is the payload.  Checked: the kinds and indices stay in
 * their ranges; a strong RAS message has its sequence number; media
 * addresses come only from an OpenLogicalChannelAck.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_h225_info h;
	struct cf_ras_info ras;
	enum cf_rec r;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		r = cf_recog_ras(data + 1, size - 1, &ras);
		FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
		if (r == CF_REC_YES) {
			FZ_CHECK(ras.msg <= CF_RAS_ROOT_MAX + 8);
			FZ_CHECK(!ras.strong || (ras.seq_ok && ras.seq != 0 &&
						 ras.msg <= CF_RAS_RRJ));
		}
		return 0;
	}
	r = cf_recog_h225(data + 1, size - 1, &h);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(h.uuie_body >= -1 && h.uuie_body <= 7);
	if (r == CF_REC_YES) {
		FZ_CHECK(h.kind == CF_H323_NONE || h.tpkts > 0 || h.need > 0);
		FZ_CHECK(h.need <= 0xffff);
		FZ_CHECK(h.h245_class <= 3);
		if (h.kind == CF_H323_Q931)
			FZ_CHECK((h.msg_type & 0x80) == 0);
		if (h.has_media || h.has_media_ctl)
			FZ_CHECK(h.kind == CF_H323_H245 && h.h245_class == 1 &&
				 h.h245_index == 5 && h.h245_lcn != 0);
	}
	return 0;
}
