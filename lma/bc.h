/* bc.h: the LMA's binding cache (RFC 5213 §5.1) grouped by MN-ID as draft-bernardos-mif-pmip-02
 * §5.2.2 describes: one binding cache entry (BCE) per attached interface of an MN, all BCEs of one
 * MN-ID hanging off one MN entry (the draft's "MuHo entry"), so that from any BCE or any prefix
 * all the MN's prefixes are found in constant time. Hash indexes by MN-ID, by (MN, link-layer
 * ID), by prefix and by Proxy-CoA (the MAG). Pure data structure: no system calls. */
#ifndef LMA_BC_H
#define LMA_BC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "common/heartbeat.h"
#include "common/hmap.h"
#include "common/timer.h"
#include "proto/mh.h"

#define BCE_MAX_PREFIXES 4

struct lma_mn;
struct lma_mag;
struct mn_pending; /* lma/engine_int.h */

enum bce_state {
	BCE_ACTIVE,     /* registered: routes point at its MAG */
	BCE_DEREG_WAIT, /* de-registered: kept MinDelayBeforeBCEDelete for a re-registration */
};

struct bce_prefix {
	struct hnode node; /* in bc.by_prefix */
	struct bce *bce;
	struct mh_prefix p;
	bool pooled; /* allocated from the pool, goes back to it */
};

struct bce {
	uint64_t id; /* stable, for pmipctl and kernel request cookies */
	struct lma_mn *mn;
	LIST_ENTRY(bce) mn_entry;
	struct lma_mag *mag;
	LIST_ENTRY(bce) mag_entry;
	struct hnode id_node;   /* in bc.by_id */
	struct hnode llid_node; /* in bc.by_llid, when llid_len > 0 */
	enum bce_state state;
	uint8_t llid_len;
	uint8_t llid[MH_LLID_MAX];
	uint8_t att;
	uint8_t hi;
	bool muho; /* its MAG asked for the MN's other prefixes */
	bool have_lla;
	bool rerouted;       /* de-registered, its prefixes routed through another binding */
	uint32_t via_tunnel; /* rerouted: the tunnel its prefixes go through */
	bool held;           /* past the delete delay, kept by prefix-hold (lmad.conf(5)) */
	uint64_t dereg_ns;   /* monotonic time of its de-registration */
	bool reject_pending; /* a route refused on the spot: rejected at the flush */
	bool stale;          /* its MAG restarted and it has not re-registered since (lma/peer.c) */
	bool shared;         /* RFC 7864 (HI 6): shares the prefixes of the MN's other sessions */
	uint32_t tag_mark;   /* its binding tag's mark (engine_tags.c), 0: none */
	uint32_t tag_tunnel; /* the tunnel that mark goes through */
	uint32_t tag;        /* the tag it was made for (its link-layer ID and ATT may change) */
	LIST_ENTRY(bce) reject_entry;
	uint8_t n_prefix;
	struct bce_prefix prefix[BCE_MAX_PREFIXES];
	struct in6_addr lla; /* the MAG's link-local address on the access link (§6.8) */
	uint32_t lifetime_s;
	uint64_t registered_ns; /* monotonic time of the last accepted registration */
	uint64_t expires_ns;
	bool have_replay; /* replay state below is valid */
	uint64_t last_timestamp;
	uint16_t last_seq;
	struct timer timer; /* lifetime expiry, or the delete delay after de-registration */
};

/* The MN entry: every BCE of one MN-ID. */
struct lma_mn {
	struct hnode node; /* in bc.by_mn */
	LIST_HEAD(, bce) bces;
	unsigned n_bce;
	struct mn_pending *upn;    /* engine's pending Update Notifications for this MN */
	struct mn_pending *revoke; /* engine's outstanding Binding Revocation Indications */
	uint8_t id_len;
	char id[]; /* NUL-terminated NAI */
};

/* A MAG by its Proxy-CoA, with the tunnel all its BCEs share. */
struct lma_mag {
	struct hnode node; /* in bc.by_mag */
	struct in6_addr addr;
	LIST_HEAD(, bce) bces;
	unsigned n_bce;
	uint32_t tunnel;      /* kernel tunnel id, 0 while none */
	bool release_pending; /* on the engine's list of tunnels to remove after the flush */
	bool upn_refused;     /* answered an Update Notification with Binding Error 2 */
	struct hb_peer hb;    /* heartbeat with it (RFC 5847), while it has bindings */
	uint64_t stale_until; /* restarted: its stale bindings go at this time; 0: none */
	LIST_ENTRY(lma_mag) release_entry;
};

struct bc {
	struct hmap by_id;
	struct hmap by_mn;
	struct hmap by_llid;
	struct hmap by_prefix;
	struct hmap by_mag;
	uint64_t next_id;
	size_t n_bce;
	size_t n_mn;
	size_t entry_bytes; /* MN and MAG entries */
};

bool bc_init(struct bc *bc, size_t expected_bindings);
/* Frees every entry; the caller has already undone their kernel state. */
void bc_free(struct bc *bc);

struct lma_mn *bc_mn_find(const struct bc *bc, const char *id, size_t len);
struct lma_mn *bc_mn_get(struct bc *bc, const char *id, size_t len); /* find or create */
/* Frees the MN entry once it has no BCE left, nor notification or revocation outstanding. */
void bc_mn_put(struct bc *bc, struct lma_mn *mn);

struct lma_mag *bc_mag_find(const struct bc *bc, const struct in6_addr *addr);
struct lma_mag *bc_mag_get(struct bc *bc, const struct in6_addr *addr);
void bc_mag_put(struct bc *bc, struct lma_mag *mag);

/* A new BCE for mn at mag (no prefixes yet); NULL on allocation failure. */
struct bce *bc_bce_new(struct bc *bc, struct lma_mn *mn, struct lma_mag *mag, const uint8_t *llid,
                       uint8_t llid_len);
/* Gives b the id it had before a restart (not one in use: the caller checks); later bindings
 * get higher ones. */
void bc_bce_set_id(struct bc *bc, struct bce *b, uint64_t id);
void bc_bce_free(struct bc *bc, struct bce *b);
void bc_bce_move(struct bc *bc, struct bce *b, struct lma_mag *to);
/* Gives b another MN link-layer identifier (a session taken over by another interface). */
void bc_bce_set_llid(struct bc *bc, struct bce *b, const uint8_t *llid, uint8_t len);
/* Adds a prefix to b and to the prefix index; false if b is full. */
bool bc_bce_add_prefix(struct bc *bc, struct bce *b, const struct mh_prefix *p, bool pooled);
/* Moves every prefix of from to to (a session sharing them takes them over); false, and
 * nothing moved, if to has no room. */
bool bc_bce_take_prefixes(struct bc *bc, struct bce *to, struct bce *from);
struct bce *bc_bce_by_llid(const struct bc *bc, const struct lma_mn *mn, const uint8_t *llid,
                           uint8_t len);
struct bce *bc_bce_by_prefix(const struct bc *bc, const struct mh_prefix *p);
struct bce *bc_bce_by_id(const struct bc *bc, uint64_t id);
/* Another active binding of b's MN at b's MAG: two interfaces of the MN behind one tunnel. */
bool bc_bce_has_sibling(const struct bce *b);
/* Whether b holds exactly the prefixes listed (same count, same set). */
bool bc_bce_same_prefixes(const struct bce *b, const struct mh_prefix *p, unsigned n);
/* Gives index buckets back after many bindings went; not during a walk over an index. */
void bc_shrink(struct bc *bc);
/* Bytes the cache uses: entries and index buckets (for the memory-per-binding benchmark). */
size_t bc_memory(const struct bc *bc);

#endif
