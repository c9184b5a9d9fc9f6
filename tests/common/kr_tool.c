/* kr_tool.c: drives the kernel side (common/kr.h) from commands on standard input, one per line,
 * for the network-namespace tests and the route benchmark:
 *
 *   kr_tool [-v] [-d auto|ebpf|ip6tnl|seg6] LOCAL UPLINK TABLE_BASE PRIORITY (default auto)
 *
 *   tunnel-add PEER             tunnel-del ID            table ID (its table and fwmark)
 *   route PFX/LEN TUNNEL        route-del PFX/LEN        neigh-route PFX/LEN LL IFNAME
 *   src-rule PFX/LEN TUNNEL     src-rule-del PFX/LEN TUNNEL
 *   flush                       stats                    bench N TUNNEL BASE (N /64s in BASE/32)
 *   hold (until a signal)       close (also at end of input, SIGTERM or SIGINT)
 *
 * Every command answers with one line, "ok ..." or "error ...". Queued requests carry their
 * input line number as cookie; a refused one prints "refused LINE: reason" when flushed. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/kr.h"
#include "common/log.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_result(void *arg, uint64_t cookie, int err)
{
	(void)arg;
	printf("refused %llu: %s\n", (unsigned long long)cookie, strerror(err));
}

static int parse_prefix(const char *s, struct in6_addr *a, uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long l;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	errno = 0;
	l = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == slash + 1 || l > 255)
		return -1;
	*len = (uint8_t)l; /* > 128 is kr's to refuse */
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long l;

	if (s == NULL)
		return -1;
	errno = 0;
	l = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || l > UINT32_MAX)
		return -1;
	*v = (uint32_t)l;
	return 0;
}

static int parse_addr(const char *s, struct in6_addr *a)
{
	return s != NULL && inet_pton(AF_INET6, s, a) == 1 ? 0 : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_bench(struct kr *k, char **av)
{
	uint32_t n, tunnel;
	struct in6_addr base, p;
	struct kr_stats st0, st;
	double t0, dt;
	int refused;

	if (parse_u32(av[1], &n) == -1 || parse_u32(av[2], &tunnel) == -1 ||
	    parse_addr(av[3], &base) == -1)
		return -1;
	kr_get_stats(k, &st0);
	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		p = base;
		p.s6_addr[4] = (uint8_t)(i >> 24);
		p.s6_addr[5] = (uint8_t)(i >> 16);
		p.s6_addr[6] = (uint8_t)(i >> 8);
		p.s6_addr[7] = (uint8_t)i;
		if (kr_route_via_tunnel(k, &p, 64, tunnel, i) == -1)
			return -1;
	}
	refused = kr_flush(k);
	dt = now_s() - t0;
	kr_get_stats(k, &st);
	printf("ok bench %u routes in %.3f s: %.0f routes/s, refused %d, batches %llu\n", n, dt,
	       dt > 0 ? n / dt : 0.0, refused, (unsigned long long)(st.batches - st0.batches));
	return 0;
}

static int cmd_tunnel(struct kr *k, char **av)
{
	struct in6_addr peer;
	uint32_t id = 0;

	if (strcmp(av[0], "tunnel-del") == 0) {
		if (parse_u32(av[1], &id) == -1 || kr_tunnel_del(k, id) == -1)
			return -1;
		printf("ok tunnel-del %u\n", id);
		return 0;
	}
	if (parse_addr(av[1], &peer) == -1)
		return -1;
	if (kr_tunnel_add(k, &peer, &id) == -1)
		return -1;
	printf("ok tunnel %u table %u fwmark %u\n", id, kr_tunnel_table(k, id),
	       kr_tunnel_fwmark(k, id));
	return 0;
}

/* The queued commands: route, route-del, neigh-route, src-rule, src-rule-del. */
static int cmd_queue(struct kr *k, char **av, uint64_t line)
{
	struct in6_addr pfx, ll;
	uint8_t len;
	uint32_t t = 0;

	if (parse_prefix(av[1], &pfx, &len) == -1)
		return -1;
	if (strcmp(av[0], "route-del") == 0)
		return kr_route_del(k, &pfx, len, line);
	if (strcmp(av[0], "neigh-route") == 0) {
		if (parse_addr(av[2], &ll) == -1 || av[3] == NULL)
			return -1;
		return kr_route_via_neighbor(k, &pfx, len, &ll, if_nametoindex(av[3]), line);
	}
	if (parse_u32(av[2], &t) == -1)
		return -1;
	if (strcmp(av[0], "route") == 0)
		return kr_route_via_tunnel(k, &pfx, len, t, line);
	if (strcmp(av[0], "src-rule") == 0)
		return kr_source_rule_add(k, &pfx, len, t, line);
	return kr_source_rule_del(k, &pfx, len, t, line);
}

static int cmd_misc(struct kr *k, char **av)
{
	struct kr_stats st;
	uint32_t id;

	if (strcmp(av[0], "flush") == 0) {
		printf("ok flush refused %d\n", kr_flush(k));
	} else if (strcmp(av[0], "table") == 0) {
		if (parse_u32(av[1], &id) == -1)
			return -1;
		printf("ok table %u fwmark %u\n", kr_tunnel_table(k, id), kr_tunnel_fwmark(k, id));
	} else if (strcmp(av[0], "stats") == 0) {
		kr_get_stats(k, &st);
		printf("ok stats requests %llu failures %llu batches %llu tunnels %u encapsulated %llu "
		       "encap_errors %llu decapsulated %llu unknown_peer %llu decap_errors %llu\n",
		       (unsigned long long)st.requests, (unsigned long long)st.failures,
		       (unsigned long long)st.batches, st.tunnels,
		       (unsigned long long)st.encapsulated, (unsigned long long)st.encap_errors,
		       (unsigned long long)st.decapsulated, (unsigned long long)st.unknown_peer,
		       (unsigned long long)st.decap_errors);
	} else if (strcmp(av[0], "hold") == 0) {
		printf("ok hold\n");
		fflush(stdout);
		while (!stop)
			pause();
	} else {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int command(struct kr *k, char **av, uint64_t line)
{
	static const char *const queued[] = { "route",    "route-del",    "neigh-route",
		                              "src-rule", "src-rule-del", NULL };

	if (strcmp(av[0], "tunnel-add") == 0 || strcmp(av[0], "tunnel-del") == 0)
		return cmd_tunnel(k, av);
	if (strcmp(av[0], "bench") == 0)
		return cmd_bench(k, av);
	for (int i = 0; queued[i] != NULL; i++) {
		if (strcmp(av[0], queued[i]) != 0)
			continue;
		if (cmd_queue(k, av, line) == -1)
			return -1;
		printf("ok queued %llu\n", (unsigned long long)line);
		return 0;
	}
	return cmd_misc(k, av);
}

static void run(struct kr *k)
{
	char buf[512], *av[8], *save;
	uint64_t line = 0;
	int ac;

	while (!stop && fgets(buf, sizeof(buf), stdin) != NULL) {
		line++;
		ac = 0;
		for (char *w = strtok_r(buf, " \t\r\n", &save); w != NULL && ac < 7;
		     w = strtok_r(NULL, " \t\r\n", &save))
			av[ac++] = w;
		for (int i = ac; i < 8; i++)
			av[i] = NULL;
		if (ac == 0 || av[0][0] == '#')
			continue;
		if (strcmp(av[0], "close") == 0)
			break;
		errno = EINVAL;
		if (command(k, av, line) == -1)
			printf("error %s: %s\n", av[0], strerror(errno != 0 ? errno : EINVAL));
	}
}

static int parse_driver(const char *s, enum kr_driver *d)
{
	for (enum kr_driver i = KR_DRIVER_AUTO; i < KR_DRIVER_COUNT; i++) {
		if (strcmp(s, kr_driver_name(i)) == 0) {
			*d = i;
			return 0;
		}
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct kr_config *cfg, int *verbose)
{
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->driver = KR_DRIVER_AUTO;
	while ((c = getopt(argc, argv, "d:v")) != -1) {
		if (c == 'v')
			(*verbose)++;
		else if (c != 'd' || parse_driver(optarg, &cfg->driver) == -1)
			return -1;
	}
	if (argc - optind != 4 || parse_addr(argv[optind], &cfg->local) == -1 ||
	    strlen(argv[optind + 1]) >= sizeof(cfg->uplink) ||
	    parse_u32(argv[optind + 2], &cfg->table_base) == -1 ||
	    parse_u32(argv[optind + 3], &cfg->rule_priority) == -1)
		return -1;
	strcpy(cfg->uplink, argv[optind + 1]);
	return 0;
}

int main(int argc, char **argv)
{
	struct kr_config cfg;
	struct sigaction sa = { .sa_handler = on_signal };
	struct kr *k;
	char err[256];
	int verbose = 0;

	if (parse_args(argc, argv, &cfg, &verbose) == -1) {
		fprintf(stderr, "usage: kr_tool [-v] [-d auto|ebpf|ip6tnl|seg6] LOCAL UPLINK "
		                "TABLE_BASE "
		                "PRIORITY < commands\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("kr_tool", true, verbose);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	k = kr_open(&cfg, err, sizeof(err));
	if (k == NULL) {
		printf("error open: %s\n", err);
		return 1;
	}
	kr_set_result_cb(k, on_result, NULL);
	printf("ok open %s\n", kr_driver_name(kr_driver_in_use(k)));
	run(k);
	kr_close(k);
	printf("ok closed\n");
	return 0;
}
