/*
 * crypto-openssl.c - crypto.h over OpenSSL's libcrypto (EVP digest API and
 * EVP_EncodeBlock).  The only file that includes a crypto library.
 */
#include <openssl/evp.h>

#include "crypto.h"

int cf_sha1(const void *data, size_t len, uint8_t out[CF_SHA1_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) != 1 || n != CF_SHA1_LEN)
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
