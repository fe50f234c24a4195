/*
 * catalog-int.h - what the pieces of the app catalog share: its lines as
 * parsed (catalog-parse.c), the indexes built over them (catalog-host.c,
 * catalog-net.c) and the catalog that holds both (catalog.c).  Not for
 * other modules: catalog.h is the catalog's contract.
 */
#ifndef CF_CATALOG_INT_H
#define CF_CATALOG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "classify/catalog.h"
#include "util/class.h"
#include "util/netaddr.h"

/* A port or port range of one protocol (port lines, ports=). */
struct cat_port {
	uint8_t proto;
	uint16_t lo, hi;
};

/* One line of the catalog, as parsed. */
struct cat_entry {
	char id[CF_CAT_ID_LEN];
	char app[CF_APP_LEN];
	uint16_t app_nid;          /* app's id in the name table (util/names.h) */
	enum cf_cat_kind kind;
	unsigned roles, line;
	size_t n_names, n_nets, n_ports;
	char **names;              /* host globs or nDPI names */
	struct cf_prefix *nets;
	struct cat_port *ports;    /* port lines: the ports; net, asn lines: ports= */
	uint32_t *asns;            /* asn lines: the AS numbers */
	size_t n_asns;
	/* net, asn lines: narrower=, the apps of this operator a weaker clue
	   (an nDPI or port line) may name instead (name ids, 0 = none) */
	uint16_t narrower[CF_CAT_NARROWER];
};

/* A name in a host hash table (exact names, or the suffix of "*.suffix"). */
struct name_item {
	const char *s;             /* lower case, not owned */
	uint32_t len, hash, entry;
};

struct name_hash {
	struct name_item *items;
	uint32_t n;
	uint32_t *slot;            /* item + 1, 0 empty; power-of-two size */
	uint32_t mask;
};

/* A host glob that is neither exact nor "*.suffix": scanned. */
struct glob_item {
	const char *pat;
	const char *tail;          /* the literal run after the last wildcard */
	uint32_t tail_len, entry;
};

/* An address as a 128-bit number (big-endian halves). */
struct u128 {
	uint64_t hi, lo;
};

/* The lines in file order and the indexes over them. */
struct cf_catalog {
	struct cat_entry *e;
	size_t n, cap;
	/* indexes (build_index), read-only after loading */
	struct name_hash exact, suffix;
	struct glob_item *globs;   /* in line order */
	uint32_t n_globs;
	struct u128 *cut;          /* interval starts, ascending */
	uint32_t *iv_off, *iv_len; /* per interval: lines in pool[] */
	uint32_t *pool;            /* line numbers (entry indexes), ascending
				      within an interval */
	uint32_t n_cut;
	uint32_t *ports, n_ports;  /* port lines */
	uint32_t *ndpis, n_ndpis;  /* ndpi lines */
	uint32_t *asnl, n_asnl;    /* asn lines */
};

/* Parse the catalog text (name is used in messages) into c's lines.  0,
 * or -1 with "name:line: message" in err. */
int cat_parse(struct cf_catalog *c, const char *text, const char *name,
	      char *err, size_t errlen);

/* Build the host index (exact names, "*.suffix" globs, the other globs)
 * and the net index (elementary intervals).  -1 when out of memory. */
int cat_build_hosts(struct cf_catalog *c);
int cat_build_nets(struct cf_catalog *c);

/* catalog-asn.c: "AS30103" or "30103", 1 to 4294967295, into *out; -1
 * if tok is none. */
int cat_parse_asn(const char *tok, uint32_t *out);

/* What a look-up answers about line e. */
static inline void cat_fill(const struct cat_entry *e, struct cf_cat_match *m)
{
	m->id = e->id;
	m->app = e->app;
	m->app_nid = e->app_nid;
	m->roles = e->roles;
	m->line = e->line;
	m->kind = e->kind;
	m->narrower = e->narrower;
}

/* Is port of protocol proto in one of the n ranges? */
static inline int cat_port_in(const struct cat_port *ports, size_t n,
			      uint8_t proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ports[i].proto == proto && port >= ports[i].lo &&
		    port <= ports[i].hi)
			return 1;
	return 0;
}

#endif /* CF_CATALOG_INT_H */
