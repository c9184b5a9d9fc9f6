/* conf_test.h: what the two configuration suites share (tests/lma/test_lma_conf.c for
 * lmad.conf(5), tests/mag/test_mag_conf.c for magd.conf(5)), written once for the configuration
 * type CONF the includer names: "#define CONF lma_conf" gives struct lma_conf and lma_conf_parse,
 * _load, _print and _free. Part one (this file, included after BASE, the first five lines of
 * most inputs): parsing and printing helpers, a golden file's reader, the xorshift generator of
 * the random inputs, and the tests whose text is the same for both files. Part two
 * (tests/conf_test_random.h) holds the random-input tests. */
#ifndef TESTS_CONF_TEST_H
#define TESTS_CONF_TEST_H

#include <arpa/inet.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/check_main.h"

#define CONF_CAT_(a, b) a##b
#define CONF_CAT(a, b)  CONF_CAT_(a, b)
#define CONF_FN(suffix) CONF_CAT(CONF, suffix)
#define CONF_STR_(x)    #x
#define CONF_STR(x)     CONF_STR_(x)
#define CONF_NAME       CONF_STR(CONF)

/* Parses len bytes from a heap block of exactly that size. */
static struct CONF *parse_len(const char *text, size_t len, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	struct CONF *c;
	FILE *f;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	f = len ? fmemopen(copy, len, "r") : fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(f);
	c = CONF_FN(_parse)(f, "t.conf", err, errlen);
	fclose(f);
	free(copy);
	return c;
}

static struct CONF *parse_ok(const char *text)
{
	char err[512] = "";
	struct CONF *c = parse_len(text, strlen(text), err, sizeof(err));

	ck_assert_msg(c != NULL, "unexpected error: %s", err);
	return c;
}

static void expect_error_len(const char *text, size_t len, const char *msg)
{
	char err[512] = "";
	struct CONF *c = parse_len(text, len, err, sizeof(err));

	ck_assert_msg(c == NULL, "parsed, expected: %s", msg);
	ck_assert_str_eq(err, msg);
}

static void expect_error(const char *text, const char *msg)
{
	expect_error_len(text, strlen(text), msg);
}

static char *print_conf(const struct CONF *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	CONF_FN(_print)(f, c);
	fclose(f);
	return buf;
}

/* The printout parses again and prints identically; returns the printout. */
static char *check_reprint(const struct CONF *c, const char *name)
{
	char *p1 = print_conf(c), *p2, err[512] = "";
	struct CONF *c2 = parse_len(p1, strlen(p1), err, sizeof(err));

	ck_assert_msg(c2 != NULL, "%s: the printout does not parse: %s", name, err);
	p2 = print_conf(c2);
	ck_assert_str_eq(p1, p2);
	free(p2);
	CONF_FN(_free)(c2);
	return p1;
}

static bool addr_is(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &b), 1);
	return memcmp(a, &b, sizeof(b)) == 0;
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *in = fopen(path, "r"), *out = open_memstream(&buf, &len);
	int ch;

	ck_assert_msg(in != NULL, "cannot open %s", path);
	while ((ch = getc(in)) != EOF)
		putc(ch, out);
	fclose(in);
	fclose(out);
	return buf;
}

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- random input: a xorshift generator, seeded by each test --- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* --- tests with the same text for both grammars --- */

START_TEST(load_from_a_file)
{
	char path[] = "/tmp/test_" CONF_NAME "_XXXXXX", err[512];
	struct CONF *c;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	ck_assert_ptr_nonnull(f);
	fputs(BASE, f);
	fclose(f);
	c = CONF_FN(_load)(path, err, sizeof(err));
	ck_assert_ptr_nonnull(c);
	CONF_FN(_free)(c);
	unlink(path);
	ck_assert_ptr_null(CONF_FN(_load)(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	ck_assert_int_eq(strncmp(err, path, strlen(path)), 0);
	ck_assert_ptr_null(CONF_FN(_load)("/", err, sizeof(err)));
	ck_assert_str_eq(err, "/:1: read error: Is a directory");
	CONF_FN(_free)(NULL);
}
END_TEST

/* tunnel-mtu: IPv6's minimum link MTU up to 65535 less the outer header; printed when set. */
START_TEST(tunnel_mtu)
{
	struct CONF *c = parse_ok(BASE "tunnel-mtu 1360\n");
	char *printed;

	ck_assert_uint_eq(c->tunnel_mtu, 1360);
	printed = check_reprint(c, "tunnel_mtu");
	ck_assert_ptr_nonnull(strstr(printed, "\ntunnel-mtu 1360\n"));
	free(printed);
	CONF_FN(_free)(c);
	c = parse_ok(BASE);
	ck_assert_uint_eq(c->tunnel_mtu, 0);
	printed = check_reprint(c, "no tunnel_mtu");
	ck_assert_ptr_null(strstr(printed, "tunnel-mtu"));
	free(printed);
	CONF_FN(_free)(c);
	expect_error(BASE "tunnel-mtu 1279\n",
	             "t.conf:6: tunnel-mtu: 1279 is out of range (1280..65495)");
	expect_error(BASE "tunnel-mtu 65496\n",
	             "t.conf:6: tunnel-mtu: 65496 is out of range (1280..65495)");
}
END_TEST

#endif
