/*
 * test-calls.c - which call a flow belongs to (classify-call.c), from
 * packets built by hand and fed as the engine feeds them: every packet to
 * cf_classify_shared (the facts about other flows), then the flow's own
 * to cf_classify_packet.  And the recognisers' parts of it: the STUN
 * USERNAME's place and the SIP Call-ID's.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "classify/classify.h"
#include "classify/classify-int.h"
#include "classify/recog/recog.h"
#include "decode/decode.h"
#include "flow/flow.h"

struct buf {
	uint8_t b[2048];
	size_t n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void putn(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }

static struct cf_classifier *cls;
static uint64_t now_us = 1600000000000000ull;

static void flow_init(struct cf_flow *f, const char *a, uint16_t pa,
		      const char *b, uint16_t pb, uint8_t proto)
{
	memset(f, 0, sizeof(*f));
	cf_addr_parse(a, &f->ip[0]);
	cf_addr_parse(b, &f->ip[1]);
	f->port[0] = pa;
	f->port[1] = pb;
	f->proto = proto;
	f->ip_version = 4;
	f->local = -1;
	f->decided_rule = -1;
	f->first_us = now_us;
}

/* pl from end dir of f, shared facts first; the packet time moves by
 * step microseconds. */
static void feed(struct cf_flow *f, int dir, const struct buf *pl, uint64_t step)
{
	struct cf_packet p;

	memset(&p, 0, sizeof(p));
	p.src = f->ip[dir];
	p.dst = f->ip[!dir];
	p.sport = f->port[dir];
	p.dport = f->port[!dir];
	p.proto = f->proto;
	p.ip_version = 4;
	p.payload = pl->b;
	p.payload_len = (uint32_t)pl->n;
	p.ts_us = now_us += step;
	f->last_us = p.ts_us;
	f->pkts[dir]++;
	cf_classify_shared(cls, &p);
	if (f->cls.done != CF_DONE_FINAL)
		cf_classify_packet(cls, f, &p, dir);
}

/* A STUN Binding request (an ICE check when user is not NULL), or with
 * method 8 a CreatePermission naming peer (IPv4). */
static void stun(struct buf *b, unsigned type, const char *user, const char *peer,
		 uint16_t peer_port)
{
	size_t len_at;

	b->n = 0;
	put16(b, type);
	len_at = b->n;
	put16(b, 0);
	put8(b, 0x21); put8(b, 0x12); put8(b, 0xa4); put8(b, 0x42);
	putn(b, "tx-id-12byte", 12);
	if (user != NULL) {
		size_t n = strlen(user);

		put16(b, 0x0006);
		put16(b, (unsigned)n);
		putn(b, user, n);
		while (b->n % 4)
			put8(b, 0);
	}
	if (peer != NULL) {
		cf_addr a;
		const uint8_t *v4;

		cf_addr_parse(peer, &a);
		v4 = cf_addr_v4(&a);
		put16(b, 0x0012);
		put16(b, 8);
		put8(b, 0); put8(b, 1);
		put16(b, peer_port ^ 0x2112);
		put8(b, v4[0] ^ 0x21); put8(b, v4[1] ^ 0x12);
		put8(b, v4[2] ^ 0xa4); put8(b, v4[3] ^ 0x42);
	}
	b->b[len_at] = (uint8_t)((b->n - 20) >> 8);
	b->b[len_at + 1] = (uint8_t)(b->n - 20);
}

/* The same check inside TURN ChannelData 0x4000. */
static void channel(struct buf *b, const char *user)
{
	struct buf in;

	stun(&in, 0x0001, user, NULL, 0);
	b->n = 0;
	put16(b, 0x4000);
	put16(b, (unsigned)in.n);
	putn(b, in.b, in.n);
}

/* The same check in the DATA of a Send indication to peer 203.0.113.71. */
static void send_ind(struct buf *b, const char *user)
{
	struct buf in;

	stun(&in, 0x0001, user, NULL, 0);
	stun(b, 0x0016, NULL, "203.0.113.71", 40002);
	put16(b, 0x0013);
	put16(b, (unsigned)in.n);
	putn(b, in.b, in.n);
	b->b[2] = (uint8_t)((b->n - 20) >> 8);
	b->b[3] = (uint8_t)(b->n - 20);
}

static void text(struct buf *b, const char *s)
{
	b->n = 0;
	putn(b, s, strlen(s));
}

/* Both agents' checks name one pair, in either order: one call. */
static void test_ice_pair(void)
{
	struct cf_flow f, g;
	struct buf b;

	flow_init(&f, "10.0.0.5", 50010, "203.0.113.60", 50020, 17);
	stun(&b, 0x0001, "BBBB:AAAA", NULL, 0);
	feed(&f, 0, &b, 1000);
	CHECK(f.cls.call_key != 0);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_ICE);
	CHECK_STR(cf_call_by_name(f.cls.call_by), "ice-username");
	/* the other candidate pair of the same session, the other agent asking */
	flow_init(&g, "203.0.113.60", 50022, "10.0.0.5", 50012, 17);
	stun(&b, 0x0001, "AAAA:BBBB", NULL, 0);
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key == f.cls.call_key);
	/* another session */
	flow_init(&g, "10.0.0.6", 50014, "203.0.113.60", 50020, 17);
	stun(&b, 0x0001, "BBBB:AAAC", NULL, 0);
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key != 0 && g.cls.call_key != f.cls.call_key);
	/* a Binding without USERNAME between two unprivileged ports (no
	   server's) is no link of its own */
	flow_init(&g, "10.0.0.9", 40000, "198.51.100.61", 40002, 17);
	stun(&b, 0x0001, NULL, NULL, 0);
	feed(&g, 0, &b, 1000);
	CHECK_INT(g.cls.call_key, 0);
	cf_classify_finish(cls, &g);
	CHECK_INT(g.cls.call_key, 0);
}

/* A socket that asked a STUN server for its address (no check of its
 * own yet) links that socket's other flows - the stun-socket link - until
 * its first ICE check gives it the session's key. */
static void test_stun_socket(void)
{
	struct cf_flow f, g, h, k;
	struct buf b;
	uint64_t key;

	flow_init(&f, "10.0.1.5", 41000, "198.51.100.70", 3478, 17);
	stun(&b, 0x0001, NULL, NULL, 0);
	feed(&f, 0, &b, 1000);
	CHECK(f.cls.call_key != 0);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_STUN_SOCKET);
	CHECK_STR(cf_call_by_name(f.cls.call_by), "stun-socket");
	key = f.cls.call_key;
	/* the socket's peer-to-peer flow, bytes no recogniser knows */
	flow_init(&g, "10.0.1.5", 41000, "203.0.113.80", 45000, 17);
	text(&b, "\x1f\x02\x01 a peer's hello");
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key == key);
	CHECK_INT(g.cls.call_by, CF_CALL_BY_STUN_SOCKET);
	/* another socket of the same host: another key */
	flow_init(&h, "10.0.1.5", 41002, "198.51.100.70", 3478, 17);
	stun(&b, 0x0001, NULL, NULL, 0);
	feed(&h, 0, &b, 1000);
	CHECK(h.cls.call_key != 0 && h.cls.call_key != key);
	/* the socket's first ICE check: later flows take the session's key
	   (ice-socket), the earlier ones keep theirs (the call table merges
	   calls that share a socket) */
	flow_init(&h, "10.0.1.5", 41000, "203.0.113.81", 45002, 17);
	stun(&b, 0x0001, "R1:L1", NULL, 0);
	feed(&h, 0, &b, 1000);
	CHECK_INT(h.cls.call_by, CF_CALL_BY_ICE);
	flow_init(&k, "10.0.1.5", 41000, "198.51.100.71", 3478, 17);
	stun(&b, 0x0001, NULL, NULL, 0);
	feed(&k, 0, &b, 1000);
	CHECK(k.cls.call_key == h.cls.call_key);
	CHECK_INT(k.cls.call_by, CF_CALL_BY_SOCKET);
	CHECK(g.cls.call_key == key);
	/* an RFC 3489 Binding request (no magic cookie) to a STUN server */
	flow_init(&f, "10.0.1.6", 42000, "198.51.100.72", 3478, 17);
	stun(&b, 0x0001, NULL, NULL, 0);
	memset(b.b + 4, 0x5a, 4);      /* the cookie's place: transaction ID */
	put16(&b, 0x0003);             /* CHANGE-REQUEST, nothing changed */
	put16(&b, 4);
	put16(&b, 0);
	put16(&b, 0);
	b.b[3] = (uint8_t)(b.n - 20);
	feed(&f, 0, &b, 1000);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_STUN_SOCKET);
	/* a TURN allocation whose peer is relayed by the same server (the
	   other browser's relayed address): its permission names no session
	   until a check comes; then the allocation is the session's */
	flow_init(&f, "10.0.1.7", 43000, "198.51.100.75", 3478, 17);
	stun(&b, 0x0003, NULL, NULL, 0);                 /* Allocate */
	feed(&f, 0, &b, 1000);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_STUN_SOCKET);
	stun(&b, 0x0008, NULL, "198.51.100.75", 49152);  /* CreatePermission */
	feed(&f, 0, &b, 1000);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_STUN_SOCKET);
	channel(&b, "P1:Q1");
	feed(&f, 0, &b, 1000);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_ICE);
	/* a request from a server's port is no client socket */
	flow_init(&f, "198.51.100.73", 3478, "198.51.100.74", 3478, 17);
	stun(&b, 0x0001, NULL, NULL, 0);
	feed(&f, 0, &b, 1000);
	CHECK_INT(f.cls.call_key, 0);
}

/* The agent's socket links its flows without checks, while fresh; a
 * socket with checks of two sessions links nothing. */
static void test_socket(void)
{
	struct cf_flow f, g, h;
	struct buf b;

	flow_init(&f, "10.0.0.5", 51000, "203.0.113.61", 50020, 17);
	stun(&b, 0x0001, "X1:Y1", NULL, 0);
	feed(&f, 0, &b, 1000);
	flow_init(&g, "10.0.0.5", 51000, "198.51.100.61", 3478, 17);
	stun(&b, 0x0001, NULL, NULL, 0);
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key == f.cls.call_key);
	CHECK_INT(g.cls.call_by, CF_CALL_BY_SOCKET);
	/* the link lives 120 s after the socket's last check */
	now_us += CF_CALL_WEAK_US;     /* ten minutes later */
	flow_init(&h, "10.0.0.5", 51000, "198.51.100.62", 3478, 17);
	feed(&h, 0, &b, 1000);
	/* only the socket's own new request to a server: a new stun-socket */
	CHECK(h.cls.call_key != f.cls.call_key);
	CHECK_INT(h.cls.call_by, CF_CALL_BY_STUN_SOCKET);
	cf_classify_finish(cls, &h);
	/* a server's one port sending checks of two sessions */
	flow_init(&f, "203.0.113.62", 3480, "10.0.0.7", 52000, 17);
	stun(&b, 0x0001, "S1:C1", NULL, 0);
	feed(&f, 0, &b, 1000);
	flow_init(&g, "203.0.113.62", 3480, "10.0.0.8", 52000, 17);
	stun(&b, 0x0001, "S2:C2", NULL, 0);
	feed(&g, 0, &b, 1000);
	CHECK(f.cls.call_key != g.cls.call_key);
	flow_init(&h, "10.0.0.9", 52002, "203.0.113.62", 3480, 17);
	text(&b, "not stun at all, just bytes");
	feed(&h, 0, &b, 1000);
	cf_classify_finish(cls, &h);
	CHECK_INT(h.cls.call_key, 0);
}

/* Checks through a relay: the client's socket, not the server's. */
static void test_relay(void)
{
	struct cf_flow f, g, h;
	struct buf b;

	flow_init(&f, "10.0.0.5", 53000, "198.51.100.40", 3478, 17);
	stun(&b, 0x0008, NULL, "203.0.113.70", 40000);   /* CreatePermission */
	feed(&f, 0, &b, 1000);
	CHECK_INT(f.cls.call_key, 0);
	channel(&b, "R1:L1");                           /* a check inside ChannelData */
	feed(&f, 0, &b, 1000);
	CHECK(f.cls.call_key != 0);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_ICE);
	channel(&b, "L1:R1");                           /* the peer's, from the server */
	feed(&f, 1, &b, 1000);
	/* the client's direct flow to the peer joins as turn-peer */
	flow_init(&g, "10.0.0.5", 53002, "203.0.113.70", 40000, 17);
	text(&b, "some media-looking bytes");
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key == f.cls.call_key);
	CHECK_INT(g.cls.call_by, CF_CALL_BY_TURN_PEER);
	/* another client to the same peer: no link (not its allocation) */
	flow_init(&h, "10.0.0.6", 53004, "203.0.113.70", 40000, 17);
	feed(&h, 0, &b, 1000);
	cf_classify_finish(cls, &h);
	CHECK_INT(h.cls.call_key, 0);
	/* a Send indication carrying a check links the same way */
	flow_init(&g, "10.0.0.6", 53010, "198.51.100.41", 3478, 17);
	send_ind(&b, "L1:R1");
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key == f.cls.call_key);
	CHECK_INT(g.cls.call_by, CF_CALL_BY_ICE);
	/* nor another client to the TURN server's port (it is not a client socket) */
	flow_init(&h, "10.0.0.6", 53006, "198.51.100.40", 3478, 17);
	text(&b, "some media-looking bytes");
	feed(&h, 0, &b, 1000);
	cf_classify_finish(cls, &h);
	CHECK_INT(h.cls.call_key, 0);
}

/* SIP: the dialog's messages by Call-ID (long and compact), the media by
 * the SDP that announced it. */
static void test_sip(void)
{
	struct cf_flow f, g, h;
	struct buf b;

	flow_init(&f, "10.0.0.5", 5060, "198.51.100.20", 5060, 17);
	text(&b, "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5\r\n"
		 "Call-ID: abc123@10.0.0.5\r\nContent-Type: application/sdp\r\n\r\n"
		 "v=0\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 34000 RTP/AVP 0\r\n");
	feed(&f, 0, &b, 1000);
	CHECK(f.cls.call_key != 0);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_SIP);
	flow_init(&g, "10.0.0.5", 5070, "198.51.100.20", 5060, 17);
	text(&b, "BYE sip:bob@example.com SIP/2.0\r\ni :\t abc123@10.0.0.5 \r\n\r\n");
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key == f.cls.call_key);
	flow_init(&h, "10.0.0.5", 34000, "198.51.100.30", 44000, 17);
	b.n = 0;
	put8(&b, 0x80); put8(&b, 0); put16(&b, 1);
	putn(&b, "\0\0\0\1\0\0\0\2", 8);
	memset(b.b + b.n, 0x55, 160);
	b.n += 160;
	feed(&h, 0, &b, 20000);
	b.b[3] = 2;
	feed(&h, 0, &b, 20000);
	CHECK(h.cls.call_key == f.cls.call_key);
	CHECK_INT(h.cls.call_by, CF_CALL_BY_SDP);
	/* another dialog */
	flow_init(&g, "10.0.0.5", 5080, "198.51.100.20", 5060, 17);
	text(&b, "BYE sip:bob@example.com SIP/2.0\r\nCall-ID: other@10.0.0.5\r\n\r\n");
	feed(&g, 0, &b, 1000);
	CHECK(g.cls.call_key != 0 && g.cls.call_key != f.cls.call_key);
}

/* RTP and its RTCP on the ports above, at both ends: one call. */
static void test_rtp_pair(void)
{
	struct cf_flow f, g, h;
	struct buf b;
	int i;

	flow_init(&f, "10.0.0.5", 36000, "198.51.100.33", 46000, 17);
	for (i = 0; i < 3; i++) {
		b.n = 0;
		put8(&b, 0x80); put8(&b, 0); put16(&b, (unsigned)(10 + i));
		putn(&b, "\0\0\0\1\0\0\0\3", 8);
		memset(b.b + b.n, 0x55, 160);
		b.n += 160;
		feed(&f, 0, &b, 20000);
	}
	CHECK(f.cls.call_key != 0);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_RTP_PAIR);
	CHECK_STR(cf_call_by_name(f.cls.call_by), "rtp-rtcp");
	/* its RTCP (sender report), started by the other end */
	flow_init(&g, "198.51.100.33", 46001, "10.0.0.5", 36001, 17);
	for (i = 0; i < 3; i++) {
		b.n = 0;
		put8(&b, 0x80); put8(&b, 200); put16(&b, 6);
		putn(&b, "\0\0\0\3", 4);
		memset(b.b + b.n, 0x11, 20);
		b.n += 20;
		feed(&g, 0, &b, 1000000);
	}
	CHECK(g.cls.call_key == f.cls.call_key);
	/* RTP between other ports is another call; a mixed-parity pair none */
	flow_init(&h, "10.0.0.5", 36002, "198.51.100.33", 46000, 17);
	b.n = 0;
	put8(&b, 0x80); put8(&b, 0); put16(&b, 1);
	putn(&b, "\0\0\0\1\0\0\0\4", 8);
	memset(b.b + b.n, 0x55, 160);
	b.n += 160;
	feed(&h, 0, &b, 20000);
	b.b[3] = 2;
	feed(&h, 0, &b, 20000);
	CHECK(h.cls.call_key != 0 && h.cls.call_key != f.cls.call_key);
	flow_init(&h, "10.0.0.5", 36003, "198.51.100.33", 46000, 17);
	b.b[3] = 1;
	feed(&h, 0, &b, 20000);
	b.b[3] = 2;
	feed(&h, 0, &b, 20000);
	cf_classify_finish(cls, &h);
	CHECK(h.cls.call_by != CF_CALL_BY_RTP_PAIR);
}

/* The weak link: only for a named call app's flows without a link. */
static void test_weak(void)
{
	struct cf_flow f, g;

	flow_init(&f, "10.0.0.5", 1, "198.51.100.1", 2, 6);
	f.cls.is_call = 1;
	cf_class_set_app(&f.cls, "zoom");
	cf_classify_call_weak(&f, 0);
	CHECK(f.cls.call_key != 0);
	CHECK_INT(f.cls.call_by, CF_CALL_BY_TIME);
	g = f;
	g.cls.call_key = 0;
	g.port[0] = 3;
	cf_classify_call_weak(&g, 0);
	CHECK(g.cls.call_key == f.cls.call_key);      /* same host, app, minutes */
	/* its app from a name the host resolved before: the same key, said so */
	g.cls.call_key = 0;
	g.cls.seen |= CF_SEEN_DNS_HOST;
	cf_classify_call_weak(&g, 0);
	CHECK(g.cls.call_key == f.cls.call_key);
	CHECK_INT(g.cls.call_by, CF_CALL_BY_DNS);
	CHECK_STR(cf_call_by_name(g.cls.call_by), "dns-name");
	CHECK_STR(cf_call_by_name(CF_CALL_BY_SERVER), "server");
	g.cls.seen &= ~CF_SEEN_DNS_HOST;
	g.cls.call_key = 0;
	g.first_us += CF_CALL_WEAK_US;
	cf_classify_call_weak(&g, 0);
	CHECK(g.cls.call_key != f.cls.call_key);      /* the next ten minutes */
	g.cls.call_key = 0;
	g.first_us = f.first_us;
	cf_class_set_app(&g.cls, "webrtc");
	cf_classify_call_weak(&g, 0);
	CHECK_INT(g.cls.call_key, 0);                 /* a generic protocol */
	CHECK(cf_call_app_generic("sip") && !cf_call_app_generic("signal"));
}

/* Where the recognisers say the USERNAME and the Call-ID are. */
static void test_recog_parts(void)
{
	struct cf_stun_info si;
	struct cf_sip_info sp;
	struct buf b;

	stun(&b, 0x0001, "frag1:frag22", NULL, 0);
	CHECK_INT(cf_recog_stun(b.b, b.n, 0, &si), CF_REC_YES);
	CHECK_INT(si.user_len, 12);
	CHECK(memcmp(b.b + si.user_off, "frag1:frag22", 12) == 0);
	text(&b, "SIP/2.0 180 Ringing\r\nVia: x\r\nCALL-ID:  id-1@h \r\n\r\n");
	CHECK_INT(cf_recog_sip(b.b, b.n, &sp), CF_REC_YES);
	CHECK_INT(sp.call_id_len, 6);
	CHECK(memcmp(b.b + sp.call_id_off, "id-1@h", 6) == 0);
	/* a header that only starts like it, and a body line, are not it */
	text(&b, "SIP/2.0 200 OK\r\nCall-Info: <x>\r\n\r\nCall-ID: body\r\n");
	CHECK_INT(cf_recog_sip(b.b, b.n, &sp), CF_REC_YES);
	CHECK_INT(sp.call_id_len, 0);
}

int main(void)
{
	char err[256];

	cls = cf_classifier_new(NULL, err, sizeof(err));
	if (cls == NULL) {
		fprintf(stderr, "test-calls: %s\n", err);
		return 1;
	}
	RUN(test_ice_pair);
	RUN(test_socket);
	RUN(test_stun_socket);
	RUN(test_relay);
	RUN(test_sip);
	RUN(test_rtp_pair);
	RUN(test_weak);
	RUN(test_recog_parts);
	cf_classifier_free(cls);
	return harness_done();
}
