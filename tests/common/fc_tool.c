/* fc_tool.c: drives flow steering at the LMA (kr/kr.h, "flow steering") for
 * tests/netns/test_kr_fc.sh: kr_open() with the driver $KR_DRIVER names (auto by default), a
 * tunnel to each of two MAGs, the MN's prefix routed through the first, kr_fc_open() and the prefix sent to the queue. Each new
 * flow is marked by its destination port, as the command line says:
 *
 *   fc_tool [-c] [-q QUEUE] [-r PORT=TUNNEL]... [-d TUNNEL] LOCAL UPLINK TABLE_BASE PRIORITY
 *           MAG1 MAG2 PREFIX/LEN
 *
 *   -c fail closed (default: open); -r flows to PORT go through TUNNEL (1 or 2); -d the tunnel of
 *   every other flow (default 0: unmarked, the main table routes it).
 *
 * It prints "packet N proto P src S dst D sport X dport Y mark M" for each packet that reaches it
 * and "gone proto P src S dst D sport X dport Y" for each connection that ends, and reads
 * commands on standard input, each answered "ok ..." or "error ...":
 *
 *   move PROTO SRC DST SPORT DPORT TUNNEL     counters PROTO SRC DST SPORT DPORT
 *   queue PFX/LEN on|off      stats      fc-close      fc-open      close (also SIGTERM)
 *   tunnel-del TUNNEL         tunnel-add TUNNEL (the one to that MAG again: "ok tunnel-add ID
 *                             MARK") */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kr/kr.h"
#include "common/log.h"

#define MAX_RULES 16

struct rule {
	uint16_t port;
	uint32_t tunnel;
};

struct tool {
	struct kr *k;
	struct kr_fc_config fc;
	uint32_t tunnel[3];    /* [1], [2]: the tunnels to MAG1 and MAG2 */
	struct in6_addr mag[3]; /* [1], [2]: their addresses */
	struct rule rules[MAX_RULES];
	int nrules;
	uint32_t dflt;
	unsigned long packets;
	char line[1024];
	size_t len;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long l;

	if (s == NULL)
		return -1;
	errno = 0;
	l = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || l > max)
		return -1;
	*v = (uint32_t)l;
	return 0;
}

static int parse_prefix(const char *s, struct in6_addr *a, uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t l;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	if (parse_u32(slash + 1, 128, &l) == -1)
		return -1;
	*len = (uint8_t)l;
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

static uint32_t tunnel_mark(const struct tool *t, uint32_t tunnel)
{
	return tunnel >= 1 && tunnel <= 2 ? kr_tunnel_fwmark(t->k, t->tunnel[tunnel]) : 0;
}

static void print_flow(const char *what, const struct in6_addr *src, const struct in6_addr *dst,
                       unsigned proto, unsigned sport, unsigned dport)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, src, s, sizeof(s));
	inet_ntop(AF_INET6, dst, d, sizeof(d));
	printf("%s proto %u src %s dst %s sport %u dport %u", what, proto, s, d, sport, dport);
}

/* Only what the test sends: no extension headers. ICMPv6 echo: the identifier as both ports. */
static uint32_t classify(void *arg, const uint8_t *pkt, size_t len)
{
	struct tool *t = arg;
	struct in6_addr src, dst;
	unsigned proto, sport = 0, dport = 0;
	uint32_t mark;

	if (len < 48 || (pkt[0] >> 4) != 6)
		return 0;
	proto = pkt[6];
	memcpy(&src, pkt + 8, 16);
	memcpy(&dst, pkt + 24, 16);
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		sport = (unsigned)pkt[40] << 8 | pkt[41];
		dport = (unsigned)pkt[42] << 8 | pkt[43];
	} else if (proto == IPPROTO_ICMPV6) {
		sport = dport = (unsigned)pkt[44] << 8 | pkt[45];
	}
	mark = tunnel_mark(t, t->dflt);
	for (int i = 0; i < t->nrules; i++)
		if (proto != IPPROTO_ICMPV6 && t->rules[i].port == dport)
			mark = tunnel_mark(t, t->rules[i].tunnel);
	print_flow("packet", &src, &dst, proto, sport, dport);
	printf(" n %lu mark %u\n", ++t->packets, mark);
	return mark;
}

static void gone(void *arg, const struct in6_addr *src, const struct in6_addr *dst, uint8_t proto,
                 uint16_t sport, uint16_t dport)
{
	(void)arg;
	print_flow("gone", src, dst, proto, sport, dport);
	printf("\n");
}

/* PROTO SRC DST SPORT DPORT */
static int parse_tuple(char **av, uint8_t *proto, struct in6_addr *src, struct in6_addr *dst,
                       uint16_t *sport, uint16_t *dport)
{
	uint32_t p, s, d;

	if (parse_u32(av[0], 255, &p) == -1 || av[1] == NULL || av[2] == NULL ||
	    inet_pton(AF_INET6, av[1], src) != 1 || inet_pton(AF_INET6, av[2], dst) != 1 ||
	    parse_u32(av[3], 65535, &s) == -1 || parse_u32(av[4], 65535, &d) == -1)
		return -1;
	*proto = (uint8_t)p;
	*sport = (uint16_t)s;
	*dport = (uint16_t)d;
	return 0;
}

static int cmd_flow(struct tool *t, char **av)
{
	struct in6_addr src, dst;
	uint16_t sport, dport;
	uint64_t packets, bytes;
	uint32_t tunnel;
	uint8_t proto;

	errno = EINVAL;
	if (parse_tuple(av + 1, &proto, &src, &dst, &sport, &dport) == -1)
		return -1;
	if (strcmp(av[0], "counters") == 0) {
		if (kr_fc_ct_counters(t->k, &src, &dst, proto, sport, dport, &packets, &bytes))
			return -1;
		printf("ok counters %llu %llu\n", (unsigned long long)packets,
		       (unsigned long long)bytes);
		return 0;
	}
	if (parse_u32(av[6], 2, &tunnel) == -1 ||
	    kr_fc_ct_set_mark(t->k, &src, &dst, proto, sport, dport, tunnel_mark(t, tunnel)) == -1)
		return -1;
	printf("ok move %u\n", tunnel_mark(t, tunnel));
	return 0;
}

static void cmd_stats(const struct tool *t)
{
	struct kr_fc_stats st;

	kr_fc_get_stats(t->k, &st);
	printf("ok stats queued %llu verdicts %llu marks_set %llu marks_cleared %llu queue_drops %llu "
	       "kernel_queued %llu ct_created %llu ct_failures %llu verdict_errors %llu overruns %llu "
	       "bad %llu gone %llu events_lost %llu\n",
	       (unsigned long long)st.queued, (unsigned long long)st.verdicts,
	       (unsigned long long)st.marks_set, (unsigned long long)st.marks_cleared,
	       (unsigned long long)st.queue_drops,
	       (unsigned long long)st.kernel_queued, (unsigned long long)st.ct_created,
	       (unsigned long long)st.ct_failures, (unsigned long long)st.verdict_errors,
	       (unsigned long long)st.overruns, (unsigned long long)st.bad,
	       (unsigned long long)st.gone, (unsigned long long)st.events_lost);
}

static int cmd_queue(struct tool *t, char **av)
{
	struct in6_addr pfx;
	uint8_t len;
	bool on;

	errno = EINVAL;
	if (parse_prefix(av[1], &pfx, &len) == -1 || av[2] == NULL ||
	    (strcmp(av[2], "on") != 0 && strcmp(av[2], "off") != 0))
		return -1;
	on = strcmp(av[2], "on") == 0;
	if (kr_fc_queue_prefix(t->k, &pfx, len, on) == -1)
		return -1;
	printf("ok queue %s\n", av[2]);
	return 0;
}

static int fc_open(struct tool *t)
{
	char err[256];

	if (kr_fc_open(t->k, &t->fc, err, sizeof(err)) == -1) {
		printf("error fc-open: %s\n", err);
		return -1;
	}
	return 0;
}

/* tunnel-del N, tunnel-add N: the tunnel to MAG N goes, or comes back (with the lowest free
 * number, which is the one it had if nothing took it meanwhile). */
static int cmd_tunnel(struct tool *t, char **av)
{
	uint32_t n;

	if (parse_u32(av[1], 2, &n) == -1 || n == 0) {
		errno = EINVAL;
		return -1;
	}
	if (strcmp(av[0], "tunnel-del") == 0) {
		if (kr_tunnel_del(t->k, t->tunnel[n]) == -1)
			return -1;
		printf("ok tunnel-del %u\n", t->tunnel[n]);
		return 0;
	}
	if (kr_tunnel_add(t->k, &t->mag[n], &t->tunnel[n]) == -1)
		return -1;
	printf("ok tunnel-add %u %u\n", t->tunnel[n], tunnel_mark(t, n));
	return 0;
}

/* 1 to go on, 0 to close. */
static int command(struct tool *t, char **av)
{
	if (strcmp(av[0], "close") == 0)
		return 0;
	if (strcmp(av[0], "move") == 0 || strcmp(av[0], "counters") == 0) {
		if (cmd_flow(t, av) == -1)
			printf("error %s: %s\n", av[0], strerror(errno));
	} else if (strcmp(av[0], "queue") == 0) {
		if (cmd_queue(t, av) == -1)
			printf("error queue: %s\n", strerror(errno));
	} else if (strcmp(av[0], "tunnel-del") == 0 || strcmp(av[0], "tunnel-add") == 0) {
		if (cmd_tunnel(t, av) == -1)
			printf("error %s: %s\n", av[0], strerror(errno));
	} else if (strcmp(av[0], "stats") == 0) {
		cmd_stats(t);
	} else if (strcmp(av[0], "fc-close") == 0) {
		kr_fc_close(t->k);
		printf("ok fc-close\n");
	} else if (strcmp(av[0], "fc-open") == 0) {
		if (fc_open(t) == 0)
			printf("ok fc-open\n");
	} else {
		printf("error %s: unknown command\n", av[0]);
	}
	return 1;
}

/* Splits the complete lines read so far into words and runs them. */
static int input_lines(struct tool *t)
{
	char *nl, *av[8], *save;
	int ac, go = 1;

	while (go && (nl = memchr(t->line, '\n', t->len)) != NULL) {
		*nl = '\0';
		ac = 0;
		for (char *w = strtok_r(t->line, " \t\r", &save); w != NULL && ac < 7;
		     w = strtok_r(NULL, " \t\r", &save))
			av[ac++] = w;
		for (int i = ac; i < 8; i++)
			av[i] = NULL;
		if (ac > 0 && av[0][0] != '#')
			go = command(t, av);
		t->len -= (size_t)(nl + 1 - t->line);
		memmove(t->line, nl + 1, t->len);
	}
	return go;
}

static int input(struct tool *t)
{
	ssize_t n = read(STDIN_FILENO, t->line + t->len, sizeof(t->line) - 1 - t->len);

	if (n == -1 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	t->len += (size_t)n;
	if (t->len == sizeof(t->line) - 1)
		t->len = 0; /* a line that long is nobody's command */
	return input_lines(t);
}

static void run(struct tool *t)
{
	struct pollfd pfd[3];
	int go = 1;

	while (go && !stop) {
		pfd[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = kr_fc_queue_fd(t->k), .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = kr_fc_events_fd(t->k), .events = POLLIN };
		if (poll(pfd, 3, -1) == -1) {
			if (errno != EINTR)
				break;
			continue;
		}
		if (pfd[1].revents & POLLIN)
			(void)kr_fc_queue_read(t->k, classify, t);
		if (pfd[2].revents & POLLIN)
			kr_fc_events_read(t->k, gone, t);
		if (pfd[0].revents & (POLLIN | POLLHUP))
			go = input(t);
	}
}

static int parse_rule(struct tool *t, const char *s)
{
	char buf[32], *eq;
	uint32_t port, tunnel;

	if (t->nrules == MAX_RULES || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((eq = strchr(buf, '=')) == NULL)
		return -1;
	*eq = '\0';
	if (parse_u32(buf, 65535, &port) == -1 || parse_u32(eq + 1, 2, &tunnel) == -1)
		return -1;
	t->rules[t->nrules++] = (struct rule){ .port = (uint16_t)port, .tunnel = tunnel };
	return 0;
}

static int parse_args(int argc, char **argv, struct tool *t, struct kr_config *cfg)
{
	uint32_t q;
	int c;

	while ((c = getopt(argc, argv, "cd:q:r:")) != -1) {
		if (c == 'c')
			t->fc.fail_open = false;
		else if (c == 'd' && parse_u32(optarg, 2, &t->dflt) == 0)
			continue;
		else if (c == 'q' && parse_u32(optarg, 65535, &q) == 0)
			t->fc.queue_num = (uint16_t)q;
		else if (c != 'r' || parse_rule(t, optarg) == -1)
			return -1;
	}
	if (argc - optind != 7 || inet_pton(AF_INET6, argv[optind], &cfg->local) != 1 ||
	    strlen(argv[optind + 1]) >= sizeof(cfg->uplink) ||
	    parse_u32(argv[optind + 2], UINT32_MAX, &cfg->table_base) == -1 ||
	    parse_u32(argv[optind + 3], UINT32_MAX, &cfg->rule_priority) == -1)
		return -1;
	strcpy(cfg->uplink, argv[optind + 1]);
	return 0;
}

/* The tunnels, the prefix route through the first, flow steering with the prefix queued. */
static int setup(struct tool *t, char **peers)
{
	struct in6_addr pfx;
	uint8_t len;

	for (int i = 1; i <= 2; i++) {
		if (inet_pton(AF_INET6, peers[i - 1], &t->mag[i]) != 1 ||
		    kr_tunnel_add(t->k, &t->mag[i], &t->tunnel[i]) == -1) {
			printf("error tunnel-add %s: %s\n", peers[i - 1], strerror(errno));
			return -1;
		}
	}
	if (parse_prefix(peers[2], &pfx, &len) == -1 ||
	    kr_route_via_tunnel(t->k, &pfx, len, t->tunnel[1], 1) == -1 || kr_flush(t->k) != 0) {
		printf("error route %s\n", peers[2]);
		return -1;
	}
	if (fc_open(t) == -1)
		return -1;
	if (kr_fc_queue_prefix(t->k, &pfx, len, true) == -1) {
		printf("error queue %s: %s\n", peers[2], strerror(errno));
		return -1;
	}
	printf("ok open marks %u %u driver %s\n", tunnel_mark(t, 1), tunnel_mark(t, 2),
	       kr_driver_name(kr_driver_in_use(t->k)));
	return 0;
}

int main(int argc, char **argv)
{
	static struct tool t = { .fc = { .fail_open = true, .copy_range = 128 } };
	struct sigaction sa = { .sa_handler = on_signal };
	struct kr_config cfg = { .driver = kr_driver_from_env() };
	char err[256];
	int ret = 1;

	if (parse_args(argc, argv, &t, &cfg) == -1) {
		fputs("usage: fc_tool [-c] [-q QUEUE] [-r PORT=TUNNEL]... [-d TUNNEL] LOCAL UPLINK "
		      "TABLE_BASE PRIORITY MAG1 MAG2 PREFIX/LEN < commands\n",
		      stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("fc_tool", true, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((t.k = kr_open(&cfg, err, sizeof(err))) == NULL) {
		printf("error open: %s\n", err);
		return 1;
	}
	if (setup(&t, argv + optind + 4) == 0) {
		run(&t);
		ret = 0;
	}
	kr_close(t.k);
	printf("ok closed\n");
	return ret;
}
