/*
 * engine.h - the pipeline behind one run: decode -> flow table -> classify
 * -> geo -> policy -> events, and the report at the end.
 *
 * The engine owns the flow table, classifier, policy, geography and report;
 * the caller owns the outputs and feeds packets (cf_engine_packet has the
 * shape of capture.h's cf_packet_fn).
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
};

struct cf_engine_stats {
	uint64_t packets, bytes;           /* frames seen, captured bytes */
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

/* Set everything up; NULL with a message naming the file and problem. */
struct cf_engine *cf_engine_new(const struct cf_engine_config *cfg,
				struct cf_outputs *out, char *err, size_t errlen);

/* Feed one captured frame (ctx is the engine). */
void cf_engine_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* End every flow (flow events), then emit the report event. */
void cf_engine_finish(struct cf_engine *e);

/*
 * Handle frames given to cf_engine_packet two frames late, to fetch the
 * memory of their flows ahead (engine.c).  For capture files: a live
 * engine would hold the last two frames until more come (cf_engine_tick,
 * cf_engine_reload and cf_engine_finish handle them first).  0, or -1 when out of memory (the
 * engine then works without).
 */
int cf_engine_lookahead(struct cf_engine *e);

/*
 * A worker of --threads (workers.c), fed by a reader that decoded the
 * packet and keeps the clock itself:
 *   cf_engine_decoded    a packet of one of this worker's flows (pkt's
 *                        pointers valid during the call)
 *   cf_engine_shared_only  a packet of another worker's flow that carries
 *                        facts about other flows (a DNS answer, SIP with
 *                        SDP: cf_classify_is_shared); only those are
 *                        learnt
 *   cf_engine_counts     n[d] packets and b[d] bytes of one of this
 *                        worker's flows past classifying that the reader
 *                        added up (d 0: pkt's direction; pkt carries the
 *                        flow's ends and the first one's time), the last
 *                        at last_us: counted as if they had come one by one
 *   cf_engine_expire_at  the reader's packet time crossed the once-a-second
 *                        mark: idle expiry at ts_us, as cf_engine_packet
 *                        would have run it
 * The reader counts the frames and decode outcomes (the engine's own
 * packet, byte and decode counters stay 0).
 */
/*
 * What a --threads reader keeps for the frames it hands out: counters and
 * the packet clock, exactly as cf_engine_packet keeps them.  Count one
 * frame; 1 when the once-a-second idle expiry is due (at c->now_us).
 */
struct cf_frame_clock {
	uint64_t packets, bytes;        /* frames, captured bytes */
	uint64_t first_us, now_us;      /* earliest and latest packet time */
	uint64_t next_expire_us;
};
int cf_frame_clock_tick(struct cf_frame_clock *c, uint64_t ts_us, uint32_t caplen);

/* 1 when the packet's flow is done classifying after it */
int cf_engine_decoded(struct cf_engine *e, const struct cf_packet *pkt);
/* The same with the packet's flow hash, after asking for the memory of
 * its flow ahead (entry 0: the index slot, 1: the entry; flow.h). */
uint32_t cf_engine_flow_hash(const struct cf_engine *e, const struct cf_packet *pkt);
void cf_engine_prefetch(const struct cf_engine *e, uint32_t h, int entry);
int cf_engine_decoded_hashed(struct cf_engine *e, const struct cf_packet *pkt,
			     uint32_t h);
void cf_engine_shared_only(struct cf_engine *e, const struct cf_packet *pkt);
void cf_engine_counts(struct cf_engine *e, const struct cf_packet *pkt,
		      const uint32_t n[2], const uint64_t b[2], uint64_t last_us);
void cf_engine_expire_at(struct cf_engine *e, uint64_t ts_us);

/*
 * Add the run totals of from to to (workers).  same_dns: both saw the
 * same DNS answers and SDP (--threads hands them to every worker), so the
 * counters that follow the answers (DNS responses, answers, evictions,
 * SDP media) are counted once; lookups (hits, misses) are per flow and
 * summed.
 */
void cf_run_totals_add(struct cf_run_totals *to, const struct cf_run_totals *from,
		       int same_dns);

void cf_engine_get_stats(const struct cf_engine *e, struct cf_engine_stats *st);
/* Fill run totals for the report (inputs and wall time are the caller's). */
void cf_engine_totals(const struct cf_engine *e, struct cf_run_totals *t);
struct cf_report *cf_engine_report(struct cf_engine *e);
const struct cf_policy *cf_engine_policy(const struct cf_engine *e);

/*
 * Live capture: run the idle expiry at wall-clock time now_us (never
 * earlier than the newest packet time), so flows end when traffic stops.
 * Call about once a second; cheap when nothing is due.
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

/*
 * With several interfaces: name (or NULL) goes into
 * observer.ingress.interface.name of the alerts the next packets raise;
 * events raised at a flow's end keep the configured cfg->interface.
 */
void cf_engine_set_interface(struct cf_engine *e, const char *name);
struct cf_geo *cf_engine_geo(struct cf_engine *e);
void cf_engine_free(struct cf_engine *e);

#endif /* CF_ENGINE_H */
