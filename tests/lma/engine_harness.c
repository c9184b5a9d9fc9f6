/* engine_harness.c: the recording io and mock clock of engine_harness.h. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bindtag.h"
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

/* Whether the fake kernel refuses this request (struct h_faults); counts it either way. */
static bool h_refuse(struct harness *h, enum h_op op)
{
	bool refuse;

	h->requests++;
	refuse = (h->faults.ops & (1u << op)) || h->requests == h->faults.nth;
	if (refuse) {
		h->refused[op]++;
		errno = h->faults.err ? h->faults.err : ENOMEM;
	}
	return refuse;
}

static uint32_t tunnel_find(const struct harness *h, const struct in6_addr *peer)
{
	for (uint32_t j = 1; j <= H_MAX_TUNNELS; j++)
		if (memcmp(&h->tunnel_peer[j], peer, 16) == 0)
			return j;
	return 0;
}

/* A tunnel whose deletion was refused is still there: the kernel side finds it again. */
static int tunnel_reuse_stale(struct harness *h, uint32_t i, uint32_t *id)
{
	ck_assert_msg(h->tunnel_stale[i], "second tunnel");
	h->tunnel_stale[i] = false;
	*id = i;
	h->tunnel_adds++;
	return 0;
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	struct harness *h = ctx;
	uint32_t old = tunnel_find(h, peer);

	if (h->fail_tunnel || h_refuse(h, H_TUNNEL_ADD)) {
		errno = h->faults.err ? h->faults.err : ENOMEM;
		return -1;
	}
	if (old)
		return tunnel_reuse_stale(h, old, id);
	for (uint32_t i = 1; i <= H_MAX_TUNNELS; i++) {
		if (!IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[i]))
			continue;
		h->tunnel_peer[i] = *peer;
		*id = i;
		h->tunnel_adds++;
		return 0;
	}
	ck_abort_msg("out of tunnels");
	return -1;
}

/* A tunnel with the id it had before a restart, if that id is free. */
static int io_tunnel_add_as(void *ctx, const struct in6_addr *peer, uint32_t id)
{
	struct harness *h = ctx;

	if (h->fail_tunnel || h_refuse(h, H_TUNNEL_ADD) || id > H_MAX_TUNNELS ||
	    tunnel_find(h, peer) || !IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[id])) {
		errno = EEXIST;
		return -1;
	}
	h->tunnel_peer[id] = *peer;
	h->tunnel_adds++;
	return 0;
}

/* The kernel takes a tunnel's routes with it; the engine must have removed or re-pointed them
 * all, except those whose deletion the kernel refused (it forgot them). */
static void routes_drop_tunnel(struct harness *h, uint32_t id)
{
	for (size_t i = 0; i < h->n_routes;) {
		if (h->routes[i].tunnel != id) {
			i++;
			continue;
		}
		ck_assert_msg(h->routes[i].stale, "tunnel %u deleted under the route to %s", id,
		              h_ptext(&h->routes[i].p));
		h->routes[i] = h->routes[--h->n_routes];
	}
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	struct harness *h = ctx;

	ck_assert_uint_le(id, H_MAX_TUNNELS);
	ck_assert_msg(!IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[id]), "deleting a free tunnel");
	ck_assert_msg(!h->tunnel_stale[id], "deleting a forgotten tunnel");
	if (h_refuse(h, H_TUNNEL_DEL)) {
		h->tunnel_stale[id] = true;
		return -1;
	}
	routes_drop_tunnel(h, id);
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

static int route_refused(struct harness *h, uint64_t cookie)
{
	if (h->faults.route_sync)
		return -1;
	ck_assert_uint_lt(h->n_async_failed, H_MAX_ROUTES);
	h->async_failed[h->n_async_failed++] = cookie; /* reported at flush */
	return 0;
}

static int io_route_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	struct harness *h = ctx;
	struct h_route *r = route_find(h, p);

	ck_assert_uint_le(tunnel, H_MAX_TUNNELS);
	ck_assert_msg(!IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[tunnel]), "route via no tunnel");
	ck_assert_msg(!h->tunnel_stale[tunnel], "route via a forgotten tunnel");
	h->route_adds++;
	if (h->fail_next_route) {
		h->fail_next_route = false;
		return route_refused(h, cookie);
	}
	if (h_refuse(h, H_ROUTE_ADD))
		return route_refused(h, cookie);
	if (!r) {
		ck_assert_uint_lt(h->n_routes, H_MAX_ROUTES);
		r = &h->routes[h->n_routes++];
	}
	r->p = *p;
	r->tunnel = tunnel; /* replace semantics */
	r->stale = false;
	return 0;
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	struct harness *h = ctx;
	struct h_route *r = route_find(h, p);

	(void)cookie;
	h->route_dels++;
	if (h_refuse(h, H_ROUTE_DEL)) {
		if (r)
			r->stale = true;
		return -1;
	}
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
	size_t n = h->n_async_failed;

	h->n_async_failed = 0;
	for (size_t i = 0; i < n; i++)
		lma_engine_route_failed(h->e, h->async_failed[i],
		                        h->faults.err ? h->faults.err : EEXIST);
}

/* The engine's random source: a fixed value, so tests are deterministic. */
static int io_tag_add(void *ctx, uint32_t tunnel, uint32_t tag, uint32_t *mark)
{
	struct harness *h = ctx;

	if (h_refuse(h, H_TAG_ADD))
		return -1;
	if (h->tags_unsupported) {
		errno = EOPNOTSUPP;
		return -1;
	}
	ck_assert_msg(tunnel <= H_MAX_TUNNELS && !IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[tunnel]),
	              "tag through tunnel %u, which does not exist", tunnel);
	for (uint32_t s = 1; s <= H_MAX_TAGS; s++)
		if (!h->tags[s].used) {
			h->tags[s] = (struct h_tag){ .used = true, .tunnel = tunnel, .tag = tag };
			*mark = H_TAG_MARK + s;
			h->tag_adds++;
			return 0;
		}
	errno = ENOSPC;
	return -1;
}

/* A refused deletion leaves the tag in the kernel, forgotten by the engine. */
static int io_tag_del(void *ctx, uint32_t mark)
{
	struct harness *h = ctx;
	uint32_t s = mark - H_TAG_MARK;

	ck_assert_msg(s >= 1 && s <= H_MAX_TAGS && h->tags[s].used && !h->tags[s].stale,
	              "removing mark %u, no tag", mark);
	if (h_refuse(h, H_TAG_DEL)) {
		h->tags[s].stale = true;
		return -1;
	}
	h->tags[s].used = false;
	h->tag_dels++;
	return 0;
}

unsigned h_tags(const struct harness *h)
{
	unsigned n = 0;

	for (uint32_t s = 1; s <= H_MAX_TAGS; s++)
		n += h->tags[s].used;
	return n;
}

static unsigned stale_tags(const struct harness *h)
{
	unsigned n = 0;

	for (uint32_t s = 1; s <= H_MAX_TAGS; s++)
		n += h->tags[s].used && h->tags[s].stale;
	return n;
}

const struct h_tag *h_tag_of(const struct harness *h, uint32_t mark)
{
	uint32_t s = mark - H_TAG_MARK;

	return s >= 1 && s <= H_MAX_TAGS && h->tags[s].used ? &h->tags[s] : NULL;
}

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
		.tunnel_add_as = io_tunnel_add_as,
		.tunnel_del = io_tunnel_del,
		.route_add = io_route_add,
		.route_del = io_route_del,
		.flush = io_flush,
		.mn_changed = io_mn_changed,
		.tag_add = io_tag_add,
		.tag_del = io_tag_del,
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

static unsigned stale_routes(const struct harness *h)
{
	unsigned n = 0;

	for (size_t i = 0; i < h->n_routes; i++)
		n += h->routes[i].stale;
	return n;
}

static unsigned stale_tunnels(const struct harness *h)
{
	unsigned n = 0;

	for (uint32_t i = 1; i <= H_MAX_TUNNELS; i++)
		n += h->tunnel_stale[i];
	return n;
}

void h_free(struct harness *h)
{
	h_check_consistent(h);
	lma_engine_free(h->e);
	/* nothing left in the kernel but what it refused to delete */
	ck_assert_uint_eq(h->n_routes, stale_routes(h));
	ck_assert_uint_eq(h_tunnels(h), stale_tunnels(h));
	ck_assert_uint_eq(h_tags(h), stale_tags(h));
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

void h_input_noflush(struct harness *h, const char *from, const struct mh_msg *m)
{
	struct mh_params p = { .muho_type = h->conf->muho_type };
	uint8_t buf[MH_MAX_LEN];
	ssize_t n = mh_encode(m, &p, buf, sizeof(buf));
	struct in6_addr src = h_addr(from);

	ck_assert_int_gt(n, 0);
	lma_engine_input(h->e, &src, buf, (size_t)n, &h->now);
}

void h_input(struct harness *h, const char *from, const struct mh_msg *m)
{
	h_input_noflush(h, from, m);
	lma_engine_flush(h->e);
}

void h_pbu_noflush(struct harness *h, const char *mag, const struct pbu_spec *spec)
{
	struct mh_msg m;

	fill_pbu(h, spec, &m);
	h_input_noflush(h, mag, &m);
	h->now.real_ns += 1000000;
}

void h_flush(struct harness *h)
{
	lma_engine_flush(h->e);
}

void h_advance(struct harness *h, uint64_t ms)
{
	uint64_t end = h->now.mono_ns + ms * 1000000ull;

	/* step through each deadline so timers see the time they fire at */
	while (lma_engine_next_deadline(h->e) <= end) {
		uint64_t t = lma_engine_next_deadline(h->e);

		if (t < h->now.mono_ns)
			t = h->now.mono_ns; /* due already: runs now, the clock never goes back */
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

/* --- consistency of the engine with the fake kernel --- */

static void check_bce_routes(const struct harness *h, const struct bce *b)
{
	for (unsigned i = 0; i < b->n_prefix; i++) {
		const struct h_route *r = route_find((struct harness *)h, &b->prefix[i].p);

		if (b->state == BCE_ACTIVE) {
			ck_assert_msg(r != NULL, "active binding %llu: no route to %s",
			              (unsigned long long)b->id, h_ptext(&b->prefix[i].p));
			ck_assert_uint_eq(r->tunnel, b->mag->tunnel);
		}
		if (r && !r->stale)
			ck_assert_msg(!h->tunnel_stale[r->tunnel] &&
			                      !IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[r->tunnel]),
			              "route to %s via a dead tunnel", h_ptext(&b->prefix[i].p));
	}
}

/* A binding with a tag is active, shares its MAG with another active binding of its MN, and
 * its tag is in the kernel through its MAG's tunnel. */
static void check_bce_tag(const struct harness *h, const struct bce *b)
{
	const struct h_tag *t = h_tag_of(h, b->tag_mark);
	const struct bce *o;
	bool sibling = false;

	if (!b->tag_mark)
		return;
	LIST_FOREACH(o, &b->mn->bces, mn_entry)
	sibling |= o != b && o->mag == b->mag && o->state == BCE_ACTIVE;
	ck_assert_msg(b->state == BCE_ACTIVE && sibling, "binding %llu tagged alone",
	              (unsigned long long)b->id);
	ck_assert_msg(t && !t->stale, "binding %llu: its tag is not in the kernel",
	              (unsigned long long)b->id);
	ck_assert_uint_eq(t->tunnel, b->mag->tunnel);
	ck_assert_uint_eq(t->tag, bindtag_of(b->llid, b->llid_len, b->att));
}

static void check_bce(const struct harness *h, const struct bce *b)
{
	check_bce_tag(h, b);
	ck_assert_ptr_eq(bc_bce_by_id(lma_engine_cache(h->e), b->id), b);
	ck_assert_msg(b->mag->tunnel != 0, "binding %llu at a MAG without tunnel",
	              (unsigned long long)b->id);
	ck_assert_msg(memcmp(&h->tunnel_peer[b->mag->tunnel], &b->mag->addr, 16) == 0,
	              "binding %llu: its MAG's tunnel goes elsewhere", (unsigned long long)b->id);
	check_bce_routes(h, b);
}

static void check_mag(const struct harness *h, const struct lma_mag *mag)
{
	const struct bce *b;
	unsigned n = 0;

	LIST_FOREACH(b, &mag->bces, mag_entry)
	{
		ck_assert_ptr_eq(b->mag, mag);
		check_bce(h, b);
		n++;
	}
	ck_assert_uint_eq(n, mag->n_bce);
	if (mag->tunnel)
		ck_assert_msg(mag->n_bce > 0 || mag->release_pending, "tunnel of an idle MAG kept");
}

/* Every tunnel in the kernel belongs to a MAG entry, every route to a prefix a binding holds. */
static void check_kernel(const struct harness *h)
{
	const struct bc *bc = lma_engine_cache(h->e);

	for (uint32_t i = 1; i <= H_MAX_TUNNELS; i++) {
		const struct lma_mag *mag;

		if (IN6_IS_ADDR_UNSPECIFIED(&h->tunnel_peer[i]) || h->tunnel_stale[i])
			continue;
		mag = bc_mag_find(bc, &h->tunnel_peer[i]);
		ck_assert_msg(mag && mag->tunnel == i, "tunnel %u owned by no MAG", i);
	}
	for (size_t i = 0; i < h->n_routes; i++)
		ck_assert_msg(h->routes[i].stale || bc_bce_by_prefix(bc, &h->routes[i].p),
		              "route to %s for no binding", h_ptext(&h->routes[i].p));
}

void h_check_consistent(const struct harness *h)
{
	const struct bc *bc = lma_engine_cache(h->e);
	size_t n_bce = 0;
	unsigned n_tagged = 0;

	for (size_t i = 0; i <= bc->by_mag.last; i++)
		for (const struct hnode *n = bc->by_mag.buckets[i]; n; n = n->next) {
			const struct lma_mag *mag = HMAP_ENTRY(n, struct lma_mag, node);
			const struct bce *b;

			check_mag(h, mag);
			n_bce += mag->n_bce;
			LIST_FOREACH(b, &mag->bces, mag_entry)
			n_tagged += b->tag_mark != 0;
		}
	ck_assert_uint_eq(n_bce, bc->n_bce);
	ck_assert_uint_eq(h_tags(h) - stale_tags(h), n_tagged); /* no tag of no binding */
	check_kernel(h);
}
