/* fuzz_bindings.c: libFuzzer target for lmad's binding file (lma/bindings.c) and the restart
 * it feeds (lma/engine_bindings.c). Besides "never crash": every record the reader takes is
 * written again and reads back to a record that writes the same line; the records then go into an
 * engine (a pool, static prefixes, two MAGs, a fake kernel), which takes only those the
 * configuration allows and holds no more bindings than it took; freeing it removes every route it
 * made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/bindings.h"
#include "lma/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf_text[] = "lma-address 2001:db8:ffff::100\n"
                                "uplink-interface eth0\n"
                                "prefix-pool 2001:db8:100::/48 length 64\n"
                                "max-bindings-per-mn 2\n"
                                "mn mn1@example.org { prefix 2001:db8:5:1::/64 }\n"
                                "mn mn2@example.org\n"
                                "mag 2001:db8:ffff::1\n"
                                "mag 2001:db8:ffff::2 { mn mn2@example.org }\n";

/* The fake kernel: tunnels by id, a count of routes. */
struct fake {
	bool tunnel[65];
	long routes;
	unsigned taken, flows;
	struct lma_engine *e;
	struct lma_now now;
};

static int tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	struct fake *k = ctx;

	(void)peer;
	for (uint32_t i = 1; i < 65; i++)
		if (!k->tunnel[i]) {
			k->tunnel[i] = true;
			*id = i;
			return 0;
		}
	return -1;
}

static int tunnel_add_as(void *ctx, const struct in6_addr *peer, uint32_t id)
{
	struct fake *k = ctx;

	(void)peer;
	if (id == 0 || id >= 65 || k->tunnel[id])
		return -1;
	k->tunnel[id] = true;
	return 0;
}

static int tunnel_del(void *ctx, uint32_t id)
{
	struct fake *k = ctx;

	if (id == 0 || id >= 65 || !k->tunnel[id])
		abort(); /* the engine deletes only what it made */
	k->tunnel[id] = false;
	return 0;
}

static int route_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	(void)p;
	(void)tunnel;
	(void)cookie;
	((struct fake *)ctx)->routes++;
	return 0;
}

static int route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	(void)p;
	(void)cookie;
	((struct fake *)ctx)->routes--;
	return 0;
}

static void no_send(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)dst;
	(void)buf;
	(void)len;
	abort(); /* a restart tells nobody */
}

/* The line written for a record (b, else f), without its newline; freed by the caller. */
static char *line_of(const struct bind_record *b, const struct flow_record *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		abort();
	if (b)
		bindings_write_bce(out, b);
	else
		bindings_write_flow(out, f);
	fclose(out);
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* The record written again reads back to a record that writes the same line (every field
 * written is compared, padding is not). */
static void check_rewrite(const struct bind_record *b, const struct flow_record *f)
{
	char *first = line_of(b, f), *copy = strdup(first), *again = NULL;
	struct bind_record b2;
	struct flow_record f2;

	if (!copy)
		abort();
	if (b ? bindings_parse_bce(copy, &b2) : bindings_parse_flow(copy, &f2))
		again = b ? line_of(&b2, NULL) : line_of(NULL, &f2);
	if (!again || strcmp(first, again) != 0) {
		fprintf(stderr, "record read back differently:\n%s\n%s\n", first,
		        again ? again : "(refused)");
		abort();
	}
	free(first);
	free(copy);
	free(again);
}

static bool take_bce(void *arg, const struct bind_record *r)
{
	struct fake *k = arg;
	bool ok;

	check_rewrite(r, NULL);
	ok = lma_engine_restore_binding(k->e, r, &k->now) == LMA_RESTORE_OK;
	k->taken += ok;
	return ok;
}

static bool take_flow(void *arg, const struct flow_record *r)
{
	check_rewrite(NULL, r);
	((struct fake *)arg)->flows++;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lma_conf *conf;
	struct fake k = { .now = { .mono_ns = 1000000000ull, .real_ns = 1795305600000000000ull } };
	struct lma_io io = { .ctx = &k,
		             .send = no_send,
		             .tunnel_add = tunnel_add,
		             .tunnel_add_as = tunnel_add_as,
		             .tunnel_del = tunnel_del,
		             .route_add = route_add,
		             .route_del = route_del };
	struct bindings_sink sink = { .bce = take_bce, .flow = take_flow, .arg = &k };
	struct bindings_report r;
	char err[256];
	FILE *f;

	if (!conf) {
		f = fmemopen((void *)conf_text, sizeof(conf_text) - 1, "r");
		conf = f ? lma_conf_parse(f, "fuzz.conf", err, sizeof(err)) : NULL;
		if (!conf)
			abort();
		fclose(f);
	}
	if (size == 0 || !(f = fmemopen((void *)data, size, "r")))
		return 0;
	k.e = lma_engine_new(conf, &io, 16);
	if (!k.e)
		abort();
	(void)bindings_read(f, &sink, &r);
	fclose(f);
	lma_engine_restore_done(k.e);
	lma_engine_flush(k.e);
	if (lma_engine_cache(k.e)->n_bce > k.taken || r.bces != k.taken || r.flows != k.flows)
		abort();
	lma_engine_free(k.e);
	if (k.routes != 0)
		abort(); /* every route made was removed */
	return 0;
}
