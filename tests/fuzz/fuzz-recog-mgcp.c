/*
 * fuzz-recog-mgcp.c - libFuzzer target: cf_recog_mgcp() on one payload
 * (MGCP command or response line, SDP c=/m= lines).  Checked: the verb
 * is one of the nine or empty, the transaction id is in 1..999999999,
 * the media list stays within its array and every entry has a port.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_mgcp_info m;
	enum cf_rec r;
	unsigned i;

	r = cf_recog_mgcp(data, size, &m);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(fz_terminated(m.verb, sizeof(m.verb)));
	FZ_CHECK(m.n_media <= CF_SDP_MEDIA_MAX);
	for (i = 0; i < m.n_media; i++)
		FZ_CHECK(m.media[i].port != 0);
	if (r == CF_REC_YES) {
		FZ_CHECK(m.txid >= 1 && m.txid <= 999999999u);
		FZ_CHECK(m.is_command ? fz_touch(m.verb) == 4 : m.verb[0] == '\0');
		FZ_CHECK(m.code <= 999);
	} else {
		FZ_CHECK(m.n_media == 0);
	}
	return 0;
}
