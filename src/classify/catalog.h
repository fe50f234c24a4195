/*
 * catalog.h - the app catalog: which names, networks, ports and nDPI
 * protocols belong to which call app, and the roles they play.
 *
 * Loaded once from a text file (rules/apps.conf, format in that file and
 * in docs/classification.md), then read-only.  Every lookup returns the
 * first matching line in file order, with its id so a verdict can name
 * the line as evidence.  Host patterns are globs of util/glob.h.  The
 * catalog knows nothing of flows or of the classifier (classify.c uses
 * it): catalog.c, catalog-parse.c, catalog-host.c, catalog-net.c,
 * catalog-asn.c.
 */
#ifndef CF_CATALOG_H
#define CF_CATALOG_H

#include <stddef.h>
#include <stdint.h>
#include "util/netaddr.h"

#define CF_CAT_ID_LEN 32

enum cf_cat_kind {
	CF_CAT_HOST = 1,   /* SNI / DNS name globs */
	CF_CAT_NET,        /* IP prefixes, optionally only on some ports */
	CF_CAT_PORT,       /* transport ports */
	CF_CAT_NDPI,       /* nDPI protocol names */
	CF_CAT_CALL,       /* declares a call app that has no pattern */
	CF_CAT_ASN         /* autonomous system numbers (catalog-asn.c) */
};

struct cf_cat_match {
	const char *id;
	const char *app;
	uint16_t app_nid;   /* app's id in the name table (util/names.h) */
	unsigned roles;     /* CF_ROLE_* from roles=, 0 if none given */
	unsigned line;
	enum cf_cat_kind kind;
	/* net and asn lines: narrower= (CF_CAT_NARROWER name ids, 0 = none):
	   the operator's apps a weaker line may name instead */
	const uint16_t *narrower;
};

#define CF_CAT_NARROWER 4

/* Does m's line let a weaker clue name app (narrower=)? */
static inline int cf_cat_narrower(const struct cf_cat_match *m, uint16_t app)
{
	int i;

	for (i = 0; m->narrower != NULL && i < CF_CAT_NARROWER && m->narrower[i]; i++)
		if (m->narrower[i] == app)
			return 1;
	return 0;
}

struct cf_catalog;

/* Read and check a catalog file.  NULL on error with "file:line: message"
 * (or "file: reason") in err. */
struct cf_catalog *cf_catalog_load(const char *path, char *err, size_t errlen);

/* The same from text in memory; name is used in messages. */
struct cf_catalog *cf_catalog_parse(const char *text, const char *name,
				    char *err, size_t errlen);
void cf_catalog_free(struct cf_catalog *c);
size_t cf_catalog_count(const struct cf_catalog *c);

/* Lookups: 1 and *m filled on a match (first line in file order), else 0.
 * host: case-insensitive, one trailing dot ignored. */
int cf_catalog_match_host(const struct cf_catalog *c, const char *host,
			  struct cf_cat_match *m);
/* a is one end of a flow, proto/port that end's transport and port. */
int cf_catalog_match_addr(const struct cf_catalog *c, const cf_addr *a,
			  uint8_t proto, uint16_t port, struct cf_cat_match *m);
int cf_catalog_match_port(const struct cf_catalog *c, uint8_t proto,
			  uint16_t port, struct cf_cat_match *m);
/* nDPI protocol name, case-insensitive ("Zoom", "Skype_Teams"). */
int cf_catalog_match_ndpi(const struct cf_catalog *c, const char *name,
			  struct cf_cat_match *m);

/* The same answers as match_host / match_addr by a plain scan of the
 * lines in file order (what the indexes replace; for tests). */
int cf_catalog_ref_match_host(const struct cf_catalog *c, const char *host,
			      struct cf_cat_match *m);
int cf_catalog_ref_match_addr(const struct cf_catalog *c, const cf_addr *a,
			      uint8_t proto, uint16_t port,
			      struct cf_cat_match *m);

/* catalog-asn.c: the first asn line listing asn (and, with ports=, the
 * port of that end); has_asn: are there asn lines at all? */
int cf_catalog_match_asn(const struct cf_catalog *c, uint32_t asn,
			 uint8_t proto, uint16_t port, struct cf_cat_match *m);
int cf_catalog_has_asn(const struct cf_catalog *c);

/* Does any catalog line name this app? */
int cf_catalog_is_call_app(const struct cf_catalog *c, const char *app);
/* The app line i names (0 <= i < cf_catalog_count), NULL past the end. */
const char *cf_catalog_app_at(const struct cf_catalog *c, size_t i);

#endif /* CF_CATALOG_H */
