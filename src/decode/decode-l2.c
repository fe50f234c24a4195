/*
 * decode-l2.c - cf_decode(): the link layers in front of IP.
 *
 * Ethernet II (with 802.1Q/802.1ad/QinQ tags, MPLS label stacks and PPPoE
 * sessions), Linux cooked captures v1 and v2, raw IP, and the BSD
 * loopback encapsulations.  The IP layer is decode-ip.c.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "decode/decode-int.h"

#define ETH_IPV4     0x0800
#define ETH_IPV6     0x86dd
#define ETH_8021Q    0x8100
#define ETH_8021AD   0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS_UC  0x8847
#define ETH_MPLS_MC  0x8848
#define ETH_PPPOE_S  0x8864

#define PPP_IPV4     0x0021
#define PPP_IPV6     0x0057

#define ARPHRD_NETLINK 824    /* SLL of a netlink socket: not packets */

#define MPLS_MAX_LABELS 16    /* a longer label stack is invalid */

static enum cf_decode_result ethertype(struct cf_dec *d, struct cursor *c,
				       uint16_t type);

/*
 * MPLS (RFC 3032) label stack entries until bottom of stack, then IPv4 or
 * IPv6 told apart by the first nibble (anything else, such as a pseudowire
 * control word, is not IP).
 *
 *  |                Label                  | TC  |S|       TTL     |
 */
static enum cf_decode_result mpls(struct cf_dec *d, struct cursor *c)
{
	uint32_t lse;
	int n;

	for (n = 0; n < MPLS_MAX_LABELS; n++) {
		if (cur_be32(c, &lse) != 0)
			return CF_DEC_TRUNCATED;
		if (lse & 0x100)
			return cf_dec_ip_guess(d, c, CF_DEC_NOT_IP);
	}
	return CF_DEC_INVALID;
}

/*
 * PPPoE session stage (RFC 2516) carrying PPP (RFC 1661).
 *
 *  |  VER  | TYPE  |      CODE     |          SESSION_ID           |
 *  |            LENGTH             |         PPP protocol          |
 */
static enum cf_decode_result pppoe(struct cf_dec *d, struct cursor *c)
{
	uint8_t vt = 0, code = 0;
	uint16_t proto = 0;

	if (cur_left(c) < 8)
		return CF_DEC_TRUNCATED;
	cur_u8(c, &vt);
	cur_u8(c, &code);
	cur_skip(c, 4);
	cur_be16(c, &proto);
	if (vt != 0x11 || code != 0)
		return CF_DEC_INVALID;
	if (proto == PPP_IPV4)
		return cf_dec_ipv4(d, c);
	if (proto == PPP_IPV6)
		return cf_dec_ipv6(d, c);
	return CF_DEC_NOT_IP;
}

/*
 * VLAN tags (802.1Q, 802.1ad, the old 0x9100 QinQ), up to
 * CF_MAX_VLAN_DEPTH of them; the innermost VLAN id is kept.
 *
 *  | PCP |D|        VLAN id        |      inner EtherType          |
 */
static enum cf_decode_result vlan(struct cf_dec *d, struct cursor *c)
{
	uint16_t tci, type;
	int n;

	for (n = 1; n <= CF_MAX_VLAN_DEPTH; n++) {
		if (cur_be16(c, &tci) != 0 || cur_be16(c, &type) != 0)
			return CF_DEC_TRUNCATED;
		if (n == 1)
			d->st->vlan++;
		d->pkt->vlan = tci & 0x0fff;
		if (type != ETH_8021Q && type != ETH_8021AD &&
		    type != ETH_QINQ_OLD)
			return ethertype(d, c, type);
	}
	return CF_DEC_INVALID;
}

/* What follows an EtherType (also the protocol of Linux cooked headers). */
static enum cf_decode_result ethertype(struct cf_dec *d, struct cursor *c,
				       uint16_t type)
{
	switch (type) {
	case ETH_IPV4:
		return cf_dec_ipv4(d, c);
	case ETH_IPV6:
		return cf_dec_ipv6(d, c);
	case ETH_8021Q:
	case ETH_8021AD:
	case ETH_QINQ_OLD:
		return vlan(d, c);
	case ETH_MPLS_UC:
	case ETH_MPLS_MC:
		return mpls(d, c);
	case ETH_PPPOE_S:
		return pppoe(d, c);
	default:
		return CF_DEC_NOT_IP;  /* ARP, LLDP, 802.3 lengths, ... */
	}
}

/* | destination MAC (6) | source MAC (6) | EtherType (2) | */
static enum cf_decode_result ethernet(struct cf_dec *d, struct cursor *c)
{
	uint16_t type;

	if (cur_skip(c, 12) != 0 || cur_be16(c, &type) != 0)
		return CF_DEC_TRUNCATED;
	return ethertype(d, c, type);
}

/*
 * Linux cooked v1 (LINKTYPE_LINUX_SLL), 16 bytes:
 *  | packet type (2) | ARPHRD (2) | addr len (2) | addr (8) | protocol (2) |
 */
static enum cf_decode_result sll(struct cf_dec *d, struct cursor *c)
{
	uint16_t hatype = 0, proto = 0;

	if (cur_left(c) < 16)
		return CF_DEC_TRUNCATED;
	cur_skip(c, 2);
	cur_be16(c, &hatype);
	cur_skip(c, 10);
	cur_be16(c, &proto);
	if (hatype == ARPHRD_NETLINK)
		return CF_DEC_NOT_IP;
	return ethertype(d, c, proto);
}

/*
 * Linux cooked v2 (LINKTYPE_LINUX_SLL2), 20 bytes:
 *  | protocol (2) | reserved (2) | ifindex (4) | ARPHRD (2) |
 *  | packet type (1) | addr len (1) | addr (8) |
 */
static enum cf_decode_result sll2(struct cf_dec *d, struct cursor *c)
{
	uint16_t hatype = 0, proto = 0;

	if (cur_left(c) < 20)
		return CF_DEC_TRUNCATED;
	cur_be16(c, &proto);
	cur_skip(c, 6);
	cur_be16(c, &hatype);
	cur_skip(c, 10);
	if (hatype == ARPHRD_NETLINK)
		return CF_DEC_NOT_IP;
	return ethertype(d, c, proto);
}

/*
 * BSD loopback: a 4-byte address family, in the capturing host's byte
 * order (DLT_NULL; told apart the way tcpdump does: families are small, so
 * a value with bits in the upper half is byte-swapped) or in network order
 * (DLT_LOOP).  AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD),
 * 28 (FreeBSD, DragonFly) or 30 (macOS).
 */
static enum cf_decode_result bsd_loop(struct cf_dec *d, struct cursor *c,
				      int network_order)
{
	uint32_t af;

	if (network_order ? cur_be32(c, &af) : cur_le32(c, &af))
		return CF_DEC_TRUNCATED;
	if (!network_order && (af & 0xffff0000u))
		af = (af >> 24) | ((af >> 8) & 0xff00u) |
		     ((af << 8) & 0xff0000u) | (af << 24);
	if (af == 2)
		return cf_dec_ipv4(d, c);
	if (af == 24 || af == 28 || af == 30)
		return cf_dec_ipv6(d, c);
	return CF_DEC_NOT_IP;
}

static enum cf_decode_result link_layer(struct cf_dec *d, enum cf_link link,
					struct cursor *c)
{
	switch (link) {
	case CF_LINK_ETHERNET:
		return ethernet(d, c);
	case CF_LINK_SLL:
		return sll(d, c);
	case CF_LINK_SLL2:
		return sll2(d, c);
	case CF_LINK_RAW:
		return cf_dec_ip_guess(d, c, CF_DEC_INVALID);
	case CF_LINK_NULL:
		return bsd_loop(d, c, 0);
	case CF_LINK_LOOP:
		return bsd_loop(d, c, 1);
	default:
		return CF_DEC_NOT_IP;
	}
}

static void count(struct cf_decode_stats *st, const struct cf_packet *pkt,
		  enum cf_decode_result r)
{
	switch (r) {
	case CF_DEC_OK:
		st->ok++;
		if (pkt->proto == 6)
			st->tcp++;
		else if (pkt->proto == 17)
			st->udp++;
		else if ((pkt->ip_version == 4 && pkt->proto == 1) ||
			 (pkt->ip_version == 6 && pkt->proto == 58))
			st->icmp++;
		else
			st->other_l4++;
		break;
	case CF_DEC_FRAGMENT:
		st->fragments++;
		break;
	case CF_DEC_NOT_IP:
		st->not_ip++;
		return;
	case CF_DEC_TRUNCATED:
		st->truncated++;
		return;
	case CF_DEC_INVALID:
		st->invalid++;
		return;
	}
	if (pkt->ip_version == 4)
		st->ipv4++;
	else
		st->ipv6++;
}

/*
 * Only the fields an outcome vouches for are meaningful: all of them for
 * CF_DEC_OK; for CF_DEC_FRAGMENT the L3 fields, proto, and payload (the
 * fragment's data) with ports and flags 0; for the others, the link and
 * IP fields decoded before the problem, with ports, flags and payload zero.
 * ts_us is not touched.  For ICMP/ICMPv6 the payload starts after type,
 * code and checksum; for other protocols it is the whole IP payload (after
 * IPv6 extension headers).  Counters: ipv4/ipv6 count OK and FRAGMENT
 * packets, tcp/udp/icmp/other_l4 OK ones; packets = ok + not_ip +
 * truncated + invalid + fragments.
 */
enum cf_decode_result cf_decode(enum cf_link link, const uint8_t *data,
				uint32_t caplen, uint32_t wirelen,
				struct cf_packet *pkt, struct cf_decode_stats *st)
{
	const size_t keep = offsetof(struct cf_packet, wire_len);
	enum cf_decode_result r;
	struct cf_dec d;
	struct cursor c;

	memset((uint8_t *)pkt + keep, 0, sizeof(*pkt) - keep);
	pkt->wire_len = wirelen;
	pkt->cap_len = caplen;
	d.frame = data;
	d.wire_len = wirelen > caplen ? wirelen : caplen;
	d.pkt = pkt;
	d.st = st;
	cur_init(&c, data, caplen);
	st->packets++;
	r = link_layer(&d, link, &c);
	if (r != CF_DEC_OK && r != CF_DEC_FRAGMENT) {
		pkt->sport = pkt->dport = 0;
		pkt->tcp_flags = 0;
		pkt->payload = NULL;
		pkt->payload_len = 0;
	}
	count(st, pkt, r);
	return r;
}

const char *cf_link_name(enum cf_link link)
{
	switch (link) {
	case CF_LINK_ETHERNET:
		return "ethernet";
	case CF_LINK_SLL:
		return "linux-sll";
	case CF_LINK_SLL2:
		return "linux-sll2";
	case CF_LINK_RAW:
		return "raw";
	case CF_LINK_NULL:
		return "null";
	case CF_LINK_LOOP:
		return "loop";
	default:
		return "unsupported";
	}
}
