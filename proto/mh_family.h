/* mh_family.h: the internal interface between the generic Mobility Header codec (mh.c, options.c)
 * and the per-message-family files that know each message's fixed part. Not for daemons. */
#ifndef PROTO_MH_FAMILY_H
#define PROTO_MH_FAMILY_H

#include "proto/mh.h"
#include "proto/wire.h"

struct mh_family {
	uint8_t type;
	uint8_t fixed_len;  /* octets between the MH header and the first option */
	bool empty_mnid_ok; /* RFC 5213 §5.3.6: a PBA echoes a missing MN-ID as a zero-length one */
	const char *name;
	void (*decode_fixed)(struct wire *w, struct mh_msg *m);
	void (*encode_fixed)(struct wire *w, const struct mh_msg *m);
};

/* One entry per message type, in binding.c, heartbeat.c, revocation.c, notification.c. */
extern const struct mh_family mh_family_bu, mh_family_ba, mh_family_be, mh_family_hb, mh_family_br,
        mh_family_upn, mh_family_upa;

int mh_opts_decode(struct wire *w, const struct mh_family *f, const struct mh_params *p,
                   struct mh_msg *m);
int mh_opts_encode(struct wire *w, const struct mh_opts *o, const struct mh_params *p);
void mh_pad_to(struct wire *w, unsigned mult, unsigned off);

#endif
