/*
 * classifier.c - the classifier object: made with its catalog, nDPI's
 * module and the DNS name cache, its limits and its counters.  What it
 * does per packet is classify.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The apps the verdict names without the catalog (classify.c's generic
 * apps, classify-apps.c's wire apps, and "unknown"). */
static const uint16_t own_apps[] = {
	CF_NID_WEBRTC, CF_NID_SIP, CF_NID_RTP, CF_NID_ZOOM, CF_NID_H323,
	CF_NID_SKINNY, CF_NID_MGCP, CF_NID_IAX2, CF_NID_TELEGRAM,
	CF_NID_AGORA, CF_NID_DISCORD, CF_NID_BFCP, CF_NID_UNKNOWN
};

static void add_name(const char **names, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return;
	names[(*n)++] = name;
}

const char **cf_classify_app_names(const struct cf_classifier *c, size_t *n)
{
	size_t i, nown = sizeof(own_apps) / sizeof(own_apps[0]);
	size_t ncat = c != NULL ? cf_catalog_count(c->cat) : 0;
	const char **names = malloc((ncat + nown) * sizeof(*names));
	const char *a;

	*n = 0;
	if (names == NULL)
		return NULL;
	for (i = 0; i < ncat && (a = cf_catalog_app_at(c->cat, i)) != NULL; i++)
		add_name(names, n, a);
	for (i = 0; i < nown; i++)
		add_name(names, n, cf_class_names[own_apps[i]]);
	return names;
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
