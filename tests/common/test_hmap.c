/* test_hmap.c: the intrusive hash map (common/hmap.c): lookups through growth, removal,
 * colliding hashes, and a million entries. */
#include <stdlib.h>

#include "common/hmap.h"
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
	ck_assert_uint_ge(m.mask + 1, 4096); /* it grew */
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

START_TEST(hash_depends_on_salt_and_bytes)
{
	uint64_t k = 5;

	ck_assert_uint_ne(hash_bytes(&k, sizeof(k), 1), hash_bytes(&k, sizeof(k), 2));
	ck_assert_uint_eq(hash_bytes(&k, sizeof(k), 1), hash_bytes(&k, sizeof(k), 1));
	ck_assert_uint_ne(hash_bytes("ab", 2, 0), hash_bytes("ba", 2, 0));
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
	for (size_t b = 0; b <= m.mask; b++) {
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
	tcase_add_test(tc, same_hash_different_keys);
	tcase_add_test(tc, hash_depends_on_salt_and_bytes);
	tcase_add_test(tc, a_million_entries);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(hmap_suite)
