/*
 * shapes.c - country outlines and great-circle distances to them (see
 * shapes.h).  Loading reads geodb/world-countries.txt line by line into
 * flat arrays; every ring's edges are grouped in chunks of CHUNK_EDGES,
 * each with a bounding cap (centre and angular radius), so that a distance
 * query visits only the chunks whose cap can hold something nearer than
 * the best distance found so far.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/shapes.h"

#define CHUNK_EDGES 32
#define MAX_STEP_DEG 0.5        /* longest edge piece, in degrees */
#define DEG (M_PI / 180.0)

struct vtx {
	double lon, lat;        /* degrees; lon unwrapped along its ring */
	double v[3];            /* unit vector */
};

struct ring {
	uint32_t first, n;      /* vertices first .. first+n-1, closed */
	double minx, maxx, miny, maxy;
	int pole;               /* -1/+1: goes round the south/north pole */
};

struct chunk {
	uint32_t first, nedges; /* edges first..first+nedges-1 (vertex i -> i+1) */
	double c[3], r;         /* bounding cap: centre, angular radius */
};

struct poly {
	uint32_t first_ring, nrings;
};

struct country {
	char code[3], numeric[4], name[64];
	uint32_t first_poly, npolys;
	uint32_t first_chunk, nchunks;
};

struct cf_shapes {
	struct vtx *vtx;
	struct ring *rings;
	struct chunk *chunks;
	struct poly *polys;
	struct country *countries;
	size_t nvtx, nrings, nchunks, npolys, ncountries;
	size_t cvtx, crings, cchunks, cpolys, ccountries;   /* capacities */
};

/* ---------------------------------------------------------------- vectors */

static void to_vec(double lat, double lon, double v[3])
{
	double cl = cos(lat * DEG);

	v[0] = cl * cos(lon * DEG);
	v[1] = cl * sin(lon * DEG);
	v[2] = sin(lat * DEG);
}

static double dot(const double a[3], const double b[3])
{
	return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross(const double a[3], const double b[3], double out[3])
{
	out[0] = a[1] * b[2] - a[2] * b[1];
	out[1] = a[2] * b[0] - a[0] * b[2];
	out[2] = a[0] * b[1] - a[1] * b[0];
}

static double norm(const double a[3])
{
	return sqrt(dot(a, a));
}

/* Angle between unit vectors (radians), stable for small and large. */
static double angle(const double a[3], const double b[3])
{
	double c[3];

	cross(a, b, c);
	return atan2(norm(c), dot(a, b));
}

/* Angle from p to the great-circle arc a-b (shorter than pi). */
static double angle_to_arc(const double p[3], const double a[3], const double b[3])
{
	double n[3], c[3], t[3], len, s, da, db;

	da = angle(p, a);
	db = angle(p, b);
	cross(a, b, n);
	len = norm(n);
	if (len < 1e-15)
		return da < db ? da : db;
	n[0] /= len; n[1] /= len; n[2] /= len;
	s = dot(p, n);
	c[0] = p[0] - s * n[0]; c[1] = p[1] - s * n[1]; c[2] = p[2] - s * n[2];
	if (norm(c) < 1e-15)
		return da < db ? da : db;
	/* the foot of the perpendicular lies between a and b? */
	cross(a, c, t);
	if (dot(t, n) >= 0) {
		cross(c, b, t);
		if (dot(t, n) >= 0) {
			if (s < 0)
				s = -s;
			return asin(s > 1 ? 1 : s);
		}
	}
	return da < db ? da : db;
}

/* Do the short arcs a-b and c-d cross, each end strictly on either side
 * of the other's great circle?  (Arcs on one great circle, or touching
 * at an end, do not: their distance is that of an end to the other arc.) */
static int arcs_cross(const double a[3], const double b[3],
		      const double c[3], const double d[3])
{
	double n1[3], n2[3];

	cross(a, b, n1);
	cross(c, d, n2);
	if (dot(n1, c) * dot(n1, d) >= 0 || dot(n2, a) * dot(n2, b) >= 0)
		return 0;
	return dot(a, c) > 0;   /* not the antipodal crossing */
}

static double arc_arc(const double a[3], const double b[3],
		      const double c[3], const double d[3])
{
	double m, t;

	if (arcs_cross(a, b, c, d))
		return 0;
	m = angle_to_arc(a, c, d);
	if ((t = angle_to_arc(b, c, d)) < m)
		m = t;
	if ((t = angle_to_arc(c, a, b)) < m)
		m = t;
	if ((t = angle_to_arc(d, a, b)) < m)
		m = t;
	return m;
}

double cf_geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
	double h = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);

	if (h > 1)
		h = 1;
	return 2 * CF_EARTH_RADIUS_KM * asin(sqrt(h));
}

/* ---------------------------------------------------------------- loading */

struct loader {
	struct cf_shapes *s;
	const char *path;
	unsigned long line;
	char *err;
	size_t errlen;
};

static int fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = l->line ? snprintf(l->err, l->errlen, "%s:%lu: ", l->path, l->line)
		    : snprintf(l->err, l->errlen, "%s: ", l->path);
	if (n < 0 || (size_t)n >= l->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Make room for one more element in *arr (count n, capacity *cap). */
static int grow(void **arr, size_t n, size_t *cap, size_t size)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	p = realloc(*arr, nc * size);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

#define GROW(l, what) grow((void **)&(l)->s->what, (l)->s->n##what, \
			   &(l)->s->c##what, sizeof(*(l)->s->what))

static int add_vtx(struct loader *l, double lon, double lat)
{
	struct vtx *v;

	if (l->s->nvtx >= CF_SHAPES_MAX_POINTS)
		return fail(l, "more than %u points", CF_SHAPES_MAX_POINTS);
	if (GROW(l, vtx) != 0)
		return fail(l, "out of memory");
	v = &l->s->vtx[l->s->nvtx++];
	v->lon = lon;
	v->lat = lat;
	to_vec(lat, lon, v->v);
	return 0;
}

/* Cap around vertices first..last of the ring being read. */
static void chunk_cap(struct cf_shapes *s, struct chunk *ck)
{
	double c[3] = { 0, 0, 0 }, len, r = 0, a;
	uint32_t i;

	for (i = ck->first; i <= ck->first + ck->nedges; i++) {
		c[0] += s->vtx[i].v[0];
		c[1] += s->vtx[i].v[1];
		c[2] += s->vtx[i].v[2];
	}
	len = norm(c);
	if (len < 1e-9) {
		c[0] = 1; c[1] = 0; c[2] = 0;
		r = M_PI;
	} else {
		c[0] /= len; c[1] /= len; c[2] /= len;
		for (i = ck->first; i <= ck->first + ck->nedges; i++)
			if ((a = angle(c, s->vtx[i].v)) > r)
				r = a;
		/* a cap wider than a hemisphere need not hold the arcs */
		r = r < M_PI / 2 - 0.01 ? r + 1e-9 : M_PI;
	}
	memcpy(ck->c, c, sizeof(c));
	ck->r = r;
}

static int add_chunks(struct loader *l, const struct ring *rg)
{
	uint32_t e;

	for (e = 0; e + 1 < rg->n; e += CHUNK_EDGES) {
		struct chunk *ck;

		if (GROW(l, chunks) != 0)
			return fail(l, "out of memory");
		ck = &l->s->chunks[l->s->nchunks++];
		ck->first = rg->first + e;
		ck->nedges = rg->n - 1 - e < CHUNK_EDGES ? rg->n - 1 - e : CHUNK_EDGES;
		chunk_cap(l->s, ck);
	}
	return 0;
}

/* Parse "lon,lat" at *pp; advance past it. */
static int parse_point(struct loader *l, char **pp, double *lon, double *lat)
{
	char *p = *pp, *end;

	errno = 0;
	*lon = strtod(p, &end);
	if (end == p || *end != ',' || errno)
		return fail(l, "bad point \"%.20s\" (want lon,lat)", p);
	p = end + 1;
	*lat = strtod(p, &end);
	if (end == p || (*end != '\0' && *end != ' ') || errno)
		return fail(l, "bad point \"%.20s\" (want lon,lat)", *pp);
	if (!(*lon >= -180 && *lon <= 180 && *lat >= -90 && *lat <= 90))
		return fail(l, "point %g,%g outside -180..180, -90..90", *lon, *lat);
	*pp = end;
	return 0;
}

/* An R line: the ring, its long edges cut, longitudes unwrapped. */
static int parse_ring(struct loader *l, char *p)
{
	struct cf_shapes *s = l->s;
	struct ring rg;
	double lon = 0, lat = 0, plon = 0, plat = 0, shift = 0, first_lon = 0, first_lat = 0;
	size_t npts = 0;
	uint32_t i;

	memset(&rg, 0, sizeof(rg));
	rg.first = (uint32_t)s->nvtx;
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		if (parse_point(l, &p, &lon, &lat) != 0)
			return -1;
		while (*p == ' ')
			p++;
		if (npts == 0) {
			first_lon = lon;
			first_lat = lat;
		} else {
			double ulon, dx, dy, st, span;
			int k, steps;

			/* unwrap: an edge is the short way round */
			ulon = lon + shift;
			if (ulon - plon > 180)
				shift -= 360, ulon -= 360;
			else if (ulon - plon < -180)
				shift += 360, ulon += 360;
			dx = ulon - plon;
			dy = lat - plat;
			st = cos((fabs(lat) < fabs(plat) ? lat : plat) * DEG);
			span = fabs(dx) * st > fabs(dy) ? fabs(dx) * st : fabs(dy);
			steps = (int)ceil(span / MAX_STEP_DEG);
			for (k = 1; k < steps; k++)
				if (add_vtx(l, plon + dx * k / steps, plat + dy * k / steps) != 0)
					return -1;
			lon = ulon;
		}
		if (add_vtx(l, lon, lat) != 0)
			return -1;
		plon = lon;
		plat = lat;
		npts++;
	}
	if (npts < 4)
		return fail(l, "a ring needs at least 4 points, has %zu", npts);
	if (lat != first_lat || fmod(fabs(plon - first_lon), 360.0) != 0)
		return fail(l, "ring not closed (last point is not the first)");
	rg.n = (uint32_t)(s->nvtx - rg.first);
	if (plon != first_lon)          /* went round a pole */
		rg.pole = first_lat + lat < 0 ? -1 : 1;
	rg.minx = rg.maxx = s->vtx[rg.first].lon;
	rg.miny = rg.maxy = s->vtx[rg.first].lat;
	for (i = rg.first; i < rg.first + rg.n; i++) {
		const struct vtx *v = &s->vtx[i];

		if (v->lon < rg.minx) rg.minx = v->lon;
		if (v->lon > rg.maxx) rg.maxx = v->lon;
		if (v->lat < rg.miny) rg.miny = v->lat;
		if (v->lat > rg.maxy) rg.maxy = v->lat;
	}
	if (add_chunks(l, &rg) != 0)
		return -1;
	if (GROW(l, rings) != 0)
		return fail(l, "out of memory");
	s->rings[s->nrings++] = rg;
	s->polys[s->npolys - 1].nrings++;
	return 0;
}

static int parse_country(struct loader *l, char *p)
{
	struct cf_shapes *s = l->s;
	struct country *c;
	size_t i;

	if (!(isupper((unsigned char)p[0]) && isupper((unsigned char)p[1]) && p[2] == ' ' &&
	      isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) &&
	      isdigit((unsigned char)p[5]) && p[6] == ' ' && p[7] != '\0'))
		return fail(l, "bad country line (want \"C XX NNN name\")");
	for (i = 0; i < s->ncountries; i++)
		if (memcmp(s->countries[i].code, p, 2) == 0)
			return fail(l, "country %.2s given twice", p);
	if (s->ncountries >= CF_SHAPES_MAX_COUNTRIES)
		return fail(l, "more than %d countries", CF_SHAPES_MAX_COUNTRIES);
	if (GROW(l, countries) != 0)
		return fail(l, "out of memory");
	c = &s->countries[s->ncountries++];
	memset(c, 0, sizeof(*c));
	memcpy(c->code, p, 2);
	memcpy(c->numeric, p + 3, 3);
	snprintf(c->name, sizeof(c->name), "%s", p + 7);
	c->first_poly = (uint32_t)s->npolys;
	return 0;
}

static int parse_line(struct loader *l, char *p)
{
	struct cf_shapes *s = l->s;

	if (p[0] == '#' || p[0] == '\0')
		return 0;
	if (p[0] == 'C' && p[1] == ' ')
		return parse_country(l, p + 2);
	if (p[0] == 'P' && p[1] == '\0') {
		if (s->ncountries == 0)
			return fail(l, "polygon before any country line");
		if (GROW(l, polys) != 0)
			return fail(l, "out of memory");
		s->polys[s->npolys].first_ring = (uint32_t)s->nrings;
		s->polys[s->npolys].nrings = 0;
		s->npolys++;
		s->countries[s->ncountries - 1].npolys++;
		return 0;
	}
	if (p[0] == 'R' && (p[1] == ' ' || p[1] == '\0')) {
		struct country *c;

		if (s->ncountries == 0 || (c = &s->countries[s->ncountries - 1])->npolys == 0)
			return fail(l, "ring before any polygon line");
		return parse_ring(l, p + 1);
	}
	return fail(l, "unknown line \"%.20s\" (want #, C, P or R)", p);
}

/* The chunks of each country: they were made in country order. */
static int index_chunks(struct loader *l)
{
	struct cf_shapes *s = l->s;
	size_t i;

	for (i = 0; i < s->ncountries; i++) {
		struct country *c = &s->countries[i];
		const struct poly *pf, *pl;
		const struct ring *rf, *rl;
		size_t k;

		if (c->npolys == 0)
			return fail(l, "country %s has no polygon", c->code);
		for (k = c->first_poly; k < c->first_poly + c->npolys; k++)
			if (s->polys[k].nrings == 0)
				return fail(l, "country %s: polygon without rings", c->code);
		pf = &s->polys[c->first_poly];
		pl = &s->polys[c->first_poly + c->npolys - 1];
		rf = &s->rings[pf->first_ring];
		rl = &s->rings[pl->first_ring + pl->nrings - 1];
		c->first_chunk = UINT32_MAX;
		for (k = 0; k < s->nchunks; k++) {
			if (s->chunks[k].first >= rf->first &&
			    s->chunks[k].first < rl->first + rl->n) {
				if (c->first_chunk == UINT32_MAX)
					c->first_chunk = (uint32_t)k;
				c->nchunks++;
			}
		}
	}
	return 0;
}

struct cf_shapes *cf_shapes_load(const char *path, char *err, size_t errlen)
{
	struct loader l = { NULL, path, 0, err, errlen };
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if ((l.s = calloc(1, sizeof(*l.s))) == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while ((n = getline(&buf, &cap, fp)) >= 0) {
		l.line++;
		if ((size_t)n > CF_SHAPES_MAX_LINE) {
			fail(&l, "line longer than %u bytes", CF_SHAPES_MAX_LINE);
			goto bad;
		}
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if ((size_t)n != strlen(buf)) {
			fail(&l, "NUL byte in line");
			goto bad;
		}
		if (parse_line(&l, buf) != 0)
			goto bad;
	}
	if (ferror(fp)) {
		fail(&l, "read error: %s", strerror(errno));
		goto bad;
	}
	l.line = 0;
	if (l.s->ncountries == 0) {
		fail(&l, "no country in it");
		goto bad;
	}
	if (index_chunks(&l) != 0)
		goto bad;
	free(buf);
	fclose(fp);
	return l.s;
bad:
	free(buf);
	fclose(fp);
	cf_shapes_free(l.s);
	return NULL;
}

void cf_shapes_free(struct cf_shapes *s)
{
	if (s == NULL)
		return;
	free(s->vtx);
	free(s->rings);
	free(s->chunks);
	free(s->polys);
	free(s->countries);
	free(s);
}

size_t cf_shapes_count(const struct cf_shapes *s)
{
	return s->ncountries;
}

int cf_shapes_index(const struct cf_shapes *s, const char *cc)
{
	size_t i;

	if (cc == NULL || cc[0] == '\0' || cc[1] == '\0' || cc[2] != '\0')
		return -1;
	for (i = 0; i < s->ncountries; i++)
		if (s->countries[i].code[0] == toupper((unsigned char)cc[0]) &&
		    s->countries[i].code[1] == toupper((unsigned char)cc[1]))
			return (int)i;
	return -1;
}

const char *cf_shapes_code(const struct cf_shapes *s, size_t i)
{
	return i < s->ncountries ? s->countries[i].code : NULL;
}

const char *cf_shapes_name(const struct cf_shapes *s, size_t i)
{
	return i < s->ncountries ? s->countries[i].name : NULL;
}

/* ---------------------------------------------------------------- queries */

/* Even-odd crossing count of (x, lat) against one ring, unwrapped. */
static int ring_crossings(const struct cf_shapes *s, const struct ring *rg,
			  double x, double lat)
{
	const struct vtx *v = &s->vtx[rg->first];
	int in = 0;
	uint32_t i;

	for (i = 0; i + 1 < rg->n; i++) {
		const struct vtx *a = &v[i], *b = &v[i + 1];

		if ((a->lat > lat) != (b->lat > lat) &&
		    x < a->lon + (lat - a->lat) * (b->lon - a->lon) / (b->lat - a->lat))
			in = !in;
	}
	if (rg->pole) {
		/* closed through the pole: down the last meridian, back up the first */
		double py = rg->pole * 90.0;
		const struct vtx *l = &v[rg->n - 1], *f = &v[0];

		if ((l->lat > lat) != (py > lat) && x < l->lon)
			in = !in;
		if ((py > lat) != (f->lat > lat) && x < f->lon)
			in = !in;
	}
	return in;
}

/*
 * Is (lon, lat) inside one ring?  The ring's unwrapped longitudes may leave
 * -180..180: every copy of lon (lon + k * 360) within the ring's span is
 * tried.  A ring round a pole, closed through it, is one period of a shape
 * whose copies tile the strip without overlapping, so at most one copy is
 * inside.
 */
static int ring_contains(const struct cf_shapes *s, const struct ring *rg,
			 double lon, double lat)
{
	double x = lon;
	int in = 0;

	if (!rg->pole && (lat < rg->miny || lat > rg->maxy))
		return 0;
	while (x > rg->minx)
		x -= 360;
	while (x < rg->minx)
		x += 360;
	for (; x <= rg->maxx; x += 360)
		in |= ring_crossings(s, rg, x, lat);
	return in;
}

int cf_shapes_contains(const struct cf_shapes *s, size_t i, double lat, double lon)
{
	const struct country *c;
	uint32_t p, r;

	if (i >= s->ncountries)
		return 0;
	c = &s->countries[i];
	for (p = c->first_poly; p < c->first_poly + c->npolys; p++) {
		const struct poly *pg = &s->polys[p];
		int in = 0;

		for (r = pg->first_ring; r < pg->first_ring + pg->nrings; r++)
			in ^= ring_contains(s, &s->rings[r], lon, lat);
		if (in)
			return 1;
	}
	return 0;
}

/* Smallest angle from p to the edges of country c. */
static double point_angle(const struct cf_shapes *s, const struct country *c,
			  const double p[3])
{
	double best = M_PI, a;
	uint32_t k, e;

	/* a first bound: the nearest chunk start */
	for (k = c->first_chunk; k < c->first_chunk + c->nchunks; k++)
		if ((a = angle(p, s->vtx[s->chunks[k].first].v)) < best)
			best = a;
	for (k = c->first_chunk; k < c->first_chunk + c->nchunks; k++) {
		const struct chunk *ck = &s->chunks[k];

		if (angle(p, ck->c) - ck->r >= best)
			continue;
		for (e = ck->first; e < ck->first + ck->nedges; e++)
			if ((a = angle_to_arc(p, s->vtx[e].v, s->vtx[e + 1].v)) < best)
				best = a;
	}
	return best;
}

double cf_shapes_point_km(const struct cf_shapes *s, size_t i, double lat, double lon)
{
	double p[3];

	if (i >= s->ncountries)
		return -1;
	if (cf_shapes_contains(s, i, lat, lon))
		return 0;
	to_vec(lat, lon, p);
	return point_angle(s, &s->countries[i], p) * CF_EARTH_RADIUS_KM;
}

/* Longitude of vertex v brought back into -180..180. */
static double wrap_lon(double lon)
{
	while (lon > 180)
		lon -= 360;
	while (lon < -180)
		lon += 360;
	return lon;
}

/* Does country a hold a vertex of one of country b's polygons? */
static int holds_vertex_of(const struct cf_shapes *s, size_t a, size_t b)
{
	const struct country *cb = &s->countries[b];
	uint32_t p;

	for (p = cb->first_poly; p < cb->first_poly + cb->npolys; p++) {
		const struct vtx *v = &s->vtx[s->rings[s->polys[p].first_ring].first];

		if (cf_shapes_contains(s, a, v->lat, wrap_lon(v->lon)))
			return 1;
	}
	return 0;
}

double cf_shapes_between_km(const struct cf_shapes *s, size_t a, size_t b)
{
	const struct country *ca, *cb;
	double best = M_PI, d;
	uint32_t i, j, e, f;

	if (a >= s->ncountries || b >= s->ncountries)
		return -1;
	if (a == b || holds_vertex_of(s, a, b) || holds_vertex_of(s, b, a))
		return 0;
	ca = &s->countries[a];
	cb = &s->countries[b];
	for (i = ca->first_chunk; i < ca->first_chunk + ca->nchunks; i++)
		for (j = cb->first_chunk; j < cb->first_chunk + cb->nchunks; j++)
			if ((d = angle(s->vtx[s->chunks[i].first].v,
				       s->vtx[s->chunks[j].first].v)) < best)
				best = d;
	for (i = ca->first_chunk; i < ca->first_chunk + ca->nchunks && best > 0; i++) {
		const struct chunk *ki = &s->chunks[i];

		for (j = cb->first_chunk; j < cb->first_chunk + cb->nchunks; j++) {
			const struct chunk *kj = &s->chunks[j];

			if (angle(ki->c, kj->c) - ki->r - kj->r >= best)
				continue;
			for (e = ki->first; e < ki->first + ki->nedges; e++)
				for (f = kj->first; f < kj->first + kj->nedges; f++)
					if ((d = arc_arc(s->vtx[e].v, s->vtx[e + 1].v,
							 s->vtx[f].v, s->vtx[f + 1].v)) < best)
						best = d;
		}
	}
	return best * CF_EARTH_RADIUS_KM;
}
