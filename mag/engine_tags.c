/* engine_tags.c: binding tags at the MAG (doc/datapath.md, "Two bindings behind one MAG"). Two
 * interfaces of one MN here are two bindings (RFC 5213 §5.4.1) behind our one tunnel; the LMA
 * writes the tag (common/bindtag.h) of the one it steers a flow to into the outer flow label,
 * and the kernel side turns it back into a mark whose table routes all the MN's prefixes to that
 * entry's interface. An installed entry has a tag while another installed entry of its MN is
 * here; two whose tags clash get none, as at the LMA. The tags follow the entries at the flush,
 * not on the spot: an entry changes in steps (installed, then its MuHo list from a PBA or an
 * Update Notification), and its tag is made once for where they end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/bindtag.h"
#include "mag/engine_int.h"

struct mag_tag {
	LIST_ENTRY(mag_tag) entry;
	uint64_t bul_id;
	uint32_t tag;
	uint32_t mark;
	unsigned ifindex;
	struct in6_addr ll;
	unsigned n;
	struct mh_prefix p[2 * BUL_MAX_PREFIXES];
};

static uint32_t tag_of(const struct bul_entry *b)
{
	return bindtag_of(b->mac, sizeof(b->mac), b->att);
}

static bool same_mn(const struct bul_entry *a, const struct bul_entry *b)
{
	return a != b && a->installed && b->installed && strcmp(a->mn_id, b->mn_id) == 0;
}

static struct bul_entry *entry_by_id(const struct mag_engine *e, uint64_t id);

/* Whether the entry id is one of b's MN (a tag whose entry is gone counts as another's). */
static bool same_mn_id(const struct mag_engine *e, uint64_t id, const struct bul_entry *b)
{
	const struct bul_entry *o = entry_by_id(e, id);

	return o && strcmp(o->mn_id, b->mn_id) == 0;
}

/* Another MN's entry here holds b's tag already: the map has one mark per tag, the first keeps
 * it (as at the LMA). */
static bool tag_taken(const struct mag_engine *e, const struct bul_entry *b)
{
	const struct mag_tag *t;

	LIST_FOREACH(t, &e->tags, entry)
	if (t->bul_id != b->id && t->tag == tag_of(b) && !same_mn_id(e, t->bul_id, b))
		return true;
	return false;
}

/* Installed, of a multihoming MN (whose entries know its other prefixes, MuHo: what a flow
 * moved here is for), with another installed entry of its MN here, and no clash of tags with
 * one, nor with another MN's tag. */
static bool wants_tag(const struct mag_engine *e, const struct bul_entry *b)
{
	bool sibling = false;

	if (!b->installed || !b->mn || !b->mn->multihoming)
		return false;
	for (unsigned i = 0; i < b->mn->n_macs; i++) { /* its MN's entries: one per MAC, by hash */
		const struct bul_entry *o = engine_find_mac(e, b->mn->macs[i]);

		if (!o || !same_mn(o, b))
			continue;
		if (tag_of(o) == tag_of(b))
			return false;
		sibling = true;
	}
	return sibling && !tag_taken(e, b);
}

/* What b's tag is to route: every prefix of the MN the entry knows, to its interface. */
static void tag_wanted(const struct bul_entry *b, struct mag_tag *t)
{
	memset(t, 0, sizeof(*t));
	t->bul_id = b->id;
	t->tag = tag_of(b);
	t->ifindex = b->ifindex;
	t->ll = b->mn_ll;
	memcpy(t->p, b->hnp, b->n_hnp * sizeof(b->hnp[0]));
	memcpy(t->p + b->n_hnp, b->muho, b->n_muho * sizeof(b->muho[0]));
	t->n = b->n_hnp + b->n_muho;
}

static bool tag_same(const struct mag_tag *a, const struct mag_tag *b)
{
	if (a->tag != b->tag || a->ifindex != b->ifindex || a->n != b->n ||
	    memcmp(&a->ll, &b->ll, sizeof(a->ll)) != 0)
		return false;
	for (unsigned i = 0; i < a->n; i++) /* field by field: a prefix has padding */
		if (!mh_prefix_equal(&a->p[i], &b->p[i]))
			return false;
	return true;
}

static struct bul_entry *entry_by_id(const struct mag_engine *e, uint64_t id)
{
	struct bul_entry *b;

	LIST_FOREACH(b, &e->bul, entry)
	if (b->id == id)
		return b;
	return NULL;
}

static struct mag_tag *tag_by_entry(const struct mag_engine *e, uint64_t id)
{
	struct mag_tag *t;

	LIST_FOREACH(t, &e->tags, entry)
	if (t->bul_id == id)
		return t;
	return NULL;
}

/* A tag whose entry went, no longer wants one, or changed its routes, goes. */
static void tags_drop_stale(struct mag_engine *e)
{
	struct mag_tag *t, *next, want;

	for (t = LIST_FIRST(&e->tags); t; t = next) {
		const struct bul_entry *b = entry_by_id(e, t->bul_id);

		next = LIST_NEXT(t, entry);
		if (b && wants_tag(e, b) && (tag_wanted(b, &want), tag_same(t, &want)))
			continue;
		if (e->io.tag_del(e->io.ctx, t->mark) != 0)
			e->stats.tag_failures++;
		LIST_REMOVE(t, entry);
		free(t);
	}
}

/* A driver that cannot read tags is no failure: the entry goes without one. */
static void tag_take(struct mag_engine *e, const struct bul_entry *b)
{
	struct mag_tag *t = malloc(sizeof(*t));

	if (!t) {
		e->stats.dropped[MAG_DROP_NO_MEMORY]++;
		return;
	}
	tag_wanted(b, t);
	if (e->io.tag_add(e->io.ctx, t->tag, t->p, t->n, &t->ll, t->ifindex, &t->mark) == 0) {
		LIST_INSERT_HEAD(&e->tags, t, entry);
		return;
	}
	if (errno != EOPNOTSUPP)
		e->stats.tag_failures++;
	free(t);
}

void mag_engine_tags_sync(struct mag_engine *e)
{
	const struct bul_entry *b;

	if (!e->tags_dirty || !e->io.tag_add || !e->io.tag_del)
		return;
	e->tags_dirty = false;
	tags_drop_stale(e);
	LIST_FOREACH(b, &e->bul, entry)
	if (wants_tag(e, b) && !tag_by_entry(e, b->id))
		tag_take(e, b);
}

uint32_t mag_engine_tag_of(const struct mag_engine *e, uint64_t bul_id, uint32_t *tag)
{
	const struct mag_tag *t = tag_by_entry(e, bul_id);

	*tag = t ? t->tag : 0;
	return t ? t->mark : 0;
}

uint32_t mag_engine_tag_mark(const struct mag_engine *e, uint64_t bul_id)
{
	uint32_t tag;

	return mag_engine_tag_of(e, bul_id, &tag);
}
