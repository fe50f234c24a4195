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
#define CF_STUN_ATTR_USERNAME     0x0006
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
	uint16_t user_off;           /* USERNAME (RFC 8489 section 14.3): where its
					value starts in the payload, */
	uint16_t user_len;           /* and its length; 0 none.  ICE checks carry
					"RFRAG:LFRAG" (RFC 8445 section 7.2.2) */
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
	uint16_t call_id_off;        /* the Call-ID (or compact "i:") header's value
					(RFC 3261 section 20.8): offset in the payload, */
	uint16_t call_id_len;        /* and length without spaces; 0 none */
};

/*
 * A SIP message start line (RFC 3261 section 7.1/7.2) and, in what the
 * payload holds, an SDP a=crypto: attribute and the media endpoints the
 * SDP announces (RFC 8866 sections 5.7, 5.14), and where the Call-ID
 * header's value is.  The a=crypto line's value (the key) is never copied
 * out.
 */
enum cf_rec cf_recog_sip(const uint8_t *p, size_t len, struct cf_sip_info *out);

/* --- Messages on a TCP stream (recog-frames.c) ---------------------- */

enum cf_frame_mode {
	CF_FRAME_RFC4571 = 0,        /* RFC 4571 / RFC 6544 ICE-TCP: 16-bit
					big-endian length, then that many bytes */
	CF_FRAME_STUN,               /* RFC 8656 s.7 TURN over TCP: bare STUN
					(20 + length) or ChannelData (4 + length,
					padded to 4) back to back */
	CF_FRAME_TPKT,               /* RFC 1006 TPKT: 3, 0, 16-bit length of
					the whole packet (H.225.0, H.245) */
	CF_FRAME_SCCP                /* Cisco Skinny: 32-bit little-endian
					length of what follows the 8-byte
					length+version header, plus 8 */
};

/* One message found in a segment. */
struct cf_frame {
	const uint8_t *msg;          /* its first byte (the framing header's) */
	size_t off;                  /* offset of msg in the segment */
	size_t len;                  /* whole message, framing header included */
	size_t hdr;                  /* framing bytes in front of the content:
					2 RFC 4571, 4 TPKT, 0 STUN, 8 SCCP */
};

/* Called once per whole message; return non-zero to stop the walk. */
typedef int (*cf_frame_cb)(void *ctx, const struct cf_frame *f);

#define CF_FRAMES_MAX 64             /* messages walked per segment */

struct cf_frames_info {
	unsigned n;                  /* whole messages walked (and handed to cb) */
	size_t used;                 /* bytes they take: the next message starts
					here (the caller keeps len - used bytes) */
	size_t need;                 /* > 0: a message starts at used and ends past
					len: this many more bytes complete it (when
					hdr_cut, only its header: at least this many) */
	uint8_t hdr_cut;             /* the segment ends inside the framing header
					of the message at used */
	uint8_t bad;                 /* the bytes at used are not a message of this
					framing (the walk stopped there) */
	uint8_t stopped;             /* cb asked to stop */
};

/*
 * Walk the messages of one TCP segment p[0..len) framed as mode says.
 * Every whole message goes to cb (may be NULL); a message cut by the end
 * of the segment is reported in need/hdr_cut and not given to cb: the
 * caller that wants it carries p[used..len) over and calls again with
 * those bytes followed by the next segment's.  Nothing is kept here.
 *
 * YES when the first message's framing header is complete and plausible
 * (its content is cb's to judge); TRUNCATED when the segment ends inside
 * the first framing header; NO when the first message is not of this
 * framing (RFC 4571: length 0; STUN: neither 00-3f with the magic cookie
 * nor 40-4f; TPKT: not 03 00 or a length < 4 + 1; SCCP: version word
 * not a known Skinny header version or a length < 4 or > 64 KiB).
 * After the first, a bad message ends the walk with bad set.
 * RFC 4571 framing has no magic: any non-zero 16-bit length frames, so
 * for it YES says nothing until cb has accepted the messages' contents
 * (with cf_recog_stun, cf_recog_rtp, cf_recog_dtls); a walk that starts
 * in the middle of a message (a segment after one the caller did not
 * carry) frames garbage.
 */
enum cf_rec cf_recog_tcp_frames(const uint8_t *p, size_t len, enum cf_frame_mode mode,
				cf_frame_cb cb, void *ctx, struct cf_frames_info *out);

/*
 * Which framing a STUN/TURN TCP stream's first segment uses: CF_FRAME_STUN
 * when a STUN header with the magic cookie starts at 0, or ChannelData
 * messages (first byte 0x40-0x4f) whose lengths walk the segment out
 * (at least one whole, the last may be cut); CF_FRAME_RFC4571 when a STUN header with the cookie starts at 2
 * behind a length that covers it (RFC 6544); -1 neither (RTP or DTLS
 * framed per RFC 4571 carry no cookie: the caller tries cf_recog_rtp or
 * cf_recog_dtls on the bytes behind the 2-byte length).
 */
int cf_frame_guess_stun(const uint8_t *p, size_t len);

/* --- H.323: H.225.0 call signalling, RAS, H.245 (recog-h323.c) ------ */

/* Q.931 message types H.225.0 uses (Q.931 table 4-2). */
#define CF_Q931_ALERTING         0x01
#define CF_Q931_CALL_PROCEEDING  0x02
#define CF_Q931_PROGRESS         0x03
#define CF_Q931_SETUP            0x05
#define CF_Q931_CONNECT          0x07
#define CF_Q931_RELEASE_COMPLETE 0x5a
#define CF_Q931_STATUS           0x7d
#define CF_Q931_FACILITY         0x62
#define CF_Q931_NOTIFY           0x6e
#define CF_Q931_INFORMATION      0x7b
#define CF_Q931_STATUS_ENQUIRY   0x75

enum cf_h323_kind {
	CF_H323_NONE = 0,
	CF_H323_Q931,                /* H.225.0 call signalling (Q.931 in TPKT) */
	CF_H323_H245                 /* H.245 in TPKT */
};

struct cf_h225_info {
	enum cf_h323_kind kind;      /* of the first TPKT (of what the segment
					holds of it when it is cut: tpkts 0) */
	uint8_t tpkts;               /* whole TPKT packets in the segment */
	uint32_t need;               /* the last TPKT continues: bytes to come */
	/* Q.931 (first TPKT) */
	uint8_t msg_type;            /* Q.931 message type */
	uint16_t call_ref;           /* call reference value (flag bit cleared) */
	uint8_t call_ref_flag;       /* 1: sent by the side that did not
					originate the call reference */
	uint8_t has_uuie;            /* a User-user IE with protocol
					discriminator 5 */
	int8_t uuie_body;            /* h323-message-body CHOICE index (setup 0,
					callProceeding 1, connect 2, alerting 3,
					information 4, releaseComplete 5,
					facility 6, ...) or -1 */
	uint8_t h225_oid;            /* the H.225.0 protocol identifier
					{0 0 8 2250 0 v} was found in the UUIE */
	uint8_t h225_version;        /* its v */
	/* H.245 (first TPKT) */
	uint8_t h245_class;          /* 0 request, 1 response, 2 command,
					3 indication */
	uint8_t h245_index;          /* CHOICE index inside it (request:
					tcs 2, olc 3; response: msdAck 1, tcsAck 3,
					olcAck 5, ...); 0xff for an extension */
	/* H.245 OpenLogicalChannelAck (first TPKT): its H.225.0 parameters */
	uint16_t h245_lcn;           /* forwardLogicalChannelNumber */
	uint8_t has_media;           /* mediaChannel: where the acking side
					receives RTP */
	uint8_t has_media_ctl;       /* mediaControlChannel: its RTCP */
	uint16_t media_port, media_ctl_port;
	cf_addr media_addr, media_ctl_addr;
};

/*
 * H.225.0 call signalling or H.245 on TCP: TPKT packets (RFC 1006),
 * walked with cf_recog_tcp_frames; the first is looked at.  A body that
 * starts with protocol discriminator 8 is Q.931: call reference (length
 * 0-2 octets here), message type, then information elements; the
 * User-user IE (0x7e, 16-bit length) carries protocol discriminator 5
 * and the PER-encoded H323-UserInformation.  Q.931 is YES when its
 * header and IEs walk out within the TPKT.  Any other body is taken for
 * H.245 when its first octet is a plausible MultimediaSystemControl-
 * Message CHOICE; H.245 bodies are weak on their own: the caller
 * requires the flow to be H.323's (port 1720 or the H.245 address a
 * Setup/Connect named).  An OpenLogicalChannelAck is walked (aligned
 * PER, bounds-checked bit by bit) to its forwardMultiplexAckParameters'
 * H.225.0 parameters: the unicast IPv4/IPv6 mediaChannel and
 * mediaControlChannel (where the acking side receives RTP and RTCP).
 * Only the plain form is walked (no reverseLogicalChannelParameters, no
 * nonStandard data before the addresses); anything else leaves has_media
 * 0.  OpenLogicalChannel requests are not walked: their media control
 * address sits behind the DataType (codec capability) tree.
 * A first TPKT cut by the end of the segment is YES with tpkts 0 and
 * need set when what the segment holds of its body starts like Q.931
 * (read as far as it goes: an IE cut at the end ends the IE walk) or is
 * empty; TRUNCATED (need set) when it starts like H.245, whose first
 * octets alone say too little.  TRUNCATED also: fewer than 4 bytes of
 * a TPKT header.
 */
enum cf_rec cf_recog_h225(const uint8_t *p, size_t len, struct cf_h225_info *out);

/* H.225.0 RasMessage CHOICE indices (H.225.0 ASN.1, in order). */
enum cf_ras_msg {
	CF_RAS_GRQ = 0, CF_RAS_GCF, CF_RAS_GRJ, CF_RAS_RRQ, CF_RAS_RCF,
	CF_RAS_RRJ, CF_RAS_URQ, CF_RAS_UCF, CF_RAS_URJ, CF_RAS_ARQ,
	CF_RAS_ACF, CF_RAS_ARJ, CF_RAS_BRQ, CF_RAS_BCF, CF_RAS_BRJ,
	CF_RAS_DRQ, CF_RAS_DCF, CF_RAS_DRJ, CF_RAS_LRQ, CF_RAS_LCF,
	CF_RAS_LRJ, CF_RAS_IRQ, CF_RAS_IRR, CF_RAS_NSM, CF_RAS_XRS,
	CF_RAS_ROOT_MAX = CF_RAS_XRS
};

struct cf_ras_info {
	uint8_t msg;                 /* CHOICE index: enum cf_ras_msg, or
					25 + n for the n-th extension alternative */
	uint8_t extension;           /* an extension alternative (after "...") */
	uint16_t seq;                /* requestSeqNum (1-65535) when seq_ok */
	uint8_t seq_ok;
	uint8_t strong;              /* the H.225.0 protocol identifier followed
					the sequence number (GRQ ... RRJ) */
	uint8_t h225_version;
};

/*
 * An H.225.0 RAS message (UDP 1719; 1718 for discovery): PER (aligned)
 * RasMessage.  The first octet is the CHOICE: extension bit 0 and a
 * 5-bit index 0-24, or extension bit 1 and a normally-small index.
 * The gatekeeper/registration messages (0-5) carry the 16-bit
 * requestSeqNum (minus 1) at octets 2-3 and the protocol identifier
 * after it: those are YES with strong set.  The other messages are YES
 * only from the first octet and a plausible length (weak; text such as
 * SIP is refused): the caller requires UDP port 1718/1719 for them.
 */
enum cf_rec cf_recog_ras(const uint8_t *p, size_t len, struct cf_ras_info *out);

/* --- Cisco SCCP / Skinny (recog-sccp.c) ------------------------------ */

#define CF_SCCP_OPEN_RECEIVE_ACK  0x0022
#define CF_SCCP_START_MEDIA_TX    0x008a
#define CF_SCCP_MEDIA_MAX         4

struct cf_sccp_media {
	uint32_t msg_id;             /* 0x22 (where the phone receives) or 0x8a
					(where it is told to send) */
	cf_addr addr;
	uint16_t port;
	uint32_t party;              /* passThruPartyId: the media channel, the
					same in both messages of one call */
};

struct cf_sccp_info {
	uint32_t version;            /* header version of the first message */
	uint32_t msg_id;             /* message id of the first message */
	uint8_t msgs;                /* whole messages in the segment */
	uint32_t need;               /* the last message continues: bytes to come */
	uint8_t n_media;
	struct cf_sccp_media media[CF_SCCP_MEDIA_MAX];
};

/*
 * Skinny messages on TCP 2000 (2443 over TLS is not readable): walked
 * with cf_recog_tcp_frames (CF_FRAME_SCCP); every whole message must
 * have a message id callfence knows to be in Skinny's ranges (0x0000-
 * 0x01ff, 0x8000-0x81ff).  OpenReceiveChannelAck and
 * StartMediaTransmission give the media endpoint: in header versions
 * below 0x11 a 4-byte IPv4 address; from 0x11 on an IPv4-or-6 word and a
 * 16-byte address field (see the top of recog-sccp.c).
 */
enum cf_rec cf_recog_sccp(const uint8_t *p, size_t len, struct cf_sccp_info *out);

/* --- MGCP (recog-mgcp.c) --------------------------------------------- */

struct cf_mgcp_info {
	uint8_t is_command;          /* command line, else response line */
	char verb[5];                /* "CRCX" ..., "" for a response */
	uint16_t code;               /* response code (000-999) */
	uint32_t txid;               /* transaction id (1-999999999) */
	uint8_t n_media;             /* as in struct cf_sip_info */
	struct cf_sdp_media media[CF_SDP_MEDIA_MAX];
};

/*
 * An MGCP message (RFC 3435 section 3): a command line "VERB txid
 * endpoint MGCP 1.0" (verbs EPCF CRCX MDCX DLCX RQNT NTFY AUEP AUCX RSIP,
 * case-insensitive; the endpoint must hold '@'; a profile such as "NCS
 * 1.0" may follow) or a response line "code txid [comment]".  A response
 * line alone is weak: the caller requires UDP 2427/2727.  The SDP after
 * the empty line gives media endpoints as in cf_recog_sip.
 */
enum cf_rec cf_recog_mgcp(const uint8_t *p, size_t len, struct cf_mgcp_info *out);

/* --- IAX2 (recog-iax2.c) --------------------------------------------- */

#define CF_IAX2_PORT 4569

enum cf_iax2_kind {
	CF_IAX2_FULL = 1,            /* full frame */
	CF_IAX2_MINI,                /* mini voice frame (weak) */
	CF_IAX2_META_VIDEO,          /* meta video mini frame */
	CF_IAX2_META_TRUNK           /* meta trunk frame */
};

/* Full frame types (RFC 5456 section 8.2). */
#define CF_IAX2_DTMF     1
#define CF_IAX2_VOICE    2
#define CF_IAX2_VIDEO    3
#define CF_IAX2_CONTROL  4
#define CF_IAX2_NULL     5
#define CF_IAX2_IAX      6
#define CF_IAX2_TEXT     7
#define CF_IAX2_IMAGE    8
#define CF_IAX2_HTML     9
#define CF_IAX2_CNG      10

struct cf_iax2_info {
	enum cf_iax2_kind kind;
	uint16_t src_call;           /* source call number (15 bits) */
	uint16_t dst_call;           /* full frames */
	uint8_t retransmit;          /* full frames: R bit */
	uint32_t ts;                 /* full: 32 bits; mini: 16; meta video: 15 */
	uint8_t oseq, iseq;          /* full frames */
	uint8_t type;                /* full frames: frame type 1-10 */
	uint8_t subclass;            /* full frames: subclass (C bit applied:
					when set the value is 2^(subclass & 0x7f),
					this holds the raw byte) */
	uint8_t is_media;            /* voice/video/CNG full frames, mini and
					meta frames */
	uint8_t is_signaling;        /* IAX (type 6) and control (4) full frames */
	uint8_t weak;                /* mini/meta frame: only a few bits say IAX2;
					confirm over several packets (same source
					call number, timestamps moving forward)
					on a flow with an end on 4569 */
	uint8_t ies_ok;              /* IAX frame: its IEs walk out exactly */
};

/*
 * One IAX2 datagram (RFC 5456 section 8): a full frame (F bit 1, 12-byte
 * header, frame type 1-10; an IAX control frame, type 6, needs a
 * subclass 1-38 and information elements that walk out exactly to the
 * end of the datagram), a meta frame (first 16 bits zero: video with
 * the V bit, or trunk, command 1) or a mini frame (F bit 0, a non-zero
 * source call number, a 16-bit timestamp, at least one byte of data,
 * not printable text).  Mini and meta frames are YES with weak set.
 */
enum cf_rec cf_recog_iax2(const uint8_t *p, size_t len, struct cf_iax2_info *out);

/* --- BFCP (recog-bfcp.c) --------------------------------------------- */

struct cf_bfcp_info {
	uint8_t version;             /* 1 (TCP/TLS) or 2 (UDP/DTLS) */
	uint8_t responder;           /* R bit */
	uint8_t fragment;            /* F bit (version 2) */
	uint8_t primitive;           /* 1-17 */
	uint16_t payload_len;        /* in 4-octet units */
	uint32_t conference_id;
	uint16_t transaction_id;
	uint16_t user_id;
	uint8_t attrs;               /* attributes walked */
	uint8_t exact;               /* the message ends exactly at len */
};

/*
 * A BFCP message (RFC 8855 section 5.1, RFC 4582): 12-byte common
 * header (version 1 or 2, R, F, primitive 1-17, payload length in
 * 4-octet units, conference id, transaction id, user id; with F set the
 * 4-byte fragment offset/length follow), then attributes (7-bit type,
 * M bit, 8-bit length including the 2-byte header, padded to 4) that
 * must fit the payload.  stream is 1 for TCP: the message may be
 * followed by more (exact is 0); on UDP the datagram must end with it.
 * TRUNCATED: fewer than 12 bytes, or a payload length that goes past
 * len (the header was plausible: on a stream the rest may come in the
 * next segment; in a datagram the length lies or the capture cut it).
 */
enum cf_rec cf_recog_bfcp(const uint8_t *p, size_t len, int stream,
			  struct cf_bfcp_info *out);

/* --- call apps whose media is not RTP (recog-apps.c) ------------------ */

/*
 * A Telegram reflector's own message: the 16-byte peer tag, 12 octets of
 * 0xFF, a 32-bit type (*type).  TRUNCATED: the 0xFF run ends the bytes.
 */
enum cf_rec cf_recog_tg_reflector(const uint8_t *p, size_t len, uint32_t *type);

struct cf_agora_info {
	char host[128];              /* the edge server's name, NUL-terminated */
	uint16_t host_len;
};

/*
 * An Agora SD-RTN join request: octet 6 0x21, "\x04SNI" at 12, the
 * server name's length at 16, 0 at 18, the name (letters, digits, '-',
 * '.') from 19.  TRUNCATED: the name goes past len.
 */
enum cf_rec cf_recog_agora_join(const uint8_t *p, size_t len,
				struct cf_agora_info *out);

enum {
	CF_DISCORD_KEEPALIVE = 1,    /* 0x1337cafe + counter, 8 octets */
	CF_DISCORD_IPD_REQUEST,      /* IP discovery, type 1 */
	CF_DISCORD_IPD_RESPONSE      /* ... type 2 (an address in it) */
};

/*
 * Discord voice's IP discovery (74 octets: type 1 or 2, length 70, SSRC,
 * a NUL-padded printable address in 64 octets, port) or its 8-octet
 * keep-alive (magic 0x1337cafe); *kind says which.  Never TRUNCATED: the
 * lengths are fixed.
 */
enum cf_rec cf_recog_discord(const uint8_t *p, size_t len, int *kind);

#endif /* CF_RECOG_H */
