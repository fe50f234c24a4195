/*
 * communityid.c - Community ID v1 (see communityid.h).
 *
 * ICMP type/code to ports (from Zeek, as the specification says): a type
 * that has a counterpart (echo request/reply, ...) maps to (type,
 * counterpart) and the tuple is ordered like any two-way flow; any other
 * type maps to (type, code) and is hashed as seen, never flipped.
 */
#include "config.h"

#include <string.h>

#include "event/communityid.h"
#include "output/crypto.h"
#include "flow/flow.h"

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP6 58
#define PROTO_SCTP 132

static uint16_t g_seed;

void cf_community_id_set_seed(uint16_t seed)
{
	g_seed = seed;
}

uint16_t cf_community_id_get_seed(void)
{
	return g_seed;
}

/* Pairs of ICMP types that answer each other. */
static const uint8_t icmp4_pairs[][2] = {
	{ 8, 0 },       /* echo, echo reply */
	{ 13, 14 },     /* timestamp, timestamp reply */
	{ 15, 16 },     /* information request, reply */
	{ 10, 9 },      /* router solicitation, advertisement */
	{ 17, 18 },     /* address mask request, reply */
};

static const uint8_t icmp6_pairs[][2] = {
	{ 128, 129 },   /* echo request, reply */
	{ 130, 131 },   /* multicast listener query, report */
	{ 133, 134 },   /* router solicitation, advertisement */
	{ 135, 136 },   /* neighbor solicitation, advertisement */
	{ 139, 140 },   /* node information query, reply */
	{ 144, 145 },   /* home agent address discovery request, reply */
};

/* Map type/code to ports; 1 if the message has no counterpart (one-way). */
static int icmp_ports(uint8_t proto, uint16_t *sport, uint16_t *dport)
{
	const uint8_t (*pairs)[2] = proto == PROTO_ICMP ? icmp4_pairs : icmp6_pairs;
	size_t n = proto == PROTO_ICMP ? sizeof(icmp4_pairs) / sizeof(icmp4_pairs[0])
				       : sizeof(icmp6_pairs) / sizeof(icmp6_pairs[0]);
	size_t i;

	for (i = 0; i < n; i++) {
		if (*sport == pairs[i][0] || *sport == pairs[i][1]) {
			*dport = *sport == pairs[i][0] ? pairs[i][1] : pairs[i][0];
			return 0;
		}
	}
	return 1;
}

static int has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
	       proto == PROTO_ICMP || proto == PROTO_ICMP6;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int cf_community_id(uint16_t seed, const cf_addr *saddr, const cf_addr *daddr,
		    uint8_t proto, uint16_t sport, uint16_t dport,
		    char *out, size_t outlen)
{
	uint8_t buf[2 + 16 + 16 + 2 + 4], digest[CF_SHA1_LEN];
	const uint8_t *a, *b;
	size_t alen, n = 0;
	int one_way = 0, c;

	if (cf_addr_is_v4(saddr) != cf_addr_is_v4(daddr) || outlen < 3)
		return -1;
	alen = cf_addr_is_v4(saddr) ? 4 : 16;
	a = alen == 4 ? cf_addr_v4(saddr) : saddr->b;
	b = alen == 4 ? cf_addr_v4(daddr) : daddr->b;
	if (proto == PROTO_ICMP || proto == PROTO_ICMP6)
		one_way = icmp_ports(proto, &sport, &dport);
	c = memcmp(a, b, alen);
	if (!one_way && (c > 0 || (c == 0 && has_ports(proto) && sport > dport))) {
		const uint8_t *t = a;
		uint16_t tp = sport;

		a = b, b = t;
		sport = dport, dport = tp;
	}
	put16(buf, seed), n = 2;
	memcpy(buf + n, a, alen), n += alen;
	memcpy(buf + n, b, alen), n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (has_ports(proto)) {
		put16(buf + n, sport), n += 2;
		put16(buf + n, dport), n += 2;
	}
	if (cf_sha1(buf, n, digest) < 0)
		return -1;
	memcpy(out, "1:", 2);
	return cf_base64(digest, sizeof(digest), out + 2, outlen - 2) < 0 ? -1 : 0;
}

int cf_community_id_flow(const struct cf_flow *f, char *out, size_t outlen)
{
	if (f->proto == PROTO_ICMP || f->proto == PROTO_ICMP6)
		return cf_community_id(g_seed, &f->ip[0], &f->ip[1], f->proto,
				       f->icmp_type, f->icmp_code, out, outlen);
	return cf_community_id(g_seed, &f->ip[0], &f->ip[1], f->proto,
			       f->port[0], f->port[1], out, outlen);
}
