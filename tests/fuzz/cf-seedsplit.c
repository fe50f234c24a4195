/*
 * cf-seedsplit.c - turn captures made by cfgen into seed corpora for the
 * fuzz targets (make-seeds.sh runs it; nothing it writes is committed).
 *
 *   cf-seedsplit OUTDIR CAPTURE...
 *
 * Every frame becomes a fuzz-decode seed (link type byte, wire-length
 * mode byte, frame).  Every transport payload is offered to each wire
 * recogniser; one that does not say NO gets it as a seed (with the flag
 * byte its target expects).  Seeds are named by a hash of their bytes;
 * at most PER_SHAPE seeds of one shape (target, first byte, length) and
 * MAX_PER_TARGET per target are kept, so a capture of a thousand RTP
 * packets gives a handful of seeds, not a thousand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/capture.h"
#include "classify/dns-cache.h"
#include "decode/decode.h"
#include "classify/recog/recog.h"

#define PER_SHAPE 2
#define MAX_PER_TARGET 400
#define SHAPES (1u << 16)

enum { T_DECODE, T_TLS, T_DTLS, T_RTP, T_STUN, T_SIP, T_ZOOM, T_QUIC, T_DNS,
       T_X509, T_FRAMES, T_SCCP, T_H323, T_MGCP, T_IAX2, T_BFCP, T_APPS, N_T };

static const char *const target_dir[N_T] = {
	"fuzz-decode", "fuzz-recog-tls", "fuzz-recog-dtls", "fuzz-recog-rtp",
	"fuzz-recog-stun", "fuzz-recog-sip", "fuzz-recog-zoom", "fuzz-recog-quic",
	"fuzz-dns", "fuzz-recog-x509", "fuzz-recog-frames", "fuzz-recog-sccp",
	"fuzz-recog-h323", "fuzz-recog-mgcp", "fuzz-recog-iax2", "fuzz-recog-bfcp",
	"fuzz-recog-apps"
};

static const char *outdir;
static unsigned count[N_T];
static uint8_t shape_seen[SHAPES];
static struct cf_decode_stats dst;

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Write one seed: prefix (0-2 bytes) then data. */
static void seed(int t, const uint8_t *pre, size_t npre, const uint8_t *d, size_t n)
{
	uint8_t key[8] = { (uint8_t)t, n > 0 ? d[0] : 0, (uint8_t)n, (uint8_t)(n >> 8),
			   npre > 0 ? pre[0] : 0, 0, 0, 0 };
	uint64_t h = fnv(key, sizeof(key), 0xcbf29ce484222325ull);
	char path[4096];
	FILE *fp;

	if (count[t] >= MAX_PER_TARGET || shape_seen[h % SHAPES] >= PER_SHAPE)
		return;
	shape_seen[h % SHAPES]++;
	h = fnv(d, n, fnv(pre, npre, 0xcbf29ce484222325ull));
	snprintf(path, sizeof(path), "%s/%s/%016llx", outdir, target_dir[t],
		 (unsigned long long)h);
	fp = fopen(path, "wb");
	if (fp == NULL) {
		fprintf(stderr, "cf-seedsplit: %s: %s\n", path, strerror(errno));
		exit(3);
	}
	if ((npre && fwrite(pre, 1, npre, fp) != npre) ||
	    (n && fwrite(d, 1, n, fp) != n) || fclose(fp) != 0) {
		fprintf(stderr, "cf-seedsplit: cannot write %s\n", path);
		exit(3);
	}
	count[t]++;
}

/* The room-system and TCP-framing recognisers (flag bytes as their
 * targets expect: framing mode, RAS 1 / H.225 0, stream). */
static void room_seeds(const uint8_t *p, size_t n, int tcp)
{
	struct cf_frames_info fi;
	struct cf_sccp_info sccp;
	struct cf_h225_info h225;
	struct cf_ras_info ras;
	struct cf_mgcp_info mgcp;
	struct cf_iax2_info iax2;
	struct cf_bfcp_info bfcp;
	struct cf_agora_info agora;
	uint32_t tg;
	int kind;
	uint8_t flag;

	for (flag = 0; tcp && flag < 4; flag++)
		if (cf_recog_tcp_frames(p, n, (enum cf_frame_mode)flag, NULL, NULL,
					&fi) != CF_REC_NO && fi.n > 0)
			seed(T_FRAMES, &flag, 1, p, n);
	if (tcp && cf_recog_sccp(p, n, &sccp) != CF_REC_NO)
		seed(T_SCCP, NULL, 0, p, n);
	flag = 0;
	if (tcp && cf_recog_h225(p, n, &h225) != CF_REC_NO)
		seed(T_H323, &flag, 1, p, n);
	flag = 1;
	if (!tcp && cf_recog_ras(p, n, &ras) != CF_REC_NO && ras.strong)
		seed(T_H323, &flag, 1, p, n);
	if (cf_recog_mgcp(p, n, &mgcp) != CF_REC_NO)
		seed(T_MGCP, NULL, 0, p, n);
	if (!tcp && cf_recog_iax2(p, n, &iax2) == CF_REC_YES && !iax2.weak)
		seed(T_IAX2, NULL, 0, p, n);
	flag = (uint8_t)tcp;
	if (cf_recog_bfcp(p, n, tcp, &bfcp) != CF_REC_NO)
		seed(T_BFCP, &flag, 1, p, n);
	if (!tcp && (cf_recog_tg_reflector(p, n, &tg) != CF_REC_NO ||
		     cf_recog_agora_join(p, n, &agora) != CF_REC_NO ||
		     cf_recog_discord(p, n, &kind) != CF_REC_NO))
		seed(T_APPS, NULL, 0, p, n);
}

static void payload_seeds(const struct cf_packet *pkt)
{
	const uint8_t *p = pkt->payload;
	size_t n = pkt->payload_len;
	struct cf_tls_info tls;
	struct cf_dtls_info dtls;
	struct cf_rtp_info rtp;
	struct cf_stun_info stun;
	struct cf_sip_info sip;
	struct cf_zoom_info zoom;
	struct cf_quic_info quic;
	uint8_t flag;
	int tcp = pkt->proto == 6;

	if (n == 0)
		return;
	if (tcp && cf_recog_tls(p, n, &tls) != CF_REC_NO)
		seed(T_TLS, NULL, 0, p, n);
	if (!tcp && cf_recog_dtls(p, n, &dtls) != CF_REC_NO) {
		seed(T_DTLS, NULL, 0, p, n);
		/* a certificate's first fragment: its DER (past the two lengths) */
		if (dtls.n_cert > 0 && dtls.cert[0].frag_off == 0 &&
		    dtls.cert[0].frag_len > 6)
			seed(T_X509, NULL, 0, p + dtls.cert[0].data_off + 6,
			     dtls.cert[0].frag_len - 6);
	}
	if (!tcp && (cf_recog_rtp(p, n, &rtp) != CF_REC_NO || cf_recog_zrtp(p, n)))
		seed(T_RTP, NULL, 0, p, n);
	flag = (uint8_t)tcp;
	if (cf_recog_stun(p, n, tcp, &stun) != CF_REC_NO)
		seed(T_STUN, &flag, 1, p, n);
	if (cf_recog_sip(p, n, &sip) != CF_REC_NO)
		seed(T_SIP, NULL, 0, p, n);
	for (flag = 0; flag < 2 && !tcp; flag++)
		if (cf_recog_zoom(p, n, flag, &zoom) != CF_REC_NO)
			seed(T_ZOOM, &flag, 1, p, n);
	if (!tcp && cf_recog_quic(p, n, &quic) != CF_REC_NO)
		seed(T_QUIC, NULL, 0, p, n);
	if (!tcp && (pkt->sport == 53 || pkt->dport == 53 || pkt->sport == 5353))
		seed(T_DNS, NULL, 0, p, n);
	room_seeds(p, n, tcp);
}

static void on_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	uint8_t pre[2] = { (uint8_t)link, 0 };
	struct cf_packet pkt;

	(void)ctx;
	(void)ts_us;
	if (wirelen > caplen)   /* the fuzz-decode mode byte: longer on the wire */
		pre[1] = (uint8_t)(0x80 | (((wirelen - caplen) / 61) & 0x7f));
	seed(T_DECODE, pre, 2, data, caplen);
	if (cf_decode(link, data, caplen, wirelen, &pkt, &dst) == CF_DEC_OK)
		payload_seeds(&pkt);
}

int main(int argc, char **argv)
{
	struct cf_capture_stats st;
	char err[1024], path[4096];
	int i, t;

	if (argc < 3) {
		fprintf(stderr, "usage: cf-seedsplit OUTDIR CAPTURE...\n");
		return 2;
	}
	outdir = argv[1];
	for (t = 0; t < N_T; t++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, target_dir[t]);
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "cf-seedsplit: %s: %s\n", path, strerror(errno));
			return 3;
		}
	}
	for (i = 2; i < argc; i++) {
		const char *files[1] = { argv[i] };

		if (cf_capture_files(files, 1, NULL, on_packet, NULL, NULL, &st,
				     err, sizeof(err)) != 0) {
			fprintf(stderr, "cf-seedsplit: %s\n", err);
			return 3;
		}
	}
	for (t = 0; t < N_T; t++)
		printf("%s: %u seeds\n", target_dir[t], count[t]);
	return 0;
}
