/*
 * communityid.h - the Community ID v1 flow hash (network.community_id),
 * as specified by github.com/corelight/community-id-spec: SHA-1 over
 * seed (2 bytes, big-endian) . source address . destination address .
 * protocol (1 byte) . 0 (1 byte) . source port . destination port, with
 * the endpoints ordered so that the smaller address (then port) comes
 * first, base64-encoded and prefixed "1:".  TCP, UDP and SCTP use their
 * ports; ICMP and ICMPv6 use the type and code mapped to ports as Zeek
 * does (a request and its answer get the same ID); other protocols hash
 * no ports.
 */
#ifndef CF_COMMUNITYID_H
#define CF_COMMUNITYID_H

#include <stddef.h>
#include <stdint.h>
#include "util/netaddr.h"

struct cf_flow;

#define CF_COMMUNITY_ID_LEN 32          /* "1:" + 28 base64 + NUL, rounded */

/* The seed of cf_community_id_flow (--community-id-seed; default 0). */
void cf_community_id_set_seed(uint16_t seed);
uint16_t cf_community_id_get_seed(void);

/*
 * The ID of one tuple into out (at least CF_COMMUNITY_ID_LEN bytes).  For
 * proto 1 (ICMP) and 58 (ICMPv6) sport is the message type and dport the
 * code.  Both addresses must be of one family.  0, or -1.
 */
int cf_community_id(uint16_t seed, const cf_addr *saddr, const cf_addr *daddr,
		    uint8_t proto, uint16_t sport, uint16_t dport,
		    char *out, size_t outlen);

/*
 * The ID of flow f with the configured seed.  ICMP and ICMPv6 flows use
 * the type and code of the flow's first packet (sent by the initiator).
 */
int cf_community_id_flow(const struct cf_flow *f, char *out, size_t outlen);

#endif /* CF_COMMUNITYID_H */
