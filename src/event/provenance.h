/*
 * provenance.h - what a run ran with, for the report and stats events and
 * -V: the rules file, the app catalog and every geography database (path,
 * type, build date, SHA-256 of the bytes), and the versions of callfence
 * and of the libraries it is linked with.  The files are opened at
 * start, before the sandbox forbids opening them (a capture file's run
 * hashes them on a thread of its own while it reads packets); the events
 * render the record taken then (callfence.report.sources,
 * callfence.stats.sources, and .versions).
 */
#ifndef CF_PROVENANCE_H
#define CF_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One file callfence read its verdicts from. */
struct cf_source_file {
	const char *kind;           /* "rules", "catalog", "geo" (static) */
	char path[4096];            /* absolute when it could be resolved (PATH_MAX) */
	char type[128];             /* geo: the database's type; "" otherwise */
	uint64_t build_epoch;       /* geo: when it was built; 0 unknown */
	char sha256[65];            /* hex; "" when the file could not be read */
	char error[256];            /* why there is no sha256 */
};

struct cf_provenance {
	size_t n;
	struct cf_source_file files[];
};

/*
 * Take the record of rules, catalog (either may be NULL) and the ngeo
 * databases: a malloc'd cf_provenance (free it), NULL without memory.  A
 * file that cannot be read is recorded with its error, not refused: the
 * run itself says whether it can do without it.
 */
struct cf_provenance *cf_provenance_take(const char *rules, const char *catalog,
					 const char *const *geo, size_t ngeo);

/* The record the report and stats events carry from now on (NULL: none). */
void cf_event_set_provenance(const struct cf_provenance *p);
const struct cf_provenance *cf_event_provenance(void);

/*
 * Take the record (cf_provenance_take) and make it the events' own,
 * freeing the one taken before (a reload: the files read again).  Call it
 * from the thread that writes the report and stats events.  0, or -1
 * without memory (the previous record stays).
 */
int cf_event_provenance_retake(const char *rules, const char *catalog,
			       const char *const *geo, size_t ngeo);
/*
 * The same for a run that starts at once: the files are opened now (the
 * record's paths, types and errors are there on return), their SHA-256
 * taken on a thread of its own that cf_event_provenance waits for.  Not
 * before a fork (the thread would not follow).
 */
int cf_event_provenance_retake_bg(const char *rules, const char *catalog,
				  const char *const *geo, size_t ngeo);
/* Drop the record cf_event_provenance_retake took. */
void cf_event_provenance_free(void);

/* callfence's and its libraries' versions, in this order. */
#define CF_LIB_COUNT 7
struct cf_lib_version {
	const char *name;           /* "callfence", "libpcap", "ndpi", "libmaxminddb",
				       "jansson", "openssl", "librdkafka" */
	const char *version;        /* NULL: not built in (librdkafka) */
};
void cf_lib_versions(struct cf_lib_version v[CF_LIB_COUNT]);

/* -V: one line per component, then the ECS release the events follow. */
void cf_versions_print(FILE *fp);

#endif /* CF_PROVENANCE_H */
