/* lab_shape.c: the lab's delay and loss element (netns-lab/lab.sh, lab_shape). The machines'
 * kernel has no netem and no fq (so no earliest-departure-time pacing either): packets sent to
 * NFQUEUE by an ip6tables rule are held here for a fixed delay and then accepted, in order, or
 * dropped at random with the given probability. Rate limits are the kernel's own (tbf). As root,
 * in the namespace of the rules:
 *
 *   lab_shape -q QUEUE -d DELAY_MS [-l LOSS_PERCENT] [-s SEED]
 *
 * Only the packet id travels (copy mode "meta"): nothing of a packet is copied or changed. A
 * queue the kernel finds full drops, as a full radio buffer would. SIGTERM or SIGINT ends it;
 * it prints what it did on standard error. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>

#define HELD_MAX 65536 /* packets in flight: a power of two */
#define QMAXLEN  16384

struct held {
	uint32_t id;
	uint64_t due_ns;
};

struct shaper {
	struct mnl_socket *nl;
	uint16_t queue;
	uint64_t delay_ns;
	uint32_t loss_per_million;
	struct held ring[HELD_MAX];
	uint32_t head, tail; /* ring[head..tail) are held, oldest first */
	uint64_t passed, dropped, overflow;
	char buf[1 << 16];
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "lab_shape: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void send_or_die(struct shaper *s, const struct nlmsghdr *nlh, const char *what)
{
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		die(what);
}

static void verdict(struct shaper *s, uint32_t id, int v)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, s->queue);

	nfq_nlmsg_verdict_put(nlh, (int)id, v);
	send_or_die(s, nlh, "verdict");
}

static void bind_queue(struct shaper *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, s->queue);

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET6, NFQNL_CFG_CMD_BIND);
	send_or_die(s, nlh, "binding the queue");
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, s->queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_META, 0);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, QMAXLEN);
	send_or_die(s, nlh, "configuring the queue");
}

/* A packet: dropped at random, else held until its time. */
static void take(struct shaper *s, uint32_t id, uint64_t now)
{
	if (s->loss_per_million > 0 && (uint32_t)(random() % 1000000) < s->loss_per_million) {
		verdict(s, id, NF_DROP);
		s->dropped++;
		return;
	}
	if (s->tail - s->head == HELD_MAX) {
		verdict(s, id, NF_DROP);
		s->overflow++;
		return;
	}
	s->ring[s->tail++ % HELD_MAX] = (struct held){ id, now + s->delay_ns };
}

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct shaper *s = data;
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	const struct nfqnl_msg_packet_hdr *ph;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	take(s, ntohl(ph->packet_id), now_ns());
	return MNL_CB_OK;
}

/* Accepts every held packet whose time has come. */
static void release_due(struct shaper *s, uint64_t now)
{
	while (s->head != s->tail && s->ring[s->head % HELD_MAX].due_ns <= now) {
		verdict(s, s->ring[s->head % HELD_MAX].id, NF_ACCEPT);
		s->head++;
		s->passed++;
	}
}

/* Milliseconds until the oldest held packet is due (-1: nothing held). */
static int wait_ms(const struct shaper *s, uint64_t now)
{
	uint64_t due;

	if (s->head == s->tail)
		return -1;
	due = s->ring[s->head % HELD_MAX].due_ns;
	return due <= now ? 0 : (int)((due - now + 999999) / 1000000);
}

static void receive(struct shaper *s)
{
	ssize_t n = recv(mnl_socket_get_fd(s->nl), s->buf, sizeof(s->buf), MSG_DONTWAIT);

	if (n < 0 && errno != EAGAIN && errno != EINTR && errno != ENOBUFS)
		die("receiving");
	if (n > 0)
		mnl_cb_run(s->buf, (size_t)n, 0, 0, packet_cb, s);
}

static void run(struct shaper *s)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(s->nl), .events = POLLIN };

	while (!stopping) {
		int r = poll(&p, 1, wait_ms(s, now_ns()));

		if (r > 0)
			receive(s);
		release_due(s, now_ns());
	}
	release_due(s, UINT64_MAX); /* nothing stays queued behind us */
}

static void usage(void)
{
	fprintf(stderr, "usage: lab_shape -q QUEUE -d DELAY_MS [-l LOSS_PERCENT] [-s SEED]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct shaper *s)
{
	double loss = 0;
	int c;

	while ((c = getopt(argc, argv, "q:d:l:s:")) != -1) {
		if (c == 'q')
			s->queue = (uint16_t)strtoul(optarg, NULL, 10);
		else if (c == 'd')
			s->delay_ns = (uint64_t)(strtod(optarg, NULL) * 1e6);
		else if (c == 'l')
			loss = strtod(optarg, NULL);
		else if (c == 's')
			srandom((unsigned)strtoul(optarg, NULL, 10));
		else
			usage();
	}
	if (optind != argc || loss < 0 || loss > 100)
		usage();
	s->loss_per_million = (uint32_t)(loss * 10000);
}

int main(int argc, char **argv)
{
	static struct shaper s;

	parse(argc, argv, &s);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	s.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (s.nl == NULL || mnl_socket_bind(s.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket");
	bind_queue(&s);
	run(&s);
	fprintf(stderr, "lab_shape: queue %u: %llu passed after %.1f ms, %llu lost at random, %llu "
	                "over %d held\n",
	        s.queue, (unsigned long long)s.passed, (double)s.delay_ns / 1e6,
	        (unsigned long long)s.dropped, (unsigned long long)s.overflow, HELD_MAX);
	return 0;
}
