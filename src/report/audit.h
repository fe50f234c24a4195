/*
 * audit.h - the auditor's report: one self-contained HTML file (inline
 * CSS, SVG and a little JavaScript; nothing fetched) built from
 * callfence's own events (event/event-read.h), with a world map from
 * DATADIR/geodb/world-countries.txt.  No external library here.
 *
 * Use: cf_audit_new, cf_audit_read for every events file (any number of
 * observers, merged), the optional setters, then cf_audit_write.
 */
#ifndef CF_AUDIT_H
#define CF_AUDIT_H

#include <stddef.h>
#include <stdio.h>

struct cf_audit;

struct cf_audit *cf_audit_new(void);
void cf_audit_free(struct cf_audit *a);

/* Keep only calls, flows and alerts whose time is in [since, until]
 * (seconds since the epoch; 0: open).  Before cf_audit_read. */
void cf_audit_period(struct cf_audit *a, double since, double until);

/*
 * Read one NDJSON events file.  Malformed lines are counted and shown in
 * the report, never fatal.  0, or -1 on a read error or out of memory
 * (message in err).
 */
int cf_audit_read(struct cf_audit *a, FILE *fp, const char *name, char *err, size_t errlen);

/* The rules file the events' run summary names ("" if none) and the
 * jurisdictions the alerts say the policy permits ("EEA", joined by ","). */
const char *cf_audit_rules_path(const struct cf_audit *a);
const char *cf_audit_permitted_names(const struct cf_audit *a);

/* Mark an ISO alpha-2 country as in the policy's permitted jurisdiction,
 * which the map shows; label names it ("EEA").  Without any: the map
 * says the permitted jurisdiction is unknown. */
void cf_audit_permit(struct cf_audit *a, const char *cc);
void cf_audit_permit_label(struct cf_audit *a, const char *label);

/*
 * The country shapes (geodb/world-countries.txt, geodb/README).  -1 with
 * the reason in err when the file cannot be read or parsed; the report
 * then says the map is unavailable and why.
 */
int cf_audit_world(struct cf_audit *a, const char *path, char *err, size_t errlen);
/* Why the map is unavailable, when cf_audit_world was not called or failed. */
void cf_audit_world_missing(struct cf_audit *a, const char *why);

/* Where the report says it was made by ("callfence 0.1.0"). */
void cf_audit_generator(struct cf_audit *a, const char *who);

/*
 * --evidence DIR (an offline run): read the capture files again (r, from
 * capture/capture-dump.h's cf_rescan_open) and write into DIR, which
 * exists, a pcap of every alerted flow's first packets; the report links
 * each alert to its file as href_dir/NAME and gives its SHA-256.  Call
 * after every cf_audit_read.  0, or -1 with a message in err (the
 * report then says which captures are missing).
 */
struct cf_rescan;
int cf_audit_evidence(struct cf_audit *a, struct cf_rescan *r, const char *dir,
		      char *err, size_t errlen);
void cf_audit_evidence_href(struct cf_audit *a, const char *href_dir);

/* Write the report to out.  0, or -1 (write error: message in err). */
int cf_audit_write(struct cf_audit *a, FILE *out, const char *name, char *err,
		   size_t errlen);

#endif /* CF_AUDIT_H */
