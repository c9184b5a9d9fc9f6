/* daemon_main.h: the start-up and the shell of the loop both daemons share (lmad(8), magd(8)):
 * the configuration loaded or checked (-n, -nv), the detach with its readiness report, the
 * privileges and the one-instance lock, the set-up, the privilege drop, the signal watchers
 * (SIGHUP reloads, SIGTERM and SIGINT end the loop) and the orderly exit. What differs between
 * the daemons is behind struct daemon_ops. */
#ifndef COMMON_DAEMON_MAIN_H
#define COMMON_DAEMON_MAIN_H

#include <ev.h>
#include <stdint.h>
#include <stdio.h>

#include "common/ctl.h"
#include "common/daemon.h"
#include "common/reload.h"
#include "kr/kr.h"

struct pmtu_relay;

/* What the shared start-up needs of a loaded configuration. */
struct daemon_setup {
	struct daemon_start start; /* user, group, control socket and its group */
	struct kr_config kr;       /* the kernel side the configuration asks for */
};

/* Fills the setup s of a daemon called name from its configuration c, with the members both
 * lma_conf and mag_conf have (user, group, control socket, the kernel side's), local the
 * address its tunnels start from. */
#define DAEMON_SETUP(s, daemon_name, c, local_addr)                                                \
	do {                                                                                       \
		(s)->start = (struct daemon_start){ (daemon_name), (c)->run_user, (c)->run_group,  \
			                            (c)->ctl_path, (c)->ctl_group };               \
		(s)->kr = (struct kr_config){ .driver = (c)->driver,                               \
			                      .local = (local_addr),                               \
			                      .table_base = (c)->table_base,                       \
			                      .rule_priority = (c)->rule_priority,                 \
			                      .tunnel_mtu = (c)->tunnel_mtu };                     \
		snprintf((s)->kr.uplink, sizeof((s)->kr.uplink), "%s", (c)->uplink);               \
	} while (0)

/* A daemon, d behind void: lmad's struct lmad, magd's struct magd. */
struct daemon_ops {
	const char *name;
	bool children_need_raw;        /* daemon_priv: its helper processes keep cap_net_raw */
	const struct reload_ops *conf; /* loads, prints (-nv) and frees its configuration */
	/* What the shared start-up needs of the configuration conf (DAEMON_SETUP). */
	void (*setup)(const void *conf, struct daemon_setup *s);
	/* Takes conf (stop() frees it) and sets up everything, the kernel side first, on loop:
	 * 0 with the tunnel driver it got in *in_use, or -1 (logged). */
	int (*start)(void *d, void *conf, struct ev_loop *loop, const struct daemon_setup *s,
	             enum kr_driver *in_use);
	void (*run)(void *d);  /* starts its watchers and runs the loop */
	void (*stop)(void *d); /* undoes whatever start() did, frees the configuration */
	int (*reload)(void *d, char *err, size_t errlen); /* SIGHUP: logs what it did */
	/* SIGTERM, SIGINT; NULL: "signal N: exiting" and the loop ends at once. */
	void (*exit)(void *d, struct ev_loop *loop, int signum);
};

/* The whole life of a daemon from its parsed options: 0 after an orderly exit (or a good
 * configuration with -n), 1 when it could not start. */
int daemon_main(const struct daemon_ops *ops, void *d, const struct daemon_options *o);

/* The first steps of a start(): the kernel side of s, which reports refused changes to
 * result(arg, ...), then the Packet Too Big relay for the tunnels from s's local address (one
 * that cannot open is logged, "no Packet Too Big relay for <what>", and the daemon goes on
 * without). 0, or -1 ("kernel set-up failed: ..." logged). */
int daemon_open_kernel(struct ev_loop *loop, const struct daemon_setup *s, kr_result_fn result,
                       void *arg, const char *what, struct kr **kr, struct pmtu_relay **pmtu);
/* The Restart Counter the engine's Heartbeat Responses carry (RFC 5847 §3.4): the start time in
 * seconds, which grows from one restart to the next. */
uint32_t daemon_restart_counter(void);
/* The control socket of s served by handler(arg); NULL when it cannot open (logged). */
struct ctl_server *daemon_ctl_open(struct ev_loop *loop, const struct daemon_setup *s,
                                   ctl_handler_fn handler, void *arg);
/* Arms the loop's one timer w for the monotonic deadline next (UINT64_MAX: none). */
void daemon_timer_rearm(struct ev_loop *loop, ev_timer *w, uint64_t next);
/* The control socket's limits as configured; they apply to the clients that come next. */
void daemon_ctl_limits(struct ctl_server *ctl, unsigned max_clients, uint32_t idle_ms);

#endif
