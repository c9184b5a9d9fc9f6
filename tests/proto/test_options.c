/* test_options.c: the Mobility Options walk (proto/options.c, RFC 6275 §6.2, RFC 5213 §8,
 * RFC 4283 §3, RFC 5847 §3.4): padding, unknown options, the MuHo type setting, each rejection
 * rule with its own error code, and the alignment the encoder gives every option. */
#include <arpa/inet.h>
#include <stdio.h>

#include "proto/mh.h"
#include "tests/check_main.h"
#include "tests/proto/msgbuild.h"

#define HNP_OPT(type, plen)                                                                        \
	(type), 18, 0, (plen), 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static struct mh_params params = { .muho_type = MH_MUHO_TYPE_DEFAULT };

static int decode_bu_opts(const uint8_t *opts, size_t n, struct mh_msg *m)
{
	uint8_t buf[MH_MAX_LEN];
	size_t len = msgbuild_bu(buf, opts, n);

	return mh_decode(buf, len, &params, m);
}

START_TEST(pad1_and_padn_are_skipped)
{
	const uint8_t opts[] = { 0, 0, 1, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0xff, 23, 2, 0, 3, 0 };
	struct mh_msg m;

	/* PadN contents MUST be ignored (RFC 6275 §6.2.3), even when not zero */
	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_OK);
	ck_assert_uint_eq(m.opts.present, MH_HAVE_HI);
	ck_assert_uint_eq(m.opts.hi, 3);
	ck_assert_uint_eq(m.opts.n_unknown, 0);
}
END_TEST

START_TEST(unknown_options_are_skipped_and_counted)
{
	const uint8_t opts[] = { 200, 3, 1, 2, 3, 33, 0, 24, 2, 0, 8, 19, 5, 0, 0, 0, 9, 1 };
	struct mh_msg m;

	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_OK);
	ck_assert_uint_eq(m.opts.n_unknown, 3);
	ck_assert_uint_eq(m.opts.present, MH_HAVE_ATT);
	ck_assert_uint_eq(m.opts.att, 8);
}
END_TEST

START_TEST(prefixes_may_repeat)
{
	const uint8_t opts[] = { HNP_OPT(22, 64), HNP_OPT(22, 48), HNP_OPT(18, 64),
		                 HNP_OPT(18, 0) };
	struct mh_msg m;

	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_OK);
	ck_assert_uint_eq(m.opts.n_hnp, 2);
	ck_assert_uint_eq(m.opts.hnp[0].len, 64);
	ck_assert_uint_eq(m.opts.hnp[1].len, 48);
	ck_assert_uint_eq(m.opts.hnp[0].addr.s6_addr[1], 0x01);
	ck_assert_uint_eq(m.opts.n_muho, 2);
	ck_assert_uint_eq(m.opts.muho[1].len, 0);
}
END_TEST

START_TEST(muho_type_is_a_setting)
{
	const uint8_t opts[] = { HNP_OPT(18, 64), HNP_OPT(201, 56) };
	struct mh_params other = { .muho_type = 201 };
	uint8_t buf[128], out[128];
	struct mh_msg m;
	size_t len = msgbuild_bu(buf, opts, sizeof(opts));
	ssize_t n;

	ck_assert_int_eq(mh_decode(buf, len, &other, &m), MH_OK);
	ck_assert_uint_eq(m.opts.n_muho, 1);
	ck_assert_uint_eq(m.opts.muho[0].len, 56);
	ck_assert_uint_eq(m.opts.n_unknown, 1); /* type 18 is nothing special then */
	n = mh_encode(&m, &other, out, sizeof(out));
	ck_assert_int_eq(n, 32); /* header 12, MuHo at 12 = 8n+4 needs no padding */
	ck_assert_uint_eq(out[12], 201);
}
END_TEST

START_TEST(muho_type_must_not_shadow_a_known_option)
{
	const unsigned bad[] = { 0, 1, 8, 22, 23, 24, 25, 26, 27, 28, 256 };
	const unsigned good[] = { 18, 2, 100, 201, 255 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!mh_muho_type_usable(bad[i]), "type %u accepted", bad[i]);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(mh_muho_type_usable(good[i]), "type %u refused", good[i]);
}
END_TEST

START_TEST(non_nai_identifiers_are_binary)
{
	const uint8_t opts[] = { 8, 7, 5, 0x00, 0x1b, 0x21, 0xff, 0x00, 0x01 }; /* EUI-48 subtype */
	struct mh_msg m;

	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_OK);
	ck_assert_uint_eq(m.opts.mnid.subtype, 5);
	ck_assert_uint_eq(m.opts.mnid.len, 6);
	ck_assert_uint_eq(m.opts.mnid.id[3], 0xff);
}
END_TEST

START_TEST(longest_identifier_is_accepted)
{
	uint8_t opts[2 + 1 + MH_MNID_MAX];
	struct mh_msg m;

	opts[0] = 8;
	opts[1] = 1 + MH_MNID_MAX;
	opts[2] = 1;
	memset(opts + 3, 'a', MH_MNID_MAX);
	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_OK);
	ck_assert_uint_eq(m.opts.mnid.len, MH_MNID_MAX);
}
END_TEST

/* --- one test per rejection rule --- */

START_TEST(rejects_option_header_cut_by_the_end)
{
	const uint8_t opts[] = { 23, 2, 0, 1, 22 }; /* the last option has a type but no length */
	struct mh_msg m;

	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_E_OPT_TRUNC);
	ck_assert_int_eq(m.err_opt, 22);
}
END_TEST

START_TEST(rejects_option_overrunning_the_message)
{
	const uint8_t opts[] = { 24, 2, 0, 4, 23, 9, 0, 1 };
	const uint8_t unknown[] = { 99, 30, 0, 0 };
	struct mh_msg m;

	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_E_OPT_OVERRUN);
	ck_assert_int_eq(m.err_opt, 23);
	/* unknown options are skipped, but only when they fit */
	ck_assert_int_eq(decode_bu_opts(unknown, sizeof(unknown), &m), MH_E_OPT_OVERRUN);
	/* and PadN is an option like any other */
	ck_assert_int_eq(decode_bu_opts((const uint8_t[]){ 1, 3, 0, 0 }, 4, &m), MH_E_OPT_OVERRUN);
}
END_TEST

static void assert_bad_length(uint8_t type, uint8_t len)
{
	uint8_t opts[2 + 255] = { type, len };
	struct mh_msg m;

	memset(opts + 2, 0, len);
	opts[3] = (type == MH_OPT_HNP || type == MH_MUHO_TYPE_DEFAULT) ? 64 : 1;
	ck_assert_msg(decode_bu_opts(opts, 2u + len, &m) == MH_E_OPT_LEN,
	              "option %u with length %u accepted", type, len);
	ck_assert_int_eq(m.err_opt, type);
}

START_TEST(rejects_wrong_fixed_lengths)
{
	assert_bad_length(MH_OPT_HNP, 17);
	assert_bad_length(MH_OPT_HNP, 19);
	assert_bad_length(MH_OPT_HNP, 0);
	assert_bad_length(MH_MUHO_TYPE_DEFAULT, 17);
	assert_bad_length(MH_MUHO_TYPE_DEFAULT, 20);
	assert_bad_length(MH_OPT_HI, 1);
	assert_bad_length(MH_OPT_HI, 3);
	assert_bad_length(MH_OPT_ATT, 0);
	assert_bad_length(MH_OPT_ATT, 4);
	assert_bad_length(MH_OPT_LLA, 15);
	assert_bad_length(MH_OPT_LLA, 17);
	assert_bad_length(MH_OPT_TIMESTAMP, 7);
	assert_bad_length(MH_OPT_TIMESTAMP, 9);
	assert_bad_length(MH_OPT_RESTART_COUNTER, 3);
	assert_bad_length(MH_OPT_RESTART_COUNTER, 5);
}
END_TEST

START_TEST(rejects_variable_lengths_out_of_range)
{
	assert_bad_length(MH_OPT_MNID, 0);   /* not even a subtype */
	assert_bad_length(MH_OPT_MNLLID, 2); /* reserved bits but no identifier */
	assert_bad_length(MH_OPT_MNLLID, 2 + MH_LLID_MAX + 1);
}
END_TEST

START_TEST(rejects_prefix_length_over_128)
{
	const uint8_t hnp[] = { HNP_OPT(22, 129) };
	const uint8_t muho[] = { HNP_OPT(18, 255) };
	const uint8_t ok[] = { HNP_OPT(22, 128) };
	struct mh_msg m;

	ck_assert_int_eq(decode_bu_opts(hnp, sizeof(hnp), &m), MH_E_PREFIXLEN);
	ck_assert_int_eq(decode_bu_opts(muho, sizeof(muho), &m), MH_E_PREFIXLEN);
	ck_assert_int_eq(decode_bu_opts(ok, sizeof(ok), &m), MH_OK);
}
END_TEST

START_TEST(rejects_empty_identifier)
{
	const uint8_t opts[] = { 8, 1, 1 };
	struct mh_msg m;

	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_E_MNID_EMPTY);
}
END_TEST

START_TEST(rejects_oversized_identifier)
{
	uint8_t opts[2 + 255];
	struct mh_msg m;

	opts[0] = 8;
	opts[1] = 255; /* subtype + 254 octets: over the 253 of RFC 7542 */
	opts[2] = 1;
	memset(opts + 3, 'a', 254);
	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_E_MNID_LONG);
}
END_TEST

START_TEST(rejects_nai_with_unprintable_bytes)
{
	const uint8_t bad[] = { 0x00, ' ', '\t', '\n', 0x7f, 0x80, 0xff };
	uint8_t opts[] = { 8, 5, 1, 'm', 'n', '@', 'x' };
	struct mh_msg m;

	for (size_t i = 0; i < sizeof(bad); i++) {
		opts[4] = bad[i];
		ck_assert_msg(decode_bu_opts(opts, sizeof(opts), &m) == MH_E_NAI,
		              "NAI octet 0x%02x accepted", bad[i]);
	}
	opts[4] = '-';
	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_OK);
}
END_TEST

static void assert_duplicate(const uint8_t *opt, size_t n)
{
	uint8_t opts[64];
	struct mh_msg m;

	memcpy(opts, opt, n);
	memcpy(opts + n, opt, n);
	ck_assert_msg(decode_bu_opts(opts, n, &m) == MH_OK, "option %u alone refused", opt[0]);
	ck_assert_msg(decode_bu_opts(opts, 2 * n, &m) == MH_E_OPT_DUP, "option %u repeated",
	              opt[0]);
	ck_assert_int_eq(m.err_opt, opt[0]);
}

START_TEST(rejects_repeated_single_instance_options)
{
	assert_duplicate((const uint8_t[]){ 8, 3, 1, 'a', 'b' }, 5);
	assert_duplicate((const uint8_t[]){ 23, 2, 0, 1 }, 4);
	assert_duplicate((const uint8_t[]){ 24, 2, 0, 4 }, 4);
	assert_duplicate((const uint8_t[]){ 25, 8, 0, 0, 2, 0, 0, 0, 1, 1 }, 10);
	assert_duplicate(
	        (const uint8_t[]){ 26, 16, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	        18);
	assert_duplicate((const uint8_t[]){ 27, 8, 0, 0, 0x69, 0, 0, 0, 0, 0 }, 10);
	assert_duplicate((const uint8_t[]){ 28, 4, 0, 0, 0, 1 }, 6);
}
END_TEST

START_TEST(rejects_too_many_prefixes)
{
	static uint8_t opts[(MH_MAX_PREFIXES + 1) * 20];
	const uint8_t one[] = { HNP_OPT(22, 64) };
	struct mh_msg m;

	for (int i = 0; i <= MH_MAX_PREFIXES; i++)
		memcpy(opts + 20 * i, one, sizeof(one));
	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts) - 20, &m), MH_OK);
	ck_assert_uint_eq(m.opts.n_hnp, MH_MAX_PREFIXES);
	ck_assert_int_eq(decode_bu_opts(opts, sizeof(opts), &m), MH_E_OPT_MANY);
}
END_TEST

/* --- encoding: alignment --- */

struct placed {
	uint8_t type;
	size_t off;
};

/* An independent walk of an encoded message: where each non-padding option starts. */
static size_t walk(const uint8_t *buf, size_t len, struct placed *out, size_t max)
{
	size_t n = 0, i = 12;

	while (i < len && n < max) {
		if (buf[i] == 0) {
			i++;
			continue;
		}
		if (buf[i] != 1)
			out[n++] = (struct placed){ buf[i], i };
		i += 2u + buf[i + 1];
	}
	ck_assert_uint_eq(i, len);
	return n;
}

static unsigned alignment_of(uint8_t type, unsigned *x)
{
	*x = 8;
	switch (type) {
	case MH_OPT_HNP:
	case MH_MUHO_TYPE_DEFAULT:
		return 4;
	case MH_OPT_MNLLID:
	case MH_OPT_TIMESTAMP:
		return 2;
	case MH_OPT_LLA:
		return 6;
	case MH_OPT_RESTART_COUNTER:
		*x = 4;
		return 2;
	}
	*x = 1;
	return 0;
}

START_TEST(every_option_at_its_alignment)
{
	/* an MN-ID of 1 to 8 octets shifts everything after it through every residue mod 8 */
	uint8_t out[MH_MAX_LEN];
	struct placed placed[16];
	struct mh_msg m;
	char nai[9] = "abcdefgh";

	for (int shift = 1; shift <= 8; shift++) {
		ssize_t len;
		size_t n;

		mh_msg_init(&m, MH_TYPE_BU);
		nai[shift] = '\0';
		ck_assert_int_eq(mh_opts_set_nai(&m.opts, nai), MH_OK);
		nai[shift] = "abcdefgh"[shift];
		mh_opts_add_hnp(&m.opts, &in6addr_any, 0);
		mh_opts_add_muho(&m.opts, &in6addr_any, 0);
		m.opts.present |= MH_HAVE_HI | MH_HAVE_ATT | MH_HAVE_MNLLID | MH_HAVE_LLA |
		                  MH_HAVE_TIMESTAMP | MH_HAVE_RESTART_COUNTER;
		m.opts.llid_len = 6;
		len = mh_encode(&m, &params, out, sizeof(out));
		ck_assert_int_gt(len, 0);
		ck_assert_int_eq(len % 8, 0);
		n = walk(out, (size_t)len, placed, 16);
		ck_assert_uint_eq(n, 9);
		for (size_t i = 0; i < n; i++) {
			unsigned x, y = alignment_of(placed[i].type, &x);

			ck_assert_msg(placed[i].off % x == y, "option %u at %zu, want %un+%u",
			              placed[i].type, placed[i].off, x, y);
		}
	}
}
END_TEST

START_TEST(helpers_validate_their_input)
{
	struct mh_opts o;
	char long_nai[MH_MNID_MAX + 2];

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(mh_opts_set_nai(&o, ""), MH_E_INVAL);
	ck_assert_int_eq(mh_opts_set_nai(&o, "bad nai@x"), MH_E_INVAL);
	memset(long_nai, 'a', sizeof(long_nai) - 1);
	long_nai[sizeof(long_nai) - 1] = '\0';
	ck_assert_int_eq(mh_opts_set_nai(&o, long_nai), MH_E_INVAL);
	ck_assert_uint_eq(o.present, 0);
	ck_assert_int_eq(mh_opts_add_hnp(&o, &in6addr_any, 129), MH_E_INVAL);
	for (int i = 0; i < MH_MAX_PREFIXES; i++)
		ck_assert_int_eq(mh_opts_add_muho(&o, &in6addr_any, 64), MH_OK);
	ck_assert_int_eq(mh_opts_add_muho(&o, &in6addr_any, 64), MH_E_INVAL);
	ck_assert_uint_eq(o.n_muho, MH_MAX_PREFIXES);
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *walk_tc = tcase_create("walk");
	TCase *reject = tcase_create("reject");
	TCase *encode = tcase_create("encode");

	tcase_add_test(walk_tc, pad1_and_padn_are_skipped);
	tcase_add_test(walk_tc, unknown_options_are_skipped_and_counted);
	tcase_add_test(walk_tc, prefixes_may_repeat);
	tcase_add_test(walk_tc, muho_type_is_a_setting);
	tcase_add_test(walk_tc, muho_type_must_not_shadow_a_known_option);
	tcase_add_test(walk_tc, non_nai_identifiers_are_binary);
	tcase_add_test(walk_tc, longest_identifier_is_accepted);
	suite_add_tcase(s, walk_tc);

	tcase_add_test(reject, rejects_option_header_cut_by_the_end);
	tcase_add_test(reject, rejects_option_overrunning_the_message);
	tcase_add_test(reject, rejects_wrong_fixed_lengths);
	tcase_add_test(reject, rejects_variable_lengths_out_of_range);
	tcase_add_test(reject, rejects_prefix_length_over_128);
	tcase_add_test(reject, rejects_empty_identifier);
	tcase_add_test(reject, rejects_oversized_identifier);
	tcase_add_test(reject, rejects_nai_with_unprintable_bytes);
	tcase_add_test(reject, rejects_repeated_single_instance_options);
	tcase_add_test(reject, rejects_too_many_prefixes);
	suite_add_tcase(s, reject);

	tcase_add_test(encode, every_option_at_its_alignment);
	tcase_add_test(encode, helpers_validate_their_input);
	suite_add_tcase(s, encode);
	return s;
}

CHECK_MAIN(options_suite)
