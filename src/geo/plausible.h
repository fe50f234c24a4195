/*
 * plausible.h - does a database's country fit the speed of light?
 * (docs/geography.md)
 *
 * The observer's place is given (cf_observer_parse): a point LAT,LON or a
 * country code, then the country's whole shape (the bound then takes the
 * nearest point of the observer's country).  For each country of the
 * shapes file the smallest great-circle distance from the observer is
 * computed once, at start-up.  A round trip of rtt takes at least the
 * light's time there and back in vacuum, so the answering end is within
 *
 *     reach = rtt / 2 * CF_LIGHT_KM_PER_MS
 *
 * of the observer.  A country whose nearest point is farther than reach +
 * CF_PLAUS_SLACK_KM is "impossible"; within reach but farther than 2/3 of
 * it (light's speed in glass fibre) + CF_PLAUS_SLACK_KM, "unlikely" (only a
 * path faster than fibre gets there in time); else "consistent" (and
 * "likely").  Countries
 * within reach are "reachable"; when there are at most CF_PLAUS_LIST of
 * them they are listed, nearest first.
 *
 * Read-only after cf_plaus_new: any number of threads may check at once.
 */
#ifndef CF_GEO_PLAUSIBLE_H
#define CF_GEO_PLAUSIBLE_H

#include <stddef.h>
#include <stdint.h>

#define CF_LIGHT_KM_PER_MS 299.792458   /* c in vacuum: km per millisecond */
#define CF_FIBRE_FRACTION  (2.0 / 3.0)  /* "likely": light in glass, about c/1.5 */
#define CF_PLAUS_SLACK_KM  25.0         /* the shapes' generalisation (1:50m) */
#define CF_PLAUS_LIST      8            /* reachable countries listed at most */

struct cf_observer {
	int kind;               /* 0 none, 1 point, 2 country, 3 place name
				   (not yet looked up: cf_observer_resolve) */
	double lat, lon;        /* kind 1 */
	char cc[3];             /* kind 2: ISO 3166-1 alpha-2, upper case */
	char name[64];          /* kind 3, and kind 1 when it was a place */
};

/*
 * Parse "LAT,LON" (decimal degrees, -90..90, -180..180), a country code
 * ("DE") or a place name (letters, spaces, . - ' and ( ); 3 to 63
 * characters: "Frankfurt", "Sao Paulo").  0, or -1 with a message in err.
 */
int cf_observer_parse(const char *s, struct cf_observer *o, char *err, size_t errlen);

/*
 * A place name (kind 3) becomes its point (kind 1, the name kept) from the
 * place table at path (geodb/places.txt: "LAT LON CC NAME[|NAME...]  #
 * source" a line; names compared without regard to case).  Other kinds are
 * left alone.  0, or -1 with a message naming the value (unknown place) or
 * the file (unreadable, or a bad line: "PATH:LINE: ...") in err.
 */
int cf_observer_resolve(struct cf_observer *o, const char *path, char *err, size_t errlen);

enum cf_plaus_verdict {
	CF_PLAUS_UNKNOWN = 0,   /* no RTT, no observer, or no shape for the country */
	CF_PLAUS_CONSISTENT,    /* within fibre's reach */
	CF_PLAUS_IMPOSSIBLE,    /* beyond light's reach in vacuum */
	CF_PLAUS_UNLIKELY,      /* within vacuum's reach, beyond fibre's */
	CF_PLAUS_VERDICTS
};

struct cf_plaus_result {
	uint8_t verdict;        /* enum cf_plaus_verdict */
	uint8_t likely;         /* within the fibre radius (consistent) */
	uint8_t has_rtt;        /* rtt_us is set */
	uint8_t n_reach;        /* countries listed in reach[] */
	uint8_t reach_listed;   /* 1: reach[] is the whole list (<= CF_PLAUS_LIST) */
	uint32_t rtt_us;
	double reach_km;        /* light's reach; 0 without an RTT */
	double dist_km;         /* observer to the claimed country; -1 unknown */
	uint8_t has_point;      /* point_km is set (cf_plaus_point) */
	double point_km;        /* observer to the database's point less its
				   accuracy radius (>= 0) */
	char reach[CF_PLAUS_LIST][3];
};

struct cf_plaus;

/*
 * The check for observer o with the country shapes of shapes_path.  A
 * country observer must be in the file.  NULL with "PATH:LINE: ..." or
 * another message in err.
 */
struct cf_plaus *cf_plaus_new(const struct cf_observer *o, const char *shapes_path,
			      char *err, size_t errlen);
void cf_plaus_free(struct cf_plaus *p);

/*
 * Judge country (alpha-2; NULL or "" unknown) at an RTT of rtt_us
 * microseconds (< 0: none measured).  p may be NULL (no observer): then
 * only the RTT is filled in and the verdict is unknown.
 */
void cf_plaus_check(const struct cf_plaus *p, const char *country, int64_t rtt_us,
		    struct cf_plaus_result *r);

/*
 * After cf_plaus_check: the database's point too (a city database: lat,
 * lon and its accuracy radius in km, 0 when not given).  Its distance from
 * the observer less the radius (point_km) is judged as a country's
 * distance is, and the verdict is the stricter of the two (unknown gives
 * way to the point's).  Nothing without an observer or an RTT.
 */
void cf_plaus_point(const struct cf_plaus *p, double lat, double lon, double radius_km,
		    struct cf_plaus_result *r);

/* Is country reachable (within reach + slack) at rtt_us?  -1: cannot say. */
int cf_plaus_reachable(const struct cf_plaus *p, const char *country, int64_t rtt_us);

/* The i-th nearest country to the observer (0: the nearest) if light
 * reaches it (with the slack) in rtt_us; NULL past the last. */
const char *cf_plaus_nearest(const struct cf_plaus *p, size_t i, int64_t rtt_us);

/* The observer's distance to country (km), -1 unknown. */
double cf_plaus_distance(const struct cf_plaus *p, const char *country);

const char *cf_plaus_verdict_name(enum cf_plaus_verdict v);

/* "50.1100,8.6800" or "DE" (the observer as given). */
const char *cf_plaus_observer_text(const struct cf_plaus *p);

#endif /* CF_GEO_PLAUSIBLE_H */
