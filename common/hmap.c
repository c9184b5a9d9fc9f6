/* hmap.c: the intrusive hash map of hmap.h, and a seeded 64-bit hash (FNV-1a over the bytes,
 * then a SplitMix64 finaliser so that low bits, which pick the bucket, mix well). */
#include <stdlib.h>
#include <sys/random.h>

#include "common/hmap.h"

static uint64_t hash_seed = 0x9e3779b97f4a7c15ull;

void hash_seed_init(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		hash_seed ^= s;
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t hash_bytes(const void *data, size_t len, uint64_t salt)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ull ^ hash_seed ^ salt;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return mix64(h);
}

bool hmap_init(struct hmap *m, size_t initial_buckets)
{
	size_t n = 16;

	while (n < initial_buckets)
		n <<= 1;
	m->buckets = calloc(n, sizeof(*m->buckets));
	m->mask = n - 1;
	m->count = 0;
	return m->buckets != NULL;
}

void hmap_free(struct hmap *m)
{
	free(m->buckets);
	m->buckets = NULL;
	m->count = 0;
}

static void hmap_grow(struct hmap *m)
{
	size_t n = (m->mask + 1) * 2;
	struct hnode **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* keep working with longer chains */
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
		hmap_grow(m);
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

size_t hmap_memory(const struct hmap *m)
{
	return (m->mask + 1) * sizeof(*m->buckets);
}
