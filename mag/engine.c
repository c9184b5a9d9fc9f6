/* engine.c: the MAG engine's life cycle, input dispatch and the kernel state of each binding
 * update list entry: the one tunnel to the LMA (shared, removed after the last entry's routes
 * were flushed), a route per prefix of the MN through its link-local address on its access link
 * (an on-link route fails with a Linux MN, see linux-datapath.md), a source rule per prefix
 * into the tunnel (RFC 5213 §6.10.5), and router advertisements of its own prefixes (§6.7). */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "mag/bulfile.h"
#include "mag/engine_int.h"

static const char *const drop_names[MAG_DROP_COUNT] = {
	[MAG_DROP_UNKNOWN_MAC] = "unknown_mac",    [MAG_DROP_NOT_ACCESS] = "not_access_link",
	[MAG_DROP_NOT_FROM_LMA] = "not_from_lma",  [MAG_DROP_PBA_UNMATCHED] = "pba_unmatched",
	[MAG_DROP_PBA_ECHO] = "pba_echo_mismatch", [MAG_DROP_UPN_UNKNOWN_MN] = "upn_unknown_mn",
	[MAG_DROP_PBA_NO_PREFIX] = "pba_no_prefix",
	[MAG_DROP_UNEXPECTED] = "unexpected_type", [MAG_DROP_HELD] = "held",
	[MAG_DROP_NO_MEMORY] = "no_memory",
	[MAG_DROP_HB_UNMATCHED] = "heartbeat_unmatched",
};

void mag_engine_set_restart_counter(struct mag_engine *e, uint32_t counter)
{
	e->restart_counter = counter;
}

const char *mag_drop_name(enum mag_drop d)
{
	return d < MAG_DROP_COUNT ? drop_names[d] : "unknown";
}

struct mag_engine *mag_engine_new(const struct mag_conf *conf, const struct mag_io *io)
{
	struct mag_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->conf = conf;
	e->io = *io;
	e->params.muho_type = conf->muho_type;
	e->next_id = 1;
	e->pba_limit = (struct log_limit)LOG_LIMIT_INIT(10, 5);
	timer_heap_init(&e->timers);
	LIST_INIT(&e->bul);
	LIST_INIT(&e->tags);
	mag_peer_init(e);
	if (!hmap_init(&e->by_mac, 64)) {
		free(e);
		return NULL;
	}
	return e;
}

static void release_tunnel(struct mag_engine *e)
{
	if (!e->tunnel_release_pending)
		return;
	e->tunnel_release_pending = false;
	if (e->n_installed == 0 && e->tunnel) {
		e->io.tunnel_del(e->io.ctx, e->tunnel);
		e->tunnel = 0;
	}
}

void mag_engine_free(struct mag_engine *e, const struct mag_now *now)
{
	if (!e)
		return;
	e->now = *now;
	while (!LIST_EMPTY(&e->bul)) {
		struct bul_entry *b = LIST_FIRST(&e->bul);

		if (b->state == BUL_REGISTERED || b->state == BUL_REFRESHING)
			signal_send_pbu(e, b, true, MH_HI_NO_CHANGE); /* a courtesy: no retries */
		engine_entry_free(e, b);
	}
	if (e->io.flush)
		e->io.flush(e->io.ctx);
	mag_engine_tags_sync(e); /* every tag goes */
	release_tunnel(e);
	hmap_free(&e->by_mac);
	timer_heap_free(&e->timers);
	free(e);
}

void mag_engine_set_conf(struct mag_engine *e, const struct mag_conf *conf)
{
	struct bul_entry *b;

	e->conf = conf;
	e->params.muho_type = conf->muho_type;
	for (unsigned i = 0; i < e->n_access; i++)
		e->access[i].conf = NULL;
	LIST_FOREACH(b, &e->bul, entry)
	b->mn = mag_conf_find_mn(conf, b->mn_id); /* NULL: no longer served, see bul.c */
	mag_peer_reloaded(e);
}

void mag_engine_set_access(struct mag_engine *e, const char *ifname, unsigned ifindex,
                           const uint8_t mac[6])
{
	struct access_link *l = engine_access(e, ifindex);

	if (!l) {
		if (e->n_access >= sizeof(e->access) / sizeof(e->access[0]))
			return;
		l = &e->access[e->n_access++];
	}
	l->ifindex = ifindex;
	memcpy(l->mac, mac, 6);
	l->conf = mag_conf_find_access(e->conf, ifname);
}

struct access_link *engine_access(struct mag_engine *e, unsigned ifindex)
{
	for (unsigned i = 0; i < e->n_access; i++)
		if (e->access[i].ifindex == ifindex)
			return &e->access[i];
	return NULL;
}

static uint64_t mac_hash(const uint8_t mac[6])
{
	return hash_bytes(mac, 6, 0x6d6163);
}

struct bul_entry *engine_find_mac(const struct mag_engine *e, const uint8_t mac[6])
{
	for (struct hnode *n = hmap_first(&e->by_mac, mac_hash(mac)); n; n = hmap_next_same(n)) {
		struct mac_node *m = HMAP_ENTRY(n, struct mac_node, node);

		if (memcmp(m->b->mac, mac, 6) == 0)
			return m->b;
	}
	return NULL;
}

struct bul_entry *engine_entry_new(struct mag_engine *e, const struct mag_conf_mn *mn,
                                   const uint8_t mac[6], struct access_link *link,
                                   const struct in6_addr *ll)
{
	struct bul_entry *b = calloc(1, sizeof(*b) + sizeof(struct mac_node));
	struct mac_node *m;

	if (!b)
		return NULL;
	m = (struct mac_node *)(b + 1);
	b->e = e;
	b->id = e->next_id++;
	b->mn = mn;
	snprintf(b->mn_id, sizeof(b->mn_id), "%s", mn->id);
	memcpy(b->mac, mac, 6);
	b->ifindex = link->ifindex;
	b->att = link->conf ? link->conf->att : 4;
	b->mn_ll = *ll;
	b->seq = (uint16_t)(e->next_id * 7919); /* any start; it only ever grows */
	timer_init(&b->timer, bul_timer_fired, b);
	timer_init(&b->ra_timer, bul_ra_timer_fired, b);
	m->b = b;
	m->node.hash = mac_hash(mac);
	hmap_insert(&e->by_mac, &m->node);
	LIST_INSERT_HEAD(&e->bul, b, entry);
	return b;
}

void engine_entry_free(struct mag_engine *e, struct bul_entry *b)
{
	struct mac_node *m = (struct mac_node *)(b + 1);

	engine_uninstall(e, b);
	timer_cancel(&e->timers, &b->timer);
	timer_cancel(&e->timers, &b->ra_timer);
	hmap_remove(&e->by_mac, &m->node);
	LIST_REMOVE(b, entry);
	free(b);
	e->tags_dirty = true;
}

/* --- kernel state --- */

static bool tunnel_up(struct mag_engine *e)
{
	if (e->tunnel)
		return true;
	return e->io.tunnel_add(e->io.ctx, &e->conf->lma_addr, &e->tunnel) == 0;
}

static int prefix_index(const struct mh_prefix *p, const struct mh_prefix *list, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (mh_prefix_equal(&list[i], p))
			return (int)i;
	return -1;
}

static bool prefix_in(const struct mh_prefix *p, const struct mh_prefix *list, unsigned n)
{
	return prefix_index(p, list, n) >= 0;
}

/* Whether b routes p now: as its own prefix (own) or as one of the MN's others. */
static bool holds(const struct bul_entry *b, const struct mh_prefix *p, bool own)
{
	int i = own ? prefix_index(p, b->hnp, b->n_hnp) : prefix_index(p, b->muho, b->n_muho);

	return b->installed && i >= 0 && ((own ? b->hnp_on : b->muho_on) & (1u << i));
}

/* The entry other than b whose route and rule p has in the kernel, if any. Two interfaces of
 * one MN at this MAG each list the other's prefixes: the kernel has one route and one rule per
 * prefix (a second rule is refused, a second route replaces the first), so one entry holds
 * them, the owner of the prefix before any other. */
static struct bul_entry *prefix_holder(const struct mag_engine *e, const struct bul_entry *b,
                                       const struct mh_prefix *p, bool *own)
{
	struct bul_entry *o;

	LIST_FOREACH(o, &e->bul, entry)
	{
		if (o == b)
			continue;
		if ((*own = holds(o, p, true)) || holds(o, p, false))
			return o;
	}
	return NULL;
}

static void kernel_add(struct mag_engine *e, struct bul_entry *b, const struct mh_prefix *p)
{
	e->io.route_add(e->io.ctx, p, &b->mn_ll, b->ifindex, b->id);
	e->io.rule_add(e->io.ctx, p, e->tunnel, b->id);
}

static void kernel_del(struct mag_engine *e, const struct mh_prefix *p)
{
	e->io.route_del(e->io.ctx, p, 0);
	e->io.rule_del(e->io.ctx, p, e->tunnel, 0);
}

/* Another of the MN's entries that lists p among the MN's other prefixes takes its route: the
 * prefix the LMA holds for a lost interface is delivered on an interface still there. */
static void prefix_adopt(struct mag_engine *e, const struct mh_prefix *p)
{
	struct bul_entry *o;
	bool own;

	if (prefix_holder(e, NULL, p, &own))
		return;
	LIST_FOREACH(o, &e->bul, entry)
	{
		int i = prefix_index(p, o->muho, o->n_muho);

		if (o->installed && i >= 0) {
			kernel_add(e, o, p);
			o->muho_on |= (uint8_t)(1u << i);
			return;
		}
	}
}

/* b's own prefix i: taken from an entry that routed it as another's prefix. */
static void own_install(struct mag_engine *e, struct bul_entry *b, unsigned i)
{
	bool own;
	struct bul_entry *o = prefix_holder(e, b, &b->hnp[i], &own);

	if (o && own)
		return; /* two entries claim it: the first keeps it */
	if (o) {
		kernel_del(e, &b->hnp[i]);
		o->muho_on &= (uint8_t) ~(1u << prefix_index(&b->hnp[i], o->muho, o->n_muho));
	}
	kernel_add(e, b, &b->hnp[i]);
	b->hnp_on |= (uint8_t)(1u << i);
}

/* The MN's other prefix i, unless another entry routes it already. */
static void other_install(struct mag_engine *e, struct bul_entry *b, unsigned i)
{
	bool own;

	if (prefix_holder(e, b, &b->muho[i], &own))
		return;
	kernel_add(e, b, &b->muho[i]);
	b->muho_on |= (uint8_t)(1u << i);
}

/* Removes p if b held it (bit of mask), and lets another entry of the MN take it. */
static void held_uninstall(struct mag_engine *e, const struct mh_prefix *p, uint8_t mask,
                           unsigned i)
{
	if (!(mask & (1u << i)))
		return;
	kernel_del(e, p);
	prefix_adopt(e, p);
}

void engine_install(struct mag_engine *e, struct bul_entry *b)
{
	if (b->installed || !tunnel_up(e))
		return;
	b->installed = true;
	b->hnp_on = b->muho_on = 0;
	for (unsigned i = 0; i < b->n_hnp; i++)
		own_install(e, b, i);
	for (unsigned i = 0; i < b->n_muho; i++)
		other_install(e, b, i);
	e->n_installed++;
	mag_peer_start(e);
	e->changes++;
	e->tags_dirty = true;
}

void engine_uninstall(struct mag_engine *e, struct bul_entry *b)
{
	uint8_t hnp_on = b->hnp_on, muho_on = b->muho_on;

	if (!b->installed)
		return;
	b->installed = false; /* first: it takes none of its prefixes back */
	b->hnp_on = b->muho_on = 0;
	for (unsigned i = 0; i < b->n_hnp; i++)
		held_uninstall(e, &b->hnp[i], hnp_on, i);
	for (unsigned i = 0; i < b->n_muho; i++)
		held_uninstall(e, &b->muho[i], muho_on, i);
	e->changes++;
	e->tags_dirty = true;
	if (--e->n_installed == 0)
		e->tunnel_release_pending = true; /* after the flush: rules still name its table */
}

/* Replaces the MN's other prefixes; an installed entry's routes follow the difference. */
void engine_set_muho(struct mag_engine *e, struct bul_entry *b, const struct mh_prefix *p,
                     unsigned n)
{
	struct mh_prefix keep[BUL_MAX_PREFIXES], old[BUL_MAX_PREFIXES];
	uint8_t on = 0, old_on = b->muho_on;
	unsigned k = 0, n_old = b->n_muho;

	for (unsigned i = 0; i < n && k < BUL_MAX_PREFIXES; i++) {
		if (p[i].len == 0 || prefix_in(&p[i], b->hnp, b->n_hnp) ||
		    prefix_in(&p[i], keep, k))
			continue; /* the empty MuHo option, our own prefixes, repeats */
		keep[k++] = p[i];
	}
	for (unsigned i = 0; i < n_old; i++) { /* kept ones stay where they are routed */
		int j = prefix_index(&b->muho[i], keep, k);

		if (j >= 0 && (old_on & (1u << i)))
			on |= (uint8_t)(1u << j);
	}
	memcpy(old, b->muho, sizeof(old[0]) * n_old);
	memcpy(b->muho, keep, sizeof(keep[0]) * k);
	b->n_muho = k;
	b->muho_on = on;
	e->tags_dirty = true;
	for (unsigned i = 0; b->installed && i < n_old; i++)
		if (!prefix_in(&old[i], keep, k))
			held_uninstall(e, &old[i], old_on, i);
	for (unsigned i = 0; b->installed && i < k; i++)
		if (!prefix_in(&keep[i], old, n_old))
			other_install(e, b, i);
}

void engine_send_ra(struct mag_engine *e, struct bul_entry *b, bool withdraw)
{
	struct access_link *l = engine_access(e, b->ifindex);
	uint64_t left =
	        b->expires_ns > e->now.mono_ns ? (b->expires_ns - e->now.mono_ns) / NS_PER_S : 0;
	struct nd_ra ra = { 0 };

	if (!l)
		return;
	ra.router_lifetime_s = withdraw ? 0 : (uint16_t)e->conf->ra_router_lifetime_s;
	ra.mtu = e->conf->ra_mtu; /* the MN's packets go through the tunnel (§6.9.2 SHOULD) */
	memcpy(ra.src_mac, l->mac, 6);
	for (unsigned i = 0; i < b->n_hnp && i < ND_MAX_PREFIXES; i++) {
		ra.prefix[i].prefix = b->hnp[i].addr;
		ra.prefix[i].len = b->hnp[i].len;
		ra.prefix[i].valid_s = withdraw ? 0 : (uint32_t)left;
		ra.prefix[i].preferred_s = withdraw ? 0 : (uint32_t)left;
		ra.n_prefix++;
	}
	e->io.send_ra(e->io.ctx, b->ifindex, &b->mn_ll, &ra);
	e->stats.ra_sent++;
}

/* --- inputs --- */

void mag_engine_rs(struct mag_engine *e, unsigned ifindex, const uint8_t mac[6],
                   const struct in6_addr *src, const struct mag_now *now)
{
	struct access_link *l = engine_access(e, ifindex);
	const struct mag_conf_mn *mn;
	struct bul_entry *b;

	e->now = *now;
	e->stats.rs_received++;
	if (e->leaving)
		return; /* exiting: a registration now would outlive us */
	if (!l || !l->conf) {
		e->stats.dropped[MAG_DROP_NOT_ACCESS]++;
		return;
	}
	mn = mag_conf_find_mac(e->conf, mac);
	if (!mn) {
		e->stats.dropped[MAG_DROP_UNKNOWN_MAC]++; /* counted; logged only with -v */
		log_debug("router solicitation from unknown MAC %02x:%02x:%02x:%02x:%02x:%02x",
		          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		return;
	}
	b = engine_find_mac(e, mac);
	if (!b && !(b = engine_entry_new(e, mn, mac, l, src))) {
		e->stats.dropped[MAG_DROP_NO_MEMORY]++;
		return;
	}
	bul_event(e, b, BUL_EV_RS, src);
}

void mag_engine_mh_input(struct mag_engine *e, const struct in6_addr *src, const uint8_t *buf,
                         size_t len, const struct mag_now *now)
{
	static struct mh_msg m; /* 1.7 KiB, off the stack; the engine is single-threaded */
	int rc;

	e->now = *now;
	if (memcmp(src, &e->conf->lma_addr, sizeof(*src)) != 0) {
		e->stats.dropped[MAG_DROP_NOT_FROM_LMA]++;
		return;
	}
	rc = mh_decode(buf, len, &e->params, &m);
	if (rc != MH_OK) {
		e->stats.malformed[rc]++;
		if (rc == MH_E_TYPE)
			signal_binding_error(e); /* unrecognized MH type, RFC 6275 §9.2 */
		return;
	}
	e->stats.rx[m.type]++;
	if (m.type == MH_TYPE_BA)
		signal_pba(e, &m);
	else if (m.type == MH_TYPE_UPN)
		signal_upn(e, src, &m);
	else if (m.type == MH_TYPE_HB)
		signal_heartbeat(e, &m);
	else if (m.type == MH_TYPE_BR)
		signal_revocation(e, &m);
	else
		e->stats.dropped[MAG_DROP_UNEXPECTED]++;
}

void mag_engine_link(struct mag_engine *e, unsigned ifindex, bool carrier,
                     const struct mag_now *now)
{
	struct access_link *l = engine_access(e, ifindex);
	struct bul_entry *b, *next;

	e->now = *now;
	/* An MN coming back solicits a router and its RS starts the registration; but a Linux
	 * host does not solicit again when only the carrier came back, so on a point-to-point
	 * link the carrier itself may be the attachment trigger (RFC 5213 §6.9.1.1: layer 2). */
	if (l)
		l->carrier = carrier;
	if (carrier && (e->leaving || !(l && l->conf && l->conf->attach_on_link_up)))
		return;
	for (b = LIST_FIRST(&e->bul); b; b = next) {
		next = LIST_NEXT(b, entry);
		if (b->ifindex != ifindex)
			continue;
		if (carrier)
			bul_event(e, b, BUL_EV_LINK_UP, NULL);
		else
			bul_event(e, b, BUL_EV_LINK_DOWN, &ifindex); /* no RA on a dead link */
	}
}

int mag_engine_deregister(struct mag_engine *e, const char *mn_id, const struct mag_now *now)
{
	struct bul_entry *b, *next;
	int found = -1;

	e->now = *now;
	for (b = LIST_FIRST(&e->bul); b; b = next) {
		next = LIST_NEXT(b, entry);
		if (strcmp(b->mn_id, mn_id) == 0) {
			bul_event(e, b, BUL_EV_DEREGISTER, NULL);
			found = 0;
		}
	}
	return found;
}

uint64_t mag_engine_changes(const struct mag_engine *e)
{
	return e->changes;
}

int mag_engine_save(const struct mag_engine *e, FILE *out)
{
	const struct bul_entry *b;
	struct bulfile_record r;

	fputs("# magd bindings (magd.conf(5), state-file): written by magd, read at its start\n",
	      out);
	LIST_FOREACH(b, &e->bul, entry)
	{
		const struct access_link *l = engine_access((struct mag_engine *)e, b->ifindex);

		if (!b->installed || !l || !l->conf || b->n_hnp == 0)
			continue;
		memset(&r, 0, sizeof(r));
		snprintf(r.mn_id, sizeof(r.mn_id), "%s", b->mn_id);
		memcpy(r.mac, b->mac, 6);
		snprintf(r.ifname, sizeof(r.ifname), "%s", l->conf->ifname);
		r.ll = b->mn_ll;
		r.n_hnp = b->n_hnp;
		memcpy(r.hnp, b->hnp, b->n_hnp * sizeof(b->hnp[0]));
		bulfile_write(out, &r);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

static struct access_link *access_by_name(struct mag_engine *e, const char *ifname)
{
	for (unsigned i = 0; i < e->n_access; i++)
		if (e->access[i].conf && strcmp(e->access[i].conf->ifname, ifname) == 0)
			return &e->access[i];
	return NULL;
}

enum mag_restore mag_engine_restore(struct mag_engine *e, const struct bulfile_record *r,
                                    const struct mag_now *now)
{
	struct access_link *l = access_by_name(e, r->ifname);
	const struct mag_conf_mn *mn = mag_conf_find_mac(e->conf, r->mac);
	struct bul_entry *b;

	e->now = *now;
	if (!mn || strcmp(mn->id, r->mn_id) != 0)
		return MAG_RESTORE_NOT_SERVED; /* the configuration changed meanwhile */
	if (!l)
		return MAG_RESTORE_NO_LINK;
	if (!l->carrier)
		return MAG_RESTORE_NO_CARRIER;
	if (e->leaving || engine_find_mac(e, r->mac))
		return MAG_RESTORE_EXISTS;
	if (!(b = engine_entry_new(e, mn, r->mac, l, &r->ll)))
		return MAG_RESTORE_NO_MEMORY;
	b->n_hnp = r->n_hnp < BUL_MAX_PREFIXES ? r->n_hnp : BUL_MAX_PREFIXES;
	memcpy(b->hnp, r->hnp, b->n_hnp * sizeof(b->hnp[0]));
	b->state = BUL_DETACHED; /* as after a de-registration: its return registers it */
	bul_event(e, b, BUL_EV_LINK_UP, NULL);
	return MAG_RESTORE_OK;
}

unsigned mag_engine_leave(struct mag_engine *e, const struct mag_now *now)
{
	struct bul_entry *b, *next;

	e->now = *now;
	e->leaving = true;
	for (b = LIST_FIRST(&e->bul); b; b = next) {
		next = LIST_NEXT(b, entry);
		if (b->state == BUL_REGISTERED || b->state == BUL_REFRESHING ||
		    (b->state == BUL_REGISTERING && b->tries > 0))
			bul_event(e, b, BUL_EV_DEREGISTER, NULL);
	}
	return mag_engine_leaving(e);
}

unsigned mag_engine_leaving(const struct mag_engine *e)
{
	const struct bul_entry *b;
	unsigned n = 0;

	LIST_FOREACH(b, &e->bul, entry)
	n += b->state == BUL_DEREGISTERING;
	return n;
}

void mag_engine_flush(struct mag_engine *e)
{
	if (e->io.flush)
		e->io.flush(e->io.ctx);
	mag_engine_tags_sync(e);
	release_tunnel(e);
}

uint64_t mag_engine_next_deadline(const struct mag_engine *e)
{
	return timer_next(&e->timers);
}

void mag_engine_run_timers(struct mag_engine *e, const struct mag_now *now)
{
	e->now = *now;
	timer_run(&e->timers, now->mono_ns);
}

void mag_engine_route_failed(struct mag_engine *e, uint64_t cookie, int err)
{
	struct bul_entry *b;

	(void)err;
	e->stats.route_failures++;
	LIST_FOREACH(b, &e->bul, entry)
	if (b->id == cookie) {
		bul_event(e, b, BUL_EV_DEREGISTER, NULL); /* half-installed: give it up */
		return;
	}
}

const struct mag_stats *mag_engine_stats(const struct mag_engine *e)
{
	return &e->stats;
}

const struct bul_entry *mag_engine_first(const struct mag_engine *e)
{
	return LIST_FIRST(&e->bul);
}

const struct bul_entry *mag_engine_next(const struct bul_entry *b)
{
	return LIST_NEXT(b, entry);
}

uint32_t mag_engine_tunnel(const struct mag_engine *e)
{
	return e->tunnel;
}
