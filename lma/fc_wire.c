/* fc_wire.c: flow policies to and from the control socket's record (fc_wire.h): flag bits for
 * the C bools, one byte for each enum, every length checked on the way in. The record grew the
 * steering modes at its end: a shorter (version 1) record, or one with n_targets 0, is a
 * policy to its one target. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgparse.h"
#include "lma/fc_wire.h"

_Static_assert(sizeof(((struct ctl_policy *)0)->target_llid) == MH_LLID_MAX,
               "the record holds a whole MN link-layer identifier");
_Static_assert(sizeof(((struct ctl_policy_target *)0)->llid) == MH_LLID_MAX,
               "the record holds a whole MN link-layer identifier");
_Static_assert(CTL_POLICY_TARGETS == FC_TARGETS_MAX, "the record holds every target");
_Static_assert(offsetof(struct ctl_policy, mode) == CTL_POLICY_V1_SIZE,
               "version 1's record is a prefix of this one");
_Static_assert(offsetof(struct ctl_policy, hysteresis_pct) == CTL_POLICY_V2_SIZE,
               "version 2's record is a prefix of this one");
_Static_assert(CTL_ID_MAX <= sizeof(((struct fc_match *)0)->mn_id), "an MN-ID fits");

static void put_prefix(const struct mh_prefix *p, uint8_t addr[16], uint8_t *len)
{
	memcpy(addr, &p->addr, 16);
	*len = p->len;
}

static void put_match(const struct fc_match *m, struct ctl_policy *w)
{
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
}

static void put_target(const struct fc_target *t, struct ctl_policy_target *w)
{
	w->kind = (uint8_t)t->kind;
	w->att = t->att;
	w->llid_len = t->llid_len;
	memcpy(w->llid, t->llid, sizeof(w->llid));
	memcpy(w->mag, &t->mag, 16);
}

void fc_wire_encode(const struct fc_policy *p, struct ctl_policy *w)
{
	const struct fc_target *t0 = &p->targets[0];

	memset(w, 0, sizeof(*w));
	w->id = p->id;
	put_match(&p->match, w);
	w->target = (uint8_t)t0->kind;
	w->target_att = t0->att;
	w->target_llid_len = t0->llid_len;
	memcpy(w->target_llid, t0->llid, sizeof(w->target_llid));
	memcpy(w->target_mag, &t0->mag, 16);
	w->mode = (uint8_t)p->mode;
	w->n_targets = p->n_targets;
	w->fail_back = p->fail_back;
	w->hold_down_ms = p->hold_down_ms;
	w->hysteresis_pct = p->hysteresis_pct;
	w->hysteresis_ms = p->hysteresis_ms;
	w->by_bytes = p->by_bytes;
	for (unsigned i = 0; i < p->n_targets && i < FC_TARGETS_MAX; i++) {
		w->weight[i] = p->targets[i].weight;
		if (i > 0)
			put_target(&p->targets[i], &w->more[i - 1]);
	}
}

static bool get_prefix(const uint8_t addr[16], uint8_t len, struct mh_prefix *p)
{
	if (len > 128)
		return false;
	memcpy(&p->addr, addr, 16);
	p->len = len;
	return cfg_prefix_host_bits_zero(&p->addr, len); /* as the words' grammar has it */
}

static bool get_match(const struct ctl_policy *w, struct fc_match *m)
{
	size_t id_len = strnlen(w->mn_id, sizeof(w->mn_id));

	if (id_len == sizeof(w->mn_id) || id_len > MH_MNID_MAX || (w->have & ~CTL_POLICY_HAVE_ALL))
		return false;
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
	return true;
}

/* kind, att, LLID and MAG of one target; the kind and the LLID's length range-checked. */
static bool get_target(uint8_t kind, uint8_t att, uint8_t llid_len, const uint8_t *llid,
                       const uint8_t *mag, struct fc_target *t)
{
	switch (kind) {
	case FC_TARGET_DEFAULT:
	case FC_TARGET_ATT:
	case FC_TARGET_MAG:
	case FC_TARGET_LLID:
		t->kind = (enum fc_target_kind)kind;
		break;
	default:
		return false;
	}
	if (llid_len > MH_LLID_MAX)
		return false;
	t->att = att;
	t->llid_len = llid_len;
	memcpy(t->llid, llid, llid_len);
	memcpy(&t->mag, mag, 16);
	return true;
}

static bool get_steering(const struct ctl_policy *w, struct fc_policy *p)
{
	p->n_targets = w->n_targets ? w->n_targets : 1;
	if (!w->n_targets)
		return get_target(w->target, w->target_att, w->target_llid_len, w->target_llid,
		                  w->target_mag, &p->targets[0]);
	if (w->n_targets > FC_TARGETS_MAX || w->mode >= FC_MODE_COUNT || w->fail_back > 1 ||
	    w->by_bytes > 1)
		return false;
	p->hysteresis_pct = w->hysteresis_pct;
	p->hysteresis_ms = w->hysteresis_ms;
	p->by_bytes = w->by_bytes;
	p->mode = (enum fc_mode)w->mode;
	p->fail_back = w->fail_back;
	p->hold_down_ms = w->hold_down_ms;
	if (!get_target(w->target, w->target_att, w->target_llid_len, w->target_llid, w->target_mag,
	                &p->targets[0]))
		return false;
	for (unsigned i = 0; i < p->n_targets; i++) {
		const struct ctl_policy_target *m = &w->more[i ? i - 1 : 0];

		if (i > 0 &&
		    !get_target(m->kind, m->att, m->llid_len, m->llid, m->mag, &p->targets[i]))
			return false;
		p->targets[i].weight = w->weight[i];
	}
	return true;
}

bool fc_wire_decode(const struct ctl_policy *w, struct fc_policy *p)
{
	fc_policy_init(p);
	p->id = w->id;
	return get_match(w, &p->match) && get_steering(w, p) && fc_policy_valid(p);
}
