/* test_lma_conf.c: lmad.conf(5) (lma/lma_conf.c over the lexer of common/cfgparse.c): the
 * lexer, every keyword and default, one test per error class with its exact "file:line: message",
 * the lookups, the golden printouts of tests/lma/conf/ (each .conf prints as its .ok, and the
 * printout parses back to itself), the flow classifier's settings and policies, 100,000 MNs, and
 * random garbage, token soup, mutations and truncations that may only ever give an error, never
 * a crash. */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cfgparse.h"
#include "lma/lma_conf.h"

#ifndef CONF_DIR_DEFAULT
#define CONF_DIR_DEFAULT "tests/lma/conf"
#endif

/* Lines 1-5 of most inputs below; a test's own statements start on line 6. */
#define BASE                                                                                       \
	"lma-address 2001:db8:ffff::100\n"                                                         \
	"uplink-interface eth0\n"                                                                  \
	"prefix-pool 2001:db8:100::/40\n"                                                          \
	"mn any\n"                                                                                 \
	"mag 2001:db8:ffff::1\n"
/* The same without "mn any" (line 4 is a comment). */
#define BASE_NOANY                                                                                 \
	"lma-address 2001:db8:ffff::100\n"                                                         \
	"uplink-interface eth0\n"                                                                  \
	"prefix-pool 2001:db8:100::/40\n"                                                          \
	"# no mn any\n"                                                                            \
	"mag 2001:db8:ffff::1\n"

/* --- helpers, and the tests both grammars share (tests/conf_test.h) --- */

#define CONF lma_conf
#include "tests/conf_test.h"

/* --- the lexer and value parsers of common/cfgparse.c --- */

static FILE *open_text(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	ck_assert_ptr_nonnull(f);
	return f;
}

START_TEST(lexer_tokens)
{
	const char *text = "a{b}\"c d\" # x { \"\n\t\"q\\\"\\\\\"\r\n\n e#f";
	static const enum cfg_tok want[] = { CFG_WORD, CFG_LBRACE, CFG_WORD, CFG_RBRACE, CFG_STRING,
		                             CFG_NL,   CFG_STRING, CFG_NL,   CFG_NL,     CFG_WORD,
		                             CFG_NL,   CFG_EOF,    CFG_EOF };
	static const char *const text_of[] = { "a", "{", "b", "}", "c d", "", "q\"\\",
		                               "",  "",  "e", "",  "",    "" };
	static const unsigned line_of[] = { 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 4, 4, 4 };
	struct cfg_token t;
	struct cfg c;
	char err[128];
	FILE *f = open_text(text);

	cfg_init(&c, f, "lex", err, sizeof(err));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (i == 9)
			ck_assert_str_eq(cfg_peek(&c)->text, "e");
		ck_assert_int_eq(cfg_next(&c, &t), want[i]);
		ck_assert_str_eq(t.text, text_of[i]);
		ck_assert_uint_eq(t.line, line_of[i]);
	}
	ck_assert(!cfg_failed(&c));
	fclose(f);
}
END_TEST

START_TEST(lexer_errors_stick)
{
	struct cfg_token t;
	struct cfg c;
	char err[128];
	FILE *f = open_text("ok\n\"open\nnext\n");

	cfg_init(&c, f, "lex", err, sizeof(err));
	ck_assert_int_eq(cfg_next(&c, &t), CFG_WORD);
	ck_assert_int_eq(cfg_next(&c, &t), CFG_NL);
	ck_assert_int_eq(cfg_next(&c, &t), CFG_ERR);
	ck_assert_str_eq(err, "lex:2: unterminated quoted string");
	ck_assert_int_eq(cfg_next(&c, &t), CFG_ERR);
	ck_assert_int_eq(cfg_error(&c, 9, "later"), -1);
	ck_assert_str_eq(err, "lex:2: unterminated quoted string");
	fclose(f);
}
END_TEST

START_TEST(value_parsers)
{
	static const char *const names[] = { "red", "green" };
	struct cfg c;
	char err[128], nai[MH_MNID_MAX + 1], ifn[IFNAMSIZ];
	struct in6_addr a;
	uint8_t len;
	uint32_t v;
	unsigned i;
	bool b;
	FILE *f = open_text("yes no 4294967295 1.5s 0.25m ::1 2001:db8::/32 lo x@y green maybe");

	cfg_init(&c, f, "v", err, sizeof(err));
	ck_assert_int_eq(cfg_bool(&c, "b", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(cfg_bool(&c, "b", &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(cfg_uint(&c, "n", 0, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT32_MAX);
	ck_assert_int_eq(cfg_duration(&c, "d", 0, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, 1500);
	ck_assert_int_eq(cfg_duration(&c, "d", 0, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, 15000);
	ck_assert_int_eq(cfg_in6(&c, "a", &a), 0);
	ck_assert(addr_is(&a, "::1"));
	ck_assert_int_eq(cfg_prefix(&c, "p", 0, &a, &len), 0);
	ck_assert(addr_is(&a, "2001:db8::") && len == 32);
	ck_assert_int_eq(cfg_ifname(&c, "i", ifn), 0);
	ck_assert_str_eq(ifn, "lo");
	ck_assert_int_eq(cfg_nai(&c, "m", nai, sizeof(nai)), 0);
	ck_assert_str_eq(nai, "x@y");
	ck_assert_int_eq(cfg_choice(&c, "c", names, 2, &i), 0);
	ck_assert_uint_eq(i, 1);
	ck_assert_int_eq(cfg_bool(&c, "b", &b), -1);
	ck_assert_str_eq(err, "v:1: b: \"maybe\" is not one of no, yes");
	fclose(f);
}
END_TEST

START_TEST(lookup_and_printing_helpers)
{
	struct named {
		const char *name;
		int v;
	};
	static const struct named table[] = { { "alpha", 1 }, { "beta", 2 }, { "gamma", 3 } };
	const struct named *found = cfg_lookup(table, 3, sizeof(table[0]), "gamma");
	char d[CFG_DURATION_STR], *buf = NULL;
	size_t n = 0;
	struct in6_addr a, b;
	FILE *f;

	ck_assert_ptr_nonnull(found);
	ck_assert_int_eq(found->v, 3);
	ck_assert_ptr_null(cfg_lookup(table, 3, sizeof(table[0]), "delta"));
	ck_assert_str_eq(cfg_duration_str(1500, d), "1500ms");
	ck_assert_str_eq(cfg_duration_str(3600000, d), "3600s");
	ck_assert_str_eq(cfg_duration_str(0, d), "0s");
	f = open_memstream(&buf, &n);
	cfg_print_word(f, "plain@x");
	cfg_print_word(f, "");
	cfg_print_word(f, "a b#c\"d\\e{");
	fclose(f);
	ck_assert_str_eq(buf, "plain@x\"\"\"a b#c\\\"d\\\\e{\"");
	free(buf);
	inet_pton(AF_INET6, "2001:db8:180::", &a);
	inet_pton(AF_INET6, "2001:db8:100::", &b);
	ck_assert(cfg_prefix_overlap(&a, 40, &b, 40));
	ck_assert(!cfg_prefix_overlap(&a, 41, &b, 41));
	ck_assert(cfg_prefix_overlap(&a, 0, &b, 128));
	ck_assert(!cfg_prefix_host_bits_zero(&a, 40));
	ck_assert(cfg_prefix_host_bits_zero(&a, 41));
}
END_TEST

/* --- keywords and defaults --- */

START_TEST(defaults)
{
	struct lma_conf *c = parse_ok(BASE);

	ck_assert(addr_is(&c->lma_addr, "2001:db8:ffff::100"));
	ck_assert_str_eq(c->uplink, "eth0");
	ck_assert_int_eq(c->driver, KR_DRIVER_AUTO);
	ck_assert_uint_eq(c->table_base, 1000);
	ck_assert_uint_eq(c->rule_priority, 1000);
	ck_assert_uint_eq(c->muho_type, 18);
	ck_assert(c->use_timestamps);
	ck_assert_uint_eq(c->timestamp_window_ms, 300);
	ck_assert_uint_eq(c->max_lifetime_s, 3600);
	ck_assert_uint_eq(c->bce_delete_delay_ms, 10000);
	ck_assert_uint_eq(c->new_bce_delay_ms, 1500);
	ck_assert_uint_eq(c->upn.initial_ms, 1000);
	ck_assert_uint_eq(c->upn.max_ms, 32000);
	ck_assert_uint_eq(c->upn.tries, 6);
	ck_assert_uint_eq(c->prefix_hold_ms, LMA_CONF_HOLD_ATTACHED);
	ck_assert_uint_eq(c->revoke.initial_ms, 1000);
	ck_assert_uint_eq(c->revoke.max_ms, 8000);
	ck_assert_uint_eq(c->revoke.tries, 4);
	ck_assert(addr_is(&c->pool.addr, "2001:db8:100::"));
	ck_assert_uint_eq(c->pool.len, 40);
	ck_assert_uint_eq(c->pool_alloc_len, 64);
	ck_assert_str_eq(c->ctl_path, "/run/pmip6/lmad.sock");
	ck_assert_str_eq(c->ctl_group, "root");
	ck_assert(c->any_mn);
	ck_assert(TAILQ_EMPTY(&c->mns));
	ck_assert_uint_eq(c->n_mags, 1);
	ck_assert_uint_eq(c->queue_num, 0);
	ck_assert(c->fail_open);
	ck_assert_uint_eq(c->flow_idle_ms, 300000);
	ck_assert_uint_eq(c->flow_max, 65536);
	ck_assert_uint_eq(c->flow_max_mn, 4096);
	ck_assert(TAILQ_EMPTY(&c->policies));
	ck_assert_uint_eq(c->n_policies, 0);
	lma_conf_free(c);
}
END_TEST

START_TEST(flow_settings)
{
	struct lma_conf *c = parse_ok(BASE "flow-queue 65535\nflow-fail closed\n"
	                                   "flow-idle-timeout 1.5m\nflow-max 16777216\n"
	                                   "flow-max-per-mn 1\n");

	ck_assert_uint_eq(c->queue_num, 65535);
	ck_assert(!c->fail_open);
	ck_assert_uint_eq(c->flow_idle_ms, 90000);
	ck_assert_uint_eq(c->flow_max, 16777216);
	ck_assert_uint_eq(c->flow_max_mn, 1);
	free(check_reprint(c, "flow_settings"));
	lma_conf_free(c);
	c = parse_ok(BASE "flow-fail open\nflow-idle-timeout 1s\nflow-queue 0\n");
	ck_assert(c->fail_open);
	ck_assert_uint_eq(c->flow_idle_ms, 1000);
	lma_conf_free(c);
}
END_TEST

/* The n-th policy of c (from 0). */
static const struct fc_policy *nth_policy(const struct lma_conf *c, unsigned n)
{
	const struct lma_conf_policy *cp = TAILQ_FIRST(&c->policies);

	while (cp && n--)
		cp = TAILQ_NEXT(cp, entry);
	ck_assert_ptr_nonnull(cp);
	return &cp->policy;
}

START_TEST(policies_in_order)
{
	struct lma_conf *c = parse_ok(
	        BASE "mag 2001:db8:ffff::2\n"
	             "policy { mn mn1@example.org dst-port 5001-5010 proto udp } to att 7\n"
	             "policy { dst 2001:db8:100::/48 proto tcp flow-label 0x12345 } to mag "
	             "2001:db8:ffff::2\n"
	             "policy { src 2001:db8:c::/64 traffic-class 0x20 } to llid "
	             "02:00:00:00:00:01\n"
	             "policy { proto icmpv6 } to default\n");
	const struct lma_conf_policy *cp;
	const struct fc_policy *fp;
	unsigned line = 7;

	ck_assert_uint_eq(c->n_policies, 4);
	TAILQ_FOREACH(cp, &c->policies, entry)
	{
		ck_assert_uint_eq(cp->line, line++);
		ck_assert_uint_eq(cp->policy.id, 0);
	}
	fp = nth_policy(c, 0);
	ck_assert_str_eq(fp->match.mn_id, "mn1@example.org");
	ck_assert(fp->match.have_proto && fp->match.proto == 17);
	ck_assert(fp->match.dport_lo == 5001 && fp->match.dport_hi == 5010);
	ck_assert(fp->match.sport_lo == 0 && fp->match.sport_hi == 65535);
	ck_assert(!fp->match.have_src && !fp->match.have_dst && !fp->match.have_flow_label &&
	          !fp->match.have_tclass);
	ck_assert(fp->targets[0].kind == FC_TARGET_ATT && fp->targets[0].att == 7);
	fp = nth_policy(c, 1);
	ck_assert(fp->match.have_dst && fp->match.dst.len == 48);
	ck_assert(addr_is(&fp->match.dst.addr, "2001:db8:100::"));
	ck_assert(fp->match.have_proto && fp->match.proto == 6);
	ck_assert(fp->match.have_flow_label && fp->match.flow_label == 0x12345);
	ck_assert_str_eq(fp->match.mn_id, "");
	ck_assert(fp->targets[0].kind == FC_TARGET_MAG && addr_is(&fp->targets[0].mag, "2001:db8:ffff::2"));
	fp = nth_policy(c, 2);
	ck_assert(fp->match.have_src && fp->match.src.len == 64);
	ck_assert(addr_is(&fp->match.src.addr, "2001:db8:c::"));
	ck_assert(fp->match.have_tclass && fp->match.tclass == 0x20);
	ck_assert(fp->targets[0].kind == FC_TARGET_LLID && fp->targets[0].llid_len == 6);
	ck_assert_mem_eq(fp->targets[0].llid, "\x02\x00\x00\x00\x00\x01", 6);
	fp = nth_policy(c, 3);
	ck_assert(fp->match.have_proto && fp->match.proto == 58);
	ck_assert_int_eq(fp->targets[0].kind, FC_TARGET_DEFAULT);
	free(check_reprint(c, "policies_in_order"));
	lma_conf_free(c);
}
END_TEST

START_TEST(policy_values)
{
	struct lma_conf *c =
	        parse_ok(BASE "policy { } to default\n"
	                      "policy {\n"
	                      "  proto 0 src-port 0 # a comment\n"
	                      "\n"
	                      "  dst-port 65535 flow-label 1048575\n"
	                      "  traffic-class 0xFF src ::/0 dst ::1/128\n"
	                      "} to llid 01:23:45:67:89:ab:cd:ef:01:23:45:67:89:AB:CD:EF:"
	                      "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:01\n"
	                      "policy{proto udplite}to att 1 # the end\n"
	                      "policy { proto sctp src-port 7-7 dst-port 0-65535 } to "
	                      "llid 00:01\n");
	const struct fc_policy *fp = nth_policy(c, 0);
	char *out;

	ck_assert(!fp->match.have_proto && fp->match.mn_id[0] == '\0');
	ck_assert(fp->match.dport_lo == 0 && fp->match.dport_hi == 65535);
	fp = nth_policy(c, 1);
	ck_assert(fp->match.have_proto && fp->match.proto == 0);
	ck_assert(fp->match.sport_lo == 0 && fp->match.sport_hi == 0);
	ck_assert(fp->match.dport_lo == 65535 && fp->match.dport_hi == 65535);
	ck_assert_uint_eq(fp->match.flow_label, 0xfffff);
	ck_assert_uint_eq(fp->match.tclass, 0xff);
	ck_assert(fp->match.have_src && fp->match.src.len == 0);
	ck_assert(fp->match.have_dst && fp->match.dst.len == 128);
	ck_assert(fp->targets[0].kind == FC_TARGET_LLID && fp->targets[0].llid_len == MH_LLID_MAX);
	ck_assert_uint_eq(fp->targets[0].llid[31], 0x01);
	ck_assert_uint_eq(fp->targets[0].llid[15], 0xef);
	ck_assert_uint_eq(nth_policy(c, 2)->match.proto, 136);
	ck_assert_uint_eq(nth_policy(c, 2)->targets[0].att, 1);
	fp = nth_policy(c, 3);
	ck_assert(fp->match.sport_lo == 7 && fp->match.sport_hi == 7);
	ck_assert_uint_eq(fp->targets[0].llid_len, 2);
	out = check_reprint(c, "policy_values");
	ck_assert_ptr_nonnull(strstr(out, "\npolicy { } to default\n"));
	ck_assert_ptr_nonnull(strstr(out, "\npolicy { src ::/0 dst ::1/128 proto 0 src-port 0 "
	                                  "dst-port 65535 flow-label 0xfffff traffic-class 0xff } "
	                                  "to llid 01:23:45:67:89:ab:cd:ef:01:23:"));
	ck_assert_ptr_nonnull(strstr(out, "\npolicy { proto sctp src-port 7 } to llid 00:01\n"));
	free(out);
	lma_conf_free(c);
}
END_TEST

/* The policies of a configuration go into the classifier as they are. */
START_TEST(policies_load_into_the_classifier)
{
	struct lma_conf *c = parse_ok(BASE "mag 2001:db8:ffff::2\n"
	                                   "policy { proto udp dst-port 5001-5010 } to att 7\n"
	                                   "policy { proto icmpv6 } to mag 2001:db8:ffff::2\n"
	                                   "policy { } to default\n");
	const struct lma_conf_policy *cp;
	struct fc *fc = fc_new();
	const struct fc_policy *fp;
	uint32_t id = 0;

	TAILQ_FOREACH(cp, &c->policies, entry)
	ck_assert_uint_eq(fc_policy_add(fc, &cp->policy, 0), ++id);
	fp = fc_policy_first(fc);
	ck_assert_uint_eq(fp->targets[0].att, 7);
	fp = fc_policy_next(fc, fp);
	ck_assert_int_eq(fp->targets[0].kind, FC_TARGET_MAG);
	fp = fc_policy_next(fc, fp);
	ck_assert_int_eq(fp->targets[0].kind, FC_TARGET_DEFAULT);
	ck_assert_ptr_null(fc_policy_next(fc, fp));
	fc_free(fc);
	lma_conf_free(c);
}
END_TEST

START_TEST(every_keyword)
{
	struct lma_conf *c = parse_ok("lma-address 2001:db8:ffff::100\n"
	                              "uplink-interface veth-lma0\n"
	                              "tunnel-driver seg6\n"
	                              "table-base 5000\n"
	                              "rule-priority 200\n"
	                              "muho-option-type 201\n"
	                              "replay-protection sequence\n"
	                              "timestamp-window 1s\n"
	                              "max-lifetime 2m\n"
	                              "bce-delete-delay 2.5s\n"
	                              "new-bce-delay 0ms\n"
	                              "upn-retransmit tries 3 max 10s initial 250ms\n"
	                              "prefix-hold off\n"
	                              "revocation-retransmit max 3s tries 2\n"
	                              "prefix-pool 2001:db8:100::/40 length 56\n"
	                              "control-socket \"/tmp/a b/lmad.sock\"\n"
	                              "control-group daemon\n"
	                              "mn m1@x { prefix 2001:db8:1::/48 }\n"
	                              "mag 2001:db8:ffff::1 { mn m1@x }\n");
	const struct lma_conf_mn *mn;

	ck_assert_str_eq(c->uplink, "veth-lma0");
	ck_assert_int_eq(c->driver, KR_DRIVER_SEG6);
	ck_assert_uint_eq(c->table_base, 5000);
	ck_assert_uint_eq(c->rule_priority, 200);
	ck_assert_uint_eq(c->muho_type, 201);
	ck_assert(!c->use_timestamps);
	ck_assert_uint_eq(c->timestamp_window_ms, 1000);
	ck_assert_uint_eq(c->max_lifetime_s, 120);
	ck_assert_uint_eq(c->bce_delete_delay_ms, 2500);
	ck_assert_uint_eq(c->new_bce_delay_ms, 0);
	ck_assert_uint_eq(c->upn.initial_ms, 250);
	ck_assert_uint_eq(c->upn.max_ms, 10000);
	ck_assert_uint_eq(c->upn.tries, 3);
	ck_assert_uint_eq(c->prefix_hold_ms, 0);
	ck_assert_uint_eq(c->revoke.initial_ms, 1000); /* the default, with the others given */
	ck_assert_uint_eq(c->revoke.max_ms, 3000);
	ck_assert_uint_eq(c->revoke.tries, 2);
	ck_assert_uint_eq(c->pool_alloc_len, 56);
	ck_assert_str_eq(c->ctl_path, "/tmp/a b/lmad.sock");
	ck_assert_str_eq(c->ctl_group, "daemon");
	ck_assert(!c->any_mn);
	mn = lma_conf_find_mn(c, "m1@x");
	ck_assert_ptr_nonnull(mn);
	ck_assert_uint_eq(mn->n_static, 1);
	ck_assert(addr_is(&mn->static_prefix[0].addr, "2001:db8:1::"));
	ck_assert_uint_eq(mn->static_prefix[0].len, 48);
	free(check_reprint(c, "every_keyword"));
	lma_conf_free(c);
	c = parse_ok(BASE "tunnel-driver ip6tnl\nreplay-protection timestamp\n");
	ck_assert_int_eq(c->driver, KR_DRIVER_IP6TNL);
	ck_assert(c->use_timestamps);
	lma_conf_free(c);
}
END_TEST

START_TEST(durations)
{
	static const struct {
		const char *text;
		uint32_t ms;
	} cases[] = { { "0ms", 0 },       { "300ms", 300 },   { "1.5s", 1500 }, { "10s", 10000 },
		      { "0.25m", 15000 }, { "2m", 120000 },   { "007s", 7000 }, { "1.000s", 1000 },
		      { "0.001s", 1 },    { "60m", 3600000 }, { "0.00005m", 3 } };
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lma_conf *c;

		snprintf(text, sizeof(text), BASE "bce-delete-delay %s\n", cases[i].text);
		c = parse_ok(text);
		ck_assert_msg(c->bce_delete_delay_ms == cases[i].ms, "%s gave %u ms", cases[i].text,
		              (unsigned)c->bce_delete_delay_ms);
		lma_conf_free(c);
	}
}
END_TEST

START_TEST(layout_is_free_within_blocks)
{
	struct lma_conf *c = parse_ok("# comment first\r\n"
	                              "\tlma-address   2001:db8:ffff::100   # trailing\r\n"
	                              "uplink-interface eth0\n"
	                              "\n"
	                              "mn a@x {\n"
	                              "  prefix 2001:db8:1::/64 prefix 2001:db8:2::/64\n"
	                              "\n"
	                              "  # inside\n"
	                              "  prefix 2001:db8:3::/64 }\n"
	                              "mn \"b#1@x\"{prefix 2001:db8:4::/64}\n"
	                              "mag 2001:db8:ffff::1 { }\n"
	                              "mag 2001:db8:ffff::2 {mn a@x\n mn \"b#1@x\"}");
	const struct lma_conf_mn *a = lma_conf_find_mn(c, "a@x");
	const struct lma_conf_mag *mag;
	char *p;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->n_static, 3);
	ck_assert_ptr_nonnull(lma_conf_find_mn(c, "b#1@x"));
	ck_assert_uint_eq(c->pool_alloc_len, 0); /* no pool: every MN has static prefixes */
	mag = TAILQ_FIRST(&c->mags);
	ck_assert_uint_eq(mag->n_mns, 0);
	mag = TAILQ_NEXT(mag, entry);
	ck_assert_uint_eq(mag->n_mns, 2);
	p = check_reprint(c, "layout");
	ck_assert_ptr_nonnull(strstr(p, "# no prefix-pool"));
	ck_assert_ptr_nonnull(strstr(p, "mn \"b#1@x\" {\n\tprefix 2001:db8:4::/64\n}\n"));
	free(p);
	lma_conf_free(c);
}
END_TEST

START_TEST(lookups)
{
	struct lma_conf *c = parse_ok(BASE_NOANY "mn m1@x { prefix 2001:db8:1::/64 }\n"
	                                         "mn m2@x\n"
	                                         "mag 2001:db8:ffff::2 { mn m1@x }\n");
	const struct lma_conf_mag *mag1, *mag2;
	struct in6_addr a;

	ck_assert_ptr_nonnull(lma_conf_find_mn(c, "m1@x"));
	ck_assert_ptr_nonnull(lma_conf_find_mn(c, "m2@x"));
	ck_assert_ptr_null(lma_conf_find_mn(c, "m3@x"));
	ck_assert_ptr_null(lma_conf_find_mn(c, "M1@x"));
	inet_pton(AF_INET6, "2001:db8:ffff::1", &a);
	mag1 = lma_conf_find_mag(c, &a);
	inet_pton(AF_INET6, "2001:db8:ffff::2", &a);
	mag2 = lma_conf_find_mag(c, &a);
	ck_assert_ptr_nonnull(mag1);
	ck_assert_ptr_nonnull(mag2);
	inet_pton(AF_INET6, "2001:db8:ffff::3", &a);
	ck_assert_ptr_null(lma_conf_find_mag(c, &a));
	ck_assert(lma_conf_mag_may_serve(mag1, "m1@x"));
	ck_assert(lma_conf_mag_may_serve(mag1, "m2@x"));
	ck_assert(!lma_conf_mag_may_serve(mag1, "m3@x"));
	ck_assert(lma_conf_mag_may_serve(mag2, "m1@x"));
	ck_assert(!lma_conf_mag_may_serve(mag2, "m2@x"));
	lma_conf_free(c);

	c = parse_ok(BASE "mn m1@x\nmag 2001:db8:ffff::2 { mn m1@x mn other@x }\n");
	mag1 = TAILQ_FIRST(&c->mags);
	mag2 = TAILQ_NEXT(mag1, entry);
	ck_assert(lma_conf_mag_may_serve(mag1, "anyone@x")); /* mn any */
	ck_assert(lma_conf_mag_may_serve(mag2, "other@x"));  /* listed, authorized by mn any */
	ck_assert(!lma_conf_mag_may_serve(mag2, "anyone@x"));
	ck_assert_ptr_null(lma_conf_find_mn(c, "other@x")); /* no entry of its own */
	lma_conf_free(c);
}
END_TEST

/* The heartbeat statement (common/cfgparse.c, shared with magd.conf): RFC 5847 §5's defaults,
 * sub-second intervals, "off", and its errors. */
START_TEST(heartbeat_statement)
{
	struct lma_conf *c = parse_ok(BASE);

	ck_assert_uint_eq(c->heartbeat.interval_ms, 60000);
	ck_assert_uint_eq(c->heartbeat.misses, 3);
	lma_conf_free(c);
	c = parse_ok(BASE "heartbeat misses 5 interval 200ms\n");
	ck_assert_uint_eq(c->heartbeat.interval_ms, 200);
	ck_assert_uint_eq(c->heartbeat.misses, 5);
	lma_conf_free(c);
	c = parse_ok(BASE "heartbeat interval 1.5s\n");
	ck_assert_uint_eq(c->heartbeat.interval_ms, 1500);
	ck_assert_uint_eq(c->heartbeat.misses, 3);
	lma_conf_free(c);
	c = parse_ok(BASE "heartbeat off\n");
	ck_assert_uint_eq(c->heartbeat.interval_ms, 0);
	free(check_reprint(c, "heartbeat off"));
	lma_conf_free(c);
	expect_error(BASE "heartbeat\n", "t.conf:6: heartbeat: missing value");
	expect_error(BASE "heartbeat interval 5ms\n",
	             "t.conf:6: heartbeat interval: 5ms is out of range (10ms..3600s)");
	expect_error(BASE "heartbeat misses 0\n",
	             "t.conf:6: heartbeat misses: 0 is out of range (1..255)");
	expect_error(BASE "heartbeat interval 1s off\n", "t.conf:6: heartbeat: off is out of place");
	expect_error(BASE "heartbeat misses 2 misses 3\n",
	             "t.conf:6: heartbeat: misses is out of place");
	expect_error(BASE "heartbeat every 1s\n",
	             "t.conf:6: heartbeat: \"every\" is not one of interval, misses, off");
	expect_error(BASE "heartbeat off\nheartbeat off\n",
	             "t.conf:7: heartbeat is already set on line 6");
}
END_TEST

/* --- errors, one test per class --- */

START_TEST(error_unknown_keyword)
{
	expect_error(BASE "frobnicate 1\n", "t.conf:6: unknown keyword \"frobnicate\"");
	expect_error(BASE "binding-error-rate 10 burst 5\n",
	             "t.conf:6: binding-error-rate burst: 5 is out of range (10..1000000)");
	expect_error(BASE "binding-error-rate 0\n",
	             "t.conf:6: binding-error-rate: 0 is out of range (1..1000000)");
	expect_error(BASE "reject-rate total 5 per-source 1 total 6\n",
	             "t.conf:6: reject-rate: total is given twice");
	expect_error(BASE "reject-rate per-source 1 burst\n",
	             "t.conf:6: reject-rate per-source burst: missing value");
	expect_error(BASE "reject-rate\n", "t.conf:6: reject-rate: missing value");
	expect_error(BASE "mn a@x { prefx 2001:db8:1::/64 }\n",
	             "t.conf:6: unknown keyword \"prefx\" in mn block");
	expect_error(BASE "mag 2001:db8:ffff::2 { prefix 2001:db8:1::/64 }\n",
	             "t.conf:6: unknown keyword \"prefix\" in mag block");
	expect_error(BASE "upn-retransmit every 1s\n",
	             "t.conf:6: upn-retransmit: \"every\" is not one of initial, max, tries");
	expect_error(
	        BASE "revocation-retransmit every 1s\n",
	        "t.conf:6: revocation-retransmit: \"every\" is not one of initial, max, tries");
	expect_error(BASE "\"lma-address\" ::1\n", "t.conf:6: unexpected \"lma-address\"");
}
END_TEST

START_TEST(error_missing_value)
{
	expect_error(BASE "table-base\n", "t.conf:6: table-base: missing value");
	expect_error(BASE "table-base", "t.conf:6: table-base: missing value");
	expect_error(BASE "mn a@x { prefix }\n", "t.conf:6: prefix: missing value");
	expect_error(BASE "mn a@x { prefix\n2001:db8:1::/64 }\n",
	             "t.conf:6: prefix: missing value");
	expect_error(BASE "upn-retransmit\n", "t.conf:6: upn-retransmit: missing value");
	expect_error(BASE "upn-retransmit initial\n",
	             "t.conf:6: upn-retransmit initial: missing value");
	expect_error(BASE "prefix-hold\n", "t.conf:6: prefix-hold: missing value");
	expect_error(BASE "revocation-retransmit tries\n",
	             "t.conf:6: revocation-retransmit tries: missing value");
	expect_error(BASE "mn\n", "t.conf:6: mn: missing value");
	expect_error(BASE "mag {\n", "t.conf:6: mag: missing value");
}
END_TEST

START_TEST(error_bad_address)
{
	expect_error(BASE "mag 2001:db8::zz\n",
	             "t.conf:6: mag: \"2001:db8::zz\" is not an IPv6 address");
	expect_error("lma-address 192.0.2.1\n",
	             "t.conf:1: lma-address: \"192.0.2.1\" is not an IPv6 address");
	expect_error("lma-address fe80::1%eth0\n",
	             "t.conf:1: lma-address: \"fe80::1%eth0\" is not an IPv6 address");
	expect_error("lma-address ::\n", "t.conf:1: lma-address: :: is not a unicast address");
	expect_error(BASE "mag ff02::2\n", "t.conf:6: mag: ff02::2 is not a unicast address");
	/* the rule magd applies to the same addresses (cfg_check_routable) */
	expect_error("lma-address fe80::100\n",
	             "t.conf:1: lma-address: fe80::100 is a link-local address");
	expect_error(BASE "mag febf::1\n", "t.conf:6: mag: febf::1 is a link-local address");
	expect_error("lma-address ::ffff:192.0.2.1\n",
	             "t.conf:1: lma-address: ::ffff:192.0.2.1 is an IPv4-mapped address");
	expect_error(BASE "mag ::ffff:192.0.2.2\n",
	             "t.conf:6: mag: ::ffff:192.0.2.2 is an IPv4-mapped address");
	expect_error(BASE "mag 2001:db8:ffff::100\n",
	             "t.conf:6: mag 2001:db8:ffff::100 is the lma-address");
}
END_TEST

START_TEST(error_host_bits)
{
	expect_error("prefix-pool 2001:db8:100::1/40\n",
	             "t.conf:1: prefix-pool: \"2001:db8:100::1/40\" has host bits set");
	expect_error("prefix-pool 2001:db8:180::/40\n",
	             "t.conf:1: prefix-pool: \"2001:db8:180::/40\" has host bits set");
	expect_error(BASE "mn a@x { prefix 2001:db8:1::1/64 }\n",
	             "t.conf:6: prefix: \"2001:db8:1::1/64\" has host bits set");
}
END_TEST

START_TEST(error_prefix_length)
{
	expect_error("prefix-pool 2001:db8::/129\n",
	             "t.conf:1: prefix-pool: prefix length 129 is out of range (1..128)");
	expect_error("prefix-pool ::/0\n",
	             "t.conf:1: prefix-pool: prefix length 0 is out of range (1..128)");
	expect_error("prefix-pool 2001:db8::/99999999999999999999999\n",
	             "t.conf:1: prefix-pool: prefix length 99999999999999999999999 is out of "
	             "range (1..128)");
	expect_error("prefix-pool 2001:db8::/abc\n", "t.conf:1: prefix-pool: \"2001:db8::/abc\" "
	                                             "is not an IPv6 prefix (address/length)");
	expect_error("prefix-pool 2001:db8::\n", "t.conf:1: prefix-pool: \"2001:db8::\" is not "
	                                         "an IPv6 prefix (address/length)");
	expect_error("prefix-pool 2001:db8::/-1\n", "t.conf:1: prefix-pool: \"2001:db8::/-1\" is "
	                                            "not an IPv6 prefix (address/length)");
}
END_TEST

/* The control socket's limits (common/ctl.h): defaults, values, bounds. */
START_TEST(control_limits)
{
	struct lma_conf *c = parse_ok(BASE);

	ck_assert_uint_eq(c->ctl_max_clients, 64);
	ck_assert_uint_eq(c->ctl_idle_ms, 60000);
	lma_conf_free(c);
	c = parse_ok(BASE "control-max-clients 4096\ncontrol-idle-timeout 1s\n");
	ck_assert_uint_eq(c->ctl_max_clients, 4096);
	ck_assert_uint_eq(c->ctl_idle_ms, 1000);
	free(check_reprint(c, "control_limits"));
	lma_conf_free(c);
	expect_error(BASE "control-max-clients 0\n",
	             "t.conf:6: control-max-clients: 0 is out of range (1..4096)");
	expect_error(BASE "control-idle-timeout 999ms\n",
	             "t.conf:6: control-idle-timeout: 999ms is out of range (1s..86400s)");
	expect_error(BASE "prefix-hold 0s\n",
	             "t.conf:6: prefix-hold: 0s is out of range (1ms..86400s)");
	expect_error(BASE "prefix-hold 86401s\n",
	             "t.conf:6: prefix-hold: 86401s is out of range (1ms..86400s)");
	expect_error(BASE "revocation-retransmit initial 2s max 1s\n",
	             "t.conf:6: revocation-retransmit: max 1s is less than initial 2s");
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
	expect_error(BASE "table-base 0x100\n", "t.conf:6: table-base: \"0x100\" is not a number");
	expect_error(BASE "rule-priority 0\n", "t.conf:6: rule-priority: 0 is out of range "
	                                       "(1..32763)");
	expect_error(BASE "upn-retransmit tries 0\n",
	             "t.conf:6: upn-retransmit tries: 0 is out of range (1..255)");
	expect_error(BASE "table-base 2000 3000\n", "t.conf:6: table-base: unexpected \"3000\"");
	expect_error(BASE "max-bindings 0\n",
	             "t.conf:6: max-bindings: 0 is out of range (1..16777216)");
	expect_error(BASE "max-bindings-per-mag 16777217\n",
	             "t.conf:6: max-bindings-per-mag: 16777217 is out of range (1..16777216)");
	expect_error(BASE "max-bindings-per-mn 1025\n",
	             "t.conf:6: max-bindings-per-mn: 1025 is out of range (1..1024)");
	expect_error(BASE "max-resting-prefixes -1\n",
	             "t.conf:6: max-resting-prefixes: \"-1\" is not a number");
	expect_error(BASE "max-bindings 5\nmax-bindings 6\n",
	             "t.conf:7: max-bindings is already set on line 6");
}
END_TEST

START_TEST(limits_have_defaults_and_can_be_set)
{
	struct lma_conf *c = parse_ok(BASE);

	ck_assert_uint_eq(c->max_bindings, 1000000);
	ck_assert_uint_eq(c->max_bindings_mag, 100000);
	ck_assert_uint_eq(c->max_bindings_mn, 8);
	ck_assert_uint_eq(c->max_resting, 65536);
	lma_conf_free(c);
	c = parse_ok(BASE "max-bindings 10\nmax-bindings-per-mag 5\nmax-bindings-per-mn 2\n"
	                  "max-resting-prefixes 0\n");
	ck_assert_uint_eq(c->max_bindings, 10);
	ck_assert_uint_eq(c->max_bindings_mag, 5);
	ck_assert_uint_eq(c->max_bindings_mn, 2);
	ck_assert_uint_eq(c->max_resting, 0);
	lma_conf_free(c);
}
END_TEST

START_TEST(error_duration)
{
	expect_error(BASE "timestamp-window 300\n",
	             "t.conf:6: timestamp-window: \"300\" has no unit (ms, s or m)");
	expect_error(BASE "timestamp-window 300h\n",
	             "t.conf:6: timestamp-window: \"300h\" has an unknown unit (ms, s or m)");
	expect_error(BASE "timestamp-window 300 ms\n",
	             "t.conf:6: timestamp-window: \"300\" has no unit (ms, s or m)");
	expect_error(BASE "timestamp-window fast\n",
	             "t.conf:6: timestamp-window: \"fast\" is not a duration");
	expect_error(BASE "timestamp-window .5s\n",
	             "t.conf:6: timestamp-window: \".5s\" is not a duration");
	expect_error(BASE "timestamp-window 1.s\n",
	             "t.conf:6: timestamp-window: \"1.s\" is not a duration");
	expect_error(BASE "timestamp-window 1.5ms\n",
	             "t.conf:6: timestamp-window: \"1.5ms\" is not a whole number of milliseconds");
	expect_error(BASE "timestamp-window 0ms\n",
	             "t.conf:6: timestamp-window: 0ms is out of range (1ms..60s)");
	expect_error(BASE "timestamp-window 61s\n",
	             "t.conf:6: timestamp-window: 61s is out of range (1ms..60s)");
	expect_error(BASE "timestamp-window 99999999999999999999999s\n",
	             "t.conf:6: timestamp-window: 99999999999999999999999s is out of range "
	             "(1ms..60s)");
	expect_error(BASE "max-lifetime 4500ms\n",
	             "t.conf:6: max-lifetime: 4500ms is not a whole number of seconds");
	expect_error(BASE "max-lifetime 1s\n",
	             "t.conf:6: max-lifetime: 1s is out of range (4s..262140s)");
	expect_error(BASE "new-bce-delay 2m\n",
	             "t.conf:6: new-bce-delay: 2m is out of range (0s..60s)");
}
END_TEST

START_TEST(error_unbalanced_braces)
{
	expect_error(BASE "}\n", "t.conf:6: unexpected \"}\"");
	expect_error(BASE "{\n", "t.conf:6: unexpected \"{\"");
	expect_error(BASE "mn a@x {\n prefix 2001:db8:1::/64\n\n",
	             "t.conf:6: \"{\" is never closed");
	expect_error(BASE "mag 2001:db8:ffff::2 { mn a@x { }\n", "t.conf:6: unexpected \"{\"");
	expect_error(BASE "mn a@x\n{ prefix 2001:db8:1::/64 }\n", "t.conf:7: unexpected \"{\"");
	expect_error(BASE "mn a@x { prefix 2001:db8:1::/64 } }\n",
	             "t.conf:6: mn: unexpected \"}\"");
	expect_error(BASE "mn a@x { prefix 2001:db8:1::/64 } extra\n",
	             "t.conf:6: mn: unexpected \"extra\"");
	expect_error(BASE_NOANY "mn any { }\n", "t.conf:6: mn: unexpected \"{\"");
	expect_error(BASE "lma-address { }\n", "t.conf:6: lma-address is already set on line 1");
}
END_TEST

START_TEST(error_duplicates)
{
	expect_error(BASE "mag 2001:db8:ffff:0::1\n",
	             "t.conf:6: mag 2001:db8:ffff::1 is already defined on line 5");
	expect_error(BASE "mn a@x\n\nmn a@x { prefix 2001:db8:1::/64 }\n",
	             "t.conf:8: mn a@x is already defined on line 6");
	expect_error(BASE "uplink-interface eth1\n",
	             "t.conf:6: uplink-interface is already set on line 2");
	expect_error(BASE "mn any\n", "t.conf:6: mn any is already set on line 4");
	expect_error(BASE "mag 2001:db8:ffff::2 { mn a@x\nmn a@x }\n",
	             "t.conf:7: mag 2001:db8:ffff::2: mn a@x is listed twice");
	expect_error(BASE "upn-retransmit tries 3 tries 4\n",
	             "t.conf:6: upn-retransmit: tries is given twice");
	expect_error(BASE "prefix-hold off\nprefix-hold 5s\n",
	             "t.conf:7: prefix-hold is already set on line 6");
}
END_TEST

START_TEST(error_overlapping_prefixes)
{
	expect_error(BASE "mn a@x { prefix 2001:db8:1::/64 }\nmn c@x { prefix 2001:db8:1::/64 }\n",
	             "t.conf:7: mn c@x: prefix 2001:db8:1::/64 overlaps prefix 2001:db8:1::/64 of "
	             "mn a@x (line 6)");
	expect_error(BASE "mn c@x { prefix 2001:db8:0:5::/64 }\nmn a@x { prefix 2001:db8::/48 }\n",
	             "t.conf:7: mn a@x: prefix 2001:db8::/48 overlaps prefix 2001:db8:0:5::/64 of "
	             "mn c@x (line 6)");
	expect_error(BASE "mn a@x { prefix 2001:db8:1::/64 prefix 2001:db8:1::/56 }\n",
	             "t.conf:6: mn a@x: prefix 2001:db8:1::/64 overlaps its prefix "
	             "2001:db8:1::/56");
	expect_error(BASE "mn a@x { prefix 2001:db8:100:1::/64 }\n",
	             "t.conf:6: mn a@x: prefix 2001:db8:100:1::/64 overlaps prefix-pool "
	             "2001:db8:100::/40");
	expect_error(BASE "mn a@x { prefix 2001:db8::/32 }\n",
	             "t.conf:6: mn a@x: prefix 2001:db8::/32 overlaps prefix-pool "
	             "2001:db8:100::/40");
	/* neighbours that only touch are fine */
	lma_conf_free(parse_ok(BASE "mn a@x { prefix 2001:db8:1::/64 prefix 2001:db8:1:1::/64 }\n"
	                            "mn b@x { prefix 2001:db8:0:ffff::/64 }\n"));
}
END_TEST

START_TEST(error_unauthorized_mn)
{
	expect_error(BASE_NOANY "mn a@x\nmag 2001:db8:ffff::2 {\n mn a@x\n mn z@x\n}\n",
	             "t.conf:9: mag 2001:db8:ffff::2: mn z@x is not authorized (no \"mn z@x\" and "
	             "no \"mn any\")");
	/* authorized by a later "mn" line */
	lma_conf_free(parse_ok(BASE_NOANY "mag 2001:db8:ffff::2 { mn a@x }\nmn a@x\n"));
	expect_error(BASE "mag 2001:db8:ffff::2 { mn any }\n",
	             "t.conf:6: mag 2001:db8:ffff::2: \"mn any\" cannot be listed (a mag without "
	             "a list serves every authorized MN)");
}
END_TEST

START_TEST(error_muho_type)
{
	expect_error(BASE "muho-option-type 22\n",
	             "t.conf:6: muho-option-type: 22 is already used by another mobility option");
	expect_error(BASE "muho-option-type 1\n",
	             "t.conf:6: muho-option-type: 1 is already used by another mobility option");
	expect_error(BASE "muho-option-type 256\n",
	             "t.conf:6: muho-option-type: 256 is out of range (0..255)");
}
END_TEST

START_TEST(error_nai)
{
	char text[600];

	expect_error(BASE "mn \"mn 1@example.org\"\n",
	             "t.conf:6: mn: \"mn 1@example.org\" is not a valid NAI");
	expect_error(BASE "mn mn 1@example.org\n", "t.conf:6: mn: unexpected \"1@example.org\"");
	expect_error(BASE "mn \"caf\xc3\xa9@x\"\n",
	             "t.conf:6: mn: \"caf\xc3\xa9@x\" is not a valid NAI");
	expect_error(BASE "mn \"\"\n", "t.conf:6: mn: empty MN-ID");
	expect_error(BASE "mn \"any\"\n",
	             "t.conf:6: mn: \"any\" is not an MN-ID (mn any allows every MN)");
	snprintf(text, sizeof(text), BASE "mn %0254d\n", 0);
	expect_error(text, "t.conf:6: mn: MN-ID is longer than 253 characters");
	snprintf(text, sizeof(text), BASE "mn %0253d\n", 0);
	lma_conf_free(parse_ok(text));
}
END_TEST

START_TEST(error_long_line_or_token)
{
	size_t n = strlen(BASE);
	char *text = malloc(n + 8000);

	strcpy(text, BASE);
	memset(text + n, '#', 4096); /* exactly the longest line */
	strcpy(text + n + 4096, "\n");
	lma_conf_free(parse_ok(text));
	memset(text + n, '#', 4097);
	strcpy(text + n + 4097, "\n");
	expect_error(text, "t.conf:6: line is longer than 4096 characters");
	memset(text + n, 'x', 7000); /* no newline at all */
	text[n + 7000] = '\0';
	expect_error(text, "t.conf:6: line is longer than 4096 characters");
	memcpy(text + n, "mn ", 3);
	memset(text + n + 3, 'a', 1025);
	strcpy(text + n + 3 + 1025, "\n");
	expect_error(text, "t.conf:6: token is longer than 1024 characters");
	memcpy(text + n, "mn \"", 4);
	memset(text + n + 4, 'a', 1025);
	strcpy(text + n + 4 + 1025, "\"\n");
	expect_error(text, "t.conf:6: token is longer than 1024 characters");
	memset(text + n + 3, 'a', 1024);
	strcpy(text + n + 3 + 1024, "\n");
	expect_error(text, "t.conf:6: mn: MN-ID is longer than 253 characters");
	free(text);
}
END_TEST

START_TEST(error_lexical)
{
	expect_error(BASE "mn \"a@x\n", "t.conf:6: unterminated quoted string");
	expect_error(BASE "mn \"a@x\\\n", "t.conf:6: unterminated quoted string");
	expect_error(BASE "mn \"a\\q@x\"\n",
	             "t.conf:6: only \\\" and \\\\ may follow \\ in a quoted string");
	expect_error_len(BASE "mn a\0b\n", strlen(BASE) + 7, "t.conf:6: invalid character 0x00");
	expect_error(BASE "mn a\x01"
	                  "b\n",
	             "t.conf:6: invalid character 0x01");
	expect_error(BASE "mn \"a\x7f"
	                  "b\"\n",
	             "t.conf:6: invalid character 0x7f");
	/* anything goes in a comment */
	lma_conf_free(parse_ok(BASE "# \x01\x7f\xff \"\n"));
}
END_TEST

START_TEST(error_required)
{
	expect_error("", "t.conf:1: lma-address is required");
	expect_error("# nothing\n\n", "t.conf:2: lma-address is required");
	expect_error("lma-address 2001:db8:ffff::100\n", "t.conf:1: uplink-interface is required");
	expect_error("lma-address 2001:db8:ffff::100\nuplink-interface eth0\n"
	             "mag 2001:db8:ffff::1\n",
	             "t.conf:3: no MN is authorized: add \"mn\" statements or \"mn any\"");
	expect_error("lma-address 2001:db8:ffff::100\nuplink-interface eth0\nmn any\n",
	             "t.conf:3: no MAG is authorized: add \"mag\" statements");
	expect_error("lma-address 2001:db8:ffff::100\nuplink-interface eth0\n"
	             "mag 2001:db8:ffff::1\nmn any\n",
	             "t.conf:4: mn any needs a prefix-pool");
	expect_error("lma-address 2001:db8:ffff::100\nuplink-interface eth0\n"
	             "mag 2001:db8:ffff::1\nmn a@x { prefix 2001:db8:1::/64 }\nmn b@x\n",
	             "t.conf:5: mn b@x has no static prefix and there is no prefix-pool");
}
END_TEST

START_TEST(error_pool_length)
{
	expect_error("prefix-pool 2001:db8:100::/40 length 32\n",
	             "t.conf:1: prefix-pool length: 32 is out of range (40..128)");
	expect_error("prefix-pool 2001:db8:100::/40 length 129\n",
	             "t.conf:1: prefix-pool length: 129 is out of range (40..128)");
	expect_error("prefix-pool 2001:db8::/96\n",
	             "t.conf:1: prefix-pool: the pool is /96 but the allocation length is 64 (the "
	             "default): give \"length\"");
	expect_error("prefix-pool 2001:db8::/96 length\n",
	             "t.conf:1: prefix-pool length: missing value");
}
END_TEST

START_TEST(error_other_values)
{
	char text[400];

	expect_error(BASE "tunnel-driver gre\n",
	             "t.conf:6: tunnel-driver: \"gre\" is not one of auto, seg6, ip6tnl, ebpf");
	expect_error(BASE "replay-protection none\n",
	             "t.conf:6: replay-protection: \"none\" is not one of sequence, timestamp");
	expect_error(BASE "upn-retransmit initial 2s max 1s\n",
	             "t.conf:6: upn-retransmit: max 1s is less than initial 2s");
	expect_error(BASE "upn-retransmit initial 2m\n",
	             "t.conf:6: upn-retransmit: max 32s is less than initial 120s");
	expect_error(BASE "control-socket run/lmad.sock\n",
	             "t.conf:6: control-socket: \"run/lmad.sock\" is not an absolute path");
	snprintf(text, sizeof(text), BASE "control-socket /%0107d\n", 0);
	expect_error(text, "t.conf:6: control-socket: longer than 107 characters");
	expect_error(BASE "lease-file lmad.leases\n",
	             "t.conf:6: lease-file: \"lmad.leases\" is not an absolute path");
	expect_error(BASE "lease-sync 50ms\n",
	             "t.conf:6: lease-sync: 50ms is out of range (100ms..3600s)");
	expect_error(BASE "control-group \"a b\"\n",
	             "t.conf:6: control-group: \"a b\" is not a valid group name");
	expect_error(BASE "control-group -x\n",
	             "t.conf:6: control-group: \"-x\" is not a valid group name");
	expect_error(BASE "control-group abcdefghijabcdefghijabcdefghijab\n",
	             "t.conf:6: control-group: longer than 31 characters");
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
	expect_error("uplink-interface eth/0\n",
	             "t.conf:1: uplink-interface: \"eth/0\" is not a valid interface name");
	expect_error("uplink-interface \"\"\n", "t.conf:1: uplink-interface: empty interface name");
	expect_error(BASE "mn a@x { prefix 2001:db8:1::/64 prefix 2001:db8:2::/64 "
	                  "prefix 2001:db8:3::/64 prefix 2001:db8:4::/64 prefix 2001:db8:5::/64 "
	                  "prefix 2001:db8:6::/64 prefix 2001:db8:7::/64 prefix 2001:db8:8::/64 "
	                  "prefix 2001:db8:9::/64 }\n",
	             "t.conf:6: mn a@x: more than 8 static prefixes");
}
END_TEST

START_TEST(error_flow_settings)
{
	expect_error(BASE "flow-queue 65536\n",
	             "t.conf:6: flow-queue: 65536 is out of range (0..65535)");
	expect_error(BASE "flow-fail maybe\n",
	             "t.conf:6: flow-fail: \"maybe\" is not one of closed, open");
	expect_error(BASE "flow-idle-timeout 500ms\n",
	             "t.conf:6: flow-idle-timeout: 500ms is out of range (1s..432000s)");
	expect_error(BASE "flow-idle-timeout 300\n",
	             "t.conf:6: flow-idle-timeout: \"300\" has no unit (ms, s or m)");
	expect_error(BASE "flow-queue 1\nflow-queue 2\n",
	             "t.conf:7: flow-queue is already set on line 6");
	expect_error(BASE "flow-max 0\n", "t.conf:6: flow-max: 0 is out of range (1..16777216)");
	expect_error(BASE "flow-max 16777217\n",
	             "t.conf:6: flow-max: 16777217 is out of range (1..16777216)");
	expect_error(BASE "flow-max-per-mn 0\n",
	             "t.conf:6: flow-max-per-mn: 0 is out of range (1..16777216)");
	expect_error(BASE "flow-max-per-mn -1\n",
	             "t.conf:6: flow-max-per-mn: \"-1\" is not a number");
	expect_error(BASE "flow-max 5\nflow-max 6\n", "t.conf:7: flow-max is already set on line 6");
}
END_TEST

START_TEST(error_policy_syntax)
{
	expect_error(BASE "policy to default\n",
	             "t.conf:6: policy: missing \"{\" (\"policy { } to ...\" matches every flow)");
	expect_error(BASE "policy\n{ } to default\n",
	             "t.conf:6: policy: missing \"{\" (\"policy { } to ...\" matches every flow)");
	expect_error(BASE "policy { proto udp }\n",
	             "t.conf:6: policy: missing target (to att N, to mag ADDRESS, to llid MAC or "
	             "to default, or a mode and its targets)");
	expect_error(BASE "policy {\n proto udp\n}",
	             "t.conf:8: policy: missing target (to att N, to mag ADDRESS, to llid MAC or "
	             "to default, or a mode and its targets)");
	expect_error(BASE "policy { proto udp } att 7\n",
	             "t.conf:6: policy: att: not \"to\" or a mode (priority, active-standby, "
	             "load-balance, bicast, smallest-delay)");
	expect_error(BASE "policy { } to\n",
	             "t.conf:6: policy: to: missing target (att N, mag ADDRESS, llid MAC or default)");
	expect_error(BASE "policy { } to binding 3\n",
	             "t.conf:6: policy: binding: not a target (att N, mag ADDRESS, llid MAC or "
	             "default)");
	expect_error(BASE "policy { } to default now\n", "t.conf:6: policy: now: unexpected");
	expect_error(BASE "policy { } to att 7 {\n", "t.conf:6: policy: unexpected \"{\"");
	expect_error(BASE "policy { frob 1 } to default\n",
	             "t.conf:6: unknown keyword \"frob\" in policy block");
	expect_error(BASE "policy { proto udp\n", "t.conf:6: \"{\" is never closed");
	expect_error(BASE "policy { proto udp proto tcp } to default\n",
	             "t.conf:6: policy: proto is given twice");
	expect_error(BASE "policy { proto } to default\n", "t.conf:6: policy proto: missing value");
	expect_error(BASE "policy { { } } to default\n", "t.conf:6: unexpected \"{\"");
}
END_TEST

START_TEST(error_policy_values)
{
	expect_error(BASE "policy { proto gre } to default\n",
	             "t.conf:6: policy proto: \"gre\" is not a protocol (tcp, udp, icmpv6, sctp, "
	             "udplite or 0..255)");
	expect_error(BASE "policy { proto 256 } to default\n",
	             "t.conf:6: policy proto: \"256\" is not a protocol (tcp, udp, icmpv6, sctp, "
	             "udplite or 0..255)");
	expect_error(BASE "policy { dst-port 5010-5001 } to default\n",
	             "t.conf:6: policy dst-port: range \"5010-5001\" ends before it starts");
	expect_error(BASE "policy { src-port 65536 } to default\n",
	             "t.conf:6: policy src-port: \"65536\" is not a port or a range of ports "
	             "(0..65535, N or N-M)");
	static const char *const bad_ports[] = { "-1", "1-", "a", "1-2-3", "0x50", "1 -2", "" };
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		char text[300], msg[300];

		snprintf(text, sizeof(text), BASE "policy { dst-port \"%s\" } to default\n",
		         bad_ports[i]);
		snprintf(msg, sizeof(msg),
		         "t.conf:6: policy dst-port: \"%s\" is not a port or a range of ports "
		         "(0..65535, N or N-M)",
		         bad_ports[i]);
		expect_error(text, msg);
	}
	expect_error(BASE "policy { flow-label 0x100000 } to default\n",
	             "t.conf:6: policy flow-label: \"0x100000\" is out of range (0..0xfffff)");
	expect_error(BASE "policy { flow-label 0x } to default\n",
	             "t.conf:6: policy flow-label: \"0x\" is not a number");
	expect_error(BASE "policy { flow-label 12a } to default\n",
	             "t.conf:6: policy flow-label: \"12a\" is not a number");
	expect_error(BASE "policy { traffic-class 256 } to default\n",
	             "t.conf:6: policy traffic-class: \"256\" is out of range (0..255)");
	expect_error(BASE "policy { traffic-class 0xfffffffffffffffffffff } to default\n",
	             "t.conf:6: policy traffic-class: \"0xfffffffffffffffffffff\" is out of range "
	             "(0..255)");
	expect_error(BASE "policy { src 2001:db8:c::1/64 } to default\n",
	             "t.conf:6: policy src: \"2001:db8:c::1/64\" has host bits set");
	expect_error(BASE "policy { dst 2001:db8:c:: } to default\n",
	             "t.conf:6: policy dst: \"2001:db8:c::\" is not an IPv6 prefix "
	             "(address/length)");
	expect_error(
	        BASE "policy { mn any } to default\n",
	        "t.conf:6: policy mn: \"any\" is not an MN-ID (leave mn out to match every MN)");
	expect_error(BASE "policy { mn \"a b\" } to default\n",
	             "t.conf:6: policy mn: \"a b\" is not a valid NAI");
}
END_TEST

START_TEST(error_policy_targets)
{
	expect_error(BASE "policy { } to att 0\n",
	             "t.conf:6: policy: att 0: an access technology type is from 1 to 255");
	expect_error(BASE "policy { } to att 256\n",
	             "t.conf:6: policy: att 256: an access technology type is from 1 to 255");
	expect_error(BASE "policy { } to att\n", "t.conf:6: policy: att: missing value");
	expect_error(BASE "policy { } to mag ff02::1\n",
	             "t.conf:6: policy mag: ff02::1 is not a unicast address");
	expect_error(BASE "policy { } to mag 2001:db8:ffff::9\n",
	             "t.conf:6: policy: mag 2001:db8:ffff::9: no \"mag 2001:db8:ffff::9\" "
	             "statement");
	static const char *const bad_llids[] = {
		"00:00:00:00:00:00",
		"2:00:00:00:00:01",
		"02:00:00:00:00:1",
		"02-00-00-00-00-01",
		"02:00:00:00:00:01:",
		":02",
		"0g",
		"020000000001",
		"00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:"
		"1b:"
		"1c:1d:1e:1f:20",
	};
	for (size_t i = 0; i < sizeof(bad_llids) / sizeof(bad_llids[0]); i++) {
		char text[400], msg[400], q[CFG_QUOTE_MAX];

		snprintf(text, sizeof(text), BASE "policy { } to llid %s\n", bad_llids[i]);
		(void)q;
		snprintf(msg, sizeof(msg),
		         "t.conf:6: policy: llid %s: not a link-layer identifier (1 to 32 "
		         "octets in hex, not all zero, such as 02:00:00:00:00:01)",
		         bad_llids[i]);
		expect_error(text, msg);
	}
	/* an MN that can never register */
	expect_error(
	        BASE_NOANY "mn a@x { prefix 2001:db8:1::/64 }\n"
	                   "policy { mn b@x } to default\n",
	        "t.conf:7: policy: mn b@x is not authorized (no \"mn b@x\" and no \"mn any\")");
	/* policies may come before the mn and mag statements they name */
	lma_conf_free(parse_ok(BASE_NOANY "policy { mn a@x } to mag 2001:db8:ffff::2\n"
	                                  "mn a@x\nmag 2001:db8:ffff::2\n"));
}
END_TEST

/* --- golden files: tests/lma/conf/NAME.conf prints as NAME.ok --- */

/* Every policy a configuration accepts, the classifier accepts too. */
static void check_policies_load(const struct lma_conf *c)
{
	const struct lma_conf_policy *cp;
	struct fc *fc = fc_new();

	ck_assert_ptr_nonnull(fc);
	TAILQ_FOREACH(cp, &c->policies, entry)
	ck_assert_uint_ne(fc_policy_add(fc, &cp->policy, 0), 0);
	ck_assert_uint_eq(fc_policy_count(fc), c->n_policies);
	fc_free(fc);
}

static void check_golden(const char *dir, const char *file)
{
	char path[4096], err[512] = "", *want, *got;
	struct lma_conf *c;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	c = lma_conf_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	got = check_reprint(c, file);
	check_policies_load(c);
	strcpy(path + strlen(path) - strlen(".conf"), ".ok");
	want = read_file(path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs from %s; it prints:\n%s", file, path,
	              got);
	free(want);
	free(got);
	lma_conf_free(c);
}

START_TEST(golden_files)
{
	const char *dir = getenv("CONF_DIR") ? getenv("CONF_DIR") : CONF_DIR_DEFAULT;
	struct dirent **list;
	int n = scandir(dir, &list, is_conf, alphasort);

	ck_assert_msg(n >= 5, "%s: expected golden .conf files (set CONF_DIR)", dir);
	for (int i = 0; i < n; i++) {
		check_golden(dir, list[i]->d_name);
		free(list[i]);
	}
	free(list);
}
END_TEST

/* --- scale --- */

#define BIG_MNS 100000

/* Every tenth MN has a static prefix (outside the pool); a MAG lists a thousand of them. */
static FILE *write_big(void)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	fputs("lma-address 2001:db8:ffff::100\nuplink-interface eth0\n"
	      "prefix-pool 2001:db8:100::/40\nmag 2001:db8:ffff::1\n",
	      f);
	for (unsigned i = 0; i < BIG_MNS; i++) {
		if (i % 10 == 0)
			fprintf(f, "mn mn%u@example.org { prefix 2001:db8:%x:%x::/64 }\n", i,
			        i >> 16, i & 0xffff);
		else
			fprintf(f, "mn mn%u@example.org\n", i);
	}
	fputs("mag 2001:db8:ffff::2 {\n", f);
	for (unsigned i = 0; i < 1000; i++)
		fprintf(f, "\tmn mn%u@example.org\n", i * 7);
	fputs("}\n", f);
	rewind(f);
	return f;
}

START_TEST(hundred_thousand_mns)
{
	FILE *f = write_big();
	char err[512] = "", id[64];
	double t0 = now_s(), t1, t2;
	struct lma_conf *c = lma_conf_parse(f, "big.conf", err, sizeof(err));
	const struct lma_conf_mag *mag;
	const struct lma_conf_mn *mn;
	unsigned wrong = 0;
	struct in6_addr a;

	t1 = now_s();
	fclose(f);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_mns, BIG_MNS);
	ck_assert_uint_ge(c->mn_index.size, c->mn_index.count); /* load factor at most 1 */
	for (unsigned i = 0; i < BIG_MNS; i++) { /* one assert at the end: Check's are slow */
		snprintf(id, sizeof(id), "mn%u@example.org", i);
		mn = lma_conf_find_mn(c, id);
		wrong += !mn || strcmp(mn->id, id) != 0 || mn->n_static != (i % 10 == 0);
	}
	t2 = now_s();
	ck_assert_uint_eq(wrong, 0);
	ck_assert_ptr_null(lma_conf_find_mn(c, "mn100000@example.org"));
	inet_pton(AF_INET6, "2001:db8:ffff::2", &a);
	mag = lma_conf_find_mag(c, &a);
	ck_assert_ptr_nonnull(mag);
	ck_assert(lma_conf_mag_may_serve(mag, "mn6993@example.org"));
	ck_assert(!lma_conf_mag_may_serve(mag, "mn6994@example.org"));
	printf("%d MNs: parsed in %.0f ms, %d lookups in %.0f ms\n", BIG_MNS, (t1 - t0) * 1e3,
	       BIG_MNS, (t2 - t1) * 1e3);
	lma_conf_free(c);
}
END_TEST

/* --- random input --- */

/* Whatever the input, either a configuration that prints and reparses identically, or one
 * error of the form "t.conf:6: message". Returns whether it parsed. */
static bool check_any_input(const char *text, size_t len)
{
	char err[512] = "";
	struct lma_conf *c = parse_len(text, len, err, sizeof(err));
	unsigned line = 0;
	int n = 0;

	if (c) {
		free(check_reprint(c, "random input"));
		check_policies_load(c);
		lma_conf_free(c);
		return true;
	}
	ck_assert_msg(sscanf(err, "t.conf:%u: %n", &line, &n) == 1 && n > 0 && err[n] != '\0',
	              "malformed error \"%s\"", err);
	ck_assert_uint_ge(line, 1);
	return false;
}

static const char full_example[] =
        "lma-address 2001:db8:ffff::100\n"
        "uplink-interface eth0\n"
        "tunnel-driver auto            # auto | ebpf | ip6tnl | seg6\n"
        "table-base 1000\n"
        "rule-priority 1000\n"
        "muho-option-type 18\n"
        "replay-protection timestamp\n"
        "timestamp-window 300ms\n"
        "max-lifetime 3600s\n"
        "bce-delete-delay 10s\n"
        "new-bce-delay 1500ms\n"
        "upn-retransmit initial 1s max 32s tries 6\n"
        "prefix-pool 2001:db8:100::/40 length 64\n"
        "control-socket \"/run/pmip6/lmad.sock\"\n"
        "control-group daemon\n"
        "mn any\n"
        "mn mn1@example.org { prefix 2001:db8:1:1::/64 prefix 2001:db8:1:2::/64 }\n"
        "mn \"mn#2@example.org\"\n"
        "mag 2001:db8:ffff::1\n"
        "mag 2001:db8:ffff::2 { mn mn1@example.org\n mn \"mn#2@example.org\" }\n"
        "flow-queue 3\n"
        "flow-fail closed\n"
        "flow-idle-timeout 10m\n"
        "policy { mn mn1@example.org dst-port 5001-5010 proto udp } to att 7\n"
        "policy { dst 2001:db8:100::/48 proto tcp flow-label 0x12345 } to mag 2001:db8:ffff::2\n"
        "policy { src 2001:db8:c::/64 traffic-class 0x20 src-port 1-2 } to llid 02:00:00:00:00:01\n"
        "policy {\n proto icmpv6 } to default\n";

/* clang-format off */
static const char *const vocab[] = {
	"lma-address", "uplink-interface", "tunnel-driver", "table-base", "rule-priority",
	"muho-option-type", "replay-protection", "timestamp-window", "max-lifetime",
	"bce-delete-delay", "new-bce-delay", "upn-retransmit", "initial", "max", "tries",
	"prefix-hold", "attached", "off", "revocation-retransmit",
	"prefix-pool", "length", "control-socket", "control-group", "mn", "mag", "prefix", "any",
	"auto", "seg6", "ip6tnl", "timestamp", "sequence", "2001:db8:ffff::100",
	"2001:db8:ffff::1", "2001:db8:ffff::2", "2001:db8:100::/40", "2001:db8:1:1::/64",
	"2001:db8:1::/48", "2001:db8:1:1::1/64", "::/0", "mn1@example.org", "mn2@example.org",
	"\"a b\"", "\"x#y@z\"", "\"any\"", "eth0", "1000", "18", "22", "300ms", "1.5s", "10s",
	"64", "0", "4294967296", "{", "}", "{", "}", "\n", "\n", "\n", "\n", "#", "\"",
	"/run/x.sock", "pmip", "\r\n", "policy", "to", "att", "default", "llid", "src", "dst",
	"proto", "src-port", "dst-port", "flow-label", "traffic-class", "udp", "icmpv6", "7",
	"5001-5010", "10-1", "0x12345", "0x20", "02:00:00:00:00:01", "2001:db8:c::/64",
	"flow-queue", "flow-fail", "flow-idle-timeout", "open", "closed", "lease-file", "lease-sync",
	"max-bindings", "max-bindings-per-mag", "max-bindings-per-mn", "max-resting-prefixes",
	"flow-max", "flow-max-per-mn",
};
/* clang-format on */
#define N_VOCAB (sizeof(vocab) / sizeof(vocab[0]))

#include "tests/conf_test_random.h"

START_TEST(random_mutations)
{
	size_t n = strlen(full_example);
	char buf[sizeof(full_example) + 64];

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
		check_any_input(buf, len);
	}
}
END_TEST

static Suite *lma_conf_suite(void)
{
	Suite *s = suite_create("lma_conf");
	TCase *lex = tcase_create("cfgparse");
	TCase *kw = tcase_create("keywords");
	TCase *err = tcase_create("errors");
	TCase *gold = tcase_create("golden");
	TCase *big = tcase_create("scale");
	TCase *rnd = tcase_create("random");

	tcase_add_test(lex, lexer_tokens);
	tcase_add_test(lex, lexer_errors_stick);
	tcase_add_test(lex, value_parsers);
	tcase_add_test(lex, lookup_and_printing_helpers);
	tcase_add_test(kw, defaults);
	tcase_add_test(kw, heartbeat_statement);
	tcase_add_test(kw, flow_settings);
	tcase_add_test(kw, policies_in_order);
	tcase_add_test(kw, policy_values);
	tcase_add_test(kw, policies_load_into_the_classifier);
	tcase_add_test(kw, every_keyword);
	tcase_add_test(kw, tunnel_mtu);
	tcase_add_test(kw, durations);
	tcase_add_test(kw, layout_is_free_within_blocks);
	tcase_add_test(kw, lookups);
	tcase_add_test(kw, load_from_a_file);
	tcase_add_test(err, error_unknown_keyword);
	tcase_add_test(err, error_missing_value);
	tcase_add_test(err, error_bad_address);
	tcase_add_test(err, error_host_bits);
	tcase_add_test(err, error_prefix_length);
	tcase_add_test(err, error_number_range);
	tcase_add_test(err, limits_have_defaults_and_can_be_set);
	tcase_add_test(kw, control_limits);
	tcase_add_test(err, error_duration);
	tcase_add_test(err, error_unbalanced_braces);
	tcase_add_test(err, error_duplicates);
	tcase_add_test(err, error_overlapping_prefixes);
	tcase_add_test(err, error_unauthorized_mn);
	tcase_add_test(err, error_muho_type);
	tcase_add_test(err, error_nai);
	tcase_add_test(err, error_long_line_or_token);
	tcase_add_test(err, error_lexical);
	tcase_add_test(err, error_required);
	tcase_add_test(err, error_pool_length);
	tcase_add_test(err, error_other_values);
	tcase_add_test(err, error_flow_settings);
	tcase_add_test(err, error_policy_syntax);
	tcase_add_test(err, error_policy_values);
	tcase_add_test(err, error_policy_targets);
	tcase_add_test(gold, golden_files);
	tcase_add_test(big, hundred_thousand_mns);
	tcase_add_test(rnd, random_truncations);
	tcase_add_test(rnd, random_bytes);
	tcase_add_test(rnd, random_token_soup);
	tcase_add_test(rnd, random_mutations);
	suite_add_tcase(s, lex);
	suite_add_tcase(s, kw);
	suite_add_tcase(s, err);
	suite_add_tcase(s, gold);
	suite_add_tcase(s, big);
	suite_add_tcase(s, rnd);
	return s;
}

CHECK_MAIN(lma_conf_suite)
