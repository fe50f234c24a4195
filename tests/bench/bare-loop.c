/*
 * bare-loop - the floor for callfence's throughput: read a capture with
 * libpcap and do nothing but count.  run-bench.sh compares every tool
 * with this loop over the same file.
 *
 *   bare-loop FILE
 *
 * Prints one line:
 *   packets=N bytes=B seconds=S pps=P gbps=G
 * where bytes is the sum of the packets' lengths on the wire and seconds
 * is the monotonic time spent from opening the file to the last packet.
 * Exit: 0 done, 1 usage, 3 the file could not be read to its end.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
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

	if (argc != 2) {
		fprintf(stderr, "usage: bare-loop FILE\n");
		return 1;
	}
	double t0 = now();
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "bare-loop: %s\n", err);
		return 3;
	}
	int rc = count(p, &pkts, &bytes);
	double secs = now() - t0;
	if (rc != 0)
		fprintf(stderr, "bare-loop: %s: %s\n", argv[1], pcap_geterr(p));
	pcap_close(p);
	if (secs <= 0)
		secs = 1e-9;
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f pps=%.0f gbps=%.3f\n",
	       pkts, bytes, secs, (double)pkts / secs, (double)bytes * 8 / secs / 1e9);
	return rc ? 3 : 0;
}
