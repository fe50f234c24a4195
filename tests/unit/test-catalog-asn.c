/*
 * test-catalog-asn.c - the catalog's asn lines: parsing and its errors,
 * cf_catalog_match_asn (first line in file order, ports=), and the
 * classifier's use of them through the engine's look-up hook
 * (cf_classify_set_asn): call traffic only, below host and net lines,
 * above nDPI and port lines, our own end never asked.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "classify/catalog.h"
#include "classify/classify.h"
#include "decode/decode.h"
#include "flow/flow.h"

static const char catalog_text[] =
	"z-net   zoom  net  198.51.100.0/25\n"
	"z-asn   zoom  asn  AS64510 as64511\n"
	"t-asn   teams asn  64500 ports=udp/3478-3481 roles=relay\n"
	"t-any   webex asn  AS64500\n"
	"j-port  jitsi port udp/10000 roles=media\n"
	"m-asn   meta  asn  AS64520 narrower=whatsapp,messenger\n"
	"w-port  whatsapp port udp/3480\n";

static struct cf_classifier *cls;
static char catalog_path[] = "/tmp/cf-test-catalog-asn.XXXXXX";

/* The engine's part: documentation addresses to private-use ASNs. */
static unsigned asked_private;

static uint32_t fake_asn(void *ctx, const cf_addr *a)
{
	char s[CF_ADDR_STRLEN];

	(void)ctx;
	cf_addr_str(a, s, sizeof(s));
	if (strncmp(s, "10.", 3) == 0) {
		asked_private++;         /* the engine answers 0 for home */
		return 0;
	}
	if (strncmp(s, "198.51.100.", 11) == 0)
		return 64510;
	if (strncmp(s, "203.0.113.", 10) == 0)
		return 64500;
	if (strncmp(s, "100.64.0.", 9) == 0)
		return 64520;
	return 0;
}

/* --- catalog -------------------------------------------------------- */

static void check_error(const char *text, const char *want)
{
	char err[256] = "";
	struct cf_catalog *c = cf_catalog_parse(text, "t.conf", err, sizeof(err));

	CHECK(c == NULL);
	CHECK_STR(err, want);
	cf_catalog_free(c);
}

static void test_parse_errors(void)
{
	check_error("a zoom asn\n", "t.conf:1: asn line without a pattern");
	check_error("a zoom asn AS0\n",
		    "t.conf:1: bad AS number 'AS0' (want AS1 to AS4294967295)");
	check_error("a zoom asn AS1\nb zoom asn 4294967296\n",
		    "t.conf:2: bad AS number '4294967296' (want AS1 to AS4294967295)");
	check_error("a zoom asn ASN30103\n",
		    "t.conf:1: bad AS number 'ASN30103' (want AS1 to AS4294967295)");
	check_error("a zoom asn AS1 ports=udp/0\n",
		    "t.conf:1: bad port 'udp/0' (want udp/N, tcp/N or udp/N-M)");
	check_error("a meta host x narrower=whatsapp\n",
		    "t.conf:1: narrower= applies to net and asn lines only");
	check_error("a meta asn AS1 narrower=a,b,c,d,e\n",
		    "t.conf:1: narrower= names at most 4 apps");
	check_error("a zoom hots x\n",
		    "t.conf:1: unknown kind 'hots' (host, net, port, ndpi, call, asn)");
}

static void test_match(void)
{
	char err[256] = "";
	struct cf_catalog *c = cf_catalog_parse(catalog_text, "t.conf", err, sizeof(err));
	struct cf_cat_match m;

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_INT(cf_catalog_has_asn(c), 1);
	memset(&m, 0, sizeof(m));
	CHECK_INT(cf_catalog_match_asn(c, 64511, 6, 443, &m), 1);   /* "as64511" */
	CHECK_STR(m.id, "z-asn");
	CHECK_STR(m.app, "zoom");
	CHECK_INT(m.kind, CF_CAT_ASN);
	CHECK_INT(m.line, 2);
	/* ports= of the first line: only UDP 3478-3481 */
	CHECK_INT(cf_catalog_match_asn(c, 64500, 17, 3479, &m), 1);
	CHECK_STR(m.id, "t-asn");
	CHECK_INT(m.roles, CF_ROLE_RELAY);
	CHECK_INT(cf_catalog_match_asn(c, 64500, 17, 3482, &m), 1);
	CHECK_STR(m.id, "t-any");
	CHECK_INT(cf_catalog_match_asn(c, 64500, 6, 3478, &m), 1);
	CHECK_STR(m.id, "t-any");
	CHECK_INT(cf_catalog_match_asn(c, 64599, 17, 3478, &m), 0);
	CHECK_INT(cf_catalog_match_asn(c, 0, 17, 3478, &m), 0);
	CHECK_INT(cf_catalog_match_asn(NULL, 64500, 17, 3478, &m), 0);
	cf_catalog_free(c);
	c = cf_catalog_parse("a zoom net 192.0.2.0/24\n", "t.conf", err, sizeof(err));
	CHECK(c != NULL);
	CHECK_INT(cf_catalog_has_asn(c), 0);
	cf_catalog_free(c);
}

/* --- the classifier ------------------------------------------------- */

struct tpkt {
	uint8_t raw[256];
	struct cf_packet pkt;
};

/* A UDP datagram of f from end dir carrying payload p[0..n-1]. */
static int feed(struct cf_flow *f, int dir, const uint8_t *p, size_t n)
{
	static uint64_t ts = 1700000000000000ull;
	struct tpkt t;
	size_t len = 28 + n;

	memset(&t, 0, sizeof(t));
	t.raw[0] = 0x45;
	t.raw[2] = (uint8_t)(len >> 8);
	t.raw[3] = (uint8_t)len;
	t.raw[8] = 64;
	t.raw[9] = 17;
	memcpy(t.raw + 12, cf_addr_v4(&f->ip[dir]), 4);
	memcpy(t.raw + 16, cf_addr_v4(&f->ip[!dir]), 4);
	t.raw[20] = (uint8_t)(f->port[dir] >> 8);
	t.raw[21] = (uint8_t)f->port[dir];
	t.raw[22] = (uint8_t)(f->port[!dir] >> 8);
	t.raw[23] = (uint8_t)f->port[!dir];
	t.raw[24] = (uint8_t)((8 + n) >> 8);
	t.raw[25] = (uint8_t)(8 + n);
	memcpy(t.raw + 28, p, n);
	t.pkt.src = f->ip[dir];
	t.pkt.dst = f->ip[!dir];
	t.pkt.ts_us = ts += 1000;
	t.pkt.wire_len = t.pkt.cap_len = (uint32_t)len;
	t.pkt.ip_version = 4;
	t.pkt.proto = 17;
	t.pkt.sport = f->port[dir];
	t.pkt.dport = f->port[!dir];
	t.pkt.l3 = t.raw;
	t.pkt.l3_len = t.pkt.ip_len = (uint32_t)len;
	t.pkt.payload = t.raw + 28;
	t.pkt.payload_len = (uint32_t)n;
	f->pkts[dir]++;
	return cf_classify_packet(cls, f, &t.pkt, dir);
}

static void flow_init(struct cf_flow *f, const char *a, uint16_t pa,
		      const char *b, uint16_t pb)
{
	memset(f, 0, sizeof(*f));
	cf_addr_parse(a, &f->ip[0]);
	cf_addr_parse(b, &f->ip[1]);
	f->port[0] = pa;
	f->port[1] = pb;
	f->proto = 17;
	f->ip_version = 4;
	f->local = -1;
	f->decided_rule = -1;
}

/* A STUN Binding request: call traffic on the wire. */
static const uint8_t stun[20] = {
	0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7
};

static int has_token(const char *ev, const char *tok)
{
	size_t n = strlen(tok);
	const char *s;

	for (s = ev; (s = strstr(s, tok)) != NULL; s += n)
		if ((s == ev || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
			return 1;
	return 0;
}

/* The app of a STUN flow from 10.0.0.1 to addr:port. */
static void stun_flow(struct cf_flow *f, const char *addr, uint16_t port)
{
	flow_init(f, "10.0.0.1", 50000, addr, port);
	feed(f, 0, stun, sizeof(stun));
}

static void test_classify(void)
{
	const uint8_t junk[40] = { 0x5c, 0x5c, 0x5c, 0x5c };
	struct cf_flow f;

	/* without the engine's hook, asn lines never speak */
	stun_flow(&f, "203.0.113.9", 3478);
	CHECK_STR(cf_class_app(&f.cls), "webrtc");
	cf_classify_finish(cls, &f);

	cf_classify_set_asn(cls, fake_asn, NULL);
	asked_private = 0;
	/* a ports= line on its port, with its roles as far as STUN goes
	   (relay needs TURN: not given) */
	stun_flow(&f, "203.0.113.9", 3478);
	CHECK_STR(cf_class_app(&f.cls), "teams");
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:t-asn"));
	CHECK_INT(f.cls.roles & CF_ROLE_RELAY, 0);
	CHECK_INT(f.cls.is_call, 1);
	CHECK_INT(asked_private, 0);    /* the responder's AS matched first */
	cf_classify_finish(cls, &f);
	/* ... off its ports the next line of the AS */
	stun_flow(&f, "203.0.113.9", 5000);
	CHECK_STR(cf_class_app(&f.cls), "webex");
	cf_classify_finish(cls, &f);
	/* a net line beats the asn line of the same address (z-net) */
	stun_flow(&f, "198.51.100.5", 5000);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:z-net"));
	cf_classify_finish(cls, &f);
	stun_flow(&f, "198.51.100.200", 5000);      /* outside /25: the AS */
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:z-asn"));
	cf_classify_finish(cls, &f);
	/* an asn line beats a port line */
	stun_flow(&f, "198.51.100.200", 10000);
	CHECK_STR(cf_class_app(&f.cls), "zoom");
	cf_classify_finish(cls, &f);
	asked_private = 0;
	stun_flow(&f, "192.0.2.9", 10000);          /* no AS: the port line */
	CHECK_STR(cf_class_app(&f.cls), "jitsi");
	CHECK(asked_private > 0);       /* then our end was asked: 0 */
	cf_classify_finish(cls, &f);
	/* no call traffic on the wire: the AS names no app */
	flow_init(&f, "10.0.0.1", 50001, "203.0.113.9", 5000);
	feed(&f, 0, junk, sizeof(junk));
	CHECK(strcmp(cf_class_app(&f.cls), "webex") != 0);
	CHECK_INT(f.cls.is_call, 0);
	cf_classify_finish(cls, &f);
	/* an operator of several apps (narrower=): the port line's app,
	   one of them, says which; both lines in the evidence */
	stun_flow(&f, "100.64.0.7", 3480);
	CHECK_STR(cf_class_app(&f.cls), "whatsapp");
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:m-asn"));
	CHECK(has_token(cf_class_evidence(&f.cls), "catalog:w-port"));
	CHECK_INT(f.cls.app_clue, CF_CLUE_OPERATOR);
	cf_classify_finish(cls, &f);
	stun_flow(&f, "100.64.0.7", 5000);          /* no narrower clue: the operator */
	CHECK_STR(cf_class_app(&f.cls), "meta");
	CHECK_INT(f.cls.app_clue, CF_CLUE_OPERATOR);
	cf_classify_finish(cls, &f);
	/* a port line's app that is not one of the operator's: the operator */
	stun_flow(&f, "100.64.0.7", 10000);
	CHECK_STR(cf_class_app(&f.cls), "meta");
	cf_classify_finish(cls, &f);
	stun_flow(&f, "192.0.2.9", 3480);           /* no AS: the port line, a guess */
	CHECK_STR(cf_class_app(&f.cls), "whatsapp");
	CHECK_INT(f.cls.app_clue, CF_CLUE_GUESS);
	cf_classify_finish(cls, &f);
	/* the responder need not be the remote end: either end's AS */
	flow_init(&f, "203.0.113.9", 5000, "10.0.0.1", 50002);
	feed(&f, 0, stun, sizeof(stun));
	CHECK_STR(cf_class_app(&f.cls), "webex");
	cf_classify_finish(cls, &f);
	cf_classify_set_asn(cls, NULL, NULL);
}

int main(void)
{
	char err[256];
	FILE *fp;
	int fd = mkstemp(catalog_path);

	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		perror("test-catalog-asn: temporary catalog");
		return 1;
	}
	fputs(catalog_text, fp);
	fclose(fp);
	cls = cf_classifier_new(catalog_path, err, sizeof(err));
	unlink(catalog_path);
	if (cls == NULL) {
		fprintf(stderr, "test-catalog-asn: %s\n", err);
		return 1;
	}
	RUN(test_parse_errors);
	RUN(test_match);
	RUN(test_classify);
	cf_classifier_free(cls);
	return harness_done();
}
