/*
 * fuzz-dns.c - libFuzzer target: DNS response parsing
 * (cf_dns_parse_response, libresolv underneath) and the name cache fed
 * with what it returns.  Checked: the answer count is within bounds,
 * every name is terminated, lower case and without a trailing dot (the
 * root name "." aside: dns-resolv.c keeps it as it is), and a name just
 * stored is found again.
 * Needs: src/classify/dns-resolv.c
 * Needs: src/classify/dns-cache.c
 */
#include <ctype.h>

#include "fuzz-util.h"
#include "classify/dns-cache.h"

static struct cf_dns_cache *cache;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cache = cf_dns_cache_new(16);   /* small: eviction is exercised */
	if (cache == NULL)
		abort();
	return 0;
}

static void check_name(const char *n)
{
	size_t len, i;

	FZ_CHECK(fz_terminated(n, CF_DNS_NAME_LEN));
	len = strlen(n);
	FZ_CHECK(len <= 1 || n[len - 1] != '.');
	for (i = 0; i < len; i++)
		FZ_CHECK(!isupper((unsigned char)n[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t now_us = 1700000000000000ull;
	struct cf_dns_answer ans[CF_DNS_ANSWERS_MAX];
	char name[CF_DNS_NAME_LEN];
	int n, i;

	n = cf_dns_parse_response(data, size, ans, CF_DNS_ANSWERS_MAX);
	FZ_CHECK(n >= -1 && n <= CF_DNS_ANSWERS_MAX);
	now_us += 1000000;
	for (i = 0; i < n; i++) {
		check_name(ans[i].name);
		cf_dns_cache_put(cache, &ans[i].addr, ans[i].name, ans[i].ttl, now_us);
		if (ans[i].ttl > 0) {
			FZ_CHECK(cf_dns_cache_get(cache, &ans[i].addr, now_us,
						  name, sizeof(name)) == 1);
			FZ_CHECK(fz_terminated(name, sizeof(name)));
		}
	}
	return 0;
}
