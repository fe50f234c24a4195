/*
 * crypto.h - the primitives callfence needs from a crypto library:
 * SHA-1 (for the Community ID, not for security), base64, and SHA-256 of
 * a file (the report's record of the rules and databases it ran with).
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

#define CF_SHA256_LEN 32

/*
 * SHA-256 of everything fd has from where it stands to its end, in
 * out[CF_SHA256_LEN].  0, or -1 (a read error: errno, or EIO from the
 * digest).
 */
int cf_sha256_fd(int fd, uint8_t out[CF_SHA256_LEN]);

/* SHA-256 of len bytes at data (an evidence capture made in memory).
 * 0, or -1 if the library failed. */
int cf_sha256(const void *data, size_t len, uint8_t out[CF_SHA256_LEN]);

/* The crypto library's version ("OpenSSL 3.0.17 1 Jul 2025"). */
const char *cf_crypto_lib_version(void);

#endif /* CF_CRYPTO_H */
