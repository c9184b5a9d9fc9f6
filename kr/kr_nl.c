/* kr_nl.c: the rtnetlink request socket of the kernel side. Requests are queued into one buffer
 * and sent with one sendmsg(); every request asks for an ACK carrying its sequence number, and
 * each ACK is mapped back to the request (and its cookie) by that number. The kernel handles a
 * batch synchronously inside sendmsg(), so every ACK is queued when sendmsg() returns; the
 * receive buffer is sized for a whole batch of them. Replies are untrusted: datagrams not sent
 * by the kernel are dropped, lengths are checked before use. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kr/kr_nl.h"

static void kr_nl_sockopt(struct kr *k)
{
	int fd = mnl_socket_get_fd(k->nl);
	int one = 1, rcv = KR_RCVBUF, snd = 4 * KR_BATCH_BYTES, eff = 0;
	socklen_t sl = sizeof(eff);
	struct timeval tv = { .tv_sec = 5 };

	/* optional refinements: a kernel without them still works */
	(void)mnl_socket_setsockopt(k->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(k->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(k->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) == -1)
		log_warn("kr: SO_RCVBUF");
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd)) == -1)
		log_warn("kr: SO_SNDBUF");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		log_warn("kr: SO_RCVTIMEO");
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &eff, &sl) == -1)
		eff = 0;
	k->max_reqs = (unsigned)eff / KR_ACK_COST;
	if (k->max_reqs > KR_BATCH_MAX)
		k->max_reqs = KR_BATCH_MAX;
	if (k->max_reqs < 16)
		k->max_reqs = 16;
}

/* On failure nothing is left open: k->nl is NULL. */
int kr_nl_open(struct kr *k)
{
	int err;

	k->batch = malloc(KR_BATCH_BYTES);
	k->reqs = calloc(KR_BATCH_MAX, sizeof(*k->reqs));
	k->rbuf = malloc(KR_RBUF_SIZE);
	k->nl = mnl_socket_open(NETLINK_ROUTE);
	if (k->batch != NULL && k->reqs != NULL && k->rbuf != NULL && k->nl != NULL &&
	    mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) == 0) {
		k->portid = mnl_socket_get_portid(k->nl);
		kr_nl_sockopt(k);
		return 0;
	}
	err = errno;
	kr_nl_close(k);
	errno = err;
	return -1;
}

void kr_nl_close(struct kr *k)
{
	if (k->nl != NULL)
		mnl_socket_close(k->nl);
	k->nl = NULL;
	free(k->batch);
	free(k->reqs);
	free(k->rbuf);
	free(k->fails);
	k->batch = k->rbuf = NULL;
	k->reqs = NULL;
	k->fails = NULL;
	k->nfails = k->fails_cap = 0;
}

void *kr_nl_space(struct kr *k)
{
	if (KR_BATCH_BYTES - k->batch_len < KR_MSG_MAX || k->nreqs >= k->max_reqs)
		(void)kr_nl_flush(k);
	return memset(k->batch + k->batch_len, 0, KR_MSG_MAX); /* libmnl leaves padding as is */
}

void kr_nl_commit(struct kr *k, struct nlmsghdr *nlh, enum kr_req_kind kind, uint64_t cookie)
{
	if (k->nreqs == 0)
		k->batch_seq = k->seq + 1;
	nlh->nlmsg_seq = k->batch_seq + k->nreqs;
	nlh->nlmsg_pid = 0;
	k->seq = nlh->nlmsg_seq;
	k->reqs[k->nreqs].cookie = cookie;
	k->reqs[k->nreqs].kind = (uint8_t)kind;
	k->reqs[k->nreqs].acked = 0;
	k->nreqs++;
	k->batch_len += MNL_ALIGN(nlh->nlmsg_len);
}

static int kr_nl_ext_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*(const char **)data = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* The kernel's explanation in an extended ACK, or "". */
static const char *kr_nl_ext_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const char *msg = NULL;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return "";
		off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(struct nlmsghdr));
	}
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return "";
	(void)mnl_attr_parse(nlh, (unsigned)off, kr_nl_ext_attr_cb, &msg);
	return msg != NULL ? msg : "";
}

/* Kept for the result callback, called once the batch is over (the callback may queue). */
static void kr_nl_fail(struct kr *k, uint64_t cookie, int err)
{
	struct kr_fail *nf;

	if (k->nfails == k->fails_cap) {
		nf = realloc(k->fails, (k->fails_cap * 2 + 64) * sizeof(*nf));
		if (nf == NULL) {
			log_warn("kr: request %" PRIu64 " refused (%s), not reported", cookie,
			         strerror(err));
			return;
		}
		k->fails = nf;
		k->fails_cap = k->fails_cap * 2 + 64;
	}
	k->fails[k->nfails].cookie = cookie;
	k->fails[k->nfails].err = err;
	k->nfails++;
}

/* Calls the result callback for each refusal. A callback that queues requests may flush again:
 * that flush's refusals are appended and reported by this loop. */
void kr_nl_deliver(struct kr *k)
{
	if (k->delivering)
		return;
	k->delivering = true;
	for (size_t i = 0; i < k->nfails; i++)
		if (k->result_fn != NULL)
			k->result_fn(k->result_arg, k->fails[i].cookie, k->fails[i].err);
	k->nfails = 0;
	k->delivering = false;
}

static void kr_nl_refused(struct kr *k, unsigned i, int err, const char *why)
{
	const struct kr_req *r = &k->reqs[i];

	if (r->kind == KR_REQ_DEL && (err == ENOENT || err == ESRCH || err == ENODEV))
		return;
	if (r->kind != KR_REQ_QUIET)
		k->stats.failures++; /* a quiet request is a probe: its refusal is an answer */
	if (r->kind == KR_REQ_USER) {
		k->refused++;
		log_debug("kr: request %" PRIu64 " refused: %s%s%s", r->cookie, strerror(err),
		          *why ? ": " : "", why);
		kr_nl_fail(k, r->cookie, err);
		return;
	}
	if (r->kind != KR_REQ_QUIET)
		log_warnx_limited(&k->limit, "kr: kernel refused a request: %s%s%s", strerror(err),
		                  *why ? ": " : "", why);
	if (k->sync_err == 0)
		k->sync_err = err;
}

static int kr_nl_ack_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kr *k = data;
	const struct nlmsgerr *e;
	uint32_t i = nlh->nlmsg_seq - k->batch_seq;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e) || i >= k->nreqs || k->reqs[i].acked)
		return MNL_CB_OK; /* not an answer to this batch */
	e = mnl_nlmsg_get_payload(nlh);
	k->reqs[i].acked = 1;
	k->nacked++;
	if (e->error == 0)
		return MNL_CB_OK;
	err = e->error < 0 && e->error > -4096 ? -e->error : EPROTO;
	kr_nl_refused(k, i, err, kr_nl_ext_msg(nlh));
	return MNL_CB_OK;
}

/* Reads until every request of the batch has its ACK. After ENOBUFS (an ACK was dropped) the
 * rest are read without waiting: they are all queued already. */
static int kr_nl_read_acks(struct kr *k)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = kr_nl_ack_cb };
	int flags = 0;
	ssize_t n;

	while (k->nacked < k->nreqs) {
		n = kr_nl_recv(k->nl, k->rbuf, KR_RBUF_SIZE, flags);
		if (n == -1 && errno == ENOBUFS) {
			flags = MSG_DONTWAIT;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && flags == MSG_DONTWAIT && errno == EAGAIN)
			errno = ENOBUFS; /* the missing ACKs were dropped */
		if (n == -1)
			return -1;
		if (mnl_cb_run2(k->rbuf, (size_t)n, 0, k->portid, NULL, k, ctl, NLMSG_MIN_TYPE) ==
		    -1)
			log_warn("kr: netlink acknowledgement");
	}
	return 0;
}

/* Sends the batch and reads its ACKs; requests left without an ACK count as refused. Returns
 * the number of user requests refused. */
int kr_nl_flush(struct kr *k)
{
	unsigned before = k->refused;
	int err = 0;

	if (k->nreqs == 0)
		return 0;
	k->stats.batches++;
	k->stats.requests += k->nreqs;
	k->nacked = 0;
	if (k->nl == NULL)
		err = ENOTCONN;
	else if (mnl_socket_sendto(k->nl, k->batch, k->batch_len) == -1)
		err = errno;
	else if (kr_nl_read_acks(k) == -1)
		err = errno == EAGAIN ? ETIMEDOUT : errno;
	if (err != 0)
		log_warnx("kr: netlink batch of %u: %s", k->nreqs, strerror(err));
	for (unsigned i = 0; i < k->nreqs; i++)
		if (!k->reqs[i].acked)
			kr_nl_refused(k, i, err != 0 ? err : EPROTO, "no acknowledgement");
	k->nreqs = 0;
	k->batch_len = 0;
	return (int)(k->refused - before);
}

int kr_nl_sync(struct kr *k)
{
	(void)kr_nl_flush(k);
	if (k->sync_err != 0) {
		errno = k->sync_err;
		k->sync_err = 0;
		return -1;
	}
	return 0;
}

/* One datagram from the kernel: 0 for a datagram from anyone else (dropped), -1 with errno. */
ssize_t kr_nl_recv(struct mnl_socket *nl, void *buf, size_t len, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1
	};
	ssize_t n = recvmsg(mnl_socket_get_fd(nl), &msg, flags);

	if (n == -1)
		return -1;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (msg.msg_namelen != sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid != 0)
		return 0;
	return n;
}

static int kr_nl_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EPROTO;
		return -1;
	}
	if (e->error == 0)
		return 0;
	errno = e->error < 0 && e->error > -4096 ? -e->error : EPROTO;
	return -1;
}

static int kr_nl_done(const struct nlmsghdr *nlh)
{
	int32_t v;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(v))
		return 0;
	memcpy(&v, mnl_nlmsg_get_payload(nlh), sizeof(v));
	if (v >= 0)
		return 0;
	errno = v > -4096 ? -v : EPROTO;
	return -1;
}

/* Walks one datagram of replies to request seq: 1 to read on, 0 at the end (DONE or ACK), -1
 * with errno. Unlike mnl_cb_run() it goes on after NLM_F_DUMP_INTR, so that the rest of the dump
 * is read off the socket; the caller learns of it through intr. */
static int kr_nl_run(const void *buf, size_t n, uint32_t seq, uint32_t portid, mnl_cb_t cb,
                     void *arg, bool *intr)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq || (nlh->nlmsg_pid != portid && nlh->nlmsg_pid != 0))
			continue; /* a late answer to something else */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		if (nlh->nlmsg_type == NLMSG_DONE)
			return kr_nl_done(nlh);
		if (nlh->nlmsg_type == NLMSG_ERROR)
			return kr_nl_error(nlh);
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE || cb == NULL)
			continue;
		if (cb(nlh, arg) == MNL_CB_ERROR)
			return -1;
	}
	return 1;
}

/* Sends one request (its sequence number set by the caller) and hands every reply to cb until
 * the ACK or the end of the dump. 0, or -1 with errno. */
int kr_nl_talk(struct mnl_socket *nl, uint8_t *rbuf, struct nlmsghdr *req, mnl_cb_t cb, void *arg,
               bool *intr)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret = 1;

	*intr = false;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) == -1)
		return -1;
	while (ret == 1) {
		n = kr_nl_recv(nl, rbuf, KR_RBUF_SIZE, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		ret = kr_nl_run(rbuf, (size_t)n, req->nlmsg_seq, portid, cb, arg, intr);
	}
	return ret;
}

/* A dump (or a get) on the request socket, after what is queued there. 0, 1 if the kernel says
 * the dump was interrupted by a change (the caller may redo it), -1 with errno. */
int kr_nl_dump(struct kr *k, struct nlmsghdr *req, mnl_cb_t cb, void *arg)
{
	bool intr;

	(void)kr_nl_flush(k);
	req->nlmsg_seq = ++k->seq;
	if (kr_nl_talk(k->nl, k->rbuf, req, cb, arg, &intr) == -1)
		return -1;
	return intr ? 1 : 0;
}

struct kr_parse {
	const struct kr_attr_want *want;
	uint16_t max;
	const struct nlattr **tb;
};

static int kr_nl_parse_cb(const struct nlattr *a, void *data)
{
	const struct kr_parse *p = data;
	uint16_t t = mnl_attr_get_type(a);
	int bad;

	if (t > p->max || p->want[t].type == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (p->want[t].len != 0)
		bad = mnl_attr_validate2(a, p->want[t].type, p->want[t].len);
	else
		bad = mnl_attr_validate(a, p->want[t].type);
	if (bad == 0)
		p->tb[t] = a;
	return MNL_CB_OK;
}

int kr_nl_parse(const struct nlmsghdr *nlh, size_t hdrlen, const struct kr_attr_want *want,
                uint16_t max, const struct nlattr **tb)
{
	struct kr_parse p = { .want = want, .max = max, .tb = tb };

	memset(tb, 0, ((size_t)max + 1) * sizeof(*tb));
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -1;
	return mnl_attr_parse(nlh, (unsigned)hdrlen, kr_nl_parse_cb, &p) == MNL_CB_ERROR ? -1 : 0;
}
