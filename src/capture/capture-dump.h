/*
 * capture-dump.h - evidence captures (--evidence): the capture files read
 * a second time at the end of an offline run, and small pcap files made
 * with libpcap's pcap_dump, in memory (the sandbox lets the process
 * create files but not read them back: the caller hashes the bytes, then
 * writes them).
 */
#ifndef CF_CAPTURE_DUMP_H
#define CF_CAPTURE_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"

/* One packet of the second reading; dlt is the file's own link type.
 * Non-zero stops the reading. */
typedef int (*cf_rescan_fn)(void *ctx, enum cf_link link, int dlt, uint64_t ts_us,
			    const uint8_t *data, uint32_t caplen, uint32_t wirelen);

struct cf_rescan;

/*
 * Open files[0..n-1] again now (before the sandbox), to be read from the
 * start by cf_rescan_run later.  Standard input ("-") cannot be read
 * twice: it is left out and counted in *skipped.  NULL with a message in
 * err when a file cannot be opened or out of memory.
 */
struct cf_rescan *cf_rescan_open(const char *const *files, size_t n, size_t *skipped,
				 char *err, size_t errlen);
/* Read every file to its end (or until fn stops it).  0, or -1 with
 * "FILE: problem" in err. */
int cf_rescan_run(struct cf_rescan *r, cf_rescan_fn fn, void *ctx, char *err, size_t errlen);
void cf_rescan_close(struct cf_rescan *r);

struct cf_dump;

/* A pcap file of link type dlt being made in memory; NULL if out of memory. */
struct cf_dump *cf_dump_new(int dlt);
int cf_dump_dlt(const struct cf_dump *d);
void cf_dump_packet(struct cf_dump *d, uint64_t ts_us, const uint8_t *data,
		    uint32_t caplen, uint32_t wirelen);
/* The file's bytes so far (valid until the next call on d).  -1 on an
 * error of the memory stream. */
int cf_dump_bytes(struct cf_dump *d, const uint8_t **data, size_t *len);
void cf_dump_free(struct cf_dump *d);

#endif /* CF_CAPTURE_DUMP_H */
