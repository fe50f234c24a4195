/*
 * classify-wire.c - the facts a flow's payloads establish, gathered from
 * the wire recognisers (recog-*.c) into cls.seen, cls.host and the
 * relay peer.  classify.c turns the facts into a verdict.
 *
 * UDP payloads are demultiplexed by their first byte (RFC 7983, RFC
 * 9443).  TCP payloads are read for a TLS hello and SIP; a ClientHello cut
 * by the end of a segment is reassembled in one of the classifier's
 * CF_REASM_SLOTS buffers (the first CF_REASM_MAX bytes of the client's
 * stream, segments taken in arrival order: there is no TCP sequence
 * number here, so out-of-order segments spoil the hello - it then parses
 * as garbage and no SNI is taken; an identical resent segment is
 * skipped).  Which hellos nDPI is given beside callfence's reading of
 * them (cf_hello_for_ndpi, cf_hello_nameless) is decided here too.
 */
#include "config.h"

#include <string.h>

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "classify/classify-ndpi.h"
#include "decode/decode.h"
#include "util/cursor.h"
#include "flow/flow.h"
#include "classify/recog/recog.h"

/* RTP confirmation: the repeat's sequence number is 1..this ahead. */
#define RTP_SEQ_WINDOW 512

static int is_zoom_port(uint16_t port)
{
	return port >= CF_ZOOM_PORT_MIN && port <= CF_ZOOM_PORT_MAX;
}

/* Packets of other SSRCs a direction's candidate outlives. */
#define RTP_MISSES_KEPT 3

/*
 * RTP/RTCP: a direction is media once it repeats an SSRC, RTP with a
 * sequence number a little ahead (so a repeated DNS query or other
 * lookalike with fixed bytes does not pass); a compound RTCP datagram
 * that walks out exactly is enough on its own.  Several streams may
 * share a direction (audio and video, simulcast layers, a conference
 * mix: Discord interleaves two): a candidate SSRC stays through up to
 * RTP_MISSES_KEPT packets of other SSRCs (a two-bit count per direction
 * in cls.seen) before the next one takes its place, so interleaved
 * streams still show their repeats - with no more state per flow.
 */
static void rtp_fact(struct cf_class *cls, const struct cf_rtp_info *ri, int dir)
{
	uint32_t cand = dir ? CF_SEEN_RTP_CAND1 : CF_SEEN_RTP_CAND0;
	unsigned shift = CF_SEEN_RTP_MISS_SHIFT + 2u * (unsigned)dir;
	unsigned misses = (cls->seen >> shift) & 3u;
	uint16_t ahead = (uint16_t)(ri->seq - cls->rtp_seq[dir]);

	if (ri->is_rtcp && ri->exact) {
		cls->seen |= CF_SEEN_RTCP;
		return;
	}
	if ((cls->seen & cand) && cls->rtp_ssrc[dir] != ri->ssrc &&
	    misses < RTP_MISSES_KEPT) {
		cls->seen = (cls->seen & ~(3u << shift)) | ((misses + 1u) << shift);
		return;                         /* another stream: keep the candidate */
	}
	if ((cls->seen & cand) && cls->rtp_ssrc[dir] == ri->ssrc) {
		if (ri->is_rtcp)
			cls->seen |= CF_SEEN_RTCP;
		else if (ahead >= 1 && ahead <= RTP_SEQ_WINDOW)
			cls->seen |= CF_SEEN_RTP;
	}
	cls->rtp_ssrc[dir] = ri->ssrc;
	if (!ri->is_rtcp)
		cls->rtp_seq[dir] = ri->seq;
	cls->seen = (cls->seen & ~(3u << shift)) | cand;
}

static void zoom_fact(struct cf_class *cls, const struct cf_zoom_info *zi)
{
	static const uint32_t kind_bit[] = {
		[CF_ZOOM_AUDIO] = CF_SEEN_ZOOM_AUDIO,
		[CF_ZOOM_VIDEO] = CF_SEEN_ZOOM_VIDEO,
		[CF_ZOOM_SCREEN] = CF_SEEN_ZOOM_SCREEN,
		[CF_ZOOM_RTCP] = CF_SEEN_ZOOM_RTCP,
		[CF_ZOOM_OTHER] = 0,
	};

	cls->seen |= (cls->seen & CF_SEEN_ZOOM_CAND) ? CF_SEEN_ZOOM : CF_SEEN_ZOOM_CAND;
	if (zi->kind > CF_ZOOM_NONE && zi->kind <= CF_ZOOM_OTHER)
		cls->seen |= kind_bit[zi->kind];
}

/* What a UDP payload is read with: the classifier (its reassembly
 * slots), the flow, the packet's direction and time. */
struct wire {
	struct cf_classifier *c;
	struct cf_flow *f;
	int dir;
	uint64_t ts_us;
	int stream;             /* a message from a TCP stream (RFC 4571, TURN) */
};

static int udp_payload(const struct wire *w, const uint8_t *p, size_t len,
		       int depth);
static int cert_fragment(const struct wire *w, const uint8_t *p,
			 const struct cf_dtls_frag *fr);
static void alpn_fact(struct cf_class *cls, const struct cf_tls_info *ti);

/* Keep the first XOR-PEER-ADDRESS; 1 when it is new. */
static int relay_peer(struct cf_class *cls, const struct cf_stun_info *si)
{
	if (!si->peer.present || cls->has_relay_peer)
		return 0;
	cls->relay_peer = si->peer.ip;
	cls->relay_peer_port = si->peer.port;
	cls->has_relay_peer = 1;
	return 1;
}

/* STUN/TURN; what ChannelData or a Send/Data indication relays is read
 * once more.  1 when the relay peer was found. */
static int stun_fact(const struct wire *w, const uint8_t *p, size_t len,
		     int depth)
{
	struct cf_flow *f = w->f;
	struct cf_stun_info si;
	int found;

	if (cf_recog_stun(p, len, 0, &si) != CF_REC_YES)
		return 0;
	if (si.is_relay)
		f->cls.seen |= CF_SEEN_TURN;
	else if (si.method == CF_STUN_BINDING)
		f->cls.seen |= CF_SEEN_STUN;
	found = relay_peer(&f->cls, &si);
	if (si.has_data && depth == 0 && si.data_len > 0 &&
	    (size_t)si.data_off + si.data_len <= len)
		found |= udp_payload(w, p + si.data_off, si.data_len, depth + 1);
	return found;
}

/* DTLS: records, a handshake, use_srtp in a hello, the server's
 * certificate (reassembled); 1 when the host changed. */
static int dtls_fact(const struct wire *w, const uint8_t *p, size_t len)
{
	struct cf_class *cls = &w->f->cls;
	struct cf_dtls_info di;
	int changed = 0, i;

	if (cf_recog_dtls(p, len, &di) != CF_REC_YES)
		return 0;
	cls->seen |= CF_SEEN_DTLS;
	if (di.has_handshake)
		cls->seen |= CF_SEEN_DTLS_HS;
	if (di.use_srtp)
		cls->seen |= CF_SEEN_DTLS_SRTP;
	for (i = 0; i < di.n_cert && !(cls->seen & CF_SEEN_CERT); i++)
		changed |= cert_fragment(w, p, &di.cert[i]);
	return changed;
}

/* P2P Zoom media (with or without ICE before it): the media header with
 * an RTP/RTCP header at its kind's offset, in two datagrams. */
static void zoom_p2p(struct cf_class *cls, const uint8_t *p, size_t len)
{
	struct cf_zoom_info zi;

	if (cf_recog_zoom(p, len, 0, &zi) == CF_REC_YES)
		zoom_fact(cls, &zi);
}

/* QUIC: long header (first byte 192-255) or a Google public header. */
static int quic_fact(struct cf_class *cls, const uint8_t *p, size_t len, uint8_t b0)
{
	struct cf_quic_info qi;

	if (b0 < 192 && (b0 & 0xc9) != 0x09)
		return 0;
	if (cf_recog_quic(p, len, &qi) != CF_REC_YES)
		return 0;
	cls->seen |= CF_SEEN_QUIC;
	return 1;
}

/* Demultiplex by the first byte (RFC 7983 / RFC 9443). */
static int udp_payload(const struct wire *w, const uint8_t *p, size_t len,
		       int depth)
{
	struct cf_flow *f = w->f;
	struct cf_class *cls = &f->cls;
	struct cf_rtp_info ri;
	struct cf_zoom_info zi;
	struct cursor c;
	uint8_t b0;
	int found = 0;

	cur_init(&c, p, len);
	if (cur_peek_u8(&c, 0, &b0))
		return 0;
	if (depth == 0 && !w->stream && cf_rooms_udp(f, p, len, w->dir))
		return 0;
	if (depth == 0 && !w->stream && cf_apps_udp(f, p, len, &found))
		return found;
	if (depth == 0 && !w->stream &&
	    (is_zoom_port(f->port[0]) || is_zoom_port(f->port[1])) &&
	    cf_recog_zoom(p, len, 1, &zi) == CF_REC_YES) {
		zoom_fact(cls, &zi);
		return 0;
	}
	if (depth == 0 && !w->stream && quic_fact(cls, p, len, b0))
		return 0;
	if (b0 <= 3 || (b0 >= 64 && b0 <= 79))
		found = stun_fact(w, p, len, depth);
	else if (b0 >= 16 && b0 <= 19 && cf_recog_zrtp(p, len))
		cls->seen |= CF_SEEN_ZRTP;
	else if (b0 >= 20 && b0 <= 63)
		found = dtls_fact(w, p, len);
	else if (b0 >= 128 && b0 <= 191 && cf_recog_rtp(p, len, &ri) == CF_REC_YES)
		rtp_fact(cls, &ri, w->dir);
	if (depth == 0 && !w->stream && !(cls->seen & SEEN_CALL & ~CF_SEEN_STUN))
		zoom_p2p(cls, p, len);
	return found;
}

/* SIP: signaling; SDES keys in the clear.  (The media endpoints the SDP
 * announces are facts about other flows: cf_classify_shared.) */
static void sip_payload(struct cf_classifier *c, struct cf_class *cls,
			const uint8_t *p, size_t len)
{
	struct cf_sip_info si;

	if (p == c->sip_p && len == c->sip_len && p != NULL) {
		if (c->sip_rec != CF_REC_YES)
			return;
		si = c->sip_si;         /* cf_classify_shared read it */
	} else if (cf_recog_sip(p, len, &si) != CF_REC_YES)
		return;
	cls->seen |= CF_SEEN_SIP;
	if (si.has_sdp_crypto) {
		cls->seen |= CF_SEEN_SDP_CRYPTO;
		cls->sdes_cleartext = 1;
	}
}

/* --- facts about other flows ------------------------------------------- */

#define SIP_FIRST_LINE_MAX 256

/*
 * Could pkt be a SIP message (and so carry SDP)?  A cheap, exact-enough
 * test on the first line: "SIP/2.0 " at the start (a response) or
 * " SIP/2.0" at the end (a request).  cf_recog_sip decides for real.
 */
static int sip_candidate(const struct cf_packet *pkt)
{
	const uint8_t *p = pkt->payload, *nl;
	size_t n = pkt->payload_len, i;

	if ((pkt->proto != 17 && pkt->proto != 6) || p == NULL || n < 12 ||
	    p[0] < 'A' || p[0] > 'Z')
		return 0;
	if (memcmp(p, "SIP/2.0 ", 8) == 0)
		return 1;
	nl = memchr(p + 8, '\n', (n < SIP_FIRST_LINE_MAX ? n : SIP_FIRST_LINE_MAX) - 8);
	if (nl == NULL)
		return 0;
	i = (size_t)(nl - p);
	return i >= 9 && memcmp(p + i - (p[i - 1] == '\r') - 8, " SIP/2.0", 8) == 0;
}

int cf_classify_is_shared(const struct cf_packet *pkt)
{
	return (pkt->sport == 53 && (pkt->proto == 17 || pkt->proto == 6) &&
		pkt->payload_len > 0) || sip_candidate(pkt) || cf_rooms_is_shared(pkt) ||
	       cf_call_is_shared(pkt);
}

int cf_classify_shared(struct cf_classifier *c, const struct cf_packet *pkt)
{
	struct cf_sip_info *si = &c->sip_si;
	int n = cf_classify_dns(c, pkt);

	c->sip_p = NULL;
	if (sip_candidate(pkt)) {
		c->sip_rec = cf_recog_sip(pkt->payload, pkt->payload_len, si);
		c->sip_p = pkt->payload;
		c->sip_len = pkt->payload_len;
	}
	if (c->sip_p != NULL && c->sip_rec == CF_REC_YES && si->n_media > 0)
		cf_sdp_remember(c, si->media, si->n_media, pkt->ts_us, CF_ANN_SIP,
				cf_call_sip_key(pkt->payload, si));
	else if (cf_rooms_is_shared(pkt))
		cf_rooms_shared(c, pkt);
	else if (cf_call_is_shared(pkt))
		cf_call_learn(c, pkt);
	return n;
}

void cf_classify_shared_done(struct cf_classifier *c)
{
	c->sip_p = NULL;
}

int cf_wire_udp(struct cf_classifier *c, struct cf_flow *f, const uint8_t *p,
		size_t len, int dir, uint64_t ts_us)
{
	const struct wire w = { c, f, dir, ts_us, 0 };
	int found = udp_payload(&w, p, len, 0);

	sip_payload(c, &f->cls, p, len);
	return found;
}

/* --- TLS hello reassembly ---------------------------------------------- */

static struct cf_reasm_slot *slot_of(struct cf_classifier *c, const struct cf_flow *f)
{
	struct cf_reasm_slot *s;

	if (f->cls.reasm == 0 || f->cls.reasm > CF_REASM_SLOTS)
		return NULL;
	s = &c->reasm[f->cls.reasm - 1];
	if (s->owner != f || s->owner_seq != f->seq || s->owner_first_us != f->first_us)
		return NULL;
	return s;
}

int cf_wire_hello_pending(struct cf_classifier *c, const struct cf_flow *f, int dir)
{
	const struct cf_reasm_slot *s = slot_of(c, f);

	return s != NULL && s->kind == CF_REASM_HELLO && s->dir == dir;
}

void cf_reasm_release(struct cf_classifier *c, struct cf_flow *f, int dropped)
{
	struct cf_reasm_slot *s = slot_of(c, f);

	f->cls.reasm = 0;
	if (s == NULL)
		return;
	s->owner = NULL;
	s->len = 0;
	if (dropped)
		c->st.tls_reasm_dropped++;
}

/* A free slot, else the one idle longest (its flow loses it). */
static int slot_take(struct cf_classifier *c)
{
	int i, best = 0;

	for (i = 0; i < CF_REASM_SLOTS; i++) {
		if (c->reasm[i].owner == NULL)
			return i;
		if (c->reasm[i].used_us < c->reasm[best].used_us)
			best = i;
	}
	c->st.tls_reasm_dropped++;
	return best;
}

static int reasm_start(struct cf_classifier *c, struct cf_flow *f,
		       const uint8_t *p, size_t len, int dir, uint64_t ts_us,
		       uint8_t kind)
{
	struct cf_reasm_slot *s;
	int i;

	if (len >= CF_REASM_MAX)
		return 0;               /* more than we keep: take it as it is */
	i = slot_take(c);
	s = &c->reasm[i];
	s->owner = f;
	s->owner_seq = f->seq;
	s->owner_first_us = f->first_us;
	s->used_us = ts_us;
	s->dir = (uint8_t)dir;
	s->kind = kind;
	memcpy(s->buf, p, len);
	s->len = (uint16_t)len;
	s->last_len = (uint16_t)len;
	f->cls.reasm = (uint8_t)(i + 1);
	if (kind == CF_REASM_HELLO)
		c->st.tls_reasm_started++;
	return 1;
}

/* Add a segment (a copy of the last one is a resend: skipped). */
static void reasm_append(struct cf_reasm_slot *s, const uint8_t *p, size_t len,
			 uint64_t ts_us)
{
	size_t room = CF_REASM_MAX - s->len;

	if (len == s->last_len && len <= s->len &&
	    memcmp(s->buf + s->len - len, p, len) == 0)
		return;
	if (len > room)
		len = room;
	memcpy(s->buf + s->len, p, len);
	s->len = (uint16_t)(s->len + len);
	s->last_len = (uint16_t)len;
	s->used_us = ts_us;
}

/* Take a parsed hello: SNI becomes the host; 1 when the host changed. */
static int hello_taken(struct cf_class *cls, const struct cf_tls_info *ti)
{
	cls->seen |= CF_SEEN_TLS_HELLO;
	if (!ti->has_sni || strcmp(cf_class_host(cls), ti->sni) == 0) {
		cls->seen |= ti->has_sni ? CF_SEEN_TLS_SNI : 0;
		return 0;
	}
	cf_class_set_host(cls, ti->sni, strnlen(ti->sni, CF_HOST_LEN - 1));
	cls->seen = (cls->seen | CF_SEEN_TLS_SNI) &
		    ~(CF_SEEN_NDPI_HOST | CF_SEEN_DNS_HOST);
	return 1;
}

/*
 * Is the clear part of a TLS handshake over?  A segment that starts with
 * a ChangeCipherSpec (20) or application data (23) record: in TLS 1.2 both
 * come after the server's Certificate, when there is one (RFC 5246 s.7.3;
 * an abbreviated handshake, resuming a session, has none), and TLS 1.3
 * encrypts everything after the ServerHello (RFC 8446 s.2).  No more
 * names can come in the clear.
 */
static int tls_clear_done(const uint8_t *p, size_t len)
{
	struct cf_tls_info ti;

	if (len < 5 || (p[0] != 20 && p[0] != 23))
		return 0;
	return cf_recog_tls(p, len, &ti) != CF_REC_NO;
}

/* Does a cut record hold the start of a ClientHello worth waiting for? */
static int worth_waiting(enum cf_rec r, const struct cf_tls_info *ti)
{
	return r == CF_REC_TRUNCATED && ti->content_type == 22 &&
	       !ti->is_server_hello && !ti->has_sni;
}

/* The next segment of a hello being reassembled; 1 when the host changed. */
static int reasm_more(struct cf_classifier *c, struct cf_flow *f,
		      struct cf_reasm_slot *s, const uint8_t *p, size_t len,
		      int dir, uint64_t ts_us)
{
	struct cf_tls_info ti;
	enum cf_rec r;

	if (dir != s->dir)
		return 0;
	reasm_append(s, p, len, ts_us);
	r = cf_recog_tls(s->buf, s->len, &ti);
	if (worth_waiting(r, &ti) && s->len < CF_REASM_MAX)
		return 0;
	if (r == CF_REC_NO || !(ti.is_client_hello || ti.is_server_hello)) {
		cf_reasm_release(c, f, 1);
		return 0;
	}
	cf_reasm_release(c, f, 0);
	c->st.tls_reasm_done++;
	alpn_fact(&f->cls, &ti);
	cf_apps_tcp(f, NULL, 0, 1);
	return hello_taken(&f->cls, &ti);
}

/* --- DTLS certificate names ------------------------------------------- */

/* Append '\n' and a name to the list being built; 0 when it did not fit. */
static int name_add(char *list, size_t *n, const char *name)
{
	size_t l = strlen(name);

	if (*n + 1 + l >= CF_CERT_LEN)
		return 0;
	list[(*n)++] = '\n';
	memcpy(list + *n, name, l);
	*n += l;
	list[*n] = '\0';
	return 1;
}

/*
 * Take a certificate's names: the list (CN, then SANs) for the event
 * and, when the flow has no server name yet, the first of them without
 * a wildcard label as its host (the catalog's host lines then apply, as
 * for a TLS server name).  1 when the host changed.
 */
static int cert_taken(struct cf_class *cls, const struct cf_x509_names *xn)
{
	char list[CF_CERT_LEN];
	const char *first = xn->cn[0] ? xn->cn : xn->n_san ? xn->san[0] : "";
	size_t n = strlen(xn->cn);          /* the CN ("" if none), then the SANs */
	int i;

	memcpy(list, xn->cn, n + 1);
	for (i = 0; i < xn->n_san; i++)
		if (!name_add(list, &n, xn->san[i]))
			break;
	cls->seen |= CF_SEEN_CERT;
	cf_class_set_cert(cls, list, n);
	if (cls->host_str != NULL || first[0] == '\0')
		return 0;
	if (first[0] == '*' && first[1] == '.')
		first += 2;
	cf_class_set_host(cls, first, strlen(first));
	cls->seen |= CF_SEEN_CERT_HOST;
	return 1;
}

/*
 * Names from the first bytes of a Certificate message (its list length,
 * the leaf's length, the leaf): 1 done (taken, or not a certificate),
 * 0 more bytes would tell more.
 */
static int cert_try(struct cf_class *cls, const uint8_t *m, size_t have,
		    uint32_t msg_len, int *changed)
{
	struct cf_x509_names xn;
	uint32_t leaf;
	size_t avail;
	enum cf_rec r;

	if (have <= 6)
		return have >= msg_len;
	leaf = ((uint32_t)m[3] << 16) | ((uint32_t)m[4] << 8) | m[5];
	avail = have - 6 < leaf ? have - 6 : leaf;
	r = cf_recog_x509(m + 6, avail, &xn);
	if (r == CF_REC_TRUNCATED && have < msg_len && have < CF_REASM_MAX)
		return 0;
	if (r != CF_REC_NO)
		*changed |= cert_taken(cls, &xn);
	else
		cls->seen |= CF_SEEN_CERT;
	return 1;
}

/*
 * One fragment of the server's Certificate message: from offset 0 in
 * order into a reassembly slot (a fragment out of order or resent is
 * skipped) until the leaf certificate's names are read.  1 when the host
 * changed.
 */
static int cert_fragment(const struct wire *w, const uint8_t *p,
			 const struct cf_dtls_frag *fr)
{
	struct cf_flow *f = w->f;
	struct cf_reasm_slot *s = slot_of(w->c, f);
	const uint8_t *frag = p + fr->data_off;
	int changed = 0;

	if (s == NULL) {
		f->cls.reasm = 0;              /* a slot lost to another flow */
		if (fr->frag_off != 0)
			return 0;
		if (fr->frag_len < fr->msg_len && fr->frag_len < CF_REASM_MAX &&
		    reasm_start(w->c, f, frag, fr->frag_len, w->dir, w->ts_us,
				CF_REASM_CERT)) {
			if (cert_try(&f->cls, frag, fr->frag_len, fr->msg_len, &changed))
				cf_reasm_release(w->c, f, 0);
			return changed;
		}
		cert_try(&f->cls, frag, fr->frag_len, fr->msg_len, &changed);
		f->cls.seen |= CF_SEEN_CERT;
		return changed;
	}
	if (s->kind != CF_REASM_CERT || w->dir != s->dir || fr->frag_off != s->len)
		return 0;
	reasm_append(s, frag, fr->frag_len, w->ts_us);
	if (cert_try(&f->cls, s->buf, s->len, fr->msg_len, &changed))
		cf_reasm_release(w->c, f, 0);
	return changed;
}

/* --- STUN, TURN, DTLS and RTP over TCP ------------------------------- */

/* One message of a framed stream: read as a datagram would be (STUN,
 * TURN and what it relays, DTLS, RTP), without the port-based guesses. */
static int framed_msg(void *ctx, const struct cf_frame *fr)
{
	const struct wire *w = ctx;

	if (fr->len > fr->hdr)
		udp_payload(w, fr->msg + fr->hdr, fr->len - fr->hdr, 0);
	return 0;
}

/*
 * A TCP segment of a stream framed as TURN over TCP (RFC 8656 s.7: STUN
 * messages and ChannelData back to back) or per RFC 4571 (ICE-TCP, RFC
 * 6544; RTP and DTLS over TCP: a 16-bit length before each).  The framing
 * is taken from a segment that starts with a STUN message (the magic
 * cookie decides, cf_frame_guess_stun); RFC 4571 framing has no magic of
 * its own, so what it frames counts only as far as the recognisers accept
 * it.  Several messages in one segment are each read.  A message cut by
 * the end of a segment is carried: its bytes wait in one of the
 * classifier's reassembly slots (CF_REASM_FRAME) and the direction's next
 * segment is read after them, so the cut message is read whole and the
 * framing stays in step (what the cut part holds is read at once too: the
 * flow may end first).  Without a slot (all lent, or the message longer
 * than CF_REASM_MAX) a segment that starts inside a message frames
 * nothing readable in STUN mode and is checked message by message in RFC
 * 4571 mode.
 * 1 when the segment was read as framed.
 */
static void framed_walk(const struct wire *w, struct cf_reasm_slot *s,
			const uint8_t *p, size_t len, int mode)
{
	struct cf_frames_info fi;
	size_t tail;

	if (cf_recog_tcp_frames(p, len, (enum cf_frame_mode)mode, framed_msg,
				(void *)w, &fi) == CF_REC_NO || fi.need == 0 || fi.bad) {
		if (s != NULL)
			cf_reasm_release(w->c, w->f, 0);
		return;
	}
	tail = len - fi.used;
	/* what the cut message holds so far counts now (the flow may end
	   before its rest comes); read whole once its rest is here */
	if (!fi.hdr_cut && tail > 2)
		framed_msg((void *)w, &(struct cf_frame){ p + fi.used, fi.used,
			   tail, mode == CF_FRAME_STUN ? 0 : 2 });
	if (tail + fi.need <= CF_REASM_MAX) {
		if (s != NULL) {                /* keep the new tail only */
			memmove(s->buf, s->buf + fi.used, tail);
			s->len = (uint16_t)tail;
			s->last_len = (uint16_t)tail;
			return;
		}
		if (reasm_start(w->c, w->f, p + fi.used, tail, w->dir, w->ts_us,
				CF_REASM_FRAME))
			return;
	}
	if (s != NULL)
		cf_reasm_release(w->c, w->f, 0);
}

static int tcp_framed(struct cf_classifier *c, struct cf_flow *f, const uint8_t *p,
		      size_t len, int dir, uint64_t ts_us)
{
	const struct wire w = { c, f, dir, ts_us, 1 };
	uint32_t framed = f->cls.seen & SEEN_FRAMED;
	struct cf_reasm_slot *s;
	int mode;

	if (framed == 0) {
		mode = cf_frame_guess_stun(p, len);
		if (mode < 0)
			return 0;
		f->cls.seen |= mode == CF_FRAME_STUN ? CF_SEEN_FRAMED_STUN
						     : CF_SEEN_FRAMED_4571;
	} else {
		mode = framed == CF_SEEN_FRAMED_STUN ? CF_FRAME_STUN : CF_FRAME_RFC4571;
	}
	s = slot_of(c, f);
	if (s != NULL && s->kind == CF_REASM_FRAME && s->dir == dir) {
		reasm_append(s, p, len, ts_us);  /* the cut message's rest first */
		framed_walk(&w, s, s->buf, s->len, mode);
		return 1;
	}
	framed_walk(&w, NULL, p, len, mode);
	return 1;
}

/* RFC 7443: the ALPN of STUN and TURN over TLS (TURN on 443/5349). */
static void alpn_fact(struct cf_class *cls, const struct cf_tls_info *ti)
{
	if (strcmp(ti->alpn, "stun.turn") == 0)
		cls->seen |= CF_SEEN_TURN;
	else if (strcmp(ti->alpn, "stun.nat-discovery") == 0)
		cls->seen |= CF_SEEN_STUN;
}

int cf_wire_tcp(struct cf_classifier *c, struct cf_flow *f, const uint8_t *p,
		size_t len, int dir, uint64_t ts_us)
{
	struct cf_class *cls = &f->cls;
	struct cf_reasm_slot *s;
	struct cf_tls_info ti;
	enum cf_rec r;

	sip_payload(c, cls, p, len);
	if (cls->seen & CF_SEEN_TLS_HELLO) {
		if (cls->ndpi != NULL && tls_clear_done(p, len))
			c->ndpi_needless = 1;
		return 0;
	}
	s = slot_of(c, f);
	if (s != NULL && s->kind == CF_REASM_HELLO)
		return reasm_more(c, f, s, p, len, dir, ts_us);
	if (s == NULL)
		cls->reasm = 0;         /* a slot lost to another flow */
	if (cf_rooms_tcp(f, p, len) || tcp_framed(c, f, p, len, dir, ts_us) ||
	    cf_apps_tcp(f, p, len, 0))
		return 0;
	r = cf_recog_tls(p, len, &ti);
	if (r == CF_REC_NO)
		return 0;
	if (worth_waiting(r, &ti) && reasm_start(c, f, p, len, dir, ts_us, CF_REASM_HELLO))
		return 0;
	if (!(ti.is_client_hello || ti.is_server_hello))
		return 0;
	alpn_fact(cls, &ti);
	cf_apps_tcp(f, p, len, 1);
	return hello_taken(cls, &ti);
}

/* --- which hellos nDPI is given (classify.c hello_first) --------------- */

/*
 * Must this ClientHello still reach nDPI when callfence has named the flow
 * by it?  Only to keep what nDPI remembers of its client: for an app the
 * catalog names by an nDPI protocol nDPI remembers per IPv4 client from
 * its TLS sessions (classify-ndpi.h: Teams, whose client's STUN flows
 * nDPI then names Teams for 60 s), one hello of a client every
 * CF_HELLO_REFRESH_S seconds of packet time is enough: nDPI's memory of
 * that client is never older than that while the client opens sessions.
 * So a STUN flow can be named otherwise than if nDPI had read every
 * hello only when it starts within the last CF_HELLO_REFRESH_S seconds
 * of the 60 after the client's last session.
 */
#define CF_HELLO_REFRESH_S 5

int cf_hello_for_ndpi(struct cf_classifier *c, const struct cf_flow *f,
		      const struct cf_packet *pkt)
{
	uint16_t nid = f->cls.app_id;
	struct cf_cat_match m;
	const char *name;
	uint32_t a, sec, h;
	unsigned i;

	if (c->nid_hello[nid] == 0) {
		c->nid_hello[nid] = 1;
		for (i = 0; (name = cf_ndpi_hello_remembered(c->ndpi, i)) != NULL; i++)
			if (*name && cf_catalog_match_ndpi(c->cat, name, &m) &&
			    m.app_nid == nid)
				c->nid_hello[nid] = 2;
	}
	if (c->nid_hello[nid] != 2 || pkt->ip_version != 4)
		return 0;
	memcpy(&a, cf_addr_v4(&pkt->src), 4);
	sec = (uint32_t)(pkt->ts_us / 1000000) + 1;
	h = (uint32_t)((a * 2654435761u) >> 22) & (CF_HELLO_FED - 1);
	if (c->hello_fed[h].addr == a && c->hello_fed[h].sec != 0 &&
	    sec >= c->hello_fed[h].sec && sec - c->hello_fed[h].sec < CF_HELLO_REFRESH_S)
		return 0;
	c->hello_fed[h].addr = a;
	c->hello_fed[h].sec = sec;
	return 1;
}

/*
 * A whole ClientHello just read (classify.c hello_first) that named no
 * server: nDPI is not given it.  All nDPI 4.2 takes from such a hello is that the
 * flow is TLS, which the server's hello tells it as well (both run
 * ndpi_int_tls_add_connection; the certificate after it is read either
 * way), and its fingerprints (JA3, ~50,000 instructions a hello) and
 * hello fields, which callfence does not read.  A hello cut across
 * segments goes to nDPI whole, as before; so do hellos with a name
 * (nDPI names services by them), and a hello that would be the first
 * packet nDPI sees of its flow (a capture that begins after the SYN):
 * nDPI names a flow by its addresses at its first packet, and a flow of
 * that one hello would have had no name at all (nDPI's test capture
 * encrypted_sni.pcap: three Cloudflare flows).
 */
int cf_hello_nameless(struct cf_classifier *c, const struct cf_flow *f, int dir)
{
	uint32_t seen = f->cls.seen;

	return f->cls.ndpi != NULL && (seen & CF_SEEN_TLS_HELLO) &&
	       !(seen & CF_SEEN_TLS_SNI) && !cf_wire_hello_pending(c, f, dir);
}
