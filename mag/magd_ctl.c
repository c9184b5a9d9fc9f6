/* magd_ctl.c: magd's answers on the control socket (ctl_proto.h): the binding update list as
 * bindings, the counters, and the administrative de-registration of an MN. */
#include <stdio.h>
#include <string.h>

#include "mag/magd_int.h"

static void fill_prefixes(struct ctl_prefix *out, uint8_t *n, const struct mh_prefix *p,
                          unsigned count)
{
	*n = 0;
	for (unsigned i = 0; i < count && i < CTL_BINDING_MAX_PREFIXES; i++) {
		memcpy(out[i].addr, &p[i].addr, 16);
		out[i].len = p[i].len;
		(*n)++;
	}
}

static void fill_binding(const struct magd *d, const struct bul_entry *b, uint64_t now,
                         struct ctl_binding *r)
{
	memset(r, 0, sizeof(*r));
	r->id = b->id;
	snprintf(r->mn_id, sizeof(r->mn_id), "%s", b->mn_id);
	r->llid_len = 6;
	memcpy(r->llid, b->mac, 6);
	r->att = b->att;
	r->hi = b->hi_sent;
	r->state = (uint8_t)b->state;
	snprintf(r->state_name, sizeof(r->state_name), "%s", bul_state_name(b->state));
	r->muho = b->mn && b->mn->multihoming;
	fill_prefixes(r->prefix, &r->n_prefix, b->hnp, b->n_hnp);
	fill_prefixes(r->other, &r->n_other, b->muho, b->n_muho);
	memcpy(r->peer, &d->conf->lma_addr, 16);
	r->lifetime_s = b->lifetime_s;
	r->remaining_s =
	        b->expires_ns > now ? (uint32_t)((b->expires_ns - now) / 1000000000ull) : 0;
	r->tunnel = b->installed ? mag_engine_tunnel(d->engine) : 0;
	r->tag_mark = mag_engine_tag_of(d->engine, b->id, &r->tag);
}

static void show_bindings(struct magd *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	const char *filter = len ? (const char *)payload : NULL;
	struct ctl_binding r;
	struct mag_now now;
	unsigned shown = 0;

	if (len && (len > CTL_ID_MAX || payload[len - 1] != '\0')) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "MN-ID must be a NUL-terminated string");
		return;
	}
	magd_now(&now);
	for (const struct bul_entry *b = mag_engine_first(d->engine); b; b = mag_engine_next(b)) {
		if (filter && strcmp(filter, b->mn_id) != 0)
			continue;
		fill_binding(d, b, now.mono_ns, &r);
		ctl_send(c, CTL_REC_BINDING, &r, sizeof(r));
		shown++;
	}
	if (filter && shown == 0)
		ctl_send_error(c, CTL_E_NOT_FOUND, "no binding for %s", filter);
	else
		ctl_send_end(c);
}

/* How many MNs the binding update list holds. */
static unsigned bindings_count(const struct mag_engine *e)
{
	unsigned n = 0;

	for (const struct bul_entry *b = mag_engine_first(e); b; b = mag_engine_next(b))
		n++;
	return n;
}

static void show_stats(struct magd *d, struct ctl_conn *c)
{
	const struct mag_stats *st = mag_engine_stats(d->engine);
	struct ctl_server_stats cs;
	unsigned n;
	char name[12];

	ctl_send_stat(c, "rx", "binding-ack", st->rx[MH_TYPE_BA]);
	ctl_send_stat(c, "rx", "update-notification", st->rx[MH_TYPE_UPN]);
	ctl_send_stat(c, "rx", "binding-revocation", st->rx[MH_TYPE_BR]);
	ctl_send_stat(c, "rx", "router-solicitation", st->rs_received);
	/* a group's lines stay together: pmipctl -j makes one object of each run of them */
	ctl_send_stat(c, "rx", "update-notification-repeated", st->upn_repeated);
	for (int s = 0; s < 256; s++) {
		if (!st->pba[s] && s != 0)
			continue;
		snprintf(name, sizeof(name), "%d", s);
		ctl_send_stat(c, "pba", name, st->pba[s]);
	}
	for (int e = 1; e < MH_E_COUNT; e++)
		if (e != MH_E_NOSPACE && e != MH_E_INVAL)
			ctl_send_stat(c, "malformed", mh_err_name(e), st->malformed[e]);
	ctl_send_stat(c, "malformed", "router_solicitation", d->rs_malformed);
	mh_pperr_send_stats(c, &d->pperr);
	for (int r = 0; r < MAG_DROP_COUNT; r++)
		ctl_send_stat(c, "dropped", mag_drop_name((enum mag_drop)r), st->dropped[r]);
	n = bindings_count(d->engine);
	ctl_send_stat(c, "bindings", "current", n);
	ctl_send_stat(c, "bindings", "gave_up", st->gave_up);
	ctl_send_stat(c, "bindings", "clock_waits", st->clock_waits);
	ctl_send_stat(c, "tx", "pbu", st->pbu_sent);
	ctl_send_stat(c, "tx", "pbu_retransmitted", st->pbu_retransmitted);
	ctl_send_stat(c, "tx", "deregistration", st->dereg_sent);
	ctl_send_stat(c, "tx", "router-advertisement", st->ra_sent);
	ctl_send_stat(c, "tx", "update-notification-ack", st->upa_sent);
	ctl_send_stat(c, "tx", "binding-error", st->be_sent);
	ctl_send_stat(c, "tx", "revocation-ack", st->bra_sent);
	ctl_send_stat(c, "revocation", "received", st->bri_received);
	ctl_send_stat(c, "revocation", "unmatched", st->bri_unmatched);
	ctl_send_stat(c, "revocation", "revoked", st->revoked);
	ctl_send_stat(c, "heartbeat", "requests", st->hb_requests);
	ctl_send_stat(c, "heartbeat", "responses", st->hb_responses);
	ctl_send_stat(c, "heartbeat", "failures_detected", st->peer_failures);
	ctl_send_stat(c, "heartbeat", "recoveries", st->peer_recoveries);
	ctl_send_stat(c, "heartbeat", "restarts_detected", st->peer_restarts);
	ctl_send_stat(c, "heartbeat", "reregistrations", st->reregistrations);
	ctl_send_stat(c, "kernel", "route_failures", st->route_failures);
	ctl_send_stat(c, "kernel", "tag_failures", st->tag_failures);
	ctl_send_stat(c, "kernel", "state_write_failures", d->state.failures);
	ctl_send_datapath(c, d->kr);
	ctl_send_pmtu(c, d->pmtu);
	ctl_server_get_stats(d->ctl, &cs);
	ctl_send_stat(c, "control", "refused", cs.refused);
	ctl_send_stat(c, "control", "idle_closed", cs.idle_closed);
	ctl_send_stat(c, "control", "bad_requests", cs.bad_requests);
}

/* The one peer: the LMA, with its heartbeat. */
static void show_peers(struct magd *d, struct ctl_conn *c)
{
	struct mag_now now;
	unsigned n;

	magd_now(&now);
	n = bindings_count(d->engine);
	ctl_send_peer(c, &d->conf->lma_addr, mag_engine_peer(d->engine),
	              d->conf->heartbeat.interval_ms != 0, now.mono_ns, n, 0);
	ctl_send_end(c);
}

static void deregister(struct magd *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len)
{
	struct mag_now now;

	if (len == 0 || len > CTL_ID_MAX || payload[len - 1] != '\0') {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "MN-ID must be a NUL-terminated string");
		return;
	}
	magd_now(&now);
	if (mag_engine_deregister(d->engine, (const char *)payload, &now) < 0) {
		ctl_send_error(c, CTL_E_NOT_FOUND, "no binding for %s", (const char *)payload);
		return;
	}
	magd_after_input(d);
	ctl_send_end(c);
}

static int reload(void *d, char *err, size_t errlen)
{
	return magd_reload(d, err, errlen);
}

void magd_ctl_handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                     void *arg)
{
	struct magd *d = arg;

	switch (type) {
	case CTL_REQ_SHOW_BINDINGS:
		show_bindings(d, c, payload, len);
		break;
	case CTL_REQ_SHOW_STATS:
		show_stats(d, c);
		ctl_send_end(c);
		break;
	case CTL_REQ_DEREGISTER:
		deregister(d, c, payload, len);
		break;
	case CTL_REQ_RELOAD:
		ctl_answer_reload(c, len, reload, d);
		break;
	case CTL_REQ_SHOW_VERSION:
		ctl_send_version(c, "magd");
		break;
	case CTL_REQ_SHOW_PEERS:
		show_peers(d, c);
		break;
	default:
		ctl_send_error(c, CTL_E_UNKNOWN, "magd does not answer request %u", type);
	}
}
