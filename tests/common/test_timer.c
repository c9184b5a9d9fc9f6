/* test_timer.c: the deadline heap (common/timer.c): order, re-arming, cancelling from the
 * middle, timers armed by timers. */
#include <stdlib.h>

#include "common/timer.h"
#include "tests/check_main.h"

static uint64_t fired[64];
static size_t n_fired;

static void record(struct timer *t, uint64_t now)
{
	(void)now;
	fired[n_fired++] = t->when_ns;
}

START_TEST(runs_in_deadline_order)
{
	struct timer_heap h;
	struct timer t[20];

	n_fired = 0;
	timer_heap_init(&h);
	for (int i = 0; i < 20; i++) {
		timer_init(&t[i], record, NULL);
		timer_arm(&h, &t[i], (uint64_t)((i * 7) % 20) + 1);
	}
	ck_assert_uint_eq(timer_next(&h), 1);
	ck_assert_uint_eq(timer_run(&h, 10), 10);
	ck_assert_uint_eq(timer_run(&h, 100), 10);
	for (size_t i = 1; i < n_fired; i++)
		ck_assert_uint_le(fired[i - 1], fired[i]);
	ck_assert_uint_eq(timer_next(&h), UINT64_MAX);
	timer_heap_free(&h);
}
END_TEST

START_TEST(rearm_and_cancel_anywhere)
{
	struct timer_heap h;
	struct timer t[50];

	n_fired = 0;
	timer_heap_init(&h);
	for (int i = 0; i < 50; i++) {
		timer_init(&t[i], record, NULL);
		timer_arm(&h, &t[i], 1000 + (uint64_t)i);
	}
	for (int i = 0; i < 50; i += 3)
		timer_cancel(&h, &t[i]);
	timer_arm(&h, &t[49], 5); /* re-arming moves it */
	timer_cancel(&h, &t[0]);  /* cancelling twice is harmless */
	ck_assert(!timer_armed(&t[3]));
	ck_assert(timer_armed(&t[4]));
	ck_assert_uint_eq(timer_next(&h), 5);
	ck_assert_uint_eq(timer_run(&h, UINT64_MAX - 1), 50 - 17);
	for (size_t i = 1; i < n_fired; i++)
		ck_assert_uint_le(fired[i - 1], fired[i]);
	timer_heap_free(&h);
}
END_TEST

static struct timer_heap chain_heap;
static int chain_left;

static void rearm_self(struct timer *t, uint64_t now)
{
	if (--chain_left > 0)
		timer_arm(&chain_heap, t, now + 10);
}

START_TEST(a_timer_may_rearm_itself)
{
	struct timer t;

	timer_heap_init(&chain_heap);
	timer_init(&t, rearm_self, NULL);
	chain_left = 3;
	timer_arm(&chain_heap, &t, 10);
	ck_assert_uint_eq(timer_run(&chain_heap, 15), 1);
	ck_assert_uint_eq(timer_next(&chain_heap), 25); /* re-armed from the time it ran at */
	ck_assert_uint_eq(timer_run(&chain_heap, 100), 1);
	ck_assert_uint_eq(timer_run(&chain_heap, 200), 1);
	ck_assert(!timer_armed(&t));
	timer_heap_free(&chain_heap);
}
END_TEST

static Suite *timer_suite(void)
{
	Suite *s = suite_create("timer");
	TCase *tc = tcase_create("heap");

	tcase_add_test(tc, runs_in_deadline_order);
	tcase_add_test(tc, rearm_and_cancel_anywhere);
	tcase_add_test(tc, a_timer_may_rearm_itself);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(timer_suite)
