/*
 * fuzz-recog-stun.c - libFuzzer target: cf_recog_stun().  Byte 0 bit 0
 * says stream (TCP) or datagram; the rest is the payload.  Checked: a
 * STUN YES has its 20-byte header and a length that fits; ChannelData
 * has its 4-byte header; application data (ChannelData or a DATA
 * attribute) lies inside the payload; decoded addresses have a family.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_stun_info s;
	enum cf_rec r;
	int stream;

	if (size < 1)
		return 0;
	stream = data[0] & 1;
	data++;
	size--;
	r = cf_recog_stun(data, size, stream, &s);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r != CF_REC_YES)
		return 0;
	if (s.has_data)
		FZ_CHECK((size_t)s.data_off + s.data_len <= size);
	FZ_CHECK(!s.mapped.present || s.mapped.family == 1 || s.mapped.family == 2);
	FZ_CHECK(!s.peer.present || s.peer.family == 1 || s.peer.family == 2);
	FZ_CHECK(!s.relayed.present || s.relayed.family == 1 || s.relayed.family == 2);
	if (s.is_channel_data) {
		FZ_CHECK(s.channel >= 0x4000 && s.channel <= 0x4fff);
		FZ_CHECK(s.data_off == 4 && 4u + s.length <= size);
		FZ_CHECK(s.is_relay);
	} else {
		FZ_CHECK(size >= 20 && (size_t)s.length + 20 <= size);
		FZ_CHECK(s.cls <= 3 && s.method <= 0xfff);
	}
	return 0;
}
