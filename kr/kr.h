/* kr.h: the kernel side of both daemons, and the only module that changes kernel state: tunnels
 * to peers (one per peer, RFC 5213 §5.6.1 / §6.10), prefix routes through them, routes to MNs,
 * source rules for uplink traffic, the per-tunnel tables that flow steering selects by fwmark
 * (draft-bernardos-mif-pmip-02 §5.3.2), and decapsulation of tunnelled traffic to us.
 *
 * Three tunnel drivers, each RFC 2473 IPv6-in-IPv6 on the wire: ebpf (an lwt BPF program on one
 * nexthop object per peer pushes the outer header, a tc ingress BPF program on the uplink strips
 * it; kr_ebpf.c), seg6 (seg6 lightweight tunnels in encap.red mode, one nexthop object per peer;
 * decapsulation with seg6local End.DX6 behind an "ipproto 41" rule) and ip6tnl (ip6_tunnel
 * devices through libnl-route-3). "auto" tries them in that order and takes the first the
 * running kernel accepts. Recipes: shared/reference/linux-datapath.md.
 *
 * Everything installed is tagged with KR_RTPROT (routes, rules, nexthops) or named with the
 * KR_IFNAME_PREFIX (devices), so that kr_open() can remove what an earlier run left behind and
 * kr_close() what this run installed. */
#ifndef KR_KR_H
#define KR_KR_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KR_RTPROT            0x9d /* rtm_protocol / FRA_PROTOCOL / nhm_protocol of our objects */
#define KR_IFNAME_PREFIX     "pmip6t" /* ip6tnl devices: pmip6t<tunnel id> */
#define KR_MAX_TUNNELS       4096
#define KR_PRIO_LOCAL        1 /* offsets from kr_config.rule_priority */
#define KR_PRIO_AFTER_LOCAL  2
#define KR_RULE_PRIORITY_MAX 32763 /* + 2 stays below the main table's 32766 */
#define KR_TUNNEL_MTU_MIN    1280  /* IPv6's minimum link MTU (RFC 8200 §5) */
#define KR_TUNNEL_MTU_MAX    65495 /* 65535 less the outer header */

enum kr_driver {
	KR_DRIVER_AUTO, /* the first of ebpf, ip6tnl, seg6 that the kernel accepts */
	KR_DRIVER_SEG6,
	KR_DRIVER_IP6TNL,
	KR_DRIVER_EBPF,
	KR_DRIVER_COUNT
};

struct kr_config {
	enum kr_driver driver;
	struct in6_addr local;  /* our tunnel end: the LMA address or the MAG's Proxy-CoA */
	char uplink[IFNAMSIZ];  /* real device toward the peers (seg6 encap and decap need one) */
	uint32_t table_base;    /* tunnel N uses routing table table_base + N (N from 1) */
	uint32_t rule_priority; /* decapsulation rule here, the moved "local" rule at +1, then
	                         * fwmark and source rules at +2: traffic to our own addresses
	                         * (neighbour discovery from an MN's prefix, say) stays local */
	uint32_t tunnel_mtu;    /* MTU of the inner packets (RFC 2473 §7 "tunnel MTU"), for a
	                         * path between the peers narrower than the uplink; 0: the
	                         * uplink's MTU less the 40-octet outer header. ebpf: the
	                         * nexthop's headroom; ip6tnl: the device's MTU; seg6: not applied */
};

struct kr_stats {
	uint64_t requests; /* netlink requests sent */
	uint64_t failures; /* of which the kernel refused */
	uint64_t batches;  /* sendmsg() calls */
	uint32_t tunnels;  /* tunnels now installed */
	/* the ebpf driver's datapath, as its programs count (0 with the other drivers) */
	uint64_t encapsulated;
	uint64_t encap_errors; /* dropped: not IPv6 inside, or the kernel refused the push */
	uint64_t decapsulated;
	uint64_t unknown_peer; /* tunnelled to us by no peer of ours: dropped */
	uint64_t decap_errors;
	uint64_t encap_tagged; /* of the encapsulated: a binding tag in the outer flow label */
	uint64_t decap_tagged; /* of the decapsulated: marked by a binding tag of ours */
	uint32_t tags;         /* binding tags now installed (kr_tag_*) */
};

struct kr;

/* Opens the netlink sockets, resolves KR_DRIVER_AUTO, removes what an earlier run left (routes,
 * rules and nexthops tagged KR_RTPROT, our devices, our tables' contents; a "local" rule it had
 * moved is put back first) and installs decapsulation for cfg->local. NULL on failure, with a
 * message in err. */
struct kr *kr_open(const struct kr_config *cfg, char *err, size_t errlen);
/* Which driver kr_open would use on this kernel (and for auto, why), as one line in out, found
 * by the drivers' probes, which make and remove objects no running instance uses: for -n.
 * -1 only for a configuration kr_open would refuse (its reason in out). */
int kr_probe(const struct kr_config *cfg, char *out, size_t len);
/* Removes everything this run installed and restores the "local" rule; frees k. */
void kr_close(struct kr *k);
enum kr_driver kr_driver_in_use(const struct kr *k);
const char *kr_driver_name(enum kr_driver d);
extern const char *const kr_driver_names[KR_DRIVER_COUNT]; /* the configuration's words */
/* A driver by its name: 0, or -1 for none. The test tools take theirs from $KR_DRIVER (auto
 * when unset or unknown). */
int kr_driver_parse(const char *s, enum kr_driver *d);
enum kr_driver kr_driver_from_env(void);
void kr_get_stats(const struct kr *k, struct kr_stats *st);

/* Tunnels, one per peer. kr_tunnel_add is synchronous: on success the tunnel exists with its
 * table (default route through the tunnel, "throw peer/128" so the outer packet leaves by the
 * main table) and its rule "fwmark kr_tunnel_fwmark(id) lookup kr_tunnel_table(id)". */
int kr_tunnel_add(struct kr *k, const struct in6_addr *peer, uint32_t *id);
/* The same with the id given (1..KR_MAX_TUNNELS), as it was before a restart of the daemon:
 * -1 with EEXIST if the peer has a tunnel or the id is taken, EINVAL if out of range. */
int kr_tunnel_add_as(struct kr *k, const struct in6_addr *peer, uint32_t id);
int kr_tunnel_del(struct kr *k, uint32_t id);
/* Both are table_base + id (the fwmark matches the whole mark, no mask); table_base itself holds
 * the seg6 decapsulation route. */
uint32_t kr_tunnel_table(const struct kr *k, uint32_t id);
uint32_t kr_tunnel_fwmark(const struct kr *k, uint32_t id);

/* Route and rule changes are queued and sent in batches (many requests per sendmsg). kr_flush()
 * sends what is queued, reads every acknowledgement and reports each refused request through
 * the result callback with the cookie it was queued with; it returns the number refused. The
 * daemons flush once per event-loop iteration; a full queue flushes by itself. The queueing
 * calls return 0, or -1 with errno for a request that cannot even be queued (EINVAL). */
/* The callback runs once the batch is over: it may queue (and flush) more, not kr_close(). */
typedef void (*kr_result_fn)(void *arg, uint64_t cookie, int err);
void kr_set_result_cb(struct kr *k, kr_result_fn fn, void *arg);

/* LMA downlink: prefix -> tunnel (replaces an existing route for the prefix: a handoff). */
int kr_route_via_tunnel(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint32_t tunnel,
                        uint64_t cookie);
/* MAG downlink: prefix -> the MN's link-local address on an access link. */
int kr_route_via_neighbor(struct kr *k, const struct in6_addr *pfx, uint8_t len,
                          const struct in6_addr *ll, unsigned ifindex, uint64_t cookie);
int kr_route_del(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint64_t cookie);
/* MAG uplink: "from pfx lookup kr_tunnel_table(tunnel)". */
int kr_source_rule_add(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint32_t tunnel,
                       uint64_t cookie);
int kr_source_rule_del(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint32_t tunnel,
                       uint64_t cookie);
/* Sends what is queued, reads its answers, then hands every refusal kept since the last
 * kr_flush() to the result callback (the only place it runs); returns how many were refused. */
int kr_flush(struct kr *k);

/* MAG: its link-local address on an access link (RFC 5213 §6.8), synchronous. Added with
 * IFA_F_NODAD | IFA_F_NOPREFIXROUTE and tagged IFA_PROTO = KR_RTPROT, so kr_open() and
 * kr_close() remove it with the rest; EEXIST if the link has it already (someone else's, left
 * alone). Removing an address that is gone already succeeds. */
int kr_addr_add(struct kr *k, unsigned ifindex, const struct in6_addr *addr, uint8_t plen);
int kr_addr_del(struct kr *k, unsigned ifindex, const struct in6_addr *addr, uint8_t plen);

/* --- binding tags: two bindings of one MN behind one MAG (doc/datapath.md) ---
 * The LMA steers a flow to one of them with a mark whose packets carry the binding's tag
 * (common/bindtag.h) in the outer flow label; the MAG's decapsulation turns the tag back into a
 * mark whose table routes the MN's prefixes to that binding's interface. Only the ebpf driver
 * writes and reads tags. A tag's mark (and, at the MAG, its table) is kr_tag_mark(slot),
 * table_base + KR_MAX_TUNNELS + slot: after every tunnel's. All synchronous: 0, or -1 with
 * errno (EOPNOTSUPP: the driver cannot tag; ENOSPC: every slot taken; EEXIST: the MAG has that
 * tag already; EINVAL; or the kernel's refusal, logged). */
#define KR_MAX_TAGS       4096
#define KR_TAG_MAX_ROUTES 16 /* the prefixes of one MN at a MAG: its own and the others' */
struct kr_tag_route {
	struct in6_addr pfx;
	uint8_t len;
};
bool kr_tag_possible(const struct kr *k);
uint32_t kr_tag_mark(const struct kr *k, uint32_t slot);
/* LMA: *mark routes through the tunnel like the tunnel's own ("fwmark *mark lookup
 * kr_tunnel_table(tunnel)") and its packets leave with the outer flow label 0x80000 | tag. */
int kr_tag_encap_add(struct kr *k, uint32_t tunnel, uint32_t tag, uint32_t *mark);
/* MAG: packets decapsulated with the outer flow label 0x80000 | tag get *mark, whose table
 * routes the n prefixes to the neighbour ll on ifindex ("fwmark *mark lookup *mark"). */
int kr_tag_decap_add(struct kr *k, uint32_t tag, const struct kr_tag_route *routes, unsigned n,
                     const struct in6_addr *ll, unsigned ifindex, uint32_t *mark);
/* Removes the tag whose mark this is (map entry, rule, routes). */
int kr_tag_del(struct kr *k, uint32_t mark);
unsigned kr_tag_count(const struct kr *k);

/* --- flow steering at the LMA (draft-bernardos-mif-pmip-02 §5.3) ---
 * Mangle-table chains of our own, hooked first in PREROUTING: a packet toward a multihomed MN's
 * prefix whose connection has a mark gets it back (CONNMARK --restore-mark) and goes on,
 * untouched by user space (a packet from the MN keeps no mark: its own destination routes it,
 * not the tunnel toward the MN that the mark names); one without a mark goes to NFQUEUE, whose
 * verdict (NF_REPEAT) sets the packet's mark, and the connection gets it too, so only a flow's
 * first packet reaches user space. The per-tunnel fwmark rules route marked packets. Moving a flow
 * rewrites its connection's mark (ctnetlink). With fail_open, traffic passes unmarked when nobody
 * listens on the queue (--queue-bypass) or the queue is full; otherwise it is dropped.
 *
 * How the connection gets its mark depends on the tunnel driver. With ip6tnl, the chain saves the
 * repeated packet's mark in its connection, which the kernel confirms as usual. With seg6 the
 * kernel never keeps a downlink connection: seg6 encapsulation drops the packet's conntrack
 * entry before POSTROUTING would confirm it, and decapsulated uplink packets skip netfilter
 * (linux-datapath.md). So kr makes the connection itself through ctnetlink, from the queued
 * packet's headers, before the verdict: marked, and for TCP ESTABLISHED with liberal window
 * tracking (conntrack never sees the MN's half: a SYN_SENT entry would make every later packet
 * INVALID, with no connection to restore a mark from). That is done for TCP, UDP, UDP-Lite and
 * ICMPv6 echo requests; every packet of another protocol reaches user space. These entries never
 * see a reply: they live as long as the kernel's timeouts for unreplied traffic (UDP 30 s, TCP
 * 300 s, each packet restarting them). Packets of a new flow that arrive while the first waits
 * for its verdict are queued too (and get the same answer from the classifier). A packet that
 * reaches PREROUTING with a mark already (set by tc, say) is taken as classified. */
struct kr_fc_config {
	uint16_t queue_num;
	bool fail_open;
	bool keep_marks; /* the marks an earlier run left stay: kr_fc_reconcile_marks() follows */
	uint32_t
	        copy_range; /* octets of each queued packet copied (headers): 40..65535, e.g. 128 */
};

/* The packet callback returns the mark for the packet's connection: the packet goes back with
 * it (NF_REPEAT) and its connection keeps it. 0: the packet passes unmarked (NF_ACCEPT, the rest
 * of the mangle PREROUTING chain skipped) and the flow's next packet is queued again. It must not
 * call kr_fc_queue_read() itself. */
typedef uint32_t (*kr_fc_packet_fn)(void *arg, const uint8_t *pkt, size_t len);
/* A connection ended (conntrack destroy event): its original-direction tuple. Only connections
 * with a mark are reported (steered flows); ICMPv6 echo: sport == dport == the identifier. */
typedef void (*kr_fc_gone_fn)(void *arg, const struct in6_addr *src, const struct in6_addr *dst,
                              uint8_t proto, uint16_t sport, uint16_t dport);

/* Removes our chains if an earlier run left them, clears the connection marks in our range it
 * left (unless keep_marks), binds the queue (EBUSY: another socket has it), installs the chain
 * and turns conntrack accounting on; -1 with errno and a message. */
int kr_fc_open(struct kr *k, const struct kr_fc_config *c, char *err, size_t errlen);
/* A connection with a mark in our range: whether it keeps it (ICMPv6 echo: sport == dport ==
 * the identifier). */
typedef bool (*kr_fc_marked_fn)(void *arg, const struct in6_addr *src, const struct in6_addr *dst,
                                uint8_t proto, uint16_t sport, uint16_t dport, uint32_t mark);
/* After kr_fc_open() with keep_marks: every connection with a mark in our range is shown to
 * keep(), and those it does not keep lose their mark. The number cleared, or -1 with errno. */
int kr_fc_reconcile_marks(struct kr *k, kr_fc_marked_fn keep, void *arg);
/* Removes the chain, closes the sockets, puts accounting back; kr_close() does it too. */
void kr_fc_close(struct kr *k);
/* With the flow classifier open: every connection whose mark is mark (a tunnel's or binding
 * tag's, with any bicast slot) loses it, so that its next packet is classified anew.
 * kr_tunnel_del() and kr_tag_del() call it: the number they free is handed out again, and a
 * connection that kept the mark (a flow the daemon no longer tracks: evicted, or of an MN that
 * left) would follow it into whatever tunnel gets the number next. Failures are logged. */
void kr_fc_forget_mark(struct kr *k, uint32_t mark);
/* Sends (on) or stops sending (off) new connections toward pfx to the queue. Synchronous (one
 * ip6tables-restore run, a few ms, after one for whatever kr_fc_queue_prefix_later() left
 * pending, whose refusals are logged, not reported here); -1 with
 * EEXIST (on twice), ENOENT (off for a prefix not queued), EIO (ip6tables-restore failed,
 * logged) or EINVAL. Connections already marked keep their mark after "off". */
int kr_fc_queue_prefix(struct kr *k, const struct in6_addr *pfx, uint8_t len, bool on);
/* The same, left pending: kr_fc_prefixes_flush() applies every pending change in one
 * ip6tables-restore run (on failure, one by one: a change the kernel refuses is logged and
 * undone here). A daemon queues while it answers a PBU and flushes once the answer is out:
 * each run costs milliseconds, tens when nf_tables waits for an RCU grace period. */
int kr_fc_queue_prefix_later(struct kr *k, const struct in6_addr *pfx, uint8_t len, bool on);
/* The number of pending changes the kernel refused. */
int kr_fc_prefixes_flush(struct kr *k);
int kr_fc_queue_fd(const struct kr *k);
/* Reads what the queue has (up to 256 packets: call again while the socket is readable), calls
 * fn per packet, makes the connections and gives the verdicts; returns packets read. */
int kr_fc_queue_read(struct kr *k, kr_fc_packet_fn fn, void *arg);
/* Rewrites the mark of the connection with this original-direction tuple (ICMPv6: echo request
 * with identifier sport == dport); 0, or -1 with errno (ENOENT: no such connection; EINVAL: a
 * protocol conntrack does not name by ports: TCP, UDP, UDP-Lite, SCTP, DCCP and ICMPv6 only). */
int kr_fc_ct_set_mark(struct kr *k, const struct in6_addr *src, const struct in6_addr *dst,
                      uint8_t proto, uint16_t sport, uint16_t dport, uint32_t mark);
/* Bicast (RFC 4908 §1.1): a connection whose mark carries a slot in its upper 16 bits
 * (KR_FC_DUP_SHIFT) has each downlink packet copied by the TEE target toward the slot's gateway,
 * an address routed through another tunnel (the second binding's prefix), while the original
 * follows the tunnel its lower 16 bits name. The tunnels' fwmarks must then be below 2^16
 * (table-base + the tunnels, as the default 1000 is). */
#define KR_FC_DUP_SHIFT 16
#define KR_FC_DUP_MASK  0xffff0000u
#define KR_FC_DUP_SLOTS 0xffff
/* Whether tunnel marks leave room for a slot. */
bool kr_fc_dup_possible(const struct kr *k);
/* Puts in (on) or takes out the copy rule of slot 1..KR_FC_DUP_SLOTS: one ip6tables-restore run,
 * synchronous. 0, or -1 with errno (ERANGE: no room in the marks; EIO: refused, logged). */
int kr_fc_dup_set(struct kr *k, uint16_t slot, const struct in6_addr *gw, bool on);
/* Packets and octets of that connection in the original direction (needs conntrack accounting,
 * which kr_fc_open turns on in the namespace). Under seg6 the flow's first packet is not
 * counted: it went through user space before its connection existed. */
int kr_fc_ct_counters(struct kr *k, const struct in6_addr *src, const struct in6_addr *dst,
                      uint8_t proto, uint16_t sport, uint16_t dport, uint64_t *packets,
                      uint64_t *bytes);
int kr_fc_events_fd(const struct kr *k);
/* Reports ended connections; events the socket could not hold are counted (events_lost), not
 * replayed: the daemon's idle sweep (kr_fc_ct_counters) catches those flows. */
void kr_fc_events_read(struct kr *k, kr_fc_gone_fn fn, void *arg);
struct kr_fc_stats {
	uint64_t queued; /* packets user space saw */
	uint64_t verdicts;
	uint64_t marks_set;   /* connection marks rewritten */
	uint64_t marks_cleared; /* connections that lost the mark of a tunnel or tag that went */
	uint64_t queue_drops; /* as the kernel counts them (/proc/net/netfilter/nfnetlink_queue) */
	uint64_t kernel_queued;  /* packets the kernel queued (its packet ids, same file) */
	uint64_t ct_created;     /* connections made for new flows (seg6 driver) */
	uint64_t ct_failures;    /* conntrack requests the kernel refused */
	uint64_t verdict_errors; /* verdicts the kernel refused or that could not be sent */
	uint64_t overruns;       /* queue socket overflows (ENOBUFS) */
	uint64_t bad;            /* malformed messages on the queue */
	uint64_t gone;           /* ended connections reported */
	uint64_t events_lost;    /* event socket overflows: some ended connections go unreported */
};
void kr_fc_get_stats(const struct kr *k, struct kr_fc_stats *st);

#endif
