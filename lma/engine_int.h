/* engine_int.h: what the LMA engine's files (engine.c, pbu.c, reply.c, upn.c) share. */
#ifndef LMA_ENGINE_INT_H
#define LMA_ENGINE_INT_H

#include "common/ratelimit.h"
#include "common/timer.h"
#include "lma/engine.h"
#include "lma/pool.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S  1000000000ull

/* A reply waiting for the kernel changes it depends on (sent by lma_engine_flush). */
struct out_msg {
	struct in6_addr dst;
	uint64_t bce_id; /* the binding whose routes must succeed first; 0 for none */
	struct mh_msg msg;
	bool stranger;     /* to a source no mag statement names: sent after the others */
	uint8_t n_req_hnp; /* the request's HNPs, echoed if the binding fails after all */
	struct mh_prefix req_hnp[MH_MAX_PREFIXES];
};

/* A message sent again until it is answered (Update Notifications, Binding Revocation
 * Indications): same content, the wait doubling from the schedule's first to its longest, for
 * the schedule's tries in all. The owner arms timer with its own callback. */
struct resend {
	struct in6_addr dst;
	unsigned tries;
	uint32_t backoff_ms;
	struct timer timer;
	struct mh_msg msg;
};

/* A PBU with Handoff Indicator 4 waiting MaxDelayBeforeNewBCEAssign for the old MAG's
 * de-registration (RFC 5213 §5.4.1.3). */
struct parked_pbu {
	LIST_ENTRY(parked_pbu) entry;
	struct lma_engine *e;
	struct in6_addr src;
	struct mh_msg msg;
	struct timer timer;
};

struct revoke_pending;

struct lma_engine {
	const struct lma_conf *conf;
	struct lma_io io;
	struct bc bc;
	struct pool pool;
	bool have_pool;
	struct timer_heap timers;
	struct mh_params params;
	struct lma_stats stats;
	struct lma_now now;
	struct out_msg *out;
	size_t n_out, cap_out;
	LIST_HEAD(, parked_pbu) parked;
	uint32_t n_parked;
	LIST_HEAD(, lma_mag) released; /* MAGs whose tunnel goes once the routes are flushed */
	LIST_HEAD(, bce) rejected;     /* bindings whose route was refused on the spot */
	unsigned kernel_queued;        /* route changes asked for since the last io flush */
	uint16_t upn_seq;
	LIST_HEAD(, revoke_pending) revokes; /* Binding Revocation Indications outstanding */
	uint16_t bri_seq;
	uint32_t restart_counter; /* RFC 5847 §3.4, in our Heartbeat Responses */
	bool closing;
	bool restoring;      /* bindings come back from the binding file: nobody to notify */
	uint64_t bc_changes; /* bindings made, refreshed, de-registered, deleted: to save again */
	bool failing; /* releasing an unreachable MAG's bindings (peer.c) */
	struct rl_table rejects; /* replies to strangers (reply.c) */
	struct rl_bucket be;     /* Binding Error rate limit (reply.c) */
};

/* What processing one PBU learns as it goes. */
struct pbu_ctx {
	struct lma_engine *e;
	const struct in6_addr *src;
	const struct mh_msg *req;
	char id[MH_MNID_MAX + 1];
	const struct lma_conf_mag *conf_mag; /* NULL: the source is no MAG of ours */
	const struct lma_conf_mn *conf_mn;   /* NULL with "mn any" and no entry */
	struct lma_mn *mn;                   /* the MN's entry, if it has one already */
	struct bce *bce;                     /* the session this PBU is about, if it exists */
	bool all_zero;                       /* every HNP in the request is ALL_ZERO */
	bool replay_checked;                 /* a parked PBU: checked when it arrived */
	uint32_t lifetime_s;                 /* granted */
	bool share;   /* HI 6 from a new interface of an MN with sessions: a session sharing them */
	bool unowned; /* a prefix the request names is in no binding */
};

/* engine.c: bindings and their kernel state */
/* An active session of b's MN that shares its prefixes (RFC 7864, HI 6), able to carry them. */
struct bce *engine_sharer(struct bce *b);
/* A binding for the MN-ID id at the MAG src, no prefixes yet; NULL for want of memory. */
struct bce *engine_bce_new(struct lma_engine *e, const char *id, const struct in6_addr *src,
                           const uint8_t *llid, uint8_t llid_len);
struct bce *engine_bce_create(struct lma_engine *e, struct pbu_ctx *c);
/* Whether p is one of the MN's configured static prefixes (mn may be NULL). */
bool engine_static_prefix(const struct lma_conf_mn *mn, const struct mh_prefix *p);
bool engine_mag_tunnel(struct lma_engine *e, struct lma_mag *mag);
void engine_mag_release(struct lma_engine *e, struct lma_mag *mag);
void engine_bce_activate(struct lma_engine *e, struct bce *b);
void engine_bce_move(struct lma_engine *e, struct bce *b, const struct in6_addr *to);
void engine_bce_deregister(struct lma_engine *e, struct bce *b);
void engine_bce_delete(struct lma_engine *e, struct bce *b);
void engine_bce_arm_lifetime(struct lma_engine *e, struct bce *b);
bool engine_prefix_in_use(const struct mh_prefix *p, void *arg);
/* The MN's group changed: the flow classifier hears of it, the other MAGs get a notification
 * (skip: the MAG that just learnt it from its PBA). */
void engine_group_changed(struct lma_engine *e, struct lma_mn *mn, const struct lma_mag *skip);
/* engine_tags.c: the MN's bindings get or lose their tags as its group now is; one binding's
 * goes before the binding does. */
void engine_tags_sync(struct lma_engine *e, struct lma_mn *mn);
void engine_tag_drop(struct lma_engine *e, struct bce *b);

/* peer.c: heartbeats with the MAGs */
void peer_start(struct lma_engine *e, struct lma_mag *mag);
void peer_stop(struct lma_engine *e, struct lma_mag *mag);
void peer_conf_changed(struct lma_engine *e);
void peer_heartbeat_input(struct lma_engine *e, const struct in6_addr *src,
                          const struct mh_msg *m);
bool peer_usable(const struct lma_mag *mag);

/* pbu.c */
/* A binding ends: de-registered by its MAG, or its MAG is gone (peer.c): same path. */
void pbu_release_binding(struct lma_engine *e, struct bce *b);
void pbu_process(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m);
void pbu_parked_fire(struct timer *t, uint64_t now_ns);
void pbu_unpark_for(struct lma_engine *e, struct bce *released);
void pbu_parked_free_all(struct lma_engine *e);

/* reply.c */
void reply_pba(struct pbu_ctx *c, uint8_t status);
void reply_ba(struct lma_engine *e, const struct in6_addr *dst, const struct mh_msg *req,
              uint8_t status);
void reply_binding_error(struct lma_engine *e, const struct in6_addr *dst, uint8_t status);
void reply_send(struct lma_engine *e, const struct in6_addr *dst, const struct mh_msg *m);
void reply_reject_binding(struct lma_engine *e, uint64_t bce_id);
void reply_flush(struct lma_engine *e);
void resend_first(struct lma_engine *e, struct resend *r, const struct lma_conf_retransmit *c);
/* Sends r again after a longer wait; false (nothing sent) once its tries are spent. */
bool resend_again(struct lma_engine *e, struct resend *r, const struct lma_conf_retransmit *c);

/* mn_pending.c: an outstanding message to one MAG about one MN, on one of its MN entry's lists
 * (upn, revoke), which it keeps; the first member of what upn.c and revoke.c keep. */
struct mn_pending {
	struct mn_pending *next; /* on its MN's list */
	struct lma_engine *e;
	struct lma_mn *mn;
	struct resend rs; /* to the MAG */
};
struct mn_pending *mn_pending_for(struct mn_pending *list, const struct in6_addr *mag);
/* A zeroed block of size octets (a struct whose first member is a struct mn_pending) for mag on
 * *list, its timer calling fired with it; NULL, counted, when memory is short. */
struct mn_pending *mn_pending_new(struct lma_engine *e, struct mn_pending **list,
                                  struct lma_mn *mn, const struct in6_addr *mag, size_t size,
                                  timer_fn fired);
/* Frees p, off *list; its MN entry goes too if nothing else holds it. */
void mn_pending_free(struct mn_pending **list, struct mn_pending *p);
/* Frees every one on *list, leaving the MN entry to the caller. */
void mn_pending_free_list(struct lma_engine *e, struct mn_pending **list);

/* upn.c */
void upn_notify_group(struct lma_engine *e, struct lma_mn *mn, const struct lma_mag *skip);
void upn_input_ack(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m);
void upn_input_binding_error(struct lma_engine *e, const struct in6_addr *src,
                             const struct mh_msg *m);
void upn_mn_free(struct lma_engine *e, struct lma_mn *mn);
size_t upn_prefixes_except(const struct lma_mn *mn, const struct bce *self,
                           const struct lma_mag *mag, struct mh_opts *opts);
const struct lma_mag *upn_informed_mag(const struct bce *b);

/* revoke.c */
void revoke_input(struct lma_engine *e, const struct in6_addr *src, const struct mh_msg *m);
bool revoke_outstanding(const struct lma_engine *e, const struct in6_addr *mag,
                        const struct mh_opts *o);
void revoke_free_all(struct lma_engine *e);

#endif
