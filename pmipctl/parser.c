/* parser.c: the keyword tree of parser.h. */
#include <stdio.h>
#include <string.h>

#include <stdbool.h>

#include "pmipctl/parser.h"
#include "proto/mh.h"

enum token_type {
	T_END,  /* end of a table */
	T_NONE, /* "nothing more": the command may stop here */
	T_KEYWORD,
	T_MN_ID, /* an argument: a mobile node identifier (NAI) */
	T_REST,  /* every remaining word, parsed by the command itself */
};

struct token {
	enum token_type type;
	const char *word;
	enum action action;
	const struct token *next;
};

static const struct token t_bindings[] = {
	{ T_NONE, "", ACT_NONE, NULL },
	{ T_MN_ID, "MN-ID", ACT_NONE, NULL },
	{ T_END, NULL, ACT_NONE, NULL },
};

static const struct token t_show[] = {
	{ T_KEYWORD, "bindings", ACT_SHOW_BINDINGS, t_bindings },
	{ T_KEYWORD, "flows", ACT_SHOW_FLOWS, t_bindings },
	{ T_KEYWORD, "policies", ACT_POLICY_LIST, NULL }, /* = policy list */
	{ T_KEYWORD, "stats", ACT_SHOW_STATS, NULL },
	{ T_END, NULL, ACT_NONE, NULL },
};

static const struct token t_mn_id[] = {
	{ T_MN_ID, "MN-ID", ACT_NONE, NULL },
	{ T_END, NULL, ACT_NONE, NULL },
};

static const struct token t_rest[] = {
	{ T_REST, "ARGUMENTS", ACT_NONE, NULL },
	{ T_END, NULL, ACT_NONE, NULL },
};

static const struct token t_flow[] = {
	{ T_KEYWORD, "move", ACT_FLOW_MOVE, t_rest },
	{ T_END, NULL, ACT_NONE, NULL },
};

static const struct token t_policy[] = {
	{ T_KEYWORD, "add", ACT_POLICY_ADD, t_rest },
	{ T_KEYWORD, "del", ACT_POLICY_DEL, t_rest },
	{ T_KEYWORD, "list", ACT_POLICY_LIST, NULL },
	{ T_END, NULL, ACT_NONE, NULL },
};

static const struct token t_main[] = {
	{ T_KEYWORD, "deregister", ACT_DEREGISTER, t_mn_id },
	{ T_KEYWORD, "flow", ACT_NONE, t_flow },
	{ T_KEYWORD, "policy", ACT_NONE, t_policy },
	{ T_KEYWORD, "show", ACT_NONE, t_show },
	{ T_END, NULL, ACT_NONE, NULL },
};

static void print_valid(const struct token *table)
{
	fprintf(stderr, "valid here:");
	for (const struct token *t = table; t->type != T_END; t++)
		fprintf(stderr, " %s", t->type == T_NONE ? "<end>" : t->word);
	fprintf(stderr, "\n");
}

/* The token matching word: a keyword it abbreviates unambiguously, or an argument. */
static const struct token *match(const struct token *table, const char *word,
                                 struct parse_result *res)
{
	const struct token *found = NULL;
	size_t len = strlen(word);
	int n = 0;

	for (const struct token *t = table; t->type != T_END; t++) {
		if (t->type == T_KEYWORD && strncmp(t->word, word, len) == 0) {
			found = t;
			n += strcmp(t->word, word) == 0 ? 100 : 1; /* an exact word wins */
		}
	}
	if (n == 1 || n >= 100)
		return found;
	if (n > 1) {
		fprintf(stderr, "ambiguous word: %s\n", word);
		return NULL;
	}
	for (const struct token *t = table; t->type != T_END; t++) {
		if (t->type != T_MN_ID)
			continue;
		if (len == 0 || len >= sizeof(res->mn_id) ||
		    !mh_nai_valid((const uint8_t *)word, len)) {
			fprintf(stderr, "not an MN identifier: %s\n", word);
			return NULL;
		}
		memcpy(res->mn_id, word, len + 1);
		return t;
	}
	fprintf(stderr, "unknown word: %s\n", word);
	return NULL;
}

static bool may_end(const struct token *table)
{
	if (!table)
		return true;
	for (const struct token *t = table; t->type != T_END; t++)
		if (t->type == T_NONE)
			return true;
	return false;
}

int parse_command(int argc, char **argv, struct parse_result *res)
{
	const struct token *table = t_main;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < argc; i++) {
		const struct token *t;

		if (!table) {
			fprintf(stderr, "unexpected word: %s\n", argv[i]);
			return -1;
		}
		if (table->type == T_REST) {
			res->rest_argc = argc - i;
			res->rest_argv = argv + i;
			return 0;
		}
		t = match(table, argv[i], res);
		if (!t) {
			print_valid(table);
			return -1;
		}
		if (t->action != ACT_NONE)
			res->action = t->action;
		table = t->next;
	}
	if ((table && table->type == T_REST) || !may_end(table) || res->action == ACT_NONE) {
		fprintf(stderr, "incomplete command\n");
		print_valid(table ? table : t_main);
		return -1;
	}
	return 0;
}

void parse_print_commands(void)
{
	fprintf(stderr, "commands:\n"
	                "  show bindings [MN-ID]\n"
	                "  show stats\n"
	                "  deregister MN-ID      (magd)\n"
	                "  show flows [MN-ID]    (lmad)\n"
	                "  flow move FLOW-ID to (att N | mag ADDRESS | binding ID) [bicast MS]\n"
	                "  policy add [before ID] [MATCH...] (to TARGET | MODE TARGET...)\n"
	                "      TARGET: att N | mag ADDRESS | llid MAC | default\n"
	                "      MODE: priority, active-standby, load-balance (TARGET weight N ...),\n"
	                "            bicast; options hold-down DURATION, fail-back yes|no\n"
	                "      MATCH: mn NAI, src P/L, dst P/L, proto NAME|N, src-port N[-M],\n"
	                "             dst-port N[-M], flow-label N, traffic-class N\n"
	                "  policy del ID\n"
	                "  policy list, show policies\n");
}
