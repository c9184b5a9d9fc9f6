/* test_engine_share.c: the LMA engine (lma/pbu.c, reply.c, upn.c, engine.c) with an MN's
 * bindings side by side: two interfaces of one MN at the same MAG (each its own binding, the
 * MuHo lists of each naming the other's prefixes, either removed without touching the other),
 * and RFC 7864's shared-prefix sessions (Handoff Indicator 6: a new session at another MAG
 * that shares the MN's prefixes and never takes a session away); the binding tags the two at one
 * MAG get, and lose when either goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bindtag.h"
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
                                "prefix-hold 10s\n"
                                "max-lifetime 3600s\n"
                                "upn-retransmit initial 1s max 4s tries 4\n"
                                "heartbeat off\n"
                                "mn mn1@example.org\n"
                                "mn mn2@example.org\n"
                                "mag 2001:db8:ffff::1\n"
                                "mag 2001:db8:ffff::2\n";

HARNESS_FIXTURE(conf_text)

/* The last message of a type sent to dst (asserted to exist). */
static const struct mh_msg *last_of(const char *dst, uint8_t type)
{
	for (unsigned i = 0;; i++) {
		const struct mh_msg *m = h_last_to(&h, dst, i);

		ck_assert_msg(m != NULL, "no message of type %u to %s", type, dst);
		if (m->type == type)
			return m;
	}
}

/* Whether the MuHo options of m name prefix. */
static bool lists(const struct mh_msg *m, const char *prefix)
{
	for (unsigned i = 0; i < m->opts.n_muho; i++)
		if (strcmp(h_ptext(&m->opts.muho[i]), prefix) == 0)
			return true;
	return false;
}

static const struct bce *binding_of(const char *prefix)
{
	struct mh_prefix p = h_prefix(prefix);

	return bc_bce_by_prefix(lma_engine_cache(h.e), &p);
}

/* --- two interfaces of one MN at one MAG --- */

static void attach_two_at_mag1(void)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2, .muho = true, .att = 7 });
}

START_TEST(two_interfaces_at_one_mag_are_two_bindings)
{
	const struct mh_msg *pba, *upn;

	attach_two_at_mag1();
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
	ck_assert_ptr_ne(binding_of(P1), binding_of(P2));
	pba = last_of(MAG1, MH_TYPE_BA);
	ck_assert_uint_eq(pba->u.ba.status, 0);
	ck_assert_str_eq(h_ptext(&pba->opts.hnp[0]), P2);
	ck_assert_uint_eq(pba->opts.n_muho, 1); /* the other binding's, though at the same MAG */
	ck_assert_str_eq(h_ptext(&pba->opts.muho[0]), P1);
	/* the MAG's entry for the first interface learns P2: one notification, the MN's whole
	 * list (each entry leaves its own prefixes out) */
	upn = last_of(MAG1, MH_TYPE_UPN);
	ck_assert_uint_eq(upn->opts.n_muho, 2);
	ck_assert(lists(upn, P1) && lists(upn, P2));
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_str_eq(h_route_peer(&h, P2), MAG1);
	ck_assert_uint_eq(h_tunnels(&h), 1);
	h_check_consistent(&h);
}
END_TEST

START_TEST(renewal_at_one_mag_keeps_the_other_listed)
{
	const struct mh_msg *pba;

	attach_two_at_mag1();
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .hi = 5, .hnp = { P1 } });
	pba = last_of(MAG1, MH_TYPE_BA);
	ck_assert_uint_eq(pba->u.ba.status, 0);
	ck_assert_uint_eq(pba->opts.n_muho, 1);
	ck_assert_str_eq(h_ptext(&pba->opts.muho[0]), P2);
}
END_TEST

/* Either binding goes: the other keeps its route, the one gone is held through the same tunnel
 * and stays in the MAG's list; nothing of the other is deleted. */
static void deregister_one(uint8_t llid, uint8_t att, const char *gone, const char *kept)
{
	const struct mh_msg *upn;

	attach_two_at_mag1();
	h_pbu(&h, MAG1,
	      &(struct pbu_spec){ .llid = llid, .att = att, .muho = true, .dereg = true });
	ck_assert_str_eq(h_route_peer(&h, kept), MAG1);
	ck_assert_str_eq(h_route_peer(&h, gone), MAG1); /* prefix hold, through the shared tunnel */
	ck_assert_int_eq(binding_of(kept)->state, BCE_ACTIVE);
	upn = last_of(MAG1, MH_TYPE_UPN);
	ck_assert(lists(upn, gone));
	h_check_consistent(&h);
	h_advance(&h, 20000); /* delete delay and hold over: only the gone one goes */
	ck_assert_ptr_null(h_route_peer(&h, gone));
	ck_assert_str_eq(h_route_peer(&h, kept), MAG1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	ck_assert_uint_eq(h_tunnels(&h), 1);
	h_check_consistent(&h);
}

START_TEST(removing_the_second_binding_at_one_mag_keeps_the_first)
{
	deregister_one(2, 7, P2, P1);
}
END_TEST

START_TEST(removing_the_first_binding_at_one_mag_keeps_the_second)
{
	deregister_one(1, 4, P1, P2);
}
END_TEST

/* --- binding tags (lma/engine_tags.c): the two bindings at one MAG, and only they --- */

/* The binding of prefix has a tag in the kernel: its own, through its MAG's tunnel. */
static void assert_tagged(const char *prefix, uint8_t llid, uint8_t att)
{
	const struct bce *b = binding_of(prefix);
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, llid };
	const struct h_tag *t;

	ck_assert_ptr_nonnull(b);
	t = h_tag_of(&h, b->tag_mark);
	ck_assert_msg(t != NULL, "binding of %s has no tag", prefix);
	ck_assert_uint_eq(t->tag, bindtag_of(mac, 6, att));
	ck_assert_uint_eq(t->tunnel, b->mag->tunnel);
}

START_TEST(two_bindings_at_one_mag_get_a_tag_each)
{
	attach_two_at_mag1();
	assert_tagged(P1, 1, 4);
	assert_tagged(P2, 2, 7);
	ck_assert_uint_ne(binding_of(P1)->tag_mark, binding_of(P2)->tag_mark);
	ck_assert_uint_eq(h_tags(&h), 2);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .hi = 5, .hnp = { P1 } });
	ck_assert_uint_eq(h.tag_adds, 2); /* a renewal changes nothing */
	h_check_consistent(&h);
}
END_TEST

/* Without MuHo the MAG's entry knows its own prefixes only, so its tag's table could not take a
 * flow to the other binding's prefix: no tag (magd tags multihoming MNs alone). */
START_TEST(bindings_without_muho_get_no_tag)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2, .att = 7 });
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
	ck_assert_uint_eq(h_tags(&h), 0);
	h_check_consistent(&h);
}
END_TEST

/* Two (link-layer ID, ATT) pairs of the harness's MACs whose 19-bit tags are equal. */
static void find_clash(uint8_t *l1, uint8_t *a1, uint8_t *l2, uint8_t *a2)
{
	uint16_t *seen = calloc(BINDTAG_MASK + 1, sizeof(*seen)); /* tag -> llid << 8 | att */

	ck_assert_ptr_nonnull(seen);
	for (unsigned l = 3; l < 256; l++)
		for (unsigned a = 1; a < 256; a++) {
			const uint8_t mac[6] = { 2, 0, 0, 0, 0, (uint8_t)l };
			uint32_t t = bindtag_of(mac, 6, (uint8_t)a);

			if (seen[t] != 0 && seen[t] >> 8 != l) {
				*l1 = (uint8_t)(seen[t] >> 8), *a1 = (uint8_t)seen[t];
				*l2 = (uint8_t)l, *a2 = (uint8_t)a;
				free(seen);
				return;
			}
			seen[t] = (uint16_t)(l << 8 | a);
		}
	ck_abort_msg("no two tags alike among 64,770 pairs");
}

static const struct bce *binding_by_llid(const char *nai, uint8_t llid)
{
	const struct lma_mn *mn = bc_mn_find(lma_engine_cache(h.e), nai, strlen(nai));
	const struct bce *b;

	ck_assert_ptr_nonnull(mn);
	LIST_FOREACH(b, &mn->bces, mn_entry)
	if (b->llid_len == 6 && b->llid[5] == llid)
		return b;
	return NULL;
}

/* magd's map holds one mark per tag: where two MNs' bindings at one MAG share a tag, the first
 * keeps it and the other goes without, at both ends (mag/engine_tags.c does the same). */
START_TEST(another_mns_binding_with_a_taken_tag_gets_none)
{
	uint8_t l1 = 0, a1 = 0, l2 = 0, a2 = 0;

	find_clash(&l1, &a1, &l2, &a2);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = l1, .att = a1, .muho = true });
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .att = 4, .muho = true });
	h_pbu(&h, MAG1,
	      &(struct pbu_spec){ .nai = "mn2@example.org", .llid = l2, .att = a2, .muho = true });
	h_pbu(&h, MAG1,
	      &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 2, .att = 4, .muho = true });
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 4);
	ck_assert_uint_ne(binding_by_llid("mn1@example.org", l1)->tag_mark, 0);
	ck_assert_uint_eq(binding_by_llid("mn2@example.org", l2)->tag_mark, 0);
	ck_assert_uint_ne(binding_by_llid("mn2@example.org", 2)->tag_mark, 0);
	ck_assert_uint_eq(h_tags(&h), 3);
	h_check_consistent(&h);
}
END_TEST

START_TEST(bindings_at_two_mags_get_no_tag)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .att = 7 });
	ck_assert_uint_eq(h_tags(&h), 0);
	ck_assert_uint_eq(binding_of(P1)->tag_mark, 0);
	h_check_consistent(&h);
}
END_TEST

/* One of them de-registers: neither keeps a tag (the one left has no sibling at the MAG). */
START_TEST(deregistration_removes_both_tags)
{
	attach_two_at_mag1();
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2, .att = 7, .muho = true, .dereg = true });
	ck_assert_uint_eq(h_tags(&h), 0);
	ck_assert_uint_eq(h.tag_dels, 2);
	ck_assert_uint_eq(binding_of(P1)->tag_mark, 0);
	h_check_consistent(&h);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2, .att = 7, .muho = true, .seq = 1 });
	assert_tagged(P1, 1, 4); /* back within the delete delay: tagged again */
	assert_tagged(P2, 2, 7);
	h_check_consistent(&h);
}
END_TEST

/* One moves to another MAG: the tags go, through the tunnel they went through. */
START_TEST(handoff_to_another_mag_removes_both_tags)
{
	attach_two_at_mag1();
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .att = 7, .muho = true, .hi = 3, .seq = 1 });
	ck_assert_str_eq(h_route_peer(&h, P2), MAG2);
	ck_assert_uint_eq(h_tags(&h), 0);
	h_check_consistent(&h);
}
END_TEST

START_TEST(driver_without_tags_is_no_failure)
{
	h.tags_unsupported = true;
	attach_two_at_mag1();
	ck_assert_uint_eq(h_tags(&h), 0);
	ck_assert_uint_eq(lma_engine_stats(h.e)->tag_failures, 0);
	h_check_consistent(&h);
}
END_TEST

/* A refused tag is counted and leaves that binding without one; the next change of the MN's
 * group asks again. */
START_TEST(refused_tag_is_counted_and_asked_again)
{
	h.faults.ops = 1u << H_TAG_ADD;
	attach_two_at_mag1();
	ck_assert_uint_eq(h_tags(&h), 0);
	ck_assert_uint_eq(lma_engine_stats(h.e)->tag_failures, 2);
	ck_assert_uint_eq(binding_of(P2)->state, BCE_ACTIVE); /* the binding itself stands */
	h_check_consistent(&h);
	h.faults.ops = 0;
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 3, .muho = true, .att = 5 }); /* a third */
	ck_assert_uint_eq(h_tags(&h), 2);
	h_check_consistent(&h);
}
END_TEST

/* A refused removal leaves the tag in the kernel, counted; the binding forgets it. */
START_TEST(refused_tag_removal_is_counted)
{
	attach_two_at_mag1();
	h.faults.ops = 1u << H_TAG_DEL;
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2, .att = 7, .muho = true, .dereg = true });
	ck_assert_uint_eq(lma_engine_stats(h.e)->tag_failures, 2);
	ck_assert_uint_eq(binding_of(P1)->tag_mark, 0);
	h_check_consistent(&h);
}
END_TEST

/* --- RFC 7864 shared-prefix sessions (Handoff Indicator 6) --- */

static uint8_t pba_status(const char *mag, const struct pbu_spec *s)
{
	ck_assert_uint_ge(h_pbu(&h, mag, s), 1);
	return last_of(mag, MH_TYPE_BA)->u.ba.status;
}

/* The MN at MAG1 with P1, then its second interface at MAG2 asks to share (HI 6). */
static void share_at_mag2(const char *named)
{
	const struct mh_msg *pba;

	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true }), 0);
	ck_assert_uint_eq(
	        pba_status(MAG2,
	                   &(struct pbu_spec){
	                           .llid = 2, .att = 7, .hi = 6, .muho = true, .hnp = { named } }),
	        0);
	pba = last_of(MAG2, MH_TYPE_BA);
	ck_assert_uint_eq(pba->opts.n_hnp, 1);
	ck_assert_str_eq(h_ptext(&pba->opts.hnp[0]), P1); /* the MN's prefix, shared */
	ck_assert_uint_eq(pba->opts.hi, 6);
}

static void first_session_intact(void)
{
	const struct bce *b = binding_of(P1);

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->state, BCE_ACTIVE);
	ck_assert_str_eq(h_ptext(&(struct mh_prefix){ .addr = b->mag->addr, .len = 128 }),
	                 MAG1 "/128");
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
	ck_assert_uint_eq(lma_engine_stats(h.e)->handoffs, 0);
	h_check_consistent(&h);
}

START_TEST(shared_session_naming_the_prefix_takes_nothing_away)
{
	share_at_mag2(P1);
	first_session_intact();
}
END_TEST

START_TEST(shared_session_asking_all_zero_gets_the_mns_prefixes)
{
	share_at_mag2(NULL);
	first_session_intact();
	ck_assert_uint_eq(h_tunnels(&h), 2);
}
END_TEST

START_TEST(shared_session_renews_without_a_handoff)
{
	share_at_mag2(P1);
	ck_assert_uint_eq(
	        pba_status(MAG2,
	                   &(struct pbu_spec){
	                           .llid = 2, .att = 7, .hi = 5, .muho = true, .hnp = { P1 } }),
	        0);
	first_session_intact();
	ck_assert_uint_eq(
	        pba_status(MAG1,
	                   &(struct pbu_spec){ .llid = 1, .hi = 5, .muho = true, .hnp = { P1 } }),
	        0);
	first_session_intact();
}
END_TEST

/* The session that owns the prefix goes: the sharing one carries it, then keeps it. */
START_TEST(shared_session_keeps_the_prefix_when_the_owner_goes)
{
	share_at_mag2(P1);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true });
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	h_advance(&h, 30000);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	ck_assert_ptr_nonnull(binding_of(P1));
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	ck_assert_uint_eq(
	        pba_status(MAG2,
	                   &(struct pbu_spec){
	                           .llid = 2, .att = 7, .hi = 5, .muho = true, .hnp = { P1 } }),
	        0);
	ck_assert_str_eq(h_ptext(&last_of(MAG2, MH_TYPE_BA)->opts.hnp[0]), P1);
	h_check_consistent(&h);
}
END_TEST

/* Even with "prefix-hold attached" (kept while the MN has another binding), a de-registered
 * session whose prefixes another shares is not held: the sharing one takes them at the delete
 * delay. */
START_TEST(shared_prefix_is_not_held_but_taken_over)
{
	char text[sizeof(conf_text) + 64];

	snprintf(text, sizeof(text), "%s", conf_text);
	memcpy(strstr(text, "prefix-hold 10s"), "prefix-hold attached\n", 21);
	strcpy(strstr(text, "prefix-hold attached\n") + 21, strstr(conf_text, "max-lifetime"));
	h_free(&h);
	h_init(&h, text);
	share_at_mag2(P1);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true });
	h_advance(&h, 10000);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	ck_assert_uint_eq(lma_engine_stats(h.e)->holds, 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	h_check_consistent(&h);
}
END_TEST

/* The sharing session goes: the first one never noticed. */
START_TEST(shared_session_leaving_leaves_the_owner)
{
	share_at_mag2(P1);
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .att = 7, .muho = true, .dereg = true });
	h_advance(&h, 30000);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_int_eq(binding_of(P1)->state, BCE_ACTIVE);
	h_check_consistent(&h);
}
END_TEST

START_TEST(sharing_with_no_session_is_a_new_attachment)
{
	ck_assert_uint_eq(pba_status(MAG2, &(struct pbu_spec){ .llid = 2, .hi = 6 }), 0);
	ck_assert_str_eq(h_ptext(&last_of(MAG2, MH_TYPE_BA)->opts.hnp[0]), P1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
}
END_TEST

START_TEST(sharing_a_prefix_nobody_holds_is_155)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(pba_status(MAG2, &(struct pbu_spec){ .llid = 2, .hi = 6, .hnp = { P2 } }),
	                  155);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

/* HI 6 from the interface that owns the session at that very MAG: its renewal, no copy. */
START_TEST(sharing_from_a_registered_interface_renews_it)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 6, .hnp = { P1 } }),
	                  0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	ck_assert(!binding_of(P1)->shared);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

START_TEST(sharing_another_mns_prefix_is_155)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(pba_status(MAG2, &(struct pbu_spec){ .nai = "mn2@example.org",
	                                                       .llid = 2,
	                                                       .hi = 6,
	                                                       .hnp = { P1 } }),
	                  155);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

static Suite *share_suite(void)
{
	Suite *s = suite_create("lma_engine_share");
	TCase *same = tcase_create("same_mag");
	TCase *hi6 = tcase_create("shared_prefixes");
	TCase *tags = tcase_create("binding_tags");
	TCase *all[] = { same, hi6, tags };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(same, two_interfaces_at_one_mag_are_two_bindings);
	tcase_add_test(same, renewal_at_one_mag_keeps_the_other_listed);
	tcase_add_test(same, removing_the_second_binding_at_one_mag_keeps_the_first);
	tcase_add_test(same, removing_the_first_binding_at_one_mag_keeps_the_second);
	tcase_add_test(tags, two_bindings_at_one_mag_get_a_tag_each);
	tcase_add_test(tags, bindings_at_two_mags_get_no_tag);
	tcase_add_test(tags, bindings_without_muho_get_no_tag);
	tcase_add_test(tags, another_mns_binding_with_a_taken_tag_gets_none);
	tcase_add_test(tags, deregistration_removes_both_tags);
	tcase_add_test(tags, handoff_to_another_mag_removes_both_tags);
	tcase_add_test(tags, driver_without_tags_is_no_failure);
	tcase_add_test(tags, refused_tag_is_counted_and_asked_again);
	tcase_add_test(tags, refused_tag_removal_is_counted);
	tcase_add_test(hi6, shared_session_naming_the_prefix_takes_nothing_away);
	tcase_add_test(hi6, shared_session_asking_all_zero_gets_the_mns_prefixes);
	tcase_add_test(hi6, shared_session_renews_without_a_handoff);
	tcase_add_test(hi6, shared_session_keeps_the_prefix_when_the_owner_goes);
	tcase_add_test(hi6, shared_prefix_is_not_held_but_taken_over);
	tcase_add_test(hi6, shared_session_leaving_leaves_the_owner);
	tcase_add_test(hi6, sharing_with_no_session_is_a_new_attachment);
	tcase_add_test(hi6, sharing_another_mns_prefix_is_155);
	tcase_add_test(hi6, sharing_a_prefix_nobody_holds_is_155);
	tcase_add_test(hi6, sharing_from_a_registered_interface_renews_it);
	return s;
}

CHECK_MAIN(share_suite)
