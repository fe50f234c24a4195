/*
 * decode-ip.c - IPv4 (RFC 791), IPv6 (RFC 8200) with its extension
 * headers, and the transport headers callfence needs: TCP (RFC 9293),
 * UDP (RFC 768), ICMP/ICMPv6 (RFC 792, RFC 4443).
 *
 * Two lengths matter for every header after the IP header: what the IP
 * header declares and what was captured.  A header that does not fit in
 * the declared length is INVALID (the packet cannot be right); one that fits
 * the declared length but not the capture is TRUNCATED (snaplen cut it).
 */
#include "config.h"

#include <stddef.h>

#include "decode/decode-int.h"

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

/* The IP payload as seen by the transport decoder. */
struct ip_body {
	struct cursor c;       /* captured bytes, capped by the declared length */
	size_t short_by;       /* declared bytes beyond the capture */
	int first_frag;        /* offset 0 with more fragments to come */
};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Declared bytes left in the IP payload (captured or not). */
static size_t declared_left(const struct ip_body *b)
{
	return cur_left(&b->c) + b->short_by;
}

/* Can n more bytes be read?  OK, TRUNCATED (capture too short) or INVALID. */
static enum cf_decode_result need(const struct ip_body *b, size_t n)
{
	if (cur_left(&b->c) >= n)
		return CF_DEC_OK;
	if (declared_left(b) >= n)
		return CF_DEC_TRUNCATED;
	return CF_DEC_INVALID;
}

/*
 * A first fragment too short for its transport header still is a fragment
 * (RFC 1858's tiny fragment): the header is in the next one.
 */
static enum cf_decode_result need_l4(const struct ip_body *b, size_t n)
{
	enum cf_decode_result r = need(b, n);

	if (r == CF_DEC_INVALID && b->first_frag)
		return CF_DEC_FRAGMENT;
	return r;
}

static void set_payload(struct cf_packet *pkt, const struct cursor *c,
			uint32_t cap)
{
	pkt->payload = c->p;
	pkt->payload_len = min_u32((uint32_t)cur_left(c), cap);
}

/*
 *  0                   1                   2                   3
 *  |          Source Port          |       Destination Port        |
 *  |                        Sequence Number                        |
 *  |                    Acknowledgment Number                      |
 *  |  Offset | Rsrvd |     Flags     |            Window           |
 *  |           Checksum            |         Urgent Pointer        |
 */
static enum cf_decode_result tcp(struct cf_packet *pkt, struct ip_body *b)
{
	struct cursor h = b->c;
	enum cf_decode_result r;
	uint8_t off = 0, flags = 0;
	size_t hlen;

	r = need_l4(b, 20);
	if (r != CF_DEC_OK)
		return r;
	cur_be16(&h, &pkt->sport);
	cur_be16(&h, &pkt->dport);
	cur_skip(&h, 8);
	cur_u8(&h, &off);
	cur_u8(&h, &flags);
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20)
		return CF_DEC_INVALID;
	r = need_l4(b, hlen);
	if (r != CF_DEC_OK)
		return r;
	pkt->tcp_flags = flags;
	cur_skip(&b->c, hlen);
	set_payload(pkt, &b->c, UINT32_MAX);
	return CF_DEC_OK;
}

/*
 *  |          Source Port          |       Destination Port        |
 *  |            Length             |           Checksum            |
 */
static enum cf_decode_result udp(struct cf_packet *pkt, struct ip_body *b)
{
	enum cf_decode_result r;
	uint16_t ulen = 0;

	r = need_l4(b, 8);
	if (r != CF_DEC_OK)
		return r;
	cur_be16(&b->c, &pkt->sport);
	cur_be16(&b->c, &pkt->dport);
	cur_be16(&b->c, &ulen);
	cur_skip(&b->c, 2);
	if (ulen < 8)
		return CF_DEC_INVALID;
	/* A UDP datagram longer than its IP packet is impossible, except in
	 * a first fragment, whose IP length covers only part of it. */
	if (!b->first_frag && (size_t)ulen - 8 > declared_left(b))
		return CF_DEC_INVALID;
	set_payload(pkt, &b->c, (uint32_t)ulen - 8);
	return CF_DEC_OK;
}

/* |     Type      |     Code      |          Checksum             | */
static enum cf_decode_result icmp(struct cf_packet *pkt, struct ip_body *b)
{
	enum cf_decode_result r = need_l4(b, 4);

	if (r != CF_DEC_OK)
		return r;
	if (cur_u8(&b->c, &pkt->icmp_type) || cur_u8(&b->c, &pkt->icmp_code) ||
	    cur_skip(&b->c, 2))
		return CF_DEC_TRUNCATED;   /* need_l4 checked 4 bytes: cannot happen */
	set_payload(pkt, &b->c, UINT32_MAX);
	return CF_DEC_OK;
}

static int is_icmp(uint8_t ip_version, uint8_t proto)
{
	return (ip_version == 4 && proto == PROTO_ICMP) ||
	       (ip_version == 6 && proto == PROTO_ICMPV6);
}

/* The transport header of pkt->proto at b. */
static enum cf_decode_result transport(struct cf_packet *pkt, struct ip_body *b)
{
	if (pkt->proto == PROTO_TCP)
		return tcp(pkt, b);
	if (pkt->proto == PROTO_UDP)
		return udp(pkt, b);
	if (is_icmp(pkt->ip_version, pkt->proto))
		return icmp(pkt, b);
	set_payload(pkt, &b->c, UINT32_MAX);
	return CF_DEC_OK;
}

/* Bytes of the frame from p on, as sent on the wire. */
static size_t wire_left(const struct cf_dec *d, const uint8_t *p)
{
	size_t before = (size_t)(p - d->frame);

	return d->wire_len > before ? d->wire_len - before : 0;
}

/*
 * Set l3/l3_len/ip_len and the body cursor for an IP packet at l3 of
 * declared length ip_len (header hlen bytes) with cap bytes captured.
 */
static void ip_extent(struct cf_packet *pkt, struct ip_body *b,
		      const uint8_t *l3, size_t cap, uint32_t ip_len, size_t hlen)
{
	pkt->l3 = l3;
	pkt->ip_len = ip_len;
	pkt->l3_len = min_u32(ip_len, (uint32_t)cap);
	cur_init(&b->c, l3 + hlen, pkt->l3_len - hlen);
	b->short_by = ip_len - pkt->l3_len;
	b->first_frag = 0;
}

/*
 *  |Version|  IHL  |Type of Service|          Total Length         |
 *  |         Identification        |Flags|      Fragment Offset    |
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  |                       Source Address                          |
 *  |                    Destination Address                        |
 *  |                    Options                    |    Padding    |
 */
enum cf_decode_result cf_dec_ipv4(struct cf_dec *d, struct cursor *c)
{
	struct cf_packet *pkt = d->pkt;
	struct cursor h = *c;
	struct ip_body b;
	uint8_t vihl, proto = 0, a[4] = { 0 };
	uint16_t tot = 0, frag = 0;
	size_t hlen;

	if (cur_u8(&h, &vihl) != 0)
		return CF_DEC_TRUNCATED;
	if (vihl >> 4 != 4)
		return CF_DEC_INVALID;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < 20)
		return CF_DEC_INVALID;
	if (cur_left(c) < 20)
		return CF_DEC_TRUNCATED;
	cur_skip(&h, 1);
	cur_be16(&h, &tot);
	cur_skip(&h, 2);
	cur_be16(&h, &frag);
	cur_skip(&h, 1);
	cur_u8(&h, &proto);
	cur_skip(&h, 2);
	if (tot < hlen || tot > wire_left(d, c->p))
		return CF_DEC_INVALID;
	if (cur_left(c) < hlen)
		return CF_DEC_TRUNCATED;
	pkt->ip_version = 4;
	pkt->proto = proto;
	cur_bytes(&h, a, 4);
	cf_addr_from_v4(&pkt->src, a);
	cur_bytes(&h, a, 4);
	cf_addr_from_v4(&pkt->dst, a);
	ip_extent(pkt, &b, c->p, cur_left(c), tot, hlen);
	if ((frag & 0x1fff) != 0) {
		set_payload(pkt, &b.c, UINT32_MAX);
		return CF_DEC_FRAGMENT;
	}
	b.first_frag = (frag & 0x2000) != 0;
	return transport(pkt, &b);
}

/* IPv6 extension headers callfence steps over. */
#define EXT_HOPOPTS  0
#define EXT_ROUTING  43
#define EXT_FRAGMENT 44
#define EXT_AH       51
#define EXT_DSTOPTS  60

static int is_ext(uint8_t nh)
{
	return nh == EXT_HOPOPTS || nh == EXT_ROUTING || nh == EXT_FRAGMENT ||
	       nh == EXT_AH || nh == EXT_DSTOPTS;
}

/*
 * Step over the extension header nh at b.  Sets *next to the following
 * header.  A non-first fragment returns CF_DEC_FRAGMENT (b then holds the
 * fragment's data); a first one sets b->first_frag.
 *
 *  |  Next Header  |  Hdr Ext Len  |  (HBH, routing, dest. options: (len+1)*8)
 *  |  Next Header  |  Payload Len  |  (AH: (len+2)*4)
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 */
static enum cf_decode_result ipv6_ext(struct ip_body *b, uint8_t nh,
				      uint8_t *next)
{
	struct cursor h = b->c;
	enum cf_decode_result r;
	uint8_t len = 0;
	uint16_t frag = 0;
	size_t size;

	r = need(b, 8);
	if (r != CF_DEC_OK)
		return r;
	cur_u8(&h, next);
	cur_u8(&h, &len);
	if (nh == EXT_FRAGMENT)
		size = 8;
	else if (nh == EXT_AH)
		size = ((size_t)len + 2) * 4;
	else
		size = ((size_t)len + 1) * 8;
	r = need(b, size);
	if (r != CF_DEC_OK)
		return r;
	cur_skip(&b->c, size);
	if (nh != EXT_FRAGMENT)
		return CF_DEC_OK;
	cur_be16(&h, &frag);
	if ((frag & 0xfff8) != 0)
		return CF_DEC_FRAGMENT;
	b->first_frag = (frag & 1) != 0;
	return CF_DEC_OK;
}

/* Walk the extension header chain from nh; leaves pkt->proto set. */
static enum cf_decode_result ipv6_chain(struct cf_packet *pkt,
					struct ip_body *b, uint8_t nh)
{
	enum cf_decode_result r;
	uint8_t next = 0;
	int n;

	for (n = 0; is_ext(nh); n++) {
		/* RFC 8200 4.1: hop-by-hop options only right after the header. */
		if (n == CF_MAX_IPV6_EXT || (nh == EXT_HOPOPTS && n > 0))
			return CF_DEC_INVALID;
		r = ipv6_ext(b, nh, &next);
		if (r == CF_DEC_FRAGMENT) {
			pkt->proto = next;
			set_payload(pkt, &b->c, UINT32_MAX);
		}
		if (r != CF_DEC_OK)
			return r;
		nh = next;
	}
	pkt->proto = nh;
	return CF_DEC_OK;
}

/*
 *  |Version| Traffic Class |           Flow Label                  |
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  |                  Source Address (16 bytes)                    |
 *  |               Destination Address (16 bytes)                  |
 */
enum cf_decode_result cf_dec_ipv6(struct cf_dec *d, struct cursor *c)
{
	struct cf_packet *pkt = d->pkt;
	struct cursor h = *c;
	struct ip_body b;
	enum cf_decode_result r;
	uint8_t v, nh = 0, a[16] = { 0 };
	uint16_t plen = 0;

	if (cur_u8(&h, &v) != 0)
		return CF_DEC_TRUNCATED;
	if (v >> 4 != 6)
		return CF_DEC_INVALID;
	if (cur_left(c) < 40)
		return CF_DEC_TRUNCATED;
	cur_skip(&h, 3);
	cur_be16(&h, &plen);
	cur_u8(&h, &nh);
	cur_skip(&h, 1);
	if ((size_t)plen + 40 > wire_left(d, c->p))
		return CF_DEC_INVALID;
	pkt->ip_version = 6;
	cur_bytes(&h, a, 16);
	cf_addr_from_v6(&pkt->src, a);
	cur_bytes(&h, a, 16);
	cf_addr_from_v6(&pkt->dst, a);
	ip_extent(pkt, &b, c->p, cur_left(c), (uint32_t)plen + 40, 40);
	r = ipv6_chain(pkt, &b, nh);
	if (r != CF_DEC_OK)
		return r;
	return transport(pkt, &b);
}

enum cf_decode_result cf_dec_ip_guess(struct cf_dec *d, struct cursor *c,
				      enum cf_decode_result other)
{
	uint8_t v;

	if (cur_peek_u8(c, 0, &v) != 0)
		return CF_DEC_TRUNCATED;
	if (v >> 4 == 4)
		return cf_dec_ipv4(d, c);
	if (v >> 4 == 6)
		return cf_dec_ipv6(d, c);
	return other;
}
