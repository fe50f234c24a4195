/*
 * main-geo.c - the speed-of-light check's set-up (--observer-location,
 * --world-shapes) and its lines in --lookup (--rtt).  docs/geography.md.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/geo.h"
#include "geo/plausible.h"
#include "main-opts.h"

#ifndef CF_PKGDATADIR
#define CF_PKGDATADIR "/usr/local/share/callfence"
#endif

#define EXIT_USAGE 2

static struct cf_plaus *plaus;
static int plaus_made;

long long cf_main_parse_rtt(const char *s)
{
	long long ms = 0, frac = 0;
	int digits = 0, fd = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if ((ms = ms * 10 + (*s - '0')) > 100000)
			return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, fd++)
			if (fd < 3)
				frac = frac * 10 + (*s - '0');
		if (fd == 0 || fd > 3)
			return -1;
		while (fd++ < 3)
			frac *= 10;
	}
	if (digits == 0 || *s != '\0')
		return -1;
	return ms * 1000 + frac;
}

/* The shapes file: --world-shapes, else the first readable of the data
 * directories' geodb/world-countries.txt (path left in buf). */
static const char *shapes_path(const struct cf_opts *o, char *buf, size_t len)
{
	const char *env = getenv("CALLFENCE_DATADIR");

	if (o->world_shapes != NULL)
		return o->world_shapes;
	if (env != NULL && env[0] != '\0') {
		snprintf(buf, len, "%s/geodb/world-countries.txt", env);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	snprintf(buf, len, "%s/geodb/world-countries.txt", CF_PKGDATADIR);
	return buf;
}

/* The place table (--observer-location NAME): the first readable of the
 * data directories' geodb/places.txt (path left in buf). */
static const char *places_path(char *buf, size_t len)
{
	const char *env = getenv("CALLFENCE_DATADIR");

	if (env != NULL && env[0] != '\0') {
		snprintf(buf, len, "%s/geodb/places.txt", env);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	snprintf(buf, len, "%s/geodb/places.txt", CF_PKGDATADIR);
	return buf;
}

const struct cf_plaus *cf_main_plaus(const struct cf_opts *o)
{
	struct cf_observer obs;
	char path[PATH_MAX], err[1024];
	const char *file;

	if (plaus_made)
		return plaus;
	plaus_made = 1;
	if (o->observer_location == NULL)
		return NULL;
	if (cf_observer_parse(o->observer_location, &obs, err, sizeof(err)) < 0 ||
	    cf_observer_resolve(&obs, places_path(path, sizeof(path)), err, sizeof(err)) < 0) {
		fprintf(stderr, "callfence: %s\n", err);
		exit(EXIT_USAGE);
	}
	file = shapes_path(o, path, sizeof(path));
	plaus = cf_plaus_new(&obs, file, err, sizeof(err));
	if (plaus == NULL) {
		fprintf(stderr, "callfence: %s%s\n", err,
			o->world_shapes == NULL ? " (run geodb/fetch-world.sh, or give "
			"--world-shapes FILE)" : "");
		exit(EXIT_USAGE);
	}
	if (o->verbose)
		fprintf(stderr, "callfence: observer at %s, country shapes %s\n",
			cf_plaus_observer_text(plaus), file);
	return plaus;
}

void cf_main_lookup_rtt(const struct cf_opts *o, const struct cf_geo_result *g)
{
	const struct cf_plaus *p;
	struct cf_plaus_result r;
	const char *cc = g->country[0] ? g->country : g->registered[0] ? g->registered : NULL;
	unsigned i;

	if (o->lookup_rtt_us < 0)
		return;
	p = cf_main_plaus(o);
	cf_plaus_check(p, cc, o->lookup_rtt_us, &r);
	if (g->has_point)
		cf_plaus_point(p, g->lat, g->lon, g->radius_km, &r);
	printf("rtt          %.3f ms: light goes %.0f km and back (fibre: %.0f km)\n",
	       (double)r.rtt_us / 1000.0, r.reach_km, r.reach_km * CF_FIBRE_FRACTION);
	if (p == NULL) {
		printf("plausibility unknown (no --observer-location)\n");
		return;
	}
	printf("observer     %s\n", cf_plaus_observer_text(p));
	if (r.has_point)
		printf("location     %.4f,%.4f within %u km: %.0f km away at its nearest\n",
		       (double)g->lat, (double)g->lon, (unsigned)g->radius_km, r.point_km);
	if (r.dist_km < 0 && !r.has_point)
		printf("plausibility unknown (%s)\n", cc == NULL ? "no country" :
		       "no shape for that country");
	else if (r.dist_km < 0)
		printf("plausibility %s (by the location)\n",
		       cf_plaus_verdict_name((enum cf_plaus_verdict)r.verdict));
	else
		printf("plausibility %s (%s is %.0f km away at its nearest%s)\n",
		       cf_plaus_verdict_name((enum cf_plaus_verdict)r.verdict), cc, r.dist_km,
		       r.verdict == CF_PLAUS_UNLIKELY ? "; beyond fibre's reach" :
		       r.likely ? "; likely" : "");
	printf("reachable    ");
	if (!r.reach_listed)
		printf("more than %d countries\n", CF_PLAUS_LIST);
	else if (r.n_reach == 0)
		printf("none\n");
	else
		for (i = 0; i < r.n_reach; i++)
			printf("%s%s", r.reach[i], i + 1 < r.n_reach ? ", " : "\n");
}
