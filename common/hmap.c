/* hmap.c: the intrusive hash map of hmap.h, and its keyed hash: SipHash-2-4 under a key drawn
 * at start, the salt folded into the key so that each index has its own hash family. */
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
	m->mask = n - 1;
	m->min_mask = n - 1;
	m->count = 0;
	return m->buckets != NULL;
}

void hmap_free(struct hmap *m)
{
	free(m->buckets);
	m->buckets = NULL;
	m->count = 0;
}

/* Moves every node to a table of n buckets; keeps the old one if memory is short. */
static void hmap_rehash(struct hmap *m, size_t n)
{
	struct hnode **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* keep working with longer chains, or more buckets */
	for (size_t i = 0; i <= m->mask; i++) {
		struct hnode *node = m->buckets[i], *next;

		for (; node; node = next) {
			next = node->next;
			node->next = b[node->hash & (n - 1)];
			b[node->hash & (n - 1)] = node;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->mask = n - 1;
}

bool hmap_insert(struct hmap *m, struct hnode *n)
{
	struct hnode **head;

	if (m->count > m->mask)
		hmap_rehash(m, (m->mask + 1) * 2);
	head = &m->buckets[n->hash & m->mask];
	n->next = *head;
	*head = n;
	m->count++;
	return true;
}

void hmap_remove(struct hmap *m, struct hnode *n)
{
	struct hnode **p = &m->buckets[n->hash & m->mask];

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
	return same_hash(m->buckets[hash & m->mask], hash);
}

struct hnode *hmap_next_same(const struct hnode *n)
{
	return same_hash(n->next, n->hash);
}

/* Halving at a quarter full, to half full: a shrink and the next growth are each paid for by
 * as many removals or insertions as the table has nodes, so neither can thrash. */
void hmap_shrink(struct hmap *m)
{
	size_t n = m->mask + 1;

	if (n <= m->min_mask + 1 || m->count >= n / 4)
		return;
	while (n / 2 > m->min_mask && m->count < n / 4)
		n /= 2;
	hmap_rehash(m, n);
}

size_t hmap_memory(const struct hmap *m)
{
	return (m->mask + 1) * sizeof(*m->buckets);
}
