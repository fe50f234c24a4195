/*
 * fuzz-decode.c - libFuzzer target: cf_decode() over every link type.
 *
 * Input: byte 0 picks the link type (enum cf_link, unsupported included),
 * byte 1 how the wire length relates to the captured length (equal,
 * longer: a snaplen cut, or shorter: a broken writer), the rest is the
 * frame.  libFuzzer hands over exactly size bytes on the heap, so any
 * read past caplen is an AddressSanitizer report.  Checked too: the
 * counters add up, and every pointer the decoder returns lies inside the
 * frame.
 */
#include "fuzz-util.h"
#include "decode/decode.h"

#define N_LINKS 7

static uint32_t wire_length(uint8_t mode, uint32_t caplen)
{
	if (mode & 0x80)
		return caplen + (uint32_t)(mode & 0x7f) * 61u;
	if (mode & 0x40)
		return (uint32_t)(mode & 0x3f);
	return caplen;
}

static void check_inside(const uint8_t *p, uint32_t n, const uint8_t *frame,
			 uint32_t caplen)
{
	if (p == NULL) {
		FZ_CHECK(n == 0);
		return;
	}
	FZ_CHECK(p >= frame && p <= frame + caplen);
	FZ_CHECK(n <= (uint32_t)(frame + caplen - p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_decode_stats st;
	struct cf_packet pkt;
	enum cf_decode_result r;
	const uint8_t *frame;
	uint32_t caplen;
	enum cf_link link;

	if (size < 2 || size > 70000)
		return 0;
	link = (enum cf_link)(data[0] % N_LINKS);
	frame = data + 2;
	caplen = (uint32_t)(size - 2);
	memset(&st, 0, sizeof(st));
	r = cf_decode(link, frame, caplen, wire_length(data[1], caplen), &pkt, &st);
	FZ_CHECK(st.packets == 1);
	FZ_CHECK(st.ok + st.not_ip + st.truncated + st.invalid + st.fragments == 1);
	FZ_CHECK(pkt.cap_len == caplen);
	check_inside(pkt.l3, pkt.l3_len, frame, caplen);
	check_inside(pkt.payload, pkt.payload_len, frame, caplen);
	if (r == CF_DEC_OK || r == CF_DEC_FRAGMENT) {
		FZ_CHECK(pkt.ip_version == 4 || pkt.ip_version == 6);
		FZ_CHECK(pkt.l3 != NULL);
		FZ_CHECK(st.ipv4 + st.ipv6 == 1);
	} else {
		FZ_CHECK(pkt.payload == NULL && pkt.payload_len == 0);
		FZ_CHECK(pkt.sport == 0 && pkt.dport == 0 && pkt.tcp_flags == 0);
	}
	if (r == CF_DEC_OK)
		FZ_CHECK(st.tcp + st.udp + st.icmp + st.other_l4 == 1);
	FZ_CHECK(cf_link_name(link) != NULL);
	return 0;
}
