/*
 * audit-map.c - the world map: country shapes read from
 * geodb/world-countries.txt (made by geodb/fetch-world.sh from the pinned
 * npm package world-atlas, Natural Earth's admin-0 countries), projected
 * at report time to SVG path data.
 *
 * Projection: equirectangular (plate carree), x = (lon + 180) * K,
 * y = (LAT_TOP - lat) * K with K = WIDTH / 360; latitudes south of
 * LAT_BOTTOM (Antarctica) are left out.  Simplification: points are
 * rounded to whole pixels of the WIDTH-pixel map, repeats dropped, then
 * Douglas-Peucker with a tolerance of EPS pixels; rings smaller than a
 * pixel are dropped.  The 1:50m data (1.6 MB) becomes about 100 kB of
 * path data.  Each path is written as relative moves ("l dx dy") of
 * whole pixels.
 *
 * File format (one C line per country; each P a polygon whose first R is
 * the outer ring, later Rs its holes; degrees; closed rings):
 *     # comment
 *     C <alpha2> <numeric> <name>
 *     P
 *     R lon,lat lon,lat ...
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/audit-int.h"

#define WIDTH 960.0
#define LAT_TOP 84.0
#define LAT_BOTTOM -57.0
#define K (WIDTH / 360.0)
#define HEIGHT ((LAT_TOP - LAT_BOTTOM) * K)
#define EPS 0.7
#define MAX_SHAPES 400

void a_shapes_free(struct cf_audit *a)
{
	size_t i, j;

	for (i = 0; i < a->n_shapes; i++) {
		for (j = 0; j < a->shapes[i].n_rings; j++)
			free(a->shapes[i].rings[j].xy);
		free(a->shapes[i].rings);
	}
	free(a->shapes);
	a->shapes = NULL;
	a->n_shapes = 0;
}

/* Douglas-Peucker on xy[first..last]: keep[] marks the points kept. */
static void dp(const float *xy, size_t first, size_t last, char *keep)
{
	size_t i, best = 0;
	double dmax = 0, dx, dy, len, d;

	if (last <= first + 1)
		return;
	dx = xy[2 * last] - xy[2 * first];
	dy = xy[2 * last + 1] - xy[2 * first + 1];
	len = sqrt(dx * dx + dy * dy);
	for (i = first + 1; i < last; i++) {
		double px = xy[2 * i] - xy[2 * first], py = xy[2 * i + 1] - xy[2 * first + 1];

		d = len > 0 ? fabs(px * dy - py * dx) / len : sqrt(px * px + py * py);
		if (d > dmax) {
			dmax = d;
			best = i;
		}
	}
	if (dmax > EPS) {
		keep[best] = 1;
		dp(xy, first, best, keep);
		dp(xy, best, last, keep);
	}
}

/* One "R" line (after "R ") into a projected, simplified ring; 0 when the
 * ring vanishes, -1 on a bad line or out of memory. */
static int ring(char *s, struct a_ring *r, float *cx, float *cy)
{
	size_t cap = 64, n = 0, i, m;
	float *xy = malloc(cap * 2 * sizeof(*xy));
	float minx = 1e9, maxx = -1e9, miny = 1e9, maxy = -1e9;
	double prev = 999;
	char *keep, *end;

	if (xy == NULL)
		return -1;
	while (*s) {
		double lon, lat, x, y;

		while (*s == ' ')
			s++;
		if (*s == '\0' || *s == '\n')
			break;
		lon = strtod(s, &end);
		if (end == s || *end != ',')
			goto bad;
		s = end + 1;
		lat = strtod(s, &end);
		if (end == s || lon < -180.001 || lon > 180.001 || lat < -90.001 || lat > 90.001)
			goto bad;
		s = end;
		/* a ring across the antimeridian stays in one piece (the part
		 * past the edge is clipped) instead of a line across the map */
		if (prev != 999 && lon - prev > 180)
			lon -= 360;
		else if (prev != 999 && prev - lon > 180)
			lon += 360;
		prev = lon;
		if (lat < LAT_BOTTOM)
			lat = LAT_BOTTOM;
		x = rint((lon + 180.0) * K);
		y = rint((LAT_TOP - (lat > LAT_TOP ? LAT_TOP : lat)) * K);
		if (n > 0 && xy[2 * n - 2] == (float)x && xy[2 * n - 1] == (float)y)
			continue;
		if (n == cap) {
			float *q = realloc(xy, cap * 4 * sizeof(*xy));

			if (q == NULL)
				goto bad;
			xy = q;
			cap *= 2;
		}
		xy[2 * n] = (float)x;
		xy[2 * n + 1] = (float)y;
		n++;
	}
	for (i = 0; i < n; i++) {
		minx = fminf(minx, xy[2 * i]);
		maxx = fmaxf(maxx, xy[2 * i]);
		miny = fminf(miny, xy[2 * i + 1]);
		maxy = fmaxf(maxy, xy[2 * i + 1]);
	}
	if (n > 0) {
		*cx = (minx + maxx) / 2;
		*cy = (miny + maxy) / 2;
	}
	if (n < 4 || (maxx - minx < 2 && maxy - miny < 2) || miny >= HEIGHT) {
		free(xy);
		return 0;
	}
	keep = calloc(n, 1);
	if (keep == NULL)
		goto bad;
	keep[0] = keep[n - 1] = 1;
	dp(xy, 0, n - 1, keep);
	for (i = 0, m = 0; i < n; i++)
		if (keep[i]) {
			xy[2 * m] = xy[2 * i];
			xy[2 * m + 1] = xy[2 * i + 1];
			m++;
		}
	free(keep);
	if (m < 4) {
		free(xy);
		return 0;
	}
	r->xy = xy;
	r->n = m;
	return 1;
bad:
	free(xy);
	return -1;
}

int cf_audit_world(struct cf_audit *a, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	struct a_shape *sh = NULL;
	char *line = NULL, cc[3];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;

	if (fp == NULL) {
		snprintf(a->world_why, sizeof(a->world_why), "%s: %s (geodb/fetch-world.sh makes it)",
			 path, strerror(errno));
		snprintf(err, errlen, "%s", a->world_why);
		return -1;
	}
	a->shapes = calloc(MAX_SHAPES, sizeof(*a->shapes));
	if (a->shapes == NULL)
		rc = -1, snprintf(a->world_why, sizeof(a->world_why), "out of memory");
	while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0') {
			if (strncmp(line, "# source: ", 10) == 0)
				snprintf(a->world_source, sizeof(a->world_source), "%s", line + 10);
			continue;
		}
		if (line[0] == 'C' && line[1] == ' ') {
			char name[200] = "";

			if (a->n_shapes >= MAX_SHAPES ||
			    sscanf(line, "C %2s %*s %199[^\n]", cc, name) < 1) {
				rc = -1;
				break;
			}
			sh = &a->shapes[a->n_shapes++];
			memcpy(sh->cc, cc, 3);
			sh->name = a_keep(a, name);
			if (sh->name == NULL)
				rc = -1;
		} else if (line[0] == 'P' && (line[1] == '\0' || line[1] == ' ')) {
			if (sh == NULL)
				rc = -1;
		} else if (line[0] == 'R' && line[1] == ' ' && sh != NULL) {
			struct a_ring r;
			struct a_ring *q;
			float cx = -1, cy = -1;
			int got = ring(line + 2, &r, &cx, &cy);

			if (got >= 0 && !sh->has_pt && cx >= 0 && cy >= 0 && cy < HEIGHT) {
				sh->px = cx;
				sh->py = cy;
				sh->has_pt = 1;
			}
			if (got < 0)
				rc = -1;
			else if (got > 0) {
				q = realloc(sh->rings, (sh->n_rings + 1) * sizeof(*q));
				if (q == NULL) {
					free(r.xy);
					rc = -1;
				} else {
					sh->rings = q;
					sh->rings[sh->n_rings++] = r;
				}
			}
		} else {
			rc = -1;
		}
	}
	free(line);
	fclose(fp);
	if (rc == 0 && a->n_shapes == 0) {
		rc = -1;
		lineno = 0;
	}
	if (rc < 0) {
		if (lineno)
			snprintf(a->world_why, sizeof(a->world_why), "%s:%zu: not a line of the "
				 "country shapes format (geodb/README)", path, lineno);
		else
			snprintf(a->world_why, sizeof(a->world_why), "%s: no country in it", path);
		snprintf(err, errlen, "%s", a->world_why);
		a_shapes_free(a);
		return -1;
	}
	a->world_why[0] = '\0';
	return 0;
}

void cf_audit_world_missing(struct cf_audit *a, const char *why)
{
	snprintf(a->world_why, sizeof(a->world_why), "%s", why);
}

const char *a_country_name(const struct cf_audit *a, const char *cc)
{
	size_t i;

	for (i = 0; i < a->n_shapes; i++)
		if (strcmp(a->shapes[i].cc, cc) == 0)
			return a->shapes[i].name;
	return NULL;
}

/* 0 (none) to 5 (the most): a log scale against the largest. */
static int bucket(uint64_t v, uint64_t max)
{
	double r;

	if (v == 0 || max == 0)
		return 0;
	r = log1p((double)v) / log1p((double)max);
	return 1 + (int)(r * 4.999);
}

static void path_d(FILE *f, const struct a_shape *s)
{
	size_t i, j;

	for (i = 0; i < s->n_rings; i++) {
		const struct a_ring *r = &s->rings[i];

		fprintf(f, "M%d %d", (int)r->xy[0], (int)r->xy[1]);
		for (j = 1; j < r->n; j++)
			fprintf(f, "l%d %d", (int)(r->xy[2 * j] - r->xy[2 * j - 2]),
				(int)(r->xy[2 * j + 1] - r->xy[2 * j - 1]));
		fputc('z', f);
	}
}

/* The centre of a shape's largest ring's bounding box. */
static void centre(const struct a_shape *s, double *cx, double *cy)
{
	double best = -1;
	size_t i, j;

	*cx = *cy = 0;
	for (i = 0; i < s->n_rings; i++) {
		const struct a_ring *r = &s->rings[i];
		float x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;

		for (j = 0; j < r->n; j++) {
			x0 = fminf(x0, r->xy[2 * j]);
			x1 = fmaxf(x1, r->xy[2 * j]);
			y0 = fminf(y0, r->xy[2 * j + 1]);
			y1 = fmaxf(y1, r->xy[2 * j + 1]);
		}
		if ((x1 - x0) * (y1 - y0) > best) {
			best = (x1 - x0) * (y1 - y0);
			*cx = (x0 + x1) / 2;
			*cy = (y0 + y1) / 2;
		}
	}
}

static void country_title(FILE *f, const char *name, const struct a_country *k, int perm)
{
	fputs("<title>", f);
	a_esc(f, name);
	if (k != NULL && k->flows > 0) {
		fputs(": ", f);
		a_bytes(f, k->bytes);
		fprintf(f, " in %llu flow(s)", (unsigned long long)k->flows);
	}
	if (k != NULL && k->alerted)
		fprintf(f, "; alerts (worst: %s)", a_sev_name(k->alerted));
	if (perm)
		fputs("; permitted by the policy", f);
	fputs("</title>", f);
}

void a_map_write(struct cf_audit *a, FILE *f)
{
	uint64_t maxb = 0, maxf = 0;
	size_t i, j;

	for (i = 0; i < a->n_countries; i++) {
		if (a->countries[i].bytes > maxb)
			maxb = a->countries[i].bytes;
		if (a->countries[i].flows > maxf)
			maxf = a->countries[i].flows;
	}
	if (a->n_shapes == 0) {
		fputs("<p class=\"nomap\" id=\"map-unavailable\">The world map is unavailable: ", f);
		a_esc(f, a->world_why);
		fputs(". The table below gives the same figures.</p>\n", f);
		return;
	}
	fprintf(f, "<svg id=\"worldmap\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"World map of the calls' traffic by country\">\n",
		(int)WIDTH, (int)HEIGHT);
	for (i = 0; i < a->n_shapes; i++) {
		const struct a_shape *s = &a->shapes[i];
		const struct a_country *k = NULL;
		int perm = 0;

		if (s->n_rings == 0)
			continue;
		for (j = 0; j < a->n_countries; j++)
			if (strcmp(a->countries[j].cc, s->cc) == 0)
				k = &a->countries[j];
		if (s->cc[0] >= 'A' && s->cc[0] <= 'Z' && s->cc[1] >= 'A' && s->cc[1] <= 'Z')
			perm = a->permitted[(s->cc[0] - 'A') * 26 + s->cc[1] - 'A'];
		fprintf(f, "<path id=\"c-%s\" data-cc=\"%s\" data-sb=\"%d\" data-sf=\"%d\" "
			"class=\"s%d%s%s\" d=\"", s->cc, s->cc,
			k ? bucket(k->bytes, maxb) : 0, k ? bucket(k->flows, maxf) : 0,
			k ? bucket(k->bytes, maxb) : 0, perm ? " perm" : "",
			k && k->alerted ? " alerted" : "");
		path_d(f, s);
		fputs("\">", f);
		country_title(f, s->name, k, perm);
		fputs("</path>\n", f);
	}
	/* a ring on every alerted country, so that a small one shows too
	 * (one too small to draw: where it is) */
	for (i = 0; i < a->n_shapes; i++) {
		double cx, cy;

		for (j = 0; j < a->n_countries; j++)
			if (strcmp(a->countries[j].cc, a->shapes[i].cc) == 0 &&
			    a->countries[j].alerted &&
			    (a->shapes[i].n_rings > 0 || a->shapes[i].has_pt)) {
				if (a->shapes[i].n_rings > 0) {
					centre(&a->shapes[i], &cx, &cy);
				} else {
					cx = a->shapes[i].px;
					cy = a->shapes[i].py;
				}
				fprintf(f, "<circle class=\"pin\" data-cc=\"%s\" cx=\"%.0f\" cy=\"%.0f\" "
					"r=\"9\"/>\n", a->shapes[i].cc, cx, cy);
			}
	}
	fputs("</svg>\n", f);
}
