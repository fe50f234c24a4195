/*
 * fuzz-recog-frames.c - libFuzzer target: cf_recog_tcp_frames() and
 * cf_frame_guess_stun().  Byte 0 (low 2 bits) picks the framing (RFC
 * 4571, bare STUN, TPKT, Skinny); the rest is one TCP segment.  Checked:
 * every message handed to the callback lies inside the segment, starts
 * where the last one ended and is longer than its framing header; used
 * never passes the end; a cut message (need > 0) starts at used.
 */
#include "fuzz-util.h"
#include "classify/recog/recog.h"

struct seen {
	const uint8_t *base;
	size_t size, next;
	unsigned n;
};

static int on_frame(void *ctx, const struct cf_frame *f)
{
	struct seen *s = ctx;

	FZ_CHECK(f->msg == s->base + f->off);
	FZ_CHECK(f->off == s->next);
	FZ_CHECK(f->len > f->hdr || (f->hdr == 0 && f->len > 0));
	FZ_CHECK(f->off + f->len <= s->size);
	s->next = f->off + f->len;
	s->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_frames_info fi;
	struct seen s;
	enum cf_rec r;
	int mode, g;

	if (size < 1)
		return 0;
	mode = data[0] & 3;
	data++;
	size--;
	s.base = data;
	s.size = size;
	s.next = 0;
	s.n = 0;
	r = cf_recog_tcp_frames(data, size, (enum cf_frame_mode)mode, on_frame, &s, &fi);
	FZ_CHECK(r == CF_REC_NO || r == CF_REC_YES || r == CF_REC_TRUNCATED);
	FZ_CHECK(fi.n == s.n && fi.n <= CF_FRAMES_MAX);
	FZ_CHECK(fi.used == s.next && fi.used <= size);
	if (fi.need > 0)
		FZ_CHECK(!fi.bad && fi.used < size);
	if (r == CF_REC_NO)
		FZ_CHECK(fi.n == 0);
	g = cf_frame_guess_stun(data, size);
	FZ_CHECK(g == -1 || g == CF_FRAME_STUN || g == CF_FRAME_RFC4571);
	return 0;
}
