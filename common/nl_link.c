/* nl_link.c: the link watcher of nl_link.h. An event socket subscribed to RTNLGRP_LINK with a
 * 4 MiB receive buffer, and a separate request socket for the state of one link (at
 * nl_link_watch) and for a dump of every link when the kernel reports that it dropped events
 * (ENOBUFS): after a loss nothing queued can be trusted to be complete, so the dump is the
 * truth and only differences from the last known state are reported. The carrier is
 * IFF_LOWER_UP and IFF_RUNNING (RFC 2863's operational state up): a veth brought up says
 * LOWER_UP at once, but IPv6 takes the link only when the kernel's link watch runs, up to
 * hundreds of ms later, and announces RUNNING after that, so an RA sent on LOWER_UP alone could
 * find the link "unreachable". A deleted link has none. Datagrams not sent by the
 * kernel and messages with malformed attributes are dropped. */
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>

#include "common/log.h"
#include "common/nl_link.h"

#define NL_LINK_RCVBUF (4 * 1024 * 1024)
#define NL_LINK_BUF    65536 /* one datagram: dumps come in skbs of up to 32 KiB */
#define NL_LINK_ROUNDS 3     /* dumps redone when the kernel says one was interrupted */
#define NL_LINK_TMO_S  5     /* the kernel answers a request at once; this is a safety net */

struct nl_watch {
	unsigned ifindex;
	bool carrier;
	bool seen; /* in the reply being read */
	bool seen_carrier;
};

struct nl_link {
	struct mnl_socket *ev;  /* RTNLGRP_LINK events, non-blocking */
	struct mnl_socket *req; /* requests and dumps, blocking with a timeout */
	uint32_t seq;
	nl_link_fn fn;
	void *arg;
	struct nl_watch *w;
	size_t n;
	size_t cap;
	uint8_t *evbuf; /* NL_LINK_BUF each: a callback run from the events may make a request */
	uint8_t *rqbuf;
	struct log_limit limit;
};

static struct nl_watch *nl_link_find(struct nl_link *l, unsigned ifindex)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->w[i].ifindex == ifindex)
			return &l->w[i];
	return NULL;
}

/* --- one link message --- */

static int nl_link_attr_cb(const struct nlattr *a, void *data)
{
	static const enum mnl_attr_data_type types[IFLA_MAX + 1] = {
		[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
		[IFLA_CARRIER] = MNL_TYPE_U8,
		[IFLA_OPERSTATE] = MNL_TYPE_U8,
		[IFLA_MTU] = MNL_TYPE_U32,
	};
	uint16_t t = mnl_attr_get_type(a);

	(void)data;
	if (t <= IFLA_MAX && types[t] != MNL_TYPE_UNSPEC && mnl_attr_validate(a, types[t]) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* The link a message is about and its carrier; false for a message to drop. Messages of other
 * families (AF_BRIDGE's port notifications, whose RTM_DELLINK deletes no device) are not about
 * the device itself. */
static bool nl_link_msg(struct nl_link *l, const struct nlmsghdr *nlh, unsigned *ifindex,
                        bool *carrier)
{
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return false;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    mnl_attr_parse(nlh, sizeof(*ifi), nl_link_attr_cb, NULL) != MNL_CB_OK) {
		log_warnx_limited(&l->limit, "nl_link: malformed link message dropped");
		return false;
	}
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_family != AF_UNSPEC || ifi->ifi_index <= 0)
		return false;
	*ifindex = (unsigned)ifi->ifi_index;
	*carrier = nlh->nlmsg_type == RTM_NEWLINK &&
	           (ifi->ifi_flags & (IFF_LOWER_UP | IFF_RUNNING)) == (IFF_LOWER_UP | IFF_RUNNING);
	return true;
}

static void nl_link_report(struct nl_link *l, unsigned ifindex, bool carrier)
{
	struct nl_watch *w = nl_link_find(l, ifindex);

	if (w == NULL || w->carrier == carrier)
		return;
	w->carrier = carrier;
	log_debug("nl_link: ifindex %u carrier %s", ifindex, carrier ? "on" : "off");
	l->fn(l->arg, ifindex, carrier);
}

/* --- requests: one link, or all of them --- */

static int nl_link_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link *l = data;
	struct nl_watch *w;
	unsigned ifindex;
	bool carrier;

	if (nl_link_msg(l, nlh, &ifindex, &carrier) && (w = nl_link_find(l, ifindex)) != NULL) {
		w->seen = true;
		w->seen_carrier = carrier;
	}
	return MNL_CB_OK;
}

/* One datagram from the kernel into buf: its length, 0 for one from anyone else (dropped), -1
 * with errno (ENOSPC for a datagram larger than the buffer). */
static ssize_t nl_link_recv(struct nl_link *l, struct mnl_socket *nl, uint8_t *buf, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = buf, .iov_len = NL_LINK_BUF };
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
	if (msg.msg_namelen != sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid != 0) {
		log_warnx_limited(&l->limit, "nl_link: datagram not from the kernel dropped");
		return 0;
	}
	return n;
}

/* Sends a GETLINK (for ifindex, acknowledged; or a dump of all for 0) and marks the watched
 * links the reply names. 0, or -1 with errno (EINTR: a dump interrupted by a change, to be
 * redone; ENODEV: no such link). */
static int nl_link_request(struct nl_link *l, unsigned ifindex)
{
	alignas(struct nlmsghdr) uint8_t req[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	uint32_t portid = mnl_socket_get_portid(l->req);
	int ret = MNL_CB_OK;
	ssize_t n;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ifindex == 0 ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = ++l->seq;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	for (size_t i = 0; i < l->n; i++)
		l->w[i].seen = false;
	if (mnl_socket_sendto(l->req, nlh, nlh->nlmsg_len) == -1)
		return -1;
	while (ret == MNL_CB_OK) {
		n = nl_link_recv(l, l->req, l->rqbuf, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			continue;
		/* ends at DONE or the ACK; a late reply to an earlier request (ESRCH) is skipped */
		ret = mnl_cb_run(l->rqbuf, (size_t)n, nlh->nlmsg_seq, portid, nl_link_reply_cb, l);
		if (ret == MNL_CB_ERROR && errno == ESRCH)
			ret = MNL_CB_OK;
	}
	return ret == MNL_CB_ERROR ? -1 : 0;
}

/* After lost events: every watched link's state from a fresh dump, reported where it
 * changed; a link missing from the dump is gone. */
static void nl_link_resync(struct nl_link *l)
{
	int ret = -1;

	log_info("nl_link: link events lost, reading every link again");
	for (int round = 0; ret == -1 && round < NL_LINK_ROUNDS; round++) {
		ret = nl_link_request(l, 0);
		if (ret == -1 && errno != EINTR)
			break;
	}
	if (ret == -1) {
		log_warn("nl_link: dumping links");
		return;
	}
	/* all states first: a callback that watches another link makes a request of its own */
	for (size_t i = 0; i < l->n; i++)
		l->w[i].seen_carrier = l->w[i].seen && l->w[i].seen_carrier;
	/* by index: such a callback may also move the array */
	for (size_t i = 0; i < l->n; i++)
		nl_link_report(l, l->w[i].ifindex, l->w[i].seen_carrier);
}

/* --- the public face --- */

static int nl_link_sockets(struct nl_link *l)
{
	int grp = RTNLGRP_LINK, rcv = NL_LINK_RCVBUF, fd;
	struct timeval tv = { .tv_sec = NL_LINK_TMO_S };

	l->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	l->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (l->ev == NULL || l->req == NULL ||
	    mnl_socket_bind(l->ev, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    mnl_socket_bind(l->req, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    mnl_socket_setsockopt(l->ev, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) == -1)
		return -1;
	fd = mnl_socket_get_fd(l->ev);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) == -1)
		log_warn("nl_link: SO_RCVBUF");
	if (setsockopt(mnl_socket_get_fd(l->req), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		log_warn("nl_link: SO_RCVTIMEO");
	return 0;
}

/* No link is watched yet, so there is no state to report here: nl_link_watch reports each. */
struct nl_link *nl_link_open(nl_link_fn fn, void *arg)
{
	struct nl_link *l;
	int err;

	if (fn == NULL) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->fn = fn;
	l->arg = arg;
	l->limit = (struct log_limit)LOG_LIMIT_INIT(10, 10);
	l->evbuf = malloc(NL_LINK_BUF);
	l->rqbuf = malloc(NL_LINK_BUF);
	if (l->evbuf != NULL && l->rqbuf != NULL && nl_link_sockets(l) == 0)
		return l;
	err = errno;
	nl_link_close(l);
	errno = err;
	return NULL;
}

void nl_link_close(struct nl_link *l)
{
	if (l == NULL)
		return;
	if (l->ev != NULL)
		mnl_socket_close(l->ev);
	if (l->req != NULL)
		mnl_socket_close(l->req);
	free(l->w);
	free(l->evbuf);
	free(l->rqbuf);
	free(l);
}

static struct nl_watch *nl_link_add(struct nl_link *l, unsigned ifindex)
{
	struct nl_watch *nw;

	if (l->n == l->cap) {
		nw = realloc(l->w, (l->cap * 2 + 8) * sizeof(*nw));
		if (nw == NULL)
			return NULL;
		l->w = nw;
		l->cap = l->cap * 2 + 8;
	}
	nw = &l->w[l->n++];
	memset(nw, 0, sizeof(*nw));
	nw->ifindex = ifindex;
	return nw;
}

/* The subscription came first, so a change after the reply is an event still to be read: the
 * last state reported is always the latest. A link that does not exist is not watched (ENODEV);
 * one watched already is reported as last known. */
int nl_link_watch(struct nl_link *l, unsigned ifindex)
{
	struct nl_watch *w;
	int rc, err;

	if (l == NULL || ifindex == 0 || ifindex > INT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((w = nl_link_find(l, ifindex)) != NULL) {
		l->fn(l->arg, ifindex, w->carrier);
		return 0;
	}
	if ((w = nl_link_add(l, ifindex)) == NULL)
		return -1;
	rc = nl_link_request(l, ifindex);
	if (rc == -1 || !w->seen) {
		err = rc == -1 ? errno : ENODEV;
		l->n--; /* not watched after all: it was the last one */
		errno = err;
		return -1;
	}
	w->carrier = w->seen_carrier;
	l->fn(l->arg, ifindex, w->carrier);
	return 0;
}

int nl_link_fd(const struct nl_link *l)
{
	return mnl_socket_get_fd(l->ev);
}

static void nl_link_events(struct nl_link *l, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)l->evbuf;
	int len = (int)n;
	unsigned ifindex;
	bool carrier;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nl_link_msg(l, nlh, &ifindex, &carrier))
			nl_link_report(l, ifindex, carrier);
}

/* Reads every queued event. On ENOBUFS the rest of the queue is read too (its events are
 * newer than the loss but may not be complete), then the dump settles the state. */
void nl_link_read(struct nl_link *l)
{
	bool lost = false;
	ssize_t n;

	for (;;) {
		n = nl_link_recv(l, l->ev, l->evbuf, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1 && errno == ENOBUFS) {
			lost = true;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("nl_link: reading link events");
			lost = true; /* a datagram was lost (ENOSPC) or worse */
			break;
		}
		nl_link_events(l, (size_t)n);
	}
	if (lost)
		nl_link_resync(l);
}
