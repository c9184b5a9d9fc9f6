/* lmad_int.h: the state lmad.c and lmad_ctl.c share. */
#ifndef LMA_LMAD_INT_H
#define LMA_LMAD_INT_H

#include <ev.h>

#include "common/ctl.h"
#include "kr/kr.h"
#include "common/log.h"
#include "common/state_sync.h"
#include "lma/engine.h"
#include "lma/fc.h"

struct lmad {
	const char *conf_path;
	struct lma_conf *conf;
	struct ev_loop *loop;
	struct kr *kr;
	struct pmtu_relay *pmtu; /* RFC 2473 §7 for our tunnels */
	struct lma_engine *engine;
	struct ctl_server *ctl;
	int mh_fd;
	ev_io mh_w;
	ev_timer timer_w;
	struct log_limit send_limit, kr_limit;
	struct state_sync leases; /* the prefix lease file (lmad_leases.c) */
	/* flow steering (lmad_fc.c) */
	struct fc *fc;
	struct hmap fc_queued; /* prefixes whose new connections go to the queue */
	ev_io queue_w, events_w;
	ev_timer idle_w;
	ev_prepare prefixes_w; /* queueing changes reach the kernel (lmad_fc.c) */
	uint64_t fc_moved;
	uint64_t fc_failed_over; /* of those, moved off a MAG declared unreachable */
	size_t fc_peak; /* flows at most since memory was last given back */
};

void lmad_now(struct lma_now *now);
/* lmad_leases.c: load before the first PBU, start the periodic save, say a reload happened;
 * state_sync_save(&d->leases) and state_sync_stop() do the rest (see common/state_sync.h). */
void lmad_leases_load(struct lmad *d);
void lmad_leases_start(struct lmad *d);
void lmad_leases_reloaded(struct lmad *d);
/* lmad_fc.c */
int lmad_fc_start(struct lmad *d);
void lmad_fc_stop(struct lmad *d);
void lmad_fc_load_conf(struct lmad *d);
void lmad_fc_mn_changed(struct lmad *d, const struct lma_mn *mn);
/* The LMA no longer routes p (its binding went): it leaves the queue. */
void lmad_fc_prefix_unrouted(struct lmad *d, const struct mh_prefix *p);
void lmad_fc_policies_changed(struct lmad *d);
int lmad_fc_move(struct lmad *d, struct fc_flow *f, const struct bce *to);
/* lmad_ctl_fc.c */
void lmad_ctl_show_flows(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_flow_move(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_policy_add(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_policy_del(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_policy_list(struct lmad *d, struct ctl_conn *c);
void lmad_ctl_handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                     void *arg);

#endif
