/* timer.h: a binary min-heap of deadlines. The engines keep their timers here and make no
 * system call: the daemon asks for the next deadline, arms one libev timer for it, and runs
 * what is due; tests drive the same code with a mock clock. */
#ifndef COMMON_TIMER_H
#define COMMON_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer;
typedef void (*timer_fn)(struct timer *t, uint64_t now_ns);

struct timer {
	uint64_t when_ns;
	size_t slot; /* index in the heap + 1; 0 when not armed */
	timer_fn fn;
	void *arg; /* for fn: the owner of the timer */
};

struct timer_heap {
	struct timer **items;
	size_t count;
	size_t cap;
};

void timer_heap_init(struct timer_heap *h);
void timer_heap_free(struct timer_heap *h);
void timer_init(struct timer *t, timer_fn fn, void *arg);
/* (Re)arms t for when_ns; false only on allocation failure. */
bool timer_arm(struct timer_heap *h, struct timer *t, uint64_t when_ns);
void timer_cancel(struct timer_heap *h, struct timer *t);
bool timer_armed(const struct timer *t);
/* The earliest deadline, or UINT64_MAX when nothing is armed. */
uint64_t timer_next(const struct timer_heap *h);
/* Runs (and disarms) every timer due at now_ns, earliest first; returns how many ran. */
size_t timer_run(struct timer_heap *h, uint64_t now_ns);

#endif
