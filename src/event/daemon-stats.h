/*
 * daemon-stats.h - the numbers of a callfence.stats event (live capture):
 * laid out by the daemon (daemon-loop.c), turned into JSON by
 * cf_event_stats() in event-stats.c.
 */
#ifndef CF_DAEMON_STATS_H
#define CF_DAEMON_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "output/output.h"
#include "policy/policy.h"
#include "event/report.h"

struct cf_event_meta;

/* One capture interface. */
struct cf_stats_iface {
	const char *name;
	const char *state;          /* "up", "down", "reopening" */
	uint64_t received;          /* kernel: packets that passed the filter */
	uint64_t dropped;           /* kernel: dropped, buffer full */
	uint64_t if_dropped;        /* dropped by the interface/driver */
	uint64_t packets;           /* delivered to callfence */
	uint64_t errors;            /* capture failures (handle lost) */
	uint64_t reopens;           /* successful reopens after a failure */
};

struct cf_stats_view {
	uint64_t ts_us;             /* @timestamp: wall clock */
	double uptime_seconds;
	const struct cf_stats_iface *ifaces;
	size_t n_ifaces;
	const struct cf_run_totals *t;   /* decode, flows, classify (DNS), geo */
	uint64_t packets;           /* frames the engine processed */
	uint64_t alerts;
	uint64_t by_severity[CF_SEV_CRITICAL + 1];
	struct cf_output_stats out;
	uint64_t rss_bytes;         /* resident set (/proc/self/statm) */
	uint64_t heap_bytes;        /* malloc'd and in use (mallinfo2); 0 unknown */
	uint64_t reloads, reload_failures;
	/* --threads: engines; 1 without.  The reader hands every packet with
	 * a DNS answer (or SDP) to every engine (their name caches). */
	unsigned threads;
	uint64_t dns_shared;        /* such packets handed to the engines */
	uint64_t dns_share_dropped; /* always 0: the reader hands shared packets
				       through the rings, which never drop (kept
				       for the stats event's schema) */
};

/*
 * Write one callfence.stats event (event.kind "metric"): the view under
 * callfence.stats, observer from m.  0, or -1 if it could not be built or
 * written.
 */
int cf_event_stats(struct cf_outputs *out, const struct cf_event_meta *m,
		   const struct cf_stats_view *v);

#endif /* CF_DAEMON_STATS_H */
