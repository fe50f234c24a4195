/*
 * fuzz-recog-quic.c - libFuzzer target: cf_recog_quic() on one UDP
 * datagram, and the version helpers on what it found.  Checked: a YES
 * has a version callfence knows (or is Version Negotiation / gQUIC) and
 * connection id lengths that fit the datagram.
 * Needs: src/classify/recog/recog-quic.c
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_quic_info q;
	char name[32];
	enum cf_rec r;

	r = cf_recog_quic(data, size, &q);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r != CF_REC_YES)
		return 0;
	FZ_CHECK((size_t)q.dcid_len + q.scid_len <= size);
	FZ_CHECK(cf_quic_version_name(q.version, name, sizeof(name)) != NULL);
	FZ_CHECK(fz_terminated(name, sizeof(name)));
	return 0;
}
