/* test_cfgstmt.c: the statement framework of both configuration grammars (common/cfgstmt.c)
 * on a small grammar of its own: the shared handlers fill the members their table entries name,
 * a statement given twice without CFG_STMT_REPEAT, an unknown keyword at the top and in a block,
 * a block keyword given twice, a string longer than its member, and the validation of the
 * whole, each with its exact "file:line: message"; a file that cannot be opened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgstmt.h"
#include "tests/check_main.h"

struct toy_conf {
	uint32_t n, ms, secs;
	char path[16];
	unsigned items, tags, weight;
};

struct parser {
	struct cfg cfg;
	struct toy_conf *c;
	struct cfg_parser stmt;
};

static int parse_tag(struct cfg_parser *p, void *obj, unsigned line)
{
	struct toy_conf *c = obj;
	struct cfg_token t;

	(void)line;
	c->tags++;
	return cfg_value(p->cfg, "tag", &t);
}

static int parse_weight(struct cfg_parser *p, void *obj, unsigned line)
{
	struct toy_conf *c = obj;
	uint32_t v;

	(void)line;
	if (cfg_uint(p->cfg, "weight", 0, 9, &v) < 0)
		return -1;
	c->weight = v;
	return 0;
}

static const struct cfg_block_stmt item_block[] = {
	{ "tag", parse_tag, CFG_STMT_REPEAT },
	{ "weight", parse_weight, 0 },
};

/* "item NAME [{ tag T ... weight W }]" */
static int parse_item(struct cfg_parser *sp, const struct cfg_stmt *s, unsigned line)
{
	struct parser *p = sp->ctx;
	struct cfg_token t;

	(void)line;
	if (cfg_value(sp->cfg, s->name, &t) < 0)
		return -1;
	p->c->items++;
	return cfg_parse_block(sp, "item", "item x", item_block, 2, p->c);
}

#define FIELD(f)  CFG_FIELD(struct toy_conf, f)
#define STRING(f) CFG_STRING(struct toy_conf, f)

static const struct cfg_stmt keywords[] = {
	{ "item", parse_item, CFG_STMT_REPEAT, 0, 0, 0 },
	{ "ms", cfg_stmt_ms, 0, FIELD(ms), 1, 60000 },
	{ "n", cfg_stmt_u32, 0, FIELD(n), 1, 10 },
	{ "path", cfg_stmt_path, 0, STRING(path) },
	{ "secs", cfg_stmt_seconds, 0, FIELD(secs), 1000, 60000 },
};

static struct toy_conf *toy_new(void)
{
	return calloc(1, sizeof(struct toy_conf));
}

static void toy_free(struct toy_conf *c)
{
	free(c);
}

static int toy_validate(struct parser *p)
{
	if (cfg_stmt_seen(&p->stmt, "n"))
		return 0;
	return cfg_error(&p->cfg, cfg_line(&p->cfg), "n is required");
}

struct toy_conf *toy_parse(FILE *f, const char *name, char *err, size_t errlen);
struct toy_conf *toy_load(const char *path, char *err, size_t errlen);
CFG_GRAMMAR(toy, struct toy_conf, struct parser, keywords, toy_new, toy_validate)

static char err[256];

static struct toy_conf *parse_text(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct toy_conf *c;

	ck_assert_ptr_nonnull(f);
	err[0] = '\0';
	c = toy_parse(f, "t", err, sizeof(err));
	fclose(f);
	return c;
}

static void check_error(const char *text, const char *want)
{
	struct toy_conf *c = parse_text(text);

	ck_assert_msg(c == NULL, "parsed: %s", text);
	ck_assert_str_eq(err, want);
}

START_TEST(fills_members)
{
	struct toy_conf *c = parse_text("n 7\nms 1.5s\npath /a/b\nsecs 2s\n"
	                                "item a { tag x tag y weight 3 }\nitem b\n");

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n, 7);
	ck_assert_uint_eq(c->ms, 1500);
	ck_assert_str_eq(c->path, "/a/b");
	ck_assert_uint_eq(c->secs, 2);
	ck_assert_uint_eq(c->items, 2);
	ck_assert_uint_eq(c->tags, 2);
	ck_assert_uint_eq(c->weight, 3);
	toy_free(c);
}
END_TEST

START_TEST(messages)
{
	check_error("n 1\nn 2\n", "t:2: n is already set on line 1");
	check_error("n 1\nzz 2\n", "t:2: unknown keyword \"zz\"");
	check_error("n 1\nitem a {\n zz 1\n}\n", "t:3: unknown keyword \"zz\" in item block");
	check_error("n 1\nitem a { weight 1 weight 2 }\n", "t:2: item x: weight is given twice");
	check_error("n 1\n{\n", "t:2: unexpected \"{\"");
	check_error("n 11\n", "t:1: n: 11 is out of range (1..10)");
	check_error("n 1 2\n", "t:1: n: unexpected \"2\"");
	check_error("n 1\npath /0123456789abcdef\n", "t:2: path: longer than 15 characters");
	check_error("n 1\npath rel\n", "t:2: path: \"rel\" is not an absolute path");
	check_error("n 1\nsecs 1500ms\n", "t:2: secs: 1500ms is not a whole number of seconds");
	check_error("ms 1s\n\n", "t:2: n is required");
}
END_TEST

START_TEST(load_missing_file)
{
	ck_assert_ptr_null(toy_load("/nonexistent/toy.conf", err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/toy.conf: No such file or directory");
}
END_TEST

static Suite *cfgstmt_suite(void)
{
	Suite *s = suite_create("cfgstmt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fills_members);
	tcase_add_test(tc, messages);
	tcase_add_test(tc, load_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(cfgstmt_suite)
