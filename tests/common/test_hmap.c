/* test_hmap.c: the intrusive hash map (common/hmap.c): lookups through growth one bucket at a
 * time (linear hashing), walks, removal, colliding hashes kept together by splits, shrinking,
 * and a million entries; its keyed hash, SipHash-2-4 (common/siphash.c),
 * against the reference test vectors. */
#include <stdlib.h>
#include <string.h>

#include "common/hmap.h"
#include "common/siphash.h"
#include "tests/check_main.h"

struct item {
	struct hnode node;
	uint64_t key;
};

static uint64_t key_hash(uint64_t k)
{
	return hash_bytes(&k, sizeof(k), 0);
}

static struct item *find(struct hmap *m, uint64_t key)
{
	for (struct hnode *n = hmap_first(m, key_hash(key)); n; n = hmap_next_same(n)) {
		struct item *it = HMAP_ENTRY(n, struct item, node);

		if (it->key == key)
			return it;
	}
	return NULL;
}

START_TEST(insert_find_remove_through_growth)
{
	struct hmap m;
	struct item *items = calloc(5000, sizeof(*items));

	ck_assert(hmap_init(&m, 4));
	for (uint64_t i = 0; i < 5000; i++) {
		items[i].key = i * 7919;
		items[i].node.hash = key_hash(items[i].key);
		ck_assert(hmap_insert(&m, &items[i].node));
	}
	ck_assert_uint_eq(m.count, 5000);
	ck_assert_uint_ge(m.last + 1, 4096); /* it grew */
	for (uint64_t i = 0; i < 5000; i++)
		ck_assert_ptr_eq(find(&m, i * 7919), &items[i]);
	ck_assert_ptr_null(find(&m, 1));
	for (uint64_t i = 0; i < 5000; i += 2)
		hmap_remove(&m, &items[i].node);
	ck_assert_uint_eq(m.count, 2500);
	for (uint64_t i = 0; i < 5000; i++)
		ck_assert_ptr_eq(find(&m, i * 7919), i % 2 ? &items[i] : NULL);
	hmap_free(&m);
	free(items);
}
END_TEST

/* Whether a walk over buckets[0..last] meets each of the n items once, and nothing else (seen[i]:
 * how many times it met item i). */
static bool walk_sees_each_once(const struct hmap *m, const struct item *items, size_t n,
                                unsigned *seen)
{
	size_t total = 0;

	memset(seen, 0, n * sizeof(*seen));
	for (size_t b = 0; b <= m->last; b++)
		for (const struct hnode *x = m->buckets[b]; x; x = x->next, total++)
			seen[HMAP_ENTRY(x, const struct item, node) - items]++;
	for (size_t i = 0; i < n; i++)
		if (seen[i] != 1)
			return false;
	return total == m->count;
}

/* The buckets a table made with 16 has for n nodes: a load of at most 3/4. */
static size_t buckets_for(size_t n)
{
	size_t b = (4 * n + 2) / 3;

	return b > 16 ? b : 16;
}

/* Each insertion past a load of 3/4 splits a bucket (or two): the table never jumps, every node
 * stays where a lookup finds it, and a walk meets each once, at every size on the way. */
START_TEST(grows_one_bucket_at_a_time_and_finds_every_node_on_the_way)
{
	enum { N = 3000 };
	struct item *items = calloc(N, sizeof(*items));
	unsigned *seen = calloc(N, sizeof(*seen));
	struct hmap m;

	ck_assert(hmap_init(&m, 16));
	for (size_t i = 0; i < N; i++) {
		items[i].key = i * 104729;
		items[i].node.hash = key_hash(items[i].key);
		hmap_insert(&m, &items[i].node);
		ck_assert_uint_eq(m.last + 1, buckets_for(i + 1)); /* no jump: what the load asks */
		ck_assert_ptr_eq(find(&m, items[i].key), &items[i]);
		ck_assert_ptr_eq(find(&m, items[i / 2].key), &items[i / 2]);
		if (i % 97 == 0 || i == N - 1)
			ck_assert(walk_sees_each_once(&m, items, i + 1, seen));
	}
	for (size_t i = 0; i < N; i++)
		ck_assert_ptr_eq(find(&m, items[i].key), &items[i]);
	hmap_free(&m);
	free(seen);
	free(items);
}
END_TEST

/* Nodes of one hash stay in one chain through splits and merges: next_same finds them all. */
START_TEST(equal_hashes_stay_together_through_splits_and_merges)
{
	enum { N = 2000, SAME = 10 };
	struct item *items = calloc(N, sizeof(*items));
	struct hmap m;
	unsigned found;

	ck_assert(hmap_init(&m, 16));
	for (size_t i = 0; i < N; i++) {
		items[i].key = i;
		items[i].node.hash = i < SAME ? 0xdeadbeefcafef00dull : key_hash(i);
		hmap_insert(&m, &items[i].node);
	}
	found = 0;
	for (struct hnode *n = hmap_first(&m, 0xdeadbeefcafef00dull); n; n = hmap_next_same(n))
		found++;
	ck_assert_uint_eq(found, SAME);
	for (size_t i = SAME; i < N; i++)
		hmap_remove(&m, &items[i].node);
	hmap_shrink(&m);
	ck_assert_uint_eq(m.last + 1, 20); /* merged back to half full: 10 nodes, 20 buckets */
	found = 0;
	for (struct hnode *n = hmap_first(&m, 0xdeadbeefcafef00dull); n; n = hmap_next_same(n))
		found++;
	ck_assert_uint_eq(found, SAME);
	hmap_free(&m);
	free(items);
}
END_TEST

START_TEST(same_hash_different_keys)
{
	struct hmap m;
	struct item a = { .key = 1 }, b = { .key = 2 };

	ck_assert(hmap_init(&m, 16));
	a.node.hash = b.node.hash = 42; /* a forced collision: callers compare keys */
	hmap_insert(&m, &a.node);
	hmap_insert(&m, &b.node);
	ck_assert_ptr_nonnull(hmap_first(&m, 42));
	ck_assert_ptr_nonnull(hmap_next_same(hmap_first(&m, 42)));
	ck_assert_ptr_null(hmap_next_same(hmap_next_same(hmap_first(&m, 42))));
	hmap_remove(&m, &a.node);
	ck_assert_ptr_eq(hmap_first(&m, 42), &b.node);
	hmap_free(&m);
}
END_TEST

START_TEST(shrinks_on_request_to_half_full)
{
	struct hmap m;
	struct item *items = calloc(5000, sizeof(*items));

	ck_assert(hmap_init(&m, 32));
	for (uint64_t i = 0; i < 5000; i++) {
		items[i].key = i;
		items[i].node.hash = key_hash(i);
		hmap_insert(&m, &items[i].node);
	}
	ck_assert_uint_eq(m.last + 1, 6667); /* a load of 3/4 once past its initial 32 */
	hmap_shrink(&m);                     /* well used: nothing to give back */
	ck_assert_uint_eq(m.last + 1, 6667);
	for (uint64_t i = 100; i < 5000; i++)
		hmap_remove(&m, &items[i].node);
	ck_assert_uint_eq(m.last + 1, 6667); /* removal alone never moves nodes */
	hmap_shrink(&m);
	ck_assert_uint_eq(m.last + 1, 200); /* 100 nodes: merged down to half full */
	ck_assert_uint_eq(hmap_memory(&m), 256 * sizeof(struct hnode *));
	for (uint64_t i = 0; i < 5000; i++)
		ck_assert_ptr_eq(find(&m, i), i < 100 ? &items[i] : NULL);
	for (uint64_t i = 0; i < 100; i++)
		hmap_remove(&m, &items[i].node);
	hmap_shrink(&m);
	ck_assert_uint_eq(m.last + 1, 32); /* never below its initial size */
	ck_assert_uint_eq(hmap_memory(&m), 32 * sizeof(struct hnode *));
	hmap_free(&m);
	free(items);
}
END_TEST

START_TEST(hash_depends_on_salt_and_bytes)
{
	uint64_t k = 5;

	ck_assert_uint_ne(hash_bytes(&k, sizeof(k), 1), hash_bytes(&k, sizeof(k), 2));
	ck_assert_uint_eq(hash_bytes(&k, sizeof(k), 1), hash_bytes(&k, sizeof(k), 1));
	ck_assert_uint_ne(hash_bytes("ab", 2, 0), hash_bytes("ba", 2, 0));
}
END_TEST

/* SipHash-2-4 with the key 00 01 .. 0f over the messages 00 01 .. (n-1), n = 0..63: the
 * reference code's vectors_sip64 (veorq/SipHash vectors.h, read as little-endian words); n =
 * 15 is the example of the paper's appendix A. */
static const uint64_t sip64[64] = {
	0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull, 0x0d6c8009d9a94f5aull, 0x85676696d7fb7e2dull,
	0xcf2794e0277187b7ull, 0x18765564cd99a68dull, 0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull,
	0x93f5f5799a932462ull, 0x9e0082df0ba9e4b0ull, 0x7a5dbbc594ddb9f3ull, 0xf4b32f46226bada7ull,
	0x751e8fbc860ee5fbull, 0x14ea5627c0843d90ull, 0xf723ca908e7af2eeull, 0xa129ca6149be45e5ull,
	0x3f2acc7f57c29bdbull, 0x699ae9f52cbe4794ull, 0x4bc1b3f0968dd39cull, 0xbb6dc91da77961bdull,
	0xbed65cf21aa2ee98ull, 0xd0f2cbb02e3b67c7ull, 0x93536795e3a33e88ull, 0xa80c038ccd5ccec8ull,
	0xb8ad50c6f649af94ull, 0xbce192de8a85b8eaull, 0x17d835b85bbb15f3ull, 0x2f2e6163076bcfadull,
	0xde4daaaca71dc9a5ull, 0xa6a2506687956571ull, 0xad87a3535c49ef28ull, 0x32d892fad841c342ull,
	0x7127512f72f27cceull, 0xa7f32346f95978e3ull, 0x12e0b01abb051238ull, 0x15e034d40fa197aeull,
	0x314dffbe0815a3b4ull, 0x027990f029623981ull, 0xcadcd4e59ef40c4dull, 0x9abfd8766a33735cull,
	0x0e3ea96b5304a7d0ull, 0xad0c42d6fc585992ull, 0x187306c89bc215a9ull, 0xd4a60abcf3792b95ull,
	0xf935451de4f21df2ull, 0xa9538f0419755787ull, 0xdb9acddff56ca510ull, 0xd06c98cd5c0975ebull,
	0xe612a3cb9ecba951ull, 0xc766e62cfcadaf96ull, 0xee64435a9752fe72ull, 0xa192d576b245165aull,
	0x0a8787bf8ecb74b2ull, 0x81b3e73d20b49b6full, 0x7fa8220ba3b2eceaull, 0x245731c13ca42499ull,
	0xb78dbfaf3a8d83bdull, 0xea1ad565322a1a0bull, 0x60e61c23a3795013ull, 0x6606d7e446282b93ull,
	0x6ca4ecb15c5f91e1ull, 0x9f626da15c9625f3ull, 0xe51b38608ef25f57ull, 0x958a324ceb064572ull,
};

static void reference_key_and_message(uint8_t key[16], uint8_t msg[64])
{
	for (unsigned i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
}

START_TEST(siphash24_matches_the_reference_vectors)
{
	uint8_t key[16], msg[64];

	reference_key_and_message(key, msg);
	for (size_t n = 0; n < 64; n++)
		ck_assert_msg(siphash24_key(key, msg, n) == sip64[n], "length %zu", n);
}
END_TEST

/* The indexes' hash is SipHash under the process key, the salt folded into the key's first
 * half: with the reference key and salt 0 it gives the reference vectors. */
START_TEST(hash_bytes_is_siphash_under_the_process_key)
{
	uint8_t key[16], msg[64];

	reference_key_and_message(key, msg);
	hash_key_set(key);
	for (size_t n = 0; n < 64; n++)
		ck_assert_msg(hash_bytes(msg, n, 0) == sip64[n], "length %zu", n);
	ck_assert_uint_ne(hash_bytes(msg, 16, 1), sip64[16]);
	key[3] ^= 1; /* another key: other hashes */
	hash_key_set(key);
	ck_assert_uint_ne(hash_bytes(msg, 16, 0), sip64[16]);
	hash_seed_init();
	ck_assert_uint_ne(hash_bytes(msg, 16, 0), sip64[16]);
}
END_TEST

START_TEST(a_million_entries)
{
	const size_t n = 1000000;
	struct item *items = calloc(n, sizeof(*items));
	size_t longest = 0;
	struct hmap m;

	hash_seed_init();
	ck_assert(hmap_init(&m, 16));
	for (size_t i = 0; i < n; i++) {
		items[i].key = i;
		items[i].node.hash = key_hash(i);
		hmap_insert(&m, &items[i].node);
	}
	for (size_t b = 0; b <= m.last; b++) {
		size_t len = 0;

		for (struct hnode *x = m.buckets[b]; x; x = x->next)
			len++;
		longest = len > longest ? len : longest;
	}
	ck_assert_uint_le(longest, 16); /* well spread: chains stay short */
	ck_assert_ptr_eq(find(&m, 999999), &items[999999]);
	hmap_free(&m);
	free(items);
}
END_TEST

static Suite *hmap_suite(void)
{
	Suite *s = suite_create("hmap");
	TCase *tc = tcase_create("hmap");

	tcase_add_test(tc, insert_find_remove_through_growth);
	tcase_add_test(tc, grows_one_bucket_at_a_time_and_finds_every_node_on_the_way);
	tcase_add_test(tc, equal_hashes_stay_together_through_splits_and_merges);
	tcase_add_test(tc, same_hash_different_keys);
	tcase_add_test(tc, hash_depends_on_salt_and_bytes);
	tcase_add_test(tc, shrinks_on_request_to_half_full);
	tcase_add_test(tc, a_million_entries);
	tcase_add_test(tc, siphash24_matches_the_reference_vectors);
	tcase_add_test(tc, hash_bytes_is_siphash_under_the_process_key);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(hmap_suite)
