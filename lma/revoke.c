/* revoke.c: LMA-initiated Binding Revocation (RFC 5846 §8.1: the LMA revokes an MN's proxy
 * bindings at a MAG; §5.1, §5.2 for the messages). The LMA deletes the bindings at once (their
 * routes go, their prefixes rest with the MN) and tells the MAG with a Binding Revocation
 * Indication: P set, trigger "administrative reason", the MN-ID and the revoked Home Network
 * Prefixes. The indication is sent again, same sequence number and content, with the delay
 * doubling from "revocation-retransmit initial" up to its max, until a Binding Revocation
 * Acknowledgement from that MAG with that sequence number arrives (§8.1, §11), and given up
 * after its tries. Sequence numbers go up by one per indication, so no two of 65536 in a row
 * share one; an acknowledgement is matched by MAG, sequence number and the MN-ID it echoes.
 * While an indication is outstanding, PBUs from that MAG for that MN are dropped: they were sent
 * before the MAG learnt of the revocation. Outstanding indications hang off their MN's entry,
 * which they keep, so every lookup is by MN, whatever the number of revocations under way.
 * Operators revoke by MN (pmipctl deregister) and by MAG (its mag statement removed from
 * lmad.conf before a reload). */
#include <stdlib.h>
#include <string.h>

#include "lma/engine_int.h"

struct revoke_pending {
	struct mn_pending base;           /* first: on mn->revoke */
	LIST_ENTRY(revoke_pending) entry; /* on the engine's list */
};

/* Frees p; the MN entry goes too if nothing else holds it. */
static void pending_free(struct revoke_pending *p)
{
	LIST_REMOVE(p, entry);
	mn_pending_free(&p->base.mn->revoke, &p->base);
}

static void bri_timer_fired(struct timer *t, uint64_t now_ns)
{
	struct revoke_pending *p = t->arg;
	struct lma_engine *e = p->base.e;

	(void)now_ns;
	if (!resend_again(e, &p->base.rs, &e->conf->revoke)) {
		e->stats.bri_gave_up++;
		pending_free(p);
		return;
	}
	e->stats.bri_retransmitted++;
}

static struct revoke_pending *pending_for(struct lma_mn *mn, const struct in6_addr *mag)
{
	return (struct revoke_pending *)mn_pending_for(mn->revoke, mag);
}

static void bri_build(struct lma_engine *e, struct revoke_pending *p, const struct lma_mag *mag)
{
	struct mh_msg *m = &p->base.rs.msg;
	const struct bce *b;

	mh_msg_init(m, MH_TYPE_BR);
	m->u.br.br_type = MH_BR_TYPE_BRI;
	m->u.br.code = MH_BRI_ADMINISTRATIVE;
	m->u.br.seq = ++e->bri_seq;
	m->u.br.flags = MH_BR_P;
	mh_opts_set_nai(&m->opts, p->base.mn->id);
	LIST_FOREACH(b, &p->base.mn->bces, mn_entry)
	if (b->mag == mag)
		for (unsigned i = 0; i < b->n_prefix; i++)
			mh_opts_add_hnp(&m->opts, &b->prefix[i].p.addr, b->prefix[i].p.len);
}

/* Tells mag, reliably, that mn's bindings there are revoked; an indication outstanding for the
 * same MN and MAG is replaced (a new sequence number: the old one's answer no longer counts). */
static void bri_start(struct lma_engine *e, struct lma_mn *mn, const struct lma_mag *mag)
{
	struct revoke_pending *p = pending_for(mn, &mag->addr);

	if (!p) {
		p = (struct revoke_pending *)mn_pending_new(e, &mn->revoke, mn, &mag->addr,
		                                            sizeof(*p), bri_timer_fired);
		if (!p)
			return;
		LIST_INSERT_HEAD(&e->revokes, p, entry);
	}
	bri_build(e, p, mag);
	e->stats.bri_sent++;
	resend_first(e, &p->base.rs, &e->conf->revoke);
}

static struct bce *first_at(const struct lma_mn *mn, const struct lma_mag *mag)
{
	struct bce *b;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	if (b->mag == mag)
		return b;
	return NULL;
}

/* Revokes mn's bindings at mag: the indication is built while they exist, then they go. A
 * failed allocation leaves the MAG untold, not the bindings in place: the operator's word
 * holds. Returns how many went. */
static unsigned revoke_at(struct lma_engine *e, struct lma_mn *mn, struct lma_mag *mag)
{
	unsigned n = 0;
	struct bce *b;

	bri_start(e, mn, mag);
	while ((b = first_at(mn, mag)) != NULL) {
		e->stats.revoked++;
		engine_bce_delete(e, b);
		n++;
	}
	return n;
}

int lma_engine_revoke_mn(struct lma_engine *e, const char *mn_id, const struct lma_now *now)
{
	struct lma_mn *mn = bc_mn_find(&e->bc, mn_id, strlen(mn_id));
	unsigned n = 0;

	e->now = *now;
	if (!mn || mn->n_bce == 0)
		return -1;
	for (;;) {
		unsigned left = mn->n_bce, k = revoke_at(e, mn, LIST_FIRST(&mn->bces)->mag);

		n += k;
		if (k == left) /* none left; the entry may be gone (an indication keeps it) */
			return (int)n;
	}
}

/* Every binding at mag goes; the entry itself stays until the flush (engine_mag_release). */
static unsigned revoke_mag(struct lma_engine *e, struct lma_mag *mag)
{
	unsigned n = 0;

	while (!LIST_EMPTY(&mag->bces))
		n += revoke_at(e, LIST_FIRST(&mag->bces)->mn, mag);
	return n;
}

/* MAG entries are freed only at the flush: the walk over the index is safe. */
unsigned lma_engine_revoke_unconfigured(struct lma_engine *e, const struct lma_now *now)
{
	unsigned n = 0;

	e->now = *now;
	for (size_t i = 0; i <= e->bc.by_mag.last; i++)
		for (const struct hnode *h = e->bc.by_mag.buckets[i]; h; h = h->next) {
			struct lma_mag *mag = HMAP_ENTRY(h, struct lma_mag, node);

			if (mag->n_bce > 0 && !lma_conf_find_mag(e->conf, &mag->addr))
				n += revoke_mag(e, mag);
		}
	return n;
}

static struct lma_mn *named_mn(const struct lma_engine *e, const struct mh_opts *o)
{
	if (!(o->present & MH_HAVE_MNID) || o->mnid.subtype != MH_MNID_SUBTYPE_NAI)
		return NULL;
	return bc_mn_find(&e->bc, (const char *)o->mnid.id, o->mnid.len);
}

/* A PBU from mag for an MN whose revocation it has not acknowledged yet. */
bool revoke_outstanding(const struct lma_engine *e, const struct in6_addr *mag,
                        const struct mh_opts *o)
{
	struct lma_mn *mn = LIST_EMPTY(&e->revokes) ? NULL : named_mn(e, o);

	return mn && pending_for(mn, mag) != NULL;
}

/* The indication an acknowledgement answers: by its MN when it echoes the MN-ID (§5.2 leaves
 * it optional: without one, every outstanding indication is looked at). */
static struct revoke_pending *bra_match(const struct lma_engine *e, const struct in6_addr *src,
                                        const struct mh_msg *m)
{
	struct lma_mn *mn = named_mn(e, &m->opts);
	struct revoke_pending *p;

	if (mn) {
		p = pending_for(mn, src);
		return p && p->base.rs.msg.u.br.seq == m->u.br.seq ? p : NULL;
	}
	if (m->opts.present & MH_HAVE_MNID)
		return NULL; /* an MN we know nothing of */
	LIST_FOREACH(p, &e->revokes, entry)
	if (memcmp(&p->base.rs.dst, src, sizeof(*src)) == 0 &&
	    p->base.rs.msg.u.br.seq == m->u.br.seq)
		return p;
	return NULL;
}

/* A Binding Revocation Acknowledgement ends its indication; a Binding Revocation Indication
 * from a MAG (MAG-initiated revocation, §9.1) is not served. */
void revoke_input(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m)
{
	struct revoke_pending *p;

	if (m->u.br.br_type != MH_BR_TYPE_BRA) {
		e->stats.dropped[LMA_DROP_UNEXPECTED]++;
		return;
	}
	p = bra_match(e, src, m);
	if (!p) {
		e->stats.dropped[LMA_DROP_BRA_UNMATCHED]++;
		return;
	}
	if (m->u.br.code <= MH_BRA_PARTIAL_SUCCESS)
		e->stats.bra_success++;
	else if (m->u.br.code == MH_BRA_NO_BINDING)
		e->stats.bra_no_binding++; /* gone already: a retransmission after a lost answer */
	else
		e->stats.bra_failed++;
	pending_free(p);
}

void revoke_free_all(struct lma_engine *e)
{
	while (!LIST_EMPTY(&e->revokes))
		pending_free(LIST_FIRST(&e->revokes));
}
