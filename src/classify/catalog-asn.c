/*
 * catalog-asn.c - the catalog's asn lines (who operates a flow's server);
 * the classifier's use of them is classify-asn.c.
 *
 *   ID  APP  asn  AS30103 [AS...]  [roles=...]  [ports=udp/N-M,...]
 *
 * An asn line names the app of a flow one of whose ends is in one of the
 * autonomous systems listed (ports=: on one of those ports of that end).
 * The classifier is below the geography stage and cannot look an ASN up
 * itself: the engine gives it a look-up function (cf_classify_set_asn),
 * which answers 0 for our own addresses, so only a remote end's AS
 * counts.  An asn line is weaker than host and net lines and stronger
 * than nDPI's name and port lines, and, like a port line, it speaks only
 * for a flow whose payloads show call traffic (STUN, TURN, a DTLS
 * handshake, RTP/RTCP, Zoom media, ZRTP, SIP, or an app's own signalling
 * of classify-apps.c): an operator's network carries much besides calls
 * (a Google or Microsoft AS carries their clouds' customers and the rest
 * of their services), and an AS alone makes no flow a call.  Its roles=
 * apply as far as the payloads go (port_line_mask in classify.c).
 */
#include "config.h"

#include <stdlib.h>

#include "classify/catalog-int.h"

int cat_parse_asn(const char *tok, uint32_t *out)
{
	unsigned long long v = 0;
	const char *s = tok;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (v == 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int cf_catalog_match_asn(const struct cf_catalog *c, uint32_t asn,
			 uint8_t proto, uint16_t port, struct cf_cat_match *m)
{
	const struct cat_entry *e;
	uint32_t i;
	size_t j;

	for (i = 0; c != NULL && asn != 0 && i < c->n_asnl; i++) {
		e = &c->e[c->asnl[i]];
		if (e->n_ports > 0 && !cat_port_in(e->ports, e->n_ports, proto, port))
			continue;
		for (j = 0; j < e->n_asns; j++)
			if (e->asns[j] == asn) {
				cat_fill(e, m);
				return 1;
			}
	}
	return 0;
}

int cf_catalog_has_asn(const struct cf_catalog *c)
{
	return c != NULL && c->n_asnl > 0;
}
