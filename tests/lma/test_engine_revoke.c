/* test_engine_revoke.c: the LMA engine's prefix hold (lmad.conf(5) "prefix-hold": a lost
 * interface's prefixes routed through the MN's other binding past bce-delete-delay, and listed
 * to its MAG in MuHo options) and its Binding Revocation (RFC 5846 §8.1: indications to the
 * MAGs, retransmitted with back-off until acknowledged, bounded; revocation by MN and of the
 * MAGs a reload removes). */
#include <stdio.h>
#include <string.h>

#include "tests/check_main.h"
#include "tests/lma/engine_harness.h"

#define MAG1 "2001:db8:ffff::1"
#define MAG2 "2001:db8:ffff::2"
#define P1   "2001:db8:100::/64"
#define P2   "2001:db8:100:1::/64"
#define MN1  "mn1@example.org"

#define CONF_HEAD                                                                                  \
	"lma-address 2001:db8:ffff::100\n"                                                         \
	"uplink-interface eth0\n"                                                                  \
	"prefix-pool 2001:db8:100::/48 length 64\n"                                                \
	"bce-delete-delay 10s\n"                                                                   \
	"upn-retransmit initial 1s max 4s tries 4\n"                                               \
	"revocation-retransmit initial 1s max 4s tries 4\n"                                        \
	"mn mn1@example.org\n"                                                                     \
	"mn mn2@example.org\n"                                                                     \
	"mag 2001:db8:ffff::1\n"

static const char conf_both[] = CONF_HEAD "mag 2001:db8:ffff::2\n";

static struct harness h;

static void start(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%smag 2001:db8:ffff::2\n", CONF_HEAD, extra);
	h_init(&h, text);
}

static void teardown(void)
{
	h_free(&h);
}

static void attach_both(void)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .att = 7 });
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_str_eq(h_route_peer(&h, P2), MAG2);
}

static void lose_mag1(void)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true, .seq = 1 });
}

static bool lists_muho(const struct mh_msg *m, const char *prefix)
{
	struct mh_prefix p = h_prefix(prefix);

	for (unsigned i = 0; i < m->opts.n_muho; i++)
		if (mh_prefix_equal(&m->opts.muho[i], &p))
			return true;
	return false;
}

static const struct lma_stats *stats(void)
{
	return lma_engine_stats(h.e);
}

/* --- prefix hold --- */

static void setup_default(void)
{
	start("");
}

/* The default, "attached": P1 stays routed through MAG2 past the delete delay, and MAG2's
 * next PBA (a refresh) still lists it, so that MAG2 keeps its route to the MN. */
START_TEST(lost_interface_prefix_is_held_while_the_mn_is_attached)
{
	attach_both();
	lose_mag1();
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	h_advance(&h, 60000);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	ck_assert_uint_eq(stats()->holds, 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
	h_pbu(&h, MAG2,
	      &(struct pbu_spec){ .llid = 2,
	                          .muho = true,
	                          .att = 7,
	                          .seq = 2,
	                          .hnp = { P2 },
	                          .hi = MH_HI_NO_CHANGE });
	ck_assert_uint_eq(h_last_to(&h, MAG2, 0)->u.ba.status, 0);
	ck_assert(lists_muho(h_last_to(&h, MAG2, 0), P1));
}
END_TEST

/* The interface comes back and names its prefix: the route returns to its MAG, the hold ends
 * without a deletion, and MAG2 hears the prefix is no longer one it must carry for MAG1. */
START_TEST(returning_interface_takes_its_held_prefix_back)
{
	attach_both();
	lose_mag1();
	h_advance(&h, 30000);
	h_pbu(&h, MAG1,
	      &(struct pbu_spec){
	              .llid = 1, .muho = true, .seq = 2, .hnp = { P1 }, .hi = MH_HI_NO_CHANGE });
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->u.ba.status, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_uint_eq(stats()->bce_deleted, 0);
	ck_assert_uint_eq(stats()->holds_ended, 0);
	ck_assert_uint_eq(h_last_to(&h, MAG2, 0)->type, MH_TYPE_UPN);
	ck_assert(lists_muho(h_last_to(&h, MAG2, 0), P1)); /* MAG1's active prefix, as before */
}
END_TEST

/* The binding that carried the held prefix goes too: nobody can carry it, it goes at once. */
START_TEST(held_prefix_goes_with_the_last_binding)
{
	attach_both();
	lose_mag1();
	h_advance(&h, 20000);
	h_pbu(&h, MAG2,
	      &(struct pbu_spec){ .llid = 2, .muho = true, .att = 7, .dereg = true, .seq = 2 });
	h_advance(&h, 1);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(stats()->holds_ended, 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1); /* MAG2's, in its delete delay */
}
END_TEST

/* A reload to "prefix-hold off" ends the holds under way. */
START_TEST(reload_without_hold_ends_the_holds)
{
	static const char text[] = CONF_HEAD "prefix-hold off\nmag 2001:db8:ffff::2\n";
	char err[256] = "";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct lma_conf *c = lma_conf_parse(f, "reload.conf", err, sizeof(err)), *old = h.conf;

	fclose(f);
	ck_assert_msg(c != NULL, "%s", err);
	attach_both();
	lose_mag1();
	h_advance(&h, 20000);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	lma_engine_set_conf(h.e, c);
	h.conf = c;
	lma_conf_free(old);
	h_advance(&h, 1);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(stats()->holds_ended, 1);
}
END_TEST

static void setup_30s(void)
{
	start("prefix-hold 30s\n");
}

START_TEST(hold_with_a_duration_ends_after_it)
{
	attach_both();
	lose_mag1();
	h_advance(&h, 29000);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	h_advance(&h, 1000);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(stats()->holds, 1);
	ck_assert_uint_eq(stats()->holds_ended, 1);
	ck_assert(!lists_muho(h_last_to(&h, MAG2, 0), P1)); /* MAG2 is told it is gone */
}
END_TEST

static void setup_off(void)
{
	start("prefix-hold off\n");
}

/* "off" is RFC 5213 §5.3.5 to the letter: the data is dropped during the delete delay. */
START_TEST(hold_off_drops_the_prefix_at_deregistration)
{
	attach_both();
	lose_mag1();
	ck_assert_ptr_null(h_route_peer(&h, P1));
	h_advance(&h, 10000);
	ck_assert_uint_eq(stats()->holds, 0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

/* --- Binding Revocation --- */

static void setup_revoke(void)
{
	h_init(&h, conf_both);
}

static const struct mh_msg *last_bri(const char *mag, unsigned nth)
{
	const struct mh_msg *m = h_last_to(&h, mag, nth);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, MH_TYPE_BR);
	ck_assert_uint_eq(m->u.br.br_type, MH_BR_TYPE_BRI);
	return m;
}

/* A BRA naming nai (NULL: no MN-ID option, which §5.2 allows). */
static void bra_naming(const char *mag, uint16_t seq, uint8_t status, const char *nai)
{
	struct mh_msg bra;

	mh_msg_init(&bra, MH_TYPE_BR);
	bra.u.br.br_type = MH_BR_TYPE_BRA;
	bra.u.br.code = status;
	bra.u.br.seq = seq;
	bra.u.br.flags = MH_BR_P;
	if (nai)
		mh_opts_set_nai(&bra.opts, nai);
	h_input(&h, mag, &bra);
}

static void bra_from(const char *mag, uint16_t seq, uint8_t status)
{
	bra_naming(mag, seq, status, MN1);
}

static void revoke(const char *mn)
{
	ck_assert_int_ge(lma_engine_revoke_mn(h.e, mn, &h.now), 1);
	h_flush(&h);
}

/* Every binding of the MN goes at once, and each of its MAGs gets an indication: P, trigger
 * administrative, its MN-ID and the prefixes revoked there (RFC 5846 §8.1). */
START_TEST(revoking_an_mn_removes_its_bindings_and_tells_each_mag)
{
	const struct mh_msg *m;

	attach_both();
	ck_assert_int_eq(lma_engine_revoke_mn(h.e, MN1, &h.now), 2);
	h_flush(&h);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_ptr_null(h_route_peer(&h, P2));
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
	ck_assert_uint_eq(h_tunnels(&h), 0);
	m = last_bri(MAG1, 0);
	ck_assert_uint_eq(m->u.br.code, MH_BRI_ADMINISTRATIVE);
	ck_assert_uint_eq(m->u.br.flags, MH_BR_P);
	ck_assert_uint_eq(m->opts.mnid.len, strlen(MN1));
	ck_assert_mem_eq(m->opts.mnid.id, MN1, strlen(MN1));
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert_str_eq(h_ptext(&m->opts.hnp[0]), P1);
	ck_assert_str_eq(h_ptext(&last_bri(MAG2, 0)->opts.hnp[0]), P2);
	ck_assert_uint_ne(last_bri(MAG1, 0)->u.br.seq, last_bri(MAG2, 0)->u.br.seq);
	ck_assert_uint_eq(stats()->revoked, 2);
	ck_assert_uint_eq(stats()->bri_sent, 2);
	ck_assert_int_eq(lma_engine_revoke_mn(h.e, MN1, &h.now), -1); /* nothing left */
	ck_assert_int_eq(lma_engine_revoke_mn(h.e, "nobody@example.org", &h.now), -1);
}
END_TEST

/* Unanswered, the indication goes again after 1, 2 and 4 s (same sequence number), four sends
 * in all, then it is given up. */
START_TEST(unanswered_indication_is_retransmitted_with_backoff_then_given_up)
{
	uint16_t seq;

	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	revoke(MN1);
	seq = last_bri(MAG1, 0)->u.br.seq;
	h_advance(&h, 999);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 1);
	h_advance(&h, 1);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 2);
	ck_assert_uint_eq(last_bri(MAG1, 0)->u.br.seq, seq);
	h_advance(&h, 1999);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 2);
	h_advance(&h, 1);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 3);
	h_advance(&h, 4000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 4);
	h_advance(&h, 60000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 4);
	ck_assert_uint_eq(stats()->bri_retransmitted, 3);
	ck_assert_uint_eq(stats()->bri_gave_up, 1);
}
END_TEST

START_TEST(acknowledgement_stops_the_retransmissions)
{
	uint16_t seq;

	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	revoke(MN1);
	seq = last_bri(MAG1, 0)->u.br.seq;
	bra_from(MAG1, (uint16_t)(seq + 1), MH_BRA_SUCCESS); /* not ours */
	bra_from(MAG2, seq, MH_BRA_SUCCESS);                 /* not from that MAG */
	ck_assert_uint_eq(stats()->dropped[LMA_DROP_BRA_UNMATCHED], 2);
	bra_from(MAG1, seq, MH_BRA_SUCCESS);
	ck_assert_uint_eq(stats()->bra_success, 1);
	h_advance(&h, 60000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 1);
	bra_from(MAG1, seq, MH_BRA_SUCCESS); /* a late duplicate */
	ck_assert_uint_eq(stats()->dropped[LMA_DROP_BRA_UNMATCHED], 3);
}
END_TEST

/* Without an MN-ID the acknowledgement is matched by MAG and sequence number alone; one naming
 * another MN does not count. */
START_TEST(acknowledgement_without_mn_id_matches_by_sequence)
{
	uint16_t seq;

	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	revoke(MN1);
	seq = last_bri(MAG1, 0)->u.br.seq;
	bra_naming(MAG1, seq, MH_BRA_SUCCESS, "mn2@example.org");
	bra_naming(MAG1, seq, MH_BRA_SUCCESS, "nobody@example.org");
	ck_assert_uint_eq(stats()->dropped[LMA_DROP_BRA_UNMATCHED], 2);
	bra_naming(MAG1, seq, MH_BRA_MN_ATTACHED, NULL);
	ck_assert_uint_eq(stats()->bra_failed, 1);
	h_advance(&h, 60000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 1);
}
END_TEST

/* A MAG that answers "no such binding" (a retransmission after a lost answer) is done too. */
START_TEST(no_binding_answer_ends_the_revocation)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	revoke(MN1);
	bra_from(MAG1, last_bri(MAG1, 0)->u.br.seq, MH_BRA_NO_BINDING);
	ck_assert_uint_eq(stats()->bra_no_binding, 1);
	h_advance(&h, 60000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_BR), 1);
}
END_TEST

/* A PBU the MAG sent before it heard of the revocation does not bring the binding back; once
 * the MAG acknowledged, the MN may register again. */
START_TEST(pbu_from_a_revoking_mag_is_dropped_until_it_acknowledges)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	revoke(MN1);
	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .seq = 1 }), 0);
	ck_assert_uint_eq(stats()->dropped[LMA_DROP_REVOKING], 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2 }); /* another MAG is not concerned */
	ck_assert_uint_eq(h_last_to(&h, MAG2, 0)->u.ba.status, 0);
	bra_from(MAG1, last_bri(MAG1, 0)->u.br.seq, MH_BRA_SUCCESS);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .seq = 2 });
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->u.ba.status, 0);
}
END_TEST

/* A reload without MAG2: its bindings are revoked, MAG1's stay. */
START_TEST(mag_removed_from_the_configuration_has_its_bindings_revoked)
{
	static const char text[] = CONF_HEAD;
	char err[256] = "";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct lma_conf *c = lma_conf_parse(f, "reload.conf", err, sizeof(err)), *old = h.conf;

	fclose(f);
	ck_assert_msg(c != NULL, "%s", err);
	attach_both();
	h_pbu(&h, MAG2, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 3 });
	lma_engine_set_conf(h.e, c);
	h.conf = c;
	lma_conf_free(old);
	ck_assert_uint_eq(lma_engine_revoke_unconfigured(h.e, &h.now), 2);
	h_flush(&h);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_ptr_null(h_route_peer(&h, P2));
	ck_assert_uint_eq(h_count_to(&h, MAG2, MH_TYPE_BR), 2); /* one per MN */
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	ck_assert_uint_eq(lma_engine_revoke_unconfigured(h.e, &h.now), 0);
}
END_TEST

/* A BRI sent to the LMA (MAG-initiated revocation) is not served. */
START_TEST(indication_from_a_mag_is_dropped)
{
	struct mh_msg bri;

	mh_msg_init(&bri, MH_TYPE_BR);
	bri.u.br.br_type = MH_BR_TYPE_BRI;
	bri.u.br.flags = MH_BR_P | MH_BR_G;
	h_input(&h, MAG1, &bri);
	ck_assert_uint_eq(stats()->dropped[LMA_DROP_UNEXPECTED], 1);
	ck_assert_uint_eq(h.n_sent, 0);
}
END_TEST

static Suite *revoke_suite(void)
{
	Suite *s = suite_create("lma_engine_revoke");
	TCase *hold = tcase_create("hold");
	TCase *dur = tcase_create("hold_duration");
	TCase *off = tcase_create("hold_off");
	TCase *rev = tcase_create("revocation");

	tcase_add_checked_fixture(hold, setup_default, teardown);
	tcase_add_checked_fixture(dur, setup_30s, teardown);
	tcase_add_checked_fixture(off, setup_off, teardown);
	tcase_add_checked_fixture(rev, setup_revoke, teardown);
	tcase_add_test(hold, lost_interface_prefix_is_held_while_the_mn_is_attached);
	tcase_add_test(hold, returning_interface_takes_its_held_prefix_back);
	tcase_add_test(hold, held_prefix_goes_with_the_last_binding);
	tcase_add_test(hold, reload_without_hold_ends_the_holds);
	tcase_add_test(dur, hold_with_a_duration_ends_after_it);
	tcase_add_test(off, hold_off_drops_the_prefix_at_deregistration);
	tcase_add_test(rev, revoking_an_mn_removes_its_bindings_and_tells_each_mag);
	tcase_add_test(rev, unanswered_indication_is_retransmitted_with_backoff_then_given_up);
	tcase_add_test(rev, acknowledgement_stops_the_retransmissions);
	tcase_add_test(rev, acknowledgement_without_mn_id_matches_by_sequence);
	tcase_add_test(rev, no_binding_answer_ends_the_revocation);
	tcase_add_test(rev, pbu_from_a_revoking_mag_is_dropped_until_it_acknowledges);
	tcase_add_test(rev, mag_removed_from_the_configuration_has_its_bindings_revoked);
	tcase_add_test(rev, indication_from_a_mag_is_dropped);
	suite_add_tcase(s, hold);
	suite_add_tcase(s, dur);
	suite_add_tcase(s, off);
	suite_add_tcase(s, rev);
	return s;
}

CHECK_MAIN(revoke_suite)
