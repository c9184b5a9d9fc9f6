/* upn.c: Update Notifications from the LMA (RFC 7077 §4.1, §5.1, §5.2; reason
 * UPDATE-SESSION-PARAMETERS). When an MN's group of bindings changes, every other MuHo-capable
 * MAG serving that MN learns the MN's current prefix list, as draft-bernardos-mif-pmip-02
 * §5.2.3 asks ("the LMA should further notify all the previous MAGs"): one MuHo option per
 * prefix of the MN's bindings at other MAGs, or one empty MuHo option when there are none.
 * Sequence numbers start at a random value the io gives (§5.1) and go up by one per new
 * notification, so outstanding ones never share one. A notification is retransmitted, same
 * sequence number and content with the Retransmit (D) flag set, with exponential back-off until
 * its acknowledgement (§4.2, matched by MAG, MN and sequence) arrives, and given up after the
 * configured tries; a newer change replaces it. A MAG that answers with Binding Error status 2
 * (it does not know the message, §5.2) gets no further notification while it has bindings. */
#include <stdlib.h>
#include <string.h>

#include "lma/engine_int.h"

#define UPN_REASON_UPDATE_SESSION_PARAMETERS 2

struct upn_pending {
	struct mn_pending base; /* first: on mn->upn */
	uint16_t seq;
};

/* Whether b is, of mn's bindings, the one its MAG routes itself (not one rerouted there). */
static bool routed_at(const struct bce *b, const struct lma_mag *mag)
{
	return b->mag == mag && !b->rerouted;
}

/* Whether mag holds two bindings of mn or more: two interfaces of the MN at one MAG, each of
 * which must learn the other's prefixes. */
static bool several_at(const struct lma_mn *mn, const struct lma_mag *mag)
{
	const struct bce *b;
	unsigned n = 0;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	n += routed_at(b, mag);
	return n >= 2;
}

/* Adds the prefixes of mn's bindings other than self as MuHo options; with self NULL, those of
 * the bindings not at mag, or all of them when mag holds several (its entries each leave their
 * own out). Returns how many. A de-registered binding's prefixes stay listed until it is deleted
 * (held ones with them, even to the MAG the binding was at: another interface of the MN there
 * carries them now). */
size_t upn_prefixes_except(const struct lma_mn *mn, const struct bce *self,
                           const struct lma_mag *mag, struct mh_opts *opts)
{
	bool all = !self && several_at(mn, mag);
	const struct bce *b;
	size_t n = 0;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		if (self ? b == self && !b->rerouted : !all && routed_at(b, mag))
			continue;
		for (unsigned i = 0; i < b->n_prefix; i++)
			if (mh_opts_add_muho(opts, &b->prefix[i].p.addr, b->prefix[i].p.len) == 0)
				n++;
	}
	return n;
}

/* The MAG that learnt the MN's group from the PBA answering b: none when it holds another
 * binding of the MN, whose entry must hear of b's prefixes. */
const struct lma_mag *upn_informed_mag(const struct bce *b)
{
	return b->muho && !several_at(b->mn, b->mag) ? b->mag : NULL;
}

/* Frees p; the MN entry goes too if nothing else holds it. */
static void pending_free(struct upn_pending *p)
{
	mn_pending_free(&p->base.mn->upn, &p->base);
}

static void upn_timer_fired(struct timer *t, uint64_t now_ns)
{
	struct upn_pending *p = t->arg;
	struct lma_engine *e = p->base.e;

	(void)now_ns;
	p->base.rs.msg.u.upn.flags |= MH_UPN_D; /* Retransmit: same sequence number, same content */
	if (!resend_again(e, &p->base.rs, &e->conf->upn)) {
		e->stats.upn_gave_up++;
		pending_free(p);
		return;
	}
	e->stats.upn_retransmitted++;
}

static struct upn_pending *pending_for(struct lma_mn *mn, const struct in6_addr *mag)
{
	return (struct upn_pending *)mn_pending_for(mn->upn, mag);
}

static void upn_build(struct lma_engine *e, struct upn_pending *p, const struct lma_mag *mag)
{
	struct mh_msg *m = &p->base.rs.msg;

	mh_msg_init(m, MH_TYPE_UPN);
	m->u.upn.seq = p->seq = e->upn_seq++;
	m->u.upn.reason = UPN_REASON_UPDATE_SESSION_PARAMETERS;
	m->u.upn.flags = MH_UPN_A;
	mh_opts_set_nai(&m->opts, p->base.mn->id);
	if (upn_prefixes_except(p->base.mn, NULL, mag, &m->opts) == 0)
		mh_opts_add_muho(&m->opts, &in6addr_any, 0);
}

static void upn_start(struct lma_engine *e, struct lma_mn *mn, const struct lma_mag *mag)
{
	struct upn_pending *p = pending_for(mn, &mag->addr);

	if (mag->upn_refused)
		return; /* §5.2: it answered a notification with Binding Error 2 */
	if (!p)
		p = (struct upn_pending *)mn_pending_new(e, &mn->upn, mn, &mag->addr, sizeof(*p),
		                                         upn_timer_fired);
	if (!p)
		return;
	upn_build(e, p, mag); /* a newer change replaces what was pending */
	e->stats.upn_sent++;
	resend_first(e, &p->base.rs, &e->conf->upn);
}

static bool mag_seen(const struct lma_mn *mn, const struct bce *upto, const struct lma_mag *mag)
{
	for (const struct bce *b = LIST_FIRST(&mn->bces); b != upto; b = LIST_NEXT(b, mn_entry))
		if (b->mag == mag && b->state == BCE_ACTIVE && b->muho)
			return true;
	return false;
}

void upn_notify_group(struct lma_engine *e, struct lma_mn *mn, const struct lma_mag *skip)
{
	struct bce *b;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		if (b->state != BCE_ACTIVE || !b->muho || b->mag == skip)
			continue;
		if (!mag_seen(mn, b, b->mag)) /* once per MAG, whatever its number of bindings */
			upn_start(e, mn, b->mag);
	}
}

void upn_input_ack(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m)
{
	const struct mh_opts *o = &m->opts;
	struct upn_pending *p = NULL;
	struct lma_mn *mn = NULL;

	if ((o->present & MH_HAVE_MNID) && o->mnid.subtype == MH_MNID_SUBTYPE_NAI)
		mn = bc_mn_find(&e->bc, (const char *)o->mnid.id, o->mnid.len);
	if (mn)
		p = pending_for(mn, src);
	if (!p || p->seq != m->u.upa.seq) {
		e->stats.dropped[LMA_DROP_UPA_UNMATCHED]++;
		return;
	}
	if (m->u.upa.status >= 128)
		e->stats.upa_failed++;
	else
		e->stats.upn_acked++;
	pending_free(p);
}

void upn_mn_free(struct lma_engine *e, struct lma_mn *mn)
{
	mn_pending_free_list(e, &mn->upn);
	bc_mn_put(&e->bc, mn);
}

/* A Binding Error with status 2 (unrecognized MH type) from a MAG we notify: the LMA sends that
 * MAG only PBAs, which every MAG knows, and Update Notifications, so it refuses these. No more
 * go to it (RFC 7077 §5.2), and those outstanding are dropped. */
void upn_input_binding_error(struct lma_engine *e, const struct in6_addr *src,
                             const struct mh_msg *m)
{
	struct lma_mag *mag = bc_mag_find(&e->bc, src);
	struct bce *b;

	if (m->u.be.status != 2 || !mag || mag->upn_refused)
		return;
	mag->upn_refused = true;
	e->stats.upn_refused++;
	LIST_FOREACH(b, &mag->bces, mag_entry)
	{
		struct upn_pending *p = pending_for(b->mn, src);

		if (p)
			pending_free(p); /* the MN keeps b: it is not freed here */
	}
}
