/*
 * cfgen-wire.c - the bottom of cfgen: byte buffers, the PRNG, addresses,
 * a flow's packet list, and the framing and writing of captures.
 *
 * Framing (outermost first):
 *   ether  dst MAC, src MAC, [0x88a8 TCI] [0x8100 TCI] ethertype   (14 + 4/tag)
 *   sll    packet type, ARPHRD_ETHER, 6, address(8), protocol       (16)
 *   sll2   protocol, 0, ifindex, ARPHRD_ETHER, packet type, 6, addr (20)
 *   raw    nothing: the IP header comes first
 *   null   4-byte address family in the writer's byte order
 * then IPv4 (RFC 791, header checksum) or IPv6 (RFC 8200), then UDP
 * (RFC 768) or TCP (RFC 9293), both with the pseudo-header checksum.
 *
 * pcap files are written by libpcap (pcap_open_dead + pcap_dump); pcapng
 * (draft-ietf-opsawg-pcapng) is written here, little-endian: one Section
 * Header Block, one Interface Description Block, then one Enhanced Packet
 * Block per packet, microsecond timestamps (the default if_tsresol).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "cfgen.h"

/* ---- buffers ---- */

void buf_reserve(struct buf *b, size_t extra)
{
	size_t want = b->len + extra;

	if (want <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (!b->p) {
		fprintf(stderr, "cfgen: out of memory\n");
		exit(3);
	}
	b->cap = cap;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void buf_u8(struct buf *b, unsigned v)
{
	buf_reserve(b, 1);
	b->p[b->len++] = (uint8_t)v;
}

void buf_be16(struct buf *b, unsigned v)
{
	buf_u8(b, v >> 8);
	buf_u8(b, v);
}

void buf_be24(struct buf *b, uint32_t v)
{
	buf_u8(b, v >> 16);
	buf_be16(b, v & 0xffff);
}

void buf_be32(struct buf *b, uint32_t v)
{
	buf_be16(b, v >> 16);
	buf_be16(b, v & 0xffff);
}

void buf_be48(struct buf *b, uint64_t v)
{
	buf_be16(b, (unsigned)(v >> 32) & 0xffff);
	buf_be32(b, (uint32_t)v);
}

void buf_le16(struct buf *b, unsigned v)
{
	buf_u8(b, v);
	buf_u8(b, v >> 8);
}

void buf_le32(struct buf *b, uint32_t v)
{
	buf_le16(b, v & 0xffff);
	buf_le16(b, v >> 16);
}

void buf_bytes(struct buf *b, const void *src, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

void buf_zero(struct buf *b, size_t n)
{
	buf_reserve(b, n);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

void buf_str(struct buf *b, const char *s)
{
	buf_bytes(b, s, strlen(s));
}

void buf_put_be16(struct buf *b, size_t off, unsigned v)
{
	b->p[off] = (uint8_t)(v >> 8);
	b->p[off + 1] = (uint8_t)v;
}

void buf_put_be24(struct buf *b, size_t off, uint32_t v)
{
	b->p[off] = (uint8_t)(v >> 16);
	buf_put_be16(b, off + 1, v & 0xffff);
}

/* ---- PRNG ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* One independent stream per (seed, stream): flows do not disturb each other. */
void prng_seed(struct prng *r, uint64_t seed, uint64_t stream)
{
	r->s = splitmix64(seed ^ splitmix64(stream + 1));
	if (r->s == 0)
		r->s = 0x2545f4914f6cdd1dULL;
}

uint64_t prng_next(struct prng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t prng_range(struct prng *r, uint32_t n)
{
	return n ? (uint32_t)((prng_next(r) >> 32) % n) : 0;
}

void buf_rand(struct buf *b, struct prng *r, size_t n)
{
	buf_reserve(b, n);
	for (size_t i = 0; i < n; i++)
		b->p[b->len++] = (uint8_t)(prng_next(r) >> 56);
}

/* ---- addresses ---- */

int parse_endpoint(const char *s, struct endpoint *e, int want_port)
{
	char host[64];
	const char *port = NULL;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (!want_port && s[0] != '[' && strchr(s, ':') != strrchr(s, ':')) {
		e->v6 = 1;              /* a bare IPv6 address, no port */
		return inet_pton(AF_INET6, s, e->ip) == 1 ? 0 : -1;
	}
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || (size_t)(rb - s - 1) >= sizeof(host))
			return -1;
		n = (size_t)(rb - s - 1);
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1] != '\0')
			return -1;
		e->v6 = 1;
	} else {
		const char *colon = strchr(s, ':');
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (n >= sizeof(host))
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		if (colon)
			port = colon + 1;
		if (strchr(host, ':'))
			return -1;
	}
	if (inet_pton(e->v6 ? AF_INET6 : AF_INET, host, e->ip) != 1)
		return -1;
	if (!port)
		return want_port ? -1 : 0;
	char *end;
	long v = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || v < 0 || v > 65535)
		return -1;
	e->port = (uint16_t)v;
	return 0;
}

/* ---- a flow's packets ---- */

static struct gpkt *gflow_add(struct gflow *g, uint64_t ts_us, int dir)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->pk = realloc(g->pk, g->cap * sizeof(*g->pk));
		if (!g->pk) {
			fprintf(stderr, "cfgen: out of memory\n");
			exit(3);
		}
	}
	struct gpkt *p = &g->pk[g->n++];
	memset(p, 0, sizeof(*p));
	p->ts_us = ts_us;
	p->dir = (uint8_t)dir;
	return p;
}

struct buf *gflow_udp(struct gflow *g, uint64_t ts_us, int dir)
{
	return &gflow_add(g, ts_us, dir)->data;
}

struct buf *gflow_tcp(struct gflow *g, uint64_t ts_us, int dir, unsigned flags)
{
	struct gpkt *p = gflow_add(g, ts_us, dir);

	p->flags = (uint8_t)flags;
	return &p->data;
}

/*
 * Number the segments in time order: each side's sequence advances by its
 * payload and by one for SYN and FIN; ack is the other side's next number
 * (after SYN-ACK).  Builders append TCP packets in time order.
 */
void gflow_tcp_numbers(struct gflow *g)
{
	uint32_t next[2] = { g->tcp_next[0], g->tcp_next[1] };

	for (size_t i = 0; i < g->n; i++) {
		struct gpkt *p = &g->pk[i];
		int d = p->dir;

		p->seq = next[d];
		p->ack = (p->flags & TH_ACK) ? next[!d] : 0;
		next[d] += (uint32_t)p->data.len;
		if (p->flags & (TH_SYN | TH_FIN))
			next[d]++;
	}
}

void gflow_free(struct gflow *g)
{
	for (size_t i = 0; i < g->n; i++)
		buf_free(&g->pk[i].data);
	free(g->pk);
	g->pk = NULL;
	g->n = g->cap = 0;
}

uint64_t tcp_open(struct gflow *g, uint64_t t, uint64_t rtt)
{
	g->tcp_next[0] = (uint32_t)prng_next(&g->rng);
	g->tcp_next[1] = (uint32_t)prng_next(&g->rng);
	gflow_tcp(g, t, 0, TH_SYN);
	gflow_tcp(g, t + rtt / 2, 1, TH_SYN | TH_ACK);
	gflow_tcp(g, t + rtt, 0, TH_ACK);
	return t + rtt;
}

void tcp_shut(struct gflow *g, uint64_t t, uint64_t rtt)
{
	switch (g->spec->close) {
	case CLOSE_FIN:
		gflow_tcp(g, t, 0, TH_FIN | TH_ACK);
		gflow_tcp(g, t + rtt / 2, 1, TH_FIN | TH_ACK);
		gflow_tcp(g, t + rtt, 0, TH_ACK);
		break;
	case CLOSE_RST:
		gflow_tcp(g, t, 0, TH_RST | TH_ACK);
		break;
	case CLOSE_NONE:
		break;
	}
}

/* ---- framing ---- */

static void mac_of(const struct endpoint *e, uint8_t mac[6])
{
	const uint8_t *a = e->v6 ? e->ip + 12 : e->ip;

	if (!e->v6 && (a[3] == 255 || (a[0] == 0xff && a[1] == 0xff))) {
		memset(mac, 0xff, 6);
	} else if (!e->v6 && (a[0] & 0xf0) == 0xe0) {
		const uint8_t m[6] = { 0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3] };
		memcpy(mac, m, 6);
	} else if (e->v6 && e->ip[0] == 0xff) {
		const uint8_t m[6] = { 0x33, 0x33, a[0], a[1], a[2], a[3] };
		memcpy(mac, m, 6);
	} else {
		const uint8_t m[6] = { 0x02, 0x00, a[0], a[1], a[2], a[3] };
		memcpy(mac, m, 6);
	}
}

/* Linux packet type as seen on the capturing host (the scenario's src). */
static unsigned sll_pkttype(const struct endpoint *to, int dir)
{
	uint8_t mac[6];

	mac_of(to, mac);
	if (mac[0] == 0xff)
		return 1;               /* PACKET_BROADCAST */
	if (mac[0] & 1)
		return 2;               /* PACKET_MULTICAST */
	return dir == 0 ? 4 : 0;        /* PACKET_OUTGOING / PACKET_HOST */
}

static void frame_vlan(struct buf *f, const struct cf_spec *s, unsigned ethertype)
{
	if (s->nvlan == 2) {
		buf_be16(f, 0x88a8);
		buf_be16(f, s->vlan[0]);
		buf_be16(f, 0x8100);
		buf_be16(f, s->vlan[1]);
	} else if (s->nvlan == 1) {
		buf_be16(f, 0x8100);
		buf_be16(f, s->vlan[0]);
	}
	buf_be16(f, ethertype);
}

/* Linux cooked v2: protocol first, then the tags (if any) after the header. */
static void frame_sll2(struct buf *f, const struct cf_spec *s, unsigned et,
		       unsigned pkttype, const uint8_t smac[6])
{
	struct buf t = { 0 };

	frame_vlan(&t, s, et);          /* [tags...] ethertype */
	buf_bytes(f, t.p, 2);           /* protocol: the first of them */
	buf_zero(f, 2);
	buf_be32(f, 1);                 /* interface index */
	buf_be16(f, 1);                 /* ARPHRD_ETHER */
	buf_u8(f, pkttype);
	buf_u8(f, 6);
	buf_bytes(f, smac, 6);
	buf_zero(f, 2);
	buf_bytes(f, t.p + 2, t.len - 2);
	buf_free(&t);
}

static void frame_link(struct buf *f, enum link link, const struct cf_spec *s,
		       int dir, enum fmt fmt)
{
	const struct endpoint *from = dir ? &s->dst : &s->src;
	const struct endpoint *to = dir ? &s->src : &s->dst;
	unsigned et = from->v6 ? 0x86dd : 0x0800;
	uint8_t smac[6], dmac[6];

	mac_of(from, smac);
	mac_of(to, dmac);
	switch (link) {
	case L_ETHER:
		buf_bytes(f, dmac, 6);
		buf_bytes(f, smac, 6);
		frame_vlan(f, s, et);
		break;
	case L_SLL:
		buf_be16(f, sll_pkttype(to, dir));
		buf_be16(f, 1);
		buf_be16(f, 6);
		buf_bytes(f, smac, 6);
		buf_zero(f, 2);
		frame_vlan(f, s, et);
		break;
	case L_SLL2:
		frame_sll2(f, s, et, sll_pkttype(to, dir), smac);
		break;
	case L_RAW:
		break;
	case L_NULL: {
		uint32_t af = from->v6 ? 24 : 2;   /* BSD AF_INET6 / AF_INET */
		if (fmt == F_PCAPNG)
			buf_le32(f, af);
		else
			buf_bytes(f, &af, 4);  /* libpcap's file: host order */
		break;
	}
	}
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void frame_ip(struct buf *f, const struct endpoint *from,
		     const struct endpoint *to, unsigned proto, size_t l4len,
		     uint16_t id)
{
	size_t off = f->len;

	if (from->v6) {
		buf_be32(f, 0x60000000);
		buf_be16(f, (unsigned)l4len);
		buf_u8(f, proto);
		buf_u8(f, to->ip[0] == 0xff ? 255 : 64);
		buf_bytes(f, from->ip, 16);
		buf_bytes(f, to->ip, 16);
		return;
	}
	buf_u8(f, 0x45);
	buf_u8(f, 0);
	buf_be16(f, (unsigned)(20 + l4len));
	buf_be16(f, id);
	buf_be16(f, 0x4000);    /* DF */
	buf_u8(f, (to->ip[0] & 0xf0) == 0xe0 ? 255 : 64);  /* multicast: 255 */
	buf_u8(f, proto);
	buf_be16(f, 0);
	buf_bytes(f, from->ip, 4);
	buf_bytes(f, to->ip, 4);
	buf_put_be16(f, off + 10, csum_fold(csum_add(0, f->p + off, 20)));
}

/* Transport checksum over the pseudo-header and the segment at f[off..]. */
static uint16_t l4_csum(const struct endpoint *from, const struct endpoint *to,
			unsigned proto, const uint8_t *seg, size_t len)
{
	size_t alen = from->v6 ? 16 : 4;
	uint8_t tail[8] = { 0, 0, (uint8_t)(len >> 8), (uint8_t)len,
			    0, 0, 0, (uint8_t)proto };
	uint32_t sum = csum_add(0, from->ip, alen);

	sum = csum_add(sum, to->ip, alen);
	if (from->v6) {
		tail[0] = (uint8_t)(len >> 24);
		tail[1] = (uint8_t)(len >> 16);
		sum = csum_add(sum, tail, 8);
	} else {
		sum = csum_add(sum, tail + 2, 2);
		sum = csum_add(sum, tail + 6, 2);
	}
	return csum_fold(csum_add(sum, seg, len));
}

static void frame_l4(struct buf *f, const struct cf_spec *s, const struct gpkt *p,
		     const struct endpoint *from, const struct endpoint *to)
{
	size_t off = f->len;
	int tcp = spec_is_tcp(s);

	buf_be16(f, from->port);
	buf_be16(f, to->port);
	if (!tcp) {
		buf_be16(f, (unsigned)(8 + p->data.len));
		buf_be16(f, 0);
		buf_bytes(f, p->data.p, p->data.len);
		uint16_t c = l4_csum(from, to, 17, f->p + off, f->len - off);
		buf_put_be16(f, off + 6, c ? c : 0xffff);
		return;
	}
	int syn = (p->flags & TH_SYN) != 0;
	buf_be32(f, p->seq);
	buf_be32(f, p->ack);
	buf_u8(f, (syn ? 6 : 5) << 4);
	buf_u8(f, p->flags);
	buf_be16(f, 64240);
	buf_be16(f, 0);
	buf_be16(f, 0);
	if (syn) {
		buf_be16(f, 0x0204);    /* MSS 1460 */
		buf_be16(f, 1460);
	}
	buf_bytes(f, p->data.p, p->data.len);
	buf_put_be16(f, off + 16, l4_csum(from, to, 6, f->p + off, f->len - off));
}

/* Build the whole frame of p into f. */
static void frame(struct buf *f, enum link link, enum fmt fmt,
		  const struct gflow *g, const struct gpkt *p)
{
	const struct cf_spec *s = g->spec;
	const struct endpoint *from = p->dir ? &s->dst : &s->src;
	const struct endpoint *to = p->dir ? &s->src : &s->dst;
	int tcp = spec_is_tcp(s);
	size_t l4len = (tcp ? ((p->flags & TH_SYN) ? 24 : 20) : 8) + p->data.len;
	uint16_t id = (uint16_t)(g->ipid[p->dir] + (uint16_t)(p - g->pk));

	f->len = 0;
	frame_link(f, link, s, p->dir, fmt);
	frame_ip(f, from, to, tcp ? 6 : 17, l4len, id);
	frame_l4(f, s, p, from, to);
}

/* ---- writers ---- */

struct writer {
	enum fmt fmt;
	enum link link;
	uint32_t snaplen;
	char *path;
	FILE *fp;               /* pcapng */
	pcap_t *pd;             /* pcap */
	pcap_dumper_t *dump;
	long long last_off;     /* file offset of the last record's data */
	uint32_t last_caplen;
	uint64_t count;
	struct buf frame;
};

static const struct {
	const char *name;
	enum link link;
	int dlt;
	unsigned linktype;
} links[] = {
	{ "ether", L_ETHER, DLT_EN10MB, 1 },
	{ "sll", L_SLL, DLT_LINUX_SLL, 113 },
	{ "sll2", L_SLL2, DLT_LINUX_SLL2, 276 },
	{ "raw", L_RAW, DLT_RAW, 101 },
	{ "null", L_NULL, DLT_NULL, 0 },
};

int link_parse(const char *s, enum link *l)
{
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (strcmp(s, links[i].name) == 0) {
			*l = links[i].link;
			return 0;
		}
	return -1;
}

/* Close a pcapng block begun at start: its length, front and back. */
static void ng_block_end(struct buf *b, size_t start)
{
	uint32_t total = (uint32_t)(b->len - start + 4);

	for (int i = 0; i < 4; i++)
		b->p[start + 4 + (size_t)i] = (uint8_t)(total >> (8 * i));
	buf_le32(b, total);
}

static int ng_header(struct writer *w)
{
	struct buf b = { 0 };

	buf_le32(&b, 0x0a0d0d0a);       /* Section Header Block */
	buf_le32(&b, 0);
	buf_le32(&b, 0x1a2b3c4d);
	buf_le16(&b, 1);
	buf_le16(&b, 0);
	buf_le32(&b, 0xffffffff);       /* section length unknown */
	buf_le32(&b, 0xffffffff);
	ng_block_end(&b, 0);
	size_t idb = b.len;
	buf_le32(&b, 1);                /* Interface Description Block */
	buf_le32(&b, 0);
	buf_le16(&b, links[w->link].linktype);
	buf_le16(&b, 0);
	buf_le32(&b, w->snaplen ? w->snaplen : 262144);
	ng_block_end(&b, idb);
	int rc = fwrite(b.p, 1, b.len, w->fp) == b.len ? 0 : -1;
	buf_free(&b);
	return rc;
}

struct writer *writer_open(const char *path, enum fmt fmt, enum link link,
			   uint32_t snaplen, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (!w || !(w->path = strdup(path))) {
		snprintf(err, errlen, "out of memory");
		free(w);
		return NULL;
	}
	w->fmt = fmt;
	w->link = link;
	w->snaplen = snaplen;
	w->last_off = -1;
	if (fmt == F_PCAPNG) {
		w->fp = fopen(path, "wb");
		if (w->fp && ng_header(w) == 0)
			return w;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	} else {
		w->pd = pcap_open_dead(links[link].dlt, snaplen ? (int)snaplen : 262144);
		if (w->pd && (w->dump = pcap_dump_open(w->pd, path)) != NULL)
			return w;
		snprintf(err, errlen, "%s", w->pd ? pcap_geterr(w->pd) : "pcap_open_dead failed");
	}
	if (w->fp)
		fclose(w->fp);
	if (w->pd)
		pcap_close(w->pd);
	free(w->path);
	free(w);
	return NULL;
}

static int ng_packet(struct writer *w, uint64_t ts, const uint8_t *d,
		     uint32_t caplen, uint32_t len)
{
	struct buf b = { 0 };

	buf_le32(&b, 6);                /* Enhanced Packet Block */
	buf_le32(&b, 0);
	buf_le32(&b, 0);                /* interface 0 */
	buf_le32(&b, (uint32_t)(ts >> 32));
	buf_le32(&b, (uint32_t)ts);
	buf_le32(&b, caplen);
	buf_le32(&b, len);
	w->last_off = ftell(w->fp) + (long long)b.len;
	buf_bytes(&b, d, caplen);
	buf_zero(&b, (4 - caplen % 4) % 4);
	ng_block_end(&b, 0);
	int rc = fwrite(b.p, 1, b.len, w->fp) == b.len ? 0 : -1;
	buf_free(&b);
	return rc;
}

int writer_packet(struct writer *w, const struct gflow *g, const struct gpkt *p,
		  long caplen_max)
{
	frame(&w->frame, w->link, w->fmt, g, p);
	uint32_t len = (uint32_t)w->frame.len;
	uint32_t caplen = len;

	if (w->snaplen && caplen > w->snaplen)
		caplen = w->snaplen;
	if (caplen_max >= 0 && caplen > (uint32_t)caplen_max)
		caplen = (uint32_t)caplen_max;
	w->last_caplen = caplen;
	w->count++;
	if (w->fmt == F_PCAPNG)
		return ng_packet(w, p->ts_us, w->frame.p, caplen, len);

	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(p->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(p->ts_us % 1000000);
	h.caplen = caplen;
	h.len = len;
	w->last_off = (long long)pcap_dump_ftell64(w->dump) + 16;
	pcap_dump((u_char *)w->dump, &h, w->frame.p);
	return 0;
}

int writer_close(struct writer *w, long truncate_last, char *err, size_t errlen)
{
	int rc = 0;

	if (w->fmt == F_PCAPNG) {
		if (fclose(w->fp) != 0) {
			snprintf(err, errlen, "%s: %s", w->path, strerror(errno));
			rc = -1;
		}
	} else {
		if (pcap_dump_flush(w->dump) != 0) {
			snprintf(err, errlen, "%s: write error", w->path);
			rc = -1;
		}
		pcap_dump_close(w->dump);
		pcap_close(w->pd);
	}
	if (rc == 0 && truncate_last >= 0) {
		if (w->count == 0) {
			snprintf(err, errlen, "truncate-last: no packet to cut");
			rc = -1;
		} else {
			long long keep = truncate_last < (long)w->last_caplen ?
				truncate_last : (long)w->last_caplen;
			if (truncate(w->path, (off_t)(w->last_off + keep)) != 0) {
				snprintf(err, errlen, "%s: %s", w->path, strerror(errno));
				rc = -1;
			}
		}
	}
	buf_free(&w->frame);
	free(w->path);
	free(w);
	return rc;
}
