/* test_engine.c: the LMA engine (lma/engine.c, pbu.c, reply.c, upn.c) through its inputs and
 * outputs: every PBA status of RFC 5213 §5.3.1 in the RFC's order, new sessions, renewals,
 * handoffs, de-registration and its delay, lifetime expiry, the Handoff Indicator 4 wait, the
 * MuHo options of the PBA, Update Notifications with back-off, released pooled prefixes taken
 * back by the MN that held them, and the kernel state (tunnels, routes) each step leaves, with a
 * mock clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_main.h"
#include "tests/lma/engine_harness.h"

#define MAG1 "2001:db8:ffff::1"
#define MAG2 "2001:db8:ffff::2"
#define MAG3 "2001:db8:ffff::3"
#define EVIL "2001:db8:eeee::1"
#define P1   "2001:db8:100::/64"
#define P2   "2001:db8:100:1::/64"
#define P3   "2001:db8:100:2::/64"

static const char conf_text[] =
        "lma-address 2001:db8:ffff::100\n"
        "uplink-interface eth0\n"
        "prefix-pool 2001:db8:100::/48 length 64\n"
        "bce-delete-delay 10s\n"
        "prefix-hold 10s\n" /* no longer than the delete delay: the tests expect it gone then */
        "new-bce-delay 1500ms\n"
        "max-lifetime 3600s\n"
        "upn-retransmit initial 1s max 4s tries 4\n"
        "heartbeat off\n" /* the MAGs here never answer: heartbeats are in test_engine_peer */
        "mn mn1@example.org\n"
        "mn mn2@example.org\n"
        "mn fixed@example.org { prefix 2001:db8:5:1::/64 prefix 2001:db8:5:2::/64 }\n"
        "mag 2001:db8:ffff::1\n"
        "mag 2001:db8:ffff::2\n"
        "mag 2001:db8:ffff::3 { mn mn2@example.org }\n";

HARNESS_FIXTURE(conf_text)

static const struct mh_msg *pba_to(const char *mag)
{
	const struct mh_msg *m = h_last_to(&h, mag, 0);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, MH_TYPE_BA);
	ck_assert(m->u.ba.flags & MH_BA_P);
	return m;
}

static uint8_t status_of(const char *mag, const struct pbu_spec *s)
{
	ck_assert_uint_eq(h_pbu(&h, mag, s), 1);
	return pba_to(mag)->u.ba.status;
}

/* --- acceptance --- */

START_TEST(new_attachment_gets_a_prefix_a_tunnel_and_a_route)
{
	const struct mh_msg *m;

	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .seq = 7 }), 1);
	m = pba_to(MAG1);
	ck_assert_uint_eq(m->u.ba.status, 0);
	ck_assert_uint_eq(m->u.ba.seq, 7);
	ck_assert_uint_eq(m->u.ba.lifetime, 150);
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert_str_eq(h_ptext(&m->opts.hnp[0]), P1);
	ck_assert_uint_eq(m->opts.mnid.len, 15);
	ck_assert(m->opts.present & MH_HAVE_MNLLID);
	ck_assert_uint_eq(m->opts.llid[5], 1);
	ck_assert_uint_eq(m->opts.hi, 1);
	ck_assert_uint_eq(m->opts.att, 4);
	ck_assert(m->opts.present & MH_HAVE_TIMESTAMP);
	ck_assert_uint_eq(m->opts.n_muho, 0); /* not asked for */
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_uint_eq(h_tunnels(&h), 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

START_TEST(one_tunnel_per_mag_shared_by_its_bindings)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	h_pbu(&h, MAG1, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 9 });
	ck_assert_uint_eq(h_tunnels(&h), 1);
	ck_assert_uint_eq(h.tunnel_adds, 1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_str_eq(h_route_peer(&h, P2), MAG1);
}
END_TEST

START_TEST(lifetime_is_capped)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .lifetime = 60000 });
	ck_assert_uint_eq(pba_to(MAG1)->u.ba.lifetime, 900); /* 3600 s / 4 */
}
END_TEST

START_TEST(static_prefixes_first_then_the_pool)
{
	struct pbu_spec s = { .nai = "fixed@example.org", .llid = 1 };

	h_pbu(&h, MAG1, &s);
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), "2001:db8:5:1::/64");
	s.llid = 2;
	h_pbu(&h, MAG2, &s);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), "2001:db8:5:2::/64");
	s.llid = 3;
	h_pbu(&h, MAG1, &s);
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), P1);
}
END_TEST

START_TEST(a_named_static_prefix_is_granted)
{
	const char *fixed = "2001:db8:5:2::/64";

	ck_assert_uint_eq(
	        status_of(MAG1, &(struct pbu_spec){ .nai = "fixed@example.org", .hnp = { fixed } }),
	        0);
	ck_assert_str_eq(h_route_peer(&h, fixed), MAG1);
}
END_TEST

/* --- multihoming: MuHo options and Update Notifications --- */

static void attach_both(void)
{
	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true }), 1);
	ck_assert_uint_eq(h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .att = 7 }),
	                  2); /* the PBA to MAG2, and a UPN to MAG1 */
}

START_TEST(first_interface_gets_an_empty_muho_option)
{
	const struct mh_msg *m;

	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	m = pba_to(MAG1);
	ck_assert_uint_eq(m->opts.n_muho, 1);
	ck_assert_uint_eq(m->opts.muho[0].len, 0);
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&m->opts.muho[0].addr));
}
END_TEST

START_TEST(second_interface_learns_the_first_prefix)
{
	const struct mh_msg *m;

	attach_both();
	m = pba_to(MAG2);
	ck_assert_uint_eq(m->u.ba.status, 0);
	ck_assert_str_eq(h_ptext(&m->opts.hnp[0]), P2);
	ck_assert_uint_eq(m->opts.n_muho, 1);
	ck_assert_str_eq(h_ptext(&m->opts.muho[0]), P1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_str_eq(h_route_peer(&h, P2), MAG2);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_mn, 1);
}
END_TEST

START_TEST(first_mag_is_notified_of_the_second_prefix)
{
	const struct mh_msg *upn;

	attach_both();
	upn = h_last_to(&h, MAG1, 0);
	ck_assert_uint_eq(upn->type, MH_TYPE_UPN);
	ck_assert_uint_eq(upn->u.upn.reason, 2);
	ck_assert(upn->u.upn.flags & MH_UPN_A);
	ck_assert_uint_eq(upn->opts.mnid.len, 15);
	ck_assert_uint_eq(upn->opts.n_muho, 1);
	ck_assert_str_eq(h_ptext(&upn->opts.muho[0]), P2);
}
END_TEST

START_TEST(notification_is_acknowledged)
{
	const struct mh_msg *upn;
	struct mh_msg upa;

	attach_both();
	upn = h_last_to(&h, MAG1, 0);
	mh_msg_init(&upa, MH_TYPE_UPA);
	upa.u.upa.seq = upn->u.upn.seq;
	mh_opts_set_nai(&upa.opts, "mn1@example.org");
	h_input(&h, MAG1, &upa);
	ck_assert_uint_eq(lma_engine_stats(h.e)->upn_acked, 1);
	h_advance(&h, 60000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 1); /* no retransmission */
}
END_TEST

START_TEST(notification_is_retransmitted_with_backoff)
{
	uint16_t seq;

	attach_both();
	seq = h_last_to(&h, MAG1, 0)->u.upn.seq;
	h_advance(&h, 999);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 1);
	h_advance(&h, 1); /* 1 s */
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 2);
	h_advance(&h, 1999); /* then 2 s */
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 2);
	h_advance(&h, 1);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 3);
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->u.upn.seq, seq);
	h_advance(&h, 4000); /* capped at 4 s: 4th and last try */
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 4);
	h_advance(&h, 60000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 4);
	ck_assert_uint_eq(lma_engine_stats(h.e)->upn_gave_up, 1);
}
END_TEST

/* RFC 7077 §4.1, §5.1: D (Retransmit) is clear on the first send of a sequence number and set
 * on every retransmission of it, whose content is otherwise the same. */
START_TEST(notification_retransmissions_carry_the_d_flag)
{
	const struct mh_msg *first, *again;

	attach_both();
	first = h_last_to(&h, MAG1, 0);
	ck_assert_uint_eq(first->type, MH_TYPE_UPN);
	ck_assert_uint_eq(first->u.upn.flags, MH_UPN_A);
	h_advance(&h, 1000);
	again = h_last_to(&h, MAG1, 0);
	ck_assert_uint_eq(again->type, MH_TYPE_UPN);
	ck_assert_uint_eq(again->u.upn.flags, MH_UPN_A | MH_UPN_D);
	ck_assert_uint_eq(again->u.upn.seq, h_last_to(&h, MAG1, 1)->u.upn.seq);
	ck_assert_uint_eq(again->u.upn.reason, 2);
	ck_assert_uint_eq(again->opts.n_muho, 1);
	h_advance(&h, 2000);
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->u.upn.flags, MH_UPN_A | MH_UPN_D);
}
END_TEST

/* RFC 7077 §5.1: the sequence number starts at a random value (from the io's source), then
 * goes up by one per new notification, modulo 2^16. */
START_TEST(notification_sequence_starts_at_the_random_value)
{
	attach_both();
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->u.upn.seq, (uint16_t)H_RANDOM);
	/* another change, of which only MAG1 hears (a third interface at MAG2 would make MAG2 hear
	 * too: it would hold two of the MN's bindings) */
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .att = 7, .muho = true, .dereg = true });
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->type, MH_TYPE_UPN);
	ck_assert_uint_eq(h_last_to(&h, MAG1, 0)->u.upn.seq, (uint16_t)(H_RANDOM + 1));
}
END_TEST

static void binding_error_from(const char *mag, uint8_t status)
{
	struct mh_msg be;

	mh_msg_init(&be, MH_TYPE_BE);
	be.u.be.status = status;
	h_input(&h, mag, &be);
}

/* RFC 7077 §5.2: a MAG that answers a notification with Binding Error status 2 does not know
 * the message: it gets no retransmission and no further notification. */
START_TEST(binding_error_2_stops_notifications_to_that_mag)
{
	attach_both();
	binding_error_from(MAG1, 1); /* another status: nothing changes */
	ck_assert_uint_eq(lma_engine_stats(h.e)->upn_refused, 0);
	binding_error_from(MAG1, 2);
	ck_assert_uint_eq(lma_engine_stats(h.e)->upn_refused, 1);
	h_advance(&h, 10000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 1); /* no retransmission */
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 3, .muho = true }); /* another change */
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 1);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 4, .muho = true }); /* MAG2 still hears */
	ck_assert_uint_eq(h_last_to(&h, MAG2, 0)->type, MH_TYPE_UPN);
}
END_TEST

START_TEST(wrong_acknowledgement_is_counted_and_ignored)
{
	struct mh_msg upa;

	attach_both();
	mh_msg_init(&upa, MH_TYPE_UPA);
	upa.u.upa.seq = (uint16_t)(h_last_to(&h, MAG1, 0)->u.upn.seq + 1);
	mh_opts_set_nai(&upa.opts, "mn1@example.org");
	h_input(&h, MAG1, &upa);
	ck_assert_uint_eq(lma_engine_stats(h.e)->dropped[LMA_DROP_UPA_UNMATCHED], 1);
	h_advance(&h, 1000);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 2);
}
END_TEST

START_TEST(every_group_change_is_reported)
{
	attach_both();
	ck_assert_uint_eq(h.mn_changed, 2);
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .att = 7 }); /* renewal */
	ck_assert_uint_eq(h.mn_changed, 2);
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 1, .hi = 3 }); /* handoff */
	ck_assert_uint_eq(h.mn_changed, 3);
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 1, .dereg = true });
	ck_assert_uint_eq(h.mn_changed, 4);
	h_advance(&h, 10000); /* the de-registered binding is deleted */
	ck_assert_uint_eq(h.mn_changed, 5);
	h_advance(&h, 700000); /* the rest expires */
	ck_assert_uint_eq(h.mn_changed, 6);
}
END_TEST

START_TEST(mags_without_muho_are_not_notified)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .muho = true }), 1);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_UPN), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.muho[0]), P1);
}
END_TEST

/* --- the status codes, in the RFC's order --- */

START_TEST(missing_mn_identifier_is_160_with_an_empty_one)
{
	const struct mh_msg *m;

	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .no_mnid = true, .no_hi = true }),
	                  160); /* 160 is checked before 161 */
	m = pba_to(MAG1);
	ck_assert(m->opts.present & MH_HAVE_MNID);
	ck_assert_uint_eq(m->opts.mnid.len, 0);
	ck_assert_uint_eq(m->opts.n_hnp, 1); /* the request's ALL_ZERO HNP echoed */
	ck_assert_uint_eq(m->u.ba.lifetime, 0);
}
END_TEST

START_TEST(unknown_mag_is_154_and_creates_nothing)
{
	ck_assert_uint_eq(status_of(EVIL, &(struct pbu_spec){ .llid = 1, .no_hnp = true }), 154);
	ck_assert_uint_eq(h_tunnels(&h), 0);
	ck_assert_uint_eq(h.n_routes, 0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
}
END_TEST

START_TEST(mag_not_allowed_for_this_mn_is_154)
{
	ck_assert_uint_eq(status_of(MAG3, &(struct pbu_spec){ .llid = 1 }), 154);
	ck_assert_uint_eq(status_of(MAG3, &(struct pbu_spec){ .nai = "mn2@example.org" }), 0);
}
END_TEST

/* RFC 5213 §5.5's window is judged at the PBU's arrival (the kernel's receive time): a PBU that
 * waited in lmad's socket while lmad was busy is not refused for lmad's own delay, and one that
 * arrived stale still is. The 156's Timestamp option stays the LMA's current time. */
START_TEST(timestamp_window_is_judged_at_arrival)
{
	const struct mh_msg *m;
	uint64_t ours = mh_timestamp_from_ns(h.now.real_ns);

	h.now.rx_real_ns = h.now.real_ns - 400 * 1000000ull; /* it waited 400 ms for us */
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .ts_offset_ms = -350 }), 0);
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .nai = "mn2@example.org",
	                                                     .ts_offset_ms = -750 }),
	                  156); /* 350 ms older than its arrival */
	m = pba_to(MAG2);
	ck_assert_uint_eq(m->opts.timestamp >> 16, ours >> 16);
	h.now.rx_real_ns = 0; /* unknown: judged at the current time, as before */
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .nai = "mn2@example.org",
	                                                     .ts_offset_ms = -350 }),
	                  156);
}
END_TEST

START_TEST(non_nai_identifier_is_153)
{
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .mnid_subtype = 5 }), 153);
}
END_TEST

START_TEST(unauthorized_mn_is_152)
{
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = "intruder@example.org" }),
	                  152);
}
END_TEST

START_TEST(timestamp_outside_the_window_is_156_with_our_time)
{
	const struct mh_msg *m;
	uint64_t ours = mh_timestamp_from_ns(h.now.real_ns);

	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .ts_offset_ms = 301 }), 156);
	m = pba_to(MAG1);
	ck_assert(m->opts.present & MH_HAVE_TIMESTAMP);
	ck_assert_uint_eq(m->opts.timestamp >> 16, ours >> 16);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .ts_offset_ms = -301 }), 156);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .ts_offset_ms = 299 }), 0);
}
END_TEST

START_TEST(older_timestamp_for_the_session_is_157)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .ts_offset_ms = 100 });
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .ts_offset_ms = -100 }),
	                  157);
	/* another interface of the same MN is another session: its timestamps are its own */
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 2, .ts_offset_ms = -100 }),
	                  0);
}
END_TEST

/* RFC 5213 §5.3.1 items 5-6 come before 7-8: a MAG restricted to other MNs gets 154 for an MN
 * we do not know (not 152) and for an MN-ID we cannot read (not 153). */
START_TEST(restricted_mag_is_154_before_153_and_152)
{
	ck_assert_uint_eq(status_of(MAG3, &(struct pbu_spec){ .nai = "intruder@example.org" }),
	                  154);
	ck_assert_uint_eq(status_of(MAG3, &(struct pbu_spec){ .mnid_subtype = 5 }), 154);
	ck_assert_uint_eq(status_of(MAG3, &(struct pbu_spec){ .nai = "mn2@example.org" }), 0);
	/* an unrestricted MAG: items 7 and 8 decide */
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = "intruder@example.org" }),
	                  152);
}
END_TEST

/* RFC 5213 §5.5: lower than the last accepted timestamp is 157, even when it is also outside
 * the validity window. */
START_TEST(lower_timestamp_outside_the_window_is_157)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .ts_offset_ms = -5000 }),
	                  157);
	ck_assert(pba_to(MAG1)->opts.present & MH_HAVE_TIMESTAMP);
}
END_TEST

/* RFC 5213 §8.5: ATT 0 is reserved; it names no access technology, like a missing option. */
START_TEST(reserved_access_technology_type_is_162)
{
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .att_zero = true }), 162);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
}
END_TEST

/* RFC 5213 §5.3.6: asked with ALL_ZERO, the LMA gives the MAG a link-local address to use, the
 * same for the MN at every MAG, never :: as if it were assigned; a named one is kept. */
START_TEST(all_zero_link_local_address_is_generated)
{
	const struct mh_msg *m;
	struct in6_addr first, named;

	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .lla = "::" }), 0);
	m = pba_to(MAG1);
	ck_assert(m->opts.present & MH_HAVE_LLA);
	ck_assert(!IN6_IS_ADDR_UNSPECIFIED(&m->opts.lla));
	ck_assert(IN6_IS_ADDR_LINKLOCAL(&m->opts.lla));
	first = m->opts.lla;
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 1, .lla = "::", .hi = 3 }),
	                  0); /* handoff: the same address */
	ck_assert(IN6_ARE_ADDR_EQUAL(&pba_to(MAG2)->opts.lla, &first));
	ck_assert_uint_eq(
	        status_of(MAG1, &(struct pbu_spec){ .nai = "mn2@example.org", .lla = "fe80::9" }), 0);
	named = h_addr("fe80::9");
	ck_assert(IN6_ARE_ADDR_EQUAL(&pba_to(MAG1)->opts.lla, &named));
}
END_TEST

/* RFC 6275 §10.3.1: a home registration (flag H) to a node that is no home agent gets a
 * Binding Acknowledgement with status 131; other non-proxy Binding Updates are dropped. */
START_TEST(home_registration_is_131)
{
	const struct mh_msg *m;

	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .not_proxy = true, .home = true,
	                                                      .seq = 77 }),
	                  1);
	m = h_last_to(&h, MAG1, 0);
	ck_assert_uint_eq(m->type, MH_TYPE_BA);
	ck_assert_uint_eq(m->u.ba.status, 131);
	ck_assert_uint_eq(m->u.ba.seq, 77);
	ck_assert(!(m->u.ba.flags & MH_BA_P));
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
}
END_TEST

START_TEST(missing_options_are_158_161_162_in_that_order)
{
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .no_hnp = true, .no_hi = true }),
	                  158);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .no_hi = true, .no_att = true }),
	                  161);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .no_att = true }), 162);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
}
END_TEST

START_TEST(another_mns_prefix_is_155)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(
	        status_of(MAG2, &(struct pbu_spec){ .nai = "mn2@example.org", .hnp = { P1 } }),
	        155);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

START_TEST(a_prefix_not_ours_to_give_is_155)
{
	const struct mh_msg *m;

	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .hnp = { "2001:db8:99::/64" } }),
	                  155);
	m = pba_to(MAG1);
	ck_assert_str_eq(h_ptext(&m->opts.hnp[0]), "2001:db8:99::/64"); /* echoed */
}
END_TEST

START_TEST(prefix_set_mismatch_is_159)
{
	struct pbu_spec s = { .nai = "fixed@example.org", .hnp = { "2001:db8:5:1::/64" } };

	ck_assert_uint_eq(status_of(MAG1, &s), 0);
	s.hnp[1] = "2001:db8:5:2::/64"; /* the binding holds one of them */
	ck_assert_uint_eq(status_of(MAG1, &s), 159);
}
END_TEST

START_TEST(exhausted_pool_is_130)
{
	static const char small[] = "lma-address 2001:db8:ffff::100\n"
	                            "uplink-interface eth0\n"
	                            "prefix-pool 2001:db8:100::/63 length 64\n"
	                            "mn any\n"
	                            "mag 2001:db8:ffff::1\n";

	h_free(&h);
	h_init(&h, small);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1 }), 0);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 2 }), 0);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 3 }), 130);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
}
END_TEST

START_TEST(not_proxy_is_dropped)
{
	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .not_proxy = true }), 0);
	ck_assert_uint_eq(lma_engine_stats(h.e)->dropped[LMA_DROP_NOT_PROXY], 1);
}
END_TEST

START_TEST(sequence_numbers_modulo_2_16)
{
	static const char seqconf[] = "lma-address 2001:db8:ffff::100\n"
	                              "uplink-interface eth0\n"
	                              "replay-protection sequence\n"
	                              "prefix-pool 2001:db8:100::/48 length 64\n"
	                              "mn any\n"
	                              "mag 2001:db8:ffff::1\n";
	const struct mh_msg *m;

	h_free(&h);
	h_init(&h, seqconf);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .seq = 65535 }), 0);
	/* the PBU carried a Timestamp: the PBA carries one too, even in sequence mode (§5.3.6);
	 * this asserted there was none before, against the RFC */
	ck_assert(pba_to(MAG1)->opts.present & MH_HAVE_TIMESTAMP);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .seq = 0 }), 0);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .seq = 0 }), 135);
	m = pba_to(MAG1);
	ck_assert_uint_eq(m->u.ba.seq, 0); /* the last accepted */
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .seq = 40000 }), 135);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .seq = 32767 }), 0);
}
END_TEST

/* --- renewal, handoff, de-registration, expiry --- */

START_TEST(renewal_keeps_the_prefix_and_rearms_the_lifetime)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .lifetime = 10 }); /* 40 s */
	h_advance(&h, 30000);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .lifetime = 10 }),
	                  0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), P1);
	h_advance(&h, 30000); /* 60 s after the first: alive thanks to the renewal */
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_uint_eq(h.tunnel_adds, 1);
	h_advance(&h, 10001);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(lma_engine_stats(h.e)->bce_expired, 1);
}
END_TEST

START_TEST(handoff_between_mags_moves_the_route)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 1, .hi = 3 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P1); /* the prefix stays */
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	ck_assert_uint_eq(h_tunnels(&h), 1); /* MAG1's went with its last binding */
	ck_assert_uint_eq(lma_engine_stats(h.e)->handoffs, 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

START_TEST(handoff_naming_the_prefix)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){});
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .hnp = { P1 }, .hi = 3 }), 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
}
END_TEST

START_TEST(deregistration_keeps_the_binding_for_the_delay)
{
	const struct mh_msg *m;

	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true }), 0);
	m = pba_to(MAG1);
	ck_assert_uint_eq(m->u.ba.lifetime, 0);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	h_advance(&h, 9999);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	h_advance(&h, 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
	ck_assert_uint_eq(h_tunnels(&h), 0);
	/* the prefix went back to the pool: oldest released first, after the unused ones */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2 });
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), P2);
}
END_TEST

START_TEST(reregistration_within_the_delay_restores_the_binding)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true });
	h_advance(&h, 5000);
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 1, .hi = 3 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	h_advance(&h, 20000);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
}
END_TEST

START_TEST(deregistration_from_another_mag_is_ignored)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 1, .dereg = true }), 0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_uint_eq(lma_engine_stats(h.e)->dropped[LMA_DROP_DEREG_OTHER_MAG], 1);
}
END_TEST

START_TEST(deregistration_of_nothing_is_ignored)
{
	ck_assert_uint_eq(h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true }), 0);
	ck_assert_uint_eq(lma_engine_stats(h.e)->dropped[LMA_DROP_DEREG_UNKNOWN], 1);
}
END_TEST

START_TEST(losing_an_interface_notifies_the_other_mag)
{
	const struct mh_msg *upn;

	attach_both();
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true });
	/* while it waits for deletion, its prefix stays reachable through the MN's other
	 * interface: the LMA routes it to MAG2, and MAG2 keeps it in its list */
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	upn = h_last_to(&h, MAG2, 0);
	ck_assert_uint_eq(upn->type, MH_TYPE_UPN);
	ck_assert_uint_eq(upn->opts.n_muho, 1);
	ck_assert_str_eq(h_ptext(&upn->opts.muho[0]), P1);
	h_advance(&h, 10000); /* deleted: now the prefix is gone from MAG2's list */
	ck_assert_ptr_null(h_route_peer(&h, P1));
	upn = h_last_to(&h, MAG2, 0);
	ck_assert_uint_eq(upn->type, MH_TYPE_UPN);
	ck_assert_uint_eq(upn->opts.n_muho, 1);
	ck_assert_uint_eq(upn->opts.muho[0].len, 0); /* no other prefix any more */
}
END_TEST

START_TEST(expiry_notifies_the_other_mag_and_cleans_up)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .lifetime = 5 });
	h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .muho = true, .lifetime = 100 });
	h_advance(&h, 20000);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_str_eq(h_route_peer(&h, P2), MAG2);
	ck_assert_uint_eq(h_last_to(&h, MAG2, 0)->type, MH_TYPE_UPN);
	ck_assert_uint_eq(h_tunnels(&h), 1);
}
END_TEST

/* --- Handoff Indicator 4 --- */

/* RFC 5213 §5.4.1.2 item 3: a handoff between two interfaces of the MN (HI 2) that matches no
 * session by link-layer identifier moves the MN's only session. */
START_TEST(interface_handoff_moves_the_only_session)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 2, .att = 7, .hi = 2 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	/* the session answers to its new interface from now on */
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 2, .att = 7, .hi = 5 }), 0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

/* §5.4.1.3 item 2: without a link-layer identifier, a handoff between MAGs (HI 3) moves the
 * MN's only session. */
START_TEST(mag_handoff_without_llid_moves_the_only_session)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ 0 });
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .hi = 3 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

/* §5.4.1.2: the key is MN-ID, Access Technology Type and MN-LL-ID: the same link-layer
 * identifier over another access technology is another interface. */
START_TEST(session_key_includes_the_access_technology)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .att = 4 });
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1, .att = 7 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), P2);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
}
END_TEST

/* §5.4.1.3: the HI 4 wait applies when the MN has one and only one session; with two, the
 * PBU starts a new session at once. */
START_TEST(unknown_handoff_waits_only_for_a_single_session)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 1 });
	h_pbu(&h, MAG2, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 2 });
	ck_assert_uint_eq(
	        status_of(MAG3, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 3, .hi = 4 }),
	        0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 3);
}
END_TEST

/* Retransmissions of a PBU waiting out the HI 4 delay neither queue a second one nor create a
 * session: one PBA comes, for the latest sequence number. */
START_TEST(retransmitted_waiting_pbu_is_not_queued_twice)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .hi = 4, .seq = 1 }), 0);
	h_advance(&h, 1000);
	ck_assert_uint_eq(h_pbu(&h, MAG2, &(struct pbu_spec){ .llid = 2, .hi = 4, .seq = 2 }), 0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	h_advance(&h, 5000);
	ck_assert_uint_eq(h_count_to(&h, MAG2, MH_TYPE_BA), 1);
	ck_assert_uint_eq(pba_to(MAG2)->u.ba.seq, 2);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
}
END_TEST

START_TEST(unknown_handoff_waits_then_takes_a_new_prefix)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	ck_assert_uint_eq(h_pbu(&h, MAG2, &(struct pbu_spec){ .hi = 4 }), 0); /* parked */
	h_advance(&h, 1499);
	ck_assert_uint_eq(h_count_to(&h, MAG2, MH_TYPE_BA), 0);
	h_advance(&h, 1);
	ck_assert_uint_eq(pba_to(MAG2)->u.ba.status, 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P2);
}
END_TEST

START_TEST(unknown_handoff_takes_over_a_deregistered_binding)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	h_pbu(&h, MAG2, &(struct pbu_spec){ .hi = 4 });
	h_advance(&h, 500);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true });
	ck_assert_uint_eq(pba_to(MAG2)->u.ba.status, 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P1);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG2);
	h_advance(&h, 5000); /* the parked PBU does not fire again */
	ck_assert_uint_eq(h_count_to(&h, MAG2, MH_TYPE_BA), 1);
}
END_TEST

START_TEST(taken_over_session_answers_to_its_new_interface)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	h_pbu(&h, MAG2, &(struct pbu_spec){ .hi = 4, .llid = 2 });
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true });
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P1);
	/* a renewal from the new interface finds the session it took over */
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .llid = 2, .hi = 5 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

/* --- sticky prefixes: a returning interface names its released prefix --- */

/* The PBA's status, whatever notifications to other MAGs the PBU also caused. */
static uint8_t pba_status(const char *mag, const struct pbu_spec *s)
{
	ck_assert_uint_ge(h_pbu(&h, mag, s), 1);
	return pba_to(mag)->u.ba.status;
}

/* mn1 on both MAGs (P1 at MAG1, P2 at MAG2); its MAG1 link drops and, after the delete delay,
 * P1 goes to rest; another MN comes and takes P3, a never-used prefix. */
static void release_p1_of_a_multihomed_mn(void)
{
	attach_both();
	ck_assert_uint_eq(
	        pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .muho = true, .dereg = true }), 0);
	h_advance(&h, 10000);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .nai = "mn2@example.org" }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P3);
}

START_TEST(returning_interface_gets_its_released_prefix_back)
{
	const struct mh_msg *m, *upn;
	unsigned changed;

	release_p1_of_a_multihomed_mn();
	changed = h.mn_changed;
	ck_assert_uint_eq(
	        h_pbu(&h, MAG1,
	              &(struct pbu_spec){ .llid = 1, .muho = true, .hi = 5, .hnp = { P1 } }),
	        2); /* the PBA, and a UPN to MAG2 */
	m = pba_to(MAG1);
	ck_assert_uint_eq(m->u.ba.status, 0);
	ck_assert_uint_eq(m->u.ba.lifetime, 150);
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert_str_eq(h_ptext(&m->opts.hnp[0]), P1);
	ck_assert_uint_eq(m->opts.n_muho, 1); /* the MN's other prefix, as for any new session */
	ck_assert_str_eq(h_ptext(&m->opts.muho[0]), P2);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_str_eq(h_route_peer(&h, P2), MAG2);
	upn = h_last_to(&h, MAG2, 0);
	ck_assert_uint_eq(upn->type, MH_TYPE_UPN);
	ck_assert_uint_eq(upn->opts.n_muho, 1);
	ck_assert_str_eq(h_ptext(&upn->opts.muho[0]), P1);
	ck_assert_uint_eq(h.mn_changed, changed + 1);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 3);
	/* held again: a renewal with the same request finds the session */
	ck_assert_uint_eq(
	        status_of(MAG1,
	                  &(struct pbu_spec){ .llid = 1, .muho = true, .hi = 5, .hnp = { P1 } }),
	        0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 3);
}
END_TEST

START_TEST(another_mn_naming_a_resting_prefix_is_155)
{
	struct lma_pool_stats ps;

	release_p1_of_a_multihomed_mn();
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = "mn2@example.org",
	                                                      .llid = 7,
	                                                      .hi = 5,
	                                                      .hnp = { P1 } }),
	                  155);
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), P1); /* echoed */
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert(lma_engine_pool_stats(h.e, &ps));
	ck_assert_uint_eq(ps.resting, 1); /* still kept for mn1 */
	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1 } }),
	                  0);
	ck_assert(lma_engine_pool_stats(h.e, &ps));
	ck_assert_uint_eq(ps.resting, 0);
	ck_assert_uint_eq(ps.in_use, 3);
}
END_TEST

START_TEST(a_pooled_prefix_never_released_is_155)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 }); /* P1 */
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 2, .hnp = { P2 } }), 155);
	ck_assert_ptr_null(h_route_peer(&h, P2));
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 1);
}
END_TEST

START_TEST(naming_several_prefixes_is_all_or_nothing)
{
	release_p1_of_a_multihomed_mn();
	/* P3 is mn2's: P1 must not be taken either */
	ck_assert_uint_eq(
	        pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1, P3 } }), 155);
	/* a never-used pool prefix next to it: refused, P1 untouched */
	ck_assert_uint_eq(
	        pba_status(MAG1, &(struct pbu_spec){ .llid = 1,
	                                             .hi = 5,
	                                             .hnp = { P1, "2001:db8:100:9::/64" } }),
	        155);
	/* the same prefix twice cannot be taken twice */
	ck_assert_uint_eq(
	        pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1, P1 } }), 155);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 2);
	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1 } }),
	                  0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

START_TEST(two_resting_prefixes_come_back_together)
{
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 }); /* P1 */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2 }); /* P2 */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true });
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2, .dereg = true });
	h_advance(&h, 10000);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
	ck_assert_uint_eq(
	        pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P2, P1 } }), 0);
	ck_assert_uint_eq(pba_to(MAG1)->opts.n_hnp, 2);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
	ck_assert_str_eq(h_route_peer(&h, P2), MAG1);
}
END_TEST

START_TEST(reallocated_prefix_is_155)
{
	static const char small[] = "lma-address 2001:db8:ffff::100\n"
	                            "uplink-interface eth0\n"
	                            "prefix-pool 2001:db8:100::/63 length 64\n"
	                            "bce-delete-delay 10s\n"
	                            "mn any\n"
	                            "mag 2001:db8:ffff::1\n";

	h_free(&h);
	h_init(&h, small);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });                           /* P1 */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 2 }); /* P2 */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1, .dereg = true });
	h_advance(&h, 10000);
	/* the pool is short: the resting P1 serves another MN */
	ck_assert_uint_eq(
	        status_of(MAG1, &(struct pbu_spec){ .nai = "mn3@example.org", .llid = 3 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), P1);
	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1 } }),
	                  155);
	/* released by mn3, it is mn3's to take back now, not mn1's */
	h_pbu(&h, MAG1, &(struct pbu_spec){ .nai = "mn3@example.org", .llid = 3, .dereg = true });
	h_advance(&h, 10000);
	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1 } }),
	                  155);
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .nai = "mn3@example.org",
	                                                      .llid = 3,
	                                                      .hi = 5,
	                                                      .hnp = { P1 } }),
	                  0);
}
END_TEST

START_TEST(refused_route_puts_a_reclaimed_prefix_back_to_rest)
{
	release_p1_of_a_multihomed_mn();
	h.fail_next_route = true;
	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1 } }),
	                  130);
	ck_assert_ptr_null(h_route_peer(&h, P1));
	ck_assert_uint_eq(pba_status(MAG1, &(struct pbu_spec){ .llid = 1, .hi = 5, .hnp = { P1 } }),
	                  0);
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1);
}
END_TEST

/* --- kernel failures and malformed input --- */

START_TEST(refused_route_turns_the_acceptance_into_130)
{
	const struct mh_msg *m;

	h.fail_next_route = true;
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1 }), 130);
	m = pba_to(MAG1);
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert_uint_eq(m->opts.hnp[0].len, 0); /* the request's ALL_ZERO, not the prefix */
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
	ck_assert_uint_eq(h_tunnels(&h), 0);
	ck_assert_uint_eq(lma_engine_stats(h.e)->route_failures, 1);
}
END_TEST

START_TEST(reload_with_another_pool)
{
	static const char other[] = "lma-address 2001:db8:ffff::100\n"
	                            "uplink-interface eth0\n"
	                            "prefix-pool 2001:db8:200::/48 length 64\n"
	                            "mn any\n"
	                            "mag 2001:db8:ffff::1\n";
	FILE *f = fmemopen((void *)other, sizeof(other) - 1, "r");
	char err[128];
	struct lma_conf *c = lma_conf_parse(f, "other.conf", err, sizeof(err));

	fclose(f);
	ck_assert_ptr_nonnull(c);
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 1 });
	lma_engine_set_conf(h.e, c);
	lma_conf_free(h.conf);
	h.conf = c;
	h_pbu(&h, MAG1, &(struct pbu_spec){ .llid = 2 });
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), "2001:db8:200::/64");
	ck_assert_str_eq(h_route_peer(&h, P1), MAG1); /* the old binding keeps its prefix */
}
END_TEST

/* A prefix-pool change by SIGHUP, then a crash: the new pool, built from its start while a
 * binding holds a prefix inside it beyond its high-water mark, must keep that prefix out of
 * other MNs' hands in memory, in the lease file and after the restart. */
static const char pool_a[] = "lma-address 2001:db8:ffff::100\n"
                             "uplink-interface eth0\n"
                             "prefix-pool 2001:db8:100::/48 length 64\n"
                             "bce-delete-delay 10s\n"
                             "mn any\n"
                             "mag 2001:db8:ffff::1\n"
                             "mag 2001:db8:ffff::2\n";
static const char pool_b[] = "lma-address 2001:db8:ffff::100\n"
                             "uplink-interface eth0\n"
                             "prefix-pool 2001:db8:100::/47 length 64\n"
                             "bce-delete-delay 10s\n"
                             "mn any\n"
                             "mag 2001:db8:ffff::1\n"
                             "mag 2001:db8:ffff::2\n";
#define P5 "2001:db8:100:5::/64"

static const char *nth_mn(unsigned i)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "mn%u@example.org", i);
	return buf;
}

static void reload_text(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char err[128];
	struct lma_conf *c = lma_conf_parse(f, "reload.conf", err, sizeof(err));

	fclose(f);
	ck_assert_ptr_nonnull(c);
	lma_engine_set_conf(h.e, c);
	lma_conf_free(h.conf);
	h.conf = c;
}

/* mn0..mn5 take 2001:db8:100::/64 to :5::/64; all but mn5 leave */
static void only_mn5_holds_p5(void)
{
	h_free(&h);
	h_init(&h, pool_a);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_uint_eq(
		        status_of(MAG1, &(struct pbu_spec){ .nai = nth_mn(i), .llid = 1 }), 0);
	for (unsigned i = 0; i < 5; i++)
		ck_assert_uint_eq(
		        status_of(MAG1,
		                  &(struct pbu_spec){ .nai = nth_mn(i), .llid = 1, .dereg = true }),
		        0);
	h_advance(&h, 10000);
	ck_assert_str_eq(h_route_peer(&h, P5), MAG1);
}

static void check_nobody_else_gets_p5(unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++) {
		ck_assert_uint_eq(
		        status_of(MAG2, &(struct pbu_spec){ .nai = nth_mn(i), .llid = 2 }), 0);
		ck_assert_str_ne(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P5);
	}
	ck_assert_str_eq(h_route_peer(&h, P5), MAG1);
}

START_TEST(pool_change_keeps_bound_prefixes_bound)
{
	struct lma_pool_stats ps;

	only_mn5_holds_p5();
	reload_text(pool_b);
	ck_assert(lma_engine_pool_stats(h.e, &ps));
	ck_assert_uint_eq(ps.in_use, 1); /* P5, inside the new pool too */
	check_nobody_else_gets_p5(6, 14);
	/* P5 goes back to rest with mn5, as in the pool it came from */
	ck_assert_uint_eq(
	        status_of(MAG1, &(struct pbu_spec){ .nai = nth_mn(5), .llid = 1, .dereg = true }),
	        0);
	h_advance(&h, 10000);
	ck_assert(lma_engine_pool_stats(h.e, &ps));
	ck_assert_uint_eq(ps.in_use, 8);
	ck_assert_uint_eq(ps.resting, 1);
}
END_TEST

START_TEST(pool_change_then_crash_keeps_bound_prefixes_bound)
{
	struct leases_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	only_mn5_holds_p5();
	reload_text(pool_b);
	ck_assert_uint_eq(status_of(MAG2, &(struct pbu_spec){ .nai = nth_mn(6), .llid = 2 }), 0);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(lma_engine_save_leases(h.e, f), 0);
	fclose(f);
	h_free(&h); /* the crash: what survives is the lease file */
	h_init(&h, pool_b);
	f = fmemopen(buf, len, "r");
	ck_assert_int_eq(lma_engine_load_leases(h.e, f, &r), 0);
	fclose(f);
	free(buf);
	ck_assert_uint_eq(r.held, 2);
	ck_assert_uint_eq(r.bad, 0);
	for (unsigned i = 7; i < 14; i++) {
		ck_assert_uint_eq(
		        status_of(MAG2, &(struct pbu_spec){ .nai = nth_mn(i), .llid = 2 }), 0);
		ck_assert_str_ne(h_ptext(&pba_to(MAG2)->opts.hnp[0]), P5);
	}
	/* mn5's MAG refreshes: the MN keeps its prefix */
	ck_assert_uint_eq(
	        status_of(MAG1, &(struct pbu_spec){ .nai = nth_mn(5), .llid = 1, .hnp = { P5 } }),
	        0);
	ck_assert_str_eq(h_route_peer(&h, P5), MAG1);
}
END_TEST

/* The new pool does not contain the bound prefix: after the crash, only its MN may have it
 * back. */
START_TEST(pool_moved_then_crash_keeps_bound_prefixes_for_their_mn)
{
	static const char pool_c[] = "lma-address 2001:db8:ffff::100\n"
	                             "uplink-interface eth0\n"
	                             "prefix-pool 2001:db8:200::/48 length 64\n"
	                             "bce-delete-delay 10s\n"
	                             "mn any\n"
	                             "mag 2001:db8:ffff::1\n"
	                             "mag 2001:db8:ffff::2\n";
	struct leases_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	only_mn5_holds_p5();
	reload_text(pool_c);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(lma_engine_save_leases(h.e, f), 0);
	fclose(f);
	h_free(&h);
	h_init(&h, pool_c);
	f = fmemopen(buf, len, "r");
	ck_assert_int_eq(lma_engine_load_leases(h.e, f, &r), 0);
	fclose(f);
	free(buf);
	ck_assert_uint_eq(r.held, 1);
	ck_assert_uint_eq(
	        status_of(MAG2, &(struct pbu_spec){ .nai = nth_mn(6), .llid = 2, .hnp = { P5 } }),
	        155);
	ck_assert_uint_eq(
	        status_of(MAG1, &(struct pbu_spec){ .nai = nth_mn(5), .llid = 1, .hnp = { P5 } }), 0);
	ck_assert_str_eq(h_route_peer(&h, P5), MAG1);
	/* bound again, it is in the lease file again */
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(lma_engine_save_leases(h.e, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "held 2001:db8:100:5::/64 mn5@example.org\n"));
	free(buf);
}
END_TEST

START_TEST(refused_tunnel_is_130)
{
	h.fail_tunnel = true;
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1 }), 130);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
	h.fail_tunnel = false;
	ck_assert_uint_eq(status_of(MAG1, &(struct pbu_spec){ .llid = 1 }), 0);
	ck_assert_str_eq(h_ptext(&pba_to(MAG1)->opts.hnp[0]), P2); /* P1 rests in the pool */
}
END_TEST

START_TEST(malformed_input_is_counted_and_changes_nothing)
{
	const uint8_t short_msg[] = { 59, 0, 5 };
	const uint8_t bad_opt[] = { 59, 1, 5, 0, 0, 0, 0, 1, 0x02, 0, 0, 1, 22, 40, 0, 0 };

	h_raw(&h, MAG1, short_msg, sizeof(short_msg));
	h_raw(&h, MAG1, bad_opt, sizeof(bad_opt));
	ck_assert_uint_eq(lma_engine_stats(h.e)->malformed[MH_E_SHORT], 1);
	ck_assert_uint_eq(lma_engine_stats(h.e)->malformed[MH_E_OPT_OVERRUN], 1);
	ck_assert_uint_eq(h.n_sent, 0);
	ck_assert_uint_eq(lma_engine_cache(h.e)->n_bce, 0);
}
END_TEST

START_TEST(unknown_type_gets_a_rate_limited_binding_error)
{
	const uint8_t unknown[] = { 59, 1, 42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const struct mh_msg *m;

	for (int i = 0; i < 100; i++)
		h_raw(&h, EVIL, unknown, sizeof(unknown));
	ck_assert_uint_eq(h_count_to(&h, EVIL, MH_TYPE_BE), 10);
	m = h_last_to(&h, EVIL, 0);
	ck_assert_uint_eq(m->u.be.status, 2);
	h_advance(&h, 1000);
	for (int i = 0; i < 100; i++)
		h_raw(&h, EVIL, unknown, sizeof(unknown));
	ck_assert_uint_eq(h_count_to(&h, EVIL, MH_TYPE_BE), 20);
	ck_assert_uint_eq(lma_engine_stats(h.e)->malformed[MH_E_TYPE], 200);
}
END_TEST

/* RFC 5847 §3.3, §3.4: a Heartbeat Request from a MAG is answered with a Heartbeat Response,
 * same sequence number, carrying our Restart Counter; one from a stranger is not. */
START_TEST(heartbeat_request_is_answered_with_the_restart_counter)
{
	const struct mh_msg *r;
	struct mh_msg hb;

	lma_engine_set_restart_counter(h.e, 1234);
	mh_msg_init(&hb, MH_TYPE_HB);
	hb.u.hb.seq = 99;
	h_input(&h, MAG1, &hb);
	r = h_last_to(&h, MAG1, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->type, MH_TYPE_HB);
	ck_assert_uint_eq(r->u.hb.flags, MH_HB_R);
	ck_assert_uint_eq(r->u.hb.seq, 99);
	ck_assert(r->opts.present & MH_HAVE_RESTART_COUNTER);
	ck_assert_uint_eq(r->opts.restart_counter, 1234);
	h_input(&h, EVIL, &hb);
	ck_assert_uint_eq(h_count_to(&h, EVIL, MH_TYPE_HB), 0);
	hb.u.hb.flags = MH_HB_R; /* a response: we asked nothing */
	h_input(&h, MAG1, &hb);
	ck_assert_uint_eq(h_count_to(&h, MAG1, MH_TYPE_HB), 1);
}
END_TEST

START_TEST(unexpected_message_types_are_dropped)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_BA);
	h_input(&h, MAG1, &m);
	ck_assert_uint_eq(lma_engine_stats(h.e)->dropped[LMA_DROP_UNEXPECTED], 1);
	ck_assert_uint_eq(h.n_sent, 0);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("lma_engine");
	TCase *accept = tcase_create("accept");
	TCase *muho = tcase_create("muho");
	TCase *status = tcase_create("status");
	TCase *life = tcase_create("lifecycle");
	TCase *fail = tcase_create("failures");
	TCase *sticky = tcase_create("sticky");
	TCase *all[] = { accept, muho, status, life, fail, sticky };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(accept, new_attachment_gets_a_prefix_a_tunnel_and_a_route);
	tcase_add_test(accept, one_tunnel_per_mag_shared_by_its_bindings);
	tcase_add_test(accept, lifetime_is_capped);
	tcase_add_test(accept, static_prefixes_first_then_the_pool);
	tcase_add_test(accept, a_named_static_prefix_is_granted);
	tcase_add_test(muho, first_interface_gets_an_empty_muho_option);
	tcase_add_test(muho, second_interface_learns_the_first_prefix);
	tcase_add_test(muho, first_mag_is_notified_of_the_second_prefix);
	tcase_add_test(muho, notification_is_acknowledged);
	tcase_add_test(muho, notification_is_retransmitted_with_backoff);
	tcase_add_test(muho, notification_retransmissions_carry_the_d_flag);
	tcase_add_test(muho, notification_sequence_starts_at_the_random_value);
	tcase_add_test(muho, binding_error_2_stops_notifications_to_that_mag);
	tcase_add_test(muho, wrong_acknowledgement_is_counted_and_ignored);
	tcase_add_test(muho, mags_without_muho_are_not_notified);
	tcase_add_test(muho, every_group_change_is_reported);
	tcase_add_test(status, missing_mn_identifier_is_160_with_an_empty_one);
	tcase_add_test(status, unknown_mag_is_154_and_creates_nothing);
	tcase_add_test(status, mag_not_allowed_for_this_mn_is_154);
	tcase_add_test(status, non_nai_identifier_is_153);
	tcase_add_test(status, unauthorized_mn_is_152);
	tcase_add_test(status, timestamp_outside_the_window_is_156_with_our_time);
	tcase_add_test(status, timestamp_window_is_judged_at_arrival);
	tcase_add_test(status, older_timestamp_for_the_session_is_157);
	tcase_add_test(status, missing_options_are_158_161_162_in_that_order);
	tcase_add_test(status, restricted_mag_is_154_before_153_and_152);
	tcase_add_test(status, lower_timestamp_outside_the_window_is_157);
	tcase_add_test(status, reserved_access_technology_type_is_162);
	tcase_add_test(status, all_zero_link_local_address_is_generated);
	tcase_add_test(status, home_registration_is_131);
	tcase_add_test(status, another_mns_prefix_is_155);
	tcase_add_test(status, a_prefix_not_ours_to_give_is_155);
	tcase_add_test(status, prefix_set_mismatch_is_159);
	tcase_add_test(status, exhausted_pool_is_130);
	tcase_add_test(status, not_proxy_is_dropped);
	tcase_add_test(status, sequence_numbers_modulo_2_16);
	tcase_add_test(life, renewal_keeps_the_prefix_and_rearms_the_lifetime);
	tcase_add_test(life, handoff_between_mags_moves_the_route);
	tcase_add_test(life, handoff_naming_the_prefix);
	tcase_add_test(life, deregistration_keeps_the_binding_for_the_delay);
	tcase_add_test(life, reregistration_within_the_delay_restores_the_binding);
	tcase_add_test(life, deregistration_from_another_mag_is_ignored);
	tcase_add_test(life, deregistration_of_nothing_is_ignored);
	tcase_add_test(life, losing_an_interface_notifies_the_other_mag);
	tcase_add_test(life, expiry_notifies_the_other_mag_and_cleans_up);
	tcase_add_test(life, unknown_handoff_waits_then_takes_a_new_prefix);
	tcase_add_test(life, interface_handoff_moves_the_only_session);
	tcase_add_test(life, mag_handoff_without_llid_moves_the_only_session);
	tcase_add_test(life, session_key_includes_the_access_technology);
	tcase_add_test(life, unknown_handoff_waits_only_for_a_single_session);
	tcase_add_test(life, retransmitted_waiting_pbu_is_not_queued_twice);
	tcase_add_test(life, unknown_handoff_takes_over_a_deregistered_binding);
	tcase_add_test(life, taken_over_session_answers_to_its_new_interface);
	tcase_add_test(fail, refused_route_turns_the_acceptance_into_130);
	tcase_add_test(fail, refused_tunnel_is_130);
	tcase_add_test(fail, reload_with_another_pool);
	tcase_add_test(fail, pool_change_keeps_bound_prefixes_bound);
	tcase_add_test(fail, pool_change_then_crash_keeps_bound_prefixes_bound);
	tcase_add_test(fail, pool_moved_then_crash_keeps_bound_prefixes_for_their_mn);
	tcase_add_test(fail, malformed_input_is_counted_and_changes_nothing);
	tcase_add_test(fail, unknown_type_gets_a_rate_limited_binding_error);
	tcase_add_test(fail, unexpected_message_types_are_dropped);
	tcase_add_test(fail, heartbeat_request_is_answered_with_the_restart_counter);
	tcase_add_test(sticky, returning_interface_gets_its_released_prefix_back);
	tcase_add_test(sticky, another_mn_naming_a_resting_prefix_is_155);
	tcase_add_test(sticky, a_pooled_prefix_never_released_is_155);
	tcase_add_test(sticky, naming_several_prefixes_is_all_or_nothing);
	tcase_add_test(sticky, two_resting_prefixes_come_back_together);
	tcase_add_test(sticky, reallocated_prefix_is_155);
	tcase_add_test(sticky, refused_route_puts_a_reclaimed_prefix_back_to_rest);
	return s;
}

CHECK_MAIN(engine_suite)
