/* pool.c: the prefix pool of pool.h. The index of a prefix is the value of its bits between
 * the range's length and the allocation length. */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "lma/pool.h"

#define POOL_MAX_BITS 40
#define RING_MIN      1024

/* A released prefix at rest: the MN-ID that held it last, and the release that put it here
 * (its live entry in the ring carries the same serial). */
struct pool_rest {
	struct hnode node; /* in pool.resting */
	uint64_t idx;
	uint64_t serial;
	bool held; /* bound when the lease file was written: outside max_resting's count */
	size_t owner_len;
	char owner[]; /* not NUL-terminated */
};

/* A held lease outside the range: its prefix, for its MN alone. */
struct pool_foreign {
	struct hnode node; /* in pool.foreign */
	struct mh_prefix pfx;
	size_t owner_len;
	char owner[];
};

/* An address as a 128-bit number in two halves, for the index arithmetic (no __int128: 32-bit
 * targets lack it). */
struct bits128 {
	uint64_t hi, lo;
};

static struct bits128 bits_of(const struct in6_addr *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a->s6_addr, 8);
	memcpy(&lo, a->s6_addr + 8, 8);
	return (struct bits128){ be64toh(hi), be64toh(lo) };
}

static void bits_to(struct in6_addr *a, struct bits128 b)
{
	uint64_t hi = htobe64(b.hi), lo = htobe64(b.lo);

	memcpy(a->s6_addr, &hi, 8);
	memcpy(a->s6_addr + 8, &lo, 8);
}

static struct bits128 bits_shl(struct bits128 b, unsigned s)
{
	if (s == 0)
		return b;
	if (s >= 128)
		return (struct bits128){ 0, 0 };
	if (s >= 64)
		return (struct bits128){ b.lo << (s - 64), 0 };
	return (struct bits128){ b.hi << s | b.lo >> (64 - s), b.lo << s };
}

static struct bits128 bits_shr(struct bits128 b, unsigned s)
{
	if (s == 0)
		return b;
	if (s >= 128)
		return (struct bits128){ 0, 0 };
	if (s >= 64)
		return (struct bits128){ 0, b.hi >> (s - 64) };
	return (struct bits128){ b.hi >> s, b.lo >> s | b.hi << (64 - s) };
}

/* The index's bits in an address: from the range's length to the allocation length. */
static struct bits128 index_mask(const struct pool *p)
{
	unsigned n = p->alloc_len - p->range.len;
	struct bits128 ones = { n >= 128 ? ~0ull : n > 64 ? (1ull << (n - 64)) - 1 : 0,
		                n >= 64 ? ~0ull : (1ull << n) - 1 };

	return bits_shl(ones, 128 - p->alloc_len);
}

static uint64_t index_of(const struct pool *p, const struct in6_addr *a)
{
	struct bits128 b = bits_of(a), m = index_mask(p);

	return bits_shr((struct bits128){ b.hi & m.hi, b.lo & m.lo }, 128 - p->alloc_len).lo;
}

/* The prefix of index idx: the range's address with idx in the index's bits. */
static void prefix_at(const struct pool *p, uint64_t idx, struct mh_prefix *out)
{
	struct bits128 r = bits_of(&p->range.addr), m = index_mask(p);
	struct bits128 i = bits_shl((struct bits128){ 0, idx }, 128 - p->alloc_len);

	bits_to(&out->addr, (struct bits128){ (r.hi & ~m.hi) | (i.hi & m.hi),
		                              (r.lo & ~m.lo) | (i.lo & m.lo) });
	out->len = p->alloc_len;
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
	p->max_resting = UINT64_MAX;
	return hmap_init(&p->resting, 16) && hmap_init(&p->foreign, 16);
}

static uint64_t idx_hash(uint64_t idx)
{
	return hash_bytes(&idx, sizeof(idx), 0);
}

static size_t rest_size(size_t owner_len)
{
	return sizeof(struct pool_rest) + owner_len;
}

static struct pool_rest *rest_find(const struct pool *p, uint64_t idx)
{
	for (struct hnode *n = hmap_first(&p->resting, idx_hash(idx)); n; n = hmap_next_same(n)) {
		struct pool_rest *r = HMAP_ENTRY(n, struct pool_rest, node);

		if (r->idx == idx)
			return r;
	}
	return NULL;
}

static void rest_drop(struct pool *p, struct pool_rest *r)
{
	if (r->held)
		p->resting_held--;
	hmap_remove(&p->resting, &r->node);
	p->resting_bytes -= rest_size(r->owner_len);
	free(r);
}

/* The resting record a ring entry stands for; NULL if the entry is stale (taken back since, or
 * released again later: the record then carries a later serial). */
static struct pool_rest *slot_rest(const struct pool *p, const struct pool_slot *s)
{
	struct pool_rest *r = rest_find(p, s->idx);

	return r && r->serial == s->serial ? r : NULL;
}

static uint64_t pfx_hash(const struct mh_prefix *pfx)
{
	return hash_bytes(&pfx->addr, sizeof(pfx->addr), 0x666f72 + pfx->len);
}

static struct pool_foreign *foreign_find(const struct pool *p, const struct mh_prefix *pfx)
{
	for (struct hnode *n = hmap_first(&p->foreign, pfx_hash(pfx)); n; n = hmap_next_same(n)) {
		struct pool_foreign *f = HMAP_ENTRY(n, struct pool_foreign, node);

		if (mh_prefix_equal(&f->pfx, pfx))
			return f;
	}
	return NULL;
}

static void foreign_drop(struct pool *p, struct pool_foreign *f)
{
	hmap_remove(&p->foreign, &f->node);
	p->foreign_bytes -= sizeof(*f) + f->owner_len;
	free(f);
}

static bool foreign_add(struct pool *p, const struct mh_prefix *pfx, const char *owner)
{
	size_t len = strlen(owner);
	struct pool_foreign *f;

	if (foreign_find(p, pfx) || !(f = malloc(sizeof(*f) + len)))
		return false;
	f->pfx = *pfx;
	f->owner_len = len;
	memcpy(f->owner, owner, len);
	f->node.hash = pfx_hash(pfx);
	hmap_insert(&p->foreign, &f->node);
	p->foreign_bytes += sizeof(*f) + len;
	return true;
}

static struct pool_foreign *foreign_of(const struct pool *p, const struct mh_prefix *pfx,
                                       const char *owner)
{
	struct pool_foreign *f = foreign_find(p, pfx);
	size_t len = strlen(owner);

	return f && f->owner_len == len && memcmp(f->owner, owner, len) == 0 ? f : NULL;
}

uint64_t pool_foreign(const struct pool *p)
{
	return p->foreign.count;
}

void pool_free(struct pool *p)
{
	for (size_t i = 0; p->foreign.buckets && i <= p->foreign.last; i++)
		while (p->foreign.buckets[i])
			foreign_drop(p,
			             HMAP_ENTRY(p->foreign.buckets[i], struct pool_foreign, node));
	hmap_free(&p->foreign);
	for (size_t i = 0; p->resting.buckets && i <= p->resting.last; i++)
		while (p->resting.buckets[i])
			rest_drop(p, HMAP_ENTRY(p->resting.buckets[i], struct pool_rest, node));
	hmap_free(&p->resting);
	free(p->released);
	p->released = NULL;
	p->rel_head = p->rel_count = p->rel_cap = 0;
}

/* The oldest release still at rest: entries of prefixes taken back since are passed over. */
static bool take_released(struct pool *p, uint64_t *idx)
{
	while (p->rel_count > 0) {
		struct pool_slot s = p->released[p->rel_head];
		struct pool_rest *r = slot_rest(p, &s);

		p->rel_head = (p->rel_head + 1) % p->rel_cap;
		p->rel_count--;
		if (!r)
			continue;
		rest_drop(p, r);
		*idx = s.idx;
		return true;
	}
	return false;
}

/* Never-used prefixes first, then the longest-released one; the other way round once the
 * resting records reach their bound. */
static bool take_index(struct pool *p, uint64_t *idx)
{
	if (p->resting.count - p->resting_held >= p->max_resting && take_released(p, idx))
		return true;
	while (p->next < p->size) {
		*idx = p->next++;
		if (!rest_find(p, *idx))
			return true; /* else it rests beyond the mark: its turn is in the ring */
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
		p->changes++;
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

/* Room for one more release. When stale entries are at least half the full ring, they are
 * dropped and the ring keeps its size, else it doubles: either way the copy is paid for by the
 * releases since the last one, so a release costs O(1) amortized, and the ring grows only when
 * more than half of it is prefixes at rest. */
static bool ring_make_room(struct pool *p)
{
	uint64_t cap = p->rel_cap == 0                      ? RING_MIN
	               : p->resting.count <= p->rel_cap / 2 ? p->rel_cap
	                                                    : p->rel_cap * 2;
	struct pool_slot *ring = malloc(cap * sizeof(*ring));
	uint64_t n = 0;

	if (!ring)
		return false;
	for (uint64_t i = 0; i < p->rel_count; i++) {
		const struct pool_slot *s = &p->released[(p->rel_head + i) % p->rel_cap];

		if (slot_rest(p, s))
			ring[n++] = *s;
	}
	free(p->released);
	p->released = ring;
	p->rel_head = 0;
	p->rel_count = n;
	p->rel_cap = cap;
	return true;
}

static struct pool_rest *rest_new(struct pool *p, uint64_t idx, const char *owner, size_t len)
{
	struct pool_rest *r = malloc(rest_size(len));

	if (!r)
		return NULL;
	r->idx = idx;
	r->held = false;
	r->serial = ++p->serial;
	r->owner_len = len;
	memcpy(r->owner, owner, len);
	r->node.hash = idx_hash(idx);
	hmap_insert(&p->resting, &r->node);
	p->resting_bytes += rest_size(len);
	return r;
}

bool pool_release(struct pool *p, const struct mh_prefix *pfx, const char *owner)
{
	struct pool_rest *r;
	uint64_t idx;

	if (!pool_contains(p, pfx))
		return false;
	idx = index_of(p, &pfx->addr);
	if (rest_find(p, idx))
		return false; /* already at rest: a second copy would be given to two MNs */
	if (p->rel_count == p->rel_cap && !ring_make_room(p))
		return false;
	r = rest_new(p, idx, owner, strlen(owner));
	if (!r)
		return false;
	p->released[(p->rel_head + p->rel_count) % p->rel_cap] =
	        (struct pool_slot){ .idx = idx, .serial = r->serial };
	p->rel_count++;
	if (p->in_use > 0) /* not counted if it came from a pool this one replaced */
		p->in_use--;
	p->changes++;
	return true;
}

bool pool_restore_held(struct pool *p, const struct mh_prefix *pfx, const char *owner)
{
	struct pool_rest *r;

	if (!pool_contains(p, pfx)) /* of the pool's length only: the file is not trusted */
		return pfx->len == p->alloc_len && foreign_add(p, pfx, owner);
	if (!pool_release(p, pfx, owner))
		return false;
	r = rest_find(p, index_of(p, &pfx->addr));
	r->held = true;
	p->resting_held++;
	return true;
}

static struct pool_rest *rest_of(const struct pool *p, const struct mh_prefix *pfx,
                                 const char *owner)
{
	size_t len = strlen(owner);
	struct pool_rest *r;

	if (!pool_contains(p, pfx))
		return NULL;
	r = rest_find(p, index_of(p, &pfx->addr));
	if (!r || r->owner_len != len || memcmp(r->owner, owner, len) != 0)
		return NULL;
	return r;
}

bool pool_may_reclaim(const struct pool *p, const struct mh_prefix *pfx, const char *owner)
{
	return rest_of(p, pfx, owner) != NULL || foreign_of(p, pfx, owner) != NULL;
}

/* Its ring entry stays, stale: found again by take_released() or ring_make_room(). */
bool pool_reclaim(struct pool *p, const struct mh_prefix *pfx, const char *owner)
{
	struct pool_rest *r = rest_of(p, pfx, owner);
	struct pool_foreign *f;

	if (!r && (f = foreign_of(p, pfx, owner))) {
		foreign_drop(p, f); /* bound again; outside the range, not counted in use */
		p->changes++;
		return true;
	}
	if (!r)
		return false;
	rest_drop(p, r);
	p->in_use++;
	p->changes++;
	return true;
}

bool pool_restore_bound(struct pool *p, const struct mh_prefix *pfx, const char *owner)
{
	if (pool_may_reclaim(p, pfx, owner))
		return pool_reclaim(p, pfx, owner);
	if (!pool_contains(p, pfx) || rest_find(p, index_of(p, &pfx->addr)))
		return false; /* outside the pool and not kept aside, or resting for another MN */
	p->in_use++;
	p->changes++;
	return true;
}

void pool_shrink(struct pool *p)
{
	hmap_shrink(&p->resting);
}

uint64_t pool_resting(const struct pool *p)
{
	return p->resting.count;
}

size_t pool_memory(const struct pool *p)
{
	return p->rel_cap * sizeof(*p->released) + hmap_memory(&p->resting) + p->resting_bytes +
	       hmap_memory(&p->foreign) + p->foreign_bytes;
}

uint64_t pool_next(const struct pool *p)
{
	return p->next;
}

bool pool_restore_next(struct pool *p, uint64_t next)
{
	if (p->next != 0 || p->resting.count != 0 || p->in_use != 0 || next > p->size)
		return false;
	p->next = next;
	p->changes++;
	return true;
}

void pool_foreach_resting(const struct pool *p, pool_rest_fn fn, void *arg)
{
	struct mh_prefix pfx;

	for (uint64_t i = 0; i < p->rel_count; i++) {
		const struct pool_slot *s = &p->released[(p->rel_head + i) % p->rel_cap];
		const struct pool_rest *r = slot_rest(p, s);

		if (!r)
			continue;
		prefix_at(p, r->idx, &pfx);
		fn(&pfx, r->owner, r->owner_len, arg);
	}
}
