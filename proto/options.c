/* options.c: Mobility Options (RFC 6275 §6.2) of every message: Pad1/PadN, MN Identifier
 * (RFC 4283 §3), Home Network Prefix, Handoff Indicator, Access Technology Type, MN Link-layer
 * Identifier, Link-local Address, Timestamp (RFC 5213 §8.3–8.8), Restart Counter (RFC 5847 §3.4)
 * and the MuHo option (draft-bernardos-mif-pmip-02 §5.2.1: the HNP layout under its own type).
 *
 * The walk follows libmnl's mnl_attr_ok(): the option header must fit, the body must fit what is
 * left, and each body is read through its own sub-cursor that must be consumed exactly. */
#include "proto/mh_family.h"

#define PREFIX_BODY_LEN 18 /* reserved, prefix length, 128-bit prefix */

struct opt_rule {
	uint8_t type;
	uint32_t have; /* MH_HAVE_* for single-instance options, 0 for repeatable ones */
	uint8_t min_len;
	uint8_t max_len; /* equal to min_len for fixed-length options */
	int (*decode)(struct wire *v, struct mh_msg *m, const struct mh_family *f);
};

bool mh_nai_valid(const uint8_t *id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (id[i] < 0x21 || id[i] > 0x7e)
			return false;
	return true;
}

static int decode_mnid(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	struct mh_mnid *id = &m->opts.mnid;
	size_t id_len = wire_left(v) - 1;

	if (id_len == 0 && !f->empty_mnid_ok)
		return MH_E_MNID_EMPTY;
	if (id_len > MH_MNID_MAX)
		return MH_E_MNID_LONG;
	id->subtype = wire_get_u8(v);
	id->len = (uint8_t)id_len;
	wire_get_bytes(v, id->id, id_len);
	if (id->subtype == MH_MNID_SUBTYPE_NAI && !mh_nai_valid(id->id, id->len))
		return MH_E_NAI;
	return MH_OK;
}

static int decode_prefix(struct wire *v, struct mh_prefix *list, uint8_t *count)
{
	struct mh_prefix *pfx;

	if (*count >= MH_MAX_PREFIXES)
		return MH_E_OPT_MANY;
	pfx = &list[*count];
	wire_skip(v, 1);
	pfx->len = wire_get_u8(v);
	wire_get_bytes(v, &pfx->addr, sizeof(pfx->addr));
	if (pfx->len > 128)
		return MH_E_PREFIXLEN;
	(*count)++;
	return MH_OK;
}

static int decode_hnp(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	return decode_prefix(v, m->opts.hnp, &m->opts.n_hnp);
}

static int decode_muho(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	return decode_prefix(v, m->opts.muho, &m->opts.n_muho);
}

static int decode_hi(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	wire_skip(v, 1);
	m->opts.hi = wire_get_u8(v);
	return MH_OK;
}

static int decode_att(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	wire_skip(v, 1);
	m->opts.att = wire_get_u8(v);
	return MH_OK;
}

static int decode_llid(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	wire_skip(v, 2);
	m->opts.llid_len = (uint8_t)wire_left(v);
	wire_get_bytes(v, m->opts.llid, m->opts.llid_len);
	return MH_OK;
}

static int decode_lla(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	wire_get_bytes(v, &m->opts.lla, sizeof(m->opts.lla));
	return MH_OK;
}

static int decode_timestamp(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	m->opts.timestamp = wire_get_u64(v);
	return MH_OK;
}

static int decode_restart_counter(struct wire *v, struct mh_msg *m, const struct mh_family *f)
{
	(void)f;
	m->opts.restart_counter = wire_get_u32(v);
	return MH_OK;
}

static const struct opt_rule opt_rules[] = {
	{ MH_OPT_MNID, MH_HAVE_MNID, 1, 255, decode_mnid },
	{ MH_OPT_HNP, 0, PREFIX_BODY_LEN, PREFIX_BODY_LEN, decode_hnp },
	{ MH_OPT_HI, MH_HAVE_HI, 2, 2, decode_hi },
	{ MH_OPT_ATT, MH_HAVE_ATT, 2, 2, decode_att },
	{ MH_OPT_MNLLID, MH_HAVE_MNLLID, 3, 2 + MH_LLID_MAX, decode_llid },
	{ MH_OPT_LLA, MH_HAVE_LLA, 16, 16, decode_lla },
	{ MH_OPT_TIMESTAMP, MH_HAVE_TIMESTAMP, 8, 8, decode_timestamp },
	{ MH_OPT_RESTART_COUNTER, MH_HAVE_RESTART_COUNTER, 4, 4, decode_restart_counter },
};

static const struct opt_rule muho_rule = { 0, 0, PREFIX_BODY_LEN, PREFIX_BODY_LEN, decode_muho };

static const struct opt_rule *opt_rule_find(uint8_t type, const struct mh_params *p)
{
	if (type == p->muho_type)
		return &muho_rule;
	for (size_t i = 0; i < sizeof(opt_rules) / sizeof(opt_rules[0]); i++)
		if (opt_rules[i].type == type)
			return &opt_rules[i];
	return NULL;
}

bool mh_muho_type_usable(unsigned type)
{
	struct mh_params none = { .muho_type = 0 };

	return type > MH_OPT_PADN && type <= 255 && opt_rule_find((uint8_t)type, &none) == NULL;
}

static int opt_decode_one(uint8_t type, struct wire *v, const struct mh_family *f,
                          const struct mh_params *p, struct mh_msg *m)
{
	const struct opt_rule *r = opt_rule_find(type, p);
	size_t len = wire_left(v);
	int rc;

	if (type == MH_OPT_PADN)
		return MH_OK; /* RFC 6275 §6.2.3: its contents MUST be ignored */
	if (!r) {
		if (m->opts.n_unknown < UINT8_MAX)
			m->opts.n_unknown++;
		return MH_OK;
	}
	if (len < r->min_len || len > r->max_len)
		return MH_E_OPT_LEN;
	if (m->opts.present & r->have)
		return MH_E_OPT_DUP;
	rc = r->decode(v, m, f);
	if (rc == MH_OK && (v->err || wire_left(v) != 0))
		rc = MH_E_OPT_LEN; /* cannot happen with the length rules above; kept as a guard */
	if (rc == MH_OK)
		m->opts.present |= r->have;
	return rc;
}

int mh_opts_decode(struct wire *w, const struct mh_family *f, const struct mh_params *p,
                   struct mh_msg *m)
{
	while (wire_left(w) > 0) {
		struct wire v;
		size_t start = w->pos;
		uint8_t type = wire_get_u8(w), len;
		int rc;

		m->err_opt = type;
		m->err_off = start;
		if (type == MH_OPT_PAD1)
			continue;
		if (wire_left(w) < 1)
			return MH_E_OPT_TRUNC;
		len = wire_get_u8(w);
		if (len > wire_left(w))
			return MH_E_OPT_OVERRUN;
		wire_sub(w, len, &v);
		rc = opt_decode_one(type, &v, f, p, m);
		if (rc != MH_OK)
			return rc;
	}
	m->err_opt = -1;
	return MH_OK;
}

/* Pads with Pad1 or PadN until the cursor stands at mult*n + off (RFC 6275 §6.2.1). */
void mh_pad_to(struct wire *w, unsigned mult, unsigned off)
{
	size_t need = (off + mult - w->pos % mult) % mult;

	if (need == 1) {
		wire_put_u8(w, MH_OPT_PAD1);
	} else if (need >= 2) {
		wire_put_u8(w, MH_OPT_PADN);
		wire_put_u8(w, (uint8_t)(need - 2));
		wire_put_zero(w, need - 2);
	}
}

static void encode_prefix(struct wire *w, uint8_t type, const struct mh_prefix *pfx)
{
	mh_pad_to(w, 8, 4);
	wire_put_u8(w, type);
	wire_put_u8(w, PREFIX_BODY_LEN);
	wire_put_u8(w, 0);
	wire_put_u8(w, pfx->len);
	wire_put_bytes(w, &pfx->addr, sizeof(pfx->addr));
}

static void encode_mnid(struct wire *w, const struct mh_mnid *id)
{
	wire_put_u8(w, MH_OPT_MNID);
	wire_put_u8(w, (uint8_t)(1 + id->len));
	wire_put_u8(w, id->subtype);
	wire_put_bytes(w, id->id, id->len);
}

static void encode_byte_option(struct wire *w, uint8_t type, uint8_t value)
{
	wire_put_u8(w, type);
	wire_put_u8(w, 2);
	wire_put_u8(w, 0);
	wire_put_u8(w, value);
}

static void encode_llid(struct wire *w, const struct mh_opts *o)
{
	mh_pad_to(w, 8, 2);
	wire_put_u8(w, MH_OPT_MNLLID);
	wire_put_u8(w, (uint8_t)(2 + o->llid_len));
	wire_put_u16(w, 0);
	wire_put_bytes(w, o->llid, o->llid_len);
}

static void encode_lla(struct wire *w, const struct in6_addr *lla)
{
	mh_pad_to(w, 8, 6);
	wire_put_u8(w, MH_OPT_LLA);
	wire_put_u8(w, 16);
	wire_put_bytes(w, lla, 16);
}

static void encode_timestamp(struct wire *w, uint64_t ts)
{
	mh_pad_to(w, 8, 2);
	wire_put_u8(w, MH_OPT_TIMESTAMP);
	wire_put_u8(w, 8);
	wire_put_u64(w, ts);
}

static void encode_restart_counter(struct wire *w, uint32_t counter)
{
	mh_pad_to(w, 4, 2);
	wire_put_u8(w, MH_OPT_RESTART_COUNTER);
	wire_put_u8(w, 4);
	wire_put_u32(w, counter);
}

static int opts_check(const struct mh_opts *o, const struct mh_params *p)
{
	if (o->n_hnp > MH_MAX_PREFIXES || o->n_muho > MH_MAX_PREFIXES)
		return MH_E_INVAL;
	for (unsigned i = 0; i < o->n_hnp; i++)
		if (o->hnp[i].len > 128)
			return MH_E_INVAL;
	for (unsigned i = 0; i < o->n_muho; i++)
		if (o->muho[i].len > 128)
			return MH_E_INVAL;
	if ((o->present & MH_HAVE_MNID) && o->mnid.len > MH_MNID_MAX)
		return MH_E_INVAL;
	if ((o->present & MH_HAVE_MNLLID) && (o->llid_len == 0 || o->llid_len > MH_LLID_MAX))
		return MH_E_INVAL;
	if (o->n_muho && !mh_muho_type_usable(p->muho_type))
		return MH_E_INVAL;
	return MH_OK;
}

int mh_opts_encode(struct wire *w, const struct mh_opts *o, const struct mh_params *p)
{
	int rc = opts_check(o, p);

	if (rc != MH_OK)
		return rc;
	if (o->present & MH_HAVE_MNID)
		encode_mnid(w, &o->mnid);
	for (unsigned i = 0; i < o->n_hnp; i++)
		encode_prefix(w, MH_OPT_HNP, &o->hnp[i]);
	for (unsigned i = 0; i < o->n_muho; i++)
		encode_prefix(w, p->muho_type, &o->muho[i]);
	if (o->present & MH_HAVE_HI)
		encode_byte_option(w, MH_OPT_HI, o->hi);
	if (o->present & MH_HAVE_ATT)
		encode_byte_option(w, MH_OPT_ATT, o->att);
	if (o->present & MH_HAVE_MNLLID)
		encode_llid(w, o);
	if (o->present & MH_HAVE_LLA)
		encode_lla(w, &o->lla);
	if (o->present & MH_HAVE_TIMESTAMP)
		encode_timestamp(w, o->timestamp);
	if (o->present & MH_HAVE_RESTART_COUNTER)
		encode_restart_counter(w, o->restart_counter);
	return MH_OK;
}

int mh_opts_set_nai(struct mh_opts *o, const char *nai)
{
	size_t len = strlen(nai);

	if (len == 0 || len > MH_MNID_MAX || !mh_nai_valid((const uint8_t *)nai, len))
		return MH_E_INVAL;
	o->mnid.subtype = MH_MNID_SUBTYPE_NAI;
	o->mnid.len = (uint8_t)len;
	memcpy(o->mnid.id, nai, len);
	o->present |= MH_HAVE_MNID;
	return MH_OK;
}

static int prefix_append(struct mh_prefix *list, uint8_t *count, const struct in6_addr *prefix,
                         uint8_t len)
{
	if (*count >= MH_MAX_PREFIXES || len > 128)
		return MH_E_INVAL;
	list[*count].len = len;
	list[*count].addr = *prefix;
	(*count)++;
	return MH_OK;
}

int mh_opts_add_hnp(struct mh_opts *o, const struct in6_addr *prefix, uint8_t len)
{
	return prefix_append(o->hnp, &o->n_hnp, prefix, len);
}

int mh_opts_add_muho(struct mh_opts *o, const struct in6_addr *prefix, uint8_t len)
{
	return prefix_append(o->muho, &o->n_muho, prefix, len);
}
