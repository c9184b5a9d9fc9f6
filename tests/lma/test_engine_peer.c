/* test_engine_peer.c: the LMA's heartbeat with its MAGs (lma/peer.c, RFC 5847): requests every
 * interval to each MAG with bindings and only then, responses matched by sequence number with
 * their round-trip time, a MAG declared unreachable after `misses` unanswered requests and its
 * bindings released as by a de-registration (prefixes to the MN's other binding, the other MAG
 * notified), recovery, a changed Restart Counter making bindings stale until they re-register,
 * and requests answered with our Restart Counter. */
#include <check.h>
#include <string.h>

#include "tests/check_main.h"
#include "tests/lma/engine_harness.h"

#define MAG1 "2001:db8:ffff::1"
#define MAG2 "2001:db8:ffff::2"
#define P1   "2001:db8:100::/64"
#define P2   "2001:db8:100:1::/64"

static const char conf_text[] = "lma-address 2001:db8:ffff::100\n"
                                "uplink-interface eth0\n"
                                "prefix-pool 2001:db8:100::/48 length 64\n"
                                "bce-delete-delay 10s\n"
                                "prefix-hold 10s\n" /* no longer than the delete delay */
                                "heartbeat interval 200ms misses 3\n"
                                "mn mn1@example.org\n"
                                "mag 2001:db8:ffff::1\n"
                                "mag 2001:db8:ffff::2\n";

HARNESS_FIXTURE(conf_text)

/* The MN on both MAGs, each asking for the other's prefixes. */
static void attach_both(void)
{
	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true }), 1);
	ck_assert_uint_eq(h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .att = 7 }),
	                  2);
}

static const struct mh_msg *last_hb(const char *mag)
{
	for (unsigned i = 0; h_last_to(&h, mag, i); i++)
		if (h_last_to(&h, mag, i)->type == MH_TYPE_HB)
			return h_last_to(&h, mag, i);
	return NULL;
}

/* The MAG answers our last request (after delay_ms), with its Restart Counter. */
static void answer(const char *mag, uint32_t counter, uint64_t delay_ms)
{
	const struct mh_msg *req = last_hb(mag);
	struct mh_msg r;

	ck_assert_ptr_nonnull(req);
	h_advance(&h, delay_ms);
	mh_msg_init(&r, MH_TYPE_HB);
	r.u.hb.flags = MH_HB_R;
	r.u.hb.seq = req->u.hb.seq;
	r.opts.present = MH_HAVE_RESTART_COUNTER;
	r.opts.restart_counter = counter;
	h_input(&h, mag, &r);
}

static const struct hb_peer *peer_of(const char *mag)
{
	struct in6_addr a = h_addr(mag);

	return lma_engine_peer(h.e, &a);
}

static struct bce *first_binding_of(const char *mag)
{
	struct in6_addr a = h_addr(mag);

	return LIST_FIRST(&bc_mag_find(lma_engine_cache(h.e), &a)->bces);
}

/* One interval on: the request goes, and each MAG whose counter is not 0 answers at once with
 * that Restart Counter. */
static void tick(uint32_t counter1, uint32_t counter2)
{
	h_advance(&h, 200);
	if (counter1)
		answer(MAG1, counter1, 0);
	if (counter2)
		answer(MAG2, counter2, 0);
}

START_TEST(requests_go_every_interval_to_mags_with_bindings_only)
{
	h_advance(&h, 1000);
	ck_assert_uint_eq(h.n_sent, 0); /* no binding: no heartbeat */
	attach_both();
	h_advance(&h, 199);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_HB), 0);
	h_advance(&h, 1);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_HB), 1);
	ck_assert_uint_eq(h_count_to(&h, MAG2, MH_TYPE_HB), 1);
	ck_assert_uint_eq(last_hb(MAG1)->u.hb.flags, 0); /* a request */
	h_advance(&h, 200);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_HB), 2);
	ck_assert_uint_eq(last_hb(MAG1)->u.hb.seq, H_RANDOM + 2);
	ck_assert_uint_eq(lma_engine_stats(h.e)->hb_requests, 4);
}
END_TEST

START_TEST(responses_are_matched_and_timed)
{
	const struct hb_peer *p;

	attach_both();
	h_advance(&h, 200);
	answer(MAG1, 5, 12);
	ck_assert_ptr_null(peer_of("2001:db8:ffff::9"));
	p = peer_of(MAG1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->rtt_ns, 12 * 1000000ull);
	ck_assert_uint_eq(p->srtt_ns, 12 * 1000000ull);
	ck_assert(p->have_restart);
	ck_assert_uint_eq(p->restart_counter, 5);
	ck_assert_uint_eq(p->misses, 0);
	ck_assert_uint_eq(lma_engine_stats(h.e)->hb_responses, 1);
	answer(MAG1, 5, 0); /* the same again: a duplicate of a recent one, no new RTT */
	ck_assert_uint_eq(p->rtt_ns, 12 * 1000000ull);
}
END_TEST

START_TEST(a_response_to_no_request_is_dropped)
{
	struct mh_msg r;

	attach_both();
	h_advance(&h, 200);
	mh_msg_init(&r, MH_TYPE_HB);
	r.u.hb.flags = MH_HB_R;
	r.u.hb.seq = last_hb(MAG1)->u.hb.seq + 1;
	h_input(&h, MAG1, &r);
	ck_assert_uint_eq(lma_engine_stats(h.e)->dropped[LMA_DROP_HB_UNMATCHED], 1);
	ck_assert_uint_eq(lma_engine_stats(h.e)->hb_responses, 0);
}
END_TEST

START_TEST(an_unreachable_mag_loses_its_bindings_as_by_deregistration)
{
	attach_both();
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	for (int i = 0; i < 3; i++) /* requests at 200, 400, 600 unanswered by MAG1 */
		tick(0, 7);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_failures, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	tick(0, 7); /* the request at 800 counts the third miss: 600 ms after the first */
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_failures, 1);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_bindings_failed, 1);
	ck_assert_uint_eq(peer_of(MAG1)->state, HB_UNREACHABLE);
	ck_assert_uint_eq(peer_of(MAG1)->misses, 3);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2); /* the prefix follows the MN */
	ck_assert_str_eq(h_route_peer(&h, P2), MAG2);
	ck_assert_uint_eq(h_last_to(&h, MAG2, 1)->type, MH_TYPE_UPN); /* MAG2 hears of it */
	ck_assert_uint_eq(h.mn_changed, 3);
	h_check_consistent(&h);
	for (int i = 0; i < 50; i++) /* the delete delay: MAG1's binding goes, and its tunnel */
		tick(0, 7);
	ck_assert_uint_eq(h_tunnels(&h), 1);
	ck_assert_ptr_null(peer_of(MAG1));
	h_check_consistent(&h);
}
END_TEST

/* A request counts missed half an interval after it went unanswered (hb_peer_check), not at the
 * next request: the third miss, and the failure, at 700 ms, not 800 (RFC 5847 §3.1: detection
 * within interval x misses of the failure, give or take half an interval). */
START_TEST(the_failure_is_declared_when_the_third_response_is_overdue)
{
	attach_both();
	for (int i = 0; i < 3; i++) /* requests at 200, 400, 600; MAG1 answers none */
		tick(0, 7);
	ck_assert_uint_eq(peer_of(MAG1)->misses, 2); /* 200's and 400's, counted at 300, 500 */
	ck_assert_uint_eq(peer_of(MAG2)->misses, 0);
	h_advance(&h, 99);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_failures, 0);
	h_advance(&h, 1);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_failures, 1);
	ck_assert_uint_eq(peer_of(MAG1)->state, HB_UNREACHABLE);
	ck_assert_uint_eq(peer_of(MAG2)->state, HB_UP);
	h_check_consistent(&h);
}
END_TEST

START_TEST(a_mag_answering_again_is_counted_recovered)
{
	attach_both();
	h_advance(&h, 800);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_failures, 2);
	answer(MAG1, 5, 5);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_recoveries, 1);
	ck_assert_uint_eq(peer_of(MAG1)->state, HB_UP);
	ck_assert_uint_eq(peer_of(MAG2)->state, HB_UNREACHABLE);
	/* its binding was released: the MAG registers it again (it saw the outage too) */
	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .hi = 5,
	                                                      .hnp = { P1 } }),
	                  1);
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->u.ba.status, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	h_check_consistent(&h);
}
END_TEST

START_TEST(a_restarted_mag_has_stale_bindings_until_they_re_register)
{
	attach_both();
	tick(5, 7);
	tick(6, 7); /* MAG1 restarted */
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_restarts, 1);
	ck_assert(first_binding_of(MAG1)->stale);
	ck_assert(!first_binding_of(MAG2)->stale);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1); /* stale keeps its routes meanwhile */
	/* registered again in time (HI 5, its prefix): no longer stale */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .hi = 5, .hnp = { P1 } });
	ck_assert(!first_binding_of(MAG1)->stale);
	for (int i = 0; i < 5; i++)
		tick(6, 7);
	ck_assert_uint_eq(lma_engine_stats(h.e)->stale_bindings_released, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

START_TEST(stale_bindings_not_re_registered_are_released)
{
	attach_both();
	tick(5, 7);
	tick(6, 7); /* at 400 ms: restarted, and never registers the MN again */
	tick(6, 7);
	tick(6, 7);
	ck_assert_uint_eq(lma_engine_stats(h.e)->stale_bindings_released, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	tick(6, 7); /* 1000 ms: interval x misses after the restart was seen */
	ck_assert_uint_eq(lma_engine_stats(h.e)->stale_bindings_released, 1);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_failures, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	h_check_consistent(&h);
}
END_TEST

/* A restarted MAG that registered its MN again before a response revealed the restart: that
 * binding is its new life's, not stale. */
START_TEST(bindings_registered_since_the_restart_are_not_stale)
{
	attach_both();
	tick(5, 7);
	h_advance(&h, 50); /* MAG1 restarts and registers the MN again at once */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .hi = 5, .hnp = { P1 } });
	tick(6, 7);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_restarts, 1);
	ck_assert(!first_binding_of(MAG1)->stale);
	for (int i = 0; i < 5; i++)
		tick(6, 7);
	ck_assert_uint_eq(lma_engine_stats(h.e)->stale_bindings_released, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

START_TEST(requests_are_answered_with_our_restart_counter)
{
	struct mh_msg req;
	const struct mh_msg *r;

	lma_engine_set_restart_counter(h.e, 1234);
	mh_msg_init(&req, MH_TYPE_HB);
	req.u.hb.seq = 99;
	h_input(&h, MAG1, &req);
	r = h_last_to(&h, MAG1, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->type, MH_TYPE_HB);
	ck_assert_uint_eq(r->u.hb.flags, MH_HB_R);
	ck_assert_uint_eq(r->u.hb.seq, 99);
	ck_assert(r->opts.present & MH_HAVE_RESTART_COUNTER);
	ck_assert_uint_eq(r->opts.restart_counter, 1234);
	h_input(&h, "2001:db8:ffff::9", &req); /* not one of our MAGs */
	ck_assert_uint_eq(h_count_to(&h, "2001:db8:ffff::9", MH_TYPE_HB), 0);
}
END_TEST

START_TEST(a_request_with_a_new_restart_counter_is_a_restart)
{
	struct mh_msg req;

	attach_both();
	mh_msg_init(&req, MH_TYPE_HB);
	req.u.hb.seq = 1;
	req.opts.present = MH_HAVE_RESTART_COUNTER;
	req.opts.restart_counter = 10;
	h_input(&h, MAG1, &req);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_restarts, 0);
	req.opts.restart_counter = 11;
	h_input(&h, MAG1, &req);
	ck_assert_uint_eq(lma_engine_stats(h.e)->peer_restarts, 1);
}
END_TEST

START_TEST(heartbeat_off_sends_nothing)
{
	static const char off[] = "lma-address 2001:db8:ffff::100\n"
	                          "uplink-interface eth0\n"
	                          "prefix-pool 2001:db8:100::/48 length 64\n"
	                          "heartbeat off\n"
	                          "mn mn1@example.org\n"
	                          "mag 2001:db8:ffff::1\n"
	                          "mag 2001:db8:ffff::2\n";

	h_free(&h);
	h_init(&h, off);
	attach_both();
	h_advance(&h, 5000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_HB), 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

static Suite *peer_suite(void)
{
	Suite *s = suite_create("lma_engine_peer");
	TCase *tc = tcase_create("heartbeat");

	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	tcase_add_test(tc, requests_go_every_interval_to_mags_with_bindings_only);
	tcase_add_test(tc, responses_are_matched_and_timed);
	tcase_add_test(tc, a_response_to_no_request_is_dropped);
	tcase_add_test(tc, an_unreachable_mag_loses_its_bindings_as_by_deregistration);
	tcase_add_test(tc, the_failure_is_declared_when_the_third_response_is_overdue);
	tcase_add_test(tc, a_mag_answering_again_is_counted_recovered);
	tcase_add_test(tc, a_restarted_mag_has_stale_bindings_until_they_re_register);
	tcase_add_test(tc, stale_bindings_not_re_registered_are_released);
	tcase_add_test(tc, bindings_registered_since_the_restart_are_not_stale);
	tcase_add_test(tc, requests_are_answered_with_our_restart_counter);
	tcase_add_test(tc, a_request_with_a_new_restart_counter_is_a_restart);
	tcase_add_test(tc, heartbeat_off_sends_nothing);
	return s;
}

CHECK_MAIN(peer_suite)
