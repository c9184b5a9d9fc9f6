/* mh.h: pure codec for the Mobility Header messages of Proxy Mobile IPv6 (RFC 6275 §6.1, §9.2;
 * RFC 5213 §8; RFC 5847; RFC 5846; RFC 7077) and the MuHo option of draft-bernardos-mif-pmip-02.
 * No sockets, no globals, no logging: bytes in, structs out, and the other way round. */
#ifndef PROTO_MH_H
#define PROTO_MH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MH_HDR_LEN       6    /* Payload Proto, Header Len, MH Type, Reserved, Checksum */
#define MH_MAX_LEN       2048 /* (255 + 1) * 8: the largest length Header Len can express */
#define MH_PAYLOAD_PROTO 59   /* IPPROTO_NONE: the only value RFC 6275 §6.1.1 allows */
#define MH_CKSUM_OFF     4    /* offset of the checksum, as the kernel's raw MH socket uses */

enum mh_type {
	MH_TYPE_BE = 7,   /* Binding Error, RFC 6275 §6.1.9 */
	MH_TYPE_BU = 5,   /* Binding Update: a PBU when flag P is set */
	MH_TYPE_BA = 6,   /* Binding Acknowledgement: a PBA when flag P is set */
	MH_TYPE_HB = 13,  /* Heartbeat, RFC 5847 */
	MH_TYPE_BR = 16,  /* Binding Revocation (BRI and BRA), RFC 5846 */
	MH_TYPE_UPN = 19, /* Update Notification, RFC 7077 */
	MH_TYPE_UPA = 20, /* Update Notification Acknowledgement, RFC 7077 */
};

enum mh_opt_type {
	MH_OPT_PAD1 = 0,
	MH_OPT_PADN = 1,
	MH_OPT_MNID = 8,             /* Mobile Node Identifier, RFC 4283 */
	MH_OPT_EXPERIMENTAL = 18,    /* RFC 5096: our default MuHo type */
	MH_OPT_HNP = 22,             /* Home Network Prefix, RFC 5213 §8.3 */
	MH_OPT_HI = 23,              /* Handoff Indicator, §8.4 */
	MH_OPT_ATT = 24,             /* Access Technology Type, §8.5 */
	MH_OPT_MNLLID = 25,          /* Mobile Node Link-layer Identifier, §8.6 */
	MH_OPT_LLA = 26,             /* Link-local Address, §8.7 */
	MH_OPT_TIMESTAMP = 27,       /* Timestamp, §8.8 */
	MH_OPT_RESTART_COUNTER = 28, /* Restart Counter, RFC 5847 §3.4 */
};

#define MH_MUHO_TYPE_DEFAULT MH_OPT_EXPERIMENTAL

/* Binding Update flags (16-bit word after the sequence number). */
#define MH_BU_A 0x8000
#define MH_BU_H 0x4000
#define MH_BU_L 0x2000
#define MH_BU_K 0x1000
#define MH_BU_M 0x0800
#define MH_BU_R 0x0400
#define MH_BU_P 0x0200

/* Binding Acknowledgement flags (the byte after the status). */
#define MH_BA_K 0x80
#define MH_BA_R 0x40
#define MH_BA_P 0x20

/* Heartbeat flags (RFC 5847 §3.3). */
#define MH_HB_U 0x02 /* unsolicited */
#define MH_HB_R 0x01 /* response */

/* Binding Revocation (RFC 5846 §5.1, §5.2): type, and flags of the 16-bit word after the sequence. */
#define MH_BR_TYPE_BRI 1
#define MH_BR_TYPE_BRA 2
#define MH_BR_P        0x8000 /* proxy binding */
#define MH_BR_V        0x4000 /* IPv4 HoA binding only */
#define MH_BR_G        0x2000 /* global revocation */

/* Revocation Trigger values of a BRI (RFC 5846 §6.1) and status values of a BRA (§6.2). */
enum mh_br_trigger {
	MH_BRI_UNSPECIFIED = 0,
	MH_BRI_ADMINISTRATIVE = 1,
	MH_BRI_PER_PEER_POLICY = 128,
};
enum mh_bra_status {
	MH_BRA_SUCCESS = 0,
	MH_BRA_PARTIAL_SUCCESS = 1,
	MH_BRA_NO_BINDING = 128,        /* Binding Does NOT Exist */
	MH_BRA_IPV4_HOA_REQUIRED = 129, /* IPv4 Home Address Option Required */
	MH_BRA_GLOBAL_NOT_AUTHORIZED = 130,
	MH_BRA_MN_ID_REQUIRED = 131,      /* Revoked Mobile Node Identity Required */
	MH_BRA_MN_ATTACHED = 132,         /* Revocation Failed - MN is Attached */
	MH_BRA_TRIGGER_UNSUPPORTED = 133, /* Revocation Trigger NOT Supported */
	MH_BRA_UNSUPPORTED = 134,         /* Revocation Function NOT Supported */
	MH_BRA_PROXY_UNSUPPORTED = 135,   /* Proxy Binding Revocation NOT Supported */
};

/* Update Notification flags (RFC 7077 §4.1): the first octet after the 16-bit Notification
 * Reason (bits 16 and 17 of that 32-bit word); the other 14 bits are reserved. */
#define MH_UPN_A 0x80 /* Acknowledgement Requested */
#define MH_UPN_D 0x40 /* Retransmit: set on every retransmission of a sequence number (§5.1) */

/* Handoff Indicator values (RFC 5213 §8.4, RFC 7864). */
enum mh_hi {
	MH_HI_NEW_IF = 1,
	MH_HI_IF_CHANGE = 2,
	MH_HI_MAG_CHANGE = 3,
	MH_HI_UNKNOWN = 4,
	MH_HI_NO_CHANGE = 5,
	MH_HI_NEW_IF_SHARED = 6,
};

#define MH_MNID_SUBTYPE_NAI 1
#define MH_MNID_MAX         253 /* RFC 7542's NAI limit: identifiers beyond it are refused */
#define MH_LLID_MAX         32  /* EUI-64 and MACs fit with room; longer ones are refused */
#define MH_MAX_PREFIXES     32  /* per kind (HNP, MuHo) in one message */

enum mh_err {
	MH_OK = 0,
	MH_E_SHORT,     /* buffer shorter than the 6-byte MH header */
	MH_E_HDRLEN,    /* (Header Len + 1) * 8 is beyond the received bytes */
	MH_E_PROTO,     /* Payload Proto is not 59 */
	MH_E_TYPE,      /* MH Type unknown to this codec, or not the one asked for */
	MH_E_MSGLEN,    /* message shorter than its type's fixed part */
	MH_E_OPT_TRUNC, /* an option's Type/Length header is cut by the end: the walk cannot advance
	                 */
	MH_E_OPT_OVERRUN, /* an option's body runs past the end of the message */
	MH_E_OPT_LEN, /* wrong length for a fixed-length option, or too short/long a variable one */
	MH_E_OPT_DUP, /* a single-instance option repeated */
	MH_E_OPT_MANY,   /* more HNP or MuHo options than MH_MAX_PREFIXES */
	MH_E_PREFIXLEN,  /* HNP or MuHo prefix length over 128 */
	MH_E_MNID_EMPTY, /* MN Identifier with no identifier (allowed only in a BA) */
	MH_E_MNID_LONG,  /* MN Identifier longer than MH_MNID_MAX */
	MH_E_NAI,        /* NAI with a NUL, space, control or non-ASCII byte */
	MH_E_NOSPACE,    /* encode: output buffer or the 2048-byte limit too small */
	MH_E_INVAL,      /* encode: the struct holds something the wire cannot carry */
	MH_E_COUNT
};

/* Bits of mh_opts.present for the options that may appear at most once. */
#define MH_HAVE_MNID            (1u << 0)
#define MH_HAVE_HI              (1u << 1)
#define MH_HAVE_ATT             (1u << 2)
#define MH_HAVE_MNLLID          (1u << 3)
#define MH_HAVE_LLA             (1u << 4)
#define MH_HAVE_TIMESTAMP       (1u << 5)
#define MH_HAVE_RESTART_COUNTER (1u << 6)

struct mh_prefix {
	uint8_t len;
	struct in6_addr addr;
};

static inline bool mh_prefix_equal(const struct mh_prefix *a, const struct mh_prefix *b)
{
	return a->len == b->len && IN6_ARE_ADDR_EQUAL(&a->addr, &b->addr);
}

struct mh_mnid {
	uint8_t subtype;
	uint8_t len;
	uint8_t id[MH_MNID_MAX];
};

/* The options of any message: decoders fill what they find, encoders write what is present. */
struct mh_opts {
	uint32_t present; /* MH_HAVE_* */
	struct mh_mnid mnid;
	uint8_t hi;
	uint8_t att;
	uint8_t llid_len;
	uint8_t llid[MH_LLID_MAX];
	struct in6_addr lla;
	uint64_t timestamp; /* 48-bit seconds since 1970 and 16-bit 1/65536 fraction, as on the wire
	                     */
	uint32_t restart_counter;
	uint8_t n_hnp;
	uint8_t n_muho;
	uint8_t n_unknown; /* options skipped because this codec does not know them (saturates) */
	struct mh_prefix hnp[MH_MAX_PREFIXES];
	struct mh_prefix muho[MH_MAX_PREFIXES];
};

struct mh_bu {
	uint16_t seq;
	uint16_t flags;    /* MH_BU_* */
	uint16_t lifetime; /* 4-second units */
};

struct mh_ba {
	uint8_t status;
	uint8_t flags; /* MH_BA_* */
	uint16_t seq;
	uint16_t lifetime;
};

struct mh_be {
	uint8_t status;
	struct in6_addr home_addr;
};

struct mh_hb {
	uint8_t flags; /* MH_HB_* */
	uint32_t seq;
};

struct mh_br {
	uint8_t br_type; /* MH_BR_TYPE_* */
	uint8_t code;    /* revocation trigger in a BRI, status in a BRA */
	uint16_t seq;
	uint16_t flags; /* MH_BR_* */
};

struct mh_upn {
	uint16_t seq;
	uint16_t reason; /* Notification Reason, a 16-bit field */
	uint8_t flags;   /* MH_UPN_A, MH_UPN_D: reserved bits are dropped on decoding */
};

struct mh_upa {
	uint16_t seq;
	uint8_t status;
};

struct mh_msg {
	uint8_t type; /* enum mh_type */
	union {
		struct mh_bu bu;
		struct mh_ba ba;
		struct mh_be be;
		struct mh_hb hb;
		struct mh_br br;
		struct mh_upn upn;
		struct mh_upa upa;
	} u;
	struct mh_opts opts;
	/* Where decoding stopped, for a log line: offset into the message and, for option errors,
	 * the option type. */
	size_t err_off;
	int err_opt;
};

/* What the two ends must agree on beyond the RFCs. */
struct mh_params {
	uint8_t muho_type; /* option type of the MuHo option, MH_MUHO_TYPE_DEFAULT unless configured
	                    */
};

void mh_params_init(struct mh_params *p);
/* A MuHo type must not shadow an option this codec decodes (or Pad1/PadN). */
bool mh_muho_type_usable(unsigned type);

/* Decodes one whole Mobility Header message (exactly the bytes the raw socket returned).
 * Returns MH_OK or an enum mh_err; never reads outside buf[0..len). The checksum is not checked
 * here: the kernel does that for raw MH sockets (see mh_checksum_ok() for other paths). */
int mh_decode(const uint8_t *buf, size_t len, const struct mh_params *p, struct mh_msg *out);
/* The checks of mh_decode() that need no option (the header, the type's fixed part): MH_OK or
 * the error, *err_off being the offset of the field at fault (0 Payload Proto, 1 Header Len for
 * MH_E_PROTO and MH_E_MSGLEN: where an ICMPv6 Parameter Problem points, RFC 6275 §9.2). */
int mh_check_header(const uint8_t *buf, size_t len, size_t *err_off);

/* Encodes msg with every option at its alignment and the message padded to 8 octets. Returns
 * the length written, or -(enum mh_err). The checksum field is left zero. */
ssize_t mh_encode(const struct mh_msg *msg, const struct mh_params *p, uint8_t *buf, size_t cap);

/* A zeroed message of the given type, ready to be filled for mh_encode(). */
void mh_msg_init(struct mh_msg *msg, enum mh_type type);

const char *mh_strerror(int err);
/* Short, stable token for counters and JSON ("opt_overrun"). */
const char *mh_err_name(int err);
const char *mh_type_name(unsigned type);

/* Option helpers used by the daemons while building messages. */
int mh_opts_set_nai(struct mh_opts *o, const char *nai);
int mh_opts_add_hnp(struct mh_opts *o, const struct in6_addr *prefix, uint8_t len);
int mh_opts_add_muho(struct mh_opts *o, const struct in6_addr *prefix, uint8_t len);
bool mh_nai_valid(const uint8_t *id, size_t len);

/* Timestamp option values (RFC 5213 §8.8): 48-bit seconds, 16-bit fraction. */
uint64_t mh_timestamp_from_ns(uint64_t ns_since_epoch);
uint64_t mh_timestamp_to_ns(uint64_t ts);

/* The MH checksum (RFC 6275 §6.1.1): the Internet checksum over the IPv6 pseudo-header with
 * next header 135 and the whole message. mh_checksum_fill() zeroes the field first and writes
 * the result; mh_checksum_ok() checks a received message. For packets built outside the
 * kernel's raw socket (captures, tests). */
uint16_t mh_checksum(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *mh,
                     size_t len);
void mh_checksum_fill(const struct in6_addr *src, const struct in6_addr *dst, uint8_t *mh,
                      size_t len);
bool mh_checksum_ok(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *mh,
                    size_t len);

#endif
