/* test_parser.c: pmipctl's command words (pmipctl/parser.c): unambiguous prefixes, arguments,
 * what an error prints; and flow policies as words (lma/fc_words.c), read and printed back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/fc_words.h"
#include "pmipctl/parser.h"
#include "tests/check_main.h"

static int parse(const char *line, struct parse_result *res)
{
	static char buf[512];
	static char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok(buf, " "); w && argc < 32; w = strtok(NULL, " "))
		argv[argc++] = w;
	return parse_command(argc, argv, res);
}

START_TEST(full_and_abbreviated_words)
{
	struct parse_result r;

	ck_assert_int_eq(parse("show bindings", &r), 0);
	ck_assert_int_eq(r.action, ACT_SHOW_BINDINGS);
	ck_assert_str_eq(r.mn_id, "");
	ck_assert_int_eq(parse("sh b mn1@example.org", &r), 0);
	ck_assert_int_eq(r.action, ACT_SHOW_BINDINGS);
	ck_assert_str_eq(r.mn_id, "mn1@example.org");
	ck_assert_int_eq(parse("s st", &r), 0);
	ck_assert_int_eq(r.action, ACT_SHOW_STATS);
	ck_assert_int_eq(parse("show flows", &r), 0);
	ck_assert_int_eq(r.action, ACT_SHOW_FLOWS);
	ck_assert_int_eq(parse("dereg mn2@x", &r), 0);
	ck_assert_int_eq(r.action, ACT_DEREGISTER);
	ck_assert_int_eq(parse("policy l", &r), 0);
	ck_assert_int_eq(r.action, ACT_POLICY_LIST);
	ck_assert_int_eq(parse("show policies", &r), 0); /* the same list */
	ck_assert_int_eq(r.action, ACT_POLICY_LIST);
}
END_TEST

START_TEST(free_form_arguments)
{
	struct parse_result r;

	ck_assert_int_eq(parse("flow move 12 to att 7", &r), 0);
	ck_assert_int_eq(r.action, ACT_FLOW_MOVE);
	ck_assert_int_eq(r.rest_argc, 4);
	ck_assert_str_eq(r.rest_argv[0], "12");
	ck_assert_int_eq(parse("policy add proto udp to default", &r), 0);
	ck_assert_int_eq(r.action, ACT_POLICY_ADD);
	ck_assert_int_eq(r.rest_argc, 4);
}
END_TEST

START_TEST(errors)
{
	struct parse_result r;

	ck_assert_int_eq(parse("show", &r), -1);         /* incomplete */
	ck_assert_int_eq(parse("show bananas", &r), -1); /* unknown word */
	ck_assert_int_eq(parse("show x", &r), -1);       /* no word starts so */
	ck_assert_int_eq(parse("show bindings a b", &r), -1);
	ck_assert_int_eq(parse("show bindings no-at-sign\x7f", &r), -1); /* not an NAI */
	ck_assert_int_eq(parse("deregister", &r), -1);                   /* needs an MN-ID */
	ck_assert_int_eq(parse("flow move", &r), -1);                    /* needs arguments */
	ck_assert_int_eq(parse("policy", &r), -1);
}
END_TEST

static int words(const char *line, struct fc_policy *p, char *err, size_t errlen)
{
	static char buf[512];
	static char *w[32];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < 32; t = strtok(NULL, " "))
		w[n++] = t;
	return fc_policy_from_words(p, w, (size_t)n, err, errlen);
}

static const char *printed(const struct fc_policy *p)
{
	static char buf[512];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fc_policy_print_words(f, p);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(buf, sizeof(buf), "%s", text);
	free(text);
	return buf;
}

START_TEST(policy_words_round_trip)
{
	static const char *const lines[] = {
		"to default",
		"mn mn1@example.org proto udp dst-port 5001-5010 to att 7",
		"src 2001:db8:c::/64 dst 2001:db8:100::/48 proto tcp src-port 80 flow-label "
		"0x12345 "
		"traffic-class 0x20 to mag 2001:db8:ffff::2",
		"proto udp to llid 02:00:00:00:00:00:00:01",
		"proto icmpv6 to llid 02:00:00:00:00:01",
		"proto 99 to default",
	};
	struct fc_policy p, again;
	char err[128];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char first[512];

		ck_assert_msg(words(lines[i], &p, err, sizeof(err)) == 0, "%s: %s", lines[i], err);
		snprintf(first, sizeof(first), "%s", printed(&p));
		ck_assert_str_eq(first, lines[i]);
		ck_assert_int_eq(words(first, &again, err, sizeof(err)), 0);
		ck_assert_str_eq(printed(&again), first);
	}
}
END_TEST

START_TEST(policy_words_errors)
{
	static const char *const bad[] = {
		"proto udp",                 /* no target */
		"proto udp to",              /* target missing */
		"proto bogus to default",    /* unknown protocol */
		"dst-port 10-5 to default",  /* range backwards */
		"dst-port 70000 to default", /* out of range */
		"flow-label 0x100000 to default",
		"src 2001:db8::/129 to default",
		"mn bad\x01name to default", /* not an NAI */
		"colour red to default",     /* unknown word */
		"proto to default",          /* value missing: "to" is not a protocol */
		"to att 0",                  /* ATT 0 is reserved */
		"to mag notanaddress",
		"to llid 02:00:0", /* a pair cut short */
		"to llid 02-00-00",
		"to att 7 extra",
	};
	struct fc_policy p;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(words(bad[i], &p, err, sizeof(err)) == -1, "accepted: %s", bad[i]);
		ck_assert_msg(err[0] != '\0', "no message for: %s", bad[i]);
	}
}
END_TEST

static Suite *parser_suite(void)
{
	Suite *s = suite_create("pmipctl");
	TCase *tc = tcase_create("parser");

	tcase_add_test(tc, full_and_abbreviated_words);
	tcase_add_test(tc, free_form_arguments);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, policy_words_round_trip);
	tcase_add_test(tc, policy_words_errors);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(parser_suite)
