/* test_kr.c: the kernel side (kr/kr*.c) without a kernel: the requests it builds, compared
 * with what iproute2 6.1 sends for the same objects (golden vectors captured with strace) or
 * checked attribute by attribute; table and fwmark numbering; configuration and argument
 * checks; and what the queueing calls put in the batch, read back without sending it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* <net/if.h> (through kr.h) before <linux/if.h>: the other order clashes */
#include "kr/kr_nl.h"

#include <linux/fib_rules.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/lwtunnel.h>
#include <linux/if_ether.h>
#include <linux/nexthop.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "tests/check_main.h"

/* iproute2 6.1, `ip -6 nexthop add id 7 encap seg6 mode encap.red segs 2001:db8:ff::2 dev up0`
 * (up0 had ifindex 3), from `strace -e trace=sendmsg -e write=3`: the message after its 16-octet
 * nlmsghdr, with nh_protocol set to KR_RTPROT (iproute2 left it 0). */
static const uint8_t golden_nexthop[] = {
	/* struct nhmsg: AF_INET6, scope 0, protocol KR_RTPROT, reserved, flags 0 */
	0x0a, 0x00, 0x9d, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* NHA_ID (1), 8 octets: 7 */
	0x08, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00,
	/* NHA_ENCAP (8) | NLA_F_NESTED, 36 octets */
	0x24, 0x00, 0x08, 0x80,
	/*   SEG6_IPTUNNEL_SRH (1), 32 octets */
	0x20, 0x00, 0x01, 0x00,
	/*   struct seg6_iptunnel_encap: mode SEG6_IPTUN_MODE_ENCAP_RED (3), host order */
	0x03, 0x00, 0x00, 0x00,
	/*   SRH: next header 0, hdrlen 2 (16 octets of segments), type 4, segments left 0,
	 *   last entry 0, flags 0, tag 0 */
	0x00, 0x02, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
	/*   segment 0: the peer, 2001:db8:ff::2 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02,
	/* NHA_ENCAP_TYPE (7), 6 octets: LWTUNNEL_ENCAP_SEG6 (5), 2 octets of padding */
	0x06, 0x00, 0x07, 0x00, 0x05, 0x00, 0x00, 0x00,
	/* NHA_OIF (5), 8 octets: 3 */
	0x08, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00
};

/* iproute2 6.1, `ip -6 route add 2001:db8:ff::1/128 encap seg6local action End.DX6 nh6 :: dev
 * up0 table 101`: its RTA_ENCAP attribute. */
static const uint8_t golden_dx6_encap[] = {
	/* RTA_ENCAP (22) | NLA_F_NESTED, 32 octets */
	0x20, 0x00, 0x16, 0x80,
	/*   SEG6_LOCAL_ACTION (1), u32: SEG6_LOCAL_ACTION_END_DX6 (5) */
	0x08, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00,
	/*   SEG6_LOCAL_NH6 (5), 16 octets: :: (route the inner packet by its destination) */
	0x14, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00
};

/* iproute2 6.1, `ip sr tunsrc set 2001:db8:ff::1`: after the nlmsghdr. */
static const uint8_t golden_tunsrc[] = {
	/* struct genlmsghdr: SEG6_CMD_SET_TUNSRC (3), version 1, reserved */
	0x03, 0x01, 0x00, 0x00,
	/* SEG6_ATTR_DST (1), 20 octets: 2001:db8:ff::1 */
	0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01
};

static alignas(struct nlmsghdr) uint8_t buf[KR_MSG_MAX];

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static const struct nlattr *find_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdrlen)
	{
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

static const struct nlattr *find_nested(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

static void assert_addr_attr(const struct nlattr *a, const char *want)
{
	struct in6_addr w = addr(want);

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_payload_len(a), 16);
	ck_assert_mem_eq(mnl_attr_get_payload(a), &w, 16);
}

static uint32_t u32_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type)
{
	const struct nlattr *a = find_attr(nlh, hdrlen, type);

	ck_assert_msg(a != NULL, "attribute %u missing", type);
	ck_assert_uint_eq(mnl_attr_get_payload_len(a), 4);
	return mnl_attr_get_u32(a);
}

/* A struct kr with a batch and no socket: queueing works, nothing may be sent. */
static struct kr *detached(const struct kr_driver_ops *ops)
{
	struct kr *k = calloc(1, sizeof(*k));

	ck_assert_ptr_nonnull(k);
	k->cfg.table_base = 1000;
	k->cfg.rule_priority = 100;
	k->cfg.local = addr("2001:db8:ff::1");
	k->ops = ops;
	k->uplink_ifindex = 3;
	k->batch = malloc(KR_BATCH_BYTES);
	k->reqs = calloc(KR_BATCH_MAX, sizeof(*k->reqs));
	k->max_reqs = KR_BATCH_MAX;
	k->seq = 41;
	ck_assert_ptr_nonnull(k->batch);
	ck_assert_ptr_nonnull(k->reqs);
	return k;
}

static void detached_free(struct kr *k)
{
	kr_nl_close(k);
	free(k);
}

/* The n-th message queued in k's batch. */
static const struct nlmsghdr *queued(const struct kr *k, unsigned n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)k->batch;
	int len = (int)k->batch_len;

	for (unsigned i = 0; i < n; i++) {
		ck_assert(mnl_nlmsg_ok(nlh, len));
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	ck_assert(mnl_nlmsg_ok(nlh, len));
	return nlh;
}

START_TEST(nexthop_matches_iproute2)
{
	struct in6_addr peer = addr("2001:db8:ff::2");
	const struct nlmsghdr *nlh = kr_msg_nexthop_seg6(buf, 7, &peer, 3);

	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(struct nlmsghdr) + sizeof(golden_nexthop));
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWNEXTHOP);
	ck_assert_uint_eq(nlh->nlmsg_flags,
	                  NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	for (size_t i = 0; i < sizeof(golden_nexthop); i++)
		ck_assert_msg(buf[16 + i] == golden_nexthop[i], "octet %zu is %02x, want %02x", i,
		              buf[16 + i], golden_nexthop[i]);
}
END_TEST

/* The ebpf driver's nexthop, as iproute2 6.1 builds "ip -6 nexthop add id 7 encap bpf xmit
 * pinned ... headroom 40 dev up0" (lwtunnel bpf_parse_encap, nexthop parse): NHA_ENCAP nesting
 * LWT_BPF_XMIT { LWT_BPF_PROG_FD, LWT_BPF_PROG_NAME } and LWT_BPF_XMIT_HEADROOM, then
 * NHA_ENCAP_TYPE LWTUNNEL_ENCAP_BPF and NHA_OIF; checked attribute by attribute (the fd is
 * the loader's). */
START_TEST(nexthop_bpf_attributes)
{
	const struct nlmsghdr *nlh = kr_msg_nexthop_bpf(buf, 7, 42, "pmip6_encap", 40, 3, NULL);
	const struct nhmsg *nhm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *enc = find_attr(nlh, sizeof(*nhm), NHA_ENCAP), *xmit, *a;

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWNEXTHOP);
	ck_assert_uint_eq(nlh->nlmsg_flags,
	                  NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	ck_assert_uint_eq(nhm->nh_family, AF_INET6);
	ck_assert_uint_eq(nhm->nh_protocol, KR_RTPROT);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*nhm), NHA_ID), 7);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*nhm), NHA_OIF), 3);
	a = find_attr(nlh, sizeof(*nhm), NHA_ENCAP_TYPE);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_u16(a), LWTUNNEL_ENCAP_BPF);
	ck_assert_ptr_nonnull(enc);
	ck_assert(enc->nla_type & NLA_F_NESTED);
	xmit = find_nested(enc, LWT_BPF_XMIT);
	ck_assert_ptr_nonnull(xmit);
	ck_assert(xmit->nla_type & NLA_F_NESTED);
	a = find_nested(xmit, LWT_BPF_PROG_FD);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_u32(a), 42);
	a = find_nested(xmit, LWT_BPF_PROG_NAME);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(mnl_attr_get_str(a), "pmip6_encap");
	a = find_nested(enc, LWT_BPF_XMIT_HEADROOM);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_u32(a), 40);
	ck_assert_ptr_null(find_attr(nlh, sizeof(*nhm), NHA_GATEWAY));
}
END_TEST

/* The same toward an on-link peer, as "... headroom 40 via 2001:db8::2 dev up0" builds it:
 * NHA_GATEWAY holds the peer's 16 octets. */
START_TEST(nexthop_bpf_gateway)
{
	const struct in6_addr gw = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	const struct nlmsghdr *nlh = kr_msg_nexthop_bpf(buf, 7, 42, "pmip6_encap", 40, 3, &gw);
	const struct nlattr *a = find_attr(nlh, sizeof(struct nhmsg), NHA_GATEWAY);

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_payload_len(a), 16);
	ck_assert_mem_eq(mnl_attr_get_payload(a), gw.s6_addr, 16);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(struct nhmsg), NHA_OIF), 3);
}
END_TEST

/* "tc qdisc add dev up0 clsact" (iproute2 6.1 q_clsact.c: parent TC_H_CLSACT, handle
 * ffff:0000, kind "clsact") and its removal. */
START_TEST(clsact_qdisc_attributes)
{
	const struct nlmsghdr *nlh = kr_msg_clsact(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, 3);
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *kind = find_attr(nlh, sizeof(*tcm), TCA_KIND);

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWQDISC);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ck_assert_int_eq(tcm->tcm_ifindex, 3);
	ck_assert_uint_eq(tcm->tcm_parent, 0xfffffff1u);
	ck_assert_uint_eq(tcm->tcm_handle, 0xffff0000u);
	ck_assert_ptr_nonnull(kind);
	ck_assert_str_eq(mnl_attr_get_str(kind), "clsact");
	nlh = kr_msg_clsact(buf, RTM_DELQDISC, 0, 3);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELQDISC);
}
END_TEST

/* "tc filter add dev up0 ingress prio 157 handle 1 protocol ipv6 bpf da fd 42 name
 * pmip6_decap": parent ffff:fff2, tcm_info prio << 16 | htons(ETH_P_IPV6), kind "bpf",
 * TCA_OPTIONS { TCA_BPF_FD, TCA_BPF_NAME, TCA_BPF_FLAGS = ACT_DIRECT }; its removal names the
 * same filter without options; the dump asks for the ingress hook. */
START_TEST(tc_filter_attributes)
{
	const struct nlmsghdr *nlh = kr_msg_tc_filter(buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL,
	                                              3, 157, 1, 42, "pmip6_decap");
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *opts = find_attr(nlh, sizeof(*tcm), TCA_OPTIONS), *a;

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWTFILTER);
	ck_assert_int_eq(tcm->tcm_ifindex, 3);
	ck_assert_uint_eq(tcm->tcm_parent, 0xfffffff2u);
	ck_assert_uint_eq(tcm->tcm_handle, 1);
	ck_assert_uint_eq(tcm->tcm_info, (157u << 16) | htons(ETH_P_IPV6));
	ck_assert_str_eq(mnl_attr_get_str(find_attr(nlh, sizeof(*tcm), TCA_KIND)), "bpf");
	ck_assert_ptr_nonnull(opts);
	a = find_nested(opts, TCA_BPF_FD);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_u32(a), 42);
	ck_assert_str_eq(mnl_attr_get_str(find_nested(opts, TCA_BPF_NAME)), "pmip6_decap");
	ck_assert_uint_eq(mnl_attr_get_u32(find_nested(opts, TCA_BPF_FLAGS)),
	                  TCA_BPF_FLAG_ACT_DIRECT);
	nlh = kr_msg_tc_filter(buf, RTM_DELTFILTER, 0, 3, 157, 1, -1, NULL);
	tcm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELTFILTER);
	ck_assert_uint_eq(tcm->tcm_handle, 1);
	ck_assert_ptr_null(find_attr(nlh, sizeof(*tcm), TCA_OPTIONS));
	nlh = kr_msg_tc_filter_dump(buf, 3);
	tcm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ck_assert_uint_eq(tcm->tcm_parent, 0xfffffff2u);
}
END_TEST

START_TEST(nexthop_del_names_the_id)
{
	const struct nlmsghdr *nlh = kr_msg_nexthop_del(buf, 1001);

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELNEXTHOP);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(struct nhmsg), NHA_ID), 1001);
}
END_TEST

START_TEST(decap_route_matches_iproute2)
{
	struct in6_addr local = addr("2001:db8:ff::1");
	const struct nlmsghdr *nlh = kr_msg_decap_route(buf, 101, &local, 3);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *enc = find_attr(nlh, sizeof(*rtm), RTA_ENCAP);
	const struct nlattr *type = find_attr(nlh, sizeof(*rtm), RTA_ENCAP_TYPE);

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWROUTE);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET6);
	ck_assert_uint_eq(rtm->rtm_dst_len, 128);
	ck_assert_uint_eq(rtm->rtm_table, 101);
	ck_assert_uint_eq(rtm->rtm_protocol, KR_RTPROT);
	ck_assert_uint_eq(rtm->rtm_type, RTN_UNICAST);
	assert_addr_attr(find_attr(nlh, sizeof(*rtm), RTA_DST), "2001:db8:ff::1");
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_TABLE), 101);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_OIF), 3);
	ck_assert_ptr_nonnull(enc);
	ck_assert_uint_eq(enc->nla_len, sizeof(golden_dx6_encap));
	ck_assert_mem_eq(enc, golden_dx6_encap, sizeof(golden_dx6_encap));
	ck_assert_ptr_nonnull(type);
	ck_assert_uint_eq(mnl_attr_get_u16(type), LWTUNNEL_ENCAP_SEG6_LOCAL);
}
END_TEST

START_TEST(tunsrc_matches_iproute2)
{
	struct in6_addr local = addr("2001:db8:ff::1");
	const struct nlmsghdr *nlh = kr_msg_seg6_tunsrc(buf, 0x1c, 3, &local);

	ck_assert_uint_eq(nlh->nlmsg_type, 0x1c);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_uint_eq(nlh->nlmsg_len, 16 + sizeof(golden_tunsrc));
	ck_assert_mem_eq(buf + 16, golden_tunsrc, sizeof(golden_tunsrc));
}
END_TEST

START_TEST(genl_family_request)
{
	const struct nlmsghdr *nlh = kr_msg_genl_family(buf, "SEG6");
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *name = find_attr(nlh, sizeof(*g), CTRL_ATTR_FAMILY_NAME);

	ck_assert_uint_eq(nlh->nlmsg_type, GENL_ID_CTRL);
	ck_assert_uint_eq(g->cmd, CTRL_CMD_GETFAMILY);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(mnl_attr_get_str(name), "SEG6");
}
END_TEST

/* The link request libnl builds for us, checked against what `ip link add pmip6t1 type ip6tnl
 * local .. remote .. mode ip6ip6 encaplimit none dev up0` sends. */
START_TEST(ip6tnl_link_attributes)
{
	struct in6_addr local = addr("2001:db8:ff::1"), remote = addr("2001:db8:ff::2");
	const struct nlmsghdr *nlh =
	        kr_msg_ip6tnl_link(buf, sizeof(buf), "pmip6t1", &local, &remote, 3, true);
	const struct ifinfomsg *ifi;
	const struct nlattr *info, *data, *a;

	ck_assert_ptr_nonnull(nlh);
	ifi = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ck_assert(ifi->ifi_flags & IFF_UP);
	a = find_attr(nlh, sizeof(*ifi), IFLA_IFNAME);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(mnl_attr_get_str(a), "pmip6t1");
	info = find_attr(nlh, sizeof(*ifi), IFLA_LINKINFO);
	ck_assert_ptr_nonnull(info);
	a = find_nested(info, IFLA_INFO_KIND);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(mnl_attr_get_str(a), "ip6tnl");
	data = find_nested(info, IFLA_INFO_DATA);
	ck_assert_ptr_nonnull(data);
	assert_addr_attr(find_nested(data, IFLA_IPTUN_LOCAL), "2001:db8:ff::1");
	assert_addr_attr(find_nested(data, IFLA_IPTUN_REMOTE), "2001:db8:ff::2");
	a = find_nested(data, IFLA_IPTUN_PROTO);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_u8(a), IPPROTO_IPV6);
	a = find_nested(data, IFLA_IPTUN_FLAGS);
	ck_assert_ptr_nonnull(a);
	ck_assert(mnl_attr_get_u32(a) & IP6_TNL_F_IGN_ENCAP_LIMIT);
	a = find_nested(data, IFLA_IPTUN_LINK);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_u32(a), 3);
}
END_TEST

START_TEST(ip6tnl_link_too_small_a_buffer)
{
	struct in6_addr local = addr("2001:db8:ff::1"), remote = addr("2001:db8:ff::2");

	ck_assert_ptr_null(kr_msg_ip6tnl_link(buf, 32, "pmip6t1", &local, &remote, 3, true));
}
END_TEST

START_TEST(ip6tnl_probe_link_is_down)
{
	struct in6_addr local = addr("2001:db8:ff::1");
	const struct nlmsghdr *nlh =
	        kr_msg_ip6tnl_link(buf, sizeof(buf), "pmip6t0", &local, &in6addr_any, 3, false);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ck_assert(!(ifi->ifi_flags & IFF_UP));
}
END_TEST

START_TEST(driver_names_parse)
{
	enum kr_driver d = KR_DRIVER_COUNT;

	for (unsigned i = 0; i < KR_DRIVER_COUNT; i++) {
		ck_assert_int_eq(kr_driver_parse(kr_driver_names[i], &d), 0);
		ck_assert_int_eq(d, (int)i);
	}
	ck_assert_int_eq(kr_driver_parse("gre", &d), -1);
	ck_assert_int_eq(kr_driver_parse(NULL, &d), -1);
	ck_assert_int_eq(d, KR_DRIVER_COUNT - 1); /* untouched by a refusal */
}
END_TEST

START_TEST(prefix_mask)
{
	static const struct {
		const char *in;
		uint8_t len;
		const char *out;
	} c[] = {
		{ "2001:db8:1:2:3:4:5:6", 0, "::" },
		{ "ffff::", 1, "8000::" },
		{ "2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::" },
		{ "2001:db8:1:2:3:4:5:6", 63, "2001:db8:1:2::" },
		{ "2001:db8:1:3:3:4:5:6", 63, "2001:db8:1:2::" },
		{ "2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::" },
		{ "2001:db8:1:2:3:4:5:7", 127, "2001:db8:1:2:3:4:5:6" },
		{ "2001:db8:1:2:3:4:5:7", 128, "2001:db8:1:2:3:4:5:7" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct in6_addr in = addr(c[i].in), want = addr(c[i].out), got;

		kr_prefix_mask(&got, &in, c[i].len);
		ck_assert_msg(memcmp(&got, &want, 16) == 0, "%s/%u", c[i].in, c[i].len);
	}
}
END_TEST

START_TEST(table_and_fwmark_numbering)
{
	struct kr *k = detached(&kr_seg6_ops);

	ck_assert_uint_eq(kr_tunnel_table(k, KR_DECAP_ID), 1000);
	ck_assert_uint_eq(kr_tunnel_table(k, 1), 1001);
	ck_assert_uint_eq(kr_tunnel_fwmark(k, 1), 1001);
	ck_assert_uint_eq(kr_tunnel_table(k, KR_MAX_TUNNELS), 1000 + KR_MAX_TUNNELS);
	ck_assert_uint_eq(kr_tunnel_fwmark(k, 17), kr_tunnel_table(k, 17));
	ck_assert_str_eq(kr_driver_name(KR_DRIVER_SEG6), "seg6");
	ck_assert_str_eq(kr_driver_name(KR_DRIVER_IP6TNL), "ip6tnl");
	ck_assert_str_eq(kr_driver_name(KR_DRIVER_AUTO), "auto");
	ck_assert_str_eq(kr_driver_name(KR_DRIVER_EBPF), "ebpf");
	ck_assert_str_eq(kr_driver_name(KR_DRIVER_COUNT), "unknown");
	ck_assert_int_eq(kr_driver_in_use(k), KR_DRIVER_SEG6);
	detached_free(k);
}
END_TEST

/* Binding tags' marks come after every tunnel's, below 2^16 with the default table base (room
 * for a bicast slot); only ebpf writes tags: the others refuse before any request. */
START_TEST(tag_marks_and_drivers)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct kr_tag_route r = { .pfx = addr("2001:db8:100::"), .len = 64 };
	struct in6_addr ll = addr("fe80::1");
	uint32_t mark = 0;

	ck_assert_uint_eq(kr_tag_mark(k, 1), kr_tunnel_fwmark(k, KR_MAX_TUNNELS) + 1);
	ck_assert_uint_le(kr_tag_mark(k, KR_MAX_TAGS), 0xffff);
	ck_assert(!kr_tag_possible(k));
	ck_assert_int_eq(kr_tag_encap_add(k, 1, 5, &mark), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(kr_tag_decap_add(k, 5, &r, 1, &ll, 4, &mark), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(kr_tag_del(k, kr_tag_mark(k, 1)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(k->batch_len, 0);
	k->ops = &kr_ebpf_ops;
	ck_assert(kr_tag_possible(k));
	ck_assert_int_eq(kr_tag_encap_add(k, 1, 0x80000, &mark), -1); /* 20 bits: no tag */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(kr_tag_encap_add(k, 1, 5, &mark), -1); /* no tunnel 1 */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(kr_tag_count(k), 0);
	detached_free(k);
}
END_TEST

static struct kr_config good_config(void)
{
	struct kr_config c = { .driver = KR_DRIVER_SEG6, .table_base = 1000, .rule_priority = 100 };

	c.local = addr("2001:db8:ff::1");
	strcpy(c.uplink, "up0");
	return c;
}

static void assert_open_refused(const struct kr_config *c, const char *why)
{
	char err[128] = "";

	errno = 0;
	ck_assert_msg(kr_open(c, err, sizeof(err)) == NULL, "%s: accepted", why);
	ck_assert_msg(errno == EINVAL, "%s: errno %d", why, errno);
	ck_assert_msg(err[0] != '\0', "%s: no message", why);
}

/* Refused before any socket is opened: these need no privilege. */
START_TEST(open_checks_configuration)
{
	struct kr_config c;

	c = good_config(), c.table_base = 0;
	assert_open_refused(&c, "table base 0");
	c = good_config(), c.table_base = 100;
	assert_open_refused(&c, "tables across 252-255");
	c = good_config(), c.table_base = UINT32_MAX - 10;
	assert_open_refused(&c, "tables past 2^32");
	c = good_config(), c.rule_priority = 0;
	assert_open_refused(&c, "priority 0");
	c = good_config(), c.rule_priority = 32764;
	assert_open_refused(&c, "priority next to main's");
	c = good_config(), c.local = in6addr_any;
	assert_open_refused(&c, "unspecified local");
	c = good_config(), c.local = addr("ff02::1");
	assert_open_refused(&c, "multicast local");
	c = good_config(), c.uplink[0] = '\0';
	assert_open_refused(&c, "no uplink");
	c = good_config(), memset(c.uplink, 'x', sizeof(c.uplink));
	assert_open_refused(&c, "uplink without NUL");
	c = good_config(), c.driver = (enum kr_driver)7;
	assert_open_refused(&c, "unknown driver");
	errno = 0;
	ck_assert_ptr_null(kr_open(NULL, (char[8]){ 0 }, 8));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static void assert_einval(int ret, const char *what)
{
	ck_assert_msg(ret == -1 && errno == EINVAL, "%s: ret %d errno %d", what, ret, errno);
}

START_TEST(queueing_checks_arguments)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct in6_addr p = addr("2001:db8:1::"), ll = addr("fe80::1"), peer = in6addr_any;
	uint32_t id;

	k->tunnels[1].used = true;
	assert_einval(kr_route_via_tunnel(k, &p, 129, 1, 0), "route /129");
	assert_einval(kr_route_via_tunnel(k, &p, 255, 1, 0), "route /255");
	assert_einval(kr_route_via_tunnel(k, NULL, 64, 1, 0), "route NULL prefix");
	assert_einval(kr_route_via_tunnel(NULL, &p, 64, 1, 0), "route NULL kr");
	assert_einval(kr_route_via_tunnel(k, &p, 64, 2, 0), "route unknown tunnel");
	assert_einval(kr_route_via_tunnel(k, &p, 64, 0, 0), "route tunnel 0");
	assert_einval(kr_route_via_tunnel(k, &p, 64, KR_MAX_TUNNELS + 1, 0), "route tunnel max+1");
	assert_einval(kr_route_via_neighbor(k, &p, 129, &ll, 2, 0), "neighbor /129");
	assert_einval(kr_route_via_neighbor(k, &p, 64, &ll, 0, 0), "neighbor ifindex 0");
	assert_einval(kr_route_via_neighbor(k, &p, 64, NULL, 2, 0), "neighbor NULL ll");
	assert_einval(kr_route_via_neighbor(k, &p, 64, &peer, 2, 0), "neighbor :: ll");
	assert_einval(kr_route_del(k, &p, 200, 0), "del /200");
	assert_einval(kr_source_rule_add(k, &p, 129, 1, 0), "rule /129");
	assert_einval(kr_source_rule_add(k, &p, 64, 3, 0), "rule unknown tunnel");
	assert_einval(kr_source_rule_del(k, &p, 64, 0, 0), "rule del tunnel 0");
	assert_einval(kr_source_rule_del(k, &p, 64, KR_MAX_TUNNELS + 1, 0), "rule del max+1");
	assert_einval(kr_tunnel_add(k, &peer, &id), "tunnel to ::");
	assert_einval(kr_tunnel_add(k, NULL, &id), "tunnel to NULL");
	assert_einval(kr_tunnel_del(k, 2), "del unknown tunnel");
	assert_einval(kr_tunnel_del(k, 0), "del tunnel 0");
	assert_einval(kr_flush(NULL), "flush NULL");
	ck_assert_uint_eq(k->nreqs, 0);
	ck_assert_uint_eq(k->batch_len, 0);
	detached_free(k);
}
END_TEST

/* Adding a tunnel to a peer that has one says which. */
START_TEST(tunnel_add_twice_names_the_tunnel)
{
	struct kr *k = detached(&kr_seg6_ops);
	uint32_t id = 0;

	k->tunnels[5].used = true;
	k->tunnels[5].peer = addr("2001:db8:ff::5");
	errno = 0;
	ck_assert_int_eq(kr_tunnel_add(k, &k->tunnels[5].peer, &id), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(id, 5);
	detached_free(k);
}
END_TEST

/* A tunnel with the id it had before a restart: refused when the id or the peer is taken, or
 * the id out of range, and nothing is sent then. */
START_TEST(tunnel_add_as_checks_its_id)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct in6_addr peer = addr("2001:db8:ff::7");

	k->tunnels[5].used = true;
	k->tunnels[5].peer = addr("2001:db8:ff::5");
	assert_einval(kr_tunnel_add_as(k, &peer, 0), "id 0");
	assert_einval(kr_tunnel_add_as(k, &peer, KR_MAX_TUNNELS + 1), "id max+1");
	assert_einval(kr_tunnel_add_as(k, &in6addr_any, 7), "tunnel to ::");
	assert_einval(kr_tunnel_add_as(NULL, &peer, 7), "NULL kr");
	errno = 0;
	ck_assert_int_eq(kr_tunnel_add_as(k, &peer, 5), -1); /* the id is another peer's */
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_int_eq(kr_tunnel_add_as(k, &k->tunnels[5].peer, 9), -1); /* the peer has one */
	ck_assert_int_eq(errno, EEXIST);
	ck_assert(!k->tunnels[9].used);
	ck_assert_uint_eq(k->nreqs, 0);
	detached_free(k);
}
END_TEST

START_TEST(route_via_tunnel_is_queued)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct in6_addr p = addr("2001:db8:1::5");
	const struct nlmsghdr *nlh;
	const struct rtmsg *rtm;

	k->tunnels[1].used = true;
	ck_assert_int_eq(kr_route_via_tunnel(k, &p, 64, 1, 77), 0);
	ck_assert_int_eq(kr_route_via_tunnel(k, &p, 48, 1, 78), 0);
	ck_assert_uint_eq(k->nreqs, 2);
	ck_assert_uint_eq(k->reqs[0].cookie, 77);
	ck_assert_uint_eq(k->reqs[1].cookie, 78);
	ck_assert_uint_eq(k->reqs[0].kind, KR_REQ_USER);
	nlh = queued(k, 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWROUTE);
	ck_assert_uint_eq(nlh->nlmsg_flags,
	                  NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	ck_assert_uint_eq(nlh->nlmsg_seq, 42);
	ck_assert_uint_eq(queued(k, 1)->nlmsg_seq, 43);
	ck_assert_uint_eq(rtm->rtm_dst_len, 64);
	ck_assert_uint_eq(rtm->rtm_protocol, KR_RTPROT);
	ck_assert_uint_eq(rtm->rtm_table, RT_TABLE_MAIN);
	assert_addr_attr(find_attr(nlh, sizeof(*rtm), RTA_DST), "2001:db8:1::");
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_NH_ID), 1001);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_TABLE), RT_TABLE_MAIN);
	ck_assert_ptr_null(find_attr(nlh, sizeof(*rtm), RTA_OIF));
	detached_free(k);
}
END_TEST

START_TEST(route_via_ip6tnl_names_the_device)
{
	struct kr *k = detached(&kr_ip6tnl_ops);
	struct in6_addr p = addr("2001:db8:1::");
	const struct nlmsghdr *nlh;

	k->tunnels[2].used = true;
	k->tunnels[2].ifindex = 42;
	ck_assert_int_eq(kr_route_via_tunnel(k, &p, 64, 2, 1), 0);
	nlh = queued(k, 0);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(struct rtmsg), RTA_OIF), 42);
	ck_assert_ptr_null(find_attr(nlh, sizeof(struct rtmsg), RTA_NH_ID));
	detached_free(k);
}
END_TEST

START_TEST(route_via_neighbor_and_del_are_queued)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct in6_addr p = addr("2001:db8:1::"), ll = addr("fe80::100");
	const struct nlmsghdr *nlh;
	const struct rtmsg *rtm;

	ck_assert_int_eq(kr_route_via_neighbor(k, &p, 64, &ll, 7, 1), 0);
	ck_assert_int_eq(kr_route_del(k, &p, 64, 2), 0);
	nlh = queued(k, 0);
	assert_addr_attr(find_attr(nlh, sizeof(struct rtmsg), RTA_GATEWAY), "fe80::100");
	ck_assert_uint_eq(u32_attr(nlh, sizeof(struct rtmsg), RTA_OIF), 7);
	nlh = queued(k, 1);
	rtm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELROUTE);
	ck_assert_uint_eq(rtm->rtm_protocol, KR_RTPROT); /* only ours can match */
	assert_addr_attr(find_attr(nlh, sizeof(*rtm), RTA_DST), "2001:db8:1::");
	detached_free(k);
}
END_TEST

START_TEST(source_rule_is_queued)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct in6_addr p = addr("2001:db8:1::99");
	const struct nlmsghdr *nlh;
	const struct fib_rule_hdr *frh;
	const struct nlattr *a;

	k->tunnels[3].used = true;
	ck_assert_int_eq(kr_source_rule_add(k, &p, 64, 3, 1), 0);
	ck_assert_int_eq(kr_source_rule_del(k, &p, 64, 3, 2), 0);
	nlh = queued(k, 0);
	frh = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWRULE);
	ck_assert(nlh->nlmsg_flags & NLM_F_EXCL);
	ck_assert_uint_eq(frh->family, AF_INET6);
	ck_assert_uint_eq(frh->src_len, 64);
	ck_assert_uint_eq(frh->action, FR_ACT_TO_TBL);
	assert_addr_attr(find_attr(nlh, sizeof(*frh), FRA_SRC), "2001:db8:1::");
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*frh), FRA_TABLE), 1003);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*frh), FRA_PRIORITY), 100 + KR_PRIO_AFTER_LOCAL);
	a = find_attr(nlh, sizeof(*frh), FRA_PROTOCOL);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_u8(a), KR_RTPROT);
	ck_assert_uint_eq(queued(k, 1)->nlmsg_type, RTM_DELRULE);
	detached_free(k);
}
END_TEST

/* default nhid N; throw peer/128; fwmark rule, all in the tunnel's table. */
START_TEST(tunnel_table_is_queued)
{
	struct kr *k = detached(&kr_seg6_ops);
	const struct nlmsghdr *nlh;
	const struct rtmsg *rtm;

	k->tunnels[1].peer = addr("2001:db8:ff::11");
	kr_tunnel_table_add(k, 1);
	ck_assert_uint_eq(k->nreqs, 3);
	nlh = queued(k, 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(rtm->rtm_dst_len, 0);
	ck_assert_ptr_null(find_attr(nlh, sizeof(*rtm), RTA_DST));
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_TABLE), 1001);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_NH_ID), 1001);
	nlh = queued(k, 1);
	rtm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(rtm->rtm_type, RTN_THROW);
	ck_assert_uint_eq(rtm->rtm_dst_len, 128);
	assert_addr_attr(find_attr(nlh, sizeof(*rtm), RTA_DST), "2001:db8:ff::11");
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_TABLE), 1001);
	nlh = queued(k, 2);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWRULE);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(struct fib_rule_hdr), FRA_FWMARK), 1001);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(struct fib_rule_hdr), FRA_TABLE), 1001);
	detached_free(k);
}
END_TEST

/* A big table number goes in RTA_TABLE / FRA_TABLE only. */
START_TEST(large_tables_use_the_attribute)
{
	struct in6_addr p = addr("2001:db8::");
	const struct nlmsghdr *nlh = kr_msg_route(buf, RTM_NEWROUTE, 0, 70000, &p, 32);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	ck_assert_uint_eq(rtm->rtm_table, RT_TABLE_UNSPEC);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(*rtm), RTA_TABLE), 70000);
	nlh = kr_msg_rule(buf, RTM_NEWRULE, 0, 5, 70000, KR_RTPROT);
	ck_assert_uint_eq(((const struct fib_rule_hdr *)mnl_nlmsg_get_payload(nlh))->table, 0);
	ck_assert_uint_eq(u32_attr(nlh, sizeof(struct fib_rule_hdr), FRA_TABLE), 70000);
}
END_TEST

struct results {
	struct kr *k;
	uint64_t cookies[8];
	int errs[8];
	unsigned n;
};

/* Records each refusal; the first one queues another request, as a daemon may. */
static void record(void *arg, uint64_t cookie, int err)
{
	struct results *r = arg;
	struct in6_addr p = addr("2001:db8:9::");

	ck_assert_uint_lt(r->n, 8);
	r->cookies[r->n] = cookie;
	r->errs[r->n++] = err;
	if (r->n == 1)
		ck_assert_int_eq(kr_route_via_tunnel(r->k, &p, 64, 1, 99), 0);
}

/* Without a socket every request is refused (ENOTCONN): each reaches the callback with its
 * cookie, in order, after the batch is over, so that the callback may queue more. */
START_TEST(refusals_reach_the_callback)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct results r = { .k = k };
	struct in6_addr p = addr("2001:db8:1::");

	k->tunnels[1].used = true;
	kr_set_result_cb(k, record, &r);
	for (uint64_t c = 10; c < 13; c++)
		ck_assert_int_eq(kr_route_via_tunnel(k, &p, 64, 1, c), 0);
	ck_assert_int_eq(kr_flush(k), 3);
	ck_assert_uint_eq(r.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(r.cookies[i], 10 + i);
		ck_assert_int_eq(r.errs[i], ENOTCONN);
	}
	ck_assert_uint_eq(k->nreqs, 1); /* the callback's request waits for the next flush */
	ck_assert_int_eq(kr_flush(k), 1);
	ck_assert_uint_eq(r.cookies[3], 99);
	ck_assert_int_eq(kr_flush(k), 0);
	ck_assert_uint_eq(k->stats.failures, 4);
	detached_free(k);
}
END_TEST

/* A sync (a tunnel or a binding tag made in the middle of a daemon's change) sends the daemon's
 * queued requests along but keeps their refusals for its next kr_flush(), even one with nothing
 * new; so does a tunnel's creation, which sends the queue first. */
START_TEST(sync_keeps_refusals_for_the_flush)
{
	struct kr *k = detached(&kr_seg6_ops);
	struct results r = { .k = k };
	struct in6_addr p = addr("2001:db8:1::"), peer = addr("2001:db8:ff::2");
	uint32_t id = 0;

	k->tunnels[1].used = true;
	kr_set_result_cb(k, record, &r);
	ck_assert_int_eq(kr_route_via_tunnel(k, &p, 64, 1, 10), 0);
	ck_assert_int_eq(kr_nl_sync(k), 0); /* a user request's refusal is no sync error */
	ck_assert_uint_eq(r.n, 0);
	ck_assert_uint_eq(k->nreqs, 0);
	ck_assert_int_eq(kr_flush(k), 1);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.cookies[0], 10);
	ck_assert_int_eq(kr_flush(k), 1); /* the callback's own request */
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(kr_route_via_tunnel(k, &p, 64, 1, 11), 0);
	ck_assert_int_eq(kr_tunnel_add(k, &peer, &id), -1); /* no socket: refused too */
	ck_assert_uint_eq(k->nreqs, 0);
	ck_assert_uint_eq(r.n, 2); /* the route went with the tunnel's request, its refusal kept */
	ck_assert_int_eq(kr_flush(k), 1); /* refused since the last kr_flush() */
	ck_assert_uint_eq(r.n, 3);
	ck_assert_uint_eq(r.cookies[2], 11);
	detached_free(k);
}
END_TEST

static Suite *kr_suite(void)
{
	Suite *s = suite_create("kr");
	TCase *msg = tcase_create("messages"), *api = tcase_create("api");

	tcase_add_test(msg, nexthop_matches_iproute2);
	tcase_add_test(msg, nexthop_del_names_the_id);
	tcase_add_test(msg, nexthop_bpf_attributes);
	tcase_add_test(msg, nexthop_bpf_gateway);
	tcase_add_test(msg, driver_names_parse);
	tcase_add_test(msg, clsact_qdisc_attributes);
	tcase_add_test(msg, tc_filter_attributes);
	tcase_add_test(msg, decap_route_matches_iproute2);
	tcase_add_test(msg, tunsrc_matches_iproute2);
	tcase_add_test(msg, genl_family_request);
	tcase_add_test(msg, ip6tnl_link_attributes);
	tcase_add_test(msg, ip6tnl_link_too_small_a_buffer);
	tcase_add_test(msg, ip6tnl_probe_link_is_down);
	tcase_add_test(msg, prefix_mask);
	tcase_add_test(msg, large_tables_use_the_attribute);
	suite_add_tcase(s, msg);
	tcase_add_test(api, table_and_fwmark_numbering);
	tcase_add_test(api, tag_marks_and_drivers);
	tcase_add_test(api, sync_keeps_refusals_for_the_flush);
	tcase_add_test(api, open_checks_configuration);
	tcase_add_test(api, queueing_checks_arguments);
	tcase_add_test(api, tunnel_add_twice_names_the_tunnel);
	tcase_add_test(api, tunnel_add_as_checks_its_id);
	tcase_add_test(api, route_via_tunnel_is_queued);
	tcase_add_test(api, route_via_ip6tnl_names_the_device);
	tcase_add_test(api, route_via_neighbor_and_del_are_queued);
	tcase_add_test(api, source_rule_is_queued);
	tcase_add_test(api, tunnel_table_is_queued);
	tcase_add_test(api, refusals_reach_the_callback);
	suite_add_tcase(s, api);
	return s;
}

CHECK_MAIN(kr_suite)
