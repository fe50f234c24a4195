/*
 * classify-dns.c - what DNS answers tell about flows to come: the
 * addresses of names.  Responses from port 53 (UDP, or one whole TCP
 * message) are read (dns-resolv.c) into the classifier's name cache
 * (dns-cache.c); a new flow to an address the cache knows is named after
 * it (cls.host, evidence "dns-name").
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "classify/dns-cache.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "util/cursor.h"

#define DNS_PORT 53

int cf_classify_set_dns_capacity(struct cf_classifier *c, size_t n,
				 char *err, size_t errlen)
{
	struct cf_dns_cache *d = cf_dns_cache_new(n);
	struct cf_dns_cache_stats st;

	if (d == NULL) {
		snprintf(err, errlen, "DNS name cache: out of memory (%zu entries)", n);
		return -1;
	}
	cf_dns_cache_free(c->dns);
	c->dns = d;
	cf_dns_cache_get_stats(d, &st);
	c->st.dns_capacity = st.capacity;
	return 0;
}

/* The DNS message in a packet from port 53: UDP payload, or one whole
 * TCP message after its 2-byte length.  0 and *msg set, else -1. */
static int dns_message(const struct cf_packet *pkt, struct cursor *msg)
{
	struct cursor c;
	uint16_t mlen;

	if (pkt->sport != DNS_PORT || pkt->payload_len == 0)
		return -1;
	cur_init(&c, pkt->payload, pkt->payload_len);
	if (pkt->proto == 17) {
		*msg = c;
		return 0;
	}
	if (pkt->proto != 6 || cur_be16(&c, &mlen) || mlen != cur_left(&c))
		return -1;
	*msg = c;
	return 0;
}

/* A name the app catalog knows is the one to keep for an address. */
static int catalog_knows(const char *name, void *ctx)
{
	const struct cf_classifier *c = ctx;
	struct cf_cat_match m;

	return cf_catalog_match_host(c->cat, name, &m);
}

int cf_classify_dns(struct cf_classifier *c, const struct cf_packet *pkt)
{
	struct cf_dns_answer ans[CF_DNS_ANSWERS_MAX];
	struct cursor msg;
	int n, i;

	if (c->dns == NULL || dns_message(pkt, &msg) < 0)
		return 0;
	n = cf_dns_parse_answers(msg.p, cur_left(&msg), ans, CF_DNS_ANSWERS_MAX,
				 catalog_knows, c);
	if (n < 0) {
		c->st.dns_bad++;
		return 0;
	}
	c->st.dns_responses++;
	for (i = 0; i < n; i++)
		cf_dns_cache_put(c->dns, &ans[i].addr, ans[i].name, ans[i].ttl,
				 pkt->ts_us);
	c->st.dns_answers += (uint64_t)n;
	return n;
}

/* Name services' own flows are not named after what they resolve. */
static int name_service_port(uint16_t port)
{
	return port == DNS_PORT || port == 5353 || port == 5355 || port == 137;
}

int cf_dns_name_flow(struct cf_classifier *c, struct cf_flow *f, uint64_t ts_us)
{
	struct cf_class *cls = &f->cls;
	char name[CF_DNS_NAME_LEN];
	int i, looked = 0;

	if (c->dns == NULL || cls->host_str != NULL ||
	    (f->proto != 6 && f->proto != 17) ||
	    name_service_port(f->port[0]) || name_service_port(f->port[1]))
		return 0;
	for (i = 1; i >= 0; i--) {
		if (cf_addr_special(&f->ip[i]) != CF_SPECIAL_NONE)
			continue;
		looked = 1;
		if (cf_dns_cache_get(c->dns, &f->ip[i], ts_us, name, sizeof(name))) {
			c->st.dns_hits++;
			cf_class_set_host(cls, name, strnlen(name, CF_HOST_LEN - 1));
			cls->seen |= CF_SEEN_DNS_HOST;
			return 1;
		}
	}
	if (looked)
		c->st.dns_misses++;
	return 0;
}
