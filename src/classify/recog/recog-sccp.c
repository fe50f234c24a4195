/*
 * recog-sccp.c - Cisco Skinny Client Control Protocol (SCCP) messages
 * and the media endpoints two of them name.
 *
 * Skinny has no RFC; the layout below is the one Cisco's phones and call
 * managers put on TCP 2000, as the corpus capture skinny.pcap shows it
 * (all integers little-endian, addresses in network order):
 *
 *   0        4        8        12
 *   +--------+--------+--------+---------------------------+
 *   | length | version| msg id |  message data ...         |
 *   +--------+--------+--------+---------------------------+
 *   length counts from msg id to the end: a message is length + 8 bytes.
 *   version (the "reserved" word of old stacks): 0 basic, 0x11 (V17,
 *   CM 7) ... 0x16 (V22); several messages share a segment.
 *
 * OpenReceiveChannelAck (0x0022, phone -> CM: where the phone receives):
 *   version < 0x11:  status(4) ipv4(4) port(4) passThruPartyId(4) ...
 *   version >= 0x11: status(4) ipv4or6(4: 0 v4, 1 v6) addr(16) port(4)
 *                    passThruPartyId(4) callReference(4)
 * StartMediaTransmission (0x008a, CM -> phone: where to send):
 *   version < 0x11:  conferenceId(4) passThruPartyId(4) ipv4(4) port(4) ...
 *   version >= 0x11: conferenceId(4) passThruPartyId(4) ipv4or6(4)
 *                    addr(16: IPv4 in the first 4) port(4) ...
 * (skinny.pcap, header version 0x14: OpenReceiveChannelAck length 40,
 *  StartMediaTransmission 136; the addresses tshark's skinny dissector
 *  shows sit at these offsets.)
 *
 * Message ids: 0x0000-0x00ff station -> call manager, 0x0081-0x01ff
 * call manager -> station, 0x8000-0x81ff the newer extensions.
 */
#include "config.h"

#include <string.h>

#include "util/cursor.h"
#include "classify/recog/recog.h"

#define SCCP_V17 0x11

static int id_known(uint32_t id)
{
	return id <= 0x01ff || (id >= 0x8000 && id <= 0x81ff);
}

/* A port in a 32-bit little-endian word: only 1-65535 is a port. */
static int port_word(struct cursor *c, uint16_t *port)
{
	uint32_t w;

	if (cur_le32(c, &w) || w == 0 || w > 0xffff)
		return -1;
	*port = (uint16_t)w;
	return 0;
}

/* The address (and port) at c: a v4 word, or ipv4or6 + 16 bytes. */
static int endpoint(struct cursor *c, uint32_t version, cf_addr *a,
		    uint16_t *port)
{
	uint8_t raw[16];
	uint32_t fam = 0;

	if (version >= SCCP_V17) {
		if (cur_le32(c, &fam) || fam > 1 || cur_bytes(c, raw, 16))
			return -1;
	} else if (cur_bytes(c, raw, 4)) {
		return -1;
	}
	if (port_word(c, port))
		return -1;
	if (fam == 1)
		cf_addr_from_v6(a, raw);
	else
		cf_addr_from_v4(a, raw);
	return 0;
}

struct walk {
	struct cf_sccp_info *out;
	int bad;
};

static int one_message(void *ctx, const struct cf_frame *f)
{
	struct walk *w = ctx;
	struct cf_sccp_info *out = w->out;
	struct cf_sccp_media *m;
	struct cursor c;
	uint32_t l32, version, id;

	cur_init(&c, f->msg, f->len);
	if (cur_le32(&c, &l32) || cur_le32(&c, &version) || cur_le32(&c, &id) ||
	    !id_known(id)) {
		w->bad = 1;
		return 1;
	}
	if (out->msgs == 0) {
		out->version = version;
		out->msg_id = id;
	}
	out->msgs++;
	if ((id != CF_SCCP_OPEN_RECEIVE_ACK && id != CF_SCCP_START_MEDIA_TX) ||
	    out->n_media >= CF_SCCP_MEDIA_MAX)
		return 0;
	m = &out->media[out->n_media];
	if (id == CF_SCCP_OPEN_RECEIVE_ACK) {
		/* status, the endpoint, then passThruPartyId */
		if (cur_skip(&c, 4) || endpoint(&c, version, &m->addr, &m->port) ||
		    cur_le32(&c, &m->party))
			return 0;
	} else if (cur_skip(&c, 4) || cur_le32(&c, &m->party) ||   /* conferenceId */
		   endpoint(&c, version, &m->addr, &m->port)) {
		return 0;
	}
	m->msg_id = id;
	out->n_media++;
	return 0;
}

enum cf_rec cf_recog_sccp(const uint8_t *p, size_t len, struct cf_sccp_info *out)
{
	struct cf_frames_info fi;
	struct walk w;
	enum cf_rec r;
	struct cursor c;
	uint32_t l32, version, id;

	memset(out, 0, sizeof(*out));
	w.out = out;
	w.bad = 0;
	r = cf_recog_tcp_frames(p, len, CF_FRAME_SCCP, one_message, &w, &fi);
	if (r != CF_REC_YES)
		return r;
	if (w.bad && out->msgs == 0)
		return CF_REC_NO;
	if (fi.n == 0) {
		/* the first message is cut: judge its header */
		cur_init(&c, p, len);
		if (cur_le32(&c, &l32) || cur_le32(&c, &version) ||
		    cur_le32(&c, &id))
			return CF_REC_TRUNCATED;
		if (!id_known(id))
			return CF_REC_NO;
		out->version = version;
		out->msg_id = id;
	}
	out->need = (uint32_t)fi.need;
	return CF_REC_YES;
}
