/* lmad_ctl_fc.c: lmad's control requests about flows and policies (ctl_proto.h): show the
 * classified flows, move one to another binding of its MN, add, delete and list policies (a
 * change of policy applies to existing flows too). Every request is checked before it changes
 * anything; a target the MN does not have is an error that changes nothing. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lma/fc_wire.h"
#include "lma/lmad_int.h"

static const struct bce *binding_of(const struct lmad *d, uint64_t id)
{
	return bc_bce_by_id(lma_engine_cache(d->engine), id);
}

/* Why it sits where it is: its mode, the reason, the second binding, the time left. */
static void fill_steering(const struct lmad *d, const struct fc_flow *f, uint64_t now,
                          struct ctl_flow *r)
{
	const struct bce *also = f->also_id ? binding_of(d, f->also_id) : NULL;

	r->mode = f->mode;
	r->why = f->why;
	r->due_ms = f->due_ns > now ? (uint32_t)((f->due_ns - now + 999999u) / 1000000u) : 0;
	r->also_binding_id = f->also_id;
	if (also) {
		memcpy(r->also_mag, &also->mag->addr, 16);
		r->also_att = also->att;
	}
}

static void fill_flow(const struct lmad *d, struct fc_flow *f, uint64_t now, struct ctl_flow *r)
{
	const struct fc_tuple *t = &f->tuple;
	const struct bce *b = binding_of(d, f->binding_id);

	memset(r, 0, sizeof(*r));
	r->id = f->id;
	memcpy(r->src, &t->src, 16);
	memcpy(r->dst, &t->dst, 16);
	r->sport = t->sport;
	r->dport = t->dport;
	r->flow_label = t->flow_label;
	r->proto = t->proto;
	r->pinned = f->pinned;
	snprintf(r->mn_id, sizeof(r->mn_id), "%s", f->mn_id);
	r->binding_id = f->binding_id;
	if (b) {
		memcpy(r->mag, &b->mag->addr, 16);
		r->att = b->att;
	}
	r->policy_id = f->policy_id;
	fill_steering(d, f, now, r);
	r->age_s = now > f->created_ns ? (uint32_t)((now - f->created_ns) / 1000000000ull) : 0;
	if (kr_fc_ct_counters(d->kr, &t->src, &t->dst, t->proto, t->sport, t->dport, &f->packets,
	                      &f->bytes) < 0) {
		f->packets = f->bytes = 0; /* the connection is gone already */
	}
	r->packets = f->packets;
	r->bytes = f->bytes;
}

/* Every flow, or with an MN-ID only that MN's (through its index, not a walk of the table). */
static struct fc_flow *shown_first(const struct lmad *d, const char *mn_id)
{
	return mn_id ? fc_flow_mn_first(d->fc, mn_id) : fc_flow_first(d->fc);
}

static struct fc_flow *shown_next(const struct lmad *d, const char *mn_id, const struct fc_flow *f)
{
	return mn_id ? fc_flow_mn_next(d->fc, f) : fc_flow_next(d->fc, f);
}

void lmad_ctl_show_flows(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	const char *filter = len ? (const char *)payload : NULL;
	struct ctl_flow r;
	struct lma_now now;

	if (len && (len > CTL_ID_MAX || payload[len - 1] != '\0')) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "MN-ID must be a NUL-terminated string");
		return;
	}
	lmad_now(&now);
	for (struct fc_flow *f = shown_first(d, filter); f; f = shown_next(d, filter, f)) {
		fill_flow(d, f, now.mono_ns, &r);
		ctl_send(c, CTL_REC_FLOW, &r, sizeof(r));
	}
	ctl_send_end(c);
}

/* The binding of the flow's MN the request names, or NULL. */
static const struct bce *move_target(const struct lmad *d, const struct fc_flow *f,
                                     const struct ctl_flow_move *m)
{
	const struct bce *cur = binding_of(d, f->binding_id), *b;
	const struct bce *owner = lmad_fc_owner(d, &f->tuple.dst);
	const struct lma_mn *mn =
	        cur ? cur->mn : bc_mn_find(lma_engine_cache(d->engine), f->mn_id, strlen(f->mn_id));

	if (!mn)
		return NULL;
	if (m->target == CTL_MOVE_MAG && owner && owner->mn == mn && owner->state == BCE_ACTIVE &&
	    memcmp(&owner->mag->addr, m->mag, 16) == 0)
		return owner; /* that MAG delivers the flow on the owner's interface */
	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		if (b->state != BCE_ACTIVE || !b->mag->tunnel)
			continue;
		if ((m->target == CTL_MOVE_ATT && b->att == m->att) ||
		    (m->target == CTL_MOVE_MAG && memcmp(&b->mag->addr, m->mag, 16) == 0) ||
		    (m->target == CTL_MOVE_BINDING && b->id == m->binding_id))
			return b;
	}
	return NULL;
}

/* A binding sharing its MAG with another of the MN, without a binding tag: the tunnel driver
 * cannot write one, the MN is not multihoming, or the kernel refused it (or tags clash). */
static void refuse_untagged(const struct lmad *d, struct ctl_conn *c, const struct fc_flow *f,
                            const struct bce *to)
{
	if (!kr_tag_possible(d->kr)) {
		ctl_send_error(c, CTL_E_BAD_REQUEST,
		               "binding %llu shares its MAG with another binding of %s: the MAG "
		               "routes by destination prefix, and the %s tunnel driver cannot tag "
		               "the flow for that interface",
		               (unsigned long long)to->id, f->mn_id,
		               kr_driver_name(kr_driver_in_use(d->kr)));
		return;
	}
	if (!to->muho) {
		ctl_send_error(c, CTL_E_BAD_REQUEST,
		               "binding %llu shares its MAG with another binding of %s, which is not "
		               "multihoming (no MuHo option): the MAG routes by destination prefix",
		               (unsigned long long)to->id, f->mn_id);
		return;
	}
	ctl_send_error(c, CTL_E_INTERNAL,
	               "binding %llu shares its MAG with another binding of %s and has no binding "
	               "tag (refused by the kernel, see the log, or clashing with another's)",
	               (unsigned long long)to->id, f->mn_id);
}

void lmad_ctl_flow_move(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	struct ctl_flow_move m = { 0 };
	const struct bce *to;
	struct fc_flow *f;
	int r;

	if (len != sizeof(m) && len != CTL_FLOW_MOVE_V1_SIZE) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "flow move: wrong request size");
		return;
	}
	memcpy(&m, payload, len); /* a version 1 request: no bicast_ms, a plain move */
	if (m.bicast_ms > CTL_BICAST_MAX_MS) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "flow move: bicast over %u ms",
		               CTL_BICAST_MAX_MS);
		return;
	}
	f = fc_flow_by_id(d->fc, m.flow_id);
	if (!f) {
		ctl_send_error(c, CTL_E_NOT_FOUND, "no flow %u", m.flow_id);
		return;
	}
	to = move_target(d, f, &m);
	if (!to) {
		ctl_send_error(c, CTL_E_NOT_FOUND, "%s has no active binding there", f->mn_id);
		return;
	}
	if (m.target != CTL_MOVE_MAG && !lmad_fc_reaches(d, f, to)) {
		refuse_untagged(d, c, f, to);
		return;
	}
	if ((r = lmad_fc_move(d, f, to, m.bicast_ms)) == -2) {
		ctl_send_error(c, CTL_E_INTERNAL, "no bicast through the flow's binding (see the log)");
		return;
	}
	if (r < 0) {
		ctl_send_error(c, CTL_E_INTERNAL, "the kernel refused the new mark");
		return;
	}
	ctl_send_end(c);
}

/* The policy as the record carries it, with its id. */
static void send_policy(struct ctl_conn *c, const struct fc_policy *p)
{
	struct ctl_policy w;

	fc_wire_encode(p, &w);
	ctl_send(c, CTL_REC_POLICY, &w, sizeof(w));
}

void lmad_ctl_policy_add(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	const uint32_t v1_len = offsetof(struct ctl_policy_add, policy) + CTL_POLICY_V1_SIZE;
	const uint32_t v2_len = offsetof(struct ctl_policy_add, policy) + CTL_POLICY_V2_SIZE;
	struct ctl_policy_add req = { 0 };
	struct fc_policy p;
	uint32_t id;

	if (len != sizeof(req) && len != v1_len && len != v2_len) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "policy add: wrong request size");
		return;
	}
	req.policy.hysteresis_pct = FC_HYSTERESIS_DEFAULT_PCT; /* a version 2 record's */
	memcpy(&req, payload, len); /* version 1: the rest zero, a policy "to" one target */
	if (!fc_wire_decode(&req.policy, &p)) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "policy add: invalid policy");
		return;
	}
	id = fc_policy_add(d->fc, &p, req.before);
	if (id == 0) {
		ctl_send_error(c, CTL_E_NOT_FOUND, "no policy %u to insert before", req.before);
		return;
	}
	lmad_fc_policies_changed(d);
	p.id = id;
	send_policy(c, &p);
	ctl_send_end(c);
}

void lmad_ctl_policy_del(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	uint32_t id;

	if (len != sizeof(id)) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "policy del: wrong request size");
		return;
	}
	memcpy(&id, payload, sizeof(id));
	if (fc_policy_del(d->fc, id) < 0) {
		ctl_send_error(c, CTL_E_NOT_FOUND, "no policy %u", id);
		return;
	}
	lmad_fc_policies_changed(d);
	ctl_send_end(c);
}

void lmad_ctl_policy_list(struct lmad *d, struct ctl_conn *c)
{
	for (const struct fc_policy *p = fc_policy_first(d->fc); p; p = fc_policy_next(d->fc, p))
		send_policy(c, p);
	ctl_send_end(c);
}
