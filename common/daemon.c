/* daemon.c: the command line and clocks both daemons share (daemon.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int daemon_write_file(const char *path, mode_t mode, int (*fill)(FILE *out, void *arg), void *arg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ret, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1)
		return -1;
	if (!(f = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	errno = 0;
	ret = fill(f, arg);
	if (ret == 0 && (fflush(f) != 0 || fsync(fileno(f)) == -1))
		ret = -1;
	e = errno != 0 ? errno : EIO;
	if (fclose(f) != 0 && ret == 0) {
		ret = -1;
		e = errno;
	}
	if (ret == 0 && rename(tmp, path) == -1) {
		ret = -1;
		e = errno;
	}
	if (ret == -1) {
		unlink(tmp);
		errno = e;
	}
	return ret;
}
