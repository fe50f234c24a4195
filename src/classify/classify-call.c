/*
 * classify-call.c - which call a flow belongs to.
 *
 * A media flow's bytes rarely say whose call it is; the call's other
 * flows do.  What ties them on the wire (strongest first, enum
 * cf_call_by in classify.h):
 *
 *   ice-username   the flow's own ICE connectivity checks: a STUN Binding
 *                  request's USERNAME is "RFRAG:LFRAG" (RFC 8445 section
 *                  7.2.2), the two ICE usernames of the session.  Both
 *                  agents' checks name the same pair (in the other
 *                  order), so the key is made from the pair sorted.
 *                  Checks sent through a TURN relay (inside ChannelData,
 *                  RFC 8656 section 12, or the DATA of a Send or Data
 *                  indication, section 11) count on the relay's flow.
 *   sip-call-id    the flow's own SIP messages' Call-ID (RFC 3261 section
 *                  20.8): every message of a dialog carries it.
 *   h245           the flow is an H.245 channel (ITU-T H.245, over TCP,
 *                  one per H.323 call) that announced media ends: the key
 *                  is made from its two ends.
 *   sdp            an end of the flow was announced by a SIP message's
 *                  SDP (c=, m=) that carried that Call-ID.
 *   announced      an end of the flow was announced by an H.245
 *                  OpenLogicalChannelAck on such a channel.
 *   ice-socket     an end of the flow is a UDP socket that sent the call's
 *                  ICE checks: an agent gathers its host, server-reflexive
 *                  and relayed candidates from one socket, so its STUN
 *                  and TURN flows without checks of their own join.
 *   turn-peer      the far end of the flow is a peer a TURN allocation of
 *                  the call was given permission to (CreatePermission or
 *                  ChannelBind, XOR-PEER-ADDRESS), and the near end is that
 *                  allocation's client address.
 *   rtp-rtcp       an RTP flow and its RTCP flow: RFC 3550 section 11 puts
 *                  RTCP on the port above RTP's (RTP even), at both ends,
 *                  so the two flows share one key made from the ends with
 *                  the ports' last bit cleared - from the flow alone.
 *   stun-socket    an end of the flow is a UDP socket that asked a STUN or
 *                  TURN server for its address or a relay (a Binding
 *                  request without USERNAME, an Allocate request; an app
 *                  relay's equivalent: a Telegram reflector's "who am I",
 *                  Discord's IP discovery) and sent no ICE check yet: the socket an app gathers its
 *                  candidates from carries that session's other flows
 *                  (Zoom's peer-to-peer media, a relay on port 443).  The
 *                  key is made from the socket and the time it was first
 *                  seen; the socket's first ICE check replaces it (the
 *                  ice-socket link), and the call table merges the two
 *                  calls (calls.c).  Weaker than a port pair.
 *   dns-name       the time link (below, the same key) for a flow whose
 *                  app came from a name the local host resolved just
 *                  before (the DNS cache's answer for its far end).
 *   server         (calls only, calls.c) two of the call's flows joined
 *                  by the time link share their remote server: Zoom's
 *                  multimedia router takes the meeting's TLS and its
 *                  media on one address.
 *   time           the weakest, a guess stated as such: the same local
 *                  host with the same call app in the same ten minutes
 *                  (cf_classify_call_weak; the engine asks, it knows
 *                  which end is local).
 *
 * The links between flows (sockets, peers, announcements) are facts about
 * other flows: they are learnt from the packets every worker sees
 * (cf_classify_shared: with --threads the reader hands ICE checks and TURN
 * permission requests to every worker, as it does SIP and DNS), in packet
 * order, so every worker holds the same tables at the same packet and a
 * flow finds the same call whichever worker owns it.  A key is a hash of
 * what was seen (never a counter), so it is the same in every worker too.
 *
 * The tables are fixed arrays in the classifier (open addressing,
 * CF_CALL_PROBES probes, the oldest entry of the probe window replaced
 * when all are live: counted in call_links_evicted); an entry lives
 * CF_CALL_LINK_US after its last sight (ICE consent checks, every few
 * seconds in a call, keep a socket's alive).  A socket seen with checks
 * of two different sessions within that time (a server's one port
 * shared by many calls) is marked shared and links nothing: a missed
 * link is better than two calls made one.
 */
#include "config.h"

#include <string.h>

#include "classify/classify-int.h"
#include "decode/decode.h"
#include "classify/recog/recog.h"
#include "flow/flow.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define STUN_COOKIE_0 0x21
#define STUN_HDR 20
#define CHANNEL_HDR 4

/* cls.call_by is 3 bits (util/class.h) */
_Static_assert(CF_CALL_BY_TIME < 16, "enum cf_call_by outgrew cls.call_by");

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

static uint64_t finish(uint64_t h)
{
	h = cf_mix64(h);
	return h != 0 ? h : 1;
}

const char *cf_call_by_name(unsigned by)
{
	static const char *const names[] = {
		"", "ice-username", "sip-call-id", "h245", "sdp", "announced",
		"ice-socket", "turn-peer", "rtp-rtcp", "stun-socket", "dns-name",
		"server", "time"
	};

	return by < sizeof(names) / sizeof(names[0]) ? names[by] : "";
}

/* "A:B" and "B:A" give one key; a username without ':' is taken whole. */
static uint64_t ice_key(const uint8_t *u, size_t n)
{
	const uint8_t *colon = memchr(u, ':', n), *a = u, *b;
	size_t la, lb, m;
	uint64_t h = fnv(FNV_OFFSET, "ice", 3);
	int cmp;

	if (colon == NULL)
		return finish(fnv(h, u, n));
	la = (size_t)(colon - u);
	b = colon + 1;
	lb = n - la - 1;
	m = la < lb ? la : lb;
	cmp = memcmp(a, b, m);
	if (cmp > 0 || (cmp == 0 && la > lb)) {
		const uint8_t *t = a;
		size_t tl = la;

		a = b, la = lb, b = t, lb = tl;
	}
	h = fnv(h, a, la);
	h = fnv(h, ":", 1);
	return finish(fnv(h, b, lb));
}

uint64_t cf_call_pair_key(const char *what, const cf_addr *a, uint16_t pa,
			  const cf_addr *b, uint16_t pb)
{
	uint64_t h = fnv(FNV_OFFSET, what, strlen(what));
	int c = cf_addr_cmp(a, b);

	if (c > 0 || (c == 0 && pa > pb)) {
		const cf_addr *t = a;
		uint16_t tp = pa;

		a = b, pa = pb, b = t, pb = tp;
	}
	h = fnv(h, a->b, sizeof(a->b));
	h = fnv(h, &pa, sizeof(pa));
	h = fnv(h, b->b, sizeof(b->b));
	h = fnv(h, &pb, sizeof(pb));
	return finish(h);
}

uint64_t cf_call_sip_key(const uint8_t *p, const struct cf_sip_info *si)
{
	if (si->call_id_len == 0)
		return 0;
	return finish(fnv(fnv(FNV_OFFSET, "sip", 3), p + si->call_id_off,
			  si->call_id_len));
}

static int cookie_at(const uint8_t *p, size_t len, size_t off)
{
	return len >= off + 4 && p[off] == STUN_COOKIE_0 && p[off + 1] == 0x12 &&
	       p[off + 2] == 0xa4 && p[off + 3] == 0x42;
}

/* A TURN server's port (RFC 8656: 3478, 5349; the web ports; Google's
 * 19302-19309): the end of a relay flow that is not the client. */
int cf_call_server_port(uint16_t port)
{
	return port == 3478 || port == 3479 || port == 5349 || port == 443 ||
	       port == 80 || (port >= 19302 && port <= 19309);
}

/*
 * A client socket asking an app's relay who it is, as a STUN Binding asks
 * a STUN server (the stun-socket link): a Telegram reflector's "who am I"
 * request (its peer tag, twelve 0xFF octets and a type, to the
 * reflector's port 500-599: recog-apps.c) or Discord's IP discovery
 * request, from an unprivileged port.
 */
static int app_server_request(const struct cf_packet *pkt)
{
	uint32_t type;
	int kind;

	if (pkt->proto != 17 || pkt->sport < 1024 || pkt->payload_len < 32)
		return 0;
	if (pkt->dport >= 500 && pkt->dport <= 599)
		return cf_recog_tg_reflector(pkt->payload, pkt->payload_len, &type) ==
		       CF_REC_YES;
	return pkt->payload_len == 74 &&
	       cf_recog_discord(pkt->payload, pkt->payload_len, &kind) == CF_REC_YES &&
	       kind == CF_DISCORD_IPD_REQUEST;
}

int cf_call_is_shared(const struct cf_packet *pkt)
{
	const uint8_t *p = pkt->payload;
	size_t n = pkt->payload_len;

	if (pkt->proto != 17 || p == NULL || n < STUN_HDR)
		return 0;
	if (app_server_request(pkt))
		return 1;
	if (p[0] == 0 && (p[1] == 0x01 || p[1] == 0x03 || p[1] == 0x08 || p[1] == 0x09)) {
		if (cookie_at(p, n, 4))
			return 1;      /* Binding, Allocate, CreatePermission, ChannelBind requests */
		/* an RFC 3489 Binding request (no magic cookie) to a STUN
		   server's port, its length the rest of the datagram */
		return p[1] == 0x01 && cf_call_server_port(pkt->dport) &&
		       (size_t)((p[2] << 8) | p[3]) == n - STUN_HDR && (p[3] & 3) == 0;
	}
	/* Send and Data indications whose DATA is a Binding request: the
	   DATA attribute follows XOR-PEER-ADDRESS (IPv4: at 32, IPv6: at 44),
	   the inner message's cookie 4 bytes into it */
	if (p[0] == 0 && (p[1] == 0x16 || p[1] == 0x17))
		return cookie_at(p, n, 4) &&
		       ((cookie_at(p, n, 40) && n > 37 && p[36] == 0 && p[37] == 0x01) ||
			(cookie_at(p, n, 52) && n > 49 && p[48] == 0 && p[49] == 0x01));
	return p[0] >= 0x40 && p[0] <= 0x4f && p[CHANNEL_HDR] == 0 &&
	       p[CHANNEL_HDR + 1] == 0x01 && cookie_at(p, n, CHANNEL_HDR + 4);
}

/*
 * The ICE key of a Binding request with a USERNAME in p: directly, or
 * (*relayed set) inside TURN ChannelData or a Send/Data indication.  0 none.
 */
static uint64_t check_key(const uint8_t *p, size_t len, int *relayed)
{
	struct cf_stun_info si, in;

	*relayed = 0;
	if (cf_recog_stun(p, len, 0, &si) != CF_REC_YES)
		return 0;
	if ((si.is_channel_data ||
	     (si.cls == 1 && (si.method == CF_STUN_SEND || si.method == CF_STUN_DATA))) &&
	    si.has_data && si.data_off <= len && si.data_len <= len - si.data_off) {
		if (cf_recog_stun(p + si.data_off, si.data_len, 0, &in) != CF_REC_YES)
			return 0;
		*relayed = 1;
		p += si.data_off;
		si = in;
	}
	if (si.is_channel_data || si.method != CF_STUN_BINDING || si.cls != 0 ||
	    si.user_len == 0)
		return 0;
	return ice_key(p + si.user_off, si.user_len);
}

/* --- the socket and peer tables -------------------------------------- */

static uint32_t slot_of(const cf_addr *a, uint16_t port, uint32_t mask)
{
	return (uint32_t)cf_mix64(cf_addr_hash(a, port) ^ ((uint64_t)port << 32)) & mask;
}

static int live(uint64_t seen_us, uint64_t ts_us)
{
	return seen_us != 0 && ts_us <= seen_us + CF_CALL_LINK_US;
}

static struct cf_call_sock *sock_find(struct cf_classifier *c, const cf_addr *a,
				      uint16_t port, uint64_t ts_us)
{
	uint32_t i, k;
	struct cf_call_sock *s;

	if (!live(c->call_sock_last_us, ts_us))
		return NULL;            /* nothing put in the links' life */
	k = slot_of(a, port, CF_CALL_SOCKS - 1);
	for (i = 0; i < CF_CALL_PROBES; i++) {
		s = &c->call_sock[(k + i) & (CF_CALL_SOCKS - 1)];
		if (live(s->seen_us, ts_us) && s->port == port && cf_addr_eq(&s->ip, a))
			return s;
	}
	return NULL;
}

/* Note socket (a, port) with key; server_only: from a request to a STUN
 * or TURN server (key made here), else from an ICE check of session key. */
static void sock_put(struct cf_classifier *c, const cf_addr *a, uint16_t port,
		     uint64_t key, int server_only, uint64_t ts_us)
{
	struct cf_call_sock *s = sock_find(c, a, port, ts_us), *old = NULL;
	uint32_t i, k;

	if (s != NULL) {
		if (!server_only && s->server_only) {
			s->key = key;   /* its first ICE check: the session's key */
			s->server_only = 0;
		} else if (!server_only && s->key != key)
			s->shared = 1;
		s->seen_us = ts_us ? ts_us : 1;
		if (s->seen_us > c->call_sock_last_us)
			c->call_sock_last_us = s->seen_us;
		return;
	}
	if (server_only) {
		uint64_t h = fnv(FNV_OFFSET, "sock", 4);

		h = fnv(h, a->b, sizeof(a->b));
		h = fnv(h, &port, sizeof(port));
		key = finish(fnv(h, &ts_us, sizeof(ts_us)));
	}
	k = slot_of(a, port, CF_CALL_SOCKS - 1);
	for (i = 0; i < CF_CALL_PROBES; i++) {
		s = &c->call_sock[(k + i) & (CF_CALL_SOCKS - 1)];
		if (!live(s->seen_us, ts_us))
			break;
		if (old == NULL || s->seen_us < old->seen_us)
			old = s;
		s = NULL;
	}
	if (s == NULL) {
		s = old;
		c->st.call_links_evicted++;
	}
	s->ip = *a;
	s->port = port;
	s->shared = 0;
	s->server_only = (uint8_t)server_only;
	s->key = key;
	s->seen_us = ts_us ? ts_us : 1;
	if (s->seen_us > c->call_sock_last_us)
		c->call_sock_last_us = s->seen_us;
}

/* The call of socket (a, port), 0 none; *server_only: a stun-socket link. */
static uint64_t sock_key(struct cf_classifier *c, const cf_addr *a, uint16_t port,
			 uint64_t ts_us, int *server_only)
{
	const struct cf_call_sock *s = sock_find(c, a, port, ts_us);

	*server_only = s != NULL && s->server_only;
	return s != NULL && !s->shared ? s->key : 0;
}

/* A peer's entries are found by (peer, client address): the flow that
 * looks does not know the client's port. */
static uint32_t peer_slot(const cf_addr *peer, const cf_addr *client)
{
	return (slot_of(peer, 0, CF_CALL_PEERS - 1) ^
		(cf_addr_hash(client, 0) & (CF_CALL_PEERS - 1)));
}

static void peer_put(struct cf_classifier *c, const cf_addr *peer,
		     const cf_addr *client, uint16_t client_port, uint64_t ts_us)
{
	uint32_t i, k = peer_slot(peer, client);
	struct cf_call_peer *p, *old = NULL;

	for (i = 0; i < CF_CALL_PROBES; i++) {
		p = &c->call_peer[(k + i) & (CF_CALL_PEERS - 1)];
		if (!live(p->seen_us, ts_us) ||
		    (cf_addr_eq(&p->peer, peer) && cf_addr_eq(&p->client, client) &&
		     p->client_port == client_port))
			break;
		if (old == NULL || p->seen_us < old->seen_us)
			old = p;
		p = NULL;
	}
	if (p == NULL) {
		p = old;
		c->st.call_links_evicted++;
	}
	p->peer = *peer;
	p->client = *client;
	p->client_port = client_port;
	p->seen_us = ts_us ? ts_us : 1;
	if (p->seen_us > c->call_peer_last_us)
		c->call_peer_last_us = p->seen_us;
}

/* The call of a TURN allocation whose client (address client) was given
 * permission to peer. */
static uint64_t peer_key(struct cf_classifier *c, const cf_addr *peer,
			 const cf_addr *client, uint64_t ts_us)
{
	const struct cf_call_peer *p;
	uint32_t i, k;
	uint64_t key;
	int server_only;

	if (!live(c->call_peer_last_us, ts_us))
		return 0;               /* nothing put in the links' life */
	k = peer_slot(peer, client);
	for (i = 0; i < CF_CALL_PROBES; i++) {
		p = &c->call_peer[(k + i) & (CF_CALL_PEERS - 1)];
		if (!live(p->seen_us, ts_us) || !cf_addr_eq(&p->peer, peer) ||
		    !cf_addr_eq(&p->client, client))
			continue;
		/* the allocation's session, from its ICE checks (a socket
		   known only from its requests to servers names no session) */
		key = sock_key(c, &p->client, p->client_port, ts_us, &server_only);
		if (key != 0 && !server_only)
			return key;
	}
	return 0;
}

void cf_call_learn(struct cf_classifier *c, const struct cf_packet *pkt)
{
	struct cf_stun_info si;
	uint64_t key;
	int relayed;

	if (app_server_request(pkt)) {
		sock_put(c, &pkt->src, pkt->sport, 0, 1, pkt->ts_us);
		return;
	}
	key = check_key(pkt->payload, pkt->payload_len, &relayed);
	if (key != 0) {
		/* through a relay both ways carry checks: the client's end is
		   the one that is not the server's */
		if (!relayed || (!cf_call_server_port(pkt->sport) &&
				 cf_call_server_port(pkt->dport)))
			sock_put(c, &pkt->src, pkt->sport, key, 0, pkt->ts_us);
		return;
	}
	if (cf_recog_stun(pkt->payload, pkt->payload_len, 0, &si) != CF_REC_YES ||
	    si.is_channel_data || si.cls != 0)
		return;
	if (si.peer.present &&
	    (si.method == CF_STUN_CREATE_PERM || si.method == CF_STUN_CHANNEL_BIND))
		peer_put(c, &si.peer.ip, &pkt->src, pkt->sport, pkt->ts_us);
	/* a client socket asking a server for its address or a relay */
	else if (((si.method == CF_STUN_BINDING && si.user_len == 0) ||
		  si.method == CF_STUN_ALLOCATE) && pkt->proto == 17 &&
		 cf_call_server_port(pkt->dport) && !cf_call_server_port(pkt->sport) &&
		 pkt->sport >= 1024)
		sock_put(c, &pkt->src, pkt->sport, 0, 1, pkt->ts_us);
}

/* --- a flow's call ------------------------------------------------------- */

static void set_call(struct cf_flow *f, uint64_t key, unsigned by)
{
	f->cls.call_key = key;
	f->cls.call_by = (uint8_t)by;
}

/* What the flow's own payload says: its ICE checks, its SIP Call-ID. */
static void own_links(struct cf_flow *f, const struct cf_packet *pkt)
{
	struct cf_sip_info si;
	uint64_t key;
	int relayed;

	if (pkt->payload == NULL || pkt->payload_len == 0)
		return;
	if (pkt->proto == 17 && pkt->payload_len >= STUN_HDR &&
	    (pkt->payload[0] <= 1 || (pkt->payload[0] >= 0x40 && pkt->payload[0] <= 0x4f))) {
		key = check_key(pkt->payload, pkt->payload_len, &relayed);
		if (key != 0) {
			set_call(f, key, CF_CALL_BY_ICE);
			return;
		}
	}
	if (pkt->proto == 6 && (key = cf_rooms_channel_key(pkt)) != 0) {
		set_call(f, key, CF_CALL_BY_H245);
		return;
	}
	if (pkt->payload[0] >= 'A' && pkt->payload[0] <= 'Z' &&
	    (f->cls.seen & CF_SEEN_SIP) &&
	    cf_recog_sip(pkt->payload, pkt->payload_len, &si) == CF_REC_YES &&
	    (key = cf_call_sip_key(pkt->payload, &si)) != 0)
		set_call(f, key, CF_CALL_BY_SIP);
}

/* RTP or RTCP between two ports of one parity (RTP even, its RTCP the
 * odd port above, at both ends; unprivileged ports, no STUN or TURN
 * server's port, no STUN on the flow: ICE multiplexes RTCP on one flow):
 * the key of the pair, made from the ends with the last bit of each port
 * cleared, in order.  0 otherwise. */
static uint64_t rtp_pair_key(const struct cf_flow *f)
{
	uint16_t p0 = f->port[0] & 0xfffe, p1 = f->port[1] & 0xfffe;
	int first = 0, c;
	uint64_t h;

	if (!(f->cls.seen & (CF_SEEN_RTP | CF_SEEN_RTCP)) ||
	    (f->cls.seen & CF_SEEN_STUN) || f->cls.has_relay_peer ||
	    cf_call_server_port(f->port[0]) || cf_call_server_port(f->port[1]) ||
	    (f->port[0] & 1) != (f->port[1] & 1) || p0 < 1024 || p1 < 1024)
		return 0;
	c = cf_addr_cmp(&f->ip[0], &f->ip[1]);
	if (c > 0 || (c == 0 && p0 > p1))
		first = 1;
	h = fnv(FNV_OFFSET, "rtp", 3);
	h = fnv(h, f->ip[first].b, sizeof(f->ip[first].b));
	h = fnv(h, first ? &p1 : &p0, 2);
	h = fnv(h, f->ip[!first].b, sizeof(f->ip[!first].b));
	h = fnv(h, first ? &p0 : &p1, 2);
	return finish(h);
}

/* What other flows said about its ends. */
static void cross_links(struct cf_classifier *c, struct cf_flow *f, uint64_t ts_us)
{
	uint64_t key, sk[2];
	int i, kind, weak_of[2];

	if (f->proto != 17)
		return;
	if ((key = cf_sdp_call(c, f, ts_us, &kind)) != 0) {
		set_call(f, key, kind == CF_ANN_SIP ? CF_CALL_BY_SDP : CF_CALL_BY_ANNOUNCED);
		return;
	}
	/* each end's socket looked up once, for the strong link and the weak */
	for (i = 0; i < 2; i++)
		sk[i] = sock_key(c, &f->ip[i], f->port[i], ts_us, &weak_of[i]);
	for (i = 0; i < 2; i++)
		if (sk[i] != 0 && !weak_of[i]) {
			set_call(f, sk[i], CF_CALL_BY_SOCKET);
			return;
		}
	for (i = 0; i < 2; i++)
		if ((key = peer_key(c, &f->ip[i], &f->ip[!i], ts_us)) != 0) {
			set_call(f, key, CF_CALL_BY_TURN_PEER);
			return;
		}
	if ((f->cls.call_key == 0 || f->cls.call_by >= CF_CALL_BY_DNS) &&
	    (key = rtp_pair_key(f)) != 0) {
		set_call(f, key, CF_CALL_BY_RTP_PAIR);
		return;
	}
	if (f->cls.call_key != 0 && f->cls.call_by < CF_CALL_BY_DNS)
		return;
	for (i = 0; i < 2; i++)
		if (sk[i] != 0 && weak_of[i]) {
			set_call(f, sk[i], CF_CALL_BY_STUN_SOCKET);
			return;
		}
}

void cf_call_flow(struct cf_classifier *c, struct cf_flow *f,
		  const struct cf_packet *pkt, uint64_t ts_us)
{
	/* a call once found stays (the events already name it); the weak
	   guess and the port pair give way to what other flows show */
	if (f->cls.call_key != 0 && f->cls.call_by < CF_CALL_BY_RTP_PAIR)
		return;
	if (pkt != NULL)
		own_links(f, pkt);
	if (f->cls.call_key == 0 || f->cls.call_by >= CF_CALL_BY_RTP_PAIR)
		cross_links(c, f, ts_us);
}

/* --- the weak link ------------------------------------------------------ */

int cf_call_app_generic(const char *app)
{
	static const char *const generic[] = {
		"", "unknown", "webrtc", "sip", "rtp", "rtcp", "srtp", "stun",
		"turn", "dtls", "h323", "mgcp", "sccp", "iax2", "bfcp", "zrtp"
	};
	size_t i;

	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (strcmp(app, generic[i]) == 0)
			return 1;
	return 0;
}

void cf_classify_call_weak(struct cf_flow *f, int local)
{
	const char *app = cf_class_app(&f->cls);
	uint64_t h, bucket;

	if (f->cls.call_key != 0 || local < 0 || local > 1 || !f->cls.is_call ||
	    cf_call_app_generic(app))
		return;
	bucket = f->first_us / CF_CALL_WEAK_US;
	h = fnv(FNV_OFFSET, "time", 4);
	h = fnv(h, f->ip[local].b, sizeof(f->ip[local].b));
	h = fnv(h, app, strlen(app));
	h = fnv(h, &bucket, sizeof(bucket));
	/* the same key either way: a name the host resolved just before
	   (the DNS cache) named the app - a stronger guess, stated as such */
	set_call(f, finish(h), (f->cls.seen & (CF_SEEN_DNS_HOST | CF_SEEN_TLS_SNI)) ==
			       CF_SEEN_DNS_HOST ? CF_CALL_BY_DNS : CF_CALL_BY_TIME);
}
