/*
 * fuzz-recog-x509.c - libFuzzer target: cf_recog_x509() on the bytes of a
 * certificate (or of its first part).  Checked: the names are C strings
 * no longer than CF_X509_NAME_MAX with no control byte, the counts stay
 * within their arrays, and a NO keeps no name.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

static void check_name(const char *s)
{
	size_t i, n = strnlen(s, CF_X509_NAME_MAX + 1);

	FZ_CHECK(n <= CF_X509_NAME_MAX);
	for (i = 0; i < n; i++)
		FZ_CHECK((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_x509_names xn;
	enum cf_rec r;
	int i;

	r = cf_recog_x509(data, size, &xn);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(xn.n_san <= CF_X509_SAN_MAX);
	check_name(xn.cn);
	for (i = 0; i < xn.n_san; i++)
		check_name(xn.san[i]);
	if (r == CF_REC_NO && size < 2)
		FZ_CHECK(xn.cn[0] == '\0' && xn.n_san == 0);
	return 0;
}
