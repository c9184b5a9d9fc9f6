/* lma_load.c: the load generator of the lmad benchmark (tests/bench/lma_bench.sh, described in
 * doc/benchmarks.md). From one host it plays M MAGs (M consecutive source addresses, chosen per
 * packet with IPV6_PKTINFO on one raw Mobility Header socket) registering N distinct MNs at an
 * LMA: MN i ("mn<i>@bench", link-layer ID 02:00:<i>, ALL_ZERO HNP, HI 1, ATT 4, a Timestamp)
 * is registered by MAG i % M with sequence number i / M, so that every PBU has its own
 * (MAG, sequence number) pair and each PBA is matched back to its PBU by the address it is sent
 * to and its sequence number. W PBUs are kept in flight; nothing is retransmitted: a PBU without
 * an answer after the timeout is counted lost. Latency is from just before the sendmmsg() of a
 * PBU to just after the recvmmsg() of its PBA (CLOCK_MONOTONIC).
 *
 *   lma_load [-n N] [-m M] [-w W] [-t MS] [-l S] [-r RATE] [-T FILE] -s FIRST-MAG LMA
 *   lma_load -R LMA      (a trivial reflector, in lmad's place: answers every PBU with a PBA of
 *                         status 0 that echoes its options; measures the generator's own ceiling)
 *
 * Defaults: -n 1000, -m 16, -w 512, -t 5000 (ms), -l 3600 (s), no -r. -r paces the PBUs at
 * RATE a second at most (a steady load whose latency is measured during something else). -T writes one line per MN to
 * FILE: its index, when its PBU was sent and its latency (µs; -1 if lost), to see where in a run
 * the slow answers are.
 *
 * The result is one line of key=value pairs (then one "status=S count=C" line per non-zero
 * status seen). Exit status: 0 when every PBU got a PBA of status 0, 1 otherwise, 2 on error. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/mh.h"

#define BATCH     64
#define PKT_MAX   512 /* a PBU or PBA of this benchmark is about 100 octets */
#define SEQ_SPACE 65536u

enum { UNSENT = 0, INFLIGHT, ANSWERED, LOST };

struct opts {
	unsigned long n;
	unsigned mags, window, timeout_ms, lifetime_s, rate;
	struct in6_addr lma, first_mag;
	int have_first;
	int reflect;
	const char *trace;
};

struct load {
	const struct opts *o;
	int fd;
	struct mh_params params;
	uint64_t mag_hi, mag_lo; /* first MAG address as two 64-bit halves */
	uint8_t *state;
	uint64_t *sent_ns;
	uint64_t *lat_ns;
	uint32_t *lat_by_mn; /* -T: latency in µs per MN, UINT32_MAX if lost */
	unsigned long next, oldest, inflight, answered, accepted, lost, late, unmatched, other;
	unsigned long mnid_mismatch;
	unsigned long status_count[256];
	uint64_t first_send_ns, last_reply_ns;
	uint64_t pace_start_ns; /* -r: when the first PBU was due */
	struct mh_msg tmpl; /* the PBU, filled in per MN */
};

static void die(const char *what)
{
	fprintf(stderr, "lma_load: %s\n", what);
	exit(2);
}

static void die_errno(const char *what)
{
	fprintf(stderr, "lma_load: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned long parse_num(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "lma_load: %s: not a number in %lu..%lu\n", s, min, max);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: lma_load [-n N] [-m MAGS] [-w WINDOW] [-t TIMEOUT_MS] "
	                "[-l LIFETIME_S] [-r RATE] [-T TRACE_FILE] -s FIRST_MAG LMA\n"
	                "       lma_load -R LMA\n");
	exit(2);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->n = 1000;
	o->mags = 16;
	o->window = 512;
	o->timeout_ms = 5000;
	o->lifetime_s = 3600;
	while ((ch = getopt(argc, argv, "n:m:w:t:l:r:s:T:R")) != -1) {
		switch (ch) {
		case 'n':
			o->n = parse_num(optarg, 1, 100000000);
			break;
		case 'm':
			o->mags = (unsigned)parse_num(optarg, 1, 65536);
			break;
		case 'w':
			o->window = (unsigned)parse_num(optarg, 1, 1000000);
			break;
		case 't':
			o->timeout_ms = (unsigned)parse_num(optarg, 1, 600000);
			break;
		case 'l':
			o->lifetime_s = (unsigned)parse_num(optarg, 4, 262140);
			break;
		case 'r':
			o->rate = (unsigned)parse_num(optarg, 1, 10000000);
			break;
		case 's':
			if (inet_pton(AF_INET6, optarg, &o->first_mag) != 1)
				die("-s: not an IPv6 address");
			o->have_first = 1;
			break;
		case 'T':
			o->trace = optarg;
			break;
		case 'R':
			o->reflect = 1;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || inet_pton(AF_INET6, argv[optind], &o->lma) != 1)
		usage();
	if (!o->reflect && !o->have_first)
		usage();
	if (o->n > (unsigned long)o->mags * SEQ_SPACE)
		die("more MNs than MAGs x 65536 sequence numbers: raise -m");
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static int open_socket(const struct in6_addr *bind_to)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_MH);
	int one = 1, big = 16 << 20;

	if (fd < 0)
		die_errno("raw Mobility Header socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
		die_errno("IPV6_RECVPKTINFO");
	if (bind_to) {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *bind_to };

		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die_errno("bind");
	}
	return fd;
}

/* --- the generator --- */

static void mag_addr(const struct load *l, unsigned k, struct in6_addr *a)
{
	put_be64(a->s6_addr, l->mag_hi);
	put_be64(a->s6_addr + 8, l->mag_lo + k);
}

static void template_init(struct load *l)
{
	struct mh_msg *m = &l->tmpl;

	mh_msg_init(m, MH_TYPE_BU);
	m->u.bu.flags = MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = (uint16_t)(l->o->lifetime_s / 4);
	mh_opts_add_hnp(&m->opts, &in6addr_any, 0);
	m->opts.present |=
	        MH_HAVE_MNID | MH_HAVE_HI | MH_HAVE_ATT | MH_HAVE_MNLLID | MH_HAVE_TIMESTAMP;
	m->opts.mnid.subtype = MH_MNID_SUBTYPE_NAI;
	m->opts.hi = MH_HI_NEW_IF;
	m->opts.att = 4; /* IEEE 802.11a/b/g */
	m->opts.llid_len = 6;
}

static size_t nai_of(unsigned long i, char *buf, size_t cap)
{
	return (size_t)snprintf(buf, cap, "mn%lu@bench", i);
}

/* Encodes MN i's PBU into buf; returns its length. */
static size_t encode_pbu(struct load *l, unsigned long i, uint64_t ts, uint8_t *buf)
{
	struct mh_msg *m = &l->tmpl;
	char nai[32];
	size_t len = nai_of(i, nai, sizeof(nai));
	ssize_t n;

	m->u.bu.seq = (uint16_t)(i / l->o->mags);
	m->opts.mnid.len = (uint8_t)len;
	memcpy(m->opts.mnid.id, nai, len);
	m->opts.llid[0] = 0x02;
	m->opts.llid[1] = 0x00;
	for (int b = 0; b < 4; b++)
		m->opts.llid[2 + b] = (uint8_t)(i >> (24 - 8 * b));
	m->opts.timestamp = ts;
	n = mh_encode(m, &l->params, buf, PKT_MAX);
	if (n < 0)
		die("cannot encode a PBU");
	return (size_t)n;
}

/* Sends up to BATCH PBUs, the next ones, within the window. */
static void send_batch(struct load *l, unsigned count)
{
	static uint8_t bufs[BATCH][PKT_MAX];
	static uint8_t cbufs[BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = l->o->lma };
	uint64_t ts = mh_timestamp_from_ns(clock_ns(CLOCK_REALTIME)), now;
	unsigned done = 0;

	memset(msgs, 0, sizeof(msgs));
	for (unsigned j = 0; j < count; j++) {
		unsigned long i = l->next + j;
		struct cmsghdr *c;
		struct in6_pktinfo pi = { .ipi6_ifindex = 0 };

		iov[j] = (struct iovec){ .iov_base = bufs[j],
			                 .iov_len = encode_pbu(l, i, ts, bufs[j]) };
		mag_addr(l, (unsigned)(i % l->o->mags), &pi.ipi6_addr);
		msgs[j].msg_hdr = (struct msghdr){ .msg_name = &to,
			                           .msg_namelen = sizeof(to),
			                           .msg_iov = &iov[j],
			                           .msg_iovlen = 1,
			                           .msg_control = cbufs[j],
			                           .msg_controllen = sizeof(cbufs[j]) };
		c = CMSG_FIRSTHDR(&msgs[j].msg_hdr);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	now = clock_ns(CLOCK_MONOTONIC);
	if (l->first_send_ns == 0)
		l->first_send_ns = now;
	while (done < count) {
		int r = sendmmsg(l->fd, msgs + done, count - done, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno("sendmmsg");
		done += (unsigned)r;
	}
	for (unsigned j = 0; j < count; j++) {
		l->state[l->next + j] = INFLIGHT;
		l->sent_ns[l->next + j] = now;
	}
	l->next += count;
	l->inflight += count;
}

static const struct in6_addr *pktinfo_dst(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
			return &((const struct in6_pktinfo *)(const void *)CMSG_DATA(c))->ipi6_addr;
	return NULL;
}

/* The MN a PBA answers: from the MAG it is addressed to and its sequence number. */
static long match(const struct load *l, const struct in6_addr *dst, uint16_t seq)
{
	uint64_t lo = get_be64(dst->s6_addr + 8) - l->mag_lo;
	unsigned long i;

	if (get_be64(dst->s6_addr) != l->mag_hi || lo >= l->o->mags)
		return -1;
	i = (unsigned long)seq * l->o->mags + (unsigned long)lo;
	return i < l->o->n ? (long)i : -1;
}

static void take_pba(struct load *l, const struct in6_addr *dst, const struct mh_msg *m,
                     uint64_t now)
{
	long i = match(l, dst, m->u.ba.seq);
	char nai[32];
	size_t len;

	if (i < 0 || l->state[i] == UNSENT || l->state[i] == ANSWERED) {
		l->unmatched++;
		return;
	}
	if (l->state[i] == LOST) {
		l->late++;
		return;
	}
	len = nai_of((unsigned long)i, nai, sizeof(nai));
	if ((m->opts.present & MH_HAVE_MNID) &&
	    (m->opts.mnid.len != len || memcmp(m->opts.mnid.id, nai, len) != 0))
		l->mnid_mismatch++;
	l->state[i] = ANSWERED;
	l->lat_ns[l->answered++] = now - l->sent_ns[i];
	if (l->lat_by_mn)
		l->lat_by_mn[i] = (uint32_t)((now - l->sent_ns[i]) / 1000);
	l->inflight--;
	l->status_count[m->u.ba.status]++;
	if (m->u.ba.status == 0)
		l->accepted++;
	l->last_reply_ns = now;
}

/* Reads one batch of answers; returns how many datagrams it got. */
static int receive_batch(struct load *l)
{
	static uint8_t bufs[BATCH][PKT_MAX];
	static uint8_t cbufs[BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
	static struct mh_msg m;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in6 from[BATCH];
	uint64_t now;
	int n;

	for (int j = 0; j < BATCH; j++) {
		iov[j] = (struct iovec){ .iov_base = bufs[j], .iov_len = sizeof(bufs[j]) };
		msgs[j].msg_len = 0;
		msgs[j].msg_hdr = (struct msghdr){ .msg_name = &from[j],
			                           .msg_namelen = sizeof(from[j]),
			                           .msg_iov = &iov[j],
			                           .msg_iovlen = 1,
			                           .msg_control = cbufs[j],
			                           .msg_controllen = sizeof(cbufs[j]) };
	}
	n = recvmmsg(l->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		die_errno("recvmmsg");
	}
	now = clock_ns(CLOCK_MONOTONIC);
	for (int j = 0; j < n; j++) {
		const struct in6_addr *dst = pktinfo_dst(&msgs[j].msg_hdr);

		if (!dst || memcmp(&from[j].sin6_addr, &l->o->lma, sizeof(l->o->lma)) != 0 ||
		    (msgs[j].msg_hdr.msg_flags & MSG_TRUNC) ||
		    mh_decode(bufs[j], msgs[j].msg_len, &l->params, &m) != MH_OK ||
		    m.type != MH_TYPE_BA) {
			l->other++;
			continue;
		}
		take_pba(l, dst, &m, now);
	}
	return n;
}

/* PBUs past their timeout are lost; they leave the window. */
static void expire(struct load *l, uint64_t now)
{
	uint64_t timeout = (uint64_t)l->o->timeout_ms * 1000000ull;

	while (l->oldest < l->next) {
		unsigned long i = l->oldest;

		if (l->state[i] == INFLIGHT) {
			if (now - l->sent_ns[i] < timeout)
				break;
			l->state[i] = LOST;
			l->lost++;
			l->inflight--;
		}
		l->oldest++;
	}
}

/* Milliseconds until the oldest PBU in flight times out (at least 1). */
static int wait_ms(const struct load *l, uint64_t now)
{
	uint64_t deadline;

	if (l->oldest >= l->next)
		return 1000;
	deadline = l->sent_ns[l->oldest] + (uint64_t)l->o->timeout_ms * 1000000ull;
	return deadline <= now ? 1 : (int)((deadline - now) / 1000000ull) + 1;
}

/* -r: how many more PBUs the pace lets go at `now` (no pace: as many as there are). */
static unsigned long pace_allows(struct load *l, uint64_t now)
{
	uint64_t due;

	if (!l->o->rate)
		return l->o->n - l->next;
	if (!l->pace_start_ns)
		l->pace_start_ns = now;
	due = (now - l->pace_start_ns) * l->o->rate / 1000000000ull + 1;
	return due > l->next ? (unsigned long)(due - l->next) : 0;
}

/* -r: milliseconds until the next PBU is due (at least 1), or `ms` if that is sooner. */
static int pace_wait_ms(const struct load *l, uint64_t now, int ms)
{
	uint64_t due;
	int wait;

	if (!l->o->rate || l->next >= l->o->n)
		return ms;
	due = l->pace_start_ns + (uint64_t)l->next * 1000000000ull / l->o->rate;
	wait = due <= now ? 1 : (int)((due - now) / 1000000ull) + 1;
	return wait < ms ? wait : ms;
}

static void write_trace(const struct load *l)
{
	FILE *f = fopen(l->o->trace, "w");

	if (!f)
		die_errno("-T");
	fprintf(f, "# mn sent_us latency_us\n");
	for (unsigned long i = 0; i < l->o->n; i++)
		fprintf(f, "%lu %.0f %ld\n", i, (double)(l->sent_ns[i] - l->first_send_ns) / 1000.0,
		        l->lat_by_mn[i] == UINT32_MAX ? -1L : (long)l->lat_by_mn[i]);
	if (fclose(f) != 0)
		die_errno("-T");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(const struct load *l, double p)
{
	unsigned long k;

	if (l->answered == 0)
		return 0.0;
	k = (unsigned long)(p / 100.0 * (double)(l->answered - 1) + 0.5);
	return (double)l->lat_ns[k] / 1000.0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int report(struct load *l)
{
	double wall = l->last_reply_ns > l->first_send_ns
	                      ? (double)(l->last_reply_ns - l->first_send_ns) / 1e9
	                      : 0.0;
	unsigned long nonzero = l->answered - l->accepted;

	qsort(l->lat_ns, l->answered, sizeof(l->lat_ns[0]), cmp_u64);
	printf("n=%lu mags=%u window=%u wall_s=%.4f reg_per_s=%.0f p50_us=%.0f p90_us=%.0f "
	       "p99_us=%.0f max_us=%.0f accepted=%lu nonzero=%lu lost=%lu late=%lu unmatched=%lu "
	       "other=%lu mnid_mismatch=%lu cpu_s=%.3f\n",
	       l->o->n, l->o->mags, l->o->window, wall, wall > 0 ? (double)l->accepted / wall : 0.0,
	       pct_us(l, 50), pct_us(l, 90), pct_us(l, 99),
	       l->answered ? (double)l->lat_ns[l->answered - 1] / 1000.0 : 0.0, l->accepted,
	       nonzero, l->lost, l->late, l->unmatched, l->other, l->mnid_mismatch, cpu_seconds());
	for (int s = 1; s < 256; s++)
		if (l->status_count[s])
			printf("status=%d count=%lu\n", s, l->status_count[s]);
	return nonzero == 0 && l->lost == 0 && l->accepted == l->o->n && l->mnid_mismatch == 0 ? 0
	                                                                                       : 1;
}

static int run_load(const struct opts *o)
{
	struct load l;
	int rc;

	memset(&l, 0, sizeof(l));
	l.o = o;
	mh_params_init(&l.params);
	l.mag_hi = get_be64(o->first_mag.s6_addr);
	l.mag_lo = get_be64(o->first_mag.s6_addr + 8);
	if (l.mag_lo + o->mags < l.mag_lo)
		die("-s: the MAG addresses would wrap around");
	l.state = calloc(o->n, 1);
	l.sent_ns = calloc(o->n, sizeof(*l.sent_ns));
	l.lat_ns = calloc(o->n, sizeof(*l.lat_ns));
	if (o->trace) {
		l.lat_by_mn = malloc(o->n * sizeof(*l.lat_by_mn));
		if (l.lat_by_mn)
			memset(l.lat_by_mn, 0xff, o->n * sizeof(*l.lat_by_mn));
	}
	if (!l.state || !l.sent_ns || !l.lat_ns || (o->trace && !l.lat_by_mn))
		die("out of memory");
	l.fd = open_socket(NULL);
	template_init(&l);
	while (l.next < o->n || l.inflight > 0) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		struct pollfd pfd = { .fd = l.fd, .events = POLLIN };

		expire(&l, now);
		while (l.inflight < o->window && l.next < o->n && pace_allows(&l, now) > 0) {
			unsigned long count = o->window - l.inflight;

			if (count > BATCH)
				count = BATCH;
			if (count > pace_allows(&l, now))
				count = pace_allows(&l, now);
			send_batch(&l, (unsigned)count);
		}
		if (receive_batch(&l) > 0)
			continue;
		if (l.inflight == 0 && l.next >= o->n)
			break;
		if (poll(&pfd, 1, pace_wait_ms(&l, now, wait_ms(&l, now))) < 0 && errno != EINTR)
			die_errno("poll");
	}
	close(l.fd);
	if (o->trace)
		write_trace(&l);
	rc = report(&l);
	free(l.state);
	free(l.sent_ns);
	free(l.lat_ns);
	free(l.lat_by_mn);
	return rc;
}

/* --- the reflector --- */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void reflect_one(const struct mh_params *p, const struct mh_msg *bu, uint8_t *out,
                        size_t *len)
{
	static struct mh_msg ba;
	ssize_t n;

	mh_msg_init(&ba, MH_TYPE_BA);
	ba.u.ba.flags = MH_BA_P;
	ba.u.ba.seq = bu->u.bu.seq;
	ba.u.ba.lifetime = bu->u.bu.lifetime;
	ba.opts.present = bu->opts.present & (MH_HAVE_MNID | MH_HAVE_HI | MH_HAVE_ATT |
	                                      MH_HAVE_MNLLID | MH_HAVE_TIMESTAMP);
	ba.opts.mnid = bu->opts.mnid;
	ba.opts.hi = bu->opts.hi;
	ba.opts.att = bu->opts.att;
	ba.opts.llid_len = bu->opts.llid_len;
	memcpy(ba.opts.llid, bu->opts.llid, bu->opts.llid_len);
	ba.opts.timestamp = bu->opts.timestamp;
	for (unsigned i = 0; i < bu->opts.n_hnp; i++)
		mh_opts_add_hnp(&ba.opts, &bu->opts.hnp[i].addr, bu->opts.hnp[i].len);
	n = mh_encode(&ba, p, out, PKT_MAX);
	*len = n > 0 ? (size_t)n : 0;
}

static int run_reflector(const struct opts *o)
{
	static uint8_t in[BATCH][PKT_MAX], out[BATCH][PKT_MAX];
	static struct mh_msg m;
	struct mmsghdr msgs[BATCH], replies[BATCH];
	struct iovec iov[BATCH], oiov[BATCH];
	struct sockaddr_in6 from[BATCH];
	struct mh_params params;
	int fd = open_socket(&o->lma);
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: recvmmsg returns */

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	mh_params_init(&params);
	while (!stopping) {
		int n, k = 0;

		for (int j = 0; j < BATCH; j++) {
			iov[j] = (struct iovec){ .iov_base = in[j], .iov_len = sizeof(in[j]) };
			memset(&msgs[j], 0, sizeof(msgs[j]));
			msgs[j].msg_hdr.msg_name = &from[j];
			msgs[j].msg_hdr.msg_namelen = sizeof(from[j]);
			msgs[j].msg_hdr.msg_iov = &iov[j];
			msgs[j].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("recvmmsg");
		for (int j = 0; j < n; j++) {
			size_t len;

			if (mh_decode(in[j], msgs[j].msg_len, &params, &m) != MH_OK ||
			    m.type != MH_TYPE_BU)
				continue;
			reflect_one(&params, &m, out[k], &len);
			if (len == 0)
				continue;
			oiov[k] = (struct iovec){ .iov_base = out[k], .iov_len = len };
			memset(&replies[k], 0, sizeof(replies[k]));
			replies[k].msg_hdr.msg_name = &from[j];
			replies[k].msg_hdr.msg_namelen = sizeof(from[j]);
			replies[k].msg_hdr.msg_iov = &oiov[k];
			replies[k].msg_hdr.msg_iovlen = 1;
			k++;
		}
		for (int done = 0; done < k;) {
			int r = sendmmsg(fd, replies + done, (unsigned)(k - done), 0);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				die_errno("sendmmsg");
			done += r;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;

	parse_args(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return o.reflect ? run_reflector(&o) : run_load(&o);
}
