/*
 * report-json.h - the bridge between report.c (aggregation, no jansson) and
 * event-report.c (jansson): report.c lays its numbers out in a
 * cf_report_view and event-report.c turns the view into the report JSON.
 */
#ifndef CF_REPORT_JSON_H
#define CF_REPORT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "event/report.h"

/* One traffic row: flows, packets and bytes per (app, role, country). */
struct cf_report_row {
	char app[CF_APP_LEN];   /* valid UTF-8 (already made safe) */
	char country[8];        /* "US", "unknown", or "-" (local/unjudged) */
	const char *role;       /* role name or "none"; static storage */
	int role_rank;          /* order of role (cf_role_at_rank), none last */
	uint64_t flows, packets, bytes;
};

/* Alerts of one rule. */
struct cf_report_rule {
	char *id;               /* valid UTF-8 copies */
	char *name;
	enum cf_severity severity;
	uint64_t count;
};

/* Everything the report JSON holds; arrays in output order. */
struct cf_report_view {
	const struct cf_run_totals *t;
	uint64_t flows;         /* flows counted by cf_report_add_flow */
	uint64_t audited;       /* of those, judged by the policy */
	uint64_t alerts;        /* alerts counted by cf_report_add_alert */
	uint64_t by_severity[CF_SEV_CRITICAL + 1];
	const struct cf_report_rule *rules;
	size_t nrules;
	const struct cf_report_row *rows;
	size_t nrows;
	const cf_addr *unknown; /* remote addresses of unknown country */
	size_t nunknown;
	uint64_t unknown_omitted;
};

/*
 * The view as one compact callfence.report event line on out (NULL: no
 * event) and as one JSON document (indent 2, trailing newline) at path,
 * replaced (NULL: no document), both from one body built once (--report
 * with a capture file's run: the report is some 0.6 MB of JSON on a mix
 * of 20,000 flows, and building and freeing its tree twice cost some 80 M
 * instructions).  The event is written whatever becomes of the document.
 * With path: 0, or -1 with "PATH: reason" in err; without: the event's
 * 0 or -1.
 */
int cf_report_json_out(const struct cf_report_view *v, struct cf_outputs *out,
		       const struct cf_event_meta *m, const char *path,
		       char *err, size_t errlen);

#endif /* CF_REPORT_JSON_H */
