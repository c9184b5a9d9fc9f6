/* kr_fc.h: the inside of flow steering at the LMA (kr.h, "flow steering"), shared by its files
 * and its unit test: the mangle chains written for ip6tables-restore (kr_fc_ipt.c), the NFQUEUE
 * socket and its verdicts (kr_fc_queue.c), a queued packet's conntrack tuple (kr_fc_pkt.c),
 * conntrack through ctnetlink (kr_fc_ct.c) and the public calls that tie them (kr_fc.c). The
 * daemons include kr.h only. */
#ifndef KR_KR_FC_H
#define KR_KR_FC_H

#include <sys/types.h>

#include "kr/kr_nl.h"

/* Our chains in the mangle table; their names are the tag a restart looks for. */
#define KR_FC_CHAIN       "PMIP6"
#define KR_FC_CHAIN_QUEUE "PMIP6_QUEUE"
#define KR_FC_CHAIN_DUP   "PMIP6_DUP"
#define KR_FC_SET         "pmip6_mh" /* ipset hash:net of the queued (multihomed) prefixes */
#define KR_FC_IPSET       "/usr/sbin/ipset"
/* One binary family for installing, listing and removing (the system's alternative). */
#define KR_FC_IPT_RESTORE "/usr/sbin/ip6tables-restore"
#define KR_FC_IPT_SAVE    "/usr/sbin/ip6tables-save"
#define KR_FC_IPT_WAIT    "5" /* seconds to wait for the xtables lock (legacy family) */
#define KR_FC_ACCT_SYSCTL "/proc/sys/net/netfilter/nf_conntrack_acct"
#define KR_FC_PROC_QUEUE  "/proc/net/netfilter/nfnetlink_queue"

#define KR_FC_COPY_MIN   40 /* an IPv6 header */
#define KR_FC_COPY_MAX   65535
#define KR_FC_QMAXLEN    16384 /* packets the kernel holds for us before it drops (or accepts) */
#define KR_FC_RBUF_SIZE  (KR_FC_COPY_MAX + 4096) /* a whole packet and its attributes */
#define KR_FC_READ_MAX   256                     /* queued packets handled per kr_fc_queue_read() */
#define KR_FC_MMSG       32                      /* queued packets received per recvmmsg() */
#define KR_FC_SLOT       4096 /* room for one of them: copy_range + 1024 octets of attributes */
#define KR_FC_BATCH      (64 * 1024) /* verdicts, and conntrack requests, sent per sendmsg() */
#define KR_FC_EVENTS_MAX 256         /* event datagrams read per kr_fc_events_read() */
#define KR_FC_TEXT_MAX   4096        /* an ip6tables-restore script of ours */
#define KR_FC_SAVE_MAX   (64u * 1024 * 1024) /* ip6tables-save output we are ready to read */

/* A connection's original direction as conntrack keys it; ICMPv6 echo: sport == dport == id. */
struct kr_fc_tuple {
	struct in6_addr src;
	struct in6_addr dst;
	uint8_t proto;
	uint16_t sport;
	uint16_t dport;
};

struct kr_fc_prefix {
	struct in6_addr addr; /* host bits cleared */
	uint8_t len;
};

/* The kernel's line for a queue in /proc/net/netfilter/nfnetlink_queue. */
struct kr_fc_kstats {
	uint32_t portid;
	uint32_t waiting;      /* packets queued, no verdict yet */
	uint32_t dropped;      /* queue full */
	uint32_t user_dropped; /* could not be sent to user space (socket buffer full) */
	uint32_t id_sequence;  /* the last packet id: packets queued so far */
};

struct kr_fc_batch {
	uint8_t *buf; /* KR_FC_BATCH */
	size_t len;
	unsigned n;
	uint32_t seq0; /* sequence number of the first request */
};

/* A prefix to queue (on) or to stop queueing, waiting for kr_fc_prefixes_flush(). */
struct kr_fc_change {
	struct kr_fc_prefix p;
	bool on;
};

struct kr_fc_mmsg {
	struct mmsghdr h[KR_FC_MMSG];
	struct iovec iov[KR_FC_MMSG];
	struct sockaddr_nl sa[KR_FC_MMSG];
};

struct kr_fc {
	struct kr_fc_config cfg;
	bool ct_create; /* seg6: kr makes the conntrack entry of each steered connection */
	struct mnl_socket *q;
	uint32_t q_portid;
	struct mnl_socket *ct; /* ctnetlink requests */
	uint32_t ct_seq;
	struct mnl_socket *ev; /* conntrack destroy events */
	uint8_t *rbuf;         /* KR_FC_RBUF_SIZE: queued packets one by one, and answers */
	struct kr_fc_mmsg *mm; /* NULL when copy_range does not fit a slot */
	uint8_t *slots;        /* KR_FC_MMSG x KR_FC_SLOT: queued packets, many a call */
	uint8_t *ct_rbuf;      /* KR_RBUF_SIZE: answers to ctnetlink requests */
	uint8_t *ev_rbuf;      /* KR_RBUF_SIZE: events (a callback may make requests) */
	struct kr_fc_batch verdicts;
	struct kr_fc_batch creates;
	struct kr_fc_prefix *pfx; /* queued, or about to be (pending) */
	size_t npfx;
	size_t pfx_cap;
	struct kr_fc_change *pending; /* not yet in the kernel: one batch at the next flush */
	size_t npending, pending_cap;
	int acct_saved; /* nf_conntrack_acct before we set it; -1: untouched */
	bool chain;     /* our chains are installed */
	/* seconds: the first timeout of the connections we make, the namespace's own */
	uint32_t timeout_tcp, timeout_udp, timeout_icmp;
	struct kr_fc_stats st;
	struct log_limit limit;
};

/* kr_fc_ipt.c: the scripts (pure) and running ip6tables-restore/-save. The text builders return
 * the length written, or -1 if buf is too small. */
int kr_fc_ipt_chain_text(char *buf, size_t len, const struct kr_fc_config *c);
/* Adds (on) or removes the TEE rule of bicast slot `slot` toward gw. */
int kr_fc_ipt_dup_text(char *buf, size_t len, uint16_t slot, const struct in6_addr *gw, bool on);
/* From ip6tables-save's output: the script that removes our chains and every rule jumping to
 * them; 0 if there is nothing of ours. */
int kr_fc_ipt_clean_text(char *buf, size_t len, const char *save);
int kr_fc_ipt_restore(const char *script, char *err, size_t errlen);
/* Removes our chains whoever left them; 0 also when the ip6tables binaries are not installed. */
int kr_fc_ipt_clean(char *err, size_t errlen); /* the chains, then the set */
int kr_fc_ipset_create(char *err, size_t errlen);
int kr_fc_ipset_restore(const char *script, char *err, size_t errlen);

/* kr_fc_ipset.c: changes of the set by netlink, in order; errs[i] is change i's error (0: made,
 * else an errno or an ipset code for kr_fc_ipset_strerror()). -1 when the requests could not be
 * sent or answered (every change from the first unanswered one has its errno). */
int kr_fc_ipset_apply(struct kr_fc *fc, const struct kr_fc_change *ch, size_t n, int *errs);
const char *kr_fc_ipset_strerror(int err);

/* kr_fc_queue.c */
int kr_fc_queue_open(struct kr_fc *fc, char *err, size_t errlen);
void kr_fc_queue_close(struct kr_fc *fc);
/* Parses the file's text for queue_num's line: 0, or -1 (no such queue, or malformed). */
int kr_fc_kstats_parse(const char *text, uint16_t queue_num, struct kr_fc_kstats *ks);
int kr_fc_kstats_read(uint16_t queue_num, struct kr_fc_kstats *ks);

/* kr_fc_ct.c */
int kr_fc_ct_open(struct kr_fc *fc, char *err, size_t errlen);
void kr_fc_ct_close(struct kr_fc *fc);
int kr_fc_tuple_check(const struct kr_fc_tuple *t);
/* Builds a request about t at buf (KR_MSG_MAX bytes at least): IPCTNL_MSG_CT_NEW that creates
 * the entry or updates its mark (create) or only updates its mark (!create), or
 * IPCTNL_MSG_CT_GET. NULL if the tuple cannot be expressed. */
struct nlmsghdr *kr_fc_msg_ct_new(void *buf, const struct kr_fc_tuple *t, uint32_t mark,
                                  uint32_t timeout, bool create);
struct nlmsghdr *kr_fc_msg_ct_get(void *buf, const struct kr_fc_tuple *t);
/* The timeouts of the connections kr makes: the namespace's own for unreplied traffic. */
void kr_fc_ct_timeouts(struct kr_fc *fc);
/* Queues the creation of t's entry with this mark; kr_fc_ct_flush() sends them. */
void kr_fc_ct_queue_create(struct kr_fc *fc, const struct kr_fc_tuple *t, uint32_t mark,
                           uint32_t timeout);
void kr_fc_ct_flush(struct kr_fc *fc);
/* Sets to 0 the mark of every IPv6 connection marked in [lo, hi] (a bicast slot above a mark
 * does not count): what an earlier run that was killed left, or (lo == hi, filtered by the
 * kernel) what a tunnel or tag that is going left. Those marks name tunnels by number, and a
 * new tunnel may take the number, so the chain restoring them would send the flows into
 * whatever tunnel now has that number; with no mark, a flow's next packet is classified again.
 * The number of connections cleared, or -1 with errno (some may have been cleared). */
int kr_fc_ct_clear_marks(struct kr_fc *fc, uint32_t lo, uint32_t hi, kr_fc_marked_fn keep,
                         void *arg);
int kr_fc_acct_on(struct kr_fc *fc);
void kr_fc_acct_restore(struct kr_fc *fc);

/* kr_fc_pkt.c: a queued packet's tuple (IPv6, extension headers, TCP/UDP/UDP-Lite ports or
 * ICMPv6 echo request identifier); rst: a TCP reset. 0, or -1 if it has none. */
int kr_fc_pkt_tuple(const uint8_t *pkt, size_t len, struct kr_fc_tuple *t, bool *rst);

/* kr_fc.c */
void kr_fc_batch_reset(struct kr_fc_batch *b, uint32_t seq0);
int kr_fc_config_check(const struct kr_fc_config *c, char *err, size_t errlen);

#endif
