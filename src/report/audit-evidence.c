/*
 * audit-evidence.c - --evidence DIR: for every alerted flow a small pcap
 * of its first packets, made from a second reading of the capture files
 * (capture/capture-dump.h), named after the alert, its SHA-256 in the
 * report.
 *
 * Caps: EV_PER_FLOW packets of each flow (its handshake, where the keys
 * showed, and its first media packets) and EV_TOTAL packets over all of
 * them.  Several alerts of one flow share its file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture-dump.h"
#include "decode/decode.h"
#include "output/crypto.h"
#include "report/audit-int.h"
#include "util/netaddr.h"

struct ev_slot {
	cf_addr l, r;
	unsigned lport, rport, proto;
	int valid;
	size_t owner;               /* the slot whose file this alert shares */
	struct cf_dump *d;
	unsigned n;
};

struct ev_run {
	struct ev_slot *slots;
	size_t n;
	unsigned total, full;
	struct cf_decode_stats st;
};

static int match(const struct ev_slot *s, const struct cf_packet *p)
{
	if (!s->valid || p->proto != s->proto)
		return 0;
	if (p->sport == s->lport && p->dport == s->rport && cf_addr_eq(&p->src, &s->l) &&
	    cf_addr_eq(&p->dst, &s->r))
		return 1;
	return p->sport == s->rport && p->dport == s->lport && cf_addr_eq(&p->src, &s->r) &&
	       cf_addr_eq(&p->dst, &s->l);
}

static int on_packet(void *ctx, enum cf_link link, int dlt, uint64_t ts_us,
		     const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct ev_run *e = ctx;
	struct cf_packet p;
	size_t i;

	memset(&p, 0, sizeof(p));
	if (link == CF_LINK_UNSUPPORTED ||
	    cf_decode(link, data, caplen, wirelen, &p, &e->st) != CF_DEC_OK)
		return 0;
	for (i = 0; i < e->n; i++) {
		struct ev_slot *s = &e->slots[i];

		if (s->owner != i || s->n >= EV_PER_FLOW || !match(s, &p))
			continue;
		if (s->d == NULL && (s->d = cf_dump_new(dlt)) == NULL)
			continue;
		if (cf_dump_dlt(s->d) != dlt)
			continue;       /* a later file of another link type */
		cf_dump_packet(s->d, ts_us, data, caplen, wirelen);
		if (++s->n == EV_PER_FLOW)
			e->full++;
		e->total++;
		break;
	}
	return e->total >= EV_TOTAL || e->full == e->n;
}

static void file_name(char *buf, size_t len, size_t i, const struct a_alert *x)
{
	char rule[48], ip[48];
	size_t k;

	snprintf(rule, sizeof(rule), "%s", *x->rule_id ? x->rule_id : "rule");
	snprintf(ip, sizeof(ip), "%s", *x->remote_ip ? x->remote_ip : "remote");
	for (k = 0; rule[k]; k++)
		if (!((rule[k] >= 'a' && rule[k] <= 'z') || (rule[k] >= 'A' && rule[k] <= 'Z') ||
		      (rule[k] >= '0' && rule[k] <= '9') || rule[k] == '-' || rule[k] == '.'))
			rule[k] = '_';
	for (k = 0; ip[k]; k++)
		if (!((ip[k] >= '0' && ip[k] <= '9') || (ip[k] >= 'a' && ip[k] <= 'f') ||
		      (ip[k] >= 'A' && ip[k] <= 'F') || ip[k] == '.'))
			ip[k] = '_';
	snprintf(buf, len, "alert-%03zu-%s-%s.pcap", i + 1, rule, ip);
}

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t len,
		      char *err, size_t errlen)
{
	char path[4096];
	size_t done = 0;
	ssize_t w;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s: write error: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void prepare(struct cf_audit *a, struct ev_run *e)
{
	size_t i, j;

	for (i = 0; i < e->n; i++) {
		struct ev_slot *s = &e->slots[i];
		const struct a_alert *x = &a->alerts[i];

		s->owner = i;
		s->valid = cf_addr_parse(x->local_ip, &s->l) == 0 &&
			   cf_addr_parse(x->remote_ip, &s->r) == 0 &&
			   (strcmp(x->transport, "tcp") == 0 || strcmp(x->transport, "udp") == 0);
		s->proto = strcmp(x->transport, "tcp") == 0 ? 6 : 17;
		s->lport = x->lport;
		s->rport = x->rport;
		if (!s->valid) {
			e->full++;      /* nothing to wait for */
			continue;
		}
		for (j = 0; j < i; j++)
			if (e->slots[j].valid && e->slots[j].owner == j &&
			    strcmp(a->alerts[j].obs, x->obs) == 0 &&
			    e->slots[j].proto == s->proto && e->slots[j].lport == s->lport &&
			    e->slots[j].rport == s->rport && cf_addr_eq(&e->slots[j].l, &s->l) &&
			    cf_addr_eq(&e->slots[j].r, &s->r)) {
				s->owner = j;
				e->full++;
				break;
			}
	}
}

void cf_audit_evidence_href(struct cf_audit *a, const char *href_dir)
{
	snprintf(a->evidence_href, sizeof(a->evidence_href), "%s", href_dir);
}

int cf_audit_evidence(struct cf_audit *a, struct cf_rescan *r, const char *dir,
		      char *err, size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	struct ev_run e;
	size_t i, k;
	int rc = 0;

	a_finish(a);
	snprintf(a->evidence_dir, sizeof(a->evidence_dir), "%s", dir);
	if (a->n_alerts == 0)
		return 0;
	memset(&e, 0, sizeof(e));
	e.n = a->n_alerts;
	e.slots = calloc(e.n, sizeof(*e.slots));
	if (e.slots == NULL) {
		snprintf(err, errlen, "--evidence: out of memory");
		return -1;
	}
	prepare(a, &e);
	if (cf_rescan_run(r, on_packet, &e, err, errlen) < 0)
		rc = -1;
	for (i = 0; i < e.n; i++) {
		struct ev_slot *s = &e.slots[i];
		struct a_alert *x = &a->alerts[i];
		uint8_t digest[CF_SHA256_LEN];
		const uint8_t *bytes;
		char name[160], sha[2 * CF_SHA256_LEN + 1];
		size_t len;

		if (s->owner != i) {   /* shares the file of an earlier alert */
			x->pcap = a->alerts[s->owner].pcap;
			x->pcap_sha = a->alerts[s->owner].pcap_sha;
			x->pcap_packets = a->alerts[s->owner].pcap_packets;
			continue;
		}
		if (s->d == NULL || rc < 0)
			continue;
		if (cf_dump_bytes(s->d, &bytes, &len) < 0 || cf_sha256(bytes, len, digest) < 0) {
			snprintf(err, errlen, "--evidence: the capture of alert %zu could not be "
				 "made", i + 1);
			rc = -1;
			continue;
		}
		for (k = 0; k < CF_SHA256_LEN; k++) {
			sha[2 * k] = hex[digest[k] >> 4];
			sha[2 * k + 1] = hex[digest[k] & 15];
		}
		sha[2 * CF_SHA256_LEN] = '\0';
		file_name(name, sizeof(name), i, x);
		if (write_file(dir, name, bytes, len, err, errlen) < 0) {
			rc = -1;
			continue;
		}
		x->pcap = a_keep(a, name);
		x->pcap_sha = a_keep(a, sha);
		x->pcap_packets = s->n;
		a->evidence_files++;
	}
	a->evidence_packets = e.total;
	for (i = 0; i < e.n; i++)
		cf_dump_free(e.slots[i].d);
	free(e.slots);
	return rc;
}
