/*
 * classify-ndpi.h - the nDPI adapter: the only interface to nDPI.
 *
 * classify-ndpi.c is the one file that includes nDPI's headers, so a new
 * nDPI version is a one-file port.  Protocols are handed out as nDPI's
 * numeric ids (0 = unknown) and turned into names with cf_ndpi_name().
 */
#ifndef CF_CLASSIFY_NDPI_H
#define CF_CLASSIFY_NDPI_H

#include <stddef.h>
#include <stdint.h>

/*
 * Packets of one flow given to nDPI before we make it give up (its state is
 * freed then, or as soon as it decided).  Not lower: with 24, 16 or 12
 * nDPI 4.2 no longer names some Zoom media flows of the bench capture
 * (tests/gen/cfgen --bench), so verdicts would change.
 */
#define CF_NDPI_MAX_PACKETS 32

struct cf_ndpi;

struct cf_ndpi_verdict {
	uint16_t app;          /* application protocol id ("Zoom"), 0 unknown */
	uint16_t master;       /* master protocol id ("TLS"), 0 none */
	uint8_t complete;      /* detected and nothing more to dissect */
	char host[80];         /* server name nDPI found (SNI, HTTP Host, DNS
				  query), "" if none */
};

/*
 * Make the process's first detection module now (it must be made alone:
 * nDPI and libgcrypt set up process-wide state with it), to be taken by
 * the next cf_ndpi_new of the thread that called this one; other
 * threads make theirs, at the same time.  Called in the main thread
 * before worker threads start; optional.
 */
void cf_ndpi_prepare(void);

/* 1 while the module cf_ndpi_prepare made waits for its thread (tests). */
int cf_ndpi_spare_waiting(void);

/* Set up a detection module with every protocol enabled; NULL on failure
 * with the reason in err. */
struct cf_ndpi *cf_ndpi_new(char *err, size_t errlen);
void cf_ndpi_free(struct cf_ndpi *n);

/*
 * Per-flow state of module n: zeroed, NULL on allocation failure; give it
 * back with cf_ndpi_flow_free (NULL is fine).  States given back are
 * kept (up to CF_NDPI_POOL_MAX of them, nDPI's own allocations inside
 * freed) and handed out again: no malloc and free of the state per flow.
 * A state may go back to another module than the one it came from (a
 * reload): they are plain memory.
 */
#define CF_NDPI_POOL_MAX 1024
void *cf_ndpi_flow_new(struct cf_ndpi *n);
void cf_ndpi_flow_free(struct cf_ndpi *n, void *flow);
/* Bytes of one per-flow state (nDPI 4.2: 688 on x86-64). */
size_t cf_ndpi_flow_size(void);

/*
 * Give nDPI one packet of the flow: l3 is the IP header, len the bytes
 * from it (capped at 65535), ts_ms the packet time.  Fills *v.
 */
void cf_ndpi_process(struct cf_ndpi *n, void *flow, const uint8_t *l3,
		     uint32_t len, uint64_t ts_ms, struct cf_ndpi_verdict *v);

/* No more packets: nDPI's best guess (ports and addresses allowed). */
void cf_ndpi_giveup(struct cf_ndpi *n, void *flow, struct cf_ndpi_verdict *v);

/*
 * Does nDPI remember a client that spoke this protocol over TLS and name
 * the client's other flows by it?  nDPI 4.2 does so for Teams: a host
 * whose TLS session it named Teams has its Skype-framed STUN flows of
 * the next minute named Teams too (its msteams cache), so such a session's
 * ClientHello must reach nDPI even when callfence has named the flow.
 * The i-th such protocol's name ("Teams"), NULL past the last.
 */
const char *cf_ndpi_hello_remembered(const struct cf_ndpi *n, unsigned i);

/* nDPI's name of a protocol id ("Zoom", "TLS"); "" for 0 / unknown. */
const char *cf_ndpi_name(const struct cf_ndpi *n, uint16_t id);

#endif /* CF_CLASSIFY_NDPI_H */
