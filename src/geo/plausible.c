/*
 * plausible.c - the speed-of-light check (plausible.h): the observer's
 * distance to every country, once, and the verdict for a country and an
 * RTT against it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo/plausible.h"
#include "geo/shapes.h"

struct cf_plaus {
	struct cf_observer obs;
	struct cf_shapes *shapes;
	size_t n;
	double *dist;           /* [country]: km from the observer */
	uint32_t *order;        /* countries, nearest first */
	char text[96];
};

static int parse_deg(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	while (*end == ' ')
		end++;
	return errno == 0 && end != s && *end == '\0' && *out >= min && *out <= max ? 0 : -1;
}

/* Could s be a place name? */
static int place_name(const char *s)
{
	size_t n = strlen(s), i;
	int letters = 0;

	if (n < 3 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalpha(c))
			letters++;
		else if (c != ' ' && c != '.' && c != '-' && c != '\'' && c != '(' && c != ')')
			return 0;
	}
	return letters >= 2;
}

int cf_observer_parse(const char *s, struct cf_observer *o, char *err, size_t errlen)
{
	const char *comma = strchr(s, ',');

	memset(o, 0, sizeof(*o));
	if (comma == NULL) {
		if (strlen(s) == 2 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1])) {
			o->kind = 2;
			o->cc[0] = (char)toupper((unsigned char)s[0]);
			o->cc[1] = (char)toupper((unsigned char)s[1]);
			return 0;
		}
		if (place_name(s)) {
			o->kind = 3;
			snprintf(o->name, sizeof(o->name), "%s", s);
			return 0;
		}
	} else if ((size_t)(comma - s) < 32) {
		char lat[32];

		memcpy(lat, s, (size_t)(comma - s));
		lat[comma - s] = '\0';
		if (parse_deg(lat, -90, 90, &o->lat) == 0 &&
		    parse_deg(comma + 1, -180, 180, &o->lon) == 0) {
			o->kind = 1;
			return 0;
		}
	}
	snprintf(err, errlen, "observer location '%s': want LAT,LON in decimal degrees "
		 "(-90..90, -180..180, e.g. 50.11,8.68), a country code (e.g. DE) "
		 "or a place name (e.g. Frankfurt)", s);
	return -1;
}

/* Trim the spaces around s[0..n) in place; the new start. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int cf_observer_resolve(struct cf_observer *o, const char *path, char *err, size_t errlen)
{
	char line[512], *p, *hash, *tok, *save = NULL, *name;
	double lat, lon;
	unsigned ln = 0;
	int found = 0, n;
	FILE *fp;

	if (o->kind != 3)
		return 0;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "observer location '%s': cannot read the place table "
			 "%s: %s", o->name, path, strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		ln++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		p = trim(line);
		if (*p == '\0')
			continue;
		n = 0;
		if (sscanf(p, "%lf %lf %*2[A-Z] %n", &lat, &lon, &n) < 2 || n == 0 ||
		    lat < -90 || lat > 90 || lon < -180 || lon > 180 || p[n] == '\0') {
			snprintf(err, errlen, "%s:%u: want LAT LON CC NAME[|NAME...]", path, ln);
			fclose(fp);
			return -1;
		}
		for (tok = strtok_r(p + n, "|", &save); tok != NULL;
		     tok = strtok_r(NULL, "|", &save)) {
			name = trim(tok);
			if (strcasecmp(name, o->name) == 0) {
				found = 1;
				break;
			}
		}
	}
	fclose(fp);
	if (!found) {
		snprintf(err, errlen, "observer location '%s': no such place in %s (give "
			 "LAT,LON, a country code, or a name listed there)", o->name, path);
		return -1;
	}
	o->kind = 1;
	o->lat = lat;
	o->lon = lon;
	return 0;
}

static const struct cf_plaus *sort_ctx;

static int by_dist(const void *a, const void *b)
{
	double da = sort_ctx->dist[*(const uint32_t *)a], db = sort_ctx->dist[*(const uint32_t *)b];

	if (da != db)
		return da < db ? -1 : 1;
	return strcmp(cf_shapes_code(sort_ctx->shapes, *(const uint32_t *)a),
		      cf_shapes_code(sort_ctx->shapes, *(const uint32_t *)b));
}

struct cf_plaus *cf_plaus_new(const struct cf_observer *o, const char *shapes_path,
			      char *err, size_t errlen)
{
	struct cf_plaus *p = calloc(1, sizeof(*p));
	size_t i;
	int self = -1;

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->obs = *o;
	if (o->kind != 1 && o->kind != 2) {
		snprintf(err, errlen, "observer location '%s': not a point or a country "
			 "(a place name not looked up)", o->name);
		goto fail;
	}
	if ((p->shapes = cf_shapes_load(shapes_path, err, errlen)) == NULL)
		goto fail;
	p->n = cf_shapes_count(p->shapes);
	if (o->kind == 2 && (self = cf_shapes_index(p->shapes, o->cc)) < 0) {
		snprintf(err, errlen, "observer location %s: no such country in %s",
			 o->cc, shapes_path);
		goto fail;
	}
	p->dist = calloc(p->n, sizeof(*p->dist));
	p->order = calloc(p->n, sizeof(*p->order));
	if (p->dist == NULL || p->order == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < p->n; i++) {
		p->dist[i] = o->kind == 2 ? cf_shapes_between_km(p->shapes, (size_t)self, i)
					  : cf_shapes_point_km(p->shapes, i, o->lat, o->lon);
		p->order[i] = (uint32_t)i;
	}
	sort_ctx = p;
	qsort(p->order, p->n, sizeof(*p->order), by_dist);
	sort_ctx = NULL;
	if (o->kind == 2)
		snprintf(p->text, sizeof(p->text), "%s", o->cc);
	else if (o->name[0])
		snprintf(p->text, sizeof(p->text), "%.4f,%.4f (%.20s)", o->lat, o->lon, o->name);
	else
		snprintf(p->text, sizeof(p->text), "%.4f,%.4f", o->lat, o->lon);
	return p;
fail:
	cf_plaus_free(p);
	return NULL;
}

void cf_plaus_free(struct cf_plaus *p)
{
	if (p == NULL)
		return;
	cf_shapes_free(p->shapes);
	free(p->dist);
	free(p->order);
	free(p);
}

static double reach_km(int64_t rtt_us)
{
	return (double)rtt_us / 2000.0 * CF_LIGHT_KM_PER_MS;
}

double cf_plaus_distance(const struct cf_plaus *p, const char *country)
{
	int i;

	if (p == NULL || country == NULL || (i = cf_shapes_index(p->shapes, country)) < 0)
		return -1;
	return p->dist[i];
}

int cf_plaus_reachable(const struct cf_plaus *p, const char *country, int64_t rtt_us)
{
	double d = cf_plaus_distance(p, country);

	if (d < 0 || rtt_us < 0)
		return -1;
	return d <= reach_km(rtt_us) + CF_PLAUS_SLACK_KM;
}

void cf_plaus_check(const struct cf_plaus *p, const char *country, int64_t rtt_us,
		    struct cf_plaus_result *r)
{
	double reach;
	size_t i, n = 0;

	memset(r, 0, sizeof(*r));
	r->dist_km = -1;
	if (rtt_us < 0)
		return;
	r->has_rtt = 1;
	r->rtt_us = rtt_us > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt_us;
	r->reach_km = reach = reach_km(rtt_us);
	if (p == NULL)
		return;
	for (i = 0; i < p->n && p->dist[p->order[i]] <= reach + CF_PLAUS_SLACK_KM; i++)
		n++;
	if (n <= CF_PLAUS_LIST) {
		r->reach_listed = 1;
		r->n_reach = (uint8_t)n;
		for (i = 0; i < n; i++)
			memcpy(r->reach[i], cf_shapes_code(p->shapes, p->order[i]), 3);
	}
	r->dist_km = cf_plaus_distance(p, country);
	if (r->dist_km < 0)
		return;
	if (r->dist_km > reach + CF_PLAUS_SLACK_KM) {
		r->verdict = CF_PLAUS_IMPOSSIBLE;
	} else {
		r->likely = r->dist_km <= reach * CF_FIBRE_FRACTION + CF_PLAUS_SLACK_KM;
		r->verdict = r->likely ? CF_PLAUS_CONSISTENT : CF_PLAUS_UNLIKELY;
	}
}

/* The verdict for a distance d (km) at light's reach reach (km). */
static enum cf_plaus_verdict judge_km(double d, double reach)
{
	if (d > reach + CF_PLAUS_SLACK_KM)
		return CF_PLAUS_IMPOSSIBLE;
	if (d > reach * CF_FIBRE_FRACTION + CF_PLAUS_SLACK_KM)
		return CF_PLAUS_UNLIKELY;
	return CF_PLAUS_CONSISTENT;
}

/* How strict a verdict is: unknown < consistent < unlikely < impossible. */
static int strictness(unsigned v)
{
	return v == CF_PLAUS_IMPOSSIBLE ? 3 : v == CF_PLAUS_UNLIKELY ? 2 :
	       v == CF_PLAUS_CONSISTENT ? 1 : 0;
}

void cf_plaus_point(const struct cf_plaus *p, double lat, double lon, double radius_km,
		    struct cf_plaus_result *r)
{
	double d;
	enum cf_plaus_verdict v;
	int self;

	if (p == NULL || !r->has_rtt || !(lat >= -90 && lat <= 90) ||
	    !(lon >= -180 && lon <= 180))
		return;
	if (p->obs.kind == 2) {
		self = cf_shapes_index(p->shapes, p->obs.cc);
		d = self < 0 ? -1 : cf_shapes_point_km(p->shapes, (size_t)self, lat, lon);
	} else {
		d = cf_geo_distance_km(p->obs.lat, p->obs.lon, lat, lon);
	}
	if (d < 0)
		return;
	d -= radius_km > 0 ? radius_km : 0;
	r->has_point = 1;
	r->point_km = d > 0 ? d : 0;
	v = judge_km(r->point_km, r->reach_km);
	if (strictness(v) > strictness(r->verdict)) {
		r->verdict = v;
		r->likely = v == CF_PLAUS_CONSISTENT;
	}
}

const char *cf_plaus_nearest(const struct cf_plaus *p, size_t i, int64_t rtt_us)
{
	if (p == NULL || rtt_us < 0 || i >= p->n ||
	    p->dist[p->order[i]] > reach_km(rtt_us) + CF_PLAUS_SLACK_KM)
		return NULL;
	return cf_shapes_code(p->shapes, p->order[i]);
}

const char *cf_plaus_verdict_name(enum cf_plaus_verdict v)
{
	switch (v) {
	case CF_PLAUS_CONSISTENT: return "consistent";
	case CF_PLAUS_IMPOSSIBLE: return "impossible";
	case CF_PLAUS_UNLIKELY: return "unlikely";
	default: return "unknown";
	}
}

const char *cf_plaus_observer_text(const struct cf_plaus *p)
{
	return p != NULL ? p->text : "";
}
