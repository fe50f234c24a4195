/*
 * event-json.c - ECS JSON events (callfence.alert, callfence.flow,
 * callfence.report) built with jansson, one compact object per line.
 *
 * This is the only file that includes <jansson.h>.  Every string that may
 * come from a packet, a rules file or the command line goes through
 * cf_json_safe_string() before jansson sees it, so json_string() never
 * refuses it and an event is never dropped for its content.  Fields whose
 * value is unknown or empty are left out rather than written as null or "".
 *
 * Cost: an event is written per alert and per flow, so building one is on
 * the hot path of a busy capture.  Hence: strings are made safe here and
 * handed to jansson with the _nocheck calls (it would validate them
 * again), keys are literals (also _nocheck); the tree of one event lives
 * in an arena that jansson allocates from (json_set_alloc_funcs) and that
 * is reset after the line is written, instead of a malloc and free per
 * node; the line is dumped into one reusable buffer; what the outputs
 * need (struct cf_event_info) is taken from the nodes as they are made,
 * not looked up in the tree again; timestamps reuse the formatted date and
 * time of the last second.  The bytes written are those jansson's own
 * json_dumps would write: the tree and the dumper are jansson's.
 *
 * The arena, the line buffer and the time cache are per thread: with
 * --threads every worker formats its own events.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "event/event.h"
#include "event/report-json.h"
#include "output/output.h"
#include "event/communityid.h"
#include "classify/classify.h"
#include "event/daemon-stats.h"

#define SAFE_MAX 1024           /* longest string put in an event, in bytes */
#define LINE_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))
#define DOC_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* ---- jansson's memory while an event is built ------------------------ */

/*
 * An alert or flow event takes about 10 KiB of jansson nodes, hash tables
 * and string copies; 64 KiB leaves room for long names.  A bigger event (a
 * report with many rows) spills to malloc and is then freed node by node.
 */
#define ARENA_SIZE (64 * 1024)
#define ARENA_ALIGN 16

/*
 * One per thread that writes events (--threads: every worker formats its
 * own events before the outputs' lock is taken): the arena and the line
 * buffer.  Made at a thread's first event, freed when the thread ends
 * (ev_key's destructor); the main thread's stays until exit.
 */
struct ev_state {
	size_t used;            /* arena bytes handed out */
	int active;             /* between arena_begin and arena_end */
	int spilled;            /* this event has nodes from malloc */
	char *line;             /* the dumped line, grown as needed */
	size_t len, cap;
	_Alignas(ARENA_ALIGN) char arena[ARENA_SIZE];
};

static _Thread_local struct ev_state *ev_tls;
static pthread_key_t ev_key;
static int ev_key_ok;
static pthread_once_t ev_once = PTHREAD_ONCE_INIT;

static int arena_owns(const struct ev_state *st, const void *p)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)st->arena;

	return a >= b && a < b + ARENA_SIZE;
}

/* jansson's allocator, in every thread: the thread's arena during an
 * event, malloc otherwise. */
static void *ev_malloc(size_t n)
{
	struct ev_state *st = ev_tls;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (st != NULL && st->active) {
		if (need >= n && need <= ARENA_SIZE - st->used) {
			p = st->arena + st->used;
			st->used += need;
			return p;
		}
		st->spilled = 1;
	}
	return malloc(n);
}

/* Arena memory goes back all at once in arena_end.  A tree never leaves
 * the thread that built it, so the arena to check is this thread's. */
static void ev_free(void *p)
{
	struct ev_state *st = ev_tls;

	if (st == NULL || !arena_owns(st, p))
		free(p);
}

static void ev_state_free(void *p)
{
	struct ev_state *st = p;

	free(st->line);
	free(st);
}

static void ev_setup(void)
{
	json_set_alloc_funcs(ev_malloc, ev_free);
	ev_key_ok = pthread_key_create(&ev_key, ev_state_free) == 0;
}

/*
 * Every entry point calls this before it touches jansson.  Nodes made
 * outside an event (the --report document, tests) come from malloc
 * through the same functions, so the order of first use does not matter.
 */
static void json_init(void)
{
	pthread_once(&ev_once, ev_setup);
}

/* This thread's state, made on first use; NULL without memory. */
static struct ev_state *ev_state(void)
{
	struct ev_state *st = ev_tls;

	if (st != NULL)
		return st;
	json_init();
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	if (ev_key_ok)
		pthread_setspecific(ev_key, st);
	ev_tls = st;
	return st;
}

/* Start an event: NULL (nothing to build with) without memory. */
static struct ev_state *arena_begin(void)
{
	struct ev_state *st = ev_state();

	if (st != NULL) {
		st->used = 0;
		st->spilled = 0;
		st->active = 1;
	}
	return st;
}

/*
 * The event's tree is gone: with everything in the arena it is dropped by
 * resetting it (no walk, no free per node); nodes that spilled to malloc
 * need the walk.
 */
static void arena_end(struct ev_state *st, json_t *root)
{
	st->active = 0;
	if (st->spilled)
		json_decref(root);
	st->used = 0;
}

/* ---- the line buffer ------------------------------------------------ */

static int line_grow(struct ev_state *st, size_t n)
{
	size_t cap = st->cap ? st->cap : 4096;
	char *p;

	while (cap - st->len < n) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	p = realloc(st->line, cap);
	if (p == NULL)
		return -1;
	st->line = p;
	st->cap = cap;
	return 0;
}

/*
 * jansson's dump callback: it is called for every token (a brace, a
 * comma, a key), some 300 times an event, so the common case is short.
 */
static int line_put(const char *s, size_t n, void *data)
{
	struct ev_state *st = data;

	if (n > st->cap - st->len && line_grow(st, n) < 0)
		return -1;
	if (n == 1)
		st->line[st->len] = s[0];
	else
		memcpy(st->line + st->len, s, n);
	st->len += n;
	return 0;
}

/* ---- time and safe strings ------------------------------------------ */

/*
 * Events of one second share "YYYY-MM-DDTHH:MM:SS.": it is formatted once
 * per second (gmtime_r and snprintf are most of the cost) and only the
 * milliseconds are written per call.
 */
static _Thread_local struct {
	time_t sec;
	int valid;              /* sec/prefix hold a formatted second */
	size_t len;
	char prefix[64];
} tcache;

void cf_event_time(uint64_t ts_us, char *buf, size_t len)
{
	time_t sec = (time_t)(ts_us / 1000000);
	unsigned ms = (unsigned)(ts_us / 1000 % 1000);
	char out[sizeof(tcache.prefix) + 8];
	struct tm tm;
	size_t n;
	int w;

	if (len == 0)
		return;
	if (!tcache.valid || tcache.sec != sec) {
		if (gmtime_r(&sec, &tm) == NULL) {
			buf[0] = '\0';
			return;
		}
		w = snprintf(tcache.prefix, sizeof(tcache.prefix),
			     "%04d-%02d-%02dT%02d:%02d:%02d.",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (w < 0 || (size_t)w >= sizeof(tcache.prefix)) {
			tcache.valid = 0;
			buf[0] = '\0';
			return;
		}
		tcache.len = (size_t)w;
		tcache.sec = sec;
		tcache.valid = 1;
	}
	n = tcache.len;
	memcpy(out, tcache.prefix, n);
	out[n++] = (char)('0' + ms / 100);
	out[n++] = (char)('0' + ms / 10 % 10);
	out[n++] = (char)('0' + ms % 10);
	out[n++] = 'Z';
	/* as snprintf would: cut to len - 1 bytes */
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes available),
 * with its code point in *cp; 0 when s does not start one (stray
 * continuation byte, overlong form, surrogate, > U+10FFFF, cut short).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* C0 controls, DEL and C1 controls. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Printable ASCII: passes unchanged, one byte for one byte. */
static int is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* cf_json_safe_string, returning the length written. */
static size_t safe_copy(const char *src, size_t srclen, char *dst, size_t dstlen)
{
	static const char repl[] = "\xef\xbf\xbd";     /* U+FFFD */
	const unsigned char *s = (const unsigned char *)src;
	const char *piece;
	size_t i = 0, o = 0, n, plen;
	uint32_t cp;

	if (dstlen == 0)
		return 0;
	while (src != NULL && i < srclen) {
		/* most names are plain ASCII: no decoding for them */
		if (is_plain(s[i])) {
			if (o >= dstlen - 1)
				break;
			dst[o++] = src[i++];
			continue;
		}
		n = utf8_seq(s + i, srclen - i, &cp);
		if (n == 0 || is_control(cp)) {
			piece = repl, plen = 3;
			i += n ? n : 1;
		} else {
			piece = src + i, plen = n;
			i += n;
		}
		if (plen > dstlen - 1 - o)
			break;
		memcpy(dst + o, piece, plen);
		o += plen;
	}
	dst[o] = '\0';
	return o;
}

void cf_json_safe_string(const char *src, size_t srclen, char *dst, size_t dstlen)
{
	(void)safe_copy(src, srclen, dst, dstlen);
}

/* ---- small builders ------------------------------------------------- */

/*
 * A JSON string of the safe form of s (at most max bytes read, up to a
 * NUL); NULL for NULL or "".  A name of plain ASCII (the usual case) is
 * its own safe form and is handed to jansson as it is.
 */
static json_t *safe_json(const char *s, size_t max)
{
	char buf[SAFE_MAX];
	size_t n;

	if (s == NULL)
		return NULL;
	for (n = 0; n < max && is_plain((unsigned char)s[n]); n++)
		;
	if (n == max || s[n] == '\0') {
		if (n == 0)
			return NULL;
		return json_stringn_nocheck(s, n < SAFE_MAX ? n : SAFE_MAX - 1);
	}
	n = safe_copy(s, strnlen(s, max), buf, sizeof(buf));
	return n != 0 ? json_stringn_nocheck(buf, n) : NULL;
}

/*
 * Set key (a literal: valid UTF-8) to v; nothing for v NULL.  Inline, so
 * that the length of a literal key is known at compile time.
 */
static inline void put(json_t *o, const char *key, json_t *v)
{
	if (v != NULL)
		json_object_setn_new_nocheck(o, key, strlen(key), v);
}

/* Set key to the safe form of s; nothing for NULL or "".  Returns the
 * string set, for struct cf_event_info. */
static const char *put_strn(json_t *o, const char *key, const char *s, size_t max)
{
	json_t *v = safe_json(s, max);

	put(o, key, v);
	return json_string_value(v);
}

#define put_str(o, k, s) put_strn((o), (k), (s), SAFE_MAX)

/* A constant of ours (a literal or a name table entry: ASCII, never empty). */
static void put_lit(json_t *o, const char *key, const char *s)
{
	put(o, key, json_stringn_nocheck(s, strlen(s)));
}

static void put_u64(json_t *o, const char *key, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		v = (uint64_t)INT64_MAX;
	put(o, key, json_integer((json_int_t)v));
}

/* A measured amount (memory): 0 means not measured, and is left out. */
static void put_known(json_t *o, const char *key, uint64_t v)
{
	if (v != 0)
		put_u64(o, key, v);
}

/* key: the time us as "2021-05-04T09:12:03.118Z"; returns it (NULL if
 * it could not be formatted). */
static const char *put_time(json_t *o, const char *key, uint64_t us)
{
	char buf[80];
	json_t *v;

	cf_event_time(us, buf, sizeof(buf));
	if (buf[0] == '\0')
		return NULL;
	v = json_stringn_nocheck(buf, strlen(buf));
	put(o, key, v);
	return json_string_value(v);
}

/* Attach child under key unless it is NULL or an empty object. */
static void put_obj(json_t *o, const char *key, json_t *child)
{
	if (child == NULL)
		return;
	if (json_is_object(child) && json_object_size(child) == 0) {
		json_decref(child);
		return;
	}
	json_object_set_new_nocheck(o, key, child);
}

/* A JSON array of the given constant strings. */
static json_t *str_array(const char *a, const char *b)
{
	json_t *arr = json_array();

	json_array_append_new(arr, json_stringn_nocheck(a, strlen(a)));
	if (b != NULL)
		json_array_append_new(arr, json_stringn_nocheck(b, strlen(b)));
	return arr;
}

/*
 * Serialise root compactly into this thread's line buffer and hand the
 * line to the outputs, with ev (whose strings point into the tree); then
 * drop the tree.  st: from arena_begin (NULL: out of memory).
 */
static int emit(struct ev_state *st, struct cf_outputs *out, json_t *root,
		const struct cf_event_info *ev)
{
	int rc = -1;

	if (st == NULL)
		return -1;
	if (root != NULL) {
		st->len = 0;
		if (json_dump_callback(root, line_put, st, LINE_FLAGS) == 0)
			rc = cf_outputs_write_event(out, st->line, st->len, ev);
	}
	arena_end(st, root);
	return rc < 0 ? -1 : 0;
}

/* ---- event parts ---------------------------------------------------- */

static const char *transport_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 132: return "sctp";
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

static int has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

/* Index of our end: f->local, or the initiator while undecided. */
static int our_end(const struct cf_flow *f)
{
	return f->local == 1 ? 1 : 0;
}

static const char *direction(const struct cf_flow *f,
			     const struct cf_geo_result *g)
{
	if (g == NULL)
		return "internal";
	return our_end(f) == 0 ? "outbound" : "inbound";
}

/* rule: id, name, ruleset; the id for the outputs in *id. */
static json_t *rule_obj(const struct cf_rule_info *r, const char **id)
{
	json_t *o = json_object();

	*id = put_str(o, "id", r->id);
	put_str(o, "name", r->msg);
	put_str(o, "ruleset", r->ruleset);
	return o;
}

/* source / destination: ip (also in *ip), port, and what that end sent
 * when counts. */
static json_t *endpoint(const struct cf_flow *f, int end, int counts,
			const char **ip)
{
	char buf[CF_ADDR_STRLEN];
	json_t *o = json_object();

	*ip = put_str(o, "ip", cf_addr_str(&f->ip[end], buf, sizeof(buf)));
	if (has_ports(f->proto))
		put_u64(o, "port", f->port[end]);
	if (counts) {
		put_u64(o, "bytes", f->bytes[end]);
		put_u64(o, "packets", f->pkts[end]);
	}
	return o;
}

/* geo.country_iso_code and as.number of g, each only when known. */
static void put_geo_as(json_t *d, const struct cf_geo_result *g, int org)
{
	json_t *geo, *as, *v, *name = NULL;

	v = safe_json(g->country, sizeof(g->country));
	if (v != NULL) {
		geo = json_object();
		put(geo, "country_iso_code", v);
		put(d, "geo", geo);
	}
	if (org)
		name = safe_json(g->as_org, sizeof(g->as_org));
	if (g->asn != 0 || name != NULL) {
		as = json_object();
		if (g->asn != 0)
			put_u64(as, "number", g->asn);
		if (name != NULL) {
			v = json_object();
			put(v, "name", name);
			put(as, "organization", v);
		}
		put(d, "as", as);
	}
}

static json_t *destination_obj(const struct cf_flow *f,
			       const struct cf_geo_result *g, int counts,
			       const char **ip)
{
	json_t *d = endpoint(f, !our_end(f), counts, ip);

	put_strn(d, "domain", cf_class_host(&f->cls), CF_HOST_LEN);
	if (g != NULL)
		put_geo_as(d, g, 1);
	return d;
}

/* network; the Community ID for the outputs in *cid. */
static json_t *network_obj(const struct cf_flow *f, const struct cf_geo_result *g,
			   const char **cid)
{
	char num[8], vid[8], id[CF_COMMUNITY_ID_LEN];
	json_t *n = json_object(), *vlan;
	int v6 = f->ip_version ? f->ip_version == 6 : !cf_addr_is_v4(&f->ip[0]);
	const char *app = cf_class_app(&f->cls);

	put_lit(n, "transport", transport_name(f->proto, num, sizeof(num)));
	put_lit(n, "type", v6 ? "ipv6" : "ipv4");
	*cid = NULL;
	if (cf_community_id_flow(f, id, sizeof(id)) == 0)
		*cid = put_str(n, "community_id", id);
	put_strn(n, "protocol", cf_class_l7(&f->cls), CF_L7_LEN);
	if (strcmp(app, "unknown") != 0)
		put_strn(n, "application", app, CF_APP_LEN);
	put_u64(n, "bytes", f->bytes[0] + f->bytes[1]);
	put_u64(n, "packets", f->pkts[0] + f->pkts[1]);
	put_lit(n, "direction", direction(f, g));
	if (f->vlan != 0) {
		snprintf(vid, sizeof(vid), "%u", f->vlan);
		vlan = json_object();
		put_lit(vlan, "id", vid);
		put(n, "vlan", vlan);
	}
	return n;
}

/* The names of roles, most important first; NULL when none (and empty). */
static json_t *roles_array(unsigned roles, int empty)
{
	json_t *a;
	unsigned bit;
	int i;

	if (roles == 0 && !empty)
		return NULL;
	a = json_array();
	for (i = 0; i < CF_ROLE_RANKS; i++) {
		bit = cf_role_at_rank(i);
		if (roles & bit) {
			const char *name = cf_role_name(bit);

			json_array_append_new(a, json_stringn_nocheck(name, strlen(name)));
		}
	}
	if (json_array_size(a) == 0 && !empty) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/*
 * callfence.jurisdiction.  alert: always says what was observed
 * ("unknown" when the country is not known) and what was permitted; a flow
 * record says "unknown" only for a public remote end that was looked up.
 */
static json_t *jurisdiction_obj(const struct cf_event_meta *m,
				const struct cf_geo_result *g, int alert)
{
	json_t *j = json_object(), *p;
	const char *const *s;

	if (alert && m->permitted != NULL && m->permitted[0] != NULL) {
		p = json_array();
		for (s = m->permitted; *s != NULL; s++)
			json_array_append_new(p, safe_json(*s, SAFE_MAX));
		put(j, "permitted", p);
	}
	if (g != NULL && g->country[0] != '\0')
		put_strn(j, "observed", g->country, sizeof(g->country));
	else if (alert || (g != NULL && g->special == 0))
		put_lit(j, "observed", "unknown");
	if (g != NULL)
		put_strn(j, "registered", g->registered, sizeof(g->registered));
	return j;
}

static json_t *observer_obj(const struct cf_event_meta *m)
{
	json_t *o = json_object(), *ing, *ifc, *name;

	put_str(o, "hostname", m->observer_hostname);
	name = safe_json(m->interface, SAFE_MAX);
	if (name != NULL) {
		ifc = json_object();
		put(ifc, "name", name);
		ing = json_object();
		put(ing, "interface", ifc);
		put(o, "ingress", ing);
	}
	return o;
}

/* ---- alert ---------------------------------------------------------- */

static json_t *alert_event_obj(const struct cf_flow *f,
			       const struct cf_rule_info *r)
{
	json_t *e = json_object();

	put_lit(e, "kind", "alert");
	put(e, "category", str_array("network", NULL));
	put(e, "type", str_array("connection", NULL));
	put(e, "severity", json_integer(cf_severity_ecs(r->severity)));
	put_lit(e, "dataset", "callfence.alert");
	put_lit(e, "module", "callfence");
	/* Built-in findings (rule ids "callfence-*") are not about geography. */
	put_lit(e, "action", r->id != NULL &&
		strcmp(r->id, "callfence-sdes-cleartext") == 0 ?
		"cleartext-srtp-keys" : "jurisdiction-violation");
	if (f->first_us != 0)
		put_time(e, "start", f->first_us);
	return e;
}

/*
 * callfence.relay: the real peer behind a TURN relay (the flow's first
 * XOR-PEER-ADDRESS) with its geography when the engine looked it up
 * (m->relay_peer_geo), and alert_on "peer" when the alert judged the peer.
 */
static json_t *relay_obj(const struct cf_event_meta *m, const struct cf_flow *f)
{
	const struct cf_geo_result *g = m->relay_peer_geo;
	char ip[CF_ADDR_STRLEN];
	json_t *r, *p;

	if (!f->cls.has_relay_peer)
		return NULL;
	p = json_object();
	put_str(p, "ip", cf_addr_str(&f->cls.relay_peer, ip, sizeof(ip)));
	put_u64(p, "port", f->cls.relay_peer_port);
	if (g != NULL)
		put_geo_as(p, g, 0);
	r = json_object();
	put_obj(r, "peer", p);
	if (m->relay_peer_alert)
		put_lit(r, "alert_on", "peer");
	return r;
}

static json_t *alert_callfence_obj(const struct cf_event_meta *m,
				   const struct cf_flow *f,
				   const struct cf_geo_result *g,
				   const struct cf_rule_info *r, unsigned matched)
{
	json_t *c = json_object();
	unsigned top = cf_role_top(matched ? matched : f->cls.roles);

	if (top != 0)
		put_lit(c, "role", cf_role_name(top));
	put(c, "roles", roles_array(f->cls.roles, 0));
	put_strn(c, "evidence", cf_class_evidence(&f->cls), CF_EVID_LEN);
	put_str(c, "severity", cf_severity_name(r->severity));
	put_obj(c, "jurisdiction", jurisdiction_obj(m, m->relay_peer_alert ?
						    m->relay_peer_geo : g, 1));
	put_obj(c, "relay", relay_obj(m, f));
	return c;
}

/* event.severity back to ours, as the outputs' filters want it. */
static int severity_of(json_int_t ecs)
{
	int i;

	for (i = CF_SEV_LOW; ecs != 0 && i <= CF_SEV_CRITICAL; i++)
		if (cf_severity_ecs((enum cf_severity)i) == ecs)
			return i;
	return 0;
}

int cf_event_alert(struct cf_outputs *out, const struct cf_event_meta *m,
		   const struct cf_flow *f, const struct cf_geo_result *remote_geo,
		   const struct cf_rule_info *r, unsigned matched_roles,
		   uint64_t ts_us)
{
	struct ev_state *st = arena_begin();
	struct cf_event_info ev;
	json_t *root;

	root = st != NULL ? json_object() : NULL;
	if (root == NULL)
		return emit(st, out, NULL, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_ALERT;
	ev.severity = severity_of(cf_severity_ecs(r->severity));
	ev.timestamp = put_time(root, "@timestamp", ts_us);
	put_obj(root, "event", alert_event_obj(f, r));
	put_obj(root, "rule", rule_obj(r, &ev.rule_id));
	put_obj(root, "source", endpoint(f, our_end(f), 0, &ev.source_ip));
	put_obj(root, "destination", destination_obj(f, remote_geo, 0, &ev.dest_ip));
	put_obj(root, "network", network_obj(f, remote_geo, &ev.key));
	put_obj(root, "callfence",
		alert_callfence_obj(m, f, remote_geo, r, matched_roles));
	put_obj(root, "observer", observer_obj(m));
	return emit(st, out, root, &ev);
}

/* ---- flow ----------------------------------------------------------- */

static const char *verdict_name(uint8_t v)
{
	static const char *const names[] = {
		"unjudged", "pass", "alert", "no-match", "local"
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unjudged";
}

static json_t *flow_event_obj(const struct cf_flow *f, enum cf_flow_end why)
{
	json_t *e = json_object();
	uint64_t dur = f->last_us > f->first_us ? f->last_us - f->first_us : 0;

	put_lit(e, "kind", "event");
	put(e, "category", str_array("network", NULL));
	put(e, "type", str_array("connection", "end"));
	put_lit(e, "dataset", "callfence.flow");
	put_lit(e, "module", "callfence");
	if (f->first_us != 0)
		put_time(e, "start", f->first_us);
	if (f->last_us != 0)
		put_time(e, "end", f->last_us);
	put_u64(e, "duration", dur * 1000);
	put_str(e, "reason", cf_flow_end_name(why));
	return e;
}

static json_t *flow_callfence_obj(const struct cf_event_meta *m,
				  const struct cf_flow *f,
				  const struct cf_geo_result *g)
{
	json_t *c = json_object();

	put(c, "roles", roles_array(f->cls.roles, 1));
	put_strn(c, "evidence", cf_class_evidence(&f->cls), CF_EVID_LEN);
	put_lit(c, "verdict", verdict_name(f->verdict));
	put_u64(c, "alerts", f->n_alerts);
	put_obj(c, "jurisdiction", jurisdiction_obj(m, g, 0));
	put_obj(c, "relay", relay_obj(m, f));
	return c;
}

/* The flow record's @timestamp is the flow's last packet; ts_us is unused. */
int cf_event_flow(struct cf_outputs *out, const struct cf_event_meta *m,
		  const struct cf_flow *f, const struct cf_geo_result *remote_geo,
		  const struct cf_rule_info *decided, enum cf_flow_end why,
		  uint64_t ts_us)
{
	struct ev_state *st = arena_begin();
	struct cf_event_info ev;
	json_t *root;

	(void)ts_us;
	root = st != NULL ? json_object() : NULL;
	if (root == NULL)
		return emit(st, out, NULL, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_FLOW;
	ev.timestamp = put_time(root, "@timestamp", f->last_us);
	put_obj(root, "event", flow_event_obj(f, why));
	if (decided != NULL)
		put_obj(root, "rule", rule_obj(decided, &ev.rule_id));
	put_obj(root, "source", endpoint(f, our_end(f), 1, &ev.source_ip));
	put_obj(root, "destination", destination_obj(f, remote_geo, 1, &ev.dest_ip));
	put_obj(root, "network", network_obj(f, remote_geo, &ev.key));
	put_obj(root, "callfence", flow_callfence_obj(m, f, remote_geo));
	put_obj(root, "observer", observer_obj(m));
	return emit(st, out, root, &ev);
}

/* ---- report --------------------------------------------------------- */

static json_t *decode_obj(const struct cf_decode_stats *d)
{
	json_t *o = json_object();

	put_u64(o, "ok", d->ok);
	put_u64(o, "not_ip", d->not_ip);
	put_u64(o, "truncated", d->truncated);
	put_u64(o, "invalid", d->invalid);
	put_u64(o, "fragments", d->fragments);
	put_u64(o, "vlan", d->vlan);
	put_u64(o, "ipv4", d->ipv4);
	put_u64(o, "ipv6", d->ipv6);
	put_u64(o, "tcp", d->tcp);
	put_u64(o, "udp", d->udp);
	put_u64(o, "icmp", d->icmp);
	put_u64(o, "other", d->other_l4);
	return o;
}

static json_t *flows_obj(const struct cf_report_view *v)
{
	const struct cf_flow_stats *s = &v->t->flows;
	json_t *o = json_object();

	put_u64(o, "created", s->created);
	put_u64(o, "active_peak", s->peak);
	put_u64(o, "ended_idle", s->ended_idle);
	put_u64(o, "ended_closed", s->ended_closed);
	put_u64(o, "evicted", s->evicted);
	put_u64(o, "ended_shutdown", s->ended_shutdown);
	put_u64(o, "audited", v->audited);
	return o;
}

/* hits / (hits + misses), 0 when nothing was looked up. */
static json_t *hit_rate(uint64_t hits, uint64_t misses)
{
	uint64_t n = hits + misses;

	return json_real(n ? (double)hits / (double)n : 0.0);
}

static json_t *ndpi_geo_obj(const struct cf_run_totals *t, int geo)
{
	json_t *o = json_object();

	if (geo) {
		put_u64(o, "lookups", t->geo.lookups);
		put_u64(o, "hits", t->geo.hits);
		put_u64(o, "misses", t->geo.misses);
		put_u64(o, "entries", t->geo.entries);
		put_u64(o, "capacity", t->geo.capacity);
		put(o, "hit_rate", hit_rate(t->geo.hits, t->geo.misses));
	} else {
		put_u64(o, "flows", t->classify.ndpi_flows);
		put_u64(o, "decided", t->classify.ndpi_decided);
		put_u64(o, "gave_up", t->classify.ndpi_gaveup);
		put_u64(o, "alloc_failures", t->classify.ndpi_alloc_fail);
		put_u64(o, "skipped", t->classify.ndpi_skipped);
	}
	return o;
}

static json_t *alerts_obj(const struct cf_report_view *v)
{
	json_t *o = json_object(), *sev = json_object(), *rules = json_array(), *r;
	size_t i;
	int s;

	put_u64(o, "total", v->alerts);
	for (s = CF_SEV_CRITICAL; s >= CF_SEV_LOW; s--)
		put_u64(sev, cf_severity_name((enum cf_severity)s), v->by_severity[s]);
	put(o, "by_severity", sev);
	for (i = 0; i < v->nrules; i++) {
		r = json_object();
		put_str(r, "id", v->rules[i].id);
		put_str(r, "name", v->rules[i].name);
		put_str(r, "severity", cf_severity_name(v->rules[i].severity));
		put_u64(r, "count", v->rules[i].count);
		json_array_append_new(rules, r);
	}
	put(o, "by_rule", rules);
	return o;
}

static json_t *traffic_array(const struct cf_report_view *v)
{
	json_t *a = json_array(), *r;
	size_t i;

	for (i = 0; i < v->nrows; i++) {
		r = json_object();
		put_strn(r, "app", v->rows[i].app, sizeof(v->rows[i].app));
		put_str(r, "role", v->rows[i].role);
		put_strn(r, "country", v->rows[i].country, sizeof(v->rows[i].country));
		put_u64(r, "flows", v->rows[i].flows);
		put_u64(r, "packets", v->rows[i].packets);
		put_u64(r, "bytes", v->rows[i].bytes);
		json_array_append_new(a, r);
	}
	return a;
}

static json_t *unknown_obj(const struct cf_report_view *v)
{
	json_t *o = json_object(), *a = json_array();
	char ip[CF_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < v->nunknown; i++)
		json_array_append_new(a, json_string(cf_addr_str(&v->unknown[i],
							ip, sizeof(ip))));
	put(o, "addresses", a);
	put_u64(o, "omitted", v->unknown_omitted);
	return o;
}

static json_t *inputs_array(const char *const *inputs)
{
	json_t *a = json_array(), *v;
	const char *const *s;

	for (s = inputs; s != NULL && *s != NULL; s++) {
		v = safe_json(*s, SAFE_MAX);
		if (v != NULL)
			json_array_append_new(a, v);
	}
	return a;
}

/* The DNS name cache (callfence.report.dns_cache, callfence.stats.dns_cache). */
static json_t *dns_cache_obj(const struct cf_run_totals *t)
{
	json_t *o = json_object();

	put_u64(o, "hits", t->classify.dns_hits);
	put_u64(o, "misses", t->classify.dns_misses);
	put(o, "hit_rate", hit_rate(t->classify.dns_hits, t->classify.dns_misses));
	put_u64(o, "evictions", t->classify.dns_evictions);
	put_u64(o, "capacity", t->classify.dns_capacity);
	return o;
}

/*
 * What the flow table and nDPI hold: sizes the engine knows (0: not
 * measured, left out).  live adds the nDPI states held now, which is 0
 * at the end of a run and only says something in a stats event.
 */
static void put_table_memory(json_t *o, const struct cf_run_totals *t, int live)
{
	put_known(o, "flow_entry_bytes", t->flows.entry_bytes);
	put_known(o, "flow_index_bytes", t->flows.index_bytes);
	put_known(o, "flow_touched_bytes", t->flows.touched_bytes);
	if (live)
		put_known(o, "ndpi_live", t->classify.ndpi_live);
	put_known(o, "ndpi_live_peak", t->classify.ndpi_live_peak);
	put_known(o, "ndpi_state_bytes", t->classify.ndpi_state_bytes);
}

/* callfence.report.memory: the process (t->mem) and its tables. */
static json_t *report_memory(const struct cf_run_totals *t)
{
	json_t *o = json_object();

	put_known(o, "rss_bytes", t->mem.rss_bytes);
	put_known(o, "peak_rss_bytes", t->mem.peak_rss_bytes);
	put_known(o, "heap_bytes", t->mem.heap_bytes);
	put_table_memory(o, t, 0);
	return o;
}

static json_t *report_body(const struct cf_report_view *v)
{
	const struct cf_run_totals *t = v->t;
	json_t *b = json_object();

	put(b, "inputs", inputs_array(t->inputs));
	put_u64(b, "packets", t->decode.packets);
	put_u64(b, "bytes", t->bytes_read);
	if (t->first_us != 0)
		put_time(b, "first_seen", t->first_us);
	if (t->last_us != 0)
		put_time(b, "last_seen", t->last_us);
	put(b, "wall_seconds", json_real(t->wall_seconds));
	put(b, "decode", decode_obj(&t->decode));
	put(b, "flows", flows_obj(v));
	put(b, "ndpi", ndpi_geo_obj(t, 0));
	put(b, "geo", ndpi_geo_obj(t, 1));
	put(b, "alerts", alerts_obj(v));
	put(b, "traffic", traffic_array(v));
	put(b, "unknown_geo", unknown_obj(v));
	put_u64(b, "output_errors", t->output_errors);
	put(b, "dns_cache", dns_cache_obj(t));
	put_obj(b, "memory", report_memory(t));
	return b;
}

int cf_report_json_write(const struct cf_report_view *v, const char *path,
			 char *err, size_t errlen)
{
	json_t *body;
	FILE *fp;
	int rc;

	json_init();
	body = report_body(v);

	if (body == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fp = fopen(path, "w");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		json_decref(body);
		return -1;
	}
	rc = json_dumpf(body, fp, DOC_FLAGS);
	json_decref(body);
	if (rc == 0 && fputc('\n', fp) == EOF)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cf_report_json_emit(const struct cf_report_view *v, struct cf_outputs *out,
			const struct cf_event_meta *m)
{
	struct ev_state *st = arena_begin();
	struct cf_event_info ev;
	json_t *root, *e, *c;
	uint64_t ts = v->t->last_us;

	if (st == NULL)
		return -1;
	root = json_object(), e = json_object(), c = json_object();
	if (root == NULL || e == NULL || c == NULL) {
		json_decref(root);
		json_decref(e);
		json_decref(c);
		return emit(st, out, NULL, NULL);
	}
	if (ts == 0)
		ts = (uint64_t)time(NULL) * 1000000;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_REPORT;
	ev.timestamp = put_time(root, "@timestamp", ts);
	put_lit(e, "kind", "metric");
	put_lit(e, "dataset", "callfence.report");
	put_lit(e, "module", "callfence");
	put_obj(root, "event", e);
	put(c, "report", report_body(v));
	put_obj(root, "callfence", c);
	if (m != NULL)
		put_obj(root, "observer", observer_obj(m));
	return emit(st, out, root, &ev);
}

/* ---- stats (live capture) -------------------------------------------- */

static json_t *stats_iface(const struct cf_stats_iface *i)
{
	json_t *o = json_object();

	put_str(o, "name", i->name);
	put_str(o, "state", i->state);
	put_u64(o, "received", i->received);
	put_u64(o, "dropped", i->dropped);
	put_u64(o, "if_dropped", i->if_dropped);
	put_u64(o, "packets", i->packets);
	put_u64(o, "errors", i->errors);
	put_u64(o, "reopens", i->reopens);
	return o;
}

/* packets: kernel counters summed over the interfaces, and ours. */
static json_t *stats_packets(const struct cf_stats_view *v)
{
	json_t *o = json_object();
	uint64_t rx = 0, drop = 0, ifdrop = 0;
	size_t i;

	for (i = 0; i < v->n_ifaces; i++) {
		rx += v->ifaces[i].received;
		drop += v->ifaces[i].dropped;
		ifdrop += v->ifaces[i].if_dropped;
	}
	put_u64(o, "received", rx);
	put_u64(o, "dropped", drop);
	put_u64(o, "if_dropped", ifdrop);
	put_u64(o, "processed", v->packets);
	put_u64(o, "decoded", v->t->decode.ok);
	return o;
}

static json_t *stats_flows(const struct cf_flow_stats *f)
{
	json_t *o = json_object();

	put_u64(o, "active", f->active);
	put_u64(o, "peak", f->peak);
	put_u64(o, "capacity", f->capacity);
	put_u64(o, "created", f->created);
	put_u64(o, "ended_idle", f->ended_idle);
	put_u64(o, "ended_closed", f->ended_closed);
	put_u64(o, "evicted", f->evicted);
	return o;
}

static json_t *stats_alerts(const struct cf_stats_view *v)
{
	json_t *o = json_object(), *sev = json_object();
	int s;

	put_u64(o, "total", v->alerts);
	for (s = CF_SEV_CRITICAL; s >= CF_SEV_LOW; s--)
		put_u64(sev, cf_severity_name((enum cf_severity)s), v->by_severity[s]);
	put(o, "by_severity", sev);
	return o;
}

static json_t *stats_output(const struct cf_output_stats *s)
{
	json_t *o = json_object();

	put_u64(o, "lines", s->lines);
	put_u64(o, "write_errors", s->write_errors);
	put_u64(o, "queue_depth", s->pending);
	put_u64(o, "dropped", s->dropped);
	put_u64(o, "spool_bytes", s->spool_bytes);
	return o;
}

static json_t *stats_geo_cache(const struct cf_run_totals *t)
{
	json_t *o = json_object();

	put_u64(o, "hits", t->geo.hits);
	put_u64(o, "misses", t->geo.misses);
	put(o, "hit_rate", hit_rate(t->geo.hits, t->geo.misses));
	put_u64(o, "entries", t->geo.entries);
	put_u64(o, "capacity", t->geo.capacity);
	return o;
}

/*
 * callfence.stats.memory: rss_bytes always (as it always was), the rest
 * when measured; peak_rss_bytes from the run totals when the daemon
 * filled them.
 */
static json_t *stats_memory(const struct cf_stats_view *v)
{
	json_t *o = json_object();

	put_u64(o, "rss_bytes", v->rss_bytes);
	put_known(o, "peak_rss_bytes", v->t->mem.peak_rss_bytes);
	put_known(o, "heap_bytes", v->heap_bytes);
	put_table_memory(o, v->t, 1);
	return o;
}

static json_t *stats_body(const struct cf_stats_view *v)
{
	json_t *b = json_object(), *ifs = json_array();
	size_t i;

	put(b, "uptime_seconds", json_real(v->uptime_seconds));
	for (i = 0; i < v->n_ifaces; i++)
		json_array_append_new(ifs, stats_iface(&v->ifaces[i]));
	put(b, "interfaces", ifs);
	put(b, "packets", stats_packets(v));
	put(b, "flows", stats_flows(&v->t->flows));
	put(b, "alerts", stats_alerts(v));
	put(b, "output", stats_output(&v->out));
	put(b, "geo_cache", stats_geo_cache(v->t));
	put(b, "dns_cache", dns_cache_obj(v->t));
	put(b, "memory", stats_memory(v));
	put_u64(b, "reloads", v->reloads);
	put_u64(b, "reload_failures", v->reload_failures);
	put_u64(b, "threads", v->threads ? v->threads : 1);
	if (v->threads > 1) {
		json_t *d = json_object();

		put_u64(d, "shared", v->dns_shared);
		put_u64(d, "dropped", v->dns_share_dropped);
		put(b, "shared_facts", d);
	}
	return b;
}

int cf_event_stats(struct cf_outputs *out, const struct cf_event_meta *m,
		   const struct cf_stats_view *v)
{
	struct ev_state *st = arena_begin();
	struct cf_event_info ev;
	json_t *root, *e, *c;

	if (st == NULL)
		return -1;
	root = json_object(), e = json_object(), c = json_object();
	if (root == NULL || e == NULL || c == NULL) {
		json_decref(root);
		json_decref(e);
		json_decref(c);
		return emit(st, out, NULL, NULL);
	}
	put_time(root, "@timestamp", v->ts_us);
	put_lit(e, "kind", "metric");
	put_lit(e, "dataset", "callfence.stats");
	put_lit(e, "module", "callfence");
	put_obj(root, "event", e);
	put(c, "stats", stats_body(v));
	put_obj(root, "callfence", c);
	if (m != NULL)
		put_obj(root, "observer", observer_obj(m));
	/* the outputs are told the kind only (no @timestamp: never folded) */
	memset(&ev, 0, sizeof(ev));
	ev.kind = CF_EVENT_STATS;
	return emit(st, out, root, &ev);
}
