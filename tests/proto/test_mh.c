/* test_mh.c: the Mobility Header and its message families (proto/mh.c, binding.c, heartbeat.c,
 * revocation.c, notification.c): golden vectors both ways, the header rules of RFC 6275 §9.2
 * one by one, and the encoder's padding and limits. */
#include <arpa/inet.h>
#include <stdio.h>

#include "proto/mh.h"
#include "tests/check_main.h"
#include "tests/proto/golden.h"
#include "tests/proto/msgbuild.h"

static struct mh_params params;

static void setup(void)
{
	mh_params_init(&params);
}

START_TEST(golden_decodes)
{
	const struct golden *g = &golden_vectors[_i];
	struct mh_msg got, want;
	char why[64] = "";

	ck_assert_msg(mh_decode(g->bytes, g->len, &params, &got) == MH_OK, "%s: %s", g->name,
	              mh_strerror(mh_decode(g->bytes, g->len, &params, &got)));
	g->expect(&want);
	ck_assert_msg(golden_msg_equal(&want, &got, why, sizeof(why)), "%s: %s", g->name, why);
}
END_TEST

START_TEST(golden_encodes_byte_for_byte)
{
	const struct golden *g = &golden_vectors[_i];
	uint8_t out[MH_MAX_LEN];
	struct mh_msg msg;
	ssize_t n;

	g->expect(&msg);
	n = mh_encode(&msg, &params, out, sizeof(out));
	ck_assert_msg(n == (ssize_t)g->len, "%s: length %zd, want %zu", g->name, n, g->len);
	for (size_t i = 0; i < g->len; i++)
		ck_assert_msg(out[i] == g->bytes[i], "%s: octet %zu is %u, want %u", g->name, i,
		              out[i], g->bytes[i]);
}
END_TEST

START_TEST(golden_names_their_type)
{
	const struct golden *g = &golden_vectors[_i];

	ck_assert_str_ne(mh_type_name(g->bytes[2]), "unknown");
}
END_TEST

START_TEST(rejects_shorter_than_header)
{
	const struct golden *g = golden_find("pbu");
	struct mh_msg m;

	for (size_t len = 0; len < 6; len++)
		ck_assert_int_eq(mh_decode(g->bytes, len, &params, &m), MH_E_SHORT);
	ck_assert_int_eq(mh_decode(NULL, 0, &params, &m), MH_E_SHORT);
}
END_TEST

START_TEST(rejects_header_length_beyond_received)
{
	const struct golden *g = golden_find("pbu");
	struct mh_msg m;

	/* Header Len says 136 octets; fewer arrived */
	ck_assert_int_eq(mh_decode(g->bytes, g->len - 8, &params, &m), MH_E_HDRLEN);
	ck_assert_int_eq(mh_decode(g->bytes, 6, &params, &m), MH_E_HDRLEN);
	ck_assert_uint_eq(m.err_off, 1);
}
END_TEST

/* RFC 8200 §4.7: octets past a header whose next header is 59 (the Mobility Header's Payload
 * Proto) must be ignored; a peer may send them (padding of its own, a buggy length). */
START_TEST(ignores_bytes_beyond_header_length)
{
	const struct golden *g = golden_find("upa");
	uint8_t buf[64];
	struct mh_msg m, want;

	memcpy(buf, g->bytes, g->len);
	memset(buf + g->len, 0xa5, 8);
	ck_assert_int_eq(mh_decode(buf, g->len, &params, &want), MH_OK);
	ck_assert_int_eq(mh_decode(buf, g->len + 8, &params, &m), MH_OK);
	ck_assert_int_eq(m.type, MH_TYPE_UPA);
	ck_assert_uint_eq(m.u.upa.seq, want.u.upa.seq);
	ck_assert_uint_eq(m.u.upa.status, want.u.upa.status);
	ck_assert_uint_eq(m.opts.present, want.opts.present);
}
END_TEST

START_TEST(rejects_payload_proto_not_59)
{
	const struct golden *g = golden_find("pbu");
	uint8_t buf[256];
	struct mh_msg m;

	memcpy(buf, g->bytes, g->len);
	buf[0] = 6; /* TCP: a Mobility Header must be the last header */
	ck_assert_int_eq(mh_decode(buf, g->len, &params, &m), MH_E_PROTO);
}
END_TEST

START_TEST(rejects_unknown_type)
{
	const uint8_t types[] = { 0, 1, 2, 3, 4, 8, 12, 14, 17, 18, 21, 99, 255 };
	uint8_t buf[16];
	struct mh_msg m;

	for (size_t i = 0; i < sizeof(types); i++) {
		size_t len = msgbuild(buf, types[i], 6, NULL, 0);

		ck_assert_int_eq(mh_decode(buf, len, &params, &m), MH_E_TYPE);
		ck_assert_uint_eq(m.type, types[i]); /* so the caller can send a Binding Error */
	}
}
END_TEST

START_TEST(rejects_below_type_minimum)
{
	/* BU, BA, HB, BR, UPN and UPA need 12 octets, BE 24; Header Len 0 gives 8, 1 gives 16 */
	const uint8_t twelve[] = { MH_TYPE_BU, MH_TYPE_BA,  MH_TYPE_HB,
		                   MH_TYPE_BR, MH_TYPE_UPN, MH_TYPE_UPA };
	uint8_t buf[16] = { 59, 0 };
	struct mh_msg m;

	for (size_t i = 0; i < sizeof(twelve); i++) {
		buf[2] = twelve[i];
		ck_assert_int_eq(mh_decode(buf, 8, &params, &m), MH_E_MSGLEN);
	}
	buf[1] = 1;
	buf[2] = MH_TYPE_BE;
	ck_assert_int_eq(mh_decode(buf, 16, &params, &m), MH_E_MSGLEN);
}
END_TEST

START_TEST(minimal_messages_decode)
{
	const uint8_t types[] = { MH_TYPE_BU, MH_TYPE_BA,  MH_TYPE_HB,
		                  MH_TYPE_BR, MH_TYPE_UPN, MH_TYPE_UPA };
	uint8_t buf[16];
	struct mh_msg m;

	for (size_t i = 0; i < sizeof(types); i++) {
		size_t len = msgbuild(buf, types[i], 6, NULL, 0);

		ck_assert_uint_eq(len, 16);
		ck_assert_int_eq(mh_decode(buf, len, &params, &m), MH_OK);
		ck_assert_uint_eq(m.opts.present, 0);
	}
}
END_TEST

START_TEST(empty_mnid_only_in_ba)
{
	const uint8_t opt[] = { 8, 1, 1 }; /* MN-ID, length 1: subtype NAI, no identifier */
	uint8_t buf[32];
	struct mh_msg m;
	size_t len = msgbuild(buf, MH_TYPE_BA, 6, opt, sizeof(opt));

	buf[6] = 160; /* status MISSING_MN_IDENTIFIER_OPTION, which echoes an empty MN-ID */
	ck_assert_int_eq(mh_decode(buf, len, &params, &m), MH_OK);
	ck_assert(m.opts.present & MH_HAVE_MNID);
	ck_assert_uint_eq(m.opts.mnid.len, 0);
	len = msgbuild_bu(buf, opt, sizeof(opt));
	ck_assert_int_eq(mh_decode(buf, len, &params, &m), MH_E_MNID_EMPTY);
}
END_TEST

START_TEST(encode_pads_bare_message)
{
	const uint8_t want[] = {
		59, 1, 5, 0, 0, 0, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 1, 2, 0, 0
	};
	uint8_t out[64];
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_BU);
	m.u.bu.seq = 1;
	m.u.bu.flags = MH_BU_P;
	ck_assert_int_eq(mh_encode(&m, &params, out, sizeof(out)), sizeof(want));
	ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

START_TEST(encode_reports_no_space)
{
	const struct golden *g = golden_find("pba");
	uint8_t out[MH_MAX_LEN];
	struct mh_msg m;

	g->expect(&m);
	for (size_t cap = 0; cap < g->len; cap += 7)
		ck_assert_int_eq(mh_encode(&m, &params, out, cap), -MH_E_NOSPACE);
	ck_assert_int_eq(mh_encode(&m, &params, out, g->len), g->len);
}
END_TEST

START_TEST(encode_refuses_what_the_wire_cannot_carry)
{
	uint8_t out[MH_MAX_LEN];
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_BU);
	m.type = 99;
	ck_assert_int_eq(mh_encode(&m, &params, out, sizeof(out)), -MH_E_TYPE);
	mh_msg_init(&m, MH_TYPE_BU);
	m.opts.n_hnp = 1;
	m.opts.hnp[0].len = 129;
	ck_assert_int_eq(mh_encode(&m, &params, out, sizeof(out)), -MH_E_INVAL);
	mh_msg_init(&m, MH_TYPE_BU);
	m.opts.n_muho = MH_MAX_PREFIXES + 1;
	ck_assert_int_eq(mh_encode(&m, &params, out, sizeof(out)), -MH_E_INVAL);
	mh_msg_init(&m, MH_TYPE_BU);
	m.opts.present = MH_HAVE_MNLLID;
	m.opts.llid_len = MH_LLID_MAX + 1;
	ck_assert_int_eq(mh_encode(&m, &params, out, sizeof(out)), -MH_E_INVAL);
}
END_TEST

START_TEST(encode_fills_at_most_2048_octets)
{
	static uint8_t out[4096];
	struct mh_msg m;
	ssize_t n;

	mh_msg_init(&m, MH_TYPE_BA);
	mh_opts_set_nai(&m.opts, "a-rather-long-identifier-for-a-mobile-node@example.org");
	for (int i = 0; i < MH_MAX_PREFIXES; i++) {
		struct in6_addr a = IN6ADDR_ANY_INIT;

		a.s6_addr[0] = (uint8_t)i;
		ck_assert_int_eq(mh_opts_add_hnp(&m.opts, &a, 64), MH_OK);
		ck_assert_int_eq(mh_opts_add_muho(&m.opts, &a, 64), MH_OK);
	}
	n = mh_encode(&m, &params, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	ck_assert_int_le(n, MH_MAX_LEN);
	ck_assert_int_eq(n % 8, 0);
	ck_assert_uint_eq(out[1], n / 8 - 1);
}
END_TEST

START_TEST(errors_have_names_and_texts)
{
	for (int e = 0; e < MH_E_COUNT; e++) {
		ck_assert_ptr_nonnull(mh_strerror(e));
		ck_assert_str_ne(mh_err_name(e), "unknown");
		ck_assert_str_eq(mh_err_name(-e), mh_err_name(e));
		for (int f = 0; f < e; f++)
			ck_assert_str_ne(mh_err_name(e), mh_err_name(f));
	}
	ck_assert_str_eq(mh_err_name(MH_E_COUNT), "unknown");
	ck_assert_str_eq(mh_strerror(1000), "unknown error");
	ck_assert_str_eq(mh_type_name(200), "unknown");
}
END_TEST

/* RFC 7077 §4.1: the reason is 16 bits wide; A and D follow it; the 14 reserved bits are
 * ignored on receipt and sent as zero. */
START_TEST(upn_reason_is_16_bits_and_reserved_bits_are_ignored)
{
	static const uint8_t bytes[] = {
		59,   1,    19, 0, 0x00, 0x00, /* header len 1 (16 octets), MH type 19 */
		0x00, 0x01,                    /* 6: sequence 1 */
		0x01, 0x02,                    /* 8: reason 0x0102: an unassigned 16-bit value */
		0x7f,                          /* 10: A clear, D set, 6 reserved bits set */
		0xff,                          /* 11: 8 reserved bits set */
		1,    2,    0, 0,              /* 12: PadN to 16 */
	};
	uint8_t out[64];
	struct mh_msg m;

	ck_assert_int_eq(mh_decode(bytes, sizeof(bytes), &params, &m), MH_OK);
	ck_assert_uint_eq(m.u.upn.reason, 0x0102);
	ck_assert_uint_eq(m.u.upn.flags, MH_UPN_D);
	ck_assert_int_eq(mh_encode(&m, &params, out, sizeof(out)), 16);
	ck_assert_uint_eq(out[8], 0x01);
	ck_assert_uint_eq(out[9], 0x02);
	ck_assert_uint_eq(out[10], 0x40); /* D only: reserved bits go out as zero */
	ck_assert_uint_eq(out[11], 0x00);
}
END_TEST

static Suite *mh_suite(void)
{
	Suite *s = suite_create("mh");
	TCase *golden = tcase_create("golden");
	TCase *header = tcase_create("header");
	TCase *encode = tcase_create("encode");

	tcase_add_unchecked_fixture(golden, setup, NULL);
	tcase_add_loop_test(golden, golden_decodes, 0, (int)golden_count);
	tcase_add_loop_test(golden, golden_encodes_byte_for_byte, 0, (int)golden_count);
	tcase_add_loop_test(golden, golden_names_their_type, 0, (int)golden_count);
	suite_add_tcase(s, golden);

	tcase_add_unchecked_fixture(header, setup, NULL);
	tcase_add_test(header, rejects_shorter_than_header);
	tcase_add_test(header, rejects_header_length_beyond_received);
	tcase_add_test(header, ignores_bytes_beyond_header_length);
	tcase_add_test(header, rejects_payload_proto_not_59);
	tcase_add_test(header, rejects_unknown_type);
	tcase_add_test(header, rejects_below_type_minimum);
	tcase_add_test(header, minimal_messages_decode);
	tcase_add_test(header, empty_mnid_only_in_ba);
	tcase_add_test(header, upn_reason_is_16_bits_and_reserved_bits_are_ignored);
	suite_add_tcase(s, header);

	tcase_add_unchecked_fixture(encode, setup, NULL);
	tcase_add_test(encode, encode_pads_bare_message);
	tcase_add_test(encode, encode_reports_no_space);
	tcase_add_test(encode, encode_refuses_what_the_wire_cannot_carry);
	tcase_add_test(encode, encode_fills_at_most_2048_octets);
	tcase_add_test(encode, errors_have_names_and_texts);
	suite_add_tcase(s, encode);
	return s;
}

CHECK_MAIN(mh_suite)
