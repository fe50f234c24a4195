/*
 * names.h - the name table: every application and protocol name a flow's
 * class may carry (app, l7), each held once for the life of the process
 * and known by a 16-bit id, so that a flow entry stores two small numbers
 * instead of two strings.
 *
 * Entries are written once, under a lock, before their id is handed out,
 * and never change: reading cf_class_names[id] needs no lock.  The table
 * starts with the classifier's own words (CF_NID_*); catalog apps and
 * nDPI's names enter it as they are first met (a few hundred in all).
 */
#ifndef CF_NAMES_H
#define CF_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define CF_NAMES_MAX 4096
extern const char *cf_class_names[CF_NAMES_MAX];

/* The ids the table starts with: cf_class_names[CF_NID_ZOOM] is "zoom". */
enum {
	CF_NID_NONE = 0,        /* "" */
	CF_NID_UNKNOWN,         /* also the answer of a full table */
	CF_NID_WEBRTC,
	CF_NID_SIP,
	CF_NID_RTP,
	CF_NID_ZOOM,
	CF_NID_ZOOM_MEDIA,
	CF_NID_RTCP,
	CF_NID_DTLS,
	CF_NID_STUN,
	CF_NID_TLS,
	CF_NID_ZRTP,
	CF_NID_QUIC,
	CF_NID_H323,            /* the room systems' protocols: apps ... */
	CF_NID_SKINNY,
	CF_NID_MGCP,
	CF_NID_IAX2,
	CF_NID_H225,            /* ... and what network.protocol names */
	CF_NID_H245,
	CF_NID_RAS,
	CF_NID_SCCP,
	CF_NID_TELEGRAM,        /* apps the wire names (classify-apps.c) */
	CF_NID_AGORA,
	CF_NID_DISCORD,
	CF_NID_BFCP,
	CF_NID_SIPS,            /* network.protocol: SIP over TLS */
	CF_NID_STATIC           /* count */
};

/* The id of name cut at cap - 1 bytes (at most 63; lower-cased when lower
 * is set), entered in the table if new; CF_NID_UNKNOWN when the table is
 * full.  Takes the table's lock: per flow, never per packet. */
uint16_t cf_class_name_id(const char *name, size_t cap, int lower);

/* Entries of the table now. */
unsigned cf_class_names_count(void);

#endif /* CF_NAMES_H */
