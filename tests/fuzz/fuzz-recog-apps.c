/*
 * fuzz-recog-apps.c - libFuzzer target: the recognisers of call apps that
 * hide their media (recog-apps.c) on one datagram.  Checked: a Telegram
 * reflector message has its 0xFF run after the tag; an Agora join's
 * host is a NUL-terminated DNS name of its stated length, inside the
 * datagram; a Discord message has one of its two fixed lengths.
 */
#include <string.h>

#include "fuzz-util.h"
#include "classify/recog/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_agora_info ai;
	enum cf_rec r;
	uint32_t type;
	size_t i;
	int kind;

	r = cf_recog_tg_reflector(data, size, &type);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r == CF_REC_YES) {
		FZ_CHECK(size >= 32);
		for (i = 16; i < 28; i++)
			FZ_CHECK(data[i] == 0xff);
	}
	r = cf_recog_agora_join(data, size, &ai);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	if (r == CF_REC_YES) {
		FZ_CHECK(ai.host_len > 0 && ai.host_len < sizeof(ai.host));
		FZ_CHECK(strlen(ai.host) == ai.host_len);
		FZ_CHECK(19u + ai.host_len <= size);
		FZ_CHECK(memcmp(ai.host, data + 19, ai.host_len) == 0);
	}
	r = cf_recog_discord(data, size, &kind);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES);
	if (r == CF_REC_YES)
		FZ_CHECK((size == 8 && kind == CF_DISCORD_KEEPALIVE) ||
			 (size == 74 && (kind == CF_DISCORD_IPD_REQUEST ||
					 kind == CF_DISCORD_IPD_RESPONSE)));
	return 0;
}
