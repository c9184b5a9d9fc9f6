/* test_bc.c: the binding cache (lma/bc.c): grouping of BCEs by MN-ID, the four indexes, moving
 * a BCE between MAGs, freeing, prefix-set comparison, and the size of a binding. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lma/bc.h"
#include "tests/check_main.h"

static struct bc bc;

static void setup(void)
{
	ck_assert(bc_init(&bc, 16));
}

static void teardown(void)
{
	bc_free(&bc);
}

static struct in6_addr addr(const char *t)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, t, &a), 1);
	return a;
}

static struct mh_prefix pfx(const char *t)
{
	struct mh_prefix p = { .addr = addr(t), .len = 64 };

	return p;
}

static const uint8_t mac1[] = { 2, 0, 0, 0, 0, 1 }, mac2[] = { 2, 0, 0, 0, 0, 2 };

START_TEST(bces_of_one_mn_are_grouped)
{
	struct in6_addr a1 = addr("2001:db8:ffff::1"), a2 = addr("2001:db8:ffff::2");
	struct lma_mn *mn = bc_mn_get(&bc, "mn1@x", 5);
	struct bce *b1 = bc_bce_new(&bc, mn, bc_mag_get(&bc, &a1), mac1, 6);
	struct bce *b2 = bc_bce_new(&bc, mn, bc_mag_get(&bc, &a2), mac2, 6);
	struct mh_prefix p1 = pfx("2001:db8:1::"), p2 = pfx("2001:db8:2::");
	unsigned n = 0;
	struct bce *b;

	ck_assert_ptr_eq(bc_mn_get(&bc, "mn1@x", 5), mn);
	ck_assert(bc_bce_add_prefix(&bc, b1, &p1, true));
	ck_assert(bc_bce_add_prefix(&bc, b2, &p2, false));
	/* from a prefix, the MN and so all its prefixes, in constant time */
	LIST_FOREACH(b, &bc_bce_by_prefix(&bc, &p1)->mn->bces, mn_entry)
	n += b->n_prefix;
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(mn->n_bce, 2);
	ck_assert_ptr_eq(bc_bce_by_llid(&bc, mn, mac2, 6), b2);
	ck_assert_ptr_eq(bc_bce_by_id(&bc, b1->id), b1);
	ck_assert_uint_ne(b1->id, b2->id);
	ck_assert_uint_eq(bc.n_bce, 2);
	ck_assert_uint_eq(bc.n_mn, 1);
}
END_TEST

START_TEST(lookups_miss_cleanly)
{
	struct in6_addr a = addr("2001:db8:ffff::1");
	struct lma_mn *mn = bc_mn_get(&bc, "mn1@x", 5), *other = bc_mn_get(&bc, "mn2@x", 5);
	struct mh_prefix p = pfx("2001:db8:1::");

	bc_bce_new(&bc, mn, bc_mag_get(&bc, &a), mac1, 6);
	ck_assert_ptr_null(bc_mn_find(&bc, "mn1@y", 5));
	ck_assert_ptr_null(bc_mn_find(&bc, "mn1@", 4));
	ck_assert_ptr_null(bc_bce_by_llid(&bc, other, mac1, 6)); /* same MAC, other MN */
	ck_assert_ptr_null(bc_bce_by_llid(&bc, mn, mac1, 5));
	ck_assert_ptr_null(bc_bce_by_prefix(&bc, &p));
	p.len = 63;
	ck_assert_ptr_null(bc_bce_by_prefix(&bc, &p));
	ck_assert_ptr_null(bc_bce_by_id(&bc, 999));
	ck_assert_ptr_null(bc_mag_find(&bc, &(struct in6_addr){ { { 0 } } }));
}
END_TEST

START_TEST(move_between_mags)
{
	struct in6_addr a1 = addr("2001:db8:ffff::1"), a2 = addr("2001:db8:ffff::2");
	struct lma_mag *m1 = bc_mag_get(&bc, &a1), *m2 = bc_mag_get(&bc, &a2);
	struct bce *b = bc_bce_new(&bc, bc_mn_get(&bc, "mn1@x", 5), m1, NULL, 0);

	ck_assert_uint_eq(m1->n_bce, 1);
	bc_bce_move(&bc, b, m2);
	ck_assert_uint_eq(m1->n_bce, 0);
	ck_assert_uint_eq(m2->n_bce, 1);
	ck_assert_ptr_eq(b->mag, m2);
	bc_mag_put(&bc, m1);
	ck_assert_ptr_null(bc_mag_find(&bc, &a1));
	bc_mag_put(&bc, m2); /* still has a binding: stays */
	ck_assert_ptr_eq(bc_mag_find(&bc, &a2), m2);
}
END_TEST

START_TEST(free_removes_from_every_index)
{
	struct in6_addr a = addr("2001:db8:ffff::1");
	struct lma_mn *mn = bc_mn_get(&bc, "mn1@x", 5);
	struct bce *b = bc_bce_new(&bc, mn, bc_mag_get(&bc, &a), mac1, 6);
	struct mh_prefix p = pfx("2001:db8:1::");
	uint64_t id = b->id;

	bc_bce_add_prefix(&bc, b, &p, true);
	bc_bce_free(&bc, b);
	ck_assert_ptr_null(bc_bce_by_prefix(&bc, &p));
	ck_assert_ptr_null(bc_bce_by_llid(&bc, mn, mac1, 6));
	ck_assert_ptr_null(bc_bce_by_id(&bc, id));
	ck_assert_uint_eq(mn->n_bce, 0);
	bc_mn_put(&bc, mn);
	ck_assert_ptr_null(bc_mn_find(&bc, "mn1@x", 5));
	ck_assert_uint_eq(bc.n_mn, 0);
}
END_TEST

START_TEST(prefix_sets)
{
	struct in6_addr a = addr("2001:db8:ffff::1");
	struct bce *b = bc_bce_new(&bc, bc_mn_get(&bc, "m@x", 3), bc_mag_get(&bc, &a), NULL, 0);
	struct mh_prefix p[3] = { pfx("2001:db8:1::"), pfx("2001:db8:2::"), pfx("2001:db8:3::") };
	struct mh_prefix swapped[2] = { p[1], p[0] };

	for (int i = 0; i < 2; i++)
		bc_bce_add_prefix(&bc, b, &p[i], false);
	ck_assert(bc_bce_same_prefixes(b, swapped, 2));
	ck_assert(!bc_bce_same_prefixes(b, p, 1));
	ck_assert(!bc_bce_same_prefixes(b, p + 1, 2));
	for (int i = 2; i < BCE_MAX_PREFIXES; i++)
		ck_assert(bc_bce_add_prefix(&bc, b, &p[2], false));
	ck_assert(!bc_bce_add_prefix(&bc, b, &p[2], false)); /* full */
}
END_TEST

START_TEST(a_binding_costs_well_under_a_kibibyte)
{
	struct in6_addr a = addr("2001:db8:ffff::1");
	struct lma_mag *mag = bc_mag_get(&bc, &a);
	const size_t n = 100000;

	for (size_t i = 0; i < n; i++) {
		char id[32];
		struct mh_prefix p = pfx("2001:db8::");
		int len = snprintf(id, sizeof(id), "mn%zu@example.org", i);
		struct bce *b = bc_bce_new(&bc, bc_mn_get(&bc, id, (size_t)len), mag, mac1, 6);

		p.addr.s6_addr[4] = (uint8_t)(i >> 16);
		p.addr.s6_addr[5] = (uint8_t)(i >> 8);
		p.addr.s6_addr[6] = (uint8_t)i;
		ck_assert(bc_bce_add_prefix(&bc, b, &p, true));
	}
	printf("binding cache: %zu bytes per binding at %zu bindings\n", bc_memory(&bc) / n, n);
	ck_assert_uint_lt(bc_memory(&bc) / n, 1024);
	ck_assert_ptr_nonnull(bc_mn_find(&bc, "mn99999@example.org", 19));
}
END_TEST

static Suite *bc_suite(void)
{
	Suite *s = suite_create("bc");
	TCase *tc = tcase_create("cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bces_of_one_mn_are_grouped);
	tcase_add_test(tc, lookups_miss_cleanly);
	tcase_add_test(tc, move_between_mags);
	tcase_add_test(tc, free_removes_from_every_index);
	tcase_add_test(tc, prefix_sets);
	tcase_add_test(tc, a_binding_costs_well_under_a_kibibyte);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(bc_suite)
