/* flow_send.c: the UDP-over-IPv6 traffic generator of the flow steering benchmark
 * (tests/bench/flow_bench.sh, doc/benchmarks.md): datagrams go out in batches with sendmmsg(),
 * so that the sender is not what limits the figures.
 *
 *   flow_send [-s SPORT0] [-d DPORT0] [-l LEN] [-b BATCH] [-j PROCS] [-P] [-r PPS]
 *             long DST FLOWS SECS
 *       FLOWS long flows (flow i: source port SPORT0+i, destination port DPORT0+i; defaults
 *       20000 and 9000) for SECS seconds, as fast as possible or at PPS datagrams/s in all;
 *       PROCS processes share the flows (flow i goes to process i % PROCS). -P pins process j
 *       to the j-th CPU it may run on (modulo their number) before it opens its sockets: a
 *       connected socket keeps the route of the CPU it connected on (IPv6 routes have a copy
 *       per CPU), and two processes whose sockets share one bounce its reference count between
 *       their CPUs on every datagram, a cost that depends on where the scheduler started them.
 *   flow_send [-s SPORT0] [-d DPORT0] [-l LEN] [-b BATCH] [-r PPS] new DST COUNT
 *       COUNT new flows, one datagram each: flow i goes to destination port DPORT0 + i % SPAN
 *       (default DPORT0 10000, SPAN = 65536 - DPORT0) from source port SPORT0 + i / SPAN
 *       (default 8999).
 *   flow_send [-l LEN] pace DST PORT SECS PERIOD_US
 *       one flow (source and destination port PORT), one datagram every PERIOD_US µs by busy
 *       waiting; each payload starts with its sequence number and CLOCK_REALTIME send time
 *       (two host-order uint64_t), for flow_bench.sh's receiver.
 *
 * LEN is the UDP payload (default 64 octets), BATCH the datagrams per sendmmsg() (default 64).
 * The result is one line of key=value pairs: sent, errors (datagrams the kernel refused),
 * seconds, pps, and start_ns/end_ns (CLOCK_REALTIME, shared by all network namespaces); pace
 * adds late (datagrams sent more than one period after their time). Exit status 0, or 2 on a
 * usage or set-up error. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 1024
#define LEN_MAX   1400
#define PROCS_MAX 16

struct opts {
	unsigned sport0, dport0, len, batch, procs;
	bool pin; /* -P */
	double pps;
	struct in6_addr dst;
};

/* What a sender did; processes hand theirs to the parent through a pipe. */
struct result {
	uint64_t sent, errors, late;
	uint64_t start_ns, end_ns; /* CLOCK_REALTIME */
	double seconds;            /* CLOCK_MONOTONIC */
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t mono_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(mono_ns / 1000000000u),
		               .tv_nsec = (long)(mono_ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static struct sockaddr_in6 sin6_of(const struct in6_addr *a, unsigned port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };

	if (a)
		s.sin6_addr = *a;
	return s;
}

/* A UDP socket bound to sport (any address), connected to dst:dport when dport is not 0. */
static int udp_socket(unsigned sport, const struct in6_addr *dst, unsigned dport)
{
	struct sockaddr_in6 local = sin6_of(NULL, sport), peer = sin6_of(dst, dport);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    (dport && connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0)) {
		fprintf(stderr, "flow_send: socket for port %u: %s\n", sport, strerror(errno));
		exit(2);
	}
	return fd;
}

/* A batch of messages that all carry the one payload. */
struct batch {
	struct mmsghdr msg[BATCH_MAX];
	struct sockaddr_in6 name[BATCH_MAX];
	struct iovec iov;
	uint8_t payload[LEN_MAX];
};

static void batch_init(struct batch *b, unsigned len, bool named)
{
	memset(b, 0, sizeof(*b));
	memset(b->payload, 'x', sizeof(b->payload));
	b->iov = (struct iovec){ .iov_base = b->payload, .iov_len = len };
	for (unsigned i = 0; i < BATCH_MAX; i++) {
		b->msg[i].msg_hdr.msg_iov = &b->iov;
		b->msg[i].msg_hdr.msg_iovlen = 1;
		if (named) {
			b->msg[i].msg_hdr.msg_name = &b->name[i];
			b->msg[i].msg_hdr.msg_namelen = sizeof(b->name[i]);
		}
	}
}

/* Sends n messages of b on fd: what went is added to r->sent, what the kernel refused to
 * r->errors. */
static void batch_send(int fd, struct batch *b, unsigned n, struct result *r)
{
	unsigned done = 0;
	int k;

	while (done < n) {
		k = sendmmsg(fd, b->msg + done, n - done, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r->errors++; /* the first message was refused: skip it */
			done++;
			continue;
		}
		done += (unsigned)k;
		r->sent += (unsigned)k;
	}
}

/* With a rate: waits until the datagrams sent so far are due. */
static void pace_to(const struct result *r, double pps, uint64_t t0)
{
	if (pps > 0)
		sleep_until(t0 + (uint64_t)((double)(r->sent + r->errors) * 1e9 / pps));
}

static void result_start(struct result *r, uint64_t *t0)
{
	memset(r, 0, sizeof(*r));
	r->start_ns = now_ns(CLOCK_REALTIME);
	*t0 = now_ns(CLOCK_MONOTONIC);
}

static void result_end(struct result *r, uint64_t t0)
{
	r->seconds = (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	r->end_ns = now_ns(CLOCK_REALTIME);
}

/* --- long flows --- */

/* -P: this process on the j-th CPU of those it may run on (modulo their number). */
static void pin_to_cpu(unsigned j)
{
	cpu_set_t allowed, one;
	int n, cpu;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0 || (n = CPU_COUNT(&allowed)) == 0) {
		perror("flow_send: sched_getaffinity");
		exit(2);
	}
	for (cpu = 0, j %= (unsigned)n;; cpu++)
		if (CPU_ISSET(cpu, &allowed) && j-- == 0)
			break;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0) {
		perror("flow_send: sched_setaffinity");
		exit(2);
	}
}

/* One process's share: flows first, first + step, ... */
static void long_flows(const struct opts *o, unsigned flows, unsigned first, double secs,
                       struct result *r)
{
	static struct batch b;
	static int fds[65536];
	unsigned n = 0;
	uint64_t t0, end;

	if (o->pin)
		pin_to_cpu(first);
	for (unsigned f = first; f < flows; f += o->procs)
		fds[n++] = udp_socket(o->sport0 + f, &o->dst, o->dport0 + f);
	batch_init(&b, o->len, false);
	result_start(r, &t0);
	end = t0 + (uint64_t)(secs * 1e9);
	while (n > 0 && now_ns(CLOCK_MONOTONIC) < end) {
		for (unsigned i = 0; i < n; i++) {
			pace_to(r, o->pps / o->procs, t0);
			batch_send(fds[i], &b, o->batch, r);
		}
	}
	result_end(r, t0);
}

/* The processes' results in one: counts add up, the time is the longest. */
static void result_merge(struct result *all, const struct result *r)
{
	all->sent += r->sent;
	all->errors += r->errors;
	if (all->start_ns == 0 || r->start_ns < all->start_ns)
		all->start_ns = r->start_ns;
	if (r->end_ns > all->end_ns)
		all->end_ns = r->end_ns;
	if (r->seconds > all->seconds)
		all->seconds = r->seconds;
}

static void long_mode(const struct opts *o, unsigned flows, double secs, struct result *all)
{
	int p[2];
	pid_t pid[PROCS_MAX];
	struct result r;

	if (pipe(p) < 0) {
		perror("flow_send: pipe");
		exit(2);
	}
	for (unsigned j = 0; j < o->procs; j++) {
		if ((pid[j] = fork()) < 0) {
			perror("flow_send: fork");
			exit(2);
		}
		if (pid[j] == 0) {
			long_flows(o, flows, j, secs, &r);
			exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 2);
		}
	}
	memset(all, 0, sizeof(*all));
	for (unsigned j = 0; j < o->procs; j++) {
		if (read(p[0], &r, sizeof(r)) == sizeof(r))
			result_merge(all, &r);
		waitpid(pid[j], NULL, 0);
	}
}

/* --- new flows --- */

static void new_mode(const struct opts *o, unsigned long count, struct result *r)
{
	static struct batch b;
	unsigned span = 65536 - o->dport0, nsock = (unsigned)((count + span - 1) / span);
	int fds[64];
	uint64_t t0;
	unsigned long i = 0;

	if (nsock > 64 || o->sport0 + nsock > 65536) {
		fprintf(stderr, "flow_send: %lu flows are too many from port %u\n", count, o->sport0);
		exit(2);
	}
	for (unsigned k = 0; k < nsock; k++)
		fds[k] = udp_socket(o->sport0 + k, NULL, 0);
	batch_init(&b, o->len, true);
	result_start(r, &t0);
	while (i < count) {
		unsigned k = (unsigned)(i / span), n = 0;

		/* a batch stays on one socket */
		while (n < o->batch && i < count && i / span == k) {
			b.name[n++] = sin6_of(&o->dst, o->dport0 + (unsigned)(i % span));
			i++;
		}
		pace_to(r, o->pps, t0);
		batch_send(fds[k], &b, n, r);
	}
	result_end(r, t0);
}

/* --- one paced flow --- */

static void pace_mode(const struct opts *o, unsigned port, double secs, unsigned period_us,
                      struct result *r)
{
	int fd = udp_socket(port, &o->dst, port);
	uint8_t buf[LEN_MAX];
	uint64_t t0, t, end, period = (uint64_t)period_us * 1000u, hdr[2];

	memset(buf, 'z', sizeof(buf));
	result_start(r, &t0);
	end = t0 + (uint64_t)(secs * 1e9);
	for (t = t0; t < end; t += period) {
		uint64_t n;

		while ((n = now_ns(CLOCK_MONOTONIC)) < t)
			;
		r->late += n - t > period;
		hdr[0] = r->sent + r->errors;
		hdr[1] = now_ns(CLOCK_REALTIME);
		memcpy(buf, hdr, sizeof(hdr));
		if (send(fd, buf, o->len, 0) < 0)
			r->errors++;
		else
			r->sent++;
	}
	result_end(r, t0);
}

/* --- the command line --- */

static void usage(void)
{
	fprintf(stderr,
	        "usage: flow_send [-s SPORT0] [-d DPORT0] [-l LEN] [-b BATCH] [-j PROCS] [-P] [-r PPS] "
	        "long DST FLOWS SECS\n"
	        "       flow_send [-s SPORT0] [-d DPORT0] [-l LEN] [-b BATCH] [-r PPS] new DST "
	        "COUNT\n"
	        "       flow_send [-l LEN] pace DST PORT SECS PERIOD_US\n");
	exit(2);
}

static unsigned long num(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "flow_send: %s: not a number in %lu..%lu\n", s, min, max);
		exit(2);
	}
	return v;
}

static double seconds(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0 && v < 3600)) {
		fprintf(stderr, "flow_send: %s: not a duration in seconds\n", s);
		exit(2);
	}
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o, bool *sport_set, bool *dport_set)
{
	int c;

	while ((c = getopt(argc, argv, "s:d:l:b:j:Pr:")) != -1) {
		switch (c) {
		case 's':
			o->sport0 = (unsigned)num(optarg, 1, 65535);
			*sport_set = true;
			break;
		case 'd':
			o->dport0 = (unsigned)num(optarg, 1, 65535);
			*dport_set = true;
			break;
		case 'l':
			o->len = (unsigned)num(optarg, 16, LEN_MAX);
			break;
		case 'b':
			o->batch = (unsigned)num(optarg, 1, BATCH_MAX);
			break;
		case 'j':
			o->procs = (unsigned)num(optarg, 1, PROCS_MAX);
			break;
		case 'P':
			o->pin = true;
			break;
		case 'r':
			o->pps = (double)num(optarg, 1, 100000000);
			break;
		default:
			usage();
		}
	}
}

static void print_result(const char *mode, const struct result *r, bool late)
{
	printf("mode=%s sent=%llu errors=%llu seconds=%.6f pps=%.0f start_ns=%llu end_ns=%llu",
	       mode, (unsigned long long)r->sent, (unsigned long long)r->errors, r->seconds,
	       r->seconds > 0 ? (double)r->sent / r->seconds : 0.0,
	       (unsigned long long)r->start_ns, (unsigned long long)r->end_ns);
	if (late)
		printf(" late=%llu", (unsigned long long)r->late);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .len = 64, .batch = 64, .procs = 1 };
	bool sport_set = false, dport_set = false;
	struct result r;
	unsigned top;
	const char *mode;

	parse_opts(argc, argv, &o, &sport_set, &dport_set);
	argc -= optind;
	argv += optind;
	if (argc < 3 || inet_pton(AF_INET6, argv[1], &o.dst) != 1)
		usage();
	mode = argv[0];
	if (!strcmp(mode, "long") && argc == 4) {
		o.sport0 = sport_set ? o.sport0 : 20000;
		o.dport0 = dport_set ? o.dport0 : 9000;
		top = o.sport0 > o.dport0 ? o.sport0 : o.dport0;
		long_mode(&o, (unsigned)num(argv[2], 1, 65536 - top), seconds(argv[3]), &r);
	} else if (!strcmp(mode, "new") && argc == 3) {
		o.sport0 = sport_set ? o.sport0 : 8999;
		o.dport0 = dport_set ? o.dport0 : 10000;
		new_mode(&o, num(argv[2], 1, 10000000), &r);
	} else if (!strcmp(mode, "pace") && argc == 5) {
		pace_mode(&o, (unsigned)num(argv[2], 1, 65535), seconds(argv[3]),
		          (unsigned)num(argv[4], 1, 1000000), &r);
	} else {
		usage();
	}
	print_result(mode, &r, !strcmp(mode, "pace"));
	return 0;
}
