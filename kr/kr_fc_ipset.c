/* kr_fc_ipset.c: the queued prefixes put in and taken out of the set pmip6_mh (kr_fc_ipt.c) with
 * ipset's own netlink protocol (linux/netfilter/ipset/ip_set.h): IPSET_CMD_ADD or IPSET_CMD_DEL,
 * the protocol version, the set's name and the element (IPSET_ATTR_DATA: IPSET_ATTR_IP holding
 * IPSET_ATTR_IPADDR_IPV6 in network order, IPSET_ATTR_CIDR), each message acknowledged. The
 * changes of one flush go in batches on the ctnetlink request socket, used synchronously like
 * every request on it: no ipset process runs while the event loop waits, as `ipset restore`
 * did for each MN whose count of bindings crossed two. Without NLM_F_EXCL the kernel takes an
 * element the set holds already, or the removal of one it lacks, as done (ipset's -exist): the
 * set ends as kr says either way. Creating and destroying the set, once
 * at start and stop, stays with the ipset program. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/ipset/ip_set_hash.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>

#include "common/log.h"
#include "kr/kr_fc.h"
#include "kr/kr_nl.h"

#define KR_FC_IPSET_MSG   128       /* one request: 16 + 4 + 8 + 12 + 4 + 4 + 20 + 8 octets */
#define KR_FC_IPSET_BATCH (16 * 1024) /* requests sent per sendmsg(), their acks read after */

static void kr_fc_ipset_msg(void *buf, const struct kr_fc_change *ch, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	struct nlattr *data, *ip;

	nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | (ch->on ? IPSET_CMD_ADD : IPSET_CMD_DEL);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g->nfgen_family = AF_INET6;
	g->version = NFNETLINK_V0;
	g->res_id = htons(0);
	mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
	mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, KR_FC_SET);
	data = mnl_attr_nest_start(nlh, IPSET_ATTR_DATA);
	ip = mnl_attr_nest_start(nlh, IPSET_ATTR_IP);
	mnl_attr_put(nlh, IPSET_ATTR_IPADDR_IPV6 | NLA_F_NET_BYTEORDER, sizeof(ch->p.addr),
	             &ch->p.addr);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_put_u8(nlh, IPSET_ATTR_CIDR, ch->p.len);
	mnl_attr_nest_end(nlh, data);
}

/* The acknowledgements of the n requests numbered from seq0: each one's error (0: done) into
 * errs; -1 with errno if they cannot be read. */
static int kr_fc_ipset_acks(struct kr_fc *fc, uint32_t seq0, size_t n, int *errs)
{
	const struct nlmsghdr *nlh;
	size_t acked = 0;
	ssize_t got;
	int len;

	while (acked < n) {
		if ((got = kr_nl_recv(fc->ct, fc->ct_rbuf, KR_RBUF_SIZE, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len = (int)got;
		for (nlh = (const void *)fc->ct_rbuf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq - seq0 >= n ||
			    mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
				continue;
			errs[nlh->nlmsg_seq - seq0] = -e->error;
			acked++;
		}
	}
	return 0;
}

/* One batch of at most KR_FC_IPSET_BATCH / KR_FC_IPSET_MSG changes. */
static int kr_fc_ipset_batch(struct kr_fc *fc, const struct kr_fc_change *ch, size_t n,
                             int *errs)
{
	uint8_t buf[KR_FC_IPSET_BATCH] = { 0 }; /* attribute padding too (valgrind, libmnl) */
	uint32_t seq0 = fc->ct_seq + 1;
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		kr_fc_ipset_msg(buf + len, &ch[i], ++fc->ct_seq);
		len += MNL_ALIGN(((struct nlmsghdr *)(buf + len))->nlmsg_len);
	}
	if (mnl_socket_sendto(fc->ct, buf, len) == -1)
		return -1;
	return kr_fc_ipset_acks(fc, seq0, n, errs);
}

int kr_fc_ipset_apply(struct kr_fc *fc, const struct kr_fc_change *ch, size_t n, int *errs)
{
	const size_t per_batch = KR_FC_IPSET_BATCH / KR_FC_IPSET_MSG;
	size_t k;

	for (size_t i = 0; i < n; i += k) {
		k = n - i < per_batch ? n - i : per_batch;
		if (kr_fc_ipset_batch(fc, ch + i, k, errs + i) == -1) {
			for (size_t j = i; j < n; j++)
				errs[j] = errno ? errno : EIO;
			return -1;
		}
	}
	return 0;
}

const char *kr_fc_ipset_strerror(int err)
{
	switch (err) {
	case IPSET_ERR_PROTOCOL:
		return "ipset: protocol version not supported by the kernel";
	case IPSET_ERR_HASH_FULL:
		return "ipset: the set is full";
	default:
		return err >= IPSET_ERR_PRIVATE ? "ipset: refused by the set" : strerror(err);
	}
}
