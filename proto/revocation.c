/* revocation.c: fixed part of the Binding Revocation message (RFC 5846 §5.1, §5.2): the
 * Indication (B.R. type 1, with a revocation trigger, §5.1) and the Acknowledgement (type 2, with
 * a status, §5.2) share one layout. */
#include "proto/mh_family.h"

static void br_decode(struct wire *w, struct mh_msg *m)
{
	m->u.br.br_type = wire_get_u8(w);
	m->u.br.code = wire_get_u8(w);
	m->u.br.seq = wire_get_u16(w);
	m->u.br.flags = wire_get_u16(w);
}

static void br_encode(struct wire *w, const struct mh_msg *m)
{
	wire_put_u8(w, m->u.br.br_type);
	wire_put_u8(w, m->u.br.code);
	wire_put_u16(w, m->u.br.seq);
	wire_put_u16(w, m->u.br.flags);
}

const struct mh_family mh_family_br = { MH_TYPE_BR,           6,         false,
	                                "binding-revocation", br_decode, br_encode };
