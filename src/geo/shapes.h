/*
 * shapes.h - country outlines (geodb/world-countries.txt, made by
 * geodb/fetch-world.sh from Natural Earth) and great-circle distances to
 * them: the geometry of the speed-of-light check (docs/geography.md).
 *
 * Distances are on a sphere of the mean Earth radius (CF_EARTH_RADIUS_KM).
 * A point inside a country (even-odd over each polygon's rings, in
 * longitude/latitude with the longitudes of each ring unwrapped across the
 * antimeridian; a ring that goes round a pole is closed through that pole)
 * is at distance 0; otherwise the distance is the smallest great-circle
 * distance to the edges of the country's rings.  Edges are the file's
 * straight lines in longitude/latitude, cut into pieces of at most half a
 * degree so that great-circle arcs follow them.
 *
 * Everything is read-only after cf_shapes_load: any number of threads may
 * ask at once.
 */
#ifndef CF_GEO_SHAPES_H
#define CF_GEO_SHAPES_H

#include <stddef.h>

#define CF_EARTH_RADIUS_KM 6371.0088     /* IUGG mean radius R1 */

/* Caps on what cf_shapes_load accepts (a bad file fails, never grows). */
#define CF_SHAPES_MAX_COUNTRIES 1024
#define CF_SHAPES_MAX_POINTS    (4u << 20)   /* after cutting long edges */
#define CF_SHAPES_MAX_LINE      (16u << 20)  /* bytes in one line */
#define CF_SHAPES_FILE          "world-countries.txt"

struct cf_shapes;

/*
 * Load path (format: geodb/README).  On error returns NULL with
 * "PATH:LINE: problem" (or "PATH: problem") in err.
 */
struct cf_shapes *cf_shapes_load(const char *path, char *err, size_t errlen);
void cf_shapes_free(struct cf_shapes *s);

size_t cf_shapes_count(const struct cf_shapes *s);
/* Index of the country with alpha-2 code cc (any case), or -1. */
int cf_shapes_index(const struct cf_shapes *s, const char *cc);
const char *cf_shapes_code(const struct cf_shapes *s, size_t i);
const char *cf_shapes_name(const struct cf_shapes *s, size_t i);

/* Great-circle distance (haversine) between two points, degrees in. */
double cf_geo_distance_km(double lat1, double lon1, double lat2, double lon2);

/* Is (lat, lon) inside country i?  1 yes, 0 no. */
int cf_shapes_contains(const struct cf_shapes *s, size_t i, double lat, double lon);

/* Distance from (lat, lon) to country i: 0 inside, else to its border. */
double cf_shapes_point_km(const struct cf_shapes *s, size_t i, double lat, double lon);

/* Smallest distance between a point of country a and one of country b. */
double cf_shapes_between_km(const struct cf_shapes *s, size_t a, size_t b);

#endif /* CF_GEO_SHAPES_H */
