/* fuzz_bulfile.c: libFuzzer target for magd's state file reader: lines as magd_state_load()
 * reads them (common/statefile.c's sf_next_line), each through bulfile_parse() (mag/bulfile.c).
 * Besides "never crash", every record parsed writes as a line that parses to the same record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/statefile.h"
#include "mag/bulfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rewrite(const struct bulfile_record *r)
{
	struct bulfile_record again;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	bulfile_write(f, r);
	fclose(f);
	if (len == 0 || text[len - 1] != '\n')
		abort();
	text[len - 1] = '\0';
	if (bulfile_parse(text, &again) != 1 || memcmp(r, &again, sizeof(again)) != 0) {
		fprintf(stderr, "a record written does not read back the same: %s\n", text);
		abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[BULFILE_LINE_MAX];
	struct bulfile_record r;
	bool long_line;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	while (sf_next_line(f, line, sizeof(line), &long_line))
		if (!long_line && bulfile_parse(line, &r) == 1)
			check_rewrite(&r);
	fclose(f);
	return 0;
}
