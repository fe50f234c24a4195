/*
 * geo-mmdb.c - geo.h over libmaxminddb; the only file that includes
 * <maxminddb.h>.
 *
 * Each database is opened with MMDB_MODE_MMAP and asked with a sockaddr
 * built from the cf_addr (IPv4-mapped addresses as AF_INET, so an IPv6
 * database answers from its ::/96 IPv4 subtree and an IPv4 database can be
 * asked at all).  Field values are read with MMDB_aget_value, which does
 * not allocate; with the fixed-size cache below nothing allocates after
 * cf_geo_open.
 *
 * Cache: open addressing over cache_max slots, keyed by address.  A key
 * lives within GEO_PROBES slots of its home slot; a miss fills an empty
 * slot in that window or, when the window is full, evicts by a clock sweep
 * over the window (a hit sets a slot's reference bit, the sweep clears it).
 * Nothing is ever deleted, so no tombstones are needed.
 *
 * Not thread-safe: one struct cf_geo per thread, or a lock around lookups.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <maxminddb.h>

#include "geo/geo.h"
#include "util/ahead.h"
#include "util/prefault.h"

#define GEO_CACHE_DEFAULT 65536
#define GEO_CACHE_MAX     (1u << 24)
#define GEO_PROBES        8
#define GEO_EPOCH_MAX     253402300799ull    /* 9999-12-31 23:59:59 UTC */

/* Fields of struct cf_geo_result, as bits of a "still wanted" mask. */
#define F_COUNTRY    0x1
#define F_REGISTERED 0x2
#define F_ASN        0x4
#define F_ORG        0x8
#define F_POINT      0x10
#define F_ALL        0x1f

struct geo_db {
	MMDB_s mmdb;
	char *path;
};

/*
 * A slot is the key and where its answer is: the answers (struct
 * cf_geo_result, 90 bytes) lie apart, handed out from the front of their
 * array as keys arrive and taken over by a key that evicts another.  The
 * slots are probed (touched at start: prefault.h); the answers are
 * written before read, so only the pages of the answers a run needed are
 * ever backed - not the whole cache's 6 MB of them.
 */
struct geo_slot {
	cf_addr key;
	uint32_t res;           /* index into cf_geo.res */
	uint8_t used;
	uint8_t ref;            /* clock reference bit */
};

/*
 * The classifier asks for the AS of a flow's ends whenever it decides
 * again (cf_geo_asn): uncounted looks, which leave the cache and its
 * counters as the judgements made them.  Their answers are kept here,
 * apart, direct-mapped: a database walk each time was 2% of a run.
 */
#define ASN_MEMO 1024                  /* a power of two */

struct asn_memo {
	cf_addr key;
	uint32_t asn;
	uint32_t used;
};

struct cf_geo {
	struct geo_db *db;
	size_t ndb;
	struct geo_slot *slot;
	struct cf_geo_result *res;      /* st.entries of them in use */
	struct cf_ahead ahead;          /* res's pages backed ahead (util/ahead.h) */
	uint32_t cap;
	uint32_t seed;
	struct cf_geo_stats st;
	struct asn_memo asn_memo[ASN_MEMO];
};

static const char *const path_country[] = { "country", "iso_code", NULL };
static const char *const path_country_flat[] = { "country_code", NULL };
static const char *const path_registered[] = {
	"registered_country", "iso_code", NULL
};
static const char *const path_asn[] = { "autonomous_system_number", NULL };
static const char *const path_asn_flat[] = { "asn", NULL };
static const char *const path_org[] = {
	"autonomous_system_organization", NULL
};
static const char *const path_org_flat[] = { "as_organization", NULL };
static const char *const path_lat[] = { "location", "latitude", NULL };
static const char *const path_lon[] = { "location", "longitude", NULL };
static const char *const path_radius[] = { "location", "accuracy_radius", NULL };
static const char *const path_lat_flat[] = { "latitude", NULL };
static const char *const path_lon_flat[] = { "longitude", NULL };

/* ---- value decoding ---------------------------------------------------- */

/*
 * Read the value at path into *d.  Returns 1 if there is one; a missing
 * key or a path that does not fit the record's shape is simply absent, any
 * other libmaxminddb error is counted.
 */
static int geo_get(struct cf_geo *g, MMDB_entry_s *e, MMDB_entry_data_s *d,
		   const char *const *path)
{
	int rc = MMDB_aget_value(e, d, path);

	if (rc == MMDB_SUCCESS)
		return d->has_data;
	if (rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		g->st.errors++;
	return 0;
}

/* Copy a country code if it is exactly two ASCII upper-case letters. */
static int geo_country(const MMDB_entry_data_s *d, char out[3])
{
	const char *s = d->utf8_string;

	if (d->type != MMDB_DATA_TYPE_UTF8_STRING || d->data_size != 2)
		return 0;
	if (s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return 0;
	out[0] = s[0];
	out[1] = s[1];
	out[2] = '\0';
	return 1;
}

/* An ASN from "AS13335", "13335" (any case of "AS"); 0 if not one. */
static uint32_t geo_asn_text(const char *s, uint32_t n)
{
	uint64_t v = 0;
	uint32_t i = 0;

	if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		i = 2;
	if (i == n || n - i > 10)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

/* An ASN from any integer or text encoding; 0 if none or out of range. */
static uint32_t geo_asn(const MMDB_entry_data_s *d)
{
	switch (d->type) {
	case MMDB_DATA_TYPE_UINT16:
		return d->uint16;
	case MMDB_DATA_TYPE_UINT32:
		return d->uint32;
	case MMDB_DATA_TYPE_INT32:
		return d->int32 > 0 ? (uint32_t)d->int32 : 0;
	case MMDB_DATA_TYPE_UINT64:
		return d->uint64 <= UINT32_MAX ? (uint32_t)d->uint64 : 0;
	case MMDB_DATA_TYPE_UTF8_STRING:
		return geo_asn_text(d->utf8_string, d->data_size);
	default:
		return 0;
	}
}

/*
 * Length of the well-formed UTF-8 sequence at p[0..n-1]; 0 if the byte at
 * p starts none (bad lead or continuation byte, overlong form, surrogate,
 * beyond U+10FFFF, or cut short).
 */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	size_t len, i;
	uint8_t lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* A control character: C0, DEL or C1 (U+0080..U+009F, 0xc2 0x80..0x9f). */
static int utf8_is_control(const uint8_t *p, size_t len)
{
	if (len == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/*
 * Copy text from a database into out[outlen] as printable UTF-8: a
 * malformed byte or a control character becomes '?', and truncation never
 * splits a character.  Always NUL-terminates (outlen > 0).
 */
static void geo_copy_text(char *out, size_t outlen, const char *src, size_t n)
{
	const uint8_t *p = (const uint8_t *)src;
	size_t o = 0, i = 0, len;

	while (i < n) {
		len = utf8_len(p + i, n - i);
		if (len == 0 || utf8_is_control(p + i, len)) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '?';
			i += len ? len : 1;
			continue;
		}
		if (o + len >= outlen)
			break;
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
}

/* ---- one database ------------------------------------------------------ */

/* A valid country code at the first of two paths that has one. */
static int geo_fill_cc(struct cf_geo *g, MMDB_entry_s *e, char out[3],
		       const char *const *path1, const char *const *path2)
{
	MMDB_entry_data_s d;

	if (geo_get(g, e, &d, path1) && geo_country(&d, out))
		return 1;
	return path2 && geo_get(g, e, &d, path2) && geo_country(&d, out);
}

static int geo_fill_asn(struct cf_geo *g, MMDB_entry_s *e, uint32_t *asn)
{
	MMDB_entry_data_s d;

	if (geo_get(g, e, &d, path_asn) && (*asn = geo_asn(&d)) != 0)
		return 1;
	return geo_get(g, e, &d, path_asn_flat) && (*asn = geo_asn(&d)) != 0;
}

static int geo_fill_org(struct cf_geo *g, MMDB_entry_s *e, char *out,
			size_t outlen)
{
	const char *const *path[2] = { path_org, path_org_flat };
	MMDB_entry_data_s d;
	int i;

	for (i = 0; i < 2; i++) {
		if (geo_get(g, e, &d, path[i]) && d.data_size > 0 &&
		    d.type == MMDB_DATA_TYPE_UTF8_STRING) {
			geo_copy_text(out, outlen, d.utf8_string, d.data_size);
			return 1;
		}
	}
	return 0;
}

/* A number (double, float or integer) in [-max, max]. */
static int geo_degrees(const MMDB_entry_data_s *d, double max, double *out)
{
	double v;

	switch (d->type) {
	case MMDB_DATA_TYPE_DOUBLE: v = d->double_value; break;
	case MMDB_DATA_TYPE_FLOAT: v = d->float_value; break;
	case MMDB_DATA_TYPE_INT32: v = d->int32; break;
	case MMDB_DATA_TYPE_UINT16: v = d->uint16; break;
	case MMDB_DATA_TYPE_UINT32: v = d->uint32; break;
	default: return 0;
	}
	if (!(v >= -max && v <= max))
		return 0;       /* NaN too */
	*out = v;
	return 1;
}

/* The record's point (both coordinates, at one of the two schemas) and
 * its accuracy radius (km; 0 when absent). */
static int geo_fill_point(struct cf_geo *g, MMDB_entry_s *e, struct cf_geo_result *res)
{
	MMDB_entry_data_s d;
	double lat, lon, rad = 0;
	int flat = 0;

	if (!(geo_get(g, e, &d, path_lat) && geo_degrees(&d, 90, &lat))) {
		if (!(geo_get(g, e, &d, path_lat_flat) && geo_degrees(&d, 90, &lat)))
			return 0;
		flat = 1;
	}
	if (!(geo_get(g, e, &d, flat ? path_lon_flat : path_lon) &&
	      geo_degrees(&d, 180, &lon)))
		return 0;
	if (!flat && geo_get(g, e, &d, path_radius) && geo_degrees(&d, 65535, &rad) &&
	    rad < 0)
		rad = 0;
	res->has_point = 1;
	res->lat = (float)lat;
	res->lon = (float)lon;
	res->radius_km = (uint16_t)rad;
	return 1;
}

/* Fill the fields still in *want that this record has. */
static void geo_fill(struct cf_geo *g, MMDB_entry_s *e,
		     struct cf_geo_result *res, unsigned *want)
{
	if ((*want & F_COUNTRY) && geo_fill_cc(g, e, res->country,
					       path_country, path_country_flat))
		*want &= ~F_COUNTRY;
	if ((*want & F_REGISTERED) && geo_fill_cc(g, e, res->registered,
						  path_registered, NULL))
		*want &= ~F_REGISTERED;
	if ((*want & F_ASN) && geo_fill_asn(g, e, &res->asn))
		*want &= ~F_ASN;
	if ((*want & F_ORG) &&
	    geo_fill_org(g, e, res->as_org, sizeof(res->as_org)))
		*want &= ~F_ORG;
	if ((*want & F_POINT) && geo_fill_point(g, e, res))
		*want &= ~F_POINT;
}

/* Ask one database about sa (an address of family fam). */
static void geo_query(struct cf_geo *g, struct geo_db *db,
		      const struct sockaddr *sa, int fam,
		      struct cf_geo_result *res, unsigned *want)
{
	MMDB_lookup_result_s r;
	int mmerr = MMDB_SUCCESS;

	if (fam == AF_INET6 && db->mmdb.metadata.ip_version == 4)
		return;
	r = MMDB_lookup_sockaddr(&db->mmdb, sa, &mmerr);
	if (mmerr != MMDB_SUCCESS) {
		g->st.errors++;
		return;
	}
	if (r.found_entry)
		geo_fill(g, &r.entry, res, want);
}

/* Ask every database, in order, until every field is known. */
static void geo_resolve(struct cf_geo *g, const cf_addr *a,
			struct cf_geo_result *res)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	unsigned want = F_ALL;
	int fam;
	size_t i;

	if (cf_addr_is_v4(a)) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, cf_addr_v4(a), 4);
		sa = (const struct sockaddr *)&sin;
		fam = AF_INET;
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, a->b, 16);
		sa = (const struct sockaddr *)&sin6;
		fam = AF_INET6;
	}
	for (i = 0; i < g->ndb && want; i++)
		geo_query(g, &g->db[i], sa, fam, res, &want);
}

/* ---- cache ------------------------------------------------------------- */

static uint32_t geo_home(const struct cf_geo *g, const cf_addr *a)
{
	return (uint32_t)(((uint64_t)cf_addr_hash(a, g->seed) * g->cap) >> 32);
}

static uint32_t geo_window(const struct cf_geo *g)
{
	return g->cap < GEO_PROBES ? g->cap : GEO_PROBES;
}

/* The slot holding a, or NULL. */
static struct geo_slot *geo_cache_find(struct cf_geo *g, const cf_addr *a,
				       uint32_t home)
{
	uint32_t k, w = geo_window(g);
	struct geo_slot *s;

	for (k = 0; k < w; k++) {
		s = &g->slot[(home + k) % g->cap];
		if (!s->used)
			return NULL;    /* keys never leave a window: a gap ends it */
		if (cf_addr_eq(&s->key, a))
			return s;
	}
	return NULL;
}

/* The slot a new key with this home goes to: empty, else a clock victim. */
static struct geo_slot *geo_cache_victim(struct cf_geo *g, uint32_t home)
{
	uint32_t k, w = geo_window(g);
	struct geo_slot *s;

	for (k = 0; k < w; k++) {
		s = &g->slot[(home + k) % g->cap];
		if (!s->used) {
			cf_ahead_touch(&g->ahead, g->st.entries);
			s->res = g->st.entries++;       /* a new answer's place */
			return s;
		}
	}
	for (k = 0; k < w; k++) {
		s = &g->slot[(home + k) % g->cap];
		if (!s->ref)
			return s;
		s->ref = 0;
	}
	return &g->slot[home];
}

/* cf_geo_lookup, counted in the statistics or not (cf_geo_asn: the
 * classifier's look at a remote end's ASN, which neither counts nor
 * fills the cache, so that the counters say what the judgements did). */
static void geo_lookup(struct cf_geo *g, const cf_addr *a,
		       struct cf_geo_result *res, int count)
{
	struct geo_slot *s;
	uint32_t home;

	memset(res, 0, sizeof(*res));
	res->special = (uint8_t)cf_addr_special(a);
	if (g == NULL)
		return;
	g->st.lookups += (uint64_t)count;
	if (res->special != CF_SPECIAL_NONE)
		return;
	home = geo_home(g, a);
	s = geo_cache_find(g, a, home);
	if (s) {
		g->st.hits += (uint64_t)count;
		s->ref = 1;
		*res = g->res[s->res];
		return;
	}
	g->st.misses += (uint64_t)count;
	geo_resolve(g, a, res);
	if (!count)
		return;         /* an uncounted look leaves the cache as it was */
	s = geo_cache_victim(g, home);
	s->key = *a;
	g->res[s->res] = *res;
	s->used = 1;
	s->ref = 0;
}

void cf_geo_lookup(struct cf_geo *g, const cf_addr *a, struct cf_geo_result *res)
{
	geo_lookup(g, a, res, 1);
}

uint32_t cf_geo_asn(struct cf_geo *g, const cf_addr *a)
{
	struct cf_geo_result res;
	struct asn_memo *m;

	if (g == NULL) {
		geo_lookup(g, a, &res, 0);
		return res.asn;
	}
	m = &g->asn_memo[cf_addr_hash(a, g->seed ^ 0x2545f491u) & (ASN_MEMO - 1)];
	if (m->used && cf_addr_eq(&m->key, a))
		return m->asn;
	geo_lookup(g, a, &res, 0);
	m->key = *a;
	m->asn = res.asn;
	m->used = 1;
	return res.asn;
}

/* ---- open, close, describe --------------------------------------------- */

/*
 * Say why MMDB_open failed, as "path: problem".  An open() failure is its
 * errno; libmaxminddb's read failures (often mmap's EINVAL or ENODEV) are
 * explained from stat() where that says more.
 */
static void geo_open_error(char *err, size_t errlen, const char *path,
			   int status, int saved_errno)
{
	const char *why = MMDB_strerror(status);
	struct stat sb;

	if (err == NULL || errlen == 0)
		return;
	if (status == MMDB_FILE_OPEN_ERROR && saved_errno != 0)
		why = strerror(saved_errno);
	else if (status == MMDB_IO_ERROR && stat(path, &sb) != 0)
		why = strerror(errno);
	else if (status == MMDB_IO_ERROR && S_ISDIR(sb.st_mode))
		why = strerror(EISDIR);
	else if (status == MMDB_IO_ERROR && sb.st_size == 0)
		why = "empty file, not a MaxMind DB";
	else if (status == MMDB_IO_ERROR && saved_errno != 0) {
		snprintf(err, errlen, "%s: %s: %s", path, why,
			 strerror(saved_errno));
		return;
	}
	snprintf(err, errlen, "%s: %s", path, why);
}

/* Open one database into db; 0 or -1 with err filled. */
static int geo_open_db(struct geo_db *db, const char *path, char *err,
		       size_t errlen)
{
	int status;

	db->path = strdup(path);
	if (db->path == NULL) {
		geo_open_error(err, errlen, path, MMDB_OUT_OF_MEMORY_ERROR, 0);
		return -1;
	}
	errno = 0;
	status = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (status != MMDB_SUCCESS) {
		geo_open_error(err, errlen, path, status, errno);
		free(db->path);
		db->path = NULL;
		return -1;
	}
	return 0;
}

static uint32_t geo_seed(void)
{
	uint32_t seed;

	if (getentropy(&seed, sizeof(seed)) != 0)
		seed = (uint32_t)time(NULL) ^ 0x9e3779b9u;
	return seed;
}

struct cf_geo *cf_geo_open(const char *const *paths, size_t n,
			   size_t cache_max, char *err, size_t errlen)
{
	struct cf_geo *g;

	if (cache_max == 0)
		cache_max = GEO_CACHE_DEFAULT;
	if (cache_max > GEO_CACHE_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "geo cache size %zu exceeds %u",
				 cache_max, GEO_CACHE_MAX);
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		goto nomem;
	g->cap = (uint32_t)cache_max;
	g->seed = geo_seed();
	g->st.capacity = g->cap;
	g->slot = cf_big_alloc(g->cap, sizeof(*g->slot));
	cf_prefault(g->slot, (size_t)g->cap * sizeof(*g->slot));
	g->res = cf_big_alloc_front(g->cap, sizeof(*g->res));
	g->db = calloc(n ? n : 1, sizeof(*g->db));
	if (g->slot == NULL || g->res == NULL || g->db == NULL)
		goto nomem;
	cf_ahead_watch(&g->ahead, g->res, g->cap, sizeof(*g->res), CF_BIG_FRONT);
	for (; g->ndb < n; g->ndb++) {
		if (geo_open_db(&g->db[g->ndb], paths[g->ndb], err, errlen) < 0) {
			cf_geo_close(g);
			return NULL;
		}
	}
	return g;
nomem:
	if (err && errlen)
		snprintf(err, errlen, "geo: %s", strerror(ENOMEM));
	cf_geo_close(g);
	return NULL;
}

void cf_geo_close(struct cf_geo *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->ndb; i++) {
		MMDB_close(&g->db[i].mmdb);
		free(g->db[i].path);
	}
	free(g->db);
	cf_ahead_forget(&g->ahead);
	cf_big_free(g->slot);
	cf_big_free(g->res);
	free(g);
}

void cf_geo_get_stats(const struct cf_geo *g, struct cf_geo_stats *st)
{
	if (g == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = g->st;
}

void cf_geo_describe(const struct cf_geo *g, FILE *fp)
{
	const MMDB_metadata_s *m;
	char type[128], date[16];
	struct tm tm;
	time_t t;
	size_t i;

	for (i = 0; g && i < g->ndb; i++) {
		m = &g->db[i].mmdb.metadata;
		geo_copy_text(type, sizeof(type), m->database_type,
			      strlen(m->database_type));
		t = (time_t)m->build_epoch;
		if (m->build_epoch > GEO_EPOCH_MAX || gmtime_r(&t, &tm) == NULL ||
		    strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
			strcpy(date, "?");
		fprintf(fp, "%s: %s, built %s, IPv%u, %u nodes\n",
			g->db[i].path, type, date, (unsigned)m->ip_version,
			(unsigned)m->node_count);
	}
}

int cf_geo_db_info(const struct cf_geo *g, size_t i, struct cf_geo_db_info *out)
{
	const MMDB_metadata_s *m;

	if (g == NULL || i >= g->ndb)
		return -1;
	m = &g->db[i].mmdb.metadata;
	out->path = g->db[i].path;
	geo_copy_text(out->type, sizeof(out->type), m->database_type,
		      strlen(m->database_type));
	out->build_epoch = m->build_epoch <= GEO_EPOCH_MAX ? m->build_epoch : 0;
	return 0;
}

const char *cf_geo_lib_version(void)
{
	return MMDB_lib_version();
}

/* ---- default databases ------------------------------------------------- */

static int geo_is_mmdb_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".mmdb") == 0;
}

static int geo_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, malloc'd names of the *.mmdb files in dir; returns the count. */
static size_t geo_list_dir(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL, **nv, *s;
	size_t n = 0, cap = 0;

	*names = NULL;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!geo_is_mmdb_name(de->d_name) || de->d_type == DT_DIR)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		if ((s = strdup(de->d_name)) == NULL)
			break;
		v[n++] = s;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), geo_name_cmp);
	*names = v;
	return n;
}

size_t cf_geo_find_default(const char *const *dirs, size_t ndirs,
			   char **out, size_t max)
{
	char **names, *p;
	const char *sep;
	size_t i, j, n, got = 0, len, dlen;

	for (i = 0; i < ndirs && got == 0; i++) {
		n = geo_list_dir(dirs[i], &names);
		dlen = strlen(dirs[i]);
		sep = dlen && dirs[i][dlen - 1] == '/' ? "" : "/";
		for (j = 0; j < n; j++) {
			len = dlen + strlen(names[j]) + 2;
			if (got < max && (p = malloc(len)) != NULL) {
				snprintf(p, len, "%s%s%s", dirs[i], sep, names[j]);
				out[got++] = p;
			}
			free(names[j]);
		}
		free(names);
	}
	return got;
}
