/* test_timestamp.c: Timestamp option values (RFC 5213 §8.8): 48-bit seconds since 1970 and a
 * 16-bit fraction of 1/65536 s. */
#include "proto/mh.h"
#include "tests/check_main.h"

START_TEST(splits_seconds_and_fraction)
{
	/* 1.5 s after the epoch: seconds 1, fraction 0x8000 */
	ck_assert_uint_eq(mh_timestamp_from_ns(1500000000ull), 0x18000ull);
	ck_assert_uint_eq(mh_timestamp_from_ns(0), 0);
	/* 2026-11-22T00:00:00Z = 1795305600 s */
	ck_assert_uint_eq(mh_timestamp_from_ns(1795305600ull * 1000000000ull) >> 16, 1795305600ull);
}
END_TEST

START_TEST(round_trip_within_one_sixty_five_thousandth)
{
	const uint64_t samples[] = { 0, 1, 999999999ull, 1795305600123456789ull,
		                     4102444800999999999ull };

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		uint64_t back = mh_timestamp_to_ns(mh_timestamp_from_ns(samples[i]));

		ck_assert_uint_le(back, samples[i]);
		ck_assert_uint_lt(samples[i] - back, 1000000000ull / 65536 + 1);
	}
}
END_TEST

START_TEST(ordering_is_preserved)
{
	/* the LMA compares timestamps as integers: later times must compare greater */
	uint64_t prev = mh_timestamp_from_ns(1795305600000000000ull);

	for (uint64_t step = 1; step < 10; step++) {
		uint64_t next = mh_timestamp_from_ns(1795305600000000000ull + step * 20000ull);

		ck_assert_uint_ge(next, prev);
		prev = next;
	}
	ck_assert_uint_gt(mh_timestamp_from_ns(1795305600000100000ull),
	                  mh_timestamp_from_ns(1795305600000000000ull));
}
END_TEST

static Suite *timestamp_suite(void)
{
	Suite *s = suite_create("timestamp");
	TCase *tc = tcase_create("conversion");

	tcase_add_test(tc, splits_seconds_and_fraction);
	tcase_add_test(tc, round_trip_within_one_sixty_five_thousandth);
	tcase_add_test(tc, ordering_is_preserved);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(timestamp_suite)
