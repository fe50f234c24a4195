/*
 * test-util.c - the bottom stage's vocabulary: roles (names, parse, rank
 * order), FNV-1a against its published vectors, host globs (one table of
 * pattern, name and answer for the catalog's and the rules' use), the
 * name table and the intern table behind a class's strings; absolute
 * paths and the -u user's files (path.h).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util/ahead.h"
#include "util/class.h"
#include "util/glob.h"
#include "util/hash.h"
#include "util/heap.h"
#include "util/prefault.h"
#include "util/path.h"
#include "util/role.h"

/* --- roles --------------------------------------------------------------- */

static void test_role_names(void)
{
	static const struct {
		unsigned bit;
		const char *name;
	} t[] = {
		{ CF_ROLE_KEYX, "key-exchange" }, { CF_ROLE_MEDIA, "media" },
		{ CF_ROLE_SIGNALING, "signaling" }, { CF_ROLE_RELAY, "relay" },
		{ CF_ROLE_WEB, "web" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_STR(cf_role_name(t[i].bit), t[i].name);
		CHECK_INT(cf_role_parse(t[i].name), t[i].bit);
	}
	CHECK_STR(cf_role_name(0), "unknown");
	CHECK_STR(cf_role_name(CF_ROLE_KEYX | CF_ROLE_MEDIA), "unknown");
	CHECK_STR(cf_role_name(0x20), "unknown");
	CHECK_INT(cf_role_parse("Media"), 0);
	CHECK_INT(cf_role_parse("key_exchange"), 0);
	CHECK_INT(cf_role_parse(""), 0);
	CHECK_INT(cf_role_parse(NULL), 0);
	CHECK_INT(CF_ROLE_ALL, CF_ROLE_CALL | CF_ROLE_WEB);
}

static void test_role_rank(void)
{
	static const unsigned order[CF_ROLE_RANKS] = {
		CF_ROLE_KEYX, CF_ROLE_MEDIA, CF_ROLE_RELAY, CF_ROLE_SIGNALING,
		CF_ROLE_WEB,
	};
	unsigned all = 0;
	int i;

	for (i = 0; i < CF_ROLE_RANKS; i++) {
		CHECK_INT(cf_role_at_rank(i), order[i]);
		all |= cf_role_at_rank(i);
	}
	CHECK_INT(all, CF_ROLE_ALL);
	CHECK_INT(cf_role_at_rank(-1), 0);
	CHECK_INT(cf_role_at_rank(CF_ROLE_RANKS), 0);
	CHECK_INT(cf_role_top(0), 0);
	CHECK_INT(cf_role_top(CF_ROLE_ALL), CF_ROLE_KEYX);
	CHECK_INT(cf_role_top(CF_ROLE_WEB | CF_ROLE_MEDIA), CF_ROLE_MEDIA);
	CHECK_INT(cf_role_top(CF_ROLE_SIGNALING | CF_ROLE_RELAY), CF_ROLE_RELAY);
	CHECK_INT(cf_role_top(CF_ROLE_WEB | CF_ROLE_SIGNALING), CF_ROLE_SIGNALING);
	CHECK_INT(cf_role_top(CF_ROLE_WEB), CF_ROLE_WEB);
	CHECK_INT(cf_role_top(0x20), 0);
}

/* --- FNV-1a -------------------------------------------------------------- */

static uint64_t fnv64(const char *s)
{
	uint64_t h = CF_FNV64_BASIS;

	while (*s)
		h = cf_fnv64_step(h, (uint8_t)*s++);
	return h;
}

static void test_fnv(void)
{
	static const struct {
		const char *s;
		uint32_t h32;
		uint64_t h64;
	} t[] = {
		{ "", 0x811c9dc5u, 0xcbf29ce484222325ull },
		{ "a", 0xe40c292cu, 0xaf63dc4c8601ec8cull },
		{ "foobar", 0xbf9cf968u, 0x85944171f73967e8ull },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(cf_fnv32_str(t[i].s) == t[i].h32);
		CHECK(cf_fnv32_bytes(CF_FNV32_BASIS, t[i].s, strlen(t[i].s)) ==
		      t[i].h32);
		CHECK(fnv64(t[i].s) == t[i].h64);
	}
	/* bytes from a seed continue a hash: "foo" then "bar" is "foobar" */
	CHECK(cf_fnv32_bytes(cf_fnv32_str("foo"), "bar", 3) == 0xbf9cf968u);
}

/* --- host globs ---------------------------------------------------------- */

static const struct {
	const char *pat, *name;
	int want;
} globs[] = {
	/* the catalog's patterns: letters, digits, . - _ * ? */
	{ "*.zoom.us", "zoomsjccv154mmr.sjc.zoom.us", 1 },
	{ "*.zoom.us", "a.Zoom.US", 1 },
	{ "*.ZOOM.us", "a.zoom.us", 1 },
	{ "*.zoom.us", "zoom.us", 0 },
	{ "*.zoom.us", "zoom.us.evil.com", 0 },
	{ "*.zoom.us", "xzoom.us", 0 },
	{ "*.zoom.us", "a.zoom.us.", 0 },       /* the trailing dot: callers' */
	{ "zoom.us", "zoom.us", 1 },
	{ "zoom.us", "ZOOM.US", 1 },
	{ "zoom.us", "zoom.usa", 0 },
	{ "*zoom*", "xzoomx", 1 },
	{ "*zoom*", "zoom", 1 },
	{ "a*b?d", "aXXbcd", 1 },
	{ "a*b?d", "aXXbd", 0 },
	{ "a?c", "abc", 1 },
	{ "a?c", "ac", 0 },
	{ "?", "", 0 },
	{ "*", "", 1 },
	{ "**", "x.y", 1 },
	{ "", "", 1 },
	{ "", "a", 0 },
	{ "a", "ab", 0 },
	{ "ab", "a", 0 },
	{ "*a*b*c", "xxaxxbxxbc", 1 },
	{ "*a*b*c", "xxaxxbxxb", 0 },
	{ "teams-*.*.microsoft.com", "teams-x.eu.microsoft.com", 1 },
	{ "teams-*.*.microsoft.com", "teams-x.microsoft.com", 0 },
	{ "a_b-c.d", "A_B-C.D", 1 },
	/* the rest of the dialect, used by the rules */
	{ "[a-c]x", "Bx", 1 },
	{ "[!a-c]x", "bx", 0 },
	{ "[!a-c]x", "dx", 1 },
	{ "[^a-c]x", "dx", 1 },
	{ "[]]", "]", 1 },
	{ "a\\*", "a*", 1 },
	{ "a\\*", "ab", 0 },
	{ "a\\", "a\\", 1 },
	{ "[\\]a]x", "]x", 1 },
	{ "[\\]a]x", "Ax", 1 },
	{ "[\\]a]x", "\\x", 0 },
	{ "*.[a-z][a-z]", "meet.example.de", 1 },
	{ "*.[a-z][a-z]", "meet.example.com", 0 },
	{ "\xc3\xa9*", "\xc3\xa9t\xc3\xa9", 1 },  /* bytes above 0x7f: themselves */
	{ "\xc3\xa9", "\xc3\x89", 0 },
};

static void test_glob_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(globs) / sizeof(globs[0]); i++) {
		if (cf_glob_match(globs[i].pat, globs[i].name) != globs[i].want)
			fprintf(stderr, "glob '%s' on '%s': want %d\n",
				globs[i].pat, globs[i].name, globs[i].want);
		CHECK_INT(cf_glob_match(globs[i].pat, globs[i].name), globs[i].want);
		CHECK_INT(cf_glob_match_n(globs[i].pat, globs[i].name,
					  strlen(globs[i].name)), globs[i].want);
	}
}

static void test_glob_n(void)
{
	/* n bytes of the name, no more: the catalog passes a name without
	   its trailing dot so */
	CHECK_INT(cf_glob_match_n("*.zoom.us", "a.zoom.us.", 9), 1);
	CHECK_INT(cf_glob_match_n("*.zoom.us", "a.zoom.usXYZ", 9), 1);
	CHECK_INT(cf_glob_match_n("a?c", "a\0c", 3), 1);    /* a NUL is a byte */
	CHECK_INT(cf_glob_match_n("ac", "a\0c", 3), 0);
	CHECK_INT(cf_glob_match_n("*", "abc", 0), 1);
	CHECK_INT(cf_glob_match_n("a", "abc", 0), 0);
}

static void test_glob_check(void)
{
	CHECK(cf_glob_check("*.zoom.us") == NULL);
	CHECK(cf_glob_check("[\\]]x") == NULL);
	CHECK(cf_glob_check("\\[x") == NULL);
	CHECK(cf_glob_check("[!]]x*") == NULL);
	CHECK(cf_glob_check("[abc") != NULL);
	CHECK(cf_glob_check("a\\") != NULL);
}

/* --- the name table ------------------------------------------------------ */

static void test_names(void)
{
	char longname[100];
	unsigned before = cf_class_names_count();
	uint16_t id, id2;

	CHECK_STR(cf_class_names[CF_NID_NONE], "");
	CHECK_STR(cf_class_names[CF_NID_UNKNOWN], "unknown");
	CHECK(before >= CF_NID_STATIC);
	/* the table's own words keep their ids */
	CHECK_INT(cf_class_name_id("zoom", CF_APP_LEN, 0), CF_NID_ZOOM);
	CHECK_INT(cf_class_name_id("tls", CF_L7_LEN, 0), CF_NID_TLS);
	CHECK_INT(cf_class_name_id("", CF_APP_LEN, 0), CF_NID_NONE);
	CHECK_INT(cf_class_name_id("QUIC", CF_L7_LEN, 1), CF_NID_QUIC);
	/* a new name: one new entry, the same id ever after */
	id = cf_class_name_id("test-util-app", CF_APP_LEN, 0);
	CHECK(id >= CF_NID_STATIC);
	CHECK_STR(cf_class_names[id], "test-util-app");
	CHECK_INT(cf_class_names_count(), before + 1);
	CHECK_INT(cf_class_name_id("test-util-app", CF_APP_LEN, 0), id);
	CHECK_INT(cf_class_name_id("Test-Util-App", CF_APP_LEN, 1), id);
	id2 = cf_class_name_id("Test-Util-App", CF_APP_LEN, 0);
	CHECK(id2 != id);
	CHECK_INT(cf_class_names_count(), before + 2);
	/* cut at cap - 1 bytes */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	id = cf_class_name_id(longname, CF_APP_LEN, 0);
	CHECK_INT(strlen(cf_class_names[id]), CF_APP_LEN - 1);
	CHECK_INT(cf_class_name_id(longname, CF_APP_LEN, 0), id);
	id2 = cf_class_name_id(longname, CF_L7_LEN, 0);
	CHECK_INT(strlen(cf_class_names[id2]), CF_L7_LEN - 1);
}

static void test_class_names(void)
{
	struct cf_class c;

	memset(&c, 0, sizeof(c));
	CHECK_STR(cf_class_app(&c), "");
	CHECK_STR(cf_class_l7(&c), "");
	cf_class_set_app(&c, "zoom");
	cf_class_set_l7(&c, "dtls");
	CHECK_INT(c.app_id, CF_NID_ZOOM);
	CHECK_INT(c.l7_id, CF_NID_DTLS);
	CHECK_STR(cf_class_app(&c), "zoom");
	CHECK_STR(cf_class_l7(&c), "dtls");
}

/* --- the intern table ---------------------------------------------------- */

static void test_intern(void)
{
	struct cf_intern_stats st0, st;
	char buf[] = "meet.example.org";
	const char *a, *b, *c, *slot = NULL;

	cf_intern_get_stats(&st0);
	a = cf_intern_get("meet.example.org", 16);
	b = cf_intern_get(buf, strlen(buf));          /* same bytes elsewhere */
	c = cf_intern_get("meet.example.org", 4);     /* "meet" */
	CHECK(a != NULL && a == b);
	CHECK(a != buf);
	CHECK_STR(a, "meet.example.org");
	CHECK_STR(c, "meet");
	CHECK(c != a);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, st0.entries + 2);
	CHECK_INT(st.refs, st0.refs + 3);
	CHECK(st.peak >= st.entries);
	CHECK(st.bytes > st0.bytes);
	CHECK_INT(st.names, cf_class_names_count());
	cf_intern_put(b);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, st0.entries + 2);      /* a still holds it */
	CHECK_INT(st.refs, st0.refs + 2);
	cf_intern_put(a);
	cf_intern_put(c);
	cf_intern_put(NULL);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, st0.entries);
	CHECK_INT(st.refs, st0.refs);
	/* set: replaces and drops; the same bytes again change nothing */
	CHECK_INT(cf_intern_set(&slot, "x.example", 9), 0);
	a = slot;
	CHECK_INT(cf_intern_set(&slot, "x.example", 9), 0);
	CHECK(slot == a);
	CHECK_INT(cf_intern_set(&slot, "", 0), 0);
	CHECK(slot == NULL);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, st0.entries);
	CHECK_INT(st.refs, st0.refs);
}

static void test_class_strings(void)
{
	struct cf_intern_stats st0, st;
	struct cf_class x, y;
	char longhost[300];

	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	cf_intern_get_stats(&st0);
	CHECK_STR(cf_class_host(&x), "");
	CHECK_STR(cf_class_evidence(&x), "");
	CHECK_INT(cf_class_set_host(&x, "zoom.us", 7), 0);
	CHECK_INT(cf_class_set_host(&y, "zoom.us.", 7), 0); /* len cuts */
	CHECK(x.host_str == y.host_str);             /* one copy, two refs */
	CHECK_INT(cf_class_set_evidence(&x, "tls-sni", 100), 0); /* NUL stops */
	CHECK_STR(cf_class_evidence(&x), "tls-sni");
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, st0.entries + 2);
	CHECK_INT(st.refs, st0.refs + 3);
	/* cut at CF_HOST_LEN */
	memset(longhost, 'h', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = '\0';
	CHECK_INT(cf_class_set_host(&y, longhost, sizeof(longhost)), 0);
	CHECK_INT(strlen(cf_class_host(&y)), CF_HOST_LEN);
	CHECK_STR(cf_class_host(&x), "zoom.us");
	/* release drops both strings; the table is back where it was */
	cf_class_release(&x);
	cf_class_release(&y);
	CHECK(x.host_str == NULL && x.evid_str == NULL && y.host_str == NULL);
	cf_intern_get_stats(&st);
	CHECK_INT(st.entries, st0.entries);
	CHECK_INT(st.refs, st0.refs);
	cf_class_release(&x);                        /* twice: harmless */
}

/* --- paths and the -u user's files --------------------------------------- */

static void test_path_absolute(void)
{
	char err[256], cwd[4096], want[4200], *p;

	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	p = cf_path_absolute("/var/log/x.json", err, sizeof(err));
	CHECK_STR(p, "/var/log/x.json");
	free(p);
	p = cf_path_absolute("lr/events.json", err, sizeof(err));
	snprintf(want, sizeof(want), "%s/lr/events.json", cwd);
	CHECK_STR(p, want);
	free(p);
	p = cf_path_absolute("./././x", err, sizeof(err));
	snprintf(want, sizeof(want), "%s/x", cwd);
	CHECK_STR(p, want);
	free(p);
	/* ".." is kept: the name means what it meant from here */
	p = cf_path_absolute("../y", err, sizeof(err));
	snprintf(want, sizeof(want), "%s/../y", cwd);
	CHECK_STR(p, want);
	free(p);
}

/* cf_file_give to our own ids (no root needed): a plain file yes, a file
 * opened through a symbolic link or with a second hard link no. */
static void test_file_give(void)
{
	char dir[] = "/tmp/cf-test-give-XXXXXX", a[256], l[256], h[256], err[512];
	int fd;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(l, sizeof(l), "%s/link.json", dir);
	snprintf(h, sizeof(h), "%s/hard.json", dir);
	fd = open(a, O_WRONLY | O_CREAT | O_APPEND, 0640);
	CHECK(fd >= 0);
	CHECK_INT(cf_file_give(fd, a, getuid(), getgid(), err, sizeof(err)), 0);
	CHECK_INT(symlink(a, l), 0);
	CHECK_INT(cf_file_give(fd, l, getuid(), getgid(), err, sizeof(err)), -1);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK_INT(link(a, h), 0);
	CHECK_INT(cf_file_give(fd, a, getuid(), getgid(), err, sizeof(err)), -1);
	CHECK(strstr(err, "2 hard links") != NULL);
	close(fd);
	/* a device is left alone, not refused */
	fd = open("/dev/null", O_WRONLY);
	CHECK_INT(cf_file_give(fd, "/dev/null", getuid(), getgid(), err, sizeof(err)), 0);
	close(fd);
	unlink(h);
	unlink(l);
	unlink(a);
	rmdir(dir);
}

/* ---- the heap on huge pages (heap.h) ----------------------------------- */

/* The VMA holding p: its smaps "THPeligible" (-1: not found). */
static int thp_eligible(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi, a = (unsigned long)(uintptr_t)p;
	int in = 0, r = -1, v;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)    /* a VMA's line */
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "THPeligible: %d", &v) == 1)
			r = v;
	}
	fclose(f);
	return r;
}

/*
 * 64 MiB of heap are advised: where the kernel's transparent huge pages
 * are not "never", a block malloc'd after it lies in a range whose smaps
 * say THPeligible 1; blocks of 1 MiB come from the heap's top (no
 * mapping of their own: under the advised range's end), and freeing them
 * does not give the top back (the break stays).  A size under 8 MiB is
 * refused, and under AddressSanitizer (whose allocator has no brk heap)
 * nothing is done.
 */
static void test_heap_setup(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char mode[128] = "";
	char *brk0, *p[8];
	size_t got;
	int i;

	CHECK_INT(cf_heap_setup((size_t)4 << 20), 0);
	if (f != NULL) {
		if (fgets(mode, sizeof(mode), f) == NULL)
			mode[0] = '\0';
		fclose(f);
	}
	got = cf_heap_setup((size_t)64 << 20);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	CHECK_INT(got, 0);              /* the sanitizer's allocator: no brk heap */
	return;
#endif
	if (f == NULL) {                /* a kernel without huge pages refuses */
		CHECK_INT(got, 0);
		return;
	}
	CHECK(got >= ((size_t)60 << 20) && got <= ((size_t)64 << 20));
	brk0 = sbrk(0);
	for (i = 0; i < 8; i++) {
		p[i] = malloc((size_t)1 << 20);
		CHECK(p[i] != NULL && p[i] < brk0);
		if (p[i] != NULL)
			memset(p[i], 1, (size_t)1 << 20);
	}
	/* (a kernel with huge pages "never" takes the advice and uses none) */
	if (f != NULL && strstr(mode, "[never]") == NULL)
		CHECK_INT(thp_eligible(p[7]), 1);
	for (i = 0; i < 8; i++)
		free(p[i]);
	CHECK(sbrk(0) == brk0);
}

/*
 * Big tables (prefault.h): a table of 2 MiB or more starts on a 2 MiB
 * boundary, on huge pages where the kernel has them; one filled from the
 * front has its first CF_BIG_FRONT bytes just below such a boundary, in a
 * range the kernel cannot back with a huge page, and the rest from the
 * boundary on.  Both are zero and writable end to end.
 */
static void test_big_map(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char mode[128] = "";
	size_t n = (size_t)16 << 20, i, nonzero = 0;
	uint8_t *a = cf_big_alloc(n, 1), *b = cf_big_alloc_front(n / 8, 8);
	int thp;

	if (f != NULL) {
		if (fgets(mode, sizeof(mode), f) == NULL)
			mode[0] = '\0';
		fclose(f);
	}
	thp = f != NULL && strstr(mode, "[never]") == NULL;
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		return;
	CHECK_INT((uintptr_t)a % CF_BIG_PAGE, 0);
	CHECK_INT(((uintptr_t)b + CF_BIG_FRONT) % CF_BIG_PAGE, 0);
	for (i = 0; i < n; i += 4096)
		nonzero += a[i] != 0 || b[i] != 0;
	CHECK_INT(nonzero, 0);
	a[0] = a[n - 1] = b[0] = b[n - 1] = 1;
	if (thp) {
		CHECK_INT(thp_eligible(a), 1);
		CHECK_INT(thp_eligible(b), 0);
		CHECK_INT(thp_eligible(b + CF_BIG_FRONT), 1);
		CHECK_INT(thp_eligible(b + n - 1), 1);
	}
	cf_big_free(a);
	cf_big_free(b);
	/* a small one: no alignment asked, still zero and writable */
	a = cf_big_alloc_front(1000, 8);
	CHECK(a != NULL && a[7999] == 0);
	if (a != NULL)
		a[7999] = 1;
	cf_big_free(a);
}

/* How many of the 4 KiB pages of [p, p + len) are resident. */
static size_t resident(const uint8_t *p, size_t len)
{
	static unsigned char vec[(64 << 20) / 4096];
	size_t i, n = len / 4096, r = 0;

	if (n > sizeof(vec) || mincore((void *)p, len, vec) != 0)
		return (size_t)-1;
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	return r;
}

/* Waits (up to 5 s) until the n pages from p are resident. */
static int wait_resident(const uint8_t *p, size_t len)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		if (resident(p, len) == len / 4096)
			return 1;
		nanosleep(&ms, NULL);
	}
	return 0;
}

/* Without the thread a watch of t (n entries of 64 bytes) never asks,
 * however far it is filled. */
static void check_never_asks(uint8_t *t, size_t n)
{
	struct cf_ahead a;
	size_t i;

	cf_ahead_watch(&a, t, n, 64, CF_BIG_FRONT);
	for (i = 0; i < ((size_t)3 << 20) / 64; i++)
		cf_ahead_touch(&a, i);
	CHECK_INT(a.asked, 0);
	CHECK(a.mark == SIZE_MAX);
}

static void test_ahead(void)
{
	size_t n = ((size_t)16 << 20) / 64, i, mb = (size_t)1 << 20;
	struct cf_ahead a;
	struct cf_ahead_stats st;
	uint8_t *t = cf_big_alloc_front(n, 64);

	CHECK(t != NULL);
	if (t == NULL)
		return;
	/* no thread: a watch that never asks, the pages left to the filling */
	check_never_asks(t, n);
	CHECK_INT(resident(t + CF_BIG_FRONT, 4 * mb), 0);
	if (cf_ahead_start() != 0) {
		printf("  (one CPU: no thread to back tables ahead)\n");
		cf_big_free(t);
		return;
	}
	CHECK_INT(cf_ahead_start(), 0);         /* already running */
	cf_ahead_watch(&a, t, n, 64, CF_BIG_FRONT);
	CHECK_INT(a.asked, 0);
	/* the first entry asks for the front (its 4 KiB pages), whole; the
	   rest of the front asks nothing before three quarters of it */
	cf_ahead_touch(&a, 0);
	CHECK_INT(a.asked, CF_BIG_FRONT);
	CHECK(wait_resident(t, CF_BIG_FRONT));
	CHECK_INT(resident(t + CF_BIG_FRONT, 4 * mb), 0);
	for (i = 0; i < CF_BIG_FRONT / 2 / 64; i++)
		cf_ahead_touch(&a, i);
	CHECK_INT(a.asked, CF_BIG_FRONT);
	/* filling 3 MiB: the huge pages up to 512 KiB past it, whole */
	for (; i < (3 * mb) / 64; i++) {
		cf_ahead_touch(&a, i);
		t[i * 64] = 1;
	}
	CHECK_INT(a.asked, CF_BIG_FRONT + 4 * mb);
	CHECK(wait_resident(t + CF_BIG_FRONT, 4 * mb));
	/* and nothing past what was asked */
	CHECK_INT(resident(t + CF_BIG_FRONT + 4 * mb, 8 * mb), 0);
	/* (the thread counts a range just after backing it) */
	for (i = 0; i < 5000; i++) {
		struct timespec ms = { 0, 1000000 };

		cf_ahead_stats(&st);
		if (st.done >= 2 && st.bytes >= 4 * mb)
			break;
		nanosleep(&ms, NULL);
	}
	CHECK(st.done >= 2 && st.bytes >= 4 * mb);
	i = (3 * mb) / 64;
	/* to the end of the table: asked up to its length, then never again */
	for (; i < n; i++)
		cf_ahead_touch(&a, i);
	CHECK_INT(a.asked, n * 64);
	CHECK(a.mark == SIZE_MAX);
	CHECK(wait_resident(t + CF_BIG_FRONT, n * 64 - CF_BIG_FRONT));
	cf_ahead_forget(&a);
	CHECK(a.base == NULL);
	cf_ahead_forget(&a);                    /* twice is harmless */
	cf_big_free(t);
	cf_ahead_stop();
	cf_ahead_stop();
	/* stopped: new watches never ask */
	t = cf_big_alloc_front(n, 64);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	check_never_asks(t, n);
	cf_big_free(t);
}

int main(void)
{
	RUN(test_role_names);
	RUN(test_role_rank);
	RUN(test_fnv);
	RUN(test_glob_table);
	RUN(test_glob_n);
	RUN(test_glob_check);
	RUN(test_names);
	RUN(test_class_names);
	RUN(test_intern);
	RUN(test_class_strings);
	RUN(test_path_absolute);
	RUN(test_file_give);
	RUN(test_heap_setup);
	RUN(test_big_map);
	RUN(test_ahead);
	return harness_done();
}
