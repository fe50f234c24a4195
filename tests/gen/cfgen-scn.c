/*
 * cfgen-scn.c - the scenario parser: directives and flow lines become a
 * struct scenario holding one struct cf_spec per flow.  The language is
 * described in tests/gen/README and at the top of cfgen.c.
 *
 * Errors are fatal (this is a test tool): cfgen_cfgen_die() prints
 * "FILE:LINE: message" and exits 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cfgen.h"

#define US(sec) ((uint64_t)((sec) * 1e6 + 0.5))
#define MAXTOK 64

void spec_free(struct cf_spec *s)
{
	free(s->sni);
	free(s->alpn);
	free(s->user);
	free(s->cert);
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

int parse_ulong(const char *s, unsigned long max, unsigned long *v)
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

/*
 * A server name; text: escapes (\\xHH ...) allowed so that tests can put
 * hostile bytes on the wire (no NUL: names are C strings here).
 */
static int parse_name(const char *v, char **dst)
{
	struct buf b = { 0 };
	int bad = parse_text(v, &b) || b.len == 0 || memchr(b.p, 0, b.len);

	buf_u8(&b, 0);
	free(*dst);
	*dst = (char *)b.p;
	return bad ? -1 : 0;
}

/* ---- flow lines ---- */

static const char *const kind_names[] = {
	[K_TLS] = "tls", [K_DTLS] = "dtls", [K_RTP] = "rtp", [K_SRTP] = "srtp",
	[K_RTCP] = "rtcp", [K_ZOOM] = "zoom", [K_ZOOM_P2P] = "zoom-p2p",
	[K_STUN] = "stun", [K_TURN] = "turn", [K_DNS] = "dns", [K_DHCP] = "dhcp",
	[K_UDP] = "udp", [K_TCP] = "tcp", [K_H225] = "h225", [K_H245] = "h245", [K_RAS] = "ras",
	[K_SCCP] = "sccp", [K_MGCP] = "mgcp", [K_IAX2] = "iax2", [K_BFCP] = "bfcp",
	[K_ICE_TCP] = "ice-tcp", [K_TURN_TCP] = "turn-tcp",
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
		bad = parse_name(v, dst) || (key[0] != 's' && !valid_name(*dst));
	} else if (!strcmp(key, "cert")) {
		bad = parse_name(v, &s->cert) || !valid_name(s->cert);
	} else if (!strcmp(key, "srtp")) {
		bad = parse_ulong(v, 1, &u);
		s->srtp = (int)u;
	} else if (!strcmp(key, "certpad")) {
		bad = parse_ulong(v, 16000, &u);
		s->certpad = (long)u;
	} else if (!strcmp(key, "alpn")) {
		free(s->alpn);
		s->alpn = strdup(v);
	} else if (!strcmp(key, "user")) {
		free(s->user);
		s->user = strdup(v);
		bad = s->user == NULL || strlen(v) > 500;
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
	} else if (!strcmp(key, "rtp")) {
		bad = parse_endpoint(v, &s->rtp, 1);
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

#define KB(k) (1u << (k))
#define RTPLIKE (KB(K_RTP) | KB(K_SRTP))
#define ZOOMS (KB(K_ZOOM) | KB(K_ZOOM_P2P))
#define TCPROOMS (KB(K_H225) | KB(K_H245) | KB(K_SCCP) | KB(K_BFCP) | KB(K_ICE_TCP) | KB(K_TURN_TCP))

int spec_is_tcp(const struct cf_spec *s)
{
	return s->kind == K_TLS || s->kind == K_TCP || s->kind == K_H225 ||
	       s->kind == K_H245 ||
	       s->kind == K_SCCP || (s->kind == K_BFCP && !s->udp) ||
	       s->kind == K_ICE_TCP || s->kind == K_TURN_TCP;
}

/* Options and flags that only some kinds understand; the rest apply to all. */
static const struct {
	const char *name;
	unsigned kinds;
} option_kinds[] = {
	{ "sni", KB(K_TLS) | KB(K_DTLS) },
	{ "alpn", KB(K_TLS) },
	{ "version", KB(K_TLS) },
	{ "close", KB(K_TLS) | KB(K_TCP) | TCPROOMS },
	{ "pt", RTPLIKE | KB(K_DTLS) | KB(K_TURN) | KB(K_ICE_TCP) | KB(K_TURN_TCP) },
	{ "ssrc", RTPLIKE | KB(K_RTCP) | ZOOMS | KB(K_DTLS) | KB(K_TURN) |
		  KB(K_ICE_TCP) | KB(K_TURN_TCP) },
	{ "clock", RTPLIKE },
	{ "kind", ZOOMS },
	{ "media", KB(K_DTLS) },
	{ "srtp", KB(K_DTLS) },
	{ "cert", KB(K_DTLS) },
	{ "certpad", KB(K_DTLS) },
	{ "query", KB(K_DNS) },
	{ "answer", KB(K_DNS) },
	{ "cname", KB(K_DNS) },
	{ "user", KB(K_STUN) },
	{ "mapped", KB(K_STUN) | KB(K_TURN) | KB(K_ICE_TCP) | KB(K_TURN_TCP) },
	{ "peer", KB(K_TURN) | KB(K_TURN_TCP) | KB(K_SCCP) | KB(K_MGCP) },
	{ "rtp", KB(K_SCCP) | KB(K_MGCP) | KB(K_H245) },
	{ "legacy", KB(K_SCCP) },
	{ "udp", KB(K_BFCP) },
	{ "channel", KB(K_TURN) },
	{ "payload", KB(K_UDP) | KB(K_TCP) },
	{ "reply", KB(K_UDP) | KB(K_TCP) },
	{ "both", RTPLIKE | KB(K_RTCP) | ZOOMS | KB(K_TURN) | KB(K_UDP) | KB(K_TCP) |
		  KB(K_IAX2) | KB(K_ICE_TCP) | KB(K_TURN_TCP) },
	{ "oneway", KB(K_STUN) | KB(K_DNS) | KB(K_UDP) },
};

static int option_applies(const char *name, enum kind k)
{
	for (size_t i = 0; i < sizeof(option_kinds) / sizeof(option_kinds[0]); i++)
		if (strcmp(name, option_kinds[i].name) == 0)
			return (option_kinds[i].kinds & KB(k)) != 0;
	return 1;
}

static int spec_flag(struct cf_spec *s, const char *w)
{
	if (!strcmp(w, "both"))
		s->both = 1;
	else if (!strcmp(w, "oneway"))
		s->oneway = 1;
	else if (!strcmp(w, "channel"))
		s->channel = 1;
	else if (!strcmp(w, "legacy"))
		s->legacy = 1;
	else if (!strcmp(w, "udp"))
		s->udp = 1;
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
	s->srtp = 1;
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
	else if ((s->kind == K_TURN || s->kind == K_TURN_TCP) && !s->peer.port)
		snprintf(err, errlen, "%s needs peer=IP:PORT",
			 s->kind == K_TURN ? "turn" : "turn-tcp");
	else if (s->kind == K_H245 && (s->rtp.port ? s->rtp.v6 : s->src.v6))
		snprintf(err, errlen, "h245: the acknowledged media address is IPv4 only");
	else if (s->kind == K_SCCP && s->legacy &&
		 ((s->peer.port ? s->peer.v6 : s->dst.v6) ||
		  (s->rtp.port ? s->rtp.v6 : s->src.v6)))
		snprintf(err, errlen, "sccp: legacy headers carry IPv4 only");
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
		size_t klen = eq ? (size_t)(eq - tok[i]) : strlen(tok[i]);
		char key[16];
		snprintf(key, sizeof(key), "%.*s", (int)klen, tok[i]);
		if (!option_applies(key, s->kind)) {
			snprintf(err, errlen, "'%s' does not apply to %s", key, tok[2]);
			return -1;
		}
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
			cfgen_die(3, "out of memory");
	}
	return &sc->spec[sc->n++];
}

void scenario_init(struct scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	parse_iso("2024-03-01T10:00:00Z", &sc->start_us);
	sc->seed = 1;
	sc->snap_last = sc->truncate_last = -1;
}

void scenario_read(struct scenario *sc, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[8192], err[256];
	char *tok[MAXTOK];
	int lineno = 0;

	if (!fp)
		cfgen_die(3, "%s: %s", path, strerror(errno));
	sc->path = path;
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(fp))
			cfgen_die(2, "%s:%d: line too long", path, lineno);
		int n = tokenize(line, tok);
		if (n < 0)
			cfgen_die(2, "%s:%d: %s", path, lineno,
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
			cfgen_die(2, "%s:%d: %s", path, lineno, err);
	}
	fclose(fp);
	for (size_t i = 0; i < sc->n; i++)     /* "start" may come anywhere */
		sc->spec[i].start_us += sc->start_us;
}
