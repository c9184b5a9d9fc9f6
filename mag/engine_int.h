/* engine_int.h: what the MAG engine's files (engine.c, bul.c, signal.c) share. */
#ifndef MAG_ENGINE_INT_H
#define MAG_ENGINE_INT_H

#include "common/hmap.h"
#include "common/log.h"
#include "common/ratelimit.h"
#include "mag/engine.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S  1000000000ull

#define MAG_DEREG_TRIES   6  /* de-registration PBUs sent in all with "retransmit tries unlimited" */

struct access_link {
	unsigned ifindex;
	uint8_t mac[6];
	const struct mag_conf_access *conf;
	bool carrier; /* as last reported by mag_engine_link() */
};

struct mac_node {
	struct hnode node;
	struct bul_entry *b;
};

struct mag_engine {
	const struct mag_conf *conf;
	struct mag_io io;
	struct mh_params params;
	struct timer_heap timers;
	struct mag_stats stats;
	struct mag_now now;
	LIST_HEAD(, bul_entry) bul;
	struct hmap by_mac;
	unsigned n_access;
	struct access_link access[32];
	uint32_t tunnel;
	unsigned n_installed; /* entries whose routes use the tunnel */
	bool tunnel_release_pending;
	uint64_t next_id;
	bool leaving;     /* mag_engine_leave(): no new registration */
	uint64_t changes; /* entries installed or uninstalled: the binding file is stale */
	bool upn_seen;    /* the last Update Notification answered, for its retransmissions */
	uint16_t upn_last_seq;
	uint8_t upn_last_status;
	uint32_t restart_counter; /* RFC 5847 §3.4, in our Heartbeat Responses */
	struct hb_peer lma;       /* heartbeat with the LMA (peer.c) */
	struct rl_bucket be;      /* Binding Error rate limit (signal.c) */
	struct log_limit pba_limit; /* lines about ignored PBAs */
	LIST_HEAD(, mag_tag) tags;  /* binding tags in the kernel (engine_tags.c) */
	bool tags_dirty;            /* an entry changed: the tags are looked at at the flush */
};

/* engine.c */
struct access_link *engine_access(struct mag_engine *e, unsigned ifindex);
struct bul_entry *engine_find_mac(const struct mag_engine *e, const uint8_t mac[6]);
void engine_install(struct mag_engine *e, struct bul_entry *b);
void engine_uninstall(struct mag_engine *e, struct bul_entry *b);
void engine_set_muho(struct mag_engine *e, struct bul_entry *b, const struct mh_prefix *p,
                     unsigned n);
void engine_send_ra(struct mag_engine *e, struct bul_entry *b, bool withdraw);
void engine_entry_free(struct mag_engine *e, struct bul_entry *b);
struct bul_entry *engine_entry_new(struct mag_engine *e, const struct mag_conf_mn *mn,
                                   const uint8_t mac[6], struct access_link *link,
                                   const struct in6_addr *ll);

/* engine_tags.c: the entries' binding tags follow them, when tags_dirty */
void mag_engine_tags_sync(struct mag_engine *e);

/* bul.c: the state machine */
void bul_event(struct mag_engine *e, struct bul_entry *b, enum bul_event ev, const void *arg);
void bul_timer_fired(struct timer *t, uint64_t now_ns);
void bul_ra_timer_fired(struct timer *t, uint64_t now_ns);

/* signal.c: PBUs out, PBAs and UPNs in */
void signal_send_pbu(struct mag_engine *e, struct bul_entry *b, bool dereg, uint8_t hi);
void signal_pba(struct mag_engine *e, const struct mh_msg *m);
void signal_upn(struct mag_engine *e, const struct in6_addr *src, const struct mh_msg *m);
void signal_heartbeat(struct mag_engine *e, const struct mh_msg *m);
void signal_binding_error(struct mag_engine *e);
void signal_send(struct mag_engine *e, const struct mh_msg *m);
void signal_echo_mnid(struct mh_msg *answer, const struct mh_msg *req);
/* o carries an MN-ID option naming b's MN. */
bool signal_same_mn_id(const struct bul_entry *b, const struct mh_opts *o);

/* revoke.c: Binding Revocation Indications in, acknowledgements out (RFC 5846) */
void signal_revocation(struct mag_engine *e, const struct mh_msg *m);

/* peer.c: heartbeat with the LMA */
void mag_peer_init(struct mag_engine *e);
void mag_peer_start(struct mag_engine *e);
void mag_peer_reloaded(struct mag_engine *e);
void mag_peer_input(struct mag_engine *e, const struct mh_msg *m);

#endif
