/* magd.c: the MAG daemon's frontend: Router Solicitations captured on every access link, the
 * raw Mobility Header socket toward the LMA, carrier events from the kernel, router
 * advertisements, the glue from the engine's io to the kernel side (kr), reload on SIGHUP, and
 * an orderly exit that de-registers the MNs and removes what was installed. */
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/daemon_main.h"
#include "common/hmap.h"
#include "common/pmtu.h"
#include "common/reload.h"
#include "mag/magd.h"
#include "mag/magd_int.h"

void magd_parse_args(int argc, char **argv, struct daemon_options *o)
{
	daemon_parse_args(argc, argv, "magd", MAG_CONF_DEFAULT_PATH, o);
}

void magd_now(struct mag_now *now)
{
	now->mono_ns = daemon_clock_ns(CLOCK_MONOTONIC);
	now->real_ns = daemon_clock_ns(CLOCK_REALTIME);
}

/* --- engine io --- */

static void io_send_mh(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	struct magd *d = ctx;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = *dst };

	if (sendto(d->mh_fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		log_warnx_limited(&d->send_limit, "sending to the LMA: %s", strerror(errno));
}

static void io_send_ra(void *ctx, unsigned ifindex, const struct in6_addr *dst,
                       const struct nd_ra *ra)
{
	struct magd *d = ctx;
	uint8_t buf[512];
	ssize_t n = nd_build_ra(ra, buf, sizeof(buf));

	if (n < 0 || nd_send_ra(d->ra_fd, ifindex, &d->conf->link_local, dst, buf, (size_t)n) < 0)
		log_warnx_limited(&d->send_limit, "sending a router advertisement: %s",
		                  strerror(errno));
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	return kr_tunnel_add(((struct magd *)ctx)->kr, peer, id);
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	return kr_tunnel_del(((struct magd *)ctx)->kr, id);
}

static int io_route_add(void *ctx, const struct mh_prefix *p, const struct in6_addr *ll,
                        unsigned ifindex, uint64_t cookie)
{
	return kr_route_via_neighbor(((struct magd *)ctx)->kr, &p->addr, p->len, ll, ifindex,
	                             cookie);
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	return kr_route_del(((struct magd *)ctx)->kr, &p->addr, p->len, cookie);
}

static int io_rule_add(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	return kr_source_rule_add(((struct magd *)ctx)->kr, &p->addr, p->len, tunnel, cookie);
}

static int io_rule_del(void *ctx, const struct mh_prefix *p, uint32_t tunnel, uint64_t cookie)
{
	return kr_source_rule_del(((struct magd *)ctx)->kr, &p->addr, p->len, tunnel, cookie);
}

/* A binding tag (doc/datapath.md): refusals are logged here, the engine counts them. */
static int io_tag_add(void *ctx, uint32_t tag, const struct mh_prefix *p, unsigned n,
                      const struct in6_addr *ll, unsigned ifindex, uint32_t *mark)
{
	struct kr_tag_route r[KR_TAG_MAX_ROUTES];
	struct magd *d = ctx;
	int err;

	for (unsigned i = 0; i < n && i < KR_TAG_MAX_ROUTES; i++)
		r[i] = (struct kr_tag_route){ .pfx = p[i].addr, .len = p[i].len };
	if (kr_tag_decap_add(d->kr, tag, r, n, ll, ifindex, mark) == 0) {
		log_info("binding tag 0x%05x: %u prefixes of its MN to interface %u (mark %u)", tag,
		         n, ifindex, *mark);
		return 0;
	}
	err = errno;
	if (err != EOPNOTSUPP)
		log_warnx_limited(&d->kr_limit, "binding tag 0x%05x: %s", tag, strerror(err));
	errno = err;
	return -1;
}

static int io_tag_del(void *ctx, uint32_t mark)
{
	struct magd *d = ctx;

	if (kr_tag_del(d->kr, mark) == 0) {
		log_info("binding tag of mark %u removed", mark);
		return 0;
	}
	log_warnx_limited(&d->kr_limit, "removing the binding tag of mark %u: %s", mark,
	                  strerror(errno));
	return -1;
}

/* The kernel's view of the wall clock (adjtimex, only read). */
static bool io_clock_synced(void *ctx)
{
	struct timex tx = { .modes = 0 };
	int state = ntp_adjtime(&tx);

	(void)ctx;
	return state != -1 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

static void io_flush(void *ctx)
{
	kr_flush(((struct magd *)ctx)->kr);
}

static const struct mag_io magd_io = {
	.send_mh = io_send_mh,
	.send_ra = io_send_ra,
	.tunnel_add = io_tunnel_add,
	.tunnel_del = io_tunnel_del,
	.route_add = io_route_add,
	.route_del = io_route_del,
	.rule_add = io_rule_add,
	.rule_del = io_rule_del,
	.tag_add = io_tag_add,
	.tag_del = io_tag_del,
	.flush = io_flush,
	.clock_synced = io_clock_synced,
};

static void kr_result(void *arg, uint64_t cookie, int err)
{
	struct magd *d = arg;

	log_warnx_limited(&d->kr_limit, "kernel refused a change (entry %llu): %s",
	                  (unsigned long long)cookie, strerror(err));
	if (cookie)
		mag_engine_route_failed(d->engine, cookie, err);
}

/* --- the loop --- */

void magd_after_input(struct magd *d)
{
	mag_engine_flush(d->engine);
	daemon_timer_rearm(d->loop, &d->timer_w, mag_engine_next_deadline(d->engine));
	if (d->leaving && mag_engine_leaving(d->engine) == 0)
		ev_break(d->loop, EVBREAK_ALL); /* every de-registration answered */
}

static void mh_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct magd *d = w->data;
	uint8_t buf[MH_MAX_LEN + 8], ctl[MH_PPERR_CTL_SPACE];
	struct mag_now now;

	(void)loop;
	(void)revents;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_in6 from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			            .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(d->mh_fd, &m, MSG_DONTWAIT);

		if (n < 0)
			break;
		magd_now(&now);
		mh_pperr_input(&d->pperr, &d->conf->be_rate, &m, &d->conf->proxy_coa, buf, (size_t)n,
		               now.mono_ns);
		mag_engine_mh_input(d->engine, &from.sin6_addr, buf, (size_t)n, &now);
	}
	magd_after_input(d);
}

static void rs_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct access_watch *a = w->data;
	uint8_t frame[1600];
	struct mag_now now;

	(void)loop;
	(void)revents;
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(a->fd, frame, sizeof(frame), MSG_DONTWAIT);
		struct nd_rs rs;

		if (n < 0)
			break;
		if (nd_parse_rs_frame(frame, (size_t)n, &rs) != ND_OK) {
			a->d->rs_malformed++;
			continue;
		}
		magd_now(&now);
		mag_engine_rs(a->d->engine, a->ifindex, rs.eth_src, &rs.src, &now);
	}
	magd_after_input(a->d);
}

static void link_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct magd *d = w->data;

	(void)loop;
	(void)revents;
	nl_link_read(d->links);
	magd_after_input(d);
}

static void timer_fired(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct magd *d = w->data;
	struct mag_now now;

	(void)loop;
	(void)revents;
	magd_now(&now);
	mag_engine_run_timers(d->engine, &now);
	magd_after_input(d);
}

/* Names the settings the kernel side, the sockets and the access links were set up with at
 * start, and that b changes, in buf; empty when there is none. */
static void restart_only(const void *old, const void *new, char *buf, size_t len)
{
	const struct mag_conf *a = old, *b = new;

	buf[0] = '\0';
	RELOAD_NOTE_COMMON(buf, len, a, b);
	reload_note(buf, len, memcmp(&a->proxy_coa, &b->proxy_coa, 16) != 0, "proxy-coa");
	reload_note(buf, len, memcmp(&a->link_local, &b->link_local, 16) != 0,
	            "link-local-address");
	reload_note(buf, len, !magd_same_access(a, b), "the access interfaces");
}

static void magd_ctl_limits(struct magd *d)
{
	daemon_ctl_limits(d->ctl, d->conf->ctl_max_clients, d->conf->ctl_idle_ms);
}

static void reload_apply(void *daemon, void *conf)
{
	struct magd *d = daemon;

	mag_engine_set_conf(d->engine, conf);
	for (unsigned i = 0; i < d->n_access; i++)
		mag_engine_set_access(d->engine, d->access[i].ifname, d->access[i].ifindex,
		                      d->access[i].mac);
	state_sync_save(&d->state);
	mag_conf_free(d->conf);
	d->conf = conf;
	magd_ctl_limits(d);
	magd_state_reloaded(d);
}

RELOAD_OPS(conf_ops, struct mag_conf, mag_conf, restart_only, reload_apply);

int magd_reload(struct magd *d, char *err, size_t errlen)
{
	return reload_run(&conf_ops, d, d->conf_path, d->conf, d->ctl, err, errlen);
}

static void exit_due(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct magd *d = w->data;

	(void)revents;
	log_warnx("%u de-registrations unanswered: exiting anyway", mag_engine_leaving(d->engine));
	ev_break(loop, EVBREAK_ALL);
}

/* The wait for the LMA's answers: the first PBU and two retransmissions at the default
 * back-off (1s, then 2s), within half a second and five. */
static double exit_wait_s(const struct mag_conf *c)
{
	double s = 3.0 * c->retransmit_initial_ms / 1000.0;

	return s < 0.5 ? 0.5 : s > 5.0 ? 5.0 : s;
}

/* SIGTERM, SIGINT: de-register every MN, exit once the LMA answered or the wait is over. */
static void start_leaving(struct magd *d, int signum)
{
	struct mag_now now;
	unsigned n;

	magd_now(&now);
	d->leaving = true;
	n = mag_engine_leave(d->engine, &now);
	log_info("signal %d: exiting, after the LMA acknowledges %u de-registrations (at most "
	         "%.1fs)",
	         signum, n, exit_wait_s(d->conf));
	ev_timer_init(&d->exit_w, exit_due, exit_wait_s(d->conf), 0.);
	d->exit_w.data = d;
	ev_timer_start(d->loop, &d->exit_w);
	magd_after_input(d);
}

/* SIGTERM, SIGINT: the first starts leaving, a second one ends the loop at once. */
static void exit_signal(void *daemon, struct ev_loop *loop, int signum)
{
	struct magd *d = daemon;

	if (d->leaving) {
		log_info("signal %d again: exiting now", signum);
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	start_leaving(d, signum);
}

static void run_loop(void *daemon)
{
	struct magd *d = daemon;

	ev_io_init(&d->mh_w, mh_readable, d->mh_fd, EV_READ);
	d->mh_w.data = d;
	ev_io_start(d->loop, &d->mh_w);
	ev_io_init(&d->link_w, link_readable, nl_link_fd(d->links), EV_READ);
	d->link_w.data = d;
	ev_io_start(d->loop, &d->link_w);
	for (unsigned i = 0; i < d->n_access; i++) {
		ev_io_init(&d->access[i].w, rs_readable, d->access[i].fd, EV_READ);
		d->access[i].w.data = &d->access[i];
		ev_io_start(d->loop, &d->access[i].w);
	}
	ev_timer_init(&d->timer_w, timer_fired, 0., 0.);
	d->timer_w.data = d;
	magd_state_load(d); /* the access links have told their carrier by now */
	magd_state_start(d);
	log_info("magd running: %u access links, %s tunnels", d->n_access,
	         kr_driver_name(kr_driver_in_use(d->kr)));
	ev_run(d->loop, 0);
}

static int start(void *daemon, void *conf, struct ev_loop *loop, const struct daemon_setup *s,
                 enum kr_driver *in_use)
{
	struct magd *d = daemon;
	struct mag_io io = magd_io;

	io.ctx = d;
	d->conf = conf;
	d->loop = loop;
	d->send_limit = (struct log_limit)LOG_LIMIT_INIT(10, 5);
	d->kr_limit = (struct log_limit)LOG_LIMIT_INIT(10, 5);
	if (daemon_open_kernel(loop, s, kr_result, d, "the tunnel", &d->kr, &d->pmtu) < 0)
		return -1;
	d->engine = mag_engine_new(d->conf, &io);
	if (d->engine)
		mag_engine_set_restart_counter(d->engine, daemon_restart_counter());
	if (!d->engine || magd_open_sockets(d) < 0 || magd_open_access(d) < 0)
		return -1;
	if (!(d->ctl = daemon_ctl_open(loop, s, magd_ctl_handle, d)))
		return -1;
	magd_ctl_limits(d);
	*in_use = kr_driver_in_use(d->kr);
	return 0;
}

static void stop(void *daemon)
{
	struct magd *d = daemon;
	struct mag_now now;

	magd_now(&now);
	ctl_server_close(d->ctl);
	state_sync_stop(&d->state);       /* before the engine goes: what is registered now */
	mag_engine_free(d->engine, &now); /* de-registers, removes routes, rules, tunnel */
	magd_close_access(d);
	if (d->kr)
		kr_close(d->kr); /* and the link-local addresses, decapsulation, ... */
	pmtu_relay_close(d->pmtu);
	if (d->links)
		nl_link_close(d->links);
	if (d->mh_fd >= 0)
		close(d->mh_fd);
	mh_pperr_close(&d->pperr);
	if (d->ra_fd >= 0)
		close(d->ra_fd);
	mag_conf_free(d->conf);
}

static void setup(const void *conf, struct daemon_setup *s)
{
	const struct mag_conf *c = conf;

	DAEMON_SETUP(s, "magd", c, c->proxy_coa);
}

static int reload(void *daemon, char *err, size_t errlen)
{
	return magd_reload(daemon, err, errlen);
}

/* name, children_need_raw, conf, setup, start, run, stop, reload, exit */
static const struct daemon_ops magd_ops = { "magd",   false, &conf_ops, setup,      start,
	                                    run_loop, stop,  reload,    exit_signal };

int magd_run(const struct daemon_options *o)
{
	struct magd d = { .mh_fd = -1, .pperr.fd = -1, .ra_fd = -1, .conf_path = o->conf_path };

	return daemon_main(&magd_ops, &d, o);
}
