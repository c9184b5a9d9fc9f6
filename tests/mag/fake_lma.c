/* fake_lma.c: a scripted LMA for tests/netns/test_magd.sh, built with our codec (proto/). It
 * binds a raw Mobility Header socket to LMA_ADDR, prints every Proxy Binding Update it gets as
 * key=value lines, and answers it as the command line says, so that the test can show magd each
 * answer an LMA may give. It also sends Update Notifications (RFC 7077) and prints the
 * acknowledgements. It keeps no binding cache: it only echoes and follows its script.
 *
 *   fake_lma LMA_ADDR [--status S[,S...]] [--hnp P/L]... [--muho P/L]... [--lifetime SECONDS]
 *            [--ignore N] [--echo-att N] [--echo-hi N] [--echo-mnid ID]
 *            [--upn SPEC]... [--upn-after MS] [--muho-type N]
 *
 * Answers (a PBA to the PBU's source, with its sequence number):
 *   --ignore N     the first N PBUs (of any kind) get no answer at all;
 *   --status LIST  the statuses of the answers to registrations (lifetime > 0), in order, the
 *                  last one repeating (default 0); a de-registration (lifetime 0) is always
 *                  accepted, with lifetime 0, and does not use the list;
 *   --hnp          the prefixes given to a PBU asking ALL_ZERO (default 2001:db8:1:1::/64); a
 *                  PBU naming prefixes gets them back;
 *   --muho         the MuHo options of an accepting PBA to a PBU that carries one (one empty
 *                  MuHo option when none is given, as an LMA that knows no other interface);
 *   --lifetime     the lifetime granted (default: the one asked for);
 *   --echo-att, --echo-hi, --echo-mnid: echo these instead of what the PBU carried (a PBA
 *                  whose echoes differ, RFC 5213 §6.9.1.2).
 * The PBA echoes MN-ID, HNPs, HI, ATT, MN-LL-ID and the Timestamp (the LMA's own clock after
 * status 156, as §5.3.1 asks).
 *
 * Update Notifications go to the source of the last PBU, for its MN-ID: the k-th SIGUSR1 sends
 * the k-th --upn (the last repeating), and --upn-after MS sends the first one MS milliseconds
 * after the first accepting PBA. SPEC is a comma-separated list of A (acknowledgement
 * requested), D (Retransmit, RFC 7077 §4.1), reason=N (default 2, UPDATE-SESSION-PARAMETERS)
 * "again" (the previous sequence number once more) and prefixes P/L, each sent in a MuHo
 * option: "A,2001:db8:1:3::/64", "A,D,again,2001:db8:1:3::/64", "A,reason=1".
 *
 * Output, flushed after each block ("ready=1" first, once the socket is bound):
 *   pbu=N time=SEC.USEC from= seq= flags=AP lifetime= mn_id= llid= hi= att= timestamp=
 *   timestamp_raw= lla= hnp_count= hnp=... muho_count= muho=... answer=STATUS|ignored end=N
 *   upn=K upn_to= upn_seq= upn_flags= upn_reason= upn_muho_count= upn_muho=...
 *   upa_time= upa_from= upa_seq= upa_status= upa_mn_id=
 *   other_type= other_from=      (any other message), malformed= (undecodable)
 * An absent option prints "none". Exit status 2 for a usage or socket error; it runs until it
 * is killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/mh.h"

#define MAX_LIST 16
#define MAX_UPN  8

struct upn_spec {
	uint8_t flags;
	bool again; /* the previous sequence number again: a retransmission */
	uint16_t reason;
	unsigned n_muho;
	struct mh_prefix muho[MAX_LIST];
};

struct args {
	struct in6_addr lma;
	unsigned n_status, n_hnp, n_muho, n_upn;
	unsigned status[MAX_LIST];
	struct mh_prefix hnp[MAX_LIST], muho[MAX_LIST];
	struct upn_spec upn[MAX_UPN];
	unsigned lifetime_s; /* 0: grant what is asked */
	bool have_lifetime;
	unsigned ignore;
	int echo_att, echo_hi; /* -1: echo the PBU's */
	const char *echo_mnid;
	int upn_after_ms; /* -1: only on SIGUSR1 */
	struct mh_params params;
};

/* What the LMA remembers: where to send Update Notifications, and its counters. */
struct state {
	int fd;
	unsigned n_pbu, n_reg_answered, n_upn_sent;
	uint16_t upn_seq;
	bool have_peer;
	struct in6_addr peer;
	struct mh_mnid mnid;
	double upn_due; /* CLOCK_MONOTONIC seconds; 0: none */
};

static void die(const char *what)
{
	fprintf(stderr, "fake_lma: %s\n", what);
	exit(2);
}

static double now_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned parse_uint(const char *text, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || end == text || v > max)
		die("bad number");
	return (unsigned)v;
}

static void parse_prefix(const char *text, struct mh_prefix *p)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (!slash)
		die("a prefix needs /length");
	*slash = '\0';
	if (inet_pton(AF_INET6, buf, &p->addr) != 1)
		die("bad prefix");
	p->len = (uint8_t)parse_uint(slash + 1, 128);
}

static void parse_statuses(struct args *a, const char *text)
{
	char buf[256];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", text);
	a->n_status = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (a->n_status == MAX_LIST)
			die("too many statuses");
		a->status[a->n_status++] = parse_uint(t, 255);
	}
	if (a->n_status == 0)
		die("--status needs a value");
}

static void parse_upn(struct args *a, const char *text)
{
	struct upn_spec *u;
	char buf[512];
	char *save = NULL;

	if (a->n_upn == MAX_UPN)
		die("too many --upn");
	u = &a->upn[a->n_upn++];
	u->reason = 2;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "A"))
			u->flags |= MH_UPN_A;
		else if (!strcmp(t, "D"))
			u->flags |= MH_UPN_D;
		else if (!strcmp(t, "again"))
			u->again = true;
		else if (!strncmp(t, "reason=", 7))
			u->reason = (uint16_t)parse_uint(t + 7, 65535);
		else if (u->n_muho < MAX_LIST)
			parse_prefix(t, &u->muho[u->n_muho++]);
		else
			die("too many prefixes in --upn");
	}
}

static void add_prefix(struct mh_prefix *list, unsigned *n, const char *text)
{
	if (*n == MAX_LIST)
		die("too many prefixes");
	parse_prefix(text, &list[(*n)++]);
}

static void parse_option(struct args *a, const char *o, const char *v)
{
	if (!strcmp(o, "--status"))
		parse_statuses(a, v);
	else if (!strcmp(o, "--hnp"))
		add_prefix(a->hnp, &a->n_hnp, v);
	else if (!strcmp(o, "--muho"))
		add_prefix(a->muho, &a->n_muho, v);
	else if (!strcmp(o, "--lifetime"))
		a->lifetime_s = parse_uint(v, 262140), a->have_lifetime = true;
	else if (!strcmp(o, "--ignore"))
		a->ignore = parse_uint(v, 1000000);
	else if (!strcmp(o, "--echo-att"))
		a->echo_att = (int)parse_uint(v, 255);
	else if (!strcmp(o, "--echo-hi"))
		a->echo_hi = (int)parse_uint(v, 255);
	else if (!strcmp(o, "--echo-mnid"))
		a->echo_mnid = v;
	else if (!strcmp(o, "--upn"))
		parse_upn(a, v);
	else if (!strcmp(o, "--upn-after"))
		a->upn_after_ms = (int)parse_uint(v, 3600000);
	else if (!strcmp(o, "--muho-type"))
		a->params.muho_type = (uint8_t)parse_uint(v, 255);
	else
		die("unknown option");
}

static void parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	mh_params_init(&a->params);
	a->echo_att = a->echo_hi = a->upn_after_ms = -1;
	a->n_status = 1; /* status[0] = 0 */
	if (argc < 2 || inet_pton(AF_INET6, argv[1], &a->lma) != 1)
		die("usage: fake_lma LMA_ADDR [options], see the source");
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			die("an option needs a value");
		parse_option(a, argv[i], argv[i + 1]);
	}
	if (a->n_hnp == 0)
		parse_prefix("2001:db8:1:1::/64", &a->hnp[a->n_hnp++]);
}

/* --- printing --- */

static const char *addr_text(const struct in6_addr *a)
{
	static char text[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, a, text, sizeof(text));
}

static void print_prefixes(const char *key, const struct mh_prefix *p, unsigned n)
{
	printf("%s_count=%u\n", key, n);
	for (unsigned i = 0; i < n; i++)
		printf("%s=%s/%u\n", key, addr_text(&p[i].addr), p[i].len);
}

static void print_bu_flags(uint16_t f)
{
	static const struct {
		uint16_t bit;
		char letter;
	} names[] = { { MH_BU_A, 'A' }, { MH_BU_H, 'H' }, { MH_BU_L, 'L' }, { MH_BU_K, 'K' },
		      { MH_BU_M, 'M' }, { MH_BU_R, 'R' }, { MH_BU_P, 'P' } };
	char text[8];
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			text[n++] = names[i].letter;
	text[n] = '\0';
	printf("flags=%s\n", n ? text : "none");
}

static void print_pbu(const struct state *s, const struct in6_addr *from, const struct mh_msg *m)
{
	const struct mh_opts *o = &m->opts;

	printf("pbu=%u\ntime=%.6f\nfrom=%s\nseq=%u\n", s->n_pbu, now_s(CLOCK_REALTIME),
	       addr_text(from), m->u.bu.seq);
	print_bu_flags(m->u.bu.flags);
	printf("lifetime=%u\n", m->u.bu.lifetime * 4u);
	if (o->present & MH_HAVE_MNID)
		printf("mn_id=%.*s\nmn_id_subtype=%u\n", o->mnid.len, (const char *)o->mnid.id,
		       o->mnid.subtype);
	else
		printf("mn_id=none\n");
	if (o->present & MH_HAVE_MNLLID) {
		printf("llid=");
		for (unsigned i = 0; i < o->llid_len; i++)
			printf("%s%02x", i ? ":" : "", o->llid[i]);
		printf("\n");
	} else {
		printf("llid=none\n");
	}
	if (o->present & MH_HAVE_HI)
		printf("hi=%u\n", o->hi);
	else
		printf("hi=none\n");
	if (o->present & MH_HAVE_ATT)
		printf("att=%u\n", o->att);
	else
		printf("att=none\n");
	if (o->present & MH_HAVE_TIMESTAMP)
		printf("timestamp=%llu\ntimestamp_raw=%llu\n",
		       (unsigned long long)(o->timestamp >> 16), (unsigned long long)o->timestamp);
	else
		printf("timestamp=none\ntimestamp_raw=none\n");
	printf("lla=%s\n", (o->present & MH_HAVE_LLA) ? addr_text(&o->lla) : "none");
	print_prefixes("hnp", o->hnp, o->n_hnp);
	print_prefixes("muho", o->muho, o->n_muho);
}

/* --- sending --- */

static void send_msg(const struct state *s, const struct in6_addr *to, const struct mh_msg *m,
                     const struct mh_params *p)
{
	uint8_t buf[MH_MAX_LEN];
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *to };
	ssize_t n = mh_encode(m, p, buf, sizeof(buf));

	if (n < 0) {
		printf("encode_error=%s\n", mh_err_name((int)-n));
		return;
	}
	if (sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		printf("send_error=%s\n", strerror(errno));
}

static bool all_zero(const struct mh_opts *o)
{
	for (unsigned i = 0; i < o->n_hnp; i++)
		if (o->hnp[i].len != 0 || !IN6_IS_ADDR_UNSPECIFIED(&o->hnp[i].addr))
			return false;
	return true;
}

static void echo_options(const struct args *a, const struct mh_opts *in, struct mh_opts *out)
{
	if (a->echo_mnid) {
		mh_opts_set_nai(out, a->echo_mnid);
	} else if (in->present & MH_HAVE_MNID) {
		out->present |= MH_HAVE_MNID;
		out->mnid = in->mnid;
	}
	if (in->present & MH_HAVE_HI) {
		out->present |= MH_HAVE_HI;
		out->hi = a->echo_hi >= 0 ? (uint8_t)a->echo_hi : in->hi;
	}
	if (in->present & MH_HAVE_ATT) {
		out->present |= MH_HAVE_ATT;
		out->att = a->echo_att >= 0 ? (uint8_t)a->echo_att : in->att;
	}
	if (in->present & MH_HAVE_MNLLID) {
		out->present |= MH_HAVE_MNLLID;
		out->llid_len = in->llid_len;
		memcpy(out->llid, in->llid, in->llid_len);
	}
	if (in->present & MH_HAVE_TIMESTAMP) {
		out->present |= MH_HAVE_TIMESTAMP;
		out->timestamp = in->timestamp;
	}
}

/* Builds and sends the PBA; returns its status. */
static unsigned answer(struct state *s, const struct args *a, const struct in6_addr *to,
                       const struct mh_msg *pbu)
{
	const struct mh_opts *in = &pbu->opts;
	bool dereg = pbu->u.bu.lifetime == 0;
	unsigned status = 0;
	struct mh_msg m;

	if (!dereg) {
		unsigned k = s->n_reg_answered < a->n_status ? s->n_reg_answered : a->n_status - 1;

		status = a->status[k];
		s->n_reg_answered++;
	}
	mh_msg_init(&m, MH_TYPE_BA);
	m.u.ba.status = (uint8_t)status;
	m.u.ba.flags = MH_BA_P;
	m.u.ba.seq = pbu->u.bu.seq;
	if (!dereg && status == 0)
		m.u.ba.lifetime =
		        (uint16_t)(a->have_lifetime ? a->lifetime_s / 4 : pbu->u.bu.lifetime);
	echo_options(a, in, &m.opts);
	if (status == 156) {
		uint64_t ns = (uint64_t)(now_s(CLOCK_REALTIME) * 1e9);

		m.opts.present |= MH_HAVE_TIMESTAMP;
		m.opts.timestamp = mh_timestamp_from_ns(ns);
	}
	if (status == 0 && !dereg && all_zero(in))
		for (unsigned i = 0; i < a->n_hnp; i++)
			mh_opts_add_hnp(&m.opts, &a->hnp[i].addr, a->hnp[i].len);
	else
		for (unsigned i = 0; i < in->n_hnp; i++)
			mh_opts_add_hnp(&m.opts, &in->hnp[i].addr, in->hnp[i].len);
	if (status == 0 && !dereg && in->n_muho) {
		for (unsigned i = 0; i < a->n_muho; i++)
			mh_opts_add_muho(&m.opts, &a->muho[i].addr, a->muho[i].len);
		if (a->n_muho == 0)
			mh_opts_add_muho(&m.opts, &in6addr_any, 0);
	}
	send_msg(s, to, &m, &a->params);
	return status;
}

static void send_upn(struct state *s, const struct args *a)
{
	const struct upn_spec *u;
	struct mh_msg m;

	if (a->n_upn == 0 || !s->have_peer) {
		printf("upn_error=%s\n", a->n_upn ? "no PBU seen yet" : "no --upn given");
		fflush(stdout);
		return;
	}
	u = &a->upn[s->n_upn_sent < a->n_upn ? s->n_upn_sent : a->n_upn - 1];
	mh_msg_init(&m, MH_TYPE_UPN);
	m.u.upn.seq = u->again && s->n_upn_sent ? s->upn_seq : ++s->upn_seq;
	m.u.upn.reason = u->reason;
	m.u.upn.flags = u->flags;
	m.opts.present |= MH_HAVE_MNID;
	m.opts.mnid = s->mnid;
	for (unsigned i = 0; i < u->n_muho; i++)
		mh_opts_add_muho(&m.opts, &u->muho[i].addr, u->muho[i].len);
	s->n_upn_sent++;
	printf("upn=%u\nupn_to=%s\nupn_seq=%u\nupn_flags=%s%s\nupn_reason=%u\n", s->n_upn_sent,
	       addr_text(&s->peer), m.u.upn.seq, (u->flags & MH_UPN_A) ? "A" : "",
	       (u->flags & MH_UPN_D) ? "D" : "", u->reason);
	print_prefixes("upn_muho", u->muho, u->n_muho);
	send_msg(s, &s->peer, &m, &a->params);
	fflush(stdout);
}

/* --- receiving --- */

static void on_pbu(struct state *s, const struct args *a, const struct in6_addr *from,
                   const struct mh_msg *m)
{
	s->n_pbu++;
	print_pbu(s, from, m);
	if (m->opts.present & MH_HAVE_MNID) {
		s->have_peer = true;
		s->peer = *from;
		s->mnid = m->opts.mnid;
	}
	if (s->n_pbu <= a->ignore) {
		printf("answer=ignored\n");
	} else {
		unsigned status = answer(s, a, from, m);

		printf("answer=%u\n", status);
		if (status == 0 && m->u.bu.lifetime && a->upn_after_ms >= 0 && s->n_upn_sent == 0 &&
		    s->upn_due == 0)
			s->upn_due = now_s(CLOCK_MONOTONIC) + a->upn_after_ms / 1000.0;
	}
	printf("end=%u\n", s->n_pbu);
	fflush(stdout);
}

static void on_message(struct state *s, const struct args *a, const uint8_t *buf, size_t len,
                       const struct in6_addr *from)
{
	static struct mh_msg m;
	int rc = mh_decode(buf, len, &a->params, &m);

	if (rc != MH_OK) {
		printf("malformed=%s\n", mh_err_name(rc));
	} else if (m.type == MH_TYPE_BU) {
		on_pbu(s, a, from, &m);
		return;
	} else if (m.type == MH_TYPE_UPA) {
		printf("upa_time=%.6f\nupa_from=%s\nupa_seq=%u\nupa_status=%u\n",
		       now_s(CLOCK_REALTIME), addr_text(from), m.u.upa.seq, m.u.upa.status);
		if (m.opts.present & MH_HAVE_MNID)
			printf("upa_mn_id=%.*s\n", m.opts.mnid.len, (const char *)m.opts.mnid.id);
		else
			printf("upa_mn_id=none\n");
	} else {
		printf("other_type=%u\nother_from=%s\n", m.type, addr_text(from));
	}
	fflush(stdout);
}

static int open_socket(const struct in6_addr *lma)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *lma };
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_MH);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("fake_lma: Mobility Header socket");
		exit(2);
	}
	return fd;
}

static int open_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || (fd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		perror("fake_lma: signalfd");
		exit(2);
	}
	return fd;
}

static int poll_timeout(const struct state *s)
{
	double left;

	if (s->upn_due == 0)
		return -1;
	left = s->upn_due - now_s(CLOCK_MONOTONIC);
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

int main(int argc, char **argv)
{
	struct args a;
	struct state s = { .upn_seq = 1000 };
	struct pollfd pfd[2];

	parse_args(argc, argv, &a);
	s.fd = open_socket(&a.lma);
	pfd[0] = (struct pollfd){ .fd = s.fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = open_signals(), .events = POLLIN };
	printf("ready=1\n");
	fflush(stdout);
	for (;;) {
		uint8_t buf[MH_MAX_LEN + 8];
		int n = poll(pfd, 2, poll_timeout(&s));

		if (n < 0 && errno != EINTR)
			die("poll");
		if (s.upn_due != 0 && now_s(CLOCK_MONOTONIC) >= s.upn_due) {
			s.upn_due = 0;
			send_upn(&s, &a);
		}
		if (n > 0 && (pfd[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(pfd[1].fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				send_upn(&s, &a);
		}
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			struct sockaddr_in6 from;
			socklen_t fl = sizeof(from);
			ssize_t len =
			        recvfrom(s.fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (len > 0)
				on_message(&s, &a, buf, (size_t)len, &from.sin6_addr);
		}
	}
}
