/*
 * fuzz-recog-bfcp.c - libFuzzer target: cf_recog_bfcp().  Byte 0 bit 0
 * says stream (TCP) or datagram; the rest is the payload.  Checked: a
 * YES has version 1 or 2, a primitive 1-17 and a payload that fits; a
 * datagram YES ends exactly at its length.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_bfcp_info b;
	enum cf_rec r;
	int stream;

	if (size < 1)
		return 0;
	stream = data[0] & 1;
	data++;
	size--;
	r = cf_recog_bfcp(data, size, stream, &b);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r != CF_REC_YES)
		return 0;
	FZ_CHECK(b.version == 1 || b.version == 2);
	FZ_CHECK(b.primitive >= 1 && b.primitive <= 17);
	FZ_CHECK(12u + (b.fragment ? 4u : 0u) + 4u * b.payload_len <= size);
	FZ_CHECK(stream || b.exact);
	return 0;
}
