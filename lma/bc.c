/* bc.c: the binding cache of bc.h: entries and their four hash indexes. */
#include <stdlib.h>
#include <string.h>

#include "lma/bc.h"

/* Salts keep the indexes' hash families apart. */
enum { SALT_ID = 1, SALT_MN, SALT_LLID, SALT_PREFIX, SALT_MAG };

bool bc_init(struct bc *bc, size_t expected)
{
	memset(bc, 0, sizeof(*bc));
	bc->next_id = 1;
	return hmap_init(&bc->by_id, expected) && hmap_init(&bc->by_mn, expected) &&
	       hmap_init(&bc->by_llid, expected) && hmap_init(&bc->by_prefix, expected) &&
	       hmap_init(&bc->by_mag, 16);
}

static uint64_t id_hash(uint64_t id)
{
	return hash_bytes(&id, sizeof(id), SALT_ID);
}

static uint64_t mn_hash(const char *id, size_t len)
{
	return hash_bytes(id, len, SALT_MN);
}

static uint64_t llid_hash(const struct lma_mn *mn, const uint8_t *llid, uint8_t len)
{
	/* the MN entry's address identifies the MN: cheaper than hashing its NAI again */
	return hash_bytes(llid, len, SALT_LLID ^ (uint64_t)(uintptr_t)mn);
}

static uint64_t prefix_hash(const struct mh_prefix *p)
{
	return hash_bytes(&p->addr, sizeof(p->addr), SALT_PREFIX + p->len);
}

static uint64_t mag_hash(const struct in6_addr *a)
{
	return hash_bytes(a, sizeof(*a), SALT_MAG);
}

struct lma_mn *bc_mn_find(const struct bc *bc, const char *id, size_t len)
{
	uint64_t h = mn_hash(id, len);

	for (struct hnode *n = hmap_first(&bc->by_mn, h); n; n = hmap_next_same(n)) {
		struct lma_mn *mn = HMAP_ENTRY(n, struct lma_mn, node);

		if (mn->id_len == len && memcmp(mn->id, id, len) == 0)
			return mn;
	}
	return NULL;
}

struct lma_mn *bc_mn_get(struct bc *bc, const char *id, size_t len)
{
	struct lma_mn *mn = bc_mn_find(bc, id, len);

	if (mn || len > MH_MNID_MAX)
		return mn;
	mn = calloc(1, sizeof(*mn) + len + 1);
	if (!mn)
		return NULL;
	memcpy(mn->id, id, len);
	mn->id_len = (uint8_t)len;
	LIST_INIT(&mn->bces);
	mn->node.hash = mn_hash(id, len);
	hmap_insert(&bc->by_mn, &mn->node);
	bc->n_mn++;
	bc->entry_bytes += sizeof(*mn) + len + 1;
	return mn;
}

void bc_mn_put(struct bc *bc, struct lma_mn *mn)
{
	if (mn->n_bce > 0 || mn->upn || mn->revoke)
		return;
	hmap_remove(&bc->by_mn, &mn->node);
	bc->n_mn--;
	bc->entry_bytes -= sizeof(*mn) + mn->id_len + 1;
	free(mn);
}

struct lma_mag *bc_mag_find(const struct bc *bc, const struct in6_addr *addr)
{
	uint64_t h = mag_hash(addr);

	for (struct hnode *n = hmap_first(&bc->by_mag, h); n; n = hmap_next_same(n)) {
		struct lma_mag *mag = HMAP_ENTRY(n, struct lma_mag, node);

		if (memcmp(&mag->addr, addr, sizeof(*addr)) == 0)
			return mag;
	}
	return NULL;
}

struct lma_mag *bc_mag_get(struct bc *bc, const struct in6_addr *addr)
{
	struct lma_mag *mag = bc_mag_find(bc, addr);

	if (mag)
		return mag;
	mag = calloc(1, sizeof(*mag));
	if (!mag)
		return NULL;
	mag->addr = *addr;
	LIST_INIT(&mag->bces);
	mag->node.hash = mag_hash(addr);
	hmap_insert(&bc->by_mag, &mag->node);
	bc->entry_bytes += sizeof(*mag);
	return mag;
}

void bc_mag_put(struct bc *bc, struct lma_mag *mag)
{
	if (mag->n_bce > 0 || mag->tunnel != 0 || mag->release_pending)
		return; /* a queued release still points at it */
	hmap_remove(&bc->by_mag, &mag->node);
	bc->entry_bytes -= sizeof(*mag);
	free(mag);
}

static void bce_attach_mag(struct bce *b, struct lma_mag *mag)
{
	b->mag = mag;
	LIST_INSERT_HEAD(&mag->bces, b, mag_entry);
	mag->n_bce++;
}

struct bce *bc_bce_new(struct bc *bc, struct lma_mn *mn, struct lma_mag *mag, const uint8_t *llid,
                       uint8_t llid_len)
{
	struct bce *b;

	if (llid_len > MH_LLID_MAX)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->id = bc->next_id++;
	b->id_node.hash = id_hash(b->id);
	hmap_insert(&bc->by_id, &b->id_node);
	b->mn = mn;
	LIST_INSERT_HEAD(&mn->bces, b, mn_entry);
	mn->n_bce++;
	bce_attach_mag(b, mag);
	b->llid_len = llid_len;
	if (llid_len) {
		memcpy(b->llid, llid, llid_len);
		b->llid_node.hash = llid_hash(mn, llid, llid_len);
		hmap_insert(&bc->by_llid, &b->llid_node);
	}
	bc->n_bce++;
	return b;
}

void bc_bce_set_id(struct bc *bc, struct bce *b, uint64_t id)
{
	hmap_remove(&bc->by_id, &b->id_node);
	b->id = id;
	b->id_node.hash = id_hash(id);
	hmap_insert(&bc->by_id, &b->id_node);
	if (bc->next_id <= id)
		bc->next_id = id + 1;
}

void bc_bce_free(struct bc *bc, struct bce *b)
{
	for (unsigned i = 0; i < b->n_prefix; i++)
		hmap_remove(&bc->by_prefix, &b->prefix[i].node);
	if (b->llid_len)
		hmap_remove(&bc->by_llid, &b->llid_node);
	hmap_remove(&bc->by_id, &b->id_node);
	LIST_REMOVE(b, mn_entry);
	b->mn->n_bce--;
	LIST_REMOVE(b, mag_entry);
	b->mag->n_bce--;
	bc->n_bce--;
	free(b);
}

void bc_bce_move(struct bc *bc, struct bce *b, struct lma_mag *to)
{
	(void)bc;
	LIST_REMOVE(b, mag_entry);
	b->mag->n_bce--;
	bce_attach_mag(b, to);
}

void bc_bce_set_llid(struct bc *bc, struct bce *b, const uint8_t *llid, uint8_t len)
{
	if (len > MH_LLID_MAX || (len == b->llid_len && memcmp(b->llid, llid, len) == 0))
		return;
	if (b->llid_len)
		hmap_remove(&bc->by_llid, &b->llid_node);
	b->llid_len = len;
	memcpy(b->llid, llid, len);
	if (len) {
		b->llid_node.hash = llid_hash(b->mn, llid, len);
		hmap_insert(&bc->by_llid, &b->llid_node);
	}
}

bool bc_bce_add_prefix(struct bc *bc, struct bce *b, const struct mh_prefix *p, bool pooled)
{
	struct bce_prefix *bp;

	if (b->n_prefix >= BCE_MAX_PREFIXES)
		return false;
	bp = &b->prefix[b->n_prefix++];
	bp->bce = b;
	bp->p = *p;
	bp->pooled = pooled;
	bp->node.hash = prefix_hash(p);
	hmap_insert(&bc->by_prefix, &bp->node);
	return true;
}

bool bc_bce_take_prefixes(struct bc *bc, struct bce *to, struct bce *from)
{
	if (to->n_prefix + from->n_prefix > BCE_MAX_PREFIXES)
		return false;
	for (unsigned i = 0; i < from->n_prefix; i++) {
		hmap_remove(&bc->by_prefix, &from->prefix[i].node);
		bc_bce_add_prefix(bc, to, &from->prefix[i].p, from->prefix[i].pooled);
	}
	from->n_prefix = 0;
	return true;
}

struct bce *bc_bce_by_llid(const struct bc *bc, const struct lma_mn *mn, const uint8_t *llid,
                           uint8_t len)
{
	uint64_t h = llid_hash(mn, llid, len);

	for (struct hnode *n = hmap_first(&bc->by_llid, h); n; n = hmap_next_same(n)) {
		struct bce *b = HMAP_ENTRY(n, struct bce, llid_node);

		if (b->mn == mn && b->llid_len == len && memcmp(b->llid, llid, len) == 0)
			return b;
	}
	return NULL;
}

struct bce *bc_bce_by_prefix(const struct bc *bc, const struct mh_prefix *p)
{
	uint64_t h = prefix_hash(p);

	for (struct hnode *n = hmap_first(&bc->by_prefix, h); n; n = hmap_next_same(n)) {
		struct bce_prefix *bp = HMAP_ENTRY(n, struct bce_prefix, node);

		if (mh_prefix_equal(&bp->p, p))
			return bp->bce;
	}
	return NULL;
}

struct bce *bc_bce_by_id(const struct bc *bc, uint64_t id)
{
	for (struct hnode *n = hmap_first(&bc->by_id, id_hash(id)); n; n = hmap_next_same(n)) {
		struct bce *b = HMAP_ENTRY(n, struct bce, id_node);

		if (b->id == id)
			return b;
	}
	return NULL;
}

static bool bce_has_prefix(const struct bce *b, const struct mh_prefix *p)
{
	for (unsigned i = 0; i < b->n_prefix; i++)
		if (mh_prefix_equal(&b->prefix[i].p, p))
			return true;
	return false;
}

bool bc_bce_has_sibling(const struct bce *b)
{
	const struct bce *o;

	LIST_FOREACH(o, &b->mn->bces, mn_entry)
	if (o != b && o->mag == b->mag && o->state == BCE_ACTIVE)
		return true;
	return false;
}

bool bc_bce_same_prefixes(const struct bce *b, const struct mh_prefix *p, unsigned n)
{
	if (n != b->n_prefix)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (!bce_has_prefix(b, &p[i]))
			return false;
	return true;
}

void bc_shrink(struct bc *bc)
{
	hmap_shrink(&bc->by_id);
	hmap_shrink(&bc->by_mn);
	hmap_shrink(&bc->by_llid);
	hmap_shrink(&bc->by_prefix);
	hmap_shrink(&bc->by_mag);
}

size_t bc_memory(const struct bc *bc)
{
	return bc->n_bce * sizeof(struct bce) + bc->entry_bytes + hmap_memory(&bc->by_id) +
	       hmap_memory(&bc->by_mn) + hmap_memory(&bc->by_llid) + hmap_memory(&bc->by_prefix) +
	       hmap_memory(&bc->by_mag);
}

static void free_chain(struct hmap *m, size_t offset)
{
	for (size_t i = 0; i <= m->last; i++) {
		struct hnode *n = m->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			free((char *)n - offset);
		}
	}
}

void bc_free(struct bc *bc)
{
	free_chain(&bc->by_id, offsetof(struct bce, id_node));
	free_chain(&bc->by_mn, offsetof(struct lma_mn, node));
	free_chain(&bc->by_mag, offsetof(struct lma_mag, node));
	hmap_free(&bc->by_id);
	hmap_free(&bc->by_mn);
	hmap_free(&bc->by_llid);
	hmap_free(&bc->by_prefix);
	hmap_free(&bc->by_mag);
}
