/* kr_addr.c: the kernel side's addresses: the MAG's one link-local address on each access link
 * (RFC 5213 §6.8: the same address on every access link of every MAG, so that an MN that moves
 * sees the same default router). Added without Duplicate Address Detection (every MAG owns it
 * by design, and a tentative address cannot source the RAs, §6.8 / RFC 4861 §6.2.1) and without
 * a prefix route (the kernel's own link-local route serves), tagged IFA_PROTO = KR_RTPROT so
 * that kr_clean.c finds and removes it like our routes, rules and nexthops. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "kr/kr_nl.h"

/* <linux/if_addr.h> here has IFA_PROTO (Linux 5.18, attribute 11, a u8 like rtm_protocol). */
#define KR_ADDR_FLAGS (IFA_F_NODAD | IFA_F_NOPREFIXROUTE)

struct nlmsghdr *kr_msg_addr(void *buf, uint16_t type, uint16_t flags, unsigned ifindex,
                             const struct in6_addr *addr, uint8_t plen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	/* both, as iproute2 sends them: the kernel takes IFA_LOCAL when it differs (a peer) */
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(*addr), addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(*addr), addr);
	if (type == RTM_NEWADDR) {
		ifa->ifa_flags = IFA_F_NODAD; /* the 8-bit field; IFA_FLAGS has the rest */
		mnl_attr_put_u32(nlh, IFA_FLAGS, KR_ADDR_FLAGS);
		mnl_attr_put_u8(nlh, IFA_PROTO, KR_RTPROT);
	}
	return nlh;
}

static bool kr_addr_args_ok(const struct kr *k, unsigned ifindex, const struct in6_addr *addr,
                            uint8_t plen)
{
	return k != NULL && addr != NULL && ifindex != 0 && ifindex <= INT32_MAX && plen <= 128 &&
	       !IN6_IS_ADDR_UNSPECIFIED(addr) && !IN6_IS_ADDR_MULTICAST(addr);
}

/* EEXIST if the interface has the address already: then it is not ours, and stays. */
int kr_addr_add(struct kr *k, unsigned ifindex, const struct in6_addr *addr, uint8_t plen)
{
	struct nlmsghdr *nlh;

	if (!kr_addr_args_ok(k, ifindex, addr, plen)) {
		errno = EINVAL;
		return -1;
	}
	nlh = kr_msg_addr(kr_nl_space(k), RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr,
	                  plen);
	kr_nl_commit(k, nlh, KR_REQ_QUIET, 0); /* the caller judges: EEXIST may be expected */
	return kr_nl_sync(k);
}

/* An address already gone is not an error: taking a link down removes its addresses. */
int kr_addr_del(struct kr *k, unsigned ifindex, const struct in6_addr *addr, uint8_t plen)
{
	struct nlmsghdr *nlh;

	if (!kr_addr_args_ok(k, ifindex, addr, plen)) {
		errno = EINVAL;
		return -1;
	}
	nlh = kr_msg_addr(kr_nl_space(k), RTM_DELADDR, 0, ifindex, addr, plen);
	kr_nl_commit(k, nlh, KR_REQ_QUIET, 0);
	if (kr_nl_sync(k) == 0 || errno == EADDRNOTAVAIL || errno == ENODEV)
		return 0;
	log_warn("kr: removing an address from ifindex %u", ifindex);
	return -1;
}
