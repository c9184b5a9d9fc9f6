/* parser.h: pmipctl's command words, a small tree of keyword tables matched by unambiguous
 * prefix (after OpenBSD ospf6ctl's parser.c); a wrong word lists the words valid there. */
#ifndef PMIPCTL_PARSER_H
#define PMIPCTL_PARSER_H

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
	ACT_SHOW_PEERS,
};

struct parse_result {
	enum action action;
	char mn_id[CTL_ID_MAX]; /* empty: all */
	int rest_argc;          /* the words after a command that takes free-form arguments */
	char **rest_argv;
};

/* Parses the command words; prints what was expected and returns -1 on an error. */
int parse_command(int argc, char **argv, struct parse_result *res);
/* Prints every command (for -h and for an empty command line). */
void parse_print_commands(void);

#endif
