/*
 * crypto.h - the two primitives callfence needs from a crypto library:
 * SHA-1 (for the Community ID, not for security) and base64.
 * crypto-openssl.c is the only file that includes one (libcrypto).
 */
#ifndef CF_CRYPTO_H
#define CF_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CF_SHA1_LEN 20

/* SHA-1 of len bytes at data into out.  0, or -1 if the library failed. */
int cf_sha1(const void *data, size_t len, uint8_t out[CF_SHA1_LEN]);

/*
 * Standard base64 (RFC 4648, with '=' padding) of len bytes into out,
 * NUL-terminated; needs 4 * ceil(len / 3) + 1 bytes.  Returns the length
 * written, or -1 if out is too small.
 */
int cf_base64(const uint8_t *in, size_t len, char *out, size_t outlen);

#endif /* CF_CRYPTO_H */
