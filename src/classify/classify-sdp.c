/*
 * classify-sdp.c - what a SIP message tells about flows to come: the media
 * endpoints its SDP announces (c= address, m= port), so that the RTP and
 * RTCP flows that follow are known as announced.
 *
 * The classifier keeps them in a small ring of CF_SDP_TABLE entries, each
 * good for CF_SDP_KEEP_US of packet time, found through buckets by port
 * (the RTP port and the RTCP port above it are two probes), never by a
 * scan per packet.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "classify/classify-int.h"
#include "flow/flow.h"

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
		     size_t n, uint64_t ts_us, int kind, uint64_t call)
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
		e->kind = (uint8_t)kind;
		e->call = call;
	}
}

/* Is (a, port) an announced end, still fresh at ts_us?  Its kind, 0 no. */
static int announced_at(const struct cf_classifier *c, const cf_addr *a,
			uint16_t port, uint64_t ts_us)
{
	const struct cf_sdp_entry *e;
	uint16_t i;

	for (i = c->sdp_bucket[port % CF_SDP_BUCKETS]; i != 0; i = e->next) {
		e = &c->sdp[i - 1];
		if (e->seen_us != 0 && ts_us <= e->seen_us + CF_SDP_KEEP_US &&
		    e->port == port && cf_addr_eq(&e->addr, a))
			return e->kind ? e->kind : CF_ANN_SIP;
	}
	return 0;
}

/* Is end (a, port) an announced RTP port, or the RTCP port above one? */
static int announced(const struct cf_classifier *c, const cf_addr *a,
		     uint16_t port, uint64_t ts_us)
{
	int k = announced_at(c, a, port, ts_us);

	return k ? k : announced_at(c, a, (uint16_t)(port - 1), ts_us);
}

int cf_sdp_announced(const struct cf_classifier *c, const struct cf_flow *f,
		     uint64_t ts_us)
{
	int k;

	if (f->proto != 17)
		return 0;
	k = announced(c, &f->ip[1], f->port[1], ts_us);
	return k ? k : announced(c, &f->ip[0], f->port[0], ts_us);
}

/* The entry announcing (a, port) or the RTCP port above it, fresh at ts_us. */
static const struct cf_sdp_entry *entry_at(const struct cf_classifier *c,
					   const cf_addr *a, uint16_t port,
					   uint64_t ts_us)
{
	const struct cf_sdp_entry *e;
	uint16_t i;
	int k;

	for (k = 0; k < 2; k++, port--)
		for (i = c->sdp_bucket[port % CF_SDP_BUCKETS]; i != 0; i = e->next) {
			e = &c->sdp[i - 1];
			if (e->seen_us != 0 && ts_us <= e->seen_us + CF_SDP_KEEP_US &&
			    e->port == port && cf_addr_eq(&e->addr, a))
				return e;
		}
	return NULL;
}

uint64_t cf_sdp_call(const struct cf_classifier *c, const struct cf_flow *f,
		     uint64_t ts_us, int *kind)
{
	const struct cf_sdp_entry *e;
	int i;

	if (f->proto != 17)
		return 0;
	for (i = 1; i >= 0; i--) {
		e = entry_at(c, &f->ip[i], f->port[i], ts_us);
		if (e != NULL && e->call != 0) {
			*kind = e->kind;
			return e->call;
		}
	}
	return 0;
}
