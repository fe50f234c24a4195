/*
 * test-shapes.c - src/geo/shapes.c: loading world-countries.txt (limits and
 * errors naming file:line), point-in-country and great-circle distances on
 * hand-made shapes (a square with a hole and an island, a country across
 * the antimeridian, a cap round the south pole), and, when the shapes
 * fetch-world.sh installs are in $CALLFENCE_DATADIR/geodb, on the real
 * ones (Fiji and Russia across the antimeridian, Antarctica, enclaves).
 *
 * Every expected distance was computed outside the code under test, with
 * Python's math module, R = 6371.0088 km:
 *   one degree of a great circle       R * radians(1)           = 111.19508 km
 *   (lat 5, lon 15) to meridian 10     R * asin(cos5 * sin5)    = 553.85439 km
 *   (lat 5, lon 5)  to meridian 4      R * asin(cos5 * sin1)    = 110.77191 km
 *   (lat 0.5, lon 17) to meridian 20   R * asin(cos0.5 * sin3)  = 333.57253 km
 *   (12, 12) to (10, 10), haversine                             = 311.62246 km
 *   (0, 0) to the corner (1, 179)      R * acos(cos1 * cos179)  = 19857.86484 km
 *   10 degrees of a meridian           R * radians(10)          = 1111.95080 km
 *   FRA (50.0379, 8.5622) to PEK (40.0799, 116.6031), haversine = 7788.54648 km
 * (the foot of the perpendicular from each point lies inside the edge,
 * e.g. from (5, 15) on meridian 10 at lat atan(tan5 / cos5) = 5.02).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/plausible.h"
#include "geo/shapes.h"
#include "harness.h"

/* got in [want - below, want + 0.001]: a vertex bound from above */
#define CHECK_BELOW(got, want, below) CHECK_NEAR(got, (want) - (below) / 2 + 0.0005, \
						 (below) / 2 + 0.0005)

#define CHECK_NEAR(got, want, tol) do { double g_ = (got), w_ = (want); \
	harness_checks++; if (!(fabs(g_ - w_) <= (tol))) { harness_failed++; \
	fprintf(stderr, "%s:%d: %s = %.5f, want %.5f +- %g\n", __FILE__, __LINE__, \
		#got, g_, w_, (double)(tol)); } } while (0)

static char tmpdir[] = "/tmp/cf-shapes.XXXXXX";
static char path[300];

static struct cf_shapes *load_text(const char *text, char *err, size_t errlen)
{
	FILE *fp;

	snprintf(path, sizeof(path), "%s/w.txt", tmpdir);
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp == NULL)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	err[0] = '\0';
	return cf_shapes_load(path, err, errlen);
}

static const char hand[] =
	"# hand-made shapes\n"
	"C SQ 001 Square with a hole and an island\n"
	"P\n"
	"R 0,0 10,0 10,10 0,10 0,0\n"
	"R 4,4 6,4 6,6 4,6 4,4\n"
	"P\n"
	"R 20,0 21,0 21,1 20,1 20,0\n"
	"C AM 002 Across the antimeridian\n"
	"P\n"
	"R 179,-1 -179,-1 -179,1 179,1 179,-1\n"
	"C PO 003 South polar cap\n"
	"P\n"
	"R -180,-80 90,-80 0,-80 -90,-80 -180,-80\n"
	"C EQ 004 On the equator, as the square\n"
	"P\n"
	"R 30,0 40,0 40,10 30,10 30,0\n";

static void test_haversine(void)
{
	CHECK_NEAR(cf_geo_distance_km(50.0379, 8.5622, 40.0799, 116.6031), 7788.54648, 0.001);
	CHECK_NEAR(cf_geo_distance_km(0, 0, 0, 1), 111.19508, 0.0001);
	CHECK_NEAR(cf_geo_distance_km(0, 179.5, 0, -179.5), 111.19508, 0.0001);
	CHECK_NEAR(cf_geo_distance_km(90, 0, -90, 0), 20015.11, 0.01);
	CHECK_NEAR(cf_geo_distance_km(10, 10, 10, 10), 0, 0);
}

static void test_hand(void)
{
	char err[256];
	struct cf_shapes *s = load_text(hand, err, sizeof(err));
	int sq, am, po;

	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(cf_shapes_count(s), 4);
	sq = cf_shapes_index(s, "SQ");
	am = cf_shapes_index(s, "am");
	po = cf_shapes_index(s, "PO");
	CHECK_INT(sq, 0);
	CHECK_INT(am, 1);
	CHECK_INT(po, 2);
	CHECK_INT(cf_shapes_index(s, "XX"), -1);
	CHECK_INT(cf_shapes_index(s, "SQX"), -1);
	CHECK_STR(cf_shapes_code(s, 1), "AM");
	CHECK_STR(cf_shapes_name(s, 0), "Square with a hole and an island");

	/* the square: inside, in the hole, outside, the island */
	CHECK_INT(cf_shapes_contains(s, sq, 2, 2), 1);
	CHECK_NEAR(cf_shapes_point_km(s, sq, 2, 2), 0, 0);
	CHECK_INT(cf_shapes_contains(s, sq, 5, 5), 0);
	CHECK_NEAR(cf_shapes_point_km(s, sq, 5, 5), 110.77191, 0.001);
	CHECK_NEAR(cf_shapes_point_km(s, sq, 5, 15), 553.85439, 0.001);
	CHECK_NEAR(cf_shapes_point_km(s, sq, 12, 12), 311.62246, 0.001);
	CHECK_INT(cf_shapes_contains(s, sq, 0.5, 20.5), 1);
	CHECK_NEAR(cf_shapes_point_km(s, sq, 0.5, 20.5), 0, 0);
	CHECK_NEAR(cf_shapes_point_km(s, sq, 0.5, 17), 333.57253, 0.001);
	CHECK_INT(cf_shapes_contains(s, sq, -0.5, 5), 0);

	/* across the antimeridian: both sides inside, the rest outside */
	CHECK_INT(cf_shapes_contains(s, am, 0, 180), 1);
	CHECK_INT(cf_shapes_contains(s, am, 0, -180), 1);
	CHECK_INT(cf_shapes_contains(s, am, 0.5, -179.5), 1);
	CHECK_INT(cf_shapes_contains(s, am, -0.5, 179.5), 1);
	CHECK_INT(cf_shapes_contains(s, am, 0, 0), 0);
	CHECK_INT(cf_shapes_contains(s, am, 0, -178.5), 0);
	CHECK_NEAR(cf_shapes_point_km(s, am, 0, 178), 111.19508, 0.001);
	CHECK_NEAR(cf_shapes_point_km(s, am, 0, -178), 111.19508, 0.001);
	CHECK_NEAR(cf_shapes_point_km(s, am, 0, 0), 19857.86484, 0.001);

	/* the polar cap: the pole inside, 10 degrees north of its edge */
	CHECK_INT(cf_shapes_contains(s, po, -90, 0), 1);
	CHECK_INT(cf_shapes_contains(s, po, -85, 33), 1);
	CHECK_INT(cf_shapes_contains(s, po, -85, -150), 1);
	CHECK_INT(cf_shapes_contains(s, po, -70, 0), 0);
	CHECK_INT(cf_shapes_contains(s, po, 85, 0), 0);
	CHECK_NEAR(cf_shapes_point_km(s, po, -70, 0), 1111.95080, 0.001);

	/* country to country: the cap reaches lat -80, the square lat 0 */
	CHECK_NEAR(cf_shapes_between_km(s, sq, po), 80 * 111.19508, 0.01);
	CHECK_NEAR(cf_shapes_between_km(s, sq, sq), 0, 0);
	CHECK_NEAR(cf_shapes_between_km(s, am, sq), cf_shapes_between_km(s, sq, am), 1e-9);
	/* edges on one great circle (the equator) do not cross: the nearest
	   points are the island's corner (1, 21) and meridian 30, R *
	   asin(cos1 * sin9) = 1000.60204 km (not 0, nor the 9 degrees of
	   the equator: meridians converge) */
	CHECK_NEAR(cf_shapes_between_km(s, sq, cf_shapes_index(s, "EQ")),
		   1000.60204, 0.001);
	/* square's island corner (1, 21) to AM's corner (1, 179): 158 degrees */
	CHECK(cf_shapes_between_km(s, sq, am) <= 158 * 111.19508 + 0.01);
	CHECK(cf_shapes_between_km(s, sq, am) > 157 * 111.19508);
	cf_shapes_free(s);
}

/* load_bad TEXT PATTERN: refused, message "PATH:LINE: ..." with PATTERN */
static void load_bad(const char *text, const char *want)
{
	char err[256];
	struct cf_shapes *s = load_text(text, err, sizeof(err));

	CHECK(s == NULL);
	cf_shapes_free(s);
	harness_checks++;
	if (strncmp(err, path, strlen(path)) != 0 || strstr(err, want) == NULL) {
		harness_failed++;
		fprintf(stderr, "load error \"%s\", want \"%s: ...%s\"\n", err, path, want);
	}
}

static void test_errors(void)
{
	char err[256];

	load_bad("C XX 001 X\nP\nR 0,0 1,0 1,1\n", ":3: a ring needs at least 4 points, has 3");
	load_bad("C XX 001 X\nP\nR 0,0 1,0 1,1 0,1\n", ":3: ring not closed");
	load_bad("C XX 001 X\nP\nR 0,0 1,0 1,x 0,0\n", ":3: bad point \"1,x 0,0\"");
	load_bad("C XX 001 X\nP\nR 0,0 1,0 1,91 0,0\n", ":3: point 1,91 outside");
	load_bad("C XX 001 X\nR 0,0 1,0 1,1 0,0\n", ":2: ring before any polygon");
	load_bad("P\n", ":1: polygon before any country");
	load_bad("# x\nC xx 001 X\n", ":2: bad country line");
	load_bad("C XX 1 X\n", ":1: bad country line");
	load_bad("C XX 001 X\nP\nR 0,0 1,0 1,1 0,0\nC XX 002 Y\n", ":4: country XX given twice");
	load_bad("C XX 001 X\nQ\n", ":2: unknown line \"Q\"");
	load_bad("# nothing\n", ": no country in it");
	load_bad("C XX 001 X\n", ": country XX has no polygon");
	load_bad("C XX 001 X\nP\nP\nR 0,0 1,0 1,1 0,0\n", ": country XX: polygon without rings");
	CHECK(cf_shapes_load("/nonexistent/w.txt", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent/w.txt: cannot open: No such file") == err);
}

/* The shapes fetch-world.sh installs, when they are there. */
static void test_world(void)
{
	const char *dd = getenv("CALLFENCE_DATADIR");
	char p[512], err[512];
	struct cf_shapes *s;
	int de, fr, cn, fj, ru, aq, us, ls, za, tw;

	snprintf(p, sizeof(p), "%s/geodb/%s", dd ? dd : ".", CF_SHAPES_FILE);
	if (access(p, R_OK) != 0) {
		fprintf(stderr, "skip test_world: no %s (geodb/fetch-world.sh)\n", p);
		return;
	}
	s = cf_shapes_load(p, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK(cf_shapes_count(s) >= 200);
	de = cf_shapes_index(s, "DE"); fr = cf_shapes_index(s, "FR");
	cn = cf_shapes_index(s, "CN"); fj = cf_shapes_index(s, "FJ");
	ru = cf_shapes_index(s, "RU"); aq = cf_shapes_index(s, "AQ");
	us = cf_shapes_index(s, "US"); ls = cf_shapes_index(s, "LS");
	za = cf_shapes_index(s, "ZA"); tw = cf_shapes_index(s, "TW");
	CHECK(de >= 0 && fr >= 0 && cn >= 0 && fj >= 0 && ru >= 0 && aq >= 0 &&
	      us >= 0 && ls >= 0 && za >= 0 && tw >= 0);
	/* Frankfurt, Beijing, Taipei, Honolulu in their countries */
	CHECK_INT(cf_shapes_contains(s, de, 50.11, 8.68), 1);
	CHECK_INT(cf_shapes_contains(s, fr, 50.11, 8.68), 0);
	CHECK_INT(cf_shapes_contains(s, cn, 39.90, 116.40), 1);
	CHECK_INT(cf_shapes_contains(s, tw, 25.03, 121.56), 1);
	CHECK_INT(cf_shapes_contains(s, cn, 25.03, 121.56), 0);
	CHECK_INT(cf_shapes_contains(s, us, 21.31, -157.86), 1);
	/* Fiji: Viti Levu (lon 178) and Taveuni's east across lon 180 */
	CHECK_INT(cf_shapes_contains(s, fj, -17.8, 178.0), 1);
	CHECK_INT(cf_shapes_contains(s, fj, 0, 178.0), 0);
	/* Russia's Chukotka, east of lon 180, and west of it */
	CHECK_INT(cf_shapes_contains(s, ru, 65, -175), 1);
	CHECK_INT(cf_shapes_contains(s, ru, 65, 179.5), 1);
	CHECK_INT(cf_shapes_contains(s, ru, 65, -160), 0);   /* Alaska */
	CHECK_INT(cf_shapes_contains(s, us, 65, -160), 1);
	/* Antarctica: inland at every longitude, not the Southern Ocean */
	CHECK_INT(cf_shapes_contains(s, aq, -85, 45), 1);
	CHECK_INT(cf_shapes_contains(s, aq, -85, -135), 1);
	CHECK_INT(cf_shapes_contains(s, aq, -75, 0), 1);
	CHECK_INT(cf_shapes_contains(s, aq, -60, 0), 0);
	CHECK(cf_shapes_point_km(s, aq, -90, 0) < 0.2);   /* ring at -89.999 */
	/* Lesotho, an enclave: Maseru in LS, not ZA, and ZA close */
	CHECK_INT(cf_shapes_contains(s, ls, -29.31, 27.48), 1);
	CHECK_INT(cf_shapes_contains(s, za, -29.31, 27.48), 0);
	CHECK(cf_shapes_point_km(s, za, -29.31, 27.48) < 10);
	CHECK_NEAR(cf_shapes_between_km(s, ls, za), 0, 0);
	CHECK_NEAR(cf_shapes_between_km(s, de, fr), 0, 0);
	/*
	 * References from a brute force in Python over the file's vertices
	 * (haversine between every pair; the nearest vertex is at least as far
	 * as the nearest edge point, and edges are short, so the true distance
	 * lies a little below):  Frankfurt (50.11, 8.68) to CN's vertex
	 * (40.0433, 73.9933) 5079.1275 km; DE's (51.2527, 15.0176) to that
	 * same CN vertex 4616.7989 km; TW's (24.5338, 121.827) to JP's
	 * (24.3186, 123.681) 189.2212 km.
	 */
	CHECK_BELOW(cf_shapes_point_km(s, cn, 50.11, 8.68), 5079.1275, 5);
	CHECK_BELOW(cf_shapes_between_km(s, de, cn), 4616.7989, 5);
	CHECK_BELOW(cf_shapes_between_km(s, tw, cf_shapes_index(s, "JP")), 189.2212, 5);
	cf_shapes_free(s);
}

/*
 * The verdicts of the speed-of-light check (plausible.c).  The observer is
 * the point lat 0, lon 10 (a corner of LU, lon 0..10, lat 0..10); BE (lon
 * 20..30) is 10 degrees along the equator from it: 1111.95080 km.  With c = 299.792458 km/ms,
 * reach = rtt / 2 * c, the fibre radius 2/3 of it, 25 km of slack:
 *   impossible  when 1111.95 > reach + 25        rtt < 7.2514 ms
 *   unlikely    when 1111.95 > reach * 2/3 + 25  rtt < 10.8771 ms
 *   consistent  from 10.8771 ms
 * e.g. 7.3 ms: reach 1094.24 km (+25 = 1119.24: reached), fibre 729.49 km
 * (+25: not); 10.8 ms: fibre 1079.25 + 25 = 1104.25 < 1111.95; 10.9 ms:
 * fibre 1089.25 + 25 = 1114.25 >= 1111.95.
 */
static void test_plaus(void)
{
	static const struct {
		int64_t rtt_us;
		enum cf_plaus_verdict want;
		int likely;
	} cases[] = {
		{ 7000, CF_PLAUS_IMPOSSIBLE, 0 },
		{ 7250, CF_PLAUS_IMPOSSIBLE, 0 },
		{ 7300, CF_PLAUS_UNLIKELY, 0 },
		{ 10800, CF_PLAUS_UNLIKELY, 0 },
		{ 10900, CF_PLAUS_CONSISTENT, 1 },
		{ 40000, CF_PLAUS_CONSISTENT, 1 },
	};
	char err[256];
	struct cf_shapes *s = load_text("C LU 001 A\nP\nR 0,0 10,0 10,10 0,10 0,0\n"
					"C BE 002 B\nP\nR 20,0 30,0 30,10 20,10 20,0\n",
					err, sizeof(err));
	struct cf_observer obs;
	struct cf_plaus *pl;
	struct cf_plaus_result r;
	size_t i;

	cf_shapes_free(s);
	CHECK(cf_observer_parse("0,10", &obs, err, sizeof(err)) == 0);
	pl = cf_plaus_new(&obs, path, err, sizeof(err));
	CHECK(pl != NULL);
	if (pl == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_NEAR(cf_plaus_distance(pl, "BE"), 1111.95080, 0.001);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cf_plaus_check(pl, "BE", cases[i].rtt_us, &r);
		if (r.verdict != cases[i].want)
			fprintf(stderr, "  rtt %lld us\n", (long long)cases[i].rtt_us);
		CHECK_INT(r.verdict, cases[i].want);
		CHECK_INT(r.likely, cases[i].likely);
		CHECK_NEAR(r.reach_km, (double)cases[i].rtt_us / 2000.0 * 299.792458, 1e-6);
	}
	CHECK_STR(cf_plaus_verdict_name(CF_PLAUS_UNLIKELY), "unlikely");
	/* a city database's point (cf_plaus_point), judged as a country is,
	   less its accuracy radius; the stricter verdict counts.  The point
	   lat 0, lon 20 is 1111.95 km from the observer: at 7 ms (reach
	   1049.27 km, fibre 699.51 km) it is impossible; 100 km of radius
	   make it 1011.95 km (<= 1074.27: reached; > 724.51: unlikely);
	   2000 km, 0 km: consistent */
	cf_plaus_check(pl, "LU", 7000, &r);
	CHECK_INT(r.verdict, CF_PLAUS_CONSISTENT);
	cf_plaus_point(pl, 0, 20, 0, &r);
	CHECK_INT(r.has_point, 1);
	CHECK_NEAR(r.point_km, 1111.95080, 0.001);
	CHECK_INT(r.verdict, CF_PLAUS_IMPOSSIBLE);
	CHECK_INT(r.likely, 0);
	cf_plaus_check(pl, "LU", 7000, &r);
	cf_plaus_point(pl, 0, 20, 100, &r);
	CHECK_NEAR(r.point_km, 1011.95080, 0.001);
	CHECK_INT(r.verdict, CF_PLAUS_UNLIKELY);
	cf_plaus_check(pl, "LU", 7000, &r);
	cf_plaus_point(pl, 0, 20, 2000, &r);
	CHECK_NEAR(r.point_km, 0, 0);
	CHECK_INT(r.verdict, CF_PLAUS_CONSISTENT);
	/* the country's verdict stands when the point's is milder */
	cf_plaus_check(pl, "BE", 7000, &r);
	cf_plaus_point(pl, 0, 10.5, 0, &r);
	CHECK_NEAR(r.point_km, 55.59754, 0.001);        /* R * radians(0.5) */
	CHECK_INT(r.verdict, CF_PLAUS_IMPOSSIBLE);
	/* no country: the point decides; no RTT: nothing */
	cf_plaus_check(pl, NULL, 40000, &r);
	CHECK_INT(r.verdict, CF_PLAUS_UNKNOWN);
	cf_plaus_point(pl, 0, 20, 0, &r);
	CHECK_INT(r.verdict, CF_PLAUS_CONSISTENT);
	cf_plaus_check(pl, "LU", -1, &r);
	cf_plaus_point(pl, 0, 20, 0, &r);
	CHECK_INT(r.has_point, 0);
	/* the observer's own country: consistent at any RTT */
	CHECK_NEAR(cf_plaus_distance(pl, "LU"), 0, 0);
	cf_plaus_check(pl, "LU", 0, &r);
	CHECK_INT(r.verdict, CF_PLAUS_CONSISTENT);
	cf_plaus_free(pl);
}

/*
 * Place names (cf_observer_parse, cf_observer_resolve): a hand-made table,
 * then the shipped geodb/places.txt, each of whose places must lie in the
 * country it names (within the shapes' 25 km slack: a coastal city's
 * centre may be on a simplified coast), when the real shapes are there.
 */
static void test_places(void)
{
	const char *dd = getenv("CALLFENCE_DATADIR");
	char table[320], p[512], err[512], line[512], cc[3], *hash;
	struct cf_observer o;
	struct cf_shapes *s;
	double lat, lon, km;
	int places = 0, i;
	FILE *fp;

	snprintf(table, sizeof(table), "%s/p.txt", tmpdir);
	fp = fopen(table, "w");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	fputs("# a comment\n\n"
	      "  50.1155    8.6842 DE Frankfurt am Main|Frankfurt  # GeoNames\n"
	      " -23.5475  -46.6361 BR Sao Paulo  # GeoNames\n", fp);
	fclose(fp);
	CHECK(cf_observer_parse("FRANKFURT", &o, err, sizeof(err)) == 0);
	CHECK_INT(o.kind, 3);
	CHECK(cf_observer_resolve(&o, table, err, sizeof(err)) == 0);
	CHECK_INT(o.kind, 1);
	CHECK_NEAR(o.lat, 50.1155, 1e-9);
	CHECK_NEAR(o.lon, 8.6842, 1e-9);
	CHECK_STR(o.name, "FRANKFURT");
	CHECK(cf_observer_parse("sao paulo", &o, err, sizeof(err)) == 0);
	CHECK(cf_observer_resolve(&o, table, err, sizeof(err)) == 0);
	CHECK_NEAR(o.lat, -23.5475, 1e-9);
	/* a name that is not there: the message names it and the table */
	CHECK(cf_observer_parse("Atlantis", &o, err, sizeof(err)) == 0);
	CHECK(cf_observer_resolve(&o, table, err, sizeof(err)) == -1);
	snprintf(p, sizeof(p), "observer location 'Atlantis': no such place in %s (give "
		 "LAT,LON, a country code, or a name listed there)", table);
	CHECK_STR(err, p);
	/* a point or a country is left alone; no table needed */
	CHECK(cf_observer_parse("DE", &o, err, sizeof(err)) == 0);
	CHECK(cf_observer_resolve(&o, "/nonexistent", err, sizeof(err)) == 0);
	CHECK_INT(o.kind, 2);
	/* what is neither a number pair, a code nor a name */
	CHECK(cf_observer_parse("50.11;8.68", &o, err, sizeof(err)) == -1);
	CHECK(cf_observer_parse("x", &o, err, sizeof(err)) == -1);
	CHECK(cf_observer_parse("91,0", &o, err, sizeof(err)) == -1);
	/* a bad line names file and line */
	fp = fopen(table, "w");
	if (fp != NULL) {
		fputs("# ok\n50.1 8.6 DE Frankfurt\n95 8 DE Nowhere\n", fp);
		fclose(fp);
	}
	CHECK(cf_observer_parse("Nowhere", &o, err, sizeof(err)) == 0);
	CHECK(cf_observer_resolve(&o, table, err, sizeof(err)) == -1);
	snprintf(p, sizeof(p), "%s:3: want LAT LON CC NAME[|NAME...]", table);
	CHECK_STR(err, p);
	unlink(table);

	/* the shipped table against the real shapes */
	snprintf(p, sizeof(p), "%s/geodb/%s", dd ? dd : ".", CF_SHAPES_FILE);
	snprintf(table, sizeof(table), "%s/geodb/places.txt", dd ? dd : ".");
	if (access(p, R_OK) != 0 || (fp = fopen(table, "r")) == NULL) {
		fprintf(stderr, "skip test_places' world part: no %s or %s\n", p, table);
		return;
	}
	s = cf_shapes_load(p, err, sizeof(err));
	CHECK(s != NULL);
	while (s != NULL && fgets(line, sizeof(line), fp) != NULL) {
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if (sscanf(line, "%lf %lf %2s", &lat, &lon, cc) != 3)
			continue;
		places++;
		i = cf_shapes_index(s, cc);
		km = i < 0 ? -1 : cf_shapes_point_km(s, (size_t)i, lat, lon);
		if (i < 0 || km > 25.0)
			fprintf(stderr, "  %s", line);
		CHECK(i >= 0 && km <= 25.0);
	}
	fclose(fp);
	CHECK(places >= 100);
	cf_shapes_free(s);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	RUN(test_haversine);
	RUN(test_hand);
	RUN(test_errors);
	RUN(test_world);
	RUN(test_plaus);
	RUN(test_places);
	unlink(path);
	rmdir(tmpdir);
	return harness_done();
}
