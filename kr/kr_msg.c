/* kr_msg.c: the rtnetlink and generic-netlink requests of the kernel side, built in memory and
 * never sent from here (the unit test compares them with what iproute2 sends): routes, rules,
 * seg6 nexthops (encap.red, one segment: RFC 2473 IPv6-in-IPv6 on the wire, no SRH), the
 * seg6local End.DX6 decapsulation route, the SEG6 "tunsrc" setting, and for the ebpf driver
 * (RFC 2473 in lwt and tc BPF programs) its nexthops, clsact qdisc and tc filter. */
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/lwtunnel.h>
#include <linux/if_ether.h>
#include <linux/nexthop.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/seg6.h>
#include <linux/seg6_genl.h>
#include <linux/seg6_iptunnel.h>
#include <linux/seg6_local.h>

#include "kr/kr_nl.h"

#define KR_SRH_TYPE 4 /* Routing Type 4, the Segment Routing Header (RFC 8754) */

void kr_prefix_mask(struct in6_addr *out, const struct in6_addr *in, uint8_t len)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < 16 && len > 0; i++) {
		uint8_t bits = len >= 8 ? 8 : len;

		out->s6_addr[i] = in->s6_addr[i] & (uint8_t)(0xff00 >> bits);
		len -= bits;
	}
}

static struct nlmsghdr *kr_msg_header(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return nlh;
}

struct nlmsghdr *kr_msg_route(void *buf, uint16_t type, uint16_t flags, uint32_t table,
                              const struct in6_addr *dst, uint8_t len)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct in6_addr pfx;

	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = len;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = KR_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (len > 0) {
		kr_prefix_mask(&pfx, dst, len);
		mnl_attr_put(nlh, RTA_DST, sizeof(pfx), &pfx);
	}
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nlh;
}

struct nlmsghdr *kr_msg_rule(void *buf, uint16_t type, uint16_t flags, uint32_t prio,
                             uint32_t table, uint8_t proto)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, type, flags);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));

	frh->family = AF_INET6;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, proto);
	return nlh;
}

/* FRA_SRC or FRA_DST with its length in the header; host bits cleared so that a deletion
 * matches the rule byte for byte. */
void kr_msg_rule_prefix(struct nlmsghdr *nlh, uint16_t attr, const struct in6_addr *pfx,
                        uint8_t len)
{
	struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	struct in6_addr a;

	kr_prefix_mask(&a, pfx, len);
	if (attr == FRA_SRC)
		frh->src_len = len;
	else
		frh->dst_len = len;
	mnl_attr_put(nlh, attr, sizeof(a), &a);
}

/* SEG6_IPTUNNEL_SRH: struct seg6_iptunnel_encap (mode, host order) followed by an SRH that
 * lists one segment, the peer. In encap.red mode with a single segment the kernel sends no SRH:
 * the outer header's destination is the peer and its Next Header is 41. */
static void kr_msg_put_srh(struct nlmsghdr *nlh, const struct in6_addr *peer)
{
	uint8_t v[sizeof(struct seg6_iptunnel_encap) + sizeof(struct ipv6_sr_hdr) + 16];
	struct seg6_iptunnel_encap enc = { .mode = SEG6_IPTUN_MODE_ENCAP_RED };
	struct ipv6_sr_hdr srh = { 0 };

	srh.hdrlen = 16 / 8; /* in 8-octet units, not counting the first 8 */
	srh.type = KR_SRH_TYPE;
	memcpy(v, &enc, sizeof(enc));
	memcpy(v + sizeof(enc), &srh, sizeof(srh));
	memcpy(v + sizeof(enc) + sizeof(srh), peer, 16);
	mnl_attr_put(nlh, SEG6_IPTUNNEL_SRH, sizeof(v), v);
}

struct nlmsghdr *kr_msg_nexthop_seg6(void *buf, uint32_t nhid, const struct in6_addr *peer,
                                     unsigned oif)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	struct nlattr *nest;

	nhm->nh_family = AF_INET6;
	nhm->nh_protocol = KR_RTPROT;
	mnl_attr_put_u32(nlh, NHA_ID, nhid);
	nest = mnl_attr_nest_start(nlh, NHA_ENCAP);
	kr_msg_put_srh(nlh, peer);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u16(nlh, NHA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6);
	mnl_attr_put_u32(nlh, NHA_OIF, oif);
	return nlh;
}

struct nlmsghdr *kr_msg_nexthop_del(void *buf, uint32_t nhid)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, RTM_DELNEXTHOP, 0);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));

	nhm->nh_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NHA_ID, nhid);
	return nlh;
}

/* local/128 encap seg6local action End.DX6 nh6 :: dev oif: strip the outer header (with or
 * without an SRH) and route the inner packet by its own destination. */
struct nlmsghdr *kr_msg_decap_route(void *buf, uint32_t table, const struct in6_addr *local,
                                    unsigned oif)
{
	struct nlmsghdr *nlh =
	        kr_msg_route(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, table, local, 128);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, RTA_ENCAP);
	mnl_attr_put_u32(nlh, SEG6_LOCAL_ACTION, SEG6_LOCAL_ACTION_END_DX6);
	mnl_attr_put(nlh, SEG6_LOCAL_NH6, sizeof(in6addr_any), &in6addr_any);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6_LOCAL);
	mnl_attr_put_u32(nlh, RTA_OIF, oif);
	return nlh;
}

struct nlmsghdr *kr_msg_link_del(void *buf, unsigned ifindex)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	return nlh;
}

/* "ip link set dev IF mtu MTU" */
struct nlmsghdr *kr_msg_link_mtu(void *buf, unsigned ifindex, uint32_t mtu)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nlh;
}

static struct nlmsghdr *kr_msg_genl(void *buf, uint16_t family, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, family, 0);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct nlmsghdr *kr_msg_genl_family(void *buf, const char *name)
{
	struct nlmsghdr *nlh = kr_msg_genl(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return nlh;
}

/* SEG6_CMD_SET_TUNSRC with the address, or SEG6_CMD_GET_TUNSRC (addr NULL). */
struct nlmsghdr *kr_msg_seg6_tunsrc(void *buf, uint16_t family, uint8_t cmd,
                                    const struct in6_addr *addr)
{
	struct nlmsghdr *nlh = kr_msg_genl(buf, family, cmd, SEG6_GENL_VERSION);

	if (addr != NULL)
		mnl_attr_put(nlh, SEG6_ATTR_DST, sizeof(*addr), addr);
	return nlh;
}

/* --- the ebpf driver: an lwt bpf nexthop, the clsact qdisc and the tc decapsulation filter --- */

/* NHA_ENCAP { LWT_BPF_XMIT { LWT_BPF_PROG_FD, LWT_BPF_PROG_NAME }, LWT_BPF_XMIT_HEADROOM }:
 * "encap bpf xmit fd FD headroom H [via GW] dev OIF"; the headroom is subtracted from the
 * route's MTU. */
struct nlmsghdr *kr_msg_nexthop_bpf(void *buf, uint32_t nhid, int prog_fd, const char *name,
                                    uint32_t headroom, unsigned oif, const struct in6_addr *gw)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	struct nlattr *encap, *xmit;

	nhm->nh_family = AF_INET6;
	nhm->nh_protocol = KR_RTPROT;
	mnl_attr_put_u32(nlh, NHA_ID, nhid);
	encap = mnl_attr_nest_start(nlh, NHA_ENCAP);
	xmit = mnl_attr_nest_start(nlh, LWT_BPF_XMIT);
	mnl_attr_put_u32(nlh, LWT_BPF_PROG_FD, (uint32_t)prog_fd);
	mnl_attr_put_strz(nlh, LWT_BPF_PROG_NAME, name);
	mnl_attr_nest_end(nlh, xmit);
	mnl_attr_put_u32(nlh, LWT_BPF_XMIT_HEADROOM, headroom);
	mnl_attr_nest_end(nlh, encap);
	mnl_attr_put_u16(nlh, NHA_ENCAP_TYPE, LWTUNNEL_ENCAP_BPF);
	mnl_attr_put_u32(nlh, NHA_OIF, oif);
	if (gw != NULL)
		mnl_attr_put(nlh, NHA_GATEWAY, sizeof(*gw), gw);
	return nlh;
}

static struct tcmsg *kr_msg_tc(struct nlmsghdr *nlh, unsigned ifindex, uint32_t parent,
                               uint32_t handle)
{
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	return tcm;
}

/* "tc qdisc add|del dev IF clsact" (type RTM_NEWQDISC or RTM_DELQDISC). */
struct nlmsghdr *kr_msg_clsact(void *buf, uint16_t type, uint16_t flags, unsigned ifindex)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, type, flags);

	kr_msg_tc(nlh, ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0));
	mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
	return nlh;
}

/* "tc filter add dev IF ingress prio P handle H protocol ipv6 bpf da fd FD name NAME", or with
 * prog_fd -1 and RTM_DELTFILTER its removal. */
struct nlmsghdr *kr_msg_tc_filter(void *buf, uint16_t type, uint16_t flags, unsigned ifindex,
                                  uint16_t prio, uint32_t handle, int prog_fd, const char *name)
{
	struct nlmsghdr *nlh = kr_msg_header(buf, type, flags);
	struct tcmsg *tcm = kr_msg_tc(nlh, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), handle);
	struct nlattr *opts;

	tcm->tcm_info = TC_H_MAKE((uint32_t)prio << 16, htons(ETH_P_IPV6));
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	if (prog_fd < 0)
		return nlh;
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_FD, (uint32_t)prog_fd);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, name);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_nest_end(nlh, opts);
	return nlh;
}

/* A dump of the filters on IF's ingress hook. */
struct nlmsghdr *kr_msg_tc_filter_dump(void *buf, unsigned ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	kr_msg_tc(nlh, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), 0);
	return nlh;
}
