/* reply.c: the LMA's replies. The Proxy Binding Acknowledgement as RFC 5213 §5.3.6 builds it
 * (echoes of MN-ID, HI, ATT, MN-LL-ID, the HNPs granted or, on a reject, those asked for; the
 * Timestamp rules of §5.5), with the MuHo options of draft-bernardos-mif-pmip-02 §5.2.2: one per
 * prefix of the MN's other bindings, or one empty option. Replies wait in an outbox until the
 * kernel changes they depend on are acknowledged (lma_engine_flush), so a PBA never announces a
 * route the kernel refused. A Binding Update without flag P but with H gets a plain Binding
 * Acknowledgement 131 (RFC 6275 §10.3.1). Binding Errors are rate-limited (RFC 6275 §9.3.3), and
 * so are the replies to sources that are none of our MAGs (an unauthorized or spoofed PBU): per
 * source and in total, sent after the replies to our MAGs, counted when not sent. */
#include <stdlib.h>
#include <string.h>

#include "lma/engine_int.h"


static void echo_options(const struct pbu_ctx *c, struct mh_opts *o)
{
	const struct mh_opts *req = &c->req->opts;

	o->present = MH_HAVE_MNID | MH_HAVE_HI | MH_HAVE_ATT;
	if (req->present & MH_HAVE_MNID)
		o->mnid = req->mnid; /* else an empty MN-ID: subtype 0, no identifier */
	o->hi = req->hi;
	o->att = req->att;
	if (req->present & MH_HAVE_MNLLID) {
		o->present |= MH_HAVE_MNLLID;
		o->llid_len = req->llid_len;
		memcpy(o->llid, req->llid, req->llid_len);
	}
}

static void echo_request_prefixes(const struct pbu_ctx *c, struct mh_opts *o)
{
	const struct mh_opts *req = &c->req->opts;

	o->n_hnp = 0;
	for (unsigned i = 0; i < req->n_hnp; i++)
		o->hnp[o->n_hnp++] = req->hnp[i];
	if (o->n_hnp == 0)
		mh_opts_add_hnp(o, &in6addr_any, 0); /* ALL_ZERO when the request had none */
}

static void timestamp_option(const struct pbu_ctx *c, uint8_t status, struct mh_opts *o)
{
	/* A PBA carries a Timestamp in answer to one, and only then (§5.3.6, §5.5), whether or
	 * not our replay protection uses it (replay-protection sequence) */
	if (!(c->req->opts.present & MH_HAVE_TIMESTAMP))
		return;
	o->present |= MH_HAVE_TIMESTAMP;
	if (status == 156 || status == 157)
		o->timestamp = mh_timestamp_from_ns(c->e->now.real_ns); /* the LMA's own time */
	else
		o->timestamp = c->req->opts.timestamp;
}

static void lla_option(const struct pbu_ctx *c, const struct bce *b, struct mh_opts *o)
{
	if (!(c->req->opts.present & MH_HAVE_LLA))
		return;
	o->present |= MH_HAVE_LLA;
	o->lla = b && b->have_lla ? b->lla : c->req->opts.lla;
}

/* A session's prefixes; a shared one's (RFC 7864, HI 6) are also those of the MN's other
 * sessions that still carry theirs. */
static void hnp_options(const struct bce *b, struct mh_opts *o)
{
	const struct bce *s;

	LIST_FOREACH(s, &b->mn->bces, mn_entry)
	{
		if (s != b && (!b->shared || (s->state != BCE_ACTIVE && !s->rerouted)))
			continue;
		for (unsigned i = 0; i < s->n_prefix; i++)
			mh_opts_add_hnp(o, &s->prefix[i].p.addr, s->prefix[i].p.len);
	}
}

static void granted_options(const struct pbu_ctx *c, const struct bce *b, struct mh_opts *o)
{
	hnp_options(b, o);
	if (c->req->opts.n_muho > 0 && upn_prefixes_except(b->mn, b, b->mag, o) == 0)
		mh_opts_add_muho(o, &in6addr_any, 0); /* MuHo-capable, but no other prefix yet */
}

static struct out_msg *outbox_add(struct lma_engine *e)
{
	if (e->n_out == e->cap_out) {
		size_t cap = e->cap_out ? e->cap_out * 2 : 64;
		struct out_msg *out = realloc(e->out, cap * sizeof(*out));

		if (!out)
			return NULL;
		e->out = out;
		e->cap_out = cap;
	}
	return &e->out[e->n_out++];
}

/* Whether a reply to a stranger may go now. */
static bool stranger_allowed(struct lma_engine *e, const struct in6_addr *dst)
{
	switch (rl_check(&e->rejects, dst, &e->conf->reject_source, &e->conf->reject_total,
	                 e->now.mono_ns)) {
	case RL_SOURCE_LIMITED:
		e->stats.dropped[LMA_DROP_REPLY_RATE_SOURCE]++;
		return false;
	case RL_TOTAL_LIMITED:
		e->stats.dropped[LMA_DROP_REPLY_RATE_TOTAL]++;
		return false;
	default:
		return true;
	}
}

void reply_pba(struct pbu_ctx *c, uint8_t status)
{
	struct lma_engine *e = c->e;
	struct out_msg *out;
	struct mh_msg *m;
	bool accepted = status < 128 && c->bce;

	if (!c->conf_mag && !stranger_allowed(e, c->src))
		return;
	out = outbox_add(e);
	if (!out) {
		e->stats.dropped[LMA_DROP_NO_MEMORY]++;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->dst = *c->src;
	out->stranger = !c->conf_mag;
	m = &out->msg;
	mh_msg_init(m, MH_TYPE_BA);
	m->u.ba.status = status;
	m->u.ba.flags = MH_BA_P;
	m->u.ba.seq = status == 135 ? c->bce->last_seq : c->req->u.bu.seq;
	m->u.ba.lifetime = accepted ? (uint16_t)(c->lifetime_s / 4) : 0;
	echo_options(c, &m->opts);
	echo_request_prefixes(c, &m->opts);
	out->n_req_hnp = m->opts.n_hnp;
	memcpy(out->req_hnp, m->opts.hnp, sizeof(out->req_hnp[0]) * m->opts.n_hnp);
	if (accepted) {
		m->opts.n_hnp = 0;
		granted_options(c, c->bce, &m->opts);
		out->bce_id = c->bce->id;
	}
	timestamp_option(c, status, &m->opts);
	lla_option(c, accepted ? c->bce : NULL, &m->opts);
}

/* A plain Binding Acknowledgement (no flag P) refusing a Binding Update that is no PBU. */
void reply_ba(struct lma_engine *e, const struct in6_addr *dst, const struct mh_msg *req,
              uint8_t status)
{
	struct out_msg *out = outbox_add(e);

	if (!out) {
		e->stats.dropped[LMA_DROP_NO_MEMORY]++;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->dst = *dst;
	mh_msg_init(&out->msg, MH_TYPE_BA);
	out->msg.u.ba.status = status;
	out->msg.u.ba.seq = req->u.bu.seq;
}

/* A binding whose routes the kernel refused: its pending acceptance becomes "insufficient
 * resources", and the binding goes. */
void reply_reject_binding(struct lma_engine *e, uint64_t bce_id)
{
	struct bce *b = bc_bce_by_id(&e->bc, bce_id);

	for (size_t i = 0; i < e->n_out; i++) {
		struct out_msg *out = &e->out[i];

		if (out->bce_id != bce_id)
			continue;
		out->bce_id = 0;
		out->msg.u.ba.status = 130;
		out->msg.u.ba.lifetime = 0;
		out->msg.opts.n_muho = 0;
		out->msg.opts.n_hnp = out->n_req_hnp;
		memcpy(out->msg.opts.hnp, out->req_hnp, sizeof(out->req_hnp[0]) * out->n_req_hnp);
	}
	if (b)
		engine_bce_delete(e, b);
}

void reply_send(struct lma_engine *e, const struct in6_addr *dst, const struct mh_msg *m)
{
	uint8_t buf[MH_MAX_LEN];
	ssize_t n = mh_encode(m, &e->params, buf, sizeof(buf));

	if (n < 0)
		return; /* cannot happen with what the engine builds; nothing to send */
	if (m->type == MH_TYPE_BA)
		e->stats.pba[m->u.ba.status]++;
	e->io.send(e->io.ctx, dst, buf, (size_t)n);
}

void reply_flush(struct lma_engine *e)
{
	/* sending can make no new reply, but a route failure reported during the kernel flush
	 * already rewrote its entries; our MAGs first, should the socket's buffer fill */
	for (size_t i = 0; i < e->n_out; i++)
		if (!e->out[i].stranger)
			reply_send(e, &e->out[i].dst, &e->out[i].msg);
	for (size_t i = 0; i < e->n_out; i++)
		if (e->out[i].stranger)
			reply_send(e, &e->out[i].dst, &e->out[i].msg);
	e->n_out = 0;
}

/* At the configured binding-error-rate (RFC 6275 §9.3.3). */
static bool be_allowed(struct lma_engine *e)
{
	return rl_take(&e->be, e->conf->be_rate.per_s, e->conf->be_rate.burst, e->now.mono_ns);
}

void reply_binding_error(struct lma_engine *e, const struct in6_addr *dst, uint8_t status)
{
	struct mh_msg m;

	if (IN6_IS_ADDR_MULTICAST(dst) || IN6_IS_ADDR_UNSPECIFIED(dst))
		return; /* only to a unicast source (§9.3.3) */
	if (!be_allowed(e))
		return;
	mh_msg_init(&m, MH_TYPE_BE);
	m.u.be.status = status;
	reply_send(e, dst, &m);
}

static void resend_transmit(struct lma_engine *e, struct resend *r)
{
	reply_send(e, &r->dst, &r->msg);
	r->tries++;
	timer_arm(&e->timers, &r->timer, e->now.mono_ns + (uint64_t)r->backoff_ms * NS_PER_MS);
}

void resend_first(struct lma_engine *e, struct resend *r, const struct lma_conf_retransmit *c)
{
	r->tries = 0;
	r->backoff_ms = c->initial_ms;
	resend_transmit(e, r);
}

bool resend_again(struct lma_engine *e, struct resend *r, const struct lma_conf_retransmit *c)
{
	if (r->tries >= c->tries)
		return false;
	r->backoff_ms = r->backoff_ms * 2 > c->max_ms ? c->max_ms : r->backoff_ms * 2;
	resend_transmit(e, r);
	return true;
}
