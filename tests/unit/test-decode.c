/*
 * test-decode.c - cf_decode() on frames built byte by byte.
 *
 * Every decode runs on a heap copy of exactly caplen bytes, so a read past
 * the capture is an AddressSanitizer error, not a silent pass.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "decode/decode.h"
#include "util/netaddr.h"

/* ---- frame builder ---------------------------------------------------- */

struct fb {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct fb *f, unsigned v)
{
	f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v);
}

static void putn(struct fb *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void putz(struct fb *f, size_t n)
{
	memset(f->b + f->n, 0, n);
	f->n += n;
}

static const uint8_t A4[4] = { 10, 0, 0, 1 };
static const uint8_t B4[4] = { 192, 0, 2, 7 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				0, 0, 0, 0, 0, 0, 0, 0x01 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				0, 0, 0, 0, 0, 0, 0, 0x99 };
static const char DATA[] = "hello, world";  /* 12 bytes used */

static void eth(struct fb *f, unsigned type)
{
	static const uint8_t mac[12] = { 0, 1, 2, 3, 4, 5, 0xa, 0xb, 0xc, 0xd,
					 0xe, 0xf };

	putn(f, mac, 12);
	put16(f, type);
}

/* IPv4 header: ihl words, total length, flags+fragment offset, proto. */
static void ipv4(struct fb *f, unsigned ihl, unsigned tot, unsigned frag,
		 unsigned proto)
{
	put8(f, 0x40 | ihl);
	put8(f, 0);
	put16(f, tot);
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	putn(f, A4, 4);
	putn(f, B4, 4);
	putz(f, (ihl > 5 ? ihl - 5 : 0) * 4);
}

static void ipv6(struct fb *f, unsigned plen, unsigned nh)
{
	put32(f, 0x60000000);
	put16(f, plen);
	put8(f, nh);
	put8(f, 64);
	putn(f, A6, 16);
	putn(f, B6, 16);
}

static void tcp(struct fb *f, unsigned sport, unsigned dport, unsigned doff,
		unsigned flags)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 0);
	put8(f, doff << 4);
	put8(f, flags);
	put16(f, 65535);
	put32(f, 0);
	putz(f, (doff > 5 ? doff - 5 : 0) * 4);
}

static void udp(struct fb *f, unsigned sport, unsigned dport, unsigned len)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, len);
	put16(f, 0);
}

/* ---- decoding and checking -------------------------------------------- */

static struct cf_decode_stats st;
static struct cf_packet pkt;
static uint8_t *heap;  /* copy the last decode ran on */

/* Decode the first caplen bytes of f (wire length wirelen, 0: f->n). */
static enum cf_decode_result dec_len(enum cf_link link, const struct fb *f,
				     size_t caplen, size_t wirelen)
{
	free(heap);
	heap = malloc(caplen ? caplen : 1);
	memcpy(heap, f->b, caplen);
	pkt.ts_us = 777;
	return cf_decode(link, heap, (uint32_t)caplen,
			 (uint32_t)(wirelen ? wirelen : f->n), &pkt, &st);
}

static enum cf_decode_result dec(enum cf_link link, const struct fb *f)
{
	return dec_len(link, f, f->n, f->n);
}

struct want {
	unsigned vlan, ipv, proto, sport, dport, flags;
	size_t l3_off, l3_len, pl_off, pl_len, ip_len;
	int v6;
};

/* Compare every field of pkt (decoded from heap) with w. */
static void expect(const struct want *w, int line)
{
	int before = harness_failed;
	cf_addr a, b;

	if (w->v6) {
		cf_addr_from_v6(&a, A6);
		cf_addr_from_v6(&b, B6);
	} else {
		cf_addr_from_v4(&a, A4);
		cf_addr_from_v4(&b, B4);
	}
	CHECK_INT(pkt.ts_us, 777);
	CHECK_INT(pkt.vlan, w->vlan);
	CHECK_INT(pkt.ip_version, w->ipv);
	CHECK_INT(pkt.proto, w->proto);
	CHECK(memcmp(&pkt.src, &a, sizeof(a)) == 0);
	CHECK(memcmp(&pkt.dst, &b, sizeof(b)) == 0);
	CHECK_INT(pkt.sport, w->sport);
	CHECK_INT(pkt.dport, w->dport);
	CHECK_INT(pkt.tcp_flags, w->flags);
	CHECK(pkt.l3 == heap + w->l3_off);
	CHECK_INT(pkt.l3_len, w->l3_len);
	CHECK(pkt.payload == heap + w->pl_off);
	CHECK_INT(pkt.payload_len, w->pl_len);
	CHECK_INT(pkt.ip_len, w->ip_len);
	if (harness_failed != before)
		fprintf(stderr, "  (expect() called from line %d)\n", line);
}

#define EXPECT(...) do { struct want w_ = { __VA_ARGS__ }; \
	expect(&w_, __LINE__); } while (0)

/*
 * Every prefix of f shorter than hdr_end (the end of the last header)
 * must be TRUNCATED; longer ones are OK with the payload cut to what
 * was captured.
 */
static void prefixes(enum cf_link link, const struct fb *f, size_t hdr_end,
		     size_t pl_len)
{
	enum cf_decode_result r;
	size_t len;
	int bad = 0;

	for (len = 0; len < f->n; len++) {
		r = dec_len(link, f, len, f->n);
		if (len < hdr_end && r != CF_DEC_TRUNCATED)
			bad++, fprintf(stderr, "  prefix %zu: result %d\n", len, r);
		if (len >= hdr_end) {
			size_t want = len - hdr_end < pl_len ? len - hdr_end : pl_len;

			if (r != CF_DEC_OK || pkt.payload_len != want)
				bad++, fprintf(stderr, "  prefix %zu: %d/%u\n",
					       len, r, pkt.payload_len);
		}
	}
	CHECK_INT(bad, 0);
}

/* ---- tests ------------------------------------------------------------ */

static void test_eth_ipv4_tcp(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	eth(&f, 0x0800);
	ipv4(&f, 5, 20 + 20 + 12, 0, 6);
	tcp(&f, 40000, 443, 5, 0x18);
	putn(&f, DATA, 12);
	putz(&f, 8);  /* Ethernet padding: not payload */
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	CHECK_INT(pkt.wire_len, f.n);
	CHECK_INT(pkt.cap_len, f.n);
	EXPECT(.ipv = 4, .proto = 6, .sport = 40000, .dport = 443,
	       .flags = 0x18, .l3_off = 14, .l3_len = 52, .pl_off = 54,
	       .pl_len = 12, .ip_len = 52);
	CHECK(memcmp(pkt.payload, DATA, 12) == 0);
	CHECK_INT(st.packets, 1);
	CHECK_INT(st.ok, 1);
	CHECK_INT(st.ipv4, 1);
	CHECK_INT(st.tcp, 1);
	CHECK_INT(st.vlan, 0);
	prefixes(CF_LINK_ETHERNET, &f, 54, 12);
}

static void test_eth_ipv4_tcp_options(void)
{
	struct fb f = { .n = 0 };

	eth(&f, 0x0800);
	ipv4(&f, 7, 28 + 32 + 12, 0, 6);
	tcp(&f, 1, 2, 8, 0x02);
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 6, .sport = 1, .dport = 2, .flags = 0x02,
	       .l3_off = 14, .l3_len = 72, .pl_off = 14 + 28 + 32,
	       .pl_len = 12, .ip_len = 72);
	prefixes(CF_LINK_ETHERNET, &f, 14 + 28 + 32, 12);
}

static void test_eth_ipv4_udp(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	eth(&f, 0x0800);
	ipv4(&f, 5, 20 + 8 + 12, 0, 17);
	udp(&f, 5353, 53, 8 + 12);
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 17, .sport = 5353, .dport = 53,
	       .l3_off = 14, .l3_len = 40, .pl_off = 42, .pl_len = 12,
	       .ip_len = 40);
	CHECK_INT(st.udp, 1);
	prefixes(CF_LINK_ETHERNET, &f, 42, 12);
}

static void test_vlan(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	eth(&f, 0x8100);
	put16(&f, 0x2000 | 100);  /* PCP 1, VLAN 100 */
	put16(&f, 0x0800);
	ipv4(&f, 5, 28, 0, 17);
	udp(&f, 1000, 2000, 8);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.vlan = 100, .ipv = 4, .proto = 17, .sport = 1000,
	       .dport = 2000, .l3_off = 18, .l3_len = 28, .pl_off = 46,
	       .pl_len = 0, .ip_len = 28);
	CHECK_INT(st.vlan, 1);
	prefixes(CF_LINK_ETHERNET, &f, 46, 0);
}

static void test_qinq(void)
{
	static const unsigned outer[] = { 0x88a8, 0x9100, 0x8100 };
	struct fb f;
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&st, 0, sizeof(st));
		f.n = 0;
		eth(&f, outer[i]);
		put16(&f, 10);
		put16(&f, 0x8100);
		put16(&f, 0xe000 | 4094);
		put16(&f, 0x0800);
		ipv4(&f, 5, 28, 0, 17);
		udp(&f, 1, 2, 8);
		CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
		EXPECT(.vlan = 4094, .ipv = 4, .proto = 17, .sport = 1,
		       .dport = 2, .l3_off = 22, .l3_len = 28, .pl_off = 50,
		       .ip_len = 28);
		CHECK_INT(st.vlan, 1);
	}
	prefixes(CF_LINK_ETHERNET, &f, 50, 0);

	/* CF_MAX_VLAN_DEPTH tags decode; one more is invalid. */
	for (i = 0; i < 2; i++) {
		size_t k, n = CF_MAX_VLAN_DEPTH + i;

		f.n = 0;
		eth(&f, 0x8100);
		for (k = 0; k < n; k++) {
			put16(&f, (unsigned)k + 1);
			put16(&f, k + 1 < n ? 0x8100 : 0x0800);
		}
		ipv4(&f, 5, 28, 0, 17);
		udp(&f, 1, 2, 8);
		CHECK_INT(dec(CF_LINK_ETHERNET, &f),
			  i == 0 ? CF_DEC_OK : CF_DEC_INVALID);
		if (i == 0)
			CHECK_INT(pkt.vlan, CF_MAX_VLAN_DEPTH);
	}
}

static void test_mpls(void)
{
	struct fb f = { .n = 0 };

	eth(&f, 0x8847);
	put32(&f, (16u << 12) | 64);              /* label 16 */
	put32(&f, (1000u << 12) | 0x100 | 64);    /* label 1000, bottom */
	ipv4(&f, 5, 20 + 20, 0, 6);
	tcp(&f, 80, 50000, 5, 0x11);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 6, .sport = 80, .dport = 50000,
	       .flags = 0x11, .l3_off = 22, .l3_len = 40, .pl_off = 62,
	       .ip_len = 40);
	prefixes(CF_LINK_ETHERNET, &f, 62, 0);

	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, (5u << 12) | 0x100 | 1);
	ipv6(&f, 8 + 12, 17);
	udp(&f, 3478, 3479, 8 + 12);
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 17, .sport = 3478, .dport = 3479,
	       .l3_off = 18, .l3_len = 60, .pl_off = 66, .pl_len = 12,
	       .ip_len = 60);
	prefixes(CF_LINK_ETHERNET, &f, 66, 12);

	/* A pseudowire control word (first nibble 0) is not IP. */
	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, (5u << 12) | 0x100 | 1);
	put32(&f, 0);
	putz(&f, 40);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_NOT_IP);

	/* A label stack that never ends is invalid. */
	f.n = 0;
	eth(&f, 0x8847);
	for (int k = 0; k < 20; k++)
		put32(&f, (5u << 12) | 1);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
}

static void test_pppoe(void)
{
	struct fb f = { .n = 0 };

	eth(&f, 0x8864);
	put8(&f, 0x11);
	put8(&f, 0);
	put16(&f, 0x0042);
	put16(&f, 2 + 28);
	put16(&f, 0x0021);
	ipv4(&f, 5, 28, 0, 17);
	udp(&f, 500, 4500, 8);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 17, .sport = 500, .dport = 4500,
	       .l3_off = 22, .l3_len = 28, .pl_off = 50, .ip_len = 28);
	prefixes(CF_LINK_ETHERNET, &f, 50, 0);

	f.n = 0;
	eth(&f, 0x8864);
	put8(&f, 0x11);
	put8(&f, 0);
	put16(&f, 0x0042);
	put16(&f, 2 + 60);
	put16(&f, 0x0057);
	ipv6(&f, 20, 6);
	tcp(&f, 22, 2222, 5, 0x10);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 6, .sport = 22, .dport = 2222,
	       .flags = 0x10, .l3_off = 22, .l3_len = 60, .pl_off = 82,
	       .ip_len = 60);

	/* LCP is not IP; a wrong version/type is invalid. */
	f.b[20] = 0xc0, f.b[21] = 0x21;
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_NOT_IP);
	f.b[20] = 0x00, f.b[21] = 0x57, f.b[14] = 0x21;
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
	/* Discovery stage is not IP. */
	f.b[12] = 0x88, f.b[13] = 0x63;
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_NOT_IP);
}

static void test_sll(void)
{
	struct fb f = { .n = 0 };

	put16(&f, 0);        /* to us */
	put16(&f, 1);        /* ARPHRD_ETHER */
	put16(&f, 6);
	putz(&f, 8);
	put16(&f, 0x0800);
	ipv4(&f, 5, 40, 0, 6);
	tcp(&f, 1234, 80, 5, 0x02);
	CHECK_INT(dec(CF_LINK_SLL, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 6, .sport = 1234, .dport = 80,
	       .flags = 0x02, .l3_off = 16, .l3_len = 40, .pl_off = 56,
	       .ip_len = 40);
	prefixes(CF_LINK_SLL, &f, 56, 0);

	f.b[14] = 0x08, f.b[15] = 0x06;  /* ARP */
	CHECK_INT(dec(CF_LINK_SLL, &f), CF_DEC_NOT_IP);
	f.b[14] = 0x08, f.b[15] = 0x00, f.b[3] = 824 & 0xff, f.b[2] = 824 >> 8;
	CHECK_INT(dec(CF_LINK_SLL, &f), CF_DEC_NOT_IP);  /* netlink */
}

static void test_sll2(void)
{
	struct fb f = { .n = 0 };

	put16(&f, 0x86dd);
	put16(&f, 0);
	put32(&f, 3);        /* ifindex */
	put16(&f, 1);
	put8(&f, 4);         /* outgoing */
	put8(&f, 6);
	putz(&f, 8);
	ipv6(&f, 8 + 12, 17);
	udp(&f, 443, 50000, 8 + 12);
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_SLL2, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 17, .sport = 443, .dport = 50000,
	       .l3_off = 20, .l3_len = 60, .pl_off = 68, .pl_len = 12,
	       .ip_len = 60);
	prefixes(CF_LINK_SLL2, &f, 68, 12);
}

static void test_raw(void)
{
	struct fb f = { .n = 0 };

	ipv4(&f, 5, 28 + 12, 0, 17);
	udp(&f, 1, 2, 8 + 12);
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 17, .sport = 1, .dport = 2, .l3_off = 0,
	       .l3_len = 40, .pl_off = 28, .pl_len = 12, .ip_len = 40);
	prefixes(CF_LINK_RAW, &f, 28, 12);

	f.n = 0;
	ipv6(&f, 20, 6);
	tcp(&f, 5060, 5061, 5, 0x04);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 6, .sport = 5060, .dport = 5061,
	       .flags = 0x04, .l3_off = 0, .l3_len = 60, .pl_off = 60,
	       .ip_len = 60);
	prefixes(CF_LINK_RAW, &f, 60, 0);

	f.b[0] = 0x50;  /* version 5 */
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);
	/* Ethernet says IPv4 but the header is IPv6: invalid. */
	f.n = 0;
	eth(&f, 0x0800);
	ipv6(&f, 0, 59);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
}

static void test_null_loop(void)
{
	static const uint32_t af6[] = { 24, 28, 30 };
	struct fb f = { .n = 0 };
	size_t i;

	/* DLT_NULL written by a little-endian host. */
	put8(&f, 2), put8(&f, 0), put8(&f, 0), put8(&f, 0);
	ipv4(&f, 5, 28, 0, 17);
	udp(&f, 7, 8, 8);
	CHECK_INT(dec(CF_LINK_NULL, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 17, .sport = 7, .dport = 8, .l3_off = 4,
	       .l3_len = 28, .pl_off = 32, .ip_len = 28);
	prefixes(CF_LINK_NULL, &f, 32, 0);
	/* ... and by a big-endian one. */
	f.b[0] = 0, f.b[3] = 2;
	CHECK_INT(dec(CF_LINK_NULL, &f), CF_DEC_OK);
	CHECK_INT(dec(CF_LINK_LOOP, &f), CF_DEC_OK);
	f.b[0] = 2, f.b[3] = 0;
	CHECK_INT(dec(CF_LINK_LOOP, &f), CF_DEC_NOT_IP);
	f.b[0] = 0, f.b[3] = 7;  /* AF_IMPLINK */
	CHECK_INT(dec(CF_LINK_NULL, &f), CF_DEC_NOT_IP);

	for (i = 0; i < 3; i++) {
		f.n = 0;
		put8(&f, af6[i]), put8(&f, 0), put8(&f, 0), put8(&f, 0);
		ipv6(&f, 8, 17);
		udp(&f, 9, 10, 8);
		CHECK_INT(dec(CF_LINK_NULL, &f), CF_DEC_OK);
		EXPECT(.v6 = 1, .ipv = 6, .proto = 17, .sport = 9, .dport = 10,
		       .l3_off = 4, .l3_len = 48, .pl_off = 52, .ip_len = 48);
		f.b[0] = 0, f.b[3] = (uint8_t)af6[i];
		CHECK_INT(dec(CF_LINK_LOOP, &f), CF_DEC_OK);
		EXPECT(.v6 = 1, .ipv = 6, .proto = 17, .sport = 9, .dport = 10,
		       .l3_off = 4, .l3_len = 48, .pl_off = 52, .ip_len = 48);
	}
	prefixes(CF_LINK_LOOP, &f, 52, 0);
}

static void test_ipv6_ext(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	/* hop-by-hop (8) + fragment (8, offset 0, M) + UDP(8) + 12 */
	eth(&f, 0x86dd);
	ipv6(&f, 8 + 8 + 8 + 12, 0);
	put8(&f, 44), put8(&f, 0);
	put8(&f, 5), put8(&f, 2), put16(&f, 0), put8(&f, 1), put8(&f, 0);
	put8(&f, 17), put8(&f, 0), put16(&f, 0x0001), put32(&f, 0xabcd);
	udp(&f, 1111, 2222, 8 + 1000);  /* datagram spans fragments */
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 17, .sport = 1111, .dport = 2222,
	       .l3_off = 14, .l3_len = 76, .pl_off = 78, .pl_len = 12,
	       .ip_len = 76);
	prefixes(CF_LINK_ETHERNET, &f, 78, 12);

	/* The same datagram's next fragment: offset 1008. */
	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 8 + 8 + 12, 0);
	putz(&f, 8);
	f.b[54] = 44;
	put8(&f, 17), put8(&f, 0), put16(&f, 1008), put32(&f, 0xabcd);
	putn(&f, DATA, 12);
	memset(&st, 0, sizeof(st));
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_FRAGMENT);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 17, .l3_off = 14, .l3_len = 68,
	       .pl_off = 70, .pl_len = 12, .ip_len = 68);
	CHECK_INT(st.fragments, 1);
	CHECK_INT(st.ipv6, 1);
	CHECK_INT(st.ok, 0);

	/* Routing, AH and destination options, then TCP. */
	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 24 + 16 + 8 + 20, 43);
	put8(&f, 51), put8(&f, 2), putz(&f, 22);       /* routing, 24 */
	put8(&f, 60), put8(&f, 2), putz(&f, 14);       /* AH, (2+2)*4 */
	put8(&f, 6), put8(&f, 0), putz(&f, 6);         /* dest opts, 8 */
	tcp(&f, 9000, 9001, 5, 0x01);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 6, .sport = 9000, .dport = 9001,
	       .flags = 0x01, .l3_off = 14, .l3_len = 108, .pl_off = 122,
	       .ip_len = 108);
	prefixes(CF_LINK_ETHERNET, &f, 122, 0);

	/* ESP: another protocol, payload is the rest. */
	f.n = 0;
	ipv6(&f, 12, 50);
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 50, .l3_off = 0, .l3_len = 52,
	       .pl_off = 40, .pl_len = 12, .ip_len = 52);
}

/* n destination options headers, then UDP. */
static enum cf_decode_result ext_chain(int n)
{
	struct fb f = { .n = 0 };
	int k;

	ipv6(&f, (unsigned)(8 * n + 8), n ? 60 : 17);
	for (k = 0; k < n; k++)
		put8(&f, k + 1 < n ? 60 : 17), put8(&f, 0), putz(&f, 6);
	udp(&f, 1, 2, 8);
	return dec(CF_LINK_RAW, &f);
}

static void test_ipv6_bad(void)
{
	struct fb f = { .n = 0 };

	CHECK_INT(ext_chain(8), CF_DEC_OK);
	CHECK_INT(ext_chain(9), CF_DEC_INVALID);

	/* Hop-by-hop after another header. */
	ipv6(&f, 16 + 8, 60);
	put8(&f, 0), put8(&f, 0), putz(&f, 6);
	put8(&f, 17), put8(&f, 0), putz(&f, 6);
	udp(&f, 1, 2, 8);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);

	/* Payload length beyond the frame on the wire. */
	f.n = 0;
	ipv6(&f, 100, 17);
	udp(&f, 1, 2, 8);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);
	/* ... but fine when the frame was longer than the capture. */
	CHECK_INT(dec_len(CF_LINK_RAW, &f, f.n, 140), CF_DEC_OK);
	CHECK_INT(pkt.ip_len, 140);
	CHECK_INT(pkt.l3_len, 48);
	/* Extension header longer than the payload length says. */
	f.n = 0;
	ipv6(&f, 8, 60);
	put8(&f, 17), put8(&f, 1), putz(&f, 14);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);
	/* ... and longer than captured while the length covers it. */
	f.n = 0;
	ipv6(&f, 16 + 8, 60);
	put8(&f, 17), put8(&f, 1), putz(&f, 14);
	udp(&f, 1, 2, 8);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	CHECK_INT(dec_len(CF_LINK_RAW, &f, 48, 0), CF_DEC_TRUNCATED);
}

static void test_ipv4_lies(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	eth(&f, 0x0800);
	ipv4(&f, 5, 40, 0, 6);
	tcp(&f, 1, 2, 5, 0);
	f.b[14] = 0x44;  /* IHL 4 */
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
	f.b[14] = 0x4f;  /* IHL 15 > total length 40 */
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
	f.b[14] = 0x4f, f.b[17] = 80;  /* fits the length, not the capture */
	CHECK_INT(dec_len(CF_LINK_ETHERNET, &f, f.n, 14 + 80),
		  CF_DEC_TRUNCATED);
	f.b[14] = 0x45, f.b[17] = 19;  /* total length < header */
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
	f.b[17] = 41;                  /* total length > wire length */
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
	f.b[17] = 30;                  /* TCP header beyond total length */
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_INVALID);
	f.b[17] = 40;
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_OK);
	CHECK_INT(st.invalid, 5);
	CHECK_INT(st.truncated, 1);
	CHECK_INT(st.ok, 1);
	CHECK_INT(st.packets, 7);
}

static void test_tcp_lies(void)
{
	struct fb f = { .n = 0 };

	ipv4(&f, 5, 20 + 32 + 4, 0, 6);
	tcp(&f, 1, 2, 8, 0x02);
	putn(&f, DATA, 4);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	CHECK_INT(pkt.payload_len, 4);
	f.b[32] = 4 << 4;    /* data offset 4 */
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);
	CHECK_INT(pkt.sport, 0);
	CHECK(pkt.payload == NULL);
	f.b[32] = 15 << 4;   /* 60 bytes, beyond the IP length */
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);
	f.b[32] = 9 << 4;    /* 36 bytes: within the IP length, cut by snaplen */
	CHECK_INT(dec_len(CF_LINK_RAW, &f, 20 + 34, 0), CF_DEC_TRUNCATED);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	CHECK_INT(pkt.payload_len, 0);
}

static void test_udp_lies(void)
{
	struct fb f = { .n = 0 };

	ipv4(&f, 5, 28 + 12, 0, 17);
	udp(&f, 1, 2, 4);    /* shorter than its header */
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);
	f.b[25] = 8 + 13;    /* longer than the IP packet */
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_INVALID);
	f.b[25] = 8 + 5;     /* shorter than the IP payload: trailer ignored */
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	CHECK_INT(pkt.payload_len, 5);
	f.b[25] = 8 + 12;
	CHECK_INT(dec_len(CF_LINK_RAW, &f, 28 + 7, 0), CF_DEC_OK);
	CHECK_INT(pkt.payload_len, 7);
	CHECK_INT(pkt.l3_len, 35);
	CHECK_INT(pkt.ip_len, 40);
}

static void test_ipv4_fragments(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	ipv4(&f, 5, 20 + 12, 0x2000 | 0, 17);  /* first, MF */
	udp(&f, 53, 53, 8 + 1400);
	putn(&f, DATA, 4);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 17, .sport = 53, .dport = 53, .l3_off = 0,
	       .l3_len = 32, .pl_off = 28, .pl_len = 4, .ip_len = 32);

	f.b[6] = 0x20, f.b[7] = 185;           /* MF, offset 1480 */
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_FRAGMENT);
	EXPECT(.ipv = 4, .proto = 17, .l3_off = 0, .l3_len = 32,
	       .pl_off = 20, .pl_len = 12, .ip_len = 32);
	f.b[6] = 0x00;                          /* last fragment */
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_FRAGMENT);
	CHECK_INT(st.fragments, 2);
	CHECK_INT(st.ok, 1);
	CHECK_INT(st.ipv4, 3);

	/* A first fragment too short for the TCP header. */
	f.n = 0;
	ipv4(&f, 5, 20 + 8, 0x2000, 6);
	putz(&f, 8);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_FRAGMENT);
	CHECK_INT(pkt.sport, 0);
}

static void test_icmp_other(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	ipv4(&f, 5, 20 + 8, 0, 1);
	put8(&f, 8), put8(&f, 0), put16(&f, 0), put32(&f, 0x00010002);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 1, .l3_off = 0, .l3_len = 28, .pl_off = 24,
	       .pl_len = 4, .ip_len = 28);
	CHECK_INT(pkt.icmp_type, 8);
	CHECK_INT(pkt.icmp_code, 0);
	prefixes(CF_LINK_RAW, &f, 24, 4);
	memset(&st, 0, sizeof(st));
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);

	f.n = 0;
	ipv6(&f, 8, 58);
	put8(&f, 128), put8(&f, 0), put16(&f, 0), put32(&f, 7);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	EXPECT(.v6 = 1, .ipv = 6, .proto = 58, .l3_off = 0, .l3_len = 48,
	       .pl_off = 44, .pl_len = 4, .ip_len = 48);

	f.n = 0;
	ipv4(&f, 5, 20 + 12, 0, 47);  /* GRE: not decapsulated */
	putn(&f, DATA, 12);
	CHECK_INT(dec(CF_LINK_RAW, &f), CF_DEC_OK);
	EXPECT(.ipv = 4, .proto = 47, .l3_off = 0, .l3_len = 32, .pl_off = 20,
	       .pl_len = 12, .ip_len = 32);
	CHECK_INT(st.icmp, 2);
	CHECK_INT(st.other_l4, 1);
	CHECK_INT(st.ipv4, 2);
	CHECK_INT(st.ipv6, 1);
}

static void test_not_ip(void)
{
	struct fb f = { .n = 0 };

	memset(&st, 0, sizeof(st));
	eth(&f, 0x0806);
	putz(&f, 28);
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_NOT_IP);
	f.b[12] = 0x00, f.b[13] = 0x2e;  /* 802.3 length */
	CHECK_INT(dec(CF_LINK_ETHERNET, &f), CF_DEC_NOT_IP);
	CHECK_INT(dec(CF_LINK_UNSUPPORTED, &f), CF_DEC_NOT_IP);
	CHECK_INT(dec_len(CF_LINK_ETHERNET, &f, 13, 0), CF_DEC_TRUNCATED);
	CHECK_INT(dec_len(CF_LINK_RAW, &f, 0, 0), CF_DEC_TRUNCATED);
	CHECK_INT(st.not_ip, 3);
	CHECK_INT(st.truncated, 2);
	CHECK_INT(st.packets, 5);
}

/* Random bytes on every link type: never a crash, counters add up. */
static void test_noise(void)
{
	static const enum cf_link links[] = {
		CF_LINK_ETHERNET, CF_LINK_SLL, CF_LINK_SLL2, CF_LINK_RAW,
		CF_LINK_NULL, CF_LINK_LOOP
	};
	struct fb f;
	uint32_t x = 12345;
	int i, k;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < 60000; i++) {
		f.n = (size_t)(x % 200);
		for (k = 0; k < (int)f.n; k++) {
			x = x * 1103515245u + 12345u;
			f.b[k] = (uint8_t)(x >> 16);
		}
		if (f.n > 14 && (x & 1))
			f.b[12] = 0x08, f.b[13] = 0, f.b[14] = 0x45;
		dec_len(links[i % 6], &f, f.n, f.n + (x >> 28));
	}
	CHECK_INT(st.packets, 60000);
	CHECK_INT(st.ok + st.not_ip + st.truncated + st.invalid + st.fragments,
		  st.packets);
	CHECK_INT(st.tcp + st.udp + st.icmp + st.other_l4, st.ok);
	CHECK_INT(st.ipv4 + st.ipv6, st.ok + st.fragments);
}

static void test_link_names(void)
{
	CHECK_STR(cf_link_name(CF_LINK_ETHERNET), "ethernet");
	CHECK_STR(cf_link_name(CF_LINK_SLL), "linux-sll");
	CHECK_STR(cf_link_name(CF_LINK_SLL2), "linux-sll2");
	CHECK_STR(cf_link_name(CF_LINK_RAW), "raw");
	CHECK_STR(cf_link_name(CF_LINK_NULL), "null");
	CHECK_STR(cf_link_name(CF_LINK_LOOP), "loop");
	CHECK_STR(cf_link_name(CF_LINK_UNSUPPORTED), "unsupported");
}

int main(void)
{
	RUN(test_eth_ipv4_tcp);
	RUN(test_eth_ipv4_tcp_options);
	RUN(test_eth_ipv4_udp);
	RUN(test_vlan);
	RUN(test_qinq);
	RUN(test_mpls);
	RUN(test_pppoe);
	RUN(test_sll);
	RUN(test_sll2);
	RUN(test_raw);
	RUN(test_null_loop);
	RUN(test_ipv6_ext);
	RUN(test_ipv6_bad);
	RUN(test_ipv4_lies);
	RUN(test_tcp_lies);
	RUN(test_udp_lies);
	RUN(test_ipv4_fragments);
	RUN(test_icmp_other);
	RUN(test_not_ip);
	RUN(test_noise);
	RUN(test_link_names);
	free(heap);
	return harness_done();
}
