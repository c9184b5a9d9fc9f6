/* pool.h: the Home Network Prefix pool (RFC 5213 §5.3.2: "the LMA MUST allocate ... prefixes
 * that are not in use"): prefixes of one length carved from one configured range, handed out in
 * order and, once released, reused oldest-first so a prefix rests as long as possible before it
 * serves another MN: never-used prefixes go first, then released ones, oldest release first.
 * Whether a candidate is in use elsewhere (a static prefix, a BCE) is asked of the caller.
 *
 * A released prefix remembers the MN-ID that last held it while it rests, so that MN can take
 * it back (a returning interface keeps its addresses, as with a DHCP lease): a resting record
 * per released prefix, in a hash map by index next to the FIFO ring of releases. Taking one
 * back leaves its ring entry behind; entries whose record is gone, or belongs to a later
 * release of the same prefix, are stale and skipped when met, or dropped when the ring fills.
 * The records are bounded: from max_resting records on, allocations take the longest-resting
 * prefix before a never-used one, so under churn of MN-IDs ("mn any") the records stop growing
 * at max_resting plus what was released since; at most, the prefixes once bound at a time. */
#ifndef LMA_POOL_H
#define LMA_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hmap.h"
#include "proto/mh.h"

/* One release: the prefix's index, and the serial of the release it records. */
struct pool_slot {
	uint64_t idx;
	uint64_t serial;
};

struct pool {
	struct mh_prefix range;
	uint8_t alloc_len;
	uint64_t size;              /* prefixes in the range (capped at 2^40) */
	uint64_t next;              /* next never-used index */
	struct pool_slot *released; /* FIFO ring of releases, some stale */
	uint64_t rel_head, rel_count, rel_cap;
	uint64_t serial;     /* of the last release */
	struct hmap resting; /* struct pool_rest by index: released, not allocated since */
	size_t resting_bytes;
	uint64_t in_use;
	uint64_t changes;     /* allocations, releases and reclaims: whether to save leases again */
	uint64_t max_resting; /* from this many resting records on, released prefixes are handed
	                       * out before never-used ones (pool_init: no limit) */
	uint64_t resting_held; /* records restored from "held" leases: not counted against it */
	struct hmap foreign;   /* struct pool_foreign: held leases outside the range */
	size_t foreign_bytes;
};

typedef bool (*pool_busy_fn)(const struct mh_prefix *candidate, void *arg);

bool pool_init(struct pool *p, const struct mh_prefix *range, uint8_t alloc_len);
void pool_free(struct pool *p);
/* Takes a free prefix; busy() vetoes candidates in use elsewhere. False when exhausted. */
bool pool_alloc(struct pool *p, struct mh_prefix *out, pool_busy_fn busy, void *arg);
/* Gives a prefix back, remembering owner, the MN-ID that held it. False, and nothing changes,
 * if it does not belong to the pool (a static prefix), already rests, or memory ran out (the
 * prefix is then lost to the pool until it is rebuilt). A prefix beyond the high-water mark
 * (bound from a pool this one replaced, or restored from a lease file written then) rests like
 * any other: handing out never-used prefixes passes over it. */
bool pool_release(struct pool *p, const struct mh_prefix *pfx, const char *owner);
/* Whether pfx rests in the pool and owner, byte for byte, is the MN-ID that released it. */
bool pool_may_reclaim(const struct pool *p, const struct mh_prefix *pfx, const char *owner);
/* Takes pfx back for owner if pool_may_reclaim() says so. */
bool pool_reclaim(struct pool *p, const struct mh_prefix *pfx, const char *owner);
bool pool_contains(const struct pool *p, const struct mh_prefix *pfx);
/* Gives back index buckets after many resting records went (not from a pool_foreach_*). */
void pool_shrink(struct pool *p);
uint64_t pool_resting(const struct pool *p);

/* Restoring a pool saved by lma/leases.c. pool_next() is the high-water mark: every index below
 * it has been handed out at some time. pool_restore_next() sets it on a pool that has handed out
 * nothing yet (false otherwise, or beyond the pool); then pool_release() puts back, in release
 * order, the prefixes that rested and those that were held, each resting for its MN. */
uint64_t pool_next(const struct pool *p);
bool pool_restore_next(struct pool *p, uint64_t next);
/* pool_release() for a prefix bound when the file was written: its MN's MAG is about to take
 * it back, so max_resting's preference for resting prefixes never hands it to another MN
 * before the never-used ones. A prefix outside the range (bound from a pool a reload replaced)
 * is kept aside for its MN alone to take back (pool_may_reclaim, pool_reclaim); it is never
 * handed out, and is forgotten at the next restart unless taken back. */
bool pool_restore_held(struct pool *p, const struct mh_prefix *pfx, const char *owner);
uint64_t pool_foreign(const struct pool *p);
/* A binding restored after a restart (lma/bindings.h) holds pfx for owner again: taken back if
 * it rests (or is kept aside) for owner, else taken if it belongs to the pool and rests for
 * nobody (a lease file older than the binding file: the caller made sure no binding holds it,
 * and pool_alloc()'s busy() keeps it from being handed out). False if it rests for another MN or
 * is outside the pool. */
bool pool_restore_bound(struct pool *p, const struct mh_prefix *pfx, const char *owner);
/* Calls fn for every resting prefix, the longest at rest first (the order pool_alloc() hands
 * them out in). owner is not NUL-terminated. */
typedef void (*pool_rest_fn)(const struct mh_prefix *pfx, const char *owner, size_t owner_len,
                             void *arg);
void pool_foreach_resting(const struct pool *p, pool_rest_fn fn, void *arg);
/* Bytes the pool uses: the release ring, the resting records and their index. */
size_t pool_memory(const struct pool *p);

#endif
