/* kr.h: the kernel side of both daemons, and the only module that changes kernel state: tunnels
 * to peers (one per peer, RFC 5213 §5.6.1 / §6.10), prefix routes through them, routes to MNs,
 * source rules for uplink traffic, the per-tunnel tables that flow steering selects by fwmark
 * (draft-bernardos-mif-pmip-02 §5.3.2), and decapsulation of tunnelled traffic to us.
 *
 * Two tunnel drivers: seg6 (IPv6-in-IPv6 through seg6 lightweight tunnels in encap.red mode,
 * RFC 2473 on the wire; one nexthop object per peer; decapsulation with seg6local End.DX6 behind
 * an "ipproto 41" rule) and ip6tnl (ip6_tunnel devices through libnl-route-3). Recipes:
 * shared/reference/linux-datapath.md.
 *
 * Everything installed is tagged with KR_RTPROT (routes, rules, nexthops) or named with the
 * KR_IFNAME_PREFIX (devices), so that kr_open() can remove what an earlier run left behind and
 * kr_close() what this run installed. */
#ifndef COMMON_KR_H
#define COMMON_KR_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KR_RTPROT        0x9d   /* rtm_protocol / FRA_PROTOCOL / nhm_protocol of our objects */
#define KR_IFNAME_PREFIX "pmip6t" /* ip6tnl devices: pmip6t<tunnel id> */
#define KR_MAX_TUNNELS   4096
#define KR_PRIO_LOCAL        1 /* offsets from kr_config.rule_priority */
#define KR_PRIO_AFTER_LOCAL  2
#define KR_RULE_PRIORITY_MAX 32763 /* + 2 stays below the main table's 32766 */

enum kr_driver {
	KR_DRIVER_AUTO,   /* ip6tnl when the kernel has ip6_tunnel, seg6 otherwise */
	KR_DRIVER_SEG6,
	KR_DRIVER_IP6TNL,
};

struct kr_config {
	enum kr_driver driver;
	struct in6_addr local;  /* our tunnel end: the LMA address or the MAG's Proxy-CoA */
	char uplink[IFNAMSIZ];  /* real device toward the peers (seg6 encap and decap need one) */
	uint32_t table_base;    /* tunnel N uses routing table table_base + N (N from 1) */
	uint32_t rule_priority; /* decapsulation rule here, the moved "local" rule at +1, then
				 * fwmark and source rules at +2: traffic to our own addresses
				 * (neighbour discovery from an MN's prefix, say) stays local */
};

struct kr_stats {
	uint64_t requests;      /* netlink requests sent */
	uint64_t failures;      /* of which the kernel refused */
	uint64_t batches;       /* sendmsg() calls */
	uint32_t tunnels;       /* tunnels now installed */
};

struct kr;

/* Opens the netlink sockets, resolves KR_DRIVER_AUTO, removes what an earlier run left (routes,
 * rules and nexthops tagged KR_RTPROT, our devices, our tables' contents; a "local" rule it had
 * moved is put back first) and installs decapsulation for cfg->local. NULL on failure, with a
 * message in err. */
struct kr *kr_open(const struct kr_config *cfg, char *err, size_t errlen);
/* Removes everything this run installed and restores the "local" rule; frees k. */
void kr_close(struct kr *k);
enum kr_driver kr_driver_in_use(const struct kr *k);
const char *kr_driver_name(enum kr_driver d);
void kr_get_stats(const struct kr *k, struct kr_stats *st);

/* Tunnels, one per peer. kr_tunnel_add is synchronous: on success the tunnel exists with its
 * table (default route through the tunnel, "throw peer/128" so the outer packet leaves by the
 * main table) and its rule "fwmark kr_tunnel_fwmark(id) lookup kr_tunnel_table(id)". */
int kr_tunnel_add(struct kr *k, const struct in6_addr *peer, uint32_t *id);
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
int kr_flush(struct kr *k);

/* MAG: its link-local address on an access link (RFC 5213 §6.8), synchronous. Added with
 * IFA_F_NODAD | IFA_F_NOPREFIXROUTE and tagged IFA_PROTO = KR_RTPROT, so kr_open() and
 * kr_close() remove it with the rest; EEXIST if the link has it already (someone else's, left
 * alone). Removing an address that is gone already succeeds. */
int kr_addr_add(struct kr *k, unsigned ifindex, const struct in6_addr *addr, uint8_t plen);
int kr_addr_del(struct kr *k, unsigned ifindex, const struct in6_addr *addr, uint8_t plen);

#endif
