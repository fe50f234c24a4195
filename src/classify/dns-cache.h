/*
 * dns-cache.h - names for addresses, from DNS answers seen on the wire.
 *
 * dns-resolv.c (the only file that includes <resolv.h>) reads the A, AAAA
 * and CNAME answers of a DNS response with glibc's libresolv; dns-cache.c
 * keeps address -> name in a fixed-size open-addressing table with each
 * answer's TTL honoured in packet time.  Nothing allocates per packet.
 */
#ifndef CF_DNS_CACHE_H
#define CF_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "util/netaddr.h"

#define CF_DNS_NAME_LEN 128           /* as struct cf_class's host */
#define CF_DNS_CACHE_DEFAULT 65536    /* entries */
#define CF_DNS_ANSWERS_MAX 16         /* A/AAAA answers taken per response */

/* --- dns-resolv.c ---------------------------------------------------- */

struct cf_dns_answer {
	cf_addr addr;                 /* from an A or AAAA record */
	uint32_t ttl;                 /* that record's TTL, seconds */
	char name[CF_DNS_NAME_LEN];   /* a name of the CNAME chain that leads to
					 the record (below), lower case, no
					 trailing dot */
};

/* Does the caller prefer this name (lower case) for an address? */
typedef int (*cf_dns_prefer_fn)(const char *name, void *ctx);

/*
 * Parse one DNS message (p, len: the UDP payload, or a TCP message
 * without its length prefix).  Only a response (QR set, opcode QUERY,
 * RCODE NOERROR) is read; class IN A/AAAA answers go to out (up to max).
 * Each is named after its CNAME chain: walking from the question towards
 * the record, the first name prefer() (may be NULL) returns 1 for, else
 * the chain's start (what the client asked for).  Names that do not fit
 * CF_DNS_NAME_LEN are skipped.  Returns the number of answers filled, 0
 * for a response without usable answers, -1 when the bytes are not a DNS
 * response libresolv can parse.
 */
int cf_dns_parse_answers(const uint8_t *p, size_t len,
			 struct cf_dns_answer *out, size_t max,
			 cf_dns_prefer_fn prefer, void *ctx);

/* The same with no preference: every answer is named after the chain's
 * start. */
int cf_dns_parse_response(const uint8_t *p, size_t len,
			  struct cf_dns_answer *out, size_t max);

/* --- dns-cache.c ------------------------------------------------------ */

struct cf_dns_cache_stats {
	uint64_t inserts;             /* answers stored (new or refreshed) */
	uint64_t hits, misses;        /* lookups that found a live entry, or not */
	uint64_t evictions;           /* live entries pushed out for lack of room */
	uint64_t expired;             /* lookups that found the entry past its TTL */
	uint32_t capacity;
};

struct cf_dns_cache;

/* A cache of capacity entries (0: CF_DNS_CACHE_DEFAULT; rounded up to a
 * power of two, at least 16).  NULL when out of memory. */
struct cf_dns_cache *cf_dns_cache_new(size_t capacity);
void cf_dns_cache_free(struct cf_dns_cache *c);

/*
 * Remember that a is called name until now_us + ttl seconds (packet
 * time).  An entry for a is replaced; else a free or expired slot near
 * a's home is taken; else the entry there that expires first is evicted.
 * A TTL of 0 ("do not cache") stores nothing.
 */
void cf_dns_cache_put(struct cf_dns_cache *c, const cf_addr *a, const char *name,
		      uint32_t ttl, uint64_t now_us);

/* The name of a at packet time now_us into name (cap bytes): 1 on a hit,
 * 0 when unknown or expired (name set to ""). */
int cf_dns_cache_get(struct cf_dns_cache *c, const cf_addr *a, uint64_t now_us,
		     char *name, size_t cap);

void cf_dns_cache_get_stats(const struct cf_dns_cache *c,
			    struct cf_dns_cache_stats *st);

#endif /* CF_DNS_CACHE_H */
