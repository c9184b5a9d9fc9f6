/* fuzz_lma_engine.c: libFuzzer target for the whole LMA engine (lma/engine.c, pbu.c, bc.c,
 * pool.c, reply.c, upn.c) without a kernel, as tests/lma/engine_harness.c drives it: the input
 * is a program of steps, each a byte saying what, then its arguments:
 *   0 a PBU from one of 4 MAGs for one of 8 MNs (handover indicator 1-5 or 6, access technology,
 *     sequence, lifetime or de-registration, which prefix it asks for, link-layer id, MuHo,
 *     timestamp skew), encoded by the codec;
 *   1 a raw Mobility Header message (up to 255 octets) from one of the MAGs;
 *   2 time passing (up to 65535 x 100 ms), every timer run at its deadline;
 *   3 the mock kernel refusing: the next tunnel, or the next route (reported at flush).
 * Besides "never crash", the kernel model checks what the engine asks of it (a route only via an
 * existing tunnel, no tunnel deleted under a route, no second tunnel to a peer), every message
 * the engine sends decodes, and after the engine is freed nothing is left in the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_program.h"
#include "lma/engine.h"
#include "lma/lma_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TUNNELS 8
#define MAX_ROUTES  256
#define MAX_STEPS   256

static const char conf_text[] = "lma-address 2001:db8:ffff::100\n"
                                "uplink-interface eth0\n"
                                "prefix-pool 2001:db8:100::/60 length 64\n"
                                "bce-delete-delay 2s\n"
                                "new-bce-delay 1500ms\n"
                                "max-lifetime 600s\n"
                                "upn-retransmit initial 1s max 4s tries 3\n"
                                "mn any\n"
                                "mn fixed@example.org { prefix 2001:db8:5:1::/64 }\n"
                                "mag 2001:db8:ffff::1\n"
                                "mag 2001:db8:ffff::2\n"
                                "mag 2001:db8:ffff::3\n";

struct route {
	struct mh_prefix p;
	uint32_t tunnel;
};

/* The mock kernel and the program's cursor. */
struct world {
	struct lma_engine *e;
	struct lma_now now;
	uint8_t muho_type;
	struct in6_addr tunnel_peer[MAX_TUNNELS + 1]; /* by id; :: when free */
	struct route routes[MAX_ROUTES];
	size_t n_routes;
	bool fail_tunnel, fail_next_route, have_failed;
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

static void io_send(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct world *w = ctx;
	struct mh_params p = { .muho_type = w->muho_type };
	static struct mh_msg m;

	(void)dst;
	check(mh_decode(buf, len, &p, &m) == MH_OK, "a message sent does not decode");
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	struct world *w = ctx;

	if (w->fail_tunnel) {
		w->fail_tunnel = false;
		return -1;
	}
	for (uint32_t j = 1; j <= MAX_TUNNELS; j++)
		check(memcmp(&w->tunnel_peer[j], peer, 16) != 0, "a second tunnel to one peer");
	for (uint32_t i = 1; i <= MAX_TUNNELS; i++) {
		if (IN6_IS_ADDR_UNSPECIFIED(&w->tunnel_peer[i])) {
			w->tunnel_peer[i] = *peer;
			*id = i;
			return 0;
		}
	}
	check(false, "more tunnels than MAGs");
	return -1;
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	struct world *w = ctx;

	check(id >= 1 && id <= MAX_TUNNELS, "deleting a tunnel that never was");
	check(!IN6_IS_ADDR_UNSPECIFIED(&w->tunnel_peer[id]), "deleting a free tunnel");
	for (size_t i = 0; i < w->n_routes; i++)
		check(w->routes[i].tunnel != id, "a tunnel deleted under a route");
	memset(&w->tunnel_peer[id], 0, 16);
	return 0;
}

static struct route *route_find(struct world *w, const struct mh_prefix *p)
{
	for (size_t i = 0; i < w->n_routes; i++)
		if (w->routes[i].p.len == p->len && memcmp(&w->routes[i].p.addr, &p->addr, 16) == 0)
			return &w->routes[i];
	return NULL;
}

static int io_route_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	struct world *w = ctx;
	struct route *r = route_find(w, p);

	check(tunnel >= 1 && tunnel <= MAX_TUNNELS &&
	              !IN6_IS_ADDR_UNSPECIFIED(&w->tunnel_peer[tunnel]),
	      "a route via no tunnel");
	if (w->fail_next_route) { /* reported at flush, as the kernel would */
		w->fail_next_route = false;
		w->failed_cookie = cookie;
		w->have_failed = true;
		return 0;
	}
	if (!r) {
		check(w->n_routes < MAX_ROUTES, "more routes than the pool has prefixes");
		r = &w->routes[w->n_routes++];
	}
	r->p = *p;
	r->tunnel = tunnel;
	return 0;
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	struct world *w = ctx;
	struct route *r = route_find(w, p);

	(void)cookie;
	if (r)
		*r = w->routes[--w->n_routes];
	return 0;
}

static void io_flush(void *ctx)
{
	struct world *w = ctx;

	if (w->have_failed) {
		w->have_failed = false;
		lma_engine_route_failed(w->e, w->failed_cookie, EEXIST);
	}
}

static void io_mn_changed(void *ctx, const struct lma_mn *mn)
{
	(void)ctx;
	check(mn != NULL, "an MN change for no MN");
}

static uint8_t take(struct world *w)
{
	return program_u8(&w->prog);
}

static uint16_t take16(struct world *w)
{
	return program_u16(&w->prog);
}

static struct in6_addr mag_addr(uint8_t k)
{
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff } };

	a.s6_addr[15] = (uint8_t)(1 + k % 4); /* ::4 is not an authorized MAG */
	return a;
}

static void add_asked_prefix(struct mh_msg *m, uint8_t how)
{
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 } };

	if (how % 4 == 0) {
		mh_opts_add_hnp(&m->opts, &in6addr_any, 0);
		return;
	}
	if (how % 4 == 3) {
		a.s6_addr[5] = 5;
		a.s6_addr[7] = 1; /* the fixed MN's static prefix */
	} else {
		a.s6_addr[7] = (uint8_t)(how >> 4); /* one of the pool's 16 */
	}
	mh_opts_add_hnp(&m->opts, &a, 64);
}

static void step_pbu(struct world *w)
{
	uint8_t who = take(w), flags = take(w), ask = take(w);
	struct mh_params p = { .muho_type = w->muho_type };
	struct in6_addr mag = mag_addr(who >> 4);
	uint8_t buf[MH_MAX_LEN];
	char nai[32];
	struct mh_msg m;
	ssize_t n;

	mh_msg_init(&m, MH_TYPE_BU);
	m.u.bu.seq = take16(w);
	m.u.bu.flags = MH_BU_A | MH_BU_P;
	m.u.bu.lifetime = flags & 1 ? 0 : (uint16_t)(take(w) + 1);
	snprintf(nai, sizeof(nai), (who & 8) ? "fixed@example.org" : "mn%u@example.org", who & 7);
	mh_opts_set_nai(&m.opts, nai);
	add_asked_prefix(&m, ask);
	if (flags & 2)
		mh_opts_add_muho(&m.opts, &in6addr_any, 0);
	m.opts.present |= MH_HAVE_HI | MH_HAVE_ATT | MH_HAVE_TIMESTAMP;
	m.opts.hi = (uint8_t)(ask & 4 ? MH_HI_NEW_IF_SHARED : 1 + (flags >> 2) % 5);
	m.opts.att = (uint8_t)(1 + (flags >> 5));
	if (flags & 0x80) {
		m.opts.present |= MH_HAVE_MNLLID;
		m.opts.llid_len = 6;
		memcpy(m.opts.llid, (const uint8_t[]){ 2, 0, 0, 0, 0, who & 3 }, 6);
	}
	m.opts.timestamp = mh_timestamp_from_ns(w->now.real_ns + (ask & 8 ? 9000000000ull : 0));
	w->now.real_ns += 1000000;
	n = mh_encode(&m, &p, buf, sizeof(buf));
	check(n > 0, "the codec refused a PBU it was given");
	lma_engine_input(w->e, &mag, buf, (size_t)n, &w->now);
}

static void step_raw(struct world *w)
{
	struct in6_addr mag = mag_addr(take(w));
	size_t len = take(w);
	const uint8_t *bytes = program_bytes(&w->prog, &len);

	lma_engine_input(w->e, &mag, bytes, len, &w->now);
}

static void step_time(struct world *w)
{
	uint64_t end = w->now.mono_ns + take16(w) * 100000000ull;

	while (lma_engine_next_deadline(w->e) <= end) {
		uint64_t t = lma_engine_next_deadline(w->e);

		check(t >= w->now.mono_ns, "a deadline in the past");
		w->now.real_ns += t - w->now.mono_ns;
		w->now.mono_ns = t;
		lma_engine_run_timers(w->e, &w->now);
		lma_engine_flush(w->e);
	}
	w->now.real_ns += end - w->now.mono_ns;
	w->now.mono_ns = end;
}

static void step_refuse(struct world *w)
{
	if (take(w) & 1)
		w->fail_tunnel = true;
	else
		w->fail_next_route = true;
}

static struct lma_conf *conf_once(void)
{
	static struct lma_conf *conf;
	char err[256];
	FILE *f;

	if (conf)
		return conf;
	f = fmemopen((void *)conf_text, strlen(conf_text), "r");
	conf = f ? lma_conf_parse(f, "fuzz.conf", err, sizeof(err)) : NULL;
	if (f)
		fclose(f);
	check(conf != NULL, "the fuzzer's configuration does not parse");
	return conf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct lma_conf *conf = conf_once();
	struct lma_io io = { .ctx = &w,
		             .send = io_send,
		             .tunnel_add = io_tunnel_add,
		             .tunnel_del = io_tunnel_del,
		             .route_add = io_route_add,
		             .route_del = io_route_del,
		             .flush = io_flush,
		             .mn_changed = io_mn_changed };
	void (*const steps[])(struct world *) = { step_pbu, step_raw, step_time, step_refuse };

	memset(&w, 0, sizeof(w));
	w.muho_type = conf->muho_type;
	w.now.mono_ns = 1000 * 1000000000ull;
	w.now.real_ns = 1795305600ull * 1000000000ull;
	w.prog = (struct fuzz_program){ .p = data, .left = size };
	w.e = lma_engine_new(conf, &io, 16);
	check(w.e != NULL, "no engine");
	for (int k = 0; k < MAX_STEPS && w.prog.left > 0; k++) {
		steps[take(&w) % 4](&w);
		lma_engine_flush(w.e);
	}
	lma_engine_free(w.e);
	check(w.n_routes == 0, "routes left in the kernel after the engine is freed");
	for (uint32_t i = 1; i <= MAX_TUNNELS; i++)
		check(IN6_IS_ADDR_UNSPECIFIED(&w.tunnel_peer[i]), "a tunnel left after the engine");
	return 0;
}
