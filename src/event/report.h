/*
 * report.h - the summary of an offline run: flows, packets and bytes per
 * app x role x country, alerts by severity and rule, remote addresses whose
 * country is unknown.  Written as JSON (--report FILE, and a
 * callfence.report event) and as a short table on stderr.
 */
#ifndef CF_REPORT_H
#define CF_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "flow/rtt.h"
#include "geo/geo.h"
#include "classify/classify.h"
#include "policy/policy.h"

struct cf_outputs;
struct cf_event_meta;

/* The call table's numbers (engine/calls.h, cf_calls_get_stats). */
struct cf_calls_stats {
	uint64_t calls;          /* calls seen */
	uint64_t written;        /* callfence.call events written */
	uint64_t evicted;        /* written early: the table was full */
	uint64_t untracked;      /* flows of calls the full table could not hold */
	uint64_t held;           /* flows held for their call's app */
	uint64_t unheld;         /* flows written at once: the held caps were reached */
	uint64_t app_from_call;  /* held flows that took their call's app */
	uint64_t merged;         /* calls merged into another (the time link) */
};


/* One call of a run, for the summary's per-call section and the run
 * report's calls.list (reading capture files; at most CF_CALL_ROWS). */
#define CF_CALL_ROWS 1000
struct cf_call_row {
	uint64_t id, first_us, last_us;
	uint32_t flows;
	uint8_t severity;               /* enum cf_severity of its verdict */
	char app[24];
	char countries[32];             /* its parties' countries, "CN,US" */
	char operators[96];             /* their AS organisations, "; " between */
	char rule_id[64];               /* the verdict's rule, "" none */
};

#define CF_RUN_RTT_NEAR 10     /* remote addresses listed with their RTT */

/* Run-wide numbers the engine hands to the report at the end. */
struct cf_run_totals {
	const char *const *inputs;      /* capture files given (or interfaces), NULL-terminated */
	/* what became of each capture file (inputs[i]); NULL for live capture */
	const struct cf_capture_input *input_status;
	uint64_t first_us, last_us;     /* packet time of first and last packet */
	double wall_seconds;            /* how long the run took */
	uint64_t bytes_read;            /* captured bytes */
	struct cf_decode_stats decode;
	struct cf_flow_stats flows;
	struct cf_classify_stats classify;
	struct cf_geo_stats geo;
	uint64_t alerts;                /* alert events written */
	uint64_t audited_flows;         /* flows judged by the policy */
	struct cf_calls_stats calls;    /* the call table (engine/calls.h) */
	const struct cf_call_row *call_rows;  /* the calls written, in order */
	size_t n_call_rows;
	uint64_t call_rows_more;        /* calls past CF_CALL_ROWS */
	uint64_t output_errors;
	struct {                        /* passive RTTs (flow/rtt.h): the
					   per-address tables, summed */
		struct cf_rtt_stats st;
		unsigned n_near;        /* near[]: the smallest RTTs first */
		struct cf_rtt_addr near[CF_RUN_RTT_NEAR];
	} rtt;
	struct {                        /* the process's own accounting */
		uint64_t rss_bytes;     /* resident now (/proc/self/statm) */
		uint64_t peak_rss_bytes;/* high-water mark (VmHWM) */
		uint64_t heap_bytes;    /* malloc'd and in use (mallinfo2) */
	} mem;
};

struct cf_report;

/* "read", "truncated", "stopped", "failed", "not-read"; "live" for NULL. */
const char *cf_input_status_name(const struct cf_capture_input *in);

/* Fill t->mem from the process's own accounting (/proc/self/status VmRSS
 * and VmHWM, mallinfo2); fields it cannot read stay 0. */
void cf_run_totals_fill_mem(struct cf_run_totals *t);
/* Open /proc/self/status now, for cf_run_totals_fill_mem under a sandbox
 * that will forbid opening files (offline runs call it first). */
void cf_report_proc_open(void);

struct cf_report *cf_report_new(void);
void cf_report_free(struct cf_report *r);

/*
 * Count one ended flow.  audited: the policy judged it (call traffic with a
 * remote end).  remote_geo NULL for local or unjudged flows (country shown
 * as "-").  The flow counts once, under the first of its roles in rank
 * order (util/role.h: key-exchange, media, relay, signaling, web); a flow
 * with no role counts under role "none".
 */
void cf_report_add_flow(struct cf_report *r, const struct cf_flow *f,
			const struct cf_geo_result *remote_geo, int audited);
void cf_report_add_alert(struct cf_report *r, const struct cf_rule_info *rule);
/* A remote address whose country is unknown (kept once, bounded list). */
void cf_report_add_unknown(struct cf_report *r, const cf_addr *a);

/* Write the report as one pretty JSON document to path. -1 + err on failure. */
int cf_report_write_json(const struct cf_report *r, const struct cf_run_totals *t,
			 const char *path, char *err, size_t errlen);
/*
 * Add everything counted in from to to (--threads: the workers' reports
 * become one).  An unknown-country address seen by two workers is listed
 * once.  0, or -1 when out of memory (to is then incomplete).
 */
int cf_report_merge(struct cf_report *to, const struct cf_report *from);
/* Emit the report as one callfence.report event line on the outputs. */
int cf_report_emit_event(const struct cf_report *r, const struct cf_run_totals *t,
			 struct cf_outputs *out, const struct cf_event_meta *m);
/* The event on out (NULL: none), then the document at path (NULL: none),
 * from one JSON body; with path, the return and err are the document's.
 * cf_report_write_json and cf_report_emit_event are its halves. */
int cf_report_emit_and_write(const struct cf_report *r, const struct cf_run_totals *t,
			     struct cf_outputs *out, const struct cf_event_meta *m,
			     const char *path, char *err, size_t errlen);
/* The human summary (stderr unless -q). */
void cf_report_print_table(const struct cf_report *r, const struct cf_run_totals *t,
			   FILE *fp);

#endif /* CF_REPORT_H */
