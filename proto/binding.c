/* binding.c: fixed parts of the Binding Update and Binding Acknowledgement (RFC 6275 §6.1.7,
 * §6.1.8) as Proxy Mobile IPv6 uses them (RFC 5213 §8.1, §8.2: flag P), and the Binding Error
 * (RFC 6275 §6.1.9) an LMA returns for an unknown MH type. */
#include "proto/mh_family.h"

static void bu_decode(struct wire *w, struct mh_msg *m)
{
	m->u.bu.seq = wire_get_u16(w);
	m->u.bu.flags = wire_get_u16(w);
	m->u.bu.lifetime = wire_get_u16(w);
}

static void bu_encode(struct wire *w, const struct mh_msg *m)
{
	wire_put_u16(w, m->u.bu.seq);
	wire_put_u16(w, m->u.bu.flags);
	wire_put_u16(w, m->u.bu.lifetime);
}

static void ba_decode(struct wire *w, struct mh_msg *m)
{
	m->u.ba.status = wire_get_u8(w);
	m->u.ba.flags = wire_get_u8(w);
	m->u.ba.seq = wire_get_u16(w);
	m->u.ba.lifetime = wire_get_u16(w);
}

static void ba_encode(struct wire *w, const struct mh_msg *m)
{
	wire_put_u8(w, m->u.ba.status);
	wire_put_u8(w, m->u.ba.flags);
	wire_put_u16(w, m->u.ba.seq);
	wire_put_u16(w, m->u.ba.lifetime);
}

static void be_decode(struct wire *w, struct mh_msg *m)
{
	m->u.be.status = wire_get_u8(w);
	wire_skip(w, 1);
	wire_get_bytes(w, &m->u.be.home_addr, sizeof(m->u.be.home_addr));
}

static void be_encode(struct wire *w, const struct mh_msg *m)
{
	wire_put_u8(w, m->u.be.status);
	wire_put_u8(w, 0);
	wire_put_bytes(w, &m->u.be.home_addr, sizeof(m->u.be.home_addr));
}

const struct mh_family mh_family_bu = {
	MH_TYPE_BU, 6, false, "binding-update", bu_decode, bu_encode
};
const struct mh_family mh_family_ba = { MH_TYPE_BA, 6, true, "binding-ack", ba_decode, ba_encode };
const struct mh_family mh_family_be = {
	MH_TYPE_BE, 18, false, "binding-error", be_decode, be_encode
};
