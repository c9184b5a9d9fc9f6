/* revoke.c: LMA-initiated Binding Revocation (RFC 5846 §8.1: the LMA revokes an MN's proxy
 * bindings at a MAG; §5.1, §5.2 for the messages). The LMA deletes the bindings at once (their
 * routes go, their prefixes rest with the MN) and tells the MAG with a Binding Revocation
 * Indication: P set, trigger "administrative reason", the MN-ID and the revoked Home Network
 * Prefixes. The indication is sent again, same sequence number and content, with the delay
 * doubling from "revocation-retransmit initial" up to its max, until a Binding Revocation
 * Acknowledgement from that MAG with that sequence number arrives (§8.1, §11), and given up
 * after its tries. While it is outstanding, PBUs from that MAG for that MN are dropped: they
 * were sent before the MAG learnt of the revocation. Operators revoke by MN (pmipctl
 * deregister) and by MAG (a mag statement removed from lmad.conf on reload). */
#include <stdlib.h>
#include <string.h>

#include "lma/engine_int.h"



struct revoke_pending {
	LIST_ENTRY(revoke_pending) entry;
	struct lma_engine *e;
	char mn_id[MH_MNID_MAX + 1];
	struct resend rs; /* to the MAG */
};

static void pending_free(struct revoke_pending *p)
{
	LIST_REMOVE(p, entry);
	timer_cancel(&p->e->timers, &p->rs.timer);
	free(p);
}

static void bri_timer_fired(struct timer *t, uint64_t now_ns)
{
	struct revoke_pending *p = t->arg;
	struct lma_engine *e = p->e;

	(void)now_ns;
	if (!resend_again(e, &p->rs, &e->conf->revoke)) {
		e->stats.bri_gave_up++;
		pending_free(p);
		return;
	}
	e->stats.bri_retransmitted++;
}

static struct revoke_pending *pending_find(const struct lma_engine *e, const struct in6_addr *mag,
                                           const char *mn_id, size_t len)
{
	struct revoke_pending *p;

	LIST_FOREACH(p, &e->revokes, entry)
	if (memcmp(&p->rs.dst, mag, sizeof(*mag)) == 0 && strlen(p->mn_id) == len &&
	    memcmp(p->mn_id, mn_id, len) == 0)
		return p;
	return NULL;
}

/* A new sequence number no outstanding indication uses (§5.1). */
static uint16_t bri_next_seq(struct lma_engine *e)
{
	struct revoke_pending *p;
	bool used;

	do {
		used = false;
		e->bri_seq++;
		LIST_FOREACH(p, &e->revokes, entry)
		used |= p->rs.msg.u.br.seq == e->bri_seq;
	} while (used);
	return e->bri_seq;
}

static void bri_build(struct lma_engine *e, struct revoke_pending *p, const struct lma_mn *mn,
                      const struct lma_mag *mag)
{
	struct mh_msg *m = &p->rs.msg;
	const struct bce *b;

	mh_msg_init(m, MH_TYPE_BR);
	m->u.br.br_type = MH_BR_TYPE_BRI;
	m->u.br.code = MH_BRI_ADMINISTRATIVE;
	m->u.br.seq = bri_next_seq(e);
	m->u.br.flags = MH_BR_P;
	mh_opts_set_nai(&m->opts, mn->id);
	LIST_FOREACH(b, &mag->bces, mag_entry)
	if (b->mn == mn)
		for (unsigned i = 0; i < b->n_prefix; i++)
			mh_opts_add_hnp(&m->opts, &b->prefix[i].p.addr, b->prefix[i].p.len);
}

/* Tells mag, reliably, that mn's bindings there are revoked; an indication outstanding for the
 * same MN and MAG is replaced (a new sequence number: the old one's answer no longer counts). */
static void bri_start(struct lma_engine *e, const struct lma_mn *mn, const struct lma_mag *mag)
{
	struct revoke_pending *p = pending_find(e, &mag->addr, mn->id, mn->id_len);

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			e->stats.dropped[LMA_DROP_NO_MEMORY]++;
			return;
		}
		p->e = e;
		p->rs.dst = mag->addr;
		memcpy(p->mn_id, mn->id, mn->id_len + 1u);
		timer_init(&p->rs.timer, bri_timer_fired, p);
		LIST_INSERT_HEAD(&e->revokes, p, entry);
	}
	bri_build(e, p, mn, mag);
	e->stats.bri_sent++;
	resend_first(e, &p->rs, &e->conf->revoke);
}

static struct bce *first_at(const struct lma_mag *mag, const struct lma_mn *mn)
{
	struct bce *b;

	LIST_FOREACH(b, &mag->bces, mag_entry)
	if (b->mn == mn)
		return b;
	return NULL;
}

/* Revokes mn's bindings at mag: the indication is built while they exist, then they go (mn
 * may go with its last one: it is not looked at after that). Returns how many went. */
static unsigned revoke_at(struct lma_engine *e, struct lma_mn *mn, struct lma_mag *mag)
{
	unsigned count = 0;
	struct bce *b;

	LIST_FOREACH(b, &mag->bces, mag_entry)
	count += b->mn == mn;
	bri_start(e, mn, mag);
	for (unsigned i = 0; i < count; i++) {
		e->stats.revoked++;
		engine_bce_delete(e, first_at(mag, mn));
	}
	return count;
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
		if (k == left)
			return (int)n; /* mn may be gone now */
	}
}

/* Every binding at mag goes; the entry itself stays until the flush (engine_mag_release). */
static void revoke_mag(struct lma_engine *e, struct lma_mag *mag)
{
	while (!LIST_EMPTY(&mag->bces))
		revoke_at(e, LIST_FIRST(&mag->bces)->mn, mag);
}

/* MAG entries are freed only at the flush: the walk over the index is safe. */
unsigned lma_engine_revoke_unconfigured(struct lma_engine *e, const struct lma_now *now)
{
	unsigned n = 0;

	e->now = *now;
	for (size_t i = 0; i <= e->bc.by_mag.mask; i++)
		for (const struct hnode *h = e->bc.by_mag.buckets[i]; h; h = h->next) {
			struct lma_mag *mag = HMAP_ENTRY(h, struct lma_mag, node);

			if (mag->n_bce == 0 || lma_conf_find_mag(e->conf, &mag->addr))
				continue;
			n += mag->n_bce;
			revoke_mag(e, mag);
		}
	return n;
}

/* A PBU from mag for an MN whose revocation it has not acknowledged yet. */
bool revoke_outstanding(const struct lma_engine *e, const struct in6_addr *mag,
                        const struct mh_opts *o)
{
	if (!(o->present & MH_HAVE_MNID) || LIST_EMPTY(&e->revokes))
		return false;
	return pending_find(e, mag, (const char *)o->mnid.id, o->mnid.len) != NULL;
}

/* A Binding Revocation Acknowledgement answers the indication outstanding to its source with
 * its sequence number (§8.1); a Binding Revocation Indication from a MAG (MAG-initiated
 * revocation, §9.1) is not served. */
void revoke_input(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m)
{
	struct revoke_pending *p;

	if (m->u.br.br_type != MH_BR_TYPE_BRA) {
		e->stats.dropped[LMA_DROP_UNEXPECTED]++;
		return;
	}
	LIST_FOREACH(p, &e->revokes, entry)
	if (memcmp(&p->rs.dst, src, sizeof(*src)) == 0 && p->rs.msg.u.br.seq == m->u.br.seq)
		break;
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
