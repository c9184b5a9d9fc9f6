/* nd.c: the MAG's Neighbor Discovery on access links (RFC 4861): Router Solicitations captured
 * as Ethernet frames and validated as §6.1.1 asks (hop limit 255, checksum, code 0, length,
 * options), and Router Advertisements built as §4.2 and §4.6 lay them out, carrying the MN's
 * Home Network Prefixes (RFC 5213 §6.7) from the MAG's link-local address (§6.8). Every byte is
 * read through the bounds-checked cursor of proto/wire.h; a bad frame is reported, never fatal. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>

#include "mag/nd.h"
#include "proto/wire.h"

#define ND_ETH_HLEN        14
#define ND_IP6_HLEN        40
#define ND_RS_HLEN         8 /* type, code, checksum, reserved */
#define ND_HOPLIMIT        255
#define ND_OPT_UNIT        8
#define ND_OPT_SLLA        1 /* Source Link-Layer Address, §4.6.1 */
#define ND_OPT_PI          3 /* Prefix Information, §4.6.2 */
#define ND_OPT_MTU_TYPE    5 /* MTU, §4.6.4 */
#define ND_PI_LEN          4 /* in units of 8 octets */
#define ND_PI_L            0x80
#define ND_PI_A            0x40
#define ND_RS_RCVBUF       (1024 * 1024)
#define ND_ALL_ROUTERS_MAC "\x33\x33\x00\x00\x00\x02" /* ff02::2 on Ethernet (RFC 2464 §7) */

/* --- the ICMPv6 checksum (RFC 4443 §2.3 over the RFC 8200 §8.1 pseudo-header) --- */

static uint32_t nd_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static bool nd_checksum_ok(const struct in6_addr *src, const struct in6_addr *dst,
                           const uint8_t *msg, size_t len)
{
	uint32_t sum = nd_sum(0, src->s6_addr, 16);

	sum = nd_sum(sum, dst->s6_addr, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + IPPROTO_ICMPV6;
	sum = nd_sum(sum, msg, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* --- Router Solicitation --- */

/* The IPv6 header's fields that the checks need. */
struct nd_ip6 {
	uint8_t hlim;
	struct in6_addr src;
	struct in6_addr dst;
};

static int nd_parse_eth(struct wire *w, struct nd_rs *out)
{
	uint16_t type;

	wire_skip(w, 6); /* destination: ff02::2's group or the MAG's own MAC */
	wire_get_bytes(w, out->eth_src, sizeof(out->eth_src));
	type = wire_get_u16(w);
	if (w->err)
		return ND_E_SHORT;
	if (type != ETH_P_IPV6)
		return ND_E_NOT_RS;
	return out->eth_src[0] & 1 ? ND_E_SOURCE : ND_OK;
}

/* The IPv6 header, and the payload it announces in its own cursor (Ethernet padding after it
 * is left behind). No extension header is accepted: an RS comes with next header 58. */
static int nd_parse_ip6(struct wire *w, struct nd_ip6 *ip, struct wire *payload)
{
	uint32_t vtf = wire_get_u32(w);
	uint16_t plen = wire_get_u16(w);
	uint8_t next = wire_get_u8(w);

	ip->hlim = wire_get_u8(w);
	wire_get_bytes(w, &ip->src, sizeof(ip->src));
	wire_get_bytes(w, &ip->dst, sizeof(ip->dst));
	if (w->err)
		return ND_E_SHORT;
	if (vtf >> 28 != 6)
		return ND_E_NOT_RS;
	if (plen > wire_left(w) || plen < ND_RS_HLEN)
		return ND_E_SHORT;
	if (next != IPPROTO_ICMPV6)
		return ND_E_NOT_RS;
	wire_sub(w, plen, payload);
	return ND_OK;
}

/* Only an Ethernet address (§4.6.1: length 1) is one: Linux drops an RS with another length.
 * A second SLLAO is ignored, as Linux does. */
static int nd_parse_sllao(struct wire *v, uint8_t len, struct nd_rs *out)
{
	if (len != 1)
		return ND_E_OPTION;
	if (!out->have_sllao) {
		wire_get_bytes(v, out->sllao, sizeof(out->sllao));
		out->have_sllao = true;
	}
	return ND_OK;
}

/* The options after the RS's fixed part: each one's length at least 1 and within the message
 * (§6.1.1), its value read through its own cursor; unknown options are skipped (§4.1). */
static int nd_parse_options(struct wire *w, struct nd_rs *out)
{
	while (wire_left(w) > 0) {
		uint8_t type, len;
		struct wire v;
		int rc;

		if (wire_left(w) < 2)
			return ND_E_OPTION;
		type = wire_get_u8(w);
		len = wire_get_u8(w);
		if (len == 0 || (size_t)len * ND_OPT_UNIT - 2 > wire_left(w))
			return ND_E_OPTION;
		wire_sub(w, (size_t)len * ND_OPT_UNIT - 2, &v);
		if (type == ND_OPT_SLLA && (rc = nd_parse_sllao(&v, len, out)) != ND_OK)
			return rc;
	}
	return ND_OK;
}

static int nd_parse_rs(struct wire *icmp, const struct nd_ip6 *ip, struct nd_rs *out)
{
	uint8_t type = wire_get_u8(icmp), code = wire_get_u8(icmp);
	int rc;

	if (type != ND_ROUTER_SOLICIT || code != 0)
		return ND_E_NOT_RS;
	if (ip->hlim != ND_HOPLIMIT)
		return ND_E_HOPLIMIT;
	if (!nd_checksum_ok(&ip->src, &ip->dst, icmp->buf, icmp->len))
		return ND_E_CHECKSUM;
	if (IN6_IS_ADDR_MULTICAST(&ip->src))
		return ND_E_SOURCE;
	wire_skip(icmp, ND_RS_HLEN - 2); /* checksum, reserved */
	if ((rc = nd_parse_options(icmp, out)) != ND_OK)
		return rc;
	if (IN6_IS_ADDR_UNSPECIFIED(&ip->src) && out->have_sllao)
		return ND_E_SLLAO;
	out->src = ip->src;
	return ND_OK;
}

int nd_parse_rs_frame(const uint8_t *frame, size_t len, struct nd_rs *out)
{
	struct wire w, icmp;
	struct nd_ip6 ip;
	int rc;

	memset(out, 0, sizeof(*out));
	wire_init_read(&w, frame, len);
	if ((rc = nd_parse_eth(&w, out)) != ND_OK || (rc = nd_parse_ip6(&w, &ip, &icmp)) != ND_OK ||
	    (rc = nd_parse_rs(&icmp, &ip, out)) != ND_OK)
		return rc;
	return icmp.err ? ND_E_SHORT : ND_OK; /* cannot happen: every read above was sized */
}

const char *nd_err_name(int err)
{
	static const char *const names[ND_E_COUNT] = {
		[ND_OK] = "ok",
		[ND_E_SHORT] = "short",
		[ND_E_NOT_RS] = "not a router solicitation",
		[ND_E_HOPLIMIT] = "hop limit not 255",
		[ND_E_CHECKSUM] = "bad checksum",
		[ND_E_OPTION] = "bad option length",
		[ND_E_SLLAO] = "unspecified source with a link-layer address",
		[ND_E_SOURCE] = "group source address",
	};

	return err >= 0 && err < ND_E_COUNT ? names[err] : "unknown";
}

/* --- Router Advertisement --- */

static bool nd_ra_valid(const struct nd_ra *ra)
{
	if (ra->n_prefix > ND_MAX_PREFIXES)
		return false;
	for (unsigned i = 0; i < ra->n_prefix; i++)
		if (ra->prefix[i].len > 128 || ra->prefix[i].preferred_s > ra->prefix[i].valid_s)
			return false;
	return true;
}

/* §4.6.2; the bits after the prefix length are zeroed as the sender must. */
static void nd_put_prefix(struct wire *w, const struct nd_ra_prefix *p)
{
	uint8_t pfx[16] = { 0 };

	for (unsigned i = 0, bits = p->len; i < 16 && bits > 0; i++) {
		unsigned n = bits >= 8 ? 8 : bits;

		pfx[i] = p->prefix.s6_addr[i] & (uint8_t)(0xff00 >> n);
		bits -= n;
	}
	wire_put_u8(w, ND_OPT_PI);
	wire_put_u8(w, ND_PI_LEN);
	wire_put_u8(w, p->len);
	wire_put_u8(w, ND_PI_L | ND_PI_A);
	wire_put_u32(w, p->valid_s);
	wire_put_u32(w, p->preferred_s);
	wire_put_zero(w, 4); /* Reserved2 */
	wire_put_bytes(w, pfx, sizeof(pfx));
}

/* §4.2: cur hop limit, M and O clear, router lifetime, reachable time and retrans timer
 * unspecified; then the source link-layer address (§4.6.1), the MTU (§4.6.4) and the prefixes. */
ssize_t nd_build_ra(const struct nd_ra *ra, uint8_t *buf, size_t cap)
{
	struct wire w;

	if (ra == NULL || !nd_ra_valid(ra)) {
		errno = EINVAL;
		return -1;
	}
	wire_init_write(&w, buf, cap);
	wire_put_u8(&w, ND_ROUTER_ADVERT);
	wire_put_u8(&w, 0);  /* code */
	wire_put_u16(&w, 0); /* checksum: the kernel's */
	wire_put_u8(&w, ra->cur_hop_limit);
	wire_put_u8(&w, 0); /* M, O and reserved */
	wire_put_u16(&w, ra->router_lifetime_s);
	wire_put_u32(&w, 0); /* reachable time */
	wire_put_u32(&w, 0); /* retrans timer */
	wire_put_u8(&w, ND_OPT_SLLA);
	wire_put_u8(&w, 1);
	wire_put_bytes(&w, ra->src_mac, sizeof(ra->src_mac));
	if (ra->mtu != 0) {
		wire_put_u8(&w, ND_OPT_MTU_TYPE);
		wire_put_u8(&w, 1);
		wire_put_u16(&w, 0);
		wire_put_u32(&w, ra->mtu);
	}
	for (unsigned i = 0; i < ra->n_prefix; i++)
		nd_put_prefix(&w, &ra->prefix[i]);
	if (w.err) {
		errno = ENOSPC;
		return -1;
	}
	return (ssize_t)w.pos;
}

/* --- sockets --- */

/* Classic BPF over the Ethernet frame: not our own outgoing frames, ethertype IPv6, next header
 * 58 right after the fixed header, ICMPv6 type 133. Everything else stays in the kernel. */
static const struct sock_filter nd_rs_filter[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 6, 0),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 4),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ND_ETH_HLEN + 6),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 2),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ND_ETH_HLEN + ND_IP6_HLEN),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ND_ROUTER_SOLICIT, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
};

/* The filter goes on before the bind: until the bind the socket (protocol 0) receives nothing,
 * so no unfiltered frame is ever queued. The all-routers group is joined on the device so that
 * RSs reach us even where forwarding (which joins it) is off. */
static int nd_capture_setup(int fd, unsigned ifindex)
{
	struct sock_fprog prog = { .len = sizeof(nd_rs_filter) / sizeof(nd_rs_filter[0]),
		                   .filter = (struct sock_filter *)(uintptr_t)nd_rs_filter };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
		                   .sll_protocol = htons(ETH_P_IPV6),
		                   .sll_ifindex = (int)ifindex };
	struct packet_mreq mr = { .mr_ifindex = (int)ifindex,
		                  .mr_type = PACKET_MR_MULTICAST,
		                  .mr_alen = 6 };
	int rcv = ND_RS_RCVBUF;

	memcpy(mr.mr_address, ND_ALL_ROUTERS_MAC, 6);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1 ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) == -1)
		return -1;
	/* a larger buffer is a refinement: a burst of RSs is survivable without it */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	return 0;
}

int nd_open_rs_capture(unsigned ifindex)
{
	int fd, err;

	if (ifindex == 0 || ifindex > INT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (nd_capture_setup(fd, ifindex) == -1) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Hop limits 255 (§6.1.2: receivers drop anything else); nothing received (the socket only
 * sends); multicast not looped back to our own stack. */
int nd_open_ra_sender(void)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	int hops = ND_HOPLIMIT, loop = 0, err;
	struct icmp6_filter filt;

	if (fd == -1)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop)) == -1 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) == -1) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* The source and the interface go in IPV6_PKTINFO: the kernel then neither picks another
 * source nor routes a link-local destination elsewhere. */
int nd_send_ra(int fd, unsigned ifindex, const struct in6_addr *src_ll, const struct in6_addr *dst,
               const uint8_t *ra, size_t len)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
		                   .sin6_addr = *dst,
		                   .sin6_scope_id = ifindex };
	struct iovec iov = { .iov_base = (void *)(uintptr_t)ra, .iov_len = len };
	struct msghdr msg = { .msg_name = &to,
		              .msg_namelen = sizeof(to),
		              .msg_iov = &iov,
		              .msg_iovlen = 1,
		              .msg_control = ctl.buf,
		              .msg_controllen = sizeof(ctl.buf) };
	struct in6_pktinfo pi = { .ipi6_addr = *src_ll, .ipi6_ifindex = ifindex };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	n = sendmsg(fd, &msg, 0);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}
