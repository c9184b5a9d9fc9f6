/* notification.c: fixed parts of the Update Notification and its Acknowledgement (RFC 7077
 * §4.1, §4.2): UPN = Sequence # (16), Notification Reason (16), flags A (Acknowledgement
 * Requested) and D (Retransmit), 14 reserved bits; UPA = Sequence # (16), Status (8), 24
 * reserved bits. Reserved bits are sent as zero and ignored on receipt. tshark 4.0 does not
 * decode these, so their layout is checked against hand-written vectors in tests/proto/golden.c
 * and tests/proto/test_mh.c. The LMA sends a UPN with reason UPDATE-SESSION-PARAMETERS to tell
 * the other MAGs of a multihomed MN its new prefix list (draft-bernardos-mif-pmip-02 §5.2.3). */
#include "proto/mh_family.h"

#define UPN_FLAGS (MH_UPN_A | MH_UPN_D)

static void upn_decode(struct wire *w, struct mh_msg *m)
{
	m->u.upn.seq = wire_get_u16(w);
	m->u.upn.reason = wire_get_u16(w);
	m->u.upn.flags = wire_get_u8(w) & UPN_FLAGS;
	wire_skip(w, 1);
}

static void upn_encode(struct wire *w, const struct mh_msg *m)
{
	wire_put_u16(w, m->u.upn.seq);
	wire_put_u16(w, m->u.upn.reason);
	wire_put_u8(w, m->u.upn.flags & UPN_FLAGS);
	wire_put_u8(w, 0);
}

static void upa_decode(struct wire *w, struct mh_msg *m)
{
	m->u.upa.seq = wire_get_u16(w);
	m->u.upa.status = wire_get_u8(w);
	wire_skip(w, 3);
}

static void upa_encode(struct wire *w, const struct mh_msg *m)
{
	wire_put_u16(w, m->u.upa.seq);
	wire_put_u8(w, m->u.upa.status);
	wire_put_u8(w, 0);
	wire_put_u16(w, 0);
}

const struct mh_family mh_family_upn = { MH_TYPE_UPN,           6,          false,
	                                 "update-notification", upn_decode, upn_encode };
const struct mh_family mh_family_upa = { MH_TYPE_UPA, 6,         false, "update-notification-ack",
	                                 upa_decode,  upa_encode };
