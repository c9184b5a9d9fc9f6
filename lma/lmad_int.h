/* lmad_int.h: the state lmad.c and lmad_ctl.c share. */
#ifndef LMA_LMAD_INT_H
#define LMA_LMAD_INT_H

#include <ev.h>

#include "common/ctl.h"
#include "common/kr.h"
#include "common/log.h"
#include "lma/engine.h"
#include "lma/fc.h"

struct lmad {
	const char *conf_path;
	struct lma_conf *conf;
	struct ev_loop *loop;
	struct kr *kr;
	struct lma_engine *engine;
	struct ctl_server *ctl;
	int mh_fd;
	ev_io mh_w;
	ev_timer timer_w;
	struct log_limit send_limit, kr_limit;
	/* prefix leases (lmad_leases.c) */
	ev_timer lease_w;
	uint64_t leases_saved; /* the engine's change count the file holds */
	bool leases_stale;     /* written for another file or pool: write anyway */
	uint64_t lease_writes, lease_failures;
	struct log_limit lease_limit;
	/* flow steering (lmad_fc.c) */
	struct fc *fc;
	struct hmap fc_queued; /* prefixes whose new connections go to the queue */
	ev_io queue_w, events_w;
	ev_timer idle_w;
	uint64_t fc_new_flows, fc_moved;
};

void lmad_now(struct lma_now *now);
/* lmad_leases.c: load before the first PBU, start the periodic save, say a reload happened,
 * stop (saving a last time while the engine still lives); save writes if the pool changed. */
void lmad_leases_load(struct lmad *d);
void lmad_leases_start(struct lmad *d);
void lmad_leases_reloaded(struct lmad *d);
void lmad_leases_stop(struct lmad *d);
void lmad_leases_save(struct lmad *d);
/* lmad_fc.c */
int lmad_fc_start(struct lmad *d);
void lmad_fc_stop(struct lmad *d);
void lmad_fc_load_policies(struct lmad *d);
void lmad_fc_mn_changed(struct lmad *d, const struct lma_mn *mn);
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
