/* engine_harness.c: the recording io and mock clock of engine_harness.h. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lma/engine_harness.h"

struct in6_addr h_addr(const char *text)
{
	struct in6_addr a;

	ck_assert_msg(inet_pton(AF_INET6, text, &a) == 1, "bad address %s", text);
	return a;
}

struct mh_prefix h_prefix(const char *text)
{
	char buf[64];
	char *slash;
	struct mh_prefix p;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	p.addr = h_addr(buf);
	p.len = (uint8_t)atoi(slash + 1);
	return p;
}

const char *h_ptext(const struct mh_prefix *p)
{
	static char buf[4][64];
	static int k;
	char a[INET6_ADDRSTRLEN];

	k = (k + 1) % 4;
	inet_ntop(AF_INET6, &p->addr, a, sizeof(a));
	snprintf(buf[k], sizeof(buf[k]), "%s/%u", a, p->len);
	return buf[k];
}

static void io_send(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct harness *h = ctx;
	struct mh_params p = { .muho_type = h->conf->muho_type };
	struct h_sent *s;

	ck_assert_uint_lt(h->n_sent, H_MAX_SENT);
	s = &h->sent[h->n_sent++];
	s->dst = *dst;
	/* everything the engine sends must decode: the codec is the independent check */
	ck_assert_int_eq(mh_decode(buf, len, &p, &s->msg), MH_OK);
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	struct harness *h = ctx;

	if (h->fail_tunnel) {
		errno = ENOMEM;
		return -1;
	}
	for (uint32_t i = 1; i <= H_MAX_TUNNELS; i++) {
		if (!IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[i]))
			continue;
		for (uint32_t j = 1; j <= H_MAX_TUNNELS; j++)
			ck_assert_msg(memcmp(&h->tunnel_peer[j], peer, 16) != 0, "second tunnel");
		h->tunnel_peer[i] = *peer;
		*id = i;
		h->tunnel_adds++;
		return 0;
	}
	ck_abort_msg("out of tunnels");
	return -1;
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	struct harness *h = ctx;

	ck_assert_uint_le(id, H_MAX_TUNNELS);
	ck_assert_msg(!IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[id]), "deleting a free tunnel");
	for (size_t i = 0; i < h->n_routes; i++)
		ck_assert_msg(h->routes[i].tunnel != id, "tunnel %u deleted under a route", id);
	memset(&h->tunnel_peer[id], 0, 16);
	h->tunnel_dels++;
	return 0;
}

static struct h_route *route_find(struct harness *h, const struct mh_prefix *p)
{
	for (size_t i = 0; i < h->n_routes; i++)
		if (h->routes[i].p.len == p->len && memcmp(&h->routes[i].p.addr, &p->addr, 16) == 0)
			return &h->routes[i];
	return NULL;
}

static int io_route_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	struct harness *h = ctx;
	struct h_route *r = route_find(h, p);

	ck_assert_msg(!IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[tunnel]), "route via no tunnel");
	h->route_adds++;
	if (h->fail_next_route) { /* reported at flush, as the kernel would */
		h->fail_next_route = false;
		h->failed_cookie = cookie;
		h->have_failed = true;
		return 0;
	}
	if (!r) {
		ck_assert_uint_lt(h->n_routes, H_MAX_ROUTES);
		r = &h->routes[h->n_routes++];
	}
	r->p = *p;
	r->tunnel = tunnel; /* replace semantics */
	return 0;
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	struct harness *h = ctx;
	struct h_route *r = route_find(h, p);

	(void)cookie;
	h->route_dels++;
	if (r)
		*r = h->routes[--h->n_routes];
	return 0;
}

static void io_mn_changed(void *ctx, const struct lma_mn *mn)
{
	struct harness *h = ctx;

	ck_assert_ptr_nonnull(mn);
	h->mn_changed++;
}

static void io_flush(void *ctx)
{
	struct harness *h = ctx;

	if (h->have_failed) {
		h->have_failed = false;
		lma_engine_route_failed(h->e, h->failed_cookie, EEXIST);
	}
}

/* The engine's random source: a fixed value, so tests are deterministic. */
static uint32_t io_random(void *ctx)
{
	(void)ctx;
	return H_RANDOM;
}

void h_init(struct harness *h, const char *conf_text)
{
	char err[256] = "";
	FILE *f = fmemopen((void *)conf_text, strlen(conf_text), "r");
	struct lma_io io = {
		.send = io_send,
		.tunnel_add = io_tunnel_add,
		.tunnel_del = io_tunnel_del,
		.route_add = io_route_add,
		.route_del = io_route_del,
		.flush = io_flush,
		.mn_changed = io_mn_changed,
		.random = io_random,
	};

	memset(h, 0, sizeof(*h));
	ck_assert_ptr_nonnull(f);
	h->conf = lma_conf_parse(f, "test.conf", err, sizeof(err));
	fclose(f);
	ck_assert_msg(h->conf != NULL, "config: %s", err);
	io.ctx = h;
	h->now.mono_ns = 1000 * 1000000000ull;
	h->now.real_ns = 1795305600ull * 1000000000ull;
	h->e = lma_engine_new(h->conf, &io, 16);
	ck_assert_ptr_nonnull(h->e);
}

void h_free(struct harness *h)
{
	lma_engine_free(h->e);
	ck_assert_uint_eq(h->n_routes, 0); /* nothing left in the kernel */
	ck_assert_uint_eq(h_tunnels(h), 0);
	lma_conf_free(h->conf);
}

static void fill_pbu(const struct harness *h, const struct pbu_spec *s, struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BU);
	m->u.bu.seq = s->seq;
	m->u.bu.flags = s->not_proxy ? MH_BU_A : MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = s->dereg ? 0 : s->lifetime ? s->lifetime : 150;
	if (!s->no_mnid) {
		ck_assert_int_eq(mh_opts_set_nai(&m->opts, s->nai ? s->nai : "mn1@example.org"), 0);
		m->opts.mnid.subtype = s->mnid_subtype ? s->mnid_subtype : MH_MNID_SUBTYPE_NAI;
	}
	for (int i = 0; i < 4 && s->hnp[i]; i++) {
		struct mh_prefix p = h_prefix(s->hnp[i]);

		mh_opts_add_hnp(&m->opts, &p.addr, p.len);
	}
	if (!s->hnp[0] && !s->no_hnp)
		mh_opts_add_hnp(&m->opts, &in6addr_any, 0);
	if (s->muho)
		mh_opts_add_muho(&m->opts, &in6addr_any, 0);
	m->opts.present |= (s->no_hi ? 0 : MH_HAVE_HI) | (s->no_att ? 0 : MH_HAVE_ATT);
	m->opts.hi = s->hi ? s->hi : 1;
	m->opts.att = s->att_zero ? 0 : s->att ? s->att : 4;
	if (s->lla) {
		m->opts.present |= MH_HAVE_LLA;
		m->opts.lla = h_addr(s->lla);
	}
	if (s->home)
		m->u.bu.flags |= MH_BU_H;
	if (s->llid) {
		m->opts.present |= MH_HAVE_MNLLID;
		m->opts.llid_len = 6;
		memcpy(m->opts.llid, (const uint8_t[]){ 2, 0, 0, 0, 0, s->llid }, 6);
	}
	if (!s->no_ts) {
		m->opts.present |= MH_HAVE_TIMESTAMP;
		m->opts.timestamp = mh_timestamp_from_ns(
		        (uint64_t)((int64_t)h->now.real_ns + s->ts_offset_ms * 1000000));
	}
}

size_t h_pbu(struct harness *h, const char *mag, const struct pbu_spec *spec)
{
	struct mh_msg m;
	size_t before = h->n_sent;

	fill_pbu(h, spec, &m);
	h_input(h, mag, &m);
	h->now.real_ns += 1000000; /* the next PBU's timestamp is always later */
	return h->n_sent - before;
}

void h_raw(struct harness *h, const char *from, const uint8_t *buf, size_t len)
{
	struct in6_addr src = h_addr(from);

	lma_engine_input(h->e, &src, buf, len, &h->now);
	lma_engine_flush(h->e);
}

void h_input(struct harness *h, const char *from, const struct mh_msg *m)
{
	struct mh_params p = { .muho_type = h->conf->muho_type };
	uint8_t buf[MH_MAX_LEN];
	ssize_t n = mh_encode(m, &p, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	h_raw(h, from, buf, (size_t)n);
}

void h_advance(struct harness *h, uint64_t ms)
{
	uint64_t end = h->now.mono_ns + ms * 1000000ull;

	/* step through each deadline so timers see the time they fire at */
	while (lma_engine_next_deadline(h->e) <= end) {
		uint64_t t = lma_engine_next_deadline(h->e);

		h->now.real_ns += t - h->now.mono_ns;
		h->now.mono_ns = t;
		lma_engine_run_timers(h->e, &h->now);
		lma_engine_flush(h->e);
	}
	h->now.real_ns += end - h->now.mono_ns;
	h->now.mono_ns = end;
}

const struct mh_msg *h_last_to(const struct harness *h, const char *dst, unsigned nth)
{
	struct in6_addr a = h_addr(dst);

	for (size_t i = h->n_sent; i-- > 0;)
		if (memcmp(&h->sent[i].dst, &a, 16) == 0 && nth-- == 0)
			return &h->sent[i].msg;
	return NULL;
}

size_t h_count_to(const struct harness *h, const char *dst, uint8_t type)
{
	struct in6_addr a = h_addr(dst);
	size_t n = 0;

	for (size_t i = 0; i < h->n_sent; i++)
		n += memcmp(&h->sent[i].dst, &a, 16) == 0 && h->sent[i].msg.type == type;
	return n;
}

const char *h_route_peer(struct harness *h, const char *prefix)
{
	static char buf[INET6_ADDRSTRLEN];
	struct mh_prefix p = h_prefix(prefix);
	struct h_route *r = route_find(h, &p);

	if (!r)
		return NULL;
	return inet_ntop(AF_INET6, &h->tunnel_peer[r->tunnel], buf, sizeof(buf));
}

unsigned h_tunnels(const struct harness *h)
{
	unsigned n = 0;

	for (uint32_t i = 1; i <= H_MAX_TUNNELS; i++)
		n += !IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[i]);
	return n;
}
