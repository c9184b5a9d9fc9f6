/* bul.c: the state machine of a binding update list entry (RFC 5213 §6.9), as a table of
 * (state, event) -> action; the action returns the next state, and every transition is logged
 * with the names below. Retransmission follows RFC 6275 §11.8 and RFC 5213 §6.9.4: from
 * INITIAL_BINDACK_TIMEOUT doubling to MAX_BINDACK_TIMEOUT, each time with a fresh timestamp; a
 * refresh starts refresh-before the granted lifetime ends. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "mag/engine_int.h"

#define STATE_GONE BUL_STATE_COUNT /* an action's verdict: free the entry */

static const char *const state_names[] = {
	[BUL_REGISTERING] = "registering",
	[BUL_REGISTERED] = "registered",
	[BUL_REFRESHING] = "refreshing",
	[BUL_DEREGISTERING] = "deregistering",
	[BUL_HELD] = "held",
	[BUL_DETACHED] = "detached",
	[STATE_GONE] = "gone",
};

static const char *const event_names[BUL_EV_COUNT] = {
	[BUL_EV_RS] = "router-solicitation",  [BUL_EV_PBA_ACCEPT] = "pba-accepted",
	[BUL_EV_PBA_REJECT] = "pba-rejected", [BUL_EV_TIMEOUT] = "timeout",
	[BUL_EV_LINK_DOWN] = "link-down",     [BUL_EV_DEREGISTER] = "deregister",
	[BUL_EV_LINK_UP] = "link-up",         [BUL_EV_REVOKE] = "revoked",
	[BUL_EV_REREGISTER] = "reregister",
};

const char *bul_state_name(enum bul_state s)
{
	return s <= STATE_GONE ? state_names[s] : "unknown";
}

typedef int (*bul_action)(struct mag_engine *e, struct bul_entry *b, const void *arg);

static uint64_t ms_ns(uint32_t ms)
{
	return (uint64_t)ms * NS_PER_MS;
}

/* Arms the entry's timer; while a registration is being refreshed it also fires when the
 * binding expires, so that no route outlives it. */
static void arm(struct mag_engine *e, struct bul_entry *b, uint64_t delay_ns)
{
	uint64_t when = e->now.mono_ns + delay_ns;

	if (b->state == BUL_REFRESHING && b->installed && b->expires_ns > e->now.mono_ns &&
	    b->expires_ns < when)
		when = b->expires_ns;
	timer_arm(&e->timers, &b->timer, when);
}

/* Sends a PBU and starts its retransmission clock. */
static void send_first(struct mag_engine *e, struct bul_entry *b, bool dereg, uint8_t hi)
{
	b->tries = 1;
	b->backoff_ms = e->conf->retransmit_initial_ms;
	signal_send_pbu(e, b, dereg, hi);
	arm(e, b, ms_ns(b->backoff_ms));
}

/* How many times a PBU is sent in all; 0: until an answer comes (RFC 5213 §6.9.4 SHOULD). A
 * de-registration is for an MN that has gone: it is bounded even then. */
static unsigned max_tries(const struct mag_engine *e, bool dereg)
{
	unsigned tries = e->conf->retransmit_tries;

	return dereg && tries == 0 ? MAG_DEREG_TRIES : tries;
}

/* Sends again with a fresh timestamp; false once the tries are spent. */
static bool send_again(struct mag_engine *e, struct bul_entry *b, bool dereg)
{
	unsigned limit = max_tries(e, dereg);

	if (limit && b->tries >= limit)
		return false;
	b->tries++;
	b->backoff_ms = b->backoff_ms * 2 > e->conf->retransmit_max_ms ? e->conf->retransmit_max_ms
	                                                               : b->backoff_ms * 2;
	e->stats.pbu_retransmitted++;
	signal_send_pbu(e, b, dereg, b->hi_sent);
	arm(e, b, ms_ns(b->backoff_ms));
	return true;
}

static void arm_refresh(struct mag_engine *e, struct bul_entry *b)
{
	uint32_t margin = e->conf->refresh_margin_s;

	if (margin > b->lifetime_s / 2)
		margin = b->lifetime_s / 2;
	arm(e, b, (uint64_t)(b->lifetime_s - margin) * NS_PER_S);
}

static void arm_ra(struct mag_engine *e, struct bul_entry *b)
{
	timer_arm(&e->timers, &b->ra_timer, e->now.mono_ns + ms_ns(e->conf->ra_interval_ms));
}

static int hold(struct mag_engine *e, struct bul_entry *b, bool forever)
{
	engine_uninstall(e, b);
	timer_cancel(&e->timers, &b->ra_timer);
	timer_cancel(&e->timers, &b->timer);
	if (!forever)
		arm(e, b, ms_ns(e->conf->retransmit_max_ms));
	return BUL_HELD;
}

/* --- actions --- */

static int act_register(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	const struct in6_addr *src = arg;

	if (!b->mn)
		return STATE_GONE; /* the MN is no longer in the configuration */
	if (src && !IN6_IS_ADDR_UNSPECIFIED(src))
		b->mn_ll = *src;
	send_first(e, b, false, b->n_hnp ? MH_HI_NO_CHANGE : MH_HI_NEW_IF);
	return BUL_REGISTERING;
}

static int act_accept(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	b->registered_ns = e->now.mono_ns;
	b->expires_ns = e->now.mono_ns + (uint64_t)b->lifetime_s * NS_PER_S;
	engine_install(e, b);
	engine_send_ra(e, b, false);
	arm_ra(e, b);
	arm_refresh(e, b);
	return BUL_REGISTERED;
}

static int act_refresh(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	send_first(e, b, false, MH_HI_NO_CHANGE);
	return BUL_REFRESHING;
}

/* Registering still: the PBU goes again now rather than at its back-off (the LMA is back). */
static int act_resend(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	if (b->tries == 0)
		return b->state; /* nothing sent yet */
	send_first(e, b, false, b->hi_sent);
	return b->state;
}

static int act_advertise(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	engine_send_ra(e, b, false);
	return b->state;
}

static int act_ignore(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)e;
	(void)arg;
	return b->state;
}

/* arg is non-NULL for a link that went down: no RA can reach the MN then. */
static int act_deregister(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	if (!arg && (b->state == BUL_REGISTERED || b->state == BUL_REFRESHING))
		engine_send_ra(e, b, true); /* withdraw the prefixes: the MN can still hear */
	engine_uninstall(e, b);
	timer_cancel(&e->timers, &b->ra_timer);
	e->stats.dereg_sent++;
	send_first(e, b, true, MH_HI_NO_CHANGE);
	return BUL_DEREGISTERING;
}

static int act_detach(struct mag_engine *e, struct bul_entry *b, const void *arg);

/* RFC 5213 §6.9.1.2: after a 156 the MAG registers again only once its clock is synchronised:
 * while the kernel says it is not, each retransmission is held (the back-off still grows). */
static bool held_for_the_clock(struct mag_engine *e, struct bul_entry *b)
{
	if (b->last_status != 156 || !e->io.clock_synced || e->io.clock_synced(e->io.ctx))
		return false;
	if (e->stats.clock_waits++ == 0)
		log_warnx("%s: waiting for the clock to be synchronised (the LMA answered 156)",
		          b->mn_id);
	b->backoff_ms = b->backoff_ms * 2 > e->conf->retransmit_max_ms ? e->conf->retransmit_max_ms
	                                                               : b->backoff_ms * 2;
	arm(e, b, ms_ns(b->backoff_ms));
	return true;
}

static int act_retransmit(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	if (b->state == BUL_REFRESHING && e->now.mono_ns >= b->expires_ns)
		engine_uninstall(e, b); /* the binding ran out: no route may outlive it */
	if (b->state != BUL_DEREGISTERING && held_for_the_clock(e, b))
		return b->state;
	if (send_again(e, b, b->state == BUL_DEREGISTERING))
		return b->state;
	if (b->state == BUL_DEREGISTERING)
		return act_detach(e, b, arg);
	e->stats.gave_up++;
	log_warnx("%s: no answer from the LMA after %u tries", b->mn_id, b->tries);
	return STATE_GONE;
}

/* De-registration is over: the entry keeps the MN's prefixes, so that if the MN comes back it
 * asks for them again (HI 5), for as long as its addresses may live. */
static int act_detach(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	timer_cancel(&e->timers, &b->ra_timer);
	if (b->n_hnp == 0)
		return STATE_GONE;
	timer_arm(&e->timers, &b->timer,
	          e->now.mono_ns + (uint64_t)(b->lifetime_s ? b->lifetime_s : 60) * NS_PER_S);
	return BUL_DETACHED;
}

static int act_gone(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)e;
	(void)b;
	(void)arg;
	return STATE_GONE;
}

static int act_drop_held(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	e->stats.dropped[MAG_DROP_HELD]++;
	return b->state;
}

/* RFC 5213 §6.9.1.2: each rejecting status has its consequence. */
static int act_reject(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	uint8_t status = *(const uint8_t *)arg;

	b->last_status = status;
	switch (status) {
	case 155: /* NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX: ask for a new one */
		engine_uninstall(e, b);
		b->n_hnp = b->n_muho = 0;
		b->ask_all_zero = true;
		return send_again(e, b, false) ? BUL_REGISTERING : hold(e, b, false);
	case 135: /* sequence number out of window: again at once, from the LMA's number */
	case 157: /* TIMESTAMP_LOWER_THAN_PREV_ACCEPTED: again, with a fresh timestamp */
		return send_again(e, b, false) ? (int)b->state : hold(e, b, false);
	case 156: /* TIMESTAMP_MISMATCH: our clock is off; never adopt the LMA's, and try again
	           * only with a synchronised clock (held_for_the_clock) */
		log_warnx("%s: the LMA finds our clock out of its window", b->mn_id);
		return b->state; /* the retransmission timer is still running */
	case 152:                /* PROXY_REG_NOT_ENABLED: deny service until told otherwise */
		log_warnx("%s: the LMA does not serve this MN", b->mn_id);
		return hold(e, b, true);
	default:
		log_warnx("%s: registration rejected with status %u", b->mn_id, status);
		return hold(e, b, false);
	}
}

/* RFC 5846 §9.2: the LMA revoked the binding. The MN hears its prefixes withdrawn while it
 * can, the routes go, and so does the entry: its prefixes are not the MN's any more. */
static int act_revoke(struct mag_engine *e, struct bul_entry *b, const void *arg)
{
	(void)arg;
	if (b->state == BUL_REGISTERED || b->state == BUL_REFRESHING)
		engine_send_ra(e, b, true);
	e->stats.revoked++;
	return STATE_GONE;
}

static const bul_action table[BUL_STATE_COUNT][BUL_EV_COUNT] = {
	[BUL_REGISTERING] = {
		[BUL_EV_RS] = act_ignore,
		[BUL_EV_PBA_ACCEPT] = act_accept,
		[BUL_EV_PBA_REJECT] = act_reject,
		[BUL_EV_TIMEOUT] = act_retransmit,
		[BUL_EV_LINK_DOWN] = act_deregister,
		[BUL_EV_LINK_UP] = act_ignore,
		[BUL_EV_DEREGISTER] = act_deregister,
		[BUL_EV_REVOKE] = act_revoke,
		[BUL_EV_REREGISTER] = act_resend,
	},
	[BUL_REGISTERED] = {
		[BUL_EV_RS] = act_advertise,
		[BUL_EV_PBA_ACCEPT] = act_ignore,
		[BUL_EV_PBA_REJECT] = act_ignore,
		[BUL_EV_TIMEOUT] = act_refresh,
		[BUL_EV_LINK_DOWN] = act_deregister,
		[BUL_EV_LINK_UP] = act_ignore,
		[BUL_EV_DEREGISTER] = act_deregister,
		[BUL_EV_REVOKE] = act_revoke,
		[BUL_EV_REREGISTER] = act_refresh,
	},
	[BUL_REFRESHING] = {
		[BUL_EV_RS] = act_advertise,
		[BUL_EV_PBA_ACCEPT] = act_accept,
		[BUL_EV_PBA_REJECT] = act_reject,
		[BUL_EV_TIMEOUT] = act_retransmit,
		[BUL_EV_LINK_DOWN] = act_deregister,
		[BUL_EV_LINK_UP] = act_ignore,
		[BUL_EV_DEREGISTER] = act_deregister,
		[BUL_EV_REVOKE] = act_revoke,
		[BUL_EV_REREGISTER] = act_refresh,
	},
	[BUL_DEREGISTERING] = {
		[BUL_EV_RS] = act_register, /* the MN is back */
		[BUL_EV_PBA_ACCEPT] = act_detach,
		[BUL_EV_PBA_REJECT] = act_detach,
		[BUL_EV_TIMEOUT] = act_retransmit,
		[BUL_EV_LINK_DOWN] = act_ignore,
		[BUL_EV_LINK_UP] = act_register, /* the MN is back on its link */
		[BUL_EV_DEREGISTER] = act_ignore,
		[BUL_EV_REVOKE] = act_revoke,
		[BUL_EV_REREGISTER] = act_ignore,
	},
	[BUL_HELD] = {
		[BUL_EV_RS] = act_drop_held,
		[BUL_EV_PBA_ACCEPT] = act_ignore,
		[BUL_EV_PBA_REJECT] = act_ignore,
		[BUL_EV_TIMEOUT] = act_gone,
		[BUL_EV_LINK_DOWN] = act_ignore,
		[BUL_EV_LINK_UP] = act_ignore,
		[BUL_EV_DEREGISTER] = act_gone,
		[BUL_EV_REVOKE] = act_revoke,
		[BUL_EV_REREGISTER] = act_ignore,
	},
	[BUL_DETACHED] = {
		[BUL_EV_RS] = act_register, /* the MN is back: it asks for its prefixes */
		[BUL_EV_PBA_ACCEPT] = act_ignore,
		[BUL_EV_PBA_REJECT] = act_ignore,
		[BUL_EV_TIMEOUT] = act_gone,
		[BUL_EV_LINK_DOWN] = act_ignore,
		[BUL_EV_LINK_UP] = act_register, /* back on its link: its prefixes again */
		[BUL_EV_DEREGISTER] = act_gone,
		[BUL_EV_REVOKE] = act_revoke,
		[BUL_EV_REREGISTER] = act_ignore,
	},
};

/* A new entry starts in REGISTERING with nothing sent: its first RS registers it. */
void bul_event(struct mag_engine *e, struct bul_entry *b, enum bul_event ev, const void *arg)
{
	bool fresh = b->tries == 0 && b->state == BUL_REGISTERING;
	int next =
	        fresh && ev == BUL_EV_RS ? act_register(e, b, arg) : table[b->state][ev](e, b, arg);

	if (next != (int)b->state || ev != BUL_EV_RS)
		log_debug("%s %02x:%02x:%02x:%02x:%02x:%02x: %s --%s--> %s", b->mn_id, b->mac[0],
		          b->mac[1], b->mac[2], b->mac[3], b->mac[4], b->mac[5],
		          state_names[b->state], event_names[ev], state_names[next]);
	if (next == STATE_GONE) {
		engine_entry_free(e, b);
		return;
	}
	b->state = (enum bul_state)next;
}

void bul_timer_fired(struct timer *t, uint64_t now_ns)
{
	struct bul_entry *b = t->arg;

	(void)now_ns;
	bul_event(b->e, b, BUL_EV_TIMEOUT, NULL);
}

void bul_ra_timer_fired(struct timer *t, uint64_t now_ns)
{
	struct bul_entry *b = t->arg;

	(void)now_ns;
	if (b->state != BUL_REGISTERED && b->state != BUL_REFRESHING)
		return;
	engine_send_ra(b->e, b, false);
	arm_ra(b->e, b);
}
