/* test_checksum.c: the MH checksum over the IPv6 pseudo-header (RFC 6275 §6.1.1). The expected
 * value was computed independently (a few lines of Python summing 16-bit words). */
#include <arpa/inet.h>

#include "proto/mh.h"
#include "tests/check_main.h"

/* Heartbeat 2001:db8::1 -> 2001:db8::2 */
static const uint8_t hb[] = {
	59,   1,    13, 0, /* payload proto, header len 1 (16 octets), type 13, reserved */
	0x00, 0x00,        /* checksum */
	0,    0x02,        /* reserved, flags: U */
	0,    0,    0,  7, /* sequence 7 */
	1,    2,    0,  0, /* PadN, 2 octets of padding */
};

static void addrs(struct in6_addr *src, struct in6_addr *dst)
{
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", src), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::2", dst), 1);
}

START_TEST(known_value)
{
	struct in6_addr src, dst;

	addrs(&src, &dst);
	ck_assert_uint_eq(mh_checksum(&src, &dst, hb, sizeof(hb)), 0x5ae7);
}
END_TEST

START_TEST(fill_then_verify)
{
	struct in6_addr src, dst;
	uint8_t buf[sizeof(hb)];

	addrs(&src, &dst);
	memcpy(buf, hb, sizeof(buf));
	buf[4] = 0xde; /* fill must ignore whatever the field held */
	mh_checksum_fill(&src, &dst, buf, sizeof(buf));
	ck_assert_uint_eq(buf[4], 0x5a);
	ck_assert_uint_eq(buf[5], 0xe7);
	ck_assert(mh_checksum_ok(&src, &dst, buf, sizeof(buf)));
}
END_TEST

START_TEST(detects_corruption_and_swapped_addresses)
{
	struct in6_addr src, dst;
	uint8_t buf[sizeof(hb)];

	addrs(&src, &dst);
	memcpy(buf, hb, sizeof(buf));
	mh_checksum_fill(&src, &dst, buf, sizeof(buf));
	buf[11] ^= 0x01;
	ck_assert(!mh_checksum_ok(&src, &dst, buf, sizeof(buf)));
	buf[11] ^= 0x01;
	src.s6_addr[15] = 3;
	ck_assert(!mh_checksum_ok(&src, &dst, buf, sizeof(buf)));
}
END_TEST

START_TEST(odd_length_and_short_input)
{
	struct in6_addr src, dst;
	const uint8_t odd[] = { 59, 0, 13, 0, 0, 0, 0xab };
	uint8_t tiny[4] = { 1, 2, 3, 4 };

	addrs(&src, &dst);
	/* the last odd octet counts as the high half of a word padded with zero */
	ck_assert_uint_ne(mh_checksum(&src, &dst, odd, sizeof(odd)),
	                  mh_checksum(&src, &dst, odd, sizeof(odd) - 1));
	mh_checksum_fill(&src, &dst, tiny, sizeof(tiny)); /* too short to hold a checksum */
	ck_assert_uint_eq(tiny[0], 1);
	ck_assert(!mh_checksum_ok(&src, &dst, tiny, sizeof(tiny)));
}
END_TEST

static Suite *checksum_suite(void)
{
	Suite *s = suite_create("checksum");
	TCase *tc = tcase_create("mh");

	tcase_add_test(tc, known_value);
	tcase_add_test(tc, fill_then_verify);
	tcase_add_test(tc, detects_corruption_and_swapped_addresses);
	tcase_add_test(tc, odd_length_and_short_input);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(checksum_suite)
