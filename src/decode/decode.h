/*
 * decode.h - from link-layer bytes to a struct cf_packet.
 *
 * The decoder never reads past caplen, never allocates and never logs: it
 * fills a caller's cf_packet and returns an outcome, and counts outcomes in
 * a caller's cf_decode_stats.
 */
#ifndef CF_DECODE_H
#define CF_DECODE_H

#include <stdint.h>
#include "capture/capture.h"   /* enum cf_link */
#include "util/netaddr.h"

enum cf_decode_result {
	CF_DEC_OK = 0,      /* IP packet with transport header decoded */
	CF_DEC_NOT_IP,      /* ARP, LLDP, ...: not counted as bad */
	CF_DEC_TRUNCATED,   /* caplen ended inside a header */
	CF_DEC_INVALID,     /* a header field with an impossible value */
	CF_DEC_FRAGMENT     /* IPv4/IPv6 fragment without the transport header */
};

#define CF_MAX_VLAN_DEPTH 8

struct cf_packet {
	uint64_t ts_us;          /* capture time, microseconds since epoch */
	uint32_t wire_len;       /* original length on the wire */
	uint32_t cap_len;        /* bytes captured */
	uint16_t vlan;           /* innermost 802.1Q VLAN id, 0 if none */
	uint8_t ip_version;      /* 4 or 6 */
	uint8_t proto;           /* IP protocol of the transport: 6 TCP, 17 UDP, 1/58 ICMP */
	cf_addr src, dst;
	uint16_t sport, dport;   /* 0 for protocols without ports */
	uint8_t tcp_flags;       /* TCP flags byte, 0 otherwise */
	uint8_t icmp_type;       /* ICMP/ICMPv6 message type and code, 0 otherwise */
	uint8_t icmp_code;
	const uint8_t *l3;       /* start of the (innermost) IP header */
	uint32_t l3_len;         /* captured bytes from l3 on, capped by the IP length */
	const uint8_t *payload;  /* transport payload */
	uint32_t payload_len;    /* captured payload bytes (capped by IP/UDP lengths) */
	uint32_t ip_len;         /* IP total length as the header says (bytes on wire) */
	uint8_t headers_only;    /* --threads: payload left behind (payload NULL,
				    payload_len 0): the flow was past classifying */
};

struct cf_decode_stats {
	uint64_t packets;
	uint64_t ok;
	uint64_t not_ip;
	uint64_t truncated;
	uint64_t invalid;
	uint64_t fragments;
	uint64_t vlan;           /* packets that carried at least one 802.1Q tag */
	uint64_t ipv4, ipv6, tcp, udp, icmp, other_l4;
};

/*
 * Decode one captured frame.  data has caplen bytes; wirelen is the frame's
 * length on the wire.  Fills *pkt (ts_us is the caller's to set) and bumps
 * the matching counter in *st.  Returns the outcome.
 */
enum cf_decode_result cf_decode(enum cf_link link, const uint8_t *data,
				uint32_t caplen, uint32_t wirelen,
				struct cf_packet *pkt, struct cf_decode_stats *st);

const char *cf_link_name(enum cf_link link);

#endif /* CF_DECODE_H */
