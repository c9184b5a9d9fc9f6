/* test_parser.c: pmipctl's command words (pmipctl/parser.c): unambiguous prefixes at every level,
 * arguments included, ambiguity errors, help and completion; the requests built from them and
 * their argument checks (pmipctl/request.c), made before any connection; and flow policies as
 * words (lma/fc_words.c), read and printed back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/fc_words.h"
#include "pmipctl/parser.h"
#include "pmipctl/request.h"
#include "tests/check_main.h"

/* The words of line in argv (at most 32; they point into a static copy of line). */
static int split(const char *line, char **argv)
{
	static char buf[512];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok(buf, " "); w && argc < 32; w = strtok(NULL, " "))
		argv[argc++] = w;
	return argc;
}

static int parse(const char *line, struct parse_result *res)
{
	static char *argv[32];
	int argc = split(line, argv);

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
	ck_assert_int_eq(parse("show peers", &r), 0);
	ck_assert_int_eq(r.action, ACT_SHOW_PEERS);
	ck_assert_int_eq(parse("s pe", &r), 0);
	ck_assert_int_eq(r.action, ACT_SHOW_PEERS);
	ck_assert_int_eq(parse("s p", &r), -1); /* peers or policies */
	ck_assert_int_eq(parse("s po", &r), 0);
	ck_assert_int_eq(r.action, ACT_POLICY_LIST);
	ck_assert_int_eq(parse("dereg mn2@x", &r), 0);
	ck_assert_int_eq(r.action, ACT_DEREGISTER);
	ck_assert_int_eq(parse("policy l", &r), 0);
	ck_assert_int_eq(r.action, ACT_POLICY_LIST);
	ck_assert_int_eq(parse("show policies", &r), 0); /* the same list */
	ck_assert_int_eq(r.action, ACT_POLICY_LIST);
}
END_TEST

/* The words after the command, keywords spelt out in full, in one string. */
static const char *arguments(const struct parse_result *r)
{
	static char buf[512];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < r->argc; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? " " : "",
		                        r->argv[i]);
	return buf;
}

START_TEST(arguments_abbreviated)
{
	struct parse_result r;

	ck_assert_int_eq(parse("flow mo 1 to at 7", &r), 0);
	ck_assert_int_eq(r.action, ACT_FLOW_MOVE);
	ck_assert_str_eq(arguments(&r), "1 to att 7");
	ck_assert_int_eq(parse("f m 12 to b 3", &r), 0);
	ck_assert_str_eq(arguments(&r), "12 to binding 3");
	ck_assert_int_eq(parse("po a be 2 pro udp dst-p 5001-5010 src-p 7 mn mn1@x to de", &r), 0);
	ck_assert_int_eq(r.action, ACT_POLICY_ADD);
	ck_assert_str_eq(arguments(&r),
	                 "before 2 proto udp dst-port 5001-5010 src-port 7 mn mn1@x to default");
	/* an exact word wins over the longer ones it begins */
	ck_assert_int_eq(parse("policy add src 2001:db8::/64 dst 2001:db8:1::/64 to ll 02:00:00:00:00:01",
	                       &r),
	                 0);
	ck_assert_str_eq(arguments(&r),
	                 "src 2001:db8::/64 dst 2001:db8:1::/64 to llid 02:00:00:00:00:01");
	ck_assert_int_eq(parse("po add fl 5 tr 32 to ma 2001:db8::1", &r), 0);
	ck_assert_str_eq(arguments(&r), "flow-label 5 traffic-class 32 to mag 2001:db8::1");
	ck_assert_int_eq(parse("policy d 4", &r), 0);
	ck_assert_int_eq(r.action, ACT_POLICY_DEL);
	ck_assert_str_eq(arguments(&r), "4");
	ck_assert_int_eq(parse("rel", &r), 0);
	ck_assert_int_eq(r.action, ACT_RELOAD);
	ck_assert_int_eq(parse("sh v", &r), 0);
	ck_assert_int_eq(r.action, ACT_SHOW_VERSION);
}
END_TEST

START_TEST(ambiguous_words)
{
	struct parse_result r;

	ck_assert_int_eq(parse("policy add d 2001:db8::/64 to default", &r), -1); /* dst, dst-port */
	ck_assert_int_eq(parse("policy add s 2001:db8::/64 to default", &r), -1); /* src, src-port */
	ck_assert_int_eq(parse("policy add proto udp t default", &r), -1); /* to, traffic-class */
	ck_assert_int_eq(parse("policy add dst-port 1 to", &r), -1);       /* no target */
	ck_assert_int_eq(parse("policy add to default extra", &r), -1);
	ck_assert_int_eq(parse("flow move 1 from att 7", &r), -1);
	ck_assert_int_eq(parse("flow move 1 to x 7", &r), -1);
	ck_assert_int_eq(parse("flow move 1 to att", &r), -1);
	ck_assert_int_eq(parse("reload now", &r), -1);
}
END_TEST

/* What a printing function writes, caught in memory: capture_begin() gives it a stream,
 * capture_end() the text it holds (in a static buffer). */
static FILE *capture;
static char *capture_text;
static size_t capture_len;

static FILE *capture_begin(void)
{
	capture = open_memstream(&capture_text, &capture_len);
	ck_assert_ptr_nonnull(capture);
	return capture;
}

static const char *capture_end(void)
{
	static char buf[2048];

	ck_assert_int_eq(fclose(capture), 0);
	snprintf(buf, sizeof(buf), "%s", capture_text);
	free(capture_text);
	return buf;
}

static const char *help_text(const struct parse_result *r)
{
	parse_print_help(capture_begin(), r);
	return capture_end();
}

START_TEST(help_everywhere)
{
	struct parse_result r;

	ck_assert_int_eq(parse("help", &r), 0);
	ck_assert(r.help);
	ck_assert_ptr_nonnull(strstr(help_text(&r), "reload "));
	ck_assert_int_eq(parse("he show", &r), 0);
	ck_assert(r.help);
	ck_assert_ptr_nonnull(strstr(help_text(&r), "version "));
	ck_assert_int_eq(parse("flow help", &r), 0);
	ck_assert_ptr_nonnull(strstr(help_text(&r), "move "));
	ck_assert_int_eq(parse("flow move 3 to help", &r), 0);
	ck_assert_ptr_nonnull(strstr(help_text(&r), "binding "));
	ck_assert_int_eq(parse("help policy add proto udp", &r), 0);
	ck_assert_ptr_nonnull(strstr(help_text(&r), "traffic-class "));
	ck_assert_ptr_null(strstr(help_text(&r), "before "));
	ck_assert_int_eq(parse("show stats help", &r), 0);
	ck_assert_str_eq(help_text(&r), "the command is complete here\n");
	ck_assert_int_eq(parse("help show bananas", &r), -1); /* a wrong word is still wrong */
}
END_TEST

static const char *completed(const char *line)
{
	static char *argv[32];
	int argc = split(line, argv);
	int rc = parse_complete(argc, argv, capture_begin());
	const char *text = capture_end();

	return rc < 0 ? "(error)" : text;
}

START_TEST(completion)
{
	ck_assert_str_eq(completed(""), "deregister\nflow\nhelp\npolicy\nreload\nshow\n");
	ck_assert_str_eq(completed("sh"), "bindings\nflows\npeers\npolicies\nstats\nversion\n");
	ck_assert_str_eq(completed("flow move 3 to"), "att\nbinding\nmag\n");
	ck_assert_str_eq(completed("flow move"), ""); /* a value: nothing to offer */
	ck_assert_str_eq(completed("policy add to"), "att\ndefault\nllid\nmag\n");
	ck_assert_str_eq(completed("show bogus"), "(error)");
}
END_TEST

static int request(const char *line, struct request *req)
{
	struct parse_result r;

	ck_assert_int_eq(parse(line, &r), 0);
	return request_build(&r, req);
}

START_TEST(requests_checked_before_connecting)
{
	struct request req;
	struct ctl_flow_move m;
	uint32_t id;

	ck_assert_int_eq(request("flow mo 1 to at 7", &req), 0);
	ck_assert_int_eq(req.type, CTL_REQ_FLOW_MOVE);
	ck_assert_uint_eq(req.len, sizeof(m));
	memcpy(&m, req.payload, sizeof(m));
	ck_assert_uint_eq(m.flow_id, 1);
	ck_assert_uint_eq(m.target, CTL_MOVE_ATT);
	ck_assert_uint_eq(m.att, 7);
	ck_assert_int_eq(request("flow move 1 to mag 2001:db8::2", &req), 0);
	memcpy(&m, req.payload, sizeof(m));
	ck_assert_uint_eq(m.target, CTL_MOVE_MAG);
	ck_assert_uint_eq(m.mag[15], 2);
	ck_assert_int_eq(request("policy del 9", &req), 0);
	memcpy(&id, req.payload, sizeof(id));
	ck_assert_uint_eq(id, 9);
	ck_assert_int_eq(request("reload", &req), 0);
	ck_assert_int_eq(req.type, CTL_REQ_RELOAD);
	ck_assert_uint_eq(req.len, 0);
	ck_assert_int_eq(request("show bindings mn1@x", &req), 0);
	ck_assert_str_eq((const char *)req.payload, "mn1@x");
	ck_assert_uint_eq(req.len, 6);
	/* wrong values: refused by pmipctl itself, nothing to send */
	ck_assert_int_eq(request("flow move x to att 7", &req), -1);
	ck_assert_int_eq(request("flow move 0 to att 7", &req), -1);
	ck_assert_int_eq(request("flow move 1 to att 0", &req), -1);
	ck_assert_int_eq(request("flow move 1 to att 256", &req), -1);
	ck_assert_int_eq(request("flow move 1 to mag 10.0.0.1", &req), -1);
	ck_assert_int_eq(request("flow move 1 to binding -3", &req), -1);
	ck_assert_int_eq(request("flow move 1 to binding 18446744073709551616", &req), -1);
	ck_assert_int_eq(request("policy del 0", &req), -1);
	ck_assert_int_eq(request("policy del 4294967296", &req), -1);
	ck_assert_int_eq(request("policy add before x to default", &req), -1);
	ck_assert_int_eq(request("policy add proto bogus to default", &req), -1);
	ck_assert_int_eq(request("policy add dst-port 10-5 to default", &req), -1);
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
	ck_assert_int_eq(parse("", &r), -1);                             /* no command */
	ck_assert_int_eq(parse("policy", &r), -1);
}
END_TEST

static int words(const char *line, struct fc_policy *p, char *err, size_t errlen)
{
	static char *w[32];
	int n = split(line, w);

	return fc_policy_from_words(p, w, (size_t)n, err, errlen);
}

static const char *printed(const struct fc_policy *p)
{
	fc_policy_print_words(capture_begin(), p);
	return capture_end();
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
	tcase_add_test(tc, arguments_abbreviated);
	tcase_add_test(tc, ambiguous_words);
	tcase_add_test(tc, help_everywhere);
	tcase_add_test(tc, completion);
	tcase_add_test(tc, requests_checked_before_connecting);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, policy_words_round_trip);
	tcase_add_test(tc, policy_words_errors);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(parser_suite)
