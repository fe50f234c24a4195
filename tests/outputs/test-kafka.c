/*
 * test-kafka.c - the kafka: output through a real producer path: this
 * program starts librdkafka's mock cluster (one broker, in-process, on a
 * local TCP port), runs callfence against it, and reads every event back
 * with a consumer: the same lines in the same order, each keyed by its
 * network.community_id.  Then the broker goes down: callfence must end
 * with everything in its spool and say so; the broker comes back and the
 * next run delivers the spooled events first, then its own.
 *
 * Env: CALLFENCE, CFGEN, GEO, SRCDIR, BUILDDIR (as make check sets them).
 * Exit: 0 pass, 1 fail, 77 skipped (no geography fixtures).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "harness.h"

#define TOPIC "callfence"
#define MAX_LINES 4096

static const char *callfence, *cfgen, *geo, *srcdir;
static char work[512];

struct lines {
	char *v[MAX_LINES];
	size_t n;
};

static void lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/* Append the lines of path (without newlines) to l. */
static int read_lines(const char *path, struct lines *l)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (fp == NULL)
		return -1;
	while ((n = getline(&buf, &cap, fp)) > 0 && l->n < MAX_LINES) {
		if (buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		l->v[l->n++] = strdup(buf);
	}
	free(buf);
	fclose(fp);
	return 0;
}

static int file_has(const char *path, const char *needle)
{
	struct lines l = { .n = 0 };
	size_t i;
	int found = 0;

	read_lines(path, &l);
	for (i = 0; i < l.n; i++)
		found |= strstr(l.v[i], needle) != NULL;
	lines_free(&l);
	return found;
}

/* Run callfence on the test capture; its events also go to NAME.expect. */
static int run_callfence(const char *name, const char *kafka_spec)
{
	char cmd[4096];
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "'%s' -q -r '%s/small.pcap' -R '%s/tests/e2e/rules/e2e-eu.rules' "
		 "-G '%s/country.mmdb' -G '%s/asn.mmdb' --all-flows "
		 "-o 'file:%s/%s.expect' -o '%s' >'%s/%s.out' 2>'%s/%s.err'",
		 callfence, work, srcdir, geo, geo, work, name, kafka_spec,
		 work, name, work, name);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "%s: callfence exit status %d (see %s/%s.err)\n", name,
			WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, work, name);
	return rc;
}

/* The Community ID in an event line, into key ("" if none). */
static void key_of(const char *line, char *key, size_t len)
{
	const char *p = strstr(line, "\"community_id\":\"");
	const char *q;

	key[0] = '\0';
	if (p == NULL)
		return;
	p += 16;
	q = strchr(p, '"');
	if (q != NULL && (size_t)(q - p) < len)
		snprintf(key, len, "%.*s", (int)(q - p), p);
}

/* Consume from partition 0 at offset from: want->n messages, compared in order. */
static int consume_check(const char *brokers, int64_t from, const struct lines *want)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_t *rkt;
	rd_kafka_message_t *m;
	rd_kafka_t *rk;
	char errstr[256], key[64];
	size_t got = 0, bad = 0;
	int idle = 0;

	rd_kafka_conf_set(conf, "bootstrap.servers", brokers, errstr, sizeof(errstr));
	rd_kafka_conf_set(conf, "group.id", "callfence-test", errstr, sizeof(errstr));
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (rk == NULL) {
		fprintf(stderr, "consumer: %s\n", errstr);
		return -1;
	}
	rkt = rd_kafka_topic_new(rk, TOPIC, NULL);
	rd_kafka_consume_start(rkt, 0, from);
	while (got < want->n && idle < 200) {
		m = rd_kafka_consume(rkt, 0, 100);
		if (m == NULL) {
			idle++;
			continue;
		}
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			key_of(want->v[got], key, sizeof(key));
			if (m->len != strlen(want->v[got]) ||
			    memcmp(m->payload, want->v[got], m->len) != 0 ||
			    m->key_len != strlen(key) ||
			    (m->key_len > 0 && memcmp(m->key, key, m->key_len) != 0)) {
				if (bad++ == 0)
					fprintf(stderr, "message %zu differs from the event (or its key)\n", got);
			}
			got++;
			idle = 0;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consume_stop(rkt, 0);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	if (got != want->n)
		fprintf(stderr, "consumed %zu messages, want %zu\n", got, want->n);
	return got == want->n && bad == 0 ? 0 : -1;
}

struct cluster {
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	const char *brokers;
};

static int cluster_start(struct cluster *c)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[256];

	rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
	c->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (c->rk == NULL) {
		fprintf(stderr, "mock cluster handle: %s\n", errstr);
		return -1;
	}
	c->mc = rd_kafka_mock_cluster_new(c->rk, 1);
	if (c->mc == NULL)
		return -1;
	c->brokers = rd_kafka_mock_cluster_bootstraps(c->mc);
	return rd_kafka_mock_topic_create(c->mc, TOPIC, 1, 1) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

static void cluster_stop(struct cluster *c)
{
	if (c->mc != NULL)
		rd_kafka_mock_cluster_destroy(c->mc);
	if (c->rk != NULL)
		rd_kafka_destroy(c->rk);
}

static struct cluster cl;
static int64_t delivered;        /* messages in the topic so far */

static void test_delivery(void)
{
	struct lines want = { .n = 0 };
	char spec[1024], path[600];

	snprintf(spec, sizeof(spec), "kafka:%s/" TOPIC ",spool=%s/up.spool,drain=20",
		 cl.brokers, work);
	CHECK_INT(run_callfence("up", spec), 0);
	snprintf(path, sizeof(path), "%s/up.expect", work);
	CHECK_INT(read_lines(path, &want), 0);
	CHECK(want.n > 10);
	CHECK_INT(consume_check(cl.brokers, RD_KAFKA_OFFSET_BEGINNING, &want), 0);
	delivered = (int64_t)want.n;
	lines_free(&want);
}

static void test_broker_down_then_up(void)
{
	struct lines spooled = { .n = 0 }, want = { .n = 0 };
	char spec[1024], path[600];
	struct stat st;

	snprintf(spec, sizeof(spec), "kafka:%s/" TOPIC ",spool=%s/down.spool,drain=1",
		 cl.brokers, work);
	CHECK_INT(rd_kafka_mock_broker_set_down(cl.mc, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
	CHECK_INT(run_callfence("down", spec), 0);
	snprintf(path, sizeof(path), "%s/down.err", work);
	CHECK(file_has(path, "event(s) kept in spool"));
	/* the spool holds exactly the run's events, in order */
	snprintf(path, sizeof(path), "%s/down.spool", work);
	CHECK_INT(read_lines(path, &spooled), 0);
	snprintf(path, sizeof(path), "%s/down.expect", work);
	CHECK_INT(read_lines(path, &want), 0);
	CHECK_INT(spooled.n, want.n);
	CHECK(spooled.n > 0 && strcmp(spooled.v[0], want.v[0]) == 0 &&
	      strcmp(spooled.v[spooled.n - 1], want.v[want.n - 1]) == 0);
	lines_free(&spooled);
	/* back up: the next run sends the spool first, then its own events */
	CHECK_INT(rd_kafka_mock_broker_set_up(cl.mc, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
	CHECK_INT(run_callfence("again", spec), 0);
	snprintf(path, sizeof(path), "%s/again.err", work);
	CHECK(file_has(path, "from an earlier run"));
	snprintf(path, sizeof(path), "%s/again.expect", work);
	CHECK_INT(read_lines(path, &want), 0);
	CHECK_INT(consume_check(cl.brokers, delivered, &want), 0);
	snprintf(path, sizeof(path), "%s/down.spool", work);
	CHECK(stat(path, &st) == 0 && st.st_size == 0);
	lines_free(&want);
}

int main(void)
{
	const char *build = getenv("BUILDDIR");
	char cmd[2048];

	callfence = getenv("CALLFENCE");
	cfgen = getenv("CFGEN");
	geo = getenv("GEO");
	srcdir = getenv("SRCDIR");
	if (callfence == NULL || cfgen == NULL || geo == NULL || srcdir == NULL) {
		fprintf(stderr, "set CALLFENCE, CFGEN, GEO and SRCDIR (make check does)\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "%s/country.mmdb", geo);
	if (access(cmd, R_OK) != 0) {
		printf("SKIP: no %s\n", cmd);
		return 77;
	}
	snprintf(work, sizeof(work), "%s/tests/work/kafka", build != NULL ? build : ".");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s' && '%s' '%s/tests/outputs/outputs.scn' '%s/small.pcap'",
		 work, work, cfgen, srcdir, work);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make the test capture\n");
		return 1;
	}
	if (cluster_start(&cl) < 0) {
		fprintf(stderr, "cannot start librdkafka's mock cluster\n");
		cluster_stop(&cl);
		return 1;
	}
	fprintf(stderr, "mock cluster at %s\n", cl.brokers);
	RUN(test_delivery);
	RUN(test_broker_down_then_up);
	cluster_stop(&cl);
	return harness_done();
}
