/* kr.c: the kernel side's public face (kr.h): opening and closing, tunnels and their tables
 * (RFC 5213 §5.6.1 / §6.10: one bidirectional tunnel per peer; draft-bernardos-mif-pmip-02
 * §5.3.2: one routing table per tunnel, chosen by fwmark), and the queued route and rule
 * changes. Tunnel table N is cfg->table_base + N, and its fwmark is the same number;
 * table_base itself (N = 0) holds the seg6 decapsulation route. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "kr/kr_nl.h"

static int kr_config_check(const struct kr_config *cfg, char *err, size_t errlen)
{
	uint32_t base = cfg->table_base;

	if ((unsigned)cfg->driver >= KR_DRIVER_COUNT)
		snprintf(err, errlen, "unknown tunnel driver %d", (int)cfg->driver);
	else if (IN6_IS_ADDR_UNSPECIFIED(&cfg->local) || IN6_IS_ADDR_MULTICAST(&cfg->local))
		snprintf(err, errlen, "local tunnel address must be a unicast address");
	else if (memchr(cfg->uplink, '\0', sizeof(cfg->uplink)) == NULL || cfg->uplink[0] == '\0')
		snprintf(err, errlen, "uplink device name missing or too long");
	else if (base == 0 || base > UINT32_MAX - KR_MAX_TUNNELS - KR_MAX_TAGS ||
	         (base < 256 && base + KR_MAX_TUNNELS >= 252))
		snprintf(err, errlen, "table base %u: tables %u..%u must avoid 0 and 252-255", base,
		         base, base + KR_MAX_TUNNELS);
	else if (cfg->rule_priority == 0 || cfg->rule_priority > KR_RULE_PRIORITY_MAX)
		snprintf(err, errlen, "rule priority %u out of 1..%u", cfg->rule_priority,
			 KR_RULE_PRIORITY_MAX);
	else
		return 0;
	return -1;
}

/* "auto" tries the drivers in this order: ebpf needs no device per peer and no global setting,
 * and lets netfilter see both directions of every connection; ip6tnl is the kernel's own tunnel;
 * seg6 comes last (its decapsulated packets skip netfilter unless a host-wide sysctl is set). */
static const struct kr_driver_ops *const kr_auto_order[] = {
	&kr_ebpf_ops,
	&kr_ip6tnl_ops,
	&kr_seg6_ops,
};

static const struct kr_driver_ops *kr_driver_ops_of(enum kr_driver d)
{
	for (size_t i = 0; i < sizeof(kr_auto_order) / sizeof(kr_auto_order[0]); i++)
		if (kr_auto_order[i]->driver == d)
			return kr_auto_order[i];
	return NULL;
}

static int kr_driver_try(struct kr *k, const struct kr_driver_ops *ops)
{
	k->ops = ops;
	k->why[0] = '\0';
	if ((ops->probe == NULL || ops->probe(k) == 0) && ops->decap_install(k) == 0)
		return 0;
	return -1;
}

/* Appends "driver: why" of a refused driver to the reasons an "auto" start logs. */
static void kr_driver_refused(struct kr *k, char *reasons, size_t len, int err)
{
	size_t used = strlen(reasons);

	snprintf(reasons + used, len - used, "%s%s refused (%s%s%s)", used ? "; " : "",
	         kr_driver_name(k->ops->driver), k->why, k->why[0] ? ": " : "", strerror(err));
	k->ops->decap_remove(k);
}

/* The configured driver, or the first of kr_auto_order that the kernel accepts, its
 * decapsulation installed; the reasons for the choice are logged. */
static int kr_driver_pick(struct kr *k, char *err, size_t errlen)
{
	char reasons[768] = "";

	if (k->cfg.driver != KR_DRIVER_AUTO) {
		if (kr_driver_try(k, kr_driver_ops_of(k->cfg.driver)) == 0)
			return 0;
		snprintf(err, errlen, "%s tunnel driver: %s%s%s (this kernel lacks %s?)",
		         kr_driver_name(k->cfg.driver), k->why, k->why[0] ? ": " : "",
		         strerror(errno), k->ops->needs);
		return -1;
	}
	for (size_t i = 0; i < sizeof(kr_auto_order) / sizeof(kr_auto_order[0]); i++) {
		if (kr_driver_try(k, kr_auto_order[i]) == 0) {
			log_info("kr: tunnel driver auto: %s%s%s", kr_driver_name(k->ops->driver),
			         reasons[0] ? ", after " : " (the first tried)", reasons);
			return 0;
		}
		kr_driver_refused(k, reasons, sizeof(reasons), errno);
		(void)kr_clean_all(k); /* what a half-installed decapsulation left */
	}
	k->ops = NULL;
	snprintf(err, errlen, "no tunnel driver runs on this kernel: %s", reasons);
	return -1;
}

/* Undoes whatever kr_open() or the daemon installed, whatever state it got to. */
static void kr_teardown(struct kr *k)
{
	kr_fc_close(k); /* its chains go while the tunnels they steer to still exist */
	if (k->nl != NULL) {
		(void)kr_nl_flush(k);
		if (kr_clean_all(k) == -1)
			log_warn("kr: removing our routes, rules and tunnels");
		if (k->ops != NULL)
			k->ops->decap_remove(k);
	}
	kr_tag_free_all(k);
	kr_nl_close(k);
	free(k);
}

static int kr_open_kernel(struct kr *k, char *err, size_t errlen)
{
	k->uplink_ifindex = if_nametoindex(k->cfg.uplink);
	if (k->uplink_ifindex == 0) {
		snprintf(err, errlen, "uplink %s: %s", k->cfg.uplink, strerror(errno));
		return -1;
	}
	if (kr_nl_open(k) == -1) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		return -1;
	}
	if (kr_clean_all(k) == -1) {
		snprintf(err, errlen, "removing an earlier run's state: %s", strerror(errno));
		return -1;
	}
	(void)kr_fc_clean_stale(k);
	return kr_driver_pick(k, err, errlen);
}

/* Probes the driver(s) cfg names without installing anything that stays. */
static void kr_probe_drivers(struct kr *k, char *out, size_t len)
{
	char reasons[768] = "";
	size_t n = sizeof(kr_auto_order) / sizeof(kr_auto_order[0]);

	for (size_t i = 0; i < n; i++) {
		k->ops = kr_auto_order[i];
		k->why[0] = '\0';
		if (k->cfg.driver != KR_DRIVER_AUTO && k->cfg.driver != k->ops->driver)
			continue;
		if (k->ops->probe(k) == 0) {
			snprintf(out, len, "%s%s%s%s", kr_driver_name(k->ops->driver),
			         k->cfg.driver == KR_DRIVER_AUTO ? " (auto" : "",
			         k->cfg.driver == KR_DRIVER_AUTO && reasons[0] ? ", after " : "",
			         k->cfg.driver == KR_DRIVER_AUTO ? reasons : "");
			if (k->cfg.driver == KR_DRIVER_AUTO)
				strncat(out, ")", len - strlen(out) - 1);
			k->ops->decap_remove(k);
			return;
		}
		kr_driver_refused(k, reasons, sizeof(reasons), errno);
	}
	snprintf(out, len, "none runs on this kernel: %s", reasons);
}

int kr_probe(const struct kr_config *cfg, char *out, size_t len)
{
	struct kr *k;

	if (kr_config_check(cfg, out, len) == -1 || (k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	k->cfg = *cfg;
	k->limit = (struct log_limit)LOG_LIMIT_INIT(10, 10);
	k->uplink_ifindex = if_nametoindex(cfg->uplink);
	if (k->uplink_ifindex == 0 || kr_nl_open(k) == -1)
		snprintf(out, len, "cannot probe here: %s: %s",
		         k->uplink_ifindex == 0 ? cfg->uplink : "netlink", strerror(errno));
	else
		kr_probe_drivers(k, out, len);
	kr_nl_close(k);
	free(k);
	return 0;
}

struct kr *kr_open(const struct kr_config *cfg, char *err, size_t errlen)
{
	struct kr *k;

	if (cfg == NULL || kr_config_check(cfg, err, errlen) == -1) {
		errno = EINVAL;
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	k->cfg = *cfg;
	k->limit = (struct log_limit)LOG_LIMIT_INIT(10, 10);
	if (kr_open_kernel(k, err, errlen) == -1) {
		kr_teardown(k);
		return NULL;
	}
	log_info("kr: %s tunnels, tables %u.., rules at %u", kr_driver_name(k->ops->driver),
	         cfg->table_base, cfg->rule_priority);
	return k;
}

void kr_close(struct kr *k)
{
	if (k != NULL)
		kr_teardown(k);
}

enum kr_driver kr_driver_in_use(const struct kr *k)
{
	return k->ops->driver;
}

const char *const kr_driver_names[KR_DRIVER_COUNT] = {
	[KR_DRIVER_AUTO] = "auto",
	[KR_DRIVER_SEG6] = "seg6",
	[KR_DRIVER_IP6TNL] = "ip6tnl",
	[KR_DRIVER_EBPF] = "ebpf",
};

int kr_driver_parse(const char *s, enum kr_driver *d)
{
	for (unsigned i = 0; s != NULL && i < KR_DRIVER_COUNT; i++) {
		if (strcmp(s, kr_driver_names[i]) == 0) {
			*d = (enum kr_driver)i;
			return 0;
		}
	}
	return -1;
}

enum kr_driver kr_driver_from_env(void)
{
	enum kr_driver d = KR_DRIVER_AUTO;

	(void)kr_driver_parse(getenv("KR_DRIVER"), &d);
	return d;
}

const char *kr_driver_name(enum kr_driver d)
{
	return (unsigned)d < KR_DRIVER_COUNT ? kr_driver_names[d] : "unknown";
}

void kr_get_stats(const struct kr *k, struct kr_stats *st)
{
	*st = k->stats;
	st->tags = kr_tag_count(k);
	if (k->ops != NULL && k->ops->stats != NULL)
		k->ops->stats(k, st);
}

uint32_t kr_tunnel_table(const struct kr *k, uint32_t id)
{
	return k->cfg.table_base + id;
}

uint32_t kr_tunnel_fwmark(const struct kr *k, uint32_t id)
{
	return kr_tunnel_table(k, id);
}

bool kr_tunnel_valid(const struct kr *k, uint32_t id)
{
	return id >= 1 && id <= KR_MAX_TUNNELS && k->tunnels[id].used;
}

void kr_tunnel_table_add(struct kr *k, uint32_t id)
{
	uint32_t table = kr_tunnel_table(k, id);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = kr_msg_route(kr_nl_space(k), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, table, NULL,
	                   0);
	k->ops->route_target(k, nlh, id);
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	/* the encapsulated packet keeps its mark and comes back to this table: send it on */
	nlh = kr_msg_route(kr_nl_space(k), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, table,
	                   &k->tunnels[id].peer, 128);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_type = RTN_THROW;
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
	nlh = kr_msg_rule(kr_nl_space(k), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL,
	                  k->cfg.rule_priority + KR_PRIO_AFTER_LOCAL, table, KR_RTPROT);
	mnl_attr_put_u32(nlh, FRA_FWMARK, kr_tunnel_fwmark(k, id));
	kr_nl_commit(k, nlh, KR_REQ_SYNC, 0);
}

void kr_tunnel_table_del(struct kr *k, uint32_t id)
{
	uint32_t table = kr_tunnel_table(k, id);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = kr_msg_rule(kr_nl_space(k), RTM_DELRULE, 0, k->cfg.rule_priority + KR_PRIO_AFTER_LOCAL,
	                  table, KR_RTPROT);
	mnl_attr_put_u32(nlh, FRA_FWMARK, kr_tunnel_fwmark(k, id));
	kr_nl_commit(k, nlh, KR_REQ_DEL, 0);
	nlh = kr_msg_route(kr_nl_space(k), RTM_DELROUTE, 0, table, &k->tunnels[id].peer, 128);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_type = RTN_THROW;
	kr_nl_commit(k, nlh, KR_REQ_DEL, 0);
	nlh = kr_msg_route(kr_nl_space(k), RTM_DELROUTE, 0, table, NULL, 0);
	kr_nl_commit(k, nlh, KR_REQ_DEL, 0);
}

static int kr_tunnel_find(const struct kr *k, const struct in6_addr *peer, uint32_t *free_id)
{
	*free_id = 0;
	for (uint32_t i = 1; i <= KR_MAX_TUNNELS; i++) {
		if (k->tunnels[i].used && IN6_ARE_ADDR_EQUAL(&k->tunnels[i].peer, peer))
			return (int)i;
		if (!k->tunnels[i].used && *free_id == 0)
			*free_id = i;
	}
	return 0;
}

static bool kr_peer_ok(const struct kr *k, const struct in6_addr *peer)
{
	return k != NULL && peer != NULL && !IN6_IS_ADDR_UNSPECIFIED(peer) &&
	       !IN6_IS_ADDR_MULTICAST(peer);
}

/* The tunnel to peer as id, which is free. */
static int kr_tunnel_install(struct kr *k, const struct in6_addr *peer, uint32_t id)
{
	(void)kr_nl_flush(k); /* what the daemon queued goes first */
	k->tunnels[id].peer = *peer;
	if (k->ops->tunnel_add(k, id) == -1) {
		memset(&k->tunnels[id], 0, sizeof(k->tunnels[id]));
		return -1;
	}
	k->tunnels[id].used = true;
	k->stats.tunnels++;
	return 0;
}

int kr_tunnel_add(struct kr *k, const struct in6_addr *peer, uint32_t *id)
{
	uint32_t free_id;
	int found;

	if (!kr_peer_ok(k, peer) || id == NULL) {
		errno = EINVAL;
		return -1;
	}
	found = kr_tunnel_find(k, peer, &free_id);
	if (found != 0 || free_id == 0) {
		*id = (uint32_t)found;
		errno = found != 0 ? EEXIST : ENOSPC;
		return -1;
	}
	if (kr_tunnel_install(k, peer, free_id) < 0)
		return -1;
	*id = free_id;
	return 0;
}

int kr_tunnel_add_as(struct kr *k, const struct in6_addr *peer, uint32_t id)
{
	uint32_t free_id;

	if (!kr_peer_ok(k, peer) || id < 1 || id > KR_MAX_TUNNELS) {
		errno = EINVAL;
		return -1;
	}
	if (kr_tunnel_find(k, peer, &free_id) != 0 || k->tunnels[id].used) {
		errno = EEXIST;
		return -1;
	}
	return kr_tunnel_install(k, peer, id);
}

/* Routes through the tunnel go with it; source rules naming its table stay (the daemon removes
 * them with kr_source_rule_del). */
int kr_tunnel_del(struct kr *k, uint32_t id)
{
	int ret;

	if (k == NULL || !kr_tunnel_valid(k, id)) {
		errno = EINVAL;
		return -1;
	}
	(void)kr_nl_flush(k);
	ret = k->ops->tunnel_del(k, id);
	kr_fc_forget_mark(k, kr_tunnel_fwmark(k, id)); /* the rule is gone: id can be reused */
	memset(&k->tunnels[id], 0, sizeof(k->tunnels[id]));
	k->stats.tunnels--;
	return ret;
}

void kr_set_result_cb(struct kr *k, kr_result_fn fn, void *arg)
{
	k->result_fn = fn;
	k->result_arg = arg;
}

static int kr_check_prefix(const struct kr *k, const struct in6_addr *pfx, uint8_t len)
{
	if (k == NULL || pfx == NULL || len > 128) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int kr_route_via_tunnel(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint32_t tunnel,
                        uint64_t cookie)
{
	struct nlmsghdr *nlh;

	if (kr_check_prefix(k, pfx, len) == -1)
		return -1;
	if (!kr_tunnel_valid(k, tunnel)) {
		errno = EINVAL;
		return -1;
	}
	nlh = kr_msg_route(kr_nl_space(k), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
	                   KR_MAIN_TABLE, pfx, len);
	k->ops->route_target(k, nlh, tunnel);
	kr_nl_commit(k, nlh, KR_REQ_USER, cookie);
	return 0;
}

int kr_route_via_neighbor(struct kr *k, const struct in6_addr *pfx, uint8_t len,
                          const struct in6_addr *ll, unsigned ifindex, uint64_t cookie)
{
	struct nlmsghdr *nlh;

	if (kr_check_prefix(k, pfx, len) == -1)
		return -1;
	if (ll == NULL || ifindex == 0 || IN6_IS_ADDR_MULTICAST(ll) ||
	    IN6_IS_ADDR_UNSPECIFIED(ll)) {
		errno = EINVAL;
		return -1;
	}
	nlh = kr_msg_route(kr_nl_space(k), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
	                   KR_MAIN_TABLE, pfx, len);
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(*ll), ll);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	kr_nl_commit(k, nlh, KR_REQ_USER, cookie);
	return 0;
}

/* Removes our route for the prefix only (the request names our protocol). */
int kr_route_del(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint64_t cookie)
{
	struct nlmsghdr *nlh;

	if (kr_check_prefix(k, pfx, len) == -1)
		return -1;
	nlh = kr_msg_route(kr_nl_space(k), RTM_DELROUTE, 0, KR_MAIN_TABLE, pfx, len);
	/* a route already gone (its link went down) is no failure */
	kr_nl_commit(k, nlh, cookie ? KR_REQ_USER : KR_REQ_DEL, cookie);
	return 0;
}

static void kr_source_rule(struct kr *k, uint16_t type, uint16_t flags, const struct in6_addr *pfx,
                           uint8_t len, uint32_t tunnel, uint64_t cookie)
{
	struct nlmsghdr *nlh;

	nlh = kr_msg_rule(kr_nl_space(k), type, flags, k->cfg.rule_priority + KR_PRIO_AFTER_LOCAL,
	                  kr_tunnel_table(k, tunnel), KR_RTPROT);
	kr_msg_rule_prefix(nlh, FRA_SRC, pfx, len);
	kr_nl_commit(k, nlh, type == RTM_DELRULE && !cookie ? KR_REQ_DEL : KR_REQ_USER, cookie);
}

int kr_source_rule_add(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint32_t tunnel,
                       uint64_t cookie)
{
	if (kr_check_prefix(k, pfx, len) == -1)
		return -1;
	if (!kr_tunnel_valid(k, tunnel)) {
		errno = EINVAL;
		return -1;
	}
	kr_source_rule(k, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, pfx, len, tunnel, cookie);
	return 0;
}

/* The tunnel may be gone already: any id a tunnel could have is accepted. */
int kr_source_rule_del(struct kr *k, const struct in6_addr *pfx, uint8_t len, uint32_t tunnel,
                       uint64_t cookie)
{
	if (kr_check_prefix(k, pfx, len) == -1)
		return -1;
	if (tunnel < 1 || tunnel > KR_MAX_TUNNELS) {
		errno = EINVAL;
		return -1;
	}
	kr_source_rule(k, RTM_DELRULE, 0, pfx, len, tunnel, cookie);
	return 0;
}

int kr_flush(struct kr *k)
{
	int n;

	if (k == NULL) {
		errno = EINVAL;
		return -1;
	}
	(void)kr_nl_flush(k);
	k->sync_err = 0; /* no synchronous request waits: an error of kr's own would go stale */
	kr_nl_deliver(k); /* the only place the result callback runs: the engine asked for it */
	n = (int)k->refused;
	k->refused = 0;
	return n;
}
