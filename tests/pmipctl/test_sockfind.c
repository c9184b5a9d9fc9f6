/* test_sockfind.c: pmipctl -p (pmipctl/sockfind.c): lines of /proc/net/unix as the kernel
 * writes them (net/unix/af_unix.c, unix_seq_show: "%pK: %08X %08X %08X %04X %02X %5lu" and the
 * path), and the listening socket of this very process found through /proc and its pidfile. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pmipctl/sockfind.h"
#include "tests/check_main.h"

START_TEST(a_listening_stream_socket_with_a_path)
{
	char path[64];
	unsigned long inode = 0;

	ck_assert(sockfind_listening_line(
	        "0000000000000000: 00000002 00000000 00010000 0001 01 123456 /run/pmip6/lmad.sock\n",
	        &inode, path, sizeof(path)));
	ck_assert_uint_eq(inode, 123456);
	ck_assert_str_eq(path, "/run/pmip6/lmad.sock");
}
END_TEST

START_TEST(others_are_not)
{
	char path[64];
	unsigned long inode;

	/* connected (no ACCEPTCON), datagram, abstract, unnamed, the header */
	ck_assert(!sockfind_listening_line(
	        "0000000000000000: 00000003 00000000 00000000 0001 03 1098 /run/x.sock\n", &inode,
	        path, sizeof(path)));
	ck_assert(!sockfind_listening_line(
	        "0000000000000000: 00000002 00000000 00010000 0002 01 77 /run/x.sock\n", &inode,
	        path, sizeof(path)));
	ck_assert(!sockfind_listening_line(
	        "0000000000000000: 00000002 00000000 00010000 0001 01 78 @abstract\n", &inode, path,
	        sizeof(path)));
	ck_assert(!sockfind_listening_line("0000000000000000: 00000002 00000000 00010000 0001 01 79\n",
	                                   &inode, path, sizeof(path)));
	ck_assert(!sockfind_listening_line("Num       RefCount Protocol Flags    Type St Inode Path\n",
	                                   &inode, path, sizeof(path)));
}
END_TEST

START_TEST(this_process_listening_socket_is_found)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char path[108], err[160], pidfile[128];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	FILE *f;

	snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/test_sockfind.%ld.sock", (long)getpid());
	snprintf(pidfile, sizeof(pidfile), "%s.pid", a.sun_path);
	unlink(a.sun_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	/* listening, but no pidfile names us: not a daemon's control socket */
	ck_assert_int_eq(sockfind_of_pid(getpid(), path, sizeof(path), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "has no control socket"));
	ck_assert_ptr_nonnull(f = fopen(pidfile, "w"));
	fprintf(f, "%ld\n", (long)getpid() + 1);
	fclose(f);
	ck_assert_int_eq(sockfind_of_pid(getpid(), path, sizeof(path), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(f = fopen(pidfile, "w"));
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	ck_assert_int_eq(sockfind_of_pid(getpid(), path, sizeof(path), err, sizeof(err)), 0);
	ck_assert_str_eq(path, a.sun_path);
	close(fd);
	unlink(a.sun_path);
	unlink(pidfile);
}
END_TEST

START_TEST(no_such_process)
{
	char path[108], err[160];

	ck_assert_int_eq(sockfind_of_pid(0x3fffffff, path, sizeof(path), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

static Suite *sockfind_suite(void)
{
	Suite *s = suite_create("sockfind");
	TCase *tc = tcase_create("proc");

	tcase_add_test(tc, a_listening_stream_socket_with_a_path);
	tcase_add_test(tc, others_are_not);
	tcase_add_test(tc, this_process_listening_socket_is_found);
	tcase_add_test(tc, no_such_process);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sockfind_suite)
