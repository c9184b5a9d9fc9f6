/* engine.h: the MAG's protocol engine (RFC 5213 §6): the binding update list, one entry per
 * attached MN interface, driven by a state machine; Proxy Binding Updates with the MuHo option
 * of draft-bernardos-mif-pmip-02 §5.2.1 for multihomed MNs; PBA validation (§6.9.1.2) with the
 * consequence of every status; retransmission with back-off and refresh; routes for every prefix
 * of the MN (its own and those the LMA lists in MuHo options and Update Notifications, RFC 7077)
 * through the MN's link-local address on its access link, and source rules into the tunnel to
 * the LMA; router advertisements of the MN's own prefixes. No system call: io and clock come in
 * through struct mag_io and arguments, so tests drive it with a mock clock. */
#ifndef MAG_ENGINE_H
#define MAG_ENGINE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "common/heartbeat.h"
#include "common/timer.h"
#include "mag/mag_conf.h"
#include "mag/nd.h"
#include "proto/mh.h"

#define BUL_MAX_PREFIXES 8 /* at most 8: bit masks of uint8_t */

enum bul_state {
	BUL_REGISTERING, /* PBU sent, no acceptance yet */
	BUL_REGISTERED,
	BUL_REFRESHING,    /* registered, a refreshing PBU outstanding */
	BUL_DEREGISTERING, /* lifetime-0 PBU outstanding; routes already gone */
	BUL_HELD,          /* rejected or stalled: RSs ignored until the hold time ends */
	BUL_DETACHED,      /* de-registered: its prefixes remembered for the MN's return */
	BUL_STATE_COUNT
};

enum bul_event {
	BUL_EV_RS, /* a Router Solicitation from the MN on this link */
	BUL_EV_PBA_ACCEPT,
	BUL_EV_PBA_REJECT,
	BUL_EV_TIMEOUT,    /* retransmission, refresh or hold timer */
	BUL_EV_LINK_DOWN,  /* carrier lost on the access link */
	BUL_EV_LINK_UP,    /* carrier back on a point-to-point access link (attach-on-link-up) */
	BUL_EV_DEREGISTER, /* administrative: pmipctl */
	BUL_EV_REVOKE,     /* the LMA revoked the binding (RFC 5846) */
	BUL_EV_REREGISTER, /* the LMA restarted, or answers again after an outage: register now */
	BUL_EV_COUNT
};

struct bul_entry {
	LIST_ENTRY(bul_entry) entry;
	uint64_t id;
	const struct mag_conf_mn *mn; /* refreshed on reload (looked up by id) */
	char mn_id[MH_MNID_MAX + 1];
	uint8_t mac[6];
	unsigned ifindex;
	uint8_t att;
	struct in6_addr mn_ll; /* the MN's link-local address: next hop of its routes */
	enum bul_state state;
	uint16_t seq; /* of the outstanding (or last) PBU */
	uint8_t hi_sent;
	uint64_t ts_sent;
	unsigned tries;
	uint32_t backoff_ms;
	uint32_t lifetime_s; /* granted */
	uint64_t registered_ns;
	uint64_t expires_ns;
	unsigned n_hnp, n_muho;
	struct mh_prefix hnp[BUL_MAX_PREFIXES];  /* its own prefixes: routed, advertised */
	struct mh_prefix muho[BUL_MAX_PREFIXES]; /* its other interfaces' prefixes: routed */
	bool installed;                          /* routes and rules are in the kernel */
	bool ask_all_zero;                       /* after 155: ask for a new prefix */
	/* bit i: hnp[i] / muho[i] routed through this entry (a prefix has one route and one rule
	 * in the kernel, held by one entry of the MAG) */
	uint8_t hnp_on, muho_on;
	uint8_t last_status;
	struct timer timer;    /* retransmission, refresh or hold */
	struct timer ra_timer; /* next unsolicited RA */
	struct mag_engine *e;
};

struct mag_io {
	void *ctx;
	void (*send_mh)(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len);
	void (*send_ra)(void *ctx, unsigned ifindex, const struct in6_addr *dst,
	                const struct nd_ra *ra);
	int (*tunnel_add)(void *ctx, const struct in6_addr *peer, uint32_t *id);
	int (*tunnel_del)(void *ctx, uint32_t id);
	int (*route_add)(void *ctx, const struct mh_prefix *p, const struct in6_addr *ll,
	                 unsigned ifindex, uint64_t cookie);
	int (*route_del)(void *ctx, const struct mh_prefix *p, uint64_t cookie);
	int (*rule_add)(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie);
	int (*rule_del)(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie);
	/* Optional, both or neither: binding tags (engine_tags.c, doc/datapath.md). tag_add makes
	 * packets decapsulated with the tag in their outer flow label take a mark whose table
	 * routes the n prefixes to ll on ifindex; synchronous, 0 or -1 with errno (EOPNOTSUPP:
	 * the tunnel driver cannot read tags). */
	int (*tag_add)(void *ctx, uint32_t tag, const struct mh_prefix *p, unsigned n,
	               const struct in6_addr *ll, unsigned ifindex, uint32_t *mark);
	int (*tag_del)(void *ctx, uint32_t mark);
	/* Whether the wall clock is synchronised (asked only after a 156); NULL: it is. */
	bool (*clock_synced)(void *ctx);
	void (*flush)(void *ctx);
};

struct mag_now {
	uint64_t mono_ns;
	uint64_t real_ns;
};

enum mag_drop {
	MAG_DROP_UNKNOWN_MAC,   /* RS from a MAC no configured MN has */
	MAG_DROP_NOT_ACCESS,    /* RS on an interface that is not an access link */
	MAG_DROP_NOT_FROM_LMA,  /* a Mobility Header message from anyone but the LMA */
	MAG_DROP_PBA_UNMATCHED, /* no outstanding PBU with that MN and sequence number */
	MAG_DROP_PBA_ECHO,      /* echoed MN-ID, HI, ATT or MN-LL-ID differ: entry stalled */
	MAG_DROP_PBA_NO_PREFIX, /* accepted without a usable HNP: retried as if unanswered */
	MAG_DROP_UPN_UNKNOWN_MN,
	MAG_DROP_UNEXPECTED, /* a message type the MAG does not take */
	MAG_DROP_HELD,       /* RS from an MN whose entry is held after a rejection */
	MAG_DROP_NO_MEMORY,
	MAG_DROP_HB_UNMATCHED, /* a Heartbeat Response to no recent request of ours */
	MAG_DROP_COUNT
};

struct mag_stats {
	uint64_t rx[256];
	uint64_t malformed[MH_E_COUNT];
	uint64_t dropped[MAG_DROP_COUNT];
	uint64_t pba[256]; /* PBAs received, by status */
	uint64_t pbu_sent, pbu_retransmitted, dereg_sent, gave_up;
	uint64_t clock_waits; /* retransmissions held after a 156 while the clock is unsynchronised */
	uint64_t rs_received, ra_sent;
	uint64_t upn_received, upa_sent;
	uint64_t upn_repeated; /* retransmissions (flag D) of the last one: answered, not applied */
	uint64_t be_sent;      /* Binding Errors, status 2, for unknown MH types (RFC 6275 §9.2) */
	uint64_t route_failures;
	/* Binding Revocation Indications from the LMA, those naming no binding here (answered
	 * with a failure status), acknowledgements sent, entries torn down by them */
	uint64_t bri_received, bri_unmatched, bra_sent, revoked;
	/* heartbeat (RFC 5847): requests sent, responses matched; the LMA declared unreachable,
	 * answering again, restarted; entries registered again at once for those */
	uint64_t hb_requests, hb_responses;
	uint64_t peer_failures, peer_recoveries, peer_restarts, reregistrations;
	uint64_t tag_failures; /* binding tags the kernel refused to make or remove */
};

struct mag_engine;

struct mag_engine *mag_engine_new(const struct mag_conf *conf, const struct mag_io *io);
/* De-registers every registered entry (one PBU each, no retransmission), removes their routes
 * and the tunnel, frees the engine. */
void mag_engine_free(struct mag_engine *e, const struct mag_now *now);
void mag_engine_set_conf(struct mag_engine *e, const struct mag_conf *conf);
/* Tells the engine the index of an access interface (and its MAC, for RAs). */
void mag_engine_set_access(struct mag_engine *e, const char *ifname, unsigned ifindex,
                           const uint8_t mac[6]);

void mag_engine_rs(struct mag_engine *e, unsigned ifindex, const uint8_t mac[6],
                   const struct in6_addr *src, const struct mag_now *now);
/* The Restart Counter our Heartbeat Responses carry (RFC 5847 §3.4): it must change, and only
 * grow, at every restart of the daemon. */
void mag_engine_set_restart_counter(struct mag_engine *e, uint32_t counter);
void mag_engine_mh_input(struct mag_engine *e, const struct in6_addr *src, const uint8_t *buf,
                         size_t len, const struct mag_now *now);
void mag_engine_link(struct mag_engine *e, unsigned ifindex, bool carrier,
                     const struct mag_now *now);
/* The binding file (mag/bulfile.h). The change count grows whenever an entry's routes are
 * installed or removed: the caller saves again when it differs from the one it saved. Saving
 * writes every registered MN (0, or -1 if out failed). Restoring registers one MN of the file
 * again, as after its return to its link: PBU naming its prefixes with HI 5, routes and an RA
 * once accepted. It needs the MN still configured with that MAC and MN-ID, and its access link
 * with carrier (after magd reported the links' state). */
struct bulfile_record;
enum mag_restore {
	MAG_RESTORE_OK,
	MAG_RESTORE_NOT_SERVED, /* no MN with that MAC and MN-ID in the configuration */
	MAG_RESTORE_NO_LINK,    /* not an access interface now */
	MAG_RESTORE_NO_CARRIER,
	MAG_RESTORE_EXISTS, /* an entry for that MAC already, or leaving */
	MAG_RESTORE_NO_MEMORY,
	MAG_RESTORE_COUNT
};
uint64_t mag_engine_changes(const struct mag_engine *e);
int mag_engine_save(const struct mag_engine *e, FILE *out);
enum mag_restore mag_engine_restore(struct mag_engine *e, const struct bulfile_record *r,
                                    const struct mag_now *now);

/* An orderly exit (RFC 5213 §6.9.1.3 for every MN at once): every entry registered or being
 * registered de-registers, with the usual retransmissions, and from now on RSs and returning
 * carriers are ignored. Returns mag_engine_leaving(): the de-registrations not answered yet,
 * which the caller waits for (bounded) before mag_engine_free(). */
unsigned mag_engine_leave(struct mag_engine *e, const struct mag_now *now);
unsigned mag_engine_leaving(const struct mag_engine *e);
/* Administrative de-registration of every entry of an MN; -1 if it has none. */
int mag_engine_deregister(struct mag_engine *e, const char *mn_id, const struct mag_now *now);

void mag_engine_flush(struct mag_engine *e);
uint64_t mag_engine_next_deadline(const struct mag_engine *e);
void mag_engine_run_timers(struct mag_engine *e, const struct mag_now *now);
void mag_engine_route_failed(struct mag_engine *e, uint64_t cookie, int err);

/* The heartbeat with the LMA (state, round-trip time, Restart Counter). */
const struct hb_peer *mag_engine_peer(const struct mag_engine *e);
const struct mag_stats *mag_engine_stats(const struct mag_engine *e);
/* The binding update list, for show commands. */
const struct bul_entry *mag_engine_first(const struct mag_engine *e);
const struct bul_entry *mag_engine_next(const struct bul_entry *b);
uint32_t mag_engine_tunnel(const struct mag_engine *e);
const char *bul_state_name(enum bul_state s);
const char *mag_drop_name(enum mag_drop d);

/* The mark of the entry's binding tag (engine_tags.c), 0 when it has none. */
uint32_t mag_engine_tag_mark(const struct mag_engine *e, uint64_t bul_id);
/* The same, and the tag itself in *tag (0 when the entry has none). */
uint32_t mag_engine_tag_of(const struct mag_engine *e, uint64_t bul_id, uint32_t *tag);

#endif
