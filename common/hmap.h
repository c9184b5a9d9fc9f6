/* hmap.h: an intrusive chained hash map that grows by linear hashing (Litwin, 1980): an
 * insertion that takes the load past 3/4 splits a bucket, so the table grows a bucket at a
 * time, lookups stay O(1) from ten bindings to millions, and no insertion ever pays for moving
 * the whole table (which stalled lmad for a quarter of a second near 2^19 bindings). It shrinks
 * on request (hmap_shrink) to half full, so a mass de-registration gives its memory back.
 * Callers embed a struct hnode in their records, compute the hash with hash_bytes() (SipHash-2-4
 * keyed per process, so a peer cannot choose keys that collide) and compare keys themselves.
 * A walk visits buckets[0] to buckets[last]; removal never moves a node, so a walk may remove;
 * insertion may (one bucket's nodes), so a walk must not insert. */
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
	size_t last;     /* the last bucket's index: buckets[0..last] hold the nodes */
	size_t low_mask; /* 2^L - 1: 2^L buckets and `split` more, so last = low_mask + split */
	size_t split;    /* next bucket to split; those below it are split already */
	size_t cap;      /* room in buckets[] */
	size_t min_last; /* as created: never shrunk below */
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
/* Inserts n (n->hash set by the caller); always true (a split that finds no memory leaves the
 * chains longer). */
bool hmap_insert(struct hmap *m, struct hnode *n);
void hmap_remove(struct hmap *m, struct hnode *n);
/* Gives buckets back while the map is under half full. Not from inside a walk over the
 * buckets: it moves nodes between them (removal never does, so walks may remove). */
void hmap_shrink(struct hmap *m);
/* First node with this hash, then hmap_next_same() for further ones: callers compare keys. */
struct hnode *hmap_first(const struct hmap *m, uint64_t hash);
struct hnode *hmap_next_same(const struct hnode *n);
size_t hmap_memory(const struct hmap *m);

#endif
