/* test_leases.c: the prefix lease file (lma/leases.c): a pool with bound and resting prefixes
 * written and read into a fresh pool gives each MN, and only it, its prefixes back, keeps the
 * high-water mark and the order of reuse; MN-IDs with odd bytes survive the escaping; a file for
 * another pool restores nothing; bad records are skipped and counted, the rest restored. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/leases.h"
#include "tests/check_main.h"

static struct mh_prefix pfx(const char *addr, uint8_t len)
{
	struct mh_prefix p = { .len = len };

	ck_assert_int_eq(inet_pton(AF_INET6, addr, &p.addr), 1);
	return p;
}

/* A /64 of the pool, by address, for comparisons. */
#define P64(addr) (&(struct mh_prefix[]){ pfx(addr, 64) }[0])

static void pool_of(struct pool *p, uint8_t range_len)
{
	struct mh_prefix range = pfx("2001:db8:100::", range_len);

	ck_assert(pool_init(p, &range, 64));
}

/* A binding of mn_id at a MAG holding pooled prefix p. */
static void bind_prefix(struct bc *bc, const char *mn_id, const struct mh_prefix *p)
{
	static const struct in6_addr mag = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct lma_mn *mn = bc_mn_get(bc, mn_id, strlen(mn_id));
	struct bce *b;

	ck_assert_ptr_nonnull(mn);
	b = bc_bce_new(bc, mn, bc_mag_get(bc, &mag), NULL, 0);
	ck_assert_ptr_nonnull(b);
	ck_assert(bc_bce_add_prefix(bc, b, p, true));
}

/* The file text written for pool and bc (freed by the caller). */
static char *written(const struct pool *pool, const struct bc *bc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(leases_write(f, pool, bc), 0);
	fclose(f);
	return text;
}

static int read_text(const char *text, struct pool *pool, struct leases_report *r)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	ck_assert_ptr_nonnull(f);
	ret = leases_read(f, pool, r);
	fclose(f);
	return ret;
}

START_TEST(round_trip_gives_each_mn_its_prefixes)
{
	struct pool a, b;
	struct bc bc;
	struct mh_prefix p0, p1, p2, p3, next;
	struct leases_report r;
	char *text;

	pool_of(&a, 48);
	ck_assert(bc_init(&bc, 16));
	ck_assert(pool_alloc(&a, &p0, NULL, NULL));
	ck_assert(pool_alloc(&a, &p1, NULL, NULL));
	ck_assert(pool_alloc(&a, &p2, NULL, NULL));
	ck_assert(pool_alloc(&a, &p3, NULL, NULL));
	bind_prefix(&bc, "mn1@example.net", &p0);
	bind_prefix(&bc, "mn1@example.net", &p3);
	ck_assert(pool_release(&a, &p2, "mn2@example.net"));
	ck_assert(pool_release(&a, &p1, "mn3@example.net"));
	text = written(&a, &bc);
	ck_assert_ptr_nonnull(strstr(text, "pool 2001:db8:100::/48 length 64 next 4\n"));
	ck_assert_ptr_nonnull(strstr(text, "rest 2001:db8:100:2::/64 mn2@example.net\n"
	                                   "rest 2001:db8:100:1::/64 mn3@example.net\n"));
	ck_assert_ptr_nonnull(strstr(text, "held 2001:db8:100::/64 mn1@example.net\n"));
	ck_assert_ptr_nonnull(strstr(text, "held 2001:db8:100:3::/64 mn1@example.net\n"));

	pool_of(&b, 48);
	ck_assert_int_eq(read_text(text, &b, &r), 0);
	ck_assert_uint_eq(r.rested, 2);
	ck_assert_uint_eq(r.held, 2);
	ck_assert_uint_eq(r.bad, 0);
	ck_assert_uint_eq(pool_next(&b), 4);
	ck_assert_uint_eq(pool_resting(&b), 4);
	ck_assert(pool_may_reclaim(&b, &p0, "mn1@example.net"));
	ck_assert(pool_may_reclaim(&b, &p3, "mn1@example.net"));
	ck_assert(pool_may_reclaim(&b, &p2, "mn2@example.net"));
	ck_assert(!pool_may_reclaim(&b, &p0, "mn2@example.net"));
	ck_assert(!pool_may_reclaim(&b, &p1, "mn1@example.net"));
	/* a new MN gets a never-used prefix, not one of theirs */
	ck_assert(pool_alloc(&b, &next, NULL, NULL));
	ck_assert(mh_prefix_equal(&next, P64("2001:db8:100:4::")));
	ck_assert(pool_reclaim(&b, &p0, "mn1@example.net"));
	ck_assert_uint_eq(b.in_use, 2);
	free(text);
	pool_free(&a);
	pool_free(&b);
	bc_free(&bc);
}
END_TEST

START_TEST(order_of_reuse_survives)
{
	struct pool a, b;
	struct bc bc;
	struct mh_prefix p0, p1, got;
	struct leases_report r;
	char *text;

	pool_of(&a, 63); /* two prefixes: reuse starts at once */
	ck_assert(bc_init(&bc, 4));
	ck_assert(pool_alloc(&a, &p0, NULL, NULL));
	ck_assert(pool_alloc(&a, &p1, NULL, NULL));
	ck_assert(pool_release(&a, &p1, "old@example.net"));
	bind_prefix(&bc, "recent@example.net", &p0);
	text = written(&a, &bc);
	pool_of(&b, 63);
	ck_assert_int_eq(read_text(text, &b, &r), 0);
	/* the one resting longest (p1) goes first, the one held at the crash last */
	ck_assert(pool_alloc(&b, &got, NULL, NULL));
	ck_assert(mh_prefix_equal(&got, &p1));
	ck_assert(pool_alloc(&b, &got, NULL, NULL));
	ck_assert(mh_prefix_equal(&got, &p0));
	ck_assert(!pool_alloc(&b, &got, NULL, NULL));
	free(text);
	pool_free(&a);
	pool_free(&b);
	bc_free(&bc);
}
END_TEST

START_TEST(odd_mn_ids_are_escaped)
{
	static const char id[] = "50%\x01 off@\xc3\xa9x.net";
	struct pool a, b;
	struct bc bc;
	struct mh_prefix p0;
	struct leases_report r;
	char *text;

	pool_of(&a, 48);
	ck_assert(bc_init(&bc, 4));
	ck_assert(pool_alloc(&a, &p0, NULL, NULL));
	bind_prefix(&bc, id, &p0);
	text = written(&a, &bc);
	ck_assert_ptr_nonnull(strstr(text, "held 2001:db8:100::/64 50%25%01%20off@%C3%A9x.net\n"));
	pool_of(&b, 48);
	ck_assert_int_eq(read_text(text, &b, &r), 0);
	ck_assert_uint_eq(r.held, 1);
	ck_assert(pool_may_reclaim(&b, &p0, id));
	free(text);
	pool_free(&a);
	pool_free(&b);
	bc_free(&bc);
}
END_TEST

START_TEST(another_pools_file_restores_nothing)
{
	struct pool b;
	struct leases_report r;

	pool_of(&b, 48);
	ck_assert_int_eq(read_text("# x\npool 2001:db8:200::/48 length 64 next 2\n"
	                           "held 2001:db8:200::/64 a@b\n",
	                           &b, &r),
	                 -1);
	ck_assert(r.other_pool);
	ck_assert_uint_eq(r.first_bad_line, 2);
	ck_assert_int_eq(read_text("pool 2001:db8:100::/48 length 56 next 2\n", &b, &r), -1);
	ck_assert(r.other_pool);
	ck_assert_int_eq(read_text("pool 2001:db8:100::/48 length 64 next 65537\n", &b, &r), -1);
	ck_assert(r.other_pool); /* beyond the pool's 65,536 prefixes */
	ck_assert_int_eq(read_text("held 2001:db8:100::/64 a@b\n", &b, &r), -1);
	ck_assert(!r.other_pool);
	ck_assert_int_eq(read_text("", &b, &r), -1);
	ck_assert_uint_eq(pool_next(&b), 0);
	ck_assert_uint_eq(pool_resting(&b), 0);
	pool_free(&b);
}
END_TEST

START_TEST(bad_records_are_skipped_and_counted)
{
	char text[4096], longid[2 * LEASES_LINE_MAX];
	struct pool b;
	struct leases_report r;
	struct mh_prefix p;

	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	snprintf(text, sizeof(text),
	         "pool 2001:db8:100::/48 length 64 next 3\n"
	         "held 2001:db8:100::/64 good@x\n"          /* 2 */
	         "held 2001:db8:100:7::/64 beyond@x\n"      /* 3: past next, rests */
	         "held 2001:db8:101::/64 outside@x\n"       /* 4: kept aside, for its MN */
	         "held 2001:db8:100::/64 twice@x\n"         /* 5: rests already */
	         "held 2001:db8:100:1::/60 length@x\n"      /* 6 */
	         "held 2001:db8:100:1::1/64 hostbits@x\n"   /* 7 */
	         "lost 2001:db8:100:1::/64 kind@x\n"        /* 8 */
	         "held 2001:db8:100:1::/64 bad%%zzescape\n" /* 9 */
	         "held 2001:db8:100:1::/64 nul%%00@x\n"     /* 10 */
	         "held 2001:db8:100:1::/64\n"               /* 11 */
	         "held 2001:db8:100:1::/64 a@x extra\n"     /* 12 */
	         "held 2001:db8:100:1::/64 %s\n"            /* 13: too long a line */
	         "   # a comment\n\n"
	         "rest 2001:db8:100:2::/64 good2@x\n",
	         longid);
	pool_of(&b, 48);
	ck_assert_int_eq(read_text(text, &b, &r), 0);
	ck_assert_uint_eq(r.held, 3);
	ck_assert_uint_eq(r.rested, 1);
	ck_assert_uint_eq(r.bad, 9);
	ck_assert_uint_eq(r.first_bad_line, 5);
	ck_assert(pool_may_reclaim(&b, P64("2001:db8:101::"), "outside@x"));
	ck_assert(!pool_may_reclaim(&b, P64("2001:db8:101::"), "good@x"));
	ck_assert_uint_eq(pool_foreign(&b), 1);
	ck_assert(pool_may_reclaim(&b, P64("2001:db8:100:7::"), "beyond@x"));
	ck_assert(pool_may_reclaim(&b, P64("2001:db8:100::"), "good@x"));
	ck_assert(pool_may_reclaim(&b, P64("2001:db8:100:2::"), "good2@x"));
	/* 2001:db8:100:1::/64 was below next but in no record: it is lost to the pool, not given
	 * out twice; the allocation goes on past next */
	ck_assert(pool_alloc(&b, &p, NULL, NULL));
	ck_assert(mh_prefix_equal(&p, P64("2001:db8:100:3::")));
	pool_free(&b);
}
END_TEST

/* After a crash, prefixes bound when the file was written rest for their MN, whose MAG is about
 * to refresh: the bound on resting records (max-resting-prefixes) must not hand them to new MNs
 * before the never-used prefixes, however many there are. */
START_TEST(held_leases_are_outside_the_resting_bound)
{
	static const char text[] = "pool 2001:db8:100::/48 length 64 next 4\n"
	                           "rest 2001:db8:100:3::/64 gone@x\n"
	                           "held 2001:db8:100::/64 a@x\n"
	                           "held 2001:db8:100:1::/64 b@x\n"
	                           "held 2001:db8:100:2::/64 c@x\n";
	struct leases_report r;
	struct mh_prefix p;
	struct pool b;

	pool_of(&b, 48);
	b.max_resting = 1;
	ck_assert_int_eq(read_text(text, &b, &r), 0);
	ck_assert_uint_eq(r.held, 3);
	ck_assert(pool_alloc(&b, &p, NULL, NULL)); /* one resting record: over the bound */
	ck_assert(mh_prefix_equal(&p, P64("2001:db8:100:3::")));
	ck_assert(pool_alloc(&b, &p, NULL, NULL)); /* the held ones are not: a never-used one */
	ck_assert(mh_prefix_equal(&p, P64("2001:db8:100:4::")));
	ck_assert(pool_reclaim(&b, P64("2001:db8:100:1::"), "b@x"));
	ck_assert_uint_eq(b.resting_held, 2);
	pool_free(&b);
	ck_assert_uint_eq(b.resting_held, 0);
}
END_TEST

START_TEST(restores_only_into_a_fresh_pool)
{
	struct pool b;
	struct leases_report r;
	struct mh_prefix p;

	pool_of(&b, 48);
	ck_assert(pool_alloc(&b, &p, NULL, NULL));
	ck_assert_int_eq(read_text("pool 2001:db8:100::/48 length 64 next 2\n", &b, &r), -1);
	ck_assert_uint_eq(pool_next(&b), 1);
	pool_free(&b);
}
END_TEST

static Suite *leases_suite(void)
{
	Suite *s = suite_create("leases");
	TCase *tc = tcase_create("leases");

	tcase_add_test(tc, round_trip_gives_each_mn_its_prefixes);
	tcase_add_test(tc, order_of_reuse_survives);
	tcase_add_test(tc, odd_mn_ids_are_escaped);
	tcase_add_test(tc, another_pools_file_restores_nothing);
	tcase_add_test(tc, bad_records_are_skipped_and_counted);
	tcase_add_test(tc, restores_only_into_a_fresh_pool);
	tcase_add_test(tc, held_leases_are_outside_the_resting_bound);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(leases_suite)
