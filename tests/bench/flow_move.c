/* flow_move.c: the control client of flow_bench.sh's flow-move figure (doc/benchmarks.md): moves
 * one flow back and forth between two access technologies over one control connection to lmad
 * (ctl_proto.h, CTL_REQ_FLOW_MOVE), opened before the first move, so that what is timed is
 * lmad's handling of the request and the datapath, not the start of a process.
 *
 *   flow_move SOCKET FLOW-ID MOVES GAP_S ATT_A ATT_B
 *
 * Move i (from 0) goes to ATT_A when i is even, ATT_B when odd, GAP_S seconds after the last.
 * One line per move: "att t_request_ns t_reply_ns status", CLOCK_REALTIME just before the
 * request is written and just after its CTL_END (status 0) or CTL_ERROR (its code) is read. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > max) {
		fprintf(stderr, "flow_move: %s: not a number in 1..%lu\n", s, max);
		exit(2);
	}
	return v;
}

/* The reply's status: 0 (CTL_END), the error's code, or -1 on a broken connection. */
static int read_reply(int fd)
{
	_Alignas(8) uint8_t buf[CTL_MAX_PAYLOAD];
	struct ctl_hdr h;
	int n;

	while ((n = ctl_client_read(fd, &h, buf, sizeof(buf))) >= 0) {
		if (h.type == CTL_END)
			return 0;
		if (h.type == CTL_ERROR && n == sizeof(struct ctl_error))
			return ((const struct ctl_error *)(void *)buf)->code;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct ctl_flow_move m = { .target = CTL_MOVE_ATT };
	unsigned long moves;
	struct timespec gap;
	double gap_s;
	uint8_t att[2];
	int fd;

	if (argc != 7 || (gap_s = strtod(argv[4], NULL)) <= 0 || gap_s > 60) {
		fprintf(stderr, "usage: flow_move SOCKET FLOW-ID MOVES GAP_S ATT_A ATT_B\n");
		return 2;
	}
	m.flow_id = (uint32_t)num(argv[2], UINT32_MAX);
	moves = num(argv[3], 100000);
	gap = (struct timespec){ .tv_sec = (time_t)gap_s,
		                 .tv_nsec = (long)((gap_s - (double)(time_t)gap_s) * 1e9) };
	att[0] = (uint8_t)num(argv[5], 255);
	att[1] = (uint8_t)num(argv[6], 255);
	if ((fd = ctl_client_connect(argv[1])) < 0) {
		fprintf(stderr, "flow_move: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	for (unsigned long i = 0; i < moves; i++) {
		uint64_t t0, t1;
		int st;

		nanosleep(&gap, NULL);
		m.att = att[i % 2];
		t0 = realtime_ns();
		st = ctl_client_request(fd, CTL_REQ_FLOW_MOVE, &m, sizeof(m)) < 0 ? -1 : read_reply(fd);
		t1 = realtime_ns();
		printf("%u %llu %llu %d\n", m.att, (unsigned long long)t0, (unsigned long long)t1, st);
		fflush(stdout);
		if (st < 0) {
			fprintf(stderr, "flow_move: connection lost: %s\n", strerror(errno));
			return 2;
		}
	}
	close(fd);
	return 0;
}
