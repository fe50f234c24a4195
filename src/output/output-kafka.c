/*
 * output-kafka.c - kafka:BROKERS/TOPIC: each event a Kafka message, its
 * key the flow's Community ID (network.community_id), so the events of
 * one flow land in one partition, in order.  The only librdkafka includer.
 *
 * An event stays in the memory queue (and the spool behind it) until its
 * delivery report says the brokers have it (acks=all, the idempotent
 * producer: no duplicates from retries, order kept per partition).
 * librdkafka retries for as long as it takes (message.timeout.ms=0); the
 * bound on what is held is ours (queue=, spool-max=).  At exit whatever
 * is still undelivered is purged from librdkafka and spooled, so it can
 * come twice if a broker had it already: at-least-once.
 *
 * kafka.PROPERTY=VALUE options go to librdkafka as they are (TLS, SASL,
 * compression.type, ...), after our defaults.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/output-int.h"

#ifdef HAVE_RDKAFKA
#include <librdkafka/rdkafka.h>

#define MAX_PROPS 32

struct kafka_out {
	struct out *o;
	rd_kafka_t *rk;                 /* made at the first service (see kafka_start) */
	rd_kafka_conf_t *conf;          /* until then */
	char *topic;
	char *props[MAX_PROPS][2];      /* kafka.NAME=VALUE, applied in open */
	int nprops;
	int closing, down_logged, big_logged, fatal_logged;
};

static struct kafka_out *kafka_state(struct out *o)
{
	if (o->priv == NULL) {
		o->priv = calloc(1, sizeof(struct kafka_out));
		if (o->priv != NULL)
			((struct kafka_out *)o->priv)->o = o;
	}
	return o->priv;
}

static int kafka_option(struct out *o, const char *name, const char *value,
			char *err, size_t errlen)
{
	struct kafka_out *k;

	if (strncmp(name, "kafka.", 6) != 0 || name[6] == '\0')
		return 1;
	k = kafka_state(o);
	if (k == NULL || k->nprops == MAX_PROPS) {
		snprintf(err, errlen, "output '%s': too many kafka.* options", o->spec);
		return -1;
	}
	k->props[k->nprops][0] = strdup(name + 6);
	k->props[k->nprops][1] = strdup(value);
	k->nprops++;
	return 0;
}

static struct outq_entry *find_seq(struct outq *q, uint64_t seq)
{
	struct outq_entry *e;

	for (e = q->head; e != NULL; e = e->next)
		if (e->seq == seq)
			return e;
	return NULL;
}

/* Delivery reports, served by rd_kafka_poll on our thread. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka_out *k = opaque;
	struct outq_entry *e;

	(void)rk;
	if (k->closing || (e = find_seq(&k->o->q, (uint64_t)(uintptr_t)m->_private)) == NULL)
		return;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (k->down_logged)
			out_log(k->o, "delivering again");
		k->down_logged = 0;
		outq_done(&k->o->q, e);
	} else if (m->err != RD_KAFKA_RESP_ERR__PURGE_QUEUE &&
		   m->err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
		if (!k->down_logged)
			out_log(k->o, "delivery failed: %s; trying again", rd_kafka_err2str(m->err));
		k->down_logged = 1;
		outq_retry(&k->o->q, e);
	}
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka_out *k = opaque;
	char buf[256];

	if (rd_kafka_fatal_error(rk, buf, sizeof(buf)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (!k->fatal_logged)
			out_log(k->o, "fatal producer error: %s; holding events for the next run", buf);
		k->fatal_logged = 1;
		return;
	}
	if (!k->down_logged && (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
				err == RD_KAFKA_RESP_ERR__TRANSPORT ||
				err == RD_KAFKA_RESP_ERR__RESOLVE)) {
		out_log(k->o, "%s; holding events until a broker is back", reason);
		k->down_logged = 1;
	}
}

/* librdkafka's own log lines would go to stderr from its threads: quiet. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk, (void)level, (void)fac, (void)buf;
}

static int set(rd_kafka_conf_t *conf, const char *name, const char *value,
	       struct out *o, char *err, size_t errlen)
{
	char msg[256];

	if (rd_kafka_conf_set(conf, name, value, msg, sizeof(msg)) == RD_KAFKA_CONF_OK)
		return 0;
	snprintf(err, errlen, "output '%s': kafka property %s=%s: %s", o->spec, name, value, msg);
	return -1;
}

static rd_kafka_conf_t *make_conf(struct kafka_out *k, const char *brokers,
				  char *err, size_t errlen)
{
	static const char *const defaults[][2] = {
		{ "client.id", "callfence" },
		{ "enable.idempotence", "true" },
		{ "acks", "all" },
		{ "message.timeout.ms", "0" },
		{ "linger.ms", "20" },
	};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	size_t i;
	int j;

	if (conf == NULL || set(conf, "bootstrap.servers", brokers, k->o, err, errlen) < 0)
		goto fail;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (set(conf, defaults[i][0], defaults[i][1], k->o, err, errlen) < 0)
			goto fail;
	for (j = 0; j < k->nprops; j++)
		if (k->props[j][0] == NULL || k->props[j][1] == NULL ||
		    set(conf, k->props[j][0], k->props[j][1], k->o, err, errlen) < 0)
			goto fail;
	rd_kafka_conf_set_opaque(conf, k);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_log_cb(conf, on_log);
	return conf;
fail:
	if (conf != NULL)
		rd_kafka_conf_destroy(conf);
	return NULL;
}

/*
 * Try the configuration once (a missing certificate, a bad SASL mechanism
 * show up in rd_kafka_new), then put the producer away: its threads would
 * not survive a daemon's fork.
 */
static int try_conf(struct kafka_out *k, char *err, size_t errlen)
{
	rd_kafka_conf_t *dup = rd_kafka_conf_dup(k->conf);
	char msg[256];
	rd_kafka_t *rk;

	rd_kafka_conf_set_opaque(dup, NULL);
	rd_kafka_conf_set_dr_msg_cb(dup, NULL);
	rd_kafka_conf_set_error_cb(dup, NULL);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, dup, msg, sizeof(msg));
	if (rk == NULL) {
		rd_kafka_conf_destroy(dup);
		snprintf(err, errlen, "output '%s': cannot create the Kafka producer: %s",
			 k->o->spec, msg);
		return -1;
	}
	rd_kafka_destroy(rk);
	return 0;
}

/* The producer, at the first service: after a daemon has detached. */
static int kafka_start(struct kafka_out *k)
{
	char msg[256];

	if (k->rk != NULL)
		return 0;
	if (k->conf == NULL)
		return -1;
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, k->conf, msg, sizeof(msg));
	if (k->rk == NULL) {
		if (!k->fatal_logged)
			out_log(k->o, "cannot create the Kafka producer: %s; holding events", msg);
		k->fatal_logged = 1;
		return -1;
	}
	k->conf = NULL;         /* rd_kafka_new took it */
	return 0;
}

static int kafka_open(struct out *o, const char *target, char *err, size_t errlen)
{
	struct kafka_out *k = kafka_state(o);
	const char *slash = strrchr(target, '/');
	char *brokers;

	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (slash == NULL || slash == target || slash[1] == '\0') {
		snprintf(err, errlen, "output '%s': expected kafka:BROKER[,BROKER...]/TOPIC", o->spec);
		return -1;
	}
	brokers = strndup(target, (size_t)(slash - target));
	k->topic = strdup(slash + 1);
	k->conf = brokers != NULL && k->topic != NULL ? make_conf(k, brokers, err, errlen) : NULL;
	free(brokers);
	if (k->conf == NULL)
		return -1;
	return try_conf(k, err, errlen);
}

/* Hand queued events to librdkafka while it takes them. */
static void produce(struct kafka_out *k)
{
	struct outq *q = &k->o->q;
	struct outq_entry *e;
	rd_kafka_resp_err_t err;

	while ((e = q->send) != NULL) {
		size_t klen = e->key != NULL ? e->keylen : 0;

		err = rd_kafka_producev(k->rk, RD_KAFKA_V_TOPIC(k->topic),
					RD_KAFKA_V_VALUE(e->data, e->len),
					RD_KAFKA_V_KEY(e->key, klen),
					RD_KAFKA_V_OPAQUE((void *)(uintptr_t)e->seq),
					RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					RD_KAFKA_V_END);
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			outq_sent(q);
			continue;
		}
		if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL || err == RD_KAFKA_RESP_ERR__FATAL)
			return;
		if (!k->big_logged)
			out_log(k->o, "an event of %u bytes was refused: %s: dropped (counted)",
				e->len, rd_kafka_err2str(err));
		k->big_logged = 1;
		outq_discard(q, e);
	}
}

static void kafka_service(struct out *o, double now, int full)
{
	struct kafka_out *k = o->priv;

	(void)now;
	outq_refill(&o->q);
	if (kafka_start(k) < 0)
		return;
	rd_kafka_poll(k->rk, 0);
	produce(k);
	if (full)
		rd_kafka_poll(k->rk, 0);
	outq_refill(&o->q);
}

static void kafka_abandon(struct out *o)
{
	struct kafka_out *k = o->priv;

	if (k->rk == NULL)
		return;
	rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	rd_kafka_poll(k->rk, 0);
}

static void kafka_close(struct out *o)
{
	struct kafka_out *k = o->priv;
	int i;

	k->closing = 1;
	if (k->rk != NULL)
		rd_kafka_destroy(k->rk);
	if (k->conf != NULL)
		rd_kafka_conf_destroy(k->conf);
	for (i = 0; i < k->nprops; i++) {
		free(k->props[i][0]);
		free(k->props[i][1]);
	}
	free(k->topic);
	free(k);
	o->priv = NULL;
}

const struct out_ops out_kafka_ops = {
	.scheme = "kafka",
	.reliable = 1,
	.start_late = 1,
	.open = kafka_open,
	.option = kafka_option,
	.service = kafka_service,
	.abandon = kafka_abandon,
	.close = kafka_close,
};

const char *cf_output_kafka_version(void)
{
	return rd_kafka_version_str();
}

#else /* !HAVE_RDKAFKA */

static int kafka_open(struct out *o, const char *target, char *err, size_t errlen)
{
	(void)target;
	snprintf(err, errlen, "output '%s': this callfence was built without Kafka "
		 "(install librdkafka-dev and run configure --with-kafka)", o->spec);
	return -1;
}

static int kafka_option(struct out *o, const char *name, const char *value,
			char *err, size_t errlen)
{
	(void)o, (void)value, (void)err, (void)errlen;
	return strncmp(name, "kafka.", 6) == 0 ? 0 : 1;
}

const struct out_ops out_kafka_ops = {
	.scheme = "kafka",
	.reliable = 1,
	.open = kafka_open,
	.option = kafka_option,
};

const char *cf_output_kafka_version(void)
{
	return NULL;
}

#endif /* HAVE_RDKAFKA */
