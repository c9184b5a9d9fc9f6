/* kr_ebpf.c: the ebpf tunnel driver: RFC 2473 IPv6-in-IPv6 (the tunnel of RFC 5213 §5.6.1 /
 * §6.10) with two BPF programs and no tunnel device, so it runs on any kernel with
 * CONFIG_LWTUNNEL_BPF, CONFIG_NET_CLS_BPF and CONFIG_NET_SCH_INGRESS (linux-datapath.md):
 * - encapsulation: per peer, one nexthop object "encap bpf xmit" running bpf/kr_encap.bpf.c
 *   with that peer's addresses as read-only data; every prefix route and the tunnel's table
 *   point at it (nexthop id = tunnel table, as for seg6). The nexthop holds the program: the
 *   loader closes its copy at once, and removing the nexthop frees it.
 * - decapsulation: one tc ingress direct-action filter on the uplink running
 *   bpf/kr_decap.bpf.c; the peers it accepts are a map kept here as tunnels come and go.
 * Both programs count in one per-CPU map (kr_get_stats). Binding tags (kr_tag.c) are entries
 * of two more maps: mark to tag for every encapsulation program, tag to mark for the
 * decapsulation. Our objects are found after a crash by
 * their tag (nexthops: KR_RTPROT) and name (the filter: KR_EBPF_PREFIX, kr_clean.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "kr/kr_nl.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>

#include "kr/bpf/kr_bpf.h"
#include "kr/bpf/kr_decap.skel.h"
#include "kr/bpf/kr_encap.skel.h"

#define KR_EBPF_HEADROOM 40 /* the outer IPv6 header: the route MTU is the link's less this */

struct kr_ebpf {
	struct kr_decap *decap; /* holds the counter map and the peer map */
	bool filter;            /* our tc filter is attached */
	uint32_t headroom;      /* of every encapsulation nexthop */
};

__attribute__((format(printf, 2, 0))) static int
kr_ebpf_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("kr: libbpf: %s", line);
	return 0;
}

/* Octets before the IPv6 header on the uplink as tc sees it: 14 on Ethernet, none on an IP
 * device (tun, rawip); anything else is refused. */
/* One SIOCGIF* request about the uplink into ifr; -1 with errno. */
static int kr_ebpf_uplink_ioctl(const struct kr *k, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (s == -1)
		return -1;
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", k->cfg.uplink);
	ret = ioctl(s, req, ifr);
	close(s);
	return ret;
}

static int kr_ebpf_l2len(const struct kr *k, uint32_t *len)
{
	struct ifreq ifr;

	if (kr_ebpf_uplink_ioctl(k, SIOCGIFHWADDR, &ifr) == -1)
		return -1;
	if (ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER)
		*len = 14;
	else if (ifr.ifr_hwaddr.sa_family == ARPHRD_NONE || ifr.ifr_hwaddr.sa_family == 519)
		*len = 0; /* 519: ARPHRD_RAWIP */
	else {
		errno = EPFNOSUPPORT;
		return -1;
	}
	return 0;
}

/* Whether the uplink is a bridge whose frames pass ip6tables (br_netfilter, per namespace):
 * the outer packet then has a conntrack entry before tc sees it (linux-datapath.md). */
static bool kr_ebpf_bridge_nf(const struct kr *k)
{
	char path[128], v = '0';
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", k->cfg.uplink);
	if (access(path, F_OK) != 0)
		return false;
	if ((f = fopen("/proc/sys/net/bridge/bridge-nf-call-ip6tables", "re")) == NULL)
		return false;
	if (fread(&v, 1, 1, f) != 1)
		v = '0';
	fclose(f);
	return v == '1';
}

/* The nexthop's headroom is what the kernel takes off the uplink's MTU for the inner packets
 * (and what a Packet Too Big to their sender says): 40 for the outer header, more for a
 * configured tunnel MTU (a narrower path between the peers). The kernel allows up to 256. */
static int kr_ebpf_headroom(struct kr *k, uint32_t *headroom)
{
	struct ifreq ifr;

	*headroom = KR_EBPF_HEADROOM;
	if (k->cfg.tunnel_mtu == 0)
		return 0;
	if (kr_ebpf_uplink_ioctl(k, SIOCGIFMTU, &ifr) == -1)
		return -1;
	if (ifr.ifr_mtu < 0 || (uint32_t)ifr.ifr_mtu < k->cfg.tunnel_mtu + KR_EBPF_HEADROOM ||
	    (uint32_t)ifr.ifr_mtu > k->cfg.tunnel_mtu + LWT_BPF_MAX_HEADROOM) {
		snprintf(k->why, sizeof(k->why),
		         "tunnel MTU %u on an uplink of MTU %d: between %d and %u is possible",
		         k->cfg.tunnel_mtu, ifr.ifr_mtu, ifr.ifr_mtu - LWT_BPF_MAX_HEADROOM,
		         (unsigned)ifr.ifr_mtu - KR_EBPF_HEADROOM);
		errno = EINVAL;
		return -1;
	}
	*headroom = (uint32_t)ifr.ifr_mtu - k->cfg.tunnel_mtu;
	return 0;
}

static void kr_ebpf_why(struct kr *k, const char *step, const char *option)
{
	snprintf(k->why, sizeof(k->why), "%s (needs %s)", step, option);
}

static struct kr_decap *kr_ebpf_decap_load(struct kr *k)
{
	struct kr_decap *s;
	uint32_t l2len;
	int err;

	if (kr_ebpf_l2len(k, &l2len) == -1) {
		kr_ebpf_why(k, "the uplink's link type", "an Ethernet or IP device");
		return NULL;
	}
	libbpf_set_print(kr_ebpf_libbpf_log);
	if ((s = kr_decap__open()) == NULL)
		goto fail;
	memcpy((void *)s->rodata->kr_local, &k->cfg.local, sizeof(k->cfg.local));
	s->rodata->kr_l2len = l2len;
	s->rodata->kr_reinject = kr_ebpf_bridge_nf(k);
	if (s->rodata->kr_reinject)
		log_info("kr: %s is a bridge whose frames pass ip6tables (bridge-nf-call-ip6tables): "
		         "decapsulated packets are re-injected, so that conntrack sees them",
		         k->cfg.uplink);
	if (kr_decap__load(s) == 0)
		return s;
	err = errno;
	kr_decap__destroy(s);
	errno = err;
fail:
	kr_ebpf_why(k, "loading the decapsulation program", "CONFIG_BPF_SYSCALL and CAP_BPF");
	return NULL;
}

/* One encapsulation program toward peer, counting in the shared map and finding binding tags
 * in the other shared one, which either re-routes
 * the outer packet or lets it go on through the nexthop's gateway; NULL with errno. */
static struct kr_encap *kr_ebpf_encap_load(struct kr *k, const struct in6_addr *peer, bool reroute)
{
	struct kr_encap *s = kr_encap__open();
	int err;

	if (s == NULL)
		return NULL;
	memcpy((void *)s->rodata->kr_src, &k->cfg.local, sizeof(k->cfg.local));
	memcpy((void *)s->rodata->kr_dst, peer, sizeof(*peer));
	s->rodata->kr_reroute = reroute;
	if (bpf_map__reuse_fd(s->maps.kr_stats, bpf_map__fd(k->ebpf->decap->maps.kr_stats)) == 0 &&
	    bpf_map__reuse_fd(s->maps.kr_encap_tags,
	                      bpf_map__fd(k->ebpf->decap->maps.kr_encap_tags)) == 0 &&
	    kr_encap__load(s) == 0)
		return s;
	err = errno;
	kr_encap__destroy(s);
	errno = err;
	return NULL;
}

static uint32_t kr_ebpf_nhid(const struct kr *k, uint32_t id)
{
	return kr_tunnel_table(k, id);
}

/* The nexthop "encap bpf xmit" toward peer with id nhid, sent as kind: with the peer as its
 * gateway (direct) or without (the program re-routes). */
static int kr_ebpf_nexthop_try(struct kr *k, uint32_t nhid, const struct in6_addr *peer,
                               bool direct, enum kr_req_kind kind)
{
	struct kr_encap *s = kr_ebpf_encap_load(k, peer, !direct);
	struct nlmsghdr *nlh;
	int ret;

	if (s == NULL) {
		kr_ebpf_why(k, "loading an encapsulation program", "CONFIG_BPF_SYSCALL and CAP_BPF");
		return -1;
	}
	nlh = kr_msg_nexthop_bpf(kr_nl_space(k), nhid, bpf_program__fd(s->progs.kr_encap),
	                         KR_EBPF_PREFIX "_encap", k->ebpf->headroom, k->uplink_ifindex,
	                         direct ? peer : NULL);
	kr_nl_commit(k, nlh, kind, 0);
	ret = kr_nl_sync(k); /* the request carries the program's fd: send it before closing */
	kr_encap__destroy(s);
	if (ret == -1)
		kr_ebpf_why(k, "an \"encap bpf\" nexthop", "CONFIG_LWTUNNEL_BPF");
	return ret;
}

/* The nexthop toward peer. The kernel takes the peer as the nexthop's gateway only when the
 * peer is on-link on the uplink: then the outer packet goes to the peer's neighbour entry with
 * no second route lookup (doc/datapath.md); otherwise (a router between us) it is routed again.
 * The choice is made when the tunnel is made. */
static int kr_ebpf_nexthop_queue(struct kr *k, uint32_t nhid, const struct in6_addr *peer,
                                 enum kr_req_kind kind)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, peer, a, sizeof(a));
	if (kr_ebpf_nexthop_try(k, nhid, peer, true, KR_REQ_QUIET) == 0) {
		log_debug("kr: peer %s is on-link on %s: encapsulated packets go to it directly", a,
		          k->cfg.uplink);
		return 0;
	}
	log_debug("kr: peer %s is not on-link on %s: encapsulated packets are routed", a,
	          k->cfg.uplink);
	return kr_ebpf_nexthop_try(k, nhid, peer, false, kind);
}

static int kr_ebpf_peer_set(struct kr *k, uint32_t id, bool on)
{
	int fd = bpf_map__fd(k->ebpf->decap->maps.kr_peers);
	const struct in6_addr *peer = &k->tunnels[id].peer;

	if (on)
		return bpf_map_update_elem(fd, peer, &id, BPF_ANY);
	if (bpf_map_delete_elem(fd, peer) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

static void kr_ebpf_nexthop_del(struct kr *k, uint32_t id)
{
	kr_nl_commit(k, kr_msg_nexthop_del(kr_nl_space(k), kr_ebpf_nhid(k, id)), KR_REQ_DEL, 0);
}

static int kr_ebpf_tunnel_add(struct kr *k, uint32_t id)
{
	int err;

	if (kr_ebpf_nexthop_queue(k, kr_ebpf_nhid(k, id), &k->tunnels[id].peer, KR_REQ_SYNC) == -1)
		return -1;
	kr_tunnel_table_add(k, id);
	if (kr_nl_sync(k) == 0 && kr_ebpf_peer_set(k, id, true) == 0)
		return 0;
	err = errno;
	kr_tunnel_table_del(k, id);
	kr_ebpf_nexthop_del(k, id);
	(void)kr_nl_sync(k);
	errno = err;
	return -1;
}

/* Removing the nexthop removes every route through it, and frees the program. */
static int kr_ebpf_tunnel_del(struct kr *k, uint32_t id)
{
	int ret = kr_ebpf_peer_set(k, id, false);

	kr_tunnel_table_del(k, id);
	kr_ebpf_nexthop_del(k, id);
	return kr_nl_sync(k) == -1 ? -1 : ret;
}

static void kr_ebpf_route_target(const struct kr *k, struct nlmsghdr *nlh, uint32_t id)
{
	mnl_attr_put_u32(nlh, RTA_NH_ID, kr_ebpf_nhid(k, id));
}

/* The clsact qdisc on the uplink (someone else's is fine), then our filter. */
static int kr_ebpf_filter_attach(struct kr *k)
{
	struct nlmsghdr *nlh;

	nlh = kr_msg_clsact(kr_nl_space(k), RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL,
	                    k->uplink_ifindex);
	kr_nl_commit(k, nlh, KR_REQ_QUIET, 0);
	if (kr_nl_sync(k) == -1 && errno != EEXIST) {
		kr_ebpf_why(k, "a clsact qdisc on the uplink", "CONFIG_NET_SCH_INGRESS");
		return -1;
	}
	nlh = kr_msg_tc_filter(kr_nl_space(k), RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL,
	                       k->uplink_ifindex, KR_EBPF_TC_PRIO, KR_EBPF_TC_HANDLE,
	                       bpf_program__fd(k->ebpf->decap->progs.kr_decap),
	                       KR_EBPF_PREFIX "_decap");
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	if (kr_nl_sync(k) == -1) {
		kr_ebpf_why(k, "a tc bpf filter on the uplink's ingress", "CONFIG_NET_CLS_BPF");
		return -1;
	}
	k->ebpf->filter = true;
	return 0;
}

/* The programs' maps exist once the decapsulation program is loaded (not yet attached). */
static int kr_ebpf_prepare(struct kr *k)
{
	if (k->ebpf == NULL && (k->ebpf = calloc(1, sizeof(*k->ebpf))) == NULL)
		return -1;
	if (k->ebpf->decap == NULL && (k->ebpf->decap = kr_ebpf_decap_load(k)) == NULL)
		return -1;
	return kr_ebpf_headroom(k, &k->ebpf->headroom);
}

static int kr_ebpf_decap_install(struct kr *k)
{
	if (kr_ebpf_prepare(k) == -1)
		return -1;
	return kr_ebpf_filter_attach(k);
}

/* Our filter goes, and the clsact qdisc with it when no filter is left on it. */
static void kr_ebpf_decap_remove(struct kr *k)
{
	if (k->ebpf == NULL)
		return;
	if (k->ebpf->filter && kr_tc_filter_remove(k) == -1)
		log_warn("kr: removing the tc decapsulation filter");
	if (k->ebpf->decap != NULL)
		kr_decap__destroy(k->ebpf->decap);
	free(k->ebpf);
	k->ebpf = NULL;
}

/* Whether the kernel loads our programs and takes an "encap bpf" nexthop (made and removed at
 * once, under an id no tunnel uses); the tc side is tried by decap_install itself. */
static int kr_ebpf_probe(struct kr *k)
{
	uint32_t nhid = kr_ebpf_nhid(k, KR_DECAP_ID);

	if (kr_ebpf_prepare(k) == -1)
		return -1;
	if (kr_ebpf_nexthop_try(k, nhid, &k->cfg.local, false, KR_REQ_QUIET) == -1)
		return -1;
	kr_nl_commit(k, kr_msg_nexthop_del(kr_nl_space(k), nhid), KR_REQ_DEL, 0);
	return kr_nl_sync(k);
}

static uint64_t kr_ebpf_stat(int fd, uint32_t slot, uint64_t *vals)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(fd, &slot, vals) == -1)
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

static void kr_ebpf_stats(const struct kr *k, struct kr_stats *st)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	uint64_t *vals;

	if (k->ebpf == NULL || k->ebpf->decap == NULL || ncpu <= 0 ||
	    (vals = calloc((size_t)ncpu, sizeof(*vals))) == NULL)
		return;
	fd = bpf_map__fd(k->ebpf->decap->maps.kr_stats);
	st->encapsulated = kr_ebpf_stat(fd, KR_BPF_ENCAP, vals);
	st->encap_errors = kr_ebpf_stat(fd, KR_BPF_ENCAP_ERR, vals);
	st->decapsulated = kr_ebpf_stat(fd, KR_BPF_DECAP, vals);
	st->unknown_peer = kr_ebpf_stat(fd, KR_BPF_UNKNOWN_PEER, vals);
	st->decap_errors = kr_ebpf_stat(fd, KR_BPF_DECAP_ERR, vals);
	st->encap_tagged = kr_ebpf_stat(fd, KR_BPF_ENCAP_TAGGED, vals);
	st->decap_tagged = kr_ebpf_stat(fd, KR_BPF_DECAP_TAGGED, vals);
	free(vals);
}

/* A binding tag's entry (kr_tag.c): in the map every encapsulation program reads (mark to tag)
 * or in the decapsulation's (tag to mark). */
static int kr_ebpf_tag_map(struct kr *k, bool decap, uint32_t key, uint32_t value, bool on)
{
	const struct kr_decap *s = k->ebpf->decap;
	int fd = bpf_map__fd(decap ? s->maps.kr_decap_tags : s->maps.kr_encap_tags);

	if (on)
		return bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST);
	if (bpf_map_delete_elem(fd, &key) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

const struct kr_driver_ops kr_ebpf_ops = {
	.driver = KR_DRIVER_EBPF,
	.needs = "CONFIG_BPF_SYSCALL, CONFIG_LWTUNNEL_BPF, CONFIG_NET_CLS_BPF or "
	         "CONFIG_NET_SCH_INGRESS",
	.tunnel_add = kr_ebpf_tunnel_add,
	.tunnel_del = kr_ebpf_tunnel_del,
	.route_target = kr_ebpf_route_target,
	.decap_install = kr_ebpf_decap_install,
	.decap_remove = kr_ebpf_decap_remove,
	.probe = kr_ebpf_probe,
	.stats = kr_ebpf_stats,
	.tag_map = kr_ebpf_tag_map,
};
