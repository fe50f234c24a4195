/*
 * recog-count.c - how many transport payloads of a capture the room-system
 * recognisers take (make check-corpus-recog; the captures are never
 * committed).
 *
 *   recog-count [-v] PROTO FILTER CAPTURE
 *
 * PROTO: stun-tcp (cf_recog_tcp_frames with cf_frame_guess_stun's framing,
 * every message through cf_recog_stun, or cf_recog_rtp/cf_recog_dtls
 * behind an RFC 4571 length; a segment is YES when at least one whole
 * message passed, TRUNCATED when it holds only the start of one), sccp, h323 (cf_recog_h225 on TCP,
 * cf_recog_ras on UDP), mgcp, iax2, bfcp.  FILTER is a pcap filter ("" for
 * none).  TCP payloads are read as a caller should: the bytes of a message
 * cut by the end of a segment are carried (per direction) and put in front
 * of the next segment (stun-tcp, sccp, h323).  Payloads of the other
 * transport (UDP for stun-tcp and sccp) are not counted.  -v prints a
 * line per payload.
 * Output: one line of counts.  Exit 0, 2 usage, 3 capture error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "classify/recog/recog.h"

#define CARRY_SLOTS 16
#define CARRY_MAX 65536

struct carry {
	cf_addr src, dst;
	uint16_t sport, dport;
	size_t n;
	uint8_t used;
	uint8_t b[CARRY_MAX];
};

static struct carry carries[CARRY_SLOTS];
static uint8_t joined[2 * CARRY_MAX];
static struct cf_decode_stats dst;
static const char *proto;
static int verbose;
static unsigned long frame, payloads, yes, truncated, no, msgs, media, weak,
	strong, carried;

static struct carry *carry_of(const struct cf_packet *pk)
{
	int i;

	for (i = 0; i < CARRY_SLOTS; i++)
		if (carries[i].used && carries[i].sport == pk->sport &&
		    carries[i].dport == pk->dport &&
		    memcmp(&carries[i].src, &pk->src, sizeof(cf_addr)) == 0 &&
		    memcmp(&carries[i].dst, &pk->dst, sizeof(cf_addr)) == 0)
			return &carries[i];
	for (i = 0; i < CARRY_SLOTS; i++)
		if (!carries[i].used) {
			carries[i].used = 1;
			carries[i].src = pk->src;
			carries[i].dst = pk->dst;
			carries[i].sport = pk->sport;
			carries[i].dport = pk->dport;
			carries[i].n = 0;
			return &carries[i];
		}
	return NULL;
}

/* stun-tcp: each message is STUN, or RTP/DTLS behind an RFC 4571 length. */
static int stun_msg(void *ctx, const struct cf_frame *f)
{
	const uint8_t *m = f->msg + f->hdr;
	size_t n = f->len - f->hdr;
	struct cf_stun_info si;
	struct cf_rtp_info ri;
	struct cf_dtls_info di;
	int *bad = ctx;

	if (cf_recog_stun(m, n, 1, &si) == CF_REC_YES ||
	    (f->hdr == 2 && (cf_recog_rtp(m, n, &ri) == CF_REC_YES ||
			     cf_recog_dtls(m, n, &di) == CF_REC_YES)))
		return 0;
	*bad = 1;
	return 1;
}

/* One payload: the result, and in *keep the bytes to carry (TCP). */
static enum cf_rec judge(const struct cf_packet *pk, const uint8_t *p, size_t n,
			 size_t *keep, char *line, size_t cap)
{
	struct cf_frames_info fi;
	enum cf_rec r = CF_REC_NO;
	int tcp = pk->proto == 6, bad = 0, mode;

	*keep = 0;
	memset(&fi, 0, sizeof(fi));
	if (!strcmp(proto, "stun-tcp") && tcp) {
		mode = cf_frame_guess_stun(p, n);
		if (mode >= 0)
			r = cf_recog_tcp_frames(p, n, (enum cf_frame_mode)mode, stun_msg,
						&bad, &fi);
		if (bad)
			r = CF_REC_NO;
		else if (r == CF_REC_YES && fi.n == 0)
			r = CF_REC_TRUNCATED;   /* only the start of a message: unjudged */
		msgs += bad ? 0 : fi.n;
		snprintf(line, cap, "framing %d messages %u need %zu", mode, fi.n, fi.need);
	} else if (!strcmp(proto, "sccp") && tcp) {
		struct cf_sccp_info si;

		r = cf_recog_sccp(p, n, &si);
		msgs += si.msgs;
		media += si.n_media;
		fi.need = si.need;
		snprintf(line, cap, "version %#x id %#x messages %u media %u need %u",
			 si.version, si.msg_id, si.msgs, si.n_media, si.need);
	} else if (!strcmp(proto, "h323") && tcp) {
		struct cf_h225_info hi;

		r = cf_recog_h225(p, n, &hi);
		msgs += hi.tpkts;
		media += hi.has_media;
		fi.need = hi.need;
		snprintf(line, cap, "kind %d tpkts %u q931 %#x uuie %d oid %u h245 %u/%u "
			 "media %u+%u need %u", hi.kind, hi.tpkts, hi.msg_type,
			 hi.uuie_body, hi.h225_oid, hi.h245_class, hi.h245_index,
			 hi.has_media, hi.has_media_ctl, hi.need);
	} else if (!strcmp(proto, "h323")) {
		struct cf_ras_info ri;

		r = cf_recog_ras(p, n, &ri);
		strong += ri.strong;
		weak += r == CF_REC_YES && !ri.strong;
		snprintf(line, cap, "ras %u seq %u strong %u", ri.msg, ri.seq, ri.strong);
	} else if (!strcmp(proto, "mgcp")) {
		struct cf_mgcp_info mi;

		r = cf_recog_mgcp(p, n, &mi);
		media += mi.n_media;
		snprintf(line, cap, "%s %u txid %u media %u", mi.is_command ? mi.verb : "code",
			 mi.code, mi.txid, mi.n_media);
	} else if (!strcmp(proto, "iax2")) {
		struct cf_iax2_info xi;

		r = cf_recog_iax2(p, n, &xi);
		weak += r == CF_REC_YES && xi.weak;
		snprintf(line, cap, "kind %d type %u subclass %u signaling %u media %u weak %u",
			 xi.kind, xi.type, xi.subclass, xi.is_signaling, xi.is_media, xi.weak);
	} else if (!strcmp(proto, "bfcp")) {
		struct cf_bfcp_info bi;

		r = cf_recog_bfcp(p, n, tcp, &bi);
		snprintf(line, cap, "version %u primitive %u length %u", bi.version,
			 bi.primitive, bi.payload_len);
	} else {
		return (enum cf_rec)-1;          /* not this recogniser's transport */
	}
	if (tcp && r != CF_REC_NO && fi.need > 0 && !fi.hdr_cut) {
		/* where the cut message starts: the framing walk says */
		if (strcmp(proto, "stun-tcp") != 0)
			cf_recog_tcp_frames(p, n, !strcmp(proto, "sccp") ? CF_FRAME_SCCP :
					    CF_FRAME_TPKT, NULL, NULL, &fi);
		*keep = n - fi.used;
	}
	return r;
}

static void on_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct cf_packet pk;
	struct carry *cy = NULL;
	const uint8_t *p;
	size_t n, keep;
	enum cf_rec r;
	char line[256];

	(void)ctx;
	(void)ts_us;
	frame++;
	if (cf_decode(link, data, caplen, wirelen, &pk, &dst) != CF_DEC_OK ||
	    pk.payload_len == 0 || (pk.proto != 6 && pk.proto != 17))
		return;
	p = pk.payload;
	n = pk.payload_len;
	if (pk.proto == 6 && strcmp(proto, "mgcp") && strcmp(proto, "iax2") &&
	    strcmp(proto, "bfcp") && (cy = carry_of(&pk)) != NULL && cy->n > 0) {
		memcpy(joined, cy->b, cy->n);
		memcpy(joined + cy->n, p, n);
		p = joined;
		n += cy->n;
		cy->n = 0;
		carried++;
	}
	r = judge(&pk, p, n, &keep, line, sizeof(line));
	if ((int)r < 0)
		return;
	payloads++;
	if (cy != NULL && keep > 0 && keep <= CARRY_MAX) {
		memmove(cy->b, p + n - keep, keep);
		cy->n = keep;
	}
	yes += r == CF_REC_YES;
	truncated += r == CF_REC_TRUNCATED;
	no += r == CF_REC_NO;
	if (verbose)
		printf("frame %lu %u>%u len %zu: %s %s\n", frame, pk.sport, pk.dport, n,
		       r == CF_REC_YES ? "YES" : r == CF_REC_TRUNCATED ? "TRUNCATED" : "NO",
		       line);
}

int main(int argc, char **argv)
{
	struct cf_capture_stats st;
	char err[1024];
	const char *files[1];
	int a = 1;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		a++;
	}
	if (argc - a != 3) {
		fprintf(stderr, "usage: recog-count [-v] PROTO FILTER CAPTURE\n");
		return 2;
	}
	proto = argv[a];
	files[0] = argv[a + 2];
	if (cf_capture_files(files, 1, argv[a + 1], on_packet, NULL, NULL, &st,
			     err, sizeof(err)) != 0) {
		fprintf(stderr, "recog-count: %s\n", err);
		return 3;
	}
	printf("payloads %lu yes %lu truncated %lu no %lu messages %lu media %lu "
	       "weak %lu strong %lu carried %lu\n", payloads, yes, truncated, no,
	       msgs, media, weak, strong, carried);
	return 0;
}
