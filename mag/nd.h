/* nd.h: the MAG's side of IPv6 Neighbor Discovery on its access links (RFC 4861): Router
 * Solicitations captured with their Ethernet source (the MN's MAC, which says which MN it is,
 * draft-bernardos-mif-pmip-02 §5.2.1), and Router Advertisements carrying an MN's Home Network
 * Prefixes (RFC 5213 §6.7) from the MAG's one link-local address (§6.8). Parsing and building
 * are pure functions; the socket functions are thin. */
#ifndef MAG_ND_H
#define MAG_ND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ND_MAX_PREFIXES 8

enum nd_err {
	ND_OK = 0,
	ND_E_SHORT,    /* frame shorter than Ethernet + IPv6 + RS */
	ND_E_NOT_RS,   /* not IPv6/ICMPv6 type 133 code 0 (something else got through) */
	ND_E_HOPLIMIT, /* hop limit not 255: not from the link (RFC 4861 §6.1.1) */
	ND_E_CHECKSUM, /* ICMPv6 checksum wrong */
	ND_E_OPTION,   /* an option with length 0 or beyond the message */
	ND_E_SLLAO,    /* unspecified source with a source link-layer address option */
	ND_E_SOURCE,   /* a group (multicast) MAC or IPv6 source: no one host sent it */
	ND_E_COUNT
};

/* A Router Solicitation as captured on an access link. */
struct nd_rs {
	uint8_t eth_src[6];      /* the frame's source: the MN's MAC */
	struct in6_addr src;     /* the MN's link-local address, or :: */
	bool have_sllao;
	uint8_t sllao[6];
};

struct nd_ra_prefix {
	struct in6_addr prefix;
	uint8_t len;
	uint32_t valid_s;
	uint32_t preferred_s;
};

struct nd_ra {
	uint16_t router_lifetime_s;
	uint8_t cur_hop_limit;  /* 0: unspecified */
	uint32_t mtu;           /* 0: no MTU option */
	uint8_t src_mac[6];     /* for the source link-layer address option */
	unsigned n_prefix;
	struct nd_ra_prefix prefix[ND_MAX_PREFIXES]; /* on-link and autonomous flags set */
};

int nd_parse_rs_frame(const uint8_t *frame, size_t len, struct nd_rs *out);
const char *nd_err_name(int err);
/* Builds the ICMPv6 part of an RA (type 134, checksum left to the kernel); returns its length
 * or -1 if it does not fit (errno ENOSPC) or ra is not valid (EINVAL: more than ND_MAX_PREFIXES
 * prefixes, a length over 128, a preferred lifetime over the valid one). */
ssize_t nd_build_ra(const struct nd_ra *ra, uint8_t *buf, size_t cap);

/* A capture socket (AF_PACKET, with a BPF filter that passes only ICMPv6 Router
 * Solicitations) on one interface; -1 with errno on failure. */
int nd_open_rs_capture(unsigned ifindex);
/* A raw ICMPv6 socket for sending RAs (hop limit 255, multicast hop limit 255). */
int nd_open_ra_sender(void);
/* Sends an RA on ifindex from src_ll to dst (the MN's link-local, or ff02::1). */
int nd_send_ra(int fd, unsigned ifindex, const struct in6_addr *src_ll,
	       const struct in6_addr *dst, const uint8_t *ra, size_t len);

#endif
