/* hmap.c: the intrusive hash map of hmap.h (linear hashing), and its keyed hash: SipHash-2-4
 * under a key drawn at start, the salt folded into the key so that each index has its own hash
 * family. */
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/hmap.h"
#include "common/siphash.h"

static uint64_t hash_key[2] = { 0x736f6d6570736575ull, 0x646f72616e646f6dull };

/* Without getrandom (a very old kernel), a key from the clock and the pid: weaker, not fixed. */
static void hash_key_fallback(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	hash_key[0] ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	clock_gettime(CLOCK_REALTIME, &ts);
	hash_key[1] ^= (uint64_t)ts.tv_nsec * 0xbf58476d1ce4e5b9ull ^ (uint64_t)ts.tv_sec;
}

void hash_seed_init(void)
{
	uint64_t k[2];

	/* blocks only until the kernel's pool is first initialised, early at boot */
	if (getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k)) {
		hash_key_fallback();
		return;
	}
	hash_key[0] = k[0];
	hash_key[1] = k[1];
}

void hash_key_set(const uint8_t key[16])
{
	hash_key[0] = hash_key[1] = 0;
	for (unsigned i = 0; i < 8; i++) {
		hash_key[0] |= (uint64_t)key[i] << (8 * i);
		hash_key[1] |= (uint64_t)key[8 + i] << (8 * i);
	}
}

uint64_t hash_bytes(const void *data, size_t len, uint64_t salt)
{
	return siphash24(hash_key[0] ^ salt, hash_key[1], data, len);
}

bool hmap_init(struct hmap *m, size_t initial_buckets)
{
	size_t n = 16;

	while (n < initial_buckets)
		n <<= 1;
	m->buckets = calloc(n, sizeof(*m->buckets));
	m->cap = m->buckets ? n : 0;
	m->last = m->low_mask = m->min_last = n - 1;
	m->split = 0;
	m->count = 0;
	return m->buckets != NULL;
}

void hmap_free(struct hmap *m)
{
	free(m->buckets);
	m->buckets = NULL;
	m->cap = 0;
	m->count = 0;
}

/* The bucket of a hash: by the low bits, or one more bit where that bucket was split. */
static size_t hmap_index(const struct hmap *m, uint64_t hash)
{
	size_t i = (size_t)hash & m->low_mask;

	return i < m->split ? (size_t)hash & (2 * m->low_mask + 1) : i;
}

/* Room for buckets[0..n - 1]: the array doubles, so a table of n buckets copied it O(n) times
 * in all (realloc moves a large block's pages rather than copy them). */
static bool hmap_room(struct hmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;
	struct hnode **b;

	while (cap < n)
		cap *= 2;
	if (cap == m->cap)
		return true;
	if ((b = realloc(m->buckets, cap * sizeof(*b))) == NULL)
		return false;
	m->buckets = b;
	m->cap = cap;
	return true;
}

/* One bucket more: the nodes of bucket `split` whose next hash bit is set move to the new one. */
static bool hmap_split_one(struct hmap *m)
{
	size_t from = m->split, to = from + m->low_mask + 1, wide = 2 * m->low_mask + 1;
	struct hnode **p, *n;

	if (!hmap_room(m, to + 1))
		return false; /* keep working with longer chains */
	m->buckets[to] = NULL;
	for (p = &m->buckets[from]; (n = *p) != NULL;) {
		if (((size_t)n->hash & wide) == to) {
			*p = n->next;
			n->next = m->buckets[to];
			m->buckets[to] = n;
		} else {
			p = &n->next;
		}
	}
	m->last = to;
	if (++m->split > m->low_mask) {
		m->low_mask = wide;
		m->split = 0;
	}
	return true;
}

/* One bucket less: the last one's nodes go back to the bucket it was split from. */
static void hmap_merge_one(struct hmap *m)
{
	struct hnode **tail;

	if (m->split == 0) {
		m->low_mask >>= 1;
		m->split = m->low_mask + 1;
	}
	m->split--;
	for (tail = &m->buckets[m->split]; *tail; tail = &(*tail)->next)
		;
	*tail = m->buckets[m->last];
	m->buckets[m->last--] = NULL;
}

/* The node goes to its bucket; past a load of 3/4 the next bucket in order is split (two at
 * times, as 4/3 of a bucket is due per node). */
bool hmap_insert(struct hmap *m, struct hnode *n)
{
	struct hnode **head = &m->buckets[hmap_index(m, n->hash)];

	n->next = *head;
	*head = n;
	++m->count;
	while (4 * m->count > 3 * (m->last + 1) && hmap_split_one(m))
		;
	return true;
}

void hmap_remove(struct hmap *m, struct hnode *n)
{
	struct hnode **p = &m->buckets[hmap_index(m, n->hash)];

	for (; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			n->next = NULL;
			m->count--;
			return;
		}
	}
}

static struct hnode *same_hash(struct hnode *n, uint64_t hash)
{
	while (n && n->hash != hash)
		n = n->next;
	return n;
}

struct hnode *hmap_first(const struct hmap *m, uint64_t hash)
{
	return same_hash(m->buckets[hmap_index(m, hash)], hash);
}

struct hnode *hmap_next_same(const struct hnode *n)
{
	return same_hash(n->next, n->hash);
}

/* Merges buckets until the table is at least half full (a merge is one bucket's chain, so a
 * shrink and the growth after it cost what the removals and insertions did, and cannot thrash);
 * the array goes down to the power of two that holds what is left once it is four times that. */
void hmap_shrink(struct hmap *m)
{
	size_t cap = 16;
	struct hnode **b;

	while (m->last > m->min_last && 2 * m->count < m->last + 1)
		hmap_merge_one(m);
	while (cap < m->last + 1)
		cap *= 2;
	if (m->cap >= 4 * cap && (b = realloc(m->buckets, cap * sizeof(*b))) != NULL) {
		m->buckets = b;
		m->cap = cap;
	}
}

size_t hmap_memory(const struct hmap *m)
{
	return m->cap * sizeof(*m->buckets);
}
