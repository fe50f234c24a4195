/*
 * event-int.h - what the event files share, and only they (jansson is
 * src/event's alone): the per-thread memory an event is built in
 * (event-arena.c), the JSON writer alerts, flow records and calls are
 * rendered with, no tree (event-json.c), the tree builders of the
 * stats and report events that make every string safe (event-put.c),
 * the record of a flow's facts that alerts and flow records are
 * rendered from (event-facts.c), and the object parts the shapes have
 * in common (event-parts.c, event-report.c).
 *
 * The shapes: event-render.c (callfence.alert, the --alert-window
 * summary and callfence.flow, raised by event-alert.c and event-flow.c),
 * event-call.c (callfence.call), event-report.c (callfence.report),
 * event-stats.c (callfence.stats).
 */
#ifndef CF_EVENT_INT_H
#define CF_EVENT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>

#include "event/event.h"
#include "event/report.h"
#include "event/communityid.h"
#include "output/output.h"

#define SAFE_MAX 1024           /* longest string put in an event, in bytes */

/* ---- event-safe.c ---------------------------------------------------- */

/* cf_json_safe_string, returning the length written. */
size_t safe_copy(const char *src, size_t srclen, char *dst, size_t dstlen);
/*
 * The safe form of s (at most max bytes read, up to a NUL): its length,
 * 0 for NULL or "", and in *out where it is (s itself when s is plain
 * ASCII, else buf, SAFE_MAX bytes).
 */
size_t safe_view(const char *s, size_t max, char *buf, const char **out);
/* A byte in each byte of a word, and each byte's high bit (event-safe.c and
 * event-json.c look at strings eight bytes at a time). */
#define EV_ONES8 0x0101010101010101ULL
#define EV_HIGH8 0x8080808080808080ULL
/* Printable ASCII: passes unchanged, one byte for one byte. */
static inline int is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* ---- event-json.c: writing JSON straight into a line ------------------ */

/*
 * A compact JSON writer into a growing buffer: alerts and flow records
 * (event-render.c) and calls (event-call.c) are rendered with it, no
 * tree.  Keys are literals of plain ASCII (written as they are); values
 * are escaped as jansson's dumper escapes them, so the bytes are what
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) of the same tree wrote.
 * An object closed with no member is dropped with its key, as put_obj
 * drops an empty child; an array is written even when empty.  After an
 * allocation failure the writer only counts: jw_end says -1 and the line
 * is not written.
 *
 * The writers of a member are inline, so that a literal key's length is
 * known where it is written (strlen of a literal folds to a constant and
 * its copy to a few moves), and each member makes room once: the comma,
 * the key and its value are written after one check of the buffer.
 */
#define JW_DEPTH 16
struct jw {
	char *buf;
	size_t len, cap;
	unsigned n;                     /* members or items of the innermost container */
	int err;                        /* out of memory, or nested too deep */
	int depth;                      /* open containers; 1: the root */
	struct {
		size_t start;           /* len before its key (an empty object goes back here) */
		unsigned n;             /* the n of the container it is in, while it is open */
		int arr;                /* 0 object, 1 array, 2 object item (kept when empty) */
	} lvl[JW_DEPTH];
};

int jw_grow(struct jw *w, size_t n);
/* Room for n more bytes: 0, or -1 after an allocation failure. */
static inline int jw_room(struct jw *w, size_t n)
{
	return n <= w->cap - w->len || jw_grow(w, n) == 0 ? 0 : -1;
}
static inline void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (jw_room(w, n) == 0) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}
/*
 * Where the next member or item goes, with room for more bytes after it:
 * the comma when it is not the first, then "key": (key NULL: an item or
 * a run of members of jw_fixed, no key).  Nothing is counted in w->len
 * until jw_done; NULL after an allocation failure.
 */
static inline char *jw_at(struct jw *w, const char *key, size_t klen, size_t more)
{
	int comma = w->n++ > 0;
	char *p;

	if (jw_room(w, klen + more + 4) < 0)
		return NULL;
	p = w->buf + w->len;
	*p = ',';
	p += comma;
	if (key != NULL) {
		*p++ = '"';
		memcpy(p, key, klen);
		p += klen;
		*p++ = '"';
		*p++ = ':';
	}
	return p;
}
/* The line ends at p (after jw_at). */
static inline void jw_done(struct jw *w, char *p)
{
	w->len = (size_t)(p - w->buf);
}
/*
 * At p (room for n + 2 bytes made by jw_at, w->len not yet past it): the
 * string value s of n bytes (valid UTF-8), quoted and escaped; ends the
 * line after it.
 */
void jw_put_str(struct jw *w, char *p, const char *s, size_t n);
/* Digits of v at p ("%llu"; at most 20 bytes): the end of them. */
char *jw_dec(char *p, uint64_t v);

/* Start the root object (the buffer is kept between events). */
void jw_begin(struct jw *w);
/* Close the root: 0, or -1 when the line is not whole. */
int jw_end(struct jw *w);
/* ,"key": (the comma when not first); key a plain ASCII literal. */
static inline void jw_key(struct jw *w, const char *key)
{
	char *p = jw_at(w, key, strlen(key), 0);

	if (p != NULL)
		jw_done(w, p);
}
/*
 * One or more members (or items) of ours, text written as it is (a
 * literal: "\"module\":\"callfence\",\"type\":\"sensor\""), after the
 * comma when they are not the first of their object; they count as one.
 */
static inline void jw_fixed(struct jw *w, const char *text)
{
	size_t n = strlen(text);
	char *p = jw_at(w, NULL, 0, n);

	if (p != NULL) {
		memcpy(p, text, n);
		jw_done(w, p + n);
	}
}
/* A string value, escaped: n bytes of s (valid UTF-8). */
void jw_esc(struct jw *w, const char *s, size_t n);
/* key: s of n bytes (valid UTF-8), escaped; written even when n is 0. */
static inline void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	char *p = jw_at(w, key, strlen(key), n + 2);

	if (p != NULL)
		jw_put_str(w, p, s, n);
}
/* key:{inner:s}: an object of one member, s (n bytes, valid UTF-8)
 * escaped, without opening a container (it is never empty). */
static inline void jw_obj_strn(struct jw *w, const char *key, const char *inner,
			       const char *s, size_t n)
{
	size_t il = strlen(inner);
	char *p = jw_at(w, key, strlen(key), il + n + 6);

	if (p == NULL)
		return;
	*p++ = '{';
	*p++ = '"';
	memcpy(p, inner, il);
	p += il;
	*p++ = '"';
	*p++ = ':';
	jw_put_str(w, p, s, n);
	jw_raw(w, "}", 1);
}
/* key: s; nothing for s NULL or "" (s already safe: event-safe.c). */
static inline void jw_str(struct jw *w, const char *key, const char *s)
{
	if (s != NULL && s[0] != '\0')
		jw_strn(w, key, s, strlen(s));
}
/* At p (room for n + 2 bytes made by jw_at): s of n bytes, quoted as it
 * is; ends the line after it. */
static inline void jw_put_plain(struct jw *w, char *p, const char *s, size_t n)
{
	*p++ = '"';
	memcpy(p, s, n);
	p[n] = '"';
	jw_done(w, p + n + 1);
}
/*
 * key: s of n bytes that JSON does not escape (no '"', '\\' nor control
 * character: an address, a time, a Community ID, a name of ours), as it
 * is; written even when n is 0.
 */
static inline void jw_plain(struct jw *w, const char *key, const char *s, size_t n)
{
	char *p = jw_at(w, key, strlen(key), n + 2);

	if (p != NULL)
		jw_put_plain(w, p, s, n);
}
/* key: a constant of ours (nothing JSON escapes in it), written even when "". */
static inline void jw_lit(struct jw *w, const char *key, const char *s)
{
	jw_plain(w, key, s, strlen(s));
}
/* key: the safe form (event-safe.c) of s, at most max bytes of it; nothing for NULL/"". */
static inline void jw_safe(struct jw *w, const char *key, const char *s, size_t max)
{
	char buf[SAFE_MAX];
	const char *v;
	size_t n = safe_view(s, max, buf, &v);

	if (n != 0)
		jw_strn(w, key, v, n);
}
/* key: v as jansson writes an integer (above INT64_MAX: INT64_MAX, as put_u64). */
static inline void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	char *p = jw_at(w, key, strlen(key), 20);

	if (p != NULL)
		jw_done(w, jw_dec(p, v > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v));
}
static inline void jw_int(struct jw *w, const char *key, long long v)
{
	char *p = jw_at(w, key, strlen(key), 21);

	if (p == NULL)
		return;
	if (v < 0) {
		*p++ = '-';
		jw_done(w, jw_dec(p, (uint64_t)0 - (uint64_t)v));
	} else {
		jw_done(w, jw_dec(p, (uint64_t)v));
	}
}
/*
 * key: the time us (put_time); 0 (and nothing written) if it could not be
 * formatted.
 */
#define EV_TIME_MAX 48          /* bytes ev_time_fmt writes, always */
size_t ev_time_fmt(uint64_t us, char out[EV_TIME_MAX]);
static inline int jw_time(struct jw *w, const char *key, uint64_t us)
{
	char t[EV_TIME_MAX], *p;
	size_t n = ev_time_fmt(us, t);

	if (n == 0)
		return 0;
	p = jw_at(w, key, strlen(key), EV_TIME_MAX + 2);
	if (p != NULL) {
		*p++ = '"';
		memcpy(p, t, EV_TIME_MAX);      /* all of it: a constant copy */
		p[n] = '"';
		jw_done(w, p + n + 1);
	}
	return 1;
}
/* A real as jansson dumps it with JSON_REAL_PRECISION(10). */
void jw_real(struct jw *w, const char *key, double v);
/*
 * The real k / 10^frac (frac 1 to 3) as jw_real writes it, without
 * printf: for |k| < 10^10 the number has at most ten significant digits,
 * so "%.10g" of the double nearest it is its decimal digits exactly, the
 * trailing zeros of the fraction dropped (".0" for a whole number, as
 * jansson adds).  Larger: jw_real.
 */
void jw_frac(struct jw *w, const char *key, long long k, unsigned frac);
/* A container opened: start is w->len before its key (or comma). */
static inline void jw_push(struct jw *w, size_t start, int arr)
{
	if (w->depth >= JW_DEPTH) {
		w->err = 1;
		return;
	}
	w->lvl[w->depth].start = start;
	w->lvl[w->depth].n = w->n;
	w->lvl[w->depth].arr = arr;
	w->depth++;
	w->n = 0;
}
/* Open an object or array under key; jw_close closes the innermost. */
static inline void jw_open(struct jw *w, const char *key, size_t klen, char c, int arr)
{
	size_t start = w->len;
	char *p = jw_at(w, key, klen, 1);

	if (p != NULL) {
		*p++ = c;
		jw_done(w, p);
	}
	jw_push(w, start, arr);
}
static inline void jw_obj(struct jw *w, const char *key)
{
	jw_open(w, key, strlen(key), '{', 0);
}
static inline void jw_arr(struct jw *w, const char *key)
{
	jw_open(w, key, strlen(key), '[', 1);
}
/* Open an object as an array item (written even when it stays empty). */
void jw_item_obj(struct jw *w);
/* Close the innermost container: an object with no member goes, key and all. */
static inline void jw_close(struct jw *w)
{
	int d = w->depth - 1;

	if (d < 1) {
		w->err = 1;
		return;
	}
	w->depth = d;
	if (w->lvl[d].arr == 0 && w->n == 0) {
		w->len = w->lvl[d].start;
		w->n = w->lvl[d].n - 1;
		return;
	}
	w->n = w->lvl[d].n;
	if (jw_room(w, 1) == 0)
		w->buf[w->len++] = w->lvl[d].arr == 1 ? ']' : '}';
}
/* An array item: the string s (valid UTF-8), escaped. */
static inline void jw_item(struct jw *w, const char *s)
{
	size_t n = strlen(s);
	char *p = jw_at(w, NULL, 0, n + 2);

	if (p != NULL)
		jw_put_str(w, p, s, n);
}
/* An array item: s of n bytes that JSON does not escape (as jw_plain). */
static inline void jw_item_plain(struct jw *w, const char *s, size_t n)
{
	char *p = jw_at(w, NULL, 0, n + 2);

	if (p != NULL)
		jw_put_plain(w, p, s, n);
}

/* ---- event-arena.c: building one event ------------------------------ */

struct ev_state;

/*
 * Start an event in this thread's arena: NULL (nothing to build with)
 * without memory.  side: the second arena of the thread, for a summary
 * the outputs ask for while this thread's first one holds an event
 * (cf_outputs_write_event runs inside emit).
 */
struct ev_state *arena_begin(int side);
/* The event's tree holds a node made outside the arena (a reference
 * taken): dropping the tree must walk it, not only reset the arena. */
void arena_adopt(struct ev_state *st);
/* Make sure jansson allocates through the arena functions. */
void json_init(void);
/*
 * Serialise root compactly into the state's line buffer and hand the
 * line to the outputs with ev; then drop the tree.  st NULL or root NULL:
 * -1.  out NULL: keep the line (ev_line) instead of writing it.
 */
int emit(struct ev_state *st, struct cf_outputs *out, json_t *root,
	 const struct cf_event_info *ev);
/*
 * The writer of this thread's first state (side 0) or second (side 1),
 * begun (jw_begin) for a new line; NULL without memory.  An alert or flow
 * record is rendered into it with no tree, then emit_line writes it.
 */
struct jw *line_begin(int side);
/* Hand w's line to the outputs with ev (out NULL: keep it): 0 or -1. */
int emit_line(struct jw *w, struct cf_outputs *out, const struct cf_event_info *ev);
/* The line the last emit with out NULL made in st. */
const char *ev_line(const struct ev_state *st, size_t *len);
/* This thread's buffer for a record of n bytes (event-facts.c); NULL without memory. */
void *ev_record_buf(size_t n);

/* ---- event-put.c: values and members -------------------------------- */

/* A JSON string of the safe form of s (at most max bytes); NULL for NULL or "". */
json_t *safe_json(const char *s, size_t max);

/*
 * Set key (a literal: valid UTF-8) to v; nothing for v NULL.  Inline, so
 * that the length of a literal key is known at compile time.
 */
static inline void put(json_t *o, const char *key, json_t *v)
{
	if (v != NULL)
		json_object_setn_new_nocheck(o, key, strlen(key), v);
}

/* Set key to the safe form of s; nothing for NULL or "".  The string set. */
const char *put_strn(json_t *o, const char *key, const char *s, size_t max);
#define put_str(o, k, s) put_strn((o), (k), (s), SAFE_MAX)
/* A constant of ours (a literal or a name table entry: ASCII, never empty). */
void put_lit(json_t *o, const char *key, const char *s);
void put_u64(json_t *o, const char *key, uint64_t v);
/* A measured amount (memory): 0 means not measured, and is left out. */
void put_known(json_t *o, const char *key, uint64_t v);
/* key: the time us as "2021-05-04T09:12:03.118Z"; 0 if it could not be formatted. */
int put_time(json_t *o, const char *key, uint64_t us);
/* Attach child under key unless it is NULL or an empty object. */
void put_obj(json_t *o, const char *key, json_t *child);

/* ---- event-facts.c: the facts of a flow-based event ------------------- */

/* The strings of a record: made safe, in its text, by offset. */
enum ev_str {
	EV_RULE_ID, EV_RULE_NAME, EV_RULESET, EV_DOMAIN, EV_L7, EV_APP,
	EV_EVIDENCE, EV_HOSTNAME, EV_INTERFACE, EV_PERMITTED, EV_CERT_CN,
	EV_CERT_SAN,
	EV_NSTR
};

/* One end of the flow. */
struct ev_end {
	cf_addr ip;
	uint16_t port;
	uint64_t bytes, packets;
};

/*
 * What an alert or a flow record says, as numbers and safe strings, taken
 * from the flow, the geography, the rule and the meta when the event is
 * raised.  Position-independent (strings by offset into text, which
 * follows the struct): the outputs may keep a byte copy (--alert-window)
 * and have it rendered later, when the flow, the rule and the policy the
 * facts came from may be gone.
 */
struct ev_facts {
	size_t size;                    /* bytes: this struct and its text */
	uint64_t ts_us;                 /* @timestamp */
	uint64_t first_us, last_us;
	struct ev_end src, dst;         /* source: the initiator, destination the responder */
	char src_ip[CF_ADDR_STRLEN];    /* their addresses as text (inet_ntop is dear) */
	char dst_ip[CF_ADDR_STRLEN];
	uint8_t src_ip_len, dst_ip_len;
	uint8_t proto, v6, ours;        /* ours: index of our end in the flow */
	uint8_t init;                   /* index of the initiator in the flow */
	uint8_t home;                   /* bit 0: source, bit 1: destination is home */
	uint8_t verdict, n_alerts, local_by;
	uint8_t call_by;                /* enum cf_call_by of call_key */
	uint64_t call_key;              /* the flow's call, 0 none */
	uint16_t vlan;
	unsigned roles, matched;
	int has_rule;
	enum cf_severity severity;      /* the rule's */
	int sdes;                       /* the rule is callfence-sdes-cleartext */
	enum cf_flow_end why;           /* flow records */
	int has_geo, has_relay, has_relay_geo, relay_peer_alert;
	struct cf_geo_result geo;       /* the remote end, when has_geo */
	cf_addr relay_ip;               /* the peer behind a TURN relay */
	uint16_t relay_port;
	struct cf_geo_result relay_geo;
	int has_geo_check;              /* callfence.geo (event-geo.c) */
	struct cf_plaus_result geo_check;
	int permitted;                  /* the meta had a list of permitted (maybe all empty) */
	unsigned n_permitted;           /* its non-empty names, in a row at s[EV_PERMITTED] */
	unsigned n_san;                 /* certificate dNSNames, in a row at s[EV_CERT_SAN] */
	char cid[CF_COMMUNITY_ID_LEN];  /* "" if none */
	uint32_t s[EV_NSTR];            /* offsets into text; 0: none */
	uint16_t len[EV_NSTR];          /* their lengths (of a row: its first) */
	uint32_t text_len;
	char text[];
};

/*
 * The facts of flow f (remote_geo may be NULL), rule r (NULL: none), meta
 * m, at ts_us, in this thread's record buffer; NULL without memory.
 */
struct ev_facts *ev_facts_take(const struct cf_event_meta *m, const struct cf_flow *f,
			       const struct cf_geo_result *remote_geo,
			       const struct cf_rule_info *r, uint64_t ts_us);
/* String i of x, NULL if none. */
static inline const char *ev_str(const struct ev_facts *x, enum ev_str i)
{
	return x->s[i] != 0 ? x->text + x->s[i] : NULL;
}
/* key: string i of x (safe, its length kept); nothing if none. */
static inline void jw_fact(struct jw *w, const char *key, const struct ev_facts *x,
			   enum ev_str i)
{
	if (x->s[i] != 0)
		jw_strn(w, key, x->text + x->s[i], x->len[i]);
}
/*
 * The key --alert-window folds on, as it always did: "rule.id, source.ip,
 * destination.ip" as written, joined by 0x1f (the outputs hash it to
 * order their windows).  0 (no key) when the rule has no id; buf holds
 * EV_FOLD_KEY_MAX bytes.
 */
#define EV_FOLD_KEY_MAX (SAFE_MAX + 2 * CF_ADDR_STRLEN + 2)
size_t ev_fold_key(const struct ev_facts *x, unsigned char *buf);

/* ---- event-render.c: alerts and flow records, no tree ----------------- */

/*
 * The alert of x at ts_us, standing for count alerts (0: itself alone;
 * more: an --alert-window summary), written into w after jw_begin; the
 * flow record of x (its @timestamp x->ts_us).  Both return 0 when
 * @timestamp could not be written (and is left out), else 1.
 */
int ev_render_alert(struct jw *w, const struct ev_facts *x, uint64_t ts_us,
		    uint64_t count);
int ev_render_flow(struct jw *w, const struct ev_facts *x);
/*
 * The parts the alert, flow and call events share (event-render.c): the
 * first members of the event object (jw_fixed after jw_obj(w, "event")):
 * kind, category network and type, types a literal of quoted names; the
 * constant members of observer (after its hostname); the roles array in
 * rank order (empty: written even with no role); ecs.
 */
#define EV_EVENT_HEAD(kind, types) \
	"\"kind\":\"" kind "\",\"category\":[\"network\"],\"type\":[" types "]"
#define EV_OBSERVER_FIXED \
	"\"vendor\":\"callfence\",\"product\":\"callfence\"," \
	"\"version\":\"" PACKAGE_VERSION "\",\"type\":\"sensor\""
void ev_roles_array(struct jw *w, unsigned roles, int empty);
void ev_ecs_obj(struct jw *w);
/* Is s a protocol network.protocol may hold (event-render.c), and the
 * i-th of that list (NULL past its end; for the tests)? */
int ev_is_protocol(const char *s);
const char *ev_protocol_at(int i);
/* callfence.geo: the remote end's RTT and the speed-of-light check
 * (event-geo.c); nothing when no RTT was measured. */
void ev_render_geo_check(struct jw *w, const struct ev_facts *x);

/* ---- event-call.c: callfence.call, no tree ----------------------------- */

/*
 * The call event of c (meta m, NULL: no observer) at ts_us into w after
 * jw_begin: 0 when @timestamp could not be written (and is left out), else 1.
 */
int ev_render_call(struct jw *w, const struct cf_event_meta *m,
		   const struct cf_call_record *c, uint64_t ts_us);

/* ---- event-parts.c: the parts stats and report share with them ------- */

/* A call key as callfence.call.id: 16 hex digits. */
void ev_call_id(uint64_t key, char buf[17]);

json_t *observer_obj(const struct cf_event_meta *m);
/* ecs.version on root (every event; CF_ECS_VERSION). */
void put_ecs(json_t *root);

/* ---- event-report.c: parts the stats event shares -------------------- */

json_t *hit_rate(uint64_t hits, uint64_t misses);
/* sources (rules, catalog, databases) and versions of the run (provenance.h);
 * sources NULL when no record was taken. */
json_t *sources_array(void);
json_t *versions_obj(void);
json_t *dns_cache_obj(const struct cf_run_totals *t);
void put_table_memory(json_t *o, const struct cf_run_totals *t, int live);

#endif /* CF_EVENT_INT_H */
