/* peer.c: the MAG's heartbeat with its LMA (RFC 5847 §3.1 failure detection, §3.2 restart
 * detection, §3.3 messages, §3.4 Restart Counter, §5 the variables as the "heartbeat" statement
 * of magd.conf(5)). A Heartbeat Request goes to the LMA every interval while the binding update
 * list has an entry. An LMA that leaves `misses` requests in a row unanswered is logged as
 * unreachable; the MAG keeps serving what it can (routes, advertisements, retransmissions go
 * on). When it answers again, or its Restart Counter changed (it restarted and may have lost our
 * bindings), every MN is registered again at once with its prefixes (HI 5), without waiting for
 * its refresh. */
#include <inttypes.h>

#include "mag/engine_int.h"

static const struct cfg_heartbeat *hb_conf(const struct mag_engine *e)
{
	return &e->conf->heartbeat;
}

const struct hb_peer *mag_engine_peer(const struct mag_engine *e)
{
	return &e->lma;
}

static void send_request(struct mag_engine *e, uint32_t seq)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_HB);
	m.u.hb.seq = seq;
	signal_send(e, &m);
	e->stats.hb_requests++;
}

/* The next request an interval after from_ns. */
static void arm(struct mag_engine *e, uint64_t from_ns)
{
	e->lma.checking = false;
	timer_arm(&e->timers, &e->lma.timer, from_ns + hb_conf(e)->interval_ms * NS_PER_MS);
}

static void peer_fired(struct timer *t, uint64_t now_ns)
{
	struct mag_engine *e = t->arg;
	uint32_t seq;

	unsigned ev;

	if (LIST_EMPTY(&e->bul) || hb_conf(e)->interval_ms == 0)
		return; /* no MN to serve, or heartbeats off: until the next registration */
	if (e->lma.checking) { /* the last request's response deadline */
		e->lma.checking = false;
		ev = hb_peer_check(&e->lma, hb_conf(e));
		arm(e, e->lma.sent_ns);
	} else {
		ev = hb_peer_tick(&e->lma, hb_conf(e), now_ns, &seq);
		send_request(e, seq);
		e->lma.checking = true;
		timer_arm(&e->timers, &e->lma.timer, now_ns + hb_response_wait_ns(hb_conf(e)));
	}
	if (ev & HB_EV_FAILED) {
		e->stats.peer_failures++;
		log_warnx("the LMA is unreachable: %u heartbeats unanswered; still serving",
		          e->lma.misses);
	}
}

void mag_peer_init(struct mag_engine *e)
{
	hb_peer_init(&e->lma, peer_fired, e, 0);
}

/* An MN is registered: the heartbeat runs (the first request an interval later). */
void mag_peer_start(struct mag_engine *e)
{
	if (hb_conf(e)->interval_ms && !timer_armed(&e->lma.timer))
		arm(e, e->now.mono_ns);
}

/* A reload may have turned heartbeats on: the first request at the next timer run (the
 * engine's clock is not read on a reload). */
void mag_peer_reloaded(struct mag_engine *e)
{
	if (hb_conf(e)->interval_ms && !timer_armed(&e->lma.timer) && !LIST_EMPTY(&e->bul)) {
		e->lma.checking = false;
		timer_arm(&e->timers, &e->lma.timer, 0);
	}
}

static void reregister_all(struct mag_engine *e)
{
	struct bul_entry *b, *next;

	for (b = LIST_FIRST(&e->bul); b; b = next) {
		next = LIST_NEXT(b, entry);
		if (b->state == BUL_REGISTERED || b->state == BUL_REFRESHING ||
		    (b->state == BUL_REGISTERING && b->tries > 0))
			e->stats.reregistrations++;
		bul_event(e, b, BUL_EV_REREGISTER, NULL);
	}
}

static void act(struct mag_engine *e, unsigned ev)
{
	if (ev & HB_EV_RECOVERED) {
		e->stats.peer_recoveries++;
		log_warnx("the LMA answers again: registering every MN again");
	}
	if (ev & (HB_EV_RECOVERED | HB_EV_RESTARTED))
		reregister_all(e);
}

/* A response (signal.c passes the LMA's requests on once it answered them). */
void mag_peer_input(struct mag_engine *e, const struct mh_msg *m)
{
	uint32_t old = e->lma.restart_counter;
	int ev = hb_peer_input(&e->lma, hb_conf(e), m, e->now.mono_ns);

	if (ev < 0) {
		e->stats.dropped[MAG_DROP_HB_UNMATCHED]++;
		return;
	}
	if ((m->u.hb.flags & (MH_HB_R | MH_HB_U)) == MH_HB_R)
		e->stats.hb_responses++;
	if (ev & HB_EV_RESTARTED) {
		e->stats.peer_restarts++;
		log_warnx("the LMA restarted (restart counter %" PRIu32 ", was %" PRIu32
		          "): registering every MN again",
		          e->lma.restart_counter, old);
	}
	act(e, (unsigned)ev);
}
