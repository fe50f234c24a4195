/*
 * test-event.c - ECS alert and flow events, written through a real file
 * output and parsed back with jansson field by field; event times; making
 * wire strings safe for JSON.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "harness.h"
#include "event/event.h"
#include "output/output.h"
#include "classify/classify.h"
#include "event/report.h"
#include "event/daemon-stats.h"
#include "event/provenance.h"

#ifdef CF_TEST_STUB_ROLE_NAME
/* Until the classifier's role names (classify.h) are linked in. */
const char *cf_role_name(unsigned bit)
{
	switch (bit) {
	case CF_ROLE_KEYX: return "key-exchange";
	case CF_ROLE_MEDIA: return "media";
	case CF_ROLE_SIGNALING: return "signaling";
	case CF_ROLE_RELAY: return "relay";
	case CF_ROLE_WEB: return "web";
	}
	return "unknown";
}
#endif

#define FFFD "\xef\xbf\xbd"

static char out_path[64];

/* ---- helpers -------------------------------------------------------- */

static void set_addr(cf_addr *a, const char *s)
{
	if (cf_addr_parse(s, a) < 0)
		abort();
}

/* A Zoom TLS flow from 192.168.1.178:50076 to 144.195.73.154:443. */
static void zoom_flow(struct cf_flow *f)
{
	memset(f, 0, sizeof(*f));
	set_addr(&f->ip[0], "192.168.1.178");
	set_addr(&f->ip[1], "144.195.73.154");
	f->port[0] = 50076;
	f->port[1] = 443;
	f->proto = 6;
	f->ip_version = 4;
	f->first_us = 1620119520000000ULL;     /* 09:12:00.000 */
	f->last_us = 1620119525250500ULL;      /* 09:12:05.250 */
	f->pkts[0] = 12, f->pkts[1] = 8;
	f->bytes[0] = 1563, f->bytes[1] = 7000;
	cf_class_set_app(&f->cls, "zoom");
	cf_class_set_l7(&f->cls, "tls");
	cf_class_set_host(&f->cls, "zoomsjccv154mmr.sjc.zoom.us", CF_HOST_LEN);
	cf_class_set_evidence(&f->cls, "tls-sni catalog:zoom-mmr", CF_EVID_LEN);
	f->cls.roles = CF_ROLE_KEYX | CF_ROLE_SIGNALING;
	f->local = 0;
	f->verdict = 2;
	f->n_alerts = 1;
	f->decided_rule = 3;
}

static void us_geo(struct cf_geo_result *g)
{
	memset(g, 0, sizeof(*g));
	strcpy(g->country, "US");
	strcpy(g->registered, "US");
	g->asn = 30103;
	strcpy(g->as_org, "Zoom Video Communications, Inc.");
}

static const char *const eea[] = { "EEA", NULL };
static const char *const eea_ch[] = { "EEA", "CH", NULL };

static const struct cf_rule_info rule_high = {
	.index = 3, .id = "eu-gdpr:12", .msg = "call keys or media left the EEA",
	.ruleset = "eu-gdpr", .file = "rules/eu-gdpr.rules", .line = 12,
	.action = CF_ACT_ALERT, .severity = CF_SEV_HIGH, .to_text = "!EEA",
};

static struct cf_outputs *open_out(void)
{
	struct cf_outputs *o = cf_outputs_new();
	char spec[80], err[256];

	snprintf(out_path, sizeof(out_path), "/tmp/cf-test-event-%ld.ndjson",
		 (long)getpid());
	unlink(out_path);
	snprintf(spec, sizeof(spec), "file:%s", out_path);
	if (o == NULL || cf_outputs_add(o, spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "cannot set up output: %s\n", err);
		exit(2);
	}
	return o;
}

/*
 * With CF_TEST_EVENT_KEEP=FILE, every event line the tests read back is
 * also appended to FILE (tests/ecs/test-ecs.sh checks them against ECS:
 * the stats event's only source without live capture).
 */
static void keep_line(const char *line)
{
	const char *path = getenv("CF_TEST_EVENT_KEEP");
	FILE *fp;

	if (path == NULL || *path == '\0')
		return;
	fp = fopen(path, "a");
	if (fp == NULL)
		return;
	fputs(line, fp);
	fclose(fp);
}

/*
 * Close the output and parse its lines into objs[] (max n).  Each line
 * must end in exactly one newline and be one JSON object.  Returns the
 * number of lines parsed (or -1 on a bad line).
 */
static int read_back(struct cf_outputs *o, json_t **objs, int n)
{
	char line[16384];
	json_error_t e;
	FILE *fp;
	int k = 0;

	cf_outputs_flush(o);
	cf_outputs_free(o);
	fp = fopen(out_path, "r");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL && k < n) {
		size_t len = strlen(line);

		CHECK(len > 0 && line[len - 1] == '\n');
		CHECK(memchr(line, '\n', len - 1) == NULL);
		keep_line(line);
		objs[k] = json_loads(line, 0, &e);
		if (objs[k] == NULL || !json_is_object(objs[k])) {
			fprintf(stderr, "bad line %d: %s (%s)\n", k, line, e.text);
			fclose(fp);
			return -1;
		}
		k++;
	}
	fclose(fp);
	unlink(out_path);
	return k;
}

/* Value at a dotted path ("destination.geo.country_iso_code"), or NULL. */
static json_t *at(json_t *o, const char *path)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o;
	     tok = strtok_r(NULL, ".", &save))
		o = json_object_get(o, tok);
	return o;
}

static const char *str_at(json_t *o, const char *path)
{
	json_t *v = at(o, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long int_at(json_t *o, const char *path)
{
	json_t *v = at(o, path);

	return json_is_integer(v) ? json_integer_value(v) : -999;
}

/* No null, no "", no {} anywhere; [] only where allow_empty_array names. */
static int no_empty(json_t *v, const char *key, const char *allow_empty_array)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_null(v))
		return 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_object(v)) {
		if (json_object_size(v) == 0)
			return 0;
		json_object_foreach(v, k, x)
			if (!no_empty(x, k, allow_empty_array))
				return 0;
	}
	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			return allow_empty_array && key &&
			       strcmp(key, allow_empty_array) == 0;
		json_array_foreach(v, i, x)
			if (!no_empty(x, NULL, allow_empty_array))
				return 0;
	}
	return 1;
}

/* The top-level keys of o, comma separated. */
static const char *keys_of(json_t *o, char *buf, size_t len)
{
	const char *k;
	json_t *x;
	size_t used = 0;

	buf[0] = '\0';
	json_object_foreach(o, k, x)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", k);
	return buf;
}

static const char *arr_str(json_t *o, const char *path, size_t i)
{
	json_t *a = at(o, path);

	return json_is_array(a) ? json_string_value(json_array_get(a, i)) : NULL;
}

/* ---- cf_event_time -------------------------------------------------- */

static void test_time(void)
{
	char buf[40];

	cf_event_time(0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00.000Z");
	cf_event_time(1620119523118000ULL, buf, sizeof(buf));
	CHECK_STR(buf, "2021-05-04T09:12:03.118Z");
	cf_event_time(1620119523118999ULL, buf, sizeof(buf));  /* truncates */
	CHECK_STR(buf, "2021-05-04T09:12:03.118Z");
	cf_event_time(951782400000000ULL, buf, sizeof(buf));   /* leap day */
	CHECK_STR(buf, "2000-02-29T00:00:00.000Z");
	cf_event_time(4102444799999000ULL, buf, sizeof(buf));
	CHECK_STR(buf, "2099-12-31T23:59:59.999Z");
	cf_event_time(1000, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00.001Z");
	cf_event_time(1620119523118000ULL, buf, 11);           /* short buffer */
	CHECK_STR(buf, "2021-05-04");
	/* the day's prefix is cached: back and forth over midnights, and
	   against gmtime_r and strftime over a span of seconds */
	cf_event_time(1620172799999000ULL, buf, sizeof(buf));
	CHECK_STR(buf, "2021-05-04T23:59:59.999Z");
	cf_event_time(1620172800000000ULL, buf, sizeof(buf));
	CHECK_STR(buf, "2021-05-05T00:00:00.000Z");
	cf_event_time(1620086400000000ULL, buf, sizeof(buf));
	CHECK_STR(buf, "2021-05-04T00:00:00.000Z");
	{
		uint64_t t;
		unsigned bad = 0;

		for (t = 1577836800ULL - 5 * 86400; t < 1577836800ULL + 5 * 86400; t += 997) {
			char want[40];
			time_t sec = (time_t)t;
			struct tm tm;

			gmtime_r(&sec, &tm);
			strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.042Z", &tm);
			cf_event_time(t * 1000000 + 42000, buf, sizeof(buf));
			if (strcmp(buf, want) != 0 && bad++ < 3)
				fprintf(stderr, "time %llu: %s, want %s\n",
					(unsigned long long)t, buf, want);
		}
		CHECK_INT(bad, 0);
	}
}

/* ---- cf_json_safe_string -------------------------------------------- */

struct safe_case {
	const char *in;
	size_t inlen;
	size_t dstlen;
	const char *want;
};

static const struct safe_case safe_cases[] = {
	{ "abc", 3, 16, "abc" },
	{ "", 0, 16, "" },
	{ "h\xc3\xa9llo", 6, 16, "h\xc3\xa9llo" },              /* é kept */
	{ "\xe2\x82\xac", 3, 16, "\xe2\x82\xac" },              /* € kept */
	{ "\xf0\x9f\x98\x80", 4, 16, "\xf0\x9f\x98\x80" },      /* U+1F600 */
	{ "\xff", 1, 16, FFFD },
	{ "a\x01" "b", 3, 16, "a" FFFD "b" },
	{ "tab\there", 8, 16, "tab" FFFD "here" },
	{ "\x7f", 1, 16, FFFD },                                /* DEL */
	{ "\x1b[31m", 5, 16, FFFD "[31m" },                     /* ESC */
	{ "\xc2\x85", 2, 16, FFFD },                            /* C1 NEL */
	{ "\xc2\xa0", 2, 16, "\xc2\xa0" },                      /* NBSP kept */
	{ "\xc0\xaf", 2, 16, FFFD FFFD },                       /* overlong */
	{ "\xe0\x80\xaf", 3, 16, FFFD FFFD FFFD },              /* overlong */
	{ "\xed\xa0\x80", 3, 16, FFFD FFFD FFFD },              /* surrogate */
	{ "\xf4\x90\x80\x80", 4, 16, FFFD FFFD FFFD FFFD },     /* > U+10FFFF */
	{ "\xe2\x82", 2, 16, FFFD FFFD },                       /* cut short */
	{ "\xe2\x82" "a", 3, 16, FFFD FFFD "a" },
	{ "\x80x", 2, 16, FFFD "x" },                           /* stray cont. */
	{ "a\0b", 3, 16, "a" FFFD "b" },                        /* NUL inside */
	{ "abc", 2, 16, "ab" },                                 /* srclen rules */
	/* truncation: never a partial character */
	{ "abcdef", 6, 4, "abc" },
	{ "a\xc3\xa9", 3, 3, "a" },
	{ "a\xc3\xa9", 3, 4, "a\xc3\xa9" },
	{ "\xff", 1, 3, "" },
	{ "\xff", 1, 4, FFFD },
	{ "\xe2\x82\xac\xe2\x82\xac", 6, 6, "\xe2\x82\xac" },
	{ "\xe2\x82\xac\xe2\x82\xac", 6, 7, "\xe2\x82\xac\xe2\x82\xac" },
	{ "\xf0\x9f\x98\x80z", 5, 4, "" },
	{ "abc", 3, 1, "" },
};

static void test_safe_string(void)
{
	char dst[32];
	size_t i;

	for (i = 0; i < sizeof(safe_cases) / sizeof(safe_cases[0]); i++) {
		const struct safe_case *c = &safe_cases[i];
		json_t *j;

		memset(dst, 'X', sizeof(dst));
		cf_json_safe_string(c->in, c->inlen, dst, c->dstlen);
		if (strcmp(dst, c->want) != 0)
			fprintf(stderr, "safe case %zu\n", i);
		CHECK_STR(dst, c->want);
		j = json_string(dst);               /* valid UTF-8 for jansson */
		CHECK(j != NULL);
		json_decref(j);
	}
	memset(dst, 'X', sizeof(dst));
	cf_json_safe_string("abc", 3, dst, 0);  /* dstlen 0: nothing written */
	CHECK(dst[0] == 'X');
	cf_json_safe_string(NULL, 5, dst, sizeof(dst));
	CHECK_STR(dst, "");
}

/* A 255-byte name of invalid bytes and controls, cut to various sizes. */
static void test_safe_string_long(void)
{
	char name[255], dst[1024];
	size_t i, len;
	json_t *j;

	for (i = 0; i < sizeof(name); i++)
		name[i] = (char)(i % 3 == 0 ? 0xff : i % 3 == 1 ? 0x01 : 'a');
	cf_json_safe_string(name, sizeof(name), dst, sizeof(dst));
	CHECK_INT(strlen(dst), 85 * 3 + 85 * 3 + 85);
	cf_json_safe_string(name, sizeof(name), dst, 256);
	len = strlen(dst);
	CHECK(len <= 255);
	j = json_string(dst);
	CHECK(j != NULL);
	json_decref(j);
	/* the last piece is whole: FFFD FFFD a repeated -> 7 bytes each */
	CHECK_INT(len, 36 * 7 + 3);
	CHECK(memcmp(dst + len - 3, FFFD, 3) == 0);
}

/* ---- alert events --------------------------------------------------- */

static void check_alert_zoom(json_t *a)
{
	char keys[256];

	CHECK_STR(keys_of(a, keys, sizeof(keys)),
		  "@timestamp,ecs,event,rule,source,destination,client,server,related,"
		  "network,callfence,observer");
	CHECK_STR(str_at(a, "@timestamp"), "2021-05-04T09:12:03.118Z");
	CHECK_STR(str_at(a, "ecs.version"), CF_ECS_VERSION);
	CHECK_STR(str_at(a, "client.ip"), "192.168.1.178");
	CHECK_INT(int_at(a, "client.port"), 50076);
	CHECK_STR(str_at(a, "server.ip"), "144.195.73.154");
	CHECK_INT(int_at(a, "server.port"), 443);
	CHECK_INT(json_array_size(at(a, "related.ip")), 2);
	CHECK_STR(arr_str(a, "related.ip", 0), "192.168.1.178");
	CHECK_STR(arr_str(a, "related.ip", 1), "144.195.73.154");
	CHECK(at(a, "source.geo") == NULL);
	CHECK(at(a, "source.domain") == NULL);
	CHECK_STR(keys_of(at(a, "event"), keys, sizeof(keys)),
		  "kind,category,type,severity,dataset,module,action,start");
	CHECK_STR(str_at(a, "event.kind"), "alert");
	CHECK_STR(arr_str(a, "event.category", 0), "network");
	CHECK_STR(arr_str(a, "event.type", 0), "connection");
	CHECK_INT(int_at(a, "event.severity"), 73);
	CHECK_STR(str_at(a, "event.dataset"), "callfence.alert");
	CHECK_STR(str_at(a, "event.module"), "callfence");
	CHECK_STR(str_at(a, "event.action"), "jurisdiction-violation");
	CHECK_STR(str_at(a, "event.start"), "2021-05-04T09:12:00.000Z");
	CHECK_STR(str_at(a, "rule.id"), "eu-gdpr:12");
	CHECK_STR(str_at(a, "rule.name"), "call keys or media left the EEA");
	CHECK_STR(str_at(a, "rule.ruleset"), "eu-gdpr");
	CHECK_STR(str_at(a, "source.ip"), "192.168.1.178");
	CHECK_INT(int_at(a, "source.port"), 50076);
	CHECK(at(a, "source.bytes") == NULL);
	CHECK_STR(str_at(a, "destination.ip"), "144.195.73.154");
	CHECK_INT(int_at(a, "destination.port"), 443);
	CHECK_STR(str_at(a, "destination.domain"), "zoomsjccv154mmr.sjc.zoom.us");
	CHECK_STR(str_at(a, "destination.geo.country_iso_code"), "US");
	CHECK_INT(int_at(a, "destination.as.number"), 30103);
	CHECK_STR(str_at(a, "destination.as.organization.name"),
		  "Zoom Video Communications, Inc.");
}

static void check_alert_zoom_rest(json_t *a)
{
	CHECK_STR(str_at(a, "network.transport"), "tcp");
	CHECK_STR(str_at(a, "network.type"), "ipv4");
	CHECK_STR(str_at(a, "network.protocol"), "tls");
	CHECK_STR(str_at(a, "network.application"), "zoom");
	CHECK_INT(int_at(a, "network.bytes"), 8563);
	CHECK_INT(int_at(a, "network.packets"), 20);
	CHECK_STR(str_at(a, "network.direction"), "outbound");
	CHECK(at(a, "network.vlan") == NULL);
	CHECK_STR(str_at(a, "callfence.role"), "key-exchange");
	CHECK_INT(json_array_size(at(a, "callfence.roles")), 2);
	CHECK_STR(arr_str(a, "callfence.roles", 0), "key-exchange");
	CHECK_STR(arr_str(a, "callfence.roles", 1), "signaling");
	CHECK_STR(str_at(a, "callfence.evidence"), "tls-sni catalog:zoom-mmr");
	CHECK_STR(str_at(a, "callfence.severity"), "high");
	CHECK_INT(json_array_size(at(a, "callfence.jurisdiction.permitted")), 1);
	CHECK_STR(arr_str(a, "callfence.jurisdiction.permitted", 0), "EEA");
	CHECK_STR(str_at(a, "callfence.jurisdiction.observed"), "US");
	CHECK_STR(str_at(a, "callfence.jurisdiction.registered"), "US");
	CHECK_STR(str_at(a, "callfence.app"), "zoom");
	CHECK_STR(str_at(a, "callfence.remote_end"), "destination");
	CHECK_STR(str_at(a, "observer.hostname"), "gw1");
	CHECK_STR(str_at(a, "observer.vendor"), "callfence");
	CHECK_STR(str_at(a, "observer.product"), "callfence");
	CHECK(str_at(a, "observer.version") != NULL && *str_at(a, "observer.version") != '\0');
	CHECK_STR(str_at(a, "observer.ingress.interface.name"), "eth0");
	CHECK(no_empty(a, NULL, NULL));
}

/* Inbound UDP over IPv6 on VLAN 100, almost nothing known of the remote. */
static void sparse_flow(struct cf_flow *f, struct cf_geo_result *g)
{
	memset(f, 0, sizeof(*f));
	set_addr(&f->ip[0], "2001:db8:77::5");
	set_addr(&f->ip[1], "fd00::10");
	f->port[0] = 3478, f->port[1] = 50000;
	f->proto = 17;
	f->ip_version = 6;
	f->vlan = 100;
	f->first_us = 1000000, f->last_us = 3000000;
	f->pkts[0] = 5, f->pkts[1] = 7;
	f->bytes[0] = 500, f->bytes[1] = 700;
	cf_class_set_app(&f->cls, "unknown");
	f->cls.roles = CF_ROLE_MEDIA | CF_ROLE_RELAY;
	f->local = 1;
	memset(g, 0, sizeof(*g));
}

static void check_alert_sparse(json_t *a)
{
	/* the remote end started it: it is the source (ECS) */
	CHECK_STR(str_at(a, "source.ip"), "2001:db8:77::5");
	CHECK_INT(int_at(a, "source.port"), 3478);
	CHECK_STR(str_at(a, "destination.ip"), "fd00::10");
	CHECK_INT(int_at(a, "destination.port"), 50000);
	CHECK_STR(str_at(a, "client.ip"), "2001:db8:77::5");
	CHECK_STR(str_at(a, "server.ip"), "fd00::10");
	CHECK_STR(str_at(a, "callfence.remote_end"), "source");
	CHECK(at(a, "callfence.app") == NULL);
	CHECK(at(a, "source.geo") == NULL);
	CHECK(at(a, "destination.domain") == NULL);
	CHECK(at(a, "destination.geo") == NULL);
	CHECK(at(a, "destination.as") == NULL);
	CHECK_STR(str_at(a, "network.transport"), "udp");
	CHECK_STR(str_at(a, "network.type"), "ipv6");
	CHECK(at(a, "network.protocol") == NULL);
	CHECK(at(a, "network.application") == NULL);
	CHECK_STR(str_at(a, "network.direction"), "inbound");
	CHECK_STR(str_at(a, "network.vlan.id"), "100");
	CHECK_STR(str_at(a, "callfence.role"), "media");
	CHECK_STR(arr_str(a, "callfence.roles", 0), "media");
	CHECK_STR(arr_str(a, "callfence.roles", 1), "relay");
	CHECK(at(a, "callfence.evidence") == NULL);
	CHECK_STR(str_at(a, "callfence.severity"), "critical");
	CHECK_INT(int_at(a, "event.severity"), 99);
	CHECK_STR(str_at(a, "callfence.jurisdiction.observed"), "unknown");
	CHECK(at(a, "callfence.jurisdiction.registered") == NULL);
	CHECK_STR(arr_str(a, "callfence.jurisdiction.permitted", 1), "CH");
	CHECK(at(a, "rule.ruleset") == NULL);
	CHECK(at(a, "observer.ingress") == NULL);
	CHECK_STR(str_at(a, "observer.hostname"), "sensor-2");
	CHECK(no_empty(a, NULL, NULL));
}

static void test_alert(void)
{
	struct cf_event_meta m1 = { "gw1", "eth0", eea, NULL, 0, 1, NULL };
	struct cf_event_meta m2 = { "sensor-2", NULL, eea_ch, NULL, 0, 2, NULL };
	struct cf_rule_info crit = { .id = "tw-gov:3", .msg = "keys in CN",
				     .severity = CF_SEV_CRITICAL };
	struct cf_outputs *o = open_out();
	struct cf_geo_result g;
	struct cf_flow f;
	json_t *ev[4] = { NULL };

	zoom_flow(&f);
	us_geo(&g);
	CHECK_INT(cf_event_alert(o, &m1, &f, &g, &rule_high,
				 CF_ROLE_KEYX | CF_ROLE_SIGNALING,
				 1620119523118000ULL), 0);
	sparse_flow(&f, &g);
	CHECK_INT(cf_event_alert(o, &m2, &f, &g, &crit, 0, 2000000), 0);
	if (read_back(o, ev, 4) != 2) {
		CHECK(0);
		return;
	}
	check_alert_zoom(ev[0]);
	check_alert_zoom_rest(ev[0]);
	check_alert_sparse(ev[1]);
	json_decref(ev[0]);
	json_decref(ev[1]);
}

/* ---- hostile strings ------------------------------------------------ */

static void test_hostile(void)
{
	struct cf_event_meta m = { "gw\x01", "eth0", eea, NULL, 0, 1, NULL };
	struct cf_rule_info r = rule_high;
	struct cf_outputs *o = open_out();
	struct cf_geo_result g;
	struct cf_flow f;
	json_t *ev[4] = { NULL };
	const char *s;

	zoom_flow(&f);
	us_geo(&g);
	cf_class_set_host(&f.cls, "\xff\xfe" "bad\x01name\x7f\xc3\x28\n\"}", 17);
	cf_class_set_evidence(&f.cls, "tls-sni\r\ncatalog:\x1b[0m", CF_EVID_LEN);
	r.msg = "keys left \xe9t\xe9";                  /* Latin-1 in a rules file */
	CHECK_INT(cf_event_alert(o, &m, &f, &g, &r, CF_ROLE_KEYX, 1), 0);
	{ char h[CF_HOST_LEN]; memset(h, 0xff, sizeof(h)); cf_class_set_host(&f.cls, h, sizeof(h)); } /* no NUL at all */
	CHECK_INT(cf_event_flow(o, &m, &f, &g, &r, CF_END_IDLE, 0), 0);
	if (read_back(o, ev, 4) != 2) {
		CHECK(0);
		return;
	}
	CHECK_STR(str_at(ev[0], "destination.domain"),
		  FFFD FFFD "bad" FFFD "name" FFFD FFFD "(" FFFD "\"}");
	CHECK_STR(str_at(ev[0], "callfence.evidence"),
		  "tls-sni" FFFD FFFD "catalog:" FFFD "[0m");
	CHECK_STR(str_at(ev[0], "rule.name"), "keys left " FFFD "t" FFFD);
	CHECK_STR(str_at(ev[0], "observer.hostname"), "gw" FFFD);
	s = str_at(ev[1], "destination.domain");
	CHECK(s != NULL && strlen(s) == 3 * CF_HOST_LEN);
	CHECK(s != NULL && memcmp(s, FFFD FFFD, 6) == 0);
	CHECK_STR(str_at(ev[1], "destination.geo.country_iso_code"), "US");
	json_decref(ev[0]);
	json_decref(ev[1]);
}

/* ---- flow events ---------------------------------------------------- */

static void check_flow_zoom(json_t *e)
{
	char keys[256];

	CHECK_STR(keys_of(e, keys, sizeof(keys)),
		  "@timestamp,ecs,event,rule,source,destination,client,server,related,"
		  "network,callfence,observer");
	CHECK_STR(str_at(e, "@timestamp"), "2021-05-04T09:12:05.250Z");
	CHECK_STR(str_at(e, "ecs.version"), CF_ECS_VERSION);
	CHECK(at(e, "client.bytes") == NULL);
	CHECK_STR(str_at(e, "event.kind"), "event");
	CHECK_STR(arr_str(e, "event.type", 0), "connection");
	CHECK_STR(arr_str(e, "event.type", 1), "end");
	CHECK_STR(str_at(e, "event.dataset"), "callfence.flow");
	CHECK_STR(str_at(e, "event.start"), "2021-05-04T09:12:00.000Z");
	CHECK_STR(str_at(e, "event.end"), "2021-05-04T09:12:05.250Z");
	CHECK_INT(int_at(e, "event.duration"), 5250500000LL);
	CHECK_STR(str_at(e, "event.reason"), "closed");
	CHECK(at(e, "event.severity") == NULL);
	CHECK_STR(str_at(e, "rule.id"), "eu-gdpr:12");
	CHECK_INT(int_at(e, "source.bytes"), 1563);
	CHECK_INT(int_at(e, "source.packets"), 12);
	CHECK_INT(int_at(e, "destination.bytes"), 7000);
	CHECK_INT(int_at(e, "destination.packets"), 8);
	CHECK_STR(str_at(e, "destination.domain"), "zoomsjccv154mmr.sjc.zoom.us");
	CHECK_INT(int_at(e, "network.bytes"), 8563);
	CHECK_STR(str_at(e, "callfence.verdict"), "alert");
	CHECK_INT(int_at(e, "callfence.alerts"), 1);
	CHECK_STR(arr_str(e, "callfence.roles", 0), "key-exchange");
	CHECK(at(e, "callfence.role") == NULL);
	CHECK_STR(str_at(e, "callfence.jurisdiction.observed"), "US");
	CHECK_STR(str_at(e, "callfence.jurisdiction.registered"), "US");
	CHECK(at(e, "callfence.jurisdiction.permitted") == NULL);
	CHECK(no_empty(e, NULL, NULL));
}

/* A local DNS flow: no remote geography, no role, no rule. */
static void check_flow_local(json_t *e)
{
	CHECK(at(e, "rule") == NULL);
	CHECK_STR(str_at(e, "source.ip"), "10.0.0.2");
	CHECK_STR(str_at(e, "destination.ip"), "10.0.0.53");
	CHECK_STR(str_at(e, "network.direction"), "internal");
	CHECK(at(e, "network.application") == NULL);   /* a protocol, not an app */
	CHECK_STR(str_at(e, "callfence.app"), "dns");
	CHECK_STR(str_at(e, "event.reason"), "shutdown");
	CHECK_INT(int_at(e, "event.duration"), 0);
	CHECK(json_is_array(at(e, "callfence.roles")));
	CHECK_INT(json_array_size(at(e, "callfence.roles")), 0);
	CHECK_STR(str_at(e, "callfence.verdict"), "local");
	CHECK_INT(int_at(e, "callfence.alerts"), 0);
	CHECK(at(e, "callfence.jurisdiction") == NULL);
	CHECK(at(e, "destination.geo") == NULL);
	CHECK(no_empty(e, NULL, "roles"));
}

/* ICMP: no ports; a public remote of unknown country. */
static void check_flow_icmp(json_t *e)
{
	CHECK(at(e, "source.port") == NULL);
	CHECK(at(e, "destination.port") == NULL);
	CHECK_STR(str_at(e, "network.transport"), "icmp");
	CHECK_STR(str_at(e, "callfence.verdict"), "unjudged");
	CHECK_STR(str_at(e, "callfence.jurisdiction.observed"), "unknown");
	CHECK_STR(str_at(e, "event.reason"), "evicted");
	CHECK_STR(str_at(e, "network.direction"), "outbound");
	CHECK(no_empty(e, NULL, "roles"));
}

static void test_flow(void)
{
	struct cf_event_meta m = { "gw1", NULL, eea, NULL, 0, 0, NULL };
	struct cf_outputs *o = open_out();
	struct cf_geo_result g;
	struct cf_flow f;
	json_t *ev[4] = { NULL };
	int i;

	zoom_flow(&f);
	us_geo(&g);
	m.home = 1;
	CHECK_INT(cf_event_flow(o, &m, &f, &g, &rule_high, CF_END_CLOSED, 1), 0);
	memset(&f, 0, sizeof(f));
	set_addr(&f.ip[0], "10.0.0.2");
	set_addr(&f.ip[1], "10.0.0.53");
	f.proto = 17, f.ip_version = 4, f.port[0] = 5353, f.port[1] = 53;
	f.first_us = f.last_us = 1620119523118000ULL;
	cf_class_set_app(&f.cls, "dns");
	f.local = -1, f.verdict = 4;
	m.home = 3;
	CHECK_INT(cf_event_flow(o, &m, &f, NULL, NULL, CF_END_SHUTDOWN, 1), 0);
	f.proto = 1, f.verdict = 0;
	m.home = 1;
	set_addr(&f.ip[1], "198.51.100.1");
	memset(&g, 0, sizeof(g));
	CHECK_INT(cf_event_flow(o, &m, &f, &g, NULL, CF_END_EVICTED, 1), 0);
	if (read_back(o, ev, 4) != 3) {
		CHECK(0);
		return;
	}
	check_flow_zoom(ev[0]);
	check_flow_local(ev[1]);
	check_flow_icmp(ev[2]);
	for (i = 0; i < 3; i++)
		json_decref(ev[i]);
}

/* ---- memory and caches in the report and stats events --------------- */

static double real_at(json_t *o, const char *path)
{
	json_t *v = at(o, path);

	return json_is_real(v) ? json_real_value(v) : -1.0;
}

/* Run totals with every measured amount set to a distinct value. */
static void mem_totals(struct cf_run_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->last_us = 1620119523118000ULL;
	t->geo.lookups = 10, t->geo.hits = 3, t->geo.misses = 1;
	t->geo.entries = 1, t->geo.capacity = 65536;
	t->classify.dns_hits = 1, t->classify.dns_misses = 3;
	t->classify.dns_evictions = 2, t->classify.dns_capacity = 4096;
	t->mem.rss_bytes = 23068672;
	t->mem.peak_rss_bytes = 25165824;
	t->mem.heap_bytes = 1048576;
	t->flows.entry_bytes = 504;
	t->flows.index_bytes = 8388608;
	t->flows.touched_bytes = 5040000;
	t->classify.ndpi_live = 4;
	t->classify.ndpi_live_peak = 96;
	t->classify.ndpi_state_bytes = 1904;
}

/* One report event from t; its callfence.report, or NULL. */
static json_t *report_of(const struct cf_run_totals *t, json_t **ev)
{
	struct cf_event_meta m = { "gw1", NULL, NULL, NULL, 0, 0, NULL };
	struct cf_report *r = cf_report_new();
	struct cf_outputs *o = open_out();

	CHECK(r != NULL);
	CHECK_INT(cf_report_emit_event(r, t, o, &m), 0);
	cf_report_free(r);
	CHECK_INT(read_back(o, ev, 1), 1);
	return at(*ev, "callfence.report");
}

static void test_report_memory(void)
{
	struct cf_run_totals t;
	json_t *ev = NULL, *b;
	char keys[256];

	mem_totals(&t);
	b = report_of(&t, &ev);
	CHECK(b != NULL);
	CHECK_STR(keys_of(at(b, "memory"), keys, sizeof(keys)),
		  "rss_bytes,peak_rss_bytes,heap_bytes,flow_entry_bytes,"
		  "flow_index_bytes,flow_touched_bytes,ndpi_live_peak,ndpi_state_bytes");
	CHECK_INT(int_at(b, "memory.rss_bytes"), 23068672);
	CHECK_INT(int_at(b, "memory.peak_rss_bytes"), 25165824);
	CHECK_INT(int_at(b, "memory.heap_bytes"), 1048576);
	CHECK_INT(int_at(b, "memory.flow_entry_bytes"), 504);
	CHECK_INT(int_at(b, "memory.flow_index_bytes"), 8388608);
	CHECK_INT(int_at(b, "memory.flow_touched_bytes"), 5040000);
	CHECK_INT(int_at(b, "memory.ndpi_live_peak"), 96);
	CHECK_INT(int_at(b, "memory.ndpi_state_bytes"), 1904);
	CHECK(at(b, "memory.ndpi_live") == NULL);   /* 0 at the end of a run */
	CHECK_STR(keys_of(at(b, "geo"), keys, sizeof(keys)),
		  "lookups,hits,misses,entries,capacity,hit_rate");
	CHECK_INT(int_at(b, "geo.capacity"), 65536);
	CHECK(real_at(b, "geo.hit_rate") == 0.75);
	CHECK_STR(keys_of(at(b, "dns_cache"), keys, sizeof(keys)),
		  "hits,misses,hit_rate,evictions,capacity");
	CHECK_INT(int_at(b, "dns_cache.hits"), 1);
	CHECK_INT(int_at(b, "dns_cache.misses"), 3);
	CHECK(real_at(b, "dns_cache.hit_rate") == 0.25);
	CHECK_INT(int_at(b, "dns_cache.evictions"), 2);
	CHECK_INT(int_at(b, "dns_cache.capacity"), 4096);
	json_decref(ev);

	/* not measured (0): left out, and the object when nothing was */
	t.mem.peak_rss_bytes = 0;
	t.mem.heap_bytes = 0;
	t.flows.touched_bytes = 0;
	t.classify.ndpi_state_bytes = 0;
	b = report_of(&t, &ev);
	CHECK_STR(keys_of(at(b, "memory"), keys, sizeof(keys)),
		  "rss_bytes,flow_entry_bytes,flow_index_bytes,ndpi_live_peak");
	json_decref(ev);
	memset(&t.mem, 0, sizeof(t.mem));
	memset(&t.flows, 0, sizeof(t.flows));
	memset(&t.classify, 0, sizeof(t.classify));
	memset(&t.geo, 0, sizeof(t.geo));
	b = report_of(&t, &ev);
	CHECK(b != NULL && at(b, "memory") == NULL);
	CHECK(real_at(b, "geo.hit_rate") == 0.0);   /* nothing looked up */
	CHECK(real_at(b, "dns_cache.hit_rate") == 0.0);
	CHECK_INT(int_at(b, "dns_cache.capacity"), 0);
	json_decref(ev);
}

/*
 * A report bigger than the event arena (some 70 bytes of nodes an
 * address): spilled nodes, same content.  Short addresses keep the line
 * within read_back's buffer.
 */
static void test_report_big(void)
{
	struct cf_event_meta m = { "gw1", NULL, NULL, NULL, 0, 0, NULL };
	struct cf_report *r = cf_report_new();
	struct cf_outputs *o = open_out();
	struct cf_run_totals t;
	json_t *ev = NULL, *a;
	char want[64];
	cf_addr addr;
	int i;

	mem_totals(&t);
	for (i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "10.0.%d.%d", i / 256, i % 256);
		set_addr(&addr, want);
		cf_report_add_unknown(r, &addr);
	}
	CHECK_INT(cf_report_emit_event(r, &t, o, &m), 0);
	cf_report_free(r);
	CHECK_INT(read_back(o, &ev, 1), 1);
	a = at(ev, "callfence.report.unknown_geo.addresses");
	CHECK_INT(json_array_size(a), 1000);
	CHECK_STR(json_string_value(json_array_get(a, 999)), "10.0.3.231");
	CHECK_INT(int_at(ev, "callfence.report.memory.ndpi_live_peak"), 96);
	json_decref(ev);
}

static void test_stats_memory(void)
{
	struct cf_event_meta m = { "gw1", "eth1", NULL, NULL, 0, 0, NULL };
	struct cf_stats_view v;
	struct cf_run_totals t;
	struct cf_outputs *o;
	json_t *ev = NULL, *b;
	char keys[256];

	struct cf_stats_iface ifc = { "eth1", "up", 10, 1, 0, 9, 0, 0 };
	json_t *src0;
	const char *geo[] = { "/dev/null", NULL };
	struct cf_provenance *p = cf_provenance_take(NULL, NULL, geo, 1);

	CHECK(p != NULL);
	cf_event_set_provenance(p);
	mem_totals(&t);
	memset(&v, 0, sizeof(v));
	v.ts_us = 1620119523118000ULL;
	v.t = &t;
	v.rss_bytes = 30000000;
	v.heap_bytes = 2000000;
	v.ifaces = &ifc;
	v.n_ifaces = 1;
	o = open_out();
	CHECK_INT(cf_event_stats(o, &m, &v), 0);
	CHECK_INT(read_back(o, &ev, 1), 1);
	cf_event_set_provenance(NULL);
	free(p);
	b = at(ev, "callfence.stats");
	CHECK(b != NULL);
	CHECK_STR(str_at(ev, "event.dataset"), "callfence.stats");
	CHECK_STR(str_at(ev, "ecs.version"), CF_ECS_VERSION);
	/* an empty file's SHA-256; /dev/null is no database: no type */
	src0 = json_array_get(at(b, "sources"), 0);
	CHECK_INT(json_array_size(at(b, "sources")), 1);
	CHECK_STR(json_string_value(json_object_get(src0, "kind")), "geo");
	CHECK_STR(json_string_value(json_object_get(src0, "sha256")),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK(json_object_get(src0, "type") == NULL);
	CHECK(str_at(b, "versions.libpcap") != NULL);
	CHECK_STR(json_string_value(json_object_get(json_array_get(at(b, "interfaces"), 0),
						    "name")), "eth1");
	CHECK_STR(keys_of(at(b, "memory"), keys, sizeof(keys)),
		  "rss_bytes,peak_rss_bytes,heap_bytes,flow_entry_bytes,"
		  "flow_index_bytes,flow_touched_bytes,ndpi_live,ndpi_live_peak,"
		  "ndpi_state_bytes");
	CHECK_INT(int_at(b, "memory.rss_bytes"), 30000000);
	CHECK_INT(int_at(b, "memory.peak_rss_bytes"), 25165824);
	CHECK_INT(int_at(b, "memory.heap_bytes"), 2000000);
	CHECK_INT(int_at(b, "memory.flow_entry_bytes"), 504);
	CHECK_INT(int_at(b, "memory.flow_index_bytes"), 8388608);
	CHECK_INT(int_at(b, "memory.flow_touched_bytes"), 5040000);
	CHECK_INT(int_at(b, "memory.ndpi_live"), 4);
	CHECK_INT(int_at(b, "memory.ndpi_live_peak"), 96);
	CHECK_INT(int_at(b, "memory.ndpi_state_bytes"), 1904);
	CHECK_STR(keys_of(at(b, "geo_cache"), keys, sizeof(keys)),
		  "hits,misses,hit_rate,entries,capacity");
	CHECK(real_at(b, "geo_cache.hit_rate") == 0.75);
	CHECK_STR(keys_of(at(b, "dns_cache"), keys, sizeof(keys)),
		  "hits,misses,hit_rate,evictions,capacity");
	CHECK_INT(int_at(b, "dns_cache.evictions"), 2);
	CHECK_INT(int_at(b, "dns_cache.capacity"), 4096);
	json_decref(ev);

	/* rss_bytes is always written; the rest only when measured */
	memset(&t.mem, 0, sizeof(t.mem));
	memset(&t.flows, 0, sizeof(t.flows));
	memset(&t.classify, 0, sizeof(t.classify));
	v.rss_bytes = 0;
	v.heap_bytes = 0;
	o = open_out();
	CHECK_INT(cf_event_stats(o, &m, &v), 0);
	CHECK_INT(read_back(o, &ev, 1), 1);
	CHECK_STR(keys_of(at(ev, "callfence.stats.memory"), keys, sizeof(keys)),
		  "rss_bytes");
	json_decref(ev);
}

/* ---- --alert-window: folding on numbers ------------------------------ */

/*
 * Alerts of one (rule, source, destination) at given microseconds, window
 * 10 s.  The window opened at t0 = ...:03.118250 ends at ...:13.118250:
 * an alert 1 us before that is held back although its @timestamp reads
 * ...:13.118Z, the next one at the end itself opens a new window.  The
 * summary is the last held-back alert as it was raised (its port, its
 * byte count, not the flow's later one) with alert_count 2.
 */
static void test_alert_window(void)
{
	struct cf_event_meta m = { "gw1", "eth0", eea, NULL, 0, 0, NULL };
	const uint64_t t0 = 1620119523118250ULL;
	static const uint64_t dt[4] = { 0, 4000001, 9999999, 10000000 };
	struct cf_output_stats st;
	struct cf_outputs *o;
	struct cf_geo_result g;
	struct cf_flow f;
	json_t *ev[6] = { NULL };
	int i, n;

	cf_outputs_set_alert_window(10);
	o = open_out();
	cf_outputs_set_alert_window(0);
	zoom_flow(&f);
	us_geo(&g);
	for (i = 0; i < 4; i++) {
		f.port[0] = (uint16_t)(50000 + i);
		f.bytes[0] = 1000 * (uint64_t)(i + 1);
		CHECK_INT(cf_event_alert(o, &m, &f, &g, &rule_high, CF_ROLE_KEYX, t0 + dt[i]), 0);
	}
	f.bytes[0] = 999999;            /* after the fact: not in the summary */
	cf_outputs_get_stats(o, &st);
	CHECK_INT(st.aggregated, 2);
	n = read_back(o, ev, 6);
	CHECK_INT(n, 3);
	if (n != 3)
		return;
	/* the first of the window, alone */
	CHECK_STR(str_at(ev[0], "@timestamp"), "2021-05-04T09:12:03.118Z");
	CHECK_INT(int_at(ev[0], "source.port"), 50000);
	CHECK(at(ev[0], "callfence.alert_count") == NULL);
	/* the summary: the last held back (t0 + 9.999999 s), standing for 2 */
	CHECK_STR(str_at(ev[1], "@timestamp"), "2021-05-04T09:12:13.118Z");
	CHECK_STR(str_at(ev[1], "event.start"), "2021-05-04T09:12:00.000Z");
	CHECK_INT(int_at(ev[1], "callfence.alert_count"), 2);
	CHECK_INT(int_at(ev[1], "source.port"), 50002);
	CHECK_INT(int_at(ev[1], "network.bytes"), 3000 + 7000);
	CHECK_STR(str_at(ev[1], "rule.id"), "eu-gdpr:12");
	CHECK_STR(str_at(ev[1], "callfence.role"), "key-exchange");
	CHECK_STR(arr_str(ev[1], "callfence.jurisdiction.permitted", 0), "EEA");
	/* the first key of the callfence object, as it always was */
	CHECK_STR(json_object_iter_key(json_object_iter(at(ev[1], "callfence"))),
		  "alert_count");
	/* t0 + 10 s: a new window, nothing held back in it */
	CHECK_STR(str_at(ev[2], "@timestamp"), "2021-05-04T09:12:13.118Z");
	CHECK_INT(int_at(ev[2], "source.port"), 50003);
	CHECK(at(ev[2], "callfence.alert_count") == NULL);
	for (i = 0; i < n; i++)
		json_decref(ev[i]);
}

/* A line longer than the file output's buffer passes whole, in order. */
static void test_long_line(void)
{
	struct cf_outputs *o = open_out();
	size_t n = 100000, len;
	char *big = malloc(n + 2), *got = malloc(n + 64);
	FILE *fp;

	CHECK(big != NULL && got != NULL);
	if (big == NULL || got == NULL)
		return;
	memset(big, 'x', n);
	big[n] = '\0';
	CHECK_INT(cf_outputs_write(o, "a", 1), 0);
	CHECK_INT(cf_outputs_write(o, big, n), 0);
	CHECK_INT(cf_outputs_write(o, "b", 1), 0);
	cf_outputs_free(o);
	fp = fopen(out_path, "r");
	CHECK(fp != NULL);
	if (fp != NULL) {
		len = fread(got, 1, n + 64, fp);
		fclose(fp);
		CHECK_INT(len, n + 5);
		CHECK(memcmp(got, "a\n", 2) == 0);
		CHECK(memcmp(got + 2, big, n) == 0);
		CHECK(memcmp(got + 2 + n, "\nb\n", 3) == 0);
	}
	unlink(out_path);
	free(big);
	free(got);
}

static void test_roles_order(void)
{
	CHECK_INT(cf_role_at_rank(0), CF_ROLE_KEYX);
	CHECK_INT(cf_role_at_rank(2), CF_ROLE_RELAY);
	CHECK_INT(cf_role_at_rank(3), CF_ROLE_SIGNALING);
	CHECK_INT(cf_role_at_rank(5), 0);
	CHECK_INT(cf_role_at_rank(-1), 0);
	CHECK_INT(cf_role_top(CF_ROLE_WEB | CF_ROLE_SIGNALING | CF_ROLE_RELAY),
		  CF_ROLE_RELAY);
	CHECK_INT(cf_role_top(CF_ROLE_WEB), CF_ROLE_WEB);
	CHECK_INT(cf_role_top(0), 0);
}

int main(void)
{
	RUN(test_time);
	RUN(test_safe_string);
	RUN(test_safe_string_long);
	RUN(test_roles_order);
	RUN(test_alert);
	RUN(test_hostile);
	RUN(test_flow);
	RUN(test_report_memory);
	RUN(test_report_big);
	RUN(test_stats_memory);
	RUN(test_long_line);
	RUN(test_alert_window);
	return harness_done();
}
