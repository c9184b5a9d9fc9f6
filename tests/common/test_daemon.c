/* test_daemon.c: what keeps a second daemon off a running one's state and what makes a failed
 * start visible (common/daemon.c, ctl_socket_alive in common/ctl.c): the pidfile lock held by
 * another process, and dropped when that process is killed; the control socket check; the
 * default runtime directory; the readiness pipe between a daemon's parent and child, and
 * daemon_detach's exit status; the READY=1 and STOPPING=1 systemd hears. Processes are forked in a
 * temporary directory; no root. */
#include <check.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/daemon.h"
#include "tests/check_main.h"

static char dir[40], sock[64], pidf[80];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_daemon.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/lmad.sock", dir);
	snprintf(pidf, sizeof(pidf), "%s/lmad.sock.pid", dir);
}

static char rundir[64];

static void teardown(void)
{
	unlink(pidf);
	unlink(sock);
	if (rundir[0])
		rmdir(rundir);
	rmdir(dir);
}

/* A process that holds the lock on pidf until it is killed; returns once it holds it. */
static pid_t spawn_holder(void)
{
	int p[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct daemon_lock l;
		char err[256];

		close(p[0]);
		if (daemon_lock_take(&l, pidf, "lmad", err, sizeof(err)) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void kill_wait(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}

/* A UNIX socket at sock; listening (a live server) or bound and closed (a stale file). */
static int socket_at(bool listening)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (listening) {
		ck_assert_int_eq(listen(fd, 4), 0);
		return fd;
	}
	close(fd);
	return -1;
}

START_TEST(test_pidfile_path)
{
	char p[PATH_MAX];

	ck_assert_int_eq(daemon_pidfile_path("/run/pmip6/lmad.sock", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/run/pmip6/lmad.sock.pid");
	ck_assert_int_eq(daemon_pidfile_path("/run/pmip6/lmad.sock", p, 20), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(test_lock_held_by_other_refused)
{
	struct daemon_lock l;
	char err[256], want[64];
	pid_t holder = spawn_holder();

	ck_assert_int_eq(daemon_lock_take(&l, pidf, "lmad", err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "another lmad is running (pid %ld", (long)holder);
	ck_assert_msg(strstr(err, want) != NULL, "%s", err);
	ck_assert_int_eq(l.fd, -1);
	kill_wait(holder);
}
END_TEST

START_TEST(test_lock_left_by_killed_taken)
{
	struct daemon_lock l;
	char err[256], buf[32];
	pid_t holder = spawn_holder();
	FILE *f;

	kill_wait(holder);
	ck_assert_int_eq(access(pidf, F_OK), 0); /* the file is left behind, its lock is not */
	ck_assert_msg(daemon_lock_take(&l, pidf, "lmad", err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(f = fopen(pidf, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_int_eq(strtol(buf, NULL, 10), getpid());
	daemon_lock_release(&l);
	ck_assert_int_eq(access(pidf, F_OK), -1);
	ck_assert_int_eq(l.fd, -1);
}
END_TEST

START_TEST(test_lock_missing_dir_error)
{
	struct daemon_lock l;
	char err[256], p[200];

	snprintf(p, sizeof(p), "%s/nodir/lmad.sock.pid", dir);
	ck_assert_int_eq(daemon_lock_take(&l, p, "lmad", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "No such file or directory") != NULL, "%s", err);
}
END_TEST

START_TEST(test_claim_live_socket_refused)
{
	struct daemon_lock l;
	char err[256];
	int fd = socket_at(true);

	ck_assert(ctl_socket_alive(sock));
	ck_assert_int_eq(daemon_claim_instance(&l, "lmad", sock, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "answers on control socket") != NULL, "%s", err);
	ck_assert_int_eq(l.fd, -1);
	ck_assert_int_eq(access(pidf, F_OK), -1); /* the lock was given back with its file */
	close(fd);
}
END_TEST

START_TEST(test_claim_stale_socket_taken)
{
	struct daemon_lock l;
	char err[256];

	socket_at(false);
	ck_assert(!ctl_socket_alive(sock));
	ck_assert_msg(daemon_claim_instance(&l, "lmad", sock, err, sizeof(err)) == 0, "%s", err);
	daemon_lock_release(&l);
}
END_TEST

START_TEST(test_claim_locked_refused)
{
	struct daemon_lock l;
	char err[256];
	pid_t holder = spawn_holder();

	ck_assert_int_eq(daemon_claim_instance(&l, "lmad", sock, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "another lmad is running") != NULL, "%s", err);
	kill_wait(holder);
}
END_TEST

static void handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                   void *arg)
{
	(void)c;
	(void)type;
	(void)payload;
	(void)len;
	(void)arg;
}

/* ctl_server_open no longer unlinks a socket a live server listens on; a stale one it does. */
START_TEST(test_ctl_open_live_refused)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct ctl_server *s;
	char err[256];
	int fd = socket_at(true);

	ck_assert_ptr_null(ctl_server_open(loop, sock, "", handle, NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "another process is listening") != NULL, "%s", err);
	ck_assert(ctl_socket_alive(sock)); /* the live one still answers */
	close(fd);
	ck_assert_ptr_nonnull(s = ctl_server_open(loop, sock, "", handle, NULL, err, sizeof(err)));
	ctl_server_close(s);
	ev_loop_destroy(loop);
}
END_TEST

/* The default runtime directory is created, mode 0750 whatever the umask, for a socket right
 * in it; an existing one is fine; for any other socket nothing is created. */
START_TEST(test_rundir_created)
{
	char path[128], err[256];
	struct stat st;

	snprintf(rundir, sizeof(rundir), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/lmad.sock", rundir);
	umask(077);
	ck_assert_msg(daemon_make_rundir(path, rundir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(stat(rundir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0750);
	ck_assert_msg(daemon_make_rundir(path, rundir, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

START_TEST(test_rundir_other_not_created)
{
	char path[128], err[256] = "";

	snprintf(rundir, sizeof(rundir), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/other/lmad.sock", dir);
	ck_assert_int_eq(daemon_make_rundir(path, rundir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/sub/lmad.sock", rundir);
	ck_assert_int_eq(daemon_make_rundir(path, rundir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s.d/lmad.sock", rundir);
	ck_assert_int_eq(daemon_make_rundir(path, rundir, err, sizeof(err)), 0);
	ck_assert_int_eq(access(rundir, F_OK), -1);
}
END_TEST

START_TEST(test_rundir_failure_reported)
{
	char path[128], err[256];

	snprintf(rundir, sizeof(rundir), "%s/none/run", dir); /* its parent is missing */
	snprintf(path, sizeof(path), "%s/lmad.sock", rundir);
	ck_assert_int_eq(daemon_make_rundir(path, rundir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "No such file or directory") != NULL, "%s", err);
	rundir[0] = '\0';
}
END_TEST

/* Forks a child that reports through a readiness pipe as `how` says; the parent's reading. */
enum report { REPORT_OK, REPORT_FAIL, REPORT_NONE };

static int ready_from_child(enum report how, char *msg, size_t size)
{
	int p[2], status, ret;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct daemon_ready r = { .fd = p[1] };

		close(p[0]);
		if (how == REPORT_OK)
			daemon_ready_ok(&r);
		else if (how == REPORT_FAIL)
			daemon_ready_fail(&r, "kernel set-up failed: no uplink");
		_exit(0);
	}
	close(p[1]);
	ret = daemon_ready_wait(p[0], msg, size);
	close(p[0]);
	waitpid(pid, &status, 0);
	return ret;
}

START_TEST(test_ready_ok)
{
	char msg[256] = "x";

	ck_assert_int_eq(ready_from_child(REPORT_OK, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(test_ready_fail_message)
{
	char msg[256];

	ck_assert_int_eq(ready_from_child(REPORT_FAIL, msg, sizeof(msg)), -1);
	ck_assert_str_eq(msg, "kernel set-up failed: no uplink");
}
END_TEST

START_TEST(test_ready_silent_exit_fails)
{
	char msg[256] = "x";

	ck_assert_int_eq(ready_from_child(REPORT_NONE, msg, sizeof(msg)), -1);
	ck_assert_str_eq(msg, "");
}
END_TEST

/* A process that detaches with its stderr in a file; the detached child reports `how`. Returns
 * the first process's exit status; its stderr is left in out. */
static int detach_status(enum report how, char *out, size_t size)
{
	char path[160];
	int status, fd;
	pid_t pid;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	ck_assert_int_ge(fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct daemon_ready r;

		dup2(fd, 2);
		daemon_detach(&r, "lmad");
		if (how == REPORT_OK)
			daemon_ready_ok(&r);
		else if (how == REPORT_FAIL)
			daemon_ready_fail(&r, "kernel set-up failed: no uplink");
		_exit(1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	n = pread(fd, out, size - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_detach_ready_exits_0)
{
	char out[512];

	ck_assert_int_eq(detach_status(REPORT_OK, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_detach_failure_on_stderr)
{
	char out[512];

	ck_assert_int_eq(detach_status(REPORT_FAIL, out, sizeof(out)), 1);
	ck_assert_str_eq(out, "lmad: kernel set-up failed: no uplink\n");
}
END_TEST

START_TEST(test_detach_silent_exit_fails)
{
	char out[512];

	ck_assert_int_eq(detach_status(REPORT_NONE, out, sizeof(out)), 1);
	ck_assert_str_eq(out, "lmad: exited during start-up\n");
}
END_TEST

/* A datagram socket at path (an abstract name when path starts with "@") for systemd's side. */
static int notify_listener(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun,
	                      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
	                 0);
	return fd;
}

/* daemon_ready_ok and daemon_notify_stopping tell $NOTIFY_SOCKET, at path. */
static void check_notify(const char *path)
{
	struct daemon_ready r = { .fd = -1 };
	int fd = notify_listener(path);
	char buf[64];
	ssize_t n;

	setenv("NOTIFY_SOCKET", path, 1);
	daemon_ready_ok(&r);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_eq(n, 7);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "READY=1");
	daemon_notify_stopping();
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_eq(n, 10);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}

START_TEST(test_notify_path)
{
	char path[80];

	snprintf(path, sizeof(path), "%s/notify", dir);
	check_notify(path);
	unlink(path);
}
END_TEST

START_TEST(test_notify_abstract)
{
	char path[80];

	snprintf(path, sizeof(path), "@pmip6-test-notify-%ld", (long)getpid());
	check_notify(path);
}
END_TEST

/* Without $NOTIFY_SOCKET (not under systemd), nothing is sent and nothing fails. */
START_TEST(test_notify_none)
{
	struct daemon_ready r = { .fd = -1 };

	unsetenv("NOTIFY_SOCKET");
	daemon_ready_ok(&r);
	daemon_notify_stopping();
	ck_assert_int_eq(r.fd, -1);
}
END_TEST

static Suite *daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *lock = tcase_create("instance"), *ready = tcase_create("ready");

	tcase_add_checked_fixture(lock, setup, teardown);
	tcase_add_test(lock, test_pidfile_path);
	tcase_add_test(lock, test_lock_held_by_other_refused);
	tcase_add_test(lock, test_lock_left_by_killed_taken);
	tcase_add_test(lock, test_lock_missing_dir_error);
	tcase_add_test(lock, test_claim_live_socket_refused);
	tcase_add_test(lock, test_claim_stale_socket_taken);
	tcase_add_test(lock, test_claim_locked_refused);
	tcase_add_test(lock, test_ctl_open_live_refused);
	tcase_add_test(lock, test_rundir_created);
	tcase_add_test(lock, test_rundir_other_not_created);
	tcase_add_test(lock, test_rundir_failure_reported);
	suite_add_tcase(s, lock);
	tcase_add_checked_fixture(ready, setup, teardown);
	tcase_add_test(ready, test_ready_ok);
	tcase_add_test(ready, test_ready_fail_message);
	tcase_add_test(ready, test_ready_silent_exit_fails);
	tcase_add_test(ready, test_detach_ready_exits_0);
	tcase_add_test(ready, test_detach_failure_on_stderr);
	tcase_add_test(ready, test_detach_silent_exit_fails);
	tcase_add_test(ready, test_notify_path);
	tcase_add_test(ready, test_notify_abstract);
	tcase_add_test(ready, test_notify_none);
	suite_add_tcase(s, ready);
	return s;
}

CHECK_MAIN(daemon_suite)
