/* ctl_proto.h: the control protocol between pmipctl and the daemons (lmad, magd), on a UNIX
 * stream socket. Documented for users in doc/pmipctl.8 and doc/control-protocol.md.
 *
 * Every message is a header and `len` octets of payload. A client sends one request; the daemon
 * answers with zero or more records and then exactly one CTL_END or CTL_ERROR, and keeps the
 * connection for the next request. Records are fixed-layout structs in host byte order: both
 * ends are on the same machine and built from the same tree, and the version in every header
 * says which layout. Every length is checked before use on both sides. */
#ifndef COMMON_CTL_PROTO_H
#define COMMON_CTL_PROTO_H

#include <stdint.h>

#define CTL_MAGIC       0x504d4950u /* "PMIP" */
#define CTL_VERSION     1
#define CTL_MAX_PAYLOAD 4096
#define CTL_ID_MAX      254 /* an MN-ID with its NUL */

enum ctl_type {
	/* requests */
	CTL_REQ_SHOW_BINDINGS = 1, /* payload: empty, or an MN-ID (NUL-terminated) to filter */
	CTL_REQ_SHOW_STATS = 2,    /* payload: empty */
	CTL_REQ_DEREGISTER = 3,    /* payload: an MN-ID (NUL-terminated); magd de-registers,
	                            * lmad revokes (RFC 5846) */
	CTL_REQ_SHOW_FLOWS = 4,    /* payload: empty, or an MN-ID; lmad only */
	CTL_REQ_FLOW_MOVE = 5,     /* struct ctl_flow_move */
	CTL_REQ_POLICY_ADD = 6,    /* struct ctl_policy_add */
	CTL_REQ_POLICY_DEL = 7,    /* uint32_t policy id */
	CTL_REQ_POLICY_LIST = 8,   /* payload: empty */
	CTL_REQ_SHOW_PEERS = 9,    /* payload: empty */
	/* operations (numbered apart from the others so that branches adding requests at the same
	 * time do not collide) */
	CTL_REQ_RELOAD = 20,       /* payload: empty; the reload of SIGHUP, its refusal as an error */
	CTL_REQ_SHOW_VERSION = 21, /* payload: empty; answer: one CTL_REC_VERSION */
	/* replies */
	CTL_REC_BINDING = 100,
	CTL_REC_STAT = 101,
	CTL_REC_FLOW = 102,
	CTL_REC_POLICY = 103,
	CTL_REC_PEER = 104,
	CTL_REC_VERSION = 120,
	CTL_END = 200,
	CTL_ERROR = 201,
};

struct ctl_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;
};

enum ctl_err {
	CTL_E_BAD_REQUEST = 1, /* malformed header or payload */
	CTL_E_UNKNOWN = 2,     /* request type this daemon does not serve */
	CTL_E_NOT_FOUND = 3,   /* no such MN, flow, binding */
	CTL_E_INTERNAL = 4,
	CTL_E_BUSY = 5, /* too many control connections: this one is closed */
	CTL_E_IDLE = 6, /* no request for the idle timeout: the connection is closed */
	CTL_E_REFUSED = 7, /* a reload refused: the running configuration stays */
};

struct ctl_error {
	int32_t code; /* enum ctl_err */
	char message[252]; /* NUL-terminated unless cut short */
};

/* Which daemon answers, and its version (pmipctl show version; the metric names of
 * pmipctl -o openmetrics depend on it). */
struct ctl_version {
	char daemon[16];  /* "lmad" or "magd", NUL-terminated */
	char version[32]; /* PACKAGE_VERSION, NUL-terminated */
};

#define CTL_BINDING_MAX_PREFIXES 4

struct ctl_prefix {
	uint8_t addr[16];
	uint8_t len;
	uint8_t pad[3];
};

/* One binding: at the LMA a BCE, at the MAG a binding update list entry. */
struct ctl_binding {
	uint64_t id;
	char mn_id[CTL_ID_MAX];
	uint8_t llid_len;
	uint8_t llid[32];
	uint8_t att;
	uint8_t hi;
	uint8_t state; /* daemon-specific, named by state_name */
	uint8_t n_prefix;
	uint8_t muho; /* the MAG asked for / handles the MN's other prefixes */
	struct ctl_prefix prefix[CTL_BINDING_MAX_PREFIXES];
	uint8_t n_other; /* at a MAG: the MN's other interfaces' prefixes, routed here too */
	struct ctl_prefix other[CTL_BINDING_MAX_PREFIXES];
	uint8_t peer[16]; /* LMA: the MAG's Proxy-CoA; MAG: the LMA */
	uint32_t lifetime_s;
	uint32_t remaining_s;
	uint32_t tunnel;
	char state_name[16];
	uint32_t tag_mark; /* its binding tag's mark (doc/datapath.md), 0: it has no tag */
	uint32_t tag;      /* that tag (19 bits, any value: tag_mark says whether there is one) */
};

/* One counter: group ("rx", "pba", "malformed", "dropped", ...) and name. */
struct ctl_stat {
	char group[16];
	char name[40];
	uint64_t value;
};

/* One heartbeat peer (RFC 5847): at the LMA each MAG it has bindings with, at the MAG its LMA. */
struct ctl_peer {
	uint8_t addr[16];
	uint8_t state;        /* 0 up, 1 unreachable (common/heartbeat.h enum hb_state) */
	uint8_t have_restart; /* restart_counter is the peer's */
	uint8_t heartbeat;    /* 0: heartbeats are off */
	uint8_t pad;
	char state_name[16];
	uint32_t restart_counter;
	uint32_t misses;      /* requests in a row unanswered */
	uint32_t bindings;    /* LMA: its bindings; MAG: the binding update list's entries */
	uint32_t stale;       /* LMA: those left from before it restarted */
	uint64_t rtt_us;      /* of the last answered request; 0: none yet */
	uint64_t srtt_us;     /* smoothed */
	int64_t last_seen_ms; /* since it was last heard from; -1: never */
	uint64_t requests, responses;
};

/* One classified downlink flow at the LMA. */
struct ctl_flow {
	uint32_t id;
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint32_t flow_label;
	uint8_t proto;
	uint8_t att;    /* of the binding carrying it */
	uint8_t pinned; /* moved by hand */
	uint8_t pad;
	char mn_id[CTL_ID_MAX];
	uint64_t binding_id;
	uint8_t mag[16]; /* of the binding carrying it */
	uint32_t policy_id;
	uint32_t age_s;
	uint64_t packets; /* the connection's, in the original direction */
	uint64_t bytes;
	/* steering (lma/fc.h): why the flow sits where it is */
	uint8_t mode;     /* enum fc_mode of the policy that placed it */
	uint8_t why;      /* enum fc_why */
	uint8_t also_att; /* of also_binding_id */
	uint8_t pad2;
	uint32_t due_ms;  /* until a hold-down ends or a make-before-break move completes; 0: none */
	uint64_t also_binding_id; /* a second binding that carries it too (bicast, a move), or 0 */
	uint8_t also_mag[16];
};

enum ctl_move_target {
	CTL_MOVE_ATT = 1,
	CTL_MOVE_MAG = 2,
	CTL_MOVE_BINDING = 3,
};

struct ctl_flow_move {
	uint32_t flow_id;
	uint8_t target; /* enum ctl_move_target */
	uint8_t att;
	uint8_t mag[16];
	uint64_t binding_id;
	/* make-before-break: packets go through the old and the new binding for this long, then
	 * through the new one only; 0: a plain move. A request without it (its first 32 octets,
	 * CTL_FLOW_MOVE_V1_SIZE) is a plain move. */
	uint32_t bicast_ms;
	uint32_t pad;
};
#define CTL_FLOW_MOVE_V1_SIZE 32
#define CTL_BICAST_MAX_MS     60000

/* A flow policy (lma/fc.h's struct fc_policy) on the socket: every field an integer or bytes,
 * which fields a match sets in flag bits, so that no byte read from the socket becomes a C bool
 * or enum unchecked (lma/fc_wire.c converts and validates, both ways). */
enum ctl_policy_have {
	CTL_POLICY_SRC = 0x01,
	CTL_POLICY_DST = 0x02,
	CTL_POLICY_PROTO = 0x04,
	CTL_POLICY_FLOW_LABEL = 0x08,
	CTL_POLICY_TCLASS = 0x10,
};
#define CTL_POLICY_HAVE_ALL 0x1f

#define CTL_POLICY_TARGETS 4

/* A policy's second and later targets, as the first is in struct ctl_policy. */
struct ctl_policy_target {
	uint8_t kind; /* enum fc_target_kind */
	uint8_t att;
	uint8_t llid_len;
	uint8_t pad;
	uint8_t llid[32];
	uint8_t mag[16];
};

struct ctl_policy {
	uint32_t id;
	char mn_id[CTL_ID_MAX]; /* NUL-terminated; empty: any MN */
	uint8_t have;           /* enum ctl_policy_have */
	uint8_t src_len, dst_len;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	uint32_t flow_label;
	uint8_t tclass;
	uint8_t target; /* enum fc_target_kind */
	uint8_t target_att;
	uint8_t target_llid_len;
	uint8_t target_llid[32]; /* MH_LLID_MAX */
	uint8_t target_mag[16];
	/* Steering modes. A record that ends above (CTL_POLICY_V1_SIZE octets) or whose n_targets
	 * is 0 is a policy "to" the one target above, with the default fail-back. */
	uint8_t mode;      /* enum fc_mode */
	uint8_t n_targets; /* 1..CTL_POLICY_TARGETS: the target above, then more[] */
	uint8_t fail_back; /* 0 or 1 */
	uint8_t pad;
	uint32_t hold_down_ms;
	uint16_t weight[CTL_POLICY_TARGETS]; /* load-balance, in the targets' order */
	struct ctl_policy_target more[CTL_POLICY_TARGETS - 1];
	/* Smallest-delay's hysteresis and load-balance by bytes. A record that ends above
	 * (CTL_POLICY_V2_SIZE octets) has the default hysteresis and balances flows. */
	uint8_t hysteresis_pct; /* 0..100; 0 when hysteresis_ms is given */
	uint8_t by_bytes;       /* 0 or 1 */
	uint16_t pad2;
	uint32_t hysteresis_ms; /* 0..10000 */
};
#define CTL_POLICY_V1_SIZE 360
#define CTL_POLICY_V2_SIZE 532

struct ctl_policy_add {
	uint32_t before; /* insert before this policy id; 0: at the end */
	struct ctl_policy policy;
};

#endif
