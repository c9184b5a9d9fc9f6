/* kr_clean.c: finding our objects in the kernel by their tag and removing them, at start (what a
 * crashed run left) and at close (what this run installed): rules, nexthops, ip6tnl devices,
 * routes and addresses tagged KR_RTPROT or named KR_IFNAME_PREFIX*, the ebpf driver's tc filter
 * on the uplink (named KR_EBPF_PREFIX*), nothing else. Also the move
 * of the priority-0 "local" rule behind our decapsulation rule, and putting it back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/nexthop.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "common/kr_nl.h"

#define KR_RTPROT_KERNEL 2 /* RTPROT_KERNEL: the protocol of the kernel's own "local" rule */
#define KR_CLEAN_ROUNDS  3 /* dumps redone when the kernel says one was interrupted */

/* Removal requests collected during a dump, sent once the dump is read. */
struct kr_dels {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

static void *kr_dels_room(struct kr_dels *d)
{
	uint8_t *nb;

	if (d->cap - d->len >= KR_MSG_MAX)
		return d->buf + d->len;
	nb = realloc(d->buf, d->cap * 2 + KR_MSG_MAX * 16);
	if (nb == NULL)
		return NULL;
	d->buf = nb;
	d->cap = d->cap * 2 + KR_MSG_MAX * 16;
	return d->buf + d->len;
}

static void kr_dels_done(struct kr_dels *d, const struct nlmsghdr *nlh)
{
	d->len += MNL_ALIGN(nlh->nlmsg_len);
}

static int kr_dels_copy(struct kr_dels *d, const struct nlmsghdr *nlh, uint16_t type)
{
	struct nlmsghdr *c = kr_dels_room(d);

	if (c == NULL || nlh->nlmsg_len > KR_MSG_MAX)
		return MNL_CB_ERROR;
	memcpy(c, nlh, nlh->nlmsg_len);
	c->nlmsg_type = type;
	c->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	kr_dels_done(d, c);
	return MNL_CB_OK;
}

/* Queues the collected removals and waits for them; "already gone" is fine. */
static int kr_dels_send(struct kr *k, struct kr_dels *d)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)d->buf;
	int len = (int)d->len;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		void *room = kr_nl_space(k);

		memcpy(room, nlh, nlh->nlmsg_len);
		kr_nl_commit(k, room, KR_REQ_DEL, 0);
	}
	free(d->buf);
	memset(d, 0, sizeof(*d));
	return kr_nl_sync(k);
}

/* Dumps with the request made by mkreq, removes what cb collected, and dumps again while the
 * kernel says a dump was interrupted by a change. */
static int kr_clean_pass(struct kr *k, struct nlmsghdr *(*mkreq)(void *), mnl_cb_t cb)
{
	alignas(struct nlmsghdr) uint8_t req[KR_MSG_MAX];
	struct kr_dels d = { 0 };
	int ret = 1;

	for (int round = 0; ret == 1 && round < KR_CLEAN_ROUNDS; round++) {
		ret = kr_nl_dump(k, mkreq(req), cb, &d);
		if (ret != -1 && kr_dels_send(k, &d) == -1)
			return -1;
	}
	free(d.buf);
	return ret == -1 ? -1 : 0;
}

static struct nlmsghdr *kr_dump_req(void *buf, uint16_t type, size_t hdrlen, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint8_t *h;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	h[0] = family; /* every family header starts with its family */
	return nlh;
}

/* --- rules --- */

struct kr_rule_scan {
	struct kr_dels dels;
	bool local0;    /* a priority-0 rule to the local table */
	bool our_local; /* our moved "local" rule */
	alignas(struct nlmsghdr) uint8_t local0_msg[KR_MSG_MAX];
};

static const struct kr_attr_want kr_rule_want[FRA_MAX + 1] = {
	[FRA_PRIORITY] = { MNL_TYPE_U32, 0 },
	[FRA_TABLE] = { MNL_TYPE_U32, 0 },
	[FRA_PROTOCOL] = { MNL_TYPE_U8, 0 },
};

static int kr_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kr_rule_scan *s = data;
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[FRA_MAX + 1];
	uint32_t table, prio;
	uint8_t proto;

	if (nlh->nlmsg_type != RTM_NEWRULE ||
	    kr_nl_parse(nlh, sizeof(*frh), kr_rule_want, FRA_MAX, tb) == -1 ||
	    frh->family != AF_INET6)
		return MNL_CB_OK;
	table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh->table;
	prio = tb[FRA_PRIORITY] ? mnl_attr_get_u32(tb[FRA_PRIORITY]) : 0;
	proto = tb[FRA_PROTOCOL] ? mnl_attr_get_u8(tb[FRA_PROTOCOL]) : 0;
	if (proto != KR_RTPROT) {
		if (prio == 0 && table == KR_LOCAL_TABLE && nlh->nlmsg_len <= KR_MSG_MAX) {
			s->local0 = true;
			memcpy(s->local0_msg, nlh, nlh->nlmsg_len);
		}
		return MNL_CB_OK;
	}
	if (table == KR_LOCAL_TABLE)
		s->our_local = true;
	return kr_dels_copy(&s->dels, nlh, RTM_DELRULE); /* as "ip rule flush" does */
}

static struct nlmsghdr *kr_rule_req(void *buf)
{
	return kr_dump_req(buf, RTM_GETRULE, sizeof(struct fib_rule_hdr), AF_INET6);
}

static int kr_rule_scan(struct kr *k, struct kr_rule_scan *s)
{
	alignas(struct nlmsghdr) uint8_t req[KR_MSG_MAX];

	memset(s, 0, sizeof(*s));
	return kr_nl_dump(k, kr_rule_req(req), kr_rule_cb, s) == -1 ? -1 : 0;
}

/* Puts "pref 0 lookup local" back, as the kernel made it. */
static void kr_local0_queue(struct kr *k)
{
	struct nlmsghdr *nlh = kr_msg_rule(kr_nl_space(k), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL,
	                                   0, KR_LOCAL_TABLE, KR_RTPROT_KERNEL);

	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
}

/* Our rules go, the "local" rule comes back to priority 0 first if we had moved it. */
static int kr_clean_rules(struct kr *k)
{
	struct kr_rule_scan *s = malloc(sizeof(*s));
	int ret = -1;

	if (s == NULL)
		return -1;
	if (kr_rule_scan(k, s) == 0) {
		if (s->our_local && !s->local0)
			kr_local0_queue(k);
		ret = kr_nl_sync(k);
		if (ret == 0)
			ret = kr_dels_send(k, &s->dels);
		else
			free(s->dels.buf);
	}
	if (ret == 0)
		k->local_moved = false;
	free(s);
	return ret;
}

/* Decapsulation needs our rule before the "local" rule: the local rule moves to just after our
 * priority (added there first, then removed from 0, so that it is never missing). A local rule
 * that someone else already moved is left alone. */
int kr_local_rule_move(struct kr *k)
{
	struct kr_rule_scan *s = malloc(sizeof(*s));
	struct nlmsghdr *nlh;
	int ret = -1;

	if (s == NULL || kr_rule_scan(k, s) == -1)
		goto out;
	free(s->dels.buf);
	ret = 0;
	if (!s->local0) {
		log_warnx("kr: no priority-0 \"local\" rule; leaving the rules as they are");
		goto out;
	}
	nlh = kr_msg_rule(kr_nl_space(k), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL,
	                  k->cfg.rule_priority + KR_PRIO_LOCAL, KR_LOCAL_TABLE, KR_RTPROT);
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	if ((ret = kr_nl_sync(k)) == -1)
		goto out;
	nlh = kr_nl_space(k);
	memcpy(nlh, s->local0_msg, ((struct nlmsghdr *)s->local0_msg)->nlmsg_len);
	nlh->nlmsg_type = RTM_DELRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	ret = kr_nl_sync(k);
	k->local_moved = ret == 0;
out:
	free(s);
	return ret;
}

/* --- nexthops --- */

static const struct kr_attr_want kr_nh_want[NHA_MAX + 1] = {
	[NHA_ID] = { MNL_TYPE_U32, 0 },
};

static int kr_nh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nhmsg *nhm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NHA_MAX + 1];
	void *room;

	if (nlh->nlmsg_type != RTM_NEWNEXTHOP ||
	    kr_nl_parse(nlh, sizeof(*nhm), kr_nh_want, NHA_MAX, tb) == -1 ||
	    nhm->nh_protocol != KR_RTPROT || tb[NHA_ID] == NULL)
		return MNL_CB_OK;
	room = kr_dels_room(data);
	if (room == NULL)
		return MNL_CB_ERROR;
	kr_dels_done(data, kr_msg_nexthop_del(room, mnl_attr_get_u32(tb[NHA_ID])));
	return MNL_CB_OK;
}

static struct nlmsghdr *kr_nh_req(void *buf)
{
	return kr_dump_req(buf, RTM_GETNEXTHOP, sizeof(struct nhmsg), AF_UNSPEC);
}

/* --- links --- */

static const struct kr_attr_want kr_link_want[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { MNL_TYPE_NUL_STRING, 0 },
};

static int kr_link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1];
	void *room;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    kr_nl_parse(nlh, sizeof(*ifi), kr_link_want, IFLA_MAX, tb) == -1 ||
	    tb[IFLA_IFNAME] == NULL || ifi->ifi_index <= 0 ||
	    strncmp(mnl_attr_get_str(tb[IFLA_IFNAME]), KR_IFNAME_PREFIX,
	            strlen(KR_IFNAME_PREFIX)) != 0)
		return MNL_CB_OK;
	room = kr_dels_room(data);
	if (room == NULL)
		return MNL_CB_ERROR;
	kr_dels_done(data, kr_msg_link_del(room, (unsigned)ifi->ifi_index));
	return MNL_CB_OK;
}

static struct nlmsghdr *kr_link_req(void *buf)
{
	return kr_dump_req(buf, RTM_GETLINK, sizeof(struct ifinfomsg), AF_UNSPEC);
}

/* --- routes --- */

static const struct kr_attr_want kr_route_want[RTA_MAX + 1] = {
	[RTA_DST] = { MNL_TYPE_BINARY, 16 },
	[RTA_SRC] = { MNL_TYPE_BINARY, 16 },
	[RTA_TABLE] = { MNL_TYPE_U32, 0 },
	[RTA_PRIORITY] = { MNL_TYPE_U32, 0 },
};

/* A removal naming the route exactly (a dumped route cannot be sent back as it is: with a
 * nexthop id it also carries the nexthop's device and encap, which a request may not). */
static int kr_route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];
	struct nlmsghdr *del;
	struct rtmsg *drtm;
	void *room;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    kr_nl_parse(nlh, sizeof(*rtm), kr_route_want, RTA_MAX, tb) == -1 ||
	    rtm->rtm_family != AF_INET6 || rtm->rtm_protocol != KR_RTPROT ||
	    (rtm->rtm_dst_len > 0 && tb[RTA_DST] == NULL) ||
	    (rtm->rtm_src_len > 0 && tb[RTA_SRC] == NULL) || rtm->rtm_dst_len > 128 ||
	    rtm->rtm_src_len > 128)
		return MNL_CB_OK;
	if ((room = kr_dels_room(data)) == NULL)
		return MNL_CB_ERROR;
	del = kr_msg_route(room, RTM_DELROUTE, 0,
	                   tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table,
	                   tb[RTA_DST] ? mnl_attr_get_payload(tb[RTA_DST]) : NULL,
	                   rtm->rtm_dst_len);
	drtm = mnl_nlmsg_get_payload(del);
	drtm->rtm_type = rtm->rtm_type;
	drtm->rtm_src_len = rtm->rtm_src_len;
	if (rtm->rtm_src_len > 0)
		mnl_attr_put(del, RTA_SRC, 16, mnl_attr_get_payload(tb[RTA_SRC]));
	if (tb[RTA_PRIORITY] != NULL)
		mnl_attr_put_u32(del, RTA_PRIORITY, mnl_attr_get_u32(tb[RTA_PRIORITY]));
	kr_dels_done(data, del);
	return MNL_CB_OK;
}

/* With strict checking the kernel itself leaves out routes of other protocols. */
static struct nlmsghdr *kr_route_req(void *buf)
{
	struct nlmsghdr *nlh = kr_dump_req(buf, RTM_GETROUTE, sizeof(struct rtmsg), AF_INET6);
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	rtm->rtm_protocol = KR_RTPROT;
	return nlh;
}

/* --- addresses --- */

static const struct kr_attr_want kr_addr_want[IFA_MAX + 1] = {
	[IFA_ADDRESS] = { MNL_TYPE_BINARY, 16 },
	[IFA_LOCAL] = { MNL_TYPE_BINARY, 16 },
	[IFA_PROTO] = { MNL_TYPE_U8, 0 },
};

static int kr_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1], *a;
	void *room;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    kr_nl_parse(nlh, sizeof(*ifa), kr_addr_want, IFA_MAX, tb) == -1 ||
	    ifa->ifa_family != AF_INET6 || tb[IFA_PROTO] == NULL ||
	    mnl_attr_get_u8(tb[IFA_PROTO]) != KR_RTPROT || ifa->ifa_prefixlen > 128)
		return MNL_CB_OK;
	a = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (a == NULL)
		return MNL_CB_OK;
	if ((room = kr_dels_room(data)) == NULL)
		return MNL_CB_ERROR;
	kr_dels_done(data, kr_msg_addr(room, RTM_DELADDR, 0, ifa->ifa_index,
	                               mnl_attr_get_payload(a), ifa->ifa_prefixlen));
	return MNL_CB_OK;
}

static struct nlmsghdr *kr_addr_req(void *buf)
{
	return kr_dump_req(buf, RTM_GETADDR, sizeof(struct ifaddrmsg), AF_INET6);
}

/* --- tc filters on the uplink (the ebpf driver's decapsulation) --- */

struct kr_tc_scan {
	struct kr_dels dels;
	unsigned others; /* filters that are not ours */
};

static int kr_tc_name_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TCA_BPF_NAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
	    strncmp(mnl_attr_get_str(a), KR_EBPF_PREFIX, strlen(KR_EBPF_PREFIX)) == 0)
		*(bool *)data = true;
	return MNL_CB_OK;
}

static bool kr_tc_is_ours(const struct nlattr *kind, const struct nlattr *opts)
{
	bool ours = false;

	if (kind == NULL || opts == NULL || strcmp(mnl_attr_get_str(kind), "bpf") != 0)
		return false;
	(void)mnl_attr_parse_nested(opts, kr_tc_name_cb, &ours);
	return ours;
}

static const struct kr_attr_want kr_tc_want[TCA_MAX + 1] = {
	[TCA_KIND] = { MNL_TYPE_NUL_STRING, 0 },
	[TCA_OPTIONS] = { MNL_TYPE_NESTED, 0 },
};

/* One message per filter; the one with handle 0 only names a priority's classifier. */
static int kr_tc_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1];
	struct kr_tc_scan *s = data;
	struct nlmsghdr *del;
	void *room;

	if (nlh->nlmsg_type != RTM_NEWTFILTER ||
	    kr_nl_parse(nlh, sizeof(*tcm), kr_tc_want, TCA_MAX, tb) == -1 || tcm->tcm_handle == 0)
		return MNL_CB_OK;
	if (!kr_tc_is_ours(tb[TCA_KIND], tb[TCA_OPTIONS])) {
		s->others++;
		return MNL_CB_OK;
	}
	if ((room = kr_dels_room(&s->dels)) == NULL)
		return MNL_CB_ERROR;
	del = kr_msg_tc_filter(room, RTM_DELTFILTER, 0, (unsigned)tcm->tcm_ifindex,
	                       (uint16_t)(tcm->tcm_info >> 16), tcm->tcm_handle, -1, NULL);
	((struct tcmsg *)mnl_nlmsg_get_payload(del))->tcm_info = tcm->tcm_info;
	kr_dels_done(&s->dels, del);
	return MNL_CB_OK;
}

/* Scans one hook of the uplink's clsact qdisc; no qdisc there means nothing to find. */
static int kr_tc_scan_hook(struct kr *k, uint32_t hook, struct kr_tc_scan *s)
{
	alignas(struct nlmsghdr) uint8_t req[KR_MSG_MAX];
	struct nlmsghdr *nlh = kr_msg_tc_filter_dump(req, k->uplink_ifindex);

	((struct tcmsg *)mnl_nlmsg_get_payload(nlh))->tcm_parent = TC_H_MAKE(TC_H_CLSACT, hook);
	if (kr_nl_dump(k, nlh, kr_tc_cb, s) == -1 && errno != EINVAL && errno != ENOENT)
		return -1;
	return 0;
}

/* Our filters go from the uplink, and its clsact qdisc too once no filter is left on it (we
 * made it, or a run of ours did: an empty clsact does nothing). */
int kr_tc_filter_remove(struct kr *k)
{
	struct kr_tc_scan s = { 0 };

	if (kr_tc_scan_hook(k, TC_H_MIN_INGRESS, &s) == -1 ||
	    kr_tc_scan_hook(k, TC_H_MIN_EGRESS, &s) == -1) {
		free(s.dels.buf);
		return -1;
	}
	if (s.dels.len == 0 && s.others > 0)
		return 0;
	if (kr_dels_send(k, &s.dels) == -1)
		return -1;
	if (s.others > 0)
		return 0;
	/* the kernel says EINVAL when the device has no clsact qdisc */
	kr_nl_commit(k, kr_msg_clsact(kr_nl_space(k), RTM_DELQDISC, 0, k->uplink_ifindex),
	             KR_REQ_QUIET, 0);
	if (kr_nl_sync(k) == -1 && errno != EINVAL && errno != ENOENT)
		return -1;
	return 0;
}

/* Rules first (traffic stops using our tables), then nexthops and devices (the kernel drops
 * every route through them at once, however many), then the routes left, then addresses. */
int kr_clean_all(struct kr *k)
{
	int ret = 0;

	if (kr_clean_rules(k) == -1)
		ret = -1;
	if (kr_clean_pass(k, kr_nh_req, kr_nh_cb) == -1)
		ret = -1;
	if (kr_clean_pass(k, kr_link_req, kr_link_cb) == -1)
		ret = -1;
	if (kr_clean_pass(k, kr_route_req, kr_route_cb) == -1)
		ret = -1;
	if (kr_clean_pass(k, kr_addr_req, kr_addr_cb) == -1)
		ret = -1;
	if (kr_tc_filter_remove(k) == -1)
		ret = -1;
	return ret;
}
