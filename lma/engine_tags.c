/* engine_tags.c: binding tags at the LMA (doc/datapath.md, "Two bindings behind one MAG"). Two
 * bindings of one MN at one MAG (RFC 5213 §5.4.1: one per interface) share that MAG's tunnel;
 * each gets a mark of its own whose packets carry its tag (common/bindtag.h) in the outer flow
 * label, so that a flow steered to one of them reaches that interface, not the one owning the
 * flow's destination prefix. The kernel side makes and removes them (io.tag_add, io.tag_del)
 * as the MN's group changes: a binding has a tag while it is active and another active binding
 * of its MN is at its MAG. Two such bindings whose tags clash get none, as at the MAG, so both
 * ends agree on which bindings have one. */
#include <errno.h>

#include "common/bindtag.h"
#include "lma/engine_int.h"

static uint32_t tag_of(const struct bce *b)
{
	return bindtag_of(b->llid, b->llid_len, b->att);
}

/* Another active binding of the MN at b's MAG with b's tag, or another MN's binding there that
 * holds that tag already (the MAG's map has one mark per tag: the first keeps it, at both
 * ends). */
static bool tag_clashes(const struct bce *b)
{
	uint32_t tag = tag_of(b);
	const struct bce *o;

	LIST_FOREACH(o, &b->mn->bces, mn_entry)
	if (o != b && o->mag == b->mag && o->state == BCE_ACTIVE && tag_of(o) == tag)
		return true;
	LIST_FOREACH(o, &b->mag->bces, mag_entry)
	if (o->mn != b->mn && o->tag_mark && o->tag == tag)
		return true;
	return false;
}

/* Only a binding whose MAG asked for the MN's other prefixes (MuHo) can use a tag: the MAG's
 * table for it routes the prefixes that binding knows, and a flow is moved to it for another
 * binding's prefix. magd tags the entries of multihoming MNs alone, to the same end. */
static bool wants_tag(const struct bce *b)
{
	return b->state == BCE_ACTIVE && b->muho && b->mag->tunnel && bc_bce_has_sibling(b) &&
	       !tag_clashes(b);
}

void engine_tag_drop(struct lma_engine *e, struct bce *b)
{
	if (!b->tag_mark)
		return;
	if (e->io.tag_del(e->io.ctx, b->tag_mark) != 0)
		e->stats.tag_failures++;
	b->tag_mark = 0;
	b->tag_tunnel = 0;
}

/* A driver that cannot write tags is no failure: the binding goes without one. */
static void tag_take(struct lma_engine *e, struct bce *b)
{
	if (e->io.tag_add(e->io.ctx, b->mag->tunnel, tag_of(b), &b->tag_mark) == 0) {
		b->tag_tunnel = b->mag->tunnel;
		b->tag = tag_of(b);
		return;
	}
	if (errno != EOPNOTSUPP)
		e->stats.tag_failures++;
	b->tag_mark = 0;
}

void engine_tags_sync(struct lma_engine *e, struct lma_mn *mn)
{
	struct bce *b;

	if (!e->io.tag_add || !e->io.tag_del)
		return;
	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		bool want = wants_tag(b);

		if (b->tag_mark &&
		    (!want || b->tag_tunnel != b->mag->tunnel || b->tag != tag_of(b)))
			engine_tag_drop(e, b);
		if (want && !b->tag_mark)
			tag_take(e, b);
	}
}
