/*
 * test-rtt.c - src/flow/flow-rtt.c: the exchanges timed (TCP handshake
 * both ways, TLS and DTLS hellos, STUN by transaction ID, SIP by CSeq),
 * what is not (answers of another kind or transaction, answers before
 * their request or too late; retransmitted requests timed from the first
 * copy, never too short), the
 * smallest RTT kept per end, and the per-address table (bounds, merge).
 * Packets are built here, times in microseconds.
 */
#include "config.h"

#include <string.h>

#include "decode/decode.h"
#include "flow/rtt.h"
#include "harness.h"

#define BASE 1700000000000000ull

static struct cf_packet pk;
static uint8_t buf[256];

/* A packet of proto at BASE + t us with TCP flags fl and payload p[n]. */
static const struct cf_packet *mk(uint8_t proto, uint64_t t, uint8_t fl,
				  const void *p, size_t n)
{
	memset(&pk, 0, sizeof(pk));
	pk.ts_us = BASE + t;
	pk.proto = proto;
	pk.tcp_flags = fl;
	if (n > 0)
		memcpy(buf, p, n);
	pk.payload = n ? buf : NULL;
	pk.payload_len = (uint32_t)n;
	return &pk;
}

/* feed: returns the end measured (or -1) and its RTT in *us */
static int feed(struct cf_rtt *r, const struct cf_packet *p, int dir, uint32_t *us)
{
	*us = 0xdeadbeef;
	return cf_rtt_packet(r, p, dir, BASE, us);
}

static void test_tcp(void)
{
	struct cf_rtt r;
	uint32_t us;

	cf_rtt_reset(&r);
	CHECK_INT(feed(&r, mk(6, 0, 0x02, NULL, 0), 0, &us), -1);            /* SYN */
	CHECK_INT(cf_rtt_pending(&r, BASE, BASE + 10), 1);
	CHECK_INT(feed(&r, mk(6, 150000, 0x12, NULL, 0), 1, &us), 1);        /* SYN/ACK */
	CHECK_INT(us, 150000);
	CHECK_INT(feed(&r, mk(6, 150400, 0x10, NULL, 0), 0, &us), 0);        /* ACK */
	CHECK_INT(us, 400);
	CHECK_INT(cf_rtt_min(&r, 1), 150000);
	CHECK_INT(cf_rtt_min(&r, 0), 400);
	CHECK_INT(r.src[1], CF_RTT_SYN);
	CHECK_INT(r.src[0], CF_RTT_SYNACK);
	CHECK_INT(r.samples, 2);
	/* later ACKs answer nothing */
	CHECK_INT(feed(&r, mk(6, 160000, 0x10, NULL, 0), 0, &us), -1);
	CHECK_INT(cf_rtt_pending(&r, BASE, BASE + 160000), 0);

	/* a SYN sent again: the SYN/ACK (to either copy) is timed from the
	   first, so never too short */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 0, 0x02, NULL, 0), 0, &us);
	feed(&r, mk(6, 1000000, 0x02, NULL, 0), 0, &us);
	CHECK_INT(feed(&r, mk(6, 1002000, 0x12, NULL, 0), 1, &us), 1);
	CHECK_INT(us, 1002000);
	CHECK_INT(cf_rtt_min(&r, 1), 1002000);
	CHECK_INT(r.dropped, 1);

	/* an answer stamped before its request (out-of-order capture) */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 5000, 0x02, NULL, 0), 0, &us);
	CHECK_INT(feed(&r, mk(6, 4000, 0x12, NULL, 0), 1, &us), -1);
	/* too late: more than CF_RTT_MAX_US */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 0, 0x02, NULL, 0), 0, &us);
	CHECK_INT(cf_rtt_pending(&r, BASE, BASE + CF_RTT_MAX_US + 10), 0);
	CHECK_INT(feed(&r, mk(6, CF_RTT_MAX_US + 10, 0x12, NULL, 0), 1, &us), -1);
	/* a packet before the flow's base is ignored */
	CHECK_INT(cf_rtt_packet(&r, mk(6, 0, 0x02, NULL, 0), 0, BASE + 1, &us), -1);
	/* RST forgets what was pending */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 0, 0x02, NULL, 0), 0, &us);
	feed(&r, mk(6, 10, 0x04, NULL, 0), 0, &us);
	CHECK_INT(feed(&r, mk(6, 20, 0x12, NULL, 0), 1, &us), -1);
	/* the smallest stays: a slower second exchange does not replace it */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 0, 0x02, NULL, 0), 0, &us);
	feed(&r, mk(6, 3000, 0x12, NULL, 0), 1, &us);
	feed(&r, mk(6, 100000, 0x02, NULL, 0), 0, &us);
	CHECK_INT(feed(&r, mk(6, 109000, 0x12, NULL, 0), 1, &us), 1);
	CHECK_INT(us, 9000);
	CHECK_INT(cf_rtt_min(&r, 1), 3000);
}

static const uint8_t tls_ch[] = { 0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c };
static const uint8_t tls_sh[] = { 0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c };
static const uint8_t tls_ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
static const uint8_t http[] = "HTTP/1.1 200 OK\r\n";

static void test_tls(void)
{
	struct cf_rtt r;
	uint32_t us;

	cf_rtt_reset(&r);
	/* the hello rides on the segment that ACKs the SYN/ACK */
	feed(&r, mk(6, 0, 0x02, NULL, 0), 0, &us);
	feed(&r, mk(6, 20000, 0x12, NULL, 0), 1, &us);
	CHECK_INT(feed(&r, mk(6, 20100, 0x18, tls_ch, sizeof(tls_ch)), 0, &us), 0);
	CHECK_INT(us, 100);
	/* the client's own change-cipher-spec answers nothing */
	CHECK_INT(feed(&r, mk(6, 20200, 0x18, tls_ccs, sizeof(tls_ccs)), 0, &us), -1);
	/* a bare ACK from the server is not the first flight */
	CHECK_INT(feed(&r, mk(6, 30000, 0x10, NULL, 0), 1, &us), -1);
	CHECK_INT(feed(&r, mk(6, 45100, 0x18, tls_sh, sizeof(tls_sh)), 1, &us), 1);
	CHECK_INT(us, 25000);
	CHECK_INT(cf_rtt_min(&r, 1), 20000);   /* the SYN/ACK was quicker */
	/* data that is not TLS answers no hello */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 0, 0x18, tls_ch, sizeof(tls_ch)), 0, &us);
	CHECK_INT(feed(&r, mk(6, 5000, 0x18, http, sizeof(http) - 1), 1, &us), -1);
	/* a hello sent again: timed from the first copy */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 0, 0x18, tls_ch, sizeof(tls_ch)), 0, &us);
	feed(&r, mk(6, 300000, 0x18, tls_ch, sizeof(tls_ch)), 0, &us);
	CHECK_INT(feed(&r, mk(6, 300500, 0x18, tls_sh, sizeof(tls_sh)), 1, &us), 1);
	CHECK_INT(us, 300500);
}

static void test_dtls(void)
{
	uint8_t ch[25] = { 0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0x01 };
	uint8_t hvr[25] = { 0x16, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0x03 };
	uint8_t stun[20] = { 0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct cf_rtt r;
	uint32_t us;

	cf_rtt_reset(&r);
	feed(&r, mk(17, 1000, 0, ch, sizeof(ch)), 1, &us);
	/* a STUN request from the server side in between answers no hello */
	CHECK_INT(feed(&r, mk(17, 1500, 0, stun, sizeof(stun)), 0, &us), -1);
	CHECK_INT(feed(&r, mk(17, 8000, 0, hvr, sizeof(hvr)), 0, &us), 0);
	CHECK_INT(us, 7000);
	CHECK_INT(r.src[0], CF_RTT_DTLS_HELLO);
}

static void stun_msg(uint8_t *m, uint16_t type, uint8_t tx)
{
	static const uint8_t hdr[8] = { 0, 0, 0, 0, 0x21, 0x12, 0xa4, 0x42 };

	memcpy(m, hdr, 8);
	m[0] = (uint8_t)(type >> 8);
	m[1] = (uint8_t)type;
	memset(m + 8, tx, 12);
}

static void test_stun(void)
{
	uint8_t req[20], req2[20], resp[20], other[20], err[20], ind[20];
	struct cf_rtt r;
	uint32_t us;

	stun_msg(req, 0x0001, 0xaa);        /* Binding request */
	stun_msg(req2, 0x0001, 0xbb);
	stun_msg(resp, 0x0101, 0xaa);       /* Binding success */
	stun_msg(other, 0x0101, 0xcc);      /* success of another transaction */
	stun_msg(err, 0x0113, 0xbb);        /* Allocate error */
	stun_msg(ind, 0x0011, 0xaa);        /* Binding indication */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, req, 20), 0, &us);
	CHECK_INT(feed(&r, mk(17, 100, 0, ind, 20), 1, &us), -1);
	CHECK_INT(feed(&r, mk(17, 200, 0, other, 20), 1, &us), -1);
	CHECK_INT(feed(&r, mk(17, 30000, 0, resp, 20), 1, &us), 1);
	CHECK_INT(us, 30000);
	/* requests both ways at once (ICE checks): each answered */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, req, 20), 0, &us);
	feed(&r, mk(17, 10, 0, req2, 20), 1, &us);
	stun_msg(err, 0x0113, 0xbb);
	CHECK_INT(feed(&r, mk(17, 5010, 0, err, 20), 0, &us), 0);
	CHECK_INT(us, 5000);
	CHECK_INT(feed(&r, mk(17, 7000, 0, resp, 20), 1, &us), 1);
	CHECK_INT(us, 7000);
	/* the same transaction sent again: timed from the first copy */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, req, 20), 0, &us);
	feed(&r, mk(17, 500000, 0, req, 20), 0, &us);
	CHECK_INT(feed(&r, mk(17, 500100, 0, resp, 20), 1, &us), 1);
	CHECK_INT(us, 500100);
	/* a length that is not a multiple of 4 (WhatsApp's relays): STUN */
	cf_rtt_reset(&r);
	req[3] = 2;
	resp[3] = 0;
	{
		uint8_t big[24];

		memcpy(big, req, 20);
		memset(big + 20, 0, 4);
		feed(&r, mk(17, 0, 0, big, 22), 0, &us);
		CHECK_INT(feed(&r, mk(17, 700, 0, resp, 20), 1, &us), 1);
		CHECK_INT(us, 700);
	}
	req[3] = 0;
	/* a response to our own direction's request from the same side: no */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, req, 20), 0, &us);
	CHECK_INT(feed(&r, mk(17, 10, 0, resp, 20), 0, &us), -1);
	/* a length beyond the datagram: not STUN */
	resp[3] = 8;
	CHECK_INT(feed(&r, mk(17, 20, 0, resp, 20), 1, &us), -1);
	/* over TCP too */
	cf_rtt_reset(&r);
	resp[3] = 0;
	feed(&r, mk(6, 0, 0x18, req, 20), 0, &us);
	CHECK_INT(feed(&r, mk(6, 900, 0x18, resp, 20), 1, &us), 1);
	CHECK_INT(us, 900);
}

static void test_sip(void)
{
	static const char inv[] = "INVITE sip:bob@example.com SIP/2.0\r\nVia: x\r\n"
				  "CSeq: 314159 INVITE\r\n\r\n";
	static const char trying[] = "SIP/2.0 100 Trying\r\nVia: x\r\nCSeq: 314159 INVITE\r\n\r\n";
	static const char other[] = "SIP/2.0 200 OK\r\nCSeq: 2 REGISTER\r\n\r\n";
	static const char ack[] = "ACK sip:bob@example.com SIP/2.0\r\nCSeq: 314159 ACK\r\n\r\n";
	struct cf_rtt r;
	uint32_t us;

	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, inv, sizeof(inv) - 1), 0, &us);
	CHECK_INT(feed(&r, mk(17, 100, 0, other, sizeof(other) - 1), 1, &us), -1);
	CHECK_INT(feed(&r, mk(17, 42000, 0, trying, sizeof(trying) - 1), 1, &us), 1);
	CHECK_INT(us, 42000);
	CHECK_INT(r.src[1], CF_RTT_SIP);
	/* an ACK waits for nothing */
	feed(&r, mk(17, 50000, 0, ack, sizeof(ack) - 1), 0, &us);
	CHECK_INT(cf_rtt_pending(&r, BASE, BASE + 50001), 0);
}

static void test_table(void)
{
	struct cf_rtt_table *t = cf_rtt_table_new(16), *u = cf_rtt_table_new(0);
	const struct cf_rtt_addr *e;
	struct cf_rtt_stats st;
	cf_addr a, b;
	int i;

	CHECK(t != NULL && u != NULL);
	if (t == NULL || u == NULL)
		return;
	cf_addr_parse("192.0.2.7", &a);
	cf_addr_parse("2001:db8::7", &b);
	cf_rtt_table_add(t, &a, 9000, CF_RTT_SYN, 100);
	cf_rtt_table_add(t, &a, 4000, CF_RTT_STUN, 200);
	cf_rtt_table_add(t, &a, 6000, CF_RTT_SYN, 300);
	e = cf_rtt_table_get(t, &a);
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK_INT(e->min_us, 4000);
		CHECK_INT(e->src, CF_RTT_STUN);
		CHECK_INT(e->samples, 3);
		CHECK_INT(e->first_us, 100);
		CHECK_INT(e->last_us, 300);
	}
	CHECK(cf_rtt_table_get(t, &b) == NULL);
	cf_rtt_table_add(u, &a, 3000, CF_RTT_HELLO, 50);
	cf_rtt_table_add(u, &b, 1000, CF_RTT_SIP, 400);
	cf_rtt_table_merge(u, t);
	e = cf_rtt_table_get(u, &a);
	CHECK(e != NULL && e->min_us == 3000 && e->samples == 4 &&
	      e->first_us == 50 && e->last_us == 300);
	/* bounded: many addresses, never more entries than slots */
	for (i = 0; i < 1000; i++) {
		cf_addr x;
		char s[32];

		snprintf(s, sizeof(s), "198.51.%d.%d", i / 250, i % 250);
		cf_addr_parse(s, &x);
		cf_rtt_table_add(t, &x, 1000, CF_RTT_SYN, 1000 + (uint64_t)i);
	}
	cf_rtt_table_stats(t, &st);
	CHECK_INT(st.capacity, 16);
	CHECK(st.entries <= 16);
	CHECK(st.replaced > 0);
	CHECK_INT(st.samples, 1003);
	cf_rtt_table_free(t);
	cf_rtt_table_free(u);
}

int main(void)
{
	RUN(test_tcp);
	RUN(test_tls);
	RUN(test_dtls);
	RUN(test_stun);
	RUN(test_sip);
	RUN(test_table);
	return harness_done();
}
