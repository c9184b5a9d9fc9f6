/* lmad.c: the LMA daemon's frontend: the raw Mobility Header socket (RFC 6275 §6.1; the kernel
 * checks the checksum of IPPROTO_MH raw sockets, we check everything else), the glue from the
 * engine's io to the kernel side (kr), configuration reload on SIGHUP (a whole new configuration
 * or the old one), and an orderly exit that removes what was installed. */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/daemon_main.h"
#include "common/hmap.h"
#include "kr/kr.h"
#include "common/log.h"
#include "common/pmtu.h"
#include "common/reload.h"
#include "lma/engine.h"
#include "lma/lmad.h"
#include "lma/lmad_int.h"

#define RECV_BATCH 64

void lmad_parse_args(int argc, char **argv, struct daemon_options *o)
{
	daemon_parse_args(argc, argv, "lmad", LMA_CONF_DEFAULT_PATH, o);
}

void lmad_now(struct lma_now *now)
{
	now->mono_ns = daemon_clock_ns(CLOCK_MONOTONIC);
	now->real_ns = daemon_clock_ns(CLOCK_REALTIME);
	now->rx_real_ns = 0;
}

/* --- engine io, backed by the kernel side --- */

static void sendq_refused(struct lmad *d, unsigned refused)
{
	if (refused > 0)
		log_warnx_limited(&d->send_limit, "sending %u Mobility Header message(s): %s",
		                  refused, strerror(errno));
}

/* Queued: the loop sends what a turn made in one system call (sendq_due). */
static void io_send(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct lmad *d = ctx;

	sendq_refused(d, mh_sendq_push(&d->sendq, dst, buf, len));
}

static void sendq_due(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct lmad *d = w->data;

	(void)loop;
	(void)revents;
	if (d->sendq.n > 0)
		sendq_refused(d, mh_sendq_flush(&d->sendq));
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	return kr_tunnel_add(((struct lmad *)ctx)->kr, peer, id);
}

static int io_tunnel_add_as(void *ctx, const struct in6_addr *peer, uint32_t id)
{
	return kr_tunnel_add_as(((struct lmad *)ctx)->kr, peer, id);
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	return kr_tunnel_del(((struct lmad *)ctx)->kr, id);
}

static int io_route_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	return kr_route_via_tunnel(((struct lmad *)ctx)->kr, &p->addr, p->len, tunnel, cookie);
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	lmad_fc_prefix_unrouted(ctx, p);
	return kr_route_del(((struct lmad *)ctx)->kr, &p->addr, p->len, cookie);
}

/* A binding tag (doc/datapath.md): refusals are logged here, the engine counts them. */
static int io_tag_add(void *ctx, uint32_t tunnel, uint32_t tag, uint32_t *mark)
{
	struct lmad *d = ctx;
	int err;

	if (kr_tag_encap_add(d->kr, tunnel, tag, mark) == 0) {
		log_debug("binding tag 0x%05x through tunnel %u: mark %u", tag, tunnel, *mark);
		return 0;
	}
	err = errno;
	if (err != EOPNOTSUPP)
		log_warnx_limited(&d->kr_limit, "binding tag 0x%05x through tunnel %u: %s", tag,
		                  tunnel, strerror(err));
	errno = err;
	return -1;
}

static int io_tag_del(void *ctx, uint32_t mark)
{
	struct lmad *d = ctx;

	if (kr_tag_del(d->kr, mark) == 0)
		return 0;
	log_warnx_limited(&d->kr_limit, "removing the binding tag of mark %u: %s", mark,
	                  strerror(errno));
	return -1;
}

static void io_flush(void *ctx)
{
	kr_flush(((struct lmad *)ctx)->kr);
}

static void io_mn_changed(void *ctx, const struct lma_mn *mn)
{
	lmad_fc_mn_changed(ctx, mn);
}

/* RFC 5847: what the heartbeat with a MAG learnt, before the engine acts on it. */
static void io_peer_event(void *ctx, const struct in6_addr *mag, unsigned events)
{
	struct lmad *d = ctx;
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, mag, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (events & HB_EV_FAILED)
		log_warnx("MAG %s unreachable: no heartbeat response for %ums; its bindings fail "
		          "over to the MNs' other interfaces",
		          a, d->conf->heartbeat.interval_ms * d->conf->heartbeat.misses);
	if (events & HB_EV_RECOVERED)
		log_warnx("MAG %s answers heartbeats again", a);
	if (events & HB_EV_RESTARTED)
		log_warnx("MAG %s restarted: its bindings are stale until it registers them again",
		          a);
}

static void kr_result(void *arg, uint64_t cookie, int err)
{
	struct lmad *d = arg;

	if (cookie == 0) {
		log_warnx_limited(&d->kr_limit, "kernel refused a route removal: %s",
		                  strerror(err));
		return;
	}
	log_warnx_limited(&d->kr_limit, "kernel refused the routes of binding %llu: %s",
	                  (unsigned long long)cookie, strerror(err));
	lma_engine_route_failed(d->engine, cookie, err);
}

/* The engine's random source (the first Update Notification sequence number, RFC 7077 §5.1).
 * getrandom() does not fail for 4 octets once the pool is ready; the clock stands in if it
 * does. */
static uint32_t io_random(void *ctx)
{
	uint32_t r;

	(void)ctx;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)daemon_clock_ns(CLOCK_MONOTONIC);
	return r;
}

static const struct lma_io lmad_io = {
	.send = io_send,
	.tunnel_add = io_tunnel_add,
	.tunnel_add_as = io_tunnel_add_as,
	.tunnel_del = io_tunnel_del,
	.route_add = io_route_add,
	.route_del = io_route_del,
	.flush = io_flush,
	.mn_changed = io_mn_changed,
	.tag_add = io_tag_add,
	.tag_del = io_tag_del,
	.peer_event = io_peer_event,
	.random = io_random,
};

/* --- the loop --- */

static void rearm_timer(struct lmad *d)
{
	daemon_timer_rearm(d->loop, &d->timer_w, lma_engine_next_deadline(d->engine));
}

void lmad_after_input(struct lmad *d)
{
	lma_engine_flush(d->engine);
	rearm_timer(d);
}

static void mh_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lmad *d = w->data;
	static uint8_t bufs[RECV_BATCH][MH_MAX_LEN + 8];
	static uint8_t ctls[RECV_BATCH][MH_PPERR_CTL_SPACE];
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_in6 from[RECV_BATCH];
	struct lma_now now;
	int n;

	(void)loop;
	(void)revents;
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < RECV_BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
			                           .msg_namelen = sizeof(from[i]),
			                           .msg_iov = &iov[i],
			                           .msg_iovlen = 1,
			                           .msg_control = ctls[i],
			                           .msg_controllen = sizeof(ctls[i]) };
	}
	n = recvmmsg(d->mh_fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return;
	lmad_now(&now);
	for (int i = 0; i < n; i++) {
		if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			continue;
		mh_pperr_input(&d->pperr, &d->conf->be_rate, &msgs[i].msg_hdr, &d->conf->lma_addr,
		               bufs[i], msgs[i].msg_len, now.mono_ns);
		now.rx_real_ns = mh_rx_real_ns(&msgs[i].msg_hdr);
		lma_engine_input(d->engine, &from[i].sin6_addr, bufs[i], msgs[i].msg_len, &now);
	}
	lma_engine_flush(d->engine);
	rearm_timer(d);
}

static void timer_fired(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lmad *d = w->data;
	struct lma_now now;

	(void)loop;
	(void)revents;
	lmad_now(&now);
	lma_engine_run_timers(d->engine, &now);
	lma_engine_flush(d->engine);
	rearm_timer(d);
}

/* Names the settings the kernel side, the flow queue or the sockets were set up with at start,
 * and that c changes, in buf; empty when there is none. */
static void restart_only(const void *old, const void *new, char *buf, size_t len)
{
	const struct lma_conf *a = old, *b = new;

	buf[0] = '\0';
	RELOAD_NOTE_COMMON(buf, len, a, b);
	reload_note(buf, len, a->queue_num != b->queue_num, "flow-queue");
	reload_note(buf, len, a->fail_open != b->fail_open, "flow-fail");
}

static void lmad_ctl_limits(struct lmad *d)
{
	daemon_ctl_limits(d->ctl, d->conf->ctl_max_clients, d->conf->ctl_idle_ms);
}

/* RFC 5846 §8.1: a MAG taken out of the configuration has its bindings revoked. */
static void revoke_unconfigured(struct lmad *d)
{
	struct lma_now now;
	unsigned n;

	lmad_now(&now);
	n = lma_engine_revoke_unconfigured(d->engine, &now);
	if (n == 0)
		return;
	log_info("reload: %u binding(s) at MAGs no longer configured revoked", n);
	lmad_after_input(d);
}

static void reload_apply(void *daemon, void *conf)
{
	struct lmad *d = daemon;
	size_t kept;

	state_sync_save(&d->leases); /* what the old configuration's files should hold */
	state_sync_save(&d->bindings);
	lma_engine_set_conf(d->engine, conf);
	lma_conf_free(d->conf);
	d->conf = conf;
	lmad_ctl_limits(d);
	lmad_leases_reloaded(d);
	lmad_bindings_reloaded(d);
	revoke_unconfigured(d);
	if (!d->fc)
		return;
	kept = lmad_fc_load_conf(d);
	lmad_fc_policies_changed(d);
	if (kept)
		log_info("reload: %zu policies added with pmipctl kept, ahead of the "
		         "configuration's",
		         kept);
}

RELOAD_OPS(conf_ops, struct lma_conf, lma_conf, restart_only, reload_apply);

int lmad_reload(struct lmad *d, char *err, size_t errlen)
{
	return reload_run(&conf_ops, d, d->conf_path, d->conf, d->ctl, err, errlen);
}

static int open_mh_socket(const struct in6_addr *local)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *local };
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MH);
	int big = 4 << 20, one = 1;

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (mh_pperr_sockopts(fd) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0 || /* rx_real_ns */
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int start(void *daemon, void *conf, struct ev_loop *loop, const struct daemon_setup *s,
                 enum kr_driver *in_use)
{
	struct lmad *d = daemon;
	struct lma_io io = lmad_io;

	io.ctx = d;
	d->conf = conf;
	d->loop = loop;
	d->send_limit = (struct log_limit)LOG_LIMIT_INIT(10, 5);
	d->kr_limit = (struct log_limit)LOG_LIMIT_INIT(10, 5);
	if (daemon_open_kernel(loop, s, kr_result, d, "the tunnels", &d->kr, &d->pmtu) < 0)
		return -1;
	d->engine = lma_engine_new(d->conf, &io, 1024);
	if (d->engine)
		lma_engine_set_restart_counter(d->engine, daemon_restart_counter());
	d->mh_fd = open_mh_socket(&d->conf->lma_addr);
	if (!d->engine || d->mh_fd < 0 || mh_sendq_init(&d->sendq, d->mh_fd) < 0 ||
	    mh_pperr_open(&d->pperr, &d->conf->lma_addr) < 0) {
		log_warn("Mobility Header socket on the LMA address");
		return -1;
	}
	lmad_leases_load(d);
	lmad_bindings_load(d); /* after the leases: their prefixes rest with their MNs */
	if (lmad_fc_start(d) < 0)
		return -1;
	lmad_bindings_load_flows(d);
	if (!(d->ctl = daemon_ctl_open(loop, s, lmad_ctl_handle, d)))
		return -1;
	lmad_ctl_limits(d);
	*in_use = kr_driver_in_use(d->kr);
	return 0;
}

static void stop(void *daemon)
{
	struct lmad *d = daemon;

	ctl_server_close(d->ctl);
	state_sync_stop(&d->leases); /* while the engine still knows what is bound */
	state_sync_stop(&d->bindings);
	if (d->kr)
		lmad_fc_stop(d);    /* the classifier's chain and queue go first */
	lma_engine_free(d->engine); /* deletes every binding's routes and tunnels */
	if (d->kr)
		kr_close(d->kr); /* and whatever else was installed */
	pmtu_relay_close(d->pmtu);
	if (d->sendq.n > 0)
		sendq_refused(d, mh_sendq_flush(&d->sendq));
	mh_sendq_free(&d->sendq);
	if (d->mh_fd >= 0)
		close(d->mh_fd);
	mh_pperr_close(&d->pperr);
	lma_conf_free(d->conf);
}

static void run_loop(void *daemon)
{
	struct lmad *d = daemon;

	ev_io_init(&d->mh_w, mh_readable, d->mh_fd, EV_READ);
	d->mh_w.data = d;
	ev_io_start(d->loop, &d->mh_w);
	ev_prepare_init(&d->sendq_w, sendq_due);
	d->sendq_w.data = d;
	ev_prepare_start(d->loop, &d->sendq_w);
	ev_timer_init(&d->timer_w, timer_fired, 0., 0.);
	d->timer_w.data = d;
	lmad_leases_start(d);
	lmad_bindings_start(d);
	log_info("lmad running: LMA %s, %s tunnels", d->conf_path,
	         kr_driver_name(kr_driver_in_use(d->kr)));
	ev_run(d->loop, 0);
}

static void setup(const void *conf, struct daemon_setup *s)
{
	const struct lma_conf *c = conf;

	DAEMON_SETUP(s, "lmad", c, c->lma_addr);
}

static int reload(void *daemon, char *err, size_t errlen)
{
	return lmad_reload(daemon, err, errlen);
}

/* name, children_need_raw, conf, setup, start, run, stop, reload, exit */
static const struct daemon_ops lmad_ops = { "lmad",   true, &conf_ops, setup, start,
	                                    run_loop, stop, reload,    NULL };

int lmad_run(const struct daemon_options *o)
{
	struct lmad d = { .mh_fd = -1, .pperr.fd = -1, .conf_path = o->conf_path };

	return daemon_main(&lmad_ops, &d, o);
}
