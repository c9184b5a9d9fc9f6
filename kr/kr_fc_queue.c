/* kr_fc_queue.c: the NFQUEUE side of flow steering (draft-bernardos-mif-pmip-02 §5.3.1: the LMA
 * classifies a flow on its first packet), through libnetfilter_queue's libmnl-based calls. The
 * socket is non-blocking with a large buffer; packets come with their headers only (copy_range).
 * Each read handles what is there, then sends the connections to make (seg6 driver, kr.h;
 * kr_fc_ct.c) and only then the verdicts, many to a sendmsg(): a marked packet gets NF_REPEAT with
 * its mark, so it goes through our chain again, which saves the mark and lets it go; an unmarked
 * one NF_ACCEPT. The kernel's own counters come from /proc/net/netfilter/nfnetlink_queue. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "kr/kr_fc.h"

/* room for KR_FC_QMAXLEN queued packets of about 1.3 KB each (their socket buffers) */
#define KR_FC_QRCVBUF (32 * 1024 * 1024)

static struct nlmsghdr *kr_fc_qcfg_msg(void *buf, uint16_t queue_num, uint32_t seq)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue_num);

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	return nlh;
}

/* Binds the queue (EBUSY: another socket has it), then sets copy range, length and flags. */
static int kr_fc_queue_config(struct kr_fc *fc)
{
	alignas(struct nlmsghdr) uint8_t buf[KR_MSG_MAX] = { 0 };
	uint32_t flags = NFQA_CFG_F_GSO, mask;
	struct nlmsghdr *nlh;
	bool intr;

	nlh = kr_fc_qcfg_msg(buf, fc->cfg.queue_num, ++fc->ct_seq);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET6, NFQNL_CFG_CMD_BIND);
	if (kr_nl_talk(fc->q, fc->rbuf, nlh, NULL, NULL, &intr) == -1)
		return -1;
	if (fc->cfg.fail_open)
		flags |= NFQA_CFG_F_FAIL_OPEN; /* a full queue accepts instead of dropping */
	mask = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	nlh = kr_fc_qcfg_msg(buf, fc->cfg.queue_num, ++fc->ct_seq);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, (int)fc->cfg.copy_range);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, KR_FC_QMAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	return kr_nl_talk(fc->q, fc->rbuf, nlh, NULL, NULL, &intr);
}

int kr_fc_queue_open(struct kr_fc *fc, char *err, size_t errlen)
{
	int one = 1, rcv = KR_FC_QRCVBUF, fd, fl;

	fc->q = mnl_socket_open(NETLINK_NETFILTER);
	if (fc->q == NULL || mnl_socket_bind(fc->q, 0, MNL_SOCKET_AUTOPID) == -1) {
		snprintf(err, errlen, "queue socket: %s", strerror(errno));
		return -1;
	}
	fc->q_portid = mnl_socket_get_portid(fc->q);
	fd = mnl_socket_get_fd(fc->q);
	(void)mnl_socket_setsockopt(fc->q, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) == -1)
		log_warn("kr: flow steering queue: SO_RCVBUF");
	if (kr_fc_queue_config(fc) == -1) {
		snprintf(err, errlen, "binding queue %u: %s", fc->cfg.queue_num,
		         errno == EBUSY ? "another program has it" : strerror(errno));
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "queue socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Closing the socket unbinds the queue; packets still waiting for a verdict are dropped. */
void kr_fc_queue_close(struct kr_fc *fc)
{
	if (fc->q != NULL)
		mnl_socket_close(fc->q);
	fc->q = NULL;
}

int kr_fc_queue_fd(const struct kr *k)
{
	if (k == NULL || k->fc == NULL || k->fc->q == NULL) {
		errno = EINVAL;
		return -1;
	}
	return mnl_socket_get_fd(k->fc->q);
}

/* --- verdicts --- */

static void kr_fc_verdicts_send(struct kr_fc *fc)
{
	struct kr_fc_batch *b = &fc->verdicts;

	if (b->n == 0)
		return;
	if (mnl_socket_sendto(fc->q, b->buf, b->len) == -1) {
		log_warnx_limited(&fc->limit, "kr: %u verdicts: %s", b->n, strerror(errno));
		fc->st.verdict_errors += b->n;
	} else {
		fc->st.verdicts += b->n;
	}
	kr_fc_batch_reset(b, 0);
}

/* The conntrack entries first: once a packet is let go, the next one of its flow must find its
 * connection marked. */
static void kr_fc_queue_flush(struct kr_fc *fc)
{
	kr_fc_ct_flush(fc);
	kr_fc_verdicts_send(fc);
}

static void kr_fc_verdict(struct kr_fc *fc, uint32_t id, uint32_t mark)
{
	struct kr_fc_batch *b = &fc->verdicts;
	struct nlmsghdr *nlh;

	if (KR_FC_BATCH - b->len < KR_MSG_MAX)
		kr_fc_queue_flush(fc);
	nlh = nfq_nlmsg_put((char *)b->buf + b->len, NFQNL_MSG_VERDICT, fc->cfg.queue_num);
	/* the id goes back as the kernel sent it (nfq_nlmsg_verdict_put takes an int) */
	nfq_nlmsg_verdict_put(nlh, (int)id, mark != 0 ? NF_REPEAT : NF_ACCEPT);
	if (mark != 0)
		nfq_nlmsg_verdict_put_mark(nlh, mark);
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	b->n++;
}

/* --- packets --- */

/* Under seg6, the connection of a marked packet is made here (kr.h): for TCP, UDP, UDP-Lite
 * and ICMPv6 echo, whose trackers take one-way traffic (a TCP reset makes none). */
static void kr_fc_connection(struct kr_fc *fc, const uint8_t *pkt, size_t len, uint32_t mark)
{
	struct kr_fc_tuple t;
	uint32_t timeout;
	bool rst;

	if (kr_fc_pkt_tuple(pkt, len, &t, &rst) == -1 || rst)
		return;
	switch (t.proto) {
	case IPPROTO_TCP:
		timeout = fc->timeout_tcp;
		break;
	case IPPROTO_ICMPV6:
		timeout = fc->timeout_icmp;
		break;
	default:
		timeout = fc->timeout_udp;
		break;
	}
	kr_fc_ct_queue_create(fc, &t, mark, timeout);
}

static void kr_fc_packet(struct kr_fc *fc, const struct nlmsghdr *nlh, kr_fc_packet_fn fn,
                         void *arg)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	const struct nfqnl_msg_packet_hdr *ph;
	const uint8_t *pkt = NULL;
	uint32_t mark = 0;
	size_t len = 0;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph)) {
		fc->st.bad++;
		log_warnx_limited(&fc->limit, "kr: malformed message on the flow steering queue");
		return; /* without an id there is nothing to answer */
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (attr[NFQA_PAYLOAD] != NULL) {
		pkt = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	fc->st.queued++;
	if (len > 0)
		mark = fn(arg, pkt, len);
	if (mark != 0 && fc->ct_create)
		kr_fc_connection(fc, pkt, len, mark);
	kr_fc_verdict(fc, ntohl(ph->packet_id), mark);
}

/* One datagram: packets, and the kernel's complaints about verdicts we sent. */
static int kr_fc_datagram(struct kr_fc *fc, const uint8_t *buf, size_t n, kr_fc_packet_fn fn,
                          void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const uint16_t packet = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	int len = (int)n, packets = 0;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == packet) {
			kr_fc_packet(fc, nlh, fn, arg);
			packets++;
		} else if (nlh->nlmsg_type == NLMSG_ERROR &&
		           mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct nlmsgerr) &&
		           ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error != 0) {
			fc->st.verdict_errors++;
		}
	}
	return packets;
}

/* Up to KR_FC_MMSG datagrams in one recvmmsg(), each in a slot of its own: how many came (the
 * kernel's only counted), or -1 with errno. */
static int kr_fc_queue_batch(struct kr_fc *fc, kr_fc_packet_fn fn, void *arg, int *packets)
{
	struct kr_fc_mmsg *m = fc->mm;
	int n;

	for (int i = 0; i < KR_FC_MMSG; i++) {
		m->iov[i] = (struct iovec){ .iov_base = fc->slots + (size_t)i * KR_FC_SLOT,
			                    .iov_len = KR_FC_SLOT };
		m->h[i].msg_hdr = (struct msghdr){ .msg_name = &m->sa[i],
			                           .msg_namelen = sizeof(m->sa[i]),
			                           .msg_iov = &m->iov[i],
			                           .msg_iovlen = 1 };
	}
	if ((n = recvmmsg(mnl_socket_get_fd(fc->q), m->h, KR_FC_MMSG, MSG_DONTWAIT, NULL)) <= 0)
		return n;
	for (int i = 0; i < n; i++) {
		const struct msghdr *h = &m->h[i].msg_hdr;

		if (h->msg_flags & MSG_TRUNC)
			fc->st.bad++; /* cannot be: a slot holds copy_range and the attributes */
		else if (h->msg_namelen == sizeof(m->sa[i]) && m->sa[i].nl_pid == 0)
			*packets += kr_fc_datagram(fc, m->iov[i].iov_base, m->h[i].msg_len, fn, arg);
	}
	return n;
}

/* One datagram into the large buffer (a copy range too large for the slots). */
static int kr_fc_queue_one(struct kr_fc *fc, kr_fc_packet_fn fn, void *arg, int *packets)
{
	ssize_t n = kr_nl_recv(fc->q, fc->rbuf, KR_FC_RBUF_SIZE, MSG_DONTWAIT);

	if (n > 0)
		*packets += kr_fc_datagram(fc, fc->rbuf, (size_t)n, fn, arg);
	return n < 0 ? -1 : 1;
}

int kr_fc_queue_read(struct kr *k, kr_fc_packet_fn fn, void *arg)
{
	struct kr_fc *fc;
	int packets = 0, n;

	if (k == NULL || (fc = k->fc) == NULL || fn == NULL) {
		errno = EINVAL;
		return -1;
	}
	while (packets < KR_FC_READ_MAX) {
		n = fc->mm ? kr_fc_queue_batch(fc, fn, arg, &packets)
		           : kr_fc_queue_one(fc, fn, arg, &packets);
		if (n == -1 && errno == ENOBUFS) {
			/* the kernel dropped some packets (or, failing open, let them pass) */
			fc->st.overruns++;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno != EAGAIN)
				log_warn("kr: flow steering queue");
			break;
		}
		if (fc->mm && n < KR_FC_MMSG)
			break; /* the socket is drained: no call just to hear EAGAIN */
	}
	kr_fc_queue_flush(fc);
	return packets;
}

/* --- the kernel's counters --- */

/* "queue portid waiting copy_mode copy_range dropped user_dropped id_sequence 1": 1 for our
 * queue's line, 0 for another queue's, -1 if malformed. */
static int kr_fc_kstats_line(const char *s, uint16_t queue_num, struct kr_fc_kstats *ks)
{
	unsigned long v[9];
	char *end;

	for (int i = 0; i < 9; i++) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v[i] = strtoul(s, &end, 10);
		if (errno != 0 || v[i] > UINT32_MAX)
			return -1;
		s = end;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\n' && *s != '\0')
		return -1;
	if (v[0] != queue_num)
		return 0;
	ks->portid = (uint32_t)v[1];
	ks->waiting = (uint32_t)v[2];
	ks->dropped = (uint32_t)v[5];
	ks->user_dropped = (uint32_t)v[6];
	ks->id_sequence = (uint32_t)v[7];
	return 1;
}

int kr_fc_kstats_parse(const char *text, uint16_t queue_num, struct kr_fc_kstats *ks)
{
	for (const char *line = text; *line != '\0';) {
		int r = kr_fc_kstats_line(line, queue_num, ks);

		if (r == 1)
			return 0;
		line = strchrnul(line, '\n'); /* a line we cannot read is skipped */
		if (*line == '\n')
			line++;
	}
	errno = ENOENT;
	return -1;
}

int kr_fc_kstats_read(uint16_t queue_num, struct kr_fc_kstats *ks)
{
	FILE *f = fopen(KR_FC_PROC_QUEUE, "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = -1, r;

	if (f == NULL)
		return -1;
	errno = ENOENT;
	while (ret == -1 && getline(&line, &cap, f) != -1) {
		r = kr_fc_kstats_line(line, queue_num, ks);
		if (r == 1)
			ret = 0;
	}
	free(line);
	(void)fclose(f);
	return ret;
}
