/*
 * event-read.h - callfence's own NDJSON events read back into plain C
 * structs, for the HTML report (src/report) and whoever else needs them
 * without jansson (which only src/event includes).
 *
 * One struct cf_ev per line.  Its strings point into the parsed line and
 * are valid only during the callback: copy what you keep.  A string field
 * the event lacks is "" (never NULL); a number it lacks is 0 (times: 0).
 * A line that is not a JSON object, or an object that is not one of
 * callfence's events, is counted (malformed / foreign), never fatal.
 */
#ifndef CF_EVENT_READ_H
#define CF_EVENT_READ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cf_ev_kind {
	CF_EV_ALERT = 1,      /* event.dataset callfence.alert */
	CF_EV_FLOW,           /* callfence.flow */
	CF_EV_STATS,          /* callfence.stats */
	CF_EV_REPORT,         /* callfence.report: a run's summary */
	CF_EV_CALL            /* callfence.call: one call, its parties and verdict */
};

#define CF_EV_MAX_LIST 16     /* items kept of a list (roles, links, ...) */
#define CF_EV_MAX_PARTY 16
#define CF_EV_MAX_SOURCE 8
#define CF_EV_MAX_INPUT 8

struct cf_ev_party {
	const char *ip, *country, *as_org;
	uint32_t asn;
	const char *roles;              /* comma-joined, in a buffer of the reader */
	uint64_t bytes, packets;
};

struct cf_ev_source {                   /* callfence.report.sources[] */
	const char *kind, *path, *sha256, *type, *build_date, *error;
};

struct cf_ev_input {                    /* callfence.report.inputs[] */
	const char *name, *status;
	uint64_t packets;
};

struct cf_ev {
	enum cf_ev_kind kind;
	double ts;                      /* @timestamp, seconds since the epoch */
	double start, end;              /* event.start / event.end; 0 if absent */
	const char *observer;           /* observer.hostname */
	const char *call_id;            /* callfence.call.id (flows, alerts, calls) */

	/* alert and flow */
	const char *app, *role, *roles; /* callfence.app, .role, .roles (joined by ",") */
	const char *protocol, *transport, *community_id;
	const char *local_ip, *remote_ip;    /* by callfence.remote_end */
	unsigned local_port, remote_port;
	const char *domain;                  /* the remote end's domain */
	const char *country, *registered;    /* jurisdiction.observed, .registered */
	const char *permitted;               /* jurisdiction.permitted, joined */
	uint32_t asn;
	const char *as_org;
	const char *cert_cn, *cert_names;    /* tls.server.x509 (names joined) */
	const char *relay_peer;              /* callfence.relay.peer.ip */
	const char *evidence, *verdict;      /* callfence.evidence, .verdict (flows) */
	const char *rule_id, *rule_name, *severity;   /* severity: callfence.severity */
	int severity_num;                    /* event.severity */
	uint64_t bytes, packets;             /* network.bytes, .packets */
	unsigned alerts;                     /* callfence.alerts (flows) */
	double rtt_ms;                       /* callfence.geo.rtt_ms; 0 absent */
	const char *plausibility;            /* callfence.geo.plausibility; "" absent */

	/* call (callfence.call; docs/schema/call.schema.json): call_id, app,
	 * local_ip (source.ip), start/end, severity/rule_id/message (its
	 * verdict), alerts, and: */
	const char *links;                   /* callfence.call.linked_by, joined */
	unsigned n_flows;
	double duration_ms;
	struct cf_ev_party parties[CF_EV_MAX_PARTY];
	size_t n_parties;
	const char *message;                 /* verdict.message */

	/* report (callfence.report) and stats (callfence.stats) */
	struct cf_ev_source sources[CF_EV_MAX_SOURCE];
	size_t n_sources;
	struct cf_ev_input inputs[CF_EV_MAX_INPUT];
	size_t n_inputs;
	uint64_t r_packets, r_bytes;
	double first_seen, last_seen;
	uint64_t truncated, invalid;         /* decode.truncated, .invalid */
	uint64_t flows_created, evicted;
	uint64_t output_errors;
	uint64_t dropped, if_dropped;        /* stats: summed over interfaces */
	uint64_t by_sev[4];                  /* report alerts: low .. critical */
};

struct cf_ev_counts {
	uint64_t lines;                 /* non-empty lines read */
	uint64_t events;                /* given to the callback */
	uint64_t malformed;             /* not JSON, or not an object */
	uint64_t foreign;               /* JSON, but not a callfence event kind */
	uint64_t first_bad_line;        /* 1-based; 0: none */
};

typedef int (*cf_ev_fn)(void *ctx, const struct cf_ev *ev);

/*
 * Read NDJSON events from fp to its end, calling fn for each.  A line
 * longer than 1 MiB is malformed.  Returns 0, -1 on a read error (message
 * in err naming name), or what fn returned if it was not 0 (stops).
 */
int cf_event_read(FILE *fp, const char *name, cf_ev_fn fn, void *ctx,
		  struct cf_ev_counts *counts, char *err, size_t errlen);

/* "2024-03-01T10:00:00.030Z" (or without fraction, or +00:00) to seconds
 * since the epoch; -1 if not such a time. */
double cf_event_parse_time(const char *s);

#endif /* CF_EVENT_READ_H */
