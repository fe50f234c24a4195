/*
 * tls-openssl.c - tls.h over OpenSSL's libssl: TLS 1.2 or later, peer
 * verification with X509_VERIFY_PARAM (host name or IP address), partial
 * writes so that a full socket never blocks capture.  The socket is
 * driven through a BIO of our own that sends with MSG_NOSIGNAL: a
 * collector that goes away must be an error to retry, not a SIGPIPE that
 * ends an offline run.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "output/tls.h"

/* ---- a socket BIO that never raises SIGPIPE ---------------------------- */

static BIO_METHOD *nosig_method;
static pthread_once_t nosig_once = PTHREAD_ONCE_INIT;

static int nosig_write(BIO *b, const char *buf, int len)
{
	ssize_t n = send(BIO_get_fd(b, NULL), buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static int nosig_read(BIO *b, char *buf, int len)
{
	ssize_t n = recv(BIO_get_fd(b, NULL), buf, (size_t)len, MSG_DONTWAIT);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_read(b);
	return (int)n;
}

static int nosig_puts(BIO *b, const char *s)
{
	return nosig_write(b, s, (int)strlen(s));
}

static void nosig_init(void)
{
	const BIO_METHOD *sock = BIO_s_socket();
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK |
				     BIO_TYPE_DESCRIPTOR, "callfence socket");

	/* the socket BIO's own ctrl (fd, flush, eof), create and destroy */
	if (m == NULL || BIO_meth_set_write(m, nosig_write) != 1 ||
	    BIO_meth_set_read(m, nosig_read) != 1 || BIO_meth_set_puts(m, nosig_puts) != 1 ||
	    BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(sock)) != 1 ||
	    BIO_meth_set_create(m, BIO_meth_get_create(sock)) != 1 ||
	    BIO_meth_set_destroy(m, BIO_meth_get_destroy(sock)) != 1) {
		BIO_meth_free(m);
		m = NULL;
	}
	nosig_method = m;
}

static BIO *nosig_bio(int fd)
{
	BIO *b;

	pthread_once(&nosig_once, nosig_init);
	if (nosig_method == NULL || (b = BIO_new(nosig_method)) == NULL)
		return NULL;
	BIO_set_fd(b, fd, BIO_NOCLOSE);
	return b;
}

/* ---- contexts and connections ------------------------------------------ */

struct cf_tls_ctx {
	SSL_CTX *ctx;
};

struct cf_tls {
	SSL *ssl;
};

/* The oldest queued OpenSSL error, or what, into err. */
static void ossl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errlen, "%s: %s", what, buf);
	} else {
		snprintf(err, errlen, "%s", what);
	}
	ERR_clear_error();
}

struct cf_tls_ctx *cf_tls_ctx_new(const char *cafile, int verify, char *err, size_t errlen)
{
	struct cf_tls_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL) {
		ossl_err(err, errlen, "cannot make a TLS context");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(c->ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (verify && cafile != NULL &&
	    SSL_CTX_load_verify_locations(c->ctx, cafile, NULL) != 1) {
		char what[512];

		snprintf(what, sizeof(what), "cannot load CA file %s", cafile);
		ossl_err(err, errlen, what);
		goto fail;
	}
	if (verify && cafile == NULL && SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
		ossl_err(err, errlen, "cannot load the system's trust store");
		goto fail;
	}
	return c;
fail:
	cf_tls_ctx_free(c);
	return NULL;
}

void cf_tls_ctx_free(struct cf_tls_ctx *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

static int is_address(const char *name)
{
	unsigned char a[16];

	return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

struct cf_tls *cf_tls_new(struct cf_tls_ctx *c, int fd, const char *name,
			  char *err, size_t errlen)
{
	struct cf_tls *t = calloc(1, sizeof(*t));
	X509_VERIFY_PARAM *vp;
	BIO *bio;
	int ok;

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->ssl = SSL_new(c->ctx);
	bio = t->ssl != NULL ? nosig_bio(fd) : NULL;
	if (bio == NULL) {
		ossl_err(err, errlen, "cannot start TLS");
		goto fail;
	}
	SSL_set_bio(t->ssl, bio, bio);
	vp = SSL_get0_param(t->ssl);
	if (is_address(name)) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(vp, name) == 1;
	} else {
		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = X509_VERIFY_PARAM_set1_host(vp, name, 0) == 1 &&
		     SSL_set_tlsext_host_name(t->ssl, name) == 1;
	}
	if (!ok) {
		ossl_err(err, errlen, "cannot set the server name to check");
		goto fail;
	}
	SSL_set_connect_state(t->ssl);
	return t;
fail:
	cf_tls_free(t);
	return NULL;
}

int cf_tls_handshake(struct cf_tls *t, char *err, size_t errlen)
{
	int rc = SSL_do_handshake(t->ssl), e;
	long v;

	if (rc == 1) {
		ERR_clear_error();
		return 1;
	}
	e = SSL_get_error(t->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	v = SSL_get_verify_result(t->ssl);
	if (v != X509_V_OK) {
		snprintf(err, errlen, "TLS handshake failed: certificate verification: %s",
			 X509_verify_cert_error_string(v));
		ERR_clear_error();
		return -1;
	}
	ossl_err(err, errlen, e == SSL_ERROR_SYSCALL ? "TLS handshake failed (connection closed)" :
		 "TLS handshake failed");
	return -1;
}

long cf_tls_write(struct cf_tls *t, const void *buf, size_t len, char *err, size_t errlen)
{
	size_t n = 0;
	int rc, e;

	if (len == 0)
		return 0;
	rc = SSL_write_ex(t->ssl, buf, len, &n);
	if (rc == 1)
		return (long)n;
	e = SSL_get_error(t->ssl, rc);
	if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
		return 0;
	ossl_err(err, errlen, e == SSL_ERROR_SYSCALL ? "TLS write failed (connection broken)" :
		 "TLS write failed");
	return -1;
}

uint64_t cf_tls_wire_bytes(const struct cf_tls *t)
{
	BIO *b = SSL_get_wbio(t->ssl);

	return b != NULL ? BIO_number_written(b) : 0;
}

void cf_tls_close_notify(struct cf_tls *t)
{
	if (SSL_is_init_finished(t->ssl))
		SSL_shutdown(t->ssl);
	ERR_clear_error();
}

void cf_tls_free(struct cf_tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}
