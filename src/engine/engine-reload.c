/*
 * engine-reload.c - SIGHUP for one engine: the policy, the app catalog and
 * the geography built anew beside the old ones, then swapped in together
 * (all or nothing); the flows' recorded rules carried over by rule id.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine-int.h"
#include "util/hash.h"

/* Old rule index -> new rule index by rule id, -1 when gone. */
struct remap {
	int *to;
	size_t n;
};

/* Negative entries are the engine's own findings, not rules: kept. */
static int remap_one(const struct remap *m, int32_t rule)
{
	if (rule < 0)
		return rule;
	return (size_t)rule < m->n ? m->to[rule] : -1;
}

static void remap_flow(struct cf_flow *f, void *ctx)
{
	const struct remap *m = ctx;
	int i;

	f->decided_rule = remap_one(m, f->decided_rule);
	for (i = 0; i < f->n_alerts && i < CF_MAX_FLOW_ALERTS; i++)
		f->alerted[i] = remap_one(m, f->alerted[i]);
}

/* Build the old -> new rule index map; -1 when out of memory. */
static int remap_build(const struct cf_policy *old, const struct cf_policy *new,
		       struct remap *m)
{
	size_t nn = cf_policy_rule_count(new), i, j;

	m->n = cf_policy_rule_count(old);
	m->to = calloc(m->n ? m->n : 1, sizeof(*m->to));
	if (m->to == NULL)
		return -1;
	for (i = 0; i < m->n; i++) {
		const char *id = cf_policy_rule(old, (int)i)->id;

		m->to[i] = -1;
		for (j = 0; j < nn; j++)
			if (strcmp(id, cf_policy_rule(new, (int)j)->id) == 0) {
				m->to[i] = (int)j;
				break;
			}
	}
	return 0;
}

/*
 * Identity of the catalog file (device, inode, size, modification time);
 * 0 for none or unreadable.  A reload rebuilds the classifier only when it
 * changed, since a new classifier starts with an empty DNS name cache.
 */
uint64_t cf_engine_catalog_stamp(const char *path)
{
	struct stat sb;
	uint64_t h = CF_FNV64_BASIS;
	uint64_t v[5];
	size_t i;

	if (path == NULL || stat(path, &sb) != 0)
		return 0;
	v[0] = (uint64_t)sb.st_dev;
	v[1] = (uint64_t)sb.st_ino;
	v[2] = (uint64_t)sb.st_size;
	v[3] = (uint64_t)sb.st_mtim.tv_sec;
	v[4] = (uint64_t)sb.st_mtim.tv_nsec;
	for (i = 0; i < 5; i++)
		h = (h ^ v[i]) * CF_FNV64_PRIME;
	return h ? h : 1;
}

static int same_path(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A classifier for cfg (catalog, DNS cache size); NULL + err. */
struct cf_classifier *cf_engine_classifier_new(const struct cf_engine_config *cfg,
					       char *err, size_t errlen)
{
	struct cf_classifier *c = cf_classifier_new(cfg->catalog_path, err, errlen);

	if (c != NULL)
		cf_classify_set_ndpi_cap(c, cfg->ndpi_flows);
	if (c != NULL && cfg->dns_cache != 0 &&
	    cf_classify_set_dns_capacity(c, cfg->dns_cache, err, errlen) < 0) {
		cf_classifier_free(c);
		return NULL;
	}
	return c;
}

/* Swap the new parts in (cls NULL: keep the classifier), free the old. */
static void reload_swap(struct cf_engine *e, const struct cf_engine_config *cfg,
			struct cf_policy *pol, struct cf_classifier *cls,
			struct cf_geo *geo, struct remap *m)
{
	struct cf_classify_stats cs;
	struct cf_geo_stats gs;

	cf_flow_foreach(e->flows, remap_flow, m);
	cf_policy_free(e->policy);
	e->policy = pol;
	e->meta.permitted = cf_policy_permitted(pol);
	if (cls != NULL) {
		cf_classify_get_stats(e->cls, &cs);
		cf_engine_add_classify(&e->cls_before, &cs);
		cf_classifier_free(e->cls);
		e->cls = cls;
		cf_classify_set_asn(e->cls, cf_engine_asn, e);
	}
	cf_geo_get_stats(e->geo, &gs);
	cf_engine_add_geo(&e->geo_before, &gs);
	cf_geo_close(e->geo);
	e->geo = geo;
	e->cfg.rules_path = cfg->rules_path;
	e->cfg.incdirs = cfg->incdirs;
	e->cfg.n_incdirs = cfg->n_incdirs;
	e->cfg.catalog_path = cfg->catalog_path;
	e->cfg.geo_paths = cfg->geo_paths;
	e->cfg.n_geo = cfg->n_geo;
	e->cfg.geo_cache = cfg->geo_cache;
	e->st.reloads++;
}

int cf_engine_reload(struct cf_engine *e, const struct cf_engine_config *cfg,
		     char *err, size_t errlen)
{
	uint64_t stamp = cf_engine_catalog_stamp(cfg->catalog_path);
	int rebuild = stamp == 0 || stamp != e->catalog_stamp ||
		      !same_path(cfg->catalog_path, e->cfg.catalog_path);
	struct cf_classifier *cls = NULL;
	struct cf_geo *geo = NULL;
	struct remap m = { NULL, 0 };
	struct cf_policy *pol;

	pol = cf_policy_load(cfg->rules_path, cfg->incdirs, cfg->n_incdirs, err, errlen);
	if (pol == NULL)
		return -1;
	if (rebuild && cfg->catalog_path != NULL)
		cls = cf_engine_classifier_new(cfg, err, errlen);
	if (!rebuild || cfg->catalog_path == NULL || cls != NULL)
		geo = cf_geo_open(cfg->geo_paths, cfg->n_geo, cfg->geo_cache, err, errlen);
	if (geo != NULL && remap_build(e->policy, pol, &m) < 0)
		snprintf(err, errlen, "out of memory");
	if (m.to == NULL) {
		if (geo != NULL)
			cf_geo_close(geo);
		if (cls != NULL)
			cf_classifier_free(cls);
		cf_policy_free(pol);
		return -1;
	}
	reload_swap(e, cfg, pol, cls, geo, &m);
	e->catalog_stamp = stamp;
	free(m.to);
	return 0;
}

