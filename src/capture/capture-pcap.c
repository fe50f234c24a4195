/*
 * capture-pcap.c - packets through libpcap: pcap and pcapng files, and live
 * interfaces.
 *
 * Files are read one after the other with microsecond time stamps; each
 * one's link type is mapped to enum cf_link and the BPF filter is compiled
 * for it.  A record cut short at the end of a file (a capture still being
 * written, or copied while it was) ends that file quietly and is counted.
 *
 * Live interfaces are opened non-blocking, not in immediate mode: the
 * kernel fills blocks of the ring (TPACKET_V3) with packets packed by
 * their length and hands a block over when it is full or after
 * CF_LIVE_TIMEOUT_MS; the caller polls cf_live_fd() and drains what is
 * waiting with cf_live_dispatch().  Immediate mode would give every packet
 * a slot sized for the largest frame (64 KiB on interfaces with
 * offloads): a 2 MiB buffer then held 32 packets and a burst was lost
 * (tests/live/test-live-burst.sh).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap.h>

#include "capture/capture.h"
#include "sandbox/sandbox.h"

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

/* The stdio buffer of the capture file being read: one file is open at a
 * time (files are read one after the other, by one thread). */
#define FILE_BUF (256u << 10)
static char file_buf[FILE_BUF];

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

/* The capture in the stream fp (opened by open_streams, nothing read from
 * it yet): its header, its link type.  NULL with err set on failure (fp
 * then closed). */
static pcap_t *open_file(FILE *fp, const char *name, enum cf_link *link,
			 int *dlt, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	char msg[96];
	const char *dname;
	pcap_t *p;

	/* libpcap freads each record (header, then data) from the stream;
	 * with stdio's default buffer of one block that is a read(2) every
	 * 4 KiB.  A buffer of FILE_BUF bytes takes a fifth off the reading
	 * (docs/performance.md); larger ones fall out of the L2 cache.  Only
	 * this thread reads the file: with --threads, stdio would otherwise
	 * lock the stream on every fread (two a packet).  One file is read
	 * at a time, and nothing was read from this stream yet, so it can
	 * take the buffer now. */
	setvbuf(fp, file_buf, _IOFBF, sizeof(file_buf));
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	p = pcap_fopen_offline_with_tstamp_precision(fp,
			PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (p == NULL) {
		if (fp != stdin)
			fclose(fp);
		set_err(err, errlen, name, ebuf[0] ? ebuf : "cannot open");
		return NULL;
	}
	*dlt = pcap_datalink(p);
	*link = map_dlt(*dlt);
	if (*link == CF_LINK_UNSUPPORTED) {
		dname = pcap_datalink_val_to_name(*dlt);
		if (dname == NULL && *dlt >= DLT_USER0 && *dlt <= DLT_USER15)
			snprintf(msg, sizeof(msg),
				 "unsupported link type %d (USER%d)", *dlt,
				 *dlt - DLT_USER0);
		else
			snprintf(msg, sizeof(msg),
				 "unsupported link type %d (%s)", *dlt,
				 dname ? dname : "unknown");
		set_err(err, errlen, name, msg);
		pcap_close(p);
		return NULL;
	}
	return p;
}

/*
 * The BPF filter compiled ahead for every link type callfence decodes,
 * before any capture file is parsed (pcap_compile may look names up in
 * /etc/services or DNS: not allowed once the sandbox is on).  A file's
 * filter is then the one compiled for its link type; a filter that does
 * not compile for it is reported when that file is reached, as before.
 */
static const int filter_dlts[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6,
	DLT_NULL, DLT_LOOP,
};
#define N_FILTER_DLTS (sizeof(filter_dlts) / sizeof(filter_dlts[0]))

struct filters {
	const char *expr;                       /* NULL or "": no filter */
	int ok[N_FILTER_DLTS];                  /* 1: prog[i] compiled */
	struct bpf_program prog[N_FILTER_DLTS];
	char why[N_FILTER_DLTS][PCAP_ERRBUF_SIZE];
};

static void filters_compile(struct filters *f, const char *expr)
{
	pcap_t *dead;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->expr = expr;
	if (expr == NULL || expr[0] == '\0')
		return;
	for (i = 0; i < N_FILTER_DLTS; i++) {
		dead = pcap_open_dead(filter_dlts[i], CF_LIVE_SNAPLEN);
		if (dead == NULL) {
			snprintf(f->why[i], sizeof(f->why[i]), "out of memory");
			continue;
		}
		if (pcap_compile(dead, &f->prog[i], expr, 1,
				 PCAP_NETMASK_UNKNOWN) == 0)
			f->ok[i] = 1;
		else
			snprintf(f->why[i], sizeof(f->why[i]), "%s",
				 pcap_geterr(dead));
		pcap_close(dead);
	}
}

static void filters_free(struct filters *f)
{
	size_t i;

	for (i = 0; i < N_FILTER_DLTS; i++)
		if (f->ok[i])
			pcap_freecode(&f->prog[i]);
}

/* Set the filter compiled for p's link type (dlt one callfence decodes). */
static int filters_apply(struct filters *f, pcap_t *p, int dlt,
			 const char *name, char *err, size_t errlen)
{
	char msg[PCAP_ERRBUF_SIZE + 256];
	size_t i;

	if (f->expr == NULL || f->expr[0] == '\0')
		return 0;
	for (i = 0; i < N_FILTER_DLTS && filter_dlts[i] != dlt; i++)
		;
	if (i == N_FILTER_DLTS || !f->ok[i]) {
		snprintf(msg, sizeof(msg), "bad filter \"%s\": %s", f->expr,
			 i == N_FILTER_DLTS ? "link type not compiled for" : f->why[i]);
		set_err(err, errlen, name, msg);
		return CF_CAPTURE_ECONFIG;
	}
	if (pcap_setfilter(p, &f->prog[i]) != 0) {
		snprintf(msg, sizeof(msg), "cannot set filter: %s", pcap_geterr(p));
		set_err(err, errlen, name, msg);
		return CF_CAPTURE_ECONFIG;
	}
	return 0;
}

/* Open every input as a stream, nothing read yet: NULL entries on error
 * (err names the file; those opened are closed again). */
static int open_streams(const char *const *files, size_t nfiles, FILE **fps,
			char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < nfiles; i++) {
		fps[i] = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "rb");
		if (fps[i] == NULL) {
			set_err(err, errlen, files[i], strerror(errno));
			while (i-- > 0) {
				if (fps[i] != stdin)
					fclose(fps[i]);
				fps[i] = NULL;
			}
			return CF_CAPTURE_EIO;
		}
	}
	return 0;
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

/* Read one file from its stream (closed here). */
static int read_file(struct run *r, FILE *fp, const char *name,
		     struct filters *f, char *err, size_t errlen)
{
	enum cf_link link;
	pcap_t *p;
	int dlt, rc;

	cf_sandbox_trace(name);
	p = open_file(fp, name, &link, &dlt, err, errlen);
	if (p == NULL)
		return CF_CAPTURE_EIO;
	r->st->files++;
	rc = filters_apply(f, p, dlt, name, err, errlen);
	if (rc == 0)
		rc = read_packets(r, p, link, name, err, errlen);
	if (r->st->stopped)
		r->done_at_stop = r->done_before + file_pos(p);
	pcap_close(p);
	return rc;
}

/* What became of file name after read_file gave rc (packets and truncated
 * records before it: p0, t0). */
static void note_input(struct cf_capture_input *in, const struct cf_capture_stats *st,
		       const char *name, int rc, uint64_t p0, uint64_t t0,
		       const char *err)
{
	size_t n = strlen(name);

	in->packets = st->packets - p0;
	in->truncated_records = st->truncated_records - t0;
	if (rc != 0) {
		in->status = CF_INPUT_FAILED;
		/* err is "NAME: problem" */
		if (strncmp(err, name, n) == 0 && err[n] == ':' && err[n + 1] == ' ')
			err += n + 2;
		snprintf(in->error, sizeof(in->error), "%s", err);
	} else if (st->stopped) {
		in->status = CF_INPUT_STOPPED;
	} else {
		in->status = in->truncated_records > 0 ? CF_INPUT_TRUNCATED : CF_INPUT_READ;
	}
}

/*
 * Every input is opened (fopen, nothing read) and the filter compiled
 * before the first byte of any capture is parsed; then the seccomp sandbox
 * goes on if the program armed it (sandbox.h), and only then are the files
 * parsed, headers included, one after the other.
 */
int cf_capture_files(const char *const *files, size_t nfiles,
		     const char *filter, cf_packet_fn fn,
		     cf_progress_fn progress, void *ctx,
		     struct cf_capture_stats *st, char *err, size_t errlen)
{
	return cf_capture_files_each(files, nfiles, filter, fn, progress, ctx, st,
				     NULL, err, errlen);
}

const char *cf_capture_lib_version(void)
{
	return pcap_lib_version();
}

int cf_capture_files_each(const char *const *files, size_t nfiles,
			  const char *filter, cf_packet_fn fn,
			  cf_progress_fn progress, void *ctx,
			  struct cf_capture_stats *st, struct cf_capture_input *each,
			  char *err, size_t errlen)
{
	struct run r = { fn, progress, ctx, st, 0, 0 };
	struct filters *f;
	uint64_t *sizes;
	FILE **fps;
	uint64_t p0, t0;
	size_t i;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (each != NULL)
		memset(each, 0, nfiles * sizeof(*each));
	if (errlen > 0)
		err[0] = '\0';
	f = malloc(sizeof(*f));
	fps = calloc(nfiles + 1, sizeof(*fps));
	sizes = calloc(nfiles + 1, sizeof(*sizes));
	if (f == NULL || fps == NULL || sizes == NULL) {
		snprintf(err, errlen, "%s: out of memory", nfiles ? files[0] : "-");
		free(f);
		free(fps);
		free(sizes);
		return CF_CAPTURE_EIO;
	}
	for (i = 0; i < nfiles; i++) {
		sizes[i] = file_size(files[i]);
		st->bytes_total += sizes[i];
	}
	filters_compile(f, filter);
	rc = open_streams(files, nfiles, fps, err, errlen);
	if (rc != 0 && each != NULL) {
		/* the file that could not be opened: its name starts err */
		for (i = 0; i < nfiles; i++)
			if (strncmp(err, files[i], strlen(files[i])) == 0 &&
			    err[strlen(files[i])] == ':') {
				note_input(&each[i], st, files[i], rc, 0, 0, err);
				break;
			}
	}
	if (rc == 0 && cf_sandbox_enter(err, errlen) != 0)
		rc = CF_CAPTURE_EIO;
	for (i = 0; i < nfiles && rc == 0 && !st->stopped; i++) {
		p0 = st->packets, t0 = st->truncated_records;
		rc = read_file(&r, fps[i], files[i], f, err, errlen);
		fps[i] = NULL;
		r.done_before += sizes[i];
		if (each != NULL)
			note_input(&each[i], st, files[i], rc, p0, t0, errlen > 0 ? err : "");
	}
	/* files left unread after an error or a stop */
	for (i = 0; i < nfiles; i++)
		if (fps[i] != NULL && fps[i] != stdin)
			fclose(fps[i]);
	filters_free(f);
	free(f);
	free(fps);
	free(sizes);
	if (rc == 0 && progress != NULL)
		progress(ctx, st->stopped ? r.done_at_stop : st->bytes_total,
			 st->bytes_total, st->packets);
	stop_requested = 0;
	return rc;
}

/* ---- live capture --------------------------------------------------- */

struct cf_live {
	pcap_t *p;
	enum cf_link link;
	int fd;
	char name[64];
	cf_packet_fn fn;          /* set for the length of one dispatch */
	void *ctx;
};

/* Our message for a pcap_activate() failure; returns the CF_CAPTURE_ code. */
static int activate_failed(pcap_t *p, const char *name, int rc, char *err,
			   size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(err, errlen, "%s: no such interface", name);
		return CF_CAPTURE_ENODEV;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(err, errlen, "%s: interface is down", name);
		return CF_CAPTURE_EDOWN;
	case PCAP_ERROR_PERM_DENIED:
		snprintf(err, errlen, "%s: permission denied (live capture needs "
			 "root or CAP_NET_RAW)", name);
		return CF_CAPTURE_EIO;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(err, errlen, "%s: not allowed to turn on promiscuous "
			 "mode (-p turns it off)", name);
		return CF_CAPTURE_EIO;
	}
	set_err(err, errlen, name, rc == PCAP_ERROR ? pcap_geterr(p)
						   : pcap_statustostr(rc));
	return CF_CAPTURE_EIO;
}

/* Snapshot length, buffer, promiscuous mode, the block timeout (no
 * immediate mode: see the top of this file); then activate. */
static int live_activate(pcap_t *p, const char *name,
			 const struct cf_live_config *c, char *err, size_t errlen)
{
	int rc;

	pcap_set_snaplen(p, c->snaplen > 0 ? c->snaplen : CF_LIVE_SNAPLEN);
	pcap_set_promisc(p, c->promisc ? 1 : 0);
	pcap_set_timeout(p, CF_LIVE_TIMEOUT_MS);
	pcap_set_immediate_mode(p, 0);
	pcap_set_buffer_size(p, c->buffer_bytes > 0 ? c->buffer_bytes
						    : CF_LIVE_BUFFER);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	rc = pcap_activate(p);
	if (rc < 0)
		return activate_failed(p, name, rc, err, errlen);
	return 0;
}

/* After activation: link type, filter, non-blocking, the descriptor. */
static int live_setup(struct cf_live *l, const struct cf_live_config *c,
		      char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	const char *dname;
	int dlt = pcap_datalink(l->p), rc;

	l->link = map_dlt(dlt);
	if (l->link == CF_LINK_UNSUPPORTED) {
		dname = pcap_datalink_val_to_name(dlt);
		snprintf(err, errlen, "%s: unsupported link type %d (%s)",
			 l->name, dlt, dname ? dname : "unknown");
		return CF_CAPTURE_ECONFIG;
	}
	rc = apply_filter(l->p, l->name, c->filter, err, errlen);
	if (rc != 0)
		return rc;
	if (pcap_setnonblock(l->p, 1, ebuf) != 0) {
		set_err(err, errlen, l->name, ebuf);
		return CF_CAPTURE_EIO;
	}
	l->fd = pcap_get_selectable_fd(l->p);
	if (l->fd < 0) {
		snprintf(err, errlen, "%s: no descriptor to poll", l->name);
		return CF_CAPTURE_EIO;
	}
	return 0;
}

struct cf_live *cf_live_open(const char *name, const struct cf_live_config *c,
			     int *why, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct cf_live *l = calloc(1, sizeof(*l));

	*why = CF_CAPTURE_EIO;
	if (l == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->p = pcap_create(name, ebuf);
	if (l->p == NULL) {
		set_err(err, errlen, name, ebuf[0] ? ebuf : "cannot open");
		free(l);
		return NULL;
	}
	*why = live_activate(l->p, name, c, err, errlen);
	if (*why == 0)
		*why = live_setup(l, c, err, errlen);
	if (*why != 0) {
		pcap_close(l->p);
		free(l);
		return NULL;
	}
	return l;
}

int cf_live_fd(const struct cf_live *l)
{
	return l->fd;
}

const char *cf_live_name(const struct cf_live *l)
{
	return l->name;
}

static void live_packet(u_char *user, const struct pcap_pkthdr *h,
			const u_char *data)
{
	struct cf_live *l = (struct cf_live *)user;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

	l->fn(l->ctx, l->link, ts, data, h->caplen, h->len);
}

int cf_live_dispatch(struct cf_live *l, int max, cf_packet_fn fn, void *ctx,
		     char *err, size_t errlen)
{
	int n;

	l->fn = fn;
	l->ctx = ctx;
	n = pcap_dispatch(l->p, max, live_packet, (u_char *)l);
	if (n >= 0)
		return n;
	if (n == PCAP_ERROR_BREAK)
		return 0;
	set_err(err, errlen, l->name, n == PCAP_ERROR ? pcap_geterr(l->p)
						      : pcap_statustostr(n));
	return -1;
}

int cf_live_get_stats(struct cf_live *l, struct cf_live_stats *st)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	if (pcap_stats(l->p, &ps) != 0)
		return -1;
	st->received = ps.ps_recv;
	st->dropped = ps.ps_drop;
	st->if_dropped = ps.ps_ifdrop;
	return 0;
}

void cf_live_close(struct cf_live *l)
{
	if (l == NULL)
		return;
	pcap_close(l->p);
	free(l);
}
