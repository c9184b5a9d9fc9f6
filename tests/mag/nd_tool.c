/* nd_tool.c: drives the MAG's Neighbor Discovery (mag/nd.h), link events (common/nl_link.h) and
 * link-local address (kr_addr_add) for tests/netns/test_nd.sh:
 *
 *   nd_tool capture IFNAME
 *	prints each Router Solicitation captured on IFNAME ("rs mac M src S sllao L|none"), each
 *	frame the parser refused ("drop REASON"), and each carrier change of IFNAME as nl_link
 *	reports it ("link IFNAME carrier on|off"); "ready" once both are open. SIGUSR1 stops
 *	reading link events, SIGUSR2 reads them again (so that a test can make the kernel drop
 *	some); SIGTERM or SIGINT ends it.
 *   nd_tool ra IFNAME SRC DST [-l ROUTER_LIFETIME] [-m MTU] PREFIX/LEN...
 *	sends one Router Advertisement with those prefixes (valid 86400 s, preferred 14400 s).
 *   nd_tool addr LOCAL UPLINK IFNAME ADDR/LEN
 *	kr_open (LOCAL and UPLINK as kr_config wants them), kr_addr_add, "ok addr"; then waits
 *	for SIGTERM or SIGINT, and kr_close ("ok close").
 *
 * Answers are single lines on standard output; errors "error ..." with exit status 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/kr.h"
#include "common/log.h"
#include "common/nl_link.h"
#include "mag/nd.h"

#define FRAME_MAX 2048

static volatile sig_atomic_t stop, paused;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		paused = 1;
	else if (sig == SIGUSR2)
		paused = 0;
	else
		stop = 1;
}

/* Without SA_RESTART: poll() and pause() return on every signal. */
static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
}

/* Signals blocked between the test and the wait, so that none is missed. */
static void wait_for_stop(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static int fail(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse_prefix(const char *s, struct in6_addr *a, uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long l;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	errno = 0;
	l = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == slash + 1 || l > 128)
		return -1;
	*len = (uint8_t)l;
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

static void mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* --- capture --- */

struct capture {
	const char *ifname;
};

static void on_link(void *arg, unsigned ifindex, bool carrier)
{
	const struct capture *c = arg;

	printf("link %s carrier %s\n", c->ifname, carrier ? "on" : "off");
	(void)ifindex;
}

static void print_rs(const struct nd_rs *rs)
{
	char mac[32], sllao[32], src[INET6_ADDRSTRLEN];

	mac_str(rs->eth_src, mac, sizeof(mac));
	if (rs->have_sllao)
		mac_str(rs->sllao, sllao, sizeof(sllao));
	else
		snprintf(sllao, sizeof(sllao), "none");
	inet_ntop(AF_INET6, &rs->src, src, sizeof(src));
	printf("rs mac %s src %s sllao %s\n", mac, src, sllao);
}

/* Every frame queued on the capture socket. */
static void read_frames(int fd)
{
	uint8_t frame[FRAME_MAX];
	struct nd_rs rs;
	ssize_t n;
	int rc;

	while ((n = recv(fd, frame, sizeof(frame), MSG_TRUNC)) >= 0) {
		if ((size_t)n > sizeof(frame)) {
			printf("drop truncated\n");
			continue;
		}
		rc = nd_parse_rs_frame(frame, (size_t)n, &rs);
		if (rc == ND_OK)
			print_rs(&rs);
		else
			printf("drop %s\n", nd_err_name(rc));
	}
}

static int cmd_capture(char **av)
{
	struct capture c = { .ifname = av[0] };
	unsigned ifindex = if_nametoindex(av[0]);
	struct pollfd pfd[2];
	struct nl_link *l;
	int fd;

	if (ifindex == 0)
		return fail(av[0]);
	if ((fd = nd_open_rs_capture(ifindex)) == -1)
		return fail("nd_open_rs_capture");
	if ((l = nl_link_open(on_link, &c)) == NULL || nl_link_watch(l, ifindex) == -1)
		return fail("nl_link");
	printf("ready\n");
	pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = nl_link_fd(l), .events = POLLIN };
	while (!stop) {
		int n = poll(pfd, paused ? 1 : 2, -1);

		if (n == -1 && errno != EINTR)
			return fail("poll");
		if (n > 0 && (pfd[0].revents & POLLIN))
			read_frames(fd);
		if (n > 0 && !paused && (pfd[1].revents & POLLIN))
			nl_link_read(l);
		pfd[1].revents = 0;
	}
	nl_link_close(l);
	close(fd);
	return 0;
}

/* --- ra --- */

static int ra_options(int ac, char **av, struct nd_ra *ra)
{
	int i = 0;

	for (; i + 1 < ac && av[i][0] == '-'; i += 2) {
		unsigned long v = strtoul(av[i + 1], NULL, 10);

		if (strcmp(av[i], "-l") == 0 && v <= UINT16_MAX)
			ra->router_lifetime_s = (uint16_t)v;
		else if (strcmp(av[i], "-m") == 0 && v <= UINT32_MAX)
			ra->mtu = (uint32_t)v;
		else
			return -1;
	}
	for (; i < ac; i++) {
		struct nd_ra_prefix *p = &ra->prefix[ra->n_prefix];

		if (ra->n_prefix == ND_MAX_PREFIXES ||
		    parse_prefix(av[i], &p->prefix, &p->len) == -1)
			return -1;
		p->valid_s = 86400;
		p->preferred_s = 14400;
		ra->n_prefix++;
	}
	return 0;
}

static int if_mac(const char *ifname, uint8_t *mac)
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (fd == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (ret == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return ret;
}

static int cmd_ra(int ac, char **av)
{
	struct nd_ra ra = { .router_lifetime_s = 1800, .cur_hop_limit = 64 };
	struct in6_addr src, dst;
	unsigned ifindex = if_nametoindex(av[0]);
	uint8_t buf[1024];
	ssize_t n;
	int fd;

	errno = EINVAL;
	if (ifindex == 0 || inet_pton(AF_INET6, av[1], &src) != 1 ||
	    inet_pton(AF_INET6, av[2], &dst) != 1 || ra_options(ac - 3, av + 3, &ra) == -1)
		return fail("arguments");
	if (if_mac(av[0], ra.src_mac) == -1)
		return fail("SIOCGIFHWADDR");
	if ((n = nd_build_ra(&ra, buf, sizeof(buf))) == -1)
		return fail("nd_build_ra");
	if ((fd = nd_open_ra_sender()) == -1)
		return fail("nd_open_ra_sender");
	if (nd_send_ra(fd, ifindex, &src, &dst, buf, (size_t)n) == -1)
		return fail("nd_send_ra");
	close(fd);
	printf("ok ra %zd octets\n", n);
	return 0;
}

/* --- addr --- */

static int cmd_addr(char **av)
{
	struct kr_config cfg = { .driver = kr_driver_from_env(),
		                 .table_base = 1000,
		                 .rule_priority = 100 };
	unsigned ifindex = if_nametoindex(av[2]);
	struct in6_addr a;
	char err[256];
	struct kr *k;
	uint8_t len;

	errno = EINVAL;
	if (inet_pton(AF_INET6, av[0], &cfg.local) != 1 || strlen(av[1]) >= sizeof(cfg.uplink) ||
	    ifindex == 0 || parse_prefix(av[3], &a, &len) == -1)
		return fail("arguments");
	snprintf(cfg.uplink, sizeof(cfg.uplink), "%s", av[1]);
	if ((k = kr_open(&cfg, err, sizeof(err))) == NULL) {
		printf("error kr_open: %s\n", err);
		return 1;
	}
	if (kr_addr_add(k, ifindex, &a, len) == -1) {
		fail("kr_addr_add");
		kr_close(k);
		return 1;
	}
	printf("ok addr\n");
	wait_for_stop();
	kr_close(k);
	printf("ok close\n");
	return 0;
}

int main(int ac, char **av)
{
	log_init("nd_tool", true, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signals();
	if (ac == 3 && strcmp(av[1], "capture") == 0)
		return cmd_capture(av + 2);
	if (ac >= 5 && strcmp(av[1], "ra") == 0)
		return cmd_ra(ac - 2, av + 2);
	if (ac == 6 && strcmp(av[1], "addr") == 0)
		return cmd_addr(av + 2);
	fprintf(stderr, "usage: nd_tool capture IFNAME\n"
	                "       nd_tool ra IFNAME SRC DST [-l LIFETIME] [-m MTU] PREFIX/LEN...\n"
	                "       nd_tool addr LOCAL UPLINK IFNAME ADDR/LEN\n");
	return 2;
}
