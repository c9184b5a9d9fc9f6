/* pbu.c: Proxy Binding Update processing at the LMA, in the order RFC 5213 §5.3.1 prescribes
 * (the order MUST be kept): MN Identifier (160), MAG authorization (154), MN identification
 * (153), MN authorization (152), timestamp or sequence number (156, 157 / 135, §5.5), HNP (158),
 * Handoff Indicator (161), Access Technology Type (162); then the binding cache lookup of §5.4.1
 * (155, 159) and one of: new session (§5.3.2), renewal (§5.3.3), handoff (§5.3.4),
 * de-registration (§5.3.5). The Handoff Indicator 4 wait is MaxDelayBeforeNewBCEAssign (§5.4.1.3).
 * Handoff Indicator 6 (RFC 7864, attachment over a new interface sharing prefixes) never moves a
 * session: it makes a new one at its MAG that shares the MN's prefixes (doc/protocol.md).
 *
 * Replay state is kept per mobility session (BCE), not per MN: a multihomed MN's sessions are
 * registered by different MAGs whose clocks and sequence counters are independent. */
#include <stdlib.h>
#include <string.h>

#include "lma/engine_int.h"

static bool prefix_is_zero(const struct mh_prefix *p)
{
	static const struct in6_addr zero;

	return memcmp(&p->addr, &zero, sizeof(zero)) == 0;
}

static bool mnid_is_nai(const struct mh_opts *o)
{
	return o->mnid.subtype == MH_MNID_SUBTYPE_NAI && o->mnid.len > 0;
}

/* Items 5-6: a MAG restricted to some MNs may not register any other, whatever the MN-ID's
 * type and whether we know the MN (items 7-8 come after). */
static bool mag_refuses_mn(const struct lma_conf_mag *mag, const struct pbu_ctx *c)
{
	if (mag->n_mns == 0)
		return false;
	return !mnid_is_nai(&c->req->opts) || !lma_conf_mag_may_serve(mag, c->id);
}

/* RFC 5213 §5.3.1 items 4-8, in that order. */
static int check_identity(struct pbu_ctx *c)
{
	const struct mh_opts *o = &c->req->opts;
	const struct lma_conf *conf = c->e->conf;
	const struct lma_conf_mag *mag = lma_conf_find_mag(conf, c->src);

	c->conf_mag = mag; /* looked up first: the reply to a stranger is rate-limited */
	if (!(o->present & MH_HAVE_MNID))
		return 160; /* MISSING_MN_IDENTIFIER_OPTION */
	memcpy(c->id, o->mnid.id, o->mnid.len);
	c->id[o->mnid.len] = '\0';
	if (!mag || mag_refuses_mn(mag, c))
		return 154; /* MAG_NOT_AUTHORIZED_FOR_PROXY_REG */
	if (!mnid_is_nai(o))
		return 153; /* NOT_LMA_FOR_THIS_MOBILE_NODE: we identify MNs by NAI only */
	c->conf_mn = lma_conf_find_mn(conf, c->id);
	if (!c->conf_mn && !conf->any_mn)
		return 152; /* PROXY_REG_NOT_ENABLED */
	return 0;
}

/* §5.4.1.2, §5.4.1.3: with no prefix named, a session is keyed by MN-ID, Access Technology
 * Type and MN link-layer identifier. A handoff between interfaces (HI 2) or between MAGs (HI 3)
 * that matches none moves the MN's only session, if it has one and only one. */
static struct bce *session_by_interface(const struct pbu_ctx *c)
{
	const struct mh_opts *o = &c->req->opts;
	struct bce *b = NULL;

	if (o->present & MH_HAVE_MNLLID)
		b = bc_bce_by_llid(&c->e->bc, c->mn, o->llid, o->llid_len);
	if (b && b->att == o->att)
		return b;
	if ((o->hi == MH_HI_IF_CHANGE || o->hi == MH_HI_MAG_CHANGE) && c->mn->n_bce == 1)
		return LIST_FIRST(&c->mn->bces);
	return NULL;
}

/* RFC 7864 (HI 6): the session sharing the MN's prefixes that this MAG holds for this
 * interface; its PBUs name prefixes other sessions own. */
static struct bce *shared_here(const struct pbu_ctx *c)
{
	const struct mh_opts *o = &c->req->opts;
	struct bce *b;

	if (!(o->present & MH_HAVE_MNLLID))
		return NULL;
	b = bc_bce_by_llid(&c->e->bc, c->mn, o->llid, o->llid_len);
	if (!b || !b->shared || b->att != o->att ||
	    memcmp(&b->mag->addr, c->src, sizeof(*c->src)) != 0)
		return NULL;
	return b;
}

/* After the prefixes: the shared session of this interface, a new one for HI 6 (never a
 * handoff: it takes nothing away), else §5.4.1's lookup by interface. */
static struct bce *session_not_by_prefix(struct pbu_ctx *c, struct bce *owner)
{
	struct bce *shared = shared_here(c), *same;

	if (shared)
		return shared;
	if (c->req->opts.hi != MH_HI_NEW_IF_SHARED || c->mn->n_bce == 0)
		return owner ? owner : session_by_interface(c);
	same = session_by_interface(c); /* this very interface, registered here already */
	if (same && memcmp(&same->mag->addr, c->src, sizeof(*c->src)) == 0)
		return same;
	c->share = true;
	return NULL;
}

/* The session this PBU is about: by its prefixes if it names any, else by the MN's interface.
 * Returns the §5.4.1 verdict (155, 159), which the RFC's order applies after the option checks. */
static int find_session(struct pbu_ctx *c)
{
	const struct mh_opts *o = &c->req->opts;
	struct bce *owner = NULL;

	c->mn = bc_mn_find(&c->e->bc, c->id, strlen(c->id));
	c->all_zero = true;
	for (unsigned i = 0; i < o->n_hnp; i++) {
		struct bce *b;

		if (prefix_is_zero(&o->hnp[i]))
			continue;
		c->all_zero = false;
		b = bc_bce_by_prefix(&c->e->bc, &o->hnp[i]);
		c->unowned |= !b;
		if (b && b->mn != c->mn)
			return 155; /* NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX */
		if (b && owner && b != owner)
			return 159; /* the prefixes belong to different sessions */
		owner = b ? b : owner;
	}
	if (c->mn)
		owner = session_not_by_prefix(c, owner);
	c->bce = owner;
	if ((c->share || (owner && owner->shared)) && c->unowned)
		return owner ? 159 : 155; /* a shared session names only the MN's prefixes */
	return 0;
}

static int check_timestamp(struct pbu_ctx *c)
{
	uint64_t ts = c->req->opts.timestamp;
	uint64_t ts_ns = mh_timestamp_to_ns(ts);
	uint64_t now = c->e->now.rx_real_ns ? c->e->now.rx_real_ns : c->e->now.real_ns;
	uint64_t window = (uint64_t)c->e->conf->timestamp_window_ms * NS_PER_MS;
	uint64_t skew = ts_ns > now ? ts_ns - now : now - ts_ns;

	/* §5.5: lower than the last accepted is 157 even when it is also outside the window */
	if (c->bce && c->bce->have_replay && ts <= c->bce->last_timestamp)
		return 157; /* TIMESTAMP_LOWER_THAN_PREV_ACCEPTED */
	if (skew > window)
		return 156; /* TIMESTAMP_MISMATCH */
	return 0;
}

static int check_sequence(struct pbu_ctx *c)
{
	uint16_t diff;

	if (!c->bce || !c->bce->have_replay)
		return 0; /* no binding: any sequence number is accepted */
	diff = (uint16_t)(c->req->u.bu.seq - c->bce->last_seq);
	return diff == 0 || diff >= 0x8000 ? 135 : 0; /* modulo 2^16, RFC 6275 §9.5.1 */
}

static bool uses_timestamp(const struct pbu_ctx *c)
{
	return c->e->conf->use_timestamps && (c->req->opts.present & MH_HAVE_TIMESTAMP);
}

static int check_request(struct pbu_ctx *c)
{
	const struct mh_opts *o = &c->req->opts;
	int status = check_identity(c), session;

	if (status)
		return status;
	session = find_session(c);
	if (!c->replay_checked)
		status = uses_timestamp(c) ? check_timestamp(c) : check_sequence(c);
	if (status)
		return status;
	if (o->n_hnp == 0)
		return 158; /* MISSING_HOME_NETWORK_PREFIX_OPTION */
	if (!(o->present & MH_HAVE_HI))
		return 161; /* MISSING_HANDOFF_INDICATOR_OPTION */
	if (!(o->present & MH_HAVE_ATT) || o->att == 0)
		return 162; /* MISSING_ACCESS_TECH_TYPE_OPTION; 0 is reserved (§8.5), no type */
	if (session)
		return session;
	if (c->bce && !c->bce->shared && !c->all_zero &&
	    !bc_bce_same_prefixes(c->bce, o->hnp, o->n_hnp))
		return 159; /* BCE_PBU_PREFIX_SET_DO_NOT_MATCH */
	return 0;
}

/* The lifetime granted: what the MAG asked for (4-second units), at most max-lifetime. */
static uint32_t granted_lifetime(const struct lma_engine *e, const struct mh_msg *m)
{
	uint32_t s = m->u.bu.lifetime * 4u;

	return s < e->conf->max_lifetime_s ? s : e->conf->max_lifetime_s;
}

/* The link-local address the MAG is to use on the MN's access link (§6.8), generated for the
 * MN when the MAG asks with ALL_ZERO (§5.3.6): fe80::/64 and an interface identifier hashed
 * from the MN-ID (FNV-1a), so that every MAG serving the MN gets the same one. */
static void generate_lla(const char *id, struct in6_addr *lla)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	memset(lla, 0, sizeof(*lla));
	lla->s6_addr[0] = 0xfe;
	lla->s6_addr[1] = 0x80;
	for (int i = 0; i < 8; i++)
		lla->s6_addr[8 + i] = (uint8_t)(h >> (56 - 8 * i));
	lla->s6_addr[8] &= (uint8_t)~0x02; /* universal/local bit 0: a local identifier */
}

/* A non-zero address the MAG names is the one it uses; ALL_ZERO asks us for it, and the one
 * the session already has (or a new one) is returned, never :: as if it were assigned. */
static void remember_lla(struct pbu_ctx *c, struct bce *b)
{
	const struct in6_addr *lla = &c->req->opts.lla;

	if (!IN6_IS_ADDR_UNSPECIFIED(lla))
		b->lla = *lla;
	else if (!b->have_lla)
		generate_lla(b->mn->id, &b->lla);
	b->have_lla = true;
}

static void remember_request(struct pbu_ctx *c, struct bce *b)
{
	const struct mh_opts *o = &c->req->opts;

	b->have_replay = true;
	b->last_seq = c->req->u.bu.seq;
	if (uses_timestamp(c))
		b->last_timestamp = o->timestamp;
	b->hi = b->shared ? MH_HI_NEW_IF_SHARED : o->hi; /* what pmipctl and the binding file say */
	b->att = o->att;
	b->muho = o->n_muho > 0;
	if (o->present & MH_HAVE_LLA)
		remember_lla(c, b);
	b->lifetime_s = c->lifetime_s;
}

/* --- prefixes for a new session (§5.3.2) --- */

static bool static_prefix_ok(const struct pbu_ctx *c, const struct mh_prefix *p)
{
	return engine_static_prefix(c->conf_mn, p);
}

/* A pooled prefix at rest since this very MN-ID released it (pool.h): a returning interface
 * gets its addresses back. */
static bool reclaimable(const struct pbu_ctx *c, const struct mh_prefix *p)
{
	return c->e->have_pool && pool_may_reclaim(&c->e->pool, p, c->id);
}

/* The i-th prefix the request names may start the session: in no binding, not named twice
 * (it could not be taken twice), and one of the MN's static prefixes or reclaimable. */
static bool requested_ok(const struct pbu_ctx *c, unsigned i)
{
	const struct mh_prefix *hnp = c->req->opts.hnp;

	for (unsigned j = 0; j < i; j++)
		if (mh_prefix_equal(&hnp[j], &hnp[i]))
			return false;
	if (bc_bce_by_prefix(&c->e->bc, &hnp[i]))
		return false;
	return static_prefix_ok(c, &hnp[i]) || reclaimable(c, &hnp[i]);
}

/* The prefixes the request names, all or none: every one is checked before any is taken, so
 * a refusal leaves the others at rest for the MN. */
static int assign_requested(struct pbu_ctx *c, struct bce *b)
{
	const struct mh_opts *o = &c->req->opts;

	for (unsigned i = 0; i < o->n_hnp; i++)
		if (!requested_ok(c, i))
			return 155;
	if (o->n_hnp > BCE_MAX_PREFIXES)
		return 130;
	for (unsigned i = 0; i < o->n_hnp; i++) {
		bool pooled = !static_prefix_ok(c, &o->hnp[i]);

		if (pooled && !pool_reclaim(&c->e->pool, &o->hnp[i], c->id))
			return 130; /* checked above: cannot happen */
		if (!bc_bce_add_prefix(&c->e->bc, b, &o->hnp[i], pooled))
			return 130;
	}
	return 0;
}

/* ALL_ZERO: one of the MN's static prefixes not in use, else one from the pool. */
static int assign_new(struct pbu_ctx *c, struct bce *b)
{
	struct lma_engine *e = c->e;
	struct mh_prefix p;

	for (unsigned i = 0; c->conf_mn && i < c->conf_mn->n_static; i++) {
		p.addr = c->conf_mn->static_prefix[i].addr;
		p.len = c->conf_mn->static_prefix[i].len;
		if (!bc_bce_by_prefix(&e->bc, &p))
			return bc_bce_add_prefix(&e->bc, b, &p, false) ? 0 : 130;
	}
	if (!e->have_pool || !pool_alloc(&e->pool, &p, engine_prefix_in_use, e))
		return 130; /* Insufficient resources */
	return bc_bce_add_prefix(&e->bc, b, &p, true) ? 0 : 130;
}

/* Whether the bounds of lmad.conf allow one more binding at the MAG to (and, for a new
 * session, for the MN): what an authorized MAG can make the LMA hold under "mn any". */
static bool within_limits(struct pbu_ctx *c, const struct in6_addr *to, bool new_bce)
{
	struct lma_engine *e = c->e;
	const struct lma_mag *mag = bc_mag_find(&e->bc, to);
	enum lma_limit hit;

	if (new_bce && e->bc.n_bce >= e->conf->max_bindings)
		hit = LMA_LIMIT_TOTAL;
	else if (mag && mag->n_bce >= e->conf->max_bindings_mag)
		hit = LMA_LIMIT_MAG;
	else if (new_bce && c->mn && c->mn->n_bce >= e->conf->max_bindings_mn)
		hit = LMA_LIMIT_MN;
	else
		return true;
	e->stats.over_limit[hit]++;
	return false;
}

static void new_session(struct pbu_ctx *c)
{
	struct lma_engine *e = c->e;
	struct bce *b;
	int status;

	if (!within_limits(c, c->src, true)) {
		reply_pba(c, 130); /* Insufficient resources */
		return;
	}
	b = engine_bce_create(e, c);
	if (!b) {
		e->stats.dropped[LMA_DROP_NO_MEMORY]++;
		reply_pba(c, 130);
		return;
	}
	b->shared = c->share; /* its prefixes are the MN's other sessions' */
	status = c->share ? 0 : c->all_zero ? assign_new(c, b) : assign_requested(c, b);
	if (status == 0 && !engine_mag_tunnel(e, b->mag))
		status = 130;
	if (status) {
		engine_bce_delete(e, b);
		reply_pba(c, (uint8_t)status);
		return;
	}
	c->bce = b;
	remember_request(c, b);
	engine_bce_activate(e, b);
	engine_bce_arm_lifetime(e, b);
	reply_pba(c, 0);
	engine_group_changed(e, b->mn, upn_informed_mag(b));
}

static void renew(struct pbu_ctx *c)
{
	struct bce *b = c->bce;
	bool was_waiting = b->state == BCE_DEREG_WAIT;

	remember_request(c, b);
	if (was_waiting)
		engine_bce_activate(c->e, b);
	engine_bce_arm_lifetime(c->e, b);
	reply_pba(c, 0);
	if (was_waiting)
		engine_group_changed(c->e, b->mn, upn_informed_mag(b));
}

static void handoff(struct pbu_ctx *c)
{
	struct lma_engine *e = c->e;
	struct bce *b = c->bce;
	struct lma_mag *to;

	if (!within_limits(c, c->src, false)) {
		reply_pba(c, 130);
		return;
	}
	to = bc_mag_get(&e->bc, c->src);
	if (!to || !engine_mag_tunnel(e, to)) {
		if (to) /* it may be queued for release already: only the release may free it */
			engine_mag_release(e, to);
		reply_pba(c, 130);
		return;
	}
	engine_bce_move(e, b, c->src);
	if (c->req->opts.present & MH_HAVE_MNLLID) /* the interface that now holds the session */
		bc_bce_set_llid(&e->bc, b, c->req->opts.llid, c->req->opts.llid_len);
	remember_request(c, b);
	engine_bce_activate(e, b); /* the routes are replaced: they now point at the new MAG */
	engine_bce_arm_lifetime(e, b);
	reply_pba(c, 0);
	engine_group_changed(e, b->mn, upn_informed_mag(b));
}

static void deregister(struct pbu_ctx *c)
{
	struct lma_engine *e = c->e;
	struct bce *b = c->bce;

	if (!b) {
		e->stats.dropped[LMA_DROP_DEREG_UNKNOWN]++;
		return;
	}
	if (memcmp(&b->mag->addr, c->src, sizeof(*c->src)) != 0) {
		e->stats.dropped[LMA_DROP_DEREG_OTHER_MAG]++;
		return;
	}
	remember_request(c, b);
	reply_pba(c, 0);
	if (b->state == BCE_ACTIVE)
		pbu_release_binding(e, b);
}

/* Its prefixes follow the MN's other bindings, the other MAGs hear of it, and a PBU parked
 * for this release (HI 4) goes ahead. */
void pbu_release_binding(struct lma_engine *e, struct bce *b)
{
	engine_bce_deregister(e, b);
	pbu_unpark_for(e, b);
}

/* --- Handoff Indicator 4: wait for the old MAG's de-registration --- */

/* §5.4.1.3: HI 4 waits only when the MN has one and only one session, active through another
 * MAG: the one the MN may be moving away from. */
static bool should_park(const struct pbu_ctx *c)
{
	const struct bce *b;

	if (c->req->opts.hi != MH_HI_UNKNOWN || c->bce || !c->mn || !c->all_zero)
		return false;
	if (c->mn->n_bce != 1)
		return false;
	b = LIST_FIRST(&c->mn->bces);
	return b->state == BCE_ACTIVE && memcmp(&b->mag->addr, c->src, sizeof(*c->src)) != 0;
}

static bool same_llid(const struct mh_opts *a, const struct mh_opts *b)
{
	if ((a->present & MH_HAVE_MNLLID) != (b->present & MH_HAVE_MNLLID))
		return false;
	return !(a->present & MH_HAVE_MNLLID) ||
	       (a->llid_len == b->llid_len && memcmp(a->llid, b->llid, a->llid_len) == 0);
}

/* A PBU already waiting for the same MN's interface from the same MAG: a retransmission. */
static struct parked_pbu *parked_find(const struct pbu_ctx *c)
{
	const struct mh_opts *o = &c->req->opts;
	struct parked_pbu *p;

	LIST_FOREACH(p, &c->e->parked, entry)
	{
		const struct mh_opts *q = &p->msg.opts;

		if (memcmp(&p->src, c->src, sizeof(*c->src)) == 0 && q->mnid.len == o->mnid.len &&
		    memcmp(q->mnid.id, o->mnid.id, o->mnid.len) == 0 && same_llid(q, o))
			return p;
	}
	return NULL;
}

/* Parking is bounded like the bindings of a MAG: past it, the PBU is processed at once. */
static void park(struct pbu_ctx *c)
{
	struct lma_engine *e = c->e;
	struct parked_pbu *p = parked_find(c);

	if (p) { /* the retransmission replaces it (newer sequence number and timestamp), and the
	          * wait goes on: no second entry, no session */
		p->msg = *c->req;
		return;
	}
	if (e->n_parked < e->conf->max_bindings_mag)
		p = calloc(1, sizeof(*p));
	if (!p) {
		new_session(c);
		return;
	}
	e->n_parked++;
	p->e = e;
	p->src = *c->src;
	p->msg = *c->req;
	timer_init(&p->timer, pbu_parked_fire, p);
	timer_arm(&e->timers, &p->timer,
	          e->now.mono_ns + (uint64_t)e->conf->new_bce_delay_ms * NS_PER_MS);
	LIST_INSERT_HEAD(&e->parked, p, entry);
}

static void parked_free(struct parked_pbu *p)
{
	timer_cancel(&p->e->timers, &p->timer);
	LIST_REMOVE(p, entry);
	p->e->n_parked--;
	free(p);
}

static void dispatch(struct pbu_ctx *c);

/* The wait is over: the PBU is processed now, as a new session unless things changed. */
void pbu_parked_fire(struct timer *t, uint64_t now_ns)
{
	struct parked_pbu *p = t->arg;
	struct pbu_ctx c = { .e = p->e, .src = &p->src, .req = &p->msg, .replay_checked = true };
	int status;

	(void)now_ns;
	LIST_REMOVE(p, entry); /* off the list first: processing must not find it parked */
	p->e->n_parked--;
	status = check_request(&c);
	if (status)
		reply_pba(&c, (uint8_t)status);
	else
		dispatch(&c);
	free(p);
}

/* A binding of the MN was de-registered: a parked PBU of that MN takes it over (a handoff). */
void pbu_unpark_for(struct lma_engine *e, struct bce *released)
{
	struct parked_pbu *p;

	LIST_FOREACH(p, &e->parked, entry)
	{
		struct pbu_ctx c = { .e = e, .src = &p->src, .req = &p->msg };

		if (check_identity(&c) != 0 || strcmp(c.id, released->mn->id) != 0)
			continue;
		c.mn = released->mn;
		c.bce = released;
		c.all_zero = true;
		c.lifetime_s = granted_lifetime(e, &p->msg);
		handoff(&c);
		parked_free(p);
		return;
	}
}

void pbu_parked_free_all(struct lma_engine *e)
{
	while (!LIST_EMPTY(&e->parked))
		parked_free(LIST_FIRST(&e->parked));
}

static void dispatch(struct pbu_ctx *c)
{
	c->lifetime_s = granted_lifetime(c->e, c->req);
	if (c->req->u.bu.lifetime == 0)
		deregister(c);
	else if (!c->bce && !c->replay_checked && (parked_find(c) || should_park(c)))
		park(c);
	else if (!c->bce)
		new_session(c);
	else if (memcmp(&c->bce->mag->addr, c->src, sizeof(*c->src)) == 0)
		renew(c);
	else
		handoff(c);
}

void pbu_process(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m)
{
	struct pbu_ctx c = { .e = e, .src = src, .req = m };
	int status;

	if (!(m->u.bu.flags & MH_BU_P)) {
		e->stats.dropped[LMA_DROP_NOT_PROXY]++;
		if (m->u.bu.flags & MH_BU_H) /* RFC 6275 §10.3.1: we are no home agent */
			reply_ba(e, src, m, 131); /* Home registration not supported */
		return;
	}
	if (revoke_outstanding(e, src, &m->opts)) {
		e->stats.dropped[LMA_DROP_REVOKING]++; /* sent before it learnt of the revocation */
		return;
	}
	status = check_request(&c);
	if (status)
		reply_pba(&c, (uint8_t)status);
	else
		dispatch(&c);
}
