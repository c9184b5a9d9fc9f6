/* test_bindtag.c: the binding tag (common/bindtag.c): 19 bits, the same for the same binding
 * key, different for the two interfaces of one MN, and pinned to a value: an LMA and a MAG of
 * different versions must agree on it, so a change of the function must show here. */
#include "common/bindtag.h"
#include "tests/check_main.h"

static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x02 };

START_TEST(fits_19_bits)
{
	uint8_t mac[6] = { 0x02 };

	for (unsigned i = 0; i < 4096; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		ck_assert_uint_eq(bindtag_of(mac, sizeof(mac), (uint8_t)i) & ~BINDTAG_MASK, 0);
	}
}
END_TEST

START_TEST(same_key_same_tag)
{
	uint8_t copy[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	ck_assert_uint_eq(bindtag_of(mac1, 6, 4), bindtag_of(copy, 6, 4));
}
END_TEST

START_TEST(interfaces_differ)
{
	ck_assert_uint_ne(bindtag_of(mac1, 6, 4), bindtag_of(mac2, 6, 7));
	ck_assert_uint_ne(bindtag_of(mac1, 6, 4), bindtag_of(mac2, 6, 4)); /* by MAC */
	ck_assert_uint_ne(bindtag_of(mac1, 6, 4), bindtag_of(mac1, 6, 7)); /* by ATT */
	ck_assert_uint_ne(bindtag_of(NULL, 0, 4), bindtag_of(NULL, 0, 7)); /* no link-layer ID */
}
END_TEST

/* Few collisions among many interfaces: a 19-bit hash of 4096 keys has about 16 */
START_TEST(spreads)
{
	static uint8_t seen[BINDTAG_MASK + 1];
	uint8_t mac[6] = { 0x02 };
	unsigned same = 0;

	for (unsigned i = 0; i < 4096; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		same += seen[bindtag_of(mac, sizeof(mac), 4)]++ > 0;
	}
	ck_assert_uint_lt(same, 64);
}
END_TEST

START_TEST(pinned)
{
	ck_assert_uint_eq(bindtag_of(mac1, 6, 4), 0x3da30);
}
END_TEST

static Suite *bindtag_suite(void)
{
	Suite *s = suite_create("bindtag");
	TCase *tc = tcase_create("tag");

	tcase_add_test(tc, fits_19_bits);
	tcase_add_test(tc, same_key_same_tag);
	tcase_add_test(tc, interfaces_differ);
	tcase_add_test(tc, spreads);
	tcase_add_test(tc, pinned);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(bindtag_suite)
