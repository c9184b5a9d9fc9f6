/* test_ctl.c: the server end of the control socket (common/ctl.c) driven in-process: a UNIX socket
 * in a temporary directory, the server in a libev loop run step by step, clients as plain
 * non-blocking sockets. No root, no daemon; the handler is a stub with three request types. */
#include <check.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl.h"
#include "tests/check_main.h"

enum { REQ_ECHO = 50, REQ_STREAM = 51, REQ_BIG = 52 };

#define STREAM_RECORDS 40
#define BIG_RECORDS    4 /* a REQ_BIG reply: 4 records of CTL_MAX_PAYLOAD octets */

static struct ev_loop *loop;
static struct ctl_server *srv;
static char dir[64], path[128];
static unsigned handled;

struct stream_state {
	uint32_t seq;
	unsigned sent;
};

/* Full-size records, 160 KiB in all: more than the server produces in one go, as with `show
 * bindings` at a large LMA. */
static bool produce_stream(struct ctl_conn *c, void *state)
{
	static uint8_t rec[CTL_MAX_PAYLOAD];
	struct stream_state *s = state;

	memcpy(rec, &s->seq, sizeof(s->seq));
	ctl_send(c, CTL_REC_STAT, rec, sizeof(rec));
	return ++s->sent < STREAM_RECORDS;
}

/* ECHO: one record carrying the request's 32-bit sequence number, then END. STREAM: 40 such
 * records through ctl_stream. BIG: 4 full-size records, the first starting with the number. */
static void handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                   void *arg)
{
	static uint8_t big[CTL_MAX_PAYLOAD];
	struct stream_state *s;
	uint32_t seq = 0;

	(void)arg;
	handled++;
	if (len >= sizeof(seq))
		memcpy(&seq, payload, sizeof(seq));
	if (type == REQ_STREAM && (s = calloc(1, sizeof(*s)))) {
		s->seq = seq;
		ctl_stream(c, produce_stream, s, free);
		return;
	}
	if (type == REQ_BIG) {
		memcpy(big, &seq, sizeof(seq));
		for (int i = 0; i < BIG_RECORDS; i++)
			ctl_send(c, CTL_REC_STAT, big, sizeof(big));
	} else {
		ctl_send(c, CTL_REC_STAT, &seq, sizeof(seq));
	}
	ctl_send_end(c);
}

static ev_timer tick; /* so that a blocking loop run always returns within 10 ms */

static void tick_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
}

static void setup(void)
{
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/test_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	loop = ev_loop_new(EVFLAG_AUTO);
	srv = ctl_server_open(loop, path, "", handle, NULL, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	ev_timer_init(&tick, tick_cb, 0.01, 0.01);
	ev_timer_start(loop, &tick);
	handled = 0;
}

static void teardown(void)
{
	ev_timer_stop(loop, &tick);
	ctl_server_close(srv);
	ev_loop_destroy(loop);
	rmdir(dir);
}

static void spin(int rounds)
{
	for (int i = 0; i < rounds; i++)
		ev_run(loop, EVRUN_NOWAIT);
}

static int client_open(void)
{
	int fd = ctl_client_connect(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	spin(2);
	return fd;
}

static void request(int fd, uint16_t type, uint32_t seq)
{
	struct {
		struct ctl_hdr h;
		uint32_t seq;
	} r = { { CTL_MAGIC, CTL_VERSION, type, sizeof(uint32_t) }, seq };

	ck_assert_int_eq(write(fd, &r, sizeof(r)), sizeof(r));
}

/* A client's view of its connection: what it has read, parsed message by message. */
struct reader {
	uint8_t buf[2 * (sizeof(struct ctl_hdr) + CTL_MAX_PAYLOAD)];
	size_t len;
	bool eof;
};

/* Reads what is there without blocking; false if nothing was. */
static bool reader_fill(int fd, struct reader *r)
{
	ssize_t n = read(fd, r->buf + r->len, sizeof(r->buf) - r->len);

	if (n > 0)
		r->len += (size_t)n;
	else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		r->eof = true;
	return n > 0;
}

/* The next whole message, running the server until it comes (at most 2000 loop runs, each
 * bounded by the tick); false if none came. */
static bool reader_next(int fd, struct reader *r, struct ctl_hdr *h, uint8_t *payload)
{
	for (int i = 0; i < 2000 && !r->eof; i++) {
		if (r->len >= sizeof(*h)) {
			memcpy(h, r->buf, sizeof(*h));
			ck_assert_uint_eq(h->magic, CTL_MAGIC);
			ck_assert_uint_le(h->len, CTL_MAX_PAYLOAD);
			if (r->len >= sizeof(*h) + h->len) {
				memcpy(payload, r->buf + sizeof(*h), h->len);
				r->len -= sizeof(*h) + h->len;
				memmove(r->buf, r->buf + sizeof(*h) + h->len, r->len);
				return true;
			}
		}
		if (!reader_fill(fd, r))
			ev_run(loop, EVRUN_ONCE); /* let the server write more */
	}
	return false;
}

/* Reads one answer: `records` records whose first 4 octets are seq, then CTL_END. */
static void expect_answer(int fd, struct reader *r, uint32_t seq, unsigned records)
{
	static uint8_t payload[CTL_MAX_PAYLOAD];
	struct ctl_hdr h;
	uint32_t got;

	for (unsigned i = 0; i < records; i++) {
		ck_assert_msg(reader_next(fd, r, &h, payload), "record %u of answer %u missing", i,
		              seq);
		ck_assert_uint_eq(h.type, CTL_REC_STAT);
		memcpy(&got, payload, sizeof(got));
		ck_assert_uint_eq(got, seq);
	}
	ck_assert_msg(reader_next(fd, r, &h, payload), "no end to answer %u", seq);
	ck_assert_uint_eq(h.type, CTL_END);
}

/* Issue: a request right behind `show bindings` (a streamed answer) was never answered. */
START_TEST(test_pipelined_after_stream)
{
	static struct reader r;
	int fd = client_open();
	struct {
		struct ctl_hdr h;
		uint32_t seq;
	} two[3] = {
		{ { CTL_MAGIC, CTL_VERSION, REQ_STREAM, 4 }, 1 },
		{ { CTL_MAGIC, CTL_VERSION, REQ_ECHO, 4 }, 2 },
		{ { CTL_MAGIC, CTL_VERSION, REQ_STREAM, 4 }, 3 },
	};

	ck_assert_int_eq(write(fd, two, sizeof(two)), sizeof(two));
	expect_answer(fd, &r, 1, STREAM_RECORDS);
	expect_answer(fd, &r, 2, 1);
	expect_answer(fd, &r, 3, STREAM_RECORDS);
	request(fd, REQ_ECHO, 4); /* and the connection still serves */
	expect_answer(fd, &r, 4, 1);
	close(fd);
	spin(2);
}
END_TEST

/* Writes requests until the socket is full; returns how many. */
static unsigned flood(int fd, uint32_t *seq)
{
	struct {
		struct ctl_hdr h;
		uint32_t seq;
	} q = { { CTL_MAGIC, CTL_VERSION, REQ_BIG, 4 }, 0 };
	unsigned n = 0;

	for (;;) {
		q.seq = *seq;
		if (write(fd, &q, sizeof(q)) != (ssize_t)sizeof(q))
			return n;
		(*seq)++;
		n++;
	}
}

/* Issue: a client that never reads made lmad buffer answers without limit. The server must stop
 * taking requests while the client's output is full: the number of answered requests levels
 * off, well under what unbounded buffering would give, and every answer still arrives, in order,
 * once the client reads. */
START_TEST(test_output_bounded)
{
	static struct reader r;
	const unsigned answer = BIG_RECORDS * (sizeof(struct ctl_hdr) + CTL_MAX_PAYLOAD);
	const unsigned cap = (CTL_OUT_HIGH + 8u * 1024 * 1024) / answer; /* + socket buffers */
	int fd = client_open();
	uint32_t seq = 0;
	unsigned level = 0;

	for (int round = 0; round < 200 && handled <= cap; round++) {
		flood(fd, &seq);
		spin(4);
		if (round == 100)
			level = handled;
	}
	ck_assert_msg(handled <= cap, "%u requests answered into a client that never reads",
	              handled);
	ck_assert_uint_eq(handled, level); /* back-pressure: nothing more was taken */
	ck_assert_uint_lt(handled, seq);
	for (uint32_t i = 0; i < seq; i++)
		expect_answer(fd, &r, i, BIG_RECORDS);
	ck_assert_uint_eq(handled, seq);
	close(fd);
	spin(2);
}
END_TEST

/* Issue: 64 idle clients locked pmipctl out, and the 65th was closed without a word. */
START_TEST(test_connection_limit_refused)
{
	static struct reader r, r2;
	static uint8_t payload[CTL_MAX_PAYLOAD];
	int fds[CTL_MAX_CONNS], extra;
	struct ctl_server_stats st;
	struct ctl_hdr h;
	struct ctl_error e;

	for (int i = 0; i < CTL_MAX_CONNS; i++)
		fds[i] = client_open();
	extra = client_open();
	ck_assert_msg(reader_next(extra, &r, &h, payload), "refused without an answer");
	ck_assert_uint_eq(h.type, CTL_ERROR);
	ck_assert_uint_eq(h.len, sizeof(e));
	memcpy(&e, payload, sizeof(e));
	ck_assert_int_eq(e.code, CTL_E_BUSY);
	ck_assert_ptr_nonnull(strstr(e.message, "too many"));
	ck_assert(!reader_next(extra, &r, &h, payload) && r.eof);
	ctl_server_get_stats(srv, &st);
	ck_assert_uint_eq(st.refused, 1);
	close(extra);
	close(fds[0]);
	spin(4);
	extra = client_open(); /* a freed place is taken again */
	request(extra, REQ_ECHO, 9);
	expect_answer(extra, &r2, 9, 1);
	close(extra);
	for (int i = 1; i < CTL_MAX_CONNS; i++)
		close(fds[i]);
	spin(4);
}
END_TEST

/* Runs the loop (blocking, so timers fire; the tick bounds each run) until the client sees its
 * connection closed, at most max_rounds times. */
static bool wait_closed(int fd, struct reader *r, int max_rounds)
{
	for (int i = 0; i < max_rounds && !r->eof; i++) {
		ev_run(loop, EVRUN_ONCE);
		reader_fill(fd, r);
	}
	return r->eof;
}

/* An idle client is closed after the idle timeout, with error CTL_E_IDLE first. */
START_TEST(test_idle_timeout)
{
	static struct reader r;
	struct ctl_limits lim = { .max_conns = 2, .idle_s = 0.3, .out_high = CTL_OUT_HIGH };
	struct ctl_server_stats st;
	struct ctl_error e;
	int fd;

	ctl_server_set_limits(srv, &lim);
	fd = client_open();
	request(fd, REQ_ECHO, 1);
	expect_answer(fd, &r, 1, 1);
	ck_assert(wait_closed(fd, &r, 500));
	ck_assert_uint_eq(r.len, sizeof(struct ctl_hdr) + sizeof(e));
	memcpy(&e, r.buf + sizeof(struct ctl_hdr), sizeof(e));
	ck_assert_int_eq(e.code, CTL_E_IDLE);
	ctl_server_get_stats(srv, &st);
	ck_assert_uint_eq(st.idle_closed, 1);
	close(fd);
}
END_TEST

/* A client that keeps asking is not idle. */
START_TEST(test_active_not_idle)
{
	static struct reader r;
	struct ctl_limits lim = { .max_conns = 2, .idle_s = 0.5, .out_high = CTL_OUT_HIGH };
	int fd;

	ctl_server_set_limits(srv, &lim);
	fd = client_open();
	for (uint32_t i = 0; i < 20; i++) { /* 1 s in all, each gap well under the timeout */
		usleep(50 * 1000);
		request(fd, REQ_ECHO, i);
		expect_answer(fd, &r, i, 1);
	}
	ck_assert(!r.eof);
	close(fd);
	spin(2);
}
END_TEST

/* A smaller limit from ctl_server_set_limits applies to the next client. */
START_TEST(test_limit_set)
{
	static struct reader r;
	static uint8_t payload[CTL_MAX_PAYLOAD];
	struct ctl_limits lim = { .max_conns = 1, .idle_s = 30, .out_high = CTL_OUT_HIGH };
	struct ctl_hdr h;
	int a, b;

	ctl_server_set_limits(srv, &lim);
	a = client_open();
	b = client_open();
	ck_assert(reader_next(b, &r, &h, payload));
	ck_assert_uint_eq(h.type, CTL_ERROR);
	close(a);
	close(b);
	spin(2);
}
END_TEST

/* A bad header still gets error 1 and the close, even behind a pending answer. */
START_TEST(test_bad_header_after_request)
{
	static struct reader r;
	static uint8_t payload[CTL_MAX_PAYLOAD];
	struct ctl_hdr bad = { 0xdeadbeef, CTL_VERSION, REQ_ECHO, 0 }, h;
	struct ctl_server_stats st;
	struct ctl_error e;
	int fd = client_open();

	request(fd, REQ_STREAM, 5);
	ck_assert_int_eq(write(fd, &bad, sizeof(bad)), sizeof(bad));
	expect_answer(fd, &r, 5, STREAM_RECORDS);
	ck_assert(reader_next(fd, &r, &h, payload));
	ck_assert_uint_eq(h.type, CTL_ERROR);
	memcpy(&e, payload, sizeof(e));
	ck_assert_int_eq(e.code, CTL_E_BAD_REQUEST);
	ck_assert(wait_closed(fd, &r, 50));
	ctl_server_get_stats(srv, &st);
	ck_assert_uint_eq(st.bad_requests, 1);
	close(fd);
}
END_TEST

/* A client that half-closes after its request (`printf ... | nc -U`) still gets the whole
 * answer, then the close. */
START_TEST(test_half_close_answered)
{
	static struct reader r;
	int fd = client_open();

	request(fd, REQ_STREAM, 6);
	request(fd, REQ_ECHO, 7);
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	expect_answer(fd, &r, 6, STREAM_RECORDS);
	expect_answer(fd, &r, 7, 1);
	ck_assert(wait_closed(fd, &r, 50));
	close(fd);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pipelined_after_stream);
	tcase_add_test(tc, test_output_bounded);
	tcase_add_test(tc, test_connection_limit_refused);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_active_not_idle);
	tcase_add_test(tc, test_limit_set);
	tcase_add_test(tc, test_bad_header_after_request);
	tcase_add_test(tc, test_half_close_answered);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_suite)
