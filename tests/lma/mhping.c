/* mhping.c: a Mobility Header test peer for the namespace tests. It plays a MAG toward lmad
 * (sends a PBU built with proto/ and prints the answer) or waits for messages and answers
 * Update Notifications (RFC 7077) with an acknowledgement. Output is one "key=value" line per
 * field, easy to assert on in shell.
 *
 *   mhping pbu LMA [--nai N] [--llid MAC] [--hi N] [--att N] [--lifetime S] [--seq N]
 *                  [--hnp P/L]... [--muho] [--no-timestamp] [--timeout MS] [--muho-type N]
 *   mhping listen [--count N] [--timeout MS] [--ack] [--muho-type N]
 *   mhping raw LMA HEX [--timeout MS]    (send octets as they are; print any answer)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/mh.h"

struct args {
	const char *cmd;
	struct in6_addr lma;
	const char *nai;
	uint8_t llid[6];
	bool have_llid, muho, no_ts, ack;
	unsigned hi, att, lifetime_s, seq, timeout_ms, count;
	unsigned n_hnp;
	struct mh_prefix hnp[8];
	const char *hex;
	struct mh_params params;
};

static void die(const char *what)
{
	fprintf(stderr, "mhping: %s\n", what);
	exit(2);
}

static void parse_prefix(const char *text, struct mh_prefix *p)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (!slash)
		die("prefix needs /length");
	*slash = '\0';
	if (inet_pton(AF_INET6, buf, &p->addr) != 1)
		die("bad prefix");
	p->len = (uint8_t)atoi(slash + 1);
}

static void parse_mac(const char *text, uint8_t mac[6])
{
	unsigned v[6];

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		die("bad MAC");
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
}

/* Options without a value; returns true if o is one of them (and sets it). */
static bool parse_flag(struct args *a, const char *o)
{
	if (!strcmp(o, "--muho"))
		a->muho = true;
	else if (!strcmp(o, "--no-timestamp"))
		a->no_ts = true;
	else if (!strcmp(o, "--ack"))
		a->ack = true;
	else
		return false;
	return true;
}

static void parse_valued(struct args *a, const char *o, const char *v)
{
	if (!strcmp(o, "--nai"))
		a->nai = v;
	else if (!strcmp(o, "--llid"))
		parse_mac(v, a->llid), a->have_llid = true;
	else if (!strcmp(o, "--hi"))
		a->hi = (unsigned)atoi(v);
	else if (!strcmp(o, "--att"))
		a->att = (unsigned)atoi(v);
	else if (!strcmp(o, "--lifetime"))
		a->lifetime_s = (unsigned)atoi(v);
	else if (!strcmp(o, "--seq"))
		a->seq = (unsigned)atoi(v);
	else if (!strcmp(o, "--timeout"))
		a->timeout_ms = (unsigned)atoi(v);
	else if (!strcmp(o, "--count"))
		a->count = (unsigned)atoi(v);
	else if (!strcmp(o, "--muho-type"))
		a->params.muho_type = (uint8_t)atoi(v);
	else if (!strcmp(o, "--hnp") && a->n_hnp < 8)
		parse_prefix(v, &a->hnp[a->n_hnp++]);
	else
		die("unknown option");
}

/* Parses the option at argv[i]; returns how many words it took. */
static int parse_option(struct args *a, int argc, char **argv, int i)
{
	if (parse_flag(a, argv[i]))
		return 1;
	if (i + 1 >= argc)
		die("option needs a value");
	parse_valued(a, argv[i], argv[i + 1]);
	return 2;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	int i = 2;

	memset(a, 0, sizeof(*a));
	mh_params_init(&a->params);
	a->nai = "mn1@example.org";
	a->hi = 1;
	a->att = 4;
	a->lifetime_s = 600;
	a->timeout_ms = 3000;
	a->count = 1;
	if (argc < 2)
		die("usage: mhping pbu|listen|raw ...");
	a->cmd = argv[1];
	if (strcmp(a->cmd, "listen") != 0) {
		if (argc < 3 || inet_pton(AF_INET6, argv[2], &a->lma) != 1)
			die("need the LMA's address");
		i = 3;
		if (!strcmp(a->cmd, "raw")) {
			if (argc < 4)
				die("raw needs hex octets");
			a->hex = argv[3];
			i = 4;
		}
	}
	while (i < argc)
		i += parse_option(a, argc, argv, i);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void build_pbu(const struct args *a, struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BU);
	m->u.bu.seq = (uint16_t)a->seq;
	m->u.bu.flags = MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = (uint16_t)(a->lifetime_s / 4);
	if (mh_opts_set_nai(&m->opts, a->nai) != MH_OK)
		die("bad NAI");
	for (unsigned i = 0; i < a->n_hnp; i++)
		mh_opts_add_hnp(&m->opts, &a->hnp[i].addr, a->hnp[i].len);
	if (a->n_hnp == 0)
		mh_opts_add_hnp(&m->opts, &in6addr_any, 0);
	if (a->muho)
		mh_opts_add_muho(&m->opts, &in6addr_any, 0);
	m->opts.present |= MH_HAVE_HI | MH_HAVE_ATT;
	m->opts.hi = (uint8_t)a->hi;
	m->opts.att = (uint8_t)a->att;
	if (a->have_llid) {
		m->opts.present |= MH_HAVE_MNLLID;
		m->opts.llid_len = 6;
		memcpy(m->opts.llid, a->llid, 6);
	}
	if (!a->no_ts) {
		m->opts.present |= MH_HAVE_TIMESTAMP;
		m->opts.timestamp = mh_timestamp_from_ns(now_ns());
	}
}

static void print_prefixes(const char *key, const struct mh_prefix *p, unsigned n)
{
	char text[INET6_ADDRSTRLEN];

	printf("%s_count=%u\n", key, n);
	for (unsigned i = 0; i < n; i++) {
		inet_ntop(AF_INET6, &p[i].addr, text, sizeof(text));
		printf("%s=%s/%u\n", key, text, p[i].len);
	}
}

static void print_msg(const struct in6_addr *from, const struct mh_msg *m)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, from, text, sizeof(text));
	printf("from=%s\ntype=%u\nname=%s\n", text, m->type, mh_type_name(m->type));
	if (m->type == MH_TYPE_BA)
		printf("status=%u\nseq=%u\nlifetime=%u\n", m->u.ba.status, m->u.ba.seq,
		       m->u.ba.lifetime * 4u);
	else if (m->type == MH_TYPE_UPN)
		printf("seq=%u\nreason=%u\nflags=%u\n", m->u.upn.seq, m->u.upn.reason,
		       m->u.upn.flags);
	else if (m->type == MH_TYPE_BE)
		printf("status=%u\n", m->u.be.status);
	if (m->opts.present & MH_HAVE_MNID)
		printf("mn_id=%.*s\n", m->opts.mnid.len, (const char *)m->opts.mnid.id);
	print_prefixes("hnp", m->opts.hnp, m->opts.n_hnp);
	print_prefixes("muho", m->opts.muho, m->opts.n_muho);
	if (m->opts.present & MH_HAVE_TIMESTAMP)
		printf("timestamp=%llu\n", (unsigned long long)(m->opts.timestamp >> 16));
	fflush(stdout);
}

static int open_socket(void)
{
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_MH);

	if (fd < 0) {
		perror("mhping: socket");
		exit(2);
	}
	return fd;
}

static void send_to(int fd, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = *dst };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("mhping: sendto");
		exit(2);
	}
}

/* Waits for one decodable message; false on timeout. */
static bool receive(int fd, unsigned timeout_ms, const struct mh_params *p, struct mh_msg *m,
                    struct in6_addr *from)
{
	uint8_t buf[MH_MAX_LEN + 8];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		struct sockaddr_in6 sa;
		socklen_t sl = sizeof(sa);
		uint64_t now = now_ns();
		ssize_t n;

		if (now >= end || poll(&pfd, 1, (int)((end - now) / 1000000ull) + 1) <= 0)
			return false;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sa, &sl);
		if (n > 0 && mh_decode(buf, (size_t)n, p, m) == MH_OK) {
			*from = sa.sin6_addr;
			return true;
		}
	}
}

static void acknowledge(int fd, const struct in6_addr *to, const struct mh_msg *upn,
                        const struct mh_params *p)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg upa;
	ssize_t n;

	mh_msg_init(&upa, MH_TYPE_UPA);
	upa.u.upa.seq = upn->u.upn.seq;
	if (upn->opts.present & MH_HAVE_MNID) {
		upa.opts.present |= MH_HAVE_MNID;
		upa.opts.mnid = upn->opts.mnid;
	}
	n = mh_encode(&upa, p, buf, sizeof(buf));
	if (n > 0)
		send_to(fd, to, buf, (size_t)n);
}

static int cmd_pbu(const struct args *a)
{
	uint8_t buf[MH_MAX_LEN];
	struct in6_addr from;
	struct mh_msg m;
	int fd = open_socket();
	ssize_t n;

	build_pbu(a, &m);
	n = mh_encode(&m, &a->params, buf, sizeof(buf));
	if (n < 0)
		die("cannot encode");
	send_to(fd, &a->lma, buf, (size_t)n);
	while (receive(fd, a->timeout_ms, &a->params, &m, &from))
		if (m.type == MH_TYPE_BA) {
			print_msg(&from, &m);
			return 0;
		}
	printf("timeout=1\n");
	return 1;
}

static int cmd_listen(const struct args *a)
{
	struct in6_addr from;
	struct mh_msg m;
	int fd = open_socket();
	unsigned got = 0;

	while (got < a->count && receive(fd, a->timeout_ms, &a->params, &m, &from)) {
		if (m.type == MH_TYPE_BU || m.type == MH_TYPE_UPA)
			continue; /* our own kind of traffic, seen on the raw socket */
		print_msg(&from, &m);
		if (a->ack && m.type == MH_TYPE_UPN)
			acknowledge(fd, &from, &m, &a->params);
		got++;
	}
	return got == a->count ? 0 : 1;
}

static int cmd_raw(const struct args *a)
{
	uint8_t buf[MH_MAX_LEN];
	size_t len = 0, hexlen = strlen(a->hex);
	struct in6_addr from;
	struct mh_msg m;
	int fd = open_socket();

	for (size_t i = 0; i + 1 < hexlen && len < sizeof(buf); i += 2) {
		unsigned v;

		if (sscanf(a->hex + i, "%2x", &v) != 1)
			die("bad hex");
		buf[len++] = (uint8_t)v;
	}
	send_to(fd, &a->lma, buf, len);
	if (receive(fd, a->timeout_ms, &a->params, &m, &from) && m.type != MH_TYPE_BU) {
		print_msg(&from, &m);
		return 0;
	}
	printf("timeout=1\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct args a;

	parse_args(argc, argv, &a);
	if (!strcmp(a.cmd, "pbu"))
		return cmd_pbu(&a);
	if (!strcmp(a.cmd, "listen"))
		return cmd_listen(&a);
	if (!strcmp(a.cmd, "raw"))
		return cmd_raw(&a);
	die("unknown command");
	return 2;
}
