/* engine_bindings.c: the binding cache saved and restored across a restart of lmad
 * (lma/bindings.h). A restored entry is checked against the running configuration as a PBU
 * would be (RFC 5213 §5.3.1: the MAG and the MN authorized, §5.3.2: its prefixes its static ones
 * or the pool's, in no other binding; the max-bindings bounds), keeps the remaining lifetime it
 * had (§5.3.3: it expires by it unless its MAG refreshes it) and the last sequence number and
 * timestamp accepted (§5.5), which the file holds at most one sync interval old: the MAG's next
 * PBU is newer still and is accepted. Its MAG's tunnel gets the id it had, so the marks of the
 * steered connections the kernel kept still name the right tunnel. */
#include <string.h>

#include "lma/engine_int.h"

uint64_t lma_engine_binding_changes(const struct lma_engine *e)
{
	return e->bc_changes;
}

/* Monotonic time t as wall-clock time, with now as the reference. */
static uint64_t mono_to_real(uint64_t t, const struct lma_now *now)
{
	if (t >= now->mono_ns)
		return now->real_ns + (t - now->mono_ns);
	return now->real_ns > now->mono_ns - t ? now->real_ns - (now->mono_ns - t) : 0;
}

static void record_of(const struct bce *b, const struct lma_now *now, struct bind_record *r)
{
	memset(r, 0, sizeof(*r));
	r->id = b->id;
	memcpy(r->mn_id, b->mn->id, b->mn->id_len);
	r->mag = b->mag->addr;
	r->tunnel = b->mag->tunnel;
	r->llid_len = b->llid_len;
	memcpy(r->llid, b->llid, b->llid_len);
	r->att = b->att;
	r->hi = b->hi;
	r->muho = b->muho;
	r->have_lla = b->have_lla;
	r->lla = b->lla;
	r->lifetime_s = b->lifetime_s;
	r->registered_ns = mono_to_real(b->registered_ns, now);
	r->expires_ns = mono_to_real(b->expires_ns, now);
	r->seq = b->last_seq;
	r->have_ts = b->last_timestamp != 0;
	r->ts = b->last_timestamp;
	r->n_prefix = b->n_prefix;
	for (unsigned i = 0; i < b->n_prefix; i++)
		r->prefix[i] = b->prefix[i].p;
}

/* Active bindings only: one de-registered waits a few seconds for its deletion, and its pooled
 * prefixes rest with its MN through the lease file. */
void lma_engine_write_bindings(const struct lma_engine *e, FILE *out, const struct lma_now *now)
{
	struct bind_record r;

	bindings_write_header(out);
	for (size_t i = 0; e->bc.by_id.buckets && i <= e->bc.by_id.last; i++)
		for (const struct hnode *n = e->bc.by_id.buckets[i]; n; n = n->next) {
			const struct bce *b = HMAP_ENTRY(n, const struct bce, id_node);

			if (b->state != BCE_ACTIVE || b->expires_ns <= now->mono_ns ||
			    !b->have_replay || (b->n_prefix == 0 && !b->shared))
				continue;
			record_of(b, now, &r);
			bindings_write_bce(out, &r);
		}
}

/* --- restoring --- */

/* The MAG and the MN authorized now (§5.3.1 items 5-8, as check_identity() in pbu.c). */
static bool authorized(const struct lma_engine *e, const struct bind_record *r)
{
	const struct lma_conf_mag *mag = lma_conf_find_mag(e->conf, &r->mag);

	if (!mag || (mag->n_mns > 0 && !lma_conf_mag_may_serve(mag, r->mn_id)))
		return false;
	return e->conf->any_mn || lma_conf_find_mn(e->conf, r->mn_id) != NULL;
}

/* Not in the cache already (by id, interface, prefix), and within the max-bindings bounds. */
static bool fits(const struct lma_engine *e, const struct bind_record *r)
{
	const struct lma_mn *mn = bc_mn_find(&e->bc, r->mn_id, strlen(r->mn_id));
	const struct lma_mag *mag = bc_mag_find(&e->bc, &r->mag);

	if (r->id == UINT64_MAX || bc_bce_by_id(&e->bc, r->id))
		return false;
	if (mn && r->llid_len && bc_bce_by_llid(&e->bc, mn, r->llid, r->llid_len))
		return false;
	for (unsigned i = 0; i < r->n_prefix; i++)
		if (bc_bce_by_prefix(&e->bc, &r->prefix[i]))
			return false;
	return e->bc.n_bce < e->conf->max_bindings &&
	       (!mag || mag->n_bce < e->conf->max_bindings_mag) &&
	       (!mn || mn->n_bce < e->conf->max_bindings_mn);
}

/* The record's prefixes into b: each a static prefix of the MN, or the pool's for this MN. */
static bool restore_prefixes(struct lma_engine *e, struct bce *b, const struct bind_record *r)
{
	const struct lma_conf_mn *mn = lma_conf_find_mn(e->conf, r->mn_id);

	for (unsigned i = 0; i < r->n_prefix; i++) {
		bool pooled = !engine_static_prefix(mn, &r->prefix[i]);

		if (pooled &&
		    !(e->have_pool && pool_restore_bound(&e->pool, &r->prefix[i], r->mn_id)))
			return false;
		if (!bc_bce_add_prefix(&e->bc, b, &r->prefix[i], pooled))
			return false; /* only on a full binding: it was checked */
	}
	return true;
}

/* The MAG's tunnel with the id it had, or a new one if that id is taken or refused. */
static bool restore_tunnel(struct lma_engine *e, struct lma_mag *mag, uint32_t id)
{
	if (mag->tunnel)
		return true;
	if (id != 0 && e->io.tunnel_add_as && e->io.tunnel_add_as(e->io.ctx, &mag->addr, id) == 0) {
		mag->tunnel = id;
		peer_start(e, mag); /* its heartbeat, as for a tunnel made by a PBU */
		return true;
	}
	return engine_mag_tunnel(e, mag);
}

static void restore_fields(struct lma_engine *e, struct bce *b, const struct bind_record *r,
                           uint64_t left_ns)
{
	uint64_t age = e->now.real_ns > r->registered_ns ? e->now.real_ns - r->registered_ns : 0;

	b->att = r->att;
	b->hi = r->hi;
	b->shared =
	        r->hi == MH_HI_NEW_IF_SHARED; /* RFC 7864: a session sharing the MN's prefixes */
	b->muho = r->muho;
	b->have_lla = r->have_lla;
	b->lla = r->lla;
	b->lifetime_s =
	        r->lifetime_s < e->conf->max_lifetime_s ? r->lifetime_s : e->conf->max_lifetime_s;
	b->have_replay = true;
	b->last_seq = r->seq;
	b->last_timestamp = r->have_ts ? r->ts : 0;
	b->registered_ns = e->now.mono_ns > age ? e->now.mono_ns - age : 0;
	if (left_ns > (uint64_t)b->lifetime_s * NS_PER_S)
		left_ns = (uint64_t)b->lifetime_s * NS_PER_S; /* max-lifetime lowered meanwhile */
	b->expires_ns = e->now.mono_ns + left_ns;
	timer_arm(&e->timers, &b->timer, b->expires_ns);
}

static bool restore_bce(struct lma_engine *e, const struct bind_record *r, uint64_t left_ns)
{
	struct bce *b = engine_bce_new(e, r->mn_id, &r->mag, r->llid, r->llid_len);

	if (!b) {
		e->stats.dropped[LMA_DROP_NO_MEMORY]++;
		return false;
	}
	bc_bce_set_id(&e->bc, b, r->id);
	b->state = BCE_DEREG_WAIT; /* no route until activated: a refusal deletes none */
	if (!restore_prefixes(e, b, r) || !restore_tunnel(e, b->mag, r->tunnel)) {
		engine_bce_delete(e, b);
		return false;
	}
	restore_fields(e, b, r, left_ns);
	engine_bce_activate(e, b);
	e->bc_changes++;
	return true;
}

enum lma_restore lma_engine_restore_binding(struct lma_engine *e, const struct bind_record *r,
                                            const struct lma_now *now)
{
	bool ok;

	e->now = *now;
	if (r->expires_ns <= now->real_ns)
		return LMA_RESTORE_EXPIRED;
	if (!authorized(e, r) || !fits(e, r))
		return LMA_RESTORE_REFUSED;
	e->restoring = true;
	ok = restore_bce(e, r, r->expires_ns - now->real_ns);
	e->restoring = false;
	return ok ? LMA_RESTORE_OK : LMA_RESTORE_REFUSED;
}

/* The restored MNs' tags, then the flows of each (io.mn_changed). */
void lma_engine_restore_done(struct lma_engine *e)
{
	for (size_t i = 0; i <= e->bc.by_mn.last; i++)
		for (struct hnode *n = e->bc.by_mn.buckets[i]; n; n = n->next) {
			struct lma_mn *mn = HMAP_ENTRY(n, struct lma_mn, node);

			engine_tags_sync(e, mn);
			if (e->io.mn_changed)
				e->io.mn_changed(e->io.ctx, mn);
		}
}
