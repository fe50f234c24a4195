/*
 * output.h - where event lines go.  Each output receives complete NDJSON
 * lines; this module adds the newline (or the framing of the transport).
 *
 * Specs (one per -o; see callfence(8), OUTPUTS):
 *
 *   stdout | -              standard output
 *   file:PATH               appended to; reopened by cf_outputs_reopen
 *   syslog[:FACILITY]       the local syslog socket, RFC 3164 framing
 *   unix:PATH               a stream socket, NDJSON
 *   unixgram:PATH           a datagram socket, one message a datagram
 *                           (format=rfc3164 default, rfc5424, json)
 *   tcp:HOST:PORT           a collector, NDJSON ([V6ADDR]:PORT for IPv6)
 *   syslog-tcp:HOST:PORT    RFC 5424 over TCP, RFC 6587 octet counting
 *   syslog-tls:HOST:PORT    the same over TLS (ca=, server-name=, insecure=yes)
 *   kafka:BROKERS/TOPIC     Kafka through librdkafka (when built with it)
 *
 * followed by ",NAME=VALUE" options: kinds=alert+flow+stats+report,
 * min-severity=low|medium|high|critical, and for tcp, syslog-tcp,
 * syslog-tls, unix, unixgram, kafka and syslog: queue=N, spool=PATH|none,
 * spool-max=BYTES, fsync=N, drain=SEC; facility= and format= for the
 * syslog ones; kafka.PROPERTY=VALUE.
 *
 * Outputs never block capture.  tcp, syslog-tcp, syslog-tls, unix,
 * unixgram, kafka and syslog are "reliable": an event is kept until the destination has it (TCP
 * acknowledgement, peer read, datagram sent, Kafka delivery report),
 * queued in memory up to queue=N events and then spooled to disk up to
 * spool-max bytes (syslog: no spool unless spool= is given); only past
 * that bound is an event dropped, and then counted.
 */
#ifndef CF_OUTPUT_H
#define CF_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cf_outputs;

/* What an event line is, for filters, syslog severity and Kafka keys. */
enum cf_event_kind {
	CF_EVENT_OTHER = 0,     /* unknown: passes every kinds= filter */
	CF_EVENT_ALERT,         /* callfence.alert */
	CF_EVENT_FLOW,          /* callfence.flow */
	CF_EVENT_STATS,         /* callfence.stats */
	CF_EVENT_REPORT,        /* callfence.report */
	CF_EVENT_CALL           /* callfence.call */
};

/*
 * The final numbers of an --alert-window window: the packet times
 * (microseconds) of the alert that opened it and of the last one held
 * back, and how many were held back.
 */
struct cf_alert_fold {
	uint64_t first_us, last_us;
	uint64_t count;
};

/*
 * The summary line of a window: the last held-back alert, made from its
 * record (rec, len bytes, a copy of what it gave in struct
 * cf_event_info), standing for fold->count alerts.  0 with the line in
 * *line (valid until the next call in this thread), or -1.  The event
 * stage provides it: the outputs cannot render an event, nor look into a
 * record.
 */
typedef int (*cf_alert_render_fn)(const void *rec, size_t len,
				  const struct cf_alert_fold *fold,
				  const char **line, size_t *linelen);

struct cf_event_info {
	enum cf_event_kind kind;
	int severity;           /* enum cf_severity of an alert; 0 otherwise */
	const char *key;        /* network.community_id (Kafka key); NULL if none */
	uint64_t ts_us;         /* @timestamp, microseconds since the epoch; 0 none */
	/* alerts, for --alert-window (fold_key_len 0 or render NULL: never held) */
	const void *fold_key;   /* what folds: rule.id, source.ip, destination.ip */
	size_t fold_key_len;
	const void *rec;        /* the alert's record, opaque here, copied when held */
	size_t rec_len;
	cf_alert_render_fn render;
};

/*
 * Counters.  For cf_outputs_get_stats they are sums over every output
 * (lines: lines handed to the outputs); for one output, its own.
 */
struct cf_output_stats {
	uint64_t lines;          /* lines written to at least one output / taken by this one */
	uint64_t write_errors;   /* failed writes (files, stdout, syslog) */
	uint64_t filtered;       /* lines an output's kinds=/min-severity= left out */
	uint64_t delivered;      /* reliable outputs: confirmed by the destination */
	uint64_t queued;         /* events that had to wait in the memory queue */
	uint64_t spooled;        /* events written to the on-disk spool */
	uint64_t replayed;       /* events read back from the spool and delivered */
	uint64_t dropped;        /* events lost: backlog past its bound, or too big */
	uint64_t pending;        /* now waiting (memory + spool) */
	uint64_t spool_bytes;    /* now in the spool */
	uint64_t aggregated;     /* alerts folded into a --alert-window summary */
};

/* Where messages for the operator go (connection lost, events dropped, ...). */
typedef void (*cf_output_log_fn)(void *ctx, const char *msg);

/*
 * Process-wide settings the command line makes before outputs are
 * created: the directory of spool files of outputs without spool=
 * (default CF_SPOOL_DIR), and the --alert-window in seconds (0: off).
 */
#define CF_SPOOL_DIR "/var/spool/callfence"
void cf_outputs_set_spool_dir(const char *dir);
void cf_outputs_set_alert_window(unsigned seconds);

struct cf_outputs *cf_outputs_new(void);
/* Add one output from its spec; -1 with a message in err if bad/unopenable. */
int cf_outputs_add(struct cf_outputs *o, const char *spec, char *err, size_t errlen);
size_t cf_outputs_count(const struct cf_outputs *o);
/*
 * Send messages to fn instead of standard error ("callfence: output
 * SPEC: ..." lines).  fn NULL restores standard error.
 */
void cf_outputs_set_logger(struct cf_outputs *o, cf_output_log_fn fn, void *ctx);

/*
 * Hand one event line (len bytes, no newline) to every output whose filter
 * takes it; ev may be NULL (kind other).  With --alert-window, repeated
 * alerts are folded here.  Never blocks.  -1 if a write failed or an
 * event was dropped.
 */
int cf_outputs_write_event(struct cf_outputs *o, const char *line, size_t len,
			   const struct cf_event_info *ev);
/* cf_outputs_write_event with ev NULL. */
int cf_outputs_write(struct cf_outputs *o, const char *line, size_t len);

/*
 * Housekeeping, never blocking: reconnect, send queued events, replay the
 * spool, close --alert-window windows older than now_us (packet time; 0:
 * the newest event time seen), fsync the spool, log drops (at most once a
 * minute per output).  Call it about once a second, and when idle.
 * cf_outputs_write_event also calls it once a second of wall time.
 */
void cf_outputs_poll(struct cf_outputs *o, uint64_t now_us);

/*
 * Flush buffers, close every --alert-window window, and drain the
 * reliable outputs: wait at most each one's drain= seconds (default 5) for
 * the destination to take everything.  A drain that timed out is not
 * waited for again until that output has caught up.  -1 if a write failed
 * or events are still pending.
 */
int cf_outputs_flush(struct cf_outputs *o);

/*
 * Reopen file outputs (SIGHUP, logrotate).  An output whose path cannot
 * be opened keeps writing to the file it had open; -1 with a message the
 * first time in a row that happens (later failures are not repeated).
 */
int cf_outputs_reopen(struct cf_outputs *o, char *err, size_t errlen);

/*
 * Before dropping privileges (-u USER): give the files of file: outputs
 * (regular files named without a symbolic link only, see cf_file_give),
 * the spool files, and the spool directory callfence made itself, to
 * uid/gid, so that reopening, spooling, compacting and the rewrite at exit
 * still work.  Directories holding output files are not changed: a reopen
 * after a rename needs the new file made by logrotate's create, or a
 * directory the user can write.  Nor is a spool directory that existed
 * before this run: one given with spool=PATH, or an existing --spool-dir,
 * must be writable by the user already (compaction makes a file there).
 * 0, or -1 with a message in err.
 */
int cf_outputs_set_owner(struct cf_outputs *o, uid_t uid, gid_t gid,
			 char *err, size_t errlen);

void cf_outputs_get_stats(const struct cf_outputs *o, struct cf_output_stats *st);
/*
 * Counters of output i (0-based, in -o order) and its spec in name; -1 if
 * i is out of range.
 */
int cf_outputs_get_output_stats(const struct cf_outputs *o, size_t i,
				struct cf_output_stats *st, char *name, size_t namelen);

/*
 * Flush (as cf_outputs_flush), then close everything: whatever a reliable
 * output still holds goes to its spool, to be sent first by the next run,
 * and a message says how much.
 */
void cf_outputs_free(struct cf_outputs *o);
/*
 * cf_outputs_free, returning how many events were lost in the run
 * (dropped: not written, not delivered, not kept in a spool); each output
 * that lost any has said so and how many ("output SPEC: N event(s) lost
 * in this run").  Non-zero must end the run with a failure status.
 */
uint64_t cf_outputs_close(struct cf_outputs *o);

/* librdkafka's version (rd_kafka_version_str); NULL when built without it. */
const char *cf_output_kafka_version(void);

#endif /* CF_OUTPUT_H */
