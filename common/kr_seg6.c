/* kr_seg6.c: the seg6 tunnel driver: RFC 2473 IPv6-in-IPv6 through seg6 lightweight tunnels
 * (encap.red with one segment puts no SRH on the wire), one shared nexthop object per peer
 * (routes with their own encap state run the kernel out of per-CPU memory at scale), the outer
 * source set by the SEG6 "tunsrc" setting, and decapsulation with seg6local End.DX6 behind an
 * "ipproto 41" rule (linux-datapath.md, "IPv6-in-IPv6 without ip6tnl"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <linux/seg6_genl.h>

#include "common/kr_nl.h"

static uint32_t kr_seg6_nhid(const struct kr *k, uint32_t id)
{
	return kr_tunnel_table(k, id);
}

static int kr_seg6_tunnel_add(struct kr *k, uint32_t id)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = kr_msg_nexthop_seg6(kr_nl_space(k), kr_seg6_nhid(k, id), &k->tunnels[id].peer,
	                          k->uplink_ifindex);
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	kr_tunnel_table_add(k, id);
	if (kr_nl_sync(k) == 0)
		return 0;
	err = errno;
	kr_tunnel_table_del(k, id);
	kr_nl_commit(k, kr_msg_nexthop_del(kr_nl_space(k), kr_seg6_nhid(k, id)), KR_REQ_DEL, 0);
	(void)kr_nl_sync(k);
	errno = err;
	return -1;
}

/* Removing the nexthop removes every route through it. */
static int kr_seg6_tunnel_del(struct kr *k, uint32_t id)
{
	kr_tunnel_table_del(k, id);
	kr_nl_commit(k, kr_msg_nexthop_del(kr_nl_space(k), kr_seg6_nhid(k, id)), KR_REQ_DEL, 0);
	return kr_nl_sync(k);
}

static void kr_seg6_route_target(const struct kr *k, struct nlmsghdr *nlh, uint32_t id)
{
	mnl_attr_put_u32(nlh, RTA_NH_ID, kr_seg6_nhid(k, id));
}

/* --- the SEG6 generic netlink family: tunsrc --- */

struct kr_genl {
	struct mnl_socket *nl;
	uint8_t *rbuf;
	uint32_t seq;
	uint16_t family;
	struct in6_addr addr; /* GET_TUNSRC's answer */
};

static int kr_genl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct kr_attr_want want[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { MNL_TYPE_U16, 0 },
	};
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct kr_genl *g = data;

	if (kr_nl_parse(nlh, sizeof(struct genlmsghdr), want, CTRL_ATTR_MAX, tb) == 0 &&
	    tb[CTRL_ATTR_FAMILY_ID] != NULL)
		g->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

static int kr_genl_tunsrc_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct kr_attr_want want[SEG6_ATTR_MAX + 1] = {
		[SEG6_ATTR_DST] = { MNL_TYPE_BINARY, 16 },
	};
	const struct nlattr *tb[SEG6_ATTR_MAX + 1];
	struct kr_genl *g = data;

	if (kr_nl_parse(nlh, sizeof(struct genlmsghdr), want, SEG6_ATTR_MAX, tb) == 0 &&
	    tb[SEG6_ATTR_DST] != NULL)
		memcpy(&g->addr, mnl_attr_get_payload(tb[SEG6_ATTR_DST]), 16);
	return MNL_CB_OK;
}

static int kr_genl_talk(struct kr_genl *g, struct nlmsghdr *req, mnl_cb_t cb)
{
	bool intr;

	req->nlmsg_seq = ++g->seq;
	return kr_nl_talk(g->nl, g->rbuf, req, cb, g, &intr);
}

static int kr_genl_open(struct kr *k, struct kr_genl *g)
{
	alignas(struct nlmsghdr) uint8_t req[KR_MSG_MAX];

	memset(g, 0, sizeof(*g));
	g->rbuf = k->rbuf; /* the request socket is idle meanwhile */
	g->seq = k->seq;
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (g->nl == NULL || mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		return -1;
	if (kr_genl_talk(g, kr_msg_genl_family(req, SEG6_GENL_NAME), kr_genl_family_cb) == -1)
		return -1;
	if (g->family == 0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static void kr_genl_close(struct kr_genl *g)
{
	if (g->nl != NULL)
		mnl_socket_close(g->nl);
}

/* Sets the outer source of our encapsulated packets to set, remembering the value found the
 * first time (unless it is set already: then a run that did not close left it, and "::" is
 * what goes back); with set NULL, puts that value back. */
static int kr_seg6_tunsrc(struct kr *k, const struct in6_addr *set)
{
	alignas(struct nlmsghdr) uint8_t req[KR_MSG_MAX];
	struct kr_genl g;
	int ret = -1;

	if (kr_genl_open(k, &g) == -1)
		goto out;
	if (set != NULL && !k->tunsrc_saved) {
		if (kr_genl_talk(&g, kr_msg_seg6_tunsrc(req, g.family, SEG6_CMD_GET_TUNSRC, NULL),
		                 kr_genl_tunsrc_cb) == -1)
			goto out;
		/* our own address was left by an earlier run that did not close */
		k->saved_tunsrc = IN6_ARE_ADDR_EQUAL(&g.addr, set) ? in6addr_any : g.addr;
		k->tunsrc_saved = true;
	}
	ret = kr_genl_talk(&g,
	                   kr_msg_seg6_tunsrc(req, g.family, SEG6_CMD_SET_TUNSRC,
	                                      set != NULL ? set : &k->saved_tunsrc),
	                   NULL);
out:
	kr_genl_close(&g);
	return ret;
}

/* Proto-41 packets to our address meet our rule before the "local" rule: table table_base
 * decapsulates them and routes the inner packet by its destination. */
static int kr_seg6_decap_install(struct kr *k)
{
	uint32_t table = kr_tunnel_table(k, KR_DECAP_ID);
	struct nlmsghdr *nlh;

	snprintf(k->why, sizeof(k->why), "the seg6 tunnel source");
	if (kr_seg6_tunsrc(k, &k->cfg.local) == -1)
		return -1;
	snprintf(k->why, sizeof(k->why), "a seg6local End.DX6 decapsulation route");
	nlh = kr_msg_decap_route(kr_nl_space(k), table, &k->cfg.local, k->uplink_ifindex);
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	nlh = kr_msg_rule(kr_nl_space(k), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL,
	                  k->cfg.rule_priority, table, KR_RTPROT);
	kr_msg_rule_prefix(nlh, FRA_DST, &k->cfg.local, 128);
	mnl_attr_put_u8(nlh, FRA_IP_PROTO, IPPROTO_IPV6);
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	if (kr_nl_sync(k) == -1)
		return -1;
	k->why[0] = '\0';
	return kr_local_rule_move(k);
}

/* The route and the rules go with everything else tagged; the tunsrc is ours to put back. */
static void kr_seg6_decap_remove(struct kr *k)
{
	if (k->tunsrc_saved && kr_seg6_tunsrc(k, NULL) == -1)
		log_warn("kr: restoring the seg6 tunnel source");
}

const struct kr_driver_ops kr_seg6_ops = {
	.driver = KR_DRIVER_SEG6,
	.needs = "CONFIG_IPV6_SEG6_LWTUNNEL",
	.tunnel_add = kr_seg6_tunnel_add,
	.tunnel_del = kr_seg6_tunnel_del,
	.route_target = kr_seg6_route_target,
	.decap_install = kr_seg6_decap_install,
	.decap_remove = kr_seg6_decap_remove,
};
