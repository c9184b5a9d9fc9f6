/* peer.c: the LMA's heartbeat with each MAG it has bindings with (RFC 5847 §3.1 failure
 * detection, §3.2 restart detection, §3.3 messages, §3.4 Restart Counter, §5 the variables as
 * the "heartbeat" statement of lmad.conf(5)). A Heartbeat Request goes to the MAG every
 * interval while it has a binding; a Request from a MAG we serve is answered with our Restart
 * Counter. A MAG that leaves `misses` requests in a row unanswered is unreachable: its active
 * bindings are released at once through the de-registration path (pbu_release_binding), so
 * their prefixes and flows follow the MN's other bindings and the other MAGs are notified.
 * A MAG whose Restart Counter changed restarted: its active bindings turn stale, keep their
 * routes for interval x misses while the MAG registers them again, and are released then. */
#include <string.h>

#include "lma/engine_int.h"

static const struct cfg_heartbeat *hb_conf(const struct lma_engine *e)
{
	return &e->conf->heartbeat;
}

bool peer_usable(const struct lma_mag *mag)
{
	return mag->hb.state != HB_UNREACHABLE;
}

const struct hb_peer *lma_engine_peer(const struct lma_engine *e, const struct in6_addr *addr)
{
	const struct lma_mag *mag = bc_mag_find(&e->bc, addr);

	return mag && mag->n_bce > 0 ? &mag->hb : NULL;
}

bool lma_engine_peer_failing(const struct lma_engine *e)
{
	return e->failing;
}

static void tell(struct lma_engine *e, const struct lma_mag *mag, unsigned events)
{
	if (events && e->io.peer_event)
		e->io.peer_event(e->io.ctx, &mag->addr, events);
}

static void send_request(struct lma_engine *e, const struct lma_mag *mag, uint32_t seq)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_HB);
	m.u.hb.seq = seq;
	reply_send(e, &mag->addr, &m);
	e->stats.hb_requests++;
}

/* Releases the MAG's active bindings (those flagged stale only, if stale_only). */
static unsigned release_bindings(struct lma_engine *e, struct lma_mag *mag, bool stale_only)
{
	struct bce *b, *next;
	unsigned n = 0;

	e->failing = true;
	for (b = LIST_FIRST(&mag->bces); b; b = next) {
		next = LIST_NEXT(b, mag_entry); /* released bindings stay on the list */
		if (b->state != BCE_ACTIVE || (stale_only && !b->stale))
			continue;
		b->stale = false;
		pbu_release_binding(e, b);
		n++;
	}
	e->failing = false;
	return n;
}

static void stale_expire(struct lma_engine *e, struct lma_mag *mag)
{
	if (!mag->stale_until || e->now.mono_ns < mag->stale_until)
		return;
	mag->stale_until = 0;
	e->stats.stale_bindings_released += release_bindings(e, mag, true);
}

static void peer_fired(struct timer *t, uint64_t now_ns)
{
	struct lma_mag *mag = CONTAINER_OF(t, struct lma_mag, hb.timer);
	struct lma_engine *e = t->arg;
	uint32_t seq;
	unsigned ev;

	if (mag->n_bce == 0 || hb_conf(e)->interval_ms == 0)
		return; /* going, or heartbeats turned off: no new request */
	if (mag->hb.checking) { /* the last request's response deadline */
		mag->hb.checking = false;
		ev = hb_peer_check(&mag->hb, hb_conf(e));
		timer_arm(&e->timers, &mag->hb.timer,
		          mag->hb.sent_ns + hb_conf(e)->interval_ms * NS_PER_MS);
	} else {
		ev = hb_peer_tick(&mag->hb, hb_conf(e), now_ns, &seq);
		send_request(e, mag, seq);
		mag->hb.checking = true;
		timer_arm(&e->timers, &mag->hb.timer, now_ns + hb_response_wait_ns(hb_conf(e)));
	}
	stale_expire(e, mag);
	if (!(ev & HB_EV_FAILED))
		return;
	e->stats.peer_failures++;
	tell(e, mag, ev);
	e->stats.peer_bindings_failed += release_bindings(e, mag, false);
}

static void arm_first(struct lma_engine *e, struct lma_mag *mag)
{
	if (!hb_conf(e)->interval_ms || timer_armed(&mag->hb.timer))
		return;
	mag->hb.checking = false; /* the next run sends a request */
	timer_arm(&e->timers, &mag->hb.timer, e->now.mono_ns + hb_conf(e)->interval_ms * NS_PER_MS);
}

/* The MAG has its first binding (and tunnel): the first request goes an interval later. */
void peer_start(struct lma_engine *e, struct lma_mag *mag)
{
	if (!mag->hb.timer.fn)
		hb_peer_init(&mag->hb, peer_fired, e, e->io.random ? e->io.random(e->io.ctx) : 0);
	arm_first(e, mag);
}

void peer_stop(struct lma_engine *e, struct lma_mag *mag)
{
	timer_cancel(&e->timers, &mag->hb.timer);
}

/* A reload may have turned heartbeats on: every MAG with bindings gets a request at the next
 * timer run (the engine's clock is not read on a reload). */
void peer_conf_changed(struct lma_engine *e)
{
	if (hb_conf(e)->interval_ms == 0)
		return;
	for (size_t i = 0; i <= e->bc.by_mag.last; i++)
		for (struct hnode *n = e->bc.by_mag.buckets[i]; n; n = n->next) {
			struct lma_mag *mag = HMAP_ENTRY(n, struct lma_mag, node);

			if (mag->n_bce > 0 && mag->hb.timer.fn && !timer_armed(&mag->hb.timer)) {
				mag->hb.checking = false;
				timer_arm(&e->timers, &mag->hb.timer, 0);
			}
		}
}

/* RFC 5847 §3.2: a new Restart Counter is a restart; the bindings registered before the old
 * counter was last heard turn stale (those registered since may be the new life's already). */
static void restarted(struct lma_engine *e, struct lma_mag *mag)
{
	struct bce *b;
	unsigned n = 0;

	LIST_FOREACH(b, &mag->bces, mag_entry)
	if (b->state == BCE_ACTIVE && b->registered_ns <= mag->hb.before_restart_ns) {
		b->stale = true;
		n++;
	}
	e->stats.peer_restarts++;
	if (n)
		mag->stale_until = e->now.mono_ns + hb_detection_ns(hb_conf(e));
}

static void act(struct lma_engine *e, struct lma_mag *mag, unsigned ev)
{
	tell(e, mag, ev);
	if (ev & HB_EV_RECOVERED)
		e->stats.peer_recoveries++;
	if (ev & HB_EV_RESTARTED)
		restarted(e, mag);
}

/* RFC 5847 §3.3, §3.4: a request from a MAG we serve is answered at once with our Restart
 * Counter. */
static void answer(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m)
{
	struct mh_msg r;

	mh_msg_init(&r, MH_TYPE_HB);
	r.u.hb.flags = MH_HB_R;
	r.u.hb.seq = m->u.hb.seq;
	r.opts.present = MH_HAVE_RESTART_COUNTER;
	r.opts.restart_counter = e->restart_counter;
	reply_send(e, src, &r);
}

void peer_heartbeat_input(struct lma_engine *e, const struct in6_addr *src,
                          const struct mh_msg *m)
{
	bool response = m->u.hb.flags & MH_HB_R;
	struct lma_mag *mag;
	int ev;

	if (!lma_conf_find_mag(e->conf, src)) {
		e->stats.dropped[LMA_DROP_UNEXPECTED]++;
		return;
	}
	if (!response)
		answer(e, src, m);
	mag = bc_mag_find(&e->bc, src);
	if (!mag || !mag->hb.timer.fn) { /* no binding made through it yet: no heartbeat */
		if (response)
			e->stats.dropped[LMA_DROP_HB_UNMATCHED]++;
		return;
	}
	ev = hb_peer_input(&mag->hb, hb_conf(e), m, e->now.mono_ns);
	if (ev < 0) {
		e->stats.dropped[LMA_DROP_HB_UNMATCHED]++;
		return;
	}
	if (response && !(m->u.hb.flags & MH_HB_U))
		e->stats.hb_responses++;
	act(e, mag, (unsigned)ev);
}
