/* fuzz_ctl.c: libFuzzer target for the control socket's server end (common/ctl.c) and the
 * daemons' request handlers (lmad_ctl_handle in lma/lmad_ctl.c and lma/lmad_ctl_fc.c,
 * magd_ctl_handle in mag/magd_ctl.c): the input is what a client writes, byte for byte, to a
 * real connection served in a libev loop, once to an lmad and once to a magd. Each daemon is
 * built as far as its handlers need: its configuration, an engine with bindings (lmad: an MN
 * with two, so that flows and policies have targets, and flows in its table; magd: a registered
 * MN), a kernel side that reaches no kernel, and the control server. Besides "never crash",
 * every answer is framed correctly and the connection always ends: once the client stops
 * writing, the server answers what it can and closes, and never hangs. */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ctl.h"
#include "kr/kr_nl.h"
#include "lma/lmad_int.h"
#include "mag/magd_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROUNDS 20000

static const char lma_conf_text[] = "lma-address 2001:db8:ffff::100\n"
                                    "uplink-interface eth0\n"
                                    "prefix-pool 2001:db8:100::/60 length 64\n"
                                    "mn any\n"
                                    "mag 2001:db8:ffff::1\n"
                                    "mag 2001:db8:ffff::2\n";
static const char mag_conf_text[] =
        "lma-address 2001:db8:ffff::100\n"
        "proxy-coa 2001:db8:ffff::1\n"
        "uplink-interface eth0\n"
        "access-interface wlan0 { access-technology 4 }\n"
        "mn mn1@example.org { mac 02:00:00:00:00:01 multihoming yes }\n"
        "mn mn2@example.org { mac 02:00:00:00:00:02 }\n";

/* One daemon: its socket in its own directory, and the last message its engine sent. */
struct daemon {
	char dir[64], path[128];
	struct ctl_server *srv;
	uint8_t sent[MH_MAX_LEN];
	size_t sent_len;
};

static struct ev_loop *loop;
static struct daemon lma_d = { .dir = "/tmp/fuzz_ctl.XXXXXX" };
static struct daemon mag_d = { .dir = "/tmp/fuzz_ctl.XXXXXX" };
static struct lmad lmad;
static struct magd magd;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ctl: %s\n", what);
		abort();
	}
}

/* --- a kernel side that reaches no kernel: no tunnel driver's datapath counters, no flow
 * steering sockets (every conntrack request fails, as for a connection already gone) --- */

static const struct kr_driver_ops no_kernel_ops = { .driver = KR_DRIVER_IP6TNL };

static struct kr *kr_without_kernel(void)
{
	struct kr *k = calloc(1, sizeof(*k));

	check(k != NULL, "no memory for the kernel side");
	k->ops = &no_kernel_ops;
	k->cfg.table_base = 1000;
	return k;
}

/* --- engines' io: everything succeeds; the last message is kept, to answer it --- */

static void keep_sent(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct daemon *d = ctx;

	(void)dst;
	memcpy(d->sent, buf, len < sizeof(d->sent) ? len : sizeof(d->sent));
	d->sent_len = len;
}

static int tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	(void)ctx;
	*id = peer->s6_addr[15]; /* MAG ::1 gets tunnel 1, ::2 tunnel 2, the LMA 0x100 & 255 */
	*id += !*id;
	return 0;
}

static int tunnel_del(void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id;
	return 0;
}

static int via_tunnel(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	(void)ctx;
	(void)p;
	(void)tunnel;
	(void)cookie;
	return 0;
}

static int route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	(void)ctx;
	(void)p;
	(void)cookie;
	return 0;
}

static int mag_route(void *ctx, const struct mh_prefix *p, const struct in6_addr *ll,
                     unsigned ifindex, uint64_t cookie)
{
	(void)ctx;
	(void)p;
	(void)ll;
	(void)ifindex;
	(void)cookie;
	return 0;
}

static void no_ra(void *ctx, unsigned ifindex, const struct in6_addr *dst, const struct nd_ra *ra)
{
	(void)ctx;
	(void)ifindex;
	(void)dst;
	(void)ra;
}

/* --- lmad: mn1 on two MAGs (two bindings), mn2 on one, flows to mn1's prefixes --- */

static void lma_pbu(uint8_t mag, const char *mn, uint8_t llid)
{
	struct mh_params p = { .muho_type = lmad.conf->muho_type };
	struct in6_addr src = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff } };
	uint8_t buf[MH_MAX_LEN];
	struct lma_now now;
	struct mh_msg m;
	ssize_t n;

	src.s6_addr[15] = mag;
	lmad_now(&now);
	mh_msg_init(&m, MH_TYPE_BU);
	m.u.bu.seq = 1;
	m.u.bu.flags = MH_BU_A | MH_BU_P;
	m.u.bu.lifetime = 1000;
	mh_opts_set_nai(&m.opts, mn);
	mh_opts_add_hnp(&m.opts, &in6addr_any, 0);
	mh_opts_add_muho(&m.opts, &in6addr_any, 0);
	m.opts.present |= MH_HAVE_HI | MH_HAVE_ATT | MH_HAVE_TIMESTAMP | MH_HAVE_MNLLID;
	m.opts.hi = MH_HI_NEW_IF;
	m.opts.att = (uint8_t)(3 + mag);
	m.opts.llid_len = 6;
	memcpy(m.opts.llid, (const uint8_t[]){ 2, 0, 0, 0, 0, llid }, 6);
	m.opts.timestamp = mh_timestamp_from_ns(now.real_ns);
	n = mh_encode(&m, &p, buf, sizeof(buf));
	check(n > 0, "the codec refused a PBU");
	lma_engine_input(lmad.engine, &src, buf, (size_t)n, &now);
	lma_engine_flush(lmad.engine);
}

static void lma_flows(const char *mn_id)
{
	const struct lma_mn *mn = bc_mn_find(lma_engine_cache(lmad.engine), mn_id, strlen(mn_id));
	const struct bce *b;
	struct fc_tuple t = { .proto = 17, .sport = 5000 };
	uint16_t port = 1;

	check(mn != NULL, "the LMA did not register the MN");
	inet_pton(AF_INET6, "2001:db8:1::1", &t.src);
	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		t.dst = b->prefix[0].p.addr;
		t.dst.s6_addr[15] = 1;
		for (int i = 0; i < 2; i++, port++) {
			t.dport = port;
			fc_flow_add(lmad.fc, &t, mn_id, b->id, kr_tunnel_fwmark(lmad.kr, b->mag->tunnel),
			            0, 0);
		}
	}
}

static void lmad_build(void)
{
	struct lma_io io = { .ctx = &lma_d,
		             .send = keep_sent,
		             .tunnel_add = tunnel_add,
		             .tunnel_del = tunnel_del,
		             .route_add = via_tunnel,
		             .route_del = route_del };

	lmad.engine = lma_engine_new(lmad.conf, &io, 16);
	lmad.fc = fc_new();
	check(lmad.engine && lmad.fc, "no LMA engine or flow table");
	check(lmad_steer_start(&lmad) == 0, "no steering state"); /* as lmad_fc_start makes it */
	lma_pbu(1, "mn1@example.org", 1);
	lma_pbu(2, "mn1@example.org", 2);
	lma_pbu(1, "mn2@example.org", 3);
	lma_flows("mn1@example.org");
}

/* Every watcher that reaches the engine stops with it: a revocation's timer left running would
 * fire on the freed engine during magd's turn. */
static void lmad_unbuild(void)
{
	ev_timer_stop(loop, &lmad.timer_w);
	lmad_steer_stop(&lmad);
	fc_free(lmad.fc);
	lma_engine_free(lmad.engine);
}

/* --- magd: mn1 attached (a Router Solicitation, the LMA's PBA) --- */

static void mag_answer_pbu(void)
{
	struct mh_params p = { .muho_type = magd.conf->muho_type };
	struct in6_addr p1;
	uint8_t buf[MH_MAX_LEN];
	struct mag_now now;
	struct mh_msg m;
	ssize_t n;

	check(mh_decode(mag_d.sent, mag_d.sent_len, &p, &m) == MH_OK && m.type == MH_TYPE_BU,
	      "the MAG sent no PBU");
	m.type = MH_TYPE_BA;
	m.u.ba = (struct mh_ba){ .status = 0, .flags = MH_BA_P, .seq = m.u.bu.seq, .lifetime = 100 };
	m.opts.present &= ~(uint32_t)MH_HAVE_LLA;
	m.opts.n_hnp = m.opts.n_muho = 0;
	inet_pton(AF_INET6, "2001:db8:100::", &p1);
	mh_opts_add_hnp(&m.opts, &p1, 64);
	n = mh_encode(&m, &p, buf, sizeof(buf));
	check(n > 0, "the codec refused a PBA");
	magd_now(&now);
	mag_engine_mh_input(magd.engine, &magd.conf->lma_addr, buf, (size_t)n, &now);
	mag_engine_flush(magd.engine);
}

static void magd_build(void)
{
	static const uint8_t wlan_mac[6] = { 0x0a, 0, 0, 0, 0, 0x10 };
	static const uint8_t mn1_mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct in6_addr ll;
	struct mag_io io = { .ctx = &mag_d,
		             .send_mh = keep_sent,
		             .send_ra = no_ra,
		             .tunnel_add = tunnel_add,
		             .tunnel_del = tunnel_del,
		             .route_add = mag_route,
		             .route_del = route_del,
		             .rule_add = via_tunnel,
		             .rule_del = via_tunnel };
	struct mag_now now;

	magd.engine = mag_engine_new(magd.conf, &io);
	check(magd.engine != NULL, "no MAG engine");
	mag_engine_set_access(magd.engine, "wlan0", 10, wlan_mac);
	magd_now(&now);
	mag_engine_link(magd.engine, 10, true, &now);
	inet_pton(AF_INET6, "fe80::1", &ll);
	mag_engine_rs(magd.engine, 10, mn1_mac, &ll, &now);
	mag_engine_flush(magd.engine);
	mag_answer_pbu();
}

static void magd_unbuild(void)
{
	struct mag_now now;

	magd_now(&now);
	ev_timer_stop(loop, &magd.timer_w);
	mag_engine_free(magd.engine, &now);
}

/* The LMA's timers, as lmad runs them (a revocation by request starts them: without this
 * watcher lmad_after_input() started a timer with no callback, and libev called address 0). */
static void lmad_timer(struct ev_loop *l, ev_timer *w, int revents)
{
	struct lma_now now;

	(void)l;
	(void)w;
	(void)revents;
	lmad_now(&now);
	lma_engine_run_timers(lmad.engine, &now);
	lmad_after_input(&lmad);
}

/* The MAG's timers, as magd runs them (a de-registration by request starts one). */
static void magd_timer(struct ev_loop *l, ev_timer *w, int revents)
{
	struct mag_now now;

	(void)l;
	(void)w;
	(void)revents;
	magd_now(&now);
	mag_engine_run_timers(magd.engine, &now);
	magd_after_input(&magd);
}

/* --- the control servers --- */

static void server_open(struct daemon *d, ctl_handler_fn handle, void *arg)
{
	char err[256];

	check(mkdtemp(d->dir) != NULL, "no directory for the socket");
	snprintf(d->path, sizeof(d->path), "%s/ctl.sock", d->dir);
	d->srv = ctl_server_open(loop, d->path, "", handle, arg, err, sizeof(err));
	check(d->srv != NULL, err);
}

static struct lma_conf *lma_conf_from(const char *text)
{
	char err[256];
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct lma_conf *c = f ? lma_conf_parse(f, "fuzz.conf", err, sizeof(err)) : NULL;

	if (f)
		fclose(f);
	check(c != NULL, "the LMA configuration does not parse");
	return c;
}

static struct mag_conf *mag_conf_from(const char *text)
{
	char err[256];
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct mag_conf *c = f ? mag_conf_parse(f, "fuzz.conf", err, sizeof(err)) : NULL;

	if (f)
		fclose(f);
	check(c != NULL, "the MAG configuration does not parse");
	return c;
}

/* At exit (libFuzzer's too): the sockets and their directories go. */
static void servers_stop(void)
{
	ctl_server_close(lma_d.srv);
	ctl_server_close(mag_d.srv);
	rmdir(lma_d.dir);
	rmdir(mag_d.dir);
}

static void servers_start(void)
{
	signal(SIGPIPE, SIG_IGN);
	loop = ev_loop_new(EVFLAG_AUTO);
	check(loop != NULL, "no event loop");
	lmad.loop = magd.loop = loop;
	lmad.conf = lma_conf_from(lma_conf_text);
	magd.conf = mag_conf_from(mag_conf_text);
	lmad.kr = kr_without_kernel();
	magd.kr = kr_without_kernel();
	ev_timer_init(&magd.timer_w, magd_timer, 0, 0);
	ev_timer_init(&lmad.timer_w, lmad_timer, 0, 0);
	lmad.timer_w.data = &lmad;
	server_open(&lma_d, lmad_ctl_handle, &lmad);
	server_open(&mag_d, magd_ctl_handle, &magd);
	lmad.ctl = lma_d.srv;
	magd.ctl = mag_d.srv;
	atexit(servers_stop);
}

/* Checks the framing of what the server wrote; returns how much of buf was whole messages. */
static size_t answers_check(const uint8_t *buf, size_t len)
{
	size_t off = 0;
	struct ctl_hdr h;

	while (len - off >= sizeof(h)) {
		memcpy(&h, buf + off, sizeof(h));
		if (h.magic != CTL_MAGIC || h.version != CTL_VERSION || h.len > CTL_MAX_PAYLOAD) {
			fprintf(stderr, "the server sent a bad header at octet %zu\n", off);
			abort();
		}
		if (len - off < sizeof(h) + h.len)
			break;
		off += sizeof(h) + h.len;
	}
	return off;
}

/* Reads what the server sent (keeping a partial message); false at the server's close. */
static bool answers_read(int fd, uint8_t *buf, size_t *len)
{
	ssize_t n = read(fd, buf + *len, 2 * (sizeof(struct ctl_hdr) + CTL_MAX_PAYLOAD) - *len);
	size_t whole;

	if (n == 0)
		return false;
	if (n > 0)
		*len += (size_t)n;
	whole = answers_check(buf, *len);
	memmove(buf, buf + whole, *len - whole);
	*len -= whole;
	return true;
}

/* Writes the input to one daemon's socket and reads its answers until it closes. */
static void converse(const char *path, const uint8_t *data, size_t size)
{
	static uint8_t buf[2 * (sizeof(struct ctl_hdr) + CTL_MAX_PAYLOAD)];
	size_t sent = 0, len = 0;
	int fd, round;

	fd = ctl_client_connect(path);
	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		abort();
	for (round = 0; round < MAX_ROUNDS; round++) {
		ssize_t n = sent < size ? send(fd, data + sent, size - sent, MSG_NOSIGNAL) : 0;

		if (n > 0)
			sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			sent = size; /* the server closed (a bad header) */
		if (sent == size)
			shutdown(fd, SHUT_WR);
		ev_run(loop, EVRUN_NOWAIT);
		if (!answers_read(fd, buf, &len))
			break;
	}
	if (round == MAX_ROUNDS) {
		fprintf(stderr, "the connection never ended (%zu of %zu octets taken)\n", sent,
		        size);
		abort();
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!loop)
		servers_start();
	lmad_build();
	converse(lma_d.path, data, size);
	lmad_unbuild();
	magd_build();
	converse(mag_d.path, data, size);
	magd_unbuild();
	return 0;
}
