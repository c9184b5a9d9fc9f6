/* test_pool.c: the prefix pool (lma/pool.c): order of allocation, exhaustion, vetoed
 * candidates, reuse of released prefixes oldest first, membership; sticky prefixes: a resting
 * prefix goes back to the MN-ID that released it and to no other, stale ring entries are
 * skipped, double releases refused, and stale entries do not make the ring grow. */
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

/* A pool of 2001:db8:100::/range_len cut in /64s whose first two, a and b, are handed out. */
static void init_two(struct pool *pool, uint8_t range_len, struct mh_prefix *a, struct mh_prefix *b)
{
	struct mh_prefix range = pfx("2001:db8:100::", range_len);

	ck_assert(pool_init(pool, &range, 64));
	ck_assert(pool_alloc(pool, a, NULL, NULL));
	ck_assert(pool_alloc(pool, b, NULL, NULL));
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
	struct mh_prefix a, b, p;
	struct pool pool;

	init_two(&pool, 63, &a, &b);
	ck_assert(pool_release(&pool, &b, "mn-b"));
	ck_assert(pool_release(&pool, &a, "mn-a"));
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
	pool_release(&pool, &a, "mn-a");
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
	ck_assert(!pool_release(&pool, &other, "mn"));
	pool_free(&pool);
}
END_TEST

/* The prefix of index idx computed bit by bit, as RFC 4291 §2.5 numbers an address's bits from
 * the left: bit alloc_len - 1 is idx's lowest. */
static struct mh_prefix reference_prefix(const struct mh_prefix *range, uint8_t alloc_len,
                                         uint64_t idx)
{
	struct mh_prefix r = { .addr = range->addr, .len = alloc_len };

	for (unsigned bit = alloc_len; bit-- > range->len; idx >>= 1) {
		uint8_t mask = (uint8_t)(1u << (7 - bit % 8));

		r.addr.s6_addr[bit / 8] = (uint8_t)((idx & 1) ? r.addr.s6_addr[bit / 8] | mask
		                                              : r.addr.s6_addr[bit / 8] & ~mask);
	}
	return r;
}

/* Ranges and allocation lengths on and off octet and word boundaries: the first prefixes
 * handed out are indexes 0, 1, 2... in the index bits, and each is a member. */
START_TEST(index_bits_on_any_boundary)
{
	static const struct {
		const char *range;
		uint8_t range_len, alloc_len;
	} cases[] = {
		{ "2001:db8::", 32, 64 },  { "2001:db8:100::", 29, 61 }, { "2001:db8::", 48, 64 },
		{ "2001:db8::", 60, 67 },  { "2001:db8::", 56, 100 },    { "2001:db8::", 90, 128 },
		{ "2001:db8::", 120, 128 }, { "::", 0, 40 },             { "2001:db8::", 64, 64 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct mh_prefix range = pfx(cases[c].range, cases[c].range_len), got, want;
		struct pool pool;

		ck_assert(pool_init(&pool, &range, cases[c].alloc_len));
		for (uint64_t i = 0; i < 300 && i < pool.size; i++) {
			ck_assert(pool_alloc(&pool, &got, NULL, NULL));
			want = reference_prefix(&range, cases[c].alloc_len, i);
			ck_assert_msg(mh_prefix_equal(&got, &want), "case %zu index %llu: %s", c,
			              (unsigned long long)i, text(&got));
			ck_assert(pool_contains(&pool, &got));
		}
		pool_free(&pool);
	}
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
		ck_assert(pool_release(&pool, &p[i], "mn"));
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

/* --- sticky prefixes: who may take a resting prefix back --- */

#define MN1 "mn1@example.org"
#define MN2 "mn2@example.org"

START_TEST(last_owner_reclaims_its_prefix)
{
	struct mh_prefix range = pfx("2001:db8:100::", 48), a;
	struct pool pool;
	size_t before;

	ck_assert(pool_init(&pool, &range, 64));
	ck_assert(pool_alloc(&pool, &a, NULL, NULL));
	before = pool_memory(&pool);
	ck_assert(pool_release(&pool, &a, MN1));
	ck_assert_uint_eq(pool_resting(&pool), 1);
	ck_assert_uint_gt(pool_memory(&pool), before + strlen(MN1)); /* the record is counted */
	ck_assert(pool_may_reclaim(&pool, &a, MN1));
	ck_assert(pool_reclaim(&pool, &a, MN1));
	ck_assert_uint_eq(pool.in_use, 1);
	ck_assert_uint_eq(pool_resting(&pool), 0);
	ck_assert(!pool_reclaim(&pool, &a, MN1)); /* taken: not at rest any more */
	pool_free(&pool);
}
END_TEST

START_TEST(another_mn_cannot_reclaim)
{
	struct mh_prefix range = pfx("2001:db8:100::", 48), a;
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	pool_alloc(&pool, &a, NULL, NULL);
	pool_release(&pool, &a, MN1);
	ck_assert(!pool_may_reclaim(&pool, &a, MN2));
	ck_assert(!pool_reclaim(&pool, &a, MN2));
	/* the exact MN-ID, not a prefix of it, an extension of it or another case */
	ck_assert(!pool_reclaim(&pool, &a, "mn1@example.or"));
	ck_assert(!pool_reclaim(&pool, &a, "mn1@example.org."));
	ck_assert(!pool_reclaim(&pool, &a, "MN1@example.org"));
	ck_assert(!pool_reclaim(&pool, &a, ""));
	ck_assert_uint_eq(pool_resting(&pool), 1); /* the refusals took nothing */
	ck_assert(pool_reclaim(&pool, &a, MN1));
	pool_free(&pool);
}
END_TEST

START_TEST(never_handed_out_is_not_reclaimable)
{
	struct mh_prefix range = pfx("2001:db8:100::", 48), a;
	struct mh_prefix unused = pfx("2001:db8:100:5::", 64);
	struct mh_prefix outside = pfx("2001:db8:200::", 64);
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	pool_alloc(&pool, &a, NULL, NULL);
	ck_assert(!pool_may_reclaim(&pool, &unused, MN1));
	ck_assert(!pool_may_reclaim(&pool, &a, MN1)); /* allocated, never released */
	ck_assert(!pool_reclaim(&pool, &unused, MN1));
	ck_assert(!pool_reclaim(&pool, &outside, MN1));
	ck_assert_uint_eq(pool_resting(&pool), 0);
	pool_free(&pool);
}
END_TEST

static struct mh_prefix pfx_check(const struct mh_prefix *got, const char *want)
{
	struct mh_prefix w = pfx(want, 64);

	ck_assert_msg(mh_prefix_equal(got, &w), "expected %s", want);
	return *got;
}

/* A prefix released beyond the high-water mark (bound from a pool this one replaced, or
 * restored from a lease file written then) rests with its MN; handing out never-used prefixes
 * passes over it, so nobody else gets it before its turn in the ring. */
START_TEST(released_beyond_the_mark_rests_and_is_passed_over)
{
	struct mh_prefix range = pfx("2001:db8:100::", 62), a;
	struct mh_prefix beyond = pfx("2001:db8:100:2::", 64);
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	ck_assert(pool_release(&pool, &beyond, MN1));
	ck_assert(!pool_release(&pool, &beyond, MN2)); /* it rests already */
	ck_assert(pool_may_reclaim(&pool, &beyond, MN1));
	ck_assert(pool_alloc(&pool, &a, NULL, NULL));
	a = pfx_check(&a, "2001:db8:100::");
	ck_assert(pool_alloc(&pool, &a, NULL, NULL));
	a = pfx_check(&a, "2001:db8:100:1::");
	ck_assert(pool_alloc(&pool, &a, NULL, NULL));
	a = pfx_check(&a, "2001:db8:100:3::");
	ck_assert(pool_alloc(&pool, &a, NULL, NULL)); /* its turn: the pool is used up */
	ck_assert(mh_prefix_equal(&a, &beyond));
	ck_assert(!pool_alloc(&pool, &a, NULL, NULL));
	pool_free(&pool);
}
END_TEST

START_TEST(reallocated_prefix_is_not_reclaimable)
{
	struct mh_prefix a, b, p;
	struct pool pool;

	init_two(&pool, 63, &a, &b);
	ck_assert(pool_release(&pool, &a, MN1));
	ck_assert(pool_alloc(&pool, &p, NULL, NULL)); /* the pool is short: a serves another MN */
	ck_assert_str_eq(text(&p), "2001:db8:100::/64");
	ck_assert(!pool_may_reclaim(&pool, &a, MN1));
	ck_assert(pool_release(&pool, &a, MN2)); /* and that MN is now the one it remembers */
	ck_assert(!pool_reclaim(&pool, &a, MN1));
	ck_assert(pool_reclaim(&pool, &a, MN2));
	pool_free(&pool);
}
END_TEST

START_TEST(reclaim_keeps_the_oldest_first_order)
{
	struct mh_prefix range = pfx("2001:db8:100::", 62), p[4], q;
	struct pool pool;

	ck_assert(pool_init(&pool, &range, 64));
	for (int i = 0; i < 4; i++)
		pool_alloc(&pool, &p[i], NULL, NULL);
	ck_assert(pool_release(&pool, &p[1], "b"));
	ck_assert(pool_release(&pool, &p[2], "c"));
	ck_assert(pool_release(&pool, &p[0], "a"));
	ck_assert(pool_release(&pool, &p[3], "d"));
	ck_assert(pool_reclaim(&pool, &p[2], "c")); /* its ring entry is now stale */
	ck_assert(pool_alloc(&pool, &q, NULL, NULL));
	ck_assert_str_eq(text(&q), text(&p[1]));
	ck_assert(pool_alloc(&pool, &q, NULL, NULL)); /* the stale entry is skipped */
	ck_assert_str_eq(text(&q), text(&p[0]));
	ck_assert(pool_alloc(&pool, &q, NULL, NULL));
	ck_assert_str_eq(text(&q), text(&p[3]));
	ck_assert(!pool_alloc(&pool, &q, NULL, NULL)); /* p[2] is held: not handed out again */
	ck_assert_uint_eq(pool.in_use, 4);
	pool_free(&pool);
}
END_TEST

START_TEST(stale_entry_of_a_prefix_released_again_is_skipped)
{
	struct mh_prefix a, b, q;
	struct pool pool;

	init_two(&pool, 63, &a, &b);
	ck_assert(pool_release(&pool, &a, MN1));
	ck_assert(pool_reclaim(&pool, &a, MN1));
	ck_assert(pool_release(&pool, &b, MN2));
	ck_assert(pool_release(&pool, &a, MN1)); /* its first ring entry must not count */
	ck_assert(pool_alloc(&pool, &q, NULL, NULL));
	ck_assert_str_eq(text(&q), text(&b)); /* b has rested longer */
	ck_assert(pool_alloc(&pool, &q, NULL, NULL));
	ck_assert_str_eq(text(&q), text(&a));
	ck_assert(!pool_alloc(&pool, &q, NULL, NULL)); /* handed out once, not twice */
	pool_free(&pool);
}
END_TEST

START_TEST(prefix_released_twice_rests_once)
{
	struct mh_prefix a, b, q;
	struct pool pool;

	init_two(&pool, 63, &a, &b);
	ck_assert(pool_release(&pool, &a, MN1));
	ck_assert(!pool_release(&pool, &a, MN2)); /* refused: it already rests */
	ck_assert_uint_eq(pool.in_use, 1);
	ck_assert_uint_eq(pool_resting(&pool), 1);
	ck_assert(!pool_may_reclaim(&pool, &a, MN2)); /* still remembers MN1 */
	ck_assert(pool_may_reclaim(&pool, &a, MN1));
	ck_assert(pool_alloc(&pool, &q, NULL, NULL));
	ck_assert_str_eq(text(&q), text(&a));
	ck_assert(!pool_alloc(&pool, &q, NULL, NULL)); /* one copy only */
	pool_free(&pool);
}
END_TEST

START_TEST(stale_entries_do_not_grow_the_ring)
{
	struct mh_prefix a, b, q;
	struct pool pool;

	init_two(&pool, 48, &a, &b);
	ck_assert(pool_release(&pool, &b, MN2));
	/* an interface that flaps forever while never-used prefixes remain */
	for (int i = 0; i < 100000; i++) {
		ck_assert(pool_release(&pool, &a, MN1));
		ck_assert(pool_reclaim(&pool, &a, MN1));
	}
	ck_assert_uint_le(pool.rel_cap, 1024);
	ck_assert_uint_le(pool.rel_count, 1024);
	ck_assert_uint_eq(pool_resting(&pool), 1);
	pool.next = pool.size; /* the resting b, and nothing else, comes out of the ring */
	ck_assert(pool_alloc(&pool, &q, NULL, NULL));
	ck_assert_str_eq(text(&q), text(&b));
	ck_assert(!pool_alloc(&pool, &q, NULL, NULL));
	pool_free(&pool);
}
END_TEST

START_TEST(freed_with_prefixes_at_rest)
{
	struct mh_prefix a, b;
	struct pool pool;

	init_two(&pool, 63, &a, &b);
	ck_assert(pool_release(&pool, &a, MN1));
	ck_assert(pool_release(&pool, &b, MN2));
	ck_assert_uint_eq(pool_resting(&pool), 2);
	pool_free(&pool); /* the sanitizer build checks that every record goes */
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_add_test(tc, allocates_in_order_until_exhausted);
	tcase_add_test(tc, index_bits_on_any_boundary);
	tcase_add_test(tc, vetoed_candidates_are_skipped);
	tcase_add_test(tc, released_prefixes_come_back_oldest_first);
	tcase_add_test(tc, never_used_before_released);
	tcase_add_test(tc, membership);
	tcase_add_test(tc, rejects_impossible_ranges);
	tcase_add_test(tc, release_ring_grows);
	suite_add_tcase(s, tc);
	tc = tcase_create("sticky");
	tcase_add_test(tc, last_owner_reclaims_its_prefix);
	tcase_add_test(tc, another_mn_cannot_reclaim);
	tcase_add_test(tc, never_handed_out_is_not_reclaimable);
	tcase_add_test(tc, released_beyond_the_mark_rests_and_is_passed_over);
	tcase_add_test(tc, reallocated_prefix_is_not_reclaimable);
	tcase_add_test(tc, reclaim_keeps_the_oldest_first_order);
	tcase_add_test(tc, stale_entry_of_a_prefix_released_again_is_skipped);
	tcase_add_test(tc, prefix_released_twice_rests_once);
	tcase_add_test(tc, stale_entries_do_not_grow_the_ring);
	tcase_add_test(tc, freed_with_prefixes_at_rest);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pool_suite)
