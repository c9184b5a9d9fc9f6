/* test_ratelimit.c: the reply token buckets (common/ratelimit.c): a bucket's rate and burst,
 * and the per-source limit holding for every source even when far more sources than the
 * table has slots send at once (a spoofed flood must not reset a limited source's bucket). */
#include <string.h>

#include "common/ratelimit.h"
#include "tests/check_main.h"

#define MS 1000000ull

static const struct rl_rate source_rate = { .per_s = 1, .burst = 3 };
static const struct rl_rate no_total = { .per_s = 1000000, .burst = 1000000 };

static struct in6_addr source(unsigned i)
{
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8 } };

	a.s6_addr[12] = (uint8_t)(i >> 24);
	a.s6_addr[13] = (uint8_t)(i >> 16);
	a.s6_addr[14] = (uint8_t)(i >> 8);
	a.s6_addr[15] = (uint8_t)i;
	return a;
}

START_TEST(bucket_burst_then_rate)
{
	struct rl_bucket b = { 0 };
	unsigned passed = 0;

	for (uint64_t t = 0; t < 10000 * MS; t += MS) /* 10 s, asked every ms */
		passed += rl_take(&b, 5, 20, t);
	/* 20 at once, then 5 a second over the 10 s (the last fraction not yet a token) */
	ck_assert_uint_ge(passed, 20 + 49);
	ck_assert_uint_le(passed, 20 + 50);
}
END_TEST

/* n sources each ask every step for `seconds`; returns the most answers any one source got */
static unsigned most_answers_per_source(unsigned n, unsigned seconds)
{
	static struct rl_table t;
	static unsigned got[4096];
	unsigned most = 0;

	memset(&t, 0, sizeof(t));
	memset(got, 0, sizeof(got));
	for (uint64_t now = 0; now < seconds * 1000 * MS; now += 10 * MS)
		for (unsigned i = 0; i < n; i++) {
			struct in6_addr a = source(i);

			got[i] += rl_check(&t, &a, &source_rate, &no_total, now) == RL_PASS;
		}
	for (unsigned i = 0; i < n; i++)
		most = got[i] > most ? got[i] : most;
	return most;
}

START_TEST(one_source_gets_its_rate)
{
	ck_assert_uint_eq(most_answers_per_source(1, 10), 3 + 9);
}
END_TEST

START_TEST(every_source_holds_its_rate_when_sources_outnumber_slots)
{
	/* 16 times the table's slots, 10 s: none may get more than its burst and 1 a second */
	ck_assert_uint_le(most_answers_per_source(16 * RL_SOURCES, 10), 3 + 10);
}
END_TEST

START_TEST(the_total_bounds_all_sources)
{
	static struct rl_table t;
	const struct rl_rate total = { .per_s = 50, .burst = 100 };
	unsigned passed = 0;

	memset(&t, 0, sizeof(t));
	for (uint64_t now = 0; now < 10000 * MS; now += MS) {
		struct in6_addr a = source((unsigned)(now / MS));

		passed += rl_check(&t, &a, &source_rate, &total, now) == RL_PASS;
	}
	ck_assert_uint_le(passed, 100 + 500);
	ck_assert_uint_ge(passed, 100 + 499);
}
END_TEST

static Suite *ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("buckets");

	tcase_add_test(tc, bucket_burst_then_rate);
	tcase_add_test(tc, one_source_gets_its_rate);
	tcase_add_test(tc, every_source_holds_its_rate_when_sources_outnumber_slots);
	tcase_add_test(tc, the_total_bounds_all_sources);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ratelimit_suite)
