/* write_seeds.c: writes the golden vectors (tests/proto/golden.c) as files into a directory,
 * the seed corpus of the fuzzer, so seeds never drift from the vectors the unit tests check; and
 * two messages at the codec's limits (most prefixes, longest identifier), which random mutation
 * would hardly reach on its own. */
#include <stdio.h>
#include <string.h>

#include "tests/proto/golden.h"

static int write_file(const char *dir, const char *name, const uint8_t *bytes, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(bytes, len, 1, f) != 1 || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

static int write_limits(const char *dir)
{
	struct mh_params p = { .muho_type = MH_MUHO_TYPE_DEFAULT };
	static uint8_t buf[MH_MAX_LEN];
	char nai[MH_MNID_MAX + 1];
	struct mh_msg m;
	ssize_t n;

	mh_msg_init(&m, MH_TYPE_BA);
	for (int i = 0; i < MH_MAX_PREFIXES; i++) {
		struct in6_addr a = IN6ADDR_ANY_INIT;

		a.s6_addr[7] = (uint8_t)i;
		mh_opts_add_hnp(&m.opts, &a, 64);
		mh_opts_add_muho(&m.opts, &a, 64);
	}
	n = mh_encode(&m, &p, buf, sizeof(buf));
	if (n < 0 || write_file(dir, "limit-prefixes", buf, (size_t)n))
		return 1;
	mh_msg_init(&m, MH_TYPE_BU);
	memset(nai, 'n', MH_MNID_MAX);
	nai[MH_MNID_MAX] = '\0';
	mh_opts_set_nai(&m.opts, nai);
	n = mh_encode(&m, &p, buf, sizeof(buf));
	return n < 0 || write_file(dir, "limit-identifier", buf, (size_t)n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < golden_count; i++)
		if (write_file(argv[1], golden_vectors[i].name, golden_vectors[i].bytes,
		               golden_vectors[i].len))
			return 1;
	return write_limits(argv[1]);
}
