/* engine.h: the LMA's protocol engine: Proxy Binding Update processing (RFC 5213 §5.3, in the
 * RFC's order, with its status codes), the MuHo extension (draft-bernardos-mif-pmip-02 §5.2.2:
 * the PBA lists the MN's other prefixes), Update Notifications to the MN's other MAGs (RFC 7077,
 * draft §5.2.3), lifetimes and the RFC's delays. It makes no system call: messages go out and
 * kernel changes are requested through struct lma_io, time comes in as arguments, so tests
 * drive it with a mock clock and a recording io. */
#ifndef LMA_ENGINE_H
#define LMA_ENGINE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lma/bc.h"
#include "lma/bindings.h"
#include "lma/leases.h"
#include "lma/lma_conf.h"
#include "proto/mh.h"

struct lma_io {
	void *ctx;
	/* One encoded Mobility Header message to dst (checksum left to the kernel). */
	void (*send)(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len);
	/* Tunnels are synchronous: 0 or -1 with errno. */
	int (*tunnel_add)(void *ctx, const struct in6_addr *peer, uint32_t *id);
	int (*tunnel_del)(void *ctx, uint32_t id);
	/* Optional: the tunnel to peer with this very id (a binding restored after a restart:
	 * the kernel's connection marks name it); 0, or -1 if the id is taken or refused. */
	int (*tunnel_add_as)(void *ctx, const struct in6_addr *peer, uint32_t id);
	/* Route changes are queued; a refused one comes back through lma_engine_route_failed()
	 * during flush(), before the replies that depend on it are sent. */
	int (*route_add)(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie);
	int (*route_del)(void *ctx, const struct mh_prefix *p, uint64_t cookie);
	void (*flush)(void *ctx);
	/* Optional: the MN's group of bindings changed (one attached, moved, de-registered or
	 * expired). The flow classifier re-examines the MN's flows here. */
	void (*mn_changed)(void *ctx, const struct lma_mn *mn);
	/* Optional, both or neither: binding tags (engine_tags.c, doc/datapath.md). tag_add
	 * makes a mark through the tunnel whose packets carry the tag in their outer flow label;
	 * synchronous, 0 or -1 with errno (EOPNOTSUPP: the tunnel driver cannot write tags). */
	int (*tag_add)(void *ctx, uint32_t tunnel, uint32_t tag, uint32_t *mark);
	int (*tag_del)(void *ctx, uint32_t mark);
	/* Optional: a MAG's heartbeat learnt something (HB_EV_* of common/heartbeat.h), told
	 * before the engine acts on it (for a log line). */
	void (*peer_event)(void *ctx, const struct in6_addr *mag, unsigned events);
	/* Optional: a random number, read once by lma_engine_new() for the first Update
	 * Notification sequence number (RFC 7077 §5.1: it may start at a random value). Tests
	 * give a fixed one; without it the sequence starts at 0. */
	uint32_t (*random)(void *ctx);
};

struct lma_now {
	uint64_t mono_ns; /* timers */
	uint64_t real_ns; /* timestamps (RFC 5213 §5.5): wall clock, synchronized across nodes */
	/* lma_engine_input: when the message arrived (the kernel's receive time, wall clock), 0
	 * when unknown. A PBU's timestamp is judged against it (RFC 5213 §5.5's window), so that
	 * a PBU that waited in our socket while lmad was busy is not refused for our delay. */
	uint64_t rx_real_ns;
};

/* Why an input was dropped without a reply, beyond the codec's reasons (enum mh_err). */
enum lma_drop {
	LMA_DROP_NOT_PROXY,       /* a Binding Update without flag P: we are not a home agent */
	LMA_DROP_UNEXPECTED,      /* a message type the LMA does not take (a PBA, a UPN, ...) */
	LMA_DROP_DEREG_UNKNOWN,   /* de-registration for no binding: ignored (§5.3.5) */
	LMA_DROP_DEREG_OTHER_MAG, /* de-registration from a MAG that does not hold the binding */
	LMA_DROP_UPA_UNMATCHED,   /* acknowledgement for no outstanding notification */
	LMA_DROP_NO_MEMORY,
	LMA_DROP_BRA_UNMATCHED, /* revocation acknowledgement for no outstanding indication */
	LMA_DROP_REVOKING,      /* PBU from a MAG that has not acknowledged the MN's revocation */
	LMA_DROP_HB_UNMATCHED, /* a Heartbeat Response to no recent request of ours */
	LMA_DROP_REPLY_RATE_SOURCE, /* a rejection to a stranger not sent: its source's limit */
	LMA_DROP_REPLY_RATE_TOTAL,  /* nor this one: the limit for all strangers together */
	LMA_DROP_COUNT
};

struct lma_stats {
	uint64_t rx[256];               /* by MH type, after decoding */
	uint64_t malformed[MH_E_COUNT]; /* dropped by the decoder, by reason */
	uint64_t dropped[LMA_DROP_COUNT];
	uint64_t pba[256]; /* PBAs sent, by status */
	uint64_t upn_sent, upn_retransmitted, upn_acked, upn_gave_up, upa_failed;
	uint64_t upn_refused; /* MAGs that answered a UPN with Binding Error 2 (RFC 7077 §5.2) */
	uint64_t route_failures, tunnel_failures;
	uint64_t tag_failures; /* binding tags the kernel refused to make or remove */
	/* de-registered prefixes whose carrier left: moved to another binding's tunnel, or
	 * unrouted for want of one */
	uint64_t reroutes, reroutes_lost;
	/* de-registered bindings kept past bce-delete-delay by prefix-hold, and those of them
	 * deleted since (hold over, or no other binding left to carry their prefixes) */
	uint64_t holds, holds_ended;
	/* Binding Revocation (RFC 5846): bindings revoked, indications sent, sent again, given up;
	 * acknowledgements by status: success (0, 1), no such binding (128), other failures */
	uint64_t revoked, bri_sent, bri_retransmitted, bri_gave_up;
	uint64_t bra_success, bra_no_binding, bra_failed;
	uint64_t bce_created, bce_deleted, bce_expired, handoffs;
	uint64_t over_limit[3]; /* PBUs refused with 130 by enum lma_limit */
	/* heartbeat (RFC 5847): requests sent, responses matched; MAGs declared unreachable,
	 * answering again, restarted; bindings released for an unreachable MAG, and for a
	 * restarted one that did not re-register them in time (stale) */
	uint64_t hb_requests, hb_responses;
	uint64_t peer_failures, peer_recoveries, peer_restarts;
	uint64_t peer_bindings_failed, stale_bindings_released;
};

/* The max-bindings statements of lmad.conf(5), in the order they are checked. */
enum lma_limit { LMA_LIMIT_TOTAL, LMA_LIMIT_MAG, LMA_LIMIT_MN };

/* The prefix pool: prefixes bound, prefixes at rest remembering their last MN, and bytes used
 * by the release ring and the resting records. */
struct lma_pool_stats {
	uint64_t in_use, resting;
	size_t memory_bytes;
};

struct lma_engine;

struct lma_engine *lma_engine_new(const struct lma_conf *conf, const struct lma_io *io,
                                  size_t expected_bindings);
/* Deletes every binding (routes, tunnels) through io, then frees the engine. */
void lma_engine_free(struct lma_engine *e);
/* Takes a new configuration (SIGHUP); existing bindings stay until they expire or renew, a
 * changed prefix pool serves new sessions, a changed prefix-hold applies to held bindings at
 * the next timer run. The configuration must outlive the engine's use. */
void lma_engine_set_conf(struct lma_engine *e, const struct lma_conf *conf);

/* One received Mobility Header message from src. */
void lma_engine_input(struct lma_engine *e, const struct in6_addr *src, const uint8_t *buf,
                      size_t len, const struct lma_now *now);
/* Flushes queued kernel changes, then sends the queued replies: once per loop iteration. */
void lma_engine_flush(struct lma_engine *e);
uint64_t lma_engine_next_deadline(const struct lma_engine *e);
void lma_engine_run_timers(struct lma_engine *e, const struct lma_now *now);
void lma_engine_route_failed(struct lma_engine *e, uint64_t cookie, int err);

/* Binding Revocation (RFC 5846 §8.1): every binding of the MN is deleted and each of its MAGs
 * told, reliably. Returns how many bindings went, or -1 if the MN has none. */
int lma_engine_revoke_mn(struct lma_engine *e, const char *mn_id, const struct lma_now *now);
/* After lma_engine_set_conf(): the bindings at MAGs the new configuration no longer names are
 * revoked the same way. Returns how many went. */
unsigned lma_engine_revoke_unconfigured(struct lma_engine *e, const struct lma_now *now);

/* The Restart Counter our Heartbeat Responses carry (RFC 5847 §3.4): it must change, and only
 * grow, at every restart of the daemon. */
void lma_engine_set_restart_counter(struct lma_engine *e, uint32_t counter);

/* A MAG's heartbeat state, NULL when it has no binding (nor heartbeat) now. srtt_ns of it is
 * the smoothed round-trip time, 0 before the first response. */
const struct hb_peer *lma_engine_peer(const struct lma_engine *e, const struct in6_addr *mag);
/* True while the engine releases the bindings of a MAG it declared unreachable: the changes
 * io.mn_changed hears of then are failovers. */
bool lma_engine_peer_failing(const struct lma_engine *e);

const struct lma_stats *lma_engine_stats(const struct lma_engine *e);
const struct bc *lma_engine_cache(const struct lma_engine *e);
/* False when there is no prefix pool (static prefixes only). */
bool lma_engine_pool_stats(const struct lma_engine *e, struct lma_pool_stats *out);
const char *lma_drop_name(enum lma_drop d);

/* Prefix leases (lma/leases.h). The change count grows with every allocation, release and
 * reclaim in the pool: the caller saves again when it differs from the one it last saved.
 * Saving writes the pool and the pooled prefixes bound now (0, or -1 if out failed or there is
 * no pool); loading restores into an engine that has allocated nothing yet (leases_read). */
uint64_t lma_engine_lease_changes(const struct lma_engine *e);
int lma_engine_save_leases(const struct lma_engine *e, FILE *out);
int lma_engine_load_leases(struct lma_engine *e, FILE *in, struct leases_report *r);

/* The binding file (lma/bindings.h). The change count grows with every binding made, renewed,
 * moved, de-registered or deleted. Writing puts the header and every active binding, its
 * lifetime as wall-clock times, to out (the caller adds the flows and ends the file). Restoring
 * takes one record into an engine that has no binding yet (after the leases): its routes are
 * queued (lma_engine_flush() sends them), nobody is notified; restore_done then tells io's
 * mn_changed about every MN, for the flow classifier. */
enum lma_restore { LMA_RESTORE_OK, LMA_RESTORE_EXPIRED, LMA_RESTORE_REFUSED };
uint64_t lma_engine_binding_changes(const struct lma_engine *e);
void lma_engine_write_bindings(const struct lma_engine *e, FILE *out, const struct lma_now *now);
enum lma_restore lma_engine_restore_binding(struct lma_engine *e, const struct bind_record *r,
                                            const struct lma_now *now);
void lma_engine_restore_done(struct lma_engine *e);

#endif
