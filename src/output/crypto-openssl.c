/*
 * crypto-openssl.c - crypto.h over OpenSSL's libcrypto (EVP digest API and
 * EVP_EncodeBlock).  The only file that includes a crypto library.
 */
#include "config.h"

#include <pthread.h>
#include <openssl/evp.h>

#include "output/crypto.h"

/*
 * The SHA-1 implementation, fetched once.  EVP_sha1() makes OpenSSL 3
 * look the algorithm up again on every digest, under a lock of its
 * library context that every worker thread takes for every event.
 */
static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void sha1_fetch(void)
{
	sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

int cf_sha1(const void *data, size_t len, uint8_t out[CF_SHA1_LEN])
{
	unsigned int n = 0;

	pthread_once(&sha1_once, sha1_fetch);
	if (EVP_Digest(data, len, out, &n, sha1_md != NULL ? sha1_md : EVP_sha1(),
		       NULL) != 1 || n != CF_SHA1_LEN)
		return -1;
	return 0;
}

int cf_base64(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	size_t need = (len + 2) / 3 * 4 + 1;

	if (outlen < need || len > 0x3fffffff)
		return -1;
	return EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}
