/*
 * capture-pcap.c - offline input: pcap and pcapng files through libpcap.
 *
 * Files are read one after the other with microsecond time stamps; each
 * one's link type is mapped to enum cf_link and the BPF filter is compiled
 * for it.  A record cut short at the end of a file (a capture still being
 * written, or copied while it was) ends that file quietly and is counted.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap.h>

#include "capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#define LINKTYPE_RAW 101

#define PROGRESS_EVERY 65536

static volatile sig_atomic_t stop_requested;

void cf_capture_stop(void)
{
	stop_requested = 1;
}

/* Our link type for a libpcap DLT_ value. */
static enum cf_link map_dlt(int dlt)
{
	if (dlt == DLT_EN10MB)
		return CF_LINK_ETHERNET;
	if (dlt == DLT_LINUX_SLL)
		return CF_LINK_SLL;
	if (dlt == DLT_LINUX_SLL2)
		return CF_LINK_SLL2;
	if (dlt == DLT_RAW || dlt == LINKTYPE_RAW || dlt == DLT_IPV4 ||
	    dlt == DLT_IPV6)
		return CF_LINK_RAW;
	if (dlt == DLT_NULL)
		return CF_LINK_NULL;
	if (dlt == DLT_LOOP)
		return CF_LINK_LOOP;
	return CF_LINK_UNSUPPORTED;
}

/* Size of a file to read, 0 when unknown (stdin from a pipe, ...). */
static uint64_t file_size(const char *name)
{
	struct stat sb;
	int r;

	r = strcmp(name, "-") == 0 ? fstat(0, &sb) : stat(name, &sb);
	if (r != 0 || !S_ISREG(sb.st_mode))
		return 0;
	return (uint64_t)sb.st_size;
}

/* "name: msg", without doubling a name libpcap already put in front. */
static void set_err(char *err, size_t errlen, const char *name,
		    const char *msg)
{
	size_t n = strlen(name);

	if (strncmp(msg, name, n) == 0 && msg[n] == ':')
		snprintf(err, errlen, "%s", msg);
	else
		snprintf(err, errlen, "%s: %s", name, msg);
}

static int apply_filter(pcap_t *p, const char *name, const char *filter,
			char *err, size_t errlen)
{
	struct bpf_program prog;
	char msg[PCAP_ERRBUF_SIZE + 64];
	int r;

	if (filter == NULL || filter[0] == '\0')
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(msg, sizeof(msg), "bad filter \"%s\": %s", filter,
			 pcap_geterr(p));
		set_err(err, errlen, name, msg);
		return CF_CAPTURE_ECONFIG;
	}
	r = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (r != 0) {
		snprintf(msg, sizeof(msg), "cannot set filter: %s",
			 pcap_geterr(p));
		set_err(err, errlen, name, msg);
		return CF_CAPTURE_ECONFIG;
	}
	return 0;
}

/* Open one file and check its link type; NULL with err set on failure. */
static pcap_t *open_file(const char *name, enum cf_link *link, char *err,
			 size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	char msg[96];
	const char *dname;
	pcap_t *p;
	int dlt;

	p = pcap_open_offline_with_tstamp_precision(name,
			PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (p == NULL) {
		set_err(err, errlen, name, ebuf[0] ? ebuf : "cannot open");
		return NULL;
	}
	dlt = pcap_datalink(p);
	*link = map_dlt(dlt);
	if (*link == CF_LINK_UNSUPPORTED) {
		dname = pcap_datalink_val_to_name(dlt);
		if (dname == NULL && dlt >= DLT_USER0 && dlt <= DLT_USER15)
			snprintf(msg, sizeof(msg),
				 "unsupported link type %d (USER%d)", dlt,
				 dlt - DLT_USER0);
		else
			snprintf(msg, sizeof(msg),
				 "unsupported link type %d (%s)", dlt,
				 dname ? dname : "unknown");
		set_err(err, errlen, name, msg);
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* Bytes of the current file read so far (0 if the stream cannot tell). */
static uint64_t file_pos(pcap_t *p)
{
	FILE *fp = pcap_file(p);
	long pos = fp ? ftell(fp) : -1;

	return pos > 0 ? (uint64_t)pos : 0;
}

/*
 * pcap_next_ex failed: a short read at end of file is a truncated last
 * record (libpcap then reports "truncated dump file..."), anything else a
 * read error.  Returns 0 or CF_CAPTURE_EIO.
 */
static int read_failed(pcap_t *p, const char *name,
		       struct cf_capture_stats *st, char *err, size_t errlen)
{
	FILE *fp = pcap_file(p);

	if (fp != NULL && feof(fp) && !ferror(fp)) {
		st->truncated_records++;
		return 0;
	}
	st->read_errors++;
	set_err(err, errlen, name, pcap_geterr(p));
	return CF_CAPTURE_EIO;
}

struct run {
	cf_packet_fn fn;
	cf_progress_fn progress;
	void *ctx;
	struct cf_capture_stats *st;
	uint64_t done_before;        /* sizes of the files already read */
	uint64_t done_at_stop;       /* bytes read when a stop was honoured */
};

/* Deliver the packets of one open file.  Returns 0 or CF_CAPTURE_EIO. */
static int read_packets(struct run *r, pcap_t *p, enum cf_link link,
			const char *name, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t ts;
	int rc;

	while (!stop_requested) {
		rc = pcap_next_ex(p, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1)
			return read_failed(p, name, r->st, err, errlen);
		ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		r->st->packets++;
		r->st->bytes_captured += h->caplen;
		r->fn(r->ctx, link, ts, data, h->caplen, h->len);
		if (r->progress && r->st->packets % PROGRESS_EVERY == 0)
			r->progress(r->ctx, r->done_before + file_pos(p),
				    r->st->bytes_total, r->st->packets);
	}
	r->st->stopped = 1;
	return 0;
}

static int read_file(struct run *r, const char *name, const char *filter,
		     char *err, size_t errlen)
{
	enum cf_link link;
	pcap_t *p;
	int rc;

	p = open_file(name, &link, err, errlen);
	if (p == NULL)
		return CF_CAPTURE_EIO;
	r->st->files++;
	rc = apply_filter(p, name, filter, err, errlen);
	if (rc == 0)
		rc = read_packets(r, p, link, name, err, errlen);
	if (r->st->stopped)
		r->done_at_stop = r->done_before + file_pos(p);
	pcap_close(p);
	return rc;
}

int cf_capture_files(const char *const *files, size_t nfiles,
		     const char *filter, cf_packet_fn fn,
		     cf_progress_fn progress, void *ctx,
		     struct cf_capture_stats *st, char *err, size_t errlen)
{
	struct run r = { fn, progress, ctx, st, 0, 0 };
	size_t i;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (errlen > 0)
		err[0] = '\0';
	for (i = 0; i < nfiles; i++)
		st->bytes_total += file_size(files[i]);
	for (i = 0; i < nfiles && rc == 0 && !st->stopped; i++) {
		rc = read_file(&r, files[i], filter, err, errlen);
		r.done_before += file_size(files[i]);
	}
	if (rc == 0 && progress != NULL)
		progress(ctx, st->stopped ? r.done_at_stop : st->bytes_total,
			 st->bytes_total, st->packets);
	stop_requested = 0;
	return rc;
}
