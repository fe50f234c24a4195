/*
 * audit-int.h - what the report's files share: the model the events are
 * gathered into (audit-model.c), the map (audit-map.c) and the writers
 * (audit-html.c, audit-sections.c, audit-assets.c).
 */
#ifndef CF_AUDIT_INT_H
#define CF_AUDIT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event/event-read.h"
#include "report/audit.h"

#define EV_PER_FLOW 32          /* --evidence: packets kept of each alerted flow */
#define EV_TOTAL 20000          /* and over all of them */

enum { SEV_NONE = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

struct a_flow {
	const char *obs, *call_id, *app, *roles, *protocol, *transport, *cid;
	const char *local_ip, *remote_ip, *domain, *country, *registered, *as_org;
	const char *evidence, *rule_id, *verdict;
	const char *plausibility;   /* callfence.geo: "" absent */
	double rtt_ms;
	unsigned lport, rport;
	uint32_t asn;
	uint64_t bytes, packets;
	double start, end;
	int sev;                    /* worst alert of the flow, SEV_* */
	size_t call;                /* index in calls, or (size_t)-1 */
};

struct a_alert {
	const char *obs, *call_id, *app, *role, *roles, *protocol, *transport, *cid;
	const char *local_ip, *remote_ip, *domain, *country, *registered, *as_org;
	const char *evidence, *rule_id, *rule_name, *permitted;
	const char *cert_cn, *cert_names, *relay_peer;
	const char *plausibility;   /* callfence.geo: "" absent */
	double rtt_ms;
	unsigned lport, rport;
	uint32_t asn;
	int sev;
	double ts;
	uint64_t bytes, packets;
	size_t call;
	const char *pcap, *pcap_sha;    /* --evidence: its file, or NULL */
	unsigned pcap_packets;
};

struct a_call {
	const char *id, *obs, *app, *local_ip, *links, *rule_id, *message;
	int sev;
	int from_event;             /* a callfence.call event, not grouped here */
	double start, end;
	unsigned n_flows, n_alerts;
	uint64_t bytes;
	char keyx[256], media[256]; /* "CN AS64520 Example, US ..." */
};

struct a_obs {                      /* one observer (gateway) */
	const char *name;
	int have_report, have_stats;
	uint64_t packets, bytes, truncated, invalid, flows_created, evicted;
	uint64_t output_errors, dropped, if_dropped;
	uint64_t by_sev[4];
	double first_seen, last_seen;
	struct cf_ev_source sources[CF_EV_MAX_SOURCE];   /* strings kept */
	size_t n_sources;
	struct cf_ev_input inputs[CF_EV_MAX_INPUT];
	size_t n_inputs;
	uint64_t events;
};

struct a_file {                     /* one events file read */
	const char *name;
	struct cf_ev_counts counts;
};

struct a_country {                  /* traffic by remote country */
	char cc[3];
	uint64_t bytes, flows;
	int alerted;                /* worst alert's SEV_* */
	int permitted;
};

struct a_ring {
	float *xy;                  /* projected, x y pairs */
	size_t n;
};

struct a_shape {                    /* one country of the world file */
	char cc[3];
	const char *name;
	struct a_ring *rings;       /* every ring of every polygon */
	size_t n_rings;
	float px, py;               /* where its first outer ring was, even when
				       too small to draw (a pin goes there) */
	int has_pt;
};

struct a_chunk;

struct cf_audit {
	struct a_chunk *arena;
	double since, until;
	struct a_flow *flows;
	size_t n_flows, cap_flows;
	struct a_alert *alerts;
	size_t n_alerts, cap_alerts;
	struct a_call *calls;
	size_t n_calls, cap_calls;
	int calls_grouped;          /* 1: no call events, flows grouped here */
	struct a_obs obs[64];
	size_t n_obs;
	uint64_t obs_overflow;      /* events of observers past the 64th */
	struct a_file files[64];
	size_t n_files;
	struct a_country *countries;
	size_t n_countries, cap_countries;
	char permitted[26 * 26];    /* [A-Z][A-Z]: 1 permitted */
	int have_permitted;
	char permit_label[128];
	char permitted_names[256];
	const char *rules_path;
	struct a_shape *shapes;
	size_t n_shapes;
	char world_why[512];        /* why there is no map */
	char world_source[256];     /* the world file's "# source:" line */
	char generator[128];
	double t_min, t_max;        /* the period seen */
	int finished;               /* a_finish ran */
	char evidence_dir[1024];    /* --evidence DIR, "" without */
	char evidence_href[1024];   /* how the report links DIR */
	unsigned evidence_files, evidence_packets;
	uint64_t filtered;          /* events left out by --since/--until */
};

/* audit-model.c */
const char *a_keep(struct cf_audit *a, const char *s);
struct a_country *a_country(struct cf_audit *a, const char *cc);
void a_finish(struct cf_audit *a);
const char *a_sev_name(int sev);
const char *a_country_name(const struct cf_audit *a, const char *cc);

/* audit-map.c */
void a_map_write(struct cf_audit *a, FILE *f);
void a_shapes_free(struct cf_audit *a);

/* audit-html.c: escaping */
void a_esc(FILE *f, const char *s);             /* text and attribute values */
void a_bytes(FILE *f, uint64_t b);              /* "75.2 kB" */
void a_time(FILE *f, double t);                 /* "2024-03-01 10:00:00Z" */
void a_esc_in(FILE *f, const char *pre, const char *s, const char *post);  /* pre, s escaped, post */
void a_operator(FILE *f, uint32_t asn, const char *org);        /* "AS64496 Org" */
void a_pcap_link(const struct cf_audit *a, FILE *f, const char *pcap);  /* <a class="pcap"> */
void a_where_add(char *buf, size_t len, const char *one);   /* "; one" once, bounded */

/* audit-sections.c */
void a_write_calls(struct cf_audit *a, FILE *f);
void a_write_alerts(struct cf_audit *a, FILE *f);
void a_write_flows(struct cf_audit *a, FILE *f);
void a_write_health(struct cf_audit *a, FILE *f);
void a_write_apps(struct cf_audit *a, FILE *f);

/* audit-assets.c */
extern const char a_css[];
extern const char a_js[];

#endif /* CF_AUDIT_INT_H */
