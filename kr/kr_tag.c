/* kr_tag.c: binding tags in the kernel (kr.h; doc/datapath.md, "Two bindings behind one MAG").
 * Each tag has a slot, whose number gives both its mark and, at the MAG, its routing table:
 * table_base + KR_MAX_TUNNELS + slot, past every tunnel's. At the LMA the mark's rule looks up
 * the tunnel's own table, whose encapsulation writes the tag into the outer flow label when
 * its map has the mark (RFC 6437 §2, RFC 6438 for the other labels); at the MAG the
 * decapsulation turns the tag back into the mark, whose table routes the MN's prefixes to one
 * interface. The maps belong to the ebpf driver (kr_ebpf.c): no other driver writes a tag.
 * Tags are made while the daemon's engine changes an MN's bindings: the refusals of its own
 * queued requests, which a synchronous request sends along, wait for its next kr_flush(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "common/bindtag.h"
#include "kr/bpf/kr_bpf.h"
#include "kr/kr_nl.h"

_Static_assert(KR_BPF_TAG_FLAG == BINDTAG_FLAG && KR_BPF_TAG_MASK == BINDTAG_MASK,
               "the programs and common/bindtag.h must agree on the label's layout");
_Static_assert(KR_BPF_MAX_TAGS == KR_MAX_TAGS, "one map entry per slot");

struct kr_tag {
	bool decap; /* a MAG's: its table holds routes */
	uint32_t tag;
	uint32_t table; /* its rule's */
	unsigned n_routes;
	struct kr_tag_route routes[KR_TAG_MAX_ROUTES];
	struct in6_addr ll;
	unsigned ifindex;
};

bool kr_tag_possible(const struct kr *k)
{
	return k != NULL && k->ops != NULL && k->ops->tag_map != NULL;
}

uint32_t kr_tag_mark(const struct kr *k, uint32_t slot)
{
	return k->cfg.table_base + KR_MAX_TUNNELS + slot;
}

static uint32_t kr_tag_slot_of(const struct kr *k, uint32_t mark)
{
	uint32_t first = kr_tag_mark(k, 1);

	if (mark < first || mark - first >= KR_MAX_TAGS || k->tags[mark - first + 1] == NULL)
		return 0;
	return mark - first + 1;
}

/* A free slot with its entry, 0 with errno when none is left or the tag is in use. */
static uint32_t kr_tag_slot_new(struct kr *k, uint32_t tag, bool decap)
{
	uint32_t free_slot = 0;

	for (uint32_t s = 1; s <= KR_MAX_TAGS; s++) {
		if (k->tags[s] == NULL) {
			free_slot = free_slot ? free_slot : s;
			continue;
		}
		if (decap && k->tags[s]->decap && k->tags[s]->tag == tag) {
			errno = EEXIST; /* one mark per tag: the MAG's map is keyed by it */
			return 0;
		}
	}
	if (free_slot == 0) {
		errno = ENOSPC;
		return 0;
	}
	if ((k->tags[free_slot] = calloc(1, sizeof(struct kr_tag))) == NULL)
		return 0;
	k->tags[free_slot]->tag = tag;
	k->tags[free_slot]->decap = decap;
	return free_slot;
}

static void kr_tag_slot_free(struct kr *k, uint32_t slot)
{
	free(k->tags[slot]);
	k->tags[slot] = NULL;
}

/* "fwmark mark lookup table", queued as kind. */
static void kr_tag_rule(struct kr *k, uint16_t type, uint32_t mark, uint32_t table,
                        enum kr_req_kind kind)
{
	uint16_t flags = type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct nlmsghdr *nlh;

	nlh = kr_msg_rule(kr_nl_space(k), type, flags, k->cfg.rule_priority + KR_PRIO_AFTER_LOCAL,
	                  table, KR_RTPROT);
	mnl_attr_put_u32(nlh, FRA_FWMARK, mark);
	kr_nl_commit(k, nlh, kind, 0);
}

static void kr_tag_route(struct kr *k, uint16_t type, uint32_t table, const struct kr_tag *t,
                         unsigned i)
{
	uint16_t flags = type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	struct nlmsghdr *nlh;

	nlh = kr_msg_route(kr_nl_space(k), type, flags, table, &t->routes[i].pfx, t->routes[i].len);
	if (type == RTM_NEWROUTE) {
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(t->ll), &t->ll);
		mnl_attr_put_u32(nlh, RTA_OIF, t->ifindex);
	}
	kr_nl_commit(k, nlh, type == RTM_NEWROUTE ? KR_REQ_SYNC : KR_REQ_DEL, 0);
}

/* Everything of the slot goes: map entry, rule, routes; the first error is returned. */
static int kr_tag_remove(struct kr *k, uint32_t slot)
{
	const struct kr_tag *t = k->tags[slot];
	uint32_t mark = kr_tag_mark(k, slot);
	int ret = k->ops->tag_map(k, t->decap, t->decap ? t->tag : mark, mark, false), err = errno;

	kr_tag_rule(k, RTM_DELRULE, mark, t->table, KR_REQ_DEL);
	for (unsigned i = 0; t->decap && i < t->n_routes; i++)
		kr_tag_route(k, RTM_DELROUTE, mark, t, i);
	if (kr_nl_sync(k) == -1)
		return -1;
	errno = err;
	return ret;
}

/* The slot's map entry after its rule and routes, so that no packet is marked for a table
 * not yet filled; undone on failure. */
static int kr_tag_install(struct kr *k, uint32_t slot, uint32_t table)
{
	const struct kr_tag *t = k->tags[slot];
	uint32_t mark = kr_tag_mark(k, slot);
	int err;

	k->tags[slot]->table = table;
	for (unsigned i = 0; t->decap && i < t->n_routes; i++)
		kr_tag_route(k, RTM_NEWROUTE, mark, t, i);
	kr_tag_rule(k, RTM_NEWRULE, mark, table, KR_REQ_SYNC);
	if (kr_nl_sync(k) == 0 && k->ops->tag_map(k, t->decap, t->decap ? t->tag : mark,
	                                          t->decap ? mark : t->tag, true) == 0)
		return 0;
	err = errno;
	(void)kr_tag_remove(k, slot);
	kr_tag_slot_free(k, slot);
	errno = err;
	return -1;
}

static int kr_tag_check(const struct kr *k, uint32_t tag)
{
	if (k == NULL || tag > KR_BPF_TAG_MASK) {
		errno = EINVAL;
		return -1;
	}
	if (!kr_tag_possible(k)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return 0;
}

int kr_tag_encap_add(struct kr *k, uint32_t tunnel, uint32_t tag, uint32_t *mark)
{
	uint32_t slot;

	if (kr_tag_check(k, tag) == -1)
		return -1;
	if (!kr_tunnel_valid(k, tunnel)) {
		errno = EINVAL;
		return -1;
	}
	if ((slot = kr_tag_slot_new(k, tag, false)) == 0 ||
	    kr_tag_install(k, slot, kr_tunnel_table(k, tunnel)) == -1)
		return -1;
	*mark = kr_tag_mark(k, slot);
	return 0;
}

int kr_tag_decap_add(struct kr *k, uint32_t tag, const struct kr_tag_route *routes, unsigned n,
                     const struct in6_addr *ll, unsigned ifindex, uint32_t *mark)
{
	uint32_t slot;

	if (kr_tag_check(k, tag) == -1)
		return -1;
	if (n > KR_TAG_MAX_ROUTES || ll == NULL || ifindex == 0 || IN6_IS_ADDR_MULTICAST(ll) ||
	    IN6_IS_ADDR_UNSPECIFIED(ll)) {
		errno = EINVAL;
		return -1;
	}
	if ((slot = kr_tag_slot_new(k, tag, true)) == 0)
		return -1;
	memcpy(k->tags[slot]->routes, routes, n * sizeof(*routes));
	k->tags[slot]->n_routes = n;
	k->tags[slot]->ll = *ll;
	k->tags[slot]->ifindex = ifindex;
	if (kr_tag_install(k, slot, kr_tag_mark(k, slot)) == -1)
		return -1;
	*mark = kr_tag_mark(k, slot);
	return 0;
}

int kr_tag_del(struct kr *k, uint32_t mark)
{
	uint32_t slot = k != NULL ? kr_tag_slot_of(k, mark) : 0;
	int ret;

	if (slot == 0) {
		errno = ENOENT;
		return -1;
	}
	ret = kr_tag_remove(k, slot);
	if (!k->tags[slot]->decap)
		kr_fc_forget_mark(k, mark); /* the rule is gone: the slot can be reused */
	kr_tag_slot_free(k, slot); /* what the kernel kept is removed at exit (tagged 157) */
	return ret;
}

unsigned kr_tag_count(const struct kr *k)
{
	unsigned n = 0;

	for (uint32_t s = 1; s <= KR_MAX_TAGS; s++)
		n += k->tags[s] != NULL;
	return n;
}

/* At close: kr_clean_all() has removed the rules and routes, the maps go with the programs. */
void kr_tag_free_all(struct kr *k)
{
	for (uint32_t s = 1; s <= KR_MAX_TAGS; s++)
		kr_tag_slot_free(k, s);
}
