/* lmad_ctl.c: lmad's answers on the control socket (ctl_proto.h): the bindings, grouped by MN
 * (streamed MN by MN, so a million bindings never sit in memory twice), and the counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/lmad_int.h"

static const char *const state_names[] = {
	[BCE_ACTIVE] = "active",
	[BCE_DEREG_WAIT] = "deregistered",
};

static void fill_binding(const struct bce *b, uint64_t now_ns, struct ctl_binding *r)
{
	memset(r, 0, sizeof(*r));
	r->id = b->id;
	snprintf(r->mn_id, sizeof(r->mn_id), "%s", b->mn->id);
	r->llid_len = b->llid_len;
	memcpy(r->llid, b->llid, b->llid_len);
	r->att = b->att;
	r->hi = b->hi;
	r->state = (uint8_t)b->state;
	snprintf(r->state_name, sizeof(r->state_name), "%s",
	         b->held ? "held"
	         : b->stale && b->state == BCE_ACTIVE ? "stale"
	                                              : state_names[b->state]);
	r->muho = b->muho;
	r->n_prefix = b->n_prefix;
	for (unsigned i = 0; i < b->n_prefix && i < CTL_BINDING_MAX_PREFIXES; i++) {
		memcpy(r->prefix[i].addr, &b->prefix[i].p.addr, 16);
		r->prefix[i].len = b->prefix[i].p.len;
	}
	memcpy(r->peer, &b->mag->addr, 16);
	r->lifetime_s = b->lifetime_s;
	r->remaining_s = b->timer.when_ns > now_ns
	                         ? (uint32_t)((b->timer.when_ns - now_ns) / 1000000000ull)
	                         : 0;
	r->tunnel = b->mag->tunnel;
	r->tag_mark = b->tag_mark;
	r->tag = b->tag_mark ? b->tag : 0;
}

static void send_mn(struct ctl_conn *c, const struct lma_mn *mn, uint64_t now_ns)
{
	const struct bce *b;
	struct ctl_binding r;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		fill_binding(b, now_ns, &r);
		ctl_send(c, CTL_REC_BINDING, &r, sizeof(r));
	}
}

struct bindings_walk {
	struct lmad *d;
	size_t bucket;
};

/* Sends the MNs of a few more buckets of the MN index. */
static bool produce_bindings(struct ctl_conn *c, void *state)
{
	struct bindings_walk *w = state;
	const struct bc *bc = lma_engine_cache(w->d->engine);
	struct lma_now now;

	lmad_now(&now);
	for (unsigned k = 0; k < 64 && ctl_has_room(c); k++, w->bucket++) {
		if (w->bucket > bc->by_mn.last)
			return false;
		for (struct hnode *n = bc->by_mn.buckets[w->bucket]; n; n = n->next)
			send_mn(c, HMAP_ENTRY(n, struct lma_mn, node), now.mono_ns);
	}
	return w->bucket <= bc->by_mn.last;
}

static void show_bindings(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	const struct lma_mn *mn;
	struct bindings_walk *w;
	struct lma_now now;

	if (len == 0) {
		w = calloc(1, sizeof(*w));
		if (!w) {
			ctl_send_error(c, CTL_E_INTERNAL, "out of memory");
			return;
		}
		w->d = d;
		ctl_stream(c, produce_bindings, w, free);
		return;
	}
	if (len > CTL_ID_MAX || payload[len - 1] != '\0') {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "MN-ID must be a NUL-terminated string");
		return;
	}
	mn = bc_mn_find(lma_engine_cache(d->engine), (const char *)payload, len - 1);
	if (!mn) {
		ctl_send_error(c, CTL_E_NOT_FOUND, "no binding for %s", (const char *)payload);
		return;
	}
	lmad_now(&now);
	send_mn(c, mn, now.mono_ns);
	ctl_send_end(c);
}

/* pmipctl deregister MN-ID: the MN's bindings are revoked (RFC 5846 §8.1). */
static void revoke_mn(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	struct lma_now now;
	int n;

	if (len == 0 || len > CTL_ID_MAX || payload[len - 1] != '\0') {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "MN-ID must be a NUL-terminated string");
		return;
	}
	lmad_now(&now);
	n = lma_engine_revoke_mn(d->engine, (const char *)payload, &now);
	if (n < 0) {
		ctl_send_error(c, CTL_E_NOT_FOUND, "no binding for %s", (const char *)payload);
		return;
	}
	log_info("%s: %d binding(s) revoked by the operator", (const char *)payload, n);
	lmad_after_input(d);
	ctl_send_end(c);
}

static void stats_messages(struct ctl_conn *c, const struct lma_stats *st)
{
	static const uint8_t shown[] = { MH_TYPE_BU,  MH_TYPE_UPA, MH_TYPE_BA,
		                         MH_TYPE_UPN, MH_TYPE_HB,  MH_TYPE_BR };
	char name[12];

	for (size_t i = 0; i < sizeof(shown); i++)
		ctl_send_stat(c, "rx", mh_type_name(shown[i]), st->rx[shown[i]]);
	for (int s = 0; s < 256; s++) {
		if (!st->pba[s] && s != 0)
			continue;
		snprintf(name, sizeof(name), "%d", s);
		ctl_send_stat(c, "pba", name, st->pba[s]);
	}
	for (int e = 1; e < MH_E_COUNT; e++)
		if (e != MH_E_NOSPACE && e != MH_E_INVAL)
			ctl_send_stat(c, "malformed", mh_err_name(e), st->malformed[e]);
	for (int r = 0; r < LMA_DROP_COUNT; r++)
		ctl_send_stat(c, "dropped", lma_drop_name((enum lma_drop)r), st->dropped[r]);
}

static void stats_flows(struct lmad *d, struct ctl_conn *c)
{
	struct kr_fc_stats fs;
	struct fc_stats st;

	if (!d->fc)
		return;
	kr_fc_get_stats(d->kr, &fs);
	fc_get_stats(d->fc, &st);
	ctl_send_stat(c, "flows", "current", fc_flow_count(d->fc));
	ctl_send_stat(c, "flows", "max", d->conf->flow_max);
	ctl_send_stat(c, "flows", "classified", st.classified);
	ctl_send_stat(c, "flows", "moved", d->fc_moved);
	ctl_send_stat(c, "flows", "evicted", st.evicted);
	ctl_send_stat(c, "flows", "refused", st.refused);
	ctl_send_stat(c, "flows", "unclassified", st.unclassified);
	ctl_send_stat(c, "flows", "queued", fs.queued);
	ctl_send_stat(c, "flows", "kernel_queued", fs.kernel_queued);
	ctl_send_stat(c, "flows", "queue_drops", fs.queue_drops);
	ctl_send_stat(c, "flows", "overruns", fs.overruns);
	ctl_send_stat(c, "flows", "marks_set", fs.marks_set);
	ctl_send_stat(c, "flows", "marks_cleared", fs.marks_cleared);
	ctl_send_stat(c, "flows", "connections_made", fs.ct_created);
	ctl_send_stat(c, "flows", "conntrack_failures", fs.ct_failures);
	ctl_send_stat(c, "flows", "verdict_errors", fs.verdict_errors);
	ctl_send_stat(c, "flows", "connections_ended", fs.gone);
	ctl_send_stat(c, "flows", "events_lost", fs.events_lost);
}

static void stats_control(const struct ctl_server *s, struct ctl_conn *c)
{
	struct ctl_server_stats cs;

	ctl_server_get_stats(s, &cs);
	ctl_send_stat(c, "control", "refused", cs.refused);
	ctl_send_stat(c, "control", "idle_closed", cs.idle_closed);
	ctl_send_stat(c, "control", "bad_requests", cs.bad_requests);
}

static void stats_bindings(struct lmad *d, struct ctl_conn *c, const struct lma_stats *st)
{
	const struct bc *bc = lma_engine_cache(d->engine);
	struct lma_pool_stats pst;
	struct kr_stats kst;

	ctl_send_stat(c, "bindings", "current", bc->n_bce);
	ctl_send_stat(c, "bindings", "mobile_nodes", bc->n_mn);
	ctl_send_stat(c, "bindings", "created", st->bce_created);
	ctl_send_stat(c, "bindings", "deleted", st->bce_deleted);
	ctl_send_stat(c, "bindings", "expired", st->bce_expired);
	ctl_send_stat(c, "bindings", "handoffs", st->handoffs);
	ctl_send_stat(c, "bindings", "over_limit_total", st->over_limit[LMA_LIMIT_TOTAL]);
	ctl_send_stat(c, "bindings", "over_limit_mag", st->over_limit[LMA_LIMIT_MAG]);
	ctl_send_stat(c, "bindings", "over_limit_mn", st->over_limit[LMA_LIMIT_MN]);
	ctl_send_stat(c, "bindings", "reroutes", st->reroutes);
	ctl_send_stat(c, "bindings", "reroutes_lost", st->reroutes_lost);
	ctl_send_stat(c, "bindings", "held", st->holds);
	ctl_send_stat(c, "bindings", "holds_ended", st->holds_ended);
	ctl_send_stat(c, "bindings", "revoked", st->revoked);
	ctl_send_stat(c, "bindings", "memory_bytes", bc_memory(bc));
	if (lma_engine_pool_stats(d->engine, &pst)) {
		ctl_send_stat(c, "pool", "in_use", pst.in_use);
		ctl_send_stat(c, "pool", "resting", pst.resting);
		ctl_send_stat(c, "pool", "memory_bytes", pst.memory_bytes);
		ctl_send_stat(c, "pool", "lease_writes", d->leases.writes);
		ctl_send_stat(c, "pool", "lease_write_failures", d->leases.failures);
	}
	ctl_send_stat(c, "upn", "sent", st->upn_sent);
	ctl_send_stat(c, "upn", "retransmitted", st->upn_retransmitted);
	ctl_send_stat(c, "upn", "acked", st->upn_acked);
	ctl_send_stat(c, "upn", "gave_up", st->upn_gave_up);
	ctl_send_stat(c, "upn", "failed", st->upa_failed);
	ctl_send_stat(c, "upn", "refused", st->upn_refused);
	ctl_send_stat(c, "revocation", "bri_sent", st->bri_sent);
	ctl_send_stat(c, "revocation", "bri_retransmitted", st->bri_retransmitted);
	ctl_send_stat(c, "revocation", "bri_gave_up", st->bri_gave_up);
	ctl_send_stat(c, "revocation", "bra_success", st->bra_success);
	ctl_send_stat(c, "revocation", "bra_no_binding", st->bra_no_binding);
	ctl_send_stat(c, "revocation", "bra_failed", st->bra_failed);
	kr_get_stats(d->kr, &kst);
	ctl_send_stat(c, "kernel", "requests", kst.requests);
	ctl_send_stat(c, "kernel", "failures", kst.failures);
	ctl_send_stat(c, "kernel", "batches", kst.batches);
	ctl_send_stat(c, "kernel", "tunnels", kst.tunnels);
	ctl_send_stat(c, "kernel", "route_failures", st->route_failures);
	ctl_send_stat(c, "kernel", "tunnel_failures", st->tunnel_failures);
	ctl_send_stat(c, "kernel", "tag_failures", st->tag_failures);
	ctl_send_datapath(c, d->kr);
	ctl_send_pmtu(c, d->pmtu);
	stats_flows(d, c);
	stats_control(d->ctl, c);
}

static void stats_heartbeat(struct lmad *d, struct ctl_conn *c, const struct lma_stats *st)
{
	ctl_send_stat(c, "heartbeat", "requests", st->hb_requests);
	ctl_send_stat(c, "heartbeat", "responses", st->hb_responses);
	ctl_send_stat(c, "heartbeat", "failures_detected", st->peer_failures);
	ctl_send_stat(c, "heartbeat", "recoveries", st->peer_recoveries);
	ctl_send_stat(c, "heartbeat", "restarts_detected", st->peer_restarts);
	ctl_send_stat(c, "heartbeat", "bindings_failed", st->peer_bindings_failed);
	ctl_send_stat(c, "heartbeat", "stale_released", st->stale_bindings_released);
	ctl_send_stat(c, "heartbeat", "flows_moved", d->fc_failed_over);
}

static unsigned stale_bindings(const struct lma_mag *mag)
{
	const struct bce *b;
	unsigned n = 0;

	LIST_FOREACH(b, &mag->bces, mag_entry)
	n += b->stale && b->state == BCE_ACTIVE;
	return n;
}

/* Every MAG with bindings and its heartbeat: a few hundred at most, in one go. */
static void show_peers(struct lmad *d, struct ctl_conn *c)
{
	const struct bc *bc = lma_engine_cache(d->engine);
	struct lma_now now;

	lmad_now(&now);
	for (size_t i = 0; i <= bc->by_mag.last; i++)
		for (const struct hnode *n = bc->by_mag.buckets[i]; n; n = n->next) {
			const struct lma_mag *mag = HMAP_ENTRY(n, const struct lma_mag, node);

			if (mag->n_bce > 0)
				ctl_send_peer(c, &mag->addr, &mag->hb, d->conf->heartbeat.interval_ms != 0,
				              now.mono_ns, mag->n_bce, stale_bindings(mag));
		}
	ctl_send_end(c);
}

static int reload(void *d, char *err, size_t errlen)
{
	return lmad_reload(d, err, errlen);
}

void lmad_ctl_handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                     void *arg)
{
	struct lmad *d = arg;
	const struct lma_stats *st = lma_engine_stats(d->engine);

	switch (type) {
	case CTL_REQ_SHOW_BINDINGS:
		show_bindings(d, c, payload, len);
		break;
	case CTL_REQ_SHOW_STATS:
		stats_messages(c, st);
		mh_pperr_send_stats(c, &d->pperr);
		stats_bindings(d, c, st);
		stats_heartbeat(d, c, st);
		ctl_send_end(c);
		break;
	case CTL_REQ_DEREGISTER:
		revoke_mn(d, c, payload, len);
		break;
	case CTL_REQ_SHOW_FLOWS:
		lmad_ctl_show_flows(d, c, payload, len);
		break;
	case CTL_REQ_FLOW_MOVE:
		lmad_ctl_flow_move(d, c, payload, len);
		break;
	case CTL_REQ_POLICY_ADD:
		lmad_ctl_policy_add(d, c, payload, len);
		break;
	case CTL_REQ_POLICY_DEL:
		lmad_ctl_policy_del(d, c, payload, len);
		break;
	case CTL_REQ_POLICY_LIST:
		lmad_ctl_policy_list(d, c);
		break;
	case CTL_REQ_RELOAD:
		ctl_answer_reload(c, len, reload, d);
		break;
	case CTL_REQ_SHOW_VERSION:
		ctl_send_version(c, "lmad");
		break;
	case CTL_REQ_SHOW_PEERS:
		show_peers(d, c);
		break;
	default:
		ctl_send_error(c, CTL_E_UNKNOWN, "lmad does not answer request %u", type);
	}
}
