/* daemon.h: what both daemons' command lines and clocks share: -d (foreground), -f file,
 * -n (check the configuration), -v (more logging; with -n, print it back); and how both write
 * the state they keep across a restart (lmad's leases, magd's bindings). */
#ifndef COMMON_DAEMON_H
#define COMMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

struct daemon_options {
	const char *conf_path;
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

#endif
