/* hmap.h: an intrusive chained hash map with power-of-two buckets that doubles when the load
 * passes 1, so lookups stay O(1) from ten bindings to millions, and halves on request
 * (hmap_shrink) once under a quarter full, so a mass de-registration gives its memory back.
 * Callers embed a struct hnode in their records, compute the hash with hash_bytes() (SipHash-2-4
 * keyed per process, so a peer cannot choose keys that collide) and compare keys themselves. */
#ifndef COMMON_HMAP_H
#define COMMON_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint64_t hash;
};

struct hmap {
	struct hnode **buckets;
	size_t mask;     /* n_buckets - 1 */
	size_t min_mask; /* as created: never shrunk below */
	size_t count;
};

#define CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#define HMAP_ENTRY(node, type, member)  CONTAINER_OF(node, type, member)

/* Draws the hash key; before anything builds an index. */
void hash_seed_init(void);
/* Sets the key (16 bytes, as SipHash's reference code takes it): for tests. */
void hash_key_set(const uint8_t key[16]);
/* SipHash-2-4 of data under the process key with salt folded into its first half. */
uint64_t hash_bytes(const void *data, size_t len, uint64_t salt);

bool hmap_init(struct hmap *m, size_t initial_buckets);
void hmap_free(struct hmap *m);
/* Inserts n (n->hash set by the caller); false only if growing failed and the map is full. */
bool hmap_insert(struct hmap *m, struct hnode *n);
void hmap_remove(struct hmap *m, struct hnode *n);
/* Gives buckets back when the map is under a quarter full. Not from inside a walk over the
 * buckets: it moves nodes between them (removal never does, so walks may remove). */
void hmap_shrink(struct hmap *m);
/* First node with this hash, then hmap_next_same() for further ones: callers compare keys. */
struct hnode *hmap_first(const struct hmap *m, uint64_t hash);
struct hnode *hmap_next_same(const struct hnode *n);
size_t hmap_memory(const struct hmap *m);

#endif
