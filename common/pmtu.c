/* pmtu.c: the Packet Too Big relay of a tunnel entry point (RFC 2473 §7; ICMPv6 Packet Too Big,
 * RFC 4443 §3.2; the tunnel of RFC 5213 §5.6.1 / §6.10): the pure decision and message builder,
 * then the raw ICMPv6 socket that feeds it in a daemon's loop. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <netinet/icmp6.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/pmtu.h"

#define PMTU_RATE_PER_S 200 /* relayed messages per second at most (RFC 4443 §2.4 (f)) */
#define PMTU_NXT_IPV6   41

static uint32_t pmtu_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void pmtu_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An IPv6 header of ours: version 6, from local, carrying IPv6 (next header 41). */
static bool pmtu_is_our_outer(const uint8_t *ip, const struct in6_addr *local)
{
	return (ip[0] >> 4) == 6 && ip[6] == PMTU_NXT_IPV6 && memcmp(ip + 8, local, 16) == 0;
}

/* A source we may send an error to (RFC 4443 §2.4 (e)). */
static bool pmtu_answerable(const struct in6_addr *src)
{
	return !IN6_IS_ADDR_UNSPECIFIED(src) && !IN6_IS_ADDR_MULTICAST(src) &&
	       !IN6_IS_ADDR_LOOPBACK(src);
}

enum pmtu_verdict pmtu_relay_build(const uint8_t *icmp, size_t len, const struct in6_addr *local,
                                   struct pmtu_relay_msg *out)
{
	const uint8_t *outer = icmp + PMTU_ICMP_HDR, *inner = outer + PMTU_ENCAP;
	size_t copy;
	uint32_t mtu;

	if (len < PMTU_ICMP_HDR + PMTU_ENCAP || icmp[0] != ICMP6_PACKET_TOO_BIG || icmp[1] != 0)
		return PMTU_NOT_PTB;
	if (!pmtu_is_our_outer(outer, local))
		return PMTU_NOT_TUNNEL;
	if (len < PMTU_ICMP_HDR + 2 * PMTU_ENCAP || (inner[0] >> 4) != 6)
		return PMTU_BAD_INNER;
	memcpy(&out->dst, inner + 8, 16);
	if (!pmtu_answerable(&out->dst))
		return PMTU_BAD_INNER;
	mtu = pmtu_get32(icmp + 4);
	out->mtu = mtu > PMTU_IPV6_MIN + PMTU_ENCAP ? mtu - PMTU_ENCAP : PMTU_IPV6_MIN;
	copy = len - PMTU_ICMP_HDR - PMTU_ENCAP;
	if (copy > PMTU_RELAY_MAX - PMTU_ICMP_HDR)
		copy = PMTU_RELAY_MAX - PMTU_ICMP_HDR;
	memset(out->msg, 0, PMTU_ICMP_HDR);
	out->msg[0] = ICMP6_PACKET_TOO_BIG;
	pmtu_put32(out->msg + 4, out->mtu);
	memcpy(out->msg + PMTU_ICMP_HDR, inner, copy);
	out->len = PMTU_ICMP_HDR + copy;
	return PMTU_RELAY;
}

const char *pmtu_verdict_name(enum pmtu_verdict v)
{
	static const char *const names[] = {
		[PMTU_RELAY] = "relay",
		[PMTU_NOT_PTB] = "not a packet too big",
		[PMTU_NOT_TUNNEL] = "not about our tunnel",
		[PMTU_BAD_INNER] = "bad inner packet",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

/* --- the socket --- */

struct pmtu_relay {
	struct ev_io w;
	struct ev_loop *loop;
	int fd;
	struct in6_addr local;
	struct pmtu_stats st;
	time_t second; /* the rate limit's current second and what it let through */
	unsigned in_second;
	struct log_limit limit;
};

static bool pmtu_rate_ok(struct pmtu_relay *r)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != r->second) {
		r->second = ts.tv_sec;
		r->in_second = 0;
	}
	return r->in_second++ < PMTU_RATE_PER_S;
}

static void pmtu_relay_one(struct pmtu_relay *r, const uint8_t *buf, size_t len)
{
	struct pmtu_relay_msg m;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };

	if (pmtu_relay_build(buf, len, &r->local, &m) != PMTU_RELAY) {
		r->st.ignored++;
		return;
	}
	if (!pmtu_rate_ok(r)) {
		r->st.rate_limited++;
		return;
	}
	to.sin6_addr = m.dst;
	if (sendto(r->fd, m.msg, m.len, 0, (struct sockaddr *)&to, sizeof(to)) == -1) {
		r->st.send_errors++;
		log_warnx_limited(&r->limit, "pmtu: relaying a Packet Too Big: %s", strerror(errno));
		return;
	}
	r->st.relayed++;
}

static void pmtu_readable(struct ev_loop *loop, struct ev_io *w, int revents)
{
	struct pmtu_relay *r = w->data;
	uint8_t buf[2048];
	ssize_t n;

	(void)loop;
	(void)revents;
	for (int i = 0; i < 64; i++) { /* a bounded batch per wake-up */
		n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		pmtu_relay_one(r, buf, (size_t)n);
	}
}

static int pmtu_socket(void)
{
	struct icmp6_filter f;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);

	if (fd == -1)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

struct pmtu_relay *pmtu_relay_open(struct ev_loop *loop, const struct in6_addr *local)
{
	struct pmtu_relay *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if ((r->fd = pmtu_socket()) == -1) {
		free(r);
		return NULL;
	}
	r->local = *local;
	r->loop = loop;
	r->limit = (struct log_limit)LOG_LIMIT_INIT(10, 5);
	ev_io_init(&r->w, pmtu_readable, r->fd, EV_READ);
	r->w.data = r;
	ev_io_start(loop, &r->w);
	return r;
}

void pmtu_relay_close(struct pmtu_relay *r)
{
	if (r == NULL)
		return;
	ev_io_stop(r->loop, &r->w);
	close(r->fd);
	free(r);
}

void pmtu_relay_stats(const struct pmtu_relay *r, struct pmtu_stats *st)
{
	if (r == NULL)
		memset(st, 0, sizeof(*st));
	else
		*st = r->st;
}
