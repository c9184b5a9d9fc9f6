/* test_mag_peer.c: the MAG's heartbeat with its LMA (mag/peer.c, RFC 5847): requests every
 * interval while an MN is served and only then, responses matched by sequence number with their
 * round-trip time, the LMA declared unreachable after `misses` unanswered requests while the MN
 * keeps its routes, every MN registered again at once (HI 5, same prefixes) when the LMA
 * answers again or its Restart Counter changed. */
#include <stdio.h>
#include <string.h>

#include "tests/check_main.h"
#include "tests/mag/mag_harness.h"

#define P1 "2001:db8:100::/64"
#define P2 "2001:db8:100:1::/64"

static const char conf_text[] =
        "lma-address 2001:db8:ffff::100\n"
        "proxy-coa 2001:db8:ffff::1\n"
        "uplink-interface eth0\n"
        "lifetime 40s\n"
        "refresh-before 10s\n"
        "retransmit initial 1s max 8s tries 5\n"
        "heartbeat interval 200ms misses 3\n"
        "access-interface wlan0 { access-technology 4 }\n"
        "mn mn1@example.org { mac 02:00:00:00:00:01 }\n"
        "mn mn2@example.org { mac 02:00:00:00:00:09 }\n";

static struct mharness h;
static const char *const only_p1[] = { P1, NULL };
static const char *const only_p2[] = { P2, NULL };

static void setup(void)
{
	m_init(&h, conf_text);
}

static void teardown(void)
{
	m_free(&h);
}

static const struct mh_msg *last_hb_request(void)
{
	for (size_t i = h.n_sent; i-- > 0;)
		if (h.sent[i].type == MH_TYPE_HB && !(h.sent[i].u.hb.flags & MH_HB_R))
			return &h.sent[i];
	return NULL;
}

/* The LMA answers our last request after delay_ms with its Restart Counter. */
static void answer(uint32_t counter, uint64_t delay_ms)
{
	const struct mh_msg *req = last_hb_request();
	struct mh_msg r;

	ck_assert_ptr_nonnull(req);
	m_advance(&h, delay_ms);
	mh_msg_init(&r, MH_TYPE_HB);
	r.u.hb.flags = MH_HB_R;
	r.u.hb.seq = req->u.hb.seq;
	r.opts.present = MH_HAVE_RESTART_COUNTER;
	r.opts.restart_counter = counter;
	m_input(&h, LMA, &r);
}

/* Whether the last two PBUs register both MNs again: HI 5, each with its own prefix. */
static bool both_registered_again(void)
{
	struct mh_prefix p1 = m_prefix(P1), p2 = m_prefix(P2);
	unsigned seen = 0, n = 0;

	for (size_t i = h.n_sent; i-- > 0 && n < 2;) {
		const struct mh_msg *m = &h.sent[i];

		if (m->type != MH_TYPE_BU)
			continue;
		n++;
		if (m->opts.hi != MH_HI_NO_CHANGE || m->opts.n_hnp != 1 || m->u.bu.lifetime == 0)
			return false;
		seen |= mh_prefix_equal(&m->opts.hnp[0], &p1) ? 1 : 0;
		seen |= mh_prefix_equal(&m->opts.hnp[0], &p2) ? 2 : 0;
	}
	return seen == 3;
}

/* Both MNs registered, each with its prefix. */
static void attach_two(void)
{
	m_rs(&h, WLAN, 1);
	m_pba(&h, 0, only_p1, NULL);
	m_rs(&h, WLAN, 9);
	m_pba(&h, 0, only_p2, NULL);
}

START_TEST(requests_go_while_mns_are_served)
{
	m_advance(&h, 1000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 0);
	attach_two();
	m_advance(&h, 200);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 1);
	ck_assert_uint_eq(last_hb_request()->u.hb.seq, 1);
	m_advance(&h, 200);
	ck_assert_uint_eq(last_hb_request()->u.hb.seq, 2);
	ck_assert_uint_eq(mag_engine_stats(h.e)->hb_requests, 2);
}
END_TEST

START_TEST(responses_are_matched_and_timed)
{
	struct mh_msg r;

	attach_two();
	m_advance(&h, 200);
	answer(3, 7);
	ck_assert_uint_eq(mag_engine_peer(h.e)->rtt_ns, 7 * 1000000ull);
	ck_assert_uint_eq(mag_engine_peer(h.e)->restart_counter, 3);
	ck_assert_uint_eq(mag_engine_stats(h.e)->hb_responses, 1);
	mh_msg_init(&r, MH_TYPE_HB);
	r.u.hb.flags = MH_HB_R;
	r.u.hb.seq = 77; /* none of ours */
	m_input(&h, LMA, &r);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_HB_UNMATCHED], 1);
}
END_TEST

START_TEST(unreachable_lma_is_declared_and_routes_stay)
{
	attach_two();
	m_advance(&h, 699); /* requests at 200, 400, 600: two counted missed, at 300 and 500 */
	ck_assert_uint_eq(mag_engine_stats(h.e)->peer_failures, 0);
	ck_assert_uint_eq(mag_engine_peer(h.e)->misses, 2);
	m_advance(&h, 1); /* 600's response overdue by half an interval: the third miss */
	ck_assert_uint_eq(mag_engine_stats(h.e)->peer_failures, 1);
	ck_assert_uint_eq(mag_engine_peer(h.e)->state, HB_UNREACHABLE);
	ck_assert_ptr_nonnull(m_route(&h, P1)); /* still serving */
	ck_assert(m_route(&h, P1)->has_route);
	m_advance(&h, 2000);
	ck_assert_uint_eq(mag_engine_stats(h.e)->peer_failures, 1); /* once */
	ck_assert_uint_gt(mag_engine_peer(h.e)->misses, 3);
}
END_TEST

START_TEST(lma_answering_again_gets_every_mn_registered_at_once)
{
	size_t pbus;

	attach_two();
	m_advance(&h, 200);
	answer(3, 1);
	m_advance(&h, 799); /* 1000 ms: unreachable */
	ck_assert_uint_eq(mag_engine_peer(h.e)->state, HB_UNREACHABLE);
	pbus = m_count_type(&h, MH_TYPE_BU);
	answer(3, 1);
	ck_assert_uint_eq(mag_engine_stats(h.e)->peer_recoveries, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 2);
	ck_assert_uint_eq(mag_engine_stats(h.e)->reregistrations, 2);
	ck_assert(both_registered_again());
}
END_TEST

START_TEST(lma_restart_gets_every_mn_registered_with_its_prefixes)
{
	size_t pbus;
	const struct mh_msg *m;
	struct mh_prefix p2 = m_prefix(P2);

	attach_two();
	m_advance(&h, 200);
	answer(3, 1);
	m_advance(&h, 199);
	pbus = m_count_type(&h, MH_TYPE_BU);
	answer(4, 1); /* a new Restart Counter */
	ck_assert_uint_eq(mag_engine_stats(h.e)->peer_restarts, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 2);
	ck_assert(both_registered_again());
	m = m_last_pbu(&h);
	m_pba(&h, 0, mh_prefix_equal(&m->opts.hnp[0], &p2) ? only_p2 : only_p1, NULL);
	ck_assert(m_route(&h, P2)->has_route);
	answer(4, 0); /* the same counter: nothing more */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 2);
}
END_TEST

START_TEST(heartbeat_stops_when_no_mn_is_left)
{
	attach_two();
	ck_assert_int_eq(mag_engine_deregister(h.e, "mn1@example.org", &h.now), 0);
	ck_assert_int_eq(mag_engine_deregister(h.e, "mn2@example.org", &h.now), 0);
	for (int i = 0; i < 100; i++) { /* de-registrations given up, entries detached, gone */
		h.n_sent = 0;
		m_advance(&h, 1000);
	}
	ck_assert_ptr_null(mag_engine_first(h.e));
	h.n_sent = 0;
	m_advance(&h, 5000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 0);
}
END_TEST

START_TEST(a_reload_turning_heartbeats_on_starts_them)
{
	static const char on[] = "lma-address 2001:db8:ffff::100\n"
	                         "proxy-coa 2001:db8:ffff::1\n"
	                         "uplink-interface eth0\n"
	                         "heartbeat interval 1s\n"
	                         "access-interface wlan0 { access-technology 4 }\n"
	                         "mn mn1@example.org { mac 02:00:00:00:00:01 }\n"
	                         "mn mn2@example.org { mac 02:00:00:00:00:09 }\n";
	static const char off[] = "lma-address 2001:db8:ffff::100\n"
	                          "proxy-coa 2001:db8:ffff::1\n"
	                          "uplink-interface eth0\n"
	                          "heartbeat off\n"
	                          "access-interface wlan0 { access-technology 4 }\n"
	                          "mn mn1@example.org { mac 02:00:00:00:00:01 }\n"
	                          "mn mn2@example.org { mac 02:00:00:00:00:09 }\n";
	char err[256];
	FILE *f = fmemopen((void *)off, strlen(off), "r");
	struct mag_conf *c_off = mag_conf_parse(f, "off.conf", err, sizeof(err)), *c_on;

	fclose(f);
	ck_assert_ptr_nonnull(c_off);
	f = fmemopen((void *)on, strlen(on), "r");
	c_on = mag_conf_parse(f, "on.conf", err, sizeof(err));
	fclose(f);
	ck_assert_ptr_nonnull(c_on);
	attach_two();
	mag_engine_set_conf(h.e, c_off);
	m_advance(&h, 3000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 0);
	mag_engine_set_conf(h.e, c_on);
	m_advance(&h, 999); /* one at once, the next an interval later */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 1);
	m_advance(&h, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 2);
	mag_engine_set_conf(h.e, h.conf);
	mag_conf_free(c_on);
	mag_conf_free(c_off);
}
END_TEST

static Suite *peer_suite(void)
{
	Suite *s = suite_create("mag_peer");
	TCase *tc = tcase_create("heartbeat");

	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	tcase_add_test(tc, requests_go_while_mns_are_served);
	tcase_add_test(tc, responses_are_matched_and_timed);
	tcase_add_test(tc, unreachable_lma_is_declared_and_routes_stay);
	tcase_add_test(tc, lma_answering_again_gets_every_mn_registered_at_once);
	tcase_add_test(tc, lma_restart_gets_every_mn_registered_with_its_prefixes);
	tcase_add_test(tc, heartbeat_stops_when_no_mn_is_left);
	tcase_add_test(tc, a_reload_turning_heartbeats_on_starts_them);
	return s;
}

CHECK_MAIN(peer_suite)
