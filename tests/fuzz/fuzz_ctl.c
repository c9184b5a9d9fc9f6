/* fuzz_ctl.c: libFuzzer target for the control socket's server end (common/ctl.c): the input is
 * what a client writes, byte for byte, to a real connection served in a libev loop, through the
 * framing and a handler that checks each request's payload as lmad and magd do (the policy with
 * lma/fc_wire.c's decoder). Besides "never crash", every answer is framed correctly and the
 * connection always ends: once the client stops writing, the server answers what it can and
 * closes, and never hangs. */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ctl.h"
#include "lma/fc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROUNDS 20000

static struct ev_loop *loop;
static struct ctl_server *srv;
static char dir[64] = "/tmp/fuzz_ctl.XXXXXX", path[128];

/* Streams a few full-size records, like `show bindings` at a large LMA. */
static bool produce(struct ctl_conn *c, void *state)
{
	static uint8_t rec[CTL_MAX_PAYLOAD];
	unsigned *left = state;

	ctl_send(c, CTL_REC_STAT, rec, sizeof(rec));
	return --*left > 0;
}

/* An MN-ID request field: empty or a NUL-terminated string (lmad_ctl.c, magd_ctl.c). */
static bool mn_id_ok(const uint8_t *p, uint32_t len)
{
	return len == 0 || (len <= CTL_ID_MAX && p[len - 1] == '\0');
}

/* The policy decoder: what decodes encodes to a record that decodes again. */
static void policy_add(struct ctl_conn *c, const uint8_t *p, uint32_t len)
{
	struct ctl_policy_add req;
	struct ctl_policy w;
	struct fc_policy pol, again;

	if (len != sizeof(req)) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "policy add: wrong request size");
		return;
	}
	memcpy(&req, p, sizeof(req));
	if (!fc_wire_decode(&req.policy, &pol)) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "policy add: invalid policy");
		return;
	}
	fc_wire_encode(&pol, &w);
	if (!fc_wire_decode(&w, &again))
		abort();
	ctl_send(c, CTL_REC_POLICY, &w, sizeof(w));
	ctl_send_end(c);
}

static void handle(struct ctl_conn *c, uint16_t type, const uint8_t *p, uint32_t len, void *arg)
{
	unsigned *left;

	(void)arg;
	if (type == CTL_REQ_POLICY_ADD) {
		policy_add(c, p, len);
	} else if (type == CTL_REQ_SHOW_BINDINGS && len == 0 && (left = malloc(sizeof(*left)))) {
		*left = 25;
		ctl_stream(c, produce, left, free);
	} else if ((type == CTL_REQ_SHOW_BINDINGS || type == CTL_REQ_SHOW_FLOWS ||
	            type == CTL_REQ_DEREGISTER) &&
	           !mn_id_ok(p, len)) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "MN-ID must be a NUL-terminated string");
	} else if ((type == CTL_REQ_POLICY_DEL && len != sizeof(uint32_t)) ||
	           (type == CTL_REQ_FLOW_MOVE && len != sizeof(struct ctl_flow_move))) {
		ctl_send_error(c, CTL_E_BAD_REQUEST, "wrong request size");
	} else if (type >= CTL_REQ_SHOW_BINDINGS && type <= CTL_REQ_POLICY_LIST) {
		ctl_send_stat(c, "fuzz", "requests", type);
		ctl_send_end(c);
	} else {
		ctl_send_error(c, CTL_E_UNKNOWN, "no request %u", type);
	}
}

/* At exit (libFuzzer's too): the socket and its directory go. */
static void server_stop(void)
{
	ctl_server_close(srv);
	rmdir(dir);
}

static void server_start(void)
{
	char err[256];

	signal(SIGPIPE, SIG_IGN);
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!loop || !mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	srv = ctl_server_open(loop, path, "", handle, NULL, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	atexit(server_stop);
}

/* Checks the framing of what the server wrote; returns how much of buf was whole messages. */
static size_t answers_check(const uint8_t *buf, size_t len)
{
	size_t off = 0;
	struct ctl_hdr h;

	while (len - off >= sizeof(h)) {
		memcpy(&h, buf + off, sizeof(h));
		if (h.magic != CTL_MAGIC || h.version != CTL_VERSION || h.len > CTL_MAX_PAYLOAD) {
			fprintf(stderr, "the server sent a bad header at octet %zu\n", off);
			abort();
		}
		if (len - off < sizeof(h) + h.len)
			break;
		off += sizeof(h) + h.len;
	}
	return off;
}

/* Reads what the server sent (keeping a partial message); false at the server's close. */
static bool answers_read(int fd, uint8_t *buf, size_t *len)
{
	ssize_t n = read(fd, buf + *len, 2 * (sizeof(struct ctl_hdr) + CTL_MAX_PAYLOAD) - *len);
	size_t whole;

	if (n == 0)
		return false;
	if (n > 0)
		*len += (size_t)n;
	whole = answers_check(buf, *len);
	memmove(buf, buf + whole, *len - whole);
	*len -= whole;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[2 * (sizeof(struct ctl_hdr) + CTL_MAX_PAYLOAD)];
	size_t sent = 0, len = 0;
	int fd, round;

	if (!loop)
		server_start();
	fd = ctl_client_connect(path);
	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		abort();
	for (round = 0; round < MAX_ROUNDS; round++) {
		ssize_t n = sent < size ? send(fd, data + sent, size - sent, MSG_NOSIGNAL) : 0;

		if (n > 0)
			sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			sent = size; /* the server closed (a bad header) */
		if (sent == size)
			shutdown(fd, SHUT_WR);
		ev_run(loop, EVRUN_NOWAIT);
		if (!answers_read(fd, buf, &len))
			break;
	}
	if (round == MAX_ROUNDS) {
		fprintf(stderr, "the connection never ended (%zu of %zu octets taken)\n", sent,
		        size);
		abort();
	}
	close(fd);
	return 0;
}
