/* engine.c: the LMA engine's life cycle, input dispatch, timers and the kernel state of each
 * binding: its tunnel (one per MAG, shared, removed with the last binding, RFC 5213 §5.6.1),
 * its prefix routes, lifetime expiry and the de-registration delay (§5.3.5). Heartbeats are in
 * peer.c; an unknown MH type gets a Binding Error (RFC 6275 §9.2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lma/engine_int.h"

static const char *const drop_names[LMA_DROP_COUNT] = {
	[LMA_DROP_NOT_PROXY] = "not_proxy",
	[LMA_DROP_UNEXPECTED] = "unexpected_type",
	[LMA_DROP_DEREG_UNKNOWN] = "dereg_unknown",
	[LMA_DROP_DEREG_OTHER_MAG] = "dereg_other_mag",
	[LMA_DROP_UPA_UNMATCHED] = "upa_unmatched",
	[LMA_DROP_NO_MEMORY] = "no_memory",
	[LMA_DROP_BRA_UNMATCHED] = "bra_unmatched",
	[LMA_DROP_REVOKING] = "revoking",
	[LMA_DROP_HB_UNMATCHED] = "heartbeat_unmatched",
	[LMA_DROP_REPLY_RATE_SOURCE] = "reply_rate_source",
	[LMA_DROP_REPLY_RATE_TOTAL] = "reply_rate_total",
};

const char *lma_drop_name(enum lma_drop d)
{
	return d < LMA_DROP_COUNT ? drop_names[d] : "unknown";
}

static bool engine_pool_init(struct lma_engine *e)
{
	struct mh_prefix range = { .addr = e->conf->pool.addr, .len = e->conf->pool.len };

	if (e->conf->pool_alloc_len == 0)
		return true; /* no pool: static prefixes only */
	e->have_pool = pool_init(&e->pool, &range, e->conf->pool_alloc_len);
	e->pool.max_resting = e->conf->max_resting;
	return e->have_pool;
}

struct lma_engine *lma_engine_new(const struct lma_conf *conf, const struct lma_io *io,
                                  size_t expected_bindings)
{
	struct lma_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->conf = conf;
	e->io = *io;
	e->params.muho_type = conf->muho_type;
	if (io->random)
		e->upn_seq = (uint16_t)io->random(io->ctx);
	timer_heap_init(&e->timers);
	LIST_INIT(&e->parked);
	LIST_INIT(&e->released);
	LIST_INIT(&e->rejected);
	LIST_INIT(&e->revokes);
	if (!bc_init(&e->bc, expected_bindings) || !engine_pool_init(e)) {
		bc_free(&e->bc);
		free(e);
		return NULL;
	}
	return e;
}

static void release_tunnels(struct lma_engine *e);
static void kernel_flush(struct lma_engine *e);

static void delete_all(struct lma_engine *e)
{
	for (size_t i = 0; i <= e->bc.by_id.last; i++)
		while (e->bc.by_id.buckets[i])
			engine_bce_delete(e,
			                  HMAP_ENTRY(e->bc.by_id.buckets[i], struct bce, id_node));
}

void lma_engine_free(struct lma_engine *e)
{
	if (!e)
		return;
	pbu_parked_free_all(e);
	revoke_free_all(e);
	e->closing = true;
	delete_all(e);
	kernel_flush(e);
	release_tunnels(e);
	for (size_t i = 0; i <= e->bc.by_mn.last; i++)
		while (e->bc.by_mn.buckets[i])
			upn_mn_free(e, HMAP_ENTRY(e->bc.by_mn.buckets[i], struct lma_mn, node));
	bc_free(&e->bc);
	if (e->have_pool)
		pool_free(&e->pool);
	timer_heap_free(&e->timers);
	free(e->out);
	free(e);
}

static bool same_pool(const struct lma_conf *a, const struct lma_conf *b)
{
	return a->pool_alloc_len == b->pool_alloc_len && a->pool.len == b->pool.len &&
	       memcmp(&a->pool.addr, &b->pool.addr, sizeof(a->pool.addr)) == 0;
}

/* The prefixes bindings hold inside a new pool count as in use there: their release puts
 * them to rest with their MN, as for the pool's own, and the lease file names them held. */
static void pool_adopt_bound(struct lma_engine *e)
{
	for (size_t i = 0; i <= e->bc.by_id.last; i++)
		for (const struct hnode *n = e->bc.by_id.buckets[i]; n; n = n->next) {
			const struct bce *b = HMAP_ENTRY(n, const struct bce, id_node);

			for (unsigned j = 0; j < b->n_prefix; j++)
				if (b->prefix[j].pooled && pool_contains(&e->pool, &b->prefix[j].p))
					e->pool.in_use++;
		}
}

/* Held bindings are looked at again under the new prefix-hold, from their timers. */
static void holds_recheck(struct lma_engine *e)
{
	for (size_t i = 0; i <= e->bc.by_id.last; i++)
		for (const struct hnode *n = e->bc.by_id.buckets[i]; n; n = n->next) {
			struct bce *b = HMAP_ENTRY(n, struct bce, id_node);

			if (b->held)
				timer_arm(&e->timers, &b->timer, e->now.mono_ns);
		}
}

/* A changed pool starts afresh, its resting records forgotten; prefixes bound from the old one
 * stay with their bindings: the in-use check keeps the new pool from handing them out, and
 * those inside it are in use there, written to the lease file as held, restored after a
 * restart as resting with their MN even beyond the new pool's high-water mark. */
void lma_engine_set_conf(struct lma_engine *e, const struct lma_conf *conf)
{
	bool pool_changed = !same_pool(e->conf, conf), hold_changed;

	hold_changed = e->conf->prefix_hold_ms != conf->prefix_hold_ms;
	e->conf = conf;
	if (hold_changed)
		holds_recheck(e);
	e->params.muho_type = conf->muho_type;
	peer_conf_changed(e);
	if (e->have_pool)
		e->pool.max_resting = conf->max_resting;
	if (!pool_changed)
		return;
	if (e->have_pool)
		pool_free(&e->pool);
	e->have_pool = false;
	if (engine_pool_init(e) && e->have_pool)
		pool_adopt_bound(e);
}

const struct lma_stats *lma_engine_stats(const struct lma_engine *e)
{
	return &e->stats;
}

const struct bc *lma_engine_cache(const struct lma_engine *e)
{
	return &e->bc;
}

uint64_t lma_engine_lease_changes(const struct lma_engine *e)
{
	return e->have_pool ? e->pool.changes : 0;
}

int lma_engine_save_leases(const struct lma_engine *e, FILE *out)
{
	return e->have_pool ? leases_write(out, &e->pool, &e->bc) : -1;
}

int lma_engine_load_leases(struct lma_engine *e, FILE *in, struct leases_report *r)
{
	if (!e->have_pool) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	return leases_read(in, &e->pool, r);
}

bool lma_engine_pool_stats(const struct lma_engine *e, struct lma_pool_stats *out)
{
	if (!e->have_pool)
		return false;
	out->in_use = e->pool.in_use;
	out->resting = pool_resting(&e->pool);
	out->memory_bytes = pool_memory(&e->pool);
	return true;
}

void lma_engine_set_restart_counter(struct lma_engine *e, uint32_t counter)
{
	e->restart_counter = counter;
}

void lma_engine_input(struct lma_engine *e, const struct in6_addr *src, const uint8_t *buf,
                      size_t len, const struct lma_now *now)
{
	static struct mh_msg m; /* 1.7 KiB: kept off the stack; the engine is single-threaded */
	int rc = mh_decode(buf, len, &e->params, &m);

	e->now = *now;
	if (rc != MH_OK) {
		e->stats.malformed[rc]++;
		if (rc == MH_E_TYPE)
			reply_binding_error(e, src, 2); /* unrecognized MH type, RFC 6275 §9.2 */
		return;
	}
	e->stats.rx[m.type]++;
	if (m.type == MH_TYPE_BU)
		pbu_process(e, src, &m);
	else if (m.type == MH_TYPE_UPA)
		upn_input_ack(e, src, &m);
	else if (m.type == MH_TYPE_BE)
		upn_input_binding_error(e, src, &m);
	else if (m.type == MH_TYPE_HB)
		peer_heartbeat_input(e, src, &m);
	else if (m.type == MH_TYPE_BR)
		revoke_input(e, src, &m);
	else
		e->stats.dropped[LMA_DROP_UNEXPECTED]++;
}

void lma_engine_flush(struct lma_engine *e)
{
	kernel_flush(e);
	release_tunnels(e);
	reply_flush(e);
	bc_shrink(&e->bc); /* no walk over the indexes is under way here */
	if (e->have_pool)
		pool_shrink(&e->pool);
}

uint64_t lma_engine_next_deadline(const struct lma_engine *e)
{
	return timer_next(&e->timers);
}

void lma_engine_run_timers(struct lma_engine *e, const struct lma_now *now)
{
	e->now = *now;
	timer_run(&e->timers, now->mono_ns);
}

/* The cookie of a route that carries a de-registered binding's prefixes through another
 * binding's tunnel: the binding's id with this bit. */
#define REROUTE_COOKIE (1ull << 63)

static void reroute_refused(struct lma_engine *e, struct bce *b);

/* cookie: the binding whose route it was. A registration's refusal turns its PBA into a 130; a
 * de-registered binding's reroute refused unroutes its prefixes openly. */
void lma_engine_route_failed(struct lma_engine *e, uint64_t cookie, int err)
{
	struct bce *b;

	(void)err;
	e->stats.route_failures++;
	if (!(cookie & REROUTE_COOKIE)) {
		reply_reject_binding(e, cookie);
		return;
	}
	b = bc_bce_by_id(&e->bc, cookie & ~REROUTE_COOKIE);
	if (b && b->state == BCE_DEREG_WAIT)
		reroute_refused(e, b); /* else it came back or went meanwhile: nothing to undo */
}

static void mn_reroute(struct lma_engine *e, struct lma_mn *mn);

void engine_group_changed(struct lma_engine *e, struct lma_mn *mn, const struct lma_mag *skip)
{
	if (e->closing || e->restoring)
		return; /* the daemon is going, or coming back: nobody to tell */
	mn_reroute(e, mn);
	engine_tags_sync(e, mn); /* before the flows are looked at again: they may move */
	if (e->io.mn_changed)
		e->io.mn_changed(e->io.ctx, mn);
	upn_notify_group(e, mn, skip);
}

bool engine_prefix_in_use(const struct mh_prefix *p, void *arg)
{
	const struct lma_engine *e = arg;

	return bc_bce_by_prefix(&e->bc, p) != NULL;
}

/* --- tunnels: one per MAG, while it has bindings --- */

bool engine_mag_tunnel(struct lma_engine *e, struct lma_mag *mag)
{
	if (mag->tunnel) {
		peer_start(e, mag); /* a MAG taken again before its release: heartbeats go on */
		return true;
	}
	if (e->io.tunnel_add(e->io.ctx, &mag->addr, &mag->tunnel) != 0) {
		e->stats.tunnel_failures++;
		mag->tunnel = 0;
		return false;
	}
	peer_start(e, mag);
	return true;
}

/* A MAG with no binding left loses its tunnel, and its entry, but only after the flush: routes
 * through the tunnel are removed or re-pointed by queued requests, which must reach the kernel
 * first. The only way an entry goes: once queued here, nothing else may free it. */
void engine_mag_release(struct lma_engine *e, struct lma_mag *mag)
{
	if (mag->n_bce > 0 || mag->release_pending)
		return;
	mag->release_pending = true;
	LIST_INSERT_HEAD(&e->released, mag, release_entry);
}

static void release_tunnels(struct lma_engine *e)
{
	while (!LIST_EMPTY(&e->released)) {
		struct lma_mag *mag = LIST_FIRST(&e->released);

		LIST_REMOVE(mag, release_entry);
		mag->release_pending = false;
		if (mag->n_bce > 0)
			continue; /* taken again before the flush */
		if (mag->tunnel && e->io.tunnel_del(e->io.ctx, mag->tunnel) != 0)
			e->stats.tunnel_failures++;
		mag->tunnel = 0;
		peer_stop(e, mag);
		bc_mag_put(&e->bc, mag);
	}
}

/* A binding the kernel refused a route for on the spot: it is rejected at the flush, once the
 * code that asked is done with it. */
static void bce_queue_reject(struct lma_engine *e, struct bce *b)
{
	e->stats.route_failures++;
	if (b->reject_pending)
		return;
	b->reject_pending = true;
	LIST_INSERT_HEAD(&e->rejected, b, reject_entry);
}

static void reject_queued(struct lma_engine *e)
{
	while (!LIST_EMPTY(&e->rejected)) {
		struct bce *b = LIST_FIRST(&e->rejected);

		LIST_REMOVE(b, reject_entry);
		b->reject_pending = false;
		reply_reject_binding(e, b->id);
	}
}

/* Queued route changes reach the kernel; a refusal deletes its binding, whose route removals
 * must reach the kernel too before any tunnel goes. */
static void kernel_flush(struct lma_engine *e)
{
	do {
		reject_queued(e);
		e->kernel_queued = 0;
		if (e->io.flush)
			e->io.flush(e->io.ctx);
	} while (e->kernel_queued > 0 || !LIST_EMPTY(&e->rejected));
}

/* --- routes --- */

static void routes_add(struct lma_engine *e, struct bce *b)
{
	for (unsigned i = 0; i < b->n_prefix; i++) {
		e->kernel_queued++;
		if (e->io.route_add(e->io.ctx, &b->prefix[i].p, b->mag->tunnel, b->id) != 0) {
			bce_queue_reject(e, b);
			return;
		}
	}
}

static void routes_del(struct lma_engine *e, struct bce *b)
{
	for (unsigned i = 0; i < b->n_prefix; i++) {
		e->kernel_queued++;
		(void)e->io.route_del(e->io.ctx, &b->prefix[i].p, 0);
	}
}

/* --- binding life cycle --- */

static void bce_hold_or_delete(struct lma_engine *e, struct bce *b);

static void bce_timer_fired(struct timer *t, uint64_t now_ns)
{
	struct bce *b = CONTAINER_OF(t, struct bce, timer);
	struct lma_engine *e = t->arg;

	(void)now_ns;
	if (b->state == BCE_ACTIVE) {
		e->stats.bce_expired++;
		engine_bce_delete(e, b);
		return;
	}
	bce_hold_or_delete(e, b);
}

void engine_bce_arm_lifetime(struct lma_engine *e, struct bce *b)
{
	e->bc_changes++;
	b->registered_ns = e->now.mono_ns;
	b->stale = false; /* registered again since its MAG restarted */
	b->expires_ns = e->now.mono_ns + (uint64_t)b->lifetime_s * NS_PER_S;
	timer_arm(&e->timers, &b->timer, b->expires_ns);
}

struct bce *engine_bce_new(struct lma_engine *e, const char *id, const struct in6_addr *src,
                           const uint8_t *llid, uint8_t llid_len)
{
	struct lma_mag *mag = bc_mag_get(&e->bc, src);
	struct lma_mn *mn = bc_mn_get(&e->bc, id, strlen(id));
	struct bce *b = NULL;

	if (mag && mn)
		b = bc_bce_new(&e->bc, mn, mag, llid, llid_len);
	if (!b) { /* out of memory: what was made for it goes */
		if (mag)
			engine_mag_release(e, mag);
		if (mn)
			bc_mn_put(&e->bc, mn);
		return NULL;
	}
	timer_init(&b->timer, bce_timer_fired, e);
	e->stats.bce_created++;
	return b;
}

struct bce *engine_bce_create(struct lma_engine *e, struct pbu_ctx *c)
{
	const struct mh_opts *o = &c->req->opts;
	struct bce *b = engine_bce_new(e, c->id, c->src, o->llid,
	                               (o->present & MH_HAVE_MNLLID) ? o->llid_len : 0);

	if (b)
		c->mn = b->mn;
	return b;
}

bool engine_static_prefix(const struct lma_conf_mn *mn, const struct mh_prefix *p)
{
	for (unsigned i = 0; mn && i < mn->n_static; i++)
		if (mn->static_prefix[i].len == p->len &&
		    memcmp(&mn->static_prefix[i].addr, &p->addr, sizeof(p->addr)) == 0)
			return true;
	return false;
}

/* Routes for an (again) active binding; its MAG's tunnel is up. */
void engine_bce_activate(struct lma_engine *e, struct bce *b)
{
	b->state = BCE_ACTIVE;
	b->held = false;
	b->rerouted = false;
	routes_add(e, b);
}

void engine_bce_move(struct lma_engine *e, struct bce *b, const struct in6_addr *to)
{
	struct lma_mag *old = b->mag, *mag = bc_mag_get(&e->bc, to);

	if (!mag)
		return;
	bc_bce_move(&e->bc, b, mag);
	engine_mag_release(e, old);
	e->stats.handoffs++;
}

/* Another active binding of the MN, whose tunnel can carry b's prefixes meanwhile: not through
 * a MAG that does not answer its heartbeats. */
static struct bce *other_active(struct bce *b)
{
	struct bce *o;

	LIST_FOREACH(o, &b->mn->bces, mn_entry)
	if (o != b && o->state == BCE_ACTIVE && o->mag->tunnel && peer_usable(o->mag))
		return o;
	return NULL;
}

static void routes_via(struct lma_engine *e, struct bce *b, const struct bce *carrier)
{
	for (unsigned i = 0; i < b->n_prefix; i++) {
		e->kernel_queued++;
		(void)e->io.route_add(e->io.ctx, &b->prefix[i].p, carrier->mag->tunnel,
		                      b->id | REROUTE_COOKIE);
	}
	b->rerouted = true;
	b->via_tunnel = carrier->mag->tunnel;
}

struct bce *engine_sharer(struct bce *b)
{
	struct bce *o;

	LIST_FOREACH(o, &b->mn->bces, mn_entry)
	if (o != b && o->shared && o->state == BCE_ACTIVE && o->mag->tunnel && peer_usable(o->mag))
		return o;
	return NULL;
}

/* Prefix hold (lmad.conf(5) "prefix-hold"), the documented deviation from RFC 5213 §5.3.5 (data
 * for a de-registered binding SHOULD be dropped while it waits to be deleted): a de-registered
 * binding's prefixes stay reachable through another active binding of the MN, whose MAG lists
 * them in its MuHo options so that a weak-host MN keeps using the addresses, and connections
 * survive the loss of one interface. With "prefix-hold off" they are dropped as the RFC says. */
void engine_bce_deregister(struct lma_engine *e, struct bce *b)
{
	struct bce *o = engine_sharer(b); /* its prefixes are still that session's: no hold */

	if (!o && e->conf->prefix_hold_ms)
		o = other_active(b);

	if (o)
		routes_via(e, b, o);
	else
		routes_del(e, b);
	b->state = BCE_DEREG_WAIT;
	e->bc_changes++;
	b->held = false;
	b->dereg_ns = e->now.mono_ns;
	timer_arm(&e->timers, &b->timer,
	          e->now.mono_ns + (uint64_t)e->conf->bce_delete_delay_ms * NS_PER_MS);
	engine_group_changed(e, b->mn, NULL);
}

/* When the hold of a de-registered binding ends: never while "attached" (0), else the
 * configured time after its de-registration. */
static uint64_t hold_end(const struct lma_engine *e, const struct bce *b)
{
	uint32_t hold = e->conf->prefix_hold_ms;

	return hold == LMA_CONF_HOLD_ATTACHED ? 0 : b->dereg_ns + (uint64_t)hold * NS_PER_MS;
}

/* The delete delay of a de-registered binding is over: it stays, held, while another binding
 * carries its prefixes and the policy allows; else it goes. */
static void bce_hold_or_delete(struct lma_engine *e, struct bce *b)
{
	uint64_t end = hold_end(e, b);

	if (!b->rerouted || e->conf->prefix_hold_ms == 0 || (end && end <= e->now.mono_ns) ||
	    engine_sharer(b)) { /* a session sharing its prefixes takes them: nothing to hold */
		if (b->held)
			e->stats.holds_ended++;
		engine_bce_delete(e, b);
		return;
	}
	if (!b->held)
		e->stats.holds++;
	b->held = true;
	if (end)
		timer_arm(&e->timers, &b->timer, end);
}

/* Whether the tunnel b's prefixes were routed through still serves an active binding of the
 * MN: once it does not, it may go, and the kernel takes the routes with it. */
static bool carried(const struct bce *b)
{
	const struct bce *o;

	LIST_FOREACH(o, &b->mn->bces, mn_entry)
	if (o != b && o->state == BCE_ACTIVE && o->mag->tunnel == b->via_tunnel)
		return true;
	return false;
}

/* Nobody carries b's prefixes any more (§5.3.5): their routes go, and a held binding with them
 * (at once, from the timer: not inside a walk of the MN's bindings). */
static void unroute(struct lma_engine *e, struct bce *b)
{
	routes_del(e, b);
	b->rerouted = false;
	b->via_tunnel = 0;
	e->stats.reroutes_lost++;
	if (b->held)
		timer_arm(&e->timers, &b->timer, e->now.mono_ns);
}

static void reroute(struct lma_engine *e, struct bce *b)
{
	struct bce *o = other_active(b);

	if (o) {
		routes_via(e, b, o);
		e->stats.reroutes++;
		return;
	}
	unroute(e, b);
}

/* The kernel refused to route b's prefixes through their new carrier: they would stay in the
 * old tunnel and go with it, silently. */
static void reroute_refused(struct lma_engine *e, struct bce *b)
{
	if (b->rerouted)
		unroute(e, b);
}

/* The MN's bindings changed: de-registered prefixes whose carrier moved, de-registered or
 * went follow another active binding of the MN, before the old tunnel can go. */
static void mn_reroute(struct lma_engine *e, struct lma_mn *mn)
{
	struct bce *b;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	if (b->state == BCE_DEREG_WAIT && b->rerouted && !carried(b))
		reroute(e, b);
}

static void release_prefixes(struct lma_engine *e, struct bce *b)
{
	for (unsigned i = 0; i < b->n_prefix; i++)
		if (b->prefix[i].pooled && e->have_pool)
			pool_release(&e->pool, &b->prefix[i].p, b->mn->id); /* to rest */
}

/* RFC 7864 shared prefixes: a session that shares b's prefixes takes them over when b goes,
 * and routes them through its MAG; the MN keeps its addresses. */
static bool prefixes_inherited(struct lma_engine *e, struct bce *b)
{
	struct bce *heir = b->n_prefix ? engine_sharer(b) : NULL;

	if (!heir || !bc_bce_take_prefixes(&e->bc, heir, b))
		return false;
	routes_add(e, heir);
	return true;
}

void engine_bce_delete(struct lma_engine *e, struct bce *b)
{
	struct lma_mag *mag = b->mag;
	struct lma_mn *mn = b->mn;
	bool was_active = b->state == BCE_ACTIVE, had_routes = was_active || b->rerouted;

	e->bc_changes++;
	timer_cancel(&e->timers, &b->timer);
	engine_tag_drop(e, b);
	if (b->reject_pending)
		LIST_REMOVE(b, reject_entry);
	if (!prefixes_inherited(e, b)) {
		if (had_routes)
			routes_del(e, b);
		release_prefixes(e, b);
	}
	bc_bce_free(&e->bc, b);
	e->stats.bce_deleted++;
	engine_mag_release(e, mag);
	engine_group_changed(e, mn, NULL); /* its prefixes leave the other MAGs' lists now */
	bc_mn_put(&e->bc, mn);
}
