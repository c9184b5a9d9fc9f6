/* fuzz_leases.c: libFuzzer target for lmad's lease file reader (lma/leases.c) over a /48 pool
 * of /64s. Besides "never crash", whatever it restores it writes again, and that file reads
 * back into a fresh pool with no bad record and the same counts (held prefixes outside the pool,
 * kept aside for their MN, are written again only while bound: none is, here). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "lma/leases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void pool_make(struct pool *p)
{
	struct mh_prefix range = { .len = 48 };

	if (inet_pton(AF_INET6, "2001:db8:100::", &range.addr) != 1 || !pool_init(p, &range, 64))
		abort();
}

static int read_text(const void *text, size_t len, struct pool *p, struct leases_report *r)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int ret;

	if (!f)
		abort();
	ret = leases_read(f, p, r);
	fclose(f);
	return ret;
}

/* p written (with no bindings: resting prefixes and the high-water mark) and read again. */
static void check_rewrite(const struct pool *p, const struct leases_report *first)
{
	struct leases_report again;
	struct pool fresh;
	struct bc bc;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f || !bc_init(&bc, 16) || leases_write(f, p, &bc) != 0)
		abort();
	fclose(f);
	pool_make(&fresh);
	if (read_text(text, len, &fresh, &again) != 0 || again.bad != 0 ||
	    again.rested != first->rested + first->held - first->aside) {
		/* held prefixes kept aside (outside the pool) are written only while bound */
		fprintf(stderr, "rewritten leases read back with %u bad, %u rested (want %u)\n%s",
		        again.bad, again.rested, first->rested + first->held - first->aside, text);
		abort();
	}
	pool_free(&fresh);
	bc_free(&bc);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leases_report r;
	struct pool p;

	if (size == 0)
		return 0;
	pool_make(&p);
	if (read_text(data, size, &p, &r) == 0)
		check_rewrite(&p, &r);
	pool_free(&p);
	return 0;
}
