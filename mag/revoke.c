/* revoke.c: the MAG's side of LMA-initiated Binding Revocation (RFC 5846 §9.2 for the
 * mobile access gateway receiving a Binding Revocation Indication; §5.1, §5.2 for the
 * messages). A BRI from the LMA with the P flag names an MN by its MN-ID option (or, with G,
 * every MN this MAG serves with the LMA): each of the MN's entries is torn down at once (its
 * prefixes withdrawn by a router advertisement with zero lifetimes while the MN can still hear,
 * its routes and rules removed, the entry forgotten so that the MN's return starts afresh),
 * and a Binding Revocation Acknowledgement answers with the BRI's sequence number, flags and
 * MN-ID. A BRI this MAG cannot act on gets the RFC's status: 128 (Binding Does NOT Exist)
 * when no entry matches, or for a non-proxy (P clear) or IPv4-only (V) binding, which a MAG
 * never has; 131 (Revoked Mobile Node Identity Required) when neither an MN-ID nor G is given.
 * The Home Network Prefix options the LMA lists are not needed to find the entries: the LMA
 * revokes all of an MN's bindings at one MAG together. A retransmitted BRI whose first copy
 * was applied finds nothing left and is answered 128, which the LMA counts as done. */
#include "common/log.h"
#include "mag/engine_int.h"

static void send_bra(struct mag_engine *e, const struct mh_msg *bri, uint8_t status)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_BR);
	m.u.br.br_type = MH_BR_TYPE_BRA;
	m.u.br.code = status;
	m.u.br.seq = bri->u.br.seq;
	m.u.br.flags = bri->u.br.flags & (MH_BR_P | MH_BR_V | MH_BR_G);
	signal_echo_mnid(&m, bri);
	signal_send(e, &m);
	e->stats.bra_sent++;
}

/* G without an MN-ID names every entry. */
static bool names_entry(const struct bul_entry *b, const struct mh_msg *m)
{
	if ((m->u.br.flags & MH_BR_G) && !(m->opts.present & MH_HAVE_MNID))
		return true;
	return signal_same_mn_id(b, &m->opts);
}

/* Tears down the entries the BRI names; returns the BRA's status. */
static uint8_t bri_apply(struct mag_engine *e, const struct mh_msg *m)
{
	struct bul_entry *b, *next;
	unsigned n = 0;

	if (!(m->u.br.flags & MH_BR_P) || (m->u.br.flags & MH_BR_V))
		return MH_BRA_NO_BINDING;
	if (!(m->opts.present & MH_HAVE_MNID) && !(m->u.br.flags & MH_BR_G))
		return MH_BRA_MN_ID_REQUIRED;
	for (b = LIST_FIRST(&e->bul); b; b = next) {
		next = LIST_NEXT(b, entry);
		if (names_entry(b, m)) {
			bul_event(e, b, BUL_EV_REVOKE, NULL);
			n++;
		}
	}
	return n ? MH_BRA_SUCCESS : MH_BRA_NO_BINDING;
}

void signal_revocation(struct mag_engine *e, const struct mh_msg *m)
{
	uint8_t status;

	if (m->u.br.br_type != MH_BR_TYPE_BRI) {
		e->stats.dropped[MAG_DROP_UNEXPECTED]++; /* an acknowledgement: we revoke nothing */
		return;
	}
	e->stats.bri_received++;
	status = bri_apply(e, m);
	if (status != MH_BRA_SUCCESS)
		e->stats.bri_unmatched++;
	else
		log_info("the LMA revoked the bindings of %.*s (trigger %u)", (int)m->opts.mnid.len,
		         (const char *)m->opts.mnid.id, m->u.br.code);
	send_bra(e, m, status);
}
