/*
 * engine.h - one engine: a decoded packet's way through the flow table,
 * the classifier, the geography and the policy to events, and the report
 * at the end.
 *
 * The engine owns the flow table, classifier, policy, geography and
 * report; the outputs are the caller's.  It never sees frames: the runner
 * (runner.h) reads them, keeps the packet clock, decodes and hands each
 * packet to the engine that owns its flow.  These are the calls a runner
 * makes of one engine, always from one thread at a time.
 */
#ifndef CF_ENGINE_H
#define CF_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "decode/decode.h"
#include "flow/flow.h"
#include "policy/policy.h"
#include "event/report.h"

struct cf_outputs;
struct cf_calls;

struct cf_engine_config {
	const char *rules_path;            /* required */
	const char *const *incdirs;        /* include search path */
	size_t n_incdirs;
	const char *catalog_path;          /* app catalog; NULL: none */
	const char *const *geo_paths;      /* databases, in precedence order */
	size_t n_geo;
	struct cf_flow_limits limits;
	size_t geo_cache;                  /* 0: default */
	size_t dns_cache;                  /* DNS name cache entries; 0: default */
	size_t ndpi_flows;                 /* flows holding nDPI state at once; 0: default */
	int all_flows;                     /* flow events for every flow, not just audited */
	const char *observer_hostname;
	const char *interface;             /* NULL offline */
	struct cf_calls *calls;            /* the runner's call table (calls.h); NULL none */
	/* the speed-of-light check (geo/plausible.h), shared read-only by
	   every engine; NULL: no observer location, no check */
	const struct cf_plaus *plaus;
};

struct cf_engine_stats {
	uint64_t packets, bytes;           /* frames seen, captured bytes (the runner's) */
	uint64_t first_us, last_us;
	uint64_t alerts, audited;
	enum cf_severity max_severity;     /* highest severity alerted */
	uint64_t by_severity[CF_SEV_CRITICAL + 1];  /* alerts per severity */
	uint64_t reloads;                  /* successful cf_engine_reload() */
	/* --threads: packets handed over without payload that met a flow still
	   being classified (it was evicted and came back, or a hash collision
	   in the reader's table): that flow is classified from less */
	uint64_t headers_only_undone;
};

struct cf_engine;

/* The function the call table writes held flows with (calls.h's
 * cf_calls_write_fn), the engine as its ctx. */
struct cf_rtt;
int (*cf_engine_held_writer(void))(void *, struct cf_flow *, enum cf_flow_end,
				   const struct cf_rtt *, const char *, unsigned *,
				   const struct cf_rule_info **);

/* Write every call of the call table still open (the end of the run),
 * with this engine's observer facts. */
void cf_engine_calls_flush(struct cf_engine *e);
/* With several engines at the end of capture files, after
 * cf_calls_end_begin: write part `part` of `parts` of the calls (calls.h's
 * cf_calls_end_part), each engine in a thread of its own. */
void cf_engine_calls_part(struct cf_engine *e, unsigned part, unsigned parts);

/* Set everything up; NULL with a message naming the file and problem. */
struct cf_engine *cf_engine_new(const struct cf_engine_config *cfg,
				struct cf_outputs *out, char *err, size_t errlen);
void cf_engine_free(struct cf_engine *e);

/*
 * A decoded packet of one of this engine's flows (pkt's pointers valid
 * during the call), with its flow hash (cf_engine_flow_hash).  Alerts it
 * raises name interface iface (NULL: the configured cfg->interface).
 * Its flow's cls.done after it: 0 still being read, CF_DONE_FINAL done
 * classifying, CF_DONE_SAMPLE read again only in its sample windows
 * (classify.h).
 */
int cf_engine_packet(struct cf_engine *e, const struct cf_packet *pkt,
		     uint32_t h, const char *iface);
/* The flow hash of a packet, and asking for the memory of its flow ahead
 * (entry 0: the index slot, 1: the entry; flow.h). */
uint32_t cf_engine_flow_hash(const struct cf_engine *e, const struct cf_packet *pkt);
void cf_engine_prefetch(const struct cf_engine *e, uint32_t h, int entry);

/* A packet of another engine's flow that carries facts about other flows
 * (a DNS answer, SIP with SDP: cf_classify_is_shared): only those are
 * learnt. */
void cf_engine_shared_only(struct cf_engine *e, const struct cf_packet *pkt);

/* n[d] packets and b[d] bytes of one of this engine's flows past
 * classifying, added up by the runner (d 0: pkt's direction; pkt carries
 * the flow's ends and the first one's time), the last at last_us:
 * counted as if they had come one by one. */
void cf_engine_counts(struct cf_engine *e, const struct cf_packet *pkt,
		      const uint32_t n[2], const uint64_t b[2], uint64_t last_us);

/* The packet clock crossed its once-a-second mark: idle expiry at ts_us
 * (packet time), outputs polled. */
void cf_engine_expire_at(struct cf_engine *e, uint64_t ts_us);

/*
 * Live capture: the idle expiry at wall-clock time now_us (never earlier
 * than the newest packet time), so flows end when traffic stops.  About
 * once a second; cheap when nothing is due.
 */
void cf_engine_tick(struct cf_engine *e, uint64_t now_us);

/*
 * Re-read the policy, the app catalog and the geography databases named by
 * cfg (rules_path, incdirs, catalog_path, geo_paths, geo_cache, dns_cache;
 * the other fields are ignored) and swap them in together.  The
 * classifier is rebuilt only when the catalog file changed (path, inode,
 * size or modification time): a new one starts with an empty DNS name
 * cache and forgets TLS hellos being reassembled.  Everything is built
 * first: on any error nothing changes and -1 is returned with the
 * problem in err ("FILE:LINE:COL: message" for rules).  Flows keep their
 * state and verdict; a judged flow is judged again only when its class
 * next changes.  The rules a flow recorded (deciding rule, rules already
 * alerted) are carried to the new policy by rule id, or forgotten if the
 * new policy has no rule with that id.  cfg's strings must outlive the
 * engine.
 */
int cf_engine_reload(struct cf_engine *e, const struct cf_engine_config *cfg,
		     char *err, size_t errlen);

/* End every flow (flow events, or held by their calls); the runner then
 * writes the calls and flushes the outputs (cf_engine_calls_flush). */
void cf_engine_finish(struct cf_engine *e);

/* The engine's counters and run totals (frames, bytes, first time and
 * decode outcomes are the runner's, left 0 here). */
void cf_engine_get_stats(const struct cf_engine *e, struct cf_engine_stats *st);
void cf_engine_totals(const struct cf_engine *e, struct cf_run_totals *t);
struct cf_report *cf_engine_report(struct cf_engine *e);
const struct cf_policy *cf_engine_policy(const struct cf_engine *e);

/*
 * Add the run totals of from to to (several engines).  same_dns: both saw
 * the same DNS answers and SDP (--threads hands them to every worker), so
 * the counters that follow the answers (DNS responses, answers,
 * evictions, SDP media) are counted once; lookups (hits, misses) are per
 * flow and summed.
 */
void cf_run_totals_add(struct cf_run_totals *to, const struct cf_run_totals *from,
		       int same_dns);

#endif /* CF_ENGINE_H */
