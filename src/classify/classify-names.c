/*
 * classify-names.c - what one flow tells about flows to come: the names
 * DNS answers give addresses (the classifier's dns-cache), and the media
 * endpoints a SIP message's SDP announces (a small ring of CF_SDP_TABLE
 * entries, each good for CF_SDP_KEEP_US of packet time) - and the
 * process-wide tables behind a class's strings: the name table (app, l7)
 * and the intern table (host, evidence).
 *
 * Both tables are shared by every thread's classifier and flow table, so
 * a mutex guards them; they are only written when a flow learns a new
 * string (per flow, never per packet).  The name table only grows (a
 * name's id is handed out once its entry is written, and entries never
 * change, so reading cf_class_names[id] needs no lock); its entries are
 * the few hundred names of nDPI and the catalogs.  Intern entries are
 * refcounted and freed with their last reference.
 */
#define _GNU_SOURCE 1         /* adaptive mutexes */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classify/catalog.h"
#include "classify/classify-int.h"
#include "util/cursor.h"
#include "decode/decode.h"
#include "classify/dns-cache.h"
#include "flow/flow.h"
#include "util/hash.h"

#define DNS_PORT 53

/* --- the name table (app, l7) ---------------------------------------------- */

#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
/* held for a table lookup at a time: spin a little before sleeping */
static pthread_mutex_t tables_mu = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
#else
static pthread_mutex_t tables_mu = PTHREAD_MUTEX_INITIALIZER;
#endif

const char *cf_class_names[CF_NAMES_MAX] = {
	[CF_NID_NONE] = "",
	[CF_NID_UNKNOWN] = "unknown",
	[CF_NID_WEBRTC] = "webrtc",
	[CF_NID_SIP] = "sip",
	[CF_NID_RTP] = "rtp",
	[CF_NID_ZOOM] = "zoom",
	[CF_NID_ZOOM_MEDIA] = "zoom-media",
	[CF_NID_RTCP] = "rtcp",
	[CF_NID_DTLS] = "dtls",
	[CF_NID_STUN] = "stun",
	[CF_NID_TLS] = "tls",
	[CF_NID_ZRTP] = "zrtp",
	[CF_NID_QUIC] = "quic",
};

#define NAME_SLOTS (2 * CF_NAMES_MAX)       /* load <= 1/2 */
static uint16_t name_slot[NAME_SLOTS];      /* id + 1, 0 empty */
static unsigned n_names;                    /* 0 until the index is built */

static uint32_t name_hash(const char *s, size_t n)
{
	return cf_fnv32_bytes(CF_FNV32_BASIS, s, n);
}

/* Slot of name (n bytes), or the empty slot where it goes. */
static uint32_t name_find(const char *s, size_t n)
{
	uint32_t i = name_hash(s, n) & (NAME_SLOTS - 1);
	const char *e;

	for (; name_slot[i] != 0; i = (i + 1) & (NAME_SLOTS - 1)) {
		e = cf_class_names[name_slot[i] - 1];
		if (strncmp(e, s, n) == 0 && e[n] == '\0')
			return i;
	}
	return i;
}

static void names_init(void)
{
	uint32_t i;

	for (n_names = 0; n_names < CF_NID_STATIC; n_names++) {
		i = name_find(cf_class_names[n_names], strlen(cf_class_names[n_names]));
		name_slot[i] = (uint16_t)(n_names + 1);
	}
}

uint16_t cf_class_name_id(const char *name, size_t cap, int lower)
{
	char buf[64];
	size_t n;
	uint32_t i;
	uint16_t id;
	char *copy;

	if (cap > sizeof(buf))
		cap = sizeof(buf);
	for (n = 0; name[n] != '\0' && n + 1 < cap; n++)
		buf[n] = lower ? (char)tolower((unsigned char)name[n]) : name[n];
	buf[n] = '\0';
	pthread_mutex_lock(&tables_mu);
	if (n_names == 0)
		names_init();
	i = name_find(buf, n);
	if (name_slot[i] != 0) {
		id = (uint16_t)(name_slot[i] - 1);
	} else if (n_names < CF_NAMES_MAX && (copy = strdup(buf)) != NULL) {
		/* written before the id is published (under the lock) */
		id = (uint16_t)n_names++;
		cf_class_names[id] = copy;
		name_slot[i] = (uint16_t)(id + 1);
	} else {
		id = CF_NID_UNKNOWN;        /* full: documented in classify.h */
	}
	pthread_mutex_unlock(&tables_mu);
	return id;
}

void cf_class_set_app(struct cf_class *c, const char *app)
{
	c->app_id = cf_class_name_id(app, CF_APP_LEN, 0);
}

void cf_class_set_l7(struct cf_class *c, const char *l7)
{
	c->l7_id = cf_class_name_id(l7, CF_L7_LEN, 0);
}

/* --- the intern table (host, evidence) -------------------------------------- */

struct istr {
	struct istr *next;              /* hash chain */
	uint64_t hash;
	uint32_t refs;
	uint32_t len;
	char s[];                       /* len bytes and a NUL */
};

static struct {
	struct istr **bucket;
	size_t n_buckets;               /* power of two */
	uint64_t seed;
	struct cf_intern_stats st;
} it;

#define INTERN_MIN_BUCKETS 1024

/* Seeded per process, so names crafted to share a chain are a guess. */
static uint64_t intern_hash(const char *s, size_t n)
{
	uint64_t h = it.seed ^ n, w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = cf_mix64(h ^ w);
	}
	w = 0;
	memcpy(&w, s, n);
	return cf_mix64(h ^ w ^ 0x5a);
}

static int intern_grow(void)
{
	size_t nb = it.n_buckets ? 2 * it.n_buckets : INTERN_MIN_BUCKETS, i;
	struct istr **b = calloc(nb, sizeof(*b)), *e, *next;

	if (b == NULL)
		return -1;
	if (it.seed == 0)
		it.seed = cf_mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
				(uint64_t)(uintptr_t)b) | 1;
	for (i = 0; i < it.n_buckets; i++)
		for (e = it.bucket[i]; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	free(it.bucket);
	it.st.bytes += (nb - it.n_buckets) * sizeof(*b);
	it.bucket = b;
	it.n_buckets = nb;
	return 0;
}

/* A reference to the interned copy of s (n bytes); NULL out of memory. */
static const char *intern_get(const char *s, size_t n)
{
	struct istr *e = NULL;
	uint64_t h;

	pthread_mutex_lock(&tables_mu);
	if (it.n_buckets == 0 && intern_grow() < 0)
		goto out;
	h = intern_hash(s, n);
	for (e = it.bucket[h & (it.n_buckets - 1)]; e != NULL; e = e->next)
		if (e->hash == h && e->len == n && memcmp(e->s, s, n) == 0)
			break;
	if (e == NULL) {
		if (it.st.entries >= it.n_buckets)
			intern_grow();  /* on failure the chains just get longer */
		e = malloc(sizeof(*e) + n + 1);
		if (e == NULL)
			goto out;
		e->hash = h;
		e->refs = 0;
		e->len = (uint32_t)n;
		memcpy(e->s, s, n);
		e->s[n] = '\0';
		e->next = it.bucket[h & (it.n_buckets - 1)];
		it.bucket[h & (it.n_buckets - 1)] = e;
		it.st.bytes += sizeof(*e) + n + 1;
		if (++it.st.entries > it.st.peak)
			it.st.peak = it.st.entries;
	}
	e->refs++;
	it.st.refs++;
out:
	if (e == NULL)
		it.st.alloc_fail++;
	pthread_mutex_unlock(&tables_mu);
	return e ? e->s : NULL;
}

static void intern_put(const char *s)
{
	struct istr *e, **pp;

	if (s == NULL)
		return;
	e = (struct istr *)(void *)(s - offsetof(struct istr, s));
	pthread_mutex_lock(&tables_mu);
	it.st.refs--;
	if (--e->refs == 0) {
		for (pp = &it.bucket[e->hash & (it.n_buckets - 1)]; *pp != e;
		     pp = &(*pp)->next)
			;
		*pp = e->next;
		it.st.entries--;
		it.st.bytes -= sizeof(*e) + e->len + 1;
		free(e);
	}
	pthread_mutex_unlock(&tables_mu);
}

/* Point *slot at the interned s (n bytes), dropping what it held. */
static int intern_set(const char **slot, const char *s, size_t n)
{
	const char *old = *slot, *nw = NULL;

	if (old != NULL && strlen(old) == n && memcmp(old, s, n) == 0)
		return 0;
	if (n > 0 && (nw = intern_get(s, n)) == NULL) {
		*slot = NULL;
		intern_put(old);
		return -1;
	}
	*slot = nw;
	intern_put(old);
	return 0;
}

int cf_class_set_host(struct cf_class *c, const char *s, size_t len)
{
	return intern_set(&c->host_str, s, strnlen(s, len < CF_HOST_LEN ?
						       len : CF_HOST_LEN));
}

int cf_class_set_evidence(struct cf_class *c, const char *s, size_t len)
{
	return intern_set(&c->evid_str, s, strnlen(s, len < CF_EVID_LEN ?
						       len : CF_EVID_LEN));
}

void cf_class_release(struct cf_class *c)
{
	intern_put(c->host_str);
	intern_put(c->evid_str);
	c->host_str = NULL;
	c->evid_str = NULL;
}

void cf_intern_get_stats(struct cf_intern_stats *st)
{
	pthread_mutex_lock(&tables_mu);
	*st = it.st;
	st->names = n_names ? n_names : CF_NID_STATIC;
	pthread_mutex_unlock(&tables_mu);
}

/* --- SDP media endpoints ------------------------------------------------ */

static uint16_t *sdp_bucket_of(struct cf_classifier *c, uint16_t port)
{
	return &c->sdp_bucket[port % CF_SDP_BUCKETS];
}

static struct cf_sdp_entry *sdp_find(struct cf_classifier *c, const cf_addr *a,
				     uint16_t port)
{
	uint16_t i;

	for (i = *sdp_bucket_of(c, port); i != 0; i = c->sdp[i - 1].next)
		if (c->sdp[i - 1].seen_us != 0 && c->sdp[i - 1].port == port &&
		    cf_addr_eq(&c->sdp[i - 1].addr, a))
			return &c->sdp[i - 1];
	return NULL;
}

/* Take ring entry k out of its port's chain (it is about to be reused). */
static void sdp_unlink(struct cf_classifier *c, uint32_t k)
{
	uint16_t *pp;

	if (c->sdp[k].seen_us == 0)
		return;
	for (pp = sdp_bucket_of(c, c->sdp[k].port); *pp != 0;
	     pp = &c->sdp[*pp - 1].next)
		if (*pp == k + 1) {
			*pp = c->sdp[k].next;
			return;
		}
}

void cf_sdp_remember(struct cf_classifier *c, const struct cf_sdp_media *m,
		     size_t n, uint64_t ts_us)
{
	struct cf_sdp_entry *e;
	uint32_t k;
	uint16_t *b;
	size_t i;

	for (i = 0; i < n; i++) {
		e = sdp_find(c, &m[i].addr, m[i].port);
		if (e == NULL) {
			k = c->sdp_next++ % CF_SDP_TABLE;
			sdp_unlink(c, k);
			e = &c->sdp[k];
			e->addr = m[i].addr;
			e->port = m[i].port;
			b = sdp_bucket_of(c, e->port);
			e->next = *b;
			*b = (uint16_t)(k + 1);
			c->st.sdp_media++;
		}
		e->seen_us = ts_us ? ts_us : 1;
	}
}

/* Is (a, port) an announced end, still fresh at ts_us? */
static int announced_at(const struct cf_classifier *c, const cf_addr *a,
			uint16_t port, uint64_t ts_us)
{
	const struct cf_sdp_entry *e;
	uint16_t i;

	for (i = c->sdp_bucket[port % CF_SDP_BUCKETS]; i != 0; i = e->next) {
		e = &c->sdp[i - 1];
		if (e->seen_us != 0 && ts_us <= e->seen_us + CF_SDP_KEEP_US &&
		    e->port == port && cf_addr_eq(&e->addr, a))
			return 1;
	}
	return 0;
}

/* Is end (a, port) an announced RTP port, or the RTCP port above one? */
static int announced(const struct cf_classifier *c, const cf_addr *a,
		     uint16_t port, uint64_t ts_us)
{
	return announced_at(c, a, port, ts_us) ||
	       announced_at(c, a, (uint16_t)(port - 1), ts_us);
}

int cf_sdp_announced(const struct cf_classifier *c, const struct cf_flow *f,
		     uint64_t ts_us)
{
	return f->proto == 17 &&
	       (announced(c, &f->ip[1], f->port[1], ts_us) ||
		announced(c, &f->ip[0], f->port[0], ts_us));
}

/* --- DNS ------------------------------------------------------------------ */

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
