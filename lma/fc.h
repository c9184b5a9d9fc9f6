/* fc.h: the LMA's flow classifier (draft-bernardos-mif-pmip-02 §5.3): downlink flows toward a
 * multihomed MN identified by the draft's 6-tuple (source and destination address, source and
 * destination port, IPv6 flow label, L4 protocol), each with a stable flow id; ordered policy
 * rules that pick, per flow, which of the MN's bindings (interfaces) carries it; the flow table
 * that pmipctl shows and moves flows in. Pure: no sockets, no kernel; lmad feeds it packets from
 * NFQUEUE and applies its decisions as firewall marks. */
#ifndef LMA_FC_H
#define LMA_FC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/mh.h"

/* The 6-tuple. Protocols without ports have both ports 0; ICMPv6 echo request/reply use the
 * echo identifier as both ports (so two pings are two flows), other ICMPv6 messages 0. */
struct fc_tuple {
	struct in6_addr src;
	struct in6_addr dst;
	uint16_t sport;
	uint16_t dport;
	uint32_t flow_label; /* 20 bits */
	uint8_t proto;       /* the upper-layer protocol after any extension headers */
	uint8_t tclass;      /* traffic class: not part of the flow's identity, but policies match it */
};

enum fc_parse_err {
	FC_OK = 0,
	FC_E_SHORT,     /* shorter than an IPv6 header, or the header chain/ports cut off */
	FC_E_VERSION,   /* not IPv6 */
	FC_E_EXTHDR,    /* an extension header chain that does not fit, or a later fragment */
	FC_E_LENGTH,    /* more bytes than a payload length other than 0 (jumbo) claims */
};

/* Parses an IPv6 packet as NFQUEUE delivers it (no link-layer header); never reads outside it.
 * Extension headers (hop-by-hop, routing, destination options, fragment) are walked; a
 * non-first fragment has no ports and is FC_E_EXTHDR. The copy may be cut short of the
 * payload length (NFQUEUE's copy range) as long as it holds the headers up to the ports: what
 * is cut off is FC_E_SHORT, an extension header running past the payload length itself
 * FC_E_EXTHDR. t is zeroed first. */
int fc_parse_packet(const uint8_t *pkt, size_t len, struct fc_tuple *t);
/* A name for each error, for log lines. */
const char *fc_parse_strerror(int err);

/* The upper-layer protocols policies name: "tcp", "udp", "icmpv6", "sctp", "udplite".
 * fc_proto_name() gives NULL for others; fc_proto_by_name() -1 for an unknown name. */
const char *fc_proto_name(uint8_t proto);
int fc_proto_by_name(const char *name);

/* One of the MN's bindings, as the LMA engine describes it to the classifier. */
struct fc_binding {
	uint64_t id;           /* BCE id */
	uint8_t att;           /* access technology type */
	struct in6_addr mag;   /* its MAG's Proxy-CoA */
	uint8_t llid_len;
	uint8_t llid[MH_LLID_MAX];
	uint32_t mark;         /* firewall mark that routes through its tunnel */
	bool owns_dst;         /* the flow's destination address is in one of its prefixes */
	uint64_t up_since_ns;  /* active without a break since (0: unknown, taken as long ago) */
	uint64_t rtt_ns;       /* its MAG's smoothed heartbeat round-trip time (0: none yet) */
};

enum fc_target_kind {
	FC_TARGET_DEFAULT, /* the binding owning the destination prefix */
	FC_TARGET_ATT,     /* a binding with this access technology type */
	FC_TARGET_MAG,     /* the binding at this MAG */
	FC_TARGET_LLID,    /* the binding with this MN link-layer identifier */
};

/* What a policy matches: every field set must match (an unset one matches anything). */
struct fc_match {
	char mn_id[MH_MNID_MAX + 1];       /* empty: any MN */
	bool have_src, have_dst;
	struct mh_prefix src, dst;         /* prefixes */
	bool have_proto;
	uint8_t proto;
	uint16_t sport_lo, sport_hi;       /* 0..65535 when unset */
	uint16_t dport_lo, dport_hi;
	bool have_flow_label;
	uint32_t flow_label;
	bool have_tclass;
	uint8_t tclass;
};

/* One binding a policy names (by access technology, MAG or link-layer identifier). */
struct fc_target {
	enum fc_target_kind kind;
	uint8_t att;
	struct in6_addr mag;
	uint8_t llid_len;
	uint8_t llid[MH_LLID_MAX];
	uint16_t weight; /* load-balance: 1..FC_WEIGHT_MAX; 0 in the other modes */
};

/* How a policy spreads its flows over the bindings it names (3GPP TS 23.501 §5.32.8's steering
 * modes, RFC 4908 §1.1's uses of multihoming). */
enum fc_mode {
	FC_MODE_PRIORITY,       /* the first target present; fail-back after the hold-down */
	FC_MODE_ACTIVE_STANDBY, /* two targets: the standby only while the active is absent */
	FC_MODE_LOAD_BALANCE,   /* new flows spread by weight, each by a hash of its 5-tuple */
	FC_MODE_BICAST,         /* every packet through the first two targets present */
	FC_MODE_SMALLEST_DELAY, /* the target whose MAG has the lowest heartbeat RTT, hysteresis */
	FC_MODE_COUNT
};

#define FC_TARGETS_MAX          4
#define FC_WEIGHT_MAX           1000
#define FC_HOLD_DOWN_DEFAULT_MS 5000u
#define FC_HOLD_DOWN_MAX_MS     3600000u
/* The MN's flows a new flow of smallest-delay or load-balance by bytes looks at, oldest first:
 * a flood of flows toward one MN costs each new one this much, not the whole lot. */
#define FC_STEER_SCAN 1024
#define FC_HYSTERESIS_DEFAULT_PCT 20u
#define FC_HYSTERESIS_MAX_PCT   100u
#define FC_HYSTERESIS_MAX_MS    10000u

struct fc_policy {
	uint32_t id;                       /* given by fc_policy_add */
	struct fc_match match;
	enum fc_mode mode;
	uint8_t n_targets;                 /* 1..FC_TARGETS_MAX (2 for active-standby, 2.. bicast) */
	struct fc_target targets[FC_TARGETS_MAX]; /* in order of preference */
	bool fail_back;        /* priority, active-standby, load-balance: flows return to a binding
	                        * that comes back, once it has been up for hold_down_ms */
	uint32_t hold_down_ms; /* 0..FC_HOLD_DOWN_MAX_MS */
	/* smallest-delay: the flows leave their binding for one whose RTT is lower by more than
	 * hysteresis_pct % of their own's, or by more than hysteresis_ms (one of them is 0) */
	uint8_t hysteresis_pct; /* 0..FC_HYSTERESIS_MAX_PCT */
	uint32_t hysteresis_ms; /* 0..FC_HYSTERESIS_MAX_MS */
	bool by_bytes;          /* load-balance: new flows even out the bytes, not the flows */
};

/* Why a flow sits where it is (pmipctl show flows). */
enum fc_why {
	FC_WHY_DEFAULT,      /* no policy: the binding holding the destination */
	FC_WHY_PREFERRED,    /* the policy's first choice */
	FC_WHY_FAILOVER,     /* a binding the policy prefers is absent */
	FC_WHY_HOLD_DOWN,    /* a preferred binding is back: fail-back waits for its hold-down */
	FC_WHY_NO_FAIL_BACK, /* a preferred binding is back: the policy does not fail back */
	FC_WHY_FAILED_BACK,  /* returned to a binding that came back, after its hold-down */
	FC_WHY_HASH,         /* load-balance: where its hash falls among the weights present */
	FC_WHY_BICAST,       /* duplicated over two bindings */
	FC_WHY_SINGLE,       /* bicast with one binding present */
	FC_WHY_MOVED,        /* moved by hand */
	FC_WHY_MOVING,       /* moved by hand, make-before-break: duplicated over old and new */
	FC_WHY_SMALLEST_DELAY, /* smallest-delay: its binding's MAG has the lowest RTT */
	FC_WHY_HYSTERESIS,   /* smallest-delay: another is lower, but not by the hysteresis */
	FC_WHY_NO_RTT,       /* smallest-delay: no RTT measured yet: the first target present */
	FC_WHY_BYTES,        /* load-balance by bytes: the binding furthest below its share */
	FC_WHY_COUNT
};

const char *fc_mode_name(enum fc_mode m);
int fc_mode_by_name(const char *name); /* -1 if unknown */
const char *fc_why_name(enum fc_why w);

/* The table indexes flows by tuple, id, MN-ID and last_ns: callers read those fields, change
 * last_ns through fc_flow_touch() only and never the others; the rest is theirs. */
struct fc_flow {
	uint32_t id;
	struct fc_tuple tuple;
	char mn_id[MH_MNID_MAX + 1];
	uint64_t binding_id;
	uint32_t mark;
	uint32_t policy_id;   /* 0: chosen by default, or moved by hand */
	bool pinned;          /* moved by hand: policy changes leave it alone */
	uint64_t also_id;     /* a second binding each packet also goes through (bicast), or 0 */
	uint8_t mode;         /* enum fc_mode of its policy */
	uint8_t why;          /* enum fc_why */
	uint64_t due_ns;      /* its placement may change at this time (hold-down), or 0 */
	uint64_t created_ns;
	uint64_t last_ns;     /* last packet the classifier saw (the kernel handles the rest) */
	uint64_t packets, bytes; /* as last read from the kernel's counters */
};

struct fc;

struct fc *fc_new(void);
void fc_free(struct fc *fc);

/* --- policies: an ordered list, first match wins --- */
/* An empty policy: matches every flow (port ranges 0..65535), goes to the default binding. Start
 * from this rather than from zeroes, which would match port 0 only. */
void fc_policy_init(struct fc_policy *p);
/* Inserts p before the policy with id `before` (0: at the end); returns the new id, 0 on error
 * (no policy `before`, or p invalid: a port range with lo > hi, a flow label over 20 bits, a
 * prefix over 128 bits, an unterminated MN-ID, att 0 or an LLID of 0 or over MH_LLID_MAX
 * octets for those targets, an unknown target kind, a hysteresis over its maximum or given both
 * in % and in ms, by_bytes outside load-balance). p->id is ignored. */
uint32_t fc_policy_add(struct fc *fc, const struct fc_policy *p, uint32_t before);
/* Whether fc_policy_add() would take p (the checks listed above). */
bool fc_policy_valid(const struct fc_policy *p);
int fc_policy_del(struct fc *fc, uint32_t id); /* 0, or -1 if there is no such policy */
const struct fc_policy *fc_policy_by_id(const struct fc *fc, uint32_t id);
size_t fc_policy_count(const struct fc *fc);
/* Iteration in order; NULL at the end. */
const struct fc_policy *fc_policy_first(const struct fc *fc);
const struct fc_policy *fc_policy_next(const struct fc *fc, const struct fc_policy *p);

/* Where a flow goes, and why. */
struct fc_decision {
	const struct fc_binding *to;   /* NULL only when cands is empty */
	const struct fc_binding *also; /* bicast: the second binding, or NULL */
	uint32_t policy_id;            /* 0: the default */
	enum fc_mode mode;
	enum fc_why why;
	uint64_t due_ns;               /* when this may change with no binding change, or 0 */
};

/* The decision for a flow: the first policy that matches it and names a binding of cands
 * decides by its mode, else the binding owning the destination. cur is the flow as placed
 * (NULL: a new flow): it stays on its binding unless the policy's mode moves it (a fail-back
 * whose hold-down has passed, a bicast pair that changed, a smallest-delay path beaten by more
 * than the hysteresis), or unless its binding or its policy is no longer the one deciding. New
 * flows ignore hold-downs. A new flow of a smallest-delay policy is held by the hysteresis to
 * the binding of the MN's other flows of that policy (the first found), so that they all sit
 * together; one of a load-balance policy by bytes goes to the binding whose flows of that policy
 * (and MN) carried the fewest bytes for its weight (fc_flow.bytes, as the caller last read
 * them). Both look at the MN's 1,024 oldest flows only. Pure: it changes nothing. */
void fc_decide(const struct fc *fc, const struct fc_tuple *t, const char *mn_id,
	       const struct fc_binding *cands, size_t n, const struct fc_flow *cur,
	       uint64_t now_ns, struct fc_decision *d);

/* The binding owning the destination, else the first; NULL if n is 0. */
const struct fc_binding *fc_default_binding(const struct fc_binding *cands, size_t n);
/* Load-balance: the index in ws[0..n) (weights, 0: absent) that the connection's 5-tuple picks
 * by weighted rendezvous hashing, or -1 if every weight is 0. Index i keeps its flows whatever
 * the other weights become, and a flow moves only to or from an index whose weight changes. */
int fc_hash_pick(const struct fc_tuple *t, const uint16_t *ws, size_t n);

/* fc_decide() for a new flow, reduced to its binding: NULL if cands is empty. *policy_id says
 * which policy decided (0: the default). */
const struct fc_binding *fc_select(const struct fc *fc, const struct fc_tuple *t,
				   const char *mn_id, const struct fc_binding *cands, size_t n,
				   uint32_t *policy_id);

/* --- flows --- */
/* The table is keyed by the 6-tuple (tclass is not part of it). */
struct fc_flow *fc_flow_find(const struct fc *fc, const struct fc_tuple *t);
/* A new flow (id assigned), or NULL on allocation failure (errno ENOMEM), if the tuple is already
 * in the table (EEXIST), if mn_id is longer than MH_MNID_MAX (EINVAL) or if the bounds leave
 * no room and nothing could be evicted (ENOSPC, see fc_set_limits()). Ids count up from 1;
 * after 2^32 - 1 of them they start again at 1, skipping ids still in use. */
struct fc_flow *fc_flow_add(struct fc *fc, const struct fc_tuple *t, const char *mn_id,
			    uint64_t binding_id, uint32_t mark, uint32_t policy_id, uint64_t now_ns);
struct fc_flow *fc_flow_by_id(const struct fc *fc, uint32_t id);
void fc_flow_del(struct fc *fc, struct fc_flow *f);
/* Every iteration below ends in NULL; to delete (or touch) the flow at hand, take the next one
 * first. Each costs what it visits, not the table's size, but the first. */
/* The whole table, in order of addition. */
struct fc_flow *fc_flow_first(const struct fc *fc);
struct fc_flow *fc_flow_next(const struct fc *fc, const struct fc_flow *f);
size_t fc_flow_count(const struct fc *fc);
/* The flows of one MN (mn_id "" for those added with NULL), in order of addition. */
struct fc_flow *fc_flow_mn_first(const struct fc *fc, const char *mn_id);
struct fc_flow *fc_flow_mn_next(const struct fc *fc, const struct fc_flow *f);
size_t fc_flow_mn_count(const struct fc *fc, const char *mn_id);
/* The flows of one connection as conntrack names it: t's addresses, ports and protocol, whatever
 * their flow label (t's flow label and traffic class are ignored), in no particular order. */
struct fc_flow *fc_flow_conn_first(const struct fc *fc, const struct fc_tuple *t);
struct fc_flow *fc_flow_conn_next(const struct fc *fc, const struct fc_flow *f);
/* A packet or counter seen: last_ns becomes now_ns. */
void fc_flow_touch(struct fc *fc, struct fc_flow *f, uint64_t now_ns);
/* From the least recently touched (or added) to the most; times that go backwards cost a walk
 * back when added or touched, times that only grow one step. */
struct fc_flow *fc_flow_oldest(const struct fc *fc);
struct fc_flow *fc_flow_newer(const struct fc *fc, const struct fc_flow *f);
/* Removes flows idle since before `older_than_ns`; returns how many went. */
size_t fc_flow_expire(struct fc *fc, uint64_t older_than_ns);
/* For tests: the id the next new flow gets (to reach the wrap without 2^32 flows). */
void fc_flow_set_next_id(struct fc *fc, uint32_t id);

/* --- bounds: what any host on the Internet can make the table hold --- */
/* Flows in the table and per MN (0: no bound, as fc_new() starts). A new flow beyond either
 * bound evicts one to make room: for the table, the least recently touched of the oldest
 * FC_EVICT_SCAN flows by age that is not pinned; for the MN, the least recently touched of its
 * first FC_EVICT_SCAN flows by addition that is not pinned. With none of them evictable the flow
 * is refused (errno ENOSPC). Lowering a bound evicts nothing: new flows do, one each. */
#define FC_EVICT_SCAN 32
void fc_set_limits(struct fc *fc, size_t max, size_t max_per_mn);

struct fc_stats {
	uint64_t classified;   /* new flows fc_classify_new() added */
	uint64_t evicted;      /* flows removed to make room for new ones */
	uint64_t refused;      /* new flows not added for the bounds: sent to the default binding */
	uint64_t unclassified; /* the same for want of memory */
};
void fc_get_stats(const struct fc *fc, struct fc_stats *s);
/* Grows with every flow added or removed (for the binding file, lma/bindings.h). */
uint64_t fc_changes(const struct fc *fc);

/* The mark for the first packet of a flow not in the table: the binding fc_decide() picks,
 * remembered as a new flow (*added, when added is not NULL); if the flow cannot be added
 * (bounds, memory), the default binding, not remembered (fail open, *added NULL) and counted.
 * 0 if cands is empty. */
uint32_t fc_classify_new(struct fc *fc, const struct fc_tuple *t, const char *mn_id,
			 const struct fc_binding *cands, size_t n, uint64_t now_ns,
			 struct fc_flow **added);

/* One step of the idle sweep: visits at most `max` flows idle since before older_than_ns,
 * oldest first; still_active() says whether each is still in use (it is then touched to now_ns
 * and goes to the newest end) or not (it is deleted). Returns whether idle flows remain, for the
 * caller to come back soon rather than block its loop on them all. Gives index memory back. */
bool fc_flow_sweep(struct fc *fc, uint64_t older_than_ns, uint64_t now_ns, size_t max,
		   bool (*still_active)(void *arg, struct fc_flow *f), void *arg);
/* Gives back index buckets once the table is under half their number (after a flood);
 * not during an iteration over connections. fc_flow_expire() and fc_flow_sweep() call it. */
void fc_compact(struct fc *fc);
/* Bytes of the indexes' buckets (not of the flows themselves). */
size_t fc_index_memory(const struct fc *fc);

#endif
