/*
 * output-int.h - what the output files share: one destination (struct
 * out) and its driver (struct out_ops), the memory queue of reliable
 * outputs (struct outq, output-queue.c) and the --alert-window folding
 * (output-aggr.c).  Not for use outside src/output*.c.
 */
#ifndef CF_OUTPUT_INT_H
#define CF_OUTPUT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "output/output.h"

struct cf_spool;
struct out;

/* ---- memory queue --------------------------------------------------- */

enum { OQ_UNSENT = 0, OQ_INFLIGHT, OQ_DONE };

struct outq_entry {
	struct outq_entry *next;
	uint64_t seq;           /* 1, 2, ... in queue order */
	uint64_t spool_end;     /* logical spool offset past it; 0: not from the spool */
	uint32_t len;           /* line bytes; data[len] is '\n' */
	uint8_t state;          /* OQ_* */
	uint8_t again;          /* may have reached the destination before: sent
				 * on a connection that broke, or read back
				 * from the spool of an earlier run */
	const char *key;        /* Kafka key in data after the line, or NULL */
	size_t keylen;
	char data[];
};

struct outq {
	struct outq_entry *head, *tail;
	struct outq_entry *send;        /* first entry not (wholly) sent */
	size_t send_off;                /* bytes of *send already sent */
	uint64_t n, bytes;              /* entries in memory; their bytes with newlines */
	uint64_t max_n;                 /* queue= */
	uint64_t max_backlog;           /* spool-max: memory + spool bytes */
	uint64_t next_seq;
	uint64_t credit;                /* acknowledged stream bytes not yet popped */
	struct cf_spool *spool;         /* NULL: spool=none */
	struct cf_output_stats *st;
	uint64_t old_lines;             /* spool lines of an earlier run not read back yet */
	/* how the transport frames an entry (set by the transport, output-sock.c) */
	uint8_t framing;                /* OQ_FRAME_* */
	uint8_t mark_again;             /* RFC 5424 messages: SD marks an entry sent again */
};

/*
 * Framings: OQ_FRAME_LF the line and a newline (NDJSON); OQ_FRAME_OCTETS
 * RFC 6587 octet counting, "LEN SP MSG"; OQ_FRAME_DGRAM the message
 * alone (one datagram).
 */
enum { OQ_FRAME_LF = 0, OQ_FRAME_OCTETS, OQ_FRAME_DGRAM };
/* The structured data that marks a message sent again (mark_again). */
#define OQ_AGAIN_SD "[callfence@32473 replay=\"1\"]"
/*
 * The bytes of entry e as the transport sends them, in up to 4 pieces
 * (pfx: room for the octet count); their total.
 */
#define OQ_WIRE_PIECES 4
size_t outq_wire(const struct outq *q, const struct outq_entry *e,
		 struct iovec seg[OQ_WIRE_PIECES], int *nseg, char pfx[16]);

void outq_init(struct outq *q, uint64_t max_n, uint64_t max_backlog,
	       struct cf_spool *spool, struct cf_output_stats *st);
/* Take one line: to memory, else to the spool.  0, or -1 dropped (counted). */
int outq_push(struct outq *q, const char *line, size_t len, const char *key);
/* Move spooled lines into memory while there is room. */
void outq_refill(struct outq *q);
/* The first unsent entry, after marking the current one wholly sent. */
void outq_sent(struct outq *q);
/* Stream transports: n more bytes acknowledged by the peer. */
void outq_ack_bytes(struct outq *q, uint64_t n);
/* Message transports: e was delivered; entries delivered in a row at the head go. */
void outq_done(struct outq *q, struct outq_entry *e);
/* e failed: send it again (and recompute where sending resumes). */
void outq_retry(struct outq *q, struct outq_entry *e);
/* A connection was lost: everything not acknowledged is unsent again. */
void outq_rewind(struct outq *q);
/* Drop entry e (too big for the transport): counted, logged by the caller. */
void outq_discard(struct outq *q, struct outq_entry *e);
uint64_t outq_pending(const struct outq *q);
/* Sync the spool (once a second, at flush). */
void outq_sync(struct outq *q);
/*
 * At exit: what is in memory goes into the spool ahead of its unread
 * lines (or is dropped without a spool); the spool is closed.  The number
 * of events kept in *kept.
 */
int outq_close(struct outq *q, uint64_t *kept);

/* ---- one output ----------------------------------------------------- */

struct out_ops {
	const char *scheme;             /* "file", "tcp", ... */
	int reliable;                   /* uses the memory queue and spool */
	int start_late;                 /* no service() from cf_outputs_add: the
					 * driver starts threads, which a daemon's
					 * fork would lose */
	int memory_only;                /* no spool unless spool= asks for one */
	/* Set up from target (the spec between "scheme:" and the options). */
	int (*open)(struct out *o, const char *target, char *err, size_t errlen);
	/* Accept a driver option (NAME=VALUE); 0 ok, 1 not mine, -1 bad. */
	int (*option)(struct out *o, const char *name, const char *value,
		      char *err, size_t errlen);
	/*
	 * Reliable outputs that send something else than the line (syslog):
	 * the message to queue for line, in a buffer of the driver's; its
	 * length, 0 if it could not be made.
	 */
	size_t (*frame)(struct out *o, const char *line, size_t len,
			const struct cf_event_info *ev, const char **msg);
	/* Direct outputs: write one line now.  -1 failed (counted by caller). */
	int (*write)(struct out *o, const char *line, size_t len,
		     const struct cf_event_info *ev);
	int (*flush)(struct out *o);
	/*
	 * Files: reopen the path (SIGHUP).  A failure keeps the old
	 * descriptor; -1 with a message only the first time in a row.
	 */
	int (*reopen)(struct out *o, char *err, size_t errlen);
	/* Files: give the open file to uid:gid before privileges are dropped. */
	int (*give)(struct out *o, uid_t uid, gid_t gid, char *err, size_t errlen);
	/*
	 * Reliable outputs: connect, send, collect acknowledgements; never
	 * blocks.  full 0: only send what is queued (after a write).
	 */
	void (*service)(struct out *o, double now, int full);
	/* Give up whatever is in flight before the queue is spooled at exit. */
	void (*abandon)(struct out *o);
	void (*close)(struct out *o);
};

struct out {
	const struct out_ops *ops;
	struct cf_outputs *owner;
	char *spec;                     /* as given, for messages */
	unsigned kinds;                 /* bit 1 << enum cf_event_kind; 0: all */
	int min_severity;               /* alerts below it are left out; 0: all */
	struct cf_output_stats st;
	/* reliable outputs */
	struct outq q;
	uint64_t queue_max, spool_max;
	unsigned fsync_every;
	char *spool_path;               /* NULL: default in the spool directory */
	int no_spool;
	int spool_in_default_dir;       /* spool_path is in --spool-dir */
	int spool_dir_made;             /* ... which this output's set-up made */
	double drain_s;
	int drain_expired;
	uint64_t dropped_logged;
	int err_no;                     /* direct outputs: errno of the last failed write */
	double next_drop_log;
	void *priv;                     /* the driver's state (the transport's) */
	void *aux;                      /* more driver state (syslog framing) */
};

/* Monotonic seconds. */
double out_now(void);
/* A message for the operator: "output SPEC: ...". */
void out_log(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Drivers. */
extern const struct out_ops out_stdout_ops, out_file_ops, out_syslog_ops,
	out_unix_ops, out_unixgram_ops, out_tcp_ops, out_kafka_ops,
	out_syslog_tcp_ops, out_syslog_tls_ops;

/*
 * Socket transports (output-sock.c), used by tcp, unix and unixgram.  The
 * driver fills the connect callback: create a non-blocking socket and
 * start connecting; returns the fd with *in_progress set, or -1 (errno).
 */
struct sock_out;
typedef int (*sock_connect_fn)(struct sock_out *s, int *in_progress);
struct sock_out *sock_new(struct out *o, int dgram, int acks_survive_close,
			  sock_connect_fn fn, void *addr, void (*free_addr)(void *));
void *sock_addr(struct sock_out *s);
void sock_service(struct out *o, double now, int full);
/* A unix socket transport to path (output-unix.c), for unix, unixgram, syslog. */
int out_unix_setup(struct out *o, const char *path, int dgram, char *err, size_t errlen);
/*
 * A TCP transport to target "HOST:PORT" / "[V6]:PORT" (output-tcp.c), for
 * tcp, syslog-tcp, syslog-tls; the host is copied to host (for TLS).
 * usage names the syntax in errors.
 */
int out_tcp_setup(struct out *o, const char *target, const char *usage,
		  char *host, size_t hostlen, char *err, size_t errlen);
/* The transport's framing (OQ_FRAME_*; mark: RFC 5424 SD on what is sent again). */
void sock_set_framing(struct out *o, int framing, int mark);
/*
 * TLS on the transport's TCP connections: handshake after connecting,
 * certificate checked against name (tls.h); ctx is the transport's now.
 */
struct cf_tls_ctx;
int sock_set_tls(struct out *o, struct cf_tls_ctx *ctx, const char *name,
		 char *err, size_t errlen);
void sock_abandon(struct out *o);
void sock_close(struct out *o);

/*
 * Syslog headers (output-syslog.c) for syslog, unixgram, syslog-tcp and
 * syslog-tls: format=, facility= and the TLS options are parsed into
 * o->aux; syslog_head_open settles the defaults (the format, facility)
 * once the options are known.
 */
enum { SYSLOG_UNSET = -1, SYSLOG_JSON = 0, SYSLOG_3164, SYSLOG_5424 };
int syslog_head_option(struct out *o, const char *name, const char *value,
		       char *err, size_t errlen);
int syslog_head_open(struct out *o, int format, int facility, char *err, size_t errlen);
int syslog_head_format(const struct out *o);
size_t syslog_head_frame(struct out *o, const char *line, size_t len,
			 const struct cf_event_info *ev, const char **msg);
void syslog_head_free(struct out *o);

/* ---- --alert-window (output-aggr.c) -------------------------------- */

struct aggr;
struct aggr *aggr_new(unsigned window_s);
/* Where a summary goes (fan_out). */
typedef void (*aggr_emit_fn)(void *ctx, const char *line, size_t len,
			     const struct cf_event_info *ev);
/*
 * An alert: 0 pass it on (first of its window, or not foldable), 1 held
 * back in its window (it will be counted in the summary).  A window it
 * ends is handed to emit as a summary alert first.
 */
int aggr_alert(struct aggr *a, const struct cf_event_info *ev,
	       aggr_emit_fn emit, void *ctx);
/* Note the time of any event (packet time, for closing windows). */
void aggr_note_time(struct aggr *a, uint64_t ts_us);
/* Close windows that ended before now_us (0: the newest time noted); all when all. */
void aggr_expire(struct aggr *a, uint64_t now_us, int all, aggr_emit_fn emit, void *ctx);
uint64_t aggr_folded(const struct aggr *a);
void aggr_free(struct aggr *a);

/* ---- adding an output (output-spec.c) --------------------------------- */

/* A new output of o with the defaults; NULL without memory. */
struct out *out_new(struct cf_outputs *o);
/*
 * Set x up from spec (buf: a copy of it, cut up in place): driver,
 * options, filters, the transport, and the spool of a reliable output in
 * spool_dir.  0, or -1 with a message in err.
 */
int out_setup(struct out *x, const char *spec, char *buf, const char *spool_dir,
	      char *err, size_t errlen);
void out_free(struct out *x);

#endif /* CF_OUTPUT_INT_H */
