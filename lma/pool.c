/* pool.c: the prefix pool of pool.h. The index of a prefix is the value of its bits between
 * the range's length and the allocation length. */
#include <stdlib.h>
#include <string.h>

#include "lma/pool.h"

#define POOL_MAX_BITS 40

static uint64_t index_of(const struct pool *p, const struct in6_addr *a)
{
	uint64_t idx = 0;

	for (unsigned bit = p->range.len; bit < p->alloc_len; bit++)
		idx = idx << 1 | ((a->s6_addr[bit / 8] >> (7 - bit % 8)) & 1);
	return idx;
}

static void prefix_at(const struct pool *p, uint64_t idx, struct mh_prefix *out)
{
	out->addr = p->range.addr;
	out->len = p->alloc_len;
	for (unsigned bit = p->alloc_len; bit-- > p->range.len; idx >>= 1) {
		uint8_t mask = (uint8_t)(1u << (7 - bit % 8));

		if (idx & 1)
			out->addr.s6_addr[bit / 8] |= mask;
		else
			out->addr.s6_addr[bit / 8] &= (uint8_t)~mask;
	}
}

bool pool_init(struct pool *p, const struct mh_prefix *range, uint8_t alloc_len)
{
	unsigned bits;

	memset(p, 0, sizeof(*p));
	if (range->len > alloc_len || alloc_len > 128)
		return false;
	bits = alloc_len - range->len;
	p->range = *range;
	p->alloc_len = alloc_len;
	p->size = 1ull << (bits > POOL_MAX_BITS ? POOL_MAX_BITS : bits);
	return true;
}

void pool_free(struct pool *p)
{
	free(p->released);
	p->released = NULL;
}

static bool take_released(struct pool *p, uint64_t *idx)
{
	if (p->rel_count == 0)
		return false;
	*idx = p->released[p->rel_head];
	p->rel_head = (p->rel_head + 1) % p->rel_cap;
	p->rel_count--;
	return true;
}

/* Never-used prefixes first, then the longest-released one. */
static bool take_index(struct pool *p, uint64_t *idx)
{
	if (p->next < p->size) {
		*idx = p->next++;
		return true;
	}
	return take_released(p, idx);
}

bool pool_alloc(struct pool *p, struct mh_prefix *out, pool_busy_fn busy, void *arg)
{
	uint64_t idx, tries = p->size;

	while (tries-- > 0 && take_index(p, &idx)) {
		prefix_at(p, idx, out);
		if (busy && busy(out, arg))
			continue; /* in use as a static prefix: skip it for good */
		p->in_use++;
		return true;
	}
	return false;
}

bool pool_contains(const struct pool *p, const struct mh_prefix *pfx)
{
	struct mh_prefix base;

	if (pfx->len != p->alloc_len)
		return false;
	prefix_at(p, index_of(p, &pfx->addr), &base);
	return memcmp(&base.addr, &pfx->addr, sizeof(base.addr)) == 0 &&
	       index_of(p, &pfx->addr) < p->size;
}

static bool ring_grow(struct pool *p)
{
	uint64_t cap = p->rel_cap ? p->rel_cap * 2 : 1024;
	uint64_t *ring = malloc(cap * sizeof(*ring));

	if (!ring)
		return false;
	for (uint64_t i = 0; i < p->rel_count; i++)
		ring[i] = p->released[(p->rel_head + i) % p->rel_cap];
	free(p->released);
	p->released = ring;
	p->rel_head = 0;
	p->rel_cap = cap;
	return true;
}

bool pool_release(struct pool *p, const struct mh_prefix *pfx)
{
	if (!pool_contains(p, pfx))
		return false;
	if (p->rel_count == p->rel_cap && !ring_grow(p))
		return false;
	p->released[(p->rel_head + p->rel_count) % p->rel_cap] = index_of(p, &pfx->addr);
	p->rel_count++;
	p->in_use--;
	return true;
}
