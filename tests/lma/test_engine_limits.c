/* test_engine_limits.c: what the LMA engine bounds against a flood: the replies to sources that
 * are none of its MAGs (per source and in total, sent after the replies to its MAGs, counted
 * when not sent); the bindings an authorized MAG can create (in all, per MAG, per MN: 130
 * beyond); the pool's resting records; the memory of the cache's indexes once bindings go. */
#include <stdio.h>
#include <string.h>

#include "common/ratelimit.h"
#include "tests/check_main.h"
#include "tests/lma/engine_harness.h"

#define MAG1 "2001:db8:ffff::1"
#define MAG2 "2001:db8:ffff::2"
#define EVIL "2001:db8:eeee::1"

static const char conf_text[] = "lma-address 2001:db8:ffff::100\n"
                                "uplink-interface eth0\n"
                                "prefix-pool 2001:db8:100::/48 length 64\n"
                                "bce-delete-delay 10s\n"
                                "prefix-hold 10s\n"
                                "mn any\n"
                                "mag 2001:db8:ffff::1\n"
                                "mag 2001:db8:ffff::2\n";

HARNESS_FIXTURE(conf_text)

static uint8_t status_of(const char *mag, const struct pbu_spec *s)
{
	const struct mh_msg *m;

	ck_assert_uint_eq(h_pbu(&h, mag, s), 1);
	m = h_last_to(&h, mag, 0);
	ck_assert_uint_eq(m->type, MH_TYPE_BA);
	return m->u.ba.status;
}

static const char *stranger(unsigned i)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "2001:db8:eeee::%x", i + 1);
	return buf;
}

/* --- replies to strangers --- */

START_TEST(a_spoofed_flood_gets_a_bounded_number_of_154)
{
	const struct lma_stats *st = lma_engine_stats(h.e);
	size_t answered = 0;

	for (unsigned i = 0; i < 200; i++)
		answered += h_pbu(&h, stranger(i), &(struct pbu_spec){ 0 });
	ck_assert_uint_eq(answered, RL_TOTAL_BURST);
	ck_assert_uint_eq(st->pba[154], RL_TOTAL_BURST);
	/* the rest are dropped by the total, or by the overflow bucket of the strangers whose
	 * set of slots is full (which of the two depends on the keyed hash) */
	ck_assert_uint_eq(st->dropped[LMA_DROP_REPLY_RATE_TOTAL] +
	                          st->dropped[LMA_DROP_REPLY_RATE_SOURCE],
	                  200 - RL_TOTAL_BURST);
	ck_assert_uint_eq(st->rx[MH_TYPE_BU], 200); /* received and counted all the same */
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1 }), 0);
	h_advance(&h, 1000); /* the total bucket refills */
	ck_assert_uint_eq(h_pbu(&h, stranger(500), &(struct pbu_spec){ 0 }), 1);
	ck_assert_str_eq(lma_drop_name(LMA_DROP_REPLY_RATE_TOTAL), "reply_rate_total");
}
END_TEST

START_TEST(one_stranger_gets_a_few_154_a_second)
{
	const struct lma_stats *st = lma_engine_stats(h.e);
	size_t answered = 0;

	for (unsigned i = 0; i < 10; i++)
		answered += h_pbu(&h, EVIL, &(struct pbu_spec){ .no_mnid = i % 2 });
	ck_assert_uint_eq(answered, RL_SOURCE_BURST); /* 160 and 154 alike */
	ck_assert_uint_eq(st->dropped[LMA_DROP_REPLY_RATE_SOURCE], 10 - RL_SOURCE_BURST);
	ck_assert_uint_eq(h_pbu(&h, stranger(7), &(struct pbu_spec){ 0 }), 1); /* another one */
	h_advance(&h, 1000);
	ck_assert_uint_eq(h_pbu(&h, EVIL, &(struct pbu_spec){ 0 }), 1);
	ck_assert_uint_eq(h_pbu(&h, EVIL, &(struct pbu_spec){ 0 }), 0);
}
END_TEST

/* reject-rate in lmad.conf(5) replaces the defaults; a reload applies the new rates. */
START_TEST(the_reply_rates_are_configured)
{
	const struct lma_stats *st;
	size_t answered = 0;

	h_free(&h);
	h_init(&h, "lma-address 2001:db8:ffff::100\n"
	           "uplink-interface eth0\n"
	           "prefix-pool 2001:db8:100::/48 length 64\n"
	           "reject-rate per-source 2 burst 5 total 3 burst 7\n"
	           "mn any\n"
	           "mag 2001:db8:ffff::1\n");
	st = lma_engine_stats(h.e);
	for (unsigned i = 0; i < 10; i++)
		answered += h_pbu(&h, EVIL, &(struct pbu_spec){ 0 });
	ck_assert_uint_eq(answered, 5); /* the source's burst */
	ck_assert_uint_eq(st->dropped[LMA_DROP_REPLY_RATE_SOURCE], 5);
	answered = 0;
	for (unsigned i = 1; i <= 10; i++) /* stranger(0) is EVIL */
		answered += h_pbu(&h, stranger(i), &(struct pbu_spec){ 0 });
	ck_assert_uint_eq(answered, 2); /* the total burst of 7, 5 of which went to EVIL */
	ck_assert_uint_eq(st->dropped[LMA_DROP_REPLY_RATE_TOTAL], 8);
	h_advance(&h, 1000); /* 2 a second for EVIL */
	answered = 0;
	for (unsigned i = 0; i < 4; i++)
		answered += h_pbu(&h, EVIL, &(struct pbu_spec){ 0 });
	ck_assert_uint_eq(answered, 2);
}
END_TEST

START_TEST(our_mags_are_never_limited)
{
	for (unsigned i = 0; i < 50; i++)
		ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .no_mnid = true }), 160);
	for (unsigned i = 0; i < 200; i++)
		h_pbu(&h, stranger(i), &(struct pbu_spec){ 0 });
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .no_mnid = true }), 160);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1 }), 0);
}
END_TEST

/* In one receive batch, the replies to our MAGs leave first. */
START_TEST(our_mags_are_answered_first)
{
	size_t before = h.n_sent;

	for (unsigned i = 0; i < 5; i++)
		h_pbu_noflush(&h, stranger(i), &(struct pbu_spec){ 0 });
	h_pbu_noflush(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	h_flush(&h);
	ck_assert_uint_eq(h.n_sent - before, 6);
	ck_assert_str_eq(h_ptext(&(struct mh_prefix){ .addr = h.sent[before].dst, .len = 128 }),
	                 MAG1 "/128");
	ck_assert_uint_eq(h.sent[before].msg.u.ba.status, 0);
}
END_TEST

/* --- what an authorized MAG can make the LMA hold --- */

static void reinit(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s", conf_text, extra);
	h_free(&h);
	h_init(&h, text);
}

static const char *mn(unsigned i)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "mn%u@example.org", i);
	return buf;
}

START_TEST(bindings_per_mn_are_bounded)
{
	const struct lma_stats *st;

	reinit("max-bindings-per-mn 2\n");
	st = lma_engine_stats(h.e);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1 }), 0);
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 2 }), 0);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 3 }), 130);
	ck_assert_uint_eq(st->over_limit[LMA_LIMIT_MN], 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = mn(2), .llid = 3 }), 0);
	/* the limit is on bindings held: once one goes, another may come */
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 2, .dereg = true }), 0);
	h_advance(&h, 10000);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 3 }), 0);
}
END_TEST

START_TEST(bindings_per_mag_are_bounded_for_handoffs_too)
{
	const struct lma_stats *st;

	reinit("max-bindings-per-mag 3\n");
	st = lma_engine_stats(h.e);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = mn(i), .llid = 1 }),
		                  0);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = mn(3), .llid = 1 }), 130);
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .nai = mn(3), .llid = 1 }), 0);
	/* a handoff to the full MAG is refused, the session stays */
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = mn(3), .llid = 1, .seq = 1 }),
	                  130);
	ck_assert_str_eq(h_route_peer(&h, "2001:db8:100:3::/64"), MAG2);
	ck_assert_uint_eq(st->over_limit[LMA_LIMIT_MAG], 2);
}
END_TEST

START_TEST(bindings_in_all_are_bounded)
{
	reinit("max-bindings 4\n");
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(status_of(i % 2 ? MAG1 : MAG2,
		                            &(struct pbu_spec){ .nai = mn(i), .llid = 1 }),
		                  0);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = mn(9), .llid = 1 }), 130);
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .nai = mn(9), .llid = 1 }), 130);
	ck_assert_uint_eq(lma_engine_stats(h.e)->over_limit[LMA_LIMIT_TOTAL], 2);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 4);
	/* renewals of bindings held are never refused */
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .nai = mn(0), .llid = 1, .seq = 1 }),
	                  0);
}
END_TEST

/* Churn of MN-IDs under "mn any": each comes once and goes. The resting records stop at the
 * bound instead of growing until the whole pool has been handed out. */
START_TEST(resting_records_are_bounded)
{
	struct lma_pool_stats ps;

	reinit("max-resting-prefixes 4\n");
	for (unsigned i = 0; i < 50; i++) {
		ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = mn(i), .llid = 1 }),
		                  0);
		ck_assert_uint_eq(
		        status_of(MAG1,
		                  &(struct pbu_spec){ .nai = mn(i), .llid = 1, .dereg = true }),
		        0);
		h_advance(&h, 10000);
	}
	ck_assert(lma_engine_pool_stats(h.e, &ps));
	ck_assert_uint_eq(ps.resting, 4);
	ck_assert_uint_eq(ps.in_use, 0);
	/* the four prefixes took turns (mn49 had P1 = 2001:db8:100:1::/64): the longest-resting
	 * one serves the next MN, no never-used one */
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = mn(100), .llid = 1 }), 0);
	ck_assert_str_eq(h_ptext(&h_last_to(&h, MAG1, 0)->opts.hnp[0]), "2001:db8:100:2::/64");
}
END_TEST

/* 300 bindings come and expire: the indexes give their buckets back. */
START_TEST(indexes_shrink_after_mass_deregistration)
{
	const struct bc *bc = lma_engine_cache(h.e);
	size_t empty = bc_memory(bc), full;

	for (unsigned i = 0; i < 300; i++)
		ck_assert_uint_eq(
		        status_of(MAG1,
		                  &(struct pbu_spec){ .nai = mn(i), .llid = 1, .lifetime = 2 }),
		        0);
	full = bc_memory(bc);
	ck_assert_uint_gt(bc->by_id.last + 1, 256);
	h_advance(&h, 20000);
	ck_assert_uint_eq(bc->n_bce, 0);
	ck_assert_uint_eq(bc->by_id.last + 1, 16);
	ck_assert_uint_eq(bc->by_prefix.last + 1, 16);
	ck_assert_uint_le(bc_memory(bc), empty);
	ck_assert_uint_lt(bc_memory(bc), full / 4);
}
END_TEST

static Suite *limits_suite(void)
{
	Suite *s = suite_create("lma_engine_limits");
	TCase *rate = tcase_create("reply_rate");
	TCase *bounds = tcase_create("bounds");

	tcase_add_checked_fixture(rate, setup, teardown);
	tcase_add_checked_fixture(bounds, setup, teardown);
	suite_add_tcase(s, rate);
	suite_add_tcase(s, bounds);
	tcase_add_test(rate, a_spoofed_flood_gets_a_bounded_number_of_154);
	tcase_add_test(rate, one_stranger_gets_a_few_154_a_second);
	tcase_add_test(rate, the_reply_rates_are_configured);
	tcase_add_test(rate, our_mags_are_never_limited);
	tcase_add_test(rate, our_mags_are_answered_first);
	tcase_add_test(bounds, bindings_per_mn_are_bounded);
	tcase_add_test(bounds, bindings_per_mag_are_bounded_for_handoffs_too);
	tcase_add_test(bounds, bindings_in_all_are_bounded);
	tcase_add_test(bounds, resting_records_are_bounded);
	tcase_add_test(bounds, indexes_shrink_after_mass_deregistration);
	return s;
}

CHECK_MAIN(limits_suite)
