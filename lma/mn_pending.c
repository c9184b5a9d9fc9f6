/* mn_pending.c: what an outstanding Update Notification (upn.c, RFC 7077 §5.1) and an
 * outstanding Binding Revocation Indication (revoke.c, RFC 5846 §8.1) share: a message to one MAG
 * about one MN, on a list of that MN's entry (which it keeps: bc_mn_put frees an MN only when
 * nothing hangs off it), found by the MAG, retransmitted by its resend state until answered. */
#include <stdlib.h>
#include <string.h>

#include "lma/engine_int.h"

struct mn_pending *mn_pending_for(struct mn_pending *list, const struct in6_addr *mag)
{
	for (struct mn_pending *p = list; p; p = p->next)
		if (memcmp(&p->rs.dst, mag, sizeof(*mag)) == 0)
			return p;
	return NULL;
}

struct mn_pending *mn_pending_new(struct lma_engine *e, struct mn_pending **list,
                                  struct lma_mn *mn, const struct in6_addr *mag, size_t size,
                                  timer_fn fired)
{
	struct mn_pending *p = calloc(1, size);

	if (!p) {
		e->stats.dropped[LMA_DROP_NO_MEMORY]++;
		return NULL;
	}
	p->e = e;
	p->mn = mn;
	p->rs.dst = *mag;
	timer_init(&p->rs.timer, fired, p); /* p is the first member of what fired gets */
	p->next = *list;
	*list = p;
	return p;
}

static void unlink_from(struct mn_pending **list, struct mn_pending *p)
{
	while (*list && *list != p)
		list = &(*list)->next;
	if (*list)
		*list = p->next;
}

void mn_pending_free(struct mn_pending **list, struct mn_pending *p)
{
	struct lma_engine *e = p->e;
	struct lma_mn *mn = p->mn;

	unlink_from(list, p);
	timer_cancel(&e->timers, &p->rs.timer);
	free(p);
	bc_mn_put(&e->bc, mn);
}

void mn_pending_free_list(struct lma_engine *e, struct mn_pending **list)
{
	struct mn_pending *p = *list, *next;

	for (; p; p = next) {
		next = p->next;
		timer_cancel(&e->timers, &p->rs.timer);
		free(p);
	}
	*list = NULL;
}
