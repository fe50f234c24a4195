/*
 * capture-dump.c - evidence captures: a second reading of the capture
 * files, and pcap files written by pcap_dump into memory streams
 * (capture-dump.h).
 *
 * Why read again rather than keep packets during the run: an offline run
 * reads files, which can be read twice, so the hot path keeps nothing
 * and allocates nothing for the evidence, and the cost (one more pass,
 * with no decoding beyond the addresses) is paid only with --evidence.
 */
#include "config.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture-dump.h"

/* as capture-pcap.c: link types older headers lack */
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef LINKTYPE_RAW
#define LINKTYPE_RAW 101
#endif

struct cf_rescan {
	FILE **fps;
	const char **names;
	size_t n;
};

struct cf_dump {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	char *buf;
	size_t len;
	int dlt;
};

static enum cf_link link_of(int dlt)
{
	if (dlt == DLT_EN10MB)
		return CF_LINK_ETHERNET;
	if (dlt == DLT_LINUX_SLL)
		return CF_LINK_SLL;
	if (dlt == DLT_LINUX_SLL2)
		return CF_LINK_SLL2;
	if (dlt == DLT_RAW || dlt == LINKTYPE_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6)
		return CF_LINK_RAW;
	if (dlt == DLT_NULL)
		return CF_LINK_NULL;
	if (dlt == DLT_LOOP)
		return CF_LINK_LOOP;
	return CF_LINK_UNSUPPORTED;
}

struct cf_rescan *cf_rescan_open(const char *const *files, size_t n, size_t *skipped,
				 char *err, size_t errlen)
{
	struct cf_rescan *r = calloc(1, sizeof(*r));
	size_t i;

	*skipped = 0;
	if (r == NULL || (r->fps = calloc(n ? n : 1, sizeof(*r->fps))) == NULL ||
	    (r->names = calloc(n ? n : 1, sizeof(*r->names))) == NULL) {
		snprintf(err, errlen, "--evidence: out of memory");
		cf_rescan_close(r);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(files[i], "-") == 0) {
			(*skipped)++;
			continue;
		}
		r->fps[r->n] = fopen(files[i], "rb");
		if (r->fps[r->n] == NULL) {
			snprintf(err, errlen, "%s: %s", files[i], strerror(errno));
			cf_rescan_close(r);
			return NULL;
		}
		r->names[r->n++] = files[i];
	}
	return r;
}

int cf_rescan_run(struct cf_rescan *r, cf_rescan_fn fn, void *ctx, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t i;
	int rc, stop = 0;

	for (i = 0; i < r->n && !stop; i++) {
		pcap_t *p;
		int dlt;

		ebuf[0] = '\0';
		p = pcap_fopen_offline_with_tstamp_precision(r->fps[i],
				PCAP_TSTAMP_PRECISION_MICRO, ebuf);
		r->fps[i] = NULL;   /* pcap owns it now, closed or not */
		if (p == NULL) {
			snprintf(err, errlen, "%s: %s", r->names[i], ebuf[0] ? ebuf : "cannot open");
			return -1;
		}
		dlt = pcap_datalink(p);
		while (!stop && (rc = pcap_next_ex(p, &h, &data)) == 1)
			stop = fn(ctx, link_of(dlt), dlt,
				  (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec,
				  data, h->caplen, h->len);
		pcap_close(p);
	}
	return 0;
}

void cf_rescan_close(struct cf_rescan *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; r->fps != NULL && i < r->n; i++)
		if (r->fps[i] != NULL)
			fclose(r->fps[i]);
	free(r->fps);
	free(r->names);
	free(r);
}

struct cf_dump *cf_dump_new(int dlt)
{
	struct cf_dump *d = calloc(1, sizeof(*d));
	FILE *f;

	if (d == NULL)
		return NULL;
	d->dlt = dlt;
	d->dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_MICRO);
	f = open_memstream(&d->buf, &d->len);
	if (d->dead == NULL || f == NULL) {
		if (f != NULL)
			fclose(f);
		cf_dump_free(d);
		return NULL;
	}
	d->dumper = pcap_dump_fopen(d->dead, f);
	if (d->dumper == NULL) {
		fclose(f);
		cf_dump_free(d);
		return NULL;
	}
	return d;
}

int cf_dump_dlt(const struct cf_dump *d)
{
	return d->dlt;
}

void cf_dump_packet(struct cf_dump *d, uint64_t ts_us, const uint8_t *data,
		    uint32_t caplen, uint32_t wirelen)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(ts_us % 1000000u);
	h.caplen = caplen;
	h.len = wirelen;
	pcap_dump((u_char *)d->dumper, &h, data);
}

int cf_dump_bytes(struct cf_dump *d, const uint8_t **data, size_t *len)
{
	if (pcap_dump_flush(d->dumper) != 0)
		return -1;
	*data = (const uint8_t *)d->buf;
	*len = d->len;
	return 0;
}

void cf_dump_free(struct cf_dump *d)
{
	if (d == NULL)
		return;
	if (d->dumper != NULL)
		pcap_dump_close(d->dumper);
	if (d->dead != NULL)
		pcap_close(d->dead);
	free(d->buf);
	free(d);
}
