/* daemon.c: the command line, clocks, state files, one-instance lock and start-up report both
 * daemons share (daemon.h). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/daemon.h"
#include "common/log.h"

static void usage(const char *name)
{
	fprintf(stderr, "usage: %s [-dnvV] [-f file] [-u user] [-g group]\n", name);
	exit(2);
}

void daemon_parse_args(int argc, char **argv, const char *name, const char *default_conf,
                       struct daemon_options *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf_path = default_conf;
	while ((ch = getopt(argc, argv, "df:g:hnu:vV")) != -1) {
		switch (ch) {
		case 'd':
			o->foreground = true;
			break;
		case 'f':
			o->conf_path = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'n':
			o->check_only = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			printf("%s %s\n", name, PACKAGE_VERSION);
			exit(0);
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

/* --- one instance per control socket --- */

int daemon_make_rundir(const char *ctl_path, const char *rundir, char *err, size_t errlen)
{
	size_t n = strlen(rundir);

	if (strncmp(ctl_path, rundir, n) != 0 || ctl_path[n] != '/' ||
	    strchr(ctl_path + n + 1, '/'))
		return 0;
	if (mkdir(rundir, 0750) == 0 ? chmod(rundir, 0750) == 0 : errno == EEXIST) /* umask */
		return 0;
	snprintf(err, errlen, "runtime directory %s: %s", rundir, strerror(errno));
	return -1;
}

int daemon_pidfile_path(const char *ctl_path, char *out, size_t size)
{
	if ((size_t)snprintf(out, size, "%s.pid", ctl_path) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The PID in a pidfile another process holds, 0 if it cannot be read. */
static long pidfile_read(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* True while fd is still the file at path: a holder that exits removes the file, and a lock
 * taken on the removed file would guard nothing. */
static bool pidfile_current(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int pidfile_write(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	return 0;
}

/* One attempt: 1 if the lock is ours, 0 if the file changed under us, -1 on failure. */
static int lock_try(struct daemon_lock *l, const char *name, char *err, size_t errlen)
{
	int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "pidfile %s: %s", l->path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "another %s is running (pid %ld, lock on %s)", name,
			         pidfile_read(fd), l->path);
		else
			snprintf(err, errlen, "pidfile %s: %s", l->path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!pidfile_current(fd, l->path)) {
		close(fd);
		return 0;
	}
	if (pidfile_write(fd) < 0) {
		snprintf(err, errlen, "pidfile %s: %s", l->path, strerror(errno));
		close(fd);
		return -1;
	}
	l->fd = fd;
	return 1;
}

int daemon_lock_take(struct daemon_lock *l, const char *path, const char *name, char *err,
                     size_t errlen)
{
	int r = 0;

	l->fd = -1;
	if ((size_t)snprintf(l->path, sizeof(l->path), "%s", path) >= sizeof(l->path)) {
		snprintf(err, errlen, "pidfile path too long: %s", path);
		return -1;
	}
	for (int i = 0; i < 8 && r == 0; i++)
		r = lock_try(l, name, err, errlen);
	if (r == 0)
		snprintf(err, errlen, "pidfile %s keeps being replaced", path);
	return r == 1 ? 0 : -1;
}

void daemon_lock_release(struct daemon_lock *l)
{
	if (l->fd < 0)
		return;
	unlink(l->path); /* while still locked: the next holder locks a new file */
	close(l->fd);
	l->fd = -1;
}

int daemon_claim_instance(struct daemon_lock *l, const char *name, const char *ctl_path, char *err,
                          size_t errlen)
{
	char path[PATH_MAX];

	l->fd = -1;
	if (daemon_pidfile_path(ctl_path, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "control socket path too long: %s", ctl_path);
		return -1;
	}
	if (daemon_lock_take(l, path, name, err, errlen) < 0)
		return -1;
	if (ctl_socket_alive(ctl_path)) {
		snprintf(err, errlen, "another process answers on control socket %s", ctl_path);
		daemon_lock_release(l);
		return -1;
	}
	return 0;
}

/* --- least privilege --- */

int daemon_priv_prepare(struct daemon_priv *p, const struct daemon_options *o,
                        const char *conf_user, const char *conf_group, char *err, size_t errlen)
{
	const char *user = o->user ? o->user : conf_user;
	const char *group = o->group ? o->group : conf_group;

	if (priv_resolve(user, group, &p->target, err, errlen) < 0)
		return -1;
	if (p->target.change && (p->target.uid != getuid() || p->target.gid != getgid())) {
		priv_caps_add(&p->startup, CAP_SETUID);
		priv_caps_add(&p->startup, CAP_SETGID);
	} else {
		p->target.change = false; /* already that user: nothing to switch */
	}
	return priv_check(&p->startup, err, errlen);
}

int daemon_priv_rundir(const struct daemon_priv *p, const char *ctl_path, const char *rundir,
                       const char *ctl_group, char *err, size_t errlen)
{
	size_t n = strlen(rundir);
	struct group *gr = getgrnam(ctl_group);

	if (!priv_has(CAP_CHOWN) || strncmp(ctl_path, rundir, n) != 0 || ctl_path[n] != '/')
		return 0;
	if (chown(rundir, p->target.change ? p->target.uid : (uid_t)-1,
	          gr ? gr->gr_gid : (gid_t)-1) == 0)
		return 0;
	snprintf(err, errlen, "runtime directory %s: %s", rundir, strerror(errno));
	return -1;
}

int daemon_prepare(struct daemon_priv *p, struct daemon_lock *l, const struct daemon_options *o,
                   const struct daemon_start *s, char *err, size_t errlen)
{
	if (daemon_priv_prepare(p, o, s->user, s->group, err, errlen) < 0 ||
	    daemon_make_rundir(s->ctl_path, DAEMON_RUNDIR, err, errlen) < 0 ||
	    daemon_priv_rundir(p, s->ctl_path, DAEMON_RUNDIR, s->ctl_group, err, errlen) < 0)
		return -1;
	return daemon_claim_instance(l, s->name, s->ctl_path, err, errlen);
}

void daemon_priv_init(struct daemon_priv *p, enum kr_driver driver)
{
	memset(p, 0, sizeof(*p));
	priv_caps_add(&p->startup, CAP_NET_ADMIN); /* routes, rules, nexthops, tc, nfnetlink */
	priv_caps_add(&p->startup, CAP_NET_RAW);   /* the raw sockets: MH, ICMPv6, packet */
	if (driver == KR_DRIVER_EBPF || driver == KR_DRIVER_AUTO)
		priv_caps_add(&p->startup, CAP_BPF); /* loading the programs, making the maps */
	p->had_perfmon = priv_has(CAP_PERFMON); /* kept for the ebpf driver (daemon_priv_keep) */
}

/* What the running daemon keeps (found by trying, tests/netns/test_privilege.sh): netlink
 * changes and lmad's ip6tables-restore and ipset children need CAP_NET_ADMIN; those children
 * also need CAP_NET_RAW (iptables' set match asks the kernel for the ipset version through a
 * raw socket), the daemons' own raw sockets are all open by then; the ebpf driver loads one
 * encapsulation program per new peer, which needs CAP_BPF, and on older kernels CAP_PERFMON
 * too: Debian 12's 6.1 verifier refuses that program without it (EACCES, found by
 * scripts/test-stock-kernel), 6.18's does not. CAP_PERFMON is kept when the daemon has it
 * (root, or the units), never required. */
static void daemon_priv_keep(struct daemon_priv *p, enum kr_driver in_use)
{
	p->keep.n = 0;
	priv_caps_add(&p->keep, CAP_NET_ADMIN);
	if (p->children_need_raw)
		priv_caps_add(&p->keep, CAP_NET_RAW);
	if (in_use != KR_DRIVER_EBPF)
		return;
	priv_caps_add(&p->keep, CAP_BPF);
	if (p->had_perfmon)
		priv_caps_add(&p->keep, CAP_PERFMON);
}

int daemon_priv_drop(struct daemon_priv *p, enum kr_driver in_use)
{
	char names[256], err[256];

	daemon_priv_keep(p, in_use);
	if (priv_drop(&p->target, &p->keep, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return -1;
	}
	log_info("running as uid %u gid %u with %s", (unsigned)getuid(), (unsigned)getgid(),
	         p->keep.n ? priv_caps_str(&p->keep, names, sizeof(names)) : "no capabilities");
	return 0;
}

/* --- start-up report: one status octet, '0' ready or '1' failed, then the message --- */

int daemon_ready_wait(int fd, char *msg, size_t size)
{
	char buf[1024];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 &&
	       ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = '\0';
	snprintf(msg, size, "%s", len > 1 ? buf + 1 : "");
	return len > 0 && buf[0] == '0' ? 0 : -1;
}

static void ready_send(struct daemon_ready *r, char status, const char *msg)
{
	size_t len = strlen(msg);
	char buf[1024];

	if (r->fd < 0)
		return;
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	buf[0] = status;
	memcpy(buf + 1, msg, len);
	while (write(r->fd, buf, len + 1) < 0 && errno == EINTR)
		;
	close(r->fd);
	r->fd = -1;
}

/* systemd's readiness protocol (sd_notify(3)): one datagram to $NOTIFY_SOCKET, a path or, when
 * it starts with "@", an abstract name. Written out rather than linked from libsystemd: these
 * few lines are the whole of the stable protocol, and the daemons need nothing else from it. */
static void notify_systemd(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	           (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		log_warn("telling systemd %s", state);
	close(fd);
}

void daemon_ready_ok(struct daemon_ready *r)
{
	ready_send(r, '0', "");
	notify_systemd("READY=1");
}

void daemon_notify_stopping(void)
{
	notify_systemd("STOPPING=1");
}

void daemon_ready_fail(struct daemon_ready *r, const char *msg)
{
	ready_send(r, '1', msg);
}

/* The parent: the child's word decides the exit status. */
static void __attribute__((noreturn)) detach_wait(int fd, pid_t child, const char *name)
{
	char msg[1024];
	int status;

	if (daemon_ready_wait(fd, msg, sizeof(msg)) == 0)
		_exit(0);
	if (msg[0])
		fprintf(stderr, "%s: %s\n", name, msg);
	else if (waitpid(child, &status, 0) == child && WIFSIGNALED(status))
		fprintf(stderr, "%s: killed by signal %d during start-up\n", name,
		        WTERMSIG(status));
	else
		fprintf(stderr, "%s: exited during start-up\n", name);
	_exit(1);
}

static void detach_child(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (setsid() < 0 || chdir("/") < 0)
		_exit(1);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(1);
	if (fd > 2)
		close(fd);
}

void daemon_detach(struct daemon_ready *r, const char *name)
{
	int p[2];
	pid_t pid;

	fflush(NULL);
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "%s: cannot detach: %s\n", name, strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		detach_wait(p[0], pid, name);
	}
	close(p[0]);
	r->fd = p[1];
	detach_child();
}
