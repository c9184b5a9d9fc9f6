/* signal.c: the MAG's signalling with the LMA. Proxy Binding Updates as RFC 5213 §6.9.1.1
 * builds them (MN-ID, MN link-layer ID, HNPs — ALL_ZERO to ask for a prefix, the known ones to
 * keep them —, Handoff Indicator, Access Technology Type, Timestamp, Link-local Address) plus
 * an empty MuHo option for a multihomed MN (draft-bernardos-mif-pmip-02 §5.2.1). PBAs are
 * validated as §6.9.1.2 says: only one matching an outstanding PBU counts, and one whose echoes
 * differ is ignored and stalls the entry. Update Notifications (RFC 7077 §4.1, §5.1) bring a
 * new list of the MN's other prefixes, or ask for a re-registration, and are acknowledged; one
 * with the Retransmit (D) flag repeating the last sequence number is acknowledged again with the
 * same status but not applied twice. Heartbeat Requests are answered (RFC 5847 §3.3, §3.4), the
 * responses to ours go to peer.c, and an
 * unknown MH type gets a rate-limited Binding Error (RFC 6275 §9.2, §9.3.3). */
#include <string.h>

#include "common/log.h"
#include "mag/engine_int.h"

#define UPN_FORCE_REREGISTRATION      1
#define UPN_UPDATE_SESSION_PARAMETERS 2
#define UPA_SUCCESS                   0
#define UPA_FAILED                    128
#define UPA_MN_NOT_ATTACHED           132 /* RFC 7864 */

void signal_send(struct mag_engine *e, const struct mh_msg *m)
{
	uint8_t buf[MH_MAX_LEN];
	ssize_t n = mh_encode(m, &e->params, buf, sizeof(buf));

	if (n > 0)
		e->io.send_mh(e->io.ctx, &e->conf->lma_addr, buf, (size_t)n);
}

static void pbu_prefixes(const struct bul_entry *b, struct mh_opts *o)
{
	if (b->ask_all_zero || b->n_hnp == 0) {
		mh_opts_add_hnp(o, &in6addr_any, 0);
		return;
	}
	for (unsigned i = 0; i < b->n_hnp; i++)
		mh_opts_add_hnp(o, &b->hnp[i].addr, b->hnp[i].len);
}

void signal_send_pbu(struct mag_engine *e, struct bul_entry *b, bool dereg, uint8_t hi)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_BU);
	m.u.bu.seq = ++b->seq;
	m.u.bu.flags = MH_BU_A | MH_BU_P;
	m.u.bu.lifetime = dereg ? 0 : (uint16_t)(e->conf->lifetime_s / 4);
	mh_opts_set_nai(&m.opts, b->mn_id);
	pbu_prefixes(b, &m.opts);
	if (b->mn && b->mn->multihoming)
		mh_opts_add_muho(&m.opts, &in6addr_any, 0);
	m.opts.present |=
	        MH_HAVE_HI | MH_HAVE_ATT | MH_HAVE_MNLLID | MH_HAVE_TIMESTAMP | MH_HAVE_LLA;
	m.opts.hi = b->hi_sent = hi;
	m.opts.att = b->att;
	m.opts.llid_len = 6;
	memcpy(m.opts.llid, b->mac, 6);
	m.opts.timestamp = b->ts_sent = mh_timestamp_from_ns(e->now.real_ns);
	m.opts.lla = e->conf->link_local;
	signal_send(e, &m);
	e->stats.pbu_sent++;
}

/* --- PBA --- */

static bool echoes_match(const struct bul_entry *b, const struct mh_opts *o)
{
	size_t id_len = strlen(b->mn_id);

	if (!(o->present & MH_HAVE_MNID) || o->mnid.len != id_len ||
	    memcmp(o->mnid.id, b->mn_id, id_len) != 0)
		return false;
	if ((o->present & MH_HAVE_HI) && o->hi != b->hi_sent)
		return false;
	if ((o->present & MH_HAVE_ATT) && o->att != b->att)
		return false;
	return !(o->present & MH_HAVE_MNLLID) ||
	       (o->llid_len == 6 && memcmp(o->llid, b->mac, 6) == 0);
}

static bool outstanding(const struct bul_entry *b)
{
	return b->state == BUL_REGISTERING || b->state == BUL_REFRESHING ||
	       b->state == BUL_DEREGISTERING;
}

static bool zero_prefix(const struct mh_prefix *p)
{
	return p->len == 0 || IN6_IS_ADDR_UNSPECIFIED(&p->addr);
}

static void take_prefixes(struct mag_engine *e, struct bul_entry *b, const struct mh_opts *o)
{
	struct mh_prefix hnp[BUL_MAX_PREFIXES];
	unsigned n = 0;

	for (unsigned i = 0; i < o->n_hnp && n < BUL_MAX_PREFIXES; i++)
		if (!zero_prefix(&o->hnp[i]))
			hnp[n++] = o->hnp[i];
	if (b->installed && (n != b->n_hnp || memcmp(b->hnp, hnp, n * sizeof(hnp[0])) != 0))
		engine_uninstall(e, b); /* the LMA changed the prefixes: the routes follow */
	memcpy(b->hnp, hnp, n * sizeof(hnp[0]));
	b->n_hnp = n;
	b->ask_all_zero = false;
	engine_set_muho(e, b, o->muho, o->n_muho);
}

static bool usable_prefix(const struct mh_opts *o)
{
	for (unsigned i = 0; i < o->n_hnp; i++)
		if (!zero_prefix(&o->hnp[i]))
			return true;
	return false;
}

bool signal_same_mn_id(const struct bul_entry *b, const struct mh_opts *o)
{
	size_t len = strlen(b->mn_id);

	return (o->present & MH_HAVE_MNID) && o->mnid.len == len &&
	       memcmp(o->mnid.id, b->mn_id, len) == 0;
}

/* Why a PBA does not answer b's outstanding PBU, or NULL if it does. */
static const char *pba_mismatch(const struct bul_entry *b, const struct mh_msg *m)
{
	if (!b)
		return "no binding for its MN";
	if (!outstanding(b))
		return "no PBU outstanding";
	if (!(m->u.ba.flags & MH_BA_P))
		return "flag P clear";
	if (m->u.ba.seq != b->seq && m->u.ba.status != 135)
		return "another sequence number";
	return NULL;
}

/* §6.9.1.2 item 5: the PBU this PBA answers: by the MN-LL-ID when the PBA echoes one, else by
 * MN-ID and sequence number among the outstanding entries. Status 135 carries the LMA's last
 * accepted number instead of ours (RFC 6275 §11.7.3). NULL with the reason in *why. */
static struct bul_entry *pba_entry(struct mag_engine *e, const struct mh_msg *m, const char **why)
{
	const struct mh_opts *o = &m->opts;
	struct bul_entry *b = NULL;

	if (o->present & MH_HAVE_MNLLID) {
		b = o->llid_len == 6 ? engine_find_mac(e, o->llid) : NULL;
	} else {
		LIST_FOREACH(b, &e->bul, entry)
		if (signal_same_mn_id(b, o) && !pba_mismatch(b, m))
			break;
	}
	*why = pba_mismatch(b, m);
	return *why ? NULL : b;
}

/* §6.9.1.2 item 3 (the §5.5 rules): an accepting PBA answers our timestamp with the same one
 * (§5.3.6 copies it), so another value is an old PBA or a forged one. Rejections 156 and 157
 * carry the LMA's clock, which we never adopt. */
static bool timestamp_ok(const struct bul_entry *b, const struct mh_msg *m)
{
	if (m->u.ba.status >= 128 || !(m->opts.present & MH_HAVE_TIMESTAMP))
		return true;
	return m->opts.timestamp == b->ts_sent;
}

static void pba_ignored(struct mag_engine *e, enum mag_drop d, const struct mh_msg *m,
                        const char *why)
{
	e->stats.dropped[d]++;
	log_warnx_limited(&e->pba_limit, "PBA seq %u status %u ignored: %s", m->u.ba.seq,
	                  m->u.ba.status, why);
}

/* An accepting PBA with no prefix we can use (none, or ALL_ZERO) registers nothing: the PBU
 * goes on being retransmitted as if unanswered (§6.9.4 back-off). */
static bool accept_without_prefix(struct mag_engine *e, const struct bul_entry *b,
                                  const struct mh_msg *m)
{
	if (m->u.ba.status >= 128 || b->state == BUL_DEREGISTERING || usable_prefix(&m->opts))
		return false;
	pba_ignored(e, MAG_DROP_PBA_NO_PREFIX, m, "accepted without a usable Home Network Prefix");
	return true;
}

void signal_pba(struct mag_engine *e, const struct mh_msg *m)
{
	const struct mh_opts *o = &m->opts;
	const char *why;
	struct bul_entry *b = pba_entry(e, m, &why);
	uint8_t status = m->u.ba.status;

	e->stats.pba[status]++;
	if (!b) {
		pba_ignored(e, MAG_DROP_PBA_UNMATCHED, m, why);
		return;
	}
	if (!timestamp_ok(b, m)) {
		pba_ignored(e, MAG_DROP_PBA_UNMATCHED, m, "not the timestamp we sent");
		return;
	}
	if (!echoes_match(b, o)) {
		/* §6.9.1.2: ignore it, and do not retransmit until an administrator acts */
		e->stats.dropped[MAG_DROP_PBA_ECHO]++;
		log_warnx("%s: PBA echoes differ from the PBU; entry held", b->mn_id);
		timer_cancel(&e->timers, &b->timer);
		engine_uninstall(e, b);
		b->state = BUL_HELD;
		return;
	}
	if (status == 135) /* RFC 6275 §11.7.3: go on from the number the LMA accepted last */
		b->seq = m->u.ba.seq;
	if (status >= 128 || b->state == BUL_DEREGISTERING) {
		bul_event(e, b, status >= 128 ? BUL_EV_PBA_REJECT : BUL_EV_PBA_ACCEPT, &status);
		return;
	}
	if (accept_without_prefix(e, b, m))
		return;
	b->lifetime_s = m->u.ba.lifetime * 4u;
	b->last_status = status;
	take_prefixes(e, b, o);
	bul_event(e, b, BUL_EV_PBA_ACCEPT, &status);
}

/* --- Update Notification --- */

/* An answer (UPA, BRA) names the MN its request named, if it named one. */
void signal_echo_mnid(struct mh_msg *answer, const struct mh_msg *req)
{
	if (!(req->opts.present & MH_HAVE_MNID))
		return;
	answer->opts.present |= MH_HAVE_MNID;
	answer->opts.mnid = req->opts.mnid;
}

static void send_upa(struct mag_engine *e, const struct mh_msg *upn, uint8_t status)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_UPA);
	m.u.upa.seq = upn->u.upn.seq;
	m.u.upa.status = status;
	signal_echo_mnid(&m, upn);
	signal_send(e, &m);
	e->stats.upa_sent++;
}

/* Applies the notification to one registered entry of its MN. */
static void upn_apply(struct mag_engine *e, struct bul_entry *b, const struct mh_msg *m)
{
	if (m->u.upn.reason == UPN_FORCE_REREGISTRATION) {
		bul_event(e, b, BUL_EV_TIMEOUT, NULL); /* a registered entry's timeout refreshes */
		return;
	}
	engine_set_muho(e, b, m->opts.muho, m->opts.n_muho);
}

/* The retransmission of the last notification we answered (RFC 7077 §5.1: D set, same
 * sequence number): already applied. */
static bool upn_repeated(const struct mag_engine *e, const struct mh_msg *m)
{
	return (m->u.upn.flags & MH_UPN_D) && e->upn_seen && m->u.upn.seq == e->upn_last_seq;
}

static uint8_t upn_process(struct mag_engine *e, const struct mh_msg *m)
{
	struct bul_entry *b, *next;
	bool known = m->u.upn.reason == UPN_FORCE_REREGISTRATION ||
	             m->u.upn.reason == UPN_UPDATE_SESSION_PARAMETERS;
	unsigned applied = 0;

	for (b = LIST_FIRST(&e->bul); b && known; b = next) {
		next = LIST_NEXT(b, entry);
		if (signal_same_mn_id(b, &m->opts) &&
		    (b->state == BUL_REGISTERED || b->state == BUL_REFRESHING)) {
			upn_apply(e, b, m);
			applied++;
		}
	}
	if (known && applied == 0)
		e->stats.dropped[MAG_DROP_UPN_UNKNOWN_MN]++;
	return !known ? UPA_FAILED : applied ? UPA_SUCCESS : UPA_MN_NOT_ATTACHED;
}

void signal_upn(struct mag_engine *e, const struct in6_addr *src, const struct mh_msg *m)
{
	(void)src;
	e->stats.upn_received++;
	if (upn_repeated(e, m)) {
		e->stats.upn_repeated++;
	} else {
		e->upn_last_status = upn_process(e, m);
		e->upn_last_seq = m->u.upn.seq;
		e->upn_seen = true;
	}
	if (m->u.upn.flags & MH_UPN_A)
		send_upa(e, m, e->upn_last_status);
}

/* --- Heartbeat and Binding Error --- */

/* RFC 5847 §3.3, §3.4: a Heartbeat Request from the LMA is answered with a Heartbeat Response,
 * same sequence number, with our Restart Counter. (Sending requests is not implemented.) */
void signal_heartbeat(struct mag_engine *e, const struct mh_msg *m)
{
	struct mh_msg r;

	if (m->u.hb.flags & MH_HB_R) {
		mag_peer_input(e, m);
		return;
	}
	mh_msg_init(&r, MH_TYPE_HB);
	r.u.hb.flags = MH_HB_R;
	r.u.hb.seq = m->u.hb.seq;
	r.opts.present = MH_HAVE_RESTART_COUNTER;
	r.opts.restart_counter = e->restart_counter;
	signal_send(e, &r);
	mag_peer_input(e, m);
}

/* A token bucket at the configured binding-error-rate, refilled continuously (RFC 6275 §9.3.3:
 * Binding Errors SHOULD be rate-limited). */
static bool be_allowed(struct mag_engine *e)
{
	return rl_take(&e->be, e->conf->be_rate.per_s, e->conf->be_rate.burst, e->now.mono_ns);
}

/* RFC 6275 §9.2: a Mobility Header of a type we do not know gets a Binding Error with status 2
 * (Unrecognized MH Type); only the LMA reaches this point, a unicast source. */
void signal_binding_error(struct mag_engine *e)
{
	struct mh_msg m;

	if (!be_allowed(e))
		return;
	mh_msg_init(&m, MH_TYPE_BE);
	m.u.be.status = 2;
	signal_send(e, &m);
	e->stats.be_sent++;
}
