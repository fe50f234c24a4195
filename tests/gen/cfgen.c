/*
 * cfgen - turn a scenario text file into a capture, deterministically.
 *
 *   cfgen [-F pcap|pcapng] [-l ether|sll|sll2|raw|null] [-s SEED] SCENARIO OUT
 *   cfgen [-F ...] [-l ...] [-s SEED] --bench FLOWS OUT
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
 * A value may be double-quoted to hold spaces; text: knows \r \n \t \\ \"
 * \xHH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cfgen.h"

#define US(sec) ((uint64_t)((sec) * 1e6 + 0.5))
#define MAXTOK 64

struct scenario {
	const char *path;
	uint64_t start_us;
	enum link link;
	enum fmt fmt;
	uint64_t seed;
	uint32_t snaplen;
	long snap_last, truncate_last;
	struct cf_spec *spec;
	size_t n, cap;
};

static const char *progname = "cfgen";

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void spec_free(struct cf_spec *s)
{
	free(s->sni);
	free(s->alpn);
	free(s->query);
	free(s->cname);
	buf_free(&s->payload);
	buf_free(&s->reply);
}

/* ---- lexical helpers ---- */

/* Split line into tokens; "..." groups (quotes removed), # starts a comment. */
static int tokenize(char *line, char **tok)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#' || n == MAXTOK)
			return *p && *p != '#' ? -1 : n;
		tok[n++] = p;
		char *w = p;
		int q = 0;
		while (*p && (q || (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n'))) {
			if (*p == '"') {
				q = !q;
				p++;
			} else if (q && *p == '\\' && p[1]) {
				*w++ = *p++;    /* keep escapes for text: */
				*w++ = *p++;
			} else {
				*w++ = *p++;
			}
		}
		if (q)
			return -2;
		int end = *p == '\0';
		*w = '\0';
		if (!end && w == p)
			*p = '\0';
		p = end ? p : p + 1;
		if (end)
			return n;
	}
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	unsigned long x = strtoul(s, &end, 0);
	if (!*s || *end || errno || x > max || *s == '-')
		return -1;
	*v = x;
	return 0;
}

static int parse_seconds(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return (!*s || *end || errno || *v < 0 || *v > 1e7) ? -1 : 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_text(const char *s, struct buf *b)
{
	for (; *s; s++) {
		if (*s != '\\') {
			buf_u8(b, (uint8_t)*s);
			continue;
		}
		s++;
		switch (*s) {
		case 'r': buf_u8(b, '\r'); break;
		case 'n': buf_u8(b, '\n'); break;
		case 't': buf_u8(b, '\t'); break;
		case '0': buf_u8(b, 0); break;
		case '\\': case '"': buf_u8(b, (uint8_t)*s); break;
		case 'x':
			if (hexval(s[1]) < 0 || hexval(s[2]) < 0)
				return -1;
			buf_u8(b, (unsigned)(hexval(s[1]) << 4 | hexval(s[2])));
			s += 2;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* hex:0102ab (':' '.' '-' separators allowed), text:..., zero:N */
static int parse_payload(const char *s, struct buf *b)
{
	unsigned long n;

	b->len = 0;
	if (strncmp(s, "text:", 5) == 0)
		return parse_text(s + 5, b);
	if (strncmp(s, "zero:", 5) == 0) {
		if (parse_ulong(s + 5, 65000, &n) != 0)
			return -1;
		buf_zero(b, n);
		return 0;
	}
	if (strncmp(s, "hex:", 4) != 0)
		return -1;
	for (s += 4; *s; s++) {
		if (*s == ':' || *s == '.' || *s == '-')
			continue;
		if (hexval(s[0]) < 0 || hexval(s[1]) < 0)
			return -1;
		buf_u8(b, (unsigned)(hexval(s[0]) << 4 | hexval(s[1])));
		s++;
	}
	return 0;
}

static int parse_iso(const char *s, uint64_t *us)
{
	struct tm tm;
	int Y, M, D, h, m, sec, used = 0;
	double frac = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &used) != 6)
		return -1;
	s += used;
	if (*s == '.') {
		char *end;
		frac = strtod(s, &end);
		s = end;
	}
	if (strcmp(s, "Z") != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	if (t < 0)
		return -1;
	*us = (uint64_t)t * 1000000 + US(frac);
	return 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (; *s; s++) {
		label = *s == '.' ? 0 : label + 1;
		if (label > 63 || (*s == '.' && (s[1] == '.')))
			return 0;
	}
	return 1;
}

/* ---- flow lines ---- */

static const char *const kind_names[] = {
	[K_TLS] = "tls", [K_DTLS] = "dtls", [K_RTP] = "rtp", [K_SRTP] = "srtp",
	[K_RTCP] = "rtcp", [K_ZOOM] = "zoom", [K_ZOOM_P2P] = "zoom-p2p",
	[K_STUN] = "stun", [K_TURN] = "turn", [K_DNS] = "dns", [K_DHCP] = "dhcp",
	[K_UDP] = "udp", [K_TCP] = "tcp",
};

static int kind_parse(const char *s, enum kind *k)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum kind)i;
			return 0;
		}
	return -1;
}

static int parse_vlan(const char *v, struct cf_spec *s)
{
	unsigned long a, b;
	char tmp[32];
	const char *dot = strchr(v, '.');

	if (strlen(v) >= sizeof(tmp))
		return -1;
	strcpy(tmp, v);
	if (dot) {
		tmp[dot - v] = '\0';
		if (parse_ulong(tmp, 4094, &a) || parse_ulong(dot + 1, 4094, &b) || !a || !b)
			return -1;
		s->nvlan = 2;
		s->vlan[0] = (uint16_t)a;
		s->vlan[1] = (uint16_t)b;
		return 0;
	}
	if (parse_ulong(tmp, 4094, &a) || !a)
		return -1;
	s->nvlan = 1;
	s->vlan[0] = (uint16_t)a;
	return 0;
}

static int parse_answers(const char *v, struct cf_spec *s)
{
	char tmp[512];
	char *save, *p;

	if (strlen(v) >= sizeof(tmp))
		return -1;
	strcpy(tmp, v);
	for (p = strtok_r(tmp, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (s->nanswer == 8 || parse_endpoint(p, &s->answer[s->nanswer], 0))
			return -1;
		s->nanswer++;
	}
	return s->nanswer ? 0 : -1;
}

static int parse_zkind(const char *v, struct cf_spec *s)
{
	static const struct { const char *n; enum zkind k; } t[] = {
		{ "video", Z_VIDEO }, { "audio", Z_AUDIO },
		{ "screen", Z_SCREEN }, { "rtcp", Z_RTCP },
	};
	for (size_t i = 0; i < 4; i++)
		if (strcmp(v, t[i].n) == 0) {
			s->zkind = t[i].k;
			return 0;
		}
	return -1;
}

static int parse_close(const char *v, struct cf_spec *s)
{
	if (strcmp(v, "fin") == 0)
		s->close = CLOSE_FIN;
	else if (strcmp(v, "rst") == 0)
		s->close = CLOSE_RST;
	else if (strcmp(v, "none") == 0)
		s->close = CLOSE_NONE;
	else
		return -1;
	return 0;
}

/* One key=value option; returns -1 with a message in err. */
static int spec_option(struct cf_spec *s, const char *key, const char *v,
		       char *err, size_t errlen)
{
	unsigned long u;
	double d;
	int bad = 0;

	if (!strcmp(key, "packets") || !strcmp(key, "size") || !strcmp(key, "media")) {
		bad = parse_ulong(v, 10000000, &u);
		long *dst = key[0] == 'p' ? &s->packets : key[0] == 's' ? &s->size : &s->media;
		*dst = (long)u;
		if (!bad && dst == &s->size && u > 65000)
			bad = 1;
	} else if (!strcmp(key, "interval") || !strcmp(key, "rtt")) {
		bad = parse_seconds(v, &d);
		*(key[0] == 'i' ? &s->interval : &s->rtt) = d;
	} else if (!strcmp(key, "vlan")) {
		bad = parse_vlan(v, s);
	} else if (!strcmp(key, "sni") || !strcmp(key, "query") || !strcmp(key, "cname")) {
		char **dst = key[0] == 's' ? &s->sni : key[0] == 'q' ? &s->query : &s->cname;
		free(*dst);
		*dst = strdup(v);
		bad = key[0] != 's' && !valid_name(v);
	} else if (!strcmp(key, "alpn")) {
		free(s->alpn);
		s->alpn = strdup(v);
	} else if (!strcmp(key, "version")) {
		bad = strcmp(v, "1.2") && strcmp(v, "1.3");
		s->tls13 = !strcmp(v, "1.3");
	} else if (!strcmp(key, "pt")) {
		bad = parse_ulong(v, 127, &u);
		s->pt = (int)u;
	} else if (!strcmp(key, "ssrc") || !strcmp(key, "clock")) {
		bad = parse_ulong(v, 0xffffffffUL, &u);
		*(key[0] == 's' ? &s->ssrc : &s->clock) = (uint32_t)u;
	} else if (!strcmp(key, "kind")) {
		bad = parse_zkind(v, s);
	} else if (!strcmp(key, "answer")) {
		bad = parse_answers(v, s);
	} else if (!strcmp(key, "mapped") || !strcmp(key, "peer")) {
		bad = parse_endpoint(v, key[0] == 'm' ? &s->mapped : &s->peer, 1);
	} else if (!strcmp(key, "payload") || !strcmp(key, "reply")) {
		bad = parse_payload(v, key[0] == 'p' ? &s->payload : &s->reply);
	} else if (!strcmp(key, "close")) {
		bad = parse_close(v, s);
	} else {
		snprintf(err, errlen, "unknown option '%s'", key);
		return -1;
	}
	if (bad)
		snprintf(err, errlen, "bad value for %s: '%s'", key, v);
	return bad ? -1 : 0;
}

static int spec_flag(struct cf_spec *s, const char *w)
{
	if (!strcmp(w, "both"))
		s->both = 1;
	else if (!strcmp(w, "oneway"))
		s->oneway = 1;
	else if (!strcmp(w, "channel"))
		s->channel = 1;
	else
		return -1;
	return 0;
}

void spec_defaults(struct cf_spec *s, int line)
{
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->packets = s->size = -1;
	s->interval = s->rtt = -1;
	s->tls13 = 1;
	s->zkind = Z_VIDEO;
	s->ssrc = 0x0c0f0000u | ((uint32_t)line & 0xffff);
}

/* What a kind needs that the options did not give. */
static int spec_check(struct cf_spec *s, char *err, size_t errlen)
{
	if (s->src.v6 != s->dst.v6)
		snprintf(err, errlen, "source and destination differ in IP version");
	else if (s->kind == K_DNS && !s->query)
		snprintf(err, errlen, "dns needs query=NAME");
	else if (s->kind == K_TURN && !s->peer.port)
		snprintf(err, errlen, "turn needs peer=IP:PORT");
	else
		return 0;
	return -1;
}

/* "at +T KIND SRC > DST options"; start_us is relative until the end. */
static int parse_flow(char **tok, int n, int lineno, struct cf_spec *s,
		      char *err, size_t errlen)
{
	double at;
	const char *t = n > 1 && tok[1][0] == '+' ? tok[1] + 1 : n > 1 ? tok[1] : "";

	spec_defaults(s, lineno);
	if (n < 6 || strcmp(tok[4], ">") != 0) {
		snprintf(err, errlen, "expected: at +T KIND SRC > DST [options]");
		return -1;
	}
	if (parse_seconds(t, &at)) {
		snprintf(err, errlen, "bad time '%s'", tok[1]);
		return -1;
	}
	s->start_us = US(at);
	if (kind_parse(tok[2], &s->kind)) {
		snprintf(err, errlen, "unknown kind '%s'", tok[2]);
		return -1;
	}
	s->pt = (s->kind == K_RTP) ? 0 : 111;
	if (parse_endpoint(tok[3], &s->src, 1) || parse_endpoint(tok[5], &s->dst, 1)) {
		snprintf(err, errlen, "bad address (want A.B.C.D:PORT or [V6]:PORT)");
		return -1;
	}
	for (int i = 6; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		if (!eq) {
			if (spec_flag(s, tok[i]) == 0)
				continue;
			snprintf(err, errlen, "unknown flag '%s'", tok[i]);
			return -1;
		}
		*eq = '\0';
		if (spec_option(s, tok[i], eq + 1, err, errlen))
			return -1;
	}
	return spec_check(s, err, errlen);
}

/* A directive: start/link/format/seed/snaplen/snap-last/truncate-last. */
static int parse_directive(struct scenario *sc, char **tok, int n, char *err,
			   size_t errlen)
{
	unsigned long u;
	char *eq = n == 1 ? strchr(tok[0], '=') : NULL;
	const char *key = tok[0], *v = n == 2 ? tok[1] : eq ? eq + 1 : NULL;

	if (eq)
		*eq = '\0';
	if (!v || n > 2) {
		snprintf(err, errlen, "unknown line (flows start with 'at')");
		return -1;
	}
	if (!strcmp(key, "start") && parse_iso(v, &sc->start_us) == 0)
		return 0;
	if (!strcmp(key, "link") && link_parse(v, &sc->link) == 0)
		return 0;
	if (!strcmp(key, "format") && (!strcmp(v, "pcap") || !strcmp(v, "pcapng"))) {
		sc->fmt = strcmp(v, "pcap") ? F_PCAPNG : F_PCAP;
		return 0;
	}
	if (!strcmp(key, "seed") && parse_ulong(v, ~0UL, &u) == 0) {
		sc->seed = u;
		return 0;
	}
	if (!strcmp(key, "snaplen") && parse_ulong(v, 262144, &u) == 0 && u > 0) {
		sc->snaplen = (uint32_t)u;
		return 0;
	}
	if (!strcmp(key, "snap-last") && parse_ulong(v, 262144, &u) == 0) {
		sc->snap_last = (long)u;
		return 0;
	}
	if (!strcmp(key, "truncate-last") && parse_ulong(v, 262144, &u) == 0) {
		sc->truncate_last = (long)u;
		return 0;
	}
	snprintf(err, errlen, "bad directive '%s %s'", key, v);
	return -1;
}

static struct cf_spec *scenario_add(struct scenario *sc)
{
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 64;
		sc->spec = realloc(sc->spec, sc->cap * sizeof(*sc->spec));
		if (!sc->spec)
			die(3, "out of memory");
	}
	return &sc->spec[sc->n++];
}

static void scenario_init(struct scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	parse_iso("2024-03-01T10:00:00Z", &sc->start_us);
	sc->seed = 1;
	sc->snap_last = sc->truncate_last = -1;
}

static void scenario_read(struct scenario *sc, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[8192], err[256];
	char *tok[MAXTOK];
	int lineno = 0;

	if (!fp)
		die(3, "%s: %s", path, strerror(errno));
	sc->path = path;
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(fp))
			die(2, "%s:%d: line too long", path, lineno);
		int n = tokenize(line, tok);
		if (n < 0)
			die(2, "%s:%d: %s", path, lineno,
			    n == -1 ? "too many words" : "unterminated quote");
		if (n == 0)
			continue;
		int rc;
		if (strcmp(tok[0], "at") == 0) {
			struct cf_spec *s = scenario_add(sc);
			rc = parse_flow(tok, n, lineno, s, err, sizeof(err));
		} else {
			rc = parse_directive(sc, tok, n, err, sizeof(err));
		}
		if (rc)
			die(2, "%s:%d: %s", path, lineno, err);
	}
	fclose(fp);
	for (size_t i = 0; i < sc->n; i++)     /* "start" may come anywhere */
		sc->spec[i].start_us += sc->start_us;
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
	[K_TCP] = build_tcp,
};

/* Build flow i's packets, in time order (stable: builders' order on ties). */
static struct gflow *flow_build(const struct cf_spec *s, size_t index, uint64_t seed)
{
	struct gflow *g = calloc(1, sizeof(*g));

	if (!g)
		die(3, "out of memory");
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
static uint64_t merge_write(struct scenario *sc, struct writer *w)
{
	struct heap h = { calloc(sc->n + 1, sizeof(struct gflow *)), 0 };
	size_t pending = 0;
	uint64_t written = 0;

	if (!h.a)
		die(3, "out of memory");
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
			die(3, "write error");
		written++;
		buf_free(&p->data);
		if (g->next < g->n) {
			heap_push(&h, g);
		} else {
			gflow_free(g);
			free(g);
		}
	}
	free(h.a);
	return written;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: cfgen [-F pcap|pcapng] [-l ether|sll|sll2|raw|null] [-s SEED] SCENARIO OUT\n"
		"       cfgen [-F pcap|pcapng] [-l LINK] [-s SEED] --bench FLOWS OUT\n"
		"The scenario language is described in tests/gen/README.\n");
	exit(2);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bench", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scenario sc;
	int c, fmt_opt = -1, link_opt = -1, seed_set = 0;
	unsigned long bench = 0, seed = 1;
	enum link lk;
	char err[256];

	scenario_init(&sc);
	while ((c = getopt_long(argc, argv, "F:l:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (strcmp(optarg, "pcap") && strcmp(optarg, "pcapng"))
				die(2, "-F: want pcap or pcapng, not '%s'", optarg);
			fmt_opt = strcmp(optarg, "pcap") ? F_PCAPNG : F_PCAP;
			break;
		case 'l':
			if (link_parse(optarg, &lk))
				die(2, "-l: unknown link type '%s'", optarg);
			link_opt = (int)lk;
			break;
		case 's':
			if (parse_ulong(optarg, ~0UL, &seed))
				die(2, "-s: bad seed '%s'", optarg);
			seed_set = 1;
			break;
		case 'B':
			if (parse_ulong(optarg, 100000000UL, &bench) || bench == 0)
				die(2, "--bench: bad flow count '%s'", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != (bench ? 1 : 2))
		usage();
	const char *out = argv[argc - 1];
	if (bench) {
		sc.path = "--bench";
		bench_specs(&sc.spec, &sc.n, bench, sc.start_us, seed);
	} else {
		scenario_read(&sc, argv[optind]);
		if (fmt_opt < 0 && ends_with(out, ".pcapng"))
			fmt_opt = F_PCAPNG;
	}
	if (fmt_opt >= 0)
		sc.fmt = (enum fmt)fmt_opt;
	if (link_opt >= 0)
		sc.link = (enum link)link_opt;
	if (seed_set)
		sc.seed = seed;
	for (size_t i = 0; i < sc.n; i++)
		if (sc.spec[i].nvlan && (sc.link == L_RAW || sc.link == L_NULL))
			die(2, "%s:%d: vlan= needs an ether, sll or sll2 link",
			    sc.path, sc.spec[i].line);

	struct writer *w = writer_open(out, sc.fmt, sc.link, sc.snaplen, err, sizeof(err));
	if (!w)
		die(3, "%s", err);
	uint64_t n = merge_write(&sc, w);
	if (writer_close(w, sc.truncate_last, err, sizeof(err)) != 0)
		die(3, "%s", err);
	(void)n;
	for (size_t i = 0; i < sc.n; i++)
		spec_free(&sc.spec[i]);
	free(sc.spec);
	return 0;
}
