/*
 * fuzz-catalog.c - libFuzzer target: the app catalog parser
 * (cf_catalog_parse, in memory) and every lookup on what it built; and
 * the glob matcher on two strings cut from the input.
 */
#include "fuzz-util.h"
#include "classify/catalog.h"
#include "util/glob.h"
#include "util/netaddr.h"

static void lookups(const struct cf_catalog *c, const char *host)
{
	static const char *const hosts[] = { "zoom.us", "zoomsjc1mmr.sjc.zoom.us.",
		"teams.microsoft.com", "", ".", "a..b", NULL };
	static const char *const addrs[] = { "144.195.73.154", "52.112.0.1",
		"2001:db8:2::10", "10.1.0.5", NULL };
	struct cf_cat_match m;
	cf_addr a;
	size_t i;

	for (i = 0; hosts[i] != NULL; i++)
		if (cf_catalog_match_host(c, hosts[i], &m))
			FZ_CHECK(m.id != NULL && m.app != NULL);
	if (cf_catalog_match_host(c, host, &m))
		FZ_CHECK(m.id != NULL && m.app != NULL && fz_touch(m.app) > 0);
	for (i = 0; addrs[i] != NULL; i++) {
		if (cf_addr_parse(addrs[i], &a) != 0)
			abort();
		(void)cf_catalog_match_addr(c, &a, 17, 8801, &m);
		(void)cf_catalog_match_addr(c, &a, 6, 443, &m);
	}
	(void)cf_catalog_match_port(c, 17, 3478, &m);
	(void)cf_catalog_match_port(c, 6, 5061, &m);
	(void)cf_catalog_match_ndpi(c, "Zoom", &m);
	(void)cf_catalog_match_ndpi(c, host, &m);
	(void)cf_catalog_is_call_app(c, "zoom");
	(void)cf_catalog_is_call_app(c, host);
	(void)cf_catalog_count(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_catalog *c;
	char err[512], *text, *nl;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	c = cf_catalog_parse(text, "fuzz.conf", err, sizeof(err));
	/* the first line as a pattern, the rest as a name to match */
	nl = strchr(text, '\n');
	if (nl != NULL) {
		*nl = '\0';
		(void)cf_glob_match_n(text, nl + 1, strlen(nl + 1));
	}
	if (c == NULL) {
		FZ_CHECK(err[0] != '\0' && fz_terminated(err, sizeof(err)));
	} else {
		lookups(c, nl != NULL ? nl + 1 : text);
		cf_catalog_free(c);
	}
	free(text);
	return 0;
}
