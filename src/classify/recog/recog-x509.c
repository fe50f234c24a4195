/*
 * recog-x509.c - the names a certificate gives its server: the subject's
 * commonName and the subjectAltName dNSNames, read from DER through the
 * bounds-checked cursor.
 *
 * RFC 5280 section 4.1 (X.509 v3), X.690 (DER).  Only the path to the two
 * names is walked:
 *
 *   Certificate  ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 *   TBSCertificate ::= SEQUENCE {
 *       version [0] EXPLICIT OPTIONAL, serialNumber INTEGER,
 *       signature AlgorithmIdentifier, issuer Name, validity SEQUENCE,
 *       subject Name, subjectPublicKeyInfo SEQUENCE,
 *       issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT OPTIONAL,
 *       extensions [3] EXPLICIT SEQUENCE OF Extension OPTIONAL }
 *   Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY (a string) }
 *   Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *                            extnValue OCTET STRING (DER of the value) }
 *   SubjectAltName ::= SEQUENCE OF GeneralName; dNSName [2] IMPLICIT IA5String
 *
 * A certificate read from the wire may be cut (the caller has only its
 * first bytes): every length is checked against what is there, and a
 * structure that runs past the end ends the walk with TRUNCATED, keeping
 * what came before.  Only single-byte tags and definite lengths of up to
 * three bytes are DER for a certificate of this size; anything else is NO.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define T_INTEGER   0x02
#define T_OCTETS    0x04
#define T_OID       0x06
#define T_SEQ       0x30
#define T_SET       0x31
#define T_CTX0      0xa0         /* [0] EXPLICIT: version */
#define T_CTX3      0xa3         /* [3] EXPLICIT: extensions */
#define T_DNSNAME   0x82         /* GeneralName dNSName [2] IMPLICIT */

static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };        /* 2.5.4.3 */
static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };       /* 2.5.29.17 */

enum { OK = 0, SHORT = -1, BAD = -2 };

/*
 * One TLV header: tag and length.  The value is split off into v when it
 * is all there; when it runs past the end, v gets what there is and
 * SHORT is returned (the header itself was fine).
 */
static int tlv(struct cursor *c, uint8_t *tag, struct cursor *v)
{
	uint8_t b, n, i;
	uint32_t len = 0;

	v->p = v->end = c->p;
	*tag = 0;
	if (cur_u8(c, tag) || cur_u8(c, &b))
		return SHORT;
	if ((*tag & 0x1f) == 0x1f)
		return BAD;                 /* high tag numbers: not here */
	if (b & 0x80) {
		n = b & 0x7f;
		if (n == 0 || n > 3)
			return BAD;         /* indefinite, or absurd for a certificate */
		for (i = 0; i < n; i++) {
			if (cur_u8(c, &b))
				return SHORT;
			len = (len << 8) | b;
		}
	} else {
		len = b;
	}
	if (cur_left(c) < len) {
		cur_sub(c, cur_left(c), v);
		return SHORT;
	}
	cur_sub(c, len, v);
	return OK;
}

/* The next element must have tag want; its value in v. */
static int expect(struct cursor *c, uint8_t want, struct cursor *v)
{
	uint8_t tag;
	int rc = tlv(c, &tag, v);

	if (rc == BAD || (rc == OK && tag != want))
		return BAD;
	if (rc == SHORT)
		return tag == want || cur_left(v) == 0 ? SHORT : BAD;
	return OK;
}

static int skip_one(struct cursor *c)
{
	uint8_t tag;
	struct cursor v;

	return tlv(c, &tag, &v);
}

static int oid_is(const struct cursor *v, const uint8_t *oid, size_t n)
{
	return cur_left(v) == n && memcmp(v->p, oid, n) == 0;
}

/* Copy a name's bytes: 0 taken, -1 skipped (control byte, NUL, empty). */
static int take_name(const struct cursor *v, char *dst, struct cf_x509_names *out)
{
	size_t n = cur_left(v), i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (v->p[i] < 0x20 || v->p[i] == 0x7f)
			return -1;
	if (n > CF_X509_NAME_MAX) {
		n = CF_X509_NAME_MAX;
		out->cut = 1;
	}
	memcpy(dst, v->p, n);
	dst[n] = '\0';
	return 0;
}

/* The first commonName of a Name; the walk stops quietly at its end. */
static int subject(struct cursor *name, struct cf_x509_names *out)
{
	struct cursor rdn, atv, oid, val;
	uint8_t tag;
	int rc;

	while (cur_left(name) > 0) {
		if ((rc = expect(name, T_SET, &rdn)) != OK)
			return rc;
		while (cur_left(&rdn) > 0) {
			if ((rc = expect(&rdn, T_SEQ, &atv)) != OK ||
			    (rc = expect(&atv, T_OID, &oid)) != OK)
				return rc;
			if (!oid_is(&oid, oid_cn, sizeof(oid_cn)) || out->cn[0] != '\0')
				continue;
			if (tlv(&atv, &tag, &val) == OK)
				take_name(&val, out->cn, out);
		}
	}
	return OK;
}

/* GeneralNames: keep the dNSNames. */
static int alt_names(struct cursor *ext_value, struct cf_x509_names *out)
{
	struct cursor names, gn;
	uint8_t tag;
	int rc;

	if ((rc = expect(ext_value, T_SEQ, &names)) != OK)
		return rc;
	while (cur_left(&names) > 0) {
		if ((rc = tlv(&names, &tag, &gn)) != OK)
			return rc;
		if (tag != T_DNSNAME)
			continue;
		if (out->n_san == CF_X509_SAN_MAX) {
			out->san_more = 1;
			continue;
		}
		if (take_name(&gn, out->san[out->n_san], out) == 0)
			out->n_san++;
	}
	return OK;
}

/* extensions [3] { SEQUENCE OF Extension }: the subjectAltName one. */
static int extensions(struct cursor *ctx3, struct cf_x509_names *out)
{
	struct cursor list, ext, oid, val, inner;
	uint8_t tag;
	int rc;

	if ((rc = expect(ctx3, T_SEQ, &list)) != OK)
		return rc;
	while (cur_left(&list) > 0) {
		if ((rc = expect(&list, T_SEQ, &ext)) != OK ||
		    (rc = expect(&ext, T_OID, &oid)) != OK)
			return rc;
		if (!oid_is(&oid, oid_san, sizeof(oid_san)))
			continue;
		if ((rc = tlv(&ext, &tag, &val)) != OK)
			return rc;
		if (tag != T_OCTETS &&
		    (rc = expect(&ext, T_OCTETS, &val)) != OK)   /* after critical */
			return rc;
		inner = val;
		return alt_names(&inner, out);
	}
	return OK;
}

/* The TBSCertificate's fields up to the extensions. */
static int tbs(struct cursor *t, struct cf_x509_names *out)
{
	struct cursor v;
	uint8_t tag;
	int rc, i;

	if (cur_peek_u8(t, 0, &tag) == 0 && tag == T_CTX0 && (rc = skip_one(t)) != OK)
		return rc;
	if ((rc = expect(t, T_INTEGER, &v)) != OK)          /* serialNumber */
		return rc;
	for (i = 0; i < 3; i++)                             /* signature, issuer, validity */
		if ((rc = expect(t, T_SEQ, &v)) != OK)
			return rc;
	rc = expect(t, T_SEQ, &v);                          /* subject */
	if (rc == BAD)
		return rc;
	if (subject(&v, out) == BAD)
		return BAD;
	if (rc != OK)
		return rc;
	if ((rc = expect(t, T_SEQ, &v)) != OK)              /* subjectPublicKeyInfo */
		return rc;
	while (cur_left(t) > 0) {                           /* unique ids, extensions */
		if ((rc = tlv(t, &tag, &v)) != OK)
			return rc;
		if (tag == T_CTX3)
			return extensions(&v, out);
	}
	return OK;
}

enum cf_rec cf_recog_x509(const uint8_t *der, size_t len, struct cf_x509_names *out)
{
	struct cursor c, cert, t;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return CF_REC_NO;
	cur_init(&c, der, len);
	if (expect(&c, T_SEQ, &cert) == BAD)
		return CF_REC_NO;
	rc = expect(&cert, T_SEQ, &t);
	if (rc == BAD)
		return CF_REC_NO;
	if (cur_left(&t) == 0)
		return rc == SHORT ? CF_REC_TRUNCATED : CF_REC_NO;
	switch (tbs(&t, out)) {
	case BAD:
		return out->cn[0] != '\0' || out->n_san > 0 ? CF_REC_YES : CF_REC_NO;
	case SHORT:
		return CF_REC_TRUNCATED;
	default:
		return rc == SHORT ? CF_REC_TRUNCATED : CF_REC_YES;
	}
}
