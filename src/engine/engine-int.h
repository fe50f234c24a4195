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

#endif /* CF_ENGINE_INT_H */
