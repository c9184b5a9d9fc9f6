/* test_pool.c: the prefix pool (lma/pool.c): order of allocation, exhaustion, vetoed
 * candidates, reuse of released prefixes oldest first, membership. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lma/pool.h"
#include "tests/check_main.h"

static struct mh_prefix pfx(const char *addr, uint8_t len)
{
	struct mh_prefix p = { .len = len };

	ck_assert_int_eq(inet_pton(AF_INET6, addr, &p.addr), 1);
	return p;
}

static const char *text(const struct mh_prefix *p)
{
	static char buf[64];
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &p->addr, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s/%u", a, p->len);
	return buf;
}

START_TEST(allocates_in_order_until_exhausted)
{
	struct mh_prefix range = pfx("2001:db8:100::", 62), p;
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	ck_assert(pool_alloc(&pool, &p, NULL, NULL));
	ck_assert_str_eq(text(&p), "2001:db8:100::/64");
	ck_assert(pool_alloc(&pool, &p, NULL, NULL));
	ck_assert_str_eq(text(&p), "2001:db8:100:1::/64");
	ck_assert(pool_alloc(&pool, &p, NULL, NULL));
	ck_assert(pool_alloc(&pool, &p, NULL, NULL));
	ck_assert_str_eq(text(&p), "2001:db8:100:3::/64");
	ck_assert(!pool_alloc(&pool, &p, NULL, NULL));
	ck_assert_uint_eq(pool.in_use, 4);
	pool_free(&pool);
}
END_TEST

static bool veto_second(const struct mh_prefix *p, void *arg)
{
	(void)arg;
	return p->addr.s6_addr[7] == 1;
}

START_TEST(vetoed_candidates_are_skipped)
{
	struct mh_prefix range = pfx("2001:db8:100::", 48), p;
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	pool_alloc(&pool, &p, veto_second, NULL);
	pool_alloc(&pool, &p, veto_second, NULL);
	ck_assert_str_eq(text(&p), "2001:db8:100:2::/64");
	pool_free(&pool);
}
END_TEST

START_TEST(released_prefixes_come_back_oldest_first)
{
	struct mh_prefix range = pfx("2001:db8:100::", 63), a, b, p;
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	pool_alloc(&pool, &a, NULL, NULL);
	pool_alloc(&pool, &b, NULL, NULL);
	ck_assert(pool_release(&pool, &b));
	ck_assert(pool_release(&pool, &a));
	ck_assert(pool_alloc(&pool, &p, NULL, NULL));
	ck_assert_str_eq(text(&p), "2001:db8:100:1::/64"); /* b was released first */
	ck_assert(pool_alloc(&pool, &p, NULL, NULL));
	ck_assert_str_eq(text(&p), "2001:db8:100::/64");
	ck_assert(!pool_alloc(&pool, &p, NULL, NULL));
	pool_free(&pool);
}
END_TEST

START_TEST(never_used_before_released)
{
	struct mh_prefix range = pfx("2001:db8:100::", 48), a, p;
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	pool_alloc(&pool, &a, NULL, NULL);
	pool_release(&pool, &a);
	pool_alloc(&pool, &p, NULL, NULL);
	ck_assert_str_eq(text(&p), "2001:db8:100:1::/64");
	pool_free(&pool);
}
END_TEST

START_TEST(membership)
{
	struct mh_prefix range = pfx("2001:db8:100::", 48);
	struct mh_prefix in = pfx("2001:db8:100:ffff::", 64);
	struct mh_prefix other = pfx("2001:db8:101::", 64);
	struct mh_prefix longer = pfx("2001:db8:100::", 65);
	struct mh_prefix hostbits = pfx("2001:db8:100::1", 64);
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	ck_assert(pool_contains(&pool, &in));
	ck_assert(!pool_contains(&pool, &other));
	ck_assert(!pool_contains(&pool, &longer));
	ck_assert(!pool_contains(&pool, &hostbits));
	ck_assert(!pool_release(&pool, &other));
	pool_free(&pool);
}
END_TEST

START_TEST(rejects_impossible_ranges)
{
	struct mh_prefix range = pfx("2001:db8:100::", 64);
	struct pool pool;

	ck_assert(!pool_init(&pool, &range, 48));
	ck_assert(!pool_init(&pool, &range, 129));
	range.len = 8; /* 2^56 prefixes: capped, still usable */
	ck_assert(pool_init(&pool, &range, 64));
	ck_assert_uint_eq(pool.size, 1ull << 40);
	pool_free(&pool);
}
END_TEST

START_TEST(release_ring_grows)
{
	struct mh_prefix range = pfx("2001:db8::", 48), p[3000];
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	for (int i = 0; i < 3000; i++)
		ck_assert(pool_alloc(&pool, &p[i], NULL, NULL));
	for (int i = 0; i < 3000; i++)
		ck_assert(pool_release(&pool, &p[i]));
	ck_assert_uint_eq(pool.in_use, 0);
	pool.next = pool.size; /* pretend the never-used part is gone: reuse order shows */
	for (int i = 0; i < 3000; i++) {
		struct mh_prefix q;

		ck_assert(pool_alloc(&pool, &q, NULL, NULL));
		ck_assert_mem_eq(&q.addr, &p[i].addr, 16);
	}
	pool_free(&pool);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_add_test(tc, allocates_in_order_until_exhausted);
	tcase_add_test(tc, vetoed_candidates_are_skipped);
	tcase_add_test(tc, released_prefixes_come_back_oldest_first);
	tcase_add_test(tc, never_used_before_released);
	tcase_add_test(tc, membership);
	tcase_add_test(tc, rejects_impossible_ranges);
	tcase_add_test(tc, release_ring_grows);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pool_suite)
