/* siphash.c: SipHash-2-4 as the paper's reference code computes it (two compression rounds per
 * 8-byte word, four finalization rounds; the last word carries the length in its top byte).
 * Every lookup of lmad's binding cache hashes its key: the rounds are inlined and words loaded
 * whole (less than half the instructions of the reference code). */
#include <endian.h>
#include <string.h>

#include "common/siphash.h"

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return le64toh(w);
}

static inline __attribute__((always_inline)) void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13) ^ s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16) ^ s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21) ^ s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17) ^ s->v2;
	s->v2 = rotl(s->v2, 32);
}

static inline __attribute__((always_inline)) void sip_word(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

/* The last 0 to 7 bytes, and the length modulo 256 in the top byte. */
static inline uint64_t last_word(const uint8_t *p, size_t len)
{
	const uint8_t *t = p + (len & ~(size_t)7);
	uint64_t w = (uint64_t)(len & 0xff) << 56;

	for (size_t i = 0; i < (len & 7); i++)
		w |= (uint64_t)t[i] << (8 * i);
	return w;
}

uint64_t siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	struct sip_state s = {
		.v0 = k0 ^ 0x736f6d6570736575ull,
		.v1 = k1 ^ 0x646f72616e646f6dull,
		.v2 = k0 ^ 0x6c7967656e657261ull,
		.v3 = k1 ^ 0x7465646279746573ull,
	};
	const uint8_t *p = data;

	for (size_t i = 0; i + 8 <= len; i += 8)
		sip_word(&s, load_le64(p + i));
	sip_word(&s, last_word(p, len));
	s.v2 ^= 0xff;
	for (unsigned i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t siphash24_key(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len)
{
	return siphash24(load_le64(key), load_le64(key + 8), data, len);
}
