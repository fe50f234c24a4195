/*
 * dns-resolv.c - A, AAAA and CNAME answers of a DNS response, read with
 * glibc's libresolv (ns_initparse, ns_parserr, ns_name_uncompress): the
 * only file that includes <resolv.h>.  Link with -lresolv.
 *
 * RFC 1035 section 4.1: header (id, flags QR/opcode/RCODE, counts), then
 * the question, answer, authority and additional sections.  libresolv
 * checks every length against the end of the message; names come out
 * uncompressed in presentation form (odd bytes escaped as \DDD).
 *
 * The name kept for an address is, of the CNAME chain that leads to it,
 * the first name (from the question on) the caller prefers (classify
 * prefers a name the app catalog knows), else the chain's start: what the
 * client asked for ("teams.microsoft.com" rather than the CDN's
 * "s-0005.s-msedge.net"; but "zoomiad3mmr.zoom.us" behind a vanity name).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>

#include "classify/dns-cache.h"

#define CNAME_MAX 8             /* CNAME records kept, and chain steps walked */
#define CHAIN_NAME_LEN 256

struct cname {
	char owner[CHAIN_NAME_LEN];
	char target[CHAIN_NAME_LEN];
};

struct chain {
	struct cname c[CNAME_MAX];
	int n;
};

/* Copy src (presentation form) lower-cased without a trailing dot; -1
 * when it does not fit cap. */
static int norm_name(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src), i;

	if (n > 1 && src[n - 1] == '.')
		n--;
	if (n == 0 || n >= cap)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[n] = '\0';
	return 0;
}

static void add_cname(const ns_msg *h, const ns_rr *rr, struct chain *ch)
{
	char target[NS_MAXDNAME];
	struct cname *c;

	if (ch->n >= CNAME_MAX ||
	    ns_name_uncompress(ns_msg_base(*h), ns_msg_end(*h), ns_rr_rdata(*rr),
			       target, sizeof(target)) < 0)
		return;
	c = &ch->c[ch->n];
	if (norm_name(c->owner, sizeof(c->owner), ns_rr_name(*rr)) == 0 &&
	    norm_name(c->target, sizeof(c->target), target) == 0)
		ch->n++;
}

/*
 * Walk from name (an address record's owner) back along the CNAMEs to the
 * chain's start; then forward again, the first name prefer() likes wins,
 * else the start.
 */
static const char *chain_pick(const struct chain *ch, const char *name,
			      cf_dns_prefer_fn prefer, void *ctx)
{
	const char *path[CNAME_MAX + 1];
	int step, i, n = 0;

	path[n++] = name;
	for (step = 0; step < CNAME_MAX; step++) {
		for (i = 0; i < ch->n; i++)
			if (strcasecmp(ch->c[i].target, path[n - 1]) == 0)
				break;
		if (i == ch->n)
			break;
		path[n++] = ch->c[i].owner;
	}
	for (i = n - 1; prefer != NULL && i >= 0; i--)
		if (prefer(path[i], ctx))
			return path[i];
	return path[n - 1];
}

/* An A or AAAA record into *a; -1 if it is neither or malformed. */
static int address_rr(const ns_rr *rr, struct cf_dns_answer *a)
{
	if (ns_rr_class(*rr) != ns_c_in)
		return -1;
	if (ns_rr_type(*rr) == ns_t_a && ns_rr_rdlen(*rr) == 4)
		cf_addr_from_v4(&a->addr, ns_rr_rdata(*rr));
	else if (ns_rr_type(*rr) == ns_t_aaaa && ns_rr_rdlen(*rr) == 16)
		cf_addr_from_v6(&a->addr, ns_rr_rdata(*rr));
	else
		return -1;
	a->ttl = ns_rr_ttl(*rr);
	return 0;
}

static int is_response(ns_msg *h)
{
	return ns_msg_getflag(*h, ns_f_qr) == 1 &&
	       ns_msg_getflag(*h, ns_f_opcode) == ns_o_query &&
	       ns_msg_getflag(*h, ns_f_rcode) == ns_r_noerror;
}

int cf_dns_parse_answers(const uint8_t *p, size_t len,
			 struct cf_dns_answer *out, size_t max,
			 cf_dns_prefer_fn prefer, void *ctx)
{
	ns_msg h;
	ns_rr rr;
	struct chain ch;
	char owner[CHAIN_NAME_LEN];
	int i, count;
	size_t n = 0;

	if (len < NS_HFIXEDSZ || len > NS_MAXMSG ||
	    ns_initparse(p, (int)len, &h) < 0 || !is_response(&h))
		return -1;
	count = ns_msg_count(h, ns_s_an);
	ch.n = 0;
	for (i = 0; i < count; i++)
		if (ns_parserr(&h, ns_s_an, i, &rr) == 0 &&
		    ns_rr_type(rr) == ns_t_cname && ns_rr_class(rr) == ns_c_in)
			add_cname(&h, &rr, &ch);
	for (i = 0; i < count && n < max; i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) < 0)
			break;
		if (address_rr(&rr, &out[n]) < 0 ||
		    norm_name(owner, sizeof(owner), ns_rr_name(rr)) < 0 ||
		    norm_name(out[n].name, sizeof(out[n].name),
			      chain_pick(&ch, owner, prefer, ctx)) < 0)
			continue;
		n++;
	}
	return (int)n;
}

int cf_dns_parse_response(const uint8_t *p, size_t len,
			  struct cf_dns_answer *out, size_t max)
{
	return cf_dns_parse_answers(p, len, out, max, NULL, NULL);
}
