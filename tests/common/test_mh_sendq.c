/* test_mh_sendq.c: batched Mobility Header sending (common/mh_sendq.c): through a raw socket of
 * an experimental protocol (253, RFC 3692) on the loopback address of a network namespace of
 * the test's own (as root; nothing leaves it): every message arrives, whole and in order, across
 * a full queue's automatic flush; a message the kernel refuses (no route in that namespace) is
 * counted and dropped, and the ones around it still go. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/mh_sendq.h"
#include "tests/check_main.h"

#define PROTO_EXPERIMENT 253

/* Each test runs in a child process (Check's fork mode): it gets a namespace with only its
 * loopback, up. */
static void own_namespace(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s;

	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare (the unit tests run as root): %s",
	              strerror(errno));
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

static int raw_socket(void)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, PROTO_EXPERIMENT);

	ck_assert_msg(fd >= 0, "raw socket (the unit tests run as root): %s", strerror(errno));
	return fd;
}

/* The payload of message i: its number, then i octets of i. */
static size_t message(unsigned i, uint8_t *buf)
{
	buf[0] = (uint8_t)i;
	memset(buf + 1, (int)i, i);
	return 1 + i;
}

static void expect_message(int rx, unsigned i)
{
	uint8_t want[256], got[256];
	size_t len = message(i, want);
	struct pollfd p = { .fd = rx, .events = POLLIN };
	ssize_t n;

	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	n = recv(rx, got, sizeof(got), 0);
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert_mem_eq(got, want, len);
}

START_TEST(batches_arrive_in_order)
{
	struct mh_sendq q;
	int tx, rx;
	uint8_t buf[256];
	unsigned refused = 0;

	own_namespace();
	tx = raw_socket();
	rx = raw_socket();

	ck_assert_int_eq(mh_sendq_init(&q, tx), 0);
	for (unsigned i = 0; i < MH_SENDQ_LEN + 6; i++)
		refused += mh_sendq_push(&q, &in6addr_loopback, buf, message(i, buf));
	ck_assert_uint_eq(q.n, 6); /* the first 64 went when the queue was full */
	refused += mh_sendq_flush(&q);
	ck_assert_uint_eq(refused, 0);
	ck_assert_uint_eq(q.n, 0);
	for (unsigned i = 0; i < MH_SENDQ_LEN + 6; i++)
		expect_message(rx, i);
	mh_sendq_free(&q);
	close(tx);
	close(rx);
}
END_TEST

START_TEST(refused_message_dropped_rest_sent)
{
	struct mh_sendq q;
	int tx, rx;
	struct in6_addr unroutable;
	uint8_t buf[256];

	own_namespace();
	tx = raw_socket();
	rx = raw_socket();
	/* the namespace has no route but its loopback's */
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", &unroutable), 1);
	ck_assert_int_eq(mh_sendq_init(&q, tx), 0);
	mh_sendq_push(&q, &in6addr_loopback, buf, message(1, buf));
	mh_sendq_push(&q, &unroutable, buf, message(2, buf));
	mh_sendq_push(&q, &unroutable, buf, message(3, buf));
	mh_sendq_push(&q, &in6addr_loopback, buf, message(4, buf));
	ck_assert_uint_eq(mh_sendq_flush(&q), 2);
	ck_assert_int_eq(errno, ENETUNREACH);
	expect_message(rx, 1);
	expect_message(rx, 4);
	mh_sendq_free(&q);
	close(tx);
	close(rx);
}
END_TEST

static Suite *mh_sendq_suite(void)
{
	Suite *s = suite_create("mh_sendq");
	TCase *t = tcase_create("sendmmsg");

	tcase_add_test(t, batches_arrive_in_order);
	tcase_add_test(t, refused_message_dropped_rest_sent);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(mh_sendq_suite)
