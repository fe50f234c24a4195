/*
 * fuzz-recog-dtls.c - libFuzzer target: cf_recog_dtls() on one UDP
 * datagram.  Checked: a YES names a DTLS content type or the unified
 * header, and the record count stays within what the datagram can hold.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_dtls_info d;
	enum cf_rec r;

	r = cf_recog_dtls(data, size, &d);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r == CF_REC_YES && !d.unified) {
		FZ_CHECK(d.content_type >= 20 && d.content_type <= 25);
		FZ_CHECK(d.records >= 1);
		/* every walked record has at least a 13-byte header */
		FZ_CHECK((size_t)d.records * 13 <= size);
	}
	return 0;
}
