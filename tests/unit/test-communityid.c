/*
 * test-communityid.c - Community ID v1 against the specification's
 * published baseline (github.com/corelight/community-id-spec, baseline/:
 * the tables of README.md for seeds 0 and 1, and baseline_deflt.json
 * computed from its captures), both directions of every flow, and the
 * flow helper the events use.
 */
#include <string.h>

#include "harness.h"
#include "event/communityid.h"
#include "flow/flow.h"
#include "util/netaddr.h"

struct vec {
	int seed;
	int proto;
	const char *saddr, *daddr;
	int sport, dport;       /* ICMP: type, code */
	const char *id;
};

static const struct vec vecs[] = {
	/* baseline/README.md, "Default settings" */
	{ 0, 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
	{ 0, 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
	{ 0, 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
	{ 0, 17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
	{ 0, 132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=" },
	{ 0, 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=" },
	{ 0, 1, "1.2.3.4", "5.6.7.8", 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
	{ 0, 1, "5.6.7.8", "1.2.3.4", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
	{ 0, 1, "1.2.3.4", "5.6.7.8", 11, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=" },
	{ 0, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  128, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
	{ 0, 58, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	  129, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
	{ 0, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  146, 0, "1:fYC8+pz24E+EhANP1EZhpX0Dw10=" },
	{ 0, 46, "1.2.3.4", "5.6.7.8", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
	{ 0, 46, "5.6.7.8", "1.2.3.4", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
	{ 0, 46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=" },
	{ 0, 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	  0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=" },
	/* baseline/README.md, "A custom seed=1 value" */
	{ 1, 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ 1, 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ 1, 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
	{ 1, 17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
	{ 1, 132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
	{ 1, 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
	{ 1, 1, "1.2.3.4", "5.6.7.8", 8, 0, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
	{ 1, 1, "5.6.7.8", "1.2.3.4", 0, 0, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
	{ 1, 1, "1.2.3.4", "5.6.7.8", 11, 0, "1:1DD7cWGC/Yg91YGsQeni8du3pIA=" },
	{ 1, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  128, 0, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
	{ 1, 58, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	  129, 0, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
	{ 1, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  146, 0, "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=" },
	{ 1, 46, "1.2.3.4", "5.6.7.8", 0, 0, "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
	{ 1, 46, "5.6.7.8", "1.2.3.4", 0, 0, "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
	{ 1, 46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  0, 0, "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
	{ 1, 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	  0, 0, "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
	/* baseline/baseline_deflt.json (from the spec's captures, seed 0) */
	{ 0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
	{ 0, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
	{ 0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
	{ 0, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
	{ 0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 0, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
};

static void test_baseline(void)
{
	char id[CF_COMMUNITY_ID_LEN];
	cf_addr s, d;
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];

		CHECK_INT(cf_addr_parse(v->saddr, &s), 0);
		CHECK_INT(cf_addr_parse(v->daddr, &d), 0);
		memset(id, 0, sizeof(id));
		CHECK_INT(cf_community_id((uint16_t)v->seed, &s, &d, (uint8_t)v->proto,
					  (uint16_t)v->sport, (uint16_t)v->dport, id, sizeof(id)), 0);
		if (strcmp(id, v->id) != 0)
			fprintf(stderr, "vector %zu: proto %d %s -> %s\n", i, v->proto, v->saddr, v->daddr);
		CHECK_STR(id, v->id);
	}
}

/* A one-way ICMP message is never flipped: the other direction differs. */
static void test_icmp_one_way(void)
{
	char a[CF_COMMUNITY_ID_LEN], b[CF_COMMUNITY_ID_LEN];
	cf_addr x, y;

	cf_addr_parse("1.2.3.4", &x);
	cf_addr_parse("5.6.7.8", &y);
	CHECK_INT(cf_community_id(0, &x, &y, 1, 3, 1, a, sizeof(a)), 0);
	CHECK_INT(cf_community_id(0, &y, &x, 1, 3, 1, b, sizeof(b)), 0);
	CHECK(strcmp(a, b) != 0);
	/* a request and its answer meet */
	CHECK_INT(cf_community_id(0, &x, &y, 1, 13, 0, a, sizeof(a)), 0);
	CHECK_INT(cf_community_id(0, &y, &x, 1, 14, 0, b, sizeof(b)), 0);
	CHECK_STR(a, b);
}

static void test_bad_input(void)
{
	char id[CF_COMMUNITY_ID_LEN];
	cf_addr v4, v6;

	cf_addr_parse("1.2.3.4", &v4);
	cf_addr_parse("2001:db8::1", &v6);
	CHECK_INT(cf_community_id(0, &v4, &v6, 6, 1, 2, id, sizeof(id)), -1);
	CHECK_INT(cf_community_id(0, &v4, &v4, 6, 1, 2, id, 20), -1);
}

static void test_flow(void)
{
	struct cf_flow f;
	char id[CF_COMMUNITY_ID_LEN];

	memset(&f, 0, sizeof(f));
	cf_addr_parse("5.6.7.8", &f.ip[0]);
	cf_addr_parse("1.2.3.4", &f.ip[1]);
	f.port[0] = 3344;
	f.port[1] = 1122;
	f.proto = 6;
	CHECK_INT(cf_community_id_get_seed(), 0);
	CHECK_INT(cf_community_id_flow(&f, id, sizeof(id)), 0);
	CHECK_STR(id, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	cf_community_id_set_seed(1);
	CHECK_INT(cf_community_id_flow(&f, id, sizeof(id)), 0);
	CHECK_STR(id, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
	cf_community_id_set_seed(0);
	/* ICMP: the type and code of the flow's first packet (spec baseline) */
	memset(&f, 0, sizeof(f));
	cf_addr_parse("192.168.0.89", &f.ip[0]);
	cf_addr_parse("192.168.0.1", &f.ip[1]);
	f.proto = 1;
	f.icmp_type = 8;        /* echo request */
	f.icmp_code = 0;
	CHECK_INT(cf_community_id_flow(&f, id, sizeof(id)), 0);
	CHECK_STR(id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
}

int main(void)
{
	RUN(test_baseline);
	RUN(test_icmp_one_way);
	RUN(test_bad_input);
	RUN(test_flow);
	return harness_done();
}
