/* test_mutation.c: randomised truncation and length mutation around the decoder of every
 * message kind. Each input is copied into a heap block of exactly its size, so that under
 * AddressSanitizer a read one octet past the end is caught. The generator is seeded: every run
 * tries the same inputs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto/mh.h"
#include "tests/check_main.h"
#include "tests/proto/golden.h"

static struct mh_params params = { .muho_type = MH_MUHO_TYPE_DEFAULT };

static uint64_t rng_state;

static uint32_t rng_next(void)
{
	/* xorshift64*: small, seedable, good enough to pick positions and values */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Decodes an exact-size copy; checks the result is a known code and the counts are bounded. */
static int decode_exact(const uint8_t *bytes, size_t len, struct mh_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, bytes, len);
	rc = mh_decode(copy, len, &params, m);
	free(copy);
	ck_assert_int_ge(rc, MH_OK);
	ck_assert_int_lt(rc, MH_E_COUNT);
	ck_assert_uint_le(m->opts.n_hnp, MH_MAX_PREFIXES);
	ck_assert_uint_le(m->opts.n_muho, MH_MAX_PREFIXES);
	ck_assert_uint_le(m->opts.mnid.len, MH_MNID_MAX);
	ck_assert_uint_le(m->opts.llid_len, MH_LLID_MAX);
	return rc;
}

/* Offsets of the Length octet of every option in a well-formed message. */
static size_t option_length_offsets(const uint8_t *b, size_t len, size_t *out, size_t max)
{
	size_t i = b[2] == MH_TYPE_BE ? 24 : 12, n = 0;

	while (i < len && n < max) {
		if (b[i] == MH_OPT_PAD1) {
			i++;
			continue;
		}
		out[n++] = i + 1;
		i += 2u + b[i + 1];
	}
	return n;
}

START_TEST(every_truncation_is_refused)
{
	const struct golden *g = &golden_vectors[_i];
	struct mh_msg m;

	for (size_t len = 0; len < g->len; len++) {
		int rc = decode_exact(g->bytes, len, &m);

		ck_assert_int_eq(rc, len < 6 ? MH_E_SHORT : MH_E_HDRLEN);
	}
}
END_TEST

START_TEST(truncation_with_matching_header_length)
{
	/* Cut at each 8-octet boundary and make Header Len agree: the option walk meets an
	 * option cut in the middle; any result but a crash or an over-read is acceptable. */
	const struct golden *g = &golden_vectors[_i];
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;

	memcpy(buf, g->bytes, g->len);
	for (size_t len = 8; len < g->len; len += 8) {
		buf[1] = (uint8_t)(len / 8 - 1);
		(void)decode_exact(buf, len, &m);
	}
}
END_TEST

START_TEST(every_option_length_value)
{
	const struct golden *g = &golden_vectors[_i];
	size_t offs[64], n = option_length_offsets(g->bytes, g->len, offs, 64);
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;

	for (size_t k = 0; k < n; k++) {
		size_t left = g->len - offs[k] - 1;

		memcpy(buf, g->bytes, g->len);
		for (unsigned v = 0; v < 256; v++) {
			int rc;

			buf[offs[k]] = (uint8_t)v;
			rc = decode_exact(buf, g->len, &m);
			if (v > left)
				ck_assert_int_eq(rc, MH_E_OPT_OVERRUN);
			if (v == g->bytes[offs[k]])
				ck_assert_int_eq(rc, MH_OK);
		}
	}
}
END_TEST

START_TEST(every_header_length_value)
{
	const struct golden *g = &golden_vectors[_i];
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;

	memcpy(buf, g->bytes, g->len);
	for (unsigned v = 0; v < 256; v++) {
		size_t declared = (v + 1) * 8;
		int rc;

		buf[1] = (uint8_t)v;
		rc = decode_exact(buf, g->len, &m);
		if (declared > g->len)
			ck_assert_int_eq(rc, MH_E_HDRLEN);
		else if (declared < g->len) /* the rest ignored (RFC 8200 §4.7): as if cut there */
			ck_assert_int_eq(rc, decode_exact(buf, declared, &m));
		else
			ck_assert_int_eq(rc, MH_OK);
	}
}
END_TEST

START_TEST(random_octet_mutations)
{
	const struct golden *g = &golden_vectors[_i];
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;

	rng_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)_i;
	for (int round = 0; round < 20000; round++) {
		int flips = 1 + (int)(rng_next() % 4);

		memcpy(buf, g->bytes, g->len);
		for (int f = 0; f < flips; f++)
			buf[rng_next() % g->len] = (uint8_t)rng_next();
		(void)decode_exact(buf, g->len, &m);
	}
}
END_TEST

START_TEST(random_lengths_and_contents)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;

	rng_state = 0x243f6a8885a308d3ull;
	for (int round = 0; round < 20000; round++) {
		size_t len = rng_next() % 200;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng_next();
		if (len > 2 && rng_next() % 2) { /* often a plausible header, to reach options */
			buf[0] = 59;
			buf[1] = (uint8_t)(len / 8 ? len / 8 - 1 : 0);
			buf[2] = (uint8_t)(rng_next() % 2 ? 5 : 6);
			len = ((size_t)buf[1] + 1) * 8 <= len ? ((size_t)buf[1] + 1) * 8 : len;
		}
		(void)decode_exact(buf, len, &m);
	}
}
END_TEST

/* Every input in tests/fuzz/regress is named EXPECTED--why, EXPECTED being mh_err_name() of the
 * result ("ok" when it must decode): bug classes other implementations had, and every crasher
 * the fuzzer ever finds. */
static void regress_one(const char *dir, const char *name)
{
	uint8_t buf[MH_MAX_LEN + 64];
	char path[1024], want[32];
	const char *sep = strstr(name, "--");
	struct mh_msg m;
	size_t len;
	FILE *f;
	int rc;

	ck_assert_msg(sep && (size_t)(sep - name) < sizeof(want), "%s: name it EXPECTED--why",
	              name);
	snprintf(want, sizeof(want), "%.*s", (int)(sep - name), name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: cannot open", path);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	rc = decode_exact(buf, len, &m);
	ck_assert_msg(strcmp(mh_err_name(rc), want) == 0, "%s: got %s", name, mh_err_name(rc));
}

START_TEST(regression_inputs)
{
	const char *dir = getenv("REGRESS_DIR");
	struct dirent *e;
	int seen = 0;
	DIR *d;

	ck_assert_msg(dir != NULL, "REGRESS_DIR is not set (run through make check)");
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type == DT_DIR)
			continue; /* the other fuzz targets' inputs, replayed by test_replay_* */
		regress_one(dir, e->d_name);
		seen++;
	}
	closedir(d);
	ck_assert_int_ge(seen, 7);
}
END_TEST

static Suite *mutation_suite(void)
{
	Suite *s = suite_create("mutation");
	TCase *tc = tcase_create("decoders");
	int n = (int)golden_count;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, every_truncation_is_refused, 0, n);
	tcase_add_loop_test(tc, truncation_with_matching_header_length, 0, n);
	tcase_add_loop_test(tc, every_option_length_value, 0, n);
	tcase_add_loop_test(tc, every_header_length_value, 0, n);
	tcase_add_loop_test(tc, random_octet_mutations, 0, n);
	tcase_add_test(tc, random_lengths_and_contents);
	tcase_add_test(tc, regression_inputs);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(mutation_suite)
