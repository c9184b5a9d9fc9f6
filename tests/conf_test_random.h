/* conf_test_random.h: part two of tests/conf_test.h, the random-input tests both configuration
 * suites run: truncations of a full example, random bytes and soups of the grammar's own tokens,
 * each of which may only ever give a configuration that prints and parses back to itself, or one
 * "t.conf:N: message" error, never a crash. Included after the includer's check_any_input(),
 * full_example[] and vocab[] (with N_VOCAB). */
#ifndef TESTS_CONF_TEST_RANDOM_H
#define TESTS_CONF_TEST_RANDOM_H

static size_t token_soup(char *buf, size_t size, size_t used)
{
	unsigned n = (unsigned)(rng() % 40);

	for (unsigned i = 0; i < n; i++) {
		const char *w = vocab[rng() % N_VOCAB];
		size_t wl = strlen(w);

		if (used + wl + 2 > size)
			break;
		memcpy(buf + used, w, wl);
		used += wl;
		buf[used++] = rng() % 3 ? ' ' : '\n';
	}
	return used;
}

START_TEST(random_truncations)
{
	size_t n = strlen(full_example);

	ck_assert(check_any_input(full_example, n));
	for (size_t i = 0; i < n; i++)
		check_any_input(full_example, i);
}
END_TEST

START_TEST(random_bytes)
{
	char buf[700];

	rng_state = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = rng() % sizeof(buf);

		for (size_t i = 0; i < len; i++) {
			uint64_t r = rng();
			/* mostly printable, with newlines, braces and quotes, now and then any byte
			 */
			buf[i] =
			        r % 16 == 0 ? (char)(r >> 8) : "ab {}\"#\n\\/:.9ms@"[(r >> 8) % 17];
		}
		check_any_input(buf, len);
	}
}
END_TEST

START_TEST(random_token_soup)
{
	char buf[2048];
	unsigned parsed = 0;

	rng_state = 0x243f6a8885a308d3ull;
	for (int iter = 0; iter < 6000; iter++) {
		size_t used = 0;

		if (iter % 2 == 0) {
			memcpy(buf, BASE, strlen(BASE));
			used = strlen(BASE);
		}
		used = token_soup(buf, sizeof(buf), used);
		parsed += check_any_input(buf, used);
	}
	ck_assert_uint_gt(parsed, 0); /* the round trip was exercised too */
}
END_TEST

#endif
