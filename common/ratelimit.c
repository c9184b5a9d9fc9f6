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

static struct rl_source *rl_slot(struct rl_table *t, const struct in6_addr *src)
{
	struct rl_source *s = &t->slot[hash_bytes(src, sizeof(*src), 0x726c) % RL_SOURCES];

	if (memcmp(&s->addr, src, sizeof(*src)) != 0) {
		s->addr = *src;
		memset(&s->b, 0, sizeof(s->b)); /* a fresh bucket for the newcomer */
	}
	return s;
}

enum rl_verdict rl_check(struct rl_table *t, const struct in6_addr *src,
                         const struct rl_rate *source, const struct rl_rate *total,
                         uint64_t now_ns)
{
	struct rl_source *s = rl_slot(t, src);

	if (!rl_take(&s->b, source->per_s, source->burst, now_ns))
		return RL_SOURCE_LIMITED;
	if (!rl_take(&t->total, total->per_s, total->burst, now_ns))
		return RL_TOTAL_LIMITED;
	return RL_PASS;
}
