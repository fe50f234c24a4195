/*
 * cfgen-bench.c - the --bench traffic mix: many flows, each a scenario line
 * made up here instead of read from a file.
 *
 * Per 100 flows, on average:
 *   30  Zoom server media, UDP 8801 (video/audio/screen, ~1,000 bytes)
 *   20  SRTP media on 3478/19302 (~1,000 bytes)
 *   10  DTLS-SRTP: DTLS handshake, then SRTP on the same 5-tuple
 *   15  TLS with SNI (call apps and web)
 *   15  DNS query and answer through the local resolver
 *   10  plain HTTP over TCP
 * Each flow has a dozen packets: a churn-heavy mix ("--mix churn", the
 * default), where per-flow work (classification, judgement, events)
 * dominates.
 *
 * "--mix gateway" is what a gateway carrying calls sees in a minute: most
 * flows are short (DNS, web, TLS signaling) but most packets are call
 * media, whose flows last long.  Per 100 flows, on average:
 *    2  Zoom server media, UDP 8801, 700 packets each way or one way
 *       (mostly ~1,000-byte video)
 *    2  SRTP media on 3478/19302, as many, ~1,000 bytes
 *    1  DTLS-SRTP handshake, then 700 SRTP packets on the same 5-tuple
 *   35  TLS with SNI (call apps' signaling and web), 4-12 packets
 *   40  DNS query and answer through the local resolver
 *   20  plain HTTP over TCP
 * about 62 packets a flow (6.2 million packets, 5.8 GB for 100,000 flows),
 * flows starting 600 microseconds apart (a minute for 100,000 flows).
 *
 * "--mix flood" is for memory: every flow a DNS query and its answer from
 * a client address and port of its own, 10 microseconds apart, so that
 * with long idle timeouts all of them are alive at the end (a million
 * flows in 10 seconds of packet time, 2 million packets).
 *
 * One flow in ten of the media and TLS kinds is IPv6.  Only the test
 * address ranges are used: 10.1.0.0/16 and fd00::/8 locally, 192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 remotely.
 */
#include <stdlib.h>
#include <string.h>
#include "cfgen.h"

static const char *const snis[] = {
	"zoomsjc1mmr.zoom.us", "zoomfra2mmr.zoom.us", "us04web.zoom.us",
	"teams.microsoft.com", "meet.google.com", "example.webex.com",
	"www.example.com", "cdn.example.net",
};

static const char *const names[] = {
	"zoom.us", "us04web.zoom.us", "teams.microsoft.com", "www.example.com",
	"mail.example.org", "cdn.example.net",
};

static void set_v4(struct endpoint *e, uint8_t a, uint8_t b, uint8_t c,
		   uint8_t d, uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->ip[0] = a;
	e->ip[1] = b;
	e->ip[2] = c;
	e->ip[3] = d;
	e->port = port;
}

static void set_v6(struct endpoint *e, uint16_t net, uint16_t host, uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->v6 = 1;
	if (net) {              /* 2001:db8:NET::HOST */
		e->ip[0] = 0x20;
		e->ip[1] = 0x01;
		e->ip[2] = 0x0d;
		e->ip[3] = 0xb8;
		e->ip[4] = (uint8_t)(net >> 8);
		e->ip[5] = (uint8_t)net;
	} else {                /* fd00::1:HOST */
		e->ip[0] = 0xfd;
		e->ip[13] = 1;
	}
	e->ip[14] = (uint8_t)(host >> 8);
	e->ip[15] = (uint8_t)host;
	e->port = port;
}

/* The remote end of flow i: net is 1 (192.0.2), 2 (198.51.100), 3 (203.0.113). */
static void remote(struct cf_spec *s, struct prng *r, int net, uint16_t port, int v6)
{
	static const uint8_t third[] = { 0, 2, 100, 113 };
	static const uint8_t second[] = { 0, 0, 51, 0 };
	static const uint8_t first[] = { 0, 192, 198, 203 };

	if (v6)
		set_v6(&s->dst, (uint16_t)net, (uint16_t)(1 + prng_range(r, 500)), port);
	else
		set_v4(&s->dst, first[net], second[net], third[net],
		       (uint8_t)(1 + prng_range(r, 250)), port);
}

static void media(struct cf_spec *s, struct prng *r, int c, int v6)
{
	s->both = prng_range(r, 2);
	s->packets = 12;
	s->size = 900 + (long)prng_range(r, 200);
	if (c < 30) {
		uint32_t k = prng_range(r, 20);
		s->kind = K_ZOOM;
		s->zkind = k < 12 ? Z_VIDEO : k < 17 ? Z_AUDIO : Z_SCREEN;
		if (s->zkind == Z_AUDIO)
			s->size = 150 + (long)prng_range(r, 100);
		remote(s, r, 2, 8801, v6);
	} else if (c < 50) {
		s->kind = K_SRTP;
		s->pt = 96;
		/* one draw per statement: argument order is unspecified */
		int net = 1 + (int)prng_range(r, 3);
		uint16_t port = prng_range(r, 2) ? 3478 : 19302;
		remote(s, r, net, port, v6);
	} else {
		s->kind = K_DTLS;
		s->media = 10;
		s->packets = 6;
		remote(s, r, 1, 3478, v6);
	}
}

static void other(struct cf_spec *s, struct prng *r, int c, int v6)
{
	if (c < 75) {
		s->kind = K_TLS;
		s->sni = strdup(snis[prng_range(r, 8)]);
		s->packets = 4 + (long)prng_range(r, 5);
		s->size = 200 + (long)prng_range(r, 1000);
		remote(s, r, 2, 443, v6);
	} else if (c < 90) {
		s->kind = K_DNS;
		s->query = strdup(names[prng_range(r, 6)]);
		s->nanswer = 1;
		set_v4(&s->answer[0], 198, 51, 100, (uint8_t)(1 + prng_range(r, 250)), 0);
		set_v4(&s->dst, 10, 1, 0, 1, 53);
	} else {
		s->kind = K_TCP;
		buf_str(&s->payload, "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
			"User-Agent: cfgen\r\nAccept: */*\r\n\r\n");
		buf_str(&s->reply, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			"Content-Length: 1200\r\n\r\n");
		buf_zero(&s->reply, 1200);
		memset(s->reply.p + s->reply.len - 1200, 'x', 1200);
		remote(s, r, 2, 80, 0);
	}
}

/* The gateway mix: c in 0..99 picks the kind (see the top of the file). */
static void gateway_flow(struct cf_spec *s, struct prng *r, int c, int v6)
{
	if (c < 5) {
		/* media: 1,000 packets at 50 a second each way, mostly video */
		media(s, r, c < 2 ? 0 : c < 4 ? 30 : 50, v6);
		if (s->kind == K_DTLS)
			s->media = 700;
		else
			s->packets = 700;
		if (s->kind == K_ZOOM && s->zkind == Z_AUDIO && prng_range(r, 2))
			s->zkind = Z_VIDEO;
		if (s->kind == K_ZOOM && s->zkind == Z_VIDEO)
			s->size = 900 + (long)prng_range(r, 200);
		return;
	}
	if (c < 40) {
		other(s, r, 60 + (c - 5) * 15 / 35, v6);      /* TLS */
		return;
	}
	if (c < 80) {
		other(s, r, 75 + (c - 40) * 15 / 40, 0);      /* DNS */
		return;
	}
	other(s, r, 90 + (c - 80) / 2, 0);                    /* HTTP */
}

void bench_specs(struct cf_spec **out, size_t *n, unsigned long flows,
		 uint64_t start_us, uint64_t seed, int mix)
{
	struct cf_spec *v = calloc(flows, sizeof(*v));
	struct prng r;

	if (!v) {
		fprintf(stderr, "cfgen: out of memory\n");
		exit(3);
	}
	prng_seed(&r, seed, 0xbe7cULL);
	for (unsigned long i = 0; i < flows; i++) {
		struct cf_spec *s = &v[i];
		int c = (int)prng_range(&r, 100);
		int gateway = mix == CF_MIX_GATEWAY;
		int v6 = (gateway ? c < 40 : c < 75) && prng_range(&r, 10) == 0;

		spec_defaults(s, (int)(i + 1));
		if (mix == CF_MIX_FLOOD) {
			/* client 10.(2+i/65536%200).(i/256%256).(i%256):(1024+i%60000) */
			s->start_us = start_us + (uint64_t)i * 10;
			set_v4(&s->src, 10, (uint8_t)(2 + i / 65536 % 200),
			       (uint8_t)(i / 256 % 256), (uint8_t)(i % 256), 0);
			s->src.port = (uint16_t)(1024 + i % 60000);
			other(s, &r, 80, 0);
			continue;
		}
		s->start_us = start_us + (uint64_t)i * (gateway ? 600 : 150);
		if (v6)
			set_v6(&s->src, 0, (uint16_t)(2 + i % 60000), 0);
		else
			set_v4(&s->src, 10, 1, (uint8_t)(i / 250 % 256),
			       (uint8_t)(2 + i % 250), 0);
		s->src.port = (uint16_t)(20000 + (i * 7) % 40000);
		if (gateway)
			gateway_flow(s, &r, c, v6);
		else if (c < 60)
			media(s, &r, c, v6);
		else
			other(s, &r, c, v6 && c < 75);
	}
	*out = v;
	*n = flows;
}
