/* daemon.c: the command line and clocks both daemons share (daemon.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"

static void usage(const char *name)
{
	fprintf(stderr, "usage: %s [-dnv] [-f file]\n", name);
	exit(2);
}

void daemon_parse_args(int argc, char **argv, const char *name, const char *default_conf,
                       struct daemon_options *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf_path = default_conf;
	while ((ch = getopt(argc, argv, "df:hnv")) != -1) {
		switch (ch) {
		case 'd':
			o->foreground = true;
			break;
		case 'f':
			o->conf_path = optarg;
			break;
		case 'n':
			o->check_only = true;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			usage(name);
		}
	}
	if (optind != argc)
		usage(name);
}

uint64_t daemon_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
