/*
 * tls.h - the client side of TLS that the syslog-tls output needs, over a
 * non-blocking socket it does not own.  tls-openssl.c is the one file
 * that implements it (OpenSSL's libssl; with crypto-openssl.c the only
 * files of the tree that include OpenSSL).
 *
 * Certificate verification is on unless the context is made insecure:
 * the collector's chain must lead to the CA file given (or to the
 * system's trust store without one), and its certificate must name the
 * server name (a DNS name, or an IP address written as one).
 */
#ifndef CF_TLS_H
#define CF_TLS_H

#include <stddef.h>
#include <stdint.h>

struct cf_tls_ctx;
struct cf_tls;

/*
 * A client context: cafile NULL for the system's trust store; verify 0
 * accepts any certificate (insecure).  NULL with a message in err.
 */
struct cf_tls_ctx *cf_tls_ctx_new(const char *cafile, int verify, char *err, size_t errlen);
void cf_tls_ctx_free(struct cf_tls_ctx *c);

/*
 * A connection on the connected socket fd, checking that the server's
 * certificate is for name (also sent as SNI unless it is an address).
 * NULL with a message in err.
 */
struct cf_tls *cf_tls_new(struct cf_tls_ctx *c, int fd, const char *name,
			  char *err, size_t errlen);
/* Go on with the handshake: 1 done, 0 not yet (poll the socket), -1 failed (err). */
int cf_tls_handshake(struct cf_tls *t, char *err, size_t errlen);
/*
 * Encrypt and write up to len bytes; may take fewer (whole records).  A
 * call after 0 must give the same first bytes again, at least as many.
 * Bytes taken, 0 the socket is full, -1 failed (err).
 */
long cf_tls_write(struct cf_tls *t, const void *buf, size_t len, char *err, size_t errlen);
/* Bytes written to the socket so far (records, handshake included). */
uint64_t cf_tls_wire_bytes(const struct cf_tls *t);
/* Say we are done (close_notify), once, without waiting for anything. */
void cf_tls_close_notify(struct cf_tls *t);
/* Forget the connection (no close_notify: the caller resets or closes fd). */
void cf_tls_free(struct cf_tls *t);

#endif /* CF_TLS_H */
