/* test_mag_engine.c: the MAG engine (mag/engine.c, bul.c, signal.c) through its inputs and
 * outputs with a mock clock: attachment on a Router Solicitation, the PBU it sends, PBA
 * validation and the consequence of every status (RFC 5213 §6.9.1.2), retransmission timing,
 * refresh, routes and rules for own and MuHo prefixes, router advertisements, Update
 * Notifications, de-registration on carrier loss and on command, clean-up, the orderly exit,
 * the binding file (mag/bulfile.c): its lines, and an MN saved by one engine registered
 * again by the next; and Binding Revocation from the LMA (mag/revoke.c, RFC 5846 §9.2). */
#include <arpa/inet.h>
#include <string.h>

#include "mag/bulfile.h"
#include "common/bindtag.h"
#include "tests/check_main.h"
#include "tests/mag/mag_harness.h"

#define P1 "2001:db8:100::/64"
#define P2 "2001:db8:100:1::/64"
#define P3 "2001:db8:100:2::/64"

static const char conf_text[] =
        "lma-address 2001:db8:ffff::100\n"
        "proxy-coa 2001:db8:ffff::1\n"
        "uplink-interface eth0\n"
        "lifetime 40s\n"
        "refresh-before 10s\n"
        "retransmit initial 1s max 8s tries 5\n"
        "ra-interval 10s\n"
        "access-interface wlan0 { access-technology 4 }\n"
        "access-interface eth9 { access-technology 7 attach-on-link-up yes }\n"
        "mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 multihoming yes }\n"
        "mn mn2@example.org { mac 02:00:00:00:00:09 mac 02:00:00:00:00:0a }\n";

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

static void attach(unsigned ifindex, uint8_t mac, const char *const *hnp, const char *const *muho)
{
	m_rs(&h, ifindex, mac);
	m_pba(&h, 0, hnp, muho);
}

/* --- the PBU --- */

START_TEST(router_solicitation_sends_a_pbu)
{
	const struct mh_msg *m;
	struct in6_addr fe80_1;

	m_rs(&h, WLAN, 1);
	m = m_last_pbu(&h);
	ck_assert_uint_eq(m->u.bu.flags, MH_BU_A | MH_BU_P);
	ck_assert_uint_eq(m->u.bu.lifetime, 10); /* 40 s in 4-s units */
	ck_assert_uint_eq(m->opts.mnid.subtype, MH_MNID_SUBTYPE_NAI);
	ck_assert_mem_eq(m->opts.mnid.id, "mn1@example.org", 15);
	ck_assert_uint_eq(m->opts.llid_len, 6);
	ck_assert_uint_eq(m->opts.llid[5], 1);
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert_uint_eq(m->opts.hnp[0].len, 0); /* ALL_ZERO: a prefix, please */
	ck_assert_uint_eq(m->opts.hi, MH_HI_NEW_IF);
	ck_assert_uint_eq(m->opts.att, 4);
	ck_assert_uint_eq(m->opts.timestamp >> 16, h.now.real_ns / 1000000000ull);
	inet_pton(AF_INET6, "fe80::1", &fe80_1);
	ck_assert_mem_eq(&m->opts.lla, &fe80_1, 16);
	ck_assert_uint_eq(m->opts.n_muho, 1); /* multihoming yes: the empty MuHo option */
	ck_assert_uint_eq(m->opts.muho[0].len, 0);
}
END_TEST

START_TEST(access_technology_is_the_links)
{
	m_rs(&h, EXT, 2);
	ck_assert_uint_eq(m_last_pbu(&h)->opts.att, 7);
}
END_TEST

START_TEST(single_homed_mn_sends_no_muho_option)
{
	m_rs(&h, WLAN, 9);
	ck_assert_uint_eq(m_last_pbu(&h)->opts.n_muho, 0);
}
END_TEST

START_TEST(unknown_mac_and_foreign_link_are_counted)
{
	m_rs(&h, WLAN, 0x77);
	m_rs(&h, 99, 1);
	ck_assert_uint_eq(h.n_sent, 0);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_UNKNOWN_MAC], 1);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_NOT_ACCESS], 1);
}
END_TEST

/* --- acceptance: routes, rules, advertisements --- */

START_TEST(acceptance_installs_routes_rules_and_advertises)
{
	static const char *const other[] = { P2, NULL };
	const struct m_route *r;
	struct in6_addr mn_ll = { { { 0xfe, 0x80 } } };

	attach(WLAN, 1, only_p1, other);
	mn_ll.s6_addr[15] = 1;
	ck_assert_uint_eq(h.tunnel_adds, 1);
	r = m_route(&h, P1);
	ck_assert_ptr_nonnull(r);
	ck_assert(r->has_route);
	ck_assert_mem_eq(&r->ll, &mn_ll, 16); /* via the MN's link-local, not on-link */
	ck_assert_uint_eq(r->ifindex, WLAN);
	ck_assert_uint_eq(r->rule_tunnel, h.tunnel);
	r = m_route(&h, P2); /* the other interface's prefix, for the weak-host MN */
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->ifindex, WLAN);
	ck_assert_uint_eq(r->rule_tunnel, h.tunnel);
	ck_assert_uint_eq(h.n_ras, 1);
	ck_assert_uint_eq(h.ras[0].ifindex, WLAN);
	ck_assert_mem_eq(&h.ras[0].dst, &mn_ll, 16);
	ck_assert_uint_eq(h.ras[0].ra.n_prefix, 1); /* only its own prefix is advertised */
	ck_assert_uint_eq(h.ras[0].ra.prefix[0].len, 64);
	ck_assert_uint_eq(h.ras[0].ra.prefix[0].valid_s, 40);
	ck_assert_uint_eq(h.ras[0].ra.src_mac[5], 0x10);
	ck_assert_uint_gt(h.ras[0].ra.router_lifetime_s, 0);
	ck_assert_uint_eq(h.ras[0].ra.mtu, 1280); /* §6.9.2: the MTU option, ra-mtu */
}
END_TEST

START_TEST(solicited_and_periodic_advertisements)
{
	attach(WLAN, 1, only_p1, NULL);
	m_rs(&h, WLAN, 1);
	ck_assert_uint_eq(h.n_ras, 2); /* answered at once */
	m_advance(&h, 10000);
	ck_assert_uint_eq(h.n_ras, 3);
	m_advance(&h, 10000);
	ck_assert_uint_eq(h.n_ras, 4);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 1); /* 20 s: the refresh is due at 30 s */
}
END_TEST

START_TEST(one_tunnel_for_all_mns)
{
	attach(WLAN, 1, only_p1, NULL);
	attach(EXT, 9, only_p2, NULL);
	ck_assert_uint_eq(h.tunnel_adds, 1);
	ck_assert_ptr_nonnull(m_route(&h, P2));
}
END_TEST

/* --- PBA validation --- */

START_TEST(pba_must_match_the_outstanding_pbu)
{
	struct mh_msg pba;

	m_rs(&h, WLAN, 1);
	mh_msg_init(&pba, MH_TYPE_BA);
	pba.u.ba.flags = MH_BA_P;
	pba.u.ba.seq = (uint16_t)(m_last_pbu(&h)->u.bu.seq + 1);
	pba.opts = m_last_pbu(&h)->opts;
	m_input(&h, LMA, &pba);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_PBA_UNMATCHED], 1);
	ck_assert_uint_eq(h.n_routes, 0);
	pba.u.ba.seq--;
	m_input(&h, "2001:db8:eeee::1", &pba); /* not from the LMA */
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_NOT_FROM_LMA], 1);
	ck_assert_uint_eq(h.n_routes, 0);
}
END_TEST

/* §6.9.1.2 item 5: a PBA matches its PBU on sequence number and MN-ID; the MN-LL-ID is used
 * when echoed, but an LMA need not echo it. */
START_TEST(pba_without_link_layer_echo_matches_on_mn_id)
{
	struct mh_msg pba;
	struct mh_prefix p1 = m_prefix(P1);

	m_rs(&h, WLAN, 1);
	mh_msg_init(&pba, MH_TYPE_BA);
	pba.u.ba.flags = MH_BA_P;
	pba.u.ba.seq = m_last_pbu(&h)->u.bu.seq;
	pba.u.ba.lifetime = 10;
	pba.opts = m_last_pbu(&h)->opts;
	pba.opts.present &= ~MH_HAVE_MNLLID;
	pba.opts.n_hnp = pba.opts.n_muho = 0;
	mh_opts_add_hnp(&pba.opts, &p1.addr, p1.len);
	mh_opts_set_nai(&pba.opts, "mn2@example.org"); /* another MN: not ours */
	m_input(&h, LMA, &pba);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_PBA_UNMATCHED], 1);
	mh_opts_set_nai(&pba.opts, "mn1@example.org");
	m_input(&h, LMA, &pba);
	ck_assert_str_eq(bul_state_name(mag_engine_first(h.e)->state), "registered");
	ck_assert_ptr_nonnull(m_route(&h, P1));
}
END_TEST

/* A status-0 PBA with no usable prefix (none, or ALL_ZERO) registers nothing: the PBU is
 * retransmitted with back-off as if unanswered. */
START_TEST(accepting_pba_without_a_prefix_is_retried)
{
	static const char *const all_zero[] = { "::/0", NULL };

	m_rs(&h, WLAN, 1);
	m_pba(&h, 0, NULL, NULL);
	ck_assert_str_eq(bul_state_name(mag_engine_first(h.e)->state), "registering");
	m_pba(&h, 0, all_zero, NULL);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_PBA_NO_PREFIX], 2);
	ck_assert_uint_eq(h.n_routes, 0);
	ck_assert_uint_eq(h.n_ras, 0);
	m_advance(&h, 1000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_str_eq(bul_state_name(mag_engine_first(h.e)->state), "registered");
}
END_TEST

/* RFC 6275 §11.7.3: status 135 carries the LMA's last accepted sequence number; the MAG goes on
 * from it at once. */
START_TEST(status_135_continues_from_the_lma_sequence_number)
{
	struct mh_msg pba;

	m_rs(&h, WLAN, 1);
	mh_msg_init(&pba, MH_TYPE_BA);
	pba.u.ba.status = 135;
	pba.u.ba.flags = MH_BA_P;
	pba.u.ba.seq = 40000;
	pba.opts = m_last_pbu(&h)->opts;
	m_input(&h, LMA, &pba);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
	ck_assert_uint_eq(m_last_pbu(&h)->u.bu.seq, 40001);
}
END_TEST

/* §6.9.1.2 item 3: an accepting PBA echoes the timestamp we sent; another is an old or forged
 * answer and is ignored. */
START_TEST(accepting_pba_with_another_timestamp_is_ignored)
{
	struct mh_msg pba;
	struct mh_prefix p1 = m_prefix(P1);

	m_rs(&h, WLAN, 1);
	mh_msg_init(&pba, MH_TYPE_BA);
	pba.u.ba.flags = MH_BA_P;
	pba.u.ba.seq = m_last_pbu(&h)->u.bu.seq;
	pba.u.ba.lifetime = 10;
	pba.opts = m_last_pbu(&h)->opts;
	pba.opts.n_hnp = pba.opts.n_muho = 0;
	mh_opts_add_hnp(&pba.opts, &p1.addr, p1.len);
	pba.opts.timestamp -= 0x10000; /* a second older */
	m_input(&h, LMA, &pba);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_PBA_UNMATCHED], 1);
	ck_assert_uint_eq(h.n_routes, 0);
}
END_TEST

START_TEST(differing_echoes_hold_the_entry)
{
	struct mh_msg pba;
	size_t sent;

	m_rs(&h, WLAN, 1);
	mh_msg_init(&pba, MH_TYPE_BA);
	pba.u.ba.flags = MH_BA_P;
	pba.u.ba.seq = m_last_pbu(&h)->u.bu.seq;
	pba.u.ba.lifetime = 10;
	pba.opts = m_last_pbu(&h)->opts;
	pba.opts.att = 8; /* not what we sent */
	m_input(&h, LMA, &pba);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_PBA_ECHO], 1);
	sent = h.n_sent;
	m_advance(&h, 60000);
	ck_assert_uint_eq(h.n_sent, sent); /* no retransmission until an administrator acts */
	ck_assert_uint_eq(h.n_routes, 0);
}
END_TEST

/* --- retransmission and refresh --- */

START_TEST(retransmission_backs_off_with_fresh_timestamps)
{
	static const uint64_t at_ms[] = { 1000, 3000, 7000, 15000 }; /* 1, 2, 4, 8 s: capped */
	uint64_t last_ts, start;

	m_rs(&h, WLAN, 1);
	start = h.now.mono_ns;
	last_ts = m_last_pbu(&h)->opts.timestamp;
	for (size_t i = 0; i < sizeof(at_ms) / sizeof(at_ms[0]); i++) {
		m_advance(&h, at_ms[i] - 1 - (h.now.mono_ns - start) / 1000000);
		ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), i + 1);
		m_advance(&h, 1);
		ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), i + 2);
		ck_assert_uint_gt(m_last_pbu(&h)->opts.timestamp, last_ts);
		last_ts = m_last_pbu(&h)->opts.timestamp;
	}
	m_advance(&h, 60000); /* five tries were allowed: given up */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 5);
	ck_assert_uint_eq(mag_engine_stats(h.e)->gave_up, 1);
	ck_assert_ptr_null(mag_engine_first(h.e));
}
END_TEST

/* RFC 5213 §6.9.4: with "retransmit tries unlimited" (the default) a PBU is retransmitted until
 * an answer comes, the wait doubling up to its ceiling and staying there; a de-registration
 * still ends (MAG_DEREG_TRIES). */
START_TEST(retransmission_goes_on_until_an_answer)
{
	m_free(&h);
	m_init(&h, "lma-address 2001:db8:ffff::100\n"
	           "proxy-coa 2001:db8:ffff::1\n"
	           "uplink-interface eth0\n"
	           "retransmit initial 1s max 32s\n"
	           "access-interface wlan0 { access-technology 4 }\n"
	           "mn mn1@example.org { mac 02:00:00:00:00:01 }\n");
	m_rs(&h, WLAN, 1);
	m_advance(&h, 1000 + 2000 + 4000 + 8000 + 16000); /* 1, 2, 4, 8, 16 s */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 6);
	m_advance(&h, 32000 * 20 - 1); /* then every 32 s */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 6 + 19);
	m_advance(&h, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 6 + 20);
	ck_assert_uint_eq(mag_engine_stats(h.e)->gave_up, 0);
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_str_eq(bul_state_name(mag_engine_first(h.e)->state), "registered");
}
END_TEST

START_TEST(refresh_before_the_lifetime_runs_out)
{
	const struct mh_msg *m;
	unsigned ops;

	attach(WLAN, 1, only_p1, NULL);
	ops = h.route_ops;
	m_advance(&h, 29999);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 1);
	m_advance(&h, 1); /* 40 s granted, refresh 10 s before */
	m = m_last_pbu(&h);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
	ck_assert_uint_eq(m->opts.hi, MH_HI_NO_CHANGE);
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert_uint_eq(m->opts.hnp[0].len, 64); /* keeps its prefix */
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_uint_eq(h.route_ops, ops); /* nothing to change in the kernel */
	ck_assert_str_eq(bul_state_name(mag_engine_first(h.e)->state), "registered");
}
END_TEST

START_TEST(unanswered_refresh_removes_the_routes_at_expiry)
{
	attach(WLAN, 1, only_p1, NULL);
	m_advance(&h, 30000 + 9999);
	ck_assert_ptr_nonnull(m_route(&h, P1));
	m_advance(&h, 2000);
	ck_assert_ptr_null(m_route(&h, P1));
}
END_TEST

/* --- the consequence of each status --- */

START_TEST(status_155_asks_for_a_new_prefix)
{
	attach(WLAN, 1, only_p1, NULL);
	m_advance(&h, 30000); /* refresh naming P1 */
	m_pba(&h, 155, only_p1, NULL);
	ck_assert_uint_eq(m_last_pbu(&h)->opts.hnp[0].len, 0); /* at once, ALL_ZERO */
	ck_assert_ptr_null(m_route(&h, P1));
	m_pba(&h, 0, only_p2, NULL);
	ck_assert_ptr_nonnull(m_route(&h, P2));
}
END_TEST

START_TEST(status_157_retries_at_once)
{
	m_rs(&h, WLAN, 1);
	m_pba(&h, 157, NULL, NULL);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_ptr_nonnull(m_route(&h, P1));
}
END_TEST

START_TEST(status_156_waits_for_the_timer)
{
	m_rs(&h, WLAN, 1);
	m_pba(&h, 156, NULL, NULL);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 1); /* our clock is off: not at once */
	m_advance(&h, 1000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
	ck_assert_uint_eq(mag_engine_stats(h.e)->clock_waits, 0); /* a synchronised clock */
}
END_TEST

/* RFC 5213 §6.9.1.2: after a 156, register again only once the clock is synchronised. */
START_TEST(status_156_waits_for_a_synchronised_clock)
{
	m_rs(&h, WLAN, 1);
	h.clock_unsynced = true;
	m_pba(&h, 156, NULL, NULL);
	m_advance(&h, 1000 + 2000 + 4000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 1); /* held: three retransmissions */
	ck_assert_uint_eq(mag_engine_stats(h.e)->clock_waits, 3);
	h.clock_unsynced = false; /* an NTP client synchronised it */
	m_advance(&h, 8000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_ptr_nonnull(m_route(&h, P1));
}
END_TEST

START_TEST(status_152_denies_service)
{
	m_rs(&h, WLAN, 1);
	m_pba(&h, 152, NULL, NULL);
	m_advance(&h, 600000);
	m_rs(&h, WLAN, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 1);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_HELD], 1);
	ck_assert_uint_eq(h.n_ras, 0); /* no RA for a prefix it does not have */
	ck_assert_int_eq(mag_engine_deregister(h.e, "mn1@example.org", &h.now), 0); /* admin */
	m_rs(&h, WLAN, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
}
END_TEST

START_TEST(other_rejections_hold_then_retry)
{
	m_rs(&h, WLAN, 1);
	m_pba(&h, 130, NULL, NULL);
	m_rs(&h, WLAN, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 1);
	m_advance(&h, 8000); /* held for the longest retransmission interval */
	m_rs(&h, WLAN, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
	ck_assert_uint_eq(h.n_routes, 0);
}
END_TEST

START_TEST(rejected_refresh_removes_everything)
{
	attach(WLAN, 1, only_p1, NULL);
	m_advance(&h, 30000);
	m_pba(&h, 129, only_p1, NULL);
	ck_assert_uint_eq(h.n_routes, 0);
	ck_assert_uint_eq(h.tunnel, 0);
}
END_TEST

/* --- Update Notifications --- */

static void upn(uint16_t seq, const char *nai, const char *const *muho, uint8_t flags)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_UPN);
	m.u.upn.seq = seq;
	m.u.upn.reason = 2;
	m.u.upn.flags = flags;
	mh_opts_set_nai(&m.opts, nai);
	for (int i = 0; muho && muho[i]; i++) {
		struct mh_prefix p = m_prefix(muho[i]);

		mh_opts_add_muho(&m.opts, &p.addr, p.len);
	}
	if (!muho)
		mh_opts_add_muho(&m.opts, &in6addr_any, 0);
	m_input(&h, LMA, &m);
}

START_TEST(notification_updates_routes_and_is_acknowledged)
{
	static const char *const p3[] = { P3, NULL };
	const struct mh_msg *upa;

	attach(WLAN, 1, only_p1, only_p2);
	upn(77, "mn1@example.org", p3, MH_UPN_A);
	ck_assert_ptr_null(m_route(&h, P2));
	ck_assert_ptr_nonnull(m_route(&h, P3));
	ck_assert_uint_eq(m_route(&h, P3)->rule_tunnel, h.tunnel);
	ck_assert_ptr_nonnull(m_route(&h, P1));
	upa = &h.sent[h.n_sent - 1];
	ck_assert_uint_eq(upa->type, MH_TYPE_UPA);
	ck_assert_uint_eq(upa->u.upa.seq, 77);
	ck_assert_uint_eq(upa->u.upa.status, 0);
	ck_assert_uint_eq(upa->opts.mnid.len, 15);
	upn(78, "mn1@example.org", NULL, MH_UPN_A); /* the empty list: no other prefix */
	ck_assert_ptr_null(m_route(&h, P3));
	ck_assert_uint_eq(h.n_routes, 1);
}
END_TEST

START_TEST(notification_for_an_unknown_mn)
{
	upn(5, "mn2@example.org", only_p1, MH_UPN_A);
	ck_assert_uint_eq(h.sent[h.n_sent - 1].u.upa.status, 132); /* MN not attached */
	upn(6, "mn2@example.org", only_p1, 0);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_UPA), 1); /* no A flag: no answer */
}
END_TEST

/* RFC 7077 §4.1: D is Retransmit, not "de-register": a retransmitted notification changes
 * nothing more than the first one did, and is acknowledged again. (This test replaced
 * notification_with_d_flag_deregisters, which enshrined the wrong meaning.) */
START_TEST(notification_with_d_flag_is_a_retransmission)
{
	static const char *const p3[] = { P3, NULL };
	size_t pbus;

	attach(WLAN, 1, only_p1, NULL);
	pbus = m_count_type(&h, MH_TYPE_BU);
	upn(9, "mn1@example.org", p3, MH_UPN_A);
	upn(9, "mn1@example.org", p3, MH_UPN_A | MH_UPN_D);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus); /* no de-registration */
	ck_assert_ptr_nonnull(m_route(&h, P1));
	ck_assert_ptr_nonnull(m_route(&h, P3));
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_UPA), 2);
	ck_assert_uint_eq(h.sent[h.n_sent - 1].u.upa.seq, 9);
	ck_assert_uint_eq(h.sent[h.n_sent - 1].u.upa.status, 0);
}
END_TEST

static void upn_reason(uint16_t seq, uint16_t reason, uint8_t flags)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_UPN);
	m.u.upn.seq = seq;
	m.u.upn.reason = reason;
	m.u.upn.flags = flags;
	mh_opts_set_nai(&m.opts, "mn1@example.org");
	m_input(&h, LMA, &m);
}

/* A retransmitted FORCE-REREGISTRATION (D set, same sequence number) is answered again but
 * does not trigger a second re-registration (RFC 7077 §5.1). */
START_TEST(retransmitted_force_reregistration_is_applied_once)
{
	size_t pbus;

	attach(WLAN, 1, only_p1, NULL);
	pbus = m_count_type(&h, MH_TYPE_BU);
	upn_reason(40, 1, MH_UPN_A);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 1);
	upn_reason(40, 1, MH_UPN_A | MH_UPN_D);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_UPA), 2);
	upn_reason(41, 1, MH_UPN_A | MH_UPN_D); /* a number we never saw: applied */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_UPA), 3);
}
END_TEST

/* --- Heartbeat, Binding Error --- */

/* RFC 5847 §3.3, §3.4: the LMA's Heartbeat Request is answered with a Heartbeat Response, same
 * sequence number, with our Restart Counter. */
START_TEST(heartbeat_request_is_answered_with_the_restart_counter)
{
	const struct mh_msg *r;
	struct mh_msg hb;

	mag_engine_set_restart_counter(h.e, 4321);
	mh_msg_init(&hb, MH_TYPE_HB);
	hb.u.hb.seq = 0x01020304;
	m_input(&h, LMA, &hb);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 1);
	r = &h.sent[h.n_sent - 1];
	ck_assert_uint_eq(r->u.hb.flags, MH_HB_R);
	ck_assert_uint_eq(r->u.hb.seq, 0x01020304);
	ck_assert(r->opts.present & MH_HAVE_RESTART_COUNTER);
	ck_assert_uint_eq(r->opts.restart_counter, 4321);
	hb.u.hb.flags = MH_HB_R; /* a response to nothing we sent */
	m_input(&h, LMA, &hb);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_HB), 1);
}
END_TEST

/* RFC 6275 §9.2, §9.3.3: an unknown MH type from the LMA gets a Binding Error with status 2,
 * rate-limited. */
START_TEST(unknown_type_gets_a_rate_limited_binding_error)
{
	static const uint8_t unknown[] = { 59, 1, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0 };
	struct in6_addr lma;

	ck_assert_int_eq(inet_pton(AF_INET6, LMA, &lma), 1);
	for (int i = 0; i < 50; i++)
		mag_engine_mh_input(h.e, &lma, unknown, sizeof(unknown), &h.now);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BE), 10);
	ck_assert_uint_eq(h.sent[h.n_sent - 1].u.be.status, 2);
	m_advance(&h, 1000);
	mag_engine_mh_input(h.e, &lma, unknown, sizeof(unknown), &h.now);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BE), 11);
}
END_TEST

/* magd.conf(5) binding-error-rate replaces the default 10 a second. */
START_TEST(the_binding_error_rate_is_configured)
{
	static const uint8_t unknown[] = { 59, 1, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0 };
	char text[sizeof(conf_text) + 40];
	struct in6_addr lma;

	m_free(&h);
	snprintf(text, sizeof(text), "%sbinding-error-rate 2 burst 4\n", conf_text);
	m_init(&h, text);
	ck_assert_int_eq(inet_pton(AF_INET6, LMA, &lma), 1);
	for (int i = 0; i < 50; i++)
		mag_engine_mh_input(h.e, &lma, unknown, sizeof(unknown), &h.now);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BE), 4);
	ck_assert_uint_eq(mag_engine_stats(h.e)->be_sent, 4);
	m_advance(&h, 1000);
	for (int i = 0; i < 50; i++)
		mag_engine_mh_input(h.e, &lma, unknown, sizeof(unknown), &h.now);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BE), 6);
}
END_TEST

/* --- de-registration --- */

START_TEST(carrier_loss_deregisters_at_once)
{
	static const char *const p3[] = { P3, NULL };

	attach(WLAN, 1, only_p1, p3);
	attach(EXT, 9, only_p2, NULL);
	mag_engine_link(h.e, WLAN, false, &h.now);
	mag_engine_flush(h.e);
	ck_assert_uint_eq(m_last_pbu(&h)->u.bu.lifetime, 0);
	ck_assert_uint_eq(m_last_pbu(&h)->opts.llid[5], 1);
	ck_assert_ptr_null(m_route(&h, P1));
	ck_assert_ptr_null(m_route(&h, P3));
	ck_assert_ptr_nonnull(m_route(&h, P2)); /* the other MN's */
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dereg_sent, 1);
	ck_assert_uint_eq(h.n_ras, 2);          /* no withdrawal on a link that is down */
	ck_assert_ptr_nonnull(m_route(&h, P2)); /* the other MN's routes stay */
}
END_TEST

START_TEST(last_entry_takes_the_tunnel_with_it)
{
	attach(WLAN, 1, only_p1, NULL);
	mag_engine_link(h.e, WLAN, false, &h.now);
	mag_engine_flush(h.e);
	ck_assert_uint_eq(h.tunnel, 0);
	ck_assert_uint_eq(h.tunnel_dels, 1);
}
END_TEST

START_TEST(unanswered_deregistration_ends_after_the_tries)
{
	attach(WLAN, 1, only_p1, NULL);
	mag_engine_deregister(h.e, "mn1@example.org", &h.now);
	mag_engine_flush(h.e);
	m_advance(&h, 30000);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 1 + 5);
	ck_assert_str_eq(bul_state_name(mag_engine_first(h.e)->state), "detached");
	m_advance(&h, 40000); /* detached for the lifetime its prefixes had */
	ck_assert_ptr_null(mag_engine_first(h.e));
	ck_assert_int_eq(mag_engine_deregister(h.e, "mn1@example.org", &h.now), -1);
}
END_TEST

START_TEST(mn_back_after_acknowledged_deregistration)
{
	const struct mh_msg *m;

	attach(WLAN, 1, only_p1, NULL);
	mag_engine_deregister(h.e, "mn1@example.org", &h.now);
	mag_engine_flush(h.e);
	ck_assert_uint_eq(h.n_ras, 2); /* an administrative one withdraws the prefixes */
	ck_assert_uint_eq(h.ras[1].ra.router_lifetime_s, 0);
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_str_eq(bul_state_name(mag_engine_first(h.e)->state), "detached");
	m_rs(&h, WLAN, 1);
	m = m_last_pbu(&h);
	ck_assert_uint_eq(m->opts.hnp[0].len, 64); /* asks for the prefix it had */
	ck_assert_uint_eq(m->opts.hi, MH_HI_NO_CHANGE);
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_ptr_nonnull(m_route(&h, P1));
}
END_TEST

START_TEST(mn_coming_back_keeps_its_prefix)
{
	const struct mh_msg *m;

	attach(WLAN, 1, only_p1, NULL);
	mag_engine_link(h.e, WLAN, false, &h.now);
	mag_engine_link(h.e, WLAN, true, &h.now);
	m_rs(&h, WLAN, 1);
	m = m_last_pbu(&h);
	ck_assert_uint_ne(m->u.bu.lifetime, 0);
	ck_assert_uint_eq(m->opts.hnp[0].len, 64);
	ck_assert_uint_eq(m->opts.hi, MH_HI_NO_CHANGE);
	m_pba(&h, 0, only_p1, NULL);
	ck_assert_ptr_nonnull(m_route(&h, P1));
}
END_TEST

/* Linux does not solicit again when only its carrier came back: on a link configured
 * attach-on-link-up the carrier is the trigger; on the others it changes nothing. */
START_TEST(carrier_back_reattaches_on_a_point_to_point_link)
{
	const struct mh_msg *m;
	size_t pbus, ras;

	attach(WLAN, 1, only_p1, NULL);
	attach(EXT, 9, only_p2, NULL);
	pbus = m_count_type(&h, MH_TYPE_BU);
	mag_engine_link(h.e, EXT, true, &h.now); /* a carrier event while registered: nothing */
	mag_engine_link(h.e, WLAN, false, &h.now);
	mag_engine_flush(h.e);
	m_pba(&h, 0, only_p1, NULL);
	mag_engine_link(h.e, EXT, false, &h.now);
	mag_engine_flush(h.e);
	m_pba(&h, 0, only_p2, NULL);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 2);
	ras = h.n_ras;
	mag_engine_link(h.e, WLAN, true, &h.now); /* no attach-on-link-up there: waits for an RS */
	mag_engine_flush(h.e);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 2);
	mag_engine_link(h.e, EXT, true, &h.now);
	mag_engine_flush(h.e);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), pbus + 3);
	m = m_last_pbu(&h);
	ck_assert_uint_ne(m->u.bu.lifetime, 0);
	ck_assert_uint_eq(m->opts.llid[5], 9);
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert_uint_eq(m->opts.hnp[0].len, 64); /* the prefix it had */
	ck_assert_uint_eq(m->opts.hi, MH_HI_NO_CHANGE);
	m_pba(&h, 0, only_p2, NULL);
	ck_assert_ptr_nonnull(m_route(&h, P2));
	ck_assert_ptr_null(m_route(&h, P1));
	ck_assert_uint_eq(h.n_ras, ras + 1); /* unsolicited: the MN learns its prefix is back */
}
END_TEST

START_TEST(refused_route_gives_the_entry_up)
{
	h.fail_next_route = true;
	attach(WLAN, 1, only_p1, NULL);
	ck_assert_uint_eq(mag_engine_stats(h.e)->route_failures, 1);
	ck_assert_uint_eq(m_last_pbu(&h)->u.bu.lifetime, 0);
	ck_assert_uint_eq(h.n_routes, 0);
}
END_TEST

START_TEST(exit_deregisters_and_cleans_up)
{
	attach(WLAN, 1, only_p1, NULL);
	mag_engine_free(h.e, &h.now);
	ck_assert_uint_eq(m_last_pbu(&h)->u.bu.lifetime, 0);
	ck_assert_uint_eq(h.n_routes, 0);
	ck_assert_uint_eq(h.tunnel, 0);
	h.e = mag_engine_new(h.conf, &(struct mag_io){ 0 }); /* for teardown */
}
END_TEST

START_TEST(leaving_deregisters_with_retries_and_ignores_new_mns)
{
	attach(WLAN, 1, only_p1, NULL);
	m_rs(&h, WLAN, 2); /* a second MN, registering: its PBU is out */
	ck_assert_uint_eq(mag_engine_leave(h.e, &h.now), 2);
	mag_engine_flush(h.e);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2 + 2);
	ck_assert_uint_eq(m_last_pbu(&h)->u.bu.lifetime, 0);
	ck_assert_uint_eq(h.n_routes, 0);
	m_rs(&h, WLAN, 3); /* nothing new while leaving */
	m_rs(&h, WLAN, 1);
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 4);
	m_pba(&h, 0, NULL, NULL); /* answers the last de-registration */
	ck_assert_uint_eq(mag_engine_leaving(h.e), 1);
	m_advance(&h, 1000); /* the other is sent again */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 5);
	ck_assert_uint_eq(m_last_pbu(&h)->u.bu.lifetime, 0);
	m_pba(&h, 0, NULL, NULL);
	ck_assert_uint_eq(mag_engine_leaving(h.e), 0);
	ck_assert_uint_eq(h.tunnel, 0);
}
END_TEST

/* The text mag_engine_save() writes for h. */
static char *saved(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(mag_engine_save(h.e, f), 0);
	fclose(f);
	return text;
}

START_TEST(binding_file_lines)
{
	char line[] = "bound 50%25%20off@x 02:00:00:00:00:0A eth9 fe80::1 "
	              "2001:db8:1::/64,2001:db8:2::/64";
	struct bulfile_record r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(bulfile_parse(line, &r), 1);
	ck_assert_str_eq(r.mn_id, "50% off@x");
	ck_assert_uint_eq(r.mac[5], 0x0a);
	ck_assert_str_eq(r.ifname, "eth9");
	ck_assert_uint_eq(r.n_hnp, 2);
	ck_assert(mh_prefix_equal(&r.hnp[1],
	                          &(struct mh_prefix[]){ m_prefix("2001:db8:2::/64") }[0]));
	f = open_memstream(&text, &len);
	bulfile_write(f, &r);
	fclose(f);
	ck_assert_str_eq(text, "bound 50%25%20off@x 02:00:00:00:00:0a eth9 fe80::1 "
	                       "2001:db8:1::/64,2001:db8:2::/64\n");
	free(text);
	{
		static const char *const bad[] = {
			"bound a@x 02:00:00:00:00:0a eth9 fe80::1", /* no prefix */
			"bound a@x 02:00:00:00:00:0a eth9 fe80::1 2001:db8:1::/64 more", /* a 7th
			                                                                    word */
			"bond a@x 02:00:00:00:00:0a eth9 fe80::1 2001:db8:1::/64",
			"bound a@x 02:00:00:00:00 eth9 fe80::1 2001:db8:1::/64",
			"bound a@x 02:00:00:00:00:0a eth9 2001:db8::1 2001:db8:1::/64", /* not
			                                                                   link-local
			                                                                 */
			"bound a@x 02:00:00:00:00:0a eth9 fe80::1 2001:db8:1::1/64", /* host bits */
			"bound a@x 02:00:00:00:00:0a eth9 fe80::1 2001:db8:1::/64,",
			"bound %zz 02:00:00:00:00:0a eth9 fe80::1 2001:db8:1::/64",
			"bound a@x 02:00:00:00:00:0a abcdefghijklmnop fe80::1 2001:db8:1::/64",
			"bound a@x 02:00:00:00:00:0a eth9 fe80::1 "
			"1::/64,2::/64,3::/64,4::/64,5::/64,6::/64,"
			"7::/64,8::/64,9::/64", /* more than BUL_MAX_PREFIXES */
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char copy[512];

			snprintf(copy, sizeof(copy), "%s", bad[i]);
			ck_assert_msg(bulfile_parse(copy, &r) == -1, "accepted: %s", bad[i]);
		}
	}
	ck_assert_int_eq(bulfile_parse((char[]){ "  # comment" }, &r), 0);
}
END_TEST

START_TEST(saved_mn_is_registered_again_by_the_next_engine)
{
	char *text, *line, *save = NULL;
	struct bulfile_record r;
	const struct mh_msg *m;
	unsigned n = 0;

	attach(WLAN, 1, only_p1, only_p2);
	m_rs(&h, EXT, 9); /* registering, not bound yet: not saved */
	text = saved();
	m_free(&h);
	m_init(&h, conf_text);
	/* carrier unknown on wlan0: not restored; the next engine has been told it */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (bulfile_parse(line, &r) != 1)
			continue;
		n++;
		ck_assert_str_eq(r.mn_id, "mn1@example.org");
		ck_assert_int_eq(mag_engine_restore(h.e, &r, &h.now), MAG_RESTORE_NO_CARRIER);
		mag_engine_link(h.e, WLAN, true, &h.now);
		ck_assert_int_eq(mag_engine_restore(h.e, &r, &h.now), MAG_RESTORE_OK);
		ck_assert_int_eq(mag_engine_restore(h.e, &r, &h.now), MAG_RESTORE_EXISTS);
	}
	ck_assert_uint_eq(n, 1);
	mag_engine_flush(h.e);
	m = m_last_pbu(&h); /* a re-registration naming its prefix, from the MN's MAC */
	ck_assert_uint_eq(m->u.bu.lifetime, 10); /* 40 s in units of 4 s */
	ck_assert_uint_eq(m->opts.hi, MH_HI_NO_CHANGE);
	ck_assert_uint_eq(m->opts.n_hnp, 1);
	ck_assert(mh_prefix_equal(&m->opts.hnp[0], &(struct mh_prefix[]){ m_prefix(P1) }[0]));
	m_pba(&h, 0, only_p1, only_p2);
	ck_assert_ptr_nonnull(m_route(&h, P1));
	ck_assert_ptr_nonnull(m_route(&h, P2));
	ck_assert_uint_eq(h.n_ras, 1); /* the MN hears its prefix again */
	free(text);
	/* an MN the configuration no longer has, or on a link that is not an access link */
	snprintf(r.mn_id, sizeof(r.mn_id), "someone@else");
	ck_assert_int_eq(mag_engine_restore(h.e, &r, &h.now), MAG_RESTORE_NOT_SERVED);
	snprintf(r.mn_id, sizeof(r.mn_id), "mn2@example.org");
	r.mac[5] = 9;
	snprintf(r.ifname, sizeof(r.ifname), "eth0");
	ck_assert_int_eq(mag_engine_restore(h.e, &r, &h.now), MAG_RESTORE_NO_LINK);
}
END_TEST

START_TEST(orderly_exit_leaves_an_empty_binding_file)
{
	char *text;

	attach(WLAN, 1, only_p1, NULL);
	text = saved();
	ck_assert_ptr_nonnull(
	        strstr(text, "bound mn1@example.org 02:00:00:00:00:01 wlan0 fe80::1 " P1 "\n"));
	free(text);
	mag_engine_leave(h.e, &h.now);
	text = saved();
	ck_assert_ptr_null(strstr(text, "bound"));
	free(text);
}
END_TEST

/* --- Binding Revocation (RFC 5846 §9.2) --- */

static void bri(uint16_t seq, const char *nai, uint16_t flags)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_TYPE_BR);
	m.u.br.br_type = MH_BR_TYPE_BRI;
	m.u.br.code = MH_BRI_ADMINISTRATIVE;
	m.u.br.seq = seq;
	m.u.br.flags = flags;
	if (nai)
		mh_opts_set_nai(&m.opts, nai);
	m_input(&h, LMA, &m);
}

static const struct mh_msg *last_bra(void)
{
	const struct mh_msg *m = &h.sent[h.n_sent - 1];

	ck_assert_uint_gt(h.n_sent, 0);
	ck_assert_uint_eq(m->type, MH_TYPE_BR);
	ck_assert_uint_eq(m->u.br.br_type, MH_BR_TYPE_BRA);
	return m;
}

static unsigned entries(void)
{
	unsigned n = 0;

	for (const struct bul_entry *b = mag_engine_first(h.e); b; b = mag_engine_next(b))
		n++;
	return n;
}

/* Both entries of mn1 go: their routes, their rules, the tunnel; the MN hears its prefix
 * withdrawn (zero lifetimes) on the link it is on; the BRA echoes sequence, P and MN-ID. */
START_TEST(revocation_tears_down_every_entry_of_the_mn)
{
	const struct nd_ra *ra;
	const struct mh_msg *m;

	attach(WLAN, 1, only_p1, only_p2);
	attach(WLAN, 2, only_p2, only_p1);
	bri(300, "mn1@example.org", MH_BR_P);
	m = last_bra();
	ck_assert_uint_eq(m->u.br.code, MH_BRA_SUCCESS);
	ck_assert_uint_eq(m->u.br.seq, 300);
	ck_assert_uint_eq(m->u.br.flags, MH_BR_P);
	ck_assert_mem_eq(m->opts.mnid.id, "mn1@example.org", 15);
	ck_assert_uint_eq(entries(), 0);
	ck_assert_ptr_null(m_route(&h, P1));
	ck_assert_ptr_null(m_route(&h, P2));
	ck_assert_uint_eq(h.tunnel, 0);
	ra = &h.ras[h.n_ras - 1].ra;
	ck_assert_uint_eq(ra->n_prefix, 1);
	ck_assert_uint_eq(ra->prefix[0].valid_s, 0);
	ck_assert_uint_eq(ra->prefix[0].preferred_s, 0);
	ck_assert_uint_eq(ra->router_lifetime_s, 0);
	ck_assert_uint_eq(mag_engine_stats(h.e)->revoked, 2);
	ck_assert_uint_eq(mag_engine_stats(h.e)->bra_sent, 1);
	m_advance(&h, 120000); /* no RA, no PBU for what is gone */
	ck_assert_uint_eq(m_count_type(&h, MH_TYPE_BU), 2);
}
END_TEST

/* The revoked MN's next solicitation starts afresh: a new prefix is asked for. */
START_TEST(revoked_mn_registers_afresh)
{
	attach(WLAN, 1, only_p1, NULL);
	bri(1, "mn1@example.org", MH_BR_P);
	m_rs(&h, WLAN, 1);
	ck_assert_uint_eq(m_last_pbu(&h)->opts.hnp[0].len, 0);
	ck_assert_uint_eq(m_last_pbu(&h)->opts.hi, MH_HI_NEW_IF);
}
END_TEST

/* What the MAG cannot act on gets the RFC's status, and changes nothing. */
START_TEST(unmatched_revocation_gets_its_status)
{
	attach(WLAN, 1, only_p1, NULL);
	bri(2, "mn2@example.org", MH_BR_P);
	ck_assert_uint_eq(last_bra()->u.br.code, MH_BRA_NO_BINDING);
	bri(3, "mn1@example.org", 0); /* not a proxy binding */
	ck_assert_uint_eq(last_bra()->u.br.code, MH_BRA_NO_BINDING);
	bri(4, "mn1@example.org", MH_BR_P | MH_BR_V); /* IPv4 only: none here */
	ck_assert_uint_eq(last_bra()->u.br.code, MH_BRA_NO_BINDING);
	bri(5, NULL, MH_BR_P);
	ck_assert_uint_eq(last_bra()->u.br.code, MH_BRA_MN_ID_REQUIRED);
	ck_assert_uint_eq(entries(), 1);
	ck_assert_ptr_nonnull(m_route(&h, P1));
	ck_assert_uint_eq(mag_engine_stats(h.e)->bri_unmatched, 4);
	bri(6, "mn1@example.org", MH_BR_P); /* applied */
	bri(6, "mn1@example.org", MH_BR_P); /* its retransmission: nothing left */
	ck_assert_uint_eq(last_bra()->u.br.code, MH_BRA_NO_BINDING);
}
END_TEST

/* G without an MN-ID: every MN this MAG serves with the LMA. */
START_TEST(global_revocation_takes_every_mn)
{
	attach(WLAN, 1, only_p1, NULL);
	attach(WLAN, 9, only_p2, NULL);
	bri(7, NULL, MH_BR_P | MH_BR_G);
	ck_assert_uint_eq(last_bra()->u.br.code, MH_BRA_SUCCESS);
	ck_assert_uint_eq(last_bra()->u.br.flags, MH_BR_P | MH_BR_G);
	ck_assert_uint_eq(entries(), 0);
}
END_TEST

/* An acknowledgement from the LMA answers nothing we sent; a BRI from elsewhere is not read. */
START_TEST(stray_revocation_messages_are_dropped)
{
	struct mh_msg m;
	size_t sent;

	attach(WLAN, 1, only_p1, NULL);
	sent = h.n_sent;
	mh_msg_init(&m, MH_TYPE_BR);
	m.u.br.br_type = MH_BR_TYPE_BRA;
	m_input(&h, LMA, &m);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_UNEXPECTED], 1);
	m.u.br.br_type = MH_BR_TYPE_BRI;
	m.u.br.flags = MH_BR_P | MH_BR_G;
	m_input(&h, "2001:db8:eeee::1", &m);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dropped[MAG_DROP_NOT_FROM_LMA], 1);
	ck_assert_uint_eq(h.n_sent, sent);
	ck_assert_uint_eq(entries(), 1);
}
END_TEST

/* --- two interfaces of one MN at this MAG (issue 12) --- */

static const char *const p1_p2[] = { P1, P2, NULL };

static void route_via(const char *prefix, unsigned ifindex, uint8_t mac)
{
	const struct m_route *r = m_route(&h, prefix);

	ck_assert_msg(r != NULL, "no route for %s", prefix);
	ck_assert(r->has_route);
	ck_assert_uint_eq(r->ifindex, ifindex);
	ck_assert_uint_eq(r->ll.s6_addr[15], mac);
	ck_assert_uint_eq(r->rule_tunnel, h.tunnel);
}

static void registered(unsigned n)
{
	unsigned k = 0;

	for (const struct bul_entry *b = mag_engine_first(h.e); b; b = mag_engine_next(b))
		k += b->state == BUL_REGISTERED && b->installed;
	ck_assert_uint_eq(k, n);
}

/* The LMA lists the other binding's prefix in each PBA and notifies the whole group: each
 * prefix is routed to the interface that owns it, one rule each, nobody de-registered. */
static void attach_two_here(void)
{
	attach(WLAN, 1, only_p1, NULL);
	attach(EXT, 2, only_p2, only_p1);
	upn(40, "mn1@example.org", p1_p2, MH_UPN_A);
	mag_engine_flush(h.e);
}

START_TEST(two_interfaces_here_each_own_their_routes)
{
	attach_two_here();
	registered(2);
	route_via(P1, WLAN, 1);
	route_via(P2, EXT, 2);
	ck_assert_uint_eq(h.rule_clashes, 0);
	ck_assert_uint_eq(h.route_replaced, 0);
	ck_assert_uint_eq(mag_engine_stats(h.e)->dereg_sent, 0);
	ck_assert_uint_eq(h.sent[h.n_sent - 1].u.upa.status, 0);
}
END_TEST

/* Both attached, then one link loses its carrier: that entry de-registers. */
static void lose_one_of_two(unsigned ifindex)
{
	attach_two_here();
	mag_engine_link(h.e, ifindex, false, &h.now);
	mag_engine_flush(h.e);
	registered(1);
}

START_TEST(losing_the_second_interface_leaves_the_first_its_routes)
{
	lose_one_of_two(EXT);
	route_via(P1, WLAN, 1);
	route_via(P2, WLAN, 1); /* held by the LMA: now delivered on the interface left */
	m_pba(&h, 0, only_p2, NULL);
	route_via(P1, WLAN, 1);
	route_via(P2, WLAN, 1);
}
END_TEST

START_TEST(losing_the_first_interface_leaves_the_second_its_routes)
{
	lose_one_of_two(WLAN);
	route_via(P2, EXT, 2);
	route_via(P1, EXT, 2);
	upn(41, "mn1@example.org", NULL, MH_UPN_A); /* the LMA let P1 go */
	ck_assert_ptr_null(m_route(&h, P1));
	route_via(P2, EXT, 2);
}
END_TEST

START_TEST(returning_interface_takes_its_prefix_back)
{
	lose_one_of_two(EXT);
	m_pba(&h, 0, only_p2, NULL);
	route_via(P2, WLAN, 1);
	mag_engine_link(h.e, EXT, true, &h.now); /* attach-on-link-up */
	m_pba(&h, 0, only_p2, only_p1);
	mag_engine_flush(h.e);
	registered(2);
	route_via(P2, EXT, 2);
	route_via(P1, WLAN, 1);
	ck_assert_uint_eq(h.rule_clashes, 0);
}
END_TEST

/* --- binding tags (mag/engine_tags.c) --- */

/* The tag of MN 02:00:00:00:00:mac on a link of that access technology routes every prefix
 * of the MN to that interface. */
static void tag_routes(uint8_t mac, uint8_t att, unsigned ifindex)
{
	const uint8_t m[6] = { 2, 0, 0, 0, 0, mac };
	const struct m_tag *t = m_tag_find(&h, bindtag_of(m, 6, att));
	struct mh_prefix p1 = m_prefix(P1), p2 = m_prefix(P2);
	bool has1 = false, has2 = false;

	ck_assert_msg(t != NULL, "no tag for MN interface %u", mac);
	ck_assert_uint_eq(t->ifindex, ifindex);
	ck_assert_uint_eq(t->ll.s6_addr[15], mac);
	for (unsigned i = 0; i < t->n; i++) {
		has1 |= t->p[i].len == 64 && memcmp(&t->p[i].addr, &p1.addr, 16) == 0;
		has2 |= t->p[i].len == 64 && memcmp(&t->p[i].addr, &p2.addr, 16) == 0;
	}
	ck_assert(has1 && has2);
}

START_TEST(two_interfaces_here_get_a_tag_each)
{
	attach_two_here();
	ck_assert_uint_eq(m_tags(&h), 2);
	tag_routes(1, 4, WLAN);
	tag_routes(2, 7, EXT);
	for (const struct bul_entry *b = mag_engine_first(h.e); b; b = mag_engine_next(b))
		ck_assert_uint_gt(mag_engine_tag_mark(h.e, b->id), M_TAG_MARK);
	ck_assert_uint_eq(mag_engine_stats(h.e)->tag_failures, 0);
}
END_TEST

START_TEST(one_interface_gets_no_tag)
{
	attach(WLAN, 1, only_p1, NULL);
	mag_engine_flush(h.e);
	ck_assert_uint_eq(m_tags(&h), 0);
	ck_assert_uint_eq(h.tag_adds, 0);
}
END_TEST

/* An MN that is not multihoming: each entry knows its own prefix alone, so a tag's table could
 * not take a flow to the other's; no tag (the LMA gives none to a binding without MuHo). */
START_TEST(two_interfaces_of_a_single_homed_mn_get_no_tag)
{
	attach(WLAN, 9, only_p1, NULL);
	attach(EXT, 10, only_p2, NULL);
	mag_engine_flush(h.e);
	registered(2);
	ck_assert_uint_eq(m_tags(&h), 0);
	ck_assert_uint_eq(h.tag_adds, 0);
}
END_TEST

/* Either interface going takes both tags away; its return brings them back. */
START_TEST(losing_an_interface_removes_both_tags)
{
	lose_one_of_two(EXT);
	ck_assert_uint_eq(m_tags(&h), 0);
	mag_engine_link(h.e, EXT, true, &h.now);
	m_pba(&h, 0, only_p2, only_p1);
	mag_engine_flush(h.e);
	ck_assert_uint_eq(m_tags(&h), 2);
	tag_routes(2, 7, EXT);
}
END_TEST

START_TEST(refused_tags_are_counted)
{
	h.fail_tags = true;
	attach_two_here();
	ck_assert_uint_eq(m_tags(&h), 0);
	/* each asked at every flush after a change of the entries, refused each time */
	ck_assert_uint_ge(mag_engine_stats(h.e)->tag_failures, 2);
	registered(2); /* the entries stand */
	h.fail_tags = false;
}
END_TEST

START_TEST(driver_without_tags_is_no_failure)
{
	h.tags_unsupported = true;
	attach_two_here();
	ck_assert_uint_eq(m_tags(&h), 0);
	ck_assert_uint_eq(mag_engine_stats(h.e)->tag_failures, 0);
}
END_TEST

static Suite *mag_suite(void)
{
	Suite *s = suite_create("mag_engine");
	TCase *pbu = tcase_create("pbu");
	TCase *acc = tcase_create("accept");
	TCase *val = tcase_create("validation");
	TCase *tim = tcase_create("timers");
	TCase *sts = tcase_create("status");
	TCase *upd = tcase_create("upn");
	TCase *der = tcase_create("dereg");
	TCase *rev = tcase_create("revocation");
	TCase *two = tcase_create("same_mag");
	TCase *all[] = { pbu, acc, val, tim, sts, upd, der, rev, two };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(two, two_interfaces_here_get_a_tag_each);
	tcase_add_test(two, one_interface_gets_no_tag);
	tcase_add_test(two, two_interfaces_of_a_single_homed_mn_get_no_tag);
	tcase_add_test(two, losing_an_interface_removes_both_tags);
	tcase_add_test(two, refused_tags_are_counted);
	tcase_add_test(two, driver_without_tags_is_no_failure);
	tcase_add_test(pbu, router_solicitation_sends_a_pbu);
	tcase_add_test(pbu, access_technology_is_the_links);
	tcase_add_test(pbu, single_homed_mn_sends_no_muho_option);
	tcase_add_test(pbu, unknown_mac_and_foreign_link_are_counted);
	tcase_add_test(acc, acceptance_installs_routes_rules_and_advertises);
	tcase_add_test(acc, solicited_and_periodic_advertisements);
	tcase_add_test(acc, one_tunnel_for_all_mns);
	tcase_add_test(val, pba_must_match_the_outstanding_pbu);
	tcase_add_test(val, differing_echoes_hold_the_entry);
	tcase_add_test(val, pba_without_link_layer_echo_matches_on_mn_id);
	tcase_add_test(val, accepting_pba_without_a_prefix_is_retried);
	tcase_add_test(val, status_135_continues_from_the_lma_sequence_number);
	tcase_add_test(val, accepting_pba_with_another_timestamp_is_ignored);
	tcase_add_test(tim, retransmission_backs_off_with_fresh_timestamps);
	tcase_add_test(tim, retransmission_goes_on_until_an_answer);
	tcase_add_test(tim, refresh_before_the_lifetime_runs_out);
	tcase_add_test(tim, unanswered_refresh_removes_the_routes_at_expiry);
	tcase_add_test(sts, status_155_asks_for_a_new_prefix);
	tcase_add_test(sts, status_157_retries_at_once);
	tcase_add_test(sts, status_156_waits_for_the_timer);
	tcase_add_test(sts, status_156_waits_for_a_synchronised_clock);
	tcase_add_test(sts, status_152_denies_service);
	tcase_add_test(sts, other_rejections_hold_then_retry);
	tcase_add_test(sts, rejected_refresh_removes_everything);
	tcase_add_test(upd, notification_updates_routes_and_is_acknowledged);
	tcase_add_test(upd, notification_for_an_unknown_mn);
	tcase_add_test(upd, notification_with_d_flag_is_a_retransmission);
	tcase_add_test(upd, retransmitted_force_reregistration_is_applied_once);
	tcase_add_test(upd, heartbeat_request_is_answered_with_the_restart_counter);
	tcase_add_test(upd, unknown_type_gets_a_rate_limited_binding_error);
	tcase_add_test(upd, the_binding_error_rate_is_configured);
	tcase_add_test(der, carrier_loss_deregisters_at_once);
	tcase_add_test(der, carrier_back_reattaches_on_a_point_to_point_link);
	tcase_add_test(der, last_entry_takes_the_tunnel_with_it);
	tcase_add_test(der, unanswered_deregistration_ends_after_the_tries);
	tcase_add_test(der, mn_coming_back_keeps_its_prefix);
	tcase_add_test(der, mn_back_after_acknowledged_deregistration);
	tcase_add_test(der, refused_route_gives_the_entry_up);
	tcase_add_test(der, exit_deregisters_and_cleans_up);
	tcase_add_test(der, leaving_deregisters_with_retries_and_ignores_new_mns);
	tcase_add_test(der, binding_file_lines);
	tcase_add_test(der, saved_mn_is_registered_again_by_the_next_engine);
	tcase_add_test(der, orderly_exit_leaves_an_empty_binding_file);
	tcase_add_test(rev, revocation_tears_down_every_entry_of_the_mn);
	tcase_add_test(rev, revoked_mn_registers_afresh);
	tcase_add_test(rev, unmatched_revocation_gets_its_status);
	tcase_add_test(rev, global_revocation_takes_every_mn);
	tcase_add_test(rev, stray_revocation_messages_are_dropped);
	tcase_add_test(two, two_interfaces_here_each_own_their_routes);
	tcase_add_test(two, losing_the_second_interface_leaves_the_first_its_routes);
	tcase_add_test(two, losing_the_first_interface_leaves_the_second_its_routes);
	tcase_add_test(two, returning_interface_takes_its_prefix_back);
	return s;
}

CHECK_MAIN(mag_suite)
