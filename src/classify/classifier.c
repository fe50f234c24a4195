/*
 * classifier.c - the classifier object: made with its catalog, nDPI's
 * module and the DNS name cache, its limits and its counters.  What it
 * does per packet is classify.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "classify/classify-ndpi.h"
#include "classify/classify.h"
#include "classify/dns-cache.h"

struct cf_classifier *cf_classifier_new(const char *catalog_path, char *err,
					size_t errlen)
{
	struct cf_classifier *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errlen, "classifier: out of memory");
		return NULL;
	}
	if (catalog_path != NULL) {
		c->cat = cf_catalog_load(catalog_path, err, errlen);
		if (c->cat == NULL) {
			free(c);
			return NULL;
		}
	}
	c->ndpi_cap = CF_NDPI_LIVE_DEFAULT;
	c->st.ndpi_state_bytes = cf_ndpi_flow_size();
	c->ndpi = cf_ndpi_new(err, errlen);
	if (c->ndpi == NULL ||
	    cf_classify_set_dns_capacity(c, CF_DNS_CACHE_DEFAULT, err, errlen) < 0) {
		cf_classifier_free(c);
		return NULL;
	}
	return c;
}

void cf_classifier_free(struct cf_classifier *c)
{
	if (c == NULL)
		return;
	if (c->ndpi != NULL)
		cf_ndpi_free(c->ndpi);
	cf_catalog_free(c->cat);
	cf_dns_cache_free(c->dns);
	free(c);
}

void cf_classify_set_ndpi_cap(struct cf_classifier *c, uint64_t n)
{
	c->ndpi_cap = n ? n : CF_NDPI_LIVE_DEFAULT;
}

int cf_classify_is_call_app(const struct cf_classifier *c, const char *app)
{
	return c != NULL && cf_catalog_is_call_app(c->cat, app);
}

void cf_classify_get_stats(const struct cf_classifier *c,
			   struct cf_classify_stats *st)
{
	struct cf_dns_cache_stats ds;

	*st = c->st;
	if (c->dns == NULL)
		return;
	cf_dns_cache_get_stats(c->dns, &ds);
	st->dns_evictions = ds.evictions;
	st->dns_capacity = ds.capacity;
}
