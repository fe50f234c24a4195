/*
 * role.h - what a flow carries for a call: the role vocabulary, defined
 * once.  A flow's roles are a bit set; each role has one name (the rules
 * language, the events, the report and the catalog all use it) and one
 * place in the rank order that decides which role an event leads with.
 */
#ifndef CF_ROLE_H
#define CF_ROLE_H

#define CF_ROLE_KEYX      0x01u  /* key exchange (DTLS-SRTP, TLS to key servers, SDES, ZRTP) */
#define CF_ROLE_MEDIA     0x02u  /* RTP/SRTP/RTCP, Zoom media */
#define CF_ROLE_SIGNALING 0x04u  /* call control: SIP, TLS to call control servers, STUN binding */
#define CF_ROLE_RELAY     0x08u  /* TURN allocation / relayed media */
#define CF_ROLE_WEB       0x10u  /* other HTTPS/web of a call app */
#define CF_ROLE_ALL       0x1fu
#define CF_ROLE_CALL      (CF_ROLE_KEYX | CF_ROLE_MEDIA | CF_ROLE_SIGNALING | CF_ROLE_RELAY)

/* Number of roles, and so of ranks. */
#define CF_ROLE_RANKS 5

/* "key-exchange", "media", "signaling", "relay", "web"; "unknown" for
 * anything that is not one role bit. */
const char *cf_role_name(unsigned role_bit);

/* The role bit of a name; 0 when it is none. */
unsigned cf_role_parse(const char *name);

/* The role at rank i (0: the most telling: key exchange, media, relay,
 * signaling, web), 0 out of range. */
unsigned cf_role_at_rank(int i);

/* The highest-ranked role of a set, 0 for none. */
unsigned cf_role_top(unsigned roles);

#endif /* CF_ROLE_H */
