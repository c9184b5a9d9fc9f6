/* mh_pperr.c: the ICMPv6 Parameter Problem for a malformed Mobility Header header (RFC 6275
 * §9.2, RFC 4443 §3.4); see mh_pperr.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <string.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/mh_pperr.h"
#include "proto/mh.h"

#define IPV6_HDR_LEN 40
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO 11 /* linux/in6.h (it clashes with netinet/in.h): flow label wanted */
#endif

int mh_pperr_sockopts(int mh_fd)
{
	static const int opts[] = { IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS, IPV6_FLOWINFO,
		                    IPV6_RECVHOPOPTS,  IPV6_RECVDSTOPTS, IPV6_RECVRTHDR };
	int one = 1;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (setsockopt(mh_fd, IPPROTO_IPV6, opts[i], &one, sizeof(one)) < 0)
			return -1;
	return 0;
}

static void arrival_cmsg(const struct cmsghdr *c, struct mh_arrival *a)
{
	int v = 0;
	uint32_t flowinfo = 0;

	if (c->cmsg_len < CMSG_LEN(sizeof(v)))
		return; /* every kind read here carries at least an int */
	switch (c->cmsg_type) {
	case IPV6_HOPLIMIT:
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		a->hop_limit = (uint8_t)v;
		break;
	case IPV6_TCLASS:
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		a->tclass = (uint8_t)v;
		break;
	case IPV6_FLOWINFO:
		memcpy(&flowinfo, CMSG_DATA(c), sizeof(flowinfo));
		a->flow_label = ntohl(flowinfo) & 0xfffff;
		break;
	case IPV6_HOPOPTS:
	case IPV6_DSTOPTS:
	case IPV6_RTHDR:
		a->ext_headers = true;
		break;
	}
}

uint64_t mh_rx_real_ns(const struct msghdr *m)
{
	struct timespec ts;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			if (ts.tv_sec < 0)
				return 0;
			return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
	return 0;
}

void mh_arrival_read(const struct msghdr *m, const struct in6_addr *dst, struct mh_arrival *a)
{
	const struct sockaddr_in6 *from = m->msg_name;

	memset(a, 0, sizeof(*a));
	a->src = from->sin6_addr;
	a->dst = *dst;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c))
		if (c->cmsg_level == IPPROTO_IPV6)
			arrival_cmsg(c, a);
	/* control data cut short (a sender's long extension headers): whatever was dropped may
	 * have been one, and a pointer computed without it would miss the field */
	if (m->msg_flags & MSG_CTRUNC)
		a->ext_headers = true;
}

size_t mh_pperr_build(uint8_t *out, const struct mh_arrival *a, const uint8_t *mh, size_t len,
                      size_t err_off)
{
	struct icmp6_hdr icmp = { .icmp6_type = ICMP6_PARAM_PROB, .icmp6_code = ICMP6_PARAMPROB_HEADER };
	struct ip6_hdr ip = { 0 };
	size_t body = sizeof(icmp) + sizeof(ip), take = len;

	icmp.icmp6_pptr = htonl((uint32_t)(IPV6_HDR_LEN + err_off));
	ip.ip6_flow = htonl(6u << 28 | (uint32_t)a->tclass << 20 | (a->flow_label & 0xfffff));
	ip.ip6_plen = htons((uint16_t)len);
	ip.ip6_nxt = IPPROTO_MH;
	ip.ip6_hlim = a->hop_limit;
	ip.ip6_src = a->src;
	ip.ip6_dst = a->dst;
	if (body + take > MH_PPERR_MAX)
		take = MH_PPERR_MAX - body;
	memcpy(out, &icmp, sizeof(icmp));
	memcpy(out + sizeof(icmp), &ip, sizeof(ip));
	memcpy(out + body, mh, take);
	return body + take;
}

int mh_pperr_open(struct mh_pperr *p, const struct in6_addr *local)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *local };
	struct icmp6_filter none;

	memset(p, 0, sizeof(*p));
	ICMP6_FILTER_SETBLOCKALL(&none);
	p->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (p->fd < 0)
		return -1;
	if (setsockopt(p->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &none, sizeof(none)) < 0 ||
	    bind(p->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(p->fd);
		p->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

void mh_pperr_close(struct mh_pperr *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static void pperr_send(struct mh_pperr *p, const struct mh_arrival *a, const uint8_t *mh,
                       size_t len, size_t err_off)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = a->src };
	uint8_t out[MH_PPERR_MAX];
	size_t n = mh_pperr_build(out, a, mh, len, err_off);

	if (sendto(p->fd, out, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		p->unsent++;
	else
		p->sent++;
}

void mh_pperr_input(struct mh_pperr *p, const struct rl_rate *rate, const struct msghdr *m,
                    const struct in6_addr *local, const uint8_t *mh, size_t len, uint64_t now_ns)
{
	struct mh_arrival arrival, *a = &arrival;
	size_t err_off;
	int rc = mh_check_header(mh, len, &err_off);

	if ((rc != MH_E_PROTO && rc != MH_E_MSGLEN) || p->fd < 0)
		return; /* nothing to say (the usual case: the ancillary data is not even read) */
	mh_arrival_read(m, local, a);
	if (IN6_IS_ADDR_MULTICAST(&a->src) || IN6_IS_ADDR_UNSPECIFIED(&a->src))
		return; /* nobody to say it to (RFC 4443 §2.4 (e)) */
	if (a->ext_headers) {
		p->unsent++; /* the pointer would miss the field by their length */
		return;
	}
	if (!rl_take(&p->limit, rate->per_s, rate->burst, now_ns)) {
		p->limited++;
		return;
	}
	pperr_send(p, a, mh, len, err_off);
}

void mh_pperr_send_stats(struct ctl_conn *c, const struct mh_pperr *p)
{
	ctl_send_stat(c, "icmp", "parameter_problem", p->sent);
	ctl_send_stat(c, "icmp", "parameter_problem_limited", p->limited);
	ctl_send_stat(c, "icmp", "parameter_problem_unsent", p->unsent);
}
