/*
 * fuzz-recog-dtls.c - libFuzzer target: cf_recog_dtls() on one UDP
 * datagram.  Checked: a YES names a DTLS content type or the unified
 * header, the record count stays within what the datagram can hold, and
 * every Certificate fragment it reports lies inside the datagram and
 * inside its message; the fragments' bytes are then read as a
 * certificate (cf_recog_x509).
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_dtls_info d;
	enum cf_rec r;
	int i;

	r = cf_recog_dtls(data, size, &d);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r == CF_REC_YES && !d.unified) {
		FZ_CHECK(d.content_type >= 20 && d.content_type <= 25);
		FZ_CHECK(d.records >= 1);
		/* every walked record has at least a 13-byte header */
		FZ_CHECK((size_t)d.records * 13 <= size);
	}
	FZ_CHECK(d.n_cert <= CF_DTLS_CERT_FRAGS);
	for (i = 0; r == CF_REC_YES && i < d.n_cert; i++) {
		const struct cf_dtls_frag *f = &d.cert[i];
		struct cf_x509_names xn;

		FZ_CHECK((size_t)f->data_off + f->frag_len <= size);
		FZ_CHECK((uint64_t)f->frag_off + f->frag_len <= f->msg_len);
		if (f->frag_off == 0 && f->frag_len > 6)
			cf_recog_x509(data + f->data_off + 6, f->frag_len - 6, &xn);
	}
	return 0;
}
