/* test_output.c: pmipctl's machine-readable outputs (pmipctl/output_openmetrics.c,
 * pmipctl/output_json.c) fed records as the daemons send them: the OpenMetrics families (one per
 * labelled group, whole even when its counters come interleaved with others, gauges and
 * counters, a trailing _total not doubled, names made of [a-zA-Z0-9_], # EOF last), a counter
 * sent twice refused by both formats, a counter group one JSON object, policies as structured
 * JSON. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmipctl/output.h"
#include "tests/check_main.h"

static int saved_stdout = -1;
static char out_path[] = "/tmp/test_output.XXXXXX";

/* stdout goes to a temporary file until output_text_of() reads it back. */
static void output_capture(void)
{
	int fd = mkstemp(out_path);

	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved_stdout = dup(1);
	ck_assert_int_ge(dup2(fd, 1), 0);
	close(fd);
}

static const char *output_text_of(void)
{
	static char buf[16384];
	FILE *f;
	size_t n;

	fflush(stdout);
	dup2(saved_stdout, 1);
	close(saved_stdout);
	f = fopen(out_path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(out_path);
	strcpy(out_path, "/tmp/test_output.XXXXXX");
	return buf;
}

static void stat_record(const struct output *o, const char *group, const char *name, uint64_t value)
{
	struct ctl_stat s = { .value = value };

	strncpy(s.group, group, sizeof(s.group)); /* a full field needs no NUL */
	strncpy(s.name, name, sizeof(s.name));
	o->stat(&s);
}

static void version_record(const struct output *o, const char *daemon)
{
	struct ctl_version v = { .version = "1.2.3" };

	snprintf(v.daemon, sizeof(v.daemon), "%s", daemon);
	o->version(&v);
}

START_TEST(openmetrics_families)
{
	const struct output *o = &output_openmetrics;
	const char *text;
	int rc;

	output_capture();
	o->begin(OUT_STATS);
	version_record(o, "lmad");
	stat_record(o, "pba", "0", 5);
	stat_record(o, "bindings", "current", 2);
	stat_record(o, "pba", "130", 1); /* the pba family must still come out whole */
	stat_record(o, "bindings", "over_limit_total", 4);
	stat_record(o, "flows", "max", 65536);
	stat_record(o, "kernel", "encap-errors", 7);
	rc = o->end();
	text = output_text_of();
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE pmip6_lma_build info\n"));
	ck_assert_ptr_nonnull(strstr(text, "pmip6_lma_build_info{version=\"1.2.3\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE pmip6_lma_pba counter\n# HELP pmip6_lma_pba "));
	ck_assert_ptr_nonnull(strstr(text, "pmip6_lma_pba_total{status=\"0\"} 5\n"
	                                   "pmip6_lma_pba_total{status=\"130\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE pmip6_lma_bindings_current gauge\n"));
	ck_assert_ptr_nonnull(strstr(text, "\npmip6_lma_bindings_current 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE pmip6_lma_bindings_over_limit counter\n"));
	ck_assert_ptr_nonnull(strstr(text, "\npmip6_lma_bindings_over_limit_total 4\n"));
	ck_assert_ptr_nonnull(strstr(text, "\npmip6_lma_flows_max 65536\n"));
	ck_assert_ptr_nonnull(strstr(text, "\npmip6_lma_kernel_encap_errors_total 7\n"));
	ck_assert_ptr_null(strstr(text, "_total_total"));
	ck_assert_str_eq(text + strlen(text) - 6, "# EOF\n");
}
END_TEST

START_TEST(openmetrics_refusals)
{
	const struct output *o = &output_openmetrics;
	const char *text;
	int rc;

	output_capture();
	o->begin(OUT_STATS);
	version_record(o, "magd");
	stat_record(o, "bindings", "current", 1);
	stat_record(o, "tx", "pbu", 3);
	stat_record(o, "bindings", "current", 1); /* twice: a daemon bug */
	rc = o->end();
	text = output_text_of();
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(strstr(text, "# EOF"));

	output_capture();
	o->begin(OUT_STATS);
	stat_record(o, "tx", "pbu", 3); /* no version: neither lma nor mag */
	rc = o->end();
	text = output_text_of();
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(strstr(text, "# EOF"));

	output_capture();
	o->begin(OUT_STATS);
	version_record(o, "magd");
	stat_record(o, "kernel", "a-b", 1);
	stat_record(o, "kernel", "a_b", 2); /* the same metric name */
	rc = o->end();
	text = output_text_of();
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(strstr(text, "# EOF"));
}
END_TEST

START_TEST(json_stats_groups)
{
	const struct output *o = &output_json;
	const char *text;
	int rc;

	output_capture();
	o->begin(OUT_STATS);
	stat_record(o, "bindings", "current", 1);
	stat_record(o, "tx", "pbu", 3);
	stat_record(o, "bindings", "gave_up", 0);
	rc = o->end();
	text = output_text_of();
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(text, "{\"bindings\":{\"current\":1,\"gave_up\":0},\"tx\":{\"pbu\":3}}\n");

	output_capture();
	o->begin(OUT_STATS);
	stat_record(o, "bindings", "current", 1);
	stat_record(o, "bindings", "current", 2);
	rc = o->end();
	output_text_of();
	ck_assert_int_eq(rc, -1);
}
END_TEST

START_TEST(json_policy_structured)
{
	const struct output *o = &output_json;
	struct fc_policy p;
	const char *text;
	int rc;

	fc_policy_init(&p);
	p.id = 4;
	snprintf(p.match.mn_id, sizeof(p.match.mn_id), "mn1@example.org");
	p.match.have_proto = true;
	p.match.proto = 17;
	p.match.dport_lo = 5001;
	p.match.dport_hi = 5010;
	p.targets[0].kind = FC_TARGET_ATT;
	p.targets[0].att = 7;
	output_capture();
	o->begin(OUT_POLICIES);
	o->policy(&p);
	rc = o->end();
	text = output_text_of();
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(text,
	                 "[{\"id\":4,\"match\":{\"mn_id\":\"mn1@example.org\",\"proto\":\"udp\","
	                 "\"proto_number\":17,\"dst_port\":{\"from\":5001,\"to\":5010}},"
	                 "\"mode\":\"priority\",\"targets\":[{\"kind\":\"att\",\"att\":7}],"
	                 "\"fail_back\":true,\"hold_down_ms\":5000}]\n");
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("pmipctl");
	TCase *tc = tcase_create("output");

	tcase_add_test(tc, openmetrics_families);
	tcase_add_test(tc, openmetrics_refusals);
	tcase_add_test(tc, json_stats_groups);
	tcase_add_test(tc, json_policy_structured);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(output_suite)
