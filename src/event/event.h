/*
 * event.h - ECS JSON events, one object per line.  jansson is included in
 * src/event only (event-int.h; the shapes are event-alert.c, event-flow.c,
 * event-report.c and event-stats.c).  An alert or flow record is first
 * taken as numbers and safe strings (event-facts.c) and rendered from
 * them, which is what lets --alert-window fold alerts without reading
 * their lines (event-alert.c).
 *
 * Kinds (event.dataset): callfence.alert (event.kind "alert"),
 * callfence.flow (event.kind "event"), callfence.stats and callfence.report
 * (event.kind "metric").  Strings from packets are untrusted: they are
 * passed through cf_json_safe_string() so invalid UTF-8 and control
 * characters come out escaped or replaced, never breaking a line.
 */
#ifndef CF_EVENT_H
#define CF_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include "flow/flow.h"
#include "geo/geo.h"
#include "geo/plausible.h"
#include "policy/policy.h"

struct cf_outputs;

struct cf_event_meta {
	const char *observer_hostname;  /* observer.hostname */
	const char *interface;          /* observer.ingress.interface.name, NULL offline */
	const char *const *permitted;   /* jurisdictions the policy permits (NULL-terminated) */
	/* TURN relays (f->cls.has_relay_peer): the real peer's geography,
	   set by the engine around the call that writes the event; NULL when
	   not looked up (a home peer).  relay_peer_alert: this alert comes
	   from judging that peer, so callfence.jurisdiction describes the
	   peer, not the relay.  Written as callfence.relay.peer. */
	const struct cf_geo_result *relay_peer_geo;
	int relay_peer_alert;
	/* bit i: the flow's end i (0 the initiator) is a home address
	   (home-net or special-purpose), set by the engine for alerts and
	   flow records: network.direction */
	unsigned home;
	/* callfence.geo: the remote end's smallest RTT and the speed-of-light
	   check of its country (geo/plausible.h); NULL when no RTT was
	   measured.  Set by the engine like relay_peer_geo. */
	const struct cf_plaus_result *geo_check;
};

/* The ECS release the events follow (ecs.version). */
#define CF_ECS_VERSION "8.11.0"

/*
 * One alert: flow f violated rule r at packet time ts_us.  remote_geo
 * describes the remote end (f->ip[!f->local]).  matched_roles: the roles the
 * rule matched on.  Returns 0, or -1 if the line could not be built/written.
 */
int cf_event_alert(struct cf_outputs *out, const struct cf_event_meta *m,
		   const struct cf_flow *f, const struct cf_geo_result *remote_geo,
		   const struct cf_rule_info *r, unsigned matched_roles,
		   uint64_t ts_us);

/*
 * The flow record at flow end.  decided: the rule that decided the flow's
 * last judgement, NULL if none.  remote_geo may be NULL (local flow).
 */
int cf_event_flow(struct cf_outputs *out, const struct cf_event_meta *m,
		  const struct cf_flow *f, const struct cf_geo_result *remote_geo,
		  const struct cf_rule_info *decided, enum cf_flow_end why,
		  uint64_t ts_us);

/*
 * A call (engine/calls.c: the flows that share a call key, classify.h's
 * enum cf_call_by) as its callfence.call event tells it: written when all
 * its flows have ended and it has been quiet for a while, or at the end of
 * the run (event-call.c).
 */
#define CF_CALL_PARTIES 16              /* remote ends listed; more are counted */
#define CF_CALL_ROLES 4                 /* key-exchange, media, signaling, relay */
#define CF_CALL_MERGED 16               /* ids of merged calls listed */

struct cf_call_party {
	cf_addr ip;
	char country[3];                /* located, else registered; "" unknown */
	uint32_t asn;
	char as_org[64];
	uint8_t roles;                  /* CF_ROLE_* of its flows */
	uint8_t via_relay;              /* a peer reached through a TURN relay */
	uint32_t flows;
	uint64_t bytes, packets;        /* both directions */
};

struct cf_call_record {
	uint64_t key;                   /* callfence.call.id (hex) */
	uint64_t first_us, last_us;
	uint32_t flows;
	uint32_t links;                 /* 1 << enum cf_call_by of its flows */
	cf_addr local;                  /* the local party (first flow's) */
	char app[24];                   /* the best-ranked app of its flows */
	uint32_t role_flows[CF_CALL_ROLES];
	uint64_t role_bytes[CF_CALL_ROLES], role_packets[CF_CALL_ROLES];
	uint32_t n_parties, parties_more;
	struct cf_call_party party[CF_CALL_PARTIES];
	uint32_t n_merged, merged_more; /* calls of the same local party and */
	uint64_t merged[CF_CALL_MERGED];   /* app merged into it (the "time" link) */
	uint32_t alerts;                /* alerts its flows raised */
	enum cf_severity severity;      /* the worst; CF_SEV_NONE for none */
	char rule_id[64], rule_name[160], ruleset[48];
};

/* The callfence.call event of c at packet time ts_us. */
int cf_event_call(struct cf_outputs *out, const struct cf_event_meta *m,
		  const struct cf_call_record *c, uint64_t ts_us);

/* Format microseconds since the epoch as "2021-05-04T09:12:03.118Z". */
void cf_event_time(uint64_t ts_us, char *buf, size_t len);

/*
 * Make a string from the wire safe for JSON: valid UTF-8 passes, every
 * invalid byte becomes U+FFFD, control characters become U+FFFD too (JSON
 * escaping of the rest is jansson's).  Writes at most dstlen-1 bytes + NUL.
 */
void cf_json_safe_string(const char *src, size_t srclen, char *dst, size_t dstlen);

#endif /* CF_EVENT_H */
