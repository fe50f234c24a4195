/*
 * output.h - where event lines go.  Each output receives complete NDJSON
 * lines; this module adds the newline.
 *
 * Specs: "stdout" (or "-"), "file:PATH" (append; reopened by
 * cf_outputs_reopen, for logrotate).
 */
#ifndef CF_OUTPUT_H
#define CF_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct cf_outputs;

struct cf_output_stats {
	uint64_t lines;          /* lines written to at least one output */
	uint64_t write_errors;   /* failed writes (all outputs) */
};

struct cf_outputs *cf_outputs_new(void);
/* Add one output from its spec; -1 with a message in err if bad/unopenable. */
int cf_outputs_add(struct cf_outputs *o, const char *spec, char *err, size_t errlen);
size_t cf_outputs_count(const struct cf_outputs *o);
/* Write one line (len bytes, no newline) to every output. -1 if any failed. */
int cf_outputs_write(struct cf_outputs *o, const char *line, size_t len);
int cf_outputs_flush(struct cf_outputs *o);
/* Reopen file outputs (SIGHUP). */
int cf_outputs_reopen(struct cf_outputs *o, char *err, size_t errlen);
void cf_outputs_get_stats(const struct cf_outputs *o, struct cf_output_stats *st);
void cf_outputs_free(struct cf_outputs *o);

#endif /* CF_OUTPUT_H */
