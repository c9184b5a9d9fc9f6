/* timer.c: the deadline heap of timer.h. */
#include <stdlib.h>

#include "common/timer.h"

void timer_heap_init(struct timer_heap *h)
{
	h->items = NULL;
	h->count = h->cap = 0;
}

void timer_heap_free(struct timer_heap *h)
{
	for (size_t i = 0; i < h->count; i++)
		h->items[i]->slot = 0;
	free(h->items);
	timer_heap_init(h);
}

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
	t->when_ns = 0;
	t->slot = 0;
	t->fn = fn;
	t->arg = arg;
}

bool timer_armed(const struct timer *t)
{
	return t->slot != 0;
}

static void place(struct timer_heap *h, size_t i, struct timer *t)
{
	h->items[i] = t;
	t->slot = i + 1;
}

static void sift_up(struct timer_heap *h, size_t i)
{
	struct timer *t = h->items[i];

	while (i > 0 && h->items[(i - 1) / 2]->when_ns > t->when_ns) {
		place(h, i, h->items[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(h, i, t);
}

static void sift_down(struct timer_heap *h, size_t i)
{
	struct timer *t = h->items[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->count)
			break;
		if (c + 1 < h->count && h->items[c + 1]->when_ns < h->items[c]->when_ns)
			c++;
		if (h->items[c]->when_ns >= t->when_ns)
			break;
		place(h, i, h->items[c]);
		i = c;
	}
	place(h, i, t);
}

void timer_cancel(struct timer_heap *h, struct timer *t)
{
	size_t i;
	struct timer *last;

	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = h->items[--h->count];
	if (i == h->count)
		return;
	place(h, i, last);
	sift_down(h, i);
	sift_up(h, last->slot - 1);
}

bool timer_arm(struct timer_heap *h, struct timer *t, uint64_t when_ns)
{
	timer_cancel(h, t);
	if (h->count == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct timer **items = realloc(h->items, cap * sizeof(*items));

		if (!items)
			return false;
		h->items = items;
		h->cap = cap;
	}
	t->when_ns = when_ns;
	place(h, h->count++, t);
	sift_up(h, h->count - 1);
	return true;
}

uint64_t timer_next(const struct timer_heap *h)
{
	return h->count ? h->items[0]->when_ns : UINT64_MAX;
}

size_t timer_run(struct timer_heap *h, uint64_t now_ns)
{
	size_t ran = 0;

	while (h->count && h->items[0]->when_ns <= now_ns) {
		struct timer *t = h->items[0];

		timer_cancel(h, t);
		t->fn(t, now_ns);
		ran++;
	}
	return ran;
}
