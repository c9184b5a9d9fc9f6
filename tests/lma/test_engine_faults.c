/* test_engine_faults.c: the LMA engine against a kernel that refuses: every kernel request the
 * engine makes (tunnel and route additions and deletions, route refusals reported at the flush
 * or by the call itself) refused in turn through a scenario of new sessions, multihoming,
 * handoffs in one receive batch, de-registrations and expiry, with the engine and the fake
 * kernel checked to agree after every step (engine_harness.c); run under ASan, a use after free
 * or a leak on a refusal path fails here. Also the routes of de-registered bindings, which
 * must survive the tunnel they were parked on. */
#include <errno.h>
#include <string.h>

#include "tests/check_main.h"
#include "tests/lma/engine_harness.h"

#define MAG1 "2001:db8:ffff::1"
#define MAG2 "2001:db8:ffff::2"
#define MAG3 "2001:db8:ffff::3"
#define P1   "2001:db8:100::/64"
#define P2   "2001:db8:100:1::/64"
#define P3   "2001:db8:100:2::/64"

static const char conf_text[] = "lma-address 2001:db8:ffff::100\n"
                                "uplink-interface eth0\n"
                                "prefix-pool 2001:db8:100::/48 length 64\n"
                                "bce-delete-delay 10s\n"
                                "new-bce-delay 1500ms\n"
                                "max-lifetime 3600s\n"
                                "upn-retransmit initial 1s max 4s tries 4\n"
                                "mn mn1@example.org\n"
                                "mn mn2@example.org\n"
                                "mag 2001:db8:ffff::1\n"
                                "mag 2001:db8:ffff::2\n"
                                "mag 2001:db8:ffff::3\n";

HARNESS_FIXTURE(conf_text)

static uint8_t last_status(const char *mag, unsigned nth)
{
	const struct mh_msg *m = h_last_to(&h, mag, nth);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, MH_TYPE_BA);
	return m->u.ba.status;
}

/* --- the use after free of the hardening issue --- */

/* A PBU from MAG2 fails after creating MAG2's entry (no tunnel), and a handoff to MAG2 follows
 * in the same receive batch: the second failure must not free the entry the first queued for
 * release. */
START_TEST(refused_tunnel_then_handoff_to_that_mag_in_one_batch)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(last_status(MAG1, 0), 0);
	h.faults.ops = 1u << H_TUNNEL_ADD;
	h_pbu_noflush(&h, MAG2, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 2 });
	h_pbu_noflush(&h, MAG2, &(struct pbu_spec){ .llid = 1, .seq = 1 });
	h_flush(&h);
	ck_assert_uint_eq(last_status(MAG2, 0), 130);
	ck_assert_uint_eq(last_status(MAG2, 1), 130);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1); /* the session stays where it was */
	h_check_consistent(&h);
	h.faults.ops = 0;
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 1, .seq = 2 });
	ck_assert_uint_eq(last_status(MAG2, 0), 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
}
END_TEST

/* A route the kernel side refuses on the spot (its queue is full): the binding goes, but only
 * once the engine is done with it. */
START_TEST(route_refused_on_the_spot_is_130)
{
	h.faults.ops = 1u << H_ROUTE_ADD;
	h.faults.route_sync = true;
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(last_status(MAG1, 0), 130);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
	ck_assert_uint_eq(h_tunnels(&h), 0);
	h.faults.ops = 0;
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .seq = 1 });
	ck_assert_uint_eq(last_status(MAG1, 0), 0);
}
END_TEST

/* --- every refusal, one at a time --- */

static void step(const char *mag, const struct pbu_spec *s)
{
	h_pbu(&h, mag, s);
	h_check_consistent(&h);
}

static void advance(uint64_t ms)
{
	h_advance(&h, ms);
	h_check_consistent(&h);
}

/* Most of what makes the engine ask the kernel for something, statuses left unchecked: a
 * refusal changes them. */
static void fault_scenario(void)
{
	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	step(MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .seq = 1 });
	step(MAG1, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 9 });
	h_pbu_noflush(&h, MAG3,
	              &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 9, .seq = 1 });
	h_pbu_noflush(&h, MAG3, &(struct pbu_spec){ .llid = 3, .seq = 2 });
	h_pbu_noflush(&h, MAG2, &(struct pbu_spec){ .llid = 1, .seq = 3 });
	h_flush(&h);
	h_check_consistent(&h);
	step(MAG2, &(struct pbu_spec){ .llid = 2, .dereg = true, .seq = 4 });
	step(MAG1, &(struct pbu_spec){ .llid = 1, .seq = 5 });
	step(MAG2, &(struct pbu_spec){ .llid = 2, .seq = 6 }); /* back within the delay */
	step(MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true, .seq = 7 });
	advance(10000);
	step(MAG3,
	     &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 9, .dereg = true, .seq = 8 });
	advance(3600 * 1000);
}

static unsigned scenario_requests(void)
{
	unsigned n;

	fault_scenario();
	n = h.requests;
	ck_assert_uint_gt(h.tag_adds, 0); /* two bindings at MAG2: tags, refused in turn too */
	h_free(&h);
	h_init(&h, conf_text);
	return n;
}

static void run_with(const struct h_faults *f)
{
	h.faults = *f;
	fault_scenario();
	h_free(&h); /* consistent, nothing left but what the kernel refused to delete */
	h_init(&h, conf_text);
}

START_TEST(every_single_refusal_leaves_the_engine_consistent)
{
	unsigned n = scenario_requests();

	ck_assert_uint_gt(n, 20);
	for (unsigned i = 1; i <= n; i++) {
		run_with(&(struct h_faults){ .nth = i });
		run_with(&(struct h_faults){ .nth = i, .route_sync = true });
		run_with(&(struct h_faults){ .nth = i, .err = EINVAL });
	}
}
END_TEST

START_TEST(every_refusal_of_one_kind_leaves_the_engine_consistent)
{
	for (unsigned op = 0; op < H_OP_COUNT; op++) {
		run_with(&(struct h_faults){ .ops = 1u << op });
		run_with(&(struct h_faults){ .ops = 1u << op, .route_sync = true });
	}
	run_with(&(struct h_faults){ .ops = (1u << H_OP_COUNT) - 1 });
}
END_TEST

/* --- routes of de-registered bindings --- */

/* mn1 on MAG1 (P1) and MAG2 (P2); P1 de-registers and is routed through MAG2's tunnel while it
 * waits; then the MAG2 session hands off to MAG3 and MAG2's tunnel goes: P1 must follow. */
START_TEST(deregistered_prefix_follows_the_binding_it_was_parked_on)
{
	const struct lma_stats *st = lma_engine_stats(h.e);

	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	step(MAG2, &(struct pbu_spec){ .llid = 2, .muho = true });
	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true, .seq = 1 });
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	step(MAG3, &(struct pbu_spec){ .llid = 2, .muho = true, .seq = 2 });
	ck_assert_str_eq(h_route_peer(&h, P2), MAG3);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG3);
	ck_assert_uint_eq(h_tunnels(&h), 2); /* MAG1 (still a binding waiting), MAG3 */
	ck_assert_uint_ge(st->reroutes, 1);
	advance(10000); /* "prefix-hold attached", the default: held past the delete delay */
	ck_assert_str_eq(h_route_peer(&h, P1), MAG3);
	ck_assert_str_eq(h_route_peer(&h, P2), MAG3);
	ck_assert_uint_eq(st->holds, 1);
}
END_TEST

/* The binding that carried the de-registered prefix de-registers too: nobody is left to carry
 * it, and the route goes before its tunnel. */
START_TEST(deregistered_prefix_loses_its_route_with_the_last_binding)
{
	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	step(MAG2, &(struct pbu_spec){ .llid = 2, .muho = true });
	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true, .seq = 1 });
	step(MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .dereg = true, .seq = 2 });
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_ptr_null(h_route_peer(&h, P2));
	advance(10000);
	ck_assert_uint_eq(h_tunnels(&h), 0);
}
END_TEST

/* The carrier expires: the parked prefix moves to the MN's other active binding. */
START_TEST(deregistered_prefix_moves_when_its_carrier_expires)
{
	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .lifetime = 1000 });
	step(MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .lifetime = 2 });
	step(MAG3, &(struct pbu_spec){ .llid = 3, .muho = true, .lifetime = 1000 });
	step(MAG3, &(struct pbu_spec){ .llid = 3, .muho = true, .dereg = true, .seq = 1 });
	/* P3 parked on MAG2's binding, the latest; its lifetime (8 s) runs out first */
	ck_assert_str_eq(h_route_peer(&h, P3), MAG2);
	advance(9000);
	ck_assert_str_eq(h_route_peer(&h, P3), MAG1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

/* The kernel refuses to route the de-registered P1 through MAG2's tunnel: P1 is unrouted openly
 * (counted), not left in MAG1's tunnel to go with it when the held binding's tunnel is
 * released (found by fuzz_lma_engine). */
START_TEST(refused_reroute_unroutes_the_prefix_openly)
{
	const struct lma_stats *st = lma_engine_stats(h.e);

	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	step(MAG2, &(struct pbu_spec){ .llid = 2, .muho = true });
	h.fail_next_route = true; /* the reroute, reported at the flush */
	step(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true, .seq = 1 });
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_str_eq(h_route_peer(&h, P2), MAG2);
	ck_assert_uint_eq(st->reroutes_lost, 1);
	advance(10000); /* past the delete delay: nothing held, MAG1's tunnel goes */
	ck_assert_uint_eq(h_tunnels(&h), 1);
	ck_assert_uint_eq(st->holds, 0);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("lma_engine_faults");
	TCase *uaf = tcase_create("refusals");
	TCase *reroute = tcase_create("reroute");

	tcase_add_checked_fixture(uaf, setup, teardown);
	tcase_add_checked_fixture(reroute, setup, teardown);
	tcase_set_timeout(uaf, 120);
	suite_add_tcase(s, uaf);
	suite_add_tcase(s, reroute);
	tcase_add_test(uaf, refused_tunnel_then_handoff_to_that_mag_in_one_batch);
	tcase_add_test(uaf, route_refused_on_the_spot_is_130);
	tcase_add_test(uaf, every_single_refusal_leaves_the_engine_consistent);
	tcase_add_test(uaf, every_refusal_of_one_kind_leaves_the_engine_consistent);
	tcase_add_test(reroute, deregistered_prefix_follows_the_binding_it_was_parked_on);
	tcase_add_test(reroute, deregistered_prefix_loses_its_route_with_the_last_binding);
	tcase_add_test(reroute, deregistered_prefix_moves_when_its_carrier_expires);
	tcase_add_test(reroute, refused_reroute_unroutes_the_prefix_openly);
	return s;
}

CHECK_MAIN(faults_suite)
