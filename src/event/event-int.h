/*
 * event-int.h - what the event files share, and only they (jansson is
 * src/event's alone): the per-thread memory an event is built in
 * (event-arena.c), the value builders that make every string safe
 * (event-put.c), the record of a flow's facts that alerts and flow
 * records are rendered from (event-facts.c), and the object parts the
 * shapes have in common (event-parts.c, event-report.c).
 *
 * The shapes: event-alert.c (callfence.alert, and the --alert-window
 * summary), event-flow.c (callfence.flow), event-report.c
 * (callfence.report), event-stats.c (callfence.stats).
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

/* ---- event-arena.c: building one event ------------------------------ */

struct ev_state;

/*
 * Start an event in this thread's arena: NULL (nothing to build with)
 * without memory.  side: the second arena of the thread, for a summary
 * the outputs ask for while this thread's first one holds an event
 * (cf_outputs_write_event runs inside emit).
 */
struct ev_state *arena_begin(int side);
/* Make sure jansson allocates through the arena functions. */
void json_init(void);
/*
 * Serialise root compactly into the state's line buffer and hand the
 * line to the outputs with ev; then drop the tree.  st NULL or root NULL:
 * -1.  out NULL: keep the line (ev_line) instead of writing it.
 */
int emit(struct ev_state *st, struct cf_outputs *out, json_t *root,
	 const struct cf_event_info *ev);
/* The line the last emit with out NULL made in st. */
const char *ev_line(const struct ev_state *st, size_t *len);
/* This thread's buffer for a record of n bytes (event-facts.c); NULL without memory. */
void *ev_record_buf(size_t n);

/* ---- event-safe.c ---------------------------------------------------- */

/* cf_json_safe_string, returning the length written. */
size_t safe_copy(const char *src, size_t srclen, char *dst, size_t dstlen);
/*
 * The safe form of s (at most max bytes read, up to a NUL): its length,
 * 0 for NULL or "", and in *out where it is (s itself when s is plain
 * ASCII, else buf, SAFE_MAX bytes).
 */
size_t safe_view(const char *s, size_t max, char *buf, const char **out);
/* Printable ASCII: passes unchanged, one byte for one byte. */
static inline int is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

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
/* A JSON array of the given constant strings (b may be NULL). */
json_t *str_array(const char *a, const char *b);

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
	uint8_t proto, v6, ours;        /* ours: index of our end in the flow */
	uint8_t init;                   /* index of the initiator in the flow */
	uint8_t home;                   /* bit 0: source, bit 1: destination is home */
	uint8_t verdict, n_alerts, local_by;
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
/* A JSON string of string i of x (already safe); NULL if none. */
json_t *ev_json(const struct ev_facts *x, enum ev_str i);
/*
 * The key --alert-window folds on, as it always did: "rule.id, source.ip,
 * destination.ip" as written, joined by 0x1f (the outputs hash it to
 * order their windows).  0 (no key) when the rule has no id; buf holds
 * EV_FOLD_KEY_MAX bytes.
 */
#define EV_FOLD_KEY_MAX (SAFE_MAX + 2 * CF_ADDR_STRLEN + 2)
size_t ev_fold_key(const struct ev_facts *x, unsigned char *buf);

/* ---- event-parts.c: parts of alerts and flow records ----------------- */

json_t *rule_obj(const struct ev_facts *x);
/*
 * source (the initiator) or destination (the responder), with what that
 * end sent when counts; the remote end (not ours) also carries the
 * domain, geo and as.
 */
json_t *source_obj(const struct ev_facts *x, int counts);
json_t *destination_obj(const struct ev_facts *x, int counts);
/* ECS client (the initiator) and server (the responder): ip and port. */
json_t *client_obj(const struct ev_facts *x);
json_t *server_obj(const struct ev_facts *x);
/* related.ip: both ends and the peer behind a TURN relay, each once. */
json_t *related_obj(const struct ev_facts *x);
/* "source" or "destination": which of them is the remote end. */
const char *remote_end_name(const struct ev_facts *x);
/* The classifier's app (as the rules and the report name it); NULL if none. */
#define ev_app(x) ev_json((x), EV_APP)
/* tls.server.x509 of the server's certificate names; NULL when none. */
json_t *tls_obj(const struct ev_facts *x);
json_t *network_obj(const struct ev_facts *x);
json_t *roles_array(unsigned roles, int empty);
/* callfence.jurisdiction of geography g (NULL: none); alert: the alert's form. */
json_t *jurisdiction_obj(const struct ev_facts *x, const struct cf_geo_result *g, int alert);
json_t *relay_obj(const struct ev_facts *x);
/* callfence.geo: the remote end's RTT and the speed-of-light check
 * (event-geo.c); NULL when no RTT was measured. */
json_t *geo_check_obj(const struct ev_facts *x);
json_t *observer_obj(const struct cf_event_meta *m);
json_t *observer_facts_obj(const struct ev_facts *x);
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
