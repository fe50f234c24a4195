/*
 * classify-hello.c - a TLS ClientHello shortened before nDPI reads it
 * (cf_hello_compact, classify-int.h).
 *
 * What callfence takes from nDPI (classify-ndpi.h: the app, the master,
 * the host) comes out of a ClientHello only through its server name:
 * nDPI 4.2 matches the SNI against its host lists (the app), checks it
 * for a generated-looking name (which can make the flow Tor's), and keeps
 * it as the flow's host; the record and handshake headers make the flow
 * TLS.  Everything else nDPI reads in a hello - the cipher suites, the
 * groups, the signature algorithms, ALPN, the supported versions - goes
 * into its JA3 fingerprint and its risk flags, neither of which callfence
 * uses; building the fingerprint (a snprintf per cipher and extension,
 * then MD5) is most of what nDPI spends on a hello: some 30,000
 * instructions of a Chrome or Firefox hello.
 *
 * So a hello that is whole in one segment, and alone in it, reaches nDPI
 * as a hello with the same headers, version and random, no session id,
 * its first cipher suite, no compression, and of its extensions only the
 * server names and encrypted server names (ESNI, which nDPI 4.2 also
 * reads), every one of them in order, as nDPI would have read them.  The IP and TCP headers are copied; the IP length is the new
 * one, and the TCP sequence number is moved up by what was cut, so that
 * the next segment is where nDPI expects it (nDPI tells resends by it).
 * A hello cut across segments, one followed by more records, or one too
 * long for the buffer goes as it came.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "decode/decode.h"
#include "classify/classify-int.h"
#include "util/cursor.h"

#define EXT_SNI 0
#define EXT_ESNI 65486

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Where the TCP header of pkt starts (IPv4, or IPv6 with TCP as its first
 * next header), NULL when its headers are anything else. */
static const uint8_t *tcp_header(const struct cf_packet *pkt)
{
	const uint8_t *l3 = pkt->l3, *tcp;

	if (pkt->ip_version == 4 && pkt->l3_len >= 20 && (l3[0] >> 4) == 4)
		tcp = l3 + (size_t)(l3[0] & 15) * 4;
	else if (pkt->ip_version == 6 && pkt->l3_len >= 40 && l3[6] == 6)
		tcp = l3 + 40;
	else
		return NULL;
	if (tcp + 20 > pkt->payload || tcp + (size_t)(tcp[12] >> 4) * 4 != pkt->payload)
		return NULL;
	return tcp;
}

uint32_t cf_hello_compact(const struct cf_packet *pkt, uint8_t *out, size_t cap)
{
	const uint8_t *p = pkt->payload, *tcp, *cipher, *exts;
	size_t head, kept = 0, body, n, cut;
	uint16_t rec_len, cs_len, ext_total, id = 0, len = 0;
	uint32_t hs_len, seq;
	uint8_t *s;
	uint8_t sid_len, comp_len;
	struct cursor c, ext;

	if (pkt->proto != 6 || p == NULL || !cf_hello_start(p, pkt->payload_len) ||
	    pkt->payload_len != (uint32_t)(pkt->l3 + pkt->l3_len - p) ||
	    (tcp = tcp_header(pkt)) == NULL)
		return 0;
	/* one record (RFC 8446 s.5.1) holding one ClientHello (s.4), no more */
	cur_init(&c, p, pkt->payload_len);
	if (cur_skip(&c, 3) ||
	    cur_be16(&c, &rec_len) || rec_len != cur_left(&c) || cur_skip(&c, 1) ||
	    cur_be24(&c, &hs_len) || hs_len != cur_left(&c))
		return 0;
	/* version, random, session id, cipher suites, compression */
	if (cur_skip(&c, 34) || cur_u8(&c, &sid_len) || cur_skip(&c, sid_len) ||
	    cur_be16(&c, &cs_len) || cs_len < 2 || (cs_len & 1) != 0)
		return 0;
	cipher = c.p;
	if (cur_skip(&c, cs_len) || cur_u8(&c, &comp_len) || cur_skip(&c, comp_len) ||
	    cur_be16(&c, &ext_total) || ext_total != cur_left(&c))
		return 0;
	exts = c.p;
	cur_init(&ext, exts, ext_total);
	while (cur_left(&ext) > 0) {
		if (cur_be16(&ext, &id) || cur_be16(&ext, &len) || cur_skip(&ext, len))
			return 0;
		if (id == EXT_SNI || id == EXT_ESNI)
			kept += 4 + (size_t)len;        /* every one, in order, as nDPI reads them */
	}
	head = (size_t)(p - pkt->l3);
	/* version and random, no session id, one suite, no compression */
	body = 2 + 32 + 1 + 2 + 2 + 2 + 2 + kept;
	n = head + 5 + 4 + body;
	if (n > cap || n >= pkt->payload_len + head)
		return 0;
	memcpy(out, pkt->l3, head);
	memcpy(out + head, p, 3);                       /* type, record version */
	put16(out + head + 3, 4 + body);
	out[head + 5] = 1;
	out[head + 6] = (uint8_t)(body >> 16);
	put16(out + head + 7, body);
	n = head + 9;
	memcpy(out + n, p + 9, 34);                     /* version, random */
	n += 34;
	out[n++] = 0;
	put16(out + n, 2);
	memcpy(out + n + 2, cipher, 2);
	n += 4;
	out[n++] = 1;
	out[n++] = 0;
	put16(out + n, kept);
	n += 2;
	cur_init(&ext, exts, ext_total);
	while (cur_left(&ext) > 0) {
		const uint8_t *at = ext.p;

		(void)cur_be16(&ext, &id);      /* (read whole above) */
		(void)cur_be16(&ext, &len);
		(void)cur_skip(&ext, len);
		if (id == EXT_SNI || id == EXT_ESNI) {
			memcpy(out + n, at, 4 + (size_t)len);
			n += 4 + (size_t)len;
		}
	}
	/* the IP length; the sequence number past what was cut */
	if (pkt->ip_version == 4)
		put16(out + 2, n);
	else
		put16(out + 4, n - 40);
	cut = pkt->payload_len - (n - head);
	s = out + (tcp - pkt->l3) + 4;
	seq = ((uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3]) +
	      (uint32_t)cut;
	s[0] = (uint8_t)(seq >> 24);
	s[1] = (uint8_t)(seq >> 16);
	s[2] = (uint8_t)(seq >> 8);
	s[3] = (uint8_t)seq;
	return (uint32_t)n;
}
