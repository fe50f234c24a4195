/*
 * test-rtt.c - src/flow/flow-rtt.c: the exchanges timed (TCP handshake
 * both ways, TLS and DTLS hellos, STUN by transaction ID - several in
 * flight, several in a TCP segment -, SIP by CSeq over UDP and TCP, RTCP
 * sender report -> report block with LSR and DLSR worked by hand),
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
static struct cf_rtt_tx txs;    /* the flow's transactions in flight */
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
	return cf_rtt_packet(r, &txs, p, dir, BASE, us);
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
	CHECK_INT(cf_rtt_packet(&r, &txs, mk(6, 0, 0x02, NULL, 0), 0, BASE + 1, &us), -1);
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

/* STUN: several transactions in flight; several messages in a TCP segment */
static void test_stun_many(void)
{
	uint8_t q[6][20], a[6][20], seg[60];
	struct cf_rtt r;
	uint32_t us;
	int i;

	for (i = 0; i < 6; i++) {
		stun_msg(q[i], 0x0003, (uint8_t)(0x10 + i));   /* Allocate */
		stun_msg(a[i], 0x0103, (uint8_t)(0x10 + i));   /* its success */
	}
	/* two at once (WhatsApp's relays): each answered, the smallest kept */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, q[0], 20), 0, &us);
	feed(&r, mk(17, 100, 0, q[1], 20), 0, &us);
	CHECK_INT(feed(&r, mk(17, 12100, 0, a[0], 20), 1, &us), 1);
	CHECK_INT(us, 12100);
	CHECK_INT(feed(&r, mk(17, 12200, 0, a[1], 20), 1, &us), 1);
	CHECK_INT(us, 12100);
	CHECK_INT(cf_rtt_min(&r, 1), 12100);
	/* a STUN request does not take a DTLS hello's place, nor the other
	   way round (Meet: a check, then the hello, then the check's answer) */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, q[0], 20), 0, &us);
	{
		static const uint8_t dch[14] = { 0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 1 };
		static const uint8_t dsh[14] = { 0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 2 };

		feed(&r, mk(17, 5000, 0, dch, 14), 0, &us);
		CHECK_INT(feed(&r, mk(17, 17800, 0, a[0], 20), 1, &us), 1);
		CHECK_INT(us, 17800);
		CHECK_INT(feed(&r, mk(17, 24200, 0, dsh, 14), 1, &us), 1);
		CHECK_INT(us, 19200);
	}
	/* five in flight, CF_RTT_TX slots: the oldest gives way, its answer
	   is not timed; the others are */
	cf_rtt_reset(&r);
	for (i = 0; i < 5; i++)
		feed(&r, mk(17, (uint64_t)i * 10, 0, q[i], 20), 0, &us);
	CHECK_INT(feed(&r, mk(17, 9000, 0, a[0], 20), 1, &us), -1);
	CHECK_INT(feed(&r, mk(17, 9010, 0, a[1], 20), 1, &us), 1);
	CHECK_INT(us, 9000);
	CHECK_INT(feed(&r, mk(17, 9040, 0, a[4], 20), 1, &us), 1);
	CHECK_INT(us, 9000);
	/* answered once: the same response again times nothing */
	CHECK_INT(feed(&r, mk(17, 9050, 0, a[4], 20), 1, &us), -1);
	/* an answer goes to the other end only: a request of end 1 with the
	   same ID is not answered by end 1 */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, q[0], 20), 1, &us);
	CHECK_INT(feed(&r, mk(17, 10, 0, a[0], 20), 1, &us), -1);
	CHECK_INT(feed(&r, mk(17, 30, 0, a[0], 20), 0, &us), 0);
	CHECK_INT(us, 30);
	/* TURN over TCP: two requests in one segment, two answers in the
	   next (ChannelData between them skipped) */
	cf_rtt_reset(&r);
	memcpy(seg, q[2], 20);
	memcpy(seg + 20, q[3], 20);
	feed(&r, mk(6, 0, 0x18, seg, 40), 0, &us);
	memcpy(seg, a[3], 20);
	{
		static const uint8_t cd[8] = { 0x40, 0x00, 0x00, 0x03, 1, 2, 3, 0 };

		memcpy(seg + 20, cd, 8);
	}
	memcpy(seg + 28, a[2], 20);
	CHECK_INT(feed(&r, mk(6, 242000, 0x18, seg, 48), 1, &us), 1);
	CHECK_INT(us, 242000);
	CHECK_INT(r.samples, 2);
	/* ICE-TCP (RFC 6544): each message behind RFC 4571's 16-bit length;
	   two framed requests in one segment, their answers in two */
	cf_rtt_reset(&r);
	seg[0] = 0;
	seg[1] = 20;
	memcpy(seg + 2, q[4], 20);
	seg[22] = 0;
	seg[23] = 20;
	memcpy(seg + 24, q[5], 20);
	CHECK_INT(cf_rtt_wanted(mk(6, 0, 0x18, seg, 44)), 1);
	CHECK_INT(cf_rtt_wanted(mk(17, 0, 0, seg, 44)), 0);   /* TCP only */
	feed(&r, mk(6, 0, 0x18, seg, 44), 0, &us);
	seg[0] = 0;
	seg[1] = 20;
	memcpy(seg + 2, a[5], 20);
	CHECK_INT(feed(&r, mk(6, 29400, 0x18, seg, 22), 1, &us), 1);
	CHECK_INT(us, 29400);
	memcpy(seg + 2, a[4], 20);
	seg[1] = 21;                            /* a length the message does not fill */
	CHECK_INT(feed(&r, mk(6, 29500, 0x18, seg, 23), 1, &us), -1);
	seg[1] = 20;
	CHECK_INT(feed(&r, mk(6, 29600, 0x18, seg, 22), 1, &us), 1);
	CHECK_INT(us, 29600);
	/* over UDP only the datagram's first message counts */
	cf_rtt_reset(&r);
	memcpy(seg, q[2], 20);
	memcpy(seg + 20, q[3], 20);
	feed(&r, mk(17, 0, 0, seg, 40), 0, &us);
	CHECK_INT(feed(&r, mk(17, 700, 0, a[3], 20), 1, &us), -1);
	CHECK_INT(feed(&r, mk(17, 800, 0, a[2], 20), 1, &us), 1);
	CHECK_INT(us, 800);
	/* without transaction slots nothing of STUN is timed; a new flow
	   (cf_rtt_reset) does not see the old one's transactions */
	cf_rtt_reset(&r);
	CHECK_INT(cf_rtt_packet(&r, NULL, mk(17, 0, 0, q[1], 20), 0, BASE, &us), -1);
	CHECK_INT(cf_rtt_packet(&r, NULL, mk(17, 90, 0, a[1], 20), 1, BASE, &us), -1);
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, q[1], 20), 0, &us);
	cf_rtt_reset(&r);
	CHECK_INT(feed(&r, mk(17, 90, 0, a[1], 20), 1, &us), -1);
	CHECK_INT(r.tx_on, 0);
	/* timed whether or not the flow is done: cf_rtt_wanted says which
	   packets the runner hands over whole */
	CHECK_INT(cf_rtt_wanted(mk(17, 0, 0, q[0], 20)), 1);
	CHECK_INT(cf_rtt_wanted(mk(6, 0, 0x18, q[0], 20)), 1);
	CHECK_INT(cf_rtt_wanted(mk(17, 0, 0, q[0], 19)), 0);
	q[0][4] = 0x22;                          /* no magic cookie */
	CHECK_INT(cf_rtt_wanted(mk(17, 0, 0, q[0], 20)), 0);
	CHECK_INT(cf_rtt_wanted(mk(17, 0, 0, NULL, 0)), 0);
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
	/* over TCP: the segments that start a request and its response */
	cf_rtt_reset(&r);
	feed(&r, mk(6, 0, 0x02, NULL, 0), 0, &us);
	feed(&r, mk(6, 30000, 0x12, NULL, 0), 1, &us);
	feed(&r, mk(6, 30100, 0x10, NULL, 0), 0, &us);
	CHECK_INT(feed(&r, mk(6, 30200, 0x18, inv, sizeof(inv) - 1), 0, &us), -1);
	CHECK_INT(feed(&r, mk(6, 30300, 0x10, NULL, 0), 1, &us), -1);   /* bare ACK */
	CHECK_INT(feed(&r, mk(6, 61200, 0x18, other, sizeof(other) - 1), 1, &us), -1);
	CHECK_INT(feed(&r, mk(6, 62200, 0x18, trying, sizeof(trying) - 1), 1, &us), 1);
	CHECK_INT(us, 32000);
	CHECK_INT(cf_rtt_min(&r, 1), 30000);          /* the SYN/ACK's was less */
}

/* An RTCP part: type pt (200 SR, 201 RR), sender SSRC, for an SR the NTP
 * timestamp, then rc report blocks (ssrc_n, lsr, dlsr) at m; its size. */
static size_t rtcp_part(uint8_t *m, uint8_t pt, uint32_t ssrc, uint32_t ntp_hi,
			uint32_t ntp_lo, unsigned rc, const uint32_t (*blk)[3])
{
	size_t n = pt == 200 ? 28 : 8, i;

	memset(m, 0, n + rc * 24);
	m[0] = (uint8_t)(0x80 | rc);
	m[1] = pt;
	m[4] = (uint8_t)(ssrc >> 24); m[5] = (uint8_t)(ssrc >> 16);
	m[6] = (uint8_t)(ssrc >> 8); m[7] = (uint8_t)ssrc;
	if (pt == 200) {
		m[8] = (uint8_t)(ntp_hi >> 24); m[9] = (uint8_t)(ntp_hi >> 16);
		m[10] = (uint8_t)(ntp_hi >> 8); m[11] = (uint8_t)ntp_hi;
		m[12] = (uint8_t)(ntp_lo >> 24); m[13] = (uint8_t)(ntp_lo >> 16);
		m[14] = (uint8_t)(ntp_lo >> 8); m[15] = (uint8_t)ntp_lo;
	}
	for (i = 0; i < rc; i++) {
		uint8_t *b = m + n + i * 24;
		int k;

		for (k = 0; k < 4; k++) {
			b[k] = (uint8_t)(blk[i][0] >> (24 - 8 * k));
			b[16 + k] = (uint8_t)(blk[i][1] >> (24 - 8 * k));
			b[20 + k] = (uint8_t)(blk[i][2] >> (24 - 8 * k));
		}
	}
	n += rc * 24;
	m[2] = (uint8_t)((n / 4 - 1) >> 8);
	m[3] = (uint8_t)(n / 4 - 1);
	return n;
}

static void test_rtcp(void)
{
	/* our SR: SSRC 0x11223344, NTP 0xE1234567.89ABCDEF, whose middle 32
	   bits are 0x456789AB; the far end (SSRC 0x55667788) reports on it
	   with DLSR 32768 (0.5 s) 540 ms after the SR passed the observer.
	   At most DLSR - 1 = 32767 units are taken off: 32767 / 65536 s =
	   499984.74 us, rounded down 499984 us; RTT = 540000 - 499984 =
	   40016 us (a naive 0.5 s gives 40000: 16 us too short at worst) */
	static const uint32_t ok[1][3] = { { 0x11223344, 0x456789AB, 32768 } };
	static const uint32_t wrong_ssrc[1][3] = { { 0x11223345, 0x456789AB, 32768 } };
	static const uint32_t wrong_lsr[1][3] = { { 0x11223344, 0x456789AC, 32768 } };
	static const uint32_t no_sr[1][3] = { { 0x11223344, 0, 0 } };
	static const uint32_t too_long[1][3] = { { 0x11223344, 0x456789AB, 39322 } };
	static const uint32_t zero[1][3] = { { 0x11223344, 0x456789AB, 0 } };
	static const uint32_t one[1][3] = { { 0x11223344, 0x456789AB, 1 } };
	uint8_t sr[64], rr[96];
	size_t n, m;
	struct cf_rtt r;
	uint32_t us;

	n = rtcp_part(sr, 200, 0x11223344, 0xE1234567, 0x89ABCDEF, 0, NULL);
	CHECK_INT(n, 28);
	CHECK_INT(cf_rtt_wanted(mk(17, 0, 0, sr, n)), 1);
	cf_rtt_reset(&r);
	CHECK_INT(feed(&r, mk(17, 1000000, 0, sr, n), 0, &us), -1);
	/* not the SR reported on: another SSRC, another LSR, no SR yet */
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, wrong_ssrc);
	CHECK_INT(feed(&r, mk(17, 1540000, 0, rr, m), 1, &us), -1);
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, wrong_lsr);
	CHECK_INT(feed(&r, mk(17, 1540000, 0, rr, m), 1, &us), -1);
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, no_sr);
	CHECK_INT(feed(&r, mk(17, 1540000, 0, rr, m), 1, &us), -1);
	/* a report from our own side is not the far end's */
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, ok);
	CHECK_INT(feed(&r, mk(17, 1540000, 0, rr, m), 0, &us), -1);
	/* the far end's RR, followed by an SDES part (a compound packet) */
	rr[m] = 0x81;
	rr[m + 1] = 202;
	rr[m + 2] = 0;
	rr[m + 3] = 1;
	memset(rr + m + 4, 0, 4);
	CHECK_INT(feed(&r, mk(17, 1540000, 0, rr, m + 8), 1, &us), 1);
	CHECK_INT(us, 40016);
	CHECK_INT(r.src[1], CF_RTT_RTCP);
	/* a DLSR longer than the time between the two: not timed */
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, too_long);   /* 0.6 s */
	CHECK_INT(feed(&r, mk(17, 1540000, 0, rr, m), 1, &us), -1);
	/* DLSR 0 and 1 take nothing off: 0 or 1 unit may be 0 us held */
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, zero);
	CHECK_INT(feed(&r, mk(17, 1030000, 0, rr, m), 1, &us), 1);
	CHECK_INT(us, 30000);
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, one);
	CHECK_INT(feed(&r, mk(17, 1029000, 0, rr, m), 1, &us), 1);
	CHECK_INT(us, 29000);
	CHECK_INT(cf_rtt_min(&r, 1), 29000);
	/* the far end's SR carrying the block (a sender reports too), and
	   reports on an SR held up to 30 s: 20.1 s later, DLSR 20 s
	   (1310720 units; 1310719 / 65536 s = 19999984.74 us, 19999984):
	   RTT 20100000 - 19999984 = 100016 us */
	{
		static const uint32_t late[1][3] = { { 0x11223344, 0x456789AB, 1310720 } };

		m = rtcp_part(rr, 200, 0x55667788, 1, 2, 1, late);
		CHECK_INT(m, 52);
		CHECK_INT(feed(&r, mk(17, 21100000, 0, rr, m), 1, &us), 1);
		CHECK_INT(us, 100016);
	}
	/* after 30 s the SR is forgotten */
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, ok);
	CHECK_INT(feed(&r, mk(17, 31000001, 0, rr, m), 1, &us), -1);
	/* a length beyond the datagram: not RTCP */
	cf_rtt_reset(&r);
	feed(&r, mk(17, 0, 0, sr, n), 0, &us);
	m = rtcp_part(rr, 201, 0x55667788, 0, 0, 1, ok);
	CHECK_INT(feed(&r, mk(17, 600000, 0, rr, m - 4), 1, &us), -1);
	/* an RTP packet is not RTCP */
	rr[1] = 96;
	CHECK_INT(cf_rtt_wanted(mk(17, 0, 0, rr, m)), 0);
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

/* The table grows from 4,096 entries as addresses come: 20,000 of them in
 * a table of 65,536 are all kept, each with its own samples, and walked
 * once each. */
static unsigned walked;
static uint64_t walked_us;

static void walk_one(const struct cf_rtt_addr *e, void *ctx)
{
	(void)ctx;
	walked++;
	walked_us += e->min_us;
}

static void test_table_grows(void)
{
	struct cf_rtt_table *t = cf_rtt_table_new(0);
	const struct cf_rtt_addr *e;
	struct cf_rtt_stats st;
	uint64_t sum = 0;
	unsigned i, lost = 0;
	cf_addr x;
	char s[48];

	CHECK(t != NULL);
	if (t == NULL)
		return;
	for (i = 0; i < 20000; i++) {
		snprintf(s, sizeof(s), i % 2 ? "10.%u.%u.1" : "2001:db8::%x:%x",
			 i / 256, i % 256);
		cf_addr_parse(s, &x);
		cf_rtt_table_add(t, &x, 1000 + i, CF_RTT_SYN, 10 + i);
		cf_rtt_table_add(t, &x, 5000000, CF_RTT_STUN, 20 + i);
		sum += 1000 + i;
	}
	for (i = 0; i < 20000; i++) {
		snprintf(s, sizeof(s), i % 2 ? "10.%u.%u.1" : "2001:db8::%x:%x",
			 i / 256, i % 256);
		cf_addr_parse(s, &x);
		e = cf_rtt_table_get(t, &x);
		if (e == NULL || e->min_us != 1000 + i || e->samples != 2 ||
		    e->src != CF_RTT_SYN || e->first_us != 10 + i ||
		    e->last_us != 20 + i)
			lost++;
	}
	CHECK_INT(lost, 0);
	cf_rtt_table_stats(t, &st);
	CHECK_INT(st.entries, 20000);
	CHECK_INT(st.capacity, 65536);
	CHECK_INT(st.replaced, 0);
	cf_rtt_table_foreach(t, walk_one, NULL);
	CHECK_INT(walked, 20000);
	CHECK_INT(walked_us, sum);
	cf_rtt_table_free(t);
}

/* The report's nearest list (cf_rtt_near_add): smallest first, bounded,
 * an address seen again folded in. */
static void test_near(void)
{
	struct cf_rtt_addr near[3], e;
	unsigned n = 0;
	static const struct { const char *ip; uint32_t us; } in[] = {
		{ "192.0.2.1", 9000 }, { "192.0.2.2", 4000 }, { "192.0.2.3", 7000 },
		{ "192.0.2.4", 8000 },     /* beyond the third: pushes 9 ms out */
		{ "192.0.2.5", 9500 },     /* not near enough */
		{ "192.0.2.1", 3000 },     /* back, nearer: now first */
	};
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		memset(&e, 0, sizeof(e));
		cf_addr_parse(in[i].ip, &e.addr);
		e.min_us = in[i].us;
		e.src = CF_RTT_STUN;
		e.used = 1;
		e.samples = 2;
		e.first_us = 100 + i;
		e.last_us = 200 + i;
		cf_rtt_near_add(near, &n, 3, &e);
	}
	CHECK_INT(n, 3);
	CHECK_INT(near[0].min_us, 3000);
	CHECK_INT(near[1].min_us, 4000);
	CHECK_INT(near[2].min_us, 7000);
	CHECK_INT(near[0].samples, 2);      /* 192.0.2.1's first entry had left */
	/* the same address again (another worker): folded, not listed twice */
	memset(&e, 0, sizeof(e));
	cf_addr_parse("192.0.2.2", &e.addr);
	e.min_us = 5000;
	e.samples = 3;
	e.first_us = 50;
	e.last_us = 900;
	cf_rtt_near_add(near, &n, 3, &e);
	CHECK_INT(n, 3);
	CHECK_INT(near[1].min_us, 4000);
	CHECK_INT(near[1].samples, 5);
	CHECK_INT(near[1].first_us, 50);
	CHECK_INT(near[1].last_us, 900);
}

int main(void)
{
	RUN(test_tcp);
	RUN(test_tls);
	RUN(test_dtls);
	RUN(test_stun);
	RUN(test_stun_many);
	RUN(test_sip);
	RUN(test_rtcp);
	RUN(test_table);
	RUN(test_table_grows);
	RUN(test_near);
	return harness_done();
}
