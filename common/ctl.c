/* ctl.c: the control socket of ctl.h, both ends. */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/heartbeat.h"
#include "common/log.h"

#define OUT_LOW (64 * 1024) /* below this, the producer is asked for more */
#define IN_BUF  (sizeof(struct ctl_hdr) + CTL_MAX_PAYLOAD)

struct ctl_server {
	struct ev_loop *loop;
	ev_io accept_w;
	char path[108];
	ctl_handler_fn handler;
	void *arg;
	struct ctl_limits limits;
	unsigned n_conns;
	struct log_limit refused_log;
	struct ctl_server_stats stats;
};

struct ctl_conn {
	struct ctl_server *srv;
	int fd;
	ev_io read_w;
	ev_io write_w;
	ev_timer idle_w;
	uint8_t in[IN_BUF];
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	size_t out_high;
	ctl_producer_fn produce;
	void *produce_state;
	void (*free_state)(void *);
	bool broken;
	bool closing; /* close once the output is written */
};

static void conn_close(struct ctl_conn *c)
{
	ev_io_stop(c->srv->loop, &c->read_w);
	ev_io_stop(c->srv->loop, &c->write_w);
	ev_timer_stop(c->srv->loop, &c->idle_w);
	close(c->fd);
	if (c->free_state)
		c->free_state(c->produce_state);
	c->srv->n_conns--;
	free(c->out);
	free(c);
}

/* Moves what is still to be written to the front, so that a client that reads steadily but
 * never quite catches up does not make the buffer grow by all it has already read. */
static void out_compact(struct ctl_conn *c)
{
	memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
	c->out_len -= c->out_off;
	c->out_off = 0;
}

static void out_append(struct ctl_conn *c, const void *data, size_t len)
{
	if (c->broken)
		return;
	if (c->out_len + len > c->out_cap && c->out_off > 0)
		out_compact(c);
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 16384;
		uint8_t *out;

		while (cap < c->out_len + len)
			cap *= 2;
		out = realloc(c->out, cap);
		if (!out) {
			c->broken = true;
			return;
		}
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

void ctl_send(struct ctl_conn *c, uint16_t type, const void *payload, uint32_t len)
{
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = CTL_VERSION, .type = type, .len = len };

	out_append(c, &h, sizeof(h));
	if (len)
		out_append(c, payload, len);
	ev_io_start(c->srv->loop, &c->write_w);
}

/* A CTL_ERROR message in buf, which has room for it; returns its length. */
static size_t error_format(uint8_t *buf, int code, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

static size_t error_format(uint8_t *buf, int code, const char *fmt, va_list ap)
{
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = CTL_VERSION, .type = CTL_ERROR };
	struct ctl_error e = { .code = code };

	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	h.len = sizeof(e);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &e, sizeof(e));
	return sizeof(h) + sizeof(e);
}

void ctl_send_error(struct ctl_conn *c, int code, const char *fmt, ...)
{
	uint8_t msg[sizeof(struct ctl_hdr) + sizeof(struct ctl_error)];
	va_list ap;

	va_start(ap, fmt);
	error_format(msg, code, fmt, ap);
	va_end(ap);
	ctl_send(c, CTL_ERROR, msg + sizeof(struct ctl_hdr), sizeof(struct ctl_error));
}

/* A last word to a client about to be closed: one non-blocking write, in the socket's buffer or
 * not at all (the client is either new or has read everything). */
static void fd_send_error(int fd, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void fd_send_error(int fd, int code, const char *fmt, ...)
{
	uint8_t msg[sizeof(struct ctl_hdr) + sizeof(struct ctl_error)];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = error_format(msg, code, fmt, ap);
	va_end(ap);
	if (send(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return; /* the client is gone or not reading: the close says the rest */
}

void ctl_send_peer(struct ctl_conn *c, const struct in6_addr *addr, const struct hb_peer *p,
                   bool heartbeat, uint64_t now_ns, uint32_t bindings, uint32_t stale)
{
	struct ctl_peer r = { .state = (uint8_t)p->state, .have_restart = p->have_restart,
		              .heartbeat = heartbeat, .restart_counter = p->restart_counter,
		              .misses = p->misses, .bindings = bindings, .stale = stale,
		              .rtt_us = p->rtt_ns / 1000, .srtt_us = p->srtt_ns / 1000,
		              .last_seen_ms = -1, .requests = p->requests,
		              .responses = p->responses };

	memcpy(r.addr, addr, sizeof(r.addr));
	snprintf(r.state_name, sizeof(r.state_name), "%s", hb_state_name(p->state));
	if (p->last_seen_ns && now_ns >= p->last_seen_ns)
		r.last_seen_ms = (int64_t)((now_ns - p->last_seen_ns) / 1000000);
	ctl_send(c, CTL_REC_PEER, &r, sizeof(r));
}

void ctl_send_stat(struct ctl_conn *c, const char *group, const char *name, uint64_t value)
{
	struct ctl_stat s = { .value = value };

	snprintf(s.group, sizeof(s.group), "%s", group);
	snprintf(s.name, sizeof(s.name), "%s", name);
	ctl_send(c, CTL_REC_STAT, &s, sizeof(s));
}

void ctl_send_end(struct ctl_conn *c)
{
	ctl_send(c, CTL_END, NULL, 0);
}

static size_t out_pending(const struct ctl_conn *c)
{
	return c->out_len - c->out_off;
}

bool ctl_has_room(const struct ctl_conn *c)
{
	return out_pending(c) < OUT_LOW;
}

/* True while the connection takes no new request: an answer is still being produced, or more
 * than out_high octets wait for the client to read them (back-pressure). */
static bool conn_busy(const struct ctl_conn *c)
{
	return c->produce || c->closing || out_pending(c) >= c->out_high;
}

/* Reads the socket only while a request could be taken, so a client that does not read its
 * answers stops being read, and its requests wait in the socket. */
static void conn_update_read(struct ctl_conn *c)
{
	if (conn_busy(c))
		ev_io_stop(c->srv->loop, &c->read_w);
	else
		ev_io_start(c->srv->loop, &c->read_w);
}

static void produce_more(struct ctl_conn *c)
{
	while (c->produce && ctl_has_room(c) && !c->broken) {
		if (!c->produce(c, c->produce_state)) {
			c->produce = NULL;
			if (c->free_state)
				c->free_state(c->produce_state);
			c->free_state = NULL;
			c->produce_state = NULL;
			ctl_send_end(c);
		}
	}
}

void ctl_stream(struct ctl_conn *c, ctl_producer_fn produce, void *state,
                void (*free_state)(void *))
{
	c->produce = produce;
	c->produce_state = state;
	c->free_state = free_state;
	produce_more(c);
}

/* Hands every complete request in the input buffer to the handler, in order, while the
 * connection is not busy; on a bad header answers error 1 and marks the connection closing. */
static void dispatch_requests(struct ctl_conn *c)
{
	while (c->in_len >= sizeof(struct ctl_hdr) && !conn_busy(c)) {
		struct ctl_hdr h;
		size_t total;

		memcpy(&h, c->in, sizeof(h));
		if (h.magic != CTL_MAGIC || h.version != CTL_VERSION || h.len > CTL_MAX_PAYLOAD) {
			ctl_send_error(c, CTL_E_BAD_REQUEST, "bad header (version %u, length %u)",
			               h.version, h.len);
			c->closing = true; /* answer the error, then close */
			c->srv->stats.bad_requests++;
			return;
		}
		total = sizeof(h) + h.len;
		if (c->in_len < total)
			return;
		c->srv->handler(c, h.type, c->in + sizeof(h), h.len, c->srv->arg);
		memmove(c->in, c->in + total, c->in_len - total);
		c->in_len -= total;
	}
}

/* The output is written: a finished stream or a drained buffer lets the requests that came in
 * behind it (pipelined) be answered, and reading resume. */
static void conn_resume(struct ctl_conn *c)
{
	dispatch_requests(c);
	conn_update_read(c);
}

/* Writes what is pending; false if the connection was closed. */
static bool conn_flush(struct ctl_conn *c)
{
	ssize_t n = write(c->fd, c->out + c->out_off, out_pending(c));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n < 0 || c->broken) {
		conn_close(c);
		return false;
	}
	if (n > 0)
		ev_timer_again(c->srv->loop, &c->idle_w);
	c->out_off += (size_t)n;
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return true;
}

static void conn_write(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = w->data;

	(void)loop;
	(void)revents;
	produce_more(c);
	if (!conn_flush(c))
		return;
	produce_more(c);
	conn_resume(c);
	if (out_pending(c) > 0)
		return;
	if (c->closing) {
		conn_close(c);
		return;
	}
	ev_io_stop(c->srv->loop, &c->write_w);
}

static void conn_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = w->data;
	ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);

	(void)loop;
	(void)revents;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && out_pending(c) == 0 && !c->produce)) {
		conn_close(c);
		return;
	}
	if (n == 0) { /* the client is done asking: finish the answers, then close */
		c->closing = true;
		ev_io_stop(c->srv->loop, &c->read_w);
		return;
	}
	ev_timer_again(c->srv->loop, &c->idle_w);
	c->in_len += (size_t)n;
	conn_resume(c);
}

/* No traffic either way for the idle timeout: a client that holds a place without asking, or
 * one that stopped reading its answer. */
static void conn_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_conn *c = w->data;

	(void)loop;
	(void)revents;
	if (out_pending(c) == 0 && !c->produce)
		fd_send_error(c->fd, CTL_E_IDLE, "idle for %.0f s, closing", c->srv->limits.idle_s);
	log_debug("control: closing a connection idle for %.0f s", c->srv->limits.idle_s);
	c->srv->stats.idle_closed++;
	conn_close(c);
}

static void conn_start(struct ctl_server *s, struct ctl_conn *c, int fd)
{
	s->n_conns++;
	c->srv = s;
	c->fd = fd;
	c->out_high = s->limits.out_high;
	ev_io_init(&c->read_w, conn_read, fd, EV_READ);
	ev_io_init(&c->write_w, conn_write, fd, EV_WRITE);
	ev_init(&c->idle_w, conn_idle);
	c->idle_w.repeat = s->limits.idle_s;
	c->read_w.data = c->write_w.data = c->idle_w.data = c;
	ev_io_start(s->loop, &c->read_w);
	ev_timer_again(s->loop, &c->idle_w);
}

static void server_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;
	struct ctl_conn *c;
	int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)loop;
	(void)revents;
	if (fd < 0)
		return;
	if (s->n_conns >= s->limits.max_conns) {
		fd_send_error(fd, CTL_E_BUSY, "too many control connections (%u)", s->n_conns);
		s->stats.refused++;
		log_warnx_limited(&s->refused_log,
		                  "control: refused a client: %u of %u connections open",
		                  s->n_conns, s->limits.max_conns);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		fd_send_error(fd, CTL_E_INTERNAL, "out of memory");
		close(fd);
		return;
	}
	conn_start(s, c, fd);
}

bool ctl_socket_alive(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return false;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (ret < 0 && errno != EAGAIN) /* EAGAIN: alive, its backlog full */
		ret = -2;
	close(fd);
	return ret != -2;
}

/* The socket's group becomes gid, its owner stays who made it: no CAP_CHOWN needed when we
 * are a member of the group or it is already ours. */
static int ctl_give_group(const char *path, gid_t gid, const char *group, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == 0 && st.st_gid == gid)
		return 0;
	if (chown(path, (uid_t)-1, gid) == 0)
		return 0;
	snprintf(err, errlen,
	         "control socket %s: cannot give it to group %s: %s (needs "
	         "CAP_CHOWN or membership of the group)",
	         path, group, strerror(errno));
	return -1;
}

static int listen_unix(const char *path, const char *group, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct group *gr = NULL;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	if (group[0] && !(gr = getgrnam(group))) {
		snprintf(err, errlen, "control group %s does not exist", group);
		return -1;
	}
	if (ctl_socket_alive(path)) {
		snprintf(err, errlen, "control socket %s: another process is listening on it",
		         path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (unlink(path) < 0 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 16) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (gr && ctl_give_group(path, gr->gr_gid, group, err, errlen) < 0) {
		unlink(path);
		close(fd);
		return -1;
	}
	return fd;
}

struct ctl_server *ctl_server_open(struct ev_loop *loop, const char *path, const char *group,
                                   ctl_handler_fn handler, void *arg, char *err, size_t errlen)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	int fd;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fd = listen_unix(path, group, err, errlen);
	if (fd < 0) {
		free(s);
		return NULL;
	}
	s->loop = loop;
	s->limits = (struct ctl_limits){ CTL_MAX_CONNS, CTL_IDLE_S, CTL_OUT_HIGH };
	s->refused_log = (struct log_limit)LOG_LIMIT_INIT(60, 1);
	s->handler = handler;
	s->arg = arg;
	snprintf(s->path, sizeof(s->path), "%s", path);
	ev_io_init(&s->accept_w, server_accept, fd, EV_READ);
	s->accept_w.data = s;
	ev_io_start(loop, &s->accept_w);
	return s;
}

int ctl_server_set_group(struct ctl_server *s, const char *group, char *err, size_t errlen)
{
	struct group *gr = NULL;

	if (group[0] && !(gr = getgrnam(group))) {
		snprintf(err, errlen, "control group %s does not exist", group);
		return -1;
	}
	if (chown(s->path, (uid_t)-1, gr ? gr->gr_gid : getegid()) < 0) {
		snprintf(err, errlen, "control socket %s: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

void ctl_answer_reload(struct ctl_conn *c, uint32_t len,
                       int (*reload)(void *arg, char *err, size_t errlen), void *arg)
{
	char err[256];

	if (len != 0)
		ctl_send_error(c, CTL_E_BAD_REQUEST, "reload takes no payload");
	else if (reload(arg, err, sizeof(err)) < 0)
		ctl_send_error(c, CTL_E_REFUSED, "%s", err);
	else
		ctl_send_end(c);
}

void ctl_send_version(struct ctl_conn *c, const char *daemon)
{
	struct ctl_version v;

	memset(&v, 0, sizeof(v));
	snprintf(v.daemon, sizeof(v.daemon), "%s", daemon);
	snprintf(v.version, sizeof(v.version), "%s", PACKAGE_VERSION);
	ctl_send(c, CTL_REC_VERSION, &v, sizeof(v));
	ctl_send_end(c);
}

void ctl_server_set_limits(struct ctl_server *s, const struct ctl_limits *l)
{
	s->limits = *l;
}

void ctl_server_get_stats(const struct ctl_server *s, struct ctl_server_stats *out)
{
	*out = s->stats;
}

void ctl_server_close(struct ctl_server *s)
{
	if (!s)
		return;
	ev_io_stop(s->loop, &s->accept_w);
	close(s->accept_w.fd);
	unlink(s->path);
	free(s); /* connections still open end with the process */
}

/* --- client --- */

int ctl_client_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_client_request(int fd, uint16_t type, const void *payload, uint32_t len)
{
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = CTL_VERSION, .type = type, .len = len };

	if (len > CTL_MAX_PAYLOAD)
		return -1;
	return write_all(fd, &h, sizeof(h)) == 0 && (len == 0 || write_all(fd, payload, len) == 0)
	               ? 0
	               : -1;
}

int ctl_client_read(int fd, struct ctl_hdr *hdr, void *payload, size_t cap)
{
	if (read_all(fd, hdr, sizeof(*hdr)) < 0)
		return -1;
	if (hdr->magic != CTL_MAGIC || hdr->version != CTL_VERSION || hdr->len > cap) {
		errno = EPROTO;
		return -1;
	}
	if (hdr->len && read_all(fd, payload, hdr->len) < 0)
		return -1;
	return (int)hdr->len;
}
