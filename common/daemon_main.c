/* daemon_main.c: the start-up and the shell of the loop lmad and magd share: load or check the
 * configuration, detach with a readiness report, prepare privileges and the one-instance lock,
 * set up, drop privileges, watch the signals (SIGHUP reloads), and undo everything at exit. */
#include <signal.h>
#include <stdio.h>

#include "common/ctl.h"
#include "common/daemon_main.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/pmtu.h"

/* The signal watchers of a running daemon. */
struct daemon_signals {
	const struct daemon_ops *ops;
	void *d;
	ev_signal term, intr, hup;
};

static void signalled(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon_signals *s = w->data;

	(void)revents;
	if (w->signum == SIGHUP) {
		char err[256];

		(void)s->ops->reload(s->d, err, sizeof(err)); /* it logs what it did */
		return;
	}
	if (s->ops->exit) {
		s->ops->exit(s->d, loop, w->signum);
		return;
	}
	log_info("signal %d: exiting", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

static void watch(struct daemon_signals *s, struct ev_loop *loop, int signum, ev_signal *w)
{
	ev_signal_init(w, signalled, signum);
	w->data = s;
	ev_signal_start(loop, w);
}

static void signals_start(struct daemon_signals *s, struct ev_loop *loop)
{
	watch(s, loop, SIGTERM, &s->term);
	watch(s, loop, SIGINT, &s->intr);
	watch(s, loop, SIGHUP, &s->hup);
	signal(SIGPIPE, SIG_IGN);
}

/* -n: the configuration is good; which tunnel driver this kernel would give it. */
static int check_config(const struct daemon_ops *ops, void *conf, const struct daemon_options *o,
                        const struct daemon_setup *s)
{
	char drv[1024];

	if (o->verbose)
		ops->conf->print(stdout, conf);
	fprintf(stderr, "configuration OK\n");
	if (kr_probe(&s->kr, drv, sizeof(drv)) == 0)
		fprintf(stderr, "tunnel driver: %s\n", drv);
	ops->conf->free(conf);
	return 0;
}

/* Set up, drop privileges, run until a signal ends the loop; 0, or 1 with the reason in err. */
static int serve(const struct daemon_ops *ops, void *d, void *conf, struct daemon_priv *priv,
                 struct daemon_ready *ready, const struct daemon_setup *s, char *err, size_t errlen)
{
	struct daemon_signals sig = { .ops = ops, .d = d };
	struct ev_loop *loop = ev_default_loop(0);
	enum kr_driver in_use = KR_DRIVER_AUTO;

	if (ops->start(d, conf, loop, s, &in_use) < 0 || daemon_priv_drop(priv, in_use) < 0) {
		snprintf(err, errlen, "%s", log_last_warning());
		return 1;
	}
	daemon_ready_ok(ready);
	signals_start(&sig, loop);
	ops->run(d);
	daemon_notify_stopping();
	return 0;
}

int daemon_main(const struct daemon_ops *ops, void *d, const struct daemon_options *o)
{
	struct daemon_ready ready = { .fd = -1 };
	struct daemon_lock lock = { .fd = -1 };
	struct daemon_priv priv;
	struct daemon_setup s;
	char err[256];
	void *conf;
	int status;

	log_init(ops->name, o->foreground || o->check_only, o->verbose);
	hash_seed_init(); /* before anything builds a hash index: the configuration does */
	if (!(conf = ops->conf->load(o->conf_path, err, sizeof(err)))) {
		log_warnx("%s", err);
		return 1;
	}
	ops->setup(conf, &s);
	if (o->check_only)
		return check_config(ops, conf, o, &s);
	if (!o->foreground)
		daemon_detach(&ready, ops->name);
	daemon_priv_init(&priv, s.kr.driver);
	priv.children_need_raw = ops->children_need_raw;
	if (daemon_prepare(&priv, &lock, o, &s.start, err, sizeof(err)) < 0) {
		log_warnx("%s", err); /* before anything touched the running one's state */
		daemon_ready_fail(&ready, err);
		ops->conf->free(conf);
		return 1;
	}
	status = serve(ops, d, conf, &priv, &ready, &s, err, sizeof(err));
	ops->stop(d);
	daemon_lock_release(&lock);
	daemon_ready_fail(&ready, err); /* once set-up is undone; nothing if ready was sent */
	return status;
}

void daemon_timer_rearm(struct ev_loop *loop, ev_timer *w, uint64_t next)
{
	uint64_t now = daemon_clock_ns(CLOCK_MONOTONIC);

	ev_timer_stop(loop, w);
	if (next == UINT64_MAX)
		return;
	ev_timer_set(w, next > now ? (double)(next - now) / 1e9 : 0.0, 0.0);
	ev_timer_start(loop, w);
}

void daemon_ctl_limits(struct ctl_server *ctl, unsigned max_clients, uint32_t idle_ms)
{
	struct ctl_limits l = { .max_conns = max_clients,
		                .idle_s = idle_ms / 1000.0,
		                .out_high = CTL_OUT_HIGH };

	ctl_server_set_limits(ctl, &l);
}

int daemon_open_kernel(struct ev_loop *loop, const struct daemon_setup *s, kr_result_fn result,
                       void *arg, const char *what, struct kr **kr, struct pmtu_relay **pmtu)
{
	char err[256];

	if (!(*kr = kr_open(&s->kr, err, sizeof(err)))) {
		log_warnx("kernel set-up failed: %s", err);
		return -1;
	}
	kr_set_result_cb(*kr, result, arg);
	if ((*pmtu = pmtu_relay_open(loop, &s->kr.local)) == NULL)
		log_warn("no Packet Too Big relay for %s", what);
	return 0;
}

uint32_t daemon_restart_counter(void)
{
	return (uint32_t)(daemon_clock_ns(CLOCK_REALTIME) / 1000000000);
}

struct ctl_server *daemon_ctl_open(struct ev_loop *loop, const struct daemon_setup *s,
                                   ctl_handler_fn handler, void *arg)
{
	char err[256];
	struct ctl_server *ctl = ctl_server_open(loop, s->start.ctl_path, s->start.ctl_group,
	                                         handler, arg, err, sizeof(err));

	if (!ctl)
		log_warnx("%s", err);
	return ctl;
}
