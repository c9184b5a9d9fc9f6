/* ratelimit.c: the token buckets of ratelimit.h. */
#include <string.h>

#include "common/hmap.h"
#include "common/ratelimit.h"

#define NS_PER_S 1000000000ull

static void rl_refill(struct rl_bucket *b, uint32_t per_s, uint32_t burst, uint64_t now_ns)
{
	uint64_t whole;

	if (!b->started || now_ns < b->refill_ns) {
		b->started = true;
		b->tokens = burst;
		b->refill_ns = now_ns;
		return;
	}
	whole = (now_ns - b->refill_ns) * per_s / NS_PER_S;
	if (whole == 0)
		return;
	if (b->tokens + whole >= burst) {
		b->tokens = burst;
		b->refill_ns = now_ns;
		return;
	}
	b->tokens += (uint32_t)whole;
	b->refill_ns += whole * NS_PER_S / per_s; /* keep the fraction of the next token */
}

bool rl_take(struct rl_bucket *b, uint32_t per_s, uint32_t burst, uint64_t now_ns)
{
	rl_refill(b, per_s, burst, now_ns);
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

/* A slot whose bucket holds `burst` tokens at `now_ns` (or was never used) tells nothing a
 * fresh bucket would not. */
static bool rl_slot_free(struct rl_source *s, const struct rl_rate *rate, uint64_t now_ns)
{
	if (!s->b.started)
		return true;
	rl_refill(&s->b, rate->per_s, rate->burst, now_ns);
	return s->b.tokens >= rate->burst;
}

/* src's bucket: its own slot, a free slot of its set made its own, or the overflow bucket. */
static struct rl_bucket *rl_bucket_of(struct rl_table *t, const struct in6_addr *src,
                                      const struct rl_rate *rate, uint64_t now_ns)
{
	size_t set = hash_bytes(src, sizeof(*src), 0x726c) % RL_SETS;
	struct rl_source *s = &t->slot[set * RL_WAYS], *free_slot = NULL;

	for (size_t i = 0; i < RL_WAYS; i++) {
		if (s[i].b.started && memcmp(&s[i].addr, src, sizeof(*src)) == 0)
			return &s[i].b;
		if (!free_slot && rl_slot_free(&s[i], rate, now_ns))
			free_slot = &s[i];
	}
	if (!free_slot)
		return &t->overflow;
	free_slot->addr = *src;
	memset(&free_slot->b, 0, sizeof(free_slot->b));
	return &free_slot->b;
}

enum rl_verdict rl_check(struct rl_table *t, const struct in6_addr *src,
                         const struct rl_rate *source, const struct rl_rate *total,
                         uint64_t now_ns)
{
	struct rl_bucket *b = rl_bucket_of(t, src, source, now_ns);

	if (!rl_take(b, source->per_s, source->burst, now_ns))
		return RL_SOURCE_LIMITED;
	if (!rl_take(&t->total, total->per_s, total->burst, now_ns))
		return RL_TOTAL_LIMITED;
	return RL_PASS;
}
