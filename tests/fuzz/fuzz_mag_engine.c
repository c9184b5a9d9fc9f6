/* fuzz_mag_engine.c: libFuzzer target for the whole MAG engine (mag/engine.c, bul.c, signal.c:
 * the binding update list of RFC 5213 §6, PBA validation §6.9.1.2, Update Notifications of
 * RFC 7077, Heartbeats of RFC 5847) without a kernel, as tests/mag/mag_harness.c drives it. The
 * input is a program of steps, each a byte saying what, then its arguments:
 *   0 a Router Solicitation on one of the access links (or another interface) from one of 8 MACs;
 *   1 a PBA from the LMA answering one of the last PBUs sent (status, lifetime, which echoes are
 *     kept or spoiled, sequence number kept or not, own and MuHo prefixes);
 *   2 an Update Notification (sequence, reason, flags A/D, MN, MuHo prefixes);
 *   3 a Heartbeat Request or Response;
 *   4 a raw Mobility Header message (up to 255 octets), from the LMA or from elsewhere;
 *   5 a link event: carrier lost or back on an access link;
 *   6 time passing (up to 65535 x 100 ms), every timer run at its deadline;
 *   7 a reload with one of two configurations, freed and parsed again as magd does;
 *   8 pmipctl's de-registration of one MN;
 *   9 the mock kernel refusing the next route (reported at flush);
 *  10 the orderly exit (mag_engine_leave), after which the program goes on.
 * Besides "never crash", the kernel model checks what the engine asks of it (one tunnel to the
 * LMA, a rule only into that tunnel and never twice for one prefix, no tunnel deleted under a
 * rule), every message the engine sends decodes and goes to the LMA, and after the engine is
 * freed nothing is left in the kernel. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_program.h"
#include "mag/engine.h"
#include "mag/mag_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROUTES 64
#define MAX_PBUS   8 /* the last PBUs sent, one of which a PBA answers */
#define MAX_STEPS  256
#define WLAN       10
#define EXT        11
#define TUNNEL     7

/* Both configurations keep the access interfaces (a reload cannot change them); the second
 * drops mn3, makes mn1 single-homed and changes the timers. */
static const char *const conf_text[2] = {
	"lma-address 2001:db8:ffff::100\n"
	"proxy-coa 2001:db8:ffff::1\n"
	"uplink-interface eth0\n"
	"lifetime 40s\n"
	"refresh-before 10s\n"
	"retransmit initial 1s max 8s tries 5\n"
	"ra-interval 10s\n"
	"access-interface wlan0 { access-technology 4 }\n"
	"access-interface eth9 { access-technology 7 attach-on-link-up yes }\n"
	"mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 multihoming yes }\n"
	"mn mn2@example.org { mac 02:00:00:00:00:03 }\n"
	"mn mn3@example.org { mac 02:00:00:00:00:04 mac 02:00:00:00:00:05 multihoming yes }\n",
	"lma-address 2001:db8:ffff::100\n"
	"proxy-coa 2001:db8:ffff::1\n"
	"uplink-interface eth0\n"
	"lifetime 20s\n"
	"refresh-before 5s\n"
	"retransmit initial 500ms max 2s tries unlimited\n"
	"ra-interval 5s\n"
	"access-interface wlan0 { access-technology 4 }\n"
	"access-interface eth9 { access-technology 7 attach-on-link-up yes }\n"
	"mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 }\n"
	"mn mn2@example.org { mac 02:00:00:00:00:03 mac 02:00:00:00:00:06 multihoming yes }\n",
};

struct route {
	struct mh_prefix p;
	bool has_route;
	uint32_t rule_tunnel; /* 0: no rule */
};

/* The mock kernel, the PBUs sent and the program's cursor. */
struct world {
	struct mag_engine *e;
	struct mag_conf *conf;
	struct mag_now now;
	struct in6_addr lma;
	uint32_t tunnel; /* 0: none */
	struct route routes[MAX_ROUTES];
	size_t n_routes;
	struct mh_msg pbus[MAX_PBUS]; /* a ring */
	size_t n_pbus;
	bool fail_next_route, have_failed;
	uint64_t failed_cookie;
	struct fuzz_program prog;
};

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "engine broke an invariant: %s\n", what);
		abort();
	}
}

static struct route *route_find(struct world *w, const struct mh_prefix *p, bool create)
{
	for (size_t i = 0; i < w->n_routes; i++)
		if (w->routes[i].p.len == p->len && memcmp(&w->routes[i].p.addr, &p->addr, 16) == 0)
			return &w->routes[i];
	if (!create)
		return NULL;
	check(w->n_routes < MAX_ROUTES, "more routes than MNs can have prefixes");
	w->routes[w->n_routes] = (struct route){ .p = *p };
	return &w->routes[w->n_routes++];
}

static void route_forget_if_empty(struct world *w, struct route *r)
{
	if (!r->has_route && !r->rule_tunnel)
		*r = w->routes[--w->n_routes];
}

static void io_send_mh(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct world *w = ctx;
	struct mh_params p = { .muho_type = w->conf->muho_type };
	static struct mh_msg m;

	check(memcmp(dst, &w->lma, 16) == 0, "a message sent to another than the LMA");
	check(mh_decode(buf, len, &p, &m) == MH_OK, "a message sent does not decode");
	if (m.type == MH_TYPE_BU)
		w->pbus[w->n_pbus++ % MAX_PBUS] = m;
}

static void io_send_ra(void *ctx, unsigned ifindex, const struct in6_addr *dst,
                       const struct nd_ra *ra)
{
	(void)ctx;
	(void)dst;
	check(ifindex == WLAN || ifindex == EXT, "an RA on a link that is not an access link");
	check(ra != NULL, "no RA");
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	struct world *w = ctx;

	check(memcmp(peer, &w->lma, 16) == 0, "a tunnel to another than the LMA");
	check(w->tunnel == 0, "a second tunnel to the LMA");
	w->tunnel = *id = TUNNEL;
	return 0;
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	struct world *w = ctx;

	check(id == w->tunnel && id != 0, "deleting a tunnel that is not there");
	for (size_t i = 0; i < w->n_routes; i++)
		check(w->routes[i].rule_tunnel != id, "a tunnel deleted under a rule");
	w->tunnel = 0;
	return 0;
}

static int io_route_add(void *ctx, const struct mh_prefix *p, const struct in6_addr *ll,
                        unsigned ifindex, uint64_t cookie)
{
	struct world *w = ctx;
	struct route *r = route_find(w, p, true);

	(void)ll;
	check(ifindex == WLAN || ifindex == EXT, "a route via a link that is not an access link");
	if (w->fail_next_route) { /* reported at flush, as the kernel would */
		w->fail_next_route = false;
		w->have_failed = true;
		w->failed_cookie = cookie;
	}
	r->has_route = true;
	return 0;
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	struct world *w = ctx;
	struct route *r = route_find(w, p, false);

	(void)cookie;
	if (r) {
		r->has_route = false;
		route_forget_if_empty(w, r);
	}
	return 0;
}

static int io_rule_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	struct world *w = ctx;

	struct route *r = route_find(w, p, true);

	(void)cookie;
	check(tunnel != 0 && tunnel == w->tunnel, "a rule into no tunnel");
	check(r->rule_tunnel == 0, "a source rule added twice (the kernel refuses it: EEXIST)");
	r->rule_tunnel = tunnel;
	return 0;
}

static int io_rule_del(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	struct world *w = ctx;
	struct route *r = route_find(w, p, false);

	(void)cookie;
	(void)tunnel;
	if (r) {
		r->rule_tunnel = 0;
		route_forget_if_empty(w, r);
	}
	return 0;
}

static void io_flush(void *ctx)
{
	struct world *w = ctx;

	if (w->have_failed) {
		w->have_failed = false;
		mag_engine_route_failed(w->e, w->failed_cookie, 17);
	}
}

static uint8_t take(struct world *w)
{
	return program_u8(&w->prog);
}

static uint16_t take16(struct world *w)
{
	return program_u16(&w->prog);
}

static void input(struct world *w, const struct in6_addr *src, const struct mh_msg *m)
{
	struct mh_params p = { .muho_type = w->conf->muho_type };
	uint8_t buf[MH_MAX_LEN];
	ssize_t n = mh_encode(m, &p, buf, sizeof(buf));

	check(n > 0, "the codec refused a message it was given");
	mag_engine_mh_input(w->e, src, buf, (size_t)n, &w->now);
}

/* One of 8 prefixes of the LMA's pool (2001:db8:100:k::/64), or ALL_ZERO for k = 8. */
static void add_prefix(struct mh_opts *o, uint8_t k, bool muho)
{
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 } };
	uint8_t len = 64;

	if (k % 9 == 8) {
		a = in6addr_any;
		len = 0;
	} else {
		a.s6_addr[7] = k % 9;
	}
	if (muho)
		mh_opts_add_muho(o, &a, len);
	else
		mh_opts_add_hnp(o, &a, len);
}

static void add_prefixes(struct world *w, struct mh_opts *o, bool muho)
{
	uint8_t how = take(w);

	for (unsigned i = 0; i < (how & 3u); i++)
		add_prefix(o, (uint8_t)(how >> 2) + (uint8_t)i, muho);
}

static void step_rs(struct world *w)
{
	static const unsigned ifindex[4] = { WLAN, EXT, WLAN, 99 };
	uint8_t arg = take(w);
	uint8_t mac[6] = { 2, 0, 0, 0, 0, (uint8_t)(1 + (arg & 7)) };
	struct in6_addr ll = { .s6_addr = { 0xfe, 0x80 } };

	ll.s6_addr[15] = mac[5];
	if (arg & 0x40)
		ll = in6addr_any; /* RFC 4861 §6.1.1: an RS may come from :: */
	mag_engine_rs(w->e, ifindex[(arg >> 3) & 3], mac, &ll, &w->now);
}

/* Statuses a PBA brings (RFC 5213 §8.9), and any octet with probability 1/8. */
static uint8_t pba_status(struct world *w)
{
	static const uint8_t status[] = { 0, 0, 0, 128, 129, 130, 135, 136, 152, 153, 154, 155,
		                          156, 157, 158, 160, 167 };
	uint8_t k = take(w);

	return (k & 0xe0) == 0xe0 ? take(w) : status[k % sizeof(status)];
}

/* What a PBA spoils of the echoes (1 MN-ID, 2 HI, 4 ATT, 8 MN-LL-ID, 16 timestamp, 32 the
 * sequence number, 64 flag P, 128 no MN-LL-ID option at all). */
static void spoil(struct mh_msg *m, uint8_t how)
{
	if (how & 1)
		m->opts.mnid.id[0] ^= 1;
	if (how & 2)
		m->opts.hi ^= 1;
	if (how & 4)
		m->opts.att ^= 1;
	if (how & 8)
		m->opts.llid[5] ^= 1;
	if (how & 16)
		m->opts.timestamp ^= 1;
	if (how & 32)
		m->u.ba.seq++;
	if (how & 64)
		m->u.ba.flags = 0;
	if (how & 128)
		m->opts.present &= ~(uint32_t)MH_HAVE_MNLLID;
}

static void step_pba(struct world *w)
{
	uint8_t which = take(w), how = take(w);
	const struct mh_msg *req;
	struct mh_msg m;

	if (w->n_pbus == 0)
		return;
	req = &w->pbus[(w->n_pbus - 1 - which % (w->n_pbus < MAX_PBUS ? w->n_pbus : MAX_PBUS)) %
	               MAX_PBUS];
	mh_msg_init(&m, MH_TYPE_BA);
	m.u.ba.status = pba_status(w);
	m.u.ba.flags = MH_BA_P;
	m.u.ba.seq = req->u.bu.seq;
	m.u.ba.lifetime = take(w);
	m.opts = req->opts;
	m.opts.present &= ~(uint32_t)MH_HAVE_LLA;
	m.opts.n_hnp = m.opts.n_muho = 0;
	add_prefixes(w, &m.opts, false);
	add_prefixes(w, &m.opts, true);
	spoil(&m, how & (uint8_t)(which >> 4 ? 0xff : 0)); /* mostly a faithful echo */
	input(w, &w->lma, &m);
}

static void step_upn(struct world *w)
{
	uint8_t arg = take(w);
	char nai[32];
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_UPN);
	m.u.upn.seq = take16(w);
	m.u.upn.reason = (uint16_t)(1 + (arg & 3)); /* 1, 2 known; 3, 4 not */
	m.u.upn.flags = arg & (MH_UPN_A | MH_UPN_D);
	if (!(arg & 0x20)) {
		snprintf(nai, sizeof(nai), "mn%u@example.org", 1 + (arg >> 2 & 3));
		mh_opts_set_nai(&m.opts, nai);
	}
	add_prefixes(w, &m.opts, true);
	input(w, &w->lma, &m);
}

static void step_heartbeat(struct world *w)
{
	uint8_t arg = take(w);
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_HB);
	m.u.hb.flags = arg & (MH_HB_R | MH_HB_U);
	m.u.hb.seq = take16(w);
	input(w, &w->lma, &m);
}

static void step_raw(struct world *w)
{
	struct in6_addr src = w->lma;
	const uint8_t *bytes;
	size_t len;

	if (take(w) & 1)
		src.s6_addr[15] ^= 1; /* not the LMA */
	len = take(w);
	bytes = program_bytes(&w->prog, &len);
	mag_engine_mh_input(w->e, &src, bytes, len, &w->now);
}

static void step_link(struct world *w)
{
	uint8_t arg = take(w);

	mag_engine_link(w->e, arg & 2 ? EXT : WLAN, arg & 1, &w->now);
}

static void step_time(struct world *w)
{
	uint64_t end = w->now.mono_ns + take16(w) * 100000000ull;

	while (mag_engine_next_deadline(w->e) <= end) {
		uint64_t t = mag_engine_next_deadline(w->e);

		/* a deadline already passed is due now: mag_engine_set_conf() takes no clock, so a
		 * reload that turns heartbeats on arms "at the next timer run" (mag/peer.c) */
		if (t < w->now.mono_ns)
			t = w->now.mono_ns;
		w->now.real_ns += t - w->now.mono_ns;
		w->now.mono_ns = t;
		mag_engine_run_timers(w->e, &w->now);
		mag_engine_flush(w->e);
	}
	w->now.real_ns += end - w->now.mono_ns;
	w->now.mono_ns = end;
}

static struct mag_conf *conf_parse(unsigned which)
{
	const char *text = conf_text[which % 2];
	struct mag_conf *c;
	char err[256];
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	c = f ? mag_conf_parse(f, "fuzz.conf", err, sizeof(err)) : NULL;
	if (f)
		fclose(f);
	check(c != NULL, "the fuzzer's configuration does not parse");
	return c;
}

static void set_access(struct world *w)
{
	static const uint8_t wlan_mac[6] = { 0x0a, 0, 0, 0, 0, 0x10 };
	static const uint8_t eth_mac[6] = { 0x0a, 0, 0, 0, 0, 0x11 };

	mag_engine_set_access(w->e, "wlan0", WLAN, wlan_mac);
	mag_engine_set_access(w->e, "eth9", EXT, eth_mac);
}

/* As magd's reload: the new configuration in, the access links told again, the old one freed
 * (so that a pointer the engine kept into it is found by ASan). */
static void step_reload(struct world *w)
{
	struct mag_conf *c = conf_parse(take(w));

	mag_engine_set_conf(w->e, c);
	set_access(w);
	mag_conf_free(w->conf);
	w->conf = c;
}

static void step_deregister(struct world *w)
{
	char nai[32];

	snprintf(nai, sizeof(nai), "mn%u@example.org", 1 + take(w) % 4);
	mag_engine_deregister(w->e, nai, &w->now);
}

static void step_refuse(struct world *w)
{
	w->fail_next_route = true;
}

static void step_leave(struct world *w)
{
	mag_engine_leave(w->e, &w->now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct mag_io io = { .ctx = &w,
		             .send_mh = io_send_mh,
		             .send_ra = io_send_ra,
		             .tunnel_add = io_tunnel_add,
		             .tunnel_del = io_tunnel_del,
		             .route_add = io_route_add,
		             .route_del = io_route_del,
		             .rule_add = io_rule_add,
		             .rule_del = io_rule_del,
		             .flush = io_flush };
	void (*const steps[])(struct world *) = { step_rs,   step_pba,    step_upn,
		                                  step_heartbeat, step_raw, step_link,
		                                  step_time, step_reload, step_deregister,
		                                  step_refuse,    step_leave };
	const size_t n_steps = sizeof(steps) / sizeof(steps[0]);

	memset(&w, 0, sizeof(w));
	inet_pton(AF_INET6, "2001:db8:ffff::100", &w.lma);
	w.now.mono_ns = 1000 * 1000000000ull;
	w.now.real_ns = 1795305600ull * 1000000000ull;
	w.prog = (struct fuzz_program){ .p = data, .left = size };
	w.conf = conf_parse(0);
	w.e = mag_engine_new(w.conf, &io);
	check(w.e != NULL, "no engine");
	set_access(&w);
	mag_engine_link(w.e, WLAN, true, &w.now);
	mag_engine_link(w.e, EXT, true, &w.now);
	for (int k = 0; k < MAX_STEPS && w.prog.left > 0; k++) {
		steps[take(&w) % n_steps](&w);
		mag_engine_flush(w.e);
	}
	mag_engine_free(w.e, &w.now);
	mag_conf_free(w.conf);
	check(w.n_routes == 0, "routes or rules left in the kernel after the engine is freed");
	check(w.tunnel == 0, "the tunnel left after the engine");
	return 0;
}
