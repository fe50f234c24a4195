/*
 * test-event-render.c - the alerts and flow records event-render.c and
 * the calls event-call.c write without a tree are byte for byte what the
 * jansson trees of before (event-tree-old.c, event-call-old.c) dumped, on
 * many random records: random
 * addresses, ports, protocols, counts (up to and past INT64_MAX), roles,
 * geography, rules, relays, certificates, call parties (up to the
 * listed maximum, neighbours and the local party repeated), merged ids,
 * links, and wire strings full of
 * quotes, backslashes, control characters, invalid and valid UTF-8, any
 * byte, rule names longer than SAFE_MAX.
 * Every line also parses (json_loads) and jansson dumps the parsed line
 * back to the same bytes.  And the writer's string escaping against
 * jansson's on random UTF-8 with every control character, and its
 * dropping of empty objects.
 *
 * CF_TEST_RENDER_N: records of each kind (default 20000).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "event/event-int.h"
#include "classify/classify.h"
#include "util/role.h"
#include "event-tree-old.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

#define rnd() harness_rnd(&rng)
#define below(n) harness_below(&rng, (n))

/* Names the events treat specially, and plain ones. */
static const char *const names[] = {
	"zoom", "rtp", "tls", "dns", "stun", "quic", "telegram", "http",
	"sip", "zoom-media", "unknown", "webex", "Google", "ssh", "gre", "x"
};

/*
 * A random string of at most max-1 bytes in buf: a known name, or bytes
 * from a mix of ASCII, '"', '\\', controls, DEL, UTF-8 sequences good and
 * bad; sometimes "".
 */
static const char *rstr(char *buf, size_t max)
{
	static const char *const pieces[] = {
		"a", "Z", "9", ".", "-", " ", "\"", "\\", "/", "\n", "\t", "\x01",
		"\x1f", "\x7f", "\xc2\x80", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xef\xbf\xbd", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf",
		"\xf4\x90\x80\x80", "\x80", "{", "}", ",", ":", "\\u0000"
	};
	size_t n = 0, len, i, k;
	char one[2] = { 0, 0 };

	if (below(4) == 0)
		return "";
	if (below(3) == 0)
		return names[below(sizeof(names) / sizeof(names[0]))];
	k = below(below(8) == 0 ? 200 : 16);
	for (i = 0; i < k; i++) {
		const char *p = pieces[below(sizeof(pieces) / sizeof(pieces[0]))];

		if (below(8) == 0) {            /* any byte but NUL */
			one[0] = (char)(1 + below(255));
			p = one;
		}

		len = strlen(p);
		if (n + len >= max)
			break;
		memcpy(buf + n, p, len);
		n += len;
	}
	buf[n] = '\0';
	return buf;
}

/* A long string (up to max - 1 bytes, often past SAFE_MAX): plain ASCII
 * with now and then a byte to escape or to make safe. */
static const char *rlong(char *buf, size_t max)
{
	static const char odd[] = "\"\\\n\x01\x7f\xc3\xa9\xff";
	size_t n = 900 + below((unsigned)(max - 900)), i;

	for (i = 0; i < n; i++)
		buf[i] = below(40) ? (char)('a' + below(26)) : odd[below(sizeof(odd) - 1)];
	buf[n] = '\0';
	return buf;
}

static void raddr(cf_addr *a, int v6)
{
	char s[64];

	if (v6)
		snprintf(s, sizeof(s), "2001:db8:%x::%x", below(0x10000), below(0x10000));
	else
		snprintf(s, sizeof(s), "%u.%u.%u.%u", below(256), below(256), below(256), below(256));
	if (cf_addr_parse(s, a) < 0)
		abort();
}

static uint64_t rcount(void)
{
	switch (below(5)) {
	case 0: return 0;
	case 1: return rnd();                   /* past INT64_MAX at times */
	case 2: return (uint64_t)INT64_MAX - below(3);
	default: return below(100000);
	}
}

static void rgeo(struct cf_geo_result *g)
{
	char b[80];

	memset(g, 0, sizeof(*g));
	snprintf(g->country, sizeof(g->country), "%s", below(4) ? "US" : rstr(b, 3));
	snprintf(g->registered, sizeof(g->registered), "%s", below(3) ? "DE" : rstr(b, 3));
	g->asn = below(3) ? (uint32_t)rnd() : 0;
	snprintf(g->as_org, sizeof(g->as_org), "%s", rstr(b, sizeof(b)));
	g->special = below(4) == 0 ? (uint8_t)(1 + below(5)) : 0;
}

struct rcase {
	struct cf_flow f;
	struct cf_event_meta m;
	struct cf_geo_result geo, relay_geo;
	struct cf_rule_info r;
	const char *permitted[5];
	char s[12][256];
	char big[1600];                 /* past SAFE_MAX: cut to its safe form */
	int has_geo, has_rule;
};

static void rcase(struct rcase *c)
{
	static const int protos[] = { 6, 17, 1, 58, 132, 47, 50, 99, 2, 0 };
	char cert[CF_CERT_LEN], tmp[128];
	struct cf_flow *f = &c->f;
	int v6 = below(3) == 0, i, n;

	memset(c, 0, sizeof(*c));
	raddr(&f->ip[0], v6);
	if (below(10) == 0)
		f->ip[1] = f->ip[0];
	else
		raddr(&f->ip[1], v6);
	f->port[0] = (uint16_t)rnd();
	f->port[1] = (uint16_t)rnd();
	f->proto = (uint8_t)protos[below(sizeof(protos) / sizeof(protos[0]))];
	f->ip_version = below(5) == 0 ? 0 : (v6 ? 6 : 4);
	f->vlan = below(3) == 0 ? (uint16_t)below(4096) : 0;
	f->first_us = below(6) == 0 ? 0 : 1600000000000000ULL + rnd() % 100000000000000ULL;
	f->last_us = below(6) == 0 ? 0 : f->first_us + below(100000000);
	for (i = 0; i < 2; i++) {
		f->bytes[i] = rcount();
		f->pkts[i] = rcount();
	}
	f->local = (uint8_t)below(2);
	f->local_by = (uint8_t)(below(5) | (below(3) == 0 ? CF_LOCAL_MIDFLOW_SERVER_FIRST : 0));
	f->verdict = (uint8_t)below(7);
	f->n_alerts = (uint8_t)below(5);
	f->cls.roles = below(3) == 0 ? 0 : (unsigned)rnd() & 0xff;
	cf_class_set_app(&f->cls, rstr(c->s[0], CF_APP_LEN));
	cf_class_set_l7(&f->cls, rstr(c->s[1], CF_L7_LEN));
	cf_class_set_host(&f->cls, rstr(c->s[2], sizeof(c->s[2])), CF_HOST_LEN);
	cf_class_set_evidence(&f->cls, rstr(c->s[3], sizeof(c->s[3])), CF_EVID_LEN);
	if (below(3) == 0) {
		n = snprintf(cert, sizeof(cert), "%s", rstr(tmp, sizeof(tmp)));
		for (i = below(4); i > 0 && n < (int)sizeof(cert) - 1; i--)
			n += snprintf(cert + n, sizeof(cert) - (size_t)n, "\n%s",
				      rstr(tmp, sizeof(tmp)));
		cf_class_set_cert(&f->cls, cert, strlen(cert));
	}
	if ((f->cls.has_relay_peer = below(4) == 0)) {
		raddr(&f->cls.relay_peer, below(2));
		if (below(5) == 0)
			f->cls.relay_peer = f->ip[below(2)];
		f->cls.relay_peer_port = (uint16_t)rnd();
	}
	if (below(3) == 0) {            /* a call (classify-call.c) */
		f->cls.call_key = rnd() | 1;
		f->cls.call_by = below(11) & 15;      /* 10: none of ours */
	}
	if ((c->has_geo = below(4) != 0))
		rgeo(&c->geo);
	c->m.observer_hostname = below(5) == 0 ? NULL : rstr(c->s[4], sizeof(c->s[4]));
	c->m.interface = below(2) == 0 ? NULL : rstr(c->s[5], sizeof(c->s[5]));
	switch (below(4)) {
	case 0:
		c->m.permitted = NULL;
		break;
	case 1:
		c->m.permitted = c->permitted;  /* none */
		break;
	default:
		for (i = 0, n = (int)below(4) + 1; i < n; i++)
			c->permitted[i] = below(3) ? "EEA" : rstr(c->s[6 + i], sizeof(c->s[6]));
		c->m.permitted = c->permitted;
	}
	if (below(3) == 0) {
		rgeo(&c->relay_geo);
		c->m.relay_peer_geo = &c->relay_geo;
	}
	c->m.relay_peer_alert = below(4) == 0;
	c->m.home = below(4);
	if ((c->has_rule = below(4) != 0)) {
		c->r.id = below(6) == 0 ? "callfence-sdes-cleartext" : rstr(c->s[10], sizeof(c->s[10]));
		c->r.msg = below(20) ? rstr(c->s[11], sizeof(c->s[11])) :
			   rlong(c->big, sizeof(c->big));
		c->r.ruleset = below(2) ? "eu-gdpr" : "";
		c->r.severity = (enum cf_severity)(CF_SEV_LOW + below(4));
	}
}

/* The line the old tree dumps to; malloc'd, NULL if it did not dump. */
static char *old_line(json_t *root)
{
	char *s = json_dumps(root, DUMP_FLAGS);

	json_decref(root);
	return s;
}

/* w's line must be old's, parse, and dump back to itself. */
static int same(const struct jw *w, char *old, const char *what, int i)
{
	json_error_t e;
	json_t *back;
	char *again;
	int ok = 1;

	if (old == NULL || w->len != strlen(old) || memcmp(w->buf, old, w->len) != 0) {
		fprintf(stderr, "%s %d differs:\n new %.*s\n old %s\n", what, i,
			(int)w->len, w->buf, old != NULL ? old : "(none)");
		ok = 0;
	}
	back = json_loadb(w->buf, w->len, 0, &e);
	if (back == NULL) {
		fprintf(stderr, "%s %d does not parse (%s): %.*s\n", what, i, e.text,
			(int)w->len, w->buf);
		ok = 0;
	} else {
		again = json_dumps(back, DUMP_FLAGS);
		if (again == NULL || strlen(again) != w->len ||
		    memcmp(again, w->buf, w->len) != 0)
			ok = 0;
		free(again);
		json_decref(back);
	}
	free(old);
	return ok;
}

static int cases(void)
{
	const char *e = getenv("CF_TEST_RENDER_N");

	return e != NULL && atoi(e) > 0 ? atoi(e) : 20000;
}

static void test_random_events(void)
{
	struct rcase *c = malloc(sizeof(*c));
	struct ev_facts *x;
	struct jw *w;
	int i, n = cases(), bad = 0, alerts = 0, flows = 0, sums = 0;
	uint64_t count;

	CHECK(c != NULL);
	for (i = 0; c != NULL && i < n && bad < 5; i++) {
		rcase(c);
		x = ev_facts_take(&c->m, &c->f, c->has_geo ? &c->geo : NULL,
				  c->has_rule ? &c->r : NULL, c->f.last_us);
		CHECK(x != NULL);
		if (x == NULL)
			break;
		x->matched = below(2) ? 0 : (unsigned)rnd() & 0xff;
		x->why = (enum cf_flow_end)below(4);

		/* alert, or an --alert-window summary standing for count */
		count = below(3) == 0 ? 1 + below(1000) : 0;
		w = line_begin(1);
		CHECK(w != NULL);
		(void)ev_render_alert(w, x, x->ts_us ? x->ts_us : 1, count);
		CHECK(jw_end(w) == 0);
		if (!same(w, old_line(old_alert_tree(x, x->ts_us ? x->ts_us : 1, count)),
			  "alert", i))
			bad++;
		count ? sums++ : alerts++;

		if (x->has_rule != 0 && below(2))
			x->has_rule = 0;
		w = line_begin(1);
		(void)ev_render_flow(w, x);
		CHECK(jw_end(w) == 0);
		if (!same(w, old_line(old_flow_tree(x)), "flow", i))
			bad++;
		flows++;
	}
	CHECK_INT(bad, 0);
	fprintf(stderr, "  %d alerts, %d summaries, %d flow records\n", alerts, sums, flows);
	free(c);
}

/* A random call record (engine/calls.c) and the meta it is written with. */
static void rcall(struct cf_call_record *c, struct cf_event_meta *m, char s[][256])
{
	uint32_t i, n;
	int v6 = below(3) == 0;
	char b[80];

	memset(c, 0, sizeof(*c));
	memset(m, 0, sizeof(*m));
	c->key = rnd();
	c->first_us = below(6) == 0 ? 0 : 1600000000000000ULL + rnd() % 100000000000000ULL;
	c->last_us = below(6) == 0 ? 0 : c->first_us + below(100000000);
	c->flows = (uint32_t)rcount();
	c->links = below(4) == 0 ? 0 : (uint32_t)rnd();
	raddr(&c->local, v6);
	snprintf(c->app, sizeof(c->app), "%s", rstr(b, sizeof(c->app)));
	for (i = 0; i < CF_CALL_ROLES; i++) {
		c->role_flows[i] = below(2) ? 0 : (uint32_t)rcount();
		c->role_bytes[i] = rcount();
		c->role_packets[i] = rcount();
	}
	n = below(4) == 0 ? 0 : below(3) == 0 ? CF_CALL_PARTIES : below(CF_CALL_PARTIES);
	c->n_parties = below(20) == 0 ? n + below(5) : n;      /* past the array at times */
	for (i = 0; i < n; i++) {
		struct cf_call_party *p = &c->party[i];

		if (i > 0 && below(4) == 0)
			p->ip = c->party[i - 1].ip;     /* direct and through a relay */
		else if (below(10) == 0)
			p->ip = c->local;
		else
			raddr(&p->ip, below(8) == 0 ? !v6 : v6);
		snprintf(p->country, sizeof(p->country), "%s", below(3) ? "US" : rstr(b, 3));
		p->asn = below(3) ? (uint32_t)rnd() : 0;
		snprintf(p->as_org, sizeof(p->as_org), "%s", rstr(b, sizeof(p->as_org)));
		p->roles = (uint8_t)rnd();
		p->via_relay = below(4) == 0;
		p->flows = (uint32_t)rcount();
		p->bytes = rcount();
		p->packets = rcount();
	}
	c->parties_more = below(3) == 0 ? (uint32_t)rcount() : 0;
	n = below(2) ? 0 : below(CF_CALL_MERGED + 1);
	c->n_merged = below(20) == 0 ? n + below(5) : n;
	for (i = 0; i < n; i++)
		c->merged[i] = rnd();
	c->merged_more = below(3) == 0 ? (uint32_t)rcount() : 0;
	c->alerts = (uint32_t)rcount();
	c->severity = below(3) == 0 ? CF_SEV_NONE : (enum cf_severity)(CF_SEV_LOW + below(4));
	snprintf(c->rule_id, sizeof(c->rule_id), "%s", rstr(b, sizeof(c->rule_id)));
	snprintf(c->rule_name, sizeof(c->rule_name), "%s", rstr(s[2], sizeof(c->rule_name)));
	snprintf(c->ruleset, sizeof(c->ruleset), "%s", rstr(b, sizeof(c->ruleset)));
	m->observer_hostname = below(5) == 0 ? NULL : rstr(s[0], 256);
	m->interface = below(2) == 0 ? NULL : rstr(s[1], 256);
}

static void test_random_calls(void)
{
	struct cf_call_record *c = malloc(sizeof(*c));
	struct cf_event_meta m;
	char s[3][256];
	struct jw *w;
	uint64_t ts;
	int i, n = cases(), bad = 0, with_meta;

	CHECK(c != NULL);
	for (i = 0; c != NULL && i < n && bad < 5; i++) {
		rcall(c, &m, s);
		ts = below(10) == 0 ? 0 : c->last_us + below(1000);
		with_meta = below(10) != 0;
		w = line_begin(1);
		CHECK(w != NULL);
		(void)ev_render_call(w, with_meta ? &m : NULL, c, ts);
		CHECK(jw_end(w) == 0);
		if (!same(w, old_line(old_call_tree(with_meta ? &m : NULL, c, ts)), "call", i))
			bad++;
	}
	CHECK_INT(bad, 0);
	fprintf(stderr, "  %d calls\n", i);
	free(c);
}

/* A random valid UTF-8 string with every control character in play. */
static size_t rutf8(char *buf, size_t max)
{
	size_t n = 0;
	unsigned cp;

	while (n + 4 < max && below(40) != 0) {
		switch (below(4)) {
		case 0: cp = below(0x20); break;
		case 1: cp = 0x20 + below(0x60); break;
		case 2: cp = 0x80 + below(0x780); break;
		default: cp = below(2) ? 0x800 + below(0xd000) : 0x10000 + below(0x100000);
		}
		if (cp < 0x80) {
			buf[n++] = (char)cp;
		} else if (cp < 0x800) {
			buf[n++] = (char)(0xc0 | cp >> 6);
			buf[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			buf[n++] = (char)(0xe0 | cp >> 12);
			buf[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
			buf[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[n++] = (char)(0xf0 | cp >> 18);
			buf[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
			buf[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
			buf[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return n;
}

/* The protocol list is in strcmp order (bsearch) and holds the wire
 * protocols and nDPI's other protocol names, not apps. */
static void test_protocols(void)
{
	static const char *const in[] = {
		"rtp", "rtcp", "srtp", "dtls", "stun", "turn", "tls", "sip", "sips",
		"zrtp", "quic", "h323", "h225", "h245", "ras", "sccp", "skinny",
		"mgcp", "iax2", "bfcp", "zoom-media", "http", "dns", "mdns", "llmnr",
		"netbios", "dhcp", "dhcpv6", "ntp", "ssh", "snmp", "ssdp", "rtsp",
		"icmp", "icmpv6", "igmp", "smtp", "smtps", "imap", "imaps", "pop3",
		"ftp_control", "ldap", "kerberos", "smbv23", "rdp", "http_proxy",
		"http_connect", "websocket", "xmpp", "mpegts", "ipsec", "ike",
		"wireguard", "openvpn", "gre",
	};
	static const char *const out[] = {
		"", "telegram", "zoom", "webrtc", "unknown", "a", "zzz", "RTP", "rtp ",
		"google", "teams", "dnss", "http_",
	};
	size_t i, n = 0;

	for (i = 0; ev_protocol_at((int)i) != NULL; i++, n++)
		if (i > 0)
			CHECK(strcmp(ev_protocol_at((int)i - 1), ev_protocol_at((int)i)) < 0);
	CHECK_INT(n, sizeof(in) / sizeof(in[0]));
	CHECK(ev_protocol_at(-1) == NULL);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		CHECK(ev_is_protocol(in[i]));
	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		CHECK(!ev_is_protocol(out[i]));
	CHECK(!ev_is_protocol(NULL));
}

static void test_escaping(void)
{
	struct jw w;
	char s[256], *want;
	json_t *v;
	size_t n;
	int i, bad = 0;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 100000 && bad < 5; i++) {
		n = rutf8(s, sizeof(s));
		w.len = 0;
		jw_esc(&w, s, n);
		v = json_stringn_nocheck(s, n);
		want = json_dumps(v, JSON_ENCODE_ANY | DUMP_FLAGS);
		json_decref(v);
		if (want == NULL || strlen(want) != w.len || memcmp(want, w.buf, w.len) != 0) {
			fprintf(stderr, "escape %d: %.*s against %s\n", i, (int)w.len, w.buf,
				want != NULL ? want : "(none)");
			bad++;
		}
		free(want);
	}
	CHECK_INT(bad, 0);
	CHECK(!w.err);
	free(w.buf);
}

static void test_writer(void)
{
	struct jw w;

	memset(&w, 0, sizeof(w));
	jw_begin(&w);
	jw_obj(&w, "empty");                    /* dropped, key and all */
	jw_obj(&w, "inner");
	jw_str(&w, "none", NULL);
	jw_str(&w, "blank", "");
	jw_close(&w);
	jw_close(&w);
	jw_u64(&w, "big", UINT64_MAX);
	jw_int(&w, "neg", INT64_MIN);
	jw_arr(&w, "a");                        /* kept although empty */
	jw_close(&w);
	jw_obj(&w, "o");
	jw_lit(&w, "lit", "");
	jw_arr(&w, "x");
	jw_item(&w, "q\"");
	jw_item(&w, "b\\");
	jw_close(&w);
	jw_obj(&w, "gone");
	jw_close(&w);
	jw_close(&w);
	jw_arr(&w, "items");                    /* objects as items: kept although empty */
	jw_item_obj(&w);
	jw_close(&w);
	jw_item_obj(&w);
	jw_u64(&w, "n", 2);
	jw_obj(&w, "gone");
	jw_close(&w);
	jw_close(&w);
	jw_close(&w);
	CHECK_INT(jw_end(&w), 0);
	CHECK_INT(w.len, strlen("{\"big\":9223372036854775807,\"neg\":-9223372036854775808,"
			       "\"a\":[],\"o\":{\"lit\":\"\",\"x\":[\"q\\\"\",\"b\\\\\"]},"
			       "\"items\":[{},{\"n\":2}]}"));
	CHECK(w.len > 0 && memcmp(w.buf, "{\"big\":9223372036854775807,\"neg\":-9223372036854775808,"
				  "\"a\":[],\"o\":{\"lit\":\"\",\"x\":[\"q\\\"\",\"b\\\\\"]},"
				  "\"items\":[{},{\"n\":2}]}", w.len) == 0);
	/* unbalanced: not a whole line */
	jw_begin(&w);
	jw_obj(&w, "open");
	jw_u64(&w, "n", 1);
	CHECK_INT(jw_end(&w), -1);
	free(w.buf);
}

int main(void)
{
	RUN(test_writer);
	RUN(test_escaping);
	RUN(test_protocols);
	RUN(test_random_events);
	RUN(test_random_calls);
	return harness_done();
}
