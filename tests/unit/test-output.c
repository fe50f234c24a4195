/*
 * test-output.c - the outputs seen from the event writer: spec parsing
 * and its errors, per-output filters, --alert-window folding, file
 * reopening, syslog framing and severities, and unix stream/datagram
 * delivery with a peer that goes away and comes back (no loss, no
 * duplicate, order kept), spooling at exit; syslog-tcp's RFC 5424
 * messages in RFC 6587 frames, and the replay mark on what is sent
 * again (the queue's wire form, output-int.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "harness.h"
#include "output/output.h"
#include "output/output-int.h"
#include "policy/policy.h"

static char dir[64];
static char logbuf[4096];

static void logger(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(logbuf, msg, sizeof(logbuf) - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static size_t slurp(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp != NULL) {
		n = fread(buf, 1, len - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return n;
}

static struct cf_outputs *outputs(const char *spec)
{
	struct cf_outputs *o = cf_outputs_new();
	char err[512];

	if (o == NULL)
		return NULL;
	cf_outputs_set_logger(o, logger, NULL);
	if (spec != NULL && cf_outputs_add(o, spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "cannot add %s: %s\n", spec, err);
		cf_outputs_free(o);
		return NULL;
	}
	return o;
}

static void info(struct cf_event_info *ev, enum cf_event_kind kind, int sev,
		 uint64_t ts_us)
{
	static const char key[] = "r:1\x1f" "10.0.0.1\x1f" "192.0.2.1";

	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->severity = sev;
	ev->fold_key = key;
	ev->fold_key_len = sizeof(key) - 1;
	ev->ts_us = ts_us;
}

static void test_spec_errors(void)
{
	struct cf_outputs *o = outputs(NULL);
	char err[512], p[128];

	if (o == NULL)
		return;
	path_of(p, sizeof(p), "x.json,spool=none");
	CHECK_INT(cf_outputs_add(o, "ftp:x", err, sizeof(err)), -1);
	CHECK(strncmp(err, "unknown output 'ftp:x'", 22) == 0);
	CHECK_INT(cf_outputs_add(o, "file:", err, sizeof(err)), -1);
	CHECK(strstr(err, "needs a target") != NULL);
	CHECK_INT(cf_outputs_add(o, "stdout,kinds=alarm", err, sizeof(err)), -1);
	CHECK(strstr(err, "bad value 'alarm' for kinds") != NULL);
	CHECK_INT(cf_outputs_add(o, "stdout,min-severity=severe", err, sizeof(err)), -1);
	CHECK_INT(cf_outputs_add(o, "stdout,colour=red", err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown option 'colour'") != NULL);
	snprintf(p, sizeof(p), "file:%s/x.json,spool=none", dir);
	CHECK_INT(cf_outputs_add(o, p, err, sizeof(err)), -1);
	CHECK(strstr(err, "is for tcp, unix, unixgram, kafka and syslog") != NULL);
	CHECK_INT(cf_outputs_add(o, "tcp:nohostport", err, sizeof(err)), -1);
	CHECK(strstr(err, "expected tcp:HOST:PORT") != NULL);
	CHECK_INT(cf_outputs_add(o, "syslog:local9", err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown syslog facility 'local9'") != NULL);
	CHECK_INT(cf_outputs_add(o, "unix:/tmp/x,queue=0,spool=none", err, sizeof(err)), -1);
	CHECK(strstr(err, "bad value '0' for queue") != NULL);
	CHECK_INT(cf_outputs_add(o, "kafka:localhost:9092,spool=none", err, sizeof(err)), -1);
	CHECK_INT(cf_outputs_add(o, "syslog-tcp:nohostport,spool=none", err, sizeof(err)), -1);
	CHECK(strstr(err, "output 'syslog-tcp:nohostport': expected syslog-tcp:HOST:PORT") != NULL);
	CHECK_INT(cf_outputs_add(o, "syslog-tcp:127.0.0.1:1,format=rfc3164,spool=none",
				 err, sizeof(err)), -1);
	CHECK(strstr(err, "sends RFC 5424 messages only") != NULL);
	CHECK_INT(cf_outputs_add(o, "syslog-tcp:127.0.0.1:1,ca=x.pem,spool=none", err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown option 'ca'") != NULL);
	CHECK_INT(cf_outputs_add(o, "unixgram:/tmp/x,format=xml,spool=none", err, sizeof(err)), -1);
	CHECK(strstr(err, "bad value 'xml' for format (rfc3164, rfc5424 or json)") != NULL);
	CHECK_INT(cf_outputs_add(o, "unixgram:/tmp/x,facility=local8,spool=none", err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown syslog facility 'local8'") != NULL);
	CHECK_INT(cf_outputs_add(o, "syslog,format=json", err, sizeof(err)), -1);
	CHECK(strstr(err, "format=json is for unixgram:") != NULL);
	CHECK_INT(cf_outputs_add(o, "syslog-tls:127.0.0.1:1,ca=/nonexistent/ca.pem,spool=none",
				 err, sizeof(err)), -1);
	CHECK(strstr(err, "output 'syslog-tls:127.0.0.1:1': cannot load CA file /nonexistent/ca.pem") != NULL);
	CHECK_INT(cf_outputs_add(o, "syslog-tls:127.0.0.1:1,insecure=yes,server-name=a,spool=none",
				 err, sizeof(err)), -1);
	CHECK(strstr(err, "insecure=yes checks no certificate") != NULL);
	CHECK_INT(cf_outputs_add(o, "syslog-tls:127.0.0.1:1,insecure=maybe,spool=none",
				 err, sizeof(err)), -1);
	CHECK(strstr(err, "bad value 'maybe' for insecure (yes or no)") != NULL);
	CHECK_INT(cf_outputs_count(o), 0);
	CHECK_INT(cf_outputs_add(o, "-", err, sizeof(err)), 0);
	CHECK_INT(cf_outputs_count(o), 1);
	cf_outputs_free(o);
}

/* kinds= and min-severity= per output; counters. */
static void test_filters(void)
{
	struct cf_outputs *o = outputs(NULL);
	struct cf_output_stats st;
	struct cf_event_info ev;
	char all[128], crit[128], spec[300], buf[512], name[160], err[256];

	if (o == NULL)
		return;
	path_of(all, sizeof(all), "all.json");
	path_of(crit, sizeof(crit), "crit.json");
	snprintf(spec, sizeof(spec), "file:%s", all);
	CHECK_INT(cf_outputs_add(o, spec, err, sizeof(err)), 0);
	snprintf(spec, sizeof(spec), "file:%s,kinds=alert+report,min-severity=critical", crit);
	CHECK_INT(cf_outputs_add(o, spec, err, sizeof(err)), 0);
	info(&ev, CF_EVENT_ALERT, CF_SEV_HIGH, 0);
	cf_outputs_write_event(o, "high", 4, &ev);
	info(&ev, CF_EVENT_ALERT, CF_SEV_CRITICAL, 0);
	cf_outputs_write_event(o, "crit", 4, &ev);
	info(&ev, CF_EVENT_FLOW, 0, 0);
	cf_outputs_write_event(o, "flow", 4, &ev);
	info(&ev, CF_EVENT_REPORT, 0, 0);
	cf_outputs_write_event(o, "report", 6, &ev);
	cf_outputs_write(o, "other", 5);
	CHECK_INT(cf_outputs_get_output_stats(o, 1, &st, name, sizeof(name)), 0);
	CHECK_INT(st.lines, 3);
	CHECK_INT(st.filtered, 2);
	CHECK(strncmp(name, "file:", 5) == 0 && strstr(name, "kinds") == NULL);
	CHECK_INT(cf_outputs_get_output_stats(o, 2, &st, NULL, 0), -1);
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.lines, 5);
	cf_outputs_free(o);
	slurp(all, buf, sizeof(buf));
	CHECK_STR(buf, "high\ncrit\nflow\nreport\nother\n");
	slurp(crit, buf, sizeof(buf));
	CHECK_STR(buf, "crit\nreport\nother\n");
}

#define ALERT(ts, port) "{\"@timestamp\":\"" ts "\",\"event\":{\"kind\":\"alert\"}," \
	"\"source\":{\"port\":" port "},\"callfence\":{\"role\":\"media\"}}"
#define T0 1709287200000000ULL          /* 2024-03-01T10:00:00.000Z */

/*
 * What the event stage does for --alert-window, in small: an alert's
 * record (numbers only; the outputs copy it and never look into it) and
 * the function that renders a record standing for count alerts.
 */
struct rec {
	uint64_t ts_us;
	unsigned port;
};

static struct cf_alert_fold folds[4];   /* the windows rendered, in order */
static int nfolds;

static int render_rec(const void *p, size_t len, const struct cf_alert_fold *fold,
		      const char **line, size_t *linelen)
{
	static char buf[256];
	const struct rec *r = p;
	char cnt[48] = "";
	unsigned ms;
	int n;

	if (len != sizeof(*r) || r->ts_us < T0)
		return -1;
	ms = (unsigned)((r->ts_us - T0) / 1000);
	if (fold != NULL) {
		if (nfolds < 4)
			folds[nfolds++] = *fold;
		snprintf(cnt, sizeof(cnt), "\"alert_count\":%llu,", (unsigned long long)fold->count);
	}
	n = snprintf(buf, sizeof(buf), "{\"@timestamp\":\"2024-03-01T10:00:%02u.%03uZ\","
		     "\"event\":{\"kind\":\"alert\"},\"source\":{\"port\":%u},"
		     "\"callfence\":{%s\"role\":\"media\"}}", ms / 1000, ms % 1000, r->port, cnt);
	*line = buf;
	*linelen = (size_t)n;
	return 0;
}

/* An alert at ts_us (from source port port), its line and its record. */
static void write_alert(struct cf_outputs *o, uint64_t ts_us, unsigned port)
{
	struct cf_event_info ev;
	struct rec r = { ts_us, port };
	const char *line;
	size_t len;

	info(&ev, CF_EVENT_ALERT, CF_SEV_HIGH, ts_us);
	ev.rec = &r;
	ev.rec_len = sizeof(r);
	ev.render = render_rec;
	render_rec(&r, sizeof(r), NULL, &line, &len);
	cf_outputs_write_event(o, line, len, &ev);
}

/* --alert-window 10: the first goes out, repeats fold into one summary. */
static void test_alert_window(void)
{
	struct cf_outputs *o;
	struct cf_output_stats st;
	struct cf_event_info ev;
	char p[128], spec[160], buf[2048];

	path_of(p, sizeof(p), "window.json");
	snprintf(spec, sizeof(spec), "file:%s", p);
	cf_outputs_set_alert_window(10);
	o = outputs(spec);
	cf_outputs_set_alert_window(0);
	if (o == NULL)
		return;
	write_alert(o, T0, 1);
	write_alert(o, T0 + 2000000, 2);
	write_alert(o, T0 + 3500000, 3);
	info(&ev, CF_EVENT_FLOW, 0, T0 + 4000000);
	cf_outputs_write_event(o, "{\"flow\":1}", 10, &ev);
	/* a flow 11 s later: the window has ended */
	info(&ev, CF_EVENT_FLOW, 0, T0 + 11000000);
	cf_outputs_write_event(o, "{\"flow\":2}", 10, &ev);
	cf_outputs_poll(o, 0);
	/* a new window for the same key */
	write_alert(o, T0 + 12000000, 4);
	write_alert(o, T0 + 13000000, 5);
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.aggregated, 3);
	cf_outputs_free(o);
	/* each window's final numbers, as handed to the renderer */
	CHECK_INT(nfolds, 2);
	CHECK_INT(folds[0].first_us, T0);
	CHECK_INT(folds[0].last_us, T0 + 3500000);
	CHECK_INT(folds[0].count, 2);
	CHECK_INT(folds[1].first_us, T0 + 12000000);
	CHECK_INT(folds[1].last_us, T0 + 13000000);
	CHECK_INT(folds[1].count, 1);
	slurp(p, buf, sizeof(buf));
	CHECK_STR(buf,
		  ALERT("2024-03-01T10:00:00.000Z", "1") "\n"
		  "{\"flow\":1}\n"
		  "{\"flow\":2}\n"
		  "{\"@timestamp\":\"2024-03-01T10:00:03.500Z\",\"event\":{\"kind\":\"alert\"},"
		  "\"source\":{\"port\":3},\"callfence\":{\"alert_count\":2,\"role\":\"media\"}}\n"
		  ALERT("2024-03-01T10:00:12.000Z", "4") "\n"
		  "{\"@timestamp\":\"2024-03-01T10:00:13.000Z\",\"event\":{\"kind\":\"alert\"},"
		  "\"source\":{\"port\":5},\"callfence\":{\"alert_count\":1,\"role\":\"media\"}}\n");
}

static void test_reopen(void)
{
	struct cf_outputs *o;
	char p[128], moved[140], spec[160], buf[256], err[256];

	path_of(p, sizeof(p), "rotate.json");
	snprintf(moved, sizeof(moved), "%s.1", p);
	snprintf(spec, sizeof(spec), "file:%s", p);
	o = outputs(spec);
	if (o == NULL)
		return;
	cf_outputs_write(o, "before", 6);
	cf_outputs_flush(o);
	CHECK_INT(rename(p, moved), 0);
	CHECK_INT(cf_outputs_reopen(o, err, sizeof(err)), 0);
	cf_outputs_write(o, "after", 5);
	cf_outputs_free(o);
	slurp(moved, buf, sizeof(buf));
	CHECK_STR(buf, "before\n");
	slurp(p, buf, sizeof(buf));
	CHECK_STR(buf, "after\n");
}

static int bind_unix(const char *path, int type)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, type, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4) < 0)) {
		perror(path);
		return -1;
	}
	return fd;
}

/*
 * A burst larger than the daemon's socket queue (net.unix.max_dgram_qlen,
 * as small as 10) waits in memory and comes out whole, in order.
 */
static void syslog_burst(struct cf_outputs *o, int fd)
{
	struct cf_output_stats st;
	char line[32], buf[512], *p;
	int i, n, next = 0, rounds;

	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), "{\"n\":%d}", i);
		cf_outputs_write(o, line, strlen(line));
	}
	for (rounds = 0; next < 300 && rounds < 1000; rounds++) {
		while ((n = (int)recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			buf[n] = '\0';
			p = strstr(buf, "]: ");
			snprintf(line, sizeof(line), "{\"n\":%d}", next);
			if (p == NULL || strcmp(p + 3, line) != 0)
				break;
			next++;
		}
		cf_outputs_poll(o, 0);
	}
	CHECK_INT(next, 300);
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.dropped, 0);
	CHECK_INT(st.pending, 0);
}

/* syslog framing, facility and the severity of each kind. */
static void test_syslog(void)
{
	struct cf_outputs *o;
	struct cf_event_info ev;
	char p[128], buf[512], want[64];
	int fd, n;

	path_of(p, sizeof(p), "log.sock");
	fd = bind_unix(p, SOCK_DGRAM);
	setenv("CALLFENCE_SYSLOG_SOCKET", p, 1);
	o = outputs("syslog:local3");
	unsetenv("CALLFENCE_SYSLOG_SOCKET");
	if (o == NULL || fd < 0)
		return;
	info(&ev, CF_EVENT_ALERT, CF_SEV_CRITICAL, 0);
	cf_outputs_write_event(o, "{\"a\":1}", 7, &ev);
	info(&ev, CF_EVENT_ALERT, CF_SEV_LOW, 0);
	cf_outputs_write_event(o, "{\"a\":2}", 7, &ev);
	info(&ev, CF_EVENT_FLOW, 0, 0);
	cf_outputs_write_event(o, "{\"f\":1}", 7, &ev);
	n = (int)recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_CRIT);
	CHECK(strncmp(buf, want, strlen(want)) == 0);
	snprintf(want, sizeof(want), " callfence[%d]: {\"a\":1}", (int)getpid());
	CHECK(n > 0 && strstr(buf, want) != NULL && strlen(strstr(buf, want)) == strlen(want));
	n = (int)recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_NOTICE);
	CHECK(strncmp(buf, want, strlen(want)) == 0);
	n = (int)recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_INFO);
	CHECK(strncmp(buf, want, strlen(want)) == 0);
	syslog_burst(o, fd);
	cf_outputs_free(o);
	close(fd);
}

/* Read what a stream peer has now (non-blocking) and append to acc. */
static void read_peer(int fd, char *acc, size_t len)
{
	char buf[1024];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		strncat(acc, buf, len - strlen(acc) - 1);
	}
}

/*
 * unix stream: the peer reads two lines and goes away; the rest is held,
 * sent again once the peer is back, nothing lost nor doubled.
 */
static void test_unix_stream(void)
{
	struct cf_outputs *o;
	struct cf_output_stats st;
	char p[128], spool[128], spec[300], got[1024] = "";
	int lfd, c1, c2;

	path_of(p, sizeof(p), "stream.sock");
	path_of(spool, sizeof(spool), "stream.spool");
	lfd = bind_unix(p, SOCK_STREAM);
	snprintf(spec, sizeof(spec), "unix:%s,spool=%s,drain=0.2", p, spool);
	o = outputs(spec);
	if (o == NULL || lfd < 0)
		return;
	CHECK_INT(cf_outputs_set_owner(o, getuid(), getgid(), logbuf, sizeof(logbuf)), 0);
	logbuf[0] = '\0';
	c1 = accept(lfd, NULL, NULL);
	cf_outputs_write(o, "l1", 2);
	cf_outputs_write(o, "l2", 2);
	read_peer(c1, got, sizeof(got));
	cf_outputs_poll(o, 0);                  /* the peer has read them */
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.delivered, 2);
	CHECK_INT(st.pending, 0);
	close(c1);                              /* the collector stops */
	cf_outputs_write(o, "l3", 2);
	cf_outputs_write(o, "l4", 2);
	cf_outputs_poll(o, 0);
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.pending, 2);
	CHECK(strstr(logbuf, "connection lost") != NULL);
	usleep(250000);                         /* back-off before reconnecting */
	cf_outputs_poll(o, 0);
	c2 = accept(lfd, NULL, NULL);
	cf_outputs_poll(o, 0);
	read_peer(c2, got, sizeof(got));
	cf_outputs_flush(o);
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.delivered, 4);
	CHECK_INT(st.pending, 0);
	CHECK_STR(got, "l1\nl2\nl3\nl4\n");
	cf_outputs_free(o);
	close(c2);
	close(lfd);
}

/* unixgram: one event a datagram; a receiver that is not there yet. */
static void test_unixgram_and_exit_spool(void)
{
	struct cf_outputs *o;
	struct cf_output_stats st;
	char p[128], spool[128], spec[300], buf[256];
	int fd, n;

	path_of(p, sizeof(p), "dgram.sock");
	path_of(spool, sizeof(spool), "dgram.spool");
	unlink(p);
	snprintf(spec, sizeof(spec), "unixgram:%s,spool=%s,drain=0,format=json", p, spool);
	logbuf[0] = '\0';
	o = outputs(spec);
	if (o == NULL)
		return;
	CHECK(strstr(logbuf, "cannot connect") != NULL);
	cf_outputs_write(o, "g1", 2);
	cf_outputs_write(o, "g2", 2);
	cf_outputs_free(o);                     /* down at exit: all spooled */
	CHECK(strstr(logbuf, "2 event(s) kept in spool") != NULL);
	slurp(spool, buf, sizeof(buf));
	CHECK_STR(buf, "g1\ng2\n");
	/* next run: the receiver is there; the spool goes first */
	fd = bind_unix(p, SOCK_DGRAM);
	logbuf[0] = '\0';
	o = outputs(spec);
	if (o == NULL || fd < 0)
		return;
	CHECK(strstr(logbuf, "2 event(s) from an earlier run") != NULL);
	cf_outputs_write(o, "g3", 2);
	cf_outputs_flush(o);
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.delivered, 3);
	CHECK_INT(st.replayed, 2);
	cf_outputs_free(o);
	n = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK_INT(n, 2);
	CHECK(memcmp(buf, "g1", 2) == 0);
	n = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK(n == 2 && memcmp(buf, "g2", 2) == 0);
	n = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK(n == 2 && memcmp(buf, "g3", 2) == 0);
	CHECK_INT(slurp(spool, buf, sizeof(buf)), 0);
	close(fd);
}

/* The wire form of e, joined into buf. */
static size_t wire_str(const struct outq *q, const struct outq_entry *e, char *buf, size_t len)
{
	struct iovec seg[OQ_WIRE_PIECES];
	char pfx[16];
	size_t n = 0;
	int k, i;

	outq_wire(q, e, seg, &k, pfx);
	for (i = 0; i < k && n + seg[i].iov_len < len; i++) {
		memcpy(buf + n, seg[i].iov_base, seg[i].iov_len);
		n += seg[i].iov_len;
	}
	buf[n] = '\0';
	return n;
}

/* Octet counting, and the mark on entries sent on a connection that broke. */
static void test_wire_and_mark(void)
{
	static const char m5424[] = "<27>1 2026-12-07T02:34:08.123456Z gw callfence 42 alert - {\"a\":1}";
	static const char m3164[] = "<27>Dec  7 02:34:08 callfence[42]: {\"a\":1}";
	struct cf_output_stats st;
	struct outq q;
	char buf[512], want[512];
	size_t n;

	memset(&st, 0, sizeof(st));
	outq_init(&q, 10, 1 << 20, NULL, &st);
	q.framing = OQ_FRAME_OCTETS;
	q.mark_again = 1;
	CHECK_INT(outq_push(&q, m5424, strlen(m5424), NULL), 0);
	CHECK_INT(outq_push(&q, m3164, strlen(m3164), NULL), 0);
	n = wire_str(&q, q.head, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%zu %s", strlen(m5424), m5424);
	CHECK_STR(buf, want);
	CHECK_INT(n, strlen(want));
	/* both sent, the connection breaks before any acknowledgement */
	outq_sent(&q);
	q.send_off = 3;                 /* the second one partly written */
	outq_rewind(&q);
	CHECK_INT(q.head->again, 1);
	CHECK_INT(q.head->next->again, 1);
	snprintf(want, sizeof(want), "%zu <27>1 2026-12-07T02:34:08.123456Z gw callfence 42 alert "
		 "[callfence@32473 replay=\"1\"] {\"a\":1}",
		 strlen(m5424) - 1 + strlen("[callfence@32473 replay=\"1\"]"));
	n = wire_str(&q, q.head, buf, sizeof(buf));
	CHECK_STR(buf, want);
	/* not RFC 5424: sent again as it was */
	wire_str(&q, q.head->next, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%zu %s", strlen(m3164), m3164);
	CHECK_STR(buf, want);
	/* acknowledgements count the marked frame's bytes */
	outq_sent(&q);
	outq_ack_bytes(&q, n - 1);
	CHECK_INT(q.n, 2);
	outq_ack_bytes(&q, 1);
	CHECK_INT(q.n, 1);
	CHECK_INT(st.delivered, 1);
	/* NDJSON: the line and a newline, never marked */
	q.framing = OQ_FRAME_LF;
	wire_str(&q, q.head, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", m3164);
	CHECK_STR(buf, want);
	outq_close(&q, &st.pending);
}

/* syslog-tcp end to end: octet-counted RFC 5424 messages, fields right. */
static void test_syslog_tcp(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct cf_event_info ev;
	struct cf_outputs *o;
	char spec[256], buf[4096], host[300], *p, *end;
	const char *lines[] = { "{\"k\":\"alert\"}", "{\"k\":\"flow\"}", "{\"k\":\"report\"}" };
	const char *ids[] = { "alert", "flow", "report" };
	int pri[] = { LOG_LOCAL1 | LOG_CRIT, LOG_LOCAL1 | LOG_INFO, LOG_LOCAL1 | LOG_INFO };
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd, i, len, got = 0;
	struct pollfd pf;
	ssize_t n;
	size_t have = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) < 0) {
		perror("listen");
		CHECK(0);
		return;
	}
	snprintf(spec, sizeof(spec), "syslog-tcp:127.0.0.1:%d,facility=local1,spool=none,drain=2",
		 ntohs(sin.sin_port));
	o = outputs(spec);
	CHECK(o != NULL);
	if (o == NULL)
		return;
	info(&ev, CF_EVENT_ALERT, CF_SEV_CRITICAL, 0);
	cf_outputs_write_event(o, lines[0], strlen(lines[0]), &ev);
	info(&ev, CF_EVENT_FLOW, 0, 0);
	cf_outputs_write_event(o, lines[1], strlen(lines[1]), &ev);
	info(&ev, CF_EVENT_REPORT, 0, 0);
	cf_outputs_write_event(o, lines[2], strlen(lines[2]), &ev);
	CHECK_INT(cf_outputs_flush(o), 0);
	cfd = accept(lfd, NULL, NULL);
	cf_outputs_free(o);
	pf.fd = cfd;
	pf.events = POLLIN;
	while (cfd >= 0 && have < sizeof(buf) - 1 && poll(&pf, 1, 2000) > 0 &&
	       (n = read(cfd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	buf[have] = '\0';
	gethostname(host, sizeof(host));
	for (p = buf, i = 0; i < 3 && p < buf + have; i++, p = end) {
		char head[400], want[600];

		len = (int)strtol(p, &end, 10);
		CHECK(end != p && *end == ' ');
		end++;
		CHECK(len > 0 && end + len <= buf + have);
		if (!(len > 0 && end + len <= buf + have))
			break;
		/* <PRI>1 TIMESTAMP HOST callfence PID MSGID - MSG */
		snprintf(want, sizeof(want), " %s callfence %ld %s - %s", host, (long)getpid(),
			 ids[i], lines[i]);
		snprintf(head, sizeof(head), "<%d>1 ", pri[i]);
		CHECK(strncmp(end, head, strlen(head)) == 0);
		/* the stamp: YYYY-MM-DDThh:mm:ss.uuuuuuZ, 27 bytes */
		CHECK(len > 34 && strncmp(end + strlen(head) + 27, want, strlen(want)) == 0 &&
		      (int)(strlen(head) + 27 + strlen(want)) == len);
		CHECK(end[strlen(head) + 26] == 'Z' && end[strlen(head) + 19] == '.' &&
		      end[strlen(head) + 10] == 'T');
		end += len;
		got++;
	}
	CHECK_INT(got, 3);
	CHECK(p == buf + have);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
}

/* insecure=yes is allowed, and said. */
static void test_tls_insecure_said(void)
{
	struct cf_outputs *o;

	logbuf[0] = '\0';
	o = outputs("syslog-tls:127.0.0.1:1,insecure=yes,spool=none,drain=0");
	CHECK(o != NULL);
	CHECK(strstr(logbuf, "output syslog-tls:127.0.0.1:1: insecure=yes: "
		      "the collector's certificate is not checked") != NULL);
	cf_outputs_free(o);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cf-output-test.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_spec_errors);
	RUN(test_filters);
	RUN(test_alert_window);
	RUN(test_reopen);
	RUN(test_syslog);
	RUN(test_unix_stream);
	RUN(test_unixgram_and_exit_spool);
	RUN(test_wire_and_mark);
	RUN(test_syslog_tcp);
	RUN(test_tls_insecure_said);
	if (harness_failed == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	} else {
		fprintf(stderr, "messages:\n%s", logbuf);
	}
	return harness_done();
}
