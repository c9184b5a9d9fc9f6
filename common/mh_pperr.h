/* mh_pperr.h: the ICMPv6 Parameter Problem (RFC 4443 §3.4, code 0, "erroneous header field")
 * that RFC 6275 §9.2 says a node SHOULD send for a Mobility Header whose Payload Proto is not 59
 * or whose Header Len is under its type's minimum, pointing at that field; rate-limited as
 * RFC 4443 §2.4 (f) asks. Shared by lmad and magd, which read their MH sockets here. */
#ifndef COMMON_MH_PPERR_H
#define COMMON_MH_PPERR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "common/ratelimit.h"

/* ancillary data of one received message: the IPv6 header's (hop limit, traffic class, flow
 * label, extension headers) and lmad's receive time (SO_TIMESTAMPNS) */
#define MH_PPERR_CTL_SPACE (256 + CMSG_SPACE(sizeof(struct timespec)))
#define MH_PPERR_MAX       1240 /* the error's ICMPv6 part: 1280 minus its IPv6 header */

/* One Mobility Header as it arrived: what its IPv6 header said (ancillary data). */
struct mh_arrival {
	struct in6_addr src, dst;
	uint8_t hop_limit, tclass;
	uint32_t flow_label;
	bool ext_headers; /* it came with extension headers: their offsets are unknown here */
};

/* What the MH socket must report with each message for an arrival to be rebuilt. */
int mh_pperr_sockopts(int mh_fd);
/* The kernel's receive time of a message (SO_TIMESTAMPNS on the socket), wall clock, in ns
 * since 1970; 0 when the message carries none. */
uint64_t mh_rx_real_ns(const struct msghdr *m);
/* The arrival of one message from recvmsg's result: src from msg_name, dst the address the
 * socket is bound to. */
void mh_arrival_read(const struct msghdr *m, const struct in6_addr *dst, struct mh_arrival *a);

/* The Parameter Problem for mh (len octets) pointing at offset err_off of the Mobility Header:
 * ICMPv6 type 4, code 0, checksum 0 (the kernel computes it), the pointer (40 + err_off: the
 * arrival's IPv6 header is rebuilt in front), then as much of the invoking packet as fits in
 * MH_PPERR_MAX. Returns its length. */
size_t mh_pperr_build(uint8_t *out, const struct mh_arrival *a, const uint8_t *mh, size_t len,
                      size_t err_off);

/* The sender, with its limit and counters. */
struct mh_pperr {
	int fd;
	struct rl_bucket limit;
	uint64_t sent, limited, unsent; /* unsent: extension headers, or the send failed */
};

/* A raw ICMPv6 socket bound to local, which receives nothing. */
int mh_pperr_open(struct mh_pperr *p, const struct in6_addr *local);
void mh_pperr_close(struct mh_pperr *p);
/* Sends the Parameter Problem the message m brought (mh, len octets, to local) deserves, if it
 * deserves one and the rate allows; its arrival is read from m only then. */
void mh_pperr_input(struct mh_pperr *p, const struct rl_rate *rate, const struct msghdr *m,
                    const struct in6_addr *local, const uint8_t *mh, size_t len,
                    uint64_t now_ns);

struct ctl_conn;
/* Its counters in a show stats answer (group "icmp"). */
void mh_pperr_send_stats(struct ctl_conn *c, const struct mh_pperr *p);

#endif
