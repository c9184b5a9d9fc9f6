/* fc_wire.c: flow policies to and from the control socket's record (fc_wire.h): flag bits for
 * the C bools, one byte for the target kind, every length checked on the way in. */
#include <stdio.h>
#include <string.h>

#include "common/cfgparse.h"
#include "lma/fc_wire.h"

_Static_assert(sizeof(((struct ctl_policy *)0)->target_llid) == MH_LLID_MAX,
               "the record holds a whole MN link-layer identifier");
_Static_assert(CTL_ID_MAX <= sizeof(((struct fc_match *)0)->mn_id), "an MN-ID fits");

static void put_prefix(const struct mh_prefix *p, uint8_t addr[16], uint8_t *len)
{
	memcpy(addr, &p->addr, 16);
	*len = p->len;
}

void fc_wire_encode(const struct fc_policy *p, struct ctl_policy *w)
{
	const struct fc_match *m = &p->match;

	memset(w, 0, sizeof(*w));
	w->id = p->id;
	snprintf(w->mn_id, sizeof(w->mn_id), "%s", m->mn_id);
	w->have =
	        (uint8_t)((m->have_src ? CTL_POLICY_SRC : 0) | (m->have_dst ? CTL_POLICY_DST : 0) |
	                  (m->have_proto ? CTL_POLICY_PROTO : 0) |
	                  (m->have_flow_label ? CTL_POLICY_FLOW_LABEL : 0) |
	                  (m->have_tclass ? CTL_POLICY_TCLASS : 0));
	put_prefix(&m->src, w->src, &w->src_len);
	put_prefix(&m->dst, w->dst, &w->dst_len);
	w->proto = m->proto;
	w->sport_lo = m->sport_lo;
	w->sport_hi = m->sport_hi;
	w->dport_lo = m->dport_lo;
	w->dport_hi = m->dport_hi;
	w->flow_label = m->flow_label;
	w->tclass = m->tclass;
	w->target = (uint8_t)p->target;
	w->target_att = p->target_att;
	w->target_llid_len = p->target_llid_len;
	memcpy(w->target_llid, p->target_llid, sizeof(w->target_llid));
	memcpy(w->target_mag, &p->target_mag, 16);
}

static bool get_prefix(const uint8_t addr[16], uint8_t len, struct mh_prefix *p)
{
	if (len > 128)
		return false;
	memcpy(&p->addr, addr, 16);
	p->len = len;
	return cfg_prefix_host_bits_zero(&p->addr, len); /* as the words' grammar has it */
}

static bool get_target(const struct ctl_policy *w, struct fc_policy *p)
{
	switch (w->target) {
	case FC_TARGET_DEFAULT:
	case FC_TARGET_ATT:
	case FC_TARGET_MAG:
	case FC_TARGET_LLID:
		p->target = (enum fc_target_kind)w->target;
		break;
	default:
		return false;
	}
	if (w->target_llid_len > MH_LLID_MAX)
		return false;
	p->target_att = w->target_att;
	p->target_llid_len = w->target_llid_len;
	memcpy(p->target_llid, w->target_llid, w->target_llid_len);
	memcpy(&p->target_mag, w->target_mag, 16);
	return true;
}

bool fc_wire_decode(const struct ctl_policy *w, struct fc_policy *p)
{
	struct fc_match *m = &p->match;
	size_t id_len = strnlen(w->mn_id, sizeof(w->mn_id));

	memset(p, 0, sizeof(*p));
	if (id_len == sizeof(w->mn_id) || id_len > MH_MNID_MAX || (w->have & ~CTL_POLICY_HAVE_ALL))
		return false;
	p->id = w->id;
	memcpy(m->mn_id, w->mn_id, id_len);
	m->have_src = w->have & CTL_POLICY_SRC;
	m->have_dst = w->have & CTL_POLICY_DST;
	m->have_proto = w->have & CTL_POLICY_PROTO;
	m->have_flow_label = w->have & CTL_POLICY_FLOW_LABEL;
	m->have_tclass = w->have & CTL_POLICY_TCLASS;
	if (!get_prefix(w->src, w->src_len, &m->src) || !get_prefix(w->dst, w->dst_len, &m->dst))
		return false;
	m->proto = w->proto;
	m->sport_lo = w->sport_lo;
	m->sport_hi = w->sport_hi;
	m->dport_lo = w->dport_lo;
	m->dport_hi = w->dport_hi;
	m->flow_label = w->flow_label;
	m->tclass = w->tclass;
	return get_target(w, p) && fc_policy_valid(p);
}
