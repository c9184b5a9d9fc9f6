/* siphash.h: SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012), the
 * keyed hash of the hash indexes: their keys (MN-IDs, prefixes, link-layer IDs) come from the
 * network, and without the key a peer cannot pick keys that share a bucket. */
#ifndef COMMON_SIPHASH_H
#define COMMON_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* The 64-bit SipHash-2-4 of data under key (k0, k1): the key's two little-endian halves. */
uint64_t siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len);
/* The same with the key as the reference code takes it: 16 bytes. */
uint64_t siphash24_key(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len);

#endif
