/* replay.c: a fuzz target's seeds and regression inputs replayed as a Check test, so that
 * `make check` in every build (gcc, valgrind, ASan) runs what the fuzzer found, without
 * libFuzzer. Linked with one target's source; FUZZ_NAME names it: its inputs are
 * $FUZZ_SEEDS_DIR/FUZZ_NAME/ and $REGRESS_DIR/FUZZ_NAME/. Each input is in a heap block of
 * exactly its size, as libFuzzer gives it, so that ASan sees a one-octet over-read. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_main.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay_file(const char *path)
{
	uint8_t *buf;
	long len;
	FILE *f = fopen(path, "rb");

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_ge(len, 0);
	rewind(f);
	buf = malloc(len ? (size_t)len : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
}

/* Replays every file in $env/FUZZ_NAME; returns how many (0 if there is no such directory). */
static unsigned replay_dir(const char *env)
{
	const char *top = getenv(env);
	char dir[1024], path[2048];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	ck_assert_msg(top != NULL, "%s is not set (run through make check)", env);
	snprintf(dir, sizeof(dir), "%s/%s", top, FUZZ_NAME);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		replay_file(path);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(seeds)
{
	ck_assert_uint_gt(replay_dir("FUZZ_SEEDS_DIR"), 0);
}
END_TEST

START_TEST(regression_inputs)
{
	(void)replay_dir("REGRESS_DIR");
}
END_TEST

static Suite *replay_suite(void)
{
	Suite *s = suite_create(FUZZ_NAME);
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, seeds);
	tcase_add_test(tc, regression_inputs);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(replay_suite)
