/* kr_nl.h: the inside of the kernel side (kr.h), shared by its files and its unit test: the state
 * behind struct kr, the batched rtnetlink request queue (kr_nl.c), the pure message builders
 * (kr_msg.c), stale-state cleanup (kr_clean.c) and the three tunnel drivers (kr_ebpf.c,
 * kr_seg6.c, kr_ip6tnl.c). The daemons include kr.h only. */
#ifndef KR_KR_NL_H
#define KR_KR_NL_H

#include <stdalign.h>
#include <sys/types.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "kr/kr.h"
#include "common/log.h"

#define KR_BATCH_BYTES (128 * 1024) /* one sendmsg(); below the default socket send buffer */
#define KR_BATCH_MAX   2048         /* requests per batch; their ACKs must fit KR_RCVBUF */
#define KR_MSG_MAX     1024         /* room kept free in the batch for the next request */
#define KR_RCVBUF      (8 * 1024 * 1024)
#define KR_ACK_COST    1024  /* receive-buffer bytes one queued ACK may take (skb truesize) */
#define KR_RBUF_SIZE   65536 /* one datagram: dumps come in skbs of up to 32 KiB */
#define KR_DECAP_ID    0     /* kr_tunnel_table(k, 0) holds the decapsulation route */
#define KR_LOCAL_TABLE 255   /* RT_TABLE_LOCAL */
#define KR_MAIN_TABLE  254   /* RT_TABLE_MAIN */
#define KR_EBPF_PREFIX    "pmip6" /* names of our BPF programs in route and tc filter dumps */
#define KR_EBPF_TC_PRIO   0x9d    /* our tc filter's priority and handle on the uplink */
#define KR_EBPF_TC_HANDLE 1

/* What happens to a request's error when its ACK comes back. */
enum kr_req_kind {
	KR_REQ_USER,  /* queued by a daemon: the result callback and kr_flush()'s count */
	KR_REQ_SYNC,  /* part of a synchronous operation: the first error is kept in sync_err */
	KR_REQ_DEL,   /* a removal: "already gone" (ENOENT, ESRCH, ENODEV) is not an error */
	KR_REQ_QUIET, /* a probe: like SYNC, without a log line */
};

struct kr_req {
	uint64_t cookie;
	uint8_t kind;
	uint8_t acked;
};

struct kr_fail {
	uint64_t cookie;
	int err;
};

struct kr_tunnel {
	bool used;
	struct in6_addr peer;
	unsigned ifindex; /* ip6tnl: the device */
};

/* A tunnel driver: how a tunnel is made, how a route points into it, how traffic to us is
 * decapsulated, whether this kernel can run it. Each function returns 0 or -1 with errno, and
 * on failure may say in k->why which step failed and what it needs of the kernel. */
struct kr_driver_ops {
	enum kr_driver driver;
	const char *needs; /* the kernel options it needs, for messages */
	int (*tunnel_add)(struct kr *k, uint32_t id);
	int (*tunnel_del)(struct kr *k, uint32_t id);
	void (*route_target)(const struct kr *k, struct nlmsghdr *nlh, uint32_t id);
	int (*decap_install)(struct kr *k); /* safe to undo with decap_remove when it failed */
	void (*decap_remove)(struct kr *k);
	int (*probe)(struct kr *k); /* for "auto", before decap_install; NULL: that is the probe */
	void (*stats)(const struct kr *k, struct kr_stats *st); /* datapath counters; NULL: none */
	/* Binding tags (kr_tag.c): puts in (on) or takes out an entry of the encapsulation's map
	 * (key a mark, value a tag) or of the decapsulation's (decap: key a tag, value a mark).
	 * NULL: the driver cannot tag. */
	int (*tag_map)(struct kr *k, bool decap, uint32_t key, uint32_t value, bool on);
};

struct kr_fc;
struct kr_ebpf;
struct kr_tag;

struct kr {
	struct kr_config cfg;
	const struct kr_driver_ops *ops;
	unsigned uplink_ifindex;
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint8_t *batch; /* KR_BATCH_BYTES */
	size_t batch_len;
	uint32_t batch_seq; /* sequence number of reqs[0] */
	struct kr_req *reqs;
	unsigned nreqs;
	unsigned max_reqs;
	unsigned nacked;
	uint8_t *rbuf; /* KR_RBUF_SIZE */
	int sync_err;  /* first error of the KR_REQ_SYNC/DEL requests since the last sync */
	unsigned refused;
	kr_result_fn result_fn;
	void *result_arg;
	struct kr_fail *fails; /* refusals to report once the batch is over */
	size_t nfails;
	size_t fails_cap;
	bool delivering; /* in the result callback, which may queue more */
	struct kr_stats stats;
	bool local_moved;  /* we replaced the priority-0 "local" rule */
	bool tunsrc_saved; /* seg6: saved_tunsrc is what to put back */
	struct in6_addr saved_tunsrc;
	struct log_limit limit;
	struct kr_fc *fc; /* flow steering (kr_fc*.c): NULL unless kr_fc_open() */
	struct kr_ebpf *ebpf; /* the ebpf driver's programs and maps (kr_ebpf.c) */
	char why[160];        /* the failed step of the last driver error, and what it needs */
	struct kr_tunnel tunnels[KR_MAX_TUNNELS + 1]; /* [0] unused: ids count from 1 */
	struct kr_tag *tags[KR_MAX_TAGS + 1];         /* by slot, from 1 (kr_tag.c) */
};

extern const struct kr_driver_ops kr_seg6_ops;
extern const struct kr_driver_ops kr_ip6tnl_ops;
extern const struct kr_driver_ops kr_ebpf_ops;

/* kr_nl.c: sockets, the batch, acknowledgements, dumps. */
int kr_nl_open(struct kr *k);
void kr_nl_close(struct kr *k);
void *kr_nl_space(struct kr *k);
void kr_nl_commit(struct kr *k, struct nlmsghdr *nlh, enum kr_req_kind kind, uint64_t cookie);
/* Sends what is queued and reads its answers. The refusals of the daemon's requests are only
 * kept: kr_flush() alone hands them to the result callback (kr_nl_deliver), since every other
 * flush (a full batch, a synchronous request for a tunnel or a tag, a dump) comes in the middle
 * of an engine's change, and the callback may delete a binding the engine is working on. */
int kr_nl_flush(struct kr *k);
void kr_nl_deliver(struct kr *k);
/* kr_nl_flush(), then -1 with errno if the kernel refused one of kr's own requests. */
int kr_nl_sync(struct kr *k);
ssize_t kr_nl_recv(struct mnl_socket *nl, void *buf, size_t len, int flags);
int kr_nl_talk(struct mnl_socket *nl, uint8_t *rbuf, struct nlmsghdr *req, mnl_cb_t cb, void *arg,
               bool *intr);
int kr_nl_dump(struct kr *k, struct nlmsghdr *req, mnl_cb_t cb, void *arg);

/* Wanted attributes of a reply, each with its type and, for MNL_TYPE_BINARY, its exact length
 * (after BIRD's nl_want_attrs): anything else, or anything malformed, is left out of tb. */
struct kr_attr_want {
	uint8_t type; /* enum mnl_attr_data_type; MNL_TYPE_UNSPEC: not wanted */
	uint8_t len;
};
int kr_nl_parse(const struct nlmsghdr *nlh, size_t hdrlen, const struct kr_attr_want *want,
                uint16_t max, const struct nlattr **tb);

/* kr_msg.c: each builder writes one complete request (header, NLM_F_REQUEST | NLM_F_ACK and the
 * flags given; no sequence number) at buf, which has at least KR_MSG_MAX bytes. */
struct nlmsghdr *kr_msg_route(void *buf, uint16_t type, uint16_t flags, uint32_t table,
                              const struct in6_addr *dst, uint8_t len);
struct nlmsghdr *kr_msg_rule(void *buf, uint16_t type, uint16_t flags, uint32_t prio,
                             uint32_t table, uint8_t proto);
void kr_msg_rule_prefix(struct nlmsghdr *nlh, uint16_t attr, const struct in6_addr *pfx,
                        uint8_t len);
struct nlmsghdr *kr_msg_nexthop_seg6(void *buf, uint32_t nhid, const struct in6_addr *peer,
                                     unsigned oif);
struct nlmsghdr *kr_msg_nexthop_del(void *buf, uint32_t nhid);
struct nlmsghdr *kr_msg_decap_route(void *buf, uint32_t table, const struct in6_addr *local,
                                    unsigned oif);
struct nlmsghdr *kr_msg_link_del(void *buf, unsigned ifindex);
struct nlmsghdr *kr_msg_link_mtu(void *buf, unsigned ifindex, uint32_t mtu);
struct nlmsghdr *kr_msg_genl_family(void *buf, const char *name);
struct nlmsghdr *kr_msg_seg6_tunsrc(void *buf, uint16_t family, uint8_t cmd,
                                    const struct in6_addr *addr);
void kr_prefix_mask(struct in6_addr *out, const struct in6_addr *in, uint8_t len);
struct nlmsghdr *kr_msg_nexthop_bpf(void *buf, uint32_t nhid, int prog_fd, const char *name,
                                    uint32_t headroom, unsigned oif, const struct in6_addr *gw);
struct nlmsghdr *kr_msg_clsact(void *buf, uint16_t type, uint16_t flags, unsigned ifindex);
struct nlmsghdr *kr_msg_tc_filter(void *buf, uint16_t type, uint16_t flags, unsigned ifindex,
                                  uint16_t prio, uint32_t handle, int prog_fd, const char *name);
struct nlmsghdr *kr_msg_tc_filter_dump(void *buf, unsigned ifindex);

/* kr_clean.c: what an earlier run (or this one) left, found by tag and removed. */
int kr_clean_all(struct kr *k);
int kr_local_rule_move(struct kr *k);
int kr_tc_filter_remove(struct kr *k);
/* kr_fc.c: the flow steering chains an earlier run left (kr_open() calls it; a failure is
 * logged, not fatal: the MAG has none, and kr_fc_open() tries again). */
int kr_fc_clean_stale(struct kr *k);

/* kr_addr.c: an address request (RTM_NEWADDR: no DAD, no prefix route, tagged KR_RTPROT). */
struct nlmsghdr *kr_msg_addr(void *buf, uint16_t type, uint16_t flags, unsigned ifindex,
                             const struct in6_addr *addr, uint8_t plen);

/* kr_ip6tnl.c: the ip6tnl link request is built by libnl-route-3 and copied to buf (NULL if it
 * does not fit in len); the probe tells whether the kernel can make ip6tnl devices. */
struct nlmsghdr *kr_msg_ip6tnl_link(void *buf, size_t len, const char *name,
                                    const struct in6_addr *local, const struct in6_addr *remote,
                                    unsigned link, bool up);
bool kr_ip6tnl_probe(struct kr *k);

/* kr.c: the per-tunnel table ("default" through the tunnel, "throw peer/128") and its fwmark
 * rule, queued for both drivers. */
bool kr_tunnel_valid(const struct kr *k, uint32_t id);
void kr_tunnel_table_add(struct kr *k, uint32_t id);
void kr_tunnel_table_del(struct kr *k, uint32_t id);

/* kr_tag.c: forgets every tag at close, once their rules and routes are removed. */
void kr_tag_free_all(struct kr *k);

#endif
