/*
 * classify-asn.c - the catalog's asn lines (catalog-asn.c) for a flow:
 * the classifier is below the geography stage and cannot look an ASN up
 * itself, so the engine gives it a look-up (cf_classify_set_asn) that
 * answers 0 for our own addresses.  classify.c's lookup_all asks
 * cf_classify_match_asn when no host or net line matched; decide_app
 * ranks the answer below net lines and above nDPI's name.
 */
#include "config.h"

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "flow/flow.h"

void cf_classify_set_asn(struct cf_classifier *c, cf_classify_asn_fn fn, void *ctx)
{
	c->asn_fn = fn;
	c->asn_ctx = ctx;
}

int cf_classify_match_asn(struct cf_classifier *c, const struct cf_flow *f,
			  struct cf_cat_match *m)
{
	uint32_t asn;
	int end;

	if (c->asn_fn == NULL || !cf_catalog_has_asn(c->cat))
		return 0;
	if (f->proto != 6 && f->proto != 17)
		return 0;
	if (!(f->cls.seen & SEEN_CALL) && cf_own_kind(f->cls.wire) == NULL)
		return 0;
	/* the responder first, as net lines do */
	for (end = 1; end >= 0; end--) {
		asn = c->asn_fn(c->asn_ctx, &f->ip[end]);
		if (asn != 0 && cf_catalog_match_asn(c->cat, asn, f->proto,
						     f->port[end], m))
			return 1;
	}
	return 0;
}
