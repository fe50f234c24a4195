/*
 * fuzz-recog-tls.c - libFuzzer target: cf_recog_tls() on one TCP payload.
 * Checked: the outcome is one of the three, the SNI and ALPN buffers are
 * terminated inside, sni_len fits and agrees with the flags.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_tls_info t;
	enum cf_rec r;

	r = cf_recog_tls(data, size, &t);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(fz_terminated(t.sni, sizeof(t.sni)));
	FZ_CHECK(fz_terminated(t.alpn, sizeof(t.alpn)));
	FZ_CHECK(t.sni_len <= CF_TLS_SNI_MAX);
	FZ_CHECK(t.has_sni || t.sni_len == 0);
	FZ_CHECK(fz_touch(t.sni) <= t.sni_len);
	FZ_CHECK(!(t.is_client_hello && t.is_server_hello));
	if (r != CF_REC_NO)
		FZ_CHECK(size >= 1);
	return 0;
}
