/*
 * decode-int.h - shared between decode-l2.c and decode-ip.c; not a public
 * contract (decode.h is).
 */
#ifndef CF_DECODE_INT_H
#define CF_DECODE_INT_H

#include <stdint.h>
#include "util/cursor.h"
#include "decode/decode.h"

/* State of one cf_decode() call. */
struct cf_dec {
	const uint8_t *frame;      /* first captured byte of the frame */
	uint32_t wire_len;         /* max(wirelen, caplen) */
	struct cf_packet *pkt;
	struct cf_decode_stats *st;
};

/* Longest IPv6 extension header chain decoded; a longer one is invalid. */
#define CF_MAX_IPV6_EXT 8

/*
 * Decode the IPv4 / IPv6 packet at c (c ends at the end of the capture).
 * A header of the other version is CF_DEC_INVALID.  Fill d->pkt's L3/L4
 * fields and return the outcome; counters are the caller's.
 */
enum cf_decode_result cf_dec_ipv4(struct cf_dec *d, struct cursor *c);
enum cf_decode_result cf_dec_ipv6(struct cf_dec *d, struct cursor *c);

/* Choose IPv4 or IPv6 by the version nibble; anything else is *other. */
enum cf_decode_result cf_dec_ip_guess(struct cf_dec *d, struct cursor *c,
				      enum cf_decode_result other);

#endif /* CF_DECODE_INT_H */
