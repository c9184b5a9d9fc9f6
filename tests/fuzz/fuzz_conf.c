/* fuzz_conf.c: libFuzzer target for a configuration parser, lmad's (lma/lma_conf.c) or, built
 * with -DFUZZ_MAG_CONF, magd's (mag/mag_conf.c). Besides "never crash", it checks the property
 * `-nv` promises: whatever parses prints in the same grammar, the printout parses again, and
 * prints the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_MAG_CONF
#include "mag/mag_conf.h"
#define conf_t     struct mag_conf
#define conf_parse mag_conf_parse
#define conf_print mag_conf_print
#define conf_free  mag_conf_free
#else
#include "lma/lma_conf.h"
#define conf_t     struct lma_conf
#define conf_parse lma_conf_parse
#define conf_print lma_conf_print
#define conf_free  lma_conf_free
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The configuration in text (NULL if it does not parse), printed into a malloc'd string. */
static char *conf_reprint(const void *text, size_t len, char *err, size_t errlen)
{
	FILE *in = fmemopen((void *)text, len, "r");
	char *out = NULL;
	size_t out_len = 0;
	conf_t *c;
	FILE *f;

	if (!in)
		abort();
	c = conf_parse(in, "fuzz.conf", err, errlen);
	fclose(in);
	if (!c)
		return NULL;
	f = open_memstream(&out, &out_len);
	if (!f)
		abort();
	conf_print(f, c);
	fclose(f);
	conf_free(c);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *once, *twice;

	if (size == 0)
		return 0; /* fmemopen refuses a zero-size buffer */
	once = conf_reprint(data, size, err, sizeof(err));
	if (!once)
		return 0;
	twice = strlen(once) ? conf_reprint(once, strlen(once), err, sizeof(err)) : NULL;
	if (!twice) {
		fprintf(stderr, "the printout does not parse again: %s\n---\n%s---\n", err, once);
		abort();
	}
	if (strcmp(once, twice) != 0) {
		fprintf(stderr, "printed twice, differently:\n---\n%s---\n%s---\n", once, twice);
		abort();
	}
	free(once);
	free(twice);
	return 0;
}
