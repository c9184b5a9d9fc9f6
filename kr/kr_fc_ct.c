/* kr_fc_ct.c: conntrack for flow steering (draft-bernardos-mif-pmip-02 §5.3.2: moving a flow to
 * another interface), over ctnetlink with libnetfilter_conntrack building and parsing the
 * messages and libmnl sockets: the connections kr makes for new flows under the seg6 driver (a
 * batch, acknowledged, before the verdicts; see kr.h), rewriting a connection's mark, reading its
 * counters, destroy events, and the per-namespace nf_conntrack_acct switch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include "kr/kr_fc.h"

#define KR_FC_EVRCVBUF     (8 * 1024 * 1024)
#define KR_FC_ICMPV6_ECHO  128
#define KR_FC_SYSCTL_DIR   "/proc/sys/net/netfilter/"
#define KR_FC_TIMEOUT_TCP  300 /* nf_conntrack_tcp_timeout_unacknowledged's default */
#define KR_FC_TIMEOUT_MISC 30  /* UDP's and ICMPv6's */

int kr_fc_tuple_check(const struct kr_fc_tuple *t)
{
	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return 0;
	case IPPROTO_ICMPV6:
		return t->sport == t->dport ? 0 : -1; /* the echo identifier */
	default:
		return -1;
	}
}

/* A conntrack object naming t in both directions (an ICMPv6 echo request's reply is an echo
 * reply: the library fills that in when the type is set). */
static struct nf_conntrack *kr_fc_ct_obj(const struct kr_fc_tuple *t)
{
	struct nf_conntrack *ct = nfct_new();

	if (ct == NULL)
		return NULL;
	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET6);
	nfct_set_attr(ct, ATTR_IPV6_SRC, &t->src);
	nfct_set_attr(ct, ATTR_IPV6_DST, &t->dst);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, t->proto);
	if (t->proto == IPPROTO_ICMPV6) {
		nfct_set_attr_u8(ct, ATTR_ICMP_TYPE, KR_FC_ICMPV6_ECHO);
		nfct_set_attr_u8(ct, ATTR_ICMP_CODE, 0);
		nfct_set_attr_u16(ct, ATTR_ICMP_ID, htons(t->sport));
	} else {
		nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(t->sport));
		nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(t->dport));
	}
	nfct_setobjopt(ct, NFCT_SOPT_SETUP_REPLY);
	return ct;
}

/* The whole room is cleared: libmnl 1.0.4 leaves attribute padding as it finds it. */
static struct nlmsghdr *kr_fc_ct_header(void *buf, uint8_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, KR_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET6;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* A connection made here never sees the MN's half: TCP is ESTABLISHED (a SYN_SENT one would
 * find every later packet INVALID) and tracks windows liberally (it learns only ours). */
static void kr_fc_ct_tcp_established(struct nf_conntrack *ct)
{
	nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	nfct_set_attr_u8(ct, ATTR_TCP_FLAGS_ORIG, IP_CT_TCP_FLAG_BE_LIBERAL);
	nfct_set_attr_u8(ct, ATTR_TCP_MASK_ORIG, IP_CT_TCP_FLAG_BE_LIBERAL);
	nfct_set_attr_u8(ct, ATTR_TCP_FLAGS_REPL, IP_CT_TCP_FLAG_BE_LIBERAL);
	nfct_set_attr_u8(ct, ATTR_TCP_MASK_REPL, IP_CT_TCP_FLAG_BE_LIBERAL);
}

struct nlmsghdr *kr_fc_msg_ct_new(void *buf, const struct kr_fc_tuple *t, uint32_t mark,
                                  uint32_t timeout, bool create)
{
	struct nlmsghdr *nlh;
	struct nf_conntrack *ct;
	int ret;

	if (kr_fc_tuple_check(t) == -1 || (create && timeout == 0) ||
	    (ct = kr_fc_ct_obj(t)) == NULL)
		return NULL;
	nlh = kr_fc_ct_header(buf, IPCTNL_MSG_CT_NEW, create ? NLM_F_CREATE : 0);
	nfct_set_attr_u32(ct, ATTR_MARK, mark);
	if (create) {
		/* without NLM_F_EXCL an entry that exists has its mark (and state) updated */
		nfct_set_attr_u32(ct, ATTR_TIMEOUT, timeout);
		if (t->proto == IPPROTO_TCP)
			kr_fc_ct_tcp_established(ct);
	}
	ret = nfct_nlmsg_build(nlh, ct);
	nfct_destroy(ct);
	return ret == -1 ? NULL : nlh;
}

struct nlmsghdr *kr_fc_msg_ct_get(void *buf, const struct kr_fc_tuple *t)
{
	struct nlmsghdr *nlh;
	struct nf_conntrack *ct;
	int ret;

	if (kr_fc_tuple_check(t) == -1 || (ct = kr_fc_ct_obj(t)) == NULL)
		return NULL;
	nlh = kr_fc_ct_header(buf, IPCTNL_MSG_CT_GET, 0);
	ret = nfct_nlmsg_build(nlh, ct);
	nfct_destroy(ct);
	return ret == -1 ? NULL : nlh;
}

/* The original tuple of an entry in an event, if it is one kr can name: IPv6, zone 0, ports, or
 * an ICMPv6 echo request. */
static int kr_fc_ct_tuple(const struct nf_conntrack *ct, struct kr_fc_tuple *t)
{
	memset(t, 0, sizeof(*t));
	if (!nfct_attr_is_set(ct, ATTR_ORIG_L3PROTO) ||
	    nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) != AF_INET6 ||
	    !nfct_attr_is_set(ct, ATTR_ORIG_IPV6_SRC) ||
	    !nfct_attr_is_set(ct, ATTR_ORIG_IPV6_DST) || !nfct_attr_is_set(ct, ATTR_ORIG_L4PROTO) ||
	    (nfct_attr_is_set(ct, ATTR_ZONE) && nfct_get_attr_u16(ct, ATTR_ZONE) != 0))
		return -1;
	memcpy(&t->src, nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC), sizeof(t->src));
	memcpy(&t->dst, nfct_get_attr(ct, ATTR_ORIG_IPV6_DST), sizeof(t->dst));
	t->proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	if (t->proto == IPPROTO_ICMPV6) {
		if (!nfct_attr_is_set(ct, ATTR_ICMP_TYPE) || !nfct_attr_is_set(ct, ATTR_ICMP_ID) ||
		    nfct_get_attr_u8(ct, ATTR_ICMP_TYPE) != KR_FC_ICMPV6_ECHO ||
		    (nfct_attr_is_set(ct, ATTR_ICMP_CODE) &&
		     nfct_get_attr_u8(ct, ATTR_ICMP_CODE) != 0))
			return -1;
		t->sport = t->dport = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
	} else if (nfct_attr_is_set(ct, ATTR_ORIG_PORT_SRC) &&
	           nfct_attr_is_set(ct, ATTR_ORIG_PORT_DST)) {
		t->sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
		t->dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	} else {
		return -1;
	}
	return kr_fc_tuple_check(t);
}

/* --- sockets --- */

static int kr_fc_ct_sockopt(struct mnl_socket *nl, int rcvbuf, bool timeout)
{
	int one = 1, fd = mnl_socket_get_fd(nl);
	struct timeval tv = { .tv_sec = 5 };

	(void)mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == -1)
		log_warn("kr: conntrack socket: SO_RCVBUF");
	if (timeout && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		return -1;
	return 0;
}

int kr_fc_ct_open(struct kr_fc *fc, char *err, size_t errlen)
{
	int group = NFNLGRP_CONNTRACK_DESTROY;

	fc->ct = mnl_socket_open(NETLINK_NETFILTER);
	if (fc->ct == NULL || mnl_socket_bind(fc->ct, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    kr_fc_ct_sockopt(fc->ct, KR_RCVBUF, true) == -1) {
		snprintf(err, errlen, "conntrack socket: %s", strerror(errno));
		return -1;
	}
	fc->ev = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK);
	if (fc->ev == NULL || mnl_socket_bind(fc->ev, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    kr_fc_ct_sockopt(fc->ev, KR_FC_EVRCVBUF, false) == -1 ||
	    mnl_socket_setsockopt(fc->ev, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) == -1) {
		snprintf(err, errlen, "conntrack event socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void kr_fc_ct_close(struct kr_fc *fc)
{
	if (fc->ct != NULL)
		mnl_socket_close(fc->ct);
	if (fc->ev != NULL)
		mnl_socket_close(fc->ev);
	fc->ct = fc->ev = NULL;
}

/* --- the batch of connections to make --- */

void kr_fc_ct_queue_create(struct kr_fc *fc, const struct kr_fc_tuple *t, uint32_t mark,
                           uint32_t timeout)
{
	struct kr_fc_batch *b = &fc->creates;
	struct nlmsghdr *nlh;

	if (KR_FC_BATCH - b->len < KR_MSG_MAX)
		kr_fc_ct_flush(fc);
	nlh = kr_fc_msg_ct_new(b->buf + b->len, t, mark, timeout, true);
	if (nlh == NULL) {
		fc->st.ct_failures++;
		return;
	}
	if (b->n == 0)
		b->seq0 = fc->ct_seq + 1;
	nlh->nlmsg_seq = ++fc->ct_seq;
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	b->n++;
}

/* One acknowledgement of the batch: 1 if it is one, 0 otherwise. */
static int kr_fc_ct_ack(struct kr_fc *fc, const struct nlmsghdr *nlh)
{
	const struct kr_fc_batch *b = &fc->creates;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq - b->seq0 >= b->n ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return 0;
	if (e->error == 0) {
		fc->st.ct_created++;
	} else {
		fc->st.ct_failures++;
		log_warnx_limited(&fc->limit, "kr: making a flow's connection: %s",
		                  strerror(e->error < 0 && e->error > -4096 ? -e->error : EPROTO));
	}
	return 1;
}

/* The kernel answers a batch inside sendmsg(): every acknowledgement is queued when it returns. */
static void kr_fc_ct_acks(struct kr_fc *fc)
{
	const struct nlmsghdr *nlh;
	unsigned acked = 0;
	ssize_t n;
	int len;

	while (acked < fc->creates.n) {
		n = kr_nl_recv(fc->ct, fc->ct_rbuf, KR_RBUF_SIZE, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("kr: acknowledgements of new connections");
			fc->st.ct_failures += fc->creates.n - acked;
			return;
		}
		len = (int)n;
		nlh = (const struct nlmsghdr *)fc->ct_rbuf;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			acked += (unsigned)kr_fc_ct_ack(fc, nlh);
	}
}

void kr_fc_ct_flush(struct kr_fc *fc)
{
	struct kr_fc_batch *b = &fc->creates;

	if (b->n == 0)
		return;
	if (mnl_socket_sendto(fc->ct, b->buf, b->len) == -1) {
		log_warn("kr: sending %u new connections", b->n);
		fc->st.ct_failures += b->n;
	} else {
		kr_fc_ct_acks(fc);
	}
	kr_fc_batch_reset(b, 0);
}

/* --- one connection --- */

static int kr_fc_tuple_make(struct kr_fc_tuple *t, const struct in6_addr *src,
                            const struct in6_addr *dst, uint8_t proto, uint16_t sport,
                            uint16_t dport)
{
	if (src == NULL || dst == NULL)
		return -1;
	t->src = *src;
	t->dst = *dst;
	t->proto = proto;
	t->sport = sport;
	t->dport = dport;
	return kr_fc_tuple_check(t);
}

static int kr_fc_ct_talk(struct kr_fc *fc, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	bool intr;

	kr_fc_ct_flush(fc);
	nlh->nlmsg_seq = ++fc->ct_seq;
	return kr_nl_talk(fc->ct, fc->ct_rbuf, nlh, cb, arg, &intr);
}

int kr_fc_ct_set_mark(struct kr *k, const struct in6_addr *src, const struct in6_addr *dst,
                      uint8_t proto, uint16_t sport, uint16_t dport, uint32_t mark)
{
	alignas(struct nlmsghdr) uint8_t buf[KR_MSG_MAX];
	struct kr_fc_tuple t;
	struct nlmsghdr *nlh;

	if (k == NULL || k->fc == NULL ||
	    kr_fc_tuple_make(&t, src, dst, proto, sport, dport) == -1 ||
	    (nlh = kr_fc_msg_ct_new(buf, &t, mark, 0, false)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (kr_fc_ct_talk(k->fc, nlh, NULL, NULL) == -1)
		return -1;
	k->fc->st.marks_set++;
	return 0;
}

/* --- marks an earlier run left --- */

/* A connection of a dump, reduced to its original tuple, and its mark. */
struct kr_fc_marked_ct {
	struct nf_conntrack *orig;
	uint32_t mark;
};

/* The connections of a dump whose mark lies in [lo, hi]. */
struct kr_fc_marked {
	uint32_t lo, hi;
	struct kr_fc_marked_ct *ct;
	size_t n, cap;
	bool nomem;
};

static bool kr_fc_marked_room(struct kr_fc_marked *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct kr_fc_marked_ct *grown;

	if (m->n < m->cap)
		return true;
	grown = realloc(m->ct, cap * sizeof(*grown));
	if (grown == NULL)
		return false;
	m->ct = grown;
	m->cap = cap;
	return true;
}

static int kr_fc_marked_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kr_fc_marked *m = data;
	struct nf_conntrack *ct = nfct_new(), *orig;
	uint32_t mark;

	if (ct == NULL || nfct_nlmsg_parse(nlh, ct) == -1 || !nfct_attr_is_set(ct, ATTR_MARK))
		goto out;
	mark = nfct_get_attr_u32(ct, ATTR_MARK);
	if (m->hi <= ~KR_FC_DUP_MASK)
		mark &= ~KR_FC_DUP_MASK; /* a bicast slot on top of a tunnel's mark */
	if (mark < m->lo || mark > m->hi)
		goto out;
	if (!kr_fc_marked_room(m) || (orig = nfct_new()) == NULL) {
		m->nomem = true;
		goto out;
	}
	nfct_copy(orig, ct, NFCT_CP_ORIG);
	m->ct[m->n++] = (struct kr_fc_marked_ct){ .orig = orig, .mark = mark };
out:
	if (ct != NULL)
		nfct_destroy(ct);
	return MNL_CB_OK;
}

/* Sets one connection's mark to 0; one that ended meanwhile is not an error. */
static int kr_fc_ct_unmark(struct kr_fc *fc, struct nf_conntrack *ct)
{
	alignas(struct nlmsghdr) uint8_t buf[KR_MSG_MAX];
	struct nlmsghdr *nlh = kr_fc_ct_header(buf, IPCTNL_MSG_CT_NEW, 0);

	nfct_set_attr_u32(ct, ATTR_MARK, 0);
	if (nfct_nlmsg_build(nlh, ct) == -1)
		return -1;
	if (kr_fc_ct_talk(fc, nlh, NULL, NULL) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* Whether keep() wants the connection kept with its mark (ICMPv6 echo: the identifier as both
 * ports, as kr.h names connections). */
static bool kr_fc_ct_kept(const struct kr_fc_marked_ct *c, kr_fc_marked_fn keep, void *arg)
{
	const struct nf_conntrack *ct = c->orig;
	uint8_t proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	uint16_t sport, dport;

	if (keep == NULL)
		return false;
	if (proto == IPPROTO_ICMPV6) {
		sport = dport = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
	} else {
		sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
		dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	}
	return keep(arg, nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC),
	            nfct_get_attr(ct, ATTR_ORIG_IPV6_DST), proto, sport, dport, c->mark);
}

/* A dump request's filter (ctnetlink's CTA_MARK and CTA_MARK_MASK): connections whose mark is
 * mark, with whatever bicast slot above a tunnel's or tag's mark. */
static void kr_fc_ct_mark_filter(struct nlmsghdr *nlh, uint32_t mark)
{
	uint32_t mask = mark <= ~KR_FC_DUP_MASK ? ~KR_FC_DUP_MASK : ~0u;

	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark));
	mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(mask));
}

int kr_fc_ct_clear_marks(struct kr_fc *fc, uint32_t lo, uint32_t hi, kr_fc_marked_fn keep,
                         void *arg)
{
	alignas(struct nlmsghdr) uint8_t buf[KR_MSG_MAX];
	struct kr_fc_marked m = { .lo = lo, .hi = hi };
	struct nlmsghdr *nlh = kr_fc_ct_header(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP);
	int cleared = 0, failed = 0;

	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	if (lo == hi) /* one mark: the kernel sends only its connections (any bicast slot) */
		kr_fc_ct_mark_filter(nlh, lo);
	if (kr_fc_ct_talk(fc, nlh, kr_fc_marked_cb, &m) == -1) {
		failed = -1;
		goto out;
	}
	for (size_t i = 0; i < m.n; i++) {
		if (kr_fc_ct_kept(&m.ct[i], keep, arg))
			continue;
		if (kr_fc_ct_unmark(fc, m.ct[i].orig) == 0)
			cleared++;
		else
			failed = -1;
	}
out:
	for (size_t i = 0; i < m.n; i++)
		nfct_destroy(m.ct[i].orig);
	free(m.ct);
	if (m.nomem) {
		errno = ENOMEM;
		failed = -1;
	}
	return failed == -1 ? -1 : cleared;
}

struct kr_fc_counters {
	uint64_t packets, bytes;
};

static int kr_fc_counters_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kr_fc_counters *c = data;
	struct nf_conntrack *ct;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW) ||
	    (ct = nfct_new()) == NULL)
		return MNL_CB_OK;
	if (nfct_nlmsg_parse(nlh, ct) == 0) {
		if (nfct_attr_is_set(ct, ATTR_ORIG_COUNTER_PACKETS))
			c->packets = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS);
		if (nfct_attr_is_set(ct, ATTR_ORIG_COUNTER_BYTES))
			c->bytes = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES);
	}
	nfct_destroy(ct);
	return MNL_CB_OK;
}

int kr_fc_ct_counters(struct kr *k, const struct in6_addr *src, const struct in6_addr *dst,
                      uint8_t proto, uint16_t sport, uint16_t dport, uint64_t *packets,
                      uint64_t *bytes)
{
	alignas(struct nlmsghdr) uint8_t buf[KR_MSG_MAX];
	struct kr_fc_counters c = { 0, 0 };
	struct kr_fc_tuple t;
	struct nlmsghdr *nlh;

	if (k == NULL || k->fc == NULL || packets == NULL || bytes == NULL ||
	    kr_fc_tuple_make(&t, src, dst, proto, sport, dport) == -1 ||
	    (nlh = kr_fc_msg_ct_get(buf, &t)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (kr_fc_ct_talk(k->fc, nlh, kr_fc_counters_cb, &c) == -1)
		return -1;
	*packets = c.packets;
	*bytes = c.bytes;
	return 0;
}

/* --- destroy events --- */

int kr_fc_events_fd(const struct kr *k)
{
	if (k == NULL || k->fc == NULL || k->fc->ev == NULL) {
		errno = EINVAL;
		return -1;
	}
	return mnl_socket_get_fd(k->fc->ev);
}

/* Only connections with a mark are reported: those of steered flows. */
static void kr_fc_event(struct kr_fc *fc, const struct nlmsghdr *nlh, kr_fc_gone_fn fn, void *arg)
{
	struct nf_conntrack *ct = nfct_new();
	struct kr_fc_tuple t;

	if (ct == NULL)
		return;
	if (nfct_nlmsg_parse(nlh, ct) == 0 && nfct_attr_is_set(ct, ATTR_MARK) &&
	    nfct_get_attr_u32(ct, ATTR_MARK) != 0 && kr_fc_ct_tuple(ct, &t) == 0) {
		fc->st.gone++;
		fn(arg, &t.src, &t.dst, t.proto, t.sport, t.dport);
	}
	nfct_destroy(ct);
}

void kr_fc_events_read(struct kr *k, kr_fc_gone_fn fn, void *arg)
{
	const uint16_t destroy = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	const struct nlmsghdr *nlh;
	struct kr_fc *fc;
	ssize_t n;
	int len;

	if (k == NULL || (fc = k->fc) == NULL || fn == NULL)
		return;
	for (int i = 0; i < KR_FC_EVENTS_MAX; i++) {
		n = kr_nl_recv(fc->ev, fc->ev_rbuf, KR_RBUF_SIZE, MSG_DONTWAIT);
		if (n == -1 && (errno == ENOBUFS || errno == EINTR)) {
			fc->st.events_lost += errno == ENOBUFS;
			continue;
		}
		if (n == -1) {
			if (errno != EAGAIN)
				log_warn("kr: conntrack events");
			return;
		}
		len = (int)n;
		nlh = (const struct nlmsghdr *)fc->ev_rbuf;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == destroy)
				kr_fc_event(fc, nlh, fn, arg);
	}
}

/* --- accounting: per namespace, on while we run --- */

static int kr_fc_sysctl_read(const char *path, int *v)
{
	FILE *f = fopen(path, "re");
	int ret = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", v) == 1)
		ret = 0;
	else
		errno = EINVAL;
	(void)fclose(f);
	return ret;
}

static int kr_fc_sysctl_write(const char *path, int v)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (f == NULL)
		return -1;
	ret = fprintf(f, "%d\n", v) < 0 ? -1 : 0;
	if (fclose(f) == EOF)
		ret = -1;
	return ret;
}

static uint32_t kr_fc_sysctl_timeout(const char *name, uint32_t dflt)
{
	char path[128];
	int v;

	snprintf(path, sizeof(path), "%s%s", KR_FC_SYSCTL_DIR, name);
	return kr_fc_sysctl_read(path, &v) == 0 && v > 0 ? (uint32_t)v : dflt;
}

/* A connection that never sees a reply: its tracker would give it these anyway. */
void kr_fc_ct_timeouts(struct kr_fc *fc)
{
	fc->timeout_tcp =
	        kr_fc_sysctl_timeout("nf_conntrack_tcp_timeout_unacknowledged", KR_FC_TIMEOUT_TCP);
	fc->timeout_udp = kr_fc_sysctl_timeout("nf_conntrack_udp_timeout", KR_FC_TIMEOUT_MISC);
	fc->timeout_icmp = kr_fc_sysctl_timeout("nf_conntrack_icmpv6_timeout", KR_FC_TIMEOUT_MISC);
}

int kr_fc_acct_on(struct kr_fc *fc)
{
	int v;

	if (kr_fc_sysctl_read(KR_FC_ACCT_SYSCTL, &v) == -1)
		return -1;
	if (v == 1)
		return 0;
	if (kr_fc_sysctl_write(KR_FC_ACCT_SYSCTL, 1) == -1)
		return -1;
	fc->acct_saved = v;
	return 0;
}

void kr_fc_acct_restore(struct kr_fc *fc)
{
	if (fc->acct_saved >= 0 && kr_fc_sysctl_write(KR_FC_ACCT_SYSCTL, fc->acct_saved) == -1)
		log_warn("kr: restoring %s", KR_FC_ACCT_SYSCTL);
	fc->acct_saved = -1;
}
