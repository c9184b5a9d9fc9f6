/* test_mag_conf.c: magd.conf(5) (mag/mag_conf.c over the lexer of common/cfgparse.c, which
 * tests/lma/test_lma_conf.c covers): every keyword and default, one test per error class with
 * its exact "file:line: message", the lookups by MAC, MN-ID and access interface, the golden
 * printouts of tests/mag/conf/ (each .conf prints as its .ok, and the printout parses back to
 * itself), 20,000 MNs, and random garbage, token soup, mutations and truncations that may only
 * ever give an error, never a crash. */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mag/mag_conf.h"

#ifndef CONF_DIR_DEFAULT
#define CONF_DIR_DEFAULT "tests/mag/conf"
#endif

/* Lines 1-5 of most inputs below; a test's own statements start on line 6. */
#define BASE                                                                                       \
	"lma-address 2001:db8:ffff::100\n"                                                         \
	"proxy-coa 2001:db8:ffff::1\n"                                                             \
	"uplink-interface eth0\n"                                                                  \
	"access-interface wlan0\n"                                                                 \
	"mn mn1@example.org { mac 02:00:00:00:00:01 }\n"
/* The same without an mn (line 5 is a comment). */
#define BASE_NOMN                                                                                  \
	"lma-address 2001:db8:ffff::100\n"                                                         \
	"proxy-coa 2001:db8:ffff::1\n"                                                             \
	"uplink-interface eth0\n"                                                                  \
	"access-interface wlan0\n"                                                                 \
	"# no mn\n"

/* --- helpers, and the tests both grammars share (tests/conf_test.h) --- */

#define CONF mag_conf
#include "tests/conf_test.h"

static const uint8_t *mac_of(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f)
{
	static uint8_t mac[6];

	mac[0] = a, mac[1] = b, mac[2] = c, mac[3] = d, mac[4] = e, mac[5] = f;
	return mac;
}

/* --- keywords and defaults --- */

START_TEST(defaults)
{
	struct mag_conf *c = parse_ok(BASE);
	const struct mag_conf_access *a;
	const struct mag_conf_mn *mn;

	ck_assert(addr_is(&c->lma_addr, "2001:db8:ffff::100"));
	ck_assert(addr_is(&c->proxy_coa, "2001:db8:ffff::1"));
	ck_assert(addr_is(&c->link_local, "fe80::1"));
	ck_assert_str_eq(c->uplink, "eth0");
	ck_assert_int_eq(c->driver, KR_DRIVER_AUTO);
	ck_assert_uint_eq(c->table_base, 2000);
	ck_assert_uint_eq(c->rule_priority, 1000);
	ck_assert_uint_eq(c->muho_type, 18);
	ck_assert_uint_eq(c->lifetime_s, 600);
	ck_assert_uint_eq(c->refresh_margin_s, 30);
	ck_assert_uint_eq(c->retransmit_initial_ms, 1000);
	ck_assert_uint_eq(c->retransmit_max_ms, 32000);
	ck_assert_uint_eq(c->retransmit_tries, 0); /* unlimited: RFC 5213 §6.9.4 (it was 6) */
	ck_assert_uint_eq(c->ra_interval_ms, 10000);
	ck_assert_uint_eq(c->ra_router_lifetime_s, 1800);
	ck_assert_uint_eq(c->ra_mtu, 1280);
	ck_assert_str_eq(c->ctl_path, "/run/pmip6/magd.sock");
	ck_assert_str_eq(c->ctl_group, "root");
	ck_assert_uint_eq(c->n_access, 1);
	a = TAILQ_FIRST(&c->access);
	ck_assert_str_eq(a->ifname, "wlan0");
	ck_assert_uint_eq(a->att, 4);
	ck_assert_uint_eq(a->line, 4);
	ck_assert_uint_eq(c->n_mns, 1);
	mn = TAILQ_FIRST(&c->mns);
	ck_assert_str_eq(mn->id, "mn1@example.org");
	ck_assert_uint_eq(mn->n_macs, 1);
	ck_assert_mem_eq(mn->macs[0], mac_of(2, 0, 0, 0, 0, 1), 6);
	ck_assert(!mn->multihoming);
	ck_assert_uint_eq(mn->line, 5);
	mag_conf_free(c);
}
END_TEST

START_TEST(every_keyword)
{
	struct mag_conf *c = parse_ok("lma-address 2001:db8:ffff::100\n"
	                              "proxy-coa 2001:db8:ffff::1\n"
	                              "uplink-interface veth-mag0\n"
	                              "link-local-address fe80::cafe\n"
	                              "tunnel-driver seg6\n"
	                              "table-base 5000\n"
	                              "rule-priority 200\n"
	                              "muho-option-type 201\n"
	                              "lifetime 2m\n"
	                              "refresh-before 59s\n"
	                              "retransmit tries 3 max 10s initial 250ms\n"
	                              "ra-interval 1.5s\n"
	                              "ra-mtu 1400\n"
	                              "ra-router-lifetime 0s\n"
	                              "control-socket \"/tmp/a b/magd.sock\"\n"
	                              "control-group daemon\n"
	                              "access-interface wlan0 { access-technology 13 }\n"
	                              "access-interface eth1\n"
	                              "mn m1@x { mac 02:00:00:00:00:01 mac 0A:bC:00:00:00:02 "
	                              "multihoming yes }\n"
	                              "mn m2@x { multihoming no mac 02:00:00:00:01:01 }\n");
	const struct mag_conf_access *a;
	const struct mag_conf_mn *mn;

	ck_assert_str_eq(c->uplink, "veth-mag0");
	ck_assert(addr_is(&c->link_local, "fe80::cafe"));
	ck_assert_int_eq(c->driver, KR_DRIVER_SEG6);
	ck_assert_uint_eq(c->table_base, 5000);
	ck_assert_uint_eq(c->rule_priority, 200);
	ck_assert_uint_eq(c->muho_type, 201);
	ck_assert_uint_eq(c->lifetime_s, 120);
	ck_assert_uint_eq(c->refresh_margin_s, 59);
	ck_assert_uint_eq(c->retransmit_initial_ms, 250);
	ck_assert_uint_eq(c->retransmit_max_ms, 10000);
	ck_assert_uint_eq(c->retransmit_tries, 3);
	ck_assert_uint_eq(c->ra_interval_ms, 1500);
	ck_assert_uint_eq(c->ra_mtu, 1400);
	ck_assert_uint_eq(c->ra_router_lifetime_s, 0);
	ck_assert_str_eq(c->ctl_path, "/tmp/a b/magd.sock");
	ck_assert_str_eq(c->ctl_group, "daemon");
	ck_assert_uint_eq(c->n_access, 2);
	a = mag_conf_find_access(c, "wlan0");
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->att, 13);
	a = mag_conf_find_access(c, "eth1");
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->att, 4);
	ck_assert_uint_eq(c->n_mns, 2);
	mn = mag_conf_find_mn(c, "m1@x");
	ck_assert_ptr_nonnull(mn);
	ck_assert_uint_eq(mn->n_macs, 2);
	ck_assert_mem_eq(mn->macs[1], mac_of(0x0a, 0xbc, 0, 0, 0, 2), 6);
	ck_assert(mn->multihoming);
	mn = mag_conf_find_mn(c, "m2@x");
	ck_assert_ptr_nonnull(mn);
	ck_assert(!mn->multihoming);
	free(check_reprint(c, "every_keyword"));
	mag_conf_free(c);
	c = parse_ok(BASE "tunnel-driver ip6tnl\naccess-interface x { access-technology 1 }\n"
	                  "access-interface y { access-technology 255 attach-on-link-up yes }\n");
	ck_assert_int_eq(c->driver, KR_DRIVER_IP6TNL);
	ck_assert_uint_eq(mag_conf_find_access(c, "x")->att, 1);
	ck_assert(!mag_conf_find_access(c, "x")->attach_on_link_up);
	ck_assert_uint_eq(mag_conf_find_access(c, "y")->att, 255);
	ck_assert(mag_conf_find_access(c, "y")->attach_on_link_up);
	free(check_reprint(c, "attach_on_link_up"));
	mag_conf_free(c);
}
END_TEST

/* "retransmit tries unlimited" is the default, and prints so. */
START_TEST(retransmit_tries_unlimited)
{
	struct mag_conf *c = parse_ok(BASE "retransmit tries 4 max 8s\n");
	char *text;

	ck_assert_uint_eq(c->retransmit_tries, 4);
	mag_conf_free(c);
	c = parse_ok(BASE "retransmit tries unlimited\n");
	ck_assert_uint_eq(c->retransmit_tries, 0);
	text = check_reprint(c, "unlimited");
	ck_assert_ptr_nonnull(strstr(text, "tries unlimited\n"));
	free(text);
	mag_conf_free(c);
}
END_TEST

START_TEST(durations)
{
	static const struct {
		const char *stmt;
		size_t off;
		uint32_t v;
	} cases[] = {
		{ "lifetime 4s\nrefresh-before 1s", offsetof(struct mag_conf, lifetime_s), 4 },
		{ "lifetime 262140s", offsetof(struct mag_conf, lifetime_s), 262140 },
		{ "lifetime 0.2m\nrefresh-before 5s", offsetof(struct mag_conf, lifetime_s), 12 },
		{ "lifetime 8000ms\nrefresh-before 3s", offsetof(struct mag_conf, lifetime_s), 8 },
		{ "refresh-before 1s", offsetof(struct mag_conf, refresh_margin_s), 1 },
		{ "refresh-before 1.5m", offsetof(struct mag_conf, refresh_margin_s), 90 },
		{ "ra-interval 1s", offsetof(struct mag_conf, ra_interval_ms), 1000 },
		{ "ra-interval 1800s", offsetof(struct mag_conf, ra_interval_ms), 1800000 },
		{ "ra-interval 2500ms", offsetof(struct mag_conf, ra_interval_ms), 2500 },
		{ "ra-router-lifetime 9000s", offsetof(struct mag_conf, ra_router_lifetime_s),
		  9000 },
		{ "ra-router-lifetime 10s", offsetof(struct mag_conf, ra_router_lifetime_s), 10 },
		{ "ra-router-lifetime 150m", offsetof(struct mag_conf, ra_router_lifetime_s),
		  9000 },
	};
	char text[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mag_conf *c;
		uint32_t v;

		snprintf(text, sizeof(text), BASE "%s\n", cases[i].stmt);
		c = parse_ok(text);
		memcpy(&v, (char *)c + cases[i].off, sizeof(v));
		ck_assert_msg(v == cases[i].v, "%s gave %u", cases[i].stmt, (unsigned)v);
		free(check_reprint(c, cases[i].stmt));
		mag_conf_free(c);
	}
}
END_TEST

START_TEST(layout_is_free_within_blocks)
{
	struct mag_conf *c = parse_ok("# comment first\r\n"
	                              "\tmn a@x {\n"
	                              "  mac 02:00:00:00:00:01 mac 02:00:00:00:00:02\n"
	                              "\n"
	                              "  # inside\n"
	                              "  multihoming yes }\n"
	                              "mn \"b#1@x\"{mac 02:00:00:00:00:03}\n"
	                              "access-interface wlan0 { }\n"
	                              "access-interface \"wl{1}\" {\naccess-technology 5\n}\n"
	                              "uplink-interface eth0   # trailing\r\n"
	                              "proxy-coa 2001:DB8:FFFF:0::1\n"
	                              "lma-address 2001:0db8:ffff::0100\n");
	const struct mag_conf_mn *a = mag_conf_find_mn(c, "a@x");
	char *p;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->n_macs, 2);
	ck_assert(a->multihoming);
	ck_assert_ptr_nonnull(mag_conf_find_mn(c, "b#1@x"));
	ck_assert_uint_eq(mag_conf_find_access(c, "wlan0")->att, 4);
	ck_assert_uint_eq(mag_conf_find_access(c, "wl{1}")->att, 5);
	p = check_reprint(c, "layout");
	ck_assert_ptr_nonnull(strstr(p, "lma-address 2001:db8:ffff::100\n"
	                                "proxy-coa 2001:db8:ffff::1\n"));
	ck_assert_ptr_nonnull(strstr(p, "access-interface \"wl{1}\" {\n\taccess-technology 5\n"
	                                "\tattach-on-link-up no\n}\n"));
	ck_assert_ptr_nonnull(
	        strstr(p, "mn \"b#1@x\" {\n\tmac 02:00:00:00:00:03\n\tmultihoming no\n}\n"));
	free(p);
	mag_conf_free(c);
}
END_TEST

START_TEST(lookups)
{
	struct mag_conf *c =
	        parse_ok(BASE "mn m2@x { mac 02:00:00:00:00:02 mac 06:ab:cd:ef:01:23 }\n"
	                      "mn m3@x { mac 02:00:00:00:00:03 multihoming yes }\n"
	                      "access-interface eth1\n");
	const struct mag_conf_mn *m1 = mag_conf_find_mn(c, "mn1@example.org");
	const struct mag_conf_mn *m2 = mag_conf_find_mn(c, "m2@x");
	const struct mag_conf_mn *m3 = mag_conf_find_mn(c, "m3@x");

	ck_assert_ptr_nonnull(m1);
	ck_assert_ptr_nonnull(m2);
	ck_assert_ptr_nonnull(m3);
	ck_assert_str_eq(m2->id, "m2@x");
	ck_assert_ptr_null(mag_conf_find_mn(c, "m4@x"));
	ck_assert_ptr_null(mag_conf_find_mn(c, "M2@x")); /* identifiers are case-sensitive */
	ck_assert_ptr_null(mag_conf_find_mn(c, ""));
	ck_assert_ptr_eq(mag_conf_find_mac(c, mac_of(2, 0, 0, 0, 0, 1)), m1);
	ck_assert_ptr_eq(mag_conf_find_mac(c, mac_of(2, 0, 0, 0, 0, 2)), m2);
	ck_assert_ptr_eq(mag_conf_find_mac(c, mac_of(6, 0xab, 0xcd, 0xef, 1, 0x23)), m2);
	ck_assert_ptr_eq(mag_conf_find_mac(c, mac_of(2, 0, 0, 0, 0, 3)), m3);
	ck_assert_ptr_null(mag_conf_find_mac(c, mac_of(2, 0, 0, 0, 0, 4)));
	ck_assert_ptr_null(mag_conf_find_mac(c, mac_of(0, 0, 0, 0, 0, 0)));
	ck_assert_ptr_null(mag_conf_find_mac(c, mac_of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
	ck_assert_ptr_nonnull(mag_conf_find_access(c, "wlan0"));
	ck_assert_ptr_nonnull(mag_conf_find_access(c, "eth1"));
	ck_assert_ptr_null(mag_conf_find_access(c, "eth0")); /* the uplink */
	ck_assert_ptr_null(mag_conf_find_access(c, "wlan"));
	mag_conf_free(c);
}
END_TEST

/* --- errors, one test per class --- */

START_TEST(error_unknown_keyword)
{
	expect_error(BASE "frobnicate 1\n", "t.conf:6: unknown keyword \"frobnicate\"");
	expect_error(BASE "binding-error-rate 3 burst 2\n",
	             "t.conf:6: binding-error-rate burst: 2 is out of range (3..1000000)");
	expect_error(BASE "binding-error-rate many\n",
	             "t.conf:6: binding-error-rate: \"many\" is not a number");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 prefix 2001:db8:1::/64 }\n",
	             "t.conf:6: unknown keyword \"prefix\" in mn block");
	expect_error(BASE "access-interface eth1 { att 4 }\n",
	             "t.conf:6: unknown keyword \"att\" in access-interface block");
	expect_error(BASE "access-interface eth1 { mac 02:00:00:00:00:09 }\n",
	             "t.conf:6: unknown keyword \"mac\" in access-interface block");
	expect_error(BASE "retransmit every 1s\n",
	             "t.conf:6: retransmit: \"every\" is not one of initial, max, tries");
	expect_error(BASE "\"proxy-coa\" ::1\n", "t.conf:6: unexpected \"proxy-coa\"");
	expect_error(BASE "mag 2001:db8:ffff::1\n", "t.conf:6: unknown keyword \"mag\"");
}
END_TEST

START_TEST(error_missing_value)
{
	expect_error(BASE "table-base\n", "t.conf:6: table-base: missing value");
	expect_error(BASE "lifetime", "t.conf:6: lifetime: missing value");
	expect_error(BASE "mn a@x { mac }\n", "t.conf:6: mac: missing value");
	expect_error(BASE "mn a@x { mac\n02:00:00:00:00:09 }\n", "t.conf:6: mac: missing value");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 multihoming }\n",
	             "t.conf:6: multihoming: missing value");
	expect_error(BASE "access-interface eth1 { access-technology }\n",
	             "t.conf:6: access-technology: missing value");
	expect_error(BASE "access-interface eth1 { attach-on-link-up }\n",
	             "t.conf:6: attach-on-link-up: missing value");
	expect_error(BASE "retransmit\n", "t.conf:6: retransmit: missing value");
	expect_error(BASE "retransmit max\n", "t.conf:6: retransmit max: missing value");
	expect_error(BASE "mn\n", "t.conf:6: mn: missing value");
	expect_error(BASE "access-interface {\n", "t.conf:6: access-interface: missing value");
	expect_error(BASE "link-local-address\n", "t.conf:6: link-local-address: missing value");
}
END_TEST

START_TEST(error_bad_address)
{
	expect_error("lma-address 192.0.2.1\n",
	             "t.conf:1: lma-address: \"192.0.2.1\" is not an IPv6 address");
	expect_error("proxy-coa 2001:db8::zz\n",
	             "t.conf:1: proxy-coa: \"2001:db8::zz\" is not an IPv6 address");
	expect_error("lma-address ::\n", "t.conf:1: lma-address: :: is not a unicast address");
	expect_error("proxy-coa ff05::2\n",
	             "t.conf:1: proxy-coa: ff05::2 is not a unicast address");
	expect_error("lma-address fe80::100\n",
	             "t.conf:1: lma-address: fe80::100 is a link-local address");
	expect_error("proxy-coa febf::1\n", "t.conf:1: proxy-coa: febf::1 is a link-local address");
	/* the rule lmad applies to the same addresses (cfg_check_routable) */
	expect_error("lma-address ::ffff:192.0.2.1\n",
	             "t.conf:1: lma-address: ::ffff:192.0.2.1 is an IPv4-mapped address");
	expect_error("proxy-coa ::ffff:192.0.2.2\n",
	             "t.conf:1: proxy-coa: ::ffff:192.0.2.2 is an IPv4-mapped address");
	expect_error("proxy-coa fe80::1%eth0\n",
	             "t.conf:1: proxy-coa: \"fe80::1%eth0\" is not an IPv6 address");
	expect_error(BASE "link-local-address 2001:db8::1\n",
	             "t.conf:6: link-local-address: 2001:db8::1 is not a link-local address "
	             "(fe80::/10)");
	expect_error(BASE "link-local-address fec0::1\n",
	             "t.conf:6: link-local-address: fec0::1 is not a link-local address "
	             "(fe80::/10)");
	expect_error(BASE "link-local-address ::\n",
	             "t.conf:6: link-local-address: :: is not a link-local address (fe80::/10)");
	expect_error("proxy-coa 2001:db8:ffff:0::100\n" BASE,
	             "t.conf:3: proxy-coa is already set on line 1"); /* BASE's own */
	expect_error("lma-address 2001:db8:ffff::100\n"
	             "uplink-interface eth0\n"
	             "access-interface wlan0\n"
	             "mn mn1@example.org { mac 02:00:00:00:00:01 }\n"
	             "proxy-coa 2001:db8:ffff:0:0:0:0:100\n",
	             "t.conf:5: proxy-coa 2001:db8:ffff::100 is the lma-address");
	/* other link-local addresses of fe80::/10 are accepted */
	mag_conf_free(parse_ok(BASE "link-local-address febf:ffff::1\n"));
}
END_TEST

START_TEST(error_mac)
{
	static const char *const bad[] = {
		"02:00:00:00:00",    "02:00:00:00:00:01:02",  "02-00-00-00-00-01",  "2:0:0:0:0:1",
		"02:00:00:00:00:0g", "0200.0000.0001",        "02:00:00:00:00:001", "::",
		"02:00:00:00:00:1",  "\"02:00:00:00:00: 1\"",
	};
	char text[512], want[512], q[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *s = bad[i];

		snprintf(text, sizeof(text), BASE "mn a@x { mac %s }\n", s);
		if (s[0] == '"') /* the quoted word, as quoted in the message */
			snprintf(q, sizeof(q), "%s", s);
		else
			snprintf(q, sizeof(q), "\"%s\"", s);
		snprintf(want, sizeof(want),
		         "t.conf:6: mac: %s is not a MAC address (like 02:00:00:00:00:01)", q);
		expect_error(text, want);
	}
	expect_error(BASE "mn a@x { mac 01:00:5E:00:00:01 }\n",
	             "t.conf:6: mac: 01:00:5e:00:00:01 is a multicast address");
	expect_error(BASE "mn a@x { mac ff:ff:ff:ff:ff:ff }\n",
	             "t.conf:6: mac: ff:ff:ff:ff:ff:ff is a multicast address");
	expect_error(BASE "mn a@x { mac 33:33:00:00:00:01 }\n",
	             "t.conf:6: mac: 33:33:00:00:00:01 is a multicast address");
	expect_error(BASE "mn a@x { mac 00:00:00:00:00:00 }\n",
	             "t.conf:6: mac: 00:00:00:00:00:00 is the all-zero address");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:11 mac 02:00:00:00:00:12 "
	                  "mac 02:00:00:00:00:13 mac 02:00:00:00:00:14 mac 02:00:00:00:00:15 "
	                  "mac 02:00:00:00:00:16 mac 02:00:00:00:00:17 mac 02:00:00:00:00:18 "
	                  "mac 02:00:00:00:00:19 }\n",
	             "t.conf:6: mn a@x: more than 8 mac addresses");
	expect_error(BASE "mn a@x\n",
	             "t.conf:6: mn a@x has no mac address (an MN is recognised by its MACs)");
	expect_error(BASE "mn a@x { multihoming yes\n}\n",
	             "t.conf:6: mn a@x has no mac address (an MN is recognised by its MACs)");
	/* eight is fine, and a universally administered (OUI) address too */
	mag_conf_free(parse_ok(BASE "mn a@x { mac 02:00:00:00:00:11 mac 02:00:00:00:00:12 "
	                            "mac 02:00:00:00:00:13 mac 02:00:00:00:00:14 "
	                            "mac 02:00:00:00:00:15 mac 02:00:00:00:00:16 "
	                            "mac 02:00:00:00:00:17 mac 00:1b:21:aa:bb:cc }\n"));
}
END_TEST

/* The control socket's limits (common/ctl.h): defaults, values, bounds. */
START_TEST(control_limits)
{
	struct mag_conf *c = parse_ok(BASE);

	ck_assert_uint_eq(c->ctl_max_clients, 64);
	ck_assert_uint_eq(c->ctl_idle_ms, 60000);
	mag_conf_free(c);
	c = parse_ok(BASE "control-max-clients 4096\ncontrol-idle-timeout 1s\n");
	ck_assert_uint_eq(c->ctl_max_clients, 4096);
	ck_assert_uint_eq(c->ctl_idle_ms, 1000);
	free(check_reprint(c, "control_limits"));
	mag_conf_free(c);
	expect_error(BASE "control-max-clients 0\n",
	             "t.conf:6: control-max-clients: 0 is out of range (1..4096)");
	expect_error(BASE "control-idle-timeout 999ms\n",
	             "t.conf:6: control-idle-timeout: 999ms is out of range (1s..86400s)");
}
END_TEST

START_TEST(error_number_range)
{
	expect_error(BASE "table-base 5\n",
	             "t.conf:6: table-base: 5 is out of range (256..4294959103)");
	expect_error(BASE "table-base 99999999999999999999999999\n",
	             "t.conf:6: table-base: 99999999999999999999999999 is out of range "
	             "(256..4294959103)");
	expect_error(BASE "table-base -1\n", "t.conf:6: table-base: \"-1\" is not a number");
	expect_error(BASE "rule-priority 0\n",
	             "t.conf:6: rule-priority: 0 is out of range (1..32763)");
	expect_error(BASE "rule-priority 32764\n",
	             "t.conf:6: rule-priority: 32764 is out of range (1..32763)");
	expect_error(BASE "retransmit tries 0\n",
	             "t.conf:6: retransmit tries: 0 is out of range (1..255)");
	expect_error(BASE "ra-mtu 1279\n", "t.conf:6: ra-mtu: 1279 is out of range (1280..65535)");
	expect_error(BASE "access-interface eth1 { access-technology 0 }\n",
	             "t.conf:6: access-technology: 0 is out of range (1..255)");
	expect_error(BASE "access-interface eth1 { access-technology 256 }\n",
	             "t.conf:6: access-technology: 256 is out of range (1..255)");
	expect_error(BASE "access-interface eth1 { access-technology wifi }\n",
	             "t.conf:6: access-technology: \"wifi\" is not a number");
	expect_error(BASE "table-base 2000 3000\n", "t.conf:6: table-base: unexpected \"3000\"");
}
END_TEST

START_TEST(error_duration)
{
	expect_error(BASE "lifetime 600\n", "t.conf:6: lifetime: \"600\" has no unit (ms, s or m)");
	expect_error(BASE "lifetime 6s\n", "t.conf:6: lifetime: 6s is not a multiple of 4s");
	expect_error(BASE "lifetime 4500ms\n",
	             "t.conf:6: lifetime: 4500ms is not a multiple of 4s");
	expect_error(BASE "lifetime 0s\n", "t.conf:6: lifetime: 0s is out of range (4s..262140s)");
	expect_error(BASE "lifetime 262144s\n",
	             "t.conf:6: lifetime: 262144s is out of range (4s..262140s)");
	expect_error(BASE "refresh-before 0s\n",
	             "t.conf:6: refresh-before: 0s is out of range (1s..131070s)");
	expect_error(BASE "refresh-before 1500ms\n",
	             "t.conf:6: refresh-before: 1500ms is not a whole number of seconds");
	expect_error(BASE "ra-interval 999ms\n",
	             "t.conf:6: ra-interval: 999ms is out of range (1s..1800s)");
	expect_error(BASE "ra-interval 31m\n",
	             "t.conf:6: ra-interval: 31m is out of range (1s..1800s)");
	expect_error(BASE "ra-router-lifetime 9001s\n",
	             "t.conf:6: ra-router-lifetime: 9001s is out of range (0s..9000s)");
	expect_error(BASE "ra-router-lifetime 10.5s\n",
	             "t.conf:6: ra-router-lifetime: 10500ms is not a whole number of seconds");
	expect_error(BASE "retransmit initial 0ms\n",
	             "t.conf:6: retransmit initial: 0ms is out of range (1ms..3600s)");
	expect_error(BASE "retransmit max 2h\n",
	             "t.conf:6: retransmit max: \"2h\" has an unknown unit (ms, s or m)");
}
END_TEST

START_TEST(error_relations)
{
	expect_error(BASE "retransmit initial 2s max 1s\n",
	             "t.conf:6: retransmit: max 1s is less than initial 2s");
	expect_error(BASE "retransmit initial 2m\n",
	             "t.conf:6: retransmit: max 32s is less than initial 120s");
	expect_error(BASE "lifetime 40s\nrefresh-before 20s\n",
	             "t.conf:7: refresh-before 20s must be less than half the lifetime (40s)");
	expect_error(BASE "refresh-before 20s\n\nlifetime 40s\n",
	             "t.conf:8: refresh-before 20s must be less than half the lifetime (40s)");
	expect_error(BASE "lifetime 60s\n",
	             "t.conf:6: refresh-before 30s (the default) must be less than half the "
	             "lifetime (60s)");
	expect_error(BASE "refresh-before 300s\n",
	             "t.conf:6: refresh-before 300s must be less than half the lifetime (600s)");
	expect_error(BASE "ra-router-lifetime 5s\n",
	             "t.conf:6: ra-router-lifetime 5s is less than ra-interval 10s (it must be 0 "
	             "or at least the interval, RFC 4861 6.2.1)");
	expect_error(BASE "ra-router-lifetime 10s\nra-interval 10.5s\n",
	             "t.conf:7: ra-router-lifetime 10s is less than ra-interval 10500ms (it must "
	             "be 0 or at least the interval, RFC 4861 6.2.1)");
	/* the boundaries themselves */
	mag_conf_free(parse_ok(BASE "lifetime 64s\nrefresh-before 31s\n"));
	mag_conf_free(parse_ok(BASE "lifetime 4s\nrefresh-before 1s\n"));
	mag_conf_free(parse_ok(BASE "ra-router-lifetime 10s\nra-interval 10s\n"));
	mag_conf_free(parse_ok(BASE "ra-router-lifetime 0s\nra-interval 30m\n"));
	mag_conf_free(parse_ok(BASE "retransmit initial 5s max 5s\n"));
}
END_TEST

START_TEST(error_unbalanced_braces)
{
	expect_error(BASE "}\n", "t.conf:6: unexpected \"}\"");
	expect_error(BASE "{\n", "t.conf:6: unexpected \"{\"");
	expect_error(BASE "mn a@x {\n mac 02:00:00:00:00:09\n\n",
	             "t.conf:6: \"{\" is never closed");
	expect_error(BASE "access-interface eth1 { access-technology 4 { }\n",
	             "t.conf:6: unexpected \"{\"");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 { } }\n", "t.conf:6: unexpected \"{\"");
	expect_error(BASE "mn a@x\n{ mac 02:00:00:00:00:09 }\n", "t.conf:7: unexpected \"{\"");
	expect_error(BASE "access-interface eth1\n{ access-technology 4 }\n",
	             "t.conf:7: unexpected \"{\"");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 } }\n", "t.conf:6: mn: unexpected \"}\"");
	expect_error(BASE "access-interface eth1 { } extra\n",
	             "t.conf:6: access-interface: unexpected \"extra\"");
	expect_error(BASE "lma-address { }\n", "t.conf:6: lma-address is already set on line 1");
	expect_error(BASE "tunnel-driver { }\n", "t.conf:6: tunnel-driver: missing value");
}
END_TEST

START_TEST(error_duplicates)
{
	expect_error(BASE "uplink-interface eth1\n",
	             "t.conf:6: uplink-interface is already set on line 3");
	expect_error(BASE "lifetime 8s\nlifetime 8s\n",
	             "t.conf:7: lifetime is already set on line 6");
	expect_error(BASE "retransmit tries 3\nretransmit max 2s\n",
	             "t.conf:7: retransmit is already set on line 6");
	expect_error(BASE "access-interface wlan0\n",
	             "t.conf:6: access-interface wlan0 is already defined on line 4");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 }\n\nmn a@x { mac 02:00:00:00:00:0a }\n",
	             "t.conf:8: mn a@x is already defined on line 6");
	expect_error(BASE "mn mn1@example.org { mac 02:00:00:00:00:09 }\n",
	             "t.conf:6: mn mn1@example.org is already defined on line 5");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09\n mac 02:00:00:00:00:09 }\n",
	             "t.conf:7: mn a@x: mac 02:00:00:00:00:09 is listed twice");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 mac 02:00:00:00:00:0A }\n"
	                  "mn b@x { mac 02:00:00:00:00:0b\n\tmac 02:00:00:00:00:0a }\n",
	             "t.conf:8: mn b@x: mac 02:00:00:00:00:0a is already mn a@x's (line 6)");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:01 }\n",
	             "t.conf:6: mn a@x: mac 02:00:00:00:00:01 is already mn mn1@example.org's "
	             "(line 5)");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 multihoming yes multihoming no }\n",
	             "t.conf:6: mn a@x: multihoming is given twice");
	expect_error(BASE "access-interface eth1 { access-technology 4\naccess-technology 5 }\n",
	             "t.conf:7: access-interface eth1: access-technology is given twice");
	expect_error(BASE "retransmit tries 3 tries 4\n",
	             "t.conf:6: retransmit: tries is given twice");
}
END_TEST

START_TEST(error_uplink_as_access)
{
	expect_error(BASE "access-interface eth0\n",
	             "t.conf:6: access-interface eth0 is the uplink-interface");
	expect_error("access-interface up0 { access-technology 3 }\n"
	             "lma-address 2001:db8:ffff::100\n"
	             "proxy-coa 2001:db8:ffff::1\n"
	             "mn mn1@example.org { mac 02:00:00:00:00:01 }\n"
	             "uplink-interface up0\n",
	             "t.conf:1: access-interface up0 is the uplink-interface");
}
END_TEST

START_TEST(error_required)
{
	expect_error("", "t.conf:1: lma-address is required");
	expect_error("# nothing\n\n", "t.conf:2: lma-address is required");
	expect_error("lma-address 2001:db8:ffff::100\n", "t.conf:1: proxy-coa is required");
	expect_error("lma-address 2001:db8:ffff::100\nproxy-coa 2001:db8:ffff::1\n",
	             "t.conf:2: uplink-interface is required");
	expect_error("lma-address 2001:db8:ffff::100\nproxy-coa 2001:db8:ffff::1\n"
	             "uplink-interface eth0\nmn mn1@example.org { mac 02:00:00:00:00:01 }\n",
	             "t.conf:4: no access link: add \"access-interface\" statements");
	expect_error(BASE_NOMN, "t.conf:5: no MN is served: add \"mn\" statements");
}
END_TEST

START_TEST(error_muho_type)
{
	expect_error(BASE "muho-option-type 22\n",
	             "t.conf:6: muho-option-type: 22 is already used by another mobility option");
	expect_error(BASE "muho-option-type 0\n",
	             "t.conf:6: muho-option-type: 0 is already used by another mobility option");
	expect_error(BASE "muho-option-type 256\n",
	             "t.conf:6: muho-option-type: 256 is out of range (0..255)");
}
END_TEST

START_TEST(error_nai)
{
	char text[700], want[700];

	expect_error(BASE "mn \"mn 1@example.org\" { mac 02:00:00:00:00:09 }\n",
	             "t.conf:6: mn: \"mn 1@example.org\" is not a valid NAI");
	expect_error(BASE "mn mn 1@example.org\n", "t.conf:6: mn: unexpected \"1@example.org\"");
	expect_error(BASE "mn \"\"\n", "t.conf:6: mn: empty MN-ID");
	expect_error(BASE "mn any { mac 02:00:00:00:00:09 }\n",
	             "t.conf:6: mn: \"any\" is not an MN-ID (magd serves the MNs it lists)");
	snprintf(text, sizeof(text), BASE "mn %0254d { mac 02:00:00:00:00:09 }\n", 0);
	expect_error(text, "t.conf:6: mn: MN-ID is longer than 253 characters");
	snprintf(text, sizeof(text), BASE "mn %0253d { mac 02:00:00:00:00:09 }\n", 0);
	mag_conf_free(parse_ok(text));
	snprintf(text, sizeof(text), BASE "mn %0253d\n", 0);
	snprintf(want, sizeof(want),
	         "t.conf:6: mn %0253d has no mac address (an MN is recognised by its MACs)", 0);
	expect_error(text, want);
}
END_TEST

START_TEST(error_lexical)
{
	expect_error(BASE "mn \"a@x\n", "t.conf:6: unterminated quoted string");
	expect_error_len(BASE "mn a\0b\n", strlen(BASE) + 7, "t.conf:6: invalid character 0x00");
	expect_error(BASE "mn a\x01"
	                  "b\n",
	             "t.conf:6: invalid character 0x01");
	mag_conf_free(parse_ok(BASE "# \x01\x7f\xff \"\n")); /* anything goes in a comment */
}
END_TEST

START_TEST(error_other_values)
{
	char text[400];

	expect_error(BASE "tunnel-driver gre\n",
	             "t.conf:6: tunnel-driver: \"gre\" is not one of auto, seg6, ip6tnl, ebpf");
	expect_error(BASE "mn a@x { mac 02:00:00:00:00:09 multihoming true }\n",
	             "t.conf:6: multihoming: \"true\" is not one of no, yes");
	expect_error(BASE "control-socket run/magd.sock\n",
	             "t.conf:6: control-socket: \"run/magd.sock\" is not an absolute path");
	snprintf(text, sizeof(text), BASE "control-socket /%0107d\n", 0);
	expect_error(text, "t.conf:6: control-socket: longer than 107 characters");
	expect_error(BASE "state-file magd.state\n",
	             "t.conf:6: state-file: \"magd.state\" is not an absolute path");
	expect_error(BASE "state-sync 0s\n",
	             "t.conf:6: state-sync: 0s is out of range (100ms..3600s)");
	expect_error(BASE "control-group \"a b\"\n",
	             "t.conf:6: control-group: \"a b\" is not a valid group name");
	expect_error(BASE "control-group -x\n",
	             "t.conf:6: control-group: \"-x\" is not a valid group name");
	expect_error(
	        BASE "control-group pmip-no-such-group\n",
	        "t.conf:6: control-group: \"pmip-no-such-group\" is not a group on this system");
	expect_error(BASE "user pmip-no-such-user\n",
	             "t.conf:6: user: \"pmip-no-such-user\" is not a user on this system");
	expect_error(BASE "user -x\n", "t.conf:6: user: \"-x\" is not a valid user name");
	expect_error(BASE "group pmip-no-such-group\n",
	             "t.conf:6: group: \"pmip-no-such-group\" is not a group on this system");
	expect_error("uplink-interface abcdefghijklmnop\n",
	             "t.conf:1: uplink-interface: \"abcdefghijklmnop\" is longer than 15 "
	             "characters");
	expect_error(BASE "access-interface eth/0\n",
	             "t.conf:6: access-interface: \"eth/0\" is not a valid interface name");
	expect_error(BASE "access-interface \"\"\n",
	             "t.conf:6: access-interface: empty interface name");
}
END_TEST

/* --- golden files: tests/mag/conf/NAME.conf prints as NAME.ok --- */

static void check_golden(const char *dir, const char *file)
{
	char path[4096], err[512] = "", *want, *got;
	struct mag_conf *c;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	c = mag_conf_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	got = check_reprint(c, file);
	strcpy(path + strlen(path) - strlen(".conf"), ".ok");
	want = read_file(path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs from %s; it prints:\n%s", file, path,
	              got);
	free(want);
	free(got);
	mag_conf_free(c);
}

START_TEST(golden_files)
{
	const char *dir = getenv("MAG_CONF_DIR") ? getenv("MAG_CONF_DIR") : CONF_DIR_DEFAULT;
	struct dirent **list;
	int n = scandir(dir, &list, is_conf, alphasort);

	ck_assert_msg(n >= 3, "%s: expected golden .conf files (set MAG_CONF_DIR)", dir);
	for (int i = 0; i < n; i++) {
		check_golden(dir, list[i]->d_name);
		free(list[i]);
	}
	free(list);
}
END_TEST

/* --- scale --- */

#define BIG_MNS 20000

/* MN i has MACs 02:00:00:ii:ii:ii and 06:00:00:ii:ii:ii, every third one multihomed. */
static FILE *write_big(void)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	fputs("lma-address 2001:db8:ffff::100\nproxy-coa 2001:db8:ffff::1\n"
	      "uplink-interface eth0\naccess-interface wlan0\n",
	      f);
	for (unsigned i = 0; i < BIG_MNS; i++)
		fprintf(f,
		        "mn mn%u@example.org { mac 02:00:00:%02x:%02x:%02x "
		        "mac 06:00:00:%02x:%02x:%02x multihoming %s }\n",
		        i, i >> 16, (i >> 8) & 0xff, i & 0xff, i >> 16, (i >> 8) & 0xff, i & 0xff,
		        i % 3 == 0 ? "yes" : "no");
	rewind(f);
	return f;
}

static unsigned check_big_mn(const struct mag_conf *c, unsigned i)
{
	uint8_t mac[6] = { 2, 0, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	const struct mag_conf_mn *mn;
	char id[64];

	snprintf(id, sizeof(id), "mn%u@example.org", i);
	mn = mag_conf_find_mn(c, id);
	if (!mn || strcmp(mn->id, id) != 0 || mn->multihoming != (i % 3 == 0))
		return 1;
	if (mag_conf_find_mac(c, mac) != mn)
		return 1;
	mac[0] = 6;
	return mag_conf_find_mac(c, mac) != mn;
}

START_TEST(twenty_thousand_mns)
{
	FILE *f = write_big();
	char err[512] = "";
	double t0 = now_s(), t1, t2;
	struct mag_conf *c = mag_conf_parse(f, "big.conf", err, sizeof(err));
	unsigned wrong = 0;

	t1 = now_s();
	fclose(f);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_mns, BIG_MNS);
	ck_assert_uint_eq(c->mn_index.count, BIG_MNS);
	ck_assert_uint_eq(c->mac_index.count, 2 * BIG_MNS);
	ck_assert_uint_ge(c->mn_index.last + 1, c->mn_index.count); /* load factor at most 1 */
	ck_assert_uint_ge(c->mac_index.last + 1, c->mac_index.count);
	for (unsigned i = 0; i < BIG_MNS; i++) /* one assert at the end: Check's are slow */
		wrong += check_big_mn(c, i);
	t2 = now_s();
	ck_assert_uint_eq(wrong, 0);
	ck_assert_ptr_null(mag_conf_find_mn(c, "mn20000@example.org"));
	ck_assert_ptr_null(mag_conf_find_mac(c, mac_of(2, 0, 0, 0, 0x4e, 0x20)));
	printf("%d MNs: parsed in %.0f ms, %d lookups in %.0f ms\n", BIG_MNS, (t1 - t0) * 1e3,
	       3 * BIG_MNS, (t2 - t1) * 1e3);
	mag_conf_free(c);
}
END_TEST

/* --- random input --- */

/* Whatever the input, either a configuration that prints and reparses identically, or one
 * error of the form "t.conf:6: message". Returns whether it parsed. */
static bool check_any_input(const char *text, size_t len)
{
	char err[512] = "";
	struct mag_conf *c = parse_len(text, len, err, sizeof(err));
	unsigned line = 0;
	int n = 0;

	if (c) {
		free(check_reprint(c, "random input"));
		mag_conf_free(c);
		return true;
	}
	ck_assert_msg(sscanf(err, "t.conf:%u: %n", &line, &n) == 1 && n > 0 && err[n] != '\0',
	              "malformed error \"%s\"", err);
	ck_assert_uint_ge(line, 1);
	return false;
}

static const char full_example[] =
        "lma-address 2001:db8:ffff::100\n"
        "proxy-coa 2001:db8:ffff::1\n"
        "uplink-interface eth0\n"
        "link-local-address fe80::1\n"
        "tunnel-driver auto            # auto | ebpf | ip6tnl | seg6\n"
        "table-base 2000\n"
        "rule-priority 1000\n"
        "muho-option-type 18\n"
        "lifetime 600s\n"
        "refresh-before 30s\n"
        "retransmit initial 1s max 32s tries 6\n"
        "ra-interval 10s\n"
        "ra-router-lifetime 1800s\n"
        "control-socket \"/run/pmip6/magd.sock\"\n"
        "control-group daemon\n"
        "access-interface wlan0 { access-technology 4 }\n"
        "access-interface eth1\n"
        "mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 multihoming yes }\n"
        "mn \"mn#2@example.org\" {\n mac 02:00:00:00:01:01\n}\n";

/* clang-format off */
static const char *const vocab[] = {
	"lma-address", "proxy-coa", "uplink-interface", "link-local-address", "tunnel-driver",
	"table-base", "rule-priority", "muho-option-type", "lifetime", "refresh-before",
	"retransmit", "initial", "max", "tries", "ra-interval", "ra-mtu", "ra-router-lifetime",
	"control-socket", "control-group", "access-interface", "access-technology", "mn", "mac",
	"state-file", "state-sync",
	"multihoming", "yes", "no", "auto", "seg6", "ip6tnl", "2001:db8:ffff::100",
	"2001:db8:ffff::1", "fe80::1", "fe80::2", "::", "ff02::1", "mn1@example.org",
	"mn2@example.org", "\"a b\"", "\"x#y@z\"", "any", "eth0", "wlan0", "eth1",
	"02:00:00:00:00:01", "02:00:00:00:00:02", "01:00:5e:00:00:01", "00:00:00:00:00:00",
	"1000", "18", "22", "0", "4", "255", "256", "300ms", "1.5s", "4s", "8s", "10s", "600s",
	"4294967296", "{", "}", "{", "}", "\n", "\n", "\n", "\n", "#", "\"", "/run/x.sock", "pmip",
	"\r\n",
};
/* clang-format on */
#define N_VOCAB (sizeof(vocab) / sizeof(vocab[0]))

#include "tests/conf_test_random.h"

START_TEST(random_mutations)
{
	size_t n = strlen(full_example);
	char buf[sizeof(full_example) + 64];
	unsigned parsed = 0;

	rng_state = 0x13198a2e03707344ull;
	for (int iter = 0; iter < 6000; iter++) {
		size_t len = n;

		memcpy(buf, full_example, n);
		for (int k = 0; k < 1 + (int)(rng() % 4); k++) {
			size_t at = rng() % len;

			if (rng() % 2) {
				buf[at] = (char)rng();
			} else if (len + 1 < sizeof(buf)) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = '\n';
				len++;
			}
		}
		parsed += check_any_input(buf, len);
	}
	ck_assert_uint_gt(parsed, 0);
}
END_TEST

static Suite *mag_conf_suite(void)
{
	Suite *s = suite_create("mag_conf");
	TCase *kw = tcase_create("keywords");
	TCase *err = tcase_create("errors");
	TCase *gold = tcase_create("golden");
	TCase *big = tcase_create("scale");
	TCase *rnd = tcase_create("random");

	tcase_add_test(kw, defaults);
	tcase_add_test(kw, every_keyword);
	tcase_add_test(kw, tunnel_mtu);
	tcase_add_test(kw, retransmit_tries_unlimited);
	tcase_add_test(kw, durations);
	tcase_add_test(kw, layout_is_free_within_blocks);
	tcase_add_test(kw, lookups);
	tcase_add_test(kw, load_from_a_file);
	tcase_add_test(err, error_unknown_keyword);
	tcase_add_test(err, error_missing_value);
	tcase_add_test(err, error_bad_address);
	tcase_add_test(err, error_mac);
	tcase_add_test(err, error_number_range);
	tcase_add_test(kw, control_limits);
	tcase_add_test(err, error_duration);
	tcase_add_test(err, error_relations);
	tcase_add_test(err, error_unbalanced_braces);
	tcase_add_test(err, error_duplicates);
	tcase_add_test(err, error_uplink_as_access);
	tcase_add_test(err, error_required);
	tcase_add_test(err, error_muho_type);
	tcase_add_test(err, error_nai);
	tcase_add_test(err, error_lexical);
	tcase_add_test(err, error_other_values);
	tcase_add_test(gold, golden_files);
	tcase_add_test(big, twenty_thousand_mns);
	tcase_add_test(rnd, random_truncations);
	tcase_add_test(rnd, random_bytes);
	tcase_add_test(rnd, random_token_soup);
	tcase_add_test(rnd, random_mutations);
	suite_add_tcase(s, kw);
	suite_add_tcase(s, err);
	suite_add_tcase(s, gold);
	suite_add_tcase(s, big);
	suite_add_tcase(s, rnd);
	return s;
}

CHECK_MAIN(mag_conf_suite)
