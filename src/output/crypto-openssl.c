/*
 * crypto-openssl.c - crypto.h over OpenSSL's libcrypto (EVP digest API and
 * EVP_EncodeBlock; SHA-256 of a file, OpenSSL_version).  The only file that includes a crypto library.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "output/crypto.h"

/*
 * The SHA-1 implementation, fetched once.  EVP_sha1() makes OpenSSL 3
 * look the algorithm up again on every digest, under a lock of its
 * library context that every worker thread takes for every event.
 *
 * And a digest context a thread, kept: EVP_Digest makes and frees one
 * (two allocations and the provider's set-up) for each digest, half the
 * cost of an event's Community ID.  A thread's context is freed when the
 * thread ends (the key's destructor); the main thread's stays reachable
 * from its thread-specific data until the process ends.
 */
static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha1_key;
static int sha1_key_ok;

static void sha1_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sha1_fetch(void)
{
	sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
	sha1_key_ok = pthread_key_create(&sha1_key, sha1_ctx_free) == 0;
}

int cf_sha1(const void *data, size_t len, uint8_t out[CF_SHA1_LEN])
{
	unsigned int n = 0;
	EVP_MD_CTX *ctx = NULL;

	pthread_once(&sha1_once, sha1_fetch);
	if (sha1_md != NULL && sha1_key_ok) {
		ctx = pthread_getspecific(sha1_key);
		if (ctx == NULL && (ctx = EVP_MD_CTX_new()) != NULL &&
		    pthread_setspecific(sha1_key, ctx) != 0) {
			EVP_MD_CTX_free(ctx);
			ctx = NULL;
		}
	}
	if (ctx == NULL) {
		if (EVP_Digest(data, len, out, &n, sha1_md != NULL ? sha1_md : EVP_sha1(),
			       NULL) != 1 || n != CF_SHA1_LEN)
			return -1;
		return 0;
	}
	if (EVP_DigestInit_ex2(ctx, sha1_md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != CF_SHA1_LEN)
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

int cf_sha256(const void *data, size_t len, uint8_t out[CF_SHA256_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 &&
	       n == CF_SHA256_LEN ? 0 : -1;
}

int cf_sha256_fd(int fd, uint8_t out[CF_SHA256_LEN])
{
	unsigned char buf[65536];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	ssize_t got;
	int ok;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		errno = EIO;
		return -1;
	}
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)got) != 1) {
			errno = EIO;
			got = -1;
			break;
		}
	}
	ok = got == 0 && EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == CF_SHA256_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok && got == 0)
		errno = EIO;
	return ok ? 0 : -1;
}

const char *cf_crypto_lib_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}
