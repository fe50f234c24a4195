/*
 * geo.h - where an address is: country (located and registered) and ASN,
 * from one or more MaxMind-format (.mmdb) databases.  geo-mmdb.c is the only
 * libmaxminddb includer.
 *
 * Several databases answer together: for each field the first database (in
 * the order given) that has it wins, so an organisation's override database
 * goes first.  Understood schemas: GeoIP2/GeoLite2 Country/City
 * (country.iso_code, registered_country.iso_code), GeoLite2/GeoIP2 ASN
 * (autonomous_system_number, autonomous_system_organization) and the flat
 * schema of free databases (country_code; asn/as_organization if present).
 * A city database's point: location.latitude/longitude and
 * location.accuracy_radius (GeoIP2/GeoLite2 City), or flat latitude and
 * longitude (ip-location-db's city databases, no radius).
 * Special-purpose addresses are never looked up.  Results are cached per
 * address in a bounded table.
 */
#ifndef CF_GEO_H
#define CF_GEO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "util/netaddr.h"

struct cf_geo_result {
	char country[3];      /* located country, ISO 3166-1 alpha-2; "" unknown */
	char registered[3];   /* registered country; "" unknown */
	uint32_t asn;         /* 0 unknown */
	char as_org[64];      /* "" unknown */
	uint8_t special;      /* enum cf_special; != 0 means not looked up */
	uint8_t has_point;    /* lat, lon are the database's point for it */
	uint16_t radius_km;   /* the point's accuracy radius, km; 0 not given */
	float lat, lon;       /* degrees (a city database) */
};

struct cf_geo_stats {
	uint64_t lookups, hits, misses;
	uint32_t entries, capacity;
	uint64_t errors;      /* libmaxminddb errors during lookups */
};

struct cf_geo;

/*
 * Open the databases in paths[0..n-1].  cache_max bounds the per-address
 * cache (0 means the default, 65536).  On error returns NULL with
 * "PATH: problem" in err (missing file, not an mmdb, corrupt metadata).
 */
struct cf_geo *cf_geo_open(const char *const *paths, size_t n,
			   size_t cache_max, char *err, size_t errlen);

/*
 * Find the default databases when no -G is given: every *.mmdb (sorted by
 * name) in the first of dirs[] that has any.  Writes up to max malloc'd
 * paths to out; returns how many (0: none found).
 */
size_t cf_geo_find_default(const char *const *dirs, size_t ndirs,
			   char **out, size_t max);

/*
 * The databases geodb/ installs: the default country database
 * (fetch-default.sh) and the ASN database built next to it (fetch-asn.sh).
 */
#define CF_GEO_DEFAULT_COUNTRY "geo-whois-asn-country.mmdb"
#define CF_GEO_DEFAULT_ASN     "ip-location-db-asn.mmdb"

/* Look up one address (cached). Always fills *res. */
void cf_geo_lookup(struct cf_geo *g, const cf_addr *a, struct cf_geo_result *res);

/*
 * The AS number of a (0 unknown), through the same cache, but not counted
 * in lookups, hits and misses: the classifier asks it (catalog asn lines)
 * as often as it reads a flow's packets, which --threads' sampling
 * changes, while the statistics count the judgements' look-ups.
 */
uint32_t cf_geo_asn(struct cf_geo *g, const cf_addr *a);

/* One line per database: path, type, build date, IP version, node count. */
void cf_geo_describe(const struct cf_geo *g, FILE *fp);

void cf_geo_get_stats(const struct cf_geo *g, struct cf_geo_stats *st);
void cf_geo_close(struct cf_geo *g);

/* What one open database is (the report's record of what it ran with). */
struct cf_geo_db_info {
	const char *path;
	char type[128];             /* metadata database_type, made printable */
	uint64_t build_epoch;       /* metadata build_epoch; 0 unknown */
};

/* Database i (in the order given) of g: 0, or -1 past the last. */
int cf_geo_db_info(const struct cf_geo *g, size_t i, struct cf_geo_db_info *out);

/* libmaxminddb's version (MMDB_lib_version). */
const char *cf_geo_lib_version(void);

#endif /* CF_GEO_H */
