/* test_wire.c: the bounds-checked cursor of proto/wire.h: byte order, sticky errors, sub-cursors,
 * read-only protection. */
#include "proto/wire.h"
#include "tests/check_main.h"

START_TEST(reads_big_endian)
{
	const uint8_t buf[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		                0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	struct wire w;

	wire_init_read(&w, buf, sizeof(buf));
	ck_assert_uint_eq(wire_get_u8(&w), 0x01);
	ck_assert_uint_eq(wire_get_u16(&w), 0x0203);
	ck_assert_uint_eq(wire_get_u32(&w), 0x04050607);
	ck_assert_uint_eq(wire_get_u64(&w), 0x08090a0b0c0d0e0full);
	ck_assert_int_eq(w.err, WIRE_OK);
	ck_assert_uint_eq(wire_left(&w), 0);
}
END_TEST

START_TEST(overrun_is_sticky_and_reads_zero)
{
	const uint8_t buf[] = { 0xff, 0xff, 0xff };
	struct wire w;

	wire_init_read(&w, buf, sizeof(buf));
	ck_assert_uint_eq(wire_get_u32(&w), 0);
	ck_assert_int_eq(w.err, WIRE_EOVERRUN);
	/* nothing more is read, not even what would fit */
	ck_assert_uint_eq(wire_get_u8(&w), 0);
	ck_assert_uint_eq(w.pos, 0);
	ck_assert_uint_eq(wire_left(&w), 0);
}
END_TEST

START_TEST(get_bytes_zeroes_on_overrun)
{
	const uint8_t buf[] = { 1, 2 };
	uint8_t out[4] = { 9, 9, 9, 9 };
	struct wire w;

	wire_init_read(&w, buf, sizeof(buf));
	wire_get_bytes(&w, out, sizeof(out));
	ck_assert_int_eq(w.err, WIRE_EOVERRUN);
	for (size_t i = 0; i < sizeof(out); i++)
		ck_assert_uint_eq(out[i], 0);
}
END_TEST

START_TEST(sub_cursor_is_confined)
{
	const uint8_t buf[] = { 0xaa, 0xbb, 0xcc, 0xdd };
	struct wire w, sub;

	wire_init_read(&w, buf, sizeof(buf));
	wire_sub(&w, 2, &sub);
	ck_assert_uint_eq(wire_left(&w), 2);
	ck_assert_uint_eq(wire_get_u16(&sub), 0xaabb);
	ck_assert_uint_eq(wire_get_u8(&sub), 0); /* cannot read into the neighbour */
	ck_assert_int_eq(sub.err, WIRE_EOVERRUN);
	ck_assert_int_eq(w.err, WIRE_OK);
	ck_assert_uint_eq(wire_get_u16(&w), 0xccdd);
}
END_TEST

START_TEST(sub_cursor_beyond_end_fails_both)
{
	const uint8_t buf[] = { 1, 2, 3 };
	struct wire w, sub;

	wire_init_read(&w, buf, sizeof(buf));
	wire_sub(&w, 4, &sub);
	ck_assert_int_eq(w.err, WIRE_EOVERRUN);
	ck_assert_int_eq(sub.err, WIRE_EOVERRUN);
	ck_assert_uint_eq(wire_left(&sub), 0);
}
END_TEST

START_TEST(writes_big_endian_and_patches)
{
	uint8_t buf[16];
	const uint8_t want[] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0, 0, 0, 0, 0, 0, 0, 0x2a
	};
	struct wire w;

	wire_init_write(&w, buf, sizeof(buf));
	wire_put_u8(&w, 0x11);
	wire_put_u16(&w, 0x2233);
	wire_put_u32(&w, 0x44556677);
	wire_put_zero(&w, 7);
	wire_put_u8(&w, 0);
	wire_patch_u8(&w, 14, 0x2a);
	ck_assert_int_eq(w.err, WIRE_OK);
	ck_assert_uint_eq(w.pos, 15);
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

START_TEST(write_overrun_leaves_buffer_alone)
{
	uint8_t buf[3] = { 7, 7, 7 };
	struct wire w;

	wire_init_write(&w, buf, 2);
	wire_put_u32(&w, 0xdeadbeef);
	ck_assert_int_eq(w.err, WIRE_EOVERRUN);
	ck_assert_uint_eq(buf[0], 7);
	ck_assert_uint_eq(buf[2], 7);
	wire_patch_u8(&w, 0, 1);
	ck_assert_uint_eq(buf[0], 7);
}
END_TEST

START_TEST(patch_beyond_written_fails)
{
	uint8_t buf[4];
	struct wire w;

	wire_init_write(&w, buf, sizeof(buf));
	wire_put_u8(&w, 1);
	wire_patch_u8(&w, 1, 2);
	ck_assert_int_eq(w.err, WIRE_EOVERRUN);
}
END_TEST

START_TEST(read_cursor_refuses_writes)
{
	const uint8_t buf[4] = { 1, 2, 3, 4 };
	struct wire w;

	wire_init_read(&w, buf, sizeof(buf));
	wire_put_u8(&w, 9);
	ck_assert_int_eq(w.err, WIRE_ERDONLY);
	ck_assert_uint_eq(buf[0], 1);
}
END_TEST

START_TEST(null_buffer_has_no_room)
{
	struct wire w;

	wire_init_read(&w, NULL, 100);
	ck_assert_uint_eq(wire_left(&w), 0);
	ck_assert_uint_eq(wire_get_u8(&w), 0);
	ck_assert_int_eq(w.err, WIRE_EOVERRUN);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("cursor");

	tcase_add_test(tc, reads_big_endian);
	tcase_add_test(tc, overrun_is_sticky_and_reads_zero);
	tcase_add_test(tc, get_bytes_zeroes_on_overrun);
	tcase_add_test(tc, sub_cursor_is_confined);
	tcase_add_test(tc, sub_cursor_beyond_end_fails_both);
	tcase_add_test(tc, writes_big_endian_and_patches);
	tcase_add_test(tc, write_overrun_leaves_buffer_alone);
	tcase_add_test(tc, patch_beyond_written_fails);
	tcase_add_test(tc, read_cursor_refuses_writes);
	tcase_add_test(tc, null_buffer_has_no_room);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(wire_suite)
