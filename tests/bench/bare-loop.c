/*
 * bare-loop - the floor for callfence's throughput: read a capture with
 * libpcap and do nothing but count.  run-bench.sh compares every tool
 * with this loop over the same file.
 *
 *   bare-loop [-B BYTES] FILE
 *
 * Plain, it is libpcap's own reading: pcap_open_offline, which reads the
 * file through a stdio stream with the C library's default buffer (one
 * read(2) per 4 KiB on most file systems).  With -B the file is opened
 * here and given a stdio buffer of BYTES first (pcap_fopen_offline), the
 * way callfence reads captures (capture-pcap.c, 256 KiB): the floor of
 * callfence's own reading.
 *
 * Prints one line:
 *   packets=N bytes=B seconds=S pps=P gbps=G
 * where bytes is the sum of the packets' lengths on the wire and seconds
 * is the monotonic time spent from opening the file to the last packet.
 * Exit: 0 done, 1 usage, 3 the file could not be read to its end.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Count the packets and wire bytes of an open capture.  Returns 0 at the
 * end of the file, -1 on a read error (message in the pcap handle).
 */
static int count(pcap_t *p, uint64_t *pkts, uint64_t *bytes)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		(*pkts)++;
		*bytes += h->len;
	}
	return rc == PCAP_ERROR_BREAK ? 0 : -1;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	uint64_t pkts = 0, bytes = 0;
	unsigned long bufsize = 0;
	char *buf = NULL, *end;
	const char *file;
	FILE *fp;
	pcap_t *p;

	if (argc == 4 && strcmp(argv[1], "-B") == 0) {
		bufsize = strtoul(argv[2], &end, 10);
		if (*end != '\0' || bufsize == 0 || bufsize > (1ul << 30)) {
			fprintf(stderr, "bare-loop: -B %s: not a buffer size in bytes\n", argv[2]);
			return 1;
		}
		file = argv[3];
	} else if (argc == 2) {
		file = argv[1];
	} else {
		fprintf(stderr, "usage: bare-loop [-B BYTES] FILE\n");
		return 1;
	}
	double t0 = now();
	if (bufsize == 0) {
		p = pcap_open_offline(file, err);
	} else {
		fp = fopen(file, "rb");
		buf = malloc(bufsize);
		if (fp == NULL || buf == NULL) {
			fprintf(stderr, "bare-loop: %s: %s\n", file, strerror(errno));
			return 3;
		}
		setvbuf(fp, buf, _IOFBF, bufsize);
		p = pcap_fopen_offline(fp, err);
	}
	if (!p) {
		fprintf(stderr, "bare-loop: %s\n", err);
		return 3;
	}
	int rc = count(p, &pkts, &bytes);
	double secs = now() - t0;
	if (rc != 0)
		fprintf(stderr, "bare-loop: %s: %s\n", file, pcap_geterr(p));
	pcap_close(p);         /* closes fp too */
	free(buf);
	if (secs <= 0)
		secs = 1e-9;
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f pps=%.0f gbps=%.3f\n",
	       pkts, bytes, secs, (double)pkts / secs, (double)bytes * 8 / secs / 1e9);
	return rc ? 3 : 0;
}
