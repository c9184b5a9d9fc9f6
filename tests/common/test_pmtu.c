/* test_pmtu.c: the Packet Too Big relay's decision and message (common/pmtu.c, RFC 2473 §7,
 * RFC 4443 §3.2), against messages written here octet by octet, and every truncation of them in
 * a heap block of exactly its size (ASan sees a one-octet over-read). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/pmtu.h"
#include "tests/check_main.h"

/* What a router inside the tunnel sends the LMA (2001:db8:ffff::100) about an encapsulated
 * packet toward MAG 2001:db8:ffff::1 that does not fit its 1400-octet link. */
static const uint8_t ptb[] = {
	/* ICMPv6: type 2 (Packet Too Big), code 0, checksum (the kernel checked it), MTU 1400 */
	0x02, 0x00, 0xab, 0xcd, 0x00, 0x00, 0x05, 0x78,
	/* the outer header: version 6, class 0, flow label 0x12345, payload 1460, next header 41,
	 * hop limit 63, source 2001:db8:ffff::100 (us), destination 2001:db8:ffff::1 (the MAG) */
	0x60, 0x01, 0x23, 0x45, 0x05, 0xb4, 0x29, 0x3f,
	0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01,
	/* the inner header: payload 1420, next header 17, hop limit 63, from the CN 2001:db8:c::2
	 * to the MN 2001:db8:100::1 */
	0x60, 0x00, 0x00, 0x00, 0x05, 0x8c, 0x11, 0x3f,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01,
	/* the start of the UDP datagram: ports 5000 -> 6000, length 1420, checksum */
	0x13, 0x88, 0x17, 0x70, 0x05, 0x8c, 0x12, 0x34,
};

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static enum pmtu_verdict build(const uint8_t *in, size_t len, struct pmtu_relay_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct in6_addr local = addr("2001:db8:ffff::100");
	enum pmtu_verdict v;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, in, len);
	v = pmtu_relay_build(copy, len, &local, m);
	free(copy);
	return v;
}

START_TEST(relayed_to_the_inner_source)
{
	static const uint8_t want_head[] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x50 };
	struct pmtu_relay_msg m;
	struct in6_addr cn = addr("2001:db8:c::2");

	ck_assert_int_eq(build(ptb, sizeof(ptb), &m), PMTU_RELAY);
	ck_assert_mem_eq(&m.dst, &cn, 16);
	ck_assert_uint_eq(m.mtu, 1360); /* 1400 less the outer header */
	ck_assert_uint_eq(m.len, 8 + 40 + 8);
	ck_assert_mem_eq(m.msg, want_head, sizeof(want_head)); /* the kernel fills the checksum */
	ck_assert_mem_eq(m.msg + 8, ptb + 48, 48);             /* the inner packet, unchanged */
}
END_TEST

START_TEST(refused_when_not_ours)
{
	uint8_t b[sizeof(ptb)];
	struct pmtu_relay_msg m;

	memcpy(b, ptb, sizeof(b));
	b[0] = 1; /* Destination Unreachable */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_NOT_PTB);
	memcpy(b, ptb, sizeof(b));
	b[1] = 1; /* code */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_NOT_PTB);
	memcpy(b, ptb, sizeof(b));
	b[8 + 23] = 0x01; /* outer source 2001:db8:ffff::101: not us */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_NOT_TUNNEL);
	memcpy(b, ptb, sizeof(b));
	b[8 + 6] = 17; /* the outer packet carried UDP, not IPv6 */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_NOT_TUNNEL);
	memcpy(b, ptb, sizeof(b));
	b[8] = 0x40; /* outer version 4 */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_NOT_TUNNEL);
	memcpy(b, ptb, sizeof(b));
	b[48] = 0x40; /* inner version 4 */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_BAD_INNER);
	memcpy(b, ptb, sizeof(b));
	b[56] = 0xff; /* inner source ff01:db8:c::2, multicast: never answered (RFC 4443 §2.4) */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_BAD_INNER);
}
END_TEST

/* A reported MTU below 1320 cannot give 1280 after the outer header: 1280 is what we say. */
START_TEST(mtu_never_below_the_minimum)
{
	uint8_t b[sizeof(ptb)];
	struct pmtu_relay_msg m;

	memcpy(b, ptb, sizeof(b));
	b[6] = 0x05;
	b[7] = 0x00; /* 1280 */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_RELAY);
	ck_assert_uint_eq(m.mtu, 1280);
	b[7] = 0x28; /* 1320 */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_RELAY);
	ck_assert_uint_eq(m.mtu, 1280);
	b[7] = 0x29; /* 1321 */
	ck_assert_int_eq(build(b, sizeof(b), &m), PMTU_RELAY);
	ck_assert_uint_eq(m.mtu, 1281);
}
END_TEST

/* The relayed message fits 1280 octets with its IPv6 header, whatever the router quoted. */
START_TEST(long_quote_cut_to_the_minimum_mtu)
{
	size_t len = 1400;
	uint8_t *b = calloc(1, len);
	struct pmtu_relay_msg m;

	ck_assert_ptr_nonnull(b);
	memcpy(b, ptb, sizeof(ptb));
	ck_assert_int_eq(build(b, len, &m), PMTU_RELAY);
	ck_assert_uint_eq(m.len, 1280 - 40);
	ck_assert_mem_eq(m.msg + 8, b + 48, m.len - 8);
	free(b);
}
END_TEST

START_TEST(every_truncation)
{
	struct pmtu_relay_msg m;

	for (size_t len = 0; len < 8 + 40; len++)
		ck_assert_int_eq(build(ptb, len, &m), PMTU_NOT_PTB);
	for (size_t len = 8 + 40; len < 8 + 80; len++)
		ck_assert_int_eq(build(ptb, len, &m), PMTU_BAD_INNER);
	ck_assert_int_eq(build(ptb, 8 + 80, &m), PMTU_RELAY);
	ck_assert_uint_eq(m.len, 8 + 40);
	ck_assert_str_eq(pmtu_verdict_name(PMTU_NOT_TUNNEL), "not about our tunnel");
}
END_TEST

static Suite *pmtu_suite(void)
{
	Suite *s = suite_create("pmtu");
	TCase *t = tcase_create("relay");

	tcase_add_test(t, relayed_to_the_inner_source);
	tcase_add_test(t, refused_when_not_ours);
	tcase_add_test(t, mtu_never_below_the_minimum);
	tcase_add_test(t, long_quote_cut_to_the_minimum_mtu);
	tcase_add_test(t, every_truncation);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(pmtu_suite)
