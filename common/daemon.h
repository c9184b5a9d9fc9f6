/* daemon.h: what both daemons' command lines and clocks share: -d (foreground), -f file,
 * -n (check the configuration), -v (more logging; with -n, print it back); and how both write
 * the state they keep across a restart (lmad's leases, magd's bindings). */
#ifndef COMMON_DAEMON_H
#define COMMON_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "common/priv.h"
#include "kr/kr.h"

struct daemon_options {
	const char *conf_path;
	const char *user;  /* -u: overrides the configuration's "user" */
	const char *group; /* -g: overrides its "group" */
	bool check_only; /* -n */
	int verbose;     /* -v */
	bool foreground; /* -d */
};

/* Parses argv; prints the usage of `name` and exits 2 on a bad option. */
void daemon_parse_args(int argc, char **argv, const char *name, const char *default_conf,
                       struct daemon_options *o);
uint64_t daemon_clock_ns(clockid_t id);
/* Writes path whole or not at all: fill() writes path.tmp (created with mode), which is synced
 * and renamed over path, so a crash leaves the old file or the new one. 0, or -1 with errno
 * (fill returning -1 counts as a failure; path.tmp is then removed). path is at most
 * PATH_MAX - 5 bytes. */
int daemon_write_file(const char *path, mode_t mode, int (*fill)(FILE *out, void *arg), void *arg);

/* The default runtime directory: the default control sockets' (lmad.conf(5), magd.conf(5)). */
#define DAEMON_RUNDIR "/run/pmip6"

/* Creates rundir (mode 0750) if ctl_path lies directly in it and it is missing, as after a
 * reboot (/run is a tmpfs); a socket elsewhere needs its directory to exist. 0, or -1 with a
 * message in err. */
int daemon_make_rundir(const char *ctl_path, const char *rundir, char *err, size_t errlen);

/* --- one instance per control socket ---
 * A second daemon started with the same configuration would otherwise flush the first one's
 * routes, rules and tunnels in kr_open() while the first still believes in them. The instance
 * that serves control socket S holds an exclusive flock(2) on the pidfile S.pid, which holds
 * its PID; the kernel drops the lock when the process dies, so a file left by a killed instance
 * never blocks the next start. */
struct daemon_lock {
	int fd; /* -1: not held */
	char path[PATH_MAX];
};

/* The pidfile of the instance serving ctl_path: ctl_path with ".pid" appended. 0, or -1 with
 * errno ENAMETOOLONG. */
int daemon_pidfile_path(const char *ctl_path, char *out, size_t size);
/* Takes the lock on path, created mode 0644 if missing, and writes our PID into it. 0, or -1
 * with a message in err naming `name` and the PID of the holder. */
int daemon_lock_take(struct daemon_lock *l, const char *path, const char *name, char *err,
                     size_t errlen);
/* Removes the pidfile and drops the lock (no-op if not held). */
void daemon_lock_release(struct daemon_lock *l);
/* Before anything touches the kernel: takes the lock of ctl_path's pidfile, then makes sure
 * no process (a daemon without this lock, e.g. an older one) still answers on ctl_path. 0, or
 * -1 with a message in err (the lock is not held then). */
int daemon_claim_instance(struct daemon_lock *l, const char *name, const char *ctl_path, char *err,
                          size_t errlen);

/* --- least privilege (common/priv.h) ---
 * startup: what set-up needs (daemon_priv_prepare adds CAP_SETUID and CAP_SETGID when the
 * daemon is to change user); keep: what it needs once running, a subset of startup. */
struct daemon_priv {
	struct priv_target target;
	struct priv_caps startup, keep;
	bool children_need_raw; /* lmad: its ip6tables-restore children keep cap_net_raw */
	bool had_perfmon;       /* cap_perfmon at start: kept with the ebpf driver */
};

/* Before anything is touched: resolves the user and group (-u/-g, else the configuration's;
 * empty: none) and checks the effective set holds startup. 0, or -1 with a message in err. */
int daemon_priv_prepare(struct daemon_priv *p, const struct daemon_options *o,
                        const char *conf_user, const char *conf_group, char *err, size_t errlen);
/* If ctl_path lies in rundir and we may (CAP_CHOWN): rundir goes to the user the daemon becomes
 * (it removes its socket and pidfile there at exit) and to ctl_group, whose members must reach
 * the socket. 0, or -1 with a message in err. */
int daemon_priv_rundir(const struct daemon_priv *p, const char *ctl_path, const char *rundir,
                       const char *ctl_group, char *err, size_t errlen);
/* What daemon_prepare needs of the configuration. */
struct daemon_start {
	const char *name, *user, *group, *ctl_path, *ctl_group;
};
/* Everything start-up does before it touches the kernel, in order: the user and the
 * capabilities (daemon_priv_prepare), the runtime directory DAEMON_RUNDIR and who owns it
 * (daemon_make_rundir, daemon_priv_rundir), the one-instance lock (daemon_claim_instance).
 * 0, or -1 with a message in err (the lock is not held then). */
int daemon_prepare(struct daemon_priv *p, struct daemon_lock *l, const struct daemon_options *o,
                   const struct daemon_start *s, char *err, size_t errlen);
/* The start-up set of a daemon configured with tunnel driver driver (lmad(8), magd(8)
 * "PRIVILEGES"). */
void daemon_priv_init(struct daemon_priv *p, enum kr_driver driver);
/* Once set-up is done: becomes the user and keeps only what a daemon whose tunnels use in_use
 * needs; logs who it now runs as, or the failure (log_warnx). 0 or -1. */
int daemon_priv_drop(struct daemon_priv *p, enum kr_driver in_use);

/* --- start-up report ---
 * Without -d the daemon forks at once, and the child does the whole set-up (it is the process
 * that owns the kernel state) and reports through a pipe: the parent exits 0 once the child is
 * ready, or prints the child's error on stderr and exits 1, so a failed start is never silent. */
struct daemon_ready {
	int fd; /* the child's end; -1 in the foreground or once reported */
};

/* Forks; returns in the child (new session, cwd /, stdio on /dev/null) with r set up, never in
 * the parent, which exits with the child's report. On a failure to fork, exits 1 with a
 * message on stderr. */
void daemon_detach(struct daemon_ready *r, const char *name);
/* Ready: the parent exits 0, and systemd hears READY=1 when it gave a $NOTIFY_SOCKET
 * (Type=notify units). */
void daemon_ready_ok(struct daemon_ready *r);
/* systemd hears STOPPING=1 (nothing without $NOTIFY_SOCKET). */
void daemon_notify_stopping(void);
void daemon_ready_fail(struct daemon_ready *r, const char *msg);
/* The parent's end: reads fd to its end. 0 if the child reported ready; -1 with the child's
 * message in msg if it reported a failure or closed the pipe without a word (msg empty). */
int daemon_ready_wait(int fd, char *msg, size_t size);

#endif
