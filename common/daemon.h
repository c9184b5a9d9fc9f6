/* daemon.h: what both daemons' command lines and clocks share: -d (foreground), -f file,
 * -n (check the configuration), -v (more logging; with -n, print it back). */
#ifndef COMMON_DAEMON_H
#define COMMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
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

#endif
