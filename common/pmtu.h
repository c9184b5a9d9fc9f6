/* pmtu.h: Packet Too Big relay at a tunnel entry point (RFC 2473 §7, the tunnel of RFC 5213
 * §5.6.1 / §6.10). A router inside the tunnel that cannot forward an encapsulated packet tells
 * the tunnel's source, which is us; the packet's real sender, beyond the tunnel, must learn the
 * MTU less the encapsulation. The kernel records the narrower path to the peer but does not
 * apply it to packets the ebpf driver's encapsulation routes again (tests/netns/test_pmtu.sh),
 * so each oversized packet costs the router one Packet Too Big and us one relay, until the
 * sender's path MTU is right; should the kernel refuse one itself, its Packet Too Big to our
 * own address is relayed the same way. Both daemons run one on their tunnel address. */
#ifndef COMMON_PMTU_H
#define COMMON_PMTU_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define PMTU_ENCAP      40   /* the outer IPv6 header (RFC 2473 §3.1) */
#define PMTU_IPV6_MIN   1280 /* RFC 8200 §5 */
#define PMTU_ICMP_HDR   8
#define PMTU_RELAY_MAX  (PMTU_IPV6_MIN - 40) /* an ICMPv6 error fits the minimum MTU */

enum pmtu_verdict {
	PMTU_RELAY,      /* out holds the Packet Too Big for the inner packet's source */
	PMTU_NOT_PTB,    /* not a Packet Too Big (type 2, code 0), or truncated */
	PMTU_NOT_TUNNEL, /* about a packet that was no IPv6-in-IPv6 from our tunnel address */
	PMTU_BAD_INNER,  /* the inner header is truncated, or its source cannot be answered */
};

struct pmtu_relay_msg {
	struct in6_addr dst;          /* the inner packet's source */
	uint32_t mtu;                 /* what we tell it */
	uint8_t msg[PMTU_RELAY_MAX];  /* the ICMPv6 message, checksum left to the kernel */
	size_t len;
};

/* Decides on one ICMPv6 message (from its type octet on, as a raw ICMPv6 socket reads it)
 * received on our tunnel address `local`, and builds the relayed message: type 2, code 0, the
 * reported MTU less the outer header (at least 1280), and as much of the inner packet as fits in
 * 1280 octets. Pure: no I/O. */
enum pmtu_verdict pmtu_relay_build(const uint8_t *icmp, size_t len, const struct in6_addr *local,
                                   struct pmtu_relay_msg *out);
const char *pmtu_verdict_name(enum pmtu_verdict v);

/* The relay in a daemon's libev loop: a raw ICMPv6 socket that receives only Packet Too Big. */
struct ev_loop;
struct pmtu_relay;
struct pmtu_stats {
	uint64_t relayed;
	uint64_t ignored; /* Packet Too Big about something else than our tunnels */
	uint64_t send_errors;
	uint64_t rate_limited;
};
struct pmtu_relay *pmtu_relay_open(struct ev_loop *loop, const struct in6_addr *local);
void pmtu_relay_close(struct pmtu_relay *r);
void pmtu_relay_stats(const struct pmtu_relay *r, struct pmtu_stats *st);

#endif
