/* golden.c: hand-written Mobility Header messages, one of every kind the codec knows, each with
 * every option it may carry, commented field by field with the offset from the start of the MH.
 * Option alignment: HNP and MuHo 8n+4, MN-LL-ID 8n+2, LLA 8n+6, Timestamp 8n+2 (RFC 5213 §8),
 * Restart Counter 4n+2; messages end padded to a multiple of 8 octets (RFC 6275 §6.1.1, §6.2).
 * The same vectors seed the fuzzer and the tshark cross-check. */
#include <arpa/inet.h>
#include <string.h>

#include "tests/proto/golden.h"

#define NAI_BYTES 'm', 'n', '1', '@', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g'
#define MNID_OPT  8, 16, 1, NAI_BYTES /* MN-ID option: type 8, length 16, subtype NAI, 15 octets */
#define MAC_BYTES 0x02, 0x00, 0x00, 0x00, 0x01, 0x01
#define FE80_1    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define PFX(n)    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, (n), 0, 0, 0, 0, 0, 0, 0, 0
#define ZERO16    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define TS_BYTES  0x00, 0x00, 0x69, 0xa1, 0xb2, 0xc3, 0x80, 0x00 /* 0x69a1b2c3 s + 1/2 s */
#define TS_VALUE  0x000069a1b2c38000ull

/* clang-format off */
/* (the vectors keep one field per line, each with its comment) */

/* PBU from a MAG asking for a prefix for a multihomed MN (136 octets). */
static const uint8_t pbu[] = {
	59, 16, 5, 0,    /* 0: payload proto 59, header len 16 (136 octets), MH type 5, reserved */
	0x00, 0x00,      /* 4: checksum (left to the kernel) */
	0x12, 0x34,      /* 6: sequence 0x1234 */
	0x82, 0x00,      /* 8: flags A (0x8000) and P (0x0200) */
	0x00, 0x96,      /* 10: lifetime 150 (x 4 s = 600 s) */
	MNID_OPT,        /* 12: MN-ID "mn1@example.org" */
	1, 4, 0, 0, 0, 0, /* 30: PadN, 4 octets, so the HNP starts at 8n+4 */
	22, 18, 0, 0,    /* 36: HNP: type 22, length 18, reserved, prefix length 0 */
	ZERO16,          /* 40: ALL_ZERO prefix: "allocate one" */
	1, 2, 0, 0,      /* 56: PadN, 2 octets, so the MuHo option starts at 8n+4 */
	18, 18, 0, 0,    /* 60: MuHo (type 18), empty: "multihomed, tell me the others" */
	ZERO16,          /* 64 */
	23, 2, 0, 1,     /* 80: Handoff Indicator: reserved, 1 (new interface) */
	24, 2, 0, 4,     /* 84: Access Technology Type: reserved, 4 (IEEE 802.11a/b/g) */
	1, 0,            /* 88: PadN, 0 octets, so the MN-LL-ID starts at 8n+2 */
	25, 8, 0, 0,     /* 90: MN Link-layer ID: type 25, length 8, 16 reserved bits */
	MAC_BYTES,       /* 94: 02:00:00:00:01:01 */
	1, 0,            /* 100: PadN, 0 octets: LLA at 8n+6 */
	26, 16, FE80_1,  /* 102: Link-local Address fe80::1 */
	1, 0,            /* 120: PadN, 0 octets: Timestamp at 8n+2 */
	27, 8, TS_BYTES, /* 122: Timestamp */
	1, 2, 0, 0,      /* 132: PadN to the 8-octet boundary */
};

/* PBA accepting it: the MN's prefix, and two prefixes of its other bindings (160 octets). */
static const uint8_t pba[] = {
	59, 19, 6, 0,    /* 0: payload proto, header len 19 (160 octets), MH type 6, reserved */
	0x00, 0x00,      /* 4: checksum */
	0, 0x20,         /* 6: status 0 (accepted), flags P (0x20) */
	0x12, 0x34,      /* 8: sequence echoed */
	0x00, 0x96,      /* 10: lifetime 150 */
	MNID_OPT,        /* 12: MN-ID echoed */
	1, 4, 0, 0, 0, 0, /* 30: PadN 4 */
	22, 18, 0, 64, PFX(1), /* 36: HNP 2001:db8:1:1::/64 */
	1, 2, 0, 0,      /* 56: PadN 2 */
	18, 18, 0, 64, PFX(2), /* 60: MuHo 2001:db8:1:2::/64 */
	1, 2, 0, 0,      /* 80: PadN 2 */
	18, 18, 0, 64, PFX(3), /* 84: MuHo 2001:db8:1:3::/64 */
	23, 2, 0, 1,     /* 104: Handoff Indicator 1 echoed */
	24, 2, 0, 4,     /* 108: Access Technology Type 4 echoed */
	1, 0,            /* 112: PadN 0 */
	25, 8, 0, 0, MAC_BYTES, /* 114: MN Link-layer ID echoed */
	1, 0,            /* 124: PadN 0 */
	26, 16, FE80_1,  /* 126: Link-local Address */
	1, 0,            /* 144: PadN 0 */
	27, 8, TS_BYTES, /* 146: Timestamp */
	1, 2, 0, 0,      /* 156: PadN to 160 */
};

/* Heartbeat request with a Restart Counter (24 octets). */
static const uint8_t heartbeat[] = {
	59, 2, 13, 0, 0x00, 0x00, /* 0: header len 2 (24 octets), MH type 13 */
	0, 0x02,                  /* 6: reserved, flags U (unsolicited) */
	0, 0, 0, 7,               /* 8: sequence 7 */
	1, 0,                     /* 12: PadN 0: Restart Counter at 4n+2 */
	28, 4, 0, 0, 0, 5,        /* 14: Restart Counter 5 */
	1, 2, 0, 0,               /* 20: PadN to 24 */
};

/* Binding Revocation Indication for one MN's proxy binding (56 octets). */
static const uint8_t bri[] = {
	59, 6, 16, 0, 0x00, 0x00, /* 0: header len 6 (56 octets), MH type 16 */
	1, 1,                     /* 6: B.R. type 1 (BRI), trigger 1 (administrative) */
	0x00, 0x42,               /* 8: sequence 0x42 */
	0x80, 0x00,               /* 10: flags P (proxy binding) */
	MNID_OPT,                 /* 12: MN-ID */
	1, 4, 0, 0, 0, 0,         /* 30: PadN 4 */
	22, 18, 0, 64, PFX(1),    /* 36: HNP 2001:db8:1:1::/64 */
};

/* Binding Revocation Acknowledgement (32 octets). */
static const uint8_t bra[] = {
	59, 3, 16, 0, 0x00, 0x00, /* 0: header len 3 (32 octets), MH type 16 */
	2, 0,                     /* 6: B.R. type 2 (BRA), status 0 (success) */
	0x00, 0x42,               /* 8: sequence echoed */
	0x80, 0x00,               /* 10: flags P */
	MNID_OPT,                 /* 12: MN-ID */
	1, 0,                     /* 30: PadN to 32 */
};

/* RFC 5846 §5.1 (BRI) and §5.2 (BRA) share the layout after the MH header: B.R. Type (8),
 * R. Trigger or Status (8), Sequence # (16), then P (0x8000), V (0x4000), G (0x2000) and 13
 * reserved bits (the bits tshark's mip6.bri_* fields read), then the options. A global revocation (G) names no MN: per-peer policy
 * trigger, no option (16 octets). */
static const uint8_t bri_global[] = {
	59, 1, 16, 0, 0x00, 0x00, /* 0: header len 1 (16 octets), MH type 16 */
	1, 128,                   /* 6: B.R. type 1 (BRI), trigger 128 (per-peer policy) */
	0x01, 0x00,               /* 8: sequence 0x100 */
	0xa0, 0x00,               /* 10: flags P (0x8000) and G (0x2000), reserved zero */
	1, 2, 0, 0,               /* 12: PadN to 16 */
};

/* Its failure answer, as a MAG sends it for an MN it does not serve (32 octets). */
static const uint8_t bra_no_binding[] = {
	59, 3, 16, 0, 0x00, 0x00, /* 0: header len 3 (32 octets), MH type 16 */
	2, 128,                   /* 6: B.R. type 2 (BRA), status 128 (Binding Does NOT Exist) */
	0xff, 0xfe,               /* 8: sequence 0xfffe, echoed */
	0x80, 0x00,               /* 10: flags P echoed */
	MNID_OPT,                 /* 12: MN-ID echoed */
	1, 0,                     /* 30: PadN to 32 */
};

/* Update Notification (RFC 7077 §4.1, Figure 3): Sequence # (16), Notification Reason (16),
 * A, D and 14 reserved bits. The MN's prefix list changed (80 octets). */
static const uint8_t upn[] = {
	59, 9, 19, 0, 0x00, 0x00, /* 0: header len 9 (80 octets), MH type 19 */
	0x00, 0x07,               /* 6: sequence 7 */
	0x00, 0x02,               /* 8: reason 2, UPDATE-SESSION-PARAMETERS (16 bits) */
	0x80,                     /* 10: A (acknowledgement requested), D clear: first send */
	0x00,                     /* 11: the rest of the 14 reserved bits */
	MNID_OPT,                 /* 12: MN-ID */
	1, 4, 0, 0, 0, 0,         /* 30: PadN 4 */
	18, 18, 0, 64, PFX(1),    /* 36: MuHo 2001:db8:1:1::/64 */
	1, 2, 0, 0,               /* 56: PadN 2 */
	18, 18, 0, 64, PFX(2),    /* 60: MuHo 2001:db8:1:2::/64 */
};

/* The retransmission of an Update Notification (RFC 7077 §4.1, §5.1): same sequence number,
 * D (Retransmit) set; reason FORCE-REREGISTRATION (32 octets). */
static const uint8_t upn_retransmit[] = {
	59, 3, 19, 0, 0x00, 0x00, /* 0: header len 3 (32 octets), MH type 19 */
	0xbe, 0xef,               /* 6: sequence 0xbeef (a random start, §5.1) */
	0x00, 0x01,               /* 8: reason 1, FORCE-REREGISTRATION (16 bits) */
	0xc0,                     /* 10: A (0x80) and D (0x40, Retransmit) */
	0x00,                     /* 11: reserved */
	MNID_OPT,                 /* 12: MN-ID */
	1, 0,                     /* 30: PadN to 32 */
};

/* Update Notification Acknowledgement (RFC 7077 §4.2, Figure 4): Sequence # (16), Status (8),
 * 24 reserved bits (32 octets). */
static const uint8_t upa[] = {
	59, 3, 20, 0, 0x00, 0x00, /* 0: header len 3 (32 octets), MH type 20 */
	0x00, 0x07,               /* 6: sequence echoed */
	0,                        /* 8: status 0 (success) */
	0, 0, 0,                  /* 9: reserved */
	MNID_OPT,                 /* 12: MN-ID */
	1, 0,                     /* 30: PadN to 32 */
};

/* Binding Error: unrecognized MH type (24 octets). */
static const uint8_t binding_error[] = {
	59, 2, 7, 0, 0x00, 0x00, /* 0: header len 2 (24 octets), MH type 7 */
	2, 0,                    /* 6: status 2 (unrecognized MH type), reserved */
	ZERO16,                  /* 8: home address :: (none known) */
};

/* clang-format on */

static void set_pfx(struct mh_prefix *p, int n, uint8_t len)
{
	const uint8_t bytes[16] = { PFX(0) };

	memcpy(&p->addr, bytes, 16);
	p->addr.s6_addr[7] = (uint8_t)n;
	p->len = len;
}

static void set_nai(struct mh_opts *o)
{
	o->present |= MH_HAVE_MNID;
	o->mnid.subtype = MH_MNID_SUBTYPE_NAI;
	o->mnid.len = 15;
	memcpy(o->mnid.id, "mn1@example.org", 15);
}

static void set_binding_opts(struct mh_opts *o)
{
	static const uint8_t mac[] = { MAC_BYTES };

	set_nai(o);
	o->present |= MH_HAVE_HI | MH_HAVE_ATT | MH_HAVE_MNLLID | MH_HAVE_LLA | MH_HAVE_TIMESTAMP;
	o->hi = 1;
	o->att = 4;
	o->llid_len = 6;
	memcpy(o->llid, mac, 6);
	inet_pton(AF_INET6, "fe80::1", &o->lla);
	o->timestamp = TS_VALUE;
}

static void expect_pbu(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BU);
	m->u.bu.seq = 0x1234;
	m->u.bu.flags = MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = 150;
	set_binding_opts(&m->opts);
	m->opts.n_hnp = 1;  /* ALL_ZERO, length 0 */
	m->opts.n_muho = 1; /* empty */
}

static void expect_pba(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BA);
	m->u.ba.status = 0;
	m->u.ba.flags = MH_BA_P;
	m->u.ba.seq = 0x1234;
	m->u.ba.lifetime = 150;
	set_binding_opts(&m->opts);
	m->opts.n_hnp = 1;
	set_pfx(&m->opts.hnp[0], 1, 64);
	m->opts.n_muho = 2;
	set_pfx(&m->opts.muho[0], 2, 64);
	set_pfx(&m->opts.muho[1], 3, 64);
}

static void expect_heartbeat(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_HB);
	m->u.hb.flags = MH_HB_U;
	m->u.hb.seq = 7;
	m->opts.present = MH_HAVE_RESTART_COUNTER;
	m->opts.restart_counter = 5;
}

static void expect_bri(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BR);
	m->u.br.br_type = MH_BR_TYPE_BRI;
	m->u.br.code = 1;
	m->u.br.seq = 0x42;
	m->u.br.flags = MH_BR_P;
	set_nai(&m->opts);
	m->opts.n_hnp = 1;
	set_pfx(&m->opts.hnp[0], 1, 64);
}

static void expect_bra(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BR);
	m->u.br.br_type = MH_BR_TYPE_BRA;
	m->u.br.code = 0;
	m->u.br.seq = 0x42;
	m->u.br.flags = MH_BR_P;
	set_nai(&m->opts);
}

static void expect_bri_global(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BR);
	m->u.br.br_type = MH_BR_TYPE_BRI;
	m->u.br.code = MH_BRI_PER_PEER_POLICY;
	m->u.br.seq = 0x100;
	m->u.br.flags = MH_BR_P | MH_BR_G;
}

static void expect_bra_no_binding(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BR);
	m->u.br.br_type = MH_BR_TYPE_BRA;
	m->u.br.code = MH_BRA_NO_BINDING;
	m->u.br.seq = 0xfffe;
	m->u.br.flags = MH_BR_P;
	set_nai(&m->opts);
}

static void expect_upn(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_UPN);
	m->u.upn.seq = 7;
	m->u.upn.reason = 2;
	m->u.upn.flags = MH_UPN_A;
	set_nai(&m->opts);
	m->opts.n_muho = 2;
	set_pfx(&m->opts.muho[0], 1, 64);
	set_pfx(&m->opts.muho[1], 2, 64);
}

static void expect_upn_retransmit(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_UPN);
	m->u.upn.seq = 0xbeef;
	m->u.upn.reason = 1;
	m->u.upn.flags = MH_UPN_A | MH_UPN_D;
	set_nai(&m->opts);
}

static void expect_upa(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_UPA);
	m->u.upa.seq = 7;
	m->u.upa.status = 0;
	set_nai(&m->opts);
}

static void expect_binding_error(struct mh_msg *m)
{
	mh_msg_init(m, MH_TYPE_BE);
	m->u.be.status = 2;
}

#define VEC(n) #n, n, sizeof(n), expect_##n
const struct golden golden_vectors[] = {
	{ VEC(pbu) }, { VEC(pba) }, { VEC(heartbeat) }, { VEC(bri) },
	{ VEC(bra) }, { VEC(bri_global) }, { VEC(bra_no_binding) }, { VEC(upn) },
	{ VEC(upn_retransmit) }, { VEC(upa) },
	{ VEC(binding_error) },
};
const size_t golden_count = sizeof(golden_vectors) / sizeof(golden_vectors[0]);

const struct golden *golden_find(const char *name)
{
	for (size_t i = 0; i < golden_count; i++)
		if (strcmp(golden_vectors[i].name, name) == 0)
			return &golden_vectors[i];
	return NULL;
}

#include <stdio.h>

#define DIFFER(field)                                                                              \
	do {                                                                                       \
		snprintf(why, why_len, "%s differs", field);                                       \
		return false;                                                                      \
	} while (0)

static bool prefixes_equal(const struct mh_prefix *a, const struct mh_prefix *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i].len != b[i].len || memcmp(&a[i].addr, &b[i].addr, 16) != 0)
			return false;
	return true;
}

static bool opts_equal(const struct mh_opts *a, const struct mh_opts *b, char *why, size_t why_len)
{
	if (a->present != b->present)
		DIFFER("opts.present");
	if ((a->present & MH_HAVE_MNID) &&
	    (a->mnid.subtype != b->mnid.subtype || a->mnid.len != b->mnid.len ||
	     memcmp(a->mnid.id, b->mnid.id, a->mnid.len) != 0))
		DIFFER("opts.mnid");
	if ((a->present & MH_HAVE_HI) && a->hi != b->hi)
		DIFFER("opts.hi");
	if ((a->present & MH_HAVE_ATT) && a->att != b->att)
		DIFFER("opts.att");
	if ((a->present & MH_HAVE_MNLLID) &&
	    (a->llid_len != b->llid_len || memcmp(a->llid, b->llid, a->llid_len) != 0))
		DIFFER("opts.llid");
	if ((a->present & MH_HAVE_LLA) && memcmp(&a->lla, &b->lla, 16) != 0)
		DIFFER("opts.lla");
	if ((a->present & MH_HAVE_TIMESTAMP) && a->timestamp != b->timestamp)
		DIFFER("opts.timestamp");
	if ((a->present & MH_HAVE_RESTART_COUNTER) && a->restart_counter != b->restart_counter)
		DIFFER("opts.restart_counter");
	if (a->n_hnp != b->n_hnp || !prefixes_equal(a->hnp, b->hnp, a->n_hnp))
		DIFFER("opts.hnp");
	if (a->n_muho != b->n_muho || !prefixes_equal(a->muho, b->muho, a->n_muho))
		DIFFER("opts.muho");
	if (a->n_unknown != b->n_unknown)
		DIFFER("opts.n_unknown");
	return true;
}

static bool fixed_equal(const struct mh_msg *a, const struct mh_msg *b)
{
	switch (a->type) {
	case MH_TYPE_BU:
		return a->u.bu.seq == b->u.bu.seq && a->u.bu.flags == b->u.bu.flags &&
		       a->u.bu.lifetime == b->u.bu.lifetime;
	case MH_TYPE_BA:
		return a->u.ba.status == b->u.ba.status && a->u.ba.flags == b->u.ba.flags &&
		       a->u.ba.seq == b->u.ba.seq && a->u.ba.lifetime == b->u.ba.lifetime;
	case MH_TYPE_BE:
		return a->u.be.status == b->u.be.status &&
		       memcmp(&a->u.be.home_addr, &b->u.be.home_addr, 16) == 0;
	case MH_TYPE_HB:
		return a->u.hb.flags == b->u.hb.flags && a->u.hb.seq == b->u.hb.seq;
	case MH_TYPE_BR:
		return a->u.br.br_type == b->u.br.br_type && a->u.br.code == b->u.br.code &&
		       a->u.br.seq == b->u.br.seq && a->u.br.flags == b->u.br.flags;
	case MH_TYPE_UPN:
		return a->u.upn.seq == b->u.upn.seq && a->u.upn.reason == b->u.upn.reason &&
		       a->u.upn.flags == b->u.upn.flags;
	case MH_TYPE_UPA:
		return a->u.upa.seq == b->u.upa.seq && a->u.upa.status == b->u.upa.status;
	}
	return false;
}

bool golden_msg_equal(const struct mh_msg *a, const struct mh_msg *b, char *why, size_t why_len)
{
	if (a->type != b->type)
		DIFFER("type");
	if (!fixed_equal(a, b))
		DIFFER("fixed part");
	return opts_equal(&a->opts, &b->opts, why, why_len);
}
