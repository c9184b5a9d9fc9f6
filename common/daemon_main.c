/* daemon_main.c: the start-up and the shell of the loop lmad and magd share: load or check the
 * configuration, detach with a readiness report, prepare privileges and the one-instance lock,
 * set up, drop privileges, watch the signals (SIGHUP reloads), and undo everything at exit. */
#include <signal.h>
#include <stdio.h>

#include "common/ctl.h"
#include "common/daemon_main.h"
#include "common/hmap.h"
#include "common/log.h"

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
static int check_config(const struct daemon_ops *ops, void *d, const struct daemon_options *o,
                        const struct daemon_setup *s)
{
	char drv[1024];

	if (o->verbose)
		ops->print(d, stdout);
	fprintf(stderr, "configuration OK\n");
	if (kr_probe(&s->kr, drv, sizeof(drv)) == 0)
		fprintf(stderr, "tunnel driver: %s\n", drv);
	ops->free_conf(d);
	return 0;
}

/* Set up, drop privileges, run until a signal ends the loop; 0, or 1 with the reason in err. */
static int serve(const struct daemon_ops *ops, void *d, struct daemon_priv *priv,
                 struct daemon_ready *ready, const struct daemon_setup *s, char *err,
                 size_t errlen)
{
	struct daemon_signals sig = { .ops = ops, .d = d };
	struct ev_loop *loop = ev_default_loop(0);

	if (ops->start(d, loop, s) < 0 || daemon_priv_drop(priv, ops->in_use(d)) < 0) {
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
	int status;

	log_init(ops->name, o->foreground || o->check_only, o->verbose);
	hash_seed_init(); /* before anything builds a hash index: the configuration does */
	if (ops->load(d, o->conf_path, &s, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return 1;
	}
	if (o->check_only)
		return check_config(ops, d, o, &s);
	if (!o->foreground)
		daemon_detach(&ready, ops->name);
	daemon_priv_init(&priv, s.kr.driver);
	priv.children_need_raw = ops->children_need_raw;
	if (daemon_prepare(&priv, &lock, o, &s.start, err, sizeof(err)) < 0) {
		log_warnx("%s", err); /* before anything touched the running one's state */
		daemon_ready_fail(&ready, err);
		ops->free_conf(d);
		return 1;
	}
	status = serve(ops, d, &priv, &ready, &s, err, sizeof(err));
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
