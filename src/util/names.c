/*
 * names.c - the name table (names.h): immortal names known by a 16-bit
 * id, found through an open-addressing index of FNV-1a hashes.
 *
 * The table only grows: a name's entry is written before its id is
 * handed out, under the lock, and never changes, so readers of
 * cf_class_names[] take no lock.  The lock is held for one look-up at a
 * time, when a flow meets a name (per flow, never per packet).
 */
#define _GNU_SOURCE 1         /* adaptive mutexes */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/names.h"

#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
/* held for a table lookup at a time: spin a little before sleeping */
static pthread_mutex_t names_mu = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
#else
static pthread_mutex_t names_mu = PTHREAD_MUTEX_INITIALIZER;
#endif

const char *cf_class_names[CF_NAMES_MAX] = {
	[CF_NID_NONE] = "",
	[CF_NID_UNKNOWN] = "unknown",
	[CF_NID_WEBRTC] = "webrtc",
	[CF_NID_SIP] = "sip",
	[CF_NID_RTP] = "rtp",
	[CF_NID_ZOOM] = "zoom",
	[CF_NID_ZOOM_MEDIA] = "zoom-media",
	[CF_NID_RTCP] = "rtcp",
	[CF_NID_DTLS] = "dtls",
	[CF_NID_STUN] = "stun",
	[CF_NID_TLS] = "tls",
	[CF_NID_ZRTP] = "zrtp",
	[CF_NID_QUIC] = "quic",
	[CF_NID_H323] = "h323",
	[CF_NID_SKINNY] = "skinny",
	[CF_NID_MGCP] = "mgcp",
	[CF_NID_IAX2] = "iax2",
	[CF_NID_H225] = "h225",
	[CF_NID_H245] = "h245",
	[CF_NID_RAS] = "ras",
	[CF_NID_SCCP] = "sccp",
	[CF_NID_TELEGRAM] = "telegram",
	[CF_NID_AGORA] = "agora",
	[CF_NID_DISCORD] = "discord",
	[CF_NID_BFCP] = "bfcp",
	[CF_NID_SIPS] = "sips",
};

#define NAME_SLOTS (2 * CF_NAMES_MAX)       /* load <= 1/2 */
static uint16_t name_slot[NAME_SLOTS];      /* id + 1, 0 empty */
static unsigned n_names;                    /* 0 until the index is built */

static uint32_t name_hash(const char *s, size_t n)
{
	return cf_fnv32_bytes(CF_FNV32_BASIS, s, n);
}

/* Slot of name (n bytes), or the empty slot where it goes. */
static uint32_t name_find(const char *s, size_t n)
{
	uint32_t i = name_hash(s, n) & (NAME_SLOTS - 1);
	const char *e;

	for (; name_slot[i] != 0; i = (i + 1) & (NAME_SLOTS - 1)) {
		e = cf_class_names[name_slot[i] - 1];
		if (strncmp(e, s, n) == 0 && e[n] == '\0')
			return i;
	}
	return i;
}

/* Index the names the table starts with (on first use, under the lock). */
static void names_init(void)
{
	uint32_t i;

	for (n_names = 0; n_names < CF_NID_STATIC; n_names++) {
		i = name_find(cf_class_names[n_names], strlen(cf_class_names[n_names]));
		name_slot[i] = (uint16_t)(n_names + 1);
	}
}

uint16_t cf_class_name_id(const char *name, size_t cap, int lower)
{
	char buf[64];
	size_t n;
	uint32_t i;
	uint16_t id;
	char *copy;

	if (cap > sizeof(buf))
		cap = sizeof(buf);
	for (n = 0; name[n] != '\0' && n + 1 < cap; n++)
		buf[n] = lower ? (char)tolower((unsigned char)name[n]) : name[n];
	buf[n] = '\0';
	pthread_mutex_lock(&names_mu);
	if (n_names == 0)
		names_init();
	i = name_find(buf, n);
	if (name_slot[i] != 0) {
		id = (uint16_t)(name_slot[i] - 1);
	} else if (n_names < CF_NAMES_MAX && (copy = strdup(buf)) != NULL) {
		/* written before the id is published (under the lock) */
		id = (uint16_t)n_names++;
		cf_class_names[id] = copy;
		name_slot[i] = (uint16_t)(id + 1);
	} else {
		id = CF_NID_UNKNOWN;        /* full: documented in names.h */
	}
	pthread_mutex_unlock(&names_mu);
	return id;
}

unsigned cf_class_names_count(void)
{
	unsigned n;

	pthread_mutex_lock(&names_mu);
	n = n_names ? n_names : CF_NID_STATIC;
	pthread_mutex_unlock(&names_mu);
	return n;
}
