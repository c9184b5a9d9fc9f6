/* parser.c: the keyword tree of parser.h. Every word of every command is in a table, the
 * arguments of flow move and policy add too, so one matching rule (an unambiguous prefix, an
 * exact word winning) and one help apply at every level. */
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
	T_VALUE, /* an argument checked by the request it belongs to (pmipctl/request.c) */
};

struct token {
	enum token_type type;
	const char *word;
	enum action action;
	const struct token *next;
	const char *help;
};

/* One table entry a line: */
/* clang-format off */
#define KW(w, act, nxt, h) { T_KEYWORD, w, act, nxt, h }
#define VALUE(w, nxt, h)   { T_VALUE, w, ACT_NONE, nxt, h }
#define MAY_END            { T_NONE, "<end>", ACT_NONE, NULL, "the command may end here" }
#define END                { T_END, NULL, ACT_NONE, NULL, NULL }
/* clang-format on */

static const struct token t_opt_mn[] = {
	MAY_END,
	{ T_MN_ID, "MN-ID", ACT_NONE, NULL, "only this mobile node's" },
	END,
};

static const struct token t_show[] = {
	KW("bindings", ACT_SHOW_BINDINGS, t_opt_mn, "the bindings, by mobile node"),
	KW("flows", ACT_SHOW_FLOWS, t_opt_mn, "the classified downlink flows (lmad)"),
	KW("peers", ACT_SHOW_PEERS, NULL, "each heartbeat peer: the MAGs at lmad, the LMA at magd"),
	KW("policies", ACT_POLICY_LIST, NULL, "the flow policies in order (= policy list, lmad)"),
	KW("stats", ACT_SHOW_STATS, NULL, "the counters, by group"),
	KW("version", ACT_SHOW_VERSION, NULL, "the daemon's name and version"),
	END,
};

static const struct token t_mn_id[] = {
	{ T_MN_ID, "MN-ID", ACT_NONE, NULL, "the mobile node's identifier (an NAI)" },
	END,
};

static const struct token t_bicast_ms[] = {
	VALUE("MS", NULL, "milliseconds through both bindings before the old one is dropped"), END
};
static const struct token t_move_end[] = {
	MAY_END,
	KW("bicast", ACT_NONE, t_bicast_ms, "make-before-break: through both bindings first"),
	END,
};
static const struct token t_move_att[] = {
	VALUE("N", t_move_end, "an access technology type"), END
};
static const struct token t_move_mag[] = { VALUE("ADDRESS", t_move_end, "a MAG's Proxy-CoA"), END };
static const struct token t_move_bid[] = {
	VALUE("ID", t_move_end, "a binding id (show bindings)"), END
};

static const struct token t_move_target[] = {
	KW("att", ACT_NONE, t_move_att, "the MN's binding of that access technology"),
	KW("binding", ACT_NONE, t_move_bid, "that binding of the MN"),
	KW("mag", ACT_NONE, t_move_mag, "the MN's binding at that MAG"),
	END,
};

static const struct token t_move_to[] = { KW("to", ACT_NONE, t_move_target, "the target"), END };
static const struct token t_move_id[] = { VALUE("FLOW-ID", t_move_to, "a flow (show flows)"), END };

static const struct token t_flow[] = {
	KW("move", ACT_FLOW_MOVE, t_move_id, "send a flow through another binding of its MN"),
	END,
};

/* policy add: match words in any order, then "to" and the target (lma/fc_words.c reads them). */
#define N_MATCH 15
static const struct token t_match[N_MATCH];
#define N_STEER 12
static const struct token t_steer[N_STEER];

static const struct token t_v_nai[] = { VALUE("NAI", t_match, "a mobile node identifier"), END };
static const struct token t_v_prefix[] = { VALUE("PREFIX/LEN", t_match, "an IPv6 prefix"), END };
static const struct token t_v_proto[] = {
	VALUE("PROTO", t_match, "tcp, udp, icmpv6, sctp, udplite or a number"), END
};
static const struct token t_v_ports[] = { VALUE("N[-M]", t_match, "a port or a range"), END };
static const struct token t_v_label[] = { VALUE("N", t_match, "a 20-bit flow label"), END };
static const struct token t_v_tclass[] = { VALUE("N", t_match, "0-255"), END };

static const struct token t_target_att[] = { VALUE("N", NULL, "an access technology type"), END };
static const struct token t_target_mag[] = { VALUE("ADDRESS", NULL, "a MAG's Proxy-CoA"), END };
static const struct token t_target_llid[] = {
	VALUE("MAC", NULL, "the MN's link-layer identifier, xx:xx:..."), END
};

/* A steering mode's targets and options, in any order (lma/fc_words.c checks the counts). */
static const struct token t_s_att[] = { VALUE("N", t_steer, "an access technology type"), END };
static const struct token t_s_mag[] = { VALUE("ADDRESS", t_steer, "a MAG's Proxy-CoA"), END };
static const struct token t_s_llid[] = {
	VALUE("MAC", t_steer, "the MN's link-layer identifier, xx:xx:..."), END
};
static const struct token t_s_weight[] = {
	VALUE("N", t_steer, "the previous target's weight (load-balance)"), END
};
static const struct token t_s_hold[] = {
	VALUE("DURATION", t_steer, "wait this long before a flow fails back (5s)"), END
};
static const struct token t_s_yesno[] = {
	VALUE("yes|no", t_steer, "whether flows go back to a returning binding"), END
};
static const struct token t_s_by[] = {
	KW("bytes", ACT_NONE, t_steer, "new flows even out the bytes (load-balance)"),
	KW("flows", ACT_NONE, t_steer, "new flows even out the flows (load-balance)"),
	END,
};
static const struct token t_s_hyst[] = {
	VALUE("N%|DURATION", t_steer, "how much lower another RTT must be (20%)"), END
};
static const struct token t_steer[N_STEER] = {
	MAY_END,
	KW("att", ACT_NONE, t_s_att, "the MN's binding of that access technology"),
	KW("by", ACT_NONE, t_s_by, "what load-balance evens out: flows or bytes"),
	KW("default", ACT_NONE, t_steer, "the binding owning the destination prefix"),
	KW("fail-back", ACT_NONE, t_s_yesno, "flows return to a preferred binding (priority)"),
	KW("hold-down", ACT_NONE, t_s_hold, "how long a returning binding must stay first"),
	KW("hysteresis", ACT_NONE, t_s_hyst, "the margin before flows change path (smallest-delay)"),
	KW("llid", ACT_NONE, t_s_llid, "the MN's binding of that interface"),
	KW("mag", ACT_NONE, t_s_mag, "the MN's binding at that MAG"),
	KW("weight", ACT_NONE, t_s_weight, "the previous target's share (load-balance)"),
	END,
};

static const struct token t_target[] = {
	KW("att", ACT_NONE, t_target_att, "the MN's binding of that access technology"),
	KW("default", ACT_NONE, NULL, "the binding owning the destination prefix"),
	KW("llid", ACT_NONE, t_target_llid, "the MN's binding of that interface"),
	KW("mag", ACT_NONE, t_target_mag, "the MN's binding at that MAG"),
	END,
};

#define MATCH_WORDS                                                                                \
	KW("dst", ACT_NONE, t_v_prefix, "the destination is in the prefix"),                       \
	        KW("dst-port", ACT_NONE, t_v_ports, "the destination port"),                       \
	        KW("flow-label", ACT_NONE, t_v_label, "the IPv6 flow label"),                      \
	        KW("mn", ACT_NONE, t_v_nai, "the mobile node"),                                    \
	        KW("proto", ACT_NONE, t_v_proto, "the transport protocol"),                        \
	        KW("src", ACT_NONE, t_v_prefix, "the source is in the prefix"),                    \
	        KW("src-port", ACT_NONE, t_v_ports, "the source port"),                            \
	        KW("to", ACT_NONE, t_target, "where matching flows go"),                           \
	        KW("traffic-class", ACT_NONE, t_v_tclass, "the IPv6 traffic class"),               \
	        KW("active-standby", ACT_NONE, t_steer, "two targets: the standby on failure only"), \
	        KW("bicast", ACT_NONE, t_steer, "every packet through two targets"),               \
	        KW("load-balance", ACT_NONE, t_steer, "new flows spread by the targets' weights"),  \
	        KW("priority", ACT_NONE, t_steer, "the first target present, with fail-back"),      \
	        KW("smallest-delay", ACT_NONE, t_steer, "the target whose MAG has the lowest RTT")

static const struct token t_match[N_MATCH] = { MATCH_WORDS, END };

static const struct token t_before_id[] = { VALUE("ID", t_match, "a policy (policy list)"), END };

static const struct token t_add[] = {
	KW("before", ACT_NONE, t_before_id, "insert before that policy, not at the end"),
	MATCH_WORDS,
	END,
};

static const struct token t_del_id[] = { VALUE("ID", NULL, "a policy (policy list)"), END };

static const struct token t_policy[] = {
	KW("add", ACT_POLICY_ADD, t_add, "add a flow policy (lmad)"),
	KW("del", ACT_POLICY_DEL, t_del_id, "remove a flow policy (lmad)"),
	KW("list", ACT_POLICY_LIST, NULL, "the flow policies in order (lmad)"),
	END,
};

static const struct token t_main[] = {
	KW("deregister", ACT_DEREGISTER, t_mn_id, "de-register (magd) or revoke (lmad) every binding of an MN"),
	KW("flow", ACT_NONE, t_flow, "act on a classified flow (lmad)"),
	KW("help", ACT_NONE, t_main, "the words valid at any point, with what they do"),
	KW("policy", ACT_NONE, t_policy, "the flow policies (lmad)"),
	KW("reload", ACT_RELOAD, NULL, "read the configuration file again, as SIGHUP does"),
	KW("show", ACT_NONE, t_show, "show bindings, flows, counters, version"),
	END,
};

enum match_error { M_OK, M_UNKNOWN, M_AMBIGUOUS, M_BAD_MN_ID };

/* The keyword that word abbreviates unambiguously (an exact word wins), or NULL with *err. */
static const struct token *match_keyword(const struct token *table, const char *word,
                                         enum match_error *err)
{
	const struct token *found = NULL;
	size_t len = strlen(word);
	int n = 0;

	*err = M_UNKNOWN;
	for (const struct token *t = table; t->type != T_END; t++) {
		if (t->type != T_KEYWORD || strncmp(t->word, word, len) != 0)
			continue;
		if (strcmp(t->word, word) == 0)
			return t;
		found = t;
		n++;
	}
	if (n == 1 && len > 0)
		return found;
	if (n > 1)
		*err = M_AMBIGUOUS;
	return NULL;
}

/* The token matching word: a keyword, else an argument the table takes. */
static const struct token *match(const struct token *table, const char *word,
                                 struct parse_result *res, enum match_error *err)
{
	const struct token *t = match_keyword(table, word, err);
	size_t len = strlen(word);

	if (t || *err == M_AMBIGUOUS)
		return t;
	for (t = table; t->type != T_END; t++) {
		if (t->type == T_VALUE)
			return t;
		if (t->type != T_MN_ID)
			continue;
		if (len == 0 || len >= sizeof(res->mn_id) ||
		    !mh_nai_valid((const uint8_t *)word, len)) {
			*err = M_BAD_MN_ID;
			return NULL;
		}
		memcpy(res->mn_id, word, len + 1);
		return t;
	}
	return NULL;
}

static void print_valid(const struct token *table)
{
	fprintf(stderr, "valid here:");
	if (!table)
		fprintf(stderr, " <end>");
	for (const struct token *t = table; t && t->type != T_END; t++)
		fprintf(stderr, " %s", t->word);
	fprintf(stderr, " (or help)\n");
}

static void print_match_error(enum match_error err, const char *word)
{
	static const char *const why[] = {
		[M_UNKNOWN] = "unknown word",
		[M_AMBIGUOUS] = "ambiguous word",
		[M_BAD_MN_ID] = "not an MN identifier",
	};

	fprintf(stderr, "%s: %s\n", why[err], word);
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

/* Records word as an argument of the command: keywords in full, values as given. */
static int add_argument(struct parse_result *res, const struct token *t, const char *word)
{
	if (res->argc >= PARSE_MAX_WORDS) {
		fprintf(stderr, "too many words\n");
		return -1;
	}
	res->argv[res->argc++] = t->type == T_KEYWORD ? t->word : word;
	return 0;
}

/* Takes one word; the next table in *table. */
static int take_word(const char *word, const struct token **table, struct parse_result *res)
{
	enum match_error err;
	const struct token *t;

	if (strcmp(word, "help") == 0) {
		res->help = true; /* anywhere, and the words after it still lead on */
		return 0;
	}
	if (!*table) {
		fprintf(stderr, "unexpected word: %s\n", word);
		print_valid(NULL);
		return -1;
	}
	t = match(*table, word, res, &err);
	if (!t) {
		print_match_error(err, word);
		print_valid(*table);
		return -1;
	}
	if (t->type == T_KEYWORD && t->next == t_main) { /* "help" abbreviated */
		res->help = true;
		return 0;
	}
	if (t->action != ACT_NONE)
		res->action = t->action;
	else if (res->action != ACT_NONE && t->type != T_MN_ID && add_argument(res, t, word) < 0)
		return -1;
	*table = t->next;
	return 0;
}

int parse_command(int argc, char **argv, struct parse_result *res)
{
	const struct token *table = t_main;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < argc; i++)
		if (take_word(argv[i], &table, res) < 0)
			return -1;
	if (res->help) {
		res->at = table;
		return 0;
	}
	if (!may_end(table) || res->action == ACT_NONE) {
		fprintf(stderr, "incomplete command\n");
		print_valid(table);
		return -1;
	}
	return 0;
}

void parse_print_help(FILE *out, const struct parse_result *res)
{
	if (!res->at) {
		fprintf(out, "the command is complete here\n");
		return;
	}
	for (const struct token *t = res->at; t->type != T_END; t++)
		fprintf(out, "  %-14s %s\n", t->word, t->help);
}

int parse_complete(int argc, char **argv, FILE *out)
{
	const struct token *table = t_main;
	struct parse_result res;
	enum match_error err;

	memset(&res, 0, sizeof(res));
	for (int i = 0; i < argc && table; i++) {
		const struct token *t;

		if (strcmp(argv[i], "help") == 0)
			continue;
		t = match(table, argv[i], &res, &err);
		if (!t)
			return -1;
		table = t->next;
	}
	for (const struct token *t = table; t && t->type != T_END; t++)
		if (t->type == T_KEYWORD)
			fprintf(out, "%s\n", t->word);
	return 0;
}

void parse_print_commands(FILE *out)
{
	fprintf(out, "commands (words may be abbreviated; \"help\" anywhere lists the words valid "
	             "there):\n"
	             "  show bindings [MN-ID]\n"
	             "  show stats\n"
	             "  show peers            (heartbeat: MAGs at lmad, the LMA at magd)\n"
	             "  show version\n"
	             "  reload\n"
	             "  deregister MN-ID      (magd: de-register; lmad: revoke)\n"
	             "  show flows [MN-ID]    (lmad)\n"
	             "  flow move FLOW-ID to (att N | mag ADDRESS | binding ID) [bicast MS]\n"
	             "  policy add [before ID] [MATCH...] (to TARGET | MODE TARGET...)\n"
	             "      TARGET: att N | mag ADDRESS | llid MAC | default\n"
	             "      MODE: priority, active-standby, load-balance (TARGET weight N ...),\n"
	             "            bicast, smallest-delay; options hold-down DURATION,\n"
	             "            fail-back yes|no, by bytes|flows (load-balance),\n"
	             "            hysteresis N%%|DURATION (smallest-delay)\n"
	             "      MATCH: mn NAI, src P/L, dst P/L, proto NAME|N, src-port N[-M],\n"
	             "             dst-port N[-M], flow-label N, traffic-class N\n"
	             "  policy del ID\n"
	             "  policy list, show policies\n");
}
