/* parser.h: pmipctl's command words, a tree of keyword tables matched by unambiguous prefix at
 * every level, arguments included (after OpenBSD ospf6ctl's parser.c); a wrong word lists the
 * words valid there, "help" anywhere lists them with what they do. */
#ifndef PMIPCTL_PARSER_H
#define PMIPCTL_PARSER_H

#include <stdbool.h>
#include <stdio.h>

#include "common/ctl_proto.h"

enum action {
	ACT_NONE,
	ACT_SHOW_BINDINGS,
	ACT_SHOW_STATS,
	ACT_DEREGISTER,
	ACT_SHOW_FLOWS,
	ACT_FLOW_MOVE,
	ACT_POLICY_ADD,
	ACT_POLICY_DEL,
	ACT_POLICY_LIST,
	ACT_RELOAD,
	ACT_SHOW_VERSION,
	ACT_SHOW_PEERS,
};

#define PARSE_MAX_WORDS 64

struct token;

struct parse_result {
	enum action action;
	char mn_id[CTL_ID_MAX]; /* empty: all */
	/* The words after the command's keywords (flow move, policy add, policy del), keywords
	 * spelt out in full: "flow mo 1 to at 7" gives "1 to att 7". */
	int argc;
	const char *argv[PARSE_MAX_WORDS];
	bool help;              /* "help" was among the words: print, send nothing */
	const struct token *at; /* with help: the table the words led to (NULL: the end) */
};

/* Parses the command words; prints what was wrong and the valid words, returns -1 on an error. */
int parse_command(int argc, char **argv, struct parse_result *res);
/* With res->help: prints the words valid where the command stopped, with what each does. */
void parse_print_help(FILE *out, const struct parse_result *res);
/* Prints the keywords valid after argv, one a line (pmipctl -c, for shell completion); -1 and
 * nothing printed when argv is not a valid beginning. */
int parse_complete(int argc, char **argv, FILE *out);
/* Prints every command (for -h and for an empty command line). */
void parse_print_commands(FILE *out);

#endif
