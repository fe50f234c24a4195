/*
 * recog.h - wire recognisers: what one transport payload is, read through
 * a bounds-checked cursor and nothing else.
 *
 * Each recogniser looks at one payload (a UDP datagram or the bytes of one
 * TCP segment) and says whether it is its protocol, filling a small result
 * struct.  They keep no state, never allocate and never read past len.
 * Per-flow judgement (confirmation over several packets, roles, the app)
 * is classify.c's business, not theirs.
 */
#ifndef CF_RECOG_H
#define CF_RECOG_H

#include <stddef.h>
#include <stdint.h>
#include "util/netaddr.h"

enum cf_rec {
	CF_REC_NO = 0,        /* not this protocol */
	CF_REC_YES,           /* this protocol; the result struct is filled */
	CF_REC_TRUNCATED      /* starts like it, but the bytes end inside a
				 header it needs; what was read is filled */
};

/* --- TLS (recog-tls.c) --------------------------------------------- */

#define CF_TLS_SNI_MAX  255
#define CF_TLS_ALPN_MAX 32

struct cf_tls_info {
	uint8_t content_type;        /* of the first record */
	uint16_t record_version;     /* of the first record */
	uint8_t is_client_hello;
	uint8_t is_server_hello;
	uint16_t legacy_version;     /* hello's legacy_version */
	uint16_t version;            /* highest supported_versions entry (client)
					or the selected one (server); else legacy */
	uint8_t has_sni;
	uint8_t sni_len;
	char sni[CF_TLS_SNI_MAX + 1]; /* raw bytes, NUL added */
	char alpn[CF_TLS_ALPN_MAX + 1]; /* first ALPN protocol, "" if none */
};

/*
 * Parse a TLS record at the start of p.  YES for any plausible record
 * (content type 20-24, version 3.x, length <= 2^14 + 2048); a ClientHello
 * or ServerHello in it is parsed for versions, SNI and ALPN.  TRUNCATED
 * when the hello goes past len (fields read so far are kept).
 */
enum cf_rec cf_recog_tls(const uint8_t *p, size_t len, struct cf_tls_info *out);

/* --- DTLS (recog-dtls.c) ------------------------------------------- */

#define CF_DTLS_CCS        20
#define CF_DTLS_ALERT      21
#define CF_DTLS_HANDSHAKE  22
#define CF_DTLS_APPDATA    23

#define CF_DTLS_EXT_USE_SRTP 14     /* RFC 5764 section 4.1.1 */
#define CF_DTLS_CERT_FRAGS   8      /* Certificate fragments kept a datagram */

struct cf_dtls_info {
	uint8_t content_type;        /* of the first record, 20-25 */
	uint16_t version;            /* 0xfeff, 0xfefd or 0xfefc */
	uint16_t epoch;
	uint8_t hs_type;             /* first handshake message when content type 22
					and epoch 0, else 0 (ClientHello 1, ...) */
	uint8_t has_handshake;       /* any record in the datagram is 20 or 22 */
	uint8_t records;             /* records walked */
	uint8_t unified;             /* DTLS 1.3 unified header (001xxxxx) */
	/* A ClientHello (1) or ServerHello (2) whole in one fragment: its
	   extensions were read. */
	uint8_t hello;               /* 0 none, else the hello's msg_type */
	uint8_t use_srtp;            /* that hello carried use_srtp (RFC 5764
					section 4.1.1: DTLS keys SRTP) */
	/* The epoch-0 Certificate (11) fragments of the datagram: where their
	   bytes are (offset into the datagram), for reassembly by the caller
	   (the leaf certificate starts at message offset 6). */
	uint8_t n_cert;
	struct cf_dtls_frag {
		uint32_t msg_len;    /* the whole Certificate message's length */
		uint32_t frag_off;   /* this fragment's offset in it */
		uint32_t frag_len;   /* its length (all in the datagram) */
		uint16_t data_off;   /* where its bytes start in the datagram */
	} cert[CF_DTLS_CERT_FRAGS];
};

/*
 * Parse the DTLS records of one datagram.  YES when the first record has
 * a DTLS content type, version and a length that fits; the rest of the
 * datagram is walked for more records, and the handshake messages of
 * epoch 0 in each: a hello's extensions (use_srtp), where Certificate
 * fragments lie.  A DTLS 1.3 ciphertext record (first byte 001xxxxx, RFC
 * 9147 section 4) is YES with unified set.
 */
enum cf_rec cf_recog_dtls(const uint8_t *p, size_t len, struct cf_dtls_info *out);

/* --- X.509 names (recog-x509.c) ------------------------------------ */

#define CF_X509_NAME_MAX 64          /* longer names are cut (and flagged) */
#define CF_X509_SAN_MAX  4           /* dNSNames kept */

struct cf_x509_names {
	char cn[CF_X509_NAME_MAX + 1];   /* subject commonName, "" if none */
	uint8_t n_san;                   /* dNSNames in san[] */
	uint8_t san_more;                /* more dNSNames than were kept */
	uint8_t cut;                     /* a name was longer than CF_X509_NAME_MAX */
	char san[CF_X509_SAN_MAX][CF_X509_NAME_MAX + 1]; /* subjectAltName dNSNames */
};

/*
 * The subject commonName (2.5.4.3) and subjectAltName (2.5.29.17) dNSNames
 * of a DER certificate (RFC 5280 section 4.1), or of the first len bytes
 * of one: YES when the walk reached the extensions or the end of the
 * TBSCertificate, TRUNCATED when the bytes ended before (what was read is
 * kept: the subject comes before the extensions), NO when it is not DER
 * of that shape.  Names holding a NUL or control byte are skipped (a
 * name is never taken for another); names keep any other bytes (escape
 * them on output).
 */
enum cf_rec cf_recog_x509(const uint8_t *der, size_t len, struct cf_x509_names *out);

/* --- RTP / RTCP / ZRTP (recog-rtp.c) -------------------------------- */

struct cf_rtp_info {
	uint8_t is_rtcp;
	uint8_t pt;                  /* RTP payload type, or RTCP packet type */
	uint8_t marker;
	uint16_t seq;                /* RTP only */
	uint32_t ssrc;               /* RTP SSRC or the first RTCP sender SSRC */
	uint8_t exact;               /* RTCP: the compound walk ended exactly at len
					(plain RTCP; SRTCP's trailer makes it 0) */
};

/* RTP (RFC 3550) or RTCP (RFC 3550, demultiplexed per RFC 5761). */
enum cf_rec cf_recog_rtp(const uint8_t *p, size_t len, struct cf_rtp_info *out);

/* ZRTP (RFC 6189) message: first byte 0x10, magic cookie "ZRTP". */
int cf_recog_zrtp(const uint8_t *p, size_t len);

/* --- STUN / TURN (recog-stun.c) ------------------------------------- */

#define CF_STUN_BINDING          0x001
#define CF_STUN_ALLOCATE         0x003
#define CF_STUN_REFRESH          0x004
#define CF_STUN_SEND             0x006
#define CF_STUN_DATA             0x007
#define CF_STUN_CREATE_PERM      0x008
#define CF_STUN_CHANNEL_BIND     0x009

/* Attributes (RFC 8489 section 14, RFC 8656 section 18). */
#define CF_STUN_ATTR_XOR_PEER     0x0012
#define CF_STUN_ATTR_DATA         0x0013
#define CF_STUN_ATTR_XOR_RELAYED  0x0016
#define CF_STUN_ATTR_XOR_MAPPED   0x0020

/* A transport address from an XOR-*-ADDRESS attribute, un-XORed. */
struct cf_stun_addr {
	uint8_t present;             /* the attribute was there and well formed */
	uint8_t family;              /* 1 IPv4, 2 IPv6 */
	uint16_t port;
	cf_addr ip;
};

struct cf_stun_info {
	uint8_t is_channel_data;     /* TURN ChannelData, not a STUN message */
	uint16_t method;             /* STUN method (12 bits) */
	uint8_t cls;                 /* 0 request, 1 indication, 2 success, 3 error */
	uint16_t length;             /* message or ChannelData length field */
	uint16_t channel;            /* ChannelData channel number */
	uint16_t data_off;           /* ChannelData, or the DATA attribute of a Send/Data
					indication: where the application data starts */
	uint16_t data_len;           /* its length (what the payload holds of it) */
	uint8_t has_data;            /* data_off/data_len are set */
	uint8_t is_relay;            /* a TURN method or ChannelData */
	uint8_t classic;             /* RFC 3489 Binding without the magic cookie */
	uint8_t attrs_bad;           /* an attribute ran past the message: the
					walk stopped there (what came before is kept) */
	uint8_t ms_turn;             /* MS-TURN: MAGIC-COOKIE attribute 0x72c64bc6 */
	uint8_t txid[12];            /* transaction id (RFC 8489 messages) */
	struct cf_stun_addr mapped;  /* first XOR-MAPPED-ADDRESS */
	struct cf_stun_addr peer;    /* first XOR-PEER-ADDRESS: the far end of a relay
					(MS-TURN: DESTINATION- or REMOTE-ADDRESS) */
	struct cf_stun_addr relayed; /* first XOR-RELAYED-ADDRESS */
};

/*
 * A STUN message (RFC 8489: first two bits 0, magic cookie, length a
 * multiple of 4 and = len - 20; on a stream <= len - 20; an RFC 3489
 * Binding without the cookie when its attributes fill it exactly) or a TURN
 * ChannelData message (RFC 8656: first byte 0x40-0x4f, length fits with
 * at most 3 bytes of padding; on a stream padding is required).
 * stream is 1 for a TCP payload.  The attributes of an RFC 8489 message
 * are walked (bounds-checked): XOR-MAPPED-, XOR-PEER- and XOR-RELAYED-
 * ADDRESS are decoded (IPv4 XORed with the magic cookie, IPv6 with the
 * cookie and the transaction id), DATA sets data_off/data_len.  MS-TURN
 * (Teams, Skype) names the peer in plain DESTINATION-ADDRESS (0x0011)
 * or REMOTE-ADDRESS (0x0012) attributes; they fill peer too.
 */
enum cf_rec cf_recog_stun(const uint8_t *p, size_t len, int stream,
			  struct cf_stun_info *out);

/* --- QUIC (recog-quic.c) -------------------------------------------- */

#define CF_QUIC_V1      0x00000001u
#define CF_QUIC_V2      0x6b3343cfu

enum cf_quic_type {
	CF_QUIC_INITIAL = 0,
	CF_QUIC_0RTT,
	CF_QUIC_HANDSHAKE,
	CF_QUIC_RETRY,
	CF_QUIC_VERSION_NEG,         /* version 0: Version Negotiation */
	CF_QUIC_GQUIC                /* Google QUIC public header (no type) */
};

struct cf_quic_info {
	uint32_t version;            /* as on the wire; for Version Negotiation
					the first known version listed */
	enum cf_quic_type type;      /* RFC 9000 17.2 / RFC 9369 3.2 type, mapped */
	uint8_t legacy;              /* Google QUIC public header (Q043 and older) */
	uint8_t dcid_len, scid_len;
};

/*
 * A QUIC long-header packet (RFC 8999 invariants, RFC 9000 section 17.2,
 * RFC 9369) of a version callfence knows: 1, 2, the IETF drafts
 * 0xff0000xx, Google's "Q0xx"/"T0xx", and Version Negotiation listing one
 * of those; or a Google QUIC public header with the version flag and a
 * "Q0xx" version (Q043 and older).  Nothing is decrypted.
 */
enum cf_rec cf_recog_quic(const uint8_t *p, size_t len, struct cf_quic_info *out);
/* Is v a version cf_recog_quic knows? */
int cf_quic_version_known(uint32_t v);
/* "1", "2", "draft-29", "Q050", ...: into buf (at least 12 bytes). */
const char *cf_quic_version_name(uint32_t v, char *buf, size_t len);

/* --- Zoom media (recog-zoom.c) -------------------------------------- */

enum cf_zoom_kind {
	CF_ZOOM_NONE = 0,
	CF_ZOOM_AUDIO,               /* inner type 15 */
	CF_ZOOM_VIDEO,               /* inner type 16 */
	CF_ZOOM_SCREEN,              /* inner type 13 (server) or 30 */
	CF_ZOOM_RTCP,                /* inner type 33-35 */
	CF_ZOOM_OTHER                /* server media header, inner type not media */
};

#define CF_ZOOM_PORT_MIN 8801
#define CF_ZOOM_PORT_MAX 8810

struct cf_zoom_info {
	uint8_t server;              /* the 8-byte server (SFU) header was present */
	uint8_t inner_type;          /* first byte of the media header */
	enum cf_zoom_kind kind;
	uint8_t rtp_ok;              /* an RTP/RTCP v2 header sits where the kind says */
	uint16_t rtp_off;            /* its offset in the payload */
};

/*
 * Zoom's UDP media encapsulation (Michel et al., IMC 2022).  server is 1
 * for a flow with one end on UDP 8801-8810: the payload must start with
 * the 8-byte header of type 0x05.  For server = 0 (P2P) the media header
 * comes first and only media kinds whose RTP/RTCP header checks out are
 * YES.
 */
enum cf_rec cf_recog_zoom(const uint8_t *p, size_t len, int server,
			  struct cf_zoom_info *out);
const char *cf_zoom_kind_name(enum cf_zoom_kind k);

/* --- SIP (recog-sip.c) ---------------------------------------------- */

#define CF_SDP_MEDIA_MAX 4

/* A media endpoint an SDP body announces: its c= address, m= port. */
struct cf_sdp_media {
	cf_addr addr;
	uint16_t port;
};

struct cf_sip_info {
	uint8_t is_request;          /* request line, else status line */
	uint8_t has_sdp_crypto;      /* an SDP "a=crypto:" line (SDES keys, RFC 4568):
					in a payload we can read, the keys are
					readable by anyone on the path */
	uint8_t n_media;             /* entries used in media[] */
	struct cf_sdp_media media[CF_SDP_MEDIA_MAX]; /* m= lines with a non-zero
					port and a c= address (media or session level) */
};

/*
 * A SIP message start line (RFC 3261 section 7.1/7.2) and, in what the
 * payload holds, an SDP a=crypto: attribute and the media endpoints the
 * SDP announces (RFC 8866 sections 5.7, 5.14).  The a=crypto line's value
 * (the key) is never copied out.
 */
enum cf_rec cf_recog_sip(const uint8_t *p, size_t len, struct cf_sip_info *out);

#endif /* CF_RECOG_H */
