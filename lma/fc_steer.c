/* fc_steer.c: where the LMA's flow classifier sends a flow (fc.h): the policies' match
 * (draft-bernardos-mif-pmip-02 §5.3.2), then the steering mode of the policy that decides over
 * the MN's bindings, each one of the uses of multihoming RFC 4908 §1.1 lists (preference
 * settings, redundancy, load balancing, bi-casting) named as 3GPP TS 23.501 §5.32.8 names its
 * steering modes: priority with fail-back after a hold-down, active-standby, load-balance by
 * weighted rendezvous hashing of the 5-tuple (a flow never moves on its own, and when a binding
 * goes or comes back only the flows whose hash falls on it move), bicast over two bindings; smallest-delay by each MAG path's smoothed heartbeat round-trip time
 * (RFC 5847 §3.1's Heartbeat Requests, RFC 6298 §2's smoothing) with hysteresis, and
 * load-balance by bytes, where a new flow goes to the binding furthest below its share.
 * Pure: the decision is computed, lmad applies it. */
#include <math.h>
#include <string.h>

#include "common/siphash.h"
#include "lma/fc.h"

/* Fixed, so that a flow's bucket is the same after a restart of lmad. */
#define LB_KEY0 0x706d697036737465ull /* "pmip6ste" */
#define LB_KEY1 0x6572696e672d6c62ull /* "ering-lb" */

static const char *const mode_names[FC_MODE_COUNT] = {
	[FC_MODE_PRIORITY] = "priority",
	[FC_MODE_ACTIVE_STANDBY] = "active-standby",
	[FC_MODE_LOAD_BALANCE] = "load-balance",
	[FC_MODE_BICAST] = "bicast",
	[FC_MODE_SMALLEST_DELAY] = "smallest-delay",
};

static const char *const why_names[FC_WHY_COUNT] = {
	[FC_WHY_DEFAULT] = "default",
	[FC_WHY_PREFERRED] = "preferred",
	[FC_WHY_FAILOVER] = "failover",
	[FC_WHY_HOLD_DOWN] = "hold-down",
	[FC_WHY_NO_FAIL_BACK] = "no-fail-back",
	[FC_WHY_FAILED_BACK] = "failed-back",
	[FC_WHY_HASH] = "hash",
	[FC_WHY_BICAST] = "bicast",
	[FC_WHY_SINGLE] = "bicast-single",
	[FC_WHY_MOVED] = "moved",
	[FC_WHY_MOVING] = "moving",
	[FC_WHY_SMALLEST_DELAY] = "smallest-delay",
	[FC_WHY_HYSTERESIS] = "hysteresis",
	[FC_WHY_NO_RTT] = "no-rtt",
	[FC_WHY_BYTES] = "bytes",
};

const char *fc_mode_name(enum fc_mode m)
{
	return (unsigned)m < FC_MODE_COUNT ? mode_names[m] : "unknown";
}

int fc_mode_by_name(const char *name)
{
	for (int i = 0; i < FC_MODE_COUNT; i++)
		if (strcmp(name, mode_names[i]) == 0)
			return i;
	return -1;
}

const char *fc_why_name(enum fc_why w)
{
	return (unsigned)w < FC_WHY_COUNT ? why_names[w] : "unknown";
}

/* --- matching --- */

static bool prefix_contains(const struct mh_prefix *p, const struct in6_addr *a)
{
	unsigned bytes = p->len / 8u, bits = p->len % 8u;

	if (memcmp(p->addr.s6_addr, a->s6_addr, bytes) != 0)
		return false;
	return bits == 0 || ((p->addr.s6_addr[bytes] ^ a->s6_addr[bytes]) & (0xff00u >> bits)) == 0;
}

static bool match_flow(const struct fc_match *m, const struct fc_tuple *t, const char *mn_id)
{
	if (m->mn_id[0] && (!mn_id || strcmp(m->mn_id, mn_id) != 0))
		return false;
	if ((m->have_src && !prefix_contains(&m->src, &t->src)) ||
	    (m->have_dst && !prefix_contains(&m->dst, &t->dst)))
		return false;
	if ((m->have_proto && m->proto != t->proto) ||
	    (m->have_flow_label && m->flow_label != t->flow_label) ||
	    (m->have_tclass && m->tclass != t->tclass))
		return false;
	return t->sport >= m->sport_lo && t->sport <= m->sport_hi && t->dport >= m->dport_lo &&
	       t->dport <= m->dport_hi;
}

const struct fc_binding *fc_default_binding(const struct fc_binding *cands, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cands[i].owns_dst)
			return &cands[i];
	return n ? &cands[0] : NULL;
}

static bool is_target(const struct fc_target *t, const struct fc_binding *b)
{
	switch (t->kind) {
	case FC_TARGET_ATT:
		return b->att == t->att;
	case FC_TARGET_MAG:
		return IN6_ARE_ADDR_EQUAL(&b->mag, &t->mag);
	case FC_TARGET_LLID:
		return b->llid_len == t->llid_len && memcmp(b->llid, t->llid, t->llid_len) == 0;
	default:
		return false;
	}
}

static const struct fc_binding *find_target(const struct fc_target *t,
                                            const struct fc_binding *cands, size_t n)
{
	if (t->kind == FC_TARGET_DEFAULT)
		return fc_default_binding(cands, n);
	for (size_t i = 0; i < n; i++)
		if (is_target(t, &cands[i]))
			return &cands[i];
	return NULL;
}

/* The policy's targets as bindings of cands (NULL: absent); false if none is present. */
static bool resolve(const struct fc_policy *p, const struct fc_binding *cands, size_t n,
                    const struct fc_binding **out)
{
	bool any = false;

	for (unsigned i = 0; i < p->n_targets; i++)
		any |= (out[i] = find_target(&p->targets[i], cands, n)) != NULL;
	return any;
}

/* --- the modes --- */

static uint64_t settles_at(const struct fc_policy *p, const struct fc_binding *b)
{
	return b->up_since_ns ? b->up_since_ns + (uint64_t)p->hold_down_ms * 1000000u : 0;
}

/* The rank of the flow's binding among the policy's targets; -1 if it is none of them. */
static int rank_of(const struct fc_policy *p, const struct fc_binding **bs, uint64_t id)
{
	for (unsigned i = 0; i < p->n_targets; i++)
		if (bs[i] && bs[i]->id == id)
			return (int)i;
	return -1;
}

static void first_present(const struct fc_policy *p, const struct fc_binding **bs,
                          struct fc_decision *d)
{
	for (unsigned i = 0; i < p->n_targets; i++)
		if (bs[i]) {
			d->to = bs[i];
			d->why = i == 0 ? FC_WHY_PREFERRED : FC_WHY_FAILOVER;
			return;
		}
}

/* Priority and active-standby: a placed flow on rank r goes back to the best rank above r whose
 * binding has been up for the hold-down; until then it waits (due_ns says till when). */
static void by_priority(const struct fc_policy *p, const struct fc_binding **bs, int r,
                        uint64_t now, struct fc_decision *d)
{
	first_present(p, bs, d);
	if (r < 0)
		return; /* a new flow, or one its policy does not name: the first present */
	d->to = bs[r];
	d->why = r == 0 ? FC_WHY_PREFERRED : FC_WHY_FAILOVER;
	for (int i = 0; i < r; i++) {
		uint64_t at;

		if (!bs[i])
			continue;
		if (!p->fail_back) {
			d->why = FC_WHY_NO_FAIL_BACK;
			return;
		}
		if ((at = settles_at(p, bs[i])) <= now) {
			d->to = bs[i];
			d->why = FC_WHY_FAILED_BACK; /* due_ns: a better rank still in hold-down */
			return;
		}
		if (!d->due_ns || at < d->due_ns)
			d->due_ns = at;
		d->why = FC_WHY_HOLD_DOWN;
	}
}

/* A uniform number in (0, 1) from the connection's 5-tuple and the target's rank. */
static double unit_hash(const struct fc_tuple *t, size_t i)
{
	uint8_t k[38];
	uint64_t h;

	memcpy(k, &t->src, 16);
	memcpy(k + 16, &t->dst, 16);
	memcpy(k + 32, &t->sport, 2);
	memcpy(k + 34, &t->dport, 2);
	k[36] = t->proto;
	k[37] = (uint8_t)i;
	h = siphash24(LB_KEY0, LB_KEY1, k, sizeof(k));
	return ((double)(h >> 11) + 0.5) / 9007199254740992.0; /* 2^53 */
}

/* Weighted rendezvous hashing (Schindelhauer and Schomaker 2005; the "-w / ln u" form of
 * Resch's "weighted rendezvous"): the highest w / -ln(u) wins, so index i wins a share
 * w_i / sum(w) of the flows, and whether i beats j never depends on a third index. */
int fc_hash_pick(const struct fc_tuple *t, const uint16_t *ws, size_t n)
{
	double best = 0.0;
	int pick = -1;

	for (size_t i = 0; i < n; i++) {
		double score;

		if (!ws[i])
			continue;
		score = (double)ws[i] / -log(unit_hash(t, i));
		if (pick < 0 || score > best) {
			best = score;
			pick = (int)i;
		}
	}
	return pick;
}

/* The weights of the targets present; with settled_only, those up for the hold-down (and the
 * flow's own binding, rank r). */
static void weights(const struct fc_policy *p, const struct fc_binding **bs, int r, uint64_t now,
                    bool settled_only, uint16_t *ws)
{
	for (unsigned i = 0; i < p->n_targets; i++) {
		bool ok = bs[i] && (!settled_only || (int)i == r || settles_at(p, bs[i]) <= now);

		ws[i] = ok ? p->targets[i].weight : 0;
	}
}

/* Load-balance: a new flow goes where its hash falls among the bindings present; a placed one
 * moves only when a binding that comes back takes its hash, after the hold-down. */
static void by_hash(const struct fc_policy *p, const struct fc_binding **bs, int r,
                    const struct fc_tuple *t, uint64_t now, struct fc_decision *d)
{
	uint16_t ws[FC_TARGETS_MAX];
	int all, settled;

	weights(p, bs, r, now, false, ws);
	all = fc_hash_pick(t, ws, p->n_targets);
	d->to = bs[all];
	d->why = FC_WHY_HASH;
	if (r < 0 || all == r)
		return;
	weights(p, bs, r, now, true, ws);
	settled = fc_hash_pick(t, ws, p->n_targets);
	if (!p->fail_back) {
		d->to = bs[r];
		d->why = FC_WHY_NO_FAIL_BACK;
	} else if (settled != r) {
		d->to = bs[settled];
		d->why = FC_WHY_FAILED_BACK;
	} else {
		d->to = bs[r];
		d->why = FC_WHY_HOLD_DOWN;
		d->due_ns = settles_at(p, bs[all]);
	}
}

/* Bicast: the first two targets present, whatever the flow had. */
static void by_bicast(const struct fc_policy *p, const struct fc_binding **bs,
                      struct fc_decision *d)
{
	for (unsigned i = 0; i < p->n_targets; i++) {
		if (!bs[i] || bs[i] == d->to)
			continue;
		if (!d->to) {
			d->to = bs[i];
		} else {
			d->also = bs[i];
			break;
		}
	}
	d->why = d->also ? FC_WHY_BICAST : FC_WHY_SINGLE;
}

/* --- smallest-delay --- */

/* How much lower than the flows' own RTT another must be to take them. */
static uint64_t hysteresis_ns(const struct fc_policy *p, uint64_t own_rtt_ns)
{
	if (p->hysteresis_ms)
		return (uint64_t)p->hysteresis_ms * 1000000u;
	return own_rtt_ns / 100u * p->hysteresis_pct;
}

/* The target with the lowest RTT (ties: the first named), -1 if none has one. For a placed flow
 * (rank r), a binding still in its hold-down is left out but for the flow's own; due_ns says
 * when the first of them settles. */
static int lowest_rtt(const struct fc_policy *p, const struct fc_binding **bs, int r,
                      uint64_t now, struct fc_decision *d)
{
	int best = -1;

	for (unsigned i = 0; i < p->n_targets; i++) {
		uint64_t at = bs[i] ? settles_at(p, bs[i]) : 0;

		if (!bs[i] || !bs[i]->rtt_ns)
			continue;
		if (r >= 0 && (int)i != r && at > now) {
			if (!d->due_ns || at < d->due_ns)
				d->due_ns = at;
			continue;
		}
		if (best < 0 || bs[i]->rtt_ns < bs[best]->rtt_ns)
			best = (int)i;
	}
	return best;
}

/* The lowest RTT; a placed flow (or the policy's flows a new one joins, rank r) leaves its
 * binding only for one lower by more than the hysteresis, or when its own has no RTT. With no
 * RTT measured at all, the order given, as priority without fail-back. */
static void by_delay(const struct fc_policy *p, const struct fc_binding **bs, int r,
                     uint64_t now, struct fc_decision *d)
{
	int best = lowest_rtt(p, bs, r, now, d);

	if (best < 0) {
		first_present(p, bs, d);
		if (r >= 0)
			d->to = bs[r];
		d->why = FC_WHY_NO_RTT;
		return;
	}
	d->to = bs[best];
	d->why = FC_WHY_SMALLEST_DELAY;
	if (r < 0 || r == best || !bs[r]->rtt_ns)
		return;
	if (bs[best]->rtt_ns + hysteresis_ns(p, bs[r]->rtt_ns) < bs[r]->rtt_ns)
		return;
	d->to = bs[r];
	d->why = FC_WHY_HYSTERESIS;
}

/* The rank of the binding the MN's other flows of the policy sit on (the first found among its
 * oldest FC_STEER_SCAN flows), -1 if none does. */
static int incumbent(const struct fc *fc, const struct fc_policy *p, const struct fc_binding **bs,
                     const char *mn_id)
{
	const struct fc_flow *f = fc_flow_mn_first(fc, mn_id ? mn_id : "");

	for (unsigned n = 0; f && n < FC_STEER_SCAN; f = fc_flow_mn_next(fc, f), n++) {
		int r;

		if (f->policy_id == p->id && (r = rank_of(p, bs, f->binding_id)) >= 0)
			return r;
	}
	return -1;
}

/* --- load-balance by bytes --- */

/* The bytes the MN's flows of the policy (among its oldest FC_STEER_SCAN) carried through each
 * target, as last read. */
static void byte_totals(const struct fc *fc, const struct fc_policy *p,
                        const struct fc_binding **bs, const char *mn_id, double *bytes)
{
	const struct fc_flow *f = fc_flow_mn_first(fc, mn_id ? mn_id : "");

	for (unsigned i = 0; i < p->n_targets; i++)
		bytes[i] = 0.;
	for (unsigned n = 0; f && n < FC_STEER_SCAN; f = fc_flow_mn_next(fc, f), n++) {
		int r = f->policy_id == p->id ? rank_of(p, bs, f->binding_id) : -1;

		if (r >= 0)
			bytes[r] += (double)f->bytes;
	}
}

/* A placed flow stays while its binding is there; a new one goes to the target present with
 * the fewest bytes for its weight, ties (as at the start, when none carried any) broken by the
 * 5-tuple's weighted hash among the tied. */
static void by_bytes(const struct fc *fc, const struct fc_policy *p, const struct fc_binding **bs,
                     int r, const struct fc_tuple *t, const char *mn_id, struct fc_decision *d)
{
	double bytes[FC_TARGETS_MAX], low = 0.;
	uint16_t ws[FC_TARGETS_MAX];
	int best = -1;

	d->why = FC_WHY_BYTES;
	if (r >= 0) {
		d->to = bs[r];
		return;
	}
	byte_totals(fc, p, bs, mn_id, bytes);
	for (unsigned i = 0; i < p->n_targets; i++)
		if (bs[i] && (best < 0 || bytes[i] / p->targets[i].weight < low)) {
			best = (int)i;
			low = bytes[i] / p->targets[i].weight;
		}
	for (unsigned i = 0; i < p->n_targets; i++)
		ws[i] = bs[i] && bytes[i] / p->targets[i].weight == low ? p->targets[i].weight : 0;
	d->to = bs[fc_hash_pick(t, ws, p->n_targets)];
}

/* --- the policy's mode --- */

struct decide_ctx {
	const struct fc *fc;
	const struct fc_tuple *t;
	const char *mn_id;
	const struct fc_flow *cur;
	uint64_t now;
};

static void by_mode(const struct fc_policy *p, const struct fc_binding **bs,
                    const struct decide_ctx *c, struct fc_decision *d)
{
	const struct fc_flow *cur = c->cur;
	int r = cur && cur->policy_id == p->id ? rank_of(p, bs, cur->binding_id) : -1;

	d->policy_id = p->id;
	d->mode = p->mode;
	switch (p->mode) {
	case FC_MODE_LOAD_BALANCE:
		if (p->by_bytes)
			by_bytes(c->fc, p, bs, r, c->t, c->mn_id, d);
		else
			by_hash(p, bs, r, c->t, c->now, d);
		break;
	case FC_MODE_SMALLEST_DELAY:
		by_delay(p, bs, r >= 0 ? r : incumbent(c->fc, p, bs, c->mn_id), c->now, d);
		break;
	case FC_MODE_BICAST:
		by_bicast(p, bs, d);
		break;
	default:
		by_priority(p, bs, r, c->now, d);
	}
	/* a flow that failed back and stays says so, rather than its place's ordinary reason */
	if (r >= 0 && d->to == bs[r] && cur->why == FC_WHY_FAILED_BACK &&
	    (d->why == FC_WHY_PREFERRED || d->why == FC_WHY_HASH))
		d->why = FC_WHY_FAILED_BACK;
}

void fc_decide(const struct fc *fc, const struct fc_tuple *t, const char *mn_id,
               const struct fc_binding *cands, size_t n, const struct fc_flow *cur, uint64_t now_ns,
               struct fc_decision *d)
{
	const struct decide_ctx c = { .fc = fc, .t = t, .mn_id = mn_id, .cur = cur, .now = now_ns };
	const struct fc_binding *bs[FC_TARGETS_MAX];

	memset(d, 0, sizeof(*d));
	if (n == 0)
		return;
	for (const struct fc_policy *p = fc_policy_first(fc); p; p = fc_policy_next(fc, p)) {
		if (!match_flow(&p->match, t, mn_id) || !resolve(p, cands, n, bs))
			continue;
		by_mode(p, bs, &c, d);
		return;
	}
	d->why = FC_WHY_DEFAULT;
	for (size_t i = 0; cur && !cur->policy_id && i < n; i++)
		if (cands[i].id == cur->binding_id)
			d->to = &cands[i]; /* no policy moves it: it stays where it went */
	if (!d->to)
		d->to = fc_default_binding(cands, n);
}

const struct fc_binding *fc_select(const struct fc *fc, const struct fc_tuple *t, const char *mn_id,
                                   const struct fc_binding *cands, size_t n, uint32_t *policy_id)
{
	struct fc_decision d;

	fc_decide(fc, t, mn_id, cands, n, NULL, 0, &d);
	if (policy_id)
		*policy_id = d.policy_id;
	return d.to;
}
