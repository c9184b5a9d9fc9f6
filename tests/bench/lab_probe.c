/* lab_probe.c: the probes of the lab benchmark (netns-lab/bench, doc/benchmarks.md): a paced UDP
 * sender, a receiver that records each datagram's kernel receive time and ingress interface, a
 * capture of Neighbor Discovery (RFC 4861 §4.1-§4.4: RS, RA, NS, NA) and Mobility Header
 * messages (RFC 6275 §6.1, RFC 5213 §8) with kernel timestamps plus the namespace's link events,
 * and a Router Solicitation sender. All times are CLOCK_REALTIME nanoseconds, which every network
 * namespace of the machine shares, so that the records of different namespaces compare.
 *
 *   lab_probe send [-i IFNAME] [-a SRC] [-p SPORT] [-l LEN] DST PORT PPS
 *       one datagram every 1/PPS s by absolute sleeps (timer slack 1 ns) until SIGTERM; each
 *       starts with its sequence number and send time (two host-order uint64_t). -i binds the
 *       socket to an interface, -a and -p to a source address and port. At the end, one line:
 *       "sent=N errors=N late=N" (late: sent more than one period after its time).
 *   lab_probe recv PORT FILE
 *       until SIGTERM, one line per datagram received on PORT (any address) in FILE:
 *       "sport seq sent_ns rx_ns ifindex", rx_ns from SO_TIMESTAMPNS, ifindex from
 *       IPV6_PKTINFO. FILE appears once the socket is bound; it is flushed every 20 ms.
 *   lab_probe cap FILE
 *       until SIGTERM, every RS, RA, NS, NA and Mobility Header message on any interface of the
 *       namespace (packet socket, timestamped by the kernel as it passes the interface, either
 *       way), and every link event (netlink, timestamped when read), one line each in FILE:
 *         "t_ns IFNAME in|out rs"
 *         "t_ns IFNAME in|out ra ROUTER_LIFETIME_S FIRST_PREFIX_VALID_S"  (-1: no prefix)
 *         "t_ns IFNAME in|out ns|na TARGET"
 *         "t_ns IFNAME in|out mh TYPE SEQ LIFETIME STATUS"  (BU 5, BA 6; lifetime in 4 s
 *                                                            units; status -1 for a BU)
 *         "t_ns IFNAME link up|down carrier|nocarrier"
 *       FILE appears once both sockets are open; it is flushed every 20 ms.
 *   lab_probe rs IFNAME
 *       sends one RS with a source link-layer address option to ff02::2 on IFNAME and prints
 *       the time just before the send. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH     64
#define FLUSH_NS  20000000u /* 20 ms */
#define LEN_MAX   1400
#define ETH_HLEN_ 14
#define IP6_HLEN  40
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h>, which clashes with <net/if.h> */
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "lab_probe: %s: %s\n", what, strerror(errno));
	exit(2);
}

__attribute__((noreturn)) static void usage(void)
{
	fprintf(stderr, "usage: lab_probe send [-i IFNAME] [-a SRC] [-p SPORT] [-l LEN] DST PORT "
	                "PPS\n"
	                "       lab_probe recv PORT FILE\n"
	                "       lab_probe cap FILE\n"
	                "       lab_probe rs IFNAME\n");
	exit(2);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned long num(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "lab_probe: %s: not a number in %lu..%lu\n", s, min, max);
		exit(2);
	}
	return v;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* FILE, created only now: its existence tells the caller that the probe is ready. */
static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die(path);
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static uint64_t get_u16(const uint8_t *p)
{
	return (uint64_t)p[0] << 8 | p[1];
}

static uint64_t get_u32(const uint8_t *p)
{
	return get_u16(p) << 16 | get_u16(p + 2);
}

/* --- send --- */

struct send_opts {
	const char *ifname;
	struct sockaddr_in6 src, dst;
	unsigned len;
	double pps;
};

static int send_socket(const struct send_opts *o)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("socket");
	if (o->ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->ifname,
	                            (socklen_t)strlen(o->ifname)) < 0)
		die(o->ifname);
	if (bind(fd, (const struct sockaddr *)&o->src, sizeof(o->src)) < 0)
		die("bind");
	return fd;
}

/* Not connected: every datagram is routed on its own, so that a route that appears or goes
 * (an attachment) counts from the next one. */
static void send_loop(const struct send_opts *o, int fd)
{
	uint64_t period = (uint64_t)(1e9 / o->pps), t0 = now_ns(CLOCK_MONOTONIC), seq = 0;
	uint64_t sent = 0, errors = 0, late = 0, hdr[2];
	uint8_t buf[LEN_MAX];

	memset(buf, 'p', sizeof(buf));
	/* the default slack (50 µs) would bunch the datagrams */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	while (!stop) {
		uint64_t due = t0 + seq * period;
		struct timespec ts = { .tv_sec = (time_t)(due / 1000000000u),
			               .tv_nsec = (long)(due % 1000000000u) };

		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			continue;
		late += now_ns(CLOCK_MONOTONIC) - due > period;
		hdr[0] = seq++;
		hdr[1] = now_ns(CLOCK_REALTIME);
		memcpy(buf, hdr, sizeof(hdr));
		if (sendto(fd, buf, o->len, 0, (const struct sockaddr *)&o->dst, sizeof(o->dst)) <
		    0)
			errors++;
		else
			sent++;
	}
	printf("sent=%llu errors=%llu late=%llu\n", (unsigned long long)sent,
	       (unsigned long long)errors, (unsigned long long)late);
}

static void addr_arg(const char *s, struct sockaddr_in6 *sa)
{
	if (inet_pton(AF_INET6, s, &sa->sin6_addr) != 1) {
		fprintf(stderr, "lab_probe: %s: not an IPv6 address\n", s);
		exit(2);
	}
}

static int cmd_send(int argc, char **argv)
{
	struct send_opts o = { .len = 64 };
	int c;

	o.src.sin6_family = o.dst.sin6_family = AF_INET6;
	while ((c = getopt(argc, argv, "i:a:p:l:")) != -1) {
		if (c == 'i')
			o.ifname = optarg;
		else if (c == 'a')
			addr_arg(optarg, &o.src);
		else if (c == 'p')
			o.src.sin6_port = htons((uint16_t)num(optarg, 1, 65535));
		else if (c == 'l')
			o.len = (unsigned)num(optarg, 16, LEN_MAX);
		else
			usage();
	}
	if (argc - optind != 3)
		usage();
	addr_arg(argv[optind], &o.dst);
	o.dst.sin6_port = htons((uint16_t)num(argv[optind + 1], 1, 65535));
	o.pps = (double)num(argv[optind + 2], 1, 1000000);
	catch_signals();
	send_loop(&o, send_socket(&o));
	return 0;
}

/* --- recv --- */

struct rx_slot {
	uint8_t data[LEN_MAX];
	struct sockaddr_in6 from;
	struct iovec iov;
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		            CMSG_SPACE(sizeof(struct timespec))];
	} ctl; /* last: CMSG_SPACE is not a constant expression to every compiler */
};

static int recv_socket(unsigned port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	int rcv = 8 << 20;

	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("receive socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	return fd;
}

static void rx_write(FILE *out, struct mmsghdr *m, const struct rx_slot *s)
{
	uint64_t hdr[2] = { 0, 0 }, rx = 0;
	unsigned ifindex = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m->msg_hdr); c; c = CMSG_NXTHDR(&m->msg_hdr, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			rx = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ifindex = pi.ipi6_ifindex;
		}
	}
	if (m->msg_len >= sizeof(hdr))
		memcpy(hdr, s->data, sizeof(hdr));
	fprintf(out, "%u %llu %llu %llu %u\n", ntohs(s->from.sin6_port), (unsigned long long)hdr[0],
	        (unsigned long long)hdr[1], (unsigned long long)rx, ifindex);
}

static void rx_prepare(struct rx_slot *s, struct mmsghdr *m)
{
	for (unsigned i = 0; i < BATCH; i++) {
		s[i].iov = (struct iovec){ .iov_base = s[i].data, .iov_len = sizeof(s[i].data) };
		m[i].msg_hdr = (struct msghdr){ .msg_name = &s[i].from,
			                        .msg_namelen = sizeof(s[i].from),
			                        .msg_iov = &s[i].iov,
			                        .msg_iovlen = 1,
			                        .msg_control = s[i].ctl.buf,
			                        .msg_controllen = sizeof(s[i].ctl.buf) };
	}
}

static int cmd_recv(int argc, char **argv)
{
	static struct rx_slot slots[BATCH];
	struct mmsghdr m[BATCH];
	struct pollfd p = { .events = POLLIN };
	uint64_t flushed = 0;
	FILE *out;

	if (argc != 3)
		usage();
	p.fd = recv_socket((unsigned)num(argv[1], 1, 65535));
	out = open_out(argv[2]);
	catch_signals();
	while (!stop) {
		int n;

		if (poll(&p, 1, 20) > 0) {
			rx_prepare(slots, m);
			n = recvmmsg(p.fd, m, BATCH, MSG_DONTWAIT, NULL);
			for (int i = 0; i < n; i++)
				rx_write(out, &m[i], &slots[i]);
		}
		if (now_ns(CLOCK_MONOTONIC) - flushed > FLUSH_NS) {
			fflush(out);
			flushed = now_ns(CLOCK_MONOTONIC);
		}
	}
	fclose(out);
	return 0;
}

/* --- cap --- */

/* Classic BPF over the Ethernet frame: IPv6 whose next header is ICMPv6 with a type from 133
 * (RS) to 136 (NA), or the Mobility Header; everything else (the data, the tunnelled data) stays
 * in the kernel. */
static const struct sock_filter cap_filter[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 7),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN_ + 6),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_MH, 4, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 4),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN_ + IP6_HLEN),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ND_ROUTER_SOLICIT, 0, 2),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, ND_NEIGHBOR_ADVERT, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static int cap_packet_socket(void)
{
	struct sock_fprog prog = { .len = sizeof(cap_filter) / sizeof(cap_filter[0]),
		                   .filter = (struct sock_filter *)(uintptr_t)cap_filter };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;

	/* protocol 0 until the bind: nothing unfiltered is queued before the filter is on */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("packet socket");
	return fd;
}

static int cap_link_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("netlink socket");
	return fd;
}

static const char *ifname_of(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%d", ifindex);
	return buf;
}

/* The valid lifetime of the RA's first Prefix Information option, -1 without one. */
static long ra_first_valid(const uint8_t *icmp, size_t len)
{
	size_t off = 16; /* type .. retrans timer */

	while (off + 2 <= len && icmp[off + 1] != 0) {
		size_t olen = (size_t)icmp[off + 1] * 8;

		if (off + olen > len)
			break;
		if (icmp[off] == ND_OPT_PREFIX_INFORMATION && olen >= 32)
			return (long)get_u32(icmp + off + 4);
		off += olen;
	}
	return -1;
}

/* One line for an RS, RA or MH message of frame f (n octets); nothing for anything shorter. */
static void cap_describe(FILE *out, const uint8_t *f, size_t n)
{
	const uint8_t *l4 = f + ETH_HLEN_ + IP6_HLEN;
	size_t len = n > ETH_HLEN_ + IP6_HLEN ? n - ETH_HLEN_ - IP6_HLEN : 0;
	char a[INET6_ADDRSTRLEN];

	if (f[ETH_HLEN_ + 6] == IPPROTO_MH && len >= 12 && l4[2] == 5)
		fprintf(out, "mh 5 %llu %llu -1\n", (unsigned long long)get_u16(l4 + 6),
		        (unsigned long long)get_u16(l4 + 10));
	else if (f[ETH_HLEN_ + 6] == IPPROTO_MH && len >= 12 && l4[2] == 6)
		fprintf(out, "mh 6 %llu %llu %u\n", (unsigned long long)get_u16(l4 + 8),
		        (unsigned long long)get_u16(l4 + 10), l4[6]);
	else if (f[ETH_HLEN_ + 6] == IPPROTO_MH && len >= 3)
		fprintf(out, "mh %u 0 0 -1\n", l4[2]);
	else if (len >= 16 && l4[0] == ND_ROUTER_ADVERT)
		fprintf(out, "ra %llu %ld\n", (unsigned long long)get_u16(l4 + 6),
		        ra_first_valid(l4, len));
	else if (len >= 24 && (l4[0] == ND_NEIGHBOR_SOLICIT || l4[0] == ND_NEIGHBOR_ADVERT))
		fprintf(out, "%s %s\n", l4[0] == ND_NEIGHBOR_SOLICIT ? "ns" : "na",
		        inet_ntop(AF_INET6, l4 + 8, a, sizeof(a)));
	else if (len >= 8 && l4[0] == ND_ROUTER_SOLICIT)
		fprintf(out, "rs\n");
	else
		fprintf(out, "short\n");
}

static void cap_read_packets(int fd, FILE *out)
{
	uint8_t frame[2048];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct timespec))];
	} ctl;
	struct sockaddr_ll from;
	struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
	char name[IF_NAMESIZE];

	for (;;) {
		struct msghdr m = { .msg_name = &from,
			            .msg_namelen = sizeof(from),
			            .msg_iov = &iov,
			            .msg_iovlen = 1,
			            .msg_control = ctl.buf,
			            .msg_controllen = sizeof(ctl.buf) };
		ssize_t n = recvmsg(fd, &m, 0);
		uint64_t t = now_ns(CLOCK_REALTIME);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		if (n < ETH_HLEN_ + IP6_HLEN)
			return;
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
		fprintf(out, "%llu %s %s ", (unsigned long long)t,
		        ifname_of(from.sll_ifindex, name),
		        from.sll_pkttype == PACKET_OUTGOING ? "out" : "in");
		cap_describe(out, frame, (size_t)n);
	}
}

static void cap_read_links(int fd, FILE *out)
{
	_Alignas(struct nlmsghdr) uint8_t buf[16384];
	char name[IF_NAMESIZE];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		uint64_t t = now_ns(CLOCK_REALTIME);
		size_t off = 0;

		while (off + NLMSG_HDRLEN <= (size_t)n) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(void *)(buf + off);
			const struct ifinfomsg *ifi = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > (size_t)n - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_type != RTM_NEWLINK ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			fprintf(out, "%llu %s link %s %s\n", (unsigned long long)t,
			        ifname_of(ifi->ifi_index, name),
			        ifi->ifi_flags & IFF_UP ? "up" : "down",
			        ifi->ifi_flags & IFF_LOWER_UP ? "carrier" : "nocarrier");
		}
	}
}

static int cmd_cap(int argc, char **argv)
{
	struct pollfd p[2] = { { .fd = cap_packet_socket(), .events = POLLIN },
		               { .fd = cap_link_socket(), .events = POLLIN } };
	uint64_t flushed = 0;
	FILE *out;

	if (argc != 2)
		usage();
	out = open_out(argv[1]);
	catch_signals();
	while (!stop) {
		if (poll(p, 2, 20) > 0) {
			if (p[0].revents)
				cap_read_packets(p[0].fd, out);
			if (p[1].revents)
				cap_read_links(p[1].fd, out);
		}
		if (now_ns(CLOCK_MONOTONIC) - flushed > FLUSH_NS) {
			fflush(out);
			flushed = now_ns(CLOCK_MONOTONIC);
		}
	}
	fclose(out);
	return 0;
}

/* --- rs --- */

static void read_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die(ifname);
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
}

/* §4.1: type 133, code 0, the checksum the kernel fills in, 4 reserved octets, and the source
 * link-layer address option (§4.6.1); hop limit 255, from the interface's link-local address. */
static int cmd_rs(int argc, char **argv)
{
	uint8_t msg[16] = { ND_ROUTER_SOLICIT, 0, 0, 0, 0, 0, 0, 0, ND_OPT_SOURCE_LINKADDR, 1 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	int fd, hops = 255;
	unsigned ifindex;
	uint64_t t;

	if (argc != 2 || (ifindex = if_nametoindex(argv[1])) == 0)
		usage();
	read_mac(argv[1], msg + 10);
	inet_pton(AF_INET6, "ff02::2", &to.sin6_addr);
	to.sin6_scope_id = ifindex;
	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0)
		die("ICMPv6 socket");
	t = now_ns(CLOCK_REALTIME);
	if (sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to)) != sizeof(msg))
		die("sending the router solicitation");
	printf("%llu\n", (unsigned long long)t);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cap"))
		return cmd_cap(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rs"))
		return cmd_rs(argc - 1, argv + 1);
	usage();
}
