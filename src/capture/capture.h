/*
 * capture.h - packets from capture files (pcap, pcapng) read in order, and
 * from live interfaces.
 *
 * capture-pcap.c is the only libpcap user; callers see packets as (link
 * type, time, bytes) through a callback.
 */
#ifndef CF_CAPTURE_H
#define CF_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#define CF_CAPTURE_ECONFIG 2   /* bad BPF filter */
#define CF_CAPTURE_EIO     3   /* unreadable, not a capture, unsupported link */
#define CF_CAPTURE_ENODEV  4   /* live: no such interface */
#define CF_CAPTURE_EDOWN   5   /* live: the interface exists but is down */

/* Link types callfence decodes (mapped from libpcap's DLT_* by capture). */
enum cf_link {
	CF_LINK_UNSUPPORTED = 0,
	CF_LINK_ETHERNET,  /* DLT_EN10MB */
	CF_LINK_SLL,       /* DLT_LINUX_SLL  (Linux cooked v1) */
	CF_LINK_SLL2,      /* DLT_LINUX_SLL2 (Linux cooked v2) */
	CF_LINK_RAW,       /* DLT_RAW / LINKTYPE_RAW, DLT_IPV4, DLT_IPV6 */
	CF_LINK_NULL,      /* DLT_NULL: 4-byte host-order AF_ family */
	CF_LINK_LOOP       /* DLT_LOOP: 4-byte network-order AF_ family */
};

/* One packet; data is valid only during the call. */
typedef void (*cf_packet_fn)(void *ctx, enum cf_link link, uint64_t ts_us,
			     const uint8_t *data, uint32_t caplen,
			     uint32_t wirelen);

/* Progress: bytes of the input files read so far, their total size (0 when
 * unknown, e.g. stdin), packets delivered so far. */
typedef void (*cf_progress_fn)(void *ctx, uint64_t bytes_done,
			       uint64_t bytes_total, uint64_t packets);

struct cf_capture_stats {
	uint64_t files;             /* files opened */
	uint64_t packets;           /* packets delivered to fn */
	uint64_t bytes_captured;    /* sum of their caplen */
	uint64_t bytes_total;       /* sum of file sizes */
	uint64_t truncated_records; /* a record cut short at end of file */
	uint64_t read_errors;       /* read failures other than that */
	uint64_t stopped;           /* 1 if cf_capture_stop() ended the run */
};

/*
 * Read files[0..nfiles-1] in order, calling fn for every packet that passes
 * filter.  Returns 0 on success; CF_CAPTURE_ECONFIG (2) for a bad BPF
 * filter; CF_CAPTURE_EIO (3) for a file that cannot be opened, is not a
 * capture, has an unsupported link type, or fails mid-read (other than a
 * truncated last record, which is counted in truncated_records and is not an
 * error).  On error err gets "FILE: problem" (e.g. "x.pcap: unknown file
 * format", "x.pcap: unsupported link type 147 (USER0)") and later files are
 * not read.  Every file is opened (fopen) before any is parsed, so one that
 * cannot be opened stops the run before the first packet; the seccomp
 * sandbox, when armed (sandbox.h), goes on between the opening and the
 * parsing.  The filter (may be NULL or "") is compiled beforehand with
 * pcap_compile for every link type callfence decodes and set on each file
 * for its link type with pcap_setfilter.
 * progress (may be NULL) is called about every 65536 packets and once at
 * the end of a successful run.  "-" means stdin.  *st is zeroed first.
 */
int cf_capture_files(const char *const *files, size_t nfiles,
		     const char *filter, cf_packet_fn fn,
		     cf_progress_fn progress, void *ctx,
		     struct cf_capture_stats *st, char *err, size_t errlen);

/* What became of one capture file (cf_capture_files_each). */
enum cf_input_status {
	CF_INPUT_NOT_READ = 0,      /* never opened: an earlier file failed, or a stop */
	CF_INPUT_READ,              /* read to its end */
	CF_INPUT_TRUNCATED,         /* read; its last record was cut short */
	CF_INPUT_STOPPED,           /* read in part: cf_capture_stop() */
	CF_INPUT_FAILED             /* could not be opened or read: error says why */
};

struct cf_capture_input {
	enum cf_input_status status;
	uint64_t packets;           /* packets read from it (before the filter) */
	uint64_t truncated_records;
	char error[256];            /* FAILED: the problem, without the file name */
};

/*
 * cf_capture_files, also saying what became of each file in
 * each[0..nfiles-1] (zeroed first; may be NULL).
 */
int cf_capture_files_each(const char *const *files, size_t nfiles,
			  const char *filter, cf_packet_fn fn,
			  cf_progress_fn progress, void *ctx,
			  struct cf_capture_stats *st, struct cf_capture_input *each,
			  char *err, size_t errlen);

/* libpcap's version string (pcap_lib_version). */
const char *cf_capture_lib_version(void);

/*
 * Ask a running cf_capture_files() to return (0, st->stopped = 1) after the
 * packet at hand.  Async-signal-safe: meant for SIGINT/SIGTERM handlers
 * and for fn itself; a request made before the run starts stops it before
 * its first packet.  The request is cleared when cf_capture_files returns.
 */
void cf_capture_stop(void);

/* ---- live capture: one interface per handle --------------------------- */

#define CF_LIVE_SNAPLEN 262144   /* default snapshot length */
#define CF_LIVE_BUFFER  (4 << 20) /* default kernel buffer, bytes */
#define CF_LIVE_TIMEOUT_MS 100    /* longest a packet waits in the kernel */

struct cf_live_config {
	int snaplen;          /* bytes kept per packet; 0: CF_LIVE_SNAPLEN */
	int buffer_bytes;     /* kernel buffer; 0: CF_LIVE_BUFFER */
	int promisc;          /* 1: promiscuous mode */
	const char *filter;   /* BPF expression; NULL or "": none */
};

/* Counters of one handle since it was opened (pcap_stats). */
struct cf_live_stats {
	uint64_t received;    /* packets the kernel passed the filter */
	uint64_t dropped;     /* dropped by the kernel: buffer full */
	uint64_t if_dropped;  /* dropped by the interface or its driver */
};

struct cf_live;

/*
 * Open interface name for capture, non-blocking.  Not in immediate mode:
 * the kernel packs packets into blocks by their real length (TPACKET_V3),
 * so the buffer holds thousands whatever the snapshot length, and hands a
 * block over when it is full or CF_LIVE_TIMEOUT_MS after its first packet
 * (callfence(8) has the measurement: immediate mode's fixed slots, sized
 * for 64 KiB frames on interfaces with offloads, dropped most of a burst
 * of 2,000 datagrams; this mode drops none of 10,000).  NULL on
 * failure with *why set and "NAME: problem" in err: CF_CAPTURE_ENODEV (no
 * such interface), CF_CAPTURE_EDOWN (interface down), CF_CAPTURE_ECONFIG
 * (bad filter, unsupported link type, bad snaplen), CF_CAPTURE_EIO
 * (permission denied, anything else).
 */
struct cf_live *cf_live_open(const char *name, const struct cf_live_config *c,
			     int *why, char *err, size_t errlen);

/* The descriptor to poll for input (POLLIN; POLLERR when the interface
 * went down or away). */
int cf_live_fd(const struct cf_live *l);

/*
 * Deliver at most max packets that are waiting, without blocking.  Returns
 * how many were delivered (0: none waiting), or -1 with "NAME: problem" in
 * err when the handle failed (interface went down or disappeared): close it
 * and open the interface again later.
 */
int cf_live_dispatch(struct cf_live *l, int max, cf_packet_fn fn, void *ctx,
		     char *err, size_t errlen);

/* Kernel counters since the handle was opened; -1 if unavailable. */
int cf_live_get_stats(struct cf_live *l, struct cf_live_stats *st);

const char *cf_live_name(const struct cf_live *l);
void cf_live_close(struct cf_live *l);

#endif /* CF_CAPTURE_H */
