/*
 * test-capture.c - cf_capture_files() on pcap files written here with
 * libpcap's own dumper (and one pcapng written by hand).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap.h>

#include "harness.h"
#include "capture/capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

static char dir[64];

static const char *path(const char *name)
{
	static char buf[8][128];
	static int n;
	char *p = buf[n++ % 8];

	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

/* A frame whose bytes say which packet it is: data[0] = id. */
static void frame(uint8_t *b, size_t n, unsigned id)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(id + i);
}

/* Write n packets: packet i at 1700000000 + i s and i * 10 us (nano:
 * i * 10 ms + 999 ns), caplen
 * 20 + i, wirelen caplen + wire_extra. */
static void write_pcap(const char *file, int dlt, unsigned n,
		       unsigned first_id, unsigned wire_extra, int nano)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(dlt, 65535,
			nano ? PCAP_TSTAMP_PRECISION_NANO :
			       PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = pcap_dump_open(p, file);
	struct pcap_pkthdr h;
	uint8_t b[256];
	unsigned i;

	for (i = 0; i < n; i++) {
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 1700000000 + i;
		h.ts.tv_usec = nano ? i * 10000000 + 999 : i * 10;
		h.caplen = 20 + i % 100;
		h.len = h.caplen + wire_extra;
		frame(b, h.caplen, first_id + i);
		pcap_dump((u_char *)d, &h, b);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

static uint64_t size_of(const char *file)
{
	struct stat sb;

	return stat(file, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* ---- callback recorder ------------------------------------------------ */

#define MAX_SEEN 16

static struct seen {
	enum cf_link link;
	uint64_t ts;
	uint32_t caplen, wirelen;
	uint8_t id;
} seen[MAX_SEEN];
static unsigned n_seen, stop_after;

static void on_packet(void *ctx, enum cf_link link, uint64_t ts_us,
		      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	(void)ctx;
	if (n_seen < MAX_SEEN) {
		seen[n_seen].link = link;
		seen[n_seen].ts = ts_us;
		seen[n_seen].caplen = caplen;
		seen[n_seen].wirelen = wirelen;
		seen[n_seen].id = caplen ? data[0] : 0;
	}
	n_seen++;
	if (stop_after && n_seen == stop_after)
		cf_capture_stop();
}

static struct cf_capture_stats st;
static char err[512];

static int run(const char *const *files, size_t n, const char *filter)
{
	n_seen = 0;
	err[0] = '\0';
	return cf_capture_files(files, n, filter, on_packet, NULL, NULL, &st,
				err, sizeof(err));
}

/* ---- tests ------------------------------------------------------------ */

static void test_two_files(void)
{
	const char *files[2] = { path("a.pcap"), path("b.pcap") };

	write_pcap(files[0], DLT_EN10MB, 3, 10, 0, 0);
	write_pcap(files[1], DLT_RAW, 2, 50, 100, 0);
	CHECK_INT(run(files, 2, NULL), 0);
	CHECK_STR(err, "");
	CHECK_INT(n_seen, 5);
	CHECK_INT(st.files, 2);
	CHECK_INT(st.packets, 5);
	CHECK_INT(st.bytes_captured, 20 + 21 + 22 + 20 + 21);
	CHECK_INT(st.bytes_total, size_of(files[0]) + size_of(files[1]));
	CHECK_INT(st.truncated_records, 0);
	CHECK_INT(st.read_errors, 0);
	CHECK_INT(seen[0].link, CF_LINK_ETHERNET);
	CHECK_INT(seen[0].id, 10);
	CHECK_INT(seen[0].ts, 1700000000ULL * 1000000);
	CHECK_INT(seen[2].id, 12);
	CHECK_INT(seen[2].ts, 1700000002ULL * 1000000 + 20);
	CHECK_INT(seen[2].caplen, 22);
	CHECK_INT(seen[2].wirelen, 22);
	CHECK_INT(seen[3].link, CF_LINK_RAW);
	CHECK_INT(seen[3].id, 50);
	CHECK_INT(seen[4].caplen, 21);
	CHECK_INT(seen[4].wirelen, 121);
}

static void test_link_types(void)
{
	static const struct { int dlt; enum cf_link link; } map[] = {
		{ DLT_EN10MB, CF_LINK_ETHERNET },
		{ DLT_LINUX_SLL, CF_LINK_SLL },
		{ DLT_LINUX_SLL2, CF_LINK_SLL2 },
		{ DLT_RAW, CF_LINK_RAW },
		{ 228, CF_LINK_RAW },          /* DLT_IPV4 */
		{ 229, CF_LINK_RAW },          /* DLT_IPV6 */
		{ DLT_NULL, CF_LINK_NULL },
		{ DLT_LOOP, CF_LINK_LOOP },
	};
	const char *f = path("link.pcap");
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		write_pcap(f, map[i].dlt, 1, 1, 0, 0);
		CHECK_INT(run(&f, 1, NULL), 0);
		CHECK_INT(n_seen, 1);
		CHECK_INT(seen[0].link, map[i].link);
	}

	write_pcap(f, 105, 1, 1, 0, 0);
	CHECK_INT(run(&f, 1, NULL), CF_CAPTURE_EIO);
	CHECK(strstr(err, ": unsupported link type 105 (IEEE802_11)") != NULL);
	write_pcap(f, 147, 1, 1, 0, 0);  /* USER0 */
	CHECK_INT(run(&f, 1, NULL), CF_CAPTURE_EIO);
	CHECK_INT(n_seen, 0);
	snprintf(err + 256, 256, "%s: unsupported link type 147 (USER0)", f);
	CHECK_STR(err, err + 256);
}

static void test_nano(void)
{
	const char *f = path("nano.pcap");

	write_pcap(f, DLT_EN10MB, 2, 1, 0, 1);
	CHECK_INT(run(&f, 1, NULL), 0);
	CHECK_INT(n_seen, 2);
	CHECK_INT(seen[0].ts, 1700000000ULL * 1000000);
	CHECK_INT(seen[1].ts, 1700000001ULL * 1000000 + 10000);
}

/* Ethernet + IPv4 + UDP to port dport. */
static void udp_frame(uint8_t *b, uint16_t dport)
{
	memset(b, 0, 42);
	b[12] = 0x08;
	b[14] = 0x45;
	b[17] = 28;
	b[22] = 64;
	b[23] = 17;
	b[26] = 10, b[29] = 1;
	b[30] = 10, b[33] = 2;
	b[34] = 0x10;
	b[36] = (uint8_t)(dport >> 8), b[37] = (uint8_t)dport;
	b[39] = 8;
}

static void test_filter(void)
{
	const char *f = path("filter.pcap");
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(p, f);
	struct pcap_pkthdr h;
	uint8_t b[42];
	int i;

	for (i = 0; i < 6; i++) {
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = i;
		h.caplen = h.len = 42;
		udp_frame(b, i % 3 == 0 ? 53 : 443);
		pcap_dump((u_char *)d, &h, b);
	}
	pcap_dump_close(d);
	pcap_close(p);

	CHECK_INT(run(&f, 1, "udp dst port 53"), 0);
	CHECK_INT(n_seen, 2);
	CHECK_INT(st.packets, 2);
	CHECK_INT(seen[1].ts, 3000000);
	CHECK_INT(run(&f, 1, ""), 0);
	CHECK_INT(n_seen, 6);

	CHECK_INT(run(&f, 1, "udp port banana"), CF_CAPTURE_ECONFIG);
	CHECK_INT(n_seen, 0);
	CHECK(strncmp(err, f, strlen(f)) == 0);
	CHECK(strstr(err, "banana") != NULL);
}

static void test_truncated(void)
{
	const char *f = path("trunc.pcap");
	uint64_t size;

	write_pcap(f, DLT_EN10MB, 3, 1, 0, 0);
	size = size_of(f);
	CHECK_INT(truncate(f, (off_t)size - 5), 0);   /* inside the data */
	CHECK_INT(run(&f, 1, NULL), 0);
	CHECK_INT(n_seen, 2);
	CHECK_INT(st.truncated_records, 1);
	CHECK_INT(st.read_errors, 0);
	CHECK_STR(err, "");

	/* Cut inside the last record's 16-byte header. */
	CHECK_INT(truncate(f, (off_t)size - 22 - 6), 0);
	CHECK_INT(run(&f, 1, NULL), 0);
	CHECK_INT(n_seen, 2);
	CHECK_INT(st.truncated_records, 1);
	/* Cut at a record boundary: a clean end. */
	CHECK_INT(truncate(f, (off_t)size - 22 - 16), 0);
	CHECK_INT(run(&f, 1, NULL), 0);
	CHECK_INT(n_seen, 2);
	CHECK_INT(st.truncated_records, 0);
}

static void test_bad_files(void)
{
	const char *files[2] = { path("ok.pcap"), path("text.pcap") };
	const char *missing = path("missing.pcap");
	FILE *fp = fopen(files[1], "w");

	fputs("this is not a capture file, just some text\n", fp);
	fclose(fp);
	CHECK_INT(run(&files[1], 1, NULL), CF_CAPTURE_EIO);
	snprintf(err + 256, 256, "%s: unknown file format", files[1]);
	CHECK_STR(err, err + 256);

	/* The first file is read, then the run stops on the second. */
	write_pcap(files[0], DLT_EN10MB, 2, 1, 0, 0);
	CHECK_INT(run(files, 2, NULL), CF_CAPTURE_EIO);
	CHECK_INT(n_seen, 2);
	CHECK_INT(st.files, 1);
	CHECK(strncmp(err, files[1], strlen(files[1])) == 0);

	CHECK_INT(run(&missing, 1, NULL), CF_CAPTURE_EIO);
	snprintf(err + 256, 256, "%s: No such file or directory", missing);
	CHECK_STR(err, err + 256);

	/* Every file is opened before any is read: a missing second file
	 * stops the run before the first one's packets. */
	files[1] = missing;
	CHECK_INT(run(files, 2, NULL), CF_CAPTURE_EIO);
	CHECK_INT(n_seen, 0);
	CHECK_INT(st.files, 0);
	CHECK_STR(err, err + 256);
}

/* A record claiming an impossible length: a read error, not truncation. */
static void test_read_error(void)
{
	const char *f = path("bad.pcap");
	uint32_t huge = 0x7fffffff;
	FILE *fp;

	write_pcap(f, DLT_EN10MB, 3, 1, 0, 0);
	fp = fopen(f, "r+b");
	fseek(fp, 24 + 16 + 20 + 8, SEEK_SET);  /* 2nd record's caplen */
	fwrite(&huge, 4, 1, fp);
	fclose(fp);
	CHECK_INT(run(&f, 1, NULL), CF_CAPTURE_EIO);
	CHECK_INT(n_seen, 1);
	CHECK_INT(st.read_errors, 1);
	CHECK_INT(st.truncated_records, 0);
	CHECK(strncmp(err, f, strlen(f)) == 0 && err[strlen(f)] == ':');
}

static uint64_t prog_calls, prog_done, prog_total, prog_pkts;

static void on_progress(void *ctx, uint64_t done, uint64_t total,
			uint64_t packets)
{
	(void)ctx;
	prog_calls++;
	prog_done = done;
	prog_total = total;
	prog_pkts = packets;
	if (prog_calls == 1)
		CHECK(done > 0 && done < total && packets == 65536);
}

static void test_progress(void)
{
	const char *f = path("big.pcap");

	write_pcap(f, DLT_EN10MB, 65536 + 5, 0, 0, 0);
	n_seen = 0;
	CHECK_INT(cf_capture_files(&f, 1, NULL, on_packet, on_progress, NULL,
				   &st, err, sizeof(err)), 0);
	CHECK_INT(prog_calls, 2);
	CHECK_INT(prog_done, size_of(f));
	CHECK_INT(prog_total, size_of(f));
	CHECK_INT(prog_pkts, 65541);
	CHECK_INT(n_seen, 65541);
}

static void test_stop_and_stdin(void)
{
	const char *files[2] = { path("s1.pcap"), path("s2.pcap") };
	const char *dash = "-";
	int fd, saved;

	write_pcap(files[0], DLT_EN10MB, 4, 1, 0, 0);
	write_pcap(files[1], DLT_EN10MB, 4, 1, 0, 0);
	stop_after = 2;
	CHECK_INT(run(files, 2, NULL), 0);
	stop_after = 0;
	CHECK_INT(n_seen, 2);
	CHECK_INT(st.stopped, 1);
	CHECK_INT(st.files, 1);
	CHECK_INT(run(files, 2, NULL), 0);   /* the request was cleared */
	CHECK_INT(n_seen, 8);

	saved = dup(0);
	fd = open(files[1], O_RDONLY);
	dup2(fd, 0);
	close(fd);
	CHECK_INT(run(&dash, 1, NULL), 0);
	dup2(saved, 0);
	close(saved);
	CHECK_INT(n_seen, 4);
	CHECK_INT(st.bytes_total, size_of(files[1]));
}

/* ---- pcapng, written by hand (little-endian) -------------------------- */

static void le32(uint8_t **p, uint32_t v)
{
	(*p)[0] = (uint8_t)v, (*p)[1] = (uint8_t)(v >> 8);
	(*p)[2] = (uint8_t)(v >> 16), (*p)[3] = (uint8_t)(v >> 24);
	*p += 4;
}

static size_t pcapng(uint8_t *buf, int linktype)
{
	uint8_t *p = buf;
	unsigned i;

	le32(&p, 0x0a0d0d0a), le32(&p, 28), le32(&p, 0x1a2b3c4d);
	le32(&p, 1);                                /* version 1.0 */
	le32(&p, 0xffffffff), le32(&p, 0xffffffff); /* section length */
	le32(&p, 28);
	le32(&p, 1), le32(&p, 20), le32(&p, (uint32_t)linktype);
	le32(&p, 65535), le32(&p, 20);
	for (i = 0; i < 2; i++) {                   /* EPB, 24 data bytes */
		uint64_t ts = 1700000000ULL * 1000000 + 5 + i;

		le32(&p, 6), le32(&p, 56), le32(&p, 0);
		le32(&p, (uint32_t)(ts >> 32)), le32(&p, (uint32_t)ts);
		le32(&p, 24), le32(&p, 60);
		frame(p, 24, 30 + i);
		p += 24;
		le32(&p, 56);
	}
	return (size_t)(p - buf);
}

static void test_pcapng(void)
{
	const char *f = path("x.pcapng");
	uint8_t buf[256];
	size_t n = pcapng(buf, 1);
	FILE *fp = fopen(f, "wb");

	fwrite(buf, 1, n, fp);
	fclose(fp);
	CHECK_INT(run(&f, 1, NULL), 0);
	CHECK_INT(n_seen, 2);
	CHECK_INT(seen[1].ts, 1700000000ULL * 1000000 + 6);
	CHECK_INT(seen[1].id, 31);
	CHECK_INT(seen[1].caplen, 24);
	CHECK_INT(seen[1].wirelen, 60);
	CHECK_INT(seen[0].link, CF_LINK_ETHERNET);

	CHECK_INT(truncate(f, (off_t)n - 10), 0);
	CHECK_INT(run(&f, 1, NULL), 0);
	CHECK_INT(n_seen, 1);
	CHECK_INT(st.truncated_records, 1);
}

static void cleanup(void)
{
	static const char *const names[] = {
		"a.pcap", "b.pcap", "link.pcap", "nano.pcap", "filter.pcap",
		"trunc.pcap", "ok.pcap", "text.pcap", "big.pcap", "s1.pcap",
		"s2.pcap", "x.pcapng", "bad.pcap"
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path(names[i]));
	rmdir(dir);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cf-test-capture-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_two_files);
	RUN(test_link_types);
	RUN(test_nano);
	RUN(test_filter);
	RUN(test_truncated);
	RUN(test_bad_files);
	RUN(test_read_error);
	RUN(test_progress);
	RUN(test_stop_and_stdin);
	RUN(test_pcapng);
	cleanup();
	return harness_done();
}
