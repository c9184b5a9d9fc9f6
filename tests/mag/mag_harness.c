/* mag_harness.c: the recording io and mock clock of mag_harness.h. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/mag/mag_harness.h"

struct mh_prefix m_prefix(const char *text)
{
	char buf[64];
	char *slash;
	struct mh_prefix p;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	ck_assert_int_eq(inet_pton(AF_INET6, buf, &p.addr), 1);
	p.len = (uint8_t)atoi(slash + 1);
	return p;
}

static struct m_route *find(struct mharness *h, const struct mh_prefix *p, bool create)
{
	for (size_t i = 0; i < h->n_routes; i++)
		if (h->routes[i].p.len == p->len && memcmp(&h->routes[i].p.addr, &p->addr, 16) == 0)
			return &h->routes[i];
	if (!create)
		return NULL;
	ck_assert_uint_lt(h->n_routes, M_MAX_ROUTES);
	memset(&h->routes[h->n_routes], 0, sizeof(h->routes[0]));
	h->routes[h->n_routes].p = *p;
	return &h->routes[h->n_routes++];
}

static void forget_if_empty(struct mharness *h, struct m_route *r)
{
	if (!r->has_route && !r->rule_tunnel)
		*r = h->routes[--h->n_routes];
}

static void io_send_mh(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct mharness *h = ctx;
	struct mh_params p = { .muho_type = h->conf->muho_type };
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, dst, text, sizeof(text));
	ck_assert_str_eq(text, LMA);
	ck_assert_uint_lt(h->n_sent, M_MAX_SENT);
	ck_assert_int_eq(mh_decode(buf, len, &p, &h->sent[h->n_sent++]), MH_OK);
}

static void io_send_ra(void *ctx, unsigned ifindex, const struct in6_addr *dst,
                       const struct nd_ra *ra)
{
	struct mharness *h = ctx;

	ck_assert_uint_lt(h->n_ras, M_MAX_SENT);
	h->ras[h->n_ras++] = (struct m_ra){ .ifindex = ifindex, .dst = *dst, .ra = *ra };
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	struct mharness *h = ctx;
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, peer, text, sizeof(text));
	ck_assert_str_eq(text, LMA);
	ck_assert_uint_eq(h->tunnel, 0);
	h->tunnel = *id = 7;
	h->tunnel_adds++;
	return 0;
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	struct mharness *h = ctx;

	ck_assert_uint_eq(id, h->tunnel);
	for (size_t i = 0; i < h->n_routes; i++)
		ck_assert_msg(h->routes[i].rule_tunnel != id, "tunnel deleted under a rule");
	h->tunnel = 0;
	h->tunnel_dels++;
	return 0;
}

static int io_route_add(void *ctx, const struct mh_prefix *p, const struct in6_addr *ll,
                        unsigned ifindex, uint64_t cookie)
{
	struct mharness *h = ctx;
	struct m_route *r = find(h, p, true);

	h->route_ops++;
	if (r->has_route && (r->ifindex != ifindex || memcmp(&r->ll, ll, 16) != 0))
		h->route_replaced++; /* NLM_F_REPLACE: another entry's route silently taken */
	if (h->fail_next_route) {
		h->fail_next_route = false;
		h->have_failed = true;
		h->failed_cookie = cookie;
	}
	r->has_route = true;
	r->ll = *ll;
	r->ifindex = ifindex;
	return 0;
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	struct mharness *h = ctx;
	struct m_route *r = find(h, p, false);

	(void)cookie;
	h->route_ops++;
	if (r) {
		r->has_route = false;
		forget_if_empty(h, r);
	}
	return 0;
}

static int io_rule_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	struct mharness *h = ctx;

	struct m_route *r = find(h, p, true);

	ck_assert_uint_eq(tunnel, h->tunnel);
	if (r->rule_tunnel && !h->have_failed) { /* NLM_F_EXCL: the kernel says EEXIST at flush */
		h->rule_clashes++;
		h->have_failed = true;
		h->failed_cookie = cookie;
	}
	r->rule_tunnel = tunnel;
	return 0;
}

static int io_rule_del(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	struct mharness *h = ctx;
	struct m_route *r = find(h, p, false);

	(void)cookie;
	(void)tunnel;
	if (r) {
		r->rule_tunnel = 0;
		forget_if_empty(h, r);
	}
	return 0;
}

static bool io_clock_synced(void *ctx)
{
	return !((struct mharness *)ctx)->clock_unsynced;
}

static int io_tag_add(void *ctx, uint32_t tag, const struct mh_prefix *p, unsigned n,
                      const struct in6_addr *ll, unsigned ifindex, uint32_t *mark)
{
	struct mharness *h = ctx;

	errno = h->tags_unsupported ? EOPNOTSUPP : ENOMEM;
	if (h->fail_tags || h->tags_unsupported)
		return -1;
	ck_assert_uint_le(n, 16);
	ck_assert_ptr_null(m_tag_find(h, tag)); /* one entry per tag: the kernel refuses more */
	for (uint32_t s = 1; s <= M_MAX_TAGS; s++)
		if (!h->tags[s].used) {
			h->tags[s] = (struct m_tag){
				.used = true, .tag = tag, .n = n, .ll = *ll, .ifindex = ifindex
			};
			memcpy(h->tags[s].p, p, n * sizeof(*p));
			*mark = M_TAG_MARK + s;
			h->tag_adds++;
			return 0;
		}
	errno = ENOSPC;
	return -1;
}

static int io_tag_del(void *ctx, uint32_t mark)
{
	struct mharness *h = ctx;
	uint32_t s = mark - M_TAG_MARK;

	ck_assert_msg(s >= 1 && s <= M_MAX_TAGS && h->tags[s].used, "no tag of mark %u", mark);
	if (h->fail_tags) {
		errno = ENOMEM;
		return -1;
	}
	h->tags[s].used = false;
	h->tag_dels++;
	return 0;
}

unsigned m_tags(const struct mharness *h)
{
	unsigned n = 0;

	for (uint32_t s = 1; s <= M_MAX_TAGS; s++)
		n += h->tags[s].used;
	return n;
}

const struct m_tag *m_tag_find(const struct mharness *h, uint32_t tag)
{
	for (uint32_t s = 1; s <= M_MAX_TAGS; s++)
		if (h->tags[s].used && h->tags[s].tag == tag)
			return &h->tags[s];
	return NULL;
}

static void io_flush(void *ctx)
{
	struct mharness *h = ctx;

	if (h->have_failed) {
		h->have_failed = false;
		mag_engine_route_failed(h->e, h->failed_cookie, 17);
	}
}

void m_init(struct mharness *h, const char *conf_text)
{
	static const uint8_t wlan_mac[6] = { 0x0a, 0, 0, 0, 0, 0x10 };
	static const uint8_t eth_mac[6] = { 0x0a, 0, 0, 0, 0, 0x11 };
	char err[256] = "";
	FILE *f = fmemopen((void *)conf_text, strlen(conf_text), "r");
	struct mag_io io = {
		.send_mh = io_send_mh,
		.send_ra = io_send_ra,
		.tunnel_add = io_tunnel_add,
		.tunnel_del = io_tunnel_del,
		.route_add = io_route_add,
		.route_del = io_route_del,
		.rule_add = io_rule_add,
		.rule_del = io_rule_del,
		.tag_add = io_tag_add,
		.tag_del = io_tag_del,
		.flush = io_flush,
		.clock_synced = io_clock_synced,
	};

	memset(h, 0, sizeof(*h));
	ck_assert_ptr_nonnull(f);
	h->conf = mag_conf_parse(f, "test.conf", err, sizeof(err));
	fclose(f);
	ck_assert_msg(h->conf != NULL, "config: %s", err);
	io.ctx = h;
	h->now.mono_ns = 1000ull * 1000000000ull;
	h->now.real_ns = 1795305600ull * 1000000000ull;
	h->e = mag_engine_new(h->conf, &io);
	ck_assert_ptr_nonnull(h->e);
	mag_engine_set_access(h->e, "wlan0", WLAN, wlan_mac);
	mag_engine_set_access(h->e, "eth9", EXT, eth_mac);
}

void m_free(struct mharness *h)
{
	mag_engine_free(h->e, &h->now);
	ck_assert_uint_eq(h->n_routes, 0); /* nothing left in the kernel */
	ck_assert_uint_eq(h->tunnel, 0);
	ck_assert_uint_eq(m_tags(h), 0);
	ck_assert_uint_eq(h->rule_clashes, 0); /* no entry ever added a rule another one holds */
	mag_conf_free(h->conf);
}

void m_rs(struct mharness *h, unsigned ifindex, uint8_t mac)
{
	uint8_t m[6] = { 2, 0, 0, 0, 0, mac };
	struct in6_addr ll = { { { 0xfe, 0x80 } } };

	ll.s6_addr[15] = mac;
	mag_engine_rs(h->e, ifindex, m, &ll, &h->now);
	mag_engine_flush(h->e);
}

const struct mh_msg *m_last_pbu(const struct mharness *h)
{
	for (size_t i = h->n_sent; i-- > 0;)
		if (h->sent[i].type == MH_TYPE_BU)
			return &h->sent[i];
	ck_abort_msg("no PBU sent");
	return NULL;
}

size_t m_count_type(const struct mharness *h, uint8_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n_sent; i++)
		n += h->sent[i].type == type;
	return n;
}

void m_input(struct mharness *h, const char *from, const struct mh_msg *m)
{
	struct mh_params p = { .muho_type = h->conf->muho_type };
	uint8_t buf[MH_MAX_LEN];
	struct in6_addr src;
	ssize_t n = mh_encode(m, &p, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(inet_pton(AF_INET6, from, &src), 1);
	mag_engine_mh_input(h->e, &src, buf, (size_t)n, &h->now);
	mag_engine_flush(h->e);
}

void m_pba(struct mharness *h, uint8_t status, const char *const *hnp, const char *const *muho)
{
	const struct mh_msg *req = m_last_pbu(h);
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_BA);
	m.u.ba.status = status;
	m.u.ba.flags = MH_BA_P;
	m.u.ba.seq = req->u.bu.seq;
	m.u.ba.lifetime = status < 128 ? req->u.bu.lifetime : 0;
	m.opts = req->opts;
	m.opts.n_hnp = m.opts.n_muho = 0;
	for (int i = 0; hnp && hnp[i]; i++) {
		struct mh_prefix p = m_prefix(hnp[i]);

		mh_opts_add_hnp(&m.opts, &p.addr, p.len);
	}
	for (int i = 0; muho && muho[i]; i++) {
		struct mh_prefix p = m_prefix(muho[i]);

		mh_opts_add_muho(&m.opts, &p.addr, p.len);
	}
	m_input(h, LMA, &m);
}

void m_advance(struct mharness *h, uint64_t ms)
{
	uint64_t end = h->now.mono_ns + ms * 1000000ull;

	while (mag_engine_next_deadline(h->e) <= end) {
		uint64_t t = mag_engine_next_deadline(h->e);

		if (t < h->now.mono_ns)
			t = h->now.mono_ns; /* due already: runs now, the clock never goes back */
		h->now.real_ns += t - h->now.mono_ns;
		h->now.mono_ns = t;
		mag_engine_run_timers(h->e, &h->now);
		mag_engine_flush(h->e);
	}
	h->now.real_ns += end - h->now.mono_ns;
	h->now.mono_ns = end;
}

const struct m_route *m_route(const struct mharness *h, const char *prefix)
{
	struct mh_prefix p = m_prefix(prefix);

	return find((struct mharness *)h, &p, false);
}
