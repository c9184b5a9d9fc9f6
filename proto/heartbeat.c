/* heartbeat.c: fixed part of the Heartbeat message (RFC 5847 §3.3); its Restart Counter option
 * (§3.4) is in options.c. */
#include "proto/mh_family.h"

static void hb_decode(struct wire *w, struct mh_msg *m)
{
	wire_skip(w, 1);
	m->u.hb.flags = wire_get_u8(w);
	m->u.hb.seq = wire_get_u32(w);
}

static void hb_encode(struct wire *w, const struct mh_msg *m)
{
	wire_put_u8(w, 0);
	wire_put_u8(w, m->u.hb.flags);
	wire_put_u32(w, m->u.hb.seq);
}

const struct mh_family mh_family_hb = { MH_TYPE_HB, 6, false, "heartbeat", hb_decode, hb_encode };
