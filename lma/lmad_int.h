/* lmad_int.h: the state lmad.c and lmad_ctl.c share. */
#ifndef LMA_LMAD_INT_H
#define LMA_LMAD_INT_H

#include <ev.h>

#include "common/mh_pperr.h"
#include "common/mh_sendq.h"
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
	struct mh_pperr pperr; /* ICMPv6 Parameter Problems (common/mh_pperr.h) */
	struct mh_sendq sendq; /* what the engine sends, in batches (common/mh_sendq.h) */
	ev_prepare sendq_w;    /* sends them before the loop sleeps */
	ev_io mh_w;
	ev_timer timer_w;
	struct log_limit send_limit, kr_limit;
	struct state_sync leases;   /* the prefix lease file (lmad_leases.c) */
	struct state_sync bindings; /* the binding file (lmad_bindings.c) */
	/* flow steering (lmad_fc.c) */
	struct fc *fc;
	struct hmap fc_queued; /* prefixes whose new connections go to the queue */
	ev_io queue_w, events_w;
	ev_timer idle_w;
	ev_prepare prefixes_w; /* queueing changes reach the kernel (lmad_fc.c) */
	uint32_t *fc_conf_ids; /* the policies lmad.conf gave (the others came from pmipctl) */
	size_t fc_n_conf;
	struct lmad_steer *steer; /* steering modes' state (lmad_steer.c) */
	uint64_t fc_moved;
	uint64_t fc_marks_set; /* flows given another binding: the binding file is stale */
	uint64_t fc_failed_over; /* of those, moved off a MAG declared unreachable */
	size_t fc_peak; /* flows at most since memory was last given back */
};

void lmad_now(struct lma_now *now);
/* Reads the configuration file again and applies it (SIGHUP, pmipctl reload): -1 with the
 * reason in err, the running configuration kept, when it does not parse or changes a setting
 * that needs a restart. Logs what changed. */
int lmad_reload(struct lmad *d, char *err, size_t errlen);
/* Engine input that did not come from the MH socket (control, reload): flush and rearm. */
void lmad_after_input(struct lmad *d);
/* lmad_leases.c: load before the first PBU, start the periodic save, say a reload happened;
 * state_sync_save(&d->leases) and state_sync_stop() do the rest (see common/state_sync.h). */
void lmad_leases_load(struct lmad *d);
void lmad_leases_start(struct lmad *d);
void lmad_leases_reloaded(struct lmad *d);
/* lmad_bindings.c: the same for the binding file: the bindings loaded after the leases, the
 * flows after the flow classifier's start. */
void lmad_bindings_load(struct lmad *d);
void lmad_bindings_load_flows(struct lmad *d);
void lmad_bindings_start(struct lmad *d);
void lmad_bindings_reloaded(struct lmad *d);
/* lmad_fc.c */
int lmad_fc_start(struct lmad *d);
void lmad_fc_stop(struct lmad *d);
/* The configuration's policies replace the previous configuration's; returns how many policies
 * added with pmipctl stay (ahead of the configuration's). */
size_t lmad_fc_load_conf(struct lmad *d);
void lmad_fc_mn_changed(struct lmad *d, const struct lma_mn *mn);
/* The LMA no longer routes p (its binding went): it leaves the queue. */
void lmad_fc_prefix_unrouted(struct lmad *d, const struct mh_prefix *p);
void lmad_fc_policies_changed(struct lmad *d);
/* Moves the flow to `to` for good; with bicast_ms, make-before-break: through both its old
 * binding and `to` for that long first. 0, or -1 (the kernel refused). */
int lmad_fc_move(struct lmad *d, struct fc_flow *f, const struct bce *to, uint32_t bicast_ms);
/* Whether a flow moved to binding to arrives on to's interface: not when to's MAG holds another
 * binding of the MN and to does not own the flow's destination (doc/datapath.md). */
bool lmad_fc_reaches(const struct lmad *d, const struct fc_flow *f, const struct bce *to);
/* The binding whose prefix holds addr, or NULL. */
const struct bce *lmad_fc_owner(const struct lmad *d, const struct in6_addr *addr);
/* The flows of this MN decided again (a hold-down ended). */
void lmad_fc_mn_recheck(struct lmad *d, const char *mn_id);
/* The same for the MN's smallest-delay flows only (its paths' RTTs changed). */
void lmad_fc_delay_recheck(struct lmad *d, const char *mn_id);
/* Reads a flow's bytes from its connection's counters (load-balance by bytes). */
void lmad_fc_read_bytes(struct lmad *d, struct fc_flow *f);
/* A make-before-break move's time is over: the old binding no longer carries the flow. */
void lmad_fc_move_done(struct lmad *d, uint32_t flow_id);
/* The steered flows in the binding file: their change count, writing them, taking one back
 * (false unless its binding was restored, owns its destination, and the flow is new). */
uint64_t lmad_fc_changes(const struct lmad *d);
void lmad_fc_write_flows(const struct lmad *d, FILE *out);
bool lmad_fc_restore_flow(struct lmad *d, const struct flow_record *r);
/* After the restore: a connection the kernel kept marked stays so if its flow came back from
 * the file, or if its mark names the tunnel of a restored binding of the MN it goes to (the
 * flow is learnt again); every other loses its mark. */
void lmad_fc_reconcile_marks(struct lmad *d);
/* lmad_steer.c */
#define LMAD_FC_MAX_CANDS 16 /* bindings of one MN the classifier chooses among */
int lmad_steer_start(struct lmad *d);
void lmad_steer_stop(struct lmad *d);
/* Before its flows are decided again: which of the MN's bindings are up, since when. */
void lmad_steer_mn_changed(struct lmad *d, const struct lma_mn *mn);
/* Fills each candidate's up_since_ns (0 when not known). */
void lmad_steer_fill_up(const struct lmad *d, const char *mn_id, struct fc_binding *cands,
                        size_t n);
/* A flow of the MN may move at due_ns (a hold-down's end): its flows are decided again then. */
void lmad_steer_due(struct lmad *d, const char *mn_id, uint64_t due_ns);
/* The smoothed heartbeat RTT of the binding's MAG, 0 if none was measured. */
uint64_t lmad_steer_rtt(const struct lmad *d, const struct bce *b);
/* The bicast slot copying packets through `also` (its copy rule put in if new); 0 if none can
 * be had (no room in the marks, the kernel refused, every slot taken). */
uint16_t lmad_steer_dup_slot(struct lmad *d, const struct bce *also);
/* Slots whose binding is gone lose their rule. */
void lmad_steer_dup_gc(struct lmad *d);
/* Remembers a make-before-break move to end at until_ns; -1 if out of memory. */
int lmad_steer_moving(struct lmad *d, uint32_t flow_id, uint64_t until_ns);
/* lmad_ctl_fc.c */
void lmad_ctl_show_flows(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_flow_move(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_policy_add(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_policy_del(struct lmad *d, struct ctl_conn *c, const uint8_t *payload, uint32_t len);
void lmad_ctl_policy_list(struct lmad *d, struct ctl_conn *c);
void lmad_ctl_handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                     void *arg);

#endif
