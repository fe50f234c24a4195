/*
 * cfgen - turn a scenario text file into a capture, deterministically.
 *
 *   cfgen [-F pcap|pcapng] [-l ether|sll|sll2|raw|null] [-s SEED] SCENARIO OUT
 *   cfgen [-F ...] [-l ...] [-s SEED] --bench FLOWS [--mix churn|gateway|flood] OUT
 *
 * The same scenario and seed always give a byte-identical file.  The full
 * language is in tests/gen/README; in short, one flow per line:
 *
 *   # comment
 *   start 2024-03-01T10:00:00Z       base packet time (this is the default)
 *   link ether|sll|sll2|raw|null      link type (default ether; -l wins)
 *   format pcap|pcapng                file format (default pcap; -F wins)
 *   seed N                            PRNG seed (default 1; -s wins)
 *   snaplen N                         cap every record at N bytes
 *   snap-last N                       keep only N bytes of the last record
 *                                     (a valid record with caplen < len)
 *   truncate-last N                   cut the file N bytes into the last
 *                                     record's data (a damaged file)
 *   at +T KIND SRC > DST [key=value | flag]...
 *
 * KIND: tls dtls rtp srtp rtcp zoom zoom-p2p stun turn dns dhcp udp tcp.
 * SRC/DST: A.B.C.D:PORT or [IPV6]:PORT; SRC is the local end.  Packets of
 * all flows are interleaved by time (ties: scenario order).  Options:
 * packets= size= interval= rtt= both oneway vlan=ID|OUTER.INNER sni=
 * alpn= version=1.2|1.3 pt= ssrc= clock= kind=video|audio|screen|rtcp
 * media= query= answer=IP[,IP...] cname= mapped= peer= channel
 * payload=/reply=hex:..|text:..|zero:N close=fin|rst|none.
 * A value may be double-quoted to hold spaces; text: (and sni=, query=,
 * cname=) know \r \n \t \0 \\ \" \xHH.  An option the kind does not use
 * is an error.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cfgen.h"

static const char *progname = "cfgen";

void cfgen_die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* ---- time merge of all flows ---- */

struct heap {
	struct gflow **a;
	size_t n;
};

static uint64_t next_ts(const struct gflow *g)
{
	return g->pk[g->next].ts_us;
}

static int before(const struct gflow *x, const struct gflow *y)
{
	if (next_ts(x) != next_ts(y))
		return next_ts(x) < next_ts(y);
	return x->index < y->index;
}

static void heap_push(struct heap *h, struct gflow *g)
{
	size_t i = h->n++;

	h->a[i] = g;
	while (i > 0 && before(h->a[i], h->a[(i - 1) / 2])) {
		struct gflow *t = h->a[i];
		h->a[i] = h->a[(i - 1) / 2];
		h->a[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct gflow *heap_pop(struct heap *h)
{
	struct gflow *top = h->a[0];
	size_t i = 0;

	h->a[0] = h->a[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && before(h->a[l], h->a[m]))
			m = l;
		if (r < h->n && before(h->a[r], h->a[m]))
			m = r;
		if (m == i)
			break;
		struct gflow *t = h->a[i];
		h->a[i] = h->a[m];
		h->a[m] = t;
		i = m;
	}
	return top;
}

typedef void (*builder_fn)(struct gflow *);

static const builder_fn builders[] = {
	[K_TLS] = build_tls, [K_DTLS] = build_dtls, [K_RTP] = build_rtp,
	[K_SRTP] = build_rtp, [K_RTCP] = build_rtcp, [K_ZOOM] = build_zoom,
	[K_ZOOM_P2P] = build_zoom, [K_STUN] = build_stun, [K_TURN] = build_turn,
	[K_DNS] = build_dns, [K_DHCP] = build_dhcp, [K_UDP] = build_udp,
	[K_TCP] = build_tcp, [K_H225] = build_h225, [K_H245] = build_h245, [K_RAS] = build_ras,
	[K_SCCP] = build_sccp, [K_MGCP] = build_mgcp, [K_IAX2] = build_iax2,
	[K_BFCP] = build_bfcp, [K_ICE_TCP] = build_ice_tcp,
	[K_TURN_TCP] = build_turn_tcp,
};

/* Build flow i's packets, in time order (stable: builders' order on ties). */
static struct gflow *flow_build(const struct cf_spec *s, size_t index, uint64_t seed)
{
	struct gflow *g = calloc(1, sizeof(*g));

	if (!g)
		cfgen_die(3, "out of memory");
	g->spec = s;
	g->index = index;
	prng_seed(&g->rng, seed, (uint64_t)index);
	g->ipid[0] = (uint16_t)prng_next(&g->rng);
	g->ipid[1] = (uint16_t)prng_next(&g->rng);
	builders[s->kind](g);
	for (size_t i = 1; i < g->n; i++) {
		struct gpkt p = g->pk[i];
		size_t j = i;
		while (j > 0 && g->pk[j - 1].ts_us > p.ts_us) {
			g->pk[j] = g->pk[j - 1];
			j--;
		}
		g->pk[j] = p;
	}
	return g;
}

static int spec_order(const void *a, const void *b)
{
	const struct cf_spec *x = a, *y = b;

	if (x->start_us != y->start_us)
		return x->start_us < y->start_us ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Write all flows of sc interleaved by time.  A flow is built when the
 * merge reaches its start time and freed once written, so memory follows
 * the number of flows alive at once, not the size of the capture.
 */
static void merge_write(struct scenario *sc, struct writer *w)
{
	struct heap h = { calloc(sc->n + 1, sizeof(struct gflow *)), 0 };
	size_t pending = 0;

	if (!h.a)
		cfgen_die(3, "out of memory");
	qsort(sc->spec, sc->n, sizeof(*sc->spec), spec_order);
	for (;;) {
		while (pending < sc->n && (h.n == 0 ||
		       sc->spec[pending].start_us <= next_ts(h.a[0]))) {
			struct gflow *g = flow_build(&sc->spec[pending], pending, sc->seed);
			pending++;
			if (g->n)
				heap_push(&h, g);
			else
				free(g);
		}
		if (h.n == 0)
			break;
		struct gflow *g = heap_pop(&h);
		struct gpkt *p = &g->pk[g->next++];
		int last = g->next == g->n && h.n == 0 && pending == sc->n;
		if (writer_packet(w, g, p, last ? sc->snap_last : -1) != 0)
			cfgen_die(3, "write error");
		buf_free(&p->data);
		if (g->next < g->n) {
			heap_push(&h, g);
		} else {
			gflow_free(g);
			free(g);
		}
	}
	free(h.a);
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: cfgen [-F pcap|pcapng] [-l ether|sll|sll2|raw|null] [-s SEED] SCENARIO OUT\n"
		"       cfgen [-F pcap|pcapng] [-l LINK] [-s SEED] --bench FLOWS [--mix churn|gateway|flood] OUT\n"
		"The scenario language is described in tests/gen/README.\n");
	exit(2);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* What the command line asked for; -1 / 0 where it said nothing. */
struct cmdline {
	int fmt, link, seed_set;
	unsigned long seed, bench;
	int mix;                /* --mix: CF_MIX_* */
	const char *scenario, *out;
};

static void parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	static const struct option longopts[] = {
		{ "bench", required_argument, NULL, 'B' },
		{ "mix", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum link lk;
	int c;

	memset(cl, 0, sizeof(*cl));
	cl->fmt = cl->link = -1;
	cl->seed = 1;
	while ((c = getopt_long(argc, argv, "F:l:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (strcmp(optarg, "pcap") && strcmp(optarg, "pcapng"))
				cfgen_die(2, "-F: want pcap or pcapng, not '%s'", optarg);
			cl->fmt = strcmp(optarg, "pcap") ? F_PCAPNG : F_PCAP;
			break;
		case 'l':
			if (link_parse(optarg, &lk))
				cfgen_die(2, "-l: unknown link type '%s'", optarg);
			cl->link = (int)lk;
			break;
		case 's':
			if (parse_ulong(optarg, ~0UL, &cl->seed))
				cfgen_die(2, "-s: bad seed '%s'", optarg);
			cl->seed_set = 1;
			break;
		case 'B':
			if (parse_ulong(optarg, 100000000UL, &cl->bench) || cl->bench == 0)
				cfgen_die(2, "--bench: bad flow count '%s'", optarg);
			break;
		case 'M':
			if (strcmp(optarg, "churn") == 0)
				cl->mix = CF_MIX_CHURN;
			else if (strcmp(optarg, "gateway") == 0)
				cl->mix = CF_MIX_GATEWAY;
			else if (strcmp(optarg, "flood") == 0)
				cl->mix = CF_MIX_FLOOD;
			else
				cfgen_die(2, "--mix: want churn, gateway or flood, not '%s'", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != (cl->bench ? 1 : 2))
		usage();
	cl->scenario = cl->bench ? NULL : argv[optind];
	cl->out = argv[argc - 1];
}

int main(int argc, char **argv)
{
	struct cmdline cl;
	struct scenario sc;
	char err[256];

	parse_cmdline(argc, argv, &cl);
	scenario_init(&sc);
	if (cl.bench) {
		sc.path = "--bench";
		bench_specs(&sc.spec, &sc.n, cl.bench, sc.start_us, cl.seed, cl.mix);
	} else {
		scenario_read(&sc, cl.scenario);
		if (cl.fmt < 0 && ends_with(cl.out, ".pcapng"))
			cl.fmt = F_PCAPNG;
	}
	if (cl.fmt >= 0)
		sc.fmt = (enum fmt)cl.fmt;
	if (cl.link >= 0)
		sc.link = (enum link)cl.link;
	if (cl.seed_set)
		sc.seed = cl.seed;
	for (size_t i = 0; i < sc.n; i++)
		if (sc.spec[i].nvlan && (sc.link == L_RAW || sc.link == L_NULL))
			cfgen_die(2, "%s:%d: vlan= needs an ether, sll or sll2 link",
				  sc.path, sc.spec[i].line);

	struct writer *w = writer_open(cl.out, sc.fmt, sc.link, sc.snaplen, err, sizeof(err));
	if (!w)
		cfgen_die(3, "%s", err);
	merge_write(&sc, w);
	if (writer_close(w, sc.truncate_last, err, sizeof(err)) != 0)
		cfgen_die(3, "%s", err);
	for (size_t i = 0; i < sc.n; i++)
		spec_free(&sc.spec[i]);
	free(sc.spec);
	return 0;
}
