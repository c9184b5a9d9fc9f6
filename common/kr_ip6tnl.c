/* kr_ip6tnl.c: the ip6tnl tunnel driver: one ip6_tunnel device per peer (RFC 2473, mode
 * ip6ip6, named KR_IFNAME_PREFIX<id>), built by libnl-route-3 and sent through the kernel side's
 * own batched, acknowledged socket. The device decapsulates what the peer sends to us, so no
 * rule has to move. KR_DRIVER_AUTO takes this driver when /sys/module/ip6_tunnel exists (the
 * module is loaded or built in) or when a probe device can be made (which loads the module if
 * the kernel has it as one); the probe device is created down and removed at once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* <net/if.h> (through kr.h) before <linux/if.h> (through the others): the other order clashes */
#include "common/kr_nl.h"

#include <linux/ip6_tunnel.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ip6tnl.h>

#define KR_IP6TNL_PROBE KR_IFNAME_PREFIX "0" /* tunnel ids start at 1: never a real tunnel */

/* No Tunnel Encapsulation Limit option (ip6tnl adds one by default): the outer header's Next
 * Header is then 41, as the seg6 driver and its "ipproto 41" rule at the peer expect. */
static int kr_ip6tnl_fill(struct rtnl_link *l, const char *name, const struct in6_addr *local,
                          const struct in6_addr *remote, unsigned link, bool up)
{
	struct in6_addr a = *local, b = *remote; /* libnl takes them non-const */

	rtnl_link_set_name(l, name);
	if (up)
		rtnl_link_set_flags(l, IFF_UP);
	if (rtnl_link_ip6_tnl_set_link(l, link) < 0 || rtnl_link_ip6_tnl_set_local(l, &a) < 0 ||
	    rtnl_link_ip6_tnl_set_remote(l, &b) < 0 ||
	    rtnl_link_ip6_tnl_set_proto(l, IPPROTO_IPV6) < 0 ||
	    rtnl_link_ip6_tnl_set_ttl(l, 64) < 0 ||
	    rtnl_link_ip6_tnl_set_flags(l, IP6_TNL_F_IGN_ENCAP_LIMIT) < 0)
		return -1;
	return 0;
}

struct nlmsghdr *kr_msg_ip6tnl_link(void *buf, size_t len, const char *name,
                                    const struct in6_addr *local, const struct in6_addr *remote,
                                    unsigned link, bool up)
{
	struct rtnl_link *l = rtnl_link_ip6_tnl_alloc();
	struct nl_msg *msg = NULL;
	struct nlmsghdr *nlh = NULL, *src;

	if (l == NULL)
		return NULL;
	if (kr_ip6tnl_fill(l, name, local, remote, link, up) == 0 &&
	    rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, &msg) == 0) {
		src = nlmsg_hdr(msg);
		if (src->nlmsg_len <= len) {
			nlh = memcpy(buf, src, src->nlmsg_len);
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
		}
		nlmsg_free(msg);
	}
	rtnl_link_put(l);
	return nlh;
}

static int kr_ip6tnl_link_del(struct kr *k, unsigned ifindex)
{
	kr_nl_commit(k, kr_msg_link_del(kr_nl_space(k), ifindex), KR_REQ_DEL, 0);
	return kr_nl_sync(k);
}

bool kr_ip6tnl_probe(struct kr *k)
{
	struct nlmsghdr *nlh;
	unsigned ifindex;

	if (access("/sys/module/ip6_tunnel", F_OK) == 0)
		return true;
	nlh = kr_msg_ip6tnl_link(kr_nl_space(k), KR_MSG_MAX, KR_IP6TNL_PROBE, &k->cfg.local,
	                         &in6addr_any, k->uplink_ifindex, false);
	if (nlh == NULL)
		return false;
	kr_nl_commit(k, nlh, KR_REQ_QUIET, 0);
	if (kr_nl_sync(k) == -1) {
		log_debug("kr: no ip6tnl here: %s", strerror(errno));
		return false;
	}
	ifindex = if_nametoindex(KR_IP6TNL_PROBE);
	if (ifindex != 0)
		(void)kr_ip6tnl_link_del(k, ifindex);
	return true;
}

static int kr_ip6tnl_tunnel_add(struct kr *k, uint32_t id)
{
	struct kr_tunnel *t = &k->tunnels[id];
	char name[IFNAMSIZ];
	struct nlmsghdr *nlh;
	int err;

	snprintf(name, sizeof(name), "%s%u", KR_IFNAME_PREFIX, (unsigned)id);
	nlh = kr_msg_ip6tnl_link(kr_nl_space(k), KR_MSG_MAX, name, &k->cfg.local, &t->peer,
	                         k->uplink_ifindex, true);
	if (nlh == NULL) {
		errno = ENOMEM;
		return -1;
	}
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	if (kr_nl_sync(k) == -1)
		return -1;
	t->ifindex = if_nametoindex(name);
	if (t->ifindex != 0) {
		kr_tunnel_table_add(k, id);
		if (kr_nl_sync(k) == 0)
			return 0;
	}
	err = t->ifindex != 0 ? errno : ENODEV;
	kr_tunnel_table_del(k, id);
	if (t->ifindex != 0)
		(void)kr_ip6tnl_link_del(k, t->ifindex);
	errno = err;
	return -1;
}

/* Removing the device removes every route through it. */
static int kr_ip6tnl_tunnel_del(struct kr *k, uint32_t id)
{
	kr_tunnel_table_del(k, id);
	return kr_ip6tnl_link_del(k, k->tunnels[id].ifindex);
}

static void kr_ip6tnl_route_target(const struct kr *k, struct nlmsghdr *nlh, uint32_t id)
{
	mnl_attr_put_u32(nlh, RTA_OIF, k->tunnels[id].ifindex);
}

static int kr_ip6tnl_probe_op(struct kr *k)
{
	if (kr_ip6tnl_probe(k))
		return 0;
	snprintf(k->why, sizeof(k->why), "an ip6tnl device");
	errno = EOPNOTSUPP;
	return -1;
}

static int kr_ip6tnl_decap_install(struct kr *k)
{
	(void)k;
	return 0;
}

static void kr_ip6tnl_decap_remove(struct kr *k)
{
	(void)k;
}

const struct kr_driver_ops kr_ip6tnl_ops = {
	.driver = KR_DRIVER_IP6TNL,
	.needs = "CONFIG_IPV6_TUNNEL",
	.tunnel_add = kr_ip6tnl_tunnel_add,
	.tunnel_del = kr_ip6tnl_tunnel_del,
	.route_target = kr_ip6tnl_route_target,
	.decap_install = kr_ip6tnl_decap_install,
	.decap_remove = kr_ip6tnl_decap_remove,
	.probe = kr_ip6tnl_probe_op,
};
