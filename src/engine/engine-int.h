/*
 * engine-int.h - inside one engine: its parts, shared by the files that
 * make it up (engine.c: packets, judgement and flow ends; engine-reload.c:
 * SIGHUP's swap; engine-totals.c: the counters).
 */
#ifndef CF_ENGINE_INT_H
#define CF_ENGINE_INT_H

#include "classify/classify.h"
#include "engine/engine.h"
#include "event/event.h"
#include "geo/geo.h"
#include "geo/plausible.h"
#include "flow/rtt.h"
#include "util/ahead.h"

struct cf_engine {
	struct cf_engine_config cfg;
	struct cf_outputs *out;
	struct cf_flow_table *flows;
	struct cf_classifier *cls;
	struct cf_policy *policy;
	struct cf_geo *geo;
	struct cf_report *report;
	struct cf_event_meta meta;    /* what every event of this engine says */
	struct cf_engine_stats st;    /* packets, bytes, first_us: the runner's */
	uint64_t now_us;              /* highest packet time seen */
	struct cf_classify_stats cls_before;  /* of classifiers replaced by reloads */
	struct cf_geo_stats geo_before;       /* of geographies replaced by reloads */
	uint64_t catalog_stamp;       /* identity of the catalog file loaded */
	/* passive RTTs (engine-rtt.c): one struct cf_rtt per flow-table
	   entry, and the remote addresses' table */
	struct cf_rtt *rtt;
	struct cf_rtt_tx *rtt_tx;     /* [entry]: transactions in flight */
	uint64_t *rtt_busy;           /* bit per entry: an answer is awaited */
	uint32_t n_rtt;
	struct cf_ahead rtt_ahead, rtt_tx_ahead;  /* backed ahead (util/ahead.h) */
	/* a flow its call held (a copy, no table entry), being written:
	   its RTT state, kept with it (calls.h) */
	const struct cf_flow *held_f;
	const struct cf_rtt *held_rtt;
	struct cf_rtt_table *rtt_addrs;
};

/* Counters of a classifier or geography added to to (engine-totals.c). */
void cf_engine_add_classify(struct cf_classify_stats *to,
			    const struct cf_classify_stats *c);
void cf_engine_add_geo(struct cf_geo_stats *to, const struct cf_geo_stats *g);

/* engine.c: the classifier's ASN look-up (cf_classify_set_asn), ctx the
 * engine. */
uint32_t cf_engine_asn(void *ctx, const cf_addr *a);
/* A classifier for cfg (catalog, DNS cache size); NULL + err (engine-reload.c). */
struct cf_classifier *cf_engine_classifier_new(const struct cf_engine_config *cfg,
					       char *err, size_t errlen);
/* Identity of the catalog file; 0 for none or unreadable (engine-reload.c). */
uint64_t cf_engine_catalog_stamp(const char *path);

/* engine-rtt.c: passive RTTs and the speed-of-light check. */
int cf_engine_rtt_new(struct cf_engine *e, char *err, size_t errlen);
void cf_engine_rtt_free(struct cf_engine *e);
/* Time pkt (direction dir) of f; 1 when the remote end's smallest RTT
 * went down (a judged flow may deserve another look), else 0. */
int cf_engine_rtt_packet(struct cf_engine *e, struct cf_flow *f,
			 const struct cf_packet *pkt, int dir, int created);
/* A flow whose entry was (re)made without a packet (--threads' counts). */
void cf_engine_rtt_created(struct cf_engine *e, const struct cf_flow *f);
/* Fetch ahead the RTT state of flow entry i (UINT32_MAX: none). */
void cf_engine_rtt_prefetch(const struct cf_engine *e, uint32_t i);
/* Does f still wait for an answer (so it is not done for the runner)? */
int cf_engine_rtt_waiting(const struct cf_engine *e, const struct cf_flow *f);
/* f's RTT state (NULL none): its entry's, or a held flow's kept copy. */
const struct cf_rtt *cf_engine_rtt_of(const struct cf_engine *e, const struct cf_flow *f);
/* The check of f's remote end (country of g) into *r; 0 when there is
 * nothing to say (no RTT measured, or a local flow). */
int cf_engine_geo_check(const struct cf_engine *e, const struct cf_flow *f,
			const struct cf_geo_result *g, struct cf_plaus_result *r);

#endif /* CF_ENGINE_INT_H */
