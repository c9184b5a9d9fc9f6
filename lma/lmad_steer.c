/* lmad_steer.c: the state behind lmad's steering modes (lma/fc_steer.c decides, lmad_fc.c
 * applies): since when each binding of a multihomed MN has been up, for the fail-back hold-down
 * of the priority, active-standby and load-balance modes; the timer that re-decides an MN's
 * flows when a hold-down ends; the MAG paths' heartbeat round-trip times (RFC 5847 §3.1) that
 * re-decide the smallest-delay flows when they move; the connection counters of the
 * load-balance flows by bytes; the bicast slots, each the copy rule toward one binding
 * (RFC 4908 §1.1's bi-casting, by the kernel's TEE target, kr.h); and the make-before-break
 * moves that end after their time. */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "lma/lmad_int.h"

#define DUP_SLOTS_MAX 1024 /* bindings that are some flow's second one at a time */

struct up_binding {
	uint64_t bce;
	uint64_t since_ns;
	uint64_t rtt_ns; /* its MAG's smoothed RTT when the MN's smallest-delay flows were decided */
};

/* One MN with bindings: since when each is up, and when a hold-down of its flows ends. */
struct up_mn {
	struct hnode node;
	TAILQ_ENTRY(up_mn) entry;
	unsigned n;
	struct up_binding up[LMAD_FC_MAX_CANDS];
	uint64_t due_ns; /* 0: none */
	char id[];
};

struct dup_slot {
	uint64_t bce; /* 0: free */
	struct in6_addr gw;
};

struct moving {
	TAILQ_ENTRY(moving) entry;
	uint32_t flow_id;
	uint64_t until_ns;
};

struct lmad_steer {
	struct hmap by_mn;
	TAILQ_HEAD(, up_mn) mns;
	ev_timer failback_w;
	struct dup_slot dups[DUP_SLOTS_MAX];   /* slot i + 1 */
	unsigned dups_used;                    /* slots holding a binding */
	TAILQ_HEAD(moving_list, moving) moves; /* in order of their end */
	ev_timer move_w;
	ev_timer delay_w; /* smallest-delay: the RTTs looked at again */
	ev_timer bytes_w; /* load-balance by bytes: the flows' counters read */
};

static uint64_t now_ns(void)
{
	struct lma_now now;

	lmad_now(&now);
	return now.mono_ns;
}

static double seconds_until(uint64_t at)
{
	uint64_t now = now_ns();

	return at > now ? (double)(at - now) / 1e9 : 0.;
}

/* --- since when each binding is up --- */

static uint64_t id_hash(const char *id)
{
	return hash_bytes(id, strlen(id), 0x5e3d);
}

static struct up_mn *up_find(const struct lmad_steer *s, const char *id)
{
	for (struct hnode *n = hmap_first(&s->by_mn, id_hash(id)); n; n = hmap_next_same(n)) {
		struct up_mn *u = HMAP_ENTRY(n, struct up_mn, node);

		if (strcmp(u->id, id) == 0)
			return u;
	}
	return NULL;
}

static void up_free(struct lmad_steer *s, struct up_mn *u)
{
	hmap_remove(&s->by_mn, &u->node);
	TAILQ_REMOVE(&s->mns, u, entry);
	free(u);
}

static struct up_mn *up_get(struct lmad_steer *s, const char *id)
{
	struct up_mn *u = up_find(s, id);
	size_t len = strlen(id);

	if (u || !(u = calloc(1, sizeof(*u) + len + 1)))
		return u;
	memcpy(u->id, id, len + 1);
	u->node.hash = id_hash(id);
	if (!hmap_insert(&s->by_mn, &u->node)) {
		free(u);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&s->mns, u, entry);
	return u;
}

static uint64_t since_in(const struct up_mn *u, uint64_t bce)
{
	for (unsigned i = 0; u && i < u->n; i++)
		if (u->up[i].bce == bce)
			return u->up[i].since_ns;
	return 0;
}

static bool up_counts(const struct bce *b)
{
	return b->state == BCE_ACTIVE && b->mag->tunnel;
}

void lmad_steer_mn_changed(struct lmad *d, const struct lma_mn *mn)
{
	struct lmad_steer *s = d->steer;
	struct up_mn *u = up_find(s, mn->id);
	struct up_binding was[LMAD_FC_MAX_CANDS];
	uint64_t now = now_ns();
	const struct bce *b;
	unsigned n_was;

	if (!u && mn->n_bce < 2)
		return; /* single-homed: nothing to fail back to */
	if (!u && !(u = up_get(s, mn->id)))
		return; /* out of memory: bindings taken as up long ago */
	n_was = u->n;
	memcpy(was, u->up, sizeof(was));
	u->n = 0;
	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		uint64_t since = 0;

		for (unsigned i = 0; i < n_was; i++)
			if (was[i].bce == b->id)
				since = was[i].since_ns;

		if (!up_counts(b) || u->n == LMAD_FC_MAX_CANDS)
			continue;
		u->up[u->n].bce = b->id;
		u->up[u->n].rtt_ns = lmad_steer_rtt(d, b);
		u->up[u->n++].since_ns = since ? since : now;
	}
	if (u->n == 0)
		up_free(s, u);
}

void lmad_steer_fill_up(const struct lmad *d, const char *mn_id, struct fc_binding *cands, size_t n)
{
	const struct up_mn *u = up_find(d->steer, mn_id);

	for (size_t i = 0; u && i < n; i++)
		cands[i].up_since_ns = since_in(u, cands[i].id);
}

/* --- fail-back after the hold-down --- */

static void failback_arm(struct lmad_steer *s, struct ev_loop *loop, uint64_t due)
{
	double after = seconds_until(due);

	if (ev_is_active(&s->failback_w) && ev_timer_remaining(loop, &s->failback_w) <= after)
		return;
	ev_timer_stop(loop, &s->failback_w);
	ev_timer_set(&s->failback_w, after, 0.);
	ev_timer_start(loop, &s->failback_w);
}

void lmad_steer_due(struct lmad *d, const char *mn_id, uint64_t due_ns)
{
	struct up_mn *u = up_find(d->steer, mn_id);

	if (!u || !due_ns)
		return;
	if (!u->due_ns || due_ns < u->due_ns)
		u->due_ns = due_ns;
	failback_arm(d->steer, d->loop, u->due_ns);
}

/* A walk of the multihomed MNs, only when a hold-down ends: rare, and each costs its MN's
 * flows. */
static void failback_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lmad *d = w->data;
	struct lmad_steer *s = d->steer;
	uint64_t now = now_ns(), next = 0;
	struct up_mn *u, *tmp;

	(void)revents;
	for (u = TAILQ_FIRST(&s->mns); u; u = tmp) {
		tmp = TAILQ_NEXT(u, entry);
		if (!u->due_ns)
			continue;
		if (u->due_ns <= now) {
			u->due_ns = 0;
			lmad_fc_mn_recheck(d, u->id); /* may set due_ns again */
		}
		if (u->due_ns && (!next || u->due_ns < next))
			next = u->due_ns;
	}
	if (next)
		failback_arm(s, loop, next);
}

/* --- smallest-delay: the paths' round-trip times --- */

uint64_t lmad_steer_rtt(const struct lmad *d, const struct bce *b)
{
	(void)d;
	return b->mag->hb.srtt_ns; /* its MAG has a binding, b: the heartbeat runs */
}

static bool have_mode(const struct lmad *d, enum fc_mode mode, bool by_bytes)
{
	for (const struct fc_policy *p = fc_policy_first(d->fc); p; p = fc_policy_next(d->fc, p))
		if (p->mode == mode && p->by_bytes == by_bytes)
			return true;
	return false;
}

/* Whether an RTT of the MN's bindings changed since its flows were last decided by them (the
 * new ones kept). */
static bool rtts_changed(const struct lmad *d, struct up_mn *u)
{
	const struct bc *bc = lma_engine_cache(d->engine);
	bool changed = false;

	for (unsigned i = 0; i < u->n; i++) {
		const struct bce *b = bc_bce_by_id(bc, u->up[i].bce);
		uint64_t rtt = b ? lmad_steer_rtt(d, b) : 0;

		changed |= rtt != u->up[i].rtt_ns;
		u->up[i].rtt_ns = rtt;
	}
	return changed;
}

/* Every heartbeat interval (once a second with heartbeats off, for a reload that turns them
 * on): the smallest-delay flows of each multihomed MN whose paths' RTTs moved are decided
 * again, so that they follow the lowest RTT (with its hysteresis). */
static void delay_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lmad *d = w->data;
	uint32_t interval = d->conf->heartbeat.interval_ms;
	struct up_mn *u, *tmp;

	(void)revents;
	if (have_mode(d, FC_MODE_SMALLEST_DELAY, false))
		for (u = TAILQ_FIRST(&d->steer->mns); u; u = tmp) {
			tmp = TAILQ_NEXT(u, entry);
			if (rtts_changed(d, u))
				lmad_fc_delay_recheck(d, u->id);
		}
	w->repeat = interval ? (double)interval / 1000. : 1.;
	ev_timer_again(loop, w);
}

/* --- load-balance by bytes: the flows' counters --- */

/* Once a second, the connection counters of the flows of load-balance policies by bytes, on
 * multihomed MNs (one ctnetlink request each): what their new flows are placed by. Only the
 * MN's oldest FC_STEER_SCAN flows count there, so only those are read. */
static void bytes_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lmad *d = w->data;
	struct up_mn *u;

	(void)loop;
	(void)revents;
	if (!have_mode(d, FC_MODE_LOAD_BALANCE, true))
		return;
	TAILQ_FOREACH(u, &d->steer->mns, entry)
	{
		struct fc_flow *f, *next;
		unsigned n = 0;

		for (f = fc_flow_mn_first(d->fc, u->id); f && n++ < FC_STEER_SCAN; f = next) {
			const struct fc_policy *p = fc_policy_by_id(d->fc, f->policy_id);

			next = fc_flow_mn_next(d->fc, f);
			if (p && p->mode == FC_MODE_LOAD_BALANCE && p->by_bytes)
				lmad_fc_read_bytes(d, f);
		}
	}
}

/* --- bicast slots --- */

uint16_t lmad_steer_dup_slot(struct lmad *d, const struct bce *also)
{
	struct dup_slot *free_slot = NULL;
	struct lmad_steer *s = d->steer;

	if (also->n_prefix == 0)
		return 0;
	for (unsigned i = 0; i < DUP_SLOTS_MAX; i++) {
		if (s->dups[i].bce == also->id)
			return (uint16_t)(i + 1);
		if (!s->dups[i].bce && !free_slot)
			free_slot = &s->dups[i];
	}
	if (!free_slot)
		return 0;
	/* an address of the binding's own prefix: the main table routes it through its tunnel */
	free_slot->gw = also->prefix[0].p.addr;
	if (kr_fc_dup_set(d->kr, (uint16_t)(free_slot - s->dups + 1), &free_slot->gw, true) < 0) {
		log_warn("flow steering: no bicast through binding %llu",
		         (unsigned long long)also->id);
		return 0;
	}
	free_slot->bce = also->id;
	s->dups_used++;
	return (uint16_t)(free_slot - s->dups + 1);
}

static void dup_release(struct lmad *d, struct dup_slot *slot)
{
	(void)kr_fc_dup_set(d->kr, (uint16_t)(slot - d->steer->dups + 1), &slot->gw, false);
	slot->bce = 0;
	d->steer->dups_used--;
}

/* Slots whose binding is no longer active go (their flows were moved before). */
void lmad_steer_dup_gc(struct lmad *d)
{
	const struct bc *bc = lma_engine_cache(d->engine);

	for (unsigned i = 0; i < DUP_SLOTS_MAX && d->steer->dups_used > 0; i++) {
		const struct bce *b;

		if (!d->steer->dups[i].bce)
			continue;
		b = bc_bce_by_id(bc, d->steer->dups[i].bce);
		if (!b || !up_counts(b))
			dup_release(d, &d->steer->dups[i]);
	}
}

/* --- make-before-break moves --- */

static void move_arm(struct lmad_steer *s, struct ev_loop *loop)
{
	struct moving *m = TAILQ_FIRST(&s->moves);

	ev_timer_stop(loop, &s->move_w);
	if (!m)
		return;
	ev_timer_set(&s->move_w, seconds_until(m->until_ns), 0.);
	ev_timer_start(loop, &s->move_w);
}

int lmad_steer_moving(struct lmad *d, uint32_t flow_id, uint64_t until_ns)
{
	struct lmad_steer *s = d->steer;
	struct moving *m = calloc(1, sizeof(*m)), *after;

	if (!m)
		return -1;
	m->flow_id = flow_id;
	m->until_ns = until_ns;
	after = TAILQ_LAST(&s->moves, moving_list);
	while (after && after->until_ns > until_ns)
		after = TAILQ_PREV(after, moving_list, entry);
	if (after)
		TAILQ_INSERT_AFTER(&s->moves, after, m, entry);
	else
		TAILQ_INSERT_HEAD(&s->moves, m, entry);
	move_arm(s, d->loop);
	return 0;
}

static void move_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lmad *d = w->data;
	struct lmad_steer *s = d->steer;
	uint64_t now = now_ns();
	struct moving *m;

	(void)revents;
	while ((m = TAILQ_FIRST(&s->moves)) && m->until_ns <= now) {
		TAILQ_REMOVE(&s->moves, m, entry);
		lmad_fc_move_done(d, m->flow_id);
		free(m);
	}
	move_arm(s, loop);
}

/* --- start, stop --- */

int lmad_steer_start(struct lmad *d)
{
	struct lmad_steer *s = calloc(1, sizeof(*s));

	if (!s || !hmap_init(&s->by_mn, 64)) {
		free(s);
		return -1;
	}
	TAILQ_INIT(&s->mns);
	TAILQ_INIT(&s->moves);
	if (!kr_fc_dup_possible(d->kr)) /* said once here, not only at each bicast refused */
		log_warnx("flow steering: no bicast with table-base %u: the tunnels' and binding "
		          "tags' marks must stay below 65536 (table-base 57343 or less)",
		          d->conf->table_base);
	ev_init(&s->failback_w, failback_fire);
	s->failback_w.data = d;
	ev_init(&s->move_w, move_fire);
	s->move_w.data = d;
	ev_timer_init(&s->delay_w, delay_fire, 1., 1.);
	s->delay_w.data = d;
	ev_timer_start(d->loop, &s->delay_w);
	ev_timer_init(&s->bytes_w, bytes_fire, 1., 1.);
	s->bytes_w.data = d;
	ev_timer_start(d->loop, &s->bytes_w);
	d->steer = s;
	return 0;
}

void lmad_steer_stop(struct lmad *d)
{
	struct lmad_steer *s = d->steer;
	struct moving *m;
	struct up_mn *u;

	if (!s)
		return;
	ev_timer_stop(d->loop, &s->failback_w);
	ev_timer_stop(d->loop, &s->move_w);
	ev_timer_stop(d->loop, &s->delay_w);
	ev_timer_stop(d->loop, &s->bytes_w);
	while ((m = TAILQ_FIRST(&s->moves))) {
		TAILQ_REMOVE(&s->moves, m, entry);
		free(m);
	}
	while ((u = TAILQ_FIRST(&s->mns)))
		up_free(s, u);
	hmap_free(&s->by_mn);
	free(s); /* the copy rules go with the chains (kr_fc_close) */
	d->steer = NULL;
}
