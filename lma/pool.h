/* pool.h: the Home Network Prefix pool (RFC 5213 §5.3.2: "the LMA MUST allocate ... prefixes
 * that are not in use"): prefixes of one length carved from one configured range, handed out in
 * order and, once released, reused oldest-first so a prefix rests as long as possible before it
 * serves another MN: never-used prefixes go first, then released ones, oldest release first.
 * Whether a candidate is in use elsewhere (a static prefix, a BCE) is asked of the caller. */
#ifndef LMA_POOL_H
#define LMA_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/mh.h"

struct pool {
	struct mh_prefix range;
	uint8_t alloc_len;
	uint64_t size;      /* prefixes in the range (capped at 2^40) */
	uint64_t next;      /* next never-used index */
	uint64_t *released; /* FIFO ring of released indexes */
	uint64_t rel_head, rel_count, rel_cap;
	uint64_t in_use;
};

typedef bool (*pool_busy_fn)(const struct mh_prefix *candidate, void *arg);

bool pool_init(struct pool *p, const struct mh_prefix *range, uint8_t alloc_len);
void pool_free(struct pool *p);
/* Takes a free prefix; busy() vetoes candidates in use elsewhere. False when exhausted. */
bool pool_alloc(struct pool *p, struct mh_prefix *out, pool_busy_fn busy, void *arg);
/* Gives a prefix back; false if it does not belong to the pool (a static prefix). */
bool pool_release(struct pool *p, const struct mh_prefix *pfx);
bool pool_contains(const struct pool *p, const struct mh_prefix *pfx);

#endif
