/* test_state_sync.c: the state file writer (common/state_sync.c) with a real libev loop and
 * files in a temporary directory: a save due holds the loop no longer than a fork, however
 * long the write takes; the file is whole, the latest state once the loop has run; a save due
 * while a write is under way follows it; stop waits and writes the last state; a writer killed
 * halfway leaves the old file. */
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/state_sync.h"
#include "tests/check_main.h"

static uint64_t state;    /* what the file should say */
static unsigned delay_ms; /* how long a write takes */
static char dir[64], path[128];

static uint64_t changes(void *arg)
{
	(void)arg;
	return state;
}

static int fill(FILE *out, void *arg)
{
	(void)arg;
	fprintf(out, "state %llu\n", (unsigned long long)state);
	fflush(out);
	usleep(delay_ms * 1000);
	fputs("end\n", out);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void file_says(uint64_t want)
{
	char buf[128], expect[64];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	snprintf(expect, sizeof(expect), "state %llu\nend\n", (unsigned long long)want);
	ck_assert_str_eq(buf, expect);
}

static struct state_sync s;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_state_sync.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	memset(&s, 0, sizeof(s));
	s.path = path;
	s.every_ms = 3600 * 1000;
	s.changes = changes;
	s.fill = fill;
	state = 1;
	delay_ms = 0;
	state_sync_start(&s, EV_DEFAULT);
}

static void teardown(void)
{
	char tmp[160];

	state_sync_stop(&s);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	rmdir(dir);
}

/* The lease-sync timer fires, as in lmad. */
static double timer_fires(void)
{
	double t0 = now_ms();

	ev_invoke(s.loop, &s.w, EV_TIMER);
	return now_ms() - t0;
}

static void run_until_written(uint64_t writes)
{
	double end = now_ms() + 5000;

	while (s.writes + s.failures < writes && now_ms() < end)
		ev_run(s.loop, EVRUN_ONCE);
	ck_assert_uint_eq(s.writes + s.failures, writes);
}

START_TEST(a_long_write_does_not_hold_the_loop)
{
	delay_ms = 400;
	ck_assert_double_lt(timer_fires(), 200);
	run_until_written(1);
	ck_assert_uint_eq(s.failures, 0);
	file_says(1);
}
END_TEST

START_TEST(a_save_due_while_writing_follows)
{
	delay_ms = 200;
	timer_fires();
	state = 2;
	ck_assert_double_lt(timer_fires(), 100); /* deferred: one writer at a time */
	state = 3;
	run_until_written(2);
	file_says(3);
	ck_assert_uint_eq(s.writes, 2);
	ck_assert_double_lt(timer_fires(), 100); /* nothing changed: nothing written */
	ck_assert_uint_eq(s.writes, 2);
}
END_TEST

START_TEST(stop_waits_and_writes_the_last_state)
{
	delay_ms = 100;
	timer_fires();
	state = 7;
	state_sync_stop(&s);
	ck_assert_uint_eq(s.writes, 2);
	file_says(7);
}
END_TEST

/* A save from the code (a reload) waits for the write under way: the files come in order. */
START_TEST(an_explicit_save_comes_after_the_write_under_way)
{
	delay_ms = 100;
	timer_fires();
	state = 5;
	state_sync_save(&s);
	run_until_written(2);
	file_says(5);
}
END_TEST

START_TEST(a_writer_killed_halfway_leaves_the_old_file)
{
	timer_fires();
	run_until_written(1);
	file_says(1);
	delay_ms = 2000;
	state = 2;
	timer_fires();
	ck_assert_int_gt(s.child, 0);
	usleep(100 * 1000);
	kill(s.child, SIGKILL);
	run_until_written(2);
	ck_assert_uint_eq(s.failures, 1);
	file_says(1);
	delay_ms = 0;
	timer_fires(); /* still stale: written again */
	run_until_written(3);
	file_says(2);
}
END_TEST

static Suite *state_sync_suite(void)
{
	Suite *su = suite_create("state_sync");
	TCase *tc = tcase_create("state_sync");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_long_write_does_not_hold_the_loop);
	tcase_add_test(tc, a_save_due_while_writing_follows);
	tcase_add_test(tc, stop_waits_and_writes_the_last_state);
	tcase_add_test(tc, an_explicit_save_comes_after_the_write_under_way);
	tcase_add_test(tc, a_writer_killed_halfway_leaves_the_old_file);
	suite_add_tcase(su, tc);
	return su;
}

CHECK_MAIN(state_sync_suite)
