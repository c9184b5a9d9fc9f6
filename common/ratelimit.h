/* ratelimit.h: token buckets for the daemons' answers to peers they do not know (rejections of
 * unauthorized PBUs, Binding Errors): a spoofed flood must not make lmad a reflector, nor take
 * the send path from authorized MAGs. Time comes in as an argument; no system calls. */
#ifndef COMMON_RATELIMIT_H
#define COMMON_RATELIMIT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* A rate: per_s tokens a second, at most burst at once (lmad.conf(5) reject-rate and
 * binding-error-rate, magd.conf(5) binding-error-rate). */
struct rl_rate {
	uint32_t per_s;
	uint32_t burst;
};

/* A bucket of at most `burst` tokens refilled at `per_s` a second. */
struct rl_bucket {
	uint32_t tokens;
	bool started;
	uint64_t refill_ns; /* time the last whole token was added */
};

bool rl_take(struct rl_bucket *b, uint32_t per_s, uint32_t burst, uint64_t now_ns);

/* Per-source buckets in a fixed table of RL_SETS sets of RL_WAYS slots: a source hashes (keyed)
 * to one set. A slot goes to a newcomer only when its bucket is full again, since a full bucket
 * is what a fresh one would be: a limited source keeps its bucket however many others arrive.
 * A newcomer that finds every slot of its set held by limited sources shares the overflow
 * bucket (at the source rate) with the others in that case, so the per-source limit holds for
 * every source and only gets stricter under a flood; the total bucket bounds all replies. */
#define RL_WAYS    4
#define RL_SETS    64
#define RL_SOURCES (RL_SETS * RL_WAYS)

struct rl_source {
	struct in6_addr addr;
	struct rl_bucket b;
};

struct rl_table {
	struct rl_source slot[RL_SOURCES];
	struct rl_bucket overflow;
	struct rl_bucket total;
};

enum rl_verdict { RL_PASS, RL_SOURCE_LIMITED, RL_TOTAL_LIMITED };

/* Whether another answer to src may go: its own bucket (at the source rate) first, then the
 * total. */
enum rl_verdict rl_check(struct rl_table *t, const struct in6_addr *src,
                         const struct rl_rate *source, const struct rl_rate *total,
                         uint64_t now_ns);

/* Default rates: per source, a few answers so a misconfigured MAG's operator sees the 154 in a
 * trace; in total, what a reflector may send at most; Binding Errors, RFC 6275 §9.3.3's "SHOULD
 * be rate-limited". */
#define RL_SOURCE_PER_S 1
#define RL_SOURCE_BURST 3
#define RL_TOTAL_PER_S  50
#define RL_TOTAL_BURST  100
#define RL_BE_PER_S     10
#define RL_BE_BURST     10

#endif
